# The whole system: a libvirt domain runs the test guest (hot set H, cold
# set C) with all its memory first on the PMEM node; vmm-agent, attached
# by domain name with a DRAM limit above H, must bring >= 99% of H to DRAM
# within a stated number of scan intervals, never let the domain's DRAM
# use exceed the limit, leave C on PMEM, and the guest's integrity check
# must pass. The agent's counters must agree with the kernel's view.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
trap libvirt_logs EXIT

MEM_MIB=256
HOT=4096		# pages: 16 MiB
COLD=16384		# pages: 64 MiB
BASE=$((16 << 20))	# the guest's working area
LIMIT_MIB=32
INTERVALS=8		# promised: H in DRAM within this many intervals

check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start tg1 $MEM_MIB \
	"pattern=uniform hot=$HOT cold=$COLD write=30 passes=0 report_secs=2")
check "domain tg1 started, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
check "the domain's QEMU threads run off CPU 0, on CPUs $LAB_NESTED_CPUS" off_cpu0 "$pid"
serial_wait tg1 "TG init" 60

migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
place() {
	tg-placement "$pid" $MEM_MIB hot=$BASE:$HOT \
		cold=$((BASE + HOT * 4096)):$COLD all=0:$((MEM_MIB * 256))
}
place | tee "$LAB_OUT/placement-start"
check "the guest starts with its hot set on the PMEM node" \
	awk '/^hot/ { split($4, a, "="); exit !(a[2] >= 0.99 * '$HOT') }' "$LAB_OUT/placement-start"

mkdir -p /etc/vmm-agent
cat >/etc/vmm-agent/tg1.json <<JSON
{
	"dram_nodes": [$LAB_DRAM_NODE],
	"pmem_nodes": [$LAB_PMEM_NODE],
	"dram_limit": "${LIMIT_MIB}M",
	"scan_interval": 1,
	"hot": { "min_accessed_scans": 2, "window_scans": 4 },
	"cold": { "idle_scans": 4 },
	"migration": { "rate_limit_mb_s": 256, "batch_pages": 1024 },
	"mode": "enforce"
}
JSON
check "vmm-agent check-policy accepts the policy" \
	vmm-agent check-policy --guest-memory ${MEM_MIB}M /etc/vmm-agent/tg1.json
vmm-agent --status-dir "$LAB_OUT/status" --prom-dir "$LAB_OUT/prom" run tg1 \
	>"$LAB_OUT/agent.log" 2>&1 &
agent=$!

# Sample every interval: hot-set share in DRAM, the domain's DRAM use.
reached=
over=0
max_dram=0
for i in $(seq 1 30); do
	sleep 1
	line=$(place | tr '\n' ' ')
	hot0=$(echo "$line" | sed -n 's/.*hot pages=[0-9]* node0=\([0-9]*\).*/\1/p')
	all0=$(echo "$line" | sed -n 's/.*all pages=[0-9]* node0=\([0-9]*\).*/\1/p')
	dram_mib=$((all0 * 4 / 1024))
	[ "$dram_mib" -gt "$max_dram" ] && max_dram=$dram_mib
	[ "$all0" -gt $((LIMIT_MIB * 256)) ] && over=$((over + 1))
	printf 'interval %2d: hot set in DRAM %5.1f%%, domain DRAM use %3d MiB (limit %d)\n' \
		"$i" "$(awk "BEGIN { print 100 * $hot0 / $HOT }")" "$dram_mib" $LIMIT_MIB
	if [ -z "$reached" ] && [ "$hot0" -ge $((HOT * 99 / 100)) ]; then
		reached=$i
	fi
	[ -n "$reached" ] && [ "$i" -ge $((reached + 4)) ] && break
done
check "99% of the hot set in DRAM within $INTERVALS intervals (took ${reached:-never})" \
	test -n "$reached" -a "${reached:-99}" -le $INTERVALS
check "domain DRAM use never above the ${LIMIT_MIB} MiB limit (max $max_dram MiB, $over samples over)" \
	test "$over" = 0
place | tee "$LAB_OUT/placement-end"
check "the cold set stays on the PMEM node (>= 95%)" \
	awk '/^cold/ { split($4, a, "="); exit !(a[2] >= 0.95 * '$COLD') }' "$LAB_OUT/placement-end"

vmm-agent status --status-dir "$LAB_OUT/status" tg1 | tee "$LAB_OUT/status.txt"
vmm-agent status --json --status-dir "$LAB_OUT/status" tg1 >"$LAB_OUT/status.json"
check "vmm-agent status answers" test -s "$LAB_OUT/status.json"
kill -TERM "$agent"
wait "$agent"
check "vmm-agent exits cleanly on SIGTERM" test $? = 0

# The agent's bytes per node (its last sweep, written at exit) against the
# kernel's view of the guest RAM mapping in /proc/PID/numa_maps.
ram=$(while IFS=' -' read -r a b _; do
	[ $((0x$b - 0x$a)) = $((MEM_MIB << 20)) ] && { echo "$a"; break; }
done <"/proc/$pid/maps")
grep "^$ram " "/proc/$pid/numa_maps" | tee "$LAB_OUT/numa_maps.ram"
vmm-agent status --json --status-dir "$LAB_OUT/status" tg1 >"$LAB_OUT/status-final.json"
for n in "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"; do
	kern=$(grep -o "N$n=[0-9]*" "$LAB_OUT/numa_maps.ram" | cut -d= -f2)
	agent_b=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['node_bytes'].get(sys.argv[2], 0))" \
		"$LAB_OUT/status-final.json" "$n")
	agent_p=$((agent_b / 4096))
	diff=$((agent_p - ${kern:-0}))
	check "node $n: the agent's count ($agent_p pages) agrees with numa_maps (${kern:-0}) within 1%" \
		test "${diff#-}" -le $(( (${kern:-0} + 99) / 100 ))
done
sleep 3
check "the guest's integrity checks found no errors" \
	awk '/^TG stats/ { n++; if ($0 !~ /errors=0/) bad++ } END { exit !(n > 0 && !bad) }' \
	"$LAB_OUT/tg1.serial"
virsh -q destroy tg1 >/dev/null

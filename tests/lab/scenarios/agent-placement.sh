# The whole system: a libvirt domain runs the test guest (hot set H, cold
# set C) with all its memory first on the PMEM node; vmm-agent, attached
# by domain name with a DRAM limit above H, must bring >= 99% of H to DRAM
# within a stated number of scan intervals, never let the domain's DRAM
# use exceed the limit, leave C on PMEM, and the guest's integrity check
# must pass. The agent's counters must agree with the kernel's view.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
trap 'agent_cleanup tg1' EXIT

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

agent_policy tg1 $LIMIT_MIB 1
check "vmm-agent check-policy accepts the policy" \
	vmm-agent check-policy --guest-memory ${MEM_MIB}M /etc/vmm-agent/tg1.json
agent_start tg1 --prom-dir "$LAB_OUT/prom"

# Samples until >= 99% of H is in DRAM (the agent's intervals counted
# from its log), then 4 s more: the domain's DRAM use all along.
out=$(dram_follow tg1 "$pid" $MEM_MIB $BASE $HOT $INTERVALS $LIMIT_MIB 4)
echo "$out" | grep -v '^reached\|^over'
reached=$(echo "$out" | awk '/^reached/ { print $2 }')
over=$(echo "$out" | awk '/^over/ { print $2 }')
max_dram=$(echo "$out" | awk '/^over/ { print $4 }')
check "99% of the hot set in DRAM within $INTERVALS intervals (took $reached)" \
	test "$reached" != never -a "${reached/never/99}" -le $INTERVALS
check "domain DRAM use never above the ${LIMIT_MIB} MiB limit (max $max_dram MiB, $over samples over)" \
	test "$over" = 0
place | tee "$LAB_OUT/placement-end"
check "the cold set stays on the PMEM node (>= 95%)" \
	awk '/^cold/ { split($4, a, "="); exit !(a[2] >= 0.95 * '$COLD') }' "$LAB_OUT/placement-end"

vmm-agent status --status-dir "$LAB_OUT/status" tg1 | tee "$LAB_OUT/status.txt"
vmm-agent status --json --status-dir "$LAB_OUT/status" tg1 >"$LAB_OUT/status.json"
check "vmm-agent status answers" test -s "$LAB_OUT/status.json"
# The exposition for node exporter's textfile collector. Its directory
# did not exist so far (a host without the node exporter): one warning in
# all those intervals; made now, the file comes at the next interval and
# has the status's counters (both are written each interval: the two
# files are read at once, the slow parsing after, and wait_for retries a
# pair read between the two writes).
log=$LAB_OUT/agent-tg1.log
check "a missing Prometheus directory is warned of once ($(grep -c 'cannot write metrics' "$log") times)" \
	test "$(grep -c "warning: cannot write metrics to $LAB_OUT/prom: No such file or directory" "$log")" = 1
mkdir "$LAB_OUT/prom"
prom=$LAB_OUT/prom/vmm-agent-tg1.prom
prom_agrees() {
	local c got want p st
	p=$(cat "$prom" 2>/dev/null)
	st=$(cat "$LAB_OUT/status/tg1.json" 2>/dev/null)
	for c in scans promoted_pages demoted_pages; do
		got=$(sed -n "s/^vmm_agent_${c}_total{domain=\"tg1\"} \([0-9]*\)$/\1/p" <<<"$p")
		want=$(jq -r ".counters.$c" <<<"$st")
		[ -n "$got" ] && [ "$got" = "$want" ] || return 1
	done
}
check "the Prometheus file's scans, promoted and demoted totals are the status's" \
	wait_for 10 prom_agrees
grep '^vmm_agent_\(scans\|promoted_pages\|demoted_pages\)_total' "$prom"
check "the agent logs that it writes metrics again" \
	grep -q "metrics written to $LAB_OUT/prom again" "$log"
check "vmm-agent exits cleanly on SIGTERM" agent_stop
check "the agent removed its Prometheus file at exit (no stale metrics)" test ! -e "$prom"

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
check "the guest's integrity checks found no errors" guest_clean "$LAB_OUT/tg1.serial"
virsh -q destroy tg1 >/dev/null

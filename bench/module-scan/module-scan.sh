# Benchmark 2's lab scenario (run by bench/module-scan/run, not by
# `make test`): full scans of a nested guest's memory through the module.
#
# The test guest runs under tg-launch with AREA_MIB of 4 KiB-backed memory
# (every nested leaf 4 KiB), sweeping all of it (pattern=seq, reads only).
#  - accessed: scans WAIT seconds apart, at least one sweep between them,
#    so nearly every page is found accessed (the first round also holds
#    the start-up); the guest is stopped during each scan, since on the
#    lab's 2 host cores its vCPU would take host time from the scan;
#  - idle: the guest stopped (SIGSTOP) and one scan to clear, then scans
#    that find every page idle, normal and in skim mode;
#  - floor: a sequential read, in this VM's user space, of as many bytes
#    as the page tables of the scanned memory take.
# scan-bench writes one JSON line per case to $LAB_OUT/results.jsonl.
source "$LAB_TOP/tests/lab/lib.sh"

AREA_MIB=512
MEM_MIB=$((AREA_MIB + 32))	# the area starts at the guest's base, 16 MiB
ROUNDS=8
bench=$LAB_TOP/bench/module-scan/build/scan-bench
res=$LAB_OUT/results.jsonl
serial=$LAB_OUT/guest.serial

check "scan-bench is built (bench/module-scan/run builds it)" test -x "$bench" || exit 1
tg-launch --mem ${MEM_MIB}M --backing 4k --no-stop --timeout 600 "$LAB_GUEST_ELF" \
	pattern=seq hot=${AREA_MIB}M cold=0 write=0 passes=0 report_secs=1 \
	>"$serial" 2>&1 &
guest=$!
for _ in $(seq 1800); do grep -q "TG init" "$serial" && break; sleep 0.1; done
check "the guest wrote its ${AREA_MIB} MiB" grep -q "TG init" "$serial" || exit 1

# How long one sweep takes: the pass counter over the stats lines.
sleep 6
sweep=$(grep -ao 'TG stats t=[0-9]* pass=[0-9]*' "$serial" |
	awk -F'[= ]' 'NR == 1 { t0 = $4; p0 = $6 } { t = $4; p = $6 }
		END { if (p > p0) printf "%.2f", (t - t0) / (p - p0); else print 0 }')
check "the guest sweeps its memory (one pass in ${sweep} s)" \
	awk "BEGIN { exit !($sweep > 0) }" || exit 1
wait_s=$(awk "BEGIN { w = 1.5 * $sweep; printf \"%.2f\", w < 1 ? 1 : w }")
echo "scanning every $wait_s s"

{
	echo "{\"kind\": \"guest\", \"area_mib\": $AREA_MIB, \"mem_mib\": $MEM_MIB, \"backing\": \"4k\", \"sweep_s\": $sweep, \"chunk_pages\": $(cat /sys/module/idle_pages/parameters/chunk_pages 2>/dev/null || echo null), \"l1_cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\"}"
	"$bench" scan $guest normal $ROUNDS "$wait_s" accessed pause
	kill -STOP $guest
	sleep 0.5
	"$bench" scan $guest normal 1 0 clear
	"$bench" scan $guest normal $ROUNDS 0 idle
	"$bench" scan $guest skim $ROUNDS 0 idle-skim
} >"$res"
check "scan-bench measured every case" test "$(grep -c '"kind": "scan"' "$res")" = 4

# The floor: the bytes of the tables that map the scanned 4 KiB pages
# (PTE tables, then the tables above them; one top-level table).
pages=$(grep '"label": "idle"' "$res" | grep -o '"pages_scanned": [0-9]*' |
	head -n1 | awk '{ print $2 }')
bytes=$(awk -v p="$pages" 'function up(a, b) { return int((a + b - 1) / b) }
	BEGIN { print 4096 * (up(p, 512) + up(p, 512 * 512) + up(p, 512 ^ 3) + 1) }')
"$bench" floor "$bytes" $ROUNDS floor >>"$res"
check "floor measured over $bytes bytes of tables ($pages pages)" \
	grep -q '"kind": "floor"' "$res"

# The guest only read: nothing to verify, and a verify of all its memory
# would take long under TCG.
kill -KILL $guest
wait $guest 2>/dev/null
exit 0	# not wait's 137, which the lab runner would take for a timeout

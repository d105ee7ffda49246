# The hot set moves mid-run: a libvirt domain runs the test guest with
# pattern=phases (a hot window of 8 MiB that moves to the next 8 MiB of a
# 32 MiB area every 8 s; phase 5 returns to the first window), all its
# memory first on the PMEM node. vmm-agent (scan every 1 s, hot = 2 of 4
# scans, DRAM limit 12 MiB: room for one window, not two) must follow:
# promised, for each phase after the first, >= 99% of the new window in
# DRAM within 5 agent intervals of the guest's "TG phase P" line; the
# domain's DRAM use never above the limit; the guest's integrity checks
# clean.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
DOM=tg-phases
trap 'kill $stamper 2>/dev/null; agent_cleanup $DOM' EXIT

MEM_MIB=128
HOT=2048		# pages per window: 8 MiB
WINDOWS=4
BASE=$((16 << 20))
PHASE_SECS=8
LAST_PHASE=5
LIMIT_MIB=12
PROMISE=5		# intervals of 1 s

check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start $DOM $MEM_MIB "pattern=phases hot=$HOT cold=$((HOT * (WINDOWS - 1))) write=30 phases=0 phase_secs=$PHASE_SECS report_secs=2")
check "domain $DOM started, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
# Time-stamp the guest's serial lines as they come (phase starts).
tail -n +1 -F "$LAB_SERIAL_DIR/$DOM.serial" 2>/dev/null |
	while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done \
	>"$LAB_OUT/serial.stamped" &
stamper=$!
serial_wait $DOM "TG init" 60
migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"

agent_policy $DOM $LIMIT_MIB 1
agent_start $DOM

# Sample every half interval: DRAM pages of each window, and of the guest.
ranges=()
for ((w = 0; w < WINDOWS; w++)); do
	ranges+=("w$w=$((BASE + w * HOT * 4096)):$HOT")
done
ranges+=("all=0:$((MEM_MIB * 256))")
# Until the stamper (not just the serial file) has the last phase's end:
# it lags the file, the more so when the lab machine stalls.
while ! grep -q "TG phase $((LAST_PHASE + 1)) " "$LAB_OUT/serial.stamped"; do
	echo "$EPOCHREALTIME $(tg-placement "$pid" $MEM_MIB "${ranges[@]}" |
		sed -n "s/^\([a-z0-9]*\) .* node$LAB_DRAM_NODE=\([0-9]*\).*/\1=\2/p" |
		tr '\n' ' ')"
	sleep 0.5
	[ "$SECONDS" -gt 150 ] && break
done >"$LAB_OUT/samples"
kill $stamper 2>/dev/null

# For each phase: from its line's time, the agent intervals until the
# first sample with >= 99% of its window in DRAM. The guest's phases run
# on the host's clock: a phase that a stalled lab machine cut shorter
# than PROMISE + 1 agent intervals, or in which it let the sampler take
# fewer than MIN_SAMPLES samples, is reported, not judged.
MIN_SAMPLES=4
phase_start() {
	awk -v p="$1" '$2 == "TG" && $3 == "phase" && $4 == p { print $1; exit }' \
		"$LAB_OUT/serial.stamped"
}
judged=0
for ((p = 2; p <= LAST_PHASE; p++)); do
	w=$(((p - 1) % WINDOWS))
	t0=$(phase_start $p)
	t_end=$(phase_start $((p + 1)))
	if [ -z "$t0" ] || [ -z "$t_end" ]; then
		fail "phase $p: no 'TG phase' line from the guest for it or the next"
		continue
	fi
	length=$(agent_intervals $DOM "$t0" "$t_end")
	t1=$(awk -v t0="$t0" -v t_end="$t_end" -v key="w$w" -v need=$((HOT * 99 / 100)) '
		$1 >= t0 && $1 < t_end { for (i = 2; i <= NF; i++) { split($i, kv, "=")
			if (kv[1] == key && kv[2] + 0 >= need) { print $1; exit } } }' \
		"$LAB_OUT/samples")
	took=never
	[ -n "$t1" ] && took=$(agent_intervals $DOM "$t0" "$t1")
	secs=$(awk "BEGIN { printf \"%.1f\", ${t1:-$t_end} - $t0 }")
	if [ "$length" -le $PROMISE ]; then
		echo "phase $p (window $w): lasted only $length agent intervals (a stalled lab machine): not judged; took $took"
		continue
	fi
	n=$(awk -v t0="$t0" -v t_end="$t_end" '$1 >= t0 && $1 < t_end { n++ } END { print n + 0 }' \
		"$LAB_OUT/samples")
	if [ "$n" -lt $MIN_SAMPLES ]; then
		echo "phase $p (window $w): only $n samples in it (a stalled lab machine): not judged; took $took"
		continue
	fi
	judged=$((judged + 1))
	check "phase $p (window $w): 99% of the hot window in DRAM within $PROMISE intervals (took $took, $secs s; the phase lasted $length)" \
		test "$took" != never -a "${took/never/99}" -le $PROMISE
done
check "at least 2 of the $((LAST_PHASE - 1)) phase changes judged ($judged)" test $judged -ge 2
most=$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "=")
	if (kv[1] == "all" && kv[2] + 0 > m) m = kv[2] + 0 } } END { print m + 0 }' \
	"$LAB_OUT/samples")
samples=$(wc -l <"$LAB_OUT/samples")
check "domain DRAM use never above the ${LIMIT_MIB} MiB limit (most $most pages, $(((most + 255) / 256)) MiB, over $samples samples)" \
	test "$most" -le $((LIMIT_MIB * 256))

vmm-agent status --status-dir "$LAB_OUT/status" $DOM | tee "$LAB_OUT/status.txt"
check "vmm-agent exits cleanly on SIGTERM" agent_stop
verified=$(grep -c '^TG verify ok' "$LAB_OUT/$DOM.serial")
check "the guest's integrity checks found no errors ($verified whole-area verify passes)" \
	guest_clean "$LAB_OUT/$DOM.serial"
check "a verify pass at each phase change ($verified for $LAST_PHASE changes)" \
	test "$verified" -ge $LAST_PHASE

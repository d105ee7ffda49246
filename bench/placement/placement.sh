# Benchmark 3, placement (a lab scenario; bench/placement/run runs it).
# The same test-guest domain (hot window H smaller than the DRAM budget,
# cold set larger, the hot window moving every PHASE_SECS) is run three
# times in this one lab boot, each time starting with all its memory on
# the PMEM node:
#   a) vmm-agent, DRAM limit LIMIT_MIB;
#   b) the kernel's own tiering: kernel.numa_balancing=2 and demotion on,
#      with node 0 held down (hugetlb pages reserved on it) to LIMIT_MIB
#      free above its high watermark: the same DRAM budget, and the
#      pressure that its selection and demotion need (with over 1 GiB free
#      it promotes every page touched once);
#   c) nothing.
# Each way starts at a phase change (the new hot window all on PMEM; the
# tiering switched on when it is seen) and measures PHASES whole phases;
# tier-sample reads where every guest page sits every SAMPLE_S (pagemap),
# for all three alike, from a baseline taken before anything is on. Each way leaves in
# $LAB_OUT/<way>/: samples.txt, sampler.json, before.txt / after.txt (CPU
# ticks, /proc/vmstat), and for (a) the agent's status and peak memory.
# bench/placement/summarize.py makes the figures.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
source "$LAB_TOP/bench/lab-helpers.sh"

BIN=$LAB_TOP/bench/placement/build
MEM_MIB=256
HOT=4096		# pages: 16 MiB, the hot window H
COLD=16384		# pages: 64 MiB (4 more windows)
BASE=$((16 << 20))
LIMIT_MIB=32
PHASE_SECS=12
PHASES=3		# phases measured: the hot window moves twice
SAMPLE_S=0.5
GUEST="pattern=phases hot=$HOT cold=$COLD phase_secs=$PHASE_SECS phases=0 write=30 report_secs=2"

HUGEPAGES=/sys/devices/system/node/node$LAB_DRAM_NODE/hugepages/hugepages-2048kB/nr_hugepages
cleanup() {
	agent_stop
	echo 0 >"$HUGEPAGES"
	echo 0 >/proc/sys/kernel/numa_balancing
	echo 0 >/sys/kernel/mm/numa/demotion_enabled
	libvirt_logs
}
trap cleanup EXIT

# snap QEMU_PID [AGENT_PID]: CPU ticks and /proc/vmstat counters, "key value".
snap() {
	echo "clk_tck $(getconf CLK_TCK)"
	echo "uptime $(cut -d' ' -f1 /proc/uptime)"
	awk '$1 == "cpu" { print "cpu_busy", $2 + $3 + $4 + $7 + $8 + $9; print "cpu_idle", $5 + $6 }' /proc/stat
	# Kernel threads (ppid 2); fields after the last ") " as in proc_times.
	cat /proc/[0-9]*/stat 2>/dev/null | awk '{ sub(/^.*\) /, "") }
		$2 == 2 { k += $12 + $13 } END { print "kthreads", k + 0 }'
	for kt in kswapd0 kcompactd0; do
		p=$(pgrep -x "$kt" | head -n1)
		[ -n "$p" ] && echo "$kt $(proc_ticks "$p")"
	done
	proc_times "$1" | awk '{ print "qemu_user", $1; print "qemu_sys", $2 }'
	echo "agent $([ -n "${2:-}" ] && proc_ticks "$2" || echo 0)"
	grep -E '^(numa_|pgpromote|pgdemote|pgmigrate|thp_migration)' /proc/vmstat
}

# Sum of the DRAM node's zones' high watermarks, MiB (rounded up).
dram_high_mib() {
	awk -v node="$LAB_DRAM_NODE," '/^Node/ { n = $2 } n == node && $1 == "high" { s += $2 }
		END { print int(s * 4 / 1024) + 1 }' /proc/zoneinfo
}

dram_free_mib() {
	awk '/MemFree/ { print int($4 / 1024) }' "/sys/devices/system/node/node$LAB_DRAM_NODE/meminfo"
}

# dram_hold FREE_MIB: takes the DRAM node's free memory down to about
# FREE_MIB by reserving 2 MiB hugetlb pages on it. They are never
# reclaimed or demoted, and reserving them touches nothing, so this takes
# seconds where touching as much memory takes a minute under TCG.
dram_hold() {
	local n
	for _ in 1 2 3; do
		n=$((($(dram_free_mib) - $1) / 2))
		[ "$n" -gt 0 ] || break
		echo $(($(cat "$HUGEPAGES") + n)) >"$HUGEPAGES"
	done
	echo "$(cat "$HUGEPAGES") hugetlb pages of 2 MiB reserved, $(dram_free_mib) MiB free"
}

# run_way a|b|c DESCRIPTION: one domain, one tiering system, PHASES
# phases sampled.
run_way() {
	local way=$1 name=tg-$1 out=$LAB_OUT/$1 pid p0 line t sampler
	mkdir -p "$out"
	echo "=== way $way: $2"
	pid=$(tg_domain_start "$name" $MEM_MIB "$GUEST")
	[ -n "$pid" ] || { fail "way $way: domain $name did not start"; return 1; }
	pass "way $way: domain $name started, QEMU pid $pid"
	serial_wait "$name" "TG phase" 120 ||
		{ fail "way $way: the guest never began its first phase"; return 1; }
	migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
	line=$(tg-placement "$pid" $MEM_MIB area=$BASE:$((HOT + COLD)))
	echo "start: $line"
	check "way $way: the guest's working area starts on the PMEM node" \
		awk -v l="$line" -v n=$((HOT + COLD)) 'BEGIN { split(l, f, /[ =]/); exit !(f[7] >= 0.99 * n) }'
	case $way in
	a)
		agent_policy "$name" $LIMIT_MIB 1
		cp "/etc/vmm-agent/$name.json" "$out/policy.json"
		;;
	b)
		local free=$((LIMIT_MIB + $(dram_high_mib)))
		t=$SECONDS
		line=$(dram_hold $free)
		echo "$line" >"$out/dram-hold.txt"
		check "way b: node $LAB_DRAM_NODE held down to about $free MiB free in $((SECONDS - t)) s ($line)" \
			test "$(dram_free_mib)" -le $((free + 16))
		;;
	esac

	# Every way measures whole phases from the moment a hot window that is
	# all on PMEM becomes hot. tier-sample first records where every page
	# sits (so every later move is counted), then times from the start of
	# the next phase; the tiering is switched on when that phase is seen.
	# The counters are read first: that takes a second or two under TCG.
	snap "$pid" >"$out/before.txt"
	"$BIN/tier-sample" --base $BASE --hot $HOT --cold $COLD --interval $SAMPLE_S \
		--phases $PHASES --max-secs $((PHASES * PHASE_SECS + 30)) \
		--dram-node "$LAB_DRAM_NODE" --json "$out/sampler.json" \
		"$pid" $MEM_MIB "$LAB_OUT/$name.serial" >"$out/samples.txt" &
	sampler=$!
	wait_for 60 grep -q '^# baseline: phase' "$out/samples.txt" ||
		{ fail "way $way: tier-sample made no baseline"; return 1; }
	p0=$(sed -n 's/^# baseline: phase \([0-9]*\).*/\1/p' "$out/samples.txt")
	next_phase "$name" "$p0" $((PHASE_SECS + 30)) ||
		{ fail "way $way: no phase after phase $p0 began"; return 1; }
	case $way in
	a) agent_start "$name" ;;
	b)
		echo 1 >/sys/kernel/mm/numa/demotion_enabled
		echo 2 >/proc/sys/kernel/numa_balancing
		;;
	esac
	wait $sampler
	check "way $way: tier-sample ran (exit $?)" test -s "$out/sampler.json"
	snap "$pid" "${AGENT_PID:-}" >"$out/after.txt"

	case $way in
	a)
		grep VmHWM "/proc/$AGENT_PID/status" >"$out/agent-hwm.txt"
		cp "$LAB_OUT/status/$name.json" "$out/status.json"
		agent_stop
		check "way a: vmm-agent exits cleanly on SIGTERM" test $? = 0
		;;
	b)
		for f in /proc/sys/kernel/numa_balancing*; do
			echo "$(basename "$f") $(cat "$f")"
		done >"$out/kernel-settings.txt"
		echo 0 >/proc/sys/kernel/numa_balancing
		echo 0 >/sys/kernel/mm/numa/demotion_enabled
		echo 0 >"$HUGEPAGES"
		;;
	esac
	tail -n 3 "$out/samples.txt"
	check "way $way: the guest's integrity checks found no errors" \
		grep -q '"guest_errors": 0' "$out/sampler.json"
	virsh -q destroy "$name" >/dev/null
	virsh -q undefine "$name" >/dev/null
}

check "libvirtd started" libvirt_up || exit 1
{
	echo "thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
	for n in "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"; do
		echo "node${n}_mib $(awk '/MemTotal/ { print int($4 / 1024) }' "/sys/devices/system/node/node$n/meminfo")"
	done
	echo "dram_high_mib $(dram_high_mib)"
	echo "guest $GUEST"
	echo "mem_mib $MEM_MIB"
	echo "limit_mib $LIMIT_MIB"
	echo "sample_s $SAMPLE_S"
	echo "phases $PHASES"
} >"$LAB_OUT/setup.txt"
cat "$LAB_OUT/setup.txt"
run_way a "vmm-agent, DRAM limit $LIMIT_MIB MiB"
run_way b "kernel tiering (numa_balancing=2, demotion on, $LIMIT_MIB MiB of DRAM free)"
run_way c "no tiering"

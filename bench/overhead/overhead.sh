# Benchmark 4, overhead (a lab scenario; bench/overhead/run runs it).
# For two guest sizes, a test-guest domain whose working area fills its
# memory but the last 32 MiB (hot set 16 MiB, uniform), all of it first on
# the PMEM node, runs with vmm-agent attached (DRAM limit LIMIT_MIB):
#   - the agent's peak memory (VmHWM) and its CPU time per scan, over a
#     window after its first SETTLE_SCANS scans; the two sizes give the
#     per-GiB slope apart from the fixed cost (libraries, libvirt);
#   - on the larger guest only, the guest's own throughput (its "TG stats"
#     counts) in windows without the agent, with it, and without it again.
# Writes $LAB_OUT/<size>/figures.txt ("key value") for bench/overhead/summarize.py.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
source "$LAB_TOP/bench/lab-helpers.sh"

SIZES="256 768"		# guest MiB
THROUGHPUT_SIZE=768	# the size that also gets the with/without windows
HOT=4096
LIMIT_MIB=64
WINDOW=12		# seconds per measuring window
SETTLE_SCANS=5		# agent scans (attach and first moves) before its window
trap 'agent_stop; libvirt_logs' EXIT

# window NAME SECS: the guest's accesses per second over about SECS
# (between its stats lines, which come every 2 s).
window() {
	local a b
	a=$(last_stats "$1")
	sleep "$2"
	b=$(last_stats "$1")
	echo "$a $b" | awk '$3 > $1 { printf "%.0f\n", ($4 - $2) / ($3 - $1) }'
}

run_size() {
	local mib=$1 name=oh-$1 out=$LAB_OUT/$1 pid cold t0 t1 s0 s1 c0 c1 f
	mkdir -p "$out"
	f=$out/figures.txt
	cold=$(((mib - 32) * 256 - HOT))
	echo "=== guest $mib MiB: working area $((mib - 32)) MiB"
	pid=$(tg_domain_start "$name" "$mib" \
		"pattern=uniform hot=$HOT cold=$cold write=30 passes=0 report_secs=2")
	[ -n "$pid" ] || { fail "$mib MiB: domain $name did not start"; return 1; }
	pass "$mib MiB: domain $name started, QEMU pid $pid"
	t0=$SECONDS
	serial_wait "$name" "TG init" 300 ||
		{ fail "$mib MiB: the guest did not write its working area within 300 s"; return 1; }
	echo "the guest wrote its working area in about $((SECONDS - t0)) s"
	t0=$(date +%s.%N)
	migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
	echo "migratepages of the guest to PMEM: $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
	{
		echo "guest_mib $mib"
		echo "area_mib $((mib - 32))"
		echo "clk_tck $(getconf CLK_TCK)"
	} >"$f"
	[ "$mib" = "$THROUGHPUT_SIZE" ] && echo "off1_accesses_per_s $(window "$name" "$WINDOW")" >>"$f"

	agent_policy "$name" $LIMIT_MIB 1
	agent_start "$name"
	agent_wait "$name" ".counters.scans >= $SETTLE_SCANS" 180 ||
		{ fail "$mib MiB: vmm-agent did not make $SETTLE_SCANS scans within 180 s"; return 1; }
	s0=$(agent_stat "$name" .counters.scans)
	c0=$(proc_ticks "$AGENT_PID")
	t0=$(date +%s.%N)
	if [ "$mib" = "$THROUGHPUT_SIZE" ]; then
		echo "on_accesses_per_s $(window "$name" "$WINDOW")" >>"$f"
	else
		sleep "$WINDOW"
	fi
	s1=$(agent_stat "$name" .counters.scans)
	c1=$(proc_ticks "$AGENT_PID")
	t1=$(date +%s.%N)
	{
		echo "window_s $(awk "BEGIN { print $t1 - $t0 }")"
		echo "window_scans $((s1 - s0))"
		echo "window_agent_ticks $((c1 - c0))"
		awk '/^VmHWM/ { print "agent_hwm_kib", $2 } /^VmRSS/ { print "agent_rss_kib", $2 }' \
			"/proc/$AGENT_PID/status"
	} >>"$f"
	cp "$LAB_OUT/status/$name.json" "$out/status.json"
	vmm-agent status --status-dir "$LAB_OUT/status" "$name"
	agent_stop
	check "$mib MiB: vmm-agent exits cleanly on SIGTERM" test $? = 0
	[ "$mib" = "$THROUGHPUT_SIZE" ] && echo "off2_accesses_per_s $(window "$name" "$WINDOW")" >>"$f"
	cat "$f"
	check "$mib MiB: the agent scanned during the window ($((s1 - s0)) scans)" \
		test "$((s1 - s0))" -gt 0
	check "$mib MiB: the guest's integrity checks found no errors" \
		guest_clean "$LAB_OUT/$name.serial"
	virsh -q destroy "$name" >/dev/null
	virsh -q undefine "$name" >/dev/null
}

check "libvirtd started" libvirt_up || exit 1
echo "thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)" >"$LAB_OUT/setup.txt"
for mib in $SIZES; do
	run_size "$mib"
done

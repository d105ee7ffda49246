# Investigation, not in the test suite (README, "Known problems": L1
# dies now and then under the agent scenarios). Repeats the step of
# agent-lifecycle after which L1 died in a CI run: the domain destroyed
# and started again, and as soon as the new guest has written its area,
# all of it moved to the PMEM node (migratepages) while the guest runs.
# restart_rounds MODE N: N restarts, with MODE
#   agent    vmm-agent (enforce) attached all along: scans and moves back;
#   dry-run  vmm-agent in dry-run: scans every second, moves nothing;
#   bare     no agent, the module unloaded: migrations only.
# After each restart: the guest still reports and its checks are clean.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"

restart_rounds() {
	local mode=$1 n=$2 dom=tgr-$1 i pid a b
	trap "[ -e /proc/idle_pages ] || insmod '$LAB_MODULE'; agent_cleanup $dom" EXIT
	check "libvirtd started" libvirt_up || exit 1
	[ "$mode" = bare ] && rmmod idle_pages
	pid=$(tg_domain_start $dom 128 "pattern=uniform hot=2048 cold=4096 write=30 passes=0 report_secs=1")
	[ -n "$pid" ] || { fail "$mode: domain did not start"; return; }
	serial_wait $dom "TG init" 60
	if [ "$mode" != bare ]; then
		agent_policy $dom 16 1
		[ "$mode" = dry-run ] &&
			sed -i 's/"enforce"/"dry-run"/' "/etc/vmm-agent/$dom.json"
		agent_start $dom
		agent_wait $dom '.state == "running"' 20
	fi
	for i in $(seq "$n"); do
		echo "--- $(date +%T) $mode restart $i"
		tg_domain_destroy $dom $i
		pid=$(tg_domain_restart $dom) ||
			{ fail "$mode restart $i: no TG init within 60 s"; break; }
		migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
		a=$(grep -ac "TG stats" "$LAB_OUT/$dom.serial")
		sleep 6
		b=$(grep -ac "TG stats" "$LAB_OUT/$dom.serial")
		if [ "$b" -gt "$a" ]; then
			pass "$mode restart $i: the guest still reports after its move to PMEM ($a -> $b)"
		else
			fail "$mode restart $i: the guest stopped reporting after its move to PMEM ($a -> $b)"
			vm_stall_report "$pid"
			break
		fi
		check "$mode restart $i: no integrity error" guest_clean "$LAB_OUT/$dom.serial"
	done
	[ "$mode" != bare ] && tail -n 3 "$LAB_OUT/agent-$dom.log"
	return 0
}

# The agent outlives what happens around it: one vmm-agent on a libvirt
# domain of the test guest (hot set 8 MiB, scan every 1 s, DRAM limit
# 16 MiB) while
#  1. the domain is destroyed and started again: the agent detaches and
#     attaches to the new QEMU by itself (status attaches 1 -> 2);
#  2. libvirtd is stopped and started again: the agent shows the domain
#     "disconnected", reconnects (reconnects 0 -> 1) within 20 s, and
#     keeps the same QEMU (attaches stays 2);
#  3. the module is unloaded: at its next interval the agent logs that
#     /proc/idle_pages is gone because the module is not loaded and its
#     status carries that error, and it moves nothing meanwhile; loaded
#     again, it logs that tiering resumed and clears the error.
# After each event placement works again: the whole guest is put on the
# PMEM node (migratepages) and >= 99% of the hot set must be back in DRAM
# within 5 agent intervals. The guest's integrity checks must stay clean.
# (Waits are in wall time with room for a slow lab machine, at most 20 s.)
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
DOM=tg-life
trap '[ -e /proc/idle_pages ] || insmod "$LAB_MODULE"; agent_cleanup $DOM' EXIT

MEM_MIB=128
HOT=2048
COLD=4096
BASE=$((16 << 20))
LIMIT_MIB=16
PROMISE=5
LOG=$LAB_OUT/agent-$DOM.log
GUEST="pattern=uniform hot=$HOT cold=$COLD write=30 passes=0 report_secs=2"

# placement_back WHAT: everything to PMEM, then the hot set must return.
placement_back() {
	local out reached
	echo "  $(date +%T) everything to the PMEM node"
	migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
	out=$(dram_follow $DOM "$pid" $MEM_MIB $BASE $HOT $PROMISE)
	echo "$out" | grep -v '^reached'
	reached=$(echo "$out" | awk '/^reached/ { print $2 }')
	check "$1: 99% of the hot set back in DRAM within $PROMISE intervals (took $reached)" \
		test "$reached" != never -a "${reached/never/99}" -le $PROMISE ||
		vm_stall_report "$pid"
}

# log_wait REGEX SECS: waits for a line of the agent's log.
log_wait() {
	wait_for "$2" grep -sEq "$1" "$LOG"
}

check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start $DOM $MEM_MIB "$GUEST")
check "domain $DOM started, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
serial_wait $DOM "TG init" 60
agent_policy $DOM $LIMIT_MIB 1
agent_start $DOM
check "the agent attached (attaches 1)" \
	agent_wait $DOM '.counters.attaches == 1 and .state == "running"' 20
placement_back "first start"

echo "--- $(date +%T) 1. domain destroyed and started again"
tg_domain_destroy $DOM 1
check "the agent sees the domain stopped" agent_wait $DOM '.state == "stopped"' 10
old=$pid
pid=$(tg_domain_restart $DOM)
check "the domain runs again (TG init), a new QEMU pid ${pid:-none} (was $old)" \
	test -n "$pid" -a "$pid" != "$old"
check "the agent attached to the new QEMU by itself (attaches 2, pid $pid)" \
	agent_wait $DOM ".counters.attaches == 2 and .pid == $pid" 15
placement_back "after the domain's restart"

echo "--- $(date +%T) 2. libvirtd stopped and started again"
lpid=$(libvirtd_pid)
kill -TERM "$lpid"
check "the agent sees libvirt gone (state disconnected)" \
	agent_wait $DOM '.state == "disconnected"' 15
# The old daemon gone first: libvirt_up would take one that still answers
# for running, and a new one would find the pidfile locked.
check "libvirtd $lpid exited" wait_for 15 test ! -d "/proc/$lpid"
check "libvirtd started again" libvirt_up
t0=$SECONDS
check "the agent reconnected to the new libvirtd (reconnects 1)" \
	agent_wait $DOM '.counters.reconnects == 1 and .state == "running"' 20
echo "  reconnected $((SECONDS - t0)) s after libvirtd answered again"
check "the same QEMU stays attached (attaches 2)" \
	test "$(agent_stat $DOM .counters.attaches)" = 2
placement_back "after libvirtd's restart"

echo "--- $(date +%T) 3. the module unloaded and loaded again"
for _ in $(seq 20); do rmmod idle_pages 2>/dev/null && break; sleep 0.2; done
check "rmmod idle_pages" test ! -e /proc/idle_pages
check "the agent logs that the module is not loaded" \
	log_wait 'error: /proc/idle_pages does not exist: the idle_pages kernel module is not loaded' 10
check "the agent's status carries that error" \
	agent_wait $DOM '.last_error | test("module is not loaded")' 5
migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
sleep 3
n=$(in_dram "$pid" $MEM_MIB $BASE $HOT)
check "nothing promoted while the module is gone ($n hot pages in DRAM after 3 intervals)" \
	test "$n" -lt $((HOT / 100))
check "insmod $LAB_MODULE" insmod "$LAB_MODULE"
check "the agent logs that tiering resumed" log_wait 'scanning works again: tiering resumed' 10
check "the agent's status error is cleared" agent_wait $DOM '.last_error == ""' 5
placement_back "after the module came back"

vmm-agent status --status-dir "$LAB_OUT/status" $DOM | tee "$LAB_OUT/status.txt"
vmm-agent status --status-dir "$LAB_OUT/status" | tee "$LAB_OUT/status-all.txt"
check "the host's view lists the domain, running, with the scan mode" \
	grep -Eq "^$DOM +running +enforce +skim " "$LAB_OUT/status-all.txt"
check "the host's view ends with the totals of 1 domain" \
	grep -q '^host: 1 domain, ' "$LAB_OUT/status-all.txt"
check "vmm-agent exits cleanly on SIGTERM" agent_stop
check "the guest's integrity checks found no errors (first run)" \
	guest_clean "$LAB_OUT/$DOM.serial.1"
check "the guest's integrity checks found no errors (second run)" \
	guest_clean "$LAB_OUT/$DOM.serial"

# Soak: pages migrated back and forth under a guest that keeps writing
# and verifying its memory. The test guest runs pattern=phases with a
# 4 MiB hot window that moves every 2 s over a 16 MiB area (30 phases,
# 50% writes, a full verify pass at every phase change); vmm-agent scans
# every 0.5 s (hot = 2 of 3 scans, cold = 2 idle scans) with a 6 MiB DRAM
# limit (one window, not two), so each phase promotes the new window and
# demotes the old one. Transparent huge pages are off in L1 meanwhile, so
# that every move is a migration of a 4 KiB page (the other scenarios
# move 2 MiB THPs).
# Promised: at least 30000 page migrations (promoted + demoted, the
# agent's counters; about 1000 a phase on the 3-vCPU lab), zero integrity errors (every
# stats line, every verify pass, the final "TG done errors=0"), and no
# kernel warning (the runner checks the kernel log as well).
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
DOM=tg-soak
THP=/sys/kernel/mm/transparent_hugepage/enabled
thp_was=$(sed 's/.*\[\(.*\)\].*/\1/' $THP)
trap 'echo "$thp_was" >$THP; agent_cleanup $DOM' EXIT

MEM_MIB=128
HOT=1024
PHASES=40
LIMIT_MIB=6
MIN_MOVES=30000

echo never >$THP
dmesg_before=$(dmesg | wc -l)
check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start $DOM $MEM_MIB \
	"pattern=phases hot=$HOT cold=$((HOT * 3)) write=50 phases=$PHASES phase_secs=2 report_secs=5")
check "domain $DOM started, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
serial_wait $DOM "TG init" 60
agent_policy $DOM $LIMIT_MIB 0.5 2 3 2
agent_start $DOM
check "the guest ran its $PHASES phases to the end" \
	serial_wait $DOM "TG done" $((PHASES * 2 + 30))
sleep 1
vmm-agent status --status-dir "$LAB_OUT/status" $DOM | tee "$LAB_OUT/status.txt"
check "vmm-agent exits cleanly on SIGTERM" agent_stop

moved=$(agent_stat $DOM '.counters.promoted_pages + .counters.demoted_pages')
check "at least $MIN_MOVES page migrations ($(agent_stat $DOM .counters.promoted_pages) promoted + $(agent_stat $DOM .counters.demoted_pages) demoted)" \
	test "${moved:-0}" -ge $MIN_MOVES
verified=$(grep -c '^TG verify ok' "$LAB_OUT/$DOM.serial")
check "the guest's integrity checks found no errors (stats, $verified verify passes)" \
	guest_clean "$LAB_OUT/$DOM.serial"
check "the guest ended with TG done errors=0" grep -q '^TG done errors=0$' "$LAB_OUT/$DOM.serial"
check "a verify pass at every phase change and at the end ($verified of $PHASES)" \
	test "$verified" -ge $PHASES
dmesg | tail -n +$((dmesg_before + 1)) >"$LAB_OUT/dmesg"
check "no kernel warning during the soak" \
	bash -c "! grep -Ff '$LAB_TOP/tests/lab/kernel-splats' '$LAB_OUT/dmesg'"

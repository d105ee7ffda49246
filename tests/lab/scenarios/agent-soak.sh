# Soak: pages migrated back and forth under a guest that keeps writing
# and verifying its memory. The test guest runs pattern=phases with a
# 4 MiB hot window that moves every 2 s over a 16 MiB area (phases until
# the domain is destroyed, 50% writes, a full verify pass at every phase
# change); vmm-agent scans every 0.5 s (hot = 2 of 3 scans, cold = 2 idle
# scans) with a 6 MiB DRAM limit (one window, not two), so each phase
# promotes the new window and demotes the old one. Transparent huge pages
# are off in L1 meanwhile, so that every move is a migration of a 4 KiB
# page (the other scenarios move 2 MiB THPs).
# The soak lasts until the agent's counters reach the promise (about 1000
# migrations a phase on the 3-vCPU lab, so about 60-80 s), not a fixed
# number of phases, so a slower machine takes longer rather than failing;
# MAX_SECS bounds it.
# Promised: at least 30000 page migrations (promoted + demoted, the
# agent's counters), zero integrity errors (every stats line, every verify
# pass, two whole-area verify passes after the agent stopped: the second
# began after the last migration), and no kernel warning (the runner
# checks the kernel log as well).
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
DOM=tg-soak
THP=/sys/kernel/mm/transparent_hugepage/enabled
thp_was=$(sed 's/.*\[\(.*\)\].*/\1/' $THP)
trap 'echo "$thp_was" >$THP; agent_cleanup $DOM' EXIT

MEM_MIB=128
HOT=1024
LIMIT_MIB=6
MIN_MOVES=30000
MAX_SECS=300

# verify_passes: the guest's whole-area verify passes so far.
verify_passes() {
	grep -c '^TG verify ok' "$LAB_OUT/$DOM.serial"
}
# verify_passes_above N: more than N passes.
verify_passes_above() {
	[ "$(verify_passes)" -gt "$1" ]
}

echo never >$THP
dmesg_before=$(dmesg | wc -l)
check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start $DOM $MEM_MIB \
	"pattern=phases hot=$HOT cold=$((HOT * 3)) write=50 phases=0 phase_secs=2 report_secs=5")
check "domain $DOM started, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
serial_wait $DOM "TG init" 60
agent_policy $DOM $LIMIT_MIB 0.5 2 3 2
agent_start $DOM
started=$SECONDS
agent_wait $DOM "(.counters.promoted_pages + .counters.demoted_pages) >= $MIN_MOVES" $MAX_SECS
secs=$((SECONDS - started))
vmm-agent status --status-dir "$LAB_OUT/status" $DOM | tee "$LAB_OUT/status.txt"
check "vmm-agent exits cleanly on SIGTERM" agent_stop

moved=$(agent_stat $DOM '.counters.promoted_pages + .counters.demoted_pages')
check "at least $MIN_MOVES page migrations within $MAX_SECS s ($(agent_stat $DOM .counters.promoted_pages) promoted + $(agent_stat $DOM .counters.demoted_pages) demoted in $secs s)" \
	test "${moved:-0}" -ge $MIN_MOVES
# The first pass to end may have begun while pages still moved; the
# second began after it, with the agent gone.
after=$(verify_passes)
check "two whole-area verify passes after the agent stopped" \
	wait_for 30 verify_passes_above $((after + 1))
phases=$(grep -c '^TG phase ' "$LAB_OUT/$DOM.serial")
verified=$(verify_passes)
check "the guest's integrity checks found no errors (stats, $verified verify passes)" \
	guest_clean "$LAB_OUT/$DOM.serial"
check "a verify pass at every phase change ($verified for $phases phases)" \
	test "$verified" -ge $((phases - 1))
dmesg | tail -n +$((dmesg_before + 1)) >"$LAB_OUT/dmesg"
check "no kernel warning during the soak" \
	bash -c "! grep -Ff '$LAB_TOP/tests/lab/kernel-splats' '$LAB_OUT/dmesg'"

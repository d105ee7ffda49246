# Investigation, not in the test suite (README, "Known problems": L1
# dies now and then while nested guests' memory changes under it).
# A libvirt test-guest domain (THP-backed, running) is migrated between
# the nodes with migratepages, 8 times per domain, 3 domains in turn,
# with the module unloaded (migrate-noscan.sh) or with a reader scanning
# the QEMU process all along (migrate-scan.sh). Run both in one boot:
#   tests/lab/run --timeout 400 tests/lab/investigations/migrate-noscan.sh \
#       tests/lab/investigations/migrate-scan.sh
# 2026-11-22, QEMU 10.0 as L0: both passed (3 of 3 domains each, 14 checks).

# migrate_rounds SCAN: the 3 domains; with SCAN=1 a reader scans all along.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
migrate_rounds() {
	local scan=$1 round pid i n m dom rd
	check "libvirtd started" libvirt_up || exit 1
	for round in 1 2 3; do
		dom=tgm$scan$round
		pid=$(tg_domain_start $dom 128 "pattern=uniform hot=2048 cold=4096 write=30 passes=0 report_secs=2")
		[ -n "$pid" ] || { fail "round $round: domain did not start"; continue; }
		serial_wait $dom "TG init" 60
		rd=
		if [ "$scan" = 1 ]; then
			scan_loop $round "$pid" >"$LAB_OUT/reader$round.out" &
			rd=$!
		fi
		for i in 1 2 3 4; do
			migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
			sleep 2
			migratepages "$pid" "$LAB_PMEM_NODE" "$LAB_DRAM_NODE"
			sleep 2
		done
		n=$(grep -ac "TG stats" "$LAB_OUT/$dom.serial")
		sleep 5
		m=$(grep -ac "TG stats" "$LAB_OUT/$dom.serial")
		check "scan=$scan round $round: the guest still reports after 8 migrations ($n -> $m)" test "$m" -gt "$n"
		check "scan=$scan round $round: no integrity error" guest_clean "$LAB_OUT/$dom.serial"
		virsh -q destroy $dom >/dev/null 2>&1
		[ -n "$rd" ] && { wait $rd; cat "$LAB_OUT/reader$round.out"; }
		sleep 2
	done
}

# Investigation, not in the test suite (README, "Known problems"). A
# libvirt test-guest domain that ends its run: the guest writes its exit
# value to port 0xf4 (no device there under libvirt) and halts with
# interrupts off. Run 20261122-222945 saw L1 reset (no triple fault; CPU 0
# just out of the nested guest) about when tool-heatmap's guest ended.
# Three rounds each: module loaded, no scans; a reader scanning the guest
# while it ends; the module unloaded.
#   tests/lab/run --timeout 400 tests/lab/investigations/guest-end.sh
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
trap '[ -e /proc/idle_pages ] || insmod "$LAB_MODULE"; agent_cleanup tgend' EXIT

check "libvirtd started" libvirt_up || exit 1
for round in 1 2 3 4 5 6 7 8 9; do
	case $round in
	1 | 2 | 3) how="no scans" ;;
	4 | 5 | 6) how="a reader scanning" ;;
	7) how="module unloaded"; rmmod idle_pages ;;
	esac
	echo "--- $(date +%T) round $round: $how"
	virsh -q destroy tgend >/dev/null 2>&1
	virsh -q undefine tgend >/dev/null 2>&1
	pid=$(tg_domain_start tgend 128 "pattern=uniform hot=2048 cold=4096 write=30 secs=4 report_secs=1")
	[ -n "$pid" ] || { fail "round $round: domain did not start"; continue; }
	rd=
	if [ "$how" = "a reader scanning" ]; then
		scan_loop $round "$pid" >"$LAB_OUT/reader$round.out" &
		rd=$!
	fi
	check "round $round ($how): the guest ended its run (TG done)" \
		serial_wait tgend "TG done" 60
	sleep 8
	pass "round $round ($how): L1 still runs 8 s after the guest halted"
	virsh -q destroy tgend >/dev/null 2>&1
	[ -n "$rd" ] && { wait $rd; cat "$LAB_OUT/reader$round.out"; }
	cp "$LAB_OUT/tgend.serial" "$LAB_OUT/tgend.serial.$round" 2>/dev/null
done

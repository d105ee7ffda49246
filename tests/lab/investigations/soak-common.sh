# Investigation, not in the test suite (README, "Known problems": L1 used
# to triple-fault here in minutes, from a QEMU race on CPU 0 that the lab
# now avoids; with LAB_KERNEL_ARGS=transparent_hugepage=never it was the
# fastest reproducer). The same churn for a fixed time with scans (soak-scan.sh:
# two readers scan the guests all along) or with the module unloaded
# (soak-noscan.sh), to tell whether the module's scans are needed:
# two libvirt test-guest domains (phases pattern, 30% writes) restarted
# in turn every 30 s, each guest's memory migrated between the nodes
# every 4 s. Both in one boot:
#   tests/lab/run --timeout 1500 tests/lab/investigations/soak-noscan.sh \
#       tests/lab/investigations/soak-scan.sh
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"

GUEST="pattern=phases hot=2048 cold=6144 phases=0 phase_secs=5 write=30 report_secs=2"

# soak SCAN SECS: SCAN=1 keeps a reader on each guest.
soak() {
	local scan=$1 secs=$2 d n=0 moves=0 restarts=0 end pid to from
	local -A qpid reader
	trap "[ -e /proc/idle_pages ] || insmod '$LAB_MODULE'; agent_cleanup sk${scan}a sk${scan}b" EXIT
	check "libvirtd started" libvirt_up || exit 1
	[ "$scan" = 0 ] && rmmod idle_pages
	for d in sk${scan}a sk${scan}b; do
		qpid[$d]=$(tg_domain_start $d 128 "$GUEST")
		check "domain $d started" test -n "${qpid[$d]}" || exit 1
		serial_wait $d "TG init" 60
	done
	end=$((SECONDS + secs))
	while [ $SECONDS -lt $end ]; do
		for d in sk${scan}a sk${scan}b; do
			pid=${qpid[$d]}
			if [ "$scan" = 1 ] && ! kill -0 "${reader[$d]:-0}" 2>/dev/null; then
				scan_loop "$d" "$pid" >>"$LAB_OUT/reader-$d.out" &
				reader[$d]=$!
			fi
			if [ $((n % 2)) = 0 ]; then to=$LAB_PMEM_NODE from=$LAB_DRAM_NODE
			else to=$LAB_DRAM_NODE from=$LAB_PMEM_NODE; fi
			migratepages "$pid" "$from" "$to" && moves=$((moves + 1))
		done
		n=$((n + 1))
		sleep 4
		# every 30 s one of the two is destroyed and started again
		if [ $((n % 7)) = 0 ]; then
			d=sk${scan}$([ $((n / 7 % 2)) = 0 ] && echo a || echo b)
			check "$d: integrity clean before its restart" guest_clean "$LAB_OUT/$d.serial"
			tg_domain_destroy $d $n
			qpid[$d]=$(tg_domain_restart $d) || { fail "$d: no TG init after restart"; break; }
			restarts=$((restarts + 1))
		fi
	done
	for d in sk${scan}a sk${scan}b; do
		check "$d: integrity clean at the end" guest_clean "$LAB_OUT/$d.serial"
	done
	pass "scan=$scan: $secs s of churn, $moves whole-guest migrations, $restarts restarts, L1 alive"
}

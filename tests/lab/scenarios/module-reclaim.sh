# Host reclaim sees what a scan saw: a guest page that the scan found
# accessed (and whose young bit it cleared) must still look used to the
# host's reclaim. The same guest runs twice, each in a memory cgroup of
# its own with zram swap: its hot set is touched once before each forced
# reclaim (memory.reclaim), once with nothing scanning it and once with a
# full idle_pages scan between the touch and the reclaim. The scanned
# run may not lose more of its hot set to swap than the unscanned one.
#
# Both runs start from the same known state, after step 1 wrote every
# page: one scan ages the accessed bits KVM set when it faulted each page
# in, then process_madvise(MADV_COLD) puts every page on the inactive
# list, unreferenced (page-state --deactivate). The hot set, written
# first, is then the oldest there: only its being referenced keeps it
# from reclaim. Anonymous reclaim ignores PG_referenced without a young
# bit (folio_check_references()), so a page the scan found accessed must
# come out of the scan active: checked page by page (page-state, from
# /proc/kpageflags) right after each scan, and by the swap counts.
#
# That is the classic LRU's rule. The multi-gen LRU (on by default in
# Debian's 6.12 and 7.x kernels) keeps no PG_active, and in this setup it
# swapped the whole hot set with or without scans (7.3.4: 2048/4096 hot
# pages both ways): it does not look at the VM's accessed bits here, so
# scans can neither help nor harm. The scenario runs with it switched
# off, so the module's part is measured on every kernel.
source "$LAB_TOP/tests/lab/lib.sh"
lru_gen=/sys/kernel/mm/lru_gen/enabled
if [ -e $lru_gen ]; then
	lru_gen_was=$(cat $lru_gen)
	trap 'echo "$lru_gen_was" >$lru_gen' EXIT
	echo n >$lru_gen
	check "the multi-gen LRU is off for this scenario (was $lru_gen_was)" \
		test "$(cat $lru_gen)" = 0x0000
fi

rounds=2
reclaim=16M	# per round; the rounds stay below the cold set (56 MiB)
hot=0-2047	# 8 MiB, written first, so the oldest on the LRU
area=0-16383	# 64 MiB

check "zram swap of 256 MiB is on" eval '
	modprobe zram num_devices=1 &&
	echo 256M >/sys/block/zram0/disksize &&
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0' || exit 1
cg=/sys/fs/cgroup
mountpoint -q $cg || mount -t cgroup2 cgroup2 $cg
echo +memory >$cg/cgroup.subtree_control

# run NAME SCAN: the guest in cgroup NAME; SCAN=1 scans before each
# reclaim. Prints "hot S/N cold S/N" at the end (page-state).
run() {
	local name=$1 scan=$2 rep=$LAB_OUT/$1.report pid i
	mkdir -p "$cg/$name"
	(echo "$BASHPID" >"$cg/$name/cgroup.procs" &&
	 exec tg-launch --mem 128M --backing 4k --report "$rep" --timeout 250 \
		"$LAB_GUEST_ELF" pattern=touch touch="$area" touch2="$hot" \
		write=50 passes=$((rounds + 2))) >"$LAB_OUT/$name.serial" 2>&1 &
	pid=$!
	wait_stopped "$pid" 120 || { fail "$name: guest reached step 1"; return 1; }
	idle-pages dump -q "$pid" >/dev/null && page-state --deactivate "$rep" ||
		{ fail "$name: the known start state"; return 1; }
	echo "$name at the start: $(page-state "$rep")"
	for ((i = 1; i <= rounds; i++)); do
		kill -CONT "$pid"
		wait_stopped "$pid" 120 || { fail "$name: guest reached step $((i + 1))"; return 1; }
		if [ "$scan" = 1 ]; then
			idle-pages dump -q "$pid" >/dev/null ||
				{ fail "$name: scan $i"; return 1; }
			page-state "$rep" >"$LAB_OUT/$name.scanned$i"
			# up to 15 a CPU may still wait in the activation batch
			read -r _ _ _ _ _ act <"$LAB_OUT/$name.scanned$i"
			check "$name round $i: the hot pages the scan found accessed are active on the LRU ($act)" \
				test $(( ${act%%/*} + 64 )) -ge "${act#*/}"
		fi
		echo "$reclaim" >"$cg/$name/memory.reclaim" 2>/dev/null
		page-state "$rep" >"$LAB_OUT/$name.round$i"
		echo "$name round $i: $(cat "$LAB_OUT/$name.round$i")"
	done
	# hot pages swapped, summed over the rounds; cold after the last
	awk '{ split($2, h, "/"); n += h[1]; t += h[2]; c = $4 }
	     END { print "hot", n "/" t, "cold", c }' \
		"$LAB_OUT/$name".round* >"$LAB_OUT/$name.swapped"
	kill -CONT "$pid"
	kill "$pid"
	wait "$pid" 2>/dev/null
	rmdir "$cg/$name"
}

run noscan 0 || exit 1
run scan 1 || exit 1
swapoff /dev/zram0
read -r _ ns _ nc <"$LAB_OUT/noscan.swapped"
read -r _ ss _ sc <"$LAB_OUT/scan.swapped"
echo "hot pages swapped: $ns without scans, $ss with; cold: $nc and $sc"
check "reclaim swapped cold guest pages in both runs ($nc, $sc)" \
	test "${nc%%/*}" -gt 0 -a "${sc%%/*}" -gt 0
# Allowed: 1% of the hot set more than without scans.
tol=$(( ${ss#*/} / 100 / rounds ))
check "scanning did not make the hot set go to swap sooner (hot swapped: $ss with scans, $ns without)" \
	test "${ss%%/*}" -le $(( ${ns%%/*} + tol ))

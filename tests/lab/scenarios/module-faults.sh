# The module under faults: two readers scanning one VM at once while the
# VM is killed mid-scan, the module unloaded while a file is open, scans
# running while KVM's dirty logging is on (the dirty log must still hold
# every page the guest wrote), and two readers scanning while the VMM
# adds and removes a memslot every 20 ms (the guest's pages must stay
# intact).
# Each must end in a clean error to the reader; the lab runner fails the
# run on any kernel warning.
source "$LAB_TOP/tests/lab/lib.sh"

tg-launch --mem 256M --backing 4k --no-stop --timeout 200 "$LAB_GUEST_ELF" \
	pattern=uniform hot=16M cold=32M write=50 passes=0 \
	>"$LAB_OUT/guest.serial" 2>&1 &
vm=$!
check "the guest wrote its area (TG init)" wait_for 60 grep -q "TG init" "$LAB_OUT/guest.serial"

scan_loop 1 "$vm" >"$LAB_OUT/reader1.out" &
r1=$!
scan_loop 2 "$vm" >"$LAB_OUT/reader2.out" &
r2=$!
# Kill the VM while both readers are in the middle of their scans: after
# each has finished two (a busy host makes scans slow, so wait for them).
for _ in $(seq 600); do
	[ "$(scans_done 1)" -ge 2 ] && [ "$(scans_done 2)" -ge 2 ] && break
	sleep 0.1
done
kill -9 "$vm"
wait "$vm" 2>/dev/null
wait "$r1" "$r2"
cat "$LAB_OUT/reader1.out" "$LAB_OUT/reader2.out"
for r in 1 2; do
	n=$(sed -n 's/.*: \([0-9]*\) full scans.*/\1/p' "$LAB_OUT/reader$r.out")
	check "reader $r scanned the running VM concurrently ($n rounds)" \
		test "${n:-0}" -gt 0
	check "reader $r got a clean error once the VM was gone" \
		grep -Eqi "no such process|not found|exited" "$LAB_OUT/reader$r.err"
done

echo "== module unload with a file open"
sleep 1000 &
target=$!
hold-open "$target" >"$LAB_OUT/hold.out" 2>&1 &
holder=$!
check "a reader holds the file open with a target set" \
	wait_for 30 grep -q ready "$LAB_OUT/hold.out"
check "rmmod idle_pages succeeds with the file open" rmmod idle_pages
check "/proc/idle_pages is gone" test ! -e /proc/idle_pages
kill -USR1 "$holder"
wait "$holder"
cat "$LAB_OUT/hold.out"
check "the open file's next read fails cleanly" \
	grep -q "read after unload: -1" "$LAB_OUT/hold.out"
check "insmod again works" insmod "$LAB_MODULE"
check "/proc/idle_pages is back" test -e /proc/idle_pages
kill "$target"

echo "== dirty logging on while scans run: the dirty log keeps every write"
tg-launch --mem 64M --backing 4k --dirty-log --no-stop --timeout 200 \
	"$LAB_GUEST_ELF" pattern=touch touch=0-255 write=50 passes=150 \
	>"$LAB_OUT/dirty.serial" 2>"$LAB_OUT/dirty.err" &
vm=$!
# scans of a VM, not of the launcher before it made one
wait_for 60 grep -q "TG start" "$LAB_OUT/dirty.serial"
scan_loop 3 "$vm" >"$LAB_OUT/reader3.out" &
wait "$vm"
rc=$?
wait
cat "$LAB_OUT/reader3.out"
tail -n 2 "$LAB_OUT/dirty.err"
check "scans ran while the guest wrote with dirty logging on" \
	grep -Eq "reader 3: [1-9][0-9]* full scans" "$LAB_OUT/reader3.out"
check "KVM's dirty log held every page the guest wrote (tg-launch exit $rc)" \
	grep -q "dirty log ok" "$LAB_OUT/dirty.err"


echo "== memslots added and removed every 20 ms while two readers scan"
tg-launch --mem 64M --backing 4k --slot-churn 20 --no-stop --timeout 200 \
	"$LAB_GUEST_ELF" pattern=touch touch=0-255 write=50 passes=150 \
	>"$LAB_OUT/churn.serial" 2>"$LAB_OUT/churn.err" &
vm=$!
wait_for 60 grep -q "TG start" "$LAB_OUT/churn.serial"
scan_loop 4 "$vm" >"$LAB_OUT/reader4.out" &
scan_loop 5 "$vm" >"$LAB_OUT/reader5.out" &
wait "$vm"
rc=$?
wait
cat "$LAB_OUT/reader4.out" "$LAB_OUT/reader5.out"
tail -n 1 "$LAB_OUT/churn.err"
check "memslots changed during the run" \
	grep -Eq "slot churn: [1-9][0-9]* memslot changes" "$LAB_OUT/churn.err"
for r in 4 5; do
	check "reader $r scanned through the memslot churn" \
		grep -Eq "reader $r: [1-9][0-9]* full scans" "$LAB_OUT/reader$r.out"
done
check "the guest ran to its end through the churn, its pages intact (exit $rc)" \
	test "$rc" = 0

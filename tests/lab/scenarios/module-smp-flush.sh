# The TLB flush across CPUs: the test guest runs without stopping on one
# CPU, touching the same pages over and over, while scans of it run on
# another CPU. Every scan after the first must report exactly the guest's
# page set accessed, and each scan's TLB flush request must reach the
# vCPU on the other CPU and be served there (KVM's debugfs tlb_flush).
# The emulators under the labs flush their TLBs at every VM entry, so
# there a missing flush shows in KVM's count, not as missed pages: with
# the module's flush taken out, all 250 pages were still reported in
# every scan, and tlb_flush stayed 0 (Bochs, EPT).
source "$LAB_TOP/tests/lab/lib.sh"
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug

# two CPUs of the scenario's: the scanner on the first, the guest on the
# last ("0-1", "1-2", "1-3", ...)
scan_cpu=${LAB_NESTED_CPUS%%-*}
guest_cpu=${LAB_NESTED_CPUS##*-}
check "two CPUs for the scenario ($LAB_NESTED_CPUS)" test "$scan_cpu" != "$guest_cpu" ||
	exit 1

rep=$LAB_OUT/smp.report
# step 1 writes the set, every later step touches it again, for 20 s of
# the guest's time (passes=0: no other end); the report is the same at
# every step. The guest prints a line a step: its serial output stays in
# /tmp, and its last lines are kept.
serial=/tmp/smp-$$.serial
taskset -c "$guest_cpu" tg-launch --mem 64M --backing 4k --report "$rep" \
	--no-stop --timeout 280 "$LAB_GUEST_ELF" pattern=touch \
	touch="0-63,512-575,4000-4095" write=50 passes=0 secs=20 \
	>"$serial" 2>&1 &
pid=$!
check "the guest runs its steps" wait_for 60 test -s "$rep" || exit 1

stat_dir=$(ls -d /sys/kernel/debug/kvm/"$pid"-* 2>/dev/null | head -n1)
served() { cat "$stat_dir/tlb_flush" 2>/dev/null || echo 0; }
flushes0=$(served)
# the first scan clears what the guest's start left accessed
taskset -c "$scan_cpu" scan-check "$rep" >"$LAB_OUT/scan-0.log" 2>&1
for i in 1 2 3 4 5 6; do
	sleep 1
	echo "-- scan $i on CPU $scan_cpu, the guest running on CPU $guest_cpu"
	taskset -c "$scan_cpu" scan-check "$rep"
done
flushes=$(($(served) - flushes0))
check "the vCPU served the scans' TLB flushes ($flushes)" test "$flushes" -ge 6
check "the guest ran on CPU $guest_cpu throughout" \
	grep -q "^Cpus_allowed_list:[[:space:]]*$guest_cpu\$" "/proc/$pid/status"
check "the guest was still running at the last scan" kill -0 "$pid"
wait "$pid"
tail -n 5 "$serial" >"$LAB_OUT/smp.serial"
rm -f "$serial"
check "smp: guest finished with its integrity check passed" \
	grep -q "TG done errors=0" "$LAB_OUT/smp.serial"

# The module's read window and its TLB flush per round.
# Window: a read of COUNT bytes at position P scans at most COUNT * 8
# pages from P; a reader that walks /proc/PID/maps VMA by VMA with
# 4096-byte reads (128 MiB windows) and drops records past the VMA it
# asked about (as tools for the original interface do) must still find
# the accessed pages of guest memory / a process's mapping, on both
# sides of its first 128 MiB (vma-reader), and a read whose window ends
# below them must leave their accessed bits set (window-read, then a
# full scan-check).
# Flush: each round that cleared accessed bits ends (by a seek back,
# SET_PID or close) with exactly one TLB flush request, in huge-only mode
# too, where only 2 MiB entries' bits are cleared, and the guest's vCPU
# serves it when it runs again (flush-check: counted by the module's
# GET_INFO and by KVM's debugfs tlb_flush).
source "$LAB_TOP/tests/lab/lib.sh"
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug

# start_guest NAME MEM PASSES TOUCH: the test guest, stopped at step 1.
start_guest() {
	rep=$LAB_OUT/$1.report
	tg-launch --mem "$2" --backing 4k --report "$rep" --timeout 200 \
		"$LAB_GUEST_ELF" pattern=touch touch="$4" write=50 \
		passes="$3" >"$LAB_OUT/$1.serial" 2>&1 &
	pid=$!
	wait_stopped "$pid" 120 || { fail "$1: guest reached step 1"; exit 1; }
}

# Guest memory starts at GPA 0, the set at 16 MiB: relative pages
# 1000-3047 lie below GPA 128 MiB (page 32768 - 4096), 30000-32047 above.
echo "== VM: 256 MiB of 4 KiB-mapped guest memory, 4096 pages around 128 MiB"
start_guest window 256M 2 "1000-3047,30000-32047"
cat "/proc/$pid/maps" >"$LAB_OUT/window.maps"
echo "-- step 1: VMA by VMA, 4096-byte reads"
vma-reader "$rep"
guest_next_step window "$pid"
echo "-- step 2: one read whose window ends below guest memory, then a full scan"
window-read "$rep"
scan-check "$rep"
guest_finish window "$pid"

# touch-proc's step-1 report lists 57344 pages in 8192 ranges, more than
# report.c reads in a line: step 1 is cleared by a plain full scan, and
# the checks run at step 2 (one process each, as both need its bits).
# run_proc NAME: touch-proc with a 256 MiB mapping, stopped at step 2.
run_proc() {
	rep=$LAB_OUT/$1.report
	touch-proc "$rep" 65536 "1000-2999,40000-41999" &
	pid=$!
	wait_stopped "$pid" 120 || { fail "$1: touch-proc reached step 1"; exit 1; }
	idle-pages dump -q "$pid" >/dev/null || fail "$1: full scan at step 1"
	kill -CONT "$pid"
	wait_stopped "$pid" || { fail "$1: touch-proc reached step 2"; exit 1; }
}
end_proc() {
	kill -CONT "$pid"
	wait "$pid"
	check "$1: touch-proc exited cleanly" test $? = 0
}

echo "== process: 256 MiB mapping, 4000 pages around 128 MiB, at step 2"
run_proc procwalk
cat "/proc/$pid/maps" >"$LAB_OUT/procwalk.maps"
echo "-- VMA by VMA, 4096-byte reads"
vma-reader "$rep"
end_proc procwalk
run_proc procwindow
echo "-- one read whose window ends below the mapping, then a full scan"
window-read "$rep"
scan-check "$rep"
end_proc procwindow

echo "== TLB flush per round: 128 MiB guest, 128 hot pages, 1024-byte reads"
start_guest flush 128M 7 "0-63,1024-1087"
echo "-- huge-only mode (only 2 MiB entries' bits cleared), round 1 ended by close, steps 1-3"
flush-check --mode huge "$rep"
guest_next_step flush "$pid"
echo "-- normal mode, round 1 ended by a seek back, round 2 by SET_PID, steps 4-7"
flush-check --mode normal --end set-pid "$rep"
guest_finish flush "$pid"

# Helpers for lab scenarios: source "$LAB_TOP/tests/lab/lib.sh".

# pass/fail WHAT: one check line, counted by the lab runner.
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
# check WHAT CMD...: runs CMD, PASS if it succeeds; returns its verdict,
# so that `check ... || exit 1` stops a scenario at a failed prerequisite.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; return 1; fi
}

# wait_for SECS CMD...: runs CMD every 0.2 s until it succeeds; 1 if it
# did not within SECS (of wall time: commands are slow under TCG).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# off_cpu0 PID: every thread of PID may run only on $LAB_NESTED_CPUS, never
# on CPU 0 (tests/lab/l1-init says why); names an offending thread.
off_cpu0() {
	local t cpus
	for t in /proc/"$1"/task/*; do
		cpus=$(awk '/^Cpus_allowed_list:/ { print $2 }' "$t/status" 2>/dev/null) || continue
		[ -z "$cpus" ] || [ "$cpus" = "$LAB_NESTED_CPUS" ] && continue
		echo "thread ${t##*/} of $1 may run on CPUs $cpus" >&2
		return 1
	done
}

# wait_stopped PID [SECS]: waits until PID is stopped (SIGSTOP at a step)
# or gone; returns 1 if it exited or the time ran out.
wait_stopped() {
	local pid=$1 secs=${2:-60} i state
	for ((i = 0; i < secs * 10; i++)); do
		[ -d "/proc/$pid" ] || return 1
		state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
		[ "$state" = T ] && return 0
		sleep 0.1
	done
	return 1
}

# guest_next_step NAME PID: lets test guest NAME (tg-launch, stopped at a
# step) run to its next step; ends the scenario if it does not get there.
guest_next_step() {
	kill -CONT "$2"
	wait_stopped "$2" || { fail "$1: guest reached the next step"; exit 1; }
}
# guest_finish NAME PID: lets it run to its end, and checks that its
# integrity check passed (its serial output is $LAB_OUT/NAME.serial).
guest_finish() {
	kill -CONT "$2"
	wait "$2"
	check "$1: guest finished with its integrity check passed" \
		grep -q "TG done errors=0" "$LAB_OUT/$1.serial"
}

# scan_loop N TARGET: full scans of TARGET (a pid) through idle-pages until
# one fails; prints "reader N: K full scans, then: <last error>". Each
# finished scan is counted in $LAB_OUT/reader<N>.count (see scans_done).
scan_loop() {
	local i=0
	while idle-pages dump -q "$2" >/dev/null 2>"$LAB_OUT/reader$1.err"; do
		i=$((i + 1))
		echo "$i" >"$LAB_OUT/reader$1.count"
	done
	echo "reader $1: $i full scans, then: $(tail -n1 "$LAB_OUT/reader$1.err")"
}
# scans_done N: how many scans reader N has finished.
scans_done() { cat "$LAB_OUT/reader$1.count" 2>/dev/null || echo 0; }

# kvm_stats DIR: "name value" of each statistic of a VM's KVM debugfs DIR.
kvm_stats() {
	local f
	for f in "$1"/*; do
		[ -f "$f" ] && echo "${f##*/} $(cat "$f" 2>/dev/null)"
	done
}

# vm_stall_report PID: what a VM's process is doing, for a scenario that
# finds its guest stopped: every thread's state, CPU time and kernel
# stack; KVM's statistics for the VM (debugfs) over 2 s; 1 s of KVM's
# exit and page-fault trace events. Prints to stdout (the scenario's log).
vm_stall_report() {
	local pid=$1 t d f s0
	echo "=== stall report, QEMU pid $pid, $(date +%T)"
	for t in /proc/"$pid"/task/*; do
		# fields after "pid (comm) ": the comm may hold spaces ("CPU 0/KVM")
		echo "--- thread ${t##*/} $(cat "$t/comm" 2>/dev/null):" \
			"$(sed 's/.*) //' "$t/stat" 2>/dev/null |
			   awk '{ print "state", $1, "utime", $12, "stime", $13 }')"
		sed 's/^/    /' "$t/stack" 2>/dev/null | head -n 12
	done
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	d=$(ls -d /sys/kernel/debug/kvm/"$pid"-* 2>/dev/null | head -n1)
	if [ -n "$d" ]; then
		s0=$(kvm_stats "$d")
		sleep 2
		echo "--- KVM statistics that changed in 2 s ($d):"
		join <(echo "$s0") <(kvm_stats "$d") |
			awk '$2 ~ /^[0-9]+$/ && $3 != $2 { printf "    %s %d -> %d (+%d)\n", $1, $2, $3, $3 - $2 }'
	else
		echo "--- no KVM debugfs directory for pid $pid"
	fi
	t=/sys/kernel/tracing
	mountpoint -q $t || mount -t tracefs tracefs $t 2>/dev/null
	if [ -w $t/trace ]; then
		: >$t/trace
		echo 1 >$t/tracing_on
		for f in kvm:kvm_exit kvm:kvm_page_fault kvm:kvm_nested_vmexit \
			 kvmmmu:kvm_mmu_spte_requested kvmmmu:kvm_tdp_mmu_spte_changed \
			 kvmmmu:fast_page_fault; do
			echo "$f" >>$t/set_event 2>/dev/null ||
				echo "--- no trace event $f"
		done
		echo "--- tracing: $(wc -l <$t/set_event) events set, tracing_on $(cat $t/tracing_on), buffer $(cat $t/buffer_size_kb) KiB/CPU"
		sleep 1
		echo 0 >$t/tracing_on
		: >$t/set_event
		echo "--- 1 s of KVM trace events: $(grep -vc '^#' $t/trace) lines; the first 40:"
		grep -v '^#' $t/trace | head -n 40 | sed 's/^/    /'
		echo "--- event counts:"
		grep -v '^#' $t/trace | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[a-z_]+:$/) { n[$i]++; break } }
			END { for (e in n) printf "    %s %d\n", e, n[e] }'
		: >$t/trace
		echo 1 >$t/tracing_on
	fi
	echo "=== end of stall report"
}

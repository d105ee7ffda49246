# Helpers for the benchmarks' lab scenarios (inside L1): source
# "$LAB_TOP/bench/lab-helpers.sh" after tests/lab/lib.sh, libvirt.sh and
# agent.sh.

# proc_times PID: "UTIME STIME" of a process (all its threads), in ticks.
proc_times() {
	# After the last ") " of /proc/PID/stat (the name may hold any
	# character): $12 utime, $13 stime.
	awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$1/stat"
}

# proc_ticks PID: utime + stime of a process, in ticks.
proc_ticks() {
	proc_times "$1" | awk '{ print $1 + $2 }'
}

# last_stats DOMAIN: "T ACCESSES" of the newest intact "TG stats" line.
last_stats() {
	grep -a '^TG stats t=[0-9]* .*reads=[0-9]* writes=[0-9]* errors=' "$LAB_OUT/$1.serial" |
		tail -n1 | sed -E 's/.* t=([0-9]+) .*reads=([0-9]+) writes=([0-9]+).*/\1 \2 \3/' |
		awk '{ print $1, $2 + $3 }'
}

# current_phase DOMAIN: the number of the guest's latest "TG phase" line.
current_phase() {
	grep -ao 'TG phase [0-9]*' "$LAB_OUT/$1.serial" | tail -n1 | awk '{ print $3 }'
}

# next_phase DOMAIN PHASE SECS: waits (polling every 50 ms) until a phase
# after PHASE begins; 1 if none did within SECS.
next_phase() {
	local i p
	for ((i = 0; i < $3 * 20; i++)); do
		p=$(current_phase "$1")
		[ "${p:-0}" -gt "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# Helpers for scenarios that run vmm-agent on a libvirt domain of the
# test guest: source lib.sh, libvirt.sh, then this file. The agent's log
# is $LAB_OUT/agent-DOMAIN.log, its status $LAB_OUT/status/DOMAIN.json.

# agent_policy DOMAIN LIMIT_MIB INTERVAL_S [HOT_MIN HOT_WINDOW COLD_IDLE]:
# writes /etc/vmm-agent/DOMAIN.json (hot: 2 of 4 scans, cold: 4 idle
# scans unless given).
agent_policy() {
	mkdir -p /etc/vmm-agent
	cat >"/etc/vmm-agent/$1.json" <<-JSON
	{
		"dram_nodes": [$LAB_DRAM_NODE],
		"pmem_nodes": [$LAB_PMEM_NODE],
		"dram_limit": "${2}M",
		"scan_interval": $3,
		"hot": { "min_accessed_scans": ${4:-2}, "window_scans": ${5:-4} },
		"cold": { "idle_scans": ${6:-4} },
		"migration": { "rate_limit_mb_s": 256, "batch_pages": 1024 },
		"mode": "enforce"
	}
	JSON
}

# agent_start DOMAIN [OPTIONS...]: vmm-agent -v run DOMAIN in the
# background (log appended to; a line per interval); sets AGENT_PID.
agent_start() {
	local dom=$1
	shift
	vmm-agent -v --status-dir "$LAB_OUT/status" --prom-dir "" "$@" run "$dom" \
		>>"$LAB_OUT/agent-$dom.log" 2>&1 &
	AGENT_PID=$!
}

# agent_stop: SIGTERM the agent of agent_start, wait; its exit status.
agent_stop() {
	[ -n "${AGENT_PID:-}" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"
	local rc=$?
	AGENT_PID=
	return $rc
}

# agent_stat DOMAIN JQ_FILTER: a value from the agent's status file.
agent_stat() {
	jq -r "$2" "$LAB_OUT/status/$1.json" 2>/dev/null
}

# agent_wait DOMAIN JQ_CONDITION SECS: waits until the condition holds
# on the agent's status; 1 if it did not within SECS.
agent_wait() {
	wait_for "$3" agent_holds "$1" "$2"
}
agent_holds() {
	[ "$(agent_stat "$1" "$2")" = true ]
}

# serial_wait DOMAIN REGEX SECS: waits for a line of the guest's serial.
serial_wait() {
	wait_for "$3" grep -sEq "$2" "$LAB_OUT/$1.serial"
}

# guest_clean SERIAL...: the test guest's integrity checks found nothing
# wrong and it did not crash: no "TG bad", "TG verify FAIL", "TG fault"
# or "TG config error" anywhere in a line (a fault report can cut into a
# stats line), no count of errors above 0, and at least one stats line
# that says errors=0.
guest_clean() {
	awk '/TG (bad|verify FAIL|fault|config error)/ || /errors=[1-9]/ { bad++ }
		/^TG stats .*errors=0$/ { ok++ } END { exit !(ok > 0 && !bad) }' "$@"
}

# in_dram PID MEM_MIB GPA PAGES: how many pages of the range sit on the
# DRAM node.
in_dram() {
	tg-placement "$1" "$2" "r=$3:$4" |
		sed -n "s/.* node$LAB_DRAM_NODE=\([0-9]*\).*/\1/p"
}

# agent_intervals DOMAIN T0 [T1]: how many intervals the agent ended
# after T0 and up to T1 (default: now), both seconds since the epoch, from
# its log (-v: a line per interval). A lab machine that stalls stalls the
# agent too, so promises in intervals are counted here, not in seconds.
agent_intervals() {
	grep -a 'debug: interval' "$LAB_OUT/agent-$1.log" | cut -c1-23 |
		date -f - +%s.%N |
		awk -v t0="$2" -v t1="${3:-9e99}" '$1 > t0 && $1 <= t1 { n++ } END { print n + 0 }'
}

# dram_follow DOMAIN PID MEM_MIB GPA PAGES MAX_INTERVALS [LIMIT_MIB [AFTER_S]]:
# samples the range's share in DRAM as often as it can (and,
# with LIMIT_MIB, the domain's whole DRAM use) until >= 99% of it is in
# DRAM (and then, with AFTER_S, at least that many seconds more, for the
# DRAM use), or the agent has ended MAX_INTERVALS + 2 intervals. Prints one
# line per sample and, last, "reached N" (the agent's intervals it took,
# or "never") and, with a limit, "over N max M" (samples above it, the
# most MiB seen).
dram_follow() {
	local dom=$1 pid=$2 mem=$3 gpa=$4 pages=$5 max=$6 limit=${7:-} after=${8:-0}
	local t0 ts n iv all0 over=0 most=0 reached=never end=$((SECONDS + 120))
	t0=$(date +%s.%N)
	while [ "$SECONDS" -lt "$end" ]; do
		sleep 0.3
		ts=$(date +%s.%N)
		n=$(in_dram "$pid" "$mem" "$gpa" "$pages")
		# the intervals before the query (one may end while it runs)
		iv=$(agent_intervals "$dom" "$t0" "$ts")
		if [ -n "$limit" ]; then
			# pages compared with the limit; MiB (rounded up) shown
			all0=$(in_dram "$pid" "$mem" 0 $((mem * 256)))
			[ "${all0:-0}" -gt $((limit * 256)) ] && over=$((over + 1))
			all0=$(((${all0:-0} + 255) / 256))
			[ "$all0" -gt "$most" ] && most=$all0
		fi
		printf '  %s after %2d intervals: %5d of %d pages in DRAM%s\n' \
			"$(date +%T.%N | cut -c1-12)" "$iv" "${n:-0}" "$pages" \
			"${limit:+, domain DRAM $all0 MiB}"
		if [ "$reached" = never ] && [ "${n:-0}" -ge $((pages * 99 / 100)) ]; then
			reached=$iv
			# at least AFTER_S more (SECONDS counts whole seconds)
			[ "$after" -gt 0 ] && end=$((SECONDS + after + 1)) || end=0
		fi
		[ "$reached" = never ] && [ "$iv" -gt $((max + 2)) ] && break
	done
	echo "reached $reached"
	[ -n "$limit" ] && echo "over $over max $most"
	return 0
}

# agent_cleanup DOMAIN...: the agent stopped, the domains destroyed and
# undefined, logs kept: for a scenario's EXIT trap. libvirtd stays up for
# the next scenario (libvirt_up keeps it).
agent_cleanup() {
	local d
	[ -n "${AGENT_PID:-}" ] && kill -TERM "$AGENT_PID" 2>/dev/null &&
		wait "$AGENT_PID" 2>/dev/null
	libvirt_logs
	for d in "$@"; do
		virsh -q destroy "$d" >/dev/null 2>&1
		virsh -q undefine "$d" >/dev/null 2>&1
	done
	return 0
}

# Helpers for lab scenarios: source "$LAB_TOP/tests/lab/lib.sh".

# pass/fail WHAT: one check line, counted by the lab runner.
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
# check WHAT CMD...: runs CMD, PASS if it succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
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

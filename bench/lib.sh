# Helpers for the benchmarks' run scripts: source "$TOP/bench/lib.sh".

# bench_lab SCENARIO [lab options...]: runs one lab scenario (the runner's
# output streams through), then sets LAB_RUN to the run's log directory
# (taken from the runner's own output: "latest" may already belong to a
# later run), BENCH_LAB_QEMU to the QEMU that ran L1 ("QEMU 10.0.2") and
# BENCH_LAB_CPUS to L1's CPUs as l1-init reported them ("3 vCPUs, nested
# guests and the benchmark on CPUs 1-2"). Returns the runner's status.
bench_lab() {
	local scenario=$1 log rc
	shift
	log=$(mktemp)
	"$TOP/tests/lab/run" "$@" "$scenario" | tee "$log"
	rc=${PIPESTATUS[0]}
	# the last boot's (a boot that failed before any scenario is tried again)
	LAB_RUN=$(sed -n 's/^lab: .* logs in //p' "$log" | tail -n1)
	# The QEMU that ran L1, for the result's environment line
	BENCH_LAB_QEMU=$(sed -n 's/^lab: kernel [^,]*, QEMU emulator version \([^ ]*\).*/QEMU \1/p' "$log" | head -n1)
	BENCH_LAB_CPUS=$(sed -n 's/^LAB: \([0-9]*\) CPUs; nested guests and scenarios run on CPUs \([-0-9,]*\) .*/\1 vCPUs, nested guests and the benchmark on CPUs \2/p' "$log" | head -n1)
	export BENCH_LAB_QEMU BENCH_LAB_CPUS
	rm -f "$log"
	return "$rc"
}

# bench_lab_figures NAME [lab options...]: runs bench/NAME/NAME.sh in the
# lab, turns its files into bench/results/NAME.json with
# bench/NAME/summarize.py and prints the table. If a check of the run
# failed, the figures go to bench/results/NAME.failed.json instead, for
# diagnosis, never standing as results. Returns the lab's status, or 1 if
# there are no figures.
bench_lab_figures() {
	local name=$1 rc load0 res=$TOP/bench/results/$1.json
	shift
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	bench_lab "$TOP/bench/$name/$name.sh" "$@"
	rc=$?
	BENCH_HOST_LOAD="before: $load0; after: $(cut -d' ' -f1-3 /proc/loadavg)"
	export BENCH_HOST_LOAD
	[ -n "$LAB_RUN" ] || { echo "$name: the lab did not start" >&2; return 2; }
	mkdir -p "$TOP/bench/results"
	rm -f "$TOP/bench/results/$name.failed.json"
	[ "$rc" = 0 ] || res=$TOP/bench/results/$name.failed.json
	if ! python3 "$TOP/bench/$name/summarize.py" "$LAB_RUN"/scenario-*-"$name" >"$res.tmp"; then
		rm -f "$res.tmp"
		echo "$name: no figures from $LAB_RUN" >&2
		return 1
	fi
	mv "$res.tmp" "$res"
	python3 "$TOP/bench/table.py" "$res"
	[ "$rc" = 0 ] || echo "$name: FAILED (lab status $rc): figures kept in $res for diagnosis only"
	return "$rc"
}

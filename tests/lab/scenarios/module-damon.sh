# DAMON beside the module. A kdamond samples pages and clears their
# accessed bits (in page tables and, through the MMU notifiers, in KVM's),
# so pages touched between two of our scans may read idle: on 7.3.4 with
# DAMON_STAT on, 7 of 8 module-window runs missed 1-5 touched pages. The
# tools say so while one runs: idle-pages warns on each live scan (and
# vmm-agent at attach, tests/unit). Checked against the real sysfs of
# each kernel: a kdamond started through DAMON's sysfs (6.12 and 7.x;
# Debian's 6.1 has no DAMON) and DAMON_STAT (7.x, on by default: the
# lab's init turned it off, as the README tells operators to).
source "$LAB_TOP/tests/lab/lib.sh"
admin=/sys/kernel/mm/damon/admin/kdamonds
sleep 600 &
target=$!
trap 'kill $target; [ -e $admin/0/state ] && echo off >$admin/0/state 2>/dev/null; true' EXIT

# warned WANT WHAT: one live scan; its stderr names WANT (or, with WANT
# "", has no warning).
warned() {
	local err
	err=$(idle-pages dump -q "$target" 2>&1 >/dev/null)
	echo "idle-pages said: ${err:-nothing}"
	if [ -z "$1" ]; then
		check "$2" test -z "$err"
	else
		check "$2" grep -q "warning: .*$1.* accessed bits" <<<"$err"
	fi
}

warned "" "no DAMON sampler running: no warning"

if [ -d $admin ]; then
	echo 1 >$admin/nr_kdamonds &&
		echo 1 >$admin/0/contexts/nr_contexts &&
		echo paddr >$admin/0/contexts/0/operations &&
		echo 1 >$admin/0/contexts/0/targets/nr_targets &&
		echo on >$admin/0/state
	check "a kdamond monitoring physical memory started through DAMON's sysfs" \
		grep -qx on $admin/0/state || exit 1
	warned "kdamond 0 (DAMON sysfs)" "idle-pages warns while a sysfs kdamond runs"
	echo off >$admin/0/state
	warned "" "and not once it is off"
else
	echo "no DAMON on $(uname -r) (Debian 12's 6.1 is built without it)"
fi

stat=/sys/module/damon_stat/parameters/enabled
if [ -e $stat ]; then
	check "DAMON_STAT was off when the scenario began (the lab's init)" \
		grep -qx N $stat
	echo Y >$stat
	warned "DAMON_STAT" "idle-pages warns while DAMON_STAT runs"
	echo N >$stat
	warned "" "and not once it is off"
else
	echo "no DAMON_STAT on $(uname -r) (it came in 6.17)"
fi

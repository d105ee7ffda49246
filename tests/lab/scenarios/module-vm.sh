# The module on a VM: the test guest under tg-launch (nested KVM, AMD NPT)
# touches exact page sets; each scan must report exactly those pages (plus
# the guest's own code/stack pages the launcher accounts for), nothing
# while the vCPU is stopped, dirty pages in dirty mode, 2 MiB units in
# huge-only mode and with THP-backed guest memory, present-idle pages
# that an earlier step mapped, and PMD_IDLE_PTES for idle 2 MiB ranges in
# skim mode (pages 1536-2047 fill a 2 MiB unit: the one that EPT without
# A/D bits skims too).
source "$LAB_TOP/tests/lab/lib.sh"

# run_guest NAME BACKING TOUCH TOUCH2: start the guest, stopped at step 1
# (which writes every page of TOUCH); later steps touch only TOUCH2, so
# the rest of TOUCH is mapped but idle.
run_guest() {
	rep=$LAB_OUT/$1.report
	tg-launch --mem 128M --backing "$2" --report "$rep" --timeout 200 \
		"$LAB_GUEST_ELF" pattern=touch touch="$3" touch2="$4" write=50 \
		passes=4 >"$LAB_OUT/$1.serial" 2>&1 &
	pid=$!
	wait_stopped "$pid" || { fail "$1: guest reached step 1"; exit 1; }
}

touch="0-99,300-310,1000,1536-2047,4096-4200,9000"
touch2="0-9,300,4096-4100"
echo "== 4 KiB-backed guest memory"
run_guest vm4k 4k "$touch" "$touch2"
scan-check "$rep"
echo "-- again, the vCPU did not run"
scan-check --expect none "$rep"
guest_next_step vm4k "$pid"
scan-check --mode dirty "$rep"
guest_next_step vm4k "$pid"
scan-check --mode skim "$rep"
guest_next_step vm4k "$pid"
scan-check --mode huge "$rep"
guest_finish vm4k "$pid"

echo "== THP-backed guest memory (2 MiB leaves)"
run_guest vmthp thp "$touch" "$touch2"
scan-check "$rep"
scan-check --expect none "$rep"
guest_next_step vmthp "$pid"
scan-check --mode dirty "$rep"
guest_next_step vmthp "$pid"
scan-check --mode skim "$rep"
guest_next_step vmthp "$pid"
scan-check --mode huge "$rep"
guest_finish vmthp "$pid"

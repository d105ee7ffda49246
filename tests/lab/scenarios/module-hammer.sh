# The module hammered from outside (tests/module/hammer.c): for about
# 150 s, four workers (two root, two uid 65534, each with a twin thread on
# the same open files) throw random calls with random arguments at
# /proc/idle_pages while test guests (tg-launch, 32-64 MiB, SIGKILLed
# after 1-12 s, two at a time) and short-lived ordinary processes start
# and die. Every result must be data or a documented error, every record
# stream must decode and keep to its read's window, and an unprivileged
# worker must never get data for another user's process. Afterwards the
# kernel's memory (slab, unreclaimable slab, vmalloc, page tables, kernel
# stacks) must be back where it was. HAMMER_SECS and HAMMER_SEED change
# the length and replay a seed.
source "$LAB_TOP/tests/lab/lib.sh"
secs=${HAMMER_SECS:-150}
# allowed growth, KiB: per-CPU caches and the like, not a leak per call
tolerance=4096

# settle: drop the caches and SLUB's per-CPU and partial slabs, so that
# only memory still in use is counted
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f"; done 2>/dev/null
}
# a leaked VM keeps its vmalloc'd struct kvm and its NPT pages
# (SecPageTables), a leaked mm its page tables, a leaked task its stack
kmem() {
	awk '/^(Slab|SUnreclaim|VmallocUsed|PageTables|SecPageTables|KernelStack):/ {
		sub(":", "", $1); print $1, $2 }' /proc/meminfo
}
slab_use() { awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo | sort; }

echo "module srcversion $(cat /sys/module/idle_pages/srcversion 2>/dev/null)"

# Warm up: one VM scanned once, so that KVM's and the module's one-time
# allocations are not counted as growth.
tg-launch --mem 32M --no-stop --timeout 60 "$LAB_GUEST_ELF" pattern=uniform \
	hot=64 cold=64 passes=0 >"$LAB_OUT/warmup.serial" 2>&1 &
vm=$!
wait_for 30 grep -q "TG start" "$LAB_OUT/warmup.serial"
idle-pages dump -q "$vm" >/dev/null 2>&1
kill -9 "$vm"
wait "$vm" 2>/dev/null
sleep 2
settle
kmem >"$LAB_OUT/kmem.before"
slab_use >"$LAB_OUT/slab.before"
echo "kernel memory before (KiB): $(tr '\n' ' ' <"$LAB_OUT/kmem.before")"

mkdir -p "$LAB_OUT/vms"
hammer --seconds "$secs" --workers 4 --unprivileged 2 --vms 2 --procs 6 \
	--launcher "$LAB_LAUNCHER" --guest "$LAB_GUEST_ELF" \
	--log-dir "$LAB_OUT/vms" ${HAMMER_SEED:+--seed "$HAMMER_SEED"}
echo "hammer exit status $?"

check "/proc/idle_pages still serves a fresh reader" \
	bash -c "idle-pages dump -q $$ >/dev/null"

# Everything hammer started has exited; give deferred frees (RCU, the
# VMs' teardown) a moment, then compare.
sleep 5
settle
kmem >"$LAB_OUT/kmem.after"
slab_use >"$LAB_OUT/slab.after"
echo "kernel memory after (KiB):  $(tr '\n' ' ' <"$LAB_OUT/kmem.after")"
echo "slab caches that grew most (bytes in use, before -> after):"
join "$LAB_OUT/slab.before" "$LAB_OUT/slab.after" |
	awk '$3 > $2 { printf "  %-28s %10d -> %10d (+%d)\n", $1, $2, $3, $3 - $2 }' |
	sort -t+ -k2 -nr | head -n 8
for key in $(awk '{ print $1 }' "$LAB_OUT/kmem.before"); do
	b=$(awk -v k=$key '$1 == k { print $2 }' "$LAB_OUT/kmem.before")
	a=$(awk -v k=$key '$1 == k { print $2 }' "$LAB_OUT/kmem.after")
	check "$key back to its level: $b KiB before, $a KiB after (+$((a - b)), allowed +$tolerance)" \
		test $((a - b)) -le "$tolerance"
done

# A VM the module cannot walk is refused clearly, never scanned wrongly:
# with KVM's legacy shadow MMU (kvm.tdp_mmu=N) a read of a VM whose vCPU
# has run fails with EOPNOTSUPP and the kernel log says why. KVM is
# reloaded for it (the module depends on kvm, so it goes first) and put
# back as the lab had it.
source "$LAB_TOP/tests/lab/lib.sh"
npt=$(cat /sys/module/kvm_amd/parameters/npt)
nested=$(cat /sys/module/kvm_amd/parameters/nested)
# reload_kvm TDP_MMU: kvm and kvm_amd again, then our module
reload_kvm() {
	for _ in $(seq 20); do rmmod idle_pages 2>/dev/null && break; sleep 0.2; done
	rmmod kvm_amd kvm &&
		modprobe kvm tdp_mmu="$1" &&
		modprobe kvm_amd npt="$npt" nested="$nested" &&
		insmod "$LAB_MODULE"
}
restore() {
	[ "$(cat /sys/module/kvm/parameters/tdp_mmu 2>/dev/null)" = Y ] ||
		reload_kvm Y || echo "FAIL: KVM back with the TDP MMU"
}
trap restore EXIT

check "kvm reloaded with tdp_mmu=N" reload_kvm N
check "KVM runs the shadow MMU" test "$(cat /sys/module/kvm/parameters/tdp_mmu)" = N
rep=$LAB_OUT/shadow.report
tg-launch --mem 64M --backing 4k --report "$rep" --timeout 120 \
	"$LAB_GUEST_ELF" pattern=touch touch=0-99 passes=1 \
	>"$LAB_OUT/shadow.serial" 2>&1 &
pid=$!
if wait_stopped "$pid"; then
	idle-pages dump -q "$pid" >"$LAB_OUT/dump.out" 2>&1
	rc=$?
	cat "$LAB_OUT/dump.out"
	check "a read of the shadow-MMU VM fails (exit $rc)" test "$rc" != 0
	check "... with EOPNOTSUPP" grep -q "Operation not supported" "$LAB_OUT/dump.out"
	dmesg | tail -n 5 | tee "$LAB_OUT/dmesg.txt"
	check "... and the kernel log says the shadow MMU is why" \
		grep -q "legacy shadow MMU (kvm.tdp_mmu=N)" "$LAB_OUT/dmesg.txt"
	guest_finish shadow "$pid"
else
	fail "the guest reached step 1 under the shadow MMU"
fi
restore
check "KVM back with the TDP MMU and the module loaded" \
	test "$(cat /sys/module/kvm/parameters/tdp_mmu)" = Y -a -e /proc/idle_pages

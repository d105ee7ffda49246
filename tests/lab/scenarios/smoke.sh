# The lab itself: two memory tiers with node 1 (PMEM) in a lower tier,
# nested KVM with NPT, the module loaded, and the test guest run both
# ways (our KVM-API launcher and real QEMU with KVM) with its integrity
# check passed.
source "$LAB_TOP/tests/lab/lib.sh"

tier() {
	grep -l "" /sys/devices/virtual/memory_tiering/memory_tier*/nodelist |
		while read -r f; do
			grep -qw "$1" "$f" && basename "$(dirname "$f")"
		done | head -n1
}
t0=$(tier "$LAB_DRAM_NODE")
t1=$(tier "$LAB_PMEM_NODE")
echo "node $LAB_DRAM_NODE (DRAM): $t0, node $LAB_PMEM_NODE (PMEM): $t1"
numactl -H
check "PMEM node $LAB_PMEM_NODE is in a lower memory tier than DRAM node $LAB_DRAM_NODE" \
	test "${t1#memory_tier}" -gt "${t0#memory_tier}"
check "PMEM node has memory and no CPUs" \
	test -z "$(cat /sys/devices/system/node/node$LAB_PMEM_NODE/cpulist)"
check "kvm_amd loaded with npt=Y" grep -qx Y /sys/module/kvm_amd/parameters/npt
check "kvm_amd nested on" grep -qx 1 /sys/module/kvm_amd/parameters/nested
check "module idle_pages loaded" grep -q "^idle_pages " /proc/modules
check "scenarios (and so nested guests) run off CPU 0, on CPUs $LAB_NESTED_CPUS" off_cpu0 $$

echo "== test guest under tg-launch (nested KVM)"
tg-launch --mem 64M --no-stop --timeout 120 "$LAB_GUEST_ELF" \
	pattern=uniform hot=256 cold=512 write=30 passes=4 report_secs=0 \
	| tee "$LAB_OUT/launch.serial"
check "tg-launch: guest integrity check passed" \
	grep -q "TG done errors=0" "$LAB_OUT/launch.serial"

echo "== test guest under QEMU (-accel kvm, nested)"
ACCEL=kvm MEM=64M TIMEOUT=120 LOG="$LAB_OUT/qemu.serial" \
	run-qemu "$LAB_GUEST_ELF" pattern=zipf hot=256 cold=512 write=30 \
	passes=4 report_secs=0
check "QEMU: guest integrity check passed" test $? = 0

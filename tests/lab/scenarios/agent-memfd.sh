# Shared guest memory: the domain's RAM is a shared memfd (libvirt
# <memoryBacking><source type='memfd'/><access mode='shared'/>, what
# vhost-user needs), which the kernel's own tiering never scans or
# promotes. The test guest (hot set 8 MiB, cold set 24 MiB) starts all
# on the PMEM node; vmm-agent (scan every 1 s, DRAM limit 16 MiB) must
# treat it as it treats anonymous memory: promised, >= 99% of the hot
# set in DRAM within 5 intervals, DRAM use never above the limit, >= 95%
# of the cold set left on PMEM, no page refused as shared, the guest's
# integrity checks clean.
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
DOM=tg-memfd
trap 'agent_cleanup $DOM' EXIT

MEM_MIB=128
HOT=2048
COLD=6144
BASE=$((16 << 20))
LIMIT_MIB=16
PROMISE=5
BACKING="<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>"

check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start $DOM $MEM_MIB \
	"pattern=uniform hot=$HOT cold=$COLD write=30 passes=0 report_secs=2" "$BACKING")
check "domain $DOM started with memfd memory, QEMU pid ${pid:-none}" test -n "$pid" || exit 1
serial_wait $DOM "TG init" 60
# shared_memfd_of BYTES: QEMU maps a shared memfd of exactly that size.
shared_memfd_of() {
	local range perms name
	while read -r range perms _ _ _ name; do
		[[ $perms == rw?s && $name == /memfd:* ]] || continue
		[ $((16#${range#*-} - 16#${range%-*})) = "$1" ] && return 0
	done <"/proc/$pid/maps"
	return 1
}
check "its guest RAM is a shared memfd mapping of $MEM_MIB MiB" \
	shared_memfd_of $((MEM_MIB << 20))
migratepages "$pid" "$LAB_DRAM_NODE" "$LAB_PMEM_NODE"
check "the hot set starts on the PMEM node" \
	test "$(in_dram "$pid" $MEM_MIB $BASE $HOT)" -lt $((HOT / 100))

agent_policy $DOM $LIMIT_MIB 1
agent_start $DOM
out=$(dram_follow $DOM "$pid" $MEM_MIB $BASE $HOT $PROMISE $LIMIT_MIB)
echo "$out" | grep -v '^reached\|^over'
reached=$(echo "$out" | awk '/^reached/ { print $2 }')
over=$(echo "$out" | awk '/^over/ { print $2 }')
most=$(echo "$out" | awk '/^over/ { print $4 }')
check "99% of the hot set in DRAM within $PROMISE intervals (took $reached)" \
	test "$reached" != never -a "${reached/never/99}" -le $PROMISE
check "domain DRAM use never above the $LIMIT_MIB MiB limit (most $most MiB)" test "$over" = 0
sleep 3
n=$(in_dram "$pid" $MEM_MIB $((BASE + HOT * 4096)) $COLD)
check "the cold set stays on PMEM ($n of $COLD cold pages in DRAM)" test "$n" -le $((COLD / 20))
check "the agent knew the memory is shared" \
	grep -q "(shared memory: moved with MPOL_MF_MOVE_ALL)" "$LAB_OUT/agent-$DOM.log"
vmm-agent status --status-dir "$LAB_OUT/status" $DOM | tee "$LAB_OUT/status.txt"
check "no page refused as shared (failed shared: $(agent_stat $DOM .failed_pages.shared))" \
	test "$(agent_stat $DOM .failed_pages.shared)" = 0
check "vmm-agent exits cleanly on SIGTERM" agent_stop
check "the guest's integrity checks found no errors" guest_clean "$LAB_OUT/$DOM.serial"

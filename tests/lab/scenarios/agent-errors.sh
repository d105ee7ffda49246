# vmm-agent's errors at start, on the real system (libvirtd, the module):
#  - a domain libvirt does not know: exit status 1 and "no libvirt domain
#    with name or UUID 'NAME' at URI", also kept in its status file;
#  - the module not loaded (a defined domain): exit status 1 and
#    "/proc/idle_pages does not exist: the idle_pages kernel module is
#    not loaded", before anything else is tried;
#  - a bad policy: check-policy and run both exit 2 with one line per
#    problem (all five at once) naming the file and the key;
#  - no policy file: the policy in the domain's XML <metadata> is taken,
#    a bad one refused naming it, and none at all is exit 2.
# Each within 10 s (nothing waits or retries on them).
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
DOM=tg-defined
trap '[ -e /proc/idle_pages ] || insmod "$LAB_MODULE"; agent_cleanup $DOM' EXIT

# run_agent NAME OUT [OPTIONS...]: vmm-agent run NAME in the foreground
# (10 s at most); its output in OUT; returns its exit status.
run_agent() {
	local dom=$1 out=$2
	shift 2
	timeout 10 vmm-agent --status-dir "$LAB_OUT/status" --prom-dir "" "$@" \
		run "$dom" >"$out" 2>&1
}

# expect_exit WHAT GOT OUT WANT REGEX: exit status GOT is WANT, and OUT
# has a line matching REGEX.
expect_exit() {
	sed 's/^/  | /' "$3"
	check "$1: exit status $4 (got $2)" test "$2" = "$4"
	check "$1: says it" grep -Eq "$5" "$3"
}

check "libvirtd started" libvirt_up || exit 1

agent_policy nosuch 16 1
run_agent nosuch "$LAB_OUT/nosuch.out"
expect_exit "a domain libvirt does not know" $? "$LAB_OUT/nosuch.out" 1 \
	"error: no libvirt domain with name or UUID 'nosuch' at qemu:///system$"
check "its status file says why it exited" \
	test "$(agent_stat nosuch '.state + ": " + .last_error')" = \
	"exited: no libvirt domain with name or UUID 'nosuch' at qemu:///system"

# A defined (not running) domain: only the module is missing.
tg_domain_xml $DOM 64 "pattern=uniform" >"$LAB_OUT/$DOM.xml"
check "domain $DOM defined" virsh -q define "$LAB_OUT/$DOM.xml"
agent_policy $DOM 16 1
for _ in $(seq 20); do rmmod idle_pages 2>/dev/null && break; sleep 0.2; done
check "rmmod idle_pages" test ! -e /proc/idle_pages
run_agent $DOM "$LAB_OUT/nomodule.out"
expect_exit "the module not loaded" $? "$LAB_OUT/nomodule.out" 1 \
	"error: /proc/idle_pages does not exist: the idle_pages kernel module is not loaded$"
check "insmod $LAB_MODULE" insmod "$LAB_MODULE"

# A policy with five faults, through the CLI.
cat >"$LAB_OUT/bad.json" <<JSON
{
	"dram_nodes": [$LAB_DRAM_NODE],
	"pmem_nodes": [$LAB_DRAM_NODE],
	"dram_limit": "2GiB",
	"scan_interval": "fast",
	"hot": { "min_accessed_scans": 2, "windw_scans": 4 },
	"cold": { "idle_scans": 9 }
}
JSON
vmm-agent check-policy --guest-memory 1GiB "$LAB_OUT/bad.json" >"$LAB_OUT/check.out" 2>&1
expect_exit "check-policy on a bad policy" $? "$LAB_OUT/check.out" 2 \
	"policy check failed$"
for want in \
	"key 'hot.windw_scans': unknown key" \
	"key 'scan_interval': expected a number of seconds, got a string" \
	"key 'cold.idle_scans': 9 is out of range (1 to 8)" \
	"key 'pmem_nodes': node $LAB_DRAM_NODE is also in 'dram_nodes'" \
	"key 'dram_limit': 2 GiB is more than the guest's memory (1 GiB)"; do
	check "check-policy says: $want" grep -qF "$LAB_OUT/bad.json: $want" "$LAB_OUT/check.out"
done
run_agent $DOM "$LAB_OUT/badrun.out" --policy "$LAB_OUT/bad.json"
expect_exit "run with a bad policy" $? "$LAB_OUT/badrun.out" 2 \
	"$LAB_OUT/bad.json: key 'scan_interval'"

# The policy in the domain's XML (<metadata>), when there is no file.
NS=http://vmm-agent.org/xmlns/policy/1
rm -f "/etc/vmm-agent/$DOM.json"
run_agent $DOM "$LAB_OUT/nopolicy.out" --once
expect_exit "no policy file and none in the XML" $? "$LAB_OUT/nopolicy.out" 2 \
	"no policy for domain $DOM: no file /etc/vmm-agent/$DOM.json, nor a policy in its XML"
check "virsh metadata sets a policy in the domain's XML" \
	virsh -q metadata $DOM --uri $NS --key vmm --config --set \
	"<policy>{ \"dram_nodes\": [$LAB_DRAM_NODE], \"pmem_nodes\": [$LAB_PMEM_NODE], \"dram_limit\": \"16MiB\", \"mode\": \"dry-run\" }</policy>"
run_agent $DOM "$LAB_OUT/xmlpolicy.out" --once
sed 's/^/  | /' "$LAB_OUT/xmlpolicy.out"
check "the agent takes the policy from the XML" \
	grep -qF "policy domain $DOM's <metadata> ($NS) (dry-run)" "$LAB_OUT/xmlpolicy.out"
# A running agent rereads it when libvirt says it changed (no SIGHUP).
timeout 30 vmm-agent --status-dir "$LAB_OUT/status" --prom-dir "" run $DOM \
	>"$LAB_OUT/xmlreload.out" 2>&1 &
agent_pid=$!
check "the agent runs on the XML's policy" wait_for 10 \
	grep -qF "policy domain $DOM's <metadata> ($NS) (dry-run)" "$LAB_OUT/xmlreload.out"
check "virsh metadata changes the policy" \
	virsh -q metadata $DOM --uri $NS --key vmm --config --set \
	"<policy>{ \"dram_nodes\": [$LAB_DRAM_NODE], \"pmem_nodes\": [$LAB_PMEM_NODE], \"dram_limit\": \"16MiB\", \"mode\": \"enforce\" }</policy>"
check "the running agent rereads it on libvirt's event" wait_for 15 \
	grep -qF "policy domain $DOM's <metadata> ($NS) reloaded" "$LAB_OUT/xmlreload.out"
kill $agent_pid 2>/dev/null
wait $agent_pid
sed 's/^/  | /' "$LAB_OUT/xmlreload.out"
check "virsh metadata sets a bad policy" \
	virsh -q metadata $DOM --uri $NS --key vmm --config --set \
	"<policy>{ \"dram_nodes\": [$LAB_DRAM_NODE], \"pmem_nodes\": [$LAB_PMEM_NODE], \"dram_limit\": \"2GiB\", \"mod\": 1 }</policy>"
run_agent $DOM "$LAB_OUT/xmlbad.out" --once
expect_exit "a bad policy in the XML" $? "$LAB_OUT/xmlbad.out" 2 \
	"domain $DOM's <metadata> \\($NS\\): key 'mod': unknown key"

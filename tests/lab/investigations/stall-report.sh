# Exercises vm_stall_report (tests/lab/lib.sh) on a running libvirt test
# guest, so the report a stalled scenario prints is known to work:
#   tests/lab/run tests/lab/investigations/stall-report.sh
source "$LAB_TOP/tests/lab/lib.sh"
source "$LAB_TOP/tests/lab/libvirt.sh"
source "$LAB_TOP/tests/lab/agent.sh"
trap 'agent_cleanup tgstall' EXIT
check "libvirtd started" libvirt_up || exit 1
pid=$(tg_domain_start tgstall 64 "pattern=uniform hot=1024 cold=1024 write=30 report_secs=1")
check "domain tgstall started" test -n "$pid" || exit 1
serial_wait tgstall "TG init" 60
vm_stall_report "$pid" | tee "$LAB_OUT/report.txt"
check "the report lists the QEMU threads with kernel stacks" grep -q '^--- thread .*CPU' "$LAB_OUT/report.txt"
# A healthy guest may not exit at all in those 2 s (it polls its serial
# and clock only now and then): the sections must be there, with what
# they found.
check "the report reads the VM's KVM statistics" grep -q '^--- KVM statistics that changed in 2 s (/sys/kernel/debug/kvm/' "$LAB_OUT/report.txt"
check "the report traces KVM's exit and fault events" grep -q '^--- tracing: 6 events set, tracing_on 1' "$LAB_OUT/report.txt"

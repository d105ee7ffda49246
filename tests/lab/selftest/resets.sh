# Runner self-test: L1 resets itself in the middle of a scenario (sysrq
# "b": an immediate reboot, as panic=-1 does after a panic). The run
# must go red, say that L1 reset itself and show both CPUs' registers.
echo "PASS: about to reset L1"
sync
echo b >/proc/sysrq-trigger
sleep 30
echo "FAIL: L1 still runs after sysrq b"

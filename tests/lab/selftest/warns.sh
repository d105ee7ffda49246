# Runner self-test: a scenario that passes but leaves a kernel warning
# line in the L1 kernel log (written through /dev/kmsg).
echo "<4>WARNING: CPU: 0 PID: $$ at lab-selftest: a warning for the runner to catch" >/dev/kmsg
echo "PASS: wrote the warning"

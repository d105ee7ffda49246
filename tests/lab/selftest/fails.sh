# Runner self-test: a scenario that fails one check and exits non-zero.
echo "PASS: a check that holds"
echo "FAIL: a check that does not"
exit 3

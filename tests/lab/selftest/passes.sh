# Runner self-test: a scenario that passes.
echo "PASS: all good"

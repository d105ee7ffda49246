# Runner self-test: a scenario that never ends (the runner's --timeout).
echo "PASS: started"
sleep 100000

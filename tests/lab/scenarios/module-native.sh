# The module on an ordinary process (its own page tables): a scan reports
# exactly the pages the process touched, holes where nothing is mapped,
# dirty bits in dirty mode, and nothing after a step that touched nothing;
# hugetlb VMAs are skipped (hugetlb-check).
source "$LAB_TOP/tests/lab/lib.sh"
rep=$LAB_OUT/native.report
touch-proc "$rep" 2048 "0-9,100,200-215,513,1031,1500-1600" &
pid=$!
wait_stopped "$pid" || { fail "touch-proc reached step 1"; exit 1; }
echo "step 1: the process wrote every mapped page"
scan-check "$rep"
echo "step 1 again, nothing ran in between"
scan-check --expect none "$rep"
kill -CONT "$pid"
wait_stopped "$pid" || { fail "touch-proc reached step 2"; exit 1; }
echo "step 2: a known set, reads and writes, dirty mode"
scan-check --mode dirty "$rep"
kill -CONT "$pid"
wait "$pid"
check "touch-proc exited cleanly" test $? = 0

echo "hugetlb: a touched 4 MiB hugetlb mapping is skipped"
echo 4 >/proc/sys/vm/nr_hugepages
hugetlb-check
echo 0 >/proc/sys/vm/nr_hugepages

# Bad input to /proc/idle_pages: each case its specific error, and the
# file keeps working (tests/module/abi_errors.c).
abi-errors

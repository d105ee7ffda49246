# make demo: the whole system at work in the lab. A libvirt domain runs
# the test guest with a 16 MiB hot set and a 64 MiB cold set, all of it
# first on the PMEM node; vmm-agent, attached by domain name with a
# 32 MiB DRAM limit, moves the hot set to DRAM while you watch, and the
# run ends with where the hot and cold pages sit and the agent's status.
exec bash "$LAB_TOP/tests/lab/scenarios/agent-placement.sh"

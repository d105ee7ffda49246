# Tests of the tiering daemon (vmm-agent/).
AGENT := $(TOP)/vmm-agent
AGENT_CFLAGS := -I$(AGENT) -I$(TOP)/lib
AGENT_POLICY := $(AGENT)/policy.c $(AGENT)/policy_json.c $(AGENT)/nodeset.c $(AGENT)/units.c

TESTS += test_agent_policy
test_agent_policy_SRCS = $(AGENT_POLICY)
test_agent_policy_CFLAGS = $(AGENT_CFLAGS) -DEXAMPLE_POLICY='"$(AGENT)/examples/example.json"'
test_agent_policy_LIBS = -ljson-c -lm

TESTS += test_agent_hotness
test_agent_hotness_SRCS = $(AGENT)/hotness.c $(AGENT_POLICY) $(TOP)/lib/ip_decode.c
test_agent_hotness_CFLAGS = $(AGENT_CFLAGS)
test_agent_hotness_LIBS = -ljson-c -lm

TESTS += test_agent_planner
test_agent_planner_SRCS = $(AGENT)/planner.c $(AGENT)/hotness.c $(AGENT_POLICY) $(TOP)/lib/ip_decode.c
test_agent_planner_CFLAGS = $(AGENT_CFLAGS)
test_agent_planner_LIBS = -ljson-c -lm

TESTS += test_agent_mover
test_agent_mover_SRCS = $(AGENT)/mover.c $(AGENT)/planner.c $(AGENT)/frame_nodes.c $(AGENT)/hotness.c $(AGENT)/log.c $(AGENT_POLICY) $(TOP)/lib/ip_decode.c
test_agent_mover_CFLAGS = $(AGENT_CFLAGS)
test_agent_mover_LIBS = -lnuma -ljson-c -lm

TESTS += test_agent_status
test_agent_status_SRCS = $(AGENT)/counters.c $(AGENT)/status_list.c $(AGENT)/prom.c $(AGENT)/mover.c $(AGENT)/frame_nodes.c $(AGENT)/hotness.c $(AGENT)/log.c $(AGENT_POLICY) $(TOP)/lib/ip_decode.c
test_agent_status_CFLAGS = $(AGENT_CFLAGS)
test_agent_status_LIBS = -lnuma -ljson-c -lm

TESTS += test_agent_guest_ram
test_agent_guest_ram_SRCS = $(AGENT)/guest_ram.c $(AGENT)/units.c
test_agent_guest_ram_CFLAGS = $(AGENT_CFLAGS)

TESTS += test_agent_domain
test_agent_domain_SRCS = $(AGENT)/domain.c $(AGENT)/policy_xml.c $(AGENT)/log.c $(TOP)/lib/ip_target.c $(TOP)/lib/ip_libvirt.c
test_agent_domain_CFLAGS = $(AGENT_CFLAGS)
test_agent_domain_LIBS = -lvirt -pthread

TESTS += test_agent_loop
test_agent_loop_SRCS = $(AGENT)/agent.c $(TOP)/lib/ip_aging.c $(AGENT)/planner.c $(AGENT)/mover.c $(AGENT)/frame_nodes.c $(AGENT)/hotness.c $(AGENT)/log.c $(AGENT_POLICY) $(TOP)/lib/ip_decode.c $(TOP)/lib/ip_reader.c \
	idle_pages_fake_kernel.c
test_agent_loop_CFLAGS = $(AGENT_CFLAGS)
test_agent_loop_LIBS = -lnuma -ljson-c -lm

TESTS += test_agent_log
test_agent_log_SRCS = $(AGENT)/log.c
test_agent_log_CFLAGS = $(AGENT_CFLAGS)

TESTS += test_agent_dram_share
test_agent_dram_share_SRCS = $(AGENT)/dram_share.c
test_agent_dram_share_CFLAGS = $(AGENT_CFLAGS)

TESTS += test_agent_host_policy
test_agent_host_policy_SRCS = $(AGENT)/host_policy.c $(AGENT_POLICY)
test_agent_host_policy_CFLAGS = $(AGENT_CFLAGS) -DEXAMPLE_HOST_POLICY='"$(AGENT)/examples/host.json"'
test_agent_host_policy_LIBS = -ljson-c -lm

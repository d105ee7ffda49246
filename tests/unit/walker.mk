# The walker core (kvm-module/core) on synthetic page tables.
TESTS += test_walker
test_walker_SRCS = $(TOP)/kvm-module/core/pt_walk.c \
	$(TOP)/kvm-module/core/pt_encode.c \
	$(TOP)/kvm-module/core/pt_roots.c synth_pt.c
test_walker_CFLAGS = -I$(TOP)/kvm-module/core
$(BUILD)/test_walker: synth_pt.h $(wildcard $(TOP)/kvm-module/core/*.h)

# Unit tests of the test guest's shared and launcher code (tests/guest/).
GUEST_DIR := $(TOP)/tests/guest

TESTS += test_guest_config test_guest_integrity test_guest_patterns \
	test_guest_launcher

test_guest_config_SRCS = $(GUEST_DIR)/config.c $(GUEST_DIR)/touch_set.c
test_guest_config_CFLAGS = -I$(GUEST_DIR)

test_guest_integrity_SRCS = $(GUEST_DIR)/integrity.c
test_guest_integrity_CFLAGS = -I$(GUEST_DIR)

test_guest_patterns_SRCS = $(GUEST_DIR)/patterns.c $(GUEST_DIR)/config.c
test_guest_patterns_CFLAGS = -I$(GUEST_DIR)

test_guest_launcher_SRCS = $(GUEST_DIR)/vmm_elf.c $(GUEST_DIR)/vmm_pio.c \
	$(GUEST_DIR)/vmm_boot.c $(GUEST_DIR)/vmm_pagelist.c \
	$(GUEST_DIR)/vmm_dirty.c $(GUEST_DIR)/vmm_report.c $(GUEST_DIR)/config.c \
	$(GUEST_DIR)/touch_set.c
test_guest_launcher_CFLAGS = -I$(GUEST_DIR)

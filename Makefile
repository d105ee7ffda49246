# vmm-tiering: keep each VM's hot memory in DRAM and its cold memory in
# PMEM/CXL. `make` builds everything; `make demo` runs the whole system in
# the lab; `make test` runs the test suite (unit tests and lab scenarios).
TOP := $(CURDIR)
KVER ?= $(shell $(TOP)/scripts/kver)
BIN := $(TOP)/build/bin
LAB := $(TOP)/build/lab
CHECKPATCH_DIR := $(TOP)/build/linux-source

all: module userspace

# The module, for the running kernel (or the lab's, see kvm-module/Makefile).
module:
	$(MAKE) -C kvm-module

# The module for the lab's kernel, whatever this machine runs.
module-lab:
	$(MAKE) -C kvm-module KVER=$(KVER) KDIR=/lib/modules/$(KVER)/build

userspace:
	$(MAKE) -C lib
	$(MAKE) -C tools/idle-pages
	$(MAKE) -C vmm-agent
	$(MAKE) -C tests/guest
	$(MAKE) -C tests/module
	mkdir -p $(BIN)
	cp tools/idle-pages/build/idle-pages vmm-agent/vmm-agent \
	   tests/guest/build/tg-launch tests/guest/build/guest.elf \
	   tests/guest/run-qemu tests/module/build/* $(BIN)/

# What a lab run needs: the build, the stage-1 initramfs and its QEMU.
lab-prereqs: module-lab userspace $(LAB)/initramfs-$(KVER).cpio.gz lab-qemu

# A lab kernel of another series than the host's (tests/lab/run --kernel
# SERIES): its Debian packages, the module built for it, its initramfs.
lab-kernel-%: lab-qemu userspace
	tests/lab/fetch-kernel $* $(LAB)/kernel-$*
	tests/lab/build-module $(LAB)/kernel-$*
	tests/lab/build-initramfs $$(cat $(LAB)/kernel-$*/kver) \
		$(LAB)/kernel-$*/initramfs.cpio.gz $(LAB)/kernel-$*/root

# The QEMU that runs L1 (see tests/lab/fetch-qemu for why not the system's).
lab-qemu:
	tests/lab/fetch-qemu $(LAB)/qemu

$(LAB)/initramfs-$(KVER).cpio.gz: tests/lab/build-initramfs tests/lab/copy-modules \
		tests/lab/initramfs-init
	mkdir -p $(LAB)
	tests/lab/build-initramfs $(KVER) $@

deps:
	scripts/deps

# Unit tests, then the lab scenarios in one lab boot; ends with totals.
test: deps
	tests/run-all

demo: deps
	tests/lab/run --timeout 600 tests/lab/demo.sh

# Benchmarks: scan cost, placement against the kernel's tiering, overhead.
bench: deps
	bench/run

# The kernel's own style checker, from Debian's linux-source package.
checkpatch: deps
	scripts/checkpatch kvm-module

clean:
	-$(MAKE) -C kvm-module clean
	-$(MAKE) -C lib clean
	-$(MAKE) -C tools/idle-pages clean
	-$(MAKE) -C vmm-agent clean
	-$(MAKE) -C tests/guest clean
	-$(MAKE) -C tests/module clean
	-$(MAKE) -C tests/unit clean
	-$(MAKE) -C bench/walker clean
	-$(MAKE) -C bench/module-scan clean
	-$(MAKE) -C bench/placement clean
	-$(MAKE) -C bench/agent-scale clean
	rm -rf build/bin

.PHONY: all module module-lab userspace lab-prereqs lab-qemu deps test demo bench checkpatch clean

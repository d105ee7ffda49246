# Shared user-space build flags; included by every user-space Makefile.
TOP ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
CC ?= cc
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(TOP)/include
# Tests build with sanitizers; `make SAN=` turns them off.
SAN ?= -fsanitize=address,undefined -fno-omit-frame-pointer

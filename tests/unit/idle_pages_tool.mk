# Tests of the user-space idle_pages library (lib/) and the idle-pages
# tool (tools/idle-pages/).
IP_LIB := $(TOP)/lib
IP_TOOL := $(TOP)/tools/idle-pages

TESTS += test_decode
test_decode_SRCS = $(IP_LIB)/ip_decode.c
test_decode_CFLAGS = -I$(IP_LIB)

TESTS += test_idle_pages_aging
test_idle_pages_aging_SRCS = $(IP_LIB)/ip_aging.c
test_idle_pages_aging_CFLAGS = -I$(IP_LIB)

TESTS += test_idle_pages_reader
test_idle_pages_reader_SRCS = $(IP_LIB)/ip_decode.c $(IP_LIB)/ip_reader.c \
	idle_pages_fake_kernel.c
test_idle_pages_reader_CFLAGS = -I$(IP_LIB)

# The tool's sources a test needs, with the library's.
IP_TOOL_SRCS = $(IP_LIB)/ip_decode.c $(IP_LIB)/ip_reader.c \
	$(IP_LIB)/ip_target.c $(IP_LIB)/ip_aging.c $(IP_TOOL)/scan_set.c \
	$(IP_TOOL)/recording.c $(IP_TOOL)/node_query.c $(IP_TOOL)/layout.c idle_pages_synth.c
IP_TOOL_CFLAGS = -I$(IP_LIB) -I$(IP_TOOL)

TESTS += test_idle_pages_report
test_idle_pages_report_SRCS = $(IP_TOOL_SRCS) $(IP_TOOL)/report.c \
	$(IP_TOOL)/cmd_record.c $(IP_TOOL)/cli.c $(IP_LIB)/ip_libvirt.c \
	idle_pages_fake_kernel.c
test_idle_pages_report_CFLAGS = $(IP_TOOL_CFLAGS)
test_idle_pages_report_LIBS = -lnuma -ljson-c -lvirt -lm

TESTS += test_idle_pages_heatmap
test_idle_pages_heatmap_SRCS = $(IP_TOOL_SRCS) $(IP_TOOL)/heatmap.c \
	$(IP_TOOL)/canvas.c $(IP_TOOL)/font5x7.c
test_idle_pages_heatmap_CFLAGS = $(IP_TOOL_CFLAGS)
test_idle_pages_heatmap_LIBS = -lnuma -lpng -lm

TESTS += test_idle_pages_target
test_idle_pages_target_SRCS = $(IP_LIB)/ip_decode.c $(IP_LIB)/ip_reader.c \
	$(IP_LIB)/ip_target.c $(IP_LIB)/ip_libvirt.c
test_idle_pages_target_CFLAGS = -I$(IP_LIB)
test_idle_pages_target_LIBS = -lvirt

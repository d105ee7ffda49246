/* SPDX-License-Identifier: MIT */
/*
 * bench_env.h - what the native benchmarks share about their input and
 * the machine: guest sizes given as "4G" or "1T", the 1-minute load, and
 * the machine's description for a result file.
 */
#ifndef BENCH_ENV_H
#define BENCH_ENV_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <json-c/json.h>

/* "NG" or "NT", whole GiB or TiB, none and none above @max: 0, else -1. */
static inline int bench_parse_size(const char *s, uint64_t *out, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || !v)
		return -1;
	if (*end == 'G' || *end == 'g')
		v <<= 30;
	else if (*end == 'T' || *end == 't')
		v <<= 40;
	else
		return -1;
	if (end[1] || v > max)
		return -1;
	*out = v;
	return 0;
}

/* The 1-minute load average, -1 if unknown. */
static inline double bench_loadavg(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double load = -1;

	if (f && fscanf(f, "%lf", &load) != 1)
		load = -1;
	if (f)
		fclose(f);
	return load;
}

/* The CPU's model name, the kernel, and the load now ("..._at_end"). */
static inline json_object *bench_machine_json(void)
{
	json_object *o = json_object_new_object();
	char line[256], cpu[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	struct utsname u;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(cpu, sizeof(cpu), "%s", strchr(line, ':') + 2);
			cpu[strcspn(cpu, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	json_object_object_add(o, "cpu", json_object_new_string(cpu));
	json_object_object_add(o, "kernel", json_object_new_string(u.release));
	json_object_object_add(o, "loadavg_1min_at_end",
			       json_object_new_double(bench_loadavg()));
	return o;
}

#endif /* BENCH_ENV_H */

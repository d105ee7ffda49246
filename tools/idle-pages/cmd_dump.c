/* SPDX-License-Identifier: MIT */
/*
 * cmd_dump.c - `idle-pages dump`: one scan, printed as ranges.
 */
#include <stdio.h>

#include <json-c/json.h>

#include "cli.h"
#include "commands.h"

struct dump {
	FILE *f;
	bool json;
	uint64_t nranges;
};

/* "accessed", "dirty", "idle", ...: the state a record type reports. */
static const char *state_of(unsigned int type)
{
	if (ip_type_dirty(type))
		return "dirty";
	if (type == PMD_IDLE_PTES)
		return "idle-ptes";
	return ip_state_name(ip_type_state(type));
}

static int print_range(void *arg, const struct ip_range *r)
{
	struct dump *d = arg;
	uint64_t end = r->hva + r->npages * IP_PAGE_SIZE;
	unsigned long long ps = 1ull << r->page_shift;

	if (ip_type_state(r->type) == IP_ST_HOLE)
		return 0;
	if (d->json)
		fprintf(d->f, "%s\n    {\"start\": \"0x%llx\", \"end\": \"0x%llx\", \"state\": \"%s\", \"page_size\": %llu}",
			d->nranges ? "," : "", (unsigned long long)r->hva,
			(unsigned long long)end, state_of(r->type), ps);
	else
		fprintf(d->f, "%012llx-%012llx %-9s %s\n",
			(unsigned long long)r->hva, (unsigned long long)end,
			state_of(r->type),
			ps == 4096 ? "4K" : ps == (2u << 20) ? "2M" : "1G");
	d->nranges++;
	return 0;
}

static int dump_round(void *arg, const struct rec_header *h,
		      const struct rec_round *r, int index)
{
	struct dump *d = arg;
	char err[256];

	(void)index;
	if (d->json) {
		json_object *t = json_object_new_string(h->target);

		fprintf(d->f, "{\n  \"target\": %s,\n  \"pid\": %d,\n",
			json_object_to_json_string(t), (int)h->pid);
		json_object_put(t);
		if (h->have_info)
			fprintf(d->f, "  \"backend\": \"%s\",\n  \"interface_version\": %u,\n",
				ip_backend_name(h->info.backend), h->info.version);
		fprintf(d->f, "  \"ranges\": [");
	} else {
		fprintf(d->f, "# %s", h->target);
		if (h->have_info)
			fprintf(d->f, ", backend %s, interface version %u, %u memslots",
				ip_backend_name(h->info.backend),
				h->info.version, h->info.nr_memslots);
		fprintf(d->f, "\n");
	}
	if (round_for_each_range(r, print_range, d, err, sizeof(err))) {
		fprintf(stderr, "idle-pages: %s\n", err);
		return -1;
	}
	if (d->json)
		fprintf(d->f, "\n  ]\n}\n");
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	struct cli_args a;
	struct live_plan p;
	struct dump d = { .f = stdout };
	char err[512];
	int ret = cli_parse(argc, argv, "dump", CLI_LIVE | CLI_JSON, &a);

	if (ret)
		return ret > 0 ? 0 : 2;
	if (!a.target) {
		fprintf(stderr, "idle-pages dump: give a TARGET (pid or domain)\n");
		return 2;
	}
	if (cli_live_plan(&a, &p))
		return 1;
	p.rounds = 1;
	p.numa = false;
	p.quiet = true;
	d.json = a.json;
	if (live_scan(&p, dump_round, &d, err, sizeof(err))) {
		fprintf(stderr, "idle-pages: %s\n", err);
		return 1;
	}
	return 0;
}

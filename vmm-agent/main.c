/* SPDX-License-Identifier: MIT */
/*
 * main.c - the vmm-agent command: the per-domain daemon (run), policy
 * validation (check-policy) and the status reader (status).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "counters.h"
#include "domain.h"
#include "guest_ram.h"
#include "host_policy.h"
#include "ip_libvirt.h"
#include "ip_reader.h"
#include "log.h"
#include "policy.h"
#include "policy_json.h"
#include "policy_xml.h"
#include "prom.h"
#include "status_list.h"
#include "units.h"

#define VERSION		"0.1"
#define EXIT_CONFIG	2	/* bad policy or usage: restarting won't help */

struct options {
	const char *uri;
	const char *policy;
	const char *status_dir;
	const char *prom_dir;
	const char *guest_memory;
	const char *node_dir;
	bool once, json, verbose;
};

static volatile int stop_requested;	/* SIGTERM, SIGINT */
static volatile int reload_requested;	/* SIGHUP */
/* either: the interval under way ends at once (a 1 TiB guest's takes s) */
static volatile int interrupt_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
	interrupt_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmm-agent [OPTIONS] run DOMAIN\n"
		"       vmm-agent check-policy [--guest-memory SIZE] FILE\n"
		"       vmm-agent status [--json] [--status-dir DIR] [DOMAIN]\n"
		"\n"
		"Keeps the hot memory of libvirt domain DOMAIN (name or UUID) in DRAM\n"
		"and the cold memory in PMEM, as its policy says.\n"
		"\n"
		"  --uri URI          libvirt URI (default %s)\n"
		"  --policy FILE      policy (default %s/DOMAIN.json)\n"
		"  --status-dir DIR   status files (default %s)\n"
		"  --prom-dir DIR     Prometheus textfile directory (default %s;\n"
		"                     an empty DIR writes none)\n"
		"  --once             one interval, then exit\n"
		"  --json             status: print JSON\n"
		"  --guest-memory SIZE  check-policy: check the limit against it\n"
		"  --node-dir DIR     read the host's NUMA nodes from DIR instead of\n"
		"                     %s (for tests)\n"
		"  -v, --verbose      debug log lines\n"
		"  -h, --help, --version\n"
		"\nSignals: SIGHUP reloads the policy, SIGTERM exits.\n",
		IP_LIBVIRT_DEFAULT_URI, POLICY_DIR, STATUS_DIR, PROM_DIR,
		POLICY_SYSFS_NODE_DIR);
}

static const char *node_dir;	/* --node-dir */

static const struct policy_env *host_env(uint64_t guest_bytes)
{
	static struct policy_env env;

	env.node_state = policy_sysfs_node_state;
	env.node_bytes = policy_sysfs_node_bytes;
	env.ctx = (void *)node_dir;
	env.guest_bytes = guest_bytes;
	return &env;
}

/* check-policy of a host policy (host_policy.h): what it shares. */
static int check_host_policy(const char *file, const char *text)
{
	struct policy_errors errs = { 0 };
	struct host_policy h;
	char a[32], b[32], c[32];

	if (host_policy_parse(file, text, host_env(0), &h, &errs)) {
		policy_errors_print(&errs, stderr);
		fprintf(stderr, "%s: host policy check failed\n", file);
		return EXIT_CONFIG;
	}
	if (h.dram_bytes)
		printf("%s: host policy is valid: %s of DRAM to share (%s on the DRAM nodes, %s reserved), %zu domain%s listed\n",
		       file, format_bytes(host_policy_budget(&h), a, sizeof(a)),
		       format_bytes(h.dram_bytes, b, sizeof(b)),
		       format_bytes(h.reserved, c, sizeof(c)), h.nr_domains,
		       h.nr_domains == 1 ? "" : "s");
	else
		printf("%s: host policy is valid (the DRAM nodes' size is not known here), %zu domain%s listed\n",
		       file, h.nr_domains, h.nr_domains == 1 ? "" : "s");
	host_policy_free(&h);
	return 0;
}

static int cmd_check_policy(const struct options *o, const char *file)
{
	struct policy_errors errs = { 0 };
	uint64_t guest = 0;
	struct policy p;
	char lim[32], *text;
	int rc;

	if (o->guest_memory && parse_size(o->guest_memory, &guest)) {
		fprintf(stderr, "vmm-agent: --guest-memory: \"%s\" is not a size such as 4GiB\n",
			o->guest_memory);
		return EXIT_CONFIG;
	}
	text = pjson_read_file(file, &errs);
	if (text && host_policy_text(text)) {
		rc = check_host_policy(file, text);
		free(text);
		return rc;
	}
	if (!text || policy_parse(file, text, host_env(guest), &p, &errs)) {
		free(text);
		policy_errors_print(&errs, stderr);
		fprintf(stderr, "%s: policy check failed\n", file);
		return EXIT_CONFIG;
	}
	free(text);
	if (p.limit_kind == POLICY_LIMIT_PERCENT)
		snprintf(lim, sizeof(lim), "%g%% of the guest", p.limit_percent);
	else
		format_bytes(p.limit_bytes, lim, sizeof(lim));
	printf("%s: policy is valid: DRAM limit %s, scan every %u ms, mode %s\n",
	       file, lim, p.scan_interval_ms, policy_mode_name(p.mode));
	return 0;
}

/* Every domain of the status directory, and the host's totals. */
static int cmd_status_all(const struct options *o)
{
	struct status_list l;
	char err[512], *text;
	int rc = 0;

	if (status_list_read(o->status_dir, &l, err, sizeof(err))) {
		fprintf(stderr, "vmm-agent: %s\n", err);
		return 1;
	}
	if (o->json) {
		for (unsigned int i = 0; i < l.nr_skipped; i++)
			fprintf(stderr, "vmm-agent: not read: %s\n",
				l.skipped[i]);
		text = status_list_to_json(&l);
		if (text)
			printf("%s\n", text);
		else
			rc = 1;
		free(text);
	} else {
		status_list_print(&l, (int64_t)time(NULL), stdout);
	}
	status_list_free(&l);
	return rc;
}

static int cmd_status(const struct options *o, const char *domain)
{
	struct agent_status st;
	char err[512];

	if (status_read(o->status_dir, domain, &st, err, sizeof(err))) {
		fprintf(stderr, "vmm-agent: %s\n", err);
		return 1;
	}
	if (o->json) {
		char *text = status_to_json(&st);

		if (!text)
			return 1;
		printf("%s\n", text);
		free(text);
	} else {
		status_print_text(&st, (int64_t)time(NULL), stdout);
	}
	return 0;
}

/* The daemon's state, between intervals. */
struct daemon {
	const struct options *o;
	char policy_path[512];		/* or what names the XML's policy */
	bool policy_in_xml;		/* the domain's <metadata> has it */
	unsigned int meta_seen;		/* its changes, as last read */
	struct domain_watch w;
	struct ip_reader reader;
	struct agent a;
	unsigned int attached_starts;
	enum dom_state last_state;
	bool scan_failing;		/* the last interval's scan failed */
	bool prom_failing;		/* the last metrics write failed */
	char last_logged[1024];
};

/* Log an error once until a different one comes; keep it in the status. */
static void report(struct daemon *d, const char *msg)
{
	/* msg may be the status's own last_error: no overlapping copy */
	if (msg != d->a.st.last_error)
		snprintf(d->a.st.last_error, sizeof(d->a.st.last_error), "%s",
			 msg);
	if (strcmp(d->last_logged, msg)) {
		log_err("%s", msg);
		snprintf(d->last_logged, sizeof(d->last_logged), "%s", msg);
	}
}

static void attach(struct daemon *d, unsigned int starts)
{
	struct guest_ram ram;
	uint64_t guest;
	char err[1024];
	pid_t pid;

	if (domain_pid(&d->w, &pid, err, sizeof(err))) {
		report(d, err);
		return;
	}
	guest = domain_memory_bytes(&d->w);
	if (!guest) {
		report(d, "libvirt did not tell the domain's memory size");
		return;
	}
	if (guest_ram_find_pid(pid, guest, &ram, err, sizeof(err))) {
		char msg[1536];

		snprintf(msg, sizeof(msg), "domain %s, QEMU pid %d: guest RAM not found: %s",
			 d->w.name, (int)pid, err);
		report(d, msg);
		return;
	}
	if (agent_attach(&d->a, pid, ram.ranges, ram.n, guest, err,
			 sizeof(err))) {
		report(d, err);
		guest_ram_free(&ram);
		return;
	}
	d->attached_starts = starts;
	d->scan_failing = false;
	d->last_logged[0] = '\0';
	d->a.st.last_error[0] = '\0';
	log_info("attached to domain %s, QEMU pid %d: guest RAM %s%s; DRAM limit %llu pages; %s",
		 d->w.name, (int)pid, ram.desc,
		 ram.shared ? " (shared memory: moved with MPOL_MF_MOVE_ALL)" : "",
		 (unsigned long long)d->a.limit_pages,
		 policy_mode_name(d->a.pol.mode));
	guest_ram_free(&ram);
}

/* The policy from its source: the file, or the domain's XML metadata. */
static int load_policy(struct daemon *d, uint64_t guest, struct policy *p,
		       struct policy_errors *errs)
{
	char err[1024], *xml, *text;
	int rc;

	if (!d->policy_in_xml)
		return policy_load(d->policy_path, host_env(guest), p, errs);
	rc = domain_metadata(&d->w, POLICY_XML_NS, &xml, err, sizeof(err));
	if (rc <= 0) {
		pjson_error(errs, "%s: %s", d->policy_path,
			    rc ? err : "there is no such element");
		return -1;
	}
	text = policy_xml_text(xml, err, sizeof(err));
	free(xml);
	if (!text) {
		pjson_error(errs, "%s: %s", d->policy_path, err);
		return -1;
	}
	rc = policy_parse(d->policy_path, text, host_env(guest), p, errs);
	free(text);
	return rc;
}

/*
 * Where the policy is: --policy FILE; else /etc/vmm-agent/DOMAIN.json if
 * it exists; else the domain's XML, read now (libvirt's event loop must
 * run first). 0, or -1 with the reason logged.
 */
static int find_policy(struct daemon *d, const char *domain)
{
	if (d->o->policy) {
		snprintf(d->policy_path, sizeof(d->policy_path), "%s",
			 d->o->policy);
		return 0;
	}
	policy_default_path(domain, d->policy_path, sizeof(d->policy_path));
	if (access(d->policy_path, F_OK) == 0 || errno != ENOENT)
		return 0;
	d->policy_in_xml = true;
	domain_watch_metadata(&d->w, POLICY_XML_NS);
	if (domain_connect(&d->w)) {
		log_err("no policy file %s, and the domain's XML cannot be read for a policy: %s",
			d->policy_path, d->w.err);
		return -1;
	}
	snprintf(d->policy_path, sizeof(d->policy_path),
		 "domain %s's <metadata> (%s)", d->w.name, POLICY_XML_NS);
	return 0;
}

static void reload_policy(struct daemon *d)
{
	struct policy_errors errs = { 0 };
	uint64_t guest = d->a.attached ? d->a.st.c.guest_bytes : 0;
	char err[1024];
	struct policy p;

	if (load_policy(d, guest, &p, &errs)) {
		for (unsigned int i = 0; i < errs.n; i++)
			log_err("%s", errs.msg[i]);
		log_err("policy reload rejected: keeping the last good policy");
		return;
	}
	if (agent_set_policy(&d->a, &p, err, sizeof(err))) {
		log_err("%s", err);
		log_err("policy reload rejected: keeping the last good policy");
		return;
	}
	log_info("policy %s reloaded", d->policy_path);
}

static void write_outputs(struct daemon *d)
{
	struct agent_status *st = &d->a.st;

	st->updated = (int64_t)time(NULL);
	if (status_write(d->o->status_dir, st))
		log_warn("cannot write status to %s: %s", d->o->status_dir,
			 strerror(errno));
	if (!d->o->prom_dir[0])
		return;
	/* once per failing stretch: the default directory is missing on a
	 * host without the node exporter, every interval would repeat it */
	if (prom_write(d->o->prom_dir, st)) {
		if (!d->prom_failing)
			log_warn("cannot write metrics to %s: %s (none until it can; --prom-dir \"\" writes none)",
				 d->o->prom_dir, strerror(errno));
		d->prom_failing = true;
	} else if (d->prom_failing) {
		log_info("metrics written to %s again", d->o->prom_dir);
		d->prom_failing = false;
	}
}

static void one_interval(struct daemon *d)
{
	unsigned int starts = 0;
	enum dom_state s = domain_poll(&d->w, time(NULL), &starts);
	struct agent_status *st = &d->a.st;

	if (s != d->last_state)
		log_info("domain %s is %s%s", d->w.name, dom_state_name(s),
			 s == DOM_RUNNING ? "" : ": tiering paused");
	d->last_state = s;
	snprintf(st->domain, sizeof(st->domain), "%s", d->w.name);
	snprintf(st->uuid, sizeof(st->uuid), "%s", d->w.uuid);
	snprintf(st->state, sizeof(st->state), "%s", dom_state_name(s));
	st->c.reconnects = d->w.reconnects;
	if (s == DOM_DISCONNECTED || s == DOM_UNDEFINED)
		report(d, d->w.err);
	if (s == DOM_STOPPED || s == DOM_UNDEFINED) {
		if (d->a.attached)
			log_info("domain %s stopped: detached", d->w.name);
		agent_detach(&d->a);
	}
	if (s != DOM_RUNNING) {
		st->c.paused = 1;
		return;
	}
	if (d->a.attached && starts != d->attached_starts) {
		log_info("domain %s was restarted: attaching anew", d->w.name);
		agent_detach(&d->a);
	}
	if (!d->a.attached)
		attach(d, starts);
	st->c.paused = !d->a.attached;
	if (!d->a.attached)
		return;
	if (agent_interval(&d->a)) {
		d->scan_failing = true;
		report(d, st->last_error);
	} else if (d->scan_failing) {
		/* e.g. the module is loaded again: say so, drop the error */
		d->scan_failing = false;
		if (!strcmp(st->last_error, d->last_logged))
			st->last_error[0] = '\0';
		d->last_logged[0] = '\0';
		log_info("domain %s: scanning works again: tiering resumed",
			 d->w.name);
	}
}

/*
 * At start, what restarting would not fix soon fails at once with its
 * reason: no /proc/idle_pages (module not loaded) or no access to it, and
 * a domain libvirt does not know (a typo, more often than not). A libvirt
 * daemon that does not answer yet is waited for, as later on.
 */
static int preflight(struct daemon *d)
{
	/* the status says why the agent exited */
	snprintf(d->a.st.domain, sizeof(d->a.st.domain), "%s", d->w.ident);
	if (ip_reader_open(&d->reader, getpid(), 0)) {
		report(d, d->reader.err);
		return -1;
	}
	ip_reader_close(&d->reader);
	if (domain_connect(&d->w) == 0) {
		log_info("connected to libvirt at %s: domain %s (%s)",
			 d->w.uri, d->w.name, d->w.uuid);
		return 0;
	}
	if (domain_state(&d->w) == DOM_UNDEFINED) {
		report(d, d->w.err);
		return -1;
	}
	log_warn("%s; trying again", d->w.err);
	return 0;
}

static void sleep_until(const struct timespec *deadline, struct daemon *d)
{
	while (!stop_requested) {
		if (reload_requested) {
			reload_requested = 0;
			interrupt_requested = stop_requested;
			reload_policy(d);
		}
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline,
				    NULL) != EINTR)
			return;
	}
}

static void add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static int cmd_run(const struct options *o, const char *domain)
{
	struct policy_errors errs = { 0 };
	struct sigaction sa;
	struct daemon *d;
	struct policy p;
	struct timespec next, now;
	char path[512];
	int ret = 0;

	d = calloc(1, sizeof(*d));
	if (!d)
		return 1;
	d->o = o;
	if (domain_events_start()) {
		log_err("cannot start the libvirt event loop");
		free(d);
		return 1;
	}
	domain_init(&d->w, o->uri, domain);
	if (find_policy(d, domain)) {
		domain_disconnect(&d->w);
		free(d);
		return 1;
	}
	if (load_policy(d, 0, &p, &errs)) {
		for (unsigned int i = 0; i < errs.n; i++)
			log_err("%s", errs.msg[i]);
		if (d->policy_in_xml)
			log_err("no policy for domain %s: no file %s/%s.json, nor a policy in its XML (virsh metadata %s --uri %s --key vmm --set '<policy>{...}</policy>' --live --config)",
				domain, POLICY_DIR, domain, domain,
				POLICY_XML_NS);
		domain_disconnect(&d->w);
		free(d);
		return EXIT_CONFIG;
	}
	if (mkdir(o->status_dir, 0755) && errno != EEXIST)
		log_warn("cannot create %s: %s", o->status_dir, strerror(errno));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: sleeps end early */
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ip_reader_init(&d->reader, NULL);
	agent_init(&d->a, &p, &mover_numa_ops, agent_scan_idle_pages,
		   &d->reader);
	d->a.stop = &interrupt_requested;
	d->a.st.started = (int64_t)time(NULL);
	snprintf(d->a.st.policy, sizeof(d->a.st.policy), "%s", d->policy_path);
	d->last_state = DOM_UNKNOWN;
	log_info("vmm-agent %s for domain %s at %s, policy %s (%s)", VERSION,
		 domain, o->uri, d->policy_path, policy_mode_name(p.mode));
	if (preflight(d)) {
		ret = 1;
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &next);
	d->meta_seen = domain_metadata_changes(&d->w);
	while (!stop_requested) {
		unsigned int changes = domain_metadata_changes(&d->w);

		/* `virsh metadata --set` of the policy: as a SIGHUP */
		if (d->policy_in_xml && changes != d->meta_seen) {
			d->meta_seen = changes;
			reload_policy(d);
		}
		one_interval(d);
		write_outputs(d);
		if (o->once) {
			ret = d->a.attached && !d->a.st.last_error[0] ? 0 : 1;
			break;
		}
		add_ms(&next, d->a.pol.scan_interval_ms);
		/*
		 * Fell behind (long moves, a stalled machine): the next scan
		 * a whole interval from now. Scans back to back would find
		 * nothing accessed and age every history for nothing.
		 */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) {
			next = now;
			add_ms(&next, d->a.pol.scan_interval_ms);
		}
		sleep_until(&next, d);
	}
	log_info("exiting");
out:
	snprintf(d->a.st.state, sizeof(d->a.st.state), "exited");
	d->a.st.c.paused = 1;
	write_outputs(d);
	/* stale metrics would outlive us in the textfile collector */
	if (o->prom_dir[0] && status_name_ok(d->a.st.domain)) {
		snprintf(path, sizeof(path), "%s/vmm-agent-%s.prom", o->prom_dir,
			 d->a.st.domain);
		unlink(path);
	}
	agent_fini(&d->a);
	ip_reader_fini(&d->reader);
	domain_disconnect(&d->w);
	domain_events_stop();
	free(d);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uri", required_argument, NULL, 'u' },
		{ "policy", required_argument, NULL, 'p' },
		{ "status-dir", required_argument, NULL, 's' },
		{ "prom-dir", required_argument, NULL, 'm' },
		{ "guest-memory", required_argument, NULL, 'g' },
		{ "node-dir", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = {
		.uri = IP_LIBVIRT_DEFAULT_URI, .status_dir = STATUS_DIR,
		.prom_dir = PROM_DIR,
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': o.uri = optarg; break;
		case 'p': o.policy = optarg; break;
		case 's': o.status_dir = optarg; break;
		case 'm': o.prom_dir = optarg; break;
		case 'g': o.guest_memory = optarg; break;
		case 'n': node_dir = optarg; break;
		case 'o': o.once = true; break;
		case 'j': o.json = true; break;
		case 'v': o.verbose = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("vmm-agent %s\n", VERSION); return 0;
		default: usage(stderr); return EXIT_CONFIG;
		}
	}
	vlog_init(o.verbose ? VLOG_DEBUG : VLOG_INFO, NULL);
	if (argc - optind == 1 && !strcmp(argv[optind], "status"))
		return cmd_status_all(&o);
	if (argc - optind != 2) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	cmd = argv[optind];
	if (!strcmp(cmd, "check-policy"))
		return cmd_check_policy(&o, argv[optind + 1]);
	if (!strcmp(cmd, "status"))
		return cmd_status(&o, argv[optind + 1]);
	if (!strcmp(cmd, "run"))
		return cmd_run(&o, argv[optind + 1]);
	fprintf(stderr, "vmm-agent: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_CONFIG;
}

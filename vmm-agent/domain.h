/* SPDX-License-Identifier: MIT */
/*
 * domain.h - the libvirt domain the agent is attached to: connection,
 * lookup by name or UUID, lifecycle and migration events, reconnection.
 *
 * libvirt's default event loop runs in a thread of its own
 * (domain_events_start); callbacks only record what happened, under a
 * lock, and the daemon loop reads it with domain_poll/domain_state.
 *
 * Tiering runs only in DOM_RUNNING. It pauses while the domain is
 * paused (a paused guest touches nothing: everything would look cold),
 * crashed, suspended, and while a job that reads guest memory runs: live
 * migration in or out (MIGRATION_ITERATION events, SUSPENDED_MIGRATED /
 * POSTCOPY, or the job stats' operation), save, dump and memory
 * snapshots. When the connection drops (libvirtd restarted), the state
 * is DOM_DISCONNECTED and domain_poll reconnects with exponential
 * backoff (1 s doubling to 60 s).
 */
#ifndef VMM_DOMAIN_H
#define VMM_DOMAIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <libvirt/libvirt.h>

enum dom_state {
	DOM_UNKNOWN,
	DOM_RUNNING,
	DOM_PAUSED,
	DOM_MIGRATING,		/* or another job reading guest memory */
	DOM_CRASHED,
	DOM_PMSUSPENDED,
	DOM_STOPPED,
	DOM_UNDEFINED,		/* no such domain (now) */
	DOM_DISCONNECTED,	/* libvirt unreachable */
};

const char *dom_state_name(enum dom_state s);

#define DOMAIN_BACKOFF_MAX	60

struct domain_watch {
	char uri[256];
	char ident[256];		/* as given: name or UUID */
	char name[256];
	char uuid[VIR_UUID_STRING_BUFLEN];
	virConnectPtr conn;
	virDomainPtr dom;
	int cb_lifecycle, cb_iteration, cb_job, cb_metadata;
	char meta_ns[128];		/* the metadata namespace watched */
	bool close_cb;
	pthread_mutex_t lock;
	/* under lock: written by the event thread */
	enum dom_state state;
	bool migrating;			/* a migration iteration was seen */
	bool conn_lost;
	unsigned int starts;		/* STARTED events: QEMU restarted */
	unsigned int meta_changes;	/* changes of meta_ns's element */
	/* reconnection */
	unsigned int backoff_s;
	time_t next_try;
	uint64_t reconnects;
	char err[1024];
};

/* Register libvirt's default event loop and run it in a thread. 0 / -1. */
int domain_events_start(void);
void domain_events_stop(void);

void domain_init(struct domain_watch *w, const char *uri, const char *ident);

/*
 * Connect and look the domain up, register for its events. 0, or -1
 * with w->err (and state DOM_DISCONNECTED or DOM_UNDEFINED).
 */
int domain_connect(struct domain_watch *w);
void domain_disconnect(struct domain_watch *w);

/*
 * Call every interval: reconnects (with backoff) if the connection is
 * gone, refreshes the state from libvirt and the job stats. Returns the
 * state; *starts counts QEMU starts seen (a change means re-attach).
 */
enum dom_state domain_poll(struct domain_watch *w, time_t now,
			   unsigned int *starts);

/* The state as last recorded (by domain_connect, events, domain_poll). */
enum dom_state domain_state(struct domain_watch *w);

/* The domain's memory (<memory>) in bytes, 0 if unknown. */
uint64_t domain_memory_bytes(struct domain_watch *w);

/*
 * The metadata element of namespace ns in the domain's XML (the live
 * definition if it runs), malloc'd into *xml. 1, 0 if it has none, or
 * -1 with err (not connected, libvirt failed).
 */
int domain_metadata(struct domain_watch *w, const char *ns, char **xml,
		    char *err, size_t errlen);

/*
 * Count the changes of the metadata element of namespace ns (set before
 * domain_connect; from then on, on every connection). The count, read
 * under the lock, is domain_metadata_changes().
 */
void domain_watch_metadata(struct domain_watch *w, const char *ns);
unsigned int domain_metadata_changes(struct domain_watch *w);

/* The QEMU pid (lib/ip_target + ip_libvirt). 0, or -1 with err. */
int domain_pid(struct domain_watch *w, pid_t *pid, char *err, size_t errlen);

/* The state an event's (type, detail) means; exposed for tests. */
enum dom_state domain_event_state(int event, int detail,
				  enum dom_state before);

#endif /* VMM_DOMAIN_H */

/* SPDX-License-Identifier: MIT */
/*
 * domain.c - libvirt connection, domain lookup, lifecycle and migration
 * events, reconnection with backoff (see domain.h).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "domain.h"
#include "ip_libvirt.h"
#include "ip_target.h"
#include "log.h"

static pthread_t event_thread;
static volatile int event_quit;
static bool event_running;

static const char *const state_names[] = {
	[DOM_UNKNOWN] = "unknown",
	[DOM_RUNNING] = "running",
	[DOM_PAUSED] = "paused",
	[DOM_MIGRATING] = "migrating",
	[DOM_CRASHED] = "crashed",
	[DOM_PMSUSPENDED] = "pmsuspended",
	[DOM_STOPPED] = "stopped",
	[DOM_UNDEFINED] = "undefined",
	[DOM_DISCONNECTED] = "disconnected",
};

const char *dom_state_name(enum dom_state s)
{
	return s <= DOM_DISCONNECTED ? state_names[s] : "?";
}

/* libvirt prints every error on stderr by default; we log our own. */
static void quiet_errors(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

static const char *virt_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

static void *event_loop(void *arg)
{
	(void)arg;
	while (!event_quit)
		if (virEventRunDefaultImpl() < 0)
			log_warn("libvirt event loop: %s", virt_error());
	return NULL;
}

int domain_events_start(void)
{
	sigset_t all, old;
	int err;

	virSetErrorFunc(NULL, quiet_errors);
	if (virEventRegisterDefaultImpl() < 0)
		return -1;
	/* signals belong to the daemon loop, not to this thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	event_quit = 0;
	err = pthread_create(&event_thread, NULL, event_loop, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	event_running = !err;
	return err ? -1 : 0;
}

static void wake_loop(int timer, void *opaque)
{
	(void)opaque;
	virEventRemoveTimeout(timer);
}

void domain_events_stop(void)
{
	if (!event_running)
		return;
	event_quit = 1;
	/* a due timer ends the loop's current wait */
	virEventAddTimeout(0, wake_loop, NULL, NULL);
	pthread_join(event_thread, NULL);
	event_running = false;
}

enum dom_state domain_event_state(int event, int detail,
				  enum dom_state before)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_STARTED:
		/* an incoming migration starts paused until it completes */
		return detail == VIR_DOMAIN_EVENT_STARTED_MIGRATED ?
		       DOM_MIGRATING : DOM_RUNNING;
	case VIR_DOMAIN_EVENT_SUSPENDED:
		return detail == VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED ||
		       detail == VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY ?
		       DOM_MIGRATING : DOM_PAUSED;
	case VIR_DOMAIN_EVENT_RESUMED:
		return detail == VIR_DOMAIN_EVENT_RESUMED_POSTCOPY ?
		       DOM_MIGRATING : DOM_RUNNING;
	case VIR_DOMAIN_EVENT_STOPPED:
		return DOM_STOPPED;
	case VIR_DOMAIN_EVENT_PMSUSPENDED:
		return DOM_PMSUSPENDED;
	case VIR_DOMAIN_EVENT_CRASHED:
		return DOM_CRASHED;
	case VIR_DOMAIN_EVENT_UNDEFINED:
		return before == DOM_STOPPED || before == DOM_UNKNOWN ?
		       DOM_UNDEFINED : before;
	default:	/* DEFINED, SHUTDOWN (still running until STOPPED) */
		return before;
	}
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
			int detail, void *opaque)
{
	struct domain_watch *w = opaque;
	enum dom_state now;

	(void)conn;
	(void)dom;
	pthread_mutex_lock(&w->lock);
	w->state = domain_event_state(event, detail, w->state);
	now = w->state;
	if (event == VIR_DOMAIN_EVENT_STARTED)
		w->starts++;
	if (event == VIR_DOMAIN_EVENT_STARTED ||
	    event == VIR_DOMAIN_EVENT_STOPPED ||
	    (event == VIR_DOMAIN_EVENT_RESUMED &&
	     detail == VIR_DOMAIN_EVENT_RESUMED_MIGRATED))
		w->migrating = false;
	pthread_mutex_unlock(&w->lock);
	log_info("domain %s: lifecycle event %d/%d: %s", w->name, event,
		 detail, dom_state_name(now));
	return 0;
}

static void on_iteration(virConnectPtr conn, virDomainPtr dom, int iteration,
			 void *opaque)
{
	struct domain_watch *w = opaque;

	(void)conn;
	(void)dom;
	pthread_mutex_lock(&w->lock);
	w->migrating = true;
	pthread_mutex_unlock(&w->lock);
	log_debug("domain %s: migration iteration %d", w->name, iteration);
}

static void on_job_completed(virConnectPtr conn, virDomainPtr dom,
			     virTypedParameterPtr params, int nparams,
			     void *opaque)
{
	struct domain_watch *w = opaque;

	(void)conn;
	(void)dom;
	(void)params;
	(void)nparams;
	pthread_mutex_lock(&w->lock);
	w->migrating = false;
	pthread_mutex_unlock(&w->lock);
}

static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
			const char *nsuri, void *opaque)
{
	struct domain_watch *w = opaque;

	(void)conn;
	(void)dom;
	if (type != VIR_DOMAIN_METADATA_ELEMENT || !nsuri ||
	    strcmp(nsuri, w->meta_ns))
		return;
	pthread_mutex_lock(&w->lock);
	w->meta_changes++;
	pthread_mutex_unlock(&w->lock);
	log_info("domain %s: its metadata %s changed", w->name, nsuri);
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct domain_watch *w = opaque;

	(void)conn;
	pthread_mutex_lock(&w->lock);
	w->conn_lost = true;
	pthread_mutex_unlock(&w->lock);
	log_warn("connection to libvirt at %s closed (reason %d)", w->uri,
		 reason);
}

void domain_init(struct domain_watch *w, const char *uri, const char *ident)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->uri, sizeof(w->uri), "%s", uri);
	snprintf(w->ident, sizeof(w->ident), "%s", ident);
	snprintf(w->name, sizeof(w->name), "%s", ident);
	pthread_mutex_init(&w->lock, NULL);
	w->cb_lifecycle = w->cb_iteration = w->cb_job = w->cb_metadata = -1;
	w->state = DOM_DISCONNECTED;
	w->backoff_s = 1;
}

static void set_state(struct domain_watch *w, enum dom_state s)
{
	pthread_mutex_lock(&w->lock);
	w->state = s;
	pthread_mutex_unlock(&w->lock);
}

static int register_events(struct domain_watch *w)
{
	w->cb_lifecycle = virConnectDomainEventRegisterAny(w->conn, w->dom,
		VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), w, NULL);
	if (w->cb_lifecycle < 0)
		return -1;
	/* not every driver has these: the job stats poll covers for them */
	w->cb_iteration = virConnectDomainEventRegisterAny(w->conn, w->dom,
		VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
		VIR_DOMAIN_EVENT_CALLBACK(on_iteration), w, NULL);
	w->cb_job = virConnectDomainEventRegisterAny(w->conn, w->dom,
		VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
		VIR_DOMAIN_EVENT_CALLBACK(on_job_completed), w, NULL);
	if (w->meta_ns[0])
		w->cb_metadata = virConnectDomainEventRegisterAny(w->conn,
			w->dom, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
			VIR_DOMAIN_EVENT_CALLBACK(on_metadata), w, NULL);
	w->close_cb = !virConnectRegisterCloseCallback(w->conn, on_close, w,
						       NULL);
	/* notice a dead daemon even when no packet arrives */
	virConnectSetKeepAlive(w->conn, 5, 3);
	return 0;
}

int domain_connect(struct domain_watch *w)
{
	domain_disconnect(w);
	w->conn = virConnectOpenReadOnly(w->uri);
	if (!w->conn) {
		snprintf(w->err, sizeof(w->err), "cannot connect to libvirt at %s: %s",
			 w->uri, virt_error());
		set_state(w, DOM_DISCONNECTED);
		return -1;
	}
	w->dom = virDomainLookupByUUIDString(w->conn, w->ident);
	if (!w->dom)
		w->dom = virDomainLookupByName(w->conn, w->ident);
	if (!w->dom) {
		snprintf(w->err, sizeof(w->err), "no libvirt domain with name or UUID '%s' at %s",
			 w->ident, w->uri);
		domain_disconnect(w);
		set_state(w, DOM_UNDEFINED);
		return -1;
	}
	snprintf(w->name, sizeof(w->name), "%s", virDomainGetName(w->dom));
	virDomainGetUUIDString(w->dom, w->uuid);
	if (register_events(w)) {
		snprintf(w->err, sizeof(w->err), "cannot register for events of domain %s: %s",
			 w->name, virt_error());
		domain_disconnect(w);
		set_state(w, DOM_DISCONNECTED);
		return -1;
	}
	pthread_mutex_lock(&w->lock);
	w->conn_lost = false;
	w->migrating = false;
	w->state = DOM_UNKNOWN;		/* domain_poll asks libvirt */
	pthread_mutex_unlock(&w->lock);
	w->err[0] = '\0';
	return 0;
}

void domain_disconnect(struct domain_watch *w)
{
	if (!w->conn)
		return;
	if (w->cb_lifecycle >= 0)
		virConnectDomainEventDeregisterAny(w->conn, w->cb_lifecycle);
	if (w->cb_iteration >= 0)
		virConnectDomainEventDeregisterAny(w->conn, w->cb_iteration);
	if (w->cb_job >= 0)
		virConnectDomainEventDeregisterAny(w->conn, w->cb_job);
	if (w->cb_metadata >= 0)
		virConnectDomainEventDeregisterAny(w->conn, w->cb_metadata);
	if (w->close_cb)
		virConnectUnregisterCloseCallback(w->conn, on_close);
	w->cb_lifecycle = w->cb_iteration = w->cb_job = w->cb_metadata = -1;
	w->close_cb = false;
	if (w->dom)
		virDomainFree(w->dom);
	w->dom = NULL;
	virConnectClose(w->conn);
	w->conn = NULL;
}

/* The state libvirt reports now. */
static enum dom_state query_state(struct domain_watch *w)
{
	int state, reason;

	if (virDomainGetState(w->dom, &state, &reason, 0) < 0)
		return DOM_UNKNOWN;
	switch (state) {
	case VIR_DOMAIN_RUNNING:
		return reason == VIR_DOMAIN_RUNNING_POSTCOPY ? DOM_MIGRATING :
		       DOM_RUNNING;
	case VIR_DOMAIN_BLOCKED:
	case VIR_DOMAIN_SHUTDOWN:
		return DOM_RUNNING;
	case VIR_DOMAIN_PAUSED:
		return reason == VIR_DOMAIN_PAUSED_MIGRATION ||
		       reason == VIR_DOMAIN_PAUSED_POSTCOPY ||
		       reason == VIR_DOMAIN_PAUSED_POSTCOPY_FAILED ?
		       DOM_MIGRATING : DOM_PAUSED;
	case VIR_DOMAIN_SHUTOFF:
		return DOM_STOPPED;
	case VIR_DOMAIN_CRASHED:
		return DOM_CRASHED;
	case VIR_DOMAIN_PMSUSPENDED:
		return DOM_PMSUSPENDED;
	default:
		return DOM_UNKNOWN;
	}
}

/*
 * Is a job running that reads guest memory (migration, save, dump,
 * snapshot)? -1 if the driver cannot say.
 */
static int memory_job_running(struct domain_watch *w)
{
	virTypedParameterPtr params = NULL;
	int type, nparams = 0, op = -1, ret;

	if (virDomainGetJobStats(w->dom, &type, &params, &nparams, 0) < 0)
		return -1;
	ret = 0;
	if (type != VIR_DOMAIN_JOB_NONE) {
		if (virTypedParamsGetInt(params, nparams,
					 VIR_DOMAIN_JOB_OPERATION, &op) != 1)
			ret = 1;	/* no operation named: assume the worst */
		else
			ret = op == VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN ||
			      op == VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT ||
			      op == VIR_DOMAIN_JOB_OPERATION_SAVE ||
			      op == VIR_DOMAIN_JOB_OPERATION_RESTORE ||
			      op == VIR_DOMAIN_JOB_OPERATION_DUMP ||
			      op == VIR_DOMAIN_JOB_OPERATION_SNAPSHOT ||
			      op == VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT;
	}
	virTypedParamsFree(params, nparams);
	return ret;
}

static void try_reconnect(struct domain_watch *w, time_t now)
{
	bool had_domain = w->uuid[0] != '\0';

	if (now < w->next_try)
		return;
	if (domain_connect(w) == 0) {
		if (had_domain)
			w->reconnects++;
		w->backoff_s = 1;
		log_info("connected to libvirt at %s: domain %s (%s)", w->uri,
			 w->name, w->uuid);
		return;
	}
	log_warn("%s; next try in %u s", w->err, w->backoff_s);
	w->next_try = now + w->backoff_s;
	w->backoff_s = w->backoff_s * 2 > DOMAIN_BACKOFF_MAX ?
		       DOMAIN_BACKOFF_MAX : w->backoff_s * 2;
}

enum dom_state domain_poll(struct domain_watch *w, time_t now,
			   unsigned int *starts)
{
	enum dom_state s;
	bool lost, undefined, migrating;
	int job;

	pthread_mutex_lock(&w->lock);
	lost = w->conn_lost;
	w->conn_lost = false;
	undefined = w->state == DOM_UNDEFINED;
	pthread_mutex_unlock(&w->lock);
	if (lost) {
		domain_disconnect(w);
		set_state(w, DOM_DISCONNECTED);
	} else if (undefined && w->conn) {
		/* a domain of that name may be defined anew: look again */
		domain_disconnect(w);
	}
	if (!w->conn)
		try_reconnect(w, now);
	if (w->conn && w->dom) {
		s = query_state(w);
		job = s == DOM_RUNNING ? memory_job_running(w) : 0;
		pthread_mutex_lock(&w->lock);
		if (job >= 0)
			w->migrating = job;
		migrating = w->migrating;
		if (s != DOM_UNKNOWN)
			w->state = s == DOM_RUNNING && migrating ?
				   DOM_MIGRATING : s;
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	s = w->state;
	if (starts)
		*starts = w->starts;
	pthread_mutex_unlock(&w->lock);
	return s;
}

enum dom_state domain_state(struct domain_watch *w)
{
	enum dom_state s;

	pthread_mutex_lock(&w->lock);
	s = w->state;
	pthread_mutex_unlock(&w->lock);
	return s;
}

uint64_t domain_memory_bytes(struct domain_watch *w)
{
	unsigned long kib;

	if (!w->dom)
		return 0;
	kib = virDomainGetMaxMemory(w->dom);
	return (uint64_t)kib * 1024;
}

void domain_watch_metadata(struct domain_watch *w, const char *ns)
{
	snprintf(w->meta_ns, sizeof(w->meta_ns), "%s", ns);
}

unsigned int domain_metadata_changes(struct domain_watch *w)
{
	unsigned int n;

	pthread_mutex_lock(&w->lock);
	n = w->meta_changes;
	pthread_mutex_unlock(&w->lock);
	return n;
}

int domain_metadata(struct domain_watch *w, const char *ns, char **xml,
		    char *err, size_t errlen)
{
	virErrorPtr e;

	*xml = NULL;
	if (!w->dom) {
		snprintf(err, errlen, "not connected to libvirt: %s",
			 w->err[0] ? w->err : "no connection");
		return -1;
	}
	*xml = virDomainGetMetadata(w->dom, VIR_DOMAIN_METADATA_ELEMENT, ns,
				    VIR_DOMAIN_AFFECT_CURRENT);
	if (*xml)
		return 1;
	e = virGetLastError();
	if (e && e->code == VIR_ERR_NO_DOMAIN_METADATA)
		return 0;
	snprintf(err, errlen, "cannot read the metadata of domain %s: %s",
		 w->name, virt_error());
	return -1;
}

int domain_pid(struct domain_watch *w, pid_t *pid, char *err, size_t errlen)
{
	struct ip_target t;

	memset(&t, 0, sizeof(t));
	/* by UUID: a name of digits would be taken for a pid */
	if (ip_target_resolve(w->uuid[0] ? w->uuid : w->ident, w->uri,
			      ip_libvirt_lookup, &t, err, errlen))
		return -1;
	if (!t.is_vm)
		log_warn("%s owns no KVM VM (TCG?): its own page tables are scanned",
			 t.desc);
	*pid = t.pid;
	return 0;
}

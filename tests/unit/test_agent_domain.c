/* SPDX-License-Identifier: MIT */
/*
 * test_agent_domain.c - vmm-agent's libvirt side against libvirt's own
 * test driver (test:///default, in process): lookup by name and UUID,
 * lifecycle events through the event-loop thread, what each event means
 * for tiering, reconnection with backoff, and a policy in the domain's
 * XML metadata read back as its JSON text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "harness.h"
#include "log.h"
#include "policy_xml.h"

#define TEST_URI	"test:///default"
#define TEST_UUID	"6695eb01-f6a4-8304-79aa-97f2502e193f"

static struct domain_watch w;

/* The state as the event thread left it, waiting up to 2 s for want. */
static enum dom_state wait_event_state(enum dom_state want)
{
	enum dom_state s = DOM_UNKNOWN;

	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&w.lock);
		s = w.state;
		pthread_mutex_unlock(&w.lock);
		if (s == want)
			break;
		usleep(10000);
	}
	return s;
}

static void test_event_meanings(void)
{
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_SUSPENDED,
				 VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
				 DOM_RUNNING) == DOM_PAUSED);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_SUSPENDED,
				 VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED,
				 DOM_RUNNING) == DOM_MIGRATING);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_SUSPENDED,
				 VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY,
				 DOM_RUNNING) == DOM_MIGRATING);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_RESUMED,
				 VIR_DOMAIN_EVENT_RESUMED_POSTCOPY,
				 DOM_MIGRATING) == DOM_MIGRATING);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_RESUMED,
				 VIR_DOMAIN_EVENT_RESUMED_MIGRATED,
				 DOM_MIGRATING) == DOM_RUNNING);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_STARTED,
				 VIR_DOMAIN_EVENT_STARTED_MIGRATED,
				 DOM_STOPPED) == DOM_MIGRATING);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_STARTED,
				 VIR_DOMAIN_EVENT_STARTED_BOOTED,
				 DOM_STOPPED) == DOM_RUNNING);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_SHUTDOWN,
				 VIR_DOMAIN_EVENT_SHUTDOWN_GUEST,
				 DOM_RUNNING) == DOM_RUNNING);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_STOPPED,
				 VIR_DOMAIN_EVENT_STOPPED_CRASHED,
				 DOM_RUNNING) == DOM_STOPPED);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_CRASHED,
				 VIR_DOMAIN_EVENT_CRASHED_PANICKED,
				 DOM_RUNNING) == DOM_CRASHED);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_PMSUSPENDED, 0,
				 DOM_RUNNING) == DOM_PMSUSPENDED);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_UNDEFINED, 0,
				 DOM_STOPPED) == DOM_UNDEFINED);
	CHECK(domain_event_state(VIR_DOMAIN_EVENT_UNDEFINED, 0,
				 DOM_RUNNING) == DOM_RUNNING);
}

static void test_lookup_by_name_and_uuid(void)
{
	unsigned int starts;

	domain_init(&w, TEST_URI, "test");
	CHECK(domain_connect(&w) == 0);
	CHECK(!strcmp(w.uuid, TEST_UUID));
	CHECK(domain_poll(&w, 0, &starts) == DOM_RUNNING);
	CHECK_EQ_U64(domain_memory_bytes(&w), 8ull << 30);
	domain_disconnect(&w);

	domain_init(&w, TEST_URI, TEST_UUID);
	CHECK(domain_connect(&w) == 0);
	CHECK(!strcmp(w.name, "test"));
	domain_disconnect(&w);

	domain_init(&w, TEST_URI, "nosuchvm");
	CHECK(domain_connect(&w) == -1);
	CHECK(strstr(w.err, "no libvirt domain with name or UUID 'nosuchvm' at test:///default") != NULL);
	CHECK(domain_poll(&w, 0, NULL) == DOM_UNDEFINED);
	domain_disconnect(&w);
}

/*
 * A policy set with virDomainSetMetadata (what `virsh metadata --set`
 * does) is found through the agent's read-only connection, entities and
 * all; a domain without one says so (0), not an error.
 */
static void test_policy_in_metadata(void)
{
	const char *json = "{ \"dram_nodes\": [0], \"mode\": \"a<b&c\" }";
	virConnectPtr rw = virConnectOpen(TEST_URI);
	char err[256], *xml = NULL, *text;

	CHECK(rw != NULL);
	domain_init(&w, TEST_URI, "test");
	domain_watch_metadata(&w, POLICY_XML_NS);
	CHECK(domain_connect(&w) == 0);
	CHECK(domain_metadata(&w, POLICY_XML_NS, &xml, err, sizeof(err)) == 0);
	CHECK(xml == NULL);
	if (rw) {
		virDomainPtr dom = virDomainLookupByName(rw, "test");

		CHECK(dom != NULL);
		CHECK(dom && virDomainSetMetadata(dom,
			VIR_DOMAIN_METADATA_ELEMENT,
			"<policy>{ \"dram_nodes\": [0], \"mode\": \"a&lt;b&amp;c\" }</policy>",
			"vmm", POLICY_XML_NS, VIR_DOMAIN_AFFECT_CURRENT) == 0);
		if (dom)
			virDomainFree(dom);
	}
	/* the change is an event: the agent rereads its policy on it */
	for (int i = 0; i < 200 && !domain_metadata_changes(&w); i++)
		usleep(10000);
	CHECK_EQ_U64(domain_metadata_changes(&w), 1);
	if (rw) {	/* another application's metadata: not ours */
		virDomainPtr dom = virDomainLookupByName(rw, "test");

		CHECK(dom && virDomainSetMetadata(dom,
			VIR_DOMAIN_METADATA_ELEMENT, "<x>1</x>", "o",
			"http://other.example/ns", 0) == 0);
		if (dom)
			virDomainFree(dom);
		usleep(200000);
		CHECK_EQ_U64(domain_metadata_changes(&w), 1);
	}
	CHECK(domain_metadata(&w, POLICY_XML_NS, &xml, err, sizeof(err)) == 1);
	text = xml ? policy_xml_text(xml, err, sizeof(err)) : NULL;
	CHECK(text != NULL && !strcmp(text, json));
	if (!text)
		fprintf(stderr, "metadata: %s (%s)\n", xml ? xml : "none", err);
	free(text);
	free(xml);
	domain_disconnect(&w);
	CHECK(domain_metadata(&w, POLICY_XML_NS, &xml, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not connected to libvirt") != NULL);
	if (rw)
		virConnectClose(rw);
}

/* The element's text as the agent takes it, and what it refuses. */
static void test_policy_xml_text(void)
{
	static const struct {
		const char *xml, *text, *err;
	} cases[] = {
		{ "<policy xmlns=\"" POLICY_XML_NS "\">{\"a\": 1}</policy>",
		  "{\"a\": 1}", NULL },
		{ "\n <vmm:policy xmlns:vmm=\"x\">&#123;&#x22;k&quot;:&apos;&gt;&apos;}</vmm:policy>\n",
		  "{\"k\":'>'}", NULL },
		{ "<policy><![CDATA[{\"a\": \"<&>\"}]]></policy>",
		  "{\"a\": \"<&>\"}", NULL },
		{ "<policy/>", "", NULL },
		{ "{\"a\": 1}", NULL, "not one XML element" },
		{ "<policy>{<x/>}</policy>", NULL, "must hold JSON text, not other XML" },
		{ "<policy>&nbsp;</policy>", NULL, "XML entity" },
		{ "<policy>&#0;</policy>", NULL, "XML entity" },
		{ "<policy><![CDATA[x</policy>", NULL, "CDATA section" },
		{ "<policy>{}", NULL, "no end tag" },
		{ "<policy", NULL, "start tag is not closed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";
		char *t = policy_xml_text(cases[i].xml, err, sizeof(err));

		if (cases[i].text) {
			CHECK(t != NULL && !strcmp(t, cases[i].text));
		} else {
			CHECK(t == NULL);
			CHECK(strstr(err, cases[i].err) != NULL);
		}
		if ((cases[i].text && (!t || strcmp(t, cases[i].text))) ||
		    (!cases[i].text && (t || !strstr(err, cases[i].err))))
			fprintf(stderr, "case %zu: got '%s' (%s)\n", i,
				t ? t : "NULL", err);
		free(t);
	}
}

static void test_lifecycle_events_arrive(void)
{
	unsigned int starts0, starts1;

	domain_init(&w, TEST_URI, "test");
	CHECK(domain_connect(&w) == 0);
	CHECK(domain_poll(&w, 0, &starts0) == DOM_RUNNING);

	CHECK(virDomainSuspend(w.dom) == -1);	/* read-only connection */
	{
		/* a second, writable connection plays the administrator */
		virConnectPtr admin = virConnectOpen(TEST_URI);
		virDomainPtr d = virDomainLookupByName(admin, "test");

		CHECK(virDomainSuspend(d) == 0);
		CHECK(wait_event_state(DOM_PAUSED) == DOM_PAUSED);
		CHECK(virDomainResume(d) == 0);
		CHECK(wait_event_state(DOM_RUNNING) == DOM_RUNNING);
		CHECK(virDomainDestroy(d) == 0);
		CHECK(wait_event_state(DOM_STOPPED) == DOM_STOPPED);
		CHECK(domain_poll(&w, 0, &starts1) == DOM_STOPPED);
		CHECK(virDomainCreate(d) == 0);
		CHECK(wait_event_state(DOM_RUNNING) == DOM_RUNNING);
		CHECK(domain_poll(&w, 0, &starts1) == DOM_RUNNING);
		CHECK_EQ_U64(starts1, starts0 + 1);	/* a new QEMU */
		virDomainFree(d);
		virConnectClose(admin);
	}
	domain_disconnect(&w);
}

static void test_reconnect_with_backoff(void)
{
	unsigned int starts;
	time_t t = 1000;

	domain_init(&w, "test:///nonexistent/config.xml", "test");
	CHECK(domain_poll(&w, t, &starts) == DOM_DISCONNECTED);
	CHECK(strstr(w.err, "cannot connect to libvirt at test:///nonexistent/config.xml") != NULL);
	CHECK_EQ_U64(w.next_try, t + 1);
	CHECK(domain_poll(&w, t + 1, &starts) == DOM_DISCONNECTED);
	CHECK_EQ_U64(w.next_try, t + 1 + 2);
	CHECK(domain_poll(&w, t + 2, &starts) == DOM_DISCONNECTED);
	CHECK_EQ_U64(w.next_try, t + 3);	/* not yet due: no attempt */
	for (int i = 0; i < 10; i++)
		domain_poll(&w, w.next_try, &starts);
	CHECK_EQ_U64(w.backoff_s, DOMAIN_BACKOFF_MAX);

	/* the daemon is back */
	snprintf(w.uri, sizeof(w.uri), "%s", TEST_URI);
	CHECK(domain_poll(&w, w.next_try, &starts) == DOM_RUNNING);
	CHECK_EQ_U64(w.backoff_s, 1);

	/* the connection drops (close callback): reconnect at once */
	pthread_mutex_lock(&w.lock);
	w.conn_lost = true;
	pthread_mutex_unlock(&w.lock);
	CHECK(domain_poll(&w, w.next_try + 100, &starts) == DOM_RUNNING);
	CHECK_EQ_U64(w.reconnects, 1);
	domain_disconnect(&w);
}

int main(void)
{
	vlog_init(VLOG_ERR, NULL);
	CHECK(domain_events_start() == 0);
	RUN_TEST(test_event_meanings);
	RUN_TEST(test_lookup_by_name_and_uuid);
	RUN_TEST(test_policy_in_metadata);
	RUN_TEST(test_policy_xml_text);
	RUN_TEST(test_lifecycle_events_arrive);
	RUN_TEST(test_reconnect_with_backoff);
	domain_events_stop();
	return TEST_SUMMARY();
}

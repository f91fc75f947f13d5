/* unit tests for node_reason.c: a round's probes grouped by failure,
 * shortened at words */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/config.h"
#include "common/config_probe.h"
#include "common/text.h"
#include "controller/node_priv.h"
#include "probes/judge.h"

#define NPR 6
#define ELL "\xe2\x80\xa6"

static struct cfg_addr a4 = { .port = 53, .text = "192.0.2.53" };
static struct cfg_addr a6 = { .port = 53, .text = "2001:db8::53" };
static struct cfg_probe specs[NPR];
static struct node_probe pr[NPR];
static struct node_svc svc = { .pr = pr };

static void probe(size_t i, const char *name, int tcp, struct cfg_addr *to,
		  enum probe_verdict v, const char *why)
{
	char q[160];

	specs[i] = (struct cfg_probe){ .name = (char *)name, .transport = tcp ? PROBE_TCP : 0,
				       .target = to, .qname = ".", .qtype = 6, .qclass = 1 };
	pr[i] = (struct node_probe){ .spec = &specs[i], .have = true };
	pr[i].last.verdict = v;
	judge_describe(&specs[i], q, sizeof q);
	if (v != PROBE_OK)
		snprintf(pr[i].last.reason, sizeof pr[i].last.reason, "%s: %s", q, why);
	svc.npr = i + 1;
}

/* the NOC example: four probes of one dead server read as two failures */
static void dead_server(void)
{
	probe(0, "soa4", 0, &a4, PROBE_HARD, "port unreachable (ICMP): nothing listens on "
	      "192.0.2.53");
	probe(1, "soa6", 0, &a6, PROBE_HARD, "port unreachable (ICMP): nothing listens on "
	      "2001:db8::53");
	probe(2, "tcp4", 1, &a4, PROBE_HARD, "connection refused: nothing listens on "
	      "192.0.2.53");
	probe(3, "www4", 0, &a4, PROBE_HARD, "port unreachable (ICMP): nothing listens on "
	      "192.0.2.53");
	probe(4, "ok4", 0, &a4, PROBE_OK, "");
	probe(5, "ok6", 0, &a6, PROBE_OK, "");
}

static void test_grouped(void **state)
{
	char buf[256];

	dead_server();
	node_reason_round(&svc, buf, sizeof buf);
	assert_string_equal(buf, "soa4, soa6, www4: port unreachable (ICMP): nothing listens on "
			    "port 53; tcp4: connection refused: nothing listens on port 53; "
			    "ok4, ok6 ok");
}

static void test_distinct_and_ok(void **state)
{
	char buf[256];

	probe(0, "udp4", 0, &a4, PROBE_TIMEOUT, "timeout after 400 ms");
	probe(1, "tcp4", 1, &a4, PROBE_OK, "");
	node_reason_round(&svc, buf, sizeof buf);
	assert_string_equal(buf, "udp4: timeout after 400 ms; tcp4 ok");
	/* a verdict without a reason says the verdict */
	pr[0].last.reason[0] = '\0';
	node_reason_round(&svc, buf, sizeof buf);
	assert_string_equal(buf, "udp4: timeout; tcp4 ok");
}

/* short buffers: whole groups left off, counted, never a cut word */
static void test_more(void **state)
{
	char buf[120];

	dead_server();
	node_reason_round(&svc, buf, sizeof buf);
	assert_string_equal(buf, "soa4, soa6, www4: port unreachable (ICMP): nothing listens on "
			    "port 53; " ELL " (3 more)");
	node_reason_round(&svc, buf, 60);
	assert_string_equal(buf, "soa4, soa6, www4: port unreachable " ELL " (3 more)");
	assert_true(strlen(buf) < 60);
}

static void test_fit(void **state)
{
	char buf[16];

	text_fit(buf, sizeof buf, "short");
	assert_string_equal(buf, "short");
	text_fit(buf, sizeof buf, "fifteen chars x");
	assert_string_equal(buf, "fifteen chars x");
	text_fit(buf, sizeof buf, "one two three four");
	assert_string_equal(buf, "one two " ELL);
	text_fit(buf, sizeof buf, "one two: three four");
	assert_string_equal(buf, "one two " ELL);
	text_fit(buf, sizeof buf, "supercalifragilistic");
	assert_string_equal(buf, ELL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouped),
		cmocka_unit_test(test_distinct_and_ok),
		cmocka_unit_test(test_more),
		cmocka_unit_test(test_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

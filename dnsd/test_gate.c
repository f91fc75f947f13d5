/* unit tests: a zone file version is asked the probes' questions before it
 * is published (gate.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/config.h"
#include "dnsd/gate.h"
#include "dnsd/test_engine_util.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

#define ZONE(www, extra) "$ORIGIN example.\n$TTL 300\n" \
	"@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\nwww A " www "\nsub NS ns1.sub\n" \
	"ns1.sub A 192.0.2.9\n" extra

static struct raiz_config *config(const char *probes, bool gate)
{
	char text[4096], err[512];
	struct raiz_config *cfg = NULL;
	snprintf(text, sizeof text,
		 "{ \"node\": { \"identity\": \"t1\" },\n"
		 "  \"dnsd\": { \"listen\": [\"127.0.0.1@5353\"]%s },\n"
		 "  \"zones\": [ { \"name\": \"example.\", \"file\": \"/nonexistent/e\" },\n"
		 "             { \"name\": \"sub.example.\", \"file\": \"/nonexistent/s\" } ],\n"
		 "  \"probes\": [ %s ] }\n", gate ? "" : ", \"probe-gate\": false", probes);
	if (config_load_string("t.json", text, &cfg, err, sizeof err) != 0)
		fail_msg("%s", err);
	return cfg;
}

static struct zone *zone(const char *text)
{
	char err[512];
	struct zone *z = zone_load("example.", tfile("gate.zone", text), err, sizeof err);
	if (!z)
		fail_msg("%s", err);
	return z;
}

#define WWW "{ \"name\": \"www\", \"target\": \"192.0.2.53\", \"qname\": \"www.example.\", " \
	    "\"qtype\": \"A\", \"expect-rdata\": [\"192.0.2.80\"], \"expect-nsid\": \"t1\", " \
	    "\"max-latency\": \"1ms\" }"

static void test_right_and_wrong(void **state)
{
	(void)state;
	struct raiz_config *cfg = config(WWW, true);
	char why[600] = "";
	struct zone *z = zone(ZONE("192.0.2.80", ""));
	/* NSID and latency are the running probes' business, not the data's */
	assert_int_equal(gate_check(cfg, z, why, sizeof why), 0);
	zone_unref(z);

	z = zone(ZONE("198.51.100.66", ""));
	assert_int_equal(gate_check(cfg, z, why, sizeof why), -1);
	assert_non_null(strstr(why, "probe www would fail"));
	assert_non_null(strstr(why, "192.0.2.80"));
	zone_unref(z);

	/* a name that is gone: NXDOMAIN where an answer is expected */
	z = zone("$ORIGIN example.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n");
	assert_int_equal(gate_check(cfg, z, why, sizeof why), -1);
	assert_non_null(strstr(why, "NXDOMAIN"));
	zone_unref(z);
	config_free(cfg);
}

/* probes of other zones do not apply: another tree, or a zone configured
 * below this one (the probe's name is answered there, not here) */
static void test_scope(void **state)
{
	(void)state;
	struct raiz_config *cfg = config(
		"{ \"name\": \"other\", \"target\": \"192.0.2.53\", \"qname\": \"www.example.org.\", "
		"\"qtype\": \"A\", \"expect-rdata\": [\"192.0.2.1\"] },\n"
		"{ \"name\": \"child\", \"target\": \"192.0.2.53\", \"qname\": \"www.sub.example.\", "
		"\"qtype\": \"A\", \"expect-rdata\": [\"192.0.2.1\"] },\n"
		"{ \"name\": \"chaos\", \"target\": \"192.0.2.53\", \"qname\": \"id.server.\", "
		"\"qclass\": \"CH\", \"qtype\": \"TXT\" }", true);
	char why[600] = "";
	struct zone *z = zone(ZONE("192.0.2.80", ""));
	assert_int_equal(gate_check(cfg, z, why, sizeof why), 0);
	zone_unref(z);
	config_free(cfg);
}

/* the zone set keeps the served version of a file that fails, and says
 * why; with "probe-gate": false the file is published */
static void test_zoneset(void **state)
{
	(void)state;
	char path[1024];
	snprintf(path, sizeof path, "%s", tfile("gate-set.zone", ZONE("192.0.2.80", "")));
	for (int gate = 1; gate >= 0; gate--) {
		struct raiz_config *cfg = config(WWW, gate);
		free(cfg->zones[0].file);
		cfg->zones[0].file = strdup(path);
		free(cfg->zones[1].file);
		cfg->zones[1].file = strdup(tfile("gate-sub.zone", "$ORIGIN sub.example.\n$TTL 300\n"
						  "@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.9\n"));
		tfile("gate-set.zone", ZONE("192.0.2.80", ""));
		struct zoneset *a = zoneset_build(cfg, NULL);
		assert_int_equal(zoneset_zone(a, 0)->serial, 1);
		/* serial 2 with a wrong www */
		tfile("gate-set.zone", "$ORIGIN example.\n$TTL 300\n@ SOA ns1 h 2 2 3 4 5\n@ NS ns1\n"
		      "ns1 A 192.0.2.1\nwww A 198.51.100.66\n");
		struct zoneset *b = zoneset_build(cfg, a);
		struct zoneset_info zi;
		zoneset_info(b, 0, &zi);
		if (gate) {
			assert_int_equal(zoneset_zone(b, 0)->serial, 1);
			assert_non_null(zi.error);
			assert_non_null(strstr(zi.error, "serial 2 refused: probe www would fail"));
		} else {
			assert_int_equal(zoneset_zone(b, 0)->serial, 2);
			assert_null(zi.error);
		}
		zoneset_free(b);
		zoneset_free(a);
		config_free(cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_right_and_wrong),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_zoneset),
	};
	tdir_make();
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	tdir_remove();
	return r;
}

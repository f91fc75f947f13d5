/* unit tests for ctlprint.c (raizctl's text) and ctljson.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "raizctl/ctljson.h"
#include "raizctl/ctlprint.h"

static char *out;

/* print st with fn into out (freed by the next call and at the end) */
static const char *print(void (*fn)(FILE *, json_object *), const char *txt)
{
	size_t len;
	json_object *o = txt ? json_tokener_parse(txt) : NULL;
	free(out);
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_true(!txt || o);
	fn(f, o);
	fclose(f);
	json_object_put(o);
	return out;
}

/* a drain shows when it began and when it withdraws: two different times */
static void test_maintenance_times(void **st)
{
	const char *s = print(ctlprint_status,
		"{\"ok\":true,\"node\":\"t1\",\"healthy\":false,"
		"\"healthy-why\":\"192.0.2.0/24 drained: maintenance\","
		"\"maintenance\":{\"active\":true,\"since\":\"2026-11-21T08:00:00.123Z\","
		"\"reason\":\"kernel\",\"withdraw-at\":\"2026-11-21T08:01:00.123Z\","
		"\"drain-time-ms\":60000}}");
	assert_non_null(strstr(s, "node t1: NOT healthy: 192.0.2.0/24 drained: maintenance\n"));
	assert_non_null(strstr(s, "maintenance: DRAIN since 2026-11-21T08:00:00Z (kernel); "
			       "withdrawn from 2026-11-21T08:01:00Z;"));
}

/* the zone copies' verdict is shown unless it is healthy */
static void test_zone_sync(void **st)
{
	const char *s = print(ctlprint_status,
		"{\"node\":\"t1\",\"healthy\":false,\"healthy-why\":\"dns down\","
		"\"zone-sync\":{\"verdict\":\"unhealthy\",\"reason\":\"zone br.: expired\"}}");
	assert_non_null(strstr(s, "zone copies: UNFIT: zone br.: expired\n"));
	s = print(ctlprint_status,
		"{\"node\":\"t1\",\"healthy\":true,\"zone-sync\":{\"verdict\":\"unknown\","
		"\"reason\":\"cannot connect\"}}");
	assert_non_null(strstr(s, "zone copies: UNKNOWN (raiz-dnsd's control socket does not "
			       "answer; not a reason to withdraw): cannot connect\n"));
	s = print(ctlprint_status,
		"{\"node\":\"t1\",\"healthy\":true,\"zone-sync\":{\"verdict\":\"healthy\"}}");
	assert_null(strstr(s, "zone copies"));
}

/* what BIRD shows comes from the controller; raizctl only prints it */
static void test_bird_lines(void **st)
{
	const char *s = print(ctlprint_status,
		"{\"node\":\"t1\",\"healthy\":true,\"prefixes\":[{\"prefix\":\"192.0.2.0/24\","
		"\"static-protocol\":\"raiz_v4\",\"desired\":\"announce\",\"verified\":true,"
		"\"since\":\"2026-11-21T08:00:00.000Z\",\"why\":\"dns up\",\"services\":[\"dns\"],"
		"\"bird\":{\"connected\":true,\"static\":\"up\",\"bgp\":[{\"name\":\"isp\","
		"\"state\":\"up\",\"info\":\"Established\",\"exported\":true,\"drained\":true}]}}],"
		"\"services\":[{\"name\":\"dns\",\"state\":\"up\",\"probes-ok\":2,"
		"\"probes-total\":2,\"why\":\"every probe answers correctly\",\"penalty\":0,"
		"\"probes\":[{\"name\":\"udp4\",\"verdict\":\"ok\",\"latency-ms\":0.5,"
		"\"reason\":\"\"}]}]}");
	assert_non_null(strstr(s, "node t1: healthy, every prefix announced\n"));
	assert_non_null(strstr(s, "192.0.2.0/24       ANNOUNCED   since 2026-11-21T08:00:00Z  "
			       "(dns up: 2/2 probes ok)\n"));
	assert_non_null(strstr(s, "    bird: connected, static raiz_v4 up; isp up Established "
			       "exported with 65535:0\n"));
	assert_non_null(strstr(s, "service dns        UP        since -  2/2 probes ok\n"));
	assert_null(strstr(s, "damping"));
	s = print(ctlprint_status,
		"{\"node\":\"t1\",\"healthy\":false,\"healthy-why\":\"not connected to BIRD\","
		"\"prefixes\":[{\"prefix\":\"192.0.2.0/24\",\"static-protocol\":\"raiz_v4\","
		"\"desired\":\"announce\",\"verified\":false,\"bird\":{\"connected\":false,"
		"\"static\":\"unknown\",\"bgp\":[{\"name\":\"isp\",\"state\":\"unknown\","
		"\"info\":\"\"}],\"error\":\"BIRD: not connected\","
		"\"error-at\":\"2026-11-21T08:00:02.000Z\"}}]}");
	assert_non_null(strstr(s, "node t1: NOT healthy: not connected to BIRD\n"));
	assert_non_null(strstr(s, "ANNOUNCING"));
	assert_non_null(strstr(s, "    bird: NOT CONNECTED, static raiz_v4 unknown; isp unknown\n"));
	assert_non_null(strstr(s, "    bird error: BIRD: not connected (2026-11-21T08:00:02Z)\n"));
}

static void test_why(void **st)
{
	const char *s = print(ctlprint_why,
		"{\"ok\":true,\"history\":[{\"at\":\"2026-11-21T08:00:00.500Z\","
		"\"subject\":\"bird\",\"from\":\"connected\",\"to\":\"disconnected\","
		"\"reason\":\"lost\"}]}");
	assert_string_equal(s, "recent transitions, newest first:\n"
			    "  2026-11-21T08:00:00Z  bird                   connected -> "
			    "disconnected: lost\n");
}

static void test_dnsd(void **st)
{
	const char *txt = "{\"reachable\":true,\"pid\":7,\"uptime\":93784,\"generation\":2,"
		"\"zones\":[{\"name\":\"example.\",\"loaded\":true,\"serial\":5,"
		"\"loaded-at\":\"2026-11-21T08:00:00.000Z\",\"records\":3},"
		"{\"name\":\"broken.\",\"loaded\":false,\"error\":\"missing.zone: No such file\"}]}";
	const char *s = print(ctlprint_dnsd, txt);
	assert_non_null(strstr(s, "dnsd: SERVING WITH PROBLEMS, 1 of 2 zones loaded (pid 7, "
			       "up 1d2h, generation 2)\n"));
	assert_non_null(strstr(s, "    zone broken.  "));
	assert_non_null(strstr(s, " NOT LOADED (answered REFUSED): missing.zone: No such file\n"));
	json_object *d = json_tokener_parse(txt);
	assert_false(ctlprint_dnsd_ok(d));
	json_object_put(d);
	assert_false(ctlprint_dnsd_ok(NULL));
	s = print(ctlprint_dnsd, NULL);
	assert_non_null(strstr(s, "not checked"));
	s = print(ctlprint_dnsd, "{\"reachable\":false,\"error\":\"refused\"}");
	assert_string_equal(s, "dnsd: NOT REACHABLE: refused\n");
}

static void test_json_accessors(void **st)
{
	json_object *o = json_tokener_parse("{\"a\":\"x\",\"n\":null,\"b\":true,\"l\":[{\"k\":\"v\"}]}");
	assert_string_equal(ctljson_str(o, "a"), "x");
	assert_string_equal(ctljson_str(o, "n"), "");
	assert_string_equal(ctljson_str(o, "missing"), "");
	assert_string_equal(ctljson_str(NULL, "a"), "");
	assert_true(ctljson_bool(o, "b"));
	assert_false(ctljson_bool(NULL, "b"));
	assert_null(ctljson_array(o, "a"));
	assert_int_equal(ctljson_len(ctljson_array(o, "l")), 1);
	assert_int_equal(ctljson_len(NULL), 0);
	assert_non_null(ctljson_find(ctljson_array(o, "l"), "k", "v"));
	assert_null(ctljson_find(ctljson_array(o, "l"), "k", "w"));
	json_object_put(o);
}

static int done(void **st)
{
	free(out);
	out = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maintenance_times),
		cmocka_unit_test(test_zone_sync),
		cmocka_unit_test(test_bird_lines),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_dnsd),
		cmocka_unit_test(test_json_accessors),
	};
	return cmocka_run_group_tests(tests, NULL, done);
}

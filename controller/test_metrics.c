/*
 * unit tests for metrics.c: the Prometheus text exposition of both control
 * sockets' replies.  The fixtures are real replies (raiz-dnsd status and
 * stats, raiz-controller status, taken from tests/t_raizctl.sh's node),
 * with label values made hostile where the escaping is under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "controller/metrics.h"

static const char dnsd_status[] =
	"{\"ok\":true,\"version\":\"raiz-dnsd 0.1.0\",\"pid\":9020,"
	"\"started\":\"2026-11-21T07:34:40Z\",\"uptime\":9,\"workers\":1,\"generation\":1,"
	"\"identity\":\"t-raizctl\",\"listen\":[\"127.0.0.1@15760\"],\"reloading\":false,"
	"\"last-reload\":{\"ok\":false,\"at\":\"2026-11-21T07:34:45Z\",\"message\":\"x\"},"
	"\"zones\":[{\"name\":\"example.\",\"loaded\":true,\"serial\":2026112101,\"records\":3,"
	"\"error\":null,\"loaded-at\":\"2026-11-21T07:34:40Z\"},"
	"{\"name\":\"2.0.192.in-addr.arpa.\",\"loaded\":true,\"serial\":4294967295,\"records\":2,"
	"\"error\":null,\"loaded-at\":\"2026-11-21T07:34:40Z\"},"
	"{\"name\":\"bro\\\"ken\\\\.\",\"loaded\":false,\"serial\":null,\"records\":0,"
	"\"error\":\"missing.zone: No such file\",\"loaded-at\":null}]}";

static const char dnsd_stats[] =
	"{\"ok\":true,\"queries\":{\"udp\":19,\"tcp\":17,\"total\":36},"
	"\"rcodes\":{\"NOERROR\":30,\"FORMERR\":0,\"SERVFAIL\":0,\"NXDOMAIN\":4,\"NOTIMP\":0,"
	"\"REFUSED\":2,\"YXDOMAIN\":0,\"YXRRSET\":0,\"NXRRSET\":0,\"NOTAUTH\":0,\"NOTZONE\":0},"
	"\"badvers\":0,\"truncated\":5,\"dropped\":1,\"edns\":36,\"do\":7,\"udp-received\":19,"
	"\"tcp\":{\"accepted\":17,\"current\":2,\"evicted\":0,\"idle-closed\":0,\"bad-closed\":0}}";

static const char ctl_status[] =
	"{\"ok\":true,\"node\":\"t-raizctl\",\"healthy\":false,"
	"\"started\":\"2026-11-21T07:34:40.905Z\",\"now\":\"2026-11-21T07:35:49.341Z\","
	"\"stopping\":false,\"maintenance\":{\"active\":true,\"drain-time-ms\":60000},"
	"\"services\":[{\"name\":\"dns\",\"state\":\"degraded\",\"usable\":true,"
	"\"why\":\"tcp4 timeout\",\"probes-ok\":1,\"probes-total\":2,\"transitions\":3,"
	"\"suppressed\":false,\"penalty\":1000,"
	"\"probes\":[{\"name\":\"udp4\",\"verdict\":\"ok\",\"reason\":\"\",\"latency-ms\":0.453},"
	"{\"name\":\"tcp4\",\"verdict\":\"timeout\",\"reason\":\"no reply\",\"latency-ms\":1000}]},"
	"{\"name\":\"new\\nline\",\"state\":\"unknown\",\"probes-ok\":0,\"probes-total\":1,"
	"\"transitions\":0,\"suppressed\":true,\"penalty\":0,"
	"\"probes\":[{\"name\":\"p\",\"verdict\":\"none\",\"reason\":\"not run yet\","
	"\"latency-ms\":0}]}],"
	"\"prefixes\":[{\"prefix\":\"192.0.2.0/24\",\"desired\":\"drain\",\"verified\":true,"
	"\"announced\":true,\"bird\":{\"connected\":true,\"static\":\"up\",\"bgp\":["
	"{\"name\":\"isp\",\"state\":\"up\",\"info\":\"Established\"},"
	"{\"name\":\"isp2\",\"state\":\"start\",\"info\":\"Active\"}]}},"
	"{\"prefix\":\"2001:db8::/48\",\"desired\":\"withdraw\",\"verified\":false,"
	"\"announced\":false,\"bird\":{\"connected\":true,\"static\":\"up\",\"bgp\":["
	"{\"name\":\"isp\",\"state\":\"up\",\"info\":\"Established\"}]}}]}";

/* the exposition of in, as one malloc'd string */
static char *render(json_object *ds, json_object *dt, json_object *cs)
{
	struct metrics_input in = { ds, dt, cs };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(metrics_write(f, &in), 0);
	fclose(f);
	return buf;
}

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = out; (p = strstr(p, line)); p++)
		if ((p == out || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/*
 * The format rules, checked line by line: HELP then TYPE before a family's
 * first sample, each once; a family's samples contiguous; no series twice;
 * every sample "name[{labels}] value" with a numeric value.
 */
static void check_format(const char *out)
{
	static char fams[64][64], series[512][512];
	size_t nf = 0, ns = 0;
	char help[64] = "", type[64] = "", cur[64] = "";
	const char *p = out;

	assert_true(out[0] && out[strlen(out) - 1] == '\n');
	while (*p) {
		const char *nl = strchr(p, '\n');
		char line[512];
		size_t len = (size_t)(nl - p);
		assert_true(len < sizeof line && len > 0);
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			sscanf(line + 7, "%63s", help);
			for (size_t i = 0; i < nf; i++)
				assert_string_not_equal(fams[i], help);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char t[32];
			assert_int_equal(sscanf(line + 7, "%63s %31s", type, t), 2);
			assert_string_equal(type, help);
			assert_true(strcmp(t, "gauge") == 0 || strcmp(t, "counter") == 0);
			continue;
		}
		assert_int_not_equal(line[0], '#');
		size_t nl_len = strcspn(line, "{ ");
		char name[64];
		assert_true(nl_len > 0 && nl_len < sizeof name);
		memcpy(name, line, nl_len);
		name[nl_len] = '\0';
		assert_true(strncmp(name, "raiz_", 5) == 0);
		assert_string_equal(name, type);   /* declared just before */
		if (strcmp(name, cur) != 0) {
			for (size_t i = 0; i < nf; i++)
				assert_string_not_equal(fams[i], name);
			assert_true(nf < 64);
			snprintf(fams[nf++], sizeof fams[0], "%s", name);
			snprintf(cur, sizeof cur, "%s", name);
		}
		char *sp = strrchr(line, ' ');
		char *end;
		strtod(sp + 1, &end);
		assert_true(end != sp + 1 && *end == '\0');
		if (line[nl_len] == '{')
			assert_int_equal(sp[-1], '}');
		*sp = '\0';
		for (size_t i = 0; i < ns; i++)
			assert_string_not_equal(series[i], line);
		assert_true(ns < 512);
		snprintf(series[ns++], sizeof series[0], "%s", line);
	}
}

static void test_escape(void **st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	metrics_escape(f, "a\"b\\c\nd.");
	metrics_escape(f, NULL);
	fclose(f);
	assert_string_equal(buf, "a\\\"b\\\\c\\nd.");
	free(buf);
}

static void test_both(void **st)
{
	json_object *ds = json_tokener_parse(dnsd_status), *dt = json_tokener_parse(dnsd_stats);
	json_object *cs = json_tokener_parse(ctl_status);
	assert_non_null(ds);
	assert_non_null(dt);
	assert_non_null(cs);
	char *out = render(ds, dt, cs);
	check_format(out);
	assert_true(has_line(out, "# TYPE raiz_up gauge"));
	assert_true(has_line(out, "raiz_up{daemon=\"dnsd\"} 1"));
	assert_true(has_line(out, "raiz_up{daemon=\"controller\"} 1"));
	/* raiz-dnsd */
	assert_true(has_line(out, "raiz_dnsd_uptime_seconds 9"));
	assert_true(has_line(out, "# TYPE raiz_dnsd_queries_total counter"));
	assert_true(has_line(out, "raiz_dnsd_queries_total{transport=\"udp\"} 19"));
	assert_true(has_line(out, "raiz_dnsd_queries_total{transport=\"tcp\"} 17"));
	assert_null(strstr(out, "transport=\"total\""));
	assert_true(has_line(out, "raiz_dnsd_responses_total{rcode=\"NXDOMAIN\"} 4"));
	assert_true(has_line(out, "raiz_dnsd_responses_total{rcode=\"REFUSED\"} 2"));
	assert_true(has_line(out, "raiz_dnsd_truncated_total 5"));
	assert_true(has_line(out, "raiz_dnsd_dropped_total 1"));
	assert_true(has_line(out, "raiz_dnsd_do_queries_total 7"));
	assert_true(has_line(out, "raiz_dnsd_edns_queries_total 36"));
	assert_true(has_line(out, "raiz_dnsd_tcp_connections 2"));
	assert_true(has_line(out, "raiz_dnsd_last_reload_ok 0"));
	assert_true(has_line(out, "raiz_dnsd_zone_loaded{zone=\"example.\"} 1"));
	assert_true(has_line(out, "raiz_dnsd_zone_serial{zone=\"example.\"} 2026112101"));
	/* serials are unsigned 32-bit: the largest prints exactly */
	assert_true(has_line(out, "raiz_dnsd_zone_serial{zone=\"2.0.192.in-addr.arpa.\"} 4294967295"));
	/* a zone not loaded: loaded 0, escaped name, no serial */
	assert_true(has_line(out, "raiz_dnsd_zone_loaded{zone=\"bro\\\"ken\\\\.\"} 0"));
	assert_null(strstr(out, "raiz_dnsd_zone_serial{zone=\"bro"));
	assert_true(has_line(out, "raiz_dnsd_zone_load_error{zone=\"bro\\\"ken\\\\.\"} 1"));
	assert_true(has_line(out, "raiz_dnsd_zone_load_error{zone=\"example.\"} 0"));
	assert_true(has_line(out, "raiz_dnsd_zone_loaded_timestamp_seconds{zone=\"example.\"} "
			     "1795246480"));
	/* raiz-controller */
	assert_true(has_line(out, "raiz_node_healthy 0"));
	assert_true(has_line(out, "raiz_controller_uptime_seconds 69"));
	assert_true(has_line(out, "raiz_maintenance 1"));
	assert_true(has_line(out, "raiz_service_state{service=\"dns\",state=\"degraded\"} 1"));
	assert_true(has_line(out, "raiz_service_state{service=\"dns\",state=\"up\"} 0"));
	assert_true(has_line(out, "raiz_service_state{service=\"new\\nline\",state=\"unknown\"} 1"));
	assert_true(has_line(out, "# TYPE raiz_service_transitions_total counter"));
	assert_true(has_line(out, "raiz_service_transitions_total{service=\"dns\"} 3"));
	assert_true(has_line(out, "raiz_service_suppressed{service=\"new\\nline\"} 1"));
	assert_true(has_line(out, "raiz_service_penalty{service=\"dns\"} 1000"));
	assert_true(has_line(out, "raiz_probe_latency_seconds{service=\"dns\",probe=\"udp4\"} 0.000453"));
	assert_true(has_line(out, "raiz_probe_latency_seconds{service=\"dns\",probe=\"tcp4\"} 1"));
	/* a probe that never ran has no latency and a verdict "none" */
	assert_null(strstr(out, "raiz_probe_latency_seconds{service=\"new\\nline\""));
	assert_true(has_line(out, "raiz_probe_verdict{service=\"new\\nline\",probe=\"p\","
			     "verdict=\"none\"} 1"));
	assert_true(has_line(out, "raiz_probe_verdict{service=\"dns\",probe=\"tcp4\",verdict=\"timeout\"} 1"));
	assert_true(has_line(out, "raiz_probe_verdict{service=\"dns\",probe=\"tcp4\",verdict=\"ok\"} 0"));
	assert_true(has_line(out, "raiz_prefix_announced{prefix=\"192.0.2.0/24\"} 1"));
	assert_true(has_line(out, "raiz_prefix_announced{prefix=\"2001:db8::/48\"} 0"));
	assert_true(has_line(out, "raiz_prefix_desired{prefix=\"192.0.2.0/24\",desired=\"drain\"} 1"));
	assert_true(has_line(out, "raiz_prefix_desired{prefix=\"192.0.2.0/24\",desired=\"announce\"} 0"));
	assert_true(has_line(out, "raiz_prefix_desired{prefix=\"2001:db8::/48\",desired=\"withdraw\"} 1"));
	assert_true(has_line(out, "raiz_prefix_verified{prefix=\"2001:db8::/48\"} 0"));
	assert_true(has_line(out, "raiz_bird_connected 1"));
	/* a BGP session shared by both prefixes is one series */
	assert_true(has_line(out, "raiz_bgp_session_up{protocol=\"isp\"} 1"));
	assert_true(has_line(out, "raiz_bgp_session_up{protocol=\"isp2\"} 0"));
	free(out);
	json_object_put(ds);
	json_object_put(dt);
	json_object_put(cs);
}

static void test_dnsd_down(void **st)
{
	json_object *cs = json_tokener_parse(ctl_status);
	char *out = render(NULL, NULL, cs);
	check_format(out);
	assert_true(has_line(out, "raiz_up{daemon=\"dnsd\"} 0"));
	assert_true(has_line(out, "raiz_up{daemon=\"controller\"} 1"));
	assert_null(strstr(out, "raiz_dnsd_"));
	assert_true(has_line(out, "raiz_service_transitions_total{service=\"dns\"} 3"));
	free(out);
	json_object_put(cs);
}

static void test_controller_down(void **st)
{
	json_object *ds = json_tokener_parse(dnsd_status), *dt = json_tokener_parse(dnsd_stats);
	char *out = render(ds, dt, NULL);
	check_format(out);
	assert_true(has_line(out, "raiz_up{daemon=\"dnsd\"} 1"));
	assert_true(has_line(out, "raiz_up{daemon=\"controller\"} 0"));
	assert_null(strstr(out, "raiz_service_"));
	assert_null(strstr(out, "raiz_prefix_"));
	assert_true(has_line(out, "raiz_dnsd_zone_serial{zone=\"example.\"} 2026112101"));
	free(out);
	/* status without stats (stats refused): zones still, no counters */
	out = render(ds, NULL, NULL);
	check_format(out);
	assert_null(strstr(out, "raiz_dnsd_queries_total"));
	assert_true(has_line(out, "raiz_dnsd_zone_loaded{zone=\"example.\"} 1"));
	free(out);
	json_object_put(ds);
	json_object_put(dt);
}

/* members missing or of the wrong type are skipped, never invented */
static void test_sparse(void **st)
{
	json_object *ds = json_tokener_parse("{\"ok\":true,\"zones\":[{\"name\":\"x.\"}]}");
	json_object *dt = json_tokener_parse("{\"ok\":true,\"queries\":\"many\",\"dropped\":\"3\"}");
	json_object *cs = json_tokener_parse("{\"ok\":true,\"services\":[{\"name\":\"s\"}],"
					     "\"prefixes\":[]}");
	char *out = render(ds, dt, cs);
	check_format(out);
	assert_true(has_line(out, "raiz_dnsd_zone_loaded{zone=\"x.\"} 0"));
	assert_null(strstr(out, "raiz_dnsd_uptime_seconds"));
	assert_null(strstr(out, "raiz_dnsd_dropped_total"));
	assert_null(strstr(out, "raiz_dnsd_queries_total{"));
	assert_null(strstr(out, "raiz_controller_uptime_seconds"));
	assert_null(strstr(out, "raiz_service_transitions_total{"));
	assert_null(strstr(out, "raiz_bird_connected"));
	assert_true(has_line(out, "raiz_node_healthy 0"));
	free(out);
	json_object_put(ds);
	json_object_put(dt);
	json_object_put(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_both),
		cmocka_unit_test(test_dnsd_down),
		cmocka_unit_test(test_controller_down),
		cmocka_unit_test(test_sparse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

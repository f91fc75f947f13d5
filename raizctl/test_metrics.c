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

#include "raizctl/metrics.h"

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
	"\"rate-limit\":{\"dropped\":40,\"slipped\":20,\"exempted\":3},"
	"\"cookies\":{\"queries\":9,\"valid\":6},"
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

/* raiz-dnsd "zones" (the zone-transfer contract): a zone in each state,
 * null members, a zone from a file */
static const char dnsd_zones[] =
	"{\"ok\":true,\"now\":1796637600,\"zones\":["
	"{\"name\":\"br.\",\"kind\":\"secondary\",\"served\":true,\"state\":\"current\","
	"\"serial\":2026120701,\"records\":1234,\"loaded-at\":1796634000,"
	"\"primary\":\"127.0.0.1@5300\",\"primary-serial\":2026120701,"
	"\"checked-at\":1796637588,\"refreshed-at\":1796637588,\"behind-since\":null,\"lag\":0,"
	"\"max-lag\":600,\"next-refresh\":1796637648,\"expires-at\":1797242388,"
	"\"last-transfer\":{\"at\":1796634000,\"kind\":\"IXFR\",\"serial\":2026120701,"
	"\"records\":1234,\"bytes\":56789,\"ms\":12},\"last-failure\":null,\"failures\":0,"
	"\"publish-latency-ms\":35,\"notify-received-at\":1796633999},"
	"{\"name\":\"late.\",\"kind\":\"secondary\",\"served\":true,\"state\":\"behind\","
	"\"serial\":4294967295,\"primary-serial\":5,\"refreshed-at\":1796636880,"
	"\"behind-since\":1796636880,\"lag\":720,\"max-lag\":600,\"next-refresh\":1796637602,"
	"\"expires-at\":1797241680,\"last-failure\":{\"at\":1796637420,\"reason\":\"x\"},"
	"\"failures\":2,\"publish-latency-ms\":null},"
	"{\"name\":\"gone.\",\"kind\":\"secondary\",\"served\":false,\"state\":\"expired\","
	"\"serial\":7,\"primary-serial\":null,\"refreshed-at\":1796029200,\"lag\":0,"
	"\"max-lag\":600,\"next-refresh\":1796637610,\"expires-at\":1796634000,"
	"\"failures\":51,\"publish-latency-ms\":null},"
	"{\"name\":\"new.\",\"kind\":\"secondary\",\"served\":false,\"state\":\"no-copy\","
	"\"serial\":null,\"primary-serial\":null,\"refreshed-at\":null,\"lag\":0,"
	"\"max-lag\":0,\"next-refresh\":1796637605,\"expires-at\":null,\"failures\":3,"
	"\"publish-latency-ms\":null},"
	"{\"name\":\"example.\",\"kind\":\"file\",\"served\":true,\"state\":\"file\","
	"\"serial\":2026112101,\"records\":3,\"loaded-at\":1796551200},"
	"{\"name\":\"odd.\",\"kind\":\"secondary\",\"served\":\"yes\",\"serial\":\"1\"}]}";

/* the exposition of in (with raiz-dnsd's "zones" reply dz), as one malloc'd string */
static char *render_zones(json_object *ds, json_object *dt, json_object *cs, json_object *dz)
{
	struct metrics_input in = { .dnsd_status = ds, .dnsd_stats = dt, .ctl_status = cs,
				    .dnsd_zones = dz };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(metrics_write(f, &in), 0);
	fclose(f);
	return buf;
}

static char *render(json_object *ds, json_object *dt, json_object *cs)
{
	return render_zones(ds, dt, cs, NULL);
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
	assert_true(has_line(out, "# TYPE raiz_dnsd_rrl_dropped_total counter"));
	assert_true(has_line(out, "raiz_dnsd_rrl_dropped_total 40"));
	assert_true(has_line(out, "raiz_dnsd_rrl_slipped_total 20"));
	assert_true(has_line(out, "raiz_dnsd_rrl_exempted_total 3"));
	assert_true(has_line(out, "raiz_dnsd_cookie_queries_total 9"));
	assert_true(has_line(out, "raiz_dnsd_cookie_valid_total 6"));
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

/* the per-zone sync families from "zones": a sample where the member is,
 * none where it is null; timestamps as Unix time, latency in seconds */
static void test_zones(void **st)
{
	json_object *ds = json_tokener_parse(dnsd_status), *dz = json_tokener_parse(dnsd_zones);
	assert_non_null(ds);
	assert_non_null(dz);
	char *out = render_zones(ds, NULL, NULL, dz);
	check_format(out);
	static const char *const want[] = {
		"# TYPE raiz_zone_serial gauge",
		"raiz_zone_serial{zone=\"br.\"} 2026120701",
		"raiz_zone_serial{zone=\"late.\"} 4294967295",
		"raiz_zone_serial{zone=\"gone.\"} 7",
		"raiz_zone_serial{zone=\"example.\"} 2026112101",
		"# TYPE raiz_zone_primary_serial gauge",
		"raiz_zone_primary_serial{zone=\"br.\"} 2026120701",
		"raiz_zone_primary_serial{zone=\"late.\"} 5",
		"# TYPE raiz_zone_served gauge",
		"raiz_zone_served{zone=\"br.\"} 1",
		"raiz_zone_served{zone=\"gone.\"} 0",
		"raiz_zone_served{zone=\"new.\"} 0",
		"raiz_zone_served{zone=\"example.\"} 1",
		"# TYPE raiz_zone_expired gauge",
		"raiz_zone_expired{zone=\"br.\"} 0",
		"raiz_zone_expired{zone=\"late.\"} 0",
		"raiz_zone_expired{zone=\"gone.\"} 1",
		"raiz_zone_expired{zone=\"new.\"} 0",
		"# TYPE raiz_zone_lag_seconds gauge",
		"raiz_zone_lag_seconds{zone=\"br.\"} 0",
		"raiz_zone_lag_seconds{zone=\"late.\"} 720",
		"# TYPE raiz_zone_last_refresh_timestamp_seconds gauge",
		"raiz_zone_last_refresh_timestamp_seconds{zone=\"br.\"} 1796637588",
		"raiz_zone_last_refresh_timestamp_seconds{zone=\"gone.\"} 1796029200",
		"# TYPE raiz_zone_expire_timestamp_seconds gauge",
		"raiz_zone_expire_timestamp_seconds{zone=\"br.\"} 1797242388",
		"raiz_zone_expire_timestamp_seconds{zone=\"gone.\"} 1796634000",
		"# TYPE raiz_zone_next_refresh_timestamp_seconds gauge",
		"raiz_zone_next_refresh_timestamp_seconds{zone=\"new.\"} 1796637605",
		"# TYPE raiz_zone_refresh_failures gauge",
		"raiz_zone_refresh_failures{zone=\"br.\"} 0",
		"raiz_zone_refresh_failures{zone=\"gone.\"} 51",
		"# TYPE raiz_zone_publish_latency_seconds gauge",
		"raiz_zone_publish_latency_seconds{zone=\"br.\"} 0.035",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!has_line(out, want[i]))
			fail_msg("no line \"%s\" in:\n%s", want[i], out);
	/* null or absent members are skipped, never invented */
	assert_null(strstr(out, "raiz_zone_serial{zone=\"new.\"}"));
	assert_null(strstr(out, "raiz_zone_primary_serial{zone=\"gone.\"}"));
	assert_null(strstr(out, "raiz_zone_primary_serial{zone=\"example.\"}"));
	assert_null(strstr(out, "raiz_zone_expire_timestamp_seconds{zone=\"new.\"}"));
	assert_null(strstr(out, "raiz_zone_last_refresh_timestamp_seconds{zone=\"new.\"}"));
	assert_null(strstr(out, "raiz_zone_publish_latency_seconds{zone=\"late.\"}"));
	/* a zone from a file does not expire, lag or refresh */
	assert_null(strstr(out, "raiz_zone_expired{zone=\"example.\"}"));
	assert_null(strstr(out, "raiz_zone_lag_seconds{zone=\"example.\"}"));
	assert_null(strstr(out, "raiz_zone_refresh_failures{zone=\"example.\"}"));
	/* members of the wrong type, or missing, give no sample */
	assert_null(strstr(out, "{zone=\"odd.\"}"));
	/* the status families are still there */
	assert_true(has_line(out, "raiz_dnsd_zone_serial{zone=\"example.\"} 2026112101"));
	free(out);
	/* zones without status (raiz-dnsd did not answer status): none of it */
	out = render_zones(NULL, NULL, NULL, dz);
	check_format(out);
	assert_null(strstr(out, "raiz_zone_"));
	assert_true(has_line(out, "raiz_up{daemon=\"dnsd\"} 0"));
	free(out);
	json_object_put(ds);
	json_object_put(dz);
}

/* a node with zones from files only: no empty secondary-zone families */
static void test_zones_files_only(void **st)
{
	json_object *ds = json_tokener_parse(dnsd_status);
	json_object *dz = json_tokener_parse("{\"ok\":true,\"now\":1796637600,\"zones\":["
		"{\"name\":\"example.\",\"kind\":\"file\",\"served\":true,\"state\":\"file\","
		"\"serial\":2026112101,\"records\":3,\"loaded-at\":1796551200}]}");
	char *out = render_zones(ds, NULL, NULL, dz);
	check_format(out);
	assert_true(has_line(out, "raiz_zone_serial{zone=\"example.\"} 2026112101"));
	assert_true(has_line(out, "raiz_zone_served{zone=\"example.\"} 1"));
	static const char *const absent[] = {
		"raiz_zone_primary_serial", "raiz_zone_expired", "raiz_zone_lag_seconds",
		"raiz_zone_last_refresh_timestamp_seconds", "raiz_zone_expire_timestamp_seconds",
		"raiz_zone_next_refresh_timestamp_seconds", "raiz_zone_refresh_failures",
		"raiz_zone_publish_latency_seconds",
	};
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		if (strstr(out, absent[i]))
			fail_msg("%s present for a node without secondary zones", absent[i]);
	free(out);
	json_object_put(ds);
	json_object_put(dz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_both),
		cmocka_unit_test(test_dnsd_down),
		cmocka_unit_test(test_controller_down),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_zones_files_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

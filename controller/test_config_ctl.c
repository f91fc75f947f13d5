/* unit tests for common/config_ctl.c: the controller, bird, prefixes and
 * services sections, through config_load_string() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "common/config.h"

#define BASE_NODE "\"node\": {\"identity\": \"t1\"}"
#define BASE_DNSD "\"dnsd\": {\"listen\": [\"127.0.0.1@15653\"]}"

/* line 5: extra top-level keys (ending with a comma), 6: services, 7: prefixes */
static const char *const tmpl =
	"{\n"
	"\"node\": {\"identity\": \"t1\", \"run-dir\": \"/tmp/r\", \"state-dir\": \"/tmp/s\"}, " BASE_DNSD ",\n"
	"\"probes\": [ {\"name\": \"udp4\", \"target\": \"192.0.2.53\", \"qname\": \".\"},\n"
	"  {\"name\": \"tcp6\", \"transport\": \"tcp\", \"target\": \"2001:db8::53\", \"qname\": \".\"} ],\n"
	"%s\n"
	"\"services\": %s,\n"
	"\"prefixes\": %s\n"
	"}\n";

#define SVC_OK "[ {\"name\": \"dns4\", \"probes\": [\"udp4\"]}, {\"name\": \"dns6\", \"probes\": [\"tcp6\"]} ]"
#define PFX_OK "[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"raiz_v4\", \"services\": [\"dns4\"]}," \
	" {\"prefix\": \"2001:db8::/48\", \"static-protocol\": \"raiz_v6\", \"services\": [\"dns6\"]} ]"

static struct raiz_config *load(const char *extra, const char *svc, const char *pfx,
				char *err, size_t errlen)
{
	char text[8192];
	struct raiz_config *cfg = NULL;
	snprintf(text, sizeof text, tmpl, extra, svc, pfx);
	err[0] = '\0';
	if (config_load_string("t.json", text, &cfg, err, errlen) < 0)
		return NULL;
	return cfg;
}

static void test_valid_and_defaults(void **st)
{
	char err[512];
	struct raiz_config *cfg = load("", SVC_OK, PFX_OK, err, sizeof err);
	if (!cfg)
		fail_msg("%s", err);
	const struct cfg_ctl *k = &cfg->ctl;
	assert_string_equal(k->controller.control_socket, "/tmp/r/controller.sock");
	assert_int_equal(k->controller.on_stop, CFG_ON_STOP_WITHDRAW);
	assert_int_equal(k->controller.drain_time_ms, 60000);
	assert_non_null(k->controller.dnsd_pidfile);
	assert_true(k->controller.watchdog);
	assert_string_equal(k->bird.socket, "/run/bird/bird.ctl");
	assert_string_equal(k->bird.state_file, "/tmp/s/bird-state.conf");
	assert_int_equal(k->bird.prepend, 3);
	assert_int_equal(k->bird.med, 1000);
	assert_int_equal(k->nservices, 2);
	const struct cfg_service *s = &k->services[1];
	assert_string_equal(s->name, "dns6");
	assert_int_equal(s->nprobes, 1);
	assert_int_equal(s->probe_idx[0], 1);
	assert_int_equal(s->interval_ms, 500);
	assert_int_equal(s->fast_interval_ms, 100);
	assert_int_equal(s->rise, 3);
	assert_int_equal(s->fall, 2);
	assert_int_equal(s->hold_down_ms, 1000);
	assert_int_equal(s->degraded, CFG_DEGRADED_KEEP);
	assert_true(s->damping.enabled);
	assert_int_equal(s->damping.penalty, 1000);
	assert_int_equal(s->damping.suppress, 2000);
	assert_int_equal(s->damping.reuse, 750);
	assert_int_equal(s->damping.half_life_ms, 60000);
	assert_int_equal(s->damping.max_suppress_ms, 600000);
	assert_int_equal(k->nprefixes, 2);
	const struct cfg_prefix *p = &k->prefixes[1];
	assert_string_equal(p->prefix, "2001:db8::/48");
	assert_int_equal(p->family, AF_INET6);
	assert_int_equal(p->len, 48);
	assert_int_equal(p->service_idx[0], 1);
	assert_ptr_equal(config_ctl_prefix(k, "192.0.2.0/24"), &k->prefixes[0]);
	assert_ptr_equal(config_ctl_service(k, "dns6"), s);
	assert_null(config_ctl_service(k, "nope"));
	config_free(cfg);
}

static void test_default_service_and_prefix_services(void **st)
{
	char err[512], text[4096];
	struct raiz_config *cfg = NULL;
	/* no "services": one service "dns" of every probe; a prefix without
	 * "services" depends on every service */
	snprintf(text, sizeof text,
		 "{ " BASE_NODE ", " BASE_DNSD ", \"probes\": [ {\"name\": \"a\", \"target\": \"192.0.2.53\", \"qname\": \".\"},"
		 " {\"name\": \"b\", \"target\": \"192.0.2.53\", \"qname\": \".\", \"transport\": \"tcp\"} ],"
		 " \"prefixes\": [ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"p4\"} ] }");
	if (config_load_string("t.json", text, &cfg, err, sizeof err) < 0)
		fail_msg("%s", err);
	assert_int_equal(cfg->ctl.nservices, 1);
	assert_string_equal(cfg->ctl.services[0].name, "dns");
	assert_int_equal(cfg->ctl.services[0].nprobes, 2);
	assert_int_equal(cfg->ctl.prefixes[0].nservices, 1);
	assert_string_equal(cfg->ctl.prefixes[0].services[0], "dns");
	config_free(cfg);
}

static void test_full_keys(void **st)
{
	char err[512];
	struct raiz_config *cfg = load(
		"\"controller\": {\"control-socket\": \"/tmp/c.sock\", \"on-stop\": \"keep\", "
		"\"drain-time\": \"5m\", \"dnsd-pidfile\": null, \"watchdog\": false, "
		"\"stop-timeout\": 1.5, \"history\": 100},"
		"\"bird\": {\"socket\": \"/tmp/b.ctl\", \"state-file\": \"/tmp/st.conf\", \"as\": 65001, "
		"\"prepend\": 2, \"router-id\": \"192.0.2.1\", \"med\": 50, \"neighbors\": ["
		"{\"name\": \"isp_v4\", \"address\": \"203.0.113.1\", \"as\": 65000, "
		"\"local-address\": \"203.0.113.2\", \"bfd\": false, \"multihop\": 2, "
		"\"password\": \"x\", \"interface\": \"eth0\", \"export-limit\": 4}]},",
		"[ {\"name\": \"dns\", \"probes\": [\"udp4\", \"tcp6\"], \"interval\": \"1s\", "
		"\"fast-interval\": \"200ms\", \"rise\": 5, \"fall\": 3, \"hold-down\": \"10s\", "
		"\"degraded\": \"drain\", \"damping\": {\"penalty\": 500, \"suppress\": 1500, "
		"\"reuse\": 400, \"half-life\": \"2m\", \"max-suppress\": \"30m\"}} ]",
		"[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"raiz_v4\", \"bgp\": [\"isp_v4\"]} ]",
		err, sizeof err);
	if (!cfg)
		fail_msg("%s", err);
	const struct cfg_ctl *k = &cfg->ctl;
	assert_string_equal(k->controller.control_socket, "/tmp/c.sock");
	assert_int_equal(k->controller.on_stop, CFG_ON_STOP_KEEP);
	assert_int_equal(k->controller.drain_time_ms, 300000);
	assert_null(k->controller.dnsd_pidfile);
	assert_false(k->controller.watchdog);
	assert_int_equal(k->controller.stop_timeout_ms, 1500);
	assert_int_equal(k->controller.history, 100);
	assert_int_equal(k->bird.as, 65001);
	assert_int_equal(k->bird.prepend, 2);
	assert_string_equal(k->bird.router_id, "192.0.2.1");
	assert_int_equal(k->bird.med, 50);
	assert_int_equal(k->bird.nneighbors, 1);
	assert_string_equal(k->bird.neighbors[0].local, "203.0.113.2");
	assert_int_equal(k->bird.neighbors[0].family, AF_INET);
	assert_false(k->bird.neighbors[0].bfd);
	assert_int_equal(k->bird.neighbors[0].export_limit, 4);
	const struct cfg_service *s = &k->services[0];
	assert_int_equal(s->interval_ms, 1000);
	assert_int_equal(s->fast_interval_ms, 200);
	assert_int_equal(s->rise, 5);
	assert_int_equal(s->degraded, CFG_DEGRADED_DRAIN);
	assert_int_equal(s->damping.half_life_ms, 120000);
	assert_int_equal(k->prefixes[0].nbgp, 1);
	assert_int_equal(k->prefixes[0].nservices, 1);   /* default: every service */
	config_free(cfg);
}

static void test_damping_false(void **st)
{
	char err[512];
	struct raiz_config *cfg = load("", "[ {\"name\": \"dns\", \"damping\": false} ]",
				       "[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"x\"} ]",
				       err, sizeof err);
	if (!cfg)
		fail_msg("%s", err);
	assert_false(cfg->ctl.services[0].damping.enabled);
	assert_int_equal(cfg->ctl.services[0].nprobes, 2);
	config_free(cfg);
}

static void test_bird_ident(void **st)
{
	assert_true(config_ctl_bird_ident("raiz_v4"));
	assert_true(config_ctl_bird_ident("_x9"));
	assert_false(config_ctl_bird_ident("9x"));
	assert_false(config_ctl_bird_ident("a-b"));
	assert_false(config_ctl_bird_ident(""));
	assert_false(config_ctl_bird_ident("a\"; disable all"));
	char longname[70];
	memset(longname, 'a', 64);
	longname[64] = '\0';
	assert_false(config_ctl_bird_ident(longname));
}

struct bad {
	const char *extra, *svc, *pfx;
	int line;
	const char *msg;
};

#define P4(x) "[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"raiz_v4\"" x "} ]"

static const struct bad bads[] = {
	/* controller */
	{ "\"controller\": {\"on-stop\": \"maybe\"},", SVC_OK, PFX_OK, 5, "on-stop" },
	{ "\"controller\": {\"drain-tme\": 5},", SVC_OK, PFX_OK, 5, "drain-tme" },
	{ "\"controller\": {\"drain-time\": \"soon\"},", SVC_OK, PFX_OK, 5, "drain-time" },
	{ "\"controller\": {\"history\": 2},", SVC_OK, PFX_OK, 5, "history" },
	{ "\"controller\": [],", SVC_OK, PFX_OK, 5, "controller" },
	/* bird */
	{ "\"bird\": {\"as\": -1},", SVC_OK, PFX_OK, 5, "as" },
	{ "\"bird\": {\"prepend\": 11, \"as\": 65001},", SVC_OK, PFX_OK, 5, "prepend" },
	{ "\"bird\": {\"prepend\": 2},", SVC_OK, PFX_OK, 5, "needs the node's \"as\"" },
	{ "\"bird\": {\"router-id\": \"2001:db8::1\"},", SVC_OK, PFX_OK, 5, "IPv4" },
	{ "\"bird\": {\"neighbors\": [{\"name\": \"a-b\", \"address\": \"203.0.113.1\", \"as\": 1}]},",
	  SVC_OK, PFX_OK, 5, "not a BIRD protocol name" },
	{ "\"bird\": {\"neighbors\": [{\"name\": \"n\", \"address\": \"isp\", \"as\": 1}]},",
	  SVC_OK, PFX_OK, 5, "not an IP address" },
	{ "\"bird\": {\"neighbors\": [{\"name\": \"n\", \"address\": \"203.0.113.1\"}]},",
	  SVC_OK, PFX_OK, 5, "\"as\"" },
	{ "\"bird\": {\"neighbors\": [{\"name\": \"n\", \"address\": \"203.0.113.1\", \"as\": 1, "
	  "\"local-address\": \"2001:db8::2\"}]},", SVC_OK, PFX_OK, 5, "different families" },
	{ "\"bird\": {\"neighbors\": [{\"name\": \"n\", \"address\": \"203.0.113.1\", \"as\": 1},"
	  "{\"name\": \"n\", \"address\": \"203.0.113.5\", \"as\": 1}]},", SVC_OK, PFX_OK, 5,
	  "defined twice" },
	{ "\"bird\": {\"neighbors\": [{\"name\": \"n6\", \"address\": \"2001:db8::1\", \"as\": 1}]},",
	  SVC_OK, P4(", \"bgp\": [\"n6\"]"), 7, "other family" },
	{ "\"bird\": {\"neighbors\": [{\"name\": \"n\", \"address\": \"203.0.113.1\", \"as\": 1}]},",
	  SVC_OK, P4(", \"bgp\": [\"m\"]"), 7, "not one of bird.neighbors" },
	/* services */
	{ "", "[ {\"name\": \"dns\", \"probes\": [\"udp9\"]} ]", PFX_OK, 6, "unknown probe \"udp9\"" },
	{ "", "[ {\"probes\": [\"udp4\"]} ]", PFX_OK, 6, "name" },
	{ "", "[ {\"name\": \"a b\"} ]", PFX_OK, 6, "without blanks" },
	{ "", "[ {\"name\": \"dns\"}, {\"name\": \"dns\"} ]", PFX_OK, 6, "defined twice" },
	{ "", "[ {\"name\": \"dns\", \"probes\": []} ]", PFX_OK, 6, "at least one probe" },
	{ "", "[ {\"name\": \"dns\", \"probes\": [\"udp4\", \"udp4\"]} ]", PFX_OK, 6, "twice" },
	{ "", "[ {\"name\": \"dns\", \"probes\": [7]} ]", PFX_OK, 6, "non-empty strings" },
	{ "", "[ {\"name\": \"dns\", \"rise\": 0} ]", PFX_OK, 6, "rise" },
	{ "", "[ {\"name\": \"dns\", \"fall\": 101} ]", PFX_OK, 6, "fall" },
	{ "", "[ {\"name\": \"dns\", \"interval\": \"1ms\"} ]", PFX_OK, 6, "interval" },
	{ "", "[ {\"name\": \"dns\", \"interval\": 1, \"fast-interval\": 2} ]", PFX_OK, 6,
	  "must not exceed" },
	{ "", "[ {\"name\": \"dns\", \"degraded\": \"panic\"} ]", PFX_OK, 6, "degraded" },
	{ "", "[ {\"name\": \"dns\", \"damping\": 3} ]", PFX_OK, 6, "object or false" },
	{ "", "[ {\"name\": \"dns\", \"damping\": {\"reuse\": 3000}} ]", PFX_OK, 6,
	  "must be below" },
	{ "", "[ {\"name\": \"dns\", \"damping\": {\"half-life\": \"10m\", \"max-suppress\": \"1m\"}} ]",
	  PFX_OK, 6, "ceiling" },
	{ "", "[ {\"name\": \"dns\", \"damping\": {\"penality\": 1}} ]", PFX_OK, 6, "penality" },
	{ "", "{}", PFX_OK, 6, "services" },
	/* prefixes */
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.1/24\", \"static-protocol\": \"p\"} ]", 7,
	  "host bits" },
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.0/33\", \"static-protocol\": \"p\"} ]", 7, "length" },
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.0\", \"static-protocol\": \"p\"} ]", 7,
	  "address/length" },
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.x/24\", \"static-protocol\": \"p\"} ]", 7,
	  "bad address" },
	{ "", SVC_OK, "[ {\"prefix\": \"2001:db8::/48\"} ]", 7, "static-protocol" },
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"raiz v4\"} ]", 7,
	  "not a BIRD protocol name" },
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": "
	  "\"a234567890123456789012345678901234567890123456789012\"} ]", 7, "longer than" },
	{ "", SVC_OK, P4(", \"bgp\": [\"isp;\"]"), 7, "not a BIRD protocol name" },
	{ "", SVC_OK, P4(", \"bgp\": [\"raiz_v4\"]"), 7, "static protocol" },
	{ "", SVC_OK, P4(", \"services\": [\"dns9\"]"), 7, "unknown service \"dns9\"" },
	{ "", SVC_OK, P4(", \"services\": []"), 7, "must not be empty" },
	{ "", SVC_OK, P4(", \"colour\": \"red\""), 7, "colour" },
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"a\"}, "
	  "{\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"b\"} ]", 7, "listed twice" },
	{ "", SVC_OK, "[ {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"a\"}, "
	  "{\"prefix\": \"198.51.100.0/24\", \"static-protocol\": \"A\"} ]", 7, "already carries" },
	{ "", SVC_OK, "[ 5 ]", 7, "object" },
};

static void test_errors_have_file_line(void **st)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		char err[512], want[32];
		struct raiz_config *cfg = load(bads[i].extra, bads[i].svc, bads[i].pfx, err,
					       sizeof err);
		if (cfg) {
			config_free(cfg);
			fail_msg("case %zu (%s) accepted", i, bads[i].msg);
		}
		snprintf(want, sizeof want, "t.json:%d: ", bads[i].line);
		if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, bads[i].msg))
			fail_msg("case %zu: want \"%s...%s\", got \"%s\"", i, want, bads[i].msg, err);
	}
}

static void test_no_services_without_probes(void **st)
{
	char err[512];
	struct raiz_config *cfg = NULL;
	assert_int_equal(config_load_string("t.json",
		"{ " BASE_NODE ", " BASE_DNSD ",\n\"prefixes\": [\n {\"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"p\"} ] }",
		&cfg, err, sizeof err), -1);
	assert_non_null(strstr(err, "t.json:3: "));
	assert_non_null(strstr(err, "no services"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_and_defaults),
		cmocka_unit_test(test_default_service_and_prefix_services),
		cmocka_unit_test(test_full_keys),
		cmocka_unit_test(test_damping_false),
		cmocka_unit_test(test_bird_ident),
		cmocka_unit_test(test_errors_have_file_line),
		cmocka_unit_test(test_no_services_without_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

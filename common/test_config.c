/* unit tests for json.c, cfgutil.c, config.c and config_dnsd.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/json.h"
#include "common/log.h"

static char err[512];

#define BASE_NODE "\"node\": { \"identity\": \"gru1\" },\n"
#define BASE_DNSD "\"dnsd\": { \"listen\": [\"127.0.0.1@5353\", \"::1\"] }"

static struct raiz_config *load_ok(const char *text)
{
	struct raiz_config *cfg = NULL;
	int r = config_load_string("/etc/raiz/t.json", text, &cfg, err, sizeof err);
	if (r != 0)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(r, 0);
	assert_non_null(cfg);
	return cfg;
}

/* the load must fail with exactly this message */
static void load_bad(const char *text, const char *want)
{
	struct raiz_config *cfg = (void *)1;
	int r = config_load_string("t.json", text, &cfg, err, sizeof err);
	assert_int_equal(r, -1);
	assert_null(cfg);
	assert_string_equal(err, want);
}

static void test_minimal_defaults(void **state)
{
	(void)state;
	struct raiz_config *cfg = load_ok("// a node\n{\n" BASE_NODE BASE_DNSD "\n}\n");
	assert_string_equal(cfg->node.identity, "gru1");
	assert_int_equal(cfg->node.log_level, LOG_LVL_INFO);
	assert_string_equal(cfg->node.run_dir, "/run/raiz");
	assert_int_equal(cfg->dnsd.nlisten, 2);
	assert_string_equal(cfg->dnsd.listen[0].text, "127.0.0.1@5353");
	assert_string_equal(cfg->dnsd.listen[1].text, "::1@53");
	assert_int_equal(cfg->dnsd.listen[1].family, AF_INET6);
	assert_string_equal(cfg->dnsd.nsid, "gru1");
	assert_string_equal(cfg->dnsd.identity, "gru1");
	assert_null(cfg->dnsd.version);
	assert_int_equal(cfg->dnsd.edns_buffer_size, 1232);
	assert_int_equal(cfg->dnsd.tcp_idle_timeout_ms, 10000);
	assert_int_equal(cfg->dnsd.workers, 1);
	assert_string_equal(cfg->dnsd.control_socket, "/run/raiz/dnsd.sock");
	assert_string_equal(cfg->dnsd.user, "raiz");
	assert_int_equal(cfg->nzones, 0);
	config_free(cfg);
}

static void test_full_dnsd(void **state)
{
	(void)state;
	struct raiz_config *cfg = load_ok(
		"{\n" BASE_NODE
		"\"dnsd\": { \"listen\": [\"192.0.2.53\"], \"version\": \"raiz 1\",\n"
		"  \"nsid\": \"n1\", \"edns-buffer-size\": 4096, \"tcp-idle-timeout\": \"1.5s\",\n"
		"  /* comment */ \"workers\": 2, \"user\": \"\" },\n"
		"\"zones\": [ { \"name\": \"br\", \"file\": \"zones/br.zone\" },\n"
		"            { \"name\": \".\", \"file\": \"/var/root.zone\" } ],\n"
		"\"tsig-keys\": [ { \"name\": \"xfr\", \"secret\": \"c2VjcmV0\" } ]\n}\n");
	assert_string_equal(cfg->dnsd.version, "raiz 1");
	assert_string_equal(cfg->dnsd.nsid, "n1");
	assert_string_equal(cfg->dnsd.identity, "gru1");
	assert_int_equal(cfg->dnsd.tcp_idle_timeout_ms, 1500);
	assert_string_equal(cfg->dnsd.user, "");
	assert_int_equal(cfg->nzones, 2);
	assert_string_equal(cfg->zones[0].name, "br.");
	assert_string_equal(cfg->zones[0].file, "/etc/raiz/zones/br.zone");
	assert_int_equal(cfg->zones[0].line, 6);
	assert_string_equal(cfg->zones[1].name, ".");
	assert_non_null(config_zone(cfg, "BR."));
	assert_null(config_zone(cfg, "ar."));
	assert_string_equal(config_tsig(cfg, "xfr.")->algorithm, "hmac-sha256");
	config_free(cfg);
}

static void test_errors(void **state)
{
	(void)state;
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"dnsd2\": 1\n}", "t.json:4: unknown key \"dnsd2\" in the top level");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"127.0.0.1\"],\n"
		 " \"edns-bufer-size\": 1232 }\n}",
		 "t.json:4: unknown key \"edns-bufer-size\" in \"dnsd\"");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"127.0.0.1\"],\n"
		 " \"edns-buffer-size\": 100 }\n}",
		 "t.json:4: \"edns-buffer-size\" is 100, must be between 512 and 4096");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\n\"127.0.0.300\"] }\n}",
		 "t.json:4: \"127.0.0.300\" is not an IPv4 or IPv6 address with optional @port");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1@0\"] }\n}",
		 "t.json:3: \"::1@0\" is not an IPv4 or IPv6 address with optional @port");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\", \"file\": \"a\"},\n"
		 "{\"name\": \"BR.\", \"file\": \"b\"} ]\n}",
		 "t.json:5: zone BR. is defined twice (first at line 4)");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"a..b\", \"file\": \"a\"} ]\n}",
		 "t.json:4: \"name\": \"a..b\" is not a domain name: empty label");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\"} ]\n}",
		 "t.json:4: zone br.: needs \"file\" (a zone file) or \"primaries\" (a secondary zone)");
	load_bad("{\n\"node\": { \"identity\": \"x\", \"log-level\": \"loud\" },\n" BASE_DNSD "}",
		 "t.json:2: \"log-level\" must be one of err, warning, notice, info, debug");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"], \"tcp-idle-timeout\": \"5 parsecs\" }\n}",
		 "t.json:3: \"tcp-idle-timeout\": unknown unit \" parsecs\" (use ms, s, m, h or d)");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"tsig-keys\": [ {\"name\": \"k\", \"secret\": \"not base64!\"} ]\n}",
		 "t.json:4: TSIG key k.: \"secret\" is not valid base64");
	load_bad("{\n" BASE_DNSD "\n}", "t.json:1: missing required key \"node\"");
}

#define KEYS "\"tsig-keys\": [ {\"name\": \"xfr\", \"secret\": \"c2VjcmV0\"} ]"

static void test_secondary_zones(void **state)
{
	(void)state;
	struct raiz_config *cfg = load_ok(
		"{\n" BASE_NODE BASE_DNSD ",\n" KEYS ",\n\"zones\": [ { \"name\": \"br\",\n"
		" \"primaries\": [\"127.0.0.1@5300\", \"::1\"], \"tsig-key\": \"XFR\",\n"
		" \"transfer-source\": \"127.0.0.2\", \"refresh-min\": \"5s\", \"expire-max\": \"2d\",\n"
		" \"allow-notify\": [\"127.0.0.9\"], \"allow-transfer\": [\"127.0.0.3\"],\n"
		" \"zonemd\": \"require\", \"max-lag\": \"10m\",\n"
		" \"trust-anchors\": [\"br. IN DS 2471 13 2 9B4B0AA8C8CCE12E6AEA5C3E0F0F6E3E1B3C1D4E5F60718293A4B5C6D7E8F901\"] } ]\n}");
	const struct cfg_zone *z = &cfg->zones[0];
	assert_true(cfg_zone_secondary(z));
	assert_null(z->file);
	assert_int_equal(z->nprimaries, 2);
	assert_string_equal(z->primaries[0].text, "127.0.0.1@5300");
	assert_int_equal(z->primaries[1].port, 53);
	assert_string_equal(z->tsig_key, "XFR.");
	assert_non_null(config_tsig(cfg, z->tsig_key));
	assert_int_equal(z->source->family, AF_INET);
	assert_int_equal(z->refresh_min, 5);
	assert_int_equal(z->refresh_max, 86400);
	assert_int_equal(z->expire_max, 2 * 86400);
	assert_int_equal(z->nallow_notify, 1);
	assert_int_equal(z->nallow_transfer, 1);
	assert_int_equal(z->zonemd, CFG_ZONEMD_REQUIRE);
	assert_int_equal(z->max_lag, 600);
	assert_int_equal(z->ntrust_anchors, 1);
	config_free(cfg);

	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\", \"file\": \"a\",\n"
		 "\"primaries\": [\"127.0.0.1\"]} ]\n}",
		 "t.json:4: zone br.: give either \"file\" or \"primaries\", not both");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\", \"file\": \"a\",\n"
		 "\"tsig-key\": \"xfr\"} ]\n}",
		 "t.json:5: zone br.: \"tsig-key\" is only for a secondary zone (one with \"primaries\")");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\",\n"
		 "\"primaries\": [\"127.0.0.1\"], \"tsig-key\": \"nokey\"} ]\n}",
		 "t.json:5: zone br.: TSIG key \"nokey.\" is not in \"tsig-keys\"");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\",\n"
		 "\"primaries\": []} ]\n}",
		 "t.json:5: \"primaries\" needs at least one address");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\",\n"
		 "\"primaries\": [\"127.0.0.1\"], \"trust-anchors\": [\"nl. IN DS 1 8 2 AABB\"]} ]\n}",
		 "t.json:5: zone br.: the trust anchor is not for the zone's apex");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\",\n"
		 "\"primaries\": [\"127.0.0.1\"], \"trust-anchors\": [\"br. IN A 192.0.2.1\"]} ]\n}",
		 "t.json:5: zone br.: a trust anchor must be a DS or DNSKEY record");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\",\n"
		 "\"primaries\": [\"127.0.0.1\"], \"zonemd\": \"maybe\"} ]\n}",
		 "t.json:5: \"zonemd\" must be one of \"verify\", \"require\", \"ignore\"");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"tsig-keys\": [ {\"name\": \"k\"} ]\n}",
		 "t.json:4: TSIG key k.: needs \"secret\" or \"secret-file\"");
}

static void test_catalog(void **state)
{
	(void)state;
	struct raiz_config *cfg = load_ok(
		"{\n" BASE_NODE BASE_DNSD ",\n" KEYS ",\n\"zones\": [ { \"name\": \"cat.example\",\n"
		" \"primaries\": [\"127.0.0.1@5300\"], \"tsig-key\": \"xfr\",\n"
		" \"catalog\": { \"member-defaults\": { \"refresh-min\": \"10s\" },\n"
		"   \"groups\": { \"root\": { \"primaries\": [\"192.0.2.1\"], \"zonemd\": \"require\" } } } } ]\n}");
	const struct cfg_zone *z = &cfg->zones[0];
	assert_non_null(z->catalog);
	assert_int_equal(z->catalog->ngroups, 1);
	struct cfg_zone m;
	config_member_zone(z, NULL, "a.example.", &m);
	assert_string_equal(m.name, "a.example.");
	assert_int_equal(m.nprimaries, 1);
	assert_string_equal(m.primaries[0].text, "127.0.0.1@5300");
	assert_string_equal(m.tsig_key, "xfr.");
	assert_int_equal(m.refresh_min, 10);
	assert_null(m.catalog);
	config_member_zone(z, "root", "b.example.", &m);
	assert_string_equal(m.primaries[0].text, "192.0.2.1@53");
	assert_string_equal(m.tsig_key, "xfr.");
	assert_int_equal(m.zonemd, CFG_ZONEMD_REQUIRE);
	assert_int_equal(m.refresh_min, 2);
	config_member_zone(z, "nosuch", "c.example.", &m);
	assert_int_equal(m.refresh_min, 10);
	config_free(cfg);

	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"cat\", \"file\": \"a\",\n"
		 "\"catalog\": {}} ]\n}",
		 "t.json:5: zone cat.: \"catalog\" is only for a secondary zone (one with \"primaries\")");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"cat\",\n"
		 "\"primaries\": [\"127.0.0.1\"], \"catalog\": {\"groups\": {\"g\": {\"trust-anchors\": []}}}} ]\n}",
		 "t.json:5: unknown key \"trust-anchors\" in catalog cat. group g");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"cat\",\n"
		 "\"primaries\": [\"127.0.0.1\"], \"catalog\": {\"member-defaults\": {\"tsig-key\": \"k9\"}}} ]\n}",
		 "t.json:5: catalog cat. member-defaults: TSIG key \"k9.\" is not in \"tsig-keys\"");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	load_bad("{\n\"node\": { \"identity\": \"x\" },\n\"node\": {}\n}",
		 "t.json:3: duplicate key \"node\"");
	load_bad("{\n\"node\": { \"identity\": \"x\", }\n}", "t.json:2: expected a quoted key");
	load_bad("{\n\"node\": { \"identity\": \"x\n\" }\n}",
		 "t.json:2: control character in string (strings cannot span lines)");
	load_bad("{\n/* never closed\n", "t.json:2: unterminated comment");
	load_bad("{ } x", "t.json:1: unexpected text after the end of the top-level value");
	load_bad("[1, 2]", "t.json:1: the top level must be an object");
	load_bad("", "t.json:1: unexpected end of file");
	load_bad("{\"a\": 01}", "t.json:1: numbers cannot have leading zeros");
}

static void test_json_lines_and_escapes(void **state)
{
	(void)state;
	char e[100];
	int line = 0;
	const char *t = "{\n \"a\": \"x\\u00e9\\ud83d\\ude00\",\n\n \"b\": [1, 2.5, true, null]\n}";
	json_object *o = json_parse_lines(t, strlen(t), e, sizeof e, &line);
	assert_non_null(o);
	json_object *a, *b;
	assert_true(json_object_object_get_ex(o, "a", &a));
	assert_string_equal(json_object_get_string(a), "x\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(json_value_line(a), 2);
	assert_true(json_object_object_get_ex(o, "b", &b));
	assert_int_equal(json_value_line(b), 4);
	assert_int_equal(json_value_line(json_object_array_get_idx(b, 1)), 4);
	json_object_put(o);
	/* deep nesting is refused, not a stack overflow */
	char deep[300];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	assert_null(json_parse_lines(deep, strlen(deep), e, sizeof e, &line));
	assert_string_equal(e, "nested too deeply");
}

/* JSON null and wrong types: refused with file:line by every getter, never
 * taken for "absent" (a null run-dir or log-level crashed every program) */
static void test_null_and_types(void **state)
{
	(void)state;
	/* the node section: strings with defaults the programs rely on */
	load_bad("{\n\"node\": { \"identity\": \"x\",\n \"run-dir\": null },\n" BASE_DNSD "\n}",
		 "t.json:3: \"run-dir\" must be a string, not null");
	load_bad("{\n\"node\": { \"identity\": \"x\",\n\n \"log-level\": null },\n" BASE_DNSD "\n}",
		 "t.json:4: \"log-level\" must be a string, not null");
	load_bad("{\n\"node\": { \"identity\": \"x\", \"state-dir\": null },\n" BASE_DNSD "\n}",
		 "t.json:2: \"state-dir\" must be a string, not null");
	load_bad("{\n\"node\": { \"identity\": null },\n" BASE_DNSD "\n}",
		 "t.json:2: \"identity\" must be a string, not null");
	load_bad("{\n\"node\": { \"identity\": \"x\", \"run-dir\": 5 },\n" BASE_DNSD "\n}",
		 "t.json:2: \"run-dir\" must be a string");
	load_bad("{\n\"node\": { \"identity\": \"x\", \"syslog\": null },\n" BASE_DNSD "\n}",
		 "t.json:2: \"syslog\" must be true or false, not null");
	load_bad("{\n\"node\": null,\n" BASE_DNSD "\n}",
		 "t.json:2: \"node\" must be an object, not null");
	/* dnsd: every kind of getter */
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n \"user\": null }\n}",
		 "t.json:4: \"user\" must be a string, not null");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n \"control-socket\": null }\n}",
		 "t.json:4: \"control-socket\" must be a string, not null");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n \"pidfile\": null }\n}",
		 "t.json:4: \"pidfile\" must be a string, not null");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n \"workers\": null }\n}",
		 "t.json:4: \"workers\" must be a whole number, not null");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n \"workers\": \"2\" }\n}",
		 "t.json:4: \"workers\" must be a whole number");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n \"tcp-idle-timeout\": null }\n}",
		 "t.json:4: \"tcp-idle-timeout\" must be a duration, not null");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": null }\n}",
		 "t.json:3: \"listen\" must be an array, not null");
	load_bad("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\",\n null] }\n}",
		 "t.json:4: \"listen\": element 2 is null");
	load_bad("{\n" BASE_NODE "\"dnsd\": null\n}",
		 "t.json:3: \"dnsd\" must be an object, not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": null\n}",
		 "t.json:4: \"zones\" must be an array, not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": \"br\",\n \"file\": null} ]\n}",
		 "t.json:5: \"file\" must be a string, not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"zones\": [ {\"name\": null} ]\n}",
		 "t.json:4: \"name\" must be a string, not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"bogus\": null\n}",
		 "t.json:4: unknown key \"bogus\" in the top level");
	/* controller, bird, probes, services */
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"controller\": {\n \"control-socket\": null }\n}",
		 "t.json:5: \"control-socket\" must be a string, not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"controller\": { \"on-stop\": null }\n}",
		 "t.json:4: \"on-stop\" must be one of \"withdraw\", \"keep\", not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"controller\": { \"watchdog\": \"yes\" }\n}",
		 "t.json:4: \"watchdog\" must be true or false");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"bird\": { \"socket\": null }\n}",
		 "t.json:4: \"socket\" must be a string, not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"probes\": [ { \"name\": \"p\",\n"
		 " \"target\": null, \"qname\": \".\" } ]\n}",
		 "t.json:5: \"target\" must be an address (a string), not null");
	load_bad("{\n" BASE_NODE BASE_DNSD ",\n\"probes\": [ { \"name\": \"p\", \"target\": \"::1\",\n"
		 " \"qname\": \".\", \"expect-rcode\": null } ]\n}",
		 "t.json:5: probe \"p\": \"expect-rcode\" must be an rcode name or number, not null");

	/* documented "or null": nsid, identity, version; dnsd-pidfile */
	struct raiz_config *cfg = load_ok("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n"
					  " \"nsid\": null, \"identity\": null, \"version\": null },\n"
					  "\"controller\": { \"dnsd-pidfile\": null }\n}");
	assert_null(cfg->dnsd.nsid);
	assert_null(cfg->dnsd.identity);
	assert_null(cfg->dnsd.version);
	assert_null(cfg->ctl.controller.dnsd_pidfile);
	assert_string_equal(cfg->node.run_dir, "/run/raiz");
	assert_string_equal(cfg->dnsd.user, "raiz");
	assert_int_equal(cfg->dnsd.user_line, 0);
	config_free(cfg);
	cfg = load_ok("{\n" BASE_NODE "\"dnsd\": { \"listen\": [\"::1\"],\n\n \"user\": \"nobody\" }\n}");
	assert_int_equal(cfg->dnsd.user_line, 5);
	config_free(cfg);
}

static void test_json_null_lines(void **state)
{
	(void)state;
	char e[100];
	int line = 0;
	const char *t = "{\n \"a\": null,\n \"b\": [1,\n null],\n \"c\": {\n\n \"d\": null } }";
	json_object *o = json_parse_lines(t, strlen(t), e, sizeof e, &line);
	assert_non_null(o);
	assert_int_equal(json_member_line(o, "a"), 2);
	assert_int_equal(json_member_line(o, "b"), 3);
	assert_int_equal(json_member_line(o, "nope"), 0);
	json_object *b = json_object_object_get(o, "b"), *c = json_object_object_get(o, "c");
	assert_int_equal(json_element_line(b, 0), 3);
	assert_int_equal(json_element_line(b, 1), 4);
	assert_int_equal(json_element_line(b, 2), 0);
	assert_int_equal(json_value_line(c), 5);
	assert_int_equal(json_member_line(c, "d"), 7);
	json_object_put(o);
}

static void test_file_errors(void **state)
{
	(void)state;
	struct raiz_config *cfg;
	assert_int_equal(config_load("/nonexistent/raiz.json", &cfg, err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/raiz.json: cannot open: No such file or directory");
	char path[] = "/tmp/raiz-test-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *t = "{\n" BASE_NODE BASE_DNSD "\n}\n";
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	assert_int_equal(config_load(path, &cfg, err, sizeof err), 0);
	assert_string_equal(cfg->dir, "/tmp");
	config_free(cfg);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full_dnsd),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_secondary_zones),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_json_lines_and_escapes),
		cmocka_unit_test(test_null_and_types),
		cmocka_unit_test(test_json_null_lines),
		cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

/* test_birdconf — the generated BIRD configuration: the right pieces, and
 * the real BIRD (`bird -p -c`) parses it.  Skips the BIRD part when no bird
 * binary is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/config.h"
#include "controller/birdconf.h"

static const char *const sample_json =
	"// the lab node\n"
	"{\n"
	"  \"node\": { \"identity\": \"gru1\" },\n"
	"  \"dnsd\": { \"listen\": [\"192.0.2.53\", \"2001:db8::53\"] },\n"
	"  \"bird\": { \"as\": 65001, \"prepend\": 2, \"router-id\": \"203.0.113.2\",\n"
	"            \"state-file\": \"@STATE@\",\n"
	"            \"neighbors\": [\n"
	"              { \"name\": \"isp_v4\", \"address\": \"203.0.113.1\", \"as\": 65000,\n"
	"                \"local-address\": \"203.0.113.2\" },\n"
	"              { \"name\": \"isp_v6\", \"address\": \"2001:db8:ffff::1\", \"as\": 65000,\n"
	"                \"local-address\": \"2001:db8:ffff::2\" } ] },\n"
	"  \"probes\": [ { \"name\": \"soa4\", \"target\": \"192.0.2.53\", \"qname\": \".\" } ],\n"
	"  \"services\": [ { \"name\": \"dns\", \"probes\": [\"soa4\"] } ],\n"
	"  \"prefixes\": [\n"
	"    { \"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"raiz_v4\", \"bgp\": [\"isp_v4\"] },\n"
	"    { \"prefix\": \"2001:db8::/48\", \"static-protocol\": \"raiz_v6\" }\n"
	"  ]\n"
	"}\n";

static const struct birdconf_peer sample_peers[] = {
	{ .name = "isp_v4", .family = AF_INET, .address = "203.0.113.1", .as = 65000,
	  .local = "203.0.113.2", .bfd = true },
	{ .name = "isp_v6", .family = AF_INET6, .address = "2001:db8:ffff::1", .as = 65000,
	  .local = "2001:db8:ffff::2", .bfd = true },
	{ .name = "isp2_v6", .family = AF_INET6, .address = "2001:db8:fffe::1", .as = 64999,
	  .multihop = 2, .password = "s3cret", .export_limit = 5 },
};

struct fixture {
	char dir[64];
	char state[128];
	struct raiz_config *cfg;
	struct birdconf_bgp bgp;
	bool from_cfg;           /* birdconf_write() rather than _write_bgp(bgp) */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[512], *json;
	const char *at;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_birdconf.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->state, sizeof f->state, "%s/bird-state.conf", f->dir);
	/* substitute the state file path */
	at = strstr(sample_json, "@STATE@");
	assert_non_null(at);
	assert_true(asprintf(&json, "%.*s%s%s", (int)(at - sample_json), sample_json, f->state,
			     at + strlen("@STATE@")) > 0);
	int r = config_load_string("sample.json", json, &f->cfg, err, sizeof err);
	free(json);
	if (r < 0) {
		rmdir(f->dir);
		free(f);
		fail_msg("sample config refused: %s", err);
	}
	f->bgp = (struct birdconf_bgp){ .router_id = "203.0.113.2", .med = 1000,
		.peers = sample_peers, .npeers = 2 };
	f->from_cfg = true;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	config_free(f->cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* the generated text, or NULL with err */
static char *gen(struct fixture *f, enum birdconf_kind kind, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	int r = f->from_cfg ? birdconf_write(f->cfg, kind, out, err, errlen)
			    : birdconf_write_bgp(f->cfg, &f->bgp, kind, out, err, errlen);
	fclose(out);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *gen_ok(struct fixture *f, enum birdconf_kind kind)
{
	char err[256] = "";
	char *s = gen(f, kind, err, sizeof err);

	if (!s)
		fail_msg("generation failed: %s", err);
	return s;
}

static void gen_fails(struct fixture *f, enum birdconf_kind kind, const char *why)
{
	char err[256] = "";
	char *s = gen(f, kind, err, sizeof err);

	if (s)
		fail_msg("generated although it should fail with '%s':\n%s", why, s);
	if (!strstr(err, why))
		fail_msg("error '%s' does not mention '%s'", err, why);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static bool have_bird(void)
{
	return system("command -v bird >/dev/null 2>&1") == 0;
}

/* `bird -p -c` on text; 0 when BIRD accepts it.  Prints BIRD's complaint. */
static int bird_parse_v(struct fixture *f, const char *name, const char *text, bool loud)
{
	char path[192], cmd[512];

	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	write_file(path, text);
	snprintf(cmd, sizeof cmd, "bird -p -c '%s' 2>'%s.err'", path, path);
	int st = system(cmd);
	if (st != 0 && loud) {
		snprintf(cmd, sizeof cmd, "cat '%s.err' >&2; cat -n '%s' >&2", path, path);
		(void)!system(cmd);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int bird_parse(struct fixture *f, const char *name, const char *text)
{
	return bird_parse_v(f, name, text, true);
}

/* the line of text holding needle, and the one holding after it later */
static void assert_in_order(const char *text, const char *first, const char *then)
{
	const char *a = strstr(text, first);

	if (!a)
		fail_msg("missing '%s' in:\n%s", first, text);
	if (!strstr(a, then))
		fail_msg("missing '%s' after '%s' in:\n%s", then, first, text);
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("missing '%s' in:\n%s", needle, text);
}

static void assert_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected '%s' in:\n%s", needle, text);
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_state_starts_withdrawn(void **state)
{
	struct fixture *f = *state;
	char *s = gen_ok(f, BIRDCONF_STATE);

	assert_has(s, "define RAIZ_V4_WITHDRAWN = 1;");
	assert_has(s, "define RAIZ_V4_DRAIN = 0;");
	assert_has(s, "define RAIZ_V6_WITHDRAWN = 1;");
	assert_has(s, "define RAIZ_V6_DRAIN = 0;");
	write_file(f->state, s);
	free(s);
}

static void test_node_pieces(void **state)
{
	struct fixture *f = *state;
	char *s = gen_ok(f, BIRDCONF_NODE), inc[192];

	snprintf(inc, sizeof inc, "include \"%s\";", f->state);
	assert_has(s, inc);
	assert_has(s, "router id 203.0.113.2;");
	assert_in_order(s, "protocol static raiz_v4 {", "disabled RAIZ_V4_WITHDRAWN;");
	assert_in_order(s, "protocol static raiz_v4 {", "route 192.0.2.0/24 blackhole;");
	assert_in_order(s, "protocol static raiz_v6 {", "disabled RAIZ_V6_WITHDRAWN;");
	assert_in_order(s, "protocol static raiz_v6 {", "route 2001:db8::/48 blackhole;");
	/* the v4 session exports exactly the /24 from raiz_v4, nothing else */
	assert_in_order(s, "filter raiz_export_isp_v4 {",
			"if net = 192.0.2.0/24 && proto = \"raiz_v4\" then {");
	assert_in_order(s, "filter raiz_export_isp_v6 {",
			"if net = 2001:db8::/48 && proto = \"raiz_v6\" then {");
	assert_lacks(s, "proto = \"raiz_v6\" then {\n\t\tif RAIZ_V4");
	assert_int_equal(count(s, "net = 192.0.2.0/24"), 1);
	assert_int_equal(count(s, "net = 2001:db8::/48"), 1);
	assert_int_equal(count(s, "\treject;\n}"), 2);
	/* drain: GRACEFUL_SHUTDOWN, prepend x2, MED, switched by the constant */
	assert_in_order(s, "if RAIZ_V4_DRAIN = 1 then {", "bgp_community.add((65535, 0));");
	assert_in_order(s, "if RAIZ_V6_DRAIN = 1 then {", "bgp_med = 1000;");
	assert_int_equal(count(s, "bgp_path.prepend(65001);"), 4);
	/* sessions */
	assert_in_order(s, "protocol bgp isp_v4 {", "local 203.0.113.2 as 65001;");
	assert_in_order(s, "protocol bgp isp_v4 {", "neighbor 203.0.113.1 as 65000;");
	assert_in_order(s, "protocol bgp isp_v6 {", "neighbor 2001:db8:ffff::1 as 65000;");
	assert_int_equal(count(s, "graceful restart off;"), 2);
	/* back within about a second of a repair, never backing off */
	assert_int_equal(count(s, "\tconnect delay time 1;\n"), 2);
	assert_int_equal(count(s, "\tconnect retry time 1;\n"), 2);
	assert_int_equal(count(s, "\terror wait time 0, 0;\n"), 2);
	assert_in_order(s, "protocol bgp isp_v4 {", "connect retry time 1;");
	assert_lacks(s, "error wait time 1, 30");
	/* raiz-controller reads the times of `show status` */
	assert_has(s, "\ntimeformat base iso long us;\n");
	assert_int_equal(count(s, "import none;"), 2);
	assert_int_equal(count(s, "export limit 1 action block;"), 2);
	assert_int_equal(count(s, "bfd on;"), 2);
	assert_has(s, "protocol bfd raiz_bfd {");
	assert_lacks(s, "kernel {");
	assert_lacks(s, "protocol kernel");
	assert_lacks(s, "export all");
	if (have_bird()) {
		test_state_starts_withdrawn(state);
		assert_int_equal(bird_parse(f, "node.conf", s), 0);
	}
	free(s);
}

static void test_isp_pieces(void **state)
{
	struct fixture *f = *state;
	char *s = gen_ok(f, BIRDCONF_ISP);

	assert_has(s, "define RAIZ_NODE_AS = 65001;");
	assert_in_order(s, "filter raiz_import_isp_v4 {",
			"if net = 192.0.2.0/24 && bgp_path.last = RAIZ_NODE_AS then {");
	assert_in_order(s, "filter raiz_import_isp_v6 {",
			"if net = 2001:db8::/48 && bgp_path.last = RAIZ_NODE_AS then {");
	assert_int_equal(count(s, "if (65535, 0) ~ bgp_community then bgp_local_pref = 0;"), 2);
	assert_in_order(s, "protocol bgp raiz_isp_v4 {", "local 203.0.113.1 as 65000;");
	assert_in_order(s, "protocol bgp raiz_isp_v4 {", "neighbor 203.0.113.2 as RAIZ_NODE_AS;");
	assert_int_equal(count(s, "receive limit 1 action disable;"), 2);
	assert_int_equal(count(s, "export none;"), 2);
	assert_int_equal(count(s, "enforce first as on;"), 2);
	assert_int_equal(count(s, "bfd on;"), 2);
	/* the ISP's side must not refuse a repaired node for BIRD's default
	 * error wait (60 s) nor wait out a connect (120 s) */
	assert_int_equal(count(s, "\tconnect retry time 1;\n"), 2);
	assert_int_equal(count(s, "\terror wait time 0, 0;\n"), 2);
	assert_has(s, "router id 203.0.113.1;");
	if (have_bird())
		assert_int_equal(bird_parse(f, "isp.conf", s), 0);
	free(s);
}

/* a third, multihop session with a password and no BFD; the v6 prefix,
 * which names no session, goes to both IPv6 ones */
static void test_three_sessions(void **state)
{
	struct fixture *f = *state;

	f->from_cfg = false;
	f->bgp.npeers = 3;
	f->bgp.router_id = NULL;
	char *s = gen_ok(f, BIRDCONF_NODE);
	assert_lacks(s, "router id");
	assert_int_equal(count(s, "net = 2001:db8::/48"), 2);
	assert_in_order(s, "protocol bgp isp2_v6 {", "multihop 2;");
	assert_in_order(s, "protocol bgp isp2_v6 {", "password \"s3cret\";");
	assert_in_order(s, "protocol bgp isp2_v6 {", "bfd off;");
	assert_in_order(s, "protocol bgp isp2_v6 {", "export limit 5 action block;");
	assert_in_order(s, "protocol bgp isp2_v6 {", "local as 65001;");
	if (have_bird()) {
		test_state_starts_withdrawn(state);
		assert_int_equal(bird_parse(f, "node3.conf", s), 0);
	}
	free(s);
	/* the ISP example needs every session's local address */
	gen_fails(f, BIRDCONF_ISP, "isp2_v6");
	f->bgp.npeers = 2;
}

/* a state file that announces and drains is accepted by the same config:
 * BIRD parses the drain branch */
static void test_node_with_drain_state(void **state)
{
	struct fixture *f = *state;

	if (!have_bird())
		skip();
	char *s = gen_ok(f, BIRDCONF_NODE);
	write_file(f->state, "define RAIZ_V4_WITHDRAWN = 0;\ndefine RAIZ_V4_DRAIN = 1;\n"
		   "define RAIZ_V6_WITHDRAWN = 0;\ndefine RAIZ_V6_DRAIN = 1;\n");
	assert_int_equal(bird_parse(f, "node-drain.conf", s), 0);
	/* and a missing constant is refused by BIRD, as a check on the test */
	write_file(f->state, "define RAIZ_V4_WITHDRAWN = 0;\n");
	assert_int_not_equal(bird_parse_v(f, "node-bad.conf", s, false), 0);
	free(s);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct birdconf_peer p[2];

	f->from_cfg = false;
	f->bgp.npeers = 0;
	gen_fails(f, BIRDCONF_NODE, "neighbors");
	f->bgp.peers = p;
	f->bgp.npeers = 2;

	memcpy(p, sample_peers, sizeof p);
	p[1].family = AF_INET;
	gen_fails(f, BIRDCONF_NODE, "bad address");

	memcpy(p, sample_peers, sizeof p);
	p[0].name = "isp_v6";
	gen_fails(f, BIRDCONF_NODE, "twice");

	memcpy(p, sample_peers, sizeof p);
	p[0].name = "raiz_v4";
	gen_fails(f, BIRDCONF_NODE, "static protocol");

	memcpy(p, sample_peers, sizeof p);
	p[0].name = "bad-name";
	gen_fails(f, BIRDCONF_NODE, "not a BIRD protocol name");

	memcpy(p, sample_peers, sizeof p);
	p[0].as = 65001;
	gen_fails(f, BIRDCONF_NODE, "eBGP");

	memcpy(p, sample_peers, sizeof p);
	p[0].password = "a\"b";
	gen_fails(f, BIRDCONF_NODE, "quoted");

	memcpy(p, sample_peers, sizeof p);
	p[0].local = "2001:db8::1";
	gen_fails(f, BIRDCONF_NODE, "not an ipv4 address");

	/* the /24 names isp_v4; renamed, it names nothing */
	memcpy(p, sample_peers, sizeof p);
	p[0].name = "other_v4";
	gen_fails(f, BIRDCONF_NODE, "not a neighbor");

	/* no IPv6 session: the /48 has nowhere to go */
	memcpy(p, sample_peers, sizeof p);
	f->bgp.npeers = 1;
	gen_fails(f, BIRDCONF_NODE, "no ipv6 neighbor");

	memcpy(p, sample_peers, sizeof p);
	f->bgp.npeers = 2;
	f->bgp.router_id = "2001:db8::1";
	gen_fails(f, BIRDCONF_NODE, "router-id");

	f->bgp.router_id = "203.0.113.2";
	f->bgp.peers = sample_peers;
	/* the state file does not need sessions */
	f->bgp.npeers = 0;
	char *s = gen_ok(f, BIRDCONF_STATE);
	free(s);
	f->bgp.npeers = 2;
}

static void test_kind_parse(void **state)
{
	(void)state;
	assert_int_equal(birdconf_kind_parse("node"), BIRDCONF_NODE);
	assert_int_equal(birdconf_kind_parse("isp"), BIRDCONF_ISP);
	assert_int_equal(birdconf_kind_parse("state"), BIRDCONF_STATE);
	assert_int_equal(birdconf_kind_parse("nodes"), -1);
}

/* a write error is reported, not hidden */
static void test_write_error(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";
	FILE *out = fopen("/dev/full", "w");

	if (!out)
		skip();
	assert_int_equal(birdconf_write_bgp(f->cfg, &f->bgp, BIRDCONF_NODE, out, err,
					    sizeof err), -1);
	assert_non_null(strstr(err, "write error"));
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_starts_withdrawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isp_pieces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_three_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_with_drain_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test(test_kind_parse),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

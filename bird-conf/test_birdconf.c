/* test_birdconf — the generated BIRD configuration: the right pieces
 * (communities exactly where configured, route-server sessions and the
 * route server's example), the raiz.json keys behind them refused when
 * malformed, and the real BIRD (`bird -p -c`) parses it.  Skips the BIRD part when no bird
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
#include "bird-conf/birdconf.h"

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

/* ---- communities, NO_EXPORT, route servers ---- */

/* a node with a transit session per family and a route-server session per
 * family; communities on the sessions and on the prefixes */
static const char *const ixp_json =
	"{\n"
	"  \"node\": { \"identity\": \"ixp1\" },\n"
	"  \"dnsd\": { \"listen\": [\"192.0.2.53\"] },\n"
	"  \"bird\": { \"as\": 65001, \"prepend\": 1, \"state-file\": \"@STATE@\",\n"
	"    \"neighbors\": [\n"
	"      { \"name\": \"isp_v4\", \"address\": \"203.0.113.1\", \"as\": 65000,\n"
	"        \"local-address\": \"203.0.113.2\", \"communities\": [\"65000:7\"] },\n"
	"      { \"name\": \"isp_v6\", \"address\": \"2001:db8:ffff::1\", \"as\": 65000,\n"
	"        \"local-address\": \"2001:db8:ffff::2\" },\n"
	"      { \"name\": \"rs_v4\", \"kind\": \"route-server\", \"address\": \"198.51.100.1\",\n"
	"        \"as\": 65010, \"local-address\": \"198.51.100.2\", \"no-export\": true,\n"
	"        \"large-communities\": [\"65010:0:65666\", \"65010:0:4200000000\"] },\n"
	"      { \"name\": \"rs_v6\", \"kind\": \"route-server\", \"address\": \"2001:db8:ff::1\",\n"
	"        \"as\": 65010, \"local-address\": \"2001:db8:ff::2\", \"bfd\": false } ] },\n"
	"  \"probes\": [ { \"name\": \"p\", \"target\": \"192.0.2.53\", \"qname\": \".\" } ],\n"
	"  \"services\": [ { \"name\": \"dns\", \"probes\": [\"p\"] } ],\n"
	"  \"prefixes\": [\n"
	"    { \"prefix\": \"192.0.2.0/24\", \"static-protocol\": \"raiz_v4\",\n"
	"      \"communities\": [\"65001:100\", \"no-advertise\"] },\n"
	"    { \"prefix\": \"198.51.100.128/25\", \"static-protocol\": \"local_v4\",\n"
	"      \"bgp\": [\"isp_v4\"], \"no-export\": true,\n"
	"      \"large-communities\": [\"65001:1:2\"] },\n"
	"    { \"prefix\": \"2001:db8::/48\", \"static-protocol\": \"raiz_v6\" }\n"
	"  ]\n"
	"}\n";

/* load a configuration with @STATE@ replaced; NULL with err on refusal */
static struct raiz_config *load_json(struct fixture *f, const char *tmpl, char *err,
				     size_t errlen)
{
	struct raiz_config *cfg = NULL;
	const char *at = strstr(tmpl, "@STATE@");
	char *json;

	if (at)
		assert_true(asprintf(&json, "%.*s%s%s", (int)(at - tmpl), tmpl, f->state,
				     at + strlen("@STATE@")) > 0);
	else
		assert_non_null(json = strdup(tmpl));
	int r = config_load_string("ixp.json", json, &cfg, err, errlen);
	free(json);
	return r < 0 ? NULL : cfg;
}

static void use_ixp(struct fixture *f)
{
	char err[512] = "";
	struct raiz_config *cfg = load_json(f, ixp_json, err, sizeof err);

	if (!cfg)
		fail_msg("ixp config refused: %s", err);
	config_free(f->cfg);
	f->cfg = cfg;
	f->from_cfg = true;
}

/* the text of `filter raiz_export_<name> { ... }` (allocated) */
static char *filter_of(const char *text, const char *name)
{
	char head[96];
	snprintf(head, sizeof head, "filter raiz_export_%s {\n", name);
	const char *a = strstr(text, head);
	if (!a)
		fail_msg("no %s in:\n%s", head, text);
	const char *e = strstr(a, "\n}\n");
	assert_non_null(e);
	return strndup(a, (size_t)(e - a) + 3);
}

/* the branch of filter f for prefix net (allocated) */
static char *branch_of(const char *f, const char *net)
{
	char head[96];
	snprintf(head, sizeof head, "\tif net = %s && ", net);
	const char *a = strstr(f, head);
	if (!a)
		return NULL;
	const char *e = strstr(a, "\t\taccept;\n");
	assert_non_null(e);
	return strndup(a, (size_t)(e - a));
}

static void test_communities_where_configured(void **state)
{
	struct fixture *f = *state;

	use_ixp(f);
	char *s = gen_ok(f, BIRDCONF_NODE);
	char *isp4 = filter_of(s, "isp_v4"), *isp6 = filter_of(s, "isp_v6");
	char *rs4 = filter_of(s, "rs_v4"), *rs6 = filter_of(s, "rs_v6");

	/* isp_v4: its own (65000, 7) on both its prefixes; the /24's own
	 * communities on the /24 only; the local /25 with NO_EXPORT and its
	 * large community */
	char *b24 = branch_of(isp4, "192.0.2.0/24"), *b25 = branch_of(isp4, "198.51.100.128/25");
	assert_non_null(b24);
	assert_non_null(b25);
	assert_has(b24, "bgp_community.add((65000, 7));");
	assert_has(b24, "bgp_community.add((65001, 100));");
	assert_has(b24, "bgp_community.add((65535, 65282));   # NO_ADVERTISE");
	assert_lacks(b24, "65281");
	assert_lacks(b24, "bgp_large_community");
	assert_has(b25, "bgp_community.add((65000, 7));");
	assert_has(b25, "bgp_community.add((65535, 65281));   # NO_EXPORT");
	assert_has(b25, "bgp_large_community.add((65001, 1, 2));");
	assert_lacks(b25, "65001, 100");
	/* the communities are set before the drain branch, always */
	assert_in_order(b24, "bgp_community.add((65001, 100));", "if RAIZ_V4_DRAIN = 1");
	/* rs_v4: NO_EXPORT and the action communities, on the /24 only (the
	 * /25 names isp_v4 alone); not the ISP's (65000, 7) */
	assert_null(branch_of(rs4, "198.51.100.128/25"));
	char *r24 = branch_of(rs4, "192.0.2.0/24");
	assert_non_null(r24);
	assert_has(r24, "bgp_community.add((65535, 65281));   # NO_EXPORT");
	assert_has(r24, "bgp_large_community.add((65010, 0, 65666));");
	assert_has(r24, "bgp_large_community.add((65010, 0, 4200000000));");
	assert_has(r24, "bgp_community.add((65001, 100));");
	assert_lacks(r24, "65000, 7");
	/* the IPv6 sessions: nothing configured, nothing added but drain's */
	assert_lacks(isp6, "bgp_large_community");
	assert_int_equal(count(isp6, "bgp_community.add("), 1);
	assert_int_equal(count(rs6, "bgp_community.add("), 1);
	/* each session its own export filter */
	assert_int_equal(count(s, "\t\texport filter raiz_export_"), 4);
	if (have_bird()) {
		test_state_starts_withdrawn(state);
		assert_int_equal(bird_parse(f, "ixp-node.conf", s), 0);
		write_file(f->state, "define RAIZ_V4_WITHDRAWN = 0;\ndefine RAIZ_V4_DRAIN = 1;\n"
			   "define LOCAL_V4_WITHDRAWN = 0;\ndefine LOCAL_V4_DRAIN = 1;\n"
			   "define RAIZ_V6_WITHDRAWN = 0;\ndefine RAIZ_V6_DRAIN = 1;\n");
		assert_int_equal(bird_parse(f, "ixp-node-drain.conf", s), 0);
	}
	free(b24);
	free(b25);
	free(r24);
	free(isp4);
	free(isp6);
	free(rs4);
	free(rs6);
	free(s);
}

/* the node's route-server sessions accept paths whose first AS is not the
 * server's; transit sessions keep BIRD's default */
static void test_rs_node_sessions(void **state)
{
	struct fixture *f = *state;

	use_ixp(f);
	char *s = gen_ok(f, BIRDCONF_NODE);
	assert_int_equal(count(s, "enforce first as off;"), 2);
	assert_in_order(s, "protocol bgp rs_v4 {", "enforce first as off;");
	assert_in_order(s, "protocol bgp rs_v6 {", "enforce first as off;");
	const char *isp = strstr(s, "protocol bgp isp_v6 {"), *rs = strstr(s, "protocol bgp rs_v4 {");
	assert_non_null(isp);
	assert_non_null(rs);
	assert_true(isp < rs);
	/* none on the transit sessions, which come first */
	assert_true(strstr(s, "enforce first as off;") > rs);
	assert_in_order(s, "protocol bgp rs_v4 {", "description \"IXP route server 198.51.100.1\";");
	assert_in_order(s, "protocol bgp rs_v6 {", "bfd off;");
	assert_int_equal(count(s, "graceful restart off;"), 4);
	free(s);
}

static void test_rs_example(void **state)
{
	struct fixture *f = *state;

	use_ixp(f);
	char *s = gen_ok(f, BIRDCONF_RS);
	assert_has(s, "define RAIZ_NODE_AS = 65001;");
	assert_has(s, "router id 198.51.100.1;");
	/* one session per route-server neighbor, none for transit */
	assert_int_equal(count(s, "protocol bgp raiz_"), 2);
	assert_lacks(s, "isp_v4");
	assert_in_order(s, "protocol bgp raiz_rs_v4 {", "local 198.51.100.1 as 65010;");
	assert_in_order(s, "protocol bgp raiz_rs_v4 {", "neighbor 198.51.100.2 as RAIZ_NODE_AS;");
	assert_in_order(s, "protocol bgp raiz_rs_v6 {", "neighbor 2001:db8:ff::2 as RAIZ_NODE_AS;");
	/* rs client, communities passed on: on the node's sessions and on
	 * the members' template */
	assert_int_equal(count(s, "\trs client;\n"), 4);
	assert_int_equal(count(s, "\tinterpret communities off;\n"), 4);
	assert_int_equal(count(s, "template bgp raiz_member_"), 2);
	/* only the node's prefixes of each session, from the node's AS */
	assert_in_order(s, "filter raiz_import_rs_v4 {",
			"if net = 192.0.2.0/24 && bgp_path.last = RAIZ_NODE_AS then {");
	assert_int_equal(count(s, "198.51.100.128/25"), 0);
	assert_int_equal(count(s, "receive limit 1 action disable;"), 2);
	assert_int_equal(count(s, "export none;"), 2);
	/* BFD as configured (rs_v6 has it off), with the fast timers */
	assert_has(s, "protocol bfd raiz_bfd {");
	assert_has(s, "min rx interval 100 ms;");
	assert_in_order(s, "protocol bgp raiz_rs_v4 {", "bfd on;");
	assert_in_order(s, "protocol bgp raiz_rs_v6 {", "bfd off;");
	assert_int_equal(count(s, "\tconnect retry time 1;\n"), 4);
	assert_int_equal(count(s, "\terror wait time 0, 0;\n"), 4);
	if (have_bird()) {
		/* and a member session made from the template, honouring the
		 * action communities */
		char *m;
		assert_true(asprintf(&m, "%s\nprotocol bgp member_64500 from raiz_member_rs_v4 {\n"
				     "\tneighbor 198.51.100.10 as 64500;\n"
				     "\tipv4 { export where raiz_rs_announce_to(65010, 64500); };\n"
				     "}\n", s) > 0);
		assert_int_equal(bird_parse(f, "rs.conf", m), 0);
		free(m);
	}
	free(s);
	/* the ISP example: the transit sessions only, with BFD */
	s = gen_ok(f, BIRDCONF_ISP);
	assert_int_equal(count(s, "protocol bgp raiz_"), 2);
	assert_lacks(s, "rs_v4");
	assert_lacks(s, "rs client");
	assert_has(s, "protocol bfd raiz_bfd {");
	assert_int_equal(count(s, "bfd on;"), 2);
	assert_has(s, "NO_EXPORT");
	if (have_bird())
		assert_int_equal(bird_parse(f, "isp-ixp.conf", s), 0);
	free(s);
}

/* an example for a kind of router the node does not peer with is refused */
static void test_rs_needs_route_server(void **state)
{
	struct fixture *f = *state;

	gen_fails(f, BIRDCONF_RS, "route-server");
	f->from_cfg = false;
	struct birdconf_peer p[2];
	memcpy(p, sample_peers, sizeof p);
	p[0].kind = p[1].kind = CFG_BGP_ROUTE_SERVER;
	f->bgp.peers = p;
	gen_fails(f, BIRDCONF_ISP, "transit");
	char *s = gen_ok(f, BIRDCONF_RS);
	assert_int_equal(count(s, "rs client;"), 4);
	free(s);
	p[1].local = NULL;
	gen_fails(f, BIRDCONF_RS, "local-address");
	f->bgp.peers = sample_peers;
}

/* the keys are validated like the others: file:line, nulls and wrong types
 * refused */
static void test_community_keys_refused(void **state)
{
	static const struct {
		const char *from, *to, *why;
	} bad[] = {
		{ "\"65000:7\"", "\"65536:7\"", "ixp.json:7: neighbor \"isp_v4\": community \"65536:7\"" },
		{ "\"65000:7\"", "\"65000\"", "is not ASN:VALUE" },
		{ "\"65000:7\"", "\"65000:7:1\"", "is not ASN:VALUE" },
		{ "\"65000:7\"", "\"no_export\"", "is not ASN:VALUE" },
		{ "\"65000:7\"", "\"65535:0\"", "GRACEFUL_SHUTDOWN" },
		{ "\"65000:7\"", "\"65000:7\", \"65000:7\"", "listed twice" },
		{ "\"65000:7\"", "null", "null" },
		{ "\"65000:7\"", "7", "must list strings" },
		{ "[\"65000:7\"]", "\"65000:7\"", "must be an array" },
		{ "[\"65000:7\"]", "null", "null" },
		{ "\"65010:0:65666\"", "\"65010:0\"", "GLOBAL:LOCAL1:LOCAL2" },
		{ "\"65010:0:65666\"", "\"65010:0:4294967296\"", "GLOBAL:LOCAL1:LOCAL2" },
		{ "\"65010:0:65666\"", "\"-1:0:1\"", "GLOBAL:LOCAL1:LOCAL2" },
		{ "\"kind\": \"route-server\", \"address\": \"198", "\"kind\": \"ixp\", \"address\": \"198", "kind" },
		{ "\"kind\": \"route-server\", \"address\": \"198", "\"kind\": null, \"address\": \"198", "null" },
		{ "\"no-export\": true,\n", "\"no-export\": \"yes\",\n", "no-export" },
		{ "\"no-export\": true,\n", "\"no-export\": null,\n", "null" },
		{ "\"65001:100\"", "\"65001:x\"", "prefix 192.0.2.0/24: community" },
		{ "\"65001:1:2\"", "\"65001:1:2\", \"65001:1:2\"", "listed twice" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[512] = "", *json;
		const char *at = strstr(ixp_json, bad[i].from);
		assert_non_null(at);
		assert_true(asprintf(&json, "%.*s%s%s", (int)(at - ixp_json), ixp_json, bad[i].to,
				     at + strlen(bad[i].from)) > 0);
		struct raiz_config *cfg = load_json(f, json, err, sizeof err);
		free(json);
		if (cfg) {
			config_free(cfg);
			fail_msg("case %zu (%s) accepted", i, bad[i].to);
		}
		if (!strstr(err, bad[i].why))
			fail_msg("case %zu: error '%s' does not mention '%s'", i, err, bad[i].why);
		if (!strstr(err, "ixp.json:"))
			fail_msg("case %zu: error '%s' has no file:line", i, err);
	}
	/* accepted: every well-known name, the extremes of each number, and
	 * "no-export" both as the shorthand and in the list (added once) */
	char err[512] = "", *json;
	const char *at = strstr(ixp_json, "\"65000:7\"");
	assert_true(asprintf(&json, "%.*s%s%s", (int)(at - ixp_json), ixp_json,
			     "\"0:0\", \"65535:65535\", \"no-export\", \"no-advertise\", "
			     "\"no-export-subconfed\", \"no-peer\"], \"no-export\": true, "
			     "\"large-communities\": [\"0:0:0\", \"4294967295:4294967295:4294967295\"",
			     at + strlen("\"65000:7\"")) > 0);
	struct raiz_config *cfg = load_json(f, json, err, sizeof err);
	free(json);
	if (!cfg)
		fail_msg("refused: %s", err);
	const struct cfg_bird_neighbor *nb = &cfg->ctl.bird.neighbors[0];
	assert_int_equal(nb->comm.nstd, 6);
	assert_int_equal(nb->comm.std[0], 0);
	assert_int_equal(nb->comm.std[1], 0xFFFFFFFFu);
	assert_int_equal(nb->comm.std[2], CFG_COMMUNITY_NO_EXPORT);
	assert_int_equal(nb->comm.std[5], 0xFFFFFF04u);
	assert_int_equal(nb->comm.nlarge, 2);
	assert_int_equal(nb->comm.large[1].local2, 4294967295u);
	assert_int_equal(nb->kind, CFG_BGP_TRANSIT);
	assert_int_equal(cfg->ctl.bird.neighbors[2].kind, CFG_BGP_ROUTE_SERVER);
	assert_int_equal(cfg->ctl.bird.neighbors[2].comm.nstd, 1);
	assert_int_equal(cfg->ctl.prefixes[1].comm.std[0], CFG_COMMUNITY_NO_EXPORT);
	config_free(cfg);
}

static void test_kind_parse(void **state)
{
	(void)state;
	assert_int_equal(birdconf_kind_parse("node"), BIRDCONF_NODE);
	assert_int_equal(birdconf_kind_parse("isp"), BIRDCONF_ISP);
	assert_int_equal(birdconf_kind_parse("rs"), BIRDCONF_RS);
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
		cmocka_unit_test_setup_teardown(test_communities_where_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rs_node_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rs_example, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rs_needs_route_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_community_keys_refused, setup, teardown),
		cmocka_unit_test(test_kind_parse),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests: the "probes" section (common/config_probe.c) through config_load */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>

#include "common/config.h"

static char err[512];

#define HEAD "{\n\"node\": { \"identity\": \"gru1\" },\n" \
	     "\"dnsd\": { \"listen\": [\"127.0.0.1@5353\"] },\n"

static struct raiz_config *load_ok(const char *text)
{
	struct raiz_config *cfg = NULL;
	int r = config_load_string("t.json", text, &cfg, err, sizeof err);
	if (r != 0)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(r, 0);
	return cfg;
}

static void load_bad(const char *probes, const char *want)
{
	char text[2048];
	struct raiz_config *cfg = NULL;
	snprintf(text, sizeof text, HEAD "\"probes\": [\n%s\n]\n}\n", probes);
	int r = config_load_string("t.json", text, &cfg, err, sizeof err);
	if (r == 0)
		config_free(cfg);
	assert_int_equal(r, -1);
	if (!strstr(err, want))
		print_error("error \"%s\" lacks \"%s\"\n", err, want);
	assert_non_null(strstr(err, want));
}

static void test_defaults(void **st)
{
	struct raiz_config *cfg = load_ok(HEAD "\"probes\": [ { \"name\": \"root-soa\", "
					  "\"target\": \"127.0.0.1@5353\", \"qname\": \".\" } ]\n}\n");
	assert_int_equal(cfg->ctl.nprobes, 1);
	const struct cfg_probe *p = config_probe_find(cfg, "root-soa");
	assert_non_null(p);
	assert_null(config_probe_find(cfg, "nope"));
	assert_int_equal(p->line, 4);
	assert_int_equal(p->transport, PROBE_UDP);
	assert_string_equal(p->target->text, "127.0.0.1@5353");
	assert_null(p->source);
	assert_false(p->target_local);
	assert_string_equal(p->qname, ".");
	assert_int_equal(p->qtype, LDNS_RR_TYPE_SOA);
	assert_int_equal(p->qclass, LDNS_RR_CLASS_IN);
	assert_false(p->dnssec_ok);
	assert_int_equal(p->edns_size, 1232);
	assert_int_equal(p->timeout_ms, 400);
	assert_int_equal(p->expect_rcode, 0);
	assert_true(p->expect_aa);
	assert_false(p->expect_answer);
	assert_null(p->expect_nsid);
	assert_int_equal(p->soa_max_age_s, 0);
	assert_null(p->primary);
	assert_int_equal(p->rrsig_margin_s, 86400);
	assert_int_equal(p->max_latency_ms, 0);
	/* the default service is made of every probe */
	config_free(cfg);
}

static void test_full(void **st)
{
	struct raiz_config *cfg = load_ok(HEAD "\"probes\": [\n"
		"{ \"name\": \"a\", \"transport\": \"tcp\", \"target\": \"2001:db8::53\",\n"
		"  \"source\": \"2001:db8::1\", \"qname\": \"br\", \"qtype\": \"NS\",\n"
		"  \"target-local\": true,\n"
		"  \"dnssec-ok\": true, \"edns-buffer-size\": 4096, \"timeout\": \"2s\",\n"
		"  \"expect-rcode\": \"NOERROR\", \"expect-aa\": false,\n"
		"  \"expect-rdata\": [\"a.dns.br.\", \"b.dns.br\"], \"expect-nsid\": true,\n"
		"  \"expect-rrsig\": true, \"soa-max-age\": \"2d\", \"primary\": \"192.0.2.1@5300\",\n"
		"  \"max-serial-lag\": 2, \"rrsig-margin\": \"3d\", \"max-latency\": \"150ms\" },\n"
		"{ \"name\": \"b\", \"target\": \"127.0.0.1\", \"qname\": \"id.server.\",\n"
		"  \"qclass\": \"CH\", \"qtype\": \"TXT\",\n"
		"  \"expect-rcode\": \"nxdomain\", \"edns-buffer-size\": 0, \"expect-nsid\": null },\n"
		"{ \"name\": \"c\", \"target\": \"127.0.0.1\", \"qname\": \"other.\",\n"
		"  \"expect-rcode\": \"REFUSED\" }\n"
		"]\n}\n");
	assert_int_equal(cfg->ctl.nprobes, 3);
	assert_false(cfg->ctl.probes[2].expect_aa);       /* REFUSED comes without AA */
	const struct cfg_probe *p = &cfg->ctl.probes[0];
	assert_int_equal(p->transport, PROBE_TCP);
	assert_string_equal(p->target->text, "2001:db8::53@53");
	assert_string_equal(p->source->text, "2001:db8::1");
	assert_int_equal(p->source->port, 0);
	assert_true(p->target_local);
	assert_string_equal(p->qname, "br.");
	assert_int_equal(p->qtype, LDNS_RR_TYPE_NS);
	assert_true(p->dnssec_ok);
	assert_int_equal(p->edns_size, 4096);
	assert_int_equal(p->timeout_ms, 2000);
	assert_false(p->expect_aa);
	assert_true(p->expect_answer);
	assert_int_equal(p->nexpect_rdata, 2);
	assert_string_equal(p->expect_rdata[1], "b.dns.br");
	assert_string_equal(p->expect_nsid, "gru1");       /* dnsd.nsid = node.identity */
	assert_true(p->expect_rrsig);
	assert_int_equal(p->soa_max_age_s, 2 * 86400);
	assert_string_equal(p->primary->text, "192.0.2.1@5300");
	assert_int_equal(p->max_serial_lag, 2);
	assert_int_equal(p->rrsig_margin_s, 3 * 86400);
	assert_int_equal(p->max_latency_ms, 150);
	p = &cfg->ctl.probes[1];
	assert_int_equal(p->qclass, LDNS_RR_CLASS_CH);
	assert_int_equal(p->qtype, LDNS_RR_TYPE_TXT);
	assert_int_equal(p->expect_rcode, 3);
	assert_true(p->expect_aa);
	assert_int_equal(p->edns_size, 0);
	assert_null(p->expect_nsid);
	config_free(cfg);
}

static void test_bad(void **st)
{
	const char *t = "\"target\": \"127.0.0.1\", \"qname\": \".\"";
	char b[512];
#define BAD(extra, want) do { \
		snprintf(b, sizeof b, "{ \"name\": \"p\", %s, %s }", t, extra); \
		load_bad(b, want); \
	} while (0)
	BAD("\"tiemout\": 1", "t.json:5: unknown key \"tiemout\" in probe");
	BAD("\"transport\": \"sctp\"", "\"transport\" must be one of \"udp\", \"tcp\"");
	BAD("\"qtype\": \"AXFR\"", "probe \"p\": \"qtype\": \"AXFR\" is not a type a probe can ask for");
	BAD("\"qtype\": \"BOGUS\"", "not a type a probe can ask for");
	BAD("\"qclass\": \"ANY\"", "\"qclass\" must be");
	BAD("\"timeout\": \"5ms\"", "\"timeout\" must be between 10ms and 60s");
	BAD("\"edns-buffer-size\": 100", "must be 0 (no EDNS) or 512..65535");
	BAD("\"edns-buffer-size\": 0, \"dnssec-ok\": true", "need it");
	BAD("\"expect-rcode\": \"WHATEVER\"", "unknown rcode \"WHATEVER\"");
	BAD("\"expect-rcode\": true", "must be an rcode name or number");
	BAD("\"expect-rdata\": []", "\"expect-rdata\" must not be empty");
	BAD("\"expect-rdata\": [\"not an address\"], \"qtype\": \"A\"",
	    "\"expect-rdata\": \"not an address\" is not valid RDATA for A");
	BAD("\"expect-rdata\": [\"192.0.2.1\"], \"qtype\": \"A\", \"expect-answer\": false",
	    "contradicts");
	BAD("\"expect-nsid\": 5", "\"expect-nsid\" must be a string, or true");
	BAD("\"expect-rrsig\": true", "\"expect-rrsig\" needs \"dnssec-ok\": true");
	BAD("\"soa-max-age\": \"1ms\"", "\"soa-max-age\" must be between");
	BAD("\"max-serial-lag\": 3", "\"max-serial-lag\" needs \"primary\"");
	BAD("\"primary\": \"nowhere\"", "not an IPv4 or IPv6 address");
	BAD("\"max-latency\": \"1s\"", "\"max-latency\" (1000 ms) must be below \"timeout\" (400 ms)");
	BAD("\"source\": \"::1\"", "must both be IPv4 or both IPv6");
	BAD("\"source\": \"127.0.0.2@53\"", "\"source\" is an address without @port");
	BAD("\"dnssec-ok\": \"yes\"", "\"dnssec-ok\" must be true or false");
	load_bad("{ \"name\": \"p\", \"qname\": \".\" }", "probe \"p\": missing required key \"target\"");
	load_bad("{ \"name\": \"p\", \"target\": \"127.0.0.1\" }", "missing required key \"qname\"");
	load_bad("{ \"name\": \"bad name\", \"target\": \"127.0.0.1\", \"qname\": \".\" }",
		 "probe name \"bad name\" must be");
	load_bad("\"p\"", "probes: each entry must be an object");
	load_bad("{ \"name\": \"p\", \"target\": \"127.0.0.1\", \"qname\": \".\" },\n"
		 "{ \"name\": \"p\", \"target\": \"127.0.0.1\", \"qname\": \".\" }",
		 "t.json:6: probe \"p\" defined twice (first on line 5)");
#undef BAD
	/* expect-nsid: true without an NSID */
	struct raiz_config *cfg = NULL;
	assert_int_equal(config_load_string("t.json", "{ \"node\": { \"identity\": \"x\" },\n"
		"\"dnsd\": { \"listen\": [\"127.0.0.1\"], \"nsid\": null },\n"
		"\"probes\": [ { \"name\": \"p\", \"target\": \"127.0.0.1\", \"qname\": \".\",\n"
		"\"expect-nsid\": true } ] }", &cfg, err, sizeof err), -1);
	assert_string_equal(err, "t.json:4: probe \"p\": \"expect-nsid\": true, but this node "
			    "has no NSID (\"dnsd\": \"nsid\" is null)");
}

static void test_rcode_names(void **st)
{
	char b[16];
	assert_string_equal(config_probe_rcode_name(5, b, sizeof b), "REFUSED");
	assert_string_equal(config_probe_rcode_name(16, b, sizeof b), "BADVERS");
	assert_string_equal(config_probe_rcode_name(13, b, sizeof b), "RCODE13");
	assert_int_equal(config_probe_rcode_parse("servfail"), 2);
	assert_int_equal(config_probe_rcode_parse("NOTIMPL"), 4);
	assert_int_equal(config_probe_rcode_parse("RCODE13"), 13);
	assert_int_equal(config_probe_rcode_parse("RCODE"), -1);
	assert_int_equal(config_probe_rcode_parse("nope"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_rcode_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

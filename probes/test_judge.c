/* unit tests: judge, rrsig, serial, query — replies crafted with ldns */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ldns/ldns.h>

#include "common/cfgutil.h"
#include "common/config.h"
#include "probes/judge.h"
#include "probes/query.h"
#include "probes/rrsig.h"
#include "probes/serial.h"

/* 2026-11-21T12:00:00Z */
#define NOW ((time_t)1795262400)

static struct cfg_addr target;

static void spec_init(struct cfg_probe *s)
{
	config_probe_init(s);
	s->name = strdup("t");
	s->qname = strdup(".");
	cfg_addr_from_text("192.0.2.53", 53, &target);
	s->target = malloc(sizeof *s->target);
	*s->target = target;
}

/* a reply to (spec, id): QR AA, question, answer RRs from text lines */
static ldns_pkt *reply_new(const struct cfg_probe *s, uint16_t id, const char *const *answer)
{
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_pkt_query_new_frm_str(&p, s->qname, s->qtype, s->qclass, 0),
			 LDNS_STATUS_OK);
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	for (size_t i = 0; answer && answer[i]; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, answer[i], 3600, NULL, NULL),
				 LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	return p;
}

static void reply_nsid(ldns_pkt *p, const char *nsid)
{
	size_t n = strlen(nsid);
	uint8_t buf[300] = { 0, 3, (uint8_t)(n >> 8), (uint8_t)n };
	memcpy(buf + 4, nsid, n);
	ldns_pkt_set_edns_udp_size(p, 1232);
	ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, n + 4, buf));
}

/* judge p as the reply to query id 4242, latency 1 ms */
static void judge_pkt(const struct cfg_probe *s, ldns_pkt *p, struct probe_result *r)
{
	uint8_t *w;
	size_t n;
	assert_int_equal(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
	struct judge_input in = { .id = 4242, .wire = w, .len = n, .now = NOW,
				  .latency_us = 1000 };
	judge_init(r);
	judge_reply(s, &in, r);
	free(w);
	ldns_pkt_free(p);
}

static const char *const soa_ans[] = {
	". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026112100 1800 900 604800 86400",
	NULL,
};

static void test_ok(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	s.expect_nsid = strdup("gru1");
	s.expect_answer = true;
	ldns_pkt *p = reply_new(&s, 4242, soa_ans);
	reply_nsid(p, "gru1");
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_OK);
	assert_string_equal(r.reason, "");
	assert_int_equal(r.rcode, 0);
	assert_true(r.aa);
	assert_true(r.has_nsid);
	assert_string_equal(r.nsid, "gru1");
	assert_true(r.has_serial);
	assert_int_equal(r.serial, 2026112100);
	assert_int_equal(r.latency_us, 1000);
	assert_int_equal(r.rrsig_expire, 0);
	config_probe_clear(&s);
}

static void test_rcode(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	ldns_pkt *p = reply_new(&s, 4242, NULL);
	ldns_pkt_set_rcode(p, LDNS_RCODE_REFUSED);
	ldns_pkt_set_aa(p, false);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_int_equal(r.rcode, 5);
	assert_string_equal(r.reason, "udp 192.0.2.53@53 . SOA: rcode REFUSED, expected NOERROR");

	/* NXDOMAIN expected and seen */
	s.expect_rcode = 3;
	p = reply_new(&s, 4242, NULL);
	ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_OK);
	config_probe_clear(&s);
}

static void test_aa(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	ldns_pkt *p = reply_new(&s, 4242, soa_ans);
	ldns_pkt_set_aa(p, false);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "AA flag clear"));
	s.expect_aa = false;
	p = reply_new(&s, 4242, soa_ans);
	ldns_pkt_set_aa(p, false);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_OK);
	config_probe_clear(&s);
}

static void test_id_question(void **st)
{
	struct cfg_probe s, other;
	struct probe_result r;
	spec_init(&s);
	judge_pkt(&s, reply_new(&s, 4243, soa_ans), &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "reply ID 4243 does not match query ID 4242"));

	spec_init(&other);
	free(other.qname);
	other.qname = strdup("example.");
	judge_pkt(&s, reply_new(&other, 4242, NULL), &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "another question: example. SOA"));

	/* a query echoed back (QR clear) */
	ldns_pkt *p = reply_new(&s, 4242, NULL);
	ldns_pkt_set_qr(p, false);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "QR clear"));

	/* qname case does not matter */
	free(other.qname);
	other.qname = strdup("ExAmple.");
	free(s.qname);
	s.qname = strdup("example.");
	s.expect_aa = false;
	judge_pkt(&s, reply_new(&other, 4242, NULL), &r);
	assert_int_equal(r.verdict, PROBE_OK);
	config_probe_clear(&other);
	config_probe_clear(&s);
}

static void test_malformed(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	uint8_t *w;
	size_t n;
	ldns_pkt *p = reply_new(&s, 4242, soa_ans);
	assert_int_equal(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	struct judge_input in = { .id = 4242, .wire = w, .len = n - 7, .now = NOW };
	judge_init(&r);
	judge_reply(&s, &in, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "malformed reply"));
	in.len = 0;
	judge_init(&r);
	judge_reply(&s, &in, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	free(w);
	config_probe_clear(&s);
}

/* a TSIG record must be the last (RFC 8945): one that is not is refused
 * before ldns_wire2pkt(), which leaks all but the last TSIG it reads (found
 * by fuzz/fuzz_judge, fuzz/corpus/fuzz_judge/regress-tsig-not-last); a
 * last TSIG is left alone */
static void test_tsig_misplaced(void **st)
{
	static const uint8_t tsig[] = {
		3, 'k', 'e', 'y', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 29,
		11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0,
		0, 0, 0x6b, 0x01, 0x64, 0xc0, 1, 44, 0, 0, 0x10, 0x92, 0, 0, 0, 0,
	};
	struct cfg_probe s;
	struct probe_result r;
	uint8_t *w, buf[1024];
	size_t n;
	uint32_t serial;
	spec_init(&s);
	ldns_pkt *p = reply_new(&s, 4242, soa_ans);
	assert_int_equal(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	assert_true(n + 4 * sizeof tsig <= sizeof buf);
	memcpy(buf, w, n);
	free(w);
	for (int k = 1; k <= 4; k++) {
		size_t len = n;
		for (int i = 0; i < k; i++) {
			memcpy(buf + len, tsig, sizeof tsig);
			len += sizeof tsig;
		}
		buf[10] = 0;
		buf[11] = (uint8_t)k;
		struct judge_input in = { .id = 4242, .wire = buf, .len = len, .now = NOW,
					  .latency_us = 1000 };
		judge_init(&r);
		judge_reply(&s, &in, &r);
		if (k == 1) {
			assert_int_equal(r.verdict, PROBE_OK);
			assert_int_equal(judge_primary_serial(&s, 4242, buf, len, &serial), 0);
		} else {
			assert_int_equal(r.verdict, PROBE_WRONG);
			assert_non_null(strstr(r.reason, "TSIG record that is not the last"));
			assert_int_equal(judge_primary_serial(&s, 4242, buf, len, &serial), -1);
		}
	}
	config_probe_clear(&s);
}

/* garbage never crashes the judge and is always WRONG: every truncation and
 * many single-byte corruptions of a full reply, and random bytes */
static void test_garbage(void **st)
{
	static const char *const full[] = {
		". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026112100 1800 900 604800 86400",
		". 86400 IN RRSIG SOA 8 0 86400 20261231000000 20261101000000 12345 . AAAA",
		". 518400 IN NS a.root-servers.net.",
		NULL,
	};
	struct cfg_probe s;
	struct probe_result r;
	uint8_t *w, buf[600];
	size_t n;
	spec_init(&s);
	s.dnssec_ok = true;
	s.expect_nsid = strdup("gru1");
	s.soa_max_age_s = 86400;
	ldns_pkt *p = reply_new(&s, 4242, full);
	reply_nsid(p, "gru1");
	assert_int_equal(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	assert_true(n <= sizeof buf);
	struct judge_input in = { .id = 4242, .wire = buf, .now = NOW };
	for (size_t len = 0; len < n; len++) {
		memcpy(buf, w, len);
		in.len = len;
		judge_init(&r);
		judge_reply(&s, &in, &r);
		assert_int_not_equal(r.verdict, PROBE_OK);
	}
	srandom(1);
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, w, n);
		buf[12 + (size_t)random() % (n - 12)] ^= (uint8_t)(1 + random() % 255);
		in.len = n;
		judge_init(&r);
		judge_reply(&s, &in, &r);   /* anything, but no crash or leak */
	}
	for (int i = 0; i < 5000; i++) {
		in.len = (size_t)random() % sizeof buf;
		for (size_t j = 0; j < in.len; j++)
			buf[j] = (uint8_t)random();
		judge_init(&r);
		judge_reply(&s, &in, &r);
		assert_int_not_equal(r.verdict, PROBE_OK);
	}
	free(w);
	config_probe_clear(&s);
}

static void test_rdata(void **st)
{
	static const char *const ns_ans[] = {
		". 518400 IN NS A.root-servers.net.",
		". 518400 IN NS b.root-servers.net.",
		NULL,
	};
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	s.qtype = LDNS_RR_TYPE_NS;
	s.expect_rdata = calloc(2, sizeof *s.expect_rdata);
	s.expect_rdata[0] = strdup("a.root-servers.net.");
	s.expect_rdata[1] = strdup("b.root-servers.net");   /* taken as absolute */
	s.nexpect_rdata = 2;
	s.expect_answer = true;
	judge_pkt(&s, reply_new(&s, 4242, ns_ans), &r);
	assert_int_equal(r.verdict, PROBE_OK);

	free(s.expect_rdata[1]);
	s.expect_rdata[1] = strdup("c.root-servers.net.");
	judge_pkt(&s, reply_new(&s, 4242, ns_ans), &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "NS \"c.root-servers.net.\" missing from the answer"));
	assert_non_null(strstr(r.reason, "the answer has 2"));

	/* expect-answer alone: an empty NOERROR answer fails */
	judge_pkt(&s, reply_new(&s, 4242, NULL), &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "NS"));
	config_probe_clear(&s);

	/* A records */
	static const char *const a_ans[] = { "www.example. 300 IN A 192.0.2.1", NULL };
	spec_init(&s);
	free(s.qname);
	s.qname = strdup("www.example.");
	s.qtype = LDNS_RR_TYPE_A;
	s.expect_rdata = calloc(1, sizeof *s.expect_rdata);
	s.expect_rdata[0] = strdup("192.0.2.2");
	s.nexpect_rdata = 1;
	judge_pkt(&s, reply_new(&s, 4242, a_ans), &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "e.g. \"192.0.2.1\""));
	config_probe_clear(&s);
}

static void test_nsid(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	s.expect_nsid = strdup("gru1");
	ldns_pkt *p = reply_new(&s, 4242, soa_ans);
	reply_nsid(p, "gru2");
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_string_equal(r.reason, "udp 192.0.2.53@53 . SOA: nsid 'gru2' != expected "
			    "'gru1' (answered by another instance)");
	assert_string_equal(r.nsid, "gru2");

	judge_pkt(&s, reply_new(&s, 4242, soa_ans), &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_false(r.has_nsid);
	assert_non_null(strstr(r.reason, "no NSID"));

	/* prefix is not equality; non-printables escaped */
	p = reply_new(&s, 4242, soa_ans);
	reply_nsid(p, "gru10");
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	p = reply_new(&s, 4242, soa_ans);
	reply_nsid(p, "a\001b");
	judge_pkt(&s, p, &r);
	assert_string_equal(r.nsid, "a\\001b");
	config_probe_clear(&s);
}

static void test_rrsig(void **st)
{
	char rr[400];
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	s.dnssec_ok = true;
	const char *ans[3] = { soa_ans[0], rr, NULL };

	/* expires 2026-11-22T00:00:00Z: 12 h away, inside the 24 h margin */
	snprintf(rr, sizeof rr, ". 86400 IN RRSIG SOA 8 0 86400 20261122000000 "
		 "20261101000000 12345 . AAAA");
	judge_pkt(&s, reply_new(&s, 4242, ans), &r);
	assert_int_equal(r.verdict, PROBE_SIGNATURES);
	assert_string_equal(r.reason, "udp 192.0.2.53@53 . SOA +dnssec: RRSIG SOA expires "
			    "2026-11-22T00:00:00Z, within margin 24h");
	assert_int_equal(r.rrsig_expire, NOW + 12 * 3600);
	assert_int_equal(r.nrrsig, 1);

	/* with a 6 h margin it is fine */
	s.rrsig_margin_s = 6 * 3600;
	judge_pkt(&s, reply_new(&s, 4242, ans), &r);
	assert_int_equal(r.verdict, PROBE_OK);
	assert_int_equal(r.rrsig_expire, NOW + 12 * 3600);

	/* expired */
	snprintf(rr, sizeof rr, ". 86400 IN RRSIG SOA 8 0 86400 20261120000000 "
		 "20261101000000 12345 . AAAA");
	judge_pkt(&s, reply_new(&s, 4242, ans), &r);
	assert_int_equal(r.verdict, PROBE_SIGNATURES);
	assert_non_null(strstr(r.reason, "RRSIG SOA expired 2026-11-20T00:00:00Z"));

	/* inception in the future */
	snprintf(rr, sizeof rr, ". 86400 IN RRSIG SOA 8 0 86400 20261231000000 "
		 "20261121130000 12345 . AAAA");
	judge_pkt(&s, reply_new(&s, 4242, ans), &r);
	assert_int_equal(r.verdict, PROBE_SIGNATURES);
	assert_non_null(strstr(r.reason, "inception 2026-11-21T13:00:00Z is in the future"));

	/* the signature in the authority section of a negative answer counts too */
	snprintf(rr, sizeof rr, ". 86400 IN RRSIG NSEC 8 0 86400 20261121130000 "
		 "20261101000000 12345 . AAAA");
	s.expect_rcode = 3;
	ldns_pkt *p = reply_new(&s, 4242, NULL);
	ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
	ldns_rr *a = NULL;
	ldns_rr_new_frm_str(&a, rr, 0, NULL, NULL);
	ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, a);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_SIGNATURES);
	assert_non_null(strstr(r.reason, "RRSIG NSEC expires 2026-11-21T13:00:00Z"));
	s.expect_rcode = 0;

	/* expect-rrsig: unsigned answer */
	s.expect_rrsig = true;
	judge_pkt(&s, reply_new(&s, 4242, soa_ans), &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "no RRSIG over SOA"));
	config_probe_clear(&s);
}

static void test_rrsig_time(void **st)
{
	/* RFC 4034 3.1.5: nearest to now, across the 2106 wrap */
	time_t wrap = (time_t)1 << 32;
	assert_int_equal(rrsig_time(50, wrap + 100), wrap + 50);
	assert_int_equal(rrsig_time(200, wrap + 100), wrap + 200);
	assert_int_equal(rrsig_time(100, wrap - 100), wrap + 100);
	assert_int_equal(rrsig_time(0xffffff00u, wrap + 10), wrap - 256);
	assert_int_equal(rrsig_time((uint32_t)NOW + 5, NOW), NOW + 5);
	char b[32];
	rrsig_fmt_span(86400, b, sizeof b);
	assert_string_equal(b, "24h");
	rrsig_fmt_span(90, b, sizeof b);
	assert_string_equal(b, "90s");
	rrsig_fmt_span(5400, b, sizeof b);
	assert_string_equal(b, "90m");
}

static void test_serial(void **st)
{
	time_t t;
	/* a date serial counts from the end of its day */
	assert_int_equal(serial_time(2026112100, &t), SERIAL_DATE);
	assert_int_equal(t, NOW + 12 * 3600);
	assert_int_equal(serial_age(2026112005, NOW), 12 * 3600);
	assert_int_equal(serial_age(2026112199, NOW), 0);
	assert_int_equal(serial_time(2024022901, &t), SERIAL_DATE);   /* leap day */
	assert_int_equal(serial_time(2023022901, &t), SERIAL_UNIX);   /* no such day */
	assert_int_equal(serial_time((uint32_t)NOW - 60, &t), SERIAL_UNIX);
	assert_int_equal(serial_age((uint32_t)NOW - 60, NOW), 60);
	assert_int_equal(serial_time(42, &t), SERIAL_NONE);
	assert_int_equal(serial_age(42, NOW), -1);
	assert_int_equal(serial_lag(10, 13), 3);
	assert_int_equal(serial_lag(13, 10), 0);
	assert_int_equal(serial_lag(0xfffffffeu, 1), 3);   /* RFC 1982 wrap */
}

static void test_soa_age(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	s.soa_max_age_s = 2 * 86400;
	judge_pkt(&s, reply_new(&s, 4242, soa_ans), &r);
	assert_int_equal(r.verdict, PROBE_OK);

	static const char *const old[] = {
		". 86400 IN SOA a. b. 2026111500 1800 900 604800 86400", NULL };
	judge_pkt(&s, reply_new(&s, 4242, old), &r);
	assert_int_equal(r.verdict, PROBE_STALE);
	assert_string_equal(r.reason, "udp 192.0.2.53@53 . SOA: SOA serial 2026111500 "
			    "(date serial, made by 2026-11-16T00:00:00Z at the latest) is 5d12h "
			    "old, max 48h");

	static const char *const unix_old[] = {
		". 86400 IN SOA a. b. 1795000000 1800 900 604800 86400", NULL };
	judge_pkt(&s, reply_new(&s, 4242, unix_old), &r);
	assert_int_equal(r.verdict, PROBE_STALE);
	assert_non_null(strstr(r.reason, "unix time"));
	assert_non_null(strstr(r.reason, "3d0h old"));

	static const char *const counter[] = {
		". 86400 IN SOA a. b. 42 1800 900 604800 86400", NULL };
	judge_pkt(&s, reply_new(&s, 4242, counter), &r);
	assert_int_equal(r.verdict, PROBE_STALE);
	assert_non_null(strstr(r.reason, "cannot be judged"));

	/* NXDOMAIN: the SOA comes from the authority section */
	free(s.qname);
	s.qname = strdup("nope.");
	s.expect_rcode = 3;
	ldns_pkt *p = reply_new(&s, 4242, NULL);
	ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
	ldns_rr *a = NULL;
	ldns_rr_new_frm_str(&a, old[0], 0, NULL, NULL);
	ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, a);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_STALE);
	assert_int_equal(r.serial, 2026111500);
	config_probe_clear(&s);
}

static void test_primary_lag_and_slow(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	uint8_t *w;
	size_t n;
	spec_init(&s);
	s.max_serial_lag = 1;
	ldns_pkt *p = reply_new(&s, 4242, soa_ans);
	assert_int_equal(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	uint32_t ps;
	assert_int_equal(judge_primary_serial(&s, 4242, w, n, &ps), 0);
	assert_int_equal(ps, 2026112100);
	assert_int_equal(judge_primary_serial(&s, 1, w, n, &ps), -1);

	struct judge_input in = { .id = 4242, .wire = w, .len = n, .now = NOW,
				  .latency_us = 2500, .has_primary_serial = true,
				  .primary_serial = 2026112101 };
	judge_init(&r);
	judge_reply(&s, &in, &r);
	assert_int_equal(r.verdict, PROBE_OK);
	in.primary_serial = 2026112103;
	judge_init(&r);
	judge_reply(&s, &in, &r);
	assert_int_equal(r.verdict, PROBE_STALE);
	assert_non_null(strstr(r.reason, "lags the primary's 2026112103 by 3 (max 1)"));
	assert_int_equal(r.primary_serial, 2026112103);

	in.has_primary_serial = false;
	s.max_latency_ms = 2;
	judge_init(&r);
	judge_reply(&s, &in, &r);
	assert_int_equal(r.verdict, PROBE_SLOW);
	assert_non_null(strstr(r.reason, "slow: answered in 2.5 ms, max 2 ms"));
	free(w);
	config_probe_clear(&s);
}

static void test_truncated(void **st)
{
	struct cfg_probe s;
	struct probe_result r;
	spec_init(&s);
	ldns_pkt *p = reply_new(&s, 4242, NULL);
	ldns_pkt_set_tc(p, true);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_OK);   /* nothing in the answer to judge */
	s.expect_answer = true;
	p = reply_new(&s, 4242, NULL);
	ldns_pkt_set_tc(p, true);
	judge_pkt(&s, p, &r);
	assert_int_equal(r.verdict, PROBE_WRONG);
	assert_non_null(strstr(r.reason, "truncated"));
	config_probe_clear(&s);
}

static void test_query_build(void **st)
{
	struct cfg_probe s;
	uint8_t *w;
	size_t n;
	ldns_pkt *p;
	spec_init(&s);
	free(s.qname);
	s.qname = strdup("br.");
	s.dnssec_ok = true;
	assert_int_equal(query_build(&s, false, 777, &w, &n), 0);
	assert_int_equal(ldns_wire2pkt(&p, w, n), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 777);
	assert_false(ldns_pkt_rd(p));
	assert_false(ldns_pkt_qr(p));
	assert_true(ldns_pkt_edns(p));
	assert_true(ldns_pkt_edns_do(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	ldns_rdf *d = ldns_pkt_edns_data(p);
	assert_non_null(d);
	assert_int_equal(ldns_rdf_size(d), 4);
	assert_memory_equal(ldns_rdf_data(d), "\0\3\0\0", 4);
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	assert_int_equal(ldns_rr_get_type(q), LDNS_RR_TYPE_SOA);
	ldns_pkt_free(p);
	free(w);

	/* the primary's query: SOA, no DO, no NSID */
	s.qtype = LDNS_RR_TYPE_NS;
	assert_int_equal(query_build(&s, true, 778, &w, &n), 0);
	assert_int_equal(ldns_wire2pkt(&p, w, n), LDNS_STATUS_OK);
	assert_false(ldns_pkt_edns_do(p));
	assert_null(ldns_pkt_edns_data(p));
	q = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	assert_int_equal(ldns_rr_get_type(q), LDNS_RR_TYPE_SOA);
	ldns_pkt_free(p);
	free(w);

	/* no EDNS at all */
	s.edns_size = 0;
	s.dnssec_ok = false;
	assert_int_equal(query_build(&s, false, 1, &w, &n), 0);
	assert_int_equal(n, 12 + 4 + 4);   /* header, "br.", type, class */
	free(w);
	config_probe_clear(&s);
}

static void test_describe(void **st)
{
	struct cfg_probe s;
	char b[128];
	spec_init(&s);
	free(s.qname);
	s.qname = strdup("id.server.");
	s.qclass = LDNS_RR_CLASS_CH;
	s.qtype = LDNS_RR_TYPE_TXT;
	s.transport = PROBE_TCP;
	judge_describe(&s, b, sizeof b);
	assert_string_equal(b, "tcp 192.0.2.53@53 id.server. CH TXT");
	assert_string_equal(probe_verdict_name(PROBE_SIGNATURES), "signatures");
	assert_string_equal(probe_verdict_name(PROBE_OK), "ok");
	assert_string_equal(probe_verdict_name((enum probe_verdict)99), "?");
	config_probe_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_rcode),
		cmocka_unit_test(test_aa),
		cmocka_unit_test(test_id_question),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_tsig_misplaced),
		cmocka_unit_test(test_rdata),
		cmocka_unit_test(test_nsid),
		cmocka_unit_test(test_rrsig),
		cmocka_unit_test(test_rrsig_time),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_soa_age),
		cmocka_unit_test(test_primary_lag_and_slow),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_query_build),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

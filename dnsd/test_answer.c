/* unit tests: authoritative answers from an unsigned zone */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dnsd/answer.h"
#include "dnsd/test_engine_util.h"

static const char *ZONE =
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
	"@ NS ns1\n"
	"@ NS ns2.example.net.\n"
	"@ MX 10 mail\n"
	"ns1 A 192.0.2.1\n"
	"ns1 AAAA 2001:db8::1\n"
	"mail A 192.0.2.25\n"
	"www A 192.0.2.80\n"
	"www A 192.0.2.81\n"
	"alias CNAME www\n"
	"chain1 CNAME chain2\n"
	"chain2 CNAME www\n"
	"loop1 CNAME loop2\n"
	"loop2 CNAME loop1\n"
	"out CNAME www.example.org.\n"
	"dangling CNAME nothere\n"
	"a.b.c.ent A 192.0.2.5\n"
	"*.wild A 192.0.2.99\n"
	"*.wild TXT \"wild\"\n"
	"*.wc CNAME www\n"
	"sub NS ns.sub\n"
	"sub NS ns.other\n"
	"ns.sub A 192.0.2.53\n"
	"ns.other A 192.0.2.54\n"
	"other NS ns.other\n"
	"dn DNAME example.net.\n"
	"dn2 DNAME target\n"
	"dn3 DNAME dn3.example.\n"
	"dn4 DNAME sub\n"
	"below.dn4 A 192.0.2.77\n"
	"x.target A 192.0.2.7\n";

static struct zoneset *zs;

static int setup(void **state)
{
	zs = tzs1("example.", ZONE);
	assert_non_null(zs);
	struct zoneset_info zi;
	zoneset_info(zs, 0, &zi);
	if (!zi.loaded)
		fprintf(stderr, "load error: %s\n", zi.error);
	assert_true(zi.loaded);
	assert_int_equal(zi.serial, 2024010101);
	return 0;
}

static int teardown(void **state)
{
	zoneset_free(zs);
	tdir_remove();
	return 0;
}

static void test_positive(void **state)
{
	ldns_pkt *p = tquery(zs, "WWW.Example.", LDNS_RR_TYPE_A, 0, 0);
	assert_non_null(p);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_true(ldns_pkt_rd(p));
	assert_false(ldns_pkt_ra(p));
	assert_int_equal(ldns_pkt_id(p), 4242);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "www.example.", LDNS_RR_TYPE_A), 2);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_NS), 2);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "ns1.example.", LDNS_RR_TYPE_A), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "ns1.example.", LDNS_RR_TYPE_AAAA), 1);
	/* question case preserved */
	assert_memory_equal(tout + 12, "\003WWW\007Example\000", 13);
	assert_true(ldns_pkt_edns(p));
	ldns_pkt_free(p);
}

static void test_mx_additional(void **state)
{
	ldns_pkt *p = tquery(zs, "example.", LDNS_RR_TYPE_MX, 0, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, NULL, LDNS_RR_TYPE_MX), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "mail.example.", LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(p);
}

static void test_nodata_nxdomain(void **state)
{
	ldns_pkt *p = tquery(zs, "www.example.", LDNS_RR_TYPE_AAAA, 0, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_SOA), 1);
	/* negative TTL = min(SOA TTL, MINIMUM) */
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_authority(p), 0)), 300);
	ldns_pkt_free(p);

	p = tquery(zs, "nope.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_SOA), 1);
	ldns_pkt_free(p);

	/* empty non-terminals exist */
	p = tquery(zs, "c.ent.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	p = tquery(zs, "ent.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ldns_pkt_free(p);
	p = tquery(zs, "x.c.ent.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

static void test_refused(void **state)
{
	ldns_pkt *p = tquery(zs, "www.example.org.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
}

static void test_cname(void **state)
{
	ldns_pkt *p = tquery(zs, "chain1.example.", LDNS_RR_TYPE_A, 0, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "chain1.example.", LDNS_RR_TYPE_CNAME), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "chain2.example.", LDNS_RR_TYPE_CNAME), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "www.example.", LDNS_RR_TYPE_A), 2);
	ldns_pkt_free(p);

	p = tquery(zs, "alias.example.", LDNS_RR_TYPE_CNAME, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);

	p = tquery(zs, "loop1.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);

	p = tquery(zs, "out.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_true(ldns_pkt_aa(p));
	ldns_pkt_free(p);

	p = tquery(zs, "dangling.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_SOA), 1);
	ldns_pkt_free(p);
}

static void test_wildcard(void **state)
{
	ldns_pkt *p = tquery(zs, "foo.bar.wild.example.", LDNS_RR_TYPE_A, 0, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "foo.bar.wild.example.", LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(p);

	p = tquery(zs, "foo.wild.example.", LDNS_RR_TYPE_MX, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);

	p = tquery(zs, "q.wc.example.", LDNS_RR_TYPE_A, 0, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "q.wc.example.", LDNS_RR_TYPE_CNAME), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "www.example.", LDNS_RR_TYPE_A), 2);
	ldns_pkt_free(p);

	/* the wildcard node itself */
	p = tquery(zs, "*.wild.example.", LDNS_RR_TYPE_TXT, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void test_referral(void **state)
{
	ldns_pkt *p = tquery(zs, "host.sub.example.", LDNS_RR_TYPE_A, 0, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "sub.example.", LDNS_RR_TYPE_NS), 2);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "ns.sub.example.", LDNS_RR_TYPE_A), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "ns.other.example.", LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(p);

	/* at the cut itself, and for the glue name */
	p = tquery(zs, "sub.example.", LDNS_RR_TYPE_NS, 0, 0);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "sub.example.", LDNS_RR_TYPE_NS), 2);
	ldns_pkt_free(p);
	p = tquery(zs, "ns.sub.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);

	/* DS is answered by the parent, authoritatively (NODATA here) */
	p = tquery(zs, "sub.example.", LDNS_RR_TYPE_DS, 0, 0);
	tprint(p);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_SOA), 1);
	ldns_pkt_free(p);
}

static void test_dname(void **state)
{
	ldns_pkt *p = tquery(zs, "a.b.dn.example.", LDNS_RR_TYPE_A, 0, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "dn.example.", LDNS_RR_TYPE_DNAME), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "a.b.dn.example.", LDNS_RR_TYPE_CNAME), 1);
	ldns_rr *c = ldns_rr_list_rr(ldns_pkt_answer(p), 1);
	char *t = ldns_rdf2str(ldns_rr_rdf(c, 0));
	assert_string_equal(t, "a.b.example.net.");
	free(t);
	ldns_pkt_free(p);

	p = tquery(zs, "x.dn2.example.", LDNS_RR_TYPE_A, 0, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "x.target.example.", LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(p);

	/* a DNAME whose target is below itself: stops, no endless chain */
	p = tquery(zs, "a.dn3.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_non_null(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "dn3.example.", LDNS_RR_TYPE_DNAME), 1);
	assert_true(ldns_pkt_ancount(p) <= 2 * ANSWER_MAX_CHAIN + 2);
	ldns_pkt_free(p);

	/* data below a DNAME is occluded; a DNAME into a delegation refers */
	p = tquery(zs, "below.dn4.example.", LDNS_RR_TYPE_A, 0, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "dn4.example.", LDNS_RR_TYPE_DNAME), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "below.dn4.example.", LDNS_RR_TYPE_CNAME), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "sub.example.", LDNS_RR_TYPE_NS), 2);
	assert_true(ldns_pkt_aa(p));
	ldns_pkt_free(p);

	/* the DNAME owner itself is not rewritten */
	p = tquery(zs, "dn.example.", LDNS_RR_TYPE_DNAME, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void test_any(void **state)
{
	ldns_pkt *p = tquery(zs, "example.", LDNS_RR_TYPE_ANY, 0, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	/* RFC 8482: one RRset, SOA preferred over NS and MX (like NSD) */
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "example.", LDNS_RR_TYPE_SOA), 1);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
	p = tquery(zs, "ns1.example.", LDNS_RR_TYPE_ANY, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void test_chaos(void **state)
{
	ldns_rdf *dn = ldns_dname_new_frm_str("id.server.");
	ldns_pkt *q = ldns_pkt_query_new(dn, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, 0);
	uint8_t *wire;
	size_t len;
	ldns_pkt2wire(&wire, q, &len);
	ldns_pkt *p = tquery_raw(zs, wire, len, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	char *s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0));
	assert_string_equal(s, "\"node1.example\"");
	free(s);
	ldns_pkt_free(p);
	free(wire);
	ldns_pkt_free(q);

	dn = ldns_dname_new_frm_str("version.bind.");
	q = ldns_pkt_query_new(dn, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, 0);
	ldns_pkt2wire(&wire, q, &len);
	p = tquery_raw(zs, wire, len, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);
	free(wire);
	ldns_pkt_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positive),
		cmocka_unit_test(test_mx_additional),
		cmocka_unit_test(test_nodata_nxdomain),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_dname),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_chaos),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

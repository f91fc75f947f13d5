/* unit tests: DNSSEC answers from zones signed with ldns-signzone (NSEC and
 * NSEC3 with opt-out), checked with ldns's own denial verification */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dnsd/test_engine_util.h"

static const char *ZONE =
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	"@ NS ns1\n"
	"ns1 A 192.0.2.1\n"
	"www A 192.0.2.80\n"
	"a.b.ent A 192.0.2.5\n"
	"*.wild A 192.0.2.99\n"
	"signed NS ns.signed\n"
	"signed DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"ns.signed A 192.0.2.53\n"
	"unsigned NS ns.unsigned\n"
	"ns.unsigned A 192.0.2.54\n"
	"d.deep.unsigned2 NS ns.elsewhere.net.\n";

static struct zoneset *zs_nsec, *zs_nsec3, *zs_optout;

static struct zoneset *sign_and_load(const char *opts, bool strip)
{
	char cmd[4096], signedf[512];
	char *zf = strdup(tfile(strip ? "zone-optout" : opts[0] ? "zone3" : "zone1", ZONE));
	snprintf(signedf, sizeof signedf, "%s.signed", zf);
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && k=$(ldns-keygen -a ECDSAP256SHA256 -k example.) && "
		 "ldns-signzone %s -f '%s' '%s' \"$k\" >/dev/null", tdir, opts, signedf, zf);
	if (system(cmd) != 0) {
		free(zf);
		return NULL;
	}
	if (strip) {
		/* real opt-out: take the insecure delegations (and the empty
		 * non-terminals above them) out of the NSEC3 chain */
		snprintf(cmd, sizeof cmd,
			 "cd '%s' && for n in unsigned.example. unsigned2.example. "
			 "deep.unsigned2.example. d.deep.unsigned2.example.; do "
			 "h=$(ldns-nsec3-hash -s abcd -t 2 $n) && grep -iv \"^$h\" '%s' > t && mv t '%s' "
			 "|| exit 1; done", tdir, signedf, signedf);
		if (system(cmd) != 0) {
			free(zf);
			return NULL;
		}
	}
	const char *names[1] = { "example." };
	const char *files[1] = { signedf };
	struct raiz_config *cfg = tcfg(1, names, files);
	struct zoneset *zs = zoneset_build(cfg, NULL);
	tcfg_free(cfg);
	free(zf);
	return zs;
}

static int setup(void **state)
{
	if (system("command -v ldns-signzone >/dev/null && command -v ldns-keygen >/dev/null") != 0) {
		fprintf(stderr, "ldns-signzone/ldns-keygen missing\n");
		return -1;
	}
	zs_nsec = sign_and_load("", false);
	zs_nsec3 = sign_and_load("-n -s abcd -t 2 -p", false);
	zs_optout = sign_and_load("-n -s abcd -t 2 -p", true);
	if (!zs_nsec || !zs_nsec3 || !zs_optout)
		return -1;
	struct zoneset_info zi;
	zoneset_info(zs_nsec3, 0, &zi);
	return zi.loaded ? 0 : -1;
}

static int teardown(void **state)
{
	zoneset_free(zs_nsec);
	zoneset_free(zs_nsec3);
	zoneset_free(zs_optout);
	tdir_remove();
	return 0;
}

static ldns_rr_list *section_types(const ldns_pkt *p, ldns_pkt_section s, ldns_rr_type t)
{
	return ldns_pkt_rr_list_by_type(p, t, s);
}

/* ldns's verdict on the denial in the authority section */
static ldns_status verify_denial(const ldns_pkt *p, const char *qname, ldns_rr_type qtype, bool nsec3)
{
	ldns_rr_list *n = section_types(p, LDNS_SECTION_AUTHORITY, nsec3 ? LDNS_RR_TYPE_NSEC3 : LDNS_RR_TYPE_NSEC);
	ldns_rr_list *s = section_types(p, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_RRSIG);
	ldns_rr *q = ldns_rr_new();
	ldns_rr_set_owner(q, ldns_dname_new_frm_str(qname));
	ldns_rr_set_type(q, qtype);
	ldns_rr_set_question(q, true);
	ldns_status st;
	if (!n)
		st = LDNS_STATUS_ERR;
	else if (nsec3)
		st = ldns_dnssec_verify_denial_nsec3(q, n, s, ldns_pkt_get_rcode(p), qtype,
						    ldns_pkt_ancount(p) == 0 &&
						    ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR);
	else
		st = ldns_dnssec_verify_denial(q, n, s);
	ldns_rr_free(q);
	ldns_rr_list_deep_free(n);
	ldns_rr_list_deep_free(s);
	return st;
}

static void test_positive_sigs(void **state)
{
	ldns_pkt *p = tquery(zs_nsec, "www.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "www.example.", LDNS_RR_TYPE_A), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "www.example.", LDNS_RR_TYPE_RRSIG), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_RRSIG), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "ns1.example.", LDNS_RR_TYPE_RRSIG), 1);
	assert_true(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);

	p = tquery(zs_nsec, "www.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, NULL, LDNS_RR_TYPE_RRSIG), 0);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_RRSIG), 0);
	assert_false(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);

	/* RRSIG and NSEC asked for explicitly are data, also without DO */
	p = tquery(zs_nsec, "www.example.", LDNS_RR_TYPE_RRSIG, 0, 0);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, NULL, LDNS_RR_TYPE_RRSIG), 2);
	ldns_pkt_free(p);
	p = tquery(zs_nsec, "www.example.", LDNS_RR_TYPE_NSEC, 0, 0);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, NULL, LDNS_RR_TYPE_NSEC), 1);
	ldns_pkt_free(p);
}

static void test_nsec_nxdomain(void **state)
{
	ldns_pkt *p = tquery(zs_nsec, "nope.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_SOA), 1);
	int n = tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC);
	assert_true(n >= 1 && n <= 2);
	assert_int_equal(verify_denial(p, "nope.example.", LDNS_RR_TYPE_A, false), LDNS_STATUS_OK);
	ldns_pkt_free(p);
}

static void test_nsec_nodata(void **state)
{
	ldns_pkt *p = tquery(zs_nsec, "www.example.", LDNS_RR_TYPE_AAAA, TQ_DO, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "www.example.", LDNS_RR_TYPE_NSEC), 1);
	assert_int_equal(verify_denial(p, "www.example.", LDNS_RR_TYPE_AAAA, false), LDNS_STATUS_OK);
	ldns_pkt_free(p);

	/* empty non-terminal: the NSEC before it, whose next name is below it */
	p = tquery(zs_nsec, "b.ent.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC), 1);
	ldns_pkt_free(p);
}

static void test_nsec_wildcard(void **state)
{
	ldns_pkt *p = tquery(zs_nsec, "x.wild.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "x.wild.example.", LDNS_RR_TYPE_A), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "x.wild.example.", LDNS_RR_TYPE_RRSIG), 1);
	/* the signature reveals the wildcard: 2 labels */
	ldns_rr_list *s = section_types(p, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_RRSIG);
	assert_int_equal(ldns_rdf2native_int8(ldns_rr_rrsig_labels(ldns_rr_list_rr(s, 0))), 2);
	ldns_rr_list_deep_free(s);
	/* and an NSEC proves x.wild.example. does not exist */
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC), 1);
	ldns_pkt_free(p);

	/* wildcard NODATA: the NSEC of the wildcard, which here also covers
	 * x.wild.example. (so it appears once) */
	p = tquery(zs_nsec, "x.wild.example.", LDNS_RR_TYPE_MX, TQ_DO, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "*.wild.example.", LDNS_RR_TYPE_NSEC), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "example.", LDNS_RR_TYPE_SOA), 1);
	ldns_pkt_free(p);

}

static void test_nsec_referrals(void **state)
{
	ldns_pkt *p = tquery(zs_nsec, "www.signed.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "signed.example.", LDNS_RR_TYPE_NS), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "signed.example.", LDNS_RR_TYPE_DS), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "signed.example.", LDNS_RR_TYPE_RRSIG), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "ns.signed.example.", LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(p);

	p = tquery(zs_nsec, "www.unsigned.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "unsigned.example.", LDNS_RR_TYPE_NSEC), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "unsigned.example.", LDNS_RR_TYPE_DS), 0);
	ldns_pkt_free(p);

	/* DS query at the cut: authoritative answer from the parent */
	p = tquery(zs_nsec, "signed.example.", LDNS_RR_TYPE_DS, TQ_DO, 0);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "signed.example.", LDNS_RR_TYPE_DS), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "signed.example.", LDNS_RR_TYPE_RRSIG), 1);
	ldns_pkt_free(p);
}

static void test_nsec3_nxdomain(void **state)
{
	ldns_pkt *p = tquery(zs_nsec3, "nope.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	int n = tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3);
	assert_true(n >= 2 && n <= 3);
	assert_int_equal(verify_denial(p, "nope.example.", LDNS_RR_TYPE_A, true), LDNS_STATUS_OK);
	ldns_pkt_free(p);

	p = tquery(zs_nsec3, "x.y.www.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(verify_denial(p, "x.y.www.example.", LDNS_RR_TYPE_A, true), LDNS_STATUS_OK);
	ldns_pkt_free(p);

	/* RFC 5155 7.2.8: an NSEC3 owner (here www.example.'s) is not a name
	 * of the zone, nor is anything below it: the closest encloser is the
	 * apex, and the proof one a validator accepts (NSD 4.6 takes the
	 * NSEC3 owner as closest encloser; t_differential --large found it) */
	static const char *const hashed[] = {
		"bino043uq2kabkjg3b8cegai08nol1jb.example.",
		"x.bino043uq2kabkjg3b8cegai08nol1jb.example.",
		"a.b.bino043uq2kabkjg3b8cegai08nol1jb.example.",
	};
	for (size_t i = 0; i < sizeof hashed / sizeof hashed[0]; i++) {
		p = tquery(zs_nsec3, hashed[i], LDNS_RR_TYPE_A, TQ_DO, 0);
		tprint(p);
		assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
		assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3), 3);
		assert_int_equal(verify_denial(p, hashed[i], LDNS_RR_TYPE_A, true), LDNS_STATUS_OK);
		ldns_pkt_free(p);
	}
}

static void test_nsec3_nodata(void **state)
{
	ldns_pkt *p = tquery(zs_nsec3, "www.example.", LDNS_RR_TYPE_TXT, TQ_DO, 0);
	tprint(p);
	/* the NSEC3 matching www.example. (ldns's NODATA check leaks, so
	 * compare with the hash from ldns-nsec3-hash -s abcd -t 2) */
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY,
				"bino043uq2kabkjg3b8cegai08nol1jb.example.", LDNS_RR_TYPE_NSEC3), 1);
	ldns_pkt_free(p);
	/* qtype NSEC3 is NODATA (NSEC3 owners are not names of the zone) */
	p = tquery(zs_nsec3, "www.example.", LDNS_RR_TYPE_NSEC3, TQ_DO, 0);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ldns_pkt_free(p);
}

static void test_nsec3_wildcard(void **state)
{
	ldns_pkt *p = tquery(zs_nsec3, "x.wild.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "x.wild.example.", LDNS_RR_TYPE_A), 1);
	/* next closer name covered */
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3), 1);
	ldns_pkt_free(p);

	p = tquery(zs_nsec3, "x.wild.example.", LDNS_RR_TYPE_MX, TQ_DO, 0);
	tprint(p);
	/* closest encloser, next closer, wildcard */
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3), 3);
	ldns_pkt_free(p);
}

static void test_nsec3_optout_referral(void **state)
{
	/* unsigned delegation under opt-out: closest provable encloser (the
	 * apex) and an opt-out NSEC3 covering the next closer name */
	ldns_pkt *p = tquery(zs_optout, "www.unsigned.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	tprint(p);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "unsigned.example.", LDNS_RR_TYPE_NS), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3), 2);
	ldns_rr_list *l = section_types(p, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC3);
	bool optout = false;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (ldns_nsec3_optout(ldns_rr_list_rr(l, i)))
			optout = true;
	assert_true(optout);
	ldns_rr_list_deep_free(l);
	ldns_pkt_free(p);

	/* deeper: the empty non-terminal deep.unsigned2 is not in the chain */
	p = tquery(zs_optout, "d.deep.unsigned2.example.", LDNS_RR_TYPE_DS, TQ_DO, 0);
	tprint(p);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3), 2);
	ldns_pkt_free(p);

	p = tquery(zs_nsec3, "www.signed.example.", LDNS_RR_TYPE_A, TQ_DO, 0);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "signed.example.", LDNS_RR_TYPE_DS), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC3), 0);
	ldns_pkt_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positive_sigs),
		cmocka_unit_test(test_nsec_nxdomain),
		cmocka_unit_test(test_nsec_nodata),
		cmocka_unit_test(test_nsec_wildcard),
		cmocka_unit_test(test_nsec_referrals),
		cmocka_unit_test(test_nsec3_nxdomain),
		cmocka_unit_test(test_nsec3_nodata),
		cmocka_unit_test(test_nsec3_wildcard),
		cmocka_unit_test(test_nsec3_optout_referral),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

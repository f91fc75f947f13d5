/* unit tests: SipHash-2-4, RFC 9018 server cookies (the examples of its
 * appendix A), and cookies through query_process_client() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "dnsd/cookie.h"
#include "dnsd/dname.h"
#include "dnsd/rrl.h"
#include "dnsd/test_engine_util.h"

static void unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* the reference vector of the SipHash paper (key 00..0f, message 00..0e)
 * and the empty message */
static void test_siphash(void **state)
{
	uint8_t k[16], m[64];
	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		m[i] = (uint8_t)i;
	assert_true(cookie_siphash24(k, m, 15) == 0xa129ca6149be45e5ULL);
	assert_true(cookie_siphash24(k, m, 0) == 0x726fdb47dd0e0e31ULL);
	/* 8 bytes (one full word, empty tail) and 63 (every tail length path) */
	assert_true(cookie_siphash24(k, m, 8) == 0x93f5f5799a932462ULL);
	assert_true(cookie_siphash24(k, m, 63) == 0x958a324ceb064572ULL);
}

struct vec {
	const char *secret, *client, *ip;
	uint32_t at;
	const char *server;
};

/* RFC 9018 appendix A: A.1 to A.3 (IPv4), A.4 (IPv6, both secrets) */
static const struct vec vecs[] = {
	{ "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559731985,
	  "010000005cf79f111f8130c3eee29480" },
	{ "e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559734385,
	  "010000005cf7a871d4a564a1442aca77" },
	{ "e5e973e5a6b2a43f48e7dc849e37bfcf", "fc93fc62807ddb86", "203.0.113.203", 1559734700,
	  "010000005cf7a9acf73a7810aca2381e" },
	{ "dd3bdf9344b678b185a6f5cb60fca715", "22681ab97d52c298",
	  "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741817, "010000005cf7c57926556bd0934c72f8" },
	{ "445536bcd2513298075a5d379663c962", "22681ab97d52c298",
	  "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961, "010000005cf7c609a6bb79d16625507a" },
};

static void test_rfc9018_vectors(void **state)
{
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		uint8_t sec[16], cc[8], want[16], got[16];
		unhex(vecs[i].secret, sec);
		unhex(vecs[i].client, cc);
		unhex(vecs[i].server, want);
		struct sockaddr_storage ss = taddr(vecs[i].ip);
		const struct sockaddr *sa = (const struct sockaddr *)&ss;
		cookie_make(sec, cc, sa, vecs[i].at, got);
		assert_memory_equal(got, want, 16);
		assert_true(cookie_check(sec, cc, want, 16, sa, vecs[i].at));
		assert_true(cookie_check(sec, cc, want, 16, sa, vecs[i].at + 3600));
		assert_false(cookie_check(sec, cc, want, 16, sa, vecs[i].at + 3601));
		assert_true(cookie_check(sec, cc, want, 16, sa, vecs[i].at - 300));
		assert_false(cookie_check(sec, cc, want, 16, sa, vecs[i].at - 301));
	}
}

/* A.4: the cookie made with the old secret is valid with it only; A.3:
 * a request cookie with nonzero reserved bytes verifies as received */
static void test_rollover_and_reserved(void **state)
{
	uint8_t old[16], nu[16], cc[8], sc[16];
	struct sockaddr_storage ss = taddr("2001:db8:220:1:59de:d0f4:8769:82b8");
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	unhex("dd3bdf9344b678b185a6f5cb60fca715", old);
	unhex("445536bcd2513298075a5d379663c962", nu);
	unhex("22681ab97d52c298", cc);
	unhex("010000005cf7c57926556bd0934c72f8", sc);
	assert_true(cookie_check(old, cc, sc, 16, sa, 1559741961));
	assert_false(cookie_check(nu, cc, sc, 16, sa, 1559741961));

	uint8_t s1[16];
	unhex("e5e973e5a6b2a43f48e7dc849e37bfcf", s1);
	unhex("fc93fc62807ddb86", cc);
	unhex("01abcdef5cf78f71a314227b6679ebf5", sc);
	ss = taddr("203.0.113.203");
	assert_true(cookie_check(s1, cc, sc, 16, sa, 1559727985));
}

static void test_refused_cookies(void **state)
{
	uint8_t sec[16], cc[8], sc[16];
	unhex("e5e973e5a6b2a43f48e7dc849e37bfcf", sec);
	unhex("2464c4abcf10c957", cc);
	struct sockaddr_storage ss = taddr("198.51.100.100"), other = taddr("198.51.100.101");
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	cookie_make(sec, cc, sa, 1000000, sc);
	assert_true(cookie_check(sec, cc, sc, 16, sa, 1000000));
	assert_false(cookie_check(sec, cc, sc, 16, (const struct sockaddr *)&other, 1000000));
	assert_false(cookie_check(sec, cc, sc, 15, sa, 1000000));	/* length */
	uint8_t bad[16];
	memcpy(bad, sc, 16);
	bad[0] = 2;							/* version */
	assert_false(cookie_check(sec, cc, bad, 16, sa, 1000000));
	memcpy(bad, sc, 16);
	bad[15] ^= 1;							/* hash */
	assert_false(cookie_check(sec, cc, bad, 16, sa, 1000000));
	uint8_t cc2[8];
	memcpy(cc2, cc, 8);
	cc2[0] ^= 0x80;							/* client cookie */
	assert_false(cookie_check(sec, cc2, sc, 16, sa, 1000000));
	uint8_t sec2[16];
	memcpy(sec2, sec, 16);
	sec2[3] ^= 4;
	assert_false(cookie_check(sec2, cc, sc, 16, sa, 1000000));
}

/* ---- through the engine ---- */

static const char *ZONE =
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@ IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
	"@ NS ns1\n"
	"ns1 A 192.0.2.1\n"
	"www A 192.0.2.80\n"
	"sub NS ns1.sub\n"
	"ns1.sub A 192.0.2.53\n";

static struct zoneset *zs;

TZS_GROUP(ZONE)

/* a query for name/type with an OPT holding cookie (len bytes, 0 = none) */
static size_t mkq(uint8_t *b, const char *wire, size_t wl, uint16_t type, const uint8_t *cookie,
		  size_t clen)
{
	uint8_t h[12] = { 0xab, 0xcd, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
	size_t n = 0;
	memcpy(b, h, 12);
	n = 12;
	memcpy(b + n, wire, wl);
	n += wl;
	b[n++] = (uint8_t)(type >> 8);
	b[n++] = (uint8_t)type;
	b[n++] = 0;
	b[n++] = 1;
	size_t rd = clen ? 4 + clen : 0;
	uint8_t o[11] = { 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, (uint8_t)(rd >> 8), (uint8_t)rd };
	memcpy(b + n, o, 11);
	n += 11;
	if (clen) {
		b[n++] = 0;
		b[n++] = 10;
		b[n++] = 0;
		b[n++] = (uint8_t)clen;
		memcpy(b + n, cookie, clen);
		n += clen;
	}
	return n;
}

/* the COOKIE option of a response (its OPT is the last record), or NULL */
static const uint8_t *resp_cookie(const uint8_t *r, size_t n, size_t *len)
{
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, r, n), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	/* walk the options of the OPT at the end: find code 10 */
	for (size_t o = 12; o + 4 <= n; o++) {
		if (r[o] == 0 && r[o + 1] == 10 && o + 4 + r[o + 3] == n && r[o + 2] == 0) {
			*len = r[o + 3];
			return r + o + 4;
		}
	}
	return NULL;
}

#define WWW "\003www\007example\000"

static void test_engine_cookies(void **state)
{
	uint8_t q[512], sec[16], prev[16], cc[8], sc[16], both[24];
	unhex("e5e973e5a6b2a43f48e7dc849e37bfcf", sec);
	unhex("dd3bdf9344b678b185a6f5cb60fca715", prev);
	unhex("2464c4abcf10c957", cc);
	struct sockaddr_storage ss = taddr("192.0.2.77");
	struct query_client qc = { .from = (const struct sockaddr *)&ss, .cookie_secret = sec,
				   .now = 1700000000 };
	struct query_stats st;
	memset(&st, 0, sizeof st);
	size_t clen;

	/* a client cookie alone: answered, with a fresh server cookie */
	size_t n = mkq(q, WWW, 13, 1, cc, 8);
	size_t r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_true(r > 12);
	assert_int_equal(tout[3] & 0x0f, 0);
	assert_int_equal(tout[7], 1);				/* the A record */
	assert_false(qc.cookie_valid);
	const uint8_t *c = resp_cookie(tout, r, &clen);
	assert_non_null(c);
	assert_int_equal(clen, 24);
	assert_memory_equal(c, cc, 8);
	cookie_make(sec, cc, qc.from, qc.now, sc);
	assert_memory_equal(c + 8, sc, 16);

	/* sent back: valid */
	memcpy(both, cc, 8);
	memcpy(both + 8, sc, 16);
	n = mkq(q, WWW, 13, 1, both, 24);
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_true(qc.cookie_valid);
	assert_int_equal(tout[3] & 0x0f, 0);
	assert_int_equal(qc.rrl_class, RRL_ANSWER);

	/* from another address, or after an hour and a second: not valid, yet
	 * answered normally (no BADCOOKIE: cookies are not required) */
	struct sockaddr_storage other = taddr("192.0.2.78");
	qc.from = (const struct sockaddr *)&other;
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_false(qc.cookie_valid);
	assert_int_equal(tout[3] & 0x0f, 0);
	assert_int_equal(tout[7], 1);
	assert_non_null(resp_cookie(tout, r, &clen));
	qc.from = (const struct sockaddr *)&ss;
	qc.now += 3601;
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_false(qc.cookie_valid);
	qc.now -= 3601;

	/* made with the previous secret: valid while it is given */
	cookie_make(prev, cc, qc.from, qc.now, both + 8);
	n = mkq(q, WWW, 13, 1, both, 24);
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_false(qc.cookie_valid);
	qc.cookie_previous = prev;
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_true(qc.cookie_valid);
	/* the answer carries a cookie of the current secret */
	c = resp_cookie(tout, r, &clen);
	assert_non_null(c);
	cookie_make(sec, cc, qc.from, qc.now, sc);
	assert_memory_equal(c + 8, sc, 16);

	/* no cookie in: none out; no secret: none out */
	n = mkq(q, WWW, 13, 1, NULL, 0);
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_null(resp_cookie(tout, r, &clen));
	n = mkq(q, WWW, 13, 1, cc, 8);
	qc.cookie_secret = NULL;
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_null(resp_cookie(tout, r, &clen));
	/* query_process() (TCP, the slow paths) answers no cookie either */
	r = query_process(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, NULL);
	assert_null(resp_cookie(tout, r, &clen));

	/* a malformed COOKIE stays a FORMERR */
	qc.cookie_secret = sec;
	n = mkq(q, WWW, 13, 1, both, 12);
	r = query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, &st, &qc);
	assert_int_equal(tout[3] & 0x0f, 1);
	assert_int_equal(qc.rrl_class, RRL_ERROR);
	assert_int_equal(st.cookie, 6);	/* the FORMERR one not counted */
	assert_int_equal(st.cookie_valid, 2);
}

/* the rate-limiting classes query_process_client() reports */
static void test_engine_classes(void **state)
{
	uint8_t q[512];
	struct sockaddr_storage ss = taddr("192.0.2.77");
	struct query_client qc = { .from = (const struct sockaddr *)&ss };
	uint8_t key[DNAME_MAX];

	size_t n = mkq(q, "\003WwW\007example\000", 13, 1, NULL, 0);
	query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, NULL, &qc);
	assert_int_equal(qc.rrl_class, RRL_ANSWER);
	assert_int_equal(qc.qtype, 1);
	assert_int_equal(qc.qend, 12 + 13 + 4);
	size_t kl = dname_key((const uint8_t *)WWW, key);
	assert_int_equal(qc.namelen, kl);			/* lowercased */
	assert_memory_equal(qc.name, key, kl);

	/* NODATA: an answer of its own name and type */
	n = mkq(q, WWW, 13, 16, NULL, 0);
	query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, NULL, &qc);
	assert_int_equal(qc.rrl_class, RRL_ANSWER);
	assert_int_equal(qc.qtype, 16);

	/* NXDOMAIN: the zone, whatever the name */
	n = mkq(q, "\005nope1\007example\000", 15, 1, NULL, 0);
	query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, NULL, &qc);
	assert_int_equal(qc.rrl_class, RRL_NXDOMAIN);
	kl = dname_key((const uint8_t *)"\007example\000", key);
	assert_int_equal(qc.namelen, kl);
	assert_memory_equal(qc.name, key, kl);

	/* referral: the delegation */
	n = mkq(q, "\001a\001b\003sub\007example\000", 17, 1, NULL, 0);
	query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, NULL, &qc);
	assert_int_equal(qc.rrl_class, RRL_REFERRAL);
	kl = dname_key((const uint8_t *)"\003sub\007example\000", key);
	assert_int_equal(qc.namelen, kl);
	assert_memory_equal(qc.name, key, kl);

	/* REFUSED (not ours): an error */
	n = mkq(q, "\003www\003org\000", 9, 1, NULL, 0);
	query_process_client(zs, &topts, q, n, tout, sizeof tout, QUERY_UDP, NULL, &qc);
	assert_int_equal(qc.rrl_class, RRL_ERROR);
	assert_int_equal(qc.qend, 12 + 9 + 4);
	assert_false(qc.tsig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash),
		cmocka_unit_test(test_rfc9018_vectors),
		cmocka_unit_test(test_rollover_and_reserved),
		cmocka_unit_test(test_refused_cookies),
		cmocka_unit_test(test_engine_cookies),
		cmocka_unit_test(test_engine_classes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

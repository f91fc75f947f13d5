/* unit tests: TSIG (tsig.h) single messages and multi-message streams,
 * against messages signed by ldns */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "dnsd/tsig.h"

static const char *const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXh5eg==";

static void key(struct tsig_key *k, const char *alg, const char *sec)
{
	struct cfg_tsig c = { .name = "xfr.example.", .algorithm = (char *)alg, .secret = (char *)sec };
	char err[200];
	assert_int_equal(tsig_key_init(k, &c, err, sizeof err), 0);
}

static ldns_rdf *mac_of(const uint8_t *w, size_t n)
{
	struct tsig_rr t;
	assert_int_equal(tsig_find(w, n, &t), 1);
	uint8_t b[2 + TSIG_MAC_MAX];
	b[0] = (uint8_t)(t.mac_len >> 8);
	b[1] = (uint8_t)t.mac_len;
	memcpy(b + 2, t.mac, t.mac_len);
	return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, 2 + t.mac_len, b);
}

/* an answer message with `n` A records, signed by ldns after prev_mac
 * (the request's MAC for the first, timers only after) */
static uint8_t *answer(const char *alg, const char *sec, uint16_t id, int n, ldns_rdf *prev_mac,
		       bool timers_only, bool sign, size_t *len)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	for (int i = 0; i < n; i++) {
		char txt[100];
		ldns_rr *rr = NULL;
		snprintf(txt, sizeof txt, "h%d.example. 300 IN A 192.0.2.%d", i, i + 1);
		ldns_rr_new_frm_str(&rr, txt, 300, NULL, NULL);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	if (sign)
		assert_int_equal(ldns_pkt_tsig_sign_next(p, "xfr.example.", sec, 300, alg, prev_mac,
							 timers_only), LDNS_STATUS_OK);
	uint8_t *w = NULL;
	assert_int_equal(ldns_pkt2wire(&w, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return w;
}

/* a message signed by us (tsig_sign) */
static uint8_t *ours(const struct tsig_key *k, uint16_t id, size_t *len, const uint8_t *req_mac,
		     size_t req_mac_len)
{
	size_t n;
	uint8_t *w = answer("hmac-sha256.", secret, id, 2, NULL, false, false, &n);
	w = realloc(w, n + 512);
	*len = tsig_sign(k, w, n, n + 512, req_mac, req_mac_len, false, time(NULL), NULL, NULL);
	assert_true(*len > n);
	return w;
}

static void test_single(void **state)
{
	(void)state;
	static const char *const algs[] = { "hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha1" };
	for (size_t a = 0; a < 4; a++) {
		struct tsig_key k, other;
		char alg[32], err[300];
		uint16_t te;
		size_t n;
		key(&k, algs[a], secret);
		snprintf(alg, sizeof alg, "%s.", algs[a]);
		/* ldns 1.8.3 cannot sign hmac-sha384 (it spells it "hmac-shac384."):
		 * that one is checked against our own signer only */
		bool ldns_ok = strcmp(algs[a], "hmac-sha384") != 0;
		uint8_t *w = ldns_ok ? answer(alg, secret, 7, 2, NULL, false, true, &n)
				     : ours(&k, 7, &n, NULL, 0);
		assert_int_equal(tsig_verify_msg(&k, w, n, NULL, 0, time(NULL), &te, err, sizeof err), 0);
		/* another secret: BADSIG */
		key(&other, algs[a], "b3RoZXItc2VjcmV0");
		assert_int_equal(tsig_verify_msg(&other, w, n, NULL, 0, time(NULL), &te, err, sizeof err), -1);
		assert_int_equal(te, TSIG_BADSIG);
		assert_non_null(strstr(err, "BADSIG"));
		/* the clock 10 minutes off: BADTIME */
		assert_int_equal(tsig_verify_msg(&k, w, n, NULL, 0, time(NULL) + 600, &te, err, sizeof err), -1);
		assert_int_equal(te, TSIG_BADTIME);
		/* a flipped bit in the answer: BADSIG (the TSIG TTL, for one, is not covered) */
		w[20] ^= 1;
		assert_int_equal(tsig_verify_msg(&k, w, n, NULL, 0, time(NULL), &te, err, sizeof err), -1);
		free(w);
		/* unsigned */
		w = answer(alg, secret, 7, 2, NULL, false, false, &n);
		assert_int_equal(tsig_verify_msg(&k, w, n, NULL, 0, time(NULL), &te, err, sizeof err), -1);
		assert_non_null(strstr(err, "not signed"));
		free(w);
		/* what we sign, ldns verifies */
		w = ours(&k, 11, &n, NULL, 0);
		if (ldns_ok) {
			ldns_pkt *p = NULL;
			assert_int_equal(ldns_wire2pkt(&p, w, n), LDNS_STATUS_OK);
			assert_true(ldns_pkt_tsig_verify(p, w, n, "xfr.example.", secret, NULL));
			ldns_pkt_free(p);
		}
		/* an answer to it, signed by us after its MAC, verifies with that MAC only */
		struct tsig_rr t;
		assert_int_equal(tsig_find(w, n, &t), 1);
		uint8_t rmac[TSIG_MAC_MAX];
		size_t rml = t.mac_len, al;
		memcpy(rmac, t.mac, rml);
		uint8_t *ans = ours(&k, 11, &al, rmac, rml);
		assert_int_equal(tsig_verify_msg(&k, ans, al, rmac, rml, time(NULL), &te, err, sizeof err), 0);
		assert_int_equal(tsig_verify_msg(&k, ans, al, NULL, 0, time(NULL), &te, err, sizeof err), -1);
		free(ans);
		free(w);
	}
}

/* a stream of `count` messages, each signed by ldns's _next functions */
static void stream(struct tsig_stream *s, const struct tsig_key *k, int count, int tamper,
		   int unsigned_last, int *failed_at, char *err, size_t errlen)
{
	size_t rl;
	uint8_t *req = answer("hmac-sha256.", secret, 9, 0, NULL, false, true, &rl);
	ldns_rdf *mac = mac_of(req, rl);
	struct tsig_rr t;
	assert_int_equal(tsig_find(req, rl, &t), 1);
	assert_int_equal(tsig_stream_init(s, k, t.mac, t.mac_len, time(NULL), err, errlen), 0);
	*failed_at = 0;
	for (int i = 1; i <= count; i++) {
		size_t n;
		bool sign = !(unsigned_last && i == count);
		uint8_t *w = answer("hmac-sha256.", secret, 9, 3, mac, i > 1, sign, &n);
		if (sign) {
			ldns_rdf_deep_free(mac);
			mac = mac_of(w, n);
		}
		if (i == tamper)
			w[20] ^= 0x20;
		if (!*failed_at && tsig_stream_msg(s, w, n, err, errlen) < 0)
			*failed_at = i;
		free(w);
	}
	if (!*failed_at && tsig_stream_end(s, err, errlen) < 0)
		*failed_at = count + 1;
	ldns_rdf_deep_free(mac);
	free(req);
	tsig_stream_free(s);
}

static void test_stream(void **state)
{
	(void)state;
	struct tsig_key k, bad;
	struct tsig_stream s;
	char err[300];
	int at;
	key(&k, "hmac-sha256", secret);
	key(&bad, "hmac-sha256", "b3RoZXItc2VjcmV0");

	stream(&s, &k, 5, 0, 0, &at, err, sizeof err);
	assert_int_equal(at, 0);
	assert_int_equal(s.signed_msgs, 5);

	stream(&s, &k, 5, 3, 0, &at, err, sizeof err);
	assert_int_equal(at, 3);
	assert_non_null(strstr(err, "BADSIG) on message 3"));

	stream(&s, &bad, 4, 0, 0, &at, err, sizeof err);
	assert_int_equal(at, 1);

	/* the last message unsigned: refused at the end */
	stream(&s, &k, 4, 0, 1, &at, err, sizeof err);
	assert_int_equal(at, 5);
	assert_non_null(strstr(err, "last message (4) is not signed"));

	/* the first message unsigned: refused at once */
	stream(&s, &k, 1, 0, 1, &at, err, sizeof err);
	assert_int_equal(at, 1);
	assert_non_null(strstr(err, "not signed"));
}

static void test_find(void **state)
{
	(void)state;
	size_t n;
	uint8_t *w = answer("hmac-sha256.", secret, 3, 1, NULL, false, true, &n);
	struct tsig_rr t;
	assert_int_equal(tsig_find(w, n, &t), 1);
	assert_int_equal(t.orig_id, 3);
	assert_int_equal(t.fudge, 300);
	assert_int_equal(t.mac_len, 32);
	/* truncated message: malformed, never a crash */
	for (size_t l = 0; l < n; l++)
		assert_int_not_equal(tsig_find(w, l, &t), 1);
	free(w);
	w = answer("hmac-sha256.", secret, 3, 1, NULL, false, false, &n);
	assert_int_equal(tsig_find(w, n, &t), 0);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

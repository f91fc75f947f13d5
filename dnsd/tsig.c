/* tsig — see tsig.h */
#include "dnsd/tsig.h"

#include <ldns/ldns.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"

static const struct {
	const char *cfg, *alg, *md;
} tsig_algs[] = {
	{ "hmac-sha256", "hmac-sha256.", "SHA256" },
	{ "hmac-sha384", "hmac-sha384.", "SHA384" },
	{ "hmac-sha512", "hmac-sha512.", "SHA512" },
	{ "hmac-sha1", "hmac-sha1.", "SHA1" },
};

/* presentation -> lowercase wire, plain names only (no escapes needed for keys) */
static size_t tsig_wire(const char *name, uint8_t *out)
{
	ldns_rdf *r = NULL;
	size_t n = 0;
	if (ldns_str2rdf_dname(&r, name) != LDNS_STATUS_OK)
		return 0;
	if (ldns_rdf_size(r) <= DNAME_MAX) {
		n = ldns_rdf_size(r);
		dname_lower(out, ldns_rdf_data(r), n);
	}
	ldns_rdf_deep_free(r);
	return n;
}

int tsig_key_init(struct tsig_key *k, const struct cfg_tsig *c, char *err, size_t errlen)
{
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%s", c->name);
	k->wire_len = tsig_wire(c->name, k->wire);
	for (size_t i = 0; i < sizeof tsig_algs / sizeof tsig_algs[0]; i++)
		if (strcmp(c->algorithm, tsig_algs[i].cfg) == 0) {
			snprintf(k->alg, sizeof k->alg, "%s", tsig_algs[i].alg);
			k->md = tsig_algs[i].md;
		}
	if (!k->md || !k->wire_len) {
		snprintf(err, errlen, "TSIG key %s: unusable name or algorithm", c->name);
		return -1;
	}
	k->alg_wire_len = tsig_wire(k->alg, k->alg_wire);
	snprintf(k->b64, sizeof k->b64, "%s", c->secret);
	/* OpenSSL's decoder keeps the padding bytes: take them off */
	size_t blen = strlen(c->secret);
	int n = -1;
	if (blen && blen % 4 == 0 && blen / 4 * 3 <= sizeof k->secret) {
		n = EVP_DecodeBlock(k->secret, (const unsigned char *)c->secret, (int)blen);
		for (size_t i = blen; n > 0 && i > 0 && c->secret[i - 1] == '='; i--)
			n--;
	}
	if (n <= 0) {
		snprintf(err, errlen, "TSIG key %s: the secret is not valid base64", c->name);
		return -1;
	}
	k->secret_len = (size_t)n;
	return 0;
}

const char *tsig_error_name(uint16_t e)
{
	static __thread char buf[24];
	switch (e) {
	case 0: return "NOERROR";
	case TSIG_BADSIG: return "BADSIG";
	case TSIG_BADKEY: return "BADKEY";
	case TSIG_BADTIME: return "BADTIME";
	case TSIG_BADTRUNC: return "BADTRUNC";
	case 9: return "NOTAUTH";
	default:
		snprintf(buf, sizeof buf, "rcode %u", e);
		return buf;
	}
}

static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool skip_name(const uint8_t *msg, size_t len, size_t *pos, uint8_t *out)
{
	uint8_t tmp[DNAME_MAX];
	return dname_parse(msg, len, pos, out ? out : tmp, true) != 0;
}

int tsig_find(const uint8_t *msg, size_t len, struct tsig_rr *t)
{
	if (len < 12)
		return -1;
	unsigned qd = g16(msg + 4), rrs = (unsigned)g16(msg + 6) + g16(msg + 8) + g16(msg + 10);
	unsigned additional = (unsigned)g16(msg + 6) + g16(msg + 8);	/* its first record */
	size_t pos = 12;
	for (unsigned i = 0; i < qd; i++) {
		if (!skip_name(msg, len, &pos, NULL) || pos + 4 > len)
			return -1;
		pos += 4;
	}
	size_t last = 0;
	uint16_t last_type = 0;
	for (unsigned i = 0; i < rrs; i++) {
		last = pos;
		if (!skip_name(msg, len, &pos, NULL) || pos + 10 > len)
			return -1;
		last_type = g16(msg + pos);
		if (last_type == TSIG_TYPE && (i + 1 != rrs || i < additional))
			return -1;	/* a TSIG must be the last record, an additional one */
		pos += 10 + (size_t)g16(msg + pos + 8);
		if (pos > len)
			return -1;
	}
	if (rrs == 0 || last_type != TSIG_TYPE || g16(msg + 10) == 0)
		return 0;
	memset(t, 0, sizeof *t);
	t->start = last;
	pos = last;
	uint8_t name[DNAME_MAX];
	if (!skip_name(msg, len, &pos, name))
		return -1;
	t->key_len = dname_len(name);
	dname_lower(t->key, name, t->key_len);
	size_t rd = pos + 10, end = rd + g16(msg + pos + 8);
	pos = rd;
	/* the algorithm name is never compressed (RFC 8945 section 4.2) */
	if (!skip_name(msg, end, &pos, name) || pos + 10 > end)
		return -1;
	t->alg_len = dname_len(name);
	dname_lower(t->alg, name, t->alg_len);
	t->time_signed = (uint64_t)g16(msg + pos) << 32 | (uint64_t)g16(msg + pos + 2) << 16 |
			 g16(msg + pos + 4);
	t->fudge = g16(msg + pos + 6);
	t->mac_len = g16(msg + pos + 8);
	pos += 10;
	if (pos + t->mac_len + 6 > end)
		return -1;
	t->mac = msg + pos;
	pos += t->mac_len;
	t->orig_id = g16(msg + pos);
	t->error = g16(msg + pos + 2);
	t->other_len = g16(msg + pos + 4);
	pos += 6;
	if (pos + t->other_len != end)
		return -1;
	t->other = msg + pos;
	return 1;
}

/* the checks every signed message gets before its MAC: key, algorithm,
 * the peer's error, time */
static int tsig_precheck(const struct tsig_key *k, const struct tsig_rr *t, time_t now,
			 uint16_t *terr, char *err, size_t errlen)
{
	if (t->key_len != k->wire_len || memcmp(t->key, k->wire, k->wire_len) != 0) {
		*terr = TSIG_BADKEY;
		char b[DNAME_MAX * 4 + 1];
		snprintf(err, errlen, "TSIG: signed with key %s, expected %s (BADKEY)",
			 dname_str(t->key, b, sizeof b), k->name);
		return -1;
	}
	if (t->alg_len != k->alg_wire_len || memcmp(t->alg, k->alg_wire, k->alg_wire_len) != 0) {
		*terr = TSIG_BADKEY;
		snprintf(err, errlen, "TSIG: wrong algorithm for key %s, expected %s (BADKEY)",
			 k->name, k->alg);
		return -1;
	}
	if (t->error) {
		*terr = 0;
		snprintf(err, errlen, "TSIG: the peer answered %s for key %s%s",
			 tsig_error_name(t->error), k->name,
			 t->error == TSIG_BADSIG || t->error == TSIG_BADKEY
				 ? ": the secrets or key names differ" : "");
		return -1;
	}
	int64_t skew = (int64_t)now - (int64_t)t->time_signed;
	if (skew > t->fudge || -skew > t->fudge) {
		*terr = TSIG_BADTIME;
		snprintf(err, errlen, "TSIG: time skew of %lld s exceeds the fudge of %u s "
			 "(BADTIME): check both clocks", (long long)skew, t->fudge);
		return -1;
	}
	return 0;
}

int tsig_verify_msg(const struct tsig_key *k, const uint8_t *msg, size_t len,
		    const uint8_t *req_mac, size_t req_mac_len, time_t now, uint16_t *tsig_error,
		    char *err, size_t errlen)
{
	struct tsig_rr t;
	struct tsig_stream s;
	int f = tsig_find(msg, len, &t);
	*tsig_error = 0;
	if (f < 0) {
		snprintf(err, errlen, "TSIG: malformed message");
		return -1;
	}
	if (f == 0) {
		snprintf(err, errlen, "TSIG: the message is not signed (key %s expected)", k->name);
		return -1;
	}
	if (tsig_precheck(k, &t, now, tsig_error, err, errlen) < 0)
		return -1;
	if (tsig_stream_init(&s, k, req_mac, req_mac_len, now, err, errlen) < 0)
		return -1;
	int rc = tsig_stream_msg(&s, msg, len, err, errlen);
	tsig_stream_free(&s);
	if (rc < 0) {
		*tsig_error = TSIG_BADSIG;
		snprintf(err, errlen, "TSIG: bad signature with key %s (BADSIG): the secrets differ "
			 "or the message was altered", k->name);
	}
	return rc;
}

/* ---- streams ---- */

static int mac_open(struct tsig_stream *s)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!m)
		return -1;
	s->ctx = (struct evp_mac_ctx_st *)EVP_MAC_CTX_new(m);
	EVP_MAC_free(m);
	if (!s->ctx)
		return -1;
	OSSL_PARAM p[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)s->key->md, 0),
		OSSL_PARAM_construct_end(),
	};
	/* a request has no prior MAC; an answer starts with the request's
	 * (RFC 8945 section 4.3.1), later messages with the previous one */
	uint8_t l[2] = { (uint8_t)(s->prev_mac_len >> 8), (uint8_t)s->prev_mac_len };
	if (!EVP_MAC_init((EVP_MAC_CTX *)s->ctx, s->key->secret, s->key->secret_len, p) ||
	    (s->prev_mac_len && (!EVP_MAC_update((EVP_MAC_CTX *)s->ctx, l, 2) ||
				 !EVP_MAC_update((EVP_MAC_CTX *)s->ctx, s->prev_mac, s->prev_mac_len))))
		return -1;
	return 0;
}

int tsig_stream_init(struct tsig_stream *s, const struct tsig_key *k, const uint8_t *req_mac,
		     size_t req_mac_len, time_t now, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->key = k;
	s->now = now;
	if (req_mac_len > TSIG_MAC_MAX) {
		snprintf(err, errlen, "TSIG: request MAC too long");
		return -1;
	}
	if (req_mac_len)
		memcpy(s->prev_mac, req_mac, req_mac_len);
	s->prev_mac_len = req_mac_len;
	if (mac_open(s) < 0) {
		snprintf(err, errlen, "TSIG: HMAC-%s is not available", k->md);
		return -1;
	}
	return 0;
}

/* finish the MAC of one signed message: its bytes up to the TSIG with the
 * original ID and the additional count without the TSIG, then the TSIG
 * variables (all of them for the first message of an exchange, the
 * timers only after); closes s->ctx */
static bool mac_message(struct tsig_stream *s, const uint8_t *msg, size_t len, uint16_t orig_id,
			uint16_t arcount, bool all_vars, const uint8_t *timers, uint16_t error,
			const uint8_t *other, uint16_t other_len, uint8_t *mac, size_t *maclen)
{
	EVP_MAC_CTX *ctx = (EVP_MAC_CTX *)s->ctx;
	uint8_t hdr[12], vars[DNAME_MAX * 2 + 32];
	size_t v = 0;
	memcpy(hdr, msg, 12);
	hdr[0] = (uint8_t)(orig_id >> 8);
	hdr[1] = (uint8_t)orig_id;
	hdr[10] = (uint8_t)(arcount >> 8);
	hdr[11] = (uint8_t)arcount;
	if (all_vars) {
		/* key name, class ANY, TTL 0, algorithm */
		static const uint8_t cls_ttl[6] = { 0, 255, 0, 0, 0, 0 };
		memcpy(vars, s->key->wire, s->key->wire_len);
		v = s->key->wire_len;
		memcpy(vars + v, cls_ttl, 6);
		v += 6;
		memcpy(vars + v, s->key->alg_wire, s->key->alg_wire_len);
		v += s->key->alg_wire_len;
	}
	memcpy(vars + v, timers, 8);	/* time signed (6), fudge (2) */
	v += 8;
	if (all_vars) {
		uint8_t ev[4] = { (uint8_t)(error >> 8), (uint8_t)error, (uint8_t)(other_len >> 8),
				  (uint8_t)other_len };
		memcpy(vars + v, ev, 4);
		v += 4;
	}
	bool ok = EVP_MAC_update(ctx, hdr, 12) && EVP_MAC_update(ctx, msg + 12, len - 12) &&
		  EVP_MAC_update(ctx, vars, v) && (!all_vars || !other_len ||
						   EVP_MAC_update(ctx, other, other_len)) &&
		  EVP_MAC_final(ctx, mac, maclen, EVP_MAX_MD_SIZE);
	EVP_MAC_CTX_free(ctx);
	s->ctx = NULL;
	return ok;
}

int tsig_stream_msg(struct tsig_stream *s, const uint8_t *msg, size_t len, char *err,
		    size_t errlen)
{
	struct tsig_rr t;
	EVP_MAC_CTX *ctx = (EVP_MAC_CTX *)s->ctx;
	unsigned n = ++s->msgs;
	bool first = n == 1 && !s->timers_only;
	int f = tsig_find(msg, len, &t);
	uint16_t terr;

	if (f < 0) {
		snprintf(err, errlen, "TSIG: message %u is malformed", n);
		return -1;
	}
	if (f == 0) {
		if (n == 1) {
			snprintf(err, errlen, "TSIG: the answer is not signed (key %s expected): "
				 "the primary does not know the key or ignores it", s->key->name);
			return -1;
		}
		if (++s->unsigned_run > TSIG_MAX_UNSIGNED) {
			snprintf(err, errlen, "TSIG: more than %u unsigned messages in a row "
				 "(message %u)", TSIG_MAX_UNSIGNED, n);
			return -1;
		}
		s->last_signed = false;
		if (!EVP_MAC_update(ctx, msg, len)) {
			snprintf(err, errlen, "TSIG: HMAC failed");
			return -1;
		}
		return 0;
	}
	if (tsig_precheck(s->key, &t, s->now, &terr, err, errlen) < 0) {
		size_t l = strlen(err);
		snprintf(err + l, errlen - l, " on message %u", n);
		return -1;
	}
	uint8_t mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	bool ok = mac_message(s, msg, t.start, t.orig_id, (uint16_t)(g16(msg + 10) - 1), first,
			      t.mac - 10, t.error, t.other, t.other_len, mac, &maclen);
	if (!ok) {
		snprintf(err, errlen, "TSIG: HMAC failed");
		return -1;
	}
	/* truncated MACs (RFC 8945 section 5.2.2.1): at least half, at least 10 */
	if (t.mac_len > maclen || t.mac_len < 10 || t.mac_len < maclen / 2 ||
	    CRYPTO_memcmp(mac, t.mac, t.mac_len) != 0) {
		snprintf(err, errlen, "TSIG: bad signature (BADSIG) on message %u with key %s: "
			 "the secrets differ or the message was altered", n, s->key->name);
		return -1;
	}
	memcpy(s->prev_mac, t.mac, t.mac_len);
	s->prev_mac_len = t.mac_len;
	s->unsigned_run = 0;
	s->signed_msgs++;
	s->last_signed = true;
	if (mac_open(s) < 0) {
		snprintf(err, errlen, "TSIG: HMAC failed");
		return -1;
	}
	return 0;
}

int tsig_stream_end(struct tsig_stream *s, char *err, size_t errlen)
{
	if (s->msgs && !s->last_signed) {
		snprintf(err, errlen, "TSIG: the last message (%u) is not signed", s->msgs);
		return -1;
	}
	return 0;
}

void tsig_stream_free(struct tsig_stream *s)
{
	if (s->ctx)
		EVP_MAC_CTX_free((EVP_MAC_CTX *)s->ctx);
	s->ctx = NULL;
}

/* ---- signing ---- */

size_t tsig_sign(const struct tsig_key *k, uint8_t *msg, size_t len, size_t cap,
		 const uint8_t *req_mac, size_t req_mac_len, bool timers_only, time_t now,
		 uint8_t *mac_out, size_t *mac_len)
{
	struct tsig_stream s;
	char err[200];
	size_t maclen = 0;
	uint8_t mac[EVP_MAX_MD_SIZE];
	uint64_t t = (uint64_t)now;
	uint8_t timers[8] = { (uint8_t)(t >> 40), (uint8_t)(t >> 32), (uint8_t)(t >> 24),
			      (uint8_t)(t >> 16), (uint8_t)(t >> 8), (uint8_t)t,
			      (uint8_t)(TSIG_FUDGE >> 8), (uint8_t)TSIG_FUDGE };
	if (len < 12 || tsig_stream_init(&s, k, req_mac, req_mac_len, now, err, sizeof err) < 0)
		return 0;
	uint16_t id = g16(msg), ar = g16(msg + 10);
	bool ok = mac_message(&s, msg, len, id, ar, !timers_only, timers, 0, NULL, 0, mac, &maclen);
	tsig_stream_free(&s);
	size_t rdlen = k->alg_wire_len + 10 + maclen + 6;
	if (!ok || len + k->wire_len + 10 + rdlen > cap)
		return 0;
	uint8_t *p = msg + len;
	memcpy(p, k->wire, k->wire_len);
	p += k->wire_len;
	uint8_t fixed[10] = { 0, TSIG_TYPE, 0, 255, 0, 0, 0, 0, (uint8_t)(rdlen >> 8), (uint8_t)rdlen };
	memcpy(p, fixed, 10);
	p += 10;
	memcpy(p, k->alg_wire, k->alg_wire_len);
	p += k->alg_wire_len;
	memcpy(p, timers, 8);
	p[8] = (uint8_t)(maclen >> 8);
	p[9] = (uint8_t)maclen;
	p += 10;
	memcpy(p, mac, maclen);
	p += maclen;
	uint8_t tail[6] = { (uint8_t)(id >> 8), (uint8_t)id, 0, 0, 0, 0 };
	memcpy(p, tail, 6);
	p += 6;
	ar++;
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	if (mac_out && mac_len) {
		memcpy(mac_out, mac, maclen);
		*mac_len = maclen;
	}
	return (size_t)(p - msg);
}

size_t tsig_error_answer(uint8_t *out, size_t len, size_t cap, const struct tsig_rr *q,
			 uint16_t error, time_t now)
{
	/* RFC 8945 section 5.2: an unsigned TSIG carrying the error */
	size_t need = q->key_len + 10 + q->alg_len + 16 + (error == TSIG_BADTIME ? 6 : 0);
	if (len < 12 || len + need > cap)
		return len;
	uint8_t *p = out + len;
	memcpy(p, q->key, q->key_len);
	p += q->key_len;
	size_t rdlen = q->alg_len + 16 + (error == TSIG_BADTIME ? 6 : 0);
	uint8_t fixed[10] = { 0, TSIG_TYPE, 0, 255, 0, 0, 0, 0, (uint8_t)(rdlen >> 8), (uint8_t)rdlen };
	memcpy(p, fixed, 10);
	p += 10;
	memcpy(p, q->alg, q->alg_len);
	p += q->alg_len;
	uint64_t t = error == TSIG_BADTIME ? q->time_signed : (uint64_t)now;
	uint8_t v[16] = { (uint8_t)(t >> 40), (uint8_t)(t >> 32), (uint8_t)(t >> 24), (uint8_t)(t >> 16),
			  (uint8_t)(t >> 8), (uint8_t)t, (uint8_t)(TSIG_FUDGE >> 8), (uint8_t)TSIG_FUDGE,
			  0, 0, (uint8_t)(q->orig_id >> 8), (uint8_t)q->orig_id,
			  (uint8_t)(error >> 8), (uint8_t)error, 0, error == TSIG_BADTIME ? 6 : 0 };
	memcpy(p, v, 16);
	p += 16;
	if (error == TSIG_BADTIME) {
		uint64_t s = (uint64_t)now;
		uint8_t o[6] = { (uint8_t)(s >> 40), (uint8_t)(s >> 32), (uint8_t)(s >> 24),
				 (uint8_t)(s >> 16), (uint8_t)(s >> 8), (uint8_t)s };
		memcpy(p, o, 6);
		p += 6;
	}
	uint16_t ar = (uint16_t)((out[10] << 8 | out[11]) + 1);
	out[10] = (uint8_t)(ar >> 8);
	out[11] = (uint8_t)ar;
	return (size_t)(p - out);
}

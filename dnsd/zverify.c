/* zverify — see zverify.h */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "dnsd/dname.h"
#include "dnsd/zone.h"
#include "dnsd/zverify.h"

#define T_NS 2
#define T_DS 43
#define T_RRSIG 46
#define T_NSEC 47
#define T_DNSKEY 48
#define T_NSEC3 50
#define T_NSEC3PARAM 51

#define DNSKEY_F_ZONE 0x0100
#define NSEC3_F_OPTOUT 0x01
#define NAMEBUF 1024
#define WIRE_MAX (DNAME_MAX + 10 + 65535)

/* what a node is to DNSSEC */
enum zv_kind {
	ZV_AUTH,	/* authoritative name (or empty non-terminal) */
	ZV_CUT,		/* delegation point: DS and NSEC are ours, the rest is the child's */
	ZV_OCCLUDED,	/* below a cut or a DNAME: glue, not signed, not in the chain */
	ZV_HASHED,	/* NSEC3 owner */
	ZV_ORPHAN,	/* holds nothing but RRSIGs */
};

struct zv_key {
	const uint8_t *rd;
	uint16_t rdlen, flags, tag;
	uint8_t alg;
	bool anchored;		/* named by a trust anchor */
	ldns_rr *rr;
	/* the public key decoded once (NULL: ldns_verify_rrsig_time decodes
	 * it on every call, several times slower) */
	EVP_PKEY *pkey;
	const EVP_MD *md;	/* NULL for EdDSA */
	ldns_key *lkey;		/* owns pkey for RSA */
};

struct zv_sig {
	uint16_t covered;
	uint8_t alg, labels;
	uint32_t ottl, exp, inc;
	uint16_t tag;
	const uint8_t *signer;
};

struct zv {
	const struct zone *z;
	time_t now;
	uint32_t now32;
	struct zverify_report *rep;
	char msg[1024];		/* the reason, copied to the caller's err at the end */
	struct zv_key *keys;
	size_t nkeys;
	char anchor_desc[160];	/* "DS key tag 12345" for messages */
	bool have_expiry;
	char late[512];		/* first RRSIG without its RRset, reported last */
	uint8_t *wire;		/* one RR in wire form, WIRE_MAX bytes */
	ldns_buffer *data;	/* the signed data of one RRSIG */
	ldns_buffer *sigbuf;	/* an ECDSA signature in DER */
};

static int zv_fail(struct zv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int zv_fail(struct zv *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* one stored record ([ttl][rdlength][rdata], see zone.h) at z->rdata + off */
static uint32_t zv_rec(const struct zone *z, uint32_t off, uint32_t *ttl, uint16_t *rdlen,
		       const uint8_t **rd)
{
	const uint8_t *p = z->rdata + off;
	*ttl = rd32(p);
	*rdlen = rd16(p + 4);
	*rd = p + 6;
	return off + 6u + *rdlen;
}


static const char *zv_type(uint16_t t, char *buf, size_t size)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(t);
	if (d && d->_type == t && d->_name)
		return d->_name;
	snprintf(buf, size, "TYPE%u", t);
	return buf;
}

static const char *zv_name(const uint8_t *wire, char *buf)
{
	return dname_str(wire, buf, NAMEBUF);
}

/* an RRSIG time (32-bit serial) as the nearest absolute UTC time */
static const char *zv_when(const struct zv *v, uint32_t t, char *buf, size_t size)
{
	time_t abs = v->now + (int32_t)(t - v->now32);
	struct tm tm;
	if (!gmtime_r(&abs, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%u", t);
	return buf;
}

static void zv_hash_str(const uint8_t *h, char *buf, size_t size)
{
	int n = ldns_b32_ntop_extended_hex(h, NSEC3_HASH_LEN, buf, size);
	if (n < 0 || (size_t)n >= size)
		n = 0;
	buf[n] = 0;
	for (int i = 0; i < n; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] - 'A' + 'a');
}

/* an ldns RR from the compiled wire form (class IN) */
static ldns_rr *zv_ldns_rr(struct zv *v, const uint8_t *owner, uint16_t type, uint32_t ttl,
			   const uint8_t *rd, uint16_t rdlen)
{
	size_t ol = dname_len(owner), pos = 0;
	uint8_t *b = v->wire;
	ldns_rr *rr = NULL;
	memcpy(b, owner, ol);
	b[ol] = (uint8_t)(type >> 8);
	b[ol + 1] = (uint8_t)type;
	b[ol + 2] = 0;
	b[ol + 3] = 1;
	b[ol + 4] = (uint8_t)(ttl >> 24);
	b[ol + 5] = (uint8_t)(ttl >> 16);
	b[ol + 6] = (uint8_t)(ttl >> 8);
	b[ol + 7] = (uint8_t)ttl;
	b[ol + 8] = (uint8_t)(rdlen >> 8);
	b[ol + 9] = (uint8_t)rdlen;
	memcpy(b + ol + 10, rd, rdlen);
	if (ldns_wire2rr(&rr, b, ol + 10 + rdlen, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		return NULL;
	return rr;
}

static enum zv_kind zv_kind(const struct zone *z, int32_t i)
{
	const struct znode *n = &z->nodes[i];
	if (n->flags & ZN_NSEC3ONLY)
		return ZV_HASHED;
	if ((n->deleg >= 0 && n->deleg != i) || n->dname >= 0)
		return ZV_OCCLUDED;
	if (n->nrrsets == 1 && z->rrsets[n->rrsets].type == T_RRSIG)
		return ZV_ORPHAN;
	if (n->flags & ZN_CUT)
		return ZV_CUT;
	return ZV_AUTH;
}

/* must this RRset be signed by the zone? */
static bool zv_auth(enum zv_kind k, uint16_t type)
{
	switch (k) {
	case ZV_AUTH:
	case ZV_HASHED:
		return true;
	case ZV_CUT:
		return type == T_DS || type == T_NSEC;
	default:
		return false;
	}
}

static bool zv_sig_parse(const uint8_t *rd, uint16_t rdlen, struct zv_sig *s)
{
	if (rdlen < 19)
		return false;
	s->covered = rd16(rd);
	s->alg = rd[2];
	s->labels = rd[3];
	s->ottl = rd32(rd + 4);
	s->exp = rd32(rd + 8);
	s->inc = rd32(rd + 12);
	s->tag = rd16(rd + 16);
	s->signer = rd + 18;
	size_t nl = dname_wire_len(rd + 18, rdlen - 18u);
	return nl > 0 && 18u + nl < rdlen;	/* a signature follows */
}

/* ---- signature verification (ldns + OpenSSL) ---- */

/* decode the public key of k once for ldns_verify_rrsig_evp_raw() */
static void zv_key_prepare(struct zv_key *k)
{
	const unsigned char *pub = k->rd + 4;
	size_t len = k->rdlen - 4u;
	RSA *rsa;

	switch (k->alg) {
	case LDNS_ED25519:
		k->pkey = ldns_ed255192pkey_raw(pub, len);
		break;
	case LDNS_ED448:
		k->pkey = ldns_ed4482pkey_raw(pub, len);
		break;
	case LDNS_ECDSAP256SHA256:
	case LDNS_ECDSAP384SHA384:
		k->pkey = ldns_ecdsa2pkey_raw(pub, len, k->alg);
		k->md = k->alg == LDNS_ECDSAP256SHA256 ? EVP_sha256() : EVP_sha384();
		break;
	case LDNS_RSASHA1:
	case LDNS_RSASHA1_NSEC3:
	case LDNS_RSASHA256:
	case LDNS_RSASHA512:
		k->md = k->alg == LDNS_RSASHA256   ? EVP_sha256()
			: k->alg == LDNS_RSASHA512 ? EVP_sha512()
						   : EVP_sha1();
		if ((k->lkey = ldns_key_new()) == NULL)
			break;
		if ((rsa = ldns_key_buf2rsa_raw(pub, len)) == NULL) {
			ldns_key_free(k->lkey);
			k->lkey = NULL;
			break;
		}
		ldns_key_assign_rsa_key(k->lkey, rsa);
		k->pkey = ldns_key_evp_key(k->lkey);
		break;
	default:
		break;
	}
}

static void zv_key_free(struct zv_key *k)
{
	if (k->lkey)
		ldns_key_deep_free(k->lkey);
	else
		EVP_PKEY_free(k->pkey);
	ldns_rr_free(k->rr);
}

/* The data an RRSIG signs (RFC 4034 section 3.1.8.1, as ldns builds it in
 * ldns_prepare_for_verify()): the RRSIG rdata without the signature, then
 * the RRset in canonical form and order with the original TTL and, for a
 * wildcard, the owner "*." + the last `labels` labels. */
static bool zv_signed_data(struct zv *v, ldns_rr_list *set, ldns_rr *sig, const uint8_t *owner,
			   const struct zv_sig *s)
{
	ldns_rdf *wild = NULL;
	bool ok = false;

	if (s->labels < dname_labels(owner)) {
		uint8_t w[DNAME_MAX];
		const uint8_t *suf = dname_suffix(owner, s->labels);
		size_t sl = dname_len(suf);
		if (sl + 2 > sizeof w)
			return false;
		w[0] = 1;
		w[1] = '*';
		memcpy(w + 2, suf, sl);
		if (!(wild = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, sl + 2, w)))
			return false;
	}
	ldns_rr_list *c = ldns_rr_list_clone(set);
	if (!c)
		goto out;
	for (size_t i = 0; i < ldns_rr_list_rr_count(c); i++) {
		ldns_rr *rr = ldns_rr_list_rr(c, i);
		if (wild) {
			ldns_rdf *o = ldns_rdf_clone(wild);
			if (!o)
				goto out;
			ldns_rdf_deep_free(ldns_rr_owner(rr));
			ldns_rr_set_owner(rr, o);
		}
		ldns_rr_set_ttl(rr, s->ottl);
		ldns_rr2canonical(rr);
	}
	ldns_rr_list_sort(c);
	ldns_buffer_clear(v->data);
	ok = ldns_rrsig2buffer_wire(v->data, sig) == LDNS_STATUS_OK &&
	     ldns_rr_list2buffer_wire(v->data, c) == LDNS_STATUS_OK;
out:
	ldns_rr_list_deep_free(c);
	ldns_rdf_deep_free(wild);
	return ok;
}

/* verify RRSIG sig over set with key k (times are checked by the caller) */
static ldns_status zv_verify(struct zv *v, ldns_rr_list *set, ldns_rr *sig, const uint8_t *owner,
			     const struct zv_sig *s, const struct zv_key *k, bool *have_data)
{
	if (!k->pkey)
		return ldns_verify_rrsig_time(set, sig, k->rr, v->now);
	if (!*have_data && !(*have_data = zv_signed_data(v, set, sig, owner, s)))
		return LDNS_STATUS_MEM_ERR;
	ldns_rdf *raw = ldns_rr_rdf(sig, 8);
	if (!raw)
		return LDNS_STATUS_MISSING_RDATA_FIELDS_RRSIG;
	const unsigned char *sp = ldns_rdf_data(raw);
	size_t sl = ldns_rdf_size(raw);
	if (k->alg == LDNS_ECDSAP256SHA256 || k->alg == LDNS_ECDSAP384SHA384) {
		ldns_buffer_clear(v->sigbuf);
		if (ldns_convert_ecdsa_rrsig_rdf2asn1(v->sigbuf, raw) != LDNS_STATUS_OK)
			return LDNS_STATUS_CRYPTO_BOGUS;
		sp = ldns_buffer_begin(v->sigbuf);
		sl = ldns_buffer_position(v->sigbuf);
	}
	return ldns_verify_rrsig_evp_raw(sp, sl, v->data, k->pkey, k->md);
}

/* ---- one RRSIG ---- */

/* Check RRSIG s (rdata rd) over `set` (type, owner, largest TTL maxttl)
 * with the zone keys; 0 and the key's index in *keyi, or -1 with err. */
static int zv_sig_check(struct zv *v, const uint8_t *owner, uint16_t type, uint32_t maxttl,
			ldns_rr_list *set, const struct zv_sig *s, const uint8_t *rd,
			uint16_t rdlen, size_t *keyi)
{
	char nb[NAMEBUF], tb[16], w1[32], w2[32];
	const char *ts = zv_type(type, tb, sizeof tb);
	unsigned olabels = dname_labels(owner);

	if (owner[0] == 1 && owner[1] == '*')
		olabels--;
	if (s->labels > olabels)
		return zv_fail(v, "RRSIG %s %s has label count %u but the owner has %u labels (key tag %u)",
			       ts, zv_name(owner, nb), s->labels, olabels, s->tag);
	if ((int32_t)(s->exp - s->inc) < 0)
		return zv_fail(v, "RRSIG %s %s expires (%s) before its inception (%s) (key tag %u)", ts,
			       zv_name(owner, nb), zv_when(v, s->exp, w1, sizeof w1),
			       zv_when(v, s->inc, w2, sizeof w2), s->tag);
	if ((int32_t)(v->now32 - s->inc) < 0)
		return zv_fail(v, "RRSIG %s %s not valid before %s: inception in the future (key tag %u)",
			       ts, zv_name(owner, nb), zv_when(v, s->inc, w1, sizeof w1), s->tag);
	if ((int32_t)(s->exp - v->now32) < 0)
		return zv_fail(v, "RRSIG %s %s expired %s (key tag %u)", ts, zv_name(owner, nb),
			       zv_when(v, s->exp, w1, sizeof w1), s->tag);
	if (maxttl > s->ottl)
		return zv_fail(v, "%s %s has TTL %u, above the original TTL %u in its RRSIG (key tag %u)",
			       ts, zv_name(owner, nb), maxttl, s->ottl, s->tag);

	ldns_rr *sig = zv_ldns_rr(v, owner, T_RRSIG, s->ottl, rd, rdlen);
	if (!sig)
		return zv_fail(v, "RRSIG %s %s (key tag %u) is malformed", ts, zv_name(owner, nb), s->tag);
	bool cand = false, have_data = false;
	ldns_status st = LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY;
	for (size_t k = 0; k < v->nkeys; k++) {
		const struct zv_key *key = &v->keys[k];
		if (key->tag != s->tag || key->alg != s->alg || !(key->flags & DNSKEY_F_ZONE))
			continue;
		cand = true;
		st = zv_verify(v, set, sig, owner, s, key, &have_data);
		if (st == LDNS_STATUS_OK) {
			*keyi = k;
			break;
		}
	}
	ldns_rr_free(sig);
	if (!cand)
		return zv_fail(v, "RRSIG %s %s: key tag %u (algorithm %u) is not a zone key in the DNSKEY RRset",
			       ts, zv_name(owner, nb), s->tag, s->alg);
	if (st != LDNS_STATUS_OK)
		return zv_fail(v, "RRSIG %s %s does not validate with key tag %u: %s", ts,
			       zv_name(owner, nb), s->tag, ldns_get_errorstr_by_id(st));
	v->rep->rrsigs_checked++;
	if (!v->have_expiry || (int32_t)(s->exp - v->rep->earliest_expiry) < 0) {
		v->rep->earliest_expiry = s->exp;
		v->have_expiry = true;
	}
	return 0;
}

/* ---- one RRset ---- */

/* Check every RRSIG by this zone over RRset rs at node ni (records in set,
 * largest TTL maxttl).  need: it must have one (-2 when it has none).
 * anchored (may be NULL): set when a key named by the trust anchor made a
 * valid signature. */
static int zv_rrset(struct zv *v, int32_t ni, const struct zrrset *rs, ldns_rr_list *set,
		    uint32_t maxttl, bool need, bool *anchored)
{
	const struct zone *z = v->z;
	const uint8_t *owner = znode_name(z, &z->nodes[ni]);
	char nb[NAMEBUF], tb[16];
	unsigned ours = 0, others = 0;

	for (uint32_t off = rs->sig_off, end = rs->sig_off + rs->sig_len; off < end;) {
		uint32_t ttl;
		uint16_t rdlen;
		const uint8_t *rd;
		struct zv_sig s;
		off = zv_rec(z, off, &ttl, &rdlen, &rd);
		if (!zv_sig_parse(rd, rdlen, &s))
			return zv_fail(v, "RRSIG %s %s is malformed", zv_type(rs->type, tb, sizeof tb),
				       zv_name(owner, nb));
		if (!dname_equal(s.signer, z->apex)) {
			others++;
			continue;
		}
		ours++;
		size_t k = 0;
		if (zv_sig_check(v, owner, rs->type, maxttl, set, &s, rd, rdlen, &k) < 0) {
			if (anchored) {
				/* a bad signature by the anchor's key: say so first */
				for (size_t a = 0; a < v->nkeys; a++) {
					if (v->keys[a].anchored && v->keys[a].tag == s.tag &&
					    v->keys[a].alg == s.alg) {
						char why[sizeof v->msg];
						memcpy(why, v->msg, sizeof why);
						return zv_fail(v, "DNSKEY RRset not signed by the trust anchor's key (%s): %s",
							       v->anchor_desc, why);
					}
				}
			}
			return -1;
		}
		if (anchored && v->keys[k].anchored && !*anchored) {
			*anchored = true;
			v->rep->ksk_tag = v->keys[k].tag;
		}
	}
	if (need && ours == 0) {
		if (others)
			zv_fail(v, "no RRSIG by %s for %s %s", zv_name(z->apex, nb),
				zv_type(rs->type, tb, sizeof tb), zv_name(owner, nb));
		else
			zv_fail(v, "no RRSIG for %s %s", zv_type(rs->type, tb, sizeof tb), zv_name(owner, nb));
		return -2;
	}
	if (ours)
		v->rep->rrsets_checked++;
	return 0;
}

/* ---- trust anchor ---- */

static bool zv_alg_ok(unsigned alg)
{
	switch (alg) {
	case 5: case 7: case 8: case 10: case 13: case 14: case 15: case 16:
		return true;
	default:
		return false;
	}
}

/* why anchor rr (parsed) cannot be used for apex origin, or NULL */
static const char *zv_anchor_bad(const ldns_rr *rr, const ldns_rdf *origin, char *why, size_t size)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	bool ds = t == LDNS_RR_TYPE_DS;
	if (!ds && t != LDNS_RR_TYPE_DNSKEY)
		return "is not a DS or DNSKEY record";
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return "is not of class IN";
	if (ldns_dname_compare(ldns_rr_owner(rr), origin) != 0) {
		char *o = ldns_rdf2str(origin);
		snprintf(why, size, "is not for the zone apex %s", o ? o : "");
		free(o);
		return why;
	}
	if (ldns_rr_rd_count(rr) != 4)
		return ds ? "lacks DS fields" : "lacks DNSKEY fields";
	unsigned alg = ldns_rdf2native_int8(ldns_rr_rdf(rr, ds ? 1 : 2));
	if (!zv_alg_ok(alg)) {
		snprintf(why, size, "has DNSSEC algorithm %u, which is not supported", alg);
		return why;
	}
	if (ds) {
		unsigned dt = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
		size_t dl = ldns_rdf_size(ldns_rr_rdf(rr, 3));
		size_t want = dt == 1 ? 20 : dt == 2 ? 32 : dt == 4 ? 48 : 0;
		if (!want)
			snprintf(why, size, "has DS digest type %u, not 1 (SHA-1), 2 (SHA-256) or 4 (SHA-384)", dt);
		else if (dl != want)
			snprintf(why, size, "has a DS digest of %zu bytes: type %u must be %zu bytes", dl, dt, want);
		return why[0] ? why : NULL;
	}
	unsigned flags = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
	if (!(flags & DNSKEY_F_ZONE))
		snprintf(why, size, "has DNSKEY flags %u, without the zone key flag (256)", flags);
	else if (ldns_rdf2native_int8(ldns_rr_rdf(rr, 1)) != 3)
		snprintf(why, size, "has a DNSKEY protocol other than 3");
	else if (ldns_rdf_size(ldns_rr_rdf(rr, 3)) == 0)
		snprintf(why, size, "has an empty DNSKEY");
	return why[0] ? why : NULL;
}

/* parse one anchor for apex `origin`; 0 and *out, or -1 with err */
static int zv_anchor_parse(const ldns_rdf *origin, const char *text, ldns_rr **out, char *err,
			   size_t errlen)
{
	ldns_rr *rr = NULL;
	char why[200] = "";
	const char *bad;

	*out = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 3600, (ldns_rdf *)origin, NULL);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, errlen, "trust anchor \"%s\" does not parse: %s", text, ldns_get_errorstr_by_id(st));
		return -1;
	}
	if ((bad = zv_anchor_bad(rr, origin, why, sizeof why)) != NULL) {
		snprintf(err, errlen, "trust anchor \"%s\" %s", text, bad);
		ldns_rr_free(rr);
		return -1;
	}
	*out = rr;
	return 0;
}

int zverify_anchor_check(const char *zone_name, const char *anchor_text, char *err, size_t errlen)
{
	ldns_rdf *origin = NULL;
	ldns_rr *rr = NULL;
	if (!zone_name || !anchor_text || ldns_str2rdf_dname(&origin, zone_name) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "bad zone name \"%s\"", zone_name ? zone_name : "");
		return -1;
	}
	int rc = zv_anchor_parse(origin, anchor_text, &rr, err, errlen);
	ldns_rr_free(rr);
	ldns_rdf_deep_free(origin);
	return rc;
}

/* does DNSKEY key match anchor a? */
static bool zv_anchor_match(const ldns_rr *a, const struct zv_key *key)
{
	if (ldns_rr_get_type(a) == LDNS_RR_TYPE_DNSKEY) {
		uint8_t *w = NULL;
		size_t wl = 0;
		bool eq = false;
		ldns_buffer *b = ldns_buffer_new(key->rdlen + 16u);
		if (b && ldns_rr_rdata2buffer_wire(b, a) == LDNS_STATUS_OK) {
			w = ldns_buffer_begin(b);
			wl = ldns_buffer_position(b);
			eq = wl == key->rdlen && memcmp(w, key->rd, wl) == 0;
		}
		ldns_buffer_free(b);
		return eq;
	}
	if (ldns_rdf2native_int16(ldns_rr_rdf(a, 0)) != key->tag ||
	    ldns_rdf2native_int8(ldns_rr_rdf(a, 1)) != key->alg)
		return false;
	ldns_rr *ds = ldns_key_rr2ds(key->rr, (ldns_hash)ldns_rdf2native_int8(ldns_rr_rdf(a, 2)));
	bool eq = ds && ldns_rr_rd_count(ds) == 4 &&
		  ldns_rdf_compare(ldns_rr_rdf(ds, 3), ldns_rr_rdf(a, 3)) == 0;
	ldns_rr_free(ds);
	return eq;
}

/* the apex DNSKEY RRset: load the keys, match the anchors, check its RRSIGs */
static int zv_dnskey(struct zv *v, const char *const *anchors, size_t nanchors)
{
	const struct zone *z = v->z;
	char nb[NAMEBUF];
	ldns_rdf *origin = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, z->apex_len, z->apex);
	ldns_rr **arr = calloc(nanchors ? nanchors : 1, sizeof *arr);
	ldns_rr_list *set = ldns_rr_list_new();
	int rc = -1;

	if (!origin || !arr || !set) {
		zv_fail(v, "out of memory");
		goto out;
	}
	if (nanchors == 0) {
		zv_fail(v, "no trust anchor configured for %s", zv_name(z->apex, nb));
		goto out;
	}
	size_t o = 0;
	for (size_t i = 0; i < nanchors; i++) {
		char why[400];
		if (zv_anchor_parse(origin, anchors[i], &arr[i], why, sizeof why) < 0) {
			zv_fail(v, "%s", why);
			goto out;
		}
		if (o < sizeof v->anchor_desc)
			o += (size_t)snprintf(v->anchor_desc + o, sizeof v->anchor_desc - o, "%s%s key tag %u",
					      i ? ", " : "",
					      ldns_rr_get_type(arr[i]) == LDNS_RR_TYPE_DS ? "DS" : "DNSKEY",
					      ldns_rr_get_type(arr[i]) == LDNS_RR_TYPE_DS
						      ? ldns_rdf2native_int16(ldns_rr_rdf(arr[i], 0))
						      : ldns_calc_keytag(arr[i]));
	}

	const struct zrrset *rs = zone_rrset(z, 0, T_DNSKEY);
	if (!rs) {
		zv_fail(v, "no DNSKEY RRset at the apex %s", zv_name(z->apex, nb));
		goto out;
	}
	v->keys = calloc(rs->count ? rs->count : 1, sizeof *v->keys);
	if (!v->keys) {
		zv_fail(v, "out of memory");
		goto out;
	}
	uint32_t maxttl = 0;
	bool any_anchored = false;
	for (uint32_t off = rs->off, end = rs->off + rs->len; off < end;) {
		struct zv_key *k = &v->keys[v->nkeys];
		uint32_t ttl;
		off = zv_rec(z, off, &ttl, &k->rdlen, &k->rd);
		if (ttl > maxttl)
			maxttl = ttl;
		k->rr = zv_ldns_rr(v, z->apex, T_DNSKEY, ttl, k->rd, k->rdlen);
		if (k->rdlen < 5 || !k->rr) {
			ldns_rr_free(k->rr);
			zv_fail(v, "malformed DNSKEY record at %s", zv_name(z->apex, nb));
			goto out;
		}
		v->nkeys++;
		k->flags = rd16(k->rd);
		k->alg = k->rd[3];
		k->tag = ldns_calc_keytag_raw(k->rd, k->rdlen);
		zv_key_prepare(k);
		if (k->flags & DNSKEY_F_ZONE) {
			v->rep->zsk_count++;
			for (size_t i = 0; i < nanchors && !k->anchored; i++)
				k->anchored = zv_anchor_match(arr[i], k);
			any_anchored |= k->anchored;
		}
		ldns_rr *c = ldns_rr_clone(k->rr);
		if (!c || !ldns_rr_list_push_rr(set, c)) {
			ldns_rr_free(c);
			zv_fail(v, "out of memory");
			goto out;
		}
	}
	if (!any_anchored) {
		zv_fail(v, "DNSKEY RRset not signed by the trust anchor's key (%s): "
			"no zone key in the DNSKEY RRset of %s matches it", v->anchor_desc, zv_name(z->apex, nb));
		goto out;
	}
	bool anchored = false;
	int r = zv_rrset(v, 0, rs, set, maxttl, true, &anchored);
	if (r < 0) {
		if (r == -2)
			zv_fail(v, "DNSKEY RRset not signed by the trust anchor's key (%s): it has no RRSIG",
				v->anchor_desc);
		goto out;
	}
	if (!anchored) {
		zv_fail(v, "DNSKEY RRset not signed by the trust anchor's key (%s): no RRSIG by that key",
			v->anchor_desc);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; arr && i < nanchors; i++)
		ldns_rr_free(arr[i]);
	free(arr);
	ldns_rr_list_deep_free(set);
	ldns_rdf_deep_free(origin);
	return rc;
}

/* ---- every record ---- */

static void zv_late(struct zv *v, int32_t ni, const uint8_t *rd, uint16_t rdlen)
{
	const struct zone *z = v->z;
	char nb[NAMEBUF], tb[16];
	struct zv_sig s;
	const uint8_t *owner = znode_name(z, &z->nodes[ni]);

	if (v->late[0])
		return;
	if (!zv_sig_parse(rd, rdlen, &s)) {
		snprintf(v->late, sizeof v->late, "malformed RRSIG at %s", zv_name(owner, nb));
		return;
	}
	if (!dname_equal(s.signer, z->apex))
		return;
	if (s.covered == T_RRSIG)
		snprintf(v->late, sizeof v->late, "RRSIG at %s covers type RRSIG (key tag %u)",
			 zv_name(owner, nb), s.tag);
	else if (!zone_rrset(z, ni, s.covered))
		snprintf(v->late, sizeof v->late, "RRSIG %s %s covers no RRset: %s has no %s (key tag %u)",
			 zv_type(s.covered, tb, sizeof tb), zv_name(owner, nb), zv_name(owner, nb),
			 zv_type(s.covered, tb, sizeof tb), s.tag);
}

static int zv_walk(struct zv *v)
{
	const struct zone *z = v->z;
	struct zone_iter it;
	struct zone_rr r;
	char nb[NAMEBUF];

	zone_iter_init(&it, z);
	bool more = zone_iter_next(&it, &r);
	while (more) {
		int32_t ni = r.node;
		uint16_t type = r.type;
		if (type == T_RRSIG) {
			zv_late(v, ni, r.rdata, r.rdlen);
			more = zone_iter_next(&it, &r);
			continue;
		}
		const struct zrrset *rs = zone_rrset(z, ni, type);
		bool need = zv_auth(zv_kind(z, ni), type);
		bool done = ni == 0 && type == T_DNSKEY;	/* checked with the anchor */
		ldns_rr_list *set = NULL;
		uint32_t maxttl = 0;
		if (!done && rs->sig_count > 0) {
			set = ldns_rr_list_new();
			if (!set)
				return zv_fail(v, "out of memory");
		}
		do {
			if (r.ttl > maxttl)
				maxttl = r.ttl;
			if (set) {
				ldns_rr *x = zv_ldns_rr(v, r.owner, r.type, r.ttl, r.rdata, r.rdlen);
				if (!x || !ldns_rr_list_push_rr(set, x)) {
					char tb[16];
					ldns_rr_free(x);
					ldns_rr_list_deep_free(set);
					return zv_fail(v, "cannot decode %s record at %s",
						       zv_type(type, tb, sizeof tb), zv_name(r.owner, nb));
				}
			}
			more = zone_iter_next(&it, &r);
		} while (more && r.node == ni && r.type == type);
		int rc = done ? 0 : zv_rrset(v, ni, rs, set, maxttl, need, NULL);
		ldns_rr_list_deep_free(set);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- denial of existence ---- */

static bool zv_bitmap_type(enum zv_kind k, bool nsec3, uint16_t t)
{
	if (t == T_NSEC3 || (nsec3 && t == T_NSEC))
		return false;
	if (k == ZV_CUT)
		return t == T_NS || t == T_DS || t == T_RRSIG || t == T_NSEC;
	return true;
}


/* the types set in a type bitmap (RFC 4034 section 4.1.2), ascending */
struct zv_bm {
	const uint8_t *p;
	size_t len, o;
	unsigned i;
	int lastwin;
};

/* next type, -1 at the end, -2 when malformed */
static int zv_bm_next(struct zv_bm *b)
{
	for (;;) {
		if (b->o >= b->len)
			return -1;
		if (b->o + 2 > b->len)
			return -2;
		unsigned win = b->p[b->o], wl = b->p[b->o + 1];
		if (b->i == 0) {
			if ((int)win <= b->lastwin || wl == 0 || wl > 32 || b->o + 2 + wl > b->len)
				return -2;
			b->lastwin = (int)win;
		}
		while (b->i < wl * 8) {
			unsigned idx = b->i++;
			if (b->p[b->o + 2 + idx / 8] & (0x80 >> (idx % 8)))
				return (int)(win * 256 + idx);
		}
		b->o += 2 + wl;
		b->i = 0;
	}
}

/* compare bitmap bm with the types at node i; what ("NSEC at www.br.") for messages */
static int zv_bitmap(struct zv *v, const uint8_t *bm, size_t len, int32_t i, enum zv_kind kind,
		     bool nsec3, const char *what)
{
	const struct zone *z = v->z;
	const struct znode *n = &z->nodes[i];
	const struct zrrset *rs = znode_rrsets(z, n);
	char nb[NAMEBUF], tb[16];
	struct zv_bm b = { .p = bm, .len = len, .lastwin = -1 };
	unsigned k = 0;
	int t = zv_bm_next(&b);

	for (;;) {
		while (k < n->nrrsets && !zv_bitmap_type(kind, nsec3, rs[k].type))
			k++;
		if (t == -2)
			return zv_fail(v, "%s: malformed type bitmap", what);
		if (t == -1 && k >= n->nrrsets)
			return 0;
		if (k < n->nrrsets && (t == -1 || rs[k].type < t))
			return zv_fail(v, "%s: type bitmap lacks %s, which %s has", what,
				       zv_type(rs[k].type, tb, sizeof tb), zv_name(znode_name(z, n), nb));
		if (k >= n->nrrsets || rs[k].type > t)
			return zv_fail(v, "%s: type bitmap lists %s, but %s has no %s", what,
				       zv_type((uint16_t)t, tb, sizeof tb), zv_name(znode_name(z, n), nb),
				       zv_type((uint16_t)t, tb, sizeof tb));
		k++;
		t = zv_bm_next(&b);
	}
}

/* the name of the cut or DNAME that occludes node i */
static const uint8_t *zv_occluder(const struct zone *z, int32_t i)
{
	const struct znode *n = &z->nodes[i];
	int32_t o = n->deleg >= 0 && n->deleg != i ? n->deleg : n->dname;
	return o >= 0 ? znode_name(z, &z->nodes[o]) : z->apex;
}

static int zv_nsec(struct zv *v)
{
	const struct zone *z = v->z;
	char nb[NAMEBUF], nb2[NAMEBUF], nb3[NAMEBUF], what[NAMEBUF + 16];
	int32_t prev = -1;
	const uint8_t *pnext = NULL;
	uint8_t pkey[DNAME_MAX];
	size_t pkeylen = 0;

	for (size_t u = 0; u < z->nnodes; u++) {
		int32_t i = (int32_t)u;
		const struct znode *n = &z->nodes[i];
		const uint8_t *name = znode_name(z, n);
		enum zv_kind kind = zv_kind(z, i);
		const struct zrrset *rs = zone_rrset(z, i, T_NSEC);
		if (!((kind == ZV_AUTH && n->nrrsets > 0) || kind == ZV_CUT)) {
			if (rs)
				return zv_fail(v, "NSEC at %s, which is occluded by %s and must not be in the NSEC chain",
					       zv_name(name, nb), zv_name(zv_occluder(z, i), nb2));
			continue;
		}
		const uint8_t *pname = prev >= 0 ? znode_name(z, &z->nodes[prev]) : NULL;
		if (prev >= 0) {
			int c = dname_key_cmp(pkey, pkeylen, znode_key(z, n), n->keylen);
			if (c > 0)
				return zv_fail(v, "NSEC chain broken after %s: next name %s but %s exists",
					       zv_name(pname, nb), zv_name(pnext, nb2), zv_name(name, nb3));
			if (c < 0)
				return zv_fail(v, "NSEC chain broken after %s: next name %s is not a name of the zone "
					       "(the next one is %s)", zv_name(pname, nb), zv_name(pnext, nb2),
					       zv_name(name, nb3));
		}
		if (!rs) {
			if (prev >= 0)
				return zv_fail(v, "NSEC chain broken: %s has no NSEC (the NSEC of %s points to it)",
					       zv_name(name, nb), zv_name(pname, nb2));
			return zv_fail(v, "NSEC chain broken: %s has no NSEC", zv_name(name, nb));
		}
		if (rs->count != 1)
			return zv_fail(v, "more than one NSEC record at %s", zv_name(name, nb));
		uint32_t ttl;
		uint16_t rdlen;
		const uint8_t *rd;
		zv_rec(z, rs->off, &ttl, &rdlen, &rd);
		size_t nl = dname_wire_len(rd, rdlen);
		if (!nl)
			return zv_fail(v, "NSEC at %s is malformed", zv_name(name, nb));
		snprintf(what, sizeof what, "NSEC at %s", zv_name(name, nb));
		if (zv_bitmap(v, rd + nl, rdlen - nl, i, kind, false, what) < 0)
			return -1;
		pnext = rd;
		pkeylen = dname_key(rd, pkey);
		prev = i;
	}
	if (prev >= 0 && dname_key_cmp(pkey, pkeylen, z->apex_key, z->apex_keylen) != 0)
		return zv_fail(v, "NSEC chain broken after %s: next name %s, but the last NSEC must point "
			       "back to the apex %s", zv_name(znode_name(z, &z->nodes[prev]), nb), zv_name(pnext, nb2),
			       zv_name(z->apex, nb3));
	return 0;
}

struct zv_n3 {
	uint8_t alg, flags;
	uint16_t iter;
	const uint8_t *next;
	uint8_t nextlen;
	const uint8_t *bm;
	size_t bmlen;
};

/* the first NSEC3 record at node i */
static bool zv_n3(const struct zone *z, int32_t i, struct zv_n3 *p)
{
	const struct zrrset *rs = zone_rrset(z, i, T_NSEC3);
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rd;
	if (!rs)
		return false;
	zv_rec(z, rs->off, &ttl, &rdlen, &rd);
	if (rdlen < 6 || 6u + rd[4] > rdlen)
		return false;
	size_t o = 5u + rd[4];
	p->alg = rd[0];
	p->flags = rd[1];
	p->iter = rd16(rd + 2);
	p->nextlen = rd[o];
	if (o + 1 + p->nextlen > rdlen)
		return false;
	p->next = rd + o + 1;
	p->bm = p->next + p->nextlen;
	p->bmlen = rdlen - (o + 1 + p->nextlen);
	return true;
}

/* " (the hash of x.br.)" when some name of the zone has hash h (error path: O(names)) */
static void zv_hash_owner(const struct zone *z, const uint8_t *h, char *buf, size_t size)
{
	char nb[NAMEBUF];
	buf[0] = 0;
	for (size_t u = 0; u < z->nnodes; u++) {
		uint8_t x[NSEC3_HASH_LEN];
		if (z->nodes[u].flags & ZN_NSEC3ONLY)
			continue;
		if (zone_nsec3_hash(z, znode_name(z, &z->nodes[u]), x) && memcmp(x, h, sizeof x) == 0) {
			snprintf(buf, size, " (the hash of %s)", zv_name(znode_name(z, &z->nodes[u]), nb));
			return;
		}
	}
}

static int zv_nsec3(struct zv *v)
{
	const struct zone *z = v->z;
	char nb[NAMEBUF], nb2[NAMEBUF], hs[64], what[2 * NAMEBUF + 16];
	struct zv_n3 p;
	int rc = -1;

	if (z->nnsec3 == 0)
		return zv_fail(v, "NSEC3 chain missing: no NSEC3 record has the parameters of the NSEC3PARAM of %s",
			       zv_name(z->apex, nb));
	bool *used = calloc(z->nnsec3, sizeof *used);
	bool *mand = calloc(z->nnodes, sizeof *mand);
	if (!used || !mand) {
		zv_fail(v, "out of memory");
		goto out;
	}
	/* names that need an NSEC3 whatever the opt-out flag says: all but
	 * insecure delegations and the empty non-terminals above only them */
	for (size_t u = z->nnodes; u-- > 1;) {
		const struct znode *n = &z->nodes[u];
		enum zv_kind kind = zv_kind(z, (int32_t)u);
		if (kind == ZV_AUTH ? n->nrrsets > 0
				    : kind == ZV_CUT && zone_rrset(z, (int32_t)u, T_DS) != NULL)
			mand[u] = true;
		if (mand[u] && n->parent >= 0)
			mand[n->parent] = true;
	}
	mand[0] = true;

	for (size_t u = 0; u < z->nnodes; u++) {
		int32_t i = (int32_t)u;
		const struct znode *n = &z->nodes[i];
		const uint8_t *name = znode_name(z, n);
		enum zv_kind kind = zv_kind(z, i);
		if (kind != ZV_AUTH && kind != ZV_CUT)
			continue;
		if (n->nsec3 >= 0) {
			int32_t h = z->nsec3[n->nsec3].node;
			used[n->nsec3] = true;
			snprintf(what, sizeof what, "NSEC3 of %s (%s)", zv_name(name, nb),
				 zv_name(znode_name(z, &z->nodes[h]), nb2));
			if (zone_rrset(z, h, T_NSEC3)->count != 1) {
				zv_fail(v, "%s: more than one NSEC3 record", what);
				goto out;
			}
			if (!zv_n3(z, h, &p)) {
				zv_fail(v, "%s: malformed", what);
				goto out;
			}
			if (zv_bitmap(v, p.bm, p.bmlen, i, kind, true, what) < 0)
				goto out;
			continue;
		}
		uint8_t hash[NSEC3_HASH_LEN];
		zone_nsec3_hash(z, name, hash);
		zv_hash_str(hash, hs, sizeof hs);
		if (mand[u]) {
			zv_fail(v, "NSEC3 chain broken: %s has no NSEC3 (hash %s)", zv_name(name, nb), hs);
			goto out;
		}
		int32_t c = zone_nsec3_cover(z, hash);
		if (!zv_n3(z, z->nsec3[c].node, &p) || !(p.flags & NSEC3_F_OPTOUT)) {
			zv_fail(v, "NSEC3 chain broken: the insecure delegation %s has no NSEC3 (hash %s) "
				"and the NSEC3 covering it, %s, has no opt-out flag", zv_name(name, nb), hs,
				zv_name(znode_name(z, &z->nodes[z->nsec3[c].node]), nb2));
			goto out;
		}
	}

	for (size_t k = 0; k < z->nnsec3; k++) {
		int32_t h = z->nsec3[k].node;
		const uint8_t *hname = znode_name(z, &z->nodes[h]);
		const struct zn3 *nx = &z->nsec3[(k + 1) % z->nnsec3];
		if (!zv_n3(z, h, &p) || p.nextlen != NSEC3_HASH_LEN) {
			zv_fail(v, "NSEC3 %s is malformed", zv_name(hname, nb));
			goto out;
		}
		if (memcmp(p.next, nx->hash, NSEC3_HASH_LEN) != 0) {
			char own[NAMEBUF + 32];
			zv_hash_str(p.next, hs, sizeof hs);
			zv_hash_owner(z, p.next, own, sizeof own);
			zv_fail(v, "NSEC3 chain broken after %s: next hash %s%s, but the next NSEC3 in hash "
				"order is %s", zv_name(hname, nb), hs, own,
				zv_name(znode_name(z, &z->nodes[nx->node]), nb2));
			goto out;
		}
	}
	for (size_t k = 0; k < z->nnsec3; k++) {
		if (!used[k]) {
			zv_fail(v, "NSEC3 %s matches no name of the zone",
				zv_name(znode_name(z, &z->nodes[z->nsec3[k].node]), nb));
			goto out;
		}
	}
	rc = 0;
out:
	free(used);
	free(mand);
	return rc;
}

/* ---- entry point ---- */

int zverify_zone(const struct zone *z, const char *const *anchors, size_t nanchors, time_t now,
		 struct zverify_report *rep, char *err, size_t errlen)
{
	struct zverify_report dummy;
	struct zv v;
	char nb[NAMEBUF];
	int rc = -1;

	memset(&v, 0, sizeof v);
	v.z = z;
	v.now = now;
	v.now32 = (uint32_t)now;
	v.rep = rep ? rep : &dummy;
	memset(v.rep, 0, sizeof *v.rep);
	v.rep->denial = "none";
	dname_str(z->apex, v.rep->signer, sizeof v.rep->signer);
	v.wire = malloc(WIRE_MAX);
	v.data = ldns_buffer_new(4096);
	v.sigbuf = ldns_buffer_new(256);
	if (!v.wire || !v.data || !v.sigbuf) {
		zv_fail(&v, "out of memory");
		goto out;
	}

	bool nsec3 = zone_rrset(z, 0, T_NSEC3PARAM) != NULL;
	if (nsec3)
		v.rep->denial = "NSEC3";
	else if (zone_rrset(z, 0, T_NSEC))
		v.rep->denial = "NSEC";

	if (zv_dnskey(&v, anchors, nanchors) < 0 || zv_walk(&v) < 0)
		goto out;
	if (nsec3 && !z->has_nsec3) {
		zv_fail(&v, "NSEC3PARAM at %s is unusable: hash algorithm 1 and flags 0 are needed",
			zv_name(z->apex, nb));
		goto out;
	}
	if (nsec3 ? zv_nsec3(&v) < 0
		  : zone_rrset(z, 0, T_NSEC) ? zv_nsec(&v) < 0
					     : zv_fail(&v, "no denial of existence: %s has neither NSEC nor NSEC3PARAM",
						       zv_name(z->apex, nb)) < 0)
		goto out;
	if (v.late[0]) {
		zv_fail(&v, "%s", v.late);
		goto out;
	}
	rc = 0;
out:
	for (size_t k = 0; k < v.nkeys; k++)
		zv_key_free(&v.keys[k]);
	free(v.keys);
	free(v.wire);
	if (v.data)
		ldns_buffer_free(v.data);
	if (v.sigbuf)
		ldns_buffer_free(v.sigbuf);
	if (errlen)
		snprintf(err, errlen, "%s", rc ? v.msg : "");
	return rc;
}

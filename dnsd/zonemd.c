/* zonemd — see zonemd.h */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dnsd/zone.h"
#include "dnsd/zonemd.h"

#define T_RRSIG 46
#define CLASS_IN 1
#define MIN_DIGEST 12		/* RFC 8976 section 2.2.4 */
#define NO_COPY UINT32_MAX

/* the hashes of the SIMPLE scheme this code computes, by index */
static const struct {
	uint8_t alg;
	const char *name;
	size_t len;
} hashes[] = {
	{ ZONEMD_HASH_SHA384, "SHA-384", 48 },
	{ ZONEMD_HASH_SHA512, "SHA-512", 64 },
};
#define NHASH (sizeof hashes / sizeof hashes[0])

static int hash_index(uint8_t alg)
{
	for (unsigned i = 0; i < NHASH; i++)
		if (hashes[i].alg == alg)
			return (int)i;
	return -1;
}

static const EVP_MD *hash_md(unsigned i)
{
	return i == 0 ? EVP_sha384() : EVP_sha512();
}

/* ---- canonical form (RFC 4034 section 6.2, RFC 6840 section 5.1) ---- */

static uint8_t lc(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* lowercase the uncompressed name at rd[*off]; false (and nothing
 * changed) when no well-formed name fits before len */
static bool lower_name(uint8_t *rd, size_t len, size_t *off)
{
	size_t o = *off;
	for (;;) {
		if (o >= len || o - *off >= DNAME_MAX || rd[o] > 63)
			return false;
		if (rd[o] == 0)
			break;
		o += (size_t)rd[o] + 1;
	}
	if (o + 1 - *off > DNAME_MAX)
		return false;
	for (size_t p = *off; p < o; p += (size_t)rd[p] + 1)
		for (size_t k = 1; k <= rd[p]; k++)
			rd[p + k] = lc(rd[p + k]);
	*off = o + 1;
	return true;
}

/* where the names are in the RDATA of the types whose embedded names are
 * lowercased: bytes to skip first, then how many names.  HINFO is in the
 * RFC 4034 list but holds no name; NSEC left the list with RFC 6840. */
static bool name_layout(uint16_t type, size_t *skip, unsigned *names)
{
	*skip = 0;
	*names = 1;
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:	/* NS MD MF CNAME MB MG MR PTR */
	case 30:	/* NXT: the next name, then a bitmap */
	case 39:	/* DNAME */
		return true;
	case 6: case 14: case 17:	/* SOA MINFO RP */
		*names = 2;
		return true;
	case 15: case 18: case 21: case 36:	/* MX AFSDB RT KX */
		*skip = 2;
		return true;
	case 26:	/* PX */
		*skip = 2;
		*names = 2;
		return true;
	case 33:	/* SRV */
		*skip = 6;
		return true;
	case 35:	/* NAPTR: order, preference, 3 strings, replacement */
	case 38:	/* A6: prefix length, address suffix, prefix name */
		return true;
	case 24: case T_RRSIG:	/* SIG RRSIG: the signer's name */
		*skip = 18;
		return true;
	default:
		return false;
	}
}

static bool has_names(uint16_t type)
{
	size_t skip;
	unsigned names;
	return name_layout(type, &skip, &names);
}

/* lowercase the names inside rd (a copy of the RDATA); RDATA that does not
 * parse is left as it is from there on */
static void canon_rdata(uint16_t type, uint8_t *rd, size_t len)
{
	size_t off;
	unsigned names;
	if (!name_layout(type, &off, &names))
		return;
	if (type == 35) {
		off = 4;
		for (int s = 0; s < 3; s++) {
			if (off >= len)
				return;
			off += (size_t)rd[off] + 1;
		}
	} else if (type == 38) {
		if (len < 1 || rd[0] > 128)
			return;
		names = rd[0] > 0;
		off = 1 + (size_t)(128 - rd[0] + 7) / 8;
	}
	while (names-- > 0)
		if (!lower_name(rd, len, &off))
			return;
}

/* ---- the digest walk ---- */

struct crr {
	const uint8_t *rd;	/* canonical RDATA (in the zone or in buf) */
	uint32_t coff;		/* offset of the canonical copy in buf, or NO_COPY */
	uint32_t ttl;
	uint32_t seq;		/* position in the RRset as stored */
	uint16_t len;
};

struct digest {
	EVP_MD_CTX *ctx[NHASH];	/* NULL when that hash is not wanted */
	struct crr *rrs;
	size_t nrrs, caprrs;
	uint8_t *buf;
	size_t buflen, bufcap;
	uint8_t owner[DNAME_MAX];
	size_t ownerlen;
	uint16_t type;
	bool failed;
};

static int crr_cmp(const struct crr *a, const struct crr *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->rd, b->rd, n);
	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void crr_swap(struct crr *a, struct crr *b)
{
	struct crr t = *a;
	*a = *b;
	*b = t;
}

static void sift_down(struct crr *v, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && crr_cmp(&v[c], &v[c + 1]) < 0)
			c++;
		if (crr_cmp(&v[root], &v[c]) >= 0)
			return;
		crr_swap(&v[root], &v[c]);
		root = c;
	}
}

/* in place, without allocating (glibc's qsort may malloc) */
static void crr_sort(struct crr *v, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && crr_cmp(&v[j - 1], &v[j]) > 0; j--)
				crr_swap(&v[j - 1], &v[j]);
		return;
	}
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n - 1; end > 0; end--) {
		crr_swap(&v[0], &v[end]);
		sift_down(v, 0, end);
	}
}

static void update(struct digest *d, const void *p, size_t len)
{
	for (unsigned i = 0; i < NHASH; i++)
		if (d->ctx[i] && EVP_DigestUpdate(d->ctx[i], p, len) != 1)
			d->failed = true;
}

/* hash the collected RRset: sorted, duplicates once */
static void flush(struct digest *d)
{
	size_t n = d->nrrs;
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (d->rrs[i].coff != NO_COPY)
			d->rrs[i].rd = d->buf + d->rrs[i].coff;
	crr_sort(d->rrs, n);
	uint8_t hdr[DNAME_MAX + 10];
	memcpy(hdr, d->owner, d->ownerlen);
	uint8_t *h = hdr + d->ownerlen;
	h[0] = (uint8_t)(d->type >> 8);
	h[1] = (uint8_t)d->type;
	h[2] = 0;
	h[3] = CLASS_IN;
	for (size_t i = 0; i < n; i++) {
		const struct crr *r = &d->rrs[i];
		if (i > 0 && r->len == d->rrs[i - 1].len && memcmp(r->rd, d->rrs[i - 1].rd, r->len) == 0)
			continue;	/* a duplicate: the first one stored counts */
		h[4] = (uint8_t)(r->ttl >> 24);
		h[5] = (uint8_t)(r->ttl >> 16);
		h[6] = (uint8_t)(r->ttl >> 8);
		h[7] = (uint8_t)r->ttl;
		h[8] = (uint8_t)(r->len >> 8);
		h[9] = (uint8_t)r->len;
		update(d, hdr, d->ownerlen + 10);
		update(d, r->rd, r->len);
	}
	d->nrrs = 0;
	d->buflen = 0;
}

static bool grow(void **p, size_t *cap, size_t need, size_t esz)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * esz);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

static void add(struct digest *d, const struct zone_rr *rr)
{
	if (!grow((void **)&d->rrs, &d->caprrs, d->nrrs + 1, sizeof *d->rrs)) {
		d->failed = true;
		return;
	}
	struct crr *c = &d->rrs[d->nrrs];
	c->rd = rr->rdata;
	c->coff = NO_COPY;
	c->ttl = rr->ttl;
	c->seq = (uint32_t)d->nrrs;
	c->len = rr->rdlen;
	if (has_names(rr->type)) {
		if (!grow((void **)&d->buf, &d->bufcap, d->buflen + rr->rdlen, 1)) {
			d->failed = true;
			return;
		}
		memcpy(d->buf + d->buflen, rr->rdata, rr->rdlen);
		canon_rdata(rr->type, d->buf + d->buflen, rr->rdlen);
		c->coff = (uint32_t)d->buflen;
		d->buflen += rr->rdlen;
	}
	d->nrrs++;
}

/* the apex ZONEMD RRset and the apex RRSIGs covering ZONEMD stay out */
static bool excluded(const struct zone_rr *rr)
{
	if (rr->node != 0)
		return false;
	if (rr->type == ZONEMD_TYPE)
		return true;
	return rr->type == T_RRSIG && rr->rdlen >= 2 &&
	       (uint16_t)(rr->rdata[0] << 8 | rr->rdata[1]) == ZONEMD_TYPE;
}

/* compute the SIMPLE digests marked in `want` (bit i = hashes[i]) into
 * out[i]; 0, or -1 when out of memory or OpenSSL failed */
static int digest_zone(const struct zone *z, unsigned want, uint8_t out[NHASH][ZONEMD_MAX_DIGEST])
{
	struct digest d;
	memset(&d, 0, sizeof d);
	for (unsigned i = 0; i < NHASH; i++) {
		if (!(want & (1u << i)))
			continue;
		d.ctx[i] = EVP_MD_CTX_new();
		if (!d.ctx[i] || EVP_DigestInit_ex(d.ctx[i], hash_md(i), NULL) != 1)
			d.failed = true;
	}

	struct zone_iter it;
	struct zone_rr rr;
	int32_t node = -1;
	zone_iter_init(&it, z);
	while (!d.failed && zone_iter_next(&it, &rr)) {
		if (rr.node != node || rr.type != d.type) {
			flush(&d);
			if (rr.node != node) {
				d.ownerlen = dname_len(rr.owner);
				dname_lower(d.owner, rr.owner, d.ownerlen);
				node = rr.node;
			}
			d.type = rr.type;
		}
		if (!excluded(&rr))
			add(&d, &rr);
	}
	if (!d.failed)
		flush(&d);

	for (unsigned i = 0; i < NHASH; i++) {
		if (!d.ctx[i])
			continue;
		unsigned len = 0;
		if (!d.failed && (EVP_DigestFinal_ex(d.ctx[i], out[i], &len) != 1 || len != hashes[i].len))
			d.failed = true;
		EVP_MD_CTX_free(d.ctx[i]);
	}
	free(d.rrs);
	free(d.buf);
	return d.failed ? -1 : 0;
}

size_t zonemd_compute(const struct zone *z, uint8_t hashalg, uint8_t *out, size_t outcap)
{
	int i = hash_index(hashalg);
	uint8_t md[NHASH][ZONEMD_MAX_DIGEST];
	if (i < 0 || outcap < hashes[i].len || digest_zone(z, 1u << i, md) < 0)
		return 0;
	memcpy(out, md[i], hashes[i].len);
	return hashes[i].len;
}

/* ---- verification ---- */

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* one ZONEMD record of the apex RRset, i-th as stored */
struct zmd {
	uint32_t serial;
	uint8_t scheme, alg;
	const uint8_t *digest;
	size_t dlen;
};

static bool zmd_get(const struct zone *z, const struct zrrset *rs, const uint8_t **p, struct zmd *m,
		    uint16_t *rdlen)
{
	if (*p >= z->rdata + rs->off + rs->len)
		return false;
	const uint8_t *r = *p;
	*rdlen = (uint16_t)(r[4] << 8 | r[5]);
	*p = r + 6 + *rdlen;
	memset(m, 0, sizeof *m);
	if (*rdlen >= 6) {
		m->serial = get32(r + 6);
		m->scheme = r[10];
		m->alg = r[11];
		m->digest = r + 12;
		m->dlen = *rdlen - 6u;
	}
	return true;
}

static void say(char *detail, size_t detaillen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *detail, size_t detaillen, const char *fmt, ...)
{
	va_list ap;
	if (!detaillen)
		return;
	va_start(ap, fmt);
	vsnprintf(detail, detaillen, fmt, ap);
	va_end(ap);
}

enum zonemd_status zonemd_verify(const struct zone *z, char *detail, size_t detaillen)
{
	const struct zrrset *rs = zone_rrset(z, 0, ZONEMD_TYPE);
	char malformed[160] = "", unsupported[96] = "";
	unsigned want = 0;
	const uint8_t *p;
	struct zmd m;
	uint16_t rdlen;

	if (detaillen)
		detail[0] = 0;
	if (!rs || rs->count == 0) {
		say(detail, detaillen, "no ZONEMD record");
		return ZONEMD_ABSENT;
	}

	/* which records are usable, and which hashes to compute */
	uint8_t seen[256 * 256 / 8];
	memset(seen, 0, sizeof seen);
	for (p = z->rdata + rs->off; zmd_get(z, rs, &p, &m, &rdlen);) {
		if (rdlen < 6) {
			if (!malformed[0])
				snprintf(malformed, sizeof malformed,
					 "ZONEMD record too short (%u octets)", rdlen);
			continue;
		}
		unsigned k = (unsigned)m.scheme << 8 | m.alg;
		if (seen[k / 8] & (1u << (k % 8))) {
			/* RFC 8976 section 4: verification fails */
			say(detail, detaillen,
			    "ZONEMD: more than one record with scheme %u, hash %u", m.scheme, m.alg);
			return ZONEMD_MALFORMED;
		}
		seen[k / 8] |= (uint8_t)(1u << (k % 8));
		int h = hash_index(m.alg);
		if (m.serial != z->serial) {
			if (!malformed[0])
				snprintf(malformed, sizeof malformed,
					 "ZONEMD serial %u differs from the SOA serial %u", m.serial, z->serial);
		} else if (m.scheme != ZONEMD_SCHEME_SIMPLE || h < 0) {
			if (!unsupported[0])
				snprintf(unsupported, sizeof unsupported,
					 "ZONEMD: no supported scheme/algorithm (scheme %u, hash %u)",
					 m.scheme, m.alg);
		} else if (m.dlen != hashes[h].len) {
			if (!malformed[0])
				snprintf(malformed, sizeof malformed,
					 "ZONEMD SIMPLE %s digest has %zu octets, not %zu", hashes[h].name,
					 m.dlen, hashes[h].len);
		} else {
			want |= 1u << h;
		}
	}

	if (want) {
		uint8_t md[NHASH][ZONEMD_MAX_DIGEST];
		const char *ok = NULL, *bad = NULL;
		if (digest_zone(z, want, md) < 0) {
			say(detail, detaillen, "ZONEMD: cannot compute the digest (out of memory)");
			return ZONEMD_ERROR;
		}
		/* the same selection again, now comparing */
		for (p = z->rdata + rs->off; zmd_get(z, rs, &p, &m, &rdlen);) {
			int h = hash_index(m.alg);
			if (rdlen < 6 || m.serial != z->serial || m.scheme != ZONEMD_SCHEME_SIMPLE || h < 0 ||
			    m.dlen != hashes[h].len)
				continue;
			if (CRYPTO_memcmp(m.digest, md[h], m.dlen) == 0) {
				if (!ok)
					ok = hashes[h].name;
			} else if (!bad) {
				bad = hashes[h].name;
			}
		}
		if (ok && bad)
			say(detail, detaillen, "ZONEMD SIMPLE %s verified (SIMPLE %s did not match)", ok, bad);
		else if (ok)
			say(detail, detaillen, "ZONEMD SIMPLE %s verified", ok);
		else
			say(detail, detaillen,
			    "ZONEMD digest mismatch (SIMPLE %s): the copy is altered or incomplete", bad);
		return ok ? ZONEMD_OK : ZONEMD_MISMATCH;
	}
	if (malformed[0]) {
		say(detail, detaillen, "%s", malformed);
		return ZONEMD_MALFORMED;
	}
	say(detail, detaillen, "%s", unsupported);
	return ZONEMD_UNSUPPORTED;
}

const char *zonemd_status_name(enum zonemd_status s)
{
	switch (s) {
	case ZONEMD_ABSENT:
		return "absent";
	case ZONEMD_OK:
		return "ok";
	case ZONEMD_MISMATCH:
		return "mismatch";
	case ZONEMD_UNSUPPORTED:
		return "unsupported";
	case ZONEMD_MALFORMED:
		return "malformed";
	case ZONEMD_ERROR:
		return "error";
	}
	return "?";
}

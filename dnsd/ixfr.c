/* ixfr — see ixfr.h */
#include "dnsd/ixfr.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/xfrin.h"
#include "dnsd/zone.h"
#include "dnsd/zread.h"
#include "dnsd/zsplice.h"

#define T_SOA 6

/* a record's identity: lowercase owner, type, rdata */
struct rkey {
	uint8_t *b;
	size_t len;
	uint32_t hash;
	enum { K_EMPTY, K_DEL, K_ADD, K_READD, K_GONE } state;
	bool found;                /* K_DEL/K_READD: met in the old copy */
	const ldns_rr *rr;         /* K_ADD/K_READD: the record to add */
};

struct rset {
	struct rkey *t;
	size_t mask, n, ndel;
};

static uint32_t fnv(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 13);
}

/* key bytes of (owner wire, type, rdata) into buf (>= 255+2+65535) */
static size_t key_make(uint8_t *buf, const uint8_t *owner, uint16_t type, const uint8_t *rd,
		       size_t rdlen)
{
	size_t ol = dname_len(owner);
	dname_lower(buf, owner, ol);
	buf[ol] = (uint8_t)(type >> 8);
	buf[ol + 1] = (uint8_t)type;
	memcpy(buf + ol + 2, rd, rdlen);
	return ol + 2 + rdlen;
}

static size_t key_of_rr(uint8_t *buf, const ldns_rr *rr)
{
	uint8_t rd[65535];
	size_t n = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		ldns_rdf *f = ldns_rr_rdf(rr, i);
		if (n + ldns_rdf_size(f) > sizeof rd)
			return 0;
		memcpy(rd + n, ldns_rdf_data(f), ldns_rdf_size(f));
		n += ldns_rdf_size(f);
	}
	const ldns_rdf *o = ldns_rr_owner(rr);
	if (ldns_rdf_size(o) == 0 || ldns_rdf_size(o) > DNAME_MAX)
		return 0;
	return key_make(buf, ldns_rdf_data(o), (uint16_t)ldns_rr_get_type(rr), rd, n);
}

static struct rkey *rset_find(struct rset *s, const uint8_t *k, size_t len, uint32_t h)
{
	for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
		struct rkey *e = &s->t[i];
		if (e->state == K_EMPTY || (e->hash == h && e->len == len && memcmp(e->b, k, len) == 0))
			return e;
	}
}

static void rset_free(struct rset *s)
{
	for (size_t i = 0; s->t && i <= s->mask; i++)
		free(s->t[i].b);
	free(s->t);
}

static char *rr_text(const ldns_rr *rr, char *buf, size_t len)
{
	char *s = ldns_rr2str(rr);
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	size_t l = strlen(buf);
	while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\t'))
		buf[--l] = 0;
	return buf;
}

/* fold the deltas into the net change */
static int fold(struct rset *s, const struct xfrin_delta *d, size_t n, uint8_t *kb, char *err,
		size_t errlen)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += ldns_rr_list_rr_count(d[i].del) + ldns_rr_list_rr_count(d[i].add);
	size_t size = 16;
	while (size < total * 2)
		size <<= 1;
	s->t = calloc(size, sizeof *s->t);
	s->mask = size - 1;
	if (!s->t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char txt[512];
	for (size_t i = 0; i < n; i++) {
		for (int add = 0; add < 2; add++) {
			ldns_rr_list *l = add ? d[i].add : d[i].del;
			for (size_t j = 0; j < ldns_rr_list_rr_count(l); j++) {
				const ldns_rr *rr = ldns_rr_list_rr(l, j);
				size_t kl = key_of_rr(kb, rr);
				if (!kl) {
					snprintf(err, errlen, "IXFR: malformed record %s",
						 rr_text(rr, txt, sizeof txt));
					return -1;
				}
				uint32_t h = fnv(kb, kl);
				struct rkey *e = rset_find(s, kb, kl, h);
				if (e->state == K_EMPTY) {
					e->b = malloc(kl);
					if (!e->b) {
						snprintf(err, errlen, "out of memory");
						return -1;
					}
					memcpy(e->b, kb, kl);
					e->len = kl;
					e->hash = h;
					e->state = add ? K_ADD : K_DEL;
					e->rr = add ? rr : NULL;
					s->ndel += !add;
					continue;
				}
				switch (e->state) {
				case K_DEL:
					if (!add)
						goto twice;
					e->state = K_READD;	/* replaced, perhaps with a new TTL */
					break;
				case K_ADD:
					/* added then deleted by a later delta: nothing to do
					 * (added twice: the later TTL wins) */
					e->state = add ? K_ADD : K_GONE;
					s->ndel += !add;
					break;
				case K_READD:
					e->state = add ? K_READD : K_DEL;
					break;
				case K_GONE:
					if (!add)
						goto twice;
					e->state = K_ADD;
					break;
				case K_EMPTY:
					break;
				}
				e->rr = add ? rr : NULL;
				continue;
twice:
				snprintf(err, errlen, "IXFR %u->%u deletes %s, which is not there",
					 d[i].from, d[i].to, rr_text(rr, txt, sizeof txt));
				return -1;
			}
		}
	}
	return 0;
}

enum ixfr_how ixfr_how = IXFR_AUTO;

/* carrying old's records into the next version's R, with the additions
 * (A, in canonical order) merged in, so that the result is in canonical
 * order and zone_build() need not sort; the same for a rebuild (every
 * node) and a splice (the changed owners' nodes): the records of an owner
 * end up in the same order either way */
struct carry {
	struct zread *R;
	const struct zread *A;
	size_t ai;
	struct rset *s;
	uint8_t *kb;
	struct ixfr_stats *st;
};

/* the additions that sort before (key, type, covered); all when key is NULL */
static int carry_adds(struct carry *c, const uint8_t *key, size_t klen, uint16_t type,
		      uint16_t cov)
{
	const struct zrec *add = c->A->rrs.p;
	for (; c->ai < c->A->rrs.n; c->ai++) {
		const struct zrec *a = &add[c->ai];
		if (key) {
			size_t akl;
			const uint8_t *ak = zrec_key(c->A, a, &akl);
			int cmp = dname_key_cmp(ak, akl, key, klen);
			if (cmp > 0 || (cmp == 0 && (a->type > type ||
						     (a->type == type && a->covered > cov))))
				break;
		}
		if (zread_add_wire(c->R, zrec_wire(c->A, a), a->type, a->ttl,
				   (const uint8_t *)c->A->rdata.p + a->rd, a->rdlen) < 0)
			return -1;
	}
	return 0;
}

/* the records `it` walks, less the deleted ones and the apex SOA */
static int carry_records(struct carry *c, struct zone_iter *it)
{
	struct zone_rr rr;
	uint8_t okey[DNAME_MAX];
	size_t okl = 0;
	int32_t onode = -1;
	while (zone_iter_next(it, &rr)) {
		if (rr.node != onode) {
			onode = rr.node;
			okl = dname_key(rr.owner, okey);
		}
		uint16_t cov = rr.type == 46 && rr.rdlen >= 2 ? (uint16_t)(rr.rdata[0] << 8 | rr.rdata[1])
							       : 0;
		if (carry_adds(c, okey, okl, rr.type, cov) < 0)
			return -1;
		if (rr.type == T_SOA && rr.node == 0)
			continue;
		size_t kl = key_make(c->kb, rr.owner, rr.type, rr.rdata, rr.rdlen);
		struct rkey *e = c->s->ndel ? rset_find(c->s, c->kb, kl, fnv(c->kb, kl)) : NULL;
		if (e && (e->state == K_DEL || e->state == K_READD || e->state == K_GONE)) {
			if (!e->found)
				c->st->deleted++;
			e->found = true;
			continue;
		}
		if (zread_add_wire(c->R, rr.owner, rr.type, rr.ttl, rr.rdata, rr.rdlen) < 0)
			return -1;
	}
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct zsplice_key *x = a, *y = b;
	return dname_key_cmp(x->key, x->len, y->key, y->len);
}

/* the owners the net change touches, and the apex: sorted, unique */
static struct zsplice_key *changed_owners(const struct rset *s, const struct zone *old, size_t *n)
{
	size_t cnt = 1;
	for (size_t i = 0; i <= s->mask; i++)
		cnt += s->t[i].state != K_EMPTY;
	struct zsplice_key *k = malloc(cnt * sizeof *k);
	if (!k)
		return NULL;
	size_t m = 0;
	k[m].len = (uint8_t)old->apex_keylen;
	memcpy(k[m++].key, old->apex_key, old->apex_keylen);
	for (size_t i = 0; i <= s->mask; i++)
		if (s->t[i].state != K_EMPTY) {
			k[m].len = (uint8_t)dname_key(s->t[i].b, k[m].key);
			m++;
		}
	qsort(k, m, sizeof *k, key_cmp);
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (u == 0 || key_cmp(&k[u - 1], &k[i]) != 0)
			k[u++] = k[i];
	*n = u;
	return k;
}

/* splice (zsplice.h) or rebuild?  A splice copies the whole zone and
 * leaves the changed owners' old bytes behind: rebuild, compacting, once
 * those are a third of its bytes, and when the change is a large
 * part of the zone (it costs a compile anyway) */
static bool want_splice(const struct zone *old, const struct rset *s)
{
	if (ixfr_how != IXFR_AUTO)
		return ixfr_how == IXFR_SPLICE;
	size_t changes = 0;
	for (size_t i = 0; i <= s->mask; i++)
		changes += s->t[i].state != K_EMPTY;
	size_t total = old->rdata_len + old->names_len + old->nrrsets * sizeof(struct zrrset);
	return changes <= old->records / 8 + 16 && old->dead * 3 <= total;
}

struct zone *ixfr_apply(const struct zone *old, const struct xfrin_delta *deltas, size_t n,
			const char *source, struct ixfr_stats *st, char *err, size_t errlen)
{
	struct rset s = { 0 };
	struct zread R, A;
	struct zone *z = NULL, *part = NULL;
	struct zsplice_key *keys = NULL;
	size_t nkeys = 0;
	uint8_t *kb = malloc(DNAME_MAX + 2 + 65535);
	char txt[512];

	memset(&R, 0, sizeof R);
	memset(&A, 0, sizeof A);
	memset(st, 0, sizeof *st);
	if (!kb) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (n == 0 || deltas[0].from != old->serial) {
		snprintf(err, errlen, "IXFR: the differences start at serial %u, the copy has %u",
			 n ? deltas[0].from : 0, old->serial);
		goto out;
	}
	if (fold(&s, deltas, n, kb, err, errlen) < 0 || zread_init(&R, old->name, err, errlen) < 0)
		goto out;
	R.files[0] = source;

	/* the additions and the new SOA, in canonical order */
	if (zread_init(&A, old->name, err, errlen) < 0)
		goto out;
	A.files[0] = source;
	for (size_t i = 0; i <= s.mask; i++) {
		struct rkey *e = &s.t[i];
		if ((e->state == K_ADD || e->state == K_READD) && e->rr) {
			int r = zread_add_rr(&A, (ldns_rr *)e->rr, 0, (unsigned)st->added + 1);
			if (r < 0) {
				snprintf(err, errlen, "%s", r == -1 ? "out of memory" : A.err);
				goto out;
			}
			st->added++;
		}
	}
	if (zread_add_rr(&A, deltas[n - 1].soa, 0, 0) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	zread_sort(&A);

	/* every record of old (a rebuild) or those of the changed owners (a
	 * splice), with the additions */
	struct carry c = { .R = &R, .A = &A, .s = &s, .kb = kb, .st = st };
	struct zone_iter it;
	st->spliced = want_splice(old, &s);
	if (st->spliced) {
		keys = changed_owners(&s, old, &nkeys);
		if (!keys) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < nkeys; k++) {
			int32_t node = zone_lookup(old, keys[k].key, keys[k].len);
			if (node < 0)
				continue;
			zone_iter_node(&it, old, node);
			if (carry_records(&c, &it) < 0) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
	} else {
		zone_iter_init(&it, old);
		if (carry_records(&c, &it) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (carry_adds(&c, NULL, 0, 0, 0) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* deletions of records the copy does not hold */
	for (size_t i = 0; i <= s.mask; i++) {
		struct rkey *e = &s.t[i];
		if ((e->state == K_DEL || e->state == K_READD) && !e->found) {
			const ldns_rr *bad = NULL;
			for (size_t d = 0; d < n && !bad; d++)
				for (size_t j = 0; j < ldns_rr_list_rr_count(deltas[d].del); j++) {
					const ldns_rr *x = ldns_rr_list_rr(deltas[d].del, j);
					size_t kl = key_of_rr(kb, x);
					if (kl == e->len && memcmp(kb, e->b, kl) == 0) {
						bad = x;
						break;
					}
				}
			snprintf(err, errlen, "IXFR deletes a record the copy (serial %u) does not "
				 "hold: %s", old->serial, bad ? rr_text(bad, txt, sizeof txt) : "?");
			goto out;
		}
	}
	if (!st->spliced) {
		z = zone_build(old->name, &R, err, errlen);
	} else if ((part = zone_build(old->name, &R, err, errlen)) != NULL) {
		zread_free(&R);
		z = zsplice_apply(old, part, keys, nkeys, err, errlen);
	}
out:
	zone_unref(part);
	free(keys);
	zread_free(&R);
	zread_free(&A);
	rset_free(&s);
	free(kb);
	return z;
}

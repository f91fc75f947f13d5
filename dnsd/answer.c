/* answer — see answer.h */
#include <string.h>

#include "dnsd/answer.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

enum {
	T_A = 1, T_NS = 2, T_MD = 3, T_MF = 4, T_CNAME = 5, T_SOA = 6, T_MB = 7, T_MG = 8,
	T_MR = 9, T_PTR = 12, T_MINFO = 14, T_MX = 15, T_RT = 21, T_AAAA = 28, T_SRV = 33, T_KX = 36,
	T_DNAME = 39,
	T_DS = 43, T_RRSIG = 46, T_NSEC = 47, T_DNSKEY = 48, T_NSEC3 = 50, T_ANY = 255,
};

enum { R_NOERROR = 0, R_SERVFAIL = 2, R_NXDOMAIN = 3, R_REFUSED = 5, R_YXDOMAIN = 6 };

/* sections in encoding order */
enum { S_ANSWER, S_AUTH, S_AUTH_OPT, S_ADD_A, S_ADD_AAAA, S_COUNT };

enum { IT_NXTTL = 1 };

struct item {
	const struct zone *z;
	const struct zrrset *rs;	/* NULL: synthesized CNAME */
	const uint8_t *owner;
	const uint8_t *target;		/* synthesized CNAME target */
	uint32_t ttl;			/* synthesized CNAME TTL */
	uint8_t section;
	uint8_t flags;
};

struct actx {
	const struct answer_req *rq;
	struct item items[ANSWER_MAX_ITEMS];
	unsigned nitems;
	uint8_t names[ANSWER_MAX_CHAIN][DNAME_MAX];
	unsigned nnames;
	unsigned chain;
	uint8_t rcode;
	bool aa;
	bool referral;
	const uint8_t *wildcard;   /* answer_res.wildcard */
};

static void lookup(struct actx *c, const uint8_t *name);

/* add an RRset; false when it was already there (a loop) or no room */
static bool add(struct actx *c, unsigned section, const struct zone *z, const struct zrrset *rs,
		const uint8_t *owner, uint8_t flags)
{
	for (unsigned i = 0; i < c->nitems; i++) {
		struct item *it = &c->items[i];
		if (it->rs == rs && it->owner == owner && rs) {
			if (section < it->section) {
				it->section = (uint8_t)section;
				it->flags = flags;
				return true;
			}
			return false;
		}
	}
	if (c->nitems >= ANSWER_MAX_ITEMS)
		return false;
	struct item *it = &c->items[c->nitems++];
	it->z = z;
	it->rs = rs;
	it->owner = owner;
	it->target = NULL;
	it->ttl = 0;
	it->section = (uint8_t)section;
	it->flags = flags;
	return true;
}

static inline const uint8_t *rr_rdata(const uint8_t *rr)
{
	return rr + 6;
}

static inline uint16_t rr_rdlen(const uint8_t *rr)
{
	return (uint16_t)(rr[4] << 8 | rr[5]);
}

static inline uint32_t rr_ttl(const uint8_t *rr)
{
	return (uint32_t)rr[0] << 24 | (uint32_t)rr[1] << 16 | (uint32_t)rr[2] << 8 | rr[3];
}

static const uint8_t *node_name(const struct zone *z, int32_t i)
{
	return znode_name(z, &z->nodes[i]);
}

/* ---- additional section ---- */

static void add_target(struct actx *c, const struct zone *z, const uint8_t *target, bool allow_glue)
{
	uint8_t key[DNAME_MAX];
	size_t kl = dname_key(target, key);
	bool exact;

	if (kl < z->apex_keylen || memcmp(key, z->apex_key, z->apex_keylen) != 0)
		return;
	int32_t idx = zone_closest(z, key, kl, &exact);
	int32_t node;
	const uint8_t *owner;
	if (exact) {
		if (z->nodes[idx].flags & ZN_NSEC3ONLY)
			return;
		if (!allow_glue && z->nodes[idx].deleg >= 0)
			return;
		node = idx;
		owner = node_name(z, idx);
	} else {
		int32_t ce = idx;
		if (z->nodes[ce].wild < 0 || z->nodes[ce].deleg >= 0)
			return;
		node = z->nodes[ce].wild;
		owner = target;
	}
	const struct zrrset *a = zone_rrset(z, node, T_A);
	const struct zrrset *aaaa = zone_rrset(z, node, T_AAAA);
	if (a)
		add(c, S_ADD_A, z, a, owner, 0);
	if (aaaa)
		add(c, S_ADD_AAAA, z, aaaa, owner, 0);
}

static void add_additional(struct actx *c, const struct zone *z, const struct zrrset *rs)
{
	size_t skip;
	bool glue;
	switch (rs->type) {
	case T_NS:
		skip = 0;
		glue = true;
		break;
	case T_MB:
		skip = 0;
		glue = false;
		break;
	case T_MX:
	case T_KX:
	case T_RT:
		skip = 2;
		glue = false;
		break;
	case T_SRV:
		skip = 6;
		glue = false;
		break;
	default:
		return;
	}
	const uint8_t *rr = z->rdata + rs->off;
	for (unsigned k = 0; k < rs->count; k++) {
		if (rr_rdlen(rr) > skip)
			add_target(c, z, rr_rdata(rr) + skip, glue);
		rr += 6 + rr_rdlen(rr);
	}
}

static void add_rrset(struct actx *c, unsigned section, const struct zone *z,
		      const struct zrrset *rs, const uint8_t *owner)
{
	if (add(c, section, z, rs, owner, 0))
		add_additional(c, z, rs);
}

/* ---- DNSSEC denial ---- */

static void add_nsec_at(struct actx *c, const struct zone *z, int32_t node)
{
	if (node < 0)
		return;
	const struct zrrset *rs = zone_rrset(z, node, T_NSEC);
	if (rs)
		add(c, S_AUTH, z, rs, node_name(z, node), 0);
}

static void add_nsec3(struct actx *c, const struct zone *z, int32_t n3)
{
	if (n3 < 0)
		return;
	int32_t node = z->nsec3[n3].node;
	const struct zrrset *rs = zone_rrset(z, node, T_NSEC3);
	if (rs)
		add(c, S_AUTH, z, rs, node_name(z, node), 0);
}

/* the NSEC3 covering the hash of the suffix of name with `labels` labels */
static void add_nsec3_cover(struct actx *c, const struct zone *z, const uint8_t *name, unsigned labels)
{
	uint8_t h[NSEC3_HASH_LEN];
	if (zone_nsec3_hash(z, dname_suffix(name, labels), h))
		add_nsec3(c, z, zone_nsec3_cover(z, h));
}

/* NSEC3 covering the hash of *.<node> */
static void add_nsec3_wild_cover(struct actx *c, const struct zone *z, int32_t node)
{
	uint8_t w[DNAME_MAX + 2];
	const uint8_t *n = node_name(z, node);
	size_t l = dname_len(n);
	uint8_t h[NSEC3_HASH_LEN];
	if (l + 2 > DNAME_MAX)
		return;
	w[0] = 1;
	w[1] = '*';
	memcpy(w + 2, n, l);
	if (zone_nsec3_hash(z, w, h))
		add_nsec3(c, z, zone_nsec3_cover(z, h));
}

/* RFC 5155 7.2.1: closest provable encloser of name (starting the search
 * at node `from`, an ancestor-or-self of name) and the next closer name.
 * The order follows NSD (it matters when the response is truncated):
 * encloser first for DS proofs, the next closer cover first otherwise. */
static void add_closest_provable(struct actx *c, const struct zone *z, int32_t from,
				 const uint8_t *name, bool encloser_first)
{
	int32_t cpe = from;
	while (cpe > 0 && z->nodes[cpe].nsec3 < 0)
		cpe = z->nodes[cpe].parent;
	if (cpe < 0)
		return;
	if (encloser_first)
		add_nsec3(c, z, z->nodes[cpe].nsec3);
	unsigned nl = dname_labels(name);
	if (z->nodes[cpe].labels < nl)
		add_nsec3_cover(c, z, name, z->nodes[cpe].labels + 1u);
	if (!encloser_first)
		add_nsec3(c, z, z->nodes[cpe].nsec3);
}

/* ---- answers ---- */

static void add_soa(struct actx *c, const struct zone *z)
{
	if (c->rq->class_any)
		return;
	const struct zrrset *soa = zone_rrset(z, 0, T_SOA);
	if (soa)
		add(c, S_AUTH, z, soa, node_name(z, 0), IT_NXTTL);
}

/* NODATA at `original` (the wildcard node for wildcard NODATA) */
static void nodata(struct actx *c, const struct zone *z, int32_t original, bool wild, int32_t ce,
		   const uint8_t *name)
{
	add_soa(c, z);
	if (!c->rq->dnssec_ok)
		return;
	if (z->has_nsec3) {
		if (wild || (z->nodes[original].flags & ZN_WILDCARD)) {
			/* RFC 5155 7.2.5; the next closer cover came with the
			 * wildcard.  A query for the literal wildcard name gets
			 * the same proof (as NSD). */
			if (!wild)
				ce = z->nodes[original].parent;
			add_nsec3(c, z, z->nodes[ce].nsec3);
			add_nsec3(c, z, z->nodes[original].nsec3);
		} else if (z->nodes[original].nsec3 >= 0) {
			add_nsec3(c, z, z->nodes[original].nsec3);
		} else {
			/* RFC 5155 7.2.4: DS at an opt-out delegation, or an
			 * empty non-terminal left out of the chain */
			add_closest_provable(c, z, original, name, c->rq->qtype == T_DS);
		}
	} else {
		add_nsec_at(c, z, z->nodes[original].nsec);
	}
}

static void delegation(struct actx *c, const struct zone *z, int32_t d)
{
	const struct zrrset *ns = zone_rrset(z, d, T_NS);
	if (c->chain == 0)
		c->aa = false;
	add_rrset(c, S_AUTH, z, ns, node_name(z, d));
	c->referral = true;
	if (!c->rq->dnssec_ok)
		return;
	const struct zrrset *ds = zone_rrset(z, d, T_DS);
	if (ds)
		add(c, S_AUTH, z, ds, node_name(z, d), 0);
	else if (z->has_nsec3) {
		if (z->nodes[d].nsec3 >= 0)
			add_nsec3(c, z, z->nodes[d].nsec3);
		else
			add_closest_provable(c, z, d, node_name(z, d), true);
	} else
		add_nsec_at(c, z, zone_rrset(z, d, T_NSEC) ? d : -1);
}

/* RFC 8482 4.1, the way NSD 4.6 chooses: the first of A, AAAA, SOA, MX,
 * PTR; else the last other type; else the last of DNSKEY, RRSIG, NSEC.
 * NSEC3 never; RRSIG not under DO (it comes with the RRset chosen). */
static const struct zrrset *any_rrset(const struct zone *z, int32_t node, bool dnssec_ok)
{
	const struct znode *n = &z->nodes[node];
	const struct zrrset *all = znode_rrsets(z, n);
	const struct zrrset *pref = NULL, *normal = NULL, *other = NULL;

	/* in the order the types appear in the zone file, as NSD */
	for (unsigned k = 0; k < n->nrrsets; k++) {
		const struct zrrset *r = &all[k];
		switch (r->type) {
		case T_A: case T_AAAA: case T_SOA: case T_MX: case T_PTR:
			if (!pref || r->order < pref->order)
				pref = r;
			break;
		case T_NSEC3:
			break;
		case T_RRSIG:
			if (dnssec_ok)
				break;
			/* fallthrough */
		case T_DNSKEY: case T_NSEC:
			if (!other || r->order > other->order)
				other = r;
			break;
		default:
			if (!normal || r->order > normal->order)
				normal = r;
			break;
		}
	}
	return pref ? pref : normal ? normal : other;
}

static void answer_domain(struct actx *c, const struct zone *z, int32_t node, const uint8_t *owner,
			  bool wild, int32_t ce, const uint8_t *name)
{
	const struct answer_req *rq = c->rq;
	const struct zrrset *rs = NULL;

	if (rq->qtype == T_ANY) {
		rs = any_rrset(z, node, rq->dnssec_ok);
		if (!rs) {
			nodata(c, z, node, wild, ce, name);
			return;
		}
	} else if (rq->qtype == T_NSEC3) {
		nodata(c, z, node, wild, ce, name);
		return;
	} else {
		rs = zone_rrset(z, node, rq->qtype);
	}
	if (rs) {
		add_rrset(c, S_ANSWER, z, rs, owner);
		if (!rq->class_any && rq->qtype != T_DNSKEY && rq->qtype != T_DS && rq->qtype != T_ANY) {
			const struct zrrset *ns = zone_rrset(z, 0, T_NS);
			if (ns)
				add_rrset(c, S_AUTH_OPT, z, ns, node_name(z, 0));
		}
		return;
	}
	rs = zone_rrset(z, node, T_CNAME);
	if (rs) {
		if (!add(c, S_ANSWER, z, rs, owner, 0))
			return;	/* loop */
		if (c->chain >= ANSWER_MAX_CHAIN)
			return;
		c->chain++;
		lookup(c, rr_rdata(z->rdata + rs->off));
		return;
	}
	nodata(c, z, node, wild, ce, name);
}

static void dname_answer(struct actx *c, const struct zone *z, int32_t ce, const struct zrrset *rs,
			 const uint8_t *name)
{
	const uint8_t *rr = z->rdata + rs->off;
	const uint8_t *target = rr_rdata(rr);
	size_t tlen = dname_len(target);
	if (!add(c, S_ANSWER, z, rs, node_name(z, ce), 0)) {
		/* seen before: a loop only when the target is below the owner */
		const uint8_t *owner = node_name(z, ce);
		unsigned tl = dname_labels(target), ol = dname_labels(owner);
		if (tl >= ol && dname_equal(dname_suffix(target, ol), owner))
			return;
	}
	unsigned keep = dname_labels(name) - z->nodes[ce].labels;
	const uint8_t *cut = name;
	for (unsigned i = 0; i < keep; i++)
		cut += *cut + 1;
	size_t plen = (size_t)(cut - name);
	if (plen + tlen > DNAME_MAX) {
		c->rcode = R_YXDOMAIN;
		return;
	}
	if (c->nnames >= ANSWER_MAX_CHAIN || c->nitems >= ANSWER_MAX_ITEMS)
		return;
	uint8_t *nn = c->names[c->nnames++];
	memcpy(nn, name, plen);
	memcpy(nn + plen, target, tlen);
	struct item *it = &c->items[c->nitems++];
	it->z = z;
	it->rs = NULL;
	it->owner = name;
	it->target = nn;
	it->ttl = rr_ttl(rr);
	it->section = S_ANSWER;
	it->flags = 0;
	if (c->chain >= ANSWER_MAX_CHAIN || c->rq->qtype == T_CNAME)
		return;
	c->chain++;
	lookup(c, nn);
}

static void authoritative(struct actx *c, const struct zone *z, const uint8_t *name,
			  const uint8_t *key, size_t kl, int32_t idx, int32_t ce, bool exact)
{
	const struct answer_req *rq = c->rq;
	int32_t match = -1;
	bool wild = false;
	const struct zrrset *rs;

	if (z->nodes[ce].dname >= 0) {
		/* a DNAME above occludes everything below it */
		ce = z->nodes[ce].dname;
		exact = false;
	}
	if (exact) {
		match = idx;
	} else if ((rs = zone_rrset(z, ce, T_DNAME))) {
		dname_answer(c, z, ce, rs, name);
		return;
	} else if (z->nodes[ce].wild >= 0) {
		match = z->nodes[ce].wild;
		wild = true;
		if (c->chain == 0)
			c->wildcard = node_name(z, match);
		if (rq->dnssec_ok && z->has_nsec3)
			add_nsec3_cover(c, z, name, z->nodes[ce].labels + 1u);
	}

	if (rq->dnssec_ok && !z->has_nsec3) {
		if (!exact) {
			bool e;
			int32_t pred = zone_find(z, key, kl, &e);
			if (pred >= 0)
				add_nsec_at(c, z, z->nodes[pred].nsec);
		}
		if (match < 0) {
			uint8_t wk[DNAME_MAX + 2];
			const struct znode *cn = &z->nodes[ce];
			bool wexact;
			memcpy(wk, znode_key(z, cn), cn->keylen);
			wk[cn->keylen] = 1;
			wk[cn->keylen + 1] = '*';
			int32_t widx = zone_find(z, wk, cn->keylen + 2u, &wexact);
			if (widx >= 0)
				add_nsec_at(c, z, z->nodes[widx].nsec);
		}
	}
	if (rq->dnssec_ok && z->has_nsec3 && match < 0) {
		/* RFC 5155 7.2.2: closest encloser proof + wildcard cover
		 * (in NSD's order: next closer, encloser, wildcard) */
		add_nsec3_cover(c, z, name, z->nodes[ce].labels + 1u);
		add_nsec3(c, z, z->nodes[ce].nsec3);
		add_nsec3_wild_cover(c, z, ce);
	}

	if (match >= 0) {
		answer_domain(c, z, match, wild ? name : node_name(z, match), wild, ce, name);
	} else {
		c->rcode = R_NXDOMAIN;
		add_soa(c, z);
	}
}

/* The node of key (exact) or its closest encloser, as zone_closest(), and
 * in *ce the closest encloser for the answer: a node that holds only
 * NSEC3 is not a name of the zone (RFC 5155 7.2.8), neither as the qname
 * nor as an ancestor of it, so its parent (the apex) takes its place and
 * the proofs are those of a name that does not exist. */
static int32_t closest(const struct zone *z, const uint8_t *key, size_t kl, bool *exact, int32_t *ce)
{
	int32_t idx = *ce = zone_closest(z, key, kl, exact);
	if (z->nodes[idx].flags & ZN_NSEC3ONLY) {
		*exact = false;
		*ce = z->nodes[idx].parent >= 0 ? z->nodes[idx].parent : 0;
	}
	return idx;
}

static void lookup(struct actx *c, const uint8_t *name)
{
	const struct answer_req *rq = c->rq;
	uint8_t key[DNAME_MAX];
	size_t kl = dname_key(name, key);
	bool expired, exact;
	const struct zone *z = zoneset_lookup(rq->zs, key, kl, &expired);
	int32_t idx, ce;

	if (!z) {
		/* an expired copy is not served: SERVFAIL, so that resolvers
		 * go elsewhere and the controller's probes withdraw the node */
		if (expired)
			c->rcode = R_SERVFAIL;
		else if (c->chain == 0)
			c->rcode = R_REFUSED;
		return;
	}
	idx = closest(z, key, kl, &exact, &ce);
	if (exact && idx == 0 && rq->qtype == T_DS) {
		/* RFC 4035 3.1.4.1: DS belongs to the parent side */
		const struct zone *pz = zoneset_parent(rq->zs, z);
		if (!pz) {
			c->aa = !rq->class_any;
			nodata(c, z, 0, false, 0, name);
			return;
		}
		z = pz;
		idx = closest(z, key, kl, &exact, &ce);
	}
	int32_t d = z->nodes[ce].deleg;
	if (d >= 0 && z->nodes[d].dname >= 0)
		d = -1;	/* a DNAME above the cut wins */
	if (d >= 0 && !(exact && rq->qtype == T_DS && ce == d)) {
		delegation(c, z, d);
		return;
	}
	c->aa = !rq->class_any;
	authoritative(c, z, name, key, kl, idx, ce, exact);
}

/* ---- encoding ---- */

static bool is_compressible(uint16_t type)
{
	switch (type) {
	case T_NS: case T_MD: case T_MF: case T_CNAME: case T_MB: case T_MG: case T_MR:
	case T_PTR: case T_SOA: case T_MINFO: case T_MX:
		return true;
	default:
		return false;
	}
}

/* one record: owner, header, rdata (names compressed for the types of
 * RFC 1035; everything else copied) */
static bool put_rr(struct wire *w, const uint8_t *owner, uint16_t type, const uint8_t *rr, uint32_t ttl)
{
	uint16_t rdlen = rr_rdlen(rr);
	const uint8_t *rd = rr_rdata(rr);

	if (!wire_name(w, owner, true) || !wire_u16(w, type) || !wire_u16(w, 1) || !wire_u32(w, ttl))
		return false;
	size_t lenpos = w->pos;
	if (!wire_u16(w, 0))
		return false;
	if (!is_compressible(type)) {
		if (!wire_bytes(w, rd, rdlen))
			return false;
	} else {
		const uint8_t *p = rd, *e = rd + rdlen;
		unsigned names = (type == T_SOA || type == T_MINFO) ? 2 : 1;
		if (type == T_MX) {
			if (!wire_bytes(w, p, 2))
				return false;
			p += 2;
		}
		for (unsigned i = 0; i < names && p < e; i++) {
			size_t nl = dname_len(p);
			if (p + nl > e || !wire_name(w, p, true))
				return false;
			p += nl;
		}
		if (p < e && !wire_bytes(w, p, (size_t)(e - p)))
			return false;
	}
	wire_put16(w->buf + lenpos, (uint16_t)(w->pos - lenpos - 2));
	return true;
}

/* write one item; returns the number of records, or -1 when it did not
 * fit (the writes are undone) */
static int put_item(struct wire *w, const struct item *it, bool dnssec_ok)
{
	size_t mark = w->pos;
	int n = 0;

	if (!it->rs) {
		/* synthesized CNAME */
		if (!wire_name(w, it->owner, true) || !wire_u16(w, T_CNAME) || !wire_u16(w, 1) ||
		    !wire_u32(w, it->ttl)) {
			wire_rollback(w, mark);
			return -1;
		}
		size_t lenpos = w->pos;
		if (!wire_u16(w, 0) || !wire_name(w, it->target, true)) {
			wire_rollback(w, mark);
			return -1;
		}
		wire_put16(w->buf + lenpos, (uint16_t)(w->pos - lenpos - 2));
		return 1;
	}
	const struct zone *z = it->z;
	const uint8_t *rr = z->rdata + it->rs->off;
	for (unsigned k = 0; k < it->rs->count; k++) {
		uint32_t ttl = rr_ttl(rr);
		if ((it->flags & IT_NXTTL) && ttl > z->soa_nx_ttl)
			ttl = z->soa_nx_ttl;
		if (!put_rr(w, it->owner, it->rs->type, rr, ttl)) {
			wire_rollback(w, mark);
			return -1;
		}
		n++;
		rr += 6 + rr_rdlen(rr);
	}
	if (dnssec_ok && it->rs->type != T_RRSIG && it->rs->sig_count) {
		rr = z->rdata + it->rs->sig_off;
		uint32_t soa_ttl = rr_ttl(z->rdata + it->rs->off);
		if ((it->flags & IT_NXTTL) && soa_ttl > z->soa_nx_ttl)
			soa_ttl = z->soa_nx_ttl;
		for (unsigned k = 0; k < it->rs->sig_count; k++) {
			/* like NSD, an SOA's signature gets the SOA's TTL (the
			 * negative TTL in negative answers) */
			uint32_t ttl = it->rs->type == T_SOA ? soa_ttl : rr_ttl(rr);
			if (!put_rr(w, it->owner, T_RRSIG, rr, ttl)) {
				wire_rollback(w, mark);
				return -1;
			}
			n++;
			rr += 6 + rr_rdlen(rr);
		}
	}
	return n;
}

void answer_lookup(const struct answer_req *rq, struct wire *w, struct answer_res *res)
{
	struct actx c;
	unsigned counts[S_COUNT] = { 0 };

	c.rq = rq;
	c.nitems = 0;
	c.nnames = 0;
	c.chain = 0;
	c.rcode = R_NOERROR;
	c.aa = false;
	c.referral = false;
	c.wildcard = NULL;
	lookup(&c, rq->qname);

	/* NSD 4.6 (built with minimal responses, the default): over UDP
	 * the optional sections stop at the first RRset that does not fit,
	 * or that would take the response past ANSWER_MINIMAL_SIZE; a
	 * referral that got no A glue that way is truncated. */
	res->tc = false;
	bool done = false;
	for (unsigned s = 0; s < S_COUNT && !res->tc; s++) {
		for (unsigned i = 0; i < c.nitems && !res->tc; i++) {
			const struct item *it = &c.items[i];
			if (it->section != s)
				continue;
			size_t mark = w->pos;
			int n = put_item(w, it, rq->dnssec_ok);
			if (s >= S_AUTH_OPT && !rq->tcp && (n < 0 || w->pos > ANSWER_MINIMAL_SIZE)) {
				wire_rollback(w, mark);
				done = true;
				continue;
			}
			if (n < 0) {
				if (s == S_ANSWER || s == S_AUTH)
					res->tc = true;
				continue;
			}
			counts[s] += (unsigned)n;
		}
		if (done) {
			if (s == S_ADD_A && counts[S_ADD_A] == 0 && c.referral)
				res->tc = true;
			break;
		}
	}
	res->rcode = c.rcode;
	res->aa = c.aa;
	res->wildcard = c.wildcard;
	res->ancount = (uint16_t)counts[S_ANSWER];
	res->nscount = (uint16_t)(counts[S_AUTH] + counts[S_AUTH_OPT]);
	res->arcount = (uint16_t)(counts[S_ADD_A] + counts[S_ADD_AAAA]);
}

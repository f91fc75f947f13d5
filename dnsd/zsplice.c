/* zsplice — see zsplice.h */
#include "dnsd/zsplice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/zone.h"
#include "dnsd/zone_int.h"

enum { FROM_OLD, FROM_PART, FROM_OLD_EMPTY };

/* a node of the result before the empty non-terminals are pruned */
struct origin {
	uint8_t from;		/* FROM_* */
	int32_t idx;		/* in old (FROM_OLD, FROM_OLD_EMPTY) or part */
	int32_t old;		/* old's node of the same name, or -1 */
};

static size_t node_bytes(const struct zone *z, const struct znode *n)
{
	size_t b = dname_len(znode_name(z, n)) + n->keylen + n->nrrsets * sizeof(struct zrrset);
	const struct zrrset *rs = znode_rrsets(z, n);
	for (unsigned k = 0; k < n->nrrsets; k++)
		b += rs[k].len;
	return b;
}

/* the parents of nodes in canonical order: the nearest node before that
 * is an ancestor (as zone.c's place_node() makes them) */
static void set_parents(struct znode *nodes, size_t n, const uint8_t *names)
{
	int32_t stack[DNAME_MAXLABELS + 2];
	unsigned depth = 0;
	for (size_t i = 0; i < n; i++) {
		struct znode *nd = &nodes[i];
		while (depth > 0) {
			const struct znode *top = &nodes[stack[depth - 1]];
			if (top->keylen < nd->keylen &&
			    memcmp(names + top->key, names + nd->key, top->keylen) == 0)
				break;
			depth--;
		}
		nd->parent = depth ? stack[depth - 1] : -1;
		if (depth < sizeof stack / sizeof stack[0])
			stack[depth++] = (int32_t)i;
	}
}

static int n3_cmp(const struct zn3 *a, const struct zn3 *b)
{
	return memcmp(a->hash, b->hash, NSEC3_HASH_LEN);
}

/* each node's matching NSEC3 after hashing its name (-1: none) */
static void n3_match(struct zone *z, size_t i, bool *matched)
{
	struct znode *n = &z->nodes[i];
	uint8_t h[NSEC3_HASH_LEN];
	n->nsec3 = -1;
	if ((n->flags & ZN_NSEC3ONLY) || !zone_nsec3_hash(z, znode_name(z, n), h))
		return;
	int32_t c = zone_nsec3_cover(z, h);
	if (c >= 0 && memcmp(z->nsec3[c].hash, h, NSEC3_HASH_LEN) == 0) {
		n->nsec3 = c;
		matched[c] = true;
	}
}

/* the NSEC3 chain of z from old's and part's: old's entries whose node
 * came over unchanged, part's whose node was taken; only the names that
 * did not come over unchanged are hashed, unless an entry is new and no
 * such name matches it (a new NSEC3 for an unchanged name): then all */
static int splice_nsec3(struct zone *z, const struct zone *old, const struct zone *part,
			const struct origin *org, const int32_t *okey, const int32_t *pnew)
{
	z->has_nsec3 = true;
	z->n3_alg = part->n3_alg;
	z->n3_iter = part->n3_iter;
	z->n3_saltlen = part->n3_saltlen;
	memcpy(z->n3_salt, part->n3_salt, part->n3_saltlen);

	z->nsec3 = malloc((old->nnsec3 + part->nnsec3 + 1) * sizeof *z->nsec3);
	int32_t *map3 = malloc((old->nnsec3 + 1) * sizeof *map3);
	bool *matched = NULL, *isnew = NULL;
	int ret = -1;
	if (!z->nsec3 || !map3)
		goto out;
	size_t a = 0, b = 0, w = 0;
	for (;;) {
		while (a < old->nnsec3 && (okey[old->nsec3[a].node] < 0 ||
					   org[okey[old->nsec3[a].node]].from != FROM_OLD))
			a++;
		while (b < part->nnsec3 && pnew[part->nsec3[b].node] < 0)
			b++;
		if (a == old->nnsec3 && b == part->nnsec3)
			break;
		if (b == part->nnsec3 || (a < old->nnsec3 && n3_cmp(&old->nsec3[a], &part->nsec3[b]) < 0)) {
			memcpy(z->nsec3[w].hash, old->nsec3[a].hash, NSEC3_HASH_LEN);
			z->nsec3[w++].node = okey[old->nsec3[a++].node];
		} else {
			memcpy(z->nsec3[w].hash, part->nsec3[b].hash, NSEC3_HASH_LEN);
			z->nsec3[w++].node = pnew[part->nsec3[b++].node];
		}
	}
	z->nnsec3 = w;
	matched = calloc(w + 1, sizeof *matched);
	isnew = calloc(w + 1, sizeof *isnew);
	if (!matched || !isnew)
		goto out;
	/* old entry -> the entry of the same hash now (or -1); the entries
	 * no old one had */
	for (a = 0, b = 0; b < w; b++) {
		while (a < old->nnsec3 && n3_cmp(&old->nsec3[a], &z->nsec3[b]) < 0)
			map3[a++] = -1;
		if (a < old->nnsec3 && n3_cmp(&old->nsec3[a], &z->nsec3[b]) == 0)
			map3[a++] = (int32_t)b;
		else
			isnew[b] = true;
	}
	while (a < old->nnsec3)
		map3[a++] = -1;

	for (size_t i = 0; i < z->nnodes; i++) {
		struct znode *n = &z->nodes[i];
		if (org[i].from == FROM_OLD) {
			int32_t o = old->nodes[org[i].idx].nsec3;
			n->nsec3 = o >= 0 ? map3[o] : -1;
			if (n->nsec3 >= 0)
				matched[n->nsec3] = true;
		} else {
			n3_match(z, i, matched);
		}
	}
	bool all = false;
	for (b = 0; b < w && !all; b++)
		all = isnew[b] && !matched[b];
	for (size_t i = 0; all && i < z->nnodes; i++)
		if (org[i].from == FROM_OLD && z->nodes[i].nsec3 < 0)
			n3_match(z, i, matched);
	ret = 0;
out:
	free(map3);
	free(matched);
	free(isnew);
	return ret;
}

static bool same_n3_params(const struct zone *a, const struct zone *b)
{
	return a->n3_alg == b->n3_alg && a->n3_iter == b->n3_iter &&
	       a->n3_saltlen == b->n3_saltlen && memcmp(a->n3_salt, b->n3_salt, a->n3_saltlen) == 0;
}

struct zone *zsplice_apply(const struct zone *old, const struct zone *part,
			   const struct zsplice_key *keys, size_t nkeys, char *err, size_t errlen)
{
	const size_t rsz = sizeof(struct zrrset);
	const size_t nn = old->nnodes + part->nnodes, nrs = old->nrrsets + part->nrrsets;
	struct zone *z = calloc(1, sizeof *z);
	struct origin *org = malloc((nn + 1) * sizeof *org);
	int32_t *okey = malloc((old->nnodes + 1) * sizeof *okey);
	int32_t *added = malloc((part->nnodes + 1) * sizeof *added);
	int32_t *pnew = malloc((part->nnodes + 1) * sizeof *pnew);
	uint8_t *keep = NULL;

	if (old->rdata_len + part->rdata_len > UINT32_MAX ||
	    old->names_len + part->names_len > UINT32_MAX || nrs > UINT32_MAX || nn > INT32_MAX) {
		snprintf(err, errlen, "zone too large to change in place");
		goto fail;
	}
	if (!z || !org || !okey || !added || !pnew)
		goto oom;
	z->refs = 1;
	z->name = strdup(old->name);
	memcpy(z->apex, old->apex, old->apex_len);
	z->apex_len = old->apex_len;
	memcpy(z->apex_key, old->apex_key, old->apex_keylen);
	z->apex_keylen = old->apex_keylen;
	z->apex_labels = old->apex_labels;
	z->serial = part->serial;
	z->soa_nx_ttl = part->soa_nx_ttl;
	z->rdata = malloc(old->rdata_len + part->rdata_len + 1);
	z->names = malloc(old->names_len + part->names_len + 1);
	z->rrsets = malloc(nrs * rsz + 1);
	z->nodes = malloc((nn + 1) * sizeof *z->nodes);
	if (!z->name || !z->rdata || !z->names || !z->rrsets || !z->nodes)
		goto oom;

	/* old's arrays, then part's: part's offsets move up by old's sizes */
	memcpy(z->rdata, old->rdata, old->rdata_len);
	if (part->rdata_len)
		memcpy(z->rdata + old->rdata_len, part->rdata, part->rdata_len);
	z->rdata_len = old->rdata_len + part->rdata_len;
	memcpy(z->names, old->names, old->names_len);
	memcpy(z->names + old->names_len, part->names, part->names_len);
	z->names_len = old->names_len + part->names_len;
	memcpy(z->rrsets, old->rrsets, old->nrrsets * rsz);
	for (size_t k = 0; k < part->nrrsets; k++) {
		struct zrrset *r = &z->rrsets[old->nrrsets + k];
		*r = part->rrsets[k];
		r->off += (uint32_t)old->rdata_len;
		if (r->sig_count)
			r->sig_off += (uint32_t)old->rdata_len;
	}
	z->nrrsets = nrs;

	/* the nodes: old's, in runs copied as they are between the owners
	 * to decide, which are part's nodes and the changed keys (both in
	 * canonical order): for a changed owner part's node, or an empty
	 * non-terminal where part has none; for another, old's node where
	 * old has one (part's is then an empty non-terminal) */
	size_t i = 0, j = 0, k = 0, n = 0;
	for (;;) {
		int c;
		if (j < part->nnodes && k < nkeys)
			c = dname_key_cmp(znode_key(part, &part->nodes[j]), part->nodes[j].keylen,
					  keys[k].key, keys[k].len);
		else if (j < part->nnodes)
			c = -1;
		else if (k < nkeys)
			c = 1;
		else
			break;
		const bool inpart = c <= 0, changed = c >= 0;
		const struct znode *pn = inpart ? &part->nodes[j] : NULL;
		const uint8_t *key = pn ? znode_key(part, pn) : keys[k].key;
		const size_t klen = pn ? pn->keylen : keys[k].len;
		bool exact;
		int32_t p = zone_find(old, key, klen, &exact);
		const size_t upto = exact ? (size_t)p : (size_t)(p + 1);
		if (upto > i) {
			memcpy(&z->nodes[n], &old->nodes[i], (upto - i) * sizeof *z->nodes);
			for (; i < upto; i++, n++)
				org[n] = (struct origin){ FROM_OLD, (int32_t)i, (int32_t)i };
		}
		const struct znode *on = exact ? &old->nodes[i] : NULL;
		struct znode *d = &z->nodes[n];
		if (pn && (changed || !on)) {
			*d = *pn;
			d->name += (uint32_t)old->names_len;
			d->key += (uint32_t)old->names_len;
			d->rrsets += (uint32_t)old->nrrsets;
			org[n++] = (struct origin){ FROM_PART, (int32_t)j, on ? (int32_t)i : -1 };
		} else if (on && changed) {
			*d = *on;	/* its owner's records are all gone */
			d->nrrsets = 0;
			d->rrsets = 0;
			org[n++] = (struct origin){ FROM_OLD_EMPTY, (int32_t)i, (int32_t)i };
		} else if (on) {
			*d = *on;
			org[n++] = (struct origin){ FROM_OLD, (int32_t)i, (int32_t)i };
		}
		if (on)
			i++;
		if (inpart)
			j++;
		if (changed)
			k++;
	}
	if (i < old->nnodes) {
		memcpy(&z->nodes[n], &old->nodes[i], (old->nnodes - i) * sizeof *z->nodes);
		for (; i < old->nnodes; i++, n++)
			org[n] = (struct origin){ FROM_OLD, (int32_t)i, (int32_t)i };
	}

	/* prune the empty non-terminals left without children */
	set_parents(z->nodes, n, z->names);
	keep = calloc(n + 1, 1);
	if (!keep)
		goto oom;
	for (size_t x = n; x-- > 0;) {
		if (x == 0 || z->nodes[x].nrrsets > 0 || keep[x])
			keep[x] = 1;
		if (keep[x] && x > 0)
			keep[z->nodes[x].parent] = 1;	/* parents precede: not yet visited */
	}
	for (size_t x = 0; x < old->nnodes; x++)
		okey[x] = -1;
	for (size_t x = 0; x < part->nnodes; x++)
		pnew[x] = -1;
	size_t m = 0, nadded = 0;
	for (size_t x = 0; x < n; x++) {
		if (!keep[x])
			continue;
		z->nodes[m] = z->nodes[x];
		org[m] = org[x];
		if (org[m].from == FROM_PART)
			pnew[org[m].idx] = (int32_t)m;
		if (org[m].old >= 0)
			okey[org[m].old] = (int32_t)m;
		else
			added[nadded++] = (int32_t)m;
		m++;
	}
	z->nnodes = m;
	if (z->nnodes == 0 || z->nodes[0].keylen != z->apex_keylen) {
		snprintf(err, errlen, "no SOA record at the zone apex");
		goto fail;
	}
	set_parents(z->nodes, m, z->names);
	zone_derive(z);
	if (zone_index_patch(z, old, okey, added, nadded) < 0)
		goto oom;

	if (old->has_nsec3 && part->has_nsec3 && same_n3_params(old, part)) {
		if (splice_nsec3(z, old, part, org, okey, pnew) < 0)
			goto oom;
	} else if (old->has_nsec3 || part->has_nsec3) {
		for (size_t x = 0; x < z->nnodes; x++)
			z->nodes[x].nsec3 = -1;
		if (zone_nsec3_chain(z) < 0)	/* a new chain: hash every name */
			goto oom;
	} else {
		for (size_t x = 0; x < z->nnodes; x++)
			z->nodes[x].nsec3 = -1;
	}

	size_t live = 0;
	for (size_t x = 0; x < z->nnodes; x++) {
		const struct znode *nd = &z->nodes[x];
		const struct zrrset *rs = znode_rrsets(z, nd);
		live += node_bytes(z, nd);
		for (unsigned r = 0; r < nd->nrrsets; r++)
			z->records += rs[r].count;
	}
	z->dead = z->rdata_len + z->names_len + z->nrrsets * rsz - live;
	free(org);
	free(okey);
	free(added);
	free(pnew);
	free(keep);
	return z;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	zone_free(z);
	free(org);
	free(okey);
	free(added);
	free(pnew);
	free(keep);
	return NULL;
}

/* ---- comparing two zones ---- */

#define DIFF(...) do { snprintf(why, whylen, __VA_ARGS__); return false; } while (0)

static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

bool zsplice_same(const struct zone *a, const struct zone *b, char *why, size_t whylen)
{
	if (a->nnodes != b->nnodes)
		DIFF("%zu nodes against %zu", a->nnodes, b->nnodes);
	if (a->serial != b->serial || a->soa_nx_ttl != b->soa_nx_ttl || a->records != b->records)
		DIFF("serial %u/%u, negative TTL %u/%u, records %zu/%zu", a->serial, b->serial,
		     a->soa_nx_ttl, b->soa_nx_ttl, a->records, b->records);
	if (a->has_nsec3 != b->has_nsec3 || a->nnsec3 != b->nnsec3 ||
	    (a->has_nsec3 && !same_n3_params(a, b)))
		DIFF("NSEC3 chain: %zu entries against %zu", a->nnsec3, b->nnsec3);
	for (size_t x = 0; x < a->nnsec3; x++)
		if (n3_cmp(&a->nsec3[x], &b->nsec3[x]) != 0 || a->nsec3[x].node != b->nsec3[x].node)
			DIFF("NSEC3 entry %zu differs", x);
	for (size_t i = 0; i < a->nnodes; i++) {
		const struct znode *p = &a->nodes[i], *q = &b->nodes[i];
		const uint8_t *pn = znode_name(a, p), *qn = znode_name(b, q);
		size_t pl = dname_len(pn);
		if (p->keylen != q->keylen || memcmp(znode_key(a, p), znode_key(b, q), p->keylen) != 0)
			DIFF("node %zu: another name", i);
		/* an empty non-terminal takes the case of some name below it */
		if (p->nrrsets && (pl != dname_len(qn) || memcmp(pn, qn, pl) != 0))
			DIFF("node %zu: the name's case differs", i);
		if (p->labels != q->labels || p->flags != q->flags || p->parent != q->parent ||
		    p->wild != q->wild || p->nsec != q->nsec || p->deleg != q->deleg ||
		    p->dname != q->dname || p->nsec3 != q->nsec3 || p->nrrsets != q->nrrsets)
			DIFF("node %zu: flags %u/%u parent %d/%d wild %d/%d nsec %d/%d deleg %d/%d "
			     "dname %d/%d nsec3 %d/%d rrsets %u/%u", i, p->flags, q->flags, p->parent,
			     q->parent, p->wild, q->wild, p->nsec, q->nsec, p->deleg, q->deleg, p->dname,
			     q->dname, p->nsec3, q->nsec3, p->nrrsets, q->nrrsets);
		if (zone_lookup(a, znode_key(a, p), p->keylen) != (int32_t)i ||
		    zone_lookup(b, znode_key(b, q), q->keylen) != (int32_t)i)
			DIFF("node %zu: not found by its name in the hash table", i);
		const struct zrrset *r = znode_rrsets(a, p), *s = znode_rrsets(b, q);
		for (unsigned k = 0; k < p->nrrsets; k++) {
			/* not `order` (the RRsets' order in an ANY answer, that of
			 * the records as they came): a splice keeps it for the
			 * owners it does not touch, a rebuild carries every record
			 * over in type order */
			if (r[k].type != s[k].type || r[k].count != s[k].count ||
			    r[k].sig_count != s[k].sig_count ||
			    r[k].len != s[k].len || r[k].sig_len != s[k].sig_len)
				DIFF("node %zu: RRset %u: type %u/%u, count %u/%u, signatures %u/%u, "
				     "bytes %u/%u, signature bytes %u/%u", i, k, r[k].type, s[k].type,
				     r[k].count, s[k].count, r[k].sig_count, s[k].sig_count, r[k].len,
				     s[k].len, r[k].sig_len, s[k].sig_len);
			if (!same_bytes(a->rdata + r[k].off, b->rdata + s[k].off, r[k].len) ||
			    (r[k].sig_count && !same_bytes(a->rdata + r[k].sig_off,
							   b->rdata + s[k].sig_off, r[k].sig_len)))
				DIFF("node %zu: the records of type %u differ", i, r[k].type);
		}
	}
	return true;
}

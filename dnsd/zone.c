/* zone — see zone.h */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "dnsd/nsec3.h"
#include "dnsd/zone.h"
#include "dnsd/zone_int.h"
#include "dnsd/zread.h"

#define T_NS 2
#define T_SOA 6
#define T_CNAME 5
#define T_DNAME 39
#define T_RRSIG 46
#define T_NSEC 47
#define T_NSEC3 50
#define T_NSEC3PARAM 51

/* ---- compile ----
 *
 * Two passes over the records read (zread.h).  The first goes in
 * canonical order (zread_runs(): the runs of one owner, as read, in name
 * order; the records themselves do not move) and makes the nodes and
 * RRsets, checks everything and works out where each record goes: its
 * RRset and its offset in it.  The second goes in the order read and
 * copies each record there, an RRset's place being taken when its first
 * record comes: the compiled records end up in about the order of the
 * file, RRset by RRset.  So zone_load() can give back what it read as it
 * goes (the reader's record data and list, by madvise()): the peak memory
 * of a load is little more than the compiled zone's.  That is for zones of
 * zone_lowmem_min bytes read and more; smaller ones, and zone_build()'s,
 * have their RRsets in canonical order, so that the same records give the
 * same bytes whatever order they were read in.  The nodes' names are
 * copied in node order, after the records read are freed. */
size_t zone_lowmem_min = 16u << 20;

struct zdst {
	uint32_t rrset;		/* index in B->rrsets, or NO_RRSET: a duplicate, dropped */
	uint32_t rel;		/* offset in the RRset's records */
};
#define NO_RRSET UINT32_MAX
#define NO_OFF UINT32_MAX

struct builder {
	struct zvec nodes;	/* struct znode */
	struct zvec rrsets;	/* struct zrrset; off = NO_OFF until pass two */
	const uint8_t *names;	/* R->names.p: the nodes' names point into it */
	struct zdst *dst;	/* per record of R; NULL: in R's records (line, seq) */
	struct zdst *own;	/* the current owner's, until its checks are done */
	size_t owncap;
	uint64_t rdata_len;	/* of the compiled records */
	int32_t stack[DNAME_MAXLABELS + 1];
	unsigned depth;
};

static int32_t add_node(struct builder *B, uint32_t name, uint32_t key, size_t klen, unsigned labels,
			int32_t parent)
{
	struct znode *n = zvec_push(&B->nodes, 1);
	if (!n)
		return -1;
	memset(n, 0, sizeof *n);
	n->name = name;
	n->key = key;
	n->keylen = (uint8_t)klen;
	n->labels = (uint8_t)labels;
	n->parent = parent;
	n->wild = n->nsec = n->deleg = n->nsec3 = n->dname = -1;
	n->rrsets = (uint32_t)B->rrsets.n;
	return (int32_t)(B->nodes.n - 1);
}

/* make the node of the owner at offset own in R->names ([keylen][key]
 * [namelen][name], zread.h), creating empty non-terminals above it: their
 * names are suffixes of the owner's name, their keys prefixes of its key */
static int32_t place_node(struct builder *B, uint32_t own, unsigned apex_labels)
{
	const uint8_t *p = B->names + own;
	const size_t klen = p[0];
	const uint8_t *key = p + 1, *wire = p + 2 + klen;
	const uint32_t key_off = own + 1, wire_off = own + 2 + (uint32_t)klen;
	unsigned labels = dname_key_labels(key, klen);
	struct znode *nodes;

	for (;;) {
		if (B->depth == 0)
			break;
		nodes = B->nodes.p;
		struct znode *top = &nodes[B->stack[B->depth - 1]];
		if (top->keylen < klen && memcmp(B->names + top->key, key, top->keylen) == 0)
			break;
		B->depth--;
	}
	int have;
	int32_t parent;
	if (B->depth == 0) {
		have = (int)apex_labels - 1;
		parent = -1;
		if (labels < apex_labels)
			return -1;
	} else {
		nodes = B->nodes.p;
		parent = B->stack[B->depth - 1];
		have = nodes[parent].labels;
	}
	for (unsigned l = (unsigned)(have + 1); l < labels; l++) {
		const uint8_t *sw = dname_suffix(wire, l);
		int32_t i = add_node(B, wire_off + (uint32_t)(sw - wire), key_off,
				     dname_key_prefix(key, klen, l), l, parent);
		if (i < 0)
			return -1;
		B->stack[B->depth++] = i;
		parent = i;
	}
	int32_t i = add_node(B, wire_off, key_off, klen, labels, parent);
	if (i < 0)
		return -1;
	B->stack[B->depth++] = i;
	return i;
}

static bool same_rdata(const struct zread *R, const struct zrec *a, const struct zrec *b)
{
	/* no memcmp() of empty rdata: R->rdata.p may be NULL */
	return a->rdlen == b->rdlen &&
	       (a->rdlen == 0 || memcmp((const uint8_t *)R->rdata.p + a->rd,
					(const uint8_t *)R->rdata.p + b->rd, a->rdlen) == 0);
}

/* length of a well-formed uncompressed name at p (at most len bytes), or 0 */
static size_t name_ok(const uint8_t *p, size_t len)
{
	size_t o = 0;
	while (o < len && o < DNAME_MAX) {
		if (p[o] == 0)
			return o + 1;
		if (p[o] > 63)
			return 0;
		o += (size_t)p[o] + 1;
	}
	return 0;
}

/* the engine reads names inside the rdata of these types: make sure they
 * are there and well formed (RFC 3597 generic rdata could be anything) */
static bool rdata_ok(uint16_t type, const uint8_t *rd, size_t len)
{
	size_t skip = 0, n;
	unsigned names = 1;
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case T_DNAME:
		break;
	case 6:			/* SOA */
		names = 2;
		break;
	case 14:		/* MINFO */
		names = 2;
		break;
	case 15: case 21: case 36:	/* MX RT KX */
		skip = 2;
		break;
	case 33:		/* SRV */
		skip = 6;
		break;
	default:
		return true;
	}
	if (len < skip)
		return false;
	rd += skip;
	len -= skip;
	while (names-- > 0) {
		if (!(n = name_ok(rd, len)))
			return false;
		rd += n;
		len -= n;
	}
	return type != 6 || len >= 20;
}

/* [ttl][rdlength][rdata] at p */
static void write_rr(uint8_t *p, const struct zread *R, const struct zrec *r)
{
	p[0] = (uint8_t)(r->ttl >> 24);
	p[1] = (uint8_t)(r->ttl >> 16);
	p[2] = (uint8_t)(r->ttl >> 8);
	p[3] = (uint8_t)r->ttl;
	p[4] = (uint8_t)(r->rdlen >> 8);
	p[5] = (uint8_t)r->rdlen;
	if (r->rdlen)	/* a zone of empty records only has no rdata array */
		memcpy(p + 6, (const uint8_t *)R->rdata.p + r->rd, r->rdlen);
}

/* pass one for the records of one owner, rrs[a..b) (sorted), at node ni;
 * pos[k] is rrs[k]'s index in R (NULL: k is) */
static int compile_owner(struct builder *B, struct zread *R, const struct zrec *rrs, size_t a,
			 size_t b, const uint32_t *pos, int32_t ni, bool apex, size_t *kept)
{
	struct { uint16_t covered, count; uint32_t off, len; } sigs[64];
	unsigned nsigs = 0;
	bool has_cname = false, has_other = false, has_dname = false;
	const struct zrec *cname_rr = NULL, *other_rr = NULL;
	size_t first_rrset = B->rrsets.n;

	if (b - a > B->owncap) {
		size_t nc = B->owncap ? B->owncap : 64;
		while (nc < b - a)
			nc *= 2;
		struct zdst *no = realloc(B->own, nc * sizeof *no);
		if (!no) {
			zread_error(R, 0, 0, "out of memory");
			return -1;
		}
		B->own = no;
		B->owncap = nc;
	}

	for (size_t i = a; i < b;) {
		size_t j = i;
		uint16_t type = rrs[i].type;
		while (j < b && rrs[j].type == type)
			j++;
		struct zrrset *rs = zvec_push(&B->rrsets, 1);
		if (!rs)
			return -1;
		memset(rs, 0, sizeof *rs);
		rs->type = type;
		rs->off = NO_OFF;
		const uint32_t rsi = (uint32_t)(B->rrsets.n - 1);
		for (size_t k = i; k < j; k++) {
			struct zdst *d = &B->own[k - a];
			bool dup = false;
			/* duplicates are dropped silently, like NSD */
			for (size_t m = i; m < k && !dup; m++)
				if ((type != T_RRSIG || rrs[m].covered == rrs[k].covered) &&
				    same_rdata(R, &rrs[m], &rrs[k]))
					dup = true;
			if (dup) {
				d->rrset = NO_RRSET;
				continue;
			}
			if (!rdata_ok(type, (const uint8_t *)R->rdata.p + rrs[k].rd, rrs[k].rdlen)) {
				zread_error(R, rrs[k].file, rrs[k].line, "malformed record data for type %u", type);
				return -2;
			}
			if (type == T_RRSIG) {
				if (nsigs == 0 || sigs[nsigs - 1].covered != rrs[k].covered) {
					if (nsigs == sizeof sigs / sizeof sigs[0]) {
						zread_error(R, rrs[k].file, rrs[k].line, "too many RRSIG types");
						return -2;
					}
					sigs[nsigs].covered = rrs[k].covered;
					sigs[nsigs].count = 0;
					sigs[nsigs].off = rs->len;	/* made absolute in pass two */
					sigs[nsigs].len = 0;
					nsigs++;
				}
				sigs[nsigs - 1].count++;
				sigs[nsigs - 1].len += 6u + rrs[k].rdlen;
			}
			if (rs->count == 65535) {
				zread_error(R, rrs[k].file, rrs[k].line, "RRset too large");
				return -2;
			}
			B->rdata_len += 6u + rrs[k].rdlen;
			if (B->rdata_len > UINT32_MAX) {
				zread_error(R, rrs[k].file, rrs[k].line,
					    "zone too large (more than 4 GiB of record data)");
				return -2;
			}
			d->rrset = rsi;
			d->rel = rs->len;
			rs->len += 6u + rrs[k].rdlen;
			rs->count++;
			(*kept)++;
		}

		switch (type) {
		case T_CNAME:
			has_cname = true;
			cname_rr = &rrs[i];
			if (rs->count > 1) {
				zread_error(R, rrs[i + 1].file, rrs[i + 1].line, "more than one CNAME record for a name");
				return -2;
			}
			break;
		case T_DNAME:
			has_dname = true;
			if (rs->count > 1) {
				zread_error(R, rrs[i + 1].file, rrs[i + 1].line, "more than one DNAME record for a name");
				return -2;
			}
			break;
		case T_RRSIG:
		case T_NSEC:
		case T_NSEC3:
			break;
		case T_SOA:
			if (!apex) {
				zread_error(R, rrs[i].file, rrs[i].line, "SOA record not at the zone apex");
				return -2;
			}
			if (rs->count > 1) {
				zread_error(R, rrs[i + 1].file, rrs[i + 1].line, "more than one SOA record");
				return -2;
			}
			/* fallthrough */
		default:
			has_other = true;
			if (!other_rr)
				other_rr = &rrs[i];
			break;
		}
		i = j;
	}
	if (has_cname && (has_other || has_dname)) {
		const struct zrec *r = cname_rr->seq > (other_rr ? other_rr->seq : 0) ? cname_rr : other_rr;
		if (!r)
			r = cname_rr;
		zread_error(R, r->file, r->line, "CNAME beside other data");
		return -2;
	}

	/* the order the types first appear in the file (ANY answers) */
	{
		struct zrrset *ra = (struct zrrset *)B->rrsets.p;
		uint32_t firstseq[512];
		size_t nr = B->rrsets.n - first_rrset, k = 0;
		for (size_t i = a; i < b && k < nr && k < 512;) {
			size_t j = i;
			uint32_t m = rrs[i].seq;
			while (j < b && rrs[j].type == rrs[i].type) {
				if (rrs[j].seq < m)
					m = rrs[j].seq;
				j++;
			}
			firstseq[k++] = m;
			i = j;
		}
		for (size_t x = 0; x < k; x++) {
			unsigned rank = 0;
			for (size_t y = 0; y < k; y++)
				if (firstseq[y] < firstseq[x])
					rank++;
			ra[first_rrset + x].order = (uint16_t)rank;
		}
	}
	struct znode *n = (struct znode *)B->nodes.p + ni;
	n->rrsets = (uint32_t)first_rrset;
	n->nrrsets = (uint16_t)(B->rrsets.n - first_rrset);
	struct zrrset *rsa = (struct zrrset *)B->rrsets.p;
	for (size_t k = first_rrset; k < B->rrsets.n; k++) {
		if (rsa[k].type == T_RRSIG)
			continue;
		/* sig_off: in the node's RRSIG RRset until pass two */
		for (unsigned s = 0; s < nsigs; s++) {
			if (sigs[s].covered == rsa[k].type) {
				rsa[k].sig_count = sigs[s].count;
				rsa[k].sig_off = sigs[s].off;
				rsa[k].sig_len = sigs[s].len;
			}
		}
	}
	/* where the records go: in R's records themselves when they are
	 * zone_load()'s (no other array of that size at the peak) */
	struct zrec *R_rrs = R->rrs.p;
	for (size_t k = a; k < b; k++) {
		size_t idx = pos ? pos[k] : k;
		if (B->dst) {
			B->dst[idx] = B->own[k - a];
		} else {
			R_rrs[idx].line = B->own[k - a].rrset;
			R_rrs[idx].seq = B->own[k - a].rel;
		}
	}
	return 0;
}

const struct zrrset *zone_rrset(const struct zone *z, int32_t i, uint16_t type)
{
	const struct znode *n = &z->nodes[i];
	const struct zrrset *rs = z->rrsets + n->rrsets;
	for (unsigned k = 0; k < n->nrrsets; k++)
		if (rs[k].type == type)
			return &rs[k];
	return NULL;
}

void zone_iter_init(struct zone_iter *it, const struct zone *z)
{
	it->z = z;
	it->node = 0;
	it->last = z->nnodes;
	it->rrset = 0;
	it->off = it->end = 0;
}

void zone_iter_node(struct zone_iter *it, const struct zone *z, int32_t i)
{
	zone_iter_init(it, z);
	it->node = (size_t)i;
	it->last = (size_t)i + 1;
}

bool zone_iter_next(struct zone_iter *it, struct zone_rr *rr)
{
	const struct zone *z = it->z;
	while (it->off >= it->end) {
		if (it->node >= it->last)
			return false;
		const struct znode *n = &z->nodes[it->node];
		if (it->rrset >= n->nrrsets) {
			it->node++;
			it->rrset = 0;
			continue;
		}
		const struct zrrset *rs = &z->rrsets[n->rrsets + it->rrset++];
		it->off = rs->off;
		it->end = rs->off + rs->len;
	}
	const struct znode *n = &z->nodes[it->node];
	const struct zrrset *rs = &z->rrsets[n->rrsets + it->rrset - 1];
	const uint8_t *p = z->rdata + it->off;
	rr->owner = znode_name(z, n);
	rr->node = (int32_t)it->node;
	rr->type = rs->type;
	rr->ttl = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	rr->rdlen = (uint16_t)(p[4] << 8 | p[5]);
	rr->rdata = p + 6;
	it->off += 6u + rr->rdlen;
	return true;
}

static int zn3_cmp(const void *a, const void *b)
{
	return memcmp(((const struct zn3 *)a)->hash, ((const struct zn3 *)b)->hash, NSEC3_HASH_LEN);
}

int zone_nsec3_chain(struct zone *z)
{
	const struct zrrset *param = zone_rrset(z, 0, T_NSEC3PARAM);
	if (!param)
		return 0;
	/* first NSEC3PARAM with hash algorithm 1 and flags 0 */
	const uint8_t *p = z->rdata + param->off;
	bool found = false;
	for (unsigned k = 0; k < param->count; k++) {
		uint16_t rdlen = (uint16_t)(p[4] << 8 | p[5]);
		const uint8_t *rd = p + 6;
		if (rdlen >= 5 && rd[0] == 1 && rd[1] == 0 && rdlen >= 5u + rd[4]) {
			z->n3_alg = rd[0];
			z->n3_iter = (uint16_t)(rd[2] << 8 | rd[3]);
			z->n3_saltlen = rd[4];
			memcpy(z->n3_salt, rd + 5, rd[4]);
			found = true;
			break;
		}
		p += 6 + rdlen;
	}
	if (!found)
		return 0;
	z->has_nsec3 = true;

	size_t cnt = 0;
	for (size_t i = 0; i < z->nnodes; i++)
		if (zone_rrset(z, (int32_t)i, T_NSEC3) && z->nodes[i].parent == 0)
			cnt++;
	z->nsec3 = calloc(cnt ? cnt : 1, sizeof *z->nsec3);
	if (!z->nsec3)
		return -1;
	for (size_t i = 0; i < z->nnodes; i++) {
		const struct zrrset *rs = zone_rrset(z, (int32_t)i, T_NSEC3);
		if (!rs || z->nodes[i].parent != 0)
			continue;
		/* parameters must match the chain's */
		const uint8_t *r = z->rdata + rs->off;
		uint16_t rdlen = (uint16_t)(r[4] << 8 | r[5]);
		const uint8_t *rd = r + 6;
		if (rdlen < 5 || rd[0] != z->n3_alg || (uint16_t)(rd[2] << 8 | rd[3]) != z->n3_iter ||
		    rd[4] != z->n3_saltlen || memcmp(rd + 5, z->n3_salt, z->n3_saltlen) != 0)
			continue;
		const uint8_t *name = znode_name(z, &z->nodes[i]);
		uint8_t hash[NSEC3_HASH_LEN];
		if (nsec3_b32_decode(name + 1, name[0], hash, sizeof hash) != NSEC3_HASH_LEN)
			continue;
		memcpy(z->nsec3[z->nnsec3].hash, hash, NSEC3_HASH_LEN);
		z->nsec3[z->nnsec3].node = (int32_t)i;
		z->nnsec3++;
	}
	qsort(z->nsec3, z->nnsec3, sizeof *z->nsec3, zn3_cmp);
	for (size_t i = 0; i < z->nnodes; i++) {
		struct znode *n = &z->nodes[i];
		if (n->flags & ZN_NSEC3ONLY)
			continue;
		uint8_t hash[NSEC3_HASH_LEN];
		if (!zone_nsec3_hash(z, znode_name(z, n), hash))
			continue;
		int32_t c = zone_nsec3_cover(z, hash);
		if (c >= 0 && memcmp(z->nsec3[c].hash, hash, NSEC3_HASH_LEN) == 0)
			n->nsec3 = c;
	}
	return 0;
}

bool zone_nsec3_hash(const struct zone *z, const uint8_t *name, uint8_t *out)
{
	uint8_t lower[DNAME_MAX];
	size_t len = dname_len(name);
	if (!z->has_nsec3)
		return false;
	dname_lower(lower, name, len);
	nsec3_hash(lower, len, z->n3_salt, z->n3_saltlen, z->n3_iter, out);
	return true;
}

static uint64_t hash_top(const uint8_t *h)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

int32_t zone_nsec3_cover(const struct zone *z, const uint8_t *hash)
{
	if (z->nnsec3 == 0)
		return -1;
	/* last entry with entry.hash <= hash; wraps to the last one.  The
	 * hashes are about uniform: start where this one would be, widen the
	 * window in steps that double until it holds the answer, then a
	 * binary search in it (O(1) expected, O(log n) at worst). */
	const size_t n = z->nnsec3;
	size_t g = (size_t)(((unsigned __int128)hash_top(hash) * n) >> 64);
	size_t lo, hi;	/* the answer is in [lo, hi) */
	if (memcmp(z->nsec3[g].hash, hash, NSEC3_HASH_LEN) <= 0) {
		size_t step = 1;
		lo = g + 1;
		hi = lo;
		while (hi < n && memcmp(z->nsec3[hi].hash, hash, NSEC3_HASH_LEN) <= 0) {
			lo = hi + 1;
			hi = hi + step < n ? hi + step : n;
			step *= 2;
		}
	} else {
		size_t step = 1;
		hi = g;
		lo = g;
		while (lo > 0 && memcmp(z->nsec3[lo - 1].hash, hash, NSEC3_HASH_LEN) > 0) {
			hi = lo - 1;
			lo = lo > step ? lo - step : 0;
			step *= 2;
		}
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(z->nsec3[mid].hash, hash, NSEC3_HASH_LEN) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? (int32_t)z->nnsec3 - 1 : (int32_t)lo - 1;
}

/* FNV-1a over the key, then a fold: the running value after a prefix is
 * the hash state of that ancestor's key (zone_pf_start() uses it) */
enum { KEY_HASH_INIT = 2166136261u };
static inline uint32_t key_hash_step(uint32_t h, uint8_t c)
{
	return (h ^ c) * 16777619u;
}

static inline uint32_t key_hash_end(uint32_t h)
{
	return h ^ (h >> 15);
}

static uint32_t key_hash(const uint8_t *key, size_t len)
{
	uint32_t h = KEY_HASH_INIT;
	for (size_t i = 0; i < len; i++)
		h = key_hash_step(h, key[i]);
	return key_hash_end(h);
}

int zone_index(struct zone *z)
{
	size_t size = 16;
	while (size < z->nnodes * 2)
		size <<= 1;
	z->htab = calloc(size, sizeof *z->htab);
	if (!z->htab)
		return -1;
	z->hmask = size - 1;
	for (size_t i = 0; i < z->nnodes; i++) {
		const struct znode *n = &z->nodes[i];
		size_t h = key_hash(znode_key(z, n), n->keylen) & z->hmask;
		while (z->htab[h])
			h = (h + 1) & z->hmask;
		z->htab[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* the slot of node index v (1-based) on its probe path from its home */
static void htab_put(struct zone *z, uint32_t v)
{
	const struct znode *n = &z->nodes[v - 1];
	size_t h = key_hash(znode_key(z, n), n->keylen) & z->hmask;
	while (z->htab[h])
		h = (h + 1) & z->hmask;
	z->htab[h] = v;
}

int zone_index_patch(struct zone *z, const struct zone *old, const int32_t *okey,
		     const int32_t *added, size_t nadded)
{
	size_t size = 16;
	while (size < z->nnodes * 2)
		size <<= 1;
	if (size != old->hmask + 1)
		return zone_index(z);	/* another size: as zone_index() would make it */
	z->htab = malloc(size * sizeof *z->htab);
	if (!z->htab)
		return -1;
	z->hmask = old->hmask;
	/* the keys still there renumbered, the others emptied; then what
	 * follows each emptied slot up to the next empty one is put again
	 * (deletion in linear probing); then the new keys */
	size_t nempty = 0;
	for (size_t s = 0; s < size; s++) {
		uint32_t v = old->htab[s];
		int32_t nv = v ? okey[v - 1] : -1;
		z->htab[s] = nv >= 0 ? (uint32_t)nv + 1 : 0;
		nempty += v && nv < 0;
	}
	for (size_t s = 0; nempty && s < size; s++) {
		if (!old->htab[s] || okey[old->htab[s] - 1] >= 0)
			continue;
		for (size_t t = (s + 1) & z->hmask; z->htab[t]; t = (t + 1) & z->hmask) {
			uint32_t v = z->htab[t];
			z->htab[t] = 0;
			htab_put(z, v);
		}
	}
	for (size_t k = 0; k < nadded; k++)
		htab_put(z, (uint32_t)added[k] + 1);
	return 0;
}

int32_t zone_lookup(const struct zone *z, const uint8_t *key, size_t keylen)
{
	size_t h = key_hash(key, keylen) & z->hmask;
	uint32_t v;
	while ((v = z->htab[h]) != 0) {
		const struct znode *n = &z->nodes[v - 1];
		if (n->keylen == keylen && memcmp(znode_key(z, n), key, keylen) == 0)
			return (int32_t)v - 1;
		h = (h + 1) & z->hmask;
	}
	return -1;
}

/* below this many nodes a zone's tables stay in the caches of a busy
 * worker, and warming them is only instructions */
enum { ZONE_PF_MIN_NODES = 1u << 16 };

bool zone_pf_worth(const struct zone *z)
{
	return z->nnodes >= ZONE_PF_MIN_NODES;
}

void zone_pf_start(struct zone_pf *pf, const struct zone *z, const uint8_t *key, size_t keylen)
{
	pf->z = z;
	pf->n = 0;
	if (!z || keylen < z->apex_keylen)
		return;
	/* the candidates of zone_closest(): the key and its ancestors below
	 * the apex, the deepest ZONE_PF_KEYS of them (a ring) */
	unsigned seen = 0;
	uint32_t h = KEY_HASH_INIT;
	size_t next = 0;
	for (size_t i = 0; i <= keylen; i++) {
		if (i == next) {
			if (i > z->apex_keylen) {
				unsigned k = seen++ % ZONE_PF_KEYS;
				pf->slot[k] = (uint32_t)(key_hash_end(h) & z->hmask);
				pf->len[k] = (uint8_t)i;
			}
			if (i < keylen)
				next = i + (size_t)key[i] + 1;
		}
		if (i < keylen)
			h = key_hash_step(h, key[i]);
	}
	pf->n = seen < ZONE_PF_KEYS ? seen : ZONE_PF_KEYS;
	for (unsigned k = 0; k < pf->n; k++)
		__builtin_prefetch(&z->htab[pf->slot[k]]);
}

void zone_pf_nodes(struct zone_pf *pf)
{
	for (unsigned k = 0; k < pf->n; k++) {
		uint32_t v = pf->node[k] = pf->z->htab[pf->slot[k]];
		if (v) {
			const struct znode *n = &pf->z->nodes[v - 1];
			__builtin_prefetch(n);
			__builtin_prefetch((const uint8_t *)(n + 1) - 1);
		}
	}
}

void zone_pf_data(const struct zone_pf *pf)
{
	for (unsigned k = 0; k < pf->n; k++) {
		if (!pf->node[k])
			continue;
		const struct znode *n = &pf->z->nodes[pf->node[k] - 1];
		if (n->keylen != pf->len[k])
			continue;       /* another key in the slot: probing goes on */
		__builtin_prefetch(znode_key(pf->z, n));
		__builtin_prefetch(pf->z->rrsets + n->rrsets);
	}
}

int32_t zone_closest(const struct zone *z, const uint8_t *key, size_t keylen, bool *exact)
{
	int32_t i = zone_lookup(z, key, keylen);
	*exact = i >= 0;
	if (i >= 0)
		return i;
	/* offsets of the label boundaries of key, deepest first */
	size_t ends[DNAME_MAXLABELS];
	unsigned n = 0;
	for (size_t o = 0; o < keylen && n < DNAME_MAXLABELS; o += (size_t)key[o] + 1)
		ends[n++] = o;
	while (n-- > 0) {
		if (ends[n] < z->apex_keylen)
			break;
		i = zone_lookup(z, key, ends[n]);
		if (i >= 0)
			return i;
	}
	return 0;
}

int32_t zone_find(const struct zone *z, const uint8_t *key, size_t keylen, bool *exact)
{
	size_t lo = 0, hi = z->nnodes;
	*exact = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct znode *n = &z->nodes[mid];
		int c = dname_key_cmp(znode_key(z, n), n->keylen, key, keylen);
		if (c == 0) {
			*exact = true;
			return (int32_t)mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int32_t)lo - 1;
}

struct zrec_pos {
	struct zrec r;
	uint32_t pos;
};

static int zrec_pos_cmp(const void *a, const void *b, void *ctx)
{
	return zread_cmp(ctx, &((const struct zrec_pos *)a)->r, &((const struct zrec_pos *)b)->r);
}

/* pass one for an owner whose records are in several runs: together */
static int compile_runs(struct builder *B, struct zread *R, const struct zrun *runs, size_t nr,
			int32_t ni, bool apex, size_t *kept)
{
	const struct zrec *rrs = R->rrs.p;
	size_t m = 0;
	for (size_t i = 0; i < nr; i++)
		m += runs[i].count;
	struct zrec_pos *t = malloc(m * sizeof *t);
	struct zrec *recs = malloc(m * sizeof *recs);
	uint32_t *pos = malloc(m * sizeof *pos);
	int ret = -1;
	if (t && recs && pos) {
		size_t k = 0;
		for (size_t i = 0; i < nr; i++) {
			for (uint32_t x = 0; x < runs[i].count; x++, k++) {
				t[k].r = rrs[runs[i].first + x];
				t[k].pos = runs[i].first + x;
			}
		}
		qsort_r(t, m, sizeof *t, zrec_pos_cmp, R);
		for (k = 0; k < m; k++) {
			recs[k] = t[k].r;
			pos[k] = t[k].pos;
		}
		ret = compile_owner(B, R, recs, 0, m, pos, ni, apex, kept);
	} else {
		zread_error(R, 0, 0, "out of memory");
	}
	free(t);
	free(recs);
	free(pos);
	return ret;
}

/* give the pages of [*done, upto) of an array back to the system: what
 * pass two has read of it is not read again (whole pages inside the
 * array only: the allocator's own data around it is left alone) */
static void release(void *base, size_t *done, size_t upto)
{
	const size_t page = 4096, step = 1u << 20;
	if (upto < *done + step)
		return;
	uintptr_t lo = ((uintptr_t)base + *done + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t hi = ((uintptr_t)base + upto) & ~(uintptr_t)(page - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	*done = upto;
}

/* the nodes' names and keys, copied in node order ([name][key] each) */
static uint8_t *names_in_order(struct znode *nodes, size_t nn, const uint8_t *src, size_t *len)
{
	size_t total = 0;
	for (size_t i = 0; i < nn; i++)
		total += dname_len(src + nodes[i].name) + nodes[i].keylen;
	uint8_t *out = malloc(total ? total : 1), *p = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < nn; i++) {
		size_t wl = dname_len(src + nodes[i].name);
		memcpy(p, src + nodes[i].name, wl);
		memcpy(p + wl, src + nodes[i].key, nodes[i].keylen);
		nodes[i].name = (uint32_t)(p - out);
		nodes[i].key = nodes[i].name + (uint32_t)wl;
		p += wl + nodes[i].keylen;
	}
	*len = total;
	return out;
}

/* compile R into z.  take: R is zone_load()'s, to be freed afterwards:
 * its record data and list are freed as soon as they are read (given back
 * as pass two goes for a large one); only its file names stay usable */
static int compile(struct zone *z, struct zread *R, bool take)
{
	struct builder B = {
		.nodes = { .esz = sizeof(struct znode) },
		.rrsets = { .esz = sizeof(struct zrrset) },
	};
	struct zrun *runs = NULL;
	size_t n = R->rrs.n, nruns = 0;
	size_t kept = 0;
	int ret = -2;

	if (n == 0) {
		zread_error(R, 0, 0, "no records");
		goto out;
	}
	if (!take)
		B.dst = malloc(n * sizeof *B.dst);
	if ((!take && !B.dst) || zread_runs(R, &runs, &nruns) < 0) {
		zread_error(R, 0, 0, "out of memory");
		ret = -1;
		goto out;
	}
	B.names = R->names.p;

	/* pass one: nodes, RRsets, checks, where each record goes */
	const struct zrec *rrs = R->rrs.p;
	for (size_t i = 0; i < nruns;) {
		size_t j = i + 1;
		const struct zrec *first = &rrs[runs[i].first];
		while (j < nruns && runs[j].same)
			j++;
		size_t kl;
		zrec_key(R, first, &kl);
		int32_t ni = place_node(&B, first->owner, dname_labels(R->apex));
		if (ni < 0) {
			zread_error(R, 0, 0, "out of memory");
			ret = -1;
			goto out;
		}
		int r = j == i + 1 ?
				compile_owner(&B, R, rrs, runs[i].first, runs[i].first + runs[i].count, NULL,
					      ni, kl == R->apex_keylen, &kept) :
				compile_runs(&B, R, runs + i, j - i, ni, kl == R->apex_keylen, &kept);
		if (r < 0) {
			ret = r;
			goto out;
		}
		i = j;
	}
	free(runs);
	runs = NULL;

	const bool lowmem = take && R->rdata.n + R->names.n + n * sizeof(struct zrec) >= zone_lowmem_min;
	struct zrrset *rsa = B.rrsets.p;
	uint32_t bump = 0;
	if (!lowmem) {
		/* the RRsets in canonical order */
		for (size_t i = 0; i < B.rrsets.n; i++) {
			rsa[i].off = bump;
			bump += rsa[i].len;
		}
	}
	/* pass two: the records, in the order read, to their places */
	uint8_t *out_rd = malloc(B.rdata_len ? B.rdata_len : 1);
	if (!out_rd) {
		zread_error(R, 0, 0, "out of memory");
		ret = -1;
		goto out;
	}
	size_t rd_done = 0, rd_end = 0, rrs_done = 0;
	for (size_t i = 0; i < n; i++) {
		const struct zrec *r = &rrs[i];
		if (lowmem && i > 0 && r->owner != rrs[i - 1].owner) {
			/* all of the runs before this one are read: so is their
			 * record data, which lies before this run's */
			release(R->rdata.p, &rd_done, rd_end);
			release(R->rrs.p, &rrs_done, i * sizeof *r);
		}
		if ((size_t)r->rd + r->rdlen > rd_end)
			rd_end = (size_t)r->rd + r->rdlen;
		const struct zdst d = B.dst ? B.dst[i] : (struct zdst){ r->line, r->seq };
		if (d.rrset == NO_RRSET)
			continue;
		struct zrrset *rs = &rsa[d.rrset];
		if (rs->off == NO_OFF) {
			rs->off = bump;
			bump += rs->len;
		}
		write_rr(out_rd + rs->off + d.rel, R, r);
	}
	/* the RRSIGs of an RRset: in its node's RRSIG RRset */
	const struct znode *nodes = B.nodes.p;
	for (size_t i = 0; i < B.nodes.n; i++) {
		struct zrrset *ns = rsa + nodes[i].rrsets;
		uint32_t base = 0;
		for (unsigned k = 0; k < nodes[i].nrrsets; k++)
			if (ns[k].type == T_RRSIG)
				base = ns[k].off;
		for (unsigned k = 0; k < nodes[i].nrrsets; k++)
			if (ns[k].sig_count)
				ns[k].sig_off += base;
	}

	/* give back the room reserved beyond what was used */
	struct zvec *vs[2] = { &B.nodes, &B.rrsets };
	for (int k = 0; k < 2; k++) {
		void *np = vs[k]->n ? realloc(vs[k]->p, vs[k]->n * vs[k]->esz) : NULL;
		if (np) {
			vs[k]->p = np;
			vs[k]->cap = vs[k]->n;
		}
	}
	z->nodes = B.nodes.p;
	z->nnodes = B.nodes.n;
	z->rrsets = B.rrsets.p;
	z->nrrsets = B.rrsets.n;
	z->rdata = out_rd;
	z->rdata_len = B.rdata_len;
	B.nodes.p = B.rrsets.p = NULL;
	z->records = kept;
	/* the names, copied in node order (R's records first out of the way) */
	if (take) {
		zvec_free(&R->rdata);
		zvec_free(&R->rrs);
	}
	z->names = names_in_order(z->nodes, z->nnodes, R->names.p, &z->names_len);
	if (take)
		zvec_free(&R->names);
	if (!z->names) {
		zread_error(R, 0, 0, "out of memory");
		ret = -1;
		goto out;
	}

	if (z->nnodes == 0 || z->nodes[0].keylen != z->apex_keylen) {
		zread_error(R, 0, 0, "no SOA record at the zone apex");
		goto out;
	}
	const struct zrrset *soa = zone_rrset(z, 0, T_SOA);
	if (!soa) {
		zread_error(R, 0, 0, "no SOA record at the zone apex");
		goto out;
	}
	if (!zone_rrset(z, 0, T_NS)) {
		zread_error(R, 0, 0, "no NS records at the zone apex");
		goto out;
	}
	{
		const uint8_t *r = z->rdata + soa->off;
		uint32_t ttl = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
		uint16_t rdlen = (uint16_t)(r[4] << 8 | r[5]);
		const uint8_t *rd = r + 6, *e = rd + rdlen;
		size_t l1 = dname_len(rd);
		size_t l2 = rd + l1 < e ? dname_len(rd + l1) : 0;
		if (l2 == 0 || rd + l1 + l2 + 20 > e) {
			zread_error(R, 0, 0, "malformed SOA record");
			goto out;
		}
		const uint8_t *f = rd + l1 + l2;
		z->serial = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 | (uint32_t)f[2] << 8 | f[3];
		uint32_t min = (uint32_t)f[16] << 24 | (uint32_t)f[17] << 16 | (uint32_t)f[18] << 8 | f[19];
		z->soa_nx_ttl = ttl < min ? ttl : min;
	}

	zone_derive(z);
	if (zone_index(z) < 0 || zone_nsec3_chain(z) < 0) {
		zread_error(R, 0, 0, "out of memory");
		ret = -1;
		goto out;
	}
	ret = 0;
out:
	zvec_free(&B.nodes);
	zvec_free(&B.rrsets);
	free(B.dst);
	free(B.own);
	free(runs);
	return ret;
}

/* the per-node fields that follow from the nodes' RRsets and parents
 * (flags, wild, nsec, deleg, dname), reset first; parents precede
 * children in the array */
void zone_derive(struct zone *z)
{
	for (size_t i = 0; i < z->nnodes; i++) {
		struct znode *nd = &z->nodes[i];
		nd->flags = 0;
		nd->wild = nd->nsec = nd->deleg = nd->dname = -1;
	}
	for (size_t i = 0; i < z->nnodes; i++) {
		struct znode *nd = &z->nodes[i];
		const struct zrrset *rs = znode_rrsets(z, nd);
		bool only3 = nd->nrrsets > 0, has3 = false;
		for (unsigned k = 0; k < nd->nrrsets; k++) {
			if (rs[k].type == T_NSEC3)
				has3 = true;
			else if (rs[k].type != T_RRSIG)
				only3 = false;
		}
		if (only3 && has3)
			nd->flags |= ZN_NSEC3ONLY;
		if (nd->parent > 0)
			nd->dname = zone_rrset(z, nd->parent, T_DNAME) ? nd->parent
								       : z->nodes[nd->parent].dname;
		if (nd->parent >= 0 && z->nodes[nd->parent].deleg >= 0)
			nd->deleg = z->nodes[nd->parent].deleg;
		else if (i != 0 && zone_rrset(z, (int32_t)i, T_NS)) {
			nd->deleg = (int32_t)i;
			nd->flags |= ZN_CUT;
		}
		const uint8_t *nm = znode_name(z, nd);
		if (i != 0 && nm[0] == 1 && nm[1] == '*') {
			nd->flags |= ZN_WILDCARD;
			z->nodes[nd->parent].wild = (int32_t)i;
		}
		if (zone_rrset(z, (int32_t)i, T_NSEC))
			nd->nsec = (int32_t)i;
		else if (i > 0)
			nd->nsec = z->nodes[i - 1].nsec;
	}
}

void zone_free(struct zone *z)
{
	if (!z)
		return;
	free(z->name);
	free(z->file);
	for (size_t i = 0; i < z->nfiles; i++)
		free(z->files[i].path);
	free(z->files);
	free(z->nodes);
	free(z->rrsets);
	free(z->rdata);
	free(z->names);
	free(z->nsec3);
	free(z->htab);
	free(z);
}

bool zone_files_unchanged(const struct zone *z, const char *file)
{
	if (!z || !file || !z->file || z->nfiles == 0 || strcmp(z->file, file) != 0)
		return false;
	for (size_t i = 0; i < z->nfiles; i++) {
		struct stat st;
		if (stat(z->files[i].path, &st) < 0)
			return false;
		int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		if (st.st_size != z->files[i].size || mt != z->files[i].mtime_ns)
			return false;
	}
	return true;
}

struct zone *zone_ref(struct zone *z)
{
	if (z)
		__atomic_add_fetch(&z->refs, 1, __ATOMIC_RELAXED);
	return z;
}

void zone_unref(struct zone *z)
{
	if (z && __atomic_sub_fetch(&z->refs, 1, __ATOMIC_ACQ_REL) == 0)
		zone_free(z);
}

struct zone *zone_new(const char *name, const char *file, struct zread *R, char *err,
			     size_t errlen)
{
	struct zone *z = calloc(1, sizeof *z);
	if (!z) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	z->refs = 1;
	z->name = strdup(name);
	z->file = file ? strdup(file) : NULL;
	if (!z->name || (file && !z->file)) {
		snprintf(err, errlen, "out of memory");
		zone_free(z);
		return NULL;
	}
	z->apex_len = R->apex_len;
	memcpy(z->apex, R->apex, R->apex_len);
	z->apex_keylen = R->apex_keylen;
	memcpy(z->apex_key, R->apex_key, R->apex_keylen);
	z->apex_labels = dname_labels(z->apex);
	return z;
}

struct zone *zone_build(const char *name, struct zread *R, char *err, size_t errlen)
{
	err[0] = 0;
	struct zone *z = zone_new(name, NULL, R, err, errlen);
	if (z && compile(z, R, false) < 0) {
		zone_free(z);
		z = NULL;
	}
	if (!z && !err[0])
		snprintf(err, errlen, "cannot compile the zone");
	return z;
}

/* After a large load, the C library's heap keeps what was freed there
 * (the reader's buffers, the compile's lists: malloc's thresholds for
 * mmap() and for trimming grow with what is freed): give it back. */
static void trim(size_t big)
{
	if (big >= zone_lowmem_min)
		malloc_trim(0);
}

struct zone *zone_load(const char *name, const char *file, char *err, size_t errlen)
{
	struct zread R;
	struct zone *z = NULL;

	memset(&R, 0, sizeof R);
	err[0] = 0;
	if (zread_init(&R, name, err, errlen) < 0)
		goto fail;
	z = zone_new(name, file, &R, err, errlen);
	if (!z)
		goto fail;
	if (zread_file(&R, file) < 0 || compile(z, &R, true) < 0)
		goto fail;
	z->files = calloc(R.nfiles, sizeof *z->files);
	if (!z->files) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < R.nfiles; i++) {
		z->files[i].path = R.owned_files[i];
		z->files[i].size = R.fsize[i];
		z->files[i].mtime_ns = R.fmtime[i];
		R.owned_files[i] = NULL;
	}
	z->nfiles = R.nfiles;
	zread_free(&R);
	trim(z->rdata_len);
	return z;
fail:
	zread_free(&R);
	zone_free(z);
	trim(SIZE_MAX);
	if (!err[0])
		snprintf(err, errlen, "%s: cannot load", file);
	return NULL;
}

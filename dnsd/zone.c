/* zone — see zone.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dnsd/nsec3.h"
#include "dnsd/zone.h"
#include "dnsd/zread.h"

#define T_NS 2
#define T_SOA 6
#define T_CNAME 5
#define T_DNAME 39
#define T_RRSIG 46
#define T_NSEC 47
#define T_NSEC3 50
#define T_NSEC3PARAM 51

/* ---- compile ---- */

struct builder {
	struct zvec nodes;	/* struct znode */
	struct zvec rrsets;	/* struct zrrset */
	struct zvec rdata;	/* bytes */
	struct zvec names;	/* bytes */
	int32_t stack[DNAME_MAXLABELS + 1];
	unsigned depth;
};

static int32_t add_node(struct builder *B, const uint8_t *wire, size_t wlen, const uint8_t *key,
			size_t klen, unsigned labels, int32_t parent)
{
	struct znode *n = zvec_push(&B->nodes, 1);
	if (!n)
		return -1;
	memset(n, 0, sizeof *n);
	uint8_t *p = zvec_push(&B->names, wlen + klen);
	if (!p)
		return -1;
	memcpy(p, wire, wlen);
	memcpy(p + wlen, key, klen);
	n->name = (uint32_t)(B->names.n - wlen - klen);
	n->key = n->name + (uint32_t)wlen;
	n->keylen = (uint8_t)klen;
	n->labels = (uint8_t)labels;
	n->parent = parent;
	n->wild = n->nsec = n->deleg = n->nsec3 = n->dname = -1;
	n->rrsets = (uint32_t)B->rrsets.n;
	return (int32_t)(B->nodes.n - 1);
}

/* make the node for (wire, key), creating empty non-terminals above it */
static int32_t place_node(struct builder *B, const uint8_t *wire, size_t wlen, const uint8_t *key,
			  size_t klen, unsigned apex_labels)
{
	unsigned labels = dname_key_labels(key, klen);
	struct znode *nodes;

	for (;;) {
		if (B->depth == 0)
			break;
		nodes = B->nodes.p;
		struct znode *top = &nodes[B->stack[B->depth - 1]];
		if (top->keylen < klen &&
		    memcmp((const uint8_t *)B->names.p + top->key, key, top->keylen) == 0)
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
		size_t swl = wlen - (size_t)(sw - wire);
		int32_t i = add_node(B, sw, swl, key, dname_key_prefix(key, klen, l), l, parent);
		if (i < 0)
			return -1;
		B->stack[B->depth++] = i;
		parent = i;
	}
	int32_t i = add_node(B, wire, wlen, key, klen, labels, parent);
	if (i < 0)
		return -1;
	B->stack[B->depth++] = i;
	return i;
}

static bool same_rdata(const struct zread *R, const struct zrec *a, const struct zrec *b)
{
	return a->rdlen == b->rdlen &&
	       memcmp((const uint8_t *)R->rdata.p + a->rd, (const uint8_t *)R->rdata.p + b->rd,
		      a->rdlen) == 0;
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

static int put_rr(struct builder *B, const struct zread *R, const struct zrec *r)
{
	uint8_t *p = zvec_push(&B->rdata, 6u + r->rdlen);
	if (!p)
		return -1;
	p[0] = (uint8_t)(r->ttl >> 24);
	p[1] = (uint8_t)(r->ttl >> 16);
	p[2] = (uint8_t)(r->ttl >> 8);
	p[3] = (uint8_t)r->ttl;
	p[4] = (uint8_t)(r->rdlen >> 8);
	p[5] = (uint8_t)r->rdlen;
	memcpy(p + 6, (const uint8_t *)R->rdata.p + r->rd, r->rdlen);
	return 0;
}

/* compile the records of one owner, rrs[a..b) (sorted), into node ni */
static int compile_owner(struct builder *B, struct zread *R, struct zrec *rrs, size_t a, size_t b,
			 int32_t ni, bool apex, size_t *kept)
{
	struct { uint16_t covered, count; uint32_t off, len; } sigs[64];
	unsigned nsigs = 0;
	bool has_cname = false, has_other = false, has_dname = false;
	const struct zrec *cname_rr = NULL, *other_rr = NULL;
	size_t first_rrset = B->rrsets.n;

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
		rs->off = (uint32_t)B->rdata.n;
		for (size_t k = i; k < j; k++) {
			bool dup = false;
			/* duplicates are dropped silently, like NSD */
			for (size_t m = i; m < k && !dup; m++)
				if ((type != T_RRSIG || rrs[m].covered == rrs[k].covered) &&
				    same_rdata(R, &rrs[m], &rrs[k]))
					dup = true;
			if (dup)
				continue;
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
					sigs[nsigs].off = (uint32_t)B->rdata.n;
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
			if (put_rr(B, R, &rrs[k]) < 0)
				return -1;
			rs->count++;
			(*kept)++;
		}
		rs->len = (uint32_t)(B->rdata.n - rs->off);

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
		for (unsigned s = 0; s < nsigs; s++) {
			if (sigs[s].covered == rsa[k].type) {
				rsa[k].sig_count = sigs[s].count;
				rsa[k].sig_off = sigs[s].off;
				rsa[k].sig_len = sigs[s].len;
			}
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
	it->rrset = 0;
	it->off = it->end = 0;
}

bool zone_iter_next(struct zone_iter *it, struct zone_rr *rr)
{
	const struct zone *z = it->z;
	while (it->off >= it->end) {
		if (it->node >= z->nnodes)
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

static int compile_nsec3(struct zone *z)
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

int32_t zone_nsec3_cover(const struct zone *z, const uint8_t *hash)
{
	if (z->nnsec3 == 0)
		return -1;
	/* last entry with entry.hash <= hash; wraps to the last one */
	size_t lo = 0, hi = z->nnsec3;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(z->nsec3[mid].hash, hash, NSEC3_HASH_LEN) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? (int32_t)z->nnsec3 - 1 : (int32_t)lo - 1;
}

static uint32_t key_hash(const uint8_t *key, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	return h ^ (h >> 15);
}

static int build_htab(struct zone *z)
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

static int compile(struct zone *z, struct zread *R)
{
	struct builder B = {
		.nodes = { .esz = sizeof(struct znode) },
		.rrsets = { .esz = sizeof(struct zrrset) },
		.rdata = { .esz = 1 },
		.names = { .esz = 1 },
	};
	struct zrec *rrs = R->rrs.p;
	size_t n = R->rrs.n;
	size_t kept = 0;
	int ret = -2;

	if (n == 0) {
		zread_error(R, 0, 0, "no records");
		goto out;
	}
	/* records already in canonical order (an IXFR merged into the previous
	 * copy, see ixfr.h) skip the sort: one linear check instead */
	size_t sorted = 1;
	while (sorted < n && zread_cmp(R, &rrs[sorted - 1], &rrs[sorted]) <= 0)
		sorted++;
	if (sorted < n)
		zread_sort(R);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		size_t kl, kl2;
		const uint8_t *k = zrec_key(R, &rrs[i], &kl);
		while (j < n) {
			const uint8_t *k2 = zrec_key(R, &rrs[j], &kl2);
			if (rrs[j].owner != rrs[i].owner && (kl != kl2 || memcmp(k, k2, kl) != 0))
				break;
			j++;
		}
		const uint8_t *w = zrec_wire(R, &rrs[i]);
		int32_t ni = place_node(&B, w, dname_len(w), k, kl, dname_labels(R->apex));
		if (ni < 0) {
			zread_error(R, 0, 0, "out of memory");
			ret = -1;
			goto out;
		}
		int r = compile_owner(&B, R, rrs, i, j, ni, kl == R->apex_keylen, &kept);
		if (r < 0) {
			ret = r;
			goto out;
		}
		i = j;
	}
	z->nodes = B.nodes.p;
	z->nnodes = B.nodes.n;
	z->rrsets = B.rrsets.p;
	z->nrrsets = B.rrsets.n;
	z->rdata = B.rdata.p;
	z->rdata_len = B.rdata.n;
	z->names = B.names.p;
	z->names_len = B.names.n;
	B.nodes.p = B.rrsets.p = B.rdata.p = B.names.p = NULL;
	z->records = kept;

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

	/* derived per-node fields; parents precede children */
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
	if (build_htab(z) < 0 || compile_nsec3(z) < 0) {
		zread_error(R, 0, 0, "out of memory");
		ret = -1;
		goto out;
	}
	ret = 0;
out:
	zvec_free(&B.nodes);
	zvec_free(&B.rrsets);
	zvec_free(&B.rdata);
	zvec_free(&B.names);
	return ret;
}

static void zone_free(struct zone *z)
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

static struct zone *zone_new(const char *name, const char *file, struct zread *R, char *err,
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
	if (z && compile(z, R) < 0) {
		zone_free(z);
		z = NULL;
	}
	if (!z && !err[0])
		snprintf(err, errlen, "cannot compile the zone");
	return z;
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
	if (zread_file(&R, file) < 0 || compile(z, &R) < 0)
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
	return z;
fail:
	zread_free(&R);
	zone_free(z);
	if (!err[0])
		snprintf(err, errlen, "%s: cannot load", file);
	return NULL;
}

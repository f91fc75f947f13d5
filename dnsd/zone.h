/*
 * zone — one zone loaded from a master file and compiled into an
 * immutable lookup structure.
 *
 * Contract: zone_load() reads the file with the zone file reader
 * (zparse.h: $ORIGIN, $TTL, $INCLUDE; regular files only), checks it
 * (exactly one SOA, at the apex; NS at the apex; no CNAME beside other
 * data except RRSIG/NSEC/NSEC3; out-of-zone records dropped with a
 * warning) and compiles it: every name (including empty non-terminals)
 * becomes a node in one array sorted in canonical order, each node's
 * RRsets are ready wire records, RRSIGs are grouped by the type they
 * cover, and NSEC3 hashes are precomputed and sorted.  The records read
 * are freed before zone_load() returns.  On failure it returns NULL and a
 * one-line reason ("file:line: what") in err.  A loaded zone is read-only:
 * any number of threads may look things up without locks.  Zones are
 * reference counted (zone_ref()/zone_unref()) so that snapshots can share
 * them.  Exact lookups use a hash table (O(1)); the canonical-order
 * predecessor needed for NSEC proofs is a binary search (O(log n)).
 */
#ifndef RAIZ_DNSD_ZONE_H
#define RAIZ_DNSD_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dnsd/dname.h"

#define NSEC3_HASH_LEN 20	/* SHA-1, the only NSEC3 hash defined */

/* One RRset.  Its records are stored back to back in zone->rdata as
 * [ttl u32][rdlength u16][rdata] (network order, names uncompressed).
 * sig_* describe the RRSIG records covering this type, stored the same
 * way; for the RRset of type RRSIG itself they are empty and the RRset
 * holds all the RRSIGs of the node. */
struct zrrset {
	uint16_t type;
	uint16_t count;
	uint16_t sig_count;
	uint16_t order;		/* rank of first appearance in the file among the node's RRsets */
	uint32_t off, len;
	uint32_t sig_off, sig_len;
};

enum {
	ZN_NSEC3ONLY = 1 << 0,	/* only NSEC3 (+RRSIG): not a name of the zone */
	ZN_CUT = 1 << 1,	/* NS below the apex: a delegation point */
	ZN_WILDCARD = 1 << 2,	/* first label is '*' */
};

struct znode {
	uint32_t name;		/* offset in zone->names: wire name, case as loaded */
	uint32_t key;		/* offset in zone->names: key (see dname.h) */
	uint8_t keylen;
	uint8_t labels;
	uint16_t flags;
	uint16_t nrrsets;	/* 0 = empty non-terminal */
	uint16_t pad;
	uint32_t rrsets;	/* first index in zone->rrsets, sorted by type */
	int32_t parent;		/* -1 for the apex */
	int32_t wild;		/* child node '*', or -1 */
	int32_t nsec;		/* nearest node at or before this one with NSEC, or -1 */
	int32_t deleg;		/* highest delegation point at or above, or -1 */
	int32_t nsec3;		/* index in zone->nsec3 of the NSEC3 matching this name, or -1 */
	int32_t dname;		/* lowest proper ancestor below the apex with a DNAME, or -1 */
};

struct zn3 {
	uint8_t hash[NSEC3_HASH_LEN];
	int32_t node;		/* node holding that NSEC3 RRset */
};

struct zone {
	char *name;		/* presentation format, as configured */
	uint8_t apex[DNAME_MAX];
	uint8_t apex_key[DNAME_MAX];
	size_t apex_len, apex_keylen;
	unsigned apex_labels;

	struct znode *nodes;
	size_t nnodes;
	struct zrrset *rrsets;
	size_t nrrsets;
	uint8_t *rdata;
	size_t rdata_len;
	uint8_t *names;
	size_t names_len;

	/* exact-match index: open addressing, node index + 1 (0 = empty) */
	uint32_t *htab;
	size_t hmask;

	/* NSEC3 chain (empty when the zone has no NSEC3PARAM) */
	struct zn3 *nsec3;
	size_t nnsec3;
	bool has_nsec3;
	uint8_t n3_alg;
	uint16_t n3_iter;
	uint8_t n3_saltlen;
	uint8_t n3_salt[255];

	uint32_t serial;
	uint32_t soa_nx_ttl;	/* min(SOA TTL, SOA MINIMUM): TTL of SOA in negative answers */
	size_t records;
	/* bytes of rdata, names and rrsets no node uses any more: left
	 * behind by zsplice.h (an IXFR applied in place of a rebuild) */
	size_t dead;

	/* identity of the files read (the zone file first, then the
	 * $INCLUDEd ones), for sharing unchanged zones across reloads */
	char *file;
	struct zfile {
		char *path;
		off_t size;
		int64_t mtime_ns;
	} *files;
	size_t nfiles;

	int refs;		/* atomic */
};

/* load and compile; NULL with a reason in err on failure */
struct zone *zone_load(const char *name, const char *file, char *err, size_t errlen);
/* compile the records a caller put into R (zread_init() + zread_add_rr(),
 * e.g. from a zone transfer) with the same checks as zone_load(); R keeps
 * its records (the caller frees it).  NULL with a reason in err. */
struct zread;
struct zone *zone_build(const char *name, struct zread *R, char *err, size_t errlen);
/* zone_load() of this many bytes read or more (record data, names and
 * list) compiles with a smaller peak: the zone's RRsets then lie in the
 * order of the file, not in canonical order (zone.c; tests set it to 0 to
 * use that path on small zones) */
extern size_t zone_lowmem_min;
/* true when the zone was loaded from `file` and none of the files it read
 * changed since (same size and mtime) */
bool zone_files_unchanged(const struct zone *z, const char *file);
struct zone *zone_ref(struct zone *z);
void zone_unref(struct zone *z);

static inline const uint8_t *znode_name(const struct zone *z, const struct znode *n)
{
	return z->names + n->name;
}
static inline const uint8_t *znode_key(const struct zone *z, const struct znode *n)
{
	return z->names + n->key;
}
static inline const struct zrrset *znode_rrsets(const struct zone *z, const struct znode *n)
{
	return z->rrsets + n->rrsets;
}

/* Walking every record of a compiled zone, in canonical owner order; at
 * one owner by type, RRSIG records (type 46) once each, grouped by the
 * type they cover.  Not the RFC 4034 canonical RR order within an RRset
 * (rdata are in file order): users that need it (ZONEMD) sort an RRset
 * themselves.  No allocation; the zone must outlive the iterator. */
struct zone_rr {
	const uint8_t *owner;	/* wire name, case as loaded */
	int32_t node;		/* index in z->nodes */
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;
};
struct zone_iter {
	const struct zone *z;
	size_t node, last;
	unsigned rrset;
	uint32_t off, end;	/* the current RRset's records in z->rdata */
};
void zone_iter_init(struct zone_iter *it, const struct zone *z);
/* the same over the records of node i only */
void zone_iter_node(struct zone_iter *it, const struct zone *z, int32_t i);
/* false at the end */
bool zone_iter_next(struct zone_iter *it, struct zone_rr *rr);

/* the RRset of `type` at node i, or NULL */
const struct zrrset *zone_rrset(const struct zone *z, int32_t i, uint16_t type);

/* the node with exactly this key, or -1 (hash lookup, O(1)) */
int32_t zone_lookup(const struct zone *z, const uint8_t *key, size_t keylen);
/* the closest existing ancestor-or-self of key (key at or below the apex):
 * hash lookups of its ancestors, O(labels) */
int32_t zone_closest(const struct zone *z, const uint8_t *key, size_t keylen, bool *exact);
/* Index of the last node whose key is <= key (-1 if none); *exact tells
 * whether it is equal.  key must be at or below the apex.  O(log n). */
int32_t zone_find(const struct zone *z, const uint8_t *key, size_t keylen, bool *exact);
/* Warming a batch of lookups.  On a zone larger than the caches each
 * lookup is a chain of dependent misses (hash slot, node, key, RRsets);
 * a worker holding a batch of queries runs zone_pf_start() for every
 * query, then zone_pf_nodes() for every query, then zone_pf_data()
 * (query_warm() in query.h does it), so that the fetches of different
 * queries overlap, and the lookups that follow (zone_closest() and
 * zone_rrset() of the qname and its deepest ancestors) find their lines
 * in the cache.  Hints only: nothing is written, no result changes,
 * skipping them costs only time.  z may be NULL (nothing to warm).
 * zone_pf_worth(): whether z is large enough for warming to pay (a small
 * zone's tables stay in the caches; warming them is only instructions);
 * the caller decides (zoneset_warm()).  Not warmed, measured and left
 * out: the records of the RRsets, and the NSEC3 of a denial (hashing the
 * next closer name twice cost what the prefetch saved). */
enum { ZONE_PF_KEYS = 4 };
struct zone_pf {
	const struct zone *z;
	unsigned n;
	uint32_t slot[ZONE_PF_KEYS];	/* hash slot of each candidate key */
	uint32_t node[ZONE_PF_KEYS];	/* the slot's content (node + 1, 0 empty) */
	uint8_t len[ZONE_PF_KEYS];	/* candidate key length */
};
bool zone_pf_worth(const struct zone *z);
void zone_pf_start(struct zone_pf *pf, const struct zone *z, const uint8_t *key, size_t keylen);
void zone_pf_nodes(struct zone_pf *pf);
void zone_pf_data(const struct zone_pf *pf);

/* index in z->nsec3 of the NSEC3 whose hash covers (or matches) hash */
int32_t zone_nsec3_cover(const struct zone *z, const uint8_t *hash);
/* NSEC3 hash of a wire name with the zone's parameters; false if not NSEC3 */
bool zone_nsec3_hash(const struct zone *z, const uint8_t *name, uint8_t *out);

#endif

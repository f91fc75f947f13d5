/*
 * zsplice — the next version of a compiled zone from the new contents of a
 * few owners, without compiling the rest again: how an IXFR of a few
 * records into a large zone costs little more than copying it (ixfr.h).
 *
 * Contract: zsplice_apply(old, part, keys, n) returns a new zone that holds
 * every node of `old` whose owner is not among keys[0..n) (dname.h keys,
 * canonical order, unique, the apex among them) as it was, and for each
 * of those owners what `part` holds: `part` is zone_build() of the
 * complete new record set of exactly those owners (the apex included), so
 * that every per-owner check of the compile has been made on them.  Empty
 * non-terminals are added and dropped as the owners below them come and
 * go.  The result is the zone zone_build() makes of the same records:
 * zsplice_same() compares two zones node by node (names, derived fields,
 * hash table, RRsets, record bytes, NSEC3 chain) and the tests and
 * fuzz/fuzz_xfrin check every IXFR they apply both ways.  One difference
 * is allowed: the order of a node's RRsets in an ANY answer (zrrset.order,
 * that of the records as they came) is kept by a splice for the owners it
 * does not touch, where a rebuild carries every record over in type order.
 *
 * How: the node array is merged (O(nodes), no sorting); old's record
 * data, names and RRsets are copied whole and part's appended, so every
 * unchanged node's offsets stay valid and the parts of old that the
 * replaced owners used stay behind unused, counted in zone->dead (the
 * caller compacts by a full rebuild when they grow); the derived fields
 * and the hash table are computed again (linear, cheap); the NSEC3 chain
 * is merged and only the new names are hashed.  Neither input changes.
 * NULL with a reason in err when out of memory or beyond 32-bit offsets.
 */
#ifndef RAIZ_DNSD_ZSPLICE_H
#define RAIZ_DNSD_ZSPLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/dname.h"

struct zone;

struct zsplice_key {
	uint8_t len;
	uint8_t key[DNAME_MAX];
};

struct zone *zsplice_apply(const struct zone *old, const struct zone *part,
			   const struct zsplice_key *keys, size_t nkeys, char *err, size_t errlen);

/* true when a and b answer every question alike (the comparison above);
 * else false and the first difference in why */
bool zsplice_same(const struct zone *a, const struct zone *b, char *why, size_t whylen);

#endif

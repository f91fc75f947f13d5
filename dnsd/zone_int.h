/*
 * zone_int — the parts of zone.c that zsplice.c builds a zone with; not
 * for anyone else.
 *
 * Contract: zone_new() makes an empty zone for the apex R names (refs 1);
 * zone_free() frees one whatever its state.  Given nodes in canonical
 * order with their names, RRsets, record data and parents set,
 * zone_derive() computes every other per-node field except nsec3,
 * zone_index() the exact-match hash table and zone_nsec3_chain() the
 * NSEC3 chain and each node's nsec3 (hashing every name: the costly one).
 * zone_index_patch() makes z's hash table from old's when z's nodes are
 * old's with some keys gone and some added: okey[o] is z's index of old
 * node o's key (-1: gone), added[] z's indices of the keys old lacked;
 * O(table) with no hashing but of the keys that move (it falls back on
 * zone_index() when z needs a table of another size).
 * These three return -1 when out of memory.
 */
#ifndef RAIZ_DNSD_ZONE_INT_H
#define RAIZ_DNSD_ZONE_INT_H

#include <stddef.h>
#include <stdint.h>

struct zone;
struct zread;

struct zone *zone_new(const char *name, const char *file, struct zread *R, char *err,
		      size_t errlen);
void zone_free(struct zone *z);
void zone_derive(struct zone *z);
int zone_index(struct zone *z);
int zone_index_patch(struct zone *z, const struct zone *old, const int32_t *okey,
		     const int32_t *added, size_t nadded);
int zone_nsec3_chain(struct zone *z);

#endif

/*
 * zoneset — the immutable set of compiled zones one snapshot serves.
 *
 * Contract: zoneset_build() loads every configured zone (ldns parser),
 * checks it (SOA and apex NS present, no CNAME beside other data,
 * out-of-zone data dropped with a warning) and compiles it into read-only
 * lookup structures.  A zone that fails to load is logged and left out
 * (queries for it get REFUSED) unless `prev` holds a loaded version of the
 * same zone, which is then kept (shared, reference counted) and served
 * on.  A zone whose file is unchanged (same path, size and mtime) is also
 * shared from `prev` instead of being parsed again.  After building, the
 * set is never modified: any number of threads may read it without locks.
 * zoneset_free() drops the set's references; zones shared with another set
 * live on until the last set holding them is freed.
 *
 * Secondary zones (raiz.json "primaries") are never read here: their
 * copies come from transfers (xfrd.h), which publish them with
 * zoneset_with(), a new set sharing every zone but one; zoneset_build()
 * carries them over from `prev`.  A secondary past its SOA expire is kept
 * in the set as "expired": names in it get SERVFAIL, not REFUSED.
 * Catalog zones (RFC 9432) are in the set but never answered; their
 * members are entries that raiz.json does not list, carried over by
 * zoneset_build() while their catalog is configured.
 */
#ifndef RAIZ_DNSD_ZONESET_H
#define RAIZ_DNSD_ZONESET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct raiz_config;
struct zone;
struct zoneset;

struct zoneset *zoneset_build(const struct raiz_config *cfg, const struct zoneset *prev);
void zoneset_free(struct zoneset *zs);

/* introspection for logs, stats and the control socket */
size_t zoneset_count(const struct zoneset *zs);
struct zoneset_info {
	const char *name;     /* zone name as configured, presentation format */
	bool loaded;          /* false: not served (REFUSED) */
	uint32_t serial;      /* SOA serial when loaded */
	size_t records;       /* number of RRs served */
	const char *error;    /* last load error, NULL if none */
	bool secondary;       /* copies come from primaries */
	bool expired;         /* secondary past expire: SERVFAIL */
	bool is_catalog;      /* a catalog zone: transferred, never answered (REFUSED) */
	const char *catalog;  /* a catalog's member: its catalog, else NULL */
	const char *group;    /* the member's group, or NULL */
};
void zoneset_info(const struct zoneset *zs, size_t i, struct zoneset_info *out);

/* a new set like zs with entry i serving z (taken over; NULL = not
 * served), marked expired or not, with that error; NULL on allocation
 * failure */
struct zoneset *zoneset_with(const struct zoneset *zs, size_t i, struct zone *z, bool expired,
			     const char *error);
/* a new set like zs with one more entry: a member of a catalog zone
 * (catalog.h), without a copy yet; and one without entry i.  NULL on
 * allocation failure. */
struct zoneset *zoneset_add_member(const struct zoneset *zs, const char *name,
				   const char *catalog, const char *group);
struct zoneset *zoneset_remove(const struct zoneset *zs, size_t i);
/* a set serving z alone (a new reference), as zone `name`; NULL on
 * allocation failure or a bad name */
struct zoneset *zoneset_one(const char *name, struct zone *z);
/* the key (dname.h) of a zone name in presentation format: 0, or -1 when
 * it is not a name */
int zoneset_name_key(const char *name, uint8_t *key, size_t *keylen);
/* the entry of the zone with this name, or -1 */
int zoneset_index(const struct zoneset *zs, const char *name);
/* the zone entry i serves (no new reference), or NULL */
struct zone *zoneset_zone(const struct zoneset *zs, size_t i);

/* for the answering engine (query.c, answer.c): the loaded zone whose apex
 * is the closest ancestor-or-self of the name with this key (dname.h), or
 * NULL; and the loaded zone closest above a zone's apex, or NULL */
struct zone;
const struct zone *zoneset_find(const struct zoneset *zs, const uint8_t *key, size_t keylen);
/* the same, telling whether the name falls in an expired zone (then NULL) */
const struct zone *zoneset_lookup(const struct zoneset *zs, const uint8_t *key, size_t keylen,
				  bool *expired);
const struct zone *zoneset_parent(const struct zoneset *zs, const struct zone *z);
/* whether a zone of the set is large enough for warming a batch's
 * lookups to pay (zone.h, zone_pf_worth) */
bool zoneset_warm(const struct zoneset *zs);

#endif

/*
 * catalog — reading a catalog zone (RFC 9432, schema version "2").
 *
 * Contract: catalog_parse() reads the member list out of a compiled
 * catalog zone: "version" TXT "2" at the apex's child; one PTR per member
 * at <unique-id>.zones.<catalog>; the member properties "group" (TXT) and
 * "coo" (change of ownership, PTR) below it; everything else is ignored.
 * A version other than "2" (or none), two PTR records at one unique id, a
 * member name listed twice, a member name that is the root, the catalog
 * itself or below it, or not a printable name, or two "group" values for
 * one member make the whole catalog version invalid: -1 with one reason a
 * NOC can act on ("catalog cat.example.: member id m1 lists 2 zones").
 * The result is sorted by member name.  Pure function of an immutable
 * zone; any thread.
 */
#ifndef RAIZ_DNSD_CATALOG_H
#define RAIZ_DNSD_CATALOG_H

#include <stddef.h>

#include "dnsd/dname.h"

struct zone;

struct catalog_member {
	char name[DNAME_MAX * 4 + 2];   /* presentation, absolute, lowercase */
	char id[64 * 4 + 1];            /* the unique id label, presentation */
	char group[256];                /* "" when none */
	char coo[DNAME_MAX * 4 + 2];    /* "" when none */
};

struct catalog {
	struct catalog_member *m;
	size_t n;
};

int catalog_parse(const struct zone *z, struct catalog *out, char *err, size_t errlen);
void catalog_free(struct catalog *c);
/* the member with this name, or NULL */
const struct catalog_member *catalog_find(const struct catalog *c, const char *name);

#endif

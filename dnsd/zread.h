/*
 * zread — reading a zone's master file(s) into a flat list of records,
 * the first step of zone_load() (zone.h).
 *
 * Contract: zread_file() parses the file with ldns, one record at a time
 * (each ldns record is converted and freed at once), handling $ORIGIN,
 * $TTL and $INCLUDE itself (nested at most ZREAD_MAX_DEPTH deep, at most
 * ZREAD_MAX_FILES files).  Records of another class or outside the zone
 * are dropped with a warning (the first ZREAD_MAX_WARNINGS, then a count).
 * The result is three growable arrays: owner names, rdata, and the records
 * pointing into them, in file order.  Errors are "file:line: reason" in
 * the caller's buffer.  zread_free() releases everything still owned.
 */
#ifndef RAIZ_DNSD_ZREAD_H
#define RAIZ_DNSD_ZREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dnsd/dname.h"

#define ZREAD_MAX_DEPTH 8
#define ZREAD_MAX_FILES 64
#define ZREAD_MAX_WARNINGS 10

/* a growable array of esz-byte elements */
struct zvec {
	void *p;
	size_t n, cap, esz;
};
/* room for count more elements (NULL when out of memory) */
void *zvec_push(struct zvec *v, size_t count);
void zvec_free(struct zvec *v);

/* one record as read from the file */
struct zrec {
	uint32_t owner;		/* offset in names: [keylen][key][namelen][name] */
	uint32_t rd;		/* offset in rdata */
	uint32_t ttl;
	uint32_t line;
	uint32_t seq;		/* position in the file(s) */
	uint16_t type, covered, rdlen, file;
};

struct zread {
	const char *zname;
	uint8_t apex[DNAME_MAX];
	size_t apex_len;
	uint8_t apex_key[DNAME_MAX];
	size_t apex_keylen;
	struct zvec names;	/* bytes */
	struct zvec rdata;	/* bytes */
	struct zvec rrs;	/* struct zrec */
	uint32_t last_owner;
	bool have_last;
	const char *files[ZREAD_MAX_FILES];
	char *owned_files[ZREAD_MAX_FILES];	/* taken over by zone_load() */
	off_t fsize[ZREAD_MAX_FILES];
	int64_t fmtime[ZREAD_MAX_FILES];
	unsigned nfiles;
	char *err;
	size_t errlen;
	size_t dropped;
};

/* set up for the zone `name`; -1 with a reason in err when it is bad */
int zread_init(struct zread *R, const char *name, char *err, size_t errlen);
/* read the zone file (relative $INCLUDEs are relative to its directory) */
int zread_file(struct zread *R, const char *path);
void zread_free(struct zread *R);
/* add one record parsed by ldns (a zone file's, or a transfer's: then
 * `file` 0 names the source in R->files[0] and `line` counts records).
 * Records of another class or outside the zone are dropped with a
 * warning.  0, -1 out of memory, -2 bad record (reason in R->err) */
struct ldns_struct_rr;
int zread_add_rr(struct zread *R, struct ldns_struct_rr *rr, unsigned file, unsigned line);
/* add one record already in wire form (a record of a compiled zone being
 * carried into a new version); the owner must be inside the zone.
 * 0, or -1 out of memory */
int zread_add_wire(struct zread *R, const uint8_t *owner_wire, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen);
/* canonical order: owner (dname.h key order), type, covered type (RRSIG),
 * then position read; zread_sort() puts R's records in that order */
int zread_cmp(const struct zread *R, const struct zrec *a, const struct zrec *b);
void zread_sort(struct zread *R);
/* "file:line: reason" into R->err (line 0: "file: reason") */
void zread_error(struct zread *R, unsigned file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline const uint8_t *zrec_key(const struct zread *R, const struct zrec *r, size_t *len)
{
	const uint8_t *p = (const uint8_t *)R->names.p + r->owner;
	*len = p[0];
	return p + 1;
}

static inline const uint8_t *zrec_wire(const struct zread *R, const struct zrec *r)
{
	const uint8_t *p = (const uint8_t *)R->names.p + r->owner;
	return p + 1 + p[0] + 1;
}

#endif

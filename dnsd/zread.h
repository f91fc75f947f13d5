/*
 * zread — a zone's records as a flat list, the first step of zone_load()
 * (zone.h) and what a zone transfer fills before zone_build().
 *
 * Contract: zread_file() reads the master file with the zone file reader
 * of zparse.h (no ldns text parsing; $ORIGIN, $TTL, $INCLUDE relative to
 * the including file, nested at most ZREAD_MAX_DEPTH deep, at most
 * ZREAD_MAX_FILES files, regular files only, ZREAD_MAX_BYTES in all).
 * zread_file_ldns() is the former reader, ldns's ldns_rr_new_frm_fp_l()
 * one record at a time: kept only as the reference the tests compare the
 * reader with, never on the load path.  Records of another class or
 * outside the zone are dropped with a warning (the first
 * ZREAD_MAX_WARNINGS, then a count).  The result is three growable arrays:
 * owner names, rdata, and the records pointing into them, in file order.
 * Errors are "file:line: reason" in the caller's buffer.  zread_free()
 * releases everything still owned.
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
/* the bytes of a zone's files together (each file checked when opened,
 * all of them as they are read, for a file that grows meanwhile): far
 * above any real zone (a 1,000,000-delegation signed ccTLD is about
 * 500 MB) and about what a compiled zone can hold (4 GiB of record data) */
#define ZREAD_MAX_BYTES (16ULL << 30)

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
/* read the zone file (zparse.h): 0, -1 out of memory, -2 error */
int zread_file(struct zread *R, const char *path);
/* the same with ldns's text parser: the tests' reference only */
int zread_file_ldns(struct zread *R, const char *path);
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
/* for zparse.c: room for n bytes of rdata at the end of R->rdata (not
 * counted yet; NULL when out of memory), then the record whose owner (wire
 * and key, inside the zone) and rdlen bytes of rdata were written there.
 * 0, -1 out of memory, -2 the zone outgrows 32-bit offsets (in R->err) */
uint8_t *zread_reserve(struct zread *R, size_t n);
int zread_append(struct zread *R, const uint8_t *wire, size_t wlen, const uint8_t *key, size_t klen,
		 uint16_t type, uint32_t ttl, size_t rdlen, unsigned file, unsigned line);
/* canonical order: owner (dname.h key order), type, covered type (RRSIG),
 * then position read; zread_sort() puts R's records in that order (in a
 * new R->rrs.p, most of the time: pointers into the old one go stale).
 * It costs O(n) plus O(k log k) for the k runs of one owner that are out
 * of name order: a signer's output (names in order, NSEC3 among them) or
 * an IXFR result needs no full sort. */
int zread_cmp(const struct zread *R, const struct zrec *a, const struct zrec *b);
void zread_sort(struct zread *R);
/* for zone.c: the same order without moving records between places: R's
 * runs (records one after the other with the same owner) each sorted in
 * place, listed in canonical order, the runs of an owner seen in several
 * places next to each other.  *runs is malloc'd (NULL when R is empty).
 * 0, or -1 out of memory. */
struct zrun {
	uint32_t first, count;
	bool same;		/* the same owner as the run before */
};
int zread_runs(struct zread *R, struct zrun **runs, size_t *nruns);
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

/*
 * zparse — the zone file reader: RFC 1035 section 5 master files, read
 * straight into a struct zread (zread.h) without ldns's text parser.
 *
 * Contract: zparse_file() reads a zone file and the files it $INCLUDEs
 * ($INCLUDE file [origin]: a relative file is relative to the including
 * file's directory, the origin relative to the current one; nested
 * at most ZREAD_MAX_DEPTH deep, at most ZREAD_MAX_FILES files) and appends
 * every record to R in file order, owner names and rdata in wire form,
 * with no allocation per record.  Understood: $ORIGIN, $TTL, $INCLUDE,
 * parentheses across lines, comments, quoted strings, \DDD and \X escapes,
 * owner omitted (the previous owner), @, relative and absolute names, TTL
 * and class in either order, the RFC 3597 forms (TYPEnnn, CLASSnnn,
 * \# length hex) for any type, and the presentation form of every type of
 * a root or ccTLD zone (see the table in zparse.c; others go through ldns
 * one record at a time).  An omitted TTL is the last $TTL (3600 before
 * any).  Records of another class than IN or outside the zone are dropped
 * with a warning, like zread_add_rr().
 *
 * Only regular files are read (a symbolic link to one is fine): a FIFO, a
 * device or a directory is refused before any read, so a read never
 * blocks; the files of one zone may hold at most ZREAD_MAX_BYTES bytes in
 * all.  Errors are "file:line: reason" in R->err; the return value is 0,
 * -1 out of memory, -2 bad input (or a file that cannot be read).
 *
 * Opening never blocks either (O_NONBLOCK, for a FIFO nobody writes to).
 *
 * Cost: one pass over the text, one read(2) per 256 KiB: a signed
 * 537 MB, 5-million-record zone in 2.2 s of CPU (ldns's reader: 20 s);
 * zone_load() then compiles it in about 3 s more.  Any thread; R is the
 * caller's.
 */
#ifndef RAIZ_DNSD_ZPARSE_H
#define RAIZ_DNSD_ZPARSE_H

#include <stddef.h>
#include <stdint.h>

struct zread;

int zparse_file(struct zread *R, const char *path);
/* the same over text in memory (fuzzing, tests): `name` names it in
 * messages; $INCLUDE is refused */
int zparse_text(struct zread *R, const char *name, const char *text, size_t len);
/* For a writer of zone files this reader reads back (a stored zone copy):
 * does `line`, one record with an absolute owner, read as a record of
 * this type, TTL and rdata?  1 yes, 0 as another record (do not write it
 * so), -1 not at all (e.g. ldns's text of an odd name; write the RFC 3597
 * form then, which always reads back).  Allocates; any thread. */
int zparse_reads_back(const char *line, uint16_t type, uint32_t ttl, const uint8_t *rdata,
		      size_t rdlen);

#endif

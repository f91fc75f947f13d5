/*
 * zstore — the node's stored copies of secondary (transferred) zones, kept
 * under the state directory so that a restart serves them at once.
 *
 * Contract: each zone is two files in one directory, <fname>.zone (master-
 * file text, absolute owners, one record per line, a comment header naming
 * zone, serial, primary and time; zone_load() reads it back into an
 * identical compiled zone) and <fname>.meta (JSON: serial and timers).
 * zstore_save() writes both as <file>.tmp beside the final name (write,
 * fflush, fsync, close), only then renames the zone and then the meta over
 * the old ones and fsyncs the directory, so a crash (kill -9, power) at any
 * moment or a full disk leaves the previous copy loadable; a stale .tmp
 * from a crash is ignored by zstore_load() and replaced by the next save.
 * Every record is checked to parse back to the same bytes before it is
 * written (RFC 3597 "\#" form when ldns's own text would not); a record
 * that cannot be written either way fails the save.  A crash between the
 * two renames leaves a zone whose serial differs from its meta, which
 * zstore_load() treats as "no timers": meta->serial from the zone,
 * refreshed_at = expire_at = 0 (refresh now), transferred_at = the zone
 * file's mtime, primary/kind empty, and a one-line note in err (empty when
 * the meta was used); the same for a missing or unreadable meta.
 * Cost: writing is O(records) with one ldns print and parse per record;
 * loading is zone_load().
 * Threading: pure file work, no globals; call from a job thread, never the
 * query path.  Different zones may be saved in parallel; calls for one
 * zone must not overlap (they share the .tmp names).
 */
#ifndef RAIZ_DNSD_ZSTORE_H
#define RAIZ_DNSD_ZSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zone;

/* metadata stored beside each copy (a small JSON file, json-c) */
struct zstore_meta {
	uint32_t serial;		/* of the stored zone */
	int64_t refreshed_at;		/* last time the primary confirmed this serial (epoch s) */
	int64_t transferred_at;		/* when this version was received */
	int64_t expire_at;		/* refreshed_at + SOA expire (clamped): stop serving after */
	char primary[64];		/* the primary it came from, "127.0.0.1@53" */
	char kind[8];			/* "AXFR" or "IXFR" */
};

/* <dir>/<fname><.ext>: fname is the zone name (presentation format, with or
 * without the final dot) lowercased, without the final dot, labels joined
 * by '.', every byte outside [a-z0-9-_] escaped as %XX (so a '.' inside a
 * label is %2E), "root" for "." (and "%72oot" for a zone named "root.").
 * ext without the dot ("zone", "meta", "zone.tmp"; NULL or "" for none).
 * 0, or -1 with errno EINVAL (bad name) or ENAMETOOLONG (file name over
 * 240 bytes, or out too small). */
int zstore_path(const char *dir, const char *zname, const char *ext, char *out, size_t outlen);

/* Write zone then meta atomically (see above); creates dir (0750, with its
 * parents) if missing.  0, or -1 with a NOC-readable reason in err, e.g.
 * "writing /var/lib/raiz/zones/br.zone.tmp: No space left on device; the
 * previous copy (serial N) is kept"; the .tmp files are then removed. */
int zstore_save(const char *dir, const struct zone *z, const struct zstore_meta *m, char *err,
		size_t errlen);
/* only the meta file (timers change without a new zone version) */
int zstore_save_meta(const char *dir, const char *zname, const struct zstore_meta *m, char *err,
		     size_t errlen);

/* Load the stored copy.  NULL when there is none (err "no stored copy
 * (<path>)", *missing = true) or it does not load (zone_load()'s reason,
 * *missing = false).  On success m is filled from the .meta file, or as
 * described above when the meta is missing, unreadable or of another
 * serial (err then says why; otherwise err is ""). missing may be NULL. */
struct zone *zstore_load(const char *dir, const char *zname, struct zstore_meta *m, bool *missing,
			 char *err, size_t errlen);

/* remove both files and any .tmp (a zone removed from the configuration);
 * 0 (also when there was nothing), or -1 with errno */
int zstore_remove(const char *dir, const char *zname);

#endif

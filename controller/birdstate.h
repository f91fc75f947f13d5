/*
 * birdstate — the include file that holds a node's intended routing state
 * for BIRD, so that it survives `configure` and BIRD restarts.
 *
 * For every anycast prefix the file defines two constants named after the
 * prefix's static protocol, upper-cased (static protocol raiz_v4 ->
 * RAIZ_V4_WITHDRAWN and RAIZ_V4_DRAIN), each 0 or 1:
 *
 *     define RAIZ_V4_WITHDRAWN = 1;   # 192.0.2.0/24 withdraw
 *     define RAIZ_V4_DRAIN = 0;
 *
 * BIRD's configuration uses them as `disabled RAIZ_V4_WITHDRAWN;` in the
 * static protocol and `if RAIZ_V4_DRAIN = 1 then ...` in the export filter.
 *
 * Contract: birdstate_write() replaces the file atomically (temporary file
 * in the same directory, fsync, rename, fsync of the directory), mode 0644
 * so user bird can read it; on failure the old file is left untouched.
 * birdstate_read() parses a file written by birdstate_write() back (to
 * adopt the state after a controller restart); lines it does not know are
 * errors, constants for protocols not asked for are ignored.
 */
#ifndef RAIZ_BIRDSTATE_H
#define RAIZ_BIRDSTATE_H

#include <stdbool.h>
#include <stddef.h>

#define BIRDSTATE_NAME_MAX 64    /* BIRD symbol names are at most 64 bytes */

struct birdstate_entry {
	const char *proto;       /* static protocol name, a BIRD symbol */
	const char *comment;     /* e.g. the prefix; NULL or printable text */
	bool withdrawn;
	bool drain;
	bool found;              /* birdstate_read(): both constants seen */
};

/* true when name is a plain BIRD symbol: [A-Za-z_][A-Za-z0-9_]*, and
 * short enough for the constants derived from it */
bool birdstate_name_ok(const char *proto);
/* "raiz_v4", "_WITHDRAWN" -> "RAIZ_V4_WITHDRAWN"; -1 when not name_ok */
int birdstate_const(const char *proto, const char *suffix, char *out, size_t outlen);

/* the file's text; 0, or -1 with err */
int birdstate_format(const struct birdstate_entry *e, size_t n, char *buf,
		     size_t buflen, char *err, size_t errlen);
/* 0, or -1 with err ("path: reason") */
int birdstate_write(const char *path, const struct birdstate_entry *e, size_t n,
		    char *err, size_t errlen);
/* fills withdrawn/drain/found of the entries; 0, -1 with err ("path:line:
 * reason"); a missing file is -1 with errno ENOENT */
int birdstate_read(const char *path, struct birdstate_entry *e, size_t n,
		   char *err, size_t errlen);

#endif

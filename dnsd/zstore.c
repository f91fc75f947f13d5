/* zstore — see zstore.h */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json.h>
#include <ldns/ldns.h>

#include "dnsd/zone.h"
#include "dnsd/zparse.h"
#include "dnsd/zstore.h"

#define FNAME_MAX 240		/* leaves room for ".meta.tmp" under NAME_MAX */
#define META_MAX 65536		/* a meta file larger than this is not ours */
#define OWNER_TEXT_MAX (DNAME_MAX * 4 + 2)
#define CLASS_IN 1

/* ---- file names ---- */

static bool fname_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* the file name stem of zone zname (see zstore_path()) */
static int zstore_fname(const char *zname, char *out, size_t outlen)
{
	ldns_rdf *d = NULL;
	if (!zname || !*zname || ldns_str2rdf_dname(&d, zname) != LDNS_STATUS_OK || !d) {
		errno = EINVAL;
		return -1;
	}
	const uint8_t *w = ldns_rdf_data(d);
	size_t wl = ldns_rdf_size(d), n = 0;
	char buf[FNAME_MAX + 8];
	int ret = 0;

	if (wl <= 1) {
		memcpy(buf, "root", 5);
		n = 4;
	}
	for (size_t p = 0; wl > 1 && p < wl && w[p] && ret == 0; p += 1u + w[p]) {
		if (n)
			buf[n++] = '.';
		for (size_t i = 1; i <= w[p] && p + i < wl; i++) {
			uint8_t c = w[p + i];
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if (n + 4 > FNAME_MAX) {
				errno = ENAMETOOLONG;
				ret = -1;
				break;
			}
			if (fname_char_ok(c))
				buf[n++] = (char)c;
			else
				n += (size_t)snprintf(buf + n, 4, "%%%02X", c);
		}
	}
	ldns_rdf_deep_free(d);
	if (ret < 0)
		return -1;
	buf[n] = 0;
	/* a zone named "root." must not share the root zone's files */
	if (wl > 1 && strcmp(buf, "root") == 0)
		memcpy(buf, "%72oot", 7);
	if (strlen(buf) >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

int zstore_path(const char *dir, const char *zname, const char *ext, char *out, size_t outlen)
{
	char fname[FNAME_MAX + 8];
	if (!dir || !*dir) {
		errno = EINVAL;
		return -1;
	}
	if (zstore_fname(zname, fname, sizeof fname) < 0)
		return -1;
	bool e = ext && *ext;
	int n = snprintf(out, outlen, "%s/%s%s%s", dir, fname, e ? "." : "", e ? ext : "");
	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

struct zpaths {
	char zone[PATH_MAX], ztmp[PATH_MAX], meta[PATH_MAX], mtmp[PATH_MAX];
};

static int zpaths_make(struct zpaths *P, const char *dir, const char *zname)
{
	if (zstore_path(dir, zname, "zone", P->zone, sizeof P->zone) < 0 ||
	    zstore_path(dir, zname, "zone.tmp", P->ztmp, sizeof P->ztmp) < 0 ||
	    zstore_path(dir, zname, "meta", P->meta, sizeof P->meta) < 0 ||
	    zstore_path(dir, zname, "meta.tmp", P->mtmp, sizeof P->mtmp) < 0)
		return -1;
	return 0;
}

/* ---- small file helpers ---- */

/* dir and its missing parents, 0750 */
static int mkdir_p(const char *dir)
{
	struct stat st;
	char buf[PATH_MAX];

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	if (strlen(dir) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0750) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0750) < 0 && errno != EEXIST)
		return -1;
	if (stat(dir, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* create tmp for writing, replacing a stale one left by a crash */
static FILE *tmp_create(const char *tmp)
{
	if (unlink(tmp) < 0 && errno != ENOENT)
		return NULL;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return NULL;
	}
	return f;
}

/* flush, fsync, close (always closed); first_err: an errno already seen
 * while writing, or 0.  0, or -1 with errno. */
static int tmp_close(FILE *f, int first_err)
{
	int e = first_err;
	if (fflush(f) != 0 && !e)
		e = errno;
	if (ferror(f) && !e)
		e = EIO;
	if (!e && fsync(fileno(f)) != 0)
		e = errno;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

/* printable ASCII copy of s (at most n bytes) for comments and messages */
static void clean_copy(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && s[i] && k + 1 < dstlen; i++)
		dst[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (dstlen)
		dst[k] = 0;
}

/* serial written in the header of a stored zone file, or from its meta */
static bool stored_serial(const struct zpaths *P, uint32_t *serial)
{
	FILE *f = fopen(P->zone, "re");
	char line[512];
	bool found = false;
	for (int i = 0; f && i < 4 && !found && fgets(line, sizeof line, f); i++) {
		const char *s = strstr(line, "; serial ");
		char *end;
		if (s && line[0] == ';') {
			unsigned long v = strtoul(s + 9, &end, 10);
			if (end != s + 9 && v <= UINT32_MAX) {
				*serial = (uint32_t)v;
				found = true;
			}
		}
	}
	if (f)
		fclose(f);
	return found;
}

/* "the previous copy (serial N) is kept" and the like, for error messages */
static void prev_desc(const struct zpaths *P, char *out, size_t outlen)
{
	uint32_t serial;
	struct stat st;
	if (stored_serial(P, &serial))
		snprintf(out, outlen, "the previous copy (serial %" PRIu32 ") is kept", serial);
	else if (stat(P->zone, &st) == 0)
		snprintf(out, outlen, "the previous copy is kept");
	else
		snprintf(out, outlen, "there is no previous copy");
}

/* ---- writing records ---- */

struct zseg {
	uint16_t order;		/* the RRset's rank in the original file */
	size_t first, count;	/* in zw.recs */
};

struct zw {
	const struct zone *z;
	FILE *f;
	int werr;		/* errno of the first failed write */
	ldns_buffer *text;	/* ldns's text of one record */
	ldns_buffer *line;	/* the line written */
	struct zone_rr *recs;	/* the current node's records */
	size_t nrecs, caprecs;
	struct zseg *segs;	/* its RRsets */
	size_t nsegs, capsegs;
	char *why;		/* reason for a record that cannot be written */
	size_t whylen;
	uint8_t wire[DNAME_MAX + 10 + 65535];
};

/* owner name as text: letters, digits, '-', '_' and a lone '*' as they are,
 * every other byte \DDD, so no line starts with '$' and no byte needs
 * ldns's escaping rules */
static void owner_text(const uint8_t *name, char *out)
{
	size_t n = 0;
	if (!name[0]) {
		strcpy(out, ".");
		return;
	}
	for (const uint8_t *p = name; *p; p += 1u + *p) {
		for (unsigned i = 1; i <= *p; i++) {
			uint8_t c = p[i];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_' || (c == '*' && *p == 1))
				out[n++] = (char)c;
			else
				n += (size_t)snprintf(out + n, 5, "\\%03u", c);
		}
		out[n++] = '.';
	}
	out[n] = 0;
}

/* end the line in w->line: no trailing blanks, no line break inside,
 * NUL-terminated (not counted in the position) */
static bool line_finish(ldns_buffer *b)
{
	if (!ldns_buffer_status_ok(b))
		return false;
	size_t n = ldns_buffer_position(b);
	const char *s = (const char *)ldns_buffer_begin(b);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (memchr(s, '\n', n) || memchr(s, '\r', n) || memchr(s, 0, n))
		return false;
	ldns_buffer_set_position(b, n);
	if (!ldns_buffer_reserve(b, 1))
		return false;
	ldns_buffer_write_u8(b, 0);
	ldns_buffer_set_position(b, n);
	return true;
}

/* does the line parse back to exactly this record? */
static bool parses_back(const char *text, const struct zone_rr *r)
{
	ldns_rr *b = NULL;
	bool ok = false;
	if (ldns_rr_new_frm_str(&b, text, 0, NULL, NULL) != LDNS_STATUS_OK || !b)
		goto out;
	ldns_rdf *own = ldns_rr_owner(b);
	size_t ol = dname_len(r->owner);
	if (ldns_rr_get_class(b) != CLASS_IN || (uint16_t)ldns_rr_get_type(b) != r->type ||
	    ldns_rr_ttl(b) != r->ttl || !own || ldns_rdf_size(own) != ol ||
	    memcmp(ldns_rdf_data(own), r->owner, ol) != 0)
		goto out;
	size_t off = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(b); i++) {
		ldns_rdf *f = ldns_rr_rdf(b, i);
		size_t n = ldns_rdf_size(f);
		if (off + n > r->rdlen || memcmp(ldns_rdf_data(f), r->rdata + off, n) != 0)
			goto out;
		off += n;
	}
	/* and zone_load()'s reader (zparse.h) must read it the same way: ldns
	 * prints some odd names unescaped, which that reader refuses */
	ok = off == r->rdlen && zparse_reads_back(text, r->type, r->ttl, r->rdata, r->rdlen) == 1;
out:
	if (b)
		ldns_rr_free(b);
	return ok;
}

/* one record as a line in w->line; false when no text form parses back */
static bool rr_line(struct zw *w, const struct zone_rr *r, const char *owner)
{
	/* ldns's presentation of the rdata, behind our owner */
	size_t ol = dname_len(r->owner);
	uint8_t *p = w->wire;
	memcpy(p, r->owner, ol);
	p += ol;
	*p++ = (uint8_t)(r->type >> 8);
	*p++ = (uint8_t)r->type;
	*p++ = 0;
	*p++ = CLASS_IN;
	*p++ = (uint8_t)(r->ttl >> 24);
	*p++ = (uint8_t)(r->ttl >> 16);
	*p++ = (uint8_t)(r->ttl >> 8);
	*p++ = (uint8_t)r->ttl;
	*p++ = (uint8_t)(r->rdlen >> 8);
	*p++ = (uint8_t)r->rdlen;
	memcpy(p, r->rdata, r->rdlen);
	p += r->rdlen;

	ldns_rr *rr = NULL;
	size_t pos = 0, len = (size_t)(p - w->wire);
	if (ldns_wire2rr(&rr, w->wire, len, &pos, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK && rr &&
	    pos == len) {
		ldns_buffer_clear(w->text);
		ldns_status s = ldns_rr2buffer_str_fmt(w->text, ldns_output_format_nocomments, rr);
		ldns_rr_free(rr);
		rr = NULL;
		const char *t = (const char *)ldns_buffer_begin(w->text);
		size_t tl = ldns_buffer_position(w->text);
		const char *tab = s == LDNS_STATUS_OK ? memchr(t, '\t', tl) : NULL;
		if (tab) {
			ldns_buffer_clear(w->line);
			ldns_buffer_printf(w->line, "%s", owner);
			if (ldns_buffer_reserve(w->line, tl - (size_t)(tab - t)))
				ldns_buffer_write(w->line, tab, tl - (size_t)(tab - t));
			if (line_finish(w->line) &&
			    parses_back((const char *)ldns_buffer_begin(w->line), r))
				return true;
		}
	}
	if (rr)
		ldns_rr_free(rr);

	/* RFC 3597 */
	ldns_buffer_clear(w->line);
	ldns_buffer_printf(w->line, "%s\t%" PRIu32 "\tIN\t", owner, r->ttl);
	ldns_rr_type2buffer_str(w->line, (ldns_rr_type)r->type);
	ldns_buffer_printf(w->line, "\t\\# %u%s", (unsigned)r->rdlen, r->rdlen ? " " : "");
	for (unsigned i = 0; i < r->rdlen; i++)
		ldns_buffer_printf(w->line, "%02x", r->rdata[i]);
	return line_finish(w->line) && parses_back((const char *)ldns_buffer_begin(w->line), r);
}

static void zw_write(struct zw *w, const void *s, size_t n)
{
	if (w->werr)
		return;
	if (n && fwrite(s, 1, n, w->f) != n)
		w->werr = errno ? errno : EIO;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct zseg *x = a, *y = b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* write the buffered node: its RRsets in the order they had in the file
 * the zone was compiled from, so that zone_load() ranks them the same */
static int zw_flush_node(struct zw *w)
{
	char owner[OWNER_TEXT_MAX];
	if (!w->nrecs)
		return 0;
	owner_text(w->recs[0].owner, owner);
	qsort(w->segs, w->nsegs, sizeof *w->segs, seg_cmp);
	for (size_t s = 0; s < w->nsegs && !w->werr; s++) {
		for (size_t i = 0; i < w->segs[s].count && !w->werr; i++) {
			const struct zone_rr *r = &w->recs[w->segs[s].first + i];
			if (!rr_line(w, r, owner)) {
				char tb[32];
				ldns_buffer *tbuf = ldns_buffer_new(16);
				if (tbuf && ldns_rr_type2buffer_str(tbuf, (ldns_rr_type)r->type) ==
						    LDNS_STATUS_OK && ldns_buffer_reserve(tbuf, 1)) {
					ldns_buffer_write_u8(tbuf, 0);
					clean_copy(tb, sizeof tb, (const char *)ldns_buffer_begin(tbuf),
						   sizeof tb);
				} else {
					snprintf(tb, sizeof tb, "TYPE%u", (unsigned)r->type);
				}
				if (tbuf)
					ldns_buffer_free(tbuf);
				snprintf(w->why, w->whylen,
					 "record %s %s (%u bytes of rdata) cannot be written as text that "
					 "loads back", owner, tb, (unsigned)r->rdlen);
				return -2;
			}
			zw_write(w, ldns_buffer_begin(w->line), ldns_buffer_position(w->line));
			zw_write(w, "\n", 1);
		}
	}
	w->nrecs = w->nsegs = 0;
	return w->werr ? -1 : 0;
}

static int zw_add(struct zw *w, const struct zone_rr *r)
{
	if (w->nrecs && w->recs[0].node != r->node) {
		int ret = zw_flush_node(w);
		if (ret < 0)
			return ret;
	}
	if (w->nrecs == w->caprecs) {
		size_t nc = w->caprecs ? w->caprecs * 2 : 64;
		struct zone_rr *n = realloc(w->recs, nc * sizeof *n);
		if (!n)
			return -3;
		w->recs = n;
		w->caprecs = nc;
	}
	if (!w->nsegs || w->recs[w->nrecs - 1].type != r->type) {
		if (w->nsegs == w->capsegs) {
			size_t nc = w->capsegs ? w->capsegs * 2 : 16;
			struct zseg *n = realloc(w->segs, nc * sizeof *n);
			if (!n)
				return -3;
			w->segs = n;
			w->capsegs = nc;
		}
		const struct zrrset *rs = zone_rrset(w->z, r->node, r->type);
		struct zseg *sg = &w->segs[w->nsegs++];
		sg->order = rs ? rs->order : 0;
		sg->first = w->nrecs;
		sg->count = 0;
	}
	w->recs[w->nrecs++] = *r;
	w->segs[w->nsegs - 1].count++;
	return 0;
}

/* the zone file's text into f: 0; -1 write error (errno); -2 a record
 * that cannot be written (why); -3 out of memory */
static int zone_write(FILE *f, const struct zone *z, const struct zstore_meta *m, char *why,
		      size_t whylen)
{
	struct zw *w = calloc(1, sizeof *w);
	int ret = 0;
	if (!w)
		return -3;
	w->z = z;
	w->f = f;
	w->why = why;
	w->whylen = whylen;
	w->text = ldns_buffer_new(512);
	w->line = ldns_buffer_new(512);
	if (!w->text || !w->line) {
		ret = -3;
		goto out;
	}

	char zn[300], prim[sizeof m->primary], kind[sizeof m->kind], when[32];
	clean_copy(zn, sizeof zn, z->name ? z->name : "?", sizeof zn);
	clean_copy(prim, sizeof prim, m->primary, sizeof m->primary);
	clean_copy(kind, sizeof kind, m->kind, sizeof m->kind);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (fprintf(f, "; raiz-dnsd stored copy of zone %s (secondary; do not edit)\n"
		    "; serial %" PRIu32 " from %s by %s, written %s\n"
		    "; %zu records\n",
		    zn, z->serial, prim[0] ? prim : "?", kind[0] ? kind : "?", when,
		    z->records) < 0) {
		w->werr = errno ? errno : EIO;
		ret = -1;
		goto out;
	}

	struct zone_iter it;
	struct zone_rr r;
	zone_iter_init(&it, z);
	while (ret == 0 && zone_iter_next(&it, &r))
		ret = zw_add(w, &r);
	if (ret == 0)
		ret = zw_flush_node(w);
	if (ret == 0 && w->werr)
		ret = -1;
out:
	if (ret == -1)
		errno = w->werr ? w->werr : EIO;
	if (w->text)
		ldns_buffer_free(w->text);
	if (w->line)
		ldns_buffer_free(w->line);
	free(w->recs);
	free(w->segs);
	free(w);
	return ret;
}

/* ---- meta ---- */

static int meta_write(FILE *f, const char *zname, const struct zstore_meta *m)
{
	char prim[sizeof m->primary], kind[sizeof m->kind];
	clean_copy(prim, sizeof prim, m->primary, sizeof m->primary);
	clean_copy(kind, sizeof kind, m->kind, sizeof m->kind);
	json_object *o = json_object_new_object();
	if (!o) {
		errno = ENOMEM;
		return -1;
	}
	json_object_object_add(o, "zone", json_object_new_string(zname));
	json_object_object_add(o, "serial", json_object_new_int64(m->serial));
	json_object_object_add(o, "refreshed_at", json_object_new_int64(m->refreshed_at));
	json_object_object_add(o, "transferred_at", json_object_new_int64(m->transferred_at));
	json_object_object_add(o, "expire_at", json_object_new_int64(m->expire_at));
	json_object_object_add(o, "primary", json_object_new_string(prim));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "written_at", json_object_new_int64((int64_t)time(NULL)));
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = 0;
	if (!s) {
		errno = ENOMEM;
		r = -1;
	} else if (fputs(s, f) == EOF || fputc('\n', f) == EOF) {
		r = -1;
	}
	json_object_put(o);
	return r;
}

static bool get_int(json_object *o, const char *key, int64_t lo, int64_t hi, int64_t *v)
{
	json_object *x;
	if (!json_object_object_get_ex(o, key, &x) || !json_object_is_type(x, json_type_int))
		return false;
	errno = 0;
	int64_t n = json_object_get_int64(x);
	if (errno || n < lo || n > hi)
		return false;
	*v = n;
	return true;
}

static void get_str(json_object *o, const char *key, char *out, size_t outlen)
{
	json_object *x;
	out[0] = 0;
	if (json_object_object_get_ex(o, key, &x) && json_object_is_type(x, json_type_string))
		clean_copy(out, outlen, json_object_get_string(x), outlen);
}

/* read and check the meta of zname: 0, or -1 with a short reason */
static int meta_read(const char *path, const char *zname, struct zstore_meta *m, char *why,
		     size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *text = NULL;
	json_object *o = NULL;
	int ret = -1;

	if (fd < 0) {
		snprintf(why, whylen, "%s", errno == ENOENT ? "missing" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > META_MAX) {
		snprintf(why, whylen, "not a meta file");
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "%s", n < 0 ? strerror(errno) : "truncated");
			goto out;
		}
		got += (size_t)n;
	}
	text[got] = 0;
	enum json_tokener_error jerr = json_tokener_success;
	o = json_tokener_parse_verbose(text, &jerr);
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, whylen, "not a JSON object (%s)",
			 o ? "other JSON type" : json_tokener_error_desc(jerr));
		goto out;
	}
	json_object *zo;
	char a[FNAME_MAX + 8], b[FNAME_MAX + 8];
	if (!json_object_object_get_ex(o, "zone", &zo) || !json_object_is_type(zo, json_type_string) ||
	    zstore_fname(json_object_get_string(zo), a, sizeof a) < 0 ||
	    zstore_fname(zname, b, sizeof b) < 0 || strcmp(a, b) != 0) {
		snprintf(why, whylen, "not the meta of this zone");
		goto out;
	}
	int64_t serial;
	if (!get_int(o, "serial", 0, UINT32_MAX, &serial) ||
	    !get_int(o, "refreshed_at", INT64_MIN, INT64_MAX, &m->refreshed_at) ||
	    !get_int(o, "transferred_at", INT64_MIN, INT64_MAX, &m->transferred_at) ||
	    !get_int(o, "expire_at", INT64_MIN, INT64_MAX, &m->expire_at)) {
		snprintf(why, whylen, "serial or timers missing, not integers or out of range");
		goto out;
	}
	m->serial = (uint32_t)serial;
	get_str(o, "primary", m->primary, sizeof m->primary);
	get_str(o, "kind", m->kind, sizeof m->kind);
	ret = 0;
out:
	if (o)
		json_object_put(o);
	free(text);
	close(fd);
	return ret;
}

/* ---- API ---- */

int zstore_save(const char *dir, const struct zone *z, const struct zstore_meta *m, char *err,
		size_t errlen)
{
	struct zpaths P;
	char prev[96], why[OWNER_TEXT_MAX + 128];
	const char *failed = NULL;	/* the path an I/O call failed on */
	const char *what = "writing";

	err[0] = 0;
	if (zpaths_make(&P, dir, z->name) < 0) {
		snprintf(err, errlen, "zone %s: no file name for it in %s: %s", z->name, dir,
			 strerror(errno));
		return -1;
	}
	prev_desc(&P, prev, sizeof prev);
	if (mkdir_p(dir) < 0) {
		snprintf(err, errlen, "creating %s: %s; %s", dir, strerror(errno), prev);
		return -1;
	}

	/* 1. both .tmp files, complete and on disk */
	FILE *f = tmp_create(P.ztmp);
	if (!f) {
		failed = P.ztmp;
		goto io_fail;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	int r = zone_write(f, z, m, why, sizeof why);
	int e = r == -1 ? errno : 0;
	if (r == -2 || r == -3) {
		fclose(f);
		unlink(P.ztmp);
		snprintf(err, errlen, "zone %s: %s; %s", z->name, r == -3 ? "out of memory" : why,
			 prev);
		return -1;
	}
	if (tmp_close(f, e) < 0) {
		failed = P.ztmp;
		goto io_fail;
	}
	f = tmp_create(P.mtmp);
	if (!f) {
		failed = P.mtmp;
		goto io_fail;
	}
	e = meta_write(f, z->name, m) < 0 ? errno : 0;
	if (tmp_close(f, e) < 0) {
		failed = P.mtmp;
		goto io_fail;
	}

	/* 2. zone, then meta (a crash in between leaves a serial mismatch,
	 * which zstore_load() handles), then the directory */
	what = "renaming to";
	if (rename(P.ztmp, P.zone) < 0) {
		failed = P.zone;
		goto io_fail;
	}
	if (rename(P.mtmp, P.meta) < 0) {
		e = errno;
		unlink(P.mtmp);
		snprintf(err, errlen, "renaming to %s: %s; the zone (serial %" PRIu32 ") is stored "
			 "but without its timers: it will be refreshed at the next start",
			 P.meta, strerror(e), z->serial);
		return -1;
	}
	if (fsync_dir(dir) < 0) {
		snprintf(err, errlen, "syncing directory %s: %s; the new copy (serial %" PRIu32
			 ") may not survive a power loss", dir, strerror(errno), z->serial);
		return -1;
	}
	return 0;

io_fail:
	e = errno;
	unlink(P.ztmp);
	unlink(P.mtmp);
	snprintf(err, errlen, "%s %s: %s; %s", what, failed, strerror(e), prev);
	return -1;
}

int zstore_save_meta(const char *dir, const char *zname, const struct zstore_meta *m, char *err,
		     size_t errlen)
{
	struct zpaths P;
	const char *what = "writing", *failed = P.mtmp;

	err[0] = 0;
	if (zpaths_make(&P, dir, zname) < 0) {
		snprintf(err, errlen, "zone %s: no file name for it in %s: %s", zname, dir,
			 strerror(errno));
		return -1;
	}
	if (mkdir_p(dir) < 0) {
		what = "creating";
		failed = dir;
		goto fail;
	}
	FILE *f = tmp_create(P.mtmp);
	if (!f)
		goto fail;
	int e = meta_write(f, zname, m) < 0 ? errno : 0;
	if (tmp_close(f, e) < 0)
		goto fail;
	if (rename(P.mtmp, P.meta) < 0) {
		what = "renaming to";
		failed = P.meta;
		goto fail;
	}
	if (fsync_dir(dir) < 0) {
		what = "syncing directory";
		failed = dir;
		snprintf(err, errlen, "%s %s: %s; the new metadata may not survive a power loss",
			 what, failed, strerror(errno));
		return -1;
	}
	return 0;
fail:
	e = errno;
	unlink(P.mtmp);
	snprintf(err, errlen, "%s %s: %s; the previous metadata is kept", what, failed, strerror(e));
	return -1;
}

struct zone *zstore_load(const char *dir, const char *zname, struct zstore_meta *m, bool *missing,
			 char *err, size_t errlen)
{
	struct zpaths P;
	struct stat st;
	struct zstore_meta mm, dummy;
	char why[160];

	if (!m)
		m = &dummy;
	memset(m, 0, sizeof *m);
	if (missing)
		*missing = false;
	err[0] = 0;
	if (zpaths_make(&P, dir, zname) < 0) {
		snprintf(err, errlen, "zone %s: no file name for it in %s: %s", zname, dir,
			 strerror(errno));
		return NULL;
	}
	if (stat(P.zone, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			if (missing)
				*missing = true;
			snprintf(err, errlen, "no stored copy (%s)", P.zone);
		} else {
			snprintf(err, errlen, "%s: %s", P.zone, strerror(errno));
		}
		return NULL;
	}
	struct zone *z = zone_load(zname, P.zone, err, errlen);
	if (!z)
		return NULL;

	memset(&mm, 0, sizeof mm);
	if (meta_read(P.meta, zname, &mm, why, sizeof why) == 0) {
		if (mm.serial == z->serial) {
			*m = mm;
			return z;
		}
		snprintf(why, sizeof why, "serial %" PRIu32 " there, the stored zone has %" PRIu32,
			 mm.serial, z->serial);
	}
	m->serial = z->serial;
	m->transferred_at = (int64_t)st.st_mtime;
	snprintf(err, errlen, "%s: %s; serial %" PRIu32 " is served but needs a refresh now",
		 P.meta, why, z->serial);
	return z;
}

int zstore_remove(const char *dir, const char *zname)
{
	struct zpaths P;
	int e = 0;
	bool removed = false;

	if (zpaths_make(&P, dir, zname) < 0)
		return -1;
	const char *paths[4] = { P.meta, P.zone, P.ztmp, P.mtmp };
	for (int i = 0; i < 4; i++) {
		if (unlink(paths[i]) == 0)
			removed = true;
		else if (errno != ENOENT && !e)
			e = errno;
	}
	if (removed && fsync_dir(dir) < 0 && !e)
		e = errno;
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

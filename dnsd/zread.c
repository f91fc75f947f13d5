/* zread — see zread.h */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ldns/ldns.h>

#include "common/log.h"
#include "dnsd/zparse.h"
#include "dnsd/zread.h"

#define T_RRSIG 46
#define MAX_INCLUDE_DEPTH ZREAD_MAX_DEPTH
#define MAX_FILES ZREAD_MAX_FILES
#define MAX_DROP_WARNINGS ZREAD_MAX_WARNINGS

void *zvec_push(struct zvec *v, size_t count)
{
	/* also when count is 0 and nothing is allocated yet: NULL + 0 is
	 * undefined behaviour, and NULL would read as out of memory */
	if (v->n + count > v->cap || !v->p) {
		size_t nc = v->cap ? v->cap * 2 : 1024;
		while (nc < v->n + count)
			nc *= 2;
		void *np = realloc(v->p, nc * v->esz);
		if (!np)
			return NULL;
		v->p = np;
		v->cap = nc;
	}
	void *r = (char *)v->p + v->n * v->esz;
	v->n += count;
	return r;
}

int zread_cmp(const struct zread *R, const struct zrec *x, const struct zrec *y)
{
	size_t xl, yl;
	const uint8_t *xk = zrec_key(R, x, &xl);
	const uint8_t *yk = zrec_key(R, y, &yl);
	int c = (x->owner == y->owner) ? 0 : dname_key_cmp(xk, xl, yk, yl);
	if (c)
		return c;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->covered != y->covered)
		return x->covered < y->covered ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int zread_qcmp(const void *a, const void *b, void *ctx)
{
	return zread_cmp(ctx, a, b);
}

/* the records of one owner, rrs[0..n): by type, covered type, position */
static void sort_owner(struct zread *R, struct zrec *rrs, size_t n)
{
	if (n > 16) {
		qsort_r(rrs, n, sizeof *rrs, zread_qcmp, R);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct zrec t = rrs[i];
		size_t j = i;
		while (j > 0 && zread_cmp(R, &rrs[j - 1], &t) > 0) {
			rrs[j] = rrs[j - 1];
			j--;
		}
		rrs[j] = t;
	}
}

/* a run of records with the same owner, as read; pfx orders the runs
 * as far as the first 8 bytes of the owner's label below the apex go
 * (canonical order where they differ, equal where they do not) */
struct zgroup {
	uint64_t pfx;
	uint32_t first, count;
};

static uint64_t group_pfx(const struct zread *R, const struct zrec *r)
{
	size_t kl, o = R->apex_keylen;
	const uint8_t *k = zrec_key(R, r, &kl);
	uint64_t v = 0;
	size_t l = o < kl ? k[o] : 0;
	for (size_t i = 0; i < 8; i++)
		v = v << 8 | (i < l && o + 1 + i < kl ? k[o + 1 + i] : 0);
	return v;
}

/* runs by owner, then position */
static int group_cmp(const struct zread *R, const struct zgroup *a, const struct zgroup *b)
{
	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	const struct zrec *rrs = R->rrs.p;
	const struct zrec *x = &rrs[a->first], *y = &rrs[b->first];
	if (x->owner != y->owner) {
		size_t xl, yl;
		const uint8_t *xk = zrec_key(R, x, &xl), *yk = zrec_key(R, y, &yl);
		int c = dname_key_cmp(xk, xl, yk, yl);
		if (c)
			return c;
	}
	return a->first < b->first ? -1 : a->first > b->first;
}

static int group_qcmp(const void *a, const void *b, void *ctx)
{
	return group_cmp(ctx, a, b);
}

static bool same_owner(const struct zread *R, const struct zrec *a, const struct zrec *b)
{
	size_t al, bl;
	const uint8_t *ak, *bk;
	if (a->owner == b->owner)
		return true;
	ak = zrec_key(R, a, &al);
	bk = zrec_key(R, b, &bl);
	return al == bl && memcmp(ak, bk, al) == 0;
}

/* Canonical order without comparing every record with every other: the
 * records come in runs of one owner (short, sorted apart), and a zone file
 * is mostly in name order already (a signer's output is, but for the NSEC3
 * records among the names), so the runs in order are kept as they come
 * and the others are sorted (by owner, then position) and merged in.
 * Returns the runs in that order (malloc'd, *nr of them), NULL when out of
 * memory (the records then are only sorted within their runs). */
static struct zgroup *order_runs(struct zread *R, size_t *nr, bool *in_order)
{
	struct zrec *rrs = R->rrs.p;
	size_t n = R->rrs.n, ng = 1;
	for (size_t i = 1; i < n; i++)
		ng += rrs[i].owner != rrs[i - 1].owner;
	struct zgroup *g = malloc(ng * sizeof *g);
	struct zgroup *a = malloc(ng * sizeof *a);
	if (!g || !a)
		goto fail;
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && rrs[j].owner == rrs[i].owner)
			j++;
		g[k].pfx = group_pfx(R, &rrs[i]);
		g[k].first = (uint32_t)i;
		g[k].count = (uint32_t)(j - i);
		k++;
		sort_owner(R, rrs + i, j - i);
		i = j;
	}
	/* a[]: the runs kept in place; the others go to the front of g[]
	 * (never past the run being looked at).  A run is taken out when it
	 * is before the last one kept, or after the next one that is not. */
	size_t na = 0, nb = 0;
	bool again = false;	/* an owner in two runs */
	for (size_t i = 0; i < ng; i++) {
		struct zgroup cur = g[i];
		bool keep = na == 0 || group_cmp(R, &a[na - 1], &cur) <= 0;
		if (keep && i + 1 < ng && group_cmp(R, &cur, &g[i + 1]) > 0 &&
		    (na == 0 || group_cmp(R, &a[na - 1], &g[i + 1]) <= 0))
			keep = false;
		if (keep) {
			if (na > 0 && a[na - 1].pfx == cur.pfx &&
			    same_owner(R, &rrs[a[na - 1].first], &rrs[cur.first]))
				again = true;
			a[na++] = cur;
		} else {
			g[nb++] = cur;
		}
	}
	*in_order = nb == 0 && !again;
	*nr = ng;
	if (nb == 0) {
		free(g);
		return a;
	}
	if (nb > 1)
		qsort_r(g, nb, sizeof *g, group_qcmp, R);
	/* merge into a new list (g's front half holds b, a is whole) */
	struct zgroup *out = malloc(ng * sizeof *out);
	if (!out)
		goto fail;
	size_t ia = 0, ib = 0, o = 0;
	while (ia < na || ib < nb)
		out[o++] = ib == nb || (ia < na && group_cmp(R, &a[ia], &g[ib]) <= 0) ? a[ia++] : g[ib++];
	free(g);
	free(a);
	return out;
fail:
	free(g);
	free(a);
	return NULL;
}

int zread_runs(struct zread *R, struct zrun **runs, size_t *nruns)
{
	*runs = NULL;
	*nruns = 0;
	if (R->rrs.n == 0)
		return 0;
	bool in_order;
	size_t ng;
	struct zgroup *g = order_runs(R, &ng, &in_order);
	if (!g)
		return -1;
	/* in place: a zrun is no larger than a zgroup */
	const struct zrec *rrs = R->rrs.p;
	struct zrun *r = (struct zrun *)(void *)g;
	uint64_t prev_pfx = 0;
	uint32_t prev_first = 0;
	for (size_t i = 0; i < ng; i++) {
		struct zrun x = { g[i].first, g[i].count, false };
		x.same = i > 0 && g[i].pfx == prev_pfx && same_owner(R, &rrs[prev_first], &rrs[g[i].first]);
		prev_pfx = g[i].pfx;
		prev_first = g[i].first;
		r[i] = x;
	}
	struct zrun *shrunk = realloc(g, ng * sizeof *r);
	*runs = shrunk ? shrunk : r;
	*nruns = ng;
	return 0;
}

/* the records of runs[] in that order into a new array; the runs of an
 * owner seen in several places sorted together */
static bool sort_runs(struct zread *R, const struct zgroup *g, size_t ng)
{
	const struct zrec *rrs = R->rrs.p;
	size_t n = R->rrs.n;
	struct zrec *to = malloc(n * sizeof *to);
	if (!to)
		return false;
	size_t o = 0, run = 0;
	bool merged = false;
	for (size_t i = 0; i < ng; i++) {
		const struct zgroup *x = &g[i];
		if (i > 0 && g[i - 1].pfx == x->pfx && same_owner(R, &rrs[g[i - 1].first], &rrs[x->first])) {
			merged = true;
		} else {
			if (merged)
				sort_owner(R, to + run, o - run);
			merged = false;
			run = o;
		}
		memcpy(to + o, rrs + x->first, x->count * sizeof *to);
		o += x->count;
	}
	if (merged)
		sort_owner(R, to + run, o - run);
	free(R->rrs.p);
	R->rrs.p = to;
	R->rrs.cap = n;
	return true;
}

void zread_sort(struct zread *R)
{
	if (R->rrs.n < 2)	/* (none: rrs.p may be NULL, which qsort_r() must not get) */
		return;
	bool in_order;
	size_t ng;
	struct zgroup *g = order_runs(R, &ng, &in_order);
	if (!g || (!in_order && !sort_runs(R, g, ng)))
		qsort_r(R->rrs.p, R->rrs.n, sizeof(struct zrec), zread_qcmp, R);
	free(g);
}

void zvec_free(struct zvec *v)
{
	free(v->p);
	v->p = NULL;
	v->n = v->cap = 0;
}

void zread_error(struct zread *R, unsigned file, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line)
		snprintf(R->err, R->errlen, "%s:%u: %s", R->files[file], line, msg);
	else
		snprintf(R->err, R->errlen, "%s: %s", R->files[file], msg);
}

static bool is_subdomain_key(const uint8_t *key, size_t keylen, const uint8_t *apex, size_t apexlen)
{
	return keylen >= apexlen && memcmp(key, apex, apexlen) == 0;
}

/* the offset of an owner name in R->names, shared with the previous
 * record when equal */
static int zread_owner(struct zread *R, const uint8_t *wire, size_t wlen, const uint8_t *key,
		       size_t klen, uint32_t *owner)
{
	if (R->have_last) {
		const uint8_t *p = (const uint8_t *)R->names.p + R->last_owner;
		if (p[0] == klen && p[1 + klen] == wlen && memcmp(p + 1 + klen + 1, wire, wlen) == 0) {
			*owner = R->last_owner;
			return 0;
		}
	}
	uint8_t *p = zvec_push(&R->names, 2 + klen + wlen);
	if (!p)
		return -1;
	*owner = (uint32_t)(R->names.n - (2 + klen + wlen));
	p[0] = (uint8_t)klen;
	memcpy(p + 1, key, klen);
	p[1 + klen] = (uint8_t)wlen;
	memcpy(p + 2 + klen, wire, wlen);
	R->last_owner = *owner;
	R->have_last = true;
	return 0;
}

/* append the record whose owner and rdata are already stored */
static int zread_push(struct zread *R, uint32_t owner, uint16_t type, uint32_t ttl, uint32_t rdoff,
		      size_t rdlen, unsigned file, unsigned line)
{
	struct zrec *t = zvec_push(&R->rrs, 1);
	if (!t)
		return -1;
	t->owner = owner;
	t->rd = rdoff;
	t->ttl = ttl;
	t->line = line;
	t->seq = (uint32_t)(R->rrs.n - 1);
	t->type = type;
	t->rdlen = (uint16_t)rdlen;
	t->file = (uint16_t)file;
	t->covered = 0;
	if (type == T_RRSIG && rdlen >= 2) {
		const uint8_t *rd = (const uint8_t *)R->rdata.p + rdoff;
		t->covered = (uint16_t)(rd[0] << 8 | rd[1]);
	}
	return 0;
}

/* add one ldns RR to the loader */
int zread_add_rr(struct zread *R, ldns_rr *rr, unsigned file, unsigned line)
{
	ldns_rdf *own = ldns_rr_owner(rr);
	const uint8_t *wire = ldns_rdf_data(own);
	size_t wlen = ldns_rdf_size(own);
	uint8_t key[DNAME_MAX];
	size_t klen;
	uint16_t type = (uint16_t)ldns_rr_get_type(rr);
	char buf[DNAME_MAX * 4 + 1];

	if (wlen == 0 || wlen > DNAME_MAX)
		return 0;
	klen = dname_key(wire, key);
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		if (R->dropped++ < MAX_DROP_WARNINGS)
			log_warn("zone %s: %s:%u: record of class %u ignored", R->zname,
				 R->files[file], line, (unsigned)ldns_rr_get_class(rr));
		return 0;
	}
	if (!is_subdomain_key(key, klen, R->apex_key, R->apex_keylen)) {
		if (R->dropped++ < MAX_DROP_WARNINGS)
			log_warn("zone %s: %s:%u: out-of-zone data %s ignored", R->zname,
				 R->files[file], line, dname_str(wire, buf, sizeof buf));
		return 0;
	}

	uint32_t owner;
	if (zread_owner(R, wire, wlen, key, klen, &owner) < 0)
		return -1;
	size_t rdlen = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		rdlen += ldns_rdf_size(ldns_rr_rdf(rr, i));
	if (rdlen > 65535) {
		zread_error(R, file, line, "record data too long");
		return -2;
	}
	uint8_t *d = zvec_push(&R->rdata, rdlen);
	if (!d && rdlen)
		return -1;
	uint32_t rdoff = (uint32_t)(R->rdata.n - rdlen);
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		ldns_rdf *f = ldns_rr_rdf(rr, i);
		if (ldns_rdf_size(f)) {	/* an empty field (CAA "") has no data pointer */
			memcpy(d, ldns_rdf_data(f), ldns_rdf_size(f));
			d += ldns_rdf_size(f);
		}
	}
	return zread_push(R, owner, type, ldns_rr_ttl(rr), rdoff, rdlen, file, line);
}

uint8_t *zread_reserve(struct zread *R, size_t n)
{
	uint8_t *p = zvec_push(&R->rdata, n);
	if (p)
		R->rdata.n -= n;
	return p;
}

int zread_append(struct zread *R, const uint8_t *wire, size_t wlen, const uint8_t *key, size_t klen,
		 uint16_t type, uint32_t ttl, size_t rdlen, unsigned file, unsigned line)
{
	uint32_t owner;
	if (R->rdata.n + rdlen > UINT32_MAX || R->names.n + 2 + klen + wlen > UINT32_MAX ||
	    R->rrs.n >= UINT32_MAX) {
		zread_error(R, file, line, "zone too large (more than 4 GiB of names or record data)");
		return -2;
	}
	if (zread_owner(R, wire, wlen, key, klen, &owner) < 0)
		return -1;
	uint32_t rdoff = (uint32_t)R->rdata.n;
	R->rdata.n += rdlen;
	return zread_push(R, owner, type, ttl, rdoff, rdlen, file, line);
}

int zread_add_wire(struct zread *R, const uint8_t *owner_wire, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t key[DNAME_MAX];
	size_t wlen = dname_len(owner_wire), klen = dname_key(owner_wire, key);
	uint32_t owner;
	if (zread_owner(R, owner_wire, wlen, key, klen, &owner) < 0)
		return -1;
	uint8_t *d = zvec_push(&R->rdata, rdlen);
	if (!d && rdlen)
		return -1;
	if (rdlen)
		memcpy(d, rdata, rdlen);
	return zread_push(R, owner, type, ttl, (uint32_t)(R->rdata.n - rdlen), rdlen, 0,
			  (unsigned)R->rrs.n + 1);
}

static int read_file(struct zread *R, const char *path, ldns_rdf *origin_in, uint32_t *ttl,
		     unsigned depth, const char *dir);

/* split a directive line into at most 3 words (comments dropped) */
static unsigned split_words(char *line, char **w)
{
	unsigned n = 0;
	char *p = line;
	while (n < 3) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == ';' || *p == '\n' || *p == '\r')
			break;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ';')
			p++;
		if (*p == ';') {
			*p = 0;
			break;
		}
		if (*p)
			*p++ = 0;
	}
	return n;
}

/* a name relative to origin (or absolute) */
static ldns_rdf *dname_in(const char *text, const ldns_rdf *origin)
{
	ldns_rdf *r = NULL;
	if (ldns_str2rdf_dname(&r, text) != LDNS_STATUS_OK)
		return NULL;
	size_t l = strlen(text);
	if (l && text[l - 1] != '.' && origin) {
		if (ldns_dname_cat(r, origin) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(r);
			return NULL;
		}
	}
	return r;
}

/* $ORIGIN, $TTL, $INCLUDE; dl is the line after the '$' */
static int directive(struct zread *R, unsigned fidx, unsigned line, char *dl, ldns_rdf **origin,
		     uint32_t *ttl, unsigned depth, const char *dir)
{
	char *w[3];
	unsigned n = split_words(dl, w);

	if (n >= 2 && strcasecmp(w[0], "TTL") == 0) {
		const char *end = NULL;
		uint32_t v = ldns_str2period(w[1], &end);
		if (!end || *end) {
			zread_error(R, fidx, line, "bad $TTL '%s'", w[1]);
			return -2;
		}
		*ttl = v;
		return 0;
	}
	if (n >= 2 && strcasecmp(w[0], "ORIGIN") == 0) {
		ldns_rdf *o = dname_in(w[1], *origin);
		if (!o) {
			zread_error(R, fidx, line, "bad $ORIGIN '%s'", w[1]);
			return -2;
		}
		ldns_rdf_deep_free(*origin);
		*origin = o;
		return 0;
	}
	if (n >= 2 && strcasecmp(w[0], "INCLUDE") == 0) {
		char full[4096];
		if (w[1][0] == '/' || !dir)
			snprintf(full, sizeof full, "%s", w[1]);
		else
			snprintf(full, sizeof full, "%s/%s", dir, w[1]);
		ldns_rdf *io = n >= 3 ? dname_in(w[2], *origin) : ldns_rdf_clone(*origin);
		if (!io) {
			zread_error(R, fidx, line, "bad $INCLUDE origin '%s'", w[2]);
			return -2;
		}
		FILE *t = fopen(full, "r");
		if (!t) {
			zread_error(R, fidx, line, "$INCLUDE %s: %s", full, strerror(errno));
			ldns_rdf_deep_free(io);
			return -2;
		}
		fclose(t);
		uint32_t ittl = *ttl;
		/* its own $INCLUDEs are relative to its directory */
		char *idir = strdup(full), *sl = idir ? strrchr(idir, '/') : NULL;
		if (sl)
			*sl = 0;
		int r = read_file(R, full, io, &ittl, depth + 1, sl ? (sl == idir ? "/" : idir) : NULL);
		free(idir);
		ldns_rdf_deep_free(io);
		return r;
	}
	zread_error(R, fidx, line, "unknown or incomplete directive '$%s'", n ? w[0] : "");
	return -2;
}

/* The reference reader (zread_file_ldns()).  Scan one file.  ldns handles $ORIGIN and $TTL itself but not $INCLUDE
 * (it reports it without the file name), so lines starting with $INCLUDE
 * are found first by a pass over the raw text and handled here: the file
 * is split at them. */
static int read_file(struct zread *R, const char *path, ldns_rdf *origin_in, uint32_t *ttl,
		     unsigned depth, const char *dir)
{
	FILE *fp;
	unsigned fidx;
	int ret = 0;

	if (depth > MAX_INCLUDE_DEPTH) {
		zread_error(R, 0, 0, "$INCLUDE nested more than %d deep", MAX_INCLUDE_DEPTH);
		return -2;
	}
	if (R->nfiles >= MAX_FILES) {
		zread_error(R, 0, 0, "more than %d files $INCLUDEd", MAX_FILES);
		return -2;
	}
	fidx = R->nfiles;
	R->owned_files[fidx] = strdup(path);
	if (!R->owned_files[fidx])
		return -1;
	R->files[fidx] = R->owned_files[fidx];
	R->nfiles++;

	fp = fopen(path, "r");
	if (!fp) {
		if (fidx == 0)
			snprintf(R->err, R->errlen, "%s: %s", path, strerror(errno));
		else
			zread_error(R, fidx, 0, "cannot open: %s", strerror(errno));
		return -2;
	}

	struct stat st;
	if (fstat(fileno(fp), &st) == 0) {
		R->fsize[fidx] = st.st_size;
		R->fmtime[fidx] = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
	ldns_rdf *origin = ldns_rdf_clone(origin_in);
	ldns_rdf *prev = ldns_rdf_clone(origin_in);
	int line_nr = 1;

	while (!feof(fp)) {
		/* directives are handled here: ldns reports $INCLUDE without
		 * its file name, so it cannot be left to ldns */
		int ch = getc(fp);
		if (ch == EOF)
			break;
		if (ch == '$') {
			char dl[4096];
			if (!fgets(dl, sizeof dl, fp))
				dl[0] = 0;
			line_nr++;
			int r = directive(R, fidx, (unsigned)line_nr - 1, dl, &origin, ttl, depth, dir);
			if (r < 0) {
				ret = r;
				break;
			}
			continue;
		}
		ungetc(ch, fp);

		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, ttl, &origin, &prev, &line_nr);
		/* ldns counts the newline that ends the record: report the
		 * record's (last) line */
		unsigned at = line_nr > 1 ? (unsigned)line_nr - 1 : 1;
		if (s == LDNS_STATUS_OK) {
			int r = zread_add_rr(R, rr, fidx, at);
			ldns_rr_free(rr);
			if (r == -1) {
				zread_error(R, fidx, at, "out of memory");
				ret = -1;
				break;
			}
			if (r < 0) {
				ret = r;
				break;
			}
		} else if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
			   s == LDNS_STATUS_SYNTAX_ORIGIN) {
			continue;
		} else {
			zread_error(R, fidx, at, "%s", ldns_get_errorstr_by_id(s));
			ret = -2;
			break;
		}
	}
	ldns_rdf_deep_free(origin);
	if (prev)
		ldns_rdf_deep_free(prev);
	fclose(fp);
	return ret;
}


int zread_init(struct zread *R, const char *name, char *err, size_t errlen)
{
	ldns_rdf *origin = NULL;

	memset(R, 0, sizeof *R);
	R->zname = name;
	R->names.esz = 1;
	R->rdata.esz = 1;
	R->rrs.esz = sizeof(struct zrec);
	R->err = err;
	R->errlen = errlen;
	if (ldns_str2rdf_dname(&origin, name) != LDNS_STATUS_OK || ldns_rdf_size(origin) > DNAME_MAX) {
		snprintf(err, errlen, "bad zone name '%s'", name);
		if (origin)
			ldns_rdf_deep_free(origin);
		return -1;
	}
	R->apex_len = ldns_rdf_size(origin);
	memcpy(R->apex, ldns_rdf_data(origin), R->apex_len);
	R->apex_keylen = dname_key(R->apex, R->apex_key);
	ldns_rdf_deep_free(origin);
	return 0;
}

int zread_file(struct zread *R, const char *path)
{
	return zparse_file(R, path);
}

int zread_file_ldns(struct zread *R, const char *path)
{
	ldns_rdf *origin = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, R->apex_len, R->apex);
	char *dir = strdup(path);
	uint32_t ttl = 3600;
	int ret = -1;

	if (!origin || !dir) {
		snprintf(R->err, R->errlen, "out of memory");
		goto out;
	}
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	ret = read_file(R, path, origin, &ttl, 0, slash ? dir : NULL);
	if (ret == 0 && R->dropped > MAX_DROP_WARNINGS)
		log_warn("zone %s: %zu more records out of the zone or class ignored", R->zname,
			 R->dropped - MAX_DROP_WARNINGS);
out:
	free(dir);
	if (origin)
		ldns_rdf_deep_free(origin);
	return ret;
}

void zread_free(struct zread *R)
{
	zvec_free(&R->names);
	zvec_free(&R->rdata);
	zvec_free(&R->rrs);
	for (unsigned i = 0; i < R->nfiles; i++) {
		free(R->owned_files[i]);
		R->owned_files[i] = NULL;
	}
	R->nfiles = 0;
}

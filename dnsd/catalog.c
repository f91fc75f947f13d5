/* catalog — see catalog.h */
#include "dnsd/catalog.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsd/zone.h"

enum { T_PTR = 12, T_TXT = 16 };

/* the label `idx` (0 = leftmost) of a wire name */
static const uint8_t *label_at(const uint8_t *name, unsigned idx)
{
	while (idx-- > 0 && name[0])
		name += name[0] + 1;
	return name;
}

static bool label_is(const uint8_t *l, const char *word)
{
	size_t n = strlen(word);
	return l[0] == n && strncasecmp((const char *)l + 1, word, n) == 0;
}

/* a label in presentation form (escapes for dots and unprintables) */
static void label_str(const uint8_t *l, char *out, size_t len)
{
	size_t o = 0;
	for (unsigned i = 1; i <= l[0] && o + 5 < len; i++) {
		uint8_t c = l[i];
		if (c == '.' || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\%c", c);
		else if (c > 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\%03u", c);
	}
	out[o] = 0;
}

/* a member name a consumer can serve: not the root, no empty or
 * unprintable labels */
static bool name_fit(const uint8_t *n)
{
	if (!n[0])
		return false;
	for (; n[0]; n += n[0] + 1)
		for (unsigned i = 1; i <= n[0]; i++)
			if (n[i] <= 0x20 || n[i] >= 0x7f || n[i] == '.')
				return false;
	return true;
}

static int member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct catalog_member *)a)->name,
		      ((const struct catalog_member *)b)->name);
}

static struct catalog_member *by_id(struct catalog *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcasecmp(c->m[i].id, id) == 0)
			return &c->m[i];
	return NULL;
}

static struct catalog_member *add(struct catalog *c, size_t *cap, const char *id)
{
	struct catalog_member *m = by_id(c, id);
	if (m)
		return m;
	if (c->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct catalog_member *nm = realloc(c->m, nc * sizeof *nm);
		if (!nm)
			return NULL;
		c->m = nm;
		*cap = nc;
	}
	m = &c->m[c->n++];
	memset(m, 0, sizeof *m);
	snprintf(m->id, sizeof m->id, "%s", id);
	return m;
}

int catalog_parse(const struct zone *z, struct catalog *out, char *err, size_t errlen)
{
	struct zone_iter it;
	struct zone_rr rr;
	size_t cap = 0;
	unsigned al = z->apex_labels;
	int versions = 0;
	bool version_ok = false;
	char cat[DNAME_MAX * 4 + 1], id[64 * 4 + 1];

	memset(out, 0, sizeof *out);
	dname_str(z->apex, cat, sizeof cat);
	zone_iter_init(&it, z);
	while (zone_iter_next(&it, &rr)) {
		unsigned nl = dname_labels(rr.owner);
		if (nl <= al)
			continue;
		unsigned rel = nl - al;	/* labels below the apex */
		const uint8_t *first = rr.owner;
		if (rel == 1 && label_is(first, "version") && rr.type == T_TXT) {
			versions++;
			version_ok = rr.rdlen == 2 && rr.rdata[0] == 1 && rr.rdata[1] == '2';
			continue;
		}
		/* <id>.zones.<catalog> and <property>.<id>.zones.<catalog> */
		if ((rel != 2 && rel != 3) || !label_is(label_at(rr.owner, rel - 1), "zones"))
			continue;
		const uint8_t *idl = label_at(rr.owner, rel - 2);
		label_str(idl, id, sizeof id);
		struct catalog_member *m;
		if (rel == 2 && rr.type == T_PTR) {
			if (!(m = add(out, &cap, id)))
				goto oom;
			if (m->name[0]) {
				snprintf(err, errlen, "catalog %s: member id %s lists more than one zone",
					 cat, id);
				goto bad;
			}
			uint8_t lower[DNAME_MAX];
			size_t len = dname_len(rr.rdata);
			dname_lower(lower, rr.rdata, len);
			if (!name_fit(lower)) {
				snprintf(err, errlen, "catalog %s: member id %s names a zone raiz cannot "
					 "serve (the root, or a label with unprintable bytes)", cat, id);
				goto bad;
			}
			dname_str(lower, m->name, sizeof m->name);
			uint8_t akey[DNAME_MAX], mkey[DNAME_MAX];
			size_t akl = dname_key(z->apex, akey), mkl = dname_key(lower, mkey);
			if (mkl >= akl && memcmp(mkey, akey, akl) == 0) {
				snprintf(err, errlen, "catalog %s: member id %s names %s, the catalog "
					 "itself or a name below it", cat, id, m->name);
				goto bad;
			}
		} else if (rel == 3 && label_is(first, "group") && rr.type == T_TXT) {
			if (!(m = add(out, &cap, id)))
				goto oom;
			if (m->group[0]) {
				snprintf(err, errlen, "catalog %s: member id %s has more than one group",
					 cat, id);
				goto bad;
			}
			size_t l = rr.rdlen ? rr.rdata[0] : 0;
			if (l + 1 > rr.rdlen || l >= sizeof m->group || l == 0) {
				snprintf(err, errlen, "catalog %s: member id %s has an empty or oversized "
					 "group", cat, id);
				goto bad;
			}
			memcpy(m->group, rr.rdata + 1, l);
			m->group[l] = 0;
		} else if (rel == 3 && label_is(first, "coo") && rr.type == T_PTR) {
			if (!(m = add(out, &cap, id)))
				goto oom;
			dname_str(rr.rdata, m->coo, sizeof m->coo);
		}
	}
	if (versions != 1 || !version_ok) {
		snprintf(err, errlen, versions == 0 ? "catalog %s: no version.%s TXT record" :
			 versions > 1 ? "catalog %s: more than one version.%s TXT record" :
			 "catalog %s: version.%s is not \"2\" (the only schema version raiz reads)",
			 cat, cat);
		goto bad;
	}
	/* properties of an id that lists no zone are ignored */
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++)
		if (out->m[i].name[0])
			out->m[k++] = out->m[i];
	out->n = k;
	qsort(out->m, out->n, sizeof *out->m, member_cmp);
	for (size_t i = 1; i < out->n; i++)
		if (strcmp(out->m[i - 1].name, out->m[i].name) == 0) {
			snprintf(err, errlen, "catalog %s: zone %s is listed twice (ids %s and %s)", cat,
				 out->m[i].name, out->m[i - 1].id, out->m[i].id);
			goto bad;
		}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
bad:
	catalog_free(out);
	return -1;
}

void catalog_free(struct catalog *c)
{
	free(c->m);
	c->m = NULL;
	c->n = 0;
}

const struct catalog_member *catalog_find(const struct catalog *c, const char *name)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(c->m[mid].name, name);
		if (r == 0)
			return &c->m[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

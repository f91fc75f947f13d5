/* zoneset — see zoneset.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/gate.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

struct zs_entry {
	char *name;
	char *error;
	struct zone *z;		/* NULL: not served */
	bool secondary;		/* the copy comes from primaries (xfrd.h) */
	bool expired;		/* secondary past its SOA expire: SERVFAIL */
	bool is_catalog;	/* a catalog zone: transferred, never answered */
	char *catalog;		/* a catalog's member: its catalog (not in raiz.json) */
	char *group;		/* and its group, NULL for none */
	uint8_t key[DNAME_MAX];
	size_t keylen;
	unsigned labels;
};

struct zoneset {
	size_t n;
	struct zs_entry *e;
	size_t *deep;		/* entries with a zone, deepest apex first */
	size_t ndeep;
	bool warm;		/* a zone large enough to warm lookups for (zone.h) */
};

static int entry_key(const char *name, uint8_t *key, size_t *keylen, unsigned *labels)
{
	/* presentation -> wire -> key, without ldns (names are validated by zone_load) */
	uint8_t wire[DNAME_MAX];
	size_t o = 0;
	const char *p = name;

	if (strcmp(name, ".") == 0) {
		*keylen = 0;
		*labels = 0;
		return 0;
	}
	while (*p) {
		size_t l = 0;
		size_t at = o++;
		while (*p && *p != '.') {
			uint8_t c = (uint8_t)*p++;
			if (c == '\\' && *p) {
				if (p[0] >= '0' && p[0] <= '9' && p[1] && p[2]) {
					c = (uint8_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
					p += 3;
				} else {
					c = (uint8_t)*p++;
				}
			}
			if (o >= DNAME_MAX - 1 || ++l > 63)
				return -1;
			wire[o++] = c;
		}
		if (l == 0)
			return -1;
		wire[at] = (uint8_t)l;
		if (*p == '.')
			p++;
	}
	wire[o++] = 0;
	*keylen = dname_key(wire, key);
	*labels = dname_labels(wire);
	return 0;
}

/* a copy of src sharing its zone; false when out of memory */
static bool entry_copy(struct zs_entry *e, const struct zs_entry *src)
{
	*e = *src;
	e->name = strdup(src->name);
	e->error = src->error ? strdup(src->error) : NULL;
	e->catalog = src->catalog ? strdup(src->catalog) : NULL;
	e->group = src->group ? strdup(src->group) : NULL;
	e->z = zone_ref(src->z);
	return e->name && (!src->error || e->error) && (!src->catalog || e->catalog) &&
	       (!src->group || e->group);
}

static const struct zs_entry *prev_entry(const struct zoneset *prev, const struct zs_entry *e)
{
	for (size_t i = 0; prev && i < prev->n; i++)
		if (prev->e[i].keylen == e->keylen && memcmp(prev->e[i].key, e->key, e->keylen) == 0)
			return &prev->e[i];
	return NULL;
}

static int deep_cmp(const void *a, const void *b, void *ctx)
{
	const struct zoneset *zs = ctx;
	unsigned la = zs->e[*(const size_t *)a].labels, lb = zs->e[*(const size_t *)b].labels;
	return la > lb ? -1 : la < lb;
}

/* the entries answered for (served, or expired: SERVFAIL), deepest first */
static void zoneset_index_build(struct zoneset *zs)
{
	zs->ndeep = 0;
	zs->warm = false;
	for (size_t i = 0; i < zs->n; i++) {
		if ((zs->e[i].z || zs->e[i].expired) && !zs->e[i].is_catalog)
			zs->deep[zs->ndeep++] = i;
		if (zs->e[i].z && zone_pf_worth(zs->e[i].z))
			zs->warm = true;
	}
	qsort_r(zs->deep, zs->ndeep, sizeof *zs->deep, deep_cmp, zs);
}

bool zoneset_warm(const struct zoneset *zs)
{
	return zs->warm;
}

int zoneset_name_key(const char *name, uint8_t *key, size_t *keylen)
{
	unsigned labels;
	return entry_key(name, key, keylen, &labels);
}

struct zoneset *zoneset_one(const char *name, struct zone *z)
{
	struct zoneset *zs = calloc(1, sizeof *zs);
	if (!zs || !(zs->e = calloc(1, sizeof *zs->e)) || !(zs->deep = calloc(1, sizeof *zs->deep))) {
		zoneset_free(zs);
		return NULL;
	}
	struct zs_entry *e = &zs->e[zs->n++];
	e->name = strdup(name);
	if (!e->name || entry_key(name, e->key, &e->keylen, &e->labels) < 0) {
		zoneset_free(zs);
		return NULL;
	}
	e->z = zone_ref(z);
	zoneset_index_build(zs);
	return zs;
}

struct zoneset *zoneset_build(const struct raiz_config *cfg, const struct zoneset *prev)
{
	struct zoneset *zs = calloc(1, sizeof *zs);
	size_t n = cfg ? cfg->nzones : 0, room = n + (prev ? prev->n : 0) + 1;

	if (!zs)
		return NULL;
	zs->e = calloc(room, sizeof *zs->e);
	zs->deep = calloc(room, sizeof *zs->deep);
	if (!zs->e || !zs->deep) {
		zoneset_free(zs);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cfg_zone *cz = &cfg->zones[i];
		struct zs_entry *e = &zs->e[zs->n++];
		char err[1024];

		e->name = strdup(cz->name);
		if (!e->name) {
			zoneset_free(zs);
			return NULL;
		}
		if (entry_key(cz->name, e->key, &e->keylen, &e->labels) < 0) {
			log_err("zone %s: bad zone name; not served", cz->name);
			e->error = strdup("bad zone name");
			continue;
		}
		const struct zs_entry *pe = prev_entry(prev, e);
		if (cfg_zone_secondary(cz)) {
			/* its copies come from transfers (xfrd.h), never from here */
			e->secondary = true;
			e->is_catalog = cz->catalog != NULL;
			if (pe && pe->secondary) {
				e->z = zone_ref(pe->z);
				e->expired = pe->expired;
				e->error = pe->error ? strdup(pe->error) : NULL;
			} else {
				e->error = strdup("no copy yet: waiting for the first transfer");
			}
			continue;
		}
		if (pe && pe->z && zone_files_unchanged(pe->z, cz->file)) {
			e->z = zone_ref(pe->z);
			log_info("zone %s: %s unchanged, serial %u kept", e->name, cz->file, e->z->serial);
			continue;
		}
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		e->z = zone_load(cz->name, cz->file, err, sizeof err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		char why[600];
		if (e->z && cfg->dnsd.probe_gate && gate_check(cfg, e->z, why, sizeof why) < 0) {
			snprintf(err, sizeof err, "serial %u refused: %s", e->z->serial, why);
			zone_unref(e->z);
			e->z = NULL;
		}
		if (e->z) {
			log_info("zone %s: loaded serial %u, %zu records, %zu names, %.1f ms",
				 e->name, e->z->serial, e->z->records, e->z->nnodes, ms);
			continue;
		}
		e->error = strdup(err);
		if (pe && pe->z) {
			e->z = zone_ref(pe->z);
			log_err("zone %s: %s; the previous version (serial %u) stays served",
				e->name, err, e->z->serial);
		} else {
			log_err("zone %s: %s; not served", e->name, err);
		}
	}
	/* members of catalogs still configured carry over (xfrd.h adds and
	 * removes them as their catalogs change) */
	for (size_t i = 0; prev && i < prev->n; i++) {
		const struct zs_entry *pe = &prev->e[i];
		const struct cfg_zone *cat = pe->catalog ? config_zone(cfg, pe->catalog) : NULL;
		if (!cat || !cat->catalog || config_zone(cfg, pe->name))
			continue;
		if (!entry_copy(&zs->e[zs->n++], pe)) {
			zoneset_free(zs);
			return NULL;
		}
	}
	zoneset_index_build(zs);
	return zs;
}

/* a new set with zs's entries but `skip`, and room for one more */
static struct zoneset *zs_copy(const struct zoneset *zs, size_t skip)
{
	struct zoneset *n = calloc(1, sizeof *n);
	if (!n || !(n->e = calloc(zs->n + 1, sizeof *n->e)) ||
	    !(n->deep = calloc(zs->n + 1, sizeof *n->deep))) {
		zoneset_free(n);
		return NULL;
	}
	for (size_t k = 0; k < zs->n; k++) {
		if (k == skip)
			continue;
		if (!entry_copy(&n->e[n->n++], &zs->e[k])) {
			zoneset_free(n);
			return NULL;
		}
	}
	return n;
}

struct zoneset *zoneset_with(const struct zoneset *zs, size_t i, struct zone *z, bool expired,
			     const char *error)
{
	struct zoneset *n = zs_copy(zs, (size_t)-1);
	if (!n) {
		zone_unref(z);
		return NULL;
	}
	struct zs_entry *e = &n->e[i];
	zone_unref(e->z);
	free(e->error);
	e->z = z;
	e->expired = expired;
	e->error = error ? strdup(error) : NULL;
	zoneset_index_build(n);
	return n;
}

struct zoneset *zoneset_add_member(const struct zoneset *zs, const char *name,
				   const char *catalog, const char *group)
{
	struct zoneset *n = zs_copy(zs, (size_t)-1);
	if (!n)
		return NULL;
	struct zs_entry *e = &n->e[n->n++];
	memset(e, 0, sizeof *e);
	e->name = strdup(name);
	e->catalog = strdup(catalog);
	e->group = group && group[0] ? strdup(group) : NULL;
	e->secondary = true;
	e->error = strdup("no copy yet: waiting for the first transfer");
	if (!e->name || !e->catalog || entry_key(name, e->key, &e->keylen, &e->labels) < 0) {
		zoneset_free(n);
		return NULL;
	}
	zoneset_index_build(n);
	return n;
}

struct zoneset *zoneset_remove(const struct zoneset *zs, size_t i)
{
	struct zoneset *n = zs_copy(zs, i);
	if (n)
		zoneset_index_build(n);
	return n;
}

int zoneset_index(const struct zoneset *zs, const char *name)
{
	struct zs_entry probe;
	if (entry_key(name, probe.key, &probe.keylen, &probe.labels) < 0)
		return -1;
	for (size_t i = 0; zs && i < zs->n; i++)
		if (zs->e[i].keylen == probe.keylen && memcmp(zs->e[i].key, probe.key, probe.keylen) == 0)
			return (int)i;
	return -1;
}

struct zone *zoneset_zone(const struct zoneset *zs, size_t i)
{
	return zs && i < zs->n ? zs->e[i].z : NULL;
}

void zoneset_free(struct zoneset *zs)
{
	if (!zs)
		return;
	for (size_t i = 0; i < zs->n; i++) {
		free(zs->e[i].name);
		free(zs->e[i].error);
		free(zs->e[i].catalog);
		free(zs->e[i].group);
		zone_unref(zs->e[i].z);
	}
	free(zs->e);
	free(zs->deep);
	free(zs);
}

size_t zoneset_count(const struct zoneset *zs)
{
	return zs ? zs->n : 0;
}

void zoneset_info(const struct zoneset *zs, size_t i, struct zoneset_info *out)
{
	memset(out, 0, sizeof *out);
	if (!zs || i >= zs->n)
		return;
	const struct zs_entry *e = &zs->e[i];
	out->name = e->name;
	out->loaded = e->z != NULL;
	out->serial = e->z ? e->z->serial : 0;
	out->records = e->z ? e->z->records : 0;
	out->error = e->error;
	out->secondary = e->secondary;
	out->expired = e->expired;
	out->is_catalog = e->is_catalog;
	out->catalog = e->catalog;
	out->group = e->group;
}

const struct zone *zoneset_lookup(const struct zoneset *zs, const uint8_t *key, size_t keylen,
				  bool *expired)
{
	*expired = false;
	if (!zs)
		return NULL;
	for (size_t i = 0; i < zs->ndeep; i++) {
		const struct zs_entry *e = &zs->e[zs->deep[i]];
		if (e->keylen <= keylen && memcmp(e->key, key, e->keylen) == 0) {
			*expired = e->expired;
			return e->expired ? NULL : e->z;
		}
	}
	return NULL;
}

const struct zone *zoneset_find(const struct zoneset *zs, const uint8_t *key, size_t keylen)
{
	bool expired;
	return zoneset_lookup(zs, key, keylen, &expired);
}

const struct zone *zoneset_parent(const struct zoneset *zs, const struct zone *z)
{
	if (!zs || z->apex_keylen == 0)
		return NULL;
	size_t plen = dname_key_prefix(z->apex_key, z->apex_keylen, z->apex_labels - 1);
	return zoneset_find(zs, z->apex_key, plen);
}

/* snapshot — see snapshot.h */
#include "dnsd/snapshot.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "dnsd/zoneset.h"

struct snapshot *snapshot_new(struct raiz_config *cfg, bool owns_cfg, struct zoneset *zs,
			      const struct snapshot *prev)
{
	struct snapshot *s = calloc(1, sizeof *s);
	size_t n = zoneset_count(zs);
	time_t *at = calloc(n ? n : 1, sizeof *at);
	if (!s || !at) {
		free(s);
		free(at);
		zoneset_free(zs);
		if (owns_cfg)
			config_free(cfg);
		return NULL;
	}
	s->cfg = cfg;
	s->owns_cfg = owns_cfg;
	s->zs = zs;
	s->generation = prev ? prev->generation + 1 : 1;
	s->created = time(NULL);
	s->nzones = n;
	s->zone_loaded_at = at;

	const struct cfg_dnsd *d = &cfg->dnsd;
	if (d->nsid && d->nsid[0]) {
		s->opts.nsid = (const uint8_t *)d->nsid;
		s->opts.nsid_len = strlen(d->nsid);
	}
	s->opts.identity = d->identity && d->identity[0] ? d->identity : NULL;
	s->opts.version = d->version;
	s->opts.edns_size = (uint16_t)(d->edns_buffer_size ? d->edns_buffer_size : 1232);

	/* a zone keeps its loaded-at time while the same version is served */
	for (size_t i = 0; i < n; i++) {
		struct zoneset_info zi;
		zoneset_info(zs, i, &zi);
		at[i] = zi.loaded ? s->created : 0;
		for (size_t j = 0; prev && zi.name && j < prev->nzones; j++) {
			struct zoneset_info pi;
			zoneset_info(prev->zs, j, &pi);
			if (pi.name && strcmp(pi.name, zi.name) == 0) {
				if (pi.loaded && zi.loaded && pi.serial == zi.serial &&
				    pi.records == zi.records)
					at[i] = prev->zone_loaded_at[j];
				break;
			}
		}
	}
	return s;
}

void snapshot_free(struct snapshot *snap)
{
	if (!snap)
		return;
	zoneset_free(snap->zs);
	if (snap->owns_cfg)
		config_free(snap->cfg);
	free(snap->zone_loaded_at);
	free(snap);
}

/*
 * Quiescent state based reclamation.  `epoch` only grows.  A reader inside
 * a critical section stores the epoch it saw on entry (never 0); outside it
 * stores 0.  The writer swaps the pointer, then bumps the epoch to E: a
 * reader whose slot holds 0 or a value >= E has not seen the old pointer
 * since, and all accesses are sequentially consistent, so once every slot
 * is 0 or >= E the old snapshot is unreachable.
 */
struct snapshot_reader {
	alignas(64) _Atomic uint64_t seen;
	struct snapshot_rcu *rcu;
};

struct snapshot_rcu {
	_Atomic(struct snapshot *) cur;
	_Atomic uint64_t epoch;
	unsigned nreaders;
	struct snapshot_reader *readers;
};

struct snapshot_rcu *snapshot_rcu_new(unsigned nreaders, struct snapshot *initial)
{
	struct snapshot_rcu *rcu = calloc(1, sizeof *rcu);
	if (!rcu)
		return NULL;
	size_t sz = sizeof(struct snapshot_reader) * (nreaders ? nreaders : 1);
	rcu->readers = aligned_alloc(alignof(struct snapshot_reader), sz);
	if (!rcu->readers) {
		free(rcu);
		return NULL;
	}
	for (unsigned i = 0; i < nreaders; i++) {
		atomic_init(&rcu->readers[i].seen, 0);
		rcu->readers[i].rcu = rcu;
	}
	rcu->nreaders = nreaders;
	atomic_init(&rcu->epoch, 1);
	atomic_init(&rcu->cur, initial);
	return rcu;
}

void snapshot_rcu_free(struct snapshot_rcu *rcu)
{
	if (!rcu)
		return;
	snapshot_free(atomic_load(&rcu->cur));
	free(rcu->readers);
	free(rcu);
}

struct snapshot_reader *snapshot_rcu_reader(struct snapshot_rcu *rcu, unsigned i)
{
	return i < rcu->nreaders ? &rcu->readers[i] : NULL;
}

const struct snapshot *snapshot_enter(struct snapshot_reader *r)
{
	struct snapshot_rcu *rcu = r->rcu;
	atomic_store(&r->seen, atomic_load(&rcu->epoch));
	return atomic_load(&rcu->cur);
}

void snapshot_leave(struct snapshot_reader *r)
{
	atomic_store_explicit(&r->seen, 0, memory_order_release);
}

struct snapshot *snapshot_current(struct snapshot_rcu *rcu)
{
	return atomic_load(&rcu->cur);
}

struct snapshot *snapshot_publish(struct snapshot_rcu *rcu, struct snapshot *next,
				  uint64_t *epoch)
{
	struct snapshot *old = atomic_exchange(&rcu->cur, next);
	*epoch = atomic_fetch_add(&rcu->epoch, 1) + 1;
	return old;
}

bool snapshot_quiescent(struct snapshot_rcu *rcu, uint64_t epoch)
{
	for (unsigned i = 0; i < rcu->nreaders; i++) {
		uint64_t s = atomic_load(&rcu->readers[i].seen);
		if (s != 0 && s < epoch)
			return false;
	}
	return true;
}

void snapshot_synchronize(struct snapshot_rcu *rcu, uint64_t epoch)
{
	struct timespec ts = { 0, 200 * 1000 };   /* 0.2 ms */
	while (!snapshot_quiescent(rcu, epoch))
		nanosleep(&ts, NULL);
}

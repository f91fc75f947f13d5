/*
 * snapshot — what the workers answer from, published without locks.
 *
 * Contract: a struct snapshot bundles one zone set, the answering options
 * (struct query_opts) and the configuration they came from; it is never
 * modified after snapshot_new().  A struct snapshot_rcu publishes the
 * current snapshot through one atomic pointer.  Each reader thread owns one
 * reader slot: snapshot_enter() returns the current snapshot, valid until
 * the matching snapshot_leave() (calls must not nest).  Readers never lock
 * and never wait.  The single writer swaps in a new snapshot with
 * snapshot_publish(), which returns the old one and an epoch; the old one
 * may be freed once snapshot_quiescent(rcu, epoch) is true, i.e. every
 * reader has left the critical section it was in at the swap (quiescent
 * state based reclamation).  snapshot_synchronize() waits for that.
 */
#ifndef RAIZ_DNSD_SNAPSHOT_H
#define RAIZ_DNSD_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnsd/query.h"

struct raiz_config;
struct zoneset;

struct snapshot {
	struct raiz_config *cfg;    /* the configuration it was built from */
	bool owns_cfg;              /* snapshot_free() frees cfg */
	struct zoneset *zs;         /* owned */
	struct query_opts opts;     /* strings point into cfg */
	uint64_t generation;        /* 1 for the first, +1 per reload */
	time_t created;             /* wall clock, when built */
	size_t nzones;
	time_t *zone_loaded_at;     /* per zone of zs: when this version was loaded */
};

/* Build a snapshot around zs (taken over).  prev (may be NULL) supplies the
 * generation number and the loaded-at times of unchanged zones.  NULL on
 * allocation failure (zs and, if owns_cfg, cfg are then freed). */
struct snapshot *snapshot_new(struct raiz_config *cfg, bool owns_cfg, struct zoneset *zs,
			      const struct snapshot *prev);
void snapshot_free(struct snapshot *snap);

struct snapshot_rcu;
struct snapshot_reader;

/* nreaders reader slots; the rcu takes over `initial` */
struct snapshot_rcu *snapshot_rcu_new(unsigned nreaders, struct snapshot *initial);
/* frees the rcu and the current snapshot; no reader may be inside */
void snapshot_rcu_free(struct snapshot_rcu *rcu);
struct snapshot_reader *snapshot_rcu_reader(struct snapshot_rcu *rcu, unsigned i);

const struct snapshot *snapshot_enter(struct snapshot_reader *r);
void snapshot_leave(struct snapshot_reader *r);

/* writer side (one writer at a time): the current snapshot, safe to use
 * only by the writer, which is the only one that can retire it */
struct snapshot *snapshot_current(struct snapshot_rcu *rcu);
struct snapshot *snapshot_publish(struct snapshot_rcu *rcu, struct snapshot *next,
				  uint64_t *epoch);
bool snapshot_quiescent(struct snapshot_rcu *rcu, uint64_t epoch);
void snapshot_synchronize(struct snapshot_rcu *rcu, uint64_t epoch);

#endif

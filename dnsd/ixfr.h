/*
 * ixfr — apply IXFR difference sequences (RFC 1995) to a compiled zone.
 *
 * Contract: ixfr_apply() builds the next version of `old` from the deltas
 * xfrin_transfer() received, without touching `old` (which stays served):
 * the deltas are folded into one net change (a record added then deleted
 * cancels out), `old`'s records are carried over in wire form except the
 * ones deleted and the SOA, the additions and the last delta's SOA are
 * appended, and the result is compiled by zone_build().  It is an error,
 * and `old` stays the copy, when a delta deletes a record the copy does not
 * hold, deletes one twice, or does not start at the copy's serial.
 *
 * Cost: no network transfer, no text parsing and no per-record allocation
 * for the carried-over records: one pass over `old` (a hash lookup per
 * record only when something is deleted) plus zone_build() over the result.
 * zone_build() is linear except its sort, which meets records already in
 * canonical order.  That is the bounded answer to "an IXFR of a few records
 * must not cost a full recompile": a patch in place would need a mutable
 * lookup structure shared with the readers, against the lock-free
 * immutable snapshots the query path relies on (see snapshot.h).
 * Runs in a job thread.
 */
#ifndef RAIZ_DNSD_IXFR_H
#define RAIZ_DNSD_IXFR_H

#include <stddef.h>

struct zone;
struct xfrin_delta;

struct ixfr_stats {
	size_t added, deleted;
};

struct zone *ixfr_apply(const struct zone *old, const struct xfrin_delta *deltas, size_t n,
			const char *source, struct ixfr_stats *st, char *err, size_t errlen);

#endif

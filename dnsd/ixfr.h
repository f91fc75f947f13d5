/*
 * ixfr — apply IXFR difference sequences (RFC 1995) to a compiled zone.
 *
 * Contract: ixfr_apply() builds the next version of `old` from the deltas
 * xfrin_transfer() received, without touching `old` (which stays served):
 * the deltas are folded into one net change (a record added then deleted
 * cancels out); it is an error, and `old` stays the copy, when a delta
 * deletes a record the copy does not hold, deletes one twice, or does not
 * start at the copy's serial.
 *
 * Cost: an IXFR of a few records into a large zone does not recompile it.
 * Only the owners the change touches (and the apex, for the SOA) are
 * compiled: their records in `old`, less the deletions, plus the
 * additions, through zone_build() with every check of a full compile;
 * zsplice.h then merges them into a copy of `old`'s compiled arrays
 * (memcpy, one merge of the nodes, the hash table and derived fields
 * again, the NSEC3 chain merged with only the new names hashed).  A
 * change of more than an eighth of the zone, or a copy whose dead bytes
 * (left behind by earlier splices) are a third of it, is rebuilt instead:
 * every record carried over in wire form, in canonical order, and
 * compiled by zone_build() (linear but for a sort that meets sorted
 * records), which compacts.  Both give the same zone (zsplice_same()).
 * Runs in a job thread.
 */
#ifndef RAIZ_DNSD_IXFR_H
#define RAIZ_DNSD_IXFR_H

#include <stdbool.h>
#include <stddef.h>

struct zone;
struct xfrin_delta;

struct ixfr_stats {
	size_t added, deleted;
	bool spliced;		/* zsplice.h, not a rebuild */
};

/* how ixfr_apply() makes the next version: IXFR_AUTO splices unless the
 * change is over an eighth of the zone or the copy's dead bytes are a
 * third of its bytes (then it rebuilds, which compacts); the tests and
 * fuzz/fuzz_xfrin force one or the other to compare them */
enum ixfr_how { IXFR_AUTO, IXFR_SPLICE, IXFR_REBUILD };
extern enum ixfr_how ixfr_how;

struct zone *ixfr_apply(const struct zone *old, const struct xfrin_delta *deltas, size_t n,
			const char *source, struct ixfr_stats *st, char *err, size_t errlen);

#endif

/*
 * zonemd — the message digest of a compiled zone (ZONEMD, RFC 8976),
 * checked before a transferred copy of a zone is published.
 *
 * Contract: zonemd_verify() judges the ZONEMD RRset at the apex as RFC 8976
 * section 4 says.  A record counts only when its serial equals the SOA
 * serial, its scheme is SIMPLE (1), its hash SHA-384 (1) or SHA-512 (2) and
 * its digest has that hash's full length; the zone verifies when any such
 * record equals the digest computed over the zone.  Two apex records with
 * the same scheme and hash fail the zone (MALFORMED).  The SIMPLE digest
 * (sections 3.3, 3.4.1) covers every record of the zone in RFC 4034
 * section 6 canonical form and order: names lowercased (owners, and names
 * in the RDATA of the RFC 4034 6.2 types as RFC 6840 5.1 amends it: RRSIG
 * signers yes, NSEC next names no), records sorted by canonical RDATA
 * within an RRset, duplicates once, each with the TTL stored for it.  Left
 * out: the apex ZONEMD RRset and the apex RRSIGs that cover ZONEMD only;
 * glue, occluded data, other ZONEMDs, RRSIG, NSEC and NSEC3 are included.
 * The result is a status and one line a NOC engineer can read.
 * It does not validate DNSSEC: for a signed zone, authenticating the
 * ZONEMD RRset (RFC 8976 section 4, steps 1 to 3) is the caller's job.
 *
 * Cost: one pass over the zone (zone_iter_*, zone.h) feeding every digest
 * needed at once, plus sorting each RRset; memory: scratch space for the
 * largest RRset (an index and a copy of its RDATA), freed before
 * returning; no allocation per record.  Thread safety: pure functions of
 * an immutable zone without global state, callable from any thread,
 * concurrently.
 */
#ifndef RAIZ_DNSD_ZONEMD_H
#define RAIZ_DNSD_ZONEMD_H

#include <stddef.h>
#include <stdint.h>

struct zone;

#define ZONEMD_TYPE 63
#define ZONEMD_SCHEME_SIMPLE 1
#define ZONEMD_HASH_SHA384 1
#define ZONEMD_HASH_SHA512 2
#define ZONEMD_MAX_DIGEST 64	/* SHA-512 */

enum zonemd_status {
	ZONEMD_ABSENT,		/* no ZONEMD RRset at the apex */
	ZONEMD_OK,		/* a supported record matches the zone */
	ZONEMD_MISMATCH,	/* a usable record does not match: altered or incomplete */
	ZONEMD_UNSUPPORTED,	/* only schemes/hashes this code does not know */
	ZONEMD_MALFORMED,	/* serial differs from the SOA, bad digest length,
				 * record too short, or a scheme/hash twice */
	ZONEMD_ERROR,		/* the digest could not be computed (out of memory) */
};

/* Verify the zone's ZONEMD RRset at the apex (RFC 8976 section 4).  When
 * nothing matches, the status says the most telling failure, in this
 * order: MISMATCH, MALFORMED, UNSUPPORTED.  detail (if detaillen > 0) gets
 * one line, e.g. "ZONEMD SIMPLE SHA-384 verified", "ZONEMD digest mismatch
 * (SIMPLE SHA-384): the copy is altered or incomplete", "ZONEMD serial
 * 2026120700 differs from the SOA serial 2026120701", "no ZONEMD record",
 * "ZONEMD: no supported scheme/algorithm (scheme 9, hash 7)". */
enum zonemd_status zonemd_verify(const struct zone *z, char *detail, size_t detaillen);

/* The SIMPLE digest of the zone with hash algorithm 1 (SHA-384) or 2
 * (SHA-512) into out; returns the digest length, or 0 for another
 * algorithm, outcap too small, or out of memory. */
size_t zonemd_compute(const struct zone *z, uint8_t hashalg, uint8_t *out, size_t outcap);

/* "absent", "ok", "mismatch", "unsupported", "malformed", "error" */
const char *zonemd_status_name(enum zonemd_status s);

#endif

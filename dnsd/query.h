/*
 * query — turn one DNS query packet into one response packet.
 *
 * Contract: query_process() is a pure function of (zone set, options,
 * packet): it never allocates, never blocks, never logs per query, and is
 * safe to call from several threads on the same zone set.  It writes at most
 * `outcap` bytes into `out` and returns the response length, or 0 when the
 * packet must be dropped silently (shorter than a header, or QR set).
 * Everything else, however malformed, gets an answer (FORMERR, NOTIMP, ...).
 *
 * For UDP the response is bounded by min(client EDNS size, opts->edns_size)
 * (512 without EDNS) with TC set when the required data does not fit; for
 * TCP by min(outcap, 65535).
 */
#ifndef RAIZ_DNSD_QUERY_H
#define RAIZ_DNSD_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zoneset;

enum query_transport { QUERY_UDP = 0, QUERY_TCP = 1 };

/* per-server answering options, fixed for the life of a zone set snapshot */
struct query_opts {
	const uint8_t *nsid;     /* NSID option payload (RFC 5001), NULL = none */
	size_t nsid_len;
	const char *identity;    /* CHAOS TXT id.server / hostname.bind, NULL = REFUSED */
	const char *version;     /* CHAOS TXT version.bind / version.server, NULL = REFUSED */
	uint16_t edns_size;      /* our maximum UDP payload (default 1232) */
};

/* counters a worker keeps; query_process() increments them (the caller owns
 * the struct, one per worker, so no atomics are needed) */
enum { QSTAT_RCODES = 16 };
struct query_stats {
	uint64_t queries[2];             /* by transport */
	uint64_t rcode[QSTAT_RCODES];    /* responses by (4-bit) rcode */
	uint64_t badvers;                /* extended rcode BADVERS */
	uint64_t truncated;              /* responses with TC */
	uint64_t dropped;                /* packets dropped without answer */
	uint64_t edns;                   /* queries with OPT */
	uint64_t do_bit;                 /* queries with DO */
};

size_t query_process(const struct zoneset *zs, const struct query_opts *opts,
		     const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
		     enum query_transport transport, struct query_stats *stats);

#endif

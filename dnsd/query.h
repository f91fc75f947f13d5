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
 *
 * query_process_client() is the same, pure and allocation-free too, with
 * what the UDP path (udp.c) needs besides: given the client's address and
 * the cookie secrets it answers DNS cookies (RFC 7873, RFC 9018 format,
 * dnsd/cookie.h): a query with a COOKIE option gets a fresh server cookie,
 * whatever the server cookie it sent (none, stale, not ours: answered
 * normally, never BADCOOKIE; cookies are not required), and says whether
 * it sent a valid one.  It also classifies the answer for rate limiting
 * (dnsd/rrl.h): answer or NODATA (qname, qtype), NXDOMAIN (the zone),
 * referral (the delegation), error (anything else).
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
	uint64_t cookie;                 /* UDP queries with a COOKIE option */
	uint64_t cookie_valid;           /* ... with a valid server cookie of ours */
	uint64_t rrl_dropped;            /* UDP responses not sent: over the rate limit */
	uint64_t rrl_slipped;            /* ... sent truncated (TC, no records) instead */
	uint64_t rrl_exempt;             /* ... sent because the source is exempt */
};

size_t query_process(const struct zoneset *zs, const struct query_opts *opts,
		     const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
		     enum query_transport transport, struct query_stats *stats);

struct sockaddr;

/* query_process_client(): qc's inputs, and what it tells the UDP path */
struct query_client {
	const struct sockaddr *from;        /* the client (AF_INET or AF_INET6) */
	const uint8_t *cookie_secret;       /* 16 bytes; NULL = no COOKIE answered */
	const uint8_t *cookie_previous;     /* 16 bytes, also accepted; or NULL */
	uint32_t now;                       /* wall clock, seconds */
	/* out */
	bool cookie_valid;                  /* a fresh server cookie of ours came */
	bool tsig;                          /* the query carries a TSIG record */
	uint8_t rrl_class;                  /* enum rrl_class */
	uint16_t qtype;
	size_t qend;                        /* header and question in the response */
	size_t namelen;                     /* the class's name, key form (dname.h) */
	uint8_t name[255];
};

size_t query_process_client(const struct zoneset *zs, const struct query_opts *opts,
			    const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
			    enum query_transport transport, struct query_stats *stats,
			    struct query_client *qc);

/* query_warm(): before answering a batch of n packets (pkt[i], len[i]),
 * warm the lookups their answers will make (zone.h, struct zone_pf; pf is
 * n entries of scratch): reads each question, finds its zone and runs the
 * stages of zone_pf_* over the batch.  Hints only: the answers that follow
 * are the same with or without it; worth it on a zone set with a large
 * zone (zoneset_warm()).  Any packet, however malformed, is fine. */
struct zone_pf;
void query_warm(const struct zoneset *zs, struct zone_pf *pf, const uint8_t *const *pkt,
		const size_t *len, unsigned n);

#endif

/*
 * rrl — response rate limiting for UDP answers, like NSD's, Knot's and
 * BIND's RRL.
 *
 * Contract: one struct rrl (a table of table-size buckets, a power of two,
 * 16 bytes each, allocated once by rrl_new()) is shared by every worker
 * thread; rrl_check() never allocates, never locks and never blocks: a
 * bucket is two 64-bit atomics (its key, and its balance with the time it
 * was last credited, changed by compare-and-swap), so concurrent workers
 * at worst lose a token update, never corrupt one.  A bucket is keyed by
 * SipHash-2-4 (random key per table) of the source prefix (IPv4 /24 and
 * IPv6 /56 by default), the answer class and its name: the answer name and
 * type for answers and NODATA, the zone for NXDOMAIN, the delegation for
 * referrals, nothing for errors.  A key probes RRL_WAYS neighbouring
 * buckets; when none holds it, it takes the least recently credited of
 * them (unused and idle ones first; the evicted flow starts afresh when it
 * comes back: collisions can only give more answers, never fewer).  A bucket earns `rate` responses a second, holds at most one
 * second's worth, and over the limit owes at most window - 1 seconds'
 * worth: with window 1 a flood gets `rate` answers a second, with a longer
 * window a sustained flood gets none until it has been quiet.  Over the
 * limit the caller's slip counter decides: every slip-th such response is
 * sent truncated (RRL_SLIP), the others dropped (slip 0: all dropped, 1:
 * all truncated).  Exempt sources are tested only when a response is over
 * the limit, and then always pass (RRL_EXEMPT).  TCP is never limited:
 * the caller does not ask for it.  Times are in milliseconds of any
 * monotonic clock.
 */
#ifndef RAIZ_DNSD_RRL_H
#define RAIZ_DNSD_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum rrl_class {
	RRL_ANSWER = 1,		/* positive answer or NODATA: qname, qtype */
	RRL_NXDOMAIN,		/* the zone's apex */
	RRL_REFERRAL,		/* the delegation point */
	RRL_ERROR,		/* REFUSED, FORMERR, NOTIMP, SERVFAIL...: no name */
};

enum rrl_verdict { RRL_PASS, RRL_DROP, RRL_SLIP, RRL_EXEMPT };

enum { RRL_WAYS = 4 };

struct cfg_netblock;
struct cfg_probe;

/* the limits; may change between two calls (reload) */
struct rrl_params {
	unsigned rate;		/* responses per second and bucket, > 0 */
	unsigned slip;		/* 0 = drop all, 1 = truncate all, n = every n-th */
	unsigned window;	/* seconds, >= 1 */
	unsigned v4_prefix, v6_prefix;
	const struct cfg_netblock *exempt;	/* "exempt" prefixes */
	size_t nexempt;
	const struct cfg_probe *probes;		/* their "source" addresses are exempt too */
	size_t nprobes;
};

/* what is being answered: key (lookup form of dnsd/dname.h, may be empty) */
struct rrl_resp {
	enum rrl_class cls;
	uint16_t qtype;
	const uint8_t *name;
	size_t namelen;
};

struct rrl;

/* buckets: rounded up to a power of two; NULL when out of memory */
struct rrl *rrl_new(size_t buckets);
void rrl_free(struct rrl *t);
size_t rrl_size(const struct rrl *t);

/* the verdict for one UDP response to `from`; *slip_ctr is the caller's
 * (per thread) count of over-limit responses */
enum rrl_verdict rrl_check(struct rrl *t, const struct rrl_params *p, const struct sockaddr *from,
			   const struct rrl_resp *r, uint32_t now_ms, uint32_t *slip_ctr);

/* is the address in an exempt prefix or a probe's source address? */
bool rrl_exempt(const struct rrl_params *p, const struct sockaddr *from);

#endif

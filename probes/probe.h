/*
 * probe — ask a DNS service one question the way the Internet does (UDP or
 * TCP, from an optional dedicated source address) and judge the answer.
 *
 * Contract:
 *  - probe_new() binds a probe to a libev loop and a spec; the spec must
 *    outlive the probe (it is not copied).  NULL when out of memory.
 *  - probe_start() begins one run and never blocks: socket, optional bind
 *    to the source address, non-blocking connect, send.  It returns 0, or
 *    -1 (errno EBUSY) when a run is already in progress.  Every run ends
 *    with exactly one call of done(arg, result), never from inside
 *    probe_start(): failures found at once (bind/connect errors, refused
 *    ports) are delivered on the next loop iteration, ICMP unreachable and
 *    TCP resets as soon as the kernel reports them, silence after
 *    spec->timeout_ms.  The result is valid only during the callback.  The
 *    callback may call probe_start() again, or probe_free().
 *  - probe_running() tells whether a run is in progress.
 *  - probe_cancel() ends a run without calling done (no-op when idle).
 *    probe_free() cancels and frees (NULL is fine).
 *  - A run owns one socket (two with spec->primary: the primary's SOA is
 *    asked at the same time), all closed before done is called.  Each run
 *    uses a fresh random query ID; the reply's ID and question must match.
 *    A run sends one query and never retries, except that a truncated UDP
 *    reply (TC: an answer too large, or a rate limiter's "slip") is asked
 *    again over TCP within the same timeout, as a resolver would.  With spec->target_local the
 *    target must be an address of this node (checked before sending).
 *    A primary that fails only loses the serial comparison.
 *  - probe_run_once() does one run on a private loop and blocks until it
 *    ends (for raizctl probe).  Returns 0 when the verdict is ok, 1 when
 *    the run failed (verdict and reason in *r), -1 on a local error
 *    (allocation), errno set.
 *
 * The verdict is PROBE_OK or the kind of failure.  The reason string is one
 * line for a NOC engineer, starting with what was asked, e.g.
 *   "udp 192.0.2.53@53 . SOA: timeout after 500 ms".
 */
#ifndef RAIZ_PROBES_PROBE_H
#define RAIZ_PROBES_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/config_probe.h"

struct ev_loop;
struct probe;

enum probe_verdict {
	PROBE_OK = 0,
	PROBE_HARD,         /* refused, reset, unreachable, source address missing */
	PROBE_TIMEOUT,      /* no (complete) reply within the timeout */
	PROBE_WRONG,        /* rcode, flags, data, NSID, malformed, ID/question */
	PROBE_STALE,        /* SOA serial too old or lagging the primary */
	PROBE_SIGNATURES,   /* RRSIG expiring within the margin, or not yet valid */
	PROBE_SLOW,         /* correct, but slower than max-latency */
	PROBE_VERDICTS
};

#define PROBE_REASON_MAX 320
#define PROBE_NSID_MAX   128

struct probe_result {
	enum probe_verdict verdict;
	char reason[PROBE_REASON_MAX];  /* "" when ok */
	uint64_t latency_us;            /* start of run to complete reply; 0 if none */
	int rcode;                      /* extended rcode seen, -1 when no reply */
	bool aa;                        /* AA flag seen */
	bool has_nsid;
	char nsid[PROBE_NSID_MAX];      /* NSID seen, non-printables as \DDD */
	bool has_serial;
	uint32_t serial;                /* SOA serial seen (answer or authority) */
	bool has_primary_serial;
	uint32_t primary_serial;        /* the primary's serial, with "primary" */
	time_t rrsig_expire;            /* earliest RRSIG expiration seen, 0 = none */
	unsigned nrrsig;                /* RRSIGs seen in the answer section */
};

const char *probe_verdict_name(enum probe_verdict v);

struct probe *probe_new(struct ev_loop *loop, const struct cfg_probe *spec);
int probe_start(struct probe *p, void (*done)(void *arg, const struct probe_result *r),
		void *arg);
bool probe_running(const struct probe *p);
void probe_cancel(struct probe *p);
void probe_free(struct probe *p);

int probe_run_once(const struct cfg_probe *spec, struct probe_result *r);

#endif

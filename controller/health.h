/*
 * health — one service's health state machine (pure logic, injected time).
 *
 * Contract: the caller runs all probes of a service together ("a round")
 * and feeds the verdicts to health_round(); it asks health_next_delay()
 * when to start the next round and health_wakeup() when a time-driven
 * change (hold-down end, damping reuse) is due, then calls health_tick().
 * Both return true when the state, the suppression or the why changed in
 * a way the policy must see.  Nothing here reads a clock or allocates.
 *
 * A round is GOOD when every probe is ok; BAD when any probe got a wrong
 * answer (rcode/data/NSID, stale serial, expiring signatures) or no probe
 * answered correctly; PARTIAL otherwise (some answered, others timed out,
 * were refused or were slow: a busy or half-broken node).  A BAD round
 * with a wrong answer (PROBE_WRONG: an rcode such as REFUSED or SERVFAIL,
 * flags, data, NSID) takes the service DOWN at once, whatever `fall` says:
 * resolvers cache such answers, and no timeout caused it.  A BAD round
 * with a hard failure (refused, reset, unreachable) or an external hard
 * event (the dnsd process died) asks for one immediate confirming round;
 * a BAD confirming round takes the service DOWN at once.  Other BAD rounds
 * (timeouts, stale serials, expiring signatures) go DOWN after `fall`.
 *
 *   UNKNOWN -rise GOOD-> UP       UNKNOWN -fall BAD-> DOWN
 *   UP      -fall BAD-> DOWN      UP      -fall not GOOD-> DEGRADED
 *   DEGRADED -rise GOOD-> UP      DEGRADED -fall BAD-> DOWN
 *   UNKNOWN, UP, DEGRADED -one BAD round with a wrong answer-> DOWN
 *   DOWN    -rise GOOD-> UP       DOWN    -rise answering-> DEGRADED
 * Leaving DOWN waits for hold-down.  Every entry into a withdrawing state
 * from an announcing one adds the damping penalty (RFC 2439 style,
 * exponential decay with half-life, ceiling from max-suppress); above
 * `suppress` the service is suppressed (treated as down by the policy)
 * until the penalty decays below `reuse`.
 *
 * The zone copies (zsync.h) are an input of their own, not a round:
 * health_zone(bad) takes the service DOWN at once (damping counts it like
 * any withdrawal) and holds it there, its why the zone's reason, while
 * rounds go on but do not count towards rise; the first verdict that is
 * not bad releases the hold and the service comes back by the normal rise
 * (and hold-down).
 */
#ifndef RAIZ_CONTROLLER_HEALTH_H
#define RAIZ_CONTROLLER_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config_ctl.h"
#include "probes/probe.h"

enum health_state { HEALTH_UNKNOWN = 0, HEALTH_UP, HEALTH_DEGRADED, HEALTH_DOWN };
enum health_round_class { HEALTH_GOOD = 0, HEALTH_PARTIAL, HEALTH_BAD };

#define HEALTH_WHY_MAX 384
#define HEALTH_NEVER UINT64_MAX

struct health {
	const struct cfg_service *cfg;
	enum health_state state;
	uint64_t since_ms;           /* when state was entered (caller's clock) */
	char why[HEALTH_WHY_MAX];    /* why it is in this state, one line */
	/* consecutive rounds */
	unsigned good, bad, notgood, answering;
	unsigned rounds;             /* rounds since entering the state */
	enum health_round_class last;
	bool last_hard;
	bool confirming;             /* a hard failure waits for its confirmation */
	uint64_t transitions;
	/* damping */
	double penalty;
	uint64_t penalty_at;
	bool suppressed;
	uint64_t suppressed_since;
	/* held DOWN by the zone copies' verdict (health_zone()) */
	bool zone_bad;
	char zone_why[HEALTH_WHY_MAX];
};

const char *health_state_name(enum health_state s);
const char *health_class_name(enum health_round_class c);

void health_init(struct health *h, const struct cfg_service *cfg, uint64_t now_ms);
/* carry state and damping over from old (same service after a reload) */
void health_adopt(struct health *h, const struct health *old);

/* classify verdicts of one round; *hard set when the round is BAD with a
 * hard failure */
enum health_round_class health_classify(const enum probe_verdict *v, size_t n, bool *hard);
/* one finished round; detail = the round in one line, every probe with its
 * verdict and failing ones with their reason (or NULL) */
bool health_round(struct health *h, uint64_t now_ms, const enum probe_verdict *v, size_t n,
		  const char *detail);
/* an external hard failure (process gone): confirm with a round at once */
void health_hard_event(struct health *h, uint64_t now_ms, const char *reason);
/* the zone copies' verdict: bad (with reason) holds the service DOWN,
 * not bad releases a hold; true when the state or the why changed */
bool health_zone(struct health *h, uint64_t now_ms, bool bad, const char *reason);
/* ms until the next round should start (after the one just finished) */
uint64_t health_next_delay(const struct health *h);
/* absolute time of the next time-driven change, HEALTH_NEVER if none */
uint64_t health_wakeup(const struct health *h, uint64_t now_ms);
/* apply time-driven changes (decay, reuse, hold-down end) */
bool health_tick(struct health *h, uint64_t now_ms);

/* the current damping penalty (decayed to now) */
double health_penalty(const struct health *h, uint64_t now_ms);
/* true when the service may be announced: UP or DEGRADED, not suppressed */
bool health_usable(const struct health *h);
/* end of hold-down (absolute), 0 when not in DOWN */
uint64_t health_hold_until(const struct health *h);

/* 2^(-x) for x >= 0 without libm */
double health_exp2neg(double x);

#endif

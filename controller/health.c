/* health — see health.h */
#include "controller/health.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const health_names[] = {
	[HEALTH_UNKNOWN] = "unknown", [HEALTH_UP] = "up",
	[HEALTH_DEGRADED] = "degraded", [HEALTH_DOWN] = "down",
};
static const char *const health_class_names[] = {
	[HEALTH_GOOD] = "good", [HEALTH_PARTIAL] = "partial", [HEALTH_BAD] = "bad",
};

const char *health_state_name(enum health_state s)
{
	return (unsigned)s <= HEALTH_DOWN ? health_names[s] : "?";
}

const char *health_class_name(enum health_round_class c)
{
	return (unsigned)c <= HEALTH_BAD ? health_class_names[c] : "?";
}

double health_exp2neg(double x)
{
	double r = 1.0;
	if (!(x > 0))
		return 1.0;
	if (x >= 1100)
		return 0.0;
	for (; x >= 1.0; x -= 1.0)
		r *= 0.5;
	/* 2^-f = e^(-f ln 2), f in [0,1): the series converges fast */
	double y = -x * 0.69314718055994530942, term = 1.0, sum = 1.0;
	for (int i = 1; i < 20; i++) {
		term *= y / i;
		sum += term;
	}
	return r * sum;
}

static void health_why(struct health *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void health_why(struct health *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof h->why, fmt, ap);
	va_end(ap);
}

/* "s" unless n is 1: "1 good round", "2 good rounds" */
static const char *health_s(unsigned n)
{
	return n == 1 ? "" : "s";
}

void health_init(struct health *h, const struct cfg_service *cfg, uint64_t now_ms)
{
	memset(h, 0, sizeof *h);
	h->cfg = cfg;
	h->state = HEALTH_UNKNOWN;
	h->since_ms = now_ms;
	h->penalty_at = now_ms;
	h->last = HEALTH_GOOD;
	health_why(h, "starting: waiting for %u good round%s in a row", cfg->rise,
		   health_s(cfg->rise));
}

void health_adopt(struct health *h, const struct health *old)
{
	const struct cfg_service *cfg = h->cfg;
	*h = *old;
	h->cfg = cfg;
}

enum health_round_class health_classify(const enum probe_verdict *v, size_t n, bool *hard)
{
	size_t ok = 0, answered = 0, wrong = 0, nhard = 0;

	for (size_t i = 0; i < n; i++) {
		switch (v[i]) {
		case PROBE_OK:
			ok++;
			answered++;
			break;
		case PROBE_SLOW:
			answered++;
			break;
		case PROBE_HARD:
			nhard++;
			break;
		case PROBE_WRONG:
		case PROBE_STALE:
		case PROBE_SIGNATURES:
			wrong++;
			break;
		default:
			break;
		}
	}
	*hard = false;
	if (wrong || answered == 0) {
		*hard = nhard > 0;
		return HEALTH_BAD;
	}
	return ok == n ? HEALTH_GOOD : HEALTH_PARTIAL;
}

/* a probe got a wrong answer (rcode such as REFUSED or SERVFAIL, flags,
 * data, NSID): what a resolver would have got, and may cache */
static bool health_any_wrong(const enum probe_verdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == PROBE_WRONG)
			return true;
	return false;
}

double health_penalty(const struct health *h, uint64_t now_ms)
{
	if (h->penalty <= 0 || now_ms <= h->penalty_at)
		return h->penalty;
	return h->penalty * health_exp2neg((double)(now_ms - h->penalty_at) /
					   (double)h->cfg->damping.half_life_ms);
}

static bool health_announcing(const struct health *h, enum health_state s)
{
	return s == HEALTH_UP || (s == HEALTH_DEGRADED && h->cfg->degraded != CFG_DEGRADED_WITHDRAW);
}

bool health_usable(const struct health *h)
{
	return (h->state == HEALTH_UP || h->state == HEALTH_DEGRADED) && !h->suppressed;
}

uint64_t health_hold_until(const struct health *h)
{
	return h->state == HEALTH_DOWN ? h->since_ms + h->cfg->hold_down_ms : 0;
}

/* the penalty's ceiling: reuse * 2^(max-suppress / half-life) (RFC 2439) */
static double health_ceiling(const struct cfg_damping *d)
{
	double x = (double)d->max_suppress_ms / (double)d->half_life_ms;
	double inv = health_exp2neg(x);
	return inv > 0 ? d->reuse / inv : 1e300;
}

static void health_decay(struct health *h, uint64_t now_ms)
{
	h->penalty = health_penalty(h, now_ms);
	if (now_ms > h->penalty_at)
		h->penalty_at = now_ms;
	if (h->penalty < 1.0)
		h->penalty = 0;
}

static void health_set(struct health *h, uint64_t now_ms, enum health_state to)
{
	const struct cfg_damping *d = &h->cfg->damping;
	bool flap = health_announcing(h, h->state) && !health_announcing(h, to);

	h->state = to;
	h->since_ms = now_ms;
	h->rounds = 0;
	h->transitions++;
	if (flap && d->enabled) {
		health_decay(h, now_ms);
		h->penalty += d->penalty;
		double ceil = health_ceiling(d);
		if (h->penalty > ceil)
			h->penalty = ceil;
		if (!h->suppressed && h->penalty > d->suppress) {
			h->suppressed = true;
			h->suppressed_since = now_ms;
		}
	}
}

/* leave DOWN when the streak is long enough and hold-down has passed */
static bool health_try_leave_down(struct health *h, uint64_t now_ms)
{
	unsigned rise = h->cfg->rise;
	if (h->state != HEALTH_DOWN || (h->good < rise && h->answering < rise))
		return false;
	if (now_ms < health_hold_until(h)) {
		health_why(h, "answering again, held down for %llu ms more (hold-down)",
			   (unsigned long long)(health_hold_until(h) - now_ms));
		return true;
	}
	if (h->good >= rise) {
		health_set(h, now_ms, HEALTH_UP);
		health_why(h, "%u good round%s in a row", h->good, health_s(h->good));
	} else {
		health_set(h, now_ms, HEALTH_DEGRADED);
		health_why(h, "%u round%s answering, but not every probe", h->answering,
			   health_s(h->answering));
	}
	return true;
}

static bool health_suppress_tick(struct health *h, uint64_t now_ms)
{
	if (!h->suppressed)
		return false;
	health_decay(h, now_ms);
	if (h->penalty >= h->cfg->damping.reuse && h->cfg->damping.enabled)
		return false;
	h->suppressed = false;
	return true;
}

bool health_tick(struct health *h, uint64_t now_ms)
{
	bool changed = health_suppress_tick(h, now_ms);
	if (h->state == HEALTH_DOWN && !h->zone_bad && now_ms >= health_hold_until(h)) {
		enum health_state before = h->state;
		health_try_leave_down(h, now_ms);
		changed |= h->state != before;
	}
	return changed;
}

uint64_t health_wakeup(const struct health *h, uint64_t now_ms)
{
	uint64_t w = HEALTH_NEVER;
	unsigned rise = h->cfg->rise;

	if (h->state == HEALTH_DOWN && (h->good >= rise || h->answering >= rise) &&
	    health_hold_until(h) > now_ms)
		w = health_hold_until(h);
	if (h->suppressed) {
		/* solve penalty * 2^(-t/hl) = reuse for t by bisection */
		double p = health_penalty(h, now_ms), reuse = h->cfg->damping.reuse;
		uint64_t lo = 0, hi = h->cfg->damping.max_suppress_ms + 1;
		if (p < reuse)
			hi = 0;
		while (lo < hi) {
			uint64_t mid = lo + (hi - lo) / 2;
			if (p * health_exp2neg((double)mid / (double)h->cfg->damping.half_life_ms) <
			    reuse)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (now_ms + lo < w)
			w = now_ms + lo;
	}
	return w;
}

void health_hard_event(struct health *h, uint64_t now_ms, const char *reason)
{
	h->confirming = true;
	if (h->state != HEALTH_DOWN)
		health_why(h, "%s; confirming with an immediate probe", reason);
}

bool health_round(struct health *h, uint64_t now_ms, const enum probe_verdict *v, size_t n,
		  const char *detail)
{
	const struct cfg_service *c = h->cfg;
	enum health_state before = h->state;
	char old_why[HEALTH_WHY_MAX];
	bool hard, confirm = h->confirming, was_suppressed = h->suppressed;
	enum health_round_class cl = health_classify(v, n, &hard);
	bool wrong = cl == HEALTH_BAD && health_any_wrong(v, n);
	const char *d = detail && detail[0] ? detail : health_class_name(cl);

	memcpy(old_why, h->why, sizeof old_why);
	h->last = cl;
	h->last_hard = hard;
	h->confirming = false;
	h->rounds++;
	h->good = cl == HEALTH_GOOD ? h->good + 1 : 0;
	h->bad = cl == HEALTH_BAD ? h->bad + 1 : 0;
	h->notgood = cl != HEALTH_GOOD ? h->notgood + 1 : 0;
	h->answering = cl != HEALTH_BAD ? h->answering + 1 : 0;
	health_suppress_tick(h, now_ms);

	if (h->zone_bad) {
		/* held down by the zone copies: rounds do not count towards rise */
		h->good = h->answering = 0;
		h->confirming = false;
		if (h->state != HEALTH_DOWN)
			health_set(h, now_ms, HEALTH_DOWN);
		health_why(h, "%s", h->zone_why);
		return h->state != before || h->suppressed != was_suppressed ||
		       strcmp(old_why, h->why) != 0;
	}
	switch (h->state) {
	case HEALTH_UNKNOWN:
	case HEALTH_UP:
	case HEALTH_DEGRADED:
		if (cl == HEALTH_BAD && confirm) {
			health_set(h, now_ms, HEALTH_DOWN);
			health_why(h, "hard failure confirmed: %s", d);
		} else if (wrong) {
			/* no hysteresis: a resolver caches a wrong answer */
			health_set(h, now_ms, HEALTH_DOWN);
			health_why(h, "wrong answer: %s", d);
		} else if (cl == HEALTH_BAD && hard && h->bad < c->fall) {
			h->confirming = true;
			health_why(h, "hard failure, confirming: %s", d);
		} else if (h->bad >= c->fall) {
			health_set(h, now_ms, HEALTH_DOWN);
			health_why(h, "%u bad round%s in a row: %s", h->bad, health_s(h->bad), d);
		} else if (h->state == HEALTH_UNKNOWN) {
			if (h->good >= c->rise) {
				health_set(h, now_ms, HEALTH_UP);
				health_why(h, "%u good round%s in a row", h->good,
					   health_s(h->good));
			} else if (h->answering >= c->rise && cl == HEALTH_PARTIAL) {
				health_set(h, now_ms, HEALTH_DEGRADED);
				health_why(h, "%u round%s answering, but not every probe: %s",
					   h->answering, health_s(h->answering), d);
			} else if (h->rounds >= c->rise + c->fall + 2) {
				health_set(h, now_ms, HEALTH_DOWN);
				health_why(h, "no stable verdict after %u round%s: %s",
					   h->rounds, health_s(h->rounds), d);
			} else if (cl != HEALTH_GOOD) {
				health_why(h, "starting, last round %s: %s",
					   health_class_name(cl), d);
			} else {
				health_why(h, "starting: good round %u of %u", h->good, c->rise);
			}
		} else if (h->state == HEALTH_UP && h->notgood >= c->fall) {
			health_set(h, now_ms, HEALTH_DEGRADED);
			health_why(h, "%u round%s in a row with failing probes: %s", h->notgood,
				   health_s(h->notgood), d);
		} else if (h->state == HEALTH_DEGRADED && h->good >= c->rise) {
			health_set(h, now_ms, HEALTH_UP);
			health_why(h, "%u good round%s in a row", h->good, health_s(h->good));
		} else if (h->state == HEALTH_UP && cl != HEALTH_GOOD) {
			health_why(h, "failing round %u of %u before degraded: %s", h->notgood,
				   c->fall, d);
		} else if (h->state == HEALTH_DEGRADED && cl != HEALTH_GOOD) {
			health_why(h, "probes failing: %s", d);
		} else if (h->state == HEALTH_UP && h->rounds == 1) {
			/* keep the why of the transition */
		} else if (cl == HEALTH_GOOD && h->state == HEALTH_UP) {
			health_why(h, "every probe answers correctly");
		} else if (cl == HEALTH_GOOD) {
			health_why(h, "good round %u of %u to come up", h->good, c->rise);
		}
		break;
	case HEALTH_DOWN:
		if (!health_try_leave_down(h, now_ms)) {
			if (cl == HEALTH_BAD)
				health_why(h, "still failing: %s", d);
			else if (cl == HEALTH_GOOD)
				health_why(h, "good round %u of %u to come up", h->good, c->rise);
			else
				health_why(h, "answering round %u of %u, but not every probe: %s",
					   h->answering, c->rise, d);
		}
		break;
	}
	return h->state != before || h->suppressed != was_suppressed ||
	       strcmp(old_why, h->why) != 0;
}

bool health_zone(struct health *h, uint64_t now_ms, bool bad, const char *reason)
{
	enum health_state before = h->state;
	bool was_suppressed = h->suppressed;
	char old_why[HEALTH_WHY_MAX];

	if (!bad && !h->zone_bad)
		return false;
	memcpy(old_why, h->why, sizeof old_why);
	h->good = h->answering = 0;
	if (bad) {
		snprintf(h->zone_why, sizeof h->zone_why, "%s",
			 reason && reason[0] ? reason : "a zone copy is unfit to serve");
		h->zone_bad = true;
		h->confirming = false;
		health_suppress_tick(h, now_ms);
		if (h->state != HEALTH_DOWN)
			health_set(h, now_ms, HEALTH_DOWN);
		health_why(h, "%s", h->zone_why);
	} else {
		h->zone_bad = false;
		h->zone_why[0] = '\0';
		health_why(h, "zone copies fit to serve again; waiting for %u good round%s in a row",
			   h->cfg->rise, health_s(h->cfg->rise));
	}
	return h->state != before || h->suppressed != was_suppressed ||
	       strcmp(old_why, h->why) != 0;
}

uint64_t health_next_delay(const struct health *h)
{
	if (h->confirming)
		return 0;
	if ((h->state == HEALTH_UP || h->state == HEALTH_UNKNOWN) && h->last != HEALTH_GOOD)
		return h->cfg->fast_interval_ms;
	if (h->state == HEALTH_DEGRADED && h->last == HEALTH_BAD)
		return h->cfg->fast_interval_ms;
	return h->cfg->interval_ms;
}

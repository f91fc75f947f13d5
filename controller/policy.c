/* policy — see policy.h */
#include "common/text.h"
#include "controller/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void policy_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* reasons embed a service's own reason: shorten at a word, never mid-word */
static void policy_fmt(char *buf, size_t len, const char *fmt, ...)
{
	char full[2 * POLICY_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(full, sizeof full, fmt, ap);
	va_end(ap);
	text_fit(buf, len, full);
}

static const char *const policy_names[] = {
	[POLICY_KEEP] = "keep", [POLICY_WITHDRAW] = "withdraw",
	[POLICY_DRAIN] = "drain", [POLICY_ANNOUNCE] = "announce",
};

const char *policy_want_name(enum policy_want w)
{
	return (unsigned)w <= POLICY_ANNOUNCE ? policy_names[w] : "?";
}

uint64_t policy_maint_deadline(const struct policy_maint *m)
{
	return m && m->active ? m->since_ms + m->drain_time_ms : 0;
}

/* health alone; the first service that decides names the reason */
static enum policy_want policy_health(const struct cfg_prefix *p, const struct health *health,
				      char *why, size_t len)
{
	enum policy_want w = POLICY_ANNOUNCE;
	const char *up = NULL;
	int n;

	for (size_t i = 0; i < p->nservices; i++) {
		const struct health *h = &health[p->service_idx[i]];
		const char *name = h->cfg->name;
		if (h->state == HEALTH_DOWN) {
			policy_fmt(why, len, "service %s down: %s", name, h->why);
			return POLICY_WITHDRAW;
		}
		if (h->suppressed && h->state != HEALTH_UNKNOWN) {
			policy_fmt(why, len, "service %s suppressed by flap damping "
				 "(%llu transitions)", name, (unsigned long long)h->transitions);
			return POLICY_WITHDRAW;
		}
		if (h->state == HEALTH_DEGRADED && h->cfg->degraded == CFG_DEGRADED_WITHDRAW) {
			policy_fmt(why, len, "service %s degraded (policy withdraw): %s", name,
				 h->why);
			return POLICY_WITHDRAW;
		}
	}
	for (size_t i = 0; i < p->nservices; i++) {
		const struct health *h = &health[p->service_idx[i]];
		if (h->state == HEALTH_UNKNOWN) {
			policy_fmt(why, len, "service %s has no verdict yet: %s", h->cfg->name,
				 h->why);
			return POLICY_KEEP;
		}
		if (h->state == HEALTH_DEGRADED && h->cfg->degraded == CFG_DEGRADED_DRAIN &&
		    w != POLICY_DRAIN) {
			policy_fmt(why, len, "service %s degraded (policy drain): %s",
				 h->cfg->name, h->why);
			w = POLICY_DRAIN;
		}
	}
	if (w == POLICY_DRAIN)
		return w;
	/* every service up (or degraded with policy keep) */
	why[0] = '\0';
	n = 0;
	for (size_t i = 0; i < p->nservices && n >= 0 && (size_t)n < len; i++) {
		const struct health *h = &health[p->service_idx[i]];
		up = health_state_name(h->state);
		n += snprintf(why + n, len - (size_t)n, "%s%s %s", i ? ", " : "", h->cfg->name, up);
	}
	return w;
}

enum policy_want policy_prefix(const struct cfg_prefix *p, const struct health *health,
			       const struct policy_maint *m, uint64_t wall_ms,
			       char *why, size_t whylen)
{
	char hw[POLICY_REASON_MAX];
	enum policy_want w = policy_health(p, health, hw, sizeof hw);

	if (!m || !m->active || w == POLICY_WITHDRAW) {
		policy_fmt(why, whylen, "%s", hw);
		return w;
	}
	if (wall_ms >= policy_maint_deadline(m)) {
		policy_fmt(why, whylen, "maintenance: drained, then withdrawn (%s)", m->reason);
		return POLICY_WITHDRAW;
	}
	if (w == POLICY_KEEP) {
		policy_fmt(why, whylen, "maintenance (%s), but %s", m->reason, hw);
		return w;
	}
	policy_fmt(why, whylen, "maintenance: draining until withdraw (%s)", m->reason);
	return POLICY_DRAIN;
}

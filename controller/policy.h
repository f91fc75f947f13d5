/*
 * policy — from the services' health and the maintenance state to what
 * each prefix should be: announced, drained (announced with
 * GRACEFUL_SHUTDOWN and prepends), withdrawn, or left as BIRD has it.
 *
 * Contract: pure functions of their arguments.  A prefix is withdrawn when
 * any service it depends on is down, suppressed by flap damping, or
 * degraded with policy "withdraw"; left alone (POLICY_KEEP, adopting what
 * BIRD shows) while a service has no verdict yet; drained when a service
 * is degraded with policy "drain" or the node is in maintenance (and
 * withdrawn once the maintenance drain-time has passed); else announced.
 * health[] is indexed like cfg_ctl.services.
 */
#ifndef RAIZ_CONTROLLER_POLICY_H
#define RAIZ_CONTROLLER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config_ctl.h"
#include "controller/health.h"

enum policy_want { POLICY_KEEP = 0, POLICY_WITHDRAW, POLICY_DRAIN, POLICY_ANNOUNCE };

#define POLICY_REASON_MAX 256

/* maintenance ("raizctl drain"); times are wall-clock ms */
struct policy_maint {
	bool active;
	uint64_t since_ms;
	uint64_t drain_time_ms;
	char reason[POLICY_REASON_MAX];
};

const char *policy_want_name(enum policy_want w);

enum policy_want policy_prefix(const struct cfg_prefix *p, const struct health *health,
			       const struct policy_maint *m, uint64_t wall_ms,
			       char *why, size_t whylen);
/* wall-clock ms when the maintenance drain turns into a withdraw, 0 if none */
uint64_t policy_maint_deadline(const struct policy_maint *m);

#endif

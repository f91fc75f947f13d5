/*
 * node_priv — the internals of struct node, shared by the node*.c files
 * only (the rest of the controller sees struct node through node.h).
 *
 * node.c        the loop: probe rounds, policy, reconciler, maintenance,
 *               reload and stop; it alone changes the structures below.
 * node_status.c the JSON for the control socket and the one health verdict
 *               (node_healthy()); reads only.
 * node_reason.c one-line reasons for people: a round's probes grouped by
 *               failure, and word-safe shortening.
 */
#ifndef RAIZ_CONTROLLER_NODE_PRIV_H
#define RAIZ_CONTROLLER_NODE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ev.h>

#include "controller/health.h"
#include "controller/maint.h"
#include "controller/policy.h"
#include "controller/reconcile.h"
#include "probes/probe.h"

struct history;
struct watch;
struct zsync;

struct node_svc;

/* one probe of one service, with its last result */
struct node_probe {
	struct node_svc *s;
	const struct cfg_probe *spec;
	struct probe *p;
	bool in_round;
	bool have;
	struct probe_result last;
	uint64_t last_at;            /* wall ms */
};

struct node_svc {
	struct node *n;
	size_t idx;
	struct health *h;            /* &n->health[idx] */
	struct node_probe *pr;
	size_t npr;
	size_t pending;              /* probes outstanding in this round */
	bool running;
	bool restart;                /* start another round at once after this one */
	uint64_t rounds;
	ev_timer next;               /* next round */
	ev_timer wake;               /* hold-down end, damping reuse */
};

struct node_pfx {
	enum policy_want want;
	bool told;                   /* reconcile_set() called for want */
	char why[POLICY_REASON_MAX];
	uint64_t since;              /* wall ms of the last change of want */
};

struct node {
	struct ev_loop *loop;
	struct raiz_config *cfg;
	struct health *health;       /* indexed like cfg->ctl.services */
	struct node_svc *svc;
	struct node_pfx *pfx;
	struct reconcile *rec;
	struct policy_maint maint;
	char *maint_path;
	ev_timer maint_timer;
	struct history *hist;
	struct watch *watch;
	struct zsync *zsync;         /* raiz-dnsd's zone copies; NULL without secondary zones */
	/* our view of BIRD (see node_bird_state()) */
	bool bird_up;                /* control socket connected */
	bool bird_stale;             /* reconnected, the reconciler has not re-checked */
	uint64_t bird_since;         /* wall ms of the last change of bird_up */
	double bird_back_at;         /* ev_now() of the reconnect */
	ev_timer bird_poll;          /* while bird_stale: until the re-check is done */
	uint64_t started;            /* wall ms */
	bool stopping;
	void (*stop_done)(void *arg);
	void *stop_arg;
	ev_timer stop_timer;
	ev_timer stop_poll;
};

/* clocks, in ms (node.c) */
uint64_t node_mono(void);
uint64_t node_wall(void);
/* a monotonic time of the health machine as wall-clock ms */
uint64_t node_mono_to_wall(uint64_t mono);

/* reconcile_get(), with what cannot be known while BIRD is away (or not
 * yet re-checked after a reconnect) masked; true when masked (node.c) */
bool node_rec_get(const struct node *n, size_t i, struct reconcile_status *st);
/* "disconnected", "re-checking" or "connected" (node.c) */
const char *node_bird_word(const struct node *n);

/*
 * A round of s in one line for people, every probe named once: failing
 * probes grouped by the same reason (the question, which the probe's name
 * stands for, left out), then the ok ones:
 * "soa4, soa6: port unreachable (ICMP): nothing listens on port 53; tcp4 ok".
 * Never longer than len - 1 and never cut mid-word: groups that do not fit
 * are left off as "… (N more)" (node_reason.c).
 */
void node_reason_round(const struct node_svc *s, char *buf, size_t len);

#endif

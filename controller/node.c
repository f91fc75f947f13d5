/*
 * node — see node.h.  The loop itself: probe rounds of every service, the
 * health machine, the policy and the reconciler; maintenance, reload and
 * stop.  The status JSON is built in node_status.c, the round reasons in
 * node_reason.c; node_priv.h holds the structures they share.
 */
#include "controller/node.h"
#include "controller/node_priv.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "common/log.h"
#include "controller/health.h"
#include "controller/history.h"
#include "controller/maint.h"
#include "controller/policy.h"
#include "controller/reconcile.h"
#include "controller/watch.h"
#include "controller/zsync.h"
#include "probes/probe.h"

/* ---- clocks ---- */

uint64_t node_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t node_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* a monotonic time of the health machine as wall-clock ms */
uint64_t node_mono_to_wall(uint64_t mono)
{
	uint64_t now = node_mono(), wall = node_wall();
	return mono <= now ? wall - (now - mono) : wall + (mono - now);
}

static enum announce_state node_announce(enum policy_want w)
{
	switch (w) {
	case POLICY_ANNOUNCE:
		return RECONCILE_ANNOUNCE;
	case POLICY_DRAIN:
		return RECONCILE_DRAIN;
	default:
		return RECONCILE_WITHDRAW;
	}
}

/* ---- policy -> reconciler ---- */

static void node_evaluate(struct node *n)
{
	const struct cfg_ctl *k = &n->cfg->ctl;
	uint64_t wall = node_wall();

	if (n->stopping)
		return;
	for (size_t i = 0; i < k->nprefixes; i++) {
		struct node_pfx *p = &n->pfx[i];
		char why[POLICY_REASON_MAX];
		enum policy_want w = policy_prefix(&k->prefixes[i], n->health, &n->maint, wall,
						   why, sizeof why);
		if (w != p->want) {
			if (w != POLICY_KEEP || p->want != POLICY_KEEP)
				log_notice("prefix %s: %s -> %s: %s", k->prefixes[i].prefix,
					   policy_want_name(p->want), policy_want_name(w), why);
			char subj[HISTORY_SUBJECT_MAX];
			snprintf(subj, sizeof subj, "prefix %s", k->prefixes[i].prefix);
			history_add(n->hist, wall, subj, policy_want_name(p->want),
				    policy_want_name(w), why);
			p->want = w;
			p->told = false;
			p->since = wall;
		}
		snprintf(p->why, sizeof p->why, "%s", why);
		if (w != POLICY_KEEP && !p->told && n->rec) {
			reconcile_set(n->rec, i, node_announce(w), why);
			p->told = true;
		}
	}
}

/* ---- probe rounds ---- */

static void node_svc_schedule(struct node_svc *s, uint64_t delay_ms);

static void node_svc_wake_arm(struct node_svc *s)
{
	uint64_t now = node_mono(), w = health_wakeup(s->h, now);
	ev_timer_stop(s->n->loop, &s->wake);
	if (w == HEALTH_NEVER || s->n->stopping)
		return;
	ev_timer_set(&s->wake, w > now ? (double)(w - now) / 1000.0 + 0.001 : 0.001, 0.);
	ev_timer_start(s->n->loop, &s->wake);
}

static void node_svc_changed(struct node_svc *s, enum health_state before, bool was_supp)
{
	struct node *n = s->n;
	struct health *h = s->h;
	char subj[HISTORY_SUBJECT_MAX];

	snprintf(subj, sizeof subj, "service %s", h->cfg->name);
	if (h->state != before) {
		log_notice("service %s: %s -> %s: %s", h->cfg->name, health_state_name(before),
			   health_state_name(h->state), h->why);
		history_add(n->hist, node_wall(), subj, health_state_name(before),
			    health_state_name(h->state), h->why);
	}
	if (h->suppressed != was_supp) {
		char r[96];
		snprintf(r, sizeof r, "flap damping penalty %.0f (suppress %u, reuse %u)",
			 health_penalty(h, node_mono()), h->cfg->damping.suppress,
			 h->cfg->damping.reuse);
		log_notice("service %s: %s: %s", h->cfg->name,
			   h->suppressed ? "suppressed" : "released", r);
		history_add(n->hist, node_wall(), subj, h->suppressed ? "released" : "suppressed",
			    h->suppressed ? "suppressed" : "released", r);
	}
	node_evaluate(n);
	node_svc_wake_arm(s);
}

/*
 * The round's detail travels on: into the health why ("answering round 1
 * of 3, but not every probe: <detail>"), then into the prefix why
 * ("service dns degraded (policy withdraw): <why>", at most
 * POLICY_REASON_MAX).  Keep it short enough to arrive whole.
 */
static size_t node_detail_max(const struct health *h)
{
	size_t ctx = sizeof "service  degraded (policy withdraw): " +
		     sizeof "answering round 999 of 999, but not every probe: " +
		     strlen(h->cfg->name);
	return ctx + 64 < POLICY_REASON_MAX ? POLICY_REASON_MAX - ctx : 64;
}

static void node_round_done(struct node_svc *s)
{
	struct health *h = s->h;
	enum probe_verdict v[s->npr ? s->npr : 1];
	char detail[HEALTH_WHY_MAX];
	size_t nok = 0;
	enum health_state before = h->state;
	bool supp = h->suppressed;

	s->running = false;
	s->rounds++;
	for (size_t i = 0; i < s->npr; i++) {
		v[i] = s->pr[i].last.verdict;
		nok += v[i] == PROBE_OK;
	}
	node_reason_round(s, detail, node_detail_max(h));
	if (nok < s->npr)
		log_debug("service %s: round %llu: %zu/%zu ok: %s", h->cfg->name,
			  (unsigned long long)s->rounds, nok, s->npr, detail);
	if (health_round(h, node_mono(), v, s->npr, detail) ||
	    h->state != before || h->suppressed != supp)
		node_svc_changed(s, before, supp);
	if (s->n->stopping)
		return;
	node_svc_schedule(s, s->restart ? 0 : health_next_delay(h));
	s->restart = false;
}

static void node_probe_done(void *arg, const struct probe_result *r)
{
	struct node_probe *p = arg;
	struct node_svc *s = p->s;

	p->last = *r;
	p->last_at = node_wall();
	p->have = true;
	p->in_round = false;
	if (s->pending && --s->pending == 0)
		node_round_done(s);
}

static void node_round_start(struct node_svc *s)
{
	if (s->running || s->n->stopping)
		return;
	s->running = true;
	s->pending = s->npr;
	for (size_t i = 0; i < s->npr; i++)
		s->pr[i].in_round = true;
	for (size_t i = 0; i < s->npr; i++) {
		struct node_probe *p = &s->pr[i];
		if (probe_start(p->p, node_probe_done, p) < 0) {
			struct probe_result r = { .verdict = PROBE_TIMEOUT, .rcode = -1 };
			snprintf(r.reason, sizeof r.reason, "cannot start: %s", strerror(errno));
			p->last = r;
			p->last_at = node_wall();
			p->have = true;
			p->in_round = false;
			if (--s->pending == 0) {
				node_round_done(s);
				return;
			}
		}
	}
}

static void node_next_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	node_round_start(t->data);
}

static void node_wake_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct node_svc *s = t->data;
	enum health_state before = s->h->state;
	bool supp = s->h->suppressed;
	if (health_tick(s->h, node_mono()))
		node_svc_changed(s, before, supp);
	else
		node_svc_wake_arm(s);
}

static void node_svc_schedule(struct node_svc *s, uint64_t delay_ms)
{
	ev_timer_stop(s->n->loop, &s->next);
	ev_timer_set(&s->next, (double)delay_ms / 1000.0, 0.);
	ev_timer_start(s->n->loop, &s->next);
}

/* abandon the round in flight (if any) and start a new one now */
static void node_svc_now(struct node_svc *s)
{
	if (s->running) {
		for (size_t i = 0; i < s->npr; i++)
			probe_cancel(s->pr[i].p);
		s->running = false;
		s->pending = 0;
	}
	ev_timer_stop(s->n->loop, &s->next);
	node_round_start(s);
}

static void node_svc_free(struct node *n, struct node_svc *s)
{
	ev_timer_stop(n->loop, &s->next);
	ev_timer_stop(n->loop, &s->wake);
	for (size_t i = 0; s->pr && i < s->npr; i++)
		probe_free(s->pr[i].p);
	free(s->pr);
	s->pr = NULL;
}

static int node_svc_init(struct node *n, size_t idx, char *err, size_t errlen)
{
	struct node_svc *s = &n->svc[idx];
	const struct cfg_service *c = &n->cfg->ctl.services[idx];

	s->n = n;
	s->idx = idx;
	s->h = &n->health[idx];
	s->npr = c->nprobes;
	s->pr = calloc(s->npr ? s->npr : 1, sizeof *s->pr);
	ev_timer_init(&s->next, node_next_cb, 0., 0.);
	ev_timer_init(&s->wake, node_wake_cb, 0., 0.);
	s->next.data = s->wake.data = s;
	if (!s->pr)
		goto oom;
	for (size_t i = 0; i < s->npr; i++) {
		struct node_probe *p = &s->pr[i];
		p->s = s;
		p->spec = &n->cfg->ctl.probes[c->probe_idx[i]];
		p->last.verdict = PROBE_TIMEOUT;
		p->last.rcode = -1;
		snprintf(p->last.reason, sizeof p->last.reason, "not run yet");
		if (!(p->p = probe_new(n->loop, p->spec)))
			goto oom;
	}
	return 0;
oom:
	snprintf(err, errlen, "service %s: out of memory", c->name);
	return -1;
}

/* ---- carrying probe results over a reload ---- */

static bool node_str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool node_addr_same(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return a == b || (a && b && a->port == b->port && strcmp(a->text, b->text) == 0);
}

/* would the two specs ask the same question and judge the answer alike? */
static bool node_probe_same(const struct cfg_probe *a, const struct cfg_probe *b)
{
	if (!node_str_same(a->name, b->name) || a->transport != b->transport ||
	    !node_addr_same(a->target, b->target) || !node_addr_same(a->source, b->source) ||
	    a->target_local != b->target_local || !node_str_same(a->qname, b->qname) ||
	    a->qtype != b->qtype || a->qclass != b->qclass || a->dnssec_ok != b->dnssec_ok ||
	    a->edns_size != b->edns_size || a->timeout_ms != b->timeout_ms ||
	    a->expect_rcode != b->expect_rcode || a->expect_aa != b->expect_aa ||
	    a->expect_answer != b->expect_answer || a->expect_rrsig != b->expect_rrsig ||
	    !node_str_same(a->expect_nsid, b->expect_nsid) ||
	    a->soa_max_age_s != b->soa_max_age_s || !node_addr_same(a->primary, b->primary) ||
	    a->max_serial_lag != b->max_serial_lag || a->rrsig_margin_s != b->rrsig_margin_s ||
	    a->max_latency_ms != b->max_latency_ms || a->nexpect_rdata != b->nexpect_rdata)
		return false;
	for (size_t i = 0; i < a->nexpect_rdata; i++)
		if (!node_str_same(a->expect_rdata[i], b->expect_rdata[i]))
			return false;
	return true;
}

/* the same service after a reload: keep its round count and the last
 * result of every probe that is still there, unchanged */
static void node_svc_adopt(struct node_svc *s, const struct node_svc *old)
{
	s->rounds = old->rounds;
	for (size_t i = 0; i < s->npr; i++)
		for (size_t j = 0; j < old->npr; j++) {
			const struct node_probe *o = &old->pr[j];
			if (!o->have || !node_probe_same(s->pr[i].spec, o->spec))
				continue;
			s->pr[i].have = true;
			s->pr[i].last = o->last;
			s->pr[i].last_at = o->last_at;
		}
}

/* ---- the dnsd watch ---- */

static void node_dnsd_exit(void *arg, pid_t pid)
{
	struct node *n = arg;
	char why[96];
	snprintf(why, sizeof why, "raiz-dnsd (pid %d) exited", (int)pid);
	history_add(n->hist, node_wall(), "raiz-dnsd", "running", "exited", why);
	for (size_t i = 0; i < n->cfg->ctl.nservices; i++) {
		health_hard_event(n->svc[i].h, node_mono(), why);
		node_svc_now(&n->svc[i]);
	}
}

/* ---- raiz-dnsd's zone copies ---- */

/* hold every service down (bad) or release the hold */
static void node_zsync_apply(struct node *n, bool bad, const char *reason)
{
	for (size_t i = 0; i < n->cfg->ctl.nservices; i++) {
		struct node_svc *s = &n->svc[i];
		enum health_state before = s->h->state;
		bool supp = s->h->suppressed;
		if (health_zone(s->h, node_mono(), bad, reason))
			node_svc_changed(s, before, supp);
	}
}

static bool node_zsync_holding(const struct node *n)
{
	for (size_t i = 0; i < n->cfg->ctl.nservices; i++)
		if (n->health[i].zone_bad)
			return true;
	return false;
}

/*
 * Every answer (or failure) of raiz-dnsd's "zones".  A verdict is logged
 * and kept in the history once per change (a lag growing by the second is
 * no change).  UNKNOWN (raiz-dnsd not answering, a reply not understood)
 * changes nothing: the probes judge the service, and a hold from the last
 * verdict stays until raiz-dnsd says the copies are fit again.
 */
static void node_zsync_cb(void *arg, const struct zsync_result *r,
			  const struct zsync_result *prev)
{
	struct node *n = arg;
	const char *from = prev ? zsync_verdict_name(prev->verdict) : "not asked";
	const char *to = zsync_verdict_name(r->verdict);
	char why[HISTORY_REASON_MAX];

	if (!prev || strcmp(prev->key, r->key) != 0) {
		bool held = r->verdict == ZSYNC_UNKNOWN && node_zsync_holding(n);
		snprintf(why, sizeof why, "%s%s", r->reason,
			 held ? "; services stay held down by the last verdict" :
			 r->verdict == ZSYNC_UNKNOWN ? "; the probes alone judge the service" : "");
		if (r->verdict == ZSYNC_HEALTHY)
			log_notice("zone sync: %s -> %s: %s", from, to, why);
		else
			log_warn("zone sync: %s -> %s: %s", from, to, why);
		if (prev || r->verdict != ZSYNC_HEALTHY)
			history_add(n->hist, node_wall(), "zone sync", from, to, why);
	}
	if (r->verdict != ZSYNC_UNKNOWN)
		node_zsync_apply(n, r->verdict == ZSYNC_UNHEALTHY, r->reason);
}

/* start, re-configure or stop asking, as the configuration says */
static void node_zsync_setup(struct node *n)
{
	if (!zsync_wanted(n->cfg) || n->stopping) {
		zsync_free(n->zsync);
		n->zsync = NULL;
		node_zsync_apply(n, false, NULL);
		return;
	}
	if (n->zsync) {
		const struct zsync_result *r = zsync_last(n->zsync);
		zsync_configure(n->zsync, n->cfg);
		/* services new in this configuration follow the last verdict */
		if (r->verdict != ZSYNC_UNKNOWN)
			node_zsync_apply(n, r->verdict == ZSYNC_UNHEALTHY, r->reason);
		return;
	}
	n->zsync = zsync_new(n->loop, n->cfg, node_zsync_cb, n);
	if (!n->zsync)
		log_err("zone sync: out of memory; zone copies are not checked");
}

/* ---- the reconciler ---- */

static void node_verified(void *arg, size_t i, enum announce_state st, double when)
{
	struct node *n = arg;
	if (i < n->cfg->ctl.nprefixes)
		log_info("prefix %s: BIRD shows %s", n->cfg->ctl.prefixes[i].prefix,
			 reconcile_state_name(st));
}

/*
 * Our view of BIRD.  While the control socket is down, what the reconciler
 * last saw (static protocol up, sessions Established, verified) may no
 * longer be true: BIRD may be gone, and its routes with it.  So the view
 * is masked (node_rec_get()) from the disconnect until the reconciler has
 * re-applied and re-checked every prefix after the reconnect, which its
 * checked_at tells (reset at every connect and disconnect, set by the
 * first pass that compares the prefix with what BIRD shows).
 */
static bool node_rec_fresh(const struct node *n, const struct reconcile_status *st)
{
	if (!st->bird_connected)
		return false;
	return !n->bird_stale || st->checked_at > 0;
}

/* see node_priv.h */
bool node_rec_get(const struct node *n, size_t i, struct reconcile_status *st)
{
	reconcile_get(n->rec, i, st);
	if (node_rec_fresh(n, st))
		return false;
	st->verified = false;
	snprintf(st->static_state, sizeof st->static_state, "unknown");
	return true;
}

const char *node_bird_word(const struct node *n)
{
	return !n->bird_up ? "disconnected" : n->bird_stale ? "re-checking" : "connected";
}

static void node_bird_poll_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct node *n = t->data;
	const char *bad = NULL;
	char why[HISTORY_REASON_MAX];
	struct reconcile_status st;

	for (size_t i = 0; i < n->cfg->ctl.nprefixes; i++) {
		reconcile_get(n->rec, i, &st);
		if (!node_rec_fresh(n, &st))
			return;
		if (!bad && !st.verified)
			bad = st.prefix;
	}
	ev_timer_stop(loop, t);
	n->bird_stale = false;
	if (bad)
		snprintf(why, sizeof why, "re-checked after reconnecting: BIRD does not show %s as "
			 "desired yet", bad);
	else
		snprintf(why, sizeof why, "re-checked after reconnecting: BIRD shows every prefix "
			 "as desired");
	log_notice("bird: %s", why);
	history_add(n->hist, node_wall(), "bird", "re-checking", "connected", why);
}

static void node_bird_state(void *arg, bool connected)
{
	struct node *n = arg;
	const char *sock = n->cfg->ctl.bird.socket, *was = node_bird_word(n);
	char why[HISTORY_REASON_MAX];

	n->bird_up = connected;
	n->bird_since = node_wall();
	if (!connected) {
		n->bird_stale = true;
		ev_timer_stop(n->loop, &n->bird_poll);
		snprintf(why, sizeof why, "lost the control socket %s (BIRD stopped or restarted?); "
			 "what BIRD announces is unknown", sock);
		log_warn("bird: %s", why);
		history_add(n->hist, n->bird_since, "bird", was, "disconnected", why);
		/* records "BIRD: not connected" for every prefix */
		reconcile_kick(n->rec);
		return;
	}
	if (n->bird_stale) {
		n->bird_back_at = ev_now(n->loop);
		snprintf(why, sizeof why, "control socket %s answers again; re-applying and "
			 "re-checking every prefix", sock);
		history_add(n->hist, n->bird_since, "bird", "disconnected", "re-checking", why);
		ev_timer_start(n->loop, &n->bird_poll);
	} else {
		snprintf(why, sizeof why, "control socket %s connected", sock);
		history_add(n->hist, n->bird_since, "bird", "disconnected", "connected", why);
	}
}

static struct reconcile *node_rec_new(struct node *n, const struct raiz_config *cfg,
				      char *err, size_t errlen)
{
	const struct cfg_ctl *k = &cfg->ctl;
	struct reconcile_prefix *rp = calloc(k->nprefixes ? k->nprefixes : 1, sizeof *rp);
	if (!rp) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < k->nprefixes; i++) {
		rp[i].prefix = k->prefixes[i].prefix;
		rp[i].static_proto = k->prefixes[i].static_protocol;
		rp[i].bgp_protos = (const char *const *)k->prefixes[i].bgp;
		rp[i].nbgp = k->prefixes[i].nbgp;
	}
	struct reconcile_config rc = {
		.socket_path = k->bird.socket,
		.include_path = k->bird.state_file,
		.prefixes = rp,
		.nprefixes = k->nprefixes,
		.on_verified = node_verified,
		.on_bird_state = node_bird_state,
		.arg = n,
	};
	struct reconcile *r = reconcile_new(n->loop, &rc, err, errlen);
	free(rp);
	return r;
}

/* does the BIRD side of two configurations differ? */
static bool node_bird_changed(const struct cfg_ctl *a, const struct cfg_ctl *b)
{
	if (strcmp(a->bird.socket, b->bird.socket) || strcmp(a->bird.state_file, b->bird.state_file) ||
	    a->nprefixes != b->nprefixes)
		return true;
	for (size_t i = 0; i < a->nprefixes; i++) {
		const struct cfg_prefix *p = &a->prefixes[i], *q = &b->prefixes[i];
		if (strcmp(p->prefix, q->prefix) || strcmp(p->static_protocol, q->static_protocol) ||
		    p->nbgp != q->nbgp)
			return true;
		for (size_t j = 0; j < p->nbgp; j++)
			if (strcmp(p->bgp[j], q->bgp[j]))
				return true;
	}
	return false;
}

/* ---- maintenance ---- */

static void node_maint_arm(struct node *n);

static void node_maint_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct node *n = t->data;
	node_evaluate(n);
	/* libev's clock and the wall clock may disagree by a little */
	if (n->maint.active && node_wall() < policy_maint_deadline(&n->maint))
		node_maint_arm(n);
}

static void node_maint_arm(struct node *n)
{
	ev_timer_stop(n->loop, &n->maint_timer);
	uint64_t dl = policy_maint_deadline(&n->maint), now = node_wall();
	if (!n->maint.active)
		return;
	if (dl <= now)
		return;   /* already past: node_evaluate() withdraws */
	ev_timer_set(&n->maint_timer, (double)(dl - now) / 1000.0 + 0.005, 0.);
	ev_timer_start(n->loop, &n->maint_timer);
}

static char *node_maint_path(const struct raiz_config *cfg)
{
	const char *dir = cfg->node.state_dir ? cfg->node.state_dir : "/var/lib/raiz";
	size_t len = strlen(dir) + sizeof "/maintenance.json";
	char *p = malloc(len);
	if (p)
		snprintf(p, len, "%s/maintenance.json", dir);
	return p;
}

static void node_maint_load(struct node *n)
{
	char err[512];
	n->maint.drain_time_ms = n->cfg->ctl.controller.drain_time_ms;
	if (maint_load(n->maint_path, &n->maint, err, sizeof err) < 0) {
		/* unreadable: the safe side is to stay in maintenance */
		log_err("%s; assuming maintenance, run \"raizctl undrain\" to end it", err);
		n->maint.active = true;
		n->maint.since_ms = node_wall();
		snprintf(n->maint.reason, sizeof n->maint.reason, "unreadable %s",
			 n->maint_path);
	} else if (n->maint.active) {
		log_notice("in maintenance since %llu (%s), from %s",
			   (unsigned long long)n->maint.since_ms, n->maint.reason, n->maint_path);
	}
	node_maint_arm(n);
}

int node_drain(struct node *n, const char *reason, char *err, size_t errlen)
{
	struct policy_maint m = n->maint;
	if (!m.active) {
		m.active = true;
		m.since_ms = node_wall();
	}
	snprintf(m.reason, sizeof m.reason, "%s", reason && reason[0] ? reason : "drained");
	if (maint_save(n->maint_path, &m, err, errlen) < 0)
		return -1;
	if (!n->maint.active)
		history_add(n->hist, m.since_ms, "maintenance", "off", "drain", m.reason);
	log_notice("maintenance: drain (%s); withdraw after %llu ms", m.reason,
		   (unsigned long long)m.drain_time_ms);
	n->maint = m;
	node_maint_arm(n);
	node_evaluate(n);
	return 0;
}

int node_undrain(struct node *n, char *err, size_t errlen)
{
	struct policy_maint m = n->maint;
	m.active = false;
	if (maint_save(n->maint_path, &m, err, errlen) < 0)
		return -1;
	if (n->maint.active) {
		history_add(n->hist, node_wall(), "maintenance", "drain", "off", "undrain");
		log_notice("maintenance: undrain, back to health-driven announcing");
	}
	n->maint = m;
	n->maint.reason[0] = '\0';
	node_maint_arm(n);
	node_evaluate(n);
	return 0;
}

/* ---- life cycle ---- */

static int node_setup(struct node *n, char *err, size_t errlen)
{
	const struct cfg_ctl *k = &n->cfg->ctl;
	n->health = calloc(k->nservices ? k->nservices : 1, sizeof *n->health);
	n->svc = calloc(k->nservices ? k->nservices : 1, sizeof *n->svc);
	n->pfx = calloc(k->nprefixes ? k->nprefixes : 1, sizeof *n->pfx);
	if (!n->health || !n->svc || !n->pfx) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < k->nservices; i++) {
		health_init(&n->health[i], &k->services[i], node_mono());
		if (node_svc_init(n, i, err, errlen) < 0)
			return -1;
	}
	for (size_t i = 0; i < k->nprefixes; i++)
		n->pfx[i].since = node_wall();
	return 0;
}

static void node_teardown(struct node *n)
{
	for (size_t i = 0; n->svc && i < n->cfg->ctl.nservices; i++)
		node_svc_free(n, &n->svc[i]);
	free(n->svc);
	free(n->health);
	free(n->pfx);
	n->svc = NULL;
	n->health = NULL;
	n->pfx = NULL;
}

static void node_start_probing(struct node *n)
{
	/* spread the services' first rounds a little */
	for (size_t i = 0; i < n->cfg->ctl.nservices; i++)
		node_svc_schedule(&n->svc[i], i * 10);
}

static void node_watch_setup(struct node *n)
{
	const char *pf = n->cfg->ctl.controller.dnsd_pidfile;
	if (n->watch && pf && strcmp(watch_pidfile(n->watch), pf) == 0)
		return;
	watch_free(n->watch);
	n->watch = pf ? watch_new(n->loop, pf, node_dnsd_exit, n) : NULL;
}

struct node *node_new(struct ev_loop *loop, struct raiz_config *cfg, char *err, size_t errlen)
{
	struct node *n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(err, errlen, "out of memory");
		config_free(cfg);
		return NULL;
	}
	n->loop = loop;
	n->cfg = cfg;
	n->started = node_wall();
	ev_timer_init(&n->maint_timer, node_maint_cb, 0., 0.);
	n->maint_timer.data = n;
	ev_timer_init(&n->bird_poll, node_bird_poll_cb, 0.05, 0.05);
	n->bird_poll.data = n;
	n->bird_since = n->started;
	n->hist = history_new(cfg->ctl.controller.history);
	n->maint_path = node_maint_path(cfg);
	if (!n->hist || !n->maint_path) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (node_setup(n, err, errlen) < 0)
		goto fail;
	n->rec = node_rec_new(n, cfg, err, errlen);
	if (!n->rec)
		goto fail;
	node_maint_load(n);
	node_watch_setup(n);
	node_zsync_setup(n);
	history_add(n->hist, n->started, "raiz-controller", "stopped", "started",
		    "adopting BIRD's state until the probes decide");
	node_evaluate(n);
	node_start_probing(n);
	return n;
fail:
	node_free(n);
	return NULL;
}

void node_free(struct node *n)
{
	if (!n)
		return;
	ev_timer_stop(n->loop, &n->maint_timer);
	ev_timer_stop(n->loop, &n->bird_poll);
	ev_timer_stop(n->loop, &n->stop_timer);
	ev_timer_stop(n->loop, &n->stop_poll);
	zsync_free(n->zsync);
	node_teardown(n);
	watch_free(n->watch);
	reconcile_free(n->rec);
	history_free(n->hist);
	free(n->maint_path);
	config_free(n->cfg);
	free(n);
}

const struct raiz_config *node_config(const struct node *n)
{
	return n->cfg;
}

int node_reload(struct node *n, struct raiz_config *cfg, char *err, size_t errlen)
{
	struct node old = *n;
	struct reconcile *rec = n->rec;
	const struct cfg_ctl *ok = &old.cfg->ctl, *nk = &cfg->ctl;
	bool bird_changed = node_bird_changed(ok, nk);

	if (n->stopping) {
		snprintf(err, errlen, "stopping");
		config_free(cfg);
		return -1;
	}
	if (bird_changed) {
		rec = node_rec_new(n, cfg, err, errlen);
		if (!rec) {
			config_free(cfg);
			return -1;
		}
	}
	n->cfg = cfg;
	n->svc = NULL;
	n->health = NULL;
	n->pfx = NULL;
	if (node_setup(n, err, errlen) < 0) {
		node_teardown(n);
		if (rec != old.rec)
			reconcile_free(rec);
		*n = old;
		config_free(cfg);
		return -1;
	}
	/* carry health and probe results over by service name, prefixes'
	 * wants by prefix */
	for (size_t i = 0; i < nk->nservices; i++)
		for (size_t j = 0; j < ok->nservices; j++)
			if (strcmp(nk->services[i].name, ok->services[j].name) == 0) {
				health_adopt(&n->health[i], &old.health[j]);
				node_svc_adopt(&n->svc[i], &old.svc[j]);
			}
	for (size_t i = 0; i < nk->nprefixes; i++)
		for (size_t j = 0; j < ok->nprefixes; j++)
			if (strcmp(nk->prefixes[i].prefix, ok->prefixes[j].prefix) == 0) {
				n->pfx[i] = old.pfx[j];
				n->pfx[i].told = false;
			}
	/* drop the old services, then the old configuration */
	n->cfg = old.cfg;
	struct node_svc *nsvc = n->svc;
	struct health *nhealth = n->health;
	struct node_pfx *npfx = n->pfx;
	n->svc = old.svc;
	n->health = old.health;
	n->pfx = old.pfx;
	node_teardown(n);
	if (rec != old.rec)
		reconcile_free(old.rec);
	config_free(old.cfg);
	n->cfg = cfg;
	n->svc = nsvc;
	n->health = nhealth;
	n->pfx = npfx;
	n->rec = rec;
	if (rec != old.rec) {
		/* a new connection: nothing seen yet, nothing stale */
		ev_timer_stop(n->loop, &n->bird_poll);
		n->bird_up = n->bird_stale = false;
		n->bird_since = node_wall();
	}
	/* a changed "history" size takes effect at the next start */
	n->maint.drain_time_ms = cfg->ctl.controller.drain_time_ms;
	char *mp = node_maint_path(cfg);
	if (mp) {
		free(n->maint_path);
		n->maint_path = mp;
	}
	node_maint_arm(n);
	node_watch_setup(n);
	node_zsync_setup(n);
	history_add(n->hist, node_wall(), "raiz-controller", "running", "reloaded",
		    bird_changed ? "configuration reloaded; BIRD side changed, state re-adopted" :
		    "configuration reloaded");
	node_evaluate(n);
	for (size_t i = 0; i < nk->nservices; i++)
		node_svc_schedule(&n->svc[i], health_next_delay(&n->health[i]));
	return 0;
}

/* ---- stopping ---- */

static void node_stop_finish(struct node *n)
{
	ev_timer_stop(n->loop, &n->stop_timer);
	ev_timer_stop(n->loop, &n->stop_poll);
	if (n->stop_done) {
		void (*done)(void *) = n->stop_done;
		n->stop_done = NULL;
		done(n->stop_arg);
	}
}

/* BIRD is not running (its socket is gone or refuses): it announces
 * nothing, and it will start from the state file, which says withdrawn
 * since reconcile_set() wrote it; no confirmation can come, so stop now */
static bool node_stop_bird_gone(struct node *n)
{
	if (!bird_not_running(reconcile_bird(n->rec)))
		return false;
	log_notice("BIRD is not running (nothing listens on %s): nothing is announced; "
		   "the state file says withdrawn", n->cfg->ctl.bird.socket);
	node_stop_finish(n);
	return true;
}

static void node_stop_poll_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct node *n = t->data;
	if (node_stop_bird_gone(n))
		return;
	for (size_t i = 0; i < n->cfg->ctl.nprefixes; i++) {
		struct reconcile_status st;
		node_rec_get(n, i, &st);
		if (!st.verified)
			return;
	}
	log_notice("every prefix withdrawn in BIRD");
	node_stop_finish(n);
}

static void node_stop_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	log_warn("BIRD did not confirm the withdrawal within %.1f s; the state file "
		 "says withdrawn", (double)((struct node *)t->data)->cfg->ctl.controller.stop_timeout_ms
		 / 1000.0);
	node_stop_finish(t->data);
}

void node_stop(struct node *n, void (*done)(void *arg), void *arg)
{
	const struct cfg_controller *c = &n->cfg->ctl.controller;
	if (n->stopping)
		return;
	n->stopping = true;
	n->stop_done = done;
	n->stop_arg = arg;
	for (size_t i = 0; i < n->cfg->ctl.nservices; i++) {
		struct node_svc *s = &n->svc[i];
		ev_timer_stop(n->loop, &s->next);
		ev_timer_stop(n->loop, &s->wake);
		for (size_t j = 0; j < s->npr; j++)
			probe_cancel(s->pr[j].p);
		s->running = false;
	}
	ev_timer_stop(n->loop, &n->maint_timer);
	ev_timer_stop(n->loop, &n->bird_poll);
	watch_free(n->watch);
	n->watch = NULL;
	zsync_free(n->zsync);
	n->zsync = NULL;
	if (c->on_stop == CFG_ON_STOP_KEEP || n->cfg->ctl.nprefixes == 0) {
		log_notice("stopping; on-stop keep: leaving BIRD as it is");
		node_stop_finish(n);
		return;
	}
	log_notice("stopping; on-stop withdraw: withdrawing every prefix");
	for (size_t i = 0; i < n->cfg->ctl.nprefixes; i++) {
		reconcile_set(n->rec, i, RECONCILE_WITHDRAW, "raiz-controller stopped");
		n->pfx[i].want = POLICY_WITHDRAW;
		snprintf(n->pfx[i].why, sizeof n->pfx[i].why, "raiz-controller stopped");
	}
	history_add(n->hist, node_wall(), "raiz-controller", "running", "stopping",
		    "withdrawing every prefix (on-stop withdraw)");
	ev_timer_init(&n->stop_timer, node_stop_timeout_cb, (double)c->stop_timeout_ms / 1000.0, 0.);
	n->stop_timer.data = n;
	ev_timer_start(n->loop, &n->stop_timer);
	ev_timer_init(&n->stop_poll, node_stop_poll_cb, 0.02, 0.02);
	n->stop_poll.data = n;
	ev_timer_start(n->loop, &n->stop_poll);
	node_stop_bird_gone(n);
}

void node_probe_now(struct node *n)
{
	zsync_poll_now(n->zsync);
	for (size_t i = 0; i < n->cfg->ctl.nservices; i++)
		if (!n->svc[i].running)
			node_svc_now(&n->svc[i]);
}

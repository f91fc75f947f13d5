/*
 * node_status — what the control socket and sd_notify show of the node:
 * the one health verdict (node_healthy(), with its why), the STATUS= line,
 * the status JSON (node, maintenance, services with their probes, prefixes
 * with what BIRD shows, raiz-dnsd's zone copies) and the transition history.
 *
 * Contract: reads struct node (node_priv.h) and never changes it; while
 * BIRD is away or not yet re-checked, what it showed is masked
 * (node_rec_get()).  The JSON objects returned belong to the caller.
 */
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "controller/ctlclient.h"
#include "controller/history.h"
#include "controller/node.h"
#include "controller/node_priv.h"
#include "controller/watch.h"
#include "controller/zsync.h"

/* a prefix's BGP sessions: none configured, or at least one up */
static bool node_bgp_heard(const struct reconcile_status *st)
{
	for (size_t j = 0; j < st->nbgp && st->bgp; j++)
		if (strcmp(st->bgp[j].state, "up") == 0)
			return true;
	return st->nbgp == 0;
}

/*
 * The one place that decides whether the node is healthy (raizctl, the
 * metrics and sd_notify take it from here): every prefix desired announced
 * and shown so by BIRD (checked since the last reconnect), and heard by the
 * ISP over at least one Established BGP session when it has sessions.
 * Otherwise why says what is wrong first.
 */
static bool node_health(const struct node *n, char *why, size_t len)
{
	char t[40];
	size_t np = n->cfg->ctl.nprefixes, nbgp = 0;

	if (np == 0) {
		snprintf(why, len, "no prefixes configured");
		return false;
	}
	if (!n->bird_up) {
		history_time(n->bird_since, t, sizeof t);
		snprintf(why, len, "not connected to BIRD since %.19sZ (is BIRD running?); what "
			 "BIRD announces is unknown", t);
		return false;
	}
	if (n->bird_stale) {
		snprintf(why, len, "BIRD is back; re-checking what it announces");
		return false;
	}
	for (size_t i = 0; i < np; i++) {
		struct reconcile_status st;
		node_rec_get(n, i, &st);
		if (st.desired != RECONCILE_ANNOUNCE) {
			snprintf(why, len, "%s %s: %s", st.prefix, st.desired == RECONCILE_DRAIN ?
				 "drained" : "withdrawn", n->pfx[i].why);
			return false;
		}
		if (!st.verified) {
			snprintf(why, len, "%s: BIRD does not show it announced yet%s%s", st.prefix,
				 st.last_error[0] ? ": " : "", st.last_error);
			return false;
		}
		nbgp += st.nbgp;
		if (!node_bgp_heard(&st)) {
			snprintf(why, len, "no BGP session of %s is up: the ISP does not hear it",
				 st.prefix);
			return false;
		}
	}
	snprintf(why, len, "every prefix announced and shown so by BIRD%s",
		 nbgp ? ", a BGP session up for each" : "");
	return true;
}

bool node_healthy(const struct node *n)
{
	char why[POLICY_REASON_MAX + 64];
	return node_health(n, why, sizeof why);
}

void node_summary(const struct node *n, char *buf, size_t len)
{
	size_t ann = 0, np = n->cfg->ctl.nprefixes, up = 0, ns = n->cfg->ctl.nservices;
	for (size_t i = 0; i < np; i++) {
		struct reconcile_status st;
		node_rec_get(n, i, &st);
		ann += st.desired != RECONCILE_WITHDRAW && st.verified;
	}
	for (size_t i = 0; i < ns; i++)
		up += health_usable(&n->health[i]);
	snprintf(buf, len, "%zu/%zu prefixes announced, %zu/%zu services usable%s", ann, np, up,
		 ns, n->maint.active ? ", in maintenance" : "");
}

static json_object *node_time(uint64_t wall_ms)
{
	char b[40];
	if (!wall_ms)
		return NULL;
	return json_object_new_string(history_time(wall_ms, b, sizeof b));
}

static void node_add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static json_object *node_probe_json(const struct node_probe *p)
{
	json_object *o = json_object_new_object();
	node_add(o, "name", json_object_new_string(p->spec->name));
	node_add(o, "verdict", json_object_new_string(p->have ? probe_verdict_name(p->last.verdict)
						      : "none"));
	node_add(o, "reason", json_object_new_string(p->have ? p->last.reason : "not run yet"));
	node_add(o, "latency-ms", ctlclient_json_ms(p->last.latency_us));
	node_add(o, "at", node_time(p->have ? p->last_at : 0));
	if (p->have && p->last.rcode >= 0)
		node_add(o, "rcode", json_object_new_int(p->last.rcode));
	if (p->have && p->last.has_nsid)
		node_add(o, "nsid", json_object_new_string(p->last.nsid));
	if (p->have && p->last.has_serial)
		node_add(o, "serial", json_object_new_int64(p->last.serial));
	return o;
}

static json_object *node_svc_json(const struct node *n, const struct node_svc *s)
{
	const struct health *h = s->h;
	uint64_t mono = node_mono();
	size_t ok = 0;
	json_object *o = json_object_new_object(), *pa = json_object_new_array();

	for (size_t i = 0; i < s->npr; i++) {
		ok += s->pr[i].have && s->pr[i].last.verdict == PROBE_OK;
		json_object_array_add(pa, node_probe_json(&s->pr[i]));
	}
	node_add(o, "name", json_object_new_string(h->cfg->name));
	node_add(o, "state", json_object_new_string(health_state_name(h->state)));
	node_add(o, "usable", json_object_new_boolean(health_usable(h)));
	node_add(o, "since", node_time(node_mono_to_wall(h->since_ms)));
	node_add(o, "why", json_object_new_string(h->why));
	node_add(o, "probes-ok", json_object_new_int((int)ok));
	node_add(o, "probes-total", json_object_new_int((int)s->npr));
	node_add(o, "last-round", json_object_new_string(health_class_name(h->last)));
	node_add(o, "rounds", json_object_new_int64((int64_t)s->rounds));
	node_add(o, "transitions", json_object_new_int64((int64_t)h->transitions));
	node_add(o, "suppressed", json_object_new_boolean(h->suppressed));
	node_add(o, "zone-hold", json_object_new_boolean(h->zone_bad));
	node_add(o, "penalty", json_object_new_int((int)(health_penalty(h, mono) + 0.5)));
	if (h->suppressed) {
		uint64_t w = health_wakeup(h, mono);
		if (w != HEALTH_NEVER)
			node_add(o, "reuse-at", node_time(node_mono_to_wall(w)));
	}
	if (h->state == HEALTH_DOWN && health_hold_until(h) > mono)
		node_add(o, "hold-until", node_time(node_mono_to_wall(health_hold_until(h))));
	node_add(o, "degraded-policy", json_object_new_string(
		h->cfg->degraded == CFG_DEGRADED_DRAIN ? "drain" :
		h->cfg->degraded == CFG_DEGRADED_WITHDRAW ? "withdraw" : "keep"));
	node_add(o, "probes", pa);
	return o;
}

/* "zone-sync": the last verdict on raiz-dnsd's zone copies (zsync.h) */
static json_object *node_zsync_json(const struct node *n)
{
	const struct zsync_result *r = zsync_last(n->zsync);
	json_object *o = json_object_new_object();
	bool held = false;

	for (size_t i = 0; i < n->cfg->ctl.nservices; i++)
		held |= n->health[i].zone_bad;
	node_add(o, "socket", json_object_new_string(zsync_socket(n->zsync)));
	node_add(o, "verdict", json_object_new_string(zsync_verdict_name(r->verdict)));
	node_add(o, "reason", json_object_new_string(r->reason));
	node_add(o, "at", node_time(r->at_ms));
	if (r->verdict != ZSYNC_UNKNOWN) {
		node_add(o, "secondary-zones", json_object_new_int64((int64_t)r->secondaries));
		node_add(o, "unfit-zones", json_object_new_int64((int64_t)r->unfit));
	}
	node_add(o, "holding-down", json_object_new_boolean(held));
	return o;
}

static json_object *node_pfx_json(const struct node *n, size_t i)
{
	const struct cfg_prefix *cp = &n->cfg->ctl.prefixes[i];
	const struct node_pfx *p = &n->pfx[i];
	struct reconcile_status st;
	json_object *o = json_object_new_object(), *b = json_object_new_object();
	json_object *bgp = json_object_new_array(), *svcs = json_object_new_array();

	bool masked = node_rec_get(n, i, &st);
	for (size_t j = 0; j < cp->nservices; j++)
		json_object_array_add(svcs, json_object_new_string(cp->services[j]));
	node_add(o, "prefix", json_object_new_string(cp->prefix));
	node_add(o, "static-protocol", json_object_new_string(cp->static_protocol));
	node_add(o, "services", svcs);
	node_add(o, "policy", json_object_new_string(policy_want_name(p->want)));
	node_add(o, "why", json_object_new_string(p->why));
	node_add(o, "desired", json_object_new_string(reconcile_state_name(st.desired)));
	node_add(o, "desired-reason", json_object_new_string(st.reason));
	node_add(o, "since", node_time((uint64_t)(st.since * 1000.0)));
	node_add(o, "applied", json_object_new_boolean(st.applied));
	node_add(o, "verified", json_object_new_boolean(st.verified));
	if (st.verified)
		node_add(o, "verified-at", node_time((uint64_t)(st.verified_at * 1000.0)));
	node_add(o, "announced", json_object_new_boolean(st.verified &&
							  st.desired != RECONCILE_WITHDRAW));
	node_add(b, "connected", json_object_new_boolean(st.bird_connected));
	node_add(b, "static", json_object_new_string(st.static_state));
	for (size_t j = 0; j < st.nbgp && st.bgp; j++) {
		json_object *e = json_object_new_object();
		node_add(e, "name", json_object_new_string(st.bgp[j].proto));
		node_add(e, "state", json_object_new_string(masked ? "unknown" : st.bgp[j].state));
		node_add(e, "info", json_object_new_string(masked ? "" : st.bgp[j].info));
		if (!masked && st.bgp[j].exported >= 0)
			node_add(e, "exported", json_object_new_boolean(st.bgp[j].exported));
		if (!masked && st.bgp[j].drained >= 0)
			node_add(e, "drained", json_object_new_boolean(st.bgp[j].drained));
		json_object_array_add(bgp, e);
	}
	node_add(b, "bgp", bgp);
	if (st.last_error[0]) {
		node_add(b, "error", json_object_new_string(st.last_error));
		node_add(b, "error-at", node_time((uint64_t)(st.error_at * 1000.0)));
	}
	node_add(o, "bird", b);
	return o;
}

json_object *node_status(const struct node *n)
{
	const struct raiz_config *cfg = n->cfg;
	json_object *o = json_object_new_object(), *sa = json_object_new_array();
	json_object *pa = json_object_new_array(), *m = json_object_new_object();

	node_add(o, "ok", json_object_new_boolean(1));
	node_add(o, "node", cfg->node.identity ? json_object_new_string(cfg->node.identity) : NULL);
	char why[POLICY_REASON_MAX + 64];
	node_add(o, "healthy", json_object_new_boolean(node_health(n, why, sizeof why)));
	node_add(o, "healthy-why", json_object_new_string(why));
	node_add(o, "bird", json_object_new_string(node_bird_word(n)));
	node_add(o, "bird-since", node_time(n->bird_since));
	node_add(o, "started", node_time(n->started));
	node_add(o, "now", node_time(node_wall()));
	node_add(o, "config", json_object_new_string(cfg->path ? cfg->path : ""));
	node_add(o, "stopping", json_object_new_boolean(n->stopping));
	node_add(m, "active", json_object_new_boolean(n->maint.active));
	if (n->maint.active) {
		node_add(m, "since", node_time(n->maint.since_ms));
		node_add(m, "reason", json_object_new_string(n->maint.reason));
		node_add(m, "withdraw-at", node_time(policy_maint_deadline(&n->maint)));
	}
	node_add(m, "drain-time-ms", json_object_new_int64((int64_t)n->maint.drain_time_ms));
	node_add(o, "maintenance", m);
	if (n->watch || cfg->ctl.controller.dnsd_pidfile) {
		json_object *w = json_object_new_object();
		node_add(w, "pidfile", json_object_new_string(cfg->ctl.controller.dnsd_pidfile));
		node_add(w, "pid", json_object_new_int(watch_pid(n->watch)));
		node_add(o, "dnsd-watch", w);
	}
	if (n->zsync)
		node_add(o, "zone-sync", node_zsync_json(n));
	for (size_t i = 0; i < cfg->ctl.nservices; i++)
		json_object_array_add(sa, node_svc_json(n, &n->svc[i]));
	for (size_t i = 0; i < cfg->ctl.nprefixes; i++)
		json_object_array_add(pa, node_pfx_json(n, i));
	node_add(o, "services", sa);
	node_add(o, "prefixes", pa);
	return o;
}

json_object *node_history(const struct node *n, size_t max)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	for (size_t i = 0; i < history_count(n->hist) && i < max; i++) {
		const struct history_entry *e = history_get(n->hist, i);
		json_object *x = json_object_new_object();
		node_add(x, "at", node_time(e->at_ms));
		node_add(x, "subject", json_object_new_string(e->subject));
		node_add(x, "from", json_object_new_string(e->from));
		node_add(x, "to", json_object_new_string(e->to));
		node_add(x, "reason", json_object_new_string(e->reason));
		json_object_array_add(a, x);
	}
	node_add(o, "ok", json_object_new_boolean(1));
	node_add(o, "history", a);
	return o;
}

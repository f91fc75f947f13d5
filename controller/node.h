/*
 * node — raiz-controller's core on one libev loop: probe rounds per
 * service -> health (health.c) -> desired state per prefix (policy.c) ->
 * the BIRD reconciler (reconcile.c); plus maintenance (maint.c), the
 * transition history (history.c), the raiz-dnsd process watch
 * (watch.c) and raiz-dnsd's zone copies (zsync.c: an unfit copy holds
 * every service down, see health_zone()).
 *
 * Contract: node_new() takes ownership of cfg and starts probing at once.
 * Until every service a prefix depends on has a verdict, the prefix is
 * left as the reconciler adopted it from the state file (a controller
 * restart on a healthy node withdraws nothing).  node_reload() swaps in a
 * new configuration (ownership passes), carrying each service's health
 * over by name, and the last result of each of its probes whose name and
 * spec are unchanged, and keeping the reconciler when the BIRD side is
 * unchanged.  When the BIRD control socket drops, what BIRD showed is
 * forgotten (not verified, sessions "unknown", "bird": "disconnected")
 * until the reconciler has re-applied and re-checked after the reconnect;
 * each step goes to the history.  node_stop() stops probing and, with on-stop "withdraw",
 * withdraws every prefix; done(arg) is called once BIRD shows it or
 * controller.stop-timeout has passed (at once with "keep", and as soon as
 * BIRD's control socket is found missing or refusing: BIRD not running).
 * node_status()/node_history() build the JSON the control socket sends.
 * Reasons (why, history) are one line each, a round's probes grouped by
 * failure, shortened at a word with "… (N more)" when they must be.
 * Implemented in node.c (the loop), node_status.c (status, health verdict)
 * and node_reason.c (reason text), sharing node_priv.h.
 */
#ifndef RAIZ_CONTROLLER_NODE_H
#define RAIZ_CONTROLLER_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <json.h>

struct ev_loop;
struct raiz_config;
struct node;

struct node *node_new(struct ev_loop *loop, struct raiz_config *cfg, char *err,
		      size_t errlen);
void node_free(struct node *n);
const struct raiz_config *node_config(const struct node *n);

int node_reload(struct node *n, struct raiz_config *cfg, char *err, size_t errlen);
void node_stop(struct node *n, void (*done)(void *arg), void *arg);

/* maintenance: drain (persisted in <state-dir>/maintenance.json), undrain */
int node_drain(struct node *n, const char *reason, char *err, size_t errlen);
int node_undrain(struct node *n, char *err, size_t errlen);
/* start a probe round of every service now */
void node_probe_now(struct node *n);

/* true when every prefix is announced (not drained), BIRD shows it (checked
 * since the last reconnect) and, where it has BGP sessions, one is up; the
 * status JSON carries the reason as "healthy-why" */
bool node_healthy(const struct node *n);
/* one line for sd_notify STATUS= */
void node_summary(const struct node *n, char *buf, size_t len);

json_object *node_status(const struct node *n);
json_object *node_history(const struct node *n, size_t max);

#endif

/*
 * xfrd — the life cycle of secondary zones: refresh, transfer, verify,
 * store, publish, expire; and transfer trials.
 *
 * Contract: one struct xfrd lives in raiz-dnsd's main thread and its libev
 * loop.  Per secondary zone of the configuration it keeps the copy it
 * serves and the SOA timers (refresh, retry, expire from the copy's SOA,
 * clamped by raiz.json).  A refresh (timer, NOTIFY via xfrd_notify(), or
 * xfrd_refresh()) runs as a job in a thread of its own, so answering never
 * waits: SOA query to the primaries in turn (the last good one first),
 * IXFR or AXFR when the primary's serial is newer (RFC 1982), the new
 * version built aside (ixfr.h / zone_build()), verified (serial newer,
 * ZONEMD per the zone's "zonemd", DNSSEC when it has trust anchors),
 * published in the main thread with one snapshot swap sharing every other
 * zone, then stored by a job of its own (zstore.h: tmp + fsync + rename;
 * one store at a time per zone), so that the disk never delays a serial.  Any failure
 * keeps the served copy and records the reason; the next try follows the
 * retry timer.  Past expire without a refresh the zone answers SERVFAIL.
 * Stored copies are loaded and published by xfrd_start(), before any
 * primary is asked.  A reload (reload.h) must not run while xfrd
 * publishes: xfrd defers while reload_running() and re-publishes its state
 * when xfrd_reconfigure() is called after the reload.
 *
 * xfrd_zones_json() and xfrd_trial() serve the control socket (control.h).
 */
#ifndef RAIZ_DNSD_XFRD_H
#define RAIZ_DNSD_XFRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ev_loop;
struct json_object;
struct raiz_config;
struct reload;
struct snapshot_rcu;
struct snapshot_reader;
struct xfrd;

/* reader: the main thread's reader slot of rcu (shared with control.h,
 * never held by either across calls) */
struct xfrd *xfrd_new(struct ev_loop *loop, struct snapshot_rcu *rcu,
		      struct snapshot_reader *reader, struct reload *reload);
/* load the stored copies and publish them; then start the timers */
void xfrd_start(struct xfrd *x);
/* waits for running jobs */
void xfrd_free(struct xfrd *x);

/* after a reload published a new configuration: adopt its zones */
void xfrd_reconfigure(struct xfrd *x);

/* NOTIFY accepted for zone `name` (serial 0 = not given): refresh now.
 * Thread-safe (called by the workers that answered the NOTIFY). */
void xfrd_notify(struct xfrd *x, const char *name, uint32_t serial, bool has_serial,
		 const char *from);

/* control socket: -1 with a reason when the zone is not a secondary */
int xfrd_refresh(struct xfrd *x, const char *name, bool axfr, char *err, size_t errlen);
struct json_object *xfrd_zones_json(struct xfrd *x);

/* a transfer trial: done(arg, report) is called in the main loop */
typedef void (*xfrd_trial_fn)(void *arg, struct json_object *report);
int xfrd_trial(struct xfrd *x, const char *name, const char *primary, xfrd_trial_fn done,
	       void *arg, char *err, size_t errlen);

#endif

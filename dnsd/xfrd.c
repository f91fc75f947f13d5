/* xfrd — see xfrd.h */
#include "dnsd/xfrd.h"

#include <errno.h>
#include <ev.h>
#include <json.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/cfgutil.h"
#include "common/config.h"
#include "common/log.h"
#include "dnsd/catalog.h"
#include "dnsd/ixfr.h"
#include "dnsd/reload.h"
#include "dnsd/snapshot.h"
#include "dnsd/tsig.h"
#include "dnsd/xfrin.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"
#include "dnsd/zonemd.h"
#include "dnsd/zstore.h"
#include "dnsd/zverify.h"

#define T_SOA 6
/* transfers are I/O-bound: many at once (a catalog brings many zones) */
enum { XFRD_MAX_JOBS = 16, XFRD_MAX_PRIMARIES = 16 };

struct check {
	int state;		/* -1 not run, 0 failed, 1 passed */
	char detail[400];
};
enum { C_TRANSFER, C_SOA, C_COMPILE, C_ZONEMD, C_DNSSEC, C_CATALOG, C_STORE, C_COUNT };
static const char *const check_names[C_COUNT] = {
	"transfer", "soa", "compile", "zonemd", "dnssec", "catalog", "store",
};

struct xzone;

struct xjob {
	struct xfrd *x;
	struct xzone *zone;		/* NULL for a trial */
	xfrd_trial_fn done;
	void *done_arg;
	pthread_t th;
	struct xjob *next;		/* on the done list */
	/* input, owned by the job (a reload may free the configuration) */
	char name[DNAME_MAX * 4 + 2];
	struct cfg_addr prim[XFRD_MAX_PRIMARIES];
	size_t nprim;
	int first;
	struct cfg_addr src;
	bool has_src, has_key, axfr, trial;
	struct tsig_key key;
	int zonemd;
	char **anchors;
	size_t nanchors;
	char state_dir[PATH_MAX];
	struct zone *old;		/* reference, may be NULL */
	unsigned expire_min, expire_max, refresh_min, refresh_max, retry_min, retry_max;
	bool is_catalog;		/* check the new version as a catalog (catalog.h) */
	bool store_only, meta_only;	/* a store job (newz, or its timers only) */
	time_t stored_at;		/* the refresh the stored timers count from */
	/* output */
	struct catalog members;		/* is_catalog: the new version's members */
	bool ok, uptodate;
	char err[600];
	struct zone *newz;
	int used;
	bool have_pserial;
	uint32_t pserial;
	enum xfrin_kind kind;
	size_t messages, bytes, records, added, deleted;
	bool spliced;		/* an IXFR applied in place (ixfr.h) */
	unsigned signed_msgs;
	int64_t started_ms, ms;
	time_t finished;
	struct check chk[C_COUNT];
};

struct xzone {
	struct xfrd *x;
	char *name;
	bool removed;
	struct zone *z;			/* the copy served (reference) */
	bool expired;
	char error[700];		/* what the zone set shows when nothing is served */
	int64_t refreshed_at, expire_at, next_refresh, checked_at, behind_since;
	bool have_pserial;
	uint32_t pserial;
	int last_good;			/* index of the primary that last answered */
	uint32_t stored_serial;		/* the copy under state-dir (0: none) */
	bool have_pserial_older;	/* warned about this older primary serial */
	uint32_t older_serial;
	char primary[64];
	unsigned failures;
	int64_t fail_at;
	char fail[1000];
	struct {
		int64_t at, ms;
		enum xfrin_kind kind;
		uint32_t serial;
		size_t records, bytes, added, deleted;
	} last;
	int64_t notify_ms;		/* monotonic ms of a pending NOTIFY, 0 none */
	int64_t notify_at;
	int64_t latency_ms;		/* -1 none yet */
	struct xjob *job;
	bool again, again_axfr;		/* asked while a job ran */
	ev_timer refresh_tm, expire_tm;
	/* catalogs (RFC 9432) */
	bool is_catalog;		/* a catalog zone: members holds its member list */
	struct catalog members;
	char *catalog;			/* a member: the catalog that lists it */
	char group[256];		/* a member's group, "" for none */
	char id[64 * 4 + 1];		/* a member's unique id in its catalog */
	bool purge;			/* a removed member: delete its stored copy */
	bool latency_due;		/* a new version waits for the round's publish */
	bool storing, store_again;	/* a store job runs; another is due after it */
	bool store_meta_only;		/* what the due one writes */
	unsigned expire_min, expire_max;	/* the clamps of the last refresh */
	int64_t job_ms;
};

struct notice {
	char name[DNAME_MAX * 4 + 2];
	char from[64];
	uint32_t serial;
	bool has_serial;
};

struct xfrd {
	struct ev_loop *loop;
	struct snapshot_rcu *rcu;
	struct snapshot_reader *reader;	/* the main thread's slot */
	struct reload *reload;
	struct xzone **zones;
	size_t nzones;
	char zdir[PATH_MAX];		/* <state-dir>/zones, from the configuration */
	unsigned running;
	bool dirty;			/* state not yet published (a reload ran) */
	bool publish_due;		/* completions of this round to publish */
	ev_async wake;
	pthread_mutex_t mu;		/* guards done and notices */
	struct xjob *done;
	struct notice notices[64];
	size_t nnotices;
	atomic_bool stopping;		/* read by the job threads */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool serial_newer(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) > 0;	/* RFC 1982 */
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* refresh, retry, expire of a copy's SOA */
static void soa_timers(const struct zone *z, uint32_t t[3])
{
	t[0] = 3600;
	t[1] = 600;
	t[2] = 604800;
	const struct zrrset *rs = z ? zone_rrset(z, 0, T_SOA) : NULL;
	if (!rs)
		return;
	const uint8_t *r = z->rdata + rs->off, *rd = r + 6;
	uint16_t rdlen = (uint16_t)(r[4] << 8 | r[5]);
	if (rdlen < 20)
		return;
	const uint8_t *f = rd + rdlen - 16;	/* refresh retry expire minimum */
	for (int i = 0; i < 3; i++)
		t[i] = (uint32_t)f[i * 4] << 24 | (uint32_t)f[i * 4 + 1] << 16 |
		       (uint32_t)f[i * 4 + 2] << 8 | f[i * 4 + 3];
}

/* The configuration, through the main thread's reader slot: a reload
 * thread may publish a new snapshot (and free the old configuration) at
 * any moment, so it is held only between cfg_hold() and cfg_release(),
 * never across publish() (whose synchronize would wait for this slot). */
static const struct raiz_config *cfg_hold(struct xfrd *x)
{
	return snapshot_enter(x->reader)->cfg;
}

static void cfg_release(struct xfrd *x)
{
	snapshot_leave(x->reader);
}

static const struct cfg_zone *zone_cfg(const struct raiz_config *cfg, const char *name)
{
	const struct cfg_zone *cz = config_zone(cfg, name);
	return cz && cfg_zone_secondary(cz) ? cz : NULL;
}

/* a zone's settings: its raiz.json entry, or for a catalog member the
 * template of its group, built in tmp (valid while cfg is held) */
static const struct cfg_zone *xzone_cfg(const struct raiz_config *cfg, const struct xzone *xz,
					struct cfg_zone *tmp)
{
	if (!xz->catalog)
		return zone_cfg(cfg, xz->name);
	const struct cfg_zone *cat = zone_cfg(cfg, xz->catalog);
	if (!cat || !cat->catalog)
		return NULL;
	config_member_zone(cat, xz->group, xz->name, tmp);
	return tmp;
}

static struct xzone *find_zone(struct xfrd *x, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = 0; i < x->nzones; i++) {
		const char *n = x->zones[i]->name;
		size_t m = strlen(n);
		/* with or without the final dot */
		if (l && name[l - 1] != '.' && m == l + 1 && strncasecmp(n, name, l) == 0)
			return x->zones[i];
		if (strcasecmp(n, name) == 0)
			return x->zones[i];
	}
	return NULL;
}

static void set_fail(struct xzone *xz, const char *why)
{
	xz->failures++;
	xz->fail_at = time(NULL);
	snprintf(xz->fail, sizeof xz->fail, "%s", why);
}

/* ---- publishing ---- */

static void publish(struct xfrd *x)
{
	if (reload_running(x->reload)) {
		x->dirty = true;	/* xfrd_reconfigure() publishes after the reload */
		return;
	}
	x->dirty = false;
	struct snapshot *cur = snapshot_current(x->rcu);
	struct zoneset *zs = NULL;
	const struct zoneset *base = cur->zs;
	/* catalog members: entries in, entries out */
	for (size_t k = 0; k < zoneset_count(base);) {
		struct zoneset_info zi;
		zoneset_info(base, k, &zi);
		struct xzone *xz = zi.catalog ? find_zone(x, zi.name) : NULL;
		if (!zi.catalog || (xz && !xz->removed && xz->catalog &&
				    strcmp(xz->group, zi.group ? zi.group : "") == 0)) {
			k++;
			continue;
		}
		struct zoneset *n = zoneset_remove(base, k);
		if (!n)
			break;
		zoneset_free(zs);
		base = zs = n;
	}
	for (size_t i = 0; i < x->nzones; i++) {
		struct xzone *xz = x->zones[i];
		if (!xz->catalog || xz->removed || zoneset_index(base, xz->name) >= 0)
			continue;
		struct zoneset *n = zoneset_add_member(base, xz->name, xz->catalog, xz->group);
		if (!n)
			continue;
		zoneset_free(zs);
		base = zs = n;
	}
	for (size_t i = 0; i < x->nzones; i++) {
		struct xzone *xz = x->zones[i];
		int k = zoneset_index(base, xz->name);
		if (k < 0 || xz->removed)
			continue;
		struct zoneset_info zi;
		zoneset_info(base, (size_t)k, &zi);
		const char *err = xz->z ? (xz->expired ? "expired: not served (SERVFAIL)" : NULL)
					: (xz->error[0] ? xz->error : "no copy yet");
		if (zoneset_zone(base, (size_t)k) == xz->z && zi.expired == xz->expired &&
		    (!zi.error == !err) && (!err || strcmp(zi.error, err) == 0))
			continue;
		struct zoneset *n = zoneset_with(base, (size_t)k, zone_ref(xz->z), xz->expired, err);
		if (!n) {
			log_err("zone %s: out of memory publishing the new copy", xz->name);
			continue;
		}
		zoneset_free(zs);
		base = zs = n;
	}
	if (!zs)
		return;
	struct snapshot *snap = snapshot_new(cur->cfg, false, zs, cur);
	if (!snap) {
		log_err("out of memory publishing zone copies");
		return;
	}
	snap->owns_cfg = cur->owns_cfg;
	cur->owns_cfg = false;
	uint64_t epoch;
	struct snapshot *old = snapshot_publish(x->rcu, snap, &epoch);
	snapshot_synchronize(x->rcu, epoch);
	snapshot_free(old);
	malloc_trim(0);	/* the replaced copies' memory back to the system, as after a reload */
}

/* ---- timers ---- */

static void start_job(struct xzone *xz, bool axfr);
static void catalog_apply(struct xfrd *x, struct xzone *cat, struct catalog *members);

static void arm(struct xzone *xz, int64_t next_refresh)
{
	struct xfrd *x = xz->x;
	time_t now = time(NULL);
	xz->next_refresh = next_refresh;
	ev_timer_stop(x->loop, &xz->refresh_tm);
	ev_timer_set(&xz->refresh_tm, next_refresh > now ? (double)(next_refresh - now) : 0.0, 0.);
	ev_timer_start(x->loop, &xz->refresh_tm);
	ev_timer_stop(x->loop, &xz->expire_tm);
	if (xz->z && !xz->expired && xz->expire_at) {
		ev_timer_set(&xz->expire_tm, xz->expire_at > now ? (double)(xz->expire_at - now) : 0.0, 0.);
		ev_timer_start(x->loop, &xz->expire_tm);
	}
}

static void refresh_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct xzone *xz = w->data;
	(void)loop;
	(void)revents;
	start_job(xz, false);
}

static void expire_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct xzone *xz = w->data;
	(void)loop;
	(void)revents;
	if (!xz->z || xz->expired || time(NULL) < xz->expire_at)
		return;
	xz->expired = true;
	char t[32];
	time_t r = (time_t)xz->refreshed_at;
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", gmtime(&r));
	log_err("zone %s: expired (no refresh from a primary since %s%s%s): no longer served "
		"(SERVFAIL)", xz->name, xz->refreshed_at ? t : "it was received",
		xz->fail[0] ? "; last failure: " : "", xz->fail);
	publish(xz->x);
}

/* ---- jobs ---- */

static void check(struct xjob *j, int c, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void check(struct xjob *j, int c, bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->chk[c].detail, sizeof j->chk[c].detail, fmt, ap);
	va_end(ap);
	j->chk[c].state = ok;
}

/* verify a new version before it may be served; 0 ok */
static int verify(struct xjob *j, struct zone *nz)
{
	if (j->old && !j->trial) {
		bool ok = j->axfr ? !serial_newer(j->old->serial, nz->serial)
				  : serial_newer(nz->serial, j->old->serial);
		check(j, C_SOA, ok, "serial %u, the served copy has %u%s", nz->serial,
		      j->old->serial, ok ? "" : ": not newer (RFC 1982), refused");
		if (!ok)
			return -1;
	} else {
		check(j, C_SOA, true, "serial %u, the same SOA at the start and the end", nz->serial);
	}
	char d[300];
	enum zonemd_status zs = zonemd_verify(nz, d, sizeof d);
	bool zok = zs == ZONEMD_OK || (zs == ZONEMD_ABSENT && j->zonemd != CFG_ZONEMD_REQUIRE) ||
		   j->zonemd == CFG_ZONEMD_IGNORE;
	if (j->zonemd == CFG_ZONEMD_IGNORE && zs != ZONEMD_OK)
		check(j, C_ZONEMD, true, "%s (ignored: \"zonemd\": \"ignore\")", d);
	else if (zs == ZONEMD_ABSENT && j->zonemd == CFG_ZONEMD_REQUIRE)
		check(j, C_ZONEMD, false, "no ZONEMD record, and the zone requires one");
	else
		check(j, C_ZONEMD, zok, "%s", d);
	if (!zok)
		return -1;
	if (j->nanchors) {
		struct zverify_report rep;
		char e[400];
		if (zverify_zone(nz, (const char *const *)j->anchors, j->nanchors, time(NULL), &rep, e,
				 sizeof e) < 0) {
			check(j, C_DNSSEC, false, "%s", e);
			return -1;
		}
		check(j, C_DNSSEC, true, "validated against the trust anchor (key tag %u): %zu "
		      "RRSIGs over %zu RRsets, denial by %s", rep.ksk_tag, rep.rrsigs_checked,
		      rep.rrsets_checked, rep.denial ? rep.denial : "?");
	} else {
		check(j, C_DNSSEC, true, "not checked: the zone has no trust anchor");
	}
	if (j->is_catalog) {
		char e[400];
		if (catalog_parse(nz, &j->members, e, sizeof e) < 0) {
			check(j, C_CATALOG, false, "%s", e);
			return -1;
		}
		check(j, C_CATALOG, true, "%zu member zones", j->members.n);
	}
	return 0;
}

static void job_one(struct xjob *j, int i)
{
	struct xfrin_req q = {
		.zone = j->name,
		.primary = &j->prim[i],
		.source = j->has_src ? &j->src : NULL,
		.key = j->has_key ? &j->key : NULL,
		.have_serial = j->old && !j->axfr && !j->trial,
		.serial = j->old ? j->old->serial : 0,
		.axfr_only = j->axfr || j->trial,
		.cancel = &j->x->stopping,
	};
	char e[600];
	uint32_t s;
	/* without a copy there is nothing to compare: straight to AXFR */
	if (j->old || j->trial) {
		if (xfrin_soa(&q, &s, e, sizeof e) < 0) {
			snprintf(j->err, sizeof j->err, "%s", e);
			check(j, C_TRANSFER, false, "%s", e);
			return;
		}
		j->have_pserial = true;
		j->pserial = s;
		j->used = i;
		if (j->old && !j->axfr && !j->trial && !serial_newer(s, j->old->serial)) {
			j->ok = j->uptodate = true;
			return;
		}
	}
	j->used = i;
	struct xfrin_result res;
	if (xfrin_transfer(&q, &res, e, sizeof e) < 0) {
		snprintf(j->err, sizeof j->err, "%s", e);
		check(j, C_TRANSFER, false, "%s", e);
		xfrin_result_free(&res);
		return;
	}
	j->kind = res.kind;
	j->messages = res.messages;
	j->bytes = res.bytes;
	j->records = res.records;
	j->signed_msgs = res.signed_messages;
	j->pserial = res.serial;
	j->have_pserial = true;
	check(j, C_TRANSFER, true, "%s from %s: serial %u, %zu records in %zu messages, %zu bytes%s%s",
	      xfrin_kind_names[res.kind], j->prim[i].text, res.serial, res.records, res.messages,
	      res.bytes, j->has_key ? ", TSIG verified" : ", unsigned",
	      res.ixfr_fell_back ? " (IXFR not offered: AXFR)" : "");
	if (res.kind == XFRIN_UPTODATE) {
		j->ok = j->uptodate = true;
		xfrin_result_free(&res);
		return;
	}
	struct zone *nz;
	const bool ixfr = res.kind == XFRIN_IXFR;
	if (ixfr) {
		struct ixfr_stats st;
		nz = ixfr_apply(j->old, res.deltas, res.ndeltas, res.source_name, &st, e, sizeof e);
		j->added = st.added;
		j->deleted = st.deleted;
		j->spliced = st.spliced;
	} else {
		nz = zone_build(j->name, &res.R, e, sizeof e);
	}
	xfrin_result_free(&res);
	if (!nz) {
		snprintf(j->err, sizeof j->err, "%s", e);
		check(j, C_COMPILE, false, "%s", e);
		return;
	}
	check(j, C_COMPILE, true, "%zu records, %zu names%s", nz->records, nz->nnodes,
	      !ixfr ? "" : j->spliced ? ", IXFR spliced into the copy" : ", IXFR rebuilt in full");
	if (verify(j, nz) < 0) {
		for (int c = 0; c < C_COUNT; c++)
			if (j->chk[c].state == 0)
				snprintf(j->err, sizeof j->err, "%s", j->chk[c].detail);
		zone_unref(nz);
		return;
	}
	j->newz = nz;
	j->ok = true;
}

/* a store job: write the copy (or only its timers) under state-dir */
static void job_store(struct xjob *j)
{
	time_t now = time(NULL);
	struct zone *z = j->newz;
	uint32_t t[3];
	soa_timers(z, t);
	struct zstore_meta m = {
		.serial = z->serial,
		.refreshed_at = j->stored_at ? j->stored_at : now,
		.transferred_at = j->stored_at ? j->stored_at : now,
		.expire_at = (j->stored_at ? j->stored_at : now) + clamp(t[2], j->expire_min, j->expire_max),
	};
	snprintf(m.primary, sizeof m.primary, "%s", j->prim[0].text);
	snprintf(m.kind, sizeof m.kind, "%s", xfrin_kind_names[j->kind]);
	char e[500];
	int rc = j->meta_only ? zstore_save_meta(j->state_dir, j->name, &m, e, sizeof e)
			      : zstore_save(j->state_dir, z, &m, e, sizeof e);
	check(j, C_STORE, rc == 0, "%s", rc == 0 ? "stored" : e);
	j->ok = rc == 0;
}

static void *job_thread(void *arg)
{
	struct xjob *j = arg;
	pthread_setname_np(pthread_self(), "xfr");
	for (int c = 0; c < C_COUNT; c++)
		j->chk[c].state = -1;
	if (j->store_only) {
		job_store(j);
	} else {
		for (size_t k = 0; k < j->nprim && !j->ok; k++) {
			int i = (int)((j->first + k) % j->nprim);
			for (int c = 0; c < C_COUNT; c++)
				j->chk[c].state = -1;
			job_one(j, i);
		}
	}
	/* a new version is published first and stored after (store_start()):
	 * answering the new serial does not wait for the disk */
	j->finished = time(NULL);
	j->ms = mono_ms() - j->started_ms;
	struct xfrd *x = j->x;
	pthread_mutex_lock(&x->mu);
	j->next = x->done;
	x->done = j;
	pthread_mutex_unlock(&x->mu);
	ev_async_send(x->loop, &x->wake);
	return NULL;
}

static void job_free(struct xjob *j)
{
	catalog_free(&j->members);
	zone_unref(j->old);
	zone_unref(j->newz);
	for (size_t i = 0; i < j->nanchors; i++)
		free(j->anchors[i]);
	free(j->anchors);
	explicit_bzero(&j->key, sizeof j->key);
	free(j);
}

/* a job from the zone's configuration; primary: only that one (trials) */
static struct xjob *job_new(struct xfrd *x, const struct raiz_config *cfg,
			    const struct cfg_zone *cz, const char *primary, char *err, size_t errlen)
{
	struct xjob *j = calloc(1, sizeof *j);
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j->x = x;
	snprintf(j->name, sizeof j->name, "%s", cz->name);
	if (primary) {
		if (cfg_addr_from_text(primary, 53, &j->prim[0]) < 0) {
			snprintf(err, errlen, "\"%s\" is not an address", primary);
			free(j);
			return NULL;
		}
		j->nprim = 1;
	} else {
		j->nprim = cz->nprimaries < XFRD_MAX_PRIMARIES ? cz->nprimaries : XFRD_MAX_PRIMARIES;
		memcpy(j->prim, cz->primaries, j->nprim * sizeof *j->prim);
	}
	if (cz->source) {
		j->src = *cz->source;
		j->has_src = true;
	}
	if (cz->tsig_key) {
		const struct cfg_tsig *t = config_tsig(cfg, cz->tsig_key);
		if (!t || tsig_key_init(&j->key, t, err, errlen) < 0) {
			if (!t)
				snprintf(err, errlen, "TSIG key %s is not configured", cz->tsig_key);
			free(j);
			return NULL;
		}
		j->has_key = true;
	}
	j->zonemd = cz->zonemd;
	j->anchors = calloc(cz->ntrust_anchors ? cz->ntrust_anchors : 1, sizeof *j->anchors);
	for (size_t i = 0; j->anchors && i < cz->ntrust_anchors; i++)
		if ((j->anchors[i] = strdup(cz->trust_anchors[i])))
			j->nanchors++;
	snprintf(j->state_dir, sizeof j->state_dir, "%s", x->zdir);
	j->expire_min = cz->expire_min;
	j->expire_max = cz->expire_max;
	j->refresh_min = cz->refresh_min;
	j->refresh_max = cz->refresh_max;
	j->retry_min = cz->retry_min;
	j->retry_max = cz->retry_max;
	j->is_catalog = cz->catalog != NULL;
	j->started_ms = mono_ms();
	return j;
}

static int job_launch(struct xfrd *x, struct xjob *j)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&j->th, NULL, job_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		x->running++;
	return rc;
}

static void start_job(struct xzone *xz, bool axfr)
{
	struct xfrd *x = xz->x;
	if (xz->removed || x->stopping)
		return;
	if (xz->job || x->running >= XFRD_MAX_JOBS) {
		xz->again = true;
		xz->again_axfr |= axfr;
		return;
	}
	const struct raiz_config *cfg = cfg_hold(x);
	struct cfg_zone tmp;
	const struct cfg_zone *cz = xzone_cfg(cfg, xz, &tmp);
	char err[300];
	struct xjob *j = cz ? job_new(x, cfg, cz, NULL, err, sizeof err) : NULL;
	cfg_release(x);
	if (!j) {
		if (cz)
			log_err("zone %s: cannot start a refresh: %s", xz->name, err);
		return;
	}
	j->zone = xz;
	j->axfr = axfr;
	j->old = zone_ref(xz->z);
	j->first = xz->last_good < (int)j->nprim ? xz->last_good : 0;
	log_debug("zone %s: refresh (%s)", xz->name, axfr ? "AXFR forced" : "SOA check");
	if (job_launch(x, j) != 0) {
		log_err("zone %s: cannot start a transfer thread", xz->name);
		job_free(j);
		return;
	}
	xz->job = j;
}

/* a finished refresh: adopt its result (main thread) */
/* write the served copy (or only its timers) under state-dir, in a job of
 * its own after the copy is published; one at a time per zone */
static void store_start(struct xzone *xz, bool meta_only)
{
	struct xfrd *x = xz->x;
	if (!xz->z || x->stopping || xz->removed)
		return;
	if (xz->storing) {
		xz->store_meta_only = xz->store_again ? xz->store_meta_only && meta_only : meta_only;
		xz->store_again = true;
		return;
	}
	struct xjob *j = calloc(1, sizeof *j);
	if (!j)
		return;
	j->x = x;
	j->zone = xz;
	j->store_only = true;
	j->meta_only = meta_only && xz->stored_serial == xz->z->serial;
	j->newz = zone_ref(xz->z);
	j->kind = xz->last.kind;
	j->stored_at = (time_t)xz->refreshed_at;
	j->expire_min = xz->expire_min;
	j->expire_max = xz->expire_max ? xz->expire_max : UINT32_MAX;
	j->nprim = 1;
	snprintf(j->prim[0].text, sizeof j->prim[0].text, "%s", xz->primary);
	snprintf(j->name, sizeof j->name, "%s", xz->name);
	snprintf(j->state_dir, sizeof j->state_dir, "%s", x->zdir);
	j->started_ms = mono_ms();
	if (job_launch(x, j) != 0) {
		log_err("zone %s: cannot start a thread to store the copy", xz->name);
		job_free(j);
		return;
	}
	xz->storing = true;
}

static void store_done(struct xfrd *x, struct xjob *j)
{
	struct xzone *xz = j->zone;
	xz->storing = false;
	if (xz->removed) {
		if (xz->purge && !x->stopping && !xz->job && zstore_remove(x->zdir, xz->name) != 0)
			log_warn("zone %s: removing its stored copy: %s", xz->name, strerror(errno));
		if (!xz->job)
			xz->purge = false;
	} else if (j->ok) {
		xz->stored_serial = j->newz->serial;
		log_debug("zone %s: serial %u stored in %lld ms", xz->name, j->newz->serial,
			  (long long)j->ms);
	} else {
		char why[900];
		snprintf(why, sizeof why, "storing serial %u failed: %s; serving it from memory, a "
			 "restart would serve the stored serial %u until the next transfer",
			 j->newz->serial, j->chk[C_STORE].detail, xz->stored_serial);
		set_fail(xz, why);
		log_err("zone %s: %s", xz->name, why);
	}
	job_free(j);
	if (xz->store_again && !xz->removed) {
		bool m = xz->store_meta_only;
		xz->store_again = false;
		store_start(xz, m);
	}
}

static void job_done(struct xfrd *x, struct xjob *j)
{
	struct xzone *xz = j->zone;
	time_t now = time(NULL);
	if (j->store_only) {
		store_done(x, j);
		return;
	}
	xz->job = NULL;
	if (xz->removed || x->stopping) {
		if (xz->purge && !x->stopping && !xz->storing &&
		    zstore_remove(x->zdir, xz->name) != 0)
			log_warn("zone %s: removing its stored copy: %s", xz->name, strerror(errno));
		if (!xz->storing)
			xz->purge = false;
		job_free(j);
		return;
	}
	if (j->have_pserial) {
		xz->checked_at = now;
		xz->have_pserial = true;
		xz->pserial = j->pserial;
		snprintf(xz->primary, sizeof xz->primary, "%s", j->prim[j->used].text);
		xz->last_good = j->used;
		if (xz->z && serial_newer(j->pserial, xz->z->serial)) {
			if (!xz->behind_since)
				xz->behind_since = now;
		}
		/* a primary serving an older serial: RFC 1982 says keep ours */
		if (xz->z && serial_newer(xz->z->serial, j->pserial) &&
		    (!xz->have_pserial_older || xz->older_serial != j->pserial)) {
			log_warn("zone %s: primary %s serves serial %u, older than the %u served here; "
				 "keeping ours (was the zone's serial reset at the primary?)", xz->name,
				 j->prim[j->used].text, j->pserial, xz->z->serial);
			xz->have_pserial_older = true;
			xz->older_serial = j->pserial;
		}
	}
	if (j->ok) {
		bool was_expired = xz->expired;
		xz->failures = 0;
		xz->refreshed_at = now;
		if (j->newz) {
			uint32_t from = xz->z ? xz->z->serial : 0;
			bool had = xz->z != NULL;
			zone_unref(xz->z);
			xz->z = zone_ref(j->newz);
			xz->error[0] = 0;
			xz->last.at = now;
			xz->last.ms = j->ms;
			xz->last.kind = j->kind;
			xz->last.serial = j->newz->serial;
			xz->last.records = j->newz->records;
			xz->last.bytes = j->bytes;
			xz->last.added = j->added;
			xz->last.deleted = j->deleted;
			xz->expired = false;
			if (xz->is_catalog)
				catalog_apply(x, xz, &j->members);
			/* published with the other completions of this round (wake_cb);
			 * the latency is taken then */
			x->publish_due = true;
			xz->latency_due = true;
			xz->job_ms = j->ms;
			if (j->kind == XFRIN_IXFR)
				log_notice("zone %s: IXFR from %s: serial %u -> %u, +%zu -%zu records "
					   "(%s), %lld ms", xz->name, xz->primary, from, xz->z->serial,
					   j->added, j->deleted, j->spliced ? "spliced" : "rebuilt",
					   (long long)j->ms);
			else
				log_notice("zone %s: AXFR from %s: serial %s%u, %zu records, %zu bytes, "
					   "%lld ms", xz->name, xz->primary, had ? "" : "(first copy) ",
					   xz->z->serial, xz->z->records, j->bytes, (long long)j->ms);
		} else if (was_expired) {
			xz->expired = false;
			x->publish_due = true;
		}
		if (xz->z && xz->have_pserial && !serial_newer(xz->pserial, xz->z->serial))
			xz->behind_since = 0;
		if (was_expired && xz->z)
			log_notice("zone %s: refreshed from %s: serving serial %u again", xz->name,
				   xz->primary, xz->z->serial);
		uint32_t t[3];
		soa_timers(xz->z, t);
		xz->expire_at = now + clamp(t[2], j->expire_min, j->expire_max);
		xz->expire_min = j->expire_min;
		xz->expire_max = j->expire_max;
		arm(xz, now + clamp(t[0], j->refresh_min, j->refresh_max));
		store_start(xz, j->newz == NULL);
	} else {
		set_fail(xz, j->err);
		log_err("zone %s: refresh failed: %s; %s", xz->name, j->err,
			xz->z ? "the served copy is kept" : "no copy to serve yet");
		if (!xz->z)
			snprintf(xz->error, sizeof xz->error, "no copy yet: %s", j->err);
		uint32_t t[3];
		soa_timers(xz->z, t);
		unsigned retry = xz->z ? t[1] : 10;
		/* a zone without a copy keeps trying at retry-min, at most 10 s apart */
		if (!xz->z)
			retry = j->retry_min > 10 ? j->retry_min : 10;
		arm(xz, now + clamp(retry, j->retry_min, j->retry_max));
		if (!xz->z)
			x->publish_due = true;	/* the zone set shows the reason */
	}
	job_free(j);
	if (xz->again) {
		bool a = xz->again_axfr;
		xz->again = xz->again_axfr = false;
		start_job(xz, a);
	}
}

/* ---- trials ---- */

static struct json_object *trial_report(struct xjob *j)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_array();
	bool pass = j->ok && !j->uptodate;
	const char *first_fail = NULL;
	for (int c = 0; c < C_COUNT; c++) {
		if (j->chk[c].state < 0)
			continue;
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "check", json_object_new_string(check_names[c]));
		json_object_object_add(e, "ok", json_object_new_boolean(j->chk[c].state == 1));
		json_object_object_add(e, "detail", json_object_new_string(j->chk[c].detail));
		json_object_array_add(checks, e);
		if (j->chk[c].state == 0 && !first_fail)
			first_fail = j->chk[c].detail;
	}
	json_object_object_add(o, "ok", json_object_new_boolean(true));
	json_object_object_add(o, "zone", json_object_new_string(j->name));
	json_object_object_add(o, "primary", json_object_new_string(j->prim[j->used].text));
	json_object_object_add(o, "verdict", json_object_new_string(pass ? "pass" : "fail"));
	if (j->newz) {
		json_object_object_add(o, "serial", json_object_new_int64(j->newz->serial));
		json_object_object_add(o, "records", json_object_new_int64((int64_t)j->newz->records));
		char signer[DNAME_MAX * 4 + 1];
		bool signed_zone = zone_rrset(j->newz, 0, 48) != NULL;	/* DNSKEY */
		json_object_object_add(o, "signer", signed_zone ?
				       json_object_new_string(dname_str(j->newz->apex, signer, sizeof signer))
				       : NULL);
	}
	json_object_object_add(o, "kind", json_object_new_string(xfrin_kind_names[j->kind]));
	json_object_object_add(o, "messages", json_object_new_int64((int64_t)j->messages));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)j->bytes));
	json_object_object_add(o, "ms", json_object_new_int64(j->ms));
	char tsig[1200];
	if (j->has_key)
		snprintf(tsig, sizeof tsig, "%s key %s: %u signed messages verified", j->key.alg,
			 j->key.name, j->signed_msgs);
	else
		snprintf(tsig, sizeof tsig, "none");
	json_object_object_add(o, "tsig", json_object_new_string(tsig));
	json_object_object_add(o, "zonemd", json_object_new_string(
		j->chk[C_ZONEMD].state >= 0 ? j->chk[C_ZONEMD].detail : "not checked"));
	json_object_object_add(o, "dnssec", json_object_new_string(
		j->chk[C_DNSSEC].state >= 0 ? j->chk[C_DNSSEC].detail : "not checked"));
	json_object_object_add(o, "checks", checks);
	if (!pass)
		json_object_object_add(o, "error", json_object_new_string(
			first_fail ? first_fail : j->err[0] ? j->err : "no transfer"));
	return o;
}

int xfrd_trial(struct xfrd *x, const char *name, const char *primary, xfrd_trial_fn done,
	       void *arg, char *err, size_t errlen)
{
	const struct raiz_config *cfg = cfg_hold(x);
	const struct cfg_zone *cz = config_zone(cfg, name);
	if (!cz && name[0] && name[strlen(name) - 1] != '.') {
		char n[DNAME_MAX * 4 + 2];
		snprintf(n, sizeof n, "%s.", name);
		cz = config_zone(cfg, n);
	}
	struct cfg_zone tmp;
	const struct xzone *member = cz ? NULL : find_zone(x, name);
	if (member && member->catalog && !member->removed)
		cz = xzone_cfg(cfg, member, &tmp);
	struct xjob *j = NULL;
	if (!cz || (!cfg_zone_secondary(cz) && !primary))
		snprintf(err, errlen, cz ? "zone %s has no primaries: give one" :
			 "zone %s is not configured", name);
	else
		j = job_new(x, cfg, cz, primary, err, errlen);
	cfg_release(x);
	if (!j)
		return -1;
	j->trial = true;
	j->done = done;
	j->done_arg = arg;
	if (job_launch(x, j) != 0) {
		snprintf(err, errlen, "cannot start a thread");
		job_free(j);
		return -1;
	}
	log_notice("zone %s: transfer trial from %s started", j->name, j->prim[0].text);
	return 0;
}

/* ---- notices and completions ---- */

static void wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct xfrd *x = w->data;
	(void)loop;
	(void)revents;
	pthread_mutex_lock(&x->mu);
	struct xjob *done = x->done;
	x->done = NULL;
	struct notice n[64];
	size_t nn = x->nnotices;
	memcpy(n, x->notices, nn * sizeof *n);
	x->nnotices = 0;
	pthread_mutex_unlock(&x->mu);

	while (done) {
		struct xjob *j = done;
		done = j->next;
		pthread_join(j->th, NULL);
		x->running--;
		if (j->trial) {
			struct json_object *rep = trial_report(j);
			log_notice("zone %s: transfer trial from %s: %s", j->name, j->prim[j->used].text,
				   j->ok && !j->uptodate ? "pass" : "fail");
			if (j->done)
				j->done(j->done_arg, rep);
			json_object_put(rep);
			job_free(j);
		} else {
			job_done(x, j);
		}
	}
	for (size_t i = 0; i < nn; i++) {
		struct xzone *xz = find_zone(x, n[i].name);
		if (!xz)
			continue;
		if (n[i].has_serial && xz->z && !serial_newer(n[i].serial, xz->z->serial)) {
			log_info("zone %s: NOTIFY from %s (serial %u): already serving %u", xz->name,
				 n[i].from, n[i].serial, xz->z->serial);
			continue;
		}
		log_notice("zone %s: NOTIFY from %s%s: refreshing", xz->name, n[i].from,
			   n[i].has_serial ? " (serial given)" : "");
		if (!xz->notify_ms) {
			xz->notify_ms = mono_ms();
			xz->notify_at = time(NULL);
		}
		start_job(xz, false);
	}
	if (x->publish_due) {
		/* one snapshot swap for every completion of the round */
		int64_t t0 = mono_ms();
		x->publish_due = false;
		publish(x);
		int64_t t1 = mono_ms();
		size_t nv = 0;
		for (size_t i = 0; i < x->nzones; i++) {
			struct xzone *xz = x->zones[i];
			if (!xz->latency_due)
				continue;
			xz->latency_due = false;
			xz->latency_ms = xz->notify_ms ? t1 - xz->notify_ms : xz->job_ms + (t1 - t0);
			xz->notify_ms = 0;
			nv++;
		}
		if (nv)
			log_info("published %zu new zone version%s in %lld ms", nv, nv == 1 ? "" : "s",
				 (long long)(t1 - t0));
	}
	/* zones that waited for a free job slot */
	for (size_t i = 0; i < x->nzones && x->running < XFRD_MAX_JOBS; i++) {
		struct xzone *xz = x->zones[i];
		if (xz->again && !xz->job) {
			bool a = xz->again_axfr;
			xz->again = xz->again_axfr = false;
			start_job(xz, a);
		}
	}
}

void xfrd_notify(struct xfrd *x, const char *name, uint32_t serial, bool has_serial,
		 const char *from)
{
	if (!x)
		return;
	pthread_mutex_lock(&x->mu);
	if (x->nnotices < sizeof x->notices / sizeof x->notices[0]) {
		struct notice *n = &x->notices[x->nnotices++];
		snprintf(n->name, sizeof n->name, "%s", name);
		snprintf(n->from, sizeof n->from, "%s", from);
		n->serial = serial;
		n->has_serial = has_serial;
	}
	pthread_mutex_unlock(&x->mu);
	ev_async_send(x->loop, &x->wake);
}

/* ---- zones ---- */

static struct xzone *zone_add(struct xfrd *x, const char *name)
{
	struct xzone **nz = realloc(x->zones, (x->nzones + 1) * sizeof *nz);
	if (!nz)
		return NULL;
	x->zones = nz;
	struct xzone *xz = calloc(1, sizeof *xz);
	if (!xz || !(xz->name = strdup(name))) {
		free(xz);
		return NULL;
	}
	xz->x = x;
	xz->latency_ms = -1;
	ev_timer_init(&xz->refresh_tm, refresh_cb, 0., 0.);
	ev_timer_init(&xz->expire_tm, expire_cb, 0., 0.);
	xz->refresh_tm.data = xz->expire_tm.data = xz;
	x->zones[x->nzones++] = xz;
	return xz;
}

/* the stored copy of a new zone, if any */
static void zone_restore(struct xfrd *x, struct xzone *xz)
{
	char err[600];
	struct zstore_meta m;
	bool missing = false;
	struct zone *z = zstore_load(x->zdir, xz->name, &m, &missing, err, sizeof err);
	time_t now = time(NULL);
	if (!z) {
		if (missing)
			log_info("zone %s: no stored copy yet; asking the primaries", xz->name);
		else
			log_err("zone %s: the stored copy does not load: %s; asking the primaries",
				xz->name, err);
		snprintf(xz->error, sizeof xz->error, "no copy yet: waiting for the first transfer");
		return;
	}
	xz->z = z;
	xz->stored_serial = z->serial;
	xz->refreshed_at = m.refreshed_at;
	xz->expire_at = m.expire_at;
	snprintf(xz->primary, sizeof xz->primary, "%s", m.primary);
	if (m.expire_at && now >= m.expire_at) {
		xz->expired = true;
		log_err("zone %s: the stored copy (serial %u) expired while raiz-dnsd was down; not "
			"served until a primary confirms it", xz->name, z->serial);
	} else if (!m.expire_at) {
		/* no trustworthy timers: serve, and expire after the SOA expire from now */
		uint32_t t[3];
		soa_timers(z, t);
		xz->expire_at = now + t[2];
		log_notice("zone %s: stored copy serial %u served (its timers were lost: refreshing "
			   "now)", xz->name, z->serial);
	} else {
		log_notice("zone %s: stored copy serial %u served; expires in %lld s unless refreshed",
			   xz->name, z->serial, (long long)(m.expire_at - now));
	}
	if (xz->is_catalog) {
		/* its members come back with it, each from its own stored copy */
		struct catalog members;
		if (catalog_parse(z, &members, err, sizeof err) < 0)
			log_err("zone %s: the stored catalog does not read: %s", xz->name, err);
		else
			catalog_apply(x, xz, &members);
	}
}

/* a member leaves: stop serving it, delete its stored copy (now, or when
 * its running transfer ends) */
static void member_drop(struct xfrd *x, struct xzone *xz, const char *why)
{
	log_notice("zone %s: %s; no longer served, its stored copy is deleted", xz->name, why);
	xz->removed = true;
	ev_timer_stop(x->loop, &xz->refresh_tm);
	ev_timer_stop(x->loop, &xz->expire_tm);
	zone_unref(xz->z);
	xz->z = NULL;
	xz->expired = false;
	xz->stored_serial = 0;
	if (xz->job || xz->storing)
		xz->purge = true;
	else if (zstore_remove(x->zdir, xz->name) != 0)
		log_warn("zone %s: removing its stored copy: %s", xz->name, strerror(errno));
}

/* forget a member's state (RFC 9432 section 5.3: a new unique id) */
static void member_reset(struct xfrd *x, struct xzone *xz)
{
	zone_unref(xz->z);
	xz->z = NULL;
	xz->expired = false;
	xz->have_pserial = false;
	xz->behind_since = xz->refreshed_at = xz->expire_at = 0;
	xz->failures = 0;
	xz->fail_at = 0;
	xz->fail[0] = 0;
	memset(&xz->last, 0, sizeof xz->last);
	xz->stored_serial = 0;
	if (!xz->job && !xz->storing && zstore_remove(x->zdir, xz->name) != 0)
		log_warn("zone %s: removing its stored copy: %s", xz->name, strerror(errno));
}

/* a catalog's new member list (taken over): members come and go */
static void catalog_apply(struct xfrd *x, struct xzone *cat, struct catalog *members)
{
	time_t now = time(NULL);
	size_t added = 0, removed = 0;
	for (size_t i = 0; i < members->n; i++) {
		const struct catalog_member *m = &members->m[i];
		struct xzone *xz = find_zone(x, m->name);
		if (xz && !xz->removed && !xz->catalog) {
			log_warn("zone %s: listed by catalog %s but configured in raiz.json: the "
				 "configuration keeps it", m->name, cat->name);
			continue;
		}
		if (xz && !xz->removed && strcmp(xz->catalog, cat->name) != 0) {
			/* another catalog has it: it moves only if that one says so (coo) */
			const struct xzone *owner = find_zone(x, xz->catalog);
			const struct catalog_member *om = owner ? catalog_find(&owner->members, m->name) : NULL;
			if (!om || strcasecmp(om->coo, cat->name) != 0) {
				log_warn("zone %s: listed by catalogs %s and %s; %s keeps it", m->name,
					 xz->catalog, cat->name, xz->catalog);
				continue;
			}
			log_notice("zone %s: moves from catalog %s to %s (change of ownership)", m->name,
				   xz->catalog, cat->name);
			member_reset(x, xz);
			arm(xz, now);
		}
		if (!xz) {
			xz = zone_add(x, m->name);
			if (!xz)
				continue;
		}
		bool fresh = xz->removed || !xz->catalog;
		if (!fresh && strcasecmp(xz->id, m->id) != 0) {
			log_notice("zone %s: member id changed in catalog %s (%s -> %s): its state is reset",
				   m->name, cat->name, xz->id, m->id);
			member_reset(x, xz);
			arm(xz, now);
		}
		if (!xz->catalog || strcmp(xz->catalog, cat->name) != 0) {
			free(xz->catalog);
			xz->catalog = strdup(cat->name);
		}
		snprintf(xz->id, sizeof xz->id, "%s", m->id);
		snprintf(xz->group, sizeof xz->group, "%s", m->group);
		if (fresh) {
			xz->removed = false;
			xz->purge = false;
			added++;
			log_notice("zone %s: added by catalog %s%s%s", m->name, cat->name,
				   m->group[0] ? ", group " : "", m->group);
			zone_restore(x, xz);
			arm(xz, now);
		}
	}
	for (size_t i = 0; i < x->nzones; i++) {
		struct xzone *xz = x->zones[i];
		if (xz->removed || !xz->catalog || strcmp(xz->catalog, cat->name) != 0 ||
		    catalog_find(members, xz->name))
			continue;
		char why[600];
		snprintf(why, sizeof why, "removed from catalog %s", cat->name);
		member_drop(x, xz, why);
		removed++;
	}
	catalog_free(&cat->members);
	cat->members = *members;
	memset(members, 0, sizeof *members);
	log_info("zone %s: catalog with %zu members (%zu added, %zu removed)", cat->name,
		 cat->members.n, added, removed);
}

static void adopt(struct xfrd *x, bool restore_now)
{
	const struct raiz_config *cfg = cfg_hold(x);
	snprintf(x->zdir, sizeof x->zdir, "%s/zones",
		 cfg->node.state_dir ? cfg->node.state_dir : "/var/lib/raiz");
	for (size_t i = 0; i < x->nzones; i++)
		if (!x->zones[i]->catalog)
			x->zones[i]->removed = true;
	for (size_t i = 0; i < cfg->nzones; i++) {
		const struct cfg_zone *cz = &cfg->zones[i];
		if (!cfg_zone_secondary(cz))
			continue;
		struct xzone *xz = find_zone(x, cz->name);
		if (xz && xz->catalog) {
			/* a member now configured in raiz.json: the configuration wins */
			free(xz->catalog);
			xz->catalog = NULL;
		}
		if (xz) {
			xz->removed = false;
			xz->is_catalog = cz->catalog != NULL;
			continue;
		}
		xz = zone_add(x, cz->name);
		if (!xz)
			continue;
		xz->is_catalog = cz->catalog != NULL;
		zone_restore(x, xz);
		if (!restore_now)
			arm(xz, time(NULL));
	}
	/* members whose catalog left the configuration (or is one no more) */
	for (size_t i = 0; i < x->nzones; i++) {
		struct xzone *xz = x->zones[i];
		const struct xzone *cat = xz->catalog ? find_zone(x, xz->catalog) : NULL;
		if (xz->catalog && !xz->removed && (!cat || cat->removed || !cat->is_catalog)) {
			char why[600];
			snprintf(why, sizeof why, "its catalog %s is no longer configured", xz->catalog);
			member_drop(x, xz, why);
		}
	}
	cfg_release(x);
	for (size_t i = 0; i < x->nzones; i++) {
		struct xzone *xz = x->zones[i];
		if (xz->removed) {
			ev_timer_stop(x->loop, &xz->refresh_tm);
			ev_timer_stop(x->loop, &xz->expire_tm);
		}
	}
}

struct xfrd *xfrd_new(struct ev_loop *loop, struct snapshot_rcu *rcu,
		      struct snapshot_reader *reader, struct reload *reload)
{
	struct xfrd *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->loop = loop;
	x->rcu = rcu;
	x->reader = reader;
	x->reload = reload;
	pthread_mutex_init(&x->mu, NULL);
	ev_async_init(&x->wake, wake_cb);
	x->wake.data = x;
	ev_async_start(loop, &x->wake);
	return x;
}

void xfrd_start(struct xfrd *x)
{
	adopt(x, true);
	publish(x);
	time_t now = time(NULL);
	for (size_t i = 0; i < x->nzones; i++)
		arm(x->zones[i], now);
}

void xfrd_reconfigure(struct xfrd *x)
{
	adopt(x, false);
	publish(x);
}

int xfrd_refresh(struct xfrd *x, const char *name, bool axfr, char *err, size_t errlen)
{
	struct xzone *xz = find_zone(x, name);
	if (!xz || xz->removed) {
		snprintf(err, errlen, "zone %s is not a secondary zone of this node", name);
		return -1;
	}
	log_notice("zone %s: %s asked for on the control socket", xz->name,
		   axfr ? "a full transfer (AXFR)" : "a refresh");
	start_job(xz, axfr);
	return 0;
}

static void add_time(struct json_object *o, const char *k, int64_t t)
{
	json_object_object_add(o, k, t ? json_object_new_int64(t) : NULL);
}

/* one zone of the zones command; xz NULL for a file zone */
static struct json_object *zone_json(const struct snapshot *snap, const char *name,
				     unsigned max_lag, struct xzone *xz, time_t now)
{
	struct json_object *o = json_object_new_object();
	int k = zoneset_index(snap->zs, name);
	struct zoneset_info zi = { 0 };
	if (k >= 0)
		zoneset_info(snap->zs, (size_t)k, &zi);
	json_object_object_add(o, "name", json_object_new_string(name));
	bool served = zi.loaded && !zi.expired && !zi.is_catalog;
	json_object_object_add(o, "kind", json_object_new_string(xz ? "secondary" : "file"));
	json_object_object_add(o, "served", json_object_new_boolean(served));
	json_object_object_add(o, "serial", zi.loaded ? json_object_new_int64(zi.serial) : NULL);
	json_object_object_add(o, "records", json_object_new_int64((int64_t)zi.records));
	if (k >= 0 && (size_t)k < snap->nzones)
		add_time(o, "loaded-at", snap->zone_loaded_at[k]);
	if (!xz) {
		json_object_object_add(o, "state", json_object_new_string(served ? "file" : "not-loaded"));
		if (zi.error)
			json_object_object_add(o, "error", json_object_new_string(zi.error));
		return o;
	}
	if (xz->is_catalog) {
		/* a catalog is transferred and checked, never answered */
		json_object_object_add(o, "catalog-members", json_object_new_int64((int64_t)xz->members.n));
	}
	if (xz->catalog) {
		json_object_object_add(o, "catalog", json_object_new_string(xz->catalog));
		json_object_object_add(o, "group", xz->group[0] ? json_object_new_string(xz->group) : NULL);
	}
	bool behind = xz->z && xz->have_pserial && serial_newer(xz->pserial, xz->z->serial);
	const char *state = xz->expired ? "expired" : !xz->z ? "no-copy" : xz->job ? "refreshing"
			    : behind ? "behind" : "current";
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "primary", xz->primary[0] ? json_object_new_string(xz->primary) : NULL);
	json_object_object_add(o, "primary-serial",
			       xz->have_pserial ? json_object_new_int64(xz->pserial) : NULL);
	add_time(o, "checked-at", xz->checked_at);
	add_time(o, "refreshed-at", xz->refreshed_at);
	add_time(o, "behind-since", behind ? xz->behind_since : 0);
	json_object_object_add(o, "lag", json_object_new_int64(behind && xz->behind_since ?
							       now - xz->behind_since : 0));
	json_object_object_add(o, "max-lag", json_object_new_int64(max_lag));
	json_object_object_add(o, "stored-serial",
			       xz->stored_serial ? json_object_new_int64(xz->stored_serial) : NULL);
	add_time(o, "next-refresh", xz->next_refresh);
	add_time(o, "expires-at", xz->z ? xz->expire_at : 0);
	if (xz->last.at) {
		struct json_object *t = json_object_new_object();
		json_object_object_add(t, "at", json_object_new_int64(xz->last.at));
		json_object_object_add(t, "kind", json_object_new_string(xfrin_kind_names[xz->last.kind]));
		json_object_object_add(t, "serial", json_object_new_int64(xz->last.serial));
		json_object_object_add(t, "records", json_object_new_int64((int64_t)xz->last.records));
		json_object_object_add(t, "bytes", json_object_new_int64((int64_t)xz->last.bytes));
		json_object_object_add(t, "added", json_object_new_int64((int64_t)xz->last.added));
		json_object_object_add(t, "deleted", json_object_new_int64((int64_t)xz->last.deleted));
		json_object_object_add(t, "ms", json_object_new_int64(xz->last.ms));
		json_object_object_add(o, "last-transfer", t);
	} else {
		json_object_object_add(o, "last-transfer", NULL);
	}
	if (xz->fail_at) {
		struct json_object *f = json_object_new_object();
		json_object_object_add(f, "at", json_object_new_int64(xz->fail_at));
		json_object_object_add(f, "reason", json_object_new_string(xz->fail));
		json_object_object_add(o, "last-failure", f);
	} else {
		json_object_object_add(o, "last-failure", NULL);
	}
	json_object_object_add(o, "failures", json_object_new_int64(xz->failures));
	json_object_object_add(o, "publish-latency-ms",
			       xz->latency_ms >= 0 ? json_object_new_int64(xz->latency_ms) : NULL);
	add_time(o, "notify-received-at", xz->notify_at);
	return o;
}

struct json_object *xfrd_zones_json(struct xfrd *x)
{
	struct json_object *arr = json_object_new_array();
	time_t now = time(NULL);
	const struct snapshot *snap = snapshot_enter(x->reader);
	const struct raiz_config *cfg = snap->cfg;
	for (size_t i = 0; i < cfg->nzones; i++) {
		const struct cfg_zone *cz = &cfg->zones[i];
		struct xzone *xz = cfg_zone_secondary(cz) ? find_zone(x, cz->name) : NULL;
		json_object_array_add(arr, zone_json(snap, cz->name, cz->max_lag, xz, now));
	}
	/* catalog members, which raiz.json does not list */
	for (size_t i = 0; i < x->nzones; i++) {
		struct xzone *xz = x->zones[i];
		if (!xz->catalog || xz->removed)
			continue;
		struct cfg_zone tmp;
		const struct cfg_zone *mc = xzone_cfg(cfg, xz, &tmp);
		json_object_array_add(arr, zone_json(snap, xz->name, mc ? mc->max_lag : 0, xz, now));
	}
	snapshot_leave(x->reader);
	struct json_object *r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(true));
	json_object_object_add(r, "now", json_object_new_int64(now));
	json_object_object_add(r, "zones", arr);
	return r;
}

void xfrd_free(struct xfrd *x)
{
	if (!x)
		return;
	atomic_store(&x->stopping, true);
	/* jobs see the flag within 100 ms; wait for them */
	while (x->running) {
		pthread_mutex_lock(&x->mu);
		struct xjob *done = x->done;
		x->done = NULL;
		pthread_mutex_unlock(&x->mu);
		if (!done) {
			struct timespec ts = { 0, 20 * 1000000 };
			nanosleep(&ts, NULL);
			continue;
		}
		while (done) {
			struct xjob *j = done;
			done = j->next;
			pthread_join(j->th, NULL);
			x->running--;
			if (j->zone)
				j->zone->job = NULL;
			if (j->trial && j->done)
				j->done(j->done_arg, NULL);	/* abandoned */
			job_free(j);
		}
	}
	for (size_t i = 0; i < x->nzones; i++) {
		struct xzone *xz = x->zones[i];
		ev_timer_stop(x->loop, &xz->refresh_tm);
		ev_timer_stop(x->loop, &xz->expire_tm);
		zone_unref(xz->z);
		catalog_free(&xz->members);
		free(xz->catalog);
		free(xz->name);
		free(xz);
	}
	free(x->zones);
	ev_async_stop(x->loop, &x->wake);
	pthread_mutex_destroy(&x->mu);
	free(x);
}

/* zsync — see zsync.h */
#include "controller/zsync.h"

#include <errno.h>
#include <ev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/ctlsock.h"

/* ---- judging a reply ---- */

enum zsync_unfit { ZSYNC_FIT = 0, ZSYNC_LAG, ZSYNC_NOCOPY, ZSYNC_EXPIRED };

static const char *const zsync_unfit_names[] = {
	[ZSYNC_FIT] = "fit", [ZSYNC_LAG] = "lag", [ZSYNC_NOCOPY] = "no-copy",
	[ZSYNC_EXPIRED] = "expired",
};

static const char *const zsync_names[] = {
	[ZSYNC_UNKNOWN] = "unknown", [ZSYNC_HEALTHY] = "healthy",
	[ZSYNC_UNHEALTHY] = "unhealthy",
};

const char *zsync_verdict_name(enum zsync_verdict v)
{
	return (unsigned)v <= ZSYNC_UNHEALTHY ? zsync_names[v] : "?";
}

static json_object *zj(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* a string member, NULL when absent or not a string */
static const char *zstr(json_object *o, const char *key)
{
	json_object *v = zj(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* an integer member; false when absent, null or not an integer */
static bool zint(json_object *o, const char *key, int64_t *out)
{
	json_object *v = zj(o, key);
	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/* a member that is there, not null and not an integer */
static bool zbadint(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return false;
	return v && !json_object_is_type(v, json_type_int);
}

/* a member that is there and null */
static bool zisnull(json_object *o, const char *key)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, key, &v) && !v;
}

/* seconds since the epoch -> "2026-12-07T10:00:00Z" */
static const char *zsync_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

static void zsync_unknown(struct zsync_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void zsync_unknown(struct zsync_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	r->verdict = ZSYNC_UNKNOWN;
	snprintf(r->key, sizeof r->key, "unknown:%.240s", r->reason);
}

/* "; last failure: <reason>" when the zone reports one */
static void zsync_failure(json_object *z, char *buf, size_t len)
{
	const char *why = zstr(zj(z, "last-failure"), "reason");
	buf[0] = '\0';
	if (why && why[0])
		snprintf(buf, len, "; last failure: %s", why);
}

/* the reason of one unfit zone */
static void zsync_zone_reason(json_object *z, const char *name, enum zsync_unfit u,
			      int64_t lag, int64_t max_lag, char *buf, size_t len)
{
	char t1[40], t2[40], fail[ZSYNC_REASON_MAX], ser[32] = "?", pser[48] = "";
	int64_t v;

	zsync_failure(z, fail, sizeof fail);
	switch (u) {
	case ZSYNC_EXPIRED: {
		char at[64] = "", since[96] = "no refresh from a primary";
		if (zint(z, "expires-at", &v))
			snprintf(at, sizeof at, " at %s", zsync_time(v, t1, sizeof t1));
		if (zint(z, "refreshed-at", &v))
			snprintf(since, sizeof since, "no refresh from a primary since %s",
				 zsync_time(v, t2, sizeof t2));
		snprintf(buf, len, "zone %s: expired%s (%s%s)", name, at, since, fail);
		break;
	}
	case ZSYNC_NOCOPY: {
		char last[64] = "never transferred";
		json_object *lt = zj(z, "last-transfer");
		if (zint(lt, "at", &v))
			snprintf(last, sizeof last, "last transfer at %s",
				 zsync_time(v, t1, sizeof t1));
		snprintf(buf, len, "zone %s: no copy yet (%s%s)", name, last, fail);
		break;
	}
	case ZSYNC_LAG:
		if (zint(z, "serial", &v))
			snprintf(ser, sizeof ser, "%lld", (long long)v);
		if (zint(z, "primary-serial", &v))
			snprintf(pser, sizeof pser, ", primary %lld", (long long)v);
		snprintf(buf, len,
			 "zone %s: %lld s behind its primary (served %s%s; max-lag %lld s)",
			 name, (long long)lag, ser, pser, (long long)max_lag);
		break;
	default:
		buf[0] = '\0';
	}
}

/*
 * One secondary zone: how unfit it is, or -1 with why set (the judgment
 * needs something the reply does not say).
 */
static int zsync_zone(json_object *z, const char *name, const char *state,
		      const struct raiz_config *cfg, int64_t now, int64_t *lag, int64_t *max_lag,
		      char *why, size_t whylen)
{
	const struct cfg_zone *cz = cfg ? config_zone(cfg, name) : NULL;
	int64_t bs;

	if (strcmp(state, "expired") == 0)
		return ZSYNC_EXPIRED;
	if (strcmp(state, "no-copy") == 0)
		return ZSYNC_NOCOPY;
	*max_lag = 0;
	*lag = 0;
	if (cz) {
		*max_lag = cz->max_lag;
	} else if (zbadint(z, "max-lag")) {
		snprintf(why, whylen, "zone %s: \"max-lag\" in raiz-dnsd's reply is not a number",
			 name);
		return -1;
	} else {
		zint(z, "max-lag", max_lag);
	}
	if (*max_lag <= 0)
		return ZSYNC_FIT;
	if (zint(z, "lag", lag))
		;
	else if (zbadint(z, "lag")) {
		snprintf(why, whylen, "zone %s: \"lag\" in raiz-dnsd's reply is not a number",
			 name);
		return -1;
	} else if (strcmp(state, "current") == 0 || zisnull(z, "behind-since"))
		*lag = 0;
	else if (zint(z, "behind-since", &bs) && now > 0)
		*lag = now > bs ? now - bs : 0;
	else {
		snprintf(why, whylen, "zone %s: raiz-dnsd's reply does not say how far it is "
			 "behind its primary", name);
		return -1;
	}
	return *lag > *max_lag ? ZSYNC_LAG : ZSYNC_FIT;
}

/* append "; and N more zones: a. lag, b. expired" for the unfit zones
 * besides the worst */
static void zsync_more(struct zsync_result *r, json_object *zones, const unsigned char *unfit,
		       size_t worst)
{
	size_t n = strlen(r->reason), more = r->unfit - 1, k = 0;
	if (!more || n + 32 >= sizeof r->reason)
		return;
	n += (size_t)snprintf(r->reason + n, sizeof r->reason - n, "; and %zu more zone%s:", more,
			      more == 1 ? "" : "s");
	for (size_t i = 0; i < json_object_array_length(zones) && n < sizeof r->reason; i++) {
		const char *name = zstr(json_object_array_get_idx(zones, i), "name");
		if (!unfit[i] || i == worst)
			continue;
		n += (size_t)snprintf(r->reason + n, sizeof r->reason - n, "%s %s %s",
				      k++ ? "," : "", name, zsync_unfit_names[unfit[i]]);
	}
}

void zsync_judge(json_object *reply, const struct raiz_config *cfg, struct zsync_result *r)
{
	json_object *zones, *ok;
	const char *err;
	int64_t now = 0;
	size_t n, worst = 0, kn = 0;
	int worst_u = ZSYNC_FIT;
	char unknown[ZSYNC_REASON_MAX] = "";

	memset(r, 0, sizeof *r);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		zsync_unknown(r, "raiz-dnsd's reply to \"zones\" is not a JSON object");
		return;
	}
	ok = zj(reply, "ok");
	if (!ok || !json_object_is_type(ok, json_type_boolean) || !json_object_get_boolean(ok)) {
		err = zstr(reply, "error");
		if (err) {
			zsync_unknown(r, "raiz-dnsd refused \"zones\": %s", err);
			return;
		}
		zsync_unknown(r, "raiz-dnsd's reply to \"zones\" is not \"ok\": true");
		return;
	}
	zones = zj(reply, "zones");
	if (!zones || !json_object_is_type(zones, json_type_array)) {
		zsync_unknown(r, "raiz-dnsd's reply to \"zones\" has no \"zones\" array");
		return;
	}
	zint(reply, "now", &now);
	n = json_object_array_length(zones);
	unsigned char unfit[n ? n : 1];
	memset(unfit, 0, sizeof unfit);

	for (size_t i = 0; i < n; i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		const char *name = zstr(z, "name"), *kind = zstr(z, "kind");
		const char *state = zstr(z, "state");
		char why[ZSYNC_REASON_MAX];
		int64_t lag = 0, max_lag = 0;
		int f;

		if (!name || !name[0]) {
			snprintf(why, sizeof why, "zone %zu of raiz-dnsd's \"zones\" reply has no "
				 "name", i + 1);
			f = -1;
		} else if (kind ? strcmp(kind, "file") == 0 : state && strcmp(state, "file") == 0) {
			continue;
		} else if (kind && strcmp(kind, "secondary") != 0) {
			snprintf(why, sizeof why, "zone %s: unknown kind \"%.32s\" in raiz-dnsd's "
				 "reply", name, kind);
			f = -1;
		} else if (!state) {
			snprintf(why, sizeof why, "zone %s: raiz-dnsd's reply has no state", name);
			f = -1;
		} else {
			r->secondaries++;
			f = zsync_zone(z, name, state, cfg, now, &lag, &max_lag, why, sizeof why);
		}
		if (f < 0) {
			if (!unknown[0])
				snprintf(unknown, sizeof unknown, "%s", why);
			continue;
		}
		if (f == ZSYNC_FIT)
			continue;
		unfit[i] = (unsigned char)f;
		r->unfit++;
		if (kn < sizeof r->key)
			kn += (size_t)snprintf(r->key + kn, sizeof r->key - kn, "%s%s:%s",
					       kn ? ";" : "", name, zsync_unfit_names[f]);
		if (f > worst_u) {
			worst_u = f;
			worst = i;
			zsync_zone_reason(z, name, (enum zsync_unfit)f, lag, max_lag, r->reason,
					  sizeof r->reason);
		}
	}
	if (r->unfit) {
		r->verdict = ZSYNC_UNHEALTHY;
		zsync_more(r, zones, unfit, worst);
		return;
	}
	if (unknown[0]) {
		zsync_unknown(r, "%s", unknown);
		return;
	}
	r->verdict = ZSYNC_HEALTHY;
	snprintf(r->key, sizeof r->key, "healthy");
	if (r->secondaries == 0)
		snprintf(r->reason, sizeof r->reason, "raiz-dnsd serves no secondary zone");
	else if (r->secondaries == 1)
		snprintf(r->reason, sizeof r->reason, "the secondary zone is current or within "
			 "its max-lag");
	else
		snprintf(r->reason, sizeof r->reason, "all %zu secondary zones are current or "
			 "within their max-lag", r->secondaries);
}

bool zsync_wanted(const struct raiz_config *cfg)
{
	if (!cfg || !cfg->dnsd.control_socket || !cfg->dnsd.control_socket[0])
		return false;
	for (size_t i = 0; i < cfg->nzones; i++)
		if (cfg_zone_secondary(&cfg->zones[i]))
			return true;
	return false;
}

uint64_t zsync_period_ms(const struct raiz_config *cfg)
{
	uint64_t p = 0;
	for (size_t i = 0; cfg && i < cfg->ctl.nservices; i++)
		if (!p || cfg->ctl.services[i].interval_ms < p)
			p = cfg->ctl.services[i].interval_ms;
	return p > ZSYNC_MIN_PERIOD_MS ? p : ZSYNC_MIN_PERIOD_MS;
}

/* ---- asking raiz-dnsd ---- */

#define ZSYNC_REQUEST "{\"command\":\"zones\"}\n"

struct zsync {
	struct ev_loop *loop;
	const struct raiz_config *cfg;
	char *path;
	uint64_t period_ms;
	zsync_cb cb;
	void *arg;
	ev_timer tick;               /* every period */
	ev_timer deadline;           /* the request's; at 0 to report a failure to start */
	ev_io io;
	int fd;
	bool busy, connecting;
	size_t sent;                 /* of ZSYNC_REQUEST */
	char *in;
	size_t inlen, incap;
	char err[ZSYNC_REASON_MAX];  /* a failure to report */
	bool have;
	struct zsync_result last;
};

static uint64_t zsync_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void zsync_close(struct zsync *z)
{
	ev_io_stop(z->loop, &z->io);
	ev_timer_stop(z->loop, &z->deadline);
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	z->busy = z->connecting = false;
	z->sent = 0;
	z->inlen = 0;
}

/* the request is over: reply (owned here) or a failure in z->err */
static void zsync_finish(struct zsync *z, json_object *reply)
{
	struct zsync_result r, prev = z->last;
	bool had = z->have;

	zsync_close(z);
	if (reply)
		zsync_judge(reply, z->cfg, &r);
	else {
		memset(&r, 0, sizeof r);
		zsync_unknown(&r, "%s", z->err[0] ? z->err : "no reply");
	}
	json_object_put(reply);
	r.at_ms = zsync_wall();
	z->last = r;
	z->have = true;
	z->cb(z->arg, &z->last, had ? &prev : NULL);
}

static void zsync_fail(struct zsync *z, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void zsync_fail(struct zsync *z, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(z->err, sizeof z->err, fmt, ap);
	va_end(ap);
	zsync_finish(z, NULL);
}

static void zsync_read(struct zsync *z)
{
	for (;;) {
		if (z->incap - z->inlen < 4096) {
			size_t cap = z->incap ? z->incap * 2 : 16384;
			if (z->incap >= ZSYNC_REPLY_MAX) {
				zsync_fail(z, "raiz-dnsd's reply to \"zones\" at %s is larger "
					   "than %u bytes", z->path, ZSYNC_REPLY_MAX);
				return;
			}
			char *nb = realloc(z->in, cap);
			if (!nb) {
				zsync_fail(z, "out of memory reading raiz-dnsd's reply");
				return;
			}
			z->in = nb;
			z->incap = cap;
		}
		ssize_t n = recv(z->fd, z->in + z->inlen, z->incap - z->inlen - 1, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			zsync_fail(z, "reading from raiz-dnsd at %s: %s", z->path,
				   strerror(errno));
			return;
		}
		if (n == 0) {
			zsync_fail(z, "raiz-dnsd at %s closed the connection before its "
				   "reply to \"zones\" ended", z->path);
			return;
		}
		char *nl = memchr(z->in + z->inlen, '\n', (size_t)n);
		z->inlen += (size_t)n;
		if (!nl)
			continue;
		*nl = '\0';
		json_object *o = ctlsock_json_object(z->in, (size_t)(nl - z->in));
		if (!o) {
			zsync_fail(z, "raiz-dnsd's reply to \"zones\" at %s is not a JSON "
				   "object", z->path);
			return;
		}
		zsync_finish(z, o);
		return;
	}
}

static void zsync_write(struct zsync *z)
{
	const size_t len = sizeof ZSYNC_REQUEST - 1;
	while (z->sent < len) {
		ssize_t n = send(z->fd, ZSYNC_REQUEST + z->sent, len - z->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			zsync_fail(z, "sending \"zones\" to raiz-dnsd at %s: %s", z->path,
				   strerror(errno));
			return;
		}
		z->sent += (size_t)n;
	}
	ev_io_stop(z->loop, &z->io);
	ev_io_set(&z->io, z->fd, EV_READ);
	ev_io_start(z->loop, &z->io);
}

static void zsync_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct zsync *z = io->data;
	if (z->connecting) {
		int e = 0;
		socklen_t el = sizeof e;
		if (getsockopt(z->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e) {
			zsync_fail(z, "cannot reach raiz-dnsd at %s: %s", z->path, strerror(e));
			return;
		}
		z->connecting = false;
	}
	if (revents & EV_WRITE) {
		zsync_write(z);
		return;
	}
	if (revents & EV_READ)
		zsync_read(z);
}

static void zsync_deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct zsync *z = t->data;
	if (!z->err[0])
		snprintf(z->err, sizeof z->err, "raiz-dnsd at %s did not answer \"zones\" within "
			 "%d ms", z->path, ZSYNC_TIMEOUT_MS);
	zsync_finish(z, NULL);
}

/* report a failure to start from the loop, not from inside the caller */
static void zsync_fail_later(struct zsync *z, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void zsync_fail_later(struct zsync *z, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(z->err, sizeof z->err, fmt, ap);
	va_end(ap);
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	ev_timer_stop(z->loop, &z->deadline);
	ev_timer_set(&z->deadline, 0., 0.);
	ev_timer_start(z->loop, &z->deadline);
}

static void zsync_start(struct zsync *z)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t pl = strlen(z->path);

	if (z->busy)
		return;
	z->busy = true;
	z->err[0] = '\0';
	z->sent = z->inlen = 0;
	if (pl >= sizeof sun.sun_path) {
		zsync_fail_later(z, "raiz-dnsd's control socket path %s is too long", z->path);
		return;
	}
	memcpy(sun.sun_path, z->path, pl);
	z->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (z->fd < 0) {
		zsync_fail_later(z, "socket: %s", strerror(errno));
		return;
	}
	if (connect(z->fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		if (errno == EAGAIN) {
			zsync_fail_later(z, "raiz-dnsd at %s is not accepting connections "
					 "(its backlog is full)", z->path);
			return;
		}
		if (errno != EINPROGRESS) {
			zsync_fail_later(z, "cannot reach raiz-dnsd at %s: %s", z->path,
					 strerror(errno));
			return;
		}
		z->connecting = true;
	}
	ev_io_set(&z->io, z->fd, EV_WRITE);
	ev_io_start(z->loop, &z->io);
	ev_timer_set(&z->deadline, ZSYNC_TIMEOUT_MS / 1000.0, 0.);
	ev_timer_start(z->loop, &z->deadline);
}

static void zsync_tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	zsync_start(t->data);
}

static void zsync_arm(struct zsync *z, double first)
{
	ev_timer_stop(z->loop, &z->tick);
	ev_timer_set(&z->tick, first, (double)z->period_ms / 1000.0);
	ev_timer_start(z->loop, &z->tick);
}

struct zsync *zsync_new(struct ev_loop *loop, const struct raiz_config *cfg, zsync_cb on_result,
			void *arg)
{
	struct zsync *z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	z->path = strdup(cfg->dnsd.control_socket ? cfg->dnsd.control_socket : "");
	if (!z->path) {
		free(z);
		return NULL;
	}
	z->loop = loop;
	z->cfg = cfg;
	z->cb = on_result;
	z->arg = arg;
	z->fd = -1;
	z->period_ms = zsync_period_ms(cfg);
	zsync_unknown(&z->last, "not asked yet");
	ev_io_init(&z->io, zsync_io_cb, -1, EV_WRITE);
	ev_timer_init(&z->deadline, zsync_deadline_cb, 0., 0.);
	ev_timer_init(&z->tick, zsync_tick_cb, 0., 0.);
	z->io.data = z->deadline.data = z->tick.data = z;
	zsync_arm(z, 0.);
	return z;
}

void zsync_configure(struct zsync *z, const struct raiz_config *cfg)
{
	const char *p = cfg->dnsd.control_socket ? cfg->dnsd.control_socket : "";
	uint64_t period = zsync_period_ms(cfg);

	z->cfg = cfg;
	if (strcmp(p, z->path) != 0) {
		char *np = strdup(p);
		if (np) {
			zsync_close(z);
			free(z->path);
			z->path = np;
			zsync_arm(z, 0.);
		}
	}
	if (period != z->period_ms) {
		z->period_ms = period;
		zsync_arm(z, (double)period / 1000.0);
	}
}

void zsync_free(struct zsync *z)
{
	if (!z)
		return;
	zsync_close(z);
	ev_timer_stop(z->loop, &z->tick);
	free(z->in);
	free(z->path);
	free(z);
}

void zsync_poll_now(struct zsync *z)
{
	if (z)
		zsync_start(z);
}

bool zsync_busy(const struct zsync *z)
{
	return z && z->busy;
}

const struct zsync_result *zsync_last(const struct zsync *z)
{
	return &z->last;
}

const char *zsync_socket(const struct zsync *z)
{
	return z->path;
}

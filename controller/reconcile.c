/* reconcile — BIRD reconciler, see reconcile.h */
#include "controller/reconcile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "controller/birdstate.h"

struct rc_prefix {
	char *prefix;                    /* canonical text */
	char *proto;
	struct reconcile_bgp_status *bgp;
	size_t nbgp;

	enum announce_state desired;
	char reason[128];
	double since;
	unsigned gen;                    /* bumped on every change of desired */
	unsigned pass_gen;               /* gen when the running pass began */

	bool in_file;                    /* include file holds file_state */
	enum announce_state file_state;
	bool fix_failed;
	bool applied, verified, notified;
	double applied_at, verified_at;
	char static_state[16];

	char pass_error[256];
	char last_error[256];
	double error_at;
	double checked_at;               /* 0: not checked since (re)connecting */
};

enum rc_step { RC_IDLE, RC_STATUS, RC_CONFIGURE, RC_PROTOCOLS, RC_FIX, RC_EXPORT };

/* What one `show status` says about BIRD's life, as differences of times
 * printed in the same reply (see reconcile.h: the printed instants move by
 * milliseconds from one reply to the next, their differences do not).
 * Microseconds. */
struct rc_clock {
	bool ok;                         /* the three times were read */
	int64_t uptime;                  /* server time - last reboot */
	int64_t loaded;                  /* last reconfiguration - last reboot */
	int64_t res;                     /* resolution of the printed times */
	int64_t at;                      /* CLOCK_MONOTONIC when the reply came */
	unsigned conn;                   /* conn_gen of the connection it came on */
};

/* a BIRD restarted less than this after its previous start is taken for the
 * same one (the reply's latency must never look like a restart) */
#define RC_RESTART_SLACK_US 1000000

struct reconcile {
	struct ev_loop *loop;
	struct bird_client *bird;
	char *include_path;
	struct rc_prefix *p;
	size_t n;
	double interval;
	ev_timer tick;
	void (*on_verified)(void *, size_t, enum announce_state, double);
	void (*on_bird_state)(void *, bool);
	void *arg;

	double created;
	bool ever_connected;
	unsigned conn_gen;               /* bumped on every connect and disconnect */
	unsigned pass_conn;              /* conn_gen when the running pass began */
	bool need_configure;             /* file written, BIRD not told yet */
	struct rc_clock clock;           /* BIRD's last `show status` */
	bool clock_warned;               /* its times could not be read */
	bool own_queued;                 /* our configure answered 0005 (queued) */

	enum rc_step step;
	bool pass_again;
	bool refreshed;                  /* show protocols redone after fixes */
	bool fixed;                      /* a fix command was sent this pass */
	size_t k, kb;                    /* cursor for per-prefix steps */
};

static void rc_pass_start(struct reconcile *r);
static void rc_step_configure(struct reconcile *r);
static void rc_step_protocols(struct reconcile *r);
static void rc_step_fix(struct reconcile *r);
static void rc_step_export(struct reconcile *r);

static const char *const rc_names[] = {
	[RECONCILE_WITHDRAW] = "withdraw",
	[RECONCILE_DRAIN] = "drain",
	[RECONCILE_ANNOUNCE] = "announce",
};

const char *reconcile_state_name(enum announce_state st)
{
	if ((unsigned)st > RECONCILE_ANNOUNCE)
		return "?";
	return rc_names[st];
}

int reconcile_state_parse(const char *name)
{
	for (int i = RECONCILE_WITHDRAW; i <= RECONCILE_ANNOUNCE; i++)
		if (strcmp(name, rc_names[i]) == 0)
			return i;
	return -1;
}

/* first error of this pass for prefix p wins */
static void rc_error(struct rc_prefix *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void rc_error(struct rc_prefix *p, const char *fmt, ...)
{
	va_list ap;

	if (p->pass_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->pass_error, sizeof(p->pass_error), fmt, ap);
	va_end(ap);
}

static void rc_error_all(struct reconcile *r, const char *what, const char *text)
{
	for (size_t i = 0; i < r->n; i++)
		rc_error(&r->p[i], "%s: %s", what, text);
}

/* "192.0.2.0/24" -> canonical text; -1 when not a prefix */
static int rc_canon_prefix(const char *in, char *out, size_t outlen)
{
	char addr[64], *slash, *end;
	unsigned char bin[16];
	int af, max, bytes;
	long len;

	if (strlen(in) >= sizeof(addr))
		return -1;
	strcpy(addr, in);
	slash = strchr(addr, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	max = af == AF_INET ? 32 : 128;
	bytes = max / 8;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || len < 0 || len > max)
		return -1;
	if (inet_pton(af, addr, bin) != 1)
		return -1;
	for (int b = 0; b < bytes * 8; b++)
		if (b >= len && (bin[b / 8] & (0x80 >> (b % 8))))
			return -1;      /* host bits set */
	if (!inet_ntop(af, bin, addr, sizeof(addr)))
		return -1;
	if ((size_t)snprintf(out, outlen, "%s/%ld", addr, len) >= outlen)
		return -1;
	return 0;
}

/* reason text safe inside a BIRD string: printable, no quote/backslash */
static void rc_sanitize(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; in && *in && o + 1 < outlen; in++) {
		unsigned char c = (unsigned char)*in;
		out[o++] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '_' : (char)c;
	}
	out[o] = '\0';
}

/* ---- include file ---- */

static int rc_write_file(struct reconcile *r)
{
	struct birdstate_entry *e = calloc(r->n, sizeof(*e));
	char err[256];
	int rc;

	if (!e) {
		rc_error_all(r, "state file", "out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		e[i].proto = r->p[i].proto;
		e[i].comment = r->p[i].prefix;
		e[i].withdrawn = r->p[i].desired == RECONCILE_WITHDRAW;
		e[i].drain = r->p[i].desired == RECONCILE_DRAIN;
	}
	rc = birdstate_write(r->include_path, e, r->n, err, sizeof(err));
	free(e);
	if (rc < 0) {
		log_err("reconcile: %s", err);
		rc_error_all(r, "state file", err);
		return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		r->p[i].in_file = true;
		r->p[i].file_state = r->p[i].desired;
	}
	r->need_configure = true;
	return 0;
}

static bool rc_file_stale(const struct reconcile *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->p[i].in_file || r->p[i].file_state != r->p[i].desired)
			return true;
	return false;
}

/* ---- the pass ---- */

static void rc_pass_end(struct reconcile *r)
{
	double now = ev_now(r->loop);

	r->step = RC_IDLE;
	for (size_t i = 0; i < r->n; i++) {
		struct rc_prefix *p = &r->p[i];
		if (strcmp(p->pass_error, p->last_error) != 0) {
			if (p->pass_error[0])
				log_warn("reconcile: %s: %s", p->prefix, p->pass_error);
			else
				log_info("reconcile: %s: error cleared", p->prefix);
			strcpy(p->last_error, p->pass_error);
			p->error_at = now;
		}
	}
	if (r->pass_again)
		rc_pass_start(r);
}

/* queue one pass command; on refusal end the pass */
static bool rc_cmd(struct reconcile *r, const char *cmd, bird_reply_cb cb)
{
	if (bird_cmd(r->bird, cmd, cb, r) == 0)
		return true;
	rc_error_all(r, "BIRD", errno == ENOTCONN ? "not connected" : strerror(errno));
	rc_pass_end(r);
	return false;
}

/* local failure (timeout, disconnect): the pass ends here */
static bool rc_reply_lost(struct reconcile *r, const struct bird_reply *rep)
{
	if (rep->code >= 0)
		return false;
	rc_error_all(r, "BIRD", bird_reply_strerror(rep));
	rc_pass_end(r);
	return true;
}

/* someone else may have edited the file: write it and configure again */
static void rc_file_forget(struct reconcile *r)
{
	for (size_t i = 0; i < r->n; i++)
		r->p[i].in_file = false;
}

/* text of the first line starting with key, after it; NULL when none */
static const char *rc_status_field(const struct bird_reply *rep, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < rep->nlines; i++)
		if (strncmp(rep->lines[i].text, key, kl) == 0)
			return rep->lines[i].text + kl;
	return NULL;
}

/* a time as BIRD's `timeformat base` prints it: "YYYY-MM-DD hh:mm:ss"
 * (iso long) or "DD-MM-YYYY hh:mm:ss", each with an optional fraction of
 * up to 6 digits; microseconds since the epoch (local time, as BIRD
 * formats it) and the printed resolution */
static int rc_time_parse(const char *s, int64_t *t, int64_t *res)
{
	int a, b, c, hh, mm, ss, n = -1;
	struct tm tm = { .tm_isdst = -1 };
	int64_t frac = 0, unit = 1000000;
	time_t secs;

	if (!s || sscanf(s, "%4d-%2d-%4d %2d:%2d:%2d%n", &a, &b, &c, &hh, &mm, &ss, &n) != 6 ||
	    n < 0)
		return -1;
	if (a >= 1000 && c <= 31) {
		tm.tm_year = a - 1900;
		tm.tm_mday = c;
	} else if (c >= 1000 && a <= 31) {
		tm.tm_year = c - 1900;
		tm.tm_mday = a;
	} else {
		return -1;
	}
	tm.tm_mon = b - 1;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (unit == 1)
				return -1;      /* finer than BIRD's microseconds */
			unit /= 10;
			frac += (*s - '0') * unit;
		}
		if (unit == 1000000)
			return -1;
	}
	if (*s && *s != ' ')
		return -1;
	secs = mktime(&tm);
	if (secs == (time_t)-1)
		return -1;
	*t = (int64_t)secs * 1000000 + frac;
	*res = unit;
	return 0;
}

static void rc_clock_read(struct reconcile *r, const struct bird_reply *rep, struct rc_clock *c)
{
	int64_t now, boot, reconf, r1, r2, r3;
	struct timespec ts;

	memset(c, 0, sizeof(*c));
	clock_gettime(CLOCK_MONOTONIC, &ts);     /* not ev_now(): the wall clock */
	c->at = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	c->conn = r->conn_gen;
	if (rc_time_parse(rc_status_field(rep, "Current server time is "), &now, &r1) < 0 ||
	    rc_time_parse(rc_status_field(rep, "Last reboot on "), &boot, &r2) < 0 ||
	    rc_time_parse(rc_status_field(rep, "Last reconfiguration on "), &reconf, &r3) < 0) {
		if (!r->clock_warned)
			log_warn("reconcile: cannot read BIRD's times in `show status` (is "
				 "`timeformat base` iso long?): a restart of BIRD is assumed at "
				 "every reconnect, someone else's configure goes unnoticed");
		r->clock_warned = true;
		return;
	}
	c->ok = true;
	c->uptime = now - boot;
	c->loaded = reconf - boot;
	c->res = r1 > r2 ? r1 : r2;
	if (r3 > c->res)
		c->res = r3;
}

/* the time from boot to the last configure moved: each of the two printed
 * times is cut to the resolution, so their difference moves by one unit */
static bool rc_loaded_moved(const struct rc_clock *a, const struct rc_clock *b)
{
	int64_t d = a->loaded - b->loaded;

	return (d < 0 ? -d : d) > (a->res > b->res ? a->res : b->res);
}

/*
 * Did BIRD restart, or did someone else configure it, between the status
 * replies prev and cur?  BIRD prints each time as its real-time clock minus
 * the monotonic time elapsed since the event, each clock read at another
 * moment, so the same instant is printed a few milliseconds apart from one
 * reply to the next (and a clock step apart after a step).  Differences
 * within one reply are exact to the printed resolution; they are compared:
 *  - restart: only possible if the control connection was lost meanwhile
 *    (a restart closes it); then the new uptime is shorter than the old
 *    one plus the time that passed here;
 *  - configure: the time from boot to the last reconfiguration changed by
 *    more than the resolution.
 */
static void rc_clock_compare(struct reconcile *r, const struct rc_clock *cur,
			     const char *reboot_text, const char *reconf_text)
{
	const struct rc_clock *prev = &r->clock;

	if (!cur->ok) {
		if (prev->at > 0 && prev->conn != cur->conn) {
			log_notice("reconcile: reconnected to BIRD; re-applying every prefix "
				   "(cannot tell whether it restarted)");
			rc_file_forget(r);
		}
		return;
	}
	if (!prev->ok)
		return;
	log_debug("reconcile: BIRD up %.6f s, configured %.6f s after boot (was %.6f, %.6f)",
		  cur->uptime / 1e6, cur->loaded / 1e6, prev->uptime / 1e6, prev->loaded / 1e6);
	if (prev->conn != cur->conn &&
	    cur->uptime + RC_RESTART_SLACK_US < prev->uptime + (cur->at - prev->at)) {
		log_notice("reconcile: BIRD restarted (%s); re-applying every prefix", reboot_text);
		rc_file_forget(r);
		r->own_queued = false;
	} else if (rc_loaded_moved(cur, prev)) {
		if (r->own_queued) {
			/* our queued configure has been applied */
			r->own_queued = false;
		} else {
			log_notice("reconcile: BIRD reconfigured by someone else (%s); "
				   "re-applying", reconf_text);
			rc_file_forget(r);
		}
	}
}

static void rc_status_cb(void *arg, const struct bird_reply *rep)
{
	struct reconcile *r = arg;
	struct rc_clock cur;
	const char *reboot, *reconf;

	if (rc_reply_lost(r, rep))
		return;
	reboot = rc_status_field(rep, "Last reboot on ");
	reconf = rc_status_field(rep, "Last reconfiguration on ");
	rc_clock_read(r, rep, &cur);
	rc_clock_compare(r, &cur, reboot ? reboot : "?", reconf ? reconf : "?");
	r->clock = cur;
	rc_step_configure(r);
}

/* after our own configure: remember its time, so only others' count */
static void rc_status_ours_cb(void *arg, const struct bird_reply *rep)
{
	struct reconcile *r = arg;
	struct rc_clock cur;

	if (rc_reply_lost(r, rep))
		return;
	rc_clock_read(r, rep, &cur);
	/* a queued configure that BIRD applied already */
	if (r->own_queued && cur.ok && r->clock.ok && cur.conn == r->clock.conn &&
	    rc_loaded_moved(&cur, &r->clock))
		r->own_queued = false;
	r->clock = cur;
	rc_step_protocols(r);
}

static void rc_configure_cb(void *arg, const struct bird_reply *rep)
{
	struct reconcile *r = arg;

	if (rc_reply_lost(r, rep))
		return;
	log_debug("reconcile: configure answered %04d %s", rep->code, rep->text);
	if (rep->code == 3 || rep->code == 4 || rep->code == 5) {
		/* 0005: queued behind a reconfiguration in progress; BIRD
		 * shows its time only once it is applied */
		r->own_queued = rep->code == 5;
		r->need_configure = false;
		rc_cmd(r, "show status", rc_status_ours_cb);
		return;
	} else {
		/* e.g. 8002 "file, line: error": BIRD keeps its old config;
		 * runtime enable/disable below still take effect */
		rc_error_all(r, "configure", rep->text);
	}
	rc_step_protocols(r);
}

/* write the include file when stale, then configure when needed */
static void rc_step_configure(struct reconcile *r)
{
	r->step = RC_CONFIGURE;
	if (rc_file_stale(r))
		rc_write_file(r);
	if (!r->need_configure) {
		rc_step_protocols(r);
		return;
	}
	rc_cmd(r, "configure", rc_configure_cb);
}

static struct rc_prefix *rc_find_proto(struct reconcile *r, const char *name,
				       struct reconcile_bgp_status **bgp)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->p[i].proto, name) == 0) {
			*bgp = NULL;
			return &r->p[i];
		}
		for (size_t b = 0; b < r->p[i].nbgp; b++)
			if (strcmp(r->p[i].bgp[b].proto, name) == 0) {
				*bgp = &r->p[i].bgp[b];
				return &r->p[i];
			}
	}
	return NULL;
}

static void rc_set_bgp(struct reconcile *r, const char *name, const char *state,
		       const char *info)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t b = 0; b < r->p[i].nbgp; b++)
			if (strcmp(r->p[i].bgp[b].proto, name) == 0) {
				snprintf(r->p[i].bgp[b].state, sizeof(r->p[i].bgp[b].state),
					 "%s", state);
				struct reconcile_bgp_status *g = &r->p[i].bgp[b];
				size_t l = strlen(info);

				while (l && (info[l - 1] == ' ' || info[l - 1] == '\t'))
					l--;
				if (l >= sizeof(g->info))
					l = sizeof(g->info) - 1;
				memcpy(g->info, info, l);
				g->info[l] = '\0';
			}
}

/* one row of show protocols: Name Proto Table State Since Info, where
 * Since is one or two words (date, time) depending on timeformat */
static void rc_protocol_row(struct reconcile *r, const char *row)
{
	const char *start[8];
	size_t len[8];
	int nt = 0;
	const char *s = row, *info = "";
	bool two;
	char name[BIRDSTATE_NAME_MAX], state[16];
	struct rc_prefix *p;
	struct reconcile_bgp_status *bgp;

	while (nt < 8) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		start[nt] = s;
		len[nt] = strcspn(s, " \t");
		s += len[nt++];
	}
	if (nt < 4 || len[0] >= sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)len[0], start[0]);
	snprintf(state, sizeof(state), "%.*s", (int)len[3], start[3]);
	p = rc_find_proto(r, name, &bgp);
	if (!p)
		return;
	two = nt >= 6 && len[4] == 10 && start[4][4] == '-' && memchr(start[5], ':', len[5]);
	if (nt > 5 + two)
		info = start[5 + two];
	if (bgp)
		rc_set_bgp(r, name, state, info);
	else
		snprintf(p->static_state, sizeof(p->static_state), "%s", state);
}

static void rc_protocols_cb(void *arg, const struct bird_reply *rep)
{
	struct reconcile *r = arg;

	if (rc_reply_lost(r, rep))
		return;
	for (size_t i = 0; i < r->n; i++) {
		strcpy(r->p[i].static_state, "?");
		for (size_t b = 0; b < r->p[i].nbgp; b++) {
			strcpy(r->p[i].bgp[b].state, "?");
			r->p[i].bgp[b].info[0] = '\0';
		}
	}
	if (!bird_reply_ok(rep)) {
		rc_error_all(r, "show protocols", rep->text);
	} else {
		for (size_t i = 0; i < rep->nlines; i++)
			if (rep->lines[i].code == 1002)
				rc_protocol_row(r, rep->lines[i].text);
	}
	for (size_t i = 0; i < r->n; i++) {
		struct rc_prefix *p = &r->p[i];
		if (strcmp(p->static_state, "?") == 0)
			rc_error(p, "BIRD has no protocol %s", p->proto);
		for (size_t b = 0; b < p->nbgp; b++)
			if (strcmp(p->bgp[b].state, "?") == 0)
				rc_error(p, "BIRD has no protocol %s", p->bgp[b].proto);
	}
	r->k = 0;
	rc_step_fix(r);
}

static void rc_step_protocols(struct reconcile *r)
{
	r->step = RC_PROTOCOLS;
	rc_cmd(r, "show protocols", rc_protocols_cb);
}

static void rc_fix_cb(void *arg, const struct bird_reply *rep)
{
	struct reconcile *r = arg;
	struct rc_prefix *p = &r->p[r->k];

	if (rc_reply_lost(r, rep))
		return;
	/* 0009 disabled, 0008 already; 0011 enabled, 0010 already */
	if (bird_reply_find(rep, 9) < 0 && bird_reply_find(rep, 8) < 0 &&
	    bird_reply_find(rep, 11) < 0 && bird_reply_find(rep, 10) < 0) {
		p->fix_failed = true;
		rc_error(p, "%s %s: %s", p->desired == RECONCILE_WITHDRAW ? "disable" : "enable",
			 p->proto, rep->text);
	}
	r->k++;
	rc_step_fix(r);
}

/* enable/disable every static protocol BIRD shows in the wrong state */
static void rc_step_fix(struct reconcile *r)
{
	r->step = RC_FIX;
	for (; r->k < r->n; r->k++) {
		struct rc_prefix *p = &r->p[r->k];
		bool want_up = p->desired != RECONCILE_WITHDRAW;
		char cmd[256], why[100];

		if (strcmp(p->static_state, "?") == 0 || r->refreshed)
			continue;
		if (want_up && strcmp(p->static_state, "up") != 0 &&
		    strcmp(p->static_state, "start") != 0) {
			log_info("reconcile: %s: BIRD shows %s %s, enabling", p->prefix,
				 p->proto, p->static_state);
			snprintf(cmd, sizeof(cmd), "enable \"%s\"", p->proto);
		} else if (!want_up && strcmp(p->static_state, "down") != 0) {
			log_info("reconcile: %s: BIRD shows %s %s, disabling", p->prefix,
				 p->proto, p->static_state);
			rc_sanitize(p->reason, why, sizeof(why));
			snprintf(cmd, sizeof(cmd), "disable \"%s\" \"raiz: %s\"", p->proto, why);
		} else {
			continue;
		}
		r->fixed = true;
		rc_cmd(r, cmd, rc_fix_cb);
		return;
	}
	if (r->fixed && !r->refreshed) {
		r->refreshed = true;
		rc_step_protocols(r);
		return;
	}
	r->k = r->kb = 0;
	for (size_t i = 0; i < r->n; i++)
		for (size_t b = 0; b < r->p[i].nbgp; b++)
			r->p[i].bgp[b].exported = r->p[i].bgp[b].drained = -1;
	rc_step_export(r);
}

static void rc_evaluate(struct reconcile *r)
{
	double now = ev_now(r->loop);

	for (size_t i = 0; i < r->n; i++) {
		struct rc_prefix *p = &r->p[i];
		bool want_up = p->desired != RECONCILE_WITHDRAW;
		bool ok;

		if (p->gen != p->pass_gen)
			continue;       /* changed during the pass: next one */
		if (r->pass_conn == r->conn_gen)
			p->checked_at = now;
		p->applied = p->in_file && p->file_state == p->desired && !r->need_configure &&
			     !p->fix_failed;
		if (p->applied && !p->applied_at)
			p->applied_at = now;
		ok = strcmp(p->static_state, want_up ? "up" : "down") == 0;
		if (!ok && strcmp(p->static_state, "?") != 0)
			rc_error(p, "BIRD shows %s %s, want %s", p->proto, p->static_state,
				 want_up ? "up" : "down");
		for (size_t b = 0; b < p->nbgp; b++) {
			struct reconcile_bgp_status *g = &p->bgp[b];
			if (g->exported < 0)
				continue;
			if (g->exported != want_up) {
				ok = false;
				rc_error(p, "%s %s exported to %s", p->prefix,
					 g->exported ? "still" : "not", g->proto);
			} else if (want_up && g->drained != (p->desired == RECONCILE_DRAIN)) {
				char dc[BIRDSTATE_NAME_MAX] = "";

				birdstate_const(p->proto, "_DRAIN", dc, sizeof(dc));
				ok = false;
				rc_error(p, "%s exported to %s %s 65535:0 (does its export filter use %s?)",
					 p->prefix, g->proto, g->drained ? "with" : "without", dc);
			}
		}
		p->verified = ok;
		if (ok && !p->verified_at)
			p->verified_at = now;
		if (ok && !p->notified) {
			p->notified = true;
			log_info("reconcile: %s: BIRD shows %s (%.1f ms after the change)",
				 p->prefix, reconcile_state_name(p->desired),
				 (now - p->since) * 1000);
			if (r->on_verified)
				r->on_verified(r->arg, i, p->desired, now);
		}
	}
}

static void rc_export_cb(void *arg, const struct bird_reply *rep)
{
	struct reconcile *r = arg;
	struct rc_prefix *p = &r->p[r->k];
	struct reconcile_bgp_status *g = &p->bgp[r->kb];
	size_t plen = strlen(p->prefix);

	if (rc_reply_lost(r, rep))
		return;
	if (rep->code == 8001) {
		g->exported = g->drained = 0;   /* "Network not found": not exported */
	} else if (rep->code == 0) {
		g->exported = g->drained = 0;
		for (size_t i = 0; i < rep->nlines; i++) {
			const char *t = rep->lines[i].text;
			if (strncmp(t, p->prefix, plen) == 0 && (t[plen] == ' ' || t[plen] == '\t'))
				g->exported = 1;
			if (strstr(t, "BGP.community:") && strstr(t, "(65535,0)"))
				g->drained = 1;
		}
	} else if (rep->code != 9001 || strstr(rep->text, "syntax")) {
		/* 9001 "No valid tables": the session went down meanwhile */
		rc_error(p, "show route export %s: %s", g->proto, rep->text);
	}
	r->kb++;
	rc_step_export(r);
}

/* what every established session exports for each prefix */
static void rc_step_export(struct reconcile *r)
{
	r->step = RC_EXPORT;
	for (; r->k < r->n; r->k++, r->kb = 0) {
		struct rc_prefix *p = &r->p[r->k];
		for (; r->kb < p->nbgp; r->kb++) {
			char cmd[256];
			if (strcmp(p->bgp[r->kb].state, "up") != 0)
				continue;
			snprintf(cmd, sizeof(cmd), "show route export %s %s all",
				 p->bgp[r->kb].proto, p->prefix);
			rc_cmd(r, cmd, rc_export_cb);
			return;
		}
	}
	rc_evaluate(r);
	rc_pass_end(r);
}

static void rc_pass_start(struct reconcile *r)
{
	if (r->step != RC_IDLE) {
		r->pass_again = true;
		return;
	}
	r->pass_again = false;
	r->refreshed = r->fixed = false;
	r->pass_conn = r->conn_gen;
	for (size_t i = 0; i < r->n; i++) {
		r->p[i].pass_gen = r->p[i].gen;
		r->p[i].pass_error[0] = '\0';
		r->p[i].fix_failed = false;
	}
	if (!bird_connected(r->bird)) {
		/* BIRD reads the file when it starts */
		if (rc_file_stale(r))
			rc_write_file(r);
		/* not an error while the first connection is still being made */
		if (r->ever_connected || ev_now(r->loop) - r->created > 2)
			rc_error_all(r, "BIRD", "not connected");
		rc_pass_end(r);
		return;
	}
	r->step = RC_STATUS;
	rc_cmd(r, "show status", rc_status_cb);
}

/* ---- public ---- */

static void rc_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct reconcile *r = w->data;

	if (r->step == RC_IDLE)    /* a slow BIRD must not chain passes */
		rc_pass_start(r);
}

static void rc_bird_state(void *arg, bool connected)
{
	struct reconcile *r = arg;

	/* what was checked before no longer counts */
	r->conn_gen++;
	for (size_t i = 0; i < r->n; i++)
		r->p[i].checked_at = 0;
	if (r->on_bird_state)
		r->on_bird_state(r->arg, connected);
	r->ever_connected |= connected;
	if (connected)
		rc_pass_start(r);
}

static void rc_disable_cb(void *arg, const struct bird_reply *rep)
{
	struct reconcile *r = arg;

	/* the pass that follows checks and retries; only log here */
	if (bird_reply_find(rep, 9) >= 0 || bird_reply_find(rep, 8) >= 0)
		log_debug("reconcile: disable answered %04d", rep->nlines ? rep->lines[0].code : rep->code);
	else
		log_warn("reconcile: disable failed: %s", bird_reply_strerror(rep));
	(void)r;
}

void reconcile_set(struct reconcile *r, size_t i, enum announce_state desired,
		   const char *reason)
{
	struct rc_prefix *p;
	char cmd[256], why[100];

	if (i >= r->n || (unsigned)desired > RECONCILE_ANNOUNCE)
		return;
	p = &r->p[i];
	if (p->desired == desired)
		return;
	log_notice("reconcile: %s: %s -> %s (%s)", p->prefix, reconcile_state_name(p->desired),
		   reconcile_state_name(desired), reason ? reason : "");
	p->desired = desired;
	snprintf(p->reason, sizeof(p->reason), "%s", reason ? reason : "");
	p->since = ev_now(r->loop);
	p->gen++;
	p->applied = p->verified = p->notified = false;
	p->applied_at = p->verified_at = 0;
	if (desired == RECONCILE_WITHDRAW && bird_connected(r->bird)) {
		rc_sanitize(p->reason, why, sizeof(why));
		snprintf(cmd, sizeof(cmd), "disable \"%s\" \"raiz: %s\"", p->proto, why);
		if (bird_cmd_urgent(r->bird, cmd, rc_disable_cb, r) < 0)
			log_warn("reconcile: %s: %s", cmd, strerror(errno));
	}
	rc_pass_start(r);
}

void reconcile_kick(struct reconcile *r)
{
	rc_pass_start(r);
}

static void rc_prefix_free(struct rc_prefix *p)
{
	free(p->prefix);
	free(p->proto);
	if (p->bgp)
		for (size_t b = 0; b < p->nbgp; b++)
			free((char *)p->bgp[b].proto);
	free(p->bgp);
}

void reconcile_free(struct reconcile *r)
{
	if (!r)
		return;
	ev_timer_stop(r->loop, &r->tick);
	bird_free(r->bird);
	for (size_t i = 0; i < r->n; i++)
		rc_prefix_free(&r->p[i]);
	free(r->p);
	free(r->include_path);
	free(r);
}

static int rc_prefix_init(struct rc_prefix *p, const struct reconcile_prefix *c,
			  char *err, size_t errlen)
{
	char canon[64];

	if (!c->prefix || rc_canon_prefix(c->prefix, canon, sizeof(canon)) < 0) {
		snprintf(err, errlen, "'%s' is not a prefix (address/length, no host bits)",
			 c->prefix ? c->prefix : "");
		return -1;
	}
	if (!c->static_proto || !birdstate_name_ok(c->static_proto)) {
		snprintf(err, errlen, "%s: static protocol '%s' is not a BIRD symbol", canon,
			 c->static_proto ? c->static_proto : "");
		return -1;
	}
	p->prefix = strdup(canon);
	p->proto = strdup(c->static_proto);
	p->bgp = calloc(c->nbgp ? c->nbgp : 1, sizeof(*p->bgp));
	if (!p->prefix || !p->proto || !p->bgp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t b = 0; b < c->nbgp; b++) {
		if (!c->bgp_protos[b] || !birdstate_name_ok(c->bgp_protos[b])) {
			snprintf(err, errlen, "%s: BGP protocol '%s' is not a BIRD symbol", canon,
				 c->bgp_protos[b] ? c->bgp_protos[b] : "");
			return -1;
		}
		p->bgp[b].proto = strdup(c->bgp_protos[b]);
		if (!p->bgp[b].proto) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		p->nbgp = b + 1;
		strcpy(p->bgp[b].state, "?");
		p->bgp[b].exported = p->bgp[b].drained = -1;
	}
	strcpy(p->static_state, "?");
	return 0;
}

/* adopt the desired state from the include file, withdrawn when absent */
static void rc_adopt(struct reconcile *r)
{
	struct birdstate_entry *e = calloc(r->n, sizeof(*e));
	char err[256];
	int rc;

	if (!e)
		return;
	for (size_t i = 0; i < r->n; i++)
		e[i].proto = r->p[i].proto;
	rc = birdstate_read(r->include_path, e, r->n, err, sizeof(err));
	if (rc < 0 && errno != ENOENT)
		log_warn("reconcile: %s; starting withdrawn", err);
	for (size_t i = 0; i < r->n; i++) {
		struct rc_prefix *p = &r->p[i];
		if (rc == 0 && e[i].found) {
			p->desired = e[i].withdrawn ? RECONCILE_WITHDRAW :
				     e[i].drain ? RECONCILE_DRAIN : RECONCILE_ANNOUNCE;
			snprintf(p->reason, sizeof(p->reason), "adopted from %s", r->include_path);
		} else {
			p->desired = RECONCILE_WITHDRAW;
			snprintf(p->reason, sizeof(p->reason), "start: no state yet");
		}
		log_info("reconcile: %s: initial state %s (%s)", p->prefix,
			 reconcile_state_name(p->desired), p->reason);
	}
	free(e);
}

struct reconcile *reconcile_new(struct ev_loop *loop, const struct reconcile_config *cfg,
				char *err, size_t errlen)
{
	struct reconcile *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->loop = loop;
	r->created = ev_now(loop);
	r->n = cfg->nprefixes;
	r->interval = cfg->interval > 0 ? cfg->interval : 1;
	r->on_verified = cfg->on_verified;
	r->on_bird_state = cfg->on_bird_state;
	r->arg = cfg->arg;
	r->include_path = strdup(cfg->include_path ? cfg->include_path : "");
	r->p = calloc(r->n ? r->n : 1, sizeof(*r->p));
	if (!r->include_path || !r->p) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (!r->include_path[0] || !cfg->socket_path || !cfg->socket_path[0]) {
		snprintf(err, errlen, "BIRD socket and state file paths are required");
		goto fail;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (rc_prefix_init(&r->p[i], &cfg->prefixes[i], err, errlen) < 0)
			goto fail;
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->p[j].proto, r->p[i].proto) == 0) {
				snprintf(err, errlen, "static protocol %s used for %s and %s",
					 r->p[i].proto, r->p[j].prefix, r->p[i].prefix);
				goto fail;
			}
	}
	rc_adopt(r);
	for (size_t i = 0; i < r->n; i++)
		r->p[i].since = ev_now(loop);
	if (rc_write_file(r) < 0) {
		snprintf(err, errlen, "%s", r->p[0].pass_error);
		goto fail;
	}
	r->step = RC_IDLE;
	ev_timer_init(&r->tick, rc_tick_cb, r->interval, r->interval);
	r->tick.data = r;
	ev_timer_start(loop, &r->tick);
	r->bird = bird_new(loop, cfg->socket_path, rc_bird_state, r);
	if (!r->bird) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	bird_set_timeouts(r->bird, cfg->cmd_timeout > 0 ? cfg->cmd_timeout : 5, 0, 0);
	return r;
fail:
	reconcile_free(r);
	return NULL;
}

size_t reconcile_count(const struct reconcile *r)
{
	return r->n;
}

void reconcile_get(const struct reconcile *r, size_t i, struct reconcile_status *out)
{
	const struct rc_prefix *p;

	memset(out, 0, sizeof(*out));
	if (i >= r->n)
		return;
	p = &r->p[i];
	out->prefix = p->prefix;
	out->static_proto = p->proto;
	out->desired = p->desired;
	snprintf(out->reason, sizeof(out->reason), "%s", p->reason);
	out->since = p->since;
	out->applied = p->applied;
	out->applied_at = p->applied_at;
	out->verified = p->verified;
	out->verified_at = p->verified_at;
	snprintf(out->static_state, sizeof(out->static_state), "%s", p->static_state);
	out->nbgp = p->nbgp;
	out->bgp = p->bgp;
	snprintf(out->last_error, sizeof(out->last_error), "%s", p->last_error);
	out->error_at = p->error_at;
	out->checked_at = p->checked_at;
	out->bird_connected = bird_connected(r->bird);
}

struct bird_client *reconcile_bird(struct reconcile *r)
{
	return r->bird;
}

/* control — see control.h */
#include "dnsd/control.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/ctlsock.h"
#include "common/log.h"
#include "dnsd/reload.h"
#include "dnsd/server.h"
#include "dnsd/snapshot.h"
#include "dnsd/xfrd.h"
#include "dnsd/zoneset.h"

struct control {
	struct ctlsock *sock;
	struct control_env env;
	struct ctlsock_conn *waiting[CTLSOCK_CONN_MAX];   /* owed a reload answer */
	size_t nwaiting;
};

static struct json_object *json_object_new_object_ok(void)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

static const char *const control_rcode_names[16] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13",
	"RCODE14", "RCODE15",
};

static const struct {
	const char *word;
	enum control_cmd cmd;
	int args;		/* 0 none, 1 zone, 2 zone [primary] */
} control_cmds[] = {
	{ "status", CONTROL_STATUS, 0 },
	{ "stats", CONTROL_STATS, 0 },
	{ "reload", CONTROL_RELOAD, 0 },
	{ "zones", CONTROL_ZONES, 0 },
	{ "refresh", CONTROL_REFRESH, 1 },
	{ "retransfer", CONTROL_RETRANSFER, 1 },
	{ "transfer-trial", CONTROL_TRIAL, 2 },
};

static void control_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

enum control_cmd control_parse_req(const char *line, struct control_req *r, char *err,
				   size_t errlen)
{
	memset(r, 0, sizeof *r);
	while (*line == ' ' || *line == '\t')
		line++;
	size_t len = strlen(line);
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (len == 0)
		return r->cmd = CONTROL_NONE;
	char word[32];
	char args[2][1024] = { "", "" };
	if (line[0] == '{') {
		struct json_object *o = ctlsock_json_object(line, len), *cmd = NULL, *v;
		if (!o || !json_object_object_get_ex(o, "command", &cmd) ||
		    !json_object_is_type(cmd, json_type_string)) {
			json_object_put(o);
			snprintf(err, errlen, "expected a command word or {\"command\": \"...\"}");
			return r->cmd = CONTROL_BAD;
		}
		snprintf(word, sizeof word, "%s", json_object_get_string(cmd));
		if (json_object_object_get_ex(o, "zone", &v) && json_object_is_type(v, json_type_string))
			snprintf(args[0], sizeof args[0], "%s", json_object_get_string(v));
		if (json_object_object_get_ex(o, "primary", &v) && json_object_is_type(v, json_type_string))
			snprintf(args[1], sizeof args[1], "%s", json_object_get_string(v));
		json_object_put(o);
	} else {
		const char *p = line, *end = line + len;
		size_t n = strcspn(p, " \t");
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		control_copy(word, sizeof word, p, n);
		p += n;
		for (int i = 0; i < 2 && p < end; i++) {
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			n = strcspn(p, " \t");
			if (n > (size_t)(end - p))
				n = (size_t)(end - p);
			control_copy(args[i], sizeof args[i], p, n);
			p += n;
		}
	}
	for (size_t i = 0; i < sizeof control_cmds / sizeof control_cmds[0]; i++) {
		if (strcmp(word, control_cmds[i].word) != 0)
			continue;
		if (control_cmds[i].args && !args[0][0]) {
			snprintf(err, errlen, "%s needs a zone name", word);
			return r->cmd = CONTROL_BAD;
		}
		snprintf(r->zone, sizeof r->zone, "%s", args[0]);
		control_copy(r->primary, sizeof r->primary, args[1],
			     control_cmds[i].args == 2 ? strlen(args[1]) : 0);
		return r->cmd = control_cmds[i].cmd;
	}
	snprintf(err, errlen, "unknown command \"%s\" (known: status, stats, reload, zones, "
		 "refresh, retransfer, transfer-trial)", word);
	return r->cmd = CONTROL_BAD;
}

enum control_cmd control_parse(const char *line, char *err, size_t errlen)
{
	struct control_req r;
	return control_parse_req(line, &r, err, errlen);
}

static struct json_object *control_json_time(time_t t)
{
	if (t == 0)
		return NULL;
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

static struct json_object *control_json_u64(uint64_t v)
{
	return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

struct json_object *control_status_json(const struct control_env *env,
					const struct snapshot *snap)
{
	struct json_object *o = json_object_new_object();
	time_t now = time(NULL);
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "version", json_object_new_string(env->version));
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(o, "started", control_json_time(env->started));
	json_object_object_add(o, "uptime", json_object_new_int64(now - env->started));
	if (env->server)
		json_object_object_add(o, "workers",
				       json_object_new_int((int)server_workers(env->server)));
	json_object_object_add(o, "generation", control_json_u64(snap->generation));
	json_object_object_add(o, "identity",
			       snap->opts.identity ? json_object_new_string(snap->opts.identity) : NULL);
	struct json_object *ls = json_object_new_array();
	for (size_t i = 0; i < snap->cfg->dnsd.nlisten; i++)
		json_object_array_add(ls, json_object_new_string(snap->cfg->dnsd.listen[i].text));
	json_object_object_add(o, "listen", ls);
	if (env->reload) {
		struct reload_last last;
		reload_last(env->reload, &last);
		json_object_object_add(o, "reloading",
				       json_object_new_boolean(reload_running(env->reload)));
		if (last.done) {
			struct json_object *r = json_object_new_object();
			json_object_object_add(r, "ok", json_object_new_boolean(last.ok));
			json_object_object_add(r, "at", control_json_time(last.at));
			json_object_object_add(r, "message", json_object_new_string(last.msg));
			json_object_object_add(o, "last-reload", r);
		}
	}
	struct json_object *zones = json_object_new_array();
	for (size_t i = 0; i < snap->nzones; i++) {
		struct zoneset_info zi;
		zoneset_info(snap->zs, i, &zi);
		struct json_object *z = json_object_new_object();
		json_object_object_add(z, "name", zi.name ? json_object_new_string(zi.name) : NULL);
		json_object_object_add(z, "loaded", json_object_new_boolean(zi.loaded));
		json_object_object_add(z, "serial", zi.loaded ? json_object_new_int64(zi.serial) : NULL);
		json_object_object_add(z, "records", control_json_u64(zi.records));
		json_object_object_add(z, "error", zi.error ? json_object_new_string(zi.error) : NULL);
		json_object_object_add(z, "loaded-at", control_json_time(snap->zone_loaded_at[i]));
		json_object_object_add(z, "kind", json_object_new_string(zi.secondary ? "secondary" : "file"));
		json_object_object_add(z, "expired", json_object_new_boolean(zi.expired));
		json_object_array_add(zones, z);
	}
	json_object_object_add(o, "zones", zones);
	return o;
}

struct json_object *control_stats_json(const struct server_stats *st)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	struct json_object *q = json_object_new_object();
	json_object_object_add(q, "udp", control_json_u64(st->q.queries[QUERY_UDP]));
	json_object_object_add(q, "tcp", control_json_u64(st->q.queries[QUERY_TCP]));
	json_object_object_add(q, "total",
			       control_json_u64(st->q.queries[QUERY_UDP] + st->q.queries[QUERY_TCP]));
	json_object_object_add(o, "queries", q);
	struct json_object *rc = json_object_new_object();
	for (int i = 0; i < QSTAT_RCODES; i++)
		if (i <= 10 || st->q.rcode[i])
			json_object_object_add(rc, control_rcode_names[i], control_json_u64(st->q.rcode[i]));
	json_object_object_add(o, "rcodes", rc);
	json_object_object_add(o, "badvers", control_json_u64(st->q.badvers));
	json_object_object_add(o, "truncated", control_json_u64(st->q.truncated));
	json_object_object_add(o, "dropped", control_json_u64(st->q.dropped));
	json_object_object_add(o, "edns", control_json_u64(st->q.edns));
	json_object_object_add(o, "do", control_json_u64(st->q.do_bit));
	json_object_object_add(o, "udp-received", control_json_u64(st->udp_received));
	struct json_object *rl = json_object_new_object();
	json_object_object_add(rl, "dropped", control_json_u64(st->q.rrl_dropped));
	json_object_object_add(rl, "slipped", control_json_u64(st->q.rrl_slipped));
	json_object_object_add(rl, "exempted", control_json_u64(st->q.rrl_exempt));
	json_object_object_add(o, "rate-limit", rl);
	struct json_object *ck = json_object_new_object();
	json_object_object_add(ck, "queries", control_json_u64(st->q.cookie));
	json_object_object_add(ck, "valid", control_json_u64(st->q.cookie_valid));
	json_object_object_add(o, "cookies", ck);
	struct json_object *t = json_object_new_object();
	json_object_object_add(t, "accepted", control_json_u64(st->tcp.accepted));
	json_object_object_add(t, "current", control_json_u64(st->tcp.current));
	json_object_object_add(t, "evicted", control_json_u64(st->tcp.evicted));
	json_object_object_add(t, "idle-closed", control_json_u64(st->tcp.idle_closed));
	json_object_object_add(t, "bad-closed", control_json_u64(st->tcp.bad_closed));
	json_object_object_add(o, "tcp", t);
	return o;
}

/* ---- requests ---- */

static void control_trial_done(void *arg, struct json_object *report)
{
	struct ctlsock_conn *c = arg;
	ctlsock_reply(c, report ? json_object_get(report)
				: ctlsock_error("raiz-dnsd is stopping: the trial was abandoned"));
}

static struct json_object *control_request(void *arg, struct ctlsock_conn *c, const char *line)
{
	struct control *ctl = arg;
	char err[640];
	struct control_req rq;

	switch (control_parse_req(line, &rq, err, sizeof err)) {
	case CONTROL_NONE:
		return NULL;
	case CONTROL_BAD:
		return ctlsock_error(err);
	case CONTROL_STATUS: {
		const struct snapshot *snap = snapshot_enter(ctl->env.reader);
		struct json_object *o = control_status_json(&ctl->env, snap);
		snapshot_leave(ctl->env.reader);
		return o;
	}
	case CONTROL_STATS: {
		if (!ctl->env.server)
			return ctlsock_error("no statistics available");
		struct server_stats st;
		server_stats(ctl->env.server, &st);
		return control_stats_json(&st);
	}
	case CONTROL_RELOAD:
		if (!ctl->env.reload)
			return ctlsock_error("reload not available");
		if (ctl->nwaiting == CTLSOCK_CONN_MAX)   /* cannot happen: one per client */
			return ctlsock_error("too many reloads waiting");
		log_notice("reload requested on the control socket");
		if (reload_request(ctl->env.reload, err, sizeof err) < 0)
			return ctlsock_error(err);
		ctl->waiting[ctl->nwaiting++] = ctlsock_defer(c);
		return NULL;
	case CONTROL_ZONES:
		if (!ctl->env.xfrd)
			return ctlsock_error("zone state not available");
		return xfrd_zones_json(ctl->env.xfrd);
	case CONTROL_REFRESH:
	case CONTROL_RETRANSFER:
		if (!ctl->env.xfrd || xfrd_refresh(ctl->env.xfrd, rq.zone,
						  rq.cmd == CONTROL_RETRANSFER, err, sizeof err) < 0)
			return ctlsock_error(ctl->env.xfrd ? err : "zone transfers not available");
		return json_object_new_object_ok();
	case CONTROL_TRIAL:
		if (!ctl->env.xfrd)
			return ctlsock_error("zone transfers not available");
		if (xfrd_trial(ctl->env.xfrd, rq.zone, rq.primary[0] ? rq.primary : NULL,
			       control_trial_done, c, err, sizeof err) < 0)
			return ctlsock_error(err);
		ctlsock_defer(c);
		return NULL;
	}
	return NULL;
}

void control_reload_done(struct control *ctl, bool ok, const char *msg)
{
	if (!ctl)
		return;
	/* answering may hand a waiting client's next "reload" to us again */
	size_t n = ctl->nwaiting;
	struct ctlsock_conn *w[CTLSOCK_CONN_MAX];
	memcpy(w, ctl->waiting, n * sizeof *w);
	ctl->nwaiting = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(ok));
		json_object_object_add(o, ok ? "result" : "error", json_object_new_string(msg));
		ctlsock_reply(w[i], o);
	}
}

struct control *control_new(struct ev_loop *loop, const char *path,
			    const struct control_env *env, char *err, size_t errlen)
{
	struct control *ctl = calloc(1, sizeof *ctl);
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->env = *env;
	ctl->sock = ctlsock_new(loop, path, 0660, "raiz-dnsd", control_request, ctl, err, errlen);
	if (!ctl->sock) {
		free(ctl);
		return NULL;
	}
	log_info("control socket %s", path);
	return ctl;
}

void control_free(struct control *ctl)
{
	if (!ctl)
		return;
	ctlsock_free(ctl->sock);   /* the waiting clients are closed... */
	for (size_t i = 0; i < ctl->nwaiting; i++)
		ctlsock_reply(ctl->waiting[i], NULL);   /* ...and freed here */
	free(ctl);
}

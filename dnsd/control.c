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
#include "dnsd/zoneset.h"

struct control {
	struct ctlsock *sock;
	struct control_env env;
	struct ctlsock_conn *waiting[CTLSOCK_CONN_MAX];   /* owed a reload answer */
	size_t nwaiting;
};

static const char *const control_rcode_names[16] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13",
	"RCODE14", "RCODE15",
};

enum control_cmd control_parse(const char *line, char *err, size_t errlen)
{
	while (*line == ' ' || *line == '\t')
		line++;
	size_t len = strlen(line);
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (len == 0)
		return CONTROL_NONE;
	char word[32];
	if (line[0] == '{') {
		struct json_object *o = ctlsock_json_object(line, len), *cmd = NULL;
		if (!o || !json_object_object_get_ex(o, "command", &cmd) ||
		    !json_object_is_type(cmd, json_type_string)) {
			json_object_put(o);
			snprintf(err, errlen, "expected a command word or {\"command\": \"...\"}");
			return CONTROL_BAD;
		}
		snprintf(word, sizeof word, "%s", json_object_get_string(cmd));
		json_object_put(o);
	} else {
		if (len >= sizeof word)
			len = sizeof word - 1;
		memcpy(word, line, len);
		word[len] = '\0';
	}
	if (strcmp(word, "status") == 0)
		return CONTROL_STATUS;
	if (strcmp(word, "stats") == 0)
		return CONTROL_STATS;
	if (strcmp(word, "reload") == 0)
		return CONTROL_RELOAD;
	snprintf(err, errlen, "unknown command \"%s\" (known: status, stats, reload)", word);
	return CONTROL_BAD;
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

static struct json_object *control_request(void *arg, struct ctlsock_conn *c, const char *line)
{
	struct control *ctl = arg;
	char err[640];

	switch (control_parse(line, err, sizeof err)) {
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

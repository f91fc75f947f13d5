/* control — see control.h */
#include "dnsd/control.h"

#include <errno.h>
#include <ev.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/reload.h"
#include "dnsd/server.h"
#include "dnsd/snapshot.h"
#include "dnsd/zoneset.h"

enum { CONTROL_LINE_MAX = 4096, CONTROL_CLIENTS_MAX = 32 };

struct control_client {
	ev_io io;
	struct control *ctl;
	struct control_client *next;
	int fd;
	bool eof;             /* peer closed its side */
	bool waiting;         /* a reload answer is owed before anything else */
	size_t inlen;
	char in[CONTROL_LINE_MAX];
	char *out;
	size_t outlen, outoff, outcap;
};

struct control {
	struct ev_loop *loop;
	ev_io io;
	int fd;
	char *path;
	struct control_env env;
	struct control_client *clients;
	unsigned nclients;
};

static const char *const rcode_names[16] = {
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
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o = tok ? json_tokener_parse_ex(tok, line, (int)len) : NULL;
		bool complete = tok && json_tokener_get_error(tok) == json_tokener_success &&
				json_tokener_get_parse_end(tok) == len;
		json_tokener_free(tok);
		struct json_object *cmd = NULL;
		if (!o || !complete || !json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "command", &cmd) ||
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

static struct json_object *json_time(time_t t)
{
	if (t == 0)
		return NULL;
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

static struct json_object *json_u64(uint64_t v)
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
	json_object_object_add(o, "started", json_time(env->started));
	json_object_object_add(o, "uptime", json_object_new_int64(now - env->started));
	if (env->server)
		json_object_object_add(o, "workers",
				       json_object_new_int((int)server_workers(env->server)));
	json_object_object_add(o, "generation", json_u64(snap->generation));
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
			json_object_object_add(r, "at", json_time(last.at));
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
		json_object_object_add(z, "records", json_u64(zi.records));
		json_object_object_add(z, "error", zi.error ? json_object_new_string(zi.error) : NULL);
		json_object_object_add(z, "loaded-at", json_time(snap->zone_loaded_at[i]));
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
	json_object_object_add(q, "udp", json_u64(st->q.queries[QUERY_UDP]));
	json_object_object_add(q, "tcp", json_u64(st->q.queries[QUERY_TCP]));
	json_object_object_add(q, "total",
			       json_u64(st->q.queries[QUERY_UDP] + st->q.queries[QUERY_TCP]));
	json_object_object_add(o, "queries", q);
	struct json_object *rc = json_object_new_object();
	for (int i = 0; i < QSTAT_RCODES; i++)
		if (i <= 10 || st->q.rcode[i])
			json_object_object_add(rc, rcode_names[i], json_u64(st->q.rcode[i]));
	json_object_object_add(o, "rcodes", rc);
	json_object_object_add(o, "badvers", json_u64(st->q.badvers));
	json_object_object_add(o, "truncated", json_u64(st->q.truncated));
	json_object_object_add(o, "dropped", json_u64(st->q.dropped));
	json_object_object_add(o, "edns", json_u64(st->q.edns));
	json_object_object_add(o, "do", json_u64(st->q.do_bit));
	json_object_object_add(o, "udp-received", json_u64(st->udp_received));
	struct json_object *t = json_object_new_object();
	json_object_object_add(t, "accepted", json_u64(st->tcp.accepted));
	json_object_object_add(t, "current", json_u64(st->tcp.current));
	json_object_object_add(t, "evicted", json_u64(st->tcp.evicted));
	json_object_object_add(t, "idle-closed", json_u64(st->tcp.idle_closed));
	json_object_object_add(t, "bad-closed", json_u64(st->tcp.bad_closed));
	json_object_object_add(o, "tcp", t);
	return o;
}

/* ---- clients ---- */

static void client_free(struct control_client *c)
{
	struct control *ctl = c->ctl;
	for (struct control_client **p = &ctl->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	ev_io_stop(ctl->loop, &c->io);
	close(c->fd);
	free(c->out);
	free(c);
	ctl->nclients--;
}

static void client_put(struct control_client *c, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s) + 1;
	if (c->outcap - c->outlen < n) {
		size_t cap = c->outcap ? c->outcap : 1024;
		while (cap - c->outlen < n)
			cap *= 2;
		char *nb = realloc(c->out, cap);
		if (!nb) {
			json_object_put(o);
			return;
		}
		c->out = nb;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, s, n - 1);
	c->out[c->outlen + n - 1] = '\n';
	c->outlen += n;
	json_object_put(o);
}

static void client_error(struct control_client *c, const char *msg)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	client_put(c, o);
}

static void client_request(struct control_client *c, const char *line)
{
	struct control *ctl = c->ctl;
	char err[640];
	switch (control_parse(line, err, sizeof err)) {
	case CONTROL_NONE:
		return;
	case CONTROL_BAD:
		client_error(c, err);
		return;
	case CONTROL_STATUS: {
		const struct snapshot *snap = snapshot_enter(ctl->env.reader);
		struct json_object *o = control_status_json(&ctl->env, snap);
		snapshot_leave(ctl->env.reader);
		client_put(c, o);
		return;
	}
	case CONTROL_STATS: {
		if (!ctl->env.server) {
			client_error(c, "no statistics available");
			return;
		}
		struct server_stats st;
		server_stats(ctl->env.server, &st);
		client_put(c, control_stats_json(&st));
		return;
	}
	case CONTROL_RELOAD:
		if (!ctl->env.reload) {
			client_error(c, "reload not available");
			return;
		}
		log_notice("reload requested on the control socket");
		int rc = reload_request(ctl->env.reload, err, sizeof err);
		if (rc < 0) {
			client_error(c, err);
			return;
		}
		c->waiting = true;
		return;
	}
}

/* the client's events follow its state; false when it was freed */
static bool client_update(struct control_client *c)
{
	if (c->outoff == c->outlen && (c->eof && !c->waiting)) {
		client_free(c);
		return false;
	}
	int ev = 0;
	if (!c->eof && !c->waiting)
		ev |= EV_READ;
	if (c->outoff < c->outlen)
		ev |= EV_WRITE;
	if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == ev)
		return true;
	ev_io_stop(c->ctl->loop, &c->io);
	ev_io_set(&c->io, c->fd, ev);
	if (ev)
		ev_io_start(c->ctl->loop, &c->io);
	return true;
}

/* handle the complete lines in the input buffer, stopping at a reload */
static void client_lines(struct control_client *c)
{
	size_t start = 0;
	while (!c->waiting) {
		char *nl = memchr(c->in + start, '\n', c->inlen - start);
		if (!nl)
			break;
		*nl = '\0';
		client_request(c, c->in + start);
		start = (size_t)(nl - c->in) + 1;
	}
	memmove(c->in, c->in + start, c->inlen - start);
	c->inlen -= start;
	if (c->inlen == sizeof c->in) {
		client_error(c, "request line too long");
		c->inlen = 0;
		c->eof = true;
	}
}

static bool client_flush(struct control_client *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n > 0) {
			c->outoff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		client_free(c);
		return false;
	}
	c->outoff = c->outlen = 0;
	return true;
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct control_client *c = w->data;
	(void)loop;
	if (revents & EV_READ) {
		ssize_t n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
		if (n > 0)
			c->inlen += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK))
			c->eof = true;
		client_lines(c);
	}
	if (!client_flush(c))
		return;
	client_update(c);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct control *ctl = w->data;
	(void)revents;
	int fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct control_client *c = NULL;
	if (ctl->nclients >= CONTROL_CLIENTS_MAX || !(c = calloc(1, sizeof *c))) {
		log_warn("control: too many clients, refusing one");
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->nclients++;
	ev_io_init(&c->io, client_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(loop, &c->io);
}

void control_reload_done(struct control *ctl, bool ok, const char *msg)
{
	if (!ctl)
		return;
	struct control_client *c = ctl->clients, *next;
	for (; c; c = next) {
		next = c->next;
		if (!c->waiting)
			continue;
		c->waiting = false;
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(ok));
		json_object_object_add(o, ok ? "result" : "error", json_object_new_string(msg));
		client_put(c, o);
		client_lines(c);
		if (client_flush(c))
			client_update(c);
	}
}

/* ---- the listening socket ---- */

static int socket_in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int used = connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0;
	close(fd);
	return used;
}

struct control *control_new(struct ev_loop *loop, const char *path,
			    const struct control_env *env, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control socket %s exists and is not a socket", path);
			return NULL;
		}
		if (socket_in_use(&sun)) {
			snprintf(err, errlen, "control socket %s is in use: is raiz-dnsd already running?",
				 path);
			return NULL;
		}
		unlink(path);
	}
	struct control *ctl = calloc(1, sizeof *ctl);
	if (!ctl || !(ctl->path = strdup(path))) {
		free(ctl);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old = umask(0117);
	int rc = ctl->fd < 0 ? -1 : bind(ctl->fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc != 0 || chmod(path, 0660) != 0 || listen(ctl->fd, 16) != 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (ctl->fd >= 0)
			close(ctl->fd);
		if (rc == 0)
			unlink(path);
		free(ctl->path);
		free(ctl);
		return NULL;
	}
	ctl->loop = loop;
	ctl->env = *env;
	ev_io_init(&ctl->io, accept_cb, ctl->fd, EV_READ);
	ctl->io.data = ctl;
	ev_io_start(loop, &ctl->io);
	log_info("control socket %s", path);
	return ctl;
}

void control_free(struct control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	ev_io_stop(ctl->loop, &ctl->io);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

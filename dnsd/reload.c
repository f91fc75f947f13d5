/* reload — see reload.h */
#include "dnsd/reload.h"

#include <ev.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "dnsd/server.h"
#include "dnsd/snapshot.h"
#include "dnsd/zoneset.h"

struct reload {
	struct ev_loop *loop;
	struct snapshot_rcu *rcu;
	char *path;
	const struct raiz_config *running;
	struct server *srv;             /* listen addresses follow the file */
	bool pin_log_level;
	reload_done_fn done;
	void *arg;
	ev_async finished;
	pthread_t thread;
	bool busy;             /* a build thread exists (main thread's view) */
	bool again;            /* another request arrived meanwhile */
	struct raiz_config *next;
	/* written by the thread before ev_async_send, read after */
	bool ok;
	char msg[512];
	struct reload_last last;
};

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int reload_check_static(const struct raiz_config *running, const struct raiz_config *next)
{
	const struct cfg_dnsd *a = &running->dnsd, *b = &next->dnsd;
	int n = 0;
	if (a->workers != b->workers && ++n)
		log_warn("reload: workers changed (%u -> %u); needs a restart", a->workers, b->workers);
	if (a->rrl.table_size != b->rrl.table_size && ++n)
		log_warn("reload: rate-limit.table-size changed; needs a restart");
	if (a->tcp_max_connections != b->tcp_max_connections && ++n)
		log_warn("reload: tcp-max-connections changed; needs a restart");
	if (!str_eq(a->control_socket, b->control_socket) && ++n)
		log_warn("reload: control-socket changed; needs a restart");
	if (!str_eq(a->pidfile, b->pidfile) && ++n)
		log_warn("reload: pidfile changed; needs a restart");
	if (!str_eq(a->user, b->user) && ++n)
		log_warn("reload: user changed; needs a restart");
	if (!str_eq(running->node.run_dir, next->node.run_dir) && ++n)
		log_warn("reload: run-dir changed; needs a restart");
	if (running->node.syslog != next->node.syslog && ++n)
		log_warn("reload: syslog changed; needs a restart");
	return n;
}

/* the cookie secrets of the next configuration: a random one (no secret
 * configured) keeps the running secret; a new secret makes the running
 * one the previous, still accepted until the secret changes again */
static void reload_cookie(struct cfg_dnsd *next, const struct cfg_dnsd *run)
{
	if (next->cookie_secret_random) {
		memcpy(next->cookie_secret, run->cookie_secret, sizeof next->cookie_secret);
		next->cookie_secret_random = run->cookie_secret_random;
	}
	if (memcmp(next->cookie_secret, run->cookie_secret, sizeof next->cookie_secret) != 0) {
		memcpy(next->cookie_previous, run->cookie_secret, sizeof next->cookie_previous);
		next->cookie_previous_set = true;
		log_notice("reload: new cookie secret; the previous one is still accepted");
	} else {
		memcpy(next->cookie_previous, run->cookie_previous, sizeof next->cookie_previous);
		next->cookie_previous_set = run->cookie_previous_set;
	}
}

static void *reload_thread(void *arg)
{
	struct reload *r = arg;
	pthread_setname_np(pthread_self(), "reload");
	struct raiz_config *cfg = r->next;
	r->next = NULL;
	struct snapshot *prev = snapshot_current(r->rcu);
	reload_cookie(&cfg->dnsd, &prev->cfg->dnsd);
	struct zoneset *zs = zoneset_build(cfg, prev->zs);
	if (!zs) {
		config_free(cfg);
		r->ok = false;
		snprintf(r->msg, sizeof r->msg, "building the zone set failed; keeping the running one");
		ev_async_send(r->loop, &r->finished);
		return NULL;
	}
	struct snapshot *snap = snapshot_new(cfg, true, zs, prev);
	if (!snap) {
		r->ok = false;
		snprintf(r->msg, sizeof r->msg, "out of memory; keeping the running configuration");
		ev_async_send(r->loop, &r->finished);
		return NULL;
	}
	size_t nz = zoneset_count(zs), loaded = 0, failed = 0;
	for (size_t i = 0; i < nz; i++) {
		struct zoneset_info zi;
		zoneset_info(zs, i, &zi);
		loaded += zi.loaded;
		failed += zi.error != NULL;
	}
	uint64_t epoch;
	struct snapshot *old = snapshot_publish(r->rcu, snap, &epoch);
	snapshot_synchronize(r->rcu, epoch);
	snapshot_free(old);
	/* the C library keeps what the build and the old version freed in
	 * its arenas (this thread's among them): give it back, so that
	 * reloads do not leave the daemon at its reload peak */
	malloc_trim(0);
	r->ok = true;
	snprintf(r->msg, sizeof r->msg,
		 "generation %llu, %zu zone%s served, %zu with load errors",
		 (unsigned long long)snap->generation, loaded, loaded == 1 ? "" : "s", failed);
	ev_async_send(r->loop, &r->finished);
	return NULL;
}

static int reload_begin(struct reload *r, char *err, size_t errlen)
{
	struct raiz_config *cfg = NULL;
	char e[512];
	log_notice("reload: reading %s", r->path);
	if (config_load(r->path, &cfg, e, sizeof e) != 0) {
		log_err("reload refused: %s; keeping the running configuration", e);
		snprintf(err, errlen, "%s", e);
		r->last.done = true;
		r->last.ok = false;
		r->last.at = time(NULL);
		snprintf(r->last.msg, sizeof r->last.msg, "refused: %s", e);
		return -1;
	}
	reload_check_static(r->running, cfg);
	if (r->srv)
		server_listen_update(r->srv, &cfg->dnsd);
	if (!r->pin_log_level)
		log_set_level(cfg->node.log_level);
	r->next = cfg;
	sdnotify("RELOADING=1");
	/* the build thread takes no signals */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&r->thread, NULL, reload_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		config_free(cfg);
		r->next = NULL;
		snprintf(err, errlen, "cannot start the reload thread: %s", strerror(rc));
		log_err("reload failed: %s", err);
		sdnotify("READY=1");
		return -1;
	}
	r->busy = true;
	return 0;
}

static void finished_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct reload *r = w->data;
	(void)loop;
	(void)revents;
	if (!r->busy)
		return;
	pthread_join(r->thread, NULL);
	r->busy = false;
	if (r->ok)
		log_notice("reload done: %s", r->msg);
	else
		log_err("reload failed: %s", r->msg);
	r->last.done = true;
	r->last.ok = r->ok;
	r->last.at = time(NULL);
	snprintf(r->last.msg, sizeof r->last.msg, "%s", r->msg);
	sdnotify("READY=1");
	if (r->again) {
		r->again = false;
		char err[512];
		if (reload_begin(r, err, sizeof err) == 0)
			return;
		if (r->done)
			r->done(r->arg, false, err);
		return;
	}
	if (r->done)
		r->done(r->arg, r->ok, r->msg);
}

struct reload *reload_new(struct ev_loop *loop, struct snapshot_rcu *rcu,
			  const char *config_path, const struct raiz_config *running,
			  bool pin_log_level, reload_done_fn done, void *arg)
{
	struct reload *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->path = strdup(config_path);
	if (!r->path) {
		free(r);
		return NULL;
	}
	r->loop = loop;
	r->rcu = rcu;
	r->running = running;
	r->pin_log_level = pin_log_level;
	r->done = done;
	r->arg = arg;
	ev_async_init(&r->finished, finished_cb);
	r->finished.data = r;
	ev_async_start(loop, &r->finished);
	return r;
}

void reload_free(struct reload *r)
{
	if (!r)
		return;
	if (r->busy) {
		pthread_join(r->thread, NULL);
		r->busy = false;
	}
	ev_async_stop(r->loop, &r->finished);
	free(r->path);
	free(r);
}

int reload_request(struct reload *r, char *err, size_t errlen)
{
	if (r->busy) {
		r->again = true;
		log_notice("reload: already running; another one follows it");
		return 1;
	}
	return reload_begin(r, err, errlen);
}

void reload_set_server(struct reload *r, struct server *srv)
{
	r->srv = srv;
}

bool reload_running(const struct reload *r)
{
	return r->busy;
}

void reload_last(const struct reload *r, struct reload_last *out)
{
	*out = r->last;
}

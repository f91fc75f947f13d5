/*
 * reload — re-read the configuration and the zones without stopping.
 *
 * Contract: reload_request() (main thread) reads the configuration file
 * again with config_load().  A file that does not load is refused: the
 * running state is kept, "reload refused: file:line: reason; keeping the
 * running configuration" is logged and -1 returned with the reason in err.
 * Otherwise a background thread builds the new zone set (the previous one
 * as `prev`, so zones that fail keep their previous version and unchanged
 * files are not parsed again), publishes the new snapshot with one atomic
 * swap and frees the old one once no worker can see it; then `done` is
 * called in the main loop.  Workers answer throughout: no query is lost.
 * A request during a running reload is queued (at most one) and 1 is
 * returned.  Listen addresses added or removed take effect at once
 * (server_listen_update(), with the server given by reload_set_server()).
 * Settings that need a restart (workers, sockets, pidfile, user, TCP
 * connection limit) are compared with the running ones and a warning is
 * logged when they differ; the new log level applies at once unless it
 * was pinned with -d.
 */
#ifndef RAIZ_DNSD_RELOAD_H
#define RAIZ_DNSD_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ev_loop;
struct raiz_config;
struct snapshot_rcu;
struct reload;

/* called in the main loop when a reload finished: ok, and a summary */
typedef void (*reload_done_fn)(void *arg, bool ok, const char *msg);

struct reload *reload_new(struct ev_loop *loop, struct snapshot_rcu *rcu,
			  const char *config_path, const struct raiz_config *running,
			  bool pin_log_level, reload_done_fn done, void *arg);
struct server;
void reload_set_server(struct reload *r, struct server *srv);
/* waits for a running reload to finish */
void reload_free(struct reload *r);

int reload_request(struct reload *r, char *err, size_t errlen);
bool reload_running(const struct reload *r);

struct reload_last {
	bool done;          /* a reload has finished or been refused */
	bool ok;
	time_t at;
	char msg[640];
};
void reload_last(const struct reload *r, struct reload_last *out);

/* logs a warning for each setting that differs and needs a restart;
 * returns how many */
int reload_check_static(const struct raiz_config *running, const struct raiz_config *next);

#endif

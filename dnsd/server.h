/*
 * server — the listening sockets and the worker threads that answer.
 *
 * Contract: server_new() binds every configured listen address, UDP and
 * TCP, once per worker (SO_REUSEPORT), so it must run before privileges
 * are dropped; it fails as a whole with a message in err.  Worker i reads
 * snapshots through reader slot i of `rcu` (the rcu needs at least
 * cfg->dnsd.workers slots).  server_start() starts one thread per worker,
 * each with its own libev loop, UDP sockets and TCP listeners;
 * server_stop() stops and joins them.  The server owns the response
 * rate-limiting table (dnsd/rrl.h) its workers share; its size
 * (rate-limit.table-size) is fixed for the server's life, the limits come
 * from each snapshot's configuration.  server_stats() sums the workers'
 * counters (updated by each worker once per loop iteration).
 * server_listen_update() (main thread, after a reload read the
 * configuration) opens the listen addresses that are new, per worker, and
 * hands them to the workers, which also close those no longer listed;
 * an address that cannot be bound (in use, or a port below 1024 once the
 * privileges are dropped) is logged and left out, the others go on; it
 * returns how many failed.  The worker count and TCP connection limit are
 * fixed for the server's life.
 */
#ifndef RAIZ_DNSD_SERVER_H
#define RAIZ_DNSD_SERVER_H

#include <stddef.h>

#include "dnsd/query.h"
#include "dnsd/tcp.h"

struct raiz_config;
struct snapshot_rcu;
struct server;

struct server_stats {
	struct query_stats q;
	struct tcp_stats tcp;
	uint64_t udp_received;
};

struct server *server_new(const struct raiz_config *cfg, struct snapshot_rcu *rcu,
			  char *err, size_t errlen);
int server_start(struct server *srv, char *err, size_t errlen);
void server_stop(struct server *srv);
void server_free(struct server *srv);
unsigned server_workers(const struct server *srv);
struct cfg_dnsd;
int server_listen_update(struct server *srv, const struct cfg_dnsd *d);
void server_stats(struct server *srv, struct server_stats *sum);

#endif

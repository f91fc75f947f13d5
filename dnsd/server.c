/* server — see server.h */
#include "dnsd/server.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/rrl.h"
#include "dnsd/snapshot.h"
#include "dnsd/udp.h"

enum { UDP_ROUNDS = 8 };   /* batches per wakeup before other sockets get a turn */

struct worker;

/* one listen address in one worker: its UDP socket and its TCP listener */
struct wsock {
	ev_io io;                      /* UDP */
	int fd;
	bool pktinfo;
	int tcp_fd;
	struct tcp_listener tl;
	struct cfg_addr addr;
	struct worker *w;
	struct wsock *next;
};

struct worker {
	unsigned id;
	struct server *srv;
	pthread_t thread;
	bool started;
	struct ev_loop *loop;
	ev_async stop;
	ev_async relisten;             /* the inbox below has changes */
	ev_prepare publish;
	struct snapshot_reader *reader;
	struct udp_batch *batch;
	struct wsock *socks;           /* served; touched only by the worker's thread */
	struct tcp_ctx *tcp;
	/* private counters, and the copy other threads read */
	struct query_stats qs;
	struct tcp_stats ts;
	uint64_t udp_received;
	pthread_mutex_t lock;          /* pub and the inbox */
	struct server_stats pub;
	struct wsock *add;             /* inbox: sockets to serve */
	struct cfg_addr *drop;         /* inbox: addresses to close */
	size_t ndrop;
};

struct server {
	unsigned nworkers;
	struct worker *w;
	struct rrl *rrl;               /* shared by the workers */
	struct cfg_addr *addrs;        /* listened on now (main thread) */
	size_t naddr;
};

static bool addr_same(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return a->family == b->family && a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

static void udp_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct wsock *u = io->data;
	struct worker *w = u->w;
	(void)loop;
	(void)revents;
	const struct snapshot *snap = snapshot_enter(w->reader);
	w->udp_received += udp_serve(u->fd, (const struct sockaddr *)&u->addr.ss, u->pktinfo,
				     w->batch, snap, w->srv->rrl, &w->qs, UDP_ROUNDS);
	snapshot_leave(w->reader);
}

static void wsock_free(struct wsock *k)
{
	if (k->fd >= 0)
		close(k->fd);
	if (k->tcp_fd >= 0)
		close(k->tcp_fd);
	free(k);
}

/* UDP and TCP sockets for addr, for worker w (not served yet) */
static struct wsock *wsock_open(struct worker *w, const struct cfg_addr *addr, char *err,
				size_t errlen)
{
	struct wsock *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->w = w;
	k->addr = *addr;
	k->tcp_fd = -1;
	k->fd = udp_open(addr, &k->pktinfo, err, errlen);
	if (k->fd >= 0)
		k->tcp_fd = tcp_listen_open(addr, err, errlen);
	if (k->fd < 0 || k->tcp_fd < 0) {
		wsock_free(k);
		return NULL;
	}
	return k;
}

/* serve k in w's loop (w's thread, or before it starts) */
static void wsock_serve(struct worker *w, struct wsock *k)
{
	ev_io_init(&k->io, udp_cb, k->fd, EV_READ);
	k->io.data = k;
	ev_io_start(w->loop, &k->io);
	tcp_listener_start(w->tcp, &k->tl, k->tcp_fd);
	k->next = w->socks;
	w->socks = k;
}

static void wsock_unserve(struct worker *w, struct wsock *k)
{
	ev_io_stop(w->loop, &k->io);
	tcp_listener_stop(&k->tl);
	wsock_free(k);
}

static void stop_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)a;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* the main thread changed the listen addresses: take them from the inbox */
static void relisten_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	struct worker *w = a->data;
	(void)loop;
	(void)revents;
	pthread_mutex_lock(&w->lock);
	struct wsock *add = w->add;
	struct cfg_addr *drop = w->drop;
	size_t ndrop = w->ndrop;
	w->add = NULL;
	w->drop = NULL;
	w->ndrop = 0;
	pthread_mutex_unlock(&w->lock);
	for (size_t i = 0; i < ndrop; i++)
		for (struct wsock **pp = &w->socks; *pp; pp = &(*pp)->next)
			if (addr_same(&(*pp)->addr, &drop[i])) {
				struct wsock *k = *pp;
				*pp = k->next;
				wsock_unserve(w, k);
				break;
			}
	free(drop);
	while (add) {
		struct wsock *k = add;
		add = k->next;
		wsock_serve(w, k);
	}
}

/* before the loop sleeps: make this iteration's counters visible */
static void publish_cb(struct ev_loop *loop, ev_prepare *p, int revents)
{
	struct worker *w = p->data;
	(void)loop;
	(void)revents;
	pthread_mutex_lock(&w->lock);
	w->pub.q = w->qs;
	w->pub.tcp = w->ts;
	w->pub.udp_received = w->udp_received;
	pthread_mutex_unlock(&w->lock);
}

static void worker_close(struct worker *w)
{
	while (w->socks) {
		struct wsock *k = w->socks;
		w->socks = k->next;
		wsock_unserve(w, k);
	}
	while (w->add) {
		struct wsock *k = w->add;
		w->add = k->next;
		wsock_free(k);
	}
	free(w->drop);
	w->drop = NULL;
	tcp_ctx_free(w->tcp);
	w->tcp = NULL;
	if (w->loop) {
		ev_async_stop(w->loop, &w->stop);
		ev_async_stop(w->loop, &w->relisten);
		ev_prepare_stop(w->loop, &w->publish);
		ev_loop_destroy(w->loop);
		w->loop = NULL;
	}
	udp_batch_free(w->batch);
	pthread_mutex_destroy(&w->lock);
	w->batch = NULL;
}

static int worker_init(struct server *srv, struct worker *w, unsigned id,
		       const struct raiz_config *cfg, struct snapshot_rcu *rcu,
		       char *err, size_t errlen)
{
	const struct cfg_dnsd *d = &cfg->dnsd;
	w->id = id;
	w->srv = srv;
	pthread_mutex_init(&w->lock, NULL);
	w->reader = snapshot_rcu_reader(rcu, id);
	w->loop = ev_loop_new(EVFLAG_AUTO);
	w->batch = udp_batch_new();
	unsigned nw = srv->nworkers;
	unsigned maxc = (d->tcp_max_connections + nw - 1) / nw;
	if (w->loop)
		w->tcp = tcp_ctx_new(w->loop, NULL, 0, w->reader, &w->qs, &w->ts, maxc ? maxc : 1);
	if (!w->reader || !w->loop || !w->batch || !w->tcp) {
		snprintf(err, errlen, "worker %u: out of memory", id);
		return -1;
	}
	ev_async_init(&w->stop, stop_cb);
	ev_async_start(w->loop, &w->stop);
	ev_async_init(&w->relisten, relisten_cb);
	w->relisten.data = w;
	ev_async_start(w->loop, &w->relisten);
	ev_prepare_init(&w->publish, publish_cb);
	w->publish.data = w;
	ev_prepare_start(w->loop, &w->publish);
	return 0;
}

/* sockets for addr in every worker, chained through next in k[] order;
 * 0, or -1 with the reason in err (nothing left open) */
static int server_open_addr(struct server *srv, const struct cfg_addr *addr,
			    struct wsock **k, char *err, size_t errlen)
{
	char e[256];
	for (unsigned i = 0; i < srv->nworkers; i++) {
		k[i] = wsock_open(&srv->w[i], addr, e, sizeof e);
		if (!k[i]) {
			snprintf(err, errlen, "%s", e);
			while (i--)
				wsock_free(k[i]);
			return -1;
		}
	}
	return 0;
}

struct server *server_new(const struct raiz_config *cfg, struct snapshot_rcu *rcu,
			  char *err, size_t errlen)
{
	struct server *srv = calloc(1, sizeof *srv);
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->nworkers = cfg->dnsd.workers ? cfg->dnsd.workers : 1;
	srv->w = calloc(srv->nworkers, sizeof *srv->w);
	/* allocated even when rate limiting is off, so that a reload can
	 * turn it on; its size is fixed until a restart */
	srv->rrl = rrl_new(cfg->dnsd.rrl.table_size ? cfg->dnsd.rrl.table_size : 1024);
	srv->addrs = calloc(cfg->dnsd.nlisten ? cfg->dnsd.nlisten : 1, sizeof *srv->addrs);
	struct wsock **k = calloc(srv->nworkers, sizeof *k);
	unsigned inited = 0;
	if (!srv->w || !srv->rrl || !srv->addrs || !k) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (; inited < srv->nworkers; inited++) {
		if (worker_init(srv, &srv->w[inited], inited, cfg, rcu, err, errlen) != 0) {
			inited++;
			goto fail;
		}
	}
	for (size_t a = 0; a < cfg->dnsd.nlisten; a++) {
		if (server_open_addr(srv, &cfg->dnsd.listen[a], k, err, errlen) != 0)
			goto fail;
		for (unsigned i = 0; i < srv->nworkers; i++)
			wsock_serve(&srv->w[i], k[i]);
		srv->addrs[srv->naddr++] = cfg->dnsd.listen[a];
		log_notice("listening on %s (udp, tcp), %u worker%s", cfg->dnsd.listen[a].text,
			   srv->nworkers, srv->nworkers == 1 ? "" : "s");
	}
	free(k);
	const struct cfg_rrl *r = &cfg->dnsd.rrl;
	if (r->rate)
		log_info("rate limit: %u responses/s per /%u or /%u and answer, slip %u, window %u s, "
			 "%zu buckets, %zu exempt prefix%s", r->rate, r->ipv4_prefix, r->ipv6_prefix,
			 r->slip, r->window, rrl_size(srv->rrl), r->nexempt,
			 r->nexempt == 1 ? "" : "es");
	else
		log_info("rate limit: off (%zu buckets ready for a reload)", rrl_size(srv->rrl));
	return srv;
fail:
	for (unsigned i = 0; i < inited; i++)
		worker_close(&srv->w[i]);
	free(k);
	free(srv->w);
	free(srv->addrs);
	rrl_free(srv->rrl);
	free(srv);
	return NULL;
}

int server_listen_update(struct server *srv, const struct cfg_dnsd *d)
{
	int failed = 0;
	char err[256];
	struct cfg_addr *keep = calloc(srv->naddr + d->nlisten + 1, sizeof *keep);
	struct wsock **k = calloc(srv->nworkers, sizeof *k);
	if (!keep || !k) {
		free(keep);
		free(k);
		log_err("reload: out of memory; listen addresses unchanged");
		return -1;
	}
	size_t nkeep = 0;
	/* gone from the configuration: every worker closes its sockets */
	for (size_t a = 0; a < srv->naddr; a++) {
		bool wanted = false;
		for (size_t i = 0; i < d->nlisten && !wanted; i++)
			wanted = addr_same(&srv->addrs[a], &d->listen[i]);
		if (wanted) {
			keep[nkeep++] = srv->addrs[a];
			continue;
		}
		for (unsigned i = 0; i < srv->nworkers; i++) {
			struct worker *w = &srv->w[i];
			pthread_mutex_lock(&w->lock);
			struct cfg_addr *nd = realloc(w->drop, (w->ndrop + 1) * sizeof *nd);
			if (nd) {
				nd[w->ndrop++] = srv->addrs[a];
				w->drop = nd;
			}
			pthread_mutex_unlock(&w->lock);
		}
		log_notice("reload: no longer listening on %s", srv->addrs[a].text);
	}
	/* new: sockets opened here, served by every worker */
	for (size_t i = 0; i < d->nlisten; i++) {
		bool have = false;
		for (size_t a = 0; a < srv->naddr && !have; a++)
			have = addr_same(&srv->addrs[a], &d->listen[i]);
		if (have)
			continue;
		if (server_open_addr(srv, &d->listen[i], k, err, sizeof err) != 0) {
			log_err("reload: cannot listen on %s: %s%s; not served until this is fixed "
				"(or after a restart, for a port below 1024)", d->listen[i].text, err,
				strstr(err, "ermission") ? " (the daemon no longer has the privilege "
				"to bind ports below 1024)" : "");
			failed++;
			continue;
		}
		for (unsigned j = 0; j < srv->nworkers; j++) {
			struct worker *w = &srv->w[j];
			pthread_mutex_lock(&w->lock);
			k[j]->next = w->add;
			w->add = k[j];
			pthread_mutex_unlock(&w->lock);
		}
		keep[nkeep++] = d->listen[i];
		log_notice("reload: listening on %s (udp, tcp), %u worker%s", d->listen[i].text,
			   srv->nworkers, srv->nworkers == 1 ? "" : "s");
	}
	for (unsigned i = 0; i < srv->nworkers; i++)
		if (srv->w[i].started)
			ev_async_send(srv->w[i].loop, &srv->w[i].relisten);
		else
			relisten_cb(srv->w[i].loop, &srv->w[i].relisten, 0);
	free(srv->addrs);
	srv->addrs = keep;
	srv->naddr = nkeep;
	free(k);
	return failed;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	/* named for top -H, ps -L and perf: "worker/0", ... */
	snprintf(name, sizeof name, "worker/%u", (unsigned)(w - w->srv->w));
	pthread_setname_np(pthread_self(), name);
	ev_run(w->loop, 0);
	return NULL;
}

int server_start(struct server *srv, char *err, size_t errlen)
{
	/* workers take no signals: the main loop handles them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = 0;
	for (unsigned i = 0; i < srv->nworkers && rc == 0; i++) {
		struct worker *w = &srv->w[i];
		rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc != 0)
			snprintf(err, errlen, "starting worker %u: %s", i, strerror(rc));
		else
			w->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		server_stop(srv);
		return -1;
	}
	return 0;
}

void server_stop(struct server *srv)
{
	for (unsigned i = 0; i < srv->nworkers; i++)
		if (srv->w[i].started)
			ev_async_send(srv->w[i].loop, &srv->w[i].stop);
	for (unsigned i = 0; i < srv->nworkers; i++) {
		if (srv->w[i].started)
			pthread_join(srv->w[i].thread, NULL);
		srv->w[i].started = false;
	}
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	server_stop(srv);
	for (unsigned i = 0; i < srv->nworkers; i++)
		worker_close(&srv->w[i]);
	free(srv->w);
	free(srv->addrs);
	rrl_free(srv->rrl);
	free(srv);
}

unsigned server_workers(const struct server *srv)
{
	return srv->nworkers;
}

static void add_counters(uint64_t *sum, const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum[i] += v[i];
}

void server_stats(struct server *srv, struct server_stats *sum)
{
	memset(sum, 0, sizeof *sum);
	for (unsigned i = 0; i < srv->nworkers; i++) {
		struct worker *w = &srv->w[i];
		pthread_mutex_lock(&w->lock);
		/* both structs hold only uint64_t counters */
		add_counters((uint64_t *)&sum->q, (const uint64_t *)&w->pub.q,
			     sizeof sum->q / sizeof(uint64_t));
		add_counters((uint64_t *)&sum->tcp, (const uint64_t *)&w->pub.tcp,
			     sizeof sum->tcp / sizeof(uint64_t));
		sum->udp_received += w->pub.udp_received;
		pthread_mutex_unlock(&w->lock);
	}
}

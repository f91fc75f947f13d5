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

struct udp_sock {
	ev_io io;
	int fd;
	bool pktinfo;
	struct sockaddr_storage local; /* the listen address */
	struct worker *w;
};

struct worker {
	unsigned id;
	struct server *srv;
	pthread_t thread;
	bool started;
	struct ev_loop *loop;
	ev_async stop;
	ev_prepare publish;
	struct snapshot_reader *reader;
	struct udp_batch *batch;
	struct udp_sock *udp;          /* one per listen address */
	int *tcp_fds;                  /* one per listen address */
	struct tcp_ctx *tcp;
	/* private counters, and the copy other threads read */
	struct query_stats qs;
	struct tcp_stats ts;
	uint64_t udp_received;
	pthread_mutex_t lock;
	struct server_stats pub;
};

struct server {
	unsigned nworkers;
	size_t naddr;
	struct worker *w;
	struct rrl *rrl;               /* shared by the workers */
};

static void udp_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct udp_sock *u = io->data;
	struct worker *w = u->w;
	(void)loop;
	(void)revents;
	const struct snapshot *snap = snapshot_enter(w->reader);
	w->udp_received += udp_serve(u->fd, (const struct sockaddr *)&u->local, u->pktinfo, w->batch, snap, w->srv->rrl,
				     &w->qs, UDP_ROUNDS);
	snapshot_leave(w->reader);
}

static void stop_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)a;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
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

static void worker_close(struct worker *w, size_t naddr)
{
	tcp_ctx_free(w->tcp);
	w->tcp = NULL;
	for (size_t a = 0; a < naddr; a++) {
		if (w->udp && w->udp[a].fd >= 0) {
			if (w->loop)
				ev_io_stop(w->loop, &w->udp[a].io);
			close(w->udp[a].fd);
		}
		if (w->tcp_fds && w->tcp_fds[a] >= 0)
			close(w->tcp_fds[a]);
	}
	if (w->loop) {
		ev_async_stop(w->loop, &w->stop);
		ev_prepare_stop(w->loop, &w->publish);
		ev_loop_destroy(w->loop);
		w->loop = NULL;
	}
	free(w->udp);
	free(w->tcp_fds);
	udp_batch_free(w->batch);
	pthread_mutex_destroy(&w->lock);
	w->udp = NULL;
	w->tcp_fds = NULL;
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
	w->udp = calloc(d->nlisten ? d->nlisten : 1, sizeof *w->udp);
	w->tcp_fds = calloc(d->nlisten ? d->nlisten : 1, sizeof *w->tcp_fds);
	for (size_t a = 0; a < d->nlisten; a++) {
		if (w->udp)
			w->udp[a].fd = -1;
		if (w->tcp_fds)
			w->tcp_fds[a] = -1;
	}
	if (!w->reader || !w->loop || !w->batch || !w->udp || !w->tcp_fds) {
		snprintf(err, errlen, "worker %u: out of memory", id);
		return -1;
	}
	for (size_t a = 0; a < d->nlisten; a++) {
		struct udp_sock *u = &w->udp[a];
		u->w = w;
		u->fd = udp_open(&d->listen[a], &u->pktinfo, err, errlen);
		u->local = d->listen[a].ss;
		if (u->fd < 0)
			return -1;
		ev_io_init(&u->io, udp_cb, u->fd, EV_READ);
		u->io.data = u;
		ev_io_start(w->loop, &u->io);
		w->tcp_fds[a] = tcp_listen_open(&d->listen[a], err, errlen);
		if (w->tcp_fds[a] < 0)
			return -1;
	}
	unsigned nw = srv->nworkers;
	unsigned maxc = (d->tcp_max_connections + nw - 1) / nw;
	w->tcp = tcp_ctx_new(w->loop, w->tcp_fds, d->nlisten, w->reader, &w->qs, &w->ts,
			     maxc ? maxc : 1);
	if (!w->tcp) {
		snprintf(err, errlen, "worker %u: out of memory", id);
		return -1;
	}
	ev_async_init(&w->stop, stop_cb);
	ev_async_start(w->loop, &w->stop);
	ev_prepare_init(&w->publish, publish_cb);
	w->publish.data = w;
	ev_prepare_start(w->loop, &w->publish);
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
	srv->naddr = cfg->dnsd.nlisten;
	srv->w = calloc(srv->nworkers, sizeof *srv->w);
	/* allocated even when rate limiting is off, so that a reload can
	 * turn it on; its size is fixed until a restart */
	srv->rrl = rrl_new(cfg->dnsd.rrl.table_size ? cfg->dnsd.rrl.table_size : 1024);
	if (!srv->w || !srv->rrl) {
		free(srv->w);
		rrl_free(srv->rrl);
		free(srv);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	unsigned inited = 0;
	for (; inited < srv->nworkers; inited++) {
		if (worker_init(srv, &srv->w[inited], inited, cfg, rcu, err, errlen) != 0) {
			inited++;
			goto fail;
		}
	}
	for (size_t a = 0; a < cfg->dnsd.nlisten; a++)
		log_notice("listening on %s (udp, tcp), %u worker%s", cfg->dnsd.listen[a].text,
			   srv->nworkers, srv->nworkers == 1 ? "" : "s");
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
		worker_close(&srv->w[i], srv->naddr);
	free(srv->w);
	rrl_free(srv->rrl);
	free(srv);
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
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
		worker_close(&srv->w[i], srv->naddr);
	free(srv->w);
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

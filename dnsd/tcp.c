/* tcp — see tcp.h */
#include "dnsd/tcp.h"

#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/dispatch.h"
#include "dnsd/query.h"
#include "dnsd/snapshot.h"
#include "dnsd/xfrout.h"

enum { TCP_ACCEPT_BURST = 64, TCP_READ_BURST = 8 };

struct tcp_conn {
	ev_io io;
	ev_timer idle;
	struct tcp_ctx *ctx;
	struct tcp_conn *prev, *next;   /* activity order, oldest first */
	int fd;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct xfrout *xfr;             /* a zone transfer being sent, or NULL */
	unsigned queries, max_queries;
	bool rd_eof;                    /* peer finished sending */
	bool in_query;                  /* part of a query is in: its deadline runs */
	bool closing;                   /* read nothing more; close once flushed */
	size_t rlen;
	uint8_t *wbuf;
	size_t wcap, woff, wlen;
	uint8_t rbuf[2 + TCP_MSG_MAX];
};

struct tcp_ctx {
	struct ev_loop *loop;
	struct tcp_listener *ls;
	size_t nls;
	struct snapshot_reader *reader;
	struct query_stats *qstats;
	struct tcp_stats *tstats;
	unsigned max_conns, nconns;
	struct tcp_conn *head, *tail;
	uint8_t scratch[2 + TCP_MSG_MAX];
};

enum tcp_frame tcp_frame_next(const uint8_t *buf, size_t len, size_t *msglen)
{
	if (len < 2)
		return TCP_FRAME_MORE;
	size_t l = (size_t)buf[0] << 8 | buf[1];
	if (l == 0)
		return TCP_FRAME_BAD;
	if (len < 2 + l)
		return TCP_FRAME_MORE;
	*msglen = l;
	return TCP_FRAME_OK;
}

int tcp_listen_open(const struct cfg_addr *a, char *err, size_t errlen)
{
	int one = 1;
	int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "tcp socket for %s: %s", a->text, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
	    (a->family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0 ||
	    listen(fd, 256) != 0) {
		snprintf(err, errlen, "tcp %s: %s", a->text, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- connection list, in order of last activity ---- */

static void list_unlink(struct tcp_ctx *ctx, struct tcp_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		ctx->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		ctx->tail = c->prev;
	c->prev = c->next = NULL;
}

static void list_append(struct tcp_ctx *ctx, struct tcp_conn *c)
{
	c->prev = ctx->tail;
	c->next = NULL;
	if (ctx->tail)
		ctx->tail->next = c;
	else
		ctx->head = c;
	ctx->tail = c;
}

/* progress: moves c to the end of the activity order and restarts its
 * timer.  Called at a complete query, at the first byte of the next one
 * (its deadline) and at output progress between queries, never for the
 * later bytes of a query: a client trickling a query a byte at a time is
 * closed when the deadline passes. */
static void conn_touch(struct tcp_conn *c)
{
	struct tcp_ctx *ctx = c->ctx;
	if (ctx->tail != c) {
		list_unlink(ctx, c);
		list_append(ctx, c);
	}
	ev_timer_again(ctx->loop, &c->idle);
}

static void conn_close(struct tcp_conn *c)
{
	struct tcp_ctx *ctx = c->ctx;
	ev_io_stop(ctx->loop, &c->io);
	ev_timer_stop(ctx->loop, &c->idle);
	list_unlink(ctx, c);
	close(c->fd);
	xfrout_free(c->xfr);
	free(c->wbuf);
	free(c);
	ctx->nconns--;
	ctx->tstats->current = ctx->nconns;
}

static size_t conn_pending(const struct tcp_conn *c)
{
	return c->wlen - c->woff;
}

static void conn_set_events(struct tcp_conn *c)
{
	int ev = 0;
	if (!c->rd_eof && !c->closing && c->rlen < sizeof c->rbuf &&
	    conn_pending(c) <= TCP_WBUF_LIMIT)
		ev |= EV_READ;
	if (conn_pending(c))
		ev |= EV_WRITE;
	if ((c->io.events & (EV_READ | EV_WRITE)) == ev && ev_is_active(&c->io))
		return;
	ev_io_stop(c->ctx->loop, &c->io);
	ev_io_set(&c->io, c->fd, ev);
	if (ev)
		ev_io_start(c->ctx->loop, &c->io);
}

static bool conn_append(struct tcp_conn *c, const uint8_t *data, size_t len)
{
	if (c->woff && c->woff == c->wlen)
		c->woff = c->wlen = 0;
	if (c->wcap - c->wlen < len && c->woff) {
		memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
		c->wlen -= c->woff;
		c->woff = 0;
	}
	if (c->wcap - c->wlen < len) {
		size_t ncap = c->wcap ? c->wcap : 4096;
		while (ncap - c->wlen < len)
			ncap *= 2;
		uint8_t *nb = realloc(c->wbuf, ncap);
		if (!nb)
			return false;
		c->wbuf = nb;
		c->wcap = ncap;
	}
	memcpy(c->wbuf + c->wlen, data, len);
	c->wlen += len;
	return true;
}

/* answer every complete query in rbuf while output room lasts */
static void conn_process(struct tcp_conn *c)
{
	struct tcp_ctx *ctx = c->ctx;
	size_t off = 0, mlen = 0;
	const struct snapshot *snap = NULL;

	while (!c->closing && conn_pending(c) <= TCP_WBUF_LIMIT) {
		if (c->xfr) {
			/* a transfer's messages come before any later answer */
			size_t xl = xfrout_next(c->xfr, ctx->scratch + 2, TCP_MSG_MAX);
			if (xl == 0) {
				xfrout_free(c->xfr);
				c->xfr = NULL;
				continue;
			}
			ctx->scratch[0] = (uint8_t)(xl >> 8);
			ctx->scratch[1] = (uint8_t)xl;
			if (!conn_append(c, ctx->scratch, xl + 2))
				c->closing = true;
			continue;
		}
		enum tcp_frame f = tcp_frame_next(c->rbuf + off, c->rlen - off, &mlen);
		if (f == TCP_FRAME_MORE)
			break;
		if (f == TCP_FRAME_BAD) {
			c->closing = true;
			ctx->tstats->bad_closed++;
			break;
		}
		if (!snap)
			snap = snapshot_enter(ctx->reader);
		size_t rl = 0;
		switch (xfrout_start(snap, c->rbuf + off + 2, mlen, (const struct sockaddr *)&c->peer,
				     ctx->scratch + 2, TCP_MSG_MAX, &rl, &c->xfr)) {
		case XFROUT_NOT_XFR:
			rl = dispatch_process(snap, c->rbuf + off + 2, mlen,
					      (const struct sockaddr *)&c->peer, c->peerlen,
					      ctx->scratch + 2, TCP_MSG_MAX, QUERY_TCP, ctx->qstats);
			break;
		case XFROUT_ANSWERED:
			ctx->qstats->queries[QUERY_TCP]++;
			break;
		case XFROUT_STREAM:
			ctx->qstats->queries[QUERY_TCP]++;
			off += 2 + mlen;
			continue;
		}
		off += 2 + mlen;
		if (rl == 0) {
			c->closing = true;
			ctx->tstats->bad_closed++;
			break;
		}
		ctx->scratch[0] = (uint8_t)(rl >> 8);
		ctx->scratch[1] = (uint8_t)rl;
		if (!conn_append(c, ctx->scratch, rl + 2)) {
			c->closing = true;
			break;
		}
		if (c->max_queries && ++c->queries >= c->max_queries)
			c->closing = true;
	}
	if (snap)
		snapshot_leave(ctx->reader);
	if (off) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
		/* complete queries: progress; bytes of the next one start its deadline */
		conn_touch(c);
		c->in_query = c->rlen > 0;
	}
}

/* returns false when the connection was closed */
static bool conn_flush(struct tcp_conn *c)
{
	while (conn_pending(c)) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, conn_pending(c), MSG_NOSIGNAL);
		if (n > 0) {
			c->woff += (size_t)n;
			if (!c->in_query)        /* a query's deadline is not extended */
				conn_touch(c);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		conn_close(c);
		return false;
	}
	c->woff = c->wlen = 0;
	return true;
}

/* drive a connection as far as it goes without blocking */
static void conn_run(struct tcp_conn *c, bool readable)
{
	for (int burst = 0; readable && burst < TCP_READ_BURST; burst++) {
		if (c->rd_eof || c->closing || c->rlen == sizeof c->rbuf ||
		    conn_pending(c) > TCP_WBUF_LIMIT)
			break;
		ssize_t n = recv(c->fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen, 0);
		if (n > 0) {
			c->rlen += (size_t)n;
			if (!c->in_query) {
				/* the first byte of a query: its deadline starts */
				conn_touch(c);
				c->in_query = true;
			}
			conn_process(c);
			if (!conn_flush(c))
				return;
			continue;
		}
		if (n == 0) {
			c->rd_eof = true;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		conn_close(c);
		return;
	}
	/* answer what was held back while output drains without blocking */
	for (;;) {
		size_t before = c->rlen;
		conn_process(c);
		if (!conn_flush(c))
			return;
		if (conn_pending(c) || (c->rlen == before && !c->xfr))
			break;
	}
	if (!conn_pending(c) && (c->closing || c->rd_eof)) {
		conn_close(c);
		return;
	}
	conn_set_events(c);
}

static void conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_conn *c = w->data;
	(void)loop;
	conn_run(c, revents & EV_READ);
}

static void conn_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tcp_conn *c = w->data;
	(void)loop;
	(void)revents;
	c->ctx->tstats->idle_closed++;
	conn_close(c);
}

static void accept_one(struct tcp_ctx *ctx, int fd, const struct sockaddr_storage *peer,
		       socklen_t peerlen)
{
	if (ctx->nconns >= ctx->max_conns && ctx->head) {
		ctx->tstats->evicted++;
		conn_close(ctx->head);
	}
	struct tcp_conn *c = malloc(sizeof *c);
	if (!c) {
		close(fd);
		return;
	}
	memset(c, 0, offsetof(struct tcp_conn, rbuf));
	c->ctx = ctx;
	c->fd = fd;
	c->peer = *peer;
	c->peerlen = peerlen;
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	const struct snapshot *snap = snapshot_enter(ctx->reader);
	double idle = snap->cfg->dnsd.tcp_idle_timeout_ms / 1000.0;
	c->max_queries = snap->cfg->dnsd.tcp_max_queries;
	snapshot_leave(ctx->reader);
	if (idle <= 0)
		idle = 10;

	ev_io_init(&c->io, conn_io_cb, fd, EV_READ);
	c->io.data = c;
	ev_init(&c->idle, conn_idle_cb);
	c->idle.repeat = idle;
	c->idle.data = c;
	ev_io_start(ctx->loop, &c->io);
	ev_timer_again(ctx->loop, &c->idle);
	list_append(ctx, c);
	ctx->nconns++;
	ctx->tstats->accepted++;
	ctx->tstats->current = ctx->nconns;
}

static void listener_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tcp_listener *l = w->data;
	(void)loop;
	(void)revents;
	for (int i = 0; i < TCP_ACCEPT_BURST; i++) {
		struct sockaddr_storage peer;
		socklen_t peerlen = sizeof peer;
		int fd = accept4(w->fd, (struct sockaddr *)&peer, &peerlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				/* out of descriptors: make room, retry next round */
				if (l->ctx->head) {
					l->ctx->tstats->evicted++;
					conn_close(l->ctx->head);
				} else {
					log_warn("tcp accept: %s", strerror(errno));
				}
			}
			return;
		}
		accept_one(l->ctx, fd, &peer, peerlen);
	}
}

struct tcp_ctx *tcp_ctx_new(struct ev_loop *loop, const int *lfds, size_t nlfds,
			    struct snapshot_reader *reader, struct query_stats *qstats,
			    struct tcp_stats *tstats, unsigned max_conns)
{
	struct tcp_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	ctx->ls = calloc(nlfds ? nlfds : 1, sizeof *ctx->ls);
	if (!ctx->ls) {
		free(ctx);
		return NULL;
	}
	ctx->loop = loop;
	ctx->nls = nlfds;
	ctx->reader = reader;
	ctx->qstats = qstats;
	ctx->tstats = tstats;
	ctx->max_conns = max_conns ? max_conns : 1;
	for (size_t i = 0; i < nlfds; i++)
		tcp_listener_start(ctx, &ctx->ls[i], lfds[i]);
	return ctx;
}

void tcp_listener_start(struct tcp_ctx *ctx, struct tcp_listener *l, int fd)
{
	l->ctx = ctx;
	ev_io_init(&l->io, listener_cb, fd, EV_READ);
	l->io.data = l;
	ev_io_start(ctx->loop, &l->io);
}

void tcp_listener_stop(struct tcp_listener *l)
{
	if (l->ctx)
		ev_io_stop(l->ctx->loop, &l->io);
	l->ctx = NULL;
}

void tcp_ctx_free(struct tcp_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->nls; i++)
		ev_io_stop(ctx->loop, &ctx->ls[i].io);
	while (ctx->head)
		conn_close(ctx->head);
	free(ctx->ls);
	free(ctx);
}

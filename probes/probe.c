/* probe — see probe.h.
 *
 * A run has one or two legs: the question to the target and, with
 * "primary", an SOA query to the primary for the serial comparison.  Each
 * leg owns one non-blocking socket, connected (UDP too, so the kernel
 * reports ICMP port unreachable as ECONNREFUSED and drops datagrams from
 * anyone else).  One timer covers the whole run.  The run ends as soon as
 * the target's leg has failed, or has a reply and the primary's leg (if
 * any) is finished; a failure of the primary only loses the comparison.
 */
#include "probes/probe.h"
#include "probes/judge.h"
#include "probes/query.h"
#include "common/config.h"

#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_BUF (65535 + 2)

enum leg_state { LEG_IDLE, LEG_CONNECTING, LEG_SENDING, LEG_READING, LEG_DONE };

struct probe_leg {
	struct probe *p;
	bool primary;
	int fd;
	ev_io io;
	enum leg_state state;
	uint16_t id;
	uint8_t *out;            /* query; for TCP with its 2-byte length */
	size_t outlen, outoff;
	uint8_t *in;             /* PROBE_BUF bytes, kept across runs */
	size_t inoff, inneed;    /* TCP: bytes read, bytes wanted */
	const uint8_t *reply;    /* complete reply when done without error */
	size_t replylen;
	int err;                 /* errno of a failure, 0 = none */
	const char *op;          /* what failed: "bind", "connect", ... */
	bool eof;                /* TCP: closed before a complete reply */
	uint64_t t_reply;        /* monotonic us */
	bool tc_retry;           /* UDP answered TC: asking again over TCP */
};

struct probe {
	struct ev_loop *loop;
	const struct cfg_probe *spec;
	ev_timer timer;
	struct probe_leg leg[2]; /* [0] target, [1] primary */
	bool running;
	uint64_t t_start;
	void (*done)(void *arg, const struct probe_result *r);
	void *arg;
	struct probe_result res;
};

static const char *const probe_verdict_names[PROBE_VERDICTS] = {
	[PROBE_OK] = "ok", [PROBE_HARD] = "hard", [PROBE_TIMEOUT] = "timeout",
	[PROBE_WRONG] = "wrong", [PROBE_STALE] = "stale",
	[PROBE_SIGNATURES] = "signatures", [PROBE_SLOW] = "slow",
};

const char *probe_verdict_name(enum probe_verdict v)
{
	if ((unsigned)v >= PROBE_VERDICTS)
		return "?";
	return probe_verdict_names[v];
}

static uint64_t probe_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool leg_tcp(const struct probe_leg *l)
{
	return !l->primary && (l->p->spec->transport == PROBE_TCP || l->tc_retry);
}

static void leg_start(struct probe_leg *l);

/*
 * A truncated UDP reply (TC) is what a rate-limiting server sends instead
 * of dropping ("slip"), and what any server sends when the answer does not
 * fit: a resolver asks again over TCP, so the probe does too, within the
 * same timeout, rather than judge an answer that was never given.
 */
static bool leg_tc_retry(struct probe_leg *l)
{
	if (l->primary || l->tc_retry || leg_tcp(l) || !l->reply || l->replylen < 12 ||
	    !(l->reply[2] & 0x02) || (((unsigned)l->reply[0] << 8 | l->reply[1]) != l->id))
		return false;
	l->tc_retry = true;
	leg_start(l);
	return true;
}

static const struct cfg_addr *leg_target(const struct probe_leg *l)
{
	return l->primary ? l->p->spec->primary : l->p->spec->target;
}

static void leg_close(struct probe_leg *l)
{
	ev_io_stop(l->p->loop, &l->io);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->out);
	l->out = NULL;
}

static void probe_finish(struct probe *p);

/* is the run over?  called whenever a leg finishes */
static void probe_check(struct probe *p)
{
	struct probe_leg *m = &p->leg[0], *s = &p->leg[1];
	if (m->state == LEG_DONE && leg_tc_retry(m) && m->state != LEG_DONE)
		return;
	if (m->state != LEG_DONE)
		return;
	if (m->reply && p->spec->primary && s->state != LEG_DONE && s->state != LEG_IDLE)
		return;
	probe_finish(p);
}

static void leg_fail(struct probe_leg *l, const char *op, int err)
{
	l->op = op;
	l->err = err;
	l->state = LEG_DONE;
	leg_close(l);
}

static void leg_got_reply(struct probe_leg *l, const uint8_t *reply, size_t len)
{
	l->t_reply = probe_now_us();
	l->reply = reply;
	l->replylen = len;
	l->state = LEG_DONE;
	leg_close(l);
}

/* read what is there; UDP: one datagram is the reply, TCP: 2-byte length
 * then that many bytes, over as many reads as it takes */
static void leg_read(struct probe_leg *l)
{
	for (;;) {
		ssize_t n = recv(l->fd, l->in + l->inoff, l->inneed - l->inoff, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			leg_fail(l, "recv", errno);
			return;
		}
		if (!leg_tcp(l)) {
			leg_got_reply(l, l->in, (size_t)n);
			return;
		}
		if (n == 0) {
			l->eof = true;
			leg_fail(l, "recv", 0);
			return;
		}
		l->inoff += (size_t)n;
		if (l->inoff < l->inneed)
			continue;
		if (l->inneed == 2) {
			l->inneed = 2 + ((size_t)l->in[0] << 8 | l->in[1]);
			if (l->inneed > 2)
				continue;
		}
		leg_got_reply(l, l->in + 2, l->inneed - 2);
		return;
	}
}

static void leg_want(struct probe_leg *l, int events)
{
	ev_io_stop(l->p->loop, &l->io);
	ev_io_set(&l->io, l->fd, events);
	ev_io_start(l->p->loop, &l->io);
}

/* one step of the leg's state machine; returns after it must wait */
static void leg_step(struct probe_leg *l)
{
	ssize_t n;
	int err;
	socklen_t elen = sizeof err;

	switch (l->state) {
	case LEG_CONNECTING:
		if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			err = errno;
		if (err == EINPROGRESS || err == EALREADY)
			return;
		if (err) {
			leg_fail(l, "connect", err);
			return;
		}
		l->state = LEG_SENDING;
		/* fall through */
	case LEG_SENDING:
		while (l->outoff < l->outlen) {
			n = send(l->fd, l->out + l->outoff, l->outlen - l->outoff, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				leg_want(l, EV_WRITE);
				return;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				leg_fail(l, "send", errno);
				return;
			}
			l->outoff += (size_t)n;
		}
		l->state = LEG_READING;
		l->inoff = 0;
		l->inneed = leg_tcp(l) ? 2 : PROBE_BUF;
		leg_want(l, EV_READ);
		return;
	case LEG_READING:
		leg_read(l);
		return;
	default:
		return;
	}
}

static void leg_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct probe_leg *l = w->data;
	(void)loop;
	(void)revents;
	leg_step(l);
	if (l->state == LEG_DONE)
		probe_check(l->p);
}

/* is the address configured on this node?  0 yes, -1 no (errno set) */
static int probe_addr_local(const struct cfg_addr *a)
{
	struct sockaddr_storage ss = a->ss;
	if (a->family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	int fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int r = bind(fd, (struct sockaddr *)&ss, a->len);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* the query in l->out, with the TCP length when needed; -1 on failure */
static int leg_query(struct probe_leg *l)
{
	uint8_t *q;
	size_t qlen;

	l->id = query_random_id();
	if (query_build(l->p->spec, l->primary, l->id, &q, &qlen) < 0)
		return -1;
	if (!leg_tcp(l)) {
		l->out = q;
		l->outlen = qlen;
		return 0;
	}
	l->out = malloc(qlen + 2);
	if (l->out) {
		l->out[0] = (uint8_t)(qlen >> 8);
		l->out[1] = (uint8_t)qlen;
		memcpy(l->out + 2, q, qlen);
		l->outlen = qlen + 2;
	}
	free(q);
	return l->out ? 0 : -1;
}

/* socket, bind, connect, first send; failures leave the leg LEG_DONE */
static void leg_start(struct probe_leg *l)
{
	const struct cfg_probe *spec = l->p->spec;
	const struct cfg_addr *to = leg_target(l);

	l->fd = -1;
	l->err = 0;
	l->op = NULL;
	l->eof = false;
	l->reply = NULL;
	l->replylen = 0;
	l->outoff = 0;
	l->inoff = 0;
	l->state = LEG_CONNECTING;
	if (!l->primary && spec->target_local && probe_addr_local(to) < 0) {
		leg_fail(l, "target-local", errno);
		return;
	}
	if ((!l->in && !(l->in = malloc(PROBE_BUF))) || leg_query(l) < 0) {
		leg_fail(l, "preparing the query", ENOMEM);
		return;
	}
	l->fd = socket(to->family, (leg_tcp(l) ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK |
		       SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		leg_fail(l, "socket", errno);
		return;
	}
	ev_io_set(&l->io, l->fd, EV_WRITE);
	if (!l->primary && spec->source &&
	    bind(l->fd, (const struct sockaddr *)&spec->source->ss, spec->source->len) < 0) {
		leg_fail(l, "bind", errno);
		return;
	}
	if (connect(l->fd, (const struct sockaddr *)&to->ss, to->len) < 0) {
		if (errno == EINPROGRESS)
			leg_want(l, EV_WRITE);
		else
			leg_fail(l, "connect", errno);
		return;
	}
	l->state = LEG_SENDING;
	leg_step(l);
}

/* a one-line reason for a failed leg */
static void probe_hard_reason(struct probe *p, const struct probe_leg *l)
{
	const struct cfg_probe *s = p->spec;
	const char *to = leg_target(l)->text;
	char m[200];

	if (l->eof)
		snprintf(m, sizeof m, "connection closed by the server before a complete "
			 "reply (%zu bytes read)", l->inoff);
	else if (strcmp(l->op, "target-local") == 0 && l->err == EADDRNOTAVAIL)
		snprintf(m, sizeof m, "target address %s is not configured on this node "
			 "(queries to it would reach another instance, or none)", to);
	else if (strcmp(l->op, "target-local") == 0)
		snprintf(m, sizeof m, "cannot check that %s is an address of this node: %s",
			 to, strerror(l->err));
	else if (strcmp(l->op, "bind") == 0 && l->err == EADDRNOTAVAIL)
		snprintf(m, sizeof m, "source address %s is not configured on this node "
			 "(bind: %s)", s->source->text, strerror(l->err));
	else if (l->err == ECONNREFUSED && leg_tcp(l))
		snprintf(m, sizeof m, "connection refused: nothing listens on %s", to);
	else if (l->err == ECONNREFUSED)
		snprintf(m, sizeof m, "port unreachable (ICMP): nothing listens on %s", to);
	else if (l->err == ECONNRESET)
		snprintf(m, sizeof m, "connection reset by the server");
	else if (l->err == ENETUNREACH)
		snprintf(m, sizeof m, "network unreachable: no route to %s", to);
	else if (l->err == EHOSTUNREACH)
		snprintf(m, sizeof m, "host unreachable: %s", to);
	else if (l->err == EADDRNOTAVAIL)
		snprintf(m, sizeof m, "cannot reach %s from this node (%s: %s)", to, l->op,
			 strerror(l->err));
	else
		snprintf(m, sizeof m, "%s: %s", l->op, strerror(l->err));
	judge_fail(&p->res, s, PROBE_HARD, "%s", m);
}

static void probe_timeout_reason(struct probe *p, const struct probe_leg *l)
{
	const struct cfg_probe *s = p->spec;
	if (l->state == LEG_CONNECTING && leg_tcp(l))
		judge_fail(&p->res, s, PROBE_TIMEOUT, "timeout after %u ms (TCP connection "
			   "not accepted)", s->timeout_ms);
	else if (l->state == LEG_READING && leg_tcp(l) && l->inoff > 0)
		judge_fail(&p->res, s, PROBE_TIMEOUT, "timeout after %u ms (%zu of %zu reply "
			   "bytes)", s->timeout_ms, l->inoff, l->inneed);
	else if (l->state == LEG_READING && leg_tcp(l))
		judge_fail(&p->res, s, PROBE_TIMEOUT, "timeout after %u ms (connected, query "
			   "sent, no reply)", s->timeout_ms);
	else
		judge_fail(&p->res, s, PROBE_TIMEOUT, "timeout after %u ms", s->timeout_ms);
}

static void probe_stop(struct probe *p)
{
	ev_timer_stop(p->loop, &p->timer);
	for (int i = 0; i < 2; i++) {
		leg_close(&p->leg[i]);
		p->leg[i].state = LEG_IDLE;
	}
	p->running = false;
}

static void probe_finish(struct probe *p)
{
	struct probe_leg *m = &p->leg[0], *s = &p->leg[1];
	struct judge_input in = { .id = m->id, .now = time(NULL) };

	judge_init(&p->res);
	if (m->state != LEG_DONE) {
		probe_timeout_reason(p, m);
	} else if (!m->reply) {
		probe_hard_reason(p, m);
	} else {
		in.wire = m->reply;
		in.len = m->replylen;
		in.latency_us = m->t_reply - p->t_start;
		if (s->state == LEG_DONE && s->reply &&
		    judge_primary_serial(p->spec, s->id, s->reply, s->replylen,
					 &in.primary_serial) == 0)
			in.has_primary_serial = true;
		judge_reply(p->spec, &in, &p->res);
	}
	/* the replies live in the legs' buffers: judge before closing */
	probe_stop(p);
	/* done may free or restart p: nothing touches p after it */
	p->done(p->arg, &p->res);
}

static void probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	probe_finish(w->data);
}

struct probe *probe_new(struct ev_loop *loop, const struct cfg_probe *spec)
{
	struct probe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->loop = loop;
	p->spec = spec;
	ev_timer_init(&p->timer, probe_timer_cb, 0., 0.);
	p->timer.data = p;
	for (int i = 0; i < 2; i++) {
		p->leg[i].p = p;
		p->leg[i].primary = i == 1;
		p->leg[i].fd = -1;
		ev_io_init(&p->leg[i].io, leg_io_cb, -1, EV_READ);
		p->leg[i].io.data = &p->leg[i];
	}
	return p;
}

int probe_start(struct probe *p, void (*done)(void *arg, const struct probe_result *r),
		void *arg)
{
	if (p->running) {
		errno = EBUSY;
		return -1;
	}
	p->running = true;
	p->done = done;
	p->arg = arg;
	p->t_start = probe_now_us();
	p->leg[0].tc_retry = false;
	leg_start(&p->leg[0]);
	bool early = p->leg[0].state == LEG_DONE;
	if (p->spec->primary && !early)
		leg_start(&p->leg[1]);
	/* a run ends on the loop, never inside probe_start(): failures known
	 * now (and a loopback reply already read) are delivered at once */
	ev_timer_set(&p->timer, early ? 0. : p->spec->timeout_ms / 1000.0, 0.);
	ev_timer_start(p->loop, &p->timer);
	return 0;
}

bool probe_running(const struct probe *p)
{
	return p && p->running;
}

void probe_cancel(struct probe *p)
{
	if (p && p->running)
		probe_stop(p);
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	probe_cancel(p);
	free(p->leg[0].in);
	free(p->leg[1].in);
	free(p);
}

struct probe_once {
	struct probe_result *r;
	bool done;
};

static void probe_once_cb(void *arg, const struct probe_result *r)
{
	struct probe_once *o = arg;
	*o->r = *r;
	o->done = true;
}

int probe_run_once(const struct cfg_probe *spec, struct probe_result *r)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	if (!loop) {
		errno = ENOMEM;
		return -1;
	}
	struct probe *p = probe_new(loop, spec);
	struct probe_once o = { .r = r };
	if (!p || probe_start(p, probe_once_cb, &o) < 0) {
		int e = p ? errno : ENOMEM;
		probe_free(p);
		ev_loop_destroy(loop);
		errno = e;
		return -1;
	}
	while (!o.done)
		ev_run(loop, EVRUN_ONCE);
	probe_free(p);
	ev_loop_destroy(loop);
	return r->verdict == PROBE_OK ? 0 : 1;
}

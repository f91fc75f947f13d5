/* ctlsock — see ctlsock.h */
#include "controller/ctlsock.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

#define CTLSOCK_IDLE 30.0

struct ctlsock_conn {
	struct ctlsock *s;
	struct ctlsock_conn *next;
	int fd;
	ev_io rio, wio;
	ev_timer idle;
	char in[CTLSOCK_LINE_MAX];
	size_t inlen;
	char *out;
	size_t outlen, outoff;
	bool closing;            /* close after the output is written */
};

struct ctlsock {
	struct ev_loop *loop;
	char *path;
	int fd;
	ev_io io;
	ctlsock_handler handler;
	void *arg;
	struct ctlsock_conn *conns;
	size_t nconns;
};

static void ctlsock_conn_close(struct ctlsock_conn *c)
{
	struct ctlsock *s = c->s;
	for (struct ctlsock_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->nconns--;
	ev_io_stop(s->loop, &c->rio);
	ev_io_stop(s->loop, &c->wio);
	ev_timer_stop(s->loop, &c->idle);
	close(c->fd);
	free(c->out);
	free(c);
}

static void ctlsock_flush(struct ctlsock_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_start(c->s->loop, &c->wio);
			return;
		}
		if (n <= 0) {
			ctlsock_conn_close(c);
			return;
		}
		c->outoff += (size_t)n;
	}
	ev_io_stop(c->s->loop, &c->wio);
	c->outoff = c->outlen = 0;
	if (c->closing)
		ctlsock_conn_close(c);
}

static int ctlsock_queue(struct ctlsock_conn *c, json_object *reply)
{
	size_t len;
	const char *txt = json_object_to_json_string_length(reply, JSON_C_TO_STRING_PLAIN, &len);
	char *n = realloc(c->out, c->outlen + len + 1);
	if (!n)
		return -1;
	c->out = n;
	memcpy(c->out + c->outlen, txt, len);
	c->outlen += len;
	c->out[c->outlen++] = '\n';
	return 0;
}

static json_object *ctlsock_error(const char *msg)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

static void ctlsock_line(struct ctlsock_conn *c, const char *line, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *req = NULL, *reply;

	if (tok) {
		req = json_tokener_parse_ex(tok, line, (int)len);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    tok->char_offset < (int)len) {
			json_object_put(req);
			req = NULL;
		}
		json_tokener_free(tok);
	}
	if (!req || !json_object_is_type(req, json_type_object))
		reply = ctlsock_error("bad request: expected one JSON object per line");
	else
		reply = c->s->handler(c->s->arg, req);
	json_object_put(req);
	if (!reply)
		reply = ctlsock_error("internal error");
	if (ctlsock_queue(c, reply) < 0)
		c->closing = true;
	json_object_put(reply);
}

static void ctlsock_read_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct ctlsock_conn *c = io->data;
	ssize_t n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (c->outlen > c->outoff) {
			/* peer shut down its side: finish writing, then close */
			c->closing = true;
			ev_io_stop(loop, &c->rio);
			return;
		}
		ctlsock_conn_close(c);
		return;
	}
	ev_timer_again(loop, &c->idle);
	c->inlen += (size_t)n;
	size_t start = 0;
	for (size_t i = 0; i < c->inlen; i++) {
		if (c->in[i] != '\n')
			continue;
		size_t l = i - start;
		if (l && c->in[start + l - 1] == '\r')
			l--;
		if (l)
			ctlsock_line(c, c->in + start, l);
		start = i + 1;
	}
	memmove(c->in, c->in + start, c->inlen - start);
	c->inlen -= start;
	if (c->inlen == sizeof c->in) {
		json_object *r = ctlsock_error("request line too long");
		ctlsock_queue(c, r);
		json_object_put(r);
		c->closing = true;
		ev_io_stop(loop, &c->rio);
	}
	ctlsock_flush(c);
}

static void ctlsock_write_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	ctlsock_flush(io->data);
}

static void ctlsock_idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	ctlsock_conn_close(t->data);
}

static void ctlsock_accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct ctlsock *s = io->data;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (s->nconns >= CTLSOCK_CONN_MAX) {
		static const char busy[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";
		ssize_t w = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)w;
		close(fd);
		return;
	}
	struct ctlsock_conn *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		return;
	}
	c->s = s;
	c->fd = fd;
	ev_io_init(&c->rio, ctlsock_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, ctlsock_write_cb, fd, EV_WRITE);
	ev_init(&c->idle, ctlsock_idle_cb);
	c->idle.repeat = CTLSOCK_IDLE;
	c->rio.data = c->wio.data = c->idle.data = c;
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	ev_io_start(loop, &c->rio);
	ev_timer_again(loop, &c->idle);
}

/* is someone answering on path?  */
static bool ctlsock_alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool alive = connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0;
	close(fd);
	return alive;
}

struct ctlsock *ctlsock_new(struct ev_loop *loop, const char *path, mode_t mode,
			    ctlsock_handler handler, void *arg, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctlsock *s;

	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "%s: path too long for a unix socket", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (ctlsock_alive(&sun)) {
		snprintf(err, errlen, "%s: another raiz-controller answers there", path);
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->handler = handler;
	s->arg = arg;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	unlink(path);   /* stale: nobody answered */
	mode_t old = umask(0777 & ~mode);
	int r = bind(s->fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r < 0 || chmod(path, mode) < 0 || listen(s->fd, 16) < 0)
		goto fail;
	ev_io_init(&s->io, ctlsock_accept_cb, s->fd, EV_READ);
	s->io.data = s;
	ev_io_start(loop, &s->io);
	return s;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
	return NULL;
}

void ctlsock_free(struct ctlsock *s)
{
	if (!s)
		return;
	while (s->conns)
		ctlsock_conn_close(s->conns);
	ev_io_stop(s->loop, &s->io);
	close(s->fd);
	unlink(s->path);
	free(s->path);
	free(s);
}

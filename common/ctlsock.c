/* ctlsock — see ctlsock.h */
#include "common/ctlsock.h"

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

struct ctlsock_conn {
	struct ctlsock *s;       /* NULL: orphaned by ctlsock_free(), owes a reply */
	struct ctlsock_conn *next;
	int fd;                  /* -1: closed, the struct waits for its deferred reply */
	ev_io rio, wio;
	ev_timer idle;
	bool eof;                /* peer closed its side: read no more */
	bool closing;            /* close once the output is written */
	bool deferred;           /* a reply is owed: handle no further line */
	bool busy;               /* inside ctlsock_conn_lines() */
	ev_tstamp active;        /* last progress: accepted, a request, output taken */
	size_t inlen;
	char in[CTLSOCK_LINE_MAX];
	char *out;
	size_t outlen, outoff;
};

struct ctlsock {
	struct ev_loop *loop;
	char *path;
	int fd;
	int spare;               /* a descriptor kept for an accept at EMFILE, or -1 */
	ev_io io;
	ev_timer resume;         /* accepting paused: out of descriptors */
	double idle;
	ctlsock_handler handler;
	void *arg;
	struct ctlsock_conn *conns;
	size_t nconns;
	struct ctlsock_stats st;
};

static void ctlsock_spare_take(struct ctlsock *s)
{
	if (s->spare < 0)
		s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

json_object *ctlsock_error(const char *msg)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

json_object *ctlsock_json_object(const char *line, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static void ctlsock_conn_stop(struct ctlsock_conn *c, struct ev_loop *loop)
{
	ev_io_stop(loop, &c->rio);
	ev_io_stop(loop, &c->wio);
	ev_timer_stop(loop, &c->idle);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void ctlsock_conn_unlink(struct ctlsock_conn *c)
{
	struct ctlsock *s = c->s;
	for (struct ctlsock_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->nconns--;
}

static void ctlsock_conn_destroy(struct ctlsock_conn *c)
{
	struct ctlsock *s = c->s;
	ctlsock_conn_stop(c, s->loop);
	ctlsock_conn_unlink(c);
	free(c->out);
	free(c);
	ctlsock_spare_take(s);          /* a descriptor is free again */
}

static size_t ctlsock_pending(const struct ctlsock_conn *c)
{
	return c->outlen - c->outoff;
}

/* progress: the idle timer starts again */
static void ctlsock_conn_progress(struct ctlsock_conn *c)
{
	c->active = ev_now(c->s->loop);
	if (!c->deferred && c->fd >= 0)
		ev_timer_again(c->s->loop, &c->idle);
}

/* closes the socket; the struct lives on while a deferred reply is owed */
static void ctlsock_conn_close(struct ctlsock_conn *c)
{
	if (c->deferred)
		ctlsock_conn_stop(c, c->s->loop);
	else
		ctlsock_conn_destroy(c);
}

static void ctlsock_queue(struct ctlsock_conn *c, json_object *reply)
{
	size_t len;
	const char *txt;
	char *n;

	if (!reply)
		return;
	if (c->fd < 0 || c->closing)
		goto out;
	txt = json_object_to_json_string_length(reply, JSON_C_TO_STRING_PLAIN, &len);
	if (c->outoff) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen + len + 1 > CTLSOCK_OUT_MAX || !(n = realloc(c->out, c->outlen + len + 1))) {
		log_warn("control socket %s: output for a client over its limit, dropping it",
			 c->s->path);
		c->closing = true;
		goto out;
	}
	c->out = n;
	memcpy(c->out + c->outlen, txt, len);
	c->outlen += len;
	c->out[c->outlen++] = '\n';
out:
	json_object_put(reply);
}

/* handles the complete lines in the input buffer, stopping at a deferral
 * and while more than CTLSOCK_OUT_PENDING bytes of replies wait */
static void ctlsock_conn_lines(struct ctlsock_conn *c)
{
	size_t start = 0;

	c->busy = true;
	while (!c->deferred && !c->closing && ctlsock_pending(c) <= CTLSOCK_OUT_PENDING) {
		char *nl = memchr(c->in + start, '\n', c->inlen - start);
		if (!nl)
			break;
		char *line = c->in + start;
		size_t l = (size_t)(nl - line);
		start += l + 1;
		*nl = '\0';
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (l)
			ctlsock_queue(c, c->s->handler(c->s->arg, c, line));
	}
	c->busy = false;
	memmove(c->in, c->in + start, c->inlen - start);
	c->inlen -= start;
	if (start)
		ctlsock_conn_progress(c);
	if (c->inlen == sizeof c->in && !c->deferred && !memchr(c->in, '\n', c->inlen)) {
		ctlsock_queue(c, ctlsock_error("request line too long"));
		c->inlen = 0;
		c->closing = true;
	}
}

/* writes what it can, handles the lines held back while replies waited,
 * and sets the watchers to the state; false when c is gone */
static bool ctlsock_conn_service(struct ctlsock_conn *c)
{
	struct ev_loop *loop = c->s->loop;

	if (c->fd < 0)
		return true;
	for (;;) {
		while (c->outoff < c->outlen) {
			ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
					 MSG_NOSIGNAL);
			if (n > 0) {
				c->outoff += (size_t)n;
				ctlsock_conn_progress(c);
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			bool kept = c->deferred;
			ctlsock_conn_close(c);
			return kept;
		}
		if (c->outoff == c->outlen)
			c->outoff = c->outlen = 0;
		/* room again for replies: the lines that waited for it */
		size_t before = c->inlen;
		if (before && !c->busy && ctlsock_pending(c) <= CTLSOCK_OUT_PENDING)
			ctlsock_conn_lines(c);
		if (c->inlen == before || ctlsock_pending(c) == 0 || c->fd < 0)
			break;
	}
	if (c->outoff == c->outlen) {
		ev_io_stop(loop, &c->wio);
		if ((c->closing || c->eof) && !c->deferred) {
			ctlsock_conn_destroy(c);
			return false;
		}
	} else {
		ev_io_start(loop, &c->wio);
	}
	/* read no more while the client does not take its replies */
	if (c->eof || c->closing || c->deferred || ctlsock_pending(c) > CTLSOCK_OUT_PENDING ||
	    c->inlen == sizeof c->in)
		ev_io_stop(loop, &c->rio);
	else
		ev_io_start(loop, &c->rio);
	if (c->deferred)
		ev_timer_stop(loop, &c->idle);
	else if (!ev_is_active(&c->idle))
		ev_timer_again(loop, &c->idle);
	return true;
}

static void ctlsock_read_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct ctlsock_conn *c = io->data;

	(void)loop;
	(void)revents;
	if (c->inlen == sizeof c->in) {  /* full of waiting lines: no room to read */
		ctlsock_conn_service(c);
		return;
	}
	ssize_t n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n > 0)
		c->inlen += (size_t)n;   /* bytes alone are no progress: a request is */
	else
		c->eof = true;
	ctlsock_conn_lines(c);
	ctlsock_conn_service(c);
}

static void ctlsock_write_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	(void)loop;
	(void)revents;
	ctlsock_conn_service(io->data);
}

static void ctlsock_idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	ctlsock_conn_close(t->data);
}

struct ctlsock_conn *ctlsock_defer(struct ctlsock_conn *c)
{
	c->deferred = true;
	return c;
}

void ctlsock_reply(struct ctlsock_conn *c, json_object *reply)
{
	c->deferred = false;
	if (!c->s) {                    /* orphaned by ctlsock_free() */
		json_object_put(reply);
		free(c->out);
		free(c);
		return;
	}
	if (c->fd < 0) {                /* closed while the reply was owed */
		json_object_put(reply);
		ctlsock_conn_destroy(c);
		return;
	}
	ctlsock_queue(c, reply);
	if (c->busy)                    /* answered from inside the handler */
		return;
	ctlsock_conn_progress(c);
	ctlsock_conn_lines(c);
	ctlsock_conn_service(c);
}

/* the least recently active client that owes no reply, or NULL */
static struct ctlsock_conn *ctlsock_oldest_idle(struct ctlsock *s)
{
	struct ctlsock_conn *old = NULL;
	for (struct ctlsock_conn *c = s->conns; c; c = c->next)
		if (c->fd >= 0 && !c->deferred && !c->busy && (!old || c->active < old->active))
			old = c;
	return old;
}

static void ctlsock_resume_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctlsock *s = t->data;
	(void)revents;
	s->st.paused = false;
	ctlsock_spare_take(s);
	ev_io_start(loop, &s->io);
}

static void ctlsock_accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct ctlsock *s = io->data;
	struct ctlsock_conn *c = NULL;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)revents;
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		s->st.emfile++;
		/* the descriptor kept for this: the operator gets in */
		if (s->spare >= 0) {
			close(s->spare);
			s->spare = -1;
			fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		}
		if (fd < 0) {
			/* none at all: the pending connection stays readable, so
			 * stop watching for a while instead of spinning */
			log_warn("control socket %s: out of file descriptors (%s); not accepting "
				 "for %.1f s", s->path, strerror(errno), CTLSOCK_EMFILE_PAUSE);
			ev_io_stop(loop, &s->io);
			ev_timer_set(&s->resume, CTLSOCK_EMFILE_PAUSE, 0);
			ev_timer_start(loop, &s->resume);
			s->st.paused = true;
			return;
		}
	}
	if (fd < 0)
		return;
	ctlsock_spare_take(s);
	if (s->nconns >= CTLSOCK_CONN_MAX) {
		/* full: the least recently active idle client makes room, so
		 * that idle clients can never lock the operator out */
		struct ctlsock_conn *old = ctlsock_oldest_idle(s);
		if (old) {
			log_info("control socket %s: %d clients, closing the least recently "
				 "active one", s->path, CTLSOCK_CONN_MAX);
			s->st.evicted++;
			ctlsock_conn_destroy(old);
		}
	}
	if (s->nconns >= CTLSOCK_CONN_MAX || !(c = calloc(1, sizeof *c))) {
		static const char busy[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";
		ssize_t w = send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)w;
		log_warn("control socket %s: too many clients, refusing one", s->path);
		s->st.refused++;
		close(fd);
		return;
	}
	c->s = s;
	c->fd = fd;
	ev_io_init(&c->rio, ctlsock_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, ctlsock_write_cb, fd, EV_WRITE);
	ev_init(&c->idle, ctlsock_idle_cb);
	c->idle.repeat = s->idle;
	c->rio.data = c->wio.data = c->idle.data = c;
	c->active = ev_now(loop);
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	s->st.accepted++;
	ev_io_start(loop, &c->rio);
	ev_timer_again(loop, &c->idle);
}

void ctlsock_set_idle(struct ctlsock *s, double seconds)
{
	s->idle = seconds > 0 ? seconds : CTLSOCK_IDLE;
}

void ctlsock_get_stats(const struct ctlsock *s, struct ctlsock_stats *out)
{
	*out = s->st;
	out->clients = s->nconns;
}

/* does a live server answer on the socket? */
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
			    const char *owner, ctlsock_handler handler, void *arg,
			    char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	struct ctlsock *s;

	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control socket %s exists and is not a socket", path);
			return NULL;
		}
		if (ctlsock_alive(&sun)) {
			snprintf(err, errlen, "control socket %s is in use: is %s already running?",
				 path, owner);
			return NULL;
		}
		unlink(path);   /* stale: nobody answered */
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
	s->idle = CTLSOCK_IDLE;
	s->spare = -1;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* the mode comes from the umask at bind: a chmod by name afterwards
	 * could follow a link planted in its place */
	mode_t old = umask(0777 & ~mode);
	int rc = s->fd < 0 ? -1 : bind(s->fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc != 0 || listen(s->fd, 16) != 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		if (rc == 0)
			unlink(path);
		free(s->path);
		free(s);
		return NULL;
	}
	ev_io_init(&s->io, ctlsock_accept_cb, s->fd, EV_READ);
	s->io.data = s;
	ev_io_start(loop, &s->io);
	ev_init(&s->resume, ctlsock_resume_cb);
	s->resume.data = s;
	ctlsock_spare_take(s);
	return s;
}

void ctlsock_free(struct ctlsock *s)
{
	if (!s)
		return;
	while (s->conns) {
		struct ctlsock_conn *c = s->conns;
		if (!c->deferred) {
			ctlsock_conn_destroy(c);
			continue;
		}
		ctlsock_conn_stop(c, s->loop);
		ctlsock_conn_unlink(c);
		c->s = NULL;            /* freed by its ctlsock_reply() */
	}
	ev_io_stop(s->loop, &s->io);
	ev_timer_stop(s->loop, &s->resume);
	close(s->fd);
	if (s->spare >= 0)
		close(s->spare);
	unlink(s->path);
	free(s->path);
	free(s);
}

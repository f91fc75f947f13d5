/* bird — BIRD control socket client, see bird.h */
#include "controller/bird.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

#define BIRD_RBUF 16384          /* longest line BIRD may send us */

struct bird_req {
	struct bird_req *next;
	bird_reply_cb cb;
	void *arg;
	size_t len;              /* including the newline */
	char line[];
};

enum bird_conn { BC_DOWN, BC_GREETING, BC_READY };

struct bird_client {
	struct ev_loop *loop;
	char *path;
	bird_state_cb on_state;
	void *state_arg;

	int fd;
	enum bird_conn conn;
	bool reported_up;
	unsigned gen;            /* bumped on every disconnect */
	ev_io rio, wio;
	ev_timer retry, timeout;
	double cmd_timeout, backoff_min, backoff_max, backoff;

	struct bird_req *head, *tail, *cur;
	size_t nqueued;
	size_t wpos;             /* bytes of cur already written */

	char rbuf[BIRD_RBUF];
	size_t rlen;
	struct bird_line *lines; /* reply being collected */
	size_t nlines, cap;
	size_t rbytes;
	bool toobig;
	int last_code;
	char greeting[128];
	int connect_errno;       /* of the last failed connect(), 0 after a success */
};

static void bird_connect(struct bird_client *c);
static void bird_drop(struct bird_client *c, const char *why);
static void bird_kick(struct bird_client *c);

static void bird_free_queue(struct bird_req *q)
{
	while (q) {
		struct bird_req *next = q->next;
		free(q);
		q = next;
	}
}

static void bird_lines_clear(struct bird_client *c)
{
	for (size_t i = 0; i < c->nlines; i++)
		free((char *)c->lines[i].text);
	c->nlines = 0;
	c->rbytes = 0;
	c->toobig = false;
	c->last_code = 0;
}

static void bird_complete(struct bird_req *q, int code, const char *text,
			  const struct bird_line *lines, size_t nlines)
{
	struct bird_reply r = { .code = code, .text = text, .nlines = nlines, .lines = lines };

	if (q->cb)
		q->cb(q->arg, &r);
	free(q);
}

/* fail the outstanding and every queued command; callbacks see the client
 * already disconnected, so they cannot queue more */
static void bird_fail_all(struct bird_client *c, int cur_code)
{
	struct bird_req *cur = c->cur, *q = c->head;

	c->cur = NULL;
	c->head = c->tail = NULL;
	c->nqueued = 0;
	if (cur)
		bird_complete(cur, cur_code, "", NULL, 0);
	while (q) {
		struct bird_req *next = q->next;
		bird_complete(q, BIRD_EDISCONNECTED, "", NULL, 0);
		q = next;
	}
}

static void bird_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	bird_connect(w->data);
}

static void bird_schedule_retry(struct bird_client *c)
{
	ev_timer_stop(c->loop, &c->retry);
	ev_timer_set(&c->retry, c->backoff, 0);
	ev_timer_start(c->loop, &c->retry);
	c->backoff *= 2;
	if (c->backoff > c->backoff_max)
		c->backoff = c->backoff_max;
}

static void bird_close(struct bird_client *c)
{
	ev_io_stop(c->loop, &c->rio);
	ev_io_stop(c->loop, &c->wio);
	ev_timer_stop(c->loop, &c->timeout);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->conn = BC_DOWN;
	c->rlen = 0;
	c->wpos = 0;
	bird_lines_clear(c);
	c->gen++;
}

/* connection lost or out of step: close, fail commands, reconnect later */
static void bird_drop_code(struct bird_client *c, const char *why, int cur_code)
{
	bool was_up = c->reported_up;

	if (c->conn == BC_DOWN)
		return;
	if (was_up)
		log_warn("bird: %s: %s; reconnecting", c->path, why);
	else
		log_debug("bird: %s: %s", c->path, why);
	bird_close(c);
	c->reported_up = false;
	bird_schedule_retry(c);
	bird_fail_all(c, cur_code);
	if (was_up && c->on_state)
		c->on_state(c->state_arg, false);
}

static void bird_drop(struct bird_client *c, const char *why)
{
	bird_drop_code(c, why, BIRD_EDISCONNECTED);
}

static void bird_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bird_client *c = w->data;

	if (c->conn == BC_GREETING)
		bird_drop(c, "no greeting");
	else
		bird_drop_code(c, "command timed out", BIRD_ETIMEDOUT);
}

static void bird_write_some(struct bird_client *c)
{
	while (c->cur && c->wpos < c->cur->len) {
		ssize_t n = send(c->fd, c->cur->line + c->wpos, c->cur->len - c->wpos,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* never drop from inside bird_cmd(): let the
				 * write watcher find the error again */
				if (ev_is_active(&c->wio) || ev_is_pending(&c->wio)) {
					bird_drop(c, strerror(errno));
					return;
				}
			}
			ev_io_start(c->loop, &c->wio);
			return;
		}
		c->wpos += (size_t)n;
	}
	ev_io_stop(c->loop, &c->wio);
}

static void bird_wio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	bird_write_some(w->data);
}

/* send the next command when none is outstanding */
static void bird_kick(struct bird_client *c)
{
	struct bird_req *q;

	if (c->conn != BC_READY || c->cur || !c->head)
		return;
	q = c->head;
	c->head = q->next;
	if (!c->head)
		c->tail = NULL;
	c->nqueued--;
	q->next = NULL;
	c->cur = q;
	c->wpos = 0;
	log_debug("bird: > %.*s", (int)q->len - 1, q->line);
	ev_timer_stop(c->loop, &c->timeout);
	ev_timer_set(&c->timeout, c->cmd_timeout, 0);
	ev_timer_start(c->loop, &c->timeout);
	bird_write_some(c);
}

static int bird_add_line(struct bird_client *c, int code, const char *text, size_t len)
{
	char *s;

	c->rbytes += len + sizeof(struct bird_line);
	if (c->toobig || c->rbytes > BIRD_REPLY_MAX) {
		c->toobig = true;
		return 0;
	}
	if (c->nlines == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct bird_line *nl = realloc(c->lines, ncap * sizeof(*nl));
		if (!nl)
			return -1;
		c->lines = nl;
		c->cap = ncap;
	}
	s = strndup(text, len);
	if (!s)
		return -1;
	c->lines[c->nlines].code = code;
	c->lines[c->nlines].text = s;
	c->nlines++;
	return 0;
}

static int bird_parse_code(const char *l, size_t len)
{
	if (len < 5)
		return -1;
	for (int i = 0; i < 4; i++)
		if (l[i] < '0' || l[i] > '9')
			return -1;
	if (l[4] != ' ' && l[4] != '-')
		return -1;
	return (l[0] - '0') * 1000 + (l[1] - '0') * 100 + (l[2] - '0') * 10 + (l[3] - '0');
}

/* one line without its newline; returns -1 when the connection is dropped */
static int bird_line(struct bird_client *c, const char *l, size_t len)
{
	int code;
	struct bird_req *q;
	unsigned gen = c->gen;

	if (len > 0 && l[0] == '+')
		return 0;        /* asynchronous message */
	if (len > 0 && l[0] == ' ') {
		if (c->conn != BC_READY || !c->cur || c->nlines == 0) {
			bird_drop(c, "stray continuation line");
			return -1;
		}
		if (bird_add_line(c, c->last_code, l + 1, len - 1) < 0) {
			bird_drop(c, "out of memory");
			return -1;
		}
		return 0;
	}
	code = bird_parse_code(l, len);
	if (code < 0) {
		bird_drop(c, "malformed line from BIRD");
		return -1;
	}
	if (c->conn == BC_GREETING) {
		if (code != 1 || l[4] != ' ') {
			bird_drop(c, "unexpected greeting");
			return -1;
		}
		snprintf(c->greeting, sizeof(c->greeting), "%.*s", (int)(len - 5), l + 5);
		ev_timer_stop(c->loop, &c->timeout);
		c->conn = BC_READY;
		c->backoff = c->backoff_min;
		c->reported_up = true;
		log_info("bird: connected to %s: %s", c->path, c->greeting);
		if (c->on_state)
			c->on_state(c->state_arg, true);
		if (gen != c->gen)
			return -1;
		bird_kick(c);
		return gen == c->gen ? 0 : -1;
	}
	if (!c->cur) {
		bird_drop(c, "reply without a command");
		return -1;
	}
	c->last_code = code;
	if (l[4] == '-') {
		if (bird_add_line(c, code, l + 5, len - 5) < 0) {
			bird_drop(c, "out of memory");
			return -1;
		}
		return 0;
	}
	/* final line */
	ev_timer_stop(c->loop, &c->timeout);
	q = c->cur;
	c->cur = NULL;
	if (c->toobig) {
		log_warn("bird: reply to '%.*s' too big, discarded", (int)q->len - 1, q->line);
		bird_complete(q, BIRD_ETOOBIG, "", NULL, 0);
	} else {
		char *text = strndup(l + 5, len - 5);
		if (code >= 8000)
			log_debug("bird: '%.*s': %04d %s", (int)q->len - 1, q->line, code,
				  text ? text : "");
		bird_complete(q, code, text ? text : "", c->lines, c->nlines);
		free(text);
	}
	if (gen != c->gen)
		return -1;
	bird_lines_clear(c);
	bird_kick(c);
	return gen == c->gen ? 0 : -1;
}

static void bird_rio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bird_client *c = w->data;
	ssize_t n;
	size_t start = 0;

	n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		bird_drop(c, strerror(errno));
		return;
	}
	if (n == 0) {
		bird_drop(c, "BIRD closed the connection");
		return;
	}
	c->rlen += (size_t)n;
	for (;;) {
		char *nl = memchr(c->rbuf + start, '\n', c->rlen - start);
		if (!nl)
			break;
		if (bird_line(c, c->rbuf + start, (size_t)(nl - (c->rbuf + start))) < 0)
			return;  /* dropped: buffer already reset */
		start = (size_t)(nl - c->rbuf) + 1;
	}
	memmove(c->rbuf, c->rbuf + start, c->rlen - start);
	c->rlen -= start;
	if (c->rlen == sizeof(c->rbuf))
		bird_drop(c, "line from BIRD too long");
}

static void bird_connect(struct bird_client *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (c->conn != BC_DOWN)
		return;
	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		log_err("bird: socket path too long: %s", c->path);
		return;
	}
	strcpy(sun.sun_path, c->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("bird: socket: %s", strerror(errno));
		bird_schedule_retry(c);
		return;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* a unix connect either succeeds at once or fails (EAGAIN:
		 * backlog full); both are retried with backoff */
		c->connect_errno = errno;
		log_debug("bird: connect %s: %s", c->path, strerror(errno));
		close(fd);
		bird_schedule_retry(c);
		return;
	}
	c->connect_errno = 0;
	c->fd = fd;
	c->conn = BC_GREETING;
	ev_io_set(&c->rio, fd, EV_READ);
	ev_io_set(&c->wio, fd, EV_WRITE);
	ev_io_start(c->loop, &c->rio);
	ev_timer_set(&c->timeout, c->cmd_timeout, 0);
	ev_timer_start(c->loop, &c->timeout);
}

struct bird_client *bird_new(struct ev_loop *loop, const char *socket_path,
			     bird_state_cb on_state, void *arg)
{
	struct bird_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->path = strdup(socket_path);
	if (!c->path) {
		free(c);
		return NULL;
	}
	c->loop = loop;
	c->on_state = on_state;
	c->state_arg = arg;
	c->fd = -1;
	c->cmd_timeout = 10;
	c->backoff_min = c->backoff = 0.05;
	c->backoff_max = 2;
	ev_io_init(&c->rio, bird_rio_cb, -1, EV_READ);
	ev_io_init(&c->wio, bird_wio_cb, -1, EV_WRITE);
	ev_timer_init(&c->retry, bird_retry_cb, 0, 0);
	ev_timer_init(&c->timeout, bird_timeout_cb, 0, 0);
	c->rio.data = c->wio.data = c->retry.data = c->timeout.data = c;
	bird_connect(c);
	return c;
}

void bird_free(struct bird_client *c)
{
	if (!c)
		return;
	bird_close(c);
	ev_timer_stop(c->loop, &c->retry);
	free(c->cur);
	bird_free_queue(c->head);
	free(c->lines);
	free(c->path);
	free(c);
}

void bird_set_timeouts(struct bird_client *c, double cmd_timeout,
		       double backoff_min, double backoff_max)
{
	if (cmd_timeout > 0)
		c->cmd_timeout = cmd_timeout;
	if (backoff_min > 0)
		c->backoff_min = c->backoff = backoff_min;
	if (backoff_max >= c->backoff_min)
		c->backoff_max = backoff_max;
}

static int bird_enqueue(struct bird_client *c, const char *cmd, bird_reply_cb cb,
			void *arg, bool urgent)
{
	size_t len = strlen(cmd);
	struct bird_req *q;

	if (c->conn == BC_DOWN) {
		errno = ENOTCONN;
		return -1;
	}
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	if (len > BIRD_CMD_MAX) {
		errno = E2BIG;
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)cmd[i];
		if (ch < 0x20 || ch == 0x7f) {
			errno = EINVAL;
			return -1;
		}
	}
	if (c->nqueued >= BIRD_QUEUE_MAX) {
		errno = ENOBUFS;
		return -1;
	}
	q = malloc(sizeof(*q) + len + 1);
	if (!q)
		return -1;
	memcpy(q->line, cmd, len);
	q->line[len] = '\n';
	q->len = len + 1;
	q->cb = cb;
	q->arg = arg;
	q->next = NULL;
	if (urgent) {
		q->next = c->head;
		c->head = q;
		if (!c->tail)
			c->tail = q;
	} else {
		if (c->tail)
			c->tail->next = q;
		else
			c->head = q;
		c->tail = q;
	}
	c->nqueued++;
	bird_kick(c);
	return 0;
}

int bird_cmd(struct bird_client *c, const char *cmd, bird_reply_cb cb, void *arg)
{
	return bird_enqueue(c, cmd, cb, arg, false);
}

int bird_cmd_urgent(struct bird_client *c, const char *cmd, bird_reply_cb cb, void *arg)
{
	return bird_enqueue(c, cmd, cb, arg, true);
}

void bird_cancel(struct bird_client *c, void *arg)
{
	struct bird_req *q = c->head, *keep = NULL, *ktail = NULL, *gone = NULL;

	if (c->cur && c->cur->arg == arg)
		c->cur->cb = NULL;
	c->nqueued = 0;
	while (q) {
		struct bird_req *next = q->next;
		q->next = NULL;
		if (q->arg == arg) {
			q->next = gone;
			gone = q;
		} else {
			if (ktail)
				ktail->next = q;
			else
				keep = q;
			ktail = q;
			c->nqueued++;
		}
		q = next;
	}
	c->head = keep;
	c->tail = ktail;
	bird_free_queue(gone);
}

bool bird_connected(const struct bird_client *c)
{
	return c->conn == BC_READY;
}

bool bird_not_running(const struct bird_client *c)
{
	return c->conn == BC_DOWN &&
	       (c->connect_errno == ENOENT || c->connect_errno == ECONNREFUSED);
}

const char *bird_greeting(const struct bird_client *c)
{
	return c->greeting;
}

size_t bird_pending(const struct bird_client *c)
{
	return c->nqueued + (c->cur ? 1 : 0);
}

int bird_reply_find(const struct bird_reply *r, int code)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (r->lines[i].code == code)
			return (int)i;
	return -1;
}

bool bird_reply_ok(const struct bird_reply *r)
{
	return r->code >= 0 && r->code < 8000;
}

const char *bird_reply_strerror(const struct bird_reply *r)
{
	switch (r->code) {
	case BIRD_ETIMEDOUT:
		return "timed out";
	case BIRD_EDISCONNECTED:
		return "disconnected from BIRD";
	case BIRD_ETOOBIG:
		return "reply too big";
	}
	return r->text;
}

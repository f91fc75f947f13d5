/* unit tests for ctlsock: the generic control socket (stale and live
 * sockets, line limit, garbage, pipelined requests, deferred replies, and
 * under attack: idle clients filling every slot, a client pipelining
 * without reading, trickled bytes, no descriptor left) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ev.h>
#include <json.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/ctlsock.h"

struct fx {
	struct ev_loop *loop;
	struct ctlsock *s;
	struct ctlsock_conn *held;
	int handled;
	char dir[48], path[96];
};

/* {"command": "defer"} defers; any other object is echoed; garbage refused */
static json_object *fx_handler(void *arg, struct ctlsock_conn *c, const char *line)
{
	struct fx *f = arg;
	json_object *req = ctlsock_json_object(line, strlen(line)), *cmd = NULL, *r = NULL;

	f->handled++;
	if (!req)
		return ctlsock_error("bad request");
	const char *w = json_object_object_get_ex(req, "command", &cmd) ?
			json_object_get_string(cmd) : "";
	if (strcmp(w, "defer") == 0) {
		f->held = ctlsock_defer(c);
	} else {
		r = json_object_new_object();
		json_object_object_add(r, "ok", json_object_new_boolean(1));
		json_object_object_add(r, "echo", json_object_new_string(w));
	}
	json_object_put(req);
	return r;
}

static void fx_start(struct fx *f);

/* start: serve at once */
static struct fx *fx_new(bool start)
{
	struct fx *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/raiz-test-ctlsock.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/ctl.sock", f->dir);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	if (start)
		fx_start(f);
	return f;
}

static void fx_start(struct fx *f)
{
	char err[256];
	f->s = ctlsock_new(f->loop, f->path, 0660, "test", fx_handler, f, err, sizeof err);
	assert_non_null(f->s);
}

static void fx_free(struct fx *f)
{
	struct stat st;
	ctlsock_free(f->s);
	assert_int_not_equal(stat(f->path, &st), 0);   /* removed */
	ev_loop_destroy(f->loop);
	rmdir(f->dir);
	free(f);
}

static int fx_connect(struct fx *f)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	return fd;
}

static void fx_send(int fd, const char *txt)
{
	assert_int_equal(send(fd, txt, strlen(txt), MSG_NOSIGNAL), (ssize_t)strlen(txt));
}

/* runs the loop until `want` lines arrived on fd, EOF (*eof) or 2 s */
static size_t fx_read(struct fx *f, int fd, char *buf, size_t cap, int want, bool *eof)
{
	size_t got = 0;
	int lines = 0;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (eof)
		*eof = false;
	for (;;) {
		ev_run(f->loop, EVRUN_NOWAIT);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5) > 0) {
			ssize_t r = recv(fd, buf + got, cap - 1 - got, MSG_DONTWAIT);
			if (r == 0) {
				if (eof)
					*eof = true;
				break;
			}
			for (ssize_t i = 0; i < r; i++)
				lines += buf[got + (size_t)i] == '\n';
			if (r > 0)
				got += (size_t)r;
		}
		if (lines >= want && !eof)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 2 || got == cap - 1)
			break;
	}
	buf[got] = '\0';
	return got;
}

/* sends req and expects exactly the reply line want */
static void fx_ask(struct fx *f, int fd, const char *req, const char *want)
{
	char buf[4096];
	fx_send(fd, req);
	fx_read(f, fd, buf, sizeof buf, 1, NULL);
	assert_string_equal(buf, want);
}

static void fx_spin(struct fx *f, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		ev_run(f->loop, EVRUN_NOWAIT);
		usleep(2000);
	}
}

static void test_stale_and_live(void **state)
{
	(void)state;
	struct fx *f = fx_new(false);
	char err[256];
	struct stat st;

	/* a regular file is not taken over */
	FILE *fp = fopen(f->path, "w");
	fclose(fp);
	assert_null(ctlsock_new(f->loop, f->path, 0660, "test", fx_handler, f, err, sizeof err));
	assert_non_null(strstr(err, "not a socket"));
	unlink(f->path);

	/* a stale socket file (bound, nobody listening) is replaced */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	close(fd);
	assert_int_equal(stat(f->path, &st), 0);
	fx_start(f);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);

	/* a live one is refused, and left alone */
	struct ev_loop *l2 = ev_loop_new(EVFLAG_AUTO);
	assert_null(ctlsock_new(l2, f->path, 0660, "raiz-test", fx_handler, f, err, sizeof err));
	assert_non_null(strstr(err, "in use: is raiz-test already running?"));
	ev_loop_destroy(l2);
	fd = fx_connect(f);
	fx_ask(f, fd, "{\"command\": \"x\"}\n", "{\"ok\":true,\"echo\":\"x\"}\n");
	close(fd);
	fx_free(f);
}

static void test_lines(void **state)
{
	(void)state;
	struct fx *f = fx_new(true);
	char buf[4096];
	bool eof;

	/* two requests (and a blank line, and CRLF) in one write, garbage in between */
	int fd = fx_connect(f);
	fx_send(fd, "{\"command\": \"a\"}\r\n\nnot json\n{\"command\": \"b\"} x\n{\"command\": \"c\"}\n");
	fx_read(f, fd, buf, sizeof buf, 4, NULL);
	assert_string_equal(buf, "{\"ok\":true,\"echo\":\"a\"}\n"
				 "{\"ok\":false,\"error\":\"bad request\"}\n"
				 "{\"ok\":false,\"error\":\"bad request\"}\n"
				 "{\"ok\":true,\"echo\":\"c\"}\n");
	assert_int_equal(f->handled, 4);

	/* a request split over two writes */
	fx_send(fd, "{\"command\":");
	fx_spin(f, 5);
	fx_ask(f, fd, " \"d\"}\n", "{\"ok\":true,\"echo\":\"d\"}\n");
	close(fd);

	/* a line that fills the buffer: an error, then the connection closes */
	fd = fx_connect(f);
	char *big = malloc(CTLSOCK_LINE_MAX + 100);
	memset(big, 'x', CTLSOCK_LINE_MAX + 100);
	(void)send(fd, big, CTLSOCK_LINE_MAX + 100, MSG_NOSIGNAL);
	free(big);
	fx_read(f, fd, buf, sizeof buf, 1, &eof);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"request line too long\"}\n");
	assert_true(eof);
	close(fd);

	/* a line one byte short of the limit is still handled */
	fd = fx_connect(f);
	char *ok = malloc(CTLSOCK_LINE_MAX);
	memset(ok, ' ', CTLSOCK_LINE_MAX);
	memcpy(ok, "{\"command\": \"e\"}", 16);
	ok[CTLSOCK_LINE_MAX - 1] = '\n';
	assert_int_equal(send(fd, ok, CTLSOCK_LINE_MAX, MSG_NOSIGNAL), CTLSOCK_LINE_MAX);
	free(ok);
	fx_read(f, fd, buf, sizeof buf, 1, NULL);
	assert_string_equal(buf, "{\"ok\":true,\"echo\":\"e\"}\n");
	close(fd);
	fx_free(f);
}

static void test_deferred(void **state)
{
	(void)state;
	struct fx *f = fx_new(true);
	char buf[4096];
	bool eof;

	/* the deferred reply comes first; the line after it waits for it */
	int fd = fx_connect(f);
	fx_ask(f, fd, "{\"command\": \"defer\"}\n{\"command\": \"after\"}\n", "");
	assert_non_null(f->held);
	assert_int_equal(f->handled, 1);
	ctlsock_reply(f->held, ctlsock_error("late"));
	f->held = NULL;
	fx_read(f, fd, buf, sizeof buf, 2, NULL);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"late\"}\n"
				 "{\"ok\":true,\"echo\":\"after\"}\n");

	/* half-closed client: still answered, then closed */
	fx_send(fd, "{\"command\": \"defer\"}\n");
	shutdown(fd, SHUT_WR);
	fx_spin(f, 10);
	assert_non_null(f->held);
	ctlsock_reply(f->held, ctlsock_error("late2"));
	f->held = NULL;
	fx_read(f, fd, buf, sizeof buf, 1, &eof);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"late2\"}\n");
	assert_true(eof);
	close(fd);

	/* the client goes away before the reply: the held connection stays
	 * valid until answered, then is freed (ASan/LSan check) */
	fd = fx_connect(f);
	fx_send(fd, "{\"command\": \"defer\"}\n");
	fx_spin(f, 10);
	assert_non_null(f->held);
	close(fd);
	fx_spin(f, 10);
	ctlsock_reply(f->held, ctlsock_error("nobody listens"));
	f->held = NULL;

	/* the server goes on */
	fd = fx_connect(f);
	fx_ask(f, fd, "{\"command\": \"y\"}\n", "{\"ok\":true,\"echo\":\"y\"}\n");
	close(fd);

	/* ctlsock_free() while a reply is owed: answered afterwards */
	fd = fx_connect(f);
	fx_send(fd, "{\"command\": \"defer\"}\n");
	fx_spin(f, 10);
	assert_non_null(f->held);
	struct ctlsock_conn *held = f->held;
	fx_free(f);
	ctlsock_reply(held, ctlsock_error("gone"));
	assert_int_equal(recv(fd, buf, sizeof buf, 0), 0);   /* closed, no reply */
	close(fd);
}

static double fx_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* true when the server closed fd within `secs` (the loop runs meanwhile) */
static bool fx_closed_within(struct fx *f, int fd, double secs)
{
	double end = fx_now() + secs;
	char b[256];
	while (fx_now() < end) {
		ev_run(f->loop, EVRUN_NOWAIT);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 5) > 0) {
			ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno == ECONNRESET))
				return true;
		}
	}
	return false;
}

/* CTLSOCK_CONN_MAX idle clients do not lock the next one out: the least
 * recently active makes room; one owed a reply is never the one closed */
static void test_full_of_idle(void **state)
{
	(void)state;
	struct fx *f = fx_new(true);
	int fds[CTLSOCK_CONN_MAX];
	int held = fx_connect(f);
	fx_send(held, "{\"command\": \"defer\"}\n");
	fx_spin(f, 5);
	assert_non_null(f->held);
	for (int i = 0; i < CTLSOCK_CONN_MAX - 1; i++) {
		fds[i] = fx_connect(f);
		fx_spin(f, 1);
	}
	struct ctlsock_stats st;
	ctlsock_get_stats(f->s, &st);
	assert_int_equal(st.clients, CTLSOCK_CONN_MAX);
	for (int round = 0; round < 3; round++) {
		int fd = fx_connect(f);
		fx_ask(f, fd, "{\"command\": \"in\"}\n", "{\"ok\":true,\"echo\":\"in\"}\n");
		close(fd);
		fx_spin(f, 2);
	}
	assert_true(fx_closed_within(f, fds[0], 1.0));   /* the oldest idle one */
	ctlsock_get_stats(f->s, &st);
	assert_int_equal(st.evicted, 1);   /* the later ones found a free slot */
	assert_int_equal(st.refused, 0);
	ctlsock_reply(f->held, ctlsock_error("late"));    /* still connected */
	f->held = NULL;
	char buf[256];
	fx_read(f, held, buf, sizeof buf, 1, NULL);
	assert_string_equal(buf, "{\"ok\":false,\"error\":\"late\"}\n");
	for (int i = 0; i < CTLSOCK_CONN_MAX - 1; i++)
		close(fds[i]);
	close(held);
	fx_free(f);
}

/* a client that pipelines requests and never reads is served a bounded
 * number of replies, then read no more; others are answered meanwhile */
static void test_pipeline_unread(void **state)
{
	(void)state;
	struct fx *f = fx_new(true);
	int hog = fx_connect(f);
	fcntl(hog, F_SETFL, O_NONBLOCK);
	static const char req[] = "{\"command\":\"status\"}\n";
	char chunk[64 * (sizeof req - 1)];
	for (size_t i = 0; i < 64; i++)
		memcpy(chunk + i * (sizeof req - 1), req, sizeof req - 1);
	size_t sent = 0, stuck = 0;
	while (sent < 200000 * (sizeof req - 1) && stuck < 50) {
		ssize_t r = send(hog, chunk, sizeof chunk, MSG_NOSIGNAL);
		if (r > 0) {
			sent += (size_t)r;
			stuck = 0;
		} else {
			assert_true(r < 0 && errno == EAGAIN);
			stuck++;
		}
		ev_run(f->loop, EVRUN_NOWAIT);
	}
	assert_int_equal(stuck, 50);          /* the server stopped reading it */
	int handled = f->handled;
	assert_true(handled < 40000);         /* (kernel buffer + 64 KiB) of replies */
	fx_spin(f, 20);
	assert_int_equal(f->handled, handled);
	int fd = fx_connect(f);
	fx_ask(f, fd, "{\"command\": \"y\"}\n", "{\"ok\":true,\"echo\":\"y\"}\n");
	close(fd);
	/* once the hog reads, its waiting requests are answered again */
	char buf[65536];
	for (int i = 0; i < 20; i++) {
		while (recv(hog, buf, sizeof buf, MSG_DONTWAIT) > 0)
			;
		fx_spin(f, 2);
	}
	assert_true(f->handled > handled + 1);
	close(hog);
	fx_free(f);
}

/* bytes trickled without a newline do not keep a client: the idle cut
 * runs from its last request; requests more often than that keep it */
static void test_trickle_idle(void **state)
{
	(void)state;
	struct fx *f = fx_new(true);
	ctlsock_set_idle(f->s, 0.3);
	int fd = fx_connect(f);
	int bytes = 0;
	bool closed = false;
	while (!closed && bytes < 40) {
		if (send(fd, "x", 1, MSG_NOSIGNAL) != 1)
			break;
		bytes++;
		closed = fx_closed_within(f, fd, 0.05);   /* a byte every 50 ms */
	}
	assert_true(closed);
	assert_true(bytes < 20);                          /* cut at about 0.3 s */
	close(fd);

	fd = fx_connect(f);
	for (int i = 0; i < 4; i++) {
		fx_ask(f, fd, "{\"command\": \"k\"}\n", "{\"ok\":true,\"echo\":\"k\"}\n");
		assert_false(fx_closed_within(f, fd, 0.2));
	}
	close(fd);
	fx_free(f);
}

/* no descriptor left (say TCP clients hold them all): the one kept in
 * reserve lets the operator in; after that accepting pauses rather than
 * spinning, and resumes once descriptors are free */
static void test_out_of_descriptors(void **state)
{
	(void)state;
	struct fx *f = fx_new(true);
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	int a = socket(AF_UNIX, SOCK_STREAM, 0), b = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(a >= 0 && b >= 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);

	/* fill the descriptor table */
	low = old;
	low.rlim_cur = 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int fill[256], nfill = 0;
	for (;;) {
		int d = dup(0);
		if (d < 0) {
			assert_int_equal(errno, EMFILE);
			break;
		}
		fill[nfill++] = d;
	}
	assert_int_equal(connect(a, (struct sockaddr *)&sun, sizeof sun), 0);
	fx_ask(f, a, "{\"command\": \"in\"}\n", "{\"ok\":true,\"echo\":\"in\"}\n");

	assert_int_equal(connect(b, (struct sockaddr *)&sun, sizeof sun), 0);
	fx_send(b, "{\"command\": \"b\"}\n");
	fx_spin(f, 50);
	struct ctlsock_stats st;
	ctlsock_get_stats(f->s, &st);
	assert_true(st.paused);
	assert_true(st.emfile >= 2 && st.emfile <= 3);   /* not once per loop round */

	while (nfill)
		close(fill[--nfill]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	char buf[256];
	fx_read(f, b, buf, sizeof buf, 1, NULL);
	assert_string_equal(buf, "{\"ok\":true,\"echo\":\"b\"}\n");
	ctlsock_get_stats(f->s, &st);
	assert_false(st.paused);
	close(a);
	close(b);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stale_and_live),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_full_of_idle),
		cmocka_unit_test(test_pipeline_unread),
		cmocka_unit_test(test_trickle_idle),
		cmocka_unit_test(test_out_of_descriptors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

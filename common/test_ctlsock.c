/* unit tests for ctlsock: the generic control socket (stale and live
 * sockets, line limit, garbage, pipelined requests, deferred replies) */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stale_and_live),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_deferred),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests for control: request parsing, reply objects, and the
 * commands served on a control socket (the transport itself: line limit,
 * deferred replies, stale sockets, is tested in common/test_ctlsock.c) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ev.h>
#include <json.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/config.h"
#include "dnsd/control.h"
#include "dnsd/server.h"
#include "dnsd/snapshot.h"
#include "dnsd/zoneset.h"

static void test_parse(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(control_parse("status", err, sizeof err), CONTROL_STATUS);
	assert_int_equal(control_parse("  stats \r", err, sizeof err), CONTROL_STATS);
	assert_int_equal(control_parse("reload", err, sizeof err), CONTROL_RELOAD);
	assert_int_equal(control_parse("", err, sizeof err), CONTROL_NONE);
	assert_int_equal(control_parse("   ", err, sizeof err), CONTROL_NONE);
	assert_int_equal(control_parse("{\"command\": \"status\"}", err, sizeof err),
			 CONTROL_STATUS);
	assert_int_equal(control_parse("{\"command\":\"reload\"} ", err, sizeof err),
			 CONTROL_RELOAD);
	assert_int_equal(control_parse("statusx", err, sizeof err), CONTROL_BAD);
	assert_non_null(strstr(err, "unknown command \"statusx\""));
	assert_int_equal(control_parse("{\"command\": 1}", err, sizeof err), CONTROL_BAD);
	assert_int_equal(control_parse("{\"cmd\": \"status\"}", err, sizeof err), CONTROL_BAD);
	assert_int_equal(control_parse("{\"command\": \"status\"", err, sizeof err), CONTROL_BAD);
	assert_int_equal(control_parse("{\"command\": \"status\"} x", err, sizeof err),
			 CONTROL_BAD);
	assert_int_equal(control_parse("[1]", err, sizeof err), CONTROL_BAD);
}

static void test_stats_json(void **state)
{
	(void)state;
	struct server_stats st;
	memset(&st, 0, sizeof st);
	st.q.queries[QUERY_UDP] = 5;
	st.q.queries[QUERY_TCP] = 2;
	st.q.rcode[0] = 4;
	st.q.rcode[5] = 3;
	st.q.badvers = 1;
	st.tcp.accepted = 9;
	struct json_object *o = control_stats_json(&st);
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(s, "\"queries\":{\"udp\":5,\"tcp\":2,\"total\":7}"));
	assert_non_null(strstr(s, "\"NOERROR\":4"));
	assert_non_null(strstr(s, "\"REFUSED\":3"));
	assert_non_null(strstr(s, "\"badvers\":1"));
	assert_non_null(strstr(s, "\"accepted\":9"));
	assert_null(strstr(s, "RCODE12"));
	assert_non_null(strstr(s, "\"ok\":true"));
	json_object_put(o);
}

struct fixture {
	struct raiz_config cfg;
	struct snapshot_rcu *rcu;
	struct ev_loop *loop;
	ev_async stop;
	struct control *ctl;
	pthread_t th;
	char dir[48], path[96];
};

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void *loop_main(void *arg)
{
	struct fixture *f = arg;
	ev_run(f->loop, 0);
	return NULL;
}

static int connect_to(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* reads lines until `want` newlines or EOF/timeout */
static size_t read_lines(int fd, char *buf, size_t cap, int want)
{
	size_t got = 0;
	int lines = 0;
	while (lines < want && got < cap - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 2000) <= 0)
			break;
		ssize_t r = recv(fd, buf + got, cap - 1 - got, 0);
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			lines += buf[got + (size_t)i] == '\n';
		got += (size_t)r;
	}
	buf[got] = '\0';
	return got;
}

static void test_socket(void **state)
{
	(void)state;
	struct fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/raiz-test-control.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/dnsd.sock", f->dir);
	f->cfg.dnsd.identity = (char *)"gru1";
	struct snapshot *s = snapshot_new(&f->cfg, false, zoneset_build(&f->cfg, NULL), NULL);
	f->rcu = snapshot_rcu_new(1, s);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	ev_async_init(&f->stop, stop_cb);
	ev_async_start(f->loop, &f->stop);
	struct control_env env = {
		.version = "raiz-dnsd test",
		.started = time(NULL),
		.reader = snapshot_rcu_reader(f->rcu, 0),
	};
	char err[256];
	f->ctl = control_new(f->loop, f->path, &env, err, sizeof err);
	assert_non_null(f->ctl);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);

	/* a second instance must not steal a live socket */
	struct ev_loop *l2 = ev_loop_new(EVFLAG_AUTO);
	assert_null(control_new(l2, f->path, &env, err, sizeof err));
	assert_non_null(strstr(err, "in use"));
	ev_loop_destroy(l2);

	assert_int_equal(pthread_create(&f->th, NULL, loop_main, f), 0);

	int fd = connect_to(f->path);
	assert_true(fd >= 0);
	const char req[] = "status\n\n{\"command\": \"stats\"}\nbogus\n";
	assert_int_equal(send(fd, req, sizeof req - 1, 0), (ssize_t)sizeof req - 1);
	char buf[8192];
	read_lines(fd, buf, sizeof buf, 3);
	char *l1 = buf, *l2s = strchr(l1, '\n');
	assert_non_null(l2s);
	*l2s++ = '\0';
	char *l3 = strchr(l2s, '\n');
	assert_non_null(l3);
	*l3++ = '\0';
	assert_non_null(strstr(l1, "\"ok\":true"));
	assert_non_null(strstr(l1, "\"version\":\"raiz-dnsd test\""));
	assert_non_null(strstr(l1, "\"identity\":\"gru1\""));
	assert_non_null(strstr(l1, "\"zones\":[]"));
	assert_non_null(strstr(l2s, "\"ok\":false"));     /* no server: no stats */
	assert_non_null(strstr(l3, "\"ok\":false"));
	assert_non_null(strstr(l3, "unknown command"));
	close(fd);

	ev_async_send(f->loop, &f->stop);
	pthread_join(f->th, NULL);
	control_free(f->ctl);
	assert_int_not_equal(stat(f->path, &st), 0);   /* removed */
	ev_async_stop(f->loop, &f->stop);
	ev_loop_destroy(f->loop);
	snapshot_rcu_free(f->rcu);
	rmdir(f->dir);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

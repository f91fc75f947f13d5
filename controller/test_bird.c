/* unit tests for bird.c against a real, private BIRD 2 (and, for protocol
 * corner cases BIRD cannot be made to produce, a scripted unix socket) */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "controller/bird.h"
#include "controller/birdrun.h"

struct reply {
	bool done;
	int code;
	char text[256];
	size_t nlines;
	char lines[64][160];
	int codes[64];
	int order;
};

struct fx {
	struct ev_loop *loop;
	char dir[64];
	char conf[128], sock[128], pid[128];
	struct birdrun bird;
	struct bird_client *c;
	int ups, downs;
	bool connected;
	int seq;
};

static struct fx *cur_fx;

static void on_state(void *arg, bool up)
{
	struct fx *f = arg;

	f->connected = up;
	if (up)
		f->ups++;
	else
		f->downs++;
}

static void on_reply(void *arg, const struct bird_reply *r)
{
	struct reply *x = arg;

	assert_false(x->done);
	x->done = true;
	x->code = r->code;
	x->order = ++cur_fx->seq;
	snprintf(x->text, sizeof(x->text), "%s", r->text);
	x->nlines = r->nlines;
	for (size_t i = 0; i < r->nlines && i < 64; i++) {
		snprintf(x->lines[i], sizeof(x->lines[i]), "%s", r->lines[i].text);
		x->codes[i] = r->lines[i].code;
	}
}

static bool reply_done(void *arg) { return ((struct reply *)arg)->done; }
static bool is_up(void *arg) { return ((struct fx *)arg)->connected; }
static bool is_down(void *arg) { return !((struct fx *)arg)->connected; }

static void cmd_sync(struct fx *f, const char *cmd, struct reply *x)
{
	memset(x, 0, sizeof(*x));
	assert_int_equal(bird_cmd(f->c, cmd, on_reply, x), 0);
	assert_true(birdrun_wait(f->loop, reply_done, x, 5));
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char node_addr[32], isp_addr[32];
	const char *kv[] = { "DIR", NULL, "NODE_ADDR", birdrun_addr(node_addr, sizeof node_addr, 12),
			     "ISP_ADDR", birdrun_addr(isp_addr, sizeof isp_addr, 13),
			     "NODE_PORT", NULL, "ISP_PORT", NULL, NULL };
	char state_path[128], port[2][8];

	if (!birdrun_available()) {
		free(f);
		return -1;
	}
	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_int_equal(birdrun_mkdir(f->dir, sizeof(f->dir)), 0);
	kv[1] = f->dir;
	snprintf(port[0], sizeof(port[0]), "%d", birdrun_free_port(node_addr));
	snprintf(port[1], sizeof(port[1]), "%d", birdrun_free_port(isp_addr));
	kv[7] = port[0];
	kv[9] = port[1];
	snprintf(f->conf, sizeof(f->conf), "%s/node.conf", f->dir);
	snprintf(f->sock, sizeof(f->sock), "%s/bird.ctl", f->dir);
	snprintf(f->pid, sizeof(f->pid), "%s/bird.pid", f->dir);
	snprintf(state_path, sizeof(state_path), "%s/state.conf", f->dir);
	assert_int_equal(birdrun_template("node.conf.in", f->conf, kv), 0);
	assert_int_equal(birdrun_copy("state.conf", state_path), 0);
	assert_int_equal(birdrun_start(&f->bird, f->conf, f->sock, f->pid), 0);
	f->c = bird_new(f->loop, f->sock, on_state, f);
	assert_non_null(f->c);
	bird_set_timeouts(f->c, 2, 0.02, 0.2);
	cur_fx = f;
	assert_true(birdrun_wait(f->loop, is_up, f, 5));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (!f)
		return 0;
	bird_free(f->c);
	birdrun_stop(&f->bird);
	birdrun_rmdir(f->dir);
	ev_loop_destroy(f->loop);
	free(f);
	return 0;
}

static void test_greeting_and_status(void **state)
{
	struct fx *f = *state;
	struct reply x;

	assert_true(bird_connected(f->c));
	assert_string_equal(bird_greeting(f->c), "BIRD 2.0.12 ready.");
	cmd_sync(f, "show status", &x);
	assert_int_equal(x.code, 13);
	assert_string_equal(x.text, "Daemon is up and running");
	assert_true(x.nlines >= 4);
	assert_int_equal(x.codes[0], 1000);
	assert_string_equal(x.lines[0], "BIRD 2.0.12");
	/* continuation lines inherit the code of the line before */
	assert_string_equal(x.lines[1], "Router ID is 192.0.2.1");
	assert_int_equal(x.codes[1], 1011);
	assert_int_equal(x.codes[2], 1011);
	assert_non_null(strstr(x.lines[x.nlines - 1], "Last reconfiguration on "));
}

static bool row_state(const struct reply *x, const char *proto, const char *state)
{
	size_t l = strlen(proto);

	for (size_t i = 0; i < x->nlines; i++)
		if (strncmp(x->lines[i], proto, l) == 0 && x->lines[i][l] == ' ')
			return strstr(x->lines[i], state) != NULL;
	return false;
}

static void test_disable_enable(void **state)
{
	struct fx *f = *state;
	struct reply x;

	cmd_sync(f, "show protocols", &x);
	assert_int_equal(x.code, 0);
	assert_int_equal(x.codes[0], 2002);
	assert_true(row_state(&x, "raiz_v4", " down "));   /* state.conf: withdrawn */
	cmd_sync(f, "enable \"raiz_v4\"", &x);
	assert_int_equal(x.codes[0], 11);
	cmd_sync(f, "enable \"raiz_v4\"", &x);
	assert_int_equal(x.codes[0], 10);
	cmd_sync(f, "show protocols", &x);
	assert_true(row_state(&x, "raiz_v4", " up "));
	cmd_sync(f, "disable \"raiz_v4\" \"test\"", &x);
	assert_int_equal(x.codes[0], 9);
	cmd_sync(f, "disable \"raiz_v4\"", &x);
	assert_int_equal(x.codes[0], 8);
	cmd_sync(f, "show protocols raiz_v4", &x);
	assert_true(row_state(&x, "raiz_v4", " down "));
}

static void test_errors_keep_connection(void **state)
{
	struct fx *f = *state;
	struct reply x;

	cmd_sync(f, "disable \"nosuch\"", &x);
	assert_int_equal(x.code, 8003);
	assert_false(bird_reply_ok(&(struct bird_reply){ .code = x.code }));
	cmd_sync(f, "disable nosuch", &x);
	assert_int_equal(x.code, 9001);
	cmd_sync(f, "sh pro", &x);             /* no abbreviations */
	assert_int_equal(x.code, 9001);
	cmd_sync(f, "show route 198.51.100.0/24", &x);
	assert_int_equal(x.code, 8001);
	cmd_sync(f, "show status", &x);
	assert_int_equal(x.code, 13);
	assert_int_equal(f->downs, 0);
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct reply x;
	char big[BIRD_CMD_MAX + 2];

	memset(&x, 0, sizeof(x));
	errno = 0;
	assert_int_equal(bird_cmd(f->c, "", on_reply, &x), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bird_cmd(f->c, "show status\nshow status", on_reply, &x), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bird_cmd(f->c, "show\tstatus", on_reply, &x), -1);
	assert_int_equal(errno, EINVAL);
	memset(big, ' ', sizeof(big));
	memcpy(big, "show status", 11);
	big[BIRD_CMD_MAX + 1] = '\0';
	assert_int_equal(bird_cmd(f->c, big, on_reply, &x), -1);
	assert_int_equal(errno, E2BIG);
	/* exactly BIRD_CMD_MAX is sent, and BIRD answers it */
	big[BIRD_CMD_MAX] = '\0';
	cmd_sync(f, big, &x);
	assert_int_equal(x.code, 13);
	assert_int_equal(bird_pending(f->c), 0);
	assert_int_equal(f->downs, 0);
}

static void test_queue_order_urgent_cancel(void **state)
{
	struct fx *f = *state;
	static struct reply x[BIRD_QUEUE_MAX + 10];
	struct reply u, gone;
	int accepted = 0, refused = 0;

	memset(x, 0, sizeof(x));
	memset(&u, 0, sizeof(u));
	memset(&gone, 0, sizeof(gone));
	for (size_t i = 0; i < BIRD_QUEUE_MAX + 10; i++) {
		if (bird_cmd(f->c, "show protocols", on_reply, &x[i]) == 0) {
			accepted++;
		} else {
			assert_int_equal(errno, ENOBUFS);
			x[i].done = true;
			refused++;
		}
	}
	/* one sent at once, BIRD_QUEUE_MAX waiting */
	assert_int_equal(accepted, BIRD_QUEUE_MAX + 1);
	assert_int_equal(refused, 9);
	assert_int_equal(bird_pending(f->c), BIRD_QUEUE_MAX + 1);
	/* cancel: make room, then queue an urgent command and one to cancel */
	bird_cancel(f->c, &x[BIRD_QUEUE_MAX]);
	bird_cancel(f->c, &x[BIRD_QUEUE_MAX - 1]);
	x[BIRD_QUEUE_MAX].done = x[BIRD_QUEUE_MAX - 1].done = true;
	assert_int_equal(bird_cmd(f->c, "show status", on_reply, &gone), 0);
	assert_int_equal(bird_cmd_urgent(f->c, "show status", on_reply, &u), 0);
	bird_cancel(f->c, &gone);
	f->seq = 0;
	for (size_t i = 0; i < BIRD_QUEUE_MAX + 10; i++)
		assert_true(birdrun_wait(f->loop, reply_done, &x[i], 5));
	assert_true(u.done);
	assert_false(gone.done);
	/* the command already sent first, then the urgent one, then in order */
	assert_int_equal(x[0].order, 1);
	assert_int_equal(u.order, 2);
	assert_int_equal(x[1].order, 3);
	for (size_t i = 2; i < BIRD_QUEUE_MAX - 1; i++)
		assert_int_equal(x[i].order, x[i - 1].order + 1);
	for (size_t i = 0; i < BIRD_QUEUE_MAX - 1; i++)
		assert_int_equal(x[i].code, 0);
	assert_int_equal(u.code, 13);
	assert_int_equal(bird_pending(f->c), 0);
}

static void test_bird_restart_reconnects(void **state)
{
	struct fx *f = *state;
	struct reply x, y;

	memset(&x, 0, sizeof(x));
	birdrun_stop(&f->bird);
	assert_true(birdrun_wait(f->loop, is_down, f, 5));
	assert_int_equal(f->downs, 1);
	errno = 0;
	assert_int_equal(bird_cmd(f->c, "show status", on_reply, &x), -1);
	assert_int_equal(errno, ENOTCONN);
	/* stays down, retrying with backoff, without reporting again */
	ev_run(f->loop, EVRUN_NOWAIT);
	assert_int_equal(birdrun_start(&f->bird, f->conf, f->sock, f->pid), 0);
	assert_true(birdrun_wait(f->loop, is_up, f, 5));
	assert_int_equal(f->ups, 2);
	assert_int_equal(f->downs, 1);
	cmd_sync(f, "show status", &y);
	assert_int_equal(y.code, 13);
}

static void test_timeout_drops_and_reconnects(void **state)
{
	struct fx *f = *state;
	struct reply x, y;
	double t0;

	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	kill(f->bird.pid, SIGSTOP);
	assert_int_equal(bird_cmd(f->c, "show status", on_reply, &x), 0);
	assert_int_equal(bird_cmd(f->c, "show status", on_reply, &y), 0);
	ev_now_update(f->loop);
	t0 = ev_now(f->loop);
	assert_true(birdrun_wait(f->loop, reply_done, &x, 5));
	assert_int_equal(x.code, BIRD_ETIMEDOUT);
	assert_true(ev_now(f->loop) - t0 >= 1.9);
	assert_true(y.done);
	assert_int_equal(y.code, BIRD_EDISCONNECTED);
	assert_string_equal(bird_reply_strerror(&(struct bird_reply){ .code = x.code }),
			    "timed out");
	assert_false(f->connected);
	kill(f->bird.pid, SIGCONT);
	assert_true(birdrun_wait(f->loop, is_up, f, 5));
	cmd_sync(f, "show status", &x);
	assert_int_equal(x.code, 13);
}

static void test_not_running(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fx f = { .loop = loop };
	struct bird_client *c = bird_new(loop, "/nonexistent/bird.ctl", on_state, &f);
	struct reply x;

	cur_fx = &f;
	assert_non_null(c);
	assert_false(bird_connected(c));
	ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(bird_cmd(c, "show status", on_reply, &x), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_string_equal(bird_greeting(c), "");
	assert_int_equal(f.ups + f.downs, 0);
	bird_free(c);
	ev_loop_destroy(loop);
}

/* ---- scripted server: protocol corner cases ---- */

struct fake {
	int lfd, cfd;
	ev_io accept_w;
	const char *script;     /* sent after the first command line arrives */
	char got[256];
	ev_io read_w;
};

static void fake_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fake *k = w->data;
	char buf[256];
	ssize_t n = read(k->cfd, buf, sizeof(buf) - 1);

	if (n <= 0) {
		ev_io_stop(loop, w);
		return;
	}
	buf[n] = '\0';
	snprintf(k->got + strlen(k->got), sizeof(k->got) - strlen(k->got), "%s", buf);
	if (strchr(buf, '\n') && k->script) {
		/* in pieces, to exercise line reassembly */
		size_t len = strlen(k->script), half = len / 2;
		assert_int_equal(write(k->cfd, k->script, half), (ssize_t)half);
		assert_int_equal(write(k->cfd, k->script + half, len - half), (ssize_t)(len - half));
		k->script = NULL;
	}
}

static void fake_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fake *k = w->data;
	static const char greet[] = "0001 BIRD 2.0.12 ready.\n";

	k->cfd = accept(k->lfd, NULL, NULL);
	assert_true(k->cfd >= 0);
	assert_int_equal(write(k->cfd, greet, sizeof(greet) - 1), (ssize_t)sizeof(greet) - 1);
	ev_io_init(&k->read_w, fake_read, k->cfd, EV_READ);
	k->read_w.data = k;
	ev_io_start(loop, &k->read_w);
	ev_io_stop(loop, w);
}

static void run_fake(const char *script, struct reply *x, struct fx *f, const char *dir)
{
	struct fake k = { .cfd = -1, .script = script };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct bird_client *c;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/fake.ctl", dir);
	unlink(sun.sun_path);
	k.lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(k.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(k.lfd, 4), 0);
	ev_io_init(&k.accept_w, fake_accept, k.lfd, EV_READ);
	k.accept_w.data = &k;
	ev_io_start(f->loop, &k.accept_w);
	c = bird_new(f->loop, sun.sun_path, on_state, f);
	bird_set_timeouts(c, 2, 0.02, 0.2);
	assert_true(birdrun_wait(f->loop, is_up, f, 5));
	memset(x, 0, sizeof(*x));
	assert_int_equal(bird_cmd(c, "show status", on_reply, x), 0);
	assert_true(birdrun_wait(f->loop, reply_done, x, 5));
	assert_string_equal(k.got, "show status\n");
	bird_free(c);
	ev_io_stop(f->loop, &k.accept_w);
	ev_io_stop(f->loop, &k.read_w);
	if (k.cfd >= 0)
		close(k.cfd);
	close(k.lfd);
	unlink(sun.sun_path);
}

static void test_protocol_corner_cases(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fx f = { .loop = loop };
	char dir[64];
	struct reply x;

	cur_fx = &f;
	assert_int_equal(birdrun_mkdir(dir, sizeof(dir)), 0);
	/* async lines are skipped; continuations inherit; split delivery */
	run_fake("+0020 async junk\n1000-first\n second\n+0021 more async\n"
		 "1011-third\n fourth\n0013 final words\n", &x, &f, dir);
	assert_int_equal(x.code, 13);
	assert_string_equal(x.text, "final words");
	assert_int_equal(x.nlines, 4);
	assert_string_equal(x.lines[1], "second");
	assert_int_equal(x.codes[1], 1000);
	assert_int_equal(x.codes[3], 1011);
	assert_string_equal(x.lines[3], "fourth");
	/* malformed line: the command fails, the client reconnects */
	f.ups = f.downs = 0;
	run_fake("1000-ok\nXYZ garbage\n", &x, &f, dir);
	assert_int_equal(x.code, BIRD_EDISCONNECTED);
	assert_int_equal(f.downs, 1);
	birdrun_rmdir(dir);
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest with_bird[] = {
		cmocka_unit_test_setup_teardown(test_greeting_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_keep_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order_urgent_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bird_restart_reconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_drops_and_reconnects, setup, teardown),
	};
	const struct CMUnitTest without[] = {
		cmocka_unit_test(test_not_running),
		cmocka_unit_test(test_protocol_corner_cases),
	};
	int fails;

	log_init("test_bird", false, getenv("RAIZ_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	fails = cmocka_run_group_tests(without, NULL, NULL);
	if (!birdrun_available()) {
		fprintf(stderr, "test_bird: BIRD tests skipped (need root and %s)\n",
			"/usr/sbin/bird");
		return fails;
	}
	return fails + cmocka_run_group_tests(with_bird, NULL, NULL);
}

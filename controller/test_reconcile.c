/* unit tests for reconcile.c against two real, private BIRD 2 daemons:
 * the node (driven by the reconciler) and the host ISP's router, which
 * learns the anycast prefixes over BGP on loopback */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "controller/birdrun.h"
#include "controller/birdstate.h"
#include "controller/reconcile.h"

#define V4 0
#define V6 1

struct fx {
	struct ev_loop *loop;
	char dir[64];
	char node_conf[128], node_sock[128], node_pid[128];
	char isp_conf[128], isp_sock[128], isp_pid[128];
	char state[128];
	struct birdrun node, isp;
	struct bird_client *isp_c, *admin;
	struct reconcile *r;
	struct reconcile_config cfg;
	int verified[2];
	enum announce_state verified_st[2];
	int bird_ups, bird_downs;
	double bird_up_at;               /* ev_now() of the last connect */
};

static const char *const bgp_isp[] = { "isp" };
static const struct reconcile_prefix prefixes[] = {
	{ .prefix = "192.0.2.0/24", .static_proto = "raiz_v4", .bgp_protos = bgp_isp, .nbgp = 1 },
	{ .prefix = "2001:DB8::/48", .static_proto = "raiz_v6", .bgp_protos = bgp_isp, .nbgp = 1 },
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- synchronous helpers over the test's own BIRD clients ---- */

struct reply {
	bool done;
	int code;
	char text[4096];         /* all lines, newline separated */
};

static void on_reply(void *arg, const struct bird_reply *r)
{
	struct reply *x = arg;
	size_t o = 0;

	x->done = true;
	x->code = r->code;
	x->text[0] = '\0';
	for (size_t i = 0; i < r->nlines && o < sizeof(x->text) - 1; i++)
		o += (size_t)snprintf(x->text + o, sizeof(x->text) - o, "%s\n", r->lines[i].text);
}

static bool reply_done(void *arg) { return ((struct reply *)arg)->done; }

static void cmd_sync(struct fx *f, struct bird_client *c, const char *cmd, struct reply *x)
{
	memset(x, 0, sizeof(*x));
	assert_int_equal(bird_cmd(c, cmd, on_reply, x), 0);
	assert_true(birdrun_wait(f->loop, reply_done, x, 5));
}

struct cond {
	struct fx *f;
	size_t i;
	const char *want;        /* route text expected at the ISP, or NULL = absent */
	enum announce_state st;
};

static bool never(void *arg) { return false; }

/* run the loop (the reconciler works meanwhile) */
static void spin(struct fx *f, double secs)
{
	birdrun_wait(f->loop, never, NULL, secs);
}

/* the ISP's view of a prefix: "" when absent, else show route all */
static void isp_route(struct fx *f, const char *net, struct reply *x)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "show route %s all", net);
	cmd_sync(f, f->isp_c, cmd, x);
	if (x->code == 8001)
		x->text[0] = '\0';
	else
		assert_int_equal(x->code, 0);
}

static bool isp_wait(struct fx *f, const char *net, const char *want, double timeout)
{
	double end = mono() + timeout;
	struct reply x;

	do {
		isp_route(f, net, &x);
		if (want ? strstr(x.text, want) != NULL : x.text[0] == '\0')
			return true;
		spin(f, 0.02);
	} while (mono() < end);
	fprintf(stderr, "ISP shows for %s:\n%s\n", net, x.text);
	return false;
}

/* child: ask the ISP's BIRD about net back to back (blocking I/O); write
 * -1 when ready, then the CLOCK_MONOTONIC time it first answered 8001 */
static int isp_poller(const char *sock, const char *net, int out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char cmd[128], buf[8192];
	double ready = -1, end = mono() + 5;
	size_t len = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bool greeted = false;

	if (strlen(sock) >= sizeof(sun.sun_path))
		return 1;
	memcpy(sun.sun_path, sock, strlen(sock) + 1);
	snprintf(cmd, sizeof(cmd), "show route %s\n", net);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return 1;
	while (mono() < end) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		char *l, *nl;

		if (n <= 0)
			return 1;
		len += (size_t)n;
		buf[len] = '\0';
		/* find a final line: "DDDD " at the start of a line */
		for (l = buf; (nl = strchr(l, '\n')); l = nl + 1) {
			if (strlen(l) < 5 || l[4] != ' ' || l[0] < '0' || l[0] > '9')
				continue;
			if (greeted && strncmp(l, "8001", 4) == 0) {
				double t = mono();
				return write(out, &t, sizeof(t)) == sizeof(t) ? 0 : 1;
			}
			if (!greeted && write(out, &ready, sizeof(ready)) != sizeof(ready))
				return 1;
			greeted = true;
			len = 0;
			if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
				return 1;
			break;
		}
		if (len == sizeof(buf) - 1)
			len = 0;
	}
	return 1;
}

static bool verified_as(void *arg)
{
	struct cond *c = arg;
	struct reconcile_status st;

	reconcile_get(c->f->r, c->i, &st);
	return st.verified && st.desired == c->st;
}

static void wait_verified(struct fx *f, size_t i, enum announce_state st)
{
	struct cond c = { .f = f, .i = i, .st = st };
	struct reconcile_status s;

	if (!birdrun_wait(f->loop, verified_as, &c, 10)) {
		reconcile_get(f->r, i, &s);
		fprintf(stderr, "%s: desired %s verified %d static %s error '%s'\n", s.prefix,
			reconcile_state_name(s.desired), s.verified, s.static_state, s.last_error);
		fail();
	}
}

static bool session_up(void *arg)
{
	struct fx *f = arg;
	struct reply x;

	cmd_sync(f, f->isp_c, "show protocols node", &x);
	return strstr(x.text, "Established") != NULL;
}

/* ---- fixture ---- */

static void on_verified(void *arg, size_t i, enum announce_state st, double when)
{
	struct fx *f = arg;

	if (i >= 2)
		return;
	f->verified[i]++;
	f->verified_st[i] = st;
}

static void on_bird_state(void *arg, bool up)
{
	struct fx *f = arg;

	if (up) {
		f->bird_ups++;
		f->bird_up_at = ev_now(f->loop);
	} else
		f->bird_downs++;
}

static void start_reconcile(struct fx *f)
{
	char err[256];

	f->r = reconcile_new(f->loop, &f->cfg, err, sizeof(err));
	if (!f->r)
		fail_msg("reconcile_new: %s", err);
}

static bool bird_is_up(void *arg) { return bird_connected(arg); }

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char ports[2][8];
	const char *kv[] = { "DIR", NULL, "NODE_ADDR", "127.83.3.2", "ISP_ADDR", "127.83.3.3",
			     "NODE_PORT", ports[0], "ISP_PORT", ports[1], NULL };

	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_int_equal(birdrun_mkdir(f->dir, sizeof(f->dir)), 0);
	kv[1] = f->dir;
	snprintf(ports[0], sizeof(ports[0]), "%d", birdrun_free_port("127.83.3.2"));
	snprintf(ports[1], sizeof(ports[1]), "%d", birdrun_free_port("127.83.3.3"));
	snprintf(f->node_conf, sizeof(f->node_conf), "%s/node.conf", f->dir);
	snprintf(f->node_sock, sizeof(f->node_sock), "%s/node.ctl", f->dir);
	snprintf(f->node_pid, sizeof(f->node_pid), "%s/node.pid", f->dir);
	snprintf(f->isp_conf, sizeof(f->isp_conf), "%s/isp.conf", f->dir);
	snprintf(f->isp_sock, sizeof(f->isp_sock), "%s/isp.ctl", f->dir);
	snprintf(f->isp_pid, sizeof(f->isp_pid), "%s/isp.pid", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/state.conf", f->dir);
	assert_int_equal(birdrun_template("node.conf.in", f->node_conf, kv), 0);
	assert_int_equal(birdrun_template("isp.conf.in", f->isp_conf, kv), 0);
	assert_int_equal(birdrun_copy("state.conf", f->state), 0);
	assert_int_equal(birdrun_start(&f->node, f->node_conf, f->node_sock, f->node_pid), 0);
	assert_int_equal(birdrun_start(&f->isp, f->isp_conf, f->isp_sock, f->isp_pid), 0);
	f->isp_c = bird_new(f->loop, f->isp_sock, NULL, NULL);
	f->admin = bird_new(f->loop, f->node_sock, NULL, NULL);
	assert_true(birdrun_wait(f->loop, bird_is_up, f->isp_c, 5));
	assert_true(birdrun_wait(f->loop, bird_is_up, f->admin, 5));
	assert_true(birdrun_wait(f->loop, session_up, f, 15));
	f->cfg = (struct reconcile_config){
		.socket_path = f->node_sock, .include_path = f->state,
		.prefixes = prefixes, .nprefixes = 2, .interval = 0.2, .cmd_timeout = 2,
		.on_verified = on_verified, .on_bird_state = on_bird_state, .arg = f,
	};
	start_reconcile(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (!f)
		return 0;
	reconcile_free(f->r);
	bird_free(f->isp_c);
	bird_free(f->admin);
	birdrun_stop(&f->node);
	birdrun_stop(&f->isp);
	birdrun_rmdir(f->dir);
	ev_loop_destroy(f->loop);
	free(f);
	return 0;
}

static void read_state(struct fx *f, struct birdstate_entry *e)
{
	char err[256];

	e[0] = (struct birdstate_entry){ .proto = "raiz_v4" };
	e[1] = (struct birdstate_entry){ .proto = "raiz_v6" };
	assert_int_equal(birdstate_read(f->state, e, 2, err, sizeof(err)), 0);
	assert_true(e[0].found && e[1].found);
}

/* ---- tests ---- */

static void test_start_withdrawn(void **state)
{
	struct fx *f = *state;
	struct reconcile_status s;
	struct reply x;

	wait_verified(f, V4, RECONCILE_WITHDRAW);
	wait_verified(f, V6, RECONCILE_WITHDRAW);
	assert_int_equal(f->verified[V4], 1);
	assert_int_equal(f->verified_st[V4], RECONCILE_WITHDRAW);
	reconcile_get(f->r, V6, &s);
	assert_string_equal(s.prefix, "2001:db8::/48");     /* canonical */
	assert_string_equal(s.static_proto, "raiz_v6");
	assert_string_equal(s.static_state, "down");
	assert_true(s.applied);
	assert_true(s.bird_connected);
	assert_string_equal(s.last_error, "");
	assert_int_equal(s.nbgp, 1);
	assert_string_equal(s.bgp[0].proto, "isp");
	assert_string_equal(s.bgp[0].state, "up");
	assert_string_equal(s.bgp[0].info, "Established");
	assert_int_equal(s.bgp[0].exported, 0);
	isp_route(f, "192.0.2.0/24", &x);
	assert_string_equal(x.text, "");
	assert_int_equal(reconcile_count(f->r), 2);
	assert_int_equal(f->bird_ups, 1);
}

static void test_announce_drain_withdraw(void **state)
{
	struct fx *f = *state;
	struct reconcile_status s;
	struct birdstate_entry e[2];
	double t0, t_gone, t_verified;
	struct reply x;

	wait_verified(f, V4, RECONCILE_WITHDRAW);
	reconcile_set(f->r, V4, RECONCILE_ANNOUNCE, "healthy");
	reconcile_set(f->r, V6, RECONCILE_ANNOUNCE, "healthy");
	wait_verified(f, V4, RECONCILE_ANNOUNCE);
	wait_verified(f, V6, RECONCILE_ANNOUNCE);
	read_state(f, e);
	assert_false(e[0].withdrawn || e[0].drain || e[1].withdrawn || e[1].drain);
	assert_true(isp_wait(f, "192.0.2.0/24", "BGP.as_path: 65001\n", 5));
	assert_true(isp_wait(f, "2001:db8::/48", "BGP.as_path: 65001\n", 5));
	reconcile_get(f->r, V4, &s);
	assert_string_equal(s.static_state, "up");
	assert_int_equal(s.bgp[0].exported, 1);
	assert_int_equal(s.bgp[0].drained, 0);
	assert_string_equal(s.reason, "healthy");

	/* drain: 65535:0 and the prepends reach the ISP */
	reconcile_set(f->r, V4, RECONCILE_DRAIN, "maintenance");
	wait_verified(f, V4, RECONCILE_DRAIN);
	assert_true(isp_wait(f, "192.0.2.0/24", "BGP.community: (65535,0)", 5));
	isp_route(f, "192.0.2.0/24", &x);
	assert_non_null(strstr(x.text, "BGP.as_path: 65001 65001 65001\n"));
	isp_route(f, "2001:db8::/48", &x);
	assert_null(strstr(x.text, "65535,0"));
	reconcile_get(f->r, V4, &s);
	assert_int_equal(s.bgp[0].drained, 1);
	read_state(f, e);
	assert_true(!e[0].withdrawn && e[0].drain);

	/* undrain */
	reconcile_set(f->r, V4, RECONCILE_ANNOUNCE, "maintenance over");
	wait_verified(f, V4, RECONCILE_ANNOUNCE);
	assert_true(isp_wait(f, "192.0.2.0/24", "BGP.as_path: 65001\n", 5));
	isp_route(f, "192.0.2.0/24", &x);
	assert_null(strstr(x.text, "65535,0"));

	/* withdraw: time until the ISP has lost the route, watched by a child
	 * process so that this loop's own work cannot delay the observation */
	int pfd[2];
	pid_t poller;
	double t_seen;

	assert_int_equal(pipe(pfd), 0);
	poller = fork();
	assert_true(poller >= 0);
	if (poller == 0) {
		close(pfd[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(isp_poller(f->isp_sock, "192.0.2.0/24", pfd[1]));
	}
	close(pfd[1]);
	assert_true(read(pfd[0], &t_seen, sizeof(t_seen)) == sizeof(t_seen)); /* ready */
	assert_true(t_seen < 0);
	t0 = mono();
	reconcile_set(f->r, V4, RECONCILE_WITHDRAW, "dns down");
	wait_verified(f, V4, RECONCILE_WITHDRAW);
	t_verified = mono() - t0;
	x.code = (int)read(pfd[0], &t_seen, sizeof(t_seen));
	close(pfd[0]);
	waitpid(poller, NULL, 0);
	assert_int_equal(x.code, sizeof(t_seen));
	t_gone = t_seen - t0;
	isp_route(f, "192.0.2.0/24", &x);
	assert_string_equal(x.text, "");
	reconcile_get(f->r, V4, &s);
	fprintf(stderr, "withdraw: route gone at the ISP after %.2f ms, "
		"verified (include file written, configure, show protocols, show route "
		"export) after %.2f ms\n", t_gone * 1000, t_verified * 1000);
	assert_true(t_gone < 0.1);
	assert_true(s.applied);
	assert_string_equal(s.static_state, "down");
	read_state(f, e);
	assert_true(e[0].withdrawn && !e[0].drain);
	/* v6 untouched */
	isp_route(f, "2001:db8::/48", &x);
	assert_non_null(strstr(x.text, "BGP.as_path: 65001\n"));
	assert_int_equal(f->verified[V4], 5);  /* start, announce, drain, announce, withdraw */
}

static void test_admin_configure_and_enable(void **state)
{
	struct fx *f = *state;
	struct reply x;

	reconcile_set(f->r, V6, RECONCILE_ANNOUNCE, "healthy");
	wait_verified(f, V6, RECONCILE_ANNOUNCE);
	wait_verified(f, V4, RECONCILE_WITHDRAW);
	/* an admin's configure keeps the state: it comes from the include file */
	cmd_sync(f, f->admin, "configure", &x);
	assert_int_equal(x.code, 3);
	cmd_sync(f, f->admin, "show protocols", &x);
	assert_non_null(strstr(x.text, "raiz_v4    Static     master4    down"));
	assert_non_null(strstr(x.text, "raiz_v6    Static     master6    up"));
	/* an admin's enable/disable is undone by the next pass */
	cmd_sync(f, f->admin, "enable \"raiz_v4\"", &x);
	cmd_sync(f, f->admin, "disable \"raiz_v6\"", &x);
	assert_true(isp_wait(f, "192.0.2.0/24", NULL, 3));
	assert_true(isp_wait(f, "2001:db8::/48", "BGP.as_path: 65001\n", 3));
	wait_verified(f, V4, RECONCILE_WITHDRAW);
	wait_verified(f, V6, RECONCILE_ANNOUNCE);

	/* someone edits the include file and configures: the file is restored */
	FILE *w = fopen(f->state, "w");
	struct birdstate_entry e[2];
	assert_non_null(w);
	fputs("define RAIZ_V4_WITHDRAWN = 0;\ndefine RAIZ_V4_DRAIN = 1;\n"
	      "define RAIZ_V6_WITHDRAWN = 1;\ndefine RAIZ_V6_DRAIN = 1;\n", w);
	fclose(w);
	cmd_sync(f, f->admin, "configure", &x);
	assert_true(x.code == 3 || x.code == 4);  /* 4: protocols had to stop */
	for (int i = 0; i < 100; i++) {
		read_state(f, e);
		if (e[0].withdrawn && !e[0].drain && !e[1].withdrawn && !e[1].drain)
			break;
		spin(f, 0.02);
	}
	assert_true(e[0].withdrawn && !e[0].drain && !e[1].withdrawn && !e[1].drain);
	assert_true(isp_wait(f, "2001:db8::/48", "BGP.as_path: 65001\n", 3));
	assert_true(isp_wait(f, "192.0.2.0/24", NULL, 3));
	wait_verified(f, V4, RECONCILE_WITHDRAW);
	wait_verified(f, V6, RECONCILE_ANNOUNCE);
}

static void test_bird_restart(void **state)
{
	struct fx *f = *state;
	struct reconcile_status s;
	struct birdstate_entry e[2];

	reconcile_set(f->r, V4, RECONCILE_ANNOUNCE, "healthy");
	reconcile_set(f->r, V6, RECONCILE_ANNOUNCE, "healthy");
	wait_verified(f, V4, RECONCILE_ANNOUNCE);
	wait_verified(f, V6, RECONCILE_ANNOUNCE);
	birdrun_stop(&f->node);
	assert_true(isp_wait(f, "192.0.2.0/24", NULL, 5));
	spin(f, 0.05);
	reconcile_get(f->r, V4, &s);
	assert_false(s.bird_connected);
	assert_int_equal(f->bird_downs, 1);
	/* a change while BIRD is away still reaches the include file */
	reconcile_set(f->r, V6, RECONCILE_WITHDRAW, "dns down");
	read_state(f, e);
	assert_true(e[1].withdrawn);
	assert_false(e[0].withdrawn);
	/* BIRD starts from the file; the client reconnects (backoff) */
	assert_int_equal(birdrun_start(&f->node, f->node_conf, f->node_sock, f->node_pid), 0);
	wait_verified(f, V6, RECONCILE_WITHDRAW);
	assert_true(isp_wait(f, "192.0.2.0/24", "BGP.as_path: 65001\n", 15));
	wait_verified(f, V4, RECONCILE_ANNOUNCE);
	assert_true(isp_wait(f, "2001:db8::/48", NULL, 1));
	assert_int_equal(f->bird_ups, 2);
	reconcile_get(f->r, V4, &s);
	assert_true(s.bird_connected);
	assert_string_equal(s.last_error, "");
}

static bool checked(void *arg)
{
	struct cond *c = arg;
	struct reconcile_status st;

	reconcile_get(c->f->r, c->i, &st);
	return st.checked_at > 0;
}

static bool bird_lost(void *arg)
{
	return ((struct fx *)arg)->bird_downs > 0;
}

/* checked_at: set by a pass that compared with BIRD, cleared by a
 * disconnect, set again only by a pass after the reconnect */
static void test_checked_at(void **state)
{
	struct fx *f = *state;
	struct cond c4 = { .f = f, .i = V4 }, c6 = { .f = f, .i = V6 };
	struct reconcile_status s;
	double before;

	assert_true(birdrun_wait(f->loop, checked, &c4, 10));
	assert_true(birdrun_wait(f->loop, checked, &c6, 10));
	reconcile_get(f->r, V4, &s);
	assert_true(s.checked_at >= f->bird_up_at);
	before = s.checked_at;
	spin(f, 0.5);   /* interval 0.2 s: later passes move it on */
	reconcile_get(f->r, V4, &s);
	assert_true(s.checked_at > before);

	birdrun_stop(&f->node);
	assert_true(birdrun_wait(f->loop, bird_lost, f, 5));
	reconcile_get(f->r, V4, &s);
	assert_false(s.bird_connected);
	assert_true(s.checked_at == 0);
	/* passes while BIRD is away check nothing */
	spin(f, 0.5);
	reconcile_get(f->r, V6, &s);
	assert_true(s.checked_at == 0);
	assert_string_equal(s.last_error, "BIRD: not connected");

	assert_int_equal(birdrun_start(&f->node, f->node_conf, f->node_sock, f->node_pid), 0);
	assert_true(birdrun_wait(f->loop, checked, &c4, 15));
	assert_true(birdrun_wait(f->loop, checked, &c6, 5));
	assert_int_equal(f->bird_ups, 2);
	reconcile_get(f->r, V4, &s);
	assert_true(s.bird_connected);
	assert_true(s.checked_at >= f->bird_up_at);
}

static void test_controller_restart_adopts(void **state)
{
	struct fx *f = *state;
	struct reconcile_status s;
	struct reply before, after;

	reconcile_set(f->r, V4, RECONCILE_DRAIN, "maintenance");
	reconcile_set(f->r, V6, RECONCILE_ANNOUNCE, "healthy");
	wait_verified(f, V4, RECONCILE_DRAIN);
	wait_verified(f, V6, RECONCILE_ANNOUNCE);
	assert_true(isp_wait(f, "192.0.2.0/24", "BGP.community: (65535,0)", 5));
	cmd_sync(f, f->admin, "show protocols", &before);
	reconcile_free(f->r);
	f->verified[V4] = f->verified[V6] = 0;
	start_reconcile(f);
	reconcile_get(f->r, V4, &s);
	assert_int_equal(s.desired, RECONCILE_DRAIN);
	assert_non_null(strstr(s.reason, "adopted from"));
	reconcile_get(f->r, V6, &s);
	assert_int_equal(s.desired, RECONCILE_ANNOUNCE);
	wait_verified(f, V4, RECONCILE_DRAIN);
	wait_verified(f, V6, RECONCILE_ANNOUNCE);
	assert_int_equal(f->verified[V4], 1);
	/* nothing restarted in BIRD: same protocol rows, same "since" */
	cmd_sync(f, f->admin, "show protocols", &after);
	assert_string_equal(before.text, after.text);
	isp_route(f, "192.0.2.0/24", &after);
	assert_non_null(strstr(after.text, "BGP.community: (65535,0)"));
}

static void test_configure_error(void **state)
{
	struct fx *f = *state;
	struct reconcile_status s;
	FILE *c;

	reconcile_set(f->r, V4, RECONCILE_ANNOUNCE, "healthy");
	wait_verified(f, V4, RECONCILE_ANNOUNCE);
	/* someone breaks BIRD's configuration: withdraw must still work */
	c = fopen(f->node_conf, "a");
	assert_non_null(c);
	fputs("this is not bird syntax;\n", c);
	fclose(c);
	reconcile_set(f->r, V4, RECONCILE_WITHDRAW, "dns down");
	assert_true(isp_wait(f, "192.0.2.0/24", NULL, 1));
	wait_verified(f, V4, RECONCILE_WITHDRAW);
	reconcile_get(f->r, V4, &s);
	assert_false(s.applied);           /* configure failed */
	assert_non_null(strstr(s.last_error, "configure: "));
	assert_non_null(strstr(s.last_error, "node.conf"));
	assert_true(s.error_at > 0);
}

static void test_unknown_protocol(void **state)
{
	struct fx *f = *state;
	static const char *const bgp_bad[] = { "isp", "nosuch_bgp" };
	const struct reconcile_prefix bad[] = {
		prefixes[0], prefixes[1],
		{ .prefix = "198.51.100.0/24", .static_proto = "raiz_missing",
		  .bgp_protos = bgp_bad, .nbgp = 2 },
	};
	struct reconcile_status s;

	reconcile_free(f->r);
	f->cfg.prefixes = bad;
	f->cfg.nprefixes = 3;
	start_reconcile(f);
	for (int i = 0; i < 50; i++) {
		ev_run(f->loop, EVRUN_ONCE);
		reconcile_get(f->r, 2, &s);
		if (s.last_error[0])
			break;
	}
	assert_string_equal(s.last_error, "BIRD has no protocol raiz_missing");
	assert_false(s.verified);
	assert_string_equal(s.static_state, "?");
	assert_string_equal(s.bgp[1].state, "?");
	/* the known prefixes are unaffected */
	wait_verified(f, V4, RECONCILE_WITHDRAW);
	reconcile_get(f->r, V4, &s);
	assert_string_equal(s.last_error, "");
}

static void test_bad_config(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	char err[256];
	struct reconcile_prefix p = { .prefix = "192.0.2.1/24", .static_proto = "raiz_v4" };
	struct reconcile_config cfg = { .socket_path = "/nonexistent/bird.ctl",
					.include_path = "/nonexistent/state.conf",
					.prefixes = &p, .nprefixes = 1 };
	struct reconcile_prefix two[2] = {
		{ .prefix = "192.0.2.0/24", .static_proto = "raiz_v4" },
		{ .prefix = "198.51.100.0/24", .static_proto = "raiz_v4" },
	};
	static const char *const badbgp[] = { "isp x" };

	assert_null(reconcile_new(loop, &cfg, err, sizeof(err)));
	assert_string_equal(err, "'192.0.2.1/24' is not a prefix (address/length, no host bits)");
	p.prefix = "192.0.2.0/33";
	assert_null(reconcile_new(loop, &cfg, err, sizeof(err)));
	p.prefix = "2001:db8::/48 ";
	assert_null(reconcile_new(loop, &cfg, err, sizeof(err)));
	p.prefix = "2001:db8::/48";
	p.static_proto = "raiz-v6";
	assert_null(reconcile_new(loop, &cfg, err, sizeof(err)));
	assert_string_equal(err, "2001:db8::/48: static protocol 'raiz-v6' is not a BIRD symbol");
	p.static_proto = "raiz_v6";
	p.bgp_protos = badbgp;
	p.nbgp = 1;
	assert_null(reconcile_new(loop, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "BGP protocol 'isp x'"));
	cfg.prefixes = two;
	cfg.nprefixes = 2;
	assert_null(reconcile_new(loop, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "static protocol raiz_v4 used for"));
	/* the state file cannot be written */
	cfg.nprefixes = 1;
	assert_null(reconcile_new(loop, &cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/state.conf"));
	assert_int_equal(reconcile_state_parse("drain"), RECONCILE_DRAIN);
	assert_int_equal(reconcile_state_parse("up"), -1);
	assert_string_equal(reconcile_state_name(RECONCILE_WITHDRAW), "withdraw");
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest with_bird[] = {
		cmocka_unit_test_setup_teardown(test_start_withdrawn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_announce_drain_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_configure_and_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bird_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checked_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_controller_restart_adopts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configure_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_protocol, setup, teardown),
	};
	const struct CMUnitTest without[] = {
		cmocka_unit_test(test_bad_config),
	};
	int fails;

	log_init("test_reconcile", false, getenv("RAIZ_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	fails = cmocka_run_group_tests(without, NULL, NULL);
	if (!birdrun_available()) {
		fprintf(stderr, "test_reconcile: BIRD tests skipped (need root and /usr/sbin/bird)\n");
		return fails;
	}
	return fails + cmocka_run_group_tests(with_bird, NULL, NULL);
}

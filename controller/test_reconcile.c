/* unit tests for reconcile.c against two real, private BIRD 2 daemons:
 * the node (driven by the reconciler) and the host ISP's router, which
 * learns the anycast prefixes over BGP on loopback */
#include <errno.h>
#include <math.h>
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
	char node_addr[32], isp_addr[32];
	const char *kv[] = { "DIR", NULL, "NODE_ADDR", birdrun_addr(node_addr, sizeof node_addr, 2),
			     "ISP_ADDR", birdrun_addr(isp_addr, sizeof isp_addr, 3),
			     "NODE_PORT", ports[0], "ISP_PORT", ports[1], NULL };

	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_int_equal(birdrun_mkdir(f->dir, sizeof(f->dir)), 0);
	kv[1] = f->dir;
	snprintf(ports[0], sizeof(ports[0]), "%d", birdrun_free_port(node_addr));
	snprintf(ports[1], sizeof(ports[1]), "%d", birdrun_free_port(isp_addr));
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

/* "Reconfiguring" lines in the node BIRD's log: one per configure BIRD
 * applied (ours and anybody else's) */
static int bird_reconfigures(struct fx *f)
{
	char path[160], line[512];
	FILE *l;
	int n = 0;

	snprintf(path, sizeof(path), "%s/node.log", f->dir);
	l = fopen(path, "r");
	assert_non_null(l);
	while (fgets(line, sizeof(line), l))
		if (strstr(line, "Reconfiguring\n"))
			n++;
	fclose(l);
	return n;
}

struct passes {
	struct fx *f;
	double checked;          /* checked_at of V4 last seen */
	int n, want;
};

static bool passes_done(void *arg)
{
	struct passes *p = arg;
	struct reconcile_status st;

	reconcile_get(p->f->r, V4, &st);
	if (st.checked_at > p->checked) {
		p->checked = st.checked_at;
		p->n++;
	}
	return p->n >= p->want;
}

/* many passes against the same BIRD, the desired state flapping: BIRD is
 * configured exactly once per change (and once at start), never because a
 * pass mistook BIRD's printed times for a restart or another's configure */
static void test_long_run_no_false_reapply(void **state)
{
	struct fx *f = *state;
	struct passes p = { .f = f };
	int before, changes = 0;

	reconcile_free(f->r);
	f->cfg.interval = 0.01;
	start_reconcile(f);
	wait_verified(f, V4, RECONCILE_WITHDRAW);
	wait_verified(f, V6, RECONCILE_WITHDRAW);
	before = bird_reconfigures(f);      /* the start's, the fixture's */
	for (int round = 0; round < 12; round++) {
		enum announce_state st = round % 2 ? RECONCILE_WITHDRAW : RECONCILE_ANNOUNCE;

		reconcile_set(f->r, V4, st, round % 2 ? "flap down" : "flap up");
		changes++;
		wait_verified(f, V4, st);
		p.n = 0;
		p.want = 25;
		assert_true(birdrun_wait(f->loop, passes_done, &p, 20));
	}
	assert_int_equal(bird_reconfigures(f) - before, changes);
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

/* ---- a scripted BIRD: the clocks and the replies real BIRD cannot be made
 * to produce on demand ---- */

struct fake {
	struct ev_loop *loop;
	char dir[64], path[128];
	int lfd, cfd;
	ev_io accept_w, read_w;
	char in[4096];
	size_t inlen;
	/* BIRD's clocks: monotonic instants, printed as real time; each reply
	 * reads the real-time clock skew[] after the monotonic one */
	double offset;           /* real - monotonic */
	double boot, loaded;     /* monotonic */
	int digits;              /* printed fraction: 3 (iso long ms), 0 */
	bool dmy;                /* "%d-%m-%Y %T" */
	bool short_fmt;          /* iso short ms: "%T.%3f", unreadable here */
	const double *skew;
	size_t nskew;
	int configure_code;      /* 3, or 5: queued, applied after one status */
	bool queued;
	unsigned apply_at;       /* nstatus when the queued one is applied */
	double admin_after;      /* > 0: someone configures this long after ours */
	bool admin_pending;
	unsigned admin_at;
	bool up[2];              /* raiz_v4, raiz_v6 */
	unsigned nstatus, nconfigure, nconnect, nother;
};

static double fake_mono(void)
{
	return mono();
}

/* t (monotonic) as BIRD prints it in this reply */
static void fake_time(struct fake *k, double t, double skew, char *out, size_t len)
{
	double real = t + k->offset + skew, scale = 1;
	time_t secs;
	struct tm tm;
	char day[32];
	long frac;

	for (int i = 0; i < k->digits; i++)
		scale *= 10;
	real = floor(real * scale) / scale;
	secs = (time_t)floor(real);
	frac = lround((real - (double)secs) * scale);
	localtime_r(&secs, &tm);
	strftime(day, sizeof(day), k->short_fmt ? "%T" : k->dmy ? "%d-%m-%Y %T" : "%F %T", &tm);
	if (k->digits)
		snprintf(out, len, "%s.%0*ld", day, k->digits, frac);
	else
		snprintf(out, len, "%s", day);
}

static void fake_send(struct fake *k, const char *text)
{
	size_t len = strlen(text);

	assert_int_equal(write(k->cfd, text, len), (ssize_t)len);
}

static void fake_status(struct fake *k)
{
	double now = fake_mono(), skew = k->skew[k->nstatus % k->nskew];
	char tn[64], tb[64], tr[64], out[512];

	if (k->queued && k->nstatus >= k->apply_at) {
		k->loaded = now;
		k->queued = false;
	}
	if (k->admin_pending && k->nstatus >= k->admin_at) {
		k->loaded += k->admin_after;
		k->admin_pending = false;
	}
	k->nstatus++;
	fake_time(k, now, skew, tn, sizeof(tn));
	fake_time(k, k->boot, skew, tb, sizeof(tb));
	fake_time(k, k->loaded, skew, tr, sizeof(tr));
	snprintf(out, sizeof(out),
		 "1000-BIRD 2.0.12\n1011-Router ID is 192.0.2.1\n Hostname is fake\n"
		 " Current server time is %s\n Last reboot on %s\n"
		 " Last reconfiguration on %s\n0013 Daemon is up and running\n", tn, tb, tr);
	fake_send(k, out);
}

static void fake_line(struct fake *k, const char *l)
{
	static const char *const names[2] = { "raiz_v4", "raiz_v6" };
	char out[512];

	if (strcmp(l, "show status") == 0) {
		fake_status(k);
	} else if (strcmp(l, "configure") == 0) {
		k->nconfigure++;
		if (k->configure_code == 5) {
			k->queued = true;
			k->apply_at = k->nstatus + 1;   /* not the status right after */
			fake_send(k, "0002-Reading configuration from /fake/bird.conf\n"
				  "0005 Reconfiguration already in progress, "
				  "queueing new config\n");
		} else {
			k->loaded = fake_mono();
			fake_send(k, "0002-Reading configuration from /fake/bird.conf\n"
				  "0003 Reconfigured\n");
		}
		if (k->admin_after > 0 && k->nconfigure == 2) {
			/* seen after the status that follows ours */
			k->admin_pending = true;
			k->admin_at = k->nstatus + 1;
		}
	} else if (strcmp(l, "show protocols") == 0) {
		snprintf(out, sizeof(out),
			 "2002-Name       Proto      Table      State  Since         Info\n"
			 "1002-raiz_v4    Static     master4    %-6s 2026-12-07 04:05:43  \n"
			 " raiz_v6    Static     master6    %-6s 2026-12-07 04:05:43  \n0000 \n",
			 k->up[0] ? "up" : "down", k->up[1] ? "up" : "down");
		fake_send(k, out);
	} else {
		for (int i = 0; i < 2; i++) {
			char en[64], dis[64];

			snprintf(en, sizeof(en), "enable \"%s\"", names[i]);
			snprintf(dis, sizeof(dis), "disable \"%s\" ", names[i]);
			if (strcmp(l, en) == 0 || strncmp(l, dis, strlen(dis)) == 0) {
				bool on = l[0] == 'e';

				snprintf(out, sizeof(out), "%04d %s: %s\n", on ? 11 : 9, names[i],
					 on ? "enabled" : "disabled");
				k->up[i] = on;
				fake_send(k, out);
				return;
			}
		}
		k->nother++;
		fake_send(k, "9001 syntax error, unexpected command\n");
	}
}

static void fake_close_conn(struct fake *k)
{
	if (k->cfd < 0)
		return;
	ev_io_stop(k->loop, &k->read_w);
	close(k->cfd);
	k->cfd = -1;
	k->inlen = 0;
	ev_io_start(k->loop, &k->accept_w);
}

static void fake_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fake *k = w->data;
	ssize_t n = read(k->cfd, k->in + k->inlen, sizeof(k->in) - 1 - k->inlen);
	char *l, *nl;

	if (n <= 0) {
		fake_close_conn(k);
		return;
	}
	k->inlen += (size_t)n;
	k->in[k->inlen] = '\0';
	for (l = k->in; (nl = strchr(l, '\n')); l = nl + 1) {
		*nl = '\0';
		fake_line(k, l);
	}
	k->inlen = strlen(l);
	memmove(k->in, l, k->inlen + 1);
}

static void fake_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fake *k = w->data;
	static const char greet[] = "0001 BIRD 2.0.12 ready.\n";

	if (k->cfd >= 0)
		return;
	k->cfd = accept(k->lfd, NULL, NULL);
	assert_true(k->cfd >= 0);
	k->nconnect++;
	fake_send(k, greet);
	ev_io_init(&k->read_w, fake_read, k->cfd, EV_READ);
	k->read_w.data = k;
	ev_io_start(loop, &k->read_w);
	ev_io_stop(loop, w);
}

/* jitter as measured on a busy BIRD 2.0.12: 0 to 9 ms between its clocks */
static const double skew_ms[] = { 0, 0.0004, 0.0011, 0.0093, 0.0027, 0.0006, 0.0049, 0.0001 };
/* with whole seconds printed, skews that cross a second now and then */
static const double skew_s[] = { 0, 0.3, 0.75, 0.1, 0.95, 0.5 };

struct ffx {
	struct ev_loop *loop;
	struct fake k;
	struct reconcile *r;
	struct reconcile_config cfg;
	char state[128];
};

static const struct reconcile_prefix fake_prefixes[] = {
	{ .prefix = "192.0.2.0/24", .static_proto = "raiz_v4" },
	{ .prefix = "2001:db8::/48", .static_proto = "raiz_v6" },
};

static int fake_setup(void **state)
{
	struct ffx *x = calloc(1, sizeof(*x));
	struct fake *k = &x->k;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	x->loop = ev_loop_new(EVFLAG_AUTO);
	k->loop = x->loop;
	assert_int_equal(birdrun_mkdir(k->dir, sizeof(k->dir)), 0);
	snprintf(k->path, sizeof(k->path), "%s/fake.ctl", k->dir);
	snprintf(x->state, sizeof(x->state), "%s/state.conf", k->dir);
	assert_true(strlen(k->path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, k->path, strlen(k->path) + 1);
	k->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(k->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(k->lfd, 4), 0);
	k->cfd = -1;
	ev_io_init(&k->accept_w, fake_accept, k->lfd, EV_READ);
	k->accept_w.data = k;
	ev_io_start(x->loop, &k->accept_w);
	/* BIRD up for 100 s, its configuration loaded 0.2 s after boot;
	 * the real-time clock a little off the whole millisecond */
	k->offset = 1.8e9 + 0.0004;
	k->boot = fake_mono() - 100;
	k->loaded = k->boot + 0.2;
	k->digits = 3;
	k->skew = skew_ms;
	k->nskew = sizeof(skew_ms) / sizeof(skew_ms[0]);
	k->configure_code = 3;
	x->cfg = (struct reconcile_config){
		.socket_path = k->path, .include_path = x->state,
		.prefixes = fake_prefixes, .nprefixes = 2, .interval = 0.01, .cmd_timeout = 2,
	};
	*state = x;
	return 0;
}

static void fake_start(struct ffx *x)
{
	char err[256];

	x->r = reconcile_new(x->loop, &x->cfg, err, sizeof(err));
	if (!x->r)
		fail_msg("reconcile_new: %s", err);
}

static int fake_teardown(void **state)
{
	struct ffx *x = *state;

	reconcile_free(x->r);
	fake_close_conn(&x->k);
	ev_io_stop(x->loop, &x->k.accept_w);
	close(x->k.lfd);
	unlink(x->k.path);
	birdrun_rmdir(x->k.dir);
	ev_loop_destroy(x->loop);
	free(x);
	return 0;
}

struct count_wait {
	const unsigned *counter;
	unsigned want;
};

static bool count_reached(void *arg)
{
	struct count_wait *c = arg;

	return *c->counter >= c->want;
}

/* run the loop until the fake BIRD has answered n more `show status` */
static void fake_statuses(struct ffx *x, unsigned n)
{
	struct count_wait c = { .counter = &x->k.nstatus, .want = x->k.nstatus + n };

	assert_true(birdrun_wait(x->loop, count_reached, &c, 20));
}

static bool fake_verified(struct ffx *x, size_t i, enum announce_state st)
{
	struct reconcile_status s;

	reconcile_get(x->r, i, &s);
	return s.verified && s.desired == st;
}

/* the printed times move by milliseconds from one reply to the next: no
 * pass takes that for a restart or someone else's configure */
static void test_fake_clock_jitter(void **state)
{
	struct ffx *x = *state;

	fake_start(x);
	fake_statuses(x, 40);
	assert_int_equal(x->k.nconfigure, 1);       /* the start's include file */
	assert_int_equal(x->k.nconnect, 1);
	assert_int_equal(x->k.nother, 0);
	assert_true(fake_verified(x, V4, RECONCILE_WITHDRAW));
	/* a change is one configure, its own time is not someone else's */
	reconcile_set(x->r, V6, RECONCILE_ANNOUNCE, "healthy");
	fake_statuses(x, 40);
	assert_int_equal(x->k.nconfigure, 2);
	assert_true(fake_verified(x, V6, RECONCILE_ANNOUNCE));
	assert_true(x->k.up[1] && !x->k.up[0]);
	/* the same with microseconds printed */
	x->k.digits = 6;
	fake_statuses(x, 40);
	assert_int_equal(x->k.nconfigure, 2);
}

/* the same with whole seconds (timeformat base iso long) and with the
 * day-month-year form */
static void test_fake_clock_seconds(void **state)
{
	struct ffx *x = *state;

	x->k.digits = 0;
	x->k.dmy = true;
	x->k.offset = 1.8e9 + 0.4;
	x->k.skew = skew_s;
	x->k.nskew = sizeof(skew_s) / sizeof(skew_s[0]);
	fake_start(x);
	fake_statuses(x, 30);
	assert_int_equal(x->k.nconfigure, 1);
	/* someone else's configure, seconds later, is still seen */
	x->k.loaded = fake_mono() + 5;
	fake_statuses(x, 10);
	assert_int_equal(x->k.nconfigure, 2);
}

/* microseconds printed (timeformat base iso long us, as raizctl bird-conf
 * writes): someone else's configure 1.2 ms after ours is still theirs */
static void test_fake_admin_right_after_ours(void **state)
{
	struct ffx *x = *state;

	x->k.digits = 6;
	x->k.offset = 1.8e9 + 0.0000004;
	x->k.admin_after = 0.0012;
	fake_start(x);
	fake_statuses(x, 20);
	assert_int_equal(x->k.nconfigure, 1);
	reconcile_set(x->r, V4, RECONCILE_ANNOUNCE, "healthy");   /* our configure */
	fake_statuses(x, 20);
	assert_false(x->k.admin_pending);
	assert_int_equal(x->k.nconfigure, 3);     /* ours, and one re-apply after theirs */
	assert_true(fake_verified(x, V4, RECONCILE_ANNOUNCE));
}

/* someone else's configure is noticed and answered by one configure */
static void test_fake_admin_configure(void **state)
{
	struct ffx *x = *state;

	fake_start(x);
	fake_statuses(x, 10);
	assert_int_equal(x->k.nconfigure, 1);
	x->k.loaded = fake_mono();                 /* an admin's `birdc configure` */
	fake_statuses(x, 20);
	assert_int_equal(x->k.nconfigure, 2);
}

/* our configure queued behind a reconfiguration in progress (0005) takes
 * effect a status later: that is ours, not someone else's */
static void test_fake_queued_configure(void **state)
{
	struct ffx *x = *state;

	x->k.configure_code = 5;
	fake_start(x);
	fake_statuses(x, 30);
	assert_int_equal(x->k.nconfigure, 1);
	assert_false(x->k.queued);                 /* it was applied meanwhile */
	reconcile_set(x->r, V4, RECONCILE_ANNOUNCE, "healthy");
	fake_statuses(x, 30);
	assert_int_equal(x->k.nconfigure, 2);
	assert_true(fake_verified(x, V4, RECONCILE_ANNOUNCE));
}

static bool fake_connected(void *arg)
{
	struct ffx *x = arg;

	return x->k.cfd >= 0 && bird_connected(reconcile_bird(x->r));
}

/* a restart (connection lost, BIRD booted anew) re-applies the include
 * file; a lost connection to the same BIRD does not */
static void test_fake_restart_and_reconnect(void **state)
{
	struct ffx *x = *state;

	fake_start(x);
	fake_statuses(x, 10);
	assert_int_equal(x->k.nconfigure, 1);
	/* BIRD restarts: the connection closes, a new BIRD boots */
	fake_close_conn(&x->k);
	x->k.boot = fake_mono();
	x->k.loaded = x->k.boot + 0.01;
	x->k.up[0] = x->k.up[1] = false;
	assert_true(birdrun_wait(x->loop, fake_connected, x, 10));
	fake_statuses(x, 10);
	assert_int_equal(x->k.nconnect, 2);
	assert_int_equal(x->k.nconfigure, 2);
	/* the same BIRD, connection lost (e.g. a command timed out) */
	fake_close_conn(&x->k);
	assert_true(birdrun_wait(x->loop, fake_connected, x, 10));
	fake_statuses(x, 10);
	assert_int_equal(x->k.nconnect, 3);
	assert_int_equal(x->k.nconfigure, 2);
}

/* times the reconciler cannot read (timeformat base iso short): no pass
 * re-applies on its own; a reconnect does, since a restart cannot be told */
static void test_fake_unreadable_times(void **state)
{
	struct ffx *x = *state;

	x->k.short_fmt = true;
	fake_start(x);
	fake_statuses(x, 20);
	assert_int_equal(x->k.nconfigure, 1);
	fake_close_conn(&x->k);
	assert_true(birdrun_wait(x->loop, fake_connected, x, 10));
	fake_statuses(x, 10);
	assert_int_equal(x->k.nconfigure, 2);
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
		cmocka_unit_test_setup_teardown(test_long_run_no_false_reapply, setup, teardown),
	};
	const struct CMUnitTest without[] = {
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test_setup_teardown(test_fake_clock_jitter, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_clock_seconds, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_admin_configure, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_admin_right_after_ours, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_queued_configure, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_restart_and_reconnect, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_unreadable_times, fake_setup,
						fake_teardown),
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

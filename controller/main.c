/*
 * raiz-controller — announce the node's anycast prefixes through BIRD while
 * its DNS service is healthy, withdraw them within a second when it is not.
 * See raiz-controller(8).  The work is done in node.c; this file is the
 * program: options, configuration, signals, systemd notification and the
 * control socket's commands, and giving up privileges after start-up
 * (controller "user" of raiz.json, or systemd's User=).
 */
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/ctlsock.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "controller/ctlclient.h"
#include "controller/node.h"
#include "controller/reconcile.h"
#include "common/sdnotify.h"

struct ctl_main {
	struct ev_loop *loop;
	const char *config_path;
	struct node *node;
	struct ctlsock *sock;
	char *sock_path;
	ev_signal sigterm, sigint, sighup;
	ev_timer watchdog;
	int exit_code;
	bool debug;              /* -d: stays at debug across reloads */
	bool stopping;           /* SIGTERM/SIGINT seen: no more reloads */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: raiz-controller [-c config] [-d] [-n] [--stop-post] [-V]\n"
		"  -c, --config FILE  configuration (default " CONFIG_DEFAULT_PATH ")\n"
		"  -d, --debug        log at level debug\n"
		"  -n, --check        check the configuration and exit\n"
		"      --stop-post    withdraw every prefix in BIRD and exit (systemd\n"
		"                     ExecStopPost; honours on-stop keep after a clean stop)\n"
		"  -V, --version      print the version and exit\n");
}

/* ---- control socket commands ---- */

static json_object *reply_ok(const char *msg)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(1));
	if (msg)
		json_object_object_add(r, "message", json_object_new_string(msg));
	return r;
}

static json_object *reply_err(const char *msg)
{
	return ctlsock_error(msg);
}

static int main_reload(struct ctl_main *m, char *err, size_t errlen)
{
	struct raiz_config *cfg = NULL;
	if (m->stopping) {
		snprintf(err, errlen, "stopping: reload not done");
		log_notice("reload asked for while stopping: not done");
		return -1;
	}
	if (config_load(m->config_path, &cfg, err, errlen) < 0) {
		log_err("reload refused, keeping the running configuration: %s", err);
		return -1;
	}
	if (strcmp(cfg->ctl.controller.control_socket, m->sock_path) != 0)
		log_warn("controller.control-socket changed: takes effect at the next start");
	if (node_reload(m->node, cfg, err, errlen) < 0) {
		log_err("reload failed, keeping the running configuration: %s", err);
		return -1;
	}
	log_set_level(m->debug ? LOG_LVL_DEBUG : node_config(m->node)->node.log_level);
	log_notice("configuration reloaded from %s", m->config_path);
	return 0;
}

static json_object *main_handle(void *arg, json_object *req)
{
	struct ctl_main *m = arg;
	json_object *c = NULL;
	char err[1024];

	if (!json_object_object_get_ex(req, "command", &c) ||
	    !json_object_is_type(c, json_type_string))
		return reply_err("request needs a \"command\" string");
	const char *cmd = json_object_get_string(c);

	if (strcmp(cmd, "status") == 0)
		return node_status(m->node);
	if (strcmp(cmd, "why") == 0 || strcmp(cmd, "history") == 0) {
		json_object *mx = NULL;
		size_t max = 50;
		if (json_object_object_get_ex(req, "max", &mx) && json_object_is_type(mx, json_type_int))
			max = (size_t)json_object_get_int64(mx);
		json_object *h = node_history(m->node, max), *s = node_status(m->node);
		json_object *p = NULL, *sv = NULL;
		if (json_object_object_get_ex(s, "prefixes", &p))
			json_object_object_add(h, "prefixes", json_object_get(p));
		if (json_object_object_get_ex(s, "services", &sv))
			json_object_object_add(h, "services", json_object_get(sv));
		json_object_put(s);
		return h;
	}
	if (strcmp(cmd, "drain") == 0) {
		json_object *r = NULL;
		const char *reason = "drained with raizctl";
		if (json_object_object_get_ex(req, "reason", &r) && json_object_is_type(r, json_type_string))
			reason = json_object_get_string(r);
		if (node_drain(m->node, reason, err, sizeof err) < 0)
			return reply_err(err);
		return reply_ok("draining: announced with GRACEFUL_SHUTDOWN, withdrawn after drain-time");
	}
	if (strcmp(cmd, "undrain") == 0) {
		if (node_undrain(m->node, err, sizeof err) < 0)
			return reply_err(err);
		return reply_ok("maintenance ended: announcing follows health again");
	}
	if (strcmp(cmd, "reload") == 0) {
		if (main_reload(m, err, sizeof err) < 0)
			return reply_err(err);
		return reply_ok("configuration reloaded");
	}
	if (strcmp(cmd, "probe") == 0) {
		node_probe_now(m->node);
		return reply_ok("probe round started");
	}
	if (strcmp(cmd, "version") == 0) {
		json_object *r = reply_ok(NULL);
		json_object_object_add(r, "version", json_object_new_string(RAIZ_VERSION));
		return r;
	}
	snprintf(err, sizeof err, "unknown command \"%.64s\"", cmd);
	return reply_err(err);
}

/* one request line from the control socket: a JSON object */
static json_object *main_line(void *arg, struct ctlsock_conn *c, const char *line)
{
	json_object *req = ctlsock_json_object(line, strlen(line)), *reply;

	(void)c;
	if (!req)
		return reply_err("bad request: expected one JSON object per line");
	reply = main_handle(arg, req);
	json_object_put(req);
	return reply ? reply : reply_err("internal error");
}

/* ---- privileges ---- */

/* controller.user: 0 with *u filled, 1 when none ("" keeps the user it was
 * started as), -1 with "file:line: reason" when it does not exist */
static int main_user(const struct raiz_config *cfg, struct sandbox_user *u, char *err,
		     size_t errlen)
{
	const char *name = cfg->ctl.controller.user;
	char why[300];
	if (!name || !name[0])
		return 1;
	if (sandbox_user_resolve(name, u, why, sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "%s:%d: \"user\": %s", cfg->path, cfg->ctl.controller.user_line, why);
	return -1;
}

/* Started as root with a "user": the control socket is handed to it, the
 * bounding set emptied, and the process becomes that user (with its
 * groups: bird, for BIRD's socket).  Not root (systemd's User=): every
 * capability set is emptied.  Either way nothing can gain privileges
 * later.  No seccomp filter of its own: under systemd the unit's applies
 * (raiz-controller(8), PRIVILEGES). */
static int main_privs(const char *sock_path, const struct sandbox_user *u, char *err,
		      size_t errlen)
{
	if (geteuid() == 0) {
		if (sandbox_bounding_drop(err, errlen) < 0)
			return -1;
		if (u) {
			if (lchown(sock_path, u->uid, u->gid) != 0)
				log_warn("chown %s to %s: %s", sock_path, u->name, strerror(errno));
			if (sandbox_user_drop(u, err, errlen) != 0)
				return -1;
			log_info("running as user %s (uid %u)", u->name, (unsigned)u->uid);
		}
	} else if (u && u->uid != geteuid()) {
		log_warn("\"user\": %s ignored: not started as root (uid %u)", u->name,
			 (unsigned)geteuid());
	}
	if (geteuid() != 0 && sandbox_caps_clear(err, errlen) != 0)
		return -1;
	return sandbox_no_new_privs(err, errlen);
}

/* ---- signals, watchdog ---- */

static void main_stopped(void *arg)
{
	struct ctl_main *m = arg;
	ev_break(m->loop, EVBREAK_ALL);
}

static void main_term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct ctl_main *m = w->data;
	if (m->stopping)
		return;        /* a second SIGTERM or ^C: the stop runs already */
	m->stopping = true;
	log_notice("signal %d: stopping", w->signum);
	sdnotify_stopping();    /* later stop signals and SIGHUP stay pending */
	node_stop(m->node, main_stopped, m);
}

static void main_hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct ctl_main *m = w->data;
	char err[1024];
	if (m->stopping) {
		log_notice("SIGHUP while stopping: not reloading");
		return;
	}
	sdnotify("RELOADING=1");
	main_reload(m, err, sizeof err);
	sdnotify("READY=1");
}

static void main_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_main *m = w->data;
	char s[256], msg[300];
	node_summary(m->node, s, sizeof s);
	snprintf(msg, sizeof msg, "WATCHDOG=1\nSTATUS=%s", s);
	sdnotify(msg);
}

/* ---- --stop-post: withdraw with a private reconciler ---- */

static size_t stop_post_verified, stop_post_n;
static bool stop_post_connected;

static void stop_post_bird_cb(void *arg, bool connected)
{
	stop_post_connected |= connected;
}

static void stop_post_verified_cb(void *arg, size_t i, enum announce_state st, double when)
{
	if (st == RECONCILE_WITHDRAW && ++stop_post_verified >= stop_post_n)
		ev_break((struct ev_loop *)arg, EVBREAK_ALL);
}

static void stop_post_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* BIRD not running: no confirmation can come, stop waiting */
static void stop_post_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (bird_not_running(reconcile_bird(w->data)))
		ev_break(loop, EVBREAK_ALL);
}

static int main_stop_post(struct ev_loop *loop, struct raiz_config *cfg)
{
	const struct cfg_ctl *k = &cfg->ctl;
	const char *result = getenv("SERVICE_RESULT");
	char err[512];

	if (k->controller.on_stop == CFG_ON_STOP_KEEP && result && strcmp(result, "success") == 0) {
		log_notice("clean stop and on-stop keep: leaving BIRD as it is");
		return 0;
	}
	if (k->nprefixes == 0)
		return 0;
	struct reconcile_prefix *rp = calloc(k->nprefixes, sizeof *rp);
	if (!rp)
		return 1;
	for (size_t i = 0; i < k->nprefixes; i++)
		rp[i] = (struct reconcile_prefix){ .prefix = k->prefixes[i].prefix,
						   .static_proto = k->prefixes[i].static_protocol,
						   .bgp_protos = (const char *const *)k->prefixes[i].bgp,
						   .nbgp = k->prefixes[i].nbgp };
	stop_post_n = k->nprefixes;
	struct reconcile_config rc = { .socket_path = k->bird.socket,
				       .include_path = k->bird.state_file, .prefixes = rp,
				       .nprefixes = k->nprefixes,
				       .on_verified = stop_post_verified_cb,
				       .on_bird_state = stop_post_bird_cb, .arg = loop };
	struct reconcile *r = reconcile_new(loop, &rc, err, sizeof err);
	free(rp);
	if (!r) {
		log_err("cannot withdraw: %s", err);
		return 1;
	}
	for (size_t i = 0; i < k->nprefixes; i++)
		reconcile_set(r, i, RECONCILE_WITHDRAW, "raiz-controller stopped (stop-post)");
	ev_timer t, gone;
	ev_timer_init(&t, stop_post_timeout_cb, (double)k->controller.stop_timeout_ms / 1000.0, 0.);
	ev_timer_start(loop, &t);
	ev_timer_init(&gone, stop_post_poll_cb, 0.02, 0.02);
	gone.data = r;
	ev_timer_start(loop, &gone);
	if (stop_post_verified < stop_post_n && !bird_not_running(reconcile_bird(r)))
		ev_run(loop, 0);
	ev_timer_stop(loop, &t);
	ev_timer_stop(loop, &gone);
	int rc_ = stop_post_verified >= stop_post_n ? 0 : 1;
	if (!rc_)
		log_notice("every prefix withdrawn");
	else if (bird_not_running(reconcile_bird(r))) {
		log_notice("BIRD is not running (nothing listens on %s): nothing is announced; "
			   "the state file %s says withdrawn", k->bird.socket, k->bird.state_file);
		rc_ = 0;
	} else if (!stop_post_connected) {
		/* BIRD is not running: it announces nothing, and starts withdrawn */
		log_notice("BIRD not reachable; the state file %s says withdrawn",
			   k->bird.state_file);
		rc_ = 0;
	} else
		log_warn("BIRD did not confirm the withdrawal; the state file %s says withdrawn",
			 k->bird.state_file);
	reconcile_free(r);
	return rc_;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' },
		{ "stop-post", no_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_main m = { .config_path = CONFIG_DEFAULT_PATH };
	bool check = false, debug = false, stop_post = false;
	struct raiz_config *cfg = NULL;
	char err[1024];
	int o;

	while ((o = getopt_long(argc, argv, "c:dnVh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': m.config_path = optarg; break;
		case 'd': debug = m.debug = true; break;
		case 'n': check = true; break;
		case 'S': stop_post = true; break;
		case 'V': printf("raiz-controller %s\n", RAIZ_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("raiz-controller", false, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (config_load(m.config_path, &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "raiz-controller: %s\n", err);
		return 2;
	}
	struct sandbox_user user;
	int has_user = main_user(cfg, &user, err, sizeof err);
	if (has_user < 0 && !stop_post) {   /* --stop-post withdraws whatever */
		fprintf(stderr, "raiz-controller: %s\n", err);
		config_free(cfg);
		return 2;
	}
	if (check) {
		printf("%s: configuration ok (%zu prefixes, %zu services, %zu probes)\n",
		       m.config_path, cfg->ctl.nprefixes, cfg->ctl.nservices, cfg->ctl.nprobes);
		config_free(cfg);
		return 0;
	}
	log_init("raiz-controller", cfg->node.syslog, debug ? LOG_LVL_DEBUG : cfg->node.log_level);
	signal(SIGPIPE, SIG_IGN);
	m.loop = ev_default_loop(EVFLAG_AUTO);
	if (stop_post) {
		int r = main_stop_post(m.loop, cfg);
		config_free(cfg);
		return r;
	}
	if (cfg->ctl.nprefixes == 0)
		log_warn("no \"prefixes\" configured: nothing to announce");
	/* like systemd's RuntimeDirectory= and StateDirectory=, for other setups */
	const char *dirs[] = { cfg->node.run_dir, cfg->node.state_dir };
	for (size_t i = 0; i < 2; i++)
		if (dirs[i] && mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			log_warn("cannot create %s: %s", dirs[i], strerror(errno));
	m.sock_path = strdup(cfg->ctl.controller.control_socket);
	bool want_wd = cfg->ctl.controller.watchdog;
	if (!m.sock_path) {
		log_err("cannot start: out of memory");
		config_free(cfg);
		return 1;
	}
	/* the control socket first: its directory may be root's; the
	 * handler looks at m.node only once the loop runs */
	m.sock = ctlsock_new(m.loop, m.sock_path, 0660, "raiz-controller", main_line, &m,
			     err, sizeof err);
	if (!m.sock) {
		log_err("control socket: %s", err);
		config_free(cfg);
		free(m.sock_path);
		return 1;
	}
	if (main_privs(m.sock_path, has_user == 0 ? &user : NULL, err, sizeof err) != 0) {
		log_err("dropping privileges: %s", err);
		ctlsock_free(m.sock);
		config_free(cfg);
		free(m.sock_path);
		return 1;
	}
	/* BIRD's socket and the state file, as the unprivileged user */
	m.node = node_new(m.loop, cfg, err, sizeof err);   /* owns cfg now */
	if (!m.node) {
		log_err("cannot start: %s", err);
		ctlsock_free(m.sock);
		free(m.sock_path);
		return 1;
	}
	ev_signal_init(&m.sigterm, main_term_cb, SIGTERM);
	ev_signal_init(&m.sigint, main_term_cb, SIGINT);
	ev_signal_init(&m.sighup, main_hup_cb, SIGHUP);
	m.sigterm.data = m.sigint.data = m.sighup.data = &m;
	ev_signal_start(m.loop, &m.sigterm);
	ev_signal_start(m.loop, &m.sigint);
	ev_signal_start(m.loop, &m.sighup);
	uint64_t wd = sdnotify_watchdog_usec();
	if (wd && want_wd) {
		ev_timer_init(&m.watchdog, main_watchdog_cb, 0., (double)wd / 2e6);
		m.watchdog.data = &m;
		ev_timer_again(m.loop, &m.watchdog);
	}
	log_notice("raiz-controller %s started: %s, control socket %s", RAIZ_VERSION,
		   m.config_path, m.sock_path);
	sdnotify("READY=1\nSTATUS=started, adopting BIRD's state until the probes decide");

	ev_run(m.loop, 0);

	ev_timer_stop(m.loop, &m.watchdog);
	ctlsock_free(m.sock);
	node_free(m.node);
	free(m.sock_path);
	ev_loop_destroy(m.loop);
	log_notice("stopped");
	return m.exit_code;
}

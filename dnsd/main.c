/*
 * raiz-dnsd — the authoritative DNS server of a raiz anycast node.
 *
 * Start-up order: read and check the configuration (exit 2 when bad),
 * compile the zones, bind every listen address for every worker, create
 * the control socket and the pid file, drop privileges, start the
 * workers, tell systemd READY=1.  Stored copies of secondary zones are
 * published before the workers start (xfrd.h).  The main thread then runs
 * one libev loop for signals (HUP reload, TERM/INT stop), the control
 * socket, the reload completion, the zone transfers' timers and
 * completions, and the systemd watchdog.  See raiz-dnsd(8).
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/control.h"
#include "dnsd/dispatch.h"
#include "dnsd/privs.h"
#include "dnsd/reload.h"
#include "common/sdnotify.h"
#include "dnsd/server.h"
#include "dnsd/snapshot.h"
#include "dnsd/xfrd.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"
#include "dnsd/zstore.h"

#include "common/version.h"

enum { EXIT_RUNTIME = 1, EXIT_CONFIG = 2 };

struct dnsd {
	const char *config_path;
	bool debug;
	struct raiz_config *cfg;      /* as started: listen, sockets, user */
	struct snapshot_rcu *rcu;
	struct server *srv;
	struct control *ctl;
	struct reload *reload;
	struct xfrd *xfrd;
	struct ev_loop *loop;
	ev_signal sig_hup, sig_term, sig_int;
	ev_timer watchdog;
	bool pidfile_written;
	int exit_code;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: raiz-dnsd [-c config] [-f] [-n] [-d] [-v] [-h]\n"
		"  -c FILE  configuration file (default %s)\n"
		"  -f       stay in the foreground (always the case; for compatibility)\n"
		"  -n       check the configuration and the zones, then exit\n"
		"  -d       log at debug level\n"
		"  -v       print the version and exit\n"
		"  -h       this help\n",
		CONFIG_DEFAULT_PATH);
}

/* counts the zones of a set that are not served, logging each */
static size_t zones_report(const struct zoneset *zs, size_t *loaded)
{
	size_t bad = 0, n = zoneset_count(zs);
	*loaded = 0;
	for (size_t i = 0; i < n; i++) {
		struct zoneset_info zi;
		zoneset_info(zs, i, &zi);
		if (zi.loaded)
			(*loaded)++;
		else if (!zi.secondary)	/* a secondary waits for its transfer */
			bad++;
	}
	return bad;
}

static int check_only(struct raiz_config *cfg)
{
	struct zoneset *zs = zoneset_build(cfg, NULL);
	if (!zs) {
		fprintf(stderr, "raiz-dnsd: %s: building the zone set failed\n", cfg->path);
		return EXIT_RUNTIME;
	}
	size_t loaded, bad = zones_report(zs, &loaded);
	size_t n = zoneset_count(zs);
	for (size_t i = 0; i < n; i++) {
		struct zoneset_info zi;
		zoneset_info(zs, i, &zi);
		if (zi.secondary) {
			/* report the stored copy a start would serve */
			char dir[PATH_MAX], err[600];
			struct zstore_meta m;
			bool missing = false;
			snprintf(dir, sizeof dir, "%s/zones",
				 cfg->node.state_dir ? cfg->node.state_dir : "/var/lib/raiz");
			struct zone *z = zstore_load(dir, zi.name, &m, &missing, err, sizeof err);
			if (z)
				printf("zone %s: secondary, stored copy serial %u\n", zi.name, m.serial);
			else
				printf("zone %s: secondary, %s\n", zi.name,
				       missing ? "no stored copy yet (transferred at start)" : err);
			zone_unref(z);
		} else if (!zi.loaded) {
			fprintf(stderr, "raiz-dnsd: zone %s: %s\n", zi.name ? zi.name : "?",
				zi.error ? zi.error : "not loaded");
		}
	}
	printf("%s: configuration ok, %zu of %zu zone%s loaded\n", cfg->path, loaded, n,
	       n == 1 ? "" : "s");
	zoneset_free(zs);
	return bad ? EXIT_RUNTIME : 0;
}

/* mkdir -p for the directory part of path (or path itself when dir) */
static int make_dirs(const char *path, bool is_dir, mode_t mode)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -1;
	if (!is_dir) {
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return 0;
		*slash = '\0';
	}
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) != 0 && errno != EEXIST)
				return -1;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

/* a pid file naming a live raiz-dnsd other than us */
static pid_t pidfile_running(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	long pid = 0;
	int ok = fscanf(f, "%ld", &pid) == 1;
	fclose(f);
	if (!ok || pid <= 1 || pid == (long)getpid() || kill((pid_t)pid, 0) != 0)
		return 0;
	char comm_path[64], comm[64] = "";
	snprintf(comm_path, sizeof comm_path, "/proc/%ld/comm", pid);
	f = fopen(comm_path, "r");
	if (f) {
		if (!fgets(comm, sizeof comm, f))
			comm[0] = '\0';
		fclose(f);
	}
	return strncmp(comm, "raiz-dnsd", 9) == 0 ? (pid_t)pid : 0;
}

static int pidfile_write(const char *path)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	char line[32];
	int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	if (write(fd, line, (size_t)n) != n || close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void reload_done(void *arg, bool ok, const char *msg)
{
	struct dnsd *d = arg;
	xfrd_reconfigure(d->xfrd);
	control_reload_done(d->ctl, ok, msg);
}

static void hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct dnsd *d = w->data;
	char err[640];
	(void)loop;
	(void)revents;
	log_notice("SIGHUP: reloading");
	reload_request(d->reload, err, sizeof err);
}

static void term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	log_notice("%s: shutting down", w->signum == SIGTERM ? "SIGTERM" : "SIGINT");
	sdnotify("STOPPING=1");
	ev_break(loop, EVBREAK_ALL);
}

static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	sdnotify("WATCHDOG=1");
}

static int dnsd_start(struct dnsd *d)
{
	struct raiz_config *cfg = d->cfg;
	char err[640];

	struct zoneset *zs = zoneset_build(cfg, NULL);
	if (!zs) {
		log_err("building the zone set failed");
		return EXIT_RUNTIME;
	}
	size_t loaded, bad = zones_report(zs, &loaded);
	log_notice("%zu zone%s served, %zu not loaded (REFUSED)", loaded, loaded == 1 ? "" : "s",
		   bad);
	struct snapshot *snap = snapshot_new(cfg, false, zs, NULL);
	unsigned nw = cfg->dnsd.workers ? cfg->dnsd.workers : 1;
	/* reader slots: one per worker, the last for the main thread */
	d->rcu = snap ? snapshot_rcu_new(nw + 1, snap) : NULL;
	if (!d->rcu) {
		snapshot_free(snap);
		log_err("out of memory");
		return EXIT_RUNTIME;
	}

	struct privs_user user;
	int drop = privs_lookup(cfg->dnsd.user, &user, err, sizeof err);
	if (drop < 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	struct stat st;
	bool made_run_dir = stat(cfg->node.run_dir, &st) != 0;
	if (make_dirs(cfg->node.run_dir, true, 0755) != 0 ||
	    make_dirs(cfg->dnsd.pidfile, false, 0755) != 0 ||
	    make_dirs(cfg->dnsd.control_socket, false, 0755) != 0) {
		log_err("creating %s: %s", cfg->node.run_dir, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (made_run_dir && drop == 0 && chown(cfg->node.run_dir, user.uid, user.gid) != 0)
		log_warn("chown %s: %s", cfg->node.run_dir, strerror(errno));
	pid_t other = pidfile_running(cfg->dnsd.pidfile);
	if (other) {
		log_err("raiz-dnsd is already running (pid %ld, %s)", (long)other,
			cfg->dnsd.pidfile);
		return EXIT_RUNTIME;
	}

	d->srv = server_new(cfg, d->rcu, err, sizeof err);
	if (!d->srv) {
		log_err("cannot listen: %s", err);
		return EXIT_RUNTIME;
	}
	d->reload = reload_new(d->loop, d->rcu, d->config_path, cfg, d->debug, reload_done, d);
	if (!d->reload) {
		log_err("out of memory");
		return EXIT_RUNTIME;
	}
	/* stored copies of secondary zones are served before the workers start;
	 * the transfer jobs write them as the daemon user */
	char zdir[PATH_MAX];
	const char *sdir = cfg->node.state_dir ? cfg->node.state_dir : "/var/lib/raiz";
	snprintf(zdir, sizeof zdir, "%s/zones", sdir);
	if (make_dirs(zdir, true, 0750) != 0)
		log_warn("creating %s: %s (transferred zones cannot be stored)", zdir, strerror(errno));
	else if (drop == 0 && (chown(sdir, user.uid, user.gid) != 0 ||
			       chown(zdir, user.uid, user.gid) != 0))
		log_warn("chown %s: %s", zdir, strerror(errno));
	d->xfrd = xfrd_new(d->loop, d->rcu, snapshot_rcu_reader(d->rcu, nw), d->reload);
	if (!d->xfrd) {
		log_err("out of memory");
		return EXIT_RUNTIME;
	}
	dispatch_set_xfrd(d->xfrd);
	xfrd_start(d->xfrd);

	struct control_env env = {
		.version = "raiz-dnsd " RAIZ_VERSION,
		.started = time(NULL),
		.reader = snapshot_rcu_reader(d->rcu, nw),
		.server = d->srv,
		.reload = d->reload,
		.xfrd = d->xfrd,
	};
	d->ctl = control_new(d->loop, cfg->dnsd.control_socket, &env, err, sizeof err);
	if (!d->ctl) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	if (pidfile_write(cfg->dnsd.pidfile) != 0) {
		log_err("writing pid file %s: %s", cfg->dnsd.pidfile, strerror(errno));
		return EXIT_RUNTIME;
	}
	d->pidfile_written = true;
	if (drop == 0) {
		if (chown(cfg->dnsd.control_socket, user.uid, user.gid) != 0 ||
		    chown(cfg->dnsd.pidfile, user.uid, user.gid) != 0)
			log_warn("chown to %s: %s", user.name, strerror(errno));
		if (privs_drop(&user, err, sizeof err) != 0) {
			log_err("dropping privileges: %s", err);
			return EXIT_RUNTIME;
		}
		log_info("running as user %s (uid %u)", user.name, (unsigned)user.uid);
	}
	if (server_start(d->srv, err, sizeof err) != 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}

	ev_signal_init(&d->sig_hup, hup_cb, SIGHUP);
	ev_signal_init(&d->sig_term, term_cb, SIGTERM);
	ev_signal_init(&d->sig_int, term_cb, SIGINT);
	d->sig_hup.data = d->sig_term.data = d->sig_int.data = d;
	ev_signal_start(d->loop, &d->sig_hup);
	ev_signal_start(d->loop, &d->sig_term);
	ev_signal_start(d->loop, &d->sig_int);
	uint64_t wd = sdnotify_watchdog_usec();
	if (wd) {
		ev_timer_init(&d->watchdog, watchdog_cb, 0, wd / 2e6);
		ev_timer_again(d->loop, &d->watchdog);
	}
	sdnotify("READY=1\nSTATUS=serving");
	log_notice("raiz-dnsd %s ready (pid %ld)", RAIZ_VERSION, (long)getpid());
	return 0;
}

static void dnsd_stop(struct dnsd *d)
{
	if (d->srv)
		server_stop(d->srv);
	reload_free(d->reload);       /* waits for a running reload */
	xfrd_free(d->xfrd);           /* waits for running transfers (their deadlines) */
	control_free(d->ctl);
	server_free(d->srv);
	if (d->pidfile_written && unlink(d->cfg->dnsd.pidfile) != 0)
		log_debug("removing %s: %s", d->cfg->dnsd.pidfile, strerror(errno));
	if (d->loop) {
		ev_signal_stop(d->loop, &d->sig_hup);
		ev_signal_stop(d->loop, &d->sig_term);
		ev_signal_stop(d->loop, &d->sig_int);
		ev_timer_stop(d->loop, &d->watchdog);
	}
	snapshot_rcu_free(d->rcu);
	config_free(d->cfg);
	if (d->loop)
		ev_loop_destroy(d->loop);
}

int main(int argc, char **argv)
{
	struct dnsd d = { .config_path = CONFIG_DEFAULT_PATH };
	bool check = false;
	int opt;
	while ((opt = getopt(argc, argv, "c:fndvh")) != -1) {
		switch (opt) {
		case 'c': d.config_path = optarg; break;
		case 'f': break;
		case 'n': check = true; break;
		case 'd': d.debug = true; break;
		case 'v': printf("raiz-dnsd %s\n", RAIZ_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_CONFIG;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	log_init("raiz-dnsd", false, d.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	/* a reload asked for while the zones load at start must not kill us;
	 * the main loop takes SIGHUP over once it runs */
	signal(SIGHUP, SIG_IGN);

	char err[640];
	if (config_load(d.config_path, &d.cfg, err, sizeof err) != 0) {
		if (check)
			fprintf(stderr, "raiz-dnsd: %s\n", err);
		else
			log_err("bad configuration: %s", err);
		return EXIT_CONFIG;
	}
	if (check) {
		log_init("raiz-dnsd", false, d.debug ? LOG_LVL_DEBUG : LOG_LVL_WARNING);
		int rc = check_only(d.cfg);
		config_free(d.cfg);
		return rc;
	}
	log_init("raiz-dnsd", d.cfg->node.syslog, d.debug ? LOG_LVL_DEBUG : d.cfg->node.log_level);
	log_notice("raiz-dnsd %s starting, configuration %s", RAIZ_VERSION, d.config_path);
	signal(SIGPIPE, SIG_IGN);

	d.loop = ev_default_loop(EVFLAG_AUTO);
	if (!d.loop) {
		log_err("cannot create the event loop");
		config_free(d.cfg);
		return EXIT_RUNTIME;
	}
	int rc = dnsd_start(&d);
	if (rc == 0) {
		ev_run(d.loop, 0);
		log_notice("stopped");
	} else {
		sdnotify("STOPPING=1");
	}
	dnsd_stop(&d);
	return rc;
}

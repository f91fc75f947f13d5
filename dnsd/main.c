/*
 * raiz-dnsd — the authoritative DNS server of a raiz anycast node.
 *
 * Start-up order: read and check the configuration and the user (exit 2
 * when bad), bind every listen address for every worker, create the
 * control socket and the pid file (as root, in a directory the daemon user
 * cannot write), drop privileges (empty bounding set, no capability left,
 * no new privileges, the seccomp filter of sandbox.h unless systemd's
 * applies: "seccomp" in raiz.json), then load the zones as the daemon user
 * (as every reload does), publish the stored copies of secondary zones
 * (xfrd.h), start the workers, tell systemd READY=1.  The main thread
 * then runs one libev loop for signals (HUP reload, TERM/INT stop), the
 * control socket, the reload completion, the zone transfers' timers and
 * completions, and the systemd watchdog.  See raiz-dnsd(8).
 */
#include <errno.h>
#include <malloc.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/sandbox.h"
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
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
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

/* splits path into its directory (into dir) and returns the last name */
static const char *path_split(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(dir, dirlen, ".");
		return path;
	}
	snprintf(dir, dirlen, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return slash + 1;
}

/* Written as root before the privileges are dropped, in a directory the
 * daemon user cannot write (checked by dirs_check()): a temporary name
 * created with O_EXCL|O_NOFOLLOW beside it, then renamed over it, all
 * relative to the directory opened once, so no link planted there is ever
 * followed.  The file is given to `owner` through its descriptor, so that
 * the unprivileged daemon can empty it at exit (pidfile_remove()). */
static int pidfile_write(const char *path, const struct privs_user *owner)
{
	char dir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *base = path_split(path, dir, sizeof dir);
	if (!base[0] || snprintf(tmp, sizeof tmp, "%s.tmp", base) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	(void)unlinkat(dfd, tmp, 0);   /* a leftover; never followed */
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		close(dfd);
		errno = e;
		return -1;
	}
	char line[32];
	int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	int rc = 0;
	if (write(fd, line, (size_t)n) != n ||
	    (owner && fchown(fd, owner->uid, owner->gid) != 0))
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && renameat(dfd, tmp, dfd, base) != 0)
		rc = -1;
	int e = errno;
	if (rc != 0)
		(void)unlinkat(dfd, tmp, 0);
	close(dfd);
	errno = e;
	return rc;
}

/* at exit: removed, or (the daemon user cannot remove names from the
 * root-owned directory) emptied, so that it names no process */
static void pidfile_remove(const char *path)
{
	if (unlink(path) == 0)
		return;
	if (errno != EACCES && errno != EPERM) {
		log_debug("removing %s: %s", path, strerror(errno));
		return;
	}
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		log_debug("emptying %s: %s", path, strerror(errno));
	else
		close(fd);
}

/* the user of raiz.json: 0 with *u filled, 1 when none is configured, -1
 * with "file:line: reason" in err when it does not exist */
static int user_check(const struct raiz_config *cfg, struct privs_user *u, char *err,
		      size_t errlen)
{
	const char *name = cfg->dnsd.user;
	char why[300];
	if (!name || !name[0])
		return 1;
	if (privs_resolve(name, u, why, sizeof why) == 0)
		return 0;
	if (cfg->dnsd.user_line > 0)
		snprintf(err, errlen, "%s:%d: \"user\": %s", cfg->path, cfg->dnsd.user_line, why);
	else
		snprintf(err, errlen, "%s: %s (the default of \"dnsd\": \"user\"): create it "
			 "(useradd --system %s) or name another user", cfg->path, why, name);
	return -1;
}

/* the directories root writes into at start (pid file, control socket)
 * must not be writable by the daemon user: it could plant links there */
static int dirs_check(const struct raiz_config *cfg, const struct privs_user *u, char *err,
		      size_t errlen)
{
	const char *files[] = { cfg->dnsd.pidfile, cfg->dnsd.control_socket };
	for (size_t i = 0; i < 2; i++) {
		char dir[PATH_MAX];
		struct stat st;
		path_split(files[i], dir, sizeof dir);
		if (stat(dir, &st) != 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
		if (privs_can_write(u, &st)) {
			snprintf(err, errlen, "%.1000s is writable by user %s, who could plant links "
				 "there for root to follow: make it root's and not writable by "
				 "others (chown root:root %.1000s; chmod 755 %.1000s)",
				 dir, u->name, dir, dir);
			return -1;
		}
	}
	return 0;
}

/* state-dir/zones, where transfers store their copies as the daemon user:
 * created and handed over through a descriptor (a planted link is not
 * followed); the state dir itself stays root's */
static void zones_dir_prepare(const char *sdir, const struct privs_user *u, bool drop)
{
	char zdir[PATH_MAX];
	snprintf(zdir, sizeof zdir, "%s/zones", sdir);
	if (make_dirs(zdir, true, 0750) != 0) {
		log_warn("creating %s: %s (transferred zones cannot be stored)", zdir, strerror(errno));
		return;
	}
	struct stat st;
	if (drop && stat(sdir, &st) == 0 && privs_can_write(u, &st))
		log_warn("%s is writable by user %s: root programs (raiz-controller) write there; "
			 "make it root's (chown root %s; chmod 755 %s)", sdir, u->name, sdir, sdir);
	if (!drop)
		return;
	int fd = open(zdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, u->uid, u->gid) != 0)
		log_warn("handing %s to %s: %s", zdir, u->name, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* TCP connections may not take the descriptors the control socket,
 * reloads and transfers need: tcp-max-connections is capped below
 * RLIMIT_NOFILE (whose soft limit is first raised as far as needed) */
static unsigned tcp_limit(const struct raiz_config *cfg)
{
	unsigned want = cfg->dnsd.tcp_max_connections;
	unsigned nw = cfg->dnsd.workers ? cfg->dnsd.workers : 1;
	rlim_t reserve = 128 + (rlim_t)nw * (2 * cfg->dnsd.nlisten + 4);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	rlim_t need = reserve + want;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		struct rlimit up = rl;
		up.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl = up;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return want;
	rlim_t avail = rl.rlim_cur > reserve + nw ? rl.rlim_cur - reserve : nw;
	unsigned cap = (unsigned)(avail / nw * nw);   /* each worker takes cap / workers */
	log_warn("tcp-max-connections %u lowered to %u: the descriptor limit (RLIMIT_NOFILE) is "
		 "%llu and %llu are kept for the listeners, the control socket, reloads and zone "
		 "transfers (raise LimitNOFILE)", want, cap, (unsigned long long)rl.rlim_cur,
		 (unsigned long long)reserve);
	return cap;
}

/* after the sockets are bound and root is given up: an unprivileged
 * process keeps no capability (those systemd's AmbientCapabilities gave
 * for binding port 53 included), nothing can gain privileges, and the
 * seccomp filter (sandbox.h) holds for every thread from here on, the zone
 * loading below included, as for every reload */
static int dnsd_confine(const struct raiz_config *cfg, char *err, size_t errlen)
{
	if (geteuid() != 0 && sandbox_caps_clear(err, errlen) != 0)
		return -1;
	if (sandbox_no_new_privs(err, errlen) != 0)
		return -1;
	enum sandbox_seccomp mode = sandbox_seccomp_mode(cfg->dnsd.seccomp);
	int r = sandbox_seccomp(mode, err, errlen);
	if (r < 0 && cfg->dnsd.seccomp != SANDBOX_SECCOMP_AUTO)
		return -1;              /* asked for explicitly: no start without it */
	if (r < 0) {
		log_warn("%s: running without a seccomp filter (\"seccomp\": \"on\" makes this "
			 "fatal)", err);
		return 0;
	}
	if (r == 0)
		log_info("seccomp filter installed (%s): a system call outside it %s",
			 mode == SANDBOX_SECCOMP_LOG ? "log" : "on",
			 mode == SANDBOX_SECCOMP_LOG ? "is logged by the kernel"
						     : "kills raiz-dnsd with SIGSYS");
	else if (mode != SANDBOX_SECCOMP_OFF)
		log_warn("no seccomp filter for this architecture: running without one");
	else
		log_info("no seccomp filter of its own (\"seccomp\": %s)",
			 cfg->dnsd.seccomp == SANDBOX_SECCOMP_AUTO ? "auto, under systemd" : "off");
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
	/* from here on stop signals stay pending: stopping the watchers in
	 * dnsd_stop() gives them back their default action, which would kill
	 * us with the pid file and control socket left */
	sdnotify_stopping();
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
	char err[PATH_MAX * 2 + 300];

	/* the user matters when started as root (-n checks it always) */
	struct privs_user user;
	if (geteuid() == 0 && user_check(cfg, &user, err, sizeof err) < 0) {
		log_err("bad configuration: %s", err);
		return EXIT_CONFIG;
	}
	int drop = privs_lookup(cfg->dnsd.user, &user, err, sizeof err);
	if (drop < 0) {
		log_err("%s", err);
		return EXIT_CONFIG;
	}
	/* the run dir stays root's: it is never handed to the daemon user */
	if (make_dirs(cfg->node.run_dir, true, 0755) != 0 ||
	    make_dirs(cfg->dnsd.pidfile, false, 0755) != 0 ||
	    make_dirs(cfg->dnsd.control_socket, false, 0755) != 0) {
		log_err("creating %s: %s", cfg->node.run_dir, strerror(errno));
		return EXIT_RUNTIME;
	}
	if (drop == 0 && dirs_check(cfg, &user, err, sizeof err) != 0) {
		log_err("refusing to start: %s", err);
		return EXIT_RUNTIME;
	}
	pid_t other = pidfile_running(cfg->dnsd.pidfile);
	if (other) {
		log_err("raiz-dnsd is already running (pid %ld, %s)", (long)other,
			cfg->dnsd.pidfile);
		return EXIT_RUNTIME;
	}

	/* no zone is read as root: until they are loaded (below, as the daemon
	 * user) the snapshot serves none; no worker runs before that */
	struct raiz_config none = *cfg;
	none.nzones = 0;
	struct zoneset *empty = zoneset_build(&none, NULL);
	struct snapshot *snap = empty ? snapshot_new(cfg, false, empty, NULL) : NULL;
	unsigned nw = cfg->dnsd.workers ? cfg->dnsd.workers : 1;
	/* reader slots: one per worker, the last for the main thread */
	d->rcu = snap ? snapshot_rcu_new(nw + 1, snap) : NULL;
	if (!d->rcu) {
		snapshot_free(snap);
		log_err("out of memory");
		return EXIT_RUNTIME;
	}

	struct raiz_config scfg = *cfg;
	scfg.dnsd.tcp_max_connections = tcp_limit(cfg);
	d->srv = server_new(&scfg, d->rcu, err, sizeof err);
	if (!d->srv) {
		log_err("cannot listen: %s", err);
		return EXIT_RUNTIME;
	}
	d->reload = reload_new(d->loop, d->rcu, d->config_path, cfg, d->debug, reload_done, d);
	if (!d->reload) {
		log_err("out of memory");
		return EXIT_RUNTIME;
	}
	reload_set_server(d->reload, d->srv);
	/* the transfer jobs store their copies there as the daemon user */
	zones_dir_prepare(cfg->node.state_dir ? cfg->node.state_dir : "/var/lib/raiz", &user,
			  drop == 0);
	d->xfrd = xfrd_new(d->loop, d->rcu, snapshot_rcu_reader(d->rcu, nw), d->reload);
	if (!d->xfrd) {
		log_err("out of memory");
		return EXIT_RUNTIME;
	}

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
	if (pidfile_write(cfg->dnsd.pidfile, drop == 0 ? &user : NULL) != 0) {
		log_err("writing pid file %s: %s", cfg->dnsd.pidfile, strerror(errno));
		return EXIT_RUNTIME;
	}
	d->pidfile_written = true;
	/* root: nothing run later may hold a capability (needs CAP_SETPCAP,
	 * which the systemd unit does not give: there the bounding set is
	 * CAP_NET_BIND_SERVICE alone, and the sets below are emptied) */
	if (geteuid() == 0 && sandbox_bounding_drop(err, sizeof err) < 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}
	if (drop == 0) {
		/* lchown: the socket's name, never what a link would point to */
		if (lchown(cfg->dnsd.control_socket, user.uid, user.gid) != 0)
			log_warn("chown %s to %s: %s", cfg->dnsd.control_socket, user.name,
				 strerror(errno));
		if (privs_drop(&user, err, sizeof err) != 0) {
			log_err("dropping privileges: %s", err);
			return EXIT_RUNTIME;
		}
		log_info("running as user %s (uid %u)", user.name, (unsigned)user.uid);
	}
	if (dnsd_confine(cfg, err, sizeof err) != 0) {
		log_err("%s", err);
		return EXIT_RUNTIME;
	}

	/* the zones, read as the daemon user, as every reload reads them */
	struct zoneset *zs = zoneset_build(cfg, NULL);
	struct snapshot *first = zs ? snapshot_new(cfg, false, zs, NULL) : NULL;
	if (!first) {
		log_err("building the zone set failed");
		return EXIT_RUNTIME;
	}
	size_t loaded, bad = zones_report(zs, &loaded);
	log_notice("%zu zone%s served, %zu not loaded (REFUSED)", loaded, loaded == 1 ? "" : "s",
		   bad);
	uint64_t epoch;
	snapshot_free(snapshot_publish(d->rcu, first, &epoch));   /* no reader yet */
	/* stored copies of secondary zones are served before the workers start */
	dispatch_set_xfrd(d->xfrd);
	xfrd_start(d->xfrd);

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
	if (d->pidfile_written)
		pidfile_remove(d->cfg->dnsd.pidfile);
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
	/* A compiled zone is a few large arrays, built while the previous
	 * version is served.  glibc's malloc raises its mmap threshold as
	 * large blocks are freed (up to 32 MiB), after which such arrays come
	 * from the heap, where growing one copies it and freeing one keeps
	 * its pages: a reload of a 100,000-delegation zone then peaked at 2.3
	 * x the zone instead of 2.06 x.  A fixed threshold keeps them mapped:
	 * grown by mremap(), given back when freed. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
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
		/* the user must exist; run by root, the zones are then read as
		 * that user, as a start reads them */
		struct privs_user u;
		int ur = user_check(d.cfg, &u, err, sizeof err);
		if (ur < 0) {
			fprintf(stderr, "raiz-dnsd: %s\n", err);
			config_free(d.cfg);
			return EXIT_CONFIG;
		}
		if (ur == 0 && geteuid() == 0 && privs_drop(&u, err, sizeof err) != 0) {
			fprintf(stderr, "raiz-dnsd: dropping privileges: %s\n", err);
			config_free(d.cfg);
			return EXIT_RUNTIME;
		}
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
		sdnotify_stopping();
	}
	dnsd_stop(&d);
	return rc;
}

/* watch — see watch.h */
#include "controller/watch.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct watch {
	struct ev_loop *loop;
	char *pidfile;
	void (*on_exit)(void *arg, pid_t pid);
	void *arg;
	ev_io io;
	ev_timer retry;
	pid_t pid;
	pid_t gone;               /* the last pid seen exiting (a stale pid file) */
	int fd;
	bool unsupported;
	bool complained;          /* about a missing/bad pid file, once per outage */
};

static pid_t watch_read_pid(struct watch *w)
{
	char buf[32];
	int fd = open(w->pidfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end;
	long pid = strtol(buf, &end, 10);
	if (pid <= 1 || (*end && *end != '\n'))
		return 0;
	return (pid_t)pid;
}

static void watch_arm(struct watch *w, double after)
{
	ev_timer_stop(w->loop, &w->retry);
	ev_timer_set(&w->retry, after, 0.);
	ev_timer_start(w->loop, &w->retry);
}

static void watch_try(struct watch *w)
{
	pid_t pid = watch_read_pid(w);
	if (pid != 0 && pid == w->gone) {
		/* the pid file still names the process that exited (or a zombie) */
		watch_arm(w, 0.2);
		return;
	}
	if (pid == 0) {
		if (!w->complained)
			log_info("watch: no usable pid in %s yet, retrying", w->pidfile);
		w->complained = true;
		watch_arm(w, 1.0);
		return;
	}
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0) {
		if (errno == ENOSYS) {
			log_warn("watch: pidfd_open not supported; relying on probes alone");
			w->unsupported = true;
			return;
		}
		if (!w->complained)
			log_info("watch: pid %d from %s: %s, retrying", (int)pid, w->pidfile,
				 strerror(errno));
		w->complained = true;
		watch_arm(w, 1.0);
		return;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	w->pid = pid;
	w->fd = fd;
	w->complained = false;
	ev_io_set(&w->io, fd, EV_READ);
	ev_io_start(w->loop, &w->io);
	log_info("watch: watching raiz-dnsd pid %d (%s)", (int)pid, w->pidfile);
}

static void watch_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct watch *w = io->data;
	pid_t pid = w->pid;

	ev_io_stop(loop, &w->io);
	close(w->fd);
	w->fd = -1;
	w->pid = 0;
	w->gone = pid;
	log_warn("watch: raiz-dnsd pid %d exited", (int)pid);
	watch_arm(w, 0.1);
	w->on_exit(w->arg, pid);
}

static void watch_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	watch_try(t->data);
}

struct watch *watch_new(struct ev_loop *loop, const char *pidfile,
			void (*on_exit)(void *arg, pid_t pid), void *arg)
{
	struct watch *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->pidfile = strdup(pidfile);
	if (!w->pidfile) {
		free(w);
		return NULL;
	}
	w->loop = loop;
	w->on_exit = on_exit;
	w->arg = arg;
	w->fd = -1;
	ev_io_init(&w->io, watch_io_cb, -1, EV_READ);
	w->io.data = w;
	ev_timer_init(&w->retry, watch_retry_cb, 0., 0.);
	w->retry.data = w;
	watch_try(w);
	return w;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	ev_io_stop(w->loop, &w->io);
	ev_timer_stop(w->loop, &w->retry);
	if (w->fd >= 0)
		close(w->fd);
	free(w->pidfile);
	free(w);
}

pid_t watch_pid(const struct watch *w)
{
	return w ? w->pid : 0;
}

const char *watch_pidfile(const struct watch *w)
{
	return w ? w->pidfile : NULL;
}

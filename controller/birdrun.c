/* birdrun — private BIRD for tests, see birdrun.h */
#include "controller/birdrun.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIRDRUN_BIN "/usr/sbin/bird"

bool birdrun_available(void)
{
	return geteuid() == 0 && access(BIRDRUN_BIN, X_OK) == 0;
}

int birdrun_mkdir(char *dir, size_t len)
{
	if (len < sizeof("/tmp/raiz-bird.XXXXXX"))
		return -1;
	strcpy(dir, "/tmp/raiz-bird.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

void birdrun_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* tests/bird/<name>, looked for upwards from the current directory and
 * from the test binary's directory */
static int birdrun_find(const char *name, char *out, size_t outlen)
{
	char base[PATH_MAX];
	ssize_t n;

	for (int from = 0; from < 2; from++) {
		if (from == 0) {
			if (!getcwd(base, sizeof(base)))
				continue;
		} else {
			n = readlink("/proc/self/exe", base, sizeof(base) - 1);
			if (n <= 0)
				continue;
			base[n] = '\0';
		}
		for (;;) {
			int w = snprintf(out, outlen, "%s/tests/bird/%s", base, name);
			if (w > 0 && (size_t)w < outlen && access(out, R_OK) == 0)
				return 0;
			char *slash = strrchr(base, '/');
			if (!slash || slash == base)
				break;
			*slash = '\0';
		}
	}
	return -1;
}

static char *birdrun_slurp(const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	char *buf;
	long len;

	if (birdrun_find(name, path, sizeof(path)) < 0)
		return NULL;
	f = fopen(path, "re");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[len] = '\0';
	fclose(f);
	return buf;
}

int birdrun_template(const char *name, const char *out, const char *const *kv)
{
	char *text = birdrun_slurp(name), *s;
	FILE *f;
	int rc = 0;

	if (!text)
		return -1;
	f = fopen(out, "we");
	if (!f) {
		free(text);
		return -1;
	}
	for (s = text; *s; ) {
		char *at = strchr(s, '@'), *end;
		bool done = false;

		if (!at) {
			fputs(s, f);
			break;
		}
		fwrite(s, 1, (size_t)(at - s), f);
		end = strchr(at + 1, '@');
		for (size_t i = 0; end && kv && kv[i] && kv[i + 1]; i += 2)
			if (strlen(kv[i]) == (size_t)(end - at - 1) &&
			    strncmp(kv[i], at + 1, (size_t)(end - at - 1)) == 0) {
				fputs(kv[i + 1], f);
				s = end + 1;
				done = true;
				break;
			}
		if (!done) {
			fputc('@', f);
			s = at + 1;
		}
	}
	if (fclose(f) != 0)
		rc = -1;
	free(text);
	return rc;
}

int birdrun_copy(const char *name, const char *out)
{
	return birdrun_template(name, out, NULL);
}

const char *birdrun_addr(char *buf, size_t len, unsigned host)
{
	snprintf(buf, len, "127.83.%u.%u", 10u + (unsigned)getpid() % 240u, host);
	return buf;
}

int birdrun_free_port(const char *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1 &&
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static bool birdrun_socket_up(const char *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		close(fd);
		return false;
	}
	memcpy(sun.sun_path, sock, strlen(sock) + 1);
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

int birdrun_start(struct birdrun *b, const char *conf, const char *sock, const char *pidfile)
{
	pid_t parent = getpid(), pid;

	snprintf(b->conf, sizeof(b->conf), "%s", conf);
	snprintf(b->sock, sizeof(b->sock), "%s", sock);
	snprintf(b->pidfile, sizeof(b->pidfile), "%s", pidfile);
	unlink(sock);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execl(BIRDRUN_BIN, "bird", "-f", "-s", b->sock, "-c", b->conf, "-P",
		      b->pidfile, (char *)NULL);
		_exit(127);
	}
	b->pid = pid;
	for (int i = 0; i < 500; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			b->pid = 0;
			return -1;      /* BIRD exited: bad configuration? */
		}
		if (birdrun_socket_up(b->sock))
			return 0;
		nanosleep(&ts, NULL);
	}
	birdrun_stop(b);
	return -1;
}

void birdrun_stop(struct birdrun *b)
{
	int status;

	if (b->pid <= 0)
		return;
	kill(b->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
			b->pid = 0;
			return;
		}
		nanosleep(&ts, NULL);
	}
	kill(b->pid, SIGKILL);
	waitpid(b->pid, &status, 0);
	b->pid = 0;
}

struct birdrun_waiter {
	bool (*done)(void *);
	void *arg;
	bool timed_out;
};

static void birdrun_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct birdrun_waiter *bw = w->data;
	bw->timed_out = true;
}

/* a short periodic timer so done() is re-checked even without events */
static void birdrun_poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
}

bool birdrun_wait(struct ev_loop *loop, bool (*done)(void *), void *arg, double timeout)
{
	struct birdrun_waiter bw = { done, arg, false };
	ev_timer t, poll;
	bool ok;

	ev_timer_init(&t, birdrun_timeout_cb, timeout, 0);
	ev_timer_init(&poll, birdrun_poll_cb, 0.0005, 0.0005);
	t.data = &bw;
	ev_timer_start(loop, &t);
	ev_timer_start(loop, &poll);
	while (!(ok = done(arg)) && !bw.timed_out)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &t);
	ev_timer_stop(loop, &poll);
	return ok;
}

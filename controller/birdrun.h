/*
 * birdrun — run a private BIRD 2 for tests (unit tests of bird.c and
 * reconcile.c): configuration from the templates in tests/bird/, a
 * temporary directory, start in the foreground as a child, stop by PID.
 *
 * Contract: birdrun_start() forks `bird -f -s <sock> -c <conf> -P <pid>`
 * with PR_SET_PDEATHSIG, so BIRD dies with the test process on every exit
 * path (crash and abort included), and returns when the control socket
 * accepts connections (or -1 after 5 s, BIRD stopped).  birdrun_stop()
 * sends SIGTERM, waits up to 2 s, then SIGKILL; it is a no-op when
 * nothing runs.  Only for tests: the daemons never start BIRD.
 */
#ifndef RAIZ_BIRDRUN_H
#define RAIZ_BIRDRUN_H

#include <stdbool.h>
#include <sys/types.h>
#include <ev.h>

struct birdrun {
	pid_t pid;               /* 0 when not running */
	char conf[256];
	char sock[256];
	char pidfile[256];
};

/* true when BIRD can be run here (root, /usr/sbin/bird present) */
bool birdrun_available(void);
/* a fresh temporary directory "/tmp/raiz-bird.XXXXXX" into dir */
int birdrun_mkdir(char *dir, size_t len);
/* remove the files of dir (not recursive) and dir itself */
void birdrun_rmdir(const char *dir);
/* tests/bird/<name> with each "@KEY@" of kv ({"KEY", "value", ..., NULL})
 * replaced, written to out; 0 or -1 */
int birdrun_template(const char *name, const char *out, const char *const *kv);
/* copy tests/bird/<name> to out unchanged */
int birdrun_copy(const char *name, const char *out);

/* a TCP port now free on this IPv4 address (for BGP sessions), or -1 */
int birdrun_free_port(const char *addr);
/* "127.83.N.host" into buf, N from the process ID: concurrent test runs
 * (and the tests of a parallel CI) never share BIRD session addresses */
const char *birdrun_addr(char *buf, size_t len, unsigned host);

int birdrun_start(struct birdrun *b, const char *conf, const char *sock,
		  const char *pidfile);
void birdrun_stop(struct birdrun *b);

/* run loop until done(arg) is true or timeout seconds passed; true when done */
bool birdrun_wait(struct ev_loop *loop, bool (*done)(void *), void *arg, double timeout);

#endif

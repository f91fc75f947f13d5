/* unit tests for sandbox: each case runs in a forked child, since nothing
 * sandbox.c does can be undone.  The filter in "on" mode kills with SIGSYS
 * a call outside the list (getpriority) and lets listed ones through; in
 * "log" mode the same call returns normally; threads start but clone and
 * unshare make no namespace; a foreign architecture's
 * number is killed; "auto" follows INVOCATION_ID; root empties the
 * bounding set; NO_NEW_PRIVS sticks; a user that does not exist is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/sandbox.h"

/* runs fn in a child; returns its wait status */
static int in_child(int (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

/* the value of "Field:" in /proc/self/status, or -1 */
static long long status_field(const char *field, int base)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long long v = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = strtoll(line + n + 1, NULL, base);
	if (f)
		fclose(f);
	return v;
}

static int child_on_forbidden(void)
{
	char err[256];
	if (sandbox_seccomp(SANDBOX_SECCOMP_ON, err, sizeof err) != 0)
		return 10;
	/* listed calls work under the filter */
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0 || getpid() <= 0)
		return 11;
	if (status_field("Seccomp", 10) != 2 || status_field("NoNewPrivs", 10) != 1)
		return 12;
	errno = 0;
	(void)syscall(SYS_getpriority, PRIO_PROCESS, 0);   /* not listed: SIGSYS */
	return 13;
}

static void test_on_kills_with_sigsys(void **state)
{
	(void)state;
	int st = in_child(child_on_forbidden);
	if (WIFEXITED(st))
		fail_msg("child exited %d instead of dying of SIGSYS", WEXITSTATUS(st));
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static int child_log_allows(void)
{
	char err[256];
	if (sandbox_seccomp(SANDBOX_SECCOMP_LOG, err, sizeof err) != 0)
		return 10;
	if (status_field("Seccomp", 10) != 2)
		return 12;
	errno = 0;
	long r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	return r == -1 && errno != 0 ? 14 : 0;    /* logged, not refused */
}

static void test_log_allows(void **state)
{
	(void)state;
	int st = in_child(child_log_allows);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static int child_off_installs_nothing(void)
{
	char err[256];
	if (sandbox_seccomp(SANDBOX_SECCOMP_OFF, err, sizeof err) != 1)
		return 10;
	if (status_field("Seccomp", 10) != 0)
		return 12;
	return 0;
}

static void test_off(void **state)
{
	(void)state;
	int st = in_child(child_off_installs_nothing);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* threads still start (clone3 answers ENOSYS, glibc falls back to clone) */
static int child_threads(void)
{
	char err[256];
	if (sandbox_seccomp(SANDBOX_SECCOMP_ON, err, sizeof err) != 0)
		return 10;
	errno = 0;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 11;
	pthread_t t;
	void *ret = NULL;
	if (pthread_create(&t, NULL, thread_fn, (void *)42) != 0 || pthread_join(t, &ret) != 0)
		return 12;
	return ret == (void *)42 ? 0 : 13;
}

static void test_threads_allowed(void **state)
{
	(void)state;
	int st = in_child(child_threads);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* but no namespace, by clone or unshare */
static int child_clone_newuser(void)
{
	char err[256];
	if (sandbox_seccomp(SANDBOX_SECCOMP_ON, err, sizeof err) != 0)
		return 10;
	long r = syscall(SYS_clone, (long)(CLONE_NEWUSER | SIGCHLD), 0L, 0L, 0L, 0L);
	if (r == 0)
		_exit(0);       /* the new child, had it been made */
	return 13;
}

static int child_unshare(void)
{
	char err[256];
	if (sandbox_seccomp(SANDBOX_SECCOMP_ON, err, sizeof err) != 0)
		return 10;
	(void)unshare(CLONE_NEWUSER);
	return 13;
}

static void test_no_namespaces(void **state)
{
	(void)state;
	int st = in_child(child_clone_newuser);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
	st = in_child(child_unshare);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

#if defined(__x86_64__)
/* an i386 system call through int 0x80 carries another arch: killed,
 * even for a number (20 = getpid on i386) the native list allows */
static int child_foreign_arch(void)
{
	char err[256];
	if (sandbox_seccomp(SANDBOX_SECCOMP_ON, err, sizeof err) != 0)
		return 10;
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	(void)ret;
	return 13;
}

static void test_foreign_arch_killed(void **state)
{
	(void)state;
	int st = in_child(child_foreign_arch);
	assert_true(WIFSIGNALED(st));
	if (WTERMSIG(st) == SIGSEGV)
		skip();   /* a kernel without IA32 emulation: int 0x80 faults first */
	assert_int_equal(WTERMSIG(st), SIGSYS);
}
#endif

static void test_auto_mode(void **state)
{
	(void)state;
	const char *old = getenv("INVOCATION_ID");
	char *saved = old ? strdup(old) : NULL;
	unsetenv("INVOCATION_ID");
	assert_false(sandbox_under_systemd());
	assert_int_equal(sandbox_seccomp_mode(SANDBOX_SECCOMP_AUTO), SANDBOX_SECCOMP_ON);
	setenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef", 1);
	assert_true(sandbox_under_systemd());
	assert_int_equal(sandbox_seccomp_mode(SANDBOX_SECCOMP_AUTO), SANDBOX_SECCOMP_OFF);
	assert_int_equal(sandbox_seccomp_mode(SANDBOX_SECCOMP_ON), SANDBOX_SECCOMP_ON);
	assert_int_equal(sandbox_seccomp_mode(SANDBOX_SECCOMP_LOG), SANDBOX_SECCOMP_LOG);
	assert_int_equal(sandbox_seccomp_mode(SANDBOX_SECCOMP_OFF), SANDBOX_SECCOMP_OFF);
	if (saved)
		setenv("INVOCATION_ID", saved, 1);
	else
		unsetenv("INVOCATION_ID");
	free(saved);
}

static int child_caps(void)
{
	char err[256];
	int r = sandbox_bounding_drop(err, sizeof err);
	if (geteuid() == 0) {
		if (r != 0 || status_field("CapBnd", 16) != 0)
			return 10;
	} else if (r < 0) {
		return 11;
	}
	if (sandbox_caps_clear(err, sizeof err) != 0)
		return 12;
	if (status_field("CapEff", 16) != 0 || status_field("CapPrm", 16) != 0 ||
	    status_field("CapInh", 16) != 0 || status_field("CapAmb", 16) != 0)
		return 13;
	if (sandbox_no_new_privs(err, sizeof err) != 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 14;
	/* no capability left: a privileged call fails */
	if (geteuid() == 0 && prctl(PR_CAPBSET_DROP, 0, 0, 0, 0) == 0)
		return 15;
	return 0;
}

static void test_caps_and_nnp(void **state)
{
	(void)state;
	int st = in_child(child_caps);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_user_resolve(void **state)
{
	(void)state;
	struct sandbox_user u;
	char err[256];
	assert_int_equal(sandbox_user_resolve("root", &u, err, sizeof err), 0);
	assert_int_equal(u.uid, 0);
	assert_string_equal(u.name, "root");
	assert_int_equal(sandbox_user_resolve("0", &u, err, sizeof err), 0);
	assert_string_equal(u.name, "root");
	assert_int_equal(sandbox_user_resolve("no-such-user-raiz", &u, err, sizeof err), -1);
	assert_non_null(strstr(err, "no-such-user-raiz"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_on_kills_with_sigsys),
		cmocka_unit_test(test_log_allows),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_threads_allowed),
		cmocka_unit_test(test_no_namespaces),
#if defined(__x86_64__)
		cmocka_unit_test(test_foreign_arch_killed),
#endif
		cmocka_unit_test(test_auto_mode),
		cmocka_unit_test(test_caps_and_nnp),
		cmocka_unit_test(test_user_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests for sdnotify and privs_lookup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "dnsd/privs.h"
#include "common/sdnotify.h"

static int bind_dgram(const char *name, bool abstract)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	memcpy(sun.sun_path + abstract, name, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + abstract);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	struct timeval tv = { 2, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

static void test_notify_path(void **state)
{
	(void)state;
	char dir[] = "/tmp/raiz-test-notify.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/notify", dir);
	int fd = bind_dgram(path, false);

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify("READY=1"), 1);          /* not under systemd */
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdnotify("READY=1\nSTATUS=serving"), 0);
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1\nSTATUS=serving");
	close(fd);
	unlink(path);
	rmdir(dir);
	/* nobody listening: an error, not a crash */
	assert_int_equal(sdnotify("READY=1"), -1);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

static void test_notify_abstract(void **state)
{
	(void)state;
	char name[64];
	snprintf(name, sizeof name, "raiz-test-notify-%d", (int)getpid());
	int fd = bind_dgram(name, true);
	char env[80];
	snprintf(env, sizeof env, "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(sdnotify("WATCHDOG=1"), 0);
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
	assert_int_equal(n, 10);
	assert_memory_equal(buf, "WATCHDOG=1", 10);
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog(void **state)
{
	(void)state;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "5000000", 1);
	assert_int_equal(sdnotify_watchdog_usec(), 5000000);
	setenv("WATCHDOG_PID", "1", 1);                     /* meant for another process */
	assert_int_equal(sdnotify_watchdog_usec(), 0);
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_watchdog_usec(), 5000000);
	setenv("WATCHDOG_USEC", "12x", 1);
	assert_int_equal(sdnotify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void test_privs_lookup(void **state)
{
	(void)state;
	struct privs_user u;
	char err[256];
	assert_int_equal(privs_lookup("", &u, err, sizeof err), 1);
	assert_int_equal(privs_lookup(NULL, &u, err, sizeof err), 1);
	if (geteuid() != 0) {
		assert_int_equal(privs_lookup("root", &u, err, sizeof err), 1);
		return;
	}
	assert_int_equal(privs_lookup("root", &u, err, sizeof err), 0);
	assert_int_equal(u.uid, 0);
	assert_string_equal(u.name, "root");
	assert_int_equal(privs_lookup("0", &u, err, sizeof err), 0);
	assert_string_equal(u.name, "root");
	assert_int_equal(privs_lookup("no-such-user-raiz", &u, err, sizeof err), -1);
	assert_non_null(strstr(err, "no-such-user-raiz"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_path),
		cmocka_unit_test(test_notify_abstract),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_privs_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

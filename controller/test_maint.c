/* unit tests for maint.c (the persisted drain, its deadline) and watch.c
 * (pidfd watch) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <ev.h>
#include <cmocka.h>

#include "controller/maint.h"
#include "controller/policy.h"
#include "controller/watch.h"

static char dir[64], path[128];

static int setup(void **st)
{
	snprintf(dir, sizeof dir, "/tmp/raiz-maint.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/maintenance.json", dir);
	return 0;
}

static int teardown(void **st)
{
	char p[160];
	unlink(path);
	snprintf(p, sizeof p, "%s/dnsd.pid", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void test_roundtrip(void **st)
{
	char err[256];
	struct policy_maint m = { .active = true, .since_ms = 1795248000123ull,
				  .drain_time_ms = 60000 };
	snprintf(m.reason, sizeof m.reason, "kernel \"upgrade\"\\n");
	assert_int_equal(maint_save(path, &m, err, sizeof err), 0);
	struct policy_maint r = { .drain_time_ms = 5000 };
	assert_int_equal(maint_load(path, &r, err, sizeof err), 0);
	assert_true(r.active);
	assert_int_equal(r.since_ms, 1795248000123ull);
	assert_string_equal(r.reason, m.reason);
	assert_int_equal(r.drain_time_ms, 5000);     /* from the config, not the file */
	/* undrain removes the file; loading then gives inactive */
	m.active = false;
	assert_int_equal(maint_save(path, &m, err, sizeof err), 0);
	assert_int_equal(access(path, F_OK), -1);
	r.active = true;
	assert_int_equal(maint_load(path, &r, err, sizeof err), 0);
	assert_false(r.active);
}

/*
 * A drain saved and loaded again (a controller restart) withdraws exactly
 * at since + drain-time (from the configuration), not at since, and
 * drains until then.
 */
static void test_drain_deadline(void **st)
{
	char err[256], why[POLICY_REASON_MAX];
	const uint64_t since = 1795248000123ull, drain = 60000;
	struct policy_maint m = { .active = true, .since_ms = since, .drain_time_ms = drain };
	snprintf(m.reason, sizeof m.reason, "kernel upgrade");
	assert_int_equal(maint_save(path, &m, err, sizeof err), 0);
	struct policy_maint r = { .drain_time_ms = drain };
	assert_int_equal(maint_load(path, &r, err, sizeof err), 0);
	assert_int_equal(policy_maint_deadline(&r), since + drain);

	struct cfg_service svc = { .name = "dns", .rise = 3, .fall = 2 };
	struct health h;
	size_t idx = 0;
	struct cfg_prefix pfx = { .prefix = "192.0.2.0/24", .services = NULL,
				  .service_idx = &idx, .nservices = 1 };
	health_init(&h, &svc, 0);
	h.state = HEALTH_UP;
	assert_int_equal(policy_prefix(&pfx, &h, &r, since, why, sizeof why), POLICY_DRAIN);
	assert_int_equal(policy_prefix(&pfx, &h, &r, since + drain - 1, why, sizeof why),
			 POLICY_DRAIN);
	assert_non_null(strstr(why, "kernel upgrade"));
	assert_int_equal(policy_prefix(&pfx, &h, &r, since + drain, why, sizeof why),
			 POLICY_WITHDRAW);
	assert_non_null(strstr(why, "withdrawn"));
	/* inactive: no deadline */
	r.active = false;
	assert_int_equal(policy_maint_deadline(&r), 0);
}

static void test_corrupt(void **st)
{
	char err[256];
	struct policy_maint r;
	FILE *f = fopen(path, "w");
	fputs("{\"active\": \"yes\"}", f);
	fclose(f);
	assert_int_equal(maint_load(path, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	f = fopen(path, "w");
	fputs("{ broken", f);
	fclose(f);
	assert_int_equal(maint_load(path, &r, err, sizeof err), -1);
}

static void test_unwritable(void **st)
{
	char err[256];
	struct policy_maint m = { .active = true };
	assert_int_equal(maint_save("/nonexistent-dir/m.json", &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/m.json"));
}

static pid_t exited;

static void on_exit_cb(void *arg, pid_t pid)
{
	exited = pid;
	ev_break(arg, EVBREAK_ALL);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void test_watch_pidfd(void **st)
{
	char pf[160];
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(pf, sizeof pf, "%s/dnsd.pid", dir);
	FILE *f = fopen(pf, "w");
	fprintf(f, "%d\n", (int)child);
	fclose(f);
	struct watch *w = watch_new(loop, pf, on_exit_cb, loop);
	pid_t watched = watch_pid(w);
	kill(child, SIGKILL);   /* before any assert can leave it behind */
	assert_non_null(w);
	assert_int_equal(watched, child);
	ev_timer t;
	ev_timer_init(&t, timeout_cb, 2., 0.);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	assert_int_equal(exited, child);
	assert_int_equal(watch_pid(w), 0);
	/* the stale pid file is not watched again, even while unreaped */
	exited = 0;
	ev_timer_set(&t, 0.5, 0.);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	assert_int_equal(exited, 0);
	waitpid(child, NULL, 0);
	ev_timer_stop(loop, &t);
	watch_free(w);
	ev_loop_destroy(loop);
}

static void test_watch_missing_pidfile(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct watch *w = watch_new(loop, "/nonexistent-dir/dnsd.pid", on_exit_cb, loop);
	assert_non_null(w);
	assert_int_equal(watch_pid(w), 0);
	assert_string_equal(watch_pidfile(w), "/nonexistent-dir/dnsd.pid");
	watch_free(w);
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_pidfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_missing_pidfile, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests for birdstate.c: the BIRD state include file */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "controller/birdrun.h"
#include "controller/birdstate.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/raiz-birdstate.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	birdrun_rmdir(dir);
	return access(dir, F_OK) == 0 ? -1 : 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_names(void **state)
{
	char out[BIRDSTATE_NAME_MAX];

	assert_true(birdstate_name_ok("raiz_v4"));
	assert_true(birdstate_name_ok("_x9"));
	assert_false(birdstate_name_ok(""));
	assert_false(birdstate_name_ok("4raiz"));
	assert_false(birdstate_name_ok("raiz-v4"));
	assert_false(birdstate_name_ok("raiz v4"));
	assert_false(birdstate_name_ok("raiz\"; define X"));
	assert_int_equal(birdstate_const("raiz_v4", "_WITHDRAWN", out, sizeof(out)), 0);
	assert_string_equal(out, "RAIZ_V4_WITHDRAWN");
	assert_int_equal(birdstate_const("Any_6", "_DRAIN", out, sizeof(out)), 0);
	assert_string_equal(out, "ANY_6_DRAIN");
	/* the longest name whose constants still fit a BIRD symbol */
	char name[80];
	memset(name, 'a', sizeof(name));
	name[BIRDSTATE_NAME_MAX - sizeof("_WITHDRAWN")] = '\0';
	assert_true(birdstate_name_ok(name));
	assert_int_equal(birdstate_const(name, "_WITHDRAWN", out, sizeof(out)), 0);
	assert_true(strlen(out) < BIRDSTATE_NAME_MAX);
	name[strlen(name)] = 'a';
	name[BIRDSTATE_NAME_MAX - sizeof("_WITHDRAWN") + 1] = '\0';
	assert_false(birdstate_name_ok(name));
	assert_int_equal(birdstate_const(name, "_WITHDRAWN", out, sizeof(out)), -1);
}

static void test_format(void **state)
{
	struct birdstate_entry e[2] = {
		{ .proto = "raiz_v4", .comment = "192.0.2.0/24", .withdrawn = true },
		{ .proto = "raiz_v6", .comment = "2001:db8::/48\nevil", .drain = true },
	};
	char buf[1024], err[128];

	assert_int_equal(birdstate_format(e, 2, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_non_null(strstr(buf, "define RAIZ_V4_WITHDRAWN = 1;\t# 192.0.2.0/24 withdrawn\n"
				    "define RAIZ_V4_DRAIN = 0;\n"));
	/* a comment with a newline is dropped, never written */
	assert_non_null(strstr(buf, "define RAIZ_V6_WITHDRAWN = 0;\t#  drained\n"
				    "define RAIZ_V6_DRAIN = 1;\n"));
	assert_null(strstr(buf, "evil"));
	assert_int_equal(birdstate_format(e, 2, buf, 40, err, sizeof(err)), -1);
	assert_string_equal(err, "state file text too long");
	e[0].proto = "bad-name";
	assert_int_equal(birdstate_format(e, 2, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad-name"));
}

static void test_write_read_roundtrip(void **state)
{
	struct birdstate_entry e[3] = {
		{ .proto = "raiz_v4", .comment = "192.0.2.0/24", .withdrawn = true },
		{ .proto = "raiz_v6", .comment = "2001:db8::/48", .drain = true },
		{ .proto = "raiz_b", .comment = "198.51.100.0/24" },
	};
	struct birdstate_entry r[4] = {
		{ .proto = "raiz_b", .withdrawn = true, .drain = true },
		{ .proto = "raiz_v6" },
		{ .proto = "raiz_v4" },
		{ .proto = "raiz_missing", .withdrawn = true },
	};
	char path[128], err[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/state.conf", dir);
	umask(077);
	assert_int_equal(birdstate_write(path, e, 3, err, sizeof(err)), 0);
	umask(022);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);   /* user bird can read it */
	assert_int_equal(birdstate_read(path, r, 4, err, sizeof(err)), 0);
	assert_true(r[0].found);
	assert_false(r[0].withdrawn);
	assert_false(r[0].drain);
	assert_true(r[1].found && !r[1].withdrawn && r[1].drain);
	assert_true(r[2].found && r[2].withdrawn && !r[2].drain);
	assert_false(r[3].found);
	/* rewrite replaces; no temporary file is left behind */
	e[0].withdrawn = false;
	assert_int_equal(birdstate_write(path, e, 1, err, sizeof(err)), 0);
	assert_int_equal(birdstate_read(path, r, 4, err, sizeof(err)), 0);
	assert_true(r[2].found && !r[2].withdrawn);
	assert_false(r[1].found);
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s/state.conf.tmp.%ld", dir, (long)getpid());
	assert_int_equal(access(tmp, F_OK), -1);
}

static void test_write_failure_keeps_old(void **state)
{
	struct birdstate_entry e = { .proto = "raiz_v4", .withdrawn = true };
	struct birdstate_entry r = { .proto = "raiz_v4" };
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/nodir/state.conf", dir);
	assert_int_equal(birdstate_write(path, &e, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	snprintf(path, sizeof(path), "%s/state.conf", dir);
	assert_int_equal(birdstate_write(path, &e, 1, err, sizeof(err)), 0);
	e.proto = "not valid";
	assert_int_equal(birdstate_write(path, &e, 1, err, sizeof(err)), -1);
	assert_int_equal(birdstate_read(path, &r, 1, err, sizeof(err)), 0);
	assert_true(r.found && r.withdrawn);
}

static void test_read_errors(void **state)
{
	struct birdstate_entry r = { .proto = "raiz_v4" };
	char path[128], err[256];

	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	errno = 0;
	assert_int_equal(birdstate_read(path, &r, 1, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/bad.conf", dir);
	write_text(path, "# comment\n\ndefine RAIZ_V4_WITHDRAWN = 1;\ndefine RAIZ_V4_DRAIN = 2;\n");
	assert_int_equal(birdstate_read(path, &r, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.conf:4: "));
	write_text(path, "define RAIZ_V4_WITHDRAWN = 1; junk\n");
	assert_int_equal(birdstate_read(path, &r, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.conf:1: "));
	write_text(path, "  define\tRAIZ_V4_WITHDRAWN=0;  # ok\ndefine RAIZ_V4_DRAIN = 1;");
	assert_int_equal(birdstate_read(path, &r, 1, err, sizeof(err)), 0);
	assert_true(r.found && !r.withdrawn && r.drain);
	write_text(path, "define RAIZ_V4_WITHDRAWN = 0;\n");  /* drain missing */
	assert_int_equal(birdstate_read(path, &r, 1, err, sizeof(err)), 0);
	assert_false(r.found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_format),
		cmocka_unit_test_setup_teardown(test_write_read_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

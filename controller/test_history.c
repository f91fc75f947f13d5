/* unit tests for history.c: the transition ring buffer */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "controller/history.h"

static void test_order_and_wrap(void **st)
{
	struct history *h = history_new(3);
	assert_non_null(h);
	assert_int_equal(history_count(h), 0);
	assert_null(history_get(h, 0));
	for (int i = 0; i < 5; i++) {
		char r[16];
		snprintf(r, sizeof r, "r%d", i);
		history_add(h, 1000 + (uint64_t)i, "service dns", "up", "down", r);
	}
	assert_int_equal(history_count(h), 3);
	assert_string_equal(history_get(h, 0)->reason, "r4");   /* newest first */
	assert_string_equal(history_get(h, 1)->reason, "r3");
	assert_string_equal(history_get(h, 2)->reason, "r2");
	assert_int_equal(history_get(h, 2)->at_ms, 1002);
	assert_null(history_get(h, 3));
	history_free(h);
}

static void test_truncation(void **st)
{
	struct history *h = history_new(1);
	char big[2000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	history_add(h, 1, big, big, big, big);
	const struct history_entry *e = history_get(h, 0);
	assert_int_equal(strlen(e->subject), HISTORY_SUBJECT_MAX - 1);
	assert_int_equal(strlen(e->reason), HISTORY_REASON_MAX - 1);
	history_add(h, 2, NULL, "a", "b", NULL);
	assert_string_equal(history_get(h, 0)->subject, "");
	assert_int_equal(history_count(h), 1);
	history_free(h);
}

static void test_time(void **st)
{
	char b[32];
	assert_string_equal(history_time(1795248000123ull, b, sizeof b),
			    "2026-11-21T08:00:00.123Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_wrap),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests for policy.c: services' health + maintenance -> prefix state */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "controller/policy.h"

/* two services: dns4 (index 0) and dns6 (index 1); the /24 depends on
 * dns4, the /48 on dns6, a third prefix on both */
static struct cfg_service svc[2];
static struct health h[2];
static size_t idx4[] = { 0 }, idx6[] = { 1 }, idxboth[] = { 0, 1 };
static struct cfg_prefix p4 = { .prefix = "192.0.2.0/24", .service_idx = idx4, .nservices = 1 };
static struct cfg_prefix p6 = { .prefix = "2001:db8::/48", .service_idx = idx6, .nservices = 1 };
static struct cfg_prefix pb = { .prefix = "198.51.100.0/24", .service_idx = idxboth,
				.nservices = 2 };
static char why[POLICY_REASON_MAX];

static int setup(void **st)
{
	for (int i = 0; i < 2; i++) {
		memset(&svc[i], 0, sizeof svc[i]);
		svc[i].name = i ? "dns6" : "dns4";
		svc[i].rise = 3;
		svc[i].fall = 2;
		svc[i].interval_ms = 500;
		svc[i].damping.enabled = true;
		svc[i].damping.half_life_ms = 60000;
		health_init(&h[i], &svc[i], 0);
		h[i].state = HEALTH_UP;
		snprintf(h[i].why, sizeof h[i].why, "every probe answers correctly");
	}
	return 0;
}

static enum policy_want want(const struct cfg_prefix *p, const struct policy_maint *m,
			     uint64_t wall)
{
	return policy_prefix(p, h, m, wall, why, sizeof why);
}

static void test_all_up_announces(void **st)
{
	assert_int_equal(want(&p4, NULL, 0), POLICY_ANNOUNCE);
	assert_string_equal(why, "dns4 up");
	assert_int_equal(want(&pb, NULL, 0), POLICY_ANNOUNCE);
	assert_string_equal(why, "dns4 up, dns6 up");
}

static void test_per_family(void **st)
{
	h[0].state = HEALTH_DOWN;
	snprintf(h[0].why, sizeof h[0].why, "2 bad rounds in a row: udp4 timeout");
	assert_int_equal(want(&p4, NULL, 0), POLICY_WITHDRAW);
	assert_non_null(strstr(why, "service dns4 down: 2 bad rounds"));
	assert_int_equal(want(&p6, NULL, 0), POLICY_ANNOUNCE);
	assert_int_equal(want(&pb, NULL, 0), POLICY_WITHDRAW);
}

static void test_unknown_keeps(void **st)
{
	h[1].state = HEALTH_UNKNOWN;
	assert_int_equal(want(&p6, NULL, 0), POLICY_KEEP);
	assert_non_null(strstr(why, "no verdict yet"));
	/* but a down service wins over an unknown one */
	h[0].state = HEALTH_DOWN;
	assert_int_equal(want(&pb, NULL, 0), POLICY_WITHDRAW);
}

static void test_suppressed_withdraws(void **st)
{
	h[0].suppressed = true;
	assert_int_equal(want(&p4, NULL, 0), POLICY_WITHDRAW);
	assert_non_null(strstr(why, "flap damping"));
}

static void test_degraded_policies(void **st)
{
	h[0].state = HEALTH_DEGRADED;
	svc[0].degraded = CFG_DEGRADED_KEEP;
	assert_int_equal(want(&p4, NULL, 0), POLICY_ANNOUNCE);
	assert_string_equal(why, "dns4 degraded");
	svc[0].degraded = CFG_DEGRADED_DRAIN;
	assert_int_equal(want(&p4, NULL, 0), POLICY_DRAIN);
	assert_non_null(strstr(why, "policy drain"));
	svc[0].degraded = CFG_DEGRADED_WITHDRAW;
	assert_int_equal(want(&p4, NULL, 0), POLICY_WITHDRAW);
	assert_non_null(strstr(why, "policy withdraw"));
}

static void test_maintenance_drain_then_withdraw(void **st)
{
	struct policy_maint m = { .active = true, .since_ms = 10000, .drain_time_ms = 60000 };
	snprintf(m.reason, sizeof m.reason, "kernel upgrade");
	assert_int_equal(policy_maint_deadline(&m), 70000);
	assert_int_equal(want(&p4, &m, 10000), POLICY_DRAIN);
	assert_non_null(strstr(why, "kernel upgrade"));
	assert_int_equal(want(&p4, &m, 69999), POLICY_DRAIN);
	assert_int_equal(want(&p4, &m, 70000), POLICY_WITHDRAW);
	assert_non_null(strstr(why, "withdrawn"));
	/* health down during the drain: withdraw at once */
	h[0].state = HEALTH_DOWN;
	assert_int_equal(want(&p4, &m, 20000), POLICY_WITHDRAW);
	/* unknown health during the drain: leave BIRD as it is */
	h[1].state = HEALTH_UNKNOWN;
	assert_int_equal(want(&p6, &m, 20000), POLICY_KEEP);
	assert_int_equal(want(&p6, &m, 80000), POLICY_WITHDRAW);
	m.active = false;
	assert_int_equal(policy_maint_deadline(&m), 0);
	assert_int_equal(want(&p6, &m, 20000), POLICY_KEEP);
}

static void test_drain_time_zero(void **st)
{
	struct policy_maint m = { .active = true, .since_ms = 5, .drain_time_ms = 0 };
	assert_int_equal(want(&p4, &m, 5), POLICY_WITHDRAW);
}

static void test_names(void **st)
{
	assert_string_equal(policy_want_name(POLICY_ANNOUNCE), "announce");
	assert_string_equal(policy_want_name(POLICY_KEEP), "keep");
	assert_string_equal(policy_want_name((enum policy_want)17), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_up_announces, setup),
		cmocka_unit_test_setup(test_per_family, setup),
		cmocka_unit_test_setup(test_unknown_keeps, setup),
		cmocka_unit_test_setup(test_suppressed_withdraws, setup),
		cmocka_unit_test_setup(test_degraded_policies, setup),
		cmocka_unit_test_setup(test_maintenance_drain_then_withdraw, setup),
		cmocka_unit_test_setup(test_drain_time_zero, setup),
		cmocka_unit_test_setup(test_names, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests for health.c: the per-service state machine, injected clock */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "controller/health.h"

static struct cfg_service svc;

static void svc_defaults(void)
{
	memset(&svc, 0, sizeof svc);
	svc.name = "dns";
	svc.interval_ms = 500;
	svc.fast_interval_ms = 100;
	svc.rise = 3;
	svc.fall = 2;
	svc.hold_down_ms = 1000;
	svc.degraded = CFG_DEGRADED_KEEP;
	svc.damping = (struct cfg_damping){ .enabled = true, .penalty = 1000, .suppress = 2000,
					    .reuse = 750, .half_life_ms = 60000,
					    .max_suppress_ms = 600000 };
}

static const enum probe_verdict ALL_OK[4] = { PROBE_OK, PROBE_OK, PROBE_OK, PROBE_OK };
static const enum probe_verdict ALL_TO[4] = { PROBE_TIMEOUT, PROBE_TIMEOUT, PROBE_TIMEOUT,
					      PROBE_TIMEOUT };
static const enum probe_verdict ALL_HARD[4] = { PROBE_HARD, PROBE_HARD, PROBE_HARD,
						PROBE_HARD };
static const enum probe_verdict UDP_LOSS[4] = { PROBE_TIMEOUT, PROBE_OK, PROBE_TIMEOUT,
						PROBE_OK };
static const enum probe_verdict ONE_WRONG[4] = { PROBE_OK, PROBE_WRONG, PROBE_OK, PROBE_OK };
static const enum probe_verdict ALL_SLOW[4] = { PROBE_SLOW, PROBE_SLOW, PROBE_SLOW, PROBE_SLOW };

static void rounds(struct health *h, uint64_t *now, const enum probe_verdict *v, int n)
{
	for (int i = 0; i < n; i++) {
		*now += health_next_delay(h);
		health_round(h, *now, v, 4, "detail");
	}
}

/* bring a fresh machine to UP at *now */
static void make_up(struct health *h, uint64_t *now)
{
	health_init(h, &svc, *now);
	rounds(h, now, ALL_OK, 3);
	assert_int_equal(h->state, HEALTH_UP);
}

static void test_classify(void **st)
{
	bool hard;
	assert_int_equal(health_classify(ALL_OK, 4, &hard), HEALTH_GOOD);
	assert_false(hard);
	assert_int_equal(health_classify(ALL_TO, 4, &hard), HEALTH_BAD);
	assert_false(hard);
	assert_int_equal(health_classify(ALL_HARD, 4, &hard), HEALTH_BAD);
	assert_true(hard);
	assert_int_equal(health_classify(UDP_LOSS, 4, &hard), HEALTH_PARTIAL);
	assert_int_equal(health_classify(ONE_WRONG, 4, &hard), HEALTH_BAD);
	assert_false(hard);
	assert_int_equal(health_classify(ALL_SLOW, 4, &hard), HEALTH_PARTIAL);
	enum probe_verdict mix[2] = { PROBE_HARD, PROBE_TIMEOUT };
	assert_int_equal(health_classify(mix, 2, &hard), HEALTH_BAD);
	assert_true(hard);
	enum probe_verdict half[2] = { PROBE_HARD, PROBE_OK };
	assert_int_equal(health_classify(half, 2, &hard), HEALTH_PARTIAL);
}

static void test_rise_from_unknown(void **st)
{
	struct health h;
	uint64_t now = 1000;
	health_init(&h, &svc, now);
	assert_int_equal(h.state, HEALTH_UNKNOWN);
	assert_false(health_usable(&h));
	health_round(&h, now += 500, ALL_OK, 4, NULL);
	health_round(&h, now += 500, ALL_OK, 4, NULL);
	assert_int_equal(h.state, HEALTH_UNKNOWN);
	assert_true(health_round(&h, now += 500, ALL_OK, 4, NULL));
	assert_int_equal(h.state, HEALTH_UP);
	assert_int_equal(h.since_ms, now);
	assert_true(health_usable(&h));
	assert_int_equal(health_next_delay(&h), 500);
	/* a good start adds no damping penalty */
	assert_true(health_penalty(&h, now) == 0);
}

static void test_fall_with_fast_reprobe(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	health_round(&h, now += 1000, ALL_TO, 4, "udp4: timeout after 500 ms");
	assert_int_equal(h.state, HEALTH_UP);
	assert_int_equal(health_next_delay(&h), 100);   /* fast re-probe */
	assert_non_null(strstr(h.why, "timeout"));
	assert_true(health_round(&h, now += 600, ALL_TO, 4, "udp4: timeout after 500 ms"));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_non_null(strstr(h.why, "2 bad rounds"));
	assert_false(health_usable(&h));
	assert_int_equal(health_next_delay(&h), 500);   /* no fast probing when down */
	assert_int_equal(h.transitions, 2);
}

static void test_one_bad_round_is_forgiven(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	health_round(&h, now += 500, ALL_TO, 4, NULL);
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	health_round(&h, now += 500, ALL_TO, 4, NULL);
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	assert_int_equal(h.state, HEALTH_UP);
	assert_int_equal(health_next_delay(&h), 500);
}

static void test_hard_failure_confirmed(void **st)
{
	struct health h;
	uint64_t now = 0;
	svc.fall = 5;   /* hard failures must not wait for fall */
	make_up(&h, &now);
	health_round(&h, now += 500, ALL_HARD, 4, "udp4: connection refused");
	assert_int_equal(h.state, HEALTH_UP);
	assert_true(h.confirming);
	assert_int_equal(health_next_delay(&h), 0);     /* confirm at once */
	health_round(&h, now += 2, ALL_HARD, 4, "udp4: connection refused");
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_non_null(strstr(h.why, "hard failure confirmed"));
	assert_non_null(strstr(h.why, "refused"));
}

static void test_hard_failure_not_confirmed(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	health_round(&h, now += 500, ALL_HARD, 4, "refused");
	assert_int_equal(health_next_delay(&h), 0);
	health_round(&h, now += 2, ALL_OK, 4, NULL);
	assert_int_equal(h.state, HEALTH_UP);
	assert_false(h.confirming);
	assert_int_equal(health_next_delay(&h), 500);
}

static void test_hard_event_pidfd(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	health_hard_event(&h, now += 123, "raiz-dnsd (pid 42) exited");
	assert_int_equal(h.state, HEALTH_UP);
	assert_int_equal(health_next_delay(&h), 0);
	assert_non_null(strstr(h.why, "pid 42"));
	/* the confirming round times out rather than being refused: still down */
	health_round(&h, now += 500, ALL_TO, 4, "timeout");
	assert_int_equal(h.state, HEALTH_DOWN);
}

static void test_hard_at_start(void **st)
{
	struct health h;
	uint64_t now = 0;
	health_init(&h, &svc, now);
	health_round(&h, now, ALL_HARD, 4, "refused");
	assert_int_equal(h.state, HEALTH_UNKNOWN);
	health_round(&h, now += 1, ALL_HARD, 4, "refused");
	assert_int_equal(h.state, HEALTH_DOWN);
	/* not a flap: no penalty */
	assert_true(health_penalty(&h, now) == 0);
}

/* a wrong answer (SERVFAIL, REFUSED, wrong data) withdraws on the first bad
 * round: a resolver caches it; fall does not apply */
static void test_wrong_answer_down_at_once(void **st)
{
	struct health h;
	uint64_t now = 0;
	svc.fall = 5;
	make_up(&h, &now);
	assert_true(health_round(&h, now += 500, ONE_WRONG, 4, "tcp4: rcode SERVFAIL"));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_string_equal(h.why, "wrong answer: tcp4: rcode SERVFAIL");
	assert_false(health_usable(&h));
	assert_false(h.confirming);
	assert_int_equal(health_next_delay(&h), 500);
	/* a withdrawal like any other: damping counts it, hold-down applies */
	assert_true(health_penalty(&h, now) > 999);
	assert_int_equal(health_hold_until(&h), now + 1000);
}

static void test_wrong_answer_at_start_and_degraded(void **st)
{
	struct health h;
	uint64_t now = 0;
	/* the very first round */
	health_init(&h, &svc, now);
	health_round(&h, now += 500, ONE_WRONG, 4, "udp4: rcode REFUSED");
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_true(health_penalty(&h, now) == 0);      /* never announced: no flap */
	/* degraded (UDP lost under a flood), then a wrong answer */
	make_up(&h, &now);
	rounds(&h, &now, UDP_LOSS, 2);
	assert_int_equal(h.state, HEALTH_DEGRADED);
	enum probe_verdict lost_and_wrong[4] = { PROBE_TIMEOUT, PROBE_WRONG, PROBE_TIMEOUT,
						 PROBE_OK };
	health_round(&h, now += 100, lost_and_wrong, 4, "tcp4: answer 198.51.100.99");
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_non_null(strstr(h.why, "wrong answer"));
}

/* what is not a wrong answer keeps the hysteresis against false
 * withdrawals: timeouts, a stale serial, expiring signatures */
static void test_not_wrong_keeps_fall(void **st)
{
	static const enum probe_verdict ALL_STALE[4] = { PROBE_STALE, PROBE_STALE, PROBE_STALE,
							 PROBE_STALE };
	static const enum probe_verdict ONE_SIGS[4] = { PROBE_OK, PROBE_SIGNATURES, PROBE_OK,
							PROBE_OK };
	struct health h;
	uint64_t now = 0;
	const enum probe_verdict *kinds[] = { ALL_TO, ALL_STALE, ONE_SIGS };

	for (size_t k = 0; k < 3; k++) {
		make_up(&h, &now);
		health_round(&h, now += 500, kinds[k], 4, "bad");
		assert_int_equal(h.state, HEALTH_UP);
		assert_int_equal(health_next_delay(&h), 100);
		health_round(&h, now += 100, kinds[k], 4, "bad");
		assert_int_equal(h.state, HEALTH_DOWN);
		assert_non_null(strstr(h.why, "2 bad rounds"));
	}
	/* a timeout, then a good round: forgiven, as before */
	make_up(&h, &now);
	health_round(&h, now += 500, ALL_TO, 4, NULL);
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	assert_int_equal(h.state, HEALTH_UP);
}

static void test_degraded_keep_and_back(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	health_round(&h, now += 500, UDP_LOSS, 4, "udp4: timeout");
	assert_int_equal(health_next_delay(&h), 100);
	health_round(&h, now += 100, UDP_LOSS, 4, "udp4: timeout");
	assert_int_equal(h.state, HEALTH_DEGRADED);
	assert_true(health_usable(&h));         /* keep: still announced */
	/* steady partial: no fast probing */
	assert_int_equal(health_next_delay(&h), 500);
	rounds(&h, &now, UDP_LOSS, 10);
	assert_int_equal(h.state, HEALTH_DEGRADED);
	rounds(&h, &now, ALL_SLOW, 10);         /* busy, not dead */
	assert_int_equal(h.state, HEALTH_DEGRADED);
	assert_true(health_penalty(&h, now) == 0);
	rounds(&h, &now, ALL_OK, 2);
	assert_int_equal(h.state, HEALTH_DEGRADED);
	rounds(&h, &now, ALL_OK, 1);
	assert_int_equal(h.state, HEALTH_UP);
}

static void test_degraded_then_down(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	rounds(&h, &now, UDP_LOSS, 2);
	assert_int_equal(h.state, HEALTH_DEGRADED);
	health_round(&h, now += 500, ALL_TO, 4, NULL);
	assert_int_equal(health_next_delay(&h), 100);   /* heading for down: fast */
	health_round(&h, now += 100, ALL_TO, 4, NULL);
	assert_int_equal(h.state, HEALTH_DOWN);
	/* degraded (keep) still announced, so going down is one flap */
	assert_true(health_penalty(&h, now) > 999);
}

static void test_degraded_withdraw_policy_is_a_flap(void **st)
{
	struct health h;
	uint64_t now = 0;
	svc.degraded = CFG_DEGRADED_WITHDRAW;
	make_up(&h, &now);
	rounds(&h, &now, UDP_LOSS, 2);
	assert_int_equal(h.state, HEALTH_DEGRADED);
	assert_true(health_penalty(&h, now) > 999);
	rounds(&h, &now, ALL_TO, 2);
	assert_int_equal(h.state, HEALTH_DOWN);
	/* DEGRADED(withdraw) -> DOWN does not count twice */
	assert_true(health_penalty(&h, now) < 1001);
}

static void test_hold_down(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	rounds(&h, &now, ALL_TO, 2);
	assert_int_equal(h.state, HEALTH_DOWN);
	uint64_t down = h.since_ms;
	assert_int_equal(health_hold_until(&h), down + 1000);
	/* three good rounds 100 ms apart: rise met before hold-down ends */
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	assert_int_equal(health_wakeup(&h, now), HEALTH_NEVER);
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_non_null(strstr(h.why, "hold-down"));
	assert_int_equal(health_wakeup(&h, now), down + 1000);
	assert_false(health_tick(&h, down + 999));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_true(health_tick(&h, down + 1000));
	assert_int_equal(h.state, HEALTH_UP);
}

static void test_hold_down_streak_broken(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	rounds(&h, &now, ALL_TO, 2);
	uint64_t down = h.since_ms;
	rounds(&h, &now, ALL_OK, 1);
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	health_round(&h, now += 100, ALL_OK, 4, NULL);
	health_round(&h, now += 100, ALL_TO, 4, NULL);  /* streak broken */
	assert_false(health_tick(&h, down + 1000));
	assert_int_equal(h.state, HEALTH_DOWN);
}

static void test_recovery_time(void **st)
{
	/* recovery within rise x interval once hold-down has passed */
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	rounds(&h, &now, ALL_TO, 2);
	now += 5000;
	uint64_t back = now;
	for (int i = 0; i < 3 && h.state != HEALTH_UP; i++) {
		now += health_next_delay(&h);
		health_round(&h, now, ALL_OK, 4, NULL);
	}
	assert_int_equal(h.state, HEALTH_UP);
	assert_true(now - back <= 3 * 500);
}

static void test_damping_suppress_and_reuse(void **st)
{
	struct health h;
	uint64_t now = 0;
	svc.hold_down_ms = 0;
	make_up(&h, &now);
	/* flap three times in quick succession */
	for (int i = 0; i < 3; i++) {
		rounds(&h, &now, ALL_TO, 2);
		assert_int_equal(h.state, HEALTH_DOWN);
		rounds(&h, &now, ALL_OK, 3);
		assert_int_equal(h.state, HEALTH_UP);
	}
	double p = health_penalty(&h, now);
	assert_true(p > 2700 && p < 3000);
	assert_true(h.suppressed);
	assert_false(health_usable(&h));         /* up, but withheld */
	/* reuse when p * 2^(-t/60s) < 750: t = 60 s * log2(p / 750), ~ 2 half-lives */
	uint64_t w = health_wakeup(&h, now);
	assert_true(w > now + 110000 && w < now + 125000);
	assert_false(health_tick(&h, w - 50));
	assert_true(h.suppressed);
	assert_true(health_tick(&h, w + 1));
	assert_false(h.suppressed);
	assert_true(health_usable(&h));
}

static void test_damping_two_flaps_not_suppressed(void **st)
{
	struct health h;
	uint64_t now = 0;
	svc.hold_down_ms = 0;
	make_up(&h, &now);
	for (int i = 0; i < 2; i++) {
		rounds(&h, &now, ALL_TO, 2);
		rounds(&h, &now, ALL_OK, 3);
	}
	assert_false(h.suppressed);
	assert_true(health_usable(&h));
	/* decay: one half-life halves the penalty */
	double p0 = health_penalty(&h, now);
	double p1 = health_penalty(&h, now + 60000);
	assert_true(p1 > p0 / 2 - 1 && p1 < p0 / 2 + 1);
}

static void test_damping_ceiling(void **st)
{
	struct health h;
	uint64_t now = 0;
	svc.hold_down_ms = 0;
	svc.damping.max_suppress_ms = 120000;   /* ceiling 750 * 4 = 3000 */
	make_up(&h, &now);
	for (int i = 0; i < 20; i++) {
		rounds(&h, &now, ALL_TO, 2);
		rounds(&h, &now, ALL_OK, 3);
	}
	double p = health_penalty(&h, now);
	assert_true(p <= 3000.5);
	assert_true(h.suppressed);
	/* suppressed at most max-suppress */
	assert_true(health_wakeup(&h, now) <= now + 120000 + 1);
	health_tick(&h, now + 120001);
	assert_false(h.suppressed);
}

static void test_damping_disabled(void **st)
{
	struct health h;
	uint64_t now = 0;
	svc.hold_down_ms = 0;
	svc.damping.enabled = false;
	make_up(&h, &now);
	for (int i = 0; i < 10; i++) {
		rounds(&h, &now, ALL_TO, 2);
		rounds(&h, &now, ALL_OK, 3);
	}
	assert_false(h.suppressed);
	assert_int_equal(h.state, HEALTH_UP);
}

static void test_unknown_no_verdict(void **st)
{
	struct health h;
	uint64_t now = 0;
	health_init(&h, &svc, now);
	for (int i = 0; i < 20 && h.state == HEALTH_UNKNOWN; i++) {
		health_round(&h, now += 100, (i & 1) ? ALL_TO : ALL_OK, 4, "flip");
	}
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_non_null(strstr(h.why, "no stable verdict"));
}

static void test_unknown_partial_is_degraded(void **st)
{
	struct health h;
	uint64_t now = 0;
	health_init(&h, &svc, now);
	rounds(&h, &now, UDP_LOSS, 3);
	assert_int_equal(h.state, HEALTH_DEGRADED);
}

static void test_down_to_degraded(void **st)
{
	struct health h;
	uint64_t now = 0;
	make_up(&h, &now);
	rounds(&h, &now, ALL_TO, 2);
	now += 2000;
	rounds(&h, &now, UDP_LOSS, 3);
	assert_int_equal(h.state, HEALTH_DEGRADED);
}

static void test_adopt(void **st)
{
	struct health a, b;
	uint64_t now = 0;
	make_up(&a, &now);
	struct cfg_service svc2 = svc;
	health_init(&b, &svc2, now);
	health_adopt(&b, &a);
	assert_ptr_equal(b.cfg, &svc2);
	assert_int_equal(b.state, HEALTH_UP);
}

static void test_exp2neg(void **st)
{
	assert_true(health_exp2neg(0) == 1.0);
	double v = health_exp2neg(1);
	assert_true(v > 0.49999 && v < 0.50001);
	v = health_exp2neg(2.5);
	assert_true(v > 0.176776 && v < 0.176777);
	v = health_exp2neg(0.999999);
	assert_true(v > 0.5 && v < 0.500001);
	assert_true(health_exp2neg(5000) == 0.0);
}

static void test_names(void **st)
{
	assert_string_equal(health_state_name(HEALTH_UP), "up");
	assert_string_equal(health_state_name(HEALTH_DEGRADED), "degraded");
	assert_string_equal(health_state_name((enum health_state)99), "?");
	assert_string_equal(health_class_name(HEALTH_PARTIAL), "partial");
}

static int setup(void **st)
{
	svc_defaults();
	return 0;
}

/* every reason is one line, counted right, with the round's detail */
static void test_why_wording(void **st)
{
	struct health h;
	uint64_t now = 0;

	svc.rise = 1;
	health_init(&h, &svc, now);
	assert_string_equal(h.why, "starting: waiting for 1 good round in a row");
	rounds(&h, &now, ALL_OK, 1);
	assert_string_equal(h.why, "1 good round in a row");
	svc.rise = 3;
	health_init(&h, &svc, now);
	assert_string_equal(h.why, "starting: waiting for 3 good rounds in a row");
	rounds(&h, &now, ALL_OK, 1);
	assert_string_equal(h.why, "starting: good round 1 of 3");
	rounds(&h, &now, ALL_OK, 2);
	assert_string_equal(h.why, "3 good rounds in a row");
	now += 100;
	health_round(&h, now, UDP_LOSS, 4, "udp4: timeout after 500 ms; tcp4 ok");
	assert_string_equal(h.why, "failing round 1 of 2 before degraded: "
			    "udp4: timeout after 500 ms; tcp4 ok");
	now += 100;
	health_round(&h, now, ALL_TO, 4, "udp4: timeout after 500 ms");
	assert_int_equal(h.state, HEALTH_DEGRADED);
	assert_string_equal(h.why, "2 rounds in a row with failing probes: "
			    "udp4: timeout after 500 ms");
	now += 100;
	health_round(&h, now, ALL_TO, 4, "udp4: timeout after 500 ms");
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_string_equal(h.why, "2 bad rounds in a row: udp4: timeout after 500 ms");
	now += 100;
	health_round(&h, now, ALL_TO, 4, "udp4: timeout after 500 ms");
	assert_string_equal(h.why, "still failing: udp4: timeout after 500 ms");
	now += 100;
	health_round(&h, now, ALL_OK, 4, NULL);
	assert_string_equal(h.why, "good round 1 of 3 to come up");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_classify, setup),
		cmocka_unit_test_setup(test_rise_from_unknown, setup),
		cmocka_unit_test_setup(test_fall_with_fast_reprobe, setup),
		cmocka_unit_test_setup(test_one_bad_round_is_forgiven, setup),
		cmocka_unit_test_setup(test_hard_failure_confirmed, setup),
		cmocka_unit_test_setup(test_hard_failure_not_confirmed, setup),
		cmocka_unit_test_setup(test_hard_event_pidfd, setup),
		cmocka_unit_test_setup(test_hard_at_start, setup),
		cmocka_unit_test_setup(test_wrong_answer_down_at_once, setup),
		cmocka_unit_test_setup(test_wrong_answer_at_start_and_degraded, setup),
		cmocka_unit_test_setup(test_not_wrong_keeps_fall, setup),
		cmocka_unit_test_setup(test_degraded_keep_and_back, setup),
		cmocka_unit_test_setup(test_degraded_then_down, setup),
		cmocka_unit_test_setup(test_degraded_withdraw_policy_is_a_flap, setup),
		cmocka_unit_test_setup(test_hold_down, setup),
		cmocka_unit_test_setup(test_hold_down_streak_broken, setup),
		cmocka_unit_test_setup(test_recovery_time, setup),
		cmocka_unit_test_setup(test_damping_suppress_and_reuse, setup),
		cmocka_unit_test_setup(test_damping_two_flaps_not_suppressed, setup),
		cmocka_unit_test_setup(test_damping_ceiling, setup),
		cmocka_unit_test_setup(test_damping_disabled, setup),
		cmocka_unit_test_setup(test_unknown_no_verdict, setup),
		cmocka_unit_test_setup(test_unknown_partial_is_degraded, setup),
		cmocka_unit_test_setup(test_down_to_degraded, setup),
		cmocka_unit_test_setup(test_adopt, setup),
		cmocka_unit_test_setup(test_exp2neg, setup),
		cmocka_unit_test_setup(test_names, setup),
		cmocka_unit_test_setup(test_why_wording, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

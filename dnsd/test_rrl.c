/* unit tests: response rate limiting (rrl.h) with a clock of the test's
 * own: token accounting, slip, window, prefixes, classes, exemptions,
 * a table smaller than the flows, and several threads on one bucket */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/config.h"
#include "dnsd/dname.h"
#include "dnsd/rrl.h"
#include "dnsd/test_engine_util.h"

static struct rrl_params params(unsigned rate, unsigned slip, unsigned window)
{
	struct rrl_params p = { .rate = rate, .slip = slip, .window = window, .v4_prefix = 24,
				.v6_prefix = 56 };
	return p;
}

static uint8_t www_key[DNAME_MAX];
static struct rrl_resp www(void)
{
	size_t kl = dname_key((const uint8_t *)"\003www\007example\000", www_key);
	struct rrl_resp r = { .cls = RRL_ANSWER, .qtype = 1, .name = www_key, .namelen = kl };
	return r;
}

struct tally {
	unsigned pass, drop, slip, exempt;
};

static struct tally run(struct rrl *t, const struct rrl_params *p, const char *src,
			const struct rrl_resp *r, uint32_t now, unsigned n, uint32_t *ctr)
{
	struct tally y = { 0 };
	struct sockaddr_storage ss = taddr(src);
	for (unsigned i = 0; i < n; i++) {
		switch (rrl_check(t, p, (const struct sockaddr *)&ss, r, now, ctr)) {
		case RRL_PASS: y.pass++; break;
		case RRL_DROP: y.drop++; break;
		case RRL_SLIP: y.slip++; break;
		case RRL_EXEMPT: y.exempt++; break;
		}
	}
	return y;
}

static void test_rate_and_slip(void **state)
{
	struct rrl *t = rrl_new(4096);
	assert_non_null(t);
	assert_int_equal(rrl_size(t), 4096);
	struct rrl_params p = params(10, 2, 1);
	struct rrl_resp r = www();
	uint32_t ctr = 0, now = 5000;

	/* a burst: one second's worth passes, then every 2nd slips */
	struct tally y = run(t, &p, "192.0.2.1", &r, now, 100, &ctr);
	assert_int_equal(y.pass, 10);
	assert_int_equal(y.slip, 45);
	assert_int_equal(y.drop, 45);
	/* 100 ms later: one more (10 a second) */
	y = run(t, &p, "192.0.2.1", &r, now + 100, 5, &ctr);
	assert_int_equal(y.pass, 1);
	/* 250 ms: two and a half, the half kept */
	y = run(t, &p, "192.0.2.1", &r, now + 350, 5, &ctr);
	assert_int_equal(y.pass, 2);
	y = run(t, &p, "192.0.2.1", &r, now + 400, 5, &ctr);
	assert_int_equal(y.pass, 1);
	/* a long pause refills one second's worth, no more */
	y = run(t, &p, "192.0.2.1", &r, now + 60000, 100, &ctr);
	assert_int_equal(y.pass, 10);
	/* a sustained flood of 1000/s for 5 s, a second after: the second's
	 * worth it earned meanwhile, then 10/s */
	unsigned passed = 0;
	for (uint32_t ms = 0; ms < 5000; ms++)
		passed += run(t, &p, "192.0.2.1", &r, now + 61000 + ms, 1, &ctr).pass;
	assert_in_range(passed, 59, 61);

	/* slip 0: all dropped; slip 1: all truncated */
	p.slip = 0;
	y = run(t, &p, "192.0.2.1", &r, now + 70000, 30, &ctr);
	assert_int_equal(y.pass, 10);
	assert_int_equal(y.drop, 20);
	p.slip = 1;
	y = run(t, &p, "192.0.2.1", &r, now + 80000, 30, &ctr);
	assert_int_equal(y.pass, 10);
	assert_int_equal(y.slip, 20);

	/* rate 0: off */
	p.rate = 0;
	y = run(t, &p, "192.0.2.1", &r, now + 80000, 30, &ctr);
	assert_int_equal(y.pass, 30);
	assert_int_equal(rrl_check(NULL, &p, NULL, &r, 0, &ctr), RRL_PASS);
	rrl_free(t);
}

/* window 3: over the limit a bucket owes up to two more seconds */
static void test_window(void **state)
{
	struct rrl *t = rrl_new(1024);
	struct rrl_params p = params(10, 0, 3);
	struct rrl_resp r = www();
	uint32_t ctr = 0;
	struct tally y = run(t, &p, "192.0.2.1", &r, 1000, 100, &ctr);
	assert_int_equal(y.pass, 10);
	/* one and two seconds on: still in debt */
	assert_int_equal(run(t, &p, "192.0.2.1", &r, 2000, 1, &ctr).pass, 0);
	assert_int_equal(run(t, &p, "192.0.2.1", &r, 3000, 1, &ctr).pass, 0);
	/* quiet long enough: a second's worth again */
	y = run(t, &p, "192.0.2.1", &r, 7000, 20, &ctr);
	assert_int_equal(y.pass, 10);
	rrl_free(t);
}

/* a /24 (a /56) shares a bucket; the next prefix has its own; classes,
 * names and types are buckets of their own; NXDOMAIN keys the zone */
static void test_keys(void **state)
{
	struct rrl *t = rrl_new(1 << 16);
	struct rrl_params p = params(5, 0, 1);
	struct rrl_resp r = www();
	uint32_t ctr = 0, now = 1000;
	assert_int_equal(run(t, &p, "192.0.2.1", &r, now, 20, &ctr).pass, 5);
	assert_int_equal(run(t, &p, "192.0.2.200", &r, now, 20, &ctr).pass, 0);
	assert_int_equal(run(t, &p, "192.0.3.1", &r, now, 20, &ctr).pass, 5);
	p.v4_prefix = 32;
	assert_int_equal(run(t, &p, "192.0.2.200", &r, now, 20, &ctr).pass, 5);
	p.v4_prefix = 24;

	assert_int_equal(run(t, &p, "2001:db8:1:100::1", &r, now, 20, &ctr).pass, 5);
	assert_int_equal(run(t, &p, "2001:db8:1:1ff:ffff::9", &r, now, 20, &ctr).pass, 0);
	assert_int_equal(run(t, &p, "2001:db8:1:200::1", &r, now, 20, &ctr).pass, 5);

	struct rrl_resp aaaa = r;
	aaaa.qtype = 28;
	assert_int_equal(run(t, &p, "192.0.2.1", &aaaa, now, 20, &ctr).pass, 5);
	uint8_t k2[DNAME_MAX];
	struct rrl_resp other = r;
	other.name = k2;
	other.namelen = dname_key((const uint8_t *)"\004www2\007example\000", k2);
	assert_int_equal(run(t, &p, "192.0.2.1", &other, now, 20, &ctr).pass, 5);

	/* NXDOMAIN, referral, error: the type does not matter */
	uint8_t zk[DNAME_MAX];
	struct rrl_resp nx = { .cls = RRL_NXDOMAIN, .qtype = 1, .name = zk };
	nx.namelen = dname_key((const uint8_t *)"\007example\000", zk);
	assert_int_equal(run(t, &p, "192.0.2.1", &nx, now, 20, &ctr).pass, 5);
	nx.qtype = 28;
	assert_int_equal(run(t, &p, "192.0.2.1", &nx, now, 20, &ctr).pass, 0);
	struct rrl_resp err = { .cls = RRL_ERROR, .qtype = 1, .name = zk, .namelen = nx.namelen };
	assert_int_equal(run(t, &p, "192.0.2.1", &err, now, 20, &ctr).pass, 5);
	err.namelen = 0;
	err.qtype = 255;
	assert_int_equal(run(t, &p, "192.0.2.1", &err, now, 20, &ctr).pass, 0);
	struct rrl_resp ref = nx;
	ref.cls = RRL_REFERRAL;
	assert_int_equal(run(t, &p, "192.0.2.1", &ref, now, 20, &ctr).pass, 5);
	rrl_free(t);
}

/* exempt prefixes and probe sources: over the limit, still answered */
static void test_exempt(void **state)
{
	struct rrl *t = rrl_new(1024);
	struct rrl_params p = params(5, 2, 1);
	struct rrl_resp r = www();
	uint32_t ctr = 0;
	struct cfg_netblock ex[2] = {
		{ .family = AF_INET, .addr = { 198, 51, 100, 0 }, .len = 25 },
		{ .family = AF_INET6, .addr = { 0x20, 0x01, 0x0d, 0xb8 }, .len = 32 },
	};
	p.exempt = ex;
	p.nexempt = 2;
	struct cfg_addr src;
	memset(&src, 0, sizeof src);
	struct sockaddr_storage ss = taddr("203.0.113.9");
	memcpy(&src.ss, &ss, sizeof ss);
	src.family = AF_INET;
	struct cfg_probe probes[2];
	memset(probes, 0, sizeof probes);
	probes[1].source = &src;
	p.probes = probes;
	p.nprobes = 2;

	struct tally y = run(t, &p, "198.51.100.127", &r, 1000, 50, &ctr);
	assert_int_equal(y.pass, 5);
	assert_int_equal(y.exempt, 45);
	y = run(t, &p, "198.51.101.1", &r, 1000, 50, &ctr);	/* outside */
	assert_int_equal(y.pass, 5);
	assert_int_equal(y.exempt, 0);
	assert_int_equal(y.slip + y.drop, 45);
	y = run(t, &p, "2001:db8:ffff::1", &r, 1000, 50, &ctr);
	assert_int_equal(y.exempt, 45);
	y = run(t, &p, "2001:db9::1", &r, 1000, 50, &ctr);
	assert_int_equal(y.exempt, 0);
	y = run(t, &p, "203.0.113.9", &r, 1000, 50, &ctr);	/* the probe */
	assert_int_equal(y.exempt, 45);
	y = run(t, &p, "203.0.113.10", &r, 1000, 50, &ctr);	/* its /24, not it */
	assert_int_equal(y.exempt, 0);
	assert_int_equal(y.pass, 0);
	rrl_free(t);
}

/* far more flows than buckets: nothing breaks, a new flow is never
 * limited by the ones it evicted, and a busy flow keeps its bucket
 * against idle ones */
static void test_small_table(void **state)
{
	struct rrl *t = rrl_new(10);
	assert_int_equal(rrl_size(t), 1024);
	struct rrl_params p = params(3, 0, 1);
	struct rrl_resp r = www();
	uint32_t ctr = 0;
	char a[64];
	for (unsigned i = 0; i < 20000; i++) {
		snprintf(a, sizeof a, "10.%u.%u.1", (i >> 8) & 0xff, i & 0xff);
		struct tally y = run(t, &p, a, &r, 1000 + i / 1000, 3, &ctr);
		assert_int_equal(y.pass, 3);
	}
	rrl_free(t);
}

struct hammer {
	struct rrl *t;
	const struct rrl_params *p;
	unsigned pass;
};

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	struct rrl_resp r = www();
	uint32_t ctr = 0;
	h->pass = run(h->t, h->p, "192.0.2.1", &r, 424242, 20000, &ctr).pass;
	return NULL;
}

/* four threads on one bucket at one instant: exactly `rate` pass */
static void test_threads(void **state)
{
	struct rrl *t = rrl_new(1024);
	struct rrl_params p = params(1000, 0, 1);
	struct hammer h[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		h[i] = (struct hammer){ .t = t, .p = &p };
		assert_int_equal(pthread_create(&th[i], NULL, hammer_main, &h[i]), 0);
	}
	unsigned total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += h[i].pass;
	}
	assert_int_equal(total, 1000);
	rrl_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_and_slip),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_exempt),
		cmocka_unit_test(test_small_table),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

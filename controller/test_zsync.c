/* unit tests for zsync.c: the verdict on canned "zones" replies, the
 * health machine held down by it, and the non-blocking poller against a
 * fake raiz-dnsd control socket */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ev.h>
#include <json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/ctlsock.h"
#include "controller/health.h"
#include "controller/zsync.h"

/* 2026-12-07T10:00:00Z, 2026-12-06T10:00:00Z, 2026-12-07T09:00:00Z */
#define T_EXPIRE "1796637600"
#define T_REFRESH "1796551200"
#define T_NOW "1796634000"

#define FILE_ZONE \
	"{\"name\":\"example.\",\"kind\":\"file\",\"served\":true,\"state\":\"file\"," \
	"\"serial\":1,\"records\":3,\"loaded-at\":" T_REFRESH "}"

/* a secondary zone "br." with the given state and extra members */
#define BR(state, extra) \
	"{\"name\":\"br.\",\"kind\":\"secondary\",\"served\":true,\"state\":\"" state "\"," \
	"\"serial\":2026120701,\"records\":1234,\"loaded-at\":" T_REFRESH "," \
	"\"primary\":\"127.0.0.1@5300\",\"checked-at\":" T_NOW "," extra "}"

#define REPLY(zones) "{\"ok\":true,\"now\":" T_NOW ",\"zones\":[" zones "]}"
#define AND ","

static struct zsync_result judge_cfg(const char *text, const struct raiz_config *cfg)
{
	struct zsync_result r;
	json_object *o = text ? json_tokener_parse(text) : NULL;
	memset(&r, 0xa5, sizeof r);
	zsync_judge(o, cfg, &r);
	json_object_put(o);
	/* whatever the input: a verdict, a reason, a key */
	assert_true(r.verdict == ZSYNC_HEALTHY || r.verdict == ZSYNC_UNHEALTHY ||
		    r.verdict == ZSYNC_UNKNOWN);
	assert_true(strlen(r.reason) > 0 && strlen(r.reason) < sizeof r.reason);
	assert_true(strlen(r.key) > 0 && strlen(r.key) < sizeof r.key);
	assert_int_equal(r.at_ms, 0);
	return r;
}

static struct zsync_result judge(const char *text)
{
	return judge_cfg(text, NULL);
}

static void test_current(void **st)
{
	struct zsync_result r = judge(REPLY(FILE_ZONE AND BR("current",
		"\"primary-serial\":2026120701,\"refreshed-at\":" T_NOW ",\"behind-since\":null,"
		"\"lag\":0,\"max-lag\":600,\"expires-at\":" T_EXPIRE ",\"last-failure\":null,"
		"\"failures\":0")));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
	assert_string_equal(r.key, "healthy");
	assert_int_equal(r.secondaries, 1);
	assert_int_equal(r.unfit, 0);
	assert_string_equal(r.reason, "the secondary zone is current or within its max-lag");
}

static void test_behind_within_max_lag(void **st)
{
	struct zsync_result r = judge(REPLY(BR("behind",
		"\"primary-serial\":2026120705,\"behind-since\":1796633700,\"lag\":300,"
		"\"max-lag\":600") AND FILE_ZONE));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
	assert_int_equal(r.secondaries, 1);
	/* refreshing, still within */
	r = judge(REPLY(BR("refreshing", "\"primary-serial\":2026120705,\"lag\":600,"
			   "\"max-lag\":600")));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
}

static void test_behind_beyond_max_lag(void **st)
{
	struct zsync_result r = judge(REPLY(FILE_ZONE AND BR("behind",
		"\"primary-serial\":2026120705,\"behind-since\":1796633280,\"lag\":720,"
		"\"max-lag\":600,\"last-failure\":null")));
	assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
	assert_string_equal(r.reason, "zone br.: 720 s behind its primary (served 2026120701, "
			    "primary 2026120705; max-lag 600 s)");
	assert_string_equal(r.key, "br.:lag");
	assert_int_equal(r.unfit, 1);

	/* a second later: another reason, the same key (logged once) */
	struct zsync_result r2 = judge(REPLY(FILE_ZONE AND BR("behind",
		"\"primary-serial\":2026120705,\"lag\":721,\"max-lag\":600")));
	assert_string_not_equal(r2.reason, r.reason);
	assert_string_equal(r2.key, r.key);

	/* max-lag 0 is off, however far behind */
	r = judge(REPLY(BR("behind", "\"primary-serial\":2026120705,\"lag\":86400,"
			   "\"max-lag\":0")));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
	/* no "lag": from behind-since and the reply's now; no primary serial */
	r = judge(REPLY(BR("behind", "\"primary-serial\":null,\"behind-since\":1796633000,"
			   "\"max-lag\":600")));
	assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
	assert_string_equal(r.reason, "zone br.: 1000 s behind its primary (served 2026120701; "
			    "max-lag 600 s)");
}

/* the controller's own raiz.json decides max-lag for the zones it lists */
static void test_max_lag_from_config(void **st)
{
	struct cfg_addr prim = { .port = 5300, .text = "127.0.0.1@5300" };
	struct cfg_zone zones[2] = {
		{ .name = "BR.", .primaries = &prim, .nprimaries = 1, .max_lag = 60 },
		{ .name = "ar.", .primaries = &prim, .nprimaries = 1, .max_lag = 0 },
	};
	struct raiz_config cfg = { .zones = zones, .nzones = 2 };
	const char *reply = REPLY(BR("behind", "\"primary-serial\":2026120702,\"lag\":120,"
				     "\"max-lag\":0") AND
				  "{\"name\":\"ar.\",\"kind\":\"secondary\",\"state\":\"behind\","
				  "\"serial\":5,\"primary-serial\":6,\"lag\":9999,\"max-lag\":600}");

	struct zsync_result r = judge_cfg(reply, &cfg);
	assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
	assert_string_equal(r.key, "br.:lag");
	assert_string_equal(r.reason, "zone br.: 120 s behind its primary (served 2026120701, "
			    "primary 2026120702; max-lag 60 s)");
	/* without the configuration the reply's values count */
	r = judge(reply);
	assert_string_equal(r.key, "ar.:lag");
}

static void test_expired(void **st)
{
	struct zsync_result r = judge(REPLY(FILE_ZONE AND BR("expired",
		"\"primary-serial\":2026120701,\"refreshed-at\":" T_REFRESH ",\"lag\":0,"
		"\"max-lag\":600,\"expires-at\":" T_EXPIRE ",\"failures\":17,"
		"\"last-failure\":{\"at\":" T_NOW ",\"reason\":\"127.0.0.1@5300: connection "
		"refused; ::1@5300: timeout\"}")));
	assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
	assert_string_equal(r.reason, "zone br.: expired at 2026-12-07T10:00:00Z (no refresh from "
			    "a primary since 2026-12-06T10:00:00Z; last failure: 127.0.0.1@5300: "
			    "connection refused; ::1@5300: timeout)");
	assert_string_equal(r.key, "br.:expired");
	/* expired counts even with max-lag off; missing times are left out */
	r = judge(REPLY(BR("expired", "\"max-lag\":0,\"expires-at\":null")));
	assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
	assert_string_equal(r.reason, "zone br.: expired (no refresh from a primary)");
}

static void test_no_copy(void **st)
{
	struct zsync_result r = judge(REPLY(BR("no-copy",
		"\"primary-serial\":null,\"refreshed-at\":null,\"last-transfer\":null,"
		"\"last-failure\":{\"at\":" T_NOW ",\"reason\":\"TSIG: bad signature (BADSIG)\"},"
		"\"failures\":3,\"max-lag\":600") AND FILE_ZONE));
	assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
	assert_string_equal(r.reason, "zone br.: no copy yet (never transferred; last failure: "
			    "TSIG: bad signature (BADSIG))");
	assert_string_equal(r.key, "br.:no-copy");
	r = judge(REPLY(BR("no-copy", "\"last-transfer\":{\"at\":" T_REFRESH ",\"kind\":\"AXFR\"}")));
	assert_string_equal(r.reason, "zone br.: no copy yet (last transfer at "
			    "2026-12-06T10:00:00Z)");
}

/* the worst zone names the reason, the others are counted and named */
static void test_several_unfit(void **st)
{
	struct zsync_result r = judge(REPLY(
		"{\"name\":\"ar.\",\"kind\":\"secondary\",\"state\":\"behind\",\"serial\":5,"
		"\"primary-serial\":6,\"lag\":700,\"max-lag\":600}" AND
		BR("expired", "\"expires-at\":" T_EXPIRE) AND
		"{\"name\":\"cl.\",\"kind\":\"secondary\",\"state\":\"no-copy\"}" AND
		"{\"name\":\"uy.\",\"kind\":\"secondary\",\"state\":\"current\",\"lag\":0,"
		"\"max-lag\":600}"));
	assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
	assert_int_equal(r.secondaries, 4);
	assert_int_equal(r.unfit, 3);
	assert_string_equal(r.key, "ar.:lag;br.:expired;cl.:no-copy");
	assert_string_equal(r.reason, "zone br.: expired at 2026-12-07T10:00:00Z (no refresh from "
			    "a primary); and 2 more zones: ar. lag, cl. no-copy");
}

static void test_file_zones_only(void **st)
{
	struct zsync_result r = judge(REPLY(FILE_ZONE AND
		"{\"name\":\"other.\",\"served\":true,\"state\":\"file\",\"serial\":7}"));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
	assert_int_equal(r.secondaries, 0);
	assert_string_equal(r.reason, "raiz-dnsd serves no secondary zone");
	r = judge(REPLY(""));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
}

#define NOT_OBJECT "raiz-dnsd's reply to \"zones\" is not a JSON object"
#define NOT_OK "raiz-dnsd's reply to \"zones\" is not \"ok\": true"
#define NO_ZONES "raiz-dnsd's reply to \"zones\" has no \"zones\" array"

static void test_malformed(void **st)
{
	static const struct {
		const char *reply, *reason;
	} cases[] = {
		{ NULL, NOT_OBJECT },
		{ "{\"ok\":true,\"zones\":[{\"name\":", NOT_OBJECT },
		{ "[1,2]", NOT_OBJECT },
		{ "{\"ok\":false,\"error\":\"unknown command \\\"zones\\\" (known: status, stats, "
		  "reload)\"}",
		  "raiz-dnsd refused \"zones\": unknown command \"zones\" (known: status, stats, "
		  "reload)" },
		{ "{\"zones\":[]}", NOT_OK },
		{ "{\"ok\":\"yes\",\"zones\":[]}", NOT_OK },
		{ "{\"ok\":true}", NO_ZONES },
		{ "{\"ok\":true,\"zones\":{\"br.\":{}}}", NO_ZONES },
		{ "{\"ok\":true,\"zones\":[17]}", "zone 1 of raiz-dnsd's \"zones\" reply has no name" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct zsync_result r = judge(cases[i].reply);
		assert_int_equal(r.verdict, ZSYNC_UNKNOWN);
		assert_string_equal(r.reason, cases[i].reason);
		assert_true(strncmp(r.key, "unknown:", 8) == 0);
	}
}

static void test_missing_fields(void **st)
{
	static const struct {
		const char *zone, *reason;
	} cases[] = {
		{ "{\"kind\":\"secondary\",\"state\":\"expired\"}",
		  "zone 1 of raiz-dnsd's \"zones\" reply has no name" },
		{ "{\"name\":\"br.\",\"kind\":\"secondary\"}",
		  "zone br.: raiz-dnsd's reply has no state" },
		{ "{\"name\":\"br.\",\"state\":17}", "zone br.: raiz-dnsd's reply has no state" },
		{ "{\"name\":\"br.\",\"kind\":\"catalog\",\"state\":\"current\"}",
		  "zone br.: unknown kind \"catalog\" in raiz-dnsd's reply" },
		{ "{\"name\":\"br.\",\"kind\":\"secondary\",\"state\":\"behind\",\"max-lag\":600}",
		  "zone br.: raiz-dnsd's reply does not say how far it is behind its primary" },
		{ "{\"name\":\"br.\",\"kind\":\"secondary\",\"state\":\"behind\",\"max-lag\":600,"
		  "\"lag\":\"720\"}",
		  "zone br.: \"lag\" in raiz-dnsd's reply is not a number" },
		{ "{\"name\":\"br.\",\"kind\":\"secondary\",\"state\":\"behind\",\"max-lag\":\"10m\","
		  "\"lag\":720}",
		  "zone br.: \"max-lag\" in raiz-dnsd's reply is not a number" },
	};
	char buf[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(buf, sizeof buf, REPLY("%s"), cases[i].zone);
		struct zsync_result r = judge(buf);
		assert_int_equal(r.verdict, ZSYNC_UNKNOWN);
		assert_string_equal(r.reason, cases[i].reason);
		/* an unfit zone beside it still decides */
		snprintf(buf, sizeof buf, REPLY("%s" AND BR("expired", "\"max-lag\":0")),
			 cases[i].zone);
		r = judge(buf);
		assert_int_equal(r.verdict, ZSYNC_UNHEALTHY);
		assert_string_equal(r.key, "br.:expired");
	}
	/* what the verdict does not need may be missing: a bare current zone */
	struct zsync_result r = judge(REPLY("{\"name\":\"br.\",\"kind\":\"secondary\","
					    "\"state\":\"current\"}"));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
	/* ... and a behind one with max-lag off */
	r = judge(REPLY("{\"name\":\"br.\",\"kind\":\"secondary\",\"state\":\"behind\"}"));
	assert_int_equal(r.verdict, ZSYNC_HEALTHY);
}

static void test_verdict_names(void **st)
{
	assert_string_equal(zsync_verdict_name(ZSYNC_HEALTHY), "healthy");
	assert_string_equal(zsync_verdict_name(ZSYNC_UNHEALTHY), "unhealthy");
	assert_string_equal(zsync_verdict_name(ZSYNC_UNKNOWN), "unknown");
}

static void test_wanted_and_period(void **st)
{
	struct cfg_addr prim = { .port = 5300 };
	struct cfg_zone zones[2] = { { .name = "example.", .file = "/x" },
				     { .name = "br.", .primaries = &prim, .nprimaries = 1 } };
	struct cfg_service svcs[2] = { { .interval_ms = 500 }, { .interval_ms = 2500 } };
	struct raiz_config cfg = { .zones = zones, .nzones = 1 };

	cfg.dnsd.control_socket = "/run/raiz/dnsd.sock";
	assert_false(zsync_wanted(&cfg));     /* file zones only */
	cfg.nzones = 2;
	assert_true(zsync_wanted(&cfg));
	cfg.dnsd.control_socket = NULL;
	assert_false(zsync_wanted(&cfg));
	assert_int_equal(zsync_period_ms(&cfg), 1000);
	cfg.ctl.services = svcs;
	cfg.ctl.nservices = 2;
	assert_int_equal(zsync_period_ms(&cfg), 1000);   /* at most every second */
	svcs[0].interval_ms = 3000;
	assert_int_equal(zsync_period_ms(&cfg), 2500);   /* every probe interval */
}

/* ---- the health machine, held down by the verdict ---- */

static struct cfg_service svc = {
	.name = "dns", .interval_ms = 500, .fast_interval_ms = 100, .rise = 3, .fall = 2,
	.hold_down_ms = 1000, .degraded = CFG_DEGRADED_KEEP,
	.damping = { .enabled = true, .penalty = 1000, .suppress = 2000, .reuse = 750,
		     .half_life_ms = 60000, .max_suppress_ms = 600000 },
};
static const enum probe_verdict OK2[2] = { PROBE_OK, PROBE_OK };

static void round_ok(struct health *h, uint64_t *now)
{
	*now += health_next_delay(h);
	health_round(h, *now, OK2, 2, "udp4, tcp4 ok");
}

static void test_health_expired_and_back(void **st)
{
	struct health h;
	uint64_t now = 1000;
	struct zsync_result bad = judge(REPLY(BR("expired", "\"expires-at\":" T_EXPIRE
		",\"refreshed-at\":" T_REFRESH ",\"last-failure\":{\"reason\":\"timeout\"}")));
	struct zsync_result good = judge(REPLY(BR("current", "\"lag\":0,\"max-lag\":600")));

	health_init(&h, &svc, now);
	for (int i = 0; i < 3; i++)
		round_ok(&h, &now);
	assert_int_equal(h.state, HEALTH_UP);
	assert_true(health_usable(&h));
	/* a healthy verdict on an UP service changes nothing */
	assert_false(health_zone(&h, now, good.verdict == ZSYNC_UNHEALTHY, good.reason));
	assert_int_equal(h.state, HEALTH_UP);

	/* expired: down at once, no fall rounds needed, the zone is the why */
	now += 10;
	assert_true(health_zone(&h, now, bad.verdict == ZSYNC_UNHEALTHY, bad.reason));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_false(health_usable(&h));
	assert_string_equal(h.why, "zone br.: expired at 2026-12-07T10:00:00Z (no refresh from a "
			    "primary since 2026-12-06T10:00:00Z; last failure: timeout)");
	assert_int_equal(h.transitions, 2);     /* unknown -> up -> down */
	assert_true(health_penalty(&h, now) > 999);     /* damping counts it */
	/* the same verdict again: nothing new */
	assert_false(health_zone(&h, now, true, bad.reason));

	/* the probes pass, past hold-down too: still held down */
	for (int i = 0; i < 6; i++)
		round_ok(&h, &now);
	assert_true(now > h.since_ms + svc.hold_down_ms);
	assert_false(health_tick(&h, now));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_string_equal(h.why, h.zone_why);
	assert_int_equal(health_wakeup(&h, now), HEALTH_NEVER);

	/* the zone recovers: back by the normal rise, not at once */
	assert_true(health_zone(&h, now, good.verdict == ZSYNC_UNHEALTHY, good.reason));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_string_equal(h.why, "zone copies fit to serve again; waiting for 3 good rounds in "
			    "a row");
	round_ok(&h, &now);
	round_ok(&h, &now);
	assert_int_equal(h.state, HEALTH_DOWN);
	round_ok(&h, &now);
	assert_int_equal(h.state, HEALTH_UP);
	assert_true(health_usable(&h));
	assert_string_equal(h.why, "3 good rounds in a row");
}

/* held down before its first verdict (a node starting with an expired
 * zone), and hold-down still counts from the withdrawal */
static void test_health_zone_from_unknown(void **st)
{
	struct health h;
	uint64_t now = 5000;

	health_init(&h, &svc, now);
	assert_true(health_zone(&h, now, true, "zone br.: no copy yet (never transferred)"));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_true(h.zone_bad);
	assert_true(health_zone(&h, now + 100, false, NULL));
	assert_false(h.zone_bad);
	/* three quick good rounds, inside hold-down: still down until it ends */
	uint64_t t = now + 100;
	for (int i = 0; i < 3; i++) {
		t += 100;
		health_round(&h, t, OK2, 2, "ok");
	}
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_int_equal(health_wakeup(&h, t), now + svc.hold_down_ms);
	assert_true(health_tick(&h, now + svc.hold_down_ms));
	assert_int_equal(h.state, HEALTH_UP);
}

/* ---- the poller against a fake raiz-dnsd ---- */

struct fake {
	struct ev_loop *loop;
	struct ctlsock *sock;
	struct ctlsock_conn *held;
	const char *reply;       /* NULL: defer */
	int requests;
	char line[128];
	int results;
	struct zsync_result last;
	bool had_prev;
	enum zsync_verdict prev;
	bool guard_fired;
	char dir[48], path[96];
};

static json_object *fake_handler(void *arg, struct ctlsock_conn *c, const char *line)
{
	struct fake *f = arg;
	f->requests++;
	snprintf(f->line, sizeof f->line, "%s", line);
	if (!f->reply) {
		f->held = ctlsock_defer(c);
		return NULL;
	}
	return json_tokener_parse(f->reply);
}

static void fake_result(void *arg, const struct zsync_result *r, const struct zsync_result *prev)
{
	struct fake *f = arg;
	f->results++;
	f->last = *r;
	f->had_prev = prev != NULL;
	if (prev)
		f->prev = prev->verdict;
}

static void guard_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	((struct fake *)t->data)->guard_fired = true;
}

/* run the loop until *what reaches want; a guard stops a broken test */
static void run_until(struct fake *f, const int *what, int want)
{
	ev_timer guard;
	ev_timer_init(&guard, guard_cb, 10., 0.);
	guard.data = f;
	ev_timer_start(f->loop, &guard);
	while (*what < want && !f->guard_fired)
		ev_run(f->loop, EVRUN_ONCE);
	ev_timer_stop(f->loop, &guard);
	assert_false(f->guard_fired);
}

static void test_poller(void **st)
{
	struct fake f = { .reply = NULL };
	char err[256];
	struct cfg_addr prim = { .port = 5300 };
	struct cfg_zone zone = { .name = "br.", .primaries = &prim, .nprimaries = 1, .max_lag = 600 };
	/* a period far beyond the test: every request here is asked for */
	struct cfg_service slow = { .name = "dns", .interval_ms = 3600000 };
	struct raiz_config cfg = { .zones = &zone, .nzones = 1,
				   .ctl = { .services = &slow, .nservices = 1 } }, cfg2;

	strcpy(f.dir, "/tmp/raiz-test-zsync.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof f.path, "%s/dnsd.sock", f.dir);
	f.loop = ev_loop_new(EVFLAG_AUTO);
	f.sock = ctlsock_new(f.loop, f.path, 0600, "raiz-dnsd", fake_handler, &f, err, sizeof err);
	assert_non_null(f.sock);
	cfg.dnsd.control_socket = f.path;

	struct zsync *z = zsync_new(f.loop, &cfg, fake_result, &f);
	assert_non_null(z);
	assert_string_equal(zsync_socket(z), f.path);
	assert_int_equal(zsync_last(z)->verdict, ZSYNC_UNKNOWN);
	assert_string_equal(zsync_last(z)->reason, "not asked yet");
	assert_int_equal(f.results, 0);         /* nothing from inside zsync_new() */

	/* raiz-dnsd holds its answer: the loop runs on, the request waits */
	run_until(&f, &f.requests, 1);
	assert_string_equal(f.line, "{\"command\":\"zones\"}");
	assert_true(zsync_busy(z));
	assert_int_equal(f.results, 0);
	zsync_poll_now(z);                      /* one request at a time */
	assert_true(zsync_busy(z));
	ctlsock_reply(f.held, json_tokener_parse(REPLY(FILE_ZONE AND BR("expired",
		"\"expires-at\":" T_EXPIRE))));
	run_until(&f, &f.results, 1);
	assert_false(zsync_busy(z));
	assert_false(f.had_prev);
	assert_int_equal(f.last.verdict, ZSYNC_UNHEALTHY);
	assert_string_equal(f.last.key, "br.:expired");
	assert_true(f.last.at_ms > 0);
	assert_int_equal(zsync_last(z)->verdict, ZSYNC_UNHEALTHY);
	assert_int_equal(f.requests, 1);

	/* answered at once */
	f.reply = REPLY(BR("current", "\"lag\":0"));
	zsync_poll_now(z);
	run_until(&f, &f.results, 2);
	assert_int_equal(f.last.verdict, ZSYNC_HEALTHY);
	assert_true(f.had_prev);
	assert_int_equal(f.prev, ZSYNC_UNHEALTHY);

	/* an old raiz-dnsd without "zones" */
	f.reply = "{\"ok\":false,\"error\":\"unknown command \\\"zones\\\"\"}";
	zsync_poll_now(z);
	run_until(&f, &f.results, 3);
	assert_int_equal(f.last.verdict, ZSYNC_UNKNOWN);
	assert_string_equal(f.last.reason, "raiz-dnsd refused \"zones\": unknown command \"zones\"");

	/* nobody listening (a new socket path): unknown, reported from the loop */
	cfg2 = cfg;
	char gone[128];
	snprintf(gone, sizeof gone, "%s/gone.sock", f.dir);
	cfg2.dnsd.control_socket = gone;
	zsync_configure(z, &cfg2);
	assert_string_equal(zsync_socket(z), gone);
	zsync_poll_now(z);
	assert_int_equal(f.results, 3);
	run_until(&f, &f.results, 4);
	assert_int_equal(f.last.verdict, ZSYNC_UNKNOWN);
	assert_non_null(strstr(f.last.reason, "cannot reach raiz-dnsd at "));
	assert_non_null(strstr(f.last.reason, "gone.sock: No such file or directory"));
	assert_int_equal(f.prev, ZSYNC_UNKNOWN);

	zsync_free(z);
	ctlsock_free(f.sock);
	ev_loop_destroy(f.loop);
	assert_int_equal(rmdir(f.dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_current),
		cmocka_unit_test(test_behind_within_max_lag),
		cmocka_unit_test(test_behind_beyond_max_lag),
		cmocka_unit_test(test_max_lag_from_config),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_no_copy),
		cmocka_unit_test(test_several_unfit),
		cmocka_unit_test(test_file_zones_only),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_wanted_and_period),
		cmocka_unit_test(test_health_expired_and_back),
		cmocka_unit_test(test_health_zone_from_unknown),
		cmocka_unit_test(test_poller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

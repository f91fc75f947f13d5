/*
 * unit tests for ctlzones.c: raizctl's text for raiz-dnsd's "zones" and
 * "transfer-trial" replies.  The fixtures follow the control-socket
 * contract (raiz-dnsd(8), CONTROL SOCKET): a zone in every state, null
 * members, a failing zone, a passing and a failing trial.  Times are
 * relative to the reply's "now", 2026-12-07T10:00:00Z.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "raizctl/ctlprint.h"
#include "raizctl/ctlzones.h"

#define NOW "1796637600"   /* 2026-12-07T10:00:00Z */

static const char zones_reply[] = "{\"ok\":true,\"now\":" NOW ",\"zones\":["
	/* current, everything known */
	"{\"name\":\"br.\",\"kind\":\"secondary\",\"served\":true,\"state\":\"current\","
	"\"serial\":2026120701,\"records\":1234,\"loaded-at\":1796634000,"
	"\"primary\":\"127.0.0.1@5300\",\"primary-serial\":2026120701,"
	"\"checked-at\":1796637588,\"refreshed-at\":1796637588,\"behind-since\":null,\"lag\":0,"
	"\"max-lag\":600,\"next-refresh\":1796637648,\"expires-at\":1797242388,"
	"\"last-transfer\":{\"at\":1796634000,\"kind\":\"IXFR\",\"serial\":2026120701,"
	"\"records\":1234,\"bytes\":56789,\"ms\":12},\"last-failure\":null,\"failures\":0,"
	"\"publish-latency-ms\":35,\"notify-received-at\":1796633999},"
	/* behind longer than max-lag, two failures in a row */
	"{\"name\":\"late.\",\"kind\":\"secondary\",\"served\":true,\"state\":\"behind\","
	"\"serial\":2026120701,\"records\":10,\"loaded-at\":1796634000,"
	"\"primary\":\"::1@5300\",\"primary-serial\":2026120705,\"checked-at\":1796637590,"
	"\"refreshed-at\":1796636880,\"behind-since\":1796636880,\"lag\":720,\"max-lag\":600,"
	"\"next-refresh\":1796637602,\"expires-at\":1797241680,\"last-transfer\":null,"
	"\"last-failure\":{\"at\":1796637420,\"reason\":\"transfer from ::1@5300 rejected: "
	"TSIG: bad signature (BADSIG); the served copy (serial 2026120701) is kept\"},"
	"\"failures\":2,\"publish-latency-ms\":null,\"notify-received-at\":1796636880},"
	/* refreshing, a lag but max-lag off */
	"{\"name\":\"slow.\",\"kind\":\"secondary\",\"served\":true,\"state\":\"refreshing\","
	"\"serial\":5,\"records\":4,\"loaded-at\":1796630000,\"primary\":\"127.0.0.1@5300\","
	"\"primary-serial\":6,\"checked-at\":1796637599,\"refreshed-at\":1796637000,"
	"\"behind-since\":1796637570,\"lag\":30,\"max-lag\":0,\"next-refresh\":1796637600,"
	"\"expires-at\":1796640000,\"last-transfer\":null,\"last-failure\":null,\"failures\":0,"
	"\"publish-latency-ms\":null,\"notify-received-at\":null},"
	/* expired: no longer served */
	"{\"name\":\"gone.\",\"kind\":\"secondary\",\"served\":false,\"state\":\"expired\","
	"\"serial\":7,\"records\":3,\"loaded-at\":1795000000,\"primary\":null,"
	"\"primary-serial\":null,\"checked-at\":null,\"refreshed-at\":1796029200,"
	"\"behind-since\":null,\"lag\":0,\"max-lag\":600,\"next-refresh\":1796637610,"
	"\"expires-at\":1796634000,\"last-transfer\":null,"
	"\"last-failure\":{\"at\":1796637540,\"reason\":\"connect to 127.0.0.1@5300: "
	"Connection refused\"},\"failures\":51,\"publish-latency-ms\":null,"
	"\"notify-received-at\":null},"
	/* no copy yet: nearly everything null */
	"{\"name\":\"new.\",\"kind\":\"secondary\",\"served\":false,\"state\":\"no-copy\","
	"\"serial\":null,\"records\":0,\"loaded-at\":null,\"primary\":null,"
	"\"primary-serial\":null,\"checked-at\":null,\"refreshed-at\":null,"
	"\"behind-since\":null,\"lag\":0,\"max-lag\":0,\"next-refresh\":1796637605,"
	"\"expires-at\":null,\"last-transfer\":null,"
	"\"last-failure\":{\"at\":1796637595,\"reason\":\"no primary answered\"},"
	"\"failures\":3,\"publish-latency-ms\":null,\"notify-received-at\":null},"
	/* zones from files: one served, one that did not load */
	"{\"name\":\"example.\",\"kind\":\"file\",\"served\":true,\"state\":\"file\","
	"\"serial\":2026112101,\"records\":3,\"loaded-at\":1796551200},"
	"{\"name\":\"broken.\",\"kind\":\"file\",\"served\":false,\"state\":\"file\","
	"\"serial\":null,\"records\":0,\"loaded-at\":null}]}";

static const char trial_pass[] =
	"{\"ok\":true,\"zone\":\"br.\",\"primary\":\"127.0.0.1@5300\",\"verdict\":\"pass\","
	"\"serial\":2026120701,\"records\":1234,\"kind\":\"AXFR\",\"messages\":5,"
	"\"bytes\":123456,\"ms\":1234,"
	"\"tsig\":\"hmac-sha256 key xfr-key: every message verified\",\"signer\":\"br.\","
	"\"zonemd\":\"ZONEMD SIMPLE SHA-384 verified\","
	"\"dnssec\":\"validated against the trust anchor (DS 12345): 5123 RRSIGs\","
	"\"checks\":[{\"check\":\"transfer\",\"ok\":true,\"detail\":\"AXFR, 5 messages\"},"
	"{\"check\":\"soa\",\"ok\":true,\"detail\":\"serial 2026120701\"},"
	"{\"check\":\"zonemd\",\"ok\":true,\"detail\":\"SIMPLE SHA-384 verified\"},"
	"{\"check\":\"dnssec\",\"ok\":true,\"detail\":\"5123 RRSIGs valid\"},"
	"{\"check\":\"compile\",\"ok\":true,\"detail\":\"1234 records, 3 ms\"}]}";

static const char trial_fail[] =
	"{\"ok\":true,\"zone\":\"br.\",\"primary\":\"::1@5300\",\"verdict\":\"fail\","
	"\"serial\":2026120701,\"records\":1234,\"kind\":\"AXFR\",\"messages\":5,"
	"\"bytes\":123456,\"ms\":1300,\"tsig\":\"none\",\"signer\":null,"
	"\"zonemd\":\"ZONEMD SIMPLE SHA-384: digest mismatch\","
	"\"dnssec\":\"not checked: no trust anchor\","
	"\"checks\":[{\"check\":\"transfer\",\"ok\":true,\"detail\":\"AXFR, 5 messages\"},"
	"{\"check\":\"soa\",\"ok\":true,\"detail\":\"serial 2026120701\"},"
	"{\"check\":\"zonemd\",\"ok\":false,\"detail\":\"digest mismatch\"},"
	"{\"check\":\"dnssec\",\"ok\":true,\"detail\":null},"
	"{\"check\":\"compile\",\"ok\":true,\"detail\":\"1234 records\"}],"
	"\"error\":\"digest mismatch\"}";

static char *out;
static json_object *rep;

/* run fn into out; returns what fn returned */
static long capture(long (*fn)(FILE *, json_object *, json_object *), json_object *a,
		    json_object *b)
{
	size_t len;
	free(out);
	out = NULL;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	long r = fn(f, a, b);
	fclose(f);
	return r;
}

static long do_table(FILE *f, json_object *a, json_object *b)
{
	return (long)ctlzones_table(f, a);
}

static long do_detail(FILE *f, json_object *a, json_object *b)
{
	return ctlzones_detail(f, a, b);
}

static long do_trial(FILE *f, json_object *a, json_object *b)
{
	return ctlzones_trial(f, a);
}

static json_object *parse(const char *txt)
{
	json_object_put(rep);
	rep = json_tokener_parse(txt);
	assert_non_null(rep);
	return rep;
}

static void test_table(void **st)
{
	json_object *r = parse(zones_reply);
	assert_int_equal(capture(do_table, r, NULL), 4);
	assert_string_equal(out,
"ZONE      KIND       SERVED  STATE       SERIAL      PRIMARY-SERIAL  LAG    LAST-REFRESH  NEXT-REFRESH  EXPIRES   LAST-FAILURE\n"
"br.       secondary  yes     current     2026120701  2026120701      0s     12s ago       in 48s        in 6d23h  -\n"
"late.     secondary  yes     BEHIND      2026120701  2026120705      12m0s  12m0s ago     in 2s         in 6d23h  3m0s ago: transfer from ::1@5300 rejected: ...\n"
"slow.     secondary  yes     refreshing  5           6               30s    10m0s ago     now           in 40m0s  -\n"
"gone.     secondary  NO      EXPIRED     7           -               0s     7d1h ago      in 10s        1h0m ago  1m0s ago: connect to 127.0.0.1@5300: ...\n"
"new.      secondary  NO      NO-COPY     -           -               0s     -             in 5s         -         5s ago: no primary answered\n"
"example.  file       yes     file        2026112101  -               -      -             -             -         -\n"
"broken.   file       NO      FILE        -           -               -      -             -             -         -\n"
"zone late.: 720 s behind its primary (served 2026120701, primary 2026120705; max-lag 600 s)\n"
"zone gone.: expired at 2026-12-07T09:00:00Z (no refresh from a primary since "
"2026-11-30T09:00:00Z; last failure: connect to 127.0.0.1@5300: Connection refused)\n"
"zone new.: no copy to serve (no transfer from a primary has succeeded; last failure: "
"no primary answered)\n"
"zone broken.: not served: its file did not load (see raizctl status)\n");
}

static void test_detail_current(void **st)
{
	json_object *r = parse(zones_reply);
	json_object *z = ctlzones_find(r, "BR");
	assert_non_null(z);
	assert_int_equal(capture(do_detail, r, z), 0);
	assert_string_equal(out,
"zone             br.\n"
"kind             secondary\n"
"served           yes\n"
"state            current\n"
"serial           2026120701\n"
"records          1234\n"
"loaded           2026-12-07T09:00:00Z (1h0m ago)\n"
"primary          127.0.0.1@5300\n"
"primary serial   2026120701\n"
"checked          2026-12-07T09:59:48Z (12s ago)\n"
"last refresh     2026-12-07T09:59:48Z (12s ago)\n"
"behind since     -\n"
"lag              0s\n"
"max-lag          10m0s\n"
"next refresh     2026-12-07T10:00:48Z (in 48s)\n"
"expires          2026-12-14T09:59:48Z (in 6d23h)\n"
"last transfer    IXFR to serial 2026120701: 1234 records, 56789 bytes in 12 ms, "
"2026-12-07T09:00:00Z (1h0m ago)\n"
"last failure     -\n"
"failures         0\n"
"publish latency  35 ms\n"
"notify received  2026-12-07T08:59:59Z (1h0m ago)\n");
}

/* a failing zone: the full reason, and the problem as the last line */
static void test_detail_behind(void **st)
{
	json_object *r = parse(zones_reply);
	json_object *z = ctlzones_find(r, "late.");
	assert_int_equal(capture(do_detail, r, z), 1);
	assert_non_null(strstr(out, "\nlast failure     2026-12-07T09:57:00Z (3m0s ago): transfer "
			       "from ::1@5300 rejected: TSIG: bad signature (BADSIG); the served "
			       "copy (serial 2026120701) is kept\n"));
	assert_non_null(strstr(out, "\nfailures         2 in a row\n"));
	assert_non_null(strstr(out, "\nlag              12m0s\n"));
	assert_non_null(strstr(out, "\nlast transfer    -\n"));
	assert_non_null(strstr(out, "\npublish latency  -\n"));
	assert_non_null(strstr(out, "\nPROBLEM          720 s behind its primary (served "
			       "2026120701, primary 2026120705; max-lag 600 s)\n"));
}

/* null members print "-"; max-lag 0 says off */
static void test_detail_nulls(void **st)
{
	json_object *r = parse(zones_reply);
	json_object *z = ctlzones_find(r, "new");
	assert_int_equal(capture(do_detail, r, z), 1);
	assert_string_equal(out,
"zone             new.\n"
"kind             secondary\n"
"served           NO\n"
"state            no-copy\n"
"serial           -\n"
"records          0\n"
"loaded           -\n"
"primary          -\n"
"primary serial   -\n"
"checked          -\n"
"last refresh     -\n"
"behind since     -\n"
"lag              0s\n"
"max-lag          0 (off)\n"
"next refresh     2026-12-07T10:00:05Z (in 5s)\n"
"expires          -\n"
"last transfer    -\n"
"last failure     2026-12-07T09:59:55Z (5s ago): no primary answered\n"
"failures         3 in a row\n"
"publish latency  -\n"
"notify received  -\n"
"PROBLEM          no copy to serve (no transfer from a primary has succeeded; last "
"failure: no primary answered)\n");
}

/* a zone from a file has only some members: the others are left out */
static void test_detail_file(void **st)
{
	json_object *r = parse(zones_reply);
	json_object *z = ctlzones_find(r, "example.");
	assert_int_equal(capture(do_detail, r, z), 0);
	assert_string_equal(out,
"zone             example.\n"
"kind             file\n"
"served           yes\n"
"state            file\n"
"serial           2026112101\n"
"records          3\n"
"loaded           2026-12-06T10:00:00Z (1d0h ago)\n");
}

static void test_detail_expired(void **st)
{
	json_object *r = parse(zones_reply);
	json_object *z = ctlzones_find(r, "gone.");
	assert_int_equal(capture(do_detail, r, z), 1);
	assert_non_null(strstr(out, "\nexpires          2026-12-07T09:00:00Z (1h0m ago)\n"));
	assert_non_null(strstr(out, "\nfailures         51 in a row\n"));
	assert_non_null(strstr(out, "\nPROBLEM          expired at 2026-12-07T09:00:00Z (no refresh "
			       "from a primary since 2026-11-30T09:00:00Z; last failure: connect "
			       "to 127.0.0.1@5300: Connection refused)\n"));
}

/* the rule behind the exit status, state by state */
static void test_wrong(void **st)
{
	static const struct {
		const char *name;
		bool wrong;
	} cases[] = {
		{ "br.", false }, { "late.", true }, { "slow.", false }, { "gone.", true },
		{ "new.", true }, { "example.", false }, { "broken.", true },
	};
	char why[512];
	json_object *r = parse(zones_reply);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_object *z = ctlzones_find(r, cases[i].name);
		assert_non_null(z);
		assert_int_equal(ctlzones_wrong(z, why, sizeof why), cases[i].wrong);
		assert_int_equal(why[0] != '\0', cases[i].wrong);
	}
	/* expired without the times; behind, not past max-lag; a state never seen */
	r = parse("{\"zones\":[{\"name\":\"a.\",\"state\":\"expired\",\"served\":false},"
		  "{\"name\":\"b.\",\"state\":\"behind\",\"served\":true,\"lag\":600,"
		  "\"max-lag\":600},{\"name\":\"c.\",\"state\":\"weird\",\"served\":false}]}");
	assert_true(ctlzones_wrong(ctlzones_find(r, "a."), why, sizeof why));
	assert_string_equal(why, "expired (never refreshed from a primary)");
	assert_false(ctlzones_wrong(ctlzones_find(r, "b."), why, sizeof why));
	assert_string_equal(why, "");
	assert_true(ctlzones_wrong(ctlzones_find(r, "c."), why, sizeof why));
	assert_string_equal(why, "not served (state weird)");
	/* a catalog zone is never answered: that is not wrong; its member is a zone like any */
	r = parse("{\"zones\":[{\"name\":\"cat.\",\"kind\":\"secondary\",\"state\":\"current\","
		  "\"served\":false,\"catalog-members\":3},{\"name\":\"m.\",\"state\":\"no-copy\","
		  "\"served\":false,\"catalog\":\"cat.\",\"group\":null}]}");
	assert_false(ctlzones_wrong(ctlzones_find(r, "cat."), why, sizeof why));
	assert_true(ctlzones_wrong(ctlzones_find(r, "m."), why, sizeof why));
}

static void test_find(void **st)
{
	json_object *r = parse("{\"zones\":[{\"name\":\".\"},{\"name\":\"Br.\"},"
			       "{\"name\":\"com.br.\"}]}");
	assert_string_equal(json_object_get_string(json_object_object_get(
		ctlzones_find(r, "br"), "name")), "Br.");
	assert_string_equal(json_object_get_string(json_object_object_get(
		ctlzones_find(r, "COM.BR."), "name")), "com.br.");
	assert_string_equal(json_object_get_string(json_object_object_get(
		ctlzones_find(r, "."), "name")), ".");
	assert_null(ctlzones_find(r, "b"));
	assert_null(ctlzones_find(r, "br.."));
	assert_null(ctlzones_find(NULL, "br."));
}

/* no zones, or a reply of the wrong shape: one line, nothing wrong */
static void test_empty(void **st)
{
	json_object *r = parse("{\"ok\":true,\"now\":" NOW ",\"zones\":[]}");
	assert_int_equal(capture(do_table, r, NULL), 0);
	assert_string_equal(out, "raiz-dnsd has no zones\n");
	r = parse("{\"ok\":true,\"zones\":{\"br.\":1}}");
	assert_int_equal(capture(do_table, r, NULL), 0);
	assert_string_equal(out, "raiz-dnsd has no zones\n");
	/* a zone with nothing but a name */
	r = parse("{\"ok\":true,\"zones\":[{\"name\":\"x.\"}]}");
	assert_int_equal(capture(do_table, r, NULL), 1);
	assert_non_null(strstr(out, "\nx.    -     NO      -      -       -               -    -"));
	assert_non_null(strstr(out, "\nzone x.: not served (state unknown)\n"));
}

static void test_trial_pass(void **st)
{
	json_object *r = parse(trial_pass);
	assert_true(ctlzones_trial_passed(r));
	assert_int_equal(capture(do_trial, r, NULL), 1);
	assert_string_equal(out,
"transfer trial of br. from 127.0.0.1@5300: PASS\n"
"  ok    transfer  AXFR, 5 messages\n"
"  ok    soa       serial 2026120701\n"
"  ok    zonemd    SIMPLE SHA-384 verified\n"
"  ok    dnssec    5123 RRSIGs valid\n"
"  ok    compile   1234 records, 3 ms\n"
"serial    2026120701\n"
"records   1234\n"
"kind      AXFR\n"
"messages  5\n"
"bytes     123456\n"
"time      1234 ms\n"
"tsig      hmac-sha256 key xfr-key: every message verified\n"
"signer    br.\n"
"zonemd    ZONEMD SIMPLE SHA-384 verified\n"
"dnssec    validated against the trust anchor (DS 12345): 5123 RRSIGs\n");
}

static void test_trial_fail(void **st)
{
	json_object *r = parse(trial_fail);
	assert_false(ctlzones_trial_passed(r));
	assert_int_equal(capture(do_trial, r, NULL), 0);
	assert_non_null(strstr(out, "transfer trial of br. from ::1@5300: FAIL: digest mismatch\n"
			       "  ok    transfer  AXFR, 5 messages\n"));
	assert_non_null(strstr(out, "\n  FAIL  zonemd    digest mismatch\n"));
	assert_non_null(strstr(out, "\n  ok    dnssec    -\n"));
	assert_non_null(strstr(out, "\ntsig      none\nsigner    -\n"));
	/* a failed check outweighs a verdict "pass"; so does a missing verdict */
	r = parse("{\"ok\":true,\"zone\":\"x.\",\"verdict\":\"pass\",\"checks\":"
		  "[{\"check\":\"soa\",\"ok\":false,\"detail\":\"no SOA\"}]}");
	assert_false(ctlzones_trial_passed(r));
	assert_int_equal(capture(do_trial, r, NULL), 0);
	assert_non_null(strstr(out, "transfer trial of x.: FAIL: no reason given\n"
			       "  FAIL  soa    no SOA\n"));
	assert_non_null(strstr(out, "\ntime      -\n"));
	r = parse("{\"ok\":true,\"zone\":\"x.\"}");
	assert_false(ctlzones_trial_passed(r));
	assert_false(ctlzones_trial_passed(NULL));
}

static void test_duration(void **st)
{
	char b[32];
	assert_string_equal(ctlprint_duration(0, b, sizeof b), "0s");
	assert_string_equal(ctlprint_duration(-5, b, sizeof b), "0s");
	assert_string_equal(ctlprint_duration(125, b, sizeof b), "2m5s");
	assert_string_equal(ctlprint_duration(3600, b, sizeof b), "1h0m");
	assert_string_equal(ctlprint_duration(93784, b, sizeof b), "1d2h");
}

static int done(void **st)
{
	free(out);
	out = NULL;
	json_object_put(rep);
	rep = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_detail_current),
		cmocka_unit_test(test_detail_behind),
		cmocka_unit_test(test_detail_nulls),
		cmocka_unit_test(test_detail_file),
		cmocka_unit_test(test_detail_expired),
		cmocka_unit_test(test_wrong),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_trial_pass),
		cmocka_unit_test(test_trial_fail),
		cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, done);
}

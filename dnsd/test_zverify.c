/* unit tests: zverify, on zones signed at test time by ldns-keygen and
 * ldns-signzone (NSEC, and NSEC3 with opt-out) and then damaged on purpose */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dnsd/zone.h"
#include "dnsd/zverify.h"

/* names below the apex used by every zone of the tests */
static const char *COMMON =
	"$ORIGIN br.\n"
	"$TTL 3600\n"
	"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	"@ NS ns1\n"
	"@ NS ns2.example.net.\n"
	"@ MX 10 mail\n"
	"ns1 A 192.0.2.1\n"
	"www A 192.0.2.80\n"
	"www AAAA 2001:db8::80\n"
	"mail A 192.0.2.25\n"
	"a.b.ent A 192.0.2.5\n"
	"*.wild A 192.0.2.99\n"
	"*.wild TXT \"wild\"\n"
	"signed NS ns.signed\n"
	"signed DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"ns.signed A 192.0.2.53\n"
	"self NS self\n"
	"self A 192.0.2.55\n"
	"insec NS ns.example.net.\n";
/* insecure delegations (with glue, and below empty non-terminals): signed
 * with the rest in the NSEC zone, added after signing to the NSEC3 one
 * (real opt-out: they and their empty non-terminals have no NSEC3) */
static const char *INSECURE =
	"unsigned.br. 3600 IN NS ns.unsigned.br.\n"
	"ns.unsigned.br. 3600 IN A 192.0.2.54\n"
	"d.deep.unsigned2.br. 3600 IN NS ns.elsewhere.net.\n";

static char tdir[256];
static time_t now, t_inc, t_exp;
struct tkey {
	char base[64];		/* Kbr.+015+NNNNN */
	unsigned tag;
	char ds[3][512];	/* SHA-1, SHA-256, SHA-384, as "br. 3600 IN DS ..." */
	char dnskey[1024];
};
static struct tkey ksk, zsk, other;

/* ---- helpers ---- */

static char *path(const char *f)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", tdir, f);
	return p[k];
}

static int sh(const char *fmt, ...)
{
	char cmd[4096];
	int n = snprintf(cmd, sizeof cmd, "cd '%s' && ", tdir);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof cmd - (size_t)n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void write_file(const char *f, const char *a, const char *b)
{
	FILE *fp = fopen(path(f), "w");
	assert_non_null(fp);
	fputs(a, fp);
	if (b)
		fputs(b, fp);
	fclose(fp);
}

static char *rr_str(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	size_t l = strlen(s);
	while (l && (s[l - 1] == '\n' || s[l - 1] == ' '))
		s[--l] = 0;
	return s;
}

/* ldns-keygen <args> br.; fills k */
static int make_key(const char *args, struct tkey *k)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cd '%s' && ldns-keygen %s br.", tdir, args);
	FILE *p = popen(cmd, "r");
	if (!p || !fgets(k->base, sizeof k->base, p)) {
		if (p)
			pclose(p);
		return -1;
	}
	pclose(p);
	k->base[strcspn(k->base, "\n")] = 0;
	k->tag = (unsigned)strtoul(strrchr(k->base, '+') + 1, NULL, 10);

	char kf[600];
	snprintf(kf, sizeof kf, "%s/%s.key", tdir, k->base);
	FILE *f = fopen(kf, "r");
	ldns_rr *key = NULL;
	if (!f || ldns_rr_new_frm_fp(&key, f, NULL, NULL, NULL) != LDNS_STATUS_OK) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	char *s = rr_str(key);
	snprintf(k->dnskey, sizeof k->dnskey, "%s", s);
	free(s);
	const ldns_hash h[3] = { LDNS_SHA1, LDNS_SHA256, LDNS_SHA384 };
	for (int i = 0; i < 3; i++) {
		ldns_rr *ds = ldns_key_rr2ds(key, h[i]);
		s = rr_str(ds);
		snprintf(k->ds[i], sizeof k->ds[i], "%s", s);
		free(s);
		ldns_rr_free(ds);
	}
	ldns_rr_free(key);
	return 0;
}

static int sign(const char *in, const char *out, const char *opts, const char *inc, const char *exp)
{
	return sh("ldns-signzone %s -i %s -e %s -f '%s' '%s' %s %s >/dev/null", opts, inc, exp, out, in,
		  ksk.base, zsk.base);
}

/* verify file f with one anchor at time `when` */
static int verify_at(const char *f, const char *anchor, time_t when, struct zverify_report *rep,
		     char *err, size_t errlen)
{
	char lerr[512];
	struct zone *z = zone_load("br.", path(f), lerr, sizeof lerr);
	if (!z)
		fail_msg("zone_load %s: %s", f, lerr);
	const char *a[1] = { anchor };
	int rc = zverify_zone(z, a, 1, when, rep, err, errlen);
	zone_unref(z);
	return rc;
}

static int verify(const char *f, const char *anchor, struct zverify_report *rep, char *err, size_t errlen)
{
	return verify_at(f, anchor, now, rep, err, errlen);
}

/* expect failure with a reason containing every one of the strings */
static void expect_fail(const char *f, const char *anchor, time_t when, const char *s1, const char *s2)
{
	char err[1024];
	struct zverify_report rep;
	int rc = verify_at(f, anchor, when, &rep, err, sizeof err);
	print_message("%s: %s\n", f, err);
	assert_int_equal(rc, -1);
	if (!strstr(err, s1))
		fail_msg("\"%s\" not in \"%s\"", s1, err);
	if (s2 && !strstr(err, s2))
		fail_msg("\"%s\" not in \"%s\"", s2, err);
}

/* Copy src to dst line by line.  A line whose owner, type and (for
 * RRSIG) covered type match is dropped (op 'd'), gets rdata `arg` ('r'),
 * is copied to owner `arg` ('c': kept, and a copy added) or gets one
 * character of its signature changed ('s').  Returns how many lines matched. */
static int edit(const char *src, const char *dst, const char *owner, const char *type,
		const char *covered, char op, const char *arg)
{
	FILE *in = fopen(path(src), "r"), *out = fopen(path(dst), "w");
	char line[8192];
	int hits = 0;
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof line, in)) {
		char o[512] = "", ttl[32] = "", cls[16] = "", t[32] = "", cov[32] = "";
		int n = sscanf(line, "%511s %31s %15s %31s %31s", o, ttl, cls, t, cov);
		if (n < 4 || strcasecmp(o, owner) != 0 || strcmp(t, type) != 0 ||
		    (covered && strcmp(cov, covered) != 0)) {
			fputs(line, out);
			continue;
		}
		hits++;
		switch (op) {
		case 'd':
			break;
		case 'r':
			fprintf(out, "%s\t%s\t%s\t%s\t%s\n", o, ttl, cls, t, arg);
			break;
		case 'c':
			fputs(line, out);
			fprintf(out, "%s%s", arg, line + strlen(o));
			break;
		case 's': {
			/* the signature is the last field: change its 10th character */
			char *sig = strrchr(line, '\t');
			char *sp = strrchr(line, ' ');
			if (!sig || (sp && sp > sig))
				sig = sp;
			assert_non_null(sig);
			sig[10] = sig[10] == 'A' ? 'B' : 'A';
			fputs(line, out);
			break;
		}
		}
	}
	fclose(in);
	fclose(out);
	return hits;
}

static int concat(const char *src, const char *text, const char *dst);
static void append(const char *src, const char *dst, const char *text)
{
	assert_int_equal(concat(src, text, dst), 0);
}

/* RRSIG records and distinct (owner, covered type) pairs in a signed file */
static void count_sigs(const char *f, size_t *sigs, size_t *sets)
{
	char cmd[1024], buf[64];
	snprintf(cmd, sizeof cmd,
		 "awk '$4==\"RRSIG\"{n++; k[tolower($1)\" \"$5]=1} END{print n+0, length(k)}' '%s'", path(f));
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(buf, sizeof buf, p));
	pclose(p);
	assert_int_equal(sscanf(buf, "%zu %zu", sigs, sets), 2);
}

static void nsec3_hash(const char *name, char *out, size_t size)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ldns-nsec3-hash -a 1 -s abcd -t 2 %s", name);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, (int)size, p));
	pclose(p);
	out[strcspn(out, "\n")] = 0;	/* "hash." */
	strncat(out, "br.", size - strlen(out) - 1);
}

/* ---- fixtures ---- */

/* dst = src + text (no cmocka asserts: used by the group setup) */
static int concat(const char *src, const char *text, const char *dst)
{
	char buf[65536];
	size_t n;
	FILE *in = fopen(path(src), "r"), *out = fopen(path(dst), "w");
	int rc = in && out ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (rc == 0 && fputs(text, out) < 0)
		rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

static char inc_s[32], exp_s[32];

static int setup(void **state)
{
	(void)state;
	if (system("command -v ldns-signzone >/dev/null && command -v ldns-keygen >/dev/null && "
		   "command -v ldns-nsec3-hash >/dev/null") != 0) {
		fprintf(stderr, "ldns-signzone/ldns-keygen/ldns-nsec3-hash missing (Debian ldnsutils)\n");
		return -1;
	}
	snprintf(tdir, sizeof tdir, "/tmp/raiz-zverify-XXXXXX");
	if (!mkdtemp(tdir))
		return -1;
	now = time(NULL);
	t_inc = now - 86400;
	t_exp = now + 30 * 86400;
	snprintf(inc_s, sizeof inc_s, "%lld", (long long)t_inc);
	snprintf(exp_s, sizeof exp_s, "%lld", (long long)t_exp);
	if (make_key("-a ED25519 -k", &ksk) < 0 || make_key("-a ED25519", &zsk) < 0 ||
	    make_key("-a ED25519 -k", &other) < 0)
		return -1;

	write_file("nsec.zone", COMMON, INSECURE);
	write_file("nsec3.zone", COMMON, NULL);
	if (sign("nsec.zone", "nsec.signed", "", inc_s, exp_s) != 0 ||
	    sign("nsec3.zone", "nsec3.base", "-n -p -a 1 -s abcd -t 2", inc_s, exp_s) != 0 ||
	    sign("nsec3.zone", "nsec3-noopt.base", "-n -a 1 -s abcd -t 2", inc_s, exp_s) != 0 ||
	    sign("nsec.zone", "expired.signed", "", "20200101", "20200201") != 0 ||
	    sign("nsec.zone", "future.signed", "", "20400101", "20400201") != 0)
		return -1;
	if (concat("nsec3.base", INSECURE, "nsec3.signed") < 0 ||
	    concat("nsec3-noopt.base", INSECURE, "nsec3-noopt.signed") < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (tdir[0] && sh("cd / && rm -rf '%s'", tdir) != 0)
		fprintf(stderr, "cannot remove %s\n", tdir);
	return 0;
}

/* ---- passing zones ---- */

static void check_report(const struct zverify_report *rep, const char *f, const char *denial)
{
	size_t sigs, sets;
	count_sigs(f, &sigs, &sets);
	assert_string_equal(rep->signer, "br.");
	assert_string_equal(rep->denial, denial);
	assert_int_equal(rep->ksk_tag, ksk.tag);
	assert_int_equal(rep->zsk_count, 2);
	assert_int_equal(rep->earliest_expiry, (uint32_t)t_exp);
	assert_int_equal(rep->rrsigs_checked, sigs);
	assert_int_equal(rep->rrsets_checked, sets);
}

static void test_nsec_ds_anchor(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {	/* SHA-1, SHA-256, SHA-384 */
		char err[512] = "";
		struct zverify_report rep;
		int rc = verify("nsec.signed", ksk.ds[i], &rep, err, sizeof err);
		if (rc != 0)
			fail_msg("DS %s: %s", ksk.ds[i], err);
		check_report(&rep, "nsec.signed", "NSEC");
	}
}

static void test_nsec_dnskey_anchor(void **state)
{
	(void)state;
	char err[512] = "", bare[1024];
	struct zverify_report rep;
	if (verify("nsec.signed", ksk.dnskey, &rep, err, sizeof err) != 0)
		fail_msg("%s", err);
	check_report(&rep, "nsec.signed", "NSEC");
	/* TTL and class are optional: "br. DNSKEY 257 3 15 ..." */
	const char *p = strstr(ksk.dnskey, "DNSKEY");
	assert_non_null(p);
	snprintf(bare, sizeof bare, "br. %s", p);
	if (verify("nsec.signed", bare, &rep, err, sizeof err) != 0)
		fail_msg("%s: %s", bare, err);
}

static void test_nsec3_optout(void **state)
{
	(void)state;
	char err[512] = "";
	struct zverify_report rep;
	/* the delegations added after signing really have no NSEC3 */
	struct zone *z = zone_load("br.", path("nsec3.signed"), err, sizeof err);
	assert_non_null(z);
	uint8_t key[] = { 2, 'b', 'r', 8, 'u', 'n', 's', 'i', 'g', 'n', 'e', 'd' };
	int32_t i = zone_lookup(z, key, sizeof key);
	assert_true(i > 0);
	assert_true(z->nodes[i].flags & ZN_CUT);
	assert_int_equal(z->nodes[i].nsec3, -1);
	zone_unref(z);

	if (verify("nsec3.signed", ksk.ds[1], &rep, err, sizeof err) != 0)
		fail_msg("%s", err);
	check_report(&rep, "nsec3.signed", "NSEC3");
	if (verify("nsec3.signed", ksk.dnskey, &rep, err, sizeof err) != 0)
		fail_msg("%s", err);
	check_report(&rep, "nsec3.signed", "NSEC3");
}

static void test_nsec3_no_optout(void **state)
{
	(void)state;
	/* the same insecure delegations without NSEC3, but the covering NSEC3
	 * has no opt-out flag */
	expect_fail("nsec3-noopt.signed", ksk.ds[1], now, "insecure delegation unsigned.br. has no NSEC3",
		    "no opt-out flag");
}

/* ---- anchors ---- */

static void test_wrong_anchor(void **state)
{
	(void)state;
	char want[128];
	/* a key that is not in the zone */
	snprintf(want, sizeof want, "DNSKEY RRset not signed by the trust anchor's key (DS key tag %u)", other.tag);
	expect_fail("nsec.signed", other.ds[1], now, want, "no zone key");
	expect_fail("nsec3.signed", other.ds[1], now, want, NULL);
	snprintf(want, sizeof want, "DNSKEY RRset not signed by the trust anchor's key (DNSKEY key tag %u)",
		 other.tag);
	expect_fail("nsec.signed", other.dnskey, now, want, NULL);
	/* the ZSK is in the DNSKEY RRset but does not sign it */
	snprintf(want, sizeof want, "DNSKEY RRset not signed by the trust anchor's key (DS key tag %u)", zsk.tag);
	expect_fail("nsec.signed", zsk.ds[1], now, want, "no RRSIG by that key");
	/* a DS with the right key tag but a wrong digest */
	char bad[512];
	snprintf(bad, sizeof bad, "%s", ksk.ds[1]);
	char *d = bad + strlen(bad) - 1;
	*d = *d == '0' ? '1' : '0';
	expect_fail("nsec.signed", bad, now, "not signed by the trust anchor's key", NULL);
	/* another zone's anchor */
	expect_fail("nsec.signed", "pt. 3600 IN DS 1 15 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		    now, "not for the zone apex br.", NULL);
}

static void test_anchor_check(void **state)
{
	(void)state;
	char err[512];
	const char *good[] = {
		ksk.ds[0], ksk.ds[1], ksk.ds[2], ksk.dnskey,
		"br. DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"br. IN DS 12345 8 1 0123456789abcdef0123456789abcdef01234567",
		"@ DS 12345 8 1 0123456789abcdef0123456789abcdef01234567",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (zverify_anchor_check("br.", good[i], err, sizeof err) != 0)
			fail_msg("%s: %s", good[i], err);
	struct { const char *text, *why; } bad[] = {
		{ "br. A 192.0.2.1", "not a DS or DNSKEY" },
		{ "pt. DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "not for the zone apex" },
		{ "www.br. DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "not for the zone apex" },
		{ "br. DS 12345 13 3 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "digest type 3" },
		{ "br. DS 12345 13 2 0123456789abcdef", "type 2 must be 32 bytes" },
		{ "br. DS 12345 3 1 0123456789abcdef0123456789abcdef01234567", "algorithm 3" },
		{ "br. DNSKEY 0 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", "zone key flag" },
		{ "br. DNSKEY 257 2 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", "protocol other than 3" },
		{ "br. CH DS 12345 8 1 0123456789abcdef0123456789abcdef01234567", "class IN" },
		{ "br. DS twelve 13 2 00", "does not parse" },
		{ "hello world", "not a DS or DNSKEY" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = 0;
		assert_int_equal(zverify_anchor_check("br.", bad[i].text, err, sizeof err), -1);
		if (!strstr(err, bad[i].why))
			fail_msg("%s: \"%s\" not in \"%s\"", bad[i].text, bad[i].why, err);
	}
	/* zverify_zone refuses a bad anchor the same way, and no anchor at all */
	expect_fail("nsec.signed", "br. A 192.0.2.1", now, "not a DS or DNSKEY", NULL);
	struct zone *z = zone_load("br.", path("nsec.signed"), err, sizeof err);
	assert_non_null(z);
	assert_int_equal(zverify_zone(z, NULL, 0, now, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "no trust anchor"));
	zone_unref(z);
}

/* ---- damaged zones ---- */

static void test_signature_altered(void **state)
{
	(void)state;
	assert_int_equal(edit("nsec.signed", "t-sig.signed", "www.br.", "RRSIG", "A", 's', NULL), 1);
	expect_fail("t-sig.signed", ksk.ds[1], now, "RRSIG A www.br. does not validate", NULL);
	/* the anchor's own signature over the DNSKEY RRset */
	assert_int_equal(edit("nsec.signed", "t-sig2.signed", "br.", "RRSIG", "DNSKEY", 's', NULL), 1);
	expect_fail("t-sig2.signed", ksk.ds[1], now, "DNSKEY RRset not signed by the trust anchor's key",
		    "RRSIG DNSKEY br. does not validate");
	/* an NSEC3's signature */
	char h[128];
	nsec3_hash("mail.br.", h, sizeof h);
	assert_int_equal(edit("nsec3.signed", "t-sig3.signed", h, "RRSIG", "NSEC3", 's', NULL), 1);
	char want[256];
	snprintf(want, sizeof want, "RRSIG NSEC3 %s does not validate", h);
	expect_fail("t-sig3.signed", ksk.ds[1], now, want, NULL);
}

static void test_record_changed(void **state)
{
	(void)state;
	assert_int_equal(edit("nsec.signed", "t-chg.signed", "www.br.", "A", NULL, 'r', "192.0.2.81"), 1);
	expect_fail("t-chg.signed", ksk.ds[1], now, "RRSIG A www.br. does not validate", NULL);
	assert_int_equal(edit("nsec3.signed", "t-chg3.signed", "signed.br.", "DS", NULL, 'r',
			      "12345 13 2 1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), 1);
	expect_fail("t-chg3.signed", ksk.ds[1], now, "RRSIG DS signed.br. does not validate", NULL);
	/* a record removed: the NSEC still lists its type */
	assert_int_equal(edit("nsec.signed", "t-rm.signed", "www.br.", "AAAA", NULL, 'd', NULL), 1);
	expect_fail("t-rm.signed", ksk.ds[1], now, "NSEC at www.br.: type bitmap lists AAAA, but www.br. has no AAAA",
		    NULL);
}

static void test_expired(void **state)
{
	(void)state;
	expect_fail("expired.signed", ksk.ds[1], now, "expired 2020-02-01T00:00:00Z", "RRSIG DNSKEY br.");
	/* the same zone is fine on a day inside its validity */
	char err[512];
	if (verify_at("expired.signed", ksk.ds[1], 1580515200 - 86400, NULL, err, sizeof err) != 0)
		fail_msg("%s", err);
	/* a valid zone checked after its signatures expire */
	char want[64];
	struct tm tm;
	gmtime_r(&t_exp, &tm);
	strftime(want, sizeof want, "expired %Y-%m-%dT%H:%M:%SZ", &tm);
	expect_fail("nsec.signed", ksk.ds[1], t_exp + 1, want, NULL);
}

static void test_inception_future(void **state)
{
	(void)state;
	expect_fail("future.signed", ksk.ds[1], now, "not valid before 2040-01-01T00:00:00Z",
		    "inception in the future");
	/* and is fine inside its validity (2040-01-15; past 2038 on purpose) */
	char err[512];
	if (verify_at("future.signed", ksk.ds[1], (time_t)2210198400LL, NULL, err, sizeof err) != 0)
		fail_msg("%s", err);
	expect_fail("nsec.signed", ksk.ds[1], t_inc - 1, "inception in the future", NULL);
}

static void test_unsigned_rrset_added(void **state)
{
	(void)state;
	char err[512];
	append("nsec.signed", "t-add.signed", "mail.br. 3600 IN MX 10 mail.br.\n");
	assert_int_equal(verify("t-add.signed", ksk.ds[1], NULL, err, sizeof err), -1);
	assert_string_equal(err, "no RRSIG for MX mail.br.");
	/* no report and no room for the reason: still -1 */
	struct zone *z = zone_load("br.", path("t-add.signed"), err, sizeof err);
	assert_non_null(z);
	const char *a1[1] = { ksk.ds[1] };
	assert_int_equal(zverify_zone(z, a1, 1, now, NULL, NULL, 0), -1);
	zone_unref(z);
	append("nsec3.signed", "t-add3.signed", "new.br. 3600 IN TXT \"unsigned\"\n");
	assert_int_equal(verify("t-add3.signed", ksk.ds[1], NULL, err, sizeof err), -1);
	assert_string_equal(err, "no RRSIG for TXT new.br.");
	/* glue and the NS RRset of a cut need none */
	append("nsec.signed", "t-glue.signed", "ns2.signed.br. 3600 IN A 192.0.2.56\n"
					     "signed.br. 3600 IN NS ns2.signed.br.\n");
	if (verify("t-glue.signed", ksk.ds[1], NULL, err, sizeof err) != 0)
		fail_msg("%s", err);
}

static void test_nsec_removed(void **state)
{
	(void)state;
	assert_int_equal(edit("nsec.signed", "t-nsec.signed", "mail.br.", "NSEC", NULL, 'd', NULL), 1);
	expect_fail("t-nsec.signed", ksk.ds[1], now, "NSEC chain broken: mail.br. has no NSEC", NULL);
	/* a name removed with its NSEC: the previous NSEC skips nothing that exists */
	assert_int_equal(edit("nsec.signed", "t-nsec2.signed", "ns1.br.", "A", NULL, 'd', NULL), 1);
	assert_int_equal(edit("t-nsec2.signed", "t-nsec3.signed", "ns1.br.", "NSEC", NULL, 'd', NULL), 1);
	assert_int_equal(edit("t-nsec3.signed", "t-nsec4.signed", "ns1.br.", "RRSIG", NULL, 'd', NULL), 2);
	expect_fail("t-nsec4.signed", ksk.ds[1], now, "NSEC chain broken after mail.br.: next name ns1.br.",
		    "not a name of the zone");
}

static void test_nsec3_removed(void **state)
{
	(void)state;
	char h[128];
	nsec3_hash("www.br.", h, sizeof h);
	assert_int_equal(edit("nsec3.signed", "t-n3.signed", h, "NSEC3", NULL, 'd', NULL), 1);
	expect_fail("t-n3.signed", ksk.ds[1], now, "NSEC3 chain broken: www.br. has no NSEC3", NULL);
	/* the NSEC3 of an insecure delegation may be left out, but not from
	 * inside the ring */
	nsec3_hash("insec.br.", h, sizeof h);
	assert_int_equal(edit("nsec3.signed", "t-n3b.signed", h, "NSEC3", NULL, 'd', NULL), 1);
	assert_int_equal(edit("t-n3b.signed", "t-n3c.signed", h, "RRSIG", NULL, 'd', NULL), 1);
	expect_fail("t-n3c.signed", ksk.ds[1], now, "NSEC3 chain broken after", "(the hash of insec.br.)");
	/* an empty non-terminal above signed data needs its NSEC3 */
	nsec3_hash("b.ent.br.", h, sizeof h);
	assert_int_equal(edit("nsec3.signed", "t-n3d.signed", h, "NSEC3", NULL, 'd', NULL), 1);
	expect_fail("t-n3d.signed", ksk.ds[1], now, "NSEC3 chain broken: b.ent.br. has no NSEC3", NULL);
}

static void test_stray_rrsig(void **state)
{
	(void)state;
	/* a copy of an RRSIG TXT at a name without TXT (bitmap and chain intact) */
	assert_int_equal(edit("nsec.signed", "t-stray.signed", "*.wild.br.", "RRSIG", "TXT", 'c', "www.br."), 1);
	expect_fail("t-stray.signed", ksk.ds[1], now, "RRSIG TXT www.br. covers no RRset", NULL);
}

/* ---- other algorithms (one key signing everything) ---- */

static void test_algorithms(void **state)
{
	(void)state;
	static const char *const args[] = {
		"-a ECDSAP256SHA256 -k", "-a ECDSAP384SHA384 -k", "-a RSASHA256 -b 2048 -k",
		"-a RSASHA512 -b 2048 -k", "-a RSASHA1-NSEC3-SHA1 -b 2048 -k", "-a ED448 -k",
	};
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
		struct tkey k;
		char err[512] = "";
		struct zverify_report rep;
		assert_int_equal(make_key(args[i], &k), 0);
		assert_int_equal(sh("ldns-signzone %s -i %s -e %s -f alg.signed nsec.zone %s >/dev/null",
				    i % 2 ? "-n -a 1 -s abcd -t 2" : "", inc_s, exp_s, k.base), 0);
		if (verify("alg.signed", k.ds[2], &rep, err, sizeof err) != 0)
			fail_msg("%s: %s", args[i], err);
		assert_int_equal(rep.ksk_tag, k.tag);
		assert_int_equal(rep.zsk_count, 1);
		size_t sigs, sets;
		count_sigs("alg.signed", &sigs, &sets);
		assert_int_equal(rep.rrsigs_checked, sigs);
		/* a damaged signature, over a wildcard */
		assert_int_equal(edit("alg.signed", "alg-bad.signed", "*.wild.br.", "RRSIG", "TXT", 's', NULL), 1);
		print_message("%s: ", args[i]);
		expect_fail("alg-bad.signed", k.ds[1], now, "RRSIG TXT *.wild.br. does not validate", NULL);
		/* a changed record */
		assert_int_equal(edit("alg.signed", "alg-chg.signed", "*.wild.br.", "TXT", NULL, 'r', "\"wilder\""), 1);
		expect_fail("alg-chg.signed", k.ds[1], now, "RRSIG TXT *.wild.br. does not validate", NULL);
	}
	/* a zone key of an algorithm verified by ldns_verify_rrsig_time()
	 * (no cached key): a DSA ZSK beside the ED25519 KSK */
	struct tkey dsa;
	char err[512] = "";
	assert_int_equal(make_key("-a DSA -b 1024", &dsa), 0);
	assert_int_equal(sh("ldns-signzone -i %s -e %s -f dsa.signed nsec.zone %s %s >/dev/null", inc_s, exp_s,
			    ksk.base, dsa.base), 0);
	if (verify("dsa.signed", ksk.ds[1], NULL, err, sizeof err) != 0)
		fail_msg("DSA ZSK: %s", err);
	assert_int_equal(edit("dsa.signed", "dsa-bad.signed", "*.wild.br.", "RRSIG", "TXT", 's', NULL), 1);
	expect_fail("dsa-bad.signed", ksk.ds[1], now, "RRSIG TXT *.wild.br. does not validate", NULL);
}

/* ---- a bigger zone ---- */

static void test_5000_delegations(void **state)
{
	(void)state;
	FILE *fp = fopen(path("big.zone"), "w");
	assert_non_null(fp);
	fputs(COMMON, fp);
	uint32_t x = 20261121;
	for (int i = 0; i < 5000; i++) {
		x = x * 1103515245u + 12345u;
		fprintf(fp, "d%d NS ns1.d%d\nd%d NS ns.example.net.\nns1.d%d A 192.0.2.%u\n", i, i, i, i,
			1 + (x >> 16) % 254);
		if ((x >> 8) % 10 < 6)	/* 60% secure */
			fprintf(fp, "d%d DS %u 13 2 %08x%056x\n", i, (x >> 4) % 65536, x, i);
	}
	fclose(fp);
	assert_int_equal(sign("big.zone", "big.signed", "-n -p -a 1 -s abcd -t 2", inc_s, exp_s), 0);

	char err[512];
	struct zone *z = zone_load("br.", path("big.signed"), err, sizeof err);
	assert_non_null(z);
	const char *a[1] = { ksk.ds[1] };
	struct zverify_report rep;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = zverify_zone(z, a, 1, now, &rep, err, sizeof err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != 0)
		fail_msg("%s", err);
	size_t sigs, sets;
	count_sigs("big.signed", &sigs, &sets);
	assert_int_equal(rep.rrsigs_checked, sigs);
	print_message("5000 delegations: %zu records, %zu RRsets / %zu RRSIGs verified in %.3f s\n",
		      z->records, rep.rrsets_checked, rep.rrsigs_checked,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	zone_unref(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nsec_ds_anchor),
		cmocka_unit_test(test_nsec_dnskey_anchor),
		cmocka_unit_test(test_nsec3_optout),
		cmocka_unit_test(test_nsec3_no_optout),
		cmocka_unit_test(test_wrong_anchor),
		cmocka_unit_test(test_anchor_check),
		cmocka_unit_test(test_signature_altered),
		cmocka_unit_test(test_record_changed),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_inception_future),
		cmocka_unit_test(test_unsigned_rrset_added),
		cmocka_unit_test(test_nsec_removed),
		cmocka_unit_test(test_nsec3_removed),
		cmocka_unit_test(test_stray_rrsig),
		cmocka_unit_test(test_algorithms),
		cmocka_unit_test(test_5000_delegations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* unit tests for zonemd: the ZONEMD digest of compiled zones, against
 * ldns (ldns-signzone computes the digest, ldns-verify-zone confirms it) on
 * zones generated in a temporary directory at test time */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsd/zone.h"
#include "dnsd/zonemd.h"

#define SERIAL "2026120701"

/* a zone with a bit of everything the digest must get right: RRsets out
 * of canonical order in the file, names inside RDATA of several types, a
 * delegation with glue and occluded data below it, a wildcard, empty
 * non-terminals, a DNAME and a ZONEMD record below the apex */
static const char rich_zone[] =
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@ SOA ns1.example. hostmaster.example. " SERIAL " 7200 3600 1209600 300\n"
	"@ NS ns2.example.\n"
	"@ NS ns1.example.\n"
	"@ MX 20 mail2.example.\n"
	"@ MX 10 mail.example.\n"
	"@ TXT \"b\"\n"
	"@ TXT \"ab\"\n"
	"@ TXT \"a\"\n"
	/* RRsets large enough for the heap sort */
	"many A 192.0.2.15\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"many A 192.0.2.83\n"
	"many A 192.0.2.167\n"
	"many A 192.0.2.233\n"
	"many TXT \"xx\"\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxx\"\n"
	"many A 192.0.2.130\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"many TXT \"xxxxxxxxxxxxxxx\"\n"
	"many A 192.0.2.10\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"many A 192.0.2.94\n"
	"many A 192.0.2.55\n"
	"many TXT \"xxxxxx\"\n"
	"many A 192.0.2.243\n"
	"many A 192.0.2.39\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxx\"\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"many A 192.0.2.150\n"
	"many A 192.0.2.19\n"
	"many TXT \"xxxxx\"\n"
	"many TXT \"xxxx\"\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"many A 192.0.2.102\n"
	"many A 192.0.2.13\n"
	"many TXT \"xxxxxxxxxxxxxxxx\"\n"
	"many TXT \"xxxxxxxxxxxxx\"\n"
	"many A 192.0.2.23\n"
	"many A 192.0.2.108\n"
	"many A 192.0.2.211\n"
	"many A 192.0.2.25\n"
	"many TXT \"xxxxxxxx\"\n"
	"many A 192.0.2.112\n"
	"many A 192.0.2.138\n"
	"many TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n"
	"ns1 A 192.0.2.1\n"
	"ns2 A 192.0.2.2\n"
	"ns2 AAAA 2001:db8::2\n"
	"mail A 192.0.2.3\n"
	"mail2 A 192.0.2.4\n"
	"www 600 TXT \"hello world\"\n"
	"www A 192.0.2.10\n"
	"alias CNAME www.example.\n"
	"*.wild A 192.0.2.11\n"
	"_sip._tcp SRV 0 5 5060 sip.example.\n"
	"sip A 192.0.2.12\n"
	"rp RP admin.example. txt.example.\n"
	"ptr PTR www.example.\n"
	"naptr NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.\n"
	"afs AFSDB 1 afs-db.example.\n"
	"sub NS ns.sub.example.\n"
	"sub NS ns.other.test.\n"
	"sub DS 12345 15 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"ns.sub A 192.0.2.9\n"
	"deep.ns.sub A 192.0.2.99\n"
	"dname DNAME target.test.\n"
	"x.y.z A 192.0.2.20\n"
	"other ZONEMD " SERIAL " 1 1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f\n";

/* the same records again, some with other case in names (RDATA included) */
static const char dup_lines[] =
	"ns1 A 192.0.2.1\n"
	"@ NS NS1.EXAMPLE.\n"
	"@ MX 10 Mail.Example.\n"
	"WWW 600 TXT \"hello world\"\n"
	"@ TXT \"ab\"\n"
	"Sub NS ns.SUB.example.\n"
	"rp RP ADMIN.example. txt.EXAMPLE.\n";

static char dir[PATH_MAX];
static char zsk[256], ksk[256];
static bool have_tools;

/* ---- helpers ---- */

static const char *tpath(const char *name)
{
	static char buf[4][PATH_MAX + 64];
	static unsigned k;
	char *p = buf[k++ % 4];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* run argv in the test directory, stdout and stderr into the file `out`
 * there (or stdout to /dev/null); the exit status */
static int run(const char *out, const char *const argv[])
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(out ? tpath(out) : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (chdir(dir) < 0 || fd < 0 || dup2(fd, 1) < 0 || (out && dup2(fd, 2) < 0))
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void wfile(const char *name, const char *text)
{
	FILE *f = fopen(tpath(name), "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *rfile(const char *name)
{
	FILE *f = fopen(tpath(name), "r");
	assert_non_null(f);
	char *t = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&t, &len);
	assert_non_null(m);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return t;
}

static bool exists(const char *name)
{
	return access(tpath(name), F_OK) == 0;
}

/* dst = src with the first `from` replaced by `to` */
static void edit(const char *src, const char *dst, const char *from, const char *to)
{
	char *t = rfile(src);
	char *p = strstr(t, from);
	if (!p)
		fprintf(stderr, "'%s' not found in %s\n", from, src);
	assert_non_null(p);
	*p = 0;
	FILE *f = fopen(tpath(dst), "w");
	assert_non_null(f);
	fprintf(f, "%s%s%s", t, to, p + strlen(from));
	assert_int_equal(fclose(f), 0);
	free(t);
}

/* dst = src without the first line that contains `needle` */
static void drop_line(const char *src, const char *dst, const char *needle)
{
	char *t = rfile(src);
	char *p = strstr(t, needle);
	assert_non_null(p);
	char *b = p, *e = strchr(p, '\n');
	while (b > t && b[-1] != '\n')
		b--;
	*b = 0;
	FILE *f = fopen(tpath(dst), "w");
	assert_non_null(f);
	fprintf(f, "%s%s", t, e ? e + 1 : "");
	assert_int_equal(fclose(f), 0);
	free(t);
}

/* the apex ZONEMD lines of an ldns-signzone output */
static char *apex_zonemd_lines(const char *src)
{
	char *t = rfile(src), *save = NULL, *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	assert_non_null(m);
	for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "example.\t", 9) == 0 && strstr(l, "\tZONEMD\t"))
			fprintf(m, "%s\n", l);
	fclose(m);
	free(t);
	assert_true(len > 0);
	return out;
}

static void upper(char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		s[i] = (char)toupper((unsigned char)s[i]);
}

/* Rewrite ldns-signzone output (owner TAB ttl TAB class TAB type TAB
 * rdata) with owner names, the names in the RDATA of the types whose
 * names are lowercased in canonical form, and RRSIG signer names in upper
 * case.  NSEC next names and text stay as they are. */
static void mixcase(const char *src, const char *dst)
{
	static const char *const types[] = { "NS", "CNAME", "PTR", "DNAME", "MX", "SRV", "RP", "SOA",
					     "AFSDB", NULL };
	char *t = rfile(src), *save = NULL;
	FILE *f = fopen(tpath(dst), "w");
	assert_non_null(f);
	for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *fld[5];
		int n = 0;
		for (char *p = l; n < 5 && p; n++) {
			fld[n] = p;
			p = n < 4 ? strchr(p, '\t') : NULL;
			if (p)
				*p++ = 0;
		}
		if (n < 5) {
			fprintf(f, "%s\n", l);
			continue;
		}
		upper(fld[0], SIZE_MAX);
		for (int k = 0; types[k]; k++)
			if (strcmp(fld[3], types[k]) == 0)
				upper(fld[4], SIZE_MAX);
		if (strcmp(fld[3], "NAPTR") == 0)	/* the replacement */
			upper(strrchr(fld[4], ' '), SIZE_MAX);
		if (strcmp(fld[3], "RRSIG") == 0) {	/* covered alg labels ttl exp inc tag SIGNER sig */
			char *p = fld[4];
			for (int w = 0; w < 7 && p; w++)
				if ((p = strchr(p, ' ')))
					p++;
			assert_non_null(p);
			upper(p, strcspn(p, " "));
		}
		fprintf(f, "%s\t%s\t%s\t%s\t%s\n", fld[0], fld[1], fld[2], fld[3], fld[4]);
	}
	assert_int_equal(fclose(f), 0);
	free(t);
}

static void need_tools(void)
{
	if (!have_tools) {
		fprintf(stderr, "test_zonemd: ldns-keygen, ldns-signzone or ldns-verify-zone not found "
				"(Debian package ldnsutils): skipped\n");
		skip();
	}
}

/* sign `in` into `out` (NSEC, or NSEC3 with salt and 1 iteration), both
 * keys signing the DNSKEY RRset, ZONEMD SHA-384 and SHA-512 */
static void sign(const char *in, const char *out, bool nsec3)
{
	const char *a1[] = { "ldns-signzone", "-A", "-z", "1:1", "-z", "1:2", "-f", out, in, zsk, ksk, NULL };
	const char *a3[] = { "ldns-signzone", "-A", "-n", "-s", "0a1b2c", "-t", "1", "-z", "1:1", "-z",
			     "1:2", "-f", out, in, zsk, ksk, NULL };
	assert_int_equal(run(NULL, nsec3 ? a3 : a1), 0);
}

/* ZONEMD SHA-384 and SHA-512 records added to an unsigned zone by ldns */
static void digest_unsigned(const char *in, const char *out)
{
	const char *a[] = { "ldns-signzone", "-Z", "-z", "1:1", "-z", "1:2", "-f", out, in, NULL };
	assert_int_equal(run(NULL, a), 0);
}

/* ldns-verify-zone -Z: true when ldns finds a matching ZONEMD (and, for
 * a signed zone, valid signatures); its output is shown when that is not
 * what the test expects */
static bool ldns_verify(const char *file, bool expected)
{
	const char *a[] = { "ldns-verify-zone", "-Z", file, NULL };
	bool ok = run("verify.out", a) == 0;
	if (ok != expected) {
		char *t = rfile("verify.out");
		fprintf(stderr, "ldns-verify-zone -Z %s:\n%s", file, t);
		free(t);
	}
	return ok;
}

static struct zone *load(const char *name)
{
	char err[1024];
	struct zone *z = zone_load("example.", tpath(name), err, sizeof err);
	if (!z)
		fprintf(stderr, "%s\n", err);
	assert_non_null(z);
	return z;
}

static enum zonemd_status verify(const char *name, char *detail, size_t len)
{
	struct zone *z = load(name);
	enum zonemd_status s = zonemd_verify(z, detail, len);
	zone_unref(z);
	return s;
}

static void expect(const char *name, enum zonemd_status want, const char *want_detail)
{
	char detail[256];
	enum zonemd_status s = verify(name, detail, sizeof detail);
	if (s != want || (want_detail && strcmp(detail, want_detail) != 0))
		fprintf(stderr, "%s: %s \"%s\", expected %s \"%s\"\n", name, zonemd_status_name(s), detail,
			zonemd_status_name(want), want_detail ? want_detail : "");
	assert_int_equal(s, want);
	if (want_detail)
		assert_string_equal(detail, want_detail);
}

/* the digest of the apex ZONEMD record with hash `alg`, as stored */
static size_t record_digest(const struct zone *z, uint8_t alg, uint8_t *out)
{
	const struct zrrset *rs = zone_rrset(z, 0, ZONEMD_TYPE);
	assert_non_null(rs);
	const uint8_t *p = z->rdata + rs->off, *e = p + rs->len;
	while (p < e) {
		uint16_t rdlen = (uint16_t)(p[4] << 8 | p[5]);
		const uint8_t *rd = p + 6;
		if (rdlen > 6 && rd[4] == ZONEMD_SCHEME_SIMPLE && rd[5] == alg) {
			memcpy(out, rd + 6, rdlen - 6u);
			return rdlen - 6u;
		}
		p = rd + rdlen;
	}
	fail_msg("no ZONEMD record with hash %u", alg);
	return 0;
}

/* zonemd_compute() gives the digest ldns put in the zone, for both hashes */
static void expect_same_digests(const char *name)
{
	struct zone *z = load(name);
	for (uint8_t alg = 1; alg <= 2; alg++) {
		uint8_t want[ZONEMD_MAX_DIGEST], got[ZONEMD_MAX_DIGEST];
		size_t wl = record_digest(z, alg, want);
		size_t gl = zonemd_compute(z, alg, got, sizeof got);
		assert_int_equal(gl, alg == 1 ? 48 : 64);
		assert_int_equal(wl, gl);
		assert_memory_equal(got, want, gl);
	}
	zone_unref(z);
}

static void need_rich_signed(void)
{
	need_tools();
	if (exists("rich.signed"))
		return;
	wfile("rich.zone", rich_zone);
	sign("rich.zone", "rich.signed", false);
}

static void need_rich_unsigned(void)
{
	need_tools();
	if (exists("rich.zmd"))
		return;
	wfile("rich.zone", rich_zone);
	digest_unsigned("rich.zone", "rich.zmd");
}

/* ---- tests ---- */

static void test_signed_nsec(void **state)
{
	need_rich_signed();
	assert_true(ldns_verify("rich.signed", true));
	expect("rich.signed", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");
	expect_same_digests("rich.signed");

	struct zone *z = load("rich.signed");
	uint8_t md[ZONEMD_MAX_DIGEST];
	assert_int_equal(zonemd_compute(z, 3, md, sizeof md), 0);
	assert_int_equal(zonemd_compute(z, 0, md, sizeof md), 0);
	assert_int_equal(zonemd_compute(z, 1, md, 47), 0);
	assert_int_equal(zonemd_compute(z, 2, md, 63), 0);
	/* a NULL-sized detail is allowed */
	assert_int_equal(zonemd_verify(z, NULL, 0), ZONEMD_OK);
	zone_unref(z);
}

static void test_altered(void **state)
{
	need_rich_signed();
	const char *mismatch = "ZONEMD digest mismatch (SIMPLE SHA-384): the copy is altered or incomplete";

	/* one record's rdata changed after signing; ldns agrees it is broken */
	edit("rich.signed", "txt.zone", "\"hello world\"", "\"hello World\"");
	expect("txt.zone", ZONEMD_MISMATCH, mismatch);
	assert_false(ldns_verify("txt.zone", false));

	/* a record removed */
	drop_line("rich.signed", "gone.zone", "mail2.example.\t3600\tIN\tA\t");
	expect("gone.zone", ZONEMD_MISMATCH, mismatch);

	/* glue, occluded data, RRSIGs, NSEC and a ZONEMD below the apex count */
	edit("rich.signed", "glue.zone", "192.0.2.9", "192.0.2.8");
	expect("glue.zone", ZONEMD_MISMATCH, mismatch);
	drop_line("rich.signed", "occluded.zone", "deep.ns.sub.example.");
	expect("occluded.zone", ZONEMD_MISMATCH, mismatch);
	drop_line("rich.signed", "rrsig.zone", "www.example.\t600\tIN\tRRSIG\tTXT");
	expect("rrsig.zone", ZONEMD_MISMATCH, mismatch);
	drop_line("rich.signed", "nsec.zone", "mail.example.\t300\tIN\tNSEC\t");
	expect("nsec.zone", ZONEMD_MISMATCH, mismatch);
	edit("rich.signed", "other.zone", "0d0e0f101112", "0d0e0f101113");
	expect("other.zone", ZONEMD_MISMATCH, mismatch);
	/* the TTL is part of the digest */
	edit("rich.signed", "ttl.zone", "ns1.example.\t3600\tIN\tA", "ns1.example.\t3601\tIN\tA");
	expect("ttl.zone", ZONEMD_MISMATCH, mismatch);
	/* the next name of an NSEC is not lowercased (RFC 6840 section 5.1) */
	edit("rich.signed", "nsecnext.zone", "\tNSEC\tmail2.example.", "\tNSEC\tMAIL2.example.");
	expect("nsecnext.zone", ZONEMD_MISMATCH, mismatch);
}

static void test_exclusions(void **state)
{
	need_rich_signed();
	/* the apex ZONEMD RRset and its RRSIG are not in the digest */
	drop_line("rich.signed", "nosig.zone", "example.\t3600\tIN\tRRSIG\tZONEMD");
	expect("nosig.zone", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");
	edit("rich.signed", "zttl.zone", "example.\t3600\tIN\tZONEMD\t" SERIAL " 1 1",
	     "example.\t60\tIN\tZONEMD\t" SERIAL " 1 1");
	expect("zttl.zone", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");

	/* any supported record that matches is enough */
	edit("rich.signed", "bad384.zone", SERIAL " 1 1 ", SERIAL " 1 1 00");
	char *t = rfile("bad384.zone");
	/* keep the length right: drop the last two hex digits of that digest */
	char *p = strstr(t, SERIAL " 1 1 00");
	assert_non_null(p);
	p += strlen(SERIAL " 1 1 ");
	memmove(p + 96, p + 98, strlen(p + 98) + 1);
	wfile("bad384.zone", t);
	free(t);
	expect("bad384.zone", ZONEMD_OK, "ZONEMD SIMPLE SHA-512 verified (SIMPLE SHA-384 did not match)");

	edit("bad384.zone", "bad2.zone", SERIAL " 1 2 ", SERIAL " 1 2 00");
	t = rfile("bad2.zone");
	p = strstr(t, SERIAL " 1 2 00");
	assert_non_null(p);
	p += strlen(SERIAL " 1 2 ");
	memmove(p + 128, p + 130, strlen(p + 130) + 1);
	wfile("bad2.zone", t);
	free(t);
	expect("bad2.zone", ZONEMD_MISMATCH,
	       "ZONEMD digest mismatch (SIMPLE SHA-384): the copy is altered or incomplete");
}

static void test_serial(void **state)
{
	need_rich_signed();
	edit("rich.signed", "serial.zone", "hostmaster.example. " SERIAL, "hostmaster.example. 2026120702");
	expect("serial.zone", ZONEMD_MALFORMED, "ZONEMD serial 2026120701 differs from the SOA serial 2026120702");
}

static void test_unsigned(void **state)
{
	need_rich_unsigned();
	assert_true(ldns_verify("rich.zmd", true));
	expect("rich.zmd", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");
	expect_same_digests("rich.zmd");

	/* the order of the records in the file does not matter */
	static const char head[] = "$ORIGIN example.\n$TTL 3600\n";
	char *zmd = apex_zonemd_lines("rich.zmd"), *text;
	assert_memory_equal(rich_zone, head, strlen(head));
	assert_true(asprintf(&text, "%s%s%s", head, zmd, rich_zone + strlen(head)) > 0);
	free(zmd);
	wfile("order.zone", text);
	free(text);
	expect("order.zone", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");

	/* no ZONEMD at the apex (the one below it does not count) */
	wfile("rich.zone", rich_zone);
	expect("rich.zone", ZONEMD_ABSENT, "no ZONEMD record");
}

static void test_mixed_case(void **state)
{
	/* ldns digests the lowercase zone, we get it in mixed case */
	need_rich_unsigned();
	mixcase("rich.zmd", "mixed.zmd");
	char *t = rfile("mixed.zmd");
	assert_non_null(strstr(t, "SUB.EXAMPLE.\t3600\tIN\tNS\tNS.OTHER.TEST."));
	assert_non_null(strstr(t, "EXAMPLE.\t3600\tIN\tMX\t10 MAIL.EXAMPLE."));
	assert_non_null(strstr(t, "_SIP._UDP.EXAMPLE."));
	free(t);
	expect("mixed.zmd", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");
	expect_same_digests("mixed.zmd");

	/* signed: RRSIG signer names are lowercased too */
	need_rich_signed();
	mixcase("rich.signed", "mixed.signed");
	t = rfile("mixed.signed");
	assert_non_null(strstr(t, " EXAMPLE. "));
	free(t);
	expect("mixed.signed", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");
	expect_same_digests("mixed.signed");
}

static void test_duplicates(void **state)
{
	need_rich_unsigned();
	/* the records of rich.zone, some twice (names in other case) */
	char *zmd = apex_zonemd_lines("rich.zmd");
	char *text;
	assert_true(asprintf(&text, "%s%s", rich_zone, dup_lines) > 0);
	wfile("dup.zone", text);
	/* ldns counts duplicates once: same digest as without them */
	digest_unsigned("dup.zone", "dup.zmd");
	char *zmd2 = apex_zonemd_lines("dup.zmd");
	assert_string_equal(zmd, zmd2);
	free(zmd2);
	free(text);

	assert_true(asprintf(&text, "%s%s%s", rich_zone, dup_lines, zmd) > 0);
	wfile("dup2.zone", text);
	free(text);
	free(zmd);
	expect("dup2.zone", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");
}

static void test_unsupported(void **state)
{
	need_rich_unsigned();
	static const char d48[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
				  "202122232425262728292a2b2c2d2e2f";
	char *zmd = apex_zonemd_lines("rich.zmd");
	char *text;

	assert_true(asprintf(&text, "%s@ ZONEMD %s 9 7 %s\n", rich_zone, SERIAL, d48) > 0);
	wfile("u1.zone", text);
	free(text);
	expect("u1.zone", ZONEMD_UNSUPPORTED, "ZONEMD: no supported scheme/algorithm (scheme 9, hash 7)");

	assert_true(asprintf(&text, "%s@ ZONEMD %s 1 7 %s\n", rich_zone, SERIAL, d48) > 0);
	wfile("u2.zone", text);
	free(text);
	expect("u2.zone", ZONEMD_UNSUPPORTED, "ZONEMD: no supported scheme/algorithm (scheme 1, hash 7)");

	/* beside supported ones, an unknown record does not hurt */
	assert_true(asprintf(&text, "%s%s@ ZONEMD %s 9 7 %s\n", rich_zone, zmd, SERIAL, d48) > 0);
	wfile("u3.zone", text);
	free(text);
	expect("u3.zone", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");

	/* two records for the same scheme and hash fail the zone */
	assert_true(asprintf(&text, "%s%s@ ZONEMD %s 1 1 %s\n", rich_zone, zmd, SERIAL, d48) > 0);
	wfile("twice.zone", text);
	free(text);
	expect("twice.zone", ZONEMD_MALFORMED, "ZONEMD: more than one record with scheme 1, hash 1");

	/* a SHA-384 digest of the wrong length */
	assert_true(asprintf(&text, "%s@ ZONEMD %s 1 1 000102030405060708090a0b\n", rich_zone, SERIAL) > 0);
	wfile("short.zone", text);
	free(text);
	expect("short.zone", ZONEMD_MALFORMED, "ZONEMD SIMPLE SHA-384 digest has 12 octets, not 48");
	free(zmd);

	assert_string_equal(zonemd_status_name(ZONEMD_OK), "ok");
	assert_string_equal(zonemd_status_name(ZONEMD_UNSUPPORTED), "unsupported");
}

/* 5,000 signed delegations with DS and glue, NSEC3 */
static void test_big_nsec3(void **state)
{
	need_tools();
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	assert_non_null(m);
	fprintf(m, "$ORIGIN example.\n$TTL 86400\n"
		   "@ SOA ns1.example. hostmaster.example. " SERIAL " 1800 900 604800 86400\n"
		   "@ NS ns1.example.\n@ NS ns2.example.\n"
		   "ns1 A 192.0.2.1\nns2 AAAA 2001:db8::53\n");
	for (unsigned i = 0; i < 5000; i++) {
		fprintf(m, "d%u NS ns1.d%u\nd%u NS ns.provider%u.test.\nns1.d%u A 10.%u.%u.1\n", i, i, i, i % 7, i,
			i / 256, i % 256);
		fprintf(m, "d%u DS %u 13 2 ", i, 1000 + i);
		for (unsigned k = 0; k < 8; k++)
			fprintf(m, "%08x", (i + 1) * 2654435761u ^ k * 40503u);
		fprintf(m, "\n");
	}
	fclose(m);
	wfile("big.zone", text);
	free(text);
	sign("big.zone", "big.signed", true);
	assert_true(ldns_verify("big.signed", true));

	struct zone *z = load("big.signed");
	assert_true(z->has_nsec3);
	assert_true(z->records > 25000);
	zone_unref(z);
	expect("big.signed", ZONEMD_OK, "ZONEMD SIMPLE SHA-384 verified");
	expect_same_digests("big.signed");

	edit("big.signed", "big2.zone", "\tDS\t3456 13 2 ", "\tDS\t3457 13 2 ");
	expect("big2.zone", ZONEMD_MISMATCH,
	       "ZONEMD digest mismatch (SIMPLE SHA-384): the copy is altered or incomplete");
}

/* ---- setup ---- */

static int keygen(const char *extra, char *name, size_t size)
{
	const char *a1[] = { "ldns-keygen", "-a", "ED25519", "example.", NULL };
	const char *a2[] = { "ldns-keygen", "-a", "ED25519", extra, "example.", NULL };
	if (run("keygen.out", extra ? a2 : a1) != 0)
		return -1;
	FILE *f = fopen(tpath("keygen.out"), "r");
	if (!f)
		return -1;
	bool ok = fgets(name, (int)size, f) != NULL;
	fclose(f);
	name[strcspn(name, "\n")] = 0;
	return ok && name[0] ? 0 : -1;
}

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "%s/raiz-zonemd-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	have_tools = in_path("ldns-keygen") && in_path("ldns-signzone") && in_path("ldns-verify-zone");
	if (have_tools && (keygen(NULL, zsk, sizeof zsk) < 0 || keygen("-k", ksk, sizeof ksk) < 0))
		return -1;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	if (dir[0] && nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_nsec),
		cmocka_unit_test(test_altered),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_mixed_case),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_big_nsec3),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

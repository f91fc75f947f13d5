/* unit tests: stored copies of secondary zones (zstore.h): round trips to
 * an identical compiled zone, stale .tmp files, a full disk, meta files
 * that do not match, failures at every step of a save, kill -9 during
 * saves, and the file names */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsd/zone.h"
#include "dnsd/zstore.h"

/* ---- helpers ---- */

struct tctx {
	char dir[256];		/* scratch: source zone files */
	char store[300];	/* the store directory (inside dir) */
	char mnt[300];		/* tmpfs mount point, "" when none */
};

static int setup(void **state)
{
	struct tctx *t = calloc(1, sizeof *t);
	if (!t)
		return -1;
	snprintf(t->dir, sizeof t->dir, "/tmp/raiz-zstore-XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	snprintf(t->store, sizeof t->store, "%s/state/zones", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;
	char cmd[600];
	if (t->mnt[0] && umount(t->mnt) < 0)
		fprintf(stderr, "umount %s: %s\n", t->mnt, strerror(errno));
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", t->dir);
	free(t);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* load zone `name` from text written to <dir>/<fname> */
static struct zone *load_text(struct tctx *t, const char *name, const char *fname, const char *text)
{
	char path[512], err[1024];
	snprintf(path, sizeof path, "%s/%s", t->dir, fname);
	write_file(path, text);
	struct zone *z = zone_load(name, path, err, sizeof err);
	if (!z)
		fprintf(stderr, "zone_load: %s\n", err);
	assert_non_null(z);
	return z;
}

static void spath(struct tctx *t, const char *zname, const char *ext, char *out, size_t n)
{
	assert_int_equal(zstore_path(t->store, zname, ext, out, n), 0);
}

/* the two compiled zones are the same, structure and bytes */
static void assert_zone_same(const struct zone *a, const struct zone *b)
{
	assert_int_equal(a->serial, b->serial);
	assert_int_equal(a->records, b->records);
	assert_int_equal(a->soa_nx_ttl, b->soa_nx_ttl);
	assert_int_equal(a->apex_len, b->apex_len);
	assert_memory_equal(a->apex, b->apex, a->apex_len);

	/* record by record first, for a readable failure */
	struct zone_iter ia, ib;
	struct zone_rr ra, rb;
	size_t n = 0;
	zone_iter_init(&ia, a);
	zone_iter_init(&ib, b);
	for (;;) {
		bool ma = zone_iter_next(&ia, &ra), mb = zone_iter_next(&ib, &rb);
		assert_int_equal(ma, mb);
		if (!ma)
			break;
		char on[1100];
		if (dname_len(ra.owner) != dname_len(rb.owner) ||
		    memcmp(ra.owner, rb.owner, dname_len(ra.owner)) != 0 || ra.type != rb.type ||
		    ra.ttl != rb.ttl || ra.rdlen != rb.rdlen ||
		    memcmp(ra.rdata, rb.rdata, ra.rdlen) != 0)
			fprintf(stderr, "record %zu differs: %s type %u\n", n,
				dname_str(ra.owner, on, sizeof on), ra.type);
		assert_int_equal(dname_len(ra.owner), dname_len(rb.owner));
		assert_memory_equal(ra.owner, rb.owner, dname_len(ra.owner));
		assert_int_equal(ra.type, rb.type);
		assert_int_equal(ra.ttl, rb.ttl);
		assert_int_equal(ra.rdlen, rb.rdlen);
		assert_memory_equal(ra.rdata, rb.rdata, ra.rdlen);
		n++;
	}
	assert_int_equal(n, a->records);

	/* then the whole compiled structure, RRset order ranks included */
	assert_int_equal(a->nnodes, b->nnodes);
	assert_memory_equal(a->nodes, b->nodes, a->nnodes * sizeof *a->nodes);
	assert_int_equal(a->nrrsets, b->nrrsets);
	assert_memory_equal(a->rrsets, b->rrsets, a->nrrsets * sizeof *a->rrsets);
	assert_int_equal(a->rdata_len, b->rdata_len);
	assert_memory_equal(a->rdata, b->rdata, a->rdata_len);
	assert_int_equal(a->names_len, b->names_len);
	assert_memory_equal(a->names, b->names, a->names_len);
	assert_int_equal(a->has_nsec3, b->has_nsec3);
	assert_int_equal(a->nnsec3, b->nnsec3);
	if (a->nnsec3)
		assert_memory_equal(a->nsec3, b->nsec3, a->nnsec3 * sizeof *a->nsec3);
	assert_int_equal(a->n3_iter, b->n3_iter);
	assert_int_equal(a->n3_saltlen, b->n3_saltlen);
	assert_memory_equal(a->n3_salt, b->n3_salt, a->n3_saltlen);
}

static struct zstore_meta meta(uint32_t serial, int64_t t)
{
	struct zstore_meta m;
	memset(&m, 0, sizeof m);
	m.serial = serial;
	m.refreshed_at = t + 10;
	m.transferred_at = t;
	m.expire_at = t + 10 + 1209600;
	snprintf(m.primary, sizeof m.primary, "127.0.0.1@53");
	snprintf(m.kind, sizeof m.kind, "AXFR");
	return m;
}

static void assert_meta_equal(const struct zstore_meta *a, const struct zstore_meta *b)
{
	assert_int_equal(a->serial, b->serial);
	assert_int_equal(a->refreshed_at, b->refreshed_at);
	assert_int_equal(a->transferred_at, b->transferred_at);
	assert_int_equal(a->expire_at, b->expire_at);
	assert_string_equal(a->primary, b->primary);
	assert_string_equal(a->kind, b->kind);
}

/* save z, load it back, check it is identical; returns the loaded copy */
static struct zone *roundtrip(struct tctx *t, const struct zone *z, const struct zstore_meta *m)
{
	char err[1024];
	assert_int_equal(zstore_save(t->store, z, m, err, sizeof err), 0);
	assert_string_equal(err, "");
	struct zstore_meta got;
	bool missing = true;
	struct zone *c = zstore_load(t->store, z->name, &got, &missing, err, sizeof err);
	if (!c)
		fprintf(stderr, "zstore_load: %s\n", err);
	assert_non_null(c);
	assert_false(missing);
	assert_string_equal(err, "");
	assert_zone_same(z, c);
	assert_meta_equal(&got, m);
	return c;
}

/* a small zone with a serial and n extra A records */
static struct zone *small_zone(struct tctx *t, const char *name, uint32_t serial, unsigned n)
{
	size_t cap = 256 + (size_t)n * 64;
	char *text = malloc(cap), fname[64];
	assert_non_null(text);
	size_t k = (size_t)snprintf(text, cap, "$ORIGIN %s\n$TTL 300\n@ SOA ns h %u 2 3 4 5\n@ NS ns\n"
				    "ns A 192.0.2.1\n", name, serial);
	for (unsigned i = 0; i < n; i++)
		k += (size_t)snprintf(text + k, cap - k, "host-%06u A 192.0.%u.%u\n", i, (i >> 8) & 255,
				      i & 255);
	snprintf(fname, sizeof fname, "src-%u-%u.zone", serial, n);
	struct zone *z = load_text(t, name, fname, text);
	free(text);
	return z;
}

static size_t count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- file names ---- */

static void test_path(void **state)
{
	char out[512];
	assert_int_equal(zstore_path("/s", ".", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/root.zone");
	assert_int_equal(zstore_path("/s", "br.", "meta", out, sizeof out), 0);
	assert_string_equal(out, "/s/br.meta");
	assert_int_equal(zstore_path("/s", "br", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/br.zone");
	assert_int_equal(zstore_path("/s", "Example.COM.", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/example.com.zone");
	assert_int_equal(zstore_path("/s", "xn--p1ai.", NULL, out, sizeof out), 0);
	assert_string_equal(out, "/s/xn--p1ai");
	assert_int_equal(zstore_path("/s", "_tcp.a-b.", "zone.tmp", out, sizeof out), 0);
	assert_string_equal(out, "/s/_tcp.a-b.zone.tmp");
	/* a dot inside a label is not a label separator */
	assert_int_equal(zstore_path("/s", "a\\.b.example.", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/a%2Eb.example.zone");
	/* odd bytes, '%' and '/' */
	assert_int_equal(zstore_path("/s", "\\000.x\\032y.\\255%/.", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/%00.x%20y.%FF%25%2F.zone");
	assert_int_equal(zstore_path("/s", "\\065B.", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/ab.zone");
	/* a zone named "root." does not take the root zone's files */
	assert_int_equal(zstore_path("/s", "root.", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/%72oot.zone");
	assert_int_equal(zstore_path("/s", "ROOT", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/%72oot.zone");
	assert_int_equal(zstore_path("/s", "root.br.", "zone", out, sizeof out), 0);
	assert_string_equal(out, "/s/root.br.zone");

	/* errors */
	assert_int_equal(zstore_path("/s", "", "zone", out, sizeof out), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(zstore_path("/s", "a..b.", "zone", out, sizeof out), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(zstore_path("", "br.", "zone", out, sizeof out), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(zstore_path("/s", "br.", "zone", out, 8), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	/* 80 escaped bytes: 240 characters, too long for a file name with
	 * ".meta.tmp" */
	char lng[400];
	size_t k = 0;
	for (int i = 0; i < 80; i++) {
		if (i && i % 40 == 0)
			lng[k++] = '.';
		k += (size_t)snprintf(lng + k, sizeof lng - k, "\\001");
	}
	lng[k++] = '.';
	lng[k] = 0;
	assert_int_equal(zstore_path("/s", lng, "zone", out, sizeof out), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

/* ---- round trips ---- */

#define B64SIG "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
#define SIG(type, labels) \
	" RRSIG " type " 15 " labels " 3600 20300101000000 20200101000000 12345 example. " B64SIG "\n"

static const char *MANY_TYPES =
	"; every kind of record the store must write back\n"
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@ SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n"
	"@" SIG("SOA", "1")
	"@ NS ns1\n"
	"@ NS ns2.example.net.\n"
	"@" SIG("NS", "1")
	"@ DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n"
	"@ NSEC3PARAM 1 0 10 aabbccdd\n"
	"@ 86400 TXT \"v=spf1 -all\"\n"
	"@ CAA 0 issue \"ca.example; account=\\\"x\\\"\"\n"
	"@ MX 10 mail\n"
	"@ ZONEMD 2024010101 1 1 c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3a1ddc0b9a87153b9a9713b3c9ae5cc27777f98b8e730044c\n"
	"ns1 A 192.0.2.1\n"
	"ns1 AAAA 2001:db8::1\n"
	/* types out of type order: the ANY ranks must survive */
	"multi TXT \"first\"\n"
	"multi AAAA 2001:db8::5\n"
	"multi 60 A 192.0.2.5\n"
	"multi A 192.0.2.4\n"
	"multi" SIG("A", "2")
	"multi TXT \"second\"\n"
	"multi" SIG("TXT", "2")
	"www TXT \"quote\\\"d\" \"back\\\\slash\" \"semi;colon\" \"paren(s)\" \"\\255\\000bin\" \"\" "
	"\"tab\\009nl\\010cr\\013\" \"  spaces  \"\n"
	"www A 192.0.2.2\n"
	"www A 192.0.2.3\n"
	"semi TXT \"a;b\" ; a real comment\n"
	"paren TXT \"close)only\" \"open(only\" \"$dollar\"\n"
	"paren MX 10 we\\(ird\\;na\\\"me\\$.example.\n"
	"sub NS ns.sub\n"
	"sub NS ns.elsewhere.example.net.\n"
	"sub DS 12345 15 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"sub" SIG("DS", "2")
	"ns.sub A 192.0.2.10\n"
	"insecure NS ns.example.net.\n"
	"*.wild A 192.0.2.4\n"
	"*.wild TXT \"wildcard\"\n"
	"a\\.b TXT \"dot in label\"\n"
	"\\000 A 192.0.2.5\n"
	"\\$dollar A 192.0.2.6\n"
	"\\@at\\;semi\\(par\\)\\\"q\\\\b\\ sp A 192.0.2.7\n"
	"x\\*y.\\* A 192.0.2.8\n"
	"Mixed.Case A 192.0.2.9\n"
	"mixed-rdata CNAME Www.Example.\n"
	"svc HTTPS 1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.1 ech=AAAA\n"
	"svc SVCB 0 www\n"
	"svc2 SVCB 1 . mandatory=alpn alpn=h2 key65000=abc\n"
	"x TYPE65000 \\# 4 01020304\n"
	"x TYPE1234 \\# 3 abcdef\n"
	"x TYPE65001 \\# 0\n"
	"apl APL\n"
	"nsec NSEC a.example. A NS RRSIG NSEC TYPE65000\n"
	"nsec" SIG("NSEC", "2")
	"2t7b4g4vsa5smi47k61mv5bv1a22bojr NSEC3 1 1 10 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG\n"
	"2t7b4g4vsa5smi47k61mv5bv1a22bojr" SIG("NSEC3", "2")
	"2vptu5timamqttgl4luu9kg21e0aor3s NSEC3 1 0 10 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr\n"
	"dname DNAME example.net.\n"
	"loc LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\n"
	"_sip._tcp SRV 0 5 5060 www\n"
	"naptr NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .\n"
	"sshfp SSHFP 4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"tlsa._443._tcp TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"hinfo HINFO \"PC\" \"Linux\"\n"
	"ptr PTR www\n"
	"a.b.c.ent A 192.0.2.11\n";

static void test_roundtrip_many_types(void **state)
{
	struct tctx *t = *state;
	struct zone *z = load_text(t, "example.", "many.zone", MANY_TYPES);
	struct zstore_meta m = meta(z->serial, 1700000000);
	struct zone *c = roundtrip(t, z, &m);

	/* the file: a header, then one record per line, absolute owners */
	char path[512];
	spath(t, "example.", "zone", path, sizeof path);
	const char *text = read_file(path);
	assert_non_null(strstr(text, "; raiz-dnsd stored copy of zone example."));
	assert_non_null(strstr(text, "; serial 2024010101 from 127.0.0.1@53 by AXFR, written 20"));
	size_t lines = 0, comments = 0;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		assert_non_null(e);
		if (*p == ';') {
			comments++;
		} else {
			lines++;
			assert_true(*p != ' ' && *p != '\t' && *p != '$');
			/* the owner ends with '.' */
			const char *tab = memchr(p, '\t', (size_t)(e - p));
			assert_non_null(tab);
			assert_int_equal(tab[-1], '.');
		}
		p = e + 1;
	}
	assert_int_equal(lines, z->records);
	assert_int_equal(comments, 3);
	/* generic types stay generic, ldns-known ones are readable */
	assert_non_null(strstr(text, "TYPE65000\t\\# 4 01020304"));
	assert_non_null(strstr(text, "\tHTTPS\t1 . alpn=h2,h3"));
	assert_non_null(strstr(text, "\\036dollar.example.\t"));
	/* nothing left behind, files not world-readable */
	assert_int_equal(count_tmp(t->store), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(stat(t->store, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);

	/* a second save over the first one, of the copy: same bytes */
	zone_unref(c);
	c = roundtrip(t, z, &m);
	zone_unref(c);
	zone_unref(z);
}

/* the differential test's signed zones: "." with NSEC and ZONEMD,
 * "example." with NSEC3 opt-out */
static void test_roundtrip_signed(void **state)
{
	struct tctx *t = *state;
	char cmd[1024];
	if (access("tests/lib/zonegen.py", R_OK) != 0 || access("/usr/bin/python3", X_OK) != 0 ||
	    system("command -v ldns-signzone >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skipped: needs tests/lib/zonegen.py (run from the repository root), "
			"/usr/bin/python3 and ldns-signzone\n");
		skip();
	}
	snprintf(cmd, sizeof cmd,
		 "/usr/bin/python3 -c 'import sys; sys.path.insert(0, \"tests/lib\"); import zonegen; "
		 "zonegen.build_all(\"%s\", ntld=300)' >/dev/null", t->dir);
	assert_int_equal(system(cmd), 0);

	const char *names[2] = { ".", "example." };
	const char *files[2] = { "root.zone.signed", "example.zone.signed" };
	for (int i = 0; i < 2; i++) {
		char path[512], err[1024];
		snprintf(path, sizeof path, "%s/%s", t->dir, files[i]);
		struct zone *z = zone_load(names[i], path, err, sizeof err);
		if (!z)
			fprintf(stderr, "%s\n", err);
		assert_non_null(z);
		assert_true(z->records > 1000);
		struct zstore_meta m = meta(z->serial, 1700000000 + i);
		snprintf(m.kind, sizeof m.kind, "IXFR");
		struct zone *c = roundtrip(t, z, &m);
		zone_unref(c);
		zone_unref(z);
	}
	char path[512];
	spath(t, ".", "zone", path, sizeof path);
	assert_true(exists(path));
}

/* ---- crashes ---- */

static void test_stale_tmp(void **state)
{
	struct tctx *t = *state;
	char err[1024], ztmp[512], mtmp[512];
	struct zone *z1 = small_zone(t, "br.", 1, 3);
	struct zone *z2 = small_zone(t, "br.", 2, 5);
	struct zstore_meta m1 = meta(1, 1000), m2 = meta(2, 2000), got;
	struct zone *c = roundtrip(t, z1, &m1);
	zone_unref(c);

	/* a crash in the middle of the next save left these */
	spath(t, "br.", "zone.tmp", ztmp, sizeof ztmp);
	spath(t, "br.", "meta.tmp", mtmp, sizeof mtmp);
	write_file(ztmp, "br. 300 IN SOA ns h 2 2 3 4 5\nbr. 300 IN NS ns.\ngarbage garbage (\n");
	write_file(mtmp, "{\"zone\": \"br.\", \"serial\": 2, \"refr");

	bool missing = true;
	c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_false(missing);
	assert_string_equal(err, "");
	assert_zone_same(z1, c);
	assert_meta_equal(&got, &m1);
	zone_unref(c);

	/* the next save replaces them */
	c = roundtrip(t, z2, &m2);
	zone_unref(c);
	assert_false(exists(ztmp));
	assert_false(exists(mtmp));

	/* a stale tmp that is a symlink is replaced, not followed */
	char victim[512];
	snprintf(victim, sizeof victim, "%s/victim", t->dir);
	write_file(victim, "keep me\n");
	assert_int_equal(symlink(victim, ztmp), 0);
	c = roundtrip(t, z1, &m1);
	zone_unref(c);
	assert_string_equal(read_file(victim), "keep me\n");
	assert_false(exists(ztmp));

	zone_unref(z1);
	zone_unref(z2);
}

/* kill -9 a process that saves two versions in turn, at varied moments:
 * what is stored always loads, as one of the two versions, and its meta
 * either matches or is flagged for a refresh */
#define ROUNDS 16
static void test_kill9(void **state)
{
	struct tctx *t = *state;
	struct zone *za = small_zone(t, "kill.", 10, 400);
	struct zone *zb = small_zone(t, "kill.", 11, 100);
	struct zstore_meta ma = meta(10, 1000), mb = meta(11, 2000);
	char err[1024];
	assert_int_equal(zstore_save(t->store, za, &ma, err, sizeof err), 0);

	int mismatches = 0, midwrite = 0;
	for (int round = 0; round < ROUNDS; round++) {
		int p[2];
		assert_int_equal(pipe(p), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char e[1024];
			close(p[0]);
			for (unsigned i = 0;; i++) {
				const struct zone *z = i % 2 ? za : zb;
				if (zstore_save(t->store, z, i % 2 ? &ma : &mb, e, sizeof e) < 0)
					_exit(3);
				if (write(p[1], "x", 1) != 1)
					_exit(4);
			}
		}
		close(p[1]);
		/* let it finish (round % 3) saves, then a varied amount of work
		 * into the next one */
		char c;
		for (int k = 0; k <= round % 3; k++)
			assert_int_equal(read(p[0], &c, 1), 1);
		volatile unsigned long spin = 0;
		for (unsigned long k = 0; k < (unsigned long)round * 100000ul; k++)
			spin += k;
		kill(pid, SIGKILL);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		close(p[0]);
		/* killed, not failed */
		assert_true(WIFSIGNALED(status));

		if (count_tmp(t->store))
			midwrite++;
		struct zstore_meta got;
		bool missing = true;
		struct zone *z = zstore_load(t->store, "kill.", &got, &missing, err, sizeof err);
		if (!z)
			fprintf(stderr, "round %d: %s\n", round, err);
		assert_non_null(z);
		assert_true(z->serial == 10 || z->serial == 11);
		assert_zone_same(z->serial == 10 ? za : zb, z);
		assert_int_equal(got.serial, z->serial);
		if (err[0]) {
			/* between the two renames */
			mismatches++;
			assert_int_equal(got.refreshed_at, 0);
			assert_int_equal(got.expire_at, 0);
		} else {
			assert_meta_equal(&got, z->serial == 10 ? &ma : &mb);
		}
		zone_unref(z);
	}
	fprintf(stderr, "kill -9: %d rounds, %d killed while a .tmp was open, %d between the renames\n",
		ROUNDS, midwrite, mismatches);
	zone_unref(za);
	zone_unref(zb);
}

/* ---- a full disk ---- */

static void test_full_disk(void **state)
{
	struct tctx *t = *state;
	char err[1024], mnt[300];
	snprintf(mnt, sizeof mnt, "%s/small", t->dir);
	assert_int_equal(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k,mode=0700") < 0) {
		fprintf(stderr, "skipped: cannot mount a 64k tmpfs on %s: %s (needs root)\n", mnt,
			strerror(errno));
		skip();
	}
	snprintf(t->mnt, sizeof t->mnt, "%s", mnt);
	char store[400];
	snprintf(store, sizeof store, "%s/zones", mnt);

	struct zone *small = small_zone(t, "br.", 1, 5);
	struct zone *big = small_zone(t, "br.", 2, 5000);	/* ~150 KiB of text */
	struct zstore_meta m1 = meta(1, 1000), m2 = meta(2, 2000), got;
	assert_int_equal(zstore_save(store, small, &m1, err, sizeof err), 0);

	assert_int_equal(zstore_save(store, big, &m2, err, sizeof err), -1);
	fprintf(stderr, "full disk: %s\n", err);
	assert_non_null(strstr(err, "No space left on device"));
	assert_non_null(strstr(err, "br.zone.tmp"));
	assert_non_null(strstr(err, "the previous copy (serial 1) is kept"));
	assert_int_equal(count_tmp(store), 0);

	bool missing = true;
	struct zone *c = zstore_load(store, "br.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_string_equal(err, "");
	assert_zone_same(small, c);
	assert_meta_equal(&got, &m1);
	zone_unref(c);

	/* the disk full to the last byte: the meta alone cannot be written
	 * either, and the old one stays */
	char filler[450];
	snprintf(filler, sizeof filler, "%s/filler", mnt);
	FILE *f = fopen(filler, "w");
	assert_non_null(f);
	char block[4096];
	memset(block, 'x', sizeof block);
	while (fwrite(block, 1, sizeof block, f) == sizeof block)
		;
	fclose(f);
	struct zstore_meta m1b = m1;
	m1b.refreshed_at = 5000;
	m1b.expire_at = 6000;
	int r = zstore_save_meta(store, "br.", &m1b, err, sizeof err);
	if (r == 0)
		fprintf(stderr, "meta write fitted in a full tmpfs\n");
	assert_int_equal(r, -1);
	assert_non_null(strstr(err, "No space left on device"));
	assert_non_null(strstr(err, "the previous metadata is kept"));
	assert_int_equal(count_tmp(store), 0);
	c = zstore_load(store, "br.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_meta_equal(&got, &m1);
	zone_unref(c);

	/* room again: it works */
	assert_int_equal(unlink(filler), 0);
	assert_int_equal(zstore_save_meta(store, "br.", &m1b, err, sizeof err), 0);
	c = zstore_load(store, "br.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_meta_equal(&got, &m1b);
	zone_unref(c);

	zone_unref(small);
	zone_unref(big);
}

/* ---- meta that does not fit the zone ---- */

static void test_meta_mismatch(void **state)
{
	struct tctx *t = *state;
	char err[1024], mpath[512], zpath[512], saved[4096];
	struct zone *z1 = small_zone(t, "example.", 1, 1);
	struct zone *z2 = small_zone(t, "example.", 2, 2);
	struct zstore_meta m1 = meta(1, 1000), m2 = meta(2, 2000), got;
	assert_int_equal(zstore_save(t->store, z1, &m1, err, sizeof err), 0);
	spath(t, "example.", "meta", mpath, sizeof mpath);
	spath(t, "example.", "zone", zpath, sizeof zpath);
	snprintf(saved, sizeof saved, "%s", read_file(mpath));
	assert_non_null(strstr(saved, "\"serial\":1"));

	/* a crash between the renames: the new zone with the old meta */
	assert_int_equal(zstore_save(t->store, z2, &m2, err, sizeof err), 0);
	write_file(mpath, saved);
	struct stat st;
	assert_int_equal(stat(zpath, &st), 0);
	bool missing = true;
	struct zone *c = zstore_load(t->store, "example.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_false(missing);
	assert_int_equal(c->serial, 2);
	assert_int_equal(got.serial, 2);
	assert_int_equal(got.refreshed_at, 0);
	assert_int_equal(got.expire_at, 0);
	assert_int_equal(got.transferred_at, (int64_t)st.st_mtime);
	assert_non_null(strstr(err, "serial 1 there, the stored zone has 2"));
	assert_non_null(strstr(err, "needs a refresh now"));
	assert_non_null(strstr(err, mpath));
	zone_unref(c);

	/* missing, garbage, wrong types, another zone's */
	const char *bad[] = {
		NULL,
		"not json",
		"[1, 2]",
		"{\"zone\": \"example.\", \"serial\": \"2\", \"refreshed_at\": 1, "
		"\"transferred_at\": 1, \"expire_at\": 1}",
		"{\"zone\": \"example.\", \"serial\": 4294967296, \"refreshed_at\": 1, "
		"\"transferred_at\": 1, \"expire_at\": 1}",
		"{\"zone\": \"example.\", \"serial\": 2, \"transferred_at\": 1, \"expire_at\": 1}",
		"{\"zone\": \"other.\", \"serial\": 2, \"refreshed_at\": 1, "
		"\"transferred_at\": 1, \"expire_at\": 1}",
	};
	const char *why[] = { "missing", "not a JSON object", "not a JSON object",
			      "not integers", "not integers", "not integers",
			      "not the meta of this zone" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (bad[i])
			write_file(mpath, bad[i]);
		else
			unlink(mpath);
		c = zstore_load(t->store, "example.", &got, &missing, err, sizeof err);
		assert_non_null(c);
		if (!strstr(err, why[i]))
			fprintf(stderr, "meta %zu: %s\n", i, err);
		assert_non_null(strstr(err, why[i]));
		assert_int_equal(got.serial, 2);
		assert_int_equal(got.refreshed_at, 0);
		assert_int_equal(got.expire_at, 0);
		zone_unref(c);
	}
	/* a hand-written meta with the right serial and case is used */
	write_file(mpath, "{\"zone\": \"EXAMPLE\", \"serial\": 2, \"refreshed_at\": 7, "
		   "\"transferred_at\": 6, \"expire_at\": 8, \"primary\": \"192.0.2.53@5300\"}");
	c = zstore_load(t->store, "example.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_string_equal(err, "");
	assert_int_equal(got.refreshed_at, 7);
	assert_int_equal(got.transferred_at, 6);
	assert_int_equal(got.expire_at, 8);
	assert_string_equal(got.primary, "192.0.2.53@5300");
	assert_string_equal(got.kind, "");
	zone_unref(c);

	/* save_meta alone */
	struct zstore_meta m3 = m2;
	m3.refreshed_at = 3000;
	m3.expire_at = 4000;
	assert_int_equal(zstore_save_meta(t->store, "example.", &m3, err, sizeof err), 0);
	c = zstore_load(t->store, "example.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_string_equal(err, "");
	assert_zone_same(z2, c);
	assert_meta_equal(&got, &m3);
	zone_unref(c);

	zone_unref(z1);
	zone_unref(z2);
}

/* ---- no copy, a broken copy, removal ---- */

static void test_missing(void **state)
{
	struct tctx *t = *state;
	char err[1024], path[512];
	struct zstore_meta got;
	bool missing = false;

	/* the directory itself does not exist yet */
	struct zone *c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_null(c);
	assert_true(missing);
	spath(t, "br.", "zone", path, sizeof path);
	assert_non_null(strstr(err, "no stored copy"));
	assert_non_null(strstr(err, path));

	/* another zone's copy is not this one's */
	struct zone *z = small_zone(t, "br.", 7, 1);
	struct zstore_meta m = meta(7, 1000);
	zone_unref(roundtrip(t, z, &m));
	missing = false;
	c = zstore_load(t->store, "other.", &got, &missing, err, sizeof err);
	assert_null(c);
	assert_true(missing);
	assert_non_null(strstr(err, "no stored copy"));
	/* a meta file without its zone is no copy either */
	char mpath[512];
	spath(t, "br.", "zone", path, sizeof path);
	assert_int_equal(unlink(path), 0);
	spath(t, "br.", "meta", mpath, sizeof mpath);
	assert_true(exists(mpath));
	missing = false;
	c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_null(c);
	assert_true(missing);
	zone_unref(z);
}

static void test_broken_copy(void **state)
{
	struct tctx *t = *state;
	char err[1024], zpath[512], mpath[512];
	struct zstore_meta got;
	bool missing = true;
	struct zone *z = small_zone(t, "br.", 7, 1);
	struct zstore_meta m = meta(7, 1000);
	zone_unref(roundtrip(t, z, &m));
	spath(t, "br.", "zone", zpath, sizeof zpath);
	spath(t, "br.", "meta", mpath, sizeof mpath);

	/* a stored copy that does not load: the load error, not "missing" */
	write_file(zpath, "br. 300 IN SOA ns h 7 2 3 4 5\nbr. 300 IN A 999.1.1.1\n");
	struct zone *c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_null(c);
	assert_false(missing);
	assert_non_null(strstr(err, zpath));
	assert_non_null(strstr(err, ":2:"));

	/* removal: both files and any tmp; twice is fine */
	char ztmp[512];
	spath(t, "br.", "zone.tmp", ztmp, sizeof ztmp);
	write_file(ztmp, "x");
	assert_int_equal(zstore_remove(t->store, "br."), 0);
	assert_false(exists(zpath));
	assert_false(exists(mpath));
	assert_false(exists(ztmp));
	assert_int_equal(zstore_remove(t->store, "br."), 0);
	c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_null(c);
	assert_true(missing);
	zone_unref(z);
}

/* ---- failures at each step of a save ---- */

static void test_save_failures(void **state)
{
	struct tctx *t = *state;
	char err[1024], zpath[512], mpath[512], ztmp[512], mtmp[512], sub[600];
	struct zone *z1 = small_zone(t, "br.", 1, 1);
	struct zone *z2 = small_zone(t, "br.", 2, 2);
	struct zstore_meta m1 = meta(1, 1000), m2 = meta(2, 2000), got;
	bool missing;
	spath(t, "br.", "zone", zpath, sizeof zpath);
	spath(t, "br.", "meta", mpath, sizeof mpath);
	spath(t, "br.", "zone.tmp", ztmp, sizeof ztmp);
	spath(t, "br.", "meta.tmp", mtmp, sizeof mtmp);

	/* no previous copy, and the zone's tmp cannot be created */
	char state_dir[400];
	snprintf(state_dir, sizeof state_dir, "%s/state", t->dir);
	assert_int_equal(mkdir(state_dir, 0750), 0);
	assert_int_equal(mkdir(t->store, 0750), 0);
	assert_int_equal(mkdir(ztmp, 0700), 0);
	snprintf(sub, sizeof sub, "%s/x", ztmp);
	write_file(sub, "x");	/* a non-empty directory in the way */
	assert_int_equal(zstore_save(t->store, z1, &m1, err, sizeof err), -1);
	assert_non_null(strstr(err, "writing "));
	assert_non_null(strstr(err, ztmp));
	assert_non_null(strstr(err, "there is no previous copy"));
	assert_false(exists(zpath));
	unlink(sub);
	rmdir(ztmp);

	zone_unref(roundtrip(t, z1, &m1));

	/* the meta's tmp cannot be created: the zone's tmp (complete) is
	 * removed and nothing is renamed */
	assert_int_equal(mkdir(mtmp, 0700), 0);
	snprintf(sub, sizeof sub, "%s/x", mtmp);
	write_file(sub, "x");
	assert_int_equal(zstore_save(t->store, z2, &m2, err, sizeof err), -1);
	assert_non_null(strstr(err, mtmp));
	assert_non_null(strstr(err, "the previous copy (serial 1) is kept"));
	assert_false(exists(ztmp));
	struct zone *c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_string_equal(err, "");
	assert_zone_same(z1, c);
	assert_meta_equal(&got, &m1);
	zone_unref(c);
	/* save_meta fails the same way */
	assert_int_equal(zstore_save_meta(t->store, "br.", &m2, err, sizeof err), -1);
	assert_non_null(strstr(err, "the previous metadata is kept"));
	unlink(sub);
	rmdir(mtmp);

	/* the meta cannot be renamed into place: the zone is new, the meta
	 * old, which the next load treats as needing a refresh */
	assert_int_equal(unlink(mpath), 0);
	assert_int_equal(mkdir(mpath, 0700), 0);
	snprintf(sub, sizeof sub, "%s/x", mpath);
	write_file(sub, "x");
	assert_int_equal(zstore_save(t->store, z2, &m2, err, sizeof err), -1);
	assert_non_null(strstr(err, "renaming to"));
	assert_non_null(strstr(err, "will be refreshed at the next start"));
	assert_int_equal(count_tmp(t->store), 0);
	c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_zone_same(z2, c);
	assert_int_equal(got.serial, 2);
	assert_int_equal(got.refreshed_at, 0);
	assert_non_null(strstr(err, "not a meta file"));
	zone_unref(c);
	unlink(sub);
	rmdir(mpath);

	/* the store directory is a file */
	char notdir[512];
	snprintf(notdir, sizeof notdir, "%s/plainfile", t->dir);
	write_file(notdir, "x");
	assert_int_equal(zstore_save(notdir, z1, &m1, err, sizeof err), -1);
	assert_non_null(strstr(err, "creating "));
	assert_non_null(strstr(err, "Not a directory"));

	/* a record no text form can carry (an unknown type with more rdata
	 * than ldns reads back in \# form): refused, previous copy kept */
	zone_unref(roundtrip(t, z1, &m1));
	char *text = malloc(70000);
	assert_non_null(text);
	size_t k = (size_t)snprintf(text, 70000, "$ORIGIN br.\n@ 300 SOA ns h 3 2 3 4 5\n@ 300 NS ns\n"
				    "big 300 TXT");
	for (int i = 0; i < 160; i++)
		k += (size_t)snprintf(text + k, 70000 - k, " \"%0250d\"", i);
	snprintf(text + k, 70000 - k, "\n");
	struct zone *z3 = load_text(t, "br.", "big.zone", text);
	free(text);
	for (size_t i = 0; i < z3->nrrsets; i++)
		if (z3->rrsets[i].type == 16)
			z3->rrsets[i].type = 65000;
	struct zstore_meta m3 = meta(3, 3000);
	assert_int_equal(zstore_save(t->store, z3, &m3, err, sizeof err), -1);
	fprintf(stderr, "unwritable record: %s\n", err);
	assert_non_null(strstr(err, "record big.br. TYPE65000 (40160 bytes of rdata) cannot be "
				    "written as text that loads back"));
	assert_non_null(strstr(err, "the previous copy (serial 1) is kept"));
	assert_int_equal(count_tmp(t->store), 0);
	c = zstore_load(t->store, "br.", &got, &missing, err, sizeof err);
	assert_non_null(c);
	assert_zone_same(z1, c);
	zone_unref(c);
	zone_unref(z3);

	zone_unref(z1);
	zone_unref(z2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test_setup_teardown(test_roundtrip_many_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_tmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_failures, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

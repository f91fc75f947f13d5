/* unit tests: zone loading checks, $INCLUDE, and zone set reloads (keeping
 * the previous version of a broken zone, sharing unchanged ones) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "dnsd/test_engine_util.h"
#include "dnsd/zone.h"

#define HEAD "$ORIGIN example.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n"

static void expect_fail(const char *text, const char *needle)
{
	char err[1024];
	char *f = strdup(tfile("bad.zone", text));
	struct zone *z = zone_load("example.", f, err, sizeof err);
	if (z || !strstr(err, needle))
		fprintf(stderr, "expected failure with '%s', got '%s'\n", needle, z ? "(loaded)" : err);
	assert_null(z);
	assert_non_null(strstr(err, needle));
	/* the message names the file */
	assert_non_null(strstr(err, f));
	free(f);
}

static void test_checks(void **state)
{
	expect_fail(HEAD "www CNAME x\nwww A 192.0.2.2\n", "bad.zone:7: CNAME beside other data");
	expect_fail(HEAD "www CNAME x\nwww CNAME y\n", "more than one CNAME");
	expect_fail("$ORIGIN example.\n@ 300 NS ns1\n", "no SOA");
	expect_fail("$ORIGIN example.\n@ 300 SOA ns1 h 1 2 3 4 5\n", "no NS");
	expect_fail(HEAD "@ SOA ns2 h 2 2 3 4 5\n", "more than one SOA");
	expect_fail(HEAD "x SOA ns2 h 2 2 3 4 5\n", "SOA record not at the zone apex");
	expect_fail(HEAD "www A 999.1.1.1\n", "bad.zone:6:");
	expect_fail(HEAD "$INCLUDE nothere.zone\n", "bad.zone:6: $INCLUDE");
	expect_fail(HEAD "$TTL x\n", "bad.zone:6: bad $TTL");
	expect_fail(HEAD "$FOO\n", "bad.zone:6: unknown");
	expect_fail(HEAD "x TYPE5 \\# 3 05616263\n", "bad.zone:6: ");
}

static void test_ok(void **state)
{
	char err[1024];
	char *f = strdup(tfile("ok.zone", HEAD
			       "www CNAME x\nwww RRSIG A 8 2 300 20300101000000 20200101000000 1 example. AAAA\n"
			       "www.example.org. A 192.0.2.9\n"
			       "dup A 192.0.2.3\ndup A 192.0.2.3\n"
			       "$INCLUDE inc.zone\n"
			       "$INCLUDE inc2.zone sub.example.\n"
			       "after A 192.0.2.6\n"
			       "$TTL 1h ; comment\n"
			       "$ORIGIN sub2\n"
			       "foo A 192.0.2.8\n"));
	tfile("inc.zone", "inc A 192.0.2.4\n");
	tfile("inc2.zone", "@ A 192.0.2.5\nx A 192.0.2.7\n");
	struct zone *z = zone_load("example.", f, err, sizeof err);
	if (!z)
		fprintf(stderr, "%s\n", err);
	assert_non_null(z);
	assert_int_equal(z->serial, 1);
	/* SOA NS A CNAME RRSIG dup inc sub x.sub after foo.sub2 (out-of-zone
	 * dropped, dup merged) */
	assert_int_equal(z->records, 11);
	uint8_t key[DNAME_MAX];
	bool exact;
	size_t kl = dname_key((const uint8_t *)"\001x\003sub\007example", key);
	zone_find(z, key, kl, &exact);
	assert_true(exact);
	kl = dname_key((const uint8_t *)"\005after\007example", key);
	zone_find(z, key, kl, &exact);
	assert_true(exact);
	kl = dname_key((const uint8_t *)"\003foo\004sub2\007example", key);
	int32_t i = zone_lookup(z, key, kl);
	assert_true(i >= 0);
	const struct zrrset *rs = zone_rrset(z, i, 1);
	assert_non_null(rs);
	assert_memory_equal(z->rdata + rs->off, "\0\0\016\020", 4);	/* TTL 3600 */
	zone_unref(z);
	free(f);
}

static void touch_later(const char *path)
{
	struct timeval tv[2];
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec += 10;
	tv[1] = tv[0];
	utimes(path, tv);
}

static void test_reload(void **state)
{
	char *f = strdup(tfile("re.zone", HEAD "www A 192.0.2.80\n"));
	const char *names[2] = { "example.", "other." };
	char *g = strdup(tfile("other.zone", "$ORIGIN other.\n@ 300 SOA ns h 9 2 3 4 5\n@ 300 NS ns\n"));
	const char *files[2] = { f, g };
	struct raiz_config *cfg = tcfg(2, names, files);
	uint8_t key[DNAME_MAX];
	size_t kl = dname_key((const uint8_t *)"\007example", key);
	size_t kl2;
	uint8_t key2[DNAME_MAX];
	kl2 = dname_key((const uint8_t *)"\005other", key2);

	struct zoneset *a = zoneset_build(cfg, NULL);
	assert_int_equal(zoneset_count(a), 2);
	const struct zone *za = zoneset_find(a, key, kl);
	assert_non_null(za);

	/* unchanged: shared */
	struct zoneset *b = zoneset_build(cfg, a);
	assert_ptr_equal(zoneset_find(b, key, kl), za);
	assert_ptr_equal(zoneset_find(b, key2, kl2), zoneset_find(a, key2, kl2));

	/* broken: the previous version stays, with the error reported */
	tfile("re.zone", HEAD "www CNAME x\nwww A 192.0.2.80\n");
	touch_later(f);
	struct zoneset *c = zoneset_build(cfg, b);
	struct zoneset_info zi;
	zoneset_info(c, 0, &zi);
	assert_true(zi.loaded);
	assert_int_equal(zi.serial, 1);
	assert_non_null(zi.error);
	assert_ptr_equal(zoneset_find(c, key, kl), za);
	ldns_pkt *p = tquery(c, "www.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);

	/* fixed with a new serial: reloaded */
	tfile("re.zone", "$ORIGIN example.\n$TTL 300\n@ SOA ns1 h 2 2 3 4 5\n@ NS ns1\n");
	touch_later(f);
	touch_later(f);
	struct zoneset *d = zoneset_build(cfg, c);
	zoneset_info(d, 0, &zi);
	assert_true(zi.loaded);
	assert_int_equal(zi.serial, 2);
	assert_null(zi.error);

	/* broken without a previous version: not served, REFUSED */
	struct zoneset *e = zoneset_build(cfg, NULL);
	zoneset_info(e, 0, &zi);
	assert_true(zi.loaded);
	tfile("re.zone", "garbage\n");
	touch_later(f);
	struct zoneset *e2 = zoneset_build(cfg, NULL);
	zoneset_info(e2, 0, &zi);
	assert_false(zi.loaded);
	assert_non_null(zi.error);
	p = tquery(e2, "www.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ldns_pkt_free(p);

	zoneset_free(a);
	zoneset_free(b);
	zoneset_free(c);
	zoneset_free(d);
	zoneset_free(e);
	zoneset_free(e2);
	tcfg_free(cfg);
	free(f);
	free(g);
}

static void test_reload_include(void **state)
{
	char *f = strdup(tfile("top.zone", HEAD "$INCLUDE part.zone\n"));
	char *g = strdup(tfile("part.zone", "p A 192.0.2.1\n"));
	const char *names[1] = { "example." };
	const char *files[1] = { f };
	struct raiz_config *cfg = tcfg(1, names, files);
	uint8_t key[DNAME_MAX];
	size_t kl = dname_key((const uint8_t *)"\007example", key);
	struct zoneset *a = zoneset_build(cfg, NULL);
	struct zoneset *b = zoneset_build(cfg, a);
	assert_ptr_equal(zoneset_find(a, key, kl), zoneset_find(b, key, kl));
	/* only the included file changes: reloaded */
	tfile("part.zone", "p A 192.0.2.1\nq A 192.0.2.2\n");
	touch_later(g);
	struct zoneset *c = zoneset_build(cfg, b);
	assert_ptr_not_equal(zoneset_find(c, key, kl), zoneset_find(b, key, kl));
	ldns_pkt *p = tquery(c, "q.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	zoneset_free(a);
	zoneset_free(b);
	zoneset_free(c);
	tcfg_free(cfg);
	free(f);
	free(g);
}

static void test_parent_child(void **state)
{
	/* parent and child zones both served: DS from the parent, the rest
	 * from the child */
	char *f = strdup(tfile("p.zone", HEAD "sub NS ns.sub\nsub DS 1 13 2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\nns.sub A 192.0.2.9\n"));
	char *g = strdup(tfile("c.zone", "$ORIGIN sub.example.\n$TTL 60\n@ SOA ns h 5 2 3 4 5\n@ NS ns\nns A 192.0.2.9\nwww A 192.0.2.10\n"));
	const char *names[2] = { "example.", "sub.example." };
	const char *files[2] = { f, g };
	struct raiz_config *cfg = tcfg(2, names, files);
	struct zoneset *zs = zoneset_build(cfg, NULL);
	ldns_pkt *p = tquery(zs, "sub.example.", LDNS_RR_TYPE_DS, 0, 0);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_ANSWER, "sub.example.", LDNS_RR_TYPE_DS), 1);
	ldns_pkt_free(p);
	p = tquery(zs, "www.sub.example.", LDNS_RR_TYPE_A, 0, 0);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	p = tquery(zs, "sub.example.", LDNS_RR_TYPE_SOA, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	zoneset_free(zs);
	tcfg_free(cfg);
	free(f);
	free(g);
}

static void test_root_zone(void **state)
{
	/* the root zone, with many delegations: load and lookups */
	size_t cap = 1 << 20;
	char *text = malloc(cap);
	size_t n = (size_t)snprintf(text, cap, "$TTL 86400\n. SOA a.root. n. 1 2 3 4 5\n. NS a.root.\na.root. A 192.0.2.1\n");
	for (int i = 0; i < 1500; i++)
		n += (size_t)snprintf(text + n, cap - n, "tld%d. NS ns.tld%d.\nns.tld%d. A 192.0.2.%d\n", i, i, i, i % 250);
	char *f = strdup(tfile("root.zone", text));
	free(text);
	const char *names[1] = { "." };
	const char *files[1] = { f };
	struct raiz_config *cfg = tcfg(1, names, files);
	struct zoneset *zs = zoneset_build(cfg, NULL);
	ldns_pkt *p = tquery(zs, "www.tld777.", LDNS_RR_TYPE_A, 0, 0);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(tcount(p, LDNS_SECTION_AUTHORITY, "tld777.", LDNS_RR_TYPE_NS), 1);
	assert_int_equal(tcount(p, LDNS_SECTION_ADDITIONAL, "ns.tld777.", LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(p);
	p = tquery(zs, "nosuchtld.", LDNS_RR_TYPE_A, 0, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	p = tquery(zs, ".", LDNS_RR_TYPE_SOA, 0, 0);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	zoneset_free(zs);
	tcfg_free(cfg);
	free(f);
}

/* the lengths of the key of name and of its ancestors below the apex,
 * the deepest ZONE_PF_KEYS: what zone_pf_start() must pick */
static unsigned pf_expect(const uint8_t *key, size_t kl, size_t apex_kl, uint8_t *lens)
{
	unsigned n = 0;
	for (size_t o = 0; o <= kl; o = o < kl ? o + key[o] + 1 : kl + 1)
		if (o > apex_kl)
			lens[n++ % ZONE_PF_KEYS] = (uint8_t)o;
	return n;
}

static void test_prefetch(void **state)
{
	/* warming a batch's lookups (zone_pf_*): the candidates are the
	 * name and its deepest ancestors below the apex, and the slots found
	 * hold the nodes zone_lookup() finds */
	enum { DELEGS = 33000 };
	size_t cap = (size_t)DELEGS * 80 + 256;
	char *text = malloc(cap);
	size_t len = (size_t)snprintf(text, cap, "%s", HEAD);
	for (int i = 0; i < DELEGS; i++)
		len += (size_t)snprintf(text + len, cap - len, "d%d NS ns.d%d\nns.d%d A 192.0.2.%d\n", i, i, i,
					i % 250);
	len += (size_t)snprintf(text + len, cap - len, "a.b.c.d.e.f NS ns1\n");
	struct zoneset *zs = tzs1("example.", text);
	free(text);
	uint8_t key[DNAME_MAX];
	size_t kl;
	assert_int_equal(zoneset_name_key("example.", key, &kl), 0);
	const struct zone *z = zoneset_find(zs, key, kl);
	assert_non_null(z);
	assert_true(zone_pf_worth(z));          /* 66,000 nodes and more */
	assert_true(zoneset_warm(zs));

	const char *names[] = { "example.", "d17.example.", "www.d17.example.", "ns.d17.example.",
				"x.y.ns.d17.example.", "a.b.c.d.e.f.example.", "1.2.3.a.b.c.d.e.f.example.",
				"nope.example.", "d32999.example.", "www.example.org." };
	unsigned found = 0, existing = 0;
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof names / sizeof *names + (round ? 2000 : 0); i++) {
			char nm[64];
			const char *name = i < sizeof names / sizeof *names ? names[i] : nm;
			snprintf(nm, sizeof nm, "%s.d%zu.example.", i % 2 ? "ns" : "www", i * 13 % DELEGS);
			struct zone_pf pf;
			twarm(zs, name, LDNS_RR_TYPE_A, 0, &pf);
			assert_int_equal(zoneset_name_key(name, key, &kl), 0);
			if (strstr(name, "example.org")) {
				assert_null(pf.z);          /* not ours: nothing warmed */
				assert_int_equal(pf.n, 0);
				continue;
			}
			assert_ptr_equal(pf.z, z);
			uint8_t lens[ZONE_PF_KEYS];
			unsigned want = pf_expect(key, kl, z->apex_keylen, lens);
			assert_int_equal(pf.n, want < ZONE_PF_KEYS ? want : ZONE_PF_KEYS);
			for (unsigned k = 0; k < pf.n; k++) {
				assert_int_equal(pf.len[k], lens[k]);
				int32_t node = zone_lookup(z, key, pf.len[k]);
				if (node < 0)
					continue;
				existing++;
				/* linear probing: the node is in its first slot
				 * unless another key took that one first */
				found += pf.node[k] == (uint32_t)node + 1;
			}
		}
	assert_true(existing > 2000);
	assert_true(found * 10 >= existing * 8);  /* load factor <= 0.5 */

	/* malformed packets and responses warm nothing and read nothing past their end */
	struct zone_pf pf[3];
	uint8_t bad[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'a' };
	uint8_t resp[] = { 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 };   /* QR */
	const uint8_t *pkts[3] = { bad, bad, resp };
	size_t lens[3] = { sizeof bad, 5, sizeof resp };
	query_warm(zs, pf, pkts, lens, 3);
	assert_null(pf[0].z);
	assert_null(pf[1].z);
	assert_null(pf[2].z);
	zoneset_free(zs);

	/* a small zone is not worth it */
	zs = tzs1("example.", HEAD "www A 192.0.2.2\n");
	assert_false(zoneset_warm(zs));
	zoneset_free(zs);
}

static uint32_t rs = 777;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

/* mutated zone files: loading fails cleanly or the zone answers */
static void test_fuzz_zone(void **state)
{
	static const char *base = HEAD
		"www A 192.0.2.80\nwww AAAA 2001:db8::80\n*.w CNAME www\nd DNAME www\n"
		"sub NS ns.sub\nns.sub A 192.0.2.9\nmx MX 10 www\nc CNAME c2\nc2 CNAME c\n";
	static const char alpha[] = " \t\n.;()*\\\"$@0123456789abcAZ-";
	static const char *qn[] = { "www.example.", "x.w.example.", "a.d.example.", "h.sub.example.",
				    "c.example.", "mx.example.", "example.", "nx.example." };
	char text[1024];
	char err[512];
	int loaded = 0;
	for (int i = 0; i < 1000; i++) {
		size_t n = strlen(base);
		memcpy(text, base, n + 1);
		unsigned muts = 1 + rnd() % 4;
		for (unsigned m = 0; m < muts; m++) {
			size_t at = rnd() % n;
			if (rnd() % 2)
				text[at] = alpha[rnd() % (sizeof alpha - 1)];
			else if (n + 1 < sizeof text) {
				memmove(text + at + 1, text + at, n - at + 1);
				text[at] = alpha[rnd() % (sizeof alpha - 1)];
				n++;
			}
		}
		char *f = strdup(tfile("fz.zone", text));
		struct zone *z = zone_load("example.", f, err, sizeof err);
		if (z) {
			loaded++;
			const char *names[1] = { "example." };
			const char *files[1] = { f };
			struct raiz_config *cfg = tcfg(1, names, files);
			struct zoneset *zs = zoneset_build(cfg, NULL);
			for (unsigned k = 0; k < 8; k++) {
				ldns_pkt *p = tquery(zs, qn[k], (ldns_rr_type)(1 + rnd() % 50),
						     (int)(rnd() % 2 ? TQ_DO : 0), 0);
				assert_non_null(p);
				ldns_pkt_free(p);
			}
			zoneset_free(zs);
			tcfg_free(cfg);
			zone_unref(z);
		} else {
			assert_true(err[0] != 0);
		}
		free(f);
	}
	/* the mutations must leave a fair share loadable, or this tests nothing */
	assert_true(loaded > 100 && loaded < 1000);
}

static int teardown(void **state)
{
	tdir_remove();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_reload_include),
		cmocka_unit_test(test_parent_child),
		cmocka_unit_test(test_root_zone),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_fuzz_zone),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}

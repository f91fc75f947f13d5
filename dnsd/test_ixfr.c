/* unit tests: IXFR differences applied to a compiled zone (ixfr.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ldns/ldns.h>

#include "dnsd/ixfr.h"
#include "dnsd/test_engine_util.h"
#include "dnsd/xfrin.h"
#include "dnsd/zone.h"
#include "dnsd/zsplice.h"

#define SOA(n) "example. 300 IN SOA ns1.example. h.example. " #n " 2 3 4 5"
#define HEAD "$ORIGIN example.\n$TTL 300\n" SOA(1) "\n@ NS ns1\nns1 A 192.0.2.1\n" \
	     "www A 192.0.2.2\nwww A 192.0.2.3\nmail MX 10 mx.example.\nsub NS ns.sub\nns.sub A 192.0.2.9\n"

static struct zone *old_zone(void)
{
	char err[1024];
	struct zone *z = zone_load("example.", tfile("ixfr.zone", HEAD), err, sizeof err);
	if (!z)
		fprintf(stderr, "%s\n", err);
	assert_non_null(z);
	return z;
}

static ldns_rr *rr(const char *text)
{
	ldns_rr *r = NULL;
	assert_int_equal(ldns_rr_new_frm_str(&r, text, 300, NULL, NULL), LDNS_STATUS_OK);
	return r;
}

/* a delta from `from` to `to`: records separated by '|' */
static void delta(struct xfrin_delta *d, uint32_t from, uint32_t to, const char *del,
		  const char *add)
{
	char buf[200];
	memset(d, 0, sizeof *d);
	d->from = from;
	d->to = to;
	d->del = ldns_rr_list_new();
	d->add = ldns_rr_list_new();
	for (int k = 0; k < 2; k++) {
		const char *s = k ? add : del;
		while (s && *s) {
			size_t n = strcspn(s, "|");
			snprintf(buf, sizeof buf, "%.*s", (int)n, s);
			ldns_rr_list_push_rr(k ? d->add : d->del, rr(buf));
			s += n + (s[n] == '|');
		}
	}
	snprintf(buf, sizeof buf, "example. 300 IN SOA ns1.example. h.example. %u 2 3 4 5", to);
	d->soa = rr(buf);
}

static void deltas_free(struct xfrin_delta *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ldns_rr_list_deep_free(d[i].del);
		ldns_rr_list_deep_free(d[i].add);
		ldns_rr_free(d[i].soa);
	}
}

/* an error past its "source:N: " (N counts records of a different list
 * in a rebuild and in a splice) */
static const char *reason(const char *err)
{
	const char *p = strstr(err, "IXFR from test:");
	if (p != err)
		return err;
	p += strlen("IXFR from test:");
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == ':' ? p + 1 : err;
}

/* ixfr_apply() both ways, a splice (zsplice.h) and a rebuild: both fail
 * alike (the same error) or give the same zone; the splice's is returned */
static struct zone *apply_both(const struct zone *z, const struct xfrin_delta *d, size_t n,
			       struct ixfr_stats *st, char *err, size_t errlen)
{
	char err2[1024], why[512];
	struct ixfr_stats st2;
	ixfr_how = IXFR_REBUILD;
	struct zone *r = ixfr_apply(z, d, n, "IXFR from test", &st2, err2, sizeof err2);
	ixfr_how = IXFR_SPLICE;
	struct zone *s = ixfr_apply(z, d, n, "IXFR from test", st, err, errlen);
	ixfr_how = IXFR_AUTO;
	if ((r == NULL) != (s == NULL) || (!r && strcmp(reason(err), reason(err2)) != 0))
		fail_msg("rebuild: %s; splice: %s", r ? "ok" : err2, s ? "ok" : err);
	if (r) {
		assert_false(st2.spliced);
		assert_true(st->spliced);
		assert_int_equal(st->added, st2.added);
		assert_int_equal(st->deleted, st2.deleted);
		if (!zsplice_same(s, r, why, sizeof why))
			fail_msg("splice and rebuild differ: %s", why);
		assert_int_equal(r->dead, 0);
	}
	zone_unref(r);
	return s;
}

/* does the zone hold this record (owner, type, rdata as text)? */
static bool has(const struct zone *z, const char *text)
{
	ldns_rr *want = rr(text);
	struct zone_iter it;
	struct zone_rr r;
	bool found = false;
	zone_iter_init(&it, z);
	while (!found && zone_iter_next(&it, &r)) {
		ldns_rdf *o = ldns_rr_owner(want);
		if (r.type != ldns_rr_get_type(want) || ldns_rdf_size(o) != dname_len(r.owner) ||
		    strncasecmp((const char *)ldns_rdf_data(o), (const char *)r.owner,
				ldns_rdf_size(o)) != 0)
			continue;
		uint8_t rd[1024];
		size_t n = 0;
		for (size_t i = 0; i < ldns_rr_rd_count(want); i++) {
			ldns_rdf *f = ldns_rr_rdf(want, i);
			memcpy(rd + n, ldns_rdf_data(f), ldns_rdf_size(f));
			n += ldns_rdf_size(f);
		}
		found = n == r.rdlen && memcmp(rd, r.rdata, n) == 0;
		if (found && ldns_rr_ttl(want) != r.ttl)
			found = false;
	}
	ldns_rr_free(want);
	return found;
}

static void test_apply(void **state)
{
	struct zone *z = old_zone();
	struct xfrin_delta d[2];
	struct ixfr_stats st;
	char err[1024];
	delta(&d[0], 1, 2, "www.example. 300 IN A 192.0.2.2",
	      "www.example. 300 IN A 192.0.2.4|new.example. 300 IN TXT \"hello\"");
	delta(&d[1], 2, 3, "new.example. 300 IN TXT \"hello\"|mail.example. 300 IN MX 10 mx.example.",
	      "mail.example. 600 IN MX 10 mx.example.|x.sub.example. 300 IN A 192.0.2.10");
	struct zone *n = apply_both(z, d, 2, &st, err, sizeof err);
	if (!n)
		fprintf(stderr, "%s\n", err);
	assert_non_null(n);
	assert_int_equal(n->serial, 3);
	assert_false(has(n, "www.example. 300 IN A 192.0.2.2"));
	assert_true(has(n, "www.example. 300 IN A 192.0.2.3"));
	assert_true(has(n, "www.example. 300 IN A 192.0.2.4"));
	/* added in one delta, deleted in the next: gone */
	assert_false(has(n, "new.example. 300 IN TXT \"hello\""));
	/* deleted and re-added with another TTL: the new TTL */
	assert_true(has(n, "mail.example. 600 IN MX 10 mx.example."));
	assert_true(has(n, "x.sub.example. 300 IN A 192.0.2.10"));
	assert_true(has(n, SOA(3)));
	assert_false(has(n, SOA(1)));
	assert_int_equal(n->records, z->records + 1);
	/* the old copy is untouched */
	assert_int_equal(z->serial, 1);
	assert_true(has(z, "www.example. 300 IN A 192.0.2.2"));
	zone_unref(n);
	deltas_free(d, 2);
	zone_unref(z);
}

/* the IXFR result is the same compiled zone as the equivalent file */
static void test_same_as_file(void **state)
{
	struct zone *z = old_zone();
	struct xfrin_delta d[1];
	struct ixfr_stats st;
	char err[1024];
	delta(&d[0], 1, 2, "www.example. 300 IN A 192.0.2.2|ns.sub.example. 300 IN A 192.0.2.9",
	      "a.example. 300 IN A 192.0.2.50|zz.example. 300 IN TXT \"last\"|"
	      "example. 300 IN TXT \"apex\"|ns.sub.example. 300 IN A 192.0.2.10|"
	      "deep.er.example. 300 IN AAAA 2001:db8::1");
	struct zone *n = apply_both(z, d, 1, &st, err, sizeof err);
	assert_non_null(n);
	assert_int_equal(st.added, 5);
	assert_int_equal(st.deleted, 2);
	struct zone *f = zone_load("example.", tfile("expect.zone",
		"$ORIGIN example.\n$TTL 300\n" SOA(2) "\n@ NS ns1\nns1 A 192.0.2.1\n"
		"www A 192.0.2.3\nmail MX 10 mx.example.\nsub NS ns.sub\nns.sub A 192.0.2.10\n"
		"a A 192.0.2.50\nzz TXT \"last\"\n@ TXT \"apex\"\ndeep.er AAAA 2001:db8::1\n"),
		err, sizeof err);
	assert_non_null(f);
	assert_int_equal(n->nnodes, f->nnodes);
	assert_int_equal(n->records, f->records);
	struct zone_iter a, b;
	struct zone_rr ra, rb;
	zone_iter_init(&a, n);
	zone_iter_init(&b, f);
	size_t cnt = 0;
	while (zone_iter_next(&a, &ra)) {
		assert_true(zone_iter_next(&b, &rb));
		assert_true(dname_equal(ra.owner, rb.owner));
		assert_int_equal(ra.type, rb.type);
		assert_int_equal(ra.ttl, rb.ttl);
		assert_int_equal(ra.rdlen, rb.rdlen);
		assert_memory_equal(ra.rdata, rb.rdata, ra.rdlen);
		cnt++;
	}
	assert_false(zone_iter_next(&b, &rb));
	assert_int_equal(cnt, f->records);
	/* lookups work on the merged copy (hash table, parents, delegations) */
	uint8_t key[DNAME_MAX];
	bool exact;
	size_t kl = dname_key((const uint8_t *)"\x04" "deep\x02" "er\x07" "example", key);
	int32_t i = zone_closest(n, key, kl, &exact);
	assert_true(exact);
	assert_non_null(zone_rrset(n, i, 28));
	zone_unref(f);
	zone_unref(n);
	deltas_free(d, 1);
	zone_unref(z);
}

static void test_errors(void **state)
{
	struct zone *z = old_zone();
	struct xfrin_delta d[2];
	struct ixfr_stats st;
	char err[1024];

	delta(&d[0], 1, 2, "www.example. 300 IN A 192.0.2.99", NULL);
	assert_null(apply_both(z, d, 1, &st, err, sizeof err));
	assert_non_null(strstr(err, "does not hold"));
	assert_non_null(strstr(err, "192.0.2.99"));
	deltas_free(d, 1);

	delta(&d[0], 7, 8, NULL, "www.example. 300 IN A 192.0.2.4");
	assert_null(apply_both(z, d, 1, &st, err, sizeof err));
	assert_non_null(strstr(err, "start at serial 7, the copy has 1"));
	deltas_free(d, 1);

	delta(&d[0], 1, 2, "www.example. 300 IN A 192.0.2.2", NULL);
	delta(&d[1], 2, 3, "www.example. 300 IN A 192.0.2.2", NULL);
	assert_null(apply_both(z, d, 2, &st, err, sizeof err));
	assert_non_null(strstr(err, "which is not there"));
	deltas_free(d, 2);

	/* a result that breaks the zone's rules is refused like a bad file */
	delta(&d[0], 1, 2, NULL, "www.example. 300 IN CNAME other.example.");
	assert_null(apply_both(z, d, 1, &st, err, sizeof err));
	assert_non_null(strstr(err, "CNAME beside other data"));
	deltas_free(d, 1);
	zone_unref(z);
}

/* ---- random changes, spliced and rebuilt ---- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

/* a name of 1-3 labels from a small alphabet (so that changes meet
 * existing owners, their parents and children), sometimes a wildcard */
static void rnd_name(char *buf, size_t len)
{
	static const char *lab[] = { "a", "b", "c", "d", "e", "f", "g", "h", "Mx", "*" };
	unsigned depth = 1 + rnd(3);
	buf[0] = 0;
	for (unsigned i = 0; i < depth; i++) {
		const char *l = lab[rnd(i == 0 ? 10 : 9)];
		size_t u = strlen(buf);
		snprintf(buf + u, len - u, "%s.", l);
	}
	size_t u = strlen(buf);
	snprintf(buf + u, len - u, "example.");
}

/* the NSEC3 owner for name (or any name), SHA-1, 0 iterations, no salt */
static void nsec3_owner(char *buf, size_t len, const char *name)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	ldns_rdf *h = ldns_nsec3_hash_name(n, 1, 0, 0, NULL);
	char *t = ldns_rdf2str(h);
	size_t tl = strlen(t);
	if (tl && t[tl - 1] == '.')
		t[tl - 1] = 0;
	snprintf(buf, len, "%s.example.", t);
	free(t);
	ldns_rdf_deep_free(h);
	ldns_rdf_deep_free(n);
}

static ldns_rr *rnd_rr(void)
{
	char name[128], line[300];
	rnd_name(name, sizeof name);
	switch (rnd(12)) {
	case 0: case 1: case 2:
		snprintf(line, sizeof line, "%s 300 IN A 192.0.2.%u", name, rnd(4));
		break;
	case 3:
		snprintf(line, sizeof line, "%s 300 IN TXT \"t%u\"", name, rnd(3));
		break;
	case 4: case 5:
		snprintf(line, sizeof line, "%s 300 IN NS ns%u.example.", name, rnd(2));
		break;
	case 6:
		snprintf(line, sizeof line, "%s 300 IN DS %u 13 2 "
			 "0000000000000000000000000000000000000000000000000000000000000000",
			 name, rnd(3));
		break;
	case 7:
		snprintf(line, sizeof line, "%s 300 IN CNAME c%u.example.", name, rnd(2));
		break;
	case 8:
		snprintf(line, sizeof line, "%s 300 IN DNAME d.example.", name);
		break;
	case 9:
		snprintf(line, sizeof line, "%s 300 IN NSEC %s A", name, name);
		break;
	default: {
		/* an NSEC3 for this name, most of the time, or for no name */
		char owner[160];
		nsec3_owner(owner, sizeof owner, rnd(4) ? name : "nowhere.example.");
		snprintf(line, sizeof line, "%s 300 IN NSEC3 1 1 0 - %s A", owner,
			 "00000000000000000000000000000000");
		break;
	}
	}
	return rr(line);
}

static void test_random_splices(void **state)
{
	char err[1024];
	const char *head = "$ORIGIN example.\n$TTL 300\n" SOA(1) "\n@ NS ns0\n@ NSEC3PARAM 1 0 0 -\n"
			   "ns0 A 192.0.2.1\n";
	struct zone *z = zone_load("example.", tfile("random.zone", head), err, sizeof err);
	assert_non_null(z);
	ldns_rr_list *have = ldns_rr_list_new();
	size_t ok = 0, refused = 0;
	for (uint32_t serial = 1; serial <= 400; serial++) {
		struct xfrin_delta d;
		delta(&d, serial, serial + 1, NULL, NULL);
		unsigned nadd = 1 + rnd(serial < 60 ? 12 : 5), ndel = ldns_rr_list_rr_count(have) ?
							      rnd(4) : 0;
		for (unsigned i = 0; i < ndel; i++) {
			ldns_rr *x = ldns_rr_list_rr(have, rnd((unsigned)ldns_rr_list_rr_count(have)));
			bool dup = false;
			for (size_t k = 0; k < ldns_rr_list_rr_count(d.del); k++)
				dup |= ldns_rr_compare(ldns_rr_list_rr(d.del, k), x) == 0;
			if (!dup)
				ldns_rr_list_push_rr(d.del, ldns_rr_clone(x));
		}
		for (unsigned i = 0; i < nadd; i++)
			ldns_rr_list_push_rr(d.add, rnd_rr());
		struct ixfr_stats st;
		struct zone *n = apply_both(z, &d, 1, &st, err, sizeof err);
		if (n) {
			/* keep `have` the records the new copy holds */
			for (size_t k = 0; k < ldns_rr_list_rr_count(d.del); k++)
				for (size_t h = 0; h < ldns_rr_list_rr_count(have); h++)
					if (ldns_rr_compare(ldns_rr_list_rr(have, h),
							    ldns_rr_list_rr(d.del, k)) == 0) {
						ldns_rr *last = ldns_rr_list_pop_rr(have);
						if (h < ldns_rr_list_rr_count(have)) {
							ldns_rr_free(ldns_rr_list_rr(have, h));
							ldns_rr_list_set_rr(have, last, h);
						} else {
							ldns_rr_free(last);
						}
						break;
					}
			for (size_t k = 0; k < ldns_rr_list_rr_count(d.add); k++) {
				ldns_rr *a = ldns_rr_list_rr(d.add, k);
				bool dup = false;
				for (size_t h = 0; h < ldns_rr_list_rr_count(have) && !dup; h++)
					dup = ldns_rr_compare(ldns_rr_list_rr(have, h), a) == 0;
				if (!dup)
					ldns_rr_list_push_rr(have, ldns_rr_clone(a));
			}
			zone_unref(z);
			z = n;
			ok++;
		} else {
			/* CNAME beside other data, and the like: refused both ways;
			 * the next delta starts from the copy's serial again */
			refused++;
			serial--;
		}
		deltas_free(&d, 1);
		if (refused > 2000)
			break;
	}
	/* every splice was checked against a rebuild; many of them ran, on a
	 * copy that carries the dead bytes of the ones before */
	assert_int_equal(ok, 400);
	assert_true(z->dead > 0);
	assert_true(z->has_nsec3 && z->nnsec3 > 10);
	ldns_rr_list_deep_free(have);
	zone_unref(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_same_as_file),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_random_splices),
	};
	tdir_make();
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	tdir_remove();
	return r;
}

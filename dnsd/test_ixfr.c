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
	struct zone *n = ixfr_apply(z, d, 2, "IXFR from test", &st, err, sizeof err);
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
	struct zone *n = ixfr_apply(z, d, 1, "IXFR from test", &st, err, sizeof err);
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
	assert_null(ixfr_apply(z, d, 1, "IXFR from test", &st, err, sizeof err));
	assert_non_null(strstr(err, "does not hold"));
	assert_non_null(strstr(err, "192.0.2.99"));
	deltas_free(d, 1);

	delta(&d[0], 7, 8, NULL, "www.example. 300 IN A 192.0.2.4");
	assert_null(ixfr_apply(z, d, 1, "IXFR from test", &st, err, sizeof err));
	assert_non_null(strstr(err, "start at serial 7, the copy has 1"));
	deltas_free(d, 1);

	delta(&d[0], 1, 2, "www.example. 300 IN A 192.0.2.2", NULL);
	delta(&d[1], 2, 3, "www.example. 300 IN A 192.0.2.2", NULL);
	assert_null(ixfr_apply(z, d, 2, "IXFR from test", &st, err, sizeof err));
	assert_non_null(strstr(err, "which is not there"));
	deltas_free(d, 2);

	/* a result that breaks the zone's rules is refused like a bad file */
	delta(&d[0], 1, 2, NULL, "www.example. 300 IN CNAME other.example.");
	assert_null(ixfr_apply(z, d, 1, "IXFR from test", &st, err, sizeof err));
	assert_non_null(strstr(err, "CNAME beside other data"));
	deltas_free(d, 1);
	zone_unref(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_same_as_file),
		cmocka_unit_test(test_errors),
	};
	tdir_make();
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	tdir_remove();
	return r;
}

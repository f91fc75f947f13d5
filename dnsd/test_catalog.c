/* unit tests: reading catalog zones (catalog.h, RFC 9432) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dnsd/catalog.h"
#include "dnsd/test_engine_util.h"
#include "dnsd/zone.h"

#define HEAD "$ORIGIN cat.example.\n$TTL 0\n@ SOA invalid. invalid. 1 3600 600 86400 0\n" \
	     "@ NS invalid.\n"

static struct zone *cat_zone(const char *body)
{
	char err[1024], text[4096];
	snprintf(text, sizeof text, "%s%s", HEAD, body);
	struct zone *z = zone_load("cat.example.", tfile("cat.zone", text), err, sizeof err);
	if (!z)
		fprintf(stderr, "%s\n", err);
	assert_non_null(z);
	return z;
}

static void expect_bad(const char *body, const char *needle)
{
	struct zone *z = cat_zone(body);
	struct catalog c;
	char err[512] = "";
	int r = catalog_parse(z, &c, err, sizeof err);
	if (r == 0 || !strstr(err, needle))
		fprintf(stderr, "expected '%s', got '%s'\n", needle, r == 0 ? "(ok)" : err);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err, needle));
	assert_null(c.m);
	zone_unref(z);
}

static void test_members(void **state)
{
	struct zone *z = cat_zone("version TXT \"2\"\n"
				  "m1.zones PTR br.\n"
				  "group.m1.zones TXT \"lactld\"\n"
				  "m2.zones PTR Example.ORG.\n"
				  "coo.m2.zones PTR other-cat.example.\n"
				  "m3.zones PTR a.b.c.\n"
				  "group.m9.zones TXT \"orphan\"\n"
				  "unrelated TXT \"ignored\"\n");
	struct catalog c;
	char err[512];
	assert_int_equal(catalog_parse(z, &c, err, sizeof err), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.m[0].name, "a.b.c.");
	assert_string_equal(c.m[1].name, "br.");
	assert_string_equal(c.m[1].group, "lactld");
	assert_string_equal(c.m[1].id, "m1");
	const struct catalog_member *m = catalog_find(&c, "example.org.");
	assert_non_null(m);
	assert_string_equal(m->coo, "other-cat.example.");
	assert_string_equal(m->group, "");
	assert_null(catalog_find(&c, "nosuch."));
	catalog_free(&c);
	zone_unref(z);
}

static void test_bad(void **state)
{
	expect_bad("m1.zones PTR br.\n", "no version.cat.example. TXT record");
	expect_bad("version TXT \"1\"\nm1.zones PTR br.\n", "is not \"2\"");
	expect_bad("version TXT \"2\"\nm1.zones PTR br.\nm1.zones PTR nl.\n",
		   "member id m1 lists more than one zone");
	expect_bad("version TXT \"2\"\nm1.zones PTR br.\nm2.zones PTR BR.\n",
		   "zone br. is listed twice (ids m1 and m2)");
	expect_bad("version TXT \"2\"\nm1.zones PTR .\n", "cannot serve");
	expect_bad("version TXT \"2\"\nm1.zones PTR sub.cat.example.\n", "the catalog itself");
	expect_bad("version TXT \"2\"\nm1.zones PTR br.\ngroup.m1.zones TXT \"a\"\n"
		   "group.m1.zones TXT \"b\"\n", "more than one group");
	expect_bad("version TXT \"2\"\nm1.zones PTR \\007bell.\n", "cannot serve");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_bad),
	};
	tdir_make();
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	tdir_remove();
	return r;
}

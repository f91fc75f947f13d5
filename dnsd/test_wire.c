/* unit tests for wire: name compression (RFC 1035 4.1.4) checked by
 * decoding every written name with ldns, the shortcut for a name written
 * twice in a row (same address, and a reused buffer holding another name),
 * rollback, and the limit */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/dname.h"
#include "dnsd/wire.h"

/* the wire form of a presentation name, in buf */
static const uint8_t *wname(uint8_t *buf, const char *text)
{
	ldns_rdf *d = ldns_dname_new_frm_str(text);
	assert_non_null(d);
	memcpy(buf, ldns_rdf_data(d), ldns_rdf_size(d));
	ldns_rdf_deep_free(d);
	return buf;
}

/* w writes into out after a 12-byte (zero) header, as an answer does */
static void wire_after_header(struct wire *w, uint8_t *out, size_t size)
{
	wire_init(w, out, size);
	memset(out, 0, 12);
	w->pos = 12;
}

/* the name at off of w's buffer, decoded by ldns, equals text */
static void assert_name_at(const struct wire *w, size_t off, const char *text)
{
	ldns_rdf *got = NULL;
	size_t pos = off;
	assert_int_equal(ldns_wire2dname(&got, w->buf, w->pos, &pos), LDNS_STATUS_OK);
	ldns_rdf *want = ldns_dname_new_frm_str(text);
	assert_int_equal(ldns_dname_compare(got, want), 0);
	ldns_rdf_deep_free(got);
	ldns_rdf_deep_free(want);
}

static void test_compression(void **state)
{
	(void)state;
	uint8_t out[512], a[DNAME_MAX], b[DNAME_MAX], c[DNAME_MAX];
	struct wire w;
	wire_after_header(&w, out, sizeof out);
	wname(a, "www.example.");
	wname(b, "mail.EXAMPLE.");
	wname(c, "example.");
	size_t at[6];
	at[0] = w.pos;
	assert_true(wire_name(&w, a, true));            /* literal */
	assert_int_equal(w.pos - at[0], 13);
	at[1] = w.pos;
	assert_true(wire_name(&w, a, true));            /* again: a pointer to 12 */
	assert_int_equal(w.pos - at[1], 2);
	assert_int_equal(out[at[1]], 0xc0);
	assert_int_equal(out[at[1] + 1], 12);
	at[2] = w.pos;
	assert_true(wire_name(&w, b, true));            /* "mail" + pointer to example. */
	assert_int_equal(w.pos - at[2], 5 + 2);
	at[3] = w.pos;
	assert_true(wire_name(&w, c, true));            /* a pointer into the first name */
	assert_int_equal(w.pos - at[3], 2);
	at[4] = w.pos;
	assert_true(wire_name(&w, a, true));            /* a after b: still 12 */
	assert_int_equal(out[at[4] + 1], 12);
	at[5] = w.pos;
	assert_true(wire_name(&w, a, false));           /* uncompressed */
	assert_int_equal(w.pos - at[5], 13);
	const char *want[] = { "www.example.", "www.example.", "mail.example.", "example.",
			       "www.example.", "www.example." };
	for (int i = 0; i < 6; i++)
		assert_name_at(&w, at[i], want[i]);
}

static void test_compression_long_labels(void **state)
{
	/* labels over 8 bytes, hashed 8 bytes at a time: another case and a
	 * suffix still find the names written before */
	(void)state;
	uint8_t out[512], a[DNAME_MAX], b[DNAME_MAX], c[DNAME_MAX], d[DNAME_MAX];
	struct wire w;
	wire_after_header(&w, out, sizeof out);
	wname(a, "ns1.a-rather-long-label-of-33-bytes.some-registry.example.");
	wname(b, "NS2.A-Rather-Long-Label-Of-33-Bytes.SOME-REGISTRY.Example.");
	wname(c, "some-registry.example.");
	wname(d, "x.some-registrz.example.");
	size_t at = w.pos;
	assert_true(wire_name(&w, a, true));
	assert_int_equal(w.pos - at, dname_len(a));
	at = w.pos;
	assert_true(wire_name(&w, b, true));            /* "NS2" + pointer */
	assert_int_equal(w.pos - at, 4 + 2);
	assert_int_equal(out[at + 5], 12 + 4);
	at = w.pos;
	assert_true(wire_name(&w, c, true));            /* a pointer */
	assert_int_equal(w.pos - at, 2);
	assert_name_at(&w, at, "some-registry.example.");
	at = w.pos;
	assert_true(wire_name(&w, d, true));            /* only example. is shared */
	assert_int_equal(w.pos - at, 2 + 14 + 2);
	assert_name_at(&w, at, "x.some-registrz.example.");
}

/* a caller that reuses one buffer for different names: the same address
 * must not be taken for the same name */
static void test_same_address_other_name(void **state)
{
	(void)state;
	uint8_t out[512], buf[DNAME_MAX];
	struct wire w;
	wire_after_header(&w, out, sizeof out);
	assert_true(wire_name(&w, wname(buf, "a.example."), true));
	size_t second = w.pos;
	assert_true(wire_name(&w, wname(buf, "b.example."), true));
	assert_name_at(&w, 12, "a.example.");
	assert_name_at(&w, second, "b.example.");
	/* the same text in another case at the same address: a pointer is
	 * right (names compare without case), and decodes to the name */
	size_t third = w.pos;
	assert_true(wire_name(&w, wname(buf, "B.EXAMPLE."), true));
	assert_int_equal(w.pos - third, 2);
	assert_name_at(&w, third, "b.example.");
}

static void test_rollback_and_limit(void **state)
{
	(void)state;
	uint8_t out[64], a[DNAME_MAX];
	struct wire w;
	wire_after_header(&w, out, 12 + 13 + 2);
	wname(a, "www.example.");
	size_t mark = w.pos;
	assert_true(wire_name(&w, a, true));
	wire_rollback(&w, mark);
	assert_int_equal(w.pos, mark);
	assert_int_equal(w.ncomp, 0);
	/* after the rollback the name is not in the buffer: written whole */
	assert_true(wire_name(&w, a, true));
	assert_int_equal(w.pos, mark + 13);
	assert_name_at(&w, mark, "www.example.");
	/* a pointer still fits, a third name does not */
	assert_true(wire_name(&w, a, true));
	assert_false(wire_name(&w, a, true));
	assert_int_equal(w.pos, 12 + 13 + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_compression_long_labels),
		cmocka_unit_test(test_same_address_other_name),
		cmocka_unit_test(test_rollback_and_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

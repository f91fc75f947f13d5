/* unit tests: a transfer's answer stream fed message by message
 * (xfrin.h: xfrin_stream_new, xfrin_feed, xfrin_stream_finish), without a
 * network; the cases the fuzz harness fuzz/fuzz_xfrin.c found stay here */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/config.h"
#include "dnsd/tsig.h"
#include "dnsd/xfrin.h"
#include "dnsd/zone.h"

#define SOA(n) "example. 300 IN SOA ns1.example. h.example. " #n " 2 3 4 5"

static struct cfg_addr primary = { .family = AF_INET, .text = "127.0.0.1@5300" };

/* an answer message with ID id, rcode, and the records (text, '|' between) */
static uint8_t *msg(uint16_t id, ldns_pkt_rcode rcode, const char *rrs, size_t *len, size_t room)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rcode(p, rcode);
	char buf[300];
	while (rrs && *rrs) {
		size_t n = strcspn(rrs, "|");
		snprintf(buf, sizeof buf, "%.*s", (int)n, rrs);
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, buf, 300, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
		rrs += n + (rrs[n] == '|');
	}
	uint8_t *w = NULL;
	assert_int_equal(ldns_pkt2wire(&w, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	w = realloc(w, *len + room);
	assert_non_null(w);
	return w;
}

struct feed {
	struct xfrin_req q;
	struct xfrin_result res;
	struct xfrin_stream *x;
	char err[600];
};

static void start(struct feed *f, bool ixfr, uint32_t serial, const struct tsig_key *key,
		  const uint8_t *mac, size_t mac_len)
{
	memset(f, 0, sizeof *f);
	f->q.zone = "example.";
	f->q.primary = &primary;
	f->q.key = key;
	f->q.have_serial = ixfr;
	f->q.serial = serial;
	assert_int_equal(xfrin_result_init(&f->q, &f->res, ixfr ? "IXFR" : "AXFR", f->err,
					   sizeof f->err), 0);
	f->x = xfrin_stream_new(&f->q, ixfr, 77, mac, mac_len, time(NULL), &f->res, f->err,
				sizeof f->err);
	assert_non_null(f->x);
}

static enum xfrin_feed_rc feed(struct feed *f, uint16_t id, ldns_pkt_rcode rcode, const char *rrs)
{
	size_t n;
	uint8_t *w = msg(id, rcode, rrs, &n, 0);
	enum xfrin_feed_rc rc = xfrin_feed(f->x, w, n, f->err, sizeof f->err);
	free(w);
	return rc;
}

static void done(struct feed *f)
{
	xfrin_stream_free(f->x);
	xfrin_result_free(&f->res);
}

static void test_axfr(void **state)
{
	(void)state;
	struct feed f;
	char err[300];
	start(&f, false, 0, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR, SOA(5) "|example. 300 IN NS ns1.example."),
			 XFRIN_FEED_MORE);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR, "ns1.example. 300 IN A 192.0.2.1|" SOA(5)),
			 XFRIN_FEED_DONE);
	assert_int_equal(xfrin_stream_finish(f.x, f.err, sizeof f.err), 0);
	assert_int_equal(f.res.kind, XFRIN_AXFR);
	assert_int_equal(f.res.serial, 5);
	assert_int_equal(f.res.messages, 2);
	assert_int_equal(f.res.records, 4);
	struct zone *z = zone_build("example.", &f.res.R, err, sizeof err);
	assert_non_null(z);
	assert_int_equal(z->serial, 5);
	assert_int_equal(z->records, 3);
	zone_unref(z);
	done(&f);
}

/* found by fuzz_xfrin: the records after the one in error were leaked
 * (LSan in the sanitizer build tells) */
static void test_records_after_final_soa(void **state)
{
	(void)state;
	struct feed f;
	start(&f, false, 0, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR,
			      SOA(5) "|example. 300 IN NS ns1.example.|" SOA(5)
			      "|www.example. 300 IN A 192.0.2.2|www.example. 300 IN A 192.0.2.3"
			      "|www.example. 300 IN TXT \"left over\""),
			 XFRIN_FEED_ERROR);
	assert_non_null(strstr(f.err, "AXFR from 127.0.0.1@5300: records after the final SOA"));
	done(&f);
	/* an error in the middle of a message, records after it */
	start(&f, false, 0, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR,
			      SOA(5) "|example. 300 IN NS ns1.example.|" SOA(6)
			      "|www.example. 300 IN A 192.0.2.2|" SOA(5)),
			 XFRIN_FEED_ERROR);
	assert_non_null(strstr(f.err, "SOA serial 6 inside a transfer of serial 5"));
	done(&f);
}

/* found by fuzz_xfrin: ldns 1.8.3 leaks a TSIG record followed by another
 * one (an unsigned transfer hands every message to ldns) */
static void test_repeated_tsig(void **state)
{
	(void)state;
	struct cfg_tsig c = { .name = "xfr-key", .algorithm = "hmac-sha256",
			      .secret = "ZnV6ei14ZnIta2V5LXNlY3JldC0wMTIzNDU2Nzg5YWI=" };
	struct tsig_key k;
	char err[200];
	assert_int_equal(tsig_key_init(&k, &c, err, sizeof err), 0);
	size_t n;
	uint8_t *w = msg(77, LDNS_RCODE_NOERROR, SOA(5) "|example. 300 IN NS ns1.example.", &n, 1024);
	size_t s = tsig_sign(&k, w, n, n + 512, NULL, 0, false, time(NULL), NULL, NULL);
	assert_true(s > n);
	/* the same TSIG record twice more: ldns reads ARCOUNT minus the TSIGs
	 * seen so far, so the second one is read (and the first leaked) */
	memcpy(w + s, w + n, s - n);
	memcpy(w + s + (s - n), w + n, s - n);
	w[11] += 2;
	struct feed f;
	start(&f, false, 0, NULL, NULL, 0);
	assert_int_equal(xfrin_feed(f.x, w, s + 2 * (s - n), f.err, sizeof f.err), XFRIN_FEED_ERROR);
	assert_non_null(strstr(f.err, "message 1 is malformed"));
	done(&f);
	free(w);
}

static void test_header_and_rcode(void **state)
{
	(void)state;
	struct feed f;
	start(&f, false, 0, NULL, NULL, 0);
	assert_int_equal(feed(&f, 78, LDNS_RCODE_NOERROR, SOA(5)), XFRIN_FEED_ERROR);
	assert_non_null(strstr(f.err, "does not match the request"));
	done(&f);
	/* IXFR not offered: ask again by AXFR; AXFR refused: an error */
	start(&f, true, 4, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOTIMPL, NULL), XFRIN_FEED_FALLBACK);
	done(&f);
	start(&f, false, 0, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_REFUSED, NULL), XFRIN_FEED_ERROR);
	assert_non_null(strstr(f.err, "REFUSED (transfers to this node not allowed there?)"));
	done(&f);
	/* cut short */
	start(&f, false, 0, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR, SOA(5)), XFRIN_FEED_MORE);
	assert_int_equal(xfrin_stream_finish(f.x, f.err, sizeof f.err), -1);
	assert_non_null(strstr(f.err, "cut short"));
	done(&f);
}

static void test_ixfr(void **state)
{
	(void)state;
	struct feed f;
	start(&f, true, 4, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR,
			      SOA(5) "|" SOA(4) "|www.example. 300 IN A 192.0.2.2|" SOA(5)
			      "|www.example. 300 IN A 192.0.2.3|" SOA(5)),
			 XFRIN_FEED_DONE);
	assert_int_equal(xfrin_stream_finish(f.x, f.err, sizeof f.err), 0);
	assert_int_equal(f.res.kind, XFRIN_IXFR);
	assert_int_equal(f.res.ndeltas, 1);
	assert_int_equal(f.res.deltas[0].from, 4);
	assert_int_equal(f.res.deltas[0].to, 5);
	done(&f);
	/* the SOA alone: up to date */
	start(&f, true, 5, NULL, NULL, 0);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR, SOA(5)), XFRIN_FEED_DONE);
	assert_int_equal(xfrin_stream_finish(f.x, f.err, sizeof f.err), 0);
	assert_int_equal(f.res.kind, XFRIN_UPTODATE);
	done(&f);
}

static void test_signed(void **state)
{
	(void)state;
	struct cfg_tsig c = { .name = "xfr-key", .algorithm = "hmac-sha256",
			      .secret = "ZnV6ei14ZnIta2V5LXNlY3JldC0wMTIzNDU2Nzg5YWI=" };
	struct tsig_key k;
	char err[200];
	assert_int_equal(tsig_key_init(&k, &c, err, sizeof err), 0);
	/* the request's MAC starts the chain */
	size_t n;
	uint8_t *req = msg(77, LDNS_RCODE_NOERROR, NULL, &n, 512), mac[TSIG_MAC_MAX];
	size_t ml = 0;
	req[2] &= 0x7f;
	assert_true(tsig_sign(&k, req, n, n + 512, NULL, 0, false, time(NULL), mac, &ml) > n);
	free(req);
	struct feed f;
	start(&f, false, 0, &k, mac, ml);
	const char *parts[2] = { SOA(5) "|example. 300 IN NS ns1.example.",
				 "ns1.example. 300 IN A 192.0.2.1|" SOA(5) };
	for (int i = 0; i < 2; i++) {
		uint8_t *w = msg(77, LDNS_RCODE_NOERROR, parts[i], &n, 512), nm[TSIG_MAC_MAX];
		size_t nl = 0, s = tsig_sign(&k, w, n, n + 512, mac, ml, i > 0, time(NULL), nm, &nl);
		assert_true(s > n);
		memcpy(mac, nm, nl);
		ml = nl;
		assert_int_equal(xfrin_feed(f.x, w, s, f.err, sizeof f.err),
				 i ? XFRIN_FEED_DONE : XFRIN_FEED_MORE);
		free(w);
	}
	assert_int_equal(xfrin_stream_finish(f.x, f.err, sizeof f.err), 0);
	assert_int_equal(f.res.signed_messages, 2);
	done(&f);
	/* unsigned: refused */
	start(&f, false, 0, &k, mac, ml);
	assert_int_equal(feed(&f, 77, LDNS_RCODE_NOERROR, SOA(5)), XFRIN_FEED_ERROR);
	assert_non_null(strstr(f.err, "not signed"));
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axfr),
		cmocka_unit_test(test_records_after_final_soa),
		cmocka_unit_test(test_repeated_tsig),
		cmocka_unit_test(test_header_and_rcode),
		cmocka_unit_test(test_ixfr),
		cmocka_unit_test(test_signed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests: query_process() header, EDNS, size and malformed-input
 * handling, and a fuzz run over random and mutated packets */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dnsd/test_engine_util.h"

static const char *ZONE =
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@ IN SOA ns1 hostmaster 7 7200 3600 1209600 300\n"
	"@ NS ns1\n"
	"@ NS ns2\n"
	"ns1 A 192.0.2.1\n"
	"ns2 A 192.0.2.2\n"
	"www A 192.0.2.80\n"
	"big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" \"a\"\n"
	"big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" \"b\"\n"
	"big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" \"c\"\n"
	"big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" \"d\"\n"
	"big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" \"e\"\n"
	"big TXT \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\" \"f\"\n"
	"sub NS ns1.sub\n"
	"sub NS ns2.sub\n"
	"ns1.sub A 192.0.2.53\n"
	"ns2.sub A 192.0.2.54\n";

static struct zoneset *zs;

TZS_GROUP(ZONE)

/* raw packet builder */
struct pk {
	uint8_t b[2048];
	size_t n;
};

static void pk_hdr(struct pk *p, uint8_t f2, uint8_t f3, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	uint8_t h[12] = { 0x12, 0x34, f2, f3, (uint8_t)(qd >> 8), (uint8_t)qd, (uint8_t)(an >> 8), (uint8_t)an,
			  (uint8_t)(ns >> 8), (uint8_t)ns, (uint8_t)(ar >> 8), (uint8_t)ar };
	memcpy(p->b, h, 12);
	p->n = 12;
}

static void pk_put(struct pk *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void pk_q(struct pk *p, const char *wire, size_t wl, uint16_t type, uint16_t klass)
{
	uint8_t t[4] = { (uint8_t)(type >> 8), (uint8_t)type, (uint8_t)(klass >> 8), (uint8_t)klass };
	pk_put(p, wire, wl);
	pk_put(p, t, 4);
}

/* OPT RR: size, ext rcode, version, flags, rdata */
static void pk_opt(struct pk *p, uint16_t size, uint8_t ver, uint16_t flags, const void *rd, uint16_t rdlen)
{
	uint8_t o[11] = { 0, 0, 41, (uint8_t)(size >> 8), (uint8_t)size, 0, ver,
			  (uint8_t)(flags >> 8), (uint8_t)flags, (uint8_t)(rdlen >> 8), (uint8_t)rdlen };
	pk_put(p, o, 11);
	if (rdlen)
		pk_put(p, rd, rdlen);
}

#define WWW "\003www\007example\000"
#define WWWL 13

static size_t run(const struct pk *p, int flags)
{
	toutlen = query_process(zs, &topts, p->b, p->n, tout, sizeof tout,
				(flags & TQ_TCP) ? QUERY_TCP : QUERY_UDP, NULL);
	return toutlen;
}

static uint16_t g16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void test_drop(void **state)
{
	struct pk p;
	pk_hdr(&p, 0x80, 0, 1, 0, 0, 0);	/* QR set */
	pk_q(&p, WWW, WWWL, 1, 1);
	assert_int_equal(run(&p, 0), 0);
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	p.n = 11;
	assert_int_equal(run(&p, 0), 0);
}

static void test_header_errors(void **state)
{
	struct pk p;

	/* opcode UPDATE: NOTIMP, question not echoed */
	pk_hdr(&p, 5 << 3 | 1, 0, 1, 0, 0, 0);
	pk_q(&p, WWW, WWWL, 1, 1);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 4);
	assert_int_equal(tout[2], 0x80 | 5 << 3 | 1);

	/* two questions */
	pk_hdr(&p, 0, 0, 2, 0, 0, 0);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);

	/* no question */
	pk_hdr(&p, 0, 0, 0, 0, 0, 0);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);

	/* an answer record in a query */
	pk_hdr(&p, 0, 0, 1, 1, 0, 0);
	pk_q(&p, WWW, WWWL, 1, 1);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);

	/* truncated name, pointer in the question, overlong label */
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	pk_put(&p, "\003www\007exa", 9);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	pk_q(&p, "\003www\300\014", 6, 1, 1);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	pk_q(&p, "\100abc", 5, 1, 1);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);

	/* a name of 128 one-letter labels is too long (> 255 octets) */
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	for (int i = 0; i < 128; i++)
		pk_put(&p, "\001a", 2);
	pk_q(&p, "", 1, 1, 1);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);

	/* class NONE: REFUSED without question; AXFR: REFUSED */
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	pk_q(&p, WWW, WWWL, 1, 254);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 5);
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	pk_q(&p, "\007example\000", 9, 252, 1);
	assert_true(run(&p, TQ_TCP) > 12);
	assert_int_equal(tout[3] & 0xf, 5);
}

static void test_flags(void **state)
{
	struct pk p;
	/* RD and CD copied, AD and Z not, RA never */
	pk_hdr(&p, 0x01, 0x10 | 0x20 | 0x40 | 0x80, 1, 0, 0, 0);
	pk_q(&p, WWW, WWWL, 1, 1);
	assert_true(run(&p, 0) > 12);
	assert_int_equal(tout[2], 0x80 | 0x04 | 0x01);
	assert_int_equal(tout[3], 0x10);
	assert_int_equal(g16(tout + 6), 1);
}

static void test_edns(void **state)
{
	struct pk p;
	size_t n;

	/* no OPT in, none out */
	pk_hdr(&p, 0, 0, 1, 0, 0, 0);
	pk_q(&p, WWW, WWWL, 1, 1);
	n = run(&p, 0);
	assert_true(n > 12);
	ldns_pkt *r = NULL;
	assert_int_equal(ldns_wire2pkt(&r, tout, n), LDNS_STATUS_OK);
	assert_false(ldns_pkt_edns(r));
	ldns_pkt_free(r);

	/* version 1: BADVERS, OPT version 0, question, no answer (as NSD), the
	 * DO bit copied from the query (RFC 6891 6.1.3, RFC 3225) */
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 4096, 1, 0x8000, NULL, 0);
	n = run(&p, 0);
	assert_int_equal(n, 12 + WWWL + 4 + 11);
	assert_int_equal(tout[3] & 0xf, 0);
	assert_int_equal(g16(tout + 4), 1);
	assert_int_equal(g16(tout + 6), 0);
	assert_int_equal(g16(tout + 10), 1);
	uint8_t *o = tout + 12 + WWWL + 4;
	assert_int_equal(o[5], 1);	/* extended rcode 1 -> 16 */
	assert_int_equal(o[6], 0);	/* version 0 */
	assert_int_equal(o[7], 0x80);	/* DO copied */
	assert_int_equal(g16(o + 3), 1232);
	/* and without DO in the query, none in the answer */
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 4096, 1, 0, NULL, 0);
	n = run(&p, 0);
	assert_int_equal(n, 12 + WWWL + 4 + 11);
	assert_int_equal(o[5], 1);
	assert_int_equal(o[7], 0);

	/* unknown option and unknown flags: ignored, never echoed */
	static const uint8_t opt[] = { 0xfd, 0xe9, 0, 3, 'x', 'y', 'z' };
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 4096, 0, 0x8000 | 0x4000 | 1, opt, sizeof opt);
	n = run(&p, 0);
	assert_int_equal(tout[3] & 0xf, 0);
	assert_int_equal(tout[n - 11 + 2], 41);
	assert_int_equal(g16(tout + n - 11 + 3), 1232);
	assert_int_equal(g16(tout + n - 11 + 7), 0x8000);
	assert_int_equal(g16(tout + n - 11 + 9), 0);

	/* NSID */
	static const uint8_t nsid[] = { 0, 3, 0, 0 };
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 1232, 0, 0, nsid, sizeof nsid);
	n = run(&p, 0);
	assert_memory_equal(tout + n - 9, "\0\3\0\5node1", 9);
	assert_int_equal(g16(tout + n - 11 - 9 + 9), 9);

	/* two OPTs, OPT with a non-root owner, malformed option: FORMERR, no OPT */
	pk_hdr(&p, 0, 0, 1, 0, 0, 2);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 1232, 0, 0, NULL, 0);
	pk_opt(&p, 1232, 0, 0, NULL, 0);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_put(&p, "\001a", 2);
	pk_opt(&p, 1232, 0, 0, NULL, 0);
	p.n -= 0;
	{
		/* the OPT written by pk_opt starts with a root owner: move it */
		memmove(p.b + p.n - 11, p.b + p.n - 10, 10);
		p.n--;
	}
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);
	static const uint8_t bad[] = { 0, 3, 0, 9, 'x' };
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 1232, 0, 0, bad, sizeof bad);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);

	/* OPT owner given by a pointer loop */
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	size_t at = p.n;
	pk_put(&p, "\300\000", 2);
	p.b[at + 1] = (uint8_t)at;
	pk_opt(&p, 1232, 0, 0, NULL, 0);
	assert_int_equal(run(&p, 0), 12);
	assert_int_equal(tout[3] & 0xf, 1);
}

/* RFC 7873 5.2.2: a COOKIE option of 8 bytes (client cookie) or 16 to 40
 * (with a server cookie) is fine; any other length is FORMERR, answered
 * with an OPT (DO copied) and without the question */
static void test_cookie_length(void **state)
{
	(void)state;
	struct pk p;
	uint8_t opt[4 + 48];
	memset(opt, 0xab, sizeof opt);
	for (uint16_t l = 0; l <= 44; l++) {
		opt[0] = 0;
		opt[1] = 10;                   /* COOKIE */
		opt[2] = 0;
		opt[3] = (uint8_t)l;
		pk_hdr(&p, 0, 0, 1, 0, 0, 1);
		pk_q(&p, WWW, WWWL, 1, 1);
		pk_opt(&p, 1232, 0, 0x8000, opt, (uint16_t)(4 + l));
		size_t n = run(&p, 0);
		bool ok = l == 8 || (l >= 16 && l <= 40);
		if (ok) {
			assert_int_equal(tout[3] & 0xf, 0);
			assert_int_equal(g16(tout + 4), 1);
			assert_int_equal(g16(tout + 6), 1);   /* www A */
			continue;
		}
		assert_int_equal(n, 12 + 11);
		assert_int_equal(tout[3] & 0xf, 1);   /* FORMERR */
		assert_int_equal(g16(tout + 4), 0);
		assert_int_equal(g16(tout + 10), 1);
		assert_int_equal(tout[12 + 2], 41);   /* an OPT */
		assert_int_equal(tout[12 + 5], 0);    /* no extended rcode */
		assert_int_equal(tout[12 + 7], 0x80); /* DO copied */
		assert_int_equal(g16(tout + 12 + 9), 0);
	}
	/* a bad cookie beside a good NSID option: still FORMERR */
	static const uint8_t two[] = { 0, 3, 0, 0, 0, 10, 0, 7, 1, 2, 3, 4, 5, 6, 7 };
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 1232, 0, 0, two, sizeof two);
	assert_int_equal(run(&p, TQ_TCP), 12 + 11);
	assert_int_equal(tout[3] & 0xf, 1);
}

static void test_truncation(void **state)
{
	/* 6 x 110 bytes of TXT do not fit in 512: TC, no partial answer */
	ldns_pkt *p = tquery(zs, "big.example.", LDNS_RR_TYPE_TXT, TQ_NOEDNS, 0);
	assert_non_null(p);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_true(toutlen <= 512);
	ldns_pkt_free(p);

	/* with EDNS, the OPT survives the truncation */
	p = tquery(zs, "big.example.", LDNS_RR_TYPE_TXT, TQ_NSID, 512);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_edns(p));
	assert_true(toutlen <= 512);
	ldns_pkt_free(p);

	/* fits with 1232 */
	p = tquery(zs, "big.example.", LDNS_RR_TYPE_TXT, 0, 1232);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 6);
	ldns_pkt_free(p);

	/* TCP: no limit but 65535 */
	p = tquery(zs, "big.example.", LDNS_RR_TYPE_TXT, TQ_NOEDNS | TQ_TCP, 0);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 6);
	ldns_pkt_free(p);

	/* our own limit caps a large client size */
	struct query_opts o = topts;
	o.edns_size = 600;
	ldns_rdf *dn = ldns_dname_new_frm_str("big.example.");
	ldns_pkt *q = ldns_pkt_query_new(dn, LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, 0);
	ldns_pkt_set_edns_udp_size(q, 4096);
	uint8_t *w;
	size_t wl;
	ldns_pkt2wire(&w, q, &wl);
	size_t n = query_process(zs, &o, w, wl, tout, sizeof tout, QUERY_UDP, NULL);
	assert_true(n <= 600);
	assert_true(tout[2] & 0x02);
	free(w);
	ldns_pkt_free(q);
}

static void test_stats(void **state)
{
	struct query_stats st;
	memset(&st, 0, sizeof st);
	struct pk p;
	pk_hdr(&p, 0, 0, 1, 0, 0, 1);
	pk_q(&p, WWW, WWWL, 1, 1);
	pk_opt(&p, 1232, 0, 0x8000, NULL, 0);
	query_process(zs, &topts, p.b, p.n, tout, sizeof tout, QUERY_TCP, &st);
	pk_hdr(&p, 0x80, 0, 1, 0, 0, 0);
	query_process(zs, &topts, p.b, p.n, tout, sizeof tout, QUERY_UDP, &st);
	assert_int_equal(st.queries[1], 1);
	assert_int_equal(st.queries[0], 1);
	assert_int_equal(st.rcode[0], 1);
	assert_int_equal(st.edns, 1);
	assert_int_equal(st.do_bit, 1);
	assert_int_equal(st.dropped, 1);
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void check_reply(size_t n, size_t cap)
{
	assert_true(n <= cap);
	if (n == 0)
		return;
	assert_true(n >= 12);
	assert_true(tout[2] & 0x80);
	ldns_pkt *r = NULL;
	assert_int_equal(ldns_wire2pkt(&r, tout, n), LDNS_STATUS_OK);
	ldns_pkt_free(r);
}

static void test_fuzz(void **state)
{
	static const char *names[] = { "www.example.", "big.example.", "x.sub.example.",
				       "example.", "nx.example.", "ns1.sub.example." };
	uint8_t buf[1024];

	/* random garbage */
	for (int i = 0; i < 3000; i++) {
		size_t len = rnd() % 300;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		if (len > 2)
			buf[2] &= 0x7f;
		size_t n = query_process(zs, &topts, buf, len, tout, 512, QUERY_UDP, NULL);
		check_reply(n, 512);
	}
	/* mutated real queries */
	for (int i = 0; i < 6000; i++) {
		ldns_rdf *dn = ldns_dname_new_frm_str(names[rnd() % 6]);
		ldns_pkt *q = ldns_pkt_query_new(dn, (ldns_rr_type)(rnd() % 4 ? rnd() % 60 : 255),
						 LDNS_RR_CLASS_IN, 0);
		if (rnd() % 2) {
			ldns_pkt_set_edns_udp_size(q, (uint16_t)(rnd() % 5000));
			ldns_pkt_set_edns_do(q, rnd() % 2);
		}
		uint8_t *w;
		size_t wl;
		ldns_pkt2wire(&w, q, &wl);
		ldns_pkt_free(q);
		size_t len = wl < sizeof buf ? wl : sizeof buf;
		memcpy(buf, w, len);
		free(w);
		unsigned muts = rnd() % 4;
		for (unsigned m = 0; m < muts; m++) {
			switch (rnd() % 4) {
			case 0:
				if (len)
					buf[rnd() % len] = (uint8_t)rnd();
				break;
			case 1:
				len = rnd() % (len + 1);
				break;
			case 2:
				if (len + 8 < sizeof buf)
					for (int k = 0; k < 8; k++)
						buf[len++] = (uint8_t)rnd();
				break;
			case 3:
				if (len > 13)
					buf[12 + rnd() % (len - 12)] = (uint8_t)(0xc0 | (rnd() % 2));
				break;
			}
		}
		if (len > 2)
			buf[2] &= 0x7f;
		bool tcp = rnd() % 4 == 0;
		size_t cap = tcp ? sizeof tout : 4096;
		if (rnd() % 8 == 0)
			cap = 12 + rnd() % 600;	/* tiny output buffers too */
		size_t n = query_process(zs, &topts, buf, len, tout, cap, tcp ? QUERY_TCP : QUERY_UDP, NULL);
		check_reply(n, cap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_cookie_length),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

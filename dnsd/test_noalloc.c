/*
 * unit test: the query path allocates nothing.
 *
 * A worker's UDP path (udp_serve(): recvmmsg, query_process_client(), rate
 * limiting, cookies, sendmmsg) answers a query mix from a signed NSEC3
 * zone, and the same mix goes through query_process() for TCP-sized
 * answers, while every malloc/calloc/realloc/free/strdup/... made by raiz's
 * own code is counted.  The binary is linked with -Wl,--wrap for those
 * functions (see the Makefile: LDFLAGS_test_noalloc), which redirects the
 * calls of raiz's objects and libraries, not those made inside libc, ldns
 * or OpenSSL.  Those are counted too under ASan (how `make test` builds
 * this test), by the sanitizer's malloc hook, which sees every allocation
 * of the process: it found OpenSSL 3's SHA1() allocating a context per
 * NSEC3 hash (dnsd/nsec3.c).  Counting is per thread and on only around
 * the measured calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dnsd/rrl.h"
#include "dnsd/snapshot.h"
#include "dnsd/test_engine_util.h"
#include "dnsd/udp.h"

static _Thread_local bool counting;
static _Thread_local unsigned long allocs;

/* every allocation of the process, libraries included, under ASan */
#if defined(__SANITIZE_ADDRESS__)
#define LIB_HOOK 1
/* <sanitizer/allocator_interface.h>, which Debian's gcc does not ship */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					      void (*free_hook)(const volatile void *));
static _Thread_local unsigned long lib_allocs;
static void hook_malloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	lib_allocs += counting;
}
static void hook_free(const volatile void *p)
{
	(void)p;
}
#else
#define LIB_HOOK 0
static unsigned long lib_allocs;
#endif

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__real_reallocarray(void *p, size_t n, size_t m);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_reallocarray(void *p, size_t n, size_t m);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
void __wrap_free(void *p);

void *__wrap_malloc(size_t n) { allocs += counting; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { allocs += counting; return __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { allocs += counting; return __real_realloc(p, n); }
void *__wrap_reallocarray(void *p, size_t n, size_t m)
{
	allocs += counting;
	return __real_reallocarray(p, n, m);
}
char *__wrap_strdup(const char *s) { allocs += counting; return __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { allocs += counting; return __real_strndup(s, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	allocs += counting;
	return __real_posix_memalign(p, a, n);
}
void *__wrap_aligned_alloc(size_t a, size_t n)
{
	allocs += counting;
	return __real_aligned_alloc(a, n);
}
void __wrap_free(void *p) { allocs += counting && p; __real_free(p); }

static const char *ZONE =
	"$ORIGIN example.\n"
	"$TTL 3600\n"
	"@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	"@ NS ns1\n"
	"@ MX 10 mail\n"
	"ns1 A 192.0.2.1\n"
	"ns1 AAAA 2001:db8::1\n"
	"mail A 192.0.2.25\n"
	"www A 192.0.2.80\n"
	"alias CNAME www\n"
	"sub DNAME example.net.\n"
	"a.b.ent A 192.0.2.5\n"
	"*.wild A 192.0.2.99\n"
	"*.wild TXT \"wild\"\n"
	"signed NS ns.signed\n"
	"signed DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"ns.signed A 192.0.2.53\n"
	"unsigned NS ns.unsigned\n"
	"ns.unsigned A 192.0.2.54\n";

/* name, type, flags (test_engine_util.h TQ_*) */
static const struct mixq {
	const char *name;
	ldns_rr_type type;
	int flags;
} MIX[] = {
	{ "example.", LDNS_RR_TYPE_SOA, TQ_DO },
	{ "example.", LDNS_RR_TYPE_DNSKEY, TQ_DO },
	{ "example.", LDNS_RR_TYPE_NS, 0 },
	{ "example.", LDNS_RR_TYPE_MX, TQ_DO | TQ_NSID },
	{ "www.example.", LDNS_RR_TYPE_A, 0 },
	{ "WwW.ExAmPlE.", LDNS_RR_TYPE_A, TQ_DO },
	{ "www.example.", LDNS_RR_TYPE_AAAA, TQ_DO },           /* NODATA */
	{ "alias.example.", LDNS_RR_TYPE_A, TQ_DO },            /* CNAME chain */
	{ "x.sub.example.", LDNS_RR_TYPE_A, TQ_DO },            /* DNAME */
	{ "nope.example.", LDNS_RR_TYPE_A, TQ_DO },             /* NXDOMAIN, NSEC3 */
	{ "nope.example.", LDNS_RR_TYPE_A, TQ_NOEDNS },
	{ "b.ent.example.", LDNS_RR_TYPE_A, TQ_DO },            /* empty non-terminal */
	{ "x.wild.example.", LDNS_RR_TYPE_A, TQ_DO },           /* wildcard */
	{ "x.wild.example.", LDNS_RR_TYPE_ANY, 0 },
	{ "host.signed.example.", LDNS_RR_TYPE_A, TQ_DO },      /* referral with DS */
	{ "host.unsigned.example.", LDNS_RR_TYPE_A, TQ_DO },    /* opt-out referral */
	{ "signed.example.", LDNS_RR_TYPE_DS, TQ_DO },
	{ "example.org.", LDNS_RR_TYPE_A, 0 },                  /* REFUSED */
	{ "id.server.", LDNS_RR_TYPE_TXT, 0 },                  /* CHAOS below */
	{ "example.", LDNS_RR_TYPE_AXFR, 0 },                   /* not over UDP */
	{ "example.", LDNS_RR_TYPE_SOA, TQ_DO },                /* EDNS 512 below */
};
enum { NMIX = sizeof MIX / sizeof MIX[0] };

static struct raiz_config *cfg;
static struct snapshot *snap;
static uint8_t *wire[NMIX + 3];
static size_t wirelen[NMIX + 3];
static size_t nwire;

static int setup(void **state)
{
	char cmd[4096], signedf[512];
	if (system("command -v ldns-signzone >/dev/null && command -v ldns-keygen >/dev/null"))
		return -1;
	char *zf = strdup(tfile("zone-noalloc", ZONE));
	snprintf(signedf, sizeof signedf, "%s.signed", zf);
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && k=$(ldns-keygen -a ECDSAP256SHA256 -k example.) && "
		 "ldns-signzone -n -s abcd -t 2 -p -f '%s' '%s' \"$k\" >/dev/null", tdir, signedf,
		 zf);
	free(zf);
	if (system(cmd) != 0)
		return -1;
	const char *names[1] = { "example." };
	const char *files[1] = { signedf };
	cfg = tcfg(1, names, files);
	cfg->dnsd.edns_buffer_size = 1232;
	cfg->dnsd.nsid = strdup("node1");
	cfg->dnsd.identity = strdup("node1.example");
	/* rate limiting on, loopback not exempt, and a low rate so that the
	 * mix goes through every verdict: pass, slip (TC) and drop */
	cfg->dnsd.rrl.rate = 5;
	cfg->dnsd.rrl.slip = 2;
	cfg->dnsd.rrl.window = 1;
	cfg->dnsd.rrl.ipv4_prefix = 24;
	cfg->dnsd.rrl.ipv6_prefix = 56;
	cfg->dnsd.cookies = true;
	memcpy(cfg->dnsd.cookie_secret, "0123456789abcdef", CFG_COOKIE_SECRET_LEN);
	struct zoneset *zs = zoneset_build(cfg, NULL);
	if (!zs)
		return -1;
	snap = snapshot_new(cfg, false, zs, NULL);
	if (!snap)
		return -1;

	for (size_t i = 0; i < NMIX; i++) {
		ldns_rdf *dn = ldns_dname_new_frm_str(MIX[i].name);
		ldns_pkt *q = ldns_pkt_query_new(dn, MIX[i].type, strcmp(MIX[i].name, "id.server.")
						 ? LDNS_RR_CLASS_IN : LDNS_RR_CLASS_CH, 0);
		ldns_pkt_set_id(q, (uint16_t)(100 + i));
		if (!(MIX[i].flags & TQ_NOEDNS)) {
			ldns_pkt_set_edns_udp_size(q, i == NMIX - 1 ? 512 : 1232);
			ldns_pkt_set_edns_do(q, (MIX[i].flags & TQ_DO) != 0);
			ldns_edns_option_list *l = ldns_edns_option_list_new();
			/* a client cookie on every query: a server cookie is made */
			static const uint8_t ccookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
			ldns_edns_option_list_push(l, ldns_edns_new_from_data(LDNS_EDNS_COOKIE, 8,
									      ccookie));
			if (MIX[i].flags & TQ_NSID)
				ldns_edns_option_list_push(l, ldns_edns_new_from_data(LDNS_EDNS_NSID,
							      0, NULL));
			ldns_pkt_set_edns_option_list(q, l);
		}
		if (ldns_pkt2wire(&wire[nwire], q, &wirelen[nwire]) != LDNS_STATUS_OK)
			return -1;
		nwire++;
		ldns_pkt_free(q);
	}
	/* and malformed ones: a header alone, a truncated question, junk */
	static const uint8_t hdr[12] = { 0x12, 0x34, 0, 0, 0, 1 };
	static const uint8_t trunc[17] = { 0x12, 0x35, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x' };
	static const uint8_t junk[20] = { 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *bad[3] = { hdr, trunc, junk };
	const size_t badlen[3] = { sizeof hdr, sizeof trunc, sizeof junk };
	for (int i = 0; i < 3; i++) {
		wire[nwire] = malloc(badlen[i]);
		memcpy(wire[nwire], bad[i], badlen[i]);
		wirelen[nwire++] = badlen[i];
	}
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < nwire; i++)
		free(wire[i]);
	snapshot_free(snap);
	free(cfg->dnsd.nsid);
	free(cfg->dnsd.identity);
	tcfg_free(cfg);
	tdir_remove();
	return 0;
}

/* the counter sees what raiz's code allocates (else the tests below
 * could not fail) */
static void test_counter_works(void **state)
{
	allocs = 0;
	counting = true;
	struct rrl *t = rrl_new(16);     /* libdnsd's calloc */
	counting = false;
	assert_non_null(t);
	assert_true(allocs >= 1);
	rrl_free(t);
	allocs = 0;
#if LIB_HOOK
	/* and what a library allocates inside, which --wrap does not see */
	lib_allocs = 0;
	counting = true;
	ldns_rdf *r = ldns_dname_new_frm_str("www.example.");
	counting = false;
	assert_non_null(r);
	assert_true(lib_allocs >= 1);
	ldns_rdf_deep_free(r);
	lib_allocs = 0;
#endif
}

/* query_process(), UDP and TCP sizes: nothing allocated */
static void test_query_process(void **state)
{
	static uint8_t out[65535];
	size_t answered = 0;

	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < nwire; i++)
			for (int t = 0; t < 2; t++) {
				counting = true;
				size_t n = query_process(snap->zs, &snap->opts, wire[i], wirelen[i],
							 out, t ? sizeof out : 1232,
							 t ? QUERY_TCP : QUERY_UDP, NULL);
				counting = false;
				answered += n >= 12;
			}
	assert_int_equal(allocs, 0);
	assert_int_equal(lib_allocs, 0);
	assert_true(answered >= 3 * 2 * (nwire - 1));   /* only a junk QR packet is dropped */
}

/* a worker's UDP path, rate limiting and cookies included */
static void test_udp_serve(void **state)
{
	struct cfg_addr a = tloopback4();
	char err[256];
	bool pktinfo;
	int sfd = udp_open(&a, &pktinfo, err, sizeof err);
	assert_true(sfd >= 0);
	struct sockaddr_in srv;
	socklen_t sl = sizeof srv;
	assert_int_equal(getsockname(sfd, (struct sockaddr *)&srv, &sl), 0);
	/* the client asks from 127.0.0.2: not "the node itself", so the
	 * queries go through the rate limiter's buckets */
	int cfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in cl = { .sin_family = AF_INET };
	cl.sin_addr.s_addr = htonl(0x7f000002);
	assert_int_equal(bind(cfd, (struct sockaddr *)&cl, sizeof cl), 0);
	struct udp_batch *b = udp_batch_new();
	struct rrl *rrl = rrl_new(1024);
	assert_non_null(b);
	assert_non_null(rrl);
	struct query_stats st = { 0 };
	size_t received = 0, replies = 0;
	uint8_t in[4096];

	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < nwire; i++)
			assert_int_equal(sendto(cfd, wire[i], wirelen[i], 0, (struct sockaddr *)&srv,
						sizeof srv), (ssize_t)wirelen[i]);
		counting = true;
		received += udp_serve(sfd, (struct sockaddr *)&a.ss, pktinfo, b, snap, rrl, &st,
				      1000);
		counting = false;
		while (recv(cfd, in, sizeof in, 0) > 0)
			replies++;
	}
	assert_int_equal(allocs, 0);
	assert_int_equal(lib_allocs, 0);
	assert_int_equal(received, 20 * nwire);
	assert_true(replies > 0);
	/* the rate limiter was exercised: some answers slipped or dropped */
	assert_true(st.rrl_slipped + st.rrl_dropped > 0);
	rrl_free(rrl);
	udp_batch_free(b);
	close(cfd);
	close(sfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_works),
		cmocka_unit_test(test_query_process),
		cmocka_unit_test(test_udp_serve),
	};
#if LIB_HOOK
	__sanitizer_install_malloc_and_free_hooks(hook_malloc, hook_free);
#endif
	return cmocka_run_group_tests(tests, setup, teardown);
}

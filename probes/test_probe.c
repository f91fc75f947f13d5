/* unit tests: probe runs on a libev loop against small servers living in
 * the same loop (UDP and TCP on 127.0.0.1, ephemeral ports), silent
 * sockets, closed ports and unconfigured source addresses */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <ldns/ldns.h>

#include "common/cfgutil.h"
#include "common/config.h"
#include "probes/probe.h"

enum srv_mode { SRV_OK, SRV_BADID, SRV_SPLIT, SRV_CLOSE, SRV_RESET, SRV_TC };

struct srv {
	struct ev_loop *loop;
	int fd, conn;
	uint16_t port;
	bool tcp;
	enum srv_mode mode;
	uint32_t serial;
	ev_io io, cio;
	ev_timer later;
	uint8_t rest[1024];        /* SRV_SPLIT: the second half, sent later */
	size_t restlen;
	struct sockaddr_storage peer;
	unsigned queries;
};

/* the reply to a query: QR AA, the SOA of ".", NSID "t1" */
static size_t srv_reply(struct srv *s, const uint8_t *q, size_t qlen, uint8_t *out,
			size_t cap)
{
	ldns_pkt *p = NULL;
	uint8_t *w;
	size_t n;
	char soa[200];
	static const uint8_t nsid[6] = { 0, 3, 0, 2, 't', '1' };
	ldns_rr *rr = NULL;

	assert_int_equal(ldns_wire2pkt(&p, q, qlen), LDNS_STATUS_OK);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	if (s->mode == SRV_BADID)
		ldns_pkt_set_id(p, (uint16_t)(ldns_pkt_id(p) + 1));
	snprintf(soa, sizeof soa, ". 86400 IN SOA a. b. %u 1800 900 604800 86400", s->serial);
	assert_int_equal(ldns_rr_new_frm_str(&rr, soa, 0, NULL, NULL), LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	if (ldns_pkt_edns(p)) {
		ldns_pkt_set_edns_do(p, false);
		ldns_rdf_deep_free(ldns_pkt_edns_data(p));   /* the query's options */
		ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN,
								sizeof nsid, nsid));
	}
	assert_int_equal(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
	assert_true(n <= cap);
	memcpy(out, w, n);
	free(w);
	ldns_pkt_free(p);
	return n;
}

/* what a rate-limiting server "slips": header and question, TC, nothing
 * else (no OPT, so no NSID either) */
static size_t srv_tc_reply(const uint8_t *q, size_t qlen, uint8_t *out)
{
	size_t end = 12;
	while (end < qlen && q[end])
		end += 1u + q[end];
	end += 1 + 4;
	assert_true(end <= qlen);
	memcpy(out, q, end);
	out[2] = (uint8_t)(0x80 | 0x04 | 0x02 | (q[2] & 0x79));   /* QR AA TC */
	out[3] = 0;
	memset(out + 6, 0, 6);
	return end;
}

static void srv_udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srv *s = w->data;
	uint8_t q[1500], a[1500];
	socklen_t plen = sizeof s->peer;
	ssize_t n = recvfrom(s->fd, q, sizeof q, 0, (struct sockaddr *)&s->peer, &plen);
	if (n <= 0)
		return;
	s->queries++;
	size_t alen = s->mode == SRV_TC ? srv_tc_reply(q, (size_t)n, a)
					: srv_reply(s, q, (size_t)n, a, sizeof a);
	assert_int_equal(sendto(s->fd, a, alen, 0, (struct sockaddr *)&s->peer, plen),
			 (ssize_t)alen);
}

static void srv_later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct srv *s = w->data;
	assert_int_equal(write(s->conn, s->rest, s->restlen), (ssize_t)s->restlen);
}

static void srv_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srv *s = w->data;
	uint8_t q[1500], a[1500];
	size_t got = 0;
	/* the probe writes its query at once; read it whole */
	while (got < 2 || got < 2 + (size_t)(q[0] << 8 | q[1])) {
		ssize_t n = read(s->conn, q + got, sizeof q - got);
		if (n < 0 && errno == EAGAIN)
			continue;
		assert_true(n > 0);
		got += (size_t)n;
	}
	ev_io_stop(loop, w);
	s->queries++;
	if (s->mode == SRV_RESET || s->mode == SRV_CLOSE) {
		/* RESET: abortive close (RST); CLOSE: orderly (FIN), query read */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		if (s->mode == SRV_RESET)
			setsockopt(s->conn, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(s->conn);
		s->conn = -1;
		return;
	}
	size_t alen = srv_reply(s, q + 2, got - 2, a + 2, sizeof a - 2);
	a[0] = (uint8_t)(alen >> 8);
	a[1] = (uint8_t)alen;
	alen += 2;
	size_t first = s->mode == SRV_SPLIT ? 1 + alen / 2 : alen;
	assert_int_equal(write(s->conn, a, first), (ssize_t)first);
	if (first < alen) {
		memcpy(s->rest, a + first, alen - first);
		s->restlen = alen - first;
		ev_timer_init(&s->later, srv_later_cb, 0.02, 0.);
		s->later.data = s;
		ev_timer_start(loop, &s->later);
	}
}

static void srv_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct srv *s = w->data;
	socklen_t plen = sizeof s->peer;
	s->conn = accept(s->fd, (struct sockaddr *)&s->peer, &plen);
	assert_true(s->conn >= 0);
	ev_io_init(&s->cio, srv_conn_cb, s->conn, EV_READ);
	s->cio.data = s;
	ev_io_start(loop, &s->cio);
}

static void srv_open_at(struct srv *s, struct ev_loop *loop, bool tcp, enum srv_mode mode,
			bool silent, uint16_t port);

/* a server on 127.0.0.1; silent = bound but never answering */
static void srv_open(struct srv *s, struct ev_loop *loop, bool tcp, enum srv_mode mode,
		     bool silent)
{
	srv_open_at(s, loop, tcp, mode, silent, 0);
}

/* the same on a given port (0 = any) */
static void srv_open_at(struct srv *s, struct ev_loop *loop, bool tcp, enum srv_mode mode,
			bool silent, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->tcp = tcp;
	s->mode = mode;
	s->conn = -1;
	s->serial = 2026112100;
	s->fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	assert_true(s->fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sin, &len), 0);
	s->port = ntohs(sin.sin_port);
	if (tcp)
		assert_int_equal(listen(s->fd, 8), 0);
	if (silent)
		return;
	ev_io_init(&s->io, tcp ? srv_accept_cb : srv_udp_cb, s->fd, EV_READ);
	s->io.data = s;
	ev_io_start(loop, &s->io);
}

static void srv_close(struct srv *s)
{
	ev_io_stop(s->loop, &s->io);
	ev_io_stop(s->loop, &s->cio);
	ev_timer_stop(s->loop, &s->later);
	if (s->conn >= 0)
		close(s->conn);
	close(s->fd);
}

/* a port nothing listens on (bound once, then closed) */
static uint16_t closed_port(bool tcp)
{
	struct srv s;
	srv_open(&s, NULL, tcp, SRV_OK, true);
	uint16_t port = s.port;
	close(s.fd);
	return port;
}

static struct cfg_addr *addr_new(const char *fmt, unsigned port)
{
	char text[64];
	struct cfg_addr *a = malloc(sizeof *a);
	snprintf(text, sizeof text, fmt, port);
	assert_int_equal(cfg_addr_from_text(text, 0, a), 0);
	return a;
}

static void spec_init(struct cfg_probe *p, bool tcp, uint16_t port)
{
	config_probe_init(p);
	p->name = strdup("t");
	p->qname = strdup(".");
	p->transport = tcp ? PROBE_TCP : PROBE_UDP;
	p->target = addr_new("127.0.0.1@%u", port);
	p->timeout_ms = 300;
}

struct waiter {
	struct probe_result r;
	unsigned calls;
	struct probe *restart;     /* start again from the callback this often */
	unsigned restarts;
};

static void done_cb(void *arg, const struct probe_result *r)
{
	struct waiter *w = arg;
	w->r = *r;
	w->calls++;
	if (w->restart && w->restarts) {
		w->restarts--;
		assert_int_equal(probe_start(w->restart, done_cb, w), 0);
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* one run; returns its duration in ms */
static uint64_t run(struct ev_loop *loop, const struct cfg_probe *spec, struct waiter *w)
{
	struct probe *p = probe_new(loop, spec);
	assert_non_null(p);
	memset(w, 0, sizeof *w);
	uint64_t t0 = now_ms();
	assert_int_equal(probe_start(p, done_cb, w), 0);
	assert_int_equal(w->calls, 0);          /* never from inside probe_start */
	assert_int_equal(probe_start(p, done_cb, w), -1);
	assert_int_equal(errno, EBUSY);
	while (w->calls == 0)
		ev_run(loop, EVRUN_ONCE);
	uint64_t dt = now_ms() - t0;
	assert_int_equal(w->calls, 1);
	assert_false(probe_running(p));
	probe_free(p);
	return dt;
}

static void test_udp_ok(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct srv s;
	struct cfg_probe spec;
	struct waiter w;
	srv_open(&s, loop, false, SRV_OK, false);
	spec_init(&spec, false, s.port);
	spec.expect_nsid = strdup("t1");
	spec.expect_answer = true;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_OK);
	assert_string_equal(w.r.reason, "");
	assert_true(w.r.latency_us > 0 && w.r.latency_us < 300000);
	assert_string_equal(w.r.nsid, "t1");
	assert_int_equal(w.r.serial, 2026112100);
	assert_int_equal(s.queries, 1);

	/* a wrong ID is a wrong answer */
	s.mode = SRV_BADID;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_WRONG);
	assert_non_null(strstr(w.r.reason, "does not match query ID"));
	srv_close(&s);
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

static void test_udp_source(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct srv s;
	struct cfg_probe spec;
	struct waiter w;
	srv_open(&s, loop, false, SRV_OK, false);
	spec_init(&spec, false, s.port);
	spec.source = addr_new("127.0.0.2", 0);
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_OK);
	struct sockaddr_in *peer = (struct sockaddr_in *)&s.peer;
	assert_int_equal(ntohl(peer->sin_addr.s_addr), 0x7f000002);

	/* an address this host does not have: hard, and known at once */
	free(spec.source);
	spec.source = addr_new("192.0.2.1", 0);
	*strrchr(spec.source->text, '@') = '\0';
	uint64_t dt = run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	assert_true(dt < 50);
	char want[200];
	snprintf(want, sizeof want, "udp 127.0.0.1@%u . SOA: source address 192.0.2.1 is "
		 "not configured on this node (bind: Cannot assign requested address)", s.port);
	assert_string_equal(w.r.reason, want);
	free(spec.source);
	spec.source = NULL;

	/* target-local: 127.0.0.1 is ours; 192.0.2.53 is not, and nothing is sent */
	spec.target_local = true;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_OK);
	free(spec.target);
	spec.target = addr_new("192.0.2.53@%u", 53);
	dt = run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	assert_true(dt < 50);
	assert_string_equal(w.r.reason, "udp 192.0.2.53@53 . SOA: target address 192.0.2.53@53 "
			    "is not configured on this node (queries to it would reach another "
			    "instance, or none)");
	srv_close(&s);
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

static void test_udp_timeout(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct srv s;
	struct cfg_probe spec;
	struct waiter w;
	char want[128];
	srv_open(&s, loop, false, SRV_OK, true);
	spec_init(&spec, false, s.port);
	spec.timeout_ms = 100;
	uint64_t dt = run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_TIMEOUT);
	assert_true(dt >= 95 && dt < 250);
	snprintf(want, sizeof want, "udp 127.0.0.1@%u . SOA: timeout after 100 ms", s.port);
	assert_string_equal(w.r.reason, want);
	assert_int_equal(w.r.rcode, -1);
	srv_close(&s);
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

static void test_refused(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct cfg_probe spec;
	struct waiter w;

	spec_init(&spec, false, closed_port(false));
	spec.timeout_ms = 2000;
	uint64_t dt = run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	assert_true(dt < 50);
	assert_non_null(strstr(w.r.reason, "port unreachable (ICMP)"));
	config_probe_clear(&spec);

	spec_init(&spec, true, closed_port(true));
	spec.timeout_ms = 2000;
	dt = run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	assert_true(dt < 50);
	assert_non_null(strstr(w.r.reason, ": connection refused: nothing listens on 127.0.0.1@"));
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

/* IPv6: a closed port on ::1 (skipped when the host has no IPv6 loopback) */
static void test_ipv6(void **st)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof sin6;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin6, sizeof sin6) < 0) {
		if (fd >= 0)
			close(fd);
		skip();
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	close(fd);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct cfg_probe spec;
	struct waiter w;
	char want[128];
	spec_init(&spec, false, 53);
	free(spec.target);
	spec.target = addr_new("::1@%u", ntohs(sin6.sin6_port));
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	snprintf(want, sizeof want, "udp ::1@%u . SOA: port unreachable (ICMP): nothing "
		 "listens on ::1@%u", ntohs(sin6.sin6_port), ntohs(sin6.sin6_port));
	assert_string_equal(w.r.reason, want);
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

static void test_tcp(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct srv s;
	struct cfg_probe spec;
	struct waiter w;
	srv_open(&s, loop, true, SRV_SPLIT, false);
	spec_init(&spec, true, s.port);
	spec.expect_nsid = strdup("t1");
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_OK);
	assert_true(w.r.latency_us >= 20000);      /* the second half came 20 ms later */
	assert_int_equal(w.r.serial, 2026112100);
	close(s.conn);
	s.conn = -1;

	s.mode = SRV_CLOSE;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	assert_non_null(strstr(w.r.reason, "connection closed by the server"));

	s.mode = SRV_RESET;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	assert_non_null(strstr(w.r.reason, "connection reset by the server"));
	srv_close(&s);
	config_probe_clear(&spec);

	/* accepted by the kernel, never answered */
	srv_open(&s, loop, true, SRV_OK, true);
	spec_init(&spec, true, s.port);
	spec.timeout_ms = 80;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_TIMEOUT);
	srv_close(&s);
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

/* a truncated UDP answer (a rate limiter's slip) is asked again over TCP,
 * like a resolver does, and the TCP answer is judged */
static void test_udp_tc_retries_tcp(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct srv u, t;
	struct cfg_probe spec;
	struct waiter w;
	srv_open(&u, loop, false, SRV_TC, false);
	srv_open_at(&t, loop, true, SRV_OK, false, u.port);
	spec_init(&spec, false, u.port);
	spec.expect_nsid = strdup("t1");
	spec.expect_answer = true;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_OK);
	assert_string_equal(w.r.nsid, "t1");
	assert_int_equal(u.queries, 1);
	assert_int_equal(t.queries, 1);

	/* nothing over TCP: judged as the TCP failure, not as the TC reply */
	srv_close(&t);
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_HARD);
	assert_non_null(strstr(w.r.reason, "connection refused"));
	assert_int_equal(u.queries, 2);
	srv_close(&u);
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

static void test_primary(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct srv s, prim;
	struct cfg_probe spec;
	struct waiter w;
	srv_open(&s, loop, true, SRV_OK, false);
	srv_open(&prim, loop, false, SRV_OK, false);
	prim.serial = s.serial + 5;
	spec_init(&spec, true, s.port);
	spec.primary = addr_new("127.0.0.1@%u", prim.port);
	spec.max_serial_lag = 1;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_STALE);
	assert_true(w.r.has_primary_serial);
	assert_int_equal(w.r.primary_serial, s.serial + 5);
	assert_non_null(strstr(w.r.reason, "lags the primary's"));
	assert_int_equal(prim.queries, 1);
	close(s.conn);
	s.conn = -1;

	/* a silent primary only loses the comparison */
	srv_close(&prim);
	srv_open(&prim, loop, false, SRV_OK, true);
	free(spec.primary);
	spec.primary = addr_new("127.0.0.1@%u", prim.port);
	spec.timeout_ms = 100;
	run(loop, &spec, &w);
	assert_int_equal(w.r.verdict, PROBE_OK);
	assert_false(w.r.has_primary_serial);
	srv_close(&prim);
	srv_close(&s);
	config_probe_clear(&spec);
	ev_loop_destroy(loop);
}

static void test_cancel_restart(void **st)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct srv s, quiet;
	struct cfg_probe spec, qspec;
	struct waiter w = { 0 };
	srv_open(&s, loop, false, SRV_OK, false);
	srv_open(&quiet, loop, false, SRV_OK, true);
	spec_init(&qspec, false, quiet.port);
	struct probe *p = probe_new(loop, &qspec);
	assert_int_equal(probe_start(p, done_cb, &w), 0);
	probe_cancel(p);
	assert_false(probe_running(p));
	ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(w.calls, 0);
	/* freed while running */
	assert_int_equal(probe_start(p, done_cb, &w), 0);
	probe_free(p);
	assert_int_equal(w.calls, 0);

	/* three runs in a row, each started from the previous one's callback */
	spec_init(&spec, false, s.port);
	p = probe_new(loop, &spec);
	w.restart = p;
	w.restarts = 2;
	assert_int_equal(probe_start(p, done_cb, &w), 0);
	while (w.calls < 3)
		ev_run(loop, EVRUN_ONCE);
	assert_int_equal(w.r.verdict, PROBE_OK);
	assert_int_equal(s.queries, 3);
	probe_free(p);
	srv_close(&s);
	srv_close(&quiet);
	config_probe_clear(&spec);
	config_probe_clear(&qspec);
	ev_loop_destroy(loop);
}

static void test_run_once(void **st)
{
	struct cfg_probe spec;
	struct probe_result r;
	spec_init(&spec, false, closed_port(false));
	assert_int_equal(probe_run_once(&spec, &r), 1);
	assert_int_equal(r.verdict, PROBE_HARD);
	config_probe_clear(&spec);

	struct srv quiet;
	srv_open(&quiet, NULL, false, SRV_OK, true);
	spec_init(&spec, false, quiet.port);
	spec.timeout_ms = 50;
	assert_int_equal(probe_run_once(&spec, &r), 1);
	assert_int_equal(r.verdict, PROBE_TIMEOUT);
	close(quiet.fd);
	config_probe_clear(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_ok),
		cmocka_unit_test(test_udp_source),
		cmocka_unit_test(test_udp_timeout),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_udp_tc_retries_tcp),
		cmocka_unit_test(test_primary),
		cmocka_unit_test(test_cancel_restart),
		cmocka_unit_test(test_run_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* unit tests for tcp: the framing parser, and a tcp_ctx serving real
 * sockets on 127.0.0.1 (pipelining, split frames, bad frames, idle
 * timeout, a trickled query's deadline, connection limit) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "dnsd/snapshot.h"
#include "dnsd/tcp.h"
#include "dnsd/test_engine_util.h"
#include "dnsd/zoneset.h"

static void test_frame(void **state)
{
	(void)state;
	size_t len = 99;
	const uint8_t a[] = { 0x00 };
	assert_int_equal(tcp_frame_next(a, 0, &len), TCP_FRAME_MORE);
	assert_int_equal(tcp_frame_next(a, 1, &len), TCP_FRAME_MORE);
	const uint8_t zero[] = { 0x00, 0x00, 0x01 };
	assert_int_equal(tcp_frame_next(zero, 3, &len), TCP_FRAME_BAD);
	const uint8_t three[] = { 0x00, 0x03, 1, 2, 3, 0x00, 0x01 };
	assert_int_equal(tcp_frame_next(three, 4, &len), TCP_FRAME_MORE);
	assert_int_equal(len, 99);
	assert_int_equal(tcp_frame_next(three, 5, &len), TCP_FRAME_OK);
	assert_int_equal(len, 3);
	assert_int_equal(tcp_frame_next(three, sizeof three, &len), TCP_FRAME_OK);
	assert_int_equal(len, 3);
	const uint8_t big[] = { 0xff, 0xff, 0 };
	assert_int_equal(tcp_frame_next(big, sizeof big, &len), TCP_FRAME_MORE);
	const uint8_t max[2 + 65535] = { 0xff, 0xff };
	assert_int_equal(tcp_frame_next(max, sizeof max - 1, &len), TCP_FRAME_MORE);
	assert_int_equal(tcp_frame_next(max, sizeof max, &len), TCP_FRAME_OK);
	assert_int_equal(len, 65535);
}

/* ---- a served tcp_ctx in a thread ---- */

struct fixture {
	struct raiz_config cfg;
	struct snapshot_rcu *rcu;
	struct ev_loop *loop;
	ev_async stop;
	struct tcp_ctx *ctx;
	struct query_stats qs;
	struct tcp_stats ts;
	int lfd;
	uint16_t port;
	pthread_t th;
};

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void *loop_main(void *arg)
{
	struct fixture *f = arg;
	ev_run(f->loop, 0);
	return NULL;
}

static struct fixture *serve(unsigned max_conns, unsigned idle_ms, unsigned max_queries)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->cfg.dnsd.tcp_idle_timeout_ms = idle_ms;
	f->cfg.dnsd.tcp_max_queries = max_queries;
	f->cfg.dnsd.edns_buffer_size = 1232;
	struct snapshot *s = snapshot_new(&f->cfg, false, zoneset_build(&f->cfg, NULL), NULL);
	assert_non_null(s);
	f->rcu = snapshot_rcu_new(1, s);

	struct cfg_addr a = tloopback4();
	char err[256];
	f->lfd = tcp_listen_open(&a, err, sizeof err);
	assert_true(f->lfd >= 0);
	struct sockaddr_in got;
	socklen_t gl = sizeof got;
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&got, &gl), 0);
	f->port = ntohs(got.sin_port);

	f->loop = ev_loop_new(EVFLAG_AUTO);
	ev_async_init(&f->stop, stop_cb);
	ev_async_start(f->loop, &f->stop);
	f->ctx = tcp_ctx_new(f->loop, &f->lfd, 1, snapshot_rcu_reader(f->rcu, 0), &f->qs, &f->ts,
			     max_conns);
	assert_non_null(f->ctx);
	assert_int_equal(pthread_create(&f->th, NULL, loop_main, f), 0);
	return f;
}

static void unserve(struct fixture *f)
{
	ev_async_send(f->loop, &f->stop);
	pthread_join(f->th, NULL);
	tcp_ctx_free(f->ctx);
	ev_async_stop(f->loop, &f->stop);
	ev_loop_destroy(f->loop);
	close(f->lfd);
	snapshot_rcu_free(f->rcu);
	free(f);
}

static int client(struct fixture *f)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(f->port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	return fd;
}

/* a framed query for "example. A" with the given id */
static size_t query(uint8_t *buf, uint16_t id)
{
	static const uint8_t q[] = { 0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
				     7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };
	buf[0] = 0;
	buf[1] = sizeof q;
	memcpy(buf + 2, q, sizeof q);
	buf[2] = (uint8_t)(id >> 8);
	buf[3] = (uint8_t)id;
	return sizeof q + 2;
}

/* reads exactly n bytes within ms; returns bytes read (short on EOF/timeout) */
static size_t read_full(int fd, uint8_t *buf, size_t n, int ms)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, ms) <= 0)
			break;
		ssize_t r = recv(fd, buf + got, n - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* reads one framed response, returns its id, or -1 on EOF/timeout */
static int read_answer(int fd, int ms)
{
	uint8_t buf[65537];
	if (read_full(fd, buf, 2, ms) != 2)
		return -1;
	size_t len = (size_t)buf[0] << 8 | buf[1];
	if (len < 12 || read_full(fd, buf, len, ms) != len)
		return -1;
	assert_true(buf[2] & 0x80);          /* QR */
	return buf[0] << 8 | buf[1];
}

/* true when the server closed the connection within ms */
static bool closed_within(int fd, int ms)
{
	uint8_t b;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, ms) <= 0)
		return false;
	ssize_t r = recv(fd, &b, 1, 0);
	return r == 0 || (r < 0 && errno == ECONNRESET);
}

static void test_pipeline(void **state)
{
	(void)state;
	struct fixture *f = serve(10, 5000, 0);
	int fd = client(f);
	uint8_t buf[512];
	size_t n = 0;
	for (uint16_t id = 1; id <= 5; id++)
		n += query(buf + n, (uint16_t)(0x1000 + id));
	assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);       /* one write */
	for (uint16_t id = 1; id <= 5; id++)
		assert_int_equal(read_answer(fd, 2000), 0x1000 + id);

	/* a frame split byte by byte is answered once complete */
	n = query(buf, 0x2222);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(send(fd, buf + i, 1, 0), 1);
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	assert_int_equal(read_answer(fd, 2000), 0x2222);

	/* half-close after the queries: answers still come, then EOF */
	n = query(buf, 0x3333);
	n += query(buf + n, 0x3334);
	assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);
	shutdown(fd, SHUT_WR);
	assert_int_equal(read_answer(fd, 2000), 0x3333);
	assert_int_equal(read_answer(fd, 2000), 0x3334);
	assert_true(closed_within(fd, 2000));
	close(fd);
	unserve(f);
}

static void test_bad_frames(void **state)
{
	(void)state;
	struct fixture *f = serve(10, 5000, 0);
	/* length 0: answered queries before it, then closed */
	int fd = client(f);
	uint8_t buf[512];
	size_t n = query(buf, 7);
	buf[n++] = 0;
	buf[n++] = 0;
	assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(fd, 2000), 7);
	assert_true(closed_within(fd, 2000));
	close(fd);

	/* a frame announcing 65535 bytes and sending 10 does not stall others */
	int slow = client(f);
	const uint8_t partial[] = { 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	assert_int_equal(send(slow, partial, sizeof partial, 0), (ssize_t)sizeof partial);
	fd = client(f);
	n = query(buf, 8);
	assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(fd, 2000), 8);
	close(fd);
	close(slow);
	unserve(f);
}

static void test_idle_timeout(void **state)
{
	(void)state;
	struct fixture *f = serve(10, 300, 0);
	int fd = client(f);
	uint8_t buf[64];
	size_t n = query(buf, 9);
	assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(fd, 2000), 9);
	assert_true(closed_within(fd, 3000));
	close(fd);
	assert_int_equal(f->ts.idle_closed, 1);
	unserve(f);
}

/* a query trickled a byte at a time does not hold the connection: its
 * deadline runs from its first byte, later bytes do not extend it; a
 * client sending whole queries more often than the timeout stays */
static void test_trickle(void **state)
{
	(void)state;
	struct fixture *f = serve(10, 400, 0);
	int fd = client(f);
	uint8_t buf[64];
	size_t n = query(buf, 21);
	size_t sent = 0;
	bool closed = false;
	for (; sent < n && !closed; sent++) {
		if (send(fd, buf + sent, 1, MSG_NOSIGNAL) != 1)
			break;
		closed = closed_within(fd, 100);   /* one byte every 100 ms */
	}
	assert_true(closed);
	assert_true(sent < n);                     /* cut before the query was whole */
	assert_true(sent <= 10);                   /* about 400 ms after the first byte */
	close(fd);
	assert_int_equal(f->ts.idle_closed, 1);
	assert_int_equal(f->qs.queries[QUERY_TCP], 0);

	/* whole queries every 250 ms: kept open for longer than the timeout */
	fd = client(f);
	for (uint16_t i = 0; i < 4; i++) {
		n = query(buf, (uint16_t)(30 + i));
		assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);
		assert_int_equal(read_answer(fd, 2000), 30 + i);
		assert_false(closed_within(fd, 250));
	}
	close(fd);
	assert_int_equal(f->ts.idle_closed, 1);
	unserve(f);
}

static void test_limits(void **state)
{
	(void)state;
	struct fixture *f = serve(2, 5000, 2);
	uint8_t buf[128];
	/* max queries per connection: 2 answered, then closed */
	int fd = client(f);
	size_t n = query(buf, 1);
	n += query(buf + n, 2);
	n += query(buf + n, 3);
	assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(fd, 2000), 1);
	assert_int_equal(read_answer(fd, 2000), 2);
	assert_true(closed_within(fd, 2000));
	close(fd);

	/* connection limit 2: a third evicts the least recently active */
	int a = client(f);
	n = query(buf, 10);
	assert_int_equal(send(a, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(a, 2000), 10);
	int b = client(f);
	n = query(buf, 11);
	assert_int_equal(send(b, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(b, 2000), 11);
	int c = client(f);
	n = query(buf, 12);
	assert_int_equal(send(c, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(c, 2000), 12);
	assert_true(closed_within(a, 2000));
	n = query(buf, 13);
	assert_int_equal(send(b, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(b, 2000), 13);
	close(a);
	close(b);
	close(c);
	unserve(f);
}

/* a client that sends without ever reading fills its buffers; the server
 * stops reading it, keeps serving others, and drops it when idle */
static void test_never_reads(void **state)
{
	(void)state;
	struct fixture *f = serve(10, 500, 0);
	int hog = client(f);
	int small = 4096;
	setsockopt(hog, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	uint8_t buf[64 * 27];
	size_t n = 0;
	for (int i = 0; i < 64; i++)
		n += query(buf + n, (uint16_t)i);
	size_t sent = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* keep the framing intact across partial sends */
		ssize_t r = send(hog, buf + sent % n, n - sent % n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			sent += (size_t)r;
			continue;
		}
		if (errno != EAGAIN)
			break;            /* already dropped by the server */
		struct pollfd p = { .fd = hog, .events = POLLOUT };
		if (poll(&p, 1, 200) <= 0)
			break;            /* the server no longer reads us */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true(t1.tv_sec - t0.tv_sec < 20);
	}
	assert_true(sent > 100000);
	int fd = client(f);
	n = query(buf, 77);
	assert_int_equal(send(fd, buf, n, 0), (ssize_t)n);
	assert_int_equal(read_answer(fd, 2000), 77);
	close(fd);
	struct timespec ts = { 1, 500 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	assert_int_equal(f->ts.bad_closed, 0);
	assert_int_equal(f->ts.idle_closed, 1);
	assert_int_equal(f->ts.current, 0);
	close(hog);
	unserve(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_pipeline),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_trickle),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_never_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

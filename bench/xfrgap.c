/*
 * xfrgap -- how long a DNS server stops answering while it takes a zone
 * transfer (the query loop of bench/xfr; built by it, not by make).
 *
 *   xfrgap -p PORT -f QUERIES -s SERIAL [-m MAXSECS] [-t TAILSECS] [-r RATE] [-o OUT]
 *
 * Contract: sends the queries of QUERIES (dnsperf's -B format: a 2-byte
 * big-endian length, then the wire; used in turn, over and over) to
 * 127.0.0.1@PORT over UDP, one at a time: the next one leaves as soon as the
 * answer came (back to back), or after 50 ms without one (counted lost);
 * with -r RATE at most RATE queries a second.  Every answer is timestamped
 * by the kernel when it reached the socket (SO_TIMESTAMPNS, so a client
 * that is late to run does not stretch the figures), converted to
 * CLOCK_MONOTONIC (the clock of Python's time.monotonic()); answers to SOA
 * queries give the served serial.  It stops TAILSECS (default 2) after
 * the first answer carrying SERIAL, after MAXSECS (default 600) in any case,
 * or on SIGTERM/SIGINT, and then writes one JSON object to OUT (default
 * stdout):
 *   {"answers":N, "lost":N, "late":N, "start":T, "end":T, "serial_at":T|null,
 *    "other_serial_after":N, "noerror":N, "nxdomain":N, "other_rcode":N,
 *    "max_gap":S, "max_gap_at":T, "max_wait":S, "gaps":[[T, S, W], ...]}
 * T are monotonic seconds, S seconds; "gaps" lists every pause of 1 ms or
 * more between two answers: the time of the answer that ended it, its
 * length, and W, how long that answer's query waited for it (the server's
 * part; the rest is the client's turn-around, or queries lost), at most
 * 200,000 of them.  max_wait: the longest any answered query waited.
 * "ready" and a newline go to stderr once 100 answers came, so the caller
 * knows the loop runs.
 * Loopback only; exit 0 ran, 1 an error (message on stderr), 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_GAPS 200000
#define RX_CMSG 64
#define LOST_MS 50

struct q {
	unsigned char *wire;
	size_t len;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double clock_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC (kernel timestamps are real time) */
static double rt_offset(void)
{
	double best = 1e9, off = 0;

	for (int i = 0; i < 5; i++) {
		double a = clock_s(CLOCK_REALTIME), m = now(), b = clock_s(CLOCK_REALTIME);
		if (b - a < best) {
			best = b - a;
			off = (a + b) / 2 - m;
		}
	}
	return off;
}

/* one datagram and the monotonic time it reached the socket */
static ssize_t recv_ts(int fd, unsigned char *buf, size_t len, double off, double *t)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec)) + RX_CMSG];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, len };
	struct msghdr mh;

	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof ctl.b;
	ssize_t n = recvmsg(fd, &mh, 0);
	*t = now();
	if (n < 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof ts);
			double k = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - off;
			if (k <= *t)        /* never later than we saw it */
				*t = k;
		}
	}
	return n;
}

static int load(const char *path, struct q **out, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct q *qs = NULL;
	size_t cap = 0, cnt = 0;
	unsigned char hdr[2];

	if (!f)
		return -1;
	while (fread(hdr, 1, 2, f) == 2) {
		size_t len = ((size_t)hdr[0] << 8) | hdr[1];
		if (len < 17) {
			fclose(f);
			return -1;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 1024;
			struct q *nq = realloc(qs, cap * sizeof *qs);
			if (!nq) {
				fclose(f);
				return -1;
			}
			qs = nq;
		}
		qs[cnt].wire = malloc(len);
		if (!qs[cnt].wire || fread(qs[cnt].wire, 1, len, f) != len) {
			fclose(f);
			return -1;
		}
		qs[cnt].len = len;
		cnt++;
	}
	fclose(f);
	*out = qs;
	*n = cnt;
	return cnt ? 0 : -1;
}

/* offset after the (possibly compressed) name at off, or 0 when malformed */
static size_t skip_name(const unsigned char *w, size_t len, size_t off)
{
	while (off < len) {
		unsigned l = w[off];
		if ((l & 0xC0) == 0xC0)
			return off + 2 <= len ? off + 2 : 0;
		if (l & 0xC0)
			return 0;
		off += l + 1;
		if (l == 0)
			return off <= len ? off : 0;
	}
	return 0;
}

/* the serial of an answer to an SOA query: 1 and *serial, else 0 */
static int soa_serial(const unsigned char *w, size_t len, uint32_t *serial)
{
	if (len < 12 || ((w[6] << 8) | w[7]) == 0 || ((w[4] << 8) | w[5]) != 1)
		return 0;
	size_t off = skip_name(w, len, 12);
	if (!off || off + 4 > len || ((w[off] << 8) | w[off + 1]) != 6)
		return 0;
	off = skip_name(w, len, off + 4);
	if (!off || off + 10 > len)
		return 0;
	unsigned type = (w[off] << 8) | w[off + 1];
	size_t rdlen = ((size_t)w[off + 8] << 8) | w[off + 9];
	off += 10;
	if (type != 6 || off + rdlen > len)
		return 0;
	size_t end = off + rdlen;
	off = skip_name(w, end, off);
	if (off)
		off = skip_name(w, end, off);
	if (!off || off + 4 > end)
		return 0;
	*serial = ((uint32_t)w[off] << 24) | ((uint32_t)w[off + 1] << 16) | ((uint32_t)w[off + 2] << 8) |
		  w[off + 3];
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: xfrgap -p PORT -f QUERIES -s SERIAL [-m MAXSECS] [-t TAILSECS] "
			"[-r RATE] [-o OUT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int port = 0, opt;
	const char *qfile = NULL, *outpath = NULL;
	double maxsecs = 600, tail = 2, rate = 0;
	uint32_t want = 0;
	int have_want = 0;

	while ((opt = getopt(argc, argv, "p:f:s:m:t:r:o:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'f': qfile = optarg; break;
		case 's': want = (uint32_t)strtoul(optarg, NULL, 10); have_want = 1; break;
		case 'm': maxsecs = atof(optarg); break;
		case 't': tail = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'o': outpath = optarg; break;
		default: usage();
		}
	}
	if (port <= 0 || port > 65535 || !qfile || !have_want || !(maxsecs > 0 && maxsecs <= 3600) ||
	    !(tail >= 0 && tail <= 60) || !(rate >= 0 && rate <= 1e7))
		usage();

	struct q *qs;
	size_t nq;
	if (load(qfile, &qs, &nq) != 0) {
		fprintf(stderr, "xfrgap: cannot read queries from %s\n", qfile);
		return 1;
	}
	double (*gaps)[3] = malloc(sizeof(double[3]) * MAX_GAPS);
	if (!gaps) {
		fprintf(stderr, "xfrgap: out of memory\n");
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		fprintf(stderr, "xfrgap: socket: %s\n", strerror(errno));
		return 1;
	}

	unsigned long answers = 0, lost = 0, late = 0, other_after = 0, noerror = 0, nxdomain = 0,
		      other_rcode = 0;
	size_t ngaps = 0, qi = 0;
	double off = rt_offset();
	double start = now(), last = 0, max_gap = 0, max_gap_at = 0, max_wait = 0, serial_at = -1;
	double next_send = start, deadline = start + maxsecs;
	uint16_t id = (uint16_t)getpid();
	static unsigned char buf[65536];
	int ready = 0;

	while (!stop) {
		double t = now();
		if (t >= deadline || (serial_at >= 0 && t >= serial_at + tail))
			break;
		if (rate > 0 && t < next_send) {
			double d = next_send - t;
			struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
			nanosleep(&ts, NULL);
			continue;
		}
		struct q *cur = &qs[qi++ % nq];
		id++;
		cur->wire[0] = (unsigned char)(id >> 8);
		cur->wire[1] = (unsigned char)id;
		double sent = now();
		if (send(fd, cur->wire, cur->len, 0) < 0 && errno != EINTR && errno != ECONNREFUSED) {
			fprintf(stderr, "xfrgap: send: %s\n", strerror(errno));
			return 1;
		}
		if (rate > 0) {
			next_send += 1.0 / rate;
			if (next_send < t - 1)
				next_send = t;      /* no burst after a long pause */
		}
		for (;;) {
			int wait_ms = (int)((sent + LOST_MS / 1000.0 - now()) * 1000.0) + 1;
			struct pollfd p = { fd, POLLIN, 0 };
			int r = poll(&p, 1, wait_ms > 0 ? wait_ms : 0);
			if (r < 0 && errno == EINTR) {
				if (stop)
					break;
				continue;
			}
			if (r <= 0) {
				lost++;
				break;
			}
			double ta;
			ssize_t n = recv_ts(fd, buf, sizeof buf, off, &ta);
			if (n < 0) {
				if (errno == ECONNREFUSED || errno == EINTR)
					continue;
				fprintf(stderr, "xfrgap: recv: %s\n", strerror(errno));
				return 1;
			}
			if (n < 12)
				continue;
			int mine = ((buf[0] << 8) | buf[1]) == id;
			double w = mine ? ta - sent : 0;
			if (w > max_wait)
				max_wait = w;
			if (last > 0) {
				double g = ta - last;
				if (g >= 0.001 && ngaps < MAX_GAPS) {
					gaps[ngaps][0] = ta;
					gaps[ngaps][1] = g;
					gaps[ngaps][2] = w;
					ngaps++;
				}
				if (g > max_gap) {
					max_gap = g;
					max_gap_at = ta;
				}
			}
			if (ta > last)
				last = ta;
			answers++;
			if (!mine) {
				late++;             /* the answer to a query already counted lost */
				continue;
			}
			if ((buf[3] & 0x0F) == 0)
				noerror++;
			else if ((buf[3] & 0x0F) == 3)
				nxdomain++;
			else
				other_rcode++;
			uint32_t serial;
			if (soa_serial(buf, (size_t)n, &serial)) {
				if (serial == want && serial_at < 0)
					serial_at = ta;
				else if (serial != want && serial_at >= 0)
					other_after++;
			}
			if (!ready && answers >= 100) {
				ready = 1;
				fputs("ready\n", stderr);
				fflush(stderr);
			}
			break;
		}
	}

	FILE *out = outpath ? fopen(outpath, "w") : stdout;
	if (!out) {
		fprintf(stderr, "xfrgap: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	fprintf(out, "{\"answers\":%lu,\"lost\":%lu,\"late\":%lu,\"start\":%.6f,\"end\":%.6f,", answers, lost,
		late, start, now());
	if (serial_at >= 0)
		fprintf(out, "\"serial_at\":%.6f,", serial_at);
	else
		fprintf(out, "\"serial_at\":null,");
	fprintf(out, "\"other_serial_after\":%lu,\"noerror\":%lu,\"nxdomain\":%lu,\"other_rcode\":%lu,"
		     "\"max_gap\":%.6f,\"max_gap_at\":%.6f,\"max_wait\":%.6f,\"gaps\":[", other_after, noerror,
		nxdomain, other_rcode, max_gap, max_gap_at, max_wait);
	for (size_t i = 0; i < ngaps; i++)
		fprintf(out, "%s[%.6f,%.6f,%.6f]", i ? "," : "", gaps[i][0], gaps[i][1], gaps[i][2]);
	fprintf(out, "]}\n");
	if (out != stdout)
		fclose(out);
	return 0;
}

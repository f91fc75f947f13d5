/* xfrin — see xfrin.h */
#include "dnsd/xfrin.h"

#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "dnsd/tsig.h"

const char *const xfrin_kind_names[] = { "none", "AXFR", "IXFR" };

enum { R_NOERROR = 0, R_FORMERR = 1, R_NOTIMP = 4, R_REFUSED = 5, R_NOTAUTH = 9 };

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- requests ---- */

struct xreq {
	uint8_t *wire;
	size_t len;
	uint16_t id;
	uint8_t mac[TSIG_MAC_MAX];
	size_t mac_len;
};

static int build_request(const struct xfrin_req *q, ldns_rr_type type, struct xreq *out,
			 char *err, size_t errlen)
{
	ldns_rdf *name = ldns_dname_new_frm_str(q->zone);
	ldns_pkt *pkt = name ? ldns_pkt_query_new(name, type, LDNS_RR_CLASS_IN, 0) : NULL;
	int rc = -1;
	memset(out, 0, sizeof *out);
	if (!pkt) {
		snprintf(err, errlen, "cannot build the request");
		return -1;
	}
	uint16_t id;
	if (getentropy(&id, sizeof id) != 0)
		id = (uint16_t)(now_ms() ^ getpid());
	ldns_pkt_set_id(pkt, id);
	out->id = id;
	if (type == LDNS_RR_TYPE_IXFR) {
		char soa[1100];
		ldns_rr *rr = NULL;
		snprintf(soa, sizeof soa, "%s 0 IN SOA . . %u 0 0 0 0", q->zone, q->serial);
		if (ldns_rr_new_frm_str(&rr, soa, 0, NULL, NULL) != LDNS_STATUS_OK) {
			snprintf(err, errlen, "cannot build the IXFR request");
			goto out;
		}
		ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, rr);
	}
	if (ldns_pkt2wire(&out->wire, pkt, &out->len) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "cannot encode the request");
		goto out;
	}
	if (q->key) {
		size_t cap = out->len + 512;
		uint8_t *w = realloc(out->wire, cap);
		if (!w) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		out->wire = w;
		out->len = tsig_sign(q->key, w, out->len, cap, NULL, 0, false, time(NULL), out->mac,
				     &out->mac_len);
		if (!out->len) {
			snprintf(err, errlen, "TSIG: cannot sign the request with key %s", q->key->name);
			goto out;
		}
	}
	rc = 0;
out:
	ldns_pkt_free(pkt);
	if (rc < 0) {
		free(out->wire);
		out->wire = NULL;
	}
	return rc;
}

/* ---- sockets with deadlines ---- */

/* the job's stop flag (xfrin_req.cancel), seen by every wait below */
static __thread const atomic_bool *xfrin_cancel;

static int wait_fd(int fd, short ev, unsigned timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int64_t end = now_ms() + timeout_ms;
	for (;;) {
		int64_t left = end - now_ms();
		if (xfrin_cancel && atomic_load(xfrin_cancel)) {
			errno = ECANCELED;
			return -1;
		}
		if (left <= 0)
			return 0;
		/* in slices, so that a stop request is seen within 100 ms */
		int r = poll(&p, 1, left > 100 ? 100 : (int)left);
		if (r == 0)
			continue;
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int xsocket(const struct xfrin_req *q, int type, char *err, size_t errlen)
{
	const struct cfg_addr *a = q->primary;
	int fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* a transfer-source serves the primaries of its address family */
	if (q->source && q->source->family == a->family && bind(fd, (const struct sockaddr *)&q->source->ss, q->source->len) < 0) {
		snprintf(err, errlen, "transfer-source %s: %s", q->source->text, strerror(errno));
		close(fd);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0 && errno != EINPROGRESS) {
		snprintf(err, errlen, "connect %s: %s", a->text, strerror(errno));
		close(fd);
		return -1;
	}
	if (type == SOCK_STREAM) {
		int w = wait_fd(fd, POLLOUT, q->timeout_ms), so = 0;
		socklen_t sl = sizeof so;
		if (w <= 0) {
			snprintf(err, errlen, "connect %s: %s", a->text, w == 0 ? "timed out" : strerror(errno));
			close(fd);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) < 0 || so != 0) {
			snprintf(err, errlen, "connect %s: %s", a->text, strerror(so ? so : errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n, unsigned timeout_ms)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (wait_fd(fd, POLLOUT, timeout_ms) <= 0)
			return -1;
	}
	return 0;
}

/* 1 read, 0 EOF before anything, -1 error/timeout (errno) */
static int read_all(int fd, uint8_t *p, size_t n, unsigned timeout_ms)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = recv(fd, p + got, n - got, 0);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0) {
			if (got == 0)
				return 0;
			errno = ECONNRESET;
			return -1;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		int w = wait_fd(fd, POLLIN, timeout_ms);
		if (w <= 0) {
			if (w == 0)
				errno = ETIMEDOUT;
			return -1;
		}
	}
	return 1;
}

static int tcp_send(int fd, const struct xreq *r, unsigned timeout_ms)
{
	uint8_t l[2] = { (uint8_t)(r->len >> 8), (uint8_t)r->len };
	return write_all(fd, l, 2, timeout_ms) < 0 ? -1 : write_all(fd, r->wire, r->len, timeout_ms);
}

/* one framed message into buf (TCP_MSG_MAX); its length, 0 at EOF, -1 error */
static ssize_t tcp_recv(int fd, uint8_t *buf, unsigned timeout_ms)
{
	uint8_t l[2];
	int r = read_all(fd, l, 2, timeout_ms);
	if (r <= 0)
		return r;
	size_t n = (size_t)l[0] << 8 | l[1];
	if (n < 12) {
		errno = EPROTO;
		return -1;
	}
	if (read_all(fd, buf, n, timeout_ms) != 1)
		return -1;
	return (ssize_t)n;
}

/* ---- answers ---- */

static const char *rcode_name(unsigned r)
{
	static const char *const n[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
					 "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
					 "NOTZONE" };
	return r < sizeof n / sizeof n[0] ? n[r] : "rcode?";
}

/* header checks shared by every answer; -1 with a reason; *rcode set */
static int check_header(const uint8_t *m, size_t len, uint16_t id, unsigned *rcode, char *err,
			size_t errlen)
{
	if (len < 12 || !(m[2] & 0x80) || (uint16_t)(m[0] << 8 | m[1]) != id) {
		snprintf(err, errlen, "an answer that does not match the request (ID or QR)");
		return -1;
	}
	*rcode = m[3] & 0x0f;
	return 0;
}

/* ldns_wire2pkt() of an answer, after tsig_find() has checked where its
 * TSIG is: ldns 1.8.3 leaks the first of two TSIG records (its
 * ldns_pkt_set_tsig() overwrites) */
static ldns_status parse_answer(ldns_pkt **pkt, const uint8_t *buf, size_t n)
{
	struct tsig_rr t;
	if (tsig_find(buf, n, &t) < 0)
		return LDNS_STATUS_ERR;
	return ldns_wire2pkt(pkt, buf, n);
}

static uint32_t soa_serial(const ldns_rr *rr)
{
	return ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
}

static bool is_apex_soa(const ldns_rr *rr, const ldns_rdf *apex)
{
	return ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) == 7 &&
	       ldns_dname_compare(ldns_rr_owner(rr), apex) == 0;
}

int xfrin_soa(const struct xfrin_req *req, uint32_t *serial, char *err, size_t errlen)
{
	struct xfrin_req q = *req;
	xfrin_cancel = req->cancel;
	struct xreq rq;
	uint8_t *buf = malloc(65536);
	int fd = -1, rc = -1;
	ssize_t n = -1;
	if (!q.timeout_ms)
		q.timeout_ms = 10000;
	if (!buf || build_request(&q, LDNS_RR_TYPE_SOA, &rq, err, errlen) < 0) {
		free(buf);
		return -1;
	}
	/* UDP, one retry after a second, then TCP when truncated */
	if ((fd = xsocket(&q, SOCK_DGRAM, err, errlen)) < 0)
		goto out;
	for (int attempt = 0; attempt < 2 && n < 0; attempt++) {
		if (send(fd, rq.wire, rq.len, 0) < 0) {
			snprintf(err, errlen, "SOA query to %s: %s", q.primary->text, strerror(errno));
			goto out;
		}
		unsigned wait = attempt == 0 ? (q.timeout_ms < 1000 ? q.timeout_ms : 1000) : q.timeout_ms;
		while (wait_fd(fd, POLLIN, wait) > 0) {
			n = recv(fd, buf, 65535, 0);
			if (n < 0) {
				snprintf(err, errlen, "SOA query to %s: %s", q.primary->text,
					 strerror(errno));
				goto out;
			}
			if (n >= 12 && (uint16_t)(buf[0] << 8 | buf[1]) == rq.id)
				break;
			n = -1;	/* not ours: wait for the real answer */
		}
	}
	if (n < 0) {
		snprintf(err, errlen, "SOA query to %s: no answer (timed out)", q.primary->text);
		goto out;
	}
	if (buf[2] & 0x02) {
		close(fd);
		if ((fd = xsocket(&q, SOCK_STREAM, err, errlen)) < 0)
			goto out;
		if (tcp_send(fd, &rq, q.timeout_ms) < 0 || (n = tcp_recv(fd, buf, q.timeout_ms)) <= 0) {
			snprintf(err, errlen, "SOA query to %s over TCP: %s", q.primary->text,
				 n == 0 ? "connection closed" : strerror(errno));
			goto out;
		}
	}
	unsigned rcode;
	if (check_header(buf, (size_t)n, rq.id, &rcode, err, errlen) < 0)
		goto out;
	if (q.key) {
		uint16_t te;
		char e[300];
		if (tsig_verify_msg(q.key, buf, (size_t)n, rq.mac, rq.mac_len, time(NULL), &te, e,
				    sizeof e) < 0) {
			snprintf(err, errlen, "SOA answer from %s: %s", q.primary->text, e);
			goto out;
		}
	}
	if (rcode != R_NOERROR) {
		snprintf(err, errlen, "SOA query to %s: %s%s", q.primary->text, rcode_name(rcode),
			 rcode == R_NOTAUTH ? " (TSIG refused: does the primary know the key?)" : "");
		goto out;
	}
	ldns_pkt *pkt = NULL;
	if (parse_answer(&pkt, buf, (size_t)n) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "SOA answer from %s is malformed", q.primary->text);
		goto out;
	}
	ldns_rdf *apex = ldns_dname_new_frm_str(q.zone);
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	for (size_t i = 0; apex && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (is_apex_soa(rr, apex)) {
			*serial = soa_serial(rr);
			rc = 0;
			break;
		}
	}
	if (rc < 0)
		snprintf(err, errlen, "SOA answer from %s has no SOA for %s%s", q.primary->text,
			 q.zone, ldns_pkt_aa(pkt) ? "" :
			 " (not authoritative: is the zone loaded there?)");
	ldns_rdf_deep_free(apex);
	ldns_pkt_free(pkt);
out:
	if (fd >= 0)
		close(fd);
	free(rq.wire);
	free(buf);
	return rc;
}

/* ---- transfers ---- */

enum phase { P_FIRST, P_SECOND, P_AXFR, P_DEL, P_ADD, P_DONE };

struct xstate {
	const struct xfrin_req *q;
	struct xfrin_result *res;
	ldns_rdf *apex;
	enum phase ph;
	uint32_t first_serial;
	ldns_rr *first_soa;
	struct xfrin_delta *cur;
	size_t cap;
};

static int axfr_add(struct xstate *s, ldns_rr *rr, char *err, size_t errlen)
{
	int r = zread_add_rr(&s->res->R, rr, 0, (unsigned)s->res->records);
	if (r == -1)
		snprintf(err, errlen, "out of memory");
	else if (r < 0)
		snprintf(err, errlen, "%s", s->res->R.err);
	return r < 0 ? -1 : 0;
}

static int delta_new(struct xstate *s, uint32_t from, char *err, size_t errlen)
{
	struct xfrin_result *r = s->res;
	if (r->ndeltas == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		struct xfrin_delta *d = realloc(r->deltas, nc * sizeof *d);
		if (!d) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r->deltas = d;
		s->cap = nc;
	}
	s->cur = &r->deltas[r->ndeltas++];
	memset(s->cur, 0, sizeof *s->cur);
	s->cur->from = from;
	s->cur->del = ldns_rr_list_new();
	s->cur->add = ldns_rr_list_new();
	if (!s->cur->del || !s->cur->add) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* one answer record in stream order; takes rr over */
static int on_rr(struct xstate *s, ldns_rr *rr, char *err, size_t errlen)
{
	struct xfrin_result *res = s->res;
	bool soa = is_apex_soa(rr, s->apex);
	int rc = 0;
	res->records++;
	switch (s->ph) {
	case P_FIRST:
		if (!soa) {
			snprintf(err, errlen, "the answer does not start with the zone's SOA");
			rc = -1;
			break;
		}
		s->first_serial = res->serial = soa_serial(rr);
		s->first_soa = rr;
		rr = NULL;
		s->ph = P_SECOND;
		break;
	case P_SECOND:
		if (soa && s->q->have_serial && soa_serial(rr) == s->q->serial &&
		    s->first_serial != s->q->serial) {
			res->kind = XFRIN_IXFR;
			rc = delta_new(s, soa_serial(rr), err, errlen);
			s->ph = P_DEL;
			break;
		}
		/* a full zone: the first SOA and this record are its start */
		res->kind = XFRIN_AXFR;
		s->ph = P_AXFR;
		if (axfr_add(s, s->first_soa, err, errlen) < 0) {
			rc = -1;
			break;
		}
		if (soa && soa_serial(rr) == s->first_serial) {
			/* SOA SOA: an empty zone? (only the apex SOA) */
			s->ph = P_DONE;
			break;
		}
		rc = axfr_add(s, rr, err, errlen);
		break;
	case P_AXFR:
		if (soa) {
			if (soa_serial(rr) != s->first_serial) {
				snprintf(err, errlen, "AXFR: SOA serial %u inside a transfer of serial "
					 "%u", soa_serial(rr), s->first_serial);
				rc = -1;
			}
			s->ph = P_DONE;
			break;
		}
		rc = axfr_add(s, rr, err, errlen);
		break;
	case P_DEL:
		if (soa) {
			s->cur->to = soa_serial(rr);
			s->cur->soa = rr;
			rr = NULL;
			s->ph = P_ADD;
			break;
		}
		ldns_rr_list_push_rr(s->cur->del, rr);
		rr = NULL;
		break;
	case P_ADD:
		if (soa) {
			if (s->cur->to == s->first_serial && soa_serial(rr) == s->first_serial) {
				s->ph = P_DONE;
				break;
			}
			if (soa_serial(rr) != s->cur->to) {
				snprintf(err, errlen, "IXFR: difference from serial %u follows one "
					 "ending at %u", soa_serial(rr), s->cur->to);
				rc = -1;
				break;
			}
			rc = delta_new(s, soa_serial(rr), err, errlen);
			s->ph = P_DEL;
			break;
		}
		ldns_rr_list_push_rr(s->cur->add, rr);
		rr = NULL;
		break;
	case P_DONE:
		snprintf(err, errlen, "records after the final SOA");
		rc = -1;
		break;
	}
	if (rr)
		ldns_rr_free(rr);
	return rc;
}

/* ---- one answer stream, message by message ---- */

struct xfrin_stream {
	struct xstate s;
	bool ixfr;		/* the request is IXFR */
	uint16_t id;		/* the request's */
	struct tsig_stream ts;
	bool ts_on;
	const char *what;
};

struct xfrin_stream *xfrin_stream_new(const struct xfrin_req *q, bool ixfr, uint16_t id,
				      const uint8_t *req_mac, size_t req_mac_len, time_t now,
				      struct xfrin_result *res, char *err, size_t errlen)
{
	struct xfrin_stream *x = calloc(1, sizeof *x);
	if (!x || !(x->s.apex = ldns_dname_new_frm_str(q->zone))) {
		snprintf(err, errlen, "out of memory");
		free(x);
		return NULL;
	}
	x->s.q = q;
	x->s.res = res;
	x->ixfr = ixfr;
	x->id = id;
	x->what = ixfr ? "IXFR" : "AXFR";
	if (q->key) {
		if (tsig_stream_init(&x->ts, q->key, req_mac, req_mac_len, now, err, errlen) < 0) {
			xfrin_stream_free(x);
			return NULL;
		}
		x->ts_on = true;
	}
	return x;
}

void xfrin_stream_free(struct xfrin_stream *x)
{
	if (!x)
		return;
	if (x->ts_on)
		tsig_stream_free(&x->ts);
	ldns_rr_free(x->s.first_soa);	/* zread_add_rr() copied it */
	ldns_rdf_deep_free(x->s.apex);
	free(x);
}

enum xfrin_feed_rc xfrin_feed(struct xfrin_stream *x, const uint8_t *buf, size_t n, char *err,
			      size_t errlen)
{
	const struct xfrin_req *q = x->s.q;
	struct xfrin_result *res = x->s.res;
	const char *what = x->what;
	char e[400];

	if (x->s.ph == P_DONE) {
		snprintf(err, errlen, "%s from %s: records after the final SOA", what, q->primary->text);
		return XFRIN_FEED_ERROR;
	}
	res->messages++;
	res->bytes += n;
	unsigned rcode;
	if (check_header(buf, n, x->id, &rcode, e, sizeof e) < 0) {
		snprintf(err, errlen, "%s from %s: %s", what, q->primary->text, e);
		return XFRIN_FEED_ERROR;
	}
	if (x->ts_on && tsig_stream_msg(&x->ts, buf, n, e, sizeof e) < 0) {
		snprintf(err, errlen, "%s from %s: %s", what, q->primary->text, e);
		return XFRIN_FEED_ERROR;
	}
	if (rcode != R_NOERROR) {
		if (x->ixfr && res->messages == 1 &&
		    (rcode == R_NOTIMP || rcode == R_REFUSED || rcode == R_FORMERR)) {
			snprintf(err, errlen, "IXFR from %s: %s", q->primary->text, rcode_name(rcode));
			return XFRIN_FEED_FALLBACK;
		}
		snprintf(err, errlen, "%s from %s: %s%s", what, q->primary->text,
			 rcode_name(rcode), rcode == R_NOTAUTH ?
			 " (TSIG refused: does the primary know the key?)" :
			 rcode == R_REFUSED ? " (transfers to this node not allowed there?)" : "");
		return XFRIN_FEED_ERROR;
	}
	ldns_pkt *pkt = NULL;
	if (parse_answer(&pkt, buf, n) != LDNS_STATUS_OK) {
		snprintf(err, errlen, "%s from %s: message %zu is malformed", what, q->primary->text,
			 res->messages);
		return XFRIN_FEED_ERROR;
	}
	ldns_rr_list *an = ldns_pkt_answer(pkt);
	size_t cnt = ldns_rr_list_rr_count(an);
	int bad = 0;
	size_t i;
	for (i = 0; i < cnt && !bad; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		ldns_rr_list_set_rr(an, NULL, i);
		if (x->s.ph == P_DONE) {
			ldns_rr_free(rr);
			snprintf(e, sizeof e, "records after the final SOA");
			bad = 1;
		} else if (on_rr(&x->s, rr, e, sizeof e) < 0) {
			bad = 1;
		}
	}
	for (; i < cnt; i++)
		ldns_rr_free(ldns_rr_list_rr(an, i));	/* after an error: not taken over */
	ldns_rr_list_set_rr_count(an, 0);
	ldns_pkt_free(pkt);
	if (bad) {
		snprintf(err, errlen, "%s from %s: %s", what, q->primary->text, e);
		return XFRIN_FEED_ERROR;
	}
	if (cnt == 0) {
		snprintf(err, errlen, "%s from %s: an empty answer message", what, q->primary->text);
		return XFRIN_FEED_ERROR;
	}
	/* a one-record answer to IXFR: the SOA alone means "up to date" */
	if (x->s.ph == P_SECOND && x->ixfr && q->have_serial &&
	    (x->s.first_serial == q->serial || cnt == 1)) {
		if (x->s.first_serial == q->serial || (int32_t)(x->s.first_serial - q->serial) <= 0) {
			res->kind = XFRIN_UPTODATE;
			x->s.ph = P_DONE;
		}
	}
	return x->s.ph == P_DONE ? XFRIN_FEED_DONE : XFRIN_FEED_MORE;
}

int xfrin_stream_finish(struct xfrin_stream *x, char *err, size_t errlen)
{
	char e[400];
	if (x->s.ph != P_DONE) {
		snprintf(err, errlen, "%s from %s: the stream ended after %zu messages, %zu records: "
			 "the transfer was cut short", x->what, x->s.q->primary->text,
			 x->s.res->messages, x->s.res->records);
		return -1;
	}
	if (x->ts_on && tsig_stream_end(&x->ts, e, sizeof e) < 0) {
		snprintf(err, errlen, "%s from %s: %s", x->what, x->s.q->primary->text, e);
		return -1;
	}
	if (x->ts_on)
		x->s.res->signed_messages = x->ts.signed_msgs;
	return 0;
}

/* one request/answer stream over TCP; *fallback set when IXFR is not offered */
static int run(const struct xfrin_req *q, ldns_rr_type type, struct xfrin_result *res,
	       bool *fallback, char *err, size_t errlen)
{
	struct xreq rq;
	struct xfrin_stream *x = NULL;
	uint8_t *buf = malloc(65536);
	int fd = -1, rc = -1;
	const char *what = type == LDNS_RR_TYPE_IXFR ? "IXFR" : "AXFR";

	*fallback = false;
	memset(&rq, 0, sizeof rq);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (build_request(q, type, &rq, err, errlen) < 0)
		goto out;
	x = xfrin_stream_new(q, type == LDNS_RR_TYPE_IXFR, rq.id, rq.mac, rq.mac_len, time(NULL),
			     res, err, errlen);
	if (!x)
		goto out;
	if ((fd = xsocket(q, SOCK_STREAM, err, errlen)) < 0)
		goto out;
	if (tcp_send(fd, &rq, q->timeout_ms) < 0) {
		snprintf(err, errlen, "%s request to %s: %s", what, q->primary->text, strerror(errno));
		goto out;
	}
	enum xfrin_feed_rc f = XFRIN_FEED_MORE;
	while (f == XFRIN_FEED_MORE) {
		ssize_t n = tcp_recv(fd, buf, q->timeout_ms);
		if (n <= 0) {
			snprintf(err, errlen, "%s from %s: %s after %zu messages, %zu records: the "
				 "transfer was cut short", what, q->primary->text,
				 n == 0 ? "connection closed" : strerror(errno), res->messages,
				 res->records);
			goto out;
		}
		f = xfrin_feed(x, buf, (size_t)n, err, errlen);
		if (f == XFRIN_FEED_FALLBACK)
			*fallback = true;
	}
	if (f != XFRIN_FEED_DONE || xfrin_stream_finish(x, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	xfrin_stream_free(x);
	if (fd >= 0)
		close(fd);
	free(rq.wire);
	free(buf);
	return rc;
}

static void result_reset(struct xfrin_result *res)
{
	for (size_t i = 0; i < res->ndeltas; i++) {
		ldns_rr_list_deep_free(res->deltas[i].del);
		ldns_rr_list_deep_free(res->deltas[i].add);
		ldns_rr_free(res->deltas[i].soa);
	}
	free(res->deltas);
	res->deltas = NULL;
	res->ndeltas = 0;
	if (res->have_R)
		zread_free(&res->R);
	res->have_R = false;
}

int xfrin_result_init(const struct xfrin_req *q, struct xfrin_result *res, const char *what,
		      char *err, size_t errlen)
{
	result_reset(res);
	memset(res, 0, sizeof *res);
	snprintf(res->source_name, sizeof res->source_name, "%s from %s", what, q->primary->text);
	if (zread_init(&res->R, q->zone, err, errlen) < 0)
		return -1;
	res->R.files[0] = res->source_name;
	res->have_R = true;
	return 0;
}

int xfrin_transfer(const struct xfrin_req *req, struct xfrin_result *res, char *err,
		   size_t errlen)
{
	struct xfrin_req q = *req;
	bool fallback = false;
	xfrin_cancel = req->cancel;
	if (!q.timeout_ms)
		q.timeout_ms = 10000;
	memset(res, 0, sizeof *res);
	if (q.have_serial && !q.axfr_only) {
		if (xfrin_result_init(&q, res, "IXFR", err, errlen) < 0)
			return -1;
		if (run(&q, LDNS_RR_TYPE_IXFR, res, &fallback, err, errlen) == 0)
			return 0;
		if (!fallback)
			return -1;
	}
	if (xfrin_result_init(&q, res, "AXFR", err, errlen) < 0)
		return -1;
	q.have_serial = false;
	if (run(&q, LDNS_RR_TYPE_AXFR, res, &fallback, err, errlen) < 0)
		return -1;
	res->ixfr_fell_back = req->have_serial && !req->axfr_only;
	return 0;
}

void xfrin_result_free(struct xfrin_result *res)
{
	result_reset(res);
}

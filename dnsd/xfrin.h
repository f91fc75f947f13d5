/*
 * xfrin — the client side of zone transfers: ask a primary for its SOA,
 * then for the zone by IXFR (RFC 1995) or AXFR (RFC 5936), over TCP.
 *
 * Contract: xfrin_soa() and xfrin_transfer() do blocking network I/O with
 * a deadline per step (connect, each read, each write: req->timeout_ms),
 * give up within 100 ms once *req->cancel is set, and must run in a job
 * thread, never in a loop that answers queries or serves the control
 * socket.  Requests are built and signed with ldns; with a key,
 * every answer message is verified (tsig.h streams: first and last message
 * signed, at most 99 unsigned in between, time within the fudge) and an
 * unsigned or badly signed answer is an error.  Each message must carry the
 * request's ID, QR, rcode NOERROR and, in the first, the zone's question.
 *
 * xfrin_transfer() asks for IXFR when req->have_serial is set (AXFR
 * otherwise, or when req->axfr_only).  A primary that answers IXFR with
 * NOTIMP, REFUSED or FORMERR (no IXFR there) is asked again by AXFR on a
 * new connection.  The result is either "up to date" (the primary's serial
 * is not newer), a full zone (AXFR, or an IXFR answered in AXFR form) read
 * into a struct zread ready for zone_build(), or the IXFR difference
 * sequences (struct xfrin_ixfr, ldns records, applied by ixfr.h).  Errors
 * are one NOC-readable line ("connect 127.0.0.1@5300: Connection refused",
 * "AXFR: the last record is not the SOA: the transfer was cut short").
 *
 * The answer stream itself is a struct xfrin_stream fed one message at a
 * time (xfrin_feed(): header, TSIG stream, parse, the SOA ... SOA state
 * machine), with no I/O: xfrin_transfer() feeds it what it reads from the
 * socket, the fuzz harness (fuzz/fuzz_xfrin.c) arbitrary bytes.  A stream
 * belongs to one thread.
 */
#ifndef RAIZ_DNSD_XFRIN_H
#define RAIZ_DNSD_XFRIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnsd/zread.h"

struct cfg_addr;
struct tsig_key;
struct ldns_struct_rr_list;

struct xfrin_req {
	const char *zone;                  /* presentation, absolute */
	const struct cfg_addr *primary;
	const struct cfg_addr *source;     /* NULL: any */
	const struct tsig_key *key;        /* NULL: unsigned */
	bool have_serial;                  /* we hold a copy with this serial */
	uint32_t serial;
	bool axfr_only;
	unsigned timeout_ms;               /* per step; default 10 s */
	const _Atomic bool *cancel;        /* set: give up within 100 ms (ECANCELED) */
};

/* the SOA serial the primary serves (UDP, TCP when truncated) */
int xfrin_soa(const struct xfrin_req *req, uint32_t *serial, char *err, size_t errlen);

/* one IXFR difference sequence: from_serial -> to_serial */
struct xfrin_delta {
	uint32_t from, to;
	struct ldns_struct_rr_list *del, *add;  /* without the SOA records */
	struct ldns_struct_rr *soa;             /* the new SOA */
};

enum xfrin_kind { XFRIN_UPTODATE, XFRIN_AXFR, XFRIN_IXFR };
extern const char *const xfrin_kind_names[];

struct xfrin_result {
	enum xfrin_kind kind;
	uint32_t serial;                   /* the primary's */
	struct zread R;                    /* XFRIN_AXFR: the zone's records */
	bool have_R;
	struct xfrin_delta *deltas;        /* XFRIN_IXFR */
	size_t ndeltas;
	size_t messages, bytes, records;
	unsigned signed_messages;          /* messages whose TSIG was verified */
	bool ixfr_fell_back;               /* asked IXFR, got NOTIMP/REFUSED: AXFR done */
	char source_name[96];              /* "AXFR from 127.0.0.1@5300" (R.files[0]) */
};

int xfrin_transfer(const struct xfrin_req *req, struct xfrin_result *res, char *err,
		   size_t errlen);
void xfrin_result_free(struct xfrin_result *res);

/* make res (zeroed, or holding an earlier result, which is freed) ready
 * for a stream's records; what is "AXFR" or "IXFR" (res->source_name) */
int xfrin_result_init(const struct xfrin_req *req, struct xfrin_result *res, const char *what,
		      char *err, size_t errlen);

/* the answer stream to one request (ID id; with req->key, the request's
 * MAC, and now for the TSIG time checks) into res, made ready by
 * xfrin_result_init(); NULL with a reason */
struct xfrin_stream;
struct xfrin_stream *xfrin_stream_new(const struct xfrin_req *req, bool ixfr, uint16_t id,
				      const uint8_t *req_mac, size_t req_mac_len, time_t now,
				      struct xfrin_result *res, char *err, size_t errlen);
enum xfrin_feed_rc {
	XFRIN_FEED_MORE,	/* give the next message */
	XFRIN_FEED_DONE,	/* the stream is complete: xfrin_stream_finish() */
	XFRIN_FEED_ERROR,	/* the reason in err; the stream is over */
	XFRIN_FEED_FALLBACK,	/* IXFR answered NOTIMP/REFUSED/FORMERR: ask by AXFR */
};
/* one message of the answer (without the TCP length) */
enum xfrin_feed_rc xfrin_feed(struct xfrin_stream *x, const uint8_t *msg, size_t len, char *err,
			      size_t errlen);
/* after XFRIN_FEED_DONE: the last TSIG checks; 0, or -1 with a reason */
int xfrin_stream_finish(struct xfrin_stream *x, char *err, size_t errlen);
void xfrin_stream_free(struct xfrin_stream *x);

#endif

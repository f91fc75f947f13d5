/*
 * tsig — transaction signatures (RFC 8945) for zone transfers, NOTIFY and
 * signed queries.
 *
 * Contract: a struct tsig_key is a configured key made ready for use
 * (tsig_key_init(): secret decoded, algorithm known).  tsig_sign() signs a
 * message in wire form; tsig_verify_msg() verifies one (NOTIFY, a query, a
 * UDP SOA answer), checking key name, algorithm, the time against the
 * fudge and the TSIG error the peer put in; a struct tsig_stream verifies
 * a transfer's answer messages in order.
 *
 * Why not ldns's TSIG functions: RFC 8945 section 5.3.1 lets a primary
 * leave up to 99 messages in a row unsigned (NSD signs only every 96th),
 * each covered by the MAC of the next signed one, and ldns's _next
 * functions hash one message at a time; ldns 1.8.3 also misspells
 * hmac-sha384 ("hmac-shac384.") and so can neither sign nor verify it, and
 * its verify does not compare the key name the TSIG record names.  The MAC
 * is therefore computed here with OpenSSL's HMAC over exactly the bytes
 * RFC 8945 names (one function for signing and verifying), and the tests
 * check it against messages signed by ldns and against NSD and Knot.  The
 * first and the last message of a stream must be signed.  Errors are one line a NOC engineer
 * can act on ("TSIG: bad signature (BADSIG) on message 3").
 *
 * All of it is plain computation on caller buffers: callable from any
 * thread; a stream belongs to one thread.
 */
#ifndef RAIZ_DNSD_TSIG_H
#define RAIZ_DNSD_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dnsd/dname.h"

struct cfg_tsig;
struct evp_mac_ctx_st;

enum { TSIG_MAC_MAX = 64, TSIG_FUDGE = 300, TSIG_MAX_UNSIGNED = 99 };
enum { TSIG_TYPE = 250 };
/* TSIG error codes (RFC 8945 section 3) */
enum { TSIG_BADSIG = 16, TSIG_BADKEY = 17, TSIG_BADTIME = 18, TSIG_BADTRUNC = 22 };

struct tsig_key {
	char name[DNAME_MAX * 4 + 1];  /* presentation, absolute */
	uint8_t wire[DNAME_MAX];        /* lowercase wire form */
	size_t wire_len;
	char alg[32];                  /* "hmac-sha256." */
	uint8_t alg_wire[32];
	size_t alg_wire_len;
	const char *md;                /* OpenSSL digest name */
	char b64[360];                 /* the secret as configured (ldns wants base64) */
	uint8_t secret[256];
	size_t secret_len;
};

int tsig_key_init(struct tsig_key *k, const struct cfg_tsig *c, char *err, size_t errlen);

/* where a message's TSIG record is: filled by tsig_find() */
struct tsig_rr {
	size_t start;          /* offset of the TSIG RR (the message without it ends here) */
	uint8_t key[DNAME_MAX];/* key name, wire, lowercase */
	size_t key_len;
	uint8_t alg[DNAME_MAX];
	size_t alg_len;
	uint64_t time_signed;
	uint16_t fudge, mac_len, orig_id, error, other_len;
	const uint8_t *mac, *other;
};
/* 1 and *t filled when the last record of the message is a TSIG, 0 when
 * there is none, -1 when the message is malformed or a TSIG is misplaced */
int tsig_find(const uint8_t *msg, size_t len, struct tsig_rr *t);

/* name of a TSIG error code, "BADSIG" etc.; "rcode N" for others */
const char *tsig_error_name(uint16_t e);

/* verify a single message (a NOTIFY, a query, a UDP SOA answer) with ldns;
 * req_mac for an answer to our signed request.  0 ok; -1 with a reason,
 * *tsig_error set to the TSIG error an answer to it should carry */
int tsig_verify_msg(const struct tsig_key *k, const uint8_t *msg, size_t len,
		    const uint8_t *req_mac, size_t req_mac_len, time_t now, uint16_t *tsig_error,
		    char *err, size_t errlen);

/* sign the message in msg (len bytes, room for cap): append the TSIG
 * record (request: req_mac NULL; answer: the request's MAC; a later
 * message of a stream: the previous message's MAC and timers_only); the
 * new length, or 0 when it does not fit.  The MAC goes to mac_out when
 * given (TSIG_MAC_MAX bytes). */
size_t tsig_sign(const struct tsig_key *k, uint8_t *msg, size_t len, size_t cap,
		 const uint8_t *req_mac, size_t req_mac_len, bool timers_only, time_t now,
		 uint8_t *mac_out, size_t *mac_len);
/* append to the answer in out (len bytes) the unsigned TSIG record that
 * tells the requester `error` (BADKEY, BADSIG, BADTIME); the new length */
size_t tsig_error_answer(uint8_t *out, size_t len, size_t cap, const struct tsig_rr *q,
			 uint16_t error, time_t now);

/* the verification of a multi-message answer to a signed request */
struct tsig_stream {
	const struct tsig_key *key;
	struct evp_mac_ctx_st *ctx;     /* open over the messages since the last signed one */
	uint8_t prev_mac[TSIG_MAC_MAX]; /* the request's, then the last verified MAC */
	size_t prev_mac_len;
	unsigned msgs, unsigned_run;
	unsigned signed_msgs;
	bool last_signed;
	bool timers_only;	/* its first message is not the first of the exchange */
	time_t now;
};
int tsig_stream_init(struct tsig_stream *s, const struct tsig_key *k, const uint8_t *req_mac,
		     size_t req_mac_len, time_t now, char *err, size_t errlen);
/* each message in order; 0 ok, -1 with a reason */
int tsig_stream_msg(struct tsig_stream *s, const uint8_t *msg, size_t len, char *err,
		    size_t errlen);
/* after the last message: it must have been signed */
int tsig_stream_end(struct tsig_stream *s, char *err, size_t errlen);
void tsig_stream_free(struct tsig_stream *s);

#endif

/*
 * fuzz_tsig — TSIG (dnsd/tsig.h) on arbitrary messages: tsig_find(),
 * tsig_verify_msg(), a tsig_stream over a sequence of messages, and
 * tsig_error_answer() for what tsig_find() found.
 *
 * Input: one flags byte, then framed messages (fuzz_util.h).
 *   bits 0-1  the key: xfr-key (hmac-sha256), query-key (hmac-sha512),
 *             then the xfr-key secret with hmac-sha1 and hmac-sha384
 *   bit  2    the clock is the first message's TSIG time (a captured
 *             exchange verifies), else now
 * The first message is verified alone and is the request of the stream:
 * its MAC (when it has a TSIG) starts the stream over the others.
 * Oracles besides the sanitizers: an error answer built from a found TSIG
 * is found again with the same key, algorithm and error; a well-formed
 * unsigned message signed by tsig_sign() verifies, alone and as a stream
 * (first and later messages, RFC 8945 section 5.3.1).
 */
#include <stdlib.h>
#include <time.h>

#include "dnsd/dname.h"
#include "fuzz/fuzz_util.h"

static struct tsig_key keys[4];

/* a name at *pos that dname_parse() takes and whose compression pointers
 * stay out of the header: signing changes ARCOUNT, so a name pointing
 * into the header would read differently once signed */
static bool name_ok(const uint8_t *m, size_t len, size_t *pos)
{
	uint8_t name[DNAME_MAX];
	size_t p = *pos;
	for (unsigned hops = 0; p < len && hops < 256;) {
		uint8_t l = m[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= len || ((size_t)(l & 0x3f) << 8 | m[p + 1]) < 12)
				return false;
			p = (size_t)(l & 0x3f) << 8 | m[p + 1];
			hops++;
			continue;
		}
		if (l == 0)
			break;
		p += (size_t)l + 1;
	}
	return dname_parse(m, len, pos, name, true) != 0;
}

/* is the message one we would sign: it ends where its last record ends
 * (tsig_sign() appends the TSIG at the end: after trailing bytes it would
 * not be found), no name points into the header? */
static bool exact_end(const uint8_t *m, size_t len)
{
	size_t pos = 12;
	unsigned qd = (unsigned)(m[4] << 8 | m[5]);
	unsigned rrs = (unsigned)(m[6] << 8 | m[7]) + (unsigned)(m[8] << 8 | m[9]) +
		       (unsigned)(m[10] << 8 | m[11]);
	for (unsigned i = 0; i < qd; i++) {
		if (!name_ok(m, len, &pos) || pos + 4 > len)
			return false;
		pos += 4;
	}
	for (unsigned i = 0; i < rrs; i++) {
		if (!name_ok(m, len, &pos) || pos + 10 > len)
			return false;
		pos += 10 + (size_t)(m[pos + 8] << 8 | m[pos + 9]);
		if (pos > len)
			return false;
	}
	return pos == len;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log();
	fuzz_key(&keys[0], FUZZ_XFR_KEY, "hmac-sha256", FUZZ_XFR_SECRET);
	fuzz_key(&keys[1], FUZZ_QUERY_KEY, "hmac-sha512", FUZZ_QUERY_SECRET);
	fuzz_key(&keys[2], FUZZ_XFR_KEY, "hmac-sha1", FUZZ_XFR_SECRET);
	fuzz_key(&keys[3], FUZZ_XFR_KEY, "hmac-sha384", FUZZ_XFR_SECRET);
	return 0;
}

enum { MAXMSG = 64 };

static void fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_tsig: %s: %s\n", what, err);
	abort();
}

/* the error answer to a found TSIG carries it back */
static void check_error_answer(const uint8_t *msg, const struct tsig_rr *t)
{
	static const uint16_t errs[] = { TSIG_BADSIG, TSIG_BADKEY, TSIG_BADTIME };
	uint8_t out[12 + 2 * DNAME_MAX + 64];
	for (size_t i = 0; i < 3; i++) {
		memcpy(out, msg, 12);
		out[2] |= 0x80;
		memset(out + 4, 0, 8);
		size_t n = tsig_error_answer(out, 12, sizeof out, t, errs[i], time(NULL));
		struct tsig_rr back;
		if (n <= 12 || tsig_find(out, n, &back) != 1)
			fail("error answer", "its TSIG is not found");
		if (back.error != errs[i] || back.key_len != t->key_len ||
		    memcmp(back.key, t->key, t->key_len) != 0 || back.alg_len != t->alg_len ||
		    memcmp(back.alg, t->alg, t->alg_len) != 0 || back.orig_id != t->orig_id)
			fail("error answer", "it does not carry the request's TSIG back");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const struct tsig_key *k = &keys[data[0] & 3];
	bool replay = data[0] & 4;
	const uint8_t *p = data + 1, *m;
	size_t left = size - 1, len;
	uint8_t *msgs[MAXMSG];
	size_t lens[MAXMSG], nmsg = 0;
	/* each message in a buffer of its own size: reads past it are caught */
	while (nmsg < MAXMSG && fuzz_next(&p, &left, &m, &len)) {
		msgs[nmsg] = malloc(len ? len : 1);
		if (!msgs[nmsg])
			goto out;
		memcpy(msgs[nmsg], m, len);
		lens[nmsg++] = len;
	}
	if (!nmsg)
		return 0;

	struct tsig_rr t, first;
	memset(&first, 0, sizeof first);
	int found[MAXMSG];
	for (size_t i = 0; i < nmsg; i++) {
		found[i] = tsig_find(msgs[i], lens[i], &t);
		if (found[i] == 1) {
			/* (bytes after the TSIG record are let be: they are not read) */
			if (t.start + 11 > lens[i] || t.mac + t.mac_len > msgs[i] + lens[i] ||
			    t.other + t.other_len > msgs[i] + lens[i])
				fail("tsig_find", "the record points outside the message");
			check_error_answer(msgs[i], &t);
		}
		if (i == 0 && found[0] == 1)
			first = t;
	}
	time_t now = replay && found[0] == 1 ? (time_t)first.time_signed : time(NULL);

	char err[400];
	uint16_t terr;
	tsig_verify_msg(k, msgs[0], lens[0], NULL, 0, now, &terr, err, sizeof err);

	struct tsig_stream s;
	const uint8_t *rmac = found[0] == 1 ? first.mac : NULL;
	size_t rmac_len = found[0] == 1 ? first.mac_len : 0;
	if (tsig_stream_init(&s, k, rmac, rmac_len, now, err, sizeof err) == 0) {
		int rc = 0;
		for (size_t i = 1; i < nmsg && rc == 0; i++)
			rc = tsig_stream_msg(&s, msgs[i], lens[i], err, sizeof err);
		if (rc == 0)
			tsig_stream_end(&s, err, sizeof err);
		tsig_stream_free(&s);
	}

	/* what we sign verifies: the well-formed unsigned messages, signed as
	 * a request and then as the answer stream to it */
	uint8_t req_mac[TSIG_MAC_MAX], mac[TSIG_MAC_MAX];
	size_t req_mac_len = 0, mac_len = 0, signed_n = 0;
	bool have_req = false;
	now = time(NULL);
	for (size_t i = 0; i < nmsg; i++) {
		if (found[i] != 0 || lens[i] < 12 || !exact_end(msgs[i], lens[i]))
			continue;
		size_t cap = lens[i] + 512;
		uint8_t *w = malloc(cap);
		if (!w)
			break;
		memcpy(w, msgs[i], lens[i]);
		size_t n;
		if (!have_req) {
			n = tsig_sign(k, w, lens[i], cap, NULL, 0, false, now, req_mac, &req_mac_len);
			if (!n)
				fail("tsig_sign", "cannot sign a well-formed message");
			if (tsig_verify_msg(k, w, n, NULL, 0, now, &terr, err, sizeof err) < 0)
				fail("our signed request does not verify", err);
			have_req = true;
			if (tsig_stream_init(&s, k, req_mac, req_mac_len, now, err, sizeof err) < 0)
				fail("tsig_stream_init", err);
			memcpy(mac, req_mac, req_mac_len);
			mac_len = req_mac_len;
		} else {
			size_t ml = 0;
			uint8_t nm[TSIG_MAC_MAX];
			n = tsig_sign(k, w, lens[i], cap, mac, mac_len, signed_n > 0, now, nm, &ml);
			if (!n)
				fail("tsig_sign", "cannot sign a well-formed answer");
			if (signed_n == 0 &&
			    tsig_verify_msg(k, w, n, req_mac, req_mac_len, now, &terr, err, sizeof err) < 0)
				fail("our signed answer does not verify", err);
			if (tsig_stream_msg(&s, w, n, err, sizeof err) < 0)
				fail("our signed stream does not verify", err);
			memcpy(mac, nm, ml);
			mac_len = ml;
			signed_n++;
		}
		free(w);
	}
	if (have_req) {
		if (signed_n && tsig_stream_end(&s, err, sizeof err) < 0)
			fail("tsig_stream_end", err);
		tsig_stream_free(&s);
	}
out:
	for (size_t i = 0; i < nmsg; i++)
		free(msgs[i]);
	return 0;
}

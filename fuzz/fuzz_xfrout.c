/*
 * fuzz_xfrout — zone transfers out (dnsd/xfrout.h): xfrout_start() on an
 * arbitrary request, then xfrout_next() until the stream ends.
 *
 * Input: one flags byte, then the request.
 *   bits 0-1  the peer (fuzz_util.h); 127.0.0.1 and ::1 are in example.'s
 *             allow-transfer, 127.0.0.1 and the stranger in file.test.'s
 *   bit  2    the harness signs the request first with xfr-key (the key
 *             example. requires), so that mutated signed requests get
 *             past the TSIG check
 * The snapshot is fuzz_dispatch's: example. a secondary with its key and a
 * copy, file.test. a file zone.
 * Oracles: every message of a stream parses (ldns), is at most
 * XFROUT_MSG_MAX bytes plus the TSIG, and a signed stream verifies with the
 * key (tsig_stream, as a secondary would); the stream ends.
 */
#include <ldns/ldns.h>
#include <stdlib.h>
#include <time.h>

#include "dnsd/dispatch.h"
#include "dnsd/snapshot.h"
#include "dnsd/xfrout.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"
#include "fuzz/fuzz_util.h"

static struct snapshot *snap;
static struct tsig_key key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log();
	snap = fuzz_snapshot("fuzz_xfrout");
	fuzz_key(&key, FUZZ_XFR_KEY, "hmac-sha256", FUZZ_XFR_SECRET);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[65535 + 512], out[XFROUT_MSG_MAX + 512];
	if (size < 1 || size - 1 > 65535)
		return 0;
	uint8_t flags = data[0];
	size_t len = size - 1;
	memcpy(pkt, data + 1, len);
	uint8_t req_mac[TSIG_MAC_MAX];
	size_t req_mac_len = 0;
	bool signed_req = false;
	if (flags & 4) {
		size_t n = tsig_sign(&key, pkt, len, sizeof pkt, NULL, 0, false, time(NULL), req_mac,
				     &req_mac_len);
		if (n) {
			len = n;
			signed_req = true;
		}
	}
	struct tsig_rr rt;
	if (!signed_req && tsig_find(pkt, len, &rt) == 1 && rt.mac_len <= TSIG_MAC_MAX) {
		/* signed by its sender: answered signed if it verifies */
		memcpy(req_mac, rt.mac, rt.mac_len);
		req_mac_len = rt.mac_len;
		signed_req = true;
	}
	struct sockaddr_storage ss;
	fuzz_peer(flags & 3, &ss);
	uint8_t *in = malloc(len ? len : 1);
	if (!in)
		return 0;
	memcpy(in, pkt, len);
	struct xfrout *x = NULL;
	size_t outlen = 0;
	enum xfrout_verdict v = xfrout_start(snap, in, len, (const struct sockaddr *)&ss, out,
					     sizeof out, &outlen, &x);
	free(in);
	if (v != XFROUT_STREAM) {
		log_debug("fuzz_xfrout: %s, rcode %d", v == XFROUT_NOT_XFR ? "not a transfer" : "answered",
			  outlen >= 12 ? out[3] & 15 : -1);
		if (x || outlen > sizeof out || (v == XFROUT_NOT_XFR && outlen))
			abort();
		return 0;
	}
	/* a signed stream is verified the way a secondary would (a signed
	 * request for a zone without a key is answered unsigned) */
	struct tsig_stream ts;
	struct tsig_rr t;
	char err[400];
	bool verify = false;
	size_t n, msgs = 0;
	while ((n = xfrout_next(x, out, sizeof out)) > 0) {
		if (++msgs > 10000 || n > sizeof out)
			abort();	/* the zones are small: a stream that does not end */
		if (msgs == 1 && signed_req && tsig_find(out, n, &t) == 1) {
			verify = true;
			if (tsig_stream_init(&ts, &key, req_mac, req_mac_len, time(NULL), err,
					     sizeof err) < 0)
				abort();
		}
		ldns_pkt *p = NULL;
		if (ldns_wire2pkt(&p, out, n) != LDNS_STATUS_OK) {
			fprintf(stderr, "fuzz_xfrout: message %zu does not parse\n", msgs);
			abort();
		}
		ldns_pkt_free(p);
		if (verify && tsig_stream_msg(&ts, out, n, err, sizeof err) < 0) {
			fprintf(stderr, "fuzz_xfrout: our own stream does not verify: %s\n", err);
			abort();
		}
	}
	if (verify) {
		if (tsig_stream_end(&ts, err, sizeof err) < 0) {
			fprintf(stderr, "fuzz_xfrout: %s\n", err);
			abort();
		}
		tsig_stream_free(&ts);
	}
	log_debug("fuzz_xfrout: %zu messages%s", msgs, verify ? ", signed" : "");
	xfrout_free(x);
	return 0;
}

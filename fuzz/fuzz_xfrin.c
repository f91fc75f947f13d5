/*
 * fuzz_xfrin — the answer stream of a zone transfer (dnsd/xfrin.h:
 * xfrin_feed(), the messages a primary sends) and what is built from it:
 * zone_build() for a full zone, ixfr_apply() (dnsd/ixfr.h) for IXFR
 * differences against a copy of example. at serial 1.
 *
 * Input: one flags byte, then framed messages (fuzz_util.h): the request
 * as sent (its ID is the one the answers must carry; with a TSIG, its MAC
 * starts the answers' chain and its time is the clock), then the answers.
 *   bit  0    the request is IXFR (have_serial) from the serial of the SOA
 *             in the request, 1 (the copy's) when it has none; else AXFR
 *   bit  1    the transfer is signed with xfr-key: every answer verified
 *   bit  2    (with bit 1) the harness signs the request and the answers
 *             itself, so that mutated answers get past TSIG; bit 3 then
 *             signs only the first, the last and every 50th answer, the
 *             others covered by the next MAC (RFC 8945 section 5.3.1)
 * An IXFR answered NOTIMP/REFUSED/FORMERR goes on as xfrin_transfer()
 * does: the messages left are the answer to an AXFR.
 * Oracles besides the sanitizers: a zone built from a complete stream has
 * the stream's serial; an IXFR applied by a splice (dnsd/zsplice.h) and by
 * a rebuild fails or succeeds alike, and the two zones are the same
 * (zsplice_same()).
 */
#include <ldns/ldns.h>
#include <stdlib.h>
#include <time.h>

#include "dnsd/ixfr.h"
#include "dnsd/xfrin.h"
#include "dnsd/zone.h"
#include "dnsd/zsplice.h"
#include "fuzz/fuzz_util.h"

static struct zone *old;
static struct tsig_key key;
static struct cfg_addr primary;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/raiz-fuzz-XXXXXX", err[512];
	fuzz_log();
	if (!mkdtemp(dir))
		exit(2);
	char *copy = fuzz_write(dir, "example.zone", FUZZ_ZONE_V1);
	if (!copy)
		exit(2);
	old = zone_load("example.", copy, err, sizeof err);
	unlink(copy);
	rmdir(dir);
	free(copy);
	if (!old) {
		fprintf(stderr, "fuzz_xfrin: %s\n", err);
		exit(2);
	}
	fuzz_key(&key, FUZZ_XFR_KEY, "hmac-sha256", FUZZ_XFR_SECRET);
	primary.family = AF_INET;
	snprintf(primary.text, sizeof primary.text, "127.0.0.1@5300");
	return 0;
}

enum { MAXMSG = 256 };

/* the serial of the SOA in the request's authority section (IXFR); not
 * when tsig_find() refuses it: ldns 1.8.3 leaks the first of two TSIGs */
static void request_serial(const uint8_t *m, size_t len, uint32_t *serial)
{
	ldns_pkt *p = NULL;
	struct tsig_rr t;
	if (tsig_find(m, len, &t) < 0 || ldns_wire2pkt(&p, m, len) != LDNS_STATUS_OK)
		return;
	ldns_rr_list *ns = ldns_pkt_authority(p);
	if (ldns_rr_list_rr_count(ns) > 0) {
		ldns_rr *rr = ldns_rr_list_rr(ns, 0);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) == 7)
			*serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
	}
	ldns_pkt_free(p);
}

/* the finished transfer, compiled the way xfrd does */
static void build(const struct xfrin_result *res)
{
	char err[600];
	struct zone *z = NULL;
	if (res->kind == XFRIN_AXFR) {
		z = zone_build("example.", (struct zread *)&res->R, err, sizeof err);
	} else if (res->kind == XFRIN_IXFR) {
		struct ixfr_stats st;
		char err2[600], why[300];
		ixfr_how = IXFR_REBUILD;
		struct zone *r = ixfr_apply(old, res->deltas, res->ndeltas, res->source_name, &st,
					    err2, sizeof err2);
		ixfr_how = IXFR_SPLICE;
		z = ixfr_apply(old, res->deltas, res->ndeltas, res->source_name, &st, err, sizeof err);
		ixfr_how = IXFR_AUTO;
		if ((r == NULL) != (z == NULL) || (r && !zsplice_same(z, r, why, sizeof why))) {
			fprintf(stderr, "fuzz_xfrin: IXFR rebuilt: %s; spliced: %s\n",
				r ? "ok" : err2, !z ? err : r ? why : "ok");
			abort();
		}
		zone_unref(r);
	}
	log_debug("fuzz_xfrin: %s serial %u, %zu deltas: %s", xfrin_kind_names[res->kind],
		  res->serial, res->ndeltas, z ? "built" : res->kind == XFRIN_UPTODATE ? "-" : err);
	if (z && z->serial != res->serial) {
		fprintf(stderr, "fuzz_xfrin: %s of serial %u built a zone of serial %u\n",
			xfrin_kind_names[res->kind], res->serial, z->serial);
		abort();
	}
	zone_unref(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	const uint8_t *p = data + 1, *m;
	size_t left = size - 1, len;
	uint8_t *msgs[MAXMSG];
	size_t lens[MAXMSG], nmsg = 0;
	bool keyed = flags & 2, resign = keyed && (flags & 4), sparse = flags & 8;
	/* each message in a buffer of its own size (plus room for a TSIG when
	 * the harness signs): reads past it are caught */
	while (nmsg < MAXMSG && fuzz_next(&p, &left, &m, &len)) {
		size_t cap = len + (resign ? 512 : 0);
		msgs[nmsg] = malloc(cap ? cap : 1);
		if (!msgs[nmsg])
			goto out;
		memcpy(msgs[nmsg], m, len);
		lens[nmsg++] = len;
	}
	if (nmsg < 1)
		goto out;

	/* the request: its ID, serial, MAC and time */
	uint16_t id = lens[0] >= 2 ? (uint16_t)(msgs[0][0] << 8 | msgs[0][1]) : 0;
	uint32_t serial = old->serial;
	request_serial(msgs[0], lens[0], &serial);
	uint8_t mac[TSIG_MAC_MAX];
	size_t mac_len = 0;
	time_t now = time(NULL);
	struct tsig_rr t;
	if (resign) {
		/* sign the request (for its MAC), then the answers after it */
		if (lens[0] >= 12)
			tsig_sign(&key, msgs[0], lens[0], lens[0] + 512, NULL, 0, false, now, mac, &mac_len);
		uint8_t prev[TSIG_MAC_MAX], nm[TSIG_MAC_MAX];
		size_t prev_len = mac_len, nsigned = 0, last = 0;
		memcpy(prev, mac, mac_len);
		for (size_t i = 1; i < nmsg; i++) {
			/* sparse: the first, the last and every 50th */
			if (sparse && i != 1 && i != nmsg - 1 && i - last < 50)
				continue;
			size_t ml = 0, n;
			if (nsigned == 0)
				n = tsig_sign(&key, msgs[i], lens[i], lens[i] + 512, prev, prev_len, false,
					      now, nm, &ml);
			else
				n = fuzz_sign_after(&key, msgs + last + 1, lens + last + 1, i - last - 1,
						    msgs[i], lens[i], lens[i] + 512, prev, prev_len, now,
						    nm, &ml);
			if (n) {
				lens[i] = n;
				memcpy(prev, nm, ml);
				prev_len = ml;
				nsigned++;
				last = i;
			}
		}
	} else if (keyed && tsig_find(msgs[0], lens[0], &t) == 1) {
		/* a captured exchange: verify it at the time it was signed */
		memcpy(mac, t.mac, t.mac_len);
		mac_len = t.mac_len;
		now = (time_t)t.time_signed;
	}

	struct xfrin_req q = {
		.zone = "example.",
		.primary = &primary,
		.key = keyed ? &key : NULL,
		.have_serial = flags & 1,
		.serial = serial,
	};
	struct xfrin_result res;
	char err[600];
	memset(&res, 0, sizeof res);
	bool ixfr = q.have_serial;
	size_t i = 1;
	for (;;) {
		if (xfrin_result_init(&q, &res, ixfr ? "IXFR" : "AXFR", err, sizeof err) < 0)
			break;
		struct xfrin_stream *x = xfrin_stream_new(&q, ixfr, id, mac, mac_len, now, &res, err,
							  sizeof err);
		if (!x)
			break;
		enum xfrin_feed_rc rc = XFRIN_FEED_MORE;
		while (rc == XFRIN_FEED_MORE && i < nmsg) {
			rc = xfrin_feed(x, msgs[i], lens[i], err, sizeof err);
			i++;
		}
		if (rc == XFRIN_FEED_DONE && xfrin_stream_finish(x, err, sizeof err) == 0)
			build(&res);
		else if (rc == XFRIN_FEED_DONE)
			log_debug("fuzz_xfrin: %s", err);
		else if (rc == XFRIN_FEED_MORE && xfrin_stream_finish(x, err, sizeof err) == 0)
			abort();	/* cut short, yet accepted */
		if (rc != XFRIN_FEED_DONE)
			log_debug("fuzz_xfrin: %s", rc == XFRIN_FEED_MORE ? "cut short" : err);
		xfrin_stream_free(x);
		if (rc != XFRIN_FEED_FALLBACK || !ixfr)
			break;
		/* what xfrin_transfer() does next: AXFR */
		ixfr = false;
		q.have_serial = false;
	}
	xfrin_result_free(&res);
out:
	for (size_t k = 0; k < nmsg; k++)
		free(msgs[k]);
	return 0;
}

/*
 * fuzz_dispatch — dispatch_process() (dnsd/dispatch.h): the answering
 * engine, NOTIFY and TSIG-signed queries, on arbitrary messages.
 *
 * Input: one flags byte, then the message.
 *   bits 0-1  the peer (fuzz_util.h): primary, allow-notify, stranger, ::1
 *   bit  2    TCP (else UDP)
 *   bits 3-4  the harness signs the message first (tsig_sign, now): 0 no,
 *             1 with xfr-key (the secondary zone's), 2 with query-key,
 *             3 with a key the node does not know; so that the paths past
 *             a good signature see mutated messages too
 *   bit  5    a 512-byte answer buffer (else 65535)
 * The snapshot: example. a secondary (TSIG key, allow-notify) serving a
 * copy at serial 1, unsigned.test. a secondary without a copy or key,
 * file.test. from a file.  xfrd is not set: an accepted NOTIFY goes to
 * xfrd_notify(NULL), which does nothing.
 * Each message is first warmed as a worker warms a batch (query_warm).
 * Oracle: the sanitizers, and an answer never longer than the buffer.
 */
#include <stdlib.h>
#include <time.h>

#include "dnsd/dispatch.h"
#include "dnsd/query.h"
#include "dnsd/snapshot.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"
#include "fuzz/fuzz_util.h"

static struct snapshot *snap;
static struct tsig_key keys[3];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log();
	snap = fuzz_snapshot("fuzz_dispatch");
	dispatch_set_xfrd(NULL);
	fuzz_key(&keys[0], FUZZ_XFR_KEY, "hmac-sha256", FUZZ_XFR_SECRET);
	fuzz_key(&keys[1], FUZZ_QUERY_KEY, "hmac-sha512", FUZZ_QUERY_SECRET);
	fuzz_key(&keys[2], "nokey", "hmac-sha256", FUZZ_XFR_SECRET);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[65535 + 512], out[65535];
	if (size < 1 || size - 1 > 65535)
		return 0;
	uint8_t flags = data[0];
	size_t len = size - 1;
	memcpy(pkt, data + 1, len);
	unsigned sign = (flags >> 3) & 3;
	if (sign) {
		size_t n = tsig_sign(&keys[sign - 1], pkt, len, sizeof pkt, NULL, 0, false,
				     time(NULL), NULL, NULL);
		if (n)
			len = n;
	}
	struct sockaddr_storage ss;
	socklen_t sl = fuzz_peer(flags & 3, &ss);
	size_t cap = (flags & 0x20) ? 512 : sizeof out;
	struct query_stats st;
	memset(&st, 0, sizeof st);
	/* the input in a buffer of its own size: reads past it are caught */
	uint8_t *in = malloc(len ? len : 1);
	if (!in)
		return 0;
	memcpy(in, pkt, len);
	/* a worker warms a batch's lookups first (udp.c), whatever the
	 * packets hold */
	struct zone_pf pf;
	const uint8_t *batch[1] = { in };
	query_warm(snap->zs, &pf, batch, &len, 1);
	size_t n = dispatch_process(snap, in, len, (const struct sockaddr *)&ss, sl, out, cap,
				    (flags & 4) ? QUERY_TCP : QUERY_UDP, &st);
	free(in);
	if (n > cap)
		abort();
	log_debug("fuzz_dispatch: %zu bytes, rcode %d, ar %d", n, n >= 12 ? out[3] & 15 : -1,
		  n >= 12 ? out[10] << 8 | out[11] : -1);
	return 0;
}

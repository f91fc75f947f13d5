/*
 * xfrout — zone transfers out of the node (AXFR, RFC 5936), over TCP, to
 * the addresses a zone's "allow-transfer" names.
 *
 * Contract: xfrout_start() looks at one TCP message.  A message that is
 * not an AXFR or IXFR query is XFROUT_NOT_XFR (the caller answers it as
 * usual).  A transfer request for a zone of the node from an address not
 * in its allow-transfer, or unsigned (or badly signed) when the zone has a
 * TSIG key, is answered REFUSED (NOTAUTH with the TSIG error for a bad
 * signature) and logged: XFROUT_ANSWERED with the answer in out.  An
 * allowed one is XFROUT_STREAM: *x then streams the served copy, which it
 * holds by reference (a reload or a new transfer may publish another one
 * meanwhile), message by message through xfrout_next(), each message
 * signed when the request was (every message, RFC 8945 section 5.3.1).
 * An IXFR is answered with the whole zone in AXFR form (RFC 1995 section
 * 4: there is no journal to take differences from), or with the SOA alone
 * when the client's serial is not older.  Messages are at most
 * XFROUT_MSG_MAX bytes, names compressed; the zone's SOA opens and closes
 * the stream.  Called from a worker thread; a struct xfrout belongs to one
 * connection.
 */
#ifndef RAIZ_DNSD_XFROUT_H
#define RAIZ_DNSD_XFROUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct snapshot;
struct xfrout;

enum { XFROUT_MSG_MAX = 16384 };
enum xfrout_verdict { XFROUT_NOT_XFR, XFROUT_ANSWERED, XFROUT_STREAM };

enum xfrout_verdict xfrout_start(const struct snapshot *snap, const uint8_t *pkt, size_t len,
				 const struct sockaddr *from, uint8_t *out, size_t cap,
				 size_t *outlen, struct xfrout **x);
/* the next message into out (cap >= XFROUT_MSG_MAX + 512); 0 at the end */
size_t xfrout_next(struct xfrout *x, uint8_t *out, size_t cap);
void xfrout_free(struct xfrout *x);

#endif

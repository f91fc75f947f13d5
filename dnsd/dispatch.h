/*
 * dispatch — the workers' entry for one DNS message: the answering engine
 * (query.h) for queries, plus what needs the configuration and the peer's
 * address: NOTIFY (RFC 1996) and TSIG-signed queries (RFC 8945).
 *
 * Contract: dispatch_process() answers like query_process() and has the
 * same cost for every unsigned query (one opcode test before the engine,
 * one rcode test after it).  A NOTIFY for a secondary zone is accepted only
 * from one of its primaries or "allow-notify" addresses (port ignored) and,
 * when the zone has a TSIG key, only signed with it; it is answered (signed
 * the same way) and handed to xfrd_notify().  Anything else is REFUSED
 * (NOTAUTH with the TSIG error for a bad signature) and logged, at most one
 * line a second.  A query signed with a configured key is verified and
 * answered signed; an unknown key or a bad signature gets NOTAUTH with an
 * unsigned TSIG carrying BADKEY, BADSIG or BADTIME.  These slow paths use
 * ldns and allocate; they are rare by nature.  Thread-safe.
 */
#ifndef RAIZ_DNSD_DISPATCH_H
#define RAIZ_DNSD_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dnsd/query.h"

struct snapshot;
struct xfrd;

/* where accepted NOTIFYs go (NULL: none accepted); set before the workers start */
void dispatch_set_xfrd(struct xfrd *x);

/* helpers for the other slow paths (xfrout.h) */
struct cfg_addr;
struct cfg_zone;
/* the settings of the zone with this name: its raiz.json entry or, for a
 * catalog member, its catalog's template built in tmp; NULL if none */
const struct cfg_zone *dispatch_zone_cfg(const struct snapshot *snap, const char *name,
					 struct cfg_zone *tmp);
/* is the peer's address (port ignored) one of the list? */
bool dispatch_addr_in(const struct sockaddr *sa, const struct cfg_addr *list, size_t n);
void dispatch_addr_text(const struct sockaddr *sa, char *buf, size_t len);
/* log a refused request, at most one line a second (the rest counted) */
void dispatch_refusal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* the request's header and question (qend bytes) as an answer with rcode */
size_t dispatch_head_answer(const uint8_t *pkt, size_t qend, uint8_t *out, size_t cap,
			    uint8_t rcode, bool aa);

size_t dispatch_process(const struct snapshot *snap, const uint8_t *pkt, size_t len,
			const struct sockaddr *from, socklen_t fromlen, uint8_t *out,
			size_t outcap, enum query_transport transport, struct query_stats *st);

#endif

/* dispatch — see dispatch.h */
#include "dnsd/dispatch.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/snapshot.h"
#include "dnsd/tsig.h"
#include "dnsd/xfrd.h"
#include "dnsd/zoneset.h"

enum { OP_NOTIFY = 4, R_FORMERR = 1, R_REFUSED = 5, R_NOTAUTH = 9 };

static struct xfrd *dispatch_xfrd;

void dispatch_set_xfrd(struct xfrd *x)
{
	dispatch_xfrd = x;
}

void dispatch_refusal(const char *fmt, ...)
{
	static _Atomic long last;
	static atomic_uint quiet;
	long now = (long)time(NULL);
	long prev = atomic_load(&last);
	if (prev == now || !atomic_compare_exchange_strong(&last, &prev, now)) {
		atomic_fetch_add(&quiet, 1);
		return;
	}
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	unsigned q = atomic_exchange(&quiet, 0);
	if (q)
		log_warn("%s (%u more refusals not logged)", msg, q);
	else
		log_warn("%s", msg);
}

void dispatch_addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, a, sizeof a);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, a, sizeof a);
	snprintf(buf, len, "%s", a);
}

static bool addr_eq(const struct sockaddr *sa, const struct cfg_addr *c)
{
	if (sa->sa_family != c->family)
		return false;
	if (sa->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)sa)->sin_addr,
			      &((const struct sockaddr_in *)&c->ss)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
		      &((const struct sockaddr_in6 *)&c->ss)->sin6_addr, 16) == 0;
}

static bool notify_allowed(const struct cfg_zone *z, const struct sockaddr *sa)
{
	return dispatch_addr_in(sa, z->primaries, z->nprimaries) ||
	       dispatch_addr_in(sa, z->allow_notify, z->nallow_notify);
}

const struct cfg_zone *dispatch_zone_cfg(const struct snapshot *snap, const char *name,
					 struct cfg_zone *tmp)
{
	const struct cfg_zone *z = config_zone(snap->cfg, name);
	if (z)
		return z;
	/* a catalog member: its catalog's template */
	int k = zoneset_index(snap->zs, name);
	struct zoneset_info zi;
	if (k < 0)
		return NULL;
	zoneset_info(snap->zs, (size_t)k, &zi);
	const struct cfg_zone *cat = zi.catalog ? config_zone(snap->cfg, zi.catalog) : NULL;
	if (!cat || !cat->catalog)
		return NULL;
	config_member_zone(cat, zi.group, zi.name, tmp);
	return tmp;
}

bool dispatch_addr_in(const struct sockaddr *sa, const struct cfg_addr *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (addr_eq(sa, &list[i]))
			return true;
	return false;
}

size_t dispatch_head_answer(const uint8_t *pkt, size_t qend, uint8_t *out, size_t cap,
			  uint8_t rcode, bool aa)
{
	if (qend > cap)
		return 0;
	memcpy(out, pkt, qend);
	out[2] = (uint8_t)(0x80 | (pkt[2] & 0x79) | (aa ? 0x04 : 0));
	out[3] = rcode;
	out[4] = 0;
	out[5] = qend > 12 ? 1 : 0;
	memset(out + 6, 0, 6);
	return qend;
}

/* the presentation name of a configured TSIG key matching t, or NULL */
static const struct cfg_tsig *key_of(const struct raiz_config *cfg, const struct tsig_rr *t)
{
	char name[DNAME_MAX * 4 + 1];
	dname_str(t->key, name, sizeof name);
	return config_tsig(cfg, name);
}

static size_t notify_answer(const struct snapshot *snap, const uint8_t *pkt, size_t len,
			    const struct sockaddr *from, uint8_t *out, size_t cap,
			    struct query_stats *st)
{
	char src[INET6_ADDRSTRLEN], zname[DNAME_MAX * 4 + 1];
	uint8_t qname[DNAME_MAX];
	size_t pos = 12;
	dispatch_addr_text(from, src, sizeof src);
	if ((pkt[4] << 8 | pkt[5]) != 1 || !dname_parse(pkt, len, &pos, qname, false) ||
	    pos + 4 > len) {
		st->rcode[R_FORMERR]++;
		return dispatch_head_answer(pkt, 12, out, cap, R_FORMERR, false);
	}
	pos += 4;
	dname_str(qname, zname, sizeof zname);
	struct cfg_zone tmp;
	const struct cfg_zone *z = dispatch_zone_cfg(snap, zname, &tmp);
	if (!z || !cfg_zone_secondary(z)) {
		dispatch_refusal("zone %s: NOTIFY from %s refused: %s", zname, src,
			z ? "not a secondary zone here" : "not a zone of this node");
		st->rcode[R_REFUSED]++;
		return dispatch_head_answer(pkt, pos, out, cap, R_REFUSED, false);
	}
	if (!notify_allowed(z, from)) {
		dispatch_refusal("zone %s: NOTIFY from %s refused: not a primary of the zone nor in its "
			"allow-notify", z->name, src);
		st->rcode[R_REFUSED]++;
		return dispatch_head_answer(pkt, pos, out, cap, R_REFUSED, false);
	}
	struct tsig_key key;
	struct tsig_rr t;
	uint8_t req_mac[TSIG_MAC_MAX];
	size_t req_mac_len = 0;
	bool signed_ = false;
	if (z->tsig_key) {
		char err[300];
		uint16_t terr = 0;
		const struct cfg_tsig *ct = config_tsig(snap->cfg, z->tsig_key);
		int f = tsig_find(pkt, len, &t);
		if (!ct || tsig_key_init(&key, ct, err, sizeof err) < 0 ||
		    tsig_verify_msg(&key, pkt, len, NULL, 0, time(NULL), &terr, err, sizeof err) < 0) {
			dispatch_refusal("zone %s: NOTIFY from %s refused: %s", z->name, src, err);
			st->rcode[f == 1 ? R_NOTAUTH : R_REFUSED]++;
			size_t n = dispatch_head_answer(pkt, pos, out, cap, f == 1 ? R_NOTAUTH : R_REFUSED, false);
			return f == 1 && terr ? tsig_error_answer(out, n, cap, &t, terr, time(NULL)) : n;
		}
		memcpy(req_mac, t.mac, t.mac_len);
		req_mac_len = t.mac_len;
		signed_ = true;
	}
	/* the new serial, when the NOTIFY carries the SOA */
	uint32_t serial = 0;
	bool has_serial = false;
	if ((pkt[6] << 8 | pkt[7]) >= 1) {
		size_t p = pos;
		uint8_t owner[DNAME_MAX], n1[DNAME_MAX];
		if (dname_parse(pkt, len, &p, owner, true) && p + 10 <= len &&
		    (pkt[p] << 8 | pkt[p + 1]) == 6) {
			size_t rd = p + 10, q = rd;
			if (dname_parse(pkt, len, &q, n1, true) && dname_parse(pkt, len, &q, n1, true) &&
			    q + 4 <= len) {
				serial = (uint32_t)pkt[q] << 24 | (uint32_t)pkt[q + 1] << 16 |
					 (uint32_t)pkt[q + 2] << 8 | pkt[q + 3];
				has_serial = true;
			}
		}
	}
	size_t n = dispatch_head_answer(pkt, pos, out, cap, 0, true);
	if (signed_) {
		n = tsig_sign(&key, out, n, cap, req_mac, req_mac_len, false, time(NULL), NULL, NULL);
		explicit_bzero(&key, sizeof key);
		if (!n)
			return 0;
	}
	st->rcode[0]++;
	xfrd_notify(dispatch_xfrd, z->name, serial, has_serial, src);
	return n;
}

/* a query with a TSIG record: the engine answered NOTAUTH; do it properly */
static size_t signed_query(const struct snapshot *snap, const uint8_t *pkt, size_t len,
			   const struct sockaddr *from, uint8_t *out, size_t cap,
			   enum query_transport tr, struct query_stats *st)
{
	struct tsig_rr t;
	char src[INET6_ADDRSTRLEN], err[300];
	if (tsig_find(pkt, len, &t) != 1)
		return 0;	/* keep the engine's NOTAUTH */
	dispatch_addr_text(from, src, sizeof src);
	size_t qend = 12;
	uint8_t qn[DNAME_MAX];
	if ((pkt[4] << 8 | pkt[5]) == 1 && dname_parse(pkt, len, &qend, qn, false) && qend + 4 <= len)
		qend += 4;
	else
		qend = 12;
	const struct cfg_tsig *ct = key_of(snap->cfg, &t);
	struct tsig_key key;
	uint16_t terr = TSIG_BADKEY;
	if (!ct || tsig_key_init(&key, ct, err, sizeof err) < 0 ||
	    tsig_verify_msg(&key, pkt, len, NULL, 0, time(NULL), &terr, err, sizeof err) < 0) {
		if (!ct) {
			char kn[DNAME_MAX * 4 + 1];
			snprintf(err, sizeof err, "unknown TSIG key %s (BADKEY)",
				 dname_str(t.key, kn, sizeof kn));
		}
		dispatch_refusal("signed query from %s refused: %s", src, err);
		size_t n = dispatch_head_answer(pkt, qend, out, cap, R_NOTAUTH, false);
		return terr ? tsig_error_answer(out, n, cap, &t, terr, time(NULL)) : n;
	}
	/* answer the query without its TSIG, then sign the answer; the
	 * engine writes into out directly when it answers, so copy first */
	uint8_t *q = malloc(t.start);
	size_t n = 0;
	if (q) {
		memcpy(q, pkt, t.start);
		uint16_t ar = (uint16_t)((pkt[10] << 8 | pkt[11]) - 1);
		q[10] = (uint8_t)(ar >> 8);
		q[11] = (uint8_t)ar;
		/* keep room for the TSIG (owner, algorithm, fixed fields, MAC); over
		 * UDP a signed answer stays within 512 bytes (TC beyond it, and the
		 * client asks again over TCP) */
		size_t tsig_room = key.wire_len + 10 + key.alg_wire_len + 16 + TSIG_MAC_MAX;
		size_t room = (tr == QUERY_UDP && cap > 512 ? 512 : cap) - tsig_room;
		size_t al = query_process(snap->zs, &snap->opts, q, t.start, out, room, tr, st);
		if (al)
			n = tsig_sign(&key, out, al, cap, t.mac, t.mac_len, false, time(NULL), NULL, NULL);
	}
	free(q);
	explicit_bzero(&key, sizeof key);
	return n;
}

size_t dispatch_process(const struct snapshot *snap, const uint8_t *pkt, size_t len,
			const struct sockaddr *from, socklen_t fromlen, uint8_t *out,
			size_t outcap, enum query_transport transport, struct query_stats *st)
{
	(void)fromlen;
	if (len >= 12 && !(pkt[2] & 0x80) && ((pkt[2] >> 3) & 0x0f) == OP_NOTIFY && from &&
	    outcap >= 512) {
		st->queries[transport == QUERY_TCP]++;
		return notify_answer(snap, pkt, len, from, out, outcap, st);
	}
	size_t n = query_process(snap->zs, &snap->opts, pkt, len, out, outcap, transport, st);
	if (n >= 12 && (out[3] & 0x0f) == R_NOTAUTH && from) {
			size_t s = signed_query(snap, pkt, len, from, out, outcap, transport, st);
		if (s)
			return s;
		/* could not sign: the engine's NOTAUTH again */
		return query_process(snap->zs, &snap->opts, pkt, len, out, outcap, transport, st);
	}
	return n;
}

/* xfrout — see xfrout.h */
#include "dnsd/xfrout.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "common/log.h"
#include "dnsd/dispatch.h"
#include "dnsd/dname.h"
#include "dnsd/snapshot.h"
#include "dnsd/tsig.h"
#include "dnsd/wire.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

enum { T_SOA = 6, T_IXFR = 251, T_AXFR = 252 };
enum { R_FORMERR = 1, R_SERVFAIL = 2, R_NOTAUTH = 9, R_REFUSED = 5, R_NOTIMP = 4 };

struct xfrout {
	struct zone *z;			/* reference: the copy being sent */
	struct zone_iter it;
	struct zone_rr pending;		/* a record that did not fit the last message */
	bool have_pending;
	bool soa_only;			/* IXFR from a client that is current */
	int stage;			/* 0 first SOA, 1 records, 2 last SOA, 3 done */
	uint8_t head[12 + DNAME_MAX + 4];	/* the request's header and question */
	size_t qlen;
	bool signed_;
	struct tsig_key key;
	uint8_t mac[TSIG_MAC_MAX];
	size_t mac_len;
	unsigned msgs;
	char peer[64];
};

static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* the zone's SOA record as a zone_rr */
static bool soa_rr(const struct zone *z, struct zone_rr *rr)
{
	const struct zrrset *rs = zone_rrset(z, 0, T_SOA);
	if (!rs)
		return false;
	const uint8_t *p = z->rdata + rs->off;
	rr->owner = znode_name(z, &z->nodes[0]);
	rr->node = 0;
	rr->type = T_SOA;
	rr->ttl = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	rr->rdlen = g16(p + 4);
	rr->rdata = p + 6;
	return true;
}

/* names inside these types' rdata may be compressed (RFC 3597 section 4) */
static bool rdata_put(struct wire *w, const struct zone_rr *rr)
{
	switch (rr->type) {
	case 2: case 5: case 12: /* NS CNAME PTR */
		return wire_name(w, rr->rdata, true);
	case T_SOA: {
		size_t l1 = dname_len(rr->rdata), l2 = dname_len(rr->rdata + l1);
		return wire_name(w, rr->rdata, true) && wire_name(w, rr->rdata + l1, true) &&
		       wire_bytes(w, rr->rdata + l1 + l2, rr->rdlen - l1 - l2);
	}
	case 15: /* MX */
		return wire_bytes(w, rr->rdata, 2) && wire_name(w, rr->rdata + 2, true);
	default:
		return wire_bytes(w, rr->rdata, rr->rdlen);
	}
}

static bool rr_put(struct wire *w, const struct zone_rr *rr)
{
	size_t mark = w->pos;
	if (!wire_name(w, rr->owner, true) || !wire_u16(w, rr->type) || !wire_u16(w, 1) ||
	    !wire_u32(w, rr->ttl) || !wire_u16(w, 0)) {
		wire_rollback(w, mark);
		return false;
	}
	size_t rdstart = w->pos;
	if (!rdata_put(w, rr)) {
		wire_rollback(w, mark);
		return false;
	}
	wire_put16(w->buf + rdstart - 2, (uint16_t)(w->pos - rdstart));
	return true;
}

static bool next_record(struct xfrout *x, struct zone_rr *rr)
{
	if (x->have_pending) {
		*rr = x->pending;
		x->have_pending = false;
		return true;
	}
	for (;;) {
		if (x->stage == 0) {
			x->stage = x->soa_only ? 2 : 1;
			return soa_rr(x->z, rr);
		}
		if (x->stage == 1) {
			if (zone_iter_next(&x->it, rr)) {
				if (rr->type == T_SOA && rr->node == 0)
					continue;
				return true;
			}
			x->stage = x->soa_only ? 3 : 2;
			continue;
		}
		if (x->stage == 2) {
			x->stage = 3;
			return x->soa_only ? false : soa_rr(x->z, rr);
		}
		return false;
	}
}

size_t xfrout_next(struct xfrout *x, uint8_t *out, size_t cap)
{
	if (x->stage == 3 && !x->have_pending)
		return 0;
	struct wire w;
	size_t limit = cap < XFROUT_MSG_MAX ? cap : XFROUT_MSG_MAX;
	wire_init(&w, out, limit);
	memcpy(out, x->head, x->qlen);
	out[2] = (uint8_t)(0x80 | (x->head[2] & 0x78) | 0x04);	/* QR, opcode, AA */
	out[3] = 0;
	memset(out + 4, 0, 8);
	size_t at = 12;
	if (x->msgs == 0 && x->qlen > 12) {
		wire_put16(out + 4, 1);	/* the question in the first message only */
		at = x->qlen;
		uint8_t qn[DNAME_MAX];
		size_t p = 12;
		if (dname_parse(x->head, x->qlen, &p, qn, false))
			wire_note_name(&w, 12, qn);
	}
	w.pos = at;
	unsigned an = 0;
	struct zone_rr rr;
	while (next_record(x, &rr)) {
		if (!rr_put(&w, &rr)) {
			x->pending = rr;
			x->have_pending = true;
			if (an == 0)
				return 0;	/* a record larger than a message: cannot happen */
			break;
		}
		an++;
		if (an == 65535)
			break;
	}
	wire_put16(out + 6, (uint16_t)an);
	size_t n = w.pos;
	if (x->signed_) {
		uint8_t mac[TSIG_MAC_MAX];
		size_t ml = 0;
		n = tsig_sign(&x->key, out, n, cap, x->mac, x->mac_len, x->msgs > 0, time(NULL), mac,
			      &ml);
		if (!n)
			return 0;
		memcpy(x->mac, mac, ml);
		x->mac_len = ml;
	}
	x->msgs++;
	return n;
}

void xfrout_free(struct xfrout *x)
{
	if (!x)
		return;
	zone_unref(x->z);
	explicit_bzero(&x->key, sizeof x->key);
	free(x);
}

enum xfrout_verdict xfrout_start(const struct snapshot *snap, const uint8_t *pkt, size_t len,
				 const struct sockaddr *from, uint8_t *out, size_t cap,
				 size_t *outlen, struct xfrout **xp)
{
	*xp = NULL;
	*outlen = 0;
	if (len < 12 || (pkt[2] & 0x80) || ((pkt[2] >> 3) & 0x0f) != 0 || g16(pkt + 4) != 1)
		return XFROUT_NOT_XFR;
	uint8_t qname[DNAME_MAX];
	size_t pos = 12;
	if (!dname_parse(pkt, len, &pos, qname, false) || pos + 4 > len)
		return XFROUT_NOT_XFR;
	uint16_t qtype = g16(pkt + pos);
	if (qtype != T_AXFR && qtype != T_IXFR)
		return XFROUT_NOT_XFR;
	pos += 4;
	size_t qend = pos;

	char zname[DNAME_MAX * 4 + 1], src[64];
	dname_str(qname, zname, sizeof zname);
	dispatch_addr_text(from, src, sizeof src);
	struct cfg_zone tmp;
	const struct cfg_zone *cz = dispatch_zone_cfg(snap, zname, &tmp);
	int k = cz ? zoneset_index(snap->zs, cz->name) : -1;
	struct zoneset_info zi = { 0 };
	if (k >= 0)
		zoneset_info(snap->zs, (size_t)k, &zi);
	if (!cz || k < 0 || !dispatch_addr_in(from, cz->allow_transfer, cz->nallow_transfer)) {
		dispatch_refusal("zone %s: %s from %s refused: %s", zname,
				 qtype == T_AXFR ? "AXFR" : "IXFR", src,
				 !cz ? "not a zone of this node" : "not in the zone's allow-transfer");
		*outlen = dispatch_head_answer(pkt, qend, out, cap, R_REFUSED, false);
		return XFROUT_ANSWERED;
	}
	struct xfrout *x = calloc(1, sizeof *x);
	if (!x) {
		*outlen = dispatch_head_answer(pkt, qend, out, cap, R_SERVFAIL, false);
		return XFROUT_ANSWERED;
	}
	if (cz->tsig_key) {
		const struct cfg_tsig *ct = config_tsig(snap->cfg, cz->tsig_key);
		struct tsig_rr t;
		char err[300];
		uint16_t terr = 0;
		int f = tsig_find(pkt, len, &t);
		if (!ct || tsig_key_init(&x->key, ct, err, sizeof err) < 0 ||
		    tsig_verify_msg(&x->key, pkt, len, NULL, 0, time(NULL), &terr, err, sizeof err) < 0) {
			dispatch_refusal("zone %s: transfer to %s refused: %s", cz->name, src, err);
			*outlen = dispatch_head_answer(pkt, qend, out, cap, f == 1 ? R_NOTAUTH : R_REFUSED,
						       false);
			if (f == 1 && terr)
				*outlen = tsig_error_answer(out, *outlen, cap, &t, terr, time(NULL));
			xfrout_free(x);
			return XFROUT_ANSWERED;
		}
		memcpy(x->mac, t.mac, t.mac_len);
		x->mac_len = t.mac_len;
		x->signed_ = true;
	}
	struct zone *z = zone_ref(zoneset_zone(snap->zs, (size_t)k));
	if (!z || zi.expired) {
		zone_unref(z);
		dispatch_refusal("zone %s: transfer to %s refused: %s", cz->name, src,
				 zi.expired ? "the copy expired" : "no copy is served");
		*outlen = dispatch_head_answer(pkt, qend, out, cap, R_SERVFAIL, false);
		xfrout_free(x);
		return XFROUT_ANSWERED;
	}
	x->z = z;
	zone_iter_init(&x->it, z);
	memcpy(x->head, pkt, qend);
	x->qlen = qend;
	snprintf(x->peer, sizeof x->peer, "%s", src);
	if (qtype == T_IXFR) {
		/* the client's serial from the SOA in the authority section */
		size_t p = qend;
		uint8_t owner[DNAME_MAX], n[DNAME_MAX];
		if (g16(pkt + 8) >= 1 && dname_parse(pkt, len, &p, owner, true) && p + 10 <= len &&
		    g16(pkt + p) == T_SOA) {
			size_t q = p + 10;
			if (dname_parse(pkt, len, &q, n, true) && dname_parse(pkt, len, &q, n, true) &&
			    q + 4 <= len) {
				uint32_t s = (uint32_t)pkt[q] << 24 | (uint32_t)pkt[q + 1] << 16 |
					     (uint32_t)pkt[q + 2] << 8 | pkt[q + 3];
				x->soa_only = s == z->serial || (int32_t)(z->serial - s) < 0;
			}
		}
	}
	log_info("zone %s: %s to %s%s: serial %u, %zu records", cz->name,
		 qtype == T_AXFR ? "AXFR" : "IXFR", src, x->signed_ ? " (TSIG)" : "", z->serial,
		 x->soa_only ? (size_t)1 : z->records);
	*xp = x;
	return XFROUT_STREAM;
}

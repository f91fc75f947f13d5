/*
 * query — see query.h.
 *
 * Header and question checks follow NSD 4.6 (checked against it): QR set
 * or shorter than a header: dropped.  Malformed question or a nonzero
 * rcode in the query: FORMERR without question.  NOTIFY: REFUSED for one
 * of our zones, NXDOMAIN otherwise (no ACL allows it here).  Other opcodes
 * but QUERY: NOTIMP without question.  QDCOUNT != 1, records in the answer
 * section, or in the authority section (except for IXFR), anything but one
 * OPT (and a final TSIG) in the additional section: FORMERR without
 * question.  A COOKIE option of a bad length (RFC 7873 5.2.2): FORMERR
 * without question, with an OPT.  The TC bit of a query is ignored.  EDNS
 * version > 0: BADVERS (extended rcode 16) with the question, OPT version
 * 0 and the DO bit of the query.  A TSIG record: NOTAUTH (transaction signatures are
 * not supported here).  Classes other than IN, ANY and CH: REFUSED without
 * question.  AXFR over UDP: NOTIMP; AXFR over TCP and IXFR: REFUSED
 * (transfers out are not served).  Names outside every zone: REFUSED with
 * the question and, with EDNS, Extended DNS Error 20 (Not Authoritative).
 * The CD bit is copied: RFC 4035 section 3 says a security-aware server MUST
 * copy it, section 3.1.6 that an authoritative one SHOULD clear it; BIND
 * copies, NSD 4.6 and Knot clear (tests/lib/dnsdiff.py allows both).
 */
#include <string.h>

#include "dnsd/answer.h"
#include "dnsd/chaos.h"
#include "dnsd/cookie.h"
#include "dnsd/dname.h"
#include "dnsd/edns.h"
#include "dnsd/query.h"
#include "dnsd/rrl.h"
#include "dnsd/wire.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"

#define F_QR 0x80
#define F_AA 0x04
#define F_TC 0x02
#define F_RD 0x01
#define F_CD 0x10

enum { R_FORMERR = 1, R_NXDOMAIN = 3, R_NOTIMP = 4, R_REFUSED = 5, R_NOTAUTH = 9 };
enum { OP_NOTIFY = 4 };
enum { C_IN = 1, C_CH = 3, C_ANY = 255 };
enum { T_IXFR = 251, T_AXFR = 252 };

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* skip one resource record; false when malformed */
static bool skip_rr(const uint8_t *pkt, size_t len, size_t *pos)
{
	uint8_t name[DNAME_MAX];
	if (!dname_parse(pkt, len, pos, name, true) || *pos + 10 > len)
		return false;
	size_t rdlen = get16(pkt + *pos + 8);
	*pos += 10 + rdlen;
	return *pos <= len;
}

/* a response with header only (question stripped), plus OPT when given */
static size_t reply_error(const uint8_t *pkt, uint8_t *out, size_t outcap, uint8_t flags2,
			  uint8_t rcode, const struct edns *e, uint8_t ext_rcode,
			  const struct query_opts *opts, struct query_stats *st)
{
	memcpy(out, pkt, 2);
	out[2] = flags2;
	out[3] = (uint8_t)((pkt[3] & F_CD) | (rcode & 0x0f));
	memset(out + 4, 0, 8);
	size_t n = 12;
	if (e && e->present) {
		size_t w = edns_write(out + n, outcap - n, e, opts->edns_size, ext_rcode, NULL, 0,
				      EDNS_EDE_NONE);
		if (w) {
			n += w;
			out[11] = 1;
		}
	}
	st->rcode[rcode & 0x0f]++;
	if (ext_rcode)
		st->badvers++;
	return n;
}

_Static_assert(sizeof ((struct query_client *)0)->name >= DNAME_MAX, "query_client.name");

/* the rate-limiting class of a finished answer (qc->qend, qtype set);
 * qname is the wildcard for an answer synthesized from one */
static void classify(const struct zoneset *zs, const uint8_t *qname, const uint8_t *out,
		     size_t len, uint8_t rcode, bool aa, uint16_t an, uint16_t ns,
		     struct query_client *qc)
{
	if ((rcode == 0 || rcode == 6) && (an > 0 || aa)) {
		qc->rrl_class = RRL_ANSWER;
		qc->namelen = dname_key(qname, qc->name);
	} else if (rcode == 0 && ns > 0) {
		/* a referral: the owner of the NS set, the first authority record */
		uint8_t owner[DNAME_MAX];
		size_t pos = qc->qend;
		qc->rrl_class = RRL_REFERRAL;
		if (an == 0 && dname_parse(out, len, &pos, owner, true))
			qc->namelen = dname_key(owner, qc->name);
		else
			qc->namelen = dname_key(qname, qc->name);
	} else if (rcode == R_NXDOMAIN) {
		/* all of a zone's NXDOMAINs share one bucket per source prefix:
		 * random names do not escape the limit */
		qc->rrl_class = RRL_NXDOMAIN;
		size_t kl = dname_key(qname, qc->name);
		const struct zone *z = zoneset_find(zs, qc->name, kl);
		qc->namelen = z && z->apex_keylen <= kl ? z->apex_keylen : 0;
	}
}

size_t query_process(const struct zoneset *zs, const struct query_opts *opts,
		     const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
		     enum query_transport transport, struct query_stats *stats)
{
	return query_process_client(zs, opts, pkt, len, out, outcap, transport, stats, NULL);
}

size_t query_process_client(const struct zoneset *zs, const struct query_opts *opts,
			    const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
			    enum query_transport transport, struct query_stats *stats,
			    struct query_client *qc)
{
	struct query_stats dummy;
	struct query_stats *st = stats ? stats : &dummy;
	bool tcp = transport == QUERY_TCP;

	st->queries[tcp ? 1 : 0]++;
	if (qc) {
		qc->cookie_valid = qc->tsig = false;
		qc->rrl_class = RRL_ERROR;
		qc->qtype = 0;
		qc->qend = 12;
		qc->namelen = 0;
	}
	if (len < 12 || (pkt[2] & F_QR) || outcap < 12 + EDNS_OPT_LEN) {
		st->dropped++;
		return 0;
	}
	uint8_t opcode = (uint8_t)((pkt[2] >> 3) & 0x0f);
	uint8_t base_flags = (uint8_t)(F_QR | (pkt[2] & 0x78) | (pkt[2] & F_RD));
	uint16_t qdcount = get16(pkt + 4), ancount = get16(pkt + 6);
	uint16_t nscount = get16(pkt + 8), arcount = get16(pkt + 10);

	uint8_t qname[DNAME_MAX];
	size_t pos = 12;
	size_t qnl = dname_parse(pkt, len, &pos, qname, false);
	if (qnl == 0 || pos + 4 > len || (pkt[3] & 0x0f) != 0)
		return reply_error(pkt, out, outcap, base_flags, R_FORMERR, NULL, 0, opts, st);
	uint16_t qtype = get16(pkt + pos), qclass = get16(pkt + pos + 2);
	pos += 4;
	size_t qend = pos;

	if (opcode == OP_NOTIFY) {
		/* NOTIFY is not acted upon here; answered like NSD without an
		 * ACL: REFUSED for a zone of ours, NXDOMAIN otherwise */
		uint8_t key[DNAME_MAX];
		size_t kl = dname_key(qname, key);
		const struct zone *z = zoneset_find(zs, key, kl);
		bool ours = z && z->apex_keylen == kl;
		return reply_error(pkt, out, outcap, base_flags, ours ? R_REFUSED : R_NXDOMAIN, NULL, 0,
				   opts, st);
	}
	if (opcode != 0)
		return reply_error(pkt, out, outcap, base_flags, R_NOTIMP, NULL, 0, opts, st);
	if (qdcount != 1 || ancount != 0 || (nscount != 0 && qtype != T_IXFR))
		return reply_error(pkt, out, outcap, base_flags, R_FORMERR, NULL, 0, opts, st);
	for (unsigned i = 0; i < nscount; i++)
		if (!skip_rr(pkt, len, &pos))
			return reply_error(pkt, out, outcap, base_flags, R_FORMERR, NULL, 0, opts, st);

	struct edns e;
	int er = edns_parse(pkt, len, pos, arcount, &e);
	if (er == EDNS_BAD_OPTION)      /* a malformed COOKIE: FORMERR with an OPT */
		return reply_error(pkt, out, outcap, base_flags, R_FORMERR, &e, 0, opts, st);
	if (er < 0)
		return reply_error(pkt, out, outcap, base_flags, R_FORMERR, NULL, 0, opts, st);
	if (e.present) {
		st->edns++;
		if (e.do_bit)
			st->do_bit++;
	}
	if (e.tsig && qc)
		qc->tsig = true;
	if (e.tsig)
		return reply_error(pkt, out, outcap, base_flags, R_NOTAUTH, &e, 0, opts, st);
	if (e.present && e.version != 0) {
		/* BADVERS: question echoed (like NSD 4.6), OPT version 0 with
		 * the DO bit copied from the query (RFC 6891 6.1.3, RFC 3225
		 * section 3; NSD 4.6 clears it, Knot copies it) */
		if (qend + EDNS_OPT_LEN > outcap) {
			st->dropped++;
			return 0;
		}
		memcpy(out, pkt, 12);
		out[2] = base_flags;
		out[3] = (uint8_t)(pkt[3] & F_CD);
		memset(out + 6, 0, 6);
		wire_put16(out + 4, 1);
		memcpy(out + 12, pkt + 12, qend - 12);
		size_t n = edns_write(out + qend, outcap - qend, &e, opts->edns_size, 1, NULL, 0,
				      EDNS_EDE_NONE);
		if (n)
			out[11] = 1;
		st->rcode[0]++;
		st->badvers++;
		return qend + n;
	}

	/* the size this response may take */
	size_t maxlen;
	if (tcp) {
		maxlen = outcap < 65535 ? outcap : 65535;
	} else {
		maxlen = 512;
		if (e.present && e.udp_size > 512)
			maxlen = e.udp_size < opts->edns_size ? e.udp_size : opts->edns_size;
		if (maxlen < 512)
			maxlen = 512;
		if (maxlen > outcap)
			maxlen = outcap;
	}
	/* a COOKIE option in: one out, the client's cookie and a fresh server
	 * cookie (RFC 7873 5.2.3 to 5.2.5; a bad server cookie is no error) */
	uint8_t cookie[COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN];
	size_t cookie_room = 0;
	if (qc && e.cookie_len && qc->cookie_secret) {
		const uint8_t *cc = pkt + e.cookie_off;
		st->cookie++;
		if (e.cookie_len > COOKIE_CLIENT_LEN) {
			const uint8_t *sc = cc + COOKIE_CLIENT_LEN;
			size_t sl = e.cookie_len - COOKIE_CLIENT_LEN;
			qc->cookie_valid =
				cookie_check(qc->cookie_secret, cc, sc, sl, qc->from, qc->now) ||
				(qc->cookie_previous &&
				 cookie_check(qc->cookie_previous, cc, sc, sl, qc->from, qc->now));
			if (qc->cookie_valid)
				st->cookie_valid++;
		}
		memcpy(cookie, cc, COOKIE_CLIENT_LEN);
		cookie_make(qc->cookie_secret, cc, qc->from, qc->now, cookie + COOKIE_CLIENT_LEN);
		cookie_room = 4 + sizeof cookie;
	}
	size_t reserve = edns_reply_len(&e, opts->nsid_len) + cookie_room;
	if (qend + reserve > maxlen)
		reserve = edns_reply_len(&e, 0) + cookie_room;
	if (qend + reserve > maxlen) {
		reserve -= cookie_room;
		cookie_room = 0;
	}
	if (qend + reserve > maxlen) {
		st->dropped++;
		return 0;
	}

	struct wire w;
	wire_init(&w, out, maxlen - reserve);
	memcpy(out, pkt, 12);
	memcpy(out + 12, pkt + 12, qend - 12);
	w.pos = qend;
	wire_note_name(&w, 12, qname);

	uint8_t rcode = 0;
	int ede = EDNS_EDE_NONE;
	bool aa = false, tc = false;
	uint16_t an = 0, ns = 0, ad = 0, qd = 1;
	const uint8_t *wildcard = NULL;

	if (qclass == C_CH) {
		rcode = chaos_answer(opts, qname, qtype, &w, &an);
	} else if (qclass == C_IN || qclass == C_ANY) {
		if (qtype == T_AXFR && !tcp) {
			rcode = R_NOTIMP;
		} else if (qtype == T_AXFR || qtype == T_IXFR) {
			rcode = R_REFUSED;
		} else {
			struct answer_req rq = {
				.zs = zs,
				.qname = qname,
				.qtype = qtype,
				.class_any = qclass == C_ANY,
				.dnssec_ok = e.present && e.do_bit,
				.tcp = tcp,
			};
			struct answer_res res;
			answer_lookup(&rq, &w, &res);
			rcode = res.rcode;
			if (rcode == R_REFUSED)
				ede = EDNS_EDE_NOT_AUTHORITATIVE;
			aa = res.aa;
			tc = res.tc;
			an = res.ancount;
			ns = res.nscount;
			ad = res.arcount;
			wildcard = res.wildcard;
		}
	} else {
		rcode = R_REFUSED;
		w.pos = 12;
		qd = 0;
	}

	out[2] = (uint8_t)(base_flags | (aa ? F_AA : 0) | (tc ? F_TC : 0));
	out[3] = (uint8_t)((pkt[3] & F_CD) | (rcode & 0x0f));
	wire_put16(out + 4, qd);
	wire_put16(out + 6, an);
	wire_put16(out + 8, ns);
	if (e.present) {
		size_t n = edns_write(out + w.pos, maxlen - w.pos, &e, opts->edns_size, 0,
				      opts->nsid, opts->nsid_len, ede);
		if (n && cookie_room)
			n = edns_add_option(out + w.pos, n, maxlen - w.pos, EDNS_OPT_COOKIE, cookie,
					    sizeof cookie);
		if (n) {
			w.pos += n;
			ad++;
		}
	}
	wire_put16(out + 10, ad);
	st->rcode[rcode & 0x0f]++;
	if (tc)
		st->truncated++;
	if (qc) {
		qc->qtype = qtype;
		qc->qend = qd ? qend : 12;
		classify(zs, wildcard ? wildcard : qname, out, w.pos, rcode, aa, an, ns, qc);
	}
	return w.pos;
}

/* the first stage for one packet: its question and its zone */
static void warm_start(const struct zoneset *zs, struct zone_pf *pf, const uint8_t *pkt, size_t len)
{
	uint8_t qname[DNAME_MAX], key[DNAME_MAX];
	size_t pos = 12, kl = 0;
	bool expired;
	const struct zone *z = NULL;
	/* a standard query (opcode 0) with a plain question */
	if (len > 12 && !(pkt[2] & (F_QR | 0x78)) && dname_parse(pkt, len, &pos, qname, false)) {
		kl = dname_key(qname, key);
		z = zoneset_lookup(zs, key, kl, &expired);
	}
	zone_pf_start(pf, z, key, kl);
}

void query_warm(const struct zoneset *zs, struct zone_pf *pf, const uint8_t *const *pkt,
		const size_t *len, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		warm_start(zs, &pf[i], pkt[i], len[i]);
	for (unsigned i = 0; i < n; i++)
		zone_pf_nodes(&pf[i]);
	for (unsigned i = 0; i < n; i++)
		zone_pf_data(&pf[i]);
}

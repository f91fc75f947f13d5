/* judge — see judge.h */
#include "probes/judge.h"
#include "probes/rrsig.h"
#include "probes/serial.h"
#include "common/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <ldns/ldns.h>

#define JUDGE_OPT_NSID 3

void judge_init(struct probe_result *r)
{
	memset(r, 0, sizeof *r);
	r->verdict = PROBE_OK;
	r->rcode = -1;
}

static const char *judge_type(uint16_t t, char *buf, size_t len)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(t);
	if (d && d->_name)
		return d->_name;
	snprintf(buf, len, "TYPE%u", (unsigned)t);
	return buf;
}

void judge_describe(const struct cfg_probe *spec, char *buf, size_t len)
{
	char tb[16], cb[16] = "";
	if (spec->qclass != LDNS_RR_CLASS_IN) {
		ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rr_classes, spec->qclass);
		snprintf(cb, sizeof cb, " %s", lt ? lt->name : "CLASS?");
	}
	snprintf(buf, len, "%s %s %s%s %s%s", spec->transport == PROBE_TCP ? "tcp" : "udp",
		 spec->target ? spec->target->text : "?", spec->qname ? spec->qname : "?",
		 cb, judge_type(spec->qtype, tb, sizeof tb), spec->dnssec_ok ? " +dnssec" : "");
}

int judge_fail(struct probe_result *r, const struct cfg_probe *spec,
	       enum probe_verdict v, const char *fmt, ...)
{
	if (r->verdict != PROBE_OK)
		return -1;
	r->verdict = v;
	judge_describe(spec, r->reason, sizeof r->reason);
	size_t n = strlen(r->reason);
	if (n + 2 < sizeof r->reason) {
		memcpy(r->reason + n, ": ", 3);
		n += 2;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->reason + n, sizeof r->reason - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "1d2h", "3h10m", "4m", "12s" */
static void judge_fmt_age(int64_t s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%lldd%lldh", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lldh%lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

/* the NSID option payload, printable with \DDD escapes */
static void judge_nsid(ldns_pkt *pkt, struct probe_result *r, const uint8_t **raw,
		       size_t *rawlen)
{
	ldns_rdf *d = ldns_pkt_edns_data(pkt);
	*raw = NULL;
	*rawlen = 0;
	if (!d)
		return;
	const uint8_t *p = ldns_rdf_data(d);
	size_t n = ldns_rdf_size(d);
	while (n >= 4) {
		uint16_t code = (uint16_t)(p[0] << 8 | p[1]), olen = (uint16_t)(p[2] << 8 | p[3]);
		if ((size_t)olen > n - 4)
			return;
		if (code == JUDGE_OPT_NSID) {
			*raw = p + 4;
			*rawlen = olen;
			r->has_nsid = true;
			size_t o = 0;
			for (size_t i = 0; i < olen && o + 5 < sizeof r->nsid; i++) {
				uint8_t c = p[4 + i];
				if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
					r->nsid[o++] = (char)c;
				else
					o += (size_t)snprintf(r->nsid + o, sizeof r->nsid - o,
							      "\\%03u", c);
			}
			r->nsid[o] = '\0';
			return;
		}
		p += 4 + olen;
		n -= 4 + (size_t)olen;
	}
}

/* past the name at *pos; false when it runs off the message */
static bool judge_skip_name(const uint8_t *w, size_t len, size_t *pos)
{
	while (*pos < len) {
		uint8_t c = w[*pos];
		if (c == 0) {
			(*pos)++;
			return true;
		}
		if ((c & 0xc0) == 0xc0) {
			*pos += 2;
			return *pos <= len;
		}
		if (c & 0xc0)
			return false;
		*pos += 1u + c;
	}
	return false;
}

/* a TSIG record that is not the message's last (RFC 8945 section 5.1):
 * ldns_wire2pkt() (1.8.3) keeps only the last TSIG it reads, leaking the
 * others, so such a reply is refused before ldns sees it.  A message too
 * short to walk is left to ldns, which refuses it. */
static bool judge_tsig_misplaced(const uint8_t *w, size_t len)
{
	if (len < 12)
		return false;
	size_t qd = (size_t)(w[4] << 8 | w[5]);
	size_t n = (size_t)(w[6] << 8 | w[7]) + (size_t)(w[8] << 8 | w[9]) +
		   (size_t)(w[10] << 8 | w[11]);
	size_t pos = 12;
	for (size_t i = 0; i < qd; i++) {
		if (!judge_skip_name(w, len, &pos) || len - pos < 4)
			return false;
		pos += 4;
	}
	for (size_t i = 0; i < n; i++) {
		if (!judge_skip_name(w, len, &pos) || len - pos < 10)
			return false;
		uint16_t type = (uint16_t)(w[pos] << 8 | w[pos + 1]);
		size_t rdlen = (size_t)(w[pos + 8] << 8 | w[pos + 9]);
		if (type == LDNS_RR_TYPE_TSIG && i + 1 < n)
			return true;
		pos += 10;
		if (len - pos < rdlen)
			return false;
		pos += rdlen;
	}
	return false;
}

static const ldns_rr *judge_find_type(const ldns_rr_list *l, ldns_rr_type t)
{
	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t)
			return ldns_rr_list_rr(l, i);
	return NULL;
}

static bool judge_soa_serial(const ldns_rr *soa, uint32_t *serial)
{
	ldns_rdf *f = soa ? ldns_rr_rdf(soa, 2) : NULL;
	if (!f || ldns_rdf_size(f) != 4)
		return false;
	*serial = ldns_rdf2native_int32(f);
	return true;
}

static bool judge_same_rdata(const ldns_rr *a, const ldns_rr *b)
{
	if (ldns_rr_rd_count(a) != ldns_rr_rd_count(b))
		return false;
	for (size_t i = 0; i < ldns_rr_rd_count(a); i++)
		if (ldns_rdf_compare(ldns_rr_rdf(a, i), ldns_rr_rdf(b, i)) != 0)
			return false;
	return true;
}

/* first rdata of type t in the answer, for "answer has" hints */
static void judge_rdata_hint(const ldns_rr_list *ans, uint16_t t, char *buf, size_t len)
{
	size_t count = 0;
	const ldns_rr *first = NULL;
	for (size_t i = 0; ans && i < ldns_rr_list_rr_count(ans); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(ans, i)) == t && count++ == 0)
			first = ldns_rr_list_rr(ans, i);
	buf[0] = '\0';
	if (!first)
		return;
	ldns_buffer *b = ldns_buffer_new(256);
	if (!b)
		return;
	for (size_t i = 0; i < ldns_rr_rd_count(first); i++) {
		if (i)
			ldns_buffer_printf(b, " ");
		ldns_rdf2buffer_str(b, ldns_rr_rdf(first, i));
	}
	char *s = ldns_buffer_export2str(b);
	ldns_buffer_free(b);
	if (s)
		snprintf(buf, len, "; the answer has %zu, e.g. \"%.80s\"", count, s);
	free(s);
}

/* expect-rdata: 0 when every string is in the answer, else -1 and r set */
static int judge_rdata(const struct cfg_probe *spec, const ldns_rr_list *ans,
		       struct probe_result *r)
{
	char tb[16], why[128], hint[160];
	for (size_t i = 0; i < spec->nexpect_rdata; i++) {
		ldns_rr *want = config_probe_rdata_rr(spec, spec->expect_rdata[i], why, sizeof why);
		if (!want)
			return judge_fail(r, spec, PROBE_WRONG, "expect-rdata \"%s\" unusable: %s",
					  spec->expect_rdata[i], why);
		ldns_rr2canonical(want);
		bool found = false;
		for (size_t j = 0; !found && ans && j < ldns_rr_list_rr_count(ans); j++) {
			const ldns_rr *have = ldns_rr_list_rr(ans, j);
			if (ldns_rr_get_type(have) != ldns_rr_get_type(want))
				continue;
			ldns_rr *c = ldns_rr_clone(have);
			if (!c)
				continue;
			ldns_rr2canonical(c);
			found = judge_same_rdata(c, want);
			ldns_rr_free(c);
		}
		ldns_rr_free(want);
		if (!found) {
			judge_rdata_hint(ans, spec->qtype, hint, sizeof hint);
			return judge_fail(r, spec, PROBE_WRONG, "%s \"%s\" missing from the "
					  "answer%s", judge_type(spec->qtype, tb, sizeof tb),
					  spec->expect_rdata[i], hint);
		}
	}
	return 0;
}

static bool judge_has_rrsig_over(const ldns_rr_list *ans, uint16_t t)
{
	for (size_t i = 0; ans && i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		ldns_rdf *f;
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
		    (f = ldns_rr_rrsig_typecovered(rr)) && ldns_rdf2rr_type(f) == t)
			return true;
	}
	return false;
}

static bool judge_needs_answer(const struct cfg_probe *spec)
{
	return spec->expect_answer || spec->nexpect_rdata || spec->expect_rrsig ||
	       spec->soa_max_age_s || spec->dnssec_ok || spec->primary;
}

/* header, question: 0 when it is a reply to our query */
static int judge_header(const struct cfg_probe *spec, const struct judge_input *in,
			ldns_pkt *pkt, struct probe_result *r)
{
	char tb[16];
	if (!ldns_pkt_qr(pkt))
		return judge_fail(r, spec, PROBE_WRONG, "reply has QR clear (not a response)");
	if (ldns_pkt_id(pkt) != in->id)
		return judge_fail(r, spec, PROBE_WRONG, "reply ID %u does not match query ID %u",
				  ldns_pkt_id(pkt), in->id);
	if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY)
		return judge_fail(r, spec, PROBE_WRONG, "reply opcode %d, expected QUERY",
				  (int)ldns_pkt_get_opcode(pkt));
	const ldns_rr_list *q = ldns_pkt_question(pkt);
	size_t nq = q ? ldns_rr_list_rr_count(q) : 0;
	if (nq == 0 && r->rcode != 0)
		return 0;   /* FORMERR/NOTIMP answers may omit the question */
	const ldns_rr *qr = nq == 1 ? ldns_rr_list_rr(q, 0) : NULL;
	ldns_rdf *want = ldns_dname_new_frm_str(spec->qname);
	bool same = qr && want && ldns_dname_compare(ldns_rr_owner(qr), want) == 0 &&
		    ldns_rr_get_type(qr) == spec->qtype &&
		    ldns_rr_get_class(qr) == spec->qclass;
	ldns_rdf_deep_free(want);
	if (same)
		return 0;
	if (!qr)
		return judge_fail(r, spec, PROBE_WRONG, "reply carries %zu questions, expected 1",
				  nq);
	char *owner = ldns_rdf2str(ldns_rr_owner(qr));
	judge_fail(r, spec, PROBE_WRONG, "reply is for another question: %s %s",
		   owner ? owner : "?", judge_type(ldns_rr_get_type(qr), tb, sizeof tb));
	free(owner);
	return -1;
}

void judge_reply(const struct cfg_probe *spec, const struct judge_input *in,
		 struct probe_result *r)
{
	ldns_pkt *pkt = NULL;
	char tb[16], a[24], b[24], msg[200], msg2[200];

	r->latency_us = in->latency_us;
	if (judge_tsig_misplaced(in->wire, in->len)) {
		judge_fail(r, spec, PROBE_WRONG, "malformed reply (%zu bytes): a TSIG record "
			   "that is not the last record", in->len);
		return;
	}
	ldns_status st = ldns_wire2pkt(&pkt, in->wire, in->len);
	if (st != LDNS_STATUS_OK) {
		judge_fail(r, spec, PROBE_WRONG, "malformed reply (%zu bytes): %s", in->len,
			   ldns_get_errorstr_by_id(st));
		return;
	}
	r->rcode = (int)ldns_pkt_edns_extended_rcode(pkt) << 4 | (int)ldns_pkt_get_rcode(pkt);
	r->aa = ldns_pkt_aa(pkt);
	const uint8_t *nsid;
	size_t nsidlen;
	judge_nsid(pkt, r, &nsid, &nsidlen);
	const ldns_rr_list *ans = ldns_pkt_answer(pkt), *auth = ldns_pkt_authority(pkt);
	const ldns_rr *soa = judge_find_type(ans, LDNS_RR_TYPE_SOA);
	if (!soa && (!ans || ldns_rr_list_rr_count(ans) == 0))
		soa = judge_find_type(auth, LDNS_RR_TYPE_SOA);
	r->has_serial = judge_soa_serial(soa, &r->serial);
	struct rrsig_seen seen = { 0 };
	int sig_ans = rrsig_check(ans, in->now, spec->rrsig_margin_s, &seen, msg, sizeof msg);
	int sig_auth = rrsig_check(auth, in->now, spec->rrsig_margin_s, &seen, msg2,
				   sizeof msg2);
	r->nrrsig = seen.count;
	r->rrsig_expire = seen.earliest;
	if (in->has_primary_serial) {
		r->has_primary_serial = true;
		r->primary_serial = in->primary_serial;
	}

	if (judge_header(spec, in, pkt, r) < 0)
		goto out;
	if (r->rcode != spec->expect_rcode) {
		judge_fail(r, spec, PROBE_WRONG, "rcode %s, expected %s",
			   config_probe_rcode_name(r->rcode, a, sizeof a),
			   config_probe_rcode_name(spec->expect_rcode, b, sizeof b));
		goto out;
	}
	if (spec->expect_aa && !r->aa) {
		judge_fail(r, spec, PROBE_WRONG, "AA flag clear: the server is not "
			   "authoritative for %s (zone not loaded, or lame)", spec->qname);
		goto out;
	}
	if (spec->expect_nsid) {
		if (!r->has_nsid) {
			judge_fail(r, spec, PROBE_WRONG, "no NSID in the reply, expected '%s'",
				   spec->expect_nsid);
			goto out;
		}
		if (nsidlen != strlen(spec->expect_nsid) ||
		    memcmp(nsid, spec->expect_nsid, nsidlen) != 0) {
			judge_fail(r, spec, PROBE_WRONG, "nsid '%s' != expected '%s' (answered by "
				   "another instance)", r->nsid, spec->expect_nsid);
			goto out;
		}
	}
	if (ldns_pkt_tc(pkt) && judge_needs_answer(spec)) {
		judge_fail(r, spec, PROBE_WRONG, "reply truncated (TC), the answer cannot be "
			   "judged: use \"transport\": \"tcp\" or a larger edns-buffer-size");
		goto out;
	}
	if (spec->expect_answer && !judge_find_type(ans, spec->qtype) &&
	    !(spec->qtype == LDNS_RR_TYPE_ANY && ans && ldns_rr_list_rr_count(ans))) {
		judge_fail(r, spec, PROBE_WRONG, "no %s record in the answer section (%zu records)",
			   judge_type(spec->qtype, tb, sizeof tb),
			   ans ? ldns_rr_list_rr_count(ans) : 0);
		goto out;
	}
	if (judge_rdata(spec, ans, r) < 0)
		goto out;
	if (spec->expect_rrsig && !judge_has_rrsig_over(ans, spec->qtype)) {
		judge_fail(r, spec, PROBE_WRONG, "no RRSIG over %s in the answer (zone not "
			   "signed, or signatures stripped)", judge_type(spec->qtype, tb, sizeof tb));
		goto out;
	}
	if (sig_ans || sig_auth) {
		judge_fail(r, spec, PROBE_SIGNATURES, "%s", sig_ans ? msg : msg2);
		goto out;
	}
	if (spec->soa_max_age_s) {
		time_t made;
		if (!r->has_serial) {
			judge_fail(r, spec, PROBE_WRONG, "no SOA in the reply: soa-max-age cannot "
				   "be checked");
			goto out;
		}
		enum serial_kind k = serial_time(r->serial, &made);
		int64_t age = serial_age(r->serial, in->now);
		if (k == SERIAL_NONE) {
			judge_fail(r, spec, PROBE_STALE, "SOA serial %u is neither a unix time nor "
				   "a YYYYMMDDnn date: its age cannot be judged", r->serial);
			goto out;
		}
		if (age > (int64_t)spec->soa_max_age_s) {
			char when[32];
			rrsig_fmt_time(made, when, sizeof when);
			judge_fmt_age(age, a, sizeof a);
			rrsig_fmt_span(spec->soa_max_age_s, b, sizeof b);
			judge_fail(r, spec, PROBE_STALE, "SOA serial %u (%s %s%s) is %s old, "
				   "max %s", r->serial,
				   k == SERIAL_DATE ? "date serial, made by" : "unix time", when,
				   k == SERIAL_DATE ? " at the latest" : "", a, b);
			goto out;
		}
	}
	if (in->has_primary_serial && r->has_serial) {
		uint32_t lag = serial_lag(r->serial, in->primary_serial);
		if (lag > spec->max_serial_lag) {
			judge_fail(r, spec, PROBE_STALE, "SOA serial %u lags the primary's %u "
				   "by %u (max %u)", r->serial, in->primary_serial, lag,
				   spec->max_serial_lag);
			goto out;
		}
	}
	if (spec->max_latency_ms && in->latency_us > (uint64_t)spec->max_latency_ms * 1000)
		judge_fail(r, spec, PROBE_SLOW, "slow: answered in %.1f ms, max %u ms",
			   (double)in->latency_us / 1000.0, spec->max_latency_ms);
out:
	ldns_pkt_free(pkt);
}

int judge_primary_serial(const struct cfg_probe *spec, uint16_t id, const uint8_t *wire,
			 size_t len, uint32_t *serial)
{
	ldns_pkt *pkt = NULL;
	int rc = -1;
	(void)spec;
	if (judge_tsig_misplaced(wire, len) || ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK)
		return -1;
	if (ldns_pkt_qr(pkt) && ldns_pkt_id(pkt) == id &&
	    ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR &&
	    judge_soa_serial(judge_find_type(ldns_pkt_answer(pkt), LDNS_RR_TYPE_SOA), serial))
		rc = 0;
	ldns_pkt_free(pkt);
	return rc;
}

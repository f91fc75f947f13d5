/* rtjudge — see rtjudge.h */
#include "raizctl/rtjudge.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNSKEY_F_ZONE 0x0100
#define DNSKEY_F_REVOKE 0x0080
#define NAMEBUF 1024

static int rtj_say(char *why, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int rtj_say(char *why, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return rc;
}
#define rtj_fail(why, len, ...) rtj_say(why, len, -1, __VA_ARGS__)
#define rtj_ok(why, len, ...) rtj_say(why, len, 0, __VA_ARGS__)

/* a name in presentation format ("?" when it cannot be shown) */
static const char *rtj_name(const ldns_rdf *d, char *buf, size_t len)
{
	char *s = d ? ldns_rdf2str(d) : NULL;
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	return buf;
}

static const char *rtj_type(ldns_rr_type t, char *buf, size_t len)
{
	char *s = ldns_rr_type2str(t);
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
	return buf;
}

static const char *rtj_rcode(ldns_pkt_rcode rc, char *buf, size_t len)
{
	const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rc);
	if (lt && lt->name)
		snprintf(buf, len, "%s", lt->name);
	else
		snprintf(buf, len, "RCODE%d", (int)rc);
	return buf;
}

/* name is parent or below it (case-insensitive, on the wire form) */
static bool rtj_at_or_below(const ldns_rdf *name, const ldns_rdf *parent)
{
	const uint8_t *n = ldns_rdf_data(name), *p = ldns_rdf_data(parent);
	size_t nl = ldns_rdf_size(name), pl = ldns_rdf_size(parent), off = 0;
	while (nl - off > pl) {
		if (n[off] == 0)
			return false;
		off += (size_t)n[off] + 1;
		if (off >= nl)
			return false;
	}
	if (nl - off != pl)
		return false;
	for (size_t i = 0; i < pl; i++) {
		uint8_t a = n[off + i], b = p[i];
		if (a >= 'A' && a <= 'Z')
			a = (uint8_t)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (uint8_t)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static bool rtj_below(const ldns_rdf *name, const ldns_rdf *parent)
{
	return ldns_dname_compare(name, parent) != 0 && rtj_at_or_below(name, parent);
}

static uint16_t rtj_u16(const ldns_rdf *r)
{
	return r ? ldns_rdf2native_int16(r) : 0;
}

/* ---- signatures ---- */

int rtjudge_signed(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rr_list *rrset,
		   char *why, size_t len)
{
	char nb[NAMEBUF], tb[32], sb[NAMEBUF];
	if (!rrset || ldns_rr_list_rr_count(rrset) == 0)
		return rtj_fail(why, len, "nothing to validate");
	const ldns_rr *first = ldns_rr_list_rr(rrset, 0);
	ldns_rr_type type = ldns_rr_get_type(first);
	rtj_name(ldns_rr_owner(first), nb, sizeof nb);
	rtj_type(type, tb, sizeof tb);
	if (!z->validate)
		return rtj_ok(why, len, "not validated (no trust anchor)");
	if (!z->keys)
		return rtj_fail(why, len, "RRSIG %s %s not validated: the DNSKEY RRset did not "
				"validate (see the dnskey check)", tb, nb);
	ldns_rr_list *sigs = ldns_dnssec_pkt_get_rrsigs_for_name_and_type(p, ldns_rr_owner(first),
									  type);
	if (!sigs || ldns_rr_list_rr_count(sigs) == 0) {
		ldns_rr_list_deep_free(sigs);
		return rtj_fail(why, len, "no RRSIG over %s %s", tb, nb);
	}
	int rc = -1;
	ldns_status last = LDNS_STATUS_CRYPTO_NO_RRSIG;
	unsigned last_tag = 0;
	bool other_signer = false;
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs) && rc < 0; i++) {
		ldns_rr *sig = ldns_rr_list_rr(sigs, i);
		unsigned tag = rtj_u16(ldns_rr_rrsig_keytag(sig));
		const ldns_rdf *signer = ldns_rr_rrsig_signame(sig);
		if (!signer || ldns_dname_compare(signer, z->apex) != 0) {
			other_signer = true;
			rtj_name(signer, sb, sizeof sb);
			continue;
		}
		ldns_rr_list *good = ldns_rr_list_new();
		ldns_status st = ldns_verify_rrsig_keylist_time(rrset, sig, z->keys, z->now, good);
		if (st == LDNS_STATUS_OK) {
			unsigned gtag = ldns_rr_list_rr_count(good)
				? ldns_calc_keytag(ldns_rr_list_rr(good, 0)) : tag;
			rc = rtj_ok(why, len, "RRSIG %s validated (key tag %u)", tb, gtag);
		} else {
			last = st;
			last_tag = tag;
		}
		ldns_rr_list_free(good);
	}
	if (rc < 0) {
		if (last == LDNS_STATUS_CRYPTO_NO_RRSIG && other_signer)
			rtj_fail(why, len, "RRSIG %s %s is signed by %s, not by the zone", tb, nb, sb);
		else
			rtj_fail(why, len, "RRSIG %s %s (key tag %u) does not validate: %s", tb, nb,
				 last_tag, ldns_get_errorstr_by_id(last));
	}
	ldns_rr_list_deep_free(sigs);
	return rc;
}

/* ---- the apex ---- */

/* NOERROR and AA: 0, else -1 with the reason */
static int rtj_auth(const ldns_pkt *p, const char *what, char *why, size_t len)
{
	char rb[32];
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR)
		return rtj_fail(why, len, "%srcode %s%s", what,
				rtj_rcode(ldns_pkt_get_rcode(p), rb, sizeof rb),
				ldns_pkt_get_rcode(p) == LDNS_RCODE_REFUSED
				? " (the server does not serve the zone?)" : "");
	if (!ldns_pkt_aa(p))
		return rtj_fail(why, len, "%sAA not set: not an authoritative answer", what);
	return 0;
}

static bool rtj_anchor_names(const ldns_rr *a, const ldns_rr *key)
{
	return ldns_rr_compare_ds(a, key);
}

int rtjudge_dnskey(const ldns_rdf *apex, const ldns_pkt *p, const char *const *anchors,
		   size_t nanchors, time_t now, ldns_rr_list **keys, char *why, size_t len)
{
	char desc[160] = "", sig[RTJ_WHY];
	size_t dl = 0;
	*keys = NULL;
	if (rtj_auth(p, "", why, len) < 0)
		return -1;
	ldns_rr_list *set = ldns_pkt_rr_list_by_name_and_type(p, apex, LDNS_RR_TYPE_DNSKEY,
							      LDNS_SECTION_ANSWER);
	if (!set)
		return rtj_fail(why, len, "no DNSKEY RRset in the answer");
	ldns_rr_list *anchored = ldns_rr_list_new(), *atrs = ldns_rr_list_new();
	int rc = -1;
	for (size_t i = 0; i < nanchors; i++) {
		ldns_rr *a = NULL;
		if (ldns_rr_new_frm_str(&a, anchors[i], 3600, apex, NULL) != LDNS_STATUS_OK || !a) {
			rtj_fail(why, len, "trust anchor \"%s\" does not parse", anchors[i]);
			goto out;
		}
		ldns_rr_list_push_rr(atrs, a);
		unsigned tag = ldns_rr_get_type(a) == LDNS_RR_TYPE_DS ? rtj_u16(ldns_rr_rdf(a, 0))
			: ldns_calc_keytag(a);
		if (dl < sizeof desc)
			dl += (size_t)snprintf(desc + dl, sizeof desc - dl, "%s%s key tag %u",
					       i ? ", " : "",
					       ldns_rr_get_type(a) == LDNS_RR_TYPE_DS ? "DS" : "DNSKEY",
					       tag);
	}
	for (size_t k = 0; k < ldns_rr_list_rr_count(set); k++) {
		ldns_rr *key = ldns_rr_list_rr(set, k);
		uint16_t flags = rtj_u16(ldns_rr_dnskey_flags(key));
		if (!(flags & DNSKEY_F_ZONE) || (flags & DNSKEY_F_REVOKE))
			continue;
		for (size_t i = 0; i < ldns_rr_list_rr_count(atrs); i++)
			if (rtj_anchor_names(ldns_rr_list_rr(atrs, i), key)) {
				ldns_rr_list_push_rr(anchored, key);
				break;
			}
	}
	if (ldns_rr_list_rr_count(anchored) == 0) {
		rtj_fail(why, len, "no key of the DNSKEY RRset (%zu keys) matches the trust anchor "
			 "(%s)", ldns_rr_list_rr_count(set), desc);
		goto out;
	}
	struct rtj_zone az = { apex, true, anchored, now };
	if (rtjudge_signed(&az, p, set, sig, sizeof sig) < 0) {
		rtj_fail(why, len, "DNSKEY RRset not validated by the anchored key (%s): %s", desc, sig);
		goto out;
	}
	ldns_rr_list *zk = ldns_rr_list_new();
	for (size_t k = 0; k < ldns_rr_list_rr_count(set); k++) {
		ldns_rr *key = ldns_rr_list_rr(set, k);
		uint16_t flags = rtj_u16(ldns_rr_dnskey_flags(key));
		if ((flags & DNSKEY_F_ZONE) && !(flags & DNSKEY_F_REVOKE))
			ldns_rr_list_push_rr(zk, ldns_rr_clone(key));
	}
	*keys = zk;
	rc = rtj_ok(why, len, "%zu keys, %s by the trust anchor (%s)", ldns_rr_list_rr_count(set),
		    sig, desc);
out:
	ldns_rr_list_free(anchored);	/* pointers into set */
	ldns_rr_list_deep_free(atrs);
	ldns_rr_list_deep_free(set);
	return rc;
}

int rtjudge_apex(const struct rtj_zone *z, const ldns_pkt *p, ldns_rr_type type,
		 ldns_rr_list **rrset, char *why, size_t len)
{
	char tb[32], sig[RTJ_WHY];
	if (rrset)
		*rrset = NULL;
	rtj_type(type, tb, sizeof tb);
	if (rtj_auth(p, "", why, len) < 0)
		return -1;
	ldns_rr_list *set = ldns_pkt_rr_list_by_name_and_type(p, z->apex, type, LDNS_SECTION_ANSWER);
	if (!set)
		return rtj_fail(why, len, "no %s RRset at the apex in the answer", tb);
	if (type == LDNS_RR_TYPE_SOA && ldns_rr_list_rr_count(set) != 1) {
		ldns_rr_list_deep_free(set);
		return rtj_fail(why, len, "%zu SOA records at the apex", ldns_rr_list_rr_count(set));
	}
	if (rtjudge_signed(z, p, set, sig, sizeof sig) < 0) {
		ldns_rr_list_deep_free(set);
		return rtj_fail(why, len, "%s", sig);
	}
	rtj_ok(why, len, "AA, %zu %s, %s", ldns_rr_list_rr_count(set), tb, sig);
	if (rrset)
		*rrset = set;
	else
		ldns_rr_list_deep_free(set);
	return 0;
}

int rtjudge_nsid(const ldns_pkt *p, char *nsid, size_t len)
{
	const ldns_rdf *d = ldns_pkt_edns_data(p);
	if (len)
		nsid[0] = 0;
	if (!d)
		return -1;
	const uint8_t *o = ldns_rdf_data(d);
	size_t n = ldns_rdf_size(d), i = 0;
	while (i + 4 <= n) {
		unsigned code = (unsigned)o[i] << 8 | o[i + 1], olen = (unsigned)o[i + 2] << 8 | o[i + 3];
		if (i + 4 + olen > n)
			return -1;
		if (code == LDNS_EDNS_NSID) {
			size_t w = 0;
			for (unsigned k = 0; k < olen && w + 5 < len; k++) {
				uint8_t c = o[i + 4 + k];
				if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
					nsid[w++] = (char)c;
				else
					w += (size_t)snprintf(nsid + w, len - w, "\\%03u", c);
			}
			if (len)
				nsid[w < len ? w : len - 1] = 0;
			return 0;
		}
		i += 4 + olen;
	}
	return -1;
}

int rtjudge_service_ns(const ldns_rr_list *ns, char *const *names, size_t n, char *why,
		       size_t len)
{
	char have[RTJ_WHY] = "", missing[RTJ_WHY] = "", nb[NAMEBUF];
	size_t hl = 0, ml = 0, nmiss = 0;
	for (size_t k = 0; k < ldns_rr_list_rr_count(ns); k++)
		if (hl < sizeof have)
			hl += (size_t)snprintf(have + hl, sizeof have - hl, "%s%s", k ? " " : "",
					       rtj_name(ldns_rr_ns_nsdname(ldns_rr_list_rr(ns, k)),
							nb, sizeof nb));
	for (size_t i = 0; i < n; i++) {
		ldns_rdf *want = NULL;
		bool found = false;
		if (ldns_str2rdf_dname(&want, names[i]) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(want);
			return rtj_fail(why, len, "service-ns \"%s\" is not a domain name", names[i]);
		}
		for (size_t k = 0; k < ldns_rr_list_rr_count(ns) && !found; k++) {
			const ldns_rdf *t = ldns_rr_ns_nsdname(ldns_rr_list_rr(ns, k));
			found = t && ldns_dname_compare(t, want) == 0;
		}
		ldns_rdf_deep_free(want);
		if (!found) {
			nmiss++;
			if (ml < sizeof missing)
				ml += (size_t)snprintf(missing + ml, sizeof missing - ml, "%s%s",
						       ml ? ", " : "", names[i]);
		}
	}
	if (nmiss)
		return rtj_fail(why, len, "the apex NS set (%s) does not list %s", have, missing);
	return rtj_ok(why, len, "the apex NS set lists %zu service name%s", n, n == 1 ? "" : "s");
}

/* ---- delegations ---- */

void rtjudge_sample(size_t total, size_t max, size_t *idx, size_t *n)
{
	*n = total < max ? total : max;
	for (size_t i = 0; i < *n; i++)
		idx[i] = total <= max ? i : i * total / max;
}

static int rtj_cmp_dname(const void *a, const void *b)
{
	return ldns_dname_compare(*(const ldns_rdf *const *)a, *(const ldns_rdf *const *)b);
}

static ssize_t rtj_find(const struct rtj_delegs *d, const ldns_rdf *name)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = ldns_dname_compare(d->v[mid].name, name);
		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int rtjudge_delegations(const ldns_rr_list *zone, const ldns_rdf *apex, size_t max,
			struct rtj_delegs *out)
{
	size_t nrr = ldns_rr_list_rr_count(zone), nn = 0, ncut = 0, ns;
	memset(out, 0, sizeof *out);
	const ldns_rdf **names = calloc(nrr ? nrr : 1, sizeof *names);
	size_t *idx = calloc(max ? max : 1, sizeof *idx);
	if (!names || !idx)
		goto oom;
	for (size_t i = 0; i < nrr; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(zone, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS && rtj_below(ldns_rr_owner(rr), apex))
			names[nn++] = ldns_rr_owner(rr);
	}
	qsort(names, nn, sizeof *names, rtj_cmp_dname);
	/* the cuts: each name once, none below another (descendants of a name
	 * follow it in canonical order) */
	const ldns_rdf *last = NULL;
	for (size_t i = 0; i < nn; i++) {
		if (last && (ldns_dname_compare(names[i], last) == 0 || rtj_below(names[i], last)))
			continue;
		names[ncut++] = last = names[i];
	}
	out->total = ncut;
	rtjudge_sample(ncut, max, idx, &ns);
	out->v = calloc(ns ? ns : 1, sizeof *out->v);
	if (!out->v)
		goto oom;
	for (size_t i = 0; i < ns; i++) {
		struct rtj_deleg *d = &out->v[i];
		out->n = i + 1;
		d->name = ldns_rdf_clone(names[idx[i]]);
		d->ns = ldns_rr_list_new();
		d->ds = ldns_rr_list_new();
		d->glue = ldns_rr_list_new();
		if (!d->name || !d->ns || !d->ds || !d->glue)
			goto oom;
	}
	/* their NS and DS RRsets, then the glue of their NS names */
	for (size_t i = 0; i < nrr; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(zone, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		ssize_t k;
		if ((t == LDNS_RR_TYPE_NS || t == LDNS_RR_TYPE_DS) &&
		    (k = rtj_find(out, ldns_rr_owner(rr))) >= 0)
			ldns_rr_list_push_rr(t == LDNS_RR_TYPE_NS ? out->v[k].ns : out->v[k].ds,
					     ldns_rr_clone(rr));
	}
	for (size_t i = 0; i < nrr; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(zone, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA)
			continue;
		for (size_t k = 0; k < out->n; k++) {
			struct rtj_deleg *d = &out->v[k];
			if (!rtj_at_or_below(ldns_rr_owner(rr), d->name))
				continue;
			for (size_t j = 0; j < ldns_rr_list_rr_count(d->ns); j++) {
				const ldns_rdf *tgt = ldns_rr_ns_nsdname(ldns_rr_list_rr(d->ns, j));
				if (tgt && ldns_dname_compare(tgt, ldns_rr_owner(rr)) == 0) {
					ldns_rr_list_push_rr(d->glue, ldns_rr_clone(rr));
					break;
				}
			}
		}
	}
	free(names);
	free(idx);
	return 0;
oom:
	free(names);
	free(idx);
	rtjudge_delegs_free(out);
	return -1;
}

void rtjudge_delegs_free(struct rtj_delegs *d)
{
	for (size_t i = 0; d->v && i < d->n; i++) {
		ldns_rdf_deep_free(d->v[i].name);
		ldns_rr_list_deep_free(d->v[i].ns);
		ldns_rr_list_deep_free(d->v[i].ds);
		ldns_rr_list_deep_free(d->v[i].glue);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

/* the glue the primary has for target */
static bool rtj_has_addr(const ldns_rr_list *l, const ldns_rdf *target)
{
	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		if ((ldns_rr_get_type(rr) == LDNS_RR_TYPE_A || ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA)
		    && ldns_dname_compare(ldns_rr_owner(rr), target) == 0)
			return true;
	}
	return false;
}

int rtjudge_referral(const struct rtj_zone *z, const ldns_pkt *p, const struct rtj_deleg *d,
		     ldns_rr_list **nsout, char *why, size_t len)
{
	char nb[NAMEBUF], tb[NAMEBUF], rb[32];
	rtj_name(d->name, nb, sizeof nb);
	if (nsout)
		*nsout = NULL;
	(void)z;
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR)
		return rtj_fail(why, len, "%s: rcode %s%s, not a referral (the primary delegates it)",
				nb, rtj_rcode(ldns_pkt_get_rcode(p), rb, sizeof rb),
				ldns_pkt_aa(p) ? " with AA set" : "");
	if (ldns_pkt_aa(p) && ldns_pkt_ancount(p) == 0)
		return rtj_fail(why, len, "%s: NODATA with AA set (the name exists here, without "
				"NS), not a referral (the primary delegates it)", nb);
	if (ldns_pkt_aa(p))
		return rtj_fail(why, len, "%s: AA set: an authoritative answer, not a referral", nb);
	if (ldns_pkt_ancount(p) > 0)
		return rtj_fail(why, len, "%s: %u records in the answer section of a referral", nb,
				(unsigned)ldns_pkt_ancount(p));
	ldns_rr_list *ns = ldns_pkt_rr_list_by_name_and_type(p, d->name, LDNS_RR_TYPE_NS,
							     LDNS_SECTION_AUTHORITY);
	if (!ns)
		return rtj_fail(why, len, "%s: no NS RRset for it in the authority section", nb);
	size_t nglue = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rdf *tgt = ldns_rr_ns_nsdname(ldns_rr_list_rr(ns, i));
		if (!tgt || !rtj_at_or_below(tgt, d->name) || !rtj_has_addr(d->glue, tgt))
			continue;
		ldns_rr_list *a = ldns_pkt_rr_list_by_name_and_type(p, tgt, LDNS_RR_TYPE_A,
								    LDNS_SECTION_ADDITIONAL);
		ldns_rr_list *aaaa = ldns_pkt_rr_list_by_name_and_type(p, tgt, LDNS_RR_TYPE_AAAA,
								       LDNS_SECTION_ADDITIONAL);
		bool have = a || aaaa;
		ldns_rr_list_deep_free(a);
		ldns_rr_list_deep_free(aaaa);
		if (!have) {
			rtj_fail(why, len, "%s: no glue for %s in the additional section (the primary "
				 "has an address for it)", nb, rtj_name(tgt, tb, sizeof tb));
			ldns_rr_list_deep_free(ns);
			return -1;
		}
		nglue++;
	}
	rtj_ok(why, len, "%s: referral, %zu NS, glue for %zu", nb, ldns_rr_list_rr_count(ns), nglue);
	if (nsout)
		*nsout = ns;
	else
		ldns_rr_list_deep_free(ns);
	return 0;
}

int rtjudge_ds(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rdf *name,
	       ldns_rr_list **dsout, char *why, size_t len)
{
	char nb[NAMEBUF], pre[NAMEBUF + 4], sub[RTJ_WHY];
	rtj_name(name, nb, sizeof nb);
	snprintf(pre, sizeof pre, "%s: ", nb);
	if (dsout)
		*dsout = NULL;
	if (rtj_auth(p, pre, why, len) < 0)
		return -1;
	ldns_rr_list *ds = ldns_pkt_rr_list_by_name_and_type(p, name, LDNS_RR_TYPE_DS,
							     LDNS_SECTION_ANSWER);
	if (ds) {
		if (rtjudge_signed(z, p, ds, sub, sizeof sub) < 0) {
			ldns_rr_list_deep_free(ds);
			return rtj_fail(why, len, "%s: %s", nb, sub);
		}
		rtj_ok(why, len, "%s: %zu DS, %s", nb, ldns_rr_list_rr_count(ds), sub);
		if (dsout)
			*dsout = ds;
		else
			ldns_rr_list_deep_free(ds);
		return 0;
	}
	if (ldns_pkt_ancount(p) > 0)
		return rtj_fail(why, len, "%s: %u records in the answer but no DS", nb,
				(unsigned)ldns_pkt_ancount(p));
	if (!z->validate)
		return rtj_ok(why, len, "%s: no DS (not validated: no trust anchor)", nb);
	if (rtjudge_denial(z, p, name, LDNS_RR_TYPE_DS, false, sub, sizeof sub) < 0)
		return rtj_fail(why, len, "%s: no DS and no valid proof: %s", nb, sub);
	return rtj_ok(why, len, "%s: no DS, %s", nb, sub);
}

int rtjudge_nxdomain(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rdf *qname,
		     char *why, size_t len)
{
	char nb[NAMEBUF], rb[32], sub[RTJ_WHY], sig[RTJ_WHY];
	rtj_name(qname, nb, sizeof nb);
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NXDOMAIN)
		return rtj_fail(why, len, "%s: rcode %s, not NXDOMAIN%s", nb,
				rtj_rcode(ldns_pkt_get_rcode(p), rb, sizeof rb),
				ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR
				? " (does a wildcard cover it?)" : "");
	if (!ldns_pkt_aa(p))
		return rtj_fail(why, len, "%s: NXDOMAIN without AA", nb);
	ldns_rr_list *soa = ldns_pkt_rr_list_by_name_and_type(p, z->apex, LDNS_RR_TYPE_SOA,
							      LDNS_SECTION_AUTHORITY);
	if (!soa)
		return rtj_fail(why, len, "%s: NXDOMAIN without the zone's SOA in the authority "
				"section", nb);
	int rc = rtjudge_signed(z, p, soa, sig, sizeof sig);
	ldns_rr_list_deep_free(soa);
	if (rc < 0)
		return rtj_fail(why, len, "%s: %s", nb, sig);
	if (!z->validate) {
		ldns_rr_list *n1 = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
		ldns_rr_list *n3 = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_NSEC3,
							    LDNS_SECTION_AUTHORITY);
		bool proof = n1 || n3;
		ldns_rr_list_deep_free(n1);
		ldns_rr_list_deep_free(n3);
		if (!proof)
			return rtj_ok(why, len, "%s: NXDOMAIN, AA (no proof: no trust anchor, an "
				      "unsigned zone?)", nb);
	}
	if (rtjudge_denial(z, p, qname, LDNS_RR_TYPE_A, true, sub, sizeof sub) < 0)
		return rtj_fail(why, len, "%s: NXDOMAIN, but %s", nb, sub);
	return rtj_ok(why, len, "%s: NXDOMAIN, AA, %s", nb, sub);
}

/* ---- denial of existence ---- */

/* every record of l is signed by the zone (each owner's RRset) */
static int rtj_all_signed(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rr_list *l,
			  char *why, size_t len)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		ldns_rr_list *set = ldns_pkt_rr_list_by_name_and_type(p, ldns_rr_owner(rr),
								      ldns_rr_get_type(rr),
								      LDNS_SECTION_AUTHORITY);
		int rc = rtjudge_signed(z, p, set ? set : l, why, len);
		ldns_rr_list_deep_free(set);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* a query RR (owner qname, type qtype) for ldns's denial functions */
static ldns_rr *rtj_qrr(const ldns_rdf *qname, ldns_rr_type qtype)
{
	ldns_rr *q = ldns_rr_new();
	ldns_rdf *o = ldns_rdf_clone(qname);
	if (!q || !o) {
		ldns_rr_free(q);
		ldns_rdf_deep_free(o);
		return NULL;
	}
	ldns_rr_set_owner(q, o);
	ldns_rr_set_type(q, qtype);
	ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
	return q;
}

static ldns_rr *rtj_owned(const ldns_rr_list *l, const ldns_rdf *name)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(l, i)), name) == 0)
			return ldns_rr_list_rr(l, i);
	return NULL;
}

static int rtj_denial_nsec(const ldns_rr_list *nsecs, const ldns_rr_list *sigs,
			   const ldns_rdf *qname, ldns_rr_type qtype, bool nxdomain, char *why,
			   size_t len)
{
	char nb[NAMEBUF], tb[32];
	rtj_name(qname, nb, sizeof nb);
	rtj_type(qtype, tb, sizeof tb);
	ldns_rr *match = rtj_owned(nsecs, qname);
	if (nxdomain && match)
		return rtj_fail(why, len, "an NSEC is owned by %s: the name exists", nb);
	if (!nxdomain && !match)
		return rtj_fail(why, len, "no NSEC owned by %s (NODATA needs the name's own NSEC)", nb);
	ldns_rr *q = rtj_qrr(qname, qtype);
	if (!q)
		return rtj_fail(why, len, "out of memory");
	ldns_status st = ldns_dnssec_verify_denial(q, (ldns_rr_list *)nsecs, (ldns_rr_list *)sigs);
	ldns_rr_free(q);
	if (st == LDNS_STATUS_DNSSEC_NSEC_RR_NOT_COVERED)
		return nxdomain ? rtj_fail(why, len, "no NSEC covers %s", nb)
			: rtj_fail(why, len, "the NSEC of %s lists %s", nb, tb);
	if (st == LDNS_STATUS_DNSSEC_NSEC_WILDCARD_NOT_COVERED)
		return rtj_fail(why, len, "no NSEC proves that no wildcard covers %s", nb);
	if (st != LDNS_STATUS_OK)
		return rtj_fail(why, len, "NSEC proof rejected: %s", ldns_get_errorstr_by_id(st));
	return rtj_ok(why, len, "NSEC proof (%zu NSEC) %s", ldns_rr_list_rr_count(nsecs),
		      nxdomain ? "covers the name and the wildcard" : "matches the name");
}

/* the hash of name as an NSEC3 owner of the zone: "<b32hex>.<apex>" */
static ldns_rdf *rtj_hashed(const ldns_rr *nsec3, const ldns_rdf *name, const ldns_rdf *apex)
{
	ldns_rdf *h = ldns_nsec3_hash_name_frm_nsec3(nsec3, name);
	if (h && ldns_dname_cat(h, apex) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(h);
		h = NULL;
	}
	return h;
}

/* RFC 5155 8.6: no DS at qname (match without DS/CNAME, or opt-out cover of the
 * next closer below a proven closest encloser) */
static int rtj_nsec3_nods(const ldns_rr_list *n3, const ldns_rdf *qname, const ldns_rdf *apex,
			  char *why, size_t len)
{
	char nb[NAMEBUF], cb[NAMEBUF];
	rtj_name(qname, nb, sizeof nb);
	ldns_rdf *h = rtj_hashed(ldns_rr_list_rr(n3, 0), qname, apex);
	if (!h)
		return rtj_fail(why, len, "cannot hash %s with the NSEC3 parameters", nb);
	ldns_rr *m = rtj_owned(n3, h);
	ldns_rdf_deep_free(h);
	if (m) {
		const ldns_rdf *bm = ldns_nsec3_bitmap(m);
		if (bm && (ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_DS) ||
			   ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_CNAME)))
			return rtj_fail(why, len, "the NSEC3 of %s lists DS or CNAME", nb);
		return rtj_ok(why, len, "NSEC3 proof: the NSEC3 of the name lists no DS");
	}
	ldns_rdf *ce = ldns_dnssec_nsec3_closest_encloser(qname, LDNS_RR_TYPE_DS, n3);
	if (!ce)
		return rtj_fail(why, len, "no NSEC3 matches %s and there is no closest encloser "
				"proof", nb);
	uint8_t ql = ldns_dname_label_count(qname), cl = ldns_dname_label_count(ce);
	ldns_rdf *next = ql > cl ? ldns_dname_clone_from(qname, (uint16_t)(ql - cl - 1)) : NULL;
	ldns_rdf *hn = next ? rtj_hashed(ldns_rr_list_rr(n3, 0), next, apex) : NULL;
	int rc = rtj_fail(why, len, "no NSEC3 matches %s and none with opt-out covers the next "
			  "closer name below %s", nb, rtj_name(ce, cb, sizeof cb));
	for (size_t i = 0; hn && i < ldns_rr_list_rr_count(n3); i++) {
		ldns_rr *r = ldns_rr_list_rr(n3, i);
		if (ldns_nsec3_optout(r) && ldns_dname_compare(ldns_rr_owner(r), hn) != 0 &&
		    ldns_nsec_covers_name(r, hn)) {
			rc = rtj_ok(why, len, "NSEC3 proof: opt-out over the next closer name (an "
				    "unsigned delegation)");
			break;
		}
	}
	ldns_rdf_deep_free(hn);
	ldns_rdf_deep_free(next);
	ldns_rdf_deep_free(ce);
	return rc;
}

static int rtj_denial_nsec3(const ldns_rr_list *n3, const ldns_rr_list *sigs,
			    const ldns_rdf *qname, ldns_rr_type qtype, bool nxdomain,
			    const ldns_rdf *apex, char *why, size_t len)
{
	char nb[NAMEBUF], cb[NAMEBUF];
	rtj_name(qname, nb, sizeof nb);
	for (size_t i = 0; i < ldns_rr_list_rr_count(n3); i++) {
		ldns_rr *r = ldns_rr_list_rr(n3, i);
		ldns_rdf *parent = ldns_dname_left_chop(ldns_rr_owner(r));
		bool ours = parent && ldns_dname_compare(parent, apex) == 0;
		ldns_rdf_deep_free(parent);
		if (!ours)
			return rtj_fail(why, len, "NSEC3 %s is not owned by a hash under the apex",
					rtj_name(ldns_rr_owner(r), cb, sizeof cb));
	}
	if (!nxdomain) {
		if (qtype == LDNS_RR_TYPE_DS)
			return rtj_nsec3_nods(n3, qname, apex, why, len);
		return rtj_fail(why, len, "NODATA proofs are only judged for DS");
	}
	ldns_rdf *h = rtj_hashed(ldns_rr_list_rr(n3, 0), qname, apex);
	bool exists = h && rtj_owned(n3, h);
	ldns_rdf_deep_free(h);
	if (exists)
		return rtj_fail(why, len, "an NSEC3 matches %s: the name exists", nb);
	ldns_rdf *ce = ldns_dnssec_nsec3_closest_encloser(qname, qtype, n3);
	if (!ce)
		return rtj_fail(why, len, "no closest encloser proof for %s (an NSEC3 matching an "
				"ancestor and one covering the next closer name)", nb);
	/* the wildcard at the closest encloser must be covered, not matched */
	ldns_rdf *w = ldns_dname_new_frm_str("*");
	if (w && ldns_dname_cat(w, ce) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(w);
		w = NULL;
	}
	ldns_rdf *hw = w ? rtj_hashed(ldns_rr_list_rr(n3, 0), w, apex) : NULL;
	bool wild = hw && rtj_owned(n3, hw);
	ldns_rdf_deep_free(hw);
	ldns_rdf_deep_free(w);
	rtj_name(ce, cb, sizeof cb);
	ldns_rdf_deep_free(ce);
	if (wild)
		return rtj_fail(why, len, "an NSEC3 matches the wildcard *.%s: %s would exist", cb, nb);
	ldns_rr *q = rtj_qrr(qname, qtype);
	if (!q)
		return rtj_fail(why, len, "out of memory");
	ldns_status st = ldns_dnssec_verify_denial_nsec3(q, (ldns_rr_list *)n3, (ldns_rr_list *)sigs,
							 LDNS_RCODE_NXDOMAIN, qtype, true);
	ldns_rr_free(q);
	if (st == LDNS_STATUS_DNSSEC_NSEC_WILDCARD_NOT_COVERED)
		return rtj_fail(why, len, "no NSEC3 covers the wildcard *.%s", cb);
	if (st != LDNS_STATUS_OK)
		return rtj_fail(why, len, "NSEC3 proof rejected: %s", ldns_get_errorstr_by_id(st));
	return rtj_ok(why, len, "NSEC3 proof (%zu NSEC3): closest encloser %s, next closer and "
		      "wildcard covered", ldns_rr_list_rr_count(n3), cb);
}

int rtjudge_denial(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rdf *qname,
		   ldns_rr_type qtype, bool nxdomain, char *why, size_t len)
{
	char sig[RTJ_WHY];
	ldns_rr_list *n1 = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
	ldns_rr_list *n3 = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_NSEC3, LDNS_SECTION_AUTHORITY);
	ldns_rr_list *sigs = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_AUTHORITY);
	int rc;
	if (!n1 && !n3)
		rc = rtj_fail(why, len, "no NSEC or NSEC3 records in the authority section");
	else if (n1 && n3)
		rc = rtj_fail(why, len, "both NSEC and NSEC3 records in the authority section");
	else if (rtj_all_signed(z, p, n1 ? n1 : n3, sig, sizeof sig) < 0)
		rc = rtj_fail(why, len, "%s", sig);
	else if (n1)
		rc = rtj_denial_nsec(n1, sigs, qname, qtype, nxdomain, why, len);
	else
		rc = rtj_denial_nsec3(n3, sigs, qname, qtype, nxdomain, z->apex, why, len);
	if (rc == 0 && !z->validate) {
		size_t n = strlen(why);
		snprintf(why + n, len - n, " (signatures not validated: no trust anchor)");
	}
	ldns_rr_list_deep_free(n1);
	ldns_rr_list_deep_free(n3);
	ldns_rr_list_deep_free(sigs);
	return rc;
}

/* ---- comparing with the primary ---- */

static int rtj_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the records as sorted canonical text lines without TTL; NULL on oom */
static char **rtj_lines(const ldns_rr_list *l, size_t *n)
{
	*n = l ? ldns_rr_list_rr_count(l) : 0;
	char **v = calloc(*n ? *n : 1, sizeof *v);
	for (size_t i = 0; v && i < *n; i++) {
		ldns_rr *c = ldns_rr_clone(ldns_rr_list_rr(l, i));
		if (c) {
			ldns_rr_set_ttl(c, 0);
			ldns_rr2canonical(c);
			v[i] = ldns_rr2str(c);
			ldns_rr_free(c);
		}
		if (!v[i]) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return NULL;
		}
		size_t k = strlen(v[i]);
		while (k && (v[i][k - 1] == '\n' || v[i][k - 1] == ' '))
			v[i][--k] = 0;
		for (char *t = v[i]; *t; t++)
			if (*t == '\t')
				*t = ' ';
	}
	if (v)
		qsort(v, *n, sizeof *v, rtj_cmp_str);
	return v;
}

/* "type rdata" of a canonical line "owner ttl class type rdata" */
static const char *rtj_short(const char *line)
{
	const char *p = line;
	for (int f = 0; f < 3 && p; f++) {
		p = strpbrk(p, " \t");
		if (p)
			p += strspn(p, " \t");
	}
	return p ? p : line;
}

bool rtjudge_same(const ldns_rr_list *node, const ldns_rr_list *primary, char *why, size_t len)
{
	size_t na, nb;
	char **a = rtj_lines(node, &na), **b = rtj_lines(primary, &nb);
	bool same = true;
	size_t w = 0;
	if (!a || !b) {
		rtj_fail(why, len, "out of memory");
		same = false;
		goto out;
	}
	why[0] = 0;
	for (size_t i = 0, j = 0; i < na || j < nb;) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i], b[j]);
		if (c == 0) {
			i++, j++;
			continue;
		}
		same = false;
		if (w < len)
			w += (size_t)snprintf(why + w, len - w, "%s%s %s", w ? "; " : "",
					      c < 0 ? "only the node has" : "only the primary has",
					      rtj_short(c < 0 ? a[i] : b[j]));
		if (c < 0)
			i++;
		else
			j++;
	}
	if (same)
		rtj_ok(why, len, "%zu records, the same", na);
out:
	for (size_t i = 0; a && i < na; i++)
		free(a[i]);
	for (size_t i = 0; b && i < nb; i++)
		free(b[i]);
	free(a);
	free(b);
	return same;
}

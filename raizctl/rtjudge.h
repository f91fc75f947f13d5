/*
 * rtjudge — the judgements of a resolution trial: is this reply what a
 * validating resolver must get from an authoritative server of the zone?
 * (restrial.h does the asking; rtreport.h the report.)
 *
 * Contract: pure functions of their inputs — the reply as an ldns_pkt, the
 * zone (apex, validated keys, the time `now`) and the primary's data: no
 * I/O, no clock, no globals, so they are unit-tested with canned packets.
 * Each returns 0 when the reply is right and -1 when not, and writes one
 * line in why either way: what was found ("referral, 2 NS, 1 glue") or
 * what is wrong ("sub.br.: AA set on a referral").  ldns does all the
 * DNSSEC: signatures with ldns_verify_rrsig_keylist_time() (RFC 1982 time
 * window included), anchors with ldns_rr_compare_ds(), NSEC denial with
 * ldns_dnssec_verify_denial() and NSEC3 NXDOMAIN with
 * ldns_dnssec_verify_denial_nsec3() (RFC 5155 8.4: closest encloser, next
 * closer covered, wildcard covered); the NSEC3 proof of "no DS" (RFC 5155
 * 8.6: a matching NSEC3 without DS, or a closest encloser and an opt-out
 * NSEC3 over the next closer) is built here from ldns's NSEC3 primitives
 * because ldns 1.8.3's own leaks on success.  On top of ldns: an NXDOMAIN
 * proof must not match the name itself, a NODATA proof must match it, the
 * signer of every RRSIG must be the apex, NSEC3 owners must be in the zone.
 *
 * With z->validate false (no trust anchor) signatures are not looked at
 * and the reason says "not validated"; with validate true and keys NULL
 * (the DNSKEY RRset did not validate) every signed answer fails.
 * ldns canonicalises (lowercases) the names of RRSIGs it verifies.
 * Single-threaded callers only.
 */
#ifndef RAIZ_RAIZCTL_RTJUDGE_H
#define RAIZ_RAIZCTL_RTJUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <ldns/ldns.h>

#define RTJ_WHY 512

struct rtj_zone {
	const ldns_rdf *apex;
	bool validate;              /* the zone has trust anchors */
	const ldns_rr_list *keys;   /* validated zone keys, NULL = none */
	time_t now;
};

/* the DNSKEY RRset in p's answer is signed by a key a trust anchor (DS or
 * DNSKEY text, "br. IN DS 12345 13 2 ...") names; *keys gets the zone's
 * keys (DNSKEYs with the zone flag, not revoked; free with
 * ldns_rr_list_deep_free), else NULL */
int rtjudge_dnskey(const ldns_rdf *apex, const ldns_pkt *p, const char *const *anchors,
		   size_t nanchors, time_t now, ldns_rr_list **keys, char *why, size_t len);

/* an authoritative answer at the apex: NOERROR, AA, the RRset of type in
 * the answer (one record for SOA), signed; *rrset (may be NULL) gets it */
int rtjudge_apex(const struct rtj_zone *z, const ldns_pkt *p, ldns_rr_type type,
		 ldns_rr_list **rrset, char *why, size_t len);

/* rrset (one owner and type, from p) carries an RRSIG by the apex that
 * validates with one of z->keys at z->now (0), else -1 */
int rtjudge_signed(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rr_list *rrset,
		   char *why, size_t len);

/* the reply's NSID option (RFC 5001), printable (others as \DDD); -1 none */
int rtjudge_nsid(const ldns_pkt *p, char *nsid, size_t len);

/* the apex NS RRset lists every name (presentation format) */
int rtjudge_service_ns(const ldns_rr_list *ns, char *const *names, size_t n, char *why,
		       size_t len);

/* deterministic sample: up to max of total items, evenly spaced from the
 * first (all of them when total <= max); idx gets *n increasing indexes */
void rtjudge_sample(size_t total, size_t max, size_t *idx, size_t *n);

/* a delegation as the primary has it */
struct rtj_deleg {
	ldns_rdf *name;
	ldns_rr_list *ns;           /* its NS RRset */
	ldns_rr_list *ds;           /* its DS RRset, maybe empty */
	ldns_rr_list *glue;         /* A/AAAA of its NS names at or below it */
};
struct rtj_delegs {
	struct rtj_deleg *v;        /* the sample, in canonical order */
	size_t n;
	size_t total;               /* delegations in the zone */
};
/* the delegations of the zone in `zone` (records of an AXFR: NS, DS, A,
 * AAAA are used; names below a cut are not cuts), a sample of up to max;
 * 0, or -1 when out of memory */
int rtjudge_delegations(const ldns_rr_list *zone, const ldns_rdf *apex, size_t max,
			struct rtj_delegs *out);
void rtjudge_delegs_free(struct rtj_delegs *d);

/* p (the answer to "d->name NS") is a referral: NOERROR, AA clear, no
 * answer, d->name's NS RRset in the authority section, an address in the
 * additional section for each NS name at or below the cut that the
 * primary has glue for; *ns (may be NULL) gets the NS RRset or NULL */
int rtjudge_referral(const struct rtj_zone *z, const ldns_pkt *p, const struct rtj_deleg *d,
		     ldns_rr_list **ns, char *why, size_t len);

/* p (the answer to "name DS") is authoritative and gives either the DS
 * RRset, signed, or NODATA with an NSEC/NSEC3 proof that there is none;
 * *ds (may be NULL) gets the DS RRset or NULL */
int rtjudge_ds(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rdf *name,
	       ldns_rr_list **ds, char *why, size_t len);

/* p (the answer to "qname A", qname not in the zone) is NXDOMAIN, AA, with
 * the SOA in the authority section and, signed zone, an NSEC or NSEC3
 * proof that covers qname and the wildcard, all signatures validated */
int rtjudge_nxdomain(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rdf *qname,
		     char *why, size_t len);

/* the NSEC or NSEC3 records of p's authority section prove that qname
 * does not exist (nxdomain) or has no qtype (NODATA), their signatures
 * validated */
int rtjudge_denial(const struct rtj_zone *z, const ldns_pkt *p, const ldns_rdf *qname,
		   ldns_rr_type qtype, bool nxdomain, char *why, size_t len);

/* the same records, TTL and case aside (an empty or NULL list is none);
 * when not, why says what only one side has */
bool rtjudge_same(const ldns_rr_list *node, const ldns_rr_list *primary, char *why,
		  size_t len);

#endif

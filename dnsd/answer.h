/*
 * answer — the authoritative lookup (RFC 1034 4.3.2) for one question,
 * written into a response being built.
 *
 * Contract: answer_lookup() finds the zone, follows CNAMEs and DNAMEs
 * through the zones of the set (at most ANSWER_MAX_CHAIN steps), handles
 * referrals (with glue and, under DO, DS or the NSEC/NSEC3 proof of no
 * DS), wildcards (RFC 4592), empty non-terminals, and adds RRSIGs and the
 * NSEC/NSEC3 denial proofs (RFC 4035 3.1.3, RFC 5155 7.2) when dnssec_ok.
 * It collects RRsets first (no duplicates) and then writes the answer,
 * authority and additional sections into w after the question, the way
 * NSD 4.6 does: an answer or authority RRset that does not fit sets TC and
 * ends the response; over UDP the optional data (the apex NS RRset added
 * to positive answers, the additional section) ends silently at the first
 * RRset that does not fit or would pass ANSWER_MINIMAL_SIZE, and a
 * referral left without any A glue that way gets TC.  No allocation, no
 * locking.
 *
 * Choices where the RFCs leave one (documented, NSD 4.6 behaviour, checked
 * against it by tests/t_differential.py):
 * - positive answers carry the zone's apex NS RRset in the authority
 *   section (not for qtype DNSKEY, DS or ANY, not for class ANY) and A/AAAA
 *   for NS (glue included), MX, KX, RT and SRV targets in the additional
 *   section;
 * - qtype ANY (RFC 8482 4.1) gets one RRset: of the name's types in the
 *   order they first appear in the zone file, the first of A, AAAA, SOA,
 *   MX, PTR, else the last other type, else the last of DNSKEY, RRSIG,
 *   NSEC (RRSIGs come with the RRset under DO), never NSEC3;
 * - qtype NSEC3 is answered with NODATA (NSEC3 owner names are not names
 *   of the zone); qtype RRSIG and NSEC are answered as data;
 * - a DNAME occludes the names below it, also delegations;
 * - CNAMEs and DNAMEs are followed into the other zones of the set;
 * - a negative answer's SOA and its RRSIG have TTL min(SOA TTL, MINIMUM).
 */
#ifndef RAIZ_DNSD_ANSWER_H
#define RAIZ_DNSD_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "dnsd/wire.h"

#define ANSWER_MAX_CHAIN 12
#define ANSWER_MAX_ITEMS 64
/* NSD's IPV4_MINIMAL_RESPONSE_SIZE: optional data stops there over UDP */
#define ANSWER_MINIMAL_SIZE 1232

struct zoneset;

struct answer_req {
	const struct zoneset *zs;
	const uint8_t *qname;	/* uncompressed wire name, as in the question */
	uint16_t qtype;
	bool class_any;		/* qclass ANY: answered like IN without AA */
	bool dnssec_ok;
	bool tcp;		/* no minimal-response limit for optional data */
};

struct answer_res {
	uint8_t rcode;		/* 0, NXDOMAIN, REFUSED, YXDOMAIN */
	bool aa;
	bool tc;
	uint16_t ancount, nscount, arcount;
	/* the wildcard ("*.encloser", wire) the question's name was answered
	 * from, or NULL: rate limiting keys such answers by it, so random
	 * names under a wildcard share one bucket.  Points into the zone. */
	const uint8_t *wildcard;
};

void answer_lookup(const struct answer_req *rq, struct wire *w, struct answer_res *res);

#endif

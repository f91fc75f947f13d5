/*
 * zverify — "verify before serve": check a zone copy's DNSSEC against the
 * configured trust anchor before it is published.  A zone that fails is
 * not served; the copy served before stays.
 *
 * Contract: zverify_zone() checks, in this order, (1) the apex DNSKEY
 * RRset carries a valid RRSIG by a key the anchor names (DS with digest
 * SHA-1/SHA-256/SHA-384, or an equal DNSKEY); (2) every authoritative
 * RRset (all but the NS RRset at a cut, data at a cut other than DS/NSEC,
 * and everything below a cut or a DNAME) has an RRSIG by this zone, and
 * every RRSIG whose signer is this zone validates with a zone key of that
 * DNSKEY RRset at `now` (inception <= now <= expiration, RFC 1982 serial
 * arithmetic; RRset TTL not above the original TTL); (3) the denial chain
 * (NSEC or NSEC3 per the zone's NSEC3PARAM; opt-out honoured) is complete,
 * in canonical/hash order, one closed ring, bitmaps equal to the types at
 * each name; (4) no RRSIG is left without the RRset it covers.  It stops at
 * the first problem and writes one reason naming the record.  ldns does the
 * cryptography (ldns_verify_rrsig_evp_raw on keys ldns decoded once, or
 * ldns_verify_rrsig_time for DSA and others; ldns_key_rr2ds); records are
 * walked with zone_iter (zone.h).
 *
 * Cost: every RRSIG of the zone is verified once, with each public key
 * decoded once per call, plus one NSEC3 hash per name that has no NSEC3
 * (opt-out).  Measured on one core of a shared 2-core Xeon (OpenSSL 3.0,
 * ldns 1.8.3), zone of 992k records / 480k names / 256k RRSIGs (160k
 * delegations, NSEC3 opt-out): RSASHA256-2048 6 s, ECDSAP256SHA256 24 s,
 * ED25519 31-41 s, i.e. 23 / 93 / 120-160 us per RRSIG, of which
 * OpenSSL's verify alone is 16 / 66 / 96 us (zone_load of the same file:
 * 6-7 s).  A 5,000-delegation zone (8k RRSIGs, ED25519) takes about 1 s.
 * Memory: one byte per name (NSEC3 zones) and one RRset at a time.
 *
 * Threads: a pure function of an immutable zone; it allocates and frees
 * its own state and may run on any thread, several at once.
 */
#ifndef RAIZ_DNSD_ZVERIFY_H
#define RAIZ_DNSD_ZVERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct zone;

struct zverify_report {
	size_t rrsets_checked, rrsigs_checked;
	char signer[256];		/* presentation form of the apex */
	unsigned ksk_tag, zsk_count;	/* key tag of the DNSKEY the anchor matched, number of zone keys */
	uint32_t earliest_expiry;	/* soonest RRSIG expiration seen (epoch seconds) */
	const char *denial;		/* "NSEC", "NSEC3" or "none" */
};

/* anchors: DS or DNSKEY records for the zone apex in presentation format
 * ("br. 3600 IN DS ...", TTL and class optional).  0 when the zone checks
 * out, else -1 and one reason in err, e.g. "RRSIG A www.br. expired
 * 2026-12-01T00:00:00Z (key tag 12345)", "DNSKEY RRset not signed by the
 * trust anchor's key (DS key tag 12345): ...", "NSEC chain broken after
 * a.br.: next name c.br. but b.br. exists", "no RRSIG for MX mail.br.".
 * rep (may be NULL) is filled as far as the check got. */
int zverify_zone(const struct zone *z, const char *const *anchors, size_t nanchors, time_t now,
		 struct zverify_report *rep, char *err, size_t errlen);

/* parse-check one anchor for zone_name (used by the configuration loader):
 * DS or DNSKEY owned by the apex, class IN, a supported algorithm, a DS
 * digest of type 1, 2 or 4 and the right length, a DNSKEY with the zone
 * flag and protocol 3.  0, or -1 with a reason in err. */
int zverify_anchor_check(const char *zone_name, const char *anchor_text, char *err, size_t errlen);

#endif

/*
 * rrsig — signature validity windows, judged the way a validator will.
 *
 * Contract: RRSIG inception and expiration are 32-bit serial numbers
 * (RFC 4034 3.1.5, RFC 1982 arithmetic): they are resolved to the absolute
 * time nearest to `now`, so the check keeps working across 2106.
 * rrsig_check() looks at every RRSIG in the list and fails on the first
 * one that has expired, expires within `margin_s` of now, or whose
 * inception is still in the future.  It never allocates and never looks at
 * the cryptography (probes judge timing; validation is the resolver's job).
 */
#ifndef RAIZ_PROBES_RRSIG_H
#define RAIZ_PROBES_RRSIG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <ldns/ldns.h>

/* the absolute time of a 32-bit serial timestamp, the one nearest now */
time_t rrsig_time(uint32_t stamp, time_t now);

/* "2026-11-21T12:00:00Z" */
void rrsig_fmt_time(time_t t, char *buf, size_t len);
/* 86400 -> "24h", 5400 -> "90m", 61 -> "61s" */
void rrsig_fmt_span(uint32_t secs, char *buf, size_t len);

struct rrsig_seen {
	unsigned count;      /* RRSIGs looked at (accumulates) */
	time_t earliest;     /* earliest expiration, 0 = none yet */
};

/* 0 when every RRSIG in rrs is fine; -1 with a message (no prefix) in msg.
 * seen accumulates over calls, also past a failure in the same list. */
int rrsig_check(const ldns_rr_list *rrs, time_t now, uint32_t margin_s,
		struct rrsig_seen *seen, char *msg, size_t msglen);

#endif

/*
 * judge — is a reply what the probe expects?
 *
 * Contract: judge_reply() is a pure function of its inputs (spec, the query
 * ID, the reply bytes, the wall clock `now`, the latency, the primary's
 * serial): no I/O, no globals, so it is unit-tested with crafted packets.
 * It fills the observations of *r (rcode, AA, NSID, SOA serial, earliest
 * RRSIG expiration) as far as the reply allows and sets the verdict of the
 * first failed check, in this order:
 *   malformed / not a reply / ID / question          -> WRONG
 *   rcode, AA, NSID                                  -> WRONG
 *   TC set while the answer must be judged           -> WRONG
 *   expect-answer, expect-rdata, expect-rrsig        -> WRONG
 *   RRSIG windows (answer and authority sections)    -> SIGNATURES
 *   soa-max-age, max-serial-lag                      -> STALE
 *   max-latency                                      -> SLOW
 * judge_fail() sets a verdict and a reason (prefixed with the question, see
 * judge_describe()) unless a failure was already recorded.
 */
#ifndef RAIZ_PROBES_JUDGE_H
#define RAIZ_PROBES_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "probes/probe.h"

struct judge_input {
	uint16_t id;                 /* the query's ID */
	const uint8_t *wire;         /* the reply, without TCP length */
	size_t len;
	time_t now;                  /* wall clock, for SOA age and RRSIG windows */
	uint64_t latency_us;
	bool has_primary_serial;
	uint32_t primary_serial;
};

/* reset r to "no reply yet" (verdict ok, rcode -1) */
void judge_init(struct probe_result *r);
void judge_reply(const struct cfg_probe *spec, const struct judge_input *in,
		 struct probe_result *r);
/* the SOA serial in the answer of the primary's reply; 0 ok, -1 none */
int judge_primary_serial(const struct cfg_probe *spec, uint16_t id, const uint8_t *wire,
			 size_t len, uint32_t *serial);
/* "udp 192.0.2.53@53 . SOA" (class shown when not IN, "+dnssec" with DO) */
void judge_describe(const struct cfg_probe *spec, char *buf, size_t len);
/* always returns -1, for "return judge_fail(...);" */
int judge_fail(struct probe_result *r, const struct cfg_probe *spec,
	       enum probe_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif

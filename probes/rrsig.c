/* rrsig — see rrsig.h */
#include "probes/rrsig.h"

#include <stdio.h>

time_t rrsig_time(uint32_t stamp, time_t now)
{
	/* RFC 1982: the difference, taken modulo 2^32, as a signed number */
	int32_t delta = (int32_t)(stamp - (uint32_t)(uint64_t)now);
	return now + (time_t)delta;
}

void rrsig_fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

void rrsig_fmt_span(uint32_t secs, char *buf, size_t len)
{
	if (secs != 0 && secs % 3600 == 0)
		snprintf(buf, len, "%uh", secs / 3600);
	else if (secs != 0 && secs % 60 == 0)
		snprintf(buf, len, "%um", secs / 60);
	else
		snprintf(buf, len, "%us", secs);
}

static void rrsig_covered(const ldns_rr *rr, char *buf, size_t len)
{
	ldns_rdf *f = ldns_rr_rrsig_typecovered(rr);
	ldns_rr_type t = f ? ldns_rdf2rr_type(f) : 0;
	const ldns_rr_descriptor *d = ldns_rr_descript(t);
	if (d && d->_name)
		snprintf(buf, len, "%s", d->_name);
	else
		snprintf(buf, len, "TYPE%u", (unsigned)t);
}

int rrsig_check(const ldns_rr_list *rrs, time_t now, uint32_t margin_s,
		struct rrsig_seen *seen, char *msg, size_t msglen)
{
	int rc = 0;
	for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG || ldns_rr_rd_count(rr) < 9)
			continue;
		ldns_rdf *fe = ldns_rr_rrsig_expiration(rr);
		ldns_rdf *fi = ldns_rr_rrsig_inception(rr);
		if (!fe || !fi || ldns_rdf_size(fe) != 4 || ldns_rdf_size(fi) != 4)
			continue;
		time_t exp = rrsig_time(ldns_rdf2native_int32(fe), now);
		time_t inc = rrsig_time(ldns_rdf2native_int32(fi), now);
		seen->count++;
		if (seen->earliest == 0 || exp < seen->earliest)
			seen->earliest = exp;
		if (rc)
			continue;
		char type[24], when[32], span[24];
		rrsig_covered(rr, type, sizeof type);
		if (exp <= now) {
			rrsig_fmt_time(exp, when, sizeof when);
			snprintf(msg, msglen, "RRSIG %s expired %s", type, when);
			rc = -1;
		} else if (exp - now < (time_t)margin_s) {
			rrsig_fmt_time(exp, when, sizeof when);
			rrsig_fmt_span(margin_s, span, sizeof span);
			snprintf(msg, msglen, "RRSIG %s expires %s, within margin %s",
				 type, when, span);
			rc = -1;
		} else if (inc > now) {
			rrsig_fmt_time(inc, when, sizeof when);
			snprintf(msg, msglen, "RRSIG %s inception %s is in the future "
				 "(signer clock ahead, or ours behind)", type, when);
			rc = -1;
		}
	}
	return rc;
}

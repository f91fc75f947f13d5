/*
 * restrial — the resolution trial (raizctl resolution-trial ZONE): ask the
 * node's service addresses for a zone the way a validating resolver would,
 * judge every answer (rtjudge.h), compare with the zone's primary, and
 * write the checks into a report (rtreport.h).  See raizctl(8).
 *
 * Contract: restrial_run() blocks until done (seconds: every query is UDP,
 * then TCP when truncated, 2 tries of timeout_ms each) and never fails as
 * a whole: what it could not do is a check that failed or was skipped,
 * with the reason.  Per server, in this order: reach, nsid, dnskey (the
 * DNSKEY RRset from the zone's trust-anchors), soa, serial (against the
 * primary), ns, service-ns, referrals, ds and primary-match (a sample of
 * up to max_delegations delegations), nxdomain (a random name one label
 * below the apex).  Queries carry EDNS (1232 bytes), DO, an empty NSID
 * option, RD clear and a random ID that the reply must echo.  The
 * delegations come from an AXFR of the zone from its primaries (the
 * request signed with the zone's TSIG key; ldns checks that the stream
 * ends with the SOA, not the TSIG of the reply messages), else from the
 * first server that gives one (allow-transfer); only NS, DS, A and AAAA
 * records are kept, so memory grows with the delegations, not the zone.
 * The primary's serial is asked over UDP, signed with the key when there
 * is one, the reply's TSIG verified by ldns.
 * Cost: per server 5 + 2 x sampled delegations queries, plus one SOA query
 * and one AXFR per primary tried.  Single-threaded (raizctl).
 */
#ifndef RAIZ_RAIZCTL_RESTRIAL_H
#define RAIZ_RAIZCTL_RESTRIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/config.h"
#include "raizctl/rtreport.h"

#define RESTRIAL_MAX_DELEGATIONS 20
#define RESTRIAL_TIMEOUT_MS 2000

struct restrial_opts {
	const struct raiz_config *cfg;
	const struct cfg_zone *zone;
	const struct cfg_addr *servers;   /* where to ask: dnsd "listen", or --server */
	size_t nservers;
	bool servers_given;               /* they came from --server */
	time_t now;                       /* for RRSIG validity */
	unsigned timeout_ms;
	size_t max_delegations;
};

/* r is initialised here; the caller prints it and calls rtreport_free() */
void restrial_run(const struct restrial_opts *o, struct rt_report *r);

#endif

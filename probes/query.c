/* query — see query.h */
#include "probes/query.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <ldns/ldns.h>

#define QUERY_OPT_NSID 3

int query_build(const struct cfg_probe *spec, bool primary, uint16_t id,
		uint8_t **wire, size_t *len)
{
	ldns_pkt *pkt = NULL;
	ldns_rr_type type = primary ? LDNS_RR_TYPE_SOA : (ldns_rr_type)spec->qtype;
	int rc = -1;

	*wire = NULL;
	*len = 0;
	if (ldns_pkt_query_new_frm_str(&pkt, spec->qname, type,
				       (ldns_rr_class)spec->qclass, 0) != LDNS_STATUS_OK)
		return -1;
	ldns_pkt_set_id(pkt, id);
	ldns_pkt_set_rd(pkt, false);
	if (spec->edns_size) {
		ldns_pkt_set_edns_udp_size(pkt, (uint16_t)spec->edns_size);
		if (!primary) {
			static const uint8_t nsid[4] = { 0, QUERY_OPT_NSID, 0, 0 };
			ldns_rdf *opt = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN,
							      sizeof nsid, nsid);
			if (!opt)
				goto out;
			ldns_pkt_set_edns_data(pkt, opt);
			ldns_pkt_set_edns_do(pkt, spec->dnssec_ok);
		}
	}
	if (ldns_pkt2wire(wire, pkt, len) == LDNS_STATUS_OK)
		rc = 0;
out:
	ldns_pkt_free(pkt);
	return rc;
}

uint16_t query_random_id(void)
{
	uint16_t id;
	if (getrandom(&id, sizeof id, GRND_NONBLOCK) == (ssize_t)sizeof id)
		return id;
	/* entropy pool not ready (early boot): still unpredictable enough for
	 * a health probe on a fresh ephemeral port */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint16_t)(ts.tv_nsec ^ (ts.tv_nsec >> 16) ^ (uint64_t)random());
}

/* gate — see gate.h */
#include "dnsd/gate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "dnsd/dname.h"
#include "dnsd/query.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"
#include "probes/judge.h"
#include "probes/query.h"

/* is key at or below the name whose key is ak? (an ancestor's key is a
 * prefix of its descendants', dname.h) */
static bool below(const uint8_t *key, size_t klen, const uint8_t *ak, size_t aklen)
{
	return klen >= aklen && memcmp(key, ak, aklen) == 0;
}

/* z is the deepest zone of cfg that holds the probe's name */
static bool applies(const struct raiz_config *cfg, const struct zone *z, const struct cfg_probe *p)
{
	uint8_t key[DNAME_MAX], ck[DNAME_MAX];
	size_t kl, cl;
	if (!p->qname || p->qclass != 1 || zoneset_name_key(p->qname, key, &kl) < 0 ||
	    !below(key, kl, z->apex_key, z->apex_keylen))
		return false;
	for (size_t i = 0; i < cfg->nzones; i++) {
		if (zoneset_name_key(cfg->zones[i].name, ck, &cl) == 0 && cl > z->apex_keylen &&
		    below(key, kl, ck, cl) &&
		    below(ck, cl, z->apex_key, z->apex_keylen))
			return false;	/* a zone below z answers it */
	}
	return true;
}

int gate_check(const struct raiz_config *cfg, const struct zone *z, char *why, size_t whylen)
{
	static const struct query_opts opts = { .edns_size = 1232 };
	struct zoneset *zs = NULL;
	uint8_t *out = NULL;
	int ret = 0;

	for (size_t i = 0; i < cfg->ctl.nprobes && ret == 0; i++) {
		const struct cfg_probe *p = &cfg->ctl.probes[i];
		if (!applies(cfg, z, p))
			continue;
		if (!zs && !(zs = zoneset_one(z->name, (struct zone *)z))) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		if (!out && !(out = malloc(65535))) {
			snprintf(why, whylen, "out of memory");
			ret = -1;
			break;
		}
		/* the data only: see gate.h */
		struct cfg_probe spec = *p;
		spec.expect_nsid = NULL;
		spec.soa_max_age_s = 0;
		spec.primary = NULL;
		spec.max_latency_ms = 0;
		spec.rrsig_margin_s = 0;
		uint8_t *q;
		size_t qlen;
		if (query_build(&spec, false, 4242, &q, &qlen) < 0)
			continue;
		struct query_stats st = { 0 };
		size_t n = query_process(zs, &opts, q, qlen, out, 65535, QUERY_TCP, &st);
		free(q);
		struct probe_result r;
		struct judge_input in = { .id = 4242, .wire = out, .len = n, .now = time(NULL) };
		judge_init(&r);
		judge_reply(&spec, &in, &r);
		if (r.verdict == PROBE_WRONG) {
			snprintf(why, whylen, "probe %s would fail: %s", p->name, r.reason);
			ret = -1;
		}
	}
	free(out);
	zoneset_free(zs);
	return ret;
}

/* gate — see gate.h */
#include "dnsd/gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "dnsd/dname.h"
#include <stdbool.h>
#include "dnsd/query.h"
#include "dnsd/zone.h"
#include "dnsd/zoneset.h"
#include "probes/judge.h"
#include "probes/query.h"

/* the key of a presentation-format name; 0 when it is not one (the
 * root's key is empty: it is given as 0 too, and handled by the caller) */
static size_t name_key(const char *text, uint8_t *key, bool *ok)
{
	size_t kl = 0;
	*ok = zoneset_name_key(text, key, &kl) == 0;
	return kl;
}

/* is key at or below the zone apex ak? */
static bool below(const uint8_t *key, size_t klen, const uint8_t *ak, size_t aklen)
{
	return klen >= aklen && memcmp(key, ak, aklen) == 0 &&
	       dname_key_labels(key, klen) >= dname_key_labels(ak, aklen);
}

/* z is the deepest zone of cfg that holds the probe's name */
static bool applies(const struct raiz_config *cfg, const struct zone *z, const struct cfg_probe *p)
{
	uint8_t key[DNAME_MAX], ck[DNAME_MAX];
	bool ok;
	size_t kl = p->qname ? name_key(p->qname, key, &ok) : 0;
	if (!p->qname || !ok || p->qclass != 1 || !below(key, kl, z->apex_key, z->apex_keylen))
		return false;
	for (size_t i = 0; i < cfg->nzones; i++) {
		size_t cl = name_key(cfg->zones[i].name, ck, &ok);
		if (ok && cl > z->apex_keylen && below(key, kl, ck, cl) &&
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

/* restrial — see restrial.h */
#include "raizctl/restrial.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "raizctl/rtjudge.h"

struct rt_srv {
	const struct cfg_addr *addr;
	ldns_resolver *res;
};

struct rt_ctx {
	const struct restrial_opts *o;
	struct rt_report *r;
	ldns_rdf *apex;
	const struct cfg_tsig *key;
	bool validate;                 /* the zone has trust anchors */
	bool have_pserial;
	uint32_t pserial;              /* the primary's serial */
	char pserial_why[RTJ_WHY];     /* why there is none */
	struct rtj_delegs delegs;
	bool delegs_from_primary;
	char delegs_why[RTJ_WHY];      /* why there are none */
	ldns_rdf *nxname;
};

/* ---- asking ---- */

static ldns_resolver *rt_resolver(const struct cfg_addr *a, unsigned timeout_ms)
{
	ldns_resolver *r = ldns_resolver_new();
	ldns_rdf *ns = NULL;
	if (!r)
		return NULL;
	if (a->family == AF_INET)
		ns = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4,
					   &((const struct sockaddr_in *)&a->ss)->sin_addr);
	else
		ns = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16,
					   &((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	if (!ns || ldns_resolver_push_nameserver(r, ns) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(ns);
		ldns_resolver_deep_free(r);
		return NULL;
	}
	ldns_rdf_deep_free(ns);
	struct timeval tv = { (time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000 };
	ldns_resolver_set_port(r, a->port);
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, 2);
	ldns_resolver_set_retrans(r, 0);
	ldns_resolver_set_recursive(r, false);
	ldns_resolver_set_random(r, false);
	ldns_resolver_set_fail(r, false);   /* keep the network error's status */
	return r;
}

/* ldns spells TSIG algorithms as names: "hmac-sha256." */
static void rt_set_tsig(ldns_resolver *r, const struct cfg_tsig *key)
{
	char alg[64];
	snprintf(alg, sizeof alg, "%s.", key->algorithm);
	ldns_resolver_set_tsig_keyname(r, key->name);
	ldns_resolver_set_tsig_keydata(r, key->secret);
	ldns_resolver_set_tsig_algorithm(r, alg);
}

/*
 * one query to the server of res: UDP, TCP when truncated; the reply, or
 * NULL with the reason in err.  dnssec: EDNS with DO and NSID, else plain.
 */
static ldns_pkt *rt_ask(ldns_resolver *res, const char *who, const ldns_rdf *qname,
			ldns_rr_type qtype, bool dnssec, const struct cfg_tsig *key, char *err,
			size_t len)
{
	static const uint8_t nsid_opt[4] = { 0, LDNS_EDNS_NSID, 0, 0 };
	char qn[1024] = "?", tb[32] = "?";
	char *s = ldns_rdf2str(qname), *t = ldns_rr_type2str(qtype);
	if (s)
		snprintf(qn, sizeof qn, "%s", s);
	if (t)
		snprintf(tb, sizeof tb, "%s", t);
	free(s);
	free(t);
	ldns_pkt *q = ldns_pkt_query_new(ldns_rdf_clone(qname), qtype, LDNS_RR_CLASS_IN, 0);
	ldns_pkt *a = NULL;
	if (!q) {
		snprintf(err, len, "%s %s to %s: out of memory", qn, tb, who);
		return NULL;
	}
	uint16_t id = ldns_get_random();
	ldns_pkt_set_id(q, id);
	if (dnssec) {
		ldns_pkt_set_edns_udp_size(q, 1232);
		ldns_pkt_set_edns_do(q, true);
		ldns_pkt_set_edns_data(q, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, sizeof nsid_opt,
								nsid_opt));
	}
	for (int tcp = 0; tcp < 2; tcp++) {
		ldns_status st;
		if (key && (st = ldns_pkt_tsig_sign(q, key->name, key->secret, 300,
						    ldns_resolver_tsig_algorithm(res), NULL)) !=
			   LDNS_STATUS_OK) {
			snprintf(err, len, "%s %s to %s: cannot sign with TSIG key %s: %s", qn, tb, who,
				 key->name, ldns_get_errorstr_by_id(st));
			break;
		}
		ldns_resolver_set_usevc(res, tcp);
		ldns_resolver_set_nameserver_rtt(res, 0, LDNS_RESOLV_RTT_MIN);
		st = ldns_send(&a, res, q);
		if (st != LDNS_STATUS_OK || !a) {
			snprintf(err, len, "%s %s to %s over %s: %s", qn, tb, who, tcp ? "TCP" : "UDP",
				 st == LDNS_STATUS_OK ? "no reply" : ldns_get_errorstr_by_id(st));
			ldns_pkt_free(a);
			a = NULL;
			break;
		}
		ldns_rr *qq = ldns_rr_list_rr(ldns_pkt_question(a), 0);
		if (ldns_pkt_id(a) != id || !ldns_pkt_qr(a) || !qq ||
		    ldns_dname_compare(ldns_rr_owner(qq), qname) != 0 || ldns_rr_get_type(qq) != qtype) {
			snprintf(err, len, "%s %s to %s: the reply does not match the query (ID or "
				 "question)", qn, tb, who);
			ldns_pkt_free(a);
			a = NULL;
			break;
		}
		if (!ldns_pkt_tc(a) || tcp)
			break;
		ldns_pkt_free(a);
		a = NULL;
		if (key) {	/* signed again for TCP */
			ldns_rr_free(ldns_pkt_tsig(q));
			ldns_pkt_set_tsig(q, NULL);
		}
	}
	ldns_resolver_set_usevc(res, false);
	ldns_pkt_free(q);
	return a;
}

static ldns_pkt *rt_query(struct rt_ctx *c, struct rt_srv *s, const ldns_rdf *qname,
			  ldns_rr_type qtype, char *err, size_t len)
{
	return rt_ask(s->res, s->addr->text, qname, qtype, true, NULL, err, len);
}

/* the SOA serial of the zone at a primary (TSIG with the zone's key) */
static int rt_primary_serial(struct rt_ctx *c, const struct cfg_addr *p, uint32_t *serial,
			     char *err, size_t len)
{
	ldns_resolver *res = rt_resolver(p, c->o->timeout_ms);
	if (!res)
		return snprintf(err, len, "out of memory"), -1;
	if (c->key)
		rt_set_tsig(res, c->key);
	ldns_pkt *a = rt_ask(res, p->text, c->apex, LDNS_RR_TYPE_SOA, false, c->key, err, len);
	int rc = -1;
	if (a) {
		ldns_rr_list *soa = ldns_pkt_rr_list_by_name_and_type(a, c->apex, LDNS_RR_TYPE_SOA,
								      LDNS_SECTION_ANSWER);
		const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(a));
		if (ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR)
			snprintf(err, len, "%s: rcode %s", p->text, lt ? lt->name : "?");
		else if (!soa || !ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2))
			snprintf(err, len, "%s: no SOA in the answer", p->text);
		else {
			*serial = ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2));
			rc = 0;
		}
		ldns_rr_list_deep_free(soa);
		ldns_pkt_free(a);
	}
	ldns_resolver_deep_free(res);
	return rc;
}

/* AXFR of the zone from a (NS, DS, A and AAAA records kept); NULL with err */
static ldns_rr_list *rt_axfr(struct rt_ctx *c, const struct cfg_addr *a, char *err, size_t len)
{
	ldns_resolver *res = rt_resolver(a, c->o->timeout_ms);
	if (!res) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (c->key)
		rt_set_tsig(res, c->key);
	ldns_status st = ldns_axfr_start(res, c->apex, LDNS_RR_CLASS_IN);
	if (st != LDNS_STATUS_OK) {
		snprintf(err, len, "AXFR from %s: %s", a->text, ldns_get_errorstr_by_id(st));
		ldns_resolver_deep_free(res);
		return NULL;
	}
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr *rr;
	while (l && (rr = ldns_axfr_next(res)) != NULL) {
		ldns_rr_type t = ldns_rr_get_type(rr);
		if ((t == LDNS_RR_TYPE_NS || t == LDNS_RR_TYPE_DS || t == LDNS_RR_TYPE_A ||
		     t == LDNS_RR_TYPE_AAAA) && ldns_rr_list_push_rr(l, rr))
			continue;
		ldns_rr_free(rr);
	}
	if (!l || !ldns_axfr_complete(res)) {
		const ldns_pkt *last = ldns_axfr_last_pkt(res);
		const ldns_lookup_table *lt =
			last ? ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(last)) : NULL;
		if (!l)
			snprintf(err, len, "AXFR from %s: out of memory", a->text);
		else if (last && ldns_pkt_get_rcode(last) != LDNS_RCODE_NOERROR)
			snprintf(err, len, "AXFR from %s: refused with rcode %s", a->text,
				 lt ? lt->name : "?");
		else
			snprintf(err, len, "AXFR from %s: the stream ended before the closing SOA "
				 "(refused, or a TSIG problem?)", a->text);
		ldns_rr_list_deep_free(l);
		l = NULL;
	}
	ldns_resolver_deep_free(res);
	return l;
}

/* ---- what the trial works from ---- */

static void rt_primary(struct rt_ctx *c)
{
	const struct cfg_zone *z = c->o->zone;
	char err[RTJ_WHY], all[2 * RTJ_WHY] = "";
	size_t al = 0;
	if (!cfg_zone_secondary(z)) {
		snprintf(c->pserial_why, sizeof c->pserial_why, "%s is a zone file here: no primary "
			 "to compare with", z->name);
		rtreport_fact(c->r, "primary", "none (a zone file)");
		return;
	}
	for (size_t i = 0; i < z->nprimaries; i++) {
		if (rt_primary_serial(c, &z->primaries[i], &c->pserial, err, sizeof err) == 0) {
			c->have_pserial = true;
			rtreport_fact(c->r, "primary", "%s: serial %u%s%s", z->primaries[i].text,
				      c->pserial, c->key ? ", TSIG key " : "", c->key ? c->key->name : "");
			return;
		}
		if (al < sizeof all)
			al += (size_t)snprintf(all + al, sizeof all - al, "%s%s", al ? "; " : "", err);
	}
	snprintf(c->pserial_why, sizeof c->pserial_why, "no primary answered: %s", all);
	rtreport_fact(c->r, "primary", "none answered: %s", all);
}

static void rt_delegations(struct rt_ctx *c, struct rt_srv *srv, size_t nsrv)
{
	const struct cfg_zone *z = c->o->zone;
	char err[RTJ_WHY], all[2 * RTJ_WHY] = "";
	size_t al = 0;
	ldns_rr_list *l = NULL;
	const char *from = NULL;
	for (size_t i = 0; !l && i < z->nprimaries; i++) {
		if ((l = rt_axfr(c, &z->primaries[i], err, sizeof err)) != NULL) {
			from = z->primaries[i].text;
			c->delegs_from_primary = true;
		} else if (al < sizeof all) {
			al += (size_t)snprintf(all + al, sizeof all - al, "%s%s", al ? "; " : "", err);
		}
	}
	for (size_t i = 0; !l && i < nsrv; i++) {
		if ((l = rt_axfr(c, srv[i].addr, err, sizeof err)) != NULL)
			from = srv[i].addr->text;
		else if (al < sizeof all)
			al += (size_t)snprintf(all + al, sizeof all - al, "%s%s", al ? "; " : "", err);
	}
	if (!l) {
		snprintf(c->delegs_why, sizeof c->delegs_why, "no delegation list: %s", all);
		rtreport_fact(c->r, "delegations", "none: %s", all);
		return;
	}
	if (rtjudge_delegations(l, c->apex, c->o->max_delegations, &c->delegs) < 0) {
		snprintf(c->delegs_why, sizeof c->delegs_why, "out of memory");
	} else if (c->delegs.total == 0) {
		snprintf(c->delegs_why, sizeof c->delegs_why, "the zone has no delegations (AXFR from "
			 "%s)", from);
		rtreport_fact(c->r, "delegations", "none in the zone (AXFR from %s)", from);
	} else {
		rtreport_fact(c->r, "delegations", "%zu of %zu sampled, from the AXFR of %s%s",
			      c->delegs.n, c->delegs.total, from,
			      c->delegs_from_primary ? " (the primary)" : " (the node itself: not "
			      "compared with a primary)");
	}
	ldns_rr_list_deep_free(l);
}

/* ---- the checks of one server ---- */

static void rt_sample_checks(struct rt_ctx *c, struct rt_srv *s, struct rtj_zone *z)
{
	const char *sv = s->addr->text;
	char why[RTJ_WHY], err[RTJ_WHY];
	if (c->delegs.n == 0) {
		rtreport_add(c->r, sv, "referrals", RT_SKIP, "%s", c->delegs_why);
		rtreport_add(c->r, sv, "ds", RT_SKIP, "%s", c->delegs_why);
		rtreport_add(c->r, sv, "primary-match", RT_SKIP, "%s", c->delegs_why);
		return;
	}
	size_t n = c->delegs.n, bad_ref = 0, bad_ds = 0, bad_cmp = 0, nds = 0, nproof = 0;
	char **dref = calloc(n, sizeof *dref), **dds = calloc(n, sizeof *dds),
	     **dcmp = calloc(n, sizeof *dcmp);
	for (size_t i = 0; dref && dds && dcmp && i < n; i++) {
		const struct rtj_deleg *d = &c->delegs.v[i];
		char *dn = ldns_rdf2str(d->name);
		ldns_rr_list *ns = NULL, *ds = NULL;
		/* the referral a resolver gets for the delegation */
		ldns_pkt *p = rt_query(c, s, d->name, LDNS_RR_TYPE_NS, err, sizeof err);
		if (!p)
			dref[bad_ref++] = strdup(err);
		else if (rtjudge_referral(z, p, d, NULL, why, sizeof why) < 0)
			dref[bad_ref++] = strdup(why);
		if (p)
			ns = ldns_pkt_rr_list_by_name_and_type(p, d->name, LDNS_RR_TYPE_NS,
							       LDNS_SECTION_AUTHORITY);
		ldns_pkt_free(p);
		/* its DS, or the proof that there is none */
		p = rt_query(c, s, d->name, LDNS_RR_TYPE_DS, err, sizeof err);
		if (!p)
			dds[bad_ds++] = strdup(err);
		else if (rtjudge_ds(z, p, d->name, NULL, why, sizeof why) < 0)
			dds[bad_ds++] = strdup(why);
		if (p) {
			ds = ldns_pkt_rr_list_by_name_and_type(p, d->name, LDNS_RR_TYPE_DS,
							       LDNS_SECTION_ANSWER);
			if (ds)
				nds++;
			else
				nproof++;
		}
		/* the same data as the primary's */
		if (c->delegs_from_primary) {
			char w1[RTJ_WHY], w2[RTJ_WHY];
			bool same_ns = rtjudge_same(ns, d->ns, w1, sizeof w1);
			bool same_ds = !p || rtjudge_same(ds, d->ds, w2, sizeof w2);
			if (!p) {
				if (asprintf(&dcmp[bad_cmp], "%s: no answer to compare", dn ? dn : "?") >= 0)
					bad_cmp++;
			} else if (!same_ns || !same_ds) {
				if (asprintf(&dcmp[bad_cmp], "%s: %s%s%s%s%s", dn ? dn : "?",
					     same_ns ? "" : "NS differ: ", same_ns ? "" : w1,
					     !same_ns && !same_ds ? "; " : "", same_ds ? "" : "DS differ: ",
					     same_ds ? "" : w2) >= 0)
					bad_cmp++;
			}
		}
		ldns_pkt_free(p);
		ldns_rr_list_deep_free(ns);
		ldns_rr_list_deep_free(ds);
		free(dn);
	}
	if (!dref || !dds || !dcmp) {
		rtreport_add(c->r, sv, "referrals", RT_FAIL, "out of memory");
		free(dref);
		free(dds);
		free(dcmp);
		return;
	}
	struct {
		const char *name;
		char **d;
		size_t bad;
	} agg[3] = { { "referrals", dref, bad_ref }, { "ds", dds, bad_ds },
		     { "primary-match", dcmp, bad_cmp } };
	for (int k = 0; k < 3; k++) {
		struct rt_check *ck;
		if (k == 2 && !c->delegs_from_primary)
			ck = rtreport_add(c->r, sv, agg[k].name, RT_SKIP, "the delegation list came from "
					  "the node itself, not from a primary");
		else if (agg[k].bad == 0 && k == 0)
			ck = rtreport_add(c->r, sv, agg[k].name, RT_OK, "%zu of %zu delegations referred "
					  "(NS in authority, AA clear, in-bailiwick glue)", n, n);
		else if (agg[k].bad == 0 && k == 1)
			ck = rtreport_add(c->r, sv, agg[k].name, RT_OK, "%zu delegations: %zu with a "
					  "DS RRset, %zu with a proof of no DS%s", n, nds, nproof,
					  z->validate ? ", all validated"
					  : " (not validated: no trust anchor)");
		else if (agg[k].bad == 0)
			ck = rtreport_add(c->r, sv, agg[k].name, RT_OK, "NS and DS of %zu delegations "
					  "equal the primary's", n);
		else
			ck = rtreport_add(c->r, sv, agg[k].name, RT_FAIL, "%zu of %zu delegations wrong: "
					  "%s%s", agg[k].bad, n, agg[k].d[0] ? agg[k].d[0] : "?",
					  agg[k].bad > 1 ? " (and more: --json lists them)" : "");
		for (size_t i = 0; i < agg[k].bad; i++) {
			if (ck->status == RT_FAIL && agg[k].d[i])
				rtreport_detail(ck, "%s", agg[k].d[i]);
			free(agg[k].d[i]);
		}
		free(agg[k].d);
	}
}

static void rt_server(struct rt_ctx *c, struct rt_srv *s)
{
	const struct cfg_zone *zc = c->o->zone;
	const char *sv = s->addr->text;
	char why[RTJ_WHY], err[RTJ_WHY], nsid[256];
	ldns_rr_list *keys = NULL, *soaset = NULL, *nsset = NULL;

	ldns_pkt *soa = rt_query(c, s, c->apex, LDNS_RR_TYPE_SOA, err, sizeof err);
	if (!soa) {
		rtreport_add(c->r, sv, "reach", RT_FAIL, "%s", err);
		return;
	}
	c->r->answered++;
	rtreport_add(c->r, sv, "reach", RT_OK, "answered in %u ms", ldns_pkt_querytime(soa));
	if (rtjudge_nsid(soa, nsid, sizeof nsid) == 0)
		rtreport_add(c->r, sv, "nsid", RT_OK, "\"%s\"", nsid);
	else
		rtreport_add(c->r, sv, "nsid", RT_FAIL, "no NSID in the reply though asked for: it does "
			     "not say which node answered (is this raiz-dnsd?)");

	if (!c->validate) {
		rtreport_add(c->r, sv, "dnskey", RT_SKIP, "no trust-anchors for %s in raiz.json: "
			     "signatures are not validated", zc->name);
	} else {
		ldns_pkt *p = rt_query(c, s, c->apex, LDNS_RR_TYPE_DNSKEY, err, sizeof err);
		if (!p)
			rtreport_add(c->r, sv, "dnskey", RT_FAIL, "%s", err);
		else if (rtjudge_dnskey(c->apex, p, (const char *const *)zc->trust_anchors,
					zc->ntrust_anchors, c->o->now, &keys, why, sizeof why) < 0)
			rtreport_add(c->r, sv, "dnskey", RT_FAIL, "%s", why);
		else
			rtreport_add(c->r, sv, "dnskey", RT_OK, "%s", why);
		ldns_pkt_free(p);
	}
	struct rtj_zone z = { c->apex, c->validate, keys, c->o->now };

	/* the serial served, whether its signature is good or not (soa says) */
	bool have_serial = false;
	uint32_t serial = 0;
	ldns_rr_list *soas = ldns_pkt_rr_list_by_name_and_type(soa, c->apex, LDNS_RR_TYPE_SOA,
							       LDNS_SECTION_ANSWER);
	const ldns_rdf *sr = soas ? ldns_rr_rdf(ldns_rr_list_rr(soas, 0), 2) : NULL;
	if (sr && ldns_pkt_get_rcode(soa) == LDNS_RCODE_NOERROR) {
		have_serial = true;
		serial = ldns_rdf2native_int32(sr);
	}
	ldns_rr_list_deep_free(soas);
	if (rtjudge_apex(&z, soa, LDNS_RR_TYPE_SOA, &soaset, why, sizeof why) < 0)
		rtreport_add(c->r, sv, "soa", RT_FAIL, "%s", why);
	else
		rtreport_add(c->r, sv, "soa", RT_OK, "serial %u, %s", serial, why);
	if (!c->have_pserial) {
		rtreport_add(c->r, sv, "serial", RT_SKIP, "%s", c->pserial_why);
	} else if (!have_serial) {
		rtreport_add(c->r, sv, "serial", RT_FAIL, "no SOA served (see soa); the primary has %u",
			     c->pserial);
	} else {
		int32_t d = (int32_t)(c->pserial - serial);
		if (d == 0)
			rtreport_add(c->r, sv, "serial", RT_OK, "%u, the primary's", serial);
		else if (d > 0)
			rtreport_add(c->r, sv, "serial", RT_FAIL, "behind by %d: serves %u, the primary "
				     "has %u (\"raizctl zones %s\" says why)", d, serial, c->pserial,
				     zc->name);
		else
			rtreport_add(c->r, sv, "serial", RT_FAIL, "ahead of the primary by %d: serves %u, "
				     "the primary has %u", -d, serial, c->pserial);
	}

	ldns_pkt *p = rt_query(c, s, c->apex, LDNS_RR_TYPE_NS, err, sizeof err);
	if (!p)
		rtreport_add(c->r, sv, "ns", RT_FAIL, "%s", err);
	else if (rtjudge_apex(&z, p, LDNS_RR_TYPE_NS, &nsset, why, sizeof why) < 0)
		rtreport_add(c->r, sv, "ns", RT_FAIL, "%s", why);
	else
		rtreport_add(c->r, sv, "ns", RT_OK, "%s", why);
	if (zc->nservice_ns == 0)
		rtreport_add(c->r, sv, "service-ns", RT_SKIP, "no \"service-ns\" for %s in raiz.json",
			     zc->name);
	else if (!nsset && p)
		rtreport_add(c->r, sv, "service-ns", p && ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR
			     ? RT_FAIL : RT_SKIP, "no apex NS RRset to look at (see ns)");
	else if (!nsset)
		rtreport_add(c->r, sv, "service-ns", RT_SKIP, "no apex NS RRset to look at (see ns)");
	else if (rtjudge_service_ns(nsset, zc->service_ns, zc->nservice_ns, why, sizeof why) < 0)
		rtreport_add(c->r, sv, "service-ns", RT_FAIL, "%s", why);
	else
		rtreport_add(c->r, sv, "service-ns", RT_OK, "%s", why);
	ldns_pkt_free(p);

	rt_sample_checks(c, s, &z);

	p = rt_query(c, s, c->nxname, LDNS_RR_TYPE_A, err, sizeof err);
	if (!p)
		rtreport_add(c->r, sv, "nxdomain", RT_FAIL, "%s", err);
	else if (rtjudge_nxdomain(&z, p, c->nxname, why, sizeof why) < 0)
		rtreport_add(c->r, sv, "nxdomain", RT_FAIL, "%s", why);
	else
		rtreport_add(c->r, sv, "nxdomain", RT_OK, "%s", why);
	ldns_pkt_free(p);

	ldns_pkt_free(soa);
	ldns_rr_list_deep_free(soaset);
	ldns_rr_list_deep_free(nsset);
	ldns_rr_list_deep_free(keys);
}

/* a name one label below the apex that no zone has: "raiz-trial-<random>" */
static ldns_rdf *rt_nxname(const char *zone)
{
	uint32_t x;
	char buf[300];
	if (getrandom(&x, sizeof x, 0) != (ssize_t)sizeof x)
		x = (uint32_t)ldns_get_random() << 16 | ldns_get_random();
	snprintf(buf, sizeof buf, "raiz-trial-%08x.%s", x, strcmp(zone, ".") == 0 ? "" : zone);
	return ldns_dname_new_frm_str(buf);
}

void restrial_run(const struct restrial_opts *o, struct rt_report *r)
{
	const struct cfg_zone *z = o->zone;
	struct rt_ctx c = { .o = o, .r = r };
	char desc[RTJ_WHY];
	size_t dl = 0;

	rtreport_init(r, z->name);
	r->servers = o->nservers;
	c.apex = ldns_dname_new_frm_str(z->name);
	c.nxname = rt_nxname(z->name);
	c.key = z->tsig_key ? config_tsig(o->cfg, z->tsig_key) : NULL;
	c.validate = z->ntrust_anchors > 0;
	struct rt_srv *srv = calloc(o->nservers ? o->nservers : 1, sizeof *srv);
	if (!c.apex || !c.nxname || !srv) {
		rtreport_add(r, "", "trial", RT_FAIL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < o->nservers && dl < sizeof desc; i++)
		dl += (size_t)snprintf(desc + dl, sizeof desc - dl, "%s%s", i ? ", " : "",
				       o->servers[i].text);
	rtreport_fact(r, "servers", "%s (%s)", desc, o->servers_given ? "--server"
		      : "raiz.json dnsd \"listen\"");
	if (c.validate) {
		dl = 0;
		for (size_t i = 0; i < z->ntrust_anchors && dl < sizeof desc; i++) {
			ldns_rr *a = NULL;
			const char *kind = "?";
			unsigned tag = 0;
			if (ldns_rr_new_frm_str(&a, z->trust_anchors[i], 3600, c.apex, NULL) ==
			    LDNS_STATUS_OK && a) {
				bool ds = ldns_rr_get_type(a) == LDNS_RR_TYPE_DS;
				kind = ds ? "DS" : "DNSKEY";
				tag = ds ? ldns_rdf2native_int16(ldns_rr_rdf(a, 0)) : ldns_calc_keytag(a);
			}
			ldns_rr_free(a);
			dl += (size_t)snprintf(desc + dl, sizeof desc - dl, "%s%s key tag %u",
					       i ? ", " : "", kind, tag);
		}
		rtreport_fact(r, "trust anchor", "%s (raiz.json)", desc);
	} else {
		rtreport_fact(r, "trust anchor", "none in raiz.json: signatures are not validated");
	}
	for (size_t i = 0; i < o->nservers; i++) {
		srv[i].addr = &o->servers[i];
		srv[i].res = rt_resolver(&o->servers[i], o->timeout_ms);
	}
	rt_primary(&c);
	rt_delegations(&c, srv, o->nservers);
	char *nx = ldns_rdf2str(c.nxname);
	rtreport_fact(r, "nxdomain name", "%s", nx ? nx : "?");
	free(nx);
	for (size_t i = 0; i < o->nservers; i++) {
		if (!srv[i].res)
			rtreport_add(r, srv[i].addr->text, "reach", RT_FAIL, "out of memory");
		else
			rt_server(&c, &srv[i]);
	}
out:
	for (size_t i = 0; srv && i < o->nservers; i++)
		ldns_resolver_deep_free(srv[i].res);
	free(srv);
	rtjudge_delegs_free(&c.delegs);
	ldns_rdf_deep_free(c.apex);
	ldns_rdf_deep_free(c.nxname);
}

/* config_probe — see config_probe.h and raiz.json(5), PROBES */
#include "common/config.h"
#include "common/cfgutil.h"
#include "common/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldns/ldns.h>

#define MS(s) ((uint64_t)(s) * 1000u)

static const char *const probe_keys[] = {
	"name", "transport", "target", "target-local", "source", "qname", "qtype", "qclass",
	"dnssec-ok", "edns-buffer-size", "timeout",
	"expect-rcode", "expect-aa", "expect-answer", "expect-rdata", "expect-nsid",
	"expect-rrsig", "soa-max-age", "primary", "max-serial-lag", "rrsig-margin",
	"max-latency", NULL,
};
static const char *const probe_transports[] = { "udp", "tcp", NULL };

/* RFC 6895 2.3; 0..15 header rcodes, 16.. need EDNS */
static const char *const probe_rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	NULL, NULL, NULL, NULL, "BADVERS", "BADKEY", "BADTIME", "BADMODE",
	"BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE",
};
#define PROBE_NRCODES (sizeof probe_rcodes / sizeof probe_rcodes[0])

const char *config_probe_rcode_name(int rcode, char *buf, size_t len)
{
	if (rcode >= 0 && (size_t)rcode < PROBE_NRCODES && probe_rcodes[rcode])
		return probe_rcodes[rcode];
	snprintf(buf, len, "RCODE%d", rcode);
	return buf;
}

int config_probe_rcode_parse(const char *s)
{
	for (size_t i = 0; i < PROBE_NRCODES; i++)
		if (probe_rcodes[i] && strcasecmp(s, probe_rcodes[i]) == 0)
			return (int)i;
	if (strcasecmp(s, "NOTIMPL") == 0)      /* ldns and dig spellings */
		return 4;
	if (strncasecmp(s, "RCODE", 5) == 0 && isdigit((unsigned char)s[5])) {
		char *end;
		long v = strtol(s + 5, &end, 10);
		if (!*end && v >= 0 && v <= 4095)
			return (int)v;
	}
	return -1;
}

void config_probe_init(struct cfg_probe *p)
{
	memset(p, 0, sizeof *p);
	p->transport = PROBE_UDP;
	p->qtype = LDNS_RR_TYPE_SOA;
	p->qclass = LDNS_RR_CLASS_IN;
	p->edns_size = PROBE_DEFAULT_EDNS_SIZE;
	p->timeout_ms = PROBE_DEFAULT_TIMEOUT_MS;
	p->expect_rcode = 0;
	p->expect_aa = true;
	p->rrsig_margin_s = PROBE_DEFAULT_RRSIG_MARGIN_S;
}

void config_probe_clear(struct cfg_probe *p)
{
	free(p->name);
	free(p->target);
	free(p->source);
	free(p->qname);
	for (size_t i = 0; p->expect_rdata && i < p->nexpect_rdata; i++)
		free(p->expect_rdata[i]);
	free(p->expect_rdata);
	free(p->expect_nsid);
	free(p->primary);
	memset(p, 0, sizeof *p);
}

ldns_rr *config_probe_rdata_rr(const struct cfg_probe *p, const char *rdata,
			       char *why, size_t whylen)
{
	ldns_rr *rr = NULL;
	char *type = ldns_rr_type2str(p->qtype), *cls = ldns_rr_class2str(p->qclass);
	size_t n = strlen(p->qname) + strlen(rdata) + 64;
	char *line = malloc(n);
	ldns_status st = LDNS_STATUS_MEM_ERR;
	ldns_rdf *origin = ldns_dname_new_frm_str(".");

	if (line && type && cls && origin) {
		snprintf(line, n, "%s 0 %s %s %s", p->qname, cls, type, rdata);
		st = ldns_rr_new_frm_str(&rr, line, 0, origin, NULL);
	}
	if (st != LDNS_STATUS_OK) {
		snprintf(why, whylen, "%s", ldns_get_errorstr_by_id(st));
		rr = NULL;
	} else if (ldns_rr_rd_count(rr) == 0) {
		snprintf(why, whylen, "empty RDATA");
		ldns_rr_free(rr);
		rr = NULL;
	}
	free(line);
	LDNS_FREE(type);
	LDNS_FREE(cls);
	ldns_rdf_deep_free(origin);
	return rr;
}

static int probe_get_type(struct cfg_ctx *c, json_object *o, const char *what,
			  struct cfg_probe *p)
{
	char *s = NULL;
	if (cfg_get_string(c, o, "qtype", false, "SOA", &s) < 0)
		return -1;
	if (s) {
		ldns_rr_type t = ldns_get_rr_type_by_name(s);
		bool bad = t == 0 || t == LDNS_RR_TYPE_OPT || t == LDNS_RR_TYPE_TSIG ||
			   t == LDNS_RR_TYPE_AXFR || t == LDNS_RR_TYPE_IXFR ||
			   t == LDNS_RR_TYPE_MAILA || t == LDNS_RR_TYPE_MAILB || t == 249;
		p->qtype = (uint16_t)t;
		if (bad)
			cfg_fail(c, cfg_member(o, "qtype"),
				 "%s: \"qtype\": \"%s\" is not a type a probe can ask for", what, s);
		free(s);
	}
	if (cfg_get_string(c, o, "qclass", false, "IN", &s) < 0)
		return -1;
	if (s) {
		ldns_rr_class k = ldns_get_rr_class_by_name(s);
		p->qclass = (uint16_t)k;
		if (k != LDNS_RR_CLASS_IN && k != LDNS_RR_CLASS_CH && k != LDNS_RR_CLASS_HS)
			cfg_fail(c, cfg_member(o, "qclass"),
				 "%s: \"qclass\" must be \"IN\", \"CH\" or \"HS\"", what);
		free(s);
	}
	return c->failed ? -1 : 0;
}

static int probe_get_rcode(struct cfg_ctx *c, json_object *o, const char *what,
			   struct cfg_probe *p)
{
	json_object *v = cfg_member(o, "expect-rcode");
	if (cfg_is_null(o, "expect-rcode"))
		return cfg_fail_line(c, json_member_line(o, "expect-rcode"),
				     "%s: \"expect-rcode\" must be an rcode name or number, not null",
				     what);
	if (!v)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);
		if (n < 0 || n > 4095)
			return cfg_fail(c, v, "%s: \"expect-rcode\" must be 0..4095", what);
		p->expect_rcode = (int)n;
	} else if (json_object_is_type(v, json_type_string)) {
		p->expect_rcode = config_probe_rcode_parse(json_object_get_string(v));
		if (p->expect_rcode < 0)
			return cfg_fail(c, v, "%s: \"expect-rcode\": unknown rcode \"%s\" "
					"(e.g. \"NOERROR\", \"NXDOMAIN\", \"REFUSED\")",
					what, json_object_get_string(v));
	} else {
		return cfg_fail(c, v, "%s: \"expect-rcode\" must be an rcode name or number",
				what);
	}
	return 0;
}

static int probe_get_rdata(struct cfg_ctx *c, json_object *o, const char *what,
			   struct cfg_probe *p)
{
	json_object *a = NULL;
	if (cfg_get_array(c, o, "expect-rdata", false, &a) < 0 || !a)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(a);
	if (n == 0)
		return cfg_fail(c, a, "%s: \"expect-rdata\" must not be empty", what);
	if (p->qtype == LDNS_RR_TYPE_ANY)
		return cfg_fail(c, a, "%s: \"expect-rdata\" needs a \"qtype\" other than ANY",
				what);
	p->expect_rdata = calloc(n, sizeof *p->expect_rdata);
	if (!p->expect_rdata)
		return cfg_fail(c, a, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string) || !json_object_get_string_len(e))
			return cfg_fail(c, e ? e : a, "%s: \"expect-rdata\" must list RDATA "
					"strings, e.g. \"a.root-servers.net.\"", what);
		const char *s = json_object_get_string(e);
		char why[128];
		ldns_rr *rr = config_probe_rdata_rr(p, s, why, sizeof why);
		if (!rr)
			return cfg_fail(c, e, "%s: \"expect-rdata\": \"%s\" is not valid RDATA "
					"for %s: %s", what, s,
					ldns_rr_descript(p->qtype) ? ldns_rr_descript(p->qtype)->_name
								   : "this type", why);
		ldns_rr_free(rr);
		if (!(p->expect_rdata[i] = strdup(s)))
			return cfg_fail(c, e, "out of memory");
		p->nexpect_rdata++;
	}
	p->expect_answer = true;
	return 0;
}

static int probe_get_nsid(struct cfg_ctx *c, json_object *o, const char *what,
			  const struct raiz_config *cfg, struct cfg_probe *p)
{
	json_object *v = cfg_member(o, "expect-nsid");
	if (!v)          /* absent or null: no NSID expected */
		return 0;
	if (json_object_is_type(v, json_type_boolean)) {
		if (!json_object_get_boolean(v))
			return 0;
		const char *self = cfg->dnsd.nsid;
		if (!self || !self[0])
			return cfg_fail(c, v, "%s: \"expect-nsid\": true, but this node has no "
					"NSID (\"dnsd\": \"nsid\" is null)", what);
		p->expect_nsid = strdup(self);
	} else if (json_object_is_type(v, json_type_string)) {
		if (!json_object_get_string_len(v) || json_object_get_string_len(v) >= 128)
			return cfg_fail(c, v, "%s: \"expect-nsid\" must be 1 to 127 characters",
					what);
		p->expect_nsid = strdup(json_object_get_string(v));
	} else {
		return cfg_fail(c, v, "%s: \"expect-nsid\" must be a string, or true for "
				"this node's own NSID", what);
	}
	return p->expect_nsid ? 0 : cfg_fail(c, v, "out of memory");
}

static int probe_get_addr(struct cfg_ctx *c, json_object *o, const char *key,
			  uint16_t port, struct cfg_addr **out)
{
	struct cfg_addr a;
	bool present = false;
	if (cfg_get_addr(c, o, key, false, port, &a, &present) < 0 || !present)
		return c->failed ? -1 : 0;
	if (!(*out = malloc(sizeof **out)))
		return cfg_fail(c, o, "out of memory");
	**out = a;
	return 0;
}

static bool probe_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

static int probe_parse_one(struct cfg_ctx *c, json_object *o, const struct raiz_config *cfg,
			   struct cfg_probe *p)
{
	char what[96];
	uint64_t ms;

	p->line = cfg_line(o);
	if (!json_object_is_type(o, json_type_object))
		return cfg_fail(c, o, "probes: each entry must be an object");
	if (cfg_check_keys(c, o, "probe", probe_keys) < 0 ||
	    cfg_get_string(c, o, "name", true, NULL, &p->name) < 0)
		return -1;
	if (!p->name || !probe_name_ok(p->name))
		return cfg_fail(c, cfg_member(o, "name"), "probe name \"%s\" must be 1-63 "
				"letters, digits, '-', '_' or '.'", p->name ? p->name : "");
	snprintf(what, sizeof what, "probe \"%s\"", p->name);

	cfg_get_enum(c, o, "transport", false, probe_transports, PROBE_UDP, &p->transport);
	if (!c->failed && !cfg_member(o, "target") && !cfg_is_null(o, "target"))
		return cfg_fail(c, o, "%s: missing required key \"target\"", what);
	if (probe_get_addr(c, o, "target", 53, &p->target) < 0 ||
	    probe_get_addr(c, o, "source", 0, &p->source) < 0)
		return -1;
	cfg_get_bool(c, o, "target-local", false, false, &p->target_local);
	if (p->source && p->source->port != 0)
		return cfg_fail(c, cfg_member(o, "source"), "%s: \"source\" is an address "
				"without @port (probes use a fresh port per run)", what);
	if (p->source && p->source->family != p->target->family)
		return cfg_fail(c, cfg_member(o, "source"), "%s: \"source\" and \"target\" "
				"must both be IPv4 or both IPv6", what);
	if (p->source)   /* text without the "@0" */
		*strrchr(p->source->text, '@') = '\0';
	if (cfg_get_dname(c, o, "qname", true, NULL, &p->qname) < 0 ||
	    probe_get_type(c, o, what, p) < 0)
		return -1;
	cfg_get_bool(c, o, "dnssec-ok", false, false, &p->dnssec_ok);
	cfg_get_uint(c, o, "edns-buffer-size", false, 0, 65535, PROBE_DEFAULT_EDNS_SIZE,
		     &p->edns_size);
	if (!c->failed && p->edns_size > 0 && p->edns_size < 512)
		return cfg_fail(c, cfg_member(o, "edns-buffer-size"), "%s: "
				"\"edns-buffer-size\" must be 0 (no EDNS) or 512..65535", what);
	cfg_get_duration(c, o, "timeout", false, 10, MS(60), PROBE_DEFAULT_TIMEOUT_MS, &ms);
	p->timeout_ms = (unsigned)ms;
	if (c->failed || probe_get_rcode(c, o, what, p) < 0)
		return -1;
	/* an authoritative answer is expected where one exists: NOERROR and
	 * NXDOMAIN; REFUSED, SERVFAIL, ... come without AA */
	cfg_get_bool(c, o, "expect-aa", false, p->expect_rcode == 0 || p->expect_rcode == 3,
		     &p->expect_aa);
	cfg_get_bool(c, o, "expect-answer", false, false, &p->expect_answer);
	cfg_get_bool(c, o, "expect-rrsig", false, false, &p->expect_rrsig);
	bool no_answer = cfg_member(o, "expect-answer") && !p->expect_answer;
	if (c->failed || probe_get_rdata(c, o, what, p) < 0 ||
	    probe_get_nsid(c, o, what, cfg, p) < 0)
		return -1;
	if (no_answer && p->nexpect_rdata)
		return cfg_fail(c, cfg_member(o, "expect-answer"), "%s: \"expect-answer\": "
				"false contradicts \"expect-rdata\"", what);
	if (p->edns_size == 0 && (p->dnssec_ok || p->expect_nsid || p->expect_rcode > 15))
		return cfg_fail(c, cfg_member(o, "edns-buffer-size"), "%s: "
				"\"edns-buffer-size\": 0 turns EDNS off, but \"dnssec-ok\", "
				"\"expect-nsid\" or an extended \"expect-rcode\" need it", what);
	if (p->expect_rrsig && !p->dnssec_ok)
		return cfg_fail(c, cfg_member(o, "expect-rrsig"), "%s: \"expect-rrsig\" "
				"needs \"dnssec-ok\": true", what);

	cfg_get_duration(c, o, "soa-max-age", false, 1000, MS(400 * 86400), 0, &ms);
	p->soa_max_age_s = (uint32_t)(ms / 1000);
	if (probe_get_addr(c, o, "primary", 53, &p->primary) < 0)
		return -1;
	unsigned lag = 0;
	cfg_get_uint(c, o, "max-serial-lag", false, 0, 0x7fffffff, 0, &lag);
	p->max_serial_lag = lag;
	if (!c->failed && cfg_member(o, "max-serial-lag") && !p->primary)
		return cfg_fail(c, cfg_member(o, "max-serial-lag"), "%s: \"max-serial-lag\" "
				"needs \"primary\"", what);
	cfg_get_duration(c, o, "rrsig-margin", false, 0, MS(365 * 86400),
			 MS(PROBE_DEFAULT_RRSIG_MARGIN_S), &ms);
	p->rrsig_margin_s = (uint32_t)(ms / 1000);
	cfg_get_duration(c, o, "max-latency", false, 1, MS(60), 0, &ms);
	p->max_latency_ms = (unsigned)ms;
	if (c->failed)
		return -1;
	if (p->max_latency_ms && p->max_latency_ms >= p->timeout_ms)
		return cfg_fail(c, cfg_member(o, "max-latency"), "%s: \"max-latency\" (%u ms) "
				"must be below \"timeout\" (%u ms)", what, p->max_latency_ms,
				p->timeout_ms);
	return 0;
}

int config_probe_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	struct cfg_ctl *k = &cfg->ctl;
	json_object *a = NULL;

	if (cfg_get_array(c, root, "probes", false, &a) < 0 || !a)
		return c->failed ? -1 : 0;
	size_t n = json_object_array_length(a);
	k->probes = calloc(n ? n : 1, sizeof *k->probes);
	if (!k->probes)
		return cfg_fail(c, a, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct cfg_probe *p = &k->probes[i];
		config_probe_init(p);
		k->nprobes++;
		if (probe_parse_one(c, o, cfg, p) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(k->probes[j].name, p->name) == 0)
				return cfg_fail(c, cfg_member(o, "name"), "probe \"%s\" defined "
						"twice (first on line %d)", p->name,
						k->probes[j].line);
	}
	return 0;
}

void config_probe_free(struct raiz_config *cfg)
{
	struct cfg_ctl *k = &cfg->ctl;
	for (size_t i = 0; k->probes && i < k->nprobes; i++)
		config_probe_clear(&k->probes[i]);
	free(k->probes);
	k->probes = NULL;
	k->nprobes = 0;
}

const struct cfg_probe *config_probe_find(const struct raiz_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ctl.nprobes; i++)
		if (cfg->ctl.probes[i].name && strcmp(cfg->ctl.probes[i].name, name) == 0)
			return &cfg->ctl.probes[i];
	return NULL;
}

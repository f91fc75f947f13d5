/*
 * config_probe — the "probes" section of raiz.json: what each health probe
 * asks, of whom, and what answer it expects.  See raiz.json(5), PROBES.
 *
 * Contract: config_probe_parse() (declared in cfgutil.h, called by
 * config_load() after the node and dnsd sections) validates every probe —
 * types, ranges, unknown keys, unique names, source/target address family —
 * and fills cfg->ctl.probes; "expect-nsid": true is resolved there to the
 * node's own NSID (dnsd.nsid, which defaults to node.identity).
 * config_probe_free() releases the section, also when partially filled.
 *
 * For programs that build a probe without a file (raizctl probe):
 * config_probe_init() sets every default, config_probe_clear() releases
 * what one struct cfg_probe owns.
 */
#ifndef RAIZ_CONFIG_PROBE_H
#define RAIZ_CONFIG_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_addr;

enum cfg_probe_transport { PROBE_UDP = 0, PROBE_TCP = 1 };

/* defaults */
#define PROBE_DEFAULT_TIMEOUT_MS       400
#define PROBE_DEFAULT_EDNS_SIZE        1232
#define PROBE_DEFAULT_RRSIG_MARGIN_S   86400u

struct cfg_probe {
	char *name;                  /* unique among the probes */
	int line;                    /* where it is defined, for messages */

	/* the question */
	int transport;               /* enum cfg_probe_transport, default udp */
	struct cfg_addr *target;     /* whom to ask (port default 53) */
	struct cfg_addr *source;     /* bind to this address (port 0); NULL = any */
	bool target_local;           /* target must be an address of this node */
	char *qname;                 /* absolute, presentation format */
	uint16_t qtype;              /* default SOA */
	uint16_t qclass;             /* default IN */
	bool dnssec_ok;              /* DO bit, default false */
	unsigned edns_size;          /* 0 = no EDNS; else 512..65535, default 1232 */
	unsigned timeout_ms;         /* whole run, default 500 */

	/* what the answer must look like */
	int expect_rcode;            /* default 0 (NOERROR) */
	bool expect_aa;              /* default: rcode NOERROR or NXDOMAIN expected */
	bool expect_answer;          /* the answer holds an RRset of qtype */
	bool expect_rrsig;           /* ... and an RRSIG covering it (needs DO) */
	char **expect_rdata;         /* presentation-format RDATA, all must be present */
	size_t nexpect_rdata;
	char *expect_nsid;           /* NULL = not checked */
	uint32_t soa_max_age_s;      /* 0 = not checked */
	struct cfg_addr *primary;    /* NULL = not checked */
	uint32_t max_serial_lag;     /* with primary: serial may lag this much */
	uint32_t rrsig_margin_s;     /* default 24 h; 0 = only expired/future fail */
	unsigned max_latency_ms;     /* 0 = not checked */
};

/* defaults for a probe built by hand; target, qname still to be set */
void config_probe_init(struct cfg_probe *p);
/* free what p owns and zero it */
void config_probe_clear(struct cfg_probe *p);

struct raiz_config;
/* the probe called name, NULL when absent */
const struct cfg_probe *config_probe_find(const struct raiz_config *cfg, const char *name);

/* rcode <-> mnemonic ("NOERROR", "NXDOMAIN", ..., "RCODE12"); parse gives -1
 * when unknown.  buf holds the name of rcodes without a mnemonic. */
const char *config_probe_rcode_name(int rcode, char *buf, size_t len);
int config_probe_rcode_parse(const char *s);

/* one "expect-rdata" string as an RR "qname 0 qclass qtype rdata" (names in
 * the RDATA are taken as absolute); NULL with the reason in why.  The
 * caller frees it with ldns_rr_free(). */
struct ldns_struct_rr;
struct ldns_struct_rr *config_probe_rdata_rr(const struct cfg_probe *p, const char *rdata,
					     char *why, size_t whylen);

#endif

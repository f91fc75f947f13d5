/*
 * config_ctl — the "controller", "bird", "prefixes", "services" and
 * "probes" sections of raiz.json.  Parsed by config_ctl_parse() (the
 * "probes" section by config_probe_parse(), which runs first).
 *
 * Contract: after a successful parse every cross reference is resolved:
 * each service's probe names index cfg_ctl.probes (probe_idx), each
 * prefix's service names index cfg_ctl.services (service_idx), protocol
 * names are valid BIRD identifiers ([A-Za-z_][A-Za-z0-9_]*, at most 63
 * characters) and unique, prefixes are canonical and unique.  Durations
 * are in milliseconds.  See raiz.json(5) for the meaning of each key.
 */
#ifndef RAIZ_CONFIG_CTL_H
#define RAIZ_CONFIG_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/config_probe.h"

enum cfg_on_stop { CFG_ON_STOP_WITHDRAW = 0, CFG_ON_STOP_KEEP };
enum cfg_degraded { CFG_DEGRADED_KEEP = 0, CFG_DEGRADED_DRAIN, CFG_DEGRADED_WITHDRAW };

struct cfg_controller {
	char *control_socket;      /* default <run-dir>/controller.sock */
	int on_stop;               /* enum cfg_on_stop, default withdraw */
	uint64_t drain_time_ms;    /* drain, then withdraw after this; default 60 s */
	char *dnsd_pidfile;        /* pidfd watch; default dnsd.pidfile, null = off */
	bool watchdog;             /* sd_notify WATCHDOG=1 when $WATCHDOG_USEC; default true */
	uint64_t stop_timeout_ms;  /* how long SIGTERM waits for BIRD; default 3 s */
	unsigned history;          /* transitions kept for "why"; default 256 */
	char *user;                /* drop to this user after start; "" (default) = stay */
	int user_line;             /* the line of "user" in the file, 0 = default */
};

/* what is on the other end of a BGP session */
enum cfg_bgp_kind { CFG_BGP_TRANSIT = 0, CFG_BGP_ROUTE_SERVER };

/* RFC 1997 NO_EXPORT, (65535, 65281) */
#define CFG_COMMUNITY_NO_EXPORT 0xFFFFFF01u

/* RFC 8092 large community (global administrator, local data 1, 2) */
struct cfg_large_community {
	uint32_t global, local1, local2;
};

/* communities a neighbor or a prefix adds on export ("communities",
 * "large-communities", "no-export"); each list without duplicates, in the
 * order written; "no-export": true puts CFG_COMMUNITY_NO_EXPORT into std */
struct cfg_communities {
	uint32_t *std;             /* (ASN << 16) | value */
	size_t nstd;
	struct cfg_large_community *large;
	size_t nlarge;
};

/* one BGP session to a host ISP router or an IXP route server (for the
 * generated bird.conf) */
struct cfg_bird_neighbor {
	char *name;                /* BIRD protocol name on the node, e.g. "isp1_v4" */
	int line;
	int family;                /* AF_INET or AF_INET6, of address */
	char *address;             /* the ISP router's address (canonical text) */
	uint32_t as;               /* the ISP's AS, required */
	char *local;               /* "local-address": the node's address on the session, or NULL */
	char *iface;               /* "interface", or NULL */
	unsigned multihop;         /* 0 = directly connected (default) */
	char *password;            /* TCP-MD5, or NULL */
	bool bfd;                  /* default true */
	unsigned export_limit;     /* 0 = the number of prefixes exported (default) */
	int kind;                  /* enum cfg_bgp_kind, "kind", default transit */
	struct cfg_communities comm; /* added to every prefix exported on it */
};

struct cfg_bird {
	char *socket;              /* default /run/bird/bird.ctl */
	char *state_file;          /* include file; default <state-dir>/bird-state.conf */
	uint32_t as;               /* the node's ASN (for the drain prepend); 0 = unset */
	unsigned prepend;          /* AS-path prepends while draining, default 3 */
	char *router_id;           /* IPv4 text, or NULL = BIRD picks one */
	uint32_t med;              /* MED while draining, default 1000 */
	struct cfg_bird_neighbor *neighbors;
	size_t nneighbors;
};

struct cfg_damping {
	bool enabled;              /* default true; "damping": false turns it off */
	unsigned penalty;          /* added per down transition, default 1000 */
	unsigned suppress;         /* withheld above this, default 2000 */
	unsigned reuse;            /* released below this, default 750 */
	uint64_t half_life_ms;     /* default 60 s */
	uint64_t max_suppress_ms;  /* longest suppression, default 10 min */
};

struct cfg_service {
	char *name;
	int line;
	char **probes;             /* probe names as written */
	size_t *probe_idx;         /* index into cfg_ctl.probes */
	size_t nprobes;
	uint64_t interval_ms;      /* default 500 ms */
	uint64_t fast_interval_ms; /* re-probe after a failed round, default 100 ms */
	unsigned rise;             /* good rounds to come up, default 3 */
	unsigned fall;             /* bad rounds to go down, default 2 */
	uint64_t hold_down_ms;     /* min time down before up again, default 1 s */
	int degraded;              /* enum cfg_degraded, default keep */
	struct cfg_damping damping;
};

struct cfg_prefix {
	char *prefix;              /* canonical text, e.g. "192.0.2.0/24" */
	int line;
	int family;                /* AF_INET or AF_INET6 */
	uint8_t addr[16];          /* network address (host bits zero) */
	unsigned len;              /* prefix length */
	char *static_protocol;     /* BIRD static protocol carrying it */
	char **bgp;                /* BGP protocols exporting it (for checks) */
	size_t nbgp;
	char **services;           /* services it depends on (all must be up) */
	size_t *service_idx;       /* index into cfg_ctl.services */
	size_t nservices;
	struct cfg_communities comm; /* added on every session exporting it */
};

struct cfg_ctl {
	struct cfg_probe *probes;    /* "probes" section, see config_probe.h */
	size_t nprobes;
	struct cfg_controller controller;
	struct cfg_bird bird;
	struct cfg_prefix *prefixes;
	size_t nprefixes;
	struct cfg_service *services;
	size_t nservices;
};

/* true when s is a valid BIRD symbol name: [A-Za-z_][A-Za-z0-9_]*, <= 63 */
bool config_ctl_bird_ident(const char *s);
/* lookups by name/prefix text, NULL when absent */
const struct cfg_service *config_ctl_service(const struct cfg_ctl *c, const char *name);
const struct cfg_prefix *config_ctl_prefix(const struct cfg_ctl *c, const char *prefix);

#endif

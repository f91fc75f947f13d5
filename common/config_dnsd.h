/*
 * config_dnsd — the "dnsd", "zones" and "tsig-keys" sections of raiz.json.
 * Parsed by config_dnsd_parse() (called from config_load()).
 */
#ifndef RAIZ_CONFIG_DNSD_H
#define RAIZ_CONFIG_DNSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cfg_addr;

/* an address prefix, e.g. "192.0.2.0/24" (address in network byte order) */
struct cfg_netblock {
	int family;                   /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned len;                 /* bits */
	char text[72];
};

/* "rate-limit" (dnsd/rrl.h); everything but table-size changes on reload */
struct cfg_rrl {
	unsigned rate;                /* responses-per-second per bucket, 0 = off; default 200 */
	unsigned slip;                /* default 2 */
	unsigned window;              /* seconds, default 1 */
	unsigned ipv4_prefix;         /* default 24 */
	unsigned ipv6_prefix;         /* default 56 */
	unsigned table_size;          /* buckets, default 262144 */
	struct cfg_netblock *exempt;  /* default 127.0.0.0/8 and ::1 */
	size_t nexempt;
};

#define CFG_COOKIE_SECRET_LEN 16

struct cfg_dnsd {
	struct cfg_addr *listen;      /* where to serve, IPv4 and IPv6 */
	size_t nlisten;
	char *nsid;                   /* NSID payload; default node.identity */
	char *identity;               /* id.server / hostname.bind; default node.identity */
	char *version;                /* version.bind; NULL = REFUSED (default) */
	unsigned edns_buffer_size;    /* 512..4096, default 1232 */
	unsigned tcp_max_connections; /* default 250 */
	unsigned tcp_idle_timeout_ms; /* default 10 s */
	unsigned tcp_max_queries;     /* per connection, 0 = unlimited (default) */
	unsigned workers;             /* UDP/TCP worker threads, default 1 */
	char *control_socket;         /* default <run-dir>/dnsd.sock */
	char *pidfile;                /* default <run-dir>/dnsd.pid */
	char *user;                   /* drop to this user after binding; default "raiz" */
	int user_line;                /* the line of "user" in the file, 0 = default */
	int seccomp;                  /* enum sandbox_seccomp: "auto" (default), "on", "off", "log" */
	struct cfg_rrl rrl;           /* "rate-limit" */
	bool cookies;                 /* answer DNS cookies (RFC 7873), default true */
	bool probe_gate;              /* a zone file is published only if the probes
				       * would accept it (dnsd/gate.h), default true */
	/* the server cookie secret: "cookie-secret" or "cookie-secret-file", or
	 * random when neither is given (cookie_secret_random); raiz-dnsd's
	 * reload keeps the running secret then, and sets cookie_previous to
	 * the running one when the secret changes */
	uint8_t cookie_secret[CFG_COOKIE_SECRET_LEN];
	bool cookie_secret_random;
	uint8_t cookie_previous[CFG_COOKIE_SECRET_LEN];
	bool cookie_previous_set;
};

enum cfg_zonemd { CFG_ZONEMD_VERIFY, CFG_ZONEMD_REQUIRE, CFG_ZONEMD_IGNORE };

struct cfg_catalog;

struct cfg_zone {
	char *name;                   /* presentation format, e.g. "." or "br." */
	char *file;                   /* absolute path; NULL for a secondary zone */
	int line;                     /* where it is defined, for messages */
	/* a secondary zone: its copy comes from these primaries (AXFR/IXFR) */
	struct cfg_addr *primaries;   /* in the order given; port 53 by default */
	size_t nprimaries;
	char *tsig_key;               /* name of a tsig-keys entry, NULL = unsigned */
	struct cfg_addr *source;      /* transfer-source (port 0 = any) for primaries of its family, NULL */
	/* clamps of the SOA timers, seconds */
	unsigned refresh_min, refresh_max, retry_min, retry_max, expire_min, expire_max;
	struct cfg_addr *allow_notify;   /* NOTIFY accepted from these besides the primaries */
	size_t nallow_notify;
	struct cfg_addr *allow_transfer; /* AXFR/IXFR out to these (port ignored) */
	size_t nallow_transfer;
	int zonemd;                   /* enum cfg_zonemd */
	char **trust_anchors;         /* DS or DNSKEY records of the apex, presentation format */
	size_t ntrust_anchors;
	unsigned max_lag;             /* seconds behind the primary before the node is unhealthy, 0 = off */
	char **service_ns;            /* "service-ns": names the apex NS set must list (absolute) */
	size_t nservice_ns;
	struct cfg_catalog *catalog;  /* a catalog zone (RFC 9432, consumer): its members' templates */
};

/* a catalog's member templates: secondary-zone settings without a name */
struct cfg_catalog_group {
	char *name;                   /* the catalog's "group" property value */
	struct cfg_zone tmpl;
};
struct cfg_catalog {
	struct cfg_zone defaults;     /* "member-defaults" (primaries, key: the catalog's own) */
	struct cfg_catalog_group *groups;
	size_t ngroups;
};

/* the settings of member `name` of catalog zone `cat` in group `group`
 * (NULL or unknown: member-defaults), as a zone entry; shallow: valid as
 * long as the configuration is */
void config_member_zone(const struct cfg_zone *cat, const char *group, const char *name,
			struct cfg_zone *out);

static inline bool cfg_zone_secondary(const struct cfg_zone *z)
{
	return z->nprimaries > 0;
}

struct cfg_tsig {
	char *name;
	char *algorithm;              /* hmac-sha256 (default), hmac-sha384, hmac-sha512, hmac-sha1 */
	char *secret;                 /* base64, inline or read from secret-file */
	int line;
};

#endif

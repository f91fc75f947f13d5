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
};

struct cfg_zone {
	char *name;                   /* presentation format, e.g. "." or "br." */
	char *file;                   /* absolute path */
	int line;                     /* where it is defined, for messages */
};

struct cfg_tsig {
	char *name;
	char *algorithm;              /* hmac-sha256 (default), hmac-sha384, hmac-sha512 */
	char *secret;                 /* base64 */
	int line;
};

#endif

/*
 * config — the one JSON configuration file (raiz.json) every raiz program
 * reads.  See raiz.json(5).
 *
 * Contract: config_load() parses the whole file (JSON with // and
 * slash-star comments), validates every section — types, ranges, unknown
 * and duplicate keys, addresses, cross references — and either returns a
 * complete struct raiz_config or fails with the first problem formatted as
 * "file:line: reason" in err, changing nothing.  Both daemons validate the
 * whole file, including the sections they do not use, so a file one
 * daemon accepts is never refused by the other.  Relative paths in the
 * file are resolved against the file's directory.  config_free() releases
 * everything.
 */
#ifndef RAIZ_CONFIG_H
#define RAIZ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/config_dnsd.h"
#include "common/config_ctl.h"

/* an address with port, as "192.0.2.53", "2001:db8::53", "127.0.0.1@5353"
 * or "::1@5353" (the NSD/Knot notation) */
struct cfg_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;              /* AF_INET or AF_INET6 */
	uint16_t port;
	char text[64];           /* as the user wrote it, canonicalised */
};

struct cfg_node {
	char *identity;          /* node name: NSID, id.server, hostname.bind */
	int log_level;           /* LOG_LVL_* */
	bool syslog;             /* log to syslog instead of stderr */
	char *run_dir;           /* sockets and pid files, default /run/raiz */
	char *state_dir;         /* persistent state, default /var/lib/raiz */
};

struct raiz_config {
	char *path;              /* the file it was read from */
	char *dir;               /* its directory, for relative paths */
	struct cfg_node node;
	struct cfg_dnsd dnsd;
	struct cfg_zone *zones;
	size_t nzones;
	struct cfg_tsig *tsig;
	size_t ntsig;
	struct cfg_ctl ctl;      /* controller, bird, prefixes, services, probes */
};

/* 0 on success; -1 with "file:line: reason" in err */
int config_load(const char *path, struct raiz_config **out, char *err, size_t errlen);
/* the same from a string (tests); name is used in messages */
int config_load_string(const char *name, const char *text, struct raiz_config **out,
		       char *err, size_t errlen);
void config_free(struct raiz_config *cfg);

/* lookups by name, NULL when absent */
const struct cfg_zone *config_zone(const struct raiz_config *cfg, const char *name);
const struct cfg_tsig *config_tsig(const struct raiz_config *cfg, const char *name);

/* the default configuration file path */
#define CONFIG_DEFAULT_PATH "/etc/raiz/raiz.json"

#endif

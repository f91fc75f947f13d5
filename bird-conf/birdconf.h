/*
 * birdconf — the BIRD 2 configuration of a raiz node, and examples for
 * the routers it peers with, generated from the validated raiz.json, so
 * prefix and protocol names can never drift from what raiz-controller
 * drives (`raizctl bird-conf`).
 *
 * Contract: pure functions from a struct raiz_config to text; they read no
 * file and keep no state.  Four outputs:
 *   BIRDCONF_NODE   the node's bird.conf (birdconf_node.c): router id,
 *                   `include` of the state file, one static protocol per
 *                   anycast prefix with `disabled <PROTO>_WITHDRAWN;`, per
 *                   neighbor an eBGP session (`import none`, an export
 *                   filter of its own accepting exactly the prefixes of the
 *                   static protocols and adding the communities and large
 *                   communities configured for the neighbor and the prefix,
 *                   drain attributes 65535:0 / prepend / MED while
 *                   <PROTO>_DRAIN = 1, an export limit, BFD, graceful
 *                   restart off; `enforce first as off` towards a route
 *                   server) and no kernel protocol at all;
 *   BIRDCONF_ISP    an example for the host ISP's router, for the
 *                   "transit" neighbors (birdconf_peer.c): import only the
 *                   node's exact prefixes originated by the node's AS,
 *                   local-pref 0 under GRACEFUL_SHUTDOWN (65535, 0), a
 *                   max-prefix (receive) limit, BFD, export none;
 *   BIRDCONF_RS     an example for an IXP route server, for the
 *                   "route-server" neighbors (birdconf_peer.c): the same
 *                   import, `rs client`, BFD, communities passed on
 *                   unchanged (`interpret communities off`), a session
 *                   template for the other members and a function for
 *                   action communities;
 *   BIRDCONF_STATE  the default state file: every prefix withdrawn, not
 *                   draining (written by birdstate_format(), the same code
 *                   raiz-controller uses).
 * Constant names come from birdstate_const().  Returns 0, or -1 with a
 * reason in err when the configuration cannot be expressed (no neighbors,
 * a prefix whose "bgp" names no neighbor of its family, a string BIRD
 * cannot quote, no neighbor of the kind an example is for) — then nothing
 * has been written — or when the output could not be written; then the
 * text written so far is incomplete.
 */
#ifndef RAIZ_BIRDCONF_H
#define RAIZ_BIRDCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/config_ctl.h"

struct raiz_config;

enum birdconf_kind { BIRDCONF_NODE, BIRDCONF_ISP, BIRDCONF_STATE, BIRDCONF_RS };

/* BFD timers written into `protocol bfd` (every end): detection time is
 * BIRDCONF_BFD_INTERVAL_MS * BIRDCONF_BFD_MULTIPLIER */
#define BIRDCONF_BFD_INTERVAL_MS 100
#define BIRDCONF_BFD_MULTIPLIER  3

/* BGP session timers (seconds) written on every end, so that a repaired
 * node (BIRD hung, link down, BIRD restarted) is back at the ISP within
 * about a second (measured: 0.6 to 1.1 s; bird-conf/README.md, TIMERS):
 * the first connect after a (re)start and after a failed connection waits
 * CONNECT_DELAY (BIRD takes 75 to 100 % of it, at least 1 s); a connect
 * nobody answers is abandoned and sent again after CONNECT_RETRY (BIRD's
 * default 120 s waits out the link's repair); after an error (BFD down,
 * hold timer, NOTIFICATION) the session restarts at once, without BIRD's
 * exponential backoff (ERROR_WAIT min and max; default 60, 300 s, during
 * which BIRD refuses the peer's connections). */
#define BIRDCONF_CONNECT_DELAY   1
#define BIRDCONF_CONNECT_RETRY   1
#define BIRDCONF_ERROR_WAIT      0

int birdconf_write(const struct raiz_config *cfg, enum birdconf_kind kind, FILE *out,
		   char *err, size_t errlen);

/* The BGP side as the generator sees it; birdconf_write() fills it from
 * the "bird" section.  birdconf_write_bgp() takes it explicitly (tests,
 * and configurations built by hand). */
struct birdconf_peer {
	const char *name;        /* BIRD protocol name on the node */
	int family;              /* AF_INET or AF_INET6, of address */
	const char *address;     /* the peer router's address on the session */
	uint32_t as;             /* the peer's AS */
	const char *local;       /* the node's address on the session, or NULL */
	const char *iface;       /* or NULL */
	unsigned multihop;       /* 0 = directly connected */
	const char *password;    /* TCP-MD5, or NULL */
	bool bfd;
	unsigned export_limit;   /* 0 = the number of prefixes exported on it */
	int kind;                /* enum cfg_bgp_kind: transit (0) or route server */
	struct cfg_communities comm;  /* added on export (shared, not owned) */
};

struct birdconf_bgp {
	const char *router_id;   /* IPv4 text, or NULL = BIRD picks one */
	uint32_t med;            /* MED while draining */
	const struct birdconf_peer *peers;
	size_t npeers;
};

#define BIRDCONF_DEFAULT_MED 1000

int birdconf_write_bgp(const struct raiz_config *cfg, const struct birdconf_bgp *bgp,
		       enum birdconf_kind kind, FILE *out, char *err, size_t errlen);
/* "node", "isp", "rs", "state" -> kind, or -1 */
int birdconf_kind_parse(const char *name);

#endif

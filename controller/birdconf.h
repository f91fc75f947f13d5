/*
 * birdconf — the BIRD 2 configuration of a raiz node, generated from the
 * validated raiz.json, so prefix and protocol names can never drift from
 * what raiz-controller drives (`raizctl bird-conf`).
 *
 * Contract: pure functions from a struct raiz_config to text; they read no
 * file and keep no state.  Three outputs:
 *   BIRDCONF_NODE   the node's bird.conf: router id, `include` of the state
 *                   file, one static protocol per anycast prefix with
 *                   `disabled <PROTO>_WITHDRAWN;`, per neighbor an eBGP
 *                   session (`import none`, an export filter accepting
 *                   exactly the prefixes of the static protocols, drain
 *                   attributes 65535:0 / prepend / MED while
 *                   <PROTO>_DRAIN = 1, an export limit, BFD, graceful
 *                   restart off) and no kernel protocol at all;
 *   BIRDCONF_ISP    an example for the host ISP's router: import only the
 *                   node's exact prefixes originated by the node's AS,
 *                   local-pref 0 under GRACEFUL_SHUTDOWN (65535, 0), a
 *                   max-prefix (receive) limit, BFD, export none;
 *   BIRDCONF_STATE  the default state file: every prefix withdrawn, not
 *                   draining (written by birdstate_format(), the same code
 *                   raiz-controller uses).
 * Constant names come from birdstate_const().  Returns 0, or -1 with a
 * reason in err when the configuration cannot be expressed (no neighbors,
 * a prefix whose "bgp" names no neighbor of its family, a string BIRD
 * cannot quote) — then nothing has been written — or when the output
 * could not be written; then the text written so far is incomplete.
 */
#ifndef RAIZ_BIRDCONF_H
#define RAIZ_BIRDCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct raiz_config;

enum birdconf_kind { BIRDCONF_NODE, BIRDCONF_ISP, BIRDCONF_STATE };

/* BFD timers written into `protocol bfd` (both ends): detection time is
 * BIRDCONF_BFD_INTERVAL_MS * BIRDCONF_BFD_MULTIPLIER */
#define BIRDCONF_BFD_INTERVAL_MS 100
#define BIRDCONF_BFD_MULTIPLIER  3

/* BGP session timers (seconds) written on both ends, so that a repaired
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
	const char *address;     /* the ISP router's address on the session */
	uint32_t as;             /* the ISP's AS */
	const char *local;       /* the node's address on the session, or NULL */
	const char *iface;       /* or NULL */
	unsigned multihop;       /* 0 = directly connected */
	const char *password;    /* TCP-MD5, or NULL */
	bool bfd;
	unsigned export_limit;   /* 0 = the number of prefixes exported on it */
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
/* "node", "isp", "state" -> kind, or -1 */
int birdconf_kind_parse(const char *name);

#endif

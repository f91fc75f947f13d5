/*
 * birdconf_priv — what the generator's files share (not for other
 * modules): the output state, the checks, and the pieces every end writes
 * (header, BFD, session options, timers).  birdconf.c holds these and the
 * entry points; birdconf_node.c the node; birdconf_peer.c the ISP's and
 * the route server's examples.  Writers return 0, or -1 with b->err set.
 */
#ifndef RAIZ_BIRDCONF_PRIV_H
#define RAIZ_BIRDCONF_PRIV_H

#include "bird-conf/birdconf.h"

#include <stdbool.h>
#include <stddef.h>

#define BIRDCONF_GSHUT "(65535, 0)"     /* RFC 8326 GRACEFUL_SHUTDOWN */

struct cfg_prefix;

struct birdconf_out {
	const struct raiz_config *cfg;
	FILE *out;
	char *err;
	size_t errlen;
	const char *router_id;   /* or NULL */
	uint32_t as;             /* the node's AS */
	unsigned prepend;
	uint32_t med;
	const struct birdconf_peer *peers;
	size_t npeers;
};

int birdconf_fail(struct birdconf_out *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void birdconf_put(struct birdconf_out *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* text for a comment: printable, one line */
void birdconf_put_comment_text(struct birdconf_out *b, const char *s);
const char *birdconf_fam(int family);
/* <PROTO><suffix> of p's static protocol into out */
int birdconf_const(struct birdconf_out *b, const struct cfg_prefix *p, const char *suffix,
		   char *out, size_t outlen);

/* does peer export prefix p?  A prefix without "bgp" goes to every peer of
 * its family; one naming peers goes to those only. */
bool birdconf_exports(const struct birdconf_peer *peer, const struct cfg_prefix *p);
unsigned birdconf_count_exports(const struct birdconf_out *b, const struct birdconf_peer *peer);
/* the number of peers of kind (enum cfg_bgp_kind) */
size_t birdconf_count_kind(const struct birdconf_out *b, int kind);

void birdconf_put_header(struct birdconf_out *b, const char *what);
/* `protocol bfd` when any peer of kind (or of any kind, kind < 0) runs BFD,
 * with a declared session per such peer: its address on the node's end
 * (node), the node's address on the peer's end */
void birdconf_put_bfd(struct birdconf_out *b, int kind, bool node);
/* interface, multihop/direct, password, bfd: the same on both ends */
void birdconf_put_session_opts(struct birdconf_out *b, const struct birdconf_peer *peer);
/* connect delay/retry, error wait (birdconf.h) */
void birdconf_put_timers(struct birdconf_out *b, const struct birdconf_peer *peer);

int birdconf_write_node(struct birdconf_out *b);
int birdconf_write_isp(struct birdconf_out *b);
int birdconf_write_rs(struct birdconf_out *b);

#endif

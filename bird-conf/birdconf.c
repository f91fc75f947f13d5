/* birdconf — BIRD configuration generator: checks, shared pieces, entry
 * points and the default state file; see birdconf.h and birdconf_priv.h */
#include "bird-conf/birdconf_priv.h"
#include "controller/birdstate.h"
#include "common/config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int birdconf_fail(struct birdconf_out *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void birdconf_put(struct birdconf_out *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(b->out, fmt, ap);
	va_end(ap);
}

/* BIRD's lexer has no escapes inside "..." */
static bool bc_quotable(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

void birdconf_put_comment_text(struct birdconf_out *b, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, b->out);
}

const char *birdconf_fam(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

static bool bc_addr_ok(int family, const char *s)
{
	unsigned char buf[16];

	return s && inet_pton(family, s, buf) == 1;
}

int birdconf_const(struct birdconf_out *b, const struct cfg_prefix *p, const char *suffix,
		   char *out, size_t outlen)
{
	if (birdstate_const(p->static_protocol, suffix, out, outlen) < 0)
		return birdconf_fail(b, "prefix %s: static protocol \"%s\" is too long for "
				     "its state constants", p->prefix, p->static_protocol);
	return 0;
}

/* the BGP side from the "bird" section; peers is allocated (or NULL when
 * there are no neighbors) and freed by the caller */
static int bc_bgp_from_config(const struct raiz_config *cfg, struct birdconf_bgp *bgp,
			      struct birdconf_peer **peers)
{
	const struct cfg_bird *bird = &cfg->ctl.bird;

	*bgp = (struct birdconf_bgp){ .router_id = bird->router_id, .med = bird->med };
	*peers = NULL;
	if (bird->nneighbors == 0)
		return 0;
	*peers = calloc(bird->nneighbors, sizeof **peers);
	if (!*peers)
		return -1;
	for (size_t i = 0; i < bird->nneighbors; i++) {
		const struct cfg_bird_neighbor *nb = &bird->neighbors[i];
		(*peers)[i] = (struct birdconf_peer){ .name = nb->name, .family = nb->family,
			.address = nb->address, .as = nb->as, .local = nb->local,
			.iface = nb->iface, .multihop = nb->multihop, .password = nb->password,
			.bfd = nb->bfd, .export_limit = nb->export_limit, .kind = nb->kind,
			.comm = nb->comm };
	}
	bgp->peers = *peers;
	bgp->npeers = bird->nneighbors;
	return 0;
}

bool birdconf_exports(const struct birdconf_peer *peer, const struct cfg_prefix *p)
{
	if (p->nbgp == 0)
		return peer->family == p->family;
	for (size_t i = 0; i < p->nbgp; i++)
		if (strcmp(p->bgp[i], peer->name) == 0)
			return true;
	return false;
}

unsigned birdconf_count_exports(const struct birdconf_out *b, const struct birdconf_peer *peer)
{
	unsigned n = 0;

	for (size_t i = 0; i < b->cfg->ctl.nprefixes; i++)
		n += birdconf_exports(peer, &b->cfg->ctl.prefixes[i]);
	return n;
}

size_t birdconf_count_kind(const struct birdconf_out *b, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < b->npeers; i++)
		n += b->peers[i].kind == kind;
	return n;
}

static int bc_check_peer(struct birdconf_out *b, size_t i)
{
	const struct cfg_ctl *k = &b->cfg->ctl;
	const struct birdconf_peer *peer = &b->peers[i];

	if (!peer->name || !config_ctl_bird_ident(peer->name))
		return birdconf_fail(b, "neighbor %zu: \"%s\" is not a BIRD protocol name",
				     i + 1, peer->name ? peer->name : "");
	if ((peer->family != AF_INET && peer->family != AF_INET6) ||
	    !bc_addr_ok(peer->family, peer->address))
		return birdconf_fail(b, "neighbor \"%s\": bad address", peer->name);
	if (peer->local && !bc_addr_ok(peer->family, peer->local))
		return birdconf_fail(b, "neighbor \"%s\": local address %s is not an %s "
				     "address", peer->name, peer->local, birdconf_fam(peer->family));
	if (peer->as == 0)
		return birdconf_fail(b, "neighbor \"%s\": the peer's \"as\" is required",
				     peer->name);
	if (peer->kind != CFG_BGP_TRANSIT && peer->kind != CFG_BGP_ROUTE_SERVER)
		return birdconf_fail(b, "neighbor \"%s\": unknown kind %d", peer->name,
				     peer->kind);
	for (size_t j = 0; j < i; j++)
		if (strcmp(b->peers[j].name, peer->name) == 0)
			return birdconf_fail(b, "neighbor \"%s\" listed twice", peer->name);
	for (size_t j = 0; j < k->nprefixes; j++)
		if (strcmp(k->prefixes[j].static_protocol, peer->name) == 0)
			return birdconf_fail(b, "neighbor \"%s\": the name of a static "
					     "protocol", peer->name);
	if (strlen(peer->name) + sizeof("raiz_export_") > BIRDSTATE_NAME_MAX)
		return birdconf_fail(b, "neighbor \"%s\": name too long for its filter "
				     "name (at most %zu characters)", peer->name,
				     BIRDSTATE_NAME_MAX - sizeof("raiz_export_"));
	if (peer->password && !bc_quotable(peer->password))
		return birdconf_fail(b, "neighbor \"%s\": the password cannot be quoted "
				     "for BIRD", peer->name);
	if (peer->iface && !bc_quotable(peer->iface))
		return birdconf_fail(b, "neighbor \"%s\": bad interface name", peer->name);
	if (peer->as == b->as)
		return birdconf_fail(b, "neighbor \"%s\": AS %u is the node's own AS "
				     "(eBGP only)", peer->name, peer->as);
	return 0;
}

static int bc_check_prefix(struct birdconf_out *b, const struct cfg_prefix *p)
{
	unsigned sessions = 0;
	char name[BIRDSTATE_NAME_MAX];

	if (birdconf_const(b, p, "_WITHDRAWN", name, sizeof name) < 0)
		return -1;
	for (size_t j = 0; j < p->nbgp; j++) {
		const struct birdconf_peer *peer = NULL;
		for (size_t q = 0; q < b->npeers && !peer; q++)
			if (strcmp(b->peers[q].name, p->bgp[j]) == 0)
				peer = &b->peers[q];
		if (!peer)
			return birdconf_fail(b, "prefix %s: \"bgp\" names \"%s\", which is "
					     "not a neighbor", p->prefix, p->bgp[j]);
		if (peer->family != p->family)
			return birdconf_fail(b, "prefix %s: neighbor \"%s\" is an %s session",
					     p->prefix, p->bgp[j], birdconf_fam(peer->family));
	}
	for (size_t q = 0; q < b->npeers; q++)
		sessions += birdconf_exports(&b->peers[q], p);
	if (sessions == 0)
		return birdconf_fail(b, "prefix %s: no %s neighbor to announce it to",
				     p->prefix, birdconf_fam(p->family));
	return 0;
}

static int bc_check(struct birdconf_out *b)
{
	const struct cfg_ctl *k = &b->cfg->ctl;

	if (k->nprefixes == 0)
		return birdconf_fail(b, "no \"prefixes\" configured: nothing to announce");
	if (b->npeers == 0)
		return birdconf_fail(b, "bird: no \"neighbors\" configured: no BGP session to "
				     "announce on");
	if (b->as == 0)
		return birdconf_fail(b, "bird: the node's \"as\" is required for BGP");
	if (b->router_id && !bc_addr_ok(AF_INET, b->router_id))
		return birdconf_fail(b, "bird: \"router-id\" %s is not an IPv4 address",
				     b->router_id);
	if (!k->bird.state_file || !bc_quotable(k->bird.state_file))
		return birdconf_fail(b, "bird: \"state-file\" %s cannot be quoted for BIRD",
				     k->bird.state_file);
	for (size_t i = 0; i < b->npeers; i++)
		if (bc_check_peer(b, i) < 0)
			return -1;
	for (size_t i = 0; i < k->nprefixes; i++)
		if (bc_check_prefix(b, &k->prefixes[i]) < 0)
			return -1;
	return 0;
}

void birdconf_put_header(struct birdconf_out *b, const char *what)
{
	birdconf_put(b, "# %s\n# Generated by `raizctl bird-conf` from ", what);
	/* the file name only: the text must not depend on where it was read */
	const char *path = b->cfg->path ? b->cfg->path : "(built-in configuration)";
	const char *slash = strrchr(path, '/');
	birdconf_put_comment_text(b, slash && slash[1] ? slash + 1 : path);
	birdconf_put(b, "\n# for node \"");
	birdconf_put_comment_text(b, b->cfg->node.identity ? b->cfg->node.identity : "");
	birdconf_put(b, "\".  Do not edit: change raiz.json and generate it again.\n\n");
}

/*
 * Every BFD session is also declared as a `neighbor` of the BFD protocol.
 * A session requested only by BGP is deleted when the BGP session goes
 * down and created again, with new discriminators, when it restarts; the
 * other end, whose BGP session restarted a moment earlier or later, still
 * talks to the old one ("unknown session id", "mismatched remote id"),
 * lets it time out and tears its BGP session down again: after a hung BIRD
 * was resumed the sessions flapped for seconds in the lab (t_anycast).
 * A declared session lives as long as BIRD runs, so a restarting BGP
 * session finds it, and its discriminators, unchanged.  On the node the
 * neighbor is the peer's address; on the peer's end, the node's.
 */
static void bc_bfd_neighbor(struct birdconf_out *b, const struct birdconf_peer *p, bool node)
{
	const char *addr = node ? p->address : p->local;
	const char *local = node ? p->local : p->address;

	if (!addr)
		return;
	if (p->multihop && !local) {
		birdconf_put(b, "\t# %s: multihop, no local address: BGP requests it\n", p->name);
		return;
	}
	birdconf_put(b, "\tneighbor %s", addr);
	if (p->iface && !p->multihop && node)
		birdconf_put(b, " dev \"%s\"", p->iface);
	if (local)
		birdconf_put(b, " local %s", local);
	if (p->multihop)
		birdconf_put(b, " multihop on");
	birdconf_put(b, ";\n");
}

void birdconf_put_bfd(struct birdconf_out *b, int kind, bool node)
{
	bool any = false;

	for (size_t i = 0; i < b->npeers; i++)
		any |= b->peers[i].bfd && (kind < 0 || b->peers[i].kind == kind);
	if (!any)
		return;
	birdconf_put(b, "# Bidirectional Forwarding Detection: a dead peer is noticed in "
		     "%d ms.\nprotocol bfd raiz_bfd {\n"
		     "\tinterface \"*\" {\n"
		     "\t\tmin rx interval %d ms;\n"
		     "\t\tmin tx interval %d ms;\n"
		     "\t\tmultiplier %d;\n"
		     "\t};\n"
		     "\tmultihop {\n"
		     "\t\tmin rx interval %d ms;\n"
		     "\t\tmin tx interval %d ms;\n"
		     "\t\tmultiplier %d;\n"
		     "\t};\n"
		     "\t# one session per BGP neighbor, kept while BGP sessions restart\n",
		     BIRDCONF_BFD_INTERVAL_MS * BIRDCONF_BFD_MULTIPLIER,
		     BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_MULTIPLIER,
		     BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_MULTIPLIER);
	for (size_t i = 0; i < b->npeers; i++)
		if (b->peers[i].bfd && (kind < 0 || b->peers[i].kind == kind))
			bc_bfd_neighbor(b, &b->peers[i], node);
	birdconf_put(b, "}\n\n");
}

void birdconf_put_session_opts(struct birdconf_out *b, const struct birdconf_peer *peer)
{
	if (peer->iface)
		birdconf_put(b, "\tinterface \"%s\";\n", peer->iface);
	if (peer->multihop)
		birdconf_put(b, "\tmultihop %u;\n", peer->multihop);
	else
		birdconf_put(b, "\tdirect;\n");
	if (peer->password)
		birdconf_put(b, "\tpassword \"%s\";\n", peer->password);
	birdconf_put(b, "\tbfd %s;\n", peer->bfd ? "on" : "off");
}

/* back within about a second of a repair; a failure detected (by BFD where
 * it runs) restarts the session at once */
void birdconf_put_timers(struct birdconf_out *b, const struct birdconf_peer *peer)
{
	birdconf_put(b, "\t# back within about a second of a repair: a connect every second,\n"
		     "\t# and after an error (%shold timer, NOTIFICATION) a restart at once\n"
		     "\tconnect delay time %d;\n"
		     "\tconnect retry time %d;\n"
		     "\terror wait time %d, %d;\n",
		     peer->bfd ? "BFD down, " : "", BIRDCONF_CONNECT_DELAY,
		     BIRDCONF_CONNECT_RETRY, BIRDCONF_ERROR_WAIT, BIRDCONF_ERROR_WAIT);
}

/* ---- the default state file ---- */

static int bc_state(struct birdconf_out *b)
{
	const struct cfg_ctl *k = &b->cfg->ctl;
	size_t len = 4096 + k->nprefixes * 4 * BIRDSTATE_NAME_MAX;
	struct birdstate_entry *e = calloc(k->nprefixes ? k->nprefixes : 1, sizeof *e);
	char *buf = malloc(len);
	int r = -1;

	if (!e || !buf) {
		birdconf_fail(b, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < k->nprefixes; i++)
		e[i] = (struct birdstate_entry){ .proto = k->prefixes[i].static_protocol,
			.comment = k->prefixes[i].prefix, .withdrawn = true };
	if (birdstate_format(e, k->nprefixes, buf, len, b->err, b->errlen) < 0)
		goto out;
	fputs(buf, b->out);
	r = 0;
out:
	free(e);
	free(buf);
	return r;
}

int birdconf_kind_parse(const char *name)
{
	if (strcmp(name, "node") == 0)
		return BIRDCONF_NODE;
	if (strcmp(name, "isp") == 0)
		return BIRDCONF_ISP;
	if (strcmp(name, "rs") == 0)
		return BIRDCONF_RS;
	if (strcmp(name, "state") == 0)
		return BIRDCONF_STATE;
	return -1;
}

int birdconf_write_bgp(const struct raiz_config *cfg, const struct birdconf_bgp *bgp,
		       enum birdconf_kind kind, FILE *out, char *err, size_t errlen)
{
	struct birdconf_out b = { .cfg = cfg, .out = out, .err = err, .errlen = errlen,
		.router_id = bgp->router_id, .as = cfg->ctl.bird.as,
		.prepend = cfg->ctl.bird.as ? cfg->ctl.bird.prepend : 0,
		.med = bgp->med, .peers = bgp->peers, .npeers = bgp->npeers };
	int r;

	switch (kind) {
	case BIRDCONF_NODE:
		r = bc_check(&b) < 0 ? -1 : birdconf_write_node(&b);
		break;
	case BIRDCONF_ISP:
		r = bc_check(&b) < 0 ? -1 : birdconf_write_isp(&b);
		break;
	case BIRDCONF_RS:
		r = bc_check(&b) < 0 ? -1 : birdconf_write_rs(&b);
		break;
	case BIRDCONF_STATE:
		r = bc_state(&b);
		break;
	default:
		r = birdconf_fail(&b, "unknown output kind %d", (int)kind);
	}
	if (r == 0 && (fflush(out) != 0 || ferror(out)))
		r = birdconf_fail(&b, "write error");
	return r;
}

int birdconf_write(const struct raiz_config *cfg, enum birdconf_kind kind, FILE *out,
		   char *err, size_t errlen)
{
	struct birdconf_bgp bgp;
	struct birdconf_peer *peers;

	if (bc_bgp_from_config(cfg, &bgp, &peers) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = birdconf_write_bgp(cfg, &bgp, kind, out, err, errlen);
	free(peers);
	return r;
}

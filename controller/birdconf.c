/* birdconf — BIRD configuration generator, see birdconf.h */
#include "controller/birdconf.h"
#include "controller/birdstate.h"
#include "common/config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BC_GSHUT "(65535, 0)"     /* RFC 8326 GRACEFUL_SHUTDOWN */

struct bc {
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

static int bc_fail(struct bc *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bc_fail(struct bc *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void bc_put(struct bc *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bc_put(struct bc *b, const char *fmt, ...)
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

/* text for a comment: printable, one line */
static void bc_put_comment_text(struct bc *b, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, b->out);
}

static const char *bc_fam(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

static bool bc_addr_ok(int family, const char *s)
{
	unsigned char buf[16];

	return s && inet_pton(family, s, buf) == 1;
}

static int bc_const(struct bc *b, const struct cfg_prefix *p, const char *suffix,
		    char *out, size_t outlen)
{
	if (birdstate_const(p->static_protocol, suffix, out, outlen) < 0)
		return bc_fail(b, "prefix %s: static protocol \"%s\" is too long for its "
			       "state constants", p->prefix, p->static_protocol);
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
			.bfd = nb->bfd, .export_limit = nb->export_limit };
	}
	bgp->peers = *peers;
	bgp->npeers = bird->nneighbors;
	return 0;
}

/* does peer export prefix p?  A prefix without "bgp" goes to every peer of
 * its family; one naming peers goes to those only. */
static bool bc_exports(const struct birdconf_peer *peer, const struct cfg_prefix *p)
{
	if (p->nbgp == 0)
		return peer->family == p->family;
	for (size_t i = 0; i < p->nbgp; i++)
		if (strcmp(p->bgp[i], peer->name) == 0)
			return true;
	return false;
}

static unsigned bc_count_exports(const struct bc *b, const struct birdconf_peer *peer)
{
	unsigned n = 0;

	for (size_t i = 0; i < b->cfg->ctl.nprefixes; i++)
		n += bc_exports(peer, &b->cfg->ctl.prefixes[i]);
	return n;
}

static int bc_check(struct bc *b)
{
	const struct cfg_ctl *k = &b->cfg->ctl;

	if (k->nprefixes == 0)
		return bc_fail(b, "no \"prefixes\" configured: nothing to announce");
	if (b->npeers == 0)
		return bc_fail(b, "bird: no \"neighbors\" configured: no BGP session to "
			       "announce on");
	if (b->as == 0)
		return bc_fail(b, "bird: the node's \"as\" is required for BGP");
	if (b->router_id && !bc_addr_ok(AF_INET, b->router_id))
		return bc_fail(b, "bird: \"router-id\" %s is not an IPv4 address",
			       b->router_id);
	if (!k->bird.state_file || !bc_quotable(k->bird.state_file))
		return bc_fail(b, "bird: \"state-file\" %s cannot be quoted for BIRD",
			       k->bird.state_file);
	for (size_t i = 0; i < b->npeers; i++) {
		const struct birdconf_peer *peer = &b->peers[i];
		if (!peer->name || !config_ctl_bird_ident(peer->name))
			return bc_fail(b, "neighbor %zu: \"%s\" is not a BIRD protocol name",
				       i + 1, peer->name ? peer->name : "");
		if ((peer->family != AF_INET && peer->family != AF_INET6) ||
		    !bc_addr_ok(peer->family, peer->address))
			return bc_fail(b, "neighbor \"%s\": bad address", peer->name);
		if (peer->local && !bc_addr_ok(peer->family, peer->local))
			return bc_fail(b, "neighbor \"%s\": local address %s is not an %s "
				       "address", peer->name, peer->local, bc_fam(peer->family));
		if (peer->as == 0)
			return bc_fail(b, "neighbor \"%s\": the ISP's \"as\" is required",
				       peer->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(b->peers[j].name, peer->name) == 0)
				return bc_fail(b, "neighbor \"%s\" listed twice", peer->name);
		for (size_t j = 0; j < k->nprefixes; j++)
			if (strcmp(k->prefixes[j].static_protocol, peer->name) == 0)
				return bc_fail(b, "neighbor \"%s\": the name of a static "
					       "protocol", peer->name);
		if (strlen(peer->name) + sizeof("raiz_export_") > BIRDSTATE_NAME_MAX)
			return bc_fail(b, "neighbor \"%s\": name too long for its filter "
				       "name (at most %zu characters)", peer->name,
				       BIRDSTATE_NAME_MAX - sizeof("raiz_export_"));
		if (peer->password && !bc_quotable(peer->password))
			return bc_fail(b, "neighbor \"%s\": the password cannot be quoted "
				       "for BIRD", peer->name);
		if (peer->iface && !bc_quotable(peer->iface))
			return bc_fail(b, "neighbor \"%s\": bad interface name", peer->name);
		if (peer->as == b->as)
			return bc_fail(b, "neighbor \"%s\": AS %u is the node's own AS "
				       "(eBGP only)", peer->name, peer->as);
	}
	for (size_t i = 0; i < k->nprefixes; i++) {
		const struct cfg_prefix *p = &k->prefixes[i];
		unsigned sessions = 0;
		char name[BIRDSTATE_NAME_MAX];
		if (bc_const(b, p, "_WITHDRAWN", name, sizeof name) < 0)
			return -1;
		for (size_t j = 0; j < p->nbgp; j++) {
			const struct birdconf_peer *peer = NULL;
			for (size_t q = 0; q < b->npeers && !peer; q++)
				if (strcmp(b->peers[q].name, p->bgp[j]) == 0)
					peer = &b->peers[q];
			if (!peer)
				return bc_fail(b, "prefix %s: \"bgp\" names \"%s\", which is "
					       "not a neighbor", p->prefix, p->bgp[j]);
			if (peer->family != p->family)
				return bc_fail(b, "prefix %s: neighbor \"%s\" is an %s session",
					       p->prefix, p->bgp[j], bc_fam(peer->family));
		}
		for (size_t q = 0; q < b->npeers; q++)
			sessions += bc_exports(&b->peers[q], p);
		if (sessions == 0)
			return bc_fail(b, "prefix %s: no %s neighbor to announce it to",
				       p->prefix, bc_fam(p->family));
	}
	return 0;
}

static bool bc_any_bfd(const struct bc *b)
{
	for (size_t i = 0; i < b->npeers; i++)
		if (b->peers[i].bfd)
			return true;
	return false;
}

static void bc_put_header(struct bc *b, const char *what)
{
	bc_put(b, "# %s\n# Generated by `raizctl bird-conf` from ", what);
	/* the file name only: the text must not depend on where it was read */
	const char *path = b->cfg->path ? b->cfg->path : "(built-in configuration)";
	const char *slash = strrchr(path, '/');
	bc_put_comment_text(b, slash && slash[1] ? slash + 1 : path);
	bc_put(b, "\n# for node \"");
	bc_put_comment_text(b, b->cfg->node.identity ? b->cfg->node.identity : "");
	bc_put(b, "\".  Do not edit: change raiz.json and generate it again.\n\n");
}

static void bc_put_bfd(struct bc *b)
{
	if (!bc_any_bfd(b))
		return;
	bc_put(b, "# Bidirectional Forwarding Detection: a dead peer is noticed in "
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
	       "\t};\n}\n\n",
	       BIRDCONF_BFD_INTERVAL_MS * BIRDCONF_BFD_MULTIPLIER,
	       BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_MULTIPLIER,
	       BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_INTERVAL_MS, BIRDCONF_BFD_MULTIPLIER);
}

/* the session options both ends share */
static void bc_put_session_opts(struct bc *b, const struct birdconf_peer *peer)
{
	if (peer->iface)
		bc_put(b, "\tinterface \"%s\";\n", peer->iface);
	if (peer->multihop)
		bc_put(b, "\tmultihop %u;\n", peer->multihop);
	else
		bc_put(b, "\tdirect;\n");
	if (peer->password)
		bc_put(b, "\tpassword \"%s\";\n", peer->password);
	bc_put(b, "\tbfd %s;\n", peer->bfd ? "on" : "off");
}

/* the timers both ends share (birdconf.h): back within about a second of
 * a repair; a failure detected (by BFD where it runs) restarts the session
 * at once */
static void bc_put_timers(struct bc *b, const struct birdconf_peer *peer)
{
	bc_put(b, "\t# back within about a second of a repair: a connect every second,\n"
	       "\t# and after an error (%shold timer, NOTIFICATION) a restart at once\n"
	       "\tconnect delay time %d;\n"
	       "\tconnect retry time %d;\n"
	       "\terror wait time %d, %d;\n",
	       peer->bfd ? "BFD down, " : "", BIRDCONF_CONNECT_DELAY, BIRDCONF_CONNECT_RETRY,
	       BIRDCONF_ERROR_WAIT, BIRDCONF_ERROR_WAIT);
}

/* ---- the node ---- */

static int bc_node_statics(struct bc *b)
{
	const struct cfg_ctl *k = &b->cfg->ctl;
	char wd[BIRDSTATE_NAME_MAX];

	for (size_t i = 0; i < k->nprefixes; i++) {
		const struct cfg_prefix *p = &k->prefixes[i];
		if (bc_const(b, p, "_WITHDRAWN", wd, sizeof wd) < 0)
			return -1;
		bc_put(b, "# Anycast prefix %s: announced while %s = 0.\n"
		       "protocol static %s {\n"
		       "\t%s;\n"
		       "\tdisabled %s;\n"
		       "\troute %s blackhole;\n"
		       "}\n\n",
		       p->prefix, wd, p->static_protocol, bc_fam(p->family), wd, p->prefix);
	}
	return 0;
}

static int bc_node_filter(struct bc *b, const struct birdconf_peer *peer)
{
	const struct cfg_ctl *k = &b->cfg->ctl;
	char dr[BIRDSTATE_NAME_MAX];

	bc_put(b, "# Exactly the anycast prefixes, only from their static protocols.\n"
	       "filter raiz_export_%s {\n", peer->name);
	for (size_t i = 0; i < k->nprefixes; i++) {
		const struct cfg_prefix *p = &k->prefixes[i];
		if (!bc_exports(peer, p))
			continue;
		if (bc_const(b, p, "_DRAIN", dr, sizeof dr) < 0)
			return -1;
		bc_put(b, "\tif net = %s && proto = \"%s\" then {\n"
		       "\t\tif %s = 1 then {\n"
		       "\t\t\tbgp_community.add(" BC_GSHUT ");\n",
		       p->prefix, p->static_protocol, dr);
		for (unsigned n = 0; n < b->prepend; n++)
			bc_put(b, "\t\t\tbgp_path.prepend(%u);\n", b->as);
		bc_put(b, "\t\t\tbgp_med = %u;\n"
		       "\t\t}\n"
		       "\t\taccept;\n"
		       "\t}\n", b->med);
	}
	bc_put(b, "\treject;\n}\n\n");
	return 0;
}

static void bc_node_session(struct bc *b, const struct birdconf_peer *peer)
{
	unsigned n = bc_count_exports(b, peer);
	unsigned limit = peer->export_limit ? peer->export_limit : n;

	bc_put(b, "protocol bgp %s {\n"
	       "\tdescription \"host ISP router %s\";\n",
	       peer->name, peer->address);
	if (peer->local)
		bc_put(b, "\tlocal %s as %u;\n", peer->local, b->as);
	else
		bc_put(b, "\tlocal as %u;\n", b->as);
	bc_put(b, "\tneighbor %s as %u;\n", peer->address, peer->as);
	bc_put_session_opts(b, peer);
	bc_put(b, "\t# a dead node must not keep its prefixes at the ISP\n"
	       "\tgraceful restart off;\n");
	bc_put_timers(b, peer);
	bc_put(b, "\t%s {\n"
	       "\t\timport none;\n"
	       "\t\texport filter raiz_export_%s;\n"
	       "\t\texport limit %u action block;\n"
	       "\t};\n"
	       "}\n\n",
	       bc_fam(peer->family), peer->name, limit);
}

static int bc_node(struct bc *b)
{
	bc_put_header(b, "BIRD 2 configuration of a raiz anycast DNS node.");
	if (b->router_id)
		bc_put(b, "router id %s;\n", b->router_id);
	bc_put(b, "log syslog all;\n"
	       "# raiz-controller parses `show protocols` and `show status`\n"
	       "timeformat protocol iso long;\n"
	       "timeformat base iso long us;\n\n"
	       "# The intended state of every prefix (<PROTO>_WITHDRAWN, <PROTO>_DRAIN),\n"
	       "# written by raiz-controller; it survives `configure` and restarts.\n"
	       "include \"%s\";\n\n"
	       "protocol device {\n}\n\n"
	       "# No kernel protocol: the anycast routes never reach this host's\n"
	       "# forwarding table, and nothing is learnt from the ISP.\n\n",
	       b->cfg->ctl.bird.state_file);
	bc_put_bfd(b);
	if (bc_node_statics(b) < 0)
		return -1;
	for (size_t i = 0; i < b->npeers; i++) {
		if (bc_node_filter(b, &b->peers[i]) < 0)
			return -1;
		bc_node_session(b, &b->peers[i]);
	}
	return 0;
}

/* ---- the ISP's side ---- */

static void bc_isp_filter(struct bc *b, const struct birdconf_peer *peer)
{
	const struct cfg_ctl *k = &b->cfg->ctl;

	bc_put(b, "# Only the node's exact prefixes, originated by the node's AS;\n"
	       "# a node that drains (GRACEFUL_SHUTDOWN, RFC 8326) gets local-pref 0.\n"
	       "filter raiz_import_%s {\n", peer->name);
	for (size_t i = 0; i < k->nprefixes; i++) {
		const struct cfg_prefix *p = &k->prefixes[i];
		if (bc_exports(peer, p))
			bc_put(b, "\tif net = %s && bgp_path.last = RAIZ_NODE_AS then {\n"
			       "\t\tif " BC_GSHUT " ~ bgp_community then bgp_local_pref = 0;\n"
			       "\t\taccept;\n"
			       "\t}\n", p->prefix);
	}
	bc_put(b, "\treject;\n}\n\n");
}

static void bc_isp_session(struct bc *b, const struct birdconf_peer *peer)
{
	unsigned n = bc_count_exports(b, peer);

	bc_put(b, "# On the router with address %s.\n"
	       "protocol bgp raiz_%s {\n"
	       "\tdescription \"raiz anycast DNS node ",
	       peer->address, peer->name);
	bc_put_comment_text(b, b->cfg->node.identity ? b->cfg->node.identity : "");
	bc_put(b, "\";\n"
	       "\tlocal %s as %u;\n"
	       "\tneighbor %s as RAIZ_NODE_AS;\n",
	       peer->address, peer->as, peer->local);
	bc_put_session_opts(b, peer);
	bc_put(b, "\t# the node's AS first in every path it sends\n"
	       "\tenforce first as on;\n");
	bc_put_timers(b, peer);
	bc_put(b, "\t%s {\n"
	       "\t\timport filter raiz_import_%s;\n"
	       "\t\t# max-prefix: count what the filter rejects too\n"
	       "\t\timport keep filtered on;\n"
	       "\t\treceive limit %u action disable;\n"
	       "\t\texport none;\n"
	       "\t};\n"
	       "}\n\n",
	       bc_fam(peer->family), peer->name, n);
}

static int bc_isp(struct bc *b)
{
	const struct birdconf_peer *v4 = NULL;

	for (size_t i = 0; i < b->npeers; i++) {
		if (!b->peers[i].local)
			return bc_fail(b, "neighbor \"%s\": the ISP example needs its "
				       "\"local-address\"", b->peers[i].name);
		if (!v4 && b->peers[i].family == AF_INET)
			v4 = &b->peers[i];
	}
	bc_put_header(b, "Example BIRD 2 configuration for the host ISP's router(s)\n"
		      "# peering with a raiz anycast DNS node: adapt the addresses and merge\n"
		      "# it into your own; the filters and limits are the point.");
	if (v4)
		bc_put(b, "router id %s;\n", v4->address);
	else
		bc_put(b, "# router id 198.51.100.1;   # set your own\n");
	bc_put(b, "timeformat protocol iso long;\n\n"
	       "# the node's AS: the only origin accepted for its prefixes\n"
	       "define RAIZ_NODE_AS = %u;\n\n"
	       "protocol device {\n}\n\n", b->as);
	bc_put_bfd(b);
	for (size_t i = 0; i < b->npeers; i++) {
		bc_isp_filter(b, &b->peers[i]);
		bc_isp_session(b, &b->peers[i]);
	}
	return 0;
}

/* ---- the default state file ---- */

static int bc_state(struct bc *b)
{
	const struct cfg_ctl *k = &b->cfg->ctl;
	size_t len = 4096 + k->nprefixes * 4 * BIRDSTATE_NAME_MAX;
	struct birdstate_entry *e = calloc(k->nprefixes ? k->nprefixes : 1, sizeof *e);
	char *buf = malloc(len);
	int r = -1;

	if (!e || !buf) {
		bc_fail(b, "out of memory");
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
	if (strcmp(name, "state") == 0)
		return BIRDCONF_STATE;
	return -1;
}

int birdconf_write_bgp(const struct raiz_config *cfg, const struct birdconf_bgp *bgp,
		       enum birdconf_kind kind, FILE *out, char *err, size_t errlen)
{
	struct bc b = { .cfg = cfg, .out = out, .err = err, .errlen = errlen,
		.router_id = bgp->router_id, .as = cfg->ctl.bird.as,
		.prepend = cfg->ctl.bird.as ? cfg->ctl.bird.prepend : 0,
		.med = bgp->med, .peers = bgp->peers, .npeers = bgp->npeers };
	int r;

	switch (kind) {
	case BIRDCONF_NODE:
		r = bc_check(&b) < 0 ? -1 : bc_node(&b);
		break;
	case BIRDCONF_ISP:
		r = bc_check(&b) < 0 ? -1 : bc_isp(&b);
		break;
	case BIRDCONF_STATE:
		r = bc_state(&b);
		break;
	default:
		r = bc_fail(&b, "unknown output kind %d", (int)kind);
	}
	if (r == 0 && (fflush(out) != 0 || ferror(out)))
		r = bc_fail(&b, "write error");
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

/* birdconf_node — the node's bird.conf (BIRDCONF_NODE); see birdconf.h */
#include "bird-conf/birdconf_priv.h"
#include "controller/birdstate.h"
#include "common/config.h"

#include <stdbool.h>
#include <string.h>

static int bc_node_statics(struct birdconf_out *b)
{
	const struct cfg_ctl *k = &b->cfg->ctl;
	char wd[BIRDSTATE_NAME_MAX];

	for (size_t i = 0; i < k->nprefixes; i++) {
		const struct cfg_prefix *p = &k->prefixes[i];
		if (birdconf_const(b, p, "_WITHDRAWN", wd, sizeof wd) < 0)
			return -1;
		birdconf_put(b, "# Anycast prefix %s: announced while %s = 0.\n"
			     "protocol static %s {\n"
			     "\t%s;\n"
			     "\tdisabled %s;\n"
			     "\troute %s blackhole;\n"
			     "}\n\n",
			     p->prefix, wd, p->static_protocol, birdconf_fam(p->family), wd,
			     p->prefix);
	}
	return 0;
}

static const char *bc_wellknown(uint32_t c)
{
	switch (c) {
	case 0xFFFFFF01u: return "NO_EXPORT";
	case 0xFFFFFF02u: return "NO_ADVERTISE";
	case 0xFFFFFF03u: return "NO_EXPORT_SUBCONFED";
	case 0xFFFFFF04u: return "NOPEER";
	default: return NULL;
	}
}

static bool bc_has_std(const struct cfg_communities *k, uint32_t c)
{
	for (size_t i = 0; k && i < k->nstd; i++)
		if (k->std[i] == c)
			return true;
	return false;
}

static bool bc_has_large(const struct cfg_communities *k, const struct cfg_large_community *c)
{
	for (size_t i = 0; k && i < k->nlarge; i++)
		if (k->large[i].global == c->global && k->large[i].local1 == c->local1 &&
		    k->large[i].local2 == c->local2)
			return true;
	return false;
}

/* the communities of k, less those already in `before` (the session's,
 * written first) */
static void bc_put_communities(struct birdconf_out *b, const struct cfg_communities *k,
			       const struct cfg_communities *before)
{
	for (size_t i = 0; i < k->nstd; i++) {
		if (bc_has_std(before, k->std[i]))
			continue;
		const char *wk = bc_wellknown(k->std[i]);
		birdconf_put(b, "\t\tbgp_community.add((%u, %u));", k->std[i] >> 16,
			     k->std[i] & 0xFFFFu);
		if (wk)
			birdconf_put(b, "   # %s", wk);
		birdconf_put(b, "\n");
	}
	for (size_t i = 0; i < k->nlarge; i++)
		if (!bc_has_large(before, &k->large[i]))
			birdconf_put(b, "\t\tbgp_large_community.add((%u, %u, %u));\n",
				     k->large[i].global, k->large[i].local1, k->large[i].local2);
}

static int bc_node_filter(struct birdconf_out *b, const struct birdconf_peer *peer)
{
	const struct cfg_ctl *k = &b->cfg->ctl;
	char dr[BIRDSTATE_NAME_MAX];

	birdconf_put(b, "# Exactly the anycast prefixes, only from their static protocols");
	if (peer->comm.nstd || peer->comm.nlarge)
		birdconf_put(b, ",\n# with the session's communities");
	birdconf_put(b, ".\nfilter raiz_export_%s {\n", peer->name);
	for (size_t i = 0; i < k->nprefixes; i++) {
		const struct cfg_prefix *p = &k->prefixes[i];
		if (!birdconf_exports(peer, p))
			continue;
		if (birdconf_const(b, p, "_DRAIN", dr, sizeof dr) < 0)
			return -1;
		birdconf_put(b, "\tif net = %s && proto = \"%s\" then {\n",
			     p->prefix, p->static_protocol);
		bc_put_communities(b, &peer->comm, NULL);
		bc_put_communities(b, &p->comm, &peer->comm);
		birdconf_put(b, "\t\tif %s = 1 then {\n"
			     "\t\t\tbgp_community.add(" BIRDCONF_GSHUT ");\n", dr);
		for (unsigned n = 0; n < b->prepend; n++)
			birdconf_put(b, "\t\t\tbgp_path.prepend(%u);\n", b->as);
		birdconf_put(b, "\t\t\tbgp_med = %u;\n"
			     "\t\t}\n"
			     "\t\taccept;\n"
			     "\t}\n", b->med);
	}
	birdconf_put(b, "\treject;\n}\n\n");
	return 0;
}

static void bc_node_session(struct birdconf_out *b, const struct birdconf_peer *peer)
{
	unsigned n = birdconf_count_exports(b, peer);
	unsigned limit = peer->export_limit ? peer->export_limit : n;
	bool rs = peer->kind == CFG_BGP_ROUTE_SERVER;

	birdconf_put(b, "protocol bgp %s {\n"
		     "\tdescription \"%s %s\";\n",
		     peer->name, rs ? "IXP route server" : "host ISP router", peer->address);
	if (peer->local)
		birdconf_put(b, "\tlocal %s as %u;\n", peer->local, b->as);
	else
		birdconf_put(b, "\tlocal as %u;\n", b->as);
	birdconf_put(b, "\tneighbor %s as %u;\n", peer->address, peer->as);
	birdconf_put_session_opts(b, peer);
	if (rs)
		birdconf_put(b, "\t# a route server (`rs client` on its side) does not put its\n"
			     "\t# AS first in the paths it sends\n"
			     "\tenforce first as off;\n");
	birdconf_put(b, "\t# a dead node must not keep its prefixes at the %s\n"
		     "\tgraceful restart off;\n", rs ? "IXP" : "ISP");
	birdconf_put_timers(b, peer);
	birdconf_put(b, "\t%s {\n"
		     "\t\timport none;\n"
		     "\t\texport filter raiz_export_%s;\n"
		     "\t\texport limit %u action block;\n"
		     "\t};\n"
		     "}\n\n",
		     birdconf_fam(peer->family), peer->name, limit);
}

int birdconf_write_node(struct birdconf_out *b)
{
	birdconf_put_header(b, "BIRD 2 configuration of a raiz anycast DNS node.");
	if (b->router_id)
		birdconf_put(b, "router id %s;\n", b->router_id);
	birdconf_put(b, "log syslog all;\n"
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
	birdconf_put_bfd(b, -1, true);
	if (bc_node_statics(b) < 0)
		return -1;
	for (size_t i = 0; i < b->npeers; i++) {
		if (bc_node_filter(b, &b->peers[i]) < 0)
			return -1;
		bc_node_session(b, &b->peers[i]);
	}
	return 0;
}

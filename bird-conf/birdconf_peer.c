/* birdconf_peer — the other end of the node's sessions: the example for
 * the host ISP's router (BIRDCONF_ISP, "transit" neighbors) and for an
 * IXP route server (BIRDCONF_RS, "route-server" neighbors); see birdconf.h */
#include "bird-conf/birdconf_priv.h"
#include "common/config.h"

#include <sys/socket.h>

/* the node's exact prefixes on this session, originated by the node's AS */
static void bc_import_filter(struct birdconf_out *b, const struct birdconf_peer *peer,
			     bool gshut)
{
	const struct cfg_ctl *k = &b->cfg->ctl;

	birdconf_put(b, "# Only the node's exact prefixes, originated by the node's AS;\n");
	if (gshut)
		birdconf_put(b, "# a node that drains (GRACEFUL_SHUTDOWN, RFC 8326) gets "
			     "local-pref 0.\n");
	else
		birdconf_put(b, "# their communities (NO_EXPORT, GRACEFUL_SHUTDOWN, action\n"
			     "# communities) are passed on to the members unchanged.\n");
	birdconf_put(b, "filter raiz_import_%s {\n", peer->name);
	for (size_t i = 0; i < k->nprefixes; i++) {
		const struct cfg_prefix *p = &k->prefixes[i];
		if (!birdconf_exports(peer, p))
			continue;
		birdconf_put(b, "\tif net = %s && bgp_path.last = RAIZ_NODE_AS then {\n",
			     p->prefix);
		if (gshut)
			birdconf_put(b, "\t\tif " BIRDCONF_GSHUT " ~ bgp_community then "
				     "bgp_local_pref = 0;\n");
		birdconf_put(b, "\t\taccept;\n\t}\n");
	}
	birdconf_put(b, "\treject;\n}\n\n");
}

/* the peers of kind need the node's address on the session */
static int bc_need_local(struct birdconf_out *b, int kind, const char *what)
{
	for (size_t i = 0; i < b->npeers; i++)
		if (b->peers[i].kind == kind && !b->peers[i].local)
			return birdconf_fail(b, "neighbor \"%s\": the %s example needs its "
					     "\"local-address\"", b->peers[i].name, what);
	return 0;
}

/* router id: the first IPv4 address of a peer of kind */
static void bc_router_id(struct birdconf_out *b, int kind)
{
	for (size_t i = 0; i < b->npeers; i++)
		if (b->peers[i].kind == kind && b->peers[i].family == AF_INET) {
			birdconf_put(b, "router id %s;\n", b->peers[i].address);
			return;
		}
	birdconf_put(b, "# router id 198.51.100.1;   # set your own\n");
}

static void bc_description(struct birdconf_out *b)
{
	birdconf_put(b, "\tdescription \"raiz anycast DNS node ");
	birdconf_put_comment_text(b, b->cfg->node.identity ? b->cfg->node.identity : "");
	birdconf_put(b, "\";\n");
}

/* ---- the sessions with the node, at the ISP and at the route server ---- */

/* what the route server's sessions (the node's and the members') share */
static void bc_rs_opts(struct birdconf_out *b)
{
	birdconf_put(b, "\t# a route server: its AS is not put into the paths, the next\n"
		     "\t# hop and the attributes are passed on unchanged\n"
		     "\trs client;\n"
		     "\t# NO_EXPORT and NO_ADVERTISE are meant for the members: pass them\n"
		     "\t# on instead of acting on them here (BIRD would not export such\n"
		     "\t# a route to any member)\n"
		     "\tinterpret communities off;\n");
}

/* the session of the ISP's router (rs false) or of the IXP's route server
 * (rs true) with the node */
static void bc_peer_session(struct birdconf_out *b, const struct birdconf_peer *peer, bool rs)
{
	unsigned n = birdconf_count_exports(b, peer);

	birdconf_put(b, rs ? "# On the route server with address %s on the IXP LAN.\n"
			     "protocol bgp raiz_%s {\n"
			   : "# On the router with address %s.\n"
			     "protocol bgp raiz_%s {\n", peer->address, peer->name);
	bc_description(b);
	birdconf_put(b, "\tlocal %s as %u;\n"
		     "\tneighbor %s as RAIZ_NODE_AS;\n",
		     peer->address, peer->as, peer->local);
	birdconf_put_session_opts(b, peer);
	if (rs)
		bc_rs_opts(b);
	birdconf_put(b, "\t# the node's AS first in every path it sends\n"
		     "\tenforce first as on;\n");
	birdconf_put_timers(b, peer);
	birdconf_put(b, "\t%s {\n"
		     "\t\timport filter raiz_import_%s;\n"
		     "\t\t# max-prefix: count what the filter rejects too\n"
		     "\t\timport keep filtered on;\n"
		     "\t\treceive limit %u action disable;\n"
		     "%s"
		     "\t\texport none;\n"
		     "\t};\n"
		     "}\n\n",
		     birdconf_fam(peer->family), peer->name, n,
		     rs ? "\t\t# the node learns nothing\n" : "");
}

/* ---- the host ISP ---- */

int birdconf_write_isp(struct birdconf_out *b)
{
	if (birdconf_count_kind(b, CFG_BGP_TRANSIT) == 0)
		return birdconf_fail(b, "bird: no \"transit\" neighbor: the ISP example is "
				     "for those (`bird-conf rs` for route servers)");
	if (bc_need_local(b, CFG_BGP_TRANSIT, "ISP") < 0)
		return -1;
	birdconf_put_header(b, "Example BIRD 2 configuration for the host ISP's router(s)\n"
			    "# peering with a raiz anycast DNS node: adapt the addresses and merge\n"
			    "# it into your own; the filters and limits are the point.");
	bc_router_id(b, CFG_BGP_TRANSIT);
	birdconf_put(b, "timeformat protocol iso long;\n\n"
		     "# the node's AS: the only origin accepted for its prefixes\n"
		     "define RAIZ_NODE_AS = %u;\n\n"
		     "# A prefix the node tags NO_EXPORT (65535, 65281) stays in this AS:\n"
		     "# BIRD does not export it on eBGP sessions (`interpret communities`,\n"
		     "# on by default; keep it on).\n\n"
		     "protocol device {\n}\n\n", b->as);
	birdconf_put_bfd(b, CFG_BGP_TRANSIT, false);
	for (size_t i = 0; i < b->npeers; i++) {
		if (b->peers[i].kind != CFG_BGP_TRANSIT)
			continue;
		bc_import_filter(b, &b->peers[i], true);
		bc_peer_session(b, &b->peers[i], false);
	}
	return 0;
}

/* ---- the IXP route server ---- */

/* a template for the other members' sessions on the same LAN and family */
static void bc_rs_member_template(struct birdconf_out *b, const struct birdconf_peer *peer)
{
	birdconf_put(b, "# The other members of the IXP on this LAN, one session each:\n"
		     "#   protocol bgp member_64500 from raiz_member_%s {\n"
		     "#   \tneighbor <address> as 64500;\n"
		     "#   \t%s { export where raiz_rs_announce_to(%u, 64500); };\n"
		     "#   }\n"
		     "template bgp raiz_member_%s {\n",
		     peer->name, birdconf_fam(peer->family), peer->as, peer->name);
	birdconf_put(b, "\tlocal %s as %u;\n", peer->address, peer->as);
	birdconf_put_session_opts(b, peer);
	bc_rs_opts(b);
	birdconf_put_timers(b, peer);
	birdconf_put(b, "\t%s {\n"
		     "\t\timport all;      # your checks of the member's routes here\n"
		     "\t\texport where raiz_rs_announce_to(%u, 0);\n"
		     "\t};\n"
		     "}\n\n", birdconf_fam(peer->family), peer->as);
}

int birdconf_write_rs(struct birdconf_out *b)
{
	if (birdconf_count_kind(b, CFG_BGP_ROUTE_SERVER) == 0)
		return birdconf_fail(b, "bird: no \"route-server\" neighbor: the route server "
				     "example is for those (`bird-conf isp` for transit)");
	if (bc_need_local(b, CFG_BGP_ROUTE_SERVER, "route server") < 0)
		return -1;
	birdconf_put_header(b, "Example BIRD 2 configuration for an IXP route server\n"
			    "# serving a raiz anycast DNS node: adapt the addresses and merge it\n"
			    "# into your own; the filters, limits and `rs client` are the point.");
	bc_router_id(b, CFG_BGP_ROUTE_SERVER);
	birdconf_put(b, "timeformat protocol iso long;\n\n"
		     "# the node's AS: the only origin accepted for its prefixes\n"
		     "define RAIZ_NODE_AS = %u;\n\n"
		     "protocol device {\n}\n\n", b->as);
	birdconf_put_bfd(b, CFG_BGP_ROUTE_SERVER, false);
	birdconf_put(b, "# Action communities, an example policy (use your IXP's own): a route\n"
		     "# tagged (RS-AS, 0, PEER-AS) or (0, PEER-AS) is not announced to the\n"
		     "# member PEER-AS; (RS-AS, 0, 0) or (0, RS-AS) to nobody.  PEER-AS 0 asks\n"
		     "# only about the latter.\n"
		     "function raiz_rs_announce_to(int rs_as; int peer_as)\n"
		     "{\n"
		     "\tif (rs_as, 0, 0) ~ bgp_large_community then return false;\n"
		     "\tif rs_as < 65536 then\n"
		     "\t\tif (0, rs_as) ~ bgp_community then return false;\n"
		     "\tif peer_as = 0 then return true;\n"
		     "\tif (rs_as, 0, peer_as) ~ bgp_large_community then return false;\n"
		     "\tif peer_as < 65536 then\n"
		     "\t\tif (0, peer_as) ~ bgp_community then return false;\n"
		     "\treturn true;\n"
		     "}\n\n");
	for (size_t i = 0; i < b->npeers; i++) {
		if (b->peers[i].kind != CFG_BGP_ROUTE_SERVER)
			continue;
		bc_import_filter(b, &b->peers[i], false);
		bc_peer_session(b, &b->peers[i], true);
		bc_rs_member_template(b, &b->peers[i]);
	}
	return 0;
}

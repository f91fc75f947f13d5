#!/usr/bin/env bash
# t_birdconf — every BIRD configuration raiz ships or generates parses with
# the real BIRD (`bird -p -c`):
#   - the examples in bird-conf/ (the node's bird.conf with the default
#     state file included, the ISP example; the IXP pair: a node with a
#     route-server session and the route server's example), and they are
#     not stale: they equal what `raizctl bird-conf` makes from the example
#     raiz.json and raiz-ixp.json;
#   - what `raizctl bird-conf node|isp|rs|state` generates from several
#     configurations (the lab's; one with three sessions, multihop, a
#     password, per-prefix session lists and no BFD; one at an IXP with
#     communities, large communities and NO_EXPORT per session and per
#     prefix and route-server sessions), with the default state file and
#     with a state file that announces and drains;
#   - the communities are in the export filter of exactly the sessions and
#     prefixes they are configured for; route-server sessions (and only
#     they) accept a first AS that is not the server's; the route server's
#     example has `rs client`, BFD, and a member session made from its
#     template parses;
#   - the default state file starts every prefix withdrawn;
#   - every BGP session of both ends carries the timers that bring a
#     repaired node back within about a second (connect delay 1, connect
#     retry 1, error wait 0, 0), the node's with graceful restart off;
#   - a configuration the generator cannot express is refused with a
#     reason and a non-zero exit, printing no configuration;
#   - as root, in network namespaces it creates and removes: through a
#     generated route server with a member made from its template, a
#     NO_EXPORT prefix reaches the member and goes no further, an action
#     community keeps a prefix from the member, the path is the node's AS.
set -u
cd "$(dirname "$0")/.." || exit 2
RAIZ_BUILD=${RAIZ_BUILD:-build/asan}
raizctl=$RAIZ_BUILD/raizctl
example=${RAIZ_EXAMPLE_CONFIG:-tests/demo/raiz.json}
example_ixp=${RAIZ_EXAMPLE_IXP_CONFIG:-tests/demo/raiz-ixp.json}

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

command -v bird >/dev/null || { echo "SKIP: bird not installed"; exit 77; }
[ -x "$raizctl" ] || { echo "SKIP: $raizctl not built"; exit 77; }

tmp=$(mktemp -d /tmp/t_birdconf.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bird -p -c FILE, showing BIRD's complaint and the file on failure
parses() {
	local out
	if ! out=$(bird -p -c "$1" 2>&1); then
		echo "$out" >&2
		cat -n "$1" >&2
		return 1
	fi
}

# node config FILE with its include pointed at STATE
with_state() {
	sed "s|^include \".*\";|include \"$2\";|" "$1" >"$tmp/node-with-state.conf"
	grep -q "^include \"$2\";" "$tmp/node-with-state.conf" || fail "$1 has no include line"
	echo "$tmp/node-with-state.conf"
}

# ---- the shipped examples ----
for f in bird-conf/bird.conf bird-conf/isp-example.conf bird-conf/bird-state.conf \
	bird-conf/ixp-node-example.conf bird-conf/rs-example.conf; do
	[ -s "$f" ] || fail "$f missing"
done
awk '/^define .*_WITHDRAWN = / && $4 != "1;" { exit 1 }' bird-conf/bird-state.conf ||
	fail "bird-conf/bird-state.conf does not start withdrawn"
grep -q '_WITHDRAWN = 1;' bird-conf/bird-state.conf || fail "bird-conf/bird-state.conf is empty"
parses "$(with_state bird-conf/bird.conf "$PWD/bird-conf/bird-state.conf")" ||
	fail "bird-conf/bird.conf (with bird-conf/bird-state.conf)"
parses bird-conf/isp-example.conf || fail "bird-conf/isp-example.conf"
parses "$(with_state bird-conf/ixp-node-example.conf "$PWD/bird-conf/bird-state.conf")" ||
	fail "bird-conf/ixp-node-example.conf (with bird-conf/bird-state.conf)"
parses bird-conf/rs-example.conf || fail "bird-conf/rs-example.conf"
ok "bird-conf/bird.conf, ixp-node-example.conf (with the shipped state file)," \
	"isp-example.conf and rs-example.conf parse"

if [ -f "$example" ]; then
	for kind in node isp state; do
		case $kind in
		node) f=bird-conf/bird.conf ;;
		isp) f=bird-conf/isp-example.conf ;;
		state) f=bird-conf/bird-state.conf ;;
		esac
		"$raizctl" -c "$example" bird-conf $kind >"$tmp/ex.$kind" ||
			fail "raizctl bird-conf $kind refused $example"
		diff -u "$f" "$tmp/ex.$kind" >&2 ||
			fail "$f is stale: run bird-conf/regen (from $example)"
	done
	ok "bird-conf/ matches \`raizctl bird-conf\` of $example"
else
	echo "note: $example not found; the staleness check of bird-conf/ was not run"
fi
if [ -f "$example_ixp" ]; then
	for kind in node rs; do
		case $kind in
		node) f=bird-conf/ixp-node-example.conf ;;
		rs) f=bird-conf/rs-example.conf ;;
		esac
		"$raizctl" -c "$example_ixp" bird-conf $kind >"$tmp/ixp.$kind" ||
			fail "raizctl bird-conf $kind refused $example_ixp"
		diff -u "$f" "$tmp/ixp.$kind" >&2 ||
			fail "$f is stale: run bird-conf/regen (from $example_ixp)"
	done
	ok "bird-conf/ IXP pair matches \`raizctl bird-conf\` of $example_ixp"
else
	echo "note: $example_ixp not found; the staleness check of the IXP pair was not run"
fi

# ---- generated from other configurations ----
gen_all() {  # name, config
	local name=$1 cfg=$2 kind kinds="node isp state"
	# the route server's example when the node has a route-server session
	grep -q '"kind": *"route-server"' "$cfg" && kinds="$kinds rs"
	for kind in $kinds; do
		"$raizctl" -c "$cfg" bird-conf $kind >"$tmp/$name.$kind" 2>"$tmp/$name.$kind.err" ||
			fail "$name: raizctl bird-conf $kind: $(cat "$tmp/$name.$kind.err")"
	done
	awk '/^define .*_WITHDRAWN = / && $4 != "1;" { exit 1 }' "$tmp/$name.state" ||
		fail "$name: the default state file does not start withdrawn"
	# the include names the configured state file; point it at ours
	parses "$(with_state "$tmp/$name.node" "$tmp/$name.state")" ||
		fail "$name: generated node configuration"
	parses "$tmp/$name.isp" || fail "$name: generated ISP configuration"
	if [ -f "$tmp/$name.rs" ]; then
		parses "$tmp/$name.rs" || fail "$name: generated route server configuration"
	fi
	# announcing and draining: the drain branch of the filters parses too
	sed 's/= 1;/= 0;/; /_DRAIN = /s/= 0;/= 1;/' "$tmp/$name.state" >"$tmp/$name.drain"
	grep -q '_DRAIN = 1;' "$tmp/$name.drain" || fail "$name: no drain constant"
	parses "$(with_state "$tmp/$name.node" "$tmp/$name.drain")" ||
		fail "$name: node configuration with a draining state file"
	# no kernel protocol on the node, ever
	grep -q '^[^#]*kernel' "$tmp/$name.node" && fail "$name: kernel protocol in node config"
	# a repaired node is back within about a second: on every session of
	# both ends a connect every second and a restart at once after an error
	# (bird-conf/README.md, TIMERS); graceful restart off on the node
	local n opt
	for kind in $kinds; do
		[ "$kind" = state ] && continue
		# sessions, and the route server's templates for its members
		n=$(grep -c '^\(protocol\|template\) bgp ' "$tmp/$name.$kind")
		[ "$n" -gt 0 ] || fail "$name: $kind: no BGP session"
		for opt in 'connect delay time 1;' 'connect retry time 1;' 'error wait time 0, 0;'; do
			[ "$(grep -cxF "	$opt" "$tmp/$name.$kind")" = "$n" ] ||
				fail "$name: $kind: '$opt' not on each of its $n sessions"
		done
	done
	n=$(grep -c '^protocol bgp ' "$tmp/$name.node")
	[ "$(grep -cxF '	graceful restart off;' "$tmp/$name.node")" = "$n" ] ||
		fail "$name: graceful restart not off on every session of the node"
	grep -qxF 'timeformat base iso long us;' "$tmp/$name.node" ||
		fail "$name: the node's show status times are not pinned (timeformat base)"
	ok "$name: node (withdrawn and draining state), ISP example and state file parse;" \
		"timers and graceful restart as documented"
}

# the lab's configuration
(
	. tests/lib/lab.sh
	LAB_DIR=$tmp
	lab_write_config
) || fail "lab_write_config"
gen_all lab "$tmp/raiz.json"

cat >"$tmp/multi.json" <<EOF
// three sessions: two routers for IPv6, one multihop with a password, no BFD
{
	"node": { "identity": "scl2", "state-dir": "$tmp" },
	"dnsd": { "listen": ["192.0.2.53", "2001:db8::53"] },
	"bird": {
		"as": 65010, "prepend": 5, "med": 500,
		"neighbors": [
			{ "name": "r1_v4", "address": "198.51.100.1", "as": 65020,
			  "local-address": "198.51.100.2", "bfd": false },
			{ "name": "r1_v6", "address": "2001:db8:1::1", "as": 65020,
			  "local-address": "2001:db8:1::2" },
			{ "name": "r2_v6", "address": "2001:db8:2::1", "as": 65021,
			  "local-address": "2001:db8:2::2", "multihop": 2,
			  "password": "not-a-secret", "export-limit": 4 }
		]
	},
	"probes": [ { "name": "p", "target": "192.0.2.53", "qname": "." } ],
	"services": [ { "name": "dns", "probes": ["p"] } ],
	"prefixes": [
		{ "prefix": "192.0.2.0/24", "static-protocol": "anycast4" },
		{ "prefix": "2001:db8::/48", "static-protocol": "anycast6", "bgp": ["r1_v6", "r2_v6"] },
		{ "prefix": "2001:db8:53::/48", "static-protocol": "anycast6b", "bgp": ["r2_v6"] }
	]
}
EOF
gen_all multi "$tmp/multi.json"
grep -q 'multihop 2;' "$tmp/multi.node" || fail "multi: no multihop"
grep -q 'export limit 4 action block;' "$tmp/multi.node" || fail "multi: export-limit ignored"
grep -c 'bgp_path.prepend(65010);' "$tmp/multi.node" | grep -qx 20 ||
	fail "multi: expected 5 prepends in each of 4 exports"
awk '/^filter raiz_export_r1_v6/,/^}/' "$tmp/multi.node" | grep -q '2001:db8:53::/48' &&
	fail "multi: r1_v6 exports a prefix that names only r2_v6"
ok "multi: session options, per-prefix session lists, prepend count"

cat >"$tmp/ixp.json" <<EOF
// a node at an IXP: transit to an ISP and the IXP's route server, both
// families; communities, large communities and NO_EXPORT on sessions and
// prefixes
{
	"node": { "identity": "ixp2", "state-dir": "$tmp" },
	"dnsd": { "listen": ["192.0.2.53", "2001:db8::53"] },
	"bird": {
		"as": 65001,
		"neighbors": [
			{ "name": "isp_v4", "address": "203.0.113.1", "as": 65000,
			  "local-address": "203.0.113.2", "communities": ["65000:70"] },
			{ "name": "isp_v6", "address": "2001:db8:ffff::1", "as": 65000,
			  "local-address": "2001:db8:ffff::2" },
			{ "name": "rs_v4", "kind": "route-server", "address": "198.51.100.1",
			  "as": 65010, "local-address": "198.51.100.2", "no-export": true,
			  "large-communities": ["65010:0:65666"] },
			{ "name": "rs_v6", "kind": "route-server", "address": "2001:db8:ff::1",
			  "as": 65010, "local-address": "2001:db8:ff::2",
			  "communities": ["no-export", "0:64667"] }
		]
	},
	"probes": [ { "name": "p", "target": "192.0.2.53", "qname": "." } ],
	"services": [ { "name": "dns", "probes": ["p"] } ],
	"prefixes": [
		{ "prefix": "192.0.2.0/24", "static-protocol": "any4",
		  "communities": ["65001:100"] },
		{ "prefix": "198.51.100.128/25", "static-protocol": "local4",
		  "bgp": ["isp_v4"], "no-export": true, "large-communities": ["65001:1:2"] },
		{ "prefix": "2001:db8::/48", "static-protocol": "any6" }
	]
}
EOF
gen_all ixp "$tmp/ixp.json"
# the branch of export filter $1 for prefix $2, from the node's config
branch() {
	awk -v f="filter raiz_export_$1 {" -v n="	if net = $2 && " '
		$0 == f { inf = 1 } inf && index($0, n) == 1 { inb = 1 }
		inb { print } inb && /^\t}$/ { exit }' "$tmp/ixp.node"
}
has() { branch "$1" "$2" | grep -qF "$3"; }
# every branch that must carry a community, and none that must not
has isp_v4 192.0.2.0/24 'bgp_community.add((65000, 70));' || fail "ixp: isp_v4 lacks its community"
has isp_v4 192.0.2.0/24 'bgp_community.add((65001, 100));' ||
	fail "ixp: the /24 lacks its community on isp_v4"
has isp_v4 198.51.100.128/25 'bgp_community.add((65535, 65281));' || fail "ixp: the /25 lacks NO_EXPORT"
has isp_v4 198.51.100.128/25 'bgp_large_community.add((65001, 1, 2));' ||
	fail "ixp: the /25 lacks its large community"
has isp_v4 192.0.2.0/24 '65281' && fail "ixp: NO_EXPORT leaked onto the /24 at isp_v4"
has rs_v4 192.0.2.0/24 'bgp_community.add((65535, 65281));' || fail "ixp: rs_v4 lacks NO_EXPORT"
has rs_v4 192.0.2.0/24 'bgp_large_community.add((65010, 0, 65666));' ||
	fail "ixp: rs_v4 lacks its action community"
has rs_v4 192.0.2.0/24 '65000, 70' && fail "ixp: isp_v4's community leaked onto rs_v4"
has rs_v6 2001:db8::/48 'bgp_community.add((0, 64667));' || fail "ixp: rs_v6 lacks its action community"
has rs_v6 2001:db8::/48 'bgp_community.add((65535, 65281));' || fail "ixp: rs_v6 lacks NO_EXPORT"
has isp_v6 2001:db8::/48 '65281' && fail "ixp: NO_EXPORT on isp_v6"
[ -n "$(branch rs_v4 198.51.100.128/25)" ] && fail "ixp: the /25 (bgp: isp_v4) exported on rs_v4"
[ "$(grep -c 'bgp_large_community.add' "$tmp/ixp.node")" = 2 ] ||
	fail "ixp: large communities elsewhere than on rs_v4 and the /25"
# route-server sessions (only they) accept a first AS that is not the server's
[ "$(awk '/^protocol bgp rs_v[46] \{/,/^}/' "$tmp/ixp.node" | grep -cxF '	enforce first as off;')" = 2 ] ||
	fail "ixp: enforce first as off missing on a route-server session"
[ "$(grep -c 'enforce first as off;' "$tmp/ixp.node")" = 2 ] ||
	fail "ixp: enforce first as off on a transit session"
# the route server's example: the route-server sessions, rs client, BFD
grep -q 'protocol bgp raiz_isp' "$tmp/ixp.rs" && fail "ixp: transit session in the route server example"
grep -q 'protocol bgp raiz_rs' "$tmp/ixp.isp" && fail "ixp: route-server session in the ISP example"
[ "$(grep -cxF '	rs client;' "$tmp/ixp.rs")" = 4 ] ||
	fail "ixp: rs client not on the 2 sessions and the 2 member templates"
[ "$(grep -cxF '	bfd on;' "$tmp/ixp.rs")" = 4 ] || fail "ixp: BFD not on every route server session"
grep -q '^protocol bfd ' "$tmp/ixp.rs" || fail "ixp: no protocol bfd on the route server"
grep -q '^protocol bfd ' "$tmp/ixp.isp" || fail "ixp: no protocol bfd on the ISP"
# a member session from the template, with the action communities, parses
cat "$tmp/ixp.rs" - >"$tmp/ixp.rs-member" <<EOF
protocol bgp member_64500 from raiz_member_rs_v4 {
	neighbor 198.51.100.10 as 64500;
	ipv4 { export where raiz_rs_announce_to(65010, 64500); };
}
protocol bgp member_64501 from raiz_member_rs_v6 {
	neighbor 2001:db8:ff::10 as 64501;
}
EOF
parses "$tmp/ixp.rs-member" || fail "ixp: a member session from the route server's template"
ok "ixp: communities exactly where configured, route-server sessions, route server example"

# ---- refusals: a reason, a non-zero exit, no configuration on stdout ----
sed '/"neighbors"/,/^\t\t\]/d; s/"med": 500,/"med": 500/' "$tmp/multi.json" >"$tmp/nonb.json"
if "$raizctl" -c "$tmp/nonb.json" bird-conf node >"$tmp/nonb.out" 2>"$tmp/nonb.err"; then
	fail "a configuration without neighbors generated a node configuration"
fi
grep -q 'neighbors' "$tmp/nonb.err" || fail "no reason given: $(cat "$tmp/nonb.err")"
grep -q 'protocol' "$tmp/nonb.out" && fail "partial configuration printed on refusal"
"$raizctl" -c "$tmp/nonb.json" bird-conf state >/dev/null ||
	fail "the state file needs no neighbors"
ok "refused without neighbors: $(head -n 1 "$tmp/nonb.err")"

# refused NAME SED KIND REASON: ixp.json edited by SED is refused by
# `bird-conf KIND` with REASON (a grep pattern) and prints nothing
refused() {
	sed "$2" "$tmp/ixp.json" >"$tmp/$1.json"
	cmp -s "$tmp/ixp.json" "$tmp/$1.json" && fail "$1: the edit did not apply"
	if "$raizctl" -c "$tmp/$1.json" bird-conf "$3" >"$tmp/$1.out" 2>"$tmp/$1.err"; then
		fail "$1: accepted"
	fi
	grep -q -- "$4" "$tmp/$1.err" || fail "$1: no reason '$4': $(cat "$tmp/$1.err")"
	[ -s "$tmp/$1.out" ] && fail "$1: configuration printed on refusal"
	ok "refused $1: $(head -n 1 "$tmp/$1.err")"
}
refused badcomm 's/"65000:70"/"65000:70000"/' node '\.json:[0-9]*: .*community "65000:70000"'
refused badlarge 's/"65001:1:2"/"65001:1"/' node '\.json:[0-9]*: .*GLOBAL:LOCAL1:LOCAL2'
refused nullcomm 's/\["65000:70"\]/null/' node '\.json:[0-9]*: .*null'
refused badkind 's/"kind": "route-server", "address": "198/"kind": "ixp", "address": "198/' node \
	'\.json:[0-9]*: .*kind'
refused nors 's/"kind": "route-server", //' rs 'no "route-server" neighbor'

# ---- through a real route server: NO_EXPORT and an action community ----
# Namespaces (root only): the node and the member m (AS 65100) on an IXP LAN
# (a bridge in the route server's namespace), m's eBGP neighbour x (AS
# 65200) behind it.  The node (generated) announces three prefixes to the
# route server (generated, `rs client`) and m's session is made from the
# generated member template: the NO_EXPORT prefix must reach m but not x,
# the prefix tagged with the action community (65010, 0, 65100) must not
# reach m, and the plain one reaches both (the control).
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v birdc >/dev/null; then
	echo "note: not root or no ip/birdc: the route server lab was not run"
	echo PASS
	exit 0
fi
ns=bc$$
lab_cleanup() {
	local p
	for p in ${lab_pids:-}; do kill "$p" 2>/dev/null; done
	for p in ${lab_pids:-}; do wait "$p" 2>/dev/null; done
	for p in node rs m x; do ip netns del "$ns-$p" 2>/dev/null; done
	rm -rf "$tmp"
}
lab_pids=
trap lab_cleanup EXIT
cat >"$tmp/rsl.json" <<EOF
{
	"node": { "identity": "rsl", "state-dir": "$tmp" },
	"dnsd": { "listen": ["192.0.2.53"] },
	"bird": {
		"as": 65001, "state-file": "$tmp/rsl.state",
		"neighbors": [
			{ "name": "rs_v4", "kind": "route-server", "address": "198.51.100.1",
			  "as": 65010, "local-address": "198.51.100.2" }
		]
	},
	"probes": [ { "name": "p", "target": "192.0.2.53", "qname": "." } ],
	"services": [ { "name": "dns", "probes": ["p"] } ],
	"prefixes": [
		{ "prefix": "192.0.2.0/24", "static-protocol": "local4", "no-export": true },
		{ "prefix": "198.18.0.0/24", "static-protocol": "plain4" },
		{ "prefix": "198.18.1.0/24", "static-protocol": "notm4",
		  "large-communities": ["65010:0:65100"] }
	]
}
EOF
"$raizctl" -c "$tmp/rsl.json" bird-conf node >"$tmp/rsl.node" || fail "rsl: bird-conf node"
"$raizctl" -c "$tmp/rsl.json" bird-conf state | sed 's/_WITHDRAWN = 1;/_WITHDRAWN = 0;/' \
	>"$tmp/rsl.state" || fail "rsl: bird-conf state"
{
	"$raizctl" -c "$tmp/rsl.json" bird-conf rs || fail "rsl: bird-conf rs"
	printf '%s\n' 'protocol bgp member_m from raiz_member_rs_v4 {' \
		'	neighbor 198.51.100.10 as 65100;' '	bfd off;' \
		'	ipv4 { export where raiz_rs_announce_to(65010, 65100); };' '}'
} >"$tmp/rsl.rs"
cat >"$tmp/rsl.m" <<EOF
router id 10.9.0.1;
protocol device {}
protocol bgp ixp { local 198.51.100.10 as 65100; neighbor 198.51.100.1 as 65010; direct;
	enforce first as off; connect delay time 1; ipv4 { import all; export none; }; }
protocol bgp x { local 10.9.0.1 as 65100; neighbor 10.9.0.2 as 65200; direct;
	connect delay time 1; ipv4 { import none; export all; }; }
EOF
cat >"$tmp/rsl.x" <<EOF
router id 10.9.0.2;
protocol device {}
protocol bgp m { local 10.9.0.2 as 65200; neighbor 10.9.0.1 as 65100; direct;
	connect delay time 1; ipv4 { import all; export none; }; }
EOF
for n in node rs m x; do
	ip netns add "$ns-$n" || fail "ip netns add"
	ip -n "$ns-$n" link set lo up
done
# veth NAME_IN_NS NS ADDR, the other end on the bridge of the route server
lan() {
	ip link add "$ns-$1" type veth peer name "$ns-$1b" &&
	ip link set "$ns-$1" netns "$ns-$2" && ip link set "$ns-$1b" netns "$ns-rs" &&
	ip -n "$ns-$2" link set "$ns-$1" name ixp0 &&
	ip -n "$ns-$2" addr add "$3" dev ixp0 && ip -n "$ns-$2" link set ixp0 up &&
	ip -n "$ns-rs" link set "$ns-$1b" master br0 && ip -n "$ns-rs" link set "$ns-$1b" up
}
{
	ip -n "$ns-rs" link add br0 type bridge && ip -n "$ns-rs" link set br0 up &&
	ip -n "$ns-rs" addr add 198.51.100.1/24 dev br0 &&
	lan a node 198.51.100.2/24 && lan c m 198.51.100.10/24 &&
	ip link add "$ns-e" type veth peer name "$ns-f" &&
	ip link set "$ns-e" netns "$ns-m" && ip link set "$ns-f" netns "$ns-x" &&
	ip -n "$ns-m" addr add 10.9.0.1/30 dev "$ns-e" && ip -n "$ns-m" link set "$ns-e" up &&
	ip -n "$ns-x" addr add 10.9.0.2/30 dev "$ns-f" && ip -n "$ns-x" link set "$ns-f" up
} || fail "rsl: network setup"
for n in node rs m x; do
	ip netns exec "$ns-$n" bird -f -c "$tmp/rsl.$n" -s "$tmp/rsl-$n.ctl" \
		-P "$tmp/rsl-$n.pid" >"$tmp/rsl-$n.log" 2>&1 &
	lab_pids="$lab_pids $!"
done
routes() { birdc -s "$tmp/rsl-$1.ctl" show route 2>/dev/null | awk '/^[0-9]/ { print $1 }'; }
for _ in $(seq 1 100); do
	routes x | grep -qx 198.18.0.0/24 && routes m | grep -qx 192.0.2.0/24 && break
	sleep 0.2
done
m_routes=$(routes m) x_routes=$(routes x)
grep -qx 198.18.0.0/24 <<<"$x_routes" ||
	fail "rsl: the plain prefix did not reach x through the route server and m (m: $m_routes)"
grep -qx 192.0.2.0/24 <<<"$m_routes" ||
	fail "rsl: the route server did not pass the NO_EXPORT prefix to its member"
grep -qx 192.0.2.0/24 <<<"$x_routes" && fail "rsl: the NO_EXPORT prefix left the member's AS"
grep -qx 198.18.1.0/24 <<<"$m_routes" &&
	fail "rsl: the route server ignored the action community (65010, 0, 65100)"
attrs=$(birdc -s "$tmp/rsl-m.ctl" show route 192.0.2.0/24 all)
grep -q 'BGP.as_path: 65001$' <<<"$attrs" || fail "rsl: the route server changed the path: $attrs"
grep -q 'BGP.community:.*(65535,65281)' <<<"$attrs" || fail "rsl: NO_EXPORT lost: $attrs"
ok "rsl: through a generated route server, NO_EXPORT reaches the member and stops there," \
	"the action community keeps a prefix from the member, the path is the node's AS alone"
echo PASS

# tests/lib/cloud.sh — the anycast cloud lab of tests/t_cloud.sh,
# bench/cloud and `make demo-cloud`.
# Source it from bash:   . tests/lib/cloud.sh; cloud_init; cloud_up
#
# It sources tests/lib/lab.sh for its process bookkeeping (lab_kill,
# lab_pid_ours, lab_cleanup, the elapsed-time helpers) and builds its own
# namespaces, all named after the PID: $CLOUD_ID-ROLE (raiz-<pid>-n1 ...).
#
#   cli 198.51.100.2/28 ──┐       ┌── res 198.51.100.18/28 (Unbound, stub
#                         │       │   zone example. -> 192.0.2.53)
#                  ┌──────┴───────┴──┐  peering 203.0.113.8/30  ┌──────────────┐
#                  │ ispa  AS65010   ├──────────────────────────┤ ispb AS65020 │
#                  └──┬───────────┬──┘                          └──────┬───────┘
#     203.0.113.0/30  │ (a switch:│ IXP LAN 203.0.113.32/27            │ 203.0.113.4/30
#     bridge "n1" in  │  ispa's   │ (bridge in rs)                     │
#     ispa)        ┌──┴──┐     ┌──┴───────────────┐                 ┌──┴──┐
#                  │ n1  │     │ rs AS65030 .33   ├── n2 AS65002 .35│ n3  │
#                  │65001│     │ (rs client)      │                 │65003│
#                  └──┬──┘     └──────────────────┘                 └──┬──┘
#                     └──── mgmt bridge 203.0.113.64/27 (in pri) ──────┘  (n2 too)
#                           pri: knotd 203.0.113.65, the zone's owner
#
# Each node: raiz-dnsd on the anycast service address 192.0.2.53 (lo),
# with the lab's client and resolver networks exempt from rate limiting
# (they ask 100 queries a second each, on purpose),
# NSID/identity n1, n2, n3, serving example. as a secondary of the primary
# (AXFR with TSIG over the management bridge); raiz-controller probing it;
# BIRD on `raizctl bird-conf node` announcing 192.0.2.0/24.  ISP A ranks
# routes by local-pref: its customer n1 (100, the generated session) >
# the route server (90) > its peer ISP B (80), so the client and the
# resolver behind ISP A reach n1, then n2 (IXP), then n3 (via ISP B).
# Node 3 also announces a local prefix 198.51.100.128/25 with NO_EXPORT
# (when the generator knows the key: $CLOUD_NOEXPORT = 1): ISP B keeps it,
# ISP A never sees it.  The ISP configurations are `raizctl bird-conf isp`
# of the node they host plus the lab's sessions (peering, route server) and
# a kernel protocol, which is allowed because it runs only inside the ISP
# namespace; the route server is `raizctl bird-conf rs` of node 2 when the
# generator has it ($CLOUD_GEN_RS = 1), else tests/cloud/rs.conf.in.
# Nothing has a default route; the few static routes point at
# documentation prefixes only.  Every process is recorded (LAB_PIDS) and
# killed by PID on exit; the namespaces are deleted.
#
# Functions:
#   cloud_init                 namespaces, links, addresses, $CLOUD_DIR
#                              (exits 77 when not root or a tool is missing)
#   cloud_up                   configs, knotd, every BIRD, the three nodes,
#                              Unbound; returns once the client gets n1
#   cloud_ns ROLE CMD...       run CMD in ROLE's namespace
#   cloud_birdc ROLE CMD...    birdc against ROLE's BIRD
#   cloud_best ROLE PREFIX     the protocol of ROLE's best route ("" if none)
#   cloud_has_route ROLE PREFIX
#   cloud_nsid [resolver]      NSID of the client's answer for www.example.
#                              (direct; "resolver": through Unbound, prints
#                              the A record instead); "-" when none
#   cloud_start_dnsd N / cloud_start_bird ROLE / cloud_stop_bird ROLE [SIG]
#   cloud_signal PID SIG       signal a recorded process, reap it unless
#                              STOP/CONT/HUP
#   $CLOUD_T                   when the last fault or repair of the
#                              functions here took effect (the signal, the
#                              link change): what the measurements count from
#   cloud_link N up|down       node N's uplink, at the node (for n1 ISP A
#                              keeps its carrier: a switch is between them)
#   cloud_dnsd_wrong N [gated] / cloud_dnsd_right N   node N serves a wrong
#                              www A (a file zone, by reload) / its copy again
#   cloud_watch_help           the commands to watch the lab by hand
#   cloud_fail MSG             print the tails of the logs, exit 1

# shellcheck disable=SC2034,SC2119,SC2120  # (for the scripts that source this)
# shellcheck source=tests/lib/lab.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

CLOUD_ID=$LAB_ID
CLOUD_ROLES="n1 n2 n3 ispa ispb rs pri res cli"
CLOUD_NODES="n1 n2 n3"
CLOUD_SVC=192.0.2.53
CLOUD_PREFIX=192.0.2.0/24
CLOUD_LOCAL_PREFIX=198.51.100.128/25
CLOUD_WWW=198.51.100.80
CLOUD_BAD_WWW=198.51.100.66
CLOUD_RES=198.51.100.18
CLOUD_CLI=198.51.100.2
CLOUD_PRI=203.0.113.65
CLOUD_DIR=
CLOUD_NOEXPORT=0
CLOUD_GEN_RS=0
CLOUD_UNBOUND_PID=
CLOUD_KNOT_PID=
declare -A CLOUD_AS=([n1]=65001 [n2]=65002 [n3]=65003 [ispa]=65010 [ispb]=65020 [rs]=65030)
# the node's address toward its upstream, the upstream's address, the
# node's management address
declare -A CLOUD_UP_LOCAL=([n1]=203.0.113.2 [n2]=203.0.113.35 [n3]=203.0.113.6)
declare -A CLOUD_UP_PEER=([n1]=203.0.113.1 [n2]=203.0.113.33 [n3]=203.0.113.5)
declare -A CLOUD_UP_AS=([n1]=65010 [n2]=65030 [n3]=65020)
declare -A CLOUD_UP_NAME=([n1]=ispa [n2]=ixp_rs [n3]=ispb)
declare -A CLOUD_MGMT=([n1]=203.0.113.66 [n2]=203.0.113.67 [n3]=203.0.113.68)
# the next hop of the node's replies to the client networks
declare -A CLOUD_GW=([n1]=203.0.113.1 [n2]=203.0.113.34 [n3]=203.0.113.5)
declare -A CLOUD_DNSD_PID=() CLOUD_CTL_PID=()
CLOUD_T=

cloud_fail() {
	echo "FAIL: $*" >&2
	if [ -n "$CLOUD_DIR" ] && [ -d "$CLOUD_DIR" ]; then
		local f
		for f in "$CLOUD_DIR"/*.log "$CLOUD_DIR"/*.events; do
			[ -s "$f" ] || continue
			echo "--- $(basename "$f") (tail)" >&2
			grep -v ': info: ' "$f" | tail -n 12 >&2
		done
	fi
	exit 1
}

cloud_nsname() { echo "$CLOUD_ID-$1"; }

cloud_ns() {
	local ns
	ns=$(cloud_nsname "$1")
	shift
	ip netns exec "$ns" "$@"
}

# cloud_spawn NAME ROLE CMD...: background, log $CLOUD_DIR/NAME.log
cloud_spawn() {
	local name=$1 role=$2
	shift 2
	ip netns exec "$(cloud_nsname "$role")" "$@" >>"$CLOUD_DIR/$name.log" 2>&1 </dev/null &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	disown "$LAB_LAST_PID"
	LAB_PID_START[$LAB_LAST_PID]=$(lab_pid_start "$LAB_LAST_PID")
}

# veth A(ifname) in ROLE_A <-> B(ifname) in ROLE_B
cloud_veth() {
	ip -n "$(cloud_nsname "$1")" link add "$2" type veth peer name "$4" \
		netns "$(cloud_nsname "$3")" || lab_die "veth $1:$2 - $3:$4"
	cloud_ns "$1" ip link set "$2" up
	cloud_ns "$3" ip link set "$4" up
}

cloud_addr() { cloud_ns "$1" ip addr add "$3" dev "$2" || lab_die "addr $3 on $1:$2"; }

cloud_init() {
	[ "$(id -u)" = 0 ] || lab_skip "the cloud lab needs root (network namespaces)"
	local t r
	for t in ip bird birdc knotd knotc unbound dig /usr/bin/python3; do
		command -v "$t" >/dev/null 2>&1 || lab_skip "the cloud lab needs $t"
	done
	/usr/bin/python3 -c 'import dns.message' 2>/dev/null || lab_skip "needs python3-dnspython"
	for t in raiz-dnsd raiz-controller raizctl; do
		[ -x "$RAIZ_BUILD/$t" ] || lab_skip "$RAIZ_BUILD/$t not built"
	done
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	CLOUD_DIR=$(mktemp -d "/tmp/$CLOUD_ID-cloud.XXXXXX") || lab_die "mktemp"
	LAB_DIR=$CLOUD_DIR   # lab_cleanup removes it
	chmod 755 "$CLOUD_DIR"
	for r in $CLOUD_ROLES; do
		ip netns add "$(cloud_nsname "$r")" || lab_skip "cannot create namespace $(cloud_nsname "$r")"
		LAB_NS_MADE+=("$(cloud_nsname "$r")")
		cloud_ns "$r" ip link set lo up
		mkdir -p "$CLOUD_DIR/$r"
	done
	# node 1 <-> ISP A through a switch (a bridge "n1" in ISP A's namespace
	# with a second, always-up port), so that node 1's link going down
	# leaves ISP A's interface up, as it would behind a real switch: only
	# BFD tells ISP A that node 1 is gone
	cloud_ns ispa ip link add n1 type bridge || lab_die "bridge"
	cloud_ns ispa ip link set n1 up
	cloud_veth n1 upl ispa p-n1
	cloud_ns ispa ip link set p-n1 master n1
	cloud_ns ispa ip link add k-n1 type veth peer name k2-n1 || lab_die "veth k-n1"
	cloud_ns ispa ip link set k-n1 master n1
	cloud_ns ispa ip link set k-n1 up
	cloud_ns ispa ip link set k2-n1 up
	cloud_addr n1 upl 203.0.113.2/30; cloud_addr ispa n1 203.0.113.1/30
	# node 3 <-> ISP B, ISP A <-> ISP B
	cloud_veth n3 upl ispb n3
	cloud_addr n3 upl 203.0.113.6/30; cloud_addr ispb n3 203.0.113.5/30
	cloud_veth ispa ispb ispb ispa
	cloud_addr ispa ispb 203.0.113.9/30; cloud_addr ispb ispa 203.0.113.10/30
	# the IXP LAN: a bridge in the route server's namespace
	cloud_ns rs ip link add ixp type bridge || lab_die "bridge"
	cloud_ns rs ip link set ixp up
	cloud_addr rs ixp 203.0.113.33/27
	cloud_veth ispa ixp rs p-ispa
	cloud_veth n2 upl rs p-n2
	cloud_ns rs ip link set p-ispa master ixp
	cloud_ns rs ip link set p-n2 master ixp
	cloud_addr ispa ixp 203.0.113.34/27; cloud_addr n2 upl 203.0.113.35/27
	# the management network: a bridge in the primary's namespace
	cloud_ns pri ip link add mgmt type bridge || lab_die "bridge"
	cloud_ns pri ip link set mgmt up
	cloud_addr pri mgmt "$CLOUD_PRI/27"
	for r in $CLOUD_NODES; do
		cloud_veth "$r" mgmt pri "m-$r"
		cloud_ns pri ip link set "m-$r" master mgmt
		cloud_addr "$r" mgmt "${CLOUD_MGMT[$r]}/27"
		cloud_addr "$r" lo "$CLOUD_SVC/32"
		cloud_ns "$r" ip route add 198.51.100.0/27 via "${CLOUD_GW[$r]}" ||
			lab_die "route on $r"
	done
	# the client and the resolver behind ISP A
	cloud_veth cli eth0 ispa cli
	cloud_addr cli eth0 "$CLOUD_CLI/28"; cloud_addr ispa cli 198.51.100.1/28
	cloud_veth res eth0 ispa res
	cloud_addr res eth0 "$CLOUD_RES/28"; cloud_addr ispa res 198.51.100.17/28
	cloud_ns cli ip route add "$CLOUD_PREFIX" via 198.51.100.1
	cloud_ns cli ip route add 198.51.100.16/28 via 198.51.100.1
	cloud_ns res ip route add "$CLOUD_PREFIX" via 198.51.100.17
	cloud_ns res ip route add 198.51.100.0/28 via 198.51.100.17
	cloud_ns ispb ip route add 198.51.100.0/27 via 203.0.113.9
	for r in ispa ispb; do
		cloud_ns "$r" sysctl -qw net.ipv4.ip_forward=1
	done
	for r in $CLOUD_ROLES; do
		if cloud_ns "$r" ip route show default | grep -q .; then
			lab_die "a default route appeared in $r"
		fi
	done
	lab_log "cloud namespaces $CLOUD_ID-{${CLOUD_ROLES// /,}}, dir $CLOUD_DIR"
}

# ---- configuration ----

# which generator keys exist: route-server neighbours + `bird-conf rs`,
# and no-export, tried on a scratch configuration
cloud_probe_generator() {
	local d=$CLOUD_DIR/probe
	mkdir -p "$d"
	cat >"$d/rs.json" <<EOF
{ "node": { "identity": "probe", "run-dir": "$d", "state-dir": "$d" },
  "dnsd": { "listen": ["$CLOUD_SVC"] },
  "probes": [ { "name": "soa4", "target": "$CLOUD_SVC", "qname": "." } ],
  "bird": { "socket": "$d/b.ctl", "state-file": "$d/s.conf", "as": 65002,
    "neighbors": [ { "name": "ixp_rs", "kind": "route-server", "address": "203.0.113.33",
      "as": 65030, "local-address": "203.0.113.35" } ] },
  "prefixes": [ { "prefix": "$CLOUD_PREFIX", "static-protocol": "raiz_v4" } ] }
EOF
	if "$RAIZ_BUILD/raizctl" -c "$d/rs.json" bird-conf rs >"$d/rs.conf" 2>"$d/rs.err" &&
	   bird -p -c "$d/rs.conf" 2>/dev/null; then
		CLOUD_GEN_RS=1
	fi
	sed 's/"static-protocol": "raiz_v4"/&, "no-export": true/' "$d/rs.json" >"$d/ne.json"
	if "$RAIZ_BUILD/raizctl" -c "$d/ne.json" bird-conf node >"$d/ne.conf" 2>"$d/ne.err" &&
	   grep -q '65535, *65281\|no_export\|NO_EXPORT' "$d/ne.conf"; then
		CLOUD_NOEXPORT=1
	fi
	lab_log "generator: route-server/rs ${CLOUD_GEN_RS}, no-export ${CLOUD_NOEXPORT}"
}

# the raiz.json of node N ($CLOUD_DIR/N/raiz.json)
cloud_write_node_config() {
	local n=$1 d=$CLOUD_DIR/$1 kind='' local_prefix=''
	[ "$n" = n2 ] && [ "$CLOUD_GEN_RS" = 1 ] && kind='"kind": "route-server", '
	if [ "$n" = n3 ] && [ "$CLOUD_NOEXPORT" = 1 ]; then
		local_prefix=',
		{ "prefix": "'$CLOUD_LOCAL_PREFIX'", "static-protocol": "raiz_local",
		  "no-export": true }'
	fi
	mkdir -p "$d/run" "$d/state"
	cat >"$d/raiz.json" <<EOF
// raiz.json of cloud node $n, written by tests/lib/cloud.sh
{
	"node": { "identity": "$n", "run-dir": "$d/run", "state-dir": "$d/state" },
	"dnsd": { "listen": ["$CLOUD_SVC"], "nsid": "$n", "user": "",
		  "control-socket": "$d/run/dnsd.sock", "pidfile": "$d/run/dnsd.pid",
		  "rate-limit": { "exempt": ["127.0.0.0/8", "::1/128", "198.51.100.0/24"] } },
	"tsig-keys": [ { "name": "cloud-xfr", "algorithm": "hmac-sha256",
			 "secret": "$(cat "$CLOUD_DIR/tsig.secret")" } ],
	"zones": [ { "name": "example.", "primaries": ["$CLOUD_PRI"], "tsig-key": "cloud-xfr" } ],
	"controller": { "control-socket": "$d/run/controller.sock" },
	"bird": {
		"socket": "$d/bird.ctl",
		"state-file": "$d/state/bird-state.conf",
		"as": ${CLOUD_AS[$n]},
		"router-id": "${CLOUD_UP_LOCAL[$n]}",
		"neighbors": [
			{ "name": "${CLOUD_UP_NAME[$n]}", ${kind}"address": "${CLOUD_UP_PEER[$n]}",
			  "as": ${CLOUD_UP_AS[$n]}, "local-address": "${CLOUD_UP_LOCAL[$n]}" }
		]
	},
	"prefixes": [
		{ "prefix": "$CLOUD_PREFIX", "static-protocol": "raiz_v4" }$local_prefix
	],
	"probes": [
		{ "name": "soa4", "target": "$CLOUD_SVC", "qname": "example.", "qtype": "SOA",
		  "expect-answer": true },
		{ "name": "tcp4", "transport": "tcp", "target": "$CLOUD_SVC", "qname": "example.",
		  "qtype": "SOA", "expect-answer": true },
		{ "name": "www4", "target": "$CLOUD_SVC", "qname": "www.example.", "qtype": "A",
		  "expect-rdata": ["$CLOUD_WWW"], "expect-nsid": true }
	],
	"services": [ { "name": "dns", "probes": ["soa4", "tcp4", "www4"], "damping": false } ]
}
EOF
	cp "$d/raiz.json" "$d/dnsd.json"
}

cloud_zone_text() {  # WWW SERIAL
	cat <<EOF
\$ORIGIN example.
\$TTL 300
@	SOA	ns1.example. hostmaster.example. $2 3600 600 86400 300
@	NS	ns1.example.
ns1	A	$CLOUD_SVC
www	A	$1
*.w	A	$1
EOF
}

cloud_write_primary() {
	local d=$CLOUD_DIR/pri
	mkdir -p "$d/db"
	cloud_zone_text "$CLOUD_WWW" 1 >"$d/example.zone"
	cat >"$d/knot.conf" <<EOF
server:
    rundir: "$d"
    listen: $CLOUD_PRI@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: "$d/db"
control:
    listen: "$d/knot.sock"
key:
  - id: cloud-xfr
    algorithm: hmac-sha256
    secret: $(cat "$CLOUD_DIR/tsig.secret")
acl:
  - id: xfr
    address: [203.0.113.64/27]
    key: cloud-xfr
    action: transfer
template:
  - id: default
    storage: "$d"
    zonefile-sync: -1
    semantic-checks: off
zone:
  - domain: example.
    file: "$d/example.zone"
    acl: xfr
EOF
}

# ROLE.conf from a generated part + lab additions (tests/cloud/*.in with
# @VAR@ substituted)
cloud_subst() {
	sed -e "s|@DIR@|$CLOUD_DIR|g" -e "s|@N1_PROTO@|raiz_${CLOUD_UP_NAME[n1]}|g" \
	    -e "s|@N3_PROTO@|raiz_${CLOUD_UP_NAME[n3]}|g" \
	    -e "s|@PREFIX@|$CLOUD_PREFIX|g" -e "s|@LOCAL_PREFIX@|$CLOUD_LOCAL_PREFIX|g" "$1"
}

cloud_gen_birdconf() {
	local n f here
	here=$(dirname "${BASH_SOURCE[0]}")/../cloud
	for n in $CLOUD_NODES; do
		"$RAIZ_BUILD/raizctl" -c "$CLOUD_DIR/$n/raiz.json" bird-conf node \
			>"$CLOUD_DIR/$n/bird.conf" || lab_die "bird-conf node ($n)"
		printf 'log "%s" all;\n' "$CLOUD_DIR/bird-$n.events" >>"$CLOUD_DIR/$n/bird.conf"
		"$RAIZ_BUILD/raizctl" -c "$CLOUD_DIR/$n/raiz.json" bird-conf state \
			>"$CLOUD_DIR/$n/state/bird-state.conf" || lab_die "bird-conf state ($n)"
		chmod 644 "$CLOUD_DIR/$n/state/bird-state.conf"
	done
	{
		"$RAIZ_BUILD/raizctl" -c "$CLOUD_DIR/n1/raiz.json" bird-conf isp ||
			lab_die "bird-conf isp (n1)"
		printf 'log "%s" all;\n' "$CLOUD_DIR/bird-ispa.events"
		cloud_subst "$here/ispa.conf.in"
	} >"$CLOUD_DIR/ispa/bird.conf"
	{
		"$RAIZ_BUILD/raizctl" -c "$CLOUD_DIR/n3/raiz.json" bird-conf isp ||
			lab_die "bird-conf isp (n3)"
		printf 'log "%s" all;\n' "$CLOUD_DIR/bird-ispb.events"
		cloud_subst "$here/ispb.conf.in"
	} >"$CLOUD_DIR/ispb/bird.conf"
	{
		if [ "$CLOUD_GEN_RS" = 1 ]; then
			"$RAIZ_BUILD/raizctl" -c "$CLOUD_DIR/n2/raiz.json" bird-conf rs ||
				lab_die "bird-conf rs (n2)"
			cloud_subst "$here/rs-member.conf.in"
		else
			cloud_subst "$here/rs.conf.in"
			cloud_subst "$here/rs-ispa.conf.in"
		fi
		printf 'log "%s" all;\n' "$CLOUD_DIR/bird-rs.events"
	} >"$CLOUD_DIR/rs/bird.conf"
	for f in n1 n2 n3 ispa ispb rs; do
		bird -p -c "$CLOUD_DIR/$f/bird.conf" || lab_die "$f/bird.conf does not parse"
	done
}

# ---- daemons ----

cloud_birdc() {
	local r=$1
	shift
	birdc -s "$CLOUD_DIR/$r/bird.ctl" "$@"
}

declare -A CLOUD_BIRD_PID=()
cloud_start_bird() {
	local r=$1 i
	rm -f "$CLOUD_DIR/$r/bird.ctl"
	CLOUD_T=$EPOCHREALTIME
	cloud_spawn "bird-$r" "$r" bird -f -s "$CLOUD_DIR/$r/bird.ctl" \
		-c "$CLOUD_DIR/$r/bird.conf" -P "$CLOUD_DIR/$r/bird.pid"
	CLOUD_BIRD_PID[$r]=$LAB_LAST_PID
	for ((i = 0; i < 250; i++)); do
		if [ -S "$CLOUD_DIR/$r/bird.ctl" ] &&
		   cloud_birdc "$r" show status 2>/dev/null | grep -q '^Daemon is up'; then
			return 0
		fi
		lab_pid_ours "$LAB_LAST_PID" || break
		sleep 0.02
	done
	cloud_fail "BIRD ($r) did not start"
}

cloud_stop_bird() {
	[ -n "${CLOUD_BIRD_PID[$1]:-}" ] || return 0
	cloud_signal "${CLOUD_BIRD_PID[$1]}" "${2:-TERM}"
	CLOUD_BIRD_PID[$1]=
}

# cloud_signal PID SIG: like lab_kill, but the signal goes first, at
# $CLOUD_T (the fault's time for the measurements), the checks after
cloud_signal() {
	lab_pid_ours "$1" || return 1
	CLOUD_T=$EPOCHREALTIME
	kill "-$2" "$1" 2>/dev/null
	lab_kill "$1" "$2"
	return 0
}

cloud_start_dnsd() {
	local n=$1 i
	CLOUD_T=$EPOCHREALTIME
	cloud_spawn "dnsd-$n" "$n" "$RAIZ_BUILD/raiz-dnsd" -c "$CLOUD_DIR/$n/dnsd.json" -f
	CLOUD_DNSD_PID[$n]=$LAB_LAST_PID
	for ((i = 0; i < 500; i++)); do
		cloud_ns "$n" dig +time=1 +tries=1 +short A www.example. @"$CLOUD_SVC" |
			grep -qx "$CLOUD_WWW" && return 0
		lab_pid_ours "$LAB_LAST_PID" || break
		sleep 0.02
	done
	cloud_fail "raiz-dnsd ($n) does not answer www.example. (zone not transferred?)"
}

cloud_start_controller() {
	local n=$1 i
	cloud_spawn "controller-$n" "$n" "$RAIZ_BUILD/raiz-controller" -c "$CLOUD_DIR/$n/raiz.json"
	CLOUD_CTL_PID[$n]=$LAB_LAST_PID
	for ((i = 0; i < 250; i++)); do
		[ -S "$CLOUD_DIR/$n/run/controller.sock" ] && return 0
		lab_pid_ours "$LAB_LAST_PID" || break
		sleep 0.02
	done
	cloud_fail "raiz-controller ($n) did not open its control socket"
}

cloud_start_primary() {
	local i
	cloud_spawn knotd pri knotd -c "$CLOUD_DIR/pri/knot.conf"
	CLOUD_KNOT_PID=$LAB_LAST_PID
	for ((i = 0; i < 250; i++)); do
		cloud_ns pri dig +time=1 +tries=1 +short SOA example. @"$CLOUD_PRI" | grep -q . && return 0
		lab_pid_ours "$CLOUD_KNOT_PID" || break
		sleep 0.02
	done
	cloud_fail "knotd (primary) does not answer"
}

cloud_start_unbound() {
	local i d=$CLOUD_DIR/res
	cloud_subst "$(dirname "${BASH_SOURCE[0]}")/../cloud/unbound.conf.in" >"$d/unbound.conf"
	unbound-checkconf "$d/unbound.conf" >/dev/null || cloud_fail "unbound.conf does not check"
	cloud_spawn unbound res unbound -d -c "$d/unbound.conf"
	CLOUD_UNBOUND_PID=$LAB_LAST_PID
	for ((i = 0; i < 40; i++)); do
		cloud_ns cli dig +time=1 +tries=1 +short A "u$i.w.example." @"$CLOUD_RES" |
			grep -qx "$CLOUD_WWW" && return 0
		lab_pid_ours "$CLOUD_UNBOUND_PID" || break
		sleep 0.05
	done
	cloud_fail "Unbound does not resolve through the cloud"
}

# every BGP session of ROLE Established within T seconds
cloud_wait_established() {
	local r=$1 t=$2 start=$EPOCHREALTIME
	while :; do
		cloud_birdc "$r" show protocols 2>/dev/null | awk '$2 == "BGP" { n++; if ($NF == "Established") u++ }
			END { exit !(n > 0 && n == u) }' && return 0
		lab_elapsed_over "$start" "$t" && return 1
		sleep 0.05
	done
}

# the protocol ROLE's best route for PREFIX comes from ("" when none)
cloud_best() {
	cloud_birdc "$1" show route primary "$2" 2>/dev/null |
		awk -v p="$2" '$1 == p { for (i = 2; i <= NF; i++) if ($i ~ /^\[/) { sub(/^\[/, "", $i); print $i; exit } }'
}

cloud_has_route() {
	cloud_birdc "$1" show route "$2" 2>/dev/null | awk -v p="$2" '$1 == p { f = 1 } END { exit !f }'
}

# NSID the client gets for www.example. (direct), "-" when no answer or a
# wrong one; with "resolver": the A record through Unbound
cloud_nsid() {
	local out
	if [ "${1:-}" = resolver ]; then
		out=$(cloud_ns cli dig +time=1 +tries=1 +short A "n$RANDOM$RANDOM.w.example." @"$CLOUD_RES" 2>/dev/null)
		echo "${out:--}"
		return
	fi
	out=$(cloud_ns cli dig +time=1 +tries=1 +nsid A www.example. @"$CLOUD_SVC" 2>/dev/null)
	if grep -q "^www\.example\.[[:space:]].*A[[:space:]]$CLOUD_WWW\$" <<<"$out"; then
		sed -n 's/.*; NSID: .*("\(.*\)").*/\1/p' <<<"$out" | head -n 1
	else
		echo -
	fi
}

# wait until the client's NSID is $1, at most $2 seconds
cloud_wait_nsid() {
	local want=$1 t=$2 start=$EPOCHREALTIME
	while [ "$(cloud_nsid)" != "$want" ]; do
		lab_elapsed_over "$start" "$t" && return 1
		sleep 0.1
	done
}

cloud_link() {  # N up|down: the node's uplink, at the node's end
	CLOUD_T=$EPOCHREALTIME
	ip -n "$(cloud_nsname "$1")" link set upl "$2"
	# the kernel drops the route of the replies with the link; put it
	# back (what the node's network configuration would do)
	[ "$2" = up ] && cloud_ns "$1" ip route replace 198.51.100.0/27 via "${CLOUD_GW[$1]}"
	return 0
}

# node N answers a wrong www A: raiz-dnsd reloads with a file zone, with
# its probe gate off (dnsd.probe-gate: the controller must catch the data);
# cloud_dnsd_wrong N gated: with the gate on, which refuses that file
cloud_dnsd_wrong() {
	local n=$1 d=$CLOUD_DIR/$1 gate=false
	[ "${2:-}" = gated ] && gate=true
	cloud_zone_text "$CLOUD_BAD_WWW" 1 >"$d/wrong.zone"
	/usr/bin/python3 - "$d/dnsd.json" "$d/wrong.zone" "$gate" <<'EOF' || lab_die "cannot edit dnsd.json"
import json, re, sys
t = re.sub(r'^\s*//.*$', '', open(sys.argv[1]).read(), flags=re.M)
j = json.loads(t)
j["zones"] = [{"name": "example.", "file": sys.argv[2]}]
j["dnsd"]["probe-gate"] = sys.argv[3] == "true"
open(sys.argv[1] + ".tmp", "w").write(json.dumps(j, indent=1))
EOF
	mv "$d/dnsd.json.tmp" "$d/dnsd.json"
	CLOUD_T=$EPOCHREALTIME
	kill -HUP "${CLOUD_DNSD_PID[$n]}"
}

cloud_dnsd_right() {
	cp "$CLOUD_DIR/$1/raiz.json" "$CLOUD_DIR/$1/dnsd.json"
	CLOUD_T=$EPOCHREALTIME
	kill -HUP "${CLOUD_DNSD_PID[$1]}"
}

cloud_up() {
	local r n
	head -c 32 /dev/urandom | base64 >"$CLOUD_DIR/tsig.secret"
	cloud_probe_generator
	for n in $CLOUD_NODES; do
		cloud_write_node_config "$n"
	done
	cloud_write_primary
	cloud_gen_birdconf
	cloud_start_primary
	# ISP A's forwarding table over time, for the failure reports
	cloud_spawn ispa-routes ispa ip -ts monitor route
	for r in rs ispa ispb $CLOUD_NODES; do
		cloud_start_bird "$r"
	done
	for r in rs ispa ispb; do
		cloud_wait_established "$r" 30 || cloud_fail "BGP sessions of $r not Established"
	done
	for n in $CLOUD_NODES; do
		cloud_start_dnsd "$n"
	done
	for n in $CLOUD_NODES; do
		cloud_start_controller "$n"
	done
	local start=$EPOCHREALTIME
	until [ "$(cloud_best ispa "$CLOUD_PREFIX")" = "raiz_${CLOUD_UP_NAME[n1]}" ] &&
	      cloud_has_route rs "$CLOUD_PREFIX" && cloud_has_route ispb "$CLOUD_PREFIX"; do
		lab_elapsed_over "$start" 30 && cloud_fail "the nodes did not announce within 30 s"
		sleep 0.1
	done
	cloud_start_unbound
	cloud_wait_nsid n1 10 || cloud_fail "the client does not reach n1"
	lab_log "cloud up: the client reaches n1 (after $(lab_elapsed "$start") s of announcing)"
}

cloud_watch_help() {
	local p=ip\ netns\ exec
	cat <<EOF
The cloud lab is up (directory $CLOUD_DIR).  To watch it, as root:

  which node answers the client (NSID), directly and through Unbound:
    $p $CLOUD_ID-cli dig +nsid +norec www.example. @$CLOUD_SVC
    $p $CLOUD_ID-cli dig CH TXT id.server @$CLOUD_SVC +short
    $p $CLOUD_ID-cli dig q\$RANDOM.w.example. @$CLOUD_RES +short
  who announces what (ISP A: n1 > route server (n2) > ISP B (n3)):
    birdc -s $CLOUD_DIR/ispa/bird.ctl show route all $CLOUD_PREFIX
    birdc -s $CLOUD_DIR/rs/bird.ctl show route
    birdc -s $CLOUD_DIR/ispb/bird.ctl show route
    birdc -s $CLOUD_DIR/ispa/bird.ctl show protocols
  a node's own view:
    $p $CLOUD_ID-n1 $RAIZ_BUILD/raizctl -c $CLOUD_DIR/n1/raiz.json status
  faults to try on node 1:
    kill -9 ${CLOUD_DNSD_PID[n1]:-?}        (raiz-dnsd; the client moves to n2)
    kill -9 ${CLOUD_BIRD_PID[n1]:-?}        (BIRD; its BGP sessions close at once)
    ip -n $CLOUD_ID-n1 link set upl down    (the link; ISP A notices through BFD)
EOF
}

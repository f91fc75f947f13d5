# tests/lib/lab.sh — the namespace lab of the integration tests and the demo.
# Source it from bash:   . tests/lib/lab.sh; lab_init
#
# Two network namespaces, named after the test's PID so parallel runs never
# collide: "$LAB_NODE" (raiz-<pid>-node) and "$LAB_ISP" (raiz-<pid>-isp),
# joined by one veth pair (node0 <-> isp0):
#
#     ISP  isp0  203.0.113.1/30  2001:db8:ffff::1/64     AS 65000
#     node node0 203.0.113.2/30  2001:db8:ffff::2/64     AS 65001
#          lo    192.0.2.53/32   2001:db8::53/128        (anycast service)
#
# The anycast prefixes are 192.0.2.0/24 and 2001:db8::/48.  There is no
# default route anywhere; only documentation prefixes and private ASNs are
# used.  BIRD runs in each namespace with its own control socket
# ($LAB_DIR/node.ctl, $LAB_DIR/isp.ctl).  The ISP's BIRD installs what it
# learns into the ISP namespace's kernel table (and only there), so a query
# from the ISP namespace to 192.0.2.53 reaches the node exactly while the
# prefix is announced.
#
# Every process started through lab_spawn/lab_start_bird is recorded and
# killed by PID in lab_cleanup, which lab_init registers for EXIT, INT and
# TERM; lab_cleanup also deletes both namespaces and $LAB_DIR.  Nothing is
# ever killed by name.
#
# Functions (return 0 = yes/success):
#   lab_init                     namespaces, veth, addresses, $LAB_DIR; exits
#                                77 (skip) when not root or tools are missing
#   lab_ns node|isp CMD...       run CMD in a namespace (foreground)
#   lab_spawn NAME node|isp CMD...  start CMD in the background, log in
#                                $LAB_DIR/NAME.log; PID in $LAB_LAST_PID
#   lab_kill PID [SIG]           signal one recorded process (default TERM)
#                                and, unless SIG is STOP/CONT/HUP, reap it
#   lab_write_config [EXTRA_JSON]  $LAB_DIR/raiz.json for the lab node; EXTRA
#                                is a JSON fragment (",\n\"probes\": ...")
#                                appended to the top-level object
#   lab_gen_birdconf             node.conf, isp.conf, state file from
#                                raiz.json with `raizctl bird-conf`
#   lab_start_bird node|isp      start BIRD on the generated config; waits
#                                until its control socket answers
#   lab_stop_bird node|isp       SIGTERM and reap that BIRD
#   lab_birdc node|isp CMD...    a birdc command against that BIRD
#   lab_wait_established T       both ISP sessions Established within T s
#   lab_isp_has_route PREFIX     the ISP's BIRD has a route for PREFIX
#   lab_wait_route present|absent "PREFIX..." TIMEOUT [T0]
#                                polls every 20 ms until every PREFIX is
#                                present (absent) at the ISP; prints the
#                                seconds since T0 ($EPOCHREALTIME, default
#                                now); 1 on timeout
#   lab_route_never absent "PREFIX..." SECONDS
#                                1 as soon as any PREFIX is absent (or
#                                present) during SECONDS, polling every 20 ms
#   lab_isp_route_attrs PREFIX   the route's BGP attributes at the ISP
#                                (as_path, community, local_pref, med)
#   lab_cleanup                  kill, delete, remove (idempotent); with
#                                LAB_KEEP=1 the directory (logs) is kept
# and for the DNS side:
#   lab_make_zone EXPIRE [SERIAL]  signed zone "example." whose RRSIGs
#                                expire EXPIRE seconds from now
#   lab_dns_extra [CTL] [SVC]    the dnsd/zones/controller/probes/services
#                                JSON for lab_write_config
#   lab_dns_up [CTL] [SVC]       all of it: zone, config, both BIRDs,
#                                Established, raiz-dnsd, raiz-controller
#   lab_start_dnsd, lab_start_controller  ($LAB_DNSD_PID, $LAB_CONTROLLER_PID)
#   lab_dnsd_refuse / lab_dnsd_unrefuse   raiz-dnsd stops / resumes serving
#                                the zone (REFUSED), by reload of dnsd.json
#   lab_dnsd_set '"key": value'  one key of dnsd.json's "dnsd" section
#   lab_dig ARGS...              dig inside the node namespace
#   lab_ctl JSON                 one request to raiz-controller's socket

# shellcheck disable=SC2034  # (variables for the scripts that source this)
LAB_ID=${LAB_ID:-raiz-$$}
LAB_NODE=$LAB_ID-node
LAB_ISP=$LAB_ID-isp
LAB_ISP_V4=203.0.113.1
LAB_NODE_V4=203.0.113.2
LAB_ISP_V6=2001:db8:ffff::1
LAB_NODE_V6=2001:db8:ffff::2
LAB_SVC_V4=192.0.2.53
LAB_SVC_V6=2001:db8::53
LAB_PREFIX_V4=192.0.2.0/24
LAB_PREFIX_V6=2001:db8::/48
LAB_PREFIXES="$LAB_PREFIX_V4 $LAB_PREFIX_V6"
LAB_NODE_AS=65001
LAB_ISP_AS=65000
RAIZ_BUILD=${RAIZ_BUILD:-build/asan}
LAB_DIR=
LAB_PIDS=()
LAB_NS_MADE=()
LAB_LAST_PID=
declare -A LAB_BIRD_PID=()
declare -A LAB_PID_START=()   # pid -> start time, so a reused PID is never hit

lab_log() { printf '[lab %s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
lab_skip() { echo "SKIP: $*"; exit 77; }
lab_die() { echo "FAIL: $*" >&2; exit 1; }

# field 22 of /proc/PID/stat: start time in clock ticks since boot
lab_pid_start() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'
}

# true while PID is the process we started (not a reused PID)
lab_pid_ours() {
	local s
	s=$(lab_pid_start "$1")
	[ -n "$s" ] && [ "$s" = "${LAB_PID_START[$1]:-$s}" ]
}

# wait up to 100 x $1 seconds until no recorded process is alive
lab_wait_all_gone() {
	local i pid alive
	for ((i = 0; i < 100; i++)); do
		alive=0
		for pid in "${LAB_PIDS[@]}"; do
			lab_pid_ours "$pid" && alive=1
		done
		[ $alive = 0 ] && return 0
		sleep "$1"
	done
	return 1
}

lab_cleanup() {
	local pid i
	trap - EXIT INT TERM
	for ((i = ${#LAB_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${LAB_PIDS[i]}
		lab_pid_ours "$pid" || continue
		kill -CONT "$pid" 2>/dev/null
		kill -TERM "$pid" 2>/dev/null
	done
	lab_wait_all_gone 0.05
	for pid in "${LAB_PIDS[@]}"; do
		lab_pid_ours "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	lab_wait_all_gone 0.02
	LAB_PIDS=()
	for i in "${LAB_NS_MADE[@]}"; do
		ip netns del "$i" 2>/dev/null
	done
	LAB_NS_MADE=()
	if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
		if [ -n "${LAB_KEEP:-}" ]; then
			lab_log "keeping $LAB_DIR"
		else
			rm -rf "$LAB_DIR"
		fi
	fi
	LAB_DIR=
}

lab_nsname() {
	case $1 in
	node) echo "$LAB_NODE" ;;
	isp) echo "$LAB_ISP" ;;
	*) lab_die "lab: unknown namespace role '$1'" ;;
	esac
}

lab_ns() {
	local ns
	ns=$(lab_nsname "$1") || return 2
	shift
	ip netns exec "$ns" "$@"
}

lab_init() {
	[ "$(id -u)" = 0 ] || lab_skip "lab needs root (network namespaces)"
	local t
	for t in ip bird birdc; do
		command -v "$t" >/dev/null 2>&1 || lab_skip "lab needs $t"
	done
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LAB_DIR=$(mktemp -d "/tmp/$LAB_ID.XXXXXX") || lab_die "mktemp"
	chmod 755 "$LAB_DIR"
	mkdir -p "$LAB_DIR/run" "$LAB_DIR/state"
	for t in "$LAB_NODE" "$LAB_ISP"; do
		ip netns add "$t" || lab_skip "cannot create network namespace $t"
		LAB_NS_MADE+=("$t")
	done
	ip -n "$LAB_NODE" link add node0 type veth peer name isp0 netns "$LAB_ISP" ||
		lab_die "cannot create the veth pair"
	lab_ns node ip link set lo up
	lab_ns isp ip link set lo up
	lab_ns node ip addr add "$LAB_NODE_V4/30" dev node0
	lab_ns node ip addr add "$LAB_NODE_V6/64" dev node0 nodad
	lab_ns isp ip addr add "$LAB_ISP_V4/30" dev isp0
	lab_ns isp ip addr add "$LAB_ISP_V6/64" dev isp0 nodad
	lab_ns node ip addr add "$LAB_SVC_V4/32" dev lo
	lab_ns node ip addr add "$LAB_SVC_V6/128" dev lo
	lab_ns node ip link set node0 up
	lab_ns isp ip link set isp0 up
	if lab_ns node ip route show default | grep -q . ||
	   lab_ns isp ip route show default | grep -q .; then
		lab_die "a default route appeared in the lab"
	fi
	lab_log "namespaces $LAB_NODE and $LAB_ISP, dir $LAB_DIR"
}

lab_spawn() {
	local name=$1 role=$2 ns
	shift 2
	ns=$(lab_nsname "$role") || return 2
	ip netns exec "$ns" "$@" >>"$LAB_DIR/$name.log" 2>&1 </dev/null &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	# not a job: bash would report "Killed" for each kill -9 a test does;
	# bash still reaps it, and lab_kill/lab_cleanup poll its PID
	disown "$LAB_LAST_PID"
	LAB_PID_START[$LAB_LAST_PID]=$(lab_pid_start "$LAB_LAST_PID")
}

lab_kill() {
	local pid=$1 sig=${2:-TERM} i
	lab_pid_ours "$pid" || return 1
	kill "-$sig" "$pid" 2>/dev/null || return 1
	case $sig in
	STOP|CONT|HUP|USR1|USR2) return 0 ;;
	esac
	for ((i = 0; i < 200; i++)); do
		lab_pid_ours "$pid" || break
		sleep 0.02
	done
	lab_pid_ours "$pid" && kill -KILL "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		lab_pid_ours "$pid" || break
		sleep 0.01
	done
	return 0
}

# The sections besides node/bird/prefixes when a test gives none: enough
# for a valid file (BIRD-only tests never start the daemons).
LAB_DEFAULT_EXTRA=',
	"dnsd": { "listen": ["'$LAB_SVC_V4'", "'$LAB_SVC_V6'"] },
	"probes": [
		{ "name": "soa4", "target": "'$LAB_SVC_V4'", "qname": "." },
		{ "name": "soa6", "target": "'$LAB_SVC_V6'", "qname": "." }
	],
	"services": [ { "name": "dns", "probes": ["soa4", "soa6"] } ]'

lab_bgp_json() {
	cat <<EOF2
,
		"router-id": "$LAB_NODE_V4",
		"neighbors": [
			{ "name": "isp_v4", "address": "$LAB_ISP_V4", "as": $LAB_ISP_AS,
			  "local-address": "$LAB_NODE_V4" },
			{ "name": "isp_v6", "address": "$LAB_ISP_V6", "as": $LAB_ISP_AS,
			  "local-address": "$LAB_NODE_V6" }
		]
EOF2
}

# The lab node's raiz.json.  The BGP and prefix parts are fixed; EXTRA adds
# the sections a test needs (zones, probes, services, dnsd, controller).
lab_write_config() {
	local extra=${1:-$LAB_DEFAULT_EXTRA}
	cat >"$LAB_DIR/raiz.json" <<EOF
// raiz.json of the lab node, written by tests/lib/lab.sh
{
	"node": { "identity": "lab1", "run-dir": "$LAB_DIR/run",
		  "state-dir": "$LAB_DIR/state" },
	"bird": {
		"socket": "$LAB_DIR/node.ctl",
		"state-file": "$LAB_DIR/state/bird-state.conf",
		"as": $LAB_NODE_AS,
		"prepend": 3$(lab_bgp_json)
	},
	"prefixes": [
		{ "prefix": "$LAB_PREFIX_V4", "static-protocol": "raiz_v4", "bgp": ["isp_v4"] },
		{ "prefix": "$LAB_PREFIX_V6", "static-protocol": "raiz_v6", "bgp": ["isp_v6"] }
	]$extra
}
EOF
}

# raizctl bird-conf KIND > stdout, from $LAB_DIR/raiz.json
lab_birdconf() {
	"$RAIZ_BUILD/raizctl" -c "$LAB_DIR/raiz.json" bird-conf "$1"
}

lab_gen_birdconf() {
	local kind
	for kind in node isp state; do
		lab_birdconf "$kind" >"$LAB_DIR/$kind.conf.gen" ||
			lab_die "bird-conf $kind failed"
	done
	# lab only: BIRD's own log in a file of the lab, for the failure reports
	{
		cat "$LAB_DIR/node.conf.gen"
		printf 'log "%s" all;\n' "$LAB_DIR/bird-node.events"
	} >"$LAB_DIR/node.conf"
	rm -f "$LAB_DIR/node.conf.gen"
	mv "$LAB_DIR/state.conf.gen" "$LAB_DIR/state/bird-state.conf"
	chmod 644 "$LAB_DIR/state/bird-state.conf"
	# The ISP's router: the example, plus a kernel protocol that is allowed
	# here because this BIRD runs only inside the ISP test namespace.
	{
		cat "$LAB_DIR/isp.conf.gen"
		printf 'log "%s" all;\n' "$LAB_DIR/bird-isp.events"
		printf '%s\n' "# lab only: the ISP namespace's kernel table" \
			'protocol kernel { ipv4 { import none; export all; }; }' \
			'protocol kernel { ipv6 { import none; export all; }; }'
	} >"$LAB_DIR/isp.conf"
	rm -f "$LAB_DIR/isp.conf.gen"
	local f
	for f in "$LAB_DIR/node.conf" "$LAB_DIR/isp.conf"; do
		bird -p -c "$f" || lab_die "$f does not parse"
	done
}

lab_birdc() {
	local role=$1
	shift
	birdc -s "$LAB_DIR/$role.ctl" "$@"
}

lab_start_bird() {
	local role=$1 i
	rm -f "$LAB_DIR/$role.ctl"
	lab_spawn "bird-$role" "$role" bird -f -s "$LAB_DIR/$role.ctl" \
		-c "$LAB_DIR/$role.conf" -P "$LAB_DIR/bird-$role.pid"
	LAB_BIRD_PID[$role]=$LAB_LAST_PID
	for ((i = 0; i < 250; i++)); do
		if [ -S "$LAB_DIR/$role.ctl" ] &&
		   lab_birdc "$role" show status 2>/dev/null | grep -q '^Daemon is up'; then
			return 0
		fi
		lab_pid_ours "$LAB_LAST_PID" || break
		sleep 0.02
	done
	cat "$LAB_DIR/bird-$role.log" >&2
	lab_die "BIRD ($role) did not start"
}

lab_stop_bird() {
	local role=$1
	[ -n "${LAB_BIRD_PID[$role]:-}" ] || return 0
	lab_kill "${LAB_BIRD_PID[$role]}" "${2:-TERM}"
	LAB_BIRD_PID[$role]=
}

# "up" rows of `show protocols` for the ISP's BGP sessions
lab_isp_sessions_up() {
	lab_birdc isp show protocols 2>/dev/null |
		awk '$2 == "BGP" && $4 == "up" && $NF == "Established" { n++ } END { print n + 0 }'
}

lab_wait_established() {
	local timeout=${1:-30} start=$EPOCHREALTIME want
	want=$(lab_birdc isp show protocols 2>/dev/null | awk '$2 == "BGP" { n++ } END { print n + 0 }')
	[ "$want" -gt 0 ] || return 1
	while :; do
		[ "$(lab_isp_sessions_up)" = "$want" ] && return 0
		lab_elapsed_over "$start" "$timeout" && return 1
		sleep 0.05
	done
}

# true when more than $2 seconds passed since $1 ($EPOCHREALTIME)
lab_elapsed_over() {
	awk -v a="$1" -v b="$EPOCHREALTIME" -v t="$2" 'BEGIN { exit !(b - a > t) }'
}

lab_elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", b - a }'
}

lab_isp_has_route() {
	lab_birdc isp show route "$1" 2>/dev/null | awk -v p="$1" '$1 == p { f = 1 } END { exit !f }'
}

# every prefix present (state=present) or every prefix absent
# every prefix present (state=present) or every prefix absent, from one
# look at the ISP's table
lab_routes_are() {
	local state=$1 p table
	table=$(lab_birdc isp show route 2>/dev/null | awk '$1 ~ /\// { print $1 }')
	for p in $2; do
		if grep -qxF "$p" <<<"$table"; then
			[ "$state" = present ] || return 1
		else
			[ "$state" = absent ] || return 1
		fi
	done
	return 0
}

lab_wait_route() {
	local state=$1 prefixes=$2 timeout=$3 t0=${4:-$EPOCHREALTIME} start=$EPOCHREALTIME
	case $state in present|absent) ;; *) lab_die "lab_wait_route: $state" ;; esac
	while :; do
		if lab_routes_are "$state" "$prefixes"; then
			lab_elapsed "$t0"
			return 0
		fi
		if lab_elapsed_over "$start" "$timeout"; then
			lab_elapsed "$t0"
			return 1
		fi
		sleep 0.02
	done
}

# fails as soon as a prefix is in the unwanted state during the period
lab_route_never() {
	local state=$1 prefixes=$2 secs=$3 start=$EPOCHREALTIME p
	while ! lab_elapsed_over "$start" "$secs"; do
		for p in $prefixes; do
			if lab_isp_has_route "$p"; then
				[ "$state" = present ] && { lab_log "$p present after $(lab_elapsed "$start") s"; return 1; }
			else
				[ "$state" = absent ] && { lab_log "$p absent after $(lab_elapsed "$start") s"; return 1; }
			fi
		done
		sleep 0.02
	done
	return 0
}

lab_isp_route_attrs() {
	lab_birdc isp show route "$1" all 2>/dev/null |
		sed -n 's/^[[:space:]]*BGP\.\(as_path\|community\|local_pref\|med\):/\1:/p'
}

# ---- the DNS side (raiz-dnsd, raiz-controller) ----

# lab_make_zone EXPIRE_SECONDS [SERIAL [WWW]]: $LAB_DIR/example.zone
# (www.example. A WWW, default 198.51.100.80, which the "www4" probe
# expects), signed with ECDSA P-256 so its signatures expire
# EXPIRE_SECONDS from now; the signed file replaces
# $LAB_DIR/example.zone.signed atomically.
lab_make_zone() {
	local expire=$1 serial=${2:-1} www=${3:-198.51.100.80} z=$LAB_DIR/zone now
	mkdir -p "$z"
	if [ ! -e "$z/ksk" ]; then
		(cd "$z" && ldns-keygen -a ECDSAP256SHA256 -k example. >ksk &&
		 ldns-keygen -a ECDSAP256SHA256 example. >zsk) >/dev/null ||
			lab_die "ldns-keygen failed"
	fi
	cat >"$z/example.zone" <<ZONE
\$ORIGIN example.
\$TTL 300
@	SOA	ns1.example. hostmaster.example. $serial 3600 600 86400 300
@	NS	ns1.example.
ns1	A	$LAB_SVC_V4
ns1	AAAA	$LAB_SVC_V6
www	A	$www
ZONE
	now=$(date +%s)
	(cd "$z" && ldns-signzone -i $((now - 3600)) -e $((now + expire)) \
		-f example.zone.signed.tmp example.zone "$(cat ksk)" "$(cat zsk)") ||
		lab_die "ldns-signzone failed"
	mv "$z/example.zone.signed.tmp" "$LAB_DIR/example.zone.signed"
}

# the sections of raiz.json for a lab node running raiz-dnsd on the anycast
# service addresses and raiz-controller probing them (SOA over UDP v4, UDP
# v6 and TCP v4, each with DO and the RRSIG margin check; www.example. A
# with the expected address and the node's NSID).  $1: more JSON for the
# "controller" object; $2: more for the "dns" service object.
lab_dns_extra() {
	cat <<EOF2
,
	"dnsd": { "listen": ["$LAB_SVC_V4", "$LAB_SVC_V6"], "nsid": "lab1", "user": "",
		  "control-socket": "$LAB_DIR/run/dnsd.sock", "pidfile": "$LAB_DIR/run/dnsd.pid" },
	"zones": [ { "name": "example.", "file": "$LAB_DIR/example.zone.signed" } ],
	"controller": { "control-socket": "$LAB_DIR/run/controller.sock"${1:-} },
	"probes": [
		{ "name": "soa4", "target": "$LAB_SVC_V4", "qname": "example.", "qtype": "SOA",
		  "dnssec-ok": true, "expect-rrsig": true, "expect-answer": true },
		{ "name": "soa6", "target": "$LAB_SVC_V6", "qname": "example.", "qtype": "SOA",
		  "dnssec-ok": true, "expect-rrsig": true, "expect-answer": true },
		{ "name": "tcp4", "transport": "tcp", "target": "$LAB_SVC_V4", "qname": "example.",
		  "qtype": "SOA", "dnssec-ok": true, "expect-rrsig": true, "expect-answer": true },
		{ "name": "www4", "target": "$LAB_SVC_V4", "qname": "www.example.", "qtype": "A",
		  "expect-rdata": ["198.51.100.80"], "expect-nsid": true }
	],
	"services": [ { "name": "dns", "probes": ["soa4", "soa6", "tcp4", "www4"]${2:-} } ]
EOF2
}

lab_start_dnsd() {
	local i
	lab_spawn dnsd node "$RAIZ_BUILD/raiz-dnsd" -c "${LAB_DNSD_CONFIG:-$LAB_DIR/raiz.json}" -f
	LAB_DNSD_PID=$LAB_LAST_PID
	for ((i = 0; i < 500; i++)); do
		lab_dig +short SOA example. @"$LAB_SVC_V4" | grep -q . && return 0
		lab_pid_ours "$LAB_DNSD_PID" || break
		sleep 0.02
	done
	tail -n 30 "$LAB_DIR/dnsd.log" >&2
	lab_die "raiz-dnsd did not start answering"
}

lab_start_controller() {
	local i
	lab_spawn controller node "$RAIZ_BUILD/raiz-controller" -c "$LAB_DIR/raiz.json"
	LAB_CONTROLLER_PID=$LAB_LAST_PID
	for ((i = 0; i < 250; i++)); do
		[ -S "$LAB_DIR/run/controller.sock" ] && return 0
		lab_pid_ours "$LAB_CONTROLLER_PID" || break
		sleep 0.02
	done
	tail -n 30 "$LAB_DIR/controller.log" >&2
	lab_die "raiz-controller did not open its control socket"
}

# dig in the node namespace, short timeouts
lab_dig() {
	lab_ns node dig +time=1 +tries=1 "$@"
}

# one request to the controller's control socket; prints the JSON reply
lab_ctl() {
	lab_ns node /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
	d = s.recv(65536)
	if not d:
		break
	buf += d
sys.stdout.write(buf.decode())
' "$LAB_DIR/run/controller.sock" "$1"
}

# lab_dns_up [CONTROLLER_JSON] [SERVICE_JSON]: the whole node: a signed
# zone (valid 10 days), raiz.json (lab_dns_extra with the arguments),
# raiz-dnsd reading its own copy $LAB_DIR/dnsd.json (so a test can change
# what it serves), both BIRDs on the generated configurations, Established
# sessions, raiz-dnsd answering, raiz-controller running.
lab_dns_up() {
	lab_make_zone $((10 * 86400))
	lab_write_config "$(lab_dns_extra "${1:-}" "${2:-}")"
	cp "$LAB_DIR/raiz.json" "$LAB_DIR/dnsd.json"
	LAB_DNSD_CONFIG=$LAB_DIR/dnsd.json
	lab_gen_birdconf
	lab_start_bird node
	lab_start_bird isp
	lab_wait_established 30 || lab_die "BGP sessions not Established"
	lab_start_dnsd
	lab_start_controller
}

# raiz-dnsd stops serving the zone (REFUSED) / serves it again, by
# reloading a dnsd.json without / with the "zones"
lab_dnsd_refuse() {
	/usr/bin/python3 - "$LAB_DNSD_CONFIG" <<'EOF2' || lab_die "cannot edit $LAB_DNSD_CONFIG"
import json, re, sys
t = re.sub(r'^\s*//.*$', '', open(sys.argv[1]).read(), flags=re.M)
j = json.loads(t)
j["zones"] = []
open(sys.argv[1] + ".refused", "w").write(json.dumps(j, indent=1))
EOF2
	cp "$LAB_DNSD_CONFIG" "$LAB_DNSD_CONFIG.good"
	mv "$LAB_DNSD_CONFIG.refused" "$LAB_DNSD_CONFIG"
	kill -HUP "$LAB_DNSD_PID"
}

# set one key of raiz-dnsd's "dnsd" section: lab_dnsd_set '"key": value'
# (the caller signals raiz-dnsd)
lab_dnsd_set() {
	/usr/bin/python3 - "$LAB_DNSD_CONFIG" "{$1}" <<'EOF2' || lab_die "cannot edit $LAB_DNSD_CONFIG"
import json, re, sys
t = re.sub(r'^\s*//.*$', '', open(sys.argv[1]).read(), flags=re.M)
j = json.loads(t)
j["dnsd"].update(json.loads(sys.argv[2]))
open(sys.argv[1] + ".tmp", "w").write(json.dumps(j, indent=1))
EOF2
	mv "$LAB_DNSD_CONFIG.tmp" "$LAB_DNSD_CONFIG"
}

lab_dnsd_unrefuse() {
	mv "$LAB_DNSD_CONFIG.good" "$LAB_DNSD_CONFIG"
	kill -HUP "$LAB_DNSD_PID"
}

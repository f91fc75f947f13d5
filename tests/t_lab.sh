#!/usr/bin/env bash
# t_lab — the namespace lab works with BIRD alone: both BIRDs start on the
# generated configurations, the IPv4 and IPv6 sessions reach Established,
# the node starts withdrawn, a static prefix enabled at the node appears at
# the ISP (and in the ISP namespace's kernel, so it can be pinged), a
# `disable` removes it, the drain attributes arrive, and cleanup — on a
# normal exit and on SIGTERM — leaves no namespace or process behind.
set -u
self=$(readlink -f "$0")
cd "$(dirname "$self")/.." || exit 2
. tests/lib/lab.sh

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

if [ "${1:-}" = "--child" ]; then
	# a lab that gets SIGTERM while BIRD runs: records what it made
	lab_init
	lab_write_config
	lab_gen_birdconf
	lab_start_bird node
	lab_start_bird isp
	printf '%s\n' "$LAB_NODE" "$LAB_ISP" "$LAB_DIR" "${LAB_PIDS[@]}" >"$2.tmp"
	mv "$2.tmp" "$2"
	while :; do sleep 0.1; done
fi

lab_init
lab_write_config
lab_gen_birdconf
ok "generated node.conf, isp.conf and the state file; bird -p accepts both"
grep -q '^define RAIZ_V4_WITHDRAWN = 1;' "$LAB_DIR/state/bird-state.conf" ||
	fail "the default state file does not start withdrawn"

lab_start_bird node
lab_start_bird isp
ok "both BIRDs answer on their control sockets"

lab_wait_established 30 || { lab_birdc isp show protocols; fail "BGP sessions not Established"; }
lab_birdc isp show protocols
[ "$(lab_isp_sessions_up)" = 2 ] || fail "expected 2 Established sessions (IPv4 and IPv6)"
ok "IPv4 and IPv6 sessions Established"

# withdrawn at start: nothing at the ISP, node's statics down
sleep 0.5
for p in $LAB_PREFIXES; do
	lab_isp_has_route "$p" && fail "$p announced although the state file withdraws it"
done
lab_birdc node show protocols | awk '$1 ~ /^raiz_v[46]$/ && $4 != "down" { exit 1 }' ||
	fail "static protocols not down at start"
ok "node starts withdrawn"

# announce
lab_birdc node enable raiz_v4 | grep -q '^raiz_v4: enabled' || fail "enable raiz_v4"
lab_birdc node enable raiz_v6 | grep -q '^raiz_v6: enabled' || fail "enable raiz_v6"
t=$(lab_wait_route present "$LAB_PREFIXES" 5) || fail "prefixes not at the ISP after enable ($t s)"
ok "both prefixes at the ISP ${t} s after enable"
lab_isp_route_attrs "$LAB_PREFIX_V4"
lab_isp_route_attrs "$LAB_PREFIX_V4" | grep -qx 'as_path: 65001' || fail "unexpected AS path"
lab_isp_route_attrs "$LAB_PREFIX_V4" | grep -q 'community' && fail "community without drain"

# only the anycast prefixes: the ISP learnt nothing else from the node
n=$(lab_birdc isp show route count | awk '/routes for/ { n += $1 } END { print n + 0 }')
[ "$n" = 2 ] || { lab_birdc isp show route; fail "ISP has $n routes, expected 2"; }
# the node learnt nothing (import none) and its kernel has no anycast route
lab_birdc node show route | grep -q 'BGP' && fail "node imported BGP routes"
lab_ns node ip route show 192.0.2.0/24 | grep -q . && fail "anycast route in the node's kernel"
lab_ns node ip -6 route show 2001:db8::/48 | grep -q . && fail "anycast route in the node's kernel"

# the data plane: the ISP namespace reaches the service address through BGP
for i in $(seq 50); do
	lab_ns isp ip route show "$LAB_PREFIX_V4" | grep -q "via $LAB_NODE_V4" && break
	sleep 0.05
done
# (a TCP RST from a closed port proves the packet got there and back)
reach() {
	local out
	out=$(lab_ns isp timeout 3 bash -c "exec 3<>/dev/tcp/$1/9" 2>&1)
	grep -q 'Connection refused' <<<"$out"
}
reach "$LAB_SVC_V4" || fail "$LAB_SVC_V4 unreachable from the ISP namespace"
reach "$LAB_SVC_V6" || fail "$LAB_SVC_V6 unreachable from the ISP namespace"
ok "the ISP namespace reaches $LAB_SVC_V4 and $LAB_SVC_V6 over the announced routes"

# withdraw one: only it disappears
t0=$EPOCHREALTIME
lab_birdc node disable raiz_v4 | grep -q '^raiz_v4: disabled' || fail "disable raiz_v4"
t=$(lab_wait_route absent "$LAB_PREFIX_V4" 2 "$t0") || fail "$LAB_PREFIX_V4 still at the ISP ($t s)"
lab_isp_has_route "$LAB_PREFIX_V6" || fail "$LAB_PREFIX_V6 withdrawn with the /24"
reach "$LAB_SVC_V4" && fail "$LAB_SVC_V4 still reachable from the ISP after the withdraw"
ok "disable raiz_v4 removed $LAB_PREFIX_V4 from the ISP in $t s; /48 stays"

# drain through the state file and `configure`
cat >"$LAB_DIR/state/bird-state.conf" <<EOF
define RAIZ_V4_WITHDRAWN = 0;
define RAIZ_V4_DRAIN = 1;
define RAIZ_V6_WITHDRAWN = 0;
define RAIZ_V6_DRAIN = 1;
EOF
lab_birdc node configure | grep -q 'Reconfigur' || fail "configure"
t=$(lab_wait_route present "$LAB_PREFIXES" 5) || fail "drained prefixes not at the ISP"
for i in $(seq 100); do
	lab_isp_route_attrs "$LAB_PREFIX_V6" | grep -q '(65535,0)' && break
	sleep 0.05
done
lab_isp_route_attrs "$LAB_PREFIX_V6"
for p in $LAB_PREFIXES; do
	a=$(lab_isp_route_attrs "$p")
	grep -q 'community:.*(65535,0)' <<<"$a" || fail "$p: no GRACEFUL_SHUTDOWN at the ISP"
	grep -qx 'as_path: 65001 65001 65001 65001' <<<"$a" || fail "$p: no prepend at the ISP"
	grep -qx 'local_pref: 0' <<<"$a" || fail "$p: the ISP did not lower local-pref"
	grep -qx 'med: 1000' <<<"$a" || fail "$p: no MED"
done
ok "drain: 65535:0, 3 prepends, MED 1000 at the ISP, local-pref 0 there"

# the state file also survives a BIRD restart at the node: withdraw via file
cat >"$LAB_DIR/state/bird-state.conf" <<EOF
define RAIZ_V4_WITHDRAWN = 1;
define RAIZ_V4_DRAIN = 0;
define RAIZ_V6_WITHDRAWN = 0;
define RAIZ_V6_DRAIN = 0;
EOF
lab_stop_bird node
lab_start_bird node
lab_wait_established 30 || fail "sessions not back after the node's BIRD restart"
t=$(lab_wait_route present "$LAB_PREFIX_V6" 10) || fail "/48 not back after restart"
sleep 0.5
lab_isp_has_route "$LAB_PREFIX_V4" && fail "/24 announced after restart despite the state file"
lab_isp_route_attrs "$LAB_PREFIX_V6" | grep -q '65535,0' && fail "drain survived its removal"
ok "after a BIRD restart the node follows the state file"

# cleanup on a normal exit path: run it now and check
made=("$LAB_NODE" "$LAB_ISP")
pids=("${LAB_PIDS[@]}")
dir=$LAB_DIR
lab_cleanup
for ns in "${made[@]}"; do
	ip netns list | awk '{ print $1 }' | grep -qx "$ns" && fail "namespace $ns left behind"
done
for pid in "${pids[@]}"; do
	kill -0 "$pid" 2>/dev/null && fail "process $pid left behind"
done
[ -e "$dir" ] && fail "$dir left behind"
ok "lab_cleanup removed namespaces ${made[*]}, PIDs ${pids[*]} and $dir"

# cleanup on SIGTERM: a child lab killed while BIRD runs
rec=$(mktemp /tmp/t_lab.rec.XXXXXX)
rm -f "$rec"
bash "$self" --child "$rec" >/dev/null 2>&1 &
child=$!
for i in $(seq 300); do [ -s "$rec" ] && break; sleep 0.05; done
[ -s "$rec" ] || { kill -KILL "$child"; fail "child lab did not come up"; }
kill -TERM "$child"
wait "$child"
rc=$?
mapfile -t made <"$rec"
rm -f "$rec"
[ "$rc" = 143 ] || fail "child exited $rc, expected 143"
for ns in "${made[0]}" "${made[1]}"; do
	ip netns list | awk '{ print $1 }' | grep -qx "$ns" && fail "namespace $ns left behind after SIGTERM"
done
[ -e "${made[2]}" ] && fail "${made[2]} left behind after SIGTERM"
for pid in "${made[@]:3}"; do
	kill -0 "$pid" 2>/dev/null && fail "process $pid left behind after SIGTERM"
done
ok "SIGTERM: the child lab removed ${made[0]}, ${made[1]}, its dir and PIDs ${made[*]:3}"
echo "PASS"

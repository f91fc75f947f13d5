#!/usr/bin/env bash
# t_cloud — the anycast cloud as a client behind ISP A sees it
# (tests/lib/cloud.sh: three raiz nodes, ISP A, ISP B, an IXP route server,
# a Knot primary the nodes transfer example. from with TSIG, Unbound).
#
# A client polls www.example. every 10 ms directly (with NSID) and a fresh
# name through Unbound (tests/cloud/poll.py), and the test asserts:
#   - the client's NSID is n1 (node 1, ISP A's customer); ISP A also holds
#     n2's route from the route server and n3's from ISP B (the fallbacks);
#   - kill -9 node 1's raiz-dnsd: the client's first correct answer from
#     another node (n2) within CLOUD_T_CRASH s, with no wrong answer
#     (lost queries are allowed); restarted, node 1 takes the client back
#     with nothing lost or wrong;
#   - node 1 and node 2 down: the client gets n3 (through ISP B), then n2
#     and n1 again as they come back;
#   - node 3's local prefix, announced with NO_EXPORT toward ISP B, is at
#     ISP B (with the community) and never at ISP A;
#   - node 1 dies: kill -9 of its BIRD (the kernel closes the BGP
#     connection), and its link down behind ISP A's switch (only BFD can
#     tell ISP A): n2 answers within CLOUD_T_BIRD / CLOUD_T_LINK s, no
#     wrong answer, and
#     node 1 is back (its clients too) after the repair;
#   - through Unbound the answers are correct again after each move, never
#     wrong data, and no SERVFAIL when node 1 comes back;
#   - a zone file with a wrong www A on node 1, its probe gate on: refused,
#     the client stays on n1 and never gets the wrong address.
# Times count from the moment the fault took effect ($CLOUD_T: the signal,
# the link change) to the client's first correct answer from n2.
# Bounds (bench/cloud, bench/README.md "cloud", on a loaded 2-core machine):
# link down 0.9 s = 3 x the median 0.28 s (BFD 100 ms x 3); back to n1
# 4.5 s = 3 x 1.4 s (rise 3 x 0.5 s); crash and BIRD killed 0.5 s, where 3 x
# the median (0.02 s, 0.01 s) would be below what the client can resolve
# on a loaded machine (the poller itself stalls up to 0.15 s at times).
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib/cloud.sh

CLOUD_T_CRASH=${CLOUD_T_CRASH:-0.5}
CLOUD_T_BIRD=${CLOUD_T_BIRD:-0.5}
CLOUD_T_LINK=${CLOUD_T_LINK:-0.9}
CLOUD_T_BACK=${CLOUD_T_BACK:-4.5}
POLL=tests/cloud/poll.py
POLL_PID=
POLL_OUT=

ok() { echo "ok - $*"; }
fail() { cloud_fail "$*"; }

# awk comparison: $1 <= $2 (numbers; "None" is never)
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "None" && a + 0 <= b + 0) }'; }

# field of the JSON analysis: jget JSON key.sub
jget() {
	/usr/bin/python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
	v = v[k]
print(v)' "$1" "$2"
}

cloud_init
cloud_up
ok "cloud up: knotd, 6 BIRDs, 3 x (raiz-dnsd, raiz-controller), Unbound; the client gets n1"

# the fallbacks are there, in order
[ "$(cloud_best ispa "$CLOUD_PREFIX")" = "raiz_${CLOUD_UP_NAME[n1]}" ] || fail "ISP A's best is not n1"
routes=$(cloud_birdc ispa show route "$CLOUD_PREFIX" all)
grep -q '\[ixp_rs .*AS65002i\]' <<<"$routes" || fail "ISP A has no route to n2 through the route server: $routes"
grep -q '\[peer_ispb .*AS65003i\]' <<<"$routes" || fail "ISP A has no route to n3 through ISP B: $routes"
grep -q 'BGP.as_path: 65002$' <<<"$routes" || fail "the route server put its AS into n2's path: $routes"
ok "ISP A: n1 (customer) best, n2 via the route server (path 65002), n3 via ISP B"
[ "$(cloud_nsid resolver)" = "$CLOUD_WWW" ] || fail "no correct answer through Unbound"
ok "through Unbound: www A $CLOUD_WWW"

POLL_OUT=$CLOUD_DIR/poll.txt
cloud_spawn poll cli /usr/bin/python3 "$POLL" run "$POLL_OUT" --direct "$CLOUD_SVC" \
	--resolver "$CLOUD_RES" --interval 0.01 --timeout 1.5
POLL_PID=$LAB_LAST_PID
sleep 0.5

# wait until the client's NSID is $1 and Unbound answers correctly; $2 s
settle() {
	local start=$EPOCHREALTIME
	while [ "$(cloud_nsid)" != "$1" ] || [ "$(cloud_nsid resolver)" != "$CLOUD_WWW" ]; do
		lab_elapsed_over "$start" "$2" && return 1
		sleep 0.1
	done
	sleep 0.5
}

declare -a ROUNDS=()   # "name t_fault t_repair t_end bound"

# -- raiz-dnsd killed
cloud_signal "${CLOUD_DNSD_PID[n1]}" KILL
t0=$CLOUD_T
settle n2 15 || fail "dnsd crash: the client did not move to n2"
cloud_start_dnsd n1
t1=$CLOUD_T
settle n1 20 || fail "dnsd restarted: the client did not come back to n1"
ROUNDS+=("dnsd-crash $t0 $t1 $EPOCHREALTIME $CLOUD_T_CRASH")
ok "dnsd crash: moved to n2, back to n1 after the restart"

# -- NO_EXPORT: node 3's local prefix stays in ISP B's AS
if [ "$CLOUD_NOEXPORT" = 1 ]; then
	start=$EPOCHREALTIME
	until cloud_has_route ispb "$CLOUD_LOCAL_PREFIX"; do
		lab_elapsed_over "$start" 10 && fail "$CLOUD_LOCAL_PREFIX never reached ISP B"
		sleep 0.1
	done
	cloud_birdc ispb show route "$CLOUD_LOCAL_PREFIX" all | grep -q 'BGP.community:.*(65535,65281)' ||
		fail "$CLOUD_LOCAL_PREFIX at ISP B without NO_EXPORT"
	sleep 1   # ISP B's exports to ISP A have long been done by now
	cloud_has_route ispa "$CLOUD_LOCAL_PREFIX" && fail "$CLOUD_LOCAL_PREFIX (NO_EXPORT) leaked to ISP A"
	cloud_has_route ispa "$CLOUD_PREFIX" || fail "ISP A lost $CLOUD_PREFIX"
	cloud_birdc ispa show route "$CLOUD_PREFIX" all | grep -q '\[peer_ispb ' ||
		fail "ISP B stopped exporting n3's $CLOUD_PREFIX"
	ok "NO_EXPORT: $CLOUD_LOCAL_PREFIX at ISP B with (65535,65281), not at ISP A ($CLOUD_PREFIX still is)"
else
	echo "# TODO: NO_EXPORT not checked: this raizctl ($RAIZ_BUILD) has no \"no-export\" key yet"
fi

# -- nodes 1 and 2 both down: the client goes on to node 3, through ISP B
cloud_signal "${CLOUD_DNSD_PID[n1]}" KILL
cloud_signal "${CLOUD_DNSD_PID[n2]}" KILL
settle n3 15 || fail "n1 and n2 down: the client did not move to n3"
cloud_birdc ispa show route primary "$CLOUD_PREFIX" | grep -q '\[peer_ispb ' ||
	fail "n1 and n2 down: ISP A does not route through ISP B"
cloud_start_dnsd n2
settle n2 20 || fail "n2 restarted: the client did not come back to n2"
cloud_start_dnsd n1
settle n1 20 || fail "n1 restarted: the client did not come back to n1"
ok "n1 and n2 down: the client is served by n3 through ISP B; then n2, then n1 again"

# -- node 1's BIRD killed: the kernel closes its BGP sessions
cloud_stop_bird n1 KILL
t0=$CLOUD_T
settle n2 15 || fail "BIRD killed: the client did not move to n2"
cloud_start_bird n1
t1=$CLOUD_T
settle n1 20 || fail "BIRD restarted: the client did not come back to n1"
ROUNDS+=("bird-killed $t0 $t1 $EPOCHREALTIME $CLOUD_T_BIRD")
ok "BIRD killed: moved to n2, back to n1 after the restart"

# -- node 1's link down
cloud_link n1 down
t0=$CLOUD_T
settle n2 15 || fail "link down: the client did not move to n2"
cloud_link n1 up
t1=$CLOUD_T
settle n1 20 || fail "link up: the client did not come back to n1"
ROUNDS+=("link-down $t0 $t1 $EPOCHREALTIME $CLOUD_T_LINK")
ok "link down: moved to n2, back to n1 after the repair"

# -- node 1's zone file replaced by one with a wrong www A, the probe gate
# on (the default): refused before it is served; the client stays on n1
# and (the poller's check below) never sees the wrong address.  Last,
# because n1 then serves the copy it had, from a file-zone entry.
cloud_dnsd_wrong n1 gated
sleep 2
[ "$(cloud_nsid)" = n1 ] || fail "probe gate: the client left n1 (got $(cloud_nsid))"
grep -q "refused: probe www4 would fail" "$CLOUD_DIR/dnsd-n1.log" ||
	fail "probe gate: no 'refused: probe www4 would fail' in n1's raiz-dnsd log"
ok "probe gate: n1 refused a zone file with www $CLOUD_BAD_WWW, kept serving the client"

lab_kill "$POLL_PID" TERM
POLL_PID=
[ -s "$POLL_OUT" ] || fail "the poller wrote nothing"
# over the whole test: no wrong answer to the direct client, no wrong data
# through Unbound (lost queries and a SERVFAIL while a node is gone are not
# wrong answers)
bad=$(grep -cE '^D .* (wrong|fail) |^R .* wrong ' "$POLL_OUT")
[ "$bad" = 0 ] || fail "$bad wrong answers during the test: $(grep -m 5 -E '^D .* (wrong|fail) |^R .* wrong ' "$POLL_OUT")"
ok "$(grep -c . "$POLL_OUT") queries in all: $(grep -c ' lost ' "$POLL_OUT") lost, none wrong"

for r in "${ROUNDS[@]}"; do
	read -r name t0 t1 t2 bound <<<"$r"
	j=$(/usr/bin/python3 "$POLL" analyze "$POLL_OUT" --fault "$t0" --repair "$t1" --end "$t2" --node n1) ||
		fail "analysis failed"
	echo "# $name: $j"
	mt=$(jget "$j" direct_move.time)
	le "$mt" "$bound" || fail "$name: first correct answer from another node after $mt s (bound $bound s)"
	[ "$(jget "$j" direct_move.nsid)" = n2 ] || fail "$name: the client moved to $(jget "$j" direct_move.nsid), not n2"
	w=$(( $(jget "$j" direct_fault.wrong) + $(jget "$j" direct_repair.wrong) +
	      $(jget "$j" direct_fault.fail) + $(jget "$j" direct_repair.fail) ))
	[ "$w" = 0 ] || fail "$name: $w wrong answers (data or rcode) to the direct client"
	bt=$(jget "$j" direct_back.time)
	le "$bt" "$CLOUD_T_BACK" || fail "$name: n1 answered the client again only after $bt s"
	[ "$(jget "$j" direct_repair.lost)" = 0 ] || fail "$name: queries lost when n1 came back"
	[ "$(jget "$j" last_nsids)" = "['n1']" ] || fail "$name: at the end the client gets $(jget "$j" last_nsids)"
	# through Unbound: correct again within the window, never wrong data
	# (a SERVFAIL while the node is unreachable is counted, not failed)
	[ "$(jget "$j" resolver_fault.time)" != None ] || fail "$name: Unbound did not recover"
	w=$(( $(jget "$j" resolver_fault.wrong) + $(jget "$j" resolver_repair.wrong) ))
	[ "$w" = 0 ] || fail "$name: $w wrong answers (data) through Unbound"
	[ "$(jget "$j" resolver_repair.fail)" = 0 ] || fail "$name: SERVFAIL through Unbound when n1 came back"
	mt=$(printf '%.3f' "$mt"); bt=$(printf '%.3f' "$bt")
	ok "$name: n2 after $mt s (<= $bound), lost $(jget "$j" direct_move.lost), 0 wrong; back to n1 after $bt s; Unbound: outage $(jget "$j" resolver_fault.time) s, $(jget "$j" resolver_fault.lost) lost, $(jget "$j" resolver_fault.fail) SERVFAIL, 0 wrong"
done
echo "all checks passed"

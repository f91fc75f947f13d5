#!/bin/bash
# t_controller_bird — raiz-controller against a long-running private BIRD
# (no BGP, no kernel protocol, control socket in a tmpdir) and a real
# raiz-dnsd on 127.0.0.1 (ports 15700-15799):
#   35 s of probes flapping (raiz-dnsd hung with SIGSTOP, resumed): never
#     "BIRD restarted" nor "BIRD reconfigured by someone else", and BIRD is
#     configured exactly once per change of the prefixes' state (plus once
#     at start), counted in BIRD's own log;
#   an admin's `birdc configure` and a restart of BIRD are still noticed,
#     once each;
#   BIRD killed beforehand: SIGTERM and --stop-post exit at once (well
#     under the 10 s stop-timeout), whether the socket file is left behind
#     (connection refused) or gone; BIRD hung (SIGSTOP): --stop-post waits.
# Everything started here is stopped by PID on every exit path.
set -u
B=${RAIZ_BUILD:-build/asan}
for f in "$B/raiz-controller" "$B/raizctl" "$B/raiz-dnsd"; do
	[ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
done
command -v bird >/dev/null && command -v birdc >/dev/null || { echo "SKIP: no bird"; exit 77; }

B=$(cd "$B" && pwd)
T=$(mktemp -d /tmp/raiz-ctl-bird.XXXXXX)
PORT=$((15700 + $$ % 100))
DNSD_PID= CTL_PID= BIRD_PID=

stop_bird() {
	[ -n "$BIRD_PID" ] || return 0
	kill -CONT "$BIRD_PID" 2>/dev/null
	kill -TERM "$BIRD_PID" 2>/dev/null
	for i in $(seq 50); do kill -0 "$BIRD_PID" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$BIRD_PID" 2>/dev/null
	wait "$BIRD_PID" 2>/dev/null
	BIRD_PID=
}
cleanup() {
	trap - EXIT INT TERM
	for p in $CTL_PID $DNSD_PID; do
		kill -CONT "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	stop_bird
	[ -n "${RAIZ_TEST_KEEP:-}" ] && cp "$T/ctl.log" "$RAIZ_TEST_KEEP"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	echo "--- controller log" >&2; tail -n 40 "$T/ctl.log" >&2
	exit 1
}
ok() { echo "ok - $*"; }

mkdir -p "$T/run" "$T/state"
cat >"$T/example.zone" <<'EOF'
$ORIGIN example.
$TTL 3600
@ IN SOA ns1.example. host.example. 1 3600 900 604800 300
@ IN NS ns1.example.
ns1 IN A 192.0.2.53
EOF
cat >"$T/bird.conf" <<EOF
router id 192.0.2.1;
timeformat protocol iso long;
timeformat base iso long us;
log "$T/bird.log" all;
include "$T/state/bird-state.conf";
protocol device { }
protocol static raiz_v4 { disabled RAIZ_V4_WITHDRAWN; ipv4; route 192.0.2.0/24 blackhole; }
protocol static raiz_v6 { disabled RAIZ_V6_WITHDRAWN; ipv6; route 2001:db8::/48 blackhole; }
EOF
cat >"$T/raiz.json" <<EOF
// t_controller_bird
{
  "node": { "identity": "t2", "run-dir": "$T/run", "state-dir": "$T/state" },
  "dnsd": { "listen": ["127.0.0.1@$PORT"], "user": "" },
  "zones": [ { "name": "example.", "file": "example.zone" } ],
  "controller": { "stop-timeout": "10s" },
  "bird": { "socket": "$T/bird.ctl", "as": 65001 },
  "probes": [
    { "name": "udp4", "target": "127.0.0.1@$PORT", "qname": "example." },
    { "name": "tcp4", "transport": "tcp", "target": "127.0.0.1@$PORT", "qname": "example." }
  ],
  "services": [ { "name": "dns", "probes": ["udp4", "tcp4"], "damping": false } ],
  "prefixes": [
    { "prefix": "192.0.2.0/24", "static-protocol": "raiz_v4" },
    { "prefix": "2001:db8::/48", "static-protocol": "raiz_v6" }
  ]
}
EOF
cat >"$T/state/bird-state.conf" <<'EOF'
define RAIZ_V4_WITHDRAWN = 1;
define RAIZ_V4_DRAIN = 0;
define RAIZ_V6_WITHDRAWN = 1;
define RAIZ_V6_DRAIN = 0;
EOF

start_bird() {
	bird -f -c "$T/bird.conf" -s "$T/bird.ctl" -P "$T/bird.pid" >>"$T/bird.out" 2>&1 &
	BIRD_PID=$!
	for i in $(seq 100); do birdc -s "$T/bird.ctl" show status >/dev/null 2>&1 && break; sleep 0.05; done
	birdc -s "$T/bird.ctl" show status >/dev/null 2>&1 || fail "BIRD did not start"
}
start_dnsd() {
	rm -f "$T/run/dnsd.pid"
	"$B/raiz-dnsd" -c "$T/raiz.json" >>"$T/dnsd.log" 2>&1 &
	DNSD_PID=$!
	for i in $(seq 100); do [ -s "$T/run/dnsd.pid" ] && break; sleep 0.02; done
}
start_ctl() {
	"$B/raiz-controller" -c "$T/raiz.json" >>"$T/ctl.log" 2>&1 &
	CTL_PID=$!
}
proto() { birdc -s "$T/bird.ctl" show protocols "$1" | awk -v p="$1" '$1 == p { print $4 }'; }
wait_state() {  # up|down SECONDS: both static protocols
	local want=$1 i
	for ((i = 0; i < $2 * 50; i++)); do
		[ "$(proto raiz_v4)" = "$want" ] && [ "$(proto raiz_v6)" = "$want" ] && return 0
		sleep 0.02
	done
	return 1
}
# configurations BIRD applied (ours and anyone's), from its own log
bird_configures() { grep -c 'Reconfiguring$' "$T/bird.log"; }
# changes of the desired state of the v4 prefix, from the controller's log
ctl_changes() { grep -c 'reconcile: 192.0.2.0/24: [a-z]* -> ' "$T/ctl.log"; }
count_log() { grep -c "$1" "$T/ctl.log"; }
ctl() { "$B/raizctl" -c "$T/raiz.json" "$@"; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

start_bird
start_dnsd
start_ctl
wait_state up 6 || fail "not announced within 6 s of start"
ok "announced"

# --- 35 s of flapping: raiz-dnsd hung 3 s, then answering 4 s, 5 times
for i in 1 2 3 4 5; do
	kill -STOP "$DNSD_PID"
	sleep 3
	[ "$(proto raiz_v4)" = down ] || fail "flap $i: not withdrawn while raiz-dnsd hangs"
	kill -CONT "$DNSD_PID"
	sleep 4
	[ "$(proto raiz_v4)" = up ] || fail "flap $i: not announced again"
done
sleep 1.5
restarts=$(count_log 'BIRD restarted')
others=$(count_log 'BIRD reconfigured by someone else')
[ "$restarts" = 0 ] || fail "$restarts times 'BIRD restarted' on a BIRD that never restarted"
[ "$others" = 0 ] || fail "$others times 'reconfigured by someone else' while nobody else did"
changes=$(ctl_changes) configures=$(bird_configures)
[ "$changes" -ge 11 ] || fail "only $changes changes of state in 35 s of flapping"
[ "$configures" = $((changes + 1)) ] ||
	fail "BIRD configured $configures times for $changes changes (want $((changes + 1)))"
ok "35 s of flapping: $changes changes, $configures configures of BIRD, no false restart or reconfigure"

# --- still noticed: an admin's configure, a restart of BIRD
birdc -s "$T/bird.ctl" configure >/dev/null || fail "birdc configure"
for i in $(seq 100); do [ "$(count_log 'reconfigured by someone else')" = 1 ] && break; sleep 0.05; done
[ "$(count_log 'reconfigured by someone else')" = 1 ] || fail "an admin's configure went unnoticed"
sleep 3
[ "$(count_log 'reconfigured by someone else')" = 1 ] || fail "one admin configure noticed more than once"
[ "$(bird_configures)" = $((configures + 2)) ] ||
	fail "admin configure: $(bird_configures) configures (want $((configures + 2)): the admin's and one re-apply)"
ok "an admin's configure: noticed once, re-applied once"
configures=$(bird_configures)
stop_bird
start_bird
for i in $(seq 200); do [ "$(count_log 'BIRD restarted')" = 1 ] && break; sleep 0.05; done
[ "$(count_log 'BIRD restarted')" = 1 ] || fail "a restart of BIRD went unnoticed"
wait_state up 5 || fail "not announced after BIRD's restart"
sleep 3
[ "$(count_log 'BIRD restarted')" = 1 ] || fail "one restart of BIRD noticed more than once"
[ "$(count_log 'reconfigured by someone else')" = 1 ] || fail "a restart taken for someone's configure"
ok "a restart of BIRD: noticed once"

# --- BIRD killed: SIGTERM of the controller exits at once (stop-timeout 10 s)
kill -KILL "$BIRD_PID"; wait "$BIRD_PID" 2>/dev/null; BIRD_PID=
[ -S "$T/bird.ctl" ] || fail "the killed BIRD's socket file is gone (test expects it left behind)"
for i in $(seq 100); do ctl --json status 2>/dev/null | grep -q '"bird":"disconnected"' && break; sleep 0.05; done
t0=$EPOCHREALTIME
kill -TERM "$CTL_PID"; wait "$CTL_PID"; rc=$?
t=$(elapsed "$t0")
CTL_PID=
[ $rc = 0 ] || fail "controller exit $rc on SIGTERM with BIRD dead"
awk -v t="$t" 'BEGIN { exit !(t < 1) }' || fail "SIGTERM with BIRD dead took $t s (stop-timeout 10 s)"
grep -q 'BIRD is not running' "$T/ctl.log" || fail "no 'BIRD is not running' in the log"
grep -q '^define RAIZ_V4_WITHDRAWN = 1;' "$T/state/bird-state.conf" || fail "state file not withdrawn"
ok "SIGTERM with BIRD killed (connection refused): exited after $t s, state file withdrawn"

# --- the same for --stop-post (systemd's ExecStopPost), socket left and gone
for how in refused missing; do
	[ $how = missing ] && rm -f "$T/bird.ctl"
	t0=$EPOCHREALTIME
	SERVICE_RESULT=signal "$B/raiz-controller" -c "$T/raiz.json" --stop-post >>"$T/ctl.log" 2>&1
	rc=$?
	t=$(elapsed "$t0")
	[ $rc = 0 ] || fail "--stop-post with BIRD dead ($how): exit $rc"
	awk -v t="$t" 'BEGIN { exit !(t < 1) }' || fail "--stop-post with BIRD dead ($how) took $t s"
	ok "--stop-post with BIRD dead (socket $how): exited after $t s"
done

# --- but a BIRD that is only hung may still answer: --stop-post waits
sed -i 's/"stop-timeout": "10s"/"stop-timeout": "2s"/' "$T/raiz.json"
start_bird
kill -STOP "$BIRD_PID"
t0=$EPOCHREALTIME
SERVICE_RESULT=signal "$B/raiz-controller" -c "$T/raiz.json" --stop-post >>"$T/ctl.log" 2>&1
t=$(elapsed "$t0")
kill -CONT "$BIRD_PID"
awk -v t="$t" 'BEGIN { exit !(t >= 1.8 && t < 5) }' ||
	fail "--stop-post with BIRD hung returned after $t s (want the 2 s stop-timeout)"
ok "--stop-post with BIRD hung: waited the stop-timeout ($t s)"

grep -qi "sanitizer" "$T/ctl.log" && fail "sanitizer report in the controller log"
echo "PASS"
exit 0

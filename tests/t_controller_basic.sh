#!/bin/bash
# t_controller_basic — raiz-controller against a private BIRD (no kernel
# protocol, no BGP, control socket in a tmpdir) and a real raiz-dnsd on
# 127.0.0.1 (ports 15600-15699).  Checks, through `birdc show protocols`:
#   start: withdrawn, announced after rise good rounds
#   kill -9 raiz-dnsd -> static protocols down within 1 s; restart -> back
#   SIGSTOP raiz-dnsd (hang) -> down within 2.5 s; SIGCONT -> back
#   raiz-controller kill -9 and restart while healthy -> never withdrawn
#   raizctl drain -> state file says drain; undrain -> announce again
#   reload with a broken configuration -> refused with file:line, still running
#   raizctl exit codes (0 healthy, 1 not announcing, 3 unreachable)
#   SIGTERM -> withdrawn (on-stop withdraw)
# Everything started here is stopped by PID on every exit path.
set -u
B=${RAIZ_BUILD:-build/asan}
for f in "$B/raiz-controller" "$B/raizctl" "$B/raiz-dnsd"; do
	[ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
done
command -v bird >/dev/null && command -v birdc >/dev/null || { echo "SKIP: no bird"; exit 77; }

B=$(cd "$B" && pwd)
T=$(mktemp -d /tmp/raiz-ctl-basic.XXXXXX)
PORT=$((15600 + $$ % 100))
DNSD_PID= CTL_PID= BIRD_PID=

cleanup() {
	trap - EXIT INT TERM
	for p in $CTL_PID $DNSD_PID; do
		kill -CONT "$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$BIRD_PID" ] && kill -TERM "$BIRD_PID" 2>/dev/null
	for i in $(seq 50); do
		[ -n "$BIRD_PID" ] && kill -0 "$BIRD_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$BIRD_PID" ] && kill -KILL "$BIRD_PID" 2>/dev/null
	# RAIZ_TEST_KEEP=file keeps the controller's log for a post-mortem
	[ -n "${RAIZ_TEST_KEEP:-}" ] && cp "$T/ctl.log" "$RAIZ_TEST_KEEP"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	echo "--- controller log" >&2; tail -n 40 "$T/ctl.log" >&2
	echo "--- bird" >&2; birdc -s "$T/bird.ctl" show protocols >&2
	exit 1
}

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
log "$T/bird.log" all;
include "$T/state/bird-state.conf";
protocol device { }
protocol static raiz_v4 { disabled RAIZ_V4_WITHDRAWN; ipv4; route 192.0.2.0/24 blackhole; }
protocol static raiz_v6 { disabled RAIZ_V6_WITHDRAWN; ipv6; route 2001:db8::/48 blackhole; }
EOF
write_config() {   # $1 = extra controller keys, $2 = drain-time, $3 = extra service keys
	cat >"$T/raiz.json" <<EOF
// t_controller_basic
{
  "node": { "identity": "t1", "run-dir": "$T/run", "state-dir": "$T/state" },
  "dnsd": { "listen": ["127.0.0.1@$PORT"], "user": "" },
  "zones": [ { "name": "example.", "file": "example.zone" } ],
  "controller": { "drain-time": "${2:-1h}" $1 },
  "bird": { "socket": "$T/bird.ctl", "as": 65001 },
  "probes": [
    { "name": "udp4", "target": "127.0.0.1@$PORT", "qname": "example." },
    { "name": "tcp4", "transport": "tcp", "target": "127.0.0.1@$PORT", "qname": "example." },
    { "name": "dead", "transport": "tcp", "target": "127.0.0.1@$((PORT + 1))", "qname": "example." }
  ],
  "services": [ { "name": "dns", "probes": ["udp4", "tcp4" ${3:-}], "damping": false ${4:-} } ],
  "prefixes": [
    { "prefix": "192.0.2.0/24", "static-protocol": "raiz_v4" },
    { "prefix": "2001:db8::/48", "static-protocol": "raiz_v6" }
  ]
}
EOF
}
write_config ""
cat >"$T/state/bird-state.conf" <<'EOF'
define RAIZ_V4_WITHDRAWN = 1;
define RAIZ_V4_DRAIN = 0;
define RAIZ_V6_WITHDRAWN = 1;
define RAIZ_V6_DRAIN = 0;
EOF

bird -f -c "$T/bird.conf" -s "$T/bird.ctl" -P "$T/bird.pid" >"$T/bird.out" 2>&1 &
BIRD_PID=$!
for i in $(seq 100); do birdc -s "$T/bird.ctl" show status >/dev/null 2>&1 && break; sleep 0.05; done
birdc -s "$T/bird.ctl" show status >/dev/null 2>&1 || fail "BIRD did not start"

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
# protocol state as BIRD shows it: up / down
proto() { birdc -s "$T/bird.ctl" show protocols "$1" | awk -v p="$1" '$1 == p { print $4 }'; }
# wait_state up|down SECONDS: both static protocols; prints the seconds taken
wait_state() {
	local want=$1 t0=$EPOCHREALTIME deadline
	deadline=$(echo "$t0 + $2" | bc)
	while :; do
		if [ "$(proto raiz_v4)" = "$want" ] && [ "$(proto raiz_v6)" = "$want" ]; then
			echo "$EPOCHREALTIME - $t0" | bc
			return 0
		fi
		[ "$(echo "$EPOCHREALTIME > $deadline" | bc)" = 1 ] && return 1
		sleep 0.01
	done
}
ctl() { "$B/raizctl" -c "$T/raiz.json" "$@"; }

# --- start: withdrawn until rise good rounds, then announced
start_dnsd
start_ctl
[ "$(proto raiz_v4)" = down ] || fail "announced before any probe"
t=$(wait_state up 5) || fail "not announced within 5 s of start"
echo "announced ${t}s after start"
ctl status >"$T/status.txt"; rc=$?
[ $rc = 0 ] || fail "raizctl status exit $rc while healthy"
grep -q "192.0.2.0/24 .*ANNOUNCED" "$T/status.txt" || fail "status: $(cat "$T/status.txt")"
ctl --json status | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["healthy"] and d["services"][0]["state"]=="up", d' ||
	fail "raizctl --json status"

# --- crash: kill -9 raiz-dnsd -> withdrawn within 1 s
kill -KILL "$DNSD_PID"; wait "$DNSD_PID" 2>/dev/null
t=$(wait_state down 1) || fail "not withdrawn within 1 s of kill -9"
echo "withdrawn ${t}s after kill -9"
ctl status >/dev/null; rc=$?
[ $rc = 1 ] || fail "raizctl status exit $rc while withdrawn (want 1)"
ctl why | grep -q "hard failure confirmed" || fail "why does not say hard failure"

# --- recovery
start_dnsd
t=$(wait_state up 4) || fail "not re-announced within 4 s of restart"
echo "re-announced ${t}s after restart"

# --- hang: SIGSTOP -> withdrawn within 2.5 s
sleep 0.3
kill -STOP "$DNSD_PID"
t=$(wait_state down 2.5) || fail "not withdrawn within 2.5 s of SIGSTOP"
echo "withdrawn ${t}s after SIGSTOP"
kill -CONT "$DNSD_PID"
t=$(wait_state up 4) || fail "not re-announced after SIGCONT"

# --- controller kill -9 and restart while healthy: never withdrawn
sleep 0.5
kill -KILL "$CTL_PID"; wait "$CTL_PID" 2>/dev/null
start_ctl
for i in $(seq 150); do
	[ "$(proto raiz_v4)" = up ] || fail "withdrawn during a controller restart"
	sleep 0.02
done
ctl status >/dev/null || fail "restarted controller not healthy"
echo "controller restart: never withdrawn"

# --- BIRD goes away: not healthy, view forgotten, history; back after re-check
kill -TERM "$BIRD_PID"; wait "$BIRD_PID" 2>/dev/null
for i in $(seq 100); do ctl --json status | grep -q '"bird":"disconnected"' && break; sleep 0.05; done
ctl --json status | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["healthy"] is False and d["bird"] == "disconnected" and d["bird-since"], d
assert "not connected to BIRD" in d["healthy-why"], d["healthy-why"]
for p in d["prefixes"]:
    assert p["verified"] is False and p["bird"]["static"] == "unknown", p
' || fail "status while BIRD is away"
ctl status >/dev/null; [ $? = 1 ] || fail "status exit while BIRD is away (want 1)"
ctl why | grep -q "bird .*connected -> disconnected: lost the control socket" || fail "why: no BIRD loss"
bird -f -c "$T/bird.conf" -s "$T/bird.ctl" -P "$T/bird.pid" >>"$T/bird.out" 2>&1 &
BIRD_PID=$!
for i in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.05; done
ctl status >/dev/null || fail "not healthy after BIRD came back"
ctl why | grep -q "bird .*re-checking -> connected: re-checked after reconnecting" ||
	fail "why: no re-check after the reconnect"
echo "BIRD restart: reported disconnected, healthy again after the re-check"

# --- drain / undrain (persisted)
ctl drain --reason "t_controller_basic" >/dev/null || fail "raizctl drain"
sleep 0.3
grep -q "RAIZ_V4_DRAIN = 1" "$T/state/bird-state.conf" || fail "state file not drained"
[ -s "$T/state/maintenance.json" ] || fail "maintenance not persisted"
[ "$(proto raiz_v4)" = up ] || fail "drain withdrew before drain-time"
ctl status >/dev/null; [ $? = 1 ] || fail "status exit while draining (want 1)"
ctl status | grep -q "maintenance: DRAIN" || fail "status does not show maintenance"
ctl undrain >/dev/null || fail "raizctl undrain"
sleep 0.3
grep -q "RAIZ_V4_DRAIN = 0" "$T/state/bird-state.conf" || fail "state file still drained"
[ -e "$T/state/maintenance.json" ] && fail "maintenance file left after undrain"

# --- drain-time elapses -> withdrawn; undrain -> announced at once
write_config "" 0.5s
ctl reload >/dev/null || fail "reload with drain-time 0.5s"
ctl --json status | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["services"][0]
assert s["probes-ok"] == 2 and all(p["verdict"] == "ok" for p in s["probes"]), s
' || fail "probe results not carried over the reload"
ctl drain --reason short >/dev/null || fail "raizctl drain (short)"
t=$(wait_state down 2) || fail "not withdrawn after drain-time"
echo "drained, withdrawn ${t}s after drain (drain-time 0.5 s)"
ctl why | grep -q "maintenance: drained, then withdrawn" || fail "why does not explain the drain"
ctl undrain >/dev/null || fail "raizctl undrain (short)"
t=$(wait_state up 1) || fail "not announced after undrain"
write_config ""

# --- degraded: one probe of the service fails hard, the others answer
write_config "" "" ', "dead"'
ctl reload >/dev/null || fail "reload with a dead probe"
for i in $(seq 100); do
	ctl --json status | grep -q '"state":"degraded"' && break
	ctl --json status | grep -q '"state": *"degraded"' && break
	sleep 0.05
done
ctl --json status | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["services"][0]["state"]=="degraded", d["services"][0]' ||
	fail "service not degraded with one dead probe"
[ "$(proto raiz_v4)" = up ] || fail "degraded (policy keep) withdrew"
write_config "" "" ', "dead"' ', "degraded": "withdraw"'
ctl reload >/dev/null || fail "reload with degraded withdraw"
t=$(wait_state down 1) || fail "degraded with policy withdraw not withdrawn"
echo "degraded: kept with policy keep, withdrawn ${t}s after switching to policy withdraw"
write_config ""
ctl reload >/dev/null || fail "reload without the dead probe"
t=$(wait_state up 4) || fail "not re-announced after the dead probe was removed"

# --- the control socket answers garbage with an error and keeps serving
/usr/bin/python3 - "$T/run/controller.sock" <<'PY' || fail "control socket protocol"
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
for line, ok in ((b"not json\n", False), (b"[1,2]\n", False), (b'{"command": "nope"}\n', False),
                 (b'{"nocommand": 1}\n', False), (b'{"command": "status"}\n', True)):
    f.write(line); f.flush()
    r = json.loads(f.readline())
    assert r["ok"] == ok, (line, r)
s2 = socket.socket(socket.AF_UNIX); s2.connect(sys.argv[1])
s2.sendall(b"x" * 9000)
r = json.loads(s2.makefile("rb").readline())
assert not r["ok"] and "too long" in r["error"], r
PY
ctl status >/dev/null || fail "controller unhealthy after protocol abuse"

# --- a broken configuration is refused by reload, the controller keeps running
cp "$T/raiz.json" "$T/raiz.json.good"
write_config ', "on-stop": "sometimes"'
out=$(ctl reload 2>&1); rc=$?   # raizctl reads the file itself first
[ $rc = 2 ] || fail "raizctl reload of a broken config: exit $rc (want 2)"
echo "$out" | grep -q "raiz.json:[0-9]*:" || fail "raizctl: error without file:line: $out"
out=$("$B/raizctl" -s "$T/run/controller.sock" reload 2>&1); rc=$?
[ $rc = 1 ] || fail "controller reload of a broken config: exit $rc (want 1)"
echo "$out" | grep -q "raiz.json:[0-9]*:" || fail "controller: error without file:line: $out"
kill -HUP "$CTL_PID"
sleep 0.3
grep -q "reload refused.*raiz.json:[0-9]*:" "$T/ctl.log" || fail "SIGHUP: no refusal logged"
cp "$T/raiz.json.good" "$T/raiz.json"
kill -0 "$CTL_PID" || fail "controller died on a bad reload"
ctl reload >/dev/null || fail "reload of the good config"
ctl status >/dev/null || fail "not healthy after reload"

# --- SIGTERM withdraws (on-stop withdraw); more stop signals and a
# SIGHUP while it stops neither kill it nor reload it
kill -TERM "$CTL_PID"
for i in 1 2 3 4 5 6 7 8 9 10; do
	kill -HUP "$CTL_PID" 2>/dev/null; kill -TERM "$CTL_PID" 2>/dev/null; kill -INT "$CTL_PID" 2>/dev/null
	sleep 0.01
done
wait "$CTL_PID"; rc=$?
CTL_PID=
[ $rc = 0 ] || fail "controller exit $rc on SIGTERM (and more stop signals)"
[ "$(grep -c 'signal [0-9]*: stopping' "$T/ctl.log")" = 1 ] || fail "the stop did not run exactly once"
[ "$(proto raiz_v4)" = down ] && [ "$(proto raiz_v6)" = down ] || fail "SIGTERM did not withdraw"
ctl status >/dev/null 2>&1; rc=$?
[ $rc = 3 ] || fail "raizctl status with no controller: exit $rc (want 3)"
grep -qi "sanitizer" "$T/ctl.log" && fail "sanitizer report in the controller log"
echo "PASS"
exit 0

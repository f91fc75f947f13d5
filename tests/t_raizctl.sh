#!/bin/bash
# t_raizctl — raizctl as the one tool for both control sockets, against the
# real things on loopback (ports 15700-15799): raiz-dnsd, a private node
# BIRD (tests/bird/node.conf.in: static protocols + a BGP session, no kernel
# protocol), an ISP BIRD peering with it over 127.0.0.1, raiz-controller.
# Checks:
#   status: exit 0 when announcing, the prefix ANNOUNCED, the dnsd zones
#     with serials, the BGP session; --json parses and has "dnsd"
#   metrics: valid text exposition format 0.0.4 (every sample line
#     `name{labels} value`, every family with HELP and TYPE, families
#     contiguous), query counters, zone serials, service state, prefixes
#   why: exit 0 while announcing; BGP session down -> status exit 1
#   reload reaches both daemons (and --dnsd / --controller only one); a zone
#     that does not load shows in status (exit 1) and in metrics
#   dnsd down: status says so (exit 1), metrics has raiz_up{daemon="dnsd"} 0
#     and the controller's families, exit non-zero
#   controller down: status exit 3, still shows dnsd; metrics exit 3
# Everything started here is stopped by PID on every exit path.
set -u
B=${RAIZ_BUILD:-build/asan}
for f in "$B/raiz-controller" "$B/raizctl" "$B/raiz-dnsd"; do
	[ -x "$f" ] || { echo "SKIP: $f not built"; exit 77; }
done
command -v bird >/dev/null && command -v birdc >/dev/null || { echo "SKIP: no bird"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
PY=/usr/bin/python3
SRC=$(pwd)
B=$(cd "$B" && pwd)
T=$(mktemp -d /tmp/raiz-raizctl.XXXXXX)
BASE=$((15700 + ($$ % 33) * 3))
PORT=$BASE NODE_PORT=$((BASE + 1)) ISP_PORT=$((BASE + 2))
DNSD_PID= CTL_PID= BIRD_PID= ISP_PID=

stop_bird() {   # pid
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	for i in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	trap - EXIT INT TERM
	for p in $CTL_PID $DNSD_PID; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	stop_bird "$BIRD_PID"
	stop_bird "$ISP_PID"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	echo "--- controller log" >&2; tail -n 30 "$T/ctl.log" >&2
	echo "--- dnsd log" >&2; tail -n 20 "$T/dnsd.log" >&2
	exit 1
}

mkdir -p "$T/run" "$T/state"
cat >"$T/example.zone" <<'EOF'
$ORIGIN example.
$TTL 3600
@ IN SOA ns1.example. host.example. 2026112101 3600 900 604800 300
@ IN NS ns1.example.
ns1 IN A 192.0.2.53
EOF
cat >"$T/arpa.zone" <<'EOF'
$ORIGIN 2.0.192.in-addr.arpa.
$TTL 3600
@ IN SOA ns1.example. host.example. 7 3600 900 604800 300
@ IN NS ns1.example.
EOF
write_config() {   # $1 = extra zones
	cat >"$T/raiz.json" <<EOF
// t_raizctl
{
  "node": { "identity": "t-raizctl", "run-dir": "$T/run", "state-dir": "$T/state" },
  "dnsd": { "listen": ["127.0.0.1@$PORT"], "user": "" },
  "zones": [ { "name": "example.", "file": "example.zone" },
             { "name": "2.0.192.in-addr.arpa.", "file": "arpa.zone" } ${1:-} ],
  "controller": { },
  "bird": { "socket": "$T/bird.ctl", "state-file": "$T/state.conf", "as": 65001 },
  "probes": [
    { "name": "udp4", "target": "127.0.0.1@$PORT", "qname": "example.", "qtype": "SOA" },
    { "name": "tcp4", "transport": "tcp", "target": "127.0.0.1@$PORT", "qname": "example." }
  ],
  "services": [ { "name": "dns", "probes": ["udp4", "tcp4"], "damping": false } ],
  "prefixes": [
    { "prefix": "192.0.2.0/24", "static-protocol": "raiz_v4", "bgp": ["isp"] },
    { "prefix": "2001:db8::/48", "static-protocol": "raiz_v6", "bgp": ["isp"] }
  ]
}
EOF
}
write_config

subst() {   # template out
	sed -e "s|@DIR@|$T|g" -e "s|@NODE_ADDR@|127.0.0.1|g" -e "s|@ISP_ADDR@|127.0.0.1|g" \
	    -e "s|@NODE_PORT@|$NODE_PORT|g" -e "s|@ISP_PORT@|$ISP_PORT|g" "$SRC/tests/bird/$1" >"$2"
}
subst node.conf.in "$T/node.conf"
subst isp.conf.in "$T/isp.conf"
cp "$SRC/tests/bird/state.conf" "$T/state.conf"

start_bird() {   # conf sock -> pid in BIRD_STARTED
	bird -f -c "$1" -s "$2" -P "$2.pid" >>"$T/bird.out" 2>&1 &
	BIRD_STARTED=$!
	for i in $(seq 100); do birdc -s "$2" show status >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
start_bird "$T/node.conf" "$T/bird.ctl" || fail "node BIRD did not start: $(cat "$T/bird.out")"
BIRD_PID=$BIRD_STARTED
start_bird "$T/isp.conf" "$T/isp.ctl" || fail "ISP BIRD did not start: $(cat "$T/bird.out")"
ISP_PID=$BIRD_STARTED

start_dnsd() {
	rm -f "$T/run/dnsd.pid"
	"$B/raiz-dnsd" -c "$T/raiz.json" >>"$T/dnsd.log" 2>&1 &
	DNSD_PID=$!
	for i in $(seq 200); do [ -S "$T/run/dnsd.sock" ] && [ -s "$T/run/dnsd.pid" ] && break; sleep 0.02; done
}
start_ctl() {
	"$B/raiz-controller" -c "$T/raiz.json" >>"$T/ctl.log" 2>&1 &
	CTL_PID=$!
}
ctl() { "$B/raizctl" -c "$T/raiz.json" "$@"; }

# the exposition format checker: $1 = file; prints the family names
check_metrics() {
	$PY - "$1" <<'PY'
import re, sys
name_re = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label_re = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r'^(%s)(\{(%s(,%s)*)?\})? (\S+)$' % (name_re, label_re, label_re))
helps, types, seen, order, series = {}, {}, set(), [], set()
lines = open(sys.argv[1]).read().split('\n')
assert lines[-1] == '', 'no final newline'
for ln in lines[:-1]:
    if ln.startswith('# HELP '):
        n = ln.split(' ', 3)[2]
        assert n not in helps, 'HELP twice: ' + n
        helps[n] = ln
        continue
    if ln.startswith('# TYPE '):
        _, _, n, t = ln.split(' ')
        assert t in ('counter', 'gauge', 'histogram', 'summary', 'untyped'), ln
        assert n not in types and n not in seen, 'TYPE after samples or twice: ' + n
        types[n] = t
        continue
    assert not ln.startswith('#') and ln.strip(), 'stray line: %r' % ln
    m = sample.match(ln)
    assert m, 'not a sample line: %r' % ln
    n = m.group(1)
    float(m.group(5))
    assert n in helps and n in types, 'no HELP/TYPE before ' + n
    if n not in seen:
        seen.add(n); order.append(n)
    else:
        assert order[-1] == n, 'family not contiguous: ' + n
    assert ln.rsplit(' ', 1)[0] not in series, 'duplicate series: ' + ln
    series.add(ln.rsplit(' ', 1)[0])
    assert n.startswith('raiz_'), n
for n in order:
    print(n)
PY
}

# --- start: announced, and status shows both daemons
start_dnsd
[ -S "$T/run/dnsd.sock" ] || fail "raiz-dnsd did not start"
start_ctl
for i in $(seq 200); do ctl status >/dev/null 2>&1 && break; sleep 0.05; done
ctl status >"$T/status.txt"; rc=$?
cat "$T/status.txt"
[ $rc = 0 ] || fail "raizctl status exit $rc while healthy"
grep -q "^192.0.2.0/24 .*ANNOUNCED" "$T/status.txt" || fail "status: no announced prefix"
grep -q "^dnsd: .*2 of 2 zones loaded" "$T/status.txt" || fail "status: dnsd summary"
grep -q "example\. .*serial 2026112101" "$T/status.txt" || fail "status: zone serial"
grep -q "2.0.192.in-addr.arpa\. .*serial 7" "$T/status.txt" || fail "status: second zone serial"
ctl --json status | $PY -c '
import json, sys
d = json.load(sys.stdin)
assert d["healthy"] is True, d
assert d["dnsd"]["reachable"] is True, d["dnsd"]
z = {x["name"]: x for x in d["dnsd"]["zones"]}
assert z["example."]["serial"] == 2026112101 and z["example."]["loaded"], z
assert [p["prefix"] for p in d["prefixes"]] == ["192.0.2.0/24", "2001:db8::/48"], d
' || fail "raizctl --json status"

# the BGP session to the ISP comes up; status shows it
for i in $(seq 100); do
	ctl status | grep -q "isp up .*exported" && break
	sleep 0.1
done
ctl status | grep -q "isp up .*exported" || fail "status does not show the BGP session up"

# --- some traffic, then metrics
for i in 1 2 3; do
	dig -p "$PORT" @127.0.0.1 +tries=1 +time=1 SOA example. >/dev/null
	dig -p "$PORT" @127.0.0.1 +tries=1 +time=1 +tcp A nonexistent.example. >/dev/null
	dig -p "$PORT" @127.0.0.1 +tries=1 +time=1 A other.tld. >/dev/null
done
ctl metrics >"$T/metrics.txt"; rc=$?
[ $rc = 0 ] || fail "raizctl metrics exit $rc with both daemons up"
check_metrics "$T/metrics.txt" >"$T/families.txt" || fail "metrics: not valid exposition format"
for fam in raiz_up raiz_dnsd_queries_total raiz_dnsd_responses_total raiz_dnsd_zone_serial \
	   raiz_dnsd_zone_loaded raiz_dnsd_uptime_seconds raiz_service_state raiz_probe_latency_seconds \
	   raiz_probe_verdict raiz_service_transitions_total raiz_prefix_announced \
	   raiz_prefix_desired raiz_prefix_verified raiz_maintenance raiz_bgp_session_up; do
	grep -qx "$fam" "$T/families.txt" || fail "metrics: no $fam"
done
grep -qx 'raiz_up{daemon="dnsd"} 1' "$T/metrics.txt" || fail "metrics: dnsd not up"
grep -qx 'raiz_dnsd_zone_serial{zone="example."} 2026112101' "$T/metrics.txt" || fail "metrics: serial"
grep -qx 'raiz_service_state{service="dns",state="up"} 1' "$T/metrics.txt" || fail "metrics: state"
grep -qx 'raiz_prefix_announced{prefix="192.0.2.0/24"} 1' "$T/metrics.txt" || fail "metrics: prefix"
grep -qx 'raiz_bgp_session_up{protocol="isp"} 1' "$T/metrics.txt" || fail "metrics: bgp"
tcp=$(sed -n 's/^raiz_dnsd_queries_total{transport="tcp"} //p' "$T/metrics.txt")
nx=$(sed -n 's/^raiz_dnsd_responses_total{rcode="NXDOMAIN"} //p' "$T/metrics.txt")
ref=$(sed -n 's/^raiz_dnsd_responses_total{rcode="REFUSED"} //p' "$T/metrics.txt")
[ "${tcp:-0}" -ge 3 ] && [ "${nx:-0}" -ge 3 ] && [ "${ref:-0}" -ge 3 ] ||
	fail "metrics: query counters tcp=$tcp NXDOMAIN=$nx REFUSED=$ref"
ctl --json metrics | $PY -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] and d["dnsd"]["stats"]["queries"]["tcp"] >= 3 and d["controller"]["healthy"], d
' || fail "metrics --json"

# --- reload: both daemons; a zone that does not load shows up everywhere
out=$(ctl reload 2>&1) || fail "raizctl reload: $out"
echo "$out" | grep -q "^raiz-dnsd: " && echo "$out" | grep -q "^raiz-controller: " ||
	fail "reload did not reach both daemons: $out"
ctl --json reload | $PY -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] and d["dnsd"]["ok"] and d["controller"]["ok"], d' || fail "reload --json"
out=$(ctl reload --dnsd 2>&1) || fail "reload --dnsd: $out"
echo "$out" | grep -q "raiz-controller" && fail "reload --dnsd reached the controller: $out"
write_config ', { "name": "broken.", "file": "missing.zone" }'
ctl reload --dnsd >"$T/reload.txt" 2>&1; rc=$?
cat "$T/reload.txt"
ctl status >"$T/status.txt"; rc=$?
cat "$T/status.txt"
[ $rc = 1 ] || fail "status exit $rc with a zone not loaded (want 1)"
grep -q "^192.0.2.0/24 .*ANNOUNCED" "$T/status.txt" || fail "controller stopped announcing"
grep -q "broken\. .*NOT LOADED" "$T/status.txt" || fail "status: broken zone not shown"
ctl metrics >"$T/metrics.txt" || fail "metrics with a broken zone"
grep -qx 'raiz_dnsd_zone_loaded{zone="broken."} 0' "$T/metrics.txt" || fail "metrics: broken zone"
write_config
ctl reload >/dev/null 2>&1 || fail "reload back to the good configuration"
ctl status >/dev/null || fail "not healthy after the good reload"

# --- why answers (exit 0 while announcing) with the transitions
ctl why >"$T/why.txt"; rc=$?
[ $rc = 0 ] || fail "raizctl why exit $rc while announcing"
grep -q "service dns .*unknown -> up" "$T/why.txt" || fail "why: $(cat "$T/why.txt")"

# --- the BGP session down (ISP BIRD stopped): status is not 0 any more
stop_bird "$ISP_PID"; ISP_PID=
for i in $(seq 100); do ctl status >/dev/null 2>&1 || break; sleep 0.1; done
ctl status >"$T/status.txt"; rc=$?
[ $rc = 1 ] || fail "status exit $rc with the BGP session down (want 1)"
grep -q "no BGP session of 192.0.2.0/24 is up" "$T/status.txt" || fail "status: $(cat "$T/status.txt")"
ctl metrics | grep -qx 'raiz_bgp_session_up{protocol="isp"} 0' || fail "metrics: BGP session still up"
start_bird "$T/isp.conf" "$T/isp.ctl" || fail "ISP BIRD did not restart"
ISP_PID=$BIRD_STARTED
for i in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ctl status >/dev/null || fail "status not 0 after the BGP session came back"

# --- raiz-dnsd down: status says so, metrics has the controller and dnsd 0
kill -KILL "$DNSD_PID"; wait "$DNSD_PID" 2>/dev/null; DNSD_PID=
ctl status >"$T/status.txt" 2>&1; rc=$?
[ $rc = 1 ] || fail "status exit $rc with raiz-dnsd down (want 1)"
grep -q "^dnsd: NOT REACHABLE" "$T/status.txt" || fail "status: dnsd down not shown: $(cat "$T/status.txt")"
ctl metrics >"$T/metrics.txt" 2>"$T/metrics.err"; rc=$?
[ $rc != 0 ] || fail "metrics exit 0 with raiz-dnsd down"
check_metrics "$T/metrics.txt" >"$T/families.txt" || fail "metrics (dnsd down) not valid"
grep -qx 'raiz_up{daemon="dnsd"} 0' "$T/metrics.txt" || fail "metrics: no raiz_up dnsd 0"
grep -qx 'raiz_service_state' "$T/families.txt" || fail "metrics: controller families missing"
grep -q 'raiz_dnsd_queries_total' "$T/metrics.txt" && fail "metrics: dnsd counters while down"
start_dnsd
for i in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.05; done

# --- controller down: exit 3, dnsd still shown
kill -TERM "$CTL_PID"; wait "$CTL_PID"; CTL_PID=
ctl status >"$T/status.txt" 2>&1; rc=$?
[ $rc = 3 ] || fail "status exit $rc with the controller down (want 3)"
grep -q "^dnsd: .*zones loaded" "$T/status.txt" || fail "status without controller: no dnsd"
ctl metrics >"$T/metrics.txt" 2>/dev/null; rc=$?
[ $rc = 3 ] || fail "metrics exit $rc with the controller down (want 3)"
check_metrics "$T/metrics.txt" >/dev/null || fail "metrics (controller down) not valid"
grep -qx 'raiz_up{daemon="controller"} 0' "$T/metrics.txt" || fail "metrics: controller up?"
grep -q '^raiz_dnsd_zone_serial{zone="example."} 2026112101$' "$T/metrics.txt" || fail "metrics: dnsd part"
ctl --json status | $PY -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is False and d["controller"]["reachable"] is False and d["dnsd"]["reachable"], d
' || fail "--json status without controller"
grep -qi "sanitizer" "$T/ctl.log" "$T/dnsd.log" && fail "sanitizer report in a daemon log"
echo "PASS"
exit 0

#!/usr/bin/env bash
# t_anycast — the node polices itself, seen from the host ISP's BIRD.
#
# A node namespace runs raiz-dnsd on 192.0.2.53 / 2001:db8::53, BIRD with
# the configuration `raizctl bird-conf` generates, and raiz-controller; an
# ISP namespace runs BIRD with the generated ISP example and peers over
# eBGP (IPv4 and IPv6 sessions).  Every check looks at the ISP's routing
# table:
#   healthy -> both prefixes; kill -9 raiz-dnsd -> both gone; SIGSTOP ->
#   gone; the zone answering REFUSED -> gone; other data than expected ->
#   gone; signatures expiring inside the margin -> gone; each time recovery -> back; BIRD restart and an admin
#   `configure` -> state kept; the node's link down and its BIRD hung
#   (SIGSTOP) -> gone through BFD, and back within 2.5 s of the repair
#   (twice: BIRD's error backoff must not grow); controller kill -9 and restart while healthy
#   -> never withdrawn; drain -> 65535:0 and the prepend at the ISP, then
#   withdrawn, undrain -> back; a 30 s dnsperf flood -> never withdrawn.
# Damping is off here (each failure is provoked on purpose, one after the
# other); everything else is at the defaults (interval 500 ms, fall 2,
# rise 3, hold-down 1 s).  Bounds are generous: this is a correctness test;
# bench/failover measures.
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/lib/lab.sh

fail() {
	echo "FAIL: $*" >&2
	if [ -n "$LAB_DIR" ]; then
		echo "--- controller.log (tail)" >&2
		grep -v ': info: ' "$LAB_DIR/controller.log" 2>/dev/null | tail -n 25 >&2
		echo "--- dnsd.log (tail)" >&2
		tail -n 15 "$LAB_DIR/dnsd.log" >&2 2>/dev/null
		for b in node isp; do
			echo "--- BIRD $b log (tail)" >&2
			tail -n 25 "$LAB_DIR/bird-$b.events" >&2 2>/dev/null
		done
	fi
	exit 1
}
ok() { echo "ok - $*"; }

for b in raiz-dnsd raiz-controller raizctl; do
	[ -x "$RAIZ_BUILD/$b" ] || lab_skip "$RAIZ_BUILD/$b not built"
done
for t in dig ldns-keygen ldns-signzone dnsperf; do
	command -v "$t" >/dev/null || lab_skip "needs $t"
done

lab_init
lab_dns_up ', "drain-time": "3s"' ', "damping": false'
ok "lab up: BIRD x2, raiz-dnsd (pid $LAB_DNSD_PID), raiz-controller (pid $LAB_CONTROLLER_PID)"

expect_present() {  # what, timeout, [t0]
	local t
	t=$(lab_wait_route present "$LAB_PREFIXES" "$2" "${3:-}") ||
		fail "$1: prefixes not at the ISP after $t s"
	ok "$1: both prefixes at the ISP after $t s"
}

expect_absent() {   # what, timeout, t0
	local t
	t=$(lab_wait_route absent "$LAB_PREFIXES" "$2" "$3") ||
		fail "$1: prefixes still at the ISP after $t s"
	ok "$1: both prefixes gone from the ISP $t s after the failure"
}

# start a background watch that fails when a prefix disappears
watch_start() {
	( lab_route_never absent "$LAB_PREFIXES" "$1" ) &
	WATCH_PID=$!
	LAB_PIDS+=("$WATCH_PID")
}
watch_end() {
	wait "$WATCH_PID" || fail "$1: a prefix was withdrawn"
	ok "$1: never withdrawn"
}

state_file_says() {  # 0|1 for WITHDRAWN of both
	grep -q "^define RAIZ_V4_WITHDRAWN = $1;" "$LAB_DIR/state/bird-state.conf" &&
		grep -q "^define RAIZ_V6_WITHDRAWN = $1;" "$LAB_DIR/state/bird-state.conf"
}

# ---- healthy ----
expect_present "healthy at start" 15
state_file_says 0 || fail "state file does not say announced"
lab_isp_route_attrs "$LAB_PREFIX_V4" | grep -qx 'as_path: 65001' || fail "unexpected AS path"
ok "the state file says announced; AS path 65001, no drain attributes"
raizctl() { "$RAIZ_BUILD/raizctl" -c "$LAB_DIR/raiz.json" "$@"; }
raizctl status >"$LAB_DIR/status.out" 2>&1 ||
	fail "raizctl status: exit $? while healthy: $(cat "$LAB_DIR/status.out")"
ok "raizctl status exits 0 while announcing"

# ---- crash ----
t0=$EPOCHREALTIME
lab_kill "$LAB_DNSD_PID" KILL
expect_absent "kill -9 raiz-dnsd" 5 "$t0"
sleep 0.5
state_file_says 1 || fail "state file does not say withdrawn after the crash"
raizctl status >"$LAB_DIR/status.out" 2>&1 && fail "raizctl status exits 0 while withdrawn"
ok "raizctl status exits non-zero while withdrawn"
t0=$EPOCHREALTIME
lab_start_dnsd
expect_present "recovery after the crash" 15 "$t0"

# ---- hang ----
t0=$EPOCHREALTIME
kill -STOP "$LAB_DNSD_PID"
expect_absent "SIGSTOP raiz-dnsd" 8 "$t0"
t0=$EPOCHREALTIME
kill -CONT "$LAB_DNSD_PID"
expect_present "recovery after SIGCONT" 15 "$t0"

# ---- wrong answer: the zone is no longer served (REFUSED) ----
t0=$EPOCHREALTIME
lab_dnsd_refuse
expect_absent "zone answering REFUSED" 8 "$t0"
rc=$(lab_dig SOA example. @"$LAB_SVC_V4" | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
[ "$rc" = REFUSED ] || fail "expected REFUSED from raiz-dnsd, got '$rc'"
t0=$EPOCHREALTIME
lab_dnsd_unrefuse
expect_present "recovery after serving the zone again" 15 "$t0"

# ---- wrong answer: the zone file now holds other data ----
# The probe gate (dnsd.probe-gate, on by default) refuses the version
# before it is served: the node stays announced and answers .80.
lab_make_zone $((10 * 86400)) 4 198.51.100.99
watch_start 3
kill -HUP "$LAB_DNSD_PID"
watch_end "a zone file with www 198.51.100.99 (the probe expects .80)"
a=$(lab_dig +short A www.example. @"$LAB_SVC_V4")
[ "$a" = 198.51.100.80 ] || fail "the probe gate: www.example. answers '$a', not the served .80"
grep -q "serial 4 refused: probe .* would fail" "$LAB_DIR/dnsd.log" ||
	fail "the probe gate: no 'serial 4 refused: probe ... would fail' in raiz-dnsd's log"
ok "the probe gate kept serial 4 from being served; www.example. still answers 198.51.100.80"
# Without the gate the wrong data is served, and the controller's probe
# must catch it.
lab_dnsd_set '"probe-gate": false'
t0=$EPOCHREALTIME
kill -HUP "$LAB_DNSD_PID"
expect_absent "www.example. answering 198.51.100.99 instead of .80 (no probe gate)" 8 "$t0"
lab_dnsd_set '"probe-gate": true'
lab_make_zone $((10 * 86400)) 5
t0=$EPOCHREALTIME
kill -HUP "$LAB_DNSD_PID"
expect_present "recovery after restoring the data" 15 "$t0"

# ---- signatures expiring inside the margin (24 h) ----
lab_make_zone 3600 6
t0=$EPOCHREALTIME
kill -HUP "$LAB_DNSD_PID"
expect_absent "RRSIGs expiring in 1 h (margin 24 h)" 8 "$t0"
lab_make_zone $((10 * 86400)) 7
t0=$EPOCHREALTIME
kill -HUP "$LAB_DNSD_PID"
expect_present "recovery after re-signing" 15 "$t0"

# ---- BIRD: admin configure and restart keep the state ----
watch_start 3
lab_birdc node configure | grep -q 'Reconfigur' || fail "birdc configure"
watch_end "admin configure of the node's BIRD"
lab_stop_bird node
lab_start_bird node
lab_wait_established 30 || fail "sessions not back after the node's BIRD restart"
expect_present "after a restart of the node's BIRD" 10
lab_birdc node show protocols | awk '$1 ~ /^raiz_v[46]$/ && $4 != "up" { exit 1 }' ||
	fail "static protocols not up after the BIRD restart"

# ---- the node's link and its BIRD fail and are repaired ----
# The generated sessions connect every second and restart at once after an
# error, on both ends (bird-conf/README.md, TIMERS): a repaired node is back
# at the ISP within about a second.  Twice each, so that a backoff growing
# with consecutive errors would show.  Like a carrier loss, the admin-down
# link keeps its IPv6 addresses here (Linux drops them otherwise).
lab_ns node sysctl -qw net.ipv6.conf.node0.keep_addr_on_down=1 || fail "sysctl (node)"
lab_ns isp sysctl -qw net.ipv6.conf.isp0.keep_addr_on_down=1 || fail "sysctl (isp)"
expect_back_soon() {  # what, t0
	local t
	t=$(lab_wait_route present "$LAB_PREFIXES" 10 "$2") ||
		fail "$1: prefixes not back at the ISP after $t s"
	awk -v t="$t" 'BEGIN { exit !(t < 2.5) }' ||
		fail "$1: prefixes back at the ISP only after $t s (want < 2.5 s)"
	ok "$1: both prefixes back at the ISP $t s after the repair"
}
for round in 1 2; do
	t0=$EPOCHREALTIME
	lab_ns node ip link set node0 down
	expect_absent "node link down ($round)" 5 "$t0"
	sleep 1.5
	t0=$EPOCHREALTIME
	lab_ns node ip link set node0 up
	expect_back_soon "node link up again ($round)" "$t0"
	t0=$EPOCHREALTIME
	kill -STOP "${LAB_BIRD_PID[node]}"
	expect_absent "node's BIRD hung, SIGSTOP ($round)" 5 "$t0"
	sleep 1.5
	t0=$EPOCHREALTIME
	kill -CONT "${LAB_BIRD_PID[node]}"
	expect_back_soon "node's BIRD resumed, SIGCONT ($round)" "$t0"
done

# ---- controller crash and restart while healthy ----
# First the node must be healthy again after the faults above: every
# prefix announced, shown so by BIRD and heard over an Established session
# (the BGP and BFD sessions may still be settling).
for i in $(seq 250); do
	lab_ctl '{"command":"status"}' | grep -q '"healthy":true' && break
	sleep 0.02
done
lab_ctl '{"command":"status"}' | grep -q '"healthy":true' ||
	fail "not healthy 5 s after the BIRD faults"
sleep 1
watch_start 6
lab_kill "$LAB_CONTROLLER_PID" KILL
sleep 0.5
lab_start_controller
sleep 1
lab_ctl '{"command":"status"}' | grep -q '"healthy":true' ||
	fail "restarted controller not healthy"
watch_end "kill -9 and restart of raiz-controller"
lab_ctl '{"command":"status"}' | grep -q '"announced":true' ||
	fail "restarted controller does not see the prefixes announced"

# ---- drain ----
t0=$EPOCHREALTIME
raizctl drain --reason t_anycast >/dev/null || fail "raizctl drain refused"
for i in $(seq 250); do
	a=$(lab_isp_route_attrs "$LAB_PREFIX_V4")$(lab_isp_route_attrs "$LAB_PREFIX_V6")
	[ "$(grep -c '(65535,0)' <<<"$a")" = 2 ] && break
	sleep 0.02
done
echo "$a"
for p in $LAB_PREFIXES; do
	a=$(lab_isp_route_attrs "$p")
	grep -q 'community:.*(65535,0)' <<<"$a" || fail "drain: $p without 65535:0 at the ISP"
	grep -qx 'as_path: 65001 65001 65001 65001' <<<"$a" || fail "drain: $p without the prepend"
	grep -qx 'local_pref: 0' <<<"$a" || fail "drain: the ISP did not lower local-pref of $p"
done
ok "drain: 65535:0, AS path 65001 x4 and local-pref 0 at the ISP after $(lab_elapsed "$t0") s"
expect_absent "drain-time 3 s over" 8 "$t0"
t0=$EPOCHREALTIME
raizctl undrain >/dev/null || fail "raizctl undrain refused"
expect_present "undrain" 15 "$t0"
lab_isp_route_attrs "$LAB_PREFIX_V4" | grep -q '65535,0' && fail "undrain kept 65535:0"

# ---- a bounded flood: 30 s of dnsperf against the node ----
qf=$LAB_DIR/queries
for i in $(seq 200); do printf 'example. SOA\nwww.example. A\nnx%d.example. A\n' "$i"; done >"$qf"
watch_start 32
lab_ns node dnsperf -s "$LAB_SVC_V4" -d "$qf" -l 30 -c 8 -T 2 -Q 100000 -t 1 \
	>"$LAB_DIR/dnsperf.out" 2>&1 || fail "dnsperf failed: $(tail -n 5 "$LAB_DIR/dnsperf.out")"
grep -E 'Queries (sent|completed)|Queries per second' "$LAB_DIR/dnsperf.out"
watch_end "30 s dnsperf flood"

# ---- clean exits, no sanitizer reports ----
lab_kill "$LAB_CONTROLLER_PID" TERM
lab_kill "$LAB_DNSD_PID" TERM
for f in controller dnsd; do
	if grep -q 'Sanitizer' "$LAB_DIR/$f.log"; then
		grep -B2 -A20 'Sanitizer' "$LAB_DIR/$f.log" | head -n 40 >&2
		fail "sanitizer report in $f.log"
	fi
done
echo "PASS"

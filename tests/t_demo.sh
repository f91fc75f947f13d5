#!/usr/bin/env bash
# t_demo: `make run` and `make demo-failover` work and leave nothing behind.
# Runs tests/demo/run (the README's demo node on tests/demo/raiz.json) for a
# few seconds, then its --failover mode, and checks the ISP saw the node,
# that the failover timeline completed, and that the demo's namespaces are
# gone afterwards.
set -u
cd "$(dirname "$0")/.." || exit 2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
export RAIZ_BUILD=${RAIZ_BUILD:-build/asan}
out=$(mktemp -d /tmp/raiz-t-demo.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*"; sed 's/^/    /' "$out"/*.txt; exit 1; }

RAIZ_DEMO_SECONDS=3 timeout -k 5 120 tests/demo/run >"$out/run.txt" 2>&1 ||
	fail "tests/demo/run exited $?"
grep -q "the ISP has 192.0.2.0/24 and 2001:db8::/48" "$out/run.txt" || fail "never announced"
grep -q "raizctl -c .*status" "$out/run.txt" || fail "no instructions printed"
ip netns list | grep -q 'raiz-demo-' && fail "demo namespaces left behind"

timeout -k 5 120 tests/demo/run --failover >"$out/failover.txt" 2>&1 ||
	fail "tests/demo/run --failover exited $?"
grep -q "the ISP has withdrawn both prefixes" "$out/failover.txt" || fail "no withdraw"
grep -q "both prefixes are back at the ISP" "$out/failover.txt" || fail "no recovery"
grep -q "healthy, every prefix announced" "$out/failover.txt" || fail "final status not healthy"
ip netns list | grep -q 'raiz-demo-' && fail "demo namespaces left behind"
grep -h "withdrawn both\|back at the ISP" "$out/failover.txt"
echo "demo ok"

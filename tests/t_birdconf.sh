#!/usr/bin/env bash
# t_birdconf — every BIRD configuration raiz ships or generates parses with
# the real BIRD (`bird -p -c`):
#   - the examples in bird-conf/ (the node's bird.conf with the default
#     state file included, the ISP example), and they are not stale: they
#     equal what `raizctl bird-conf` makes from the example raiz.json;
#   - what `raizctl bird-conf node|isp|state` generates from several
#     configurations (the lab's; one with three sessions, multihop, a
#     password, per-prefix session lists and no BFD), with the default
#     state file and with a state file that announces and drains;
#   - the default state file starts every prefix withdrawn;
#   - every BGP session of both ends carries the timers that bring a
#     repaired node back within about a second (connect delay 1, connect
#     retry 1, error wait 0, 0), the node's with graceful restart off;
#   - a configuration the generator cannot express is refused with a
#     reason and a non-zero exit, printing no configuration.
set -u
cd "$(dirname "$0")/.." || exit 2
RAIZ_BUILD=${RAIZ_BUILD:-build/asan}
raizctl=$RAIZ_BUILD/raizctl
example=${RAIZ_EXAMPLE_CONFIG:-tests/demo/raiz.json}

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
for f in bird-conf/bird.conf bird-conf/isp-example.conf bird-conf/bird-state.conf; do
	[ -s "$f" ] || fail "$f missing"
done
awk '/^define .*_WITHDRAWN = / && $4 != "1;" { exit 1 }' bird-conf/bird-state.conf ||
	fail "bird-conf/bird-state.conf does not start withdrawn"
grep -q '_WITHDRAWN = 1;' bird-conf/bird-state.conf || fail "bird-conf/bird-state.conf is empty"
parses "$(with_state bird-conf/bird.conf "$PWD/bird-conf/bird-state.conf")" ||
	fail "bird-conf/bird.conf (with bird-conf/bird-state.conf)"
parses bird-conf/isp-example.conf || fail "bird-conf/isp-example.conf"
ok "bird-conf/bird.conf (with the shipped state file) and bird-conf/isp-example.conf parse"

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

# ---- generated from other configurations ----
gen_all() {  # name, config
	local name=$1 cfg=$2 kind
	for kind in node isp state; do
		"$raizctl" -c "$cfg" bird-conf $kind >"$tmp/$name.$kind" 2>"$tmp/$name.$kind.err" ||
			fail "$name: raizctl bird-conf $kind: $(cat "$tmp/$name.$kind.err")"
	done
	awk '/^define .*_WITHDRAWN = / && $4 != "1;" { exit 1 }' "$tmp/$name.state" ||
		fail "$name: the default state file does not start withdrawn"
	# the include names the configured state file; point it at ours
	parses "$(with_state "$tmp/$name.node" "$tmp/$name.state")" ||
		fail "$name: generated node configuration"
	parses "$tmp/$name.isp" || fail "$name: generated ISP configuration"
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
	for kind in node isp; do
		n=$(grep -c '^protocol bgp ' "$tmp/$name.$kind")
		[ "$n" -gt 0 ] || fail "$name: $kind: no BGP session"
		for opt in 'connect delay time 1;' 'connect retry time 1;' 'error wait time 0, 0;'; do
			[ "$(grep -cxF "	$opt" "$tmp/$name.$kind")" = "$n" ] ||
				fail "$name: $kind: '$opt' not on each of its $n sessions"
		done
	done
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
echo PASS

#!/usr/bin/env bash
# t_hardening: the systemd units, as `make install` installs them, use what
# systemd offers to confine a service: `systemd-analyze security
# --offline=true` must score each below 2.0 (the "Overall exposure level"
# line), every directive must be one systemd knows, and the privilege model
# of raiz-dnsd(8)/raiz-controller(8) PRIVILEGES must hold: neither runs as
# root, dnsd keeps CAP_NET_BIND_SERVICE alone, the controller none.
# Skipped (77) when systemd-analyze lacks --offline (systemd < 250).
set -u
cd "$(dirname "$0")/.." || exit 2
command -v systemd-analyze >/dev/null 2>&1 || { echo "no systemd-analyze"; exit 77; }
systemd-analyze security --help 2>/dev/null | grep -q -- '--offline' ||
	{ echo "systemd-analyze has no --offline"; exit 77; }
d=$(mktemp -d /tmp/raiz-t-hardening.XXXXXX)
trap 'rm -rf "$d" "$d.log"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

make -s install DESTDIR="$d" PREFIX=/usr >"$d.log" 2>&1 || { cat "$d.log"; fail "make install"; }
units=$d/usr/lib/systemd/system
bad=0
for u in raiz-dnsd raiz-controller; do
	f=$units/$u.service
	[ -s "$f" ] || fail "$u.service not installed"
	out=$(systemd-analyze security --offline=true --no-pager "$f" 2>&1)
	line=$(printf '%s\n' "$out" | grep 'Overall exposure level')
	score=$(printf '%s\n' "$line" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p')
	[ -n "$score" ] || { printf '%s\n' "$out" | tail -n 20; fail "$u: no exposure level in the output"; }
	if awk -v s="$score" 'BEGIN { exit !(s < 2.0) }'; then
		echo "ok   $u.service exposure $score (< 2.0)"
	else
		printf '%s\n' "$out" | grep -v '✓'
		echo "FAIL $u.service exposure $score (>= 2.0)"
		bad=1
	fi
	# a misspelt directive is ignored by systemd (and by the score): refuse it
	unknown=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$f" 2>&1 |
		grep -i 'unknown key\|unknown section\|failed to parse\|invalid' || true)
	[ -z "$unknown" ] || { echo "FAIL $u.service: $unknown"; bad=1; }
	grep -q '^User=' "$f" || { echo "FAIL $u.service runs as root (no User=)"; bad=1; }
	grep -q '^NoNewPrivileges=yes' "$f" || { echo "FAIL $u.service: no NoNewPrivileges=yes"; bad=1; }
done
grep -q '^User=raiz$' "$units/raiz-dnsd.service" || { echo "FAIL dnsd not User=raiz"; bad=1; }
grep -q '^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$' "$units/raiz-dnsd.service" ||
	{ echo "FAIL dnsd bounding set is not CAP_NET_BIND_SERVICE alone"; bad=1; }
grep -q '^CapabilityBoundingSet=$' "$units/raiz-controller.service" ||
	{ echo "FAIL controller keeps capabilities"; bad=1; }
grep -q '^SupplementaryGroups=.*\bbird\b' "$units/raiz-controller.service" ||
	{ echo "FAIL controller not in group bird"; bad=1; }
[ "$bad" -eq 0 ] || exit 1
echo "hardening ok"

#!/usr/bin/env bash
# t_deb: the Debian package.  `make deb` in a clean clone of HEAD builds
# raiz_VERSION_ARCH.deb (lintian-clean: make deb fails otherwise) with the
# Makefile's VERSION; the package is then installed with dpkg -i, checked
# (files, owners, conffiles, user and state directory, units not enabled,
# raiz-dnsd -n and raiz-controller -n on the installed example), removed
# and purged, and must leave nothing behind: not the raiz user and group,
# not /var/lib/raiz, /etc/raiz or /run/raiz.  A second round starts with a
# raiz user made beforehand (as `make deps` and `make install` do), which
# purge must leave alone, and a third with only a raiz group.
#
# dpkg runs in a throw-away root: this machine's own root file system seen
# through a copy-on-write overlay in a private mount namespace, so the real
# dpkg database, /etc/passwd and the raiz user that the other tests use are
# never touched, and nothing stays installed whatever way the test ends
# (the overlay lives on a tmpfs that vanishes with the namespace).
# Takes about a minute, most of it compiling the tree once.
set -u
cd "$(dirname "$0")/.." || exit 2
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root"
for c in git unshare chroot dpkg ldns-keygen ldns-signzone; do
	command -v "$c" >/dev/null || skip "no $c"
done
git rev-parse --verify -q HEAD >/dev/null || skip "not a git repository"
unset MAKEFLAGS MFLAGS MAKELEVEL

tmp=$(mktemp -d /tmp/raiz-t-deb.XXXXXX)
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

host_status=$(dpkg-query -W -f='${Status}' raiz 2>/dev/null)

# ---- build from a clean clone ----
git clone -q --no-local . "$tmp/src" || fail "git clone"
[ -d "$tmp/src/debian" ] || fail "HEAD has no debian/"
version=$(sed -n 's/^VERSION *= *//p' "$tmp/src/Makefile")
[ -n "$version" ] || fail "no VERSION in the Makefile"
arch=$(dpkg --print-architecture)
start=$(date +%s)
(cd "$tmp/src" && make deb) >"$tmp/build.log" 2>&1 ||
	{ tail -n 60 "$tmp/build.log"; fail "make deb"; }
echo "make deb: $(($(date +%s) - start)) s"
sed -n '/^lintian /,$p' "$tmp/build.log"
deb=$tmp/src/build/deb/raiz_${version}_${arch}.deb
[ -s "$deb" ] || fail "make deb left no $(basename "$deb")"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] ||
	fail "package version $(dpkg-deb -f "$deb" Version), Makefile says $version"
[ "$(dpkg-parsechangelog -l "$tmp/src/debian/changelog" -SVersion)" = "$version" ] ||
	fail "debian/changelog is not at $version"
grep -q '^lintian .*--fail-on error,warning' "$tmp/build.log" || fail "make deb did not run lintian"
grep -q '^   dh_auto_test\|tests/run\|build/asan\|libcmocka' "$tmp/build.log" &&
	fail "the package build ran the test suite"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in adduser libev4 libldns3 libjson-c5 libssl3; do
	[[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[[ $(dpkg-deb -f "$deb" Recommends) == *bird2* ]] || fail "bird2 not recommended"

# ---- what runs inside the throw-away root ----
cat >"$tmp/in-root.sh" <<'EOF'
set -u
deb=$1 version=$2 tmp=$3
fail() { echo "FAIL: $*"; exit 1; }
export DEBIAN_FRONTEND=noninteractive

install_deb() {
	if ! dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
		# missing dependencies: let apt bring them (within this root)
		apt-get install -f -y -q >>"$tmp/dpkg.log" 2>&1 ||
			{ cat "$tmp/dpkg.log"; fail "dpkg -i"; }
	fi
	[ "$(dpkg-query -W -f='${Status} ${Version}' raiz)" = "install ok installed $version" ] ||
		{ cat "$tmp/dpkg.log"; fail "raiz $version not installed"; }
}
owner() { stat -c '%U:%G %a' "$1"; }
leftovers() {
	getent passwd raiz >/dev/null && echo "user raiz"
	getent group raiz >/dev/null && echo "group raiz"
	getent passwd raiz-controller >/dev/null && echo "user raiz-controller"
	getent group raiz-controller >/dev/null && echo "group raiz-controller"
	for p in /var/lib/raiz /etc/raiz /run/raiz; do [ -e "$p" ] && echo "$p"; done
	while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done <"$tmp/files"
	dpkg-query -W -f='${Status}\n' raiz 2>/dev/null | grep -v '^unknown ok not-installed$\|^$'
}

# the machine as a fresh node would be: no raiz anything
dpkg --purge raiz >/dev/null 2>&1
userdel raiz-controller >/dev/null 2>&1; groupdel raiz-controller >/dev/null 2>&1
userdel raiz >/dev/null 2>&1; groupdel raiz >/dev/null 2>&1
rm -rf /var/lib/raiz /etc/raiz /run/raiz
getent passwd raiz >/dev/null && fail "cannot remove the raiz user in the throw-away root"

# ---- round 1: fresh install ----
install_deb
dpkg -L raiz >"$tmp/files"
for f in /usr/sbin/raiz-dnsd /usr/sbin/raiz-controller /usr/sbin/raizctl \
	 /usr/share/man/man5/raiz.json.5.gz /usr/share/man/man7/raiz.7.gz \
	 /usr/share/man/man8/raiz-dnsd.8.gz /usr/share/man/man8/raiz-controller.8.gz \
	 /usr/share/man/man8/raizctl.8.gz \
	 /lib/systemd/system/raiz-dnsd.service /lib/systemd/system/raiz-controller.service \
	 /usr/lib/tmpfiles.d/raiz.conf /etc/raiz/raiz.json.example \
	 /usr/share/doc/raiz/bird-conf/bird.conf /usr/share/doc/raiz/bird-conf/bird-state.conf \
	 /usr/share/doc/raiz/bird-conf/isp-example.conf /usr/share/doc/raiz/README.Debian \
	 /usr/share/doc/raiz/copyright /usr/share/doc/raiz/changelog.gz; do
	grep -qx "$f" "$tmp/files" || fail "$f not in the package"
	[ -s "$f" ] || fail "$f not installed"
done
while read -r f; do
	[ -L "$f" ] && continue   # /lib on a merged-/usr system
	[ -e "$f" ] || fail "$f listed but missing"
	case $(owner "$f") in
	root:root\ 755|root:root\ 644) ;;
	*) fail "$f: $(owner "$f") (want root:root, 0755 or 0644)" ;;
	esac
done <"$tmp/files"
for x in raiz-dnsd raiz-controller raizctl; do
	[ "$(stat -c %a /usr/sbin/$x)" = 755 ] || fail "/usr/sbin/$x not 0755"
done
grep -q '@SBINDIR@\|@SYSCONFDIR@' /lib/systemd/system/raiz-*.service && fail "unsubstituted unit"
grep -q '^ExecStart=/usr/sbin/raiz-dnsd -c /etc/raiz/raiz.json$' /lib/systemd/system/raiz-dnsd.service ||
	fail "raiz-dnsd.service does not run /usr/sbin/raiz-dnsd on /etc/raiz/raiz.json"
[ "$(dpkg-query -W -f='${Conffiles}' raiz | awk 'NF {print $1}')" = /etc/raiz/raiz.json.example ] ||
	fail "conffiles: $(dpkg-query -W -f='${Conffiles}' raiz)"
[ -e /etc/raiz/raiz.json ] && fail "a live /etc/raiz/raiz.json was installed"
# units installed, not enabled, not started
ls /etc/systemd/system/*.wants/raiz-* 2>/dev/null && fail "units enabled on install"
[ -e /run/raiz/dnsd.pid ] || [ -e /run/raiz/controller.sock ] && fail "a daemon was started"

# the user, the group, the state directory
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd raiz) || fail "no raiz user"
[ "$uid" -lt 1000 ] || fail "raiz is not a system user (uid $uid)"
[ "$(getent group raiz | cut -d: -f3)" = "$gid" ] || fail "raiz's primary group is not raiz"
[ "$home" = /var/lib/raiz ] || fail "raiz's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "raiz's shell is $shell"
[ "$(owner /var/lib/raiz)" = "root:raiz 1775" ] || fail "/var/lib/raiz: $(owner /var/lib/raiz)"
[ "$(owner /var/lib/raiz/zones)" = "raiz:raiz 750" ] ||
	fail "/var/lib/raiz/zones: $(owner /var/lib/raiz/zones)"
if command -v systemd-tmpfiles >/dev/null; then
	[ "$(owner /run/raiz)" = "root:raiz 1775" ] || fail "/run/raiz (tmpfiles): $(owner /run/raiz)"
fi
runuser -u raiz -- sh -c 'touch /var/lib/raiz/zones/w && rm /var/lib/raiz/zones/w' ||
	fail "user raiz cannot write /var/lib/raiz/zones"
# raiz-controller: its own system user, in group raiz (and bird when BIRD
# is installed), not in raiz's primary group the other way round
IFS=: read -r _ _ cuid _ _ _ cshell < <(getent passwd raiz-controller) ||
	fail "no raiz-controller user"
[ "$cuid" -lt 1000 ] || fail "raiz-controller is not a system user (uid $cuid)"
[ "$cshell" = /usr/sbin/nologin ] || fail "raiz-controller's shell is $cshell"
id -nG raiz-controller | tr ' ' '\n' | grep -qx raiz || fail "raiz-controller not in group raiz"
if getent group bird >/dev/null; then
	id -nG raiz-controller | tr ' ' '\n' | grep -qx bird || fail "raiz-controller not in group bird"
fi
id -nG raiz | tr ' ' '\n' | grep -qx raiz-controller && fail "raiz is in group raiz-controller"

# the version, from the Makefile to the programs
[ "$(raizctl -V)" = "raizctl $version" ] || fail "raizctl -V: $(raizctl -V)"
raiz-dnsd -v | grep -qw "$version" || fail "raiz-dnsd -v: $(raiz-dnsd -v)"

# the installed example, as installed, with the zone file it names
cp /etc/raiz/raiz.json.example "$tmp/raiz.json"
zf=$(sed -n 's/.*"file": *"\([^"]*\)".*/\1/p' "$tmp/raiz.json")
[ "$zf" = /var/lib/raiz/zones/example.zone.signed ] || fail "the example's zone file is $zf"
# signed, as the example's name says and its probes expect (RRSIG over the
# SOA): raiz-dnsd -n asks the zone the probes' questions (dnsd.probe-gate)
cat >"$tmp/example.zone" <<ZONE
\$ORIGIN example.
\$TTL 300
@	SOA	ns1.example. hostmaster.example. 1 3600 600 86400 300
@	NS	ns1.example.
ns1	A	192.0.2.53
www	A	198.51.100.80
ZONE
(cd "$tmp" && ksk=$(ldns-keygen -a ECDSAP256SHA256 -k example.) &&
 zsk=$(ldns-keygen -a ECDSAP256SHA256 example.) &&
 ldns-signzone -f "$zf" example.zone "$ksk" "$zsk") || fail "cannot sign the example zone"
chown raiz:raiz "$zf"
raiz-dnsd -n -c "$tmp/raiz.json" >"$tmp/n.log" 2>&1 || { cat "$tmp/n.log"; fail "raiz-dnsd -n"; }
raiz-controller -n -c "$tmp/raiz.json" >"$tmp/n.log" 2>&1 ||
	{ cat "$tmp/n.log"; fail "raiz-controller -n"; }
raizctl -c "$tmp/raiz.json" bird-conf node | grep -v '^# Generated by' |
	cmp -s - <(grep -v '^# Generated by' /usr/share/doc/raiz/bird-conf/bird.conf) ||
	fail "the installed bird-conf/bird.conf is not what raizctl makes of the example"
echo 'define RAIZ_V4_WITHDRAWN = true;' >/var/lib/raiz/bird-state.conf

# installing again (as an upgrade would) keeps everything
uid0=$uid
install_deb
[ "$(id -u raiz)" = "$uid0" ] || fail "reinstall changed raiz's uid"
[ -s "$zf" ] || fail "reinstall lost /var/lib/raiz"

# remove keeps configuration, user and state; purge takes them
dpkg --remove raiz >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --remove"; }
[ -x /usr/sbin/raiz-dnsd ] && fail "remove left the programs"
getent passwd raiz >/dev/null || fail "remove took the raiz user"
[ -s "$zf" ] || fail "remove took /var/lib/raiz"
[ -e /etc/raiz/raiz.json.example ] || fail "remove took the conffile"
dpkg --purge raiz >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --purge"; }
left=$(leftovers)
[ -z "$left" ] || fail "purge left: $(echo $left)"
echo "round 1 (fresh node): installed, checked, purged: nothing left"

# ---- round 2: a raiz user existed before the package ----
useradd --system --no-create-home --home-dir /var/lib/raiz --shell /usr/sbin/nologin raiz ||
	fail "useradd"
uid0=$(id -u raiz)
install_deb
[ "$(id -u raiz)" = "$uid0" ] || fail "the package replaced the existing raiz user"
[ "$(owner /var/lib/raiz/zones)" = "raiz:raiz 750" ] ||
	fail "/var/lib/raiz/zones: $(owner /var/lib/raiz/zones)"
dpkg --purge raiz >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --purge"; }
[ "$(id -u raiz 2>/dev/null)" = "$uid0" ] || fail "purge removed a raiz user it had not made"
for p in /var/lib/raiz /etc/raiz /run/raiz; do [ -e "$p" ] && fail "purge left $p"; done
echo "round 2 (existing raiz user): kept by purge, the rest removed"

# ---- round 3: only a raiz group existed before ----
userdel raiz >/dev/null 2>&1; groupdel raiz >/dev/null 2>&1
groupadd --system raiz || fail "groupadd"
gid0=$(getent group raiz | cut -d: -f3)
install_deb
[ "$(id -g raiz)" = "$gid0" ] || fail "the package user is not in the existing raiz group"
dpkg --purge raiz >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --purge"; }
getent passwd raiz >/dev/null && fail "purge left the raiz user it made"
[ "$(getent group raiz | cut -d: -f3)" = "$gid0" ] || fail "purge removed a raiz group it had not made"
echo "round 3 (existing raiz group): user removed, group kept"
EOF

# ---- the throw-away root: / under an overlay on a tmpfs, in a private
# mount namespace; every mount goes away with the namespace ----
cat >"$tmp/ns.sh" <<'EOF'
set -eu
tmp=$1; shift
ov=$tmp/ov r=$tmp/ov/root
mount -t tmpfs -o mode=0755 raiz-t-deb "$ov"
mkdir "$ov/upper" "$ov/work" "$r"
mount -t overlay raiz-t-deb -o "lowerdir=/,upperdir=$ov/upper,workdir=$ov/work" "$r" ||
	{ echo "SKIP: no overlay file system for a throw-away root"; exit 77; }
mount --rbind /dev "$r/dev"
mount --rbind /proc "$r/proc"
mount -t tmpfs -o mode=0755 raiz-t-deb-run "$r/run"   # no host systemd in here
mkdir -p "$r$tmp"
mount --bind "$tmp" "$r$tmp"
exec chroot "$r" /bin/bash "$tmp/in-root.sh" "$@"
EOF
mkdir "$tmp/ov"
unshare -m --propagation private true 2>/dev/null || skip "cannot make a mount namespace"
start=$(date +%s)
unshare -m --propagation private /bin/bash "$tmp/ns.sh" "$tmp" "$deb" "$version" "$tmp"
rc=$?
echo "install/purge rounds: $(($(date +%s) - start)) s"
[ "$(dpkg-query -W -f='${Status}' raiz 2>/dev/null)" = "$host_status" ] ||
	fail "the machine's own dpkg database changed"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || exit 1
echo "deb ok: raiz_${version}_${arch}.deb"

#!/usr/bin/python3
"""t_xfr -- raiz-dnsd as a secondary of real primaries (Knot and NSD).

Starts, on loopback, Knot (knotd 3.x: zones k.test. and w.test.), a second
Knot (e.test., the zone that expires) and NSD (n.test.) as primaries
(tests/lib/primary.py), and raiz-dnsd (from $RAIZ_BUILD, default
build/asan) whose raiz.json holds the four zones as secondary zones (per
/work/notes/xfr-spec.md: "primaries", "tsig-key", timers, "trust-anchors",
"zonemd", "allow-transfer"), its state-dir in a temporary directory.

  harness   the primaries serve AXFR with the TSIG key (checked by the
            reference secondary check_stream()), refuse it without
  knot      k.test. (NSEC3, ZONEMD SIMPLE SHA-384, TSIG hmac-sha256, trust
            anchor): the initial AXFR; raiz serves the same records as Knot
            (AXFR from raiz to an allow-transfer address, or a query for
            every name and type when raiz does not give AXFR); then two
            changes made with Knot's own tooling (zone file + knotc
            zone-reload; Knot sends NOTIFY): each arrives by IXFR
            (`zones` last-transfer kind) and is served within 1 s; compared
            again
  nsd       n.test. (NSEC, ZONEMD) from NSD: the same, NOTIFY over UDP
  wrongkey  w.test. transferred with the right key, then raiz reloaded
            with a wrong secret for it: a refresh fails with a TSIG
            reason in last-failure, the copy (same serial) is still served
  trial     `transfer-trial k.test.` (control socket and raizctl):
            verdict pass, every check ok, nothing published
  expire    e.test. (SOA refresh 2 retry 1 expire 6): its primary
            stopped, still served until expire, then SERVFAIL; back once
            the primary is
  restart   raiz-dnsd restarted with every primary down: the stored copies
            are served at once, record for record
Exit 0 pass, 1 fail, 77 when knotd/knotc/nsd/nsd-control/ldns-signzone or
dnspython are missing.  Every wait is bounded: a raiz-dnsd without zone
transfers fails each check with the reason, it does not hang.
"""

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

try:
	import dns.rcode  # noqa: F401 -- dnspython present
except ImportError:
	print("t_xfr: SKIP, python3-dnspython missing (run with /usr/bin/python3)")
	sys.exit(77)

import dnsd  # noqa: E402
import raizlab  # noqa: E402
from primary import (PRIMARY_PORTS, Checks, KnotPrimary, NsdPrimary, Secondary, TsigKey, ZoneData,  # noqa: E402
		     base_records, check_stream, compare_served, failure_after, have_tools, hosts,
		     axfr)

K, W, N, E = "k.test.", "w.test.", "n.test.", "e.test."
TSIG_REASON = re.compile(r"(?i)tsig|badsig|badkey|notauth|signature")
ck = Checks("t_xfr")


def section(name):
	print("--- %s" % name, flush=True)


def raizctl(sec, *args):
	"""$RAIZ_BUILD/raizctl -d <dnsd socket> args: (exit status, output)."""
	b = os.path.join(os.path.dirname(dnsd.binary()), "raizctl")
	if not os.access(b, os.X_OK):
		return None, "raizctl not built"
	p = subprocess.run([b, "-c", sec.config_path, "-d", os.path.join(sec.run_dir, "dnsd.sock")] +
			   list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
			   stdin=subprocess.DEVNULL, universal_newlines=True)
	return p.returncode, p.stdout


def zone_ok(z, serial, kind=None):
	return z is not None and z.get("serial") == serial and z.get("served") is True and \
		(kind is None or (z.get("last-transfer") or {}).get("kind") == kind)


def check_initial(sec, prim, zone, zd, what):
	"""The first copy: served, `zones` says so, same records as the primary."""
	el = sec.wait_serial(zone, zd.serial, timeout=20)
	if not ck(el is not None, "%s: initial transfer, serial %d served" % (what, zd.serial),
		  "served %s; zones: %s" % (sec.serial(zone), sec.zone(zone))):
		return None
	z = sec.zone(zone) or {}
	ck(z.get("kind") == "secondary" and z.get("state") == "current" and z.get("served") is True,
	   "%s: zones says kind secondary, state current, served" % what,
	   {k: z.get(k) for k in ("kind", "state", "served")})
	lt = z.get("last-transfer") or {}
	ck(lt.get("kind") == "AXFR" and lt.get("serial") == zd.serial,
	   "%s: last-transfer is the AXFR of serial %d" % (what, zd.serial), lt)
	expected = prim.records(zone)
	ck(z.get("records") == len(expected), "%s: zones records = %d (the primary's count)"
	   % (what, len(expected)), z.get("records"))
	return compare_served(ck, sec, zone, expected, what, key=prim.key_of(zone))


def check_update(sec, prim, zone, what, spliced=True, **change):
	"""A change at the primary (its own tooling; it sends NOTIFY): IXFR,
	served within 1 s, same records; applied by a splice (dnsd/zsplice.h)
	unless spliced is False (a change of more than an eighth of the zone
	is rebuilt)."""
	t_wall = time.time()
	serial = prim.update(zone, **change)
	el = sec.wait_serial(zone, serial, timeout=10)
	ck(el is not None and el <= 1.0, "%s: serial %d served within 1 s of the primary's NOTIFY"
	   % (what, serial), "after %s s (served %s; the primary's log: %s)"
	   % ("%.3f" % el if el is not None else "> 10", sec.serial(zone), notify_log(prim)))
	z, ok = sec.wait_zone(zone, lambda z: z["serial"] == serial, timeout=3)
	z = z or {}
	lt = z.get("last-transfer") or {}
	ck(lt.get("kind") == "IXFR" and lt.get("serial") == serial,
	   "%s: last-transfer kind IXFR, serial %d" % (what, serial), lt)
	m = re.search(r"zone %s: IXFR from .* -> %d, .*records \((\w+)\)" % (re.escape(zone), serial),
		      sec.log())
	ck(m is not None and (m.group(1) == "spliced" or not spliced),
	   "%s: the IXFR was %s" % (what, "spliced into the copy (dnsd/zsplice.h)" if spliced
				    else "applied (spliced or, for a large change, rebuilt)"),
	   m.group(0) if m else sec.log_tail(10))
	pl = z.get("publish-latency-ms")
	ck(isinstance(pl, (int, float)) and 0 <= pl <= 1000, "%s: publish-latency-ms <= 1000" % what, pl)
	nr = z.get("notify-received-at")
	ck(isinstance(nr, (int, float)) and nr >= int(t_wall) - 1, "%s: notify-received-at set" % what, nr)
	compare_served(ck, sec, zone, prim.records(zone), "%s (after serial %d)" % (what, serial),
		       key=prim.key_of(zone))


def notify_log(prim):
	"""The primary's log lines about NOTIFY (why a NOTIFY may not have worked)."""
	lines = [l for l in prim.log_tail(60).splitlines() if "notif" in l.lower()]
	return " | ".join(lines[-3:]) or "no NOTIFY lines"


def main():
	missing = have_tools("knotd", "knotc", "nsd", "nsd-control", "ldns-signzone", "ldns-keygen")
	if missing:
		print("t_xfr: SKIP, not installed: %s" % " ".join(missing))
		return 77
	dnsd.install_signal_handlers()
	tmp = tempfile.mkdtemp(prefix="raiz-xfr-")
	t_start = time.monotonic()
	try:
		with contextlib.ExitStack() as stack:
			run(stack, tmp)
	except Exception as e:           # a primary did not start, a tool failed ...
		traceback.print_exc()
		ck(False, "t_xfr ran to the end", "%s: %s" % (e.__class__.__name__, e))
	finally:
		if os.environ.get("RAIZ_KEEP"):
			print("kept %s" % tmp)
		else:
			shutil.rmtree(tmp, ignore_errors=True)
	print("t_xfr: %.1f s" % (time.monotonic() - t_start))
	return ck.done()


def run(stack, tmp):
	key = TsigKey.new("xfr-key")
	wkey = TsigKey.new("w-key")
	kz = ZoneData(K, base_records() + hosts(150), os.path.join(tmp, "kz"), serial=2026120701,
		      soa=(3600, 3600, 1209600, 300), sign={"nsec3": True, "zonemd": True})
	wz = ZoneData(W, base_records() + hosts(20), os.path.join(tmp, "wz"), serial=1,
		      soa=(3600, 3600, 1209600, 300))
	# NSD 4.6.1 cannot create IXFR for an NSEC3 zone (its spool of the zone
	# fails): n.test. is signed with NSEC
	nz = ZoneData(N, base_records() + hosts(100), os.path.join(tmp, "nz"), serial=100,
		      soa=(3600, 3600, 1209600, 300), sign={"nsec3": False, "zonemd": True})
	ez = ZoneData(E, base_records() + hosts(10), os.path.join(tmp, "ez"), serial=1, soa=(2, 1, 6, 60))

	sec = stack.enter_context(Secondary(keys=[key, wkey]))
	stack.callback(lambda: print("raiz-dnsd log tail:\n" + sec.log_tail(30)) if ck.failed else None)
	notify = ["127.0.0.1@%d" % sec.port]
	pk, pk2, pn = raizlab.pick_ports(3, *PRIMARY_PORTS)
	knot = stack.enter_context(KnotPrimary(os.path.join(tmp, "knot"), [kz, wz], key, notify=notify,
					       zone_keys={W: wkey}, port=pk))
	knot2 = stack.enter_context(KnotPrimary(os.path.join(tmp, "knot2"), [ez], key, notify=notify,
						port=pk2))
	nsd = stack.enter_context(NsdPrimary(os.path.join(tmp, "nsd"), [nz], key, notify=notify, port=pn))
	for p in (knot, knot2, nsd):
		p.start()

	sec.add_zone(K, [knot.address], key, trust_anchors=kz.ds(), zonemd="require",
		     allow_transfer=["127.0.0.1"])
	sec.add_zone(W, [knot.address], wkey)
	sec.add_zone(N, [nsd.address], key, trust_anchors=nz.ds(), zonemd="require",
		     allow_transfer=["127.0.0.1"])
	sec.add_zone(E, [knot2.address], key, refresh_min="1s", retry_min="1s", expire_min="3s")

	section("harness: the primaries")
	for prim, zone, zd in ((knot, K, kz), (knot, W, wz), (nsd, N, nz), (knot2, E, ez)):
		why, rs = check_stream("127.0.0.1", prim.port, zone, prim.key_of(zone))
		ck(why is None and rs is not None and rs.serial() == zd.serial,
		   "harness: %s serves a correct signed AXFR of %s" % (prim.label, zone), why)
	try:
		axfr("127.0.0.1", knot.port, K, None, timeout=3)
		refused = False
	except Exception:      # noqa: BLE001 -- any error: not served
		refused = True
	ck(refused, "harness: Knot refuses AXFR of %s without the key" % K)

	section("raiz-dnsd starts with four secondary zones")
	try:
		sec.start()
	except RuntimeError as e:
		ck(False, "raiz-dnsd starts with secondary zones in raiz.json", e)
		return
	ck(True, "raiz-dnsd starts with secondary zones in raiz.json")
	try:
		sec.zones()
		ck(True, "control: zones answers")
	except (OSError, ValueError, RuntimeError) as e:
		ck(False, "control: zones answers", e)

	section("knot: initial AXFR of %s (NSEC3, ZONEMD, TSIG)" % K)
	method = check_initial(sec, knot, K, kz, "knot " + K)
	if method:
		if method == "AXFR":
			check_axfr_acl(sec, K, key)
		else:
			ck.note("raiz gives no AXFR to allow-transfer addresses: compared by queries")
		section("knot: changes by IXFR, served within 1 s of NOTIFY")
		check_update(sec, knot, K, "knot ixfr #1",
			     add=["new1 300 IN A 192.0.2.201", "new1 300 IN TXT \"added\""],
			     remove=["h3 3600 IN AAAA 2001:db8::4"],
			     replace=[("www 3600 IN A 192.0.2.80", "www 3600 IN A 192.0.2.81")])
		check_update(sec, knot, K, "knot ixfr #2",
			     add=["deep.new.ent 600 IN TXT \"ent\"", "*.wild 3600 IN A 192.0.2.77"],
			     remove=["sub 86400 IN NS ns.sub", "sub 3600 IN DS 4711 13 2 " + "ab" * 32,
				     "ns.sub 86400 IN A 198.51.100.53"],
			     replace=[("mail 3600 IN A 192.0.2.25", "mail 600 IN A 192.0.2.25")])

	section("nsd: initial AXFR of %s and an update" % N)
	if check_initial(sec, nsd, N, nz, "nsd " + N):
		# NSD signs the whole zone again: a change of most of it, rebuilt
		check_update(sec, nsd, N, "nsd ixfr", spliced=False,
			     add=["fromnsd 300 IN AAAA 2001:db8::53"],
			     remove=["h7 300 IN TXT \"host 7\""],
			     replace=[("ns1 3600 IN A 192.0.2.1", "ns1 3600 IN A 192.0.2.3")])

	section("wrong TSIG key at the secondary")
	check_wrong_key(sec, knot, wz, wkey)

	section("transfer-trial on a good zone")
	check_trial(sec, K, kz)

	section("primary down: served until expire, then SERVFAIL")
	check_expire(sec, knot2, ez)

	section("restart with every primary down: the stored copies at once")
	check_restart(sec, [(knot, K, kz), (nsd, N, nz)], [knot, knot2, nsd])


def check_axfr_acl(sec, zone, key):
	"""raiz gives AXFR to allow-transfer with the key; not without the key
	nor to another address."""
	for what, k, src in (("without the key", None, "127.0.0.1"),
			     ("from 127.0.0.2 (not in allow-transfer)", key, "127.0.0.2")):
		try:
			axfr("127.0.0.1", sec.port, zone, k, timeout=3, source=src)
			served = True
		except Exception:      # noqa: BLE001 -- refused, NOTAUTH, closed: not served
			served = False
		ck(not served, "raiz refuses AXFR of %s %s" % (zone, what))


def check_wrong_key(sec, knot, wz, wkey):
	if sec.wait_serial(W, wz.serial, timeout=15) is None:
		ck(False, "wrongkey: %s served with the right key first" % W, sec.zone(W))
		return
	ck(True, "wrongkey: %s served with the right key first" % W)
	good_serial = wz.serial
	sec.keys = [k if k.name != wkey.name else wkey.other_secret() for k in sec.keys]
	sec.write_config()
	rep = sec.reload()
	ck(isinstance(rep, dict) and rep.get("ok") is True, "wrongkey: reload with a wrong secret for w-key", rep)
	ck(sec.serial(W) == good_serial, "wrongkey: the copy is still served after the reload",
	   sec.serial(W))
	t = int(time.time())
	knot.update(W, add=["after-key-change 300 IN A 192.0.2.9"])   # NOTIFY: bad TSIG to raiz now
	rep = sec.command("refresh", zone=W)
	ck(isinstance(rep, dict) and rep.get("ok") is True, "wrongkey: control refresh accepted", rep)
	z, ok = sec.wait_zone(W, lambda z: failure_after(z, t), timeout=10)
	f = failure_after(z, t) or {}
	ck(ok and TSIG_REASON.search(f.get("reason", "")), "wrongkey: refresh rejected, TSIG named in last-failure",
	   f or z)
	time.sleep(1.0)
	ck(sec.serial(W) == good_serial, "wrongkey: the previous copy (serial %d) still served" % good_serial,
	   sec.serial(W))
	ck((z or {}).get("failures", 0) >= 1, "wrongkey: failures counted", (z or {}).get("failures"))


def check_trial(sec, zone, zd):
	before = sec.zone(zone) or {}
	try:
		rep = sec.command("transfer-trial", zone=zone, timeout=120)
	except (OSError, ValueError) as e:
		rep = {"error": str(e)}
	rep = rep if isinstance(rep, dict) else {"reply": rep}
	ck(rep.get("ok") is True and rep.get("verdict") == "pass", "trial: transfer-trial %s passes" % zone, rep)
	checks = rep.get("checks") or []
	names = [c.get("check") for c in checks]
	ck(checks and all(c.get("ok") is True for c in checks) and
	   {"transfer", "soa", "zonemd", "dnssec", "compile"} <= set(names),
	   "trial: checks transfer, soa, zonemd, dnssec, compile all ok", checks)
	ck("verified" in str(rep.get("tsig", "")), "trial: every message's TSIG verified", rep.get("tsig"))
	ck("verified" in str(rep.get("zonemd", "")), "trial: ZONEMD verified", rep.get("zonemd"))
	ck(str(rep.get("dnssec", "")).startswith("validated"), "trial: DNSSEC validated against the trust anchor",
	   rep.get("dnssec"))
	ck(rep.get("serial") == zd.serial, "trial: serial %d" % zd.serial, rep.get("serial"))
	after = sec.zone(zone) or {}
	ck(before and after.get("last-transfer") == before.get("last-transfer") and
	   after.get("loaded-at") == before.get("loaded-at") and sec.serial(zone) == zd.serial,
	   "trial: nothing published (last-transfer, loaded-at, serial unchanged)",
	   {"before": before.get("last-transfer"), "after": after.get("last-transfer")})
	rc, out = raizctl(sec, "transfer-trial", zone)
	ck(rc == 0 and "pass" in (out or "").lower(), "trial: raizctl transfer-trial %s exits 0 and says pass" % zone,
	   "exit %s: %s" % (rc, (out or "").strip()[-300:]))


def check_expire(sec, knot2, ez):
	if sec.wait_serial(E, ez.serial, timeout=15) is None:
		ck(False, "expire: %s served before its primary goes down" % E, sec.zone(E))
		return
	# the zone was refreshed (SOA refresh 2 s) just now: wait for a refresh,
	# so that the expire clock starts from a known point
	z0 = sec.zone(E) or {}
	sec.wait_zone(E, lambda z: z.get("refreshed-at", 0) > z0.get("refreshed-at", 0), timeout=4)
	knot2.stop()
	t_stop = time.monotonic()
	ck(sec.rcode(E) == "NOERROR", "expire: still served right after the primary stopped", sec.rcode(E))
	first_fail, last_ok = None, None
	while time.monotonic() - t_stop < 16:
		rc = sec.rcode(E)
		if rc == "NOERROR":
			last_ok = time.monotonic() - t_stop
		elif rc == "SERVFAIL":
			first_fail = time.monotonic() - t_stop
			break
		time.sleep(0.1)
	ck(last_ok is not None and last_ok >= 2.5, "expire: still served > 2.5 s after the primary stopped "
	   "(expire 6 s after the last refresh)", "last NOERROR at %s s" % last_ok)
	ck(first_fail is not None and first_fail <= 6 + 2.5, "expire: SERVFAIL once expired (<= 8.5 s after stop)",
	   "first SERVFAIL at %s s; zones: %s" % (first_fail, sec.zone(E)))
	if first_fail is not None:
		ck(sec.rcode("www." + E, "A") == "SERVFAIL", "expire: SERVFAIL for names in the zone too",
		   sec.rcode("www." + E, "A"))
		z = sec.zone(E) or {}
		ck(z.get("state") == "expired" and z.get("served") is False,
		   "expire: zones says state expired, served false", {k: z.get(k) for k in ("state", "served")})
	knot2.start()
	ck(sec.wait_serial(E, ez.serial, timeout=10) is not None, "expire: served again once the primary is back",
	   sec.zone(E))


def check_restart(sec, zones, prims):
	want = {}
	for prim, zone, zd in zones:
		want[zone] = (sec.serial(zone), prim.records(zone), prim.key_of(zone))
	for p in prims:
		p.stop()
	rc = sec.stop()
	ck(rc == 0, "restart: raiz-dnsd exits 0 on SIGTERM", rc)
	try:
		sec.start()
	except RuntimeError as e:
		ck(False, "restart: raiz-dnsd starts with its primaries down", e)
		return
	for zone, (serial, rs, key) in want.items():
		el = sec.wait_serial(zone, serial, timeout=1.0) if serial is not None else None
		got = sec.serial(zone)
		ck(el is not None, "restart: %s served at once (< 1 s) from the stored copy (serial %s)" % (zone, serial),
		   "serial %s; zones: %s" % (got, sec.zone(zone)))
		if el is not None:
			compare_served(ck, sec, zone, rs, "restart " + zone, key=key)
	rc = sec.stop()
	ck(rc == 0, "raiz-dnsd exits 0 on SIGTERM (no sanitizer report)", rc)


if __name__ == "__main__":
	sys.exit(main())

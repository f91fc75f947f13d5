#!/usr/bin/python3
"""t_catalog -- raiz-dnsd as a catalog zone consumer (RFC 9432).

A Knot primary on loopback serves a catalog zone cat.test. (schema version
"2") listing three member zones, the three members, and a fourth zone not
listed yet; raiz-dnsd (from $RAIZ_BUILD) consumes the catalog (raiz.json
zone with "catalog"; the members take the catalog's primaries and TSIG key,
group "fast" a template of its own).

  members   all three are served, `zones` shows their catalog and group,
            the catalog zone itself is not answered (REFUSED)
  add       a member added to the catalog at the primary is served within
            2 s of the catalog's NOTIFY
  remove    a member removed is no longer served within 2 s, and its
            stored copy is deleted
  broken    a catalog version with version "3" is rejected (last-failure
            names it), no member is dropped
  id        a member whose unique id changes is transferred again
  restart   raiz-dnsd restarted with the primary down serves the members
            at once from their stored copies, with their catalog
Exit 0 pass, 1 fail, 77 when knotd or dnspython is missing.
"""

import contextlib
import os
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

try:
	import dns.rcode  # noqa: F401 -- dnspython present
except ImportError:
	print("t_catalog: SKIP, python3-dnspython missing (run with /usr/bin/python3)")
	sys.exit(77)

import dnsd  # noqa: E402
from primary import Checks, KnotPrimary, Secondary, TsigKey, ZoneData, have_tools, hosts  # noqa: E402

CAT = "cat.test."
ck = Checks("t_catalog")


def cat_records(members):
	"""the catalog's records: members is [(id, zone, group or None)]"""
	out = ["@ 3600 IN NS invalid.", 'version 0 IN TXT "2"']
	for mid, zone, group in members:
		out.append("%s.zones 0 IN PTR %s" % (mid, zone))
		if group:
			out.append('group.%s.zones 0 IN TXT "%s"' % (mid, group))
	return out


def member(name, serial=1):
	return ZoneData(name, ["@ 3600 IN NS ns1", "ns1 3600 IN A 192.0.2.1"] + hosts(5),
			os.path.join(TMP, name.strip(".")), serial=serial, soa=(3600, 3600, 1209600, 300))


def served(sec, zone, timeout):
	"""seconds until zone's SOA is answered NOERROR, or None"""
	t0 = time.monotonic()
	while time.monotonic() - t0 < timeout:
		if sec.rcode(zone) == "NOERROR":
			return time.monotonic() - t0
		time.sleep(0.02)
	return None


def gone(sec, zone, timeout):
	t0 = time.monotonic()
	while time.monotonic() - t0 < timeout:
		if sec.rcode(zone) == "REFUSED":
			return time.monotonic() - t0
		time.sleep(0.02)
	return None


def main():
	global TMP
	missing = have_tools("knotd", "knotc")
	if missing:
		print("t_catalog: SKIP, not installed: %s" % " ".join(missing))
		return 77
	dnsd.install_signal_handlers()
	TMP = tempfile.mkdtemp(prefix="raiz-cat-")
	t0 = time.monotonic()
	try:
		with contextlib.ExitStack() as stack:
			run(stack)
	except Exception as e:           # noqa: BLE001 -- a primary did not start, a tool failed
		traceback.print_exc()
		ck(False, "t_catalog ran to the end", "%s: %s" % (e.__class__.__name__, e))
	finally:
		shutil.rmtree(TMP, ignore_errors=True)
	print("t_catalog: %.1f s" % (time.monotonic() - t0))
	return ck.done()


def run(stack):
	key = TsigKey.new("cat-key")
	members = [("m1", "a.test.", None), ("m2", "b.test.", "fast"), ("m3", "c.test.", None)]
	cz = ZoneData(CAT, cat_records(members), os.path.join(TMP, "cat"), serial=1,
		      soa=(3600, 3600, 1209600, 0))
	zones = [cz] + [member(z) for z in ("a.test.", "b.test.", "c.test.", "d.test.")]

	sec = stack.enter_context(Secondary(keys=[key]))
	stack.callback(lambda: print("raiz-dnsd log tail:\n" + sec.log_tail(40)) if ck.failed else None)
	knot = stack.enter_context(KnotPrimary(os.path.join(TMP, "knot"), zones, key,
					       notify=["127.0.0.1@%d" % sec.port]))
	knot.start()
	sec.add_zone(CAT, [knot.address], key,
		     catalog={"member-defaults": {"refresh-min": "1s", "retry-min": "1s"},
			      "groups": {"fast": {"refresh-min": "2s", "max-lag": "10m"}}})
	if not ck(sec.start(), "raiz-dnsd starts with a catalog zone", sec.log_tail(10)):
		return

	for z in ("a.test.", "b.test.", "c.test."):
		ck(served(sec, z, 10) is not None, "members: %s is served" % z, sec.zone(z))
	ck(sec.rcode("d.test.") == "REFUSED", "members: d.test. (not listed) is not served")
	ck(sec.rcode(CAT) == "REFUSED", "members: the catalog zone itself is not answered")
	zs = sec.zones()
	b = zs.get("b.test.") or {}
	ck(b.get("catalog") == CAT and b.get("group") == "fast",
	   "members: zones shows b.test.'s catalog and group", b)
	ck((zs.get(CAT) or {}).get("catalog-members") == 3, "members: the catalog has 3 members",
	   zs.get(CAT))
	ck(b.get("max-lag") == 600, "members: group fast's template applies (max-lag 600)", b)

	members.append(("m4", "d.test.", None))
	knot.update(CAT, add=["m4.zones 0 IN PTR d.test."])
	el = served(sec, "d.test.", 2.0)
	ck(el is not None, "add: d.test. served within 2 s of the catalog's NOTIFY",
	   "%s; zones: %s" % (el, sec.zone("d.test.")))

	before = set(sec.stored_files("c.test."))
	knot.update(CAT, remove=["m3.zones 0 IN PTR c.test."])
	el = gone(sec, "c.test.", 2.0)
	ck(el is not None, "remove: c.test. no longer served within 2 s", sec.zone("c.test."))
	ck(before and not sec.stored_files("c.test."), "remove: c.test.'s stored copy is deleted",
	   "before %s, after %s" % (before, sec.stored_files("c.test.")))
	ck("c.test." not in sec.zones(), "remove: zones no longer lists c.test.")

	at = time.time()
	knot.update(CAT, replace=[('version 0 IN TXT "2"', 'version 0 IN TXT "3"')])
	z, ok = sec.wait_zone(CAT, lambda z: (z.get("last-failure") or {}).get("at", 0) >= int(at),
			      timeout=5)
	reason = ((z or {}).get("last-failure") or {}).get("reason", "")
	ck(ok and "version" in reason, "broken: the catalog version is rejected, the reason names "
	   "the version", reason or z)
	for zname in ("a.test.", "b.test.", "d.test."):
		ck(sec.rcode(zname) == "NOERROR", "broken: %s still served" % zname)
	knot.update(CAT, replace=[('version 0 IN TXT "3"', 'version 0 IN TXT "2"')])
	sec.wait_zone(CAT, lambda z: not z.get("failures"), timeout=5)

	a0 = (sec.zone("a.test.") or {}).get("last-transfer") or {}
	mark = sec.log_size()
	knot.update(CAT, replace=[("m1.zones 0 IN PTR a.test.", "m1b.zones 0 IN PTR a.test.")])
	# the reset first, then a transfer after it (the status's times are
	# in seconds: the first AXFR may carry the same second)
	reset = sec.wait_log("zone a.test.: member id changed", timeout=5, since=mark)
	axfr = reset and sec.wait_log("zone a.test.: AXFR from", timeout=5,
				      since=mark + sec.log()[mark:].find(reset))
	z, ok = sec.wait_zone("a.test.", lambda z: (z.get("last-transfer") or {}).get("kind") == "AXFR"
			      and z.get("served"), timeout=5)
	ck(reset and axfr and ok, "id: a.test. is transferred again (AXFR) after its member id changed",
	   (a0, reset, axfr, z))
	ck(served(sec, "a.test.", 2) is not None, "id: a.test. is served after the reset")

	rc = sec.stop()
	ck(rc == 0, "raiz-dnsd exits 0 on SIGTERM", rc)
	knot.stop()
	if not ck(sec.start(), "restart: raiz-dnsd starts with the primary down", sec.log_tail(10)):
		return
	for zname in ("a.test.", "b.test.", "d.test."):
		ck(served(sec, zname, 1.0) is not None, "restart: %s served at once from its stored copy"
		   % zname, sec.zone(zname))
	ck(sec.rcode("c.test.") == "REFUSED", "restart: the removed c.test. stays gone")
	ck((sec.zone("d.test.") or {}).get("catalog") == CAT, "restart: zones shows d.test.'s catalog")
	rc = sec.stop()
	ck(rc == 0, "raiz-dnsd exits 0 on SIGTERM (no sanitizer report)", rc)


if __name__ == "__main__":
	sys.exit(main())

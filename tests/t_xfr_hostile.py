#!/usr/bin/python3
"""t_xfr_hostile -- raiz-dnsd as a secondary of a primary that lies.

Two hostile primaries (tests/lib/primary.py HostilePrimary: Python, TCP and
UDP on loopback) answer SOA correctly and AXFR/IXFR with crafted streams;
raiz-dnsd (from $RAIZ_BUILD) is their secondary for h.test. (unsigned,
TSIG hmac-sha256) and s.test. (NSEC3, ZONEMD, a trust anchor).  First a
harness check: the reference secondary check_stream() rejects every bad
stream and accepts the good ones, so a bad stream raiz accepts is raiz's
fault.  Then, for each case the zone gets a new serial at the primary, which
sends NOTIFY, and the test waits for raiz to reject the copy:

  tsig      no TSIG; another secret; a bad MAC on the 3rd message; 100
            unsigned messages in a row (99 must be accepted, RFC 8945
            5.3.1); time signed an hour off (fudge 300 s)
  stream    closing SOA with another serial; the stream cut in the middle;
            an IXFR deleting a record the zone does not have
            -> each rejected with its reason in `zones` last-failure, the
               previous copy (same serial) still served
  outside   a record outside the zone in the stream: either the copy is
            rejected (reason named, previous copy kept) or the record is
            dropped with a log line and the rest taken (the copy then
            equals the zone without it, also as raiz gives it by AXFR)
  notify    NOTIFY from an address neither primary nor in allow-notify:
            REFUSED and nothing happens; a NOTIFY with a bad TSIG from the
            primary's address: NOTAUTH with TSIG error BADSIG (RFC 8945
            5.2) and nothing happens; from an allow-notify address: acted on
  content   a copy whose glue changed after the ZONEMD digest, a broken
            RRSIG, expired RRSIGs (trust anchor configured): rejected, the
            previous copy kept; then a good copy is taken
  trial     `transfer-trial` (control socket and raizctl) passes on a good
            copy and fails naming the check (transfer / zonemd) on bad
            ones; nothing is published by it
Exit 0 pass, 1 fail, 77 when ldns-signzone/ldns-keygen or dnspython are
missing.  Every wait is bounded.
"""

import contextlib
import datetime
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
	import dns.rcode
except ImportError:
	print("t_xfr_hostile: SKIP, python3-dnspython missing (run with /usr/bin/python3)")
	sys.exit(77)

import dnsd  # noqa: E402
import raizlab  # noqa: E402
import zonegen  # noqa: E402
from primary import (MODES, PRIMARY_PORTS, Checks, HostilePrimary, RecordSet, Secondary,  # noqa: E402
		     TsigKey, ZoneData, base_records, break_rrsig, check_stream, compare_served,
		     have_tools, hosts, send_notify, tamper)

H, S = "h.test.", "s.test."
ck = Checks("t_xfr_hostile")

# what the last-failure reason must name, per hostile mode
REASONS = {
	"notsig": r"tsig|unsigned|not signed|missing",
	"wrongkey": r"tsig|badsig|signature|mac",
	"badmac3": r"tsig|badsig|signature|mac",
	"unsigned100": r"tsig|unsigned|99|100",
	"skew": r"tsig|time|skew|badtime|fudge",
	"soa-mismatch": r"soa|serial",
	"truncated": r"truncat|closed|eof|short|incomplete|connection|end|reset",
	"outside": r"outside|out of zone|not in (the )?zone|out-of-zone|not under|not below|bailiwick",
	"ixfr-delete-missing": r"ixfr|delet|not (in|present|exist|found)|missing|absent",
	"zonemd": r"zonemd|digest",
	"rrsig": r"dnssec|rrsig|signature|bogus|valid",
	"expired": r"expir|dnssec|rrsig|signature|valid",
}
# the check named by a failing transfer-trial
TRIAL_CHECK = {"notsig": "transfer", "zonemd": "zonemd"}


def section(name):
	print("--- %s" % name, flush=True)


def raizctl(sec, *args):
	b = os.path.join(os.path.dirname(dnsd.binary()), "raizctl")
	if not os.access(b, os.X_OK):
		return None, "raizctl not built"
	p = subprocess.run([b, "-c", sec.config_path, "-d", os.path.join(sec.run_dir, "dnsd.sock")] +
			   list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
			   stdin=subprocess.DEVNULL, universal_newlines=True)
	return p.returncode, p.stdout


def xfr_requests(hp, since):
	return [r for r in hp.requests[since:] if r["qtype"] in ("AXFR", "IXFR")]


def trigger(sec, hp, zone, what):
	"""NOTIFY from the primary; if no transfer request reaches it within
	3 s, the control command refresh.  True when a transfer was asked."""
	n0 = len(hp.requests)
	rcode, terr, _ = hp.notify("127.0.0.1", sec.port)
	deadline = time.monotonic() + 3
	while time.monotonic() < deadline and not xfr_requests(hp, n0):
		time.sleep(0.02)
	if xfr_requests(hp, n0):
		return True
	ck.note("%s: no transfer request within 3 s of the primary's NOTIFY (answered %s); "
		"asking with the control command refresh" % (what, dns.rcode.to_text(rcode) if rcode is not None
							      else "nothing"))
	sec.command("refresh", zone=zone)
	deadline = time.monotonic() + 5
	while time.monotonic() < deadline and not xfr_requests(hp, n0):
		time.sleep(0.02)
	return bool(xfr_requests(hp, n0))


def expect_rejected(sec, hp, zone, served_serial, case, reason_re, text=None, mode="good", checks=None):
	"""Serve text (or the same zone) with `mode` at hp, trigger, and check
	that raiz rejects it: a new last-failure naming reason_re, serial kept."""
	z0 = sec.zone(zone) or {}
	prev = (z0.get("last-failure"), z0.get("failures"))
	if text is not None:
		hp.set_zone(text)
	hp.mode = mode
	asked = trigger(sec, hp, zone, case)
	ck(asked, "%s: raiz asked the primary for the new copy (serial %d)" % (case, hp.serial()))
	if asked:
		# a new failure, or (wrongly) the new serial
		z, ok = sec.wait_zone(zone, lambda z: (z.get("last-failure"), z.get("failures")) != prev or
				      z.get("serial") != served_serial, timeout=15)
	else:
		z, ok = sec.zone(zone), False
	f = (z or {}).get("last-failure") or {}
	reason = f.get("reason", "")
	ck(ok and re.search(reason_re, reason, re.I), "%s: rejected, last-failure names it (/%s/)" % (case, reason_re),
	   f or z)
	ck(sec.serial(zone) == served_serial and (z or {}).get("serial") == served_serial,
	   "%s: the previous copy (serial %d) still served" % (case, served_serial),
	   "SOA says %s, zones says %s" % (sec.serial(zone), (z or {}).get("serial")))
	hp.mode = "good"
	return reason


def main():
	missing = have_tools("ldns-signzone", "ldns-keygen")
	if missing:
		print("t_xfr_hostile: SKIP, not installed: %s" % " ".join(missing))
		return 77
	dnsd.install_signal_handlers()
	tmp = tempfile.mkdtemp(prefix="raiz-xfr-hostile-")
	t0 = time.monotonic()
	try:
		with contextlib.ExitStack() as stack:
			run(stack, tmp)
	except Exception as e:          # noqa: BLE001 -- reported as a failed check
		traceback.print_exc()
		ck(False, "t_xfr_hostile ran to the end", "%s: %s" % (e.__class__.__name__, e))
	finally:
		if os.environ.get("RAIZ_KEEP"):
			print("kept %s" % tmp)
		else:
			shutil.rmtree(tmp, ignore_errors=True)
	print("t_xfr_hostile: %.1f s" % (time.monotonic() - t0))
	return ck.done()


def run(stack, tmp):
	key = TsigKey.new("xfr-key")
	hz = ZoneData(H, base_records() + hosts(150), os.path.join(tmp, "hz"), serial=1,
		      soa=(3600, 3600, 1209600, 300))
	sz = ZoneData(S, base_records() + hosts(60), os.path.join(tmp, "sz"), serial=1,
		      soa=(3600, 3600, 1209600, 300), sign={"nsec3": True, "zonemd": True})
	ph, ps = raizlab.pick_ports(2, *PRIMARY_PORTS)
	hp = stack.enter_context(HostilePrimary(H, hz.text(), key, port=ph))
	sp = stack.enter_context(HostilePrimary(S, sz.text(), key, port=ps))
	hp.start()
	sp.start()

	section("harness: the reference secondary judges the hostile streams")
	harness_check(hp, hz, key)

	sec = stack.enter_context(Secondary(keys=[key]))
	stack.callback(lambda: print("raiz-dnsd log tail:\n" + sec.log_tail(40)) if ck.failed else None)
	sec.add_zone(H, [hp.address], key, allow_notify=["127.0.0.9"], allow_transfer=["127.0.0.1"])
	sec.add_zone(S, [sp.address], key, trust_anchors=sz.ds(), zonemd="verify",
		     allow_transfer=["127.0.0.1"])
	section("raiz-dnsd starts as secondary of the hostile primaries")
	try:
		sec.start()
	except RuntimeError as e:
		ck(False, "raiz-dnsd starts with secondary zones in raiz.json", e)
		return
	ck(True, "raiz-dnsd starts with secondary zones in raiz.json")
	ok_h = sec.wait_serial(H, 1, timeout=20) is not None
	ck(ok_h, "%s: initial copy (serial 1) served" % H, sec.zone(H))
	ok_s = sec.wait_serial(S, 1, timeout=20) is not None
	ck(ok_s, "%s: initial copy (serial 1) served" % S, sec.zone(S))
	reqs = [r for r in hp.requests if r["qtype"] in ("SOA", "AXFR", "IXFR")]
	ck(reqs and all(r["tsig"] == "ok" for r in reqs),
	   "raiz signs every SOA and transfer request with the zone's key",
	   [(r["qtype"], r["tsig"]) for r in reqs][:10])

	if ok_h:
		section("tsig and stream: a bad copy is rejected, the served copy kept")
		served = 1
		for mode in ("notsig", "wrongkey", "badmac3", "unsigned100", "skew", "soa-mismatch", "truncated"):
			hz.change(add=["m-%s 300 IN A 192.0.2.%d" % (mode, hz.serial % 250 + 1)])
			expect_rejected(sec, hp, H, served, "%s (%s)" % (mode, MODES[mode]), REASONS[mode],
					text=hz.text(), mode=mode)
			served = sec.serial(H) or served     # judge the next case on its own
		section("a record outside the zone in the stream")
		served = check_outside(sec, hp, hz, served, key)
		section("99 unsigned messages in a row are accepted (RFC 8945 5.3.1)")
		hz.change(add=["m-unsigned99 300 IN A 192.0.2.99"])
		hp.set_zone(hz.text())
		hp.mode = "unsigned99"
		trigger(sec, hp, H, "unsigned99")
		el = sec.wait_serial(H, hz.serial, timeout=10)
		ck(el is not None, "unsigned99: copy with 99 unsigned messages in a row taken (serial %d)" % hz.serial,
		   sec.zone(H))
		hp.mode = "good"
		if el is not None:
			served = hz.serial
			compare_served(ck, sec, H, RecordSet(hz.rrs()), "unsigned99", key=key)
		section("IXFR deleting a record the zone does not have")
		check_ixfr_delete_missing(sec, hp, hz, served)
		section("NOTIFY: access control and TSIG")
		check_notify(sec, hp, hz, key)
		section("transfer-trial: good and bad copies, nothing published")
		check_trial(sec, hp, hz, "good", None)
		check_trial(sec, hp, hz, "notsig", None)

	if ok_s:
		section("content: ZONEMD, RRSIGs, expiry (trust anchor configured)")
		check_content(sec, sp, sz, key)

	rc = sec.stop()
	ck(rc == 0, "raiz-dnsd exits 0 on SIGTERM (no sanitizer report)", rc)


def harness_check(hp, hz, key):
	"""check_stream must reject each bad mode (AXFR and, with a base, IXFR),
	and accept good / unsigned99."""
	base = RecordSet(hz.rrs())
	hz.change(add=["harness 300 IN A 192.0.2.1"])
	hp.set_zone(hz.text())
	want = RecordSet(hz.rrs())
	bad = ("notsig", "wrongkey", "badmac3", "unsigned100", "skew", "soa-mismatch", "truncated", "outside")
	for mode in ("good", "unsigned99") + bad + ("ixfr-delete-missing",):
		hp.mode = mode
		for rdt in ("AXFR", "IXFR"):
			why, rs = check_stream("127.0.0.1", hp.port, H, key, rdt, serial=1, base=base)
			should_fail = mode in bad or (mode == "ixfr-delete-missing" and rdt == "IXFR")
			if should_fail:
				ck(why is not None, "harness: %s %s rejected by the reference secondary" % (mode, rdt))
			else:
				ck(why is None and rs == want, "harness: %s %s accepted, content right" % (mode, rdt), why)
	hp.mode = "good"
	# back to serial 1 for raiz's first copy
	hz.change(remove=["harness 300 IN A 192.0.2.1"], bump=-1)
	hp.set_zone(hz.text(), keep_prev=False)
	hp.requests.clear()


def check_outside(sec, hp, hz, served, key):
	"""evil.example.net. in the middle of the stream.  Two behaviours are
	defensible: reject the copy (reason named, previous copy kept), or drop
	the out-of-zone record with a log line and take the rest (what
	raiz-dnsd does with out-of-zone data in a zone file).  Wrong: the
	record kept in the copy (and given out by AXFR), or dropped silently."""
	hz.change(add=["m-outside 300 IN A 192.0.2.95"])
	z0 = sec.zone(H) or {}
	prev = (z0.get("last-failure"), z0.get("failures"))
	log0 = sec.log_size()
	hp.set_zone(hz.text())
	hp.mode = "outside"
	asked = trigger(sec, hp, H, "outside")
	ck(asked, "outside: raiz asked the primary for the new copy (serial %d)" % hz.serial)
	z, ok = sec.wait_zone(H, lambda z: (z.get("last-failure"), z.get("failures")) != prev or
			      z.get("serial") == hz.serial, timeout=15)
	hp.mode = "good"
	z = z or {}
	if z.get("serial") == hz.serial:
		ck.note("outside: raiz took the copy without the out-of-zone record")
		line = sec.wait_log("evil.example.net", timeout=2, since=log0)
		ck(line is not None, "outside: the dropped out-of-zone record is logged", sec.log_tail(5))
		compare_served(ck, sec, H, RecordSet(hz.rrs()), "outside: the copy without evil.example.net.", key=key)
		return hz.serial
	f = z.get("last-failure") or {}
	ck(ok and re.search(REASONS["outside"], f.get("reason", ""), re.I),
	   "outside: rejected, last-failure names it (/%s/)" % REASONS["outside"], f or z)
	ck(sec.serial(H) == served, "outside: the previous copy (serial %d) still served" % served, sec.serial(H))
	return served


def check_ixfr_delete_missing(sec, hp, hz, served):
	hz.change(add=["m-ixfr 300 IN A 192.0.2.98"])
	n0 = len(hp.requests)
	z0 = sec.zone(H) or {}
	prev = (z0.get("last-failure"), z0.get("failures"))
	hp.set_zone(hz.text())            # prev_text = the served copy
	hp.mode = "ixfr-delete-missing"
	trigger(sec, hp, H, "ixfr-delete-missing")
	z, ok = sec.wait_zone(H, lambda z: (z.get("last-failure"), z.get("failures")) != prev or
			      z.get("serial") == hz.serial, timeout=15)
	kinds = [r["qtype"] for r in xfr_requests(hp, n0)]
	ck("IXFR" in kinds, "ixfr-delete-missing: raiz asked IXFR (it has a copy)", kinds)
	rc = sec.rcode("added-by-ixfr." + H, "A")
	ck(rc != "NOERROR" or not sec.query("added-by-ixfr." + H, "A").answer,
	   "ixfr-delete-missing: nothing of the bad IXFR is served", rc)
	z = z or {}
	if z.get("serial") == hz.serial:
		# fell back to AXFR (the mode serves a good AXFR): then the full copy
		lt = z.get("last-transfer") or {}
		ck(lt.get("kind") == "AXFR", "ixfr-delete-missing: the new serial came by AXFR after the bad IXFR", lt)
		ck(z.get("last-failure") and re.search(REASONS["ixfr-delete-missing"], z["last-failure"].get("reason", ""),
							 re.I),
		   "ixfr-delete-missing: the bad IXFR is named in last-failure", z.get("last-failure"))
		compare_served(ck, sec, H, RecordSet(hz.rrs()), "ixfr-delete-missing (AXFR fallback)")
	else:
		f = z.get("last-failure") or {}
		ck(ok and re.search(REASONS["ixfr-delete-missing"], f.get("reason", ""), re.I),
		   "ixfr-delete-missing: rejected, last-failure names it", f or z)
		ck(sec.serial(H) == served, "ixfr-delete-missing: the previous copy (serial %d) still served" % served,
		   sec.serial(H))
	hp.mode = "good"


def quiet(hp, n0, secs=1.5):
	"""True if hp gets no request in the next secs seconds (after index n0)."""
	time.sleep(secs)
	return len(hp.requests) == n0


def check_notify(sec, hp, hz, key):
	hz.change(add=["m-notify 300 IN A 192.0.2.97"])
	hp.set_zone(hz.text())
	hp.mode = "good"
	served = sec.serial(H)
	z0 = sec.zone(H) or {}
	# 1. from an address that is neither a primary nor in allow-notify
	n0 = len(hp.requests)
	rcode, terr, _ = send_notify("127.0.0.1", sec.port, H, hz.serial, key=key, source="127.0.0.5")
	ck(rcode == dns.rcode.REFUSED, "notify: from 127.0.0.5 (not a primary, not in allow-notify) REFUSED",
	   dns.rcode.to_text(rcode) if rcode is not None else "no answer")
	ck(quiet(hp, n0), "notify: ... and raiz does not ask the primary anything",
	   [r["qtype"] for r in hp.requests[n0:]])
	z = sec.zone(H) or {}
	ck(z.get("notify-received-at") == z0.get("notify-received-at") and sec.serial(H) == served,
	   "notify: ... notify-received-at and serial unchanged",
	   (z0.get("notify-received-at"), z.get("notify-received-at"), sec.serial(H)))
	# 2. from the primary's address with a bad TSIG
	n0 = len(hp.requests)
	rcode, terr, _ = send_notify("127.0.0.1", sec.port, H, hz.serial, key=key, source="127.0.0.1", bad_mac=True)
	ck(rcode == dns.rcode.NOTAUTH, "notify: bad TSIG from the primary's address answered NOTAUTH (RFC 8945 5.2)",
	   dns.rcode.to_text(rcode) if rcode is not None else "no answer")
	ck(terr == dns.rcode.BADSIG, "notify: ... with TSIG error BADSIG", terr)
	ck(quiet(hp, n0), "notify: ... and raiz does not ask the primary anything",
	   [r["qtype"] for r in hp.requests[n0:]])
	ck(sec.serial(H) == served, "notify: serial unchanged after the refused NOTIFYs", sec.serial(H))
	# 3. from an allow-notify address, signed: acted on
	n0 = len(hp.requests)
	rcode, terr, _ = send_notify("127.0.0.1", sec.port, H, hz.serial, key=key, source="127.0.0.9")
	ck(rcode == dns.rcode.NOERROR, "notify: from 127.0.0.9 (allow-notify) accepted", rcode)
	el = sec.wait_serial(H, hz.serial, timeout=5)
	ck(el is not None, "notify: ... and the new serial %d is served" % hz.serial,
	   "served %s; requests %s" % (sec.serial(H), [r["qtype"] for r in hp.requests[n0:]]))


def check_trial(sec, hp, hz, mode, primary):
	"""transfer-trial with the primary at a new serial: pass (good) or fail
	naming the check; nothing published either way."""
	hz.change(add=["m-trial-%s 300 IN A 192.0.2.96" % mode])
	hp.set_zone(hz.text())
	hp.mode = mode
	before = sec.zone(H) or {}
	served = sec.serial(H)
	n0 = len(hp.requests)
	try:
		rep = sec.command("transfer-trial", zone=H, timeout=120)
	except (OSError, ValueError) as e:
		rep = {"error": str(e)}
	rep = rep if isinstance(rep, dict) else {"reply": rep}
	asked = [r["qtype"] for r in xfr_requests(hp, n0)]
	ck(asked, "trial %s: the trial transferred from the primary" % mode, asked)
	if mode == "good":
		ck(rep.get("ok") is True and rep.get("verdict") == "pass" and rep.get("serial") == hz.serial,
		   "trial good: verdict pass, serial %d" % hz.serial, rep)
		ck(rep.get("checks") and all(c.get("ok") for c in rep["checks"]), "trial good: every check ok",
		   rep.get("checks"))
		ck(rep.get("records") == len(RecordSet(hz.rrs())), "trial good: records = %d" % len(RecordSet(hz.rrs())),
		   rep.get("records"))
	else:
		want = TRIAL_CHECK[mode]
		failed = [c.get("check") for c in rep.get("checks") or [] if c.get("ok") is False]
		ck(rep.get("ok") is True and rep.get("verdict") == "fail" and failed[:1] == [want],
		   "trial %s: verdict fail, first failed check %s" % (mode, want), rep)
		ck(re.search(REASONS[mode], str(rep.get("error", "")), re.I), "trial %s: error names it" % mode,
		   rep.get("error"))
	time.sleep(0.3)
	after = sec.zone(H) or {}
	ck(sec.serial(H) == served and after.get("last-transfer") == before.get("last-transfer") and
	   after.get("serial") == before.get("serial"),
	   "trial %s: nothing published (serial %s, last-transfer unchanged)" % (mode, served),
	   {"served": sec.serial(H), "before": before.get("last-transfer"), "after": after.get("last-transfer")})
	rc, out = raizctl(sec, "transfer-trial", H)
	if mode == "good":
		ck(rc == 0 and "pass" in (out or "").lower(), "trial good: raizctl transfer-trial exits 0, says pass",
		   "exit %s: %s" % (rc, (out or "").strip()[-300:]))
	else:
		ck(rc == 1 and "fail" in (out or "").lower() and TRIAL_CHECK[mode] in (out or ""),
		   "trial %s: raizctl transfer-trial exits 1 and names the check %s" % (mode, TRIAL_CHECK[mode]),
		   "exit %s: %s" % (rc, (out or "").strip()[-300:]))
	hp.mode = "good"


def check_content(sec, sp, sz, key):
	served = 1
	# 1. the glue of sub.s.test. changed after the digest: only ZONEMD can tell
	sz.change(add=["m-zonemd 300 IN A 192.0.2.1"])
	text = tamper(sz.text(), "ns.sub." + S, "A", "198.51.100.99")
	sp.set_zone(text)
	check_trial_content(sec, sp, "zonemd")
	expect_rejected(sec, sp, S, served, "zonemd (glue changed after the digest)", REASONS["zonemd"])
	served = sec.serial(S) or served
	# 2. a broken RRSIG (no ZONEMD in this copy: only DNSSEC can tell)
	sz.change(add=["m-rrsig 300 IN A 192.0.2.2"])
	sz.sign["zonemd"] = False
	text = break_rrsig(sz.text(), "www." + S, "A")
	sz.sign["zonemd"] = True
	expect_rejected(sec, sp, S, served, "rrsig (a signature bit flipped)", REASONS["rrsig"], text=text)
	served = sec.serial(S) or served
	# 3. every RRSIG expired (signed 60..30 days ago), ZONEMD right
	sz.change(add=["m-expired 300 IN A 192.0.2.3"])
	inc, exp = zonegen.sign_dates(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=60))
	sz.sign["dates"] = (inc, exp)
	text = sz.text()
	del sz.sign["dates"]
	expect_rejected(sec, sp, S, served, "expired (RRSIGs expired 30 days ago)", REASONS["expired"], text=text)
	# 4. a good copy is taken: the checks do not reject everything
	sz.change(add=["m-good 300 IN A 192.0.2.4"])
	sp.set_zone(sz.text())
	trigger(sec, sp, S, "content good")
	el = sec.wait_serial(S, sz.serial, timeout=10)
	ck(el is not None, "content: a good signed copy (serial %d) is taken after the bad ones" % sz.serial,
	   sec.zone(S))
	if el is not None:
		compare_served(ck, sec, S, RecordSet(sz.rrs()), "content good", key=key)


def check_trial_content(sec, sp, what):
	z0 = sec.zone(S) or {}
	served = sec.serial(S)
	try:
		rep = sec.command("transfer-trial", zone=S, timeout=120)
	except (OSError, ValueError) as e:
		rep = {"error": str(e)}
	rep = rep if isinstance(rep, dict) else {"reply": rep}
	failed = [c.get("check") for c in rep.get("checks") or [] if c.get("ok") is False]
	ck(rep.get("verdict") == "fail" and failed[:1] == [TRIAL_CHECK[what]],
	   "trial %s: verdict fail, first failed check %s" % (what, TRIAL_CHECK[what]), rep)
	z = sec.zone(S) or {}
	ck(sec.serial(S) == served and z.get("last-transfer") == z0.get("last-transfer"),
	   "trial %s: nothing published" % what, sec.serial(S))


if __name__ == "__main__":
	sys.exit(main())

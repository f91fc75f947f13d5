#!/usr/bin/python3
"""t_rrl -- response rate limiting and DNS cookies of a real raiz-dnsd.

Starts one raiz-dnsd (from $RAIZ_BUILD, default build/asan) on 127.0.0.1
and ::1, ports 15300-15399, with responses-per-second 50, slip 2 and the
exempt prefix 127.0.2.0/24 (loopback is not exempt here, unlike the
default), and sends from several loopback source addresses:

  flood      2,000 queries for one name from 127.0.0.9 over about a
             second: about the rate's worth of full answers (50 of burst
             and 50 a second) plus every 2nd over-limit answer slipped
             (TC, no records); the rest dropped
  neighbour  meanwhile 127.0.1.2 (another /24) at 10 queries a second:
             every one answered in full
  wildcard   1,000 queries for different names under a wildcard from
             127.0.7.7: limited like one name (they share the wildcard's
             bucket), not answered in full
  exempt     400 queries at once from 127.0.2.5: every one answered
  tcp        60 TCP queries from the flooded source: every one answered
  cookies    a client cookie gets a server cookie (RFC 9018 format: 24
             bytes, version 1, a timestamp near now); 400 queries at once
             sending it back are all answered (a valid cookie exempts);
             a wrong server cookie is answered normally with a fresh one
             (no BADCOOKIE); dig +cookie gets a cookie and its second
             query with it is counted valid
  counters   the control socket's stats and raizctl metrics show dropped,
             slipped, exempted and valid-cookie counts
  self       400 queries at once from 127.0.0.1, the address asked (a
             query from the node itself, like the controller's probes
             without a source): every one answered in full
  reload     the default rate-limit (no "rate-limit" key: loopback exempt)
             by reload: the same flood gets every answer; a new cookie
             secret by reload: a cookie of the old secret is still valid
  config     raiz-dnsd -n refuses null, wrong types, ranges, host bits,
             unknown keys and bad secrets with file:line

Every process started is stopped by its PID.  Bounded: about 10 s.
Exit 0 pass, 1 fail, 77 when dnspython is missing.
"""

import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

try:
	import dns.edns
	import dns.flags
	import dns.message
	import dns.query
	import dns.rcode
except ImportError:
	print("python3-dnspython missing")
	sys.exit(77)

from dnsd import Checks, Dnsd, ROOT, install_signal_handlers, zone_text  # noqa: E402

ck = Checks("t_rrl")
RATE = 50
SECRET = "0123456789abcdef0123456789abcdef"
SECRET2 = "fedcba9876543210fedcba9876543210"
RRL = {"responses-per-second": RATE, "slip": 2, "exempt": ["127.0.2.0/24"]}


def query_wire(qid, name="www.example.", cookie=None):
	opts = [dns.edns.GenericOption(dns.edns.COOKIE, cookie)] if cookie is not None else []
	q = dns.message.make_query(name, "A", use_edns=0, options=opts)
	q.flags &= ~dns.flags.RD
	q.id = qid & 0xffff
	return q.to_wire()


def sock(src):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
	s.bind((src, 0))
	s.setblocking(False)
	return s


def drain(s, into, until):
	"""Read replies until `until` (monotonic); into: list of messages."""
	while True:
		left = until - time.monotonic()
		if left <= 0:
			return
		r, _, _ = select.select([s], [], [], left)
		if not r:
			return
		while True:
			try:
				data = s.recv(65535)
			except BlockingIOError:
				break
			into.append(dns.message.from_wire(data, ignore_trailing=True))


def tally(msgs):
	full = sum(1 for m in msgs if not (m.flags & dns.flags.TC) and len(m.answer) > 0)
	tc = sum(1 for m in msgs if (m.flags & dns.flags.TC) and not m.answer and not m.authority)
	return full, tc


def burst(d, src, n, cookie=None, wait=1.0, name=lambda i: "www.example."):
	"""n queries from src as fast as possible (name(i): the i-th name
	asked); returns the replies."""
	s = sock(src)
	got = []
	try:
		for i in range(n):
			s.sendto(query_wire(i, name(i), cookie=cookie), ("127.0.0.1", d.port))
			if i % 50 == 49:
				drain(s, got, time.monotonic())
		drain(s, got, time.monotonic() + wait)
	finally:
		s.close()
	return got


def cookie_of(m):
	for o in m.options:
		if o.otype == dns.edns.COOKIE:
			return o.to_wire() if hasattr(o, "to_wire") else o.data
	return None


def t_flood(d):
	flood, calm = sock("127.0.0.9"), sock("127.0.1.2")
	fgot, cgot = [], []
	sent = csent = 0
	t0 = time.monotonic()
	try:
		# 2,000 queries in 10 slices of 200, 100 ms apart; the neighbour
		# sends one query per slice
		for slot in range(10):
			for _ in range(200):
				flood.sendto(query_wire(sent), ("127.0.0.1", d.port))
				sent += 1
			calm.sendto(query_wire(csent), ("127.0.0.1", d.port))
			csent += 1
			end = t0 + (slot + 1) * 0.1
			while time.monotonic() < end:
				drain(flood, fgot, min(end, time.monotonic() + 0.02))
				drain(calm, cgot, time.monotonic())
		drain(flood, fgot, time.monotonic() + 0.5)
		drain(calm, cgot, time.monotonic() + 0.2)
	finally:
		flood.close()
		calm.close()
	secs = time.monotonic() - t0
	full, tc = tally(fgot)
	# a second's burst plus RATE a second over the run (and a margin for
	# the slices' timing and a loaded machine)
	lo, hi = RATE, int(RATE * (1 + secs) * 1.3) + 10
	ck(lo <= full <= hi, "flood: %d full answers of %d queries in %.2f s (expected %d..%d)"
	   % (full, sent, secs, lo, hi))
	over = sent - full
	ck(abs(tc - over / 2) <= over * 0.1 + 10,
	   "flood: %d slipped TC answers for %d over the limit (slip 2)" % (tc, over))
	ck(len(fgot) < sent * 0.7, "flood: most over-limit answers dropped (%d replies)" % len(fgot))
	cfull, _ = tally(cgot)
	ck(cfull == csent, "neighbour /24: %d of %d answered in full" % (cfull, csent))


def t_wildcard(d):
	"""A random-subdomain flood under a wildcard: every name differs, but
	the answers come from one wildcard, so they share its bucket."""
	t0 = time.monotonic()
	got = burst(d, "127.0.7.7", 1000, name=lambda i: "r%d-%d.wild.example." % (i, os.getpid()))
	secs = time.monotonic() - t0
	full, tc = tally(got)
	hi = int(RATE * (1 + secs) * 1.3) + 10
	ck(RATE <= full <= hi and tc > 0,
	   "wildcard flood: %d full answers, %d TC for 1,000 different names in %.2f s "
	   "(expected %d..%d full)" % (full, tc, secs, RATE, hi))


def t_exempt(d):
	got = burst(d, "127.0.2.5", 400)
	full, tc = tally(got)
	ck(full == 400 and tc == 0, "exempt source: %d of 400 answered in full, %d TC" % (full, tc))


def t_self(d):
	got = burst(d, "127.0.0.1", 400)
	full, tc = tally(got)
	ck(full == 400 and tc == 0, "from the node itself: %d of 400 answered in full, %d TC"
	   % (full, tc))


def t_tcp(d):
	ok = 0
	for i in range(60):
		q = dns.message.make_query("www.example.", "A")
		r = dns.query.tcp(q, "127.0.0.1", port=d.port, source="127.0.0.9", timeout=3)
		ok += len(r.answer) > 0 and not (r.flags & dns.flags.TC)
	ck(ok == 60, "TCP from the flooded source: %d of 60 answered" % ok)


def t_cookies(d):
	client = bytes.fromhex("2464c4abcf10c957")
	got = burst(d, "127.0.4.4", 1, cookie=client, wait=2.0)
	c = cookie_of(got[0]) if got else None
	ck(c is not None and len(c) == 24 and c[:8] == client and c[8] == 1 and c[9:12] == b"\0\0\0"
	   and abs(int.from_bytes(c[12:16], "big") - time.time()) < 60,
	   "a client cookie gets a server cookie (RFC 9018 layout)", c.hex() if c else None)
	if not c:
		return None
	before = d.control("stats")
	got = burst(d, "127.0.4.4", 400, cookie=c)
	full, tc = tally(got)
	ck(full == 400, "400 queries with a valid server cookie: %d answered in full, %d TC"
	   % (full, tc))
	after = d.control("stats")
	nvalid = after["cookies"]["valid"] - before["cookies"]["valid"]
	ck(nvalid == 400, "stats: %d valid cookies counted" % nvalid)
	# a server cookie that is not ours: answered, with a fresh one
	bad = c[:8] + bytes(16 * [0x42])
	got = burst(d, "127.0.5.5", 1, cookie=bad, wait=2.0)
	ck(got and got[0].rcode() == dns.rcode.NOERROR and len(got[0].answer) == 1
	   and cookie_of(got[0]) and cookie_of(got[0])[8:] != bad[8:],
	   "an invalid server cookie: NOERROR with a fresh server cookie")
	return c


def t_dig(d):
	dig = shutil.which("dig")
	if not dig:
		ck(True, "dig not installed: dig +cookie check skipped")
		return
	base = [dig, "@127.0.0.1", "-p", str(d.port), "-b", "127.0.6.6", "+norec", "+time=2",
		"+tries=1", "www.example.", "A"]
	out = subprocess.run(base + ["+cookie"], capture_output=True, text=True, timeout=10).stdout
	m = re.search(r"COOKIE: ([0-9a-f]{48})(.*)", out)
	ck(m is not None and "status: NOERROR" in out, "dig +cookie gets a server cookie",
	   out[-400:])
	if not m:
		return
	before = d.control("stats")["cookies"]["valid"]
	out2 = subprocess.run(base + ["+cookie=" + m.group(1)], capture_output=True, text=True,
			      timeout=10).stdout
	after = d.control("stats")["cookies"]["valid"]
	ck("status: NOERROR" in out2 and after == before + 1,
	   "dig's second query with the cookie is accepted (valid: %d -> %d)" % (before, after),
	   out2[-400:])


def t_counters(d):
	st = d.control("stats")
	rl = st.get("rate-limit", {})
	# the exempt burst: all but its bucket's own share counted exempted
	ck(rl.get("dropped", 0) > 0 and rl.get("slipped", 0) > 0
	   and 400 - 3 * RATE <= rl.get("exempted", 0) <= 400,
	   "stats: rate-limit counters %s" % rl)
	raizctl = os.path.join(os.environ.get("RAIZ_BUILD", "build/asan"), "raizctl")
	if not os.path.isabs(raizctl):
		raizctl = os.path.join(ROOT, raizctl)
	# no controller runs: raizctl reports it down, and prints raiz-dnsd's metrics
	p = subprocess.run([raizctl, "-c", d.config_path, "metrics"], capture_output=True, text=True,
			   timeout=20)
	vals = dict(re.findall(r"^(raiz_dnsd_(?:rrl|cookie)_\w+) (\d+)", p.stdout, re.M))
	ck(int(vals.get("raiz_dnsd_rrl_dropped_total", 0)) == rl.get("dropped")
	   and int(vals.get("raiz_dnsd_rrl_slipped_total", 0)) > 0
	   and int(vals.get("raiz_dnsd_rrl_exempted_total", 0)) > 0
	   and int(vals.get("raiz_dnsd_cookie_valid_total", 0)) > 0,
	   "raizctl metrics: raiz_dnsd_rrl_* and cookie counters", vals or p.stdout[-300:] + p.stderr)


def t_reload(d, cookie):
	# no "rate-limit": the defaults, loopback exempt
	del d.dnsd["rate-limit"]
	d.dnsd["cookie-secret"] = SECRET2
	d.write_config()
	r = d.reload()
	ck(r.get("ok"), "reload to the defaults and a new cookie secret", r)
	got = burst(d, "127.0.0.9", 500)
	full, tc = tally(got)
	ck(full == 500, "default rate-limit: loopback exempt, %d of 500 answered in full" % full)
	if cookie:
		before = d.control("stats")["cookies"]["valid"]
		burst(d, "127.0.4.4", 1, cookie=cookie, wait=2.0)
		after = d.control("stats")["cookies"]["valid"]
		ck(after == before + 1, "after the secret changed, a cookie of the previous one is valid")


def t_config(d):
	"""raiz-dnsd -n refuses bad rate-limit and cookie settings with file:line."""
	for key, val, why in (("rate-limit", None, "must be an object, not null"),
			      ("rate-limit", {"slip": None}, "\"slip\" must be a whole number"),
			      ("rate-limit", {"window": 0}, "\"window\" is 0"),
			      ("rate-limit", {"exempt": ["10.0.0.1/8"]}, "bits set beyond /8"),
			      ("rate-limit", {"exempt": "10.0.0.0/8"}, "\"exempt\" must be an array"),
			      ("rate-limit", {"windw": 2}, "unknown key \"windw\""),
			      ("cookie-secret", "abc", "32 hex digits"),
			      ("cookie-secret", None, "must be a string, not null"),
			      ("cookies", 1, "true or false")):
		saved = dict(d.dnsd)
		d.dnsd[key] = val
		d.write_config()
		rc, out = d.run_check()
		d.dnsd.clear()
		d.dnsd.update(saved)
		ck(rc == 2 and re.search(r"raiz\.json:\d+: .*" + re.escape(why), out),
		   "-n refuses %s = %s: %s" % (key, val, why), "exit %d: %s" % (rc, out.strip()[-200:]))
	d.write_config()


def main():
	install_signal_handlers()
	d = Dnsd(zones={"example.": zone_text(extra="*.wild IN A 192.0.2.99\n")},
		 dnsd={"rate-limit": dict(RRL), "cookie-secret": SECRET})
	try:
		d.start()
		t_flood(d)
		t_wildcard(d)
		t_exempt(d)
		t_tcp(d)
		cookie = t_cookies(d)
		t_dig(d)
		t_counters(d)
		t_self(d)
		t_reload(d, cookie)
		ck(d.alive(), "raiz-dnsd still running")
		rc = d.stop()
		ck(rc == 0, "clean exit (status %s)" % rc, d.log_tail(20))
		t_config(d)
	except Exception as e:
		import traceback
		traceback.print_exc()
		ck(False, "ran to the end", "%s: %s" % (type(e).__name__, e))
	finally:
		d.cleanup()
	return ck.done()


if __name__ == "__main__":
	sys.exit(main())

#!/usr/bin/python3
"""t_differential -- raiz-dnsd against NSD, serving the same signed zones.

Generates (tests/lib/zonegen.py) and signs with ldns-keygen/ldns-signzone a
root-like zone "." (NSEC, ~1,100 delegations) and a ccTLD-like zone
"example." (NSEC3 opt-out, salt, iterations), starts NSD and raiz-dnsd on
two loopback ports in 15400-15499, sends both the same >= 10,000 queries
(each with and without DO; EDNS 300/512/1232/4096 and plain DNS variants;
a sample and every truncated answer again over TCP), and compares the answers
RR by RR (tests/lib/dnsdiff.py).  Differences the RFCs allow are absorbed
by the named allowances in dnsdiff.py; every other difference is a failure.

Usage: t_differential.py [--a nsd] [--b raiz|nsd|knot] [--xfr knot|nsd] [--seed N]
			 [--workers N] [--show N] [--show-allowed N] [--shapes N] [--keep]
			 [--large N | --zone FILE [--origin O]] [--per-kind K] [--timeout S]
  --b nsd / --b knot validate the harness itself (NSD vs NSD must give 0
  differences).  Environment: RAIZ_BUILD (default build/asan) holds
  raiz-dnsd.
  --xfr knot|nsd: raiz-dnsd (--b raiz) serves "example." as a secondary zone
  of a Knot or NSD primary (tests/lib/primary.py, TSIG hmac-sha256) that
  serves the signed file, instead of loading the file itself; the reference
  still loads the file.  Before the queries the test checks that the copy
  came by zone transfer (control socket `zones`: kind secondary,
  last-transfer set, the primary's serial).  tests/t_differential_xfr runs
  this mode.
  --large N: instead of the two small zones, one ccTLD-like zone of N
  delegations as bench/zload makes them (tests/lib/zonegen.py
  delegations_zone: 2 NS each, a tenth with in-zone glue, DS on a third,
  NSEC3 opt-out), signed here; --zone FILE: an existing signed zone (say
  bench/zload's 1,000,000-delegation one).  Such a zone is not loaded into
  dnspython: tests/lib/zonesample.py streams it and keeps K names of every
  kind (delegations with and without DS, glue, NSEC3 owners, other names),
  from which the queries are made (referrals, DS answers and opt-out
  proofs, names below cuts, NSEC3 owners, nonexistent names near real
  ones); the allowances see the RRsets of the sampled names.
  tests/t_differential_large runs --large 50000 in `make test`.

Exit: 0 no failures, 1 failures (or a server did not start / died / did
not exit cleanly, or the reference's answers fail the sanity check), 77 when
nsd, ldns-keygen or ldns-signzone are not installed.

Harness validation (2026-11, NSD 4.6.1, Knot 3.2.6, dnspython 2.3), seeds
20261121 and 1-4:
  --b nsd   NSD against a second NSD: every exchange identical.
  --b knot  NSD against Knot: 0 failures; the allowances that fire, each a
	    real RFC latitude: authority-ns-on-answer (Knot is minimal),
	    optional-additional-addresses, rrsig-qtype-subset and
	    any-subset-rfc8482 (the servers return different RRsets),
	    cross-zone-chase (NSD follows a CNAME from example. into the root
	    zone, Knot stops), nsec-qtype-at-alias, literal-wildcard-nsec3,
	    badvers-do-bit, glue-tc-rfc9471 (NSD 4.6 drops in-domain glue
	    without TC, Knot sets TC as RFC 9471 requires),
	    tc-for-optional-additional, truncated-content, and
	    tc-from-allowed-choice (one of the choices above made one answer
	    too large for UDP; judged on the TCP answers).
  --b raiz  cd-bit-rfc4035 only (raiz-dnsd copies CD, NSD clears it).
Queries that got TC from either server, and every 40th query, are asked
again over TCP (16 pipelined per batch, RFC 7766 6.2.1.1) and compared too.
Besides the per-query comparison the test fails if the reference's answers
do not cover enough NXDOMAIN/referral/answer/NODATA/TC cases (a broken zone
or query generator would otherwise make two servers agree on nothing), and
if the comparator fails to flag mutated answers (self-check).
"""

import argparse
import os
import random
import select
import shutil
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

try:
	import dns.edns
	import dns.flags
	import dns.message
	import dns.name
	import dns.rdatatype
except ImportError:
	sys.stderr.write("t_differential: FAIL, python3-dnspython missing (run with /usr/bin/python3)\n")
	sys.exit(1)

import dnsdiff     # noqa: E402
import primary     # noqa: E402
import raizlab     # noqa: E402
import zonegen     # noqa: E402
import zonesample  # noqa: E402

T = dns.rdatatype
SEED = 20261121


# ---------------------------------------------------------------------------
# queries


class Q:
	"""One base query: sent in two variants (without and with DO)."""
	__slots__ = ("qname", "rdtype", "kind")

	def __init__(self, qname, rdtype, kind):
		self.qname = qname            # presentation text, case as sent
		self.rdtype = rdtype
		self.kind = kind              # category for the summary

	def __repr__(self):
		return "%s %s" % (self.qname, T.to_text(self.rdtype))


def mixcase(rng, name):
	"""0x20-style random case of a presentation name."""
	return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c for c in name)


# qtypes asked at names where they mostly do not exist
MISC = (T.A, T.AAAA, T.MX, T.TXT, T.SOA, T.DNSKEY, T.NSEC, T.RRSIG, T.ANY, T.CNAME,
	T.SRV, T.PTR, T.CAA, T.NSEC3, T.NSEC3PARAM, T.DS, T.NS, T.HINFO, 65280)


def query_adder(rng, qs):
	"""add(name, qtype, kind): append a Q to qs, a fifth of them in mixed
	case; names too long for the wire are skipped."""
	def add(name, t, kind):
		if len(name) > 253 or any(len(l) > 63 for l in name.split(".")):
			return
		if rng.random() < 0.2:
			name = mixcase(rng, name)
		qs.append(Q(name, t, kind))
	return add


def gen_queries(root, ex, seed):
	rng = random.Random(seed + 2)
	qs = []
	add = query_adder(rng, qs)
	misc = MISC
	apex_types = (T.SOA, T.NS, T.DNSKEY, T.NSEC, T.NSEC3, T.NSEC3PARAM, T.RRSIG, T.ZONEMD, T.ANY,
		      T.A, T.AAAA, T.MX, T.TXT, T.DS, T.CNAME, T.DNAME, T.CAA, T.PTR, T.SRV, 65280)
	for origin in (".", "example."):
		for t in apex_types:
			add(origin, t, "apex")
			add(origin, t, "apex")

	# --- root: delegations, glue, nonexistent names
	for cut, info in sorted(root.cuts.items()):
		sub = "" if cut == "." else cut
		add(cut, T.NS, "referral")
		add(cut, T.DS, "ds-at-cut")
		add(cut, rng.choice((T.A, T.AAAA, T.SOA, T.DNSKEY, T.MX, T.TXT)), "referral")
		add("www." + sub, rng.choice((T.A, T.AAAA)), "referral-below")
		add("%s.%s.%s" % (zonegen._label(rng, "word"), zonegen._label(rng, "cc"), sub),
		    rng.choice(misc), "referral-below")
		add(cut, rng.choice((T.ANY, T.RRSIG, T.NSEC, T.CNAME)), "referral-meta")
		for t in info["ns"]:
			if t.endswith(cut) and rng.random() < 0.7:
				add(t, rng.choice((T.A, T.AAAA)), "glue-name")
	for g in sorted(root.glue):
		if g.endswith("root-servers.net.") or g.endswith("gtld-servers.net."):
			add(g, rng.choice((T.A, T.AAAA, T.NS)), "glue-name")
	tlds = sorted(root.tlds)
	for i in range(900):
		r = rng.random()
		if r < 0.4:
			name = zonegen._label(rng, rng.choice(("word", "cc", "idn", "digit"))) + "."
		elif r < 0.7:     # lexically next to an existing name
			t = rng.choice(tlds)
			name = rng.choice((t + rng.choice(zonegen.ALNUM), t[:-1] or "z", t + "-", "0" + t)) + "."
		else:             # deeper
			name = "%s.%s." % (zonegen._label(rng, "word"), zonegen._label(rng, "word"))
		if name.lower().rstrip(".").split(".")[-1] in root.tlds or \
		   name.lower().rstrip(".").split(".")[-1] in ("net", "arpa", "example"):
			continue
		add(name, rng.choice(misc), "nxdomain")

	# --- example.: every owner with its types, NODATA, ANY, RRSIG
	present = set()
	for owner, types in sorted(ex.data.items()):
		present.add(owner)
		if owner.startswith("*."):
			continue
		for t in sorted(types):
			add(owner, T.from_text(t), "answer")
		add(owner, rng.choice([x for x in misc if T.to_text(x) not in types]), "nodata")
		add(owner, rng.choice((T.ANY, T.RRSIG, T.NSEC3, T.NSEC)), "meta")
	for cut, info in sorted(ex.cuts.items()):
		add(cut, T.NS, "referral")
		add(cut, T.DS, "ds-at-cut")
		add(cut, rng.choice((T.A, T.AAAA, T.SOA, T.DNSKEY, T.ANY, T.MX)), "referral")
		add("host." + cut, rng.choice((T.A, T.AAAA, T.TXT)), "referral-below")
		add("a.b." + cut, T.DS, "referral-below")
		for t in info["ns"]:
			if t.endswith(cut):
				add(t, rng.choice((T.A, T.AAAA)), "glue-name")
	for e in sorted(ex.ents):
		for t in (T.A, T.TXT, T.NS, T.DS, T.ANY):
			add(e, t, "ent")
		add("nx." + e, rng.choice(misc), "nxdomain-under-ent")
	# wildcards
	for i in range(150):
		lab = zonegen._label(rng, rng.choice(("word", "digit", "cc")))
		add(lab + ".wild.example.", rng.choice((T.A, T.TXT, T.MX, T.AAAA, T.NS, T.ANY, T.RRSIG, T.DS)),
		    "wildcard")
		add("%s.%s.wild.example." % (zonegen._label(rng, "word"), lab), rng.choice((T.A, T.AAAA)),
		    "wildcard-deep")
		add(lab + ".cname-wild.example.", rng.choice((T.A, T.AAAA, T.CNAME, T.TXT)), "wildcard-cname")
	for n, t in (("*.wild.example.", T.A), ("*.wild.example.", T.AAAA), ("exists.wild.example.", T.MX),
		     ("x.exists.wild.example.", T.A), ("sub.wild.example.", T.A), ("x.sub.wild.example.", T.A),
		     ("wild.example.", T.A), ("*.cname-wild.example.", T.CNAME)):
		add(n, t, "wildcard-edge")
	# CNAME chains and DNAME
	for owner in sorted(ex.cnames):
		if owner.startswith("*."):
			continue
		for t in (T.A, T.AAAA, T.CNAME, T.MX, T.TXT, T.ANY, T.DS):
			add(owner, t, "cname")
	for owner in sorted(ex.dnames):
		for pre in ("www.", "x.y.", "nothere.", ""):
			for t in (T.A, T.AAAA, T.DNAME, T.CNAME):
				add(pre + owner, t, "dname")
	# nonexistent names in example.
	hosts = sorted(o for o in present if o.startswith("h"))
	for i in range(700):
		r = rng.random()
		if r < 0.3:
			name = "nx%d.example." % rng.randint(0, 99999)
		elif r < 0.6:
			name = rng.choice(hosts).replace(".example.", rng.choice(("a", "-", "0", "zz")) + ".example.")
		elif r < 0.8:
			name = "%s.%s" % (zonegen._label(rng, "word"), rng.choice(hosts))
		else:
			name = "%s.%s.nx.example." % (zonegen._label(rng, "cc"), zonegen._label(rng, "word"))
		if name.lower() in present or name.lower() in ex.ents:
			continue
		add(name, rng.choice(misc), "nxdomain")
	# large answers: TC over UDP, then compared again over TCP
	for i in range(10):
		for n, t in (("big.example.", T.TXT), ("medium.example.", T.TXT), ("many-ns.example.", T.NS),
			     ("bigdeleg.", T.NS), ("example.", T.DNSKEY)):
			add(n, t, "large")
	# odd labels: exact, ASCII case changed, a different high byte, escaped dot
	for n in ex.odd + ["\\200BIN.example.", "\\232bin.example.", "\\200bin.EXAMPLE.",
			   "A\\.B.example.", "a.b.example.", "x.a\\.b.example.", "\\000.example.",
			   "\\032sp.example.", "\\255\\255.wild.example."]:
		for t in (T.A, T.TXT, T.ANY):
			qs.append(Q(n, t, "odd-label"))
	# EDNS version 1: BADVERS (RFC 6891 section 6.1.3)
	for n in ("www.example.", ".", "nx.example.", "abc.bigdeleg."):
		qs.append(Q(n, T.A, "badvers"))
	return qs


def gen_large_queries(smp, seed):
	"""Queries for every kind of name kept by zonesample (--large/--zone):
	the apex, delegations with and without DS (referrals, DS answers and
	opt-out NODATA proofs, names below them), glue names, NSEC3 owners,
	other names, and nonexistent names: random ones and near neighbours
	of real delegations (the NSEC3 proofs then cover hashes of names that
	sort close to real ones)."""
	rng = random.Random(seed + 2)
	qs = []
	o = smp.origin
	add = query_adder(rng, qs)
	misc = MISC
	for t in (T.SOA, T.NS, T.DNSKEY, T.NSEC3PARAM, T.RRSIG, T.ANY, T.A, T.AAAA, T.MX, T.TXT,
		  T.DS, T.NSEC, T.NSEC3, T.CNAME, T.DNAME, 65280):
		add(o, t, "apex")
	for kind in ("secure-cut", "insecure-cut"):
		for cut in smp.names[kind]:
			add(cut, T.NS, kind)
			add(cut, T.DS, kind + "-ds")
			add(cut, rng.choice((T.A, T.AAAA, T.SOA, T.DNSKEY, T.MX, T.TXT)), kind)
			add(cut, rng.choice((T.ANY, T.RRSIG, T.NSEC3, T.CNAME)), kind + "-meta")
			add("www." + cut, rng.choice((T.A, T.AAAA)), kind + "-below")
			add("a.b." + cut, rng.choice((T.DS, T.NS, T.TXT)), kind + "-below")
	for g in smp.names["glue"]:
		add(g, rng.choice((T.A, T.AAAA)), "glue-name")
		add(g, rng.choice((T.TXT, T.ANY, T.DS)), "glue-name")
	for h in smp.names["nsec3"]:
		add(h, rng.choice((T.NSEC3, T.RRSIG, T.ANY, T.A)), "nsec3-owner")
		add("x." + h, T.A, "nsec3-owner")
	for a in smp.names["auth"]:
		add(a, rng.choice((T.A, T.AAAA)), "answer")
		add(a, rng.choice((T.TXT, T.MX, T.ANY, T.RRSIG, T.NSEC3)), "nodata")
	cuts = smp.names["secure-cut"] + smp.names["insecure-cut"]
	for i in range(len(cuts)):
		r = rng.random()
		if r < 0.4:
			name = "%s.%s" % (zonegen._label(rng, rng.choice(("word", "cc", "idn", "digit"))), o)
		elif r < 0.8:
			lab = rng.choice(cuts)[:-len(o) - 1]
			name = rng.choice((lab + rng.choice(zonegen.ALNUM), lab[:-1] or "z", lab + "-",
					   "0" + lab)) + "." + o
		else:
			name = "%s.%s.%s" % (zonegen._label(rng, "word"), zonegen._label(rng, "cc"), o)
		add(name, rng.choice(misc), "nxdomain")
	for n in ("www.", "x.y.", ""):
		qs.append(Q(n + o, T.A, "badvers"))
	return qs


# ---------------------------------------------------------------------------
# wire: build the variants, send over UDP (many in flight) and TCP


def opts(rng):
	"""Now and then an EDNS option the servers must ignore (RFC 6891
	section 6.1.2: unknown options are ignored)."""
	if rng.random() < 0.05:
		return [dns.edns.GenericOption(65001, b"raiz")]
	return None


def variants(qs, seed):
	"""Two wires per base query: [0] without DO, [1] with DO.

	Without DO: a third plain DNS (no EDNS, 512 byte limit), the rest EDNS
	1232.  With DO: EDNS 300 (to be treated as 512, RFC 6891 section
	6.2.5), 512, 1232 or 4096, CD on some.  RD on some of
	both; an unknown EDNS option on a few."""
	rng = random.Random(seed + 3)
	out = []
	for i, q in enumerate(qs):
		pair = []
		for do in (False, True):
			m = dns.message.make_query(q.qname, q.rdtype, use_edns=False)
			m.flags = 0
			if rng.random() < 0.3:
				m.flags |= dns.flags.RD
			if q.kind == "badvers":
				m.use_edns(1, dns.flags.DO if do else 0, 1232)
			elif do:
				m.use_edns(0, dns.flags.DO, rng.choice((300, 512, 1232, 1232, 1232, 4096, 4096, 4096)),
					   options=opts(rng))
				if rng.random() < 0.1:
					m.flags |= dns.flags.CD
			elif rng.random() < 0.67:
				m.use_edns(0, 0, 1232, options=opts(rng))
			m.id = 0
			pair.append(bytearray(m.to_wire()))
		out.append(pair)
	return out


def udp_run(port, wires, window=200, timeout=0.5, tries=4, nsock=4):
	"""Send every wire to 127.0.0.1:port over UDP, at most `window` in flight,
	spread over `nsock` client sockets (so SO_REUSEPORT spreads them over
	the server's workers).  Returns the list of response wires (None where
	no answer came)."""
	n = len(wires)
	res = [None] * n
	socks = []
	for _ in range(nsock):
		sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
		sock.connect(("127.0.0.1", port))
		sock.setblocking(False)
		socks.append(sock)
	try:
		todo = list(range(n))
		for attempt in range(tries):
			inflight = {}             # id -> (index, sent at)
			pos = 0
			while pos < len(todo) or inflight:
				while pos < len(todo) and len(inflight) < window:
					i = todo[pos]
					qid = i & 0xffff
					w = wires[i]
					struct.pack_into("!H", w, 0, qid)
					try:
						socks[i % nsock].send(w)
					except BlockingIOError:
						break
					pos += 1
					inflight[qid] = (i, time.monotonic())
				ready, _, _ = select.select(socks, [], [], 0.05)
				for sock in ready:
					while True:
						try:
							data = sock.recv(65535)
						except BlockingIOError:
							break
						if len(data) < 2:
							continue
						qid = struct.unpack_from("!H", data)[0]
						ent = inflight.pop(qid, None)
						if ent is not None:
							res[ent[0]] = data
				now = time.monotonic()
				for qid in [k for k, (i, t0) in inflight.items() if now - t0 > timeout]:
					del inflight[qid]
			todo = [i for i in todo if res[i] is None]
			if not todo:
				break
	finally:
		for sock in socks:
			sock.close()
	return res


class TCPClient:
	"""One persistent TCP connection, reopened when the server closes it."""

	def __init__(self, port, timeout=3.0):
		self.port = port
		self.timeout = timeout
		self.sock = None

	def _recvn(self, n):
		buf = b""
		while len(buf) < n:
			chunk = self.sock.recv(n - len(buf))
			if not chunk:
				raise ConnectionError("closed")
			buf += chunk
		return buf

	def ask(self, wire):
		for attempt in range(2):
			try:
				if self.sock is None:
					self.sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
				self.sock.sendall(struct.pack("!H", len(wire)) + bytes(wire))
				ln = struct.unpack("!H", self._recvn(2))[0]
				return self._recvn(ln)
			except (OSError, ConnectionError):
				self.close()
		return None

	def close(self):
		if self.sock is not None:
			self.sock.close()
			self.sock = None


def tcp_run(port, wires, pipeline=16):
	"""Ask every wire over TCP on one persistent connection, `pipeline`
	queries written back to back before the answers are read (RFC 7766
	section 6.2.1.1: servers must read and answer pipelined queries; the
	answers may come in any order, they are matched by ID).  What a batch
	does not get (connection closed) is asked again one by one."""
	c = TCPClient(port)
	res = [None] * len(wires)
	try:
		for start in range(0, len(wires), pipeline):
			batch = list(range(start, min(start + pipeline, len(wires))))
			byid = {struct.unpack_from("!H", wires[i])[0]: i for i in batch}
			try:
				if c.sock is None:
					c.sock = socket.create_connection(("127.0.0.1", port), c.timeout)
				c.sock.sendall(b"".join(struct.pack("!H", len(wires[i])) + bytes(wires[i])
							for i in batch))
				for _ in batch:
					ln = struct.unpack("!H", c._recvn(2))[0]
					data = c._recvn(ln)
					i = byid.pop(struct.unpack_from("!H", data)[0], None) if ln >= 2 else None
					if i is not None:
						res[i] = data
			except (OSError, ConnectionError):
				c.close()
			for i in batch:
				if res[i] is None:
					res[i] = c.ask(wires[i])
	finally:
		c.close()
	return res


# ---------------------------------------------------------------------------


def make_server(kind, workdir, port, zones, label, workers=1):
	if kind == "nsd":
		return raizlab.NSD(workdir, port, zones, label)
	if kind == "knot":
		return raizlab.Knot(workdir, port, zones, label)
	if kind == "raiz":
		build = os.environ.get("RAIZ_BUILD", "build/asan")
		binary = os.path.abspath(os.path.join(build, "raiz-dnsd"))
		if not os.access(binary, os.X_OK):
			raise RuntimeError("%s not found (set RAIZ_BUILD or build it)" % binary)
		return raizlab.RaizDnsd(workdir, port, zones, binary, label, dnsd={"workers": workers})
	raise ValueError(kind)


class RaizSecondary(raizlab.RaizDnsd):
	"""raiz-dnsd with some zones as secondary zones: secondaries maps an
	origin to the primary ("addr@port"), all with one TSIG key (a
	primary.TsigKey).  wait_ready() waits for them too (their SOA is
	answered only once a transfer has happened)."""

	def __init__(self, workdir, port, zones, binary, label, secondaries, key, dnsd=None):
		raizlab.RaizDnsd.__init__(self, workdir, port, zones, binary, label, dnsd)
		self.secondaries = dict(secondaries)
		self.key = key

	def argv(self):
		import json
		argv = raizlab.RaizDnsd.argv(self)
		conf = argv[argv.index("-c") + 1]
		with open(conf) as f:
			cfg = json.load(f)
		cfg["zones"] = [z for z in cfg["zones"] if z["name"] not in self.secondaries]
		for origin, prim in sorted(self.secondaries.items()):
			cfg["zones"].append({"name": origin, "primaries": [prim],
					     "tsig-key": self.key.name.rstrip(".")})
		cfg["tsig-keys"] = [self.key.config()]
		with open(conf, "w") as f:
			json.dump(cfg, f, indent=2)
		return argv

	def control(self, command):
		import json
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.settimeout(10)
		try:
			s.connect(os.path.join(self.workdir, "dnsd.sock"))
			s.sendall((json.dumps({"command": command}) + "\n").encode())
			buf = b""
			while not buf.endswith(b"\n"):
				chunk = s.recv(65536)
				if not chunk:
					break
				buf += chunk
		finally:
			s.close()
		return json.loads(buf.decode())


def start_xfr(args, tmp, lab, zones, port, label):
	"""The primary (Knot or NSD) for "example." and raiz-dnsd as its
	secondary; returns raiz-dnsd's Server once the copy is served."""
	key = primary.TsigKey.new("diff-xfr-key")
	origin, path = [z for z in zones if z[0] == "example."][0]
	pport = raizlab.pick_ports(1, lo=15400, hi=15499, avoid=(port,))[0]
	cls = primary.KnotPrimary if args.xfr == "knot" else primary.NsdPrimary
	prim = lab.start(cls(os.path.join(tmp, "primary-" + args.xfr), [primary.ZoneFile(origin, path)], key,
			     port=pport))
	build = os.environ.get("RAIZ_BUILD", "build/asan")
	binary = os.path.abspath(os.path.join(build, "raiz-dnsd"))
	if not os.access(binary, os.X_OK):
		raise RuntimeError("%s not found (set RAIZ_BUILD or build it)" % binary)
	sb = lab.start(RaizSecondary(os.path.join(tmp, "b-raiz"), port, zones, binary, label,
				     {origin: prim.address}, key, dnsd={"workers": args.workers}), timeout=60)
	want = prim.serial(origin)
	try:
		z = {x.get("name"): x for x in sb.control("zones").get("zones", [])}.get(origin) or {}
	except (OSError, ValueError) as e:
		z = {"error": str(e)}
	lt = z.get("last-transfer") or {}
	if z.get("kind") != "secondary" or not lt or z.get("serial") != want:
		raise RuntimeError("%s: zones does not show a transferred copy of %s at serial %s: %s"
				   % (label, origin, want, z))
	print("t_differential: %s holds %s by %s from %s %s (serial %d, %s records)"
	      % (label, origin, lt.get("kind"), args.xfr, prim.address, want, z.get("records")))
	return sb


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
	ap.add_argument("--a", default="nsd", choices=("nsd", "knot", "raiz"), help="reference server")
	ap.add_argument("--b", default="raiz", choices=("nsd", "knot", "raiz"), help="server under test")
	ap.add_argument("--seed", type=int, default=SEED)
	ap.add_argument("--workers", type=int, default=2, help="raiz-dnsd worker threads")
	ap.add_argument("--show", type=int, default=20, help="differing queries to print")
	ap.add_argument("--show-allowed", type=int, default=0, help="allowed differences to print")
	ap.add_argument("--shapes", type=int, default=25, help="failure shapes to list")
	ap.add_argument("--keep", action="store_true", help="keep the temp dir (zones, configs, logs)")
	ap.add_argument("--xfr", choices=("knot", "nsd"),
			help="raiz-dnsd gets example. by zone transfer from this primary")
	ap.add_argument("--large", type=int, metavar="N",
			help="one generated NSEC3 opt-out zone of N delegations (bench/zload's), sampled")
	ap.add_argument("--zone", metavar="FILE",
			help="one signed zone file as ldns-signzone writes it (e.g. bench/zload's cache), sampled")
	ap.add_argument("--origin", default="example.", help="the origin of --zone (default example.)")
	ap.add_argument("--per-kind", type=int, default=1000, metavar="K",
			help="--large/--zone: names sampled of each kind (default 1000)")
	ap.add_argument("--timeout", type=float, default=30.0, help="seconds a server may take to load")
	args = ap.parse_args()
	if args.xfr and (args.b != "raiz" or args.large or args.zone):
		ap.error("--xfr needs --b raiz and the default zones")
	if args.large is not None and not 100 <= args.large <= 5000000:
		ap.error("--large: 100-5000000 delegations")
	if args.xfr and args.b != "raiz":
		ap.error("--xfr needs --b raiz")

	need = ["ldns-keygen", "ldns-signzone", "nsd"]
	if "knot" in (args.a, args.b, args.xfr):
		need += ["knotd", "knotc"]
	missing = [p for p in need if not shutil.which(p, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")]
	if missing:
		print("t_differential: SKIP, not installed: %s" % " ".join(missing))
		return 77
	os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

	raizlab.install_signal_handlers()
	t_start = time.monotonic()
	tmp = tempfile.mkdtemp(prefix="raiz-diff-")
	try:
		with raizlab.Lab() as lab:
			try:
				rc = run(args, tmp, lab, t_start)
			except RuntimeError as e:      # a server did not start, a tool failed
				print("t_differential: FAIL, %s" % e)
				rc = 1
		if not lab.clean_exits():
			print("t_differential: FAIL, a server did not exit cleanly: %s" % lab.status)
			rc = 1
		return rc
	finally:
		if args.keep:
			print("t_differential: kept %s" % tmp)
		else:
			shutil.rmtree(tmp, ignore_errors=True)


def setup_small(args, zdir):
	"""The two generated zones of the default mode: (zones, queries,
	dnsdiff context, sanity minimums)."""
	root, ex = zonegen.build_all(zdir, seed=args.seed)
	zones = [(".", root.signed), ("example.", ex.signed)]
	qs = gen_queries(root, ex, args.seed)
	if len(qs) < 10000:
		raise RuntimeError("only %d base queries generated" % len(qs))
	ctx = dnsdiff.Context([(".", root.signed, False), ("example.", ex.signed, True)])
	return zones, qs, ctx, NEED


def setup_large(args, zdir):
	"""--large N / --zone FILE: one large NSEC3 opt-out zone, sampled by
	tests/lib/zonesample.py.  The sanity minimums scale with the sample."""
	origin = args.origin.lower()
	if not origin.endswith("."):
		origin += "."
	if args.zone:
		path = os.path.abspath(args.zone)
	else:
		unsigned = os.path.join(zdir, "large.zone")
		zonegen.delegations_zone(unsigned, args.large, args.seed, origin)
		path = unsigned + ".signed"
		zonegen.sign_optout(unsigned, path, origin, zdir, zonegen.make_keys(origin, zdir),
				    zonegen.sign_dates())
	t0 = time.monotonic()
	smp = zonesample.Sample(path, origin, args.per_kind, args.seed)
	print("t_differential: %s: %d records; sampled in %.1fs: %s"
	      % (path, smp.records, time.monotonic() - t0, smp.summary()))
	qs = gen_large_queries(smp, args.seed)
	ctx = dnsdiff.Context([(origin, None, True)])
	ctx.rrsets.update(smp.rrsets)
	cuts = len(smp.names["secure-cut"]) + len(smp.names["insecure-cut"])
	need = {"NXDOMAIN": cuts // 2, "referral": 4 * cuts, "answer": len(smp.names["secure-cut"]),
		"NODATA": len(smp.names["insecure-cut"]), "TC": 0}
	if min(list(need.values())[:4]) < 50:
		raise RuntimeError("the sample is too small: %s" % smp.summary())
	return [(origin, path)], qs, ctx, need


def run(args, tmp, lab, t_start):
	zdir = os.path.join(tmp, "zones")
	os.makedirs(zdir)
	zones, qs, ctx, need = (setup_large if args.large or args.zone else setup_small)(args, zdir)
	t_zones = time.monotonic()
	names = ("%s" % args.a, "%s" % args.b + ("-xfr-%s" % args.xfr if args.xfr else ""))
	if names[0] == names[1]:
		names = (names[0] + "#1", names[1] + "#2")
	pa, pb = raizlab.pick_ports(2)
	sa = lab.start(make_server(args.a, os.path.join(tmp, "a-" + args.a), pa, zones, names[0]),
		       args.timeout)
	if args.xfr:
		sb = start_xfr(args, tmp, lab, zones, pb, names[1])
	else:
		sb = lab.start(make_server(args.b, os.path.join(tmp, "b-" + args.b), pb, zones, names[1],
					   args.workers), args.timeout)
	print("t_differential: zones signed in %.1fs; %s on %d, %s on %d"
	      % (t_zones - t_start, names[0], pa, names[1], pb))

	pairs = variants(qs, args.seed)
	flat = [w for p in pairs for w in p]          # index 2*i = no DO, 2*i+1 = DO
	t0 = time.monotonic()
	ra = udp_run(pa, flat)
	rb = udp_run(pb, flat)
	t_udp = time.monotonic() - t0

	bad = sanity(ra, names[0], need) + selfcheck(flat, ra, names)
	for msg in bad:
		print("t_differential: FAIL, %s" % msg)

	stats = {"identical": 0, "allowed": 0, "failure": 0}
	reasons = {}
	fails = []
	shown_allowed = []
	tcp_idx = []

	def record(i, transport, v, wa, wb):
		q = qs[i // 2]
		stats[v.status] += 1
		for r in v.reasons:
			reasons[r] = reasons.get(r, 0) + 1
		if v.status == "failure":
			fails.append((i, transport, q, v, wa, wb))
		elif v.status == "allowed" and len(shown_allowed) < args.show_allowed:
			shown_allowed.append((i, transport, q, v, wa, wb))

	def compare(i, wa, wb):
		qm = dns.message.from_wire(bytes(flat[i]))
		return dnsdiff.compare(qm.question[0], wa, wb, ctx, names, qm.flags)

	def tc(w):
		return w is not None and len(w) > 3 and bool(w[2] & 0x02)

	for i in range(len(flat)):
		if tc(ra[i]) or tc(rb[i]) or i % 40 == 1:
			tcp_idx.append(i)
	t1 = time.monotonic()
	ta = tcp_run(pa, [flat[i] for i in tcp_idx])
	tb = tcp_run(pb, [flat[i] for i in tcp_idx])
	t_tcp = time.monotonic() - t1
	tcp_of = {}
	for k, i in enumerate(tcp_idx):
		v = compare(i, ta[k], tb[k])
		record(i, "tcp", v, ta[k], tb[k])
		tcp_of[i] = (v, ta[k], tb[k])
	for i in range(len(flat)):
		v = compare(i, ra[i], rb[i])
		if v.status == "failure" and tc(ra[i]) != tc(rb[i]) and i in tcp_of:
			v = tc_from_allowed_choice(flat[i], v, (ra[i], rb[i]), tcp_of[i])
		record(i, "udp", v, ra[i], rb[i])

	for s in (sa, sb):
		if not s.alive():
			print("t_differential: FAIL, %s died during the test; log:\n%s" % (s.label, s.log_tail()))
			stats["failure"] += 1

	# report
	for i, transport, q, v, wa, wb in fails[:args.show]:
		print("=== FAIL #%d %s [%s] %s %s" % (i // 2, transport, q.kind, describe(flat[i]), q))
		print("\n".join(v.lines))
		print(dnsdiff.render_pair(wa, wb, names))
	for i, transport, q, v, wa, wb in shown_allowed:
		print("=== allowed (%s) #%d %s [%s] %s %s" % (",".join(v.reasons), i // 2, transport, q.kind,
							 describe(flat[i]), q))
		print("\n".join(v.lines))
	bykind = {}
	bysig = {}
	for i, transport, q, v, wa, wb in fails:
		bykind[q.kind] = bykind.get(q.kind, 0) + 1
		ent = bysig.setdefault(v.signature, [0, "%s %s %s" % (transport, describe(flat[i]), q)])
		ent[0] += 1
	if bysig:
		print("t_differential: failures by shape (count, shape, first example):")
		for sig, (n, first) in sorted(bysig.items(), key=lambda kv: -kv[1][0])[:args.shapes]:
			print("  %5d  %s\n         e.g. %s" % (n, sig, first))
	total = sum(stats.values())
	print("t_differential: %d base queries, %d exchanges (%d UDP, %d TCP) per server"
	      % (len(qs), len(flat) + len(tcp_idx), len(flat), len(tcp_idx)))
	print("t_differential: %d compared, %d identical, %d allowed differences (%s), %d failures%s"
	      % (total, stats["identical"], stats["allowed"],
		 ", ".join("%s %d" % kv for kv in sorted(reasons.items())) or "none",
		 stats["failure"],
		 (" (by kind: %s)" % ", ".join("%s %d" % kv for kv in sorted(bykind.items()))) if bykind else ""))
	print("t_differential: UDP %.1fs, TCP %.1fs, total %.1fs"
	      % (t_udp, t_tcp, time.monotonic() - t_start))
	return 1 if stats["failure"] or bad else 0


def udp_limit(wire):
	"""The UDP payload limit that applies to a query: 512 without EDNS,
	else its EDNS size (at least 512, RFC 6891 section 6.2.5), capped by
	the servers' own 1232."""
	m = dns.message.from_wire(bytes(wire))
	if m.edns < 0:
		return 512
	return min(max(m.payload, 512), 1232)


def tc_from_allowed_choice(query, v, udp, tcp):
	"""A UDP answer pair that differs in TC because of a choice the
	allowances accept: one server's answer (say NSD adding the NSEC3 of
	RFC 5155 7.2.5, or following a CNAME for qtype NSEC) is larger than
	the other's and does not fit, so it sets TC (RFC 2181 section 9).
	Accepted as "tc-from-allowed-choice" when (1) the TCP answers of both
	servers to the same query are identical or allowed, (2) the side
	without TC sent over UDP exactly what it sends over TCP (its answer
	was complete), and (3) the side with TC really had more to send than
	the query's UDP limit allows (its TCP answer is larger).  Otherwise
	the UDP failure stands."""
	tv, ta, tb = tcp
	if tv.status == "failure" or ta is None or tb is None:
		return v
	tc_a = bool(udp[0][2] & 0x02)
	full_udp, full_tcp = (udp[1], tb) if tc_a else (udp[0], ta)
	tcs_tcp = ta if tc_a else tb
	ca = dnsdiff.canonical(full_udp)
	if ca is None or ca != dnsdiff.canonical(full_tcp):
		return v
	if len(tcs_tcp) <= udp_limit(query):
		return v
	return dnsdiff.Verdict("allowed", ("tc-from-allowed-choice",) + tuple(tv.reasons), v.lines)


NEED = {"NXDOMAIN": 1000, "referral": 5000, "answer": 1500, "NODATA": 500, "TC": 10}


def sanity(res, name, need):
	"""The reference server's answers must cover what the test is about;
	otherwise the harness (zones, queries, config) is broken and agreeing
	servers prove nothing.  Returns a list of problems."""
	c = {"NXDOMAIN": 0, "referral": 0, "answer": 0, "NODATA": 0, "TC": 0, "other rcode": 0, "none": 0}
	for w in res:
		if w is None or len(w) < 12:
			c["none"] += 1
			continue
		rcode, aa, tc = w[3] & 0xf, w[2] & 0x04, w[2] & 0x02
		an, ns = struct.unpack_from("!H", w, 6)[0], struct.unpack_from("!H", w, 8)[0]
		if tc:
			c["TC"] += 1
		elif rcode == 3:
			c["NXDOMAIN"] += 1
		elif rcode != 0:
			c["other rcode"] += 1
		elif not aa and not an and ns:
			c["referral"] += 1
		elif aa and an:
			c["answer"] += 1
		elif aa and not an:
			c["NODATA"] += 1
	out = ["reference %s gave only %d %s answers (want >= %d): %s" % (name, c[k], k, v, c)
	       for k, v in need.items() if c[k] < v]
	if c["none"]:
		out.append("reference %s did not answer %d queries" % (name, c["none"]))
	if c["other rcode"] > 20:      # only the BADVERS probes may get another rcode
		out.append("reference %s gave %d answers with unexpected rcodes" % (name, c["other rcode"]))
	return out


def selfcheck(flat, res, names):
	"""The comparator must see a one-second TTL change, a dropped RR and a
	flipped flag; returns a list of problems."""
	ctx = dnsdiff.Context([(".", None, False), ("example.", None, True)])
	for i in range(1, len(flat), 2):
		w = res[i]
		if w is None:
			continue
		m = dns.message.from_wire(w)
		if not m.answer or m.question[0].rdtype not in (T.A, T.AAAA, T.MX, T.TXT, T.DS, T.SOA):
			continue
		q = m.question[0]
		if dnsdiff.compare(q, w, bytes(w), ctx, names).status != "identical":
			return ["comparator: an answer differs from its own copy"]
		m.answer[0].ttl += 1
		t1 = m.to_wire()
		m = dns.message.from_wire(w)
		del m.answer[0]
		t2 = m.to_wire()
		m = dns.message.from_wire(w)
		m.flags ^= dns.flags.AD
		t3 = m.to_wire()
		for t in (t1, t2, t3):
			if dnsdiff.compare(q, w, t, ctx, names).status != "failure":
				return ["comparator did not flag a mutated answer"]
		return []
	return ["comparator self-check found no answer to mutate"]


def describe(wire):
	m = dns.message.from_wire(bytes(wire))
	parts = []
	if m.edns >= 0:
		parts.append("EDNS%d/%d%s" % (m.edns, m.payload, "+DO" if m.ednsflags & dns.flags.DO else ""))
	else:
		parts.append("noEDNS")
	if m.flags & dns.flags.RD:
		parts.append("RD")
	if m.flags & dns.flags.CD:
		parts.append("CD")
	return "(" + " ".join(parts) + ")"


if __name__ == "__main__":
	sys.exit(main())

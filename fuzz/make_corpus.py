#!/usr/bin/python3
"""make_corpus -- (re)capture the seed corpus of the fuzz harnesses from
real software on loopback: Knot (tests/lib/primary.py's KnotPrimary)
serving example. (the zone of fuzz/fuzz_util.h, then two changes: IXFR
1->2->3), its NOTIFYs, and kdig's queries and transfer requests.

    fuzz/make_corpus.py [OUTDIR]     (default fuzz/corpus; run as root
                                      from the repository root)

Writes OUTDIR/<target>/<name> in each harness's input format (see the
comment on top of fuzz/fuzz_<target>.c): a flags byte, then the message
(fuzz_dispatch, fuzz_xfrout) or messages framed like DNS over TCP
(fuzz_tsig, fuzz_xfrin).  Signed messages are kept as captured (the
harnesses verify them at the time they were signed, or see BADTIME) and,
stripped of their TSIG, with the flag that has the harness sign them.
Needs knotd, kdig, dnspython (/usr/bin/python3).  Files it does not
write (regress-*: the inputs of crashes found by fuzzing, kept as
regression cases) are left alone.
"""

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lib"))

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.opcode  # noqa: E402
import dns.rdata  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.rrset  # noqa: E402
import dns.tsig  # noqa: E402

import primary  # noqa: E402
import raizlab  # noqa: E402

ZONE = "example."


def c_string(name):
	"""A #define of fuzz_util.h as text (the zone) or the string."""
	src = open(os.path.join(HERE, "fuzz_util.h")).read()
	m = re.search(r"#define %s \\\n((?:\t\".*\"(?: \\)?\n)+)" % name, src)
	if not m:
		m = re.search(r'#define %s "(.*)"' % name, src)
		return m.group(1)
	parts = re.findall(r'\t"(.*)"', m.group(1))
	return "".join(parts).replace('\\"', '"').replace("\\n", "\n")


XFR_KEY = primary.TsigKey(c_string("FUZZ_XFR_KEY"), c_string("FUZZ_XFR_SECRET"))
QUERY_KEY = primary.TsigKey(c_string("FUZZ_QUERY_KEY"), c_string("FUZZ_QUERY_SECRET"), "hmac-sha512")
V1 = c_string("FUZZ_ZONE_V1")


def frame(msgs):
	return b"".join(struct.pack("!H", len(m)) + m for m in msgs)


def strip(wire):
	s = primary.strip_tsig(wire)
	return s[0] if s else wire


class Catcher:
	"""UDP and TCP on 127.0.0.1:port: keeps every message it gets and
	answers it with its header and question, QR and AA set."""

	def __init__(self, port):
		self.port = port
		self.got = []
		self.lock = threading.Lock()
		self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		self.udp.bind(("127.0.0.1", port))
		self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.tcp.bind(("127.0.0.1", port))
		self.tcp.listen(8)
		self.stop = False
		for f in (self.udp_loop, self.tcp_loop):
			threading.Thread(target=f, daemon=True).start()

	@staticmethod
	def answer(m):
		try:
			q = dns.message.from_wire(strip(m), ignore_trailing=True)
			r = dns.message.make_response(q)
			return r.to_wire()
		except Exception:
			return m[:12]

	def keep(self, m, tcp):
		with self.lock:
			self.got.append((m, tcp))

	def udp_loop(self):
		self.udp.settimeout(0.2)
		while not self.stop:
			try:
				m, peer = self.udp.recvfrom(65535)
			except socket.timeout:
				continue
			self.keep(m, False)
			self.udp.sendto(self.answer(m), peer)

	def tcp_loop(self):
		self.tcp.settimeout(0.2)
		while not self.stop:
			try:
				c, _ = self.tcp.accept()
			except socket.timeout:
				continue
			c.settimeout(2)
			try:
				while True:
					h = c.recv(2, socket.MSG_WAITALL)
					if len(h) < 2:
						break
					m = c.recv(struct.unpack("!H", h)[0], socket.MSG_WAITALL)
					self.keep(m, True)
					a = self.answer(m)
					c.sendall(struct.pack("!H", len(a)) + a)
			except OSError:
				pass
			c.close()

	def wait(self, n, timeout=10):
		end = time.monotonic() + timeout
		while time.monotonic() < end:
			with self.lock:
				if len(self.got) >= n:
					return list(self.got)
			time.sleep(0.05)
		raise RuntimeError("expected %d messages, have %d" % (n, len(self.got)))

	def close(self):
		self.stop = True
		self.udp.close()
		self.tcp.close()


def transfer(port, request):
	"""Send request over TCP; the answer messages until the server is
	silent for a second."""
	s = socket.create_connection(("127.0.0.1", port), timeout=5)
	s.sendall(struct.pack("!H", len(request)) + request)
	out = []
	s.settimeout(1.0)
	try:
		while True:
			h = s.recv(2, socket.MSG_WAITALL)
			if len(h) < 2:
				break
			out.append(s.recv(struct.unpack("!H", h)[0], socket.MSG_WAITALL))
	except socket.timeout:
		pass
	s.close()
	if not out:
		raise RuntimeError("no answer")
	return out


def split_msgs(wire, per):
	"""One answer message as several, per answer records each (first one
	with the question)."""
	m = dns.message.from_wire(wire, one_rr_per_rrset=True)
	rrs = [(r.name, r.ttl, rd) for r in m.answer for rd in r]
	out = []
	for i in range(0, len(rrs), per):
		p = dns.message.Message(id=m.id)
		p.flags = m.flags
		if i == 0:
			p.question = list(m.question)
		for name, ttl, rd in rrs[i:i + per]:
			rs = dns.rrset.RRset(name, rd.rdclass, rd.rdtype)
			rs.update_ttl(ttl)
			rs.add(rd)
			p.answer.append(rs)
		out.append(p.to_wire())
	return out


def xfr_request(rdtype, serial=None, key=XFR_KEY, qid=None):
	q = dns.message.make_query(ZONE, rdtype)
	if qid is not None:
		q.id = qid
	if serial is not None:
		q.authority.append(dns.rrset.from_text(ZONE, 0, "IN", "SOA",
						       ". . %d 0 0 0 0" % serial))
	if key is not None:
		q.use_tsig(key.keyring(), key.name, algorithm=key.algorithm + ".")
	return q.to_wire()


def kdig(port, *args):
	argv = ["kdig", "@127.0.0.1", "-p", str(port), "+retry=0", "+timeout=2"] + list(args)
	subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20,
		       stdin=subprocess.DEVNULL)


def keyarg(k):
	return "%s:%s:%s" % (k.algorithm, k.name, k.secret)


def main():
	out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
	missing = primary.have_tools("knotd", "kdig")
	if missing:
		sys.exit("make_corpus: missing " + " ".join(missing))
	files = {}

	def put(target, name, data):
		files[(target, name)] = data

	tmp = tempfile.mkdtemp(prefix="raiz-fuzz-corpus.")
	catch = knot = None
	try:
		cport, kport = raizlab.pick_ports(2, *primary.PRIMARY_PORTS)
		catch = Catcher(cport)
		src = os.path.join(tmp, "example.src")
		with open(src, "w") as f:
			f.write(V1)
		z = primary.ZoneFile(ZONE, src)
		knot = primary.KnotPrimary(os.path.join(tmp, "knot"), [z], XFR_KEY,
					   notify=["127.0.0.1@%d" % cport], port=kport)
		knot.start()

		def load(text, serial):
			with open(src, "w") as f:
				f.write(text)
			z.write(knot.path[ZONE])
			knot.reload(ZONE)
			end = time.monotonic() + 15
			while knot.serial(ZONE) != serial:
				if time.monotonic() > end:
					raise RuntimeError("knot did not load serial %d:\n%s" % (serial, knot.log_tail()))
				time.sleep(0.05)

		# transfers at serial 1, then after two changes
		xfrs = [("axfr-serial1", xfr_request("AXFR"))]
		xfrs = [(n, r, transfer(kport, r)) for n, r in xfrs]
		v2 = V1.replace(" 1 3600 600", " 2 3600 600").replace(
			"www 3600 IN A 192.0.2.80\n", "www 3600 IN A 192.0.2.81\nnew 3600 IN A 192.0.2.99\n")
		load(v2, 2)
		v3 = v2.replace(" 2 3600 600", " 3 3600 600").replace("new 3600 IN A 192.0.2.99\n", "").replace(
			"mail 3600 IN A 192.0.2.25", "mail 300 IN A 192.0.2.25") + 'newer 300 IN TXT "three"\n'
		load(v3, 3)
		for name, req in [("ixfr-1-3", xfr_request("IXFR", 1)),
				  ("ixfr-2-3", xfr_request("IXFR", 2)),
				  ("ixfr-uptodate", xfr_request("IXFR", 3)),
				  ("ixfr-unknown-serial", xfr_request("IXFR", 0)),
				  ("axfr-serial3", xfr_request("AXFR")),
				  ("axfr-badsig", xfr_request("AXFR", key=XFR_KEY.other_secret())),
				  ("axfr-unsigned", xfr_request("AXFR", key=None)),
				  ("ixfr-unsigned", xfr_request("IXFR", 1, key=None))]:
			xfrs.append((name, req, transfer(kport, req)))
		for name, req, ans in xfrs:
			ixfr = name.startswith("ixfr")
			signed = primary.strip_tsig(ans[0]) is not None
			base = 1 if ixfr else 0
			if signed:
				put("fuzz_xfrin", "knot-%s" % name, bytes([base | 2]) + frame([req] + ans))
				put("fuzz_tsig", "knot-%s" % name, bytes([4]) + frame([req] + ans))
			bare = [strip(m) for m in [req] + ans]
			put("fuzz_xfrin", "knot-%s-resign" % name, bytes([base | 2 | 4]) + frame(bare))
			if len(ans) > 2:
				put("fuzz_xfrin", "knot-%s-sparse" % name, bytes([base | 2 | 4 | 8]) + frame(bare))
			put("fuzz_xfrin", "knot-%s-unsigned" % name, bytes([base]) + frame(bare))
			if name == "axfr-serial1":
				# three TSIG records: ldns 1.8.3 leaks the first (unsigned transfer)
				off = primary.strip_tsig(ans[0])[3]
				three = bytearray(ans[0] + 2 * ans[0][off:])
				struct.pack_into("!H", three, 10, struct.unpack_from("!H", three, 10)[0] + 2)
				put("fuzz_xfrin", "regress-three-tsig-records", bytes([0]) + frame([bare[0], bytes(three)]))
				# records after the closing SOA, in its message (leaked once)
				m = dns.message.from_wire(bare[1], one_rr_per_rrset=True)
				for a in ("192.0.2.7", "192.0.2.8"):
					m.answer.append(dns.rrset.from_text("www." + ZONE, 300, "IN", "A", a))
				put("fuzz_xfrin", "regress-records-after-final-soa", bytes([0]) + frame([bare[0], m.to_wire()]))
			if name == "ixfr-1-3":
				# 1 -> 2 with its new SOA of class CH (dropped by zread: nothing
				# to sort, qsort_r(NULL, 0) once)
				m = dns.message.from_wire(bare[1], one_rr_per_rrset=True)
				soa = [r for r in m.answer if r.rdtype == dns.rdatatype.SOA]
				s1, s3 = soa[1][0], soa[0][0]
				r = dns.message.Message(id=m.id)
				r.flags = m.flags
				r.question = list(m.question)
				for cls, rd, serial in (("IN", s3, 2), ("IN", s1, 1), (None, None, None), ("CH", s3, 2),
							("IN", s3, 2)):
					if cls is None:
						r.answer.append(dns.rrset.from_text("www." + ZONE, 3600, "IN", "A", "192.0.2.80"))
						continue
					r.answer.append(dns.rrset.from_rdata_list(ZONE, 3600, [dns.rdata.from_text(
						cls, "SOA", rd.replace(serial=serial).to_text())]))
				put("fuzz_xfrin", "regress-ixfr-soa-of-another-class", bytes([1]) + frame([bare[0], r.to_wire()]))
			if name in ("axfr-serial3", "ixfr-1-3"):
				# the same records, a few to a message: a longer TSIG stream
				split = bare[:1] + split_msgs(bare[1], 4)
				put("fuzz_xfrin", "knot-%s-split-resign" % name, bytes([base | 2 | 4]) + frame(split))
				put("fuzz_xfrin", "knot-%s-split-sparse" % name, bytes([base | 2 | 4 | 8]) + frame(split))
				put("fuzz_tsig", "knot-%s-split" % name, bytes([0]) + frame(split))

		# Knot's NOTIFYs (signed with the key), one at each load
		notifies = [m for m, _ in catch.wait(2) if (m[2] >> 3) & 0xF == 4]
		for i, m in enumerate(notifies[:3]):
			put("fuzz_dispatch", "knot-notify-%d-asis" % i, bytes([0 | 4]) + m)
			put("fuzz_dispatch", "knot-notify-%d-signed" % i, bytes([0 | 4 | 1 << 3]) + strip(m))
			put("fuzz_dispatch", "knot-notify-%d-unsigned" % i, bytes([0 | 4]) + strip(m))
			put("fuzz_dispatch", "knot-notify-%d-stranger" % i, bytes([2]) + strip(m))
			put("fuzz_tsig", "knot-notify-%d" % i, bytes([4]) + frame([m]))
		knot.stop()
		knot = None

		# kdig's queries and transfer requests, as the catcher got them
		n0 = len(catch.got)
		runs = [
			("query-soa", [ZONE, "SOA"], 0),
			("query-edns-do-nsid", ["www." + ZONE, "A", "+dnssec", "+nsid", "+cookie"], 0),
			("query-tcp-any", ["+tcp", ZONE, "ANY"], 4),
			("query-nx", ["nope.file.test.", "AAAA", "+bufsize=512"], 2),
			("query-chaos", ["-c", "CH", "version.bind", "TXT"], 0),
			("query-signed-xfr-key", ["-y", keyarg(XFR_KEY), ZONE, "SOA"], 0),
			("query-signed-query-key", ["-y", keyarg(QUERY_KEY), "mail." + ZONE, "A", "+tcp"], 4),
			("query-signed-wild", ["-y", keyarg(QUERY_KEY), "x.wild." + ZONE, "TXT"], 0),
			("req-axfr-signed", ["-y", keyarg(XFR_KEY), ZONE, "AXFR"], 4),
			("req-ixfr1-signed", ["-y", keyarg(XFR_KEY), ZONE, "IXFR=1"], 4),
			("req-ixfr0-signed", ["-y", keyarg(XFR_KEY), ZONE, "IXFR=0"], 4),
			("req-axfr-file", ["file.test.", "AXFR"], 4),
			("req-ixfr-file", ["file.test.", "IXFR=7"], 4),
		]
		for name, args, _ in runs:
			kdig(cport, *args)
		got = catch.wait(n0 + len(runs))[n0:]
		for (name, _, flags), (m, _tcp) in zip(runs, got):
			signed = primary.strip_tsig(m) is not None
			if name.startswith("query"):
				put("fuzz_dispatch", "kdig-%s" % name, bytes([flags]) + m)
				if signed:
					k = 2 if "query-key" in name or "wild" in name else 1
					put("fuzz_dispatch", "kdig-%s-resigned" % name,
					    bytes([flags | k << 3]) + strip(m))
					put("fuzz_dispatch", "kdig-%s-unknown-key" % name,
					    bytes([flags | 3 << 3]) + strip(m))
					put("fuzz_tsig", "kdig-%s" % name, bytes([4 | (1 if k == 2 else 0)]) + frame([m]))
			else:
				put("fuzz_xfrout", "kdig-%s-asis" % name, bytes([0]) + m)
				put("fuzz_xfrout", "kdig-%s-resigned" % name, bytes([0 | 4]) + strip(m))
				put("fuzz_xfrout", "kdig-%s-ipv6" % name, bytes([3 | 4]) + strip(m))
				put("fuzz_xfrout", "kdig-%s-stranger" % name, bytes([2]) + strip(m))
				if signed:
					put("fuzz_tsig", "kdig-%s" % name, bytes([4]) + frame([m]))
		# a NOTIFY with the new serial for the unsigned secondary, from its allow-notify
		nq = dns.message.make_query("unsigned.test.", "SOA")
		nq.flags = dns.flags.AA
		nq.set_opcode(dns.opcode.NOTIFY)
		nq.answer.append(dns.rrset.from_text("unsigned.test.", 0, "IN", "SOA",
						     "ns1.unsigned.test. h.unsigned.test. 5 1 1 1 1"))
		put("fuzz_dispatch", "dnspython-notify-unsigned-zone", bytes([2]) + nq.to_wire())
	finally:
		if knot:
			knot.stop()
		if catch:
			catch.close()
		shutil.rmtree(tmp, ignore_errors=True)

	for (target, name), data in sorted(files.items()):
		d = os.path.join(out, target)
		os.makedirs(d, exist_ok=True)
		with open(os.path.join(d, name), "wb") as f:
			f.write(data)
	for t in sorted({t for t, _ in files}):
		print("%-14s %3d files" % (t, sum(1 for k in files if k[0] == t)))


if __name__ == "__main__":
	main()

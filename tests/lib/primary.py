"""primary -- real and hostile zone-transfer primaries for raiz-dnsd's tests.

    from primary import ZoneData, TsigKey, KnotPrimary, NsdPrimary, HostilePrimary
    key = TsigKey.new("xfr-key")
    z = ZoneData("k.test.", hosts(100), workdir=tmp, sign={"nsec3": True, "zonemd": True})
    with KnotPrimary(tmp + "/knot", [z], key, notify=["127.0.0.1@%d" % secondary_port]) as k:
        k.start()
        k.records("k.test.")                  # RecordSet of what Knot serves (AXFR with the key)
        k.update("k.test.", add=["new 300 IN A 192.0.2.9"])   # serial + 1, re-signed, reloaded,
                                              # the primary sends NOTIFY itself

ZoneData is a zone's content: SOA fields, records (zone-file lines), and the
signing set-up (ldns-keygen ED25519 KSK+ZSK, ldns-signzone with NSEC3 and
ZONEMD SIMPLE SHA-384 on demand).  Changing it and re-signing gives a small
difference (ED25519 signatures are deterministic), so a primary that keeps a
journal serves it as IXFR.

KnotPrimary runs knotd with its own config and control socket:
zonefile-load "difference" with the journal, so a reloaded zone file whose
serial went up is served as IXFR; NOTIFY (signed with the key) to the given
secondaries; zone-reload / zone-notify through knotc.
NsdPrimary runs nsd with its own nsd.conf (provide-xfr with the key, notify:
to the secondaries, store-ixfr + create-ixfr so that NSD 4.6 computes IXFR
from zone-file differences), reloaded through nsd-control on a unix socket.
Both are raizlab.Server subclasses: a child process in its own session,
stopped by PID (SIGTERM, then SIGKILL of that process group), and stop()
then start() again is "primary down" and "primary back".

HostilePrimary is a primary in this process (threads, UDP and TCP on
loopback) that answers SOA properly and AXFR/IXFR with a crafted stream
chosen by its `mode` (see MODES): unsigned, wrong key, a bad MAC on the 3rd
message, 100 unsigned messages in a row, time skew beyond fudge, a final SOA
that does not match, a stream cut short, a record outside the zone, an
IXFR deleting a record that does not exist, a slow stream.  TSIG is
computed here (RFC 8945 section 4.3 and 5.3.1) with dnspython's HMAC
contexts, so every field (time, MAC, which messages carry TSIG) can be
chosen.  check_stream() is a strict reference secondary (TSIG on every
signed message, <= 99 unsigned in a row, time, SOA ... SOA, in-zone owners,
IXFR deletions present): the tests first run it against every mode, so a
bad stream that raiz accepts is known to be bad.  (dnspython's own client
accepts 100 unsigned messages and records outside the zone.)

RecordSet is a zone's records in a canonical form (owner lowercased, TTL,
type, RDATA in canonical wire form, RFC 4034 section 6.2) for record-by-record
comparison; axfr() reads one from any server, served_records() from
raiz-dnsd (by AXFR if raiz allows it, else by querying every name and type).
Secondary is tests/lib/dnsd.py's Dnsd with secondary zones and tsig-keys in
its raiz.json, and the `zones` control command at hand.

Facts about the primaries here (Debian 12: Knot 3.2.6, NSD 4.6.1):
  - knotd sends NOTIFY over TCP (signed with the remote's key), on every
    load including its start; a secondary must take NOTIFY over TCP.
  - knotd does not create its database directory: without it the journal
    cannot be opened and a reload with a new serial fails "(not exists)".
  - NSD serves IXFR (store-ixfr + create-ixfr) for unsigned and NSEC zones,
    but not for NSEC3 zones: spooling the zone fails ("could not write
    ...spoolzone") and it answers IXFR with a full AXFR.  nsd-control works
    over a unix socket (control-interface: /path) without certificates.
    NSD sends NOTIFY over UDP.

Ports: primaries take free ports in 15600-15699 (raiz-dnsd in 15300-15399,
the differential test in 15400-15499, t_probes in 15500-15599).
"""

import base64
import hashlib
import os
import random
import select
import shutil
import socket
import struct
import subprocess
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TSIG
import dns.rrset
import dns.tsig
import dns.zone

import dnsd
import raizlab
import zonegen

PRIMARY_PORTS = (15600, 15699)
T = dns.rdatatype


def have_tools(*tools):
	"""The tools (of tools) not found on PATH (+ /usr/sbin)."""
	path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
	return [t for t in tools if not shutil.which(t, path=path)]


# ---------------------------------------------------------------------------
# TSIG keys


class TsigKey:
	"""A TSIG key: name, algorithm (hmac-sha256 ...) and base64 secret."""

	def __init__(self, name, secret, algorithm="hmac-sha256"):
		self.name = name if name.endswith(".") else name + "."
		self.secret = secret
		self.algorithm = algorithm

	@classmethod
	def new(cls, name, algorithm="hmac-sha256", seed=None):
		rng = random.Random(seed) if seed is not None else random.SystemRandom()
		raw = bytes(rng.getrandbits(8) for _ in range(32))
		return cls(name, base64.b64encode(raw).decode(), algorithm)

	def other_secret(self):
		"""The same key name and algorithm with another secret (a wrong key)."""
		raw = base64.b64decode(self.secret)
		return TsigKey(self.name, base64.b64encode(hashlib.sha256(raw).digest()).decode(),
			       self.algorithm)

	def dns_key(self):
		return dns.tsig.Key(self.name, self.secret, self.algorithm + ".")

	def keyring(self):
		return {dns.name.from_text(self.name): self.dns_key()}

	def config(self):
		"""The raiz.json "tsig-keys" entry (name without the final dot)."""
		return {"name": self.name.rstrip("."), "algorithm": self.algorithm, "secret": self.secret}


# ---------------------------------------------------------------------------
# zone content


def hosts(n, prefix="h", start=0):
	"""n host records (A, some AAAA/TXT) as zone-file lines."""
	out = []
	for i in range(start, start + n):
		out.append("%s%d 3600 IN A 192.0.2.%d" % (prefix, i, i % 250 + 1))
		if i % 3 == 0:
			out.append("%s%d 3600 IN AAAA 2001:db8::%x" % (prefix, i, i + 1))
		if i % 7 == 0:
			out.append('%s%d 300 IN TXT "host %d"' % (prefix, i, i))
	return out


def base_records():
	"""Apex NS and addresses, a delegation with DS and glue (unsigned data
	covered by ZONEMD only), a wildcard, a CNAME."""
	return [
		"@ 3600 IN NS ns1",
		"@ 3600 IN NS ns2",
		"@ 3600 IN MX 10 mail",
		"ns1 3600 IN A 192.0.2.1",
		"ns2 3600 IN AAAA 2001:db8::2",
		"mail 3600 IN A 192.0.2.25",
		"www 3600 IN A 192.0.2.80",
		"www 3600 IN AAAA 2001:db8::80",
		"alias 3600 IN CNAME www",
		"*.wild 3600 IN TXT \"wildcard\"",
		"sub 86400 IN NS ns.sub",
		"sub 3600 IN DS 4711 13 2 " + "ab" * 32,
		"ns.sub 86400 IN A 198.51.100.53",
	]


class ZoneData:
	"""A zone's content and how it is signed.

	records: zone-file lines relative to the origin ("www 3600 IN A ...").
	soa: (refresh, retry, expire, minimum).  sign: None (unsigned) or a dict
	{"nsec3": bool, "zonemd": bool, "dates": (inception, expiration)};
	keys are made once in workdir."""

	def __init__(self, origin, records, workdir, serial=1, soa=(3600, 600, 1209600, 300),
		     sign=None):
		self.origin = origin if origin.endswith(".") else origin + "."
		self.records = list(records)
		self.workdir = workdir
		self.serial = serial
		self.soa = tuple(soa)
		self.sign = dict(sign) if sign else None
		self.keys = ()
		self._cache = None
		os.makedirs(workdir, exist_ok=True)
		if self.sign:
			self.keys = zonegen.make_keys(self.origin, workdir)

	@property
	def fname(self):
		return (self.origin.strip(".") or "root").replace("/", "_")

	def soa_line(self):
		return "@ 3600 IN SOA ns1 hostmaster %d %d %d %d %d" % ((self.serial,) + self.soa)

	def unsigned_text(self):
		lines = ["$ORIGIN %s" % self.origin, "$TTL 3600", self.soa_line()] + self.records
		for k in self.keys:
			lines.append(zonegen.key_rr(self.workdir, k, 3600))
		return "\n".join(lines) + "\n"

	def ds(self):
		"""The KSK's DS records as trust anchors ("origin IN DS ...")."""
		if not self.keys:
			return []
		return ["%s IN DS %s" % (self.origin, d) for d in zonegen.ds_rrs(self.workdir, self.keys[0])]

	def text(self):
		"""The zone as served: signed when sign is set (cached per content)."""
		utext = self.unsigned_text()
		stamp = (utext, repr(sorted((self.sign or {}).items())))
		if self._cache and self._cache[0] == stamp:
			return self._cache[1]
		if not self.sign:
			out = utext
		else:
			unsigned = os.path.join(self.workdir, self.fname + ".unsigned")
			signed = os.path.join(self.workdir, self.fname + ".signed")
			with open(unsigned, "w") as f:
				f.write(utext)
			dates = self.sign.get("dates") or zonegen.sign_dates()
			cmd = ["ldns-signzone", "-i", dates[0], "-e", dates[1], "-o", self.origin, "-f", signed]
			if self.sign.get("nsec3"):
				cmd += ["-n", "-a", "1", "-t", "0", "-s", self.sign.get("salt", "aabbccdd")]
			if self.sign.get("zonemd"):
				cmd += ["-z", "1:1"]
			cmd += [unsigned] + list(self.keys)
			zonegen._run(cmd, self.workdir)
			with open(signed) as f:
				out = f.read()
		self._cache = (stamp, out)
		return out

	def write(self, path):
		"""Write text() to path atomically, with an mtime that moves forward
		even within the same second (zone-file change detection)."""
		old = None
		try:
			old = os.stat(path).st_mtime_ns
		except OSError:
			pass
		with open(path + ".tmp", "w") as f:
			f.write(self.text())
		os.rename(path + ".tmp", path)
		st = os.stat(path)
		if old is not None and st.st_mtime_ns <= old + 1000000000:
			os.utime(path, ns=(st.st_atime_ns, old + 1000000000))
		return path

	def change(self, add=(), remove=(), replace=(), bump=1):
		"""Edit the records: remove lines (must exist), add lines, replace
		(old, new) pairs; serial + bump."""
		for line in remove:
			self.records.remove(line)
		for old, new in replace:
			self.records[self.records.index(old)] = new
		self.records.extend(add)
		self.serial += bump

	def rrs(self):
		"""The served content as a list of (dns.name, ttl, rdata), SOA first."""
		return parse_zone(self.text(), self.origin)


def parse_zone(text, origin):
	"""Zone text -> [(name, ttl, rdata)] with the SOA first, in file order.
	One RR a line (what ZoneData and ldns-signzone write) is parsed line by
	line (4x faster than dns.zone for the 50k-record zones); anything else
	goes through dns.zone."""
	try:
		return _parse_lines(text, origin)
	except (ValueError, IndexError, dns.exception.DNSException):
		pass
	z = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
	out = []
	soa = None
	for name, ttl, rd in z.iterate_rdatas():
		if rd.rdtype == T.SOA and name == z.origin:
			soa = (name, ttl, rd)
		else:
			out.append((name, ttl, rd))
	if soa is None:
		raise ValueError("zone %s has no SOA" % origin)
	return [soa] + out


def _parse_lines(text, origin):
	cur = dns.name.from_text(origin)
	zorigin = cur
	names = {}
	out, soa = [], None
	for line in text.splitlines():
		if not line.strip() or line.lstrip().startswith(";"):
			continue
		if line.startswith("$ORIGIN"):
			cur = dns.name.from_text(line.split()[1])
			continue
		if line.startswith("$TTL"):
			continue
		if ";" in line:
			if '"' in line:
				raise ValueError("a comment and a quote")
			line = line.split(";")[0]
		if "(" in line or line[0] in " \t":
			raise ValueError("not one RR a line")
		p = line.split(None, 4)
		if len(p) < 5 or p[2] != "IN" or not p[1].isdigit():
			raise ValueError("not owner ttl IN type rdata")
		n = names.get(p[0])
		if n is None:
			n = names[p[0]] = cur if p[0] == "@" else dns.name.from_text(p[0], cur)
		rd = dns.rdata.from_text(dns.rdataclass.IN, p[3], p[4], cur, relativize=False)
		if rd.rdtype == T.SOA and n == zorigin:
			if soa is not None:
				raise ValueError("two SOAs")
			soa = (n, int(p[1]), rd)
		else:
			out.append((n, int(p[1]), rd))
	if soa is None:
		raise ValueError("zone %s has no SOA" % origin)
	return [soa] + out


def tamper(text, owner, rtype, new_rdata):
	"""Zone text with the first (owner, rtype) RR's RDATA replaced (names
	compared case-insensitively, owner absolute)."""
	out = []
	done = False
	for line in text.splitlines():
		p = line.split()
		if not done and len(p) >= 5 and p[0].lower() == owner.lower() and p[3] == rtype:
			line = "\t".join(p[:4] + [new_rdata])
			done = True
		out.append(line)
	if not done:
		raise ValueError("no %s %s in the zone" % (owner, rtype))
	return "\n".join(out) + "\n"


def break_rrsig(text, owner, covered):
	"""Zone text with one bit of the signature of the RRSIG over
	(owner, covered) flipped (still valid base64)."""
	out = []
	done = False
	for line in text.splitlines():
		p = line.split()
		if not done and len(p) >= 13 and p[0].lower() == owner.lower() and p[3] == "RRSIG" \
		   and p[4] == covered:
			sig = bytearray(base64.b64decode("".join(p[12:])))
			sig[len(sig) // 2] ^= 0x01
			line = "\t".join(p[:12] + [base64.b64encode(bytes(sig)).decode()])
			done = True
		out.append(line)
	if not done:
		raise ValueError("no RRSIG %s at %s" % (covered, owner))
	return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# record sets


class RecordSet:
	"""A zone's records in canonical form: a set of
	(owner lowercased, type, ttl, canonical RDATA wire) tuples."""

	def __init__(self, rrs=()):
		self.items = set()
		self.text = {}
		for name, ttl, rd in rrs:
			self.add(name, ttl, rd)

	def add(self, name, ttl, rd):
		k = (name.canonicalize().to_text(), rd.rdtype, ttl,
		     rd.to_digestable(dns.name.root))
		self.items.add(k)
		self.text[k] = "%s %d %s %s" % (name, ttl, T.to_text(rd.rdtype), rd.to_text())

	def __len__(self):
		return len(self.items)

	def serial(self):
		for k in self.items:
			if k[1] == T.SOA:
				return struct.unpack("!I", k[3][-20:-16])[0]
		return None

	def without(self, pred):
		"""A copy without the records for which pred(owner, rdtype, covers) is true."""
		r = RecordSet()
		for k in self.items:
			covers = struct.unpack("!H", k[3][:2])[0] if k[1] == T.RRSIG else 0
			if not pred(k[0], k[1], covers):
				r.items.add(k)
				r.text[k] = self.text[k]
		return r

	def diff(self, other, limit=8):
		"""'' when equal, else a short description of what differs."""
		a, b = self.items - other.items, other.items - self.items
		if not a and not b:
			return ""
		out = ["%d only in the first, %d only in the second" % (len(a), len(b))]
		for k in sorted(a)[:limit]:
			out.append("  - " + self.text[k])
		for k in sorted(b)[:limit]:
			out.append("  + " + other.text[k])
		return "\n".join(out)

	def __eq__(self, other):
		return isinstance(other, RecordSet) and self.items == other.items

	def __hash__(self):
		return hash(frozenset(self.items))


def xfr_messages(host, port, zone, key=None, rdtype="AXFR", serial=0, timeout=10.0, lifetime=60.0,
		 source=None):
	"""The messages of an AXFR/IXFR over TCP (TSIG verified on every
	message when key is given).  Raises on errors (dns.exception...)."""
	kw = {}
	if key is not None:
		kw = {"keyring": key.keyring(), "keyname": key.name, "keyalgorithm": key.algorithm + "."}
	rdt = T.from_text(rdtype)
	return list(dns.query.xfr(host, zone, rdtype=rdt, port=port, timeout=timeout, lifetime=lifetime,
				  serial=serial, relativize=False, source=source, **kw))


def axfr(host, port, zone, key=None, timeout=10.0, source=None):
	"""AXFR as a RecordSet (the closing SOA dropped)."""
	msgs = xfr_messages(host, port, zone, key, timeout=timeout, source=source)
	rs = RecordSet()
	rrs = [(rrset.name, rrset.ttl, rd) for m in msgs for rrset in m.answer for rd in rrset]
	if len(rrs) < 2 or rrs[0][2].rdtype != T.SOA or rrs[-1][2].rdtype != T.SOA:
		raise dns.exception.FormError("AXFR of %s from %s@%d: not SOA ... SOA (%d records)"
					      % (zone, host, port, len(rrs)))
	for name, ttl, rd in rrs[:-1]:
		rs.add(name, ttl, rd)
	return rs


def ixfr_kind(host, port, zone, key, serial, timeout=10.0):
	"""Ask IXFR from serial: ("IXFR"|"AXFR"|"UP-TO-DATE", messages)."""
	msgs = xfr_messages(host, port, zone, key, rdtype="IXFR", serial=serial, timeout=timeout)
	rrs = [rd for m in msgs for rrset in m.answer for rd in rrset]
	if len(rrs) == 1:
		return "UP-TO-DATE", msgs
	if len(rrs) >= 2 and rrs[1].rdtype == T.SOA:
		return "IXFR", msgs
	return "AXFR", msgs


def soa_serial(host, port, zone, key=None, timeout=1.0):
	"""The SOA serial a server answers for zone, or None."""
	q = dns.message.make_query(zone, "SOA")
	q.flags &= ~dns.flags.RD
	if key is not None:
		q.use_tsig(key.keyring(), key.name, algorithm=key.algorithm + ".")
	try:
		r = dns.query.udp(q, host, port=port, timeout=timeout)
	except (OSError, dns.exception.DNSException):
		return None
	if r.rcode() != dns.rcode.NOERROR:
		return None
	for rrset in r.answer:
		if rrset.rdtype == T.SOA:
			return rrset[0].serial
	return None


def send_notify(host, port, zone, serial=None, key=None, source="127.0.0.1", timeout=2.0,
		bad_mac=False):
	"""Send a NOTIFY (SOA) from source to host@port; returns (rcode, tsig
	error or None, message or None).  rcode None when no answer came.
	bad_mac: sign with the key's name but another secret."""
	q = dns.message.make_query(zone, "SOA")
	q.flags = dns.flags.AA
	q.set_opcode(dns.opcode.NOTIFY)
	if serial is not None:
		soa = dns.rrset.from_text(zone, 0, "IN", "SOA",
					  "ns1.%s hostmaster.%s %d 1 1 1 1" % (zone, zone, serial))
		q.answer.append(soa)
	if key is not None:
		k = key.other_secret() if bad_mac else key
		q.use_tsig(k.keyring(), k.name, algorithm=k.algorithm + ".")
	wire = q.to_wire()
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_DGRAM)
	s.settimeout(timeout)
	try:
		s.bind((source, 0))
		s.sendto(wire, (host, port))
		resp = s.recv(65535)
	except socket.timeout:
		return None, None, None
	finally:
		s.close()
	rcode = resp[3] & 0x0F
	terr = None
	strip = strip_tsig(resp)
	if strip is not None:
		terr = strip[1].error
	try:
		m = dns.message.from_wire(strip[0] if strip else resp, ignore_trailing=True)
	except dns.exception.DNSException:
		m = None
	return rcode, terr, m


# ---------------------------------------------------------------------------
# wire helpers (TSIG by hand)


def _skip_name(w, off):
	while True:
		ln = w[off]
		if ln >= 0xC0:
			return off + 2
		off += ln + 1
		if ln == 0:
			return off


def strip_tsig(wire):
	"""(wire without its TSIG RR, TSIG rdata, key name, tsig offset) or None
	when the last additional RR is not a TSIG."""
	try:
		qd, an, ns, ar = struct.unpack_from("!4H", wire, 4)
		if ar == 0:
			return None
		off = 12
		for _ in range(qd):
			off = _skip_name(wire, off) + 4
		last = None
		for _ in range(an + ns + ar):
			last = off
			off = _skip_name(wire, off)
			rtype, rclass, ttl, rdlen = struct.unpack_from("!HHIH", wire, off)
			off += 10 + rdlen
		name_end = _skip_name(wire, last)
		rtype, rclass, ttl, rdlen = struct.unpack_from("!HHIH", wire, name_end)
		if rtype != T.TSIG:
			return None
		name, _ = dns.name.from_wire(wire, last)
		rd = dns.rdata.from_wire(dns.rdataclass.ANY, T.TSIG, wire, name_end + 10, rdlen)
		out = bytearray(wire[:last])
		struct.pack_into("!H", out, 10, ar - 1)
		return bytes(out), rd, name, last
	except (IndexError, struct.error, dns.exception.DNSException):
		return None


class Signer:
	"""TSIG for a response stream (RFC 8945 4.3, 5.3.1): first message over
	the request MAC and the full variables, later ones over the prior MAC,
	every unsigned message since, and the timers."""

	def __init__(self, key, request_mac, original_id, skew=0, fudge=300):
		self.key = key.dns_key()
		self.request_mac = request_mac
		self.original_id = original_id
		self.skew = skew
		self.fudge = fudge
		self.ctx = None
		self.first = True

	def _rdata(self, now):
		return dns.rdtypes.ANY.TSIG.TSIG(dns.rdataclass.ANY, T.TSIG, self.key.algorithm, now,
						 self.fudge, b"", self.original_id, 0, b"")

	def sign(self, wire, corrupt=False):
		"""wire (no TSIG) -> wire with a TSIG RR appended."""
		now = int(time.time()) + self.skew
		rd = self._rdata(now)
		if self.first:
			tsig, ctx = dns.tsig.sign(wire, self.key, rd, now, self.request_mac, None, True)
			self.first = False
		else:
			tsig, ctx = dns.tsig.sign(wire, self.key, rd, now, None, self.ctx, True)
		self.ctx = ctx
		if corrupt:
			mac = bytearray(tsig.mac)
			mac[0] ^= 0xFF
			tsig = tsig.replace(mac=bytes(mac))
		rdw = tsig.to_wire()
		rr = self.key.name.to_wire() + struct.pack("!HHIH", T.TSIG, dns.rdataclass.ANY, 0, len(rdw)) + rdw
		out = bytearray(wire) + rr
		struct.pack_into("!H", out, 10, struct.unpack_from("!H", wire, 10)[0] + 1)
		return bytes(out)

	def unsigned(self, wire):
		"""An unsigned intermediate message: digested into the next MAC."""
		if self.first:
			raise ValueError("the first message must be signed")
		self.ctx.update(wire)
		return wire


def check_stream(host, port, zone, key, rdtype="AXFR", serial=0, base=None, timeout=5.0):
	"""A reference secondary, to check what a primary sends: asks AXFR (or
	IXFR from serial) signed with key and judges the answer stream the way
	a secondary must (RFC 8945 5.3.1, RFC 5936, RFC 1995): TSIG on the
	first and last message and verified on every signed one, at most 99
	unsigned messages in a row, time within fudge, SOA first and last with
	equal serials, every owner inside the zone, IXFR deletions present in
	base (a RecordSet).  Returns (None, RecordSet of the resulting zone)
	when good, else (reason, None)."""
	origin = dns.name.from_text(zone)
	q = dns.message.make_query(zone, rdtype)
	if rdtype == "IXFR":
		q.authority.append(dns.rrset.from_text(zone, 0, "IN", "SOA", ". . %d 0 0 0 0" % serial))
	k = key.dns_key()
	q.use_tsig({k.name: k}, k.name, algorithm=k.algorithm)
	wire = q.to_wire()
	request_mac = q.mac
	rrs, ctx, run, nmsg, last_signed = [], None, 0, 0, False
	style, state, done = None, None, False      # style "AXFR" | "IXFR"
	s = socket.create_connection((host, port), timeout=timeout)
	try:
		s.sendall(_frame(wire))
		while not done:
			hdr = _recv_exact(s, 2)
			w = _recv_exact(s, struct.unpack("!H", hdr)[0]) if hdr else None
			if w is None:
				return "stream ended before the closing SOA (%d messages)" % nmsg, None
			nmsg += 1
			st = strip_tsig(w)
			if st is None:
				if ctx is None:
					return "message %d has no TSIG" % nmsg, None
				run += 1
				if run > 99:
					return "more than 99 unsigned messages in a row", None
				ctx.update(w)
				body = w
				last_signed = False
			else:
				body, rd, name, off = st
				try:
					ctx = dns.tsig.validate(w, k, name, rd, int(time.time()), request_mac, off,
								ctx, True)
				except dns.tsig.BadTime:
					return "message %d: TSIG time outside fudge (BADTIME)" % nmsg, None
				except dns.exception.DNSException as e:
					return "message %d: TSIG %s" % (nmsg, e.__class__.__name__), None
				run = 0
				last_signed = True
			m = dns.message.from_wire(body, ignore_trailing=True, one_rr_per_rrset=True)
			if m.rcode() != dns.rcode.NOERROR:
				return "rcode %s" % dns.rcode.to_text(m.rcode()), None
			for rrset in m.answer:
				for rd in rrset:
					if done:
						return "records after the closing SOA", None
					rrs.append((rrset.name, rrset.ttl, rd))
					if len(rrs) == 1:
						if rd.rdtype != T.SOA:
							return "the stream does not start with the SOA", None
						continue
					is_soa = rd.rdtype == T.SOA and rrset.name == origin
					if len(rrs) == 2:
						style = "IXFR" if (rdtype == "IXFR" and is_soa and
								   rd.serial != rrs[0][2].serial) else "AXFR"
						state = "del"
						if style == "IXFR":
							continue
					if not is_soa:
						continue
					if style == "AXFR":
						if rd.serial != rrs[0][2].serial:
							return "closing SOA serial %d != opening %d" \
								% (rd.serial, rrs[0][2].serial), None
						done = True
					elif state == "del":
						state = "add"
					elif rd.serial == rrs[0][2].serial:
						done = True
					else:
						state = "del"
	finally:
		s.close()
	if not last_signed:
		return "the last message has no TSIG", None
	for name, ttl, rd in rrs:
		if not name.is_subdomain(origin):
			return "record outside the zone: %s %s" % (name, T.to_text(rd.rdtype)), None
	if style == "AXFR":
		return None, RecordSet(rrs[:-1])
	cur = RecordSet()
	cur.items, cur.text = set(base.items), dict(base.text)
	state = None
	for name, ttl, rd in rrs[1:-1]:
		one = RecordSet([(name, ttl, rd)])
		if rd.rdtype == T.SOA and name == origin:
			state = "del" if state in (None, "add") else "add"
		if state == "del":
			if not one.items <= cur.items:
				return "IXFR deletes a record that is not in the zone: %s %s" \
					% (name, T.to_text(rd.rdtype)), None
			cur.items -= one.items
		else:
			cur.items |= one.items
			cur.text.update(one.text)
	return None, cur


# ---------------------------------------------------------------------------
# real primaries


class ZoneFile:
	"""A zone already in a file (e.g. zonegen's signed zones), served as it is."""

	def __init__(self, origin, path):
		self.origin = origin
		self.src = path
		self.fname = (origin.strip(".") or "root")

	def text(self):
		with open(self.src) as f:
			return f.read()

	def write(self, path):
		shutil.copyfile(self.src, path + ".tmp")
		os.rename(path + ".tmp", path)
		return path

	def rrs(self):
		return parse_zone(self.text(), self.origin)


class _Primary(raizlab.Server):
	"""Common to Knot and NSD: zones (ZoneData or ZoneFile) written into the
	workdir; key protects transfers (zone_keys: another key for some zones);
	notify: "addr@port" of the secondaries."""

	def __init__(self, workdir, zones, key, notify=(), port=None, allow=("127.0.0.0/8",),
		     zone_keys=None):
		os.makedirs(workdir, exist_ok=True)
		port = port or raizlab.pick_ports(1, *PRIMARY_PORTS)[0]
		self.zdata = {z.origin: z for z in zones}
		paths = [(z.origin, os.path.join(workdir, z.fname + ".zone")) for z in zones]
		raizlab.Server.__init__(self, workdir, port, paths, self.name)
		self.key = key
		self.zone_keys = dict(zone_keys or {})
		self.notify = list(notify)   # "127.0.0.1@15301"
		self.allow = list(allow)
		self.path = dict(paths)
		for z in zones:
			z.write(self.path[z.origin])

	def key_of(self, zone):
		return self.zone_keys.get(zone, self.key)

	def keys(self):
		out = [self.key]
		for k in self.zone_keys.values():
			if all(k.name != o.name for o in out):
				out.append(k)
		return out

	@property
	def address(self):
		return "127.0.0.1@%d" % self.port

	def start(self, timeout=30.0):
		raizlab.Server.start(self, timeout)
		return self

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.stop()
		return False

	def records(self, zone, timeout=10.0):
		return axfr("127.0.0.1", self.port, zone, self.key_of(zone), timeout=timeout)

	def serial(self, zone):
		return soa_serial("127.0.0.1", self.port, zone, self.key_of(zone))

	def update(self, zone, add=(), remove=(), replace=(), bump=1):
		"""Change the zone, write it, make the primary load it; returns the
		new serial once the primary serves it (it sends NOTIFY to its
		secondaries on its own)."""
		z = self.zdata[zone]
		z.change(add=add, remove=remove, replace=replace, bump=bump)
		z.write(self.path[zone])
		self.reload(zone)
		deadline = time.monotonic() + 15
		while self.serial(zone) != z.serial:
			if time.monotonic() > deadline:
				raise RuntimeError("%s did not serve serial %d of %s after reload; log:\n%s"
						   % (self.label, z.serial, zone, self.log_tail()))
			time.sleep(0.02)
		return z.serial

	def _ctl(self, argv, timeout=30):
		p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
				   stdin=subprocess.DEVNULL, universal_newlines=True)
		if p.returncode != 0:
			raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), p.returncode, p.stdout.strip()))
		return p.stdout


class KnotPrimary(_Primary):
	"""knotd 3.x as a primary: journal + zonefile-load difference (IXFR),
	TSIG-protected transfers, NOTIFY to the secondaries."""
	name = "knot-primary"

	def argv(self):
		w = self.workdir
		# knotd 3.2 does not create its database directory: without it the
		# journal cannot be opened and a reload fails with "not exists"
		os.makedirs(os.path.join(w, "db"), exist_ok=True)
		keys = self.keys()
		kid = {k.name: "k%d" % i for i, k in enumerate(keys)}
		lines = [
			"server:",
			"    rundir: \"%s\"" % w,
			"    listen: 127.0.0.1@%d" % self.port,
			"    udp-workers: 1",
			"    tcp-workers: 1",
			"    background-workers: 1",
			"log:",
			"  - target: stderr",
			"    any: info",
			"database:",
			"    storage: \"%s/db\"" % w,
			"control:",
			"    listen: \"%s/knot.sock\"" % w,
			"key:",
		]
		for k in keys:
			lines += ["  - id: %s" % k.name, "    algorithm: %s" % k.algorithm, "    secret: %s" % k.secret]
		if self.notify:
			lines.append("remote:")
			for i, n in enumerate(self.notify):
				for k in keys:
					lines += ["  - id: sec%d-%s" % (i, kid[k.name]), "    address: %s" % n,
						  "    key: %s" % k.name]
		lines.append("acl:")
		for k in keys:
			lines += ["  - id: xfr-%s" % kid[k.name],
				  "    address: [%s]" % ", ".join(self.allow),
				  "    key: %s" % k.name,
				  "    action: transfer"]
		lines += [
			"template:",
			"  - id: default",
			"    storage: \"%s\"" % w,
			"    zonefile-sync: -1",
			# the zone file is the source; a reload with a higher serial
			# becomes a changeset in the journal, served as IXFR
			"    zonefile-load: difference",
			"    journal-content: changes",
			"    semantic-checks: off",
			"    serial-policy: increment",
			"zone:",
		]
		for origin, path in self.zones:
			k = kid[self.key_of(origin).name]
			lines += ["  - domain: \"%s\"" % origin, "    file: \"%s\"" % path, "    acl: xfr-%s" % k]
			if self.notify:
				lines.append("    notify: [%s]" % ", ".join("sec%d-%s" % (i, k)
									 for i in range(len(self.notify))))
		with open(os.path.join(w, "knot.conf"), "w") as f:
			f.write("\n".join(lines) + "\n")
		return ["knotd", "-c", os.path.join(w, "knot.conf")]

	def knotc(self, *args):
		return self._ctl(["knotc", "-s", os.path.join(self.workdir, "knot.sock"), "-b"] + list(args))

	def reload(self, zone):
		self.knotc("zone-reload", zone)

	def send_notify(self, zone):
		self.knotc("zone-notify", zone)


class NsdPrimary(_Primary):
	"""nsd 4.x as a primary: provide-xfr with the key, notify: to the
	secondaries, IXFR from zone-file differences (store-ixfr, create-ixfr)."""
	name = "nsd-primary"

	def conf_path(self):
		return os.path.join(self.workdir, "nsd.conf")

	def argv(self):
		w = self.workdir
		lines = [
			"server:",
			"\tip-address: 127.0.0.1@%d" % self.port,
			"\tport: %d" % self.port,
			"\tdo-ip6: no",
			"\tserver-count: 1",
			"\treuseport: no",
			"\tusername: \"\"",
			"\tchroot: \"\"",
			"\tzonesdir: \"%s\"" % w,
			"\tdatabase: \"\"",
			"\tzonelistfile: \"%s/zone.list\"" % w,
			"\txfrdfile: \"%s/xfrd.state\"" % w,
			"\txfrdir: \"%s\"" % w,
			"\tpidfile: \"%s/nsd.pid\"" % w,
			"\tlogfile: \"%s\"" % self.logpath,
			"\tverbosity: 2",
			"\trrl-ratelimit: 0",
			"\trrl-whitelist-ratelimit: 0",
			"\txfrd-reload-timeout: 0",
			"remote-control:",
			"\tcontrol-enable: yes",
			"\tcontrol-interface: \"%s/nsd.sock\"" % w,
		]
		for k in self.keys():
			lines += ["key:", "\tname: \"%s\"" % k.name, "\talgorithm: %s" % k.algorithm,
				  "\tsecret: \"%s\"" % k.secret]
		for origin, path in self.zones:
			kname = self.key_of(origin).name
			lines += ["zone:", "\tname: \"%s\"" % origin, "\tzonefile: \"%s\"" % path,
				  "\tstore-ixfr: yes", "\tcreate-ixfr: yes", "\tixfr-number: 10"]
			for a in self.allow:
				lines.append("\tprovide-xfr: %s %s" % (a, kname))
			for n in self.notify:
				lines.append("\tnotify: %s %s" % (n, kname))
		with open(self.conf_path(), "w") as f:
			f.write("\n".join(lines) + "\n")
		return ["nsd", "-d", "-c", self.conf_path()]

	def nsd_control(self, *args):
		return self._ctl(["nsd-control", "-c", self.conf_path()] + list(args))

	def reload(self, zone):
		self.nsd_control("reload", zone)

	def send_notify(self, zone):
		self.nsd_control("notify", zone)


# ---------------------------------------------------------------------------
# the hostile primary

MODES = {
	"good": "a correct stream, every message signed",
	"slow": "a correct stream, `delay` seconds before each message after the first",
	"notsig": "no TSIG on any message",
	"wrongkey": "every message signed with another secret under the same key name",
	"badmac3": "the 3rd message's MAC altered",
	"unsigned99": "first signed, then 99 unsigned messages in a row, then signed (allowed)",
	"unsigned100": "first signed, then 100 unsigned messages in a row, then signed",
	"skew": "time signed an hour in the past (fudge 300)",
	"soa-mismatch": "the closing SOA has another serial than the opening one",
	"truncated": "the connection closed after half of the messages",
	"outside": "a record outside the zone in the middle of the stream",
	"ixfr-delete-missing": "IXFR (for IXFR requests) deleting a record that does not exist",
	"refused": "transfers answered REFUSED",
}


class HostilePrimary:
	"""A primary in this process: SOA answered (UDP and TCP, signed with the
	key), AXFR and IXFR answered according to self.mode.  The zone content
	is self.text (zone text); self.prev_text is the version before (for the
	IXFR mode).  self.requests records every request: dicts with
	transport, qtype, serial (IXFR), tsig ("ok" / "bad" / None), source."""

	def __init__(self, origin, text, key, port=None, per_message=20, delay=0.0):
		self.origin = origin
		self.key = key
		self.port = port or raizlab.pick_ports(1, *PRIMARY_PORTS)[0]
		self.mode = "good"
		self.per_message = per_message     # records per message
		self.delay = delay
		self.prev_text = None
		self.text = text
		self._parsed = {}                  # zone text -> [RRset of one RR], SOA first
		self.requests = []
		self.lock = threading.Lock()
		self.midway = threading.Event()    # set when a slow stream is half sent
		self.streams_done = 0
		self.udp = self.tcp = None
		self.threads = []
		self.running = False
		self.conns = set()

	@property
	def address(self):
		return "127.0.0.1@%d" % self.port

	def set_zone(self, text, keep_prev=True):
		"""Serve text from now on (the current one becomes prev_text, the
		base of the IXFR mode).  Parsed here, once."""
		rrs = self._rr_list(text)
		with self.lock:
			if keep_prev:
				self.prev_text = self.text
			self.text = text
			self._parsed = {t: v for t, v in self._parsed.items() if t in (self.text, self.prev_text)}
		return rrs

	def serial(self):
		return self._rr_list(self.text)[0][0].serial

	# ---- life cycle ----
	def start(self):
		self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.udp.bind(("127.0.0.1", self.port))
		self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.tcp.bind(("127.0.0.1", self.port))
		self.tcp.listen(16)
		self.running = True
		self.threads = [threading.Thread(target=self._udp_loop, daemon=True),
				threading.Thread(target=self._tcp_loop, daemon=True)]
		for t in self.threads:
			t.start()
		return self

	def stop(self):
		self.running = False
		for s in (self.udp, self.tcp):
			if s is not None:
				try:
					s.close()
				except OSError:
					pass
		for c in list(self.conns):
			try:
				c.shutdown(socket.SHUT_RDWR)
				c.close()
			except OSError:
				pass
		for t in self.threads:
			t.join(timeout=5)
		self.udp = self.tcp = None
		self.threads = []

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.stop()
		return False

	def notify(self, host, port, serial=None):
		"""NOTIFY from this primary's address, signed with the key."""
		return send_notify(host, port, self.origin, serial if serial is not None else self.serial(),
				   self.key)

	def count(self, qtype=None, since=0):
		with self.lock:
			return sum(1 for r in self.requests[since:] if qtype is None or r["qtype"] == qtype)

	# ---- serving ----
	def _parse(self, wire, transport, source):
		st = strip_tsig(wire)
		rec = {"transport": transport, "source": source, "tsig": None, "qtype": None, "serial": None,
		       "at": time.time()}
		try:
			q = dns.message.from_wire(st[0] if st else wire, ignore_trailing=True)
		except dns.exception.DNSException:
			return None, None, rec
		mac = None
		if st:
			_, rd, name, off = st
			mac = rd.mac
			try:
				dns.tsig.validate(wire, self.key.dns_key(), name, rd, int(time.time()), None, off)
				rec["tsig"] = "ok"
			except Exception as e:    # noqa: BLE001 -- any TSIG failure is "bad"
				rec["tsig"] = "bad: %s" % e.__class__.__name__
		if q.question:
			rec["qtype"] = T.to_text(q.question[0].rdtype)
		for rrset in q.authority:
			if rrset.rdtype == T.SOA:
				rec["serial"] = rrset[0].serial
		with self.lock:
			self.requests.append(rec)
		return q, mac, rec

	def _msg(self, q, rrsets, first):
		m = dns.message.Message(id=q.id)
		m.flags = dns.flags.QR | dns.flags.AA
		if first:
			m.question = list(q.question)
		m.answer = rrsets
		return m.to_wire(max_size=65535)

	def _soa_reply(self, q, mac):
		origin = dns.name.from_text(self.origin)
		soa = self._rr_list(self.text)[0]
		m = dns.message.Message(id=q.id)
		m.flags = dns.flags.QR | dns.flags.AA
		m.question = list(q.question)
		if q.question and q.question[0].name == origin:
			m.answer = [soa]
		else:
			m.set_rcode(dns.rcode.REFUSED)
		wire = m.to_wire()
		if mac is None:
			return wire
		return Signer(self.key, mac, q.id).sign(wire)

	def _udp_loop(self):
		while self.running:
			try:
				r, _, _ = select.select([self.udp], [], [], 0.2)
				if not r:
					continue
				wire, peer = self.udp.recvfrom(65535)
			except (OSError, ValueError):
				return
			q, mac, rec = self._parse(wire, "udp", peer[0])
			if q is None or not q.question:
				continue
			# SOA, and a UDP IXFR (answered with the SOA alone: "use TCP")
			try:
				self.udp.sendto(self._soa_reply(q, mac), peer)
			except OSError:
				pass

	def _tcp_loop(self):
		while self.running:
			try:
				r, _, _ = select.select([self.tcp], [], [], 0.2)
				if not r:
					continue
				c, peer = self.tcp.accept()
			except (OSError, ValueError):
				return
			t = threading.Thread(target=self._tcp_conn, args=(c, peer), daemon=True)
			t.start()

	def _tcp_conn(self, c, peer):
		self.conns.add(c)
		c.settimeout(10)
		try:
			while self.running:
				hdr = _recv_exact(c, 2)
				if hdr is None:
					return
				wire = _recv_exact(c, struct.unpack("!H", hdr)[0])
				if wire is None:
					return
				q, mac, rec = self._parse(wire, "tcp", peer[0])
				if q is None or not q.question:
					return
				qt = q.question[0].rdtype
				if qt in (T.AXFR, T.IXFR):
					# one transfer per connection: a secondary that waits
					# for more after a bad stream is not held up
					self._stream(c, q, mac, rec)
					return
				else:
					c.sendall(_frame(self._soa_reply(q, mac)))
		except OSError:
			return
		finally:
			self.conns.discard(c)
			try:
				c.close()
			except OSError:
				pass

	def _rr_list(self, text):
		got = self._parsed.get(text)
		if got is None:
			got = [dns.rrset.from_rdata(n, ttl, rd) for n, ttl, rd in parse_zone(text, self.origin)]
			self._parsed[text] = got
		return got

	def _stream_rrsets(self, q, rec):
		"""The RRsets of the answer stream (one RR each), per the mode."""
		cur = self._rr_list(self.text)
		soa = cur[0]
		mode = self.mode
		if mode == "ixfr-delete-missing" and rec["qtype"] == "IXFR" and rec["serial"] is not None:
			# RFC 1995: new SOA, old SOA, deleted..., new SOA, added..., new SOA
			old = self._rr_list(self.prev_text or self.text)[0]
			ghost = dns.rrset.from_text("ghost-never-existed." + self.origin, 3600, "IN", "A",
						    "192.0.2.254")
			added = dns.rrset.from_text("added-by-ixfr." + self.origin, 3600, "IN", "A", "192.0.2.253")
			return [soa, old, ghost, soa, added, soa]
		body = cur[1:]
		if mode == "outside":
			evil = dns.rrset.from_text("evil.example.net.", 3600, "IN", "A", "192.0.2.66")
			body = body[:len(body) // 2] + [evil] + body[len(body) // 2:]
		last = soa
		if mode == "soa-mismatch":
			s2 = soa.copy()
			s2.clear()
			s2.add(soa[0].replace(serial=soa[0].serial + 1))
			last = s2
		return [soa] + body + [last]

	def _stream(self, c, q, mac, rec):
		mode = self.mode
		if mode == "refused":
			m = dns.message.Message(id=q.id)
			m.flags = dns.flags.QR
			m.question = list(q.question)
			m.set_rcode(dns.rcode.REFUSED)
			w = m.to_wire()
			c.sendall(_frame(Signer(self.key, mac, q.id).sign(w) if mac else w))
			return
		rrsets = self._stream_rrsets(q, rec)
		per = self.per_message
		if mode in ("unsigned99", "unsigned100"):
			per = max(1, min(per, len(rrsets) // 110))
		chunks = [rrsets[i:i + per] for i in range(0, len(rrsets), per)]
		wires = [self._msg(q, ch, i == 0) for i, ch in enumerate(chunks)]
		key = self.key.other_secret() if mode == "wrongkey" else self.key
		signer = Signer(key, mac, q.id, skew=-3600 if mode == "skew" else 0) if mac is not None else None
		nunsigned = {"unsigned99": 99, "unsigned100": 100}.get(mode, 0)
		if nunsigned and len(wires) < nunsigned + 2:
			raise RuntimeError("zone too small for %s: %d messages" % (mode, len(wires)))
		cut = len(wires) // 2 if mode == "truncated" else len(wires)
		for i, w in enumerate(wires[:cut]):
			if signer is None or mode == "notsig":
				out = w
			elif 1 <= i <= nunsigned:
				out = signer.unsigned(w)
			else:
				out = signer.sign(w, corrupt=(mode == "badmac3" and i == 2))
			if mode == "slow" and i > 0:
				time.sleep(self.delay)
				if i == len(wires) // 2:
					self.midway.set()
			c.sendall(_frame(out))
		with self.lock:
			self.streams_done += 1


def _frame(wire):
	return struct.pack("!H", len(wire)) + wire


def _recv_exact(sock, n):
	buf = b""
	while len(buf) < n:
		try:
			chunk = sock.recv(n - len(buf))
		except socket.timeout:
			return None
		if not chunk:
			return None
		buf += chunk
	return buf


# ---------------------------------------------------------------------------
# what raiz-dnsd serves


def served_records(host, port, zone, expected, key=None, source=None):
	"""What a server serves for zone, as (RecordSet, method).  First AXFR
	(with key, from source); if the server refuses or fails it, every
	(name, type) of `expected` (a RecordSet) is asked over TCP with DO and
	the RRs found at that name and type (any section) are collected;
	NSEC3 records (at hashed names, not queryable) are then left out of
	both sides, which the method string says."""
	try:
		return axfr(host, port, zone, key, timeout=10.0, source=source), "AXFR"
	except (OSError, EOFError, dns.exception.DNSException) as e:
		why = "%s: %s" % (e.__class__.__name__, e)
	got = RecordSet()
	wanted = {}
	for owner, rdtype, ttl, rd in expected.items:
		if rdtype == T.NSEC3 or (rdtype == T.RRSIG and struct.unpack("!H", rd[:2])[0] == T.NSEC3):
			continue
		t = struct.unpack("!H", rd[:2])[0] if rdtype == T.RRSIG else rdtype
		wanted.setdefault((owner, t), True)
	s = None
	try:
		for owner, t in sorted(wanted):
			q = dns.message.make_query(owner, t, want_dnssec=True, payload=4096)
			q.flags &= ~dns.flags.RD
			for attempt in range(2):
				try:
					if s is None:
						s = socket.create_connection((host, port), timeout=3)
					s.sendall(_frame(q.to_wire()))
					hdr = _recv_exact(s, 2)
					w = _recv_exact(s, struct.unpack("!H", hdr)[0]) if hdr else None
					if w is None:
						raise OSError("closed")
					break
				except OSError:
					if s is not None:
						s.close()
					s = None
					w = None
			if w is None:
				continue
			r = dns.message.from_wire(w)
			oname = dns.name.from_text(owner)
			for sec in (r.answer, r.authority, r.additional):
				for rrset in sec:
					if rrset.name != oname:
						continue
					if rrset.rdtype == t or (rrset.rdtype == T.RRSIG and rrset.covers == t):
						for rd in rrset:
							got.add(rrset.name, rrset.ttl, rd)
	finally:
		if s is not None:
			s.close()
	return got, "queries for every name and type, NSEC3 left out (AXFR failed: %s)" % why


def no_nsec3(rs):
	return rs.without(lambda o, t, c: t == T.NSEC3 or (t == T.RRSIG and c == T.NSEC3))


# ---------------------------------------------------------------------------
# raiz-dnsd as a secondary (tests/lib/dnsd.py's Dnsd with secondary zones)


class Checks(dnsd.Checks):
	"""dnsd.Checks printing PASS/FAIL with each check's name."""

	def __call__(self, cond, what, detail=""):
		self.count += 1
		if cond:
			print("PASS %s" % what, flush=True)
		else:
			print("FAIL %s%s" % (what, (": " + str(detail)) if detail != "" else ""), flush=True)
			self.failed.append(what)
		return bool(cond)

	def note(self, text):
		print("     note: %s" % text, flush=True)


class Secondary(dnsd.Dnsd):
	"""raiz-dnsd with secondary zones (raiz.json "zones" entries with
	"primaries") and "tsig-keys"; state_dir: where the stored copies go
	(default: the Dnsd's own directory)."""

	def __init__(self, keys=(), file_zones=None, state_dir=None, **kw):
		dnsd.Dnsd.__init__(self, file_zones or {}, **kw)
		self.keys = list(keys)
		self.secondaries = []
		if state_dir:
			self.node["state-dir"] = state_dir
		self.write_config()

	@property
	def state_dir(self):
		return self.node["state-dir"]

	def add_zone(self, name, primaries, key=None, **opts):
		"""A secondary zone entry; opts are raiz.json keys with "_" for "-"."""
		e = {"name": name, "primaries": list(primaries)}
		if key is not None:
			e["tsig-key"] = key.name.rstrip(".") if isinstance(key, TsigKey) else key
		for k, v in opts.items():
			e[k.replace("_", "-")] = v
		self.secondaries.append(e)
		self.write_config()
		return e

	def zone_entry(self, name):
		for e in self.secondaries:
			if e["name"] == name:
				return e
		raise KeyError(name)

	def config_dict(self):
		d = dnsd.Dnsd.config_dict(self)
		d["zones"] = list(self.zone_entries) + list(getattr(self, "secondaries", []))
		if getattr(self, "keys", None):
			d["tsig-keys"] = [k.config() for k in self.keys]
		return d

	# ---- control: zones ----
	def zones(self, timeout=5.0):
		"""{name: zone dict} from the "zones" control command; raises
		RuntimeError with the reply when it is not ok."""
		rep = self.control('{"command":"zones"}', timeout=timeout)
		if not isinstance(rep, dict) or rep.get("ok") is not True or "zones" not in rep:
			raise RuntimeError("control zones: %s" % (rep,))
		return {z.get("name"): z for z in rep["zones"]}

	def zone(self, name):
		try:
			return self.zones().get(name)
		except (OSError, ValueError, RuntimeError):
			return None

	def command(self, cmd, timeout=30.0, **args):
		req = {"command": cmd}
		req.update({k.replace("_", "-"): v for k, v in args.items()})
		import json
		return self.control(json.dumps(req), timeout=timeout)

	def wait_zone(self, name, pred, timeout=10.0, interval=0.05):
		"""Poll `zones` until pred(zone dict) holds: (zone, True), else the
		last zone dict seen (or None) and False."""
		deadline = time.monotonic() + timeout
		z = None
		while True:
			z = self.zone(name)
			try:
				if z is not None and pred(z):
					return z, True
			except (KeyError, TypeError):
				pass
			if time.monotonic() > deadline or not self.alive():
				return z, False
			time.sleep(interval)

	def wait_serial(self, name, serial, timeout=10.0, interval=0.01):
		"""Poll SOA over UDP until the served serial is `serial`; seconds it
		took, or None (timeout / the daemon died)."""
		t0 = time.monotonic()
		while time.monotonic() - t0 < timeout:
			if self.serial(name) == serial:
				return time.monotonic() - t0
			if not self.alive():
				return None
			time.sleep(interval)
		return None

	def rcode(self, qname, qtype="SOA"):
		"""The rcode text of a UDP query, or "timeout"."""
		try:
			return dns.rcode.to_text(self.query(qname, qtype, timeout=1.0).rcode())
		except (OSError, dns.exception.DNSException):
			return "timeout"

	def records(self, zone, expected, key=None):
		"""(RecordSet, method) of what raiz-dnsd serves for zone."""
		return served_records("127.0.0.1", self.port, zone, expected, key=key)

	def stored_files(self, zone):
		"""The files under <state-dir>/zones/ whose name starts with the zone's."""
		d = os.path.join(self.state_dir, "zones")
		try:
			names = os.listdir(d)
		except OSError:
			return []
		z = zone.rstrip(".").lower()
		return sorted(n for n in names if n.lower().startswith(z))


def failure_after(z, at):
	"""The last-failure of zone dict z if it happened at or after `at`."""
	f = (z or {}).get("last-failure")
	if f and f.get("at", 0) >= at:
		return f
	return None


def compare_served(ck, sec, zone, expected, what, key=None):
	"""Check that raiz-dnsd serves exactly `expected` (a RecordSet) for
	zone; returns the method used ("AXFR" or the query fallback)."""
	got, method = sec.records(zone, expected, key=key)
	exp = expected if method == "AXFR" else no_nsec3(expected)
	ck.note("%s: raiz's records read by %s" % (what, method))
	ck(got == exp, "%s: raiz serves the same %d records as the primary" % (what, len(exp)),
	   got.diff(exp) if got != exp else "")
	return method

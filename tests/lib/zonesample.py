"""zonesample -- a seeded sample of every kind of name in a large signed zone.

t_differential.py --large compares raiz-dnsd with NSD on a zone too large
to load into dnspython (1,000,000 delegations are 5 million records and
537 MB; dns.zone would need minutes and gigabytes).  This module streams
the zone file instead, twice, and keeps little:

  pass 1  classifies every owner name and keeps, by reservoir sampling
          (random.Random(seed)), up to k names of each kind:
            secure-cut    a delegation with DS
            insecure-cut  a delegation without DS (NSEC3 opt-out)
            glue          an owner with addresses below a delegation
            nsec3         an NSEC3 owner (a hashed name)
            auth          any other name with data (but the apex)
  pass 2  collects the RRsets of the apex, of every kept name and of the
          in-zone name servers of the kept delegations, as dnsdiff.Context
          keys (so the allowances can check RRsets and glue against the
          zone, as they do on the small zones).

The file must be as ldns-signzone writes it: one RR per line, absolute
owner names, "owner TTL class type rdata", comments after ';', and the
names below a delegation right after it (canonical order; NSEC3 owners may
come in between).  A line that does not fit raises ValueError with
file:line, so a zone this reader does not understand fails the test
rather than silently sampling nothing.
"""

import random

KINDS = ("secure-cut", "insecure-cut", "glue", "nsec3", "auth")
ADDR = ("A", "AAAA")


def _fields(path, lineno, line):
	"""(owner, ttl, class, type, rdata text) of one RR line, or None for a
	blank or comment line."""
	if ";" in line and '"' not in line:
		line = line.split(";", 1)[0]
	p = line.split(None, 4)
	if not p:
		return None
	if p[0].startswith("$") or len(p) < 5 or not p[1].isdigit() or not p[0].endswith(".") \
	   or "(" in line:
		raise ValueError("%s:%d: not one absolute RR per line (as ldns-signzone writes): %r"
				 % (path, lineno, line[:120]))
	return p[0].lower(), int(p[1]), p[2].upper(), p[3].upper(), p[4].strip()


def _owners(path):
	"""Yield (owner, [(ttl, class, type, rdata), ...]) for each run of lines
	with the same owner."""
	cur, rrs = None, []
	with open(path) as f:
		for lineno, line in enumerate(f, 1):
			r = _fields(path, lineno, line)
			if r is None:
				continue
			if r[0] != cur:
				if cur is not None:
					yield cur, rrs
				cur, rrs = r[0], []
			rrs.append(r[1:])
	if cur is not None:
		yield cur, rrs


class Sample:
	"""The kept names by kind, the RRsets (dnsdiff.Context keys) and the
	zone's size."""

	def __init__(self, path, origin, k=1000, seed=1):
		self.path = path
		self.origin = origin.lower()
		self.names = {kind: [] for kind in KINDS}
		self.seen = {kind: 0 for kind in KINDS}
		self.records = 0
		self.ns = {}                 # kept cut -> NS targets
		self.rrsets = {}             # (owner, rdtype, covers) -> frozenset of RR keys
		self._pass1(k, random.Random(seed))
		self._pass2()

	def _keep(self, kind, name, k, rng):
		n = self.seen[kind] = self.seen[kind] + 1
		kept = self.names[kind]
		if len(kept) < k:
			kept.append(name)
		else:
			j = rng.randrange(n)
			if j < k:
				kept[j] = name

	def _pass1(self, k, rng):
		cut = None
		apex_seen = False
		for owner, rrs in _owners(self.path):
			self.records += len(rrs)
			types = {r[2] for r in rrs}
			if owner == self.origin:
				apex_seen = True
				continue
			if not owner.endswith("." + self.origin):
				raise ValueError("%s: %s is not in zone %s" % (self.path, owner, self.origin))
			if "NSEC3" in types:
				self._keep("nsec3", owner, k, rng)
			elif cut is not None and owner.endswith("." + cut):
				if types & set(ADDR):
					self._keep("glue", owner, k, rng)
			elif "NS" in types:
				cut = owner
				self._keep("secure-cut" if "DS" in types else "insecure-cut", owner, k, rng)
			else:
				self._keep("auth", owner, k, rng)
		if not apex_seen:
			raise ValueError("%s: no records at the apex %s" % (self.path, self.origin))

	def _pass2(self):
		import dns.name
		import dns.rdata
		import dns.rdataclass
		import dns.rdatatype
		want = {self.origin}
		cuts = set(self.names["secure-cut"]) | set(self.names["insecure-cut"])
		for kind in KINDS:
			want.update(self.names[kind])
		for owner, rrs in _owners(self.path):
			if owner not in want:
				continue
			sets = {}
			for ttl, cls, rtype, text in rrs:
				rdclass = dns.rdataclass.from_text(cls)
				rdtype = dns.rdatatype.from_text(rtype)
				rd = dns.rdata.from_text(rdclass, rdtype, text, origin=dns.name.root)
				covers = rd.covers() if rdtype == dns.rdatatype.RRSIG else 0
				sets.setdefault((owner, rdtype, covers), set()).add(
					(rdclass, rdtype, covers, ttl, rd.to_digestable(dns.name.root)))
				if owner in cuts and rtype == "NS":
					t = rd.target.to_text().lower()
					self.ns.setdefault(owner, []).append(t)
					if t.endswith("." + owner):
						want.add(t)
			for key, rrset in sets.items():
				self.rrsets[key] = frozenset(rrset)

	def summary(self):
		return ", ".join("%s %d of %d" % (kind, len(self.names[kind]), self.seen[kind]) for kind in KINDS)

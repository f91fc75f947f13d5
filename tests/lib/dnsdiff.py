"""dnsdiff -- compare two DNS responses to the same query, RR by RR.

compare(query, wire_a, wire_b, ctx) returns a Verdict:
  .status   "identical" | "allowed" | "failure"
  .reasons  names of the allowances that absorbed differences
  .lines    readable description of what differs (failures and allowed)

What is compared (everything, strictly, unless an allowance absorbs it):
  - the header: opcode, rcode (with the EDNS extended bits), QR AA TC RD RA
    AD CD, and the question section with the exact case of the qname (the
    0x20 technique relies on the echo, RFC 5452 section 9.1 / RFC 4343);
  - EDNS: present or not, version, DO bit, advertised UDP payload, options;
  - every section as a multiset of resource records (each RR separately, so
    duplicates and per-RR TTLs count): owner, class, type, TTL and RDATA.
    Names are compared case-insensitively (RFC 4343 section 3: the case of
    a name's labels carries no meaning; servers differ in which copy of a
    name -- the query's or the zone's -- a compression pointer points to),
    RDATA in the canonical form of RFC 4034 section 6.2 as amended by RFC
    6840 section 5.1 (so NSEC next names and TXT strings keep their case).
    RRSIGs are compared like any other RR.
Order inside a section is not compared: RFC 1035 does not define one
(RRset order is explicitly unordered, RFC 2181 section 5).

Allowances are the places where the RFCs leave the server a choice.  Each is
a function below, narrowly scoped, and named in the summary; anything they
do not absorb is a failure.
"""

import collections
import struct

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype

SECTIONS = ("ANSWER", "AUTHORITY", "ADDITIONAL")
FLAGS = (("QR", dns.flags.QR), ("AA", dns.flags.AA), ("TC", dns.flags.TC),
	 ("RD", dns.flags.RD), ("RA", dns.flags.RA), ("AD", dns.flags.AD),
	 ("CD", dns.flags.CD))
ADDR_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
T = dns.rdatatype


class RR(collections.namedtuple("RR", "owner rdclass rdtype covers ttl rdata src")):
	"""One resource record; key() is what is compared, text what is shown."""
	__slots__ = ()

	def key(self):
		return self[:6]

	@property
	def text(self):
		rrset, rd = self.src
		return "%s %d %s %s %s" % (rrset.name.to_text(), rrset.ttl, dns.rdataclass.to_text(rrset.rdclass),
					   dns.rdatatype.to_text(rrset.rdtype), rd.to_text())


class Resp:
	"""A parsed response, normalised for comparison."""

	def __init__(self, wire):
		self.wire = wire
		self.error = None
		self.msg = None
		if wire is None:
			self.error = "no answer (timeout)"
			return
		try:
			self.msg = dns.message.from_wire(wire, one_rr_per_rrset=True)
		except dns.exception.DNSException as e:
			self.error = "unparseable response (%s: %s): %s" % (type(e).__name__, e, wire.hex())
			return
		m = self.msg
		self.rcode = m.rcode()
		self.flags = m.flags
		self.tc = bool(m.flags & dns.flags.TC)
		self.aa = bool(m.flags & dns.flags.AA)
		self.question = [(q.name.to_text(), q.rdclass, q.rdtype) for q in m.question]
		self.sections = {}
		for sec, rrsets in zip(SECTIONS, (m.answer, m.authority, m.additional)):
			rrs = []
			for rrset in rrsets:
				for rd in rrset:
					rrs.append(RR(rrset.name.to_text().lower(), rrset.rdclass, rrset.rdtype,
						      rrset.covers, rrset.ttl, rd.to_digestable(dns.name.root),
						      (rrset, rd)))
			self.sections[sec] = rrs

	def rrs(self, sec, rdtype=None, covers=None):
		return [r for r in self.sections[sec]
			if (rdtype is None or r.rdtype == rdtype) and (covers is None or r.covers == covers)]

	def edns_text(self):
		m = self.msg
		if m.edns < 0:
			return "no EDNS"
		opts = ",".join("%d:%s" % (o.otype, o.to_wire().hex()) for o in m.options)
		return "EDNS%d payload=%d %s%s" % (m.edns, m.payload, "DO" if m.ednsflags & dns.flags.DO else "no-DO",
						   " options=" + opts if opts else "")

	def header_text(self):
		m = self.msg
		fl = " ".join(n for n, b in FLAGS if m.flags & b)
		return "%s %s flags=[%s] %s" % (dns.opcode.to_text(m.opcode()), dns.rcode.to_text(self.rcode),
						fl, self.edns_text())

	def render(self, indent="    "):
		if self.error:
			return indent + self.error
		out = [indent + self.header_text()]
		for q in self.question:
			out.append(indent + ";QUESTION %s %s %s" % (q[0], dns.rdataclass.to_text(q[1]),
								   dns.rdatatype.to_text(q[2])))
		for sec in SECTIONS:
			for r in sorted(self.sections[sec], key=lambda r: (r.owner, r.rdtype, r.covers, r.rdata)):
				out.append(indent + ";%-10s %s" % (sec, r.text))
		return "\n".join(out)


class Diff:
	"""What differs between a and b.  Allowances remove what they accept."""

	def __init__(self, a, b):
		self.header = []                          # (what, value_a, value_b)
		self.only = {}                            # (sec, side) -> [RR]
		ma, mb = a.msg, b.msg
		if ma.opcode() != mb.opcode():
			self.header.append(("opcode", dns.opcode.to_text(ma.opcode()), dns.opcode.to_text(mb.opcode())))
		if a.rcode != b.rcode:
			self.header.append(("rcode", dns.rcode.to_text(a.rcode), dns.rcode.to_text(b.rcode)))
		for n, bit in FLAGS:
			if (ma.flags & bit) != (mb.flags & bit):
				self.header.append(("flag " + n, bool(ma.flags & bit), bool(mb.flags & bit)))
		if len(a.question) != len(b.question):
			self.header.append(("question count", len(a.question), len(b.question)))
		elif a.question != b.question:
			self.header.append(("question (case-sensitive)", a.question, b.question))
		if a.edns_text() != b.edns_text():
			self.header.append(("edns", a.edns_text(), b.edns_text()))
		for sec in SECTIONS:
			ca = collections.Counter(r.key() for r in a.sections[sec])
			cb = collections.Counter(r.key() for r in b.sections[sec])
			self.only[(sec, "a")] = _take(a.sections[sec], ca - cb)
			self.only[(sec, "b")] = _take(b.sections[sec], cb - ca)

	def empty(self):
		return not self.header and not any(self.only.values())

	def drop(self, sec, side, pred):
		"""Remove the RRs of (sec, side) for which pred(rr) holds; True if any."""
		lst = self.only[(sec, side)]
		keep = [r for r in lst if not pred(r)]
		self.only[(sec, side)] = keep
		return len(keep) != len(lst)

	def lines(self, names=("a", "b")):
		out = []
		for what, va, vb in self.header:
			out.append("  %s: %s=%s %s=%s" % (what, names[0], va, names[1], vb))
		for sec in SECTIONS:
			for side, nm in zip("ab", names):
				for r in self.only[(sec, side)]:
					out.append("  only %-9s %-10s %s" % (nm, sec, r.text))
		return out


def _take(rrs, counter):
	"""The RRs of rrs selected by a Counter of keys (multiset difference)."""
	c = collections.Counter(counter)
	out = []
	for r in rrs:
		k = r.key()
		if c[k] > 0:
			c[k] -= 1
			out.append(r)
	return out


# ---------------------------------------------------------------------------
# Context: what the allowances may know about the zones served


class Context:
	"""Facts about the served zones that allowances need: the apexes, which
	zones use NSEC3, and every RRset of the signed zone files (as the
	comparison keys of dnsdiff.RR without the owner), to check that an
	answer holds complete RRsets of the zone."""

	def __init__(self, zones):
		"""zones: iterable of (origin, signed zone file or None, nsec3)."""
		import dns.zone
		self.apexes = set()
		self.nsec3 = set()
		self.rrsets = {}               # (owner, rdtype, covers) -> frozenset of RR keys minus owner
		for origin, path, nsec3 in zones:
			origin = origin.lower()
			self.apexes.add(origin)
			if nsec3:
				self.nsec3.add(origin)
			if path is None:
				continue
			z = dns.zone.from_file(path, origin, relativize=False, check_origin=False)
			for name, node in z.nodes.items():
				owner = name.to_text().lower()
				for rds in node.rdatasets:
					k = (owner, rds.rdtype, rds.covers)
					self.rrsets[k] = frozenset((rds.rdclass, rds.rdtype, rds.covers, rds.ttl,
								    rd.to_digestable(dns.name.root)) for rd in rds)

	def zone_of(self, owner):
		"""The apex of the served zone owner falls in (longest match), or None."""
		n = _name(owner)
		best = None
		for a in self.apexes:
			if n.is_subdomain(_name(a)) and (best is None or len(_name(a)) > len(_name(best))):
				best = a
		return best

	def complete_rrsets(self, qname, rrs):
		"""True if rrs (RRs owned by qname) are whole RRsets of the zone at
		qname or at a wildcard that could have produced qname."""
		groups = {}
		for r in rrs:
			if r.owner != qname:
				return False
			groups.setdefault((r.rdtype, r.covers), set()).add(r.key()[1:])
		cands = [qname]
		labels = qname.split(".")
		for i in range(1, len(labels) - 1):
			cands.append("*." + ".".join(labels[i:]))
		for (rdtype, covers), keys in groups.items():
			if not any(self.rrsets.get((c, rdtype, covers)) == keys for c in cands):
				return False
		return True


def _name(text):
	return dns.name.from_text(text)


def _targets(resp, secs=("ANSWER", "AUTHORITY")):
	"""Lowercase names that NS/MX/SRV RDATA in resp point to."""
	out = set()
	for sec in secs:
		for r in resp.msg.answer if sec == "ANSWER" else resp.msg.authority:
			for rd in r:
				if r.rdtype == T.NS:
					out.add(rd.target.to_text().lower())
				elif r.rdtype == T.MX:
					out.add(rd.exchange.to_text().lower())
				elif r.rdtype == T.SRV:
					out.add(rd.target.to_text().lower())
	return out


def _referral_cut(resp):
	"""The delegation a referral response points to, or None.

	A referral (RFC 1034 4.3.2 step 3b; RFC 4035 3.1.4) is a NOERROR, non-AA
	response with an NS RRset in the authority section and an empty answer
	(or an answer holding only the CNAME chain that led there)."""
	if resp.rcode != dns.rcode.NOERROR or resp.aa:
		return None
	ns = {r.owner for r in resp.sections["AUTHORITY"] if r.rdtype == T.NS}
	if len(ns) != 1:
		return None
	return ns.pop()


def _is_required_glue(resp, owner):
	"""RFC 9471 section 3.1: in a referral, all available glue for in-domain
	name servers (NS targets at or below the delegation) MUST be included,
	or TC set.  True if `owner` is such a name for resp's referral."""
	cut = _referral_cut(resp)
	if cut is None:
		return False
	ns_targets = {_target(r) for r in resp.sections["AUTHORITY"] if r.rdtype == T.NS}
	if owner not in ns_targets:
		return False
	return _name(owner).is_subdomain(_name(cut))


def _target(r):
	"""Lowercase target name of an NS or CNAME RR."""
	return r.src[1].target.to_text().lower()


def _is_addr_or_its_sig(r):
	return r.rdtype in ADDR_TYPES or (r.rdtype == T.RRSIG and r.covers in ADDR_TYPES)


# ---------------------------------------------------------------------------
# Allowances.  Each takes (query, a, b, diff, ctx), removes from diff only
# what it accepts, and returns True if it removed anything.


def allow_optional_additional_addresses(q, a, b, d, ctx):
	"""A/AAAA (and their RRSIGs) for NS/MX/SRV targets in ADDITIONAL.

	RFC 1034 4.3.2 step 6 and RFC 1035 sections 3.3.9/3.3.11/RFC 2782 make
	additional-section processing a "may be useful" courtesy; RFC 2181
	section 9 says its absence is not truncation.  RFC 9471 section 3.1
	makes one exception: in a referral, glue for in-domain name servers is
	required -- that case is NOT absorbed here (a missing in-domain glue RR
	stays a failure).  Sibling glue and glue for other out-of-domain names
	are optional (RFC 9471 section 3.2, "SHOULD" / not required to set TC),
	as is address data for the zone's own NS/MX/SRV targets in
	authoritative answers (NSD adds what its minimal-responses setting
	picks; Knot adds A and AAAA both).

	Accepted: an RR only in response X of type A/AAAA (or RRSIG covering
	A/AAAA) whose owner is an NS/MX/SRV target named in X's answer or
	authority section, unless it is required in-domain glue for the
	referral the other response Y gives (and Y is not truncated)."""
	hit = False
	for side, x, y in (("a", a, b), ("b", b, a)):
		tx = _targets(x)

		def ok(r, tx=tx, y=y):
			if not _is_addr_or_its_sig(r) or r.owner not in tx:
				return False
			return y.tc or not _is_required_glue(y, r.owner)
		hit |= d.drop("ADDITIONAL", side, ok)
	return hit


def allow_authority_ns_on_answers(q, a, b, d, ctx):
	"""The zone's apex NS RRset (and its RRSIG) in AUTHORITY of an answer.

	RFC 1034 4.3.2 step 3a fills only the answer section for an
	authoritative hit; adding the zone's NS RRset to the authority section
	is a long-standing courtesy (RFC 1034 6.2.1's example, BIND/NSD
	"minimal-responses: no") that RFC 2181 section 6.1 and later practice
	leave optional; Knot never adds it, NSD does.  Accepted only when both
	responses are authoritative NOERROR answers with a non-empty answer
	section, and the NS owner is one of the served zone apexes."""
	if a.rcode != dns.rcode.NOERROR or b.rcode != dns.rcode.NOERROR:
		return False
	if not (a.aa and b.aa and a.sections["ANSWER"] and b.sections["ANSWER"]):
		return False

	def ok(r):
		return r.owner in ctx.apexes and (r.rdtype == T.NS or
						  (r.rdtype == T.RRSIG and r.covers == T.NS))
	hit = d.drop("AUTHORITY", "a", ok)
	hit |= d.drop("AUTHORITY", "b", ok)
	return hit


def _qname(q):
	return q.name.to_text().lower()


def _subset_of_rrsets(q, a, b, d, ctx, only_sigs):
	"""Both answers non-empty, made of complete zone RRsets at qname (all
	RRSIG RRsets when only_sigs); then answer differences are absorbed.
	If exactly one side is truncated (it tried to send more RRsets than
	fit), only the other side is checked and every difference is absorbed:
	the truncated side's content is undefined, and the query is compared
	again over TCP."""
	if a.rcode != dns.rcode.NOERROR or b.rcode != dns.rcode.NOERROR:
		return False
	qn = _qname(q)
	if a.tc != b.tc:
		full = b if a.tc else a
		if [h for h in d.header if h[0] != "flag TC"] or not full.sections["ANSWER"]:
			return False
		if only_sigs and any(r.rdtype != T.RRSIG for r in full.sections["ANSWER"]):
			return False
		if not ctx.complete_rrsets(qn, full.sections["ANSWER"]):
			return False
		d.header = []
		for k in d.only:
			d.only[k] = []
		return True
	for x in (a, b):
		rr = x.sections["ANSWER"]
		if not rr:
			return False
		if only_sigs and any(r.rdtype != T.RRSIG for r in rr):
			return False
		if not ctx.complete_rrsets(qn, rr):
			return False
	hit = bool(d.only[("ANSWER", "a")] or d.only[("ANSWER", "b")])
	d.only[("ANSWER", "a")] = []
	d.only[("ANSWER", "b")] = []
	return hit


def allow_any_subset(q, a, b, d, ctx):
	"""RFC 8482 section 4.1: to a query for ANY a server may return any
	non-empty subset of the RRsets at the name (NSD 4.6 sends one RRset
	over UDP and TCP alike, Knot another), or (section 4.2) a synthesized
	HINFO "RFC8482" RRset.  Accepted: qtype ANY, both NOERROR, and each
	answer section consists of complete RRsets (each with all its RRs, TTL
	and RDATA as in the zone) that exist at QNAME (or at the wildcard that
	produced it), or is the RFC 8482 HINFO.  The answer section only."""
	if q.rdtype != T.ANY:
		return False
	for x in (a, b):
		rr = x.sections["ANSWER"]
		if rr and all(r.rdtype == T.HINFO or (r.rdtype == T.RRSIG and r.covers == T.HINFO) for r in rr) \
		   and any('"rfc8482"' in r.text.lower() for r in rr):
			d.only[("ANSWER", "a")] = []
			d.only[("ANSWER", "b")] = []
			return True
	return _subset_of_rrsets(q, a, b, d, ctx, False)


def allow_rrsig_qtype_subset(q, a, b, d, ctx):
	"""QTYPE=RRSIG.  RFC 4035 section 3.1 defines when servers add RRSIGs
	to answers, but not what a query for the RRSIG type itself returns;
	NSD returns every RRSIG RRset at the name, Knot one (applying RFC 8482
	section 4.1 by analogy, RRSIG being a meta-type for validators).
	Accepted: qtype RRSIG, both NOERROR, each answer non-empty and made of
	complete RRSIG RRsets of the zone at QNAME.  The answer section only."""
	if q.rdtype != T.RRSIG:
		return False
	return _subset_of_rrsets(q, a, b, d, ctx, True)


def _chain_end(resp, qname):
	"""Follow CNAMEs (and DNAME-synthesized CNAMEs) in resp's answer from
	qname; return the last name reached."""
	cur = qname
	seen = set()
	while cur not in seen:
		seen.add(cur)
		nxt = None
		for r in resp.sections["ANSWER"]:
			if r.rdtype == T.CNAME and r.owner == cur:
				nxt = _target(r)
		if nxt is None:
			return cur
		cur = nxt
	return cur


def allow_cross_zone_chase(q, a, b, d, ctx):
	"""A CNAME/DNAME chain leading out of QNAME's zone into another zone the
	server also serves.  RFC 1034 4.3.2 step 3a restarts the lookup at
	step 1 with the new name, so a server may go on with its other zones
	(NSD does: it adds the referral or answer from "." after a CNAME from
	"example." to "www.example.net."); RFC 6672 section 3.4 and common
	practice (Knot, and what resolvers expect, RFC 1034 5.3.3) allow it to
	stop at the zone boundary, the resolver chasing the target itself.
	Accepted: both responses end their chain at the same name, outside
	QNAME's zone; the differing RRs, in any section, all belong to a zone
	other than QNAME's (none of QNAME's own zone data differs); a
	differing rcode only if it is the NXDOMAIN/NOERROR of the chased name
	(RFC 6604 section 3)."""
	qn = _qname(q)
	qz = ctx.zone_of(qn)
	end = _chain_end(a, qn)
	if end == qn or end != _chain_end(b, qn) or ctx.zone_of(end) == qz:
		return False
	for k, lst in d.only.items():
		for r in lst:
			if ctx.zone_of(r.owner) == qz:
				return False
	for what, va, vb in d.header:
		if what != "rcode" or {va, vb} != {"NOERROR", "NXDOMAIN"}:
			return False
	hit = bool(d.header) or any(d.only.values())
	d.header = []
	for k in d.only:
		d.only[k] = []
	return hit


def _drop_authority_nsec3(d):
	"""Absorb differences that are only NSEC3 RRs (and their RRSIGs) in
	AUTHORITY; False if ANSWER or ADDITIONAL differ, or nothing was
	absorbed."""
	def ok(r):
		return r.rdtype == T.NSEC3 or (r.rdtype == T.RRSIG and r.covers == T.NSEC3)
	if any(d.only[(s, x)] for s in ("ANSWER", "ADDITIONAL") for x in "ab"):
		return False
	hit = d.drop("AUTHORITY", "a", ok)
	hit |= d.drop("AUTHORITY", "b", ok)
	return hit


def allow_literal_wildcard_nsec3(q, a, b, d, ctx):
	"""QNAME is itself a wildcard owner ("*.wild.example.", first label "*")
	with no data of QTYPE.  RFC 5155 section 7.2.3 needs only the NSEC3
	matching QNAME; NSD also adds the NSEC3 it would send for a wildcard
	NODATA (section 7.2.5), which is superfluous but valid.  Accepted:
	first qname label "*", both NOERROR with identical answers, and the
	only differences are NSEC3 RRs (and their RRSIGs) in AUTHORITY."""
	if not _qname(q).startswith("*.") or a.rcode != b.rcode:
		return False
	return _drop_authority_nsec3(d)


def _nsec3_owner_above(ctx, qn):
	"""The owner name of an NSEC3 RR that qn is strictly below, or None."""
	labels = qn.split(".")
	for i in range(1, len(labels) - 1):
		anc = ".".join(labels[i:])
		if (anc, T.NSEC3, 0) in ctx.rrsets:
			return anc
	return None


def allow_nsec3_owner_descendant(q, a, b, d, ctx):
	"""QNAME below the owner name of an NSEC3 RR (x.<hash>.example.).
	RFC 5155 section 7.2.8: an NSEC3 owner name is treated as if it did
	not exist, so a name below it has the apex as closest encloser and
	gets the proof of section 7.2.2: the apex's NSEC3, the cover of the
	next closer name (the hashed owner) and the cover of the apex
	wildcard (raiz-dnsd and Knot).  NSD takes the NSEC3 owner for the
	closest encloser and sends only the cover of the next closer name
	below it, a proof a validator cannot complete.  Accepted: QNAME is
	below an NSEC3 owner of the zone file, both NXDOMAIN, and the only
	differences are NSEC3 RRs and their RRSIGs in AUTHORITY."""
	if a.rcode != dns.rcode.NXDOMAIN or b.rcode != dns.rcode.NXDOMAIN or d.header:
		return False
	if _nsec3_owner_above(ctx, _qname(q)) is None:
		return False
	return _drop_authority_nsec3(d)


def allow_nsec_qtype_at_alias(q, a, b, d, ctx):
	"""QTYPE NSEC or NSEC3 at a CNAME (or below a DNAME) in an NSEC3-signed
	zone.  NSEC3 RRs live at hashed owner names (RFC 5155 section 7.2.8 /
	section 3), NSEC RRs are not in such a zone at all, and no RFC says
	whether the alias is followed for these DNSSEC meta-types: NSD follows
	for NSEC and answers NODATA for NSEC3, Knot the other way round.
	Accepted: qtype NSEC/NSEC3, QNAME's zone uses NSEC3, rcodes equal, one
	answer is empty and the other starts with a CNAME or DNAME that
	applies to QNAME; all section differences are absorbed."""
	if q.rdtype not in (T.NSEC, T.NSEC3):
		return False
	for what, va, vb in d.header:
		if what != "rcode" or {va, vb} != {"NOERROR", "NXDOMAIN"}:
			return False
	qn = _qname(q)
	if ctx.zone_of(qn) not in ctx.nsec3:
		return False
	ea, eb = not a.sections["ANSWER"], not b.sections["ANSWER"]
	if ea == eb:
		return False
	full = b if ea else a

	def alias(r):
		return (r.rdtype == T.CNAME and r.owner == qn) or \
		       (r.rdtype == T.DNAME and _name(qn).is_subdomain(_name(r.owner)) and qn != r.owner)
	if not any(alias(r) for r in full.sections["ANSWER"]):
		return False
	if a.rcode != b.rcode and full.rcode != dns.rcode.NXDOMAIN:
		return False
	hit = bool(d.header) or any(d.only.values())
	d.header = []
	for k in d.only:
		d.only[k] = []
	return hit


def allow_truncated_content(q, a, b, d, ctx):
	"""Both responses have TC=1 (UDP).  RFC 1035 4.2.1 / RFC 2181 section 9
	/ RFC 6891 section 7 fix only that the message is truncated, not which
	RRs a truncated message still carries; the test re-asks such queries
	over TCP, where the full comparison happens.  Header fields (rcode,
	flags, EDNS) are still compared strictly."""
	if not (a.tc and b.tc):
		return False
	hit = any(d.only.values())
	for k in d.only:
		d.only[k] = []
	return hit


def _missing_in_domain_glue(ctx, resp):
	"""True if resp is a referral lacking some in-domain glue RR that the
	zone has (compared with the zone file)."""
	cut = _referral_cut(resp)
	if cut is None:
		return False
	have = {r.key()[1:] for r in resp.sections["ADDITIONAL"] if r.rdtype in ADDR_TYPES}
	for r in resp.sections["AUTHORITY"]:
		if r.rdtype != T.NS:
			continue
		t = _target(r)
		if not _name(t).is_subdomain(_name(cut)):
			continue
		for at in ADDR_TYPES:
			for k in ctx.rrsets.get((t, at, 0), ()):
				if k not in have:
					return True
	return False


def allow_glue_tc_rfc9471(q, a, b, d, ctx):
	"""UDP referral whose in-domain glue does not fit.  RFC 9471 section 3.1
	(2023): the server MUST set TC when it cannot include all in-domain
	glue; NSD 4.6 predates it and fills what fits (all A, then AAAA)
	without TC, Knot sets TC.  Accepted: TC differs, the side without TC is
	a referral missing in-domain glue the zone has, and the side with TC
	is a referral to the same cut (its content is truncated, so only the
	header is compared; the test re-asks over TCP).  rcode, AA and the
	other flags stay strict."""
	if len(d.header) != 1 or d.header[0][0] != "flag TC":
		return False
	tcs, full = (a, b) if a.tc else (b, a)
	if not _missing_in_domain_glue(ctx, full):
		return False
	if _referral_cut(tcs) != _referral_cut(full):
		return False
	d.header = []
	for k in d.only:
		d.only[k] = []
	return True


def allow_badvers_do_bit(q, a, b, d, ctx):
	"""The DO bit in the OPT RR of a BADVERS response.  RFC 3225 section 3
	says the DO bit of the query is copied into the response, RFC 6891
	section 6.1.3 only that a BADVERS response carries an OPT RR with the
	server's version; NSD clears DO there, Knot copies it.  Accepted: both
	rcodes BADVERS and the EDNS header differs only in the DO bit."""
	if a.rcode != dns.rcode.BADVERS or b.rcode != dns.rcode.BADVERS:
		return False
	if len(d.header) != 1 or d.header[0][0] != "edns":
		return False
	ma, mb = a.msg, b.msg
	if (ma.edns, ma.payload, ma.options) != (mb.edns, mb.payload, mb.options) or \
	   (ma.ednsflags ^ mb.ednsflags) != dns.flags.DO:
		return False
	d.header = []
	return True


def _missing_optional_additional(ctx, resp):
	"""True if resp leaves out an A/AAAA RR the zone has for an NS/MX/SRV
	target named in its answer or authority section."""
	have = {(r.owner,) + r.key()[1:] for r in resp.sections["ADDITIONAL"] if r.rdtype in ADDR_TYPES}
	for t in _targets(resp):
		for at in ADDR_TYPES:
			for k in ctx.rrsets.get((t, at, 0), ()):
				if (t,) + k not in have:
					return True
	return False


def allow_tc_for_optional_additional(q, a, b, d, ctx):
	"""TC set by one server, not by the other, when the optional additional
	addresses (e.g. the root servers' glue in a priming answer, RFC 8109)
	do not fit.  RFC 2181 section 9 says TC should not be set merely
	because additional data did not fit (NSD), but servers do set it for
	NS addresses (Knot).  Accepted: TC differs; the side without TC (X)
	lacks some A/AAAA the zone has for an NS/MX/SRV target it names, but no
	required in-domain glue (RFC 9471 section 3.1); the truncated side has
	nothing X lacks except such addresses.  The query is compared again
	over TCP, where both must agree in full."""
	if len(d.header) != 1 or d.header[0][0] != "flag TC":
		return False
	full, tcs, tside = (b, a, "a") if a.tc else (a, b, "b")
	if _missing_in_domain_glue(ctx, full) or not _missing_optional_additional(ctx, full):
		return False
	tx = _targets(tcs)
	for sec in SECTIONS:
		for r in d.only[(sec, tside)]:
			if sec != "ADDITIONAL" or not _is_addr_or_its_sig(r) or r.owner not in tx:
				return False
	d.header = []
	for k in d.only:
		d.only[k] = []
	return True


def allow_cd_bit_rfc4035(q, a, b, d, ctx):
	"""The CD bit of a query that had CD set.  RFC 4035 contradicts itself:
	section 3 says a security-aware name server MUST copy the CD bit from
	the query into the response, section 3.1.6 that it SHOULD clear the CD
	bit when composing an authoritative response.  NSD and Knot clear it,
	raiz-dnsd copies it.  Accepted: the query had CD=1, and the responses
	differ in the CD flag (one copied it, one cleared it); only that
	header difference is absorbed."""
	if a.query_flags is None or not a.query_flags & dns.flags.CD:
		return False
	cd = [h for h in d.header if h[0] == "flag CD"]
	if not cd:
		return False
	d.header = [h for h in d.header if h[0] != "flag CD"]
	return True


ALLOWANCES = (
	("cd-bit-rfc4035", allow_cd_bit_rfc4035),
	("badvers-do-bit", allow_badvers_do_bit),
	("truncated-content", allow_truncated_content),
	("glue-tc-rfc9471", allow_glue_tc_rfc9471),
	("tc-for-optional-additional", allow_tc_for_optional_additional),
	("nsec-qtype-at-alias", allow_nsec_qtype_at_alias),
	("cross-zone-chase", allow_cross_zone_chase),
	("any-subset-rfc8482", allow_any_subset),
	("rrsig-qtype-subset", allow_rrsig_qtype_subset),
	("literal-wildcard-nsec3", allow_literal_wildcard_nsec3),
	("nsec3-owner-descendant", allow_nsec3_owner_descendant),
	("authority-ns-on-answer", allow_authority_ns_on_answers),
	("optional-additional-addresses", allow_optional_additional_addresses),
)


class Verdict:
	def __init__(self, status, reasons, lines, signature=""):
		self.status = status
		self.reasons = reasons
		self.lines = lines
		self.signature = signature    # short shape of a failure, for grouping


def _signature(d, names):
	"""A short description of what kind of difference d is."""
	parts = []
	for what, va, vb in d.header:
		if what.startswith("question ("):
			parts.append("question name/case")
		else:
			parts.append("%s %s/%s" % (what, va, vb))
	for sec in SECTIONS:
		for side, nm in zip("ab", names):
			types = sorted({dns.rdatatype.to_text(r.rdtype) if r.rdtype != T.RRSIG
					else "RRSIG(%s)" % dns.rdatatype.to_text(r.covers)
					for r in d.only[(sec, side)]})
			if types:
				parts.append("%s %s only %s" % (sec, nm, "+".join(types)))
	return "; ".join(parts)


# ---------------------------------------------------------------------------
# Fast path: most answer pairs are equal but not byte-identical (name
# compression, RR order).  canonical() turns a message into a form in which
# such pairs are equal, without dnspython; it is at least as strict as the
# full comparison (anything it cannot canonicalise is kept raw), so equal
# canonical forms mean "identical" and everything else takes the slow path.

# RDATA layouts whose names dnspython canonicalises (lowercase, RFC 4034
# section 6.2): (bytes before the first name, number of names).
_NAMES_IN = {2: (0, 1), 5: (0, 1), 12: (0, 1), 39: (0, 1), 15: (2, 1), 6: (0, 2), 33: (6, 1)}


def _name_at(w, off):
	"""Uncompressed wire form of the name at off, and the offset after it."""
	out = bytearray()
	end = None
	hops = 0
	while True:
		ln = w[off]
		if ln >= 0xC0:
			if end is None:
				end = off + 2
			off = ((ln & 0x3F) << 8) | w[off + 1]
			hops += 1
			if hops > 126:
				raise ValueError("pointer loop")
			continue
		out += w[off:off + ln + 1]
		off += ln + 1
		if ln == 0:
			return bytes(out), (end if end is not None else off)


def canonical(w):
	"""Order- and compression-independent form of message w, or None."""
	try:
		if len(w) < 12:
			return None
		qd, an, ns, ar = struct.unpack_from("!4H", w, 4)
		off = 12
		quest = []
		for _ in range(qd):
			n, off = _name_at(w, off)
			quest.append(n + w[off:off + 4])
			off += 4
		secs = []
		for count in (an, ns, ar):
			rrs = []
			for _ in range(count):
				n, off = _name_at(w, off)
				rtype, rclass, ttl, rdlen = struct.unpack_from("!HHIH", w, off)
				off += 10
				rd = w[off:off + rdlen]
				if rtype in _NAMES_IN:
					pre, k = _NAMES_IN[rtype]
					p = off + pre
					parts = [w[off:p]]
					for _ in range(k):
						nm, p = _name_at(w, p)
						parts.append(nm.lower())
					parts.append(w[p:off + rdlen])
					rd = b"".join(parts)
				elif rtype == 46 and rdlen > 18:     # RRSIG: signer name
					nm, p = _name_at(w, off + 18)
					rd = w[off:off + 18] + nm.lower() + w[p:off + rdlen]
				off += rdlen
				rrs.append((n.lower(), rtype, rclass, ttl, bytes(rd)))
			secs.append(sorted(rrs))
		if off != len(w):
			return None
		return (w[2:4], quest, secs)
	except (IndexError, ValueError, struct.error):
		return None


def compare(q, wire_a, wire_b, ctx, names=("a", "b"), query_flags=None):
	"""Compare two responses to question q (a dns.rrset-like with .name,
	.rdtype); query_flags are the header flags of the query sent (None:
	unknown, then allowances that depend on them do not apply).  Returns a
	Verdict."""
	if wire_a is not None and wire_b is not None:
		if wire_a == wire_b:
			return Verdict("identical", (), [])
		ca = canonical(wire_a)
		if ca is not None and ca == canonical(wire_b):
			return Verdict("identical", (), [])
	a, b = Resp(wire_a), Resp(wire_b)
	a.query_flags = b.query_flags = query_flags
	if a.error or b.error:
		return Verdict("failure", (), ["  %s: %s" % (n, r.error or "ok") for n, r in zip(names, (a, b))],
			       "; ".join("%s: %s" % (n, (r.error or "ok").split(":")[0]) for n, r in zip(names, (a, b))))
	d = Diff(a, b)
	if d.empty():
		return Verdict("identical", (), [])
	lines = d.lines(names)
	reasons = []
	for name, fn in ALLOWANCES:
		if fn(q, a, b, d, ctx):
			reasons.append(name)
	if d.empty():
		return Verdict("allowed", tuple(reasons), lines)
	return Verdict("failure", tuple(reasons), d.lines(names), _signature(d, names))


def render_pair(wire_a, wire_b, names=("a", "b")):
	out = []
	for nm, w in zip(names, (wire_a, wire_b)):
		out.append("  --- %s:" % nm)
		out.append(Resp(w).render())
	return "\n".join(out)

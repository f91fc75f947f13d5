"""zonegen -- deterministic test zones for the raiz differential test.

Builds, from a seeded RNG, two zones and signs them with ldns-keygen /
ldns-signzone:

  root_zone()    "."        NSEC, ~1,100 delegations (most with DS and glue:
                            in-domain glue, sibling glue, out-of-bailiwick NS
                            without glue, no-DS delegations, names of varied
                            case and length), the root NS set with glue under
                            "net." (a..m.root-servers.net style), "arpa." and
                            "example." delegations, ZONEMD.
  example_zone() "example." NSEC3 with opt-out, salt and iterations; wildcard,
                            CNAME chains, DNAME, empty non-terminals,
                            delegations with and without DS / glue, MX, SRV,
                            TXT, AAAA and friends.

Every generator returns a ZoneModel: the zone text plus the facts the query
generator of t_differential.py needs (which names exist, which are cuts,
which are empty non-terminals, ...).  The zone *content* is a pure function
of the seed; the keys (and hence signatures) are new on every run, which
does not matter because both servers under test load the same signed file.

Only documentation address space is used (RFC 5737, RFC 3849).
"""

import datetime
import os
import random
import subprocess

SOA_SERIAL = 2026112100
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
ALPHA = "abcdefghijklmnopqrstuvwxyz"
V4_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")


class ZoneModel:
	"""A generated zone: text, and what the query generator needs to know."""

	def __init__(self, origin):
		self.origin = origin          # "." or "example."
		self.lines = []               # unsigned zone text, one RR a line
		self.nsec3 = False
		self.data = {}                # owner (lowercase) -> set of types (authoritative data)
		self.cuts = {}                # delegation owner -> {"ns": [...], "ds": bool}
		self.glue = {}                # glue owner -> set of types
		self.ents = set()             # empty non-terminals
		self.wildcards = set()        # wildcard owners ("*.wild.example.")
		self.cnames = {}              # owner -> target
		self.dnames = {}              # owner -> target
		self.odd = []                 # owners with escaped bytes (not in data)
		self.unsigned = None          # path of the unsigned zone file
		self.signed = None            # path of the signed zone file
		self.ksk_ds = []              # DS RRs (text) for the parent

	def rr(self, owner, ttl, rtype, rdata, kind="data"):
		self.lines.append("%s\t%d\tIN\t%s\t%s" % (owner, ttl, rtype, rdata))
		low = owner.lower()
		if kind == "data":
			self.data.setdefault(low, set()).add(rtype)
		elif kind == "glue":
			self.glue.setdefault(low, set()).add(rtype)
		# kind == "cut": recorded by the caller in self.cuts

	def text(self):
		return "\n".join(self.lines) + "\n"

	def finish(self):
		"""Compute the empty non-terminals from the owner names."""
		origin = self.origin.lower()
		owners = set(self.data) | set(self.cuts) | set(self.glue)
		for o in list(owners):
			labels = o.rstrip(".").split(".") if o != "." else []
			olab = origin.rstrip(".").split(".") if origin != "." else []
			for i in range(1, len(labels) - len(olab)):
				parent = ".".join(labels[i:]) + "."
				if parent not in owners:
					self.ents.add(parent)
		# glue-only ancestors below a cut are not ENTs of this zone
		self.ents = {e for e in self.ents if not self.below_cut(e)}

	def below_cut(self, name):
		"""True if name is strictly below one of this zone's delegations."""
		n = name.lower()
		for cut in self.cuts:
			if n != cut and n.endswith("." + cut):
				return True
		return False


def _v4(rng):
	return rng.choice(V4_NETS) + str(rng.randint(1, 254))


def _v6(rng):
	return "2001:db8:%x:%x::%x" % (rng.randint(1, 0xffff), rng.randint(0, 0xffff),
				      rng.randint(1, 0xffff))


def _hex(rng, n):
	return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _label(rng, kind):
	if kind == "cc":
		return rng.choice(ALPHA) + rng.choice(ALPHA)
	if kind == "idn":
		return "xn--" + "".join(rng.choice(ALNUM) for _ in range(rng.randint(4, 18)))
	if kind == "long":
		n = rng.randint(40, 63)
		s = [rng.choice(ALNUM) for _ in range(n)]
		for i in range(3, n - 3, rng.randint(7, 15)):
			s[i] = "-"
		s[0] = rng.choice(ALPHA)
		return "".join(s)
	if kind == "digit":
		return rng.choice(ALPHA) + "".join(rng.choice(ALNUM) for _ in range(rng.randint(2, 8)))
	return "".join(rng.choice(ALPHA) for _ in range(rng.randint(3, 12)))


def _mixcase(rng, label):
	return "".join(c.upper() if rng.random() < 0.5 else c for c in label)


def root_zone(seed, ntld=1100, example_ds=()):
	"""The root-like zone "." (signed with NSEC by sign_zone())."""
	rng = random.Random(seed)
	z = ZoneModel(".")
	z.rr(".", 86400, "SOA", "a.root-servers.net. nstld.verisign-grs.example. %d 1800 900 604800 86400"
	     % SOA_SERIAL)
	letters = "abcdefghijklm"
	for i, l in enumerate(letters):
		z.rr(".", 518400, "NS", "%s.root-servers.net." % l)
	# net.: in-domain glue for its own servers, and the root servers' addresses
	# as glue below it (sibling glue for "." and "arpa.")
	net_ns = ["%s.gtld-servers.net." % l for l in "abcd"]
	z.cuts["net."] = {"ns": net_ns, "ds": True}
	for t in net_ns:
		z.rr("net.", 172800, "NS", t, "cut")
	z.rr("net.", 86400, "DS", "35886 8 2 %s" % _hex(rng, 64), "cut")
	for i, t in enumerate(net_ns):
		z.rr(t, 172800, "A", "192.0.2.%d" % (200 + i), "glue")
		z.rr(t, 172800, "AAAA", "2001:db8:a::%x" % (i + 1), "glue")
	for i, l in enumerate(letters):
		z.rr("%s.root-servers.net." % l, 518400, "A", "198.51.100.%d" % (i + 1), "glue")
		z.rr("%s.root-servers.net." % l, 518400, "AAAA", "2001:db8:53::%x" % (i + 1), "glue")
	# arpa.: served by some root servers (sibling glue only)
	z.cuts["arpa."] = {"ns": ["%s.root-servers.net." % l for l in "acek"], "ds": True}
	for l in "acek":
		z.rr("arpa.", 172800, "NS", "%s.root-servers.net." % l, "cut")
	z.rr("arpa.", 86400, "DS", "42581 8 2 %s" % _hex(rng, 64), "cut")
	# example.: the second zone of the test (also served, DS from its KSK)
	z.cuts["example."] = {"ns": ["ns1.example.", "ns2.example."], "ds": bool(example_ds)}
	z.rr("example.", 172800, "NS", "ns1.example.", "cut")
	z.rr("example.", 172800, "NS", "ns2.example.", "cut")
	for ds in example_ds:
		z.rr("example.", 86400, "DS", ds, "cut")
	z.rr("ns1.example.", 172800, "A", "192.0.2.1", "glue")
	z.rr("ns1.example.", 172800, "AAAA", "2001:db8::53", "glue")
	z.rr("ns2.example.", 172800, "A", "198.51.100.53", "glue")

	# a TLD whose in-domain glue needs TC without EDNS (RFC 9471)
	big_ns = ["ns%d.bigdeleg." % i for i in range(1, 11)]
	z.cuts["bigdeleg."] = {"ns": big_ns, "ds": True, "kind": "inbail", "shown": "bigdeleg."}
	for t in big_ns:
		z.rr("bigdeleg.", 172800, "NS", t, "cut")
	z.rr("bigdeleg.", 86400, "DS", "1234 13 2 %s" % _hex(rng, 64), "cut")
	for i, t in enumerate(big_ns):
		z.rr(t, 172800, "A", "203.0.113.%d" % (200 + i), "glue")
		z.rr(t, 172800, "AAAA", "2001:db8:b16::%x" % (i + 1), "glue")
	# the TLDs
	names = {"net", "arpa", "example", "root-servers", "bigdeleg"}
	tlds = []
	kinds = ["cc"] * 35 + ["word"] * 40 + ["idn"] * 8 + ["long"] * 4 + ["digit"] * 13
	while len(tlds) < ntld:
		lab = _label(rng, rng.choice(kinds))
		if lab in names:
			continue
		names.add(lab)
		tlds.append(lab)
	inbail = []      # TLDs that have in-domain glue (targets for sibling glue)
	for i, lab in enumerate(tlds):
		shown = _mixcase(rng, lab) if rng.random() < 0.06 else lab
		owner = shown + "."
		name = lab + "."
		r = rng.random()
		ns, glue = [], []
		if r < 0.60 or not inbail:
			kind = "inbail"
			for k in range(rng.choice((2, 2, 3, 4))):
				t = "%s%d.%s" % (rng.choice(("ns", "a", "dns")), k + 1, name)
				ns.append(t)
				glue.append(t)
		elif r < 0.75:
			kind = "sibling"
			other = rng.choice(inbail)
			ns = list(z.cuts[other]["ns"][:2])
		elif r < 0.85:
			kind = "mixed"
			t = "ns1." + name
			ns = [t, rng.choice(z.cuts[rng.choice(inbail)]["ns"])]
			glue = [t]
		elif r < 0.997:
			kind = "external"
			k = rng.randint(1, 40)
			ns = ["ns%d.dns-host%d.net." % (j, k) for j in (1, 2)]
		else:
			kind = "self"
			ns = [name]
			glue = [name]
		has_ds = rng.random() < 0.85
		z.cuts[name] = {"ns": ns, "ds": has_ds, "kind": kind, "shown": owner}
		for t in ns:
			z.rr(owner, 172800, "NS", t, "cut")
		if has_ds:
			for _ in range(rng.choice((1, 1, 1, 2))):
				alg = rng.choice((8, 13, 13, 15))
				z.rr(owner, 86400, "DS", "%d %d 2 %s" % (rng.randint(1, 65535), alg, _hex(rng, 64)), "cut")
		for t in glue:
			z.rr(t, 172800, "A", _v4(rng), "glue")
			if rng.random() < 0.7:
				z.rr(t, 172800, "AAAA", _v6(rng), "glue")
		if kind == "inbail":
			inbail.append(name)
	# glue for half of the dns-hostN.net. servers (sibling glue under net.)
	for k in range(1, 41, 2):
		for j in (1, 2):
			z.rr("ns%d.dns-host%d.net." % (j, k), 172800, "A", _v4(rng), "glue")
	z.tlds = tlds
	z.finish()
	return z


def example_zone(seed, ndeleg=300, nhost=400):
	"""The ccTLD-like zone "example." (signed with NSEC3 opt-out)."""
	rng = random.Random(seed + 1)
	z = ZoneModel("example.")
	z.nsec3 = True
	o = "example."
	z.rr(o, 3600, "SOA", "ns1.example. hostmaster.example. %d 7200 3600 1209600 900" % SOA_SERIAL)
	for t in ("ns1.example.", "ns2.example.", "ns.example.net."):
		z.rr(o, 86400, "NS", t)
	z.rr(o, 3600, "MX", "10 mail.example.")
	z.rr(o, 3600, "MX", "20 mail.example.net.")
	z.rr(o, 3600, "TXT", '"v=spf1 mx -all"')
	z.rr(o, 3600, "A", "192.0.2.1")
	z.rr(o, 3600, "AAAA", "2001:db8::1")
	z.rr(o, 3600, "CAA", '0 issue "ca.example.net"')
	z.rr("ns1.example.", 86400, "A", "192.0.2.1")
	z.rr("ns1.example.", 86400, "AAAA", "2001:db8::53")
	z.rr("ns2.example.", 86400, "A", "198.51.100.53")
	z.rr("www.example.", 3600, "A", "192.0.2.10")
	z.rr("www.example.", 3600, "A", "192.0.2.11")
	z.rr("www.example.", 3600, "AAAA", "2001:db8::10")
	z.rr("mail.example.", 3600, "A", "192.0.2.25")
	z.rr("mail.example.", 3600, "AAAA", "2001:db8::25")
	z.rr("txt.example.", 300, "TXT", '"one" "two" "three"')
	z.rr("txt.example.", 300, "TXT", '"' + "x" * 200 + '" "' + "y" * 200 + '"')
	z.rr("_sip._udp.example.", 3600, "SRV", "10 60 5060 sip.example.")
	z.rr("_sip._udp.example.", 3600, "SRV", "20 40 5060 sip.example.net.")
	z.rr("sip.example.", 3600, "A", "192.0.2.60")
	z.rr("_443._tcp.www.example.", 3600, "TLSA", "3 1 1 " + _hex(rng, 64))
	z.rr("www.example.", 3600, "SSHFP", "4 2 " + _hex(rng, 64))
	z.rr("hinfo.example.", 3600, "HINFO", '"PDP-11" "UNIX"')
	z.rr("MiXeD.CaSe.example.", 3600, "A", "203.0.113.77")
	z.rr("x" * 63 + "." + "y" * 63 + ".example.", 3600, "A", "203.0.113.63")
	# wildcard with an explicit sibling and a deeper explicit name
	z.rr("*.wild.example.", 3600, "A", "192.0.2.50")
	z.rr("*.wild.example.", 3600, "TXT", '"wildcard"')
	z.rr("*.wild.example.", 3600, "MX", "10 mail.example.")
	z.wildcards.add("*.wild.example.")
	z.rr("exists.wild.example.", 3600, "A", "192.0.2.51")
	z.rr("deep.sub.wild.example.", 3600, "AAAA", "2001:db8::51")
	z.rr("*.cname-wild.example.", 3600, "CNAME", "www.example.")
	z.wildcards.add("*.cname-wild.example.")
	z.cnames["*.cname-wild.example."] = "www.example."
	# CNAME chains
	chains = [("alias1.example.", "alias2.example."), ("alias2.example.", "alias3.example."),
		  ("alias3.example.", "www.example."), ("cname-out.example.", "www.example.net."),
		  ("cname-nx.example.", "nothere.example."), ("cname-wild.example.", "foo.wild.example."),
		  ("cname-deleg.example.", "host.sec1.example."), ("cname-ent.example.", "c.ent.example."),
		  ("cname-dname.example.", "www.dname.example.")]
	for a, b in chains:
		z.rr(a, 3600, "CNAME", b)
		z.cnames[a] = b
	# DNAME
	z.rr("dname.example.", 3600, "DNAME", "target.example.")
	z.dnames["dname.example."] = "target.example."
	z.rr("www.target.example.", 3600, "A", "192.0.2.90")
	z.rr("dname-out.example.", 3600, "DNAME", "example.net.")
	z.dnames["dname-out.example."] = "example.net."
	# RRsets that do not fit 512 (medium) or even 4096 bytes (big): TC, TCP
	for i in range(3):
		z.rr("medium.example.", 3600, "TXT", '"%d%s"' % (i, "m" * 199))
	for i in range(30):
		z.rr("big.example.", 3600, "TXT", '"%02d%s"' % (i, "b" * 198))
	# a referral whose in-domain glue cannot fit 512 bytes (RFC 9471: TC)
	z.cuts["many-ns.example."] = {"ns": ["ns%02d.many-ns.example." % i for i in range(1, 14)], "ds": True}
	for t in z.cuts["many-ns.example."]["ns"]:
		z.rr("many-ns.example.", 86400, "NS", t, "cut")
	z.rr("many-ns.example.", 3600, "DS", "4711 13 2 " + _hex(rng, 64), "cut")
	for i, t in enumerate(z.cuts["many-ns.example."]["ns"]):
		z.rr(t, 86400, "A", "203.0.113.%d" % (100 + i), "glue")
		z.rr(t, 86400, "AAAA", "2001:db8:13::%x" % (i + 1), "glue")
	# odd labels: a non-ASCII byte (DNS case folding is ASCII only, RFC 4343
	# section 3), an escaped dot inside a label; kind "odd" keeps them out
	# of the model (finish() splits names on dots)
	z.rr("\\200bin.example.", 3600, "TXT", '"octet 200"', "odd")
	z.rr("a\\.b.example.", 3600, "A", "192.0.2.99", "odd")
	z.odd = ["\\200bin.example.", "a\\.b.example."]
	# empty non-terminals
	z.rr("a.b.c.ent.example.", 3600, "A", "192.0.2.70")
	z.rr("x.y.ent2.example.", 3600, "TXT", '"ent2"')
	# delegations: secure (DS) and insecure (opt-out spans), glue or not
	for i in range(ndeleg):
		secure = rng.random() < 0.4 or i < 3
		lab = ("sec%d" if secure else "ins%d") % i
		if rng.random() < 0.05:
			lab = _label(rng, rng.choice(("long", "idn")))
		name = lab + "." + o
		r = rng.random()
		if r < 0.5 or i < 3:
			ns = ["ns1." + name, "ns2." + name]
			glue = list(ns)
		elif r < 0.8:
			ns = ["ns%d.dns-host.example.net." % rng.randint(1, 9), "ns.example.net."]
			glue = []
		else:
			ns = ["ns1." + name, "ns1.sec1.example."]
			glue = ["ns1." + name]
		if name in z.cuts:
			continue
		z.cuts[name] = {"ns": ns, "ds": secure}
		for t in ns:
			z.rr(name, 86400, "NS", t, "cut")
		if secure:
			z.rr(name, 3600, "DS", "%d 13 2 %s" % (rng.randint(1, 65535), _hex(rng, 64)), "cut")
		for t in glue:
			z.rr(t, 86400, "A", _v4(rng), "glue")
			if rng.random() < 0.5:
				z.rr(t, 86400, "AAAA", _v6(rng), "glue")
	# a delegation below an empty non-terminal
	z.cuts["deleg.ent3.example."] = {"ns": ["ns.example.net."], "ds": False}
	z.rr("deleg.ent3.example.", 86400, "NS", "ns.example.net.", "cut")
	# hosts
	for i in range(nhost):
		h = "h%d.example." % i
		if rng.random() < 0.9:
			z.rr(h, rng.choice((300, 3600, 86400)), "A", _v4(rng))
		if rng.random() < 0.4:
			z.rr(h, 3600, "AAAA", _v6(rng))
		if rng.random() < 0.2:
			z.rr(h, 3600, "TXT", '"host %d"' % i)
		if rng.random() < 0.1:
			z.rr(h, 3600, "MX", "10 mail.example.")
		if h not in z.data:
			z.rr(h, 3600, "TXT", '"only txt"')
	z.finish()
	return z


def delegations_zone(path, n, seed, origin="example.", serial=SOA_SERIAL):
	"""A large ccTLD-like unsigned zone of n delegations written to path
	(bench/zload's and t_differential.py --large's): two NS each, nine in
	ten out of the zone, one in ten in-zone with glue A for both NS and
	AAAA for one; DS on every third.  Returns the number of records.
	Written in one pass, so a million delegations take seconds and little
	memory (only the labels used are kept)."""
	rng = random.Random(seed)
	o = origin
	count = 0
	used = set()
	with open(path, "w") as f:
		f.write("$ORIGIN %s\n$TTL 86400\n" % o)
		f.write("@ 3600 IN SOA ns1 hostmaster %d 7200 3600 1209600 3600\n" % serial)
		f.write("@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n")
		count += 5
		out = []
		for i in range(n):
			while True:
				lab = rng.choice(ALPHA) + "".join(rng.choice(ALNUM) for _ in range(rng.randint(2, 13)))
				if i % 7 == 0:
					lab += "-" + rng.choice(ALPHA) * rng.randint(1, 3)
				if lab not in used:
					used.add(lab)
					break
			if i % 10 == 0:
				out.append("%s IN NS ns1.%s\n%s IN NS ns2.%s\n" % (lab, lab, lab, lab))
				out.append("ns1.%s IN A 198.51.100.%d\nns1.%s IN AAAA 2001:db8:%x::1\n"
					   "ns2.%s IN A 203.0.113.%d\n" % (lab, rng.randint(1, 254), lab, i & 0xffff,
									   lab, rng.randint(1, 254)))
				count += 5
			else:
				h = rng.randrange(20000)
				out.append("%s IN NS ns1.host%d.example.net.\n%s IN NS ns2.host%d.example.net.\n"
					   % (lab, h, lab, h))
				count += 2
			if i % 3 == 0:
				out.append("%s IN DS %d 13 2 %064x\n" % (lab, rng.randint(1, 65535), rng.getrandbits(256)))
				count += 1
			if len(out) > 10000:
				f.write("".join(out))
				out = []
		f.write("".join(out))
	return count


def sign_dates(now=None):
	"""Inception yesterday, expiration in 30 days (UTC, YYYYMMDDhhmmss)."""
	now = now or datetime.datetime.now(datetime.timezone.utc)
	day = now.replace(hour=0, minute=0, second=0, microsecond=0)
	inc = day - datetime.timedelta(days=1)
	exp = day + datetime.timedelta(days=30)
	return inc.strftime("%Y%m%d%H%M%S"), exp.strftime("%Y%m%d%H%M%S")


def _run(cmd, cwd):
	p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
			   universal_newlines=True)
	if p.returncode != 0:
		raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
	return p.stdout


def make_keys(origin, workdir):
	"""ED25519 KSK + ZSK for origin; returns (ksk_base, zsk_base)."""
	ksk = _run(["ldns-keygen", "-a", "ED25519", "-k", origin], workdir).strip()
	zsk = _run(["ldns-keygen", "-a", "ED25519", origin], workdir).strip()
	return ksk, zsk


def key_rr(workdir, base, ttl):
	"""The DNSKEY RR of key `base`, with an explicit TTL, as zone text."""
	with open(os.path.join(workdir, base + ".key")) as f:
		line = f.read().split(";")[0].split()
	# owner IN DNSKEY flags proto alg key...
	return "%s\t%d\tIN\t%s" % (line[0], ttl, " ".join(line[2:]))


def ds_rrs(workdir, base):
	with open(os.path.join(workdir, base + ".ds")) as f:
		out = []
		for line in f:
			p = line.split(";")[0].split()
			if len(p) >= 7 and p[2] == "DS":
				out.append(" ".join(p[3:]))
		return out


def sign_zone(z, workdir, keys, dates, nsec3_salt="aabbccdd", nsec3_iter=1, zonemd=False):
	"""Write z's unsigned text plus DNSKEYs and sign it; sets z.unsigned/z.signed."""
	fname = "root" if z.origin == "." else z.origin.rstrip(".")
	z.unsigned = os.path.join(workdir, fname + ".zone")
	z.signed = z.unsigned + ".signed"
	with open(z.unsigned, "w") as f:
		f.write(z.text())
		for k in keys:
			f.write(key_rr(workdir, k, 3600 if z.origin != "." else 172800) + "\n")
	z.data.setdefault(z.origin, set()).add("DNSKEY")
	cmd = ["ldns-signzone", "-i", dates[0], "-e", dates[1], "-o", z.origin, "-f", z.signed]
	if z.nsec3:
		cmd += ["-n", "-p", "-a", "1", "-t", str(nsec3_iter), "-s", nsec3_salt]
		z.data[z.origin].add("NSEC3PARAM")
	if zonemd:
		cmd += ["-z", "simple:sha384"]
		z.data[z.origin].add("ZONEMD")
	cmd += [z.unsigned] + list(keys)
	_run(cmd, workdir)
	return z.signed


def sign_optout(unsigned, signed, origin, workdir, keys, dates):
	"""Sign a delegations_zone() file as bench/zload's zones are: NSEC3
	with opt-out, SHA-1, 0 iterations, no salt (RFC 9276)."""
	_run(["ldns-signzone", "-n", "-p", "-t", "0", "-i", dates[0], "-e", dates[1], "-o", origin,
	      "-f", signed, unsigned] + list(keys), workdir)
	return signed


def build_all(workdir, seed=20261121, ntld=1100):
	"""Generate and sign both zones in workdir; returns (root, example)."""
	dates = sign_dates()
	ex = example_zone(seed)
	eksk, ezsk = make_keys("example.", workdir)
	sign_zone(ex, workdir, (eksk, ezsk), dates)
	root = root_zone(seed, ntld, example_ds=ds_rrs(workdir, eksk))
	rksk, rzsk = make_keys(".", workdir)
	sign_zone(root, workdir, (rksk, rzsk), dates, zonemd=True)
	return root, ex

#!/usr/bin/python3
"""t_dnsd_rfc8906 -- raiz-dnsd answers the RFC 8906 section 8 probes.

Starts raiz-dnsd on 127.0.0.1 and ::1 (a port in 15300-15399) with one small
unsigned zone and sends the queries RFC 8906 section 8 lists for checking
an authoritative server, the way a resolver (or dig) sends them, over UDP
and TCP on both address families:

  plain DNS (no EDNS), EDNS 0, EDNS 1 (BADVERS with OPT version 0),
  unknown EDNS option (not echoed), unknown EDNS flag (not echoed),
  EDNS 1 with unknown option/flag, DO (copied, RFC 3225), a large answer
  with a 512-byte buffer and DO (TC over UDP, complete over TCP), TCP,
  unknown opcode (NOTIMP), unknown type (NODATA), and the header bits:
  RD copied, AA set, RA never, CD copied, AD clear (unsigned data),
  Z clear, QR set, ID and question echoed.

Exit 0 pass, 1 fail, 77 when dnspython is missing.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

try:
	import dns.edns
	import dns.flags
	import dns.message
	import dns.opcode
	import dns.rcode
	import dns.rdatatype
except ImportError:
	print("python3-dnspython missing")
	sys.exit(77)

from dnsd import Checks, Dnsd, install_signal_handlers, zone_text  # noqa: E402

ZONE = "example."
T = dns.rdatatype


def q(qname=ZONE, qtype="SOA", edns=-1, flags=0, payload=1232, options=None, do=False,
      rd=False):
	m = dns.message.make_query(qname, qtype)
	m.flags = (dns.flags.RD if rd else 0) | flags
	if edns >= 0:
		m.use_edns(edns, ednsflags=0, payload=payload, options=options or [])
	if do:
		m.want_dnssec(True)
	return m


def has_soa(r):
	return any(rr.rdtype == T.SOA for rr in r.answer)


def opt_flags(r):
	return r.ednsflags & 0xFFFF


def rc(r):
	return dns.rcode.to_text(r.rcode())


OPT100 = dns.edns.GenericOption(100, b"")


def with_ednsflag(m, bit):
	m.ednsflags |= bit
	return m


NOERROR_SOA = ("NOERROR with the SOA", lambda r: r.rcode() == dns.rcode.NOERROR and has_soa(r))
BADVERS_V0 = ("BADVERS with OPT version 0, no answer",
	      lambda r: r.rcode() == dns.rcode.BADVERS and r.edns == 0 and not has_soa(r))
NO_OPT100 = ("option 100 not echoed", lambda r: all(o.otype != 100 for o in r.options))
NO_FLAG80 = ("EDNS flag 0x80 not echoed", lambda r: r.edns == 0 and not (opt_flags(r) & 0x80))
AA = ("AA set", lambda r: r.flags & dns.flags.AA)
NO_RA = ("RA clear", lambda r: not (r.flags & dns.flags.RA))

# (name, query builder, [(what, predicate on the reply)]) -- RFC 8906 section 8
PROBES = [
	("plain", lambda: q(), [
		NOERROR_SOA, AA, NO_RA,
		("no OPT in the reply", lambda r: r.edns < 0),
	]),
	("edns0", lambda: q(edns=0), [
		NOERROR_SOA, AA,
		("OPT version 0", lambda r: r.edns == 0),
		("no options unasked", lambda r: not r.options),
	]),
	("edns1", lambda: q(edns=1), [BADVERS_V0]),
	("ednsopt=100", lambda: q(edns=0, options=[OPT100]), [
		NOERROR_SOA, ("OPT version 0", lambda r: r.edns == 0), NO_OPT100,
	]),
	("ednsflags=0x80", lambda: with_ednsflag(q(edns=0), 0x80), [NOERROR_SOA, NO_FLAG80]),
	("edns1+ednsopt=100", lambda: q(edns=1, options=[OPT100]), [BADVERS_V0, NO_OPT100]),
	("edns1+ednsflags=0x80", lambda: with_ednsflag(q(edns=1), 0x80), [BADVERS_V0, NO_FLAG80]),
	("dnssec", lambda: q(edns=0, do=True), [
		NOERROR_SOA, ("DO copied (RFC 3225)", lambda r: r.edns == 0 and r.ednsflags & dns.flags.DO),
	]),
	("type1000", lambda: q(qtype="TYPE1000", edns=0), [
		("NOERROR/NODATA", lambda r: r.rcode() == dns.rcode.NOERROR and not r.answer),
		("SOA in authority", lambda r: any(rr.rdtype == T.SOA for rr in r.authority)), AA,
	]),
	("rd", lambda: q(rd=True), [
		NOERROR_SOA, NO_RA, ("RD copied", lambda r: r.flags & dns.flags.RD),
	]),
	("cd", lambda: q(flags=dns.flags.CD), [
		NOERROR_SOA, ("CD copied", lambda r: r.flags & dns.flags.CD),
	]),
	("ad", lambda: q(flags=dns.flags.AD), [
		NOERROR_SOA, ("AD clear for unsigned data", lambda r: not (r.flags & dns.flags.AD)),
	]),
	("zflag", lambda: q(flags=0x0040), [
		NOERROR_SOA, NO_RA, ("Z clear in the reply", lambda r: not (r.flags & 0x0040)),
	]),
]


def run_probe(ck, d, tag, m, checks, host, tcp):
	try:
		r = d.exchange(m, host=host, tcp=tcp)
	except Exception as e:          # no reply, or one that does not parse
		ck(False, "%s: reply" % tag, "%s: %s" % (type(e).__name__, e))
		return
	ck(r.flags & dns.flags.QR and r.id == m.id, "%s: QR and id echoed" % tag)
	# BADVERS may come without the question (RFC 6891 does not ask for it)
	ck(r.question == m.question or (r.rcode() == dns.rcode.BADVERS and not r.question),
	   "%s: question echoed" % tag, r.question)
	for what, pred in checks:
		ck(pred(r), "%s: %s" % (tag, what), "rcode %s flags %s edns %d ednsflags %#x options %s"
		   % (rc(r), dns.flags.to_text(r.flags), r.edns, r.ednsflags, r.options))


def opcode_probe(ck, d, host):
	"""unknown opcode 15 -> NOTIMP (raw: dnspython will not build it)"""
	wire = bytearray(q().to_wire())
	wire[2] = (wire[2] & 0x87) | (15 << 3)
	resp = d.raw_udp(bytes(wire), host=host)
	if not ck(resp is not None and len(resp) >= 12, "%s opcode15: answered" % host):
		return
	ck(resp[3] & 0x0F == dns.rcode.NOTIMP, "%s opcode15: NOTIMP" % host, resp[3] & 0xF)
	ck((resp[2] >> 3) & 0xF == 15, "%s opcode15: opcode copied" % host)
	ck(resp[2] & 0x80 and resp[:2] == wire[:2], "%s opcode15: QR, id echoed" % host)
	ck(struct.unpack("!H", resp[6:8])[0] == 0, "%s opcode15: no answer" % host)


def truncation_probe(ck, d, host):
	"""8.2.8: 512-byte buffer with DO and a ~4 kB RRset: TC over UDP, whole over TCP"""
	big = "big." + ZONE
	try:
		r = d.send(q(big, "TXT", edns=0, payload=512, do=True), host=host)
		ck(r.flags & dns.flags.TC, "%s big/udp512: TC" % host)
		ck(r.edns == 0, "%s big/udp512: OPT present" % host)
		r = d.send(q(big, "TXT", edns=0, payload=512, do=True), host=host, tcp=True)
		ck(not (r.flags & dns.flags.TC), "%s big/tcp: no TC" % host)
		n = sum(len(rr) for rr in r.answer if rr.rdtype == T.TXT)
		ck(n == 40, "%s big/tcp: all 40 TXT records" % host, n)
		r = d.send(q(big, "TXT", edns=0, payload=4096), host=host)
		ck(r.flags & dns.flags.TC, "%s big/udp4096: TC (server limit 1232)" % host)
	except Exception as e:
		ck(False, "%s big: reply" % host, "%s: %s" % (type(e).__name__, e))
	# without EDNS a UDP reply stays within 512 bytes
	resp = d.raw_udp(q(big, "TXT").to_wire(), host=host)
	ck(resp is not None and len(resp) <= 512 and resp[2] & 0x02,
	   "%s big/noedns: <= 512 bytes with TC" % host, len(resp or b""))


def main():
	install_signal_handlers()
	ck = Checks("t_dnsd_rfc8906")
	with Dnsd({ZONE: zone_text(ZONE)}, dnsd={"nsid": "", "edns-buffer-size": 1232}) as d:
		d.start()
		for host in ("127.0.0.1", "::1"):
			for tcp in (False, True):
				tag = "%s/%s" % (host, "tcp" if tcp else "udp")
				for name, build, checks in PROBES:
					run_probe(ck, d, "%s %s" % (tag, name), build(), checks, host, tcp)
			opcode_probe(ck, d, host)
			truncation_probe(ck, d, host)
		ck(d.alive(), "server still running")
		rc = d.stop()
		ck(rc == 0, "clean exit (status 0, no leaks)", rc)
	return ck.done()


if __name__ == "__main__":
	sys.exit(main())

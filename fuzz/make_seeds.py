#!/usr/bin/python3
"""make_seeds -- write the seed corpus of the harnesses whose inputs are
not captured from other software: fuzz_config, fuzz_ctlsock,
fuzz_birdreply and fuzz_judge (fuzz/make_corpus.py captures the DNS ones
from Knot and kdig).  The inputs are written as the real programs would
send them: raiz.json files (tests/demo/raiz.json and the configurations
of the harnesses), raizctl's requests, BIRD 2.0.12's replies as
raiz-controller's tests and BIRD print them, and DNS replies built with
dnspython in the format each harness's comment describes.

    fuzz/make_seeds.py [OUTDIR]     (default fuzz/corpus)

Files it does not write (regress-*: inputs that once crashed or leaked)
are left alone.  Needs dnspython (/usr/bin/python3).
"""

import os
import struct
import sys

import dns.edns
import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype
import dns.rrset

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")


def put(target, name, data):
	d = os.path.join(OUT, target)
	os.makedirs(d, exist_ok=True)
	if isinstance(data, str):
		data = data.encode()
	with open(os.path.join(d, name), "wb") as f:
		f.write(data)


def frame(*parts):
	"""Parts framed as fuzz_util.h's fuzz_next() reads them."""
	out = b""
	for p in parts:
		if isinstance(p, str):
			p = p.encode()
		out += struct.pack("!H", len(p)) + p
	return out


# ---- fuzz_config: raiz.json files ----

def config_seeds():
	put("fuzz_config", "demo", open(os.path.join(HERE, "..", "tests", "demo", "raiz.json")).read())
	put("fuzz_config", "minimal", '{ "node": { "identity": "n1" }, "dnsd": { "listen": ["127.0.0.1@5353"] } }\n')
	put("fuzz_config", "secondary", """{
"node": { "identity": "fuzz1", "log-level": "debug", "run-dir": "run", "state-dir": "state" },
"dnsd": { "listen": ["127.0.0.1@5353", "::1@5353"], "version": "raiz-fuzz", "nsid": "n",
  "workers": 2, "edns-buffer-size": 1232, "tcp-max-connections": 100, "tcp-idle-timeout": "10s",
  "tcp-max-queries": 100 },
"tsig-keys": [ { "name": "xfr-key", "secret": "ZnV6ei14ZnIta2V5LXNlY3JldC0wMTIzNDU2Nzg5YWI=" },
  { "name": "q", "algorithm": "hmac-sha512", "secret": "cXVlcnk=" } ],
"zones": [
  { "name": "example", "primaries": ["127.0.0.1@5300"], "tsig-key": "xfr-key",
    "allow-notify": ["127.0.0.9", "::1"], "allow-transfer": ["127.0.0.1", "::1"],
    "refresh-min": "1m", "refresh-max": "1d", "retry-min": 10, "expire-min": "1h",
    "zonemd": "verify" },
  { "name": "file.test", "file": "file.test.zone", "allow-transfer": ["192.0.2.99"] }
] }
""")
	put("fuzz_config", "controller", """// comments too
{ "node": { "identity": "demo1" }, /* a block comment */
  "dnsd": { "listen": ["192.0.2.53"] },
  "controller": { "on-stop": "keep", "drain-time": "250ms", "stop-timeout": 5,
    "watchdog": true, "history": 100 },
  "bird": { "socket": "/run/bird/bird.ctl", "as": 65001, "router-id": "203.0.113.2",
    "prepend": 3, "med": 10, "neighbors": [ { "name": "isp_v4", "address": "203.0.113.1",
    "as": 65000, "local-address": "203.0.113.2", "multihop": 2, "password": "pw",
    "bfd": true, "export-limit": 10 } ] },
  "prefixes": [ { "prefix": "192.0.2.0/24", "static-protocol": "raiz_v4",
    "bgp": ["isp_v4"], "services": ["dns"] } ],
  "probes": [ { "name": "soa4", "target": "192.0.2.53", "qname": "example.", "qtype": "SOA",
    "dnssec-ok": true, "expect-rrsig": true, "expect-answer": true, "soa-max-age": "2d",
    "primary": "192.0.2.1", "max-serial-lag": 3, "rrsig-margin": "1d",
    "max-latency": "100ms", "timeout": 0.5, "edns-buffer-size": 1232 },
    { "name": "tcp", "transport": "tcp", "target": "192.0.2.53", "source": "192.0.2.54",
      "qname": "www.example.", "qtype": "A", "qclass": "IN", "expect-rcode": "NOERROR",
      "expect-aa": true, "expect-rdata": ["192.0.2.80"], "expect-nsid": true } ],
  "services": [ { "name": "dns", "probes": ["soa4", "tcp"], "interval": "1s",
    "fast-interval": "250ms", "rise": 2, "fall": 2, "hold-down": "10s", "degraded": 1,
    "damping": { "penalty": 1000, "suppress": 2000, "reuse": 750, "half-life": "15m",
    "max-suppress": "1h" } } ]
}
""")
	# the crashes issue 11 found: a null where a string is expected
	put("fuzz_config", "null-run-dir", '{"node":{"identity":"x","run-dir":null},"dnsd":{"listen":["127.0.0.1"]}}\n')
	put("fuzz_config", "null-control-socket", '{"node":{"identity":"x"},"dnsd":{"listen":["127.0.0.1"]},"controller":{"control-socket":null}}\n')
	put("fuzz_config", "bad-line", '{\n"node": {\n"identity": 5\n}\n}\n')


# ---- fuzz_ctlsock: flags (server, write size, ...), then what raizctl writes ----

def ctlsock_seeds():
	dnsd = "status\nstats\n{\"command\": \"status\"}\nreload\nzones\nrefresh example.\n" \
	       "retransfer example.\ntransfer-trial example. 127.0.0.1@5300\n" \
	       "{\"command\": \"transfer-trial\", \"zone\": \"example.\", \"primary\": \"127.0.0.1\"}\n" \
	       "\r\n  \nbogus\n"
	put("fuzz_ctlsock", "dnsd-all", bytes([0x1c]) + dnsd.encode())
	put("fuzz_ctlsock", "dnsd-bytewise", bytes([0x00]) + b"status\r\nstats\n")
	put("fuzz_ctlsock", "dnsd-long-line", bytes([0x3c]) + b"\nstatus\n")
	ctl = '{"command":"status"}\n{"command":"why","max":3}\n{"command":"history"}\n' \
	      '{"command":"drain","reason":"maintenance"}\n{"command":"undrain"}\n' \
	      '{"command":"probe"}\n{"command":"version"}\n{"command":"reload"}\n' \
	      '{"command":5}\nstatus\n'
	put("fuzz_ctlsock", "controller-all", bytes([0x1d]) + ctl.encode())
	put("fuzz_ctlsock", "controller-rude", bytes([0x5d]) + b'{"command":"status"}\n' * 3)
	put("fuzz_ctlsock", "defer", bytes([0x1e]) + b'{"a": 1}\n{"ok": false}\nnot json\n{"b": [1, 2]}\n')
	put("fuzz_ctlsock", "defer-inside", bytes([0x0a]) + b'!now\n{"a": 1}\n!again\n')
	put("fuzz_ctlsock", "dnsd-pipelined-lazy", bytes([0x9c]) + b"status\n" * 120)
	put("fuzz_ctlsock", "controller-pipelined-lazy", bytes([0x9d]) + b'{"command":"status"}\n' * 190)


# ---- fuzz_birdreply: state file, greeting, one reply per command ----

STATUS = ("1000-BIRD 2.0.12\n1011-Router ID is 192.0.2.1\n Hostname is fake\n"
	  " Current server time is 2026-12-07 06:00:00.123\n"
	  " Last reboot on 2026-12-07 05:00:00.001\n"
	  " Last reconfiguration on 2026-12-07 05:30:00.500\n0013 Daemon is up and running\n")
CONFIGURE = "0002-Reading configuration from /etc/bird/bird.conf\n0003 Reconfigured\n"
QUEUED = ("0002-Reading configuration from /etc/bird/bird.conf\n"
	  "0005 Reconfiguration already in progress, queueing new config\n")


def protocols(v4, v6, bgp="up"):
	return ("2002-Name       Proto      Table      State  Since         Info\n"
		"1002-raiz_v4    Static     master4    %-6s 2026-12-07 04:05:43  \n"
		" raiz_v6    Static     master6    %-6s 2026-12-07 04:05:43  \n"
		" isp_v4     BGP        ---        %-6s 2026-12-07 04:05:44  Established   \n"
		" isp_v4b    BGP        ---        start  2026-12-07 04:05:44  Active        Socket: Connection refused\n"
		" isp_v6     BGP        ---        %-6s 2026-12-07 04:05:44  Established   \n"
		"0000 \n" % (v4, v6, bgp, bgp))


def route(prefix, drained):
	comm = "\n1012-\tBGP.community: (65535,0)" if drained else ""
	return ("1007-Table master4:\n %s          blackhole [raiz_v4 04:05:43.123] * (200)\n"
		"1008-\tType: static univ%s\n 	BGP.origin: IGP\n 	BGP.as_path: 65001 65001\n"
		"0000 \n" % (prefix, comm))


STATE = ("# raiz-controller: the desired state of the anycast prefixes\n"
	 "define RAIZ_V4_WITHDRAWN = 0;   # 192.0.2.0/24 announce\n"
	 "define RAIZ_V4_DRAIN = 0;\n"
	 "define RAIZ_V6_WITHDRAWN = 1;   # 2001:db8::/48 withdraw\n"
	 "define RAIZ_V6_DRAIN = 0;\n")
GREETING = "0001 BIRD 2.0.12 ready.\n"


def birdreply_seeds():
	# a pass: show status, configure (the file was written), show status,
	# show protocols, then show route export for each established session
	put("fuzz_birdreply", "announce-verified", bytes([0x00]) + frame(
		STATE, GREETING, STATUS, CONFIGURE, STATUS, protocols("up", "down"),
		route("192.0.2.0/24", False), "8001 Network not found\n"))
	put("fuzz_birdreply", "drain-fix", bytes([0x12 | 0x08]) + frame(
		STATE, GREETING, STATUS, "0001 BIRD 2.0.12 ready.\n", QUEUED, STATUS,
		protocols("down", "down"), "0011 raiz_v4: enabled\n", "0011 raiz_v6: enabled\n",
		protocols("up", "up"), route("192.0.2.0/24", True),
		route("2001:db8::/48", True).replace("master4", "master6"), STATUS))
	put("fuzz_birdreply", "withdraw-async", bytes([0x05 | 0x10]) + frame(
		"", GREETING, "+ asynchronous message\n" + STATUS,
		"1007-Table master4:\n 192.0.2.0/24 unreachable\n0000 \n",
		"0009 raiz_v4: disabled\n", CONFIGURE, STATUS, "8003 No protocols match\n"))
	put("fuzz_birdreply", "bad-greeting", bytes([0]) + frame(STATE, "0002 not a greeting\n"))
	put("fuzz_birdreply", "dmy-times", bytes([0x0f]) + frame(
		STATE, GREETING, STATUS.replace("2026-12-07 ", "07-12-2026 "), CONFIGURE,
		STATUS.replace("2026-12-07 ", "07-12-2026 ").replace(".", ""),
		protocols("up", "up").replace("2026-12-07 ", "07-12-2026 "),
		"9999 strange\n", " stray continuation\n"))


# ---- fuzz_judge: flags (spec, ID, primary, latency, clock), then the reply ----

def reply(qname, qtype, qclass="IN", rcode=0, aa=True, answer=(), authority=(),
	  nsid=None, do=False, id_=0x1234):
	q = dns.message.make_query(qname, qtype, qclass, use_edns=0 if (nsid or do) else None,
				   want_dnssec=do, id=id_)
	r = dns.message.make_response(q)
	if aa:
		r.flags |= dns.flags.AA
	r.set_rcode(rcode)
	for sec, rrs in ((r.answer, answer), (r.authority, authority)):
		for text in rrs:
			name, ttl, cls, typ, rdata = text.split(None, 4)
			sec.append(dns.rrset.from_text(name, int(ttl), cls, typ, rdata))
	if nsid is not None:
		r.use_edns(0, dns.flags.DO if do else 0, 1232,
			   options=[dns.edns.GenericOption(dns.edns.NSID, nsid.encode())])
	return r.to_wire()


SOA = "example. 3600 IN SOA ns1.example. hostmaster.example. 2026112100 3600 600 1209600 300"
SIG = ("example. 3600 IN RRSIG %s 13 1 3600 20261221000000 20261121000000 4711 example. "
       "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5emFiY2RlZmdoaWprbG1ub3BxcnM=")
DNSKEY = ("example. 3600 IN DNSKEY 257 3 13 "
	  "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==")


def judge_seeds():
	clock_now = 0x00          # 2026-11-21T12:00:00Z, 1 ms
	put("fuzz_judge", "soa-signed", bytes([0x04 | 0x08 | clock_now]) + reply(
		"example.", "SOA", answer=[SOA, SIG % "SOA"], do=True, nsid="fuzz1"))
	put("fuzz_judge", "soa-unsigned-slow", bytes([0x04 | 0x20]) + reply(
		"example.", "SOA", answer=[SOA], do=True))
	put("fuzz_judge", "www-nsid", bytes([0x05]) + reply(
		"www.example.", "A", answer=["www.example. 3600 IN A 192.0.2.80",
					     "www.example. 3600 IN A 192.0.2.81"], nsid="fuzz1"))
	put("fuzz_judge", "www-other-nsid", bytes([0x05]) + reply(
		"www.example.", "A", answer=["www.example. 3600 IN A 192.0.2.8"], nsid="other\\'"))
	put("fuzz_judge", "dnskey", bytes([0x06]) + reply(
		"example.", "DNSKEY", answer=[DNSKEY, SIG % "DNSKEY"], do=True))
	put("fuzz_judge", "nx-ch", bytes([0x07]) + reply(
		"nx.example.", "TXT", "CH", rcode=3, aa=False, authority=[SOA]))
	put("fuzz_judge", "nx-nsec", bytes([0x04 | 0x08]) + reply(
		"example.", "SOA", rcode=3, authority=[SOA, SIG % "SOA",
		"example. 300 IN NSEC a.example. SOA NS RRSIG NSEC DNSKEY"], do=True))
	put("fuzz_judge", "id-mismatch-tc", bytes([0x00]) + reply(
		"example.", "SOA", answer=[SOA]))


config_seeds()
ctlsock_seeds()
birdreply_seeds()
judge_seeds()

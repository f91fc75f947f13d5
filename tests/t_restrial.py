#!/usr/bin/python3
"""t_restrial -- `raizctl resolution-trial` against raiz-dnsd and a Knot primary.

Starts, on loopback, Knot (tests/lib/primary.py: KnotPrimary) as the
primary of k.test. (NSEC3, 32 delegations: the trial samples 20) and
n.test. (NSEC, 8 delegations: all sampled), both signed by ldns-signzone
and protected by a TSIG key; raiz-dnsd as their secondary (Secondary, with
"trust-anchors" and "service-ns" in its raiz.json); and a second raiz-dnsd
that serves zone files which differ from the primary's (raiz-dnsd serves a
file zone without verifying it).  Then:

  healthy   the trial of k.test. and of n.test. at the node's own "listen"
            addresses (127.0.0.1 and ::1) passes (exit 0, verdict PASS,
            every check ok on both addresses, service-ns skipped for
            n.test. which has none; --json says the same)
  badsig    k.test. with the RRSIG over the apex SOA altered, asked with
            --server: exit 1, the "soa" check fails ("does not validate")
            and "nxdomain" (the SOA of the negative answer is bogus); dnskey,
            serial, ns and the delegation checks still ok
  deleg     n.test. without one delegation the primary has (re-signed,
            same serial): exit 1, "referrals" fails naming it, and
            "primary-match" too
  servicens a raiz.json whose service-ns for k.test. is a name the apex NS
            set does not list: exit 1, only "service-ns" fails, naming it
  usage     a zone not in raiz.json, a bad --server: exit 2; nobody
            answering (a UDP port held and never read): exit 3
Exit 0 pass, 1 fail, 77 when knotd/ldns-signzone/ldns-keygen or dnspython
are missing.  Every process started here is stopped by PID on every exit
path (context managers); about 10 s.
"""

import contextlib
import copy
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

try:
	import dns.rcode  # noqa: F401 -- dnspython present
except ImportError:
	print("t_restrial: SKIP, python3-dnspython missing (run with /usr/bin/python3)")
	sys.exit(77)

import dnsd  # noqa: E402
import raizlab  # noqa: E402
from primary import (PRIMARY_PORTS, Checks, KnotPrimary, Secondary, TsigKey, ZoneData,  # noqa: E402
		     base_records, break_rrsig, have_tools, hosts)

K, N = "k.test.", "n.test."
CHECKS = ["reach", "nsid", "dnskey", "soa", "serial", "ns", "service-ns", "referrals", "ds",
	  "primary-match", "nxdomain"]
ck = Checks("t_restrial")


def section(name):
	print("--- %s" % name, flush=True)


def delegations(n, prefix="d"):
	"""n delegations: in-domain NS with glue (A, some AAAA) or an
	out-of-zone NS without glue; every other one with a DS."""
	out = []
	for i in range(n):
		d = "%s%d" % (prefix, i)
		if i % 3 == 2:
			out.append("%s 86400 IN NS ns.example.net." % d)
		else:
			out += ["%s 86400 IN NS ns.%s" % (d, d), "ns.%s 86400 IN A 198.51.100.%d" % (d, i + 1)]
			if i % 3 == 0:
				out.append("ns.%s 86400 IN AAAA 2001:db8:d::%x" % (d, i + 1))
		if i % 2 == 0:
			out.append("%s 3600 IN DS %d 13 2 %064x" % (d, 1000 + i, i + 1))
	return out


def same_keys_copy(zd, records, workdir):
	"""A ZoneData with other records, the same serial and the same keys (so
	that it is validly signed with the zone's real keys)."""
	os.makedirs(workdir, exist_ok=True)
	for k in zd.keys:
		for f in glob.glob(os.path.join(zd.workdir, k + ".*")):
			shutil.copy(f, workdir)
	z = ZoneData(zd.origin, records, workdir, serial=zd.serial, soa=zd.soa)
	z.sign = dict(zd.sign)
	z.keys = zd.keys
	return z


def raizctl(config_path, *args):
	"""$RAIZ_BUILD/raizctl -c config args: (exit status, stdout, stderr)."""
	b = os.path.join(os.path.dirname(dnsd.binary()), "raizctl")
	if not os.access(b, os.X_OK):
		return None, "", "raizctl not built at %s" % b
	p = subprocess.run([b, "-c", config_path] + list(args), stdout=subprocess.PIPE,
			   stderr=subprocess.PIPE, timeout=120, stdin=subprocess.DEVNULL,
			   universal_newlines=True)
	return p.returncode, p.stdout, p.stderr


def trial(config_path, zone, *extra):
	"""The text run and the --json run of a trial: (rc, text, rc_json, dict)."""
	rc, out, err = raizctl(config_path, "resolution-trial", zone, *extra)
	print("    | " + "\n    | ".join((out + err).rstrip().splitlines()), flush=True)
	jrc, jout, jerr = raizctl(config_path, "--json", "resolution-trial", zone, *extra)
	try:
		rep = json.loads(jout)
	except ValueError:
		rep = {"unparsable": jout[-400:], "stderr": jerr[-400:]}
	return rc, out + err, jrc, rep


def statuses(rep):
	"""{(server, check): (status, why)} of a --json report."""
	return {(c.get("server"), c.get("check")): (c.get("status"), c.get("why", ""))
		for c in rep.get("checks") or []}


def failed(rep):
	"""The names of the checks that failed (on any server)."""
	return sorted({c.get("check") for c in rep.get("checks") or [] if c.get("status") == "fail"})


def write_config(path, d):
	with open(path, "w") as f:
		json.dump(d, f, indent=2)
	return path


def main():
	missing = have_tools("knotd", "knotc", "ldns-signzone", "ldns-keygen")
	if missing:
		print("t_restrial: SKIP, not installed: %s" % " ".join(missing))
		return 77
	dnsd.install_signal_handlers()
	tmp = tempfile.mkdtemp(prefix="raiz-restrial-")
	t0 = time.monotonic()
	try:
		with contextlib.ExitStack() as stack:
			run(stack, tmp)
	except Exception as e:           # a daemon did not start, a tool failed ...
		traceback.print_exc()
		ck(False, "t_restrial ran to the end", "%s: %s" % (e.__class__.__name__, e))
	finally:
		if os.environ.get("RAIZ_KEEP"):
			print("kept %s" % tmp)
		else:
			shutil.rmtree(tmp, ignore_errors=True)
	print("t_restrial: %.1f s" % (time.monotonic() - t0))
	return ck.done()


def run(stack, tmp):
	key = TsigKey.new("trial-key")
	kz = ZoneData(K, base_records() + hosts(40) + delegations(31), os.path.join(tmp, "kz"),
		      serial=2026120701, soa=(3600, 3600, 1209600, 300), sign={"nsec3": True})
	nz = ZoneData(N, base_records() + hosts(20) + delegations(7), os.path.join(tmp, "nz"),
		      serial=77, soa=(3600, 3600, 1209600, 300), sign={"nsec3": False})

	sec = stack.enter_context(Secondary(keys=[key]))
	stack.callback(lambda: print("raiz-dnsd log tail:\n" + sec.log_tail(20)) if ck.failed else None)
	knot = stack.enter_context(KnotPrimary(os.path.join(tmp, "knot"), [kz, nz], key,
					       notify=["127.0.0.1@%d" % sec.port],
					       port=raizlab.pick_ports(1, *PRIMARY_PORTS)[0]))
	knot.start()
	sec.add_zone(K, [knot.address], key, trust_anchors=kz.ds(), service_ns=["ns1.k.test.", "ns2.k.test"])
	sec.add_zone(N, [knot.address], key, trust_anchors=nz.ds())
	sec.start()
	for zone, zd in ((K, kz), (N, nz)):
		ck(sec.wait_serial(zone, zd.serial, timeout=20) is not None,
		   "setup: raiz-dnsd serves %s serial %d from Knot" % (zone, zd.serial), sec.zone(zone))

	# the node's copies as zone files that differ from the primary's
	bad_k = break_rrsig(kz.text(), K, "SOA")
	# d3.n.test. and its glue (ns.d3.n.test. A and AAAA) left out
	kept = [r for r in nz.records if r.split()[0] not in ("d3", "ns.d3")]
	assert len(kept) == len(nz.records) - 3
	nz2 = same_keys_copy(nz, kept, os.path.join(tmp, "nz2"))
	other = stack.enter_context(dnsd.Dnsd({K: bad_k, N: nz2.text()}, taken=(sec.port,)))
	stack.callback(lambda: print("second raiz-dnsd log tail:\n" + other.log_tail(20)) if ck.failed
		       else None)
	other.start()
	at_other = ("--server", "127.0.0.1@%d" % other.port)

	cfg = sec.config_path

	section("healthy: k.test. (NSEC3, 32 delegations) at the node's listen addresses")
	rc, out, jrc, rep = trial(cfg, K)
	ck(rc == 0 and "verdict: PASS" in out, "healthy %s: exit 0, verdict PASS" % K, "exit %s" % rc)
	st = statuses(rep)
	servers = ["127.0.0.1@%d" % sec.port, "::1@%d" % sec.port]
	want = {(s, c) for s in servers for c in CHECKS}
	bad = {k: v for k, v in st.items() if v[0] != "ok"}
	ck(jrc == 0 and rep.get("verdict") == "pass" and set(st) == want and not bad,
	   "healthy %s --json: every check ok on 127.0.0.1 and ::1 (%d checks)" % (K, len(want)),
	   {"exit": jrc, "not ok": bad, "missing": sorted(want - set(st))})
	facts = rep.get("facts") or {}
	ck("20 of 32 sampled" in facts.get("delegations", "") and
	   "(the primary)" in facts.get("delegations", ""),
	   "healthy %s: 20 of its 32 delegations sampled from the primary's AXFR" % K, facts)
	why = lambda c: st.get((servers[0], c), ("", ""))[1]  # noqa: E731
	ck("NSEC3 proof" in why("nxdomain") and "closest encloser" in why("nxdomain"),
	   "healthy %s: the NXDOMAIN's NSEC3 proof validated" % K, why("nxdomain"))
	ck("the primary's" in why("serial") and str(kz.serial) in why("serial"),
	   "healthy %s: serial equals the primary's" % K, why("serial"))
	ck(why("nsid") == '"test-node"', "healthy %s: NSID names the node" % K, why("nsid"))

	section("healthy: n.test. (NSEC, 8 delegations, no service-ns)")
	rc, out, jrc, rep = trial(cfg, N)
	st = statuses(rep)
	ck(rc == 0 and jrc == 0 and rep.get("verdict") == "pass" and not failed(rep),
	   "healthy %s: exit 0, verdict PASS" % N, {"exit": rc, "failed": failed(rep)})
	sk = st.get((servers[0], "service-ns"), ("", ""))
	ck(sk[0] == "skipped" and "service-ns" in sk[1], "healthy %s: service-ns skipped, saying why" % N,
	   sk)
	ck("8 of 8 sampled" in (rep.get("facts") or {}).get("delegations", ""),
	   "healthy %s: all 8 delegations sampled" % N, rep.get("facts"))
	nx = st.get((servers[0], "nxdomain"), ("", ""))[1]
	ck("NSEC proof" in nx, "healthy %s: the NXDOMAIN's NSEC proof validated" % N, nx)

	section("badsig: the node serves k.test. with the apex SOA's RRSIG altered")
	rc, out, jrc, rep = trial(cfg, K, *at_other)
	st = statuses(rep)
	srv = "127.0.0.1@%d" % other.port
	soa = st.get((srv, "soa"), ("", ""))
	ck(rc == 1 and jrc == 1 and "verdict: FAIL" in out and "soa" in out.split("verdict:")[-1],
	   "badsig: exit 1, the verdict line names soa", "exit %s/%s" % (rc, jrc))
	ck(soa[0] == "fail" and "does not validate" in soa[1] and "RRSIG SOA" in soa[1],
	   "badsig: the soa check fails: RRSIG SOA does not validate", soa)
	ck(all(st.get((srv, c), ("",))[0] == "ok" for c in ("dnskey", "serial", "ns", "referrals", "ds",
							    "primary-match")),
	   "badsig: dnskey, serial, ns, referrals, ds, primary-match still ok", st)
	nx = st.get((srv, "nxdomain"), ("", ""))
	ck(nx[0] == "fail" and "RRSIG SOA" in nx[1],
	   "badsig: nxdomain fails too: the SOA of the negative answer is bogus", nx)

	section("deleg: the node's n.test. lacks a delegation the primary has")
	rc, out, jrc, rep = trial(cfg, N, *at_other)
	st = statuses(rep)
	ref = st.get((srv, "referrals"), ("", ""))
	pm = st.get((srv, "primary-match"), ("", ""))
	ck(rc == 1 and jrc == 1 and "referrals" in out.split("verdict:")[-1],
	   "deleg: exit 1, the verdict line names referrals", "exit %s/%s" % (rc, jrc))
	ck(ref[0] == "fail" and "d3.n.test." in ref[1] and "NXDOMAIN" in ref[1],
	   "deleg: referrals fails naming d3.n.test. (NXDOMAIN instead of a referral)", ref)
	ck(pm[0] == "fail" and "d3.n.test." in pm[1], "deleg: primary-match fails naming d3.n.test.", pm)
	ck(st.get((srv, "soa"), ("",))[0] == "ok" and st.get((srv, "serial"), ("",))[0] == "ok",
	   "deleg: soa and serial ok (same serial, validly signed)", st)

	section("servicens: service-ns lists a name the apex NS set does not")
	d = copy.deepcopy(sec.config_dict())
	for z in d["zones"]:
		if z["name"] == K:
			z["service-ns"] = ["ns1.k.test.", "ns.cloud.example."]
	cfg2 = write_config(os.path.join(tmp, "raiz-servicens.json"), d)
	rc, out, jrc, rep = trial(cfg2, K)
	st = statuses(rep)
	sn = st.get((servers[0], "service-ns"), ("", ""))
	ck(rc == 1 and jrc == 1 and failed(rep) == ["service-ns"],
	   "servicens: exit 1, only service-ns fails", {"exit": rc, "failed": failed(rep)})
	ck("ns.cloud.example." in sn[1] and "does not list" in sn[1],
	   "servicens: the reason names ns.cloud.example.", sn)

	section("usage and unreachable")
	rc, out, err = raizctl(cfg, "resolution-trial", "nosuch.test.")
	ck(rc == 2 and "no zone nosuch.test." in err, "usage: a zone not in raiz.json: exit 2",
	   "exit %s: %s" % (rc, err.strip()))
	rc, out, err = raizctl(cfg, "resolution-trial", K, "--server", "not-an-address")
	ck(rc == 2, "usage: a bad --server: exit 2", "exit %s: %s" % (rc, err.strip()))
	# a UDP port held here and never read: nobody can answer on it
	with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as hold:
		hold.bind(("127.0.0.1", 0))
		dead = hold.getsockname()[1]
		t = time.monotonic()
		rc, out, err = raizctl(cfg, "resolution-trial", K, "--server", "127.0.0.1@%d" % dead)
		t = time.monotonic() - t
	ck(rc == 3 and "no server answered" in out and "reach" in out,
	   "unreachable: nobody answers at 127.0.0.1@%d: exit 3, reach fails (%.1f s)" % (dead, t),
	   "exit %s: %s" % (rc, out.strip()[-300:]))

	ck(other.stop() == 0, "second raiz-dnsd exits 0 on SIGTERM (no sanitizer report)")
	ck(sec.stop() == 0, "raiz-dnsd exits 0 on SIGTERM (no sanitizer report)")


if __name__ == "__main__":
	sys.exit(main())

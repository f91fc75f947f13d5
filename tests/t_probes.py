#!/usr/bin/python3
"""t_probes -- the probes library against real DNS servers on loopback.

Starts NSD (the service under probe, NSID "nsd-t") and Knot (standing in
for the zone's primary, three serials ahead; also the server that gets
SIGSTOPped, being a single process) on 127.0.0.1 ports in 15500-15599, with
zones made for the checks: a plain zone, a signed one, one whose signatures
expire in 2 hours (ldns-signzone -e), one whose signatures are not valid yet
(-i in the future), and one with an old date serial.  When
$RAIZ_BUILD/raiz-dnsd exists it is probed too (NSID = its node identity),
and when $RAIZ_BUILD/raizctl exists, `raizctl probe` is checked as well.

The probes run through a small driver compiled here against
$RAIZ_BUILD/libprobes.a and libcommon.a: it loads a real raiz.json with
config_load(), runs each named probe with probe_run_once() and prints one
JSON line per probe.  Checked: ok over UDP and TCP with NSID and RDATA
expectations, from a chosen source address; wrong RDATA, wrong NSID,
unexpected rcode, REFUSED zone, stripped signatures (WRONG); closed UDP/TCP
ports, an unconfigured source address, a target that is not local (HARD,
known in < 50 ms); a SIGSTOPped server (TIMEOUT after the timeout, UDP and
TCP); signatures inside the margin and not yet valid (SIGNATURES); an old
serial and a serial lagging the primary (STALE); a server stopped for
400 ms against max-latency 100 ms (SLOW).

Exit: 0 pass, 1 fail, 77 when nsd, knotd, ldns-signzone or a C compiler
are missing, or the libraries are not built.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))

try:
	import raizlab
except ImportError as e:
	print("SKIP: dnspython missing (%s)" % e)
	sys.exit(77)

DRIVER = r'''
#include <stdio.h>
#include <time.h>
#include "common/config.h"
#include "probes/probe.h"

static void jstr(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	char err[512];
	struct raiz_config *cfg;
	if (argc < 2 || config_load(argv[1], &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", argc < 2 ? "usage: driver raiz.json probe..." : err);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const struct cfg_probe *p = config_probe_find(cfg, argv[i]);
		struct probe_result r;
		struct timespec a, b;
		if (!p) {
			fprintf(stderr, "no probe %s\n", argv[i]);
			config_free(cfg);
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &a);
		int rc = probe_run_once(p, &r);
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("{\"name\": ");
		jstr(p->name);
		printf(", \"rc\": %d, \"verdict\": \"%s\", \"reason\": ", rc,
		       probe_verdict_name(r.verdict));
		jstr(r.reason);
		printf(", \"elapsed_ms\": %.3f, \"latency_us\": %llu, \"rcode\": %d, \"aa\": %s",
		       (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6,
		       (unsigned long long)r.latency_us, r.rcode, r.aa ? "true" : "false");
		printf(", \"nsid\": ");
		if (r.has_nsid)
			jstr(r.nsid);
		else
			printf("null");
		printf(", \"serial\": ");
		if (r.has_serial)
			printf("%u", r.serial);
		else
			printf("null");
		printf(", \"primary_serial\": ");
		if (r.has_primary_serial)
			printf("%u", r.primary_serial);
		else
			printf("null");
		printf(", \"rrsig_expire\": %lld, \"nrrsig\": %u}\n", (long long)r.rrsig_expire,
		       r.nrrsig);
		fflush(stdout);
	}
	config_free(cfg);
	return 0;
}
'''

failures = []


def check(cond, what):
	print("%s  %s" % ("ok  " if cond else "FAIL", what))
	if not cond:
		failures.append(what)


def build_driver(work, build):
	libp = os.path.join(build, "libprobes.a")
	libc = os.path.join(build, "libcommon.a")
	cc = shutil.which("cc") or shutil.which("gcc")
	if not cc or not os.path.exists(libp) or not os.path.exists(libc):
		print("SKIP: no C compiler, or %s/libprobes.a, libcommon.a not built" % build)
		sys.exit(77)
	src = os.path.join(work, "driver.c")
	with open(src, "w") as f:
		f.write(DRIVER)
	nm = subprocess.run(["nm", "-A", libp], capture_output=True, text=True).stdout
	san = ["-fsanitize=address,undefined"] if "__asan" in nm else []
	out = os.path.join(work, "driver")
	cmd = [cc, "-std=c11", "-D_GNU_SOURCE", "-g", "-Wall", "-Werror"] + san + [
		"-I" + ROOT, "-I/usr/include/json-c", "-o", out, src, libp, libc,
		"-lldns", "-lev", "-ljson-c", "-lcrypto", "-lpthread", "-lm"]
	r = subprocess.run(cmd, capture_output=True, text=True)
	if r.returncode != 0:
		print("driver does not build:\n%s" % r.stderr)
		sys.exit(1)
	return out


def date_serial(days_ago=0, n=1):
	t = time.gmtime(time.time() - days_ago * 86400)
	return int(time.strftime("%Y%m%d", t)) * 100 + n


def write_zone(path, origin, serial, extra=()):
	lines = [
		"$ORIGIN %s" % origin,
		"$TTL 3600",
		"@ IN SOA ns1.%s hostmaster.%s %d 1800 900 604800 300" % (origin, origin, serial),
		"@ IN NS ns1.%s" % origin,
		"@ IN NS ns2.%s" % origin,
		"ns1 IN A 192.0.2.1",
		"ns2 IN A 192.0.2.2",
		"www IN A 192.0.2.80",
	] + list(extra)
	with open(path, "w") as f:
		f.write("\n".join(lines) + "\n")


def sign_zone(work, path, origin, inception, expiration):
	key = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", origin], cwd=work,
			     capture_output=True, text=True, check=True).stdout.strip()
	subprocess.run(["ldns-signzone", "-i", str(int(inception)), "-e", str(int(expiration)),
			"-f", path + ".signed", "-o", origin, path, key], cwd=work, check=True,
		       capture_output=True)
	return path + ".signed"


class NSDWithNSID(raizlab.NSD):
	def argv(self):
		argv = raizlab.NSD.argv(self)
		conf = argv[-1]
		with open(conf) as f:
			text = f.read()
		text = text.replace("server:\n", "server:\n\tnsid: \"ascii_nsd-t\"\n", 1)
		with open(conf, "w") as f:
			f.write(text)
		return argv


@contextlib.contextmanager
def sigstopped(proc):
	"""The daemon (our child, by PID) frozen for the duration of the block."""
	os.kill(proc.pid, signal.SIGSTOP)
	try:
		yield
	finally:
		if proc.poll() is None:
			os.kill(proc.pid, signal.SIGCONT)


def main():
	raizlab.install_signal_handlers()
	for tool in ("nsd", "knotd", "ldns-keygen", "ldns-signzone", "nm"):
		if not shutil.which(tool):
			print("SKIP: %s not installed" % tool)
			return 77
	build = os.environ.get("RAIZ_BUILD", "build/asan")
	work = tempfile.mkdtemp(prefix="t_probes.")
	try:
		driver = build_driver(work, build)
		now = time.time()
		serial = date_serial()
		zones = {}
		for origin in ("example.", "signed.", "expiring.", "notyet.", "old."):
			path = os.path.join(work, origin.rstrip(".") + ".zone")
			write_zone(path, origin, 2020010101 if origin == "old." else serial)
			zones[origin] = path
		zones["signed."] = sign_zone(work, zones["signed."], "signed.", now - 3600,
					     now + 30 * 86400)
		zones["expiring."] = sign_zone(work, zones["expiring."], "expiring.", now - 3600,
					       now + 2 * 3600)
		zones["notyet."] = sign_zone(work, zones["notyet."], "notyet.", now + 2 * 3600,
					     now + 30 * 86400)
		primary_zone = os.path.join(work, "primary-example.zone")
		write_zone(primary_zone, "example.", serial + 3)

		ports = raizlab.pick_ports(6, lo=15500, hi=15599)
		nsd_port, knot_port, dnsd_port, dead_port = ports[0], ports[1], ports[2], ports[3]
		with raizlab.Lab() as lab:
			lab.start(NSDWithNSID(os.path.join(work, "nsd"), nsd_port,
					      sorted(zones.items())))
			knot = lab.start(raizlab.Knot(os.path.join(work, "knot"), knot_port,
						      [("example.", primary_zone)]))
			dnsd = None
			binary = os.path.abspath(os.path.join(build, "raiz-dnsd"))
			if os.access(binary, os.X_OK):
				try:
					dnsd = lab.start(raizlab.RaizDnsd(
						os.path.join(work, "dnsd"), dnsd_port,
						[("example.", zones["example."]),
						 ("signed.", zones["signed."])], binary), timeout=15)
				except RuntimeError as e:
					print("note: raiz-dnsd not probed, it did not start: %s" % e)
					dnsd = None

			nsd_at = "127.0.0.1@%d" % nsd_port
			dead_at = "127.0.0.1@%d" % dead_port
			P = []

			def probe(name, **kw):
				d = {"name": name, "target": nsd_at, "qname": "example.",
				     "timeout": "1s"}
				d.update(kw)
				P.append(d)

			probe("ok-udp", **{"expect-nsid": "nsd-t", "soa-max-age": "2d",
					   "expect-answer": True, "max-latency": "900ms"})
			probe("ok-tcp", transport="tcp", qtype="NS",
			      **{"expect-rdata": ["ns1.example.", "NS2.example"],
				 "expect-nsid": "nsd-t"})
			probe("ok-www", qname="www.example.", qtype="A",
			      **{"expect-rdata": ["192.0.2.80"]})
			probe("ok-source", source="127.0.0.5", **{"target-local": True})
			# not on this host: refused before anything is sent
			probe("not-local", target="192.0.2.53", **{"target-local": True})
			probe("nxdomain-ok", qname="nope.example.", qtype="A",
			      **{"expect-rcode": "NXDOMAIN"})
			probe("wrong-rdata", qname="www.example.", qtype="A",
			      **{"expect-rdata": ["192.0.2.81"]})
			probe("wrong-nsid", **{"expect-nsid": "gru9"})
			probe("wrong-rcode", qname="nope.example.", qtype="A")
			probe("refused-zone", qname="other.")
			probe("refused-ok", qname="other.", **{"expect-rcode": "REFUSED"})
			probe("dead-udp", target=dead_at, timeout="2s")
			probe("dead-tcp", target=dead_at, transport="tcp", timeout="2s")
			probe("no-source", source="192.0.2.1", timeout="2s")
			probe("sig-ok", qname="signed.", **{"dnssec-ok": True, "expect-rrsig": True})
			probe("sig-expiring", qname="expiring.", **{"dnssec-ok": True})
			probe("sig-expiring-1h", qname="expiring.",
			      **{"dnssec-ok": True, "rrsig-margin": "1h"})
			probe("sig-future", qname="notyet.", **{"dnssec-ok": True})
			probe("sig-stripped", qname="example.",
			      **{"dnssec-ok": True, "expect-rrsig": True})
			probe("stale", qname="old.", **{"soa-max-age": "7d"})
			probe("lag", primary="127.0.0.1@%d" % knot_port, **{"max-serial-lag": 1})
			probe("lag-ok", primary="127.0.0.1@%d" % knot_port, **{"max-serial-lag": 5})
			# Knot is one process (NSD forks): SIGSTOP silences it whole
			knot_at = "127.0.0.1@%d" % knot_port
			probe("stopped-udp", target=knot_at, timeout="300ms")
			probe("stopped-tcp", target=knot_at, transport="tcp", timeout="300ms")
			if dnsd:
				probe("dnsd-udp", target="127.0.0.1@%d" % dnsd_port,
				      **{"expect-nsid": True, "expect-rdata": [
					      "ns1.example. hostmaster.example. %d 1800 900 604800 300"
					      % serial]})
				probe("dnsd-tcp", target="127.0.0.1@%d" % dnsd_port, transport="tcp",
				      qname="signed.", **{"dnssec-ok": True, "expect-rrsig": True,
							  "expect-nsid": True})
			cfg = {
				"node": {"identity": "diff", "run-dir": work, "state-dir": work},
				"dnsd": {"listen": ["127.0.0.1@%d" % ports[4]]},
				"probes": P,
			}
			conf = os.path.join(work, "raiz.json")
			with open(conf, "w") as f:
				json.dump(cfg, f, indent=1)

			def run(names):
				r = subprocess.run([driver, conf] + names, capture_output=True, text=True,
						   timeout=60)
				if r.returncode != 0:
					print("driver failed (%d):\n%s" % (r.returncode, r.stderr))
					failures.append("driver")
					return {}
				out = {}
				for line in r.stdout.splitlines():
					d = json.loads(line)
					print("   %-16s %-10s %7.1f ms  %s" % (d["name"], d["verdict"],
									d["elapsed_ms"], d["reason"]))
					out[d["name"]] = d
				return out

			names = [p["name"] for p in P if not p["name"].startswith("stopped")]
			R = run(names)
			if not R:
				return 1
			for n in ("ok-udp", "ok-tcp", "ok-www", "ok-source", "nxdomain-ok", "refused-ok",
				  "sig-ok", "sig-expiring-1h", "lag-ok"):
				check(R[n]["verdict"] == "ok" and R[n]["rc"] == 0, "%s is ok" % n)
			check(R["ok-udp"]["nsid"] == "nsd-t", "NSID seen")
			check(R["ok-udp"]["serial"] == serial, "serial seen")
			check(0 < R["ok-udp"]["latency_us"] < 900000, "latency measured")
			check(R["ok-udp"]["aa"] and R["ok-udp"]["rcode"] == 0, "AA and rcode seen")
			check(R["sig-ok"]["nrrsig"] >= 1 and
			      R["sig-ok"]["rrsig_expire"] > now + 29 * 86400,
			      "RRSIG expiration seen")
			check(R["lag-ok"]["primary_serial"] == serial + 3, "primary serial seen")

			def wrong(n, kind, text):
				check(R[n]["verdict"] == kind and R[n]["rc"] == 1 and text in R[n]["reason"],
				      "%s: %s with \"%s\"" % (n, kind, text))
			wrong("wrong-rdata", "wrong", "A \"192.0.2.81\" missing from the answer")
			wrong("wrong-nsid", "wrong", "nsid 'nsd-t' != expected 'gru9' "
			      "(answered by another instance)")
			wrong("wrong-rcode", "wrong", "rcode NXDOMAIN, expected NOERROR")
			wrong("refused-zone", "wrong", "rcode REFUSED")
			wrong("dead-udp", "hard", "port unreachable (ICMP): nothing listens on " + dead_at)
			wrong("dead-tcp", "hard", "connection refused")
			wrong("no-source", "hard", "source address 192.0.2.1 is not configured")
			wrong("not-local", "hard", "target address 192.0.2.53@53 is not configured "
			      "on this node")
			for n in ("dead-udp", "dead-tcp", "no-source", "not-local"):
				check(R[n]["elapsed_ms"] < 50, "%s known in < 50 ms (%.1f ms)"
				      % (n, R[n]["elapsed_ms"]))
			wrong("sig-expiring", "signatures", "within margin 24h")
			check(abs(R["sig-expiring"]["rrsig_expire"] - (now + 7200)) < 5,
			      "expiring RRSIG time reported")
			wrong("sig-future", "signatures", "is in the future")
			wrong("sig-stripped", "wrong", "no RRSIG over SOA")
			wrong("stale", "stale", "SOA serial 2020010101 (date serial")
			wrong("lag", "stale", "lags the primary's %d by 3 (max 1)" % (serial + 3))
			if dnsd:
				for n in ("dnsd-udp", "dnsd-tcp"):
					check(R[n]["verdict"] == "ok", "%s (raiz-dnsd) is ok: %s"
					      % (n, R[n]["reason"]))

			# the operator's view: raizctl probe, one-shot, same library
			raizctl = os.path.abspath(os.path.join(build, "raizctl"))
			if os.access(raizctl, os.X_OK):
				r = subprocess.run([raizctl, "-c", conf, "probe", "ok-udp", "ok-tcp"],
						   capture_output=True, text=True, timeout=30)
				print(r.stdout + r.stderr)
				check(r.returncode == 0, "raizctl probe ok-udp ok-tcp exits 0")
				r = subprocess.run([raizctl, "-c", conf, "--json", "probe", "ok-udp",
						    "wrong-nsid", "dead-udp"], capture_output=True,
						   text=True, timeout=30)
				print(r.stdout + r.stderr)
				try:
					v = {p["name"]: p["verdict"] for p in json.loads(r.stdout)["probes"]}
				except (ValueError, KeyError, TypeError):
					v = {}
				check(r.returncode == 1 and v == {"ok-udp": "ok", "wrong-nsid": "wrong",
								  "dead-udp": "hard"},
				      "raizctl --json probe: ok, wrong, hard; exit 1")
			else:
				print("note: %s not built, raizctl probe not checked" % raizctl)

			# SLOW: nothing on loopback is reliably slower than 1 ms, so
			# stop the server for 400 ms while a probe waits with
			# max-latency 100 ms and timeout 3 s
			slow = {"name": "slow", "target": knot_at, "qname": "example.",
				"max-latency": "100ms", "timeout": "3s"}
			cfg["probes"] = [slow]
			with open(conf, "w") as f:
				json.dump(cfg, f, indent=1)
			with sigstopped(knot.proc):
				proc = subprocess.Popen([driver, conf, "slow"], stdout=subprocess.PIPE,
							text=True)
				time.sleep(0.4)
			d = json.loads(proc.communicate(timeout=30)[0])
			print("   %-16s %-10s %7.1f ms  %s" % (d["name"], d["verdict"],
							d["elapsed_ms"], d["reason"]))
			check(d["verdict"] == "slow" and "slow: answered in" in d["reason"],
			      "slow answer is SLOW")

			# TIMEOUT: the server is stopped (kernel still accepts TCP)
			cfg["probes"] = P
			with open(conf, "w") as f:
				json.dump(cfg, f, indent=1)
			with sigstopped(knot.proc):
				R = run(["stopped-udp", "stopped-tcp"])
			for n in ("stopped-udp", "stopped-tcp"):
				if n not in R:
					continue
				want = "timeout after 300 ms" + (" (connected, query sent, no reply)"
								 if n.endswith("tcp") else "")
				check(R[n]["verdict"] == "timeout" and R[n]["reason"].endswith(want),
				      "%s: %s" % (n, want))
				check(295 <= R[n]["elapsed_ms"] < 800, "%s took the timeout (%.1f ms)"
				      % (n, R[n]["elapsed_ms"]))
			# and it answers again
			R = run(["lag-ok"])
			check(R.get("lag-ok", {}).get("verdict") == "ok", "ok again after SIGCONT")
	finally:
		shutil.rmtree(work, ignore_errors=True)
	if failures:
		print("%d check(s) failed: %s" % (len(failures), "; ".join(failures)))
		return 1
	print("all checks passed")
	return 0


if __name__ == "__main__":
	sys.exit(main())

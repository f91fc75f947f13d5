"""dnsd -- start, drive and stop raiz-dnsd in integration tests.

    from dnsd import Dnsd, Checks
    with Dnsd(zones={"example.": ZONE_TEXT}, dnsd={"workers": 2}) as d:
        r = d.query("example.", "SOA")          # dns.message.Message (UDP)
        d.control("status")                     # dict from the control socket
        d.reload(); d.zone_write("example.", NEW_TEXT)

Each Dnsd owns a private temporary directory (config, zone files, run-dir,
log) and one raiz-dnsd child process started from $RAIZ_BUILD/raiz-dnsd
(default build/asan).  It listens on 127.0.0.1 and ::1 on a port picked
free from the test's range (15300-15399 by default).  stop() sends SIGTERM
to exactly that PID (SIGKILL after a grace period) and returns the exit
status; the context manager stops it and removes the directory on every
exit path.  Call install_signal_handlers() first so SIGTERM/SIGINT/SIGHUP
to the test unwind through the finally blocks.
"""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raizlab  # noqa: E402
from raizlab import install_signal_handlers  # noqa: E402,F401  (re-exported)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def binary():
	"""The raiz-dnsd under test: $RAIZ_BUILD/raiz-dnsd (default build/asan)."""
	b = os.path.join(os.environ.get("RAIZ_BUILD", "build/asan"), "raiz-dnsd")
	if not os.path.isabs(b):
		b = os.path.join(ROOT, b)
	return b


def pick_port(lo, hi, taken=()):
	return raizlab.pick_ports(1, lo, hi, avoid=taken)[0]


class Checks:
	"""Named assertions that keep going and report at the end."""

	def __init__(self, name):
		self.name = name
		self.failed = []
		self.count = 0

	def __call__(self, cond, what, detail=""):
		self.count += 1
		if cond:
			print("ok   %s" % what, flush=True)
		else:
			print("FAIL %s%s" % (what, (": " + str(detail)) if detail != "" else ""), flush=True)
			self.failed.append(what)
		return bool(cond)

	def done(self):
		if self.failed:
			print("%s: %d of %d checks failed:" % (self.name, len(self.failed), self.count))
			for f in self.failed:
				print("  - " + f)
			return 1
		if self.count == 0:
			print("%s: no checks ran" % self.name)
			return 1
		print("%s: all %d checks passed" % (self.name, self.count))
		return 0


class Dnsd:
	"""One raiz-dnsd with its own directory, config and zone files."""

	def __init__(self, zones, dnsd=None, node=None, ports=(15300, 15399), port=None,
		     extra_zones=None, taken=()):
		self.dir = tempfile.mkdtemp(prefix="raiz-dnsd-test.")
		self.port = port or pick_port(ports[0], ports[1], taken)
		self.proc = None
		self.logpath = os.path.join(self.dir, "dnsd.log")
		self.run_dir = os.path.join(self.dir, "run")
		self.zone_files = {}
		for name, text in zones.items():
			self.zone_write(name, text)
		self.zone_entries = [{"name": n, "file": self.zone_files[n]} for n in zones]
		for name, path in (extra_zones or {}).items():   # zones with a given (bad) path
			self.zone_entries.append({"name": name, "file": path})
		self.node = {"identity": "test-node", "log-level": "info", "syslog": False,
			     "run-dir": self.run_dir, "state-dir": self.dir}
		self.node.update(node or {})
		self.dnsd = {"listen": ["127.0.0.1@%d" % self.port, "::1@%d" % self.port],
			     "user": "", "workers": 1}
		self.dnsd.update(dnsd or {})
		self.config_path = os.path.join(self.dir, "raiz.json")
		self.write_config()

	# ---- files ----
	def zone_write(self, name, text):
		fn = "zone-" + (name.strip(".") or "root") + ".zone"
		path = os.path.join(self.dir, fn)
		with open(path + ".tmp", "w") as f:
			f.write(text)
		os.rename(path + ".tmp", path)
		# a new mtime even within the same second, so "unchanged file" checks see it
		st = os.stat(path)
		os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1000000000))
		self.zone_files[name] = path
		return path

	def config_dict(self):
		return {"node": self.node, "dnsd": self.dnsd, "zones": self.zone_entries}

	def write_config(self, text=None):
		"""Write the config (our dict as JSON, or the given raw text)."""
		if text is None:
			text = "// written by tests/lib/dnsd.py\n" + json.dumps(self.config_dict(), indent=2) + "\n"
		with open(self.config_path + ".tmp", "w") as f:
			f.write(text)
		os.rename(self.config_path + ".tmp", self.config_path)

	# ---- process ----
	def argv(self, *extra):
		return [binary(), "-c", self.config_path, "-f"] + list(extra)

	def start(self, timeout=20.0, wait=True, env=None, prefix=()):
		"""Start raiz-dnsd; env: extra environment; prefix: a wrapper that execs
		it in place (e.g. "ip netns exec NS"), so the PID is still ours."""
		if not os.access(binary(), os.X_OK):
			raise RuntimeError("raiz-dnsd binary not found at %s (set RAIZ_BUILD)" % binary())
		e = dict(os.environ)
		e.update(env or {})
		log = open(self.logpath, "ab")
		self.proc = subprocess.Popen(list(prefix) + self.argv(), stdout=log,
					     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
					     cwd=self.dir, env=e)
		log.close()
		if wait:
			self.wait_ready(timeout)
		return self

	def wait_ready(self, timeout=20.0):
		"""Until the server answers on UDP and TCP, on IPv4 and IPv6 (any rcode)."""
		deadline = time.monotonic() + timeout
		targets = [("127.0.0.1", False), ("::1", False), ("127.0.0.1", True), ("::1", True)]
		while targets:
			if self.proc.poll() is not None:
				raise RuntimeError("raiz-dnsd exited with %d before answering; log:\n%s"
						   % (self.proc.returncode, self.log_tail()))
			host, tcp = targets[0]
			try:
				self.query("id.server", "TXT", rdclass="CH", host=host, tcp=tcp, timeout=0.3)
				targets.pop(0)
				continue
			except (OSError, EOFError, dns.exception.DNSException):
				pass
			if time.monotonic() > deadline:
				raise RuntimeError("raiz-dnsd did not answer on %s (%s) within %.0fs; log:\n%s"
						   % (host, "tcp" if tcp else "udp", timeout, self.log_tail()))
			time.sleep(0.05)

	def alive(self):
		return self.proc is not None and self.proc.poll() is None

	def signal(self, sig):
		if self.alive():
			self.proc.send_signal(sig)

	def stop(self, grace=15.0):
		"""SIGTERM our child, SIGKILL after grace; returns its exit status."""
		if self.proc is None:
			return None
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
			try:
				self.proc.wait(timeout=grace)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait()
		return self.proc.returncode

	def run_check(self, timeout=60):
		"""raiz-dnsd -n on our config: (exit status, stdout+stderr)."""
		p = subprocess.run([binary(), "-n", "-c", self.config_path], stdout=subprocess.PIPE,
				   stderr=subprocess.STDOUT, timeout=timeout, stdin=subprocess.DEVNULL)
		return p.returncode, p.stdout.decode(errors="replace")

	def cleanup(self):
		try:
			self.stop()
		finally:
			if os.environ.get("RAIZ_KEEP"):
				print("kept %s" % self.dir)
			else:
				shutil.rmtree(self.dir, ignore_errors=True)

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		if exc[0] is not None and self.proc is not None:
			sys.stderr.write("raiz-dnsd log tail:\n%s\n" % self.log_tail())
		self.cleanup()
		return False

	# ---- logs ----
	def log(self):
		try:
			with open(self.logpath, errors="replace") as f:
				return f.read()
		except OSError:
			return ""

	def log_tail(self, n=40):
		return "".join(self.log().splitlines(True)[-n:])

	def wait_log(self, needle, timeout=10.0, since=0):
		"""Until needle appears in the log after offset since; returns the match line."""
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			text = self.log()[since:]
			i = text.find(needle)
			if i >= 0:
				start = text.rfind("\n", 0, i) + 1
				end = text.find("\n", i)
				return text[start:end if end >= 0 else len(text)]
			time.sleep(0.05)
		return None

	def log_size(self):
		return len(self.log())

	# ---- control ----
	def control(self, *lines, timeout=30.0):
		"""Send request lines; returns the parsed reply (or a list for several)."""
		path = os.path.join(self.run_dir, "dnsd.sock")
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.settimeout(timeout)
		try:
			s.connect(path)
			s.sendall(("".join(l + "\n" for l in lines)).encode())
			buf = b""
			while buf.count(b"\n") < len(lines):
				chunk = s.recv(65536)
				if not chunk:
					break
				buf += chunk
		finally:
			s.close()
		replies = [json.loads(l) for l in buf.decode().splitlines() if l.strip()]
		return replies[0] if len(lines) == 1 and replies else replies

	def reload(self, via="control"):
		"""Reload; via control the call returns when it has finished."""
		if via == "control":
			return self.control("reload")
		self.signal(signal.SIGHUP)
		return None

	# ---- DNS ----
	def query(self, qname, qtype="SOA", rdclass="IN", host="127.0.0.1", tcp=False,
		  timeout=2.0, **kw):
		q = dns.message.make_query(qname, qtype, rdclass, **kw)
		q.flags &= ~dns.flags.RD
		return self.send(q, host=host, tcp=tcp, timeout=timeout)

	def send(self, q, host="127.0.0.1", tcp=False, timeout=2.0):
		if tcp:
			return dns.query.tcp(q, host, port=self.port, timeout=timeout)
		return dns.query.udp(q, host, port=self.port, timeout=timeout, ignore_trailing=True)

	def raw_udp(self, wire, host="127.0.0.1", timeout=2.0):
		"""Send bytes, return the reply bytes or None on timeout."""
		fam = socket.AF_INET6 if ":" in host else socket.AF_INET
		s = socket.socket(fam, socket.SOCK_DGRAM)
		s.settimeout(timeout)
		try:
			s.sendto(wire, (host, self.port))
			return s.recv(65535)
		except socket.timeout:
			return None
		finally:
			s.close()

	def raw_tcp(self, wire, host="127.0.0.1", timeout=2.0):
		"""Send one framed message over a new TCP connection, return the reply bytes
		or None on EOF/timeout."""
		try:
			s = self.tcp_connect(host, timeout)
		except OSError:
			return None
		try:
			s.sendall(tcp_frame(wire))
			return tcp_read_msg(s)
		except OSError:
			return None
		finally:
			s.close()

	def exchange(self, q, host="127.0.0.1", tcp=False, timeout=2.0):
		"""Like send() but without dnspython's reply/question matching: the reply
		parsed as it came (raises on no reply or unparsable bytes)."""
		wire = q.to_wire()
		resp = (self.raw_tcp if tcp else self.raw_udp)(wire, host=host, timeout=timeout)
		if resp is None:
			raise dns.exception.Timeout()
		return dns.message.from_wire(resp, ignore_trailing=True)

	def tcp_connect(self, host="127.0.0.1", timeout=5.0):
		fam = socket.AF_INET6 if ":" in host else socket.AF_INET
		s = socket.socket(fam, socket.SOCK_STREAM)
		s.settimeout(timeout)
		s.connect((host, self.port))
		return s

	def serial(self, zone, host="127.0.0.1"):
		"""The SOA serial served for zone, or None (no answer / not NOERROR)."""
		try:
			r = self.query(zone, "SOA", host=host, timeout=1.0)
		except (OSError, dns.exception.DNSException):
			return None
		if r.rcode() != dns.rcode.NOERROR or not r.answer:
			return None
		return r.answer[0][0].serial


def tcp_frame(wire):
	return struct.pack("!H", len(wire)) + wire


def tcp_read_msg(sock):
	"""One framed message from sock as bytes; None on EOF."""
	hdr = recv_exact(sock, 2)
	if hdr is None:
		return None
	return recv_exact(sock, struct.unpack("!H", hdr)[0])


def recv_exact(sock, n):
	buf = b""
	while len(buf) < n:
		chunk = sock.recv(n - len(buf))
		if not chunk:
			return None
		buf += chunk
	return buf


def zone_text(origin="example.", serial=2026112101, big_txt=40, extra=""):
	"""A small zone: SOA, NS, A/AAAA, and big.<origin> with big_txt TXT
	records of 100 bytes (a ~4 kB RRset that needs TCP)."""
	lines = [
		"$ORIGIN %s" % origin,
		"$TTL 3600",
		"@ IN SOA ns1 hostmaster %d 7200 3600 1209600 300" % serial,
		"@ IN NS ns1",
		"@ IN NS ns2",
		"ns1 IN A 192.0.2.1",
		"ns1 IN AAAA 2001:db8::1",
		"ns2 IN A 192.0.2.2",
		"www IN A 192.0.2.80",
		"www IN AAAA 2001:db8::80",
	]
	for i in range(big_txt):
		lines.append('big IN TXT "%03d-%s"' % (i, "x" * 96))
	return "\n".join(lines) + "\n" + extra

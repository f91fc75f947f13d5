"""raizlab -- start and stop DNS servers (raiz-dnsd, NSD, Knot) for tests.

Each server class writes its own configuration into a private directory,
starts the daemon in the foreground as a child of the test (so its PID is
known), waits until it answers SOA for every zone, and stop() kills exactly
that PID (SIGTERM, then SIGKILL after a grace period).  Servers listen on
127.0.0.1 only.  Use `Lab` as a context manager: every server it started is
stopped on every exit path, including SIGTERM/SIGINT/SIGHUP delivered to the
test (turned into SystemExit by install_signal_handlers()).

Used by t_differential.py, and also by t_probes.py and tests/lib/dnsd.py:
keep the names (NSD, Knot, RaizDnsd, Lab, pick_ports, install_signal_handlers)
and their arguments stable.
"""

import os
import signal
import socket
import subprocess
import sys
import time

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype


def install_signal_handlers():
	"""Make SIGTERM/SIGHUP/SIGINT unwind the stack so finally: blocks run."""
	def handler(signum, frame):
		raise SystemExit(128 + signum)
	for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
		signal.signal(s, handler)


def port_free(port):
	"""True when nobody uses port for UDP or TCP on 127.0.0.1 or ::1."""
	for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
		for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
			s = socket.socket(fam, kind)
			try:
				s.bind((host, port))
			except OSError:
				return False
			finally:
				s.close()
	return True


def pick_ports(n, lo=15400, hi=15499, avoid=()):
	"""n distinct free ports in [lo, hi] (UDP and TCP), lowest first."""
	out = []
	for p in range(lo, hi + 1):
		if p not in avoid and port_free(p):
			out.append(p)
			if len(out) == n:
				return out
	raise RuntimeError("no %d free ports in %d-%d" % (n, lo, hi))


class Server:
	"""A daemon under test: subclasses write config and build argv."""
	name = "server"

	def __init__(self, workdir, port, zones, label=None):
		self.workdir = workdir        # private directory for config, logs, pid
		self.port = port
		self.zones = zones            # list of (origin, signed zone file path)
		self.label = label or self.name
		self.proc = None
		self.logpath = os.path.join(workdir, "daemon.log")
		os.makedirs(workdir, exist_ok=True)

	def argv(self):
		raise NotImplementedError

	def start(self, timeout=30.0):
		log = open(self.logpath, "ab")
		# own session: the daemon's helper processes (NSD forks xfrd and
		# its server) share the group whose id is our child's PID
		self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT,
					     stdin=subprocess.DEVNULL, cwd=self.workdir,
					     start_new_session=True)
		log.close()
		self.wait_ready(timeout)

	def wait_ready(self, timeout):
		"""Until every zone answers SOA with AA (NOERROR)."""
		deadline = time.monotonic() + timeout
		pending = [o for o, _ in self.zones]
		while pending:
			if self.proc.poll() is not None:
				raise RuntimeError("%s exited with %d before answering; log:\n%s"
						   % (self.label, self.proc.returncode, self.log_tail()))
			origin = pending[0]
			q = dns.message.make_query(origin, dns.rdatatype.SOA)
			try:
				r = dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.2)
				if r.rcode() == dns.rcode.NOERROR and r.answer:
					pending.pop(0)
					continue
			except Exception:
				pass
			if time.monotonic() > deadline:
				raise RuntimeError("%s did not answer SOA for %s within %.0fs; log:\n%s"
						   % (self.label, origin, timeout, self.log_tail()))
			time.sleep(0.1)

	def log_tail(self, n=30):
		try:
			with open(self.logpath, errors="replace") as f:
				return "".join(f.readlines()[-n:])
		except OSError:
			return "(no log)"

	def stop(self):
		"""Kill our own child by PID; returns its exit status (None if never started)."""
		if self.proc is None:
			return None
		if self.proc.poll() is None:
			self.proc.send_signal(signal.SIGTERM)
			try:
				self.proc.wait(timeout=10)
			except subprocess.TimeoutExpired:
				self.proc.kill()
				self.proc.wait()
		# leftovers of the group we created (e.g. an NSD child whose parent
		# was killed); the group id is our own child's PID.  Give them a
		# moment to finish on their own first.
		deadline = time.monotonic() + 3.0
		try:
			while time.monotonic() < deadline:
				os.killpg(self.proc.pid, 0)
				time.sleep(0.05)
			os.killpg(self.proc.pid, signal.SIGKILL)
		except (ProcessLookupError, PermissionError):
			pass
		return self.proc.returncode

	def alive(self):
		return self.proc is not None and self.proc.poll() is None


class NSD(Server):
	"""NSD 4.x with a private nsd.conf: no database, no control, no RRL."""
	name = "nsd"

	def argv(self):
		conf = os.path.join(self.workdir, "nsd.conf")
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
			"\tpidfile: \"%s/nsd.pid\"" % w,
			"\tlogfile: \"%s\"" % self.logpath,
			"\tverbosity: 1",
			"\thide-version: yes",
			"\tidentity: \"\"",
			# the defaults, spelled out: these decide how much is answered
			"\tminimal-responses: no",
			"\trefuse-any: no",
			"\tround-robin: no",
			"\tipv4-edns-size: 1232",
			"\tanswer-cookie: no",
			# NSD is built with RRL: turn it off or fast tests get slipped
			"\trrl-ratelimit: 0",
			"\trrl-whitelist-ratelimit: 0",
			"\ttcp-count: 100",
			"remote-control:",
			"\tcontrol-enable: no",
		]
		for origin, path in self.zones:
			lines += ["zone:", "\tname: \"%s\"" % origin, "\tzonefile: \"%s\"" % path]
		with open(conf, "w") as f:
			f.write("\n".join(lines) + "\n")
		return ["nsd", "-d", "-c", conf]


class Knot(Server):
	"""knotd 3.x with a private knot.conf, serving the files as they are."""
	name = "knot"

	def argv(self):
		conf = os.path.join(self.workdir, "knot.conf")
		w = self.workdir
		lines = [
			"server:",
			"    rundir: \"%s\"" % w,
			"    listen: 127.0.0.1@%d" % self.port,
			"    udp-workers: 1",
			"    tcp-workers: 1",
			"    background-workers: 1",
			"log:",
			"  - target: stderr",
			"    any: warning",
			"database:",
			"    storage: \"%s/db\"" % w,
			"template:",
			"  - id: default",
			"    storage: \"%s\"" % w,
			"    zonefile-sync: -1",
			"    zonefile-load: whole",
			"    journal-content: none",
			"    semantic-checks: off",
			"zone:",
		]
		for origin, path in self.zones:
			lines += ["  - domain: \"%s\"" % origin, "    file: \"%s\"" % path]
		with open(conf, "w") as f:
			f.write("\n".join(lines) + "\n")
		return ["knotd", "-c", conf]


class RaizDnsd(Server):
	"""raiz-dnsd -c <raiz.json> -f (foreground)."""
	name = "raiz-dnsd"

	def __init__(self, workdir, port, zones, binary, label=None, dnsd=None):
		Server.__init__(self, workdir, port, zones, label)
		self.binary = binary
		self.dnsd_extra = dnsd or {}      # merged into the "dnsd" section

	def argv(self):
		import json
		w = self.workdir
		cfg = {
			"node": {"identity": "diff", "log-level": "notice", "syslog": False,
				 "run-dir": w, "state-dir": w},
			"dnsd": {"listen": ["127.0.0.1@%d" % self.port],
				 "edns-buffer-size": 1232, "workers": 1,
				 "control-socket": os.path.join(w, "dnsd.sock"),
				 "pidfile": os.path.join(w, "dnsd.pid"), "user": ""},
			"zones": [{"name": o, "file": p} for o, p in self.zones],
		}
		cfg["dnsd"].update(self.dnsd_extra)
		conf = os.path.join(w, "raiz.json")
		with open(conf, "w") as f:
			json.dump(cfg, f, indent=2)
		return [self.binary, "-c", conf, "-f"]


class Lab:
	"""Context manager owning the servers a test starts; stops them all."""

	def __init__(self):
		self.servers = []
		self.status = {}              # label -> exit status after stop

	def __enter__(self):
		return self

	def start(self, server, timeout=30.0):
		self.servers.append(server)
		server.start(timeout)
		return server

	def __exit__(self, *exc):
		for s in reversed(self.servers):
			try:
				rc = s.stop()
				self.status[s.label] = rc
				if rc not in (None, 0, -signal.SIGTERM):
					sys.stderr.write("%s exited with status %s; log tail:\n%s\n"
							 % (s.label, rc, s.log_tail()))
			except Exception as e:  # keep stopping the others
				sys.stderr.write("stopping %s: %s\n" % (s.label, e))
		return False

	def clean_exits(self):
		"""True if every server stopped with status 0 (or by our SIGTERM)."""
		return all(rc in (None, 0, -signal.SIGTERM) for rc in self.status.values())

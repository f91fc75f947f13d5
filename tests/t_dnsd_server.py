#!/usr/bin/python3
"""t_dnsd_server -- raiz-dnsd as a daemon: identity, TCP, bad input, reload,
start-up failures, control socket and lifecycle.

Starts real raiz-dnsd processes (from $RAIZ_BUILD, default build/asan) on
127.0.0.1 and ::1, ports 15300-15399, each in its own temporary directory,
and checks:

  identity   NSID (only when asked), CHAOS id.server/hostname.bind answer
             the identity, version.bind REFUSED until configured (reload)
  tcp        pipelined queries answered in order, idle timeout closes,
             connection limit closes the least recently active one
  malformed  random garbage, short headers, QR set, a TCP frame of length
             0, a frame announcing 65535 bytes with fewer, huge datagrams:
             no crash, no stall, still answering
  reload     SIGHUP picks up a new serial; a broken zone keeps the previous
             serial; a bad config is refused (file:line logged and returned
             on the control socket) and the server keeps running; a zone
             that fails to load is REFUSED while others are served; no
             query is lost across reloads; listen changes warn
  startup    bad config exits 2 with file:line; -n exits 0/2/1; a second
             instance and a busy port are refused
  lifecycle  pid file, control socket mode, status/stats, several workers,
             clean exit (status 0 under ASan/LSan) removing pid file and
             control socket
  privileges (root) runs as the user; the run dir stays root's; a run dir
             the user could write is refused; a link planted as the pid
             file's temporary name is not followed; zones are read as the
             user at start as on reload (a root-only zone fails both
             times, and -n says so); an unknown user: exit 2, file:line
  attack     (issue 11) a TSIG key the server does not know: NOTAUTH with
             a BADKEY TSIG; a query trickled a byte a second is cut at the
             idle timeout; JSON null where a value is needed: -n of both
             daemons and raizctl refuse it with file:line, a running
             raiz-dnsd reloaded with it keeps its configuration; under a
             low descriptor limit tcp-max-connections is capped (logged)
             and the control socket and reload work with TCP clients
             holding every connection

Exit 0 pass, 1 fail, 77 when dnspython is missing.
"""

import os
import random
import re
import signal
import socket
import stat
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

try:
	import dns.edns
	import dns.exception
	import dns.flags
	import dns.message
	import dns.query
	import dns.rcode
	import dns.rdatatype
except ImportError:
	print("python3-dnspython missing")
	sys.exit(77)

from dnsd import (Checks, Dnsd, install_signal_handlers, recv_exact, tcp_frame,  # noqa: E402
		  tcp_read_msg, zone_text)

ZONE = "example."
ck = Checks("t_dnsd_server")


def section(name):
	print("--- %s" % name, flush=True)


def txt(r):
	return [b"".join(rd.strings).decode() for rrs in r.answer for rd in rrs
		if rrs.rdtype == dns.rdatatype.TXT]


def stopped_clean(d, what):
	rc = d.stop()
	ck(rc == 0, "%s: exit status 0 after SIGTERM (no leaks)" % what, rc)


def soa_wire(qid):
	m = dns.message.make_query(ZONE, "SOA")
	m.id = qid
	m.flags = 0
	return m.to_wire()


def closed_within(sock, secs):
	"""True when the peer closes sock within secs (reads and discards data)."""
	deadline = time.monotonic() + secs
	while time.monotonic() < deadline:
		sock.settimeout(max(0.01, deadline - time.monotonic()))
		try:
			if not sock.recv(65536):
				return True
		except socket.timeout:
			return False
		except ConnectionResetError:
			return True
	return False


# ---------------------------------------------------------------- identity
def t_identity():
	section("identity")
	with Dnsd({ZONE: zone_text()}, dnsd={"nsid": "nsid-gru1", "identity": "gru1.example",
					     "version": None}) as d:
		d.start()
		for host in ("127.0.0.1", "::1"):
			for tcp in (False, True):
				tag = "%s/%s" % (host, "tcp" if tcp else "udp")
				m = dns.message.make_query(ZONE, "SOA", use_edns=0,
							   options=[dns.edns.GenericOption(3, b"")])
				r = d.send(m, host=host, tcp=tcp)
				nsid = [o for o in r.options if o.otype == 3]
				ck(len(nsid) == 1 and nsid[0].to_wire() == b"nsid-gru1",
				   "%s: NSID answers nsid-gru1" % tag, nsid)
				r = d.send(dns.message.make_query(ZONE, "SOA", use_edns=0), host=host, tcp=tcp)
				ck(not any(o.otype == 3 for o in r.options), "%s: no NSID unless asked" % tag)
				for name in ("id.server.", "hostname.bind."):
					r = d.query(name, "TXT", rdclass="CH", host=host, tcp=tcp)
					ck(r.rcode() == dns.rcode.NOERROR and txt(r) == ["gru1.example"],
					   "%s: CH TXT %s = identity" % (tag, name), "%s %s" %
					   (dns.rcode.to_text(r.rcode()), txt(r)))
				for name in ("version.bind.", "version.server."):
					r = d.query(name, "TXT", rdclass="CH", host=host, tcp=tcp)
					ck(r.rcode() == dns.rcode.REFUSED, "%s: CH TXT %s REFUSED when not configured"
					   % (tag, name), dns.rcode.to_text(r.rcode()))
		# configure a version: a reload applies it
		d.dnsd["version"] = "raiz-test-1"
		d.write_config()
		rep = d.reload()
		ck(rep.get("ok") is True, "reload with a version: ok", rep)
		r = d.query("version.bind.", "TXT", rdclass="CH")
		ck(r.rcode() == dns.rcode.NOERROR and txt(r) == ["raiz-test-1"],
		   "version.bind answers once configured", txt(r))
		st = d.control("status")
		ck(st.get("generation") == 2, "status: generation 2 after one reload", st.get("generation"))
		stopped_clean(d, "identity")


# ---------------------------------------------------------------- tcp
def t_tcp():
	section("tcp")
	with Dnsd({ZONE: zone_text()}, dnsd={"tcp-idle-timeout": "1s", "tcp-max-connections": 4}) as d:
		d.start()
		for host in ("127.0.0.1", "::1"):
			s = d.tcp_connect(host)
			s.sendall(b"".join(tcp_frame(soa_wire(0x4000 + i)) for i in range(6)))
			ids = []
			for _ in range(6):
				msg = tcp_read_msg(s)
				ids.append(struct.unpack("!H", msg[:2])[0] if msg else None)
			ck(ids == [0x4000 + i for i in range(6)], "%s: 6 pipelined queries answered in order"
			   % host, ids)
			# a query split over several writes
			w = tcp_frame(soa_wire(0x4100))
			for i in range(0, len(w), 5):
				s.sendall(w[i:i + 5])
				time.sleep(0.01)
			msg = tcp_read_msg(s)
			ck(msg is not None and msg[:2] == b"\x41\x00", "%s: query split over writes answered" % host)
			s.close()

		# idle timeout 1 s
		s = d.tcp_connect()
		t0 = time.monotonic()
		closed = closed_within(s, 4.0)
		el = time.monotonic() - t0
		ck(closed and 0.7 <= el <= 3.5, "idle connection closed after ~1 s", "%s after %.2fs" % (closed, el))
		s.close()

		# connection limit 4: a fifth closes the least recently active
		conns = []
		for i in range(4):
			c = d.tcp_connect()
			c.sendall(tcp_frame(soa_wire(0x5000 + i)))
			msg = tcp_read_msg(c)
			ck(msg is not None and msg[:2] == struct.pack("!H", 0x5000 + i), "limit: connection %d served" % i)
			conns.append(c)
			time.sleep(0.05)
		c5 = d.tcp_connect()
		c5.sendall(tcp_frame(soa_wire(0x5005)))
		msg = tcp_read_msg(c5)
		ck(msg is not None and msg[:2] == b"\x50\x05", "limit: fifth connection served")
		ck(closed_within(conns[0], 2.0), "limit: the least recently active connection was closed")
		conns[1].sendall(tcp_frame(soa_wire(0x5011)))
		msg = tcp_read_msg(conns[1])
		ck(msg is not None and msg[:2] == b"\x50\x11", "limit: the others still served")
		for c in conns + [c5]:
			c.close()
		st = d.control("stats")
		ck(st.get("tcp", {}).get("evicted", 0) >= 1 and st["tcp"].get("idle-closed", 0) >= 1,
		   "stats count evicted and idle-closed connections", st.get("tcp"))
		stopped_clean(d, "tcp")


# ---------------------------------------------------------------- malformed
def still_answers(d, what):
	ok = True
	for host in ("127.0.0.1", "::1"):
		for tcp in (False, True):
			try:
				r = d.query(ZONE, "SOA", host=host, tcp=tcp, timeout=2.0)
				ok = ok and r.rcode() == dns.rcode.NOERROR
			except Exception as e:
				print("  %s %s: %s" % (host, tcp, e))
				ok = False
	ck(ok and d.alive(), "%s: still answering on UDP and TCP, IPv4 and IPv6" % what)


def t_malformed():
	section("malformed")
	rnd = random.Random(8906)
	with Dnsd({ZONE: zone_text()}, dnsd={"workers": 2, "tcp-idle-timeout": "2s"}) as d:
		d.start()
		u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		good = soa_wire(0x1234)
		for i in range(400):                    # random garbage of random size
			u.sendto(bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 700))),
				 ("127.0.0.1", d.port))
		for n in range(0, 12):                  # truncated headers
			u.sendto(good[:n], ("127.0.0.1", d.port))
		for i in range(200):                    # a valid query with random bytes flipped
			w = bytearray(good)
			for _ in range(rnd.randrange(1, 4)):
				w[rnd.randrange(len(w))] = rnd.getrandbits(8)
			u.sendto(bytes(w), ("127.0.0.1", d.port))
		qr = bytearray(good)
		qr[2] |= 0x80                           # a response: must be dropped, not answered
		u.sendto(bytes(qr), ("127.0.0.1", d.port))
		u.sendto(b"\0" * 60000, ("127.0.0.1", d.port))   # huge datagram
		u.close()
		still_answers(d, "after UDP garbage")
		ck(d.raw_udp(bytes(qr)) is None, "a packet with QR set gets no answer")

		# TCP: length 0 closes that connection only
		s = d.tcp_connect()
		s.sendall(tcp_frame(soa_wire(0x77)) + b"\0\0")
		msg = tcp_read_msg(s)
		ck(msg is not None and msg[:2] == b"\0\x77", "tcp: query before a 0-length frame answered")
		ck(closed_within(s, 2.0), "tcp: a 0-length frame closes the connection")
		s.close()
		# a frame announcing 65535 bytes with 100 sent: others are not stalled
		hold = d.tcp_connect()
		hold.sendall(b"\xff\xff" + b"A" * 100)
		hold6 = d.tcp_connect("::1")
		hold6.sendall(b"\xff\xff" + b"B" * 100)
		garbage = d.tcp_connect()
		garbage.sendall(bytes(rnd.getrandbits(8) for _ in range(3000)))
		t0 = time.monotonic()
		still_answers(d, "with a partial 65535-byte frame pending")
		ck(time.monotonic() - t0 < 3.0, "no stall while a partial frame is pending")
		ck(closed_within(hold, 5.0), "the partial frame's connection is closed by the idle timeout")
		for x in (hold, hold6, garbage):
			x.close()
		# many connections that send nothing, then everything still works
		idle = [d.tcp_connect() for _ in range(20)]
		still_answers(d, "with 20 silent connections")
		for x in idle:
			x.close()
		st = d.control("stats")
		ck(st.get("ok") and st.get("dropped", 0) >= 1, "stats count dropped packets", st.get("dropped"))
		stopped_clean(d, "malformed")


# ---------------------------------------------------------------- reload
def reply_or_none(d, host="127.0.0.1"):
	try:
		return d.query(ZONE, "SOA", host=host, timeout=1.0)
	except Exception:
		return None


def t_reload():
	section("reload")
	with Dnsd({ZONE: zone_text(serial=100), "broken.": "this is not a zone\n"},
		  extra_zones={"missing.": "/nonexistent/raiz-test/missing.zone"}) as d:
		d.start()
		ck(d.serial(ZONE) == 100 and d.serial(ZONE, host="::1") == 100, "serial 100 served at start")
		for z in ("broken.", "missing."):
			r = d.query(z, "SOA")
			ck(r.rcode() == dns.rcode.REFUSED, "zone %s that failed to load: REFUSED" % z,
			   dns.rcode.to_text(r.rcode()))
		st = d.control("status")
		zones = {z["name"]: z for z in st.get("zones", [])}
		ck(zones.get(ZONE, {}).get("loaded") is True and zones[ZONE].get("serial") == 100
		   and zones[ZONE].get("loaded-at"), "status: example. loaded, serial 100, loaded-at", zones.get(ZONE))
		ck(zones.get("broken.", {}).get("loaded") is False and zones["broken."].get("error"),
		   "status: broken. not loaded, with its error", zones.get("broken."))
		ck(zones.get("missing.", {}).get("loaded") is False and zones["missing."].get("error"),
		   "status: missing. not loaded, with its error", zones.get("missing."))

		# SIGHUP picks up a new serial
		d.zone_write(ZONE, zone_text(serial=101))
		mark = d.log_size()
		d.reload(via="signal")
		deadline = time.monotonic() + 15
		while d.serial(ZONE) != 101 and time.monotonic() < deadline:
			time.sleep(0.05)
		ck(d.serial(ZONE) == 101 and d.serial(ZONE, host="::1") == 101, "SIGHUP: serial 101 served")
		ck(d.wait_log("reload done", since=mark) is not None, "SIGHUP: 'reload done' logged")

		# a broken zone on reload keeps the previous version
		d.zone_write(ZONE, "$ORIGIN example.\n@ IN SOA broken\n")
		rep = d.reload()
		ck(rep.get("ok") is True, "reload with a broken zone completes", rep)
		ck(d.serial(ZONE) == 101, "broken zone on reload: serial 101 still served", d.serial(ZONE))
		z = {z["name"]: z for z in d.control("status").get("zones", [])}.get(ZONE, {})
		ck(z.get("loaded") is True and z.get("serial") == 101, "status: previous version still loaded", z)
		d.zone_write(ZONE, zone_text(serial=102))
		d.reload()
		ck(d.serial(ZONE) == 102, "fixed zone on reload: serial 102", d.serial(ZONE))

		# a bad config on reload: refused with file:line, still serving
		good_cfg = open(d.config_path).read()
		d.write_config('{\n  "node": { "identity": "x" },\n  "dnsd": { "workers": "many" }\n}\n')
		mark = d.log_size()
		rep = d.reload()
		ck(rep.get("ok") is False and re.search(r"raiz\.json:\d+: ", rep.get("error", "")),
		   "bad config on reload: control answers the file:line error", rep)
		line = d.wait_log("reload refused", since=mark)
		ck(line is not None and re.search(r"raiz\.json:\d+: .*keeping the running configuration", line),
		   "bad config on reload: 'reload refused: file:line' logged", line)
		d.write_config("{ this is not json\n")
		mark = d.log_size()
		d.reload(via="signal")
		line = d.wait_log("reload refused", since=mark)
		ck(line is not None and re.search(r"raiz\.json:\d+:", line), "SIGHUP with bad JSON refused", line)
		ck(d.alive() and d.serial(ZONE) == 102, "bad config on reload: still serving serial 102")
		st = d.control("status")
		ck(st.get("last-reload", {}).get("ok") is False, "status shows the refused reload",
		   st.get("last-reload"))
		d.write_config(good_cfg)
		ck(d.reload().get("ok") is True, "reload with the config restored")

		# listen addresses follow the file on reload: added ones answer over
		# UDP and TCP, removed ones go quiet, one that cannot be bound is
		# logged and the others go on
		extra = [("127.0.0.1", d.port + 50), ("::1", d.port + 51)]
		d.dnsd["listen"] = d.dnsd["listen"] + ["%s@%d" % hp for hp in extra] + ["192.0.2.1@%d" % (d.port + 52)]
		d.write_config()
		mark = d.log_size()
		ck(d.reload().get("ok") is True, "reload adding listen addresses")
		line = d.wait_log("cannot listen on 192.0.2.1", since=mark)
		ck(line is not None, "an address that cannot be bound is logged", line)

		def at(host, port, tcp):
			q = dns.message.make_query(ZONE, "SOA")
			try:
				f = dns.query.tcp if tcp else dns.query.udp
				r = f(q, host, port=port, timeout=1.0)
				return r.answer[0][0].serial if r.answer else None
			except (OSError, dns.exception.DNSException):
				return None
		for h, p in extra:
			for tcp in (False, True):
				ck(at(h, p, tcp) == 102, "added by reload: %s port %d %s answers" %
				   (h, p, "TCP" if tcp else "UDP"))
		ck(d.serial(ZONE) == 102, "the first address still answers")
		d.dnsd["listen"] = d.dnsd["listen"][:-3]
		d.write_config()
		mark = d.log_size()
		ck(d.reload().get("ok") is True, "reload removing them")
		ck(d.wait_log("no longer listening on 127.0.0.1@%d" % (d.port + 50), since=mark)
		   is not None, "removal logged")
		time.sleep(0.2)
		for h, p in extra:
			for tcp in (False, True):
				ck(at(h, p, tcp) is None, "removed by reload: %s port %d %s silent" %
				   (h, p, "TCP" if tcp else "UDP"))
		ck(d.serial(ZONE) == 102 and d.serial(ZONE, host="::1") == 102,
		   "the configured addresses still answer")

		# no query lost while reloading
		stop = threading.Event()
		result = {"sent": 0, "lost": 0, "bad": 0, "serials": set()}

		def load():
			while not stop.is_set():
				r = reply_or_none(d, host=random.choice(("127.0.0.1", "::1")))
				result["sent"] += 1
				if r is None:
					result["lost"] += 1
				elif r.rcode() != dns.rcode.NOERROR or not r.answer:
					result["bad"] += 1
				else:
					result["serials"].add(r.answer[0][0].serial)
		th = threading.Thread(target=load)
		th.start()
		try:
			for serial in range(103, 108):
				d.zone_write(ZONE, zone_text(serial=serial))
				if serial % 2:
					d.reload()
				else:
					d.reload(via="signal")
					time.sleep(0.3)
				time.sleep(0.1)
		finally:
			stop.set()
			th.join()
		deadline = time.monotonic() + 10
		while d.serial(ZONE) != 107 and time.monotonic() < deadline:
			time.sleep(0.05)
		ck(result["sent"] > 50 and result["lost"] == 0 and result["bad"] == 0,
		   "no query lost or failed across 5 reloads", result)
		ck(d.serial(ZONE) == 107, "serial 107 after the reload series", d.serial(ZONE))
		stopped_clean(d, "reload")


# ---------------------------------------------------------------- startup
def t_startup():
	section("startup")
	with Dnsd({ZONE: zone_text()}) as d:
		rc, out = d.run_check()
		ck(rc == 0, "-n with a good config: exit 0", out)
		d.write_config('{\n  "node": { "identity": "x" },\n  "dnsd": { "bogus-key": 1 }\n}\n')
		rc, out = d.run_check()
		ck(rc == 2 and re.search(r"raiz\.json:3: ", out), "-n with a bad config: exit 2, file:line", out)
		d.start(wait=False)
		try:
			d.proc.wait(timeout=15)
		except Exception:
			pass
		ck(d.proc.returncode == 2, "bad config at start: exit 2", d.proc.returncode)
		ck(re.search(r"raiz\.json:3: ", d.log()), "bad config at start: file:line on stderr", d.log_tail(5))
	with Dnsd({ZONE: zone_text()}, extra_zones={"missing.": "/nonexistent/raiz-test/m.zone"}) as d:
		rc, out = d.run_check()
		ck(rc == 1 and "missing." in out, "-n with a zone that fails: exit 1, names the zone", out)
	with Dnsd({ZONE: zone_text()}) as d:
		d.start()
		# a second instance on the same config must not start
		with Dnsd({ZONE: zone_text()}, port=d.port) as d2:
			d2.config_path = d.config_path
			d2.start(wait=False)
			try:
				d2.proc.wait(timeout=15)
			except Exception:
				pass
			ck(d2.proc.returncode == 1 and "already running" in d2.log(),
			   "a second instance with the same pid file is refused", d2.log_tail(3))
		ck(d.alive() and d.serial(ZONE) is not None, "the first instance keeps serving")
		stopped_clean(d, "startup")
	# a port another socket holds (without SO_REUSEPORT) cannot be bound
	blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	with Dnsd({ZONE: zone_text()}) as d:
		blocker.bind(("127.0.0.1", d.port))
		d.start(wait=False)
		try:
			d.proc.wait(timeout=15)
		except Exception:
			pass
		ck(d.proc.returncode == 1 and "cannot listen" in d.log(), "busy port: exit 1, 'cannot listen'",
		   d.log_tail(3))
	blocker.close()


# ---------------------------------------------------------------- lifecycle
def t_lifecycle():
	section("lifecycle")
	with Dnsd({ZONE: zone_text()}, dnsd={"workers": 3}) as d:
		d.start()
		pidfile = os.path.join(d.run_dir, "dnsd.pid")
		sock = os.path.join(d.run_dir, "dnsd.sock")
		ck(open(pidfile).read().strip() == str(d.proc.pid), "pid file holds the pid")
		mode = stat.S_IMODE(os.stat(sock).st_mode)
		ck(stat.S_ISSOCK(os.stat(sock).st_mode) and mode == 0o660, "control socket mode 0660", oct(mode))
		before = d.control("stats")
		n_ok = 0
		for i in range(60):
			r = d.query(ZONE, "SOA", host=("127.0.0.1", "::1")[i % 2], tcp=(i % 3 == 0))
			n_ok += r.rcode() == dns.rcode.NOERROR
		ck(n_ok == 60, "60 queries over several workers answered", n_ok)
		after = d.control("stats")
		dq = after["queries"]["total"] - before["queries"]["total"]
		dt = after["queries"]["tcp"] - before["queries"]["tcp"]
		ck(dq >= 60 and dt >= 20, "stats: query counters grew by the queries sent", (dq, dt))
		ck(after["rcodes"]["NOERROR"] - before["rcodes"]["NOERROR"] >= 60, "stats: NOERROR counted")
		replies = d.control("status", '{"command": "stats"}', "nonsense")
		ck(len(replies) == 3 and replies[0].get("workers") == 3 and "queries" in replies[1]
		   and replies[2].get("ok") is False, "control: several requests answered in order", replies)
		st = replies[0]
		ck(st.get("version", "").startswith("raiz-dnsd ") and st.get("uptime", -1) >= 0 and
		   st.get("pid") == d.proc.pid, "status: version, uptime, pid")
		stopped_clean(d, "lifecycle")
		ck(not os.path.exists(pidfile) and not os.path.exists(sock),
		   "pid file and control socket removed at exit")
		ck("shutting down" in d.log(), "shutdown logged")
	# more stop signals while shutting down (systemd's SIGTERM after
	# ours, an operator's second ^C, a SIGHUP) must not kill it halfway
	with Dnsd({ZONE: zone_text()}, dnsd={"workers": 3}) as d:
		d.start()
		pidfile = os.path.join(d.run_dir, "dnsd.pid")
		d.signal(signal.SIGTERM)
		sent = 0
		deadline = time.monotonic() + 10
		while d.proc.poll() is None and time.monotonic() < deadline:
			try:
				d.signal((signal.SIGTERM, signal.SIGINT, signal.SIGHUP)[sent % 3])
			except ProcessLookupError:
				break
			sent += 1
			time.sleep(0.0005)
		rc = d.stop()
		ck(rc == 0 and sent > 0, "stop signals during shutdown: still exit status 0", (rc, sent))
		ck(not os.path.exists(pidfile), "stop signals during shutdown: pid file removed")


# ---------------------------------------------------------------- sdnotify
def notify_wait(sock, want, secs):
	"""Datagrams from raiz-dnsd until one contains want; returns all seen."""
	seen = []
	deadline = time.monotonic() + secs
	while time.monotonic() < deadline:
		sock.settimeout(max(0.01, deadline - time.monotonic()))
		try:
			msg = sock.recv(4096).decode()
		except socket.timeout:
			break
		seen.append(msg)
		if want in msg.split("\n"):
			break
	return seen


def t_sdnotify():
	section("sdnotify")
	with Dnsd({ZONE: zone_text()}) as d:
		path = os.path.join(d.dir, "notify.sock")
		ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		ns.bind(path)
		try:
			d.start(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "300000"})
			seen = notify_wait(ns, "READY=1", 10)
			ck(any("READY=1" in m.split("\n") for m in seen), "READY=1 sent when serving", seen)
			seen = notify_wait(ns, "WATCHDOG=1", 2)
			ck(any("WATCHDOG=1" in m for m in seen), "WATCHDOG=1 sent with WATCHDOG_USEC", seen)
			d.reload()
			seen = notify_wait(ns, "READY=1", 10)
			ck(any("RELOADING=1" in m.split("\n") for m in seen) and "READY=1" in seen[-1].split("\n"),
			   "reload sends RELOADING=1 then READY=1", seen)
			d.signal(signal.SIGTERM)
			seen = notify_wait(ns, "STOPPING=1", 10)
			ck(any("STOPPING=1" in m for m in seen), "STOPPING=1 sent at shutdown", seen)
			stopped_clean(d, "sdnotify")
		finally:
			ns.close()


# ---------------------------------------------------------------- privileges
def t_privileges():
	section("privileges")
	import pwd
	if os.geteuid() != 0:
		print("(skipped: not root)")
		return
	try:
		nobody = pwd.getpwnam("nobody")
	except KeyError:
		print("(skipped: no user nobody)")
		return
	with Dnsd({ZONE: zone_text(serial=1)}, dnsd={"user": "nobody"}) as d:
		os.chmod(d.dir, 0o755)
		for f in os.listdir(d.dir):
			os.chmod(os.path.join(d.dir, f), 0o644)
		d.start()
		uids = [l.split()[1:] for l in open("/proc/%d/status" % d.proc.pid) if l.startswith("Uid:")][0]
		ck(uids == [str(nobody.pw_uid)] * 4, "runs as nobody after binding", uids)
		ck(d.serial(ZONE) == 1 and d.serial(ZONE, host="::1") == 1, "answers as nobody")
		d.zone_write(ZONE, zone_text(serial=2))
		os.chmod(d.zone_files[ZONE], 0o644)
		ck(d.reload().get("ok") is True and d.serial(ZONE) == 2, "reload works as nobody")
		st = os.stat(d.run_dir)
		ck(st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o755,
		   "the run dir it made stays root's, mode 0755", (st.st_uid, oct(st.st_mode)))
		pidfile = os.path.join(d.run_dir, "dnsd.pid")
		stopped_clean(d, "privileges")
		left = open(pidfile).read() if os.path.exists(pidfile) else ""
		ck(left == "", "pid file names no process after the stop as nobody", repr(left))

	def start_fails(d):
		d.start(wait=False)
		try:
			d.proc.wait(timeout=15)
		except Exception:
			pass
		return d.proc.returncode

	with Dnsd({ZONE: zone_text()}, dnsd={"user": "no-such-user-raiz"}) as d:
		rc = start_fails(d)
		ck(rc == 2 and re.search(r'raiz\.json:\d+: "user": .*no-such-user-raiz', d.log()),
		   "an unknown user: exit 2, file:line", (rc, d.log_tail(3)))
		rc, out = d.run_check()
		ck(rc == 2 and re.search(r'raiz\.json:\d+: "user": .*no-such-user-raiz', out),
		   "-n refuses an unknown user: exit 2, file:line", (rc, out))

	# a run dir the daemon user can write: refused (it could plant links)
	with Dnsd({ZONE: zone_text()}, dnsd={"user": "nobody"}) as d:
		os.chmod(d.dir, 0o755)
		os.mkdir(d.run_dir, 0o755)
		os.chown(d.run_dir, nobody.pw_uid, nobody.pw_gid)
		victim = os.path.join(d.dir, "victim")
		with open(victim, "w") as f:
			f.write("root's\n")
		os.chmod(victim, 0o600)
		os.symlink(victim, os.path.join(d.run_dir, "dnsd.pid.tmp"))
		os.symlink(victim, os.path.join(d.run_dir, "dnsd.pid"))
		rc = start_fails(d)
		ck(rc == 1 and "writable by user nobody" in d.log(),
		   "a run dir writable by the daemon user: refused", (rc, d.log_tail(3)))
		st = os.stat(victim)
		ck(open(victim).read() == "root's\n" and st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600,
		   "the link target is untouched", (st.st_uid, oct(st.st_mode)))

	# a root-owned run dir with a planted link: the pid file is written
	# beside it, never through it
	with Dnsd({ZONE: zone_text()}, dnsd={"user": "nobody"}) as d:
		os.chmod(d.dir, 0o755)
		for f in os.listdir(d.dir):
			os.chmod(os.path.join(d.dir, f), 0o644)
		os.mkdir(d.run_dir, 0o755)
		victim = os.path.join(d.dir, "victim")
		with open(victim, "w") as f:
			f.write("root's\n")
		os.chmod(victim, 0o600)
		os.symlink(victim, os.path.join(d.run_dir, "dnsd.pid.tmp"))
		d.start()
		pidfile = os.path.join(d.run_dir, "dnsd.pid")
		ck(not os.path.islink(pidfile) and open(pidfile).read().strip() == str(d.proc.pid),
		   "pid file written despite a planted link", open(pidfile).read())
		st = os.stat(victim)
		ck(open(victim).read() == "root's\n" and st.st_uid == 0,
		   "the planted link was not followed", st.st_uid)
		stopped_clean(d, "planted link")

	# zones are read as the daemon user at start as on every reload: a
	# zone only root can read fails both times, and -n says so
	with Dnsd({ZONE: zone_text(serial=5), "secret.": zone_text(origin="secret.")},
		  dnsd={"user": "nobody"}) as d:
		os.chmod(d.dir, 0o755)
		for f in os.listdir(d.dir):
			os.chmod(os.path.join(d.dir, f), 0o644)
		os.chmod(d.zone_files["secret."], 0o600)
		rc, out = d.run_check()
		ck(rc == 1 and "secret." in out, "-n reads the zones as the user: a root-only zone fails",
		   (rc, out))
		d.start()
		r = d.query("secret.", "SOA")
		ck(r.rcode() == dns.rcode.REFUSED and d.serial(ZONE) == 5,
		   "a root-only zone is not served at start (read as nobody)", dns.rcode.to_text(r.rcode()))
		d.zone_write(ZONE, zone_text(serial=6))
		os.chmod(d.zone_files[ZONE], 0o644)
		ck(d.reload().get("ok") is True and d.serial(ZONE) == 6, "reload as nobody")
		r = d.query("secret.", "SOA")
		ck(r.rcode() == dns.rcode.REFUSED, "nor after a reload: the same both times",
		   dns.rcode.to_text(r.rcode()))
		stopped_clean(d, "root-only zone")


# ---------------------------------------------------------------- attack
def prog(name):
	b = os.path.join(os.environ.get("RAIZ_BUILD", "build/asan"), name)
	if not os.path.isabs(b):
		b = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), b)
	return b


def run_prog(argv, timeout=30):
	import subprocess
	p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
			   stdin=subprocess.DEVNULL)
	return p.returncode, p.stdout.decode(errors="replace")


def t_attack():
	section("attack")
	import dns.tsig
	import dns.tsigkeyring
	with Dnsd({ZONE: zone_text()}, dnsd={"tcp-idle-timeout": "2s"}) as d:
		d.start()
		# TSIG with a key the server does not know (RFC 8945 5.2.1)
		kr = dns.tsigkeyring.from_text({"no-such-key.": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"})
		for tcp in (False, True):
			q = dns.message.make_query(ZONE, "SOA")
			q.use_tsig(kr, keyname="no-such-key.", algorithm=dns.tsig.HMAC_SHA256)
			resp = (d.raw_tcp if tcp else d.raw_udp)(q.to_wire())
			tag = "tcp" if tcp else "udp"
			ck(resp is not None and resp[3] & 0xf == dns.rcode.NOTAUTH,
			   "%s: a TSIG key it does not know: NOTAUTH" % tag, resp and resp[3] & 0xf)
			badkey = None
			try:
				dns.message.from_wire(resp, keyring=kr, request_mac=q.mac)
			except dns.tsig.PeerBadKey:
				badkey = True
			except Exception as e:
				badkey = "%s: %s" % (type(e).__name__, e)
			ck(badkey is True, "%s: ... with a TSIG record whose error is BADKEY" % tag, badkey)

		# a query trickled one byte a second: cut at the 2 s timeout, long
		# before it is complete, and never answered
		w = tcp_frame(soa_wire(0x7777))
		s = d.tcp_connect(timeout=10)
		t0 = time.monotonic()
		sent, closed = 0, False
		while sent < len(w) and not closed:
			try:
				s.sendall(w[sent:sent + 1])
			except OSError:
				closed = True
				break
			sent += 1
			closed = closed_within(s, 1.0)
		el = time.monotonic() - t0
		s.close()
		ck(closed and sent < len(w) and el < 4.5,
		   "a query trickled a byte a second is cut at the idle timeout",
		   "closed %s after %d of %d bytes, %.1fs" % (closed, sent, len(w), el))
		still_answers(d, "trickle")

		# JSON null where a value is needed
		good = open(d.config_path).read()
		import json
		cfg = json.loads(json.dumps(d.config_dict()))    # a copy
		cfg["node"]["run-dir"] = None
		null_text = "// run-dir null\n" + json.dumps(cfg, indent=1) + "\n"
		line = [i + 1 for i, l in enumerate(null_text.splitlines()) if '"run-dir": null' in l][0]
		want = 'raiz.json:%d: "run-dir" must be a string, not null' % line
		d.write_config(null_text)
		rc, out = d.run_check()
		ck(rc == 2 and want in out, "raiz-dnsd -n: run-dir null refused, file:line", out)
		rc, out = run_prog([prog("raiz-controller"), "-n", "-c", d.config_path])
		ck(rc == 2 and want in out, "raiz-controller -n: run-dir null refused, file:line", out)
		rc, out = run_prog([prog("raizctl"), "-c", d.config_path, "status"])
		ck(rc != 0 and want in out and "Sanitizer" not in out, "raizctl: run-dir null refused, file:line",
		   (rc, out))
		mark = d.log_size()
		rep = d.reload()
		ck(rep.get("ok") is False and want in rep.get("error", ""),
		   "a reload with run-dir null is refused with file:line", rep)
		d.reload(via="signal")
		ck(d.wait_log("reload refused", since=mark) is not None and d.alive(),
		   "SIGHUP with it: refused, still running")
		ck(d.serial(ZONE) == 2026112101 and d.control("status").get("generation") == 1,
		   "keeps its configuration and zones")
		for key, node_or_ctl in (("log-level", "node"), ("control-socket", "controller")):
			c2 = json.loads(json.dumps(d.config_dict()))
			c2.setdefault(node_or_ctl, {})
			c2[node_or_ctl] = dict(c2[node_or_ctl], **{key: None})
			t = "// %s null\n" % key + json.dumps(c2, indent=1) + "\n"
			ln = [i + 1 for i, l in enumerate(t.splitlines()) if '"%s": null' % key in l][0]
			w2 = 'raiz.json:%d: "%s" must be a string, not null' % (ln, key)
			d.write_config(t)
			rc, out = d.run_check()
			ck(rc == 2 and w2 in out, "raiz-dnsd -n: %s null refused" % key, out)
			rc, out = run_prog([prog("raiz-controller"), "-n", "-c", d.config_path])
			ck(rc == 2 and w2 in out, "raiz-controller -n: %s null refused" % key, out)
			rep = d.reload()
			ck(rep.get("ok") is False and w2 in rep.get("error", "") and d.alive(),
			   "reload with %s null refused, still running" % key, rep)
		d.write_config(good)
		ck(d.reload().get("ok") is True, "the good file reloads again")
		stopped_clean(d, "attack")

	# a low descriptor limit: tcp-max-connections is capped below it, and
	# TCP clients holding every connection leave room for the control
	# socket and a reload
	with Dnsd({ZONE: zone_text()}, dnsd={"tcp-max-connections": 1000, "tcp-idle-timeout": "30s"}) as d:
		d.start(prefix=["sh", "-c", 'ulimit -n 200 && exec "$0" "$@"'])
		line = d.wait_log("tcp-max-connections 1000 lowered to", timeout=5)
		cap = int(re.search(r"lowered to (\d+)", line).group(1)) if line else 0
		ck(line is not None and 0 < cap < 200, "low RLIMIT_NOFILE: tcp-max-connections capped, logged",
		   line)
		conns = []
		for i in range(cap + 40):
			try:
				conns.append(d.tcp_connect(timeout=2))
			except OSError:
				break
		time.sleep(0.5)
		st = d.control("stats", timeout=5)
		ck(st.get("tcp", {}).get("current", 0) <= cap and st["tcp"].get("evicted", 0) >= 1,
		   "TCP clients fill the capped connections", st.get("tcp"))
		ck(d.reload().get("ok") is True, "reload works with every TCP connection taken")
		ck(d.control("status", timeout=5).get("pid") == d.proc.pid,
		   "the control socket answers with every TCP connection taken")
		for c in conns:
			c.close()
		still_answers(d, "fd limit")
		stopped_clean(d, "fd limit")


# ---------------------------------------------------------------- wildcard
def t_wildcard():
	"""0.0.0.0 and :: in a private network namespace: each reply leaves from
	the address the query was sent to (IP_PKTINFO / IPV6_PKTINFO)."""
	section("wildcard")
	import shutil
	import subprocess
	if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("dig"):
		print("(skipped: needs root, ip and dig)")
		return
	ns = "raiz-dnsd-t%d" % os.getpid()
	if subprocess.run(["ip", "netns", "add", ns]).returncode != 0:
		print("(skipped: cannot create a network namespace)")
		return
	try:
		for cmd in (["link", "set", "lo", "up"], ["addr", "add", "192.0.2.53/32", "dev", "lo"],
			    ["addr", "add", "2001:db8::53/128", "dev", "lo", "nodad"]):
			subprocess.run(["ip", "-n", ns] + cmd, check=True)
		with Dnsd({ZONE: zone_text(serial=77)}) as d:
			d.dnsd["listen"] = ["0.0.0.0@%d" % d.port, "::@%d" % d.port]
			d.write_config()
			d.start(wait=False, prefix=["ip", "netns", "exec", ns])

			def dig(addr, tcp=False):
				p = subprocess.run(["ip", "netns", "exec", ns, "dig", "+short", "+tries=1", "+time=2",
						    "+tcp" if tcp else "+notcp", "-p", str(d.port), "@" + addr,
						    ZONE, "SOA"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
				return p.returncode, p.stdout.decode(errors="replace")
			deadline = time.monotonic() + 20
			while time.monotonic() < deadline and d.alive() and " 77 " not in dig("127.0.0.1")[1]:
				time.sleep(0.1)
			for addr in ("127.0.0.1", "127.0.0.2", "192.0.2.53", "::1", "2001:db8::53"):
				for tcp in (False, True):
					rc, out = dig(addr, tcp)
					ck(rc == 0 and " 77 " in out and "unexpected" not in out,
					   "wildcard: %s/%s answers from the address asked" % (addr, "tcp" if tcp else "udp"),
					   out.strip())
			stopped_clean(d, "wildcard")
	finally:
		subprocess.run(["ip", "netns", "del", ns])


def main():
	install_signal_handlers()
	only = sys.argv[1:]
	for name, fn in (("identity", t_identity), ("tcp", t_tcp), ("malformed", t_malformed),
			 ("reload", t_reload), ("startup", t_startup), ("lifecycle", t_lifecycle),
			 ("sdnotify", t_sdnotify), ("privileges", t_privileges), ("attack", t_attack),
			 ("wildcard", t_wildcard)):
		if only and name not in only:
			continue
		try:
			fn()
		except Exception as e:
			import traceback
			traceback.print_exc()
			ck(False, "%s: ran to the end" % name, "%s: %s" % (type(e).__name__, e))
	return ck.done()


if __name__ == "__main__":
	sys.exit(main())

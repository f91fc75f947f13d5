#!/usr/bin/python3
"""t_privs -- least privilege (issue 11): what raiz-dnsd and raiz-controller
keep once started, read from /proc/PID/status (and every thread's).

Starts raiz-dnsd (from $RAIZ_BUILD, default build/asan) on 127.0.0.1 and
::1, ports 15300-15399, and raiz-controller, each in its own temporary
directory, as root, and checks:

  root      started as root with "user": "raiz": Uid and Gid are raiz's,
            CapEff, CapPrm, CapInh, CapAmb and CapBnd all 0, NoNewPrivs 1,
            Seccomp 2 on every thread ("seccomp": "auto" outside systemd);
            it answers over UDP and TCP, IPv4 and IPv6, reloads by SIGHUP
            and by the control socket, and exits 0 on SIGTERM (no SIGSYS)
  modes     "seccomp": "off" -> Seccomp 0 (NoNewPrivs and the empty
            capability sets stay); "log" -> Seccomp 2; "auto" with
            INVOCATION_ID (started by systemd) -> Seccomp 0, logged;
            "seccomp": "sometimes" -> -n and start exit 2 with file:line
  systemd   started the way raiz-dnsd.service starts it (setpriv: user raiz,
            ambient and bounding set CAP_NET_BIND_SERVICE alone), it binds
            port 53 and then keeps no capability: CapEff, CapPrm, CapAmb 0,
            CapBnd only CAP_NET_BIND_SERVICE, NoNewPrivs 1
  controller started as root with "controller": {"user": "raiz-controller"}:
            Uid/Gid raiz-controller's, in group bird (when it exists),
            every capability set 0, NoNewPrivs 1, raizctl status answers;
            an unknown user: -n and start exit 2 with file:line
  layout    both daemons as the units run them (raiz-dnsd as raiz with
            CAP_NET_BIND_SERVICE, raiz-controller as raiz-controller in
            groups raiz and bird), in raiz.tmpfiles' layout (run and state
            directories root:raiz 1775): they work together, and raiz-dnsd's
            user cannot replace the BIRD state file the controller wrote

Exit 0 pass, 1 fail, 77 when not root, no user raiz, or no dnspython.
"""

import grp
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))

try:
	import dns.message
	import dns.query
	from dnsd import Checks, Dnsd, ROOT, install_signal_handlers, binary
	import raizlab
except ImportError as e:
	print("SKIP: %s" % e)
	sys.exit(77)

ZONE = "example."
ck = Checks("t_privs")
CAP_NET_BIND_SERVICE = 1 << 10


def zone_text(serial=1):
	return ("$ORIGIN example.\n$TTL 300\n"
		"@ IN SOA ns1 host %d 3600 600 86400 300\n"
		"@ IN NS ns1\nns1 IN A 192.0.2.1\nwww IN A 192.0.2.2\n" % serial)


def section(name):
	print("--- " + name, flush=True)


def status(pid, task=None):
	path = "/proc/%d/status" % pid if task is None else "/proc/%d/task/%s/status" % (pid, task)
	out = {}
	with open(path) as f:
		for line in f:
			k, _, v = line.partition(":")
			out[k] = v.strip()
	return out


def caps(st, name):
	return int(st[name], 16)


def threads(pid):
	return sorted(os.listdir("/proc/%d/task" % pid))


def give_to(d, user):
	"""The test directory, its files and the run dir, to user (as the
	systemd unit's User= would find /run/raiz and /var/lib/raiz)."""
	os.chmod(d.dir, 0o755)
	for root, dirs, files in os.walk(d.dir):
		for n in dirs + files:
			os.chown(os.path.join(root, n), user.pw_uid, user.pw_gid)
	os.chown(d.dir, user.pw_uid, user.pw_gid)


def open_up(d):
	"""Zone files and config readable by the daemon user; the dir stays root's."""
	os.chmod(d.dir, 0o755)
	for f in os.listdir(d.dir):
		os.chmod(os.path.join(d.dir, f), 0o644)


def answers(d, what, serial=1):
	ok = True
	for host in ("127.0.0.1", "::1"):
		for tcp in (False, True):
			try:
				r = d.query(ZONE, "SOA", host=host, tcp=tcp, timeout=2.0)
				got = r.answer[0][0].serial if r.answer else None
			except Exception as e:   # noqa: BLE001
				got = repr(e)
			ok &= ck(got == serial, "%s: SOA serial %d over %s %s" %
				 (what, serial, "tcp" if tcp else "udp", host), got)
	return ok


def no_sigsys(d, what):
	alive = d.alive()
	rc = d.stop()
	ck(alive and rc == 0, "%s: alive until SIGTERM, then exit status 0 (-31 = SIGSYS)" % what,
	   (alive, rc))


# ------------------------------------------------------------------ root
def t_root(raiz):
	section("root")
	with Dnsd({ZONE: zone_text(1)}, dnsd={"user": "raiz", "workers": 2}) as d:
		open_up(d)
		d.start()
		pid = d.proc.pid
		st = status(pid)
		ck(st["Uid"].split() == [str(raiz.pw_uid)] * 4, "Uid is raiz's (real, effective, saved, fs)",
		   st["Uid"])
		ck(st["Gid"].split() == [str(raiz.pw_gid)] * 4, "Gid is raiz's", st["Gid"])
		for c in ("CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"):
			ck(caps(st, c) == 0, "%s is 0" % c, st[c])
		ck(st["NoNewPrivs"] == "1", "NoNewPrivs 1", st["NoNewPrivs"])
		ck(st["Seccomp"] == "2", "Seccomp 2 (filter)", st["Seccomp"])
		tasks = threads(pid)
		ck(len(tasks) >= 3, "several threads (workers)", tasks)
		bad = [t for t in tasks if status(pid, t)["Seccomp"] != "2" or
		       caps(status(pid, t), "CapEff") != 0 or status(pid, t)["NoNewPrivs"] != "1"]
		ck(not bad, "every thread: Seccomp 2, CapEff 0, NoNewPrivs 1", bad)
		ck(re.search(r"seccomp filter installed \(on\)", d.log()), "the filter is logged")
		answers(d, "as raiz under the filter", 1)
		d.zone_write(ZONE, zone_text(2))
		os.chmod(d.zone_files[ZONE], 0o644)
		d.reload(via="signal")
		deadline = time.monotonic() + 10
		while d.serial(ZONE) != 2 and time.monotonic() < deadline:
			time.sleep(0.1)
		ck(d.serial(ZONE) == 2, "SIGHUP reload under the filter: serial 2")
		d.zone_write(ZONE, zone_text(3))
		os.chmod(d.zone_files[ZONE], 0o644)
		r = d.control("reload")
		ck(isinstance(r, dict) and r.get("ok") is True, "control-socket reload ok", r)
		answers(d, "after the reloads", 3)
		st = d.control("status")
		ck(isinstance(st, dict) and st.get("pid") == pid, "control socket status", st)
		ck(d.alive() and status(pid)["Seccomp"] == "2", "still alive and filtered")
		no_sigsys(d, "root")


# ------------------------------------------------------------------ modes
def t_modes(raiz):
	section("modes")
	for mode, env, want, logged in (("off", {}, "0", r'"seccomp": off'),
					("log", {}, "2", r"seccomp filter installed \(log\)"),
					("auto", {"INVOCATION_ID": "0" * 32}, "0", r"auto, under systemd"),
					("on", {"INVOCATION_ID": "0" * 32}, "2", r"installed \(on\)")):
		with Dnsd({ZONE: zone_text(1)}, dnsd={"user": "raiz", "seccomp": mode}) as d:
			open_up(d)
			d.start(env=env)
			st = status(d.proc.pid)
			what = "seccomp %s%s" % (mode, " under systemd" if env else "")
			ck(st["Seccomp"] == want, "%s: Seccomp %s" % (what, want), st["Seccomp"])
			ck(st["NoNewPrivs"] == "1" and caps(st, "CapEff") == 0 and caps(st, "CapBnd") == 0,
			   "%s: NoNewPrivs 1, no capability" % what, st)
			ck(re.search(logged, d.log()), "%s: logged" % what, d.log_tail(5))
			answers(d, what, 1)
			no_sigsys(d, what)
	with Dnsd({ZONE: zone_text(1)}, dnsd={"seccomp": "sometimes"}) as d:
		rc, out = d.run_check()
		ck(rc == 2 and re.search(r'raiz\.json:\d+: .*seccomp', out),
		   'seccomp "sometimes": -n exit 2, file:line', (rc, out))
		d.start(wait=False)
		try:
			d.proc.wait(timeout=15)
		except subprocess.TimeoutExpired:
			pass
		ck(d.proc.returncode == 2 and re.search(r'raiz\.json:\d+: .*seccomp', d.log()),
		   'seccomp "sometimes": start exit 2, file:line', (d.proc.returncode, d.log_tail(3)))


# ------------------------------------------------------------------ systemd
def t_systemd(raiz):
	section("systemd")
	setpriv = shutil.which("setpriv")
	if not setpriv:
		print("(skipped: no setpriv)")
		return
	# port 53 on a loopback address of its own: needs CAP_NET_BIND_SERVICE
	addr = "127.83.%d.53" % (os.getpid() % 250 + 1)
	with Dnsd({ZONE: zone_text(1)}) as d:
		d.dnsd["listen"] = ["%s@53" % addr, "127.0.0.1@%d" % d.port, "::1@%d" % d.port]
		d.dnsd["user"] = ""
		d.write_config()
		give_to(d, raiz)
		d.start(prefix=[setpriv, "--reuid", str(raiz.pw_uid), "--regid", str(raiz.pw_gid),
				"--init-groups", "--inh-caps", "-all,+net_bind_service",
				"--ambient-caps", "-all,+net_bind_service",
				"--bounding-set", "-all,+net_bind_service"])
		st = status(d.proc.pid)
		ck(st["Uid"].split() == [str(raiz.pw_uid)] * 4, "runs as raiz from the start", st["Uid"])
		for c in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
			ck(caps(st, c) == 0, "%s is 0 once port 53 is bound" % c, st[c])
		ck(caps(st, "CapBnd") == CAP_NET_BIND_SERVICE,
		   "CapBnd: CAP_NET_BIND_SERVICE alone (no CAP_SETPCAP to empty it)", st["CapBnd"])
		ck(st["NoNewPrivs"] == "1" and st["Seccomp"] == "2", "NoNewPrivs 1, Seccomp 2",
		   (st["NoNewPrivs"], st["Seccomp"]))
		try:
			r = dns.query.udp(dns.message.make_query(ZONE, "SOA"), addr, port=53, timeout=2.0)
			got = r.answer[0][0].serial if r.answer else None
		except Exception as e:   # noqa: BLE001
			got = repr(e)
		ck(got == 1, "answers on %s port 53" % addr, got)
		answers(d, "started as raiz", 1)
		no_sigsys(d, "started as raiz")


# ------------------------------------------------------------------ controller
def controller_bin(name):
	b = os.path.join(os.environ.get("RAIZ_BUILD", "build/asan"), name)
	return b if os.path.isabs(b) else os.path.join(ROOT, b)


def t_controller():
	section("controller")
	try:
		cu = pwd.getpwnam("raiz-controller")
	except KeyError:
		print("(skipped: no user raiz-controller: make deps creates it)")
		return
	ctl, raizctl = controller_bin("raiz-controller"), controller_bin("raizctl")
	t = tempfile.mkdtemp(prefix="raiz-t-privs.")
	proc = None
	try:
		os.chmod(t, 0o755)
		run, state = os.path.join(t, "run"), os.path.join(t, "state")
		os.mkdir(run, 0o755)
		os.mkdir(state, 0o775)
		os.chown(state, 0, cu.pw_gid)      # /var/lib/raiz: the controller may write
		os.chmod(state, 0o775)

		def write(user):
			cfg = {"node": {"identity": "t", "run-dir": run, "state-dir": state, "syslog": False},
			       "dnsd": {"listen": ["127.0.0.1@15399"], "user": ""}, "zones": [],
			       "controller": {"user": user, "watchdog": False},
			       "bird": {"socket": os.path.join(t, "bird.ctl")}}
			path = os.path.join(t, "raiz.json")
			with open(path, "w") as f:
				f.write("// t_privs\n" + json.dumps(cfg, indent=1) + "\n")
			return path

		path = write("no-such-user-raiz")
		p = subprocess.run([ctl, "-n", "-c", path], capture_output=True, text=True, timeout=60)
		ck(p.returncode == 2 and re.search(r'raiz\.json:\d+: "user": .*no-such-user-raiz', p.stderr),
		   "controller -n: unknown user, exit 2, file:line", (p.returncode, p.stderr))
		p = subprocess.run([ctl, "-c", path], capture_output=True, text=True, timeout=60)
		ck(p.returncode == 2 and re.search(r'raiz\.json:\d+: "user": .*no-such-user-raiz', p.stderr),
		   "controller start: unknown user, exit 2, file:line", (p.returncode, p.stderr))

		path = write("raiz-controller")
		p = subprocess.run([ctl, "-n", "-c", path], capture_output=True, text=True, timeout=60)
		ck(p.returncode == 0, "controller -n accepts user raiz-controller", p.stderr)
		log = open(os.path.join(t, "ctl.log"), "wb")
		proc = subprocess.Popen([ctl, "-c", path], stdout=log, stderr=subprocess.STDOUT,
					stdin=subprocess.DEVNULL)
		log.close()
		sock = os.path.join(run, "controller.sock")
		deadline = time.monotonic() + 20
		while time.monotonic() < deadline and proc.poll() is None:
			if os.path.exists(sock) and "running as user" in open(os.path.join(t, "ctl.log")).read():
				break
			time.sleep(0.1)
		time.sleep(0.3)
		ck(proc.poll() is None, "controller running", open(os.path.join(t, "ctl.log")).read())
		if proc.poll() is None:
			st = status(proc.pid)
			ck(st["Uid"].split() == [str(cu.pw_uid)] * 4, "controller Uid raiz-controller's", st["Uid"])
			ck(st["Gid"].split() == [str(cu.pw_gid)] * 4, "controller Gid raiz-controller's", st["Gid"])
			try:
				bird_gid = grp.getgrnam("bird").gr_gid
				ck(str(bird_gid) in st["Groups"].split(), "controller in group bird", st["Groups"])
			except KeyError:
				print("(no group bird here)")
			for c in ("CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"):
				ck(caps(st, c) == 0, "controller %s is 0" % c, st[c])
			ck(st["NoNewPrivs"] == "1", "controller NoNewPrivs 1", st["NoNewPrivs"])
			p = subprocess.run([raizctl, "-c", path, "status"], capture_output=True, text=True,
					   timeout=30)
			ck("node t" in p.stdout, "raizctl status reaches the dropped controller",
			   (p.returncode, p.stdout, p.stderr))
			proc.send_signal(signal.SIGTERM)
			try:
				rc = proc.wait(timeout=20)
			except subprocess.TimeoutExpired:
				rc = None
			ck(rc == 0, "controller exits 0 on SIGTERM", rc)
	finally:
		if proc is not None and proc.poll() is None:
			proc.kill()
			proc.wait()
		shutil.rmtree(t, ignore_errors=True)


# ------------------------------------------------------------------ layout
def t_layout(raiz):
	"""Both daemons as the systemd units run them (never root), in the
	layout of raiz.tmpfiles: run and state directories root:raiz 1775,
	zones/ raiz's; raiz-dnsd's user cannot replace BIRD's state file."""
	section("layout")
	setpriv = shutil.which("setpriv")
	try:
		pwd.getpwnam("raiz-controller")
	except KeyError:
		setpriv = None
	if not setpriv:
		print("(skipped: no setpriv or no user raiz-controller)")
		return
	groups = "raiz" + (",bird" if any(g.gr_name == "bird" for g in grp.getgrall()) else "")
	t = tempfile.mkdtemp(prefix="raiz-t-privs.")
	procs = []
	try:
		os.chmod(t, 0o755)
		run, state = os.path.join(t, "run"), os.path.join(t, "state")
		for d in (run, state):
			os.mkdir(d)
			os.chown(d, 0, raiz.pw_gid)
			os.chmod(d, 0o1775)
		os.mkdir(os.path.join(state, "zones"))
		os.chown(os.path.join(state, "zones"), raiz.pw_uid, raiz.pw_gid)
		os.chmod(os.path.join(state, "zones"), 0o750)
		zf = os.path.join(t, "example.zone")
		with open(zf, "w") as f:
			f.write(zone_text(1))
		os.chmod(zf, 0o644)
		port = raizlab.pick_ports(1, 15300, 15399)[0]
		cfg = {"node": {"identity": "t", "run-dir": run, "state-dir": state, "syslog": False},
		       "dnsd": {"listen": ["127.0.0.1@%d" % port], "user": "raiz"},
		       "zones": [{"name": ZONE, "file": zf}],
		       "controller": {"watchdog": False},
		       "bird": {"socket": os.path.join(t, "bird.ctl")}}
		path = os.path.join(t, "raiz.json")
		with open(path, "w") as f:
			f.write("// t_privs layout\n" + json.dumps(cfg, indent=1) + "\n")
		os.chmod(path, 0o644)
		env = dict(os.environ, INVOCATION_ID="1" * 32)
		dlog = open(os.path.join(t, "dnsd.log"), "wb")
		procs.append(subprocess.Popen(
			[setpriv, "--reuid", "raiz", "--regid", "raiz", "--init-groups",
			 "--inh-caps", "-all,+net_bind_service", "--ambient-caps", "-all,+net_bind_service",
			 "--bounding-set", "-all,+net_bind_service", binary(), "-c", path],
			stdout=dlog, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env))
		dlog.close()
		deadline = time.monotonic() + 20
		got = None
		while time.monotonic() < deadline and procs[0].poll() is None:
			try:
				r = dns.query.udp(dns.message.make_query(ZONE, "SOA"), "127.0.0.1", port=port,
						  timeout=0.5)
				got = r.answer[0][0].serial if r.answer else None
				break
			except Exception:   # noqa: BLE001
				time.sleep(0.1)
		ck(got == 1, "raiz-dnsd as raiz in the tmpfiles layout answers", got)
		clog = open(os.path.join(t, "ctl.log"), "wb")
		procs.append(subprocess.Popen(
			[setpriv, "--reuid", "raiz-controller", "--regid", "raiz-controller",
			 "--groups", groups, "--bounding-set", "-all", controller_bin("raiz-controller"),
			 "-c", path], stdout=clog, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
			env=env))
		clog.close()
		sf = os.path.join(state, "bird-state.conf")
		deadline = time.monotonic() + 20
		while time.monotonic() < deadline and not os.path.exists(sf) and procs[1].poll() is None:
			time.sleep(0.1)
		ck(os.path.exists(sf) and os.stat(sf).st_uid == pwd.getpwnam("raiz-controller").pw_uid,
		   "raiz-controller writes BIRD's state file as its own user",
		   open(os.path.join(t, "ctl.log")).read()[-600:])
		p = subprocess.run([controller_bin("raizctl"), "-c", path, "status"],
				   capture_output=True, text=True, timeout=30)
		ck(re.search(r"dnsd: serving", p.stdout), "the controller reaches raiz-dnsd's socket",
		   (p.stdout, p.stderr))
		evil = subprocess.run(["runuser", "-u", "raiz", "--", "sh", "-c",
				       "echo 'protocol static evil {}' > %s/x.tmp && mv -f %s/x.tmp %s"
				       % (state, state, sf)], capture_output=True, text=True)
		ck(evil.returncode != 0 and "evil" not in open(sf).read(),
		   "raiz-dnsd's user cannot replace BIRD's state file (sticky directory)",
		   (evil.returncode, evil.stderr))
		for pr in reversed(procs):
			pr.send_signal(signal.SIGTERM)
			try:
				rc = pr.wait(timeout=20)
			except subprocess.TimeoutExpired:
				rc = None
			ck(rc == 0, "%s exits 0 on SIGTERM" % os.path.basename(pr.args[-3]), rc)
	finally:
		for pr in procs:
			if pr.poll() is None:
				pr.kill()
				pr.wait()
		shutil.rmtree(t, ignore_errors=True)


def main():
	install_signal_handlers()
	if os.geteuid() != 0:
		print("SKIP: not root")
		return 77
	try:
		raiz = pwd.getpwnam("raiz")
	except KeyError:
		print("SKIP: no user raiz (make deps creates it)")
		return 77
	if not os.access(binary(), os.X_OK):
		print("SKIP: %s not built" % binary())
		return 77
	for f in (t_root, t_modes, t_systemd):
		try:
			f(raiz)
		except Exception as e:   # noqa: BLE001
			ck(False, "%s: ran to the end" % f.__name__[2:], "%s: %s" % (type(e).__name__, e))
	for f in (t_controller, t_layout):
		try:
			f() if f is t_controller else f(raiz)
		except Exception as e:   # noqa: BLE001
			ck(False, "%s: ran to the end" % f.__name__[2:], "%s: %s" % (type(e).__name__, e))
	return ck.done()


if __name__ == "__main__":
	sys.exit(main())

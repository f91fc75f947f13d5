#!/usr/bin/python3
"""t_xfr_crash -- a secondary zone's stored copy survives kill -9 and a full disk.

raiz-dnsd (from $RAIZ_BUILD) is the secondary of big.test., served by a
primary in this process (tests/lib/primary.py HostilePrimary, in its good
and slow modes, TSIG hmac-sha256).  The zone has a small first version
(~450 records) and a large second one (~50,000 records).

  kill -9   the second version is sent slowly (~3 s); when half of it is
            sent raiz-dnsd gets SIGKILL; restarted with the primary down it
            serves the first version at once, record for record; with the
            primary back it takes the large version (compared too)
  full disk the state-dir is a tmpfs (mount -t tmpfs -o size=512k) that
            holds the first copy but not the second: storing the second
            fails with the reason in `zones` last-failure, the verified
            second copy is served from memory while the stored first copy
            stays intact (stored-serial 1), and a restart with the primary
            down serves the first copy at once.  Unmounted on every exit path.  Skipped (with a
            note) when mount is not permitted here.
Exit 0 pass, 1 fail, 77 when dnspython is missing.  Every wait is bounded.
"""

import contextlib
import os
import re
import shutil
import signal
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
	print("t_xfr_crash: SKIP, python3-dnspython missing (run with /usr/bin/python3)")
	sys.exit(77)

import dnsd  # noqa: E402
import raizlab  # noqa: E402
from primary import (PRIMARY_PORTS, Checks, HostilePrimary, RecordSet, Secondary, TsigKey,  # noqa: E402
		     ZoneData, base_records, compare_served, hosts)

Z = "big.test."
BIG_HOSTS = 34000          # ~50,000 records
DISK_REASON = r"no space|enospc|disk|full|quota|room"
ck = Checks("t_xfr_crash")


def section(name):
	print("--- %s" % name, flush=True)


def main():
	dnsd.install_signal_handlers()
	tmp = tempfile.mkdtemp(prefix="raiz-xfr-crash-")
	t0 = time.monotonic()
	try:
		with contextlib.ExitStack() as stack:
			run(stack, tmp)
	except Exception as e:          # noqa: BLE001 -- reported as a failed check
		traceback.print_exc()
		ck(False, "t_xfr_crash ran to the end", "%s: %s" % (e.__class__.__name__, e))
	finally:
		if os.environ.get("RAIZ_KEEP"):
			print("kept %s" % tmp)
		else:
			shutil.rmtree(tmp, ignore_errors=True)
	print("t_xfr_crash: %.1f s" % (time.monotonic() - t0))
	return ck.done()


class Versions:
	"""The two versions of big.test.: text and RecordSet of each."""

	def __init__(self, tmp):
		z = ZoneData(Z, base_records() + hosts(300), os.path.join(tmp, "zone"), serial=1,
			     soa=(3600, 3600, 1209600, 300))
		self.small_text = z.text()
		self.small = RecordSet(z.rrs())
		z.change(add=hosts(BIG_HOSTS, prefix="b"))
		self.big_text = z.text()
		self.big = RecordSet(z.rrs())


def run(stack, tmp):
	key = TsigKey.new("xfr-key")
	t = time.monotonic()
	v = Versions(tmp)
	print("zones: %d and %d records (%.1f s)" % (len(v.small), len(v.big), time.monotonic() - t))
	port = raizlab.pick_ports(1, *PRIMARY_PORTS)[0]
	hp = stack.enter_context(HostilePrimary(Z, v.small_text, key, port=port, per_message=100))
	hp.set_zone(v.big_text)              # parsed once, up front
	hp.set_zone(v.small_text)
	section("kill -9 during a large AXFR")
	kill_during_axfr(stack, tmp, hp, key, v)
	section("full disk: the state-dir cannot hold the next copy")
	full_disk(stack, tmp, hp, key, v)


def new_secondary(stack, key, hp, state_dir=None):
	sec = stack.enter_context(Secondary(keys=[key], state_dir=state_dir))
	sec.nfail = len(ck.failed)
	stack.callback(lambda: done(sec, sec.nfail))
	sec.add_zone(Z, [hp.address], key, allow_transfer=["127.0.0.1"])
	return sec


def done(sec, nfail):
	"""Stop and remove a raiz-dnsd; its log tail first when checks failed
	since nfail (once)."""
	if getattr(sec, "finished", False):
		return
	sec.finished = True
	if len(ck.failed) > nfail:
		print("raiz-dnsd log tail:\n" + sec.log_tail(30))
	sec.cleanup()


def start(sec, what):
	try:
		sec.start()
		return True
	except RuntimeError as e:
		ck(False, "%s: raiz-dnsd starts" % what, e)
		return False


def kill_during_axfr(stack, tmp, hp, key, v):
	nfail = len(ck.failed)
	hp.start()
	sec = new_secondary(stack, key, hp)
	if not start(sec, "kill -9"):
		hp.stop()
		return
	if not ck(sec.wait_serial(Z, 1, timeout=20) is not None, "kill -9: first copy (serial 1) served",
		  sec.zone(Z)):
		hp.stop()
		return
	# the large version, sent slowly: ~500 messages, 6 ms apart
	hp.set_zone(v.big_text)
	hp.mode, hp.delay = "slow", 0.006
	hp.midway.clear()
	hp.notify("127.0.0.1", sec.port)
	if not hp.midway.wait(30):
		sec.command("refresh", zone=Z)
	mid = hp.midway.wait(30)
	ck(mid, "kill -9: the large transfer (serial 2) is under way", sec.zone(Z))
	sec.proc.send_signal(signal.SIGKILL)
	sec.proc.wait()
	hp.stop()
	hp.mode = "good"
	time.sleep(0.2)
	files = sec.stored_files(Z)
	ck.note("state-dir/zones after the kill: %s" % files)
	if not start(sec, "kill -9: restart with the primary down"):
		return
	el = sec.wait_serial(Z, 1, timeout=1.0)
	got = sec.serial(Z)
	ck(el is not None, "kill -9: after the restart the first copy (serial 1) is served at once (< 1 s)",
	   "serial %s; zones: %s" % (got, sec.zone(Z)))
	if got == 1:
		compare_served(ck, sec, Z, v.small, "kill -9: the stored copy is intact", key=key)
	# the primary back: the large version arrives whole
	hp.start()
	hp.notify("127.0.0.1", sec.port)
	t = time.monotonic()
	el = sec.wait_serial(Z, 2, timeout=60)
	if el is None:
		sec.command("refresh", zone=Z)
		el = sec.wait_serial(Z, 2, timeout=30)
	ck(el is not None, "kill -9: with the primary back the large copy (serial 2) is served",
	   sec.zone(Z))
	if el is not None:
		z = sec.zone(Z) or {}
		lt = z.get("last-transfer") or {}
		ck.note("%d records in %.1f s (last-transfer %s)" % (len(v.big), time.monotonic() - t, lt))
		ck(z.get("records") == len(v.big), "kill -9: zones records = %d" % len(v.big), z.get("records"))
		compare_served(ck, sec, Z, v.big, "kill -9: the large copy", key=key)
	rc = sec.stop()
	ck(rc == 0, "kill -9: raiz-dnsd exits 0 on SIGTERM (no sanitizer report)", rc)
	hp.stop()
	done(sec, nfail)


def full_disk(stack, tmp, hp, key, v):
	nfail = len(ck.failed)
	mnt = os.path.join(tmp, "state")
	os.makedirs(mnt)
	p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "raiz-xfr-test", mnt],
			   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
	if p.returncode != 0:
		ck.note("full disk: SKIPPED, mount -t tmpfs failed here: %s" % p.stdout.strip())
		return
	stack.callback(umount, mnt)
	hp.set_zone(v.small_text, keep_prev=False)
	hp.mode = "good"
	hp.start()
	stack.callback(hp.stop)
	sec = new_secondary(stack, key, hp, state_dir=mnt)
	if not start(sec, "full disk"):
		return
	if not ck(sec.wait_serial(Z, 1, timeout=20) is not None, "full disk: first copy (serial 1) served",
		  sec.zone(Z)):
		return
	time.sleep(0.5)
	st = os.statvfs(mnt)
	ck.note("state-dir %s: %s; %d of %d KiB free" % (mnt, sec.stored_files(Z),
							 st.f_bavail * st.f_frsize // 1024, st.f_blocks * st.f_frsize // 1024))
	ck(sec.stored_files(Z), "full disk: the first copy is stored in <state-dir>/zones/", sec.stored_files(Z))
	z0 = sec.zone(Z) or {}
	prev = (z0.get("last-failure"), z0.get("failures"))
	hp.set_zone(v.big_text)
	hp.notify("127.0.0.1", sec.port)
	# the new copy is published first and stored after: wait for the store's verdict
	z, ok = sec.wait_zone(Z, lambda z: (z.get("last-failure"), z.get("failures")) != prev,
			      timeout=60)
	f = (z or {}).get("last-failure") or {}
	ck.note("full disk: last-failure %s" % f)
	ck(ok and re.search(DISK_REASON, f.get("reason", ""), re.I),
	   "full disk: storing the large copy failed, last-failure says why (/%s/)" % DISK_REASON, f or z)
	ck(re.search(r"serving it from memory", f.get("reason", "")) and "stored serial 1" in f.get("reason", ""),
	   "full disk: last-failure says the new copy is served from memory and which serial is stored",
	   f.get("reason"))
	# the verified new copy is served (fresher data beats older data); the
	# stored copy stays the previous one, intact, and a restart serves it
	got = sec.serial(Z)
	ck(got == 2, "full disk: the verified new copy (serial 2) is served from memory", got)
	ck((sec.zone(Z) or {}).get("stored-serial") == 1,
	   "full disk: zones says stored-serial 1 (what a restart would serve)", sec.zone(Z))
	m = re.search(r"^.*zone big\.test\.:.*(%s).*$" % DISK_REASON, sec.log(), re.I | re.M)
	ck(m, "full disk: a log line names the zone and the reason", sec.log_tail(5))
	if m:
		ck.note("full disk: log: %s" % m.group(0))
	rc = sec.stop()
	ck(rc == 0, "full disk: raiz-dnsd exits 0 on SIGTERM", rc)
	hp.stop()
	if not start(sec, "full disk: restart with the primary down"):
		return
	el = sec.wait_serial(Z, 1, timeout=1.0)
	got = sec.serial(Z)
	ck(el is not None, "full disk: after the restart the first copy (serial 1) is served at once (< 1 s)",
	   "serial %s; zones: %s" % (got, sec.zone(Z)))
	if got == 1:
		compare_served(ck, sec, Z, v.small, "full disk: the stored copy is intact", key=key)
	rc = sec.stop()
	ck(rc == 0, "full disk: raiz-dnsd exits 0 on SIGTERM (no sanitizer report)", rc)
	done(sec, nfail)


def umount(mnt):
	for args in (["umount", mnt], ["umount", "-l", mnt]):
		if subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
			return


if __name__ == "__main__":
	sys.exit(main())

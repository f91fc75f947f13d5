#!/usr/bin/python3
"""t_zonefile -- what raiz-dnsd does with zone files that are not zone files
(issue 11: each of these hung `raiz-dnsd -n` or a reload, or loaded junk).

  junk       a file holding only "garbage line": -n refuses it with
	     file:1: unknown type 'line' (it used to load as a TYPE0 record)
  fifo       a zone file that is a FIFO nobody writes to, a $INCLUDE of one,
	     a $INCLUDE of /dev/zero, a directory: -n refuses each at once
	     with file: reason, and so does a reload of a running server,
	     which keeps serving the previous version; SIGTERM still stops it
  symlink    a symbolic link to a regular zone file loads
"""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from dnsd import Checks, Dnsd, install_signal_handlers, zone_text  # noqa: E402

ZONE = "example."


def main():
	install_signal_handlers()
	ck = Checks("t_zonefile")
	with Dnsd({ZONE: zone_text(serial=1)}) as d:
		path = d.zone_files[ZONE]

		# ---- -n on bad files ----
		def check_n(what, needle):
			t0 = time.monotonic()
			try:
				rc, out = d.run_check(timeout=60)
			except subprocess.TimeoutExpired:
				ck(False, "-n with %s: returns" % what, "still running after 60 s")
				return
			ck(rc == 1 and needle in out, "-n with %s: refused with '%s' (%.1f s)"
			   % (what, needle, time.monotonic() - t0), out.strip()[-300:])

		d.zone_write(ZONE, "garbage line\n")
		check_n("a file of junk", "%s:1: unknown type 'line'" % path)

		os.unlink(path)
		os.mkfifo(path)
		check_n("a FIFO", "%s: not a regular file (a FIFO)" % path)
		os.unlink(path)

		fifo = os.path.join(d.dir, "fifo.zone")
		os.mkfifo(fifo)
		d.zone_write(ZONE, zone_text(serial=1, extra="$INCLUDE fifo.zone\n"))
		check_n("a $INCLUDE of a FIFO", "$INCLUDE %s: not a regular file (a FIFO)" % fifo)
		d.zone_write(ZONE, zone_text(serial=1, extra="$INCLUDE /dev/zero\n"))
		check_n("a $INCLUDE of /dev/zero",
			"$INCLUDE /dev/zero: not a regular file (a character device)")
		os.unlink(path)
		os.mkdir(path)
		check_n("a directory", "%s: not a regular file (a directory)" % path)
		os.rmdir(path)

		# ---- a symbolic link to a zone file ----
		real = os.path.join(d.dir, "real.zone")
		with open(real, "w") as f:
			f.write(zone_text(serial=1))
		os.symlink(real, path)
		rc, out = d.run_check()
		ck(rc == 0, "-n with a symbolic link to a zone file: loads", out.strip()[-300:])

		# ---- reload of a running server ----
		d.start()
		ck(d.serial(ZONE) == 1, "serving serial 1")
		os.unlink(path)
		os.mkfifo(path)
		for what, setup, needle in (
			("the zone file replaced by a FIFO", None, "not a regular file (a FIFO)"),
			("a $INCLUDE of /dev/zero", "/dev/zero", "/dev/zero: not a regular file"),
			("a $INCLUDE of a FIFO", "fifo.zone", "fifo.zone: not a regular file (a FIFO)"),
		):
			if setup:
				os.unlink(path)
				d.zone_write(ZONE, zone_text(serial=2, extra="$INCLUDE %s\n" % setup))
			t0 = time.monotonic()
			try:
				rep = d.control("reload", timeout=60)
			except OSError as e:
				rep = {"error": str(e)}
			ck(rep.get("ok") is True, "reload with %s: completes (%.1f s)" % (what, time.monotonic() - t0), rep)
			st = d.control("status")
			z = {x["name"]: x for x in st.get("zones", [])}.get(ZONE, {})
			ck(needle in (z.get("error") or ""), "reload with %s: the zone's error says so" % what, z)
			ck(d.serial(ZONE) == 1, "reload with %s: serial 1 still served" % what)
		t0 = time.monotonic()
		d.signal(signal.SIGTERM)
		try:
			d.proc.wait(timeout=20)
			ck(d.proc.returncode == 0, "SIGTERM after those reloads: exits 0 (%.1f s)"
			   % (time.monotonic() - t0), d.proc.returncode)
		except subprocess.TimeoutExpired:
			ck(False, "SIGTERM after those reloads: exits", "still running after 20 s")
	return ck.done()


if __name__ == "__main__":
	sys.exit(main())

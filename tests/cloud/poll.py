#!/usr/bin/python3
"""tests/cloud/poll.py — the cloud lab's client: a DNS query every few ms,
directly to the anycast address and through the resolver, and the
analysis of what it saw around a fault.

  poll.py run OUT [--direct ADDR] [--resolver ADDR] [--interval S]
                  [--timeout S] [--seconds S]
      Runs until SIGTERM/SIGINT (or S seconds), then waits for the answers
      still due.  One line per query in OUT, as soon as it is final:
          D|R SEQ T_SEND T_RECV STATUS NSID
      D = direct (www.example. A, RD=0, with the NSID option), R = through
      the resolver (a new name under the *.w.example. wildcard each time, so
      that the resolver asks the cloud every time).  STATUS: ok (NOERROR with
      exactly the expected A), wrong (other data), fail or lost
      (no answer within the timeout, T_RECV = -); fail: an error rcode (SERVFAIL,
      REFUSED) instead of the answer.  Times are the wall clock
      (comparable with bash's $EPOCHREALTIME).
  poll.py analyze OUT --fault T0 --repair T1 [--end T2] [--node n1]
      One JSON object: for the direct and the resolver streams, the outage
      after the fault and after the repair (see analyze()).
"""
import argparse
import json
import os
import random
import select
import signal
import socket
import sys
import time

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

EXPECT = "198.51.100.80"


def make_query(qname, rd, nsid):
    opts = [dns.edns.GenericOption(dns.edns.NSID, b"")] if nsid else []
    q = dns.message.make_query(qname, "A", use_edns=0, options=opts, payload=1232)
    if not rd:
        q.flags &= ~dns.flags.RD
    return q


def judge(wire, q):
    """(status, nsid) of an answer to q"""
    try:
        r = dns.message.from_wire(wire)
    except Exception:
        return "wrong", "-"
    nsid = "-"
    for o in r.options:
        if o.otype == dns.edns.NSID:
            data = getattr(o, "data", None)
            if data is None:
                data = getattr(o, "nsid", b"")
            nsid = data.decode("ascii", "replace") or "-"
    if r.rcode() != dns.rcode.NOERROR:
        return "fail", nsid
    got = set()
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.A:
            got.update(rd.address for rd in rrset)
    return ("ok" if got == {EXPECT} else "wrong"), nsid


class Stream:
    def __init__(self, kind, addr, rd, nsid):
        self.kind, self.addr, self.rd, self.nsid = kind, addr, rd, nsid
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.out = {}   # id -> (seq, t_send, query)
        self.seq = 0
        self.tag = "%x" % random.getrandbits(24)

    def send(self, now):
        self.seq += 1
        if self.kind == "D":
            qname = "www.example."
        else:
            qname = "p%d-%s.w.example." % (self.seq, self.tag)
        q = make_query(qname, self.rd, self.nsid)
        while q.id in self.out:
            q.id = random.getrandbits(16)
        try:
            self.sock.sendto(q.to_wire(), (self.addr, 53))
        except OSError:
            pass   # no route for a moment: it will count as lost
        self.out[q.id] = (self.seq, now, q)

    def receive(self, emit):
        while True:
            try:
                wire = self.sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue
            now = time.time()
            if len(wire) < 2:
                continue
            qid = int.from_bytes(wire[:2], "big")
            ent = self.out.pop(qid, None)
            if ent is None:
                continue   # late (already counted lost) or stray
            seq, ts, q = ent
            status, nsid = judge(wire, q)
            emit("%s %d %.6f %.6f %s %s" % (self.kind, seq, ts, now, status, nsid))

    def expire(self, now, timeout, emit):
        for qid, (seq, ts, _) in list(self.out.items()):
            if now - ts > timeout:
                del self.out[qid]
                emit("%s %d %.6f - lost -" % (self.kind, seq, ts))


def run(a):
    streams = []
    if a.direct:
        streams.append(Stream("D", a.direct, False, True))
    if a.resolver:
        streams.append(Stream("R", a.resolver, True, False))
    f = open(a.out, "a", buffering=1)
    stop = [False]

    def on_signal(*_):
        stop[0] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    emit = lambda line: f.write(line + "\n")
    t_end = time.time() + a.seconds if a.seconds else None
    nxt = time.time()
    socks = {s.sock: s for s in streams}
    while True:
        now = time.time()
        if stop[0] or (t_end and now >= t_end):
            break
        if now >= nxt:
            for s in streams:
                s.send(now)
            nxt += a.interval
            if nxt < now:   # late (loaded machine): do not burst
                nxt = now + a.interval
        r, _, _ = select.select(list(socks), [], [], max(0.0, min(nxt - time.time(), a.interval)))
        for sock in r:
            socks[sock].receive(emit)
        now = time.time()
        for s in streams:
            s.expire(now, a.timeout, emit)
    deadline = time.time() + a.timeout
    while any(s.out for s in streams) and time.time() < deadline + 0.05:
        r, _, _ = select.select(list(socks), [], [], 0.02)
        for sock in r:
            socks[sock].receive(emit)
        for s in streams:
            s.expire(time.time(), a.timeout, emit)
    for s in streams:
        s.expire(float("inf"), 0, emit)
    f.close()


def load(path):
    rows = {"D": [], "R": []}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) != 6:
                continue
            rows[p[0]].append((float(p[2]), None if p[3] == "-" else float(p[3]), p[4], p[5]))
    for k in rows:
        rows[k].sort()
    return rows


def window(rows, t0, t1):
    return [r for r in rows if t0 <= r[0] < t1]


def outage(rows, t0, t1):
    """Queries sent in [t0, t1): bad ones, the time from t0 to the first
    good answer after the last bad one (0 when none was bad), and the
    slowest answer (a resolver retrying hides an outage as latency)."""
    w = window(rows, t0, t1)
    lost = sum(1 for r in w if r[2] == "lost")
    wrong = sum(1 for r in w if r[2] == "wrong")
    fail = sum(1 for r in w if r[2] == "fail")
    last_bad = max((i for i, r in enumerate(w) if r[2] != "ok"), default=None)
    if last_bad is None:
        t = 0.0
    else:
        after = [r for r in w[last_bad + 1:] if r[2] == "ok"]
        t = (min(r[1] for r in after) - t0) if after else None
    rtts = [r[1] - r[0] for r in w if r[1] is not None]
    return {"time": t, "lost": lost, "wrong": wrong, "fail": fail, "queries": len(w),
            "max_rtt": max(rtts) if rtts else None}


def first_from(rows, t0, t1, pred):
    """time from t0 to the first ok answer (to a query sent in [t0, t1))
    whose NSID satisfies pred; the bad queries sent before it"""
    w = window(rows, t0, t1)
    for i, r in enumerate(w):
        if r[2] == "ok" and pred(r[3]):
            bad = w[:i]
            return {"time": r[1] - t0, "lost": sum(1 for x in bad if x[2] == "lost"),
                    "wrong": sum(1 for x in bad if x[2] == "wrong"),
                    "fail": sum(1 for x in bad if x[2] == "fail"), "nsid": r[3]}
    return {"time": None, "lost": sum(1 for x in w if x[2] == "lost"),
            "wrong": sum(1 for x in w if x[2] == "wrong"),
            "fail": sum(1 for x in w if x[2] == "fail"), "nsid": None}


def analyze(a):
    rows = load(a.out)
    end = a.end if a.end else float("inf")
    t0, t1 = a.fault, a.repair
    d = rows["D"]
    res = {
        # direct: the first correct answer from another node after the
        # fault, and from the node again after the repair; what was lost or
        # wrong in between; and everything bad in the whole window
        "direct_move": first_from(d, t0, t1, lambda n: n not in (a.node, "-")),
        "direct_back": first_from(d, t1, end, lambda n: n == a.node),
        "direct_fault": outage(d, t0, t1),
        "direct_repair": outage(d, t1, end),
        # through the resolver there is no NSID: the outage seen
        "resolver_fault": outage(rows["R"], t0, t1),
        "resolver_repair": outage(rows["R"], t1, end),
        # the NSIDs answering at the end of the window
        "last_nsids": sorted({r[3] for r in window(d, end - 0.5, end) if r[2] == "ok"})
        if a.end else None,
    }
    json.dump(res, sys.stdout)
    sys.stdout.write("\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("out")
    r.add_argument("--direct")
    r.add_argument("--resolver")
    r.add_argument("--interval", type=float, default=0.01)
    r.add_argument("--timeout", type=float, default=2.0)
    r.add_argument("--seconds", type=float, default=0)
    z = sub.add_parser("analyze")
    z.add_argument("out")
    z.add_argument("--fault", type=float, required=True)
    z.add_argument("--repair", type=float, required=True)
    z.add_argument("--end", type=float)
    z.add_argument("--node", default="n1")
    a = ap.parse_args()
    if a.cmd == "run":
        if not 0.001 <= a.interval <= 10 or not 0.01 <= a.timeout <= 30:
            ap.error("interval 1 ms..10 s, timeout 10 ms..30 s")
        run(a)
    else:
        analyze(a)


if __name__ == "__main__":
    main()

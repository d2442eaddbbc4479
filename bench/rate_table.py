#!/usr/bin/env python3
"""rate_table.py: the error bound against clocks that run at another rate.

For each build (a directory holding ntpquery, e.g. the tree before and
after a change), each rate (ppm) and each path (clean loopback, or through
bench/relay.c with 0.5 ms each way and exponential jitter), run
`ntpquery -j -p 4 --gap GAP` RUNS times against tests/ntp-testserver
--rate PPM (root delay and dispersion 0: nothing hides a miss), and print
median and maximum error, median bound, the share of runs whose bound
holds, and how many runs called the samples inconsistent (one sample used
of four).  The truth is the server's offset at the last reply's arrival
(t4): the offset at the epoch plus rate times the time since.  Loopback
only, random ports; never touches the clock.

  bench/rate_table.py [--runs N] [--gap MS] [--jobs N] [--rates 0,50,...] NAME=DIR...
"""
import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRV = os.path.join(ROOT, "build/tests/ntp-testserver")
RELAY = os.path.join(ROOT, "build/bench-relay")
OFF = 0.0123


def iso(s):
    # 2026-12-02T14:51:25.335449178Z -> Unix seconds (ns kept)
    day, frac = s.rstrip("Z").split(".")
    t = datetime.datetime.strptime(day, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return t.timestamp() + int(frac.ljust(9, "0")) / 1e9


def start(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p


def job(build, bdir, rate, path, runs, gap, epoch):
    procs = []
    try:
        srv = start([SRV, "--lifetime", "900", "--offset", str(OFF), "--rate", str(rate),
                     "--rate-epoch", str(epoch), "--root-delay", "0", "--root-disp", "0"])
        procs.append(srv)
        port = int(srv.stdout.readline())
        if path == "jitter":
            for seed in range(1, 20):
                rp = random.randint(20000, 60000)
                r = subprocess.Popen([RELAY, "--listen", "127.0.0.1:%d" % rp, "--server",
                                      "127.0.0.1:%d" % port, "--out", "0.5:0.2:exp", "--back",
                                      "0.5:0.2:exp", "--seed", str(seed), "--lifetime", "900"],
                                     stderr=subprocess.DEVNULL)
                time.sleep(0.1)
                if r.poll() is None:
                    procs.append(r)
                    port = rp
                    break
        rows = []
        for _ in range(runs):
            out = subprocess.run([os.path.join(bdir, "ntpquery"), "-j", "-p", "4", "--gap", str(gap),
                                  "127.0.0.1:%d" % port], capture_output=True, text=True)
            try:
                j = json.loads(out.stdout)
                res = j["result"]
                src = j["sources"][0]
                t4 = max(iso(q["t4"]) for q in src["requests"] if q["outcome"] == "ok")
                truth = OFF + rate * 1e-6 * (t4 - epoch)
                err = res["offset"] - truth
                nok = sum(1 for q in src["requests"] if q["outcome"] == "ok")
                flagged = nok >= 2 and src["estimator"] in ("single", "min-delay")
                rows.append((err, res["error_bound"], flagged))
            except (ValueError, KeyError, TypeError):
                rows.append(None)
        return build, rate, path, rows
    finally:
        for p in procs:
            p.kill()
            p.wait()


def fmt(s):
    if s != s:
        return "-"
    a = abs(s)
    if a < 1e-3:
        return "%.1f us" % (s * 1e6)
    return "%.2f ms" % (s * 1e3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--gap", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--rates", default="0,50,-50,100,-100,500,-500,1000,-1000")
    ap.add_argument("--paths", default="clean,jitter")
    ap.add_argument("builds", nargs="+")
    a = ap.parse_args()
    builds = [b.split("=", 1) for b in a.builds]
    rates = [float(r) for r in a.rates.split(",")]
    paths = a.paths.split(",")
    epoch = time.time()
    tasks = [(b, d, r, p) for r in rates for p in paths for b, d in builds]
    with ThreadPoolExecutor(a.jobs) as ex:
        res = list(ex.map(lambda t: job(t[0], t[1], t[2], t[3], a.runs, a.gap, epoch), tasks))
    print("ntpquery -j -p 4 --gap %d, %d runs per row, root distance 0" % (a.gap, a.runs))
    print("%-7s %-6s %-7s %11s %11s %11s %9s %12s" % ("rate", "path", "build", "|err| p50", "|err| max",
                                                    "bound p50", "inside", "inconsistent"))
    for build, rate, path, rows in res:
        ok = [r for r in rows if r is not None]
        errs = [abs(r[0]) for r in ok]
        bounds = [r[1] for r in ok]
        inside = sum(1 for r in ok if abs(r[0]) <= r[1])
        flagged = sum(1 for r in ok if r[2])
        print("%+5g   %-6s %-7s %11s %11s %11s %6d/%-2d %9d/%-2d" % (
            rate, path, build, fmt(statistics.median(errs)) if errs else "-",
            fmt(max(errs)) if errs else "-", fmt(statistics.median(bounds)) if bounds else "-",
            inside, len(rows), flagged, len(rows)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

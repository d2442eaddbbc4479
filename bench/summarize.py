#!/usr/bin/env python3
"""Summarise bench/results/raw.csv: one table, ntpupdate beside the peers,
then the issue's targets checked against the best peer of the same run."""
import csv
import sys
from collections import defaultdict


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def fmt_t(s):
    if s != s:
        return "-"
    if s < 1e-3:
        return "%.0f us" % (s * 1e6)
    if s < 1:
        return "%.1f ms" % (s * 1e3)
    return "%.2f s" % s


rows = defaultdict(list)
order = []
for r in csv.DictReader(open(sys.argv[1])):
    key = (r["scenario"], r["client"])
    if key not in rows:
        order.append(key)
    rows[key].append(r)

stats = {}
print("%-8s %-10s %5s %9s %9s %11s %11s %9s" % ("scenario", "client", "ok", "wall p50", "requests",
                                                "|err| p50", "|err| p95", "in bound"))
for key in order:
    rs = rows[key]
    ok = [r for r in rs if r["ok"] == "1"]
    errs = [abs(float(r["offset"])) for r in ok]
    walls = [float(r["wall_s"]) for r in rs]
    reqs = [int(r["requests"]) for r in rs]
    bounded = [r for r in ok if r["bound"] not in ("", "-")]
    inb = sum(1 for r in bounded if abs(float(r["offset"])) <= float(r["bound"]))
    st = dict(ok=len(ok), n=len(rs), wall=pct(walls, 0.5), req=pct(reqs, 0.5), maxreq=max(reqs),
              e50=pct(errs, 0.5), e95=pct(errs, 0.95))
    stats[key] = st
    print("%-8s %-10s %2d/%-2d %9s %9.1f %11s %11s %9s" % (
        key[0], key[1], st["ok"], st["n"], fmt_t(st["wall"]), st["req"], fmt_t(st["e50"]),
        fmt_t(st["e95"]), ("%d/%d" % (inb, len(bounded))) if bounded else "-"))

print()
fails = 0


def check(name, cond, detail):
    global fails
    print("%s: %s (%s)" % ("PASS" if cond else "FAIL", name, detail))
    if not cond:
        fails += 1


def peers(sc):
    return [(k, v) for k, v in stats.items() if k[0] == sc and not k[1].startswith("ntpupdate") and v["ok"] > 0]


scen = {k[0] for k in stats}
if "clean" in scen and ("clean", "ntpupdate") in stats:
    me = stats[("clean", "ntpupdate")]
    multi = [(k, v) for k, v in peers("clean") if v["req"] > 1]
    if multi:
        fastest = min(multi, key=lambda kv: kv[1]["wall"])
        check("clean: wall <= 1/10 of the fastest multi-sample peer", me["wall"] <= fastest[1]["wall"] / 10,
              "%s vs %s %s" % (fmt_t(me["wall"]), fastest[0][1], fmt_t(fastest[1]["wall"])))
    best = min(peers("clean"), key=lambda kv: kv[1]["e95"])
    check("clean: |err| p95 no worse than the best peer's", me["e95"] <= best[1]["e95"],
          "%s vs %s %s" % (fmt_t(me["e95"]), best[0][1], fmt_t(best[1]["e95"])))
if "exp" in scen and ("exp", "ntpupdate") in stats:
    me = stats[("exp", "ntpupdate")]
    b50 = min(peers("exp"), key=lambda kv: kv[1]["e50"])
    b95 = min(peers("exp"), key=lambda kv: kv[1]["e95"])
    check("exp: |err| p50 <= 0.9 x best peer", me["e50"] <= 0.9 * b50[1]["e50"],
          "%s vs %s %s" % (fmt_t(me["e50"]), b50[0][1], fmt_t(b50[1]["e50"])))
    check("exp: |err| p95 <= 0.9 x best peer", me["e95"] <= 0.9 * b95[1]["e95"],
          "%s vs %s %s" % (fmt_t(me["e95"]), b95[0][1], fmt_t(b95[1]["e95"])))
    check("exp: at most 4 requests per server", me["maxreq"] <= 4, "max %d" % me["maxreq"])
if "uniform" in scen and ("uniform", "ntpupdate") in stats:
    me = stats[("uniform", "ntpupdate")]
    b50 = min(peers("uniform"), key=lambda kv: kv[1]["e50"])
    check("uniform+loss: every run answers", me["ok"] == me["n"], "%d/%d" % (me["ok"], me["n"]))
    check("uniform+loss: |err| p50 <= 0.8 x best peer", me["e50"] <= 0.8 * b50[1]["e50"],
          "%s vs %s %s" % (fmt_t(me["e50"]), b50[0][1], fmt_t(b50[1]["e50"])))
if "asym" in scen and ("asym", "ntpupdate") in stats:
    rs = [r for r in rows[("asym", "ntpupdate")] if r["ok"] == "1"]
    inb = sum(1 for r in rs if abs(float(r["offset"])) <= float(r["bound"]))
    check("asym: the -d error bound contains the true offset", rs and inb == len(rs), "%d/%d runs" % (inb, len(rs)))
for sc in sorted(x for x in scen if x.startswith("drift")):
    for cl in ("ntpupdate", "ntpupdate-p4"):
        rs = [r for r in rows.get((sc, cl), []) if r["ok"] == "1"]
        if rs:
            inb = sum(1 for r in rs if abs(float(r["offset"])) <= float(r["bound"]))
            check("%s %s: the -d error bound contains the true offset" % (sc, cl), inb == len(rs),
                  "%d/%d runs" % (inb, len(rs)))
print("targets: %d failed" % fails)

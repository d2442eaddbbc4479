#!/usr/bin/env python3
"""Summarise the benchmark: bench/summarize.py RAW.csv [--scaling SCALING.csv]

One table, ntpupdate beside the peers, then every target of the issues
checked against the best peer of the same runs, each figure with a
bootstrap 90 % interval.  Runs are paired: run r of a scenario gave every
client the same delay sequence (bench.sh reseeds the relays per run), so
the bootstrap draws run numbers and keeps each draw's clients together;
the best peer is chosen again in every draw.  A run without an answer
counts as an infinite error in the ratios.  A target is MET only when the
whole interval is on the right side, NOT MET when it is wholly on the
wrong side, UNSURE otherwise, and FEW RUNS below MIN_RUNS runs (an
interval from a handful of runs means nothing).  Then the scaling table
(medians)."""
import csv
import math
import random
import sys
from collections import defaultdict

B = 2000          # bootstrap draws
LEVEL = 0.90      # two-sided interval
MIN_RUNS = 20     # fewer runs than this judge nothing
INF = float("inf")
rng = random.Random(15)


def pct(xs, p):
    """Linear-interpolated percentile; infinite values sort last."""
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    frac = k - lo
    if frac == 0 or xs[hi] == xs[lo]:
        return xs[lo]
    if math.isinf(xs[hi]):
        return INF
    return xs[lo] + (xs[hi] - xs[lo]) * frac


def ratio(a, b):
    if a == b:
        return 1.0
    if b == 0 or math.isinf(a):
        return INF
    if math.isinf(b):
        return 0.0
    return a / b


def fmt_t(s):
    if s != s:
        return "-"
    if math.isinf(s):
        return "inf"
    a = abs(s)
    if a < 1e-3:
        return "%.0f us" % (s * 1e6)
    if a < 1:
        return "%.1f ms" % (s * 1e3)
    return "%.2f s" % s


def fmt_r(r):
    return "inf" if math.isinf(r) else "%.2f" % r


def interval(values):
    lo = pct(values, (1 - LEVEL) / 2)
    hi = pct(values, 1 - (1 - LEVEL) / 2)
    return lo, hi


def bootstrap(runs, stat):
    """stat(list of run numbers) -> float, over B paired resamples."""
    out = []
    for _ in range(B):
        out.append(stat([rng.choice(runs) for _ in runs]))
    return interval(out)


# ---- the scenarios -------------------------------------------------------
rows = defaultdict(dict)       # (scenario, client) -> run -> row
order = []
args = sys.argv[1:]
scaling_csv = None
if "--scaling" in args:
    i = args.index("--scaling")
    scaling_csv = args[i + 1]
    del args[i:i + 2]
for r in csv.DictReader(open(args[0])):
    key = (r["scenario"], r["client"])
    if key not in rows:
        order.append(key)
    rows[key][int(r["run"])] = r


def err(r):
    return abs(float(r["offset"])) if r["ok"] == "1" else INF


def bounded(r):
    return r["ok"] == "1" and r["bound"] not in ("", "-")


def contains(r):
    return bounded(r) and abs(float(r["offset"])) <= float(r["bound"])


def num(v, default=None):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


if order:
    print("%-8s %-10s %5s %9s %5s %6s %7s %10s %10s %8s" % (
        "scenario", "client", "ok", "wall p50", "req", "/addr", "min gap", "|err| p50", "|err| p95",
        "in bound"))
for key in order:
    rs = list(rows[key].values())
    ok = [r for r in rs if r["ok"] == "1"]
    errs = [err(r) for r in ok]
    walls = [float(r["wall_s"]) for r in rs]
    reqs = [int(r["requests"]) for r in rs]
    per = [int(r["max_per_addr"]) for r in rs if r.get("max_per_addr", "") not in ("", None)]
    gaps = [num(r.get("min_gap_s")) for r in rs]
    gaps = [g for g in gaps if g is not None]
    bd = [r for r in rs if bounded(r)]
    print("%-8s %-10s %2d/%-2d %9s %5.1f %6s %7s %10s %10s %8s" % (
        key[0], key[1], len(ok), len(rs), fmt_t(pct(walls, 0.5)), pct(reqs, 0.5),
        max(per) if per else "-", fmt_t(min(gaps)) if gaps else "-",
        fmt_t(pct(errs, 0.5)), fmt_t(pct(errs, 0.95)),
        ("%d/%d" % (sum(1 for r in bd if contains(r)), len(bd))) if bd else "-"))

verdicts = defaultdict(int)


def judge(name, point, lo, hi, limit, shown=fmt_r, n=MIN_RUNS):
    """point and its interval [lo, hi], from n runs, against 'at most limit'."""
    v = "MET" if hi <= limit else ("NOT MET" if lo > limit else "UNSURE")
    if n < MIN_RUNS:
        v = "FEW RUNS"
    verdicts[v] += 1
    print("%-8s %s: %s [%s, %s], limit %s" % (v, name, shown(point), shown(lo), shown(hi), shown(limit)))


def count_target(name, good, n):
    v = "MET" if n > 0 and good == n else "NOT MET"
    if v == "MET" and n < MIN_RUNS:
        v = "FEW RUNS"
    verdicts[v] += 1
    extra = ""
    if n > 0 and good == n:
        # 90 % upper confidence bound on the failure rate, none seen in n runs
        extra = "; failure rate below %.1f %% at 90 %% confidence" % (100 * (1 - 0.1 ** (1 / n)))
    print("%-8s %s: %d/%d runs%s" % (v, name, good, n, extra))


def info(text):
    print("info     " + text)


def clients(sc):
    return [k[1] for k in order if k[0] == sc]


def paired_runs(sc):
    """ntpupdate's runs (every run of the scenario).  A slow peer may have
    made only the first few (bench.sh SLOW_PEER_RUNS): each client's
    figure is then taken over the runs of a draw it made, so it is still
    paired run by run with ntpupdate's over those."""
    if (sc, "ntpupdate") in rows:
        return sorted(rows[(sc, "ntpupdate")])
    sets = [set(rows[(sc, c)]) for c in clients(sc)]
    return sorted(set.union(*sets)) if sets else []


def err_stat(sc, client, runs, p):
    have = rows[(sc, client)]
    return pct([err(have[r]) for r in runs if r in have], p)


def err_ratio(sc, p, limit, name, target=True):
    """ntpupdate's p-th percentile error over the best peer's, paired."""
    runs = paired_runs(sc)
    peers = [c for c in clients(sc) if c != "ntpupdate"]
    if "ntpupdate" not in clients(sc) or not peers or not runs:
        return

    def best_of(rr):
        # a peer with no run in the draw (a slow one, run in the first few
        # only) has no figure there: the best of the others
        v = [x for x in (err_stat(sc, c, rr, p) for c in peers) if not math.isnan(x)]
        return min(v) if v else float("nan")

    def stat(rr):
        return ratio(err_stat(sc, "ntpupdate", rr, p), best_of(rr))

    best = min(peers, key=lambda c: err_stat(sc, c, runs, p))
    lo, hi = bootstrap(runs, stat)
    label = "%s: |err| p%d / best peer's (%s: %s vs %s)" % (
        sc, round(p * 100), best, fmt_t(err_stat(sc, "ntpupdate", runs, p)), fmt_t(err_stat(sc, best, runs, p)))
    if target:
        judge(label, stat(runs), lo, hi, limit, n=len(runs))
    else:
        info("%s: %s [%s, %s]" % (label, fmt_r(stat(runs)), fmt_r(lo), fmt_r(hi)))


def wall_median(sc, client, runs):
    have = rows[(sc, client)]
    return pct([float(have[r]["wall_s"]) for r in runs if r in have], 0.5)


def mine(sc):
    return [r for _, r in sorted(rows.get((sc, "ntpupdate"), {}).items())]


def politeness(sc, max_per_addr=4, min_gap=1.995):
    rs = mine(sc)
    if not rs:
        return
    good = sum(1 for r in rs if int(r["max_per_addr"] or 0) <= max_per_addr
               and (num(r["min_gap_s"]) is None or num(r["min_gap_s"]) >= min_gap))
    count_target("%s: at most %d requests per address, %.0f s apart" % (sc, max_per_addr, round(min_gap)),
                 good, len(rs))


def bound_target(sc):
    rs = mine(sc)
    if rs:
        count_target("%s: the -d error bound contains the true offset" % sc, sum(1 for r in rs if contains(r)),
                     len(rs))


if order:
    print()
scen = [k[0] for k in order if k[1] == "ntpupdate"]
for sc in scen:
    runs = paired_runs(sc)
    peers = [c for c in clients(sc) if c != "ntpupdate"]
    if sc == "clean" and peers:
        multi = [c for c in peers if pct([int(rows[("clean", c)][r]["requests"]) for r in runs], 0.5) > 1]
        if multi:
            fastest = min(multi, key=lambda c: wall_median(sc, c, runs))
            lo, hi = bootstrap(runs, lambda rr: ratio(wall_median(sc, "ntpupdate", rr),
                                                       min(wall_median(sc, c, rr) for c in multi)))
            judge("clean: wall p50 / fastest multi-sample peer's (%s)" % fastest,
                  ratio(wall_median(sc, "ntpupdate", runs), min(wall_median(sc, c, runs) for c in multi)),
                  lo, hi, 0.1, n=len(runs))

        def diff(rr):
            return err_stat(sc, "ntpupdate", rr, 0.95) - min(err_stat(sc, c, rr, 0.95) for c in peers)
        lo, hi = bootstrap(runs, diff)
        # offsets are printed to 1 us: allow for the rounding of the float
        judge("clean: |err| p95 - best peer's p95", diff(runs), lo, hi, 1e-6 + 5e-9, fmt_t, len(runs))
    elif sc == "exp":
        err_ratio(sc, 0.5, 0.9, sc)
        err_ratio(sc, 0.95, 0.9, sc)
        politeness(sc)
    elif sc == "uniform":
        rs = mine(sc)
        count_target("uniform: every run answers", sum(1 for r in rs if r["ok"] == "1"), len(rs))
        err_ratio(sc, 0.5, 0.8, sc)
    elif sc == "asym":
        bound_target(sc)
    elif sc in ("pool", "hetero"):
        target = sc == "pool"
        err_ratio(sc, 0.5, 0.9, sc, target)
        err_ratio(sc, 0.95, 0.9, sc, target)
        lo, hi = bootstrap(runs, lambda rr: wall_median(sc, "ntpupdate", rr))
        if target:
            judge("%s: ntpupdate wall p50" % sc, wall_median(sc, "ntpupdate", runs), lo, hi, 2.1, fmt_t, len(runs))
        else:
            info("%s: ntpupdate wall p50 %s [%s, %s]" % (sc, fmt_t(wall_median(sc, "ntpupdate", runs)),
                                                         fmt_t(lo), fmt_t(hi)))
        info("%s: ntpupdate wall p95 %s, max %s" % (
            sc, fmt_t(pct([float(r["wall_s"]) for r in mine(sc)], 0.95)),
            fmt_t(max(float(r["wall_s"]) for r in mine(sc)))))
        politeness(sc)
        if sc == "hetero":
            bound_target(sc)

# ---- scaling ---------------------------------------------------------------
if scaling_csv:
    srows = defaultdict(list)
    sorder = []
    for r in csv.DictReader(open(scaling_csv)):
        key = (r["client"], int(r["count"]))
        if key not in srows:
            sorder.append(key)
        srows[key].append(r)
    sorder.sort(key=lambda k: (k[0] != "floor", k[0] != "ntpupdate", k[0], k[1]))

    def cpu(r):
        return float(r["user_s"]) + float(r["sys_s"])

    def med(key, f):
        return pct([f(r) for r in srows[key]], 0.5)

    if order:
        print()
    print("%-10s %7s %5s %10s %10s %10s   (medians; floor: /bin/true, the cost of spawning)" % (
        "client", "sources", "ok", "wall", "CPU", "max RSS"))
    for key in sorder:
        rs = srows[key]
        print("%-10s %7d %2d/%-2d %10s %10s %7.1f MB" % (
            key[0], key[1], sum(1 for r in rs if r["status"] == "0"), len(rs),
            fmt_t(med(key, lambda r: float(r["wall_s"]))), fmt_t(med(key, cpu)),
            med(key, lambda r: float(r["maxrss_kb"])) / 1024))
    print()
    for cl in sorted({k[0] for k in sorder if k[0] != "floor"}):
        counts = sorted(k[1] for k in sorder if k[0] == cl)
        if len(counts) > 1:
            a, b = (cl, counts[0]), (cl, counts[-1])
            info("%s: %d -> %d sources: wall x%.1f, CPU x%.1f, max RSS x%.2f" % (
                cl, counts[0], counts[-1],
                ratio(med(b, lambda r: float(r["wall_s"])), med(a, lambda r: float(r["wall_s"]))),
                ratio(med(b, cpu), med(a, cpu)),
                ratio(med(b, lambda r: float(r["maxrss_kb"])), med(a, lambda r: float(r["maxrss_kb"])))))
    one = srows.get(("ntpupdate", 1))
    if one:
        idx = list(range(len(one)))
        m_rss = pct([float(r["maxrss_kb"]) for r in one], 0.5) / 1024
        lo, hi = bootstrap(idx, lambda ii: pct([float(one[i]["maxrss_kb"]) for i in ii], 0.5) / 1024)
        judge("scaling: ntpupdate -q, 1 source: max RSS p50 (MB)", m_rss, lo, hi, 3.0, n=len(one))
        lo, hi = bootstrap(idx, lambda ii: pct([cpu(one[i]) for i in ii], 0.5))
        judge("scaling: ntpupdate -q, 1 source: CPU p50", pct([cpu(r) for r in one], 0.5), lo, hi, 2e-3, fmt_t,
              len(one))

print("targets: %d met, %d not met, %d unsure, %d with too few runs" % (
    verdicts["MET"], verdicts["NOT MET"], verdicts["UNSURE"], verdicts["FEW RUNS"]))

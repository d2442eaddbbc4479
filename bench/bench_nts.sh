#!/bin/bash
# bench_nts.sh: issue 13's benchmark, side by side in one run, on loopback
# (no namespace needed; nothing may set the clock: run without
# CAP_SYS_TIME, ntpupdate only with -q).  A local chronyd -x serves NTS
# with a certificate made here; RUNS times (default 10: each chronyd -Q
# run takes 6.3 s, and make bench must stay under 30 minutes), interleaved:
#   nts-ke     ntpupdate --nts -q (a full TLS key exchange every run)
#   chronyd-Q  chronyd -Q 'server 127.0.0.1 port P nts ntsport Q'
#   nts-cache  ntpupdate --nts -q --nts-cache DIR, against an NTS-KE port
#              where nothing listens: it can only answer without TCP
#   plain      ntpupdate -q against the same chronyd, no authentication
# Prints the medians and the two ratios with bootstrap 95% intervals.
set -u
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
TMP=$(mktemp -d /tmp/ntpupdate-bench-nts.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
. tests/chrony.sh
. tests/nts.sh
[ -x ./ntpupdate ] || { echo "build first (make)"; exit 1; }
make_pki "$TMP/pki" || { echo "certtool failed"; exit 1; }
start_chronyd_nts "$TMP/pki" || exit 1
CA=$TMP/pki/ca.pem
C=$TMP/cache
mkdir -p "$C"
DEAD=$((NTS_KE_PORT + 11))
cat >"$TMP/q.conf" <<CONF
ntstrustedcerts $CA
server 127.0.0.1 port $CHRONY_PORT nts ntsport $NTS_KE_PORT iburst
cmdport 0
pidfile $TMP/q.pid
ntsdumpdir $TMP
CONF

one() {
	local t0=$EPOCHREALTIME rc
	case $1 in
	nts-ke) ./ntpupdate -q --nts --nts-ca "$CA" 127.0.0.1:$NTS_KE_PORT >"$TMP/out" 2>&1 ;;
	chronyd-Q) rm -f "$TMP"/*.nts; "$CHRONYD" -Q -u root -f "$TMP/q.conf" -L 0 -l "$TMP/out" -t 20 >/dev/null 2>&1 ;;
	nts-cache) ./ntpupdate -q --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$DEAD >"$TMP/out" 2>&1 ;;
	plain) ./ntpupdate -q 127.0.0.1:$CHRONY_PORT >"$TMP/out" 2>&1 ;;
	esac
	rc=$?
	echo "$1 $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f", b - a }') $rc"
}

# warm the server and fill the cache (then name it for the dead port)
./ntpupdate -q --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$NTS_KE_PORT >/dev/null 2>&1
mv "$C/127.0.0.1_$NTS_KE_PORT" "$C/127.0.0.1_$DEAD" || { echo "no cache entry written"; exit 1; }
./ntpupdate -q 127.0.0.1:$CHRONY_PORT >/dev/null 2>&1
: >"$TMP/raw"
for i in $(seq 1 "$RUNS"); do
	for c in nts-ke chronyd-Q nts-cache plain; do
		one "$c" >>"$TMP/raw"
	done
done
mkdir -p bench/results
cp "$TMP/raw" bench/results/nts-raw.txt
python3 - "$TMP/raw" "$RUNS" <<'PY'
import random, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = {}
fails = {}
for name, sec, rc in rows:
    t.setdefault(name, []).append(float(sec))
    fails[name] = fails.get(name, 0) + (rc != "0")
med = {k: statistics.median(v) for k, v in t.items()}
def ci(a, b, n=2000):
    random.seed(13)
    r = []
    for _ in range(n):
        x = [random.choice(t[a]) for _ in t[a]]
        y = [random.choice(t[b]) for _ in t[b]]
        r.append(statistics.median(x) / statistics.median(y))
    r.sort()
    return r[int(0.025 * n)], r[int(0.975 * n)]
print("client     median wall time  failed runs (of %s)" % sys.argv[2])
for k in ("nts-ke", "chronyd-Q", "nts-cache", "plain"):
    print("%-10s %10.2f ms      %d" % (k, med[k] * 1e3, fails[k]))
lo, hi = ci("nts-ke", "chronyd-Q")
r = med["nts-ke"] / med["chronyd-Q"]
ok1 = hi <= 0.1 and fails["nts-ke"] == 0
print("ntpupdate --nts -q / chronyd -Q nts: %.4f (95%% CI %.4f..%.4f), target <= 0.1: %s"
      % (r, lo, hi, "met" if ok1 else "NOT met"))
lo, hi = ci("nts-cache", "plain")
r = med["nts-cache"] / med["plain"]
ok2 = hi <= 2.0 and fails["nts-cache"] == 0
print("ntpupdate --nts -q warm cache / plain -q: %.2f (95%% CI %.2f..%.2f), target <= 2: %s"
      % (r, lo, hi, "met" if ok2 else "NOT met"))
print("warm-cache runs asked an NTS-KE port where nothing listens: no TCP connection was made"
      if fails["nts-cache"] == 0 else "warm-cache runs failed")
sys.exit(0 if ok1 and ok2 else 1)
PY

#!/bin/bash
# bench-server.sh: ntpserve beside chronyd under the same open-loop load,
# in one run, on one machine, and the floor under both (bench/reflect.c:
# what is left when a server does no NTP work).  Run as root (`make bench-server`): it makes
# a network namespace, and everything runs inside it without CAP_SYS_TIME.
#
# Each server is pinned to SERVER_CPU, the load generator (bench/loadgen.c)
# to LOAD_CPU.  For each server: offer RATE requests/s for SECONDS from
# many source ports; server CPU time comes from /proc/PID/stat, answers
# from the load generator.  Then ntpserve alone: --workers 2 (both CPUs),
# rate limiting on under a flood from many source addresses (answers and
# KoDs per second, memory before and after), a flood at twice its
# measured capacity with a good client beside it (its share of answers),
# and the accuracy of its answers by `ntpupdate -d` beside chronyd's.
#   RATE=100000 SECONDS=5 SERVER_CPU=0 LOAD_CPU=1 ACC_RUNS=20
set -u
export LC_ALL=C
cd "$(dirname "$0")/.."
RATE=${RATE:-100000}
SECS=${SECONDS_PER_RUN:-5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
ACC_RUNS=${ACC_RUNS:-20}
CHRONYD=$PWD/.deps/chrony/usr/sbin/chronyd
OUT=${BENCH_OUT:-bench/results}
mkdir -p "$OUT"

if [ "${1:-}" != "--inner" ]; then
	[ "$(id -u)" = 0 ] || { echo "bench-server: run as root (it creates a network namespace)"; exit 2; }
	[ -x "$CHRONYD" ] || ./tests/install-deps.sh >/dev/null || exit 1
	make -s all build/bench-loadgen build/bench-reflect >/dev/null || exit 1
	export TMPD=$(mktemp -d /tmp/ntpbenchsrv.XXXXXX)
	chmod 755 "$TMPD"
	NS=ntpbenchsrv$$
	ip netns add "$NS" || exit 1
	cleanup() {
		ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
		sleep 0.2
		ip netns del "$NS" 2>/dev/null
		rm -rf "$TMPD"
	}
	trap cleanup EXIT
	ip netns exec "$NS" setpriv --bounding-set -sys_time --inh-caps -sys_time -- "$0" --inner | tee "$OUT/server-table.txt"
	exit "${PIPESTATUS[0]}"
fi

# ---- inside the namespace, without CAP_SYS_TIME ------------------------------
ip link set lo up
HZ=$(getconf CLK_TCK)
LOADGEN=(taskset -c "$LOAD_CPU" build/bench-loadgen)

# child processes from /proc (no procps needed)
children() { awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
user_ticks() { awk '{ print $14 }' "/proc/$1/stat"; }
tree_uticks() {
	local p t=0
	for p in $1 $(children "$1"); do t=$((t + $(user_ticks "$p"))); done
	echo $t
}
# cpu of a process and all its children (workers)
tree_ticks() {
	local p t=0
	for p in $1 $(children "$1"); do t=$((t + $(cpu_ticks "$p"))); done
	echo $t
}
rss_kb() {
	local p t=0
	for p in $1 $(children "$1"); do t=$((t + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status"))); done
	echo $t
}

start_chronyd() {
	cat >"$TMPD/chrony.conf" <<CONF
port 11123
bindaddress 127.0.0.1
allow all
local stratum 8
cmdport 0
pidfile $TMPD/chronyd.pid
driftfile $TMPD/drift
CONF
	taskset -c "$SERVER_CPU" "$CHRONYD" -x -u root -f "$TMPD/chrony.conf" -l "$TMPD/chronyd.log" -L 0 || exit 1
	for i in $(seq 1 100); do [ -s "$TMPD/chronyd.pid" ] && break; sleep 0.02; done
	SPID=$(cat "$TMPD/chronyd.pid")
	PORT=11123
	sleep 0.3
}

start_ntpserve() {
	rm -f "$TMPD/ns.err"
	taskset -c "$1" ./ntpserve --listen 127.0.0.1 --port 11124 --allow all --local-stratum 8 \
		--user nobody "${@:2}" 2>"$TMPD/ns.err" &
	SPID=$!
	for i in $(seq 1 100); do grep -q listening "$TMPD/ns.err" 2>/dev/null && break; sleep 0.02; done
	PORT=11124
	sleep 0.3
}

stop() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; sleep 0.2; }

# load NAME RATE [loadgen options]: offer RATE/s for SECS; sets ANS, KOD,
# CPU (server seconds), GOODS, GOODA, SENT, LG (the loadgen line)
load() {
	local c0 c1 u0 u1
	"${LOADGEN[@]}" -t 127.0.0.1:$PORT -r "$2" -d 0.5 -s 8 "${@:3}" >/dev/null # warm
	c0=$(tree_ticks "$SPID")
	u0=$(tree_uticks "$SPID")
	LG=$("${LOADGEN[@]}" -t 127.0.0.1:$PORT -r "$2" -d "$SECS" -s 64 "${@:3}")
	c1=$(tree_ticks "$SPID")
	u1=$(tree_uticks "$SPID")
	UCPU=$(awk -v a="$u0" -v b="$u1" -v hz="$HZ" 'BEGIN { printf "%.3f", (b - a) / hz }')
	set -- $LG
	SENT=$2 ANS=$4 KOD=$(($6 + $8)) GOODS=${10} GOODA=${12} T=${14}
	CPU=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN { printf "%.3f", (b - a) / hz }')
}

row() { # name: offered/s answered/s cpu-s us/answer answers/cpu-s
	awk -v n="$1" -v s="$SENT" -v a="$ANS" -v k="$KOD" -v c="$CPU" -v u="$UCPU" -v t="$T" 'BEGIN {
		per = 0; aps = 0; uper = 0
		if (a + k > 0) { per = c / (a + k) * 1e6; uper = u / (a + k) * 1e6 }
		if (c > 0) aps = (a + k) / c
		printf "| %-40s | %9.0f | %9.0f | %7.0f | %6.2f | %9.3f | %7.3f | %13.0f |\n", n, s / t, a / t, k / t, c, per, uper, aps }'
}

echo "bench-server: $(nproc) CPUs, servers on CPU $SERVER_CPU, load generator on CPU $LOAD_CPU, ${SECS} s per run"
echo "chronyd $("$CHRONYD" -v | awk '{print $4}'), ntpserve $(./ntpserve -V | awk '{print $2}')"
echo
echo "| run                                      | offered/s | answers/s |  KoDs/s | CPU s  | us/answer | user us | answers/CPU-s |"
echo "|------------------------------------------|-----------|-----------|---------|--------|-----------|---------|---------------|"

start_chronyd
load chronyd "$RATE"
row "chronyd 4.3, no rate limit"
C_PER=$(awk -v c="$CPU" -v a="$ANS" 'BEGIN { print c / a }')
C_APS=$(awk -v c="$CPU" -v a="$ANS" 'BEGIN { print a / c }')
C_RATE=$(awk -v a="$ANS" -v t="$T" 'BEGIN { print a / t }')
stop

start_ntpserve "$SERVER_CPU" --no-ratelimit
load ntpserve "$RATE"
row "ntpserve, --no-ratelimit"
N_PER=$(awk -v c="$CPU" -v a="$ANS" 'BEGIN { print c / a }')
N_APS=$(awk -v c="$CPU" -v a="$ANS" 'BEGIN { print a / c }')
N_RATE=$(awk -v a="$ANS" -v t="$T" 'BEGIN { print a / t }')
stop

# repeat both once more, interleaved, to see the spread
start_chronyd
load chronyd "$RATE"
row "chronyd 4.3, no rate limit (again)"
C_PER2=$(awk -v c="$CPU" -v a="$ANS" 'BEGIN { print c / a }')
stop
start_ntpserve "$SERVER_CPU" --no-ratelimit
load ntpserve "$RATE"
row "ntpserve, --no-ratelimit (again)"
N_PER2=$(awk -v c="$CPU" -v a="$ANS" 'BEGIN { print c / a }')
stop

# the floor: bench/reflect.c does the least any server must (batched
# receive with a kernel timestamp, a reply in place, batched send): what
# is left of a server's CPU per answer is the kernel's, the same for all
start_reflect() {
	taskset -c "$SERVER_CPU" build/bench-reflect --port 11125 --lifetime 600 2>"$TMPD/rf.err" &
	SPID=$!
	for i in $(seq 1 100); do grep -q listening "$TMPD/rf.err" 2>/dev/null && break; sleep 0.02; done
	PORT=11125
	sleep 0.3
}
start_reflect
load reflect "$RATE"
row "floor: bench/reflect.c (no NTP work)"
F_PER=$(awk -v c="$CPU" -v a="$ANS" 'BEGIN { print (a > 0 ? c / a : 0) }')
stop

# closed loop: 64 requests in flight (the generator's speed counts as
# much as the server's on 2 CPUs; the CPU per answer is still the judge)
start_chronyd
load chronyd 1 -w 64
row "chronyd 4.3, closed loop (64 in flight)"
stop
start_ntpserve "$SERVER_CPU" --no-ratelimit
load ntpserve 1 -w 64
row "ntpserve, closed loop (64 in flight)"
stop

start_ntpserve "$SERVER_CPU" --no-ratelimit
load ntpserve $((RATE * 4))
row "ntpserve, --no-ratelimit, 4x offered"
CAP=$(awk -v a="$ANS" -v t="$T" 'BEGIN { printf "%.0f", a / t }')
stop

start_ntpserve "0-$(($(nproc) - 1))" --no-ratelimit --workers 2
LOADGEN=(taskset -c "0-$(($(nproc) - 1))" build/bench-loadgen)
load ntpserve "$RATE"
row "ntpserve --workers 2 (CPUs shared)"
stop
LOADGEN=(taskset -c "$LOAD_CPU" build/bench-loadgen)

start_ntpserve "$SERVER_CPU"
RSS0=$(rss_kb "$SPID")
load ntpserve "$RATE" --sources 1000000
row "ntpserve, rate limit, 1e6 sources"
RSS1=$(rss_kb "$SPID")
load ntpserve "$RATE" --sources 1000000
RSS2=$(rss_kb "$SPID")
stop

start_ntpserve "$SERVER_CPU"
load ntpserve "$RATE" --sources 1000
row "ntpserve, rate limit, 1000 sources"
stop

start_ntpserve "$SERVER_CPU"
load ntpserve $((RATE * 2)) -s 64 --sources 1000000 --good 100
row "ntpserve, rate limit, flood 2x"
FLOOD_GOOD="$GOODA of $GOODS"
stop
start_ntpserve "$SERVER_CPU" --no-ratelimit
load ntpserve $((CAP * 2)) --good 100
row "ntpserve, no limit, flood at 2x capacity"
FLOOD_GOOD2="$GOODA of $GOODS"
stop

echo
awk -v c="$C_PER" -v n="$N_PER" -v c2="$C_PER2" -v n2="$N_PER2" 'BEGIN {
	printf "CPU per answer: ntpserve %.2f us (%.2f again), chronyd %.2f us (%.2f again): ratio %.2f (%.2f again); target <= 0.67\n",
	    n * 1e6, n2 * 1e6, c * 1e6, c2 * 1e6, n / c, n2 / c2 }'
awk -v f="$F_PER" -v c="$C_PER" -v c2="$C_PER2" -v n="$N_PER" -v n2="$N_PER2" 'BEGIN {
	cm = (c + c2) / 2; nm = (n + n2) / 2
	printf "floor (bench/reflect.c, no NTP work): %.2f us per answer = %.2f of chronyd'"'"'s: no server on the UDP socket API can go below that ratio on this machine; ntpserve spends %.2f us above the floor, chronyd %.2f us\n",
	    f * 1e6, f / cm, (nm - f) * 1e6, (cm - f) * 1e6 }'
awk -v a="$N_APS" -v b="$C_APS" 'BEGIN { printf "answers per CPU second: ntpserve %.0f, chronyd %.0f (x%.2f; target >= 1.5)\n", a, b, a / b }'
echo "answers/s at $RATE/s offered: ntpserve $(printf %.0f "$N_RATE"), chronyd $(printf %.0f "$C_RATE"); ntpserve's capacity on one core (4x offered): $CAP/s"
echo "memory (RSS) under 1e6 distinct sources: ${RSS0} kB before, ${RSS1} kB after one run, ${RSS2} kB after two"
echo "good clients (250 addresses, 100 req/s in all) under a flood: rate limit on, 2x offered from 1e6 sources: $FLOOD_GOOD answered; no limit, 2x capacity: $FLOOD_GOOD2 answered"

# ---- accuracy: ntpupdate -d against each, the same clock ------------------------
# Both servers up at once on CPU SERVER_CPU, queried in turn (so a burst of
# load from elsewhere on the machine hits both alike).
summ() {
	awk '{ o = $1; if (o < 0) o = -o; print o, $2 }' "$1" | sort -g | awk '{ a[NR] = $1; b += $2 } END {
		if (NR == 0) { printf "no answer"; exit }
		printf "median |offset| %.1f us, max %.1f us, mean bound %.1f us (%d runs)", a[int((NR + 1) / 2)] * 1e6, a[NR] * 1e6, b / NR * 1e6, NR }'
}
start_chronyd
CPID=$SPID
start_ntpserve "$SERVER_CPU" --no-ratelimit
: >"$TMPD/acc.c"
: >"$TMPD/acc.n"
for i in $(seq 1 "$ACC_RUNS"); do
	./ntpupdate -d -p 1 127.0.0.1:11123 2>/dev/null | awk '/^offset [-+0-9.]+ \+\/- / { print $2, $4 }' >>"$TMPD/acc.c"
	./ntpupdate -d -p 1 127.0.0.1:11124 2>/dev/null | awk '/^offset [-+0-9.]+ \+\/- / { print $2, $4 }' >>"$TMPD/acc.n"
done
echo "accuracy, ntpupdate -d -p 1 against chronyd:  $(summ "$TMPD/acc.c")"
echo "accuracy, ntpupdate -d -p 1 against ntpserve: $(summ "$TMPD/acc.n")"
stop
SPID=$CPID
stop

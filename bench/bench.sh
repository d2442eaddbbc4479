#!/bin/bash
# bench.sh: ntpupdate beside the peers, on one machine, over impaired
# paths.  Run as root (it creates a network namespace): `make bench`.
#
# Inside a private network namespace: chronyd (unpacked from its .deb, run
# with -x: it never touches the clock) serves on 127.0.0.1:123.  The clean
# scenario queries it directly; the one-server scenarios go through one
# impairment relay (bench/relay.c) on 127.0.0.2:123, the pool scenarios
# through four, on 127.0.0.11-14:123, each with its own path and seed (the
# peers insist on port 123).  The whole measuring loop runs inside the
# namespace under setpriv without CAP_SYS_TIME, every client in a query
# mode.  Server and clients share one clock, so the true offset is 0.
#
# Paired runs: run r of a scenario restarts every relay, before every
# client, with seeds derived from (scenario, r, relay), so all clients of
# run r meet the same delay and loss sequence; the clients' order rotates
# from run to run.  summarize.py compares them run by run (paired
# bootstrap).  The last scenario, scaling (bench/scaling.sh), measures the
# cost of 1, 4, 16 and 64 loopback sources.
#
#   RUNS=N       runs per client in every scenario (default: per scenario,
#                clean 20, exp 20, uniform 15, asym 5, pool 120, hetero 30)
#   SCENARIOS="clean exp uniform asym pool hetero scaling"
#   CLIENTS="ntpupdate chronyd-Q ntpdig ntpdig-p4 rdate"  (one-server)
#   POOL_CLIENTS="ntpupdate chronyd-Q ntpdig ntpdig-p4"   (four servers)
#   SLOW_PEER_RUNS=N  in the pool scenarios chronyd-Q, the slowest client
#                (5 s a run), runs only in the first N runs (default 10):
#                in `pool` it has never been the best peer (2.5-3.5 times
#                ntpdig -p 4's median error), and its time buys `pool` the
#                120 runs a ratio of medians needs; `hetero` judges only
#                ntpupdate's bound.  summarize.py pairs each client with
#                ntpupdate over the runs it made.
#   SCALE_COUNTS="1 4 16 64"  SCALE_RUNS=N (see bench/scaling.sh)
#   Drift scenarios, not in the default list (they would pass 30 minutes):
#   SCENARIOS="drift0 drift+50 drift-50 drift+100 drift-100 drift+500
#   drift-500".  They replace chronyd with tests/ntp-testserver on
#   127.0.0.3:123, its clock running that many ppm fast (or slow) from the
#   scenario's start, root distance 0; each run's truth is the server's
#   offset when the client exits, and raw.csv's offset column holds the
#   error (offset minus truth).  bench/rate_table.py summarises them.
#   Add ntpupdate-p4 to CLIENTS for -p 4 at the 2 s gap (the rate model's
#   case).
#   BENCH_CPUS= (e.g. 0: run server, relays and clients on those CPUs only;
#               default: wherever the scheduler puts them)
#   BENCH_OUT=bench/results (raw.csv, scaling.csv, table.txt)
#   NTPUPDATE_BIN=./ntpupdate  (the binary the ntpupdate clients run: point
#               it at a saved build to compare two versions run by run;
#               the relays' seeds depend on the run and on the scenario's
#               place in SCENARIOS, so keep that list the same)
# `bench/bench.sh --estimate` prints the expected duration only.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
export RUNS=${RUNS:-}
export SCENARIOS=${SCENARIOS:-"clean exp uniform asym pool hetero scaling"}
export CLIENTS=${CLIENTS:-"ntpupdate chronyd-Q ntpdig ntpdig-p4 rdate"}
export POOL_CLIENTS=${POOL_CLIENTS:-"ntpupdate chronyd-Q ntpdig ntpdig-p4"}
BENCH_CPUS=${BENCH_CPUS:-}
export SLOW_PEER_RUNS=${SLOW_PEER_RUNS:-10}
NTPUPDATE_BIN=${NTPUPDATE_BIN:-./ntpupdate}
case $NTPUPDATE_BIN in /*) ;; *) NTPUPDATE_BIN=$PWD/${NTPUPDATE_BIN#./} ;; esac
export NTPUPDATE_BIN
export CHRONYD=$PWD/.deps/chrony/usr/sbin/chronyd
export CHRONYC=$PWD/.deps/chrony/usr/bin/chronyc
OUT=${BENCH_OUT:-bench/results}
mkdir -p "$OUT"
export OUT
export RAW=$OUT/raw.csv
export SCALE_CSV=$OUT/scaling.csv

# runs SCENARIO: how many runs it gets
runs() {
	if [ -n "$RUNS" ]; then
		echo "$RUNS"
		return
	fi
	case $1 in
	clean) echo 20 ;;
	exp) echo 20 ;;
	uniform) echo 15 ;;
	asym) echo 5 ;;
	pool) echo 120 ;;
	hetero) echo 30 ;;
	*) echo 10 ;;
	esac
}

# client_runs SCENARIO CLIENT: how many runs the client gets
client_runs() {
	local n
	n=$(runs "$1")
	if [ "$2" = chronyd-Q ] && is_pool "$1" && [ "$n" -gt "$SLOW_PEER_RUNS" ]; then
		n=$SLOW_PEER_RUNS
	fi
	echo "$n"
}

# est SCENARIO CLIENT: seconds one run is expected to take (from the
# 2026-11-26 and 2026-12-02 figures), relay restarts and
# counting included
est() {
	case $1:$2 in
	clean:chronyd-Q) echo 4.4 ;;
	clean:*) echo 0.1 ;;
	pool:ntpupdate) echo 2.2 ;;
	hetero:ntpupdate) echo 6.2 ;;
	*:ntpupdate) echo 6.2 ;;
	pool:chronyd-Q | hetero:chronyd-Q) echo 5.5 ;;
	*:chronyd-Q) echo 4.5 ;;
	pool:ntpdig) echo 0.4 ;;
	hetero:ntpdig) echo 1.1 ;;
	pool:ntpdig-p4) echo 1.0 ;;
	hetero:ntpdig-p4) echo 4.4 ;;
	*:ntpdig-p4) echo 0.35 ;;
	*) echo 0.2 ;;
	esac
}

is_pool() { [ "$1" = pool ] || [ "$1" = hetero ]; }

if [ "${1:-}" != "--inner" ]; then
	total=0
	for sc in $SCENARIOS; do
		if [ "$sc" = scaling ]; then
			t=$(bench/scaling.sh --estimate)
		else
			cls=$CLIENTS
			is_pool "$sc" && cls=$POOL_CLIENTS
			t=0
			for cl in $cls; do
				t=$(awk -v a="$t" -v b="$(est "$sc" "$cl")" -v n="$(client_runs "$sc" "$cl")" 'BEGIN { print a + b * n }')
			done
		fi
		printf 'bench: %-8s ~%4.0f s\n' "$sc" "$t"
		total=$(awk -v a="$total" -v b="$t" 'BEGIN { print a + b }')
	done
	awk -v t="$total" 'BEGIN { printf "bench: estimated duration %.0f min (%.0f s)\n", t / 60, t }'
	[ "${1:-}" = --estimate ] && exit 0
	[ "$(id -u)" = 0 ] || { echo "bench: run as root (it creates a network namespace)"; exit 2; }
	if ! command -v ntpdig >/dev/null || ! command -v rdate >/dev/null; then
		echo "bench: installing the peers (ntpsec-ntpdig, rdate)"
		apt-get install -y -q --no-install-recommends ntpsec-ntpdig rdate >/dev/null || exit 1
	fi
	[ -x "$CHRONYD" ] || ./tests/install-deps.sh >/dev/null || exit 1
	make -s ntpupdate build/bench-relay build/bench-rusage build/tests/ntp-testserver >/dev/null || exit 1
	TMPD=$(mktemp -d /tmp/ntpbench.XXXXXX) || exit 1
	export TMPD
	chmod 700 "$TMPD"
	NS=ntpbench$$
	ip netns add "$NS" || exit 1
	cleanup() {
		[ -s "$TMPD/chronyd.pid" ] && kill "$(cat "$TMPD/chronyd.pid")" 2>/dev/null
		sleep 0.2
		ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$NS" 2>/dev/null
		rm -rf "$TMPD"
	}
	trap cleanup EXIT
	pin=()
	[ -n "$BENCH_CPUS" ] && pin=(taskset -c "$BENCH_CPUS")
	rm -f "$RAW" "$SCALE_CSV"
	t0=$SECONDS
	ip netns exec "$NS" setpriv --bounding-set -sys_time --inh-caps -sys_time -- "${pin[@]}" "$0" --inner
	rc=$?
	echo "bench: measured in $((SECONDS - t0)) s"
	sargs=()
	[ -s "$SCALE_CSV" ] && sargs=(--scaling "$SCALE_CSV")
	if [ $rc -eq 0 ]; then
		# where and with what: the line a README table needs
		about="Run on $(date -u +%F), $(nproc)-CPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1),"
		about="$about Linux $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null),"
		about="$about chrony $("$CHRONYD" -v | awk '{ print $4 }'), ntpsec-ntpdig $(dpkg-query -W -f '${Version}' ntpsec-ntpdig 2>/dev/null),"
		ver="$(git describe --always --dirty 2>/dev/null)"
		[ "$NTPUPDATE_BIN" = "$PWD/ntpupdate" ] || ver="$NTPUPDATE_BIN"
		about="$about ntpupdate $ver (SCENARIOS=\"$SCENARIOS\" RUNS=${RUNS:-default})"
		{ echo "$about"; echo; python3 bench/summarize.py "$RAW" "${sargs[@]}"; } | tee "$OUT/table.txt"
		[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	fi
	exit $rc
fi

# ---- inside the namespace, without CAP_SYS_TIME ------------------------------
ip link set lo up
ip addr add 127.0.0.2/8 dev lo 2>/dev/null
cat >"$TMPD/server.conf" <<CONF
port 123
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
cmdport 0
bindcmdaddress $TMPD/chronyd.sock
pidfile $TMPD/chronyd.pid
CONF
"$CHRONYD" -x -u root -f "$TMPD/server.conf" -l "$TMPD/chronyd.log" -L 0 || exit 1
sleep 1

# paths SCENARIO: one line per relay, "ADDRESS RELAY-OPTIONS..." (delays in
# ms each way: base[:jitter[:dist]]).  hetero: base delays 5, 15, 30 and
# 60 ms, asymmetries +4, -2, +1 and -3 ms (out - back), exponential jitter
# (mean 10 ms) each way, and 30 % of the requests to 127.0.0.13 lost.
paths() {
	case $1 in
	uniform) echo "127.0.0.2 --out 20:15:uniform --back 20:15:uniform --loss 2" ;;
	exp) echo "127.0.0.2 --out 10:10:exp --back 10:10:exp" ;;
	asym) echo "127.0.0.2 --out 5 --back 25" ;;
	pool)
		for a in 11 12 13 14; do
			echo "127.0.0.$a --out 10:10:exp --back 10:10:exp"
		done
		;;
	hetero)
		echo "127.0.0.11 --out 7:10:exp --back 3:10:exp"
		echo "127.0.0.12 --out 14:10:exp --back 16:10:exp"
		echo "127.0.0.13 --out 30.5:10:exp --back 29.5:10:exp --loss-out 30"
		echo "127.0.0.14 --out 58.5:10:exp --back 61.5:10:exp"
		;;
	esac
}

# relays_start SCENARIO SEEDBASE: one relay per path, seeded SEEDBASE + its
# index, fresh logs; returns once every one has bound its socket.
relays_start() {
	local i=0 addr opts
	RELAYS=()
	rm -f "$TMPD"/relay*.log "$TMPD"/relay*.ready
	while read -r addr opts; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		./build/bench-relay --listen "$addr:123" --server 127.0.0.1:123 $opts \
			--seed $(($2 + i)) --log "$TMPD/relay$i.log" --ready "$TMPD/relay$i.ready" \
			--lifetime 600 &
		RELAYS+=($!)
	done < <(paths "$1")
	for i in $(seq 1 ${#RELAYS[@]}); do
		while [ ! -e "$TMPD/relay$i.ready" ]; do
			kill -0 "${RELAYS[$((i - 1))]}" 2>/dev/null || { echo "bench: relay $i failed" >&2; exit 1; }
			sleep 0.005
		done
	done
}

relays_stop() {
	[ ${#RELAYS[@]} -gt 0 ] || return
	kill "${RELAYS[@]}" 2>/dev/null
	wait "${RELAYS[@]}" 2>/dev/null
	RELAYS=()
}

# relay_counts: "total max-per-address min-gap" of the requests the relays
# saw (min-gap: the shortest time between two requests to one address, "-"
# when no address got two)
relay_counts() {
	awk 'FNR == 1 { n = 0 }
	     { total++; n++; if (n > maxn) maxn = n
	       if (FNR > 1 && (gap == "" || $2 - last < gap)) gap = $2 - last
	       last = $2 }
	     END { printf "%d %d %s\n", total, maxn, gap == "" ? "-" : sprintf("%.6f", gap) }' \
		"$TMPD"/relay*.log 2>/dev/null
}

# requests chronyd answered so far (clean scenario: no relay)
served() {
	"$CHRONYC" -h "$TMPD/chronyd.sock" -n -c clients 2>/dev/null | awk -F, '{ n += $2 } END { print n + 0 }'
}

# client NAME ADDR...: one query, its output to $TMPD/out.  Nothing else runs
# meanwhile: a parser started beside the client (a pipe) would compete with
# the server for the CPUs and lengthen its send path.
client() {
	local name=$1 a srv=()
	shift
	case $name in
	ntpupdate)
		"$NTPUPDATE_BIN" -d "$@" >"$TMPD/out" 2>/dev/null
		;;
	ntpupdate-p4)
		"$NTPUPDATE_BIN" -d -p 4 "$@" >"$TMPD/out" 2>/dev/null
		;;
	chronyd-Q)
		rm -f "$TMPD/out"
		for a in "$@"; do
			srv+=("server $a iburst")
		done
		"$CHRONYD" -Q -u root -f /dev/null -L 0 -l "$TMPD/out" -t 30 \
			"${srv[@]}" "pidfile $TMPD/q.pid" "cmdport 0" >/dev/null 2>&1
		;;
	ntpdig)
		ntpdig -t 2 "$@" >"$TMPD/out" 2>/dev/null
		;;
	ntpdig-p4)
		ntpdig -t 2 -p 4 "$@" >"$TMPD/out" 2>/dev/null
		;;
	rdate)
		rdate -p -n -v "$1" >"$TMPD/out" 2>&1
		;;
	esac
}

# parse NAME: "offset bound" from $TMPD/out ("-" when the client gives no
# bound), nothing on failure.
parse() {
	[ -f "$TMPD/out" ] || return
	case $1 in
	ntpupdate | ntpupdate-p4)
		awk '/^offset [-+0-9.]+ \+\/- [0-9.]+ sec$/ { print $2, $4 }' "$TMPD/out"
		;;
	chronyd-Q)
		awk '/System clock wrong by/ { for (i = 1; i <= NF; i++) if ($i == "by") print $(i + 1), "-" }' "$TMPD/out"
		;;
	ntpdig | ntpdig-p4)
		awk 'NF >= 6 { print $4, $6 }' "$TMPD/out"
		;;
	rdate)
		awk '/adjust local clock by/ { print $(NF - 1), "-" }' "$TMPD/out"
		;;
	esac
}

# rotate N WORD...: the words, starting with the (N mod count)-th
rotate() {
	local n=$1
	shift
	local w=("$@") k i
	k=${#w[@]}
	for i in $(seq 0 $((k - 1))); do
		printf '%s ' "${w[$(((n + i) % k))]}"
	done
}

echo "scenario,client,run,ok,wall_s,requests,offset,bound,max_per_addr,min_gap_s" >"$RAW"
sci=0
RELAYS=()
for sc in $SCENARIOS; do
	[ "$sc" = scaling ] && continue
	sci=$((sci + 1))
	nruns=$(runs "$sc")
	cls=$CLIENTS
	is_pool "$sc" && cls=$POOL_CLIENTS
	addrs=(127.0.0.1)
	rate=
	DRIFT=
	if [ "${sc#drift}" != "$sc" ]; then
		# a server whose clock runs $rate ppm off from now on
		rate=${sc#drift}
		epoch=$EPOCHREALTIME
		: >"$TMPD/drift.log"
		./build/tests/ntp-testserver --addr 127.0.0.3 --port 123 --rate "$rate" \
			--rate-epoch "$epoch" --root-delay 0 --root-disp 0 --lifetime 7200 \
			--log "$TMPD/drift.log" >/dev/null &
		DRIFT=$!
		addrs=(127.0.0.3)
		sleep 0.3
	elif [ "$sc" != clean ]; then
		mapfile -t addrs < <(paths "$sc" | awk '{ print $1 }')
	fi
	# One untimed exchange with the server first: the first request a
	# freshly started chronyd answers is slower, and would count against
	# whichever client happens to run first.
	./ntpupdate -q -p 1 127.0.0.1 >/dev/null 2>&1
	slow=
	case " $cls " in
	*" chronyd-Q "*) [ "$(client_runs "$sc" chronyd-Q)" -lt "$nruns" ] && slow=" (chronyd-Q: the first $SLOW_PEER_RUNS)" ;;
	esac
	printf 'bench: %-8s %3d runs of %s%s\n        ' "$sc" "$nruns" "$cls" "$slow"
	ts=$SECONDS
	for run in $(seq 1 "$nruns"); do
		# shellcheck disable=SC2086
		for cl in $(rotate "$run" $cls); do
			[ "$run" -gt "$(client_runs "$sc" "$cl")" ] && continue
			rm -f "$TMPD/out"
			if [ -n "$rate" ]; then
				n0=$(wc -l <"$TMPD/drift.log")
			elif [ "$sc" = clean ]; then
				n0=$(served)
			else
				relays_start "$sc" $((sci * 1000000 + run * 100))
			fi
			t0=$EPOCHREALTIME
			client "$cl" "${addrs[@]}"
			t1=$EPOCHREALTIME
			if [ -n "$rate" ]; then
				sleep 0.1
				total=$(($(wc -l <"$TMPD/drift.log") - n0))
				read -r maxn gap <<<"$total -"
			elif [ "$sc" = clean ]; then
				sleep 0.1
				total=$(($(served) - n0))
				read -r maxn gap <<<"$total -"
			else
				relays_stop
				read -r total maxn gap < <(relay_counts)
			fi
			off=
			bnd=
			read -r off bnd < <(parse "$cl" | tail -1)
			if [ -n "$off" ] && [ -n "$rate" ]; then
				# the error: the offset less the server's at the client's end
				off=$(awk -v o="$off" -v r="$rate" -v t="$t1" -v e="$epoch" \
					'BEGIN { printf "%.9f", o - r * 1e-6 * (t - e) }')
			fi
			wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
			ok=0
			[ -n "$off" ] && ok=1
			echo "$sc,$cl,$run,$ok,$wall,$total,$off,$bnd,$maxn,$gap" >>"$RAW"
			[ $ok = 1 ] && printf '.' || printf 'x'
		done
		printf ' '
		[ $((run % 10)) -eq 0 ] && [ "$run" -lt "$nruns" ] && printf '\n        '
	done
	printf '\n        %d s\n' $((SECONDS - ts))
	if [ -n "$DRIFT" ]; then
		kill "$DRIFT" 2>/dev/null
		wait "$DRIFT" 2>/dev/null
	fi
done

case " $SCENARIOS " in
*" scaling "*)
	kill "$(cat "$TMPD/chronyd.pid")" 2>/dev/null
	sleep 0.5
	bench/scaling.sh --inner || exit 1
	;;
esac
exit 0

#!/bin/bash
# bench.sh: ntpupdate beside the peers, on one machine, over an impaired
# path.  Run as root (it creates a network namespace): `make bench`.
#
# Inside a private network namespace: chronyd (unpacked from its .deb, run
# with -x: it never touches the clock) serves on 127.0.0.1:123.  The clean
# scenario queries it directly; the others go through the impairment relay
# (bench/relay.c) on 127.0.0.2:123 (the peers insist on port 123).  The
# whole measuring loop runs inside the namespace under setpriv without
# CAP_SYS_TIME, every client in a query mode.  Server and clients share one
# clock, so the true offset is 0.
# Drift scenarios (drift0, drift+50, drift-500, ...) replace chronyd with
# tests/ntp-testserver on 127.0.0.3:123, its clock running that many ppm
# fast (or slow) from the scenario's start, root distance 0; each run's
# truth is the server's offset when the client exits, and the offset
# column of raw.csv holds the error (offset minus truth).
#   RUNS=20 (runs per client and scenario)
#   SCENARIOS="clean exp uniform asym drift0 drift+50 drift-50 drift+100 drift-100 drift+500 drift-500"
#   CLIENTS="ntpupdate chronyd-Q ntpdig ntpdig-p4 rdate" (also: ntpupdate-p4,
#            -p 4 at the default 2 s gap: the rate model's case)
#   BENCH_CPUS= (e.g. 0: run server, relay and clients on those CPUs only;
#               default: wherever the scheduler puts them)
set -u
export LC_ALL=C
cd "$(dirname "$0")/.."
export RUNS=${RUNS:-20}
export SCENARIOS=${SCENARIOS:-"clean exp uniform asym drift0 drift+50 drift-50 drift+100 drift-100 drift+500 drift-500"}
export CLIENTS=${CLIENTS:-"ntpupdate chronyd-Q ntpdig ntpdig-p4 rdate"}
BENCH_CPUS=${BENCH_CPUS:-}
export CHRONYD=$PWD/.deps/chrony/usr/sbin/chronyd
export CHRONYC=$PWD/.deps/chrony/usr/bin/chronyc
OUT=${BENCH_OUT:-bench/results}
mkdir -p "$OUT"
export RAW=$OUT/raw.csv

if [ "${1:-}" != "--inner" ]; then
	[ "$(id -u)" = 0 ] || { echo "bench: run as root (it creates a network namespace)"; exit 2; }
	if ! command -v ntpdig >/dev/null || ! command -v rdate >/dev/null; then
		echo "bench: installing the peers (ntpsec-ntpdig, rdate)"
		apt-get install -y -q --no-install-recommends ntpsec-ntpdig rdate >/dev/null || exit 1
	fi
	[ -x "$CHRONYD" ] || ./tests/install-deps.sh >/dev/null || exit 1
	make -s ntpupdate build/bench-relay build/tests/ntp-testserver >/dev/null || exit 1
	export TMPD=$(mktemp -d /tmp/ntpbench.XXXXXX)
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
	ip netns exec "$NS" setpriv --bounding-set -sys_time --inh-caps -sys_time -- "${pin[@]}" "$0" --inner
	rc=$?
	[ $rc -eq 0 ] && python3 bench/summarize.py "$RAW" | tee "$OUT/table.txt"
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

relay_args() {
	case $1 in
	uniform) echo "--out 20:15:uniform --back 20:15:uniform --loss 2" ;;
	exp)     echo "--out 10:10:exp --back 10:10:exp" ;;
	asym)    echo "--out 5 --back 25" ;;
	esac
}

# requests seen so far: at the relay (impaired) or by chronyd (clean)
count() {
	if [ "${1#drift}" != "$1" ]; then
		wc -l <"$TMPD/drift.log"
	elif [ "$1" = clean ]; then
		"$CHRONYC" -h "$TMPD/chronyd.sock" -n -c clients 2>/dev/null | awk -F, '{ n += $2 } END { print n + 0 }'
	else
		wc -l <"$TMPD/relay.log"
	fi
}

# client NAME ADDR: one query, its output to $TMPD/out.  Nothing else runs
# meanwhile: a parser started beside the client (a pipe) would compete with
# the server for the CPUs and lengthen its send path.
client() {
	case $1 in
	ntpupdate)
		./ntpupdate -d "$2" >"$TMPD/out" 2>/dev/null
		;;
	ntpupdate-p4)
		./ntpupdate -d -p 4 "$2" >"$TMPD/out" 2>/dev/null
		;;
	chronyd-Q)
		rm -f "$TMPD/out"
		"$CHRONYD" -Q -u root -f /dev/null -L 0 -l "$TMPD/out" -t 20 \
			"server $2 iburst" "pidfile $TMPD/q.pid" "cmdport 0" >/dev/null 2>&1
		;;
	ntpdig)
		ntpdig -t 2 "$2" >"$TMPD/out" 2>/dev/null
		;;
	ntpdig-p4)
		ntpdig -t 2 -p 4 "$2" >"$TMPD/out" 2>/dev/null
		;;
	rdate)
		rdate -p -n -v "$2" >"$TMPD/out" 2>&1
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

echo "scenario,client,run,ok,wall_s,requests,offset,bound" >"$RAW"
seed=1
for sc in $SCENARIOS; do
	RELAY=
	addr=127.0.0.1
	rate=
	if [ "${sc#drift}" != "$sc" ]; then
		rate=${sc#drift}
		epoch=$EPOCHREALTIME
		: >"$TMPD/drift.log"
		./build/tests/ntp-testserver --addr 127.0.0.3 --port 123 --rate "$rate" \
			--rate-epoch "$epoch" --root-delay 0 --root-disp 0 --lifetime 7200 \
			--log "$TMPD/drift.log" >/dev/null &
		RELAY=$!
		addr=127.0.0.3
		sleep 0.3
	elif [ "$sc" != clean ]; then
		: >"$TMPD/relay.log"
		./build/bench-relay --listen 127.0.0.2:123 --server 127.0.0.1:123 \
			$(relay_args "$sc") --seed $seed --log "$TMPD/relay.log" --lifetime 7200 &
		RELAY=$!
		addr=127.0.0.2
		sleep 0.3
	fi
	seed=$((seed + 1))
	# One untimed exchange with the server first: the first request a
	# freshly started chronyd answers is slower, and would count against
	# whichever client happens to run first.
	[ -n "$rate" ] && warm=127.0.0.3 || warm=127.0.0.1
	./ntpupdate -q -p 1 $warm >/dev/null 2>&1
	for cl in $CLIENTS; do
		printf 'bench: %-8s %-10s ' "$sc" "$cl"
		for run in $(seq 1 "$RUNS"); do
			n0=$(count "$sc")
			rm -f "$TMPD/out"
			t0=$EPOCHREALTIME
			client "$cl" "$addr"
			t1=$EPOCHREALTIME
			res=$(parse "$cl" | tail -1)
			sleep 0.3 # late packets drain before counting
			n1=$(count "$sc")
			wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
			if [ -n "$res" ] && [ -n "$rate" ]; then
				set -- $res
				res="$(awk -v o="$1" -v r="$rate" -v t="$t1" -v e="$epoch" \
					'BEGIN { printf "%.9f", o - r * 1e-6 * (t - e) }') $2"
			fi
			if [ -n "$res" ]; then
				set -- $res
				echo "$sc,$cl,$run,1,$wall,$((n1 - n0)),$1,$2" >>"$RAW"
				printf '.'
			else
				echo "$sc,$cl,$run,0,$wall,$((n1 - n0)),," >>"$RAW"
				printf 'x'
			fi
		done
		echo
	done
	[ -n "$RELAY" ] && kill "$RELAY" 2>/dev/null && wait "$RELAY" 2>/dev/null
done
exit 0

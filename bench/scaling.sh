#!/bin/bash
# scaling.sh: what a run costs as the sources grow.  Wall time, CPU time
# (user + sys) and maximum RSS of `ntpupdate -q` with 1, 4, 16 and 64
# loopback sources (127.0.0.101 onwards, all answered by one chronyd bound
# to every address of the namespace), and the same for the peers given
# the same addresses: `ntpdig -t 2` and `chronyd -Q` (one `server ...
# iburst` line each).  Each run is measured by build/bench-rusage
# (wait4: CPU to the microsecond); a run of /bin/true ("floor") shows what
# spawning alone costs.  Rows go to $SCALE_CSV; summarize.py prints the
# table (medians).
#
# Run by bench.sh as its last scenario (`SCENARIOS=scaling make bench` for
# this part only), inside its namespace without CAP_SYS_TIME.
#   SCALE_COUNTS="1 4 16 64"
#   SCALE_CLIENTS="ntpupdate ntpdig chronyd-Q"
#   SCALE_RUNS=N  runs per client and count (default: ntpupdate and the
#                 floor 20, ntpdig 5, chronyd-Q 3: its runs last seconds,
#                 and its cost varies little)
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2
SCALE_COUNTS=${SCALE_COUNTS:-"1 4 16 64"}
SCALE_CLIENTS=${SCALE_CLIENTS:-"ntpupdate ntpdig chronyd-Q"}
SCALE_RUNS=${SCALE_RUNS:-}

reps() {
	if [ -n "$SCALE_RUNS" ]; then
		echo "$SCALE_RUNS"
		return
	fi
	case $1 in
	chronyd-Q) echo 3 ;;
	ntpdig) echo 5 ;;
	*) echo 20 ;;
	esac
}

# est CLIENT COUNT: seconds per run (chronyd -Q needs longer the more
# servers it has: 4.5 s for one, 39 s for 64)
est() {
	case $1 in
	chronyd-Q) awk -v n="$2" 'BEGIN { print 4.3 + 0.55 * n }' ;;
	ntpdig) awk -v n="$2" 'BEGIN { print 0.2 + 0.01 * n }' ;;
	*) echo 0.05 ;;
	esac
}

if [ "${1:-}" = --estimate ]; then
	t=$(awk -v n="$(reps floor)" 'BEGIN { print 0.01 * n }')
	for n in $SCALE_COUNTS; do
		for cl in $SCALE_CLIENTS; do
			t=$(awk -v a="$t" -v b="$(est "$cl" "$n")" -v r="$(reps "$cl")" 'BEGIN { print a + b * r }')
		done
	done
	echo "$t"
	exit 0
fi
if [ "${1:-}" != --inner ]; then
	SCENARIOS=scaling exec bench/bench.sh
fi

cat >"$TMPD/scale.conf" <<CONF
port 123
allow 127.0.0.0/8
local stratum 8
cmdport 0
pidfile $TMPD/scale-chronyd.pid
CONF
"$CHRONYD" -x -u root -f "$TMPD/scale.conf" -l "$TMPD/scale-chronyd.log" -L 0 || exit 1
sleep 1
trap 'kill "$(cat "$TMPD/scale-chronyd.pid")" 2>/dev/null' EXIT

RU=$TMPD/rusage
echo "client,count,run,wall_s,user_s,sys_s,maxrss_kb,status" >"$SCALE_CSV"

# measure CLIENT COUNT RUN ADDR...: one run through bench-rusage, one row
measure() {
	local cl=$1 n=$2 run=$3 a srv=()
	shift 3
	: >"$RU"
	case $cl in
	floor)
		./build/bench-rusage "$RU" /bin/true
		;;
	ntpupdate)
		./build/bench-rusage "$RU" ./ntpupdate -q "$@" >/dev/null 2>&1
		;;
	ntpdig)
		./build/bench-rusage "$RU" ntpdig -t 2 "$@" >/dev/null 2>&1
		;;
	chronyd-Q)
		for a in "$@"; do
			srv+=("server $a iburst")
		done
		./build/bench-rusage "$RU" "$CHRONYD" -Q -u root -f /dev/null -L 0 -l /dev/null -t 90 \
			"${srv[@]}" "pidfile $TMPD/scale-q.pid" "cmdport 0" >/dev/null 2>&1
		;;
	esac
	read -r wall user sys rss status <"$RU" || { wall=0 user=0 sys=0 rss=0 status=255; }
	echo "$cl,$n,$run,$wall,$user,$sys,$rss,$status" >>"$SCALE_CSV"
	[ "$status" = 0 ] && printf '.' || printf 'x'
}

maxr=$(reps floor)
for cl in $SCALE_CLIENTS; do
	[ "$(reps "$cl")" -gt "$maxr" ] && maxr=$(reps "$cl")
done
printf 'bench: scaling  %s sources, %s\n        ' "$SCALE_COUNTS" "$SCALE_CLIENTS"
ts=$SECONDS
./ntpupdate -q -p 1 127.0.0.101 >/dev/null 2>&1 # warm the server
for run in $(seq 1 "$maxr"); do
	[ "$run" -le "$(reps floor)" ] && measure floor 0 "$run"
	for n in $SCALE_COUNTS; do
		mapfile -t addrs < <(seq 101 $((100 + n)) | sed 's/^/127.0.0./')
		for cl in $SCALE_CLIENTS; do
			[ "$run" -le "$(reps "$cl")" ] && measure "$cl" "$n" "$run" "${addrs[@]}"
		done
	done
	printf ' '
done
printf '\n        %d s\n' $((SECONDS - ts))
exit 0

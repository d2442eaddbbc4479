#!/bin/bash
# End-to-end: the benchmark's impairment relay (bench/relay.c) is an
# instrument the figures rest on.  A fixed asymmetric path shows up as the
# offset it must; every request is logged; and a relay restarted with the
# same seed gives the same delays, request by request (the paired runs of
# `make bench` depend on it), while another seed does not.
SUITE=e2e_bench_relay
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
RELAY=$BIN/bench-relay

start_server srv --log "$TMP/srv.log"

# relay NAME OPTIONS...: a relay on a free port in front of srv, PORT_R set
relay() {
	local name=$1
	shift
	rm -f "$TMP/$name.ready"
	for _ in $(seq 1 20); do
		PORT_R=$((20000 + RANDOM % 40000))
		"$RELAY" --listen 127.0.0.1:$PORT_R --server 127.0.0.1:$PORT_srv --lifetime 60 \
			--ready "$TMP/$name.ready" --log "$TMP/$name.log" "$@" 2>"$TMP/$name.err" &
		RPID=$!
		PIDS+=("$RPID")
		while kill -0 $RPID 2>/dev/null && [ ! -e "$TMP/$name.ready" ]; do sleep 0.01; done
		[ -e "$TMP/$name.ready" ] && return
	done
	echo "cannot start the relay: $(cat "$TMP/$name.err")"
}

# delays: the per-request delays (ms) of an ntpupdate -d run, one line
delays() {
	echo "$OUT" | awk '/^  Request [0-9]+: offset/ { printf "%.1f ", $7 * 1000 }'
}

relay fixed --out 30 --back 10
run "${U[@]}" -d -p 1 127.0.0.1:$PORT_R
kill $RPID
ok "30 ms out, 10 ms back: offset +10 ms, a bound that holds the true 0, one request logged" \
	'near "$(debug_offset)" 0.010 $(slack 0.004) && echo "$OUT" | awk "/^offset / { exit !(\$2 - \$4 <= 0 && \$2 + \$4 >= 0) }" &&
	 [ "$(wc -l <"$TMP/fixed.log")" -eq 1 ] && [ "$(awk "{ print \$1 }" "$TMP/fixed.log")" = 1 ]'

for name in a b c; do
	seed=9
	[ $name = c ] && seed=10
	relay $name --out 5:50:exp --back 5:50:exp --seed $seed
	run "${U[@]}" -d -p 3 --gap 100 127.0.0.1:$PORT_R
	kill $RPID
	printf -v "D_$name" '%s' "$(delays)"
done
echo "delays (ms): seed 9: $D_a / seed 9 again: $D_b / seed 10: $D_c"
# same_path A B TOL: three delays each, all within TOL ms of each other
same_path() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { n = split(a, x, " "); m = split(b, y, " "); if (n != 3 || m != 3) exit 1
		for (i = 1; i <= 3; i++) { d = x[i] - y[i]; if (d < 0) d = -d; if (d > t) exit 1 } }'
}
ok "a relay restarted with the same seed gives the same delay to every request" \
	'same_path "$D_a" "$D_b" $(slack 4)'
ok "another seed gives other delays" \
	'[ -n "$D_c" ] && ! same_path "$D_a" "$D_c" 4'
summary

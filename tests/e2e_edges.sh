#!/bin/bash
# The edges of the machine (issue 10): output that cannot be written, a
# syslog nobody listens to, -B beyond the kernel's slew range, and the
# wording of option errors.
SUITE=e2e_edges
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
Q=("${WRAP[@]}" "$BIN/ntpquery")

start_server ok --offset 0.05

# runout CMD...: like run, but stdout is left to the caller's redirection
# (given as the first argument: full, closed)
runout() {
	local how=$1
	shift
	case $how in
	full) "$@" >/dev/full 2>"$TMP/err" </dev/null ;;
	closed) "$@" >&- 2>"$TMP/err" </dev/null ;;
	esac
	RC=$?
	OUT=
	ERR=$(cat "$TMP/err")
	ELAPSED=0
}

# --- the result could not be written: exit 7, one line on stderr --------
for how in full closed; do
	runout $how "${U[@]}" -q -p 1 127.0.0.1:$PORT_ok
	ok "ntpupdate -q, stdout $how: exit 7 and a write error" \
		'[ $RC -eq 7 ] && [ "$(echo "$ERR" | grep -c "^ntpupdate: write error")" -eq 1 ]'
	runout $how "${Q[@]}" -p 1 127.0.0.1:$PORT_ok
	ok "ntpquery, stdout $how: exit 7 and a write error" \
		'[ $RC -eq 7 ] && echo "$ERR" | grep -q "^ntpquery: write error"'
	runout $how "${Q[@]}" -j -p 1 127.0.0.1:$PORT_ok
	ok "ntpquery -j, stdout $how: exit 7" '[ $RC -eq 7 ] && echo "$ERR" | grep -q "write error"'
done
runout full "${Q[@]}" -w 1 -c 2 -p 1 127.0.0.1:$PORT_ok
ok "ntpquery as a monitoring plugin, stdout full: UNKNOWN (3)" '[ $RC -eq 3 ]'
runout full "${U[@]}" -q -p 1 127.0.0.1:1
ok "no server and stdout full: still exit 1" '[ $RC -eq 1 ]'
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_ok
ok "stdout fine: exit 0, no write error" '[ $RC -eq 0 ] && [ -z "$ERR" ]'

# --- -s with no syslog listening: the result goes to stderr -------------
# Where /dev/log exists, hide it in a private mount namespace (root).
sysrun=()
if [ -e /dev/log ]; then
	if unshare -m true 2>/dev/null; then
		sysrun=(unshare -m sh -c 'mount --bind /dev/null /dev/log && exec "$@"' sh)
	else
		sysrun=(none)
	fi
fi
if [ "${sysrun[*]}" != none ]; then
	run "${sysrun[@]}" "${U[@]}" -s -q -p 1 127.0.0.1:$PORT_ok
	ok "-s without syslog: says so, result line on stderr, exit 0" \
		'[ $RC -eq 0 ] && echo "$ERR" | grep -q "^ntpupdate: syslog unreachable" &&
		 echo "$ERR" | grep -Eq "adjust time server 127.0.0.1 offset \+0\.0[45]" && [ -z "$OUT" ]'
else
	echo "not run (not counted): -s without syslog (needs a mount namespace to hide /dev/log)"
fi

# --- option errors name the option, then the value and the range --------
run "${U[@]}" -t 0 127.0.0.1
ok "-t 0: 'ntpupdate: -t: 0 is out of range (0.001..60)', exit 2" \
	'[ $RC -eq 2 ] && [ "$(echo "$ERR" | head -1)" = "ntpupdate: -t: 0 is out of range (0.001..60)" ]'
run "${U[@]}" --gap=-5 127.0.0.1
ok "--gap=-5 names --gap" '[ $RC -eq 2 ] && [ "$(echo "$ERR" | head -1)" = "ntpupdate: --gap: -5 is out of range (0..60000)" ]'
run "${Q[@]}" -p 9 127.0.0.1
ok "ntpquery -p 9 names -p" '[ $RC -eq 2 ] && [ "$(echo "$ERR" | head -1)" = "ntpquery: -p: 9 is out of range (1..8)" ]'
run "${Q[@]}" --timeout abc 127.0.0.1
ok "ntpquery --timeout abc names --timeout" \
	'[ $RC -eq 2 ] && [ "$(echo "$ERR" | head -1)" = "ntpquery: --timeout: '"'"'abc'"'"' is not a number" ]'

# --- -B beyond the kernel's slew range: refused before the clock is touched
start_server hour --offset 3600
start_server mhour --offset -3600
for port in $PORT_hour $PORT_mhour; do
	shimrun "${U[@]}" -B -p 1 127.0.0.1:$port
	ok "-B with $(echo "$OUT$ERR" | grep -Eo "[-+]3[56][0-9]{2}\.[0-9]+" | head -1) s: exit 3, no clock call, the limit named" \
		'[ $RC -eq 3 ] && [ -z "$SHIMOUT" ] && [ "$(echo "$ERR" | wc -l)" -eq 1 ] &&
		 echo "$ERR" | grep -q "refusing to slew the clock: .* beyond the kernel.s slew range (2145 s"'
done
shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_hour
ok "the same offset without -B is stepped" '[ $RC -eq 0 ] && echo "$SHIMOUT" | grep -q "^step "'
run "${U[@]}" -q -B -p 1 127.0.0.1:$PORT_hour
ok "-q -B: answers (exit 0) and says the slew would be refused" \
	'[ $RC -eq 0 ] && echo "$ERR" | grep -q "would refuse to slew the clock: .*slew range" &&
	 echo "$OUT" | grep -q "time server 127.0.0.1 offset +3"'

summary
[ "$nfail" -eq 0 ]

#!/bin/bash
# End-to-end tests of what scripts parse: ntpdate 4.2.8p15's -q lines
# (no line for a name that does not resolve, a LAN delay never 0.00000,
# never -0.000000), stdout and stderr in order, and ntpupdate -j.
SUITE=e2e_output
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")

start_server lan
start_server silent --drop-all
start_server ten --offset 10

shimrun "${U[@]}" -q -p 1 127.0.0.1:$PORT_lan no-such-host.invalid
ok "-q: no line for a name that does not resolve" \
	'[ $RC -eq 0 ] && [ "$(echo "$OUT" | grep -c "^server ")" -eq 1 ] && ! echo "$OUT" | grep -q "no-such-host"'
ok "-q: the name that does not resolve is said on stderr" 'echo "$ERR" | grep -q "no-such-host.invalid"'
ok "-q: a loopback server's delay is not printed as 0.00000" \
	'echo "$OUT" | grep -Eq "^server 127\.0\.0\.1, stratum 2, offset [-+]0\.[0-9]{6}, delay 0\.[0-9]{5}$" && ! echo "$OUT" | grep -q "delay 0.00000"'

# a server within a fraction of a microsecond: over many runs, no -0.000000
start_server zero --offset -0.0000002
neg=0
for i in 1 2 3 4 5 6 7 8; do
	run "${U[@]}" -q -p 1 127.0.0.1:$PORT_zero
	echo "$OUT" | grep -q -- "-0\.000000" && neg=$((neg + 1))
done
ok "-q: never -0.000000 (8 runs against a server 0.2 us behind)" '[ $neg -eq 0 ]'

# stdout is line-buffered: the server line comes before the verdict on
# stderr, as they were written
# (the shim: a quiet kernel clock, whatever the machine's says)
env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG=/dev/null "${U[@]}" -q -p 1 -t 0.2 127.0.0.1:$PORT_silent >"$TMP/both" 2>&1
first=$(head -1 "$TMP/both")
ok "stdout and stderr in the order written" \
	'echo "$first" | grep -q "^server 127.0.0.1, stratum 0" && sed -n 2p "$TMP/both" | grep -q "no server suitable"'

# --- -j ---------------------------------------------------------------------
json_get() { python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(json.dumps(d))' "$@"; }

shimrun "${U[@]}" -j -p 1 127.0.0.1:$PORT_ten 127.0.0.1:$PORT_silent -t 0.3
echo "$OUT" >"$TMP/j1"
ok "-j: one JSON document on stdout, nothing else" '[ $RC -eq 0 ] && python3 -m json.tool "$TMP/j1" >/dev/null'
ok "-j: program and version" \
	'[ "$(json_get "$TMP/j1" program)" = "\"ntpupdate\"" ] && json_get "$TMP/j1" version | grep -Eq "^\"[0-9]+\.[0-9]+"'
ok "-j: what was done: a step of +10 s, made" \
	'[ "$(json_get "$TMP/j1" clock.action)" = "\"step\"" ] && [ "$(json_get "$TMP/j1" clock.changed)" = true ] && near "$(json_get "$TMP/j1" clock.offset)" 10 0.001 && [ "$(json_get "$TMP/j1" clock.exit_code)" = 0 ] && echo "$SHIMOUT" | grep -q "^step +"'
ok "-j: the offset has its error bound" 'lt 0 "$(json_get "$TMP/j1" clock.error_bound)" && lt "$(json_get "$TMP/j1" clock.error_bound)" 0.01'
ok "-j: each source's verdict and reason" \
	'[ "$(json_get "$TMP/j1" sources.0.verdict)" = "\"system peer\"" ] && json_get "$TMP/j1" sources.1.reason | grep -q "no reply"'
run "${U[@]}" -j -q -p 1 127.0.0.1:$PORT_ten --max-step 1
echo "$OUT" >"$TMP/j2"
ok "-j -q: action query, nothing changed, exit 0" \
	'[ $RC -eq 0 ] && [ "$(json_get "$TMP/j2" clock.action)" = "\"query\"" ] && [ "$(json_get "$TMP/j2" clock.changed)" = false ]'
shimrun "${U[@]}" -j -p 1 127.0.0.1:$PORT_ten --max-step 1
echo "$OUT" >"$TMP/j3"
ok "-j: a refused step says why, exit 3, no clock call" \
	'[ $RC -eq 3 ] && [ "$(json_get "$TMP/j3" clock.action)" = "\"refused\"" ] && json_get "$TMP/j3" clock.error | grep -q "max-step" && [ -z "$SHIMOUT" ]'
shimrun "${U[@]}" -j -p 1 -t 0.2 127.0.0.1:$PORT_silent
echo "$OUT" >"$TMP/j4"
ok "-j: no usable server: a document all the same, exit 1" \
	'[ $RC -eq 1 ] && [ "$(json_get "$TMP/j4" clock.action)" = "\"no-server\"" ] && [ "$(json_get "$TMP/j4" result.answer)" = false ]'
run "${U[@]}" -j -d 127.0.0.1:$PORT_ten
ok "-j with -d: usage error (both write stdout)" '[ $RC -eq 2 ] && echo "$ERR" | grep -q "cannot be combined with -d"'

summary

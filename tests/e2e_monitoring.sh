#!/bin/bash
# End-to-end tests of ntpquery as a drop-in for the monitoring plugin
# check_ntp_time: -H, --port, -w/-c with the plugin's defaults, -q, its
# exit codes and performance data, the reason when nothing answers, and
# -j kept apart from plugin output.
SUITE=e2e_monitoring
. "$(dirname "$0")/lib.sh"
Q=("${WRAP[@]}" "$BIN/ntpquery")

start_server h --offset 0.02
start_server far --offset 90
start_server silent --drop-all

# what a check_ntp_time user types, with the port the plugin takes as -p
run "${Q[@]}" -H 127.0.0.1 --port $PORT_h -w 0.5 -c 1
echo "   $OUT"
ok "-H host --port P -w -c: OK, exit 0, one line" '[ $RC -eq 0 ] && [ "$(echo "$OUT" | wc -l)" -eq 1 ]'
ok "status line as check_ntp_time's: NTP OK: Offset N secs" 'echo "$OUT" | grep -Eq "^NTP OK: Offset 0\.0(19|20)[0-9]* secs"'
ok "performance data as check_ntp_time's: offset=Ns;W;C;" \
	'echo "$OUT" | grep -Eq "\|offset=0\.0[12][0-9]{4}s;0\.500000;1\.000000;$"'
ok "the error bound on the status line" 'echo "$OUT" | grep -Eq "secs, \+/- 0\.[0-9]{6}, 1 of 1 sources agree\|"'

run "${Q[@]}" -H 127.0.0.1 --port $PORT_far
echo "   $OUT"
ok "no -w/-c: check_ntp_time's defaults (60, 120): 90 s is WARNING" \
	'[ $RC -eq 1 ] && echo "$OUT" | grep -Eq "^NTP WARNING: Offset (89\.99|90\.00).*\|offset=(89\.99|90\.00)[0-9]+s;60\.000000;120\.000000;$"'
run "${Q[@]}" -H 127.0.0.1 --port $PORT_far -c 10
ok "-c alone: CRITICAL above it" '[ $RC -eq 2 ] && echo "$OUT" | grep -Eq "^NTP CRITICAL: Offset (89\.99|90\.00)"'

run "${Q[@]}" -H 127.0.0.1 --port $PORT_silent -t 0.2 -p 1
echo "   $OUT"
ok "no answer: CRITICAL (exit 2) by default, as the plugin" '[ $RC -eq 2 ] && echo "$OUT" | grep -q "^NTP CRITICAL: Offset unknown"'
ok "no answer: the reason on the status line" 'echo "$OUT" | grep -q "127.0.0.1:$PORT_silent: no reply"'
run "${Q[@]}" -q -H 127.0.0.1 --port $PORT_silent -t 0.2 -p 1
ok "-q (quiet): UNKNOWN (exit 3) instead" '[ $RC -eq 3 ] && echo "$OUT" | grep -q "^NTP UNKNOWN: Offset unknown"'
run "${Q[@]}" -H 127.0.0.1 --port 9 -t 1 -p 1
ok "port unreachable: CRITICAL with that reason" '[ $RC -eq 2 ] && echo "$OUT" | grep -q "127.0.0.1:9: .*unreachable"'
run "${Q[@]}" -H 127.0.0.1 -H 127.0.0.2 --port $PORT_silent -t 0.2 -p 1
ok "two hosts, none answers: CRITICAL saying how many were asked" \
	'[ $RC -eq 2 ] && echo "$OUT" | grep -q "(2 queried)"'

run "${Q[@]}" -H 127.0.0.1:$PORT_h --port 9
ok "a host with its own port keeps it" '[ $RC -eq 0 ] && echo "$OUT" | grep -q "^NTP OK"'
run "${Q[@]}" -H ::1 --port $PORT_h -p 1
ok "--port on a bare IPv6 address" '[ $RC -eq 0 ] || echo "$OUT" | grep -q "::1"'

run "${Q[@]}" -j -H 127.0.0.1 --port $PORT_h
ok "-j with plugin options: usage error, UNKNOWN (exit 3), no output mixed" \
	'[ $RC -eq 3 ] && [ -z "$OUT" ] && echo "$ERR" | grep -q "cannot be combined"'
run "${Q[@]}" -H 127.0.0.1 --port 0
ok "--port 0: usage error, UNKNOWN (exit 3)" '[ $RC -eq 3 ] && echo "$ERR" | grep -q -- "--port"'
run "${Q[@]}" -j --port $PORT_h 127.0.0.1
ok "--port without plugin options: the table's JSON as before" '[ $RC -eq 0 ] && echo "$OUT" | python3 -m json.tool >/dev/null'

summary

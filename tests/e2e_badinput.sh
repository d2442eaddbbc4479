#!/bin/bash
# Hard to fool, hard to crash: every bad reply tried, table-driven.
# Each bad server also lies by +1000 s, so a reply that slipped through
# would show: alone it would set the clock (the shim would see it), beside
# an honest server it would break the majority (exit 1 instead of 0).
SUITE=e2e_badinput
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
HONEST_OFF=0.05
start_server honest --offset $HONEST_OFF

# name | test-server options | what the reason on stderr must say
CASES='
short        | --short 40                 | no valid reply.*shorter than 48 bytes
short0       | --short 4                  | no valid reply.*shorter than 48 bytes
odd-length   | --pad 2                    | no valid reply.*not a multiple of 4
bad-ext      | --bad-ext                  | no valid reply.*malformed extension field
origin       | --bad-origin               | no valid reply.*wrong origin
origin-zero  | --zero-origin              | no valid reply.*wrong origin
other-port   | --other-port               | no reply to 1 request
other-addr   | --other-addr 127.0.0.2     | no reply to 1 request
mode-3       | --mode 3                   | \[mode\]: not a server reply
mode-5       | --mode 5                   | \[mode\]: not a server reply
mode-0       | --mode 0                   | \[mode\]: not a server reply
version-0    | --version 0                | \[version\]: NTP version outside
version-5    | --version 5                | \[version\]: NTP version outside
version-7    | --version 7                | \[version\]: NTP version outside
leap-3       | --leap 3                   | \[leap\]: server unsynchronised .leap indicator 3
kiss-unknown | --kod XYZW                 | \[stratum\]: .*stratum 0
stratum-16   | --stratum 16               | \[stratum\]: .*stratum 16
stratum-255  | --stratum 255              | \[stratum\]: .*stratum 255
rec-zero     | --zero-rec                 | \[timestamp-zero\]
xmt-zero     | --zero-xmt                 | \[timestamp-zero\]
xmt-order    | --xmt-before-rec           | \[timestamp-order\]
delay-neg    | --turnaround 5             | \[delay\]: round-trip delay negative
rdelay-max   | --root-delay max           | \[distance\]: root distance
rdisp-max    | --root-disp max            | \[distance\]: root distance
rdist-16     | --root-disp 16             | \[distance\]: root distance
rdist-1.5    | --root-disp 1.5            | \[distance\]: root distance
kod-deny-bad | --kod DENY --bad-origin    | no valid reply.*wrong origin
kod-rstr-bad | --kod RSTR --bad-origin    | no valid reply.*wrong origin
kod-rate-bad | --kod RATE --bad-origin    | no valid reply.*wrong origin
kod-deny     | --kod DENY                 | access denied .Kiss-o.-Death DENY
kod-rstr     | --kod RSTR                 | access denied .Kiss-o.-Death RSTR
kod-rate     | --kod RATE                 | rate limited .Kiss-o.-Death RATE
'
ncases=0
while IFS='|' read -r name opts reason; do
	name=$(echo $name)
	[ -n "$name" ] || continue
	ncases=$((ncases + 1))
	opts=$(echo $opts)
	reason=$(echo "$reason" | sed -E 's/^ +| +$//g')
	start_server "b$ncases" --offset 1000 $opts
	eval p=\$PORT_b$ncases
	shimrun "${U[@]}" -p 1 -t 0.3 127.0.0.1:$p
	ok "$name: alone: exit 1, clock untouched, no output, reason given" \
		'[ $RC -eq 1 ] && [ -z "$SHIMOUT" ] && [ -z "$OUT" ] && echo "$ERR" | grep -Eq "127.0.0.1:$p: (.* )?$reason"'
	run "${U[@]}" -q -p 1 -t 0.3 127.0.0.1:$p 127.0.0.1:$PORT_honest
	ok "$name: beside an honest server: the honest answer" \
		'[ $RC -eq 0 ] && [ -z "$ERR" ] && near "$(final_offset)" 0.05 0.001'
done <<<"$CASES"
echo "bad-reply cases: $ncases"

# --- replies that must not confuse the client ---------------------------------------
start_server dup --offset 0.05 --dup
run "${U[@]}" -d -p 1 127.0.0.1:$PORT_dup
ok "duplicate reply: used once, answer right" \
	'[ $RC -eq 0 ] && [ "$(echo "$OUT" | grep -c "Request 1: offset")" -eq 1 ] && near "$(debug_offset)" 0.05 0.001'
start_server forge --offset 0.05 --forge 200
run "${U[@]}" -d -p 1 127.0.0.1:$PORT_forge
ok "200 forged replies first: the genuine one wins" \
	'[ $RC -eq 0 ] && near "$(debug_offset)" 0.05 0.001'

# --- honest-looking liars: alone (reported; --max-step refuses), one of five (outvoted)
YEAR=31536000
start_server year --offset $YEAR
start_server day --offset -86400
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_year
ok "a year ahead, alone: answer reported with -q" '[ $RC -eq 0 ] && echo "$OUT" | tail -1 | grep -q "step time server 127.0.0.1 offset +315" && near "$(final_offset)" 31536000 0.001'
shimrun "${U[@]}" -p 1 --max-step 3600 127.0.0.1:$PORT_year
ok "a year ahead, alone, --max-step 3600: exit 3, clock untouched" '[ $RC -eq 3 ] && [ -z "$SHIMOUT" ]'
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_day
ok "a day behind, alone: answer reported with -q" '[ $RC -eq 0 ] && echo "$OUT" | tail -1 | grep -Eq "step time server 127.0.0.1 offset -(86399\.9|86400\.0)"'
shimrun "${U[@]}" -p 1 --max-step 3600 127.0.0.1:$PORT_day
ok "a day behind, alone, --max-step 3600: exit 3, clock untouched" '[ $RC -eq 3 ] && [ -z "$SHIMOUT" ]'
start_server f1 --offset 0.05
start_server f2 --offset 0.05
start_server f3 --offset 0.05
for liar in year day; do
	eval lp=\$PORT_$liar
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_f1 127.0.0.1:$lp 127.0.0.1:$PORT_f2 127.0.0.1:$PORT_f3 127.0.0.1:$PORT_honest
	ok "$liar liar, one of five: outvoted, one slew of +0.05 s" \
		'[ $RC -eq 0 ] && [ "$(echo "$SHIMOUT" | wc -l)" -eq 1 ] && echo "$SHIMOUT" | grep -q "^slew " && near "$(echo "$SHIMOUT" | awk "{print \$2}")" 0.05 0.001'
done

# --- safety rails ---------------------------------------------------------------------
start_server past --offset -1000000000
shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_past
ok "never step to before the build date: exit 3, clock untouched" \
	'[ $RC -eq 3 ] && [ -z "$SHIMOUT" ] && echo "$ERR" | grep -q "before this program was built"'

# --- faults ----------------------------------------------------------------------------
run "${U[@]}" -q -p 1 -t 5 127.0.0.1:9 127.0.0.1:$PORT_honest
ok "ICMP port unreachable: refused at once, the other server used" \
	'[ $RC -eq 0 ] && lt "$ELAPSED" "$(slack 1)" && echo "$OUT" | tail -1 | grep -q "offset +0.0"'
run "${U[@]}" -q -p 1 no-such-host.invalid 127.0.0.1:$PORT_honest
ok "unresolvable name: reported, the other server still used" \
	'[ $RC -eq 0 ] && echo "$ERR" | grep -q "cannot resolve no-such-host.invalid" && echo "$OUT" | tail -1 | grep -q "offset +0.0"'
start_server s1 --drop-all
start_server s2 --drop-all
start_server s3 --drop-all
run "${U[@]}" -q -p 2 --gap 200 -t 0.3 127.0.0.1:$PORT_s1 127.0.0.1:$PORT_s2 127.0.0.1:$PORT_s3
ok "all silent: exit 1 within the deadline, each named" \
	'[ $RC -eq 1 ] && lt "$ELAPSED" "$(slack 1.2)" && [ "$(echo "$ERR" | grep -c ": no reply to 2 requests")" -eq 3 ]'
start_server half --offset 0.05 --drop-every 2
run "${U[@]}" -q -p 4 --gap 100 -t 0.2 127.0.0.1:$PORT_half
ok "a server answering every other request still gives an answer" \
	'[ $RC -eq 0 ] && near "$(final_offset)" 0.05 0.001'
run "$BIN/ntpquery" -p 4 --gap 100 -t 0.2 127.0.0.1:$PORT_half
ok "ntpquery shows the half-answered reach register (1010 = 12)" \
	'[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^\^\* 127\.0\.0\.1:$PORT_half +2 +-3 +12 "'

summary

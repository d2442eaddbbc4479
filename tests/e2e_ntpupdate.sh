#!/bin/bash
# End-to-end tests of the real ntpupdate binary against the test server
# (and chronyd), with the clock calls caught by the LD_PRELOAD shim.
SUITE=e2e_ntpupdate
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
DATELINE='^[ 0-9][0-9] [A-Z][a-z][a-z] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] ntpupdate\[[0-9]+\]: '

# --- -q reports the server's lie ---------------------------------------
start_server lie25 --offset 0.25
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_lie25
ok "-q exits 0" '[ $RC -eq 0 ]'
ok "-q server line in ntpdate format" \
	'echo "$OUT" | grep -Eq "^server 127\.0\.0\.1, stratum 2, offset \+0\.2[45][0-9]{4}, delay 0\.[0-9]{5}$"'
ok "-q offset within 1 ms of the lie" 'near "$(server_offset 1)" 0.25 0.001'
ok "-q adjust line in ntpdate format" \
	'echo "$OUT" | tail -1 | grep -Eq "${DATELINE}adjust time server 127\.0\.0\.1 offset \+0\.2[45][0-9]{4} sec$"'

start_server neg --offset -3.5
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_neg
ok "-q negative lie reported with step line" \
	'near "$(server_offset 1)" -3.5 0.001 && echo "$OUT" | tail -1 | grep -Eq "step time server 127.0.0.1 offset -3\.(49|50)[0-9]{4} sec$"'

# --- setting the clock through the shim ---------------------------------
start_server hour --offset 3600
shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_hour
ok "+3600 s: exit 0" '[ $RC -eq 0 ]'
ok "+3600 s: exactly one clock call" '[ "$(echo "$SHIMOUT" | wc -l)" -eq 1 ]'
ok "+3600 s: it is a step of +3600 s" \
	'echo "$SHIMOUT" | grep -q "^step " && near "$(echo "$SHIMOUT" | awk "{print \$2}")" 3600 0.001'
ok "+3600 s: step line printed" 'echo "$OUT" | grep -Eq "${DATELINE}step time server 127.0.0.1 offset \+(3599\.99|3600\.00)[0-9]{4} sec$"'

start_server slew --offset 0.2
shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
ok "+0.2 s: one slew of +0.2 s" \
	'[ "$(echo "$SHIMOUT" | wc -l)" -eq 1 ] && echo "$SHIMOUT" | grep -q "^slew " && near "$(echo "$SHIMOUT" | awk "{print \$2}")" 0.2 0.001'
ok "+0.2 s: adjust line printed" 'echo "$OUT" | grep -Eq "adjust time server 127.0.0.1 offset \+0\.(19|20)"'

shimrun "${U[@]}" -b -p 1 127.0.0.1:$PORT_slew
ok "-b steps a small offset" \
	'echo "$SHIMOUT" | grep -q "^step " && near "$(echo "$SHIMOUT" | awk "{print \$2}")" 0.2 0.001'
start_server big --offset 2000
shimrun "${U[@]}" -B -p 1 127.0.0.1:$PORT_big
ok "-B slews a large offset (within the kernel's 2145 s)" \
	'echo "$SHIMOUT" | grep -q "^slew " && near "$(echo "$SHIMOUT" | awk "{print \$2}")" 2000 0.001'

shimrun "${U[@]}" --max-step 10 -p 1 127.0.0.1:$PORT_hour
ok "--max-step refuses with exit 3" '[ $RC -eq 3 ]'
ok "--max-step: no clock call" '[ -z "$SHIMOUT" ]'
ok "--max-step: one-line reason" '[ "$(echo "$ERR" | wc -l)" -eq 1 ] && echo "$ERR" | grep -q "max-step"'
shimrun "${U[@]}" -q --max-step 10 -p 1 127.0.0.1:$PORT_hour
ok "-q with --max-step still answers (exit 0)" '[ $RC -eq 0 ] && [ -z "$SHIMOUT" ]'

run env LD_PRELOAD="$SHIM" CLOCKSHIM_FAIL=1 "${U[@]}" -p 1 127.0.0.1:$PORT_slew
ok "refused clock call: exit 4" '[ $RC -eq 4 ]'
ok "refused clock call: says run as root or use -q" 'echo "$ERR" | grep -q "run as root, or use -q"'

if ! grep -qE '^CapEff:.*' /proc/self/status || \
   [ $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 25 & 1 )) -eq 0 ]; then
	# --force: whatever the machine's kernel clock says of a daemon
	run "${U[@]}" --force -p 1 127.0.0.1:$PORT_slew
	ok "without CAP_SYS_TIME the kernel refuses: exit 4" '[ $RC -eq 4 ] && echo "$ERR" | grep -q "Operation not permitted"'
else
	echo "SKIP (not counted): kernel refusal test: this shell holds CAP_SYS_TIME"
fi

# --- several servers: majority, disagreement ----------------------------
start_server h1 --offset 0.010
start_server h2 --offset 0.010
start_server h3 --offset 0.010
start_server l1 --offset 3600
start_server l2 --offset 3600
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_h1 127.0.0.1:$PORT_l1 127.0.0.1:$PORT_h2 127.0.0.1:$PORT_l2 127.0.0.1:$PORT_h3
ok "3 honest vs 2 liars: honest answer" \
	'[ $RC -eq 0 ] && echo "$OUT" | tail -1 | grep -q "adjust time server 127.0.0.1 offset +0.0" && near "$(final_offset)" 0.010 0.001'
ok "3 vs 2: five server lines" '[ "$(echo "$OUT" | grep -c "^server ")" -eq 5 ]'
run "${U[@]}" -d -p 1 127.0.0.1:$PORT_h1 127.0.0.1:$PORT_l1 127.0.0.1:$PORT_h2 127.0.0.1:$PORT_l2 127.0.0.1:$PORT_h3
ok "-d names the falsetickers" '[ "$(echo "$OUT" | grep -Ec "Verdict +: falseticker")" -eq 2 ]'
ok "-d ends with the offset line, then the ntpdate line" \
	'echo "$OUT" | tail -2 | head -1 | grep -Eq "^offset \+0\.0[0-9]{5} \+/- [0-9]+\.[0-9]{6} sec$" && echo "$OUT" | tail -1 | grep -q "adjust time server"'

run "${U[@]}" -q -p 1 127.0.0.1:$PORT_h1 127.0.0.1:$PORT_h2 127.0.0.1:$PORT_l1 127.0.0.1:$PORT_l2
ok "2 vs 2: no answer, exit 1" '[ $RC -eq 1 ]'
ok "2 vs 2: says the servers disagree" 'echo "$ERR" | grep -q "no majority"'

# --- failures, each with its reason ---------------------------------------
start_server silent --drop-all
run "${U[@]}" -q -p 1 -t 0.5 127.0.0.1:$PORT_silent
ok "silent server: exit 1" '[ $RC -eq 1 ]'
ok "silent server: reason names it" 'echo "$ERR" | grep -q "127.0.0.1:$PORT_silent: no reply to 1 request"'
ok "silent server: waits no longer than the timeout" 'lt "$ELAPSED" "$(slack 1.5)"'

run "${U[@]}" -q -p 1 127.0.0.1:$PORT_silent 127.0.0.1:$PORT_h1 -t 0.5
ok "silent + honest: answer from the honest one" '[ $RC -eq 0 ] && near "$(server_offset 2)" 0.010 0.001'

# a port with nothing behind it: ICMP port unreachable
run "${U[@]}" -q -p 1 -t 5 127.0.0.1:9
ok "ICMP refused: exit 1, reported at once" '[ $RC -eq 1 ] && lt "$ELAPSED" "$(slack 1)" && echo "$ERR" | grep -q "port unreachable"'

for code in DENY RSTR; do
	start_server kod$code --kod $code
	eval p=\$PORT_kod$code
	run "${U[@]}" -q -p 2 127.0.0.1:$p
	ok "KoD $code: access denied, exit 1, no second request" \
		'[ $RC -eq 1 ] && echo "$ERR" | grep -q "access denied (Kiss-o.-Death $code)" && lt "$ELAPSED" "$(slack 1.5)"'
done
start_server kodRATE --kod RATE
run "${U[@]}" -q -p 3 127.0.0.1:$PORT_kodRATE
ok "KoD RATE: reported, queries stop" \
	'[ $RC -eq 1 ] && echo "$ERR" | grep -q "rate limited" && lt "$ELAPSED" "$(slack 1.5)"'

start_server leap3 --leap 3
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_leap3
ok "LI 3: rejected as unsynchronised" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "leap indicator 3"'
start_server s16 --stratum 16
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_s16
ok "stratum 16: rejected with its stratum" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "stratum 16"'
start_server far --root-disp 2
run "${U[@]}" -q -p 1 127.0.0.1:$PORT_far
ok "root distance 2 s: rejected" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "root distance"'
run "${U[@]}" -q -p 1 --max-distance 3 127.0.0.1:$PORT_far
ok "--max-distance 3 accepts it" '[ $RC -eq 0 ]'

# --- politeness: spacing per source, sources in parallel ------------------
start_server sp1 --log "$TMP/sp1.log"
start_server sp2 --log "$TMP/sp2.log"
run "${U[@]}" -q -p 2 127.0.0.1:$PORT_sp1 127.0.0.1:$PORT_sp2
ok "-p 2: two requests per source" \
	'[ "$(wc -l <"$TMP/sp1.log")" -eq 2 ] && [ "$(wc -l <"$TMP/sp2.log")" -eq 2 ]'
ok "-p 2: requests to one source at least 2 s apart" \
	'lt 1.999 "$(awk "NR==1{a=\$3} NR==2{print \$3-a}" "$TMP/sp1.log")"'
ok "-p 2: sources sampled in parallel (under 3 s)" 'lt "$ELAPSED" "$(slack 3)"'

start_server lan --log "$TMP/lan.log"
run "${U[@]}" -q 127.0.0.1:$PORT_lan
ok "no -p, clean loopback: one request is enough" '[ $RC -eq 0 ] && [ "$(wc -l <"$TMP/lan.log")" -eq 1 ] && lt "$ELAPSED" "$(slack 0.5)"'

# --- the joint (offset, rate) model; a slewing clock gets the per-leg one ---
start_server est --offset 0.1
run "${U[@]}" -d -p 3 --gap 100 127.0.0.1:$PORT_est
ok "-d -p 3: the joint estimator is used" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "Filter +: joint estimator, offset \+0\.(09|10)"'
run env LD_PRELOAD="$SHIM" CLOCKSHIM_SLEWING=1 "${U[@]}" -d -p 3 --gap 100 127.0.0.1:$PORT_est
ok "local clock still slewing: per-leg estimator instead" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "Filter +: legs estimator, offset \+0\.(09|10)"'
run "${U[@]}" -d -p 1 127.0.0.1:$PORT_est
ok "-d -p 1: one sample is the single estimate" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "Filter +: single estimator"'

# --- IPv6 ------------------------------------------------------------------
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	start_server v6 --addr ::1 --offset 0.05
	run "${U[@]}" -q -p 1 "[::1]:$PORT_v6"
	ok "IPv6 [::1]:port" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^server ::1, stratum 2, offset \+0\.0(4|5)"'
	run "${U[@]}" -q -p 1 -4 "[::1]:$PORT_v6"
	ok "-4 with an IPv6 address: cannot resolve, exit 1" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "cannot resolve ::1"'
else
	echo "SKIP (not counted): no ::1 on this host"
fi

# --- usage errors ------------------------------------------------------------
for bad in "-p 0" "-p 9" "-p x" "-t 0" "-t abc" "--max-step -1" "--max-step nan" "-Z" "--bogus" "-p"; do
	run "${U[@]}" $bad 127.0.0.1:1
	ok "usage error '$bad': exit 2 with a message" '[ $RC -eq 2 ] && [ -n "$ERR" ] && [ -z "$OUT" ]'
done
for bad in "host:99999" "[::1" "bad/host" "[::1]:0"; do
	run "${U[@]}" -q "$bad"
	ok "bad server '$bad': exit 2, one line" '[ $RC -eq 2 ] && [ "$(echo "$ERR" | wc -l)" -eq 1 ]'
done
run "${U[@]}" --help
ok "--help lists the exit codes" '[ $RC -eq 0 ] && echo "$OUT" | grep -q "3 refused by a safety limit"'
run "${U[@]}" --version
ok "--version" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^ntpupdate [0-9]+\.[0-9]+"'
run "${U[@]}" -q -s -p 1 127.0.0.1:$PORT_h1
ok "-s sends the lines to syslog, not stdout" '[ $RC -eq 0 ] && [ -z "$OUT" ]'

# --- make install honours PREFIX and DESTDIR ------------------------------------
# A make of its own: the one running this suite (say, check-asan with
# O=build-asan SAN=...) must not leak its variables into the install.
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u O -u SAN \
	make -s -C "$(dirname "$0")/.." install DESTDIR="$TMP/inst" PREFIX=/usr
ok "make install: sbin, bin, man8 and man1 under DESTDIR/PREFIX" \
	'[ $RC -eq 0 ] && [ -x "$TMP/inst/usr/sbin/ntpupdate" ] && [ -x "$TMP/inst/usr/bin/ntpquery" ] && [ -f "$TMP/inst/usr/share/man/man8/ntpupdate.8" ] && [ -f "$TMP/inst/usr/share/man/man1/ntpquery.1" ]'
ok "make install: the plain build, never a sanitizer build" \
	'! ldd "$TMP/inst/usr/sbin/ntpupdate" | grep -q asan && ! ldd "$(dirname "$0")/../ntpupdate" | grep -q asan'

# --- interop: a real chronyd --------------------------------------------------
. "$(dirname "$0")/chrony.sh"
if start_chronyd; then
	run "${U[@]}" -q -p 1 127.0.0.1:$CHRONY_PORT
	ok "chronyd: accepted" '[ $RC -eq 0 ] && echo "$OUT" | grep -q "^server 127.0.0.1, stratum 8"'
	ok "chronyd: |offset| < 1 ms" 'near "$(server_offset 1)" 0 0.001'
	stop_chronyd
else
	ok "chronyd available for the interop test (run tests/install-deps.sh)" false
fi

summary

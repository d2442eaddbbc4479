#!/bin/bash
# End-to-end tests of ntpquery: table, -v, -j, -n, monitoring, privileges.
SUITE=e2e_ntpquery
. "$(dirname "$0")/lib.sh"
Q=("${WRAP[@]}" "$BIN/ntpquery")
GOLD=$(dirname "$0")/golden

# row NAME: the table row whose name column starts with NAME
row() { echo "$OUT" | grep -E "^\^. $1 "; }

start_server h1 --offset 0.020
start_server h2 --offset 0.020
start_server h3 --offset 0.020
start_server liar --offset 3600
start_server quiet --drop-all

run "${Q[@]}" -p 1 -t 0.3 127.0.0.1:$PORT_h1 127.0.0.1:$PORT_h2 127.0.0.1:$PORT_liar 127.0.0.1:$PORT_h3 127.0.0.1:$PORT_quiet
ok "table: exit 0" '[ $RC -eq 0 ]'
ok "table: header and rule match the golden text" \
	'[ "$(echo "$OUT" | head -2)" = "$(sed -n 10,11p "$GOLD/ntpquery-v-head.txt")" ]'
ok "table: the liar is marked x" 'row "127.0.0.1:$PORT_liar" | grep -q "^\^x "'
ok "table: exactly one honest server is *" '[ "$(echo "$OUT" | grep -c "^\^\* ")" -eq 1 ] && ! row "127.0.0.1:$PORT_liar" | grep -q "^\^\*"'
ok "table: the other honest ones are + or -" '[ "$(echo "$OUT" | grep -cE "^\^[-+] ")" -eq 2 ]'
ok "table: silent server is ? with Reach 0 and LastRx -" \
	'row "127.0.0.1:$PORT_quiet" | grep -Eq "^\^\? 127\.0\.0\.1:[0-9]+ +0 +1 +0 +- "'
ok "table: Poll is log2 of the 2 s spacing (1), Reach 1 for one answered request" \
	'row "127.0.0.1:$PORT_h1" | grep -Eq "^\^. 127\.0\.0\.1:[0-9]+ +2 +1 +1 +0 "'
ok "table: the liar shows +3600s" 'row "127.0.0.1:$PORT_liar" | grep -q "+3600s\[ +3600s\]"'
ok "table: honest offset in ms" 'row "127.0.0.1:$PORT_h1" | grep -Eq " \+ ?(19|20|21)ms\["'
ok "summary line: 3 of 5 agree, would slew" \
	'echo "$OUT" | grep -Eq "^Result: offset \+0\.0(19|20)[0-9]{3} s \+/- [0-9.]+ s, 3 of 5 sources agree; ntpupdate would slew the clock\.$"'

run "${Q[@]}" -v -p 1 -t 0.3 127.0.0.1:$PORT_h1 127.0.0.1:$PORT_liar 127.0.0.1:$PORT_quiet 127.0.0.1:$PORT_h2
ok "-v: legend and header match the golden text" \
	'[ "$(echo "$OUT" | head -11)" = "$(cat "$GOLD/ntpquery-v-head.txt")" ]'
ok "-v: silent server's reason" 'echo "$OUT" | grep -A3 "^Source 127.0.0.1:$PORT_quiet " | grep -q "Verdict          : no reply to 1 request"'
ok "-v: falseticker verdict with the interval" \
	'echo "$OUT" | grep -A40 "^Source 127.0.0.1:$PORT_liar " | grep -q "Verdict          : falseticker: its interval .* misses the majority"'
ok "-v: T1..T4 to the nanosecond" '[ "$(echo "$OUT" | grep -cE "^    T[1-4] 20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{9} UTC")" -eq 12 ]'
ok "-v: every header field decoded" \
	'for f in "Leap indicator   : 0 (no warning)" "Version          : 4" "Mode             : 4 (server)" "Stratum          : 2 (secondary reference)" "Precision        : -24 (2^-24" "Root delay" "Root dispersion" "Reference ID     : 192.0.2.1 (upstream IPv4 address" "Reference time   :" "Sanity checks    : all passed"; do echo "$OUT" | grep -qF "$f" || exit 1; done'

for code in DENY RSTR RATE; do
	start_server k$code --kod $code
	eval p=\$PORT_k$code
	run "${Q[@]}" -v -p 1 127.0.0.1:$p
	ok "KoD $code: ? in the table, kiss code and verdict under -v" \
		'[ $RC -eq 1 ] && echo "$OUT" | grep -q "^\^? " && echo "$OUT" | grep -q "Reference ID     : $code (kiss code)" && echo "$OUT" | grep -q "Verdict          : .*Kiss-o.-Death $code"'
done
start_server leap --leap 3
run "${Q[@]}" -v -p 1 127.0.0.1:$PORT_leap
ok "-v: failed sanity check named" 'echo "$OUT" | grep -Eq "^    leap +: server unsynchronised"'

# --- JSON ---------------------------------------------------------------------
run "${Q[@]}" -j -p 1 -t 0.3 127.0.0.1:$PORT_h1 127.0.0.1:$PORT_liar 127.0.0.1:$PORT_quiet 127.0.0.1:$PORT_h2 127.0.0.1:$PORT_h3
echo "$OUT" >"$TMP/q.json"
ok "-j: valid JSON" 'python3 -m json.tool "$TMP/q.json" >/dev/null'
ok "-j: offsets match the lies within 1 ms, verdicts right" 'python3 - "$TMP/q.json" <<PY
import json, sys
d = json.load(open(sys.argv[1]))
want = {"$PORT_h1": 0.020, "$PORT_h2": 0.020, "$PORT_h3": 0.020, "$PORT_liar": 3600.0}
seen = 0
for s in d["sources"]:
    port = s["address_port"].rsplit(":", 1)[1]
    if port in want:
        assert abs(s["offset"] - want[port]) < 0.001, s
        seen += 1
    else:
        assert s["offset"] is None and s["state"] == "?" and s["reach"] == 0, s
        assert s["requests"][0]["outcome"] == "timeout"
assert seen == 4
liar = [s for s in d["sources"] if s["address_port"].endswith(":$PORT_liar")][0]
assert liar["state"] == "x" and liar["verdict"] == "falseticker" and liar["usable"] is False
r = d["result"]
assert r["answer"] is True and abs(r["offset"] - 0.020) < 0.001 and r["error_bound"] > 0
assert r["sources"] == 5 and r["sources_agreeing"] == 3 and r["action"] == "slew"
for s in d["sources"]:
    for q in s["requests"]:
        if q["outcome"] == "ok":
            assert q["t1"].endswith("Z") and q["kernel_timestamp"] in (True, False)
PY'

# --- -n ---------------------------------------------------------------------
run "${Q[@]}" -n -p 1 localhost:$PORT_h1
ok "-n shows the address" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^\^\* 127\.0\.0\.1:$PORT_h1 "'
run "${Q[@]}" -p 1 localhost:$PORT_h1
ok "default shows the name as given" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^\^\* localhost:$PORT_h1 "'

# --- monitoring ---------------------------------------------------------------
run "${Q[@]}" -p 1 -w 0.05 -c 0.5 127.0.0.1:$PORT_h1
ok "monitoring OK: exit 0, status line with perfdata" \
	'[ $RC -eq 0 ] && [ "$(echo "$OUT" | wc -l)" -eq 1 ] && echo "$OUT" | grep -Eq "^NTP OK: Offset 0\.0(19|20)[0-9]+ secs, .*\|offset=0\.0(19|20)[0-9]+s;0\.050000;0\.500000;$"'
run "${Q[@]}" -p 1 -w 0.01 -c 0.5 127.0.0.1:$PORT_h1
ok "monitoring WARNING: exit 1" '[ $RC -eq 1 ] && echo "$OUT" | grep -q "^NTP WARNING: "'
run "${Q[@]}" -p 1 -w 0.001 -c 0.01 127.0.0.1:$PORT_h1
ok "monitoring CRITICAL: exit 2" '[ $RC -eq 2 ] && echo "$OUT" | grep -q "^NTP CRITICAL: "'
run "${Q[@]}" -p 1 -t 0.2 -w 1 -c 2 127.0.0.1:$PORT_quiet
ok "monitoring, no answer: CRITICAL (exit 2), as check_ntp_time" '[ $RC -eq 2 ] && echo "$OUT" | grep -q "^NTP CRITICAL: Offset unknown: "'
run "${Q[@]}" -w x 127.0.0.1:$PORT_h1
ok "monitoring usage error: exit 3" '[ $RC -eq 3 ]'

# --- plain exit codes, usage ----------------------------------------------------
run "${Q[@]}" -p 1 -t 0.2 127.0.0.1:$PORT_quiet
ok "no usable source: exit 1" '[ $RC -eq 1 ]'
run "${Q[@]}" -p 1 127.0.0.1:$PORT_h1 127.0.0.1:$PORT_liar
ok "1 vs 1: nobody usable, both x, exit 1" '[ $RC -eq 1 ] && [ "$(echo "$OUT" | grep -c "^\^x ")" -eq 2 ]'
for bad in "-p 0" "-t -1" "--bogus" "-j -p" ; do
	run "${Q[@]}" $bad 127.0.0.1:$PORT_h1
	ok "usage error '$bad': exit 2" '[ $RC -eq 2 ] && [ -n "$ERR" ]'
done
run "${Q[@]}" -p 1 "[::1"
ok "bad server: exit 2" '[ $RC -eq 2 ]'
run "${Q[@]}" --help
ok "--help documents the monitoring exit codes" 'echo "$OUT" | grep -q "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"'

# --- no privileges at all -----------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	cp "$BIN/ntpquery" "$TMP/ntpquery-copy" && chmod 755 "$TMP" "$TMP/ntpquery-copy"
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- \
		"$TMP/ntpquery-copy" -p 1 127.0.0.1:$PORT_h1
	ok "ntpquery as nobody with no capabilities works" '[ $RC -eq 0 ] && echo "$OUT" | grep -q "^\^\* "'
else
	run "${Q[@]}" -p 1 127.0.0.1:$PORT_h1
	ok "ntpquery as an unprivileged user works" '[ $RC -eq 0 ]'
fi

# --- a real chronyd -----------------------------------------------------------------
. "$(dirname "$0")/chrony.sh"
if start_chronyd; then
	run "${Q[@]}" -v -p 1 127.0.0.1:$CHRONY_PORT
	ok "chronyd: * with stratum 8 and a local reference" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^\^\* 127\.0\.0\.1:$CHRONY_PORT +8 " && echo "$OUT" | grep -q "Reference ID     : 127.127.1.1"'
	stop_chronyd
else
	ok "chronyd available for the interop test" false
fi

summary

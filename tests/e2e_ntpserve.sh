#!/bin/bash
# End-to-end tests of ntpserve: the hierarchy (chronyd -> ntpupdate ->
# state -> ntpserve -> clients), unsynchronised cases, access control,
# rate limiting, hostile requests, privileges, workers, and the real
# clients (ntpupdate -q, ntpquery, chronyd -Q, ntpdig) accepting it.
SUITE=e2e_ntpserve
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chrony.sh"
SERVE=("${WRAP[@]}" "$BIN/ntpserve")
# valgrind and the sanitizers' leak check make calls of their own
[ -n "${NTP_VALGRIND:-}${NTP_SANITIZED:-}" ] && SERVE+=(--no-seccomp)
Q=("${WRAP[@]}" "$BIN/ntpquery")
U=("${WRAP[@]}" "$BIN/ntpupdate")
# the state in a directory the server (nobody, when run as root) can read
mkdir -p "$TMP/lib" && chmod 755 "$TMP" "$TMP/lib"
STATE=$TMP/lib/state
export NTPUPDATE_STATE=$STATE

# start_ntpserve NAME ARGS...: ntpserve on 127.0.0.1 and a random port
# (unless ARGS give --port), waiting until it listens.  Sets NS_PORT_NAME
# and NS_PID_NAME; its stderr goes to $TMP/ns.NAME.err.
start_ntpserve() {
	local name=$1 i try port pid
	shift
	for try in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 30000))
		if printf '%s\n' "$@" | grep -qx -- --port; then port=; fi
		"${SERVE[@]}" --listen 127.0.0.1 ${port:+--port $port} --state-file "$STATE" "$@" \
			2>"$TMP/ns.$name.err" &
		pid=$!
		for i in $(seq 1 $((100 * SLACK))); do
			grep -q "^ntpserve: listening" "$TMP/ns.$name.err" 2>/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.02
		done
		if grep -q "^ntpserve: listening" "$TMP/ns.$name.err"; then
			[ -z "$port" ] && port=$(sed -nE 's/^ntpserve: listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$TMP/ns.$name.err" | head -1)
			PIDS+=("$pid")
			printf -v "NS_PORT_$name" '%s' "$port"
			printf -v "NS_PID_$name" '%s' "$pid"
			sleep 0.05
			return 0
		fi
		wait $pid 2>/dev/null
		grep -q "Address already in use" "$TMP/ns.$name.err" || break
	done
	echo "cannot start ntpserve $name: $(cat "$TMP/ns.$name.err")"
	printf -v "NS_PORT_$name" '%s' 1
	printf -v "NS_PID_$name" '%s' 0
	return 1
}

# children PID: its child processes (from /proc: no procps needed)
children() {
	awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null | tr '\n' ' '
}

# stop NAME: SIGTERM, wait; RC is its exit status
stop_ntpserve() {
	local pid
	eval pid=\$NS_PID_$1
	RC=99
	[ "${pid:-0}" -gt 0 ] || return
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	RC=$?
}

# --- usage ---------------------------------------------------------------
run "$BIN/ntpserve" --help
ok "--help: exit 0, usage line matches the man page's options" \
	'[ $RC -eq 0 ] && echo "$OUT" | head -1 | grep -q "^usage: ntpserve --allow CIDR" && (for o in allow deny deny-kod listen port user state-file max-distance local-stratum no-ratelimit rate-interval rate-burst workers no-seccomp keyfile keyfile-format; do grep -Eq -- "Fl -$o( |$)" man/ntpserve.8 && echo "$OUT" | grep -q -- "--$o" || exit 1; done)'
if command -v mandoc >/dev/null; then
	run mandoc -Tlint -W style man/ntpserve.8
	lint=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -v "referenced manual not found" | grep -v "mandoc.db" | grep -v "^$")
	ok "mandoc -Tlint ntpserve.8: clean (but for pages not installed here)" '[ -z "$lint" ]'
fi
run "$BIN/ntpserve" --listen 127.0.0.1 --port 1
ok "no --allow: exit 2, one clear line" '[ $RC -eq 2 ] && echo "$ERR" | head -1 | grep -q "no --allow: nobody would be answered"'
for bad in "--allow 10.1.2.3/8" "--allow 10.0.0.0/33" "--allow example.com" "--allow all --port 0" \
	"--allow all --port 70000" "--allow all --local-stratum 16" "--allow all --workers 0" \
	"--allow all --max-distance nan" "--allow all --bogus" "--allow all extra"; do
	run "$BIN/ntpserve" $bad
	ok "bad usage ($bad): exit 2 and a one-line reason" \
		'[ $RC -eq 2 ] && echo "$ERR" | head -1 | grep -q "^ntpserve: " && [ -z "$OUT" ]'
done
ok "no clock-setting code is linked into ntpserve" \
	'! nm -D --undefined-only "$BIN/ntpserve" | grep -Ew "clock_settime|settimeofday|adjtime|adjtimex|ntp_adjtime|clock_adjtime|stime"'

# --- unsynchronised without state -----------------------------------------
rm -f "$STATE"
start_ntpserve nostate --allow 127.0.0.0/8 --no-ratelimit
run "${Q[@]}" -v -p 1 -t 0.5 127.0.0.1:$NS_PORT_nostate
ok "no state: served unsynchronised (LI 3, stratum 0 on the wire; 16 shown), refused" \
	'[ $RC -eq 1 ] && echo "$OUT" | grep -q "Leap indicator   : 3" && echo "$OUT" | grep -Eq "Stratum          : (0|16)" && echo "$OUT" | grep -Eq "^    leap +: server unsynchronised"'
run "${U[@]}" -q -p 1 -t 0.5 127.0.0.1:$NS_PORT_nostate
ok "no state: ntpupdate -q refuses it" '[ $RC -eq 1 ]'
ok "no state: the log says why" 'grep -q "serving unsynchronised: no synchronisation state recorded" "$TMP/ns.nostate.err"'
rm -f "$TMP/cq0.log"
run "$CHRONYD" -Q -u root -f /dev/null -L 0 -l "$TMP/cq0.log" -t 3 \
	"server 127.0.0.1 port $NS_PORT_nostate iburst" "pidfile $TMP/cq0.pid" "cmdport 0"
ok "no state: chronyd -Q refuses it (times out without a time)" '[ $RC -ne 0 ] && grep -q "Timeout reached" "$TMP/cq0.log" && ! grep -q "System clock wrong by" "$TMP/cq0.log"'

# --- the hierarchy: chronyd (stratum 8) -> ntpupdate -> ntpserve (9) -------
if start_chronyd; then
	shimrun "${U[@]}" -p 1 127.0.0.1:$CHRONY_PORT
	ok "ntpupdate sets from chronyd (shim) and records the state" \
		'[ $RC -eq 0 ] && [ -s "$STATE" ] && grep -qx "stratum 8" "$STATE" && grep -qx "refid 7f000001" "$STATE" && grep -qx "upstream 127.0.0.1" "$STATE"'
	shimrun env NTPUPDATE_STATE="$TMP/fresh/state" "${U[@]}" -p 1 127.0.0.1:$CHRONY_PORT
	ok "a missing state directory is made (0755), under ntpupdate's seccomp filter" \
		'[ $RC -eq 0 ] && [ -s "$TMP/fresh/state" ] && [ "$(stat -c %a "$TMP/fresh")" = 755 ] && [ -z "$ERR" ]'
	shimrun env NTPUPDATE_STATE=/proc/no/such/dir/state "${U[@]}" -p 1 127.0.0.1:$CHRONY_PORT
	ok "an unwritable state path: a warning, the set still counts (exit 0)" \
		'[ $RC -eq 0 ] && echo "$ERR" | grep -q "warning: cannot record the state for ntpserve: /proc/no/such/dir" && [ -n "$SHIMOUT" ]'
	before=$(stat -c %y "$STATE")
	shimrun "${U[@]}" -q -p 1 127.0.0.1:$CHRONY_PORT
	ok "ntpupdate -q records nothing" '[ $RC -eq 0 ] && [ "$(stat -c %y "$STATE")" = "$before" ]'
	ok "state file is 0644 and complete" '[ "$(stat -c %a "$STATE")" = 644 ] && [ "$(grep -cv "^#" "$STATE")" -eq 10 ]'
	sleep 1.1 # the server looks at the file at most once a second
	run "${Q[@]}" -v -p 1 -t 0.5 127.0.0.1:$NS_PORT_nostate
	ok "ntpserve notices the new state: stratum 9, refid 127.0.0.1 (chronyd's address)" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Stratum          : 9 " && echo "$OUT" | grep -q "Reference ID     : 127.0.0.1 " && echo "$OUT" | grep -q "Sanity checks    : all passed"'
	ok "the reply echoes version 4, mode 4, and the reference time is the set" \
		'echo "$OUT" | grep -q "Version          : 4" && echo "$OUT" | grep -q "Mode             : 4 (server)" && echo "$OUT" | grep -Eq "Reference time   : .*\(age [0-9]\.[0-9]+ s"'
	run "${U[@]}" -q -p 1 127.0.0.1:$NS_PORT_nostate
	ok "ntpupdate -q accepts it at stratum 9, offset within 1 ms" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "stratum 9," && near "$(server_offset 1)" 0 0.001'
	ok "the log says it serves at stratum 9" 'grep -q "serving at stratum 9 (upstream 127.0.0.1)" "$TMP/ns.nostate.err"'
	rm -f "$TMP/cq.log"
	run "$CHRONYD" -Q -u root -f /dev/null -L 0 -l "$TMP/cq.log" -t 10 \
		"server 127.0.0.1 port $NS_PORT_nostate iburst" "pidfile $TMP/cq.pid" "cmdport 0"
	ok "chronyd -Q accepts ntpserve's answers" '[ $RC -eq 0 ] && grep -q "System clock wrong by" "$TMP/cq.log"'
	stop_chronyd
else
	ok "chronyd starts" 'false'
fi
stop_ntpserve nostate
ok "SIGTERM: exit 0 and the counters logged" '[ $RC -eq 0 ] && grep -Eq "worker 0: [0-9]+ received, [0-9]+ answered" "$TMP/ns.nostate.err"'

# --- unsynchronised: too far, stepped since, upstream unsynchronised -------
# (states written by hand from the one ntpupdate made)
if [ -s "$STATE" ]; then
	cp "$STATE" "$TMP/state.good"
	sed -E 's/^root_disp .*/root_disp 2.0/' "$TMP/state.good" >"$STATE"
	start_ntpserve far --allow 127.0.0.1 --no-ratelimit
	run "${Q[@]}" -v -p 1 -t 0.5 127.0.0.1:$NS_PORT_far
	ok "root distance past --max-distance: unsynchronised" \
		'[ $RC -eq 1 ] && echo "$OUT" | grep -q "Leap indicator   : 3" && grep -q "root distance grew past the limit" "$TMP/ns.far.err"'
	stop_ntpserve far
	rmb=$(sed -n 's/^real_minus_boot //p' "$TMP/state.good")
	sed "s/^real_minus_boot .*/real_minus_boot $((rmb - 5000000000))/" "$TMP/state.good" >"$STATE"
	start_ntpserve stepped --allow 127.0.0.1 --no-ratelimit
	run "${Q[@]}" -v -p 1 -t 0.5 127.0.0.1:$NS_PORT_stepped
	ok "clock stepped by 5 s since the set: unsynchronised" \
		'[ $RC -eq 1 ] && echo "$OUT" | grep -q "Leap indicator   : 3" && grep -q "stepped since the last set" "$TMP/ns.stepped.err"'
	stop_ntpserve stepped
	cp "$TMP/state.good" "$STATE"
	start_ntpserve maxd --allow 127.0.0.1 --no-ratelimit --max-distance 0.000001
	run "${Q[@]}" -p 1 -t 0.5 127.0.0.1:$NS_PORT_maxd
	ok "--max-distance 1 us: unsynchronised" '[ $RC -eq 1 ] && grep -q "root distance grew past" "$TMP/ns.maxd.err"'
	stop_ntpserve maxd
	printf 'garbage\n' >"$STATE"
	start_ntpserve garbage --allow 127.0.0.1 --no-ratelimit
	run "${Q[@]}" -p 1 -t 0.5 127.0.0.1:$NS_PORT_garbage
	ok "a corrupt state file: one clear line, unsynchronised, no crash" \
		'[ $RC -eq 1 ] && grep -q "ignoring the state: .*line 1: expected \"key value\"" "$TMP/ns.garbage.err" && kill -0 $NS_PID_garbage'
	stop_ntpserve garbage
	cp "$TMP/state.good" "$STATE"
	# SIGHUP: the new state within a quarter second, not at the next
	# once-a-second look
	if [ -z "${NTP_VALGRIND:-}" ]; then
		start_ntpserve hup --allow 127.0.0.1 --no-ratelimit
		"${Q[@]}" -p 1 127.0.0.1:$NS_PORT_hup >/dev/null 2>&1 # it looks at the file now
		sed 's/^stratum 8$/stratum 5/' "$TMP/state.good" >"$STATE.new" && mv "$STATE.new" "$STATE"
		kill -HUP $NS_PID_hup
		sleep 0.35 # signals are read at least every 250 ms
		run "${Q[@]}" -v -p 1 127.0.0.1:$NS_PORT_hup
		ok "SIGHUP: the new state is served within 0.35 s (stratum 6)" '[ $RC -eq 0 ] && echo "$OUT" | grep -q "Stratum          : 6 "'
		stop_ntpserve hup
		cp "$TMP/state.good" "$STATE"
	fi
fi

# --- local stratum ---------------------------------------------------------
start_ntpserve local --allow 127.0.0.0/8 --local-stratum 5 --no-ratelimit
run "${Q[@]}" -v -p 1 127.0.0.1:$NS_PORT_local
ok "--local-stratum 5: stratum 5, refid 127.127.1.1" \
	'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Stratum          : 5 " && echo "$OUT" | grep -q "Reference ID     : 127.127.1.1"'
run "${U[@]}" -d 127.0.0.1:$NS_PORT_local
ok "ntpupdate -d against it: offset within 100 us (loopback, one clock)" \
	'[ $RC -eq 0 ] && near "$(debug_offset)" 0 $(slack 0.0001)'

# --- hostile and malformed requests ---------------------------------------
cat >"$TMP/bad.py" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", port))
s.settimeout(0.05)
xmt = bytes.fromhex("0123456789abcdef")
def req(version=4, mode=3, length=48, tail=b"", org=b"\0" * 8, x=xmt):
    h = bytes([(version << 3) | mode, 0, 6, 0]) + bytes(20) + org + bytes(8) + x
    b = (h + tail)
    if length is not None:
        b = (b + bytes(max(0, length - len(b))))[:length]
    return b
cases = []
for m in range(8):
    cases.append(("mode %d" % m, req(mode=m), m == 3))
for v in range(8):
    cases.append(("version %d" % v, req(version=v), 1 <= v <= 4))
for n in (0, 1, 47, 48, 49, 68, 72, 1200, 65507):
    cases.append(("length %d" % n, req(length=n), n in (48, 68, 72)))
ef = lambda t, l, body: struct.pack(">HH", t, l) + body
cases.append(("ext field ok (answered without echo)", req(length=None, tail=ef(0x0104, 32, bytes(28))), True))
for l in (0, 4, 12, 18, 36, 0xfffc):
    cases.append(("ext field length %d" % l, req(length=None, tail=ef(0x0104, l, bytes(28))), False))
cases.append(("mac (crypto-NAK)", req(length=None, tail=struct.pack(">I", 1) + bytes(16)), True))
cases.append(("origin zero", req(org=bytes(8)), True))
cases.append(("origin set", req(org=bytes.fromhex("1111111111111111")), True))
cases.append(("transmit zero", req(x=bytes(8)), False))
cases.append(("mode 6 control", bytes([0x16, 0x02, 0, 1]) + bytes(8), False))
cases.append(("mode 7 monlist", bytes([0x17, 0x00, 0x03, 0x2a]) + bytes(188), False))
bad = 0
for name, pkt, want in cases:
    try:
        s.send(pkt)
    except OSError as e:
        print("send %s: %s" % (name, e)); bad += 1; continue
    replies = []
    try:
        while True:
            replies.append(s.recv(70000))
    except socket.timeout:
        pass
    got = len(replies) > 0
    larger = [r for r in replies if len(r) > len(pkt)]
    echo = got and replies[0][24:32] == pkt[40:48] and (replies[0][0] & 7) == 4 and ((replies[0][0] >> 3) & 7) == ((pkt[0] >> 3) & 7)
    ok = got == want and not larger and (not got or echo) and len(replies) <= 1
    print("%s %s: sent %d, got %s" % ("ok" if ok else "BAD", name, len(pkt), [len(r) for r in replies]))
    bad += not ok
sys.exit(1 if bad else 0)
PY
run python3 "$TMP/bad.py" $NS_PORT_local
ok "hostile requests: only valid client requests answered, never larger than the request, origin and version echoed" '[ $RC -eq 0 ]'
[ $RC -eq 0 ] || echo "$OUT" | grep BAD
ok "  ... $(echo "$OUT" | grep -c '^ok ') cases, none unexpected" '[ "$(echo "$OUT" | grep -c "^ok ")" -ge 38 ]'
run "${Q[@]}" -p 1 127.0.0.1:$NS_PORT_local
ok "the service keeps answering good clients after them" '[ $RC -eq 0 ] && kill -0 $NS_PID_local'
ok "bad traffic is logged, at most 10 lines a minute" \
	'n=$(grep -c "dropped a datagram" "$TMP/ns.local.err"); [ "$n" -ge 5 ] && [ "$n" -le 10 ]'

# --- symmetric keys ----------------------------------------------------------------
# the same lines mean the same keys to ntpd, NTPsec and chrony
printf '1 MD5 secretpass\n2 SHA1 0123456789abcdef0123456789abcdef01234567\n' >"$TMP/server.keys"
printf '1 MD5 secretpass\n7 MD5 otherpass\n' >"$TMP/client.keys"
printf '1 MD5 wrongpass\n' >"$TMP/wrong.keys"
chmod 600 "$TMP/server.keys" "$TMP/client.keys" "$TMP/wrong.keys"
start_ntpserve keyed --allow 127.0.0.0/8 --local-stratum 3 --no-ratelimit --keyfile "$TMP/server.keys" --keyfile-format ntpd
run "${Q[@]}" -v -p 1 -a 1 -k "$TMP/client.keys" --keyfile-format ntpd 127.0.0.1:$NS_PORT_keyed
ok "keys: a request with MAC key 1 gets a reply with a MAC by key 1 that verifies" \
	'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Authentication   : symmetric key 1 (MD5): 1 reply verified"'
run "${U[@]}" -q -p 1 -a 7 -k "$TMP/client.keys" --keyfile-format ntpd 127.0.0.1:$NS_PORT_keyed
ok "keys: an unknown key gets a crypto-NAK" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "crypto-NAK"'
run "${U[@]}" -q -p 1 -t 0.3 -a 1 -k "$TMP/wrong.keys" --keyfile-format ntpd 127.0.0.1:$NS_PORT_keyed
ok "keys: a wrong MAC gets nothing" '[ $RC -eq 1 ] && ! echo "$ERR" | grep -q "crypto-NAK"'
run "${U[@]}" -q -p 1 127.0.0.1:$NS_PORT_keyed
ok "keys: a request without a MAC is still answered" '[ $RC -eq 0 ]'
rm -f "$TMP/cqk.log"
run "$CHRONYD" -Q -u root -f /dev/null -L 0 -l "$TMP/cqk.log" -t 10 \
	"server 127.0.0.1 port $NS_PORT_keyed key 1 iburst" "keyfile $TMP/client.keys" "pidfile $TMP/cqk.pid" "cmdport 0"
ok "keys: chronyd -Q with key 1 accepts the signed answers" '[ $RC -eq 0 ] && grep -q "System clock wrong by" "$TMP/cqk.log"'
stop_ntpserve keyed
ok "keys: counted (signed, crypto-NAK, bad MAC)" \
	'grep -Eq "; [1-9][0-9]* signed, [1-9][0-9]* crypto-NAK, [1-9][0-9]* bad MAC" "$TMP/ns.keyed.err"'
run "$BIN/ntpserve" --allow all --keyfile "$TMP/no-such.keys"
ok "keys: a missing key file: exit 2, one line" '[ $RC -eq 2 ] && [ "$(echo "$ERR" | wc -l)" -eq 1 ] && echo "$ERR" | grep -q "no-such.keys"'

# --- forged sources (raw sockets, root in this test's namespace only) -----------
if [ -n "${NTP_TESTS_CONFINED:-}" ] && [ "$(id -u)" = 0 ]; then
	cat >"$TMP/raw.py" <<'PY'
import socket, struct, sys
port, src, sport = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
payload = bytes([0x23]) + bytes(39) + bytes.fromhex("0123456789abcdef")
udp = struct.pack(">HHHH", sport, port, 8 + len(payload), 0) + payload
ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 socket.inet_aton(src), socket.inet_aton("127.0.0.1"))
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW).sendto(ip + udp, ("127.0.0.1", 0))
PY
	start_ntpserve raw --allow all --local-stratum 3 --no-ratelimit
	for src in "127.0.0.1 0" "255.255.255.255 4000" "224.0.0.1 4000" "0.0.0.0 4000" "127.0.0.5 4000"; do
		python3 "$TMP/raw.py" $NS_PORT_raw $src
	done
	sleep 0.1
	run "${Q[@]}" -p 1 127.0.0.1:$NS_PORT_raw
	good_rc=$RC
	stop_ntpserve raw
	ok "forged sources: port 0, broadcast, multicast dropped; a good client still answered" \
		'[ $good_rc -eq 0 ] && grep -Eq "worker 0: [0-9]+ received, [0-9]+ answered .* 3 from bad sources" "$TMP/ns.raw.err" && grep -q "dropped a datagram from 255.255.255.255: source address" "$TMP/ns.raw.err"'
fi

# --- the default wildcard sockets: replies from the address asked; broadcasts --------
if [ -n "${NTP_TESTS_CONFINED:-}" ]; then
	pw=$((20000 + RANDOM % 30000))
	"${SERVE[@]}" --port $pw --allow all --local-stratum 3 --no-ratelimit 2>"$TMP/ns.wild.err" &
	wpid=$!
	PIDS+=("$wpid")
	for i in $(seq 1 $((100 * SLACK))); do grep -q "listening on \[::\]" "$TMP/ns.wild.err" && break; sleep 0.02; done
	cat >"$TMP/bc.py" <<'PY'
import socket, sys
port, dst = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.settimeout(0.3)
s.bind(("127.0.0.1", 0))
s.sendto(bytes([0x23]) + bytes(39) + bytes.fromhex("0123456789abcdef"), (dst, port))
try:
    d, a = s.recvfrom(100)
    print("reply from %s" % a[0])
except socket.timeout:
    print("none")
PY
	run python3 "$TMP/bc.py" $pw 127.0.0.7
	ok "wildcard: a request to 127.0.0.7 is answered from 127.0.0.7" '[ "$OUT" = "reply from 127.0.0.7" ]'
	run python3 "$TMP/bc.py" $pw 255.255.255.255
	ok "wildcard: a request sent to 255.255.255.255 gets nothing" '[ "$OUT" = "none" ]'
	run python3 "$TMP/bc.py" $pw 127.255.255.255
	ok "wildcard: a request sent to 127.255.255.255 gets nothing" '[ "$OUT" = "none" ]'
	run "${Q[@]}" -p 1 "127.0.0.1:$pw" "[::1]:$pw"
	ok "wildcard: IPv4 and IPv6 clients still answered" '[ $RC -eq 0 ] && [ "$(echo "$OUT" | grep -cE "^\^[*+-] ")" -eq 2 ]'
	kill -TERM $wpid; wait $wpid
fi

# --- tshark: no malformed field --------------------------------------------
if command -v tshark >/dev/null && [ "$(id -u)" = 0 ]; then
	tshark -i lo -f "udp port $NS_PORT_local" -w "$TMP/cap.pcap" -a duration:4 >/dev/null 2>"$TMP/tshark.err" &
	tpid=$!
	for i in $(seq 1 150); do grep -q "Capturing on" "$TMP/tshark.err" 2>/dev/null && break; sleep 0.02; done
	sleep 0.2
	"${Q[@]}" -p 1 127.0.0.1:$NS_PORT_local >/dev/null 2>&1
	python3 - "$NS_PORT_local" <<'PY' >/dev/null 2>&1
import socket, struct, sys
s = socket.socket(); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
for v in (1, 2, 3, 4):
    s.sendto(bytes([(v << 3) | 3]) + bytes(39) + bytes.fromhex("0123456789abcdef"), ("127.0.0.1", int(sys.argv[1])))
    try: s.recv(100)
    except Exception: pass
s.sendto(bytes([0x23]) + bytes(39) + bytes.fromhex("0123456789abcdef") + struct.pack(">I", 1) + bytes(16), ("127.0.0.1", int(sys.argv[1])))
try: s.recv(100)
except Exception: pass
PY
	wait $tpid
	dis=$(tshark -r "$TMP/cap.pcap" -d udp.port==$NS_PORT_local,ntp -Y "ntp.flags.mode == 4" -T fields -e ntp.flags.vn -e ntp.stratum 2>/dev/null)
	mal=$(tshark -r "$TMP/cap.pcap" -d udp.port==$NS_PORT_local,ntp -Y "_ws.malformed || _ws.expert.severity >= 6291456" 2>/dev/null | wc -l)
	ok "tshark: 6 server replies dissected (versions 4,1,2,3,4,4), none malformed" \
		'[ "$(echo "$dis" | wc -l)" -eq 6 ] && [ "$mal" -eq 0 ] && [ "$(echo "$dis" | awk "{print \$1}" | sort | tr -d "\n")" = "123444" ]'
fi
stop_ntpserve local

# --- access control ---------------------------------------------------------
start_ntpserve acl --allow 127.0.0.0/8 --deny 127.0.0.1 --allow 127.0.0.1/32 --deny 127.0.0.0/16 --no-ratelimit --local-stratum 3
run "${Q[@]}" -p 1 -t 0.3 127.0.0.1:$NS_PORT_acl
ok "--allow after --deny of the same prefix: the later wins, answered" '[ $RC -eq 0 ]'
stop_ntpserve acl
start_ntpserve acl2 --allow 127.0.0.0/8 --deny 127.0.0.0/24 --no-ratelimit --local-stratum 3
run "${Q[@]}" -p 1 -t 0.3 127.0.0.1:$NS_PORT_acl2
ok "--deny of a more specific prefix: no reply at all" '[ $RC -eq 1 ] && echo "$OUT" | grep -q "Reach\|0 of 1"'
stop_ntpserve acl2
ok "  ... counted as denied" 'grep -q " 1 denied" "$TMP/ns.acl2.err"'
start_ntpserve acl3 --allow 10.0.0.0/8 --deny-kod --no-ratelimit
run "${Q[@]}" -v -p 1 -t 0.3 127.0.0.1:$NS_PORT_acl3
ok "not allowed with --deny-kod: a KoD DENY" '[ $RC -eq 1 ] && echo "$OUT" | grep -q "Reference ID     : DENY (kiss code)"'
stop_ntpserve acl3

# --- rate limiting ------------------------------------------------------------
start_ntpserve rate --allow 127.0.0.1 --local-stratum 3 --rate-burst 4 --rate-interval 100
cat >"$TMP/flood.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.2)
n = 800
for i in range(n):
    s.send(bytes([0x23]) + bytes(39) + i.to_bytes(8, "big") + b"")
    if i % 50 == 49: time.sleep(0.005)
ok = kod = 0
try:
    while True:
        r = s.recv(100)
        if r[1] == 0 and r[12:16] == b"RATE": kod += 1
        else: ok += 1
except socket.timeout:
    pass
print(n, ok, kod)
PY
run python3 "$TMP/flood.py" $NS_PORT_rate
read -r n answered kods <<<"$OUT"
ok "rate limit: 800 requests, burst 4: ~1/8 leaked answers, ~1/8 KoD RATE, the rest dropped (got ${answered:-?} answers, ${kods:-?} KoDs)" \
	'[ "${answered:-0}" -ge 50 ] && [ "${answered:-0}" -le 160 ] && [ "${kods:-0}" -ge 45 ] && [ "${kods:-0}" -le 160 ]'
run "${Q[@]}" -v -p 1 -t 0.3 127.0.0.1:$NS_PORT_rate
ok "a client over its limit sees a KoD RATE or nothing, or a leaked answer" '[ $RC -le 1 ]'
stop_ntpserve rate

# --- privileges, workers ------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	start_ntpserve priv --allow 127.0.0.1 --local-stratum 4
	st=/proc/$NS_PID_priv/status
	ok "as root: serves as nobody with no capabilities, no_new_privs, seccomp" \
		'[ "$(awk "/^Uid:/ {print \$2}" $st)" = "$(id -u nobody)" ] && grep -q "^CapEff:	0000000000000000" $st && grep -q "^CapBnd:	0000000000000000" $st && grep -q "^NoNewPrivs:	1" $st && { [ -n "${NTP_VALGRIND:-}${NTP_SANITIZED:-}" ] || grep -q "^Seccomp:	2" $st; }'
	run "${Q[@]}" -p 1 127.0.0.1:$NS_PORT_priv
	ok "  ... and answers" '[ $RC -eq 0 ]'
	stop_ntpserve priv
	ok "  ... and exits 0 on SIGTERM under the seccomp filter" '[ $RC -eq 0 ]'
	run "$BIN/ntpserve" --allow all --listen 127.0.0.1 --port 1 --user no-such-user-xyz --no-ratelimit
	ok "unknown --user: exit 1 with a clear line" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "unknown user \"no-such-user-xyz\""'
fi
start_ntpserve workers --allow 127.0.0.1 --local-stratum 4 --workers 2 --no-ratelimit
for i in 1 2 3 4 5 6; do "${Q[@]}" -p 1 127.0.0.1:$NS_PORT_workers >/dev/null 2>&1 || break; done
ok "--workers 2: two processes share the port and answer" \
	'[ "$(children $NS_PID_workers | wc -w)" -eq 2 ] && "${Q[@]}" -p 1 127.0.0.1:$NS_PORT_workers >/dev/null'
kids=$(children $NS_PID_workers)
cat >"$TMP/ports.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
socks = []
for i in range(8):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.settimeout(0.2)
    socks.append(s)
for i in range(320):
    socks[i % 8].send(bytes([0x23]) + bytes(39) + (i + 1).to_bytes(8, "big"))
    if i % 40 == 39: time.sleep(0.005)
ok = kod = 0
for s in socks:
    try:
        while True:
            r = s.recv(100)
            if r[1] == 0 and r[12:16] == b"RATE": kod += 1
            else: ok += 1
    except socket.timeout:
        pass
print(ok, kod)
PY
stop_ntpserve workers
# the workers end on their own signal: give them (and their last log
# lines) up to 5 s on a loaded machine (valgrind)
for i in $(seq 1 250); do
	alive=0
	for k in $kids; do kill -0 "$k" 2>/dev/null && alive=1; done
	[ $alive = 0 ] && [ "$(grep -c "worker [01]:" "$TMP/ns.workers.err")" -eq 2 ] && break
	sleep 0.02
done
ok "--workers 2: SIGTERM ends the parent (0) and both workers" \
	'[ $RC -eq 0 ] && (for k in $kids; do kill -0 $k 2>/dev/null && exit 1; done; exit 0) && [ "$(grep -c "worker [01]:" "$TMP/ns.workers.err")" -eq 2 ]'
# (a new name, a new log: the old workers' last lines cannot land in it)
start_ntpserve workers2 --allow 127.0.0.1 --local-stratum 4 --workers 2 --rate-burst 200 --rate-interval 100
run python3 "$TMP/ports.py" $NS_PORT_workers2
read -r wans wkod <<<"$OUT"
ok "--workers 2 share one rate table: 320 requests from 8 ports, burst 200: ${wans:-?} answers, ${wkod:-?} KoDs" \
	'[ "${wans:-0}" -ge 200 ] && [ "${wans:-999}" -le 250 ] && [ "${wkod:-0}" -ge 3 ]'
stop_ntpserve workers2
rc_workers2=$RC
# as above: the workers' last lines may land after the parent's exit
# (seconds under valgrind)
for i in $(seq 1 250); do
	[ "$(grep -c "worker [01]:" "$TMP/ns.workers2.err")" -eq 2 ] && break
	sleep 0.02
done
ok "  ... both workers logged their counters" '[ $rc_workers2 -eq 0 ] && [ "$(grep -c "worker [01]:" "$TMP/ns.workers2.err")" -eq 2 ]'

# --- IPv6 ---------------------------------------------------------------------
if ip -6 addr show dev lo 2>/dev/null | grep -q "::1"; then
	p6=$((20000 + RANDOM % 30000))
	"${SERVE[@]}" --listen ::1 --port $p6 --allow ::1 --local-stratum 6 --no-ratelimit 2>"$TMP/ns.v6.err" &
	v6pid=$!
	PIDS+=("$v6pid")
	for i in $(seq 1 $((100 * SLACK))); do grep -q listening "$TMP/ns.v6.err" && break; sleep 0.02; done
	run "${Q[@]}" -p 1 "[::1]:$p6"
	ok "IPv6: --listen ::1 answers [::1] at stratum 6" '[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^\^\* \[::1\]:$p6 +6 "'
	kill -TERM $v6pid; wait $v6pid
fi

# --- an IPv6 upstream: the RFC 5905 hash as reference ID; a leap warning ------
if ip -6 addr show dev lo 2>/dev/null | grep -q "::1"; then
	start_server up6 --addr ::1 --stratum 3 --leap 1
	shimrun "${U[@]}" -p 1 "[::1]:$PORT_up6"
	# md5(::1) begins cf 40 4d c8: the reference ID 207.64.77.200
	ok "IPv6 upstream: the state holds stratum 3, leap 1, refid cf404dc8" \
		'[ $RC -eq 0 ] && grep -qx "stratum 3" "$STATE" && grep -qx "leap 1" "$STATE" && grep -qx "refid cf404dc8" "$STATE" && grep -qx "upstream ::1" "$STATE"'
	start_ntpserve up6 --allow 127.0.0.1 --no-ratelimit
	run "${Q[@]}" -v -p 1 127.0.0.1:$NS_PORT_up6
	ok "  ... served at stratum 4, refid 207.64.77.200, leap warning carried" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Stratum          : 4 " && echo "$OUT" | grep -q "Reference ID     : 207.64.77.200" && echo "$OUT" | grep -q "Leap indicator   : 1"'
	stop_ntpserve up6
	[ -s "$TMP/state.good" ] && cp "$TMP/state.good" "$STATE"
fi

# --- the systemd unit ------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMP/units"
	sed "s|/usr/sbin/ntpserve|$(cd "$BIN" && pwd)/ntpserve|" dist/ntpserve.service >"$TMP/units/ntpserve.service"
	run systemd-analyze verify --man=no "$TMP/units/ntpserve.service"
	ok "systemd-analyze verify ntpserve.service" '[ $RC -eq 0 ] && [ -z "$ERR$OUT" ]'
	run systemd-analyze security --offline=yes "$TMP/units/ntpserve.service"
	level=$(echo "$OUT" | sed -nE 's/.*Overall exposure level for ntpserve.service: ([0-9.]+).*/\1/p')
	ok "systemd-analyze security ntpserve.service: exposure ${level:-?}, below 3" '[ -n "$level" ] && lt "$level" 3'
fi

# --- make install ----------------------------------------------------------------
run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u O -u SAN \
	make -s -C "$(dirname "$0")/.." install DESTDIR="$TMP/inst" PREFIX=/usr
ok "make install: ntpserve in sbin, ntpserve.8 in man8, its unit and defaults" \
	'[ $RC -eq 0 ] && [ -x "$TMP/inst/usr/sbin/ntpserve" ] && [ -f "$TMP/inst/usr/share/man/man8/ntpserve.8" ] && find "$TMP/inst" -name ntpserve.service | grep -q . && grep -q "^ExecStart=/usr/sbin/ntpserve " "$(find "$TMP/inst" -name ntpserve.service | head -1)" && [ -f "$TMP/inst/etc/default/ntpserve" ]'

# --- port 123 in this test's own network namespace: ntpdig ---------------------
if [ -n "${NTP_TESTS_CONFINED:-}" ] && command -v ntpdig >/dev/null; then
	start_ntpserve p123 --allow 127.0.0.0/8 --port 123 --no-ratelimit --keyfile "$TMP/server.keys" --keyfile-format ntpd
	NS_PORT_p123=123
	run ntpdig -t 2 127.0.0.1
	ok "ntpdig (port 123, namespace) accepts the stratum 9 answer" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -Eq "^[0-9-]+ [0-9:.]+ \(\+0000\) [-+][0-9.]+ \+/- [0-9.]+ 127\.0\.0\.1 s9 no-leap"'
	run ntpdig -t 2 -a 1 -k "$TMP/client.keys" 127.0.0.1
	ok "ntpdig -a 1 -k (MD5) accepts the signed answer" '[ $RC -eq 0 ] && echo "$OUT" | grep -q " s9 no-leap"'
	run ntpdig -t 1 -a 1 -k "$TMP/wrong.keys" 127.0.0.1
	ok "ntpdig with the wrong secret gets nothing it accepts" '! echo "$OUT" | grep -q " s9 "'
	run ntpdig -d -t 2 127.0.0.1
	ok "ntpdig -d: the four timestamps in order, stratum 9" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "^org t1: " && echo "$OUT" | grep -q "^xmt t3: " && echo "$OUT" | grep -q " s9 no-leap$"'
	stop_ntpserve p123
	grep -q "serving at stratum 9" "$TMP/ns.p123.err" || cat "$TMP/ns.p123.err" "$STATE"
	rm -f "$STATE"
	start_ntpserve p123u --allow 127.0.0.0/8 --port 123 --no-ratelimit
	run ntpdig -t 1 127.0.0.1
	ok "ntpdig refuses an unsynchronised ntpserve" '! echo "$OUT" | grep -q " s[0-9]* no-leap"'
	stop_ntpserve p123u
fi

summary
[ $nfail -eq 0 ]

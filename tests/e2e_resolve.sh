#!/bin/bash
# End-to-end: one deadline over everything, name resolution included.  A
# private mount namespace points the resolver at a local address that
# takes every query and never answers (a resolver at boot, not yet up).
SUITE=e2e_resolve
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
Q=("${WRAP[@]}" "$BIN/ntpquery")

if [ "$(id -u)" != 0 ] || ! unshare --mount true 2>/dev/null; then
	echo "FAIL: needs root for a private mount namespace (run through tests/run-all.sh as root)"
	nfail=$((nfail + 1))
	summary
	exit 1
fi

# a "DNS server" on port 53 that swallows every query
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.54", 53))
open(sys.argv[1], "w").close()
end = time.time() + 120
while time.time() < end:
    s.settimeout(1)
    try: s.recvfrom(2048)
    except socket.timeout: pass
' "$TMP/dns.ready" &
PIDS+=($!)
# the listener must be up: a closed port would fail fast, not time out
for i in $(seq 1 250); do [ -e "$TMP/dns.ready" ] && break; sleep 0.02; done
printf 'nameserver 127.0.0.54\noptions timeout:30 attempts:3\n' >"$TMP/resolv.conf"
# in a private mount namespace: the resolver configuration is ours
inns() {
	unshare --mount -- sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh \
		"$TMP/resolv.conf" "$@"
}

start_server good --offset 0.02
run inns "${U[@]}" -q -p 1 -t 0.5 never.example 127.0.0.1:$PORT_good
ok "dead resolver: the run ends within its deadline (0.75 s)" 'lt "$ELAPSED" "$(slack 1.5)"'
echo "   dead resolver run: ${ELAPSED} s (deadline 0.75 s)"
ok "dead resolver: the other server answers, exit 0" '[ $RC -eq 0 ] && near "$(final_offset)" 0.02 "$(slack 0.002)"'
ok "dead resolver: said once, as timed out" \
	'[ "$(echo "$ERR" | grep -c "cannot resolve never.example: timed out")" -eq 1 ]'

run inns "${Q[@]}" -p 1 -t 0.5 never.example
ok "ntpquery, dead resolver alone: no answer within the deadline" \
	'[ $RC -eq 1 ] && lt "$ELAPSED" "$(slack 1.5)" && echo "$ERR" | grep -q "cannot resolve never.example: timed out"'

# a name that cannot resolve is named once, however often the others are given
run inns "${Q[@]}" -p 1 -t 0.3 127.0.0.1:$PORT_good no-such-host.invalid 127.0.0.1:$PORT_good
ok "unresolvable name warned about once" \
	'[ "$(echo "$ERR" | grep -c "cannot resolve no-such-host.invalid")" -eq 1 ]'
summary

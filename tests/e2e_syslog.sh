#!/bin/bash
# End-to-end: -s sends the result lines to syslog.  A private mount
# namespace gets its own /dev with a /dev/log socket of ours, so what
# reaches syslog is captured and checked, not merely missing from stdout.
SUITE=e2e_syslog
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! unshare --mount true 2>/dev/null; then
	echo "FAIL: needs root for a private mount namespace (run through tests/run-all.sh as root)"
	nfail=$((nfail + 1))
	summary
	exit 1
fi
start_server s --offset 0.03
mkdir -p "$TMP/olddev"
cat >"$TMP/inner.sh" <<'INNER'
set -e
T=$1; shift
mount --bind /dev "$T/olddev"
mount -t tmpfs none /dev
for n in null zero random urandom; do
	touch /dev/$n
	mount --bind "$T/olddev/$n" /dev/$n
done
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + "/ready", "w").close()
s.settimeout(10)
with open(sys.argv[1] + "/syslog", "w") as f:
    try:
        while True:
            f.write(s.recv(4096).decode(errors="replace") + "\n")
            f.flush()
            s.settimeout(1)
    except socket.timeout:
        pass
' "$T" &
L=$!
for i in $(seq 1 100); do [ -e "$T/ready" ] && break; sleep 0.02; done
rc=0
"$@" || rc=$?
wait $L || true  # it ends 1 s after the last line
exit $rc
INNER
run unshare --mount -- bash "$TMP/inner.sh" "$TMP" "${WRAP[@]}" "$BIN/ntpupdate" -q -s -p 1 127.0.0.1:$PORT_s
LOGGED=$(cat "$TMP/syslog" 2>/dev/null)
echo "$LOGGED" | sed "s/^/   syslog: /"
ok "-s: nothing on stdout" '[ $RC -eq 0 ] && [ -z "$OUT" ]'
ok "-s: the result line reached syslog, tagged ntpupdate" \
	'echo "$LOGGED" | grep -Eq "ntpupdate\[[0-9]+\]: adjust time server 127\.0\.0\.1 offset \+0\.0(29|30)"'
ok "-s: the server line reached syslog" 'echo "$LOGGED" | grep -q "server 127.0.0.1, stratum"'
summary

#!/bin/bash
# End-to-end: the edges of the machine.  Few descriptors: sources wait for
# one instead of failing.  Descriptors 0 to 2 closed: no socket becomes
# stdout.
SUITE=e2e_limits
. "$(dirname "$0")/lib.sh"
# Never under valgrind: it needs descriptors of its own, and writes to 2.
Q=("$BIN/ntpquery")
U=("$BIN/ntpupdate")

ADDRS=()
for i in $(seq 1 20); do ADDRS+=("127.0.0.$i:9"); done
run bash -c 'ulimit -n 14 && exec "$@"' sh "${Q[@]}" -j -p 1 -t 0.3 "${ADDRS[@]}"
ok "ulimit -n 14, 20 sources: every one asked, none lost to EMFILE" \
	'[ "$(echo "$OUT" | grep -c "\"reason\": \"port unreachable (ICMP)")" -eq 20 ] && ! echo "$OUT$ERR" | grep -qi "too many open files"'

start_server fds --offset 0.01 --log "$TMP/fds.log"
run bash -c 'exec "$@" <&- >&- 2>&-' sh "${U[@]}" -q -p 1 127.0.0.1:$PORT_fds
ok "descriptors 0-2 closed: one 48-byte request, nothing else reaches the server" \
	'sleep 0.2; [ "$(wc -l <"$TMP/fds.log")" -eq 1 ] && [ "$(awk "{print \$4}" "$TMP/fds.log")" = 48 ]'

# GnuTLS is paid for only when NTS is used: the plain builds do not link it,
# and an NTS option runs the -nts build
ok "the plain ntpupdate and ntpquery are not linked with GnuTLS" \
	'! ldd "$BIN/ntpupdate" "$BIN/ntpquery" | grep -q gnutls && ldd "$BIN/ntpupdate-nts" | grep -q gnutls'
mkdir -p "$TMP/alone"
cp "$BIN/ntpupdate" "$TMP/alone/ntpupdate"
run "$TMP/alone/ntpupdate" --nts -q 127.0.0.1:1
ok "--nts without the NTS build beside it or installed: exit 2, one clear line" \
	'[ $RC -eq 2 ] && echo "$ERR" | head -1 | grep -q "cannot run .*ntpupdate-nts (the NTS build of ntpupdate)"'
run "$BIN/ntpquery" --nts-cache /nonexistent -p 1 127.0.0.1:1
ok "an NTS option runs the NTS build, which judges it" \
	'[ $RC -eq 2 ] && echo "$ERR" | grep -q "need --nts"'
summary

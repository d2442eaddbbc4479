#!/bin/bash
# End-to-end tests of ntpupdate's configuration files: with no server
# argument, servers and options come from /etc/default/ntpupdate, else
# chrony's or NTPsec's server lines, else pool.ntp.org.  Each run sees
# an /etc of the test's making (a bind mount in a mount namespace of its
# own), so it needs root; without it these tests are not run.
SUITE=e2e_conf
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")

# withetc DIR CMD...: run CMD with DIR as /etc
withetc() {
	local dir=$1
	shift
	run unshare --mount -- sh -c 'mount --bind "$0" /etc && exec "$@"' "$dir" "$@"
}

# mketc NAME: an empty /etc with the three directories
mketc() {
	ETC=$TMP/etc.$1
	mkdir -p "$ETC/default" "$ETC/chrony" "$ETC/ntpsec"
}

if [ "$(id -u)" != 0 ] || ! unshare --mount true 2>/dev/null; then
	echo "e2e_conf: needs root for mount namespaces; not run"
	summary
	exit 0
fi

start_server a --offset 0.25
start_server b --offset 0.5
start_server c --offset 0.75

mketc defaults
cat >"$ETC/default/ntpupdate" <<CONF
# as Debian's /etc/default/ntpdate had it
NTPSERVERS="127.0.0.1:$PORT_a"
NTPOPTIONS="-p 1"
CONF
echo "server 127.0.0.1 port $PORT_b" >"$ETC/chrony/chrony.conf"
withetc "$ETC" "${U[@]}" -d
ok "NTPSERVERS: used, and -d says so" \
	'[ $RC -eq 0 ] && echo "$OUT" | grep -q "^servers: /etc/default/ntpupdate$" && near "$(debug_offset)" 0.25 0.001'
ok "NTPOPTIONS: -p 1 applied (one request)" \
	'[ "$(echo "$OUT" | grep -ci "^  request [0-9]")" -eq 1 ]'
withetc "$ETC" "${U[@]}" -d -p 2 --gap 100
ok "command-line options win over NTPOPTIONS" '[ "$(echo "$OUT" | grep -ci "^  request [0-9]")" -eq 2 ]'
withetc "$ETC" "${U[@]}" -q 127.0.0.1:$PORT_c
ok "a server on the command line wins over every file" \
	'[ $RC -eq 0 ] && near "$(server_offset 1)" 0.75 0.001'
withetc "$ETC" env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG="$TMP/conf.shim" "${U[@]}"
ok "no argument at all: sets the clock from NTPSERVERS (one slew +0.25)" \
	'[ $RC -eq 0 ] && grep -Eq "^slew \+0\.2[45]" "$TMP/conf.shim"'

mketc chrony
echo "NTPOPTIONS=-p1" >"$ETC/default/ntpupdate"
cat >"$ETC/chrony/chrony.conf" <<CONF
# Debian's chrony.conf, servers made local
pool 127.0.0.1 port $PORT_b iburst maxsources 4
sourcedir /run/chrony-dhcp
CONF
echo "server 127.0.0.1" >"$ETC/ntpsec/ntp.conf"
withetc "$ETC" "${U[@]}" -d
ok "chrony.conf pool line with its port: used, and -d says so" \
	'[ $RC -eq 0 ] && echo "$OUT" | grep -q "^servers: /etc/chrony/chrony.conf$" && near "$(debug_offset)" 0.5 0.001'

mketc ntpsec
"$SRV" --lifetime 60 --port 123 --offset 0.75 >/dev/null 2>"$TMP/p123.err" &
P123=$!
PIDS+=($P123)
sleep 0.2
printf 'server 127.127.1.0\nserver 127.0.0.1 iburst # port 123\n' >"$ETC/ntpsec/ntp.conf"
withetc "$ETC" "${U[@]}" -d -p 1
ok "ntp.conf server line (port 123; refclock skipped): used, and -d says so" \
	'[ $RC -eq 0 ] && echo "$OUT" | grep -q "^servers: /etc/ntpsec/ntp.conf$" && near "$(debug_offset)" 0.75 0.001'
kill $P123
wait $P123 2>/dev/null

mketc none
withetc "$ETC" "${U[@]}" -d -p 1 -t 0.2
ok "nothing configured: pool.ntp.org, and -d says so" \
	'echo "$OUT" | grep -q "^servers: pool.ntp.org (none given or configured)$"'

mketc bad
printf '# bad\nNTPSERVERS="127.0.0.1\n' >"$ETC/default/ntpupdate"
withetc "$ETC" "${U[@]}" -q
ok "malformed /etc/default/ntpupdate: exit 2, one line with file and line" \
	'[ $RC -eq 2 ] && [ "$ERR" = "ntpupdate: /etc/default/ntpupdate:2: unterminated \" quote" ]'
printf 'server 127.0.0.1 port 99999\n' >"$ETC/chrony/chrony.conf"
: >"$ETC/default/ntpupdate"
withetc "$ETC" "${U[@]}" -q
ok "malformed chrony.conf: exit 2, one line with file and line" \
	'[ $RC -eq 2 ] && [ "$ERR" = "ntpupdate: /etc/chrony/chrony.conf:1: bad port 99999" ]'
printf 'NTPOPTIONS="--no-such-option"\nNTPSERVERS=127.0.0.1:%s\n' "$PORT_a" >"$ETC/default/ntpupdate"
withetc "$ETC" "${U[@]}" -q
ok "a bad option in NTPOPTIONS: exit 2, says where it came from" \
	'[ $RC -eq 2 ] && echo "$ERR" | grep -q "^ntpupdate: --no-such-option: unknown option" && echo "$ERR" | grep -q "NTPOPTIONS in /etc/default/ntpupdate"'
printf 'NTPSERVER=typo\nNTPSERVERS=127.0.0.1:%s\n' "$PORT_a" >"$ETC/default/ntpupdate"
withetc "$ETC" env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG=/dev/null "${U[@]}" -q -p 1
ok "an unknown variable: a warning with file and line, the run goes on" \
	'[ $RC -eq 0 ] && [ "$ERR" = "ntpupdate: /etc/default/ntpupdate:1: unknown variable NTPSERVER ignored" ]'

summary

#!/bin/bash
# End-to-end tests of what ships beside the binaries: make install and
# make uninstall (units, defaults file, man pages), the systemd units
# (systemd-analyze verify, their hardening), the shipped defaults file.
SUITE=e2e_dist
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/.." && pwd)
I=$TMP/inst

mk() {
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u O -u SAN make -s -C "$TOP" "$@" DESTDIR="$I"
}

mk install PREFIX=/usr/local UNITDIR=/lib/systemd/system
ok "make install: binaries, man8 and man1, units, defaults file" \
	'[ $RC -eq 0 ] && [ -x $I/usr/local/sbin/ntpupdate ] && [ -x $I/usr/local/bin/ntpquery ] && [ -f $I/usr/local/share/man/man8/ntpupdate.8 ] && [ -f $I/usr/local/share/man/man1/ntpquery.1 ] && [ -f $I/lib/systemd/system/ntpupdate.service ] && [ -f $I/lib/systemd/system/ntpupdate.timer ] && [ -f $I/etc/default/ntpupdate ]'
ok "make install: the unit runs the binary under PREFIX" \
	'grep -qx "ExecStart=/usr/local/sbin/ntpupdate" $I/lib/systemd/system/ntpupdate.service'
echo 'NTPSERVERS="mine.example"' >$I/etc/default/ntpupdate
mk install PREFIX=/usr/local UNITDIR=/lib/systemd/system
ok "make install again: an existing defaults file is kept" 'grep -q mine.example $I/etc/default/ntpupdate'
mk uninstall PREFIX=/usr/local UNITDIR=/lib/systemd/system
ok "make uninstall: everything installed is gone, the edited defaults file stays" \
	'[ $RC -eq 0 ] && [ -z "$(find $I -type f ! -path "*/etc/default/ntpupdate")" ] && [ -f $I/etc/default/ntpupdate ]'
rm -rf "$I"
mk install PREFIX=/usr/local UNITDIR=/lib/systemd/system
mk uninstall PREFIX=/usr/local UNITDIR=/lib/systemd/system
ok "make uninstall: an unchanged defaults file goes too" '[ -z "$(find $I -type f)" ]'

# --- the units ------------------------------------------------------------------
S=$TOP/dist/ntpupdate.service
T=$TOP/dist/ntpupdate.timer
for want in "Type=oneshot" "After=network-online.target" "Before=time-sync.target" \
	"Wants=network-online.target time-sync.target" "CapabilityBoundingSet=CAP_SYS_TIME" \
	"NoNewPrivileges=yes" "ProtectSystem=strict" "PrivateTmp=yes" "ReadWritePaths=/run" "StateDirectory=ntpupdate"; do
	ok "service: $want" 'grep -qx "$want" "$S"'
done
ok "service: no ProtectClock (it must set the clock)" '! grep -q "^ProtectClock" "$S"'
ok "timer: RandomizedDelaySec" 'grep -q "^RandomizedDelaySec=" "$T"'
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMP/units"
	sed "s|/usr/sbin/ntpupdate|$TOP/ntpupdate|" "$S" >"$TMP/units/ntpupdate.service"
	cp "$T" "$TMP/units/"
	run systemd-analyze verify --man=no "$TMP/units/ntpupdate.service" "$TMP/units/ntpupdate.timer"
	ok "systemd-analyze verify: service and timer (no ordering cycle)" '[ $RC -eq 0 ] && [ -z "$ERR$OUT" ]'
	run systemd-analyze security --offline=yes "$TMP/units/ntpupdate.service"
	level=$(echo "$OUT" | sed -nE 's/.*Overall exposure level for ntpupdate.service: ([0-9.]+).*/\1/p')
	echo "   systemd-analyze security: exposure $level"
	ok "systemd-analyze security: exposure below 3 (OK)" '[ -n "$level" ] && lt "$level" 3'
else
	ok "systemd-analyze available (tests/install-deps.sh installs systemd)" false
fi

# --- the man pages ----------------------------------------------------------------
if command -v mandoc >/dev/null; then
	run mandoc -Tlint -W style "$TOP/man/ntpupdate.8" "$TOP/man/ntpquery.1"
	lint=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -v "referenced manual not found" | grep -v "mandoc.db" | grep -v "^$")
	[ -n "$lint" ] && echo "$lint"
	ok "mandoc -Tlint: clean (but for pages not installed here)" '[ -z "$lint" ]'
else
	ok "mandoc available (tests/install-deps.sh installs it)" false
fi
ok "ntpquery is in section 1" 'grep -q "^\.Dt NTPQUERY 1$" "$TOP/man/ntpquery.1" && [ ! -e "$TOP/man/ntpquery.8" ]'
for tool in ntpupdate ntpquery; do
	page=$(ls "$TOP"/man/$tool.[18])
	missing=""
	for opt in $("$TOP/$tool" --help | grep -oE -- "--[a-z][a-z0-9-]+" | sort -u); do
		grep -q -- "Fl -${opt#--}\b" "$page" || missing="$missing $opt"
	done
	ok "$tool: every long option of --help is in its man page" '[ -z "$missing" ] || { echo "   missing:$missing"; false; }'
done
ok "ntpupdate(8) has a section on migrating from ntpdate" 'grep -q "^\.Sh MIGRATING FROM NTPDATE" "$TOP/man/ntpupdate.8"'

# the shipped defaults file parses, and names no server
mkdir -p "$TMP/etc/default"
cp "$TOP/dist/ntpupdate.default" "$TMP/etc/default/ntpupdate"
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
	run unshare --mount -- sh -c 'mount --bind "$0" /etc && exec "$@"' "$TMP/etc" \
		"${WRAP[@]}" "$BIN/ntpupdate" -d -p 1 -t 0.1
	ok "the shipped /etc/default/ntpupdate parses and names no server" \
		'echo "$OUT" | grep -q "^servers: pool.ntp.org (none given or configured)$" && ! echo "$ERR" | grep -q "default/ntpupdate"'
fi

summary

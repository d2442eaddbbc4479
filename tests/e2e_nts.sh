#!/bin/bash
# End-to-end tests of --nts: a real chronyd NTS server, the cookie cache,
# the dead-clock boot path (faketime), and the table of hostile NTS-KE and
# NTS NTP behaviours served by tests/nts-hostile.  Certificates are made
# here with certtool; nothing leaves loopback; the clock is never set
# (-q / -d, and no CAP_SYS_TIME).
SUITE=e2e_nts
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chrony.sh"
. "$(dirname "$0")/nts.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
Q=("${WRAP[@]}" "$BIN/ntpquery")
HOSTILE=$BIN/tests/nts-hostile
NOKTS=$(cd "$BIN/tests" && pwd)/nokts.so
PKI=$TMP/pki

if ! command -v "$CERTTOOL" >/dev/null; then
	ok "certtool (gnutls-bin) available" false
	summary
	exit 1
fi
make_pki "$PKI" || ok "test PKI made with certtool" false
CA=$PKI/ca.pem

# start_hostile NAME KE-MODE NTP-MODE [CERT KEY]: sets KE_<NAME>, NTP_<NAME>
start_hostile() {
	local name=$1 ke=$2 ntp=$3 cert=${4:-$PKI/server.pem} key=${5:-$PKI/server.key} i line=
	"$HOSTILE" --cert "$cert" --key "$key" --ke "$ke" --ntp "$ntp" --lifetime 120 \
		>"$TMP/hostile.$name" 2>"$TMP/hostile.$name.err" &
	PIDS+=($!)
	for i in $(seq 1 100); do
		line=$(head -1 "$TMP/hostile.$name" 2>/dev/null)
		[ -n "$line" ] && break
		sleep 0.02
	done
	printf -v "KE_$name" '%s' "${line%% *}"
	printf -v "NTP_$name" '%s' "${line##* }"
}

# --- interop: chronyd as an NTS server --------------------------------------
if start_chronyd_nts "$PKI"; then
	run "${U[@]}" -q --nts --nts-ca "$CA" 127.0.0.1:$NTS_KE_PORT
	ok "chronyd NTS: ntpupdate -q --nts answers (exit 0)" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "^server 127.0.0.1, stratum 8"'
	run "${Q[@]}" -v --nts --nts-ca "$CA" 127.0.0.1:$NTS_KE_PORT
	ok "chronyd NTS: -v shows TLS 1.3 and the certificate" \
		'echo "$OUT" | grep -q "TLS              : TLS1.3" && echo "$OUT" | grep -q "Certificate      : CN=ntpupdate test server" && echo "$OUT" | grep -q "Issuer           : CN=ntpupdate test CA"'
	ok "chronyd NTS: the negotiated NTP port is chronyd's" \
		'echo "$OUT" | grep -q "NTP server       : 127.0.0.1 port $CHRONY_PORT (negotiated)"'
	ok "chronyd NTS: normal verification, 8 cookies, one spent and one received" \
		'echo "$OUT" | grep -q "Verification     : normal" && echo "$OUT" | grep -Eq "Cookies          : 8 from the key exchange, [1-4] from replies, [1-4] used, 8 left"'
	ok "chronyd NTS: the reply carried extension fields and passed every check" \
		'echo "$OUT" | grep -q "Trailer          : 2 extension field(s)" && echo "$OUT" | grep -q "Verdict          : selected"'
	run "${Q[@]}" -j --nts --nts-ca "$CA" 127.0.0.1:$NTS_KE_PORT
	ok "chronyd NTS: -j carries the NTS facts per source" \
		'echo "$OUT" | python3 -c "import json,sys; s=json.load(sys.stdin)[\"sources\"][0][\"stage\"]; assert s[\"type\"]==\"NTS\" and s[\"tls_version\"]==\"TLS1.3\" and s[\"verification\"]==\"normal\" and s[\"ntp_port\"]==$CHRONY_PORT and s[\"cookies_ke\"]==8 and s[\"failure\"] is None"'
	run "${U[@]}" -q --nts 127.0.0.1:$NTS_KE_PORT
	ok "chronyd NTS: without --nts-ca the test CA is not trusted (exit 1)" \
		'[ $RC -eq 1 ] && echo "$ERR" | grep -q "NTS-KE: certificate"'
	run "${Q[@]}" -v --nts --nts-ca "$CA" -p 6 --gap 10 127.0.0.1:$NTS_KE_PORT
	ok "chronyd NTS: -p 6 takes six authenticated samples, a new cookie with each" \
		'[ $RC -eq 0 ] && [ "$(echo "$OUT" | grep -c "^  Request [1-6]: offset")" -eq 6 ] && echo "$OUT" | grep -q "Cookies          : 8 from the key exchange, 6 from replies, 6 used, 8 left"'

	# cookie cache
	C=$TMP/cache
	mkdir -p "$C"
	run "${Q[@]}" -v --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$NTS_KE_PORT
	F=$C/127.0.0.1_$NTS_KE_PORT
	ok "cache: a run stores its unused cookies, mode 0600" \
		'[ $RC -eq 0 ] && [ "$(stat -c %a "$F")" = 600 ] && [ "$(grep -c ^cookie "$F")" -eq 8 ]'
	first=$(grep -m1 ^cookie "$F")
	run "${Q[@]}" -v --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$NTS_KE_PORT
	ok "cache: the next run uses it (no key exchange)" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Cookie cache     : used" && echo "$OUT" | grep -q "0 from the key exchange"'
	ok "cache: a cookie sent is never stored again" '! grep -qx "$first" "$F" && [ "$(grep -c ^cookie "$F")" -eq 8 ]'
	# the entry, renamed for a KE port where nothing listens, still works:
	# no TCP connection is needed while cookies last
	dead=$((NTS_KE_PORT + 7))
	cp -p "$F" "$C/127.0.0.1_$dead"
	run "${U[@]}" -q --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$dead
	ok "cache: no TCP connection is made (KE port closed, still answers)" '[ $RC -eq 0 ]'
	# a warm cache needs no TLS: the plain build makes the run itself.  A
	# copy of it with no NTS build beside it proves it (nothing to hand to)
	mkdir -p "$TMP/solo"
	cp "$BIN/ntpupdate" "$BIN/ntpquery" "$TMP/solo/"
	run "${WRAP[@]}" "$TMP/solo/ntpquery" -v --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$dead
	ok "cache: the plain build answers from a warm cache by itself (no GnuTLS, no NTS build)" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Cookie cache     : used" && echo "$OUT" | grep -q "Verdict          : selected"'
	run "${WRAP[@]}" "$TMP/solo/ntpupdate" -q --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$((NTS_KE_PORT + 9))
	ok "cache: without a usable entry the plain build hands the run to the NTS build" \
		'[ -x /usr/local/libexec/ntpupdate/ntpupdate-nts ] || { [ $RC -eq 2 ] && echo "$ERR" | grep -q "cannot run .*ntpupdate-nts (the NTS build of ntpupdate)"; }'
	echo garbage >"$C/127.0.0.1_$dead"
	chmod 600 "$C/127.0.0.1_$dead"
	run "${U[@]}" -q --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$dead
	ok "cache: a malformed entry is ignored with a warning" \
		'[ $RC -eq 1 ] && echo "$ERR" | grep -q "warning: NTS cookie cache for 127.0.0.1 ignored: not an ntpupdate NTS cache"'
	sed -i -E 's/^written .*/written 1000000000/' "$F"
	run "${U[@]}" -q --nts --nts-ca "$CA" --nts-cache "$C" 127.0.0.1:$NTS_KE_PORT
	ok "cache: a stale entry is ignored with a warning, a key exchange made" \
		'[ $RC -eq 0 ] && echo "$ERR" | grep -q "ignored: stale entry"'

	# the dead-clock boot path: faketime moves the tool's clock (and
	# GnuTLS's) to 2001; nokts.so makes the tool read receive times from
	# that faked clock too
	if command -v faketime >/dev/null; then
		run env LD_PRELOAD="$NOKTS" faketime '2001-01-01 00:00:00' "${U[@]}" -d --nts --nts-ca "$CA" 127.0.0.1:$NTS_KE_PORT
		ok "dead clock: certificate dates deferred, then valid at the NTS time" \
			'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Verification     : dead clock (dates checked at NTS time): valid at the NTS time"'
		ok "dead clock: the offset is the 25-odd years faked away" \
			'lt 700000000 "$(debug_offset)"'
		# the whole boot path, the setting included, through the clock shim
		SHIMLOG=$TMP/shim.log
		: >"$SHIMLOG"
		run env LD_PRELOAD="$SHIM:$NOKTS" CLOCKSHIM_LOG="$SHIMLOG" faketime '2001-01-01 00:00:00' \
			"${U[@]}" --nts --nts-ca "$CA" 127.0.0.1:$NTS_KE_PORT
		ok "dead clock: the clock is stepped by the time NTS gave (shim)" \
			'[ $RC -eq 0 ] && grep -Eq "^step \+8[0-9]{8}\." "$SHIMLOG"'
		mkdir -p "$PKI/old" && cp "$PKI/ca.pem" "$PKI/ca.key" "$PKI/old/"
		make_pki "$PKI/old" 'activation_date = "2000-06-01 00:00:00 UTC"' 'expiration_date = "2002-01-01 00:00:00 UTC"'
		start_hostile old good good "$PKI/old/server.pem" "$PKI/old/server.key"
		run env LD_PRELOAD="$NOKTS" faketime '2001-01-01 00:00:00' "${U[@]}" -d -p 1 --nts --nts-ca "$CA" 127.0.0.1:$KE_old
		ok "dead clock: a certificate not valid at the NTS time gives no answer" \
			'[ $RC -eq 1 ] && echo "$OUT" | grep -q "NTS certificate not valid at the time NTS gave"'
		: >"$SHIMLOG"
		run env LD_PRELOAD="$SHIM:$NOKTS" CLOCKSHIM_LOG="$SHIMLOG" faketime '2001-01-01 00:00:00' \
			"${U[@]}" -p 1 --nts --nts-ca "$CA" 127.0.0.1:$KE_old
		ok "dead clock: ... and the clock is not touched (shim)" '[ $RC -eq 1 ] && [ ! -s "$SHIMLOG" ]'
	else
		ok "faketime available for the dead-clock test" false
	fi
else
	ok "chronyd NTS server started" false
fi

# --- interop: NTPsec's ntpd as a second NTS server ----------------------------
# Its NTS-KE port (4460) and NTP port (123) are fixed, so it runs in a network
# namespace of its own (root only), without CAP_SYS_TIME and with "disable
# ntp".  With no time source it answers unsynchronised: the test asks that
# the key exchange and the authenticator pass, and that the one rejection is
# for the server's state, not authentication.
NTPSEC_NTPD=${NTPSEC_NTPD:-$(cd "$(dirname "$0")/.." && pwd)/.deps/ntpsec/usr/sbin/ntpd}
if [ -x "$NTPSEC_NTPD" ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
	cat >"$TMP/ntpsec.conf" <<CONF
nts enable
nts cert $PKI/server.pem
nts key $PKI/server.key
disable ntp
disable kernel
interface listen 127.0.0.1
CONF
	cat >"$TMP/ntpsec.sh" <<SH
ip link set lo up
# never with the privilege to touch the clock, even when this script runs
# alone as root (run-all.sh drops it too)
setpriv --bounding-set -sys_time --inh-caps -sys_time -- "$NTPSEC_NTPD" -n -c "$TMP/ntpsec.conf" -l "$TMP/ntpsec.log" -p "$TMP/ntpsec.pid" -f "$TMP/ntpsec.drift" &
pid=\$!
for i in \$(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/4460) 2>/dev/null && break; sleep 0.02; done
${Q[*]} -v -p 1 --nts --nts-ca "$CA" 127.0.0.1
rc=\$?
kill \$pid
wait \$pid 2>/dev/null
exit \$rc
SH
	run unshare --net bash "$TMP/ntpsec.sh"
	ok "NTPsec ntpd NTS: TLS 1.3 key exchange, 8 cookies" \
		'echo "$OUT" | grep -q "TLS              : TLS1.3" && echo "$OUT" | grep -q "Cookies          : 8 from the key exchange, 1 from replies, 1 used"'
	ok "NTPsec ntpd NTS: the reply authenticates (rejected only as unsynchronised)" \
		'echo "$OUT" | grep -q "Request 1: rejected \[stratum,leap\]" && ! echo "$OUT" | grep -q "auth"'
else
	echo "skip: NTPsec ntpd interop needs root and its unpacked ntpd (not counted)"
fi

# --- no silent downgrade: a plain NTP server behind an NTS argument ----------
start_server plain --log "$TMP/plain.log"
: >"$TMP/plain.log"
run "${U[@]}" -q -p 1 --nts --nts-ca "$CA" 127.0.0.1:$PORT_plain
ok "no downgrade: NTS-KE refused -> exit 1 with the reason" \
	'[ $RC -eq 1 ] && echo "$ERR" | grep -q "NTS-KE: connect: Connection refused"'
ok "no downgrade: not one plain NTP request was sent" '[ ! -s "$TMP/plain.log" ]'

# --- the table of hostile servers ---------------------------------------------
# name | certificate | --ke | --ntp | expected exit | expected words (stderr)
make_pki "$PKI/untrusted"   # its own CA, which --nts-ca does not name
mkdir -p "$PKI/expired" && cp "$PKI/ca.pem" "$PKI/ca.key" "$PKI/expired/"
make_pki "$PKI/expired" 'activation_date = "2020-01-01 00:00:00 UTC"' 'expiration_date = "2021-01-01 00:00:00 UTC"'
mkdir -p "$PKI/future" && cp "$PKI/ca.pem" "$PKI/ca.key" "$PKI/future/"
make_pki "$PKI/future" 'activation_date = "2035-01-01 00:00:00 UTC"' 'expiration_date = "2036-01-01 00:00:00 UTC"'
mkdir -p "$PKI/wrongname" && cp "$PKI/ca.pem" "$PKI/ca.key" "$PKI/wrongname/"
$CERTTOOL --generate-privkey --key-type=ecdsa --outfile "$PKI/wrongname/server.key" 2>/dev/null
printf 'cn = "elsewhere"\nip_address = "127.0.0.9"\ndns_name = "elsewhere.example"\ntls_www_server\nsigning_key\nexpiration_days = 2\n' >"$PKI/wrongname/t"
$CERTTOOL --generate-certificate --load-privkey "$PKI/wrongname/server.key" --load-ca-certificate "$CA" \
	--load-ca-privkey "$PKI/ca.key" --template "$PKI/wrongname/t" --outfile "$PKI/wrongname/server.pem" >/dev/null 2>&1

bad() {
	local name=$1 pki=$2 ke=$3 ntp=$4 want_rc=$5 words=$6
	start_hostile "$name" "$ke" "$ntp" "$pki/server.pem" "$pki/server.key"
	local kp="KE_$name"
	run "${U[@]}" -q -p 1 -t 0.5 --nts --nts-ca "$CA" "127.0.0.1:${!kp}"
	ok "hostile $name: exit $want_rc, '$words'" \
		'[ $RC -eq '"$want_rc"' ] && echo "$ERR$OUT" | grep -qF -- "'"$words"'"'
	ok "hostile $name: ends within the run's deadline" 'lt "$ELAPSED" "$(slack 3)"'
}
bad untrusted   "$PKI/untrusted" good good 1 "NTS-KE: certificate: The certificate is NOT trusted"
bad expired     "$PKI/expired"   good good 1 "NTS-KE: certificate: The certificate is NOT trusted. The certificate chain uses expired certificate"
bad wrongname   "$PKI/wrongname" good good 1 "The name in the certificate does not match the expected"
bad notyetvalid "$PKI/future"    good good 1 "NTS certificate not valid at the time NTS gave"
bad tls12       "$PKI" tls12      good 1 "NTS-KE: TLS handshake"
bad noalpn      "$PKI" noalpn     good 1 "ALPN"
bad error       "$PKI" error      good 1 "NTS-KE: server sent error 1 (bad request)"
bad warning     "$PKI" warning    good 1 "NTS-KE: server sent warning 1"
bad critical    "$PKI" critical   good 1 "NTS-KE: unknown critical record type 16962"
bad nocookie    "$PKI" nocookie   good 1 "NTS-KE: no cookie"
bad zerocookie  "$PKI" zerocookie good 1 "NTS-KE: cookie of zero length or over 256 bytes"
bad bigcookie   "$PKI" bigcookie  good 1 "NTS-KE: cookie of zero length or over 256 bytes"
bad badaead     "$PKI" badaead    good 1 "NTS-KE: no common AEAD algorithm"
bad noeom       "$PKI" noeom      good 1 "NTS-KE: connection closed before end of message"
bad longrec     "$PKI" longrec    good 1 "NTS-KE: connection closed before end of message"
bad endless     "$PKI" endless    good 1 "not ready before the run's deadline"
bad silent      "$PKI" silent     good 1 "not ready before the run's deadline"
bad noauth      "$PKI" good noauth     1 "authentication failed: no MAC"
bad badtag      "$PKI" good badtag     1 "authentication failed: bad digest"
bad foreignuid  "$PKI" good foreignuid 1 "authentication failed: NTS unique identifier missing"
bad nak         "$PKI" good nak        1 "NTS NAK: the server refused our cookie"
# the key exchanges run side by side: two that never finish cost nothing
# but the deadline, and the good one still answers
if [ -n "${CHRONY_PID:-}" ]; then
	run "${U[@]}" -q -p 1 -t 0.5 --nts --nts-ca "$CA" 127.0.0.1:$KE_silent 127.0.0.1:$KE_endless 127.0.0.1:$NTS_KE_PORT
	ok "parallel: silent and endless KE servers beside chronyd: answer within the deadline" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "^server 127.0.0.1, stratum 8" && lt "$ELAPSED" "$(slack 1.5)"'
fi
start_hostile hundred hundred good
run "${U[@]}" -q -p 1 -t 0.5 --nts --nts-ca "$CA" 127.0.0.1:$KE_hundred
ok "hostile hundred: a hundred cookies are accepted (eight kept)" '[ $RC -eq 0 ]'
start_hostile replay good replay
run "${U[@]}" -d -p 3 --gap 10 -t 0.5 --nts --nts-ca "$CA" 127.0.0.1:$KE_replay
ok "hostile replay: the first reply counts, its replays are ignored" \
	'[ "$(echo "$OUT" | grep -c "no valid reply (1 ignored: authentication failed")" -eq 2 ]'

summary
[ "$nfail" -eq 0 ]

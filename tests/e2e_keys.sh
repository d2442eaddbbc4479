#!/bin/bash
# End-to-end tests of symmetric keys (-a, -k, server#KEYID): key-file
# errors before any packet; a real chronyd (keyfile: MD5, SHA1, SHA-2,
# AES128, AES256, ASCII and HEX) and NTPsec's ntpd (ntpd-dialect keys)
# answering keyed requests, and refusing a wrong key; every bad MAC the
# test server can send.  ntpd has no port option, so it runs on
# 127.0.0.1:123 in a network namespace of its own (run-all.sh makes one
# as root; run alone, this script makes it), without CAP_SYS_TIME.
if [ "$(id -u)" = 0 ] && [ -z "${NTP_TESTS_CONFINED:-}" ] && [ -z "${E2E_KEYS_NS:-}" ]; then
	exec env E2E_KEYS_NS=1 setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
		unshare --net -- bash "$0" "$@"
fi
if [ -n "${NTP_TESTS_CONFINED:-}${E2E_KEYS_NS:-}" ]; then
	ip link set lo up 2>/dev/null || true
fi
SUITE=e2e_keys
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chrony.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
Q=("${WRAP[@]}" "$BIN/ntpquery")
NTPD=${NTPD:-$(cd "$(dirname "$0")/.." && pwd)/.deps/ntpsec/usr/sbin/ntpd}

# --- key files ----------------------------------------------------------------------

# chrony's dialect: an ASCII and a HEX key of each type (what chronyd reads)
CK=$TMP/chrony.keys
cat >"$CK" <<'EOF'
# chrony key file for e2e_keys.sh
1 MD5 ASCII:ntpupdate-md5
2 MD5 HEX:000102030405060708090a0b0c0d0e0f1011
3 SHA1 ntpupdate-sha1-ascii-key-longer-than-20
4 SHA1 HEX:0123456789abcdef0123456789abcdef01234567
5 AES128 ASCII:sixteen-byte-key
6 AES128 HEX:000102030405060708090a0b0c0d0e0f
7 AES256 ASCII:thirty-two-byte-key-for-aes-256!
8 AES256 HEX:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
9 SHA256 HEX:00112233445566778899aabbccddeeff
10 SHA512 ASCII:sha512-key
EOF
chmod 600 "$CK"
CTYPES=(x MD5 MD5 SHA1 SHA1 AES128 AES128 AES256 AES256 SHA256 SHA512)
# the same IDs, other key bytes
CW=$TMP/chrony-wrong.keys
sed -E 's/(HEX:)0/\1f/; s/(ASCII:)./\1X/; s/^3 SHA1 n/3 SHA1 X/' "$CK" >"$CW"
chmod 600 "$CW"

# ntpd's dialect, as ntpkeygen and ntp.keys(5) write it: up to 20
# characters is ASCII, longer is hex; NTPsec's type names
NK=$TMP/ntp.keys
cat >"$NK" <<'EOF'
# ntpkey_MD5key_e2e
1 MD5 ntpupdate-md5  # MD5 key
2 SHA1 0123456789abcdef0123456789abcdef01234567  # SHA1 key
3 AES128CMAC 000102030405060708090a0b0c0d0e0f
4 AES-256 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
5 SHA1 short-sha1-ascii
6 M md5-by-initial
7 SHA256 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
EOF
chmod 600 "$NK"
NTYPES=(x MD5 SHA1 AES128 AES256 SHA1 MD5 SHA256)
NW=$TMP/ntp-wrong.keys
sed -E 's/ntpupdate-md5/ntpupdate-XXX/; s/0123456789abcdef0123/f123456789abcdef0123/; s/ 000102/ f00102/; s/short-sha1/other-sha1/; s/md5-by/MD5-by/; s/ 00112233/ f0112233/' "$NK" >"$NW"
chmod 600 "$NW"

# --- usage errors: before any packet is sent ---------------------------------------

start_server plain --log "$TMP/plain.log"
S=127.0.0.1:$PORT_plain
sent() { [ -s "$TMP/plain.log" ] && wc -l <"$TMP/plain.log" || echo 0; }

run "${U[@]}" -q -a 1 -k "$TMP/missing.keys" $S
ok "missing key file: exit 2" '[ $RC -eq 2 ]'
ok "missing key file: one line naming it" \
	'[ "$(echo "$ERR" | wc -l)" -eq 1 ] && echo "$ERR" | grep -q "cannot read key file $TMP/missing.keys: No such file"'
printf '1 MD5 ok\n\n3 SHA1 a b\n' >"$TMP/bad.keys"; chmod 600 "$TMP/bad.keys"
run "${U[@]}" -q -a 1 -k "$TMP/bad.keys" $S
ok "malformed line: exit 2 with its line number" '[ $RC -eq 2 ] && echo "$ERR" | grep -q "bad.keys: line 3: expected"'
printf '1 AES128 HEX:0011223344\n' >"$TMP/len.keys"; chmod 600 "$TMP/len.keys"
run "${U[@]}" -q -a 1 -k "$TMP/len.keys" $S
ok "wrong key length for its type: exit 2" '[ $RC -eq 2 ] && echo "$ERR" | grep -q "line 1: AES128 key 1 is 5 bytes long, AES128 needs 16"'
run "${U[@]}" -q -a 77 -k "$CK" $S
ok "key ID not in the file: exit 2" '[ $RC -eq 2 ] && echo "$ERR" | grep -q "key 77 is not in the key file"'
run "${U[@]}" -q -k "$CK" "$S#78"
ok "server#KEYID not in the file: exit 2" '[ $RC -eq 2 ] && echo "$ERR" | grep -q "key 78 is not in the key file"'
printf '5 SHA1 0123456789abcdef0123456789abcdef01234567\n' >"$TMP/amb.keys"; chmod 600 "$TMP/amb.keys"
run "${U[@]}" -q -a 5 -k "$TMP/amb.keys" $S
ok "ambiguous key file: exit 2, asks for --keyfile-format" \
	'[ $RC -eq 2 ] && echo "$ERR" | grep -q "hex to ntpd but ASCII to chrony.*--keyfile-format"'
run "${U[@]}" -q -a 0 -k "$CK" $S
ok "-a 0: exit 2" '[ $RC -eq 2 ]'
run "${U[@]}" -q -k "$CK" "$S#x"
ok "server#junk: exit 2" '[ $RC -eq 2 ] && echo "$ERR" | grep -q "bad key in"'
run "${Q[@]}" -p 1 -o 5 $S
ok "-o 5: exit 2" '[ $RC -eq 2 ]'
run "${U[@]}" -q -a 1 -k "$CK" --keyfile-format ntpdate $S
ok "--keyfile-format ntpdate: exit 2" '[ $RC -eq 2 ] && echo "$ERR" | grep -q "not a key file format"'
ok "no usage error sent a packet" '[ "$(sent)" -eq 0 ]'

run "${U[@]}" -q -p 1 -t 0.3 -e 0.000064 -o 3 $S
ok "-e accepted, -o 3 sends version 3" '[ $RC -eq 0 ]'
run "${Q[@]}" -v -p 1 -t 0.3 -o 2 $S
ok "-o 2: the reply carries version 2" 'echo "$OUT" | grep -q "    Version          : 2$"'
cp "$CK" "$TMP/loose.keys"; chmod 644 "$TMP/loose.keys"
run "${U[@]}" -q -p 1 -t 0.3 -k "$TMP/loose.keys" $S
ok "key file readable by others: a warning, and the run goes on" \
	'[ $RC -eq 0 ] && echo "$ERR" | grep -q "warning: key file $TMP/loose.keys can be read by group or others (mode 0644)"'

# --- chronyd -------------------------------------------------------------------------

CHRONY_EXTRA="keyfile $CK"
if start_chronyd; then
	C=127.0.0.1:$CHRONY_PORT
	run "${U[@]}" -q -p 1 -t 0.5 $C
	ok "chronyd: answers without a key" '[ $RC -eq 0 ]'
	for id in 1 2 3 4 5 6 7 8 9 10; do
		run "${U[@]}" -d -p 1 -t 0.5 -a $id -k "$CK" $C
		ok "chronyd: key $id (${CTYPES[$id]}) accepted" \
			'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Authentication   : symmetric key $id (${CTYPES[$id]}): 1 reply verified"'
		run "${U[@]}" -q -p 1 -t 0.3 -a $id -k "$CW" $C
		ok "chronyd: key $id (${CTYPES[$id]}) with other key bytes refused (exit 1)" \
			'[ $RC -eq 1 ] && echo "$ERR" | grep -q "no reply to 1 request (a keyed server drops requests whose MAC"'
	done
	run "${U[@]}" -d -p 1 -t 0.5 -a 4 -k "$CK" $C
	ok "-d names the key file's format and how it was chosen" \
		'echo "$OUT" | grep -q "^key file $CK: 10 keys, chrony format (detected from the file)$"'
	run "${U[@]}" -q -p 1 -t 0.5 -k "$CK" "$C#8" "127.0.0.1:$PORT_plain"
	ok "chronyd: server#KEYID keys one server, the other stays plain" '[ $RC -eq 0 ]'
	run "${U[@]}" -q -p 1 -t 0.5 -o 3 -a 9 -k "$CK" $C
	ok "chronyd: NTPv3 with SHA256 (the whole 32-byte digest)" '[ $RC -eq 0 ]'
	run "${Q[@]}" -p 1 -t 0.5 -k "$CK" "$C#6"
	ok "ntpquery table: the key in the name column" 'echo "$OUT" | grep -Eq "^\^\* 127\.0\.0\.1:$CHRONY_PORT#6 +8 "'
	run "${Q[@]}" -v -p 1 -t 0.5 -a 7 -k "$CK" $C
	ok "ntpquery -v: key ID and type" 'echo "$OUT" | grep -q "Authentication   : symmetric key 7 (AES256): 1 reply verified"'
	run "${Q[@]}" -j -p 1 -t 0.5 -a 2 -k "$CK" $C
	ok "ntpquery -j: auth fields" \
		'echo "$OUT" | grep -q "\"auth\": {\"method\": \"symmetric key\", \"detail\": \"2 (MD5)\", \"key_id\": 2, \"verified\": 1, \"refused\": 0, \"last_failure\": null}"'
	stop_chronyd
else
	ok "chronyd with a keyfile started" false
fi

# --- NTPsec ntpd -----------------------------------------------------------------------

# ntpd in orphan mode: with no upstream it serves stratum 8 after a
# moment.  "disable ntp" and "disable kernel" keep its hands off the
# clock, and it runs without CAP_SYS_TIME in any case.  NTPsec rate-limits
# every address by default ("limited": after about 20 quick requests it
# drops them silently); the tests ask faster than a client should, so
# 127.0.0.1 gets an entry without it.
start_ntpd() {
	local i
	[ -x "$NTPD" ] || { echo "ntpd not found at $NTPD"; return 1; }
	cat >"$TMP/ntp.conf" <<EOF
driftfile $TMP/ntp.drift
keys $NK
trustedkey 1 2 3 4 5 6 7
disable ntp
disable kernel
disable stats
tos orphan 8 orphanwait 0
interface ignore wildcard
interface listen 127.0.0.1
restrict default
restrict 127.0.0.1
EOF
	setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
		"$NTPD" -n -c "$TMP/ntp.conf" -l "$TMP/ntpd.log" >"$TMP/ntpd.out" 2>&1 &
	NTPD_PID=$!
	PIDS+=("$NTPD_PID")
	for i in $(seq 1 50); do
		"$BIN/ntpupdate" -q -p 1 -t 0.2 127.0.0.1 >/dev/null 2>&1 && return 0
		kill -0 "$NTPD_PID" 2>/dev/null || break
		sleep 0.2
	done
	cat "$TMP/ntpd.log" "$TMP/ntpd.out" 2>/dev/null | tail -5
	return 1
}

if start_ntpd; then
	for id in 1 2 3 4 5 6 7; do
		run "${U[@]}" -d -p 1 -t 1 -a $id -k "$NK" 127.0.0.1
		ok "ntpd: key $id (${NTYPES[$id]}) accepted" \
			'[ $RC -eq 0 ] && echo "$OUT" | grep -q "Authentication   : symmetric key $id (${NTYPES[$id]}): 1 reply verified"'
		run "${U[@]}" -d -p 1 -t 0.3 -a $id -k "$NW" 127.0.0.1
		ok "ntpd: key $id (${NTYPES[$id]}) with other key bytes refused (exit 1)" \
			'[ $RC -eq 1 ] && echo "$OUT" | grep -Eq "Verdict          : no (valid )?reply"'
	done
	run "${U[@]}" -d -p 1 -t 1 -a 2 -k "$NK" 127.0.0.1
	ok "-d: ntpd format, detected (the 40-hex-digit SHA1 key is 20 bytes)" \
		'echo "$OUT" | grep -q "^key file $NK: 7 keys, ntpd format (detected from the file)$"'
	# the ambiguous one-line file, read as ntpd reads it
	printf '2 SHA1 0123456789abcdef0123456789abcdef01234567\n' >"$TMP/amb2.keys"; chmod 600 "$TMP/amb2.keys"
	run "${U[@]}" -q -p 1 -t 1 -a 2 -k "$TMP/amb2.keys" --keyfile-format ntpd 127.0.0.1
	ok "ntpd: ambiguous file with --keyfile-format ntpd accepted" '[ $RC -eq 0 ]'
	run "${U[@]}" -q -p 1 -t 0.3 -a 2 -k "$TMP/amb2.keys" --keyfile-format chrony 127.0.0.1
	ok "ntpd: the same file read as chrony's (a 40-byte key) refused" '[ $RC -eq 1 ]'
	kill "$NTPD_PID" 2>/dev/null
else
	ok "ntpd (NTPsec) started in orphan mode" false
fi

# --- bad MACs from the test server --------------------------------------------------------

TK=$TMP/ts.keys
printf '1 MD5 HEX:000102030405060708090a0b0c0d0e0f1011\n3 SHA1 HEX:0123456789abcdef0123456789abcdef01234567\n5 AES128 HEX:000102030405060708090a0b0c0d0e0f\n' >"$TK"
chmod 600 "$TK"
for m in good none wrong-id bad-digest nak truncated; do
	start_server "mac_${m//-/_}" --keyfile "$TK" --auth $m
done
start_server mac_sometimes --keyfile "$TK" --auth none --auth-every 2
port() { local v="PORT_mac_${1//-/_}"; echo "${!v}"; }

run "${U[@]}" -q -p 1 -t 0.3 -a 3 -k "$TK" 127.0.0.1:$(port good)
ok "test server, good MAC: exit 0" '[ $RC -eq 0 ]'
for m in none:"no MAC" wrong-id:"wrong key ID" bad-digest:"bad digest" nak:"crypto-NAK" truncated:"truncated MAC"; do
	mode=${m%%:*}
	why=${m#*:}
	run "${U[@]}" -q -p 1 -t 0.3 -a 3 -k "$TK" 127.0.0.1:$(port $mode)
	ok "bad MAC ($mode): exit 1, '$why' in the reason" \
		'[ $RC -eq 1 ] && echo "$ERR" | grep -q "authentication failed: $why"'
	run "${U[@]}" -d -p 1 -t 0.3 -a 3 -k "$TK" 127.0.0.1:$(port $mode)
	ok "bad MAC ($mode): -d says '$why'" \
		'[ $RC -eq 1 ] && echo "$OUT" | grep -q "Authentication   : symmetric key 3 (SHA1): 0 replies verified, 1 refused ($why)"'
	run "${Q[@]}" -v -p 1 -t 0.3 -a 3 -k "$TK" 127.0.0.1:$(port $mode)
	ok "bad MAC ($mode): ntpquery -v says '$why', the table marks it" \
		'[ $RC -eq 1 ] && echo "$OUT" | grep -q "Verdict          : .*authentication failed: $why" && echo "$OUT" | grep -Eq "^\^\? 127\.0\.0\.1:[0-9]+#3! "'
	run "${Q[@]}" -j -p 1 -t 0.3 -a 3 -k "$TK" 127.0.0.1:$(port $mode)
	ok "bad MAC ($mode): JSON last_failure" 'echo "$OUT" | grep -q "\"refused\": 1, \"last_failure\": \"$why\""'
done
run "${U[@]}" -q -p 1 -t 0.3 -a 1 -k "$TK" 127.0.0.1:$(port nak)
ok "crypto-NAK under an MD5 key too" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "authentication failed: crypto-NAK"'
run "${U[@]}" -q -p 1 -t 0.3 -a 5 -k "$TK" 127.0.0.1:$(port bad-digest)
ok "bad digest under an AES128 key too" '[ $RC -eq 1 ] && echo "$ERR" | grep -q "authentication failed: bad digest"'
run "${U[@]}" -q -p 1 -t 0.3 127.0.0.1:$(port none)
ok "without -a the unkeyed server is fine" '[ $RC -eq 0 ]'

# one unauthenticated reply among good ones loses that reply, not the run
run "${U[@]}" -d -p 4 --gap 100 -t 0.3 -a 3 -k "$TK" 127.0.0.1:$(port sometimes)
ok "every second reply without a MAC: the run still answers" '[ $RC -eq 0 ]'
ok "... with 2 replies verified and 2 refused" \
	'echo "$OUT" | grep -q "Authentication   : symmetric key 3 (SHA1): 2 replies verified, 2 refused (no MAC)"'

summary
[ "$nfail" -eq 0 ]

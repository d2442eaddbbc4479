#!/bin/bash
# auth-timing.sh [RUNS]: the wall time of `ntpupdate -q` against a local
# chronyd (-x, keyfile in a temp dir, random loopback port), keyed with
# each key type and unkeyed, runs interleaved in one session; prints the
# median and the spread of each.  Not part of make check.
set -u
cd "$(dirname "$0")/.."
RUNS=${1:-20}
O=${O:-build}
TMP=$(mktemp -d /tmp/ntpauth.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
. tests/chrony.sh
cat >"$TMP/keys" <<'KEYS'
1 MD5 HEX:000102030405060708090a0b0c0d0e0f1011
2 SHA1 HEX:0123456789abcdef0123456789abcdef01234567
3 AES128 HEX:000102030405060708090a0b0c0d0e0f
4 AES256 HEX:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
KEYS
chmod 600 "$TMP/keys"
CHRONY_EXTRA="keyfile $TMP/keys"
start_chronyd || exit 1
S=127.0.0.1:$CHRONY_PORT
names=(none MD5 SHA1 AES128 AES256)
args=("" "-a 1" "-a 2" "-a 3" "-a 4")
for k in 0 1 2 3 4; do : >"$TMP/t$k"; done
"$O/ntpupdate" -q $S >/dev/null 2>&1 # warm the server
for ((i = 0; i < RUNS; i++)); do
	for k in 0 1 2 3 4; do
		t0=$EPOCHREALTIME
		if [ $k -eq 0 ]; then
			"$O/ntpupdate" -q $S >"$TMP/out" 2>&1
		else
			# shellcheck disable=SC2086
			"$O/ntpupdate" -q -k "$TMP/keys" ${args[$k]} $S >"$TMP/out" 2>&1
		fi
		t1=$EPOCHREALTIME
		grep -q "adjust time server" "$TMP/out" || { echo "run failed: ${names[$k]}"; cat "$TMP/out"; exit 1; }
		echo "$t0 $t1" | awk '{ printf "%.6f\n", ($2 - $1) * 1000 }' >>"$TMP/t$k"
	done
done
printf "%-8s %6s %10s %10s %10s   (ntpupdate -q, ms, %d runs each, interleaved)\n" key runs median min max "$RUNS"
for k in 0 1 2 3 4; do
	sort -n "$TMP/t$k" | awk -v n="${names[$k]}" '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%-8s %6d %10.3f %10.3f %10.3f\n", n, NR, m, v[1], v[NR] }'
done
stop_chronyd

#!/bin/bash
# Run every test: the Check unit tests, then the end-to-end scripts.
# As root it first drops CAP_SYS_TIME (so the kernel refuses any clock
# change the shim might miss) and moves into a new network namespace (so
# no test can reach anything but its own loopback).  Ends with one line:
# "N passed, N failed".
set -u
O=${O:-build}
export O
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && [ -z "${NTP_TESTS_CONFINED:-}" ]; then
	export NTP_TESTS_CONFINED=1
	exec setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
		unshare --net -- "$0" "$@"
fi
if [ -n "${NTP_TESTS_CONFINED:-}" ]; then
	ip link set lo up 2>/dev/null || true
fi

passed=0
failed=0
before=$("$O/tests/clockcheck")

# NTP_E2E_ONLY=1 (the valgrind run): skip the unit tests
units=("$O"/tests/check_*)
[ -n "${NTP_E2E_ONLY:-}" ] && units=()
for t in "${units[@]}"; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	echo "$out"
	line=$(echo "$out" | grep -E 'Checks: [0-9]+' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL: $t produced no Check summary (exit $rc)"
		failed=$((failed + 1))
		continue
	fi
	n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	passed=$((passed + n - f - e))
	failed=$((failed + f + e))
done

for t in tests/e2e_*.sh; do
	out=$(bash "$t" 2>&1)
	echo "$out"
	line=$(echo "$out" | grep -E '^[a-z0-9_]+: [0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL: $t produced no summary"
		failed=$((failed + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
done

after=$("$O/tests/clockcheck")
drift=$(awk -v a="$before" -v b="$after" 'BEGIN { d = b - a; if (d < 0) d = -d; print d }')
if awk -v d="$drift" 'BEGIN { exit !(d < 0.010) }'; then
	echo "ok: system clock did not move (realtime - monotonic changed by ${drift} s)"
	passed=$((passed + 1))
else
	echo "FAIL: system clock moved by ${drift} s during the tests"
	failed=$((failed + 1))
fi

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]

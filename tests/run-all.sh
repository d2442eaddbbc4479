#!/bin/bash
# Run every test: the Check unit tests, then the end-to-end scripts.
# As root it first drops CAP_SYS_TIME (so the kernel refuses any clock
# change the shim might miss) and moves into a new network namespace (so
# no test can reach anything but its own loopback) and a new mount
# namespace with its own /run (so the lock file, pid files and the
# time-sync flag the tests make are theirs alone, and no daemon of the
# machine is seen there).  Ends with one line:
# "N passed, N failed".
set -u
O=${O:-build}
export O
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && [ -z "${NTP_TESTS_CONFINED:-}" ]; then
	export NTP_TESTS_CONFINED=1
	exec setpriv --bounding-set -sys_time --inh-caps -sys_time -- \
		unshare --net --mount -- "$0" "$@"
fi
if [ -n "${NTP_TESTS_CONFINED:-}" ]; then
	ip link set lo up 2>/dev/null || true
	mount -t tmpfs -o mode=755 ntpupdate-tests /run 2>/dev/null || true
fi

passed=0
failed=0
before=$("$O/tests/clockcheck")

# tally NAME CMD...: run one test program, echo its output, and add its
# counts to the totals.  Check ends with "N%: Checks: N, Failures: F,
# Errors: E"; the e2e scripts with "suite: P passed, F failed".
tally() {
	local name=$1 out line p f
	shift
	out=$("$@" 2>&1)
	echo "$out"
	line=$(echo "$out" | grep -E 'Checks: [0-9]+|^[a-z0-9_]+: [0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL: $name produced no summary"
		failed=$((failed + 1))
		return
	fi
	case $line in
	*Checks:*)
		p=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 - \2 - \3/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 + \2/')
		;;
	*)
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		;;
	esac
	passed=$((passed + p))
	failed=$((failed + f))
}

# NTP_E2E_ONLY=1 (the valgrind run): skip the unit tests
if [ -z "${NTP_E2E_ONLY:-}" ]; then
	for t in "$O"/tests/check_*; do
		[ -x "$t" ] && tally "$t" "$t"
	done
fi
for t in tests/e2e_*.sh; do
	tally "$t" bash "$t"
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

#!/bin/bash
# fuzz-smoke.sh SECONDS TARGET...: run each libFuzzer target for a bounded
# time on a scratch copy of its seed corpus (the repo's seeds are never
# written), print executions per target, fail on any crash.
set -u
secs=$1
shift
tmp=$(mktemp -d /tmp/ntpfuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for t in "$@"; do
	mkdir -p "$tmp/$t"
	if build-fuzz/fuzz_$t -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$tmp/$t-" "$tmp/$t" "fuzz/corpus/$t" >"$tmp/$t.log" 2>&1; then
		execs=$(grep -E 'stat::number_of_executed_units' "$tmp/$t.log" | awk '{print $2}')
		echo "ok: fuzz_$t: ${execs:-?} executions in ${secs} s, no crash"
		pass=$((pass + 1))
	else
		echo "FAIL: fuzz_$t crashed:"
		tail -40 "$tmp/$t.log"
		ls "$tmp"/$t-* 2>/dev/null
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

# lib.sh: helpers for the end-to-end scripts (sourced).
#   start_server NAME [ntp-testserver options]  -> sets PORT_<NAME>
#   run CMD...     -> OUT, ERR, RC, ELAPSED (seconds)
#   ok NAME COND   -> counts a pass or a failure
set -u
O=${O:-build}
BIN=$O
SRV=$BIN/tests/ntp-testserver
# absolute (the tools may run from another directory); empty where the
# tests are not built (tests/package.sh needs none of them)
SHIM=$(cd "$BIN/tests" 2>/dev/null && pwd)/clockshim.so
TMP=$(mktemp -d /tmp/ntpupdate-test.XXXXXX)
PIDS=()
# where ntpupdate records its state after a set (never the system's)
export NTPUPDATE_STATE=$TMP/state
npass=0
nfail=0
SUITE=${SUITE:-e2e}
# NTP_VALGRIND=1: run the binaries under test in valgrind, and give every
# timing bound room for it.
WRAP=()
SLACK=1
if [ -n "${NTP_VALGRIND:-}" ]; then
	WRAP=(valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite)
	SLACK=6
fi

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_server NAME [options]: start a test server on a random port.
start_server() {
	local name=$1 i port
	shift
	"$SRV" --lifetime 120 "$@" >"$TMP/port.$name" 2>"$TMP/srv.$name.err" &
	PIDS+=($!)
	for i in $(seq 1 100); do
		port=$(head -1 "$TMP/port.$name" 2>/dev/null)
		[ -n "$port" ] && break
		sleep 0.02
	done
	if [ -z "$port" ]; then
		echo "cannot start test server $name: $(cat "$TMP/srv.$name.err")"
		port=1
	fi
	printf -v "PORT_$name" '%s' "$port"
}

# run CMD...: run a command, capture stdout/stderr/exit code/elapsed.
run() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	RC=$?
	t1=$(date +%s.%N)
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# shimrun CMD...: run with the clock shim, its log in SHIMLOG.
shimrun() {
	SHIMLOG=$TMP/shim.log
	rm -f "$SHIMLOG"
	: >"$SHIMLOG"
	run env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG="$SHIMLOG" "$@"
	SHIMOUT=$(cat "$SHIMLOG")
}

ok() {
	local name=$1
	shift
	if eval "$@"; then
		npass=$((npass + 1))
		echo "ok: $name"
	else
		nfail=$((nfail + 1))
		echo "FAIL: $name"
		echo "   condition: $*"
		echo "   rc=$RC elapsed=$ELAPSED"
		echo "   stdout: $(echo "$OUT" | head -20)"
		echo "   stderr: $(echo "$ERR" | head -20)"
	fi
}

# near A B TOL: |A - B| <= TOL
near() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

# slack SECONDS: a timing bound, widened under valgrind
slack() {
	awk -v a="$1" -v s="$SLACK" 'BEGIN { print a * s }'
}

# lt A B: A < B
lt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# field of the ntpdate-style server line: offset of server line N (1-based)
server_offset() {
	echo "$OUT" | grep '^server ' | sed -n "${1}p" | sed -E 's/.*offset ([-+0-9.]+),.*/\1/'
}

# the offset of the final ntpdate-style line, and of -d's "offset" line
final_offset() {
	echo "$OUT" | tail -1 | sed -nE 's/.* offset ([-+0-9.]+) sec$/\1/p'
}
debug_offset() {
	echo "$OUT" | awk '/^offset [-+0-9.]+ \+\/- / { print $2 }'
}

summary() {
	echo "$SUITE: $npass passed, $nfail failed"
}

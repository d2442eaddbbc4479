# chrony.sh: start a real chronyd as a local server (sourced by tests).
# chronyd comes from `apt-get download chrony` + `dpkg -x` (see
# tests/install-deps.sh), never from an installed package that could
# start a daemon controlling the clock.  It runs with -x (never touch the
# clock), a config in a temp dir, on a random loopback port.
# CHRONY_EXTRA: more configuration lines (e2e_keys.sh: a keyfile).
CHRONYD=${CHRONYD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.deps/chrony/usr/sbin/chronyd}

start_chronyd() {
	local dir=$TMP/chrony i
	[ -x "$CHRONYD" ] || { echo "chronyd not found at $CHRONYD"; return 1; }
	mkdir -p "$dir"
	CHRONY_PORT=$((20000 + RANDOM % 30000))
	cat >"$dir/chrony.conf" <<CONF
port $CHRONY_PORT
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
cmdport 0
pidfile $dir/chronyd.pid
driftfile $dir/drift
${CHRONY_EXTRA:-}
CONF
	"$CHRONYD" -x -u root -f "$dir/chrony.conf" -l "$dir/chronyd.log" -L 0 || return 1
	for i in $(seq 1 100); do
		[ -s "$dir/chronyd.pid" ] && break
		sleep 0.02
	done
	CHRONY_PID=$(cat "$dir/chronyd.pid" 2>/dev/null)
	[ -n "$CHRONY_PID" ] || { cat "$dir/chronyd.log"; return 1; }
	PIDS+=("$CHRONY_PID")
	sleep 0.2
	return 0
}

stop_chronyd() {
	[ -n "${CHRONY_PID:-}" ] && kill "$CHRONY_PID" 2>/dev/null
	CHRONY_PID=
}

#!/bin/bash
# End-to-end tests of ntpupdate's safety: another time daemon (exit 5,
# --force), one run at a time (exit 6), least privilege at the clock
# call.  Clock calls are caught by the shim.  The daemon and lock tests
# need the confinement tests/run-all.sh gives as root (a network
# namespace where port 123 is ours, a /run of our own); without it they
# are not run, and not counted.
SUITE=e2e_safety
. "$(dirname "$0")/lib.sh"
U=("${WRAP[@]}" "$BIN/ntpupdate")
CONFINED=${NTP_TESTS_CONFINED:-}

# holds_lock PID: wait (up to 10 s, valgrind starts slowly) until run PID
# has taken the lock and written its pid into it
holds_lock() {
	local i
	for i in $(seq 1 500); do
		[ "$(cat /run/ntpupdate.lock 2>/dev/null)" = "$1" ] && return 0
		sleep 0.02
	done
	echo "   run $1 never took the lock"
	return 1
}

start_server ten --offset 10
start_server twenty --offset 20
start_server slew --offset 0.2

# --- another time daemon -------------------------------------------------
if [ -n "$CONFINED" ]; then
	"$SRV" --lifetime 120 --port 123 >/dev/null 2>"$TMP/p123.err" &
	P123=$!
	PIDS+=($P123)
	for i in $(seq 1 50); do
		grep -q ':007B ' /proc/net/udp && break
		sleep 0.02
	done
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	echo "   port 123 taken -> rc=$RC: $ERR"
	ok "port 123 bound: exit 5" '[ $RC -eq 5 ]'
	ok "port 123 bound: no clock call" '[ -z "$SHIMOUT" ]'
	ok "port 123 bound: one line naming the process and its pid" \
		'[ "$(echo "$ERR" | wc -l)" -eq 1 ] && echo "$ERR" | grep -q "ntp-testserver (pid $P123) is bound to UDP port 123"'
	ok "port 123 bound: nothing on stdout" '[ -z "$OUT" ]'
	shimrun "${U[@]}" -q -p 1 127.0.0.1:$PORT_slew
	ok "-q: answers (exit 0) and says what it found" \
		'[ $RC -eq 0 ] && echo "$OUT" | grep -q "^server 127.0.0.1" && echo "$ERR" | grep -q "ntp-testserver (pid $P123) is bound to UDP port 123; a set would be refused"'
	shimrun "${U[@]}" -d -p 1 127.0.0.1:$PORT_slew
	ok "-d: says what it found" '[ $RC -eq 0 ] && echo "$OUT" | grep -q "^time daemon: ntp-testserver (pid $P123)" && [ -z "$SHIMOUT" ]'
	shimrun "${U[@]}" --force -p 1 127.0.0.1:$PORT_slew
	ok "--force: sets the clock anyway (one slew)" \
		'[ $RC -eq 0 ] && [ "$(echo "$SHIMOUT" | wc -l)" -eq 1 ] && echo "$SHIMOUT" | grep -Eq "^slew \+0\.(19|20)"'
	kill $P123
	wait $P123 2>/dev/null
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	ok "port 123 free again: exit 0, one slew" '[ $RC -eq 0 ] && echo "$SHIMOUT" | grep -Eq "^slew \+0\.(19|20)"'

	# a chronyd pid file naming a live process called chronyd
	mkdir -p /run/chrony
	cp "$(command -v sleep)" "$TMP/chronyd"
	"$TMP/chronyd" 60 &
	FAKE=$!
	PIDS+=($FAKE)
	echo $FAKE >/run/chrony/chronyd.pid
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	echo "   chronyd pid file -> rc=$RC: $ERR"
	ok "chronyd pid file, live: exit 5 naming it" \
		'[ $RC -eq 5 ] && [ -z "$SHIMOUT" ] && echo "$ERR" | grep -q "chronyd (pid $FAKE, /run/chrony/chronyd.pid) is running"'
	kill $FAKE
	wait $FAKE 2>/dev/null
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	ok "chronyd pid file, stale (holder dead): not a daemon, exit 0" '[ $RC -eq 0 ] && [ -n "$SHIMOUT" ]'
	rm -rf /run/chrony

	# systemd-timesyncd running (systemd's invocation link of the unit)
	mkdir -p /run/systemd/units
	ln -s 0123456789abcdef0123456789abcdef /run/systemd/units/invocation:systemd-timesyncd.service
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	ok "systemd-timesyncd.service running: exit 5 naming it" \
		'[ $RC -eq 5 ] && [ -z "$SHIMOUT" ] && echo "$ERR" | grep -q "systemd-timesyncd.service is running"'
	rm -rf /run/systemd/units
fi

# a real chronyd -x (a server that never touches the clock) on port 123,
# with its pid file and control socket where Debian puts them: no daemon
CHRONYD=$(cd "$(dirname "$0")/.." && pwd)/.deps/chrony/usr/sbin/chronyd
if [ -n "$CONFINED" ] && [ -x "$CHRONYD" ]; then
	rm -rf /run/chrony && mkdir -m 750 /run/chrony && mkdir -p "$TMP/chrony" # chronyd wants 0750
	printf 'port 123\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 8\npidfile /run/chrony/chronyd.pid\nbindcmdaddress /run/chrony/chronyd.sock\ndriftfile %s/drift\n' \
		"$TMP/chrony" >"$TMP/chrony/chrony.conf"
	"$CHRONYD" -x -u root -f "$TMP/chrony/chrony.conf" -l "$TMP/chrony/log" -L 0
	for i in $(seq 1 100); do [ -S /run/chrony/chronyd.sock ] && [ -s /run/chrony/chronyd.pid ] && break; sleep 0.02; done
	CPID=$(cat /run/chrony/chronyd.pid 2>/dev/null)
	[ -n "$CPID" ] && PIDS+=("$CPID")
	shimrun "${U[@]}" -d -p 1 127.0.0.1:$PORT_slew
	ok "chronyd -x on port 123 with its pid file and socket: running, and not counted" \
		'[ -n "$CPID" ] && grep -q ":007B " /proc/net/udp && [ -S /run/chrony/chronyd.sock ] && echo "$OUT" | grep -q "^time daemons: none found"'
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	ok "chronyd -x: the clock is set (exit 0, one slew)" '[ $RC -eq 0 ] && echo "$SHIMOUT" | grep -q "^slew "'
	[ -n "$CPID" ] && kill "$CPID"
	for i in $(seq 1 100); do kill -0 "$CPID" 2>/dev/null || break; sleep 0.02; done
	rm -rf /run/chrony
fi

# the kernel clock under PLL discipline, as the shim reports it
shimrun env CLOCKSHIM_PLL=1 "${U[@]}" -p 1 127.0.0.1:$PORT_slew
echo "   kernel PLL -> rc=$RC: $ERR"
ok "kernel PLL disciplined: exit 5, no clock call" \
	'[ $RC -eq 5 ] && [ -z "$SHIMOUT" ] && echo "$ERR" | grep -q "kernel clock is under PLL discipline"'
shimrun env CLOCKSHIM_PLL=1 "${U[@]}" --force -p 1 127.0.0.1:$PORT_slew
ok "kernel PLL disciplined, --force: one slew" '[ $RC -eq 0 ] && echo "$SHIMOUT" | grep -Eq "^slew \+0\.(19|20)"'
run "${U[@]}" --help
ok "--help names exits 5 and 6 and --force" \
	'echo "$OUT" | grep -q "5 another time daemon runs" && echo "$OUT" | grep -q "6 another run held the lock" && echo "$OUT" | grep -q -- "--force"'

# --- one run at a time ------------------------------------------------------
if [ -n "$CONFINED" ]; then
	LOG2=$TMP/shim2.log
	: >"$LOG2"
	# run A: two samples 2 s apart, it holds the lock about 2 s
	env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG="$LOG2" "${U[@]}" -p 2 --gap 2000 127.0.0.1:$PORT_ten \
		>"$TMP/a.out" 2>"$TMP/a.err" &
	A=$!
	holds_lock $A
	# run B: its own deadline (one sample, 0.2 s) ends while A still runs
	shimrun "${U[@]}" -p 1 -t 0.2 127.0.0.1:$PORT_twenty
	echo "   second run while the first holds the lock -> rc=$RC: $ERR"
	ok "second run, short deadline: exit 6" '[ $RC -eq 6 ]'
	ok "second run: one line naming the holder's pid and the lock" \
		'[ "$(echo "$ERR" | wc -l)" -eq 1 ] && echo "$ERR" | grep -q "another ntpupdate run (pid $A) holds /run/ntpupdate.lock"'
	ok "second run: no clock call" '[ -z "$SHIMOUT" ]'
	ok "second run: gave up at its deadline (0.45 s), not at once or later" \
		'lt 0.3 "$ELAPSED" && lt "$ELAPSED" "$(slack 0.9)"'
	wait $A
	RA=$?
	echo "   first run: rc=$RA, clock calls: $(tr '\n' ' ' <"$LOG2")"
	ok "first run: exit 0, one step of +10 s" '[ $RA -eq 0 ] && [ "$(wc -l <"$LOG2")" -eq 1 ] && grep -Eq "^step \+(9\.99|10\.00)" "$LOG2"'

	# run C waits long enough: its clock call comes after A's
	: >"$LOG2"
	env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG="$LOG2" "${U[@]}" -p 2 --gap 1000 127.0.0.1:$PORT_ten \
		>"$TMP/a.out" 2>"$TMP/a.err" &
	A=$!
	holds_lock $A
	run env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG="$LOG2" "${U[@]}" -p 2 --gap 1000 127.0.0.1:$PORT_twenty
	wait $A
	echo "   clock calls of two overlapping runs, in order: $(tr '\n' ' ' <"$LOG2")"
	ok "second run, long deadline: waits, then exit 0" '[ $RC -eq 0 ] && lt 1.5 "$ELAPSED"'
	ok "overlapping runs: the second's clock call after the first's" \
		'[ "$(wc -l <"$LOG2")" -eq 2 ] && head -1 "$LOG2" | grep -Eq "^step \+(9\.99|10\.00)" && tail -1 "$LOG2" | grep -Eq "^step \+(19\.99|20\.00)"'

	# a killed holder leaves no lock behind
	env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG=/dev/null "${U[@]}" -p 4 --gap 2000 127.0.0.1:$PORT_ten \
		>/dev/null 2>&1 &
	A=$!
	holds_lock $A
	kill -KILL $A
	wait $A 2>/dev/null
	ok "killed holder: the lock file stays, with its pid" '[ "$(cat /run/ntpupdate.lock)" = "$A" ]'
	shimrun "${U[@]}" -p 1 -t 0.2 127.0.0.1:$PORT_slew
	ok "killed holder: the next run takes the lock at once (exit 0)" \
		'[ $RC -eq 0 ] && [ -n "$SHIMOUT" ] && lt "$ELAPSED" "$(slack 0.4)"'

	# -q and -d take no lock: they answer while a set is running
	env LD_PRELOAD="$SHIM" CLOCKSHIM_LOG=/dev/null "${U[@]}" -p 2 --gap 1000 127.0.0.1:$PORT_ten \
		>/dev/null 2>&1 &
	A=$!
	holds_lock $A
	run "${U[@]}" -q -p 1 127.0.0.1:$PORT_slew
	ok "-q during a set: answers at once (exit 0)" '[ $RC -eq 0 ] && lt "$ELAPSED" "$(slack 0.4)"'
	wait $A
fi

# --- systemd's time-sync flag ----------------------------------------------------
if [ -n "$CONFINED" ]; then
	FLAG=/run/systemd/timesync/synchronized
	rm -rf /run/systemd
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	ok "not booted with systemd: no flag made" '[ $RC -eq 0 ] && [ ! -e /run/systemd ]'
	mkdir -p /run/systemd/system
	shimrun "${U[@]}" -q -p 1 127.0.0.1:$PORT_slew
	ok "systemd, -q: no flag" '[ $RC -eq 0 ] && [ ! -e $FLAG ]'
	shimrun "${U[@]}" --max-step 1 -p 1 127.0.0.1:$PORT_ten
	ok "systemd, a refused set: no flag" '[ $RC -eq 3 ] && [ ! -e $FLAG ]'
	shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew
	ok "systemd, a successful set: $FLAG made (under the seccomp filter)" \
		'[ $RC -eq 0 ] && [ -f $FLAG ] && [ -z "$ERR" ]'
	rm -rf /run/systemd
fi

# --- least privilege at the clock call ----------------------------------------
ST=$TMP/status
: >"$ST"
shimrun env CLOCKSHIM_STATUS="$ST" "${U[@]}" -p 1 127.0.0.1:$PORT_slew
echo "   at the clock call: $(tr '\t\n' '  ' <"$ST")"
eff=$(awk '/^CapEff:/ { print $2 }' "$ST")
ok "clock call made (exit 0)" '[ $RC -eq 0 ] && [ -n "$eff" ]'
ok "at the clock call: no capability but CAP_SYS_TIME" \
	'[ -n "$eff" ] && [ $(( 0x$eff & ~(1 << 25) )) -eq 0 ]'
ok "at the clock call: no_new_privs set" 'grep -q "^NoNewPrivs:[[:space:]]*1" "$ST"'
if [ -z "${NTP_SANITIZED:-}" ] && [ -z "${NTP_VALGRIND:-}" ]; then
	ok "at the clock call: seccomp filter in force" 'grep -q "^Seccomp:[[:space:]]*2" "$ST"'
fi
# every path of a run under the filter: -s syslog, -d, a refused step,
# a failing clock call, a name that does not resolve
shimrun "${U[@]}" -s -p 1 127.0.0.1:$PORT_slew
ok "under the filter: -s (syslog) runs to the end" '[ $RC -eq 0 ] && ! echo "$ERR" | grep -q seccomp'
shimrun "${U[@]}" --max-step 1 -p 1 127.0.0.1:$PORT_ten
ok "under the filter: a refused step ends with exit 3" '[ $RC -eq 3 ] && ! echo "$ERR" | grep -q seccomp'
run env LD_PRELOAD="$SHIM" CLOCKSHIM_FAIL=1 "${U[@]}" -p 1 127.0.0.1:$PORT_slew
ok "under the filter: a failing clock call ends with exit 4, not a trap" \
	'[ $RC -eq 4 ] && ! echo "$ERR" | grep -q seccomp'
shimrun "${U[@]}" -p 1 127.0.0.1:$PORT_slew 127.0.0.1:1 no-such-host.invalid
ok "under the filter: dead and unresolved servers beside a good one" \
	'[ $RC -eq 0 ] && ! echo "$ERR" | grep -q seccomp'

summary

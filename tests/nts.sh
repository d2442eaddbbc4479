# nts.sh: a test PKI made at run time with certtool, and a local chronyd
# NTS server (sourced by tests after lib.sh and chrony.sh).
#   make_pki DIR [certtool template lines for the server]
#       -> DIR/ca.pem DIR/ca.key DIR/server.pem DIR/server.key
#   start_chronyd_nts DIR -> NTS_KE_PORT, CHRONY_PORT, CHRONY_PID
CERTTOOL=${CERTTOOL:-certtool}

make_pki() {
	local d=$1
	shift
	mkdir -p "$d"
	[ -s "$d/ca.key" ] || $CERTTOOL --generate-privkey --key-type=ecdsa --outfile "$d/ca.key" 2>/dev/null || return 1
	if [ ! -s "$d/ca.pem" ]; then
		printf 'cn = "ntpupdate test CA"\nca\ncert_signing_key\nexpiration_days = 3\n' >"$d/ca.tmpl"
		$CERTTOOL --generate-self-signed --load-privkey "$d/ca.key" --template "$d/ca.tmpl" \
			--outfile "$d/ca.pem" >/dev/null 2>&1 || return 1
	fi
	$CERTTOOL --generate-privkey --key-type=ecdsa --outfile "$d/server.key" 2>/dev/null || return 1
	{
		echo 'cn = "ntpupdate test server"'
		echo 'ip_address = "127.0.0.1"'
		echo 'dns_name = "localhost"'
		echo 'tls_www_server'
		echo 'signing_key'
		if [ $# -gt 0 ]; then printf '%s\n' "$@"; else echo 'expiration_days = 2'; fi
	} >"$d/server.tmpl"
	$CERTTOOL --generate-certificate --load-privkey "$d/server.key" --load-ca-certificate "$d/ca.pem" \
		--load-ca-privkey "$d/ca.key" --template "$d/server.tmpl" --outfile "$d/server.pem" >/dev/null 2>&1
}

# start_chronyd_nts DIR: chronyd -x serving NTP on CHRONY_PORT and NTS-KE
# on NTS_KE_PORT (loopback), with DIR's server certificate.
start_chronyd_nts() {
	local pki=$1 dir=$TMP/chrony-nts i
	[ -x "$CHRONYD" ] || { echo "chronyd not found at $CHRONYD"; return 1; }
	mkdir -p "$dir"
	CHRONY_PORT=$((20000 + RANDOM % 20000))
	NTS_KE_PORT=$((CHRONY_PORT + 1 + RANDOM % 5000))
	cat >"$dir/chrony.conf" <<CONF
port $CHRONY_PORT
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
cmdport 0
pidfile $dir/chronyd.pid
driftfile $dir/drift
ntsport $NTS_KE_PORT
ntsserverkey $pki/server.key
ntsservercert $pki/server.pem
ntsprocesses 0
ntsdumpdir $dir
CONF
	"$CHRONYD" -x -u root -f "$dir/chrony.conf" -l "$dir/chronyd.log" -L 0 || return 1
	for i in $(seq 1 100); do
		[ -s "$dir/chronyd.pid" ] && break
		sleep 0.02
	done
	CHRONY_PID=$(cat "$dir/chronyd.pid" 2>/dev/null)
	[ -n "$CHRONY_PID" ] || { cat "$dir/chronyd.log"; return 1; }
	PIDS+=("$CHRONY_PID")
	# ready when the NTS-KE port accepts connections
	for i in $(seq 1 100); do
		(exec 3<>/dev/tcp/127.0.0.1/$NTS_KE_PORT) 2>/dev/null && break
		sleep 0.02
	done
	return 0
}

#!/bin/bash
# package.sh: build the Debian package from a clean copy of the tree,
# check it with lintian, install it (with a policy-rc.d that keeps any
# service from starting), check its files, run ntpupdate --version from
# it, verify its systemd units, then purge it.  Run as root on a Debian 12
# machine with tests/install-deps.sh done (CI: .ci/run).  Ends with
# "package: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
SRC=$PWD
SUITE=package
. tests/lib.sh
RC= ELAPSED= OUT= ERR= # what lib.sh's ok shows of a failed check
if [ "$(id -u)" != 0 ]; then
	echo "package.sh: needs root (it installs the package)"
	nfail=1
	summary
	exit 1
fi
if dpkg -s ntpupdate >/dev/null 2>&1; then
	echo "package.sh: ntpupdate is already installed here; not touching it"
	nfail=1
	summary
	exit 1
fi

POLICY=/usr/sbin/policy-rc.d
restore_policy() {
	if [ -e "$TMP/policy-rc.d.saved" ]; then
		mv -f "$TMP/policy-rc.d.saved" "$POLICY"
	else
		rm -f "$POLICY"
	fi
}
pkg_cleanup() {
	dpkg -s ntpupdate >/dev/null 2>&1 && apt-get -o DPkg::Lock::Timeout=600 purge -y -q ntpupdate >/dev/null 2>&1
	restore_policy
	cleanup # lib.sh's: the scratch directory
}
trap pkg_cleanup EXIT

# --- build from the files git knows, as a fresh checkout has them ------------
mkdir -p "$TMP/ntpupdate-src"
git -C "$SRC" ls-files -z | (cd "$SRC" && xargs -0 tar -cf -) | tar -C "$TMP/ntpupdate-src" -xf -
(cd "$TMP/ntpupdate-src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u O -u SAN \
	DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -30 "$TMP/build.log"
DEB=$(ls "$TMP"/ntpupdate_*.deb 2>/dev/null | head -1)
ok "dpkg-buildpackage -us -uc -b builds a .deb" '[ $rc -eq 0 ] && [ -n "$DEB" ]'
[ -n "$DEB" ] || { summary; exit 1; }

lintian --fail-on error "$TMP"/ntpupdate_*.changes >"$TMP/lintian.txt" 2>&1
lrc=$?
echo "   lintian: $(wc -l <"$TMP/lintian.txt") lines:"
sed 's/^/   | /' "$TMP/lintian.txt"
ok "lintian: no errors" '[ $lrc -eq 0 ] && ! grep -q "^E:" "$TMP/lintian.txt"'

ok "no Provides: time-daemon" '! dpkg-deb -f "$DEB" Provides | grep -q time-daemon'
dpkg-deb -c "$DEB" >"$TMP/contents"
for f in ./usr/sbin/ntpupdate ./usr/bin/ntpquery ./lib/systemd/system/ntpupdate.service \
	./lib/systemd/system/ntpupdate.timer ./etc/default/ntpupdate \
	./usr/share/man/man8/ntpupdate.8.gz ./usr/share/man/man1/ntpquery.1.gz \
	./usr/libexec/ntpupdate/ntpupdate-nts ./usr/libexec/ntpupdate/ntpquery-nts; do
	ok "package holds $f" 'grep -q " $f\$" "$TMP/contents"'
done
dpkg-deb -e "$DEB" "$TMP/control"
ok "/etc/default/ntpupdate is a conffile" 'grep -qx /etc/default/ntpupdate "$TMP/control/conffiles"'
# debhelper's postinst re-enables a unit on upgrade only if the admin had
# enabled it ("was-enabled"); it must start nothing and enable nothing new
ok "maintainer scripts start nothing, enable nothing new" \
	'! grep -Eq "deb-systemd-invoke|invoke-rc.d|systemctl" "$TMP"/control/postinst 2>/dev/null && [ "$(grep -c "helper enable" "$TMP/control/postinst")" = "$(grep -c "was-enabled" "$TMP/control/postinst")" ]'

# --- install with services kept from starting ------------------------------------
[ -e "$POLICY" ] && cp -p "$POLICY" "$TMP/policy-rc.d.saved"
printf '#!/bin/sh\n# tests/package.sh: no service may start\nexit 101\n' >"$POLICY"
chmod 755 "$POLICY"
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$DEB" >"$TMP/install.log" 2>&1
irc=$?
[ $irc -eq 0 ] || tail -20 "$TMP/install.log"
ok "the package installs" '[ $irc -eq 0 ] && dpkg -s ntpupdate | grep -q "^Status: install ok installed"'
VER=$(/usr/sbin/ntpupdate --version 2>&1)
echo "   /usr/sbin/ntpupdate --version: $VER"
ok "ntpupdate --version from the package" '[ "$VER" = "ntpupdate $(dpkg-query -W -f "\${Version}" ntpupdate)" ]'
ok "ntpquery --version from the package" '/usr/bin/ntpquery --version | grep -q "^ntpquery "'
ok "no unit enabled by the installation" \
	'! ls /etc/systemd/system/*.wants/ntpupdate.* >/dev/null 2>&1'
systemd-analyze verify /lib/systemd/system/ntpupdate.service /lib/systemd/system/ntpupdate.timer \
	>"$TMP/verify.txt" 2>&1
vrc=$?
sed 's/^/   | /' "$TMP/verify.txt"
ok "systemd-analyze verify: the installed units" '[ $vrc -eq 0 ] && [ ! -s "$TMP/verify.txt" ]'
ok "man ntpupdate and man ntpquery are found" \
	'! command -v man >/dev/null || { man -w ntpupdate && man -w 1 ntpquery; } >/dev/null 2>&1'

apt-get -o DPkg::Lock::Timeout=600 purge -y -q ntpupdate >"$TMP/purge.log" 2>&1
ok "purge removes it all" \
	'! dpkg -s ntpupdate >/dev/null 2>&1 && [ ! -e /usr/sbin/ntpupdate ] && [ ! -e /lib/systemd/system/ntpupdate.service ] && [ ! -e /etc/default/ntpupdate ]'
summary
[ "$nfail" -eq 0 ]

#!/bin/sh
# Install what building and testing need on a fresh Debian 12 machine
# (run as root).  chronyd is unpacked, not installed: an installed chrony
# would start a daemon that controls the clock.
set -e
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# Several builds may share one machine: wait for the package lock.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
apt_get update
apt_get install -y --no-install-recommends \
	build-essential pkg-config check libsubunit-dev libbsd-dev \
	clang libclang-rt-14-dev valgrind iproute2 util-linux python3 \
	ca-certificates git \
	libcap2 libedit2 libgnutls30 libnettle8 libseccomp2 \
	libgnutls28-dev nettle-dev gnutls-bin libseccomp-dev libcap-ng-dev \
	faketime ntpsec-ntpdig tshark debhelper fakeroot dpkg-dev systemd \
	lintian rdate mandoc
if [ ! -x .deps/chrony/usr/sbin/chronyd ]; then
	mkdir -p .deps
	rm -f .deps/chrony_*.deb
	(cd .deps && apt_get download chrony)
	dpkg -x .deps/chrony_*.deb .deps/chrony
fi
.deps/chrony/usr/sbin/chronyd -v
# the MACs of symmetric keys come from nettle (GnuTLS's library)
pkg-config --exists nettle gnutls
# NTPsec's ntpd, unpacked for the same reason (interop tests run it in
# the foreground with a configuration under a temp dir).
if [ ! -x .deps/ntpsec/usr/sbin/ntpd ]; then
	mkdir -p .deps
	rm -f .deps/ntpsec_*.deb
	(cd .deps && apt_get download ntpsec)
	dpkg -x .deps/ntpsec_*.deb .deps/ntpsec
fi

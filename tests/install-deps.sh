#!/bin/sh
# Install what building and testing need on a fresh Debian 12 machine
# (run as root).  chronyd is unpacked, not installed: an installed chrony
# would start a daemon that controls the clock.
set -e
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	build-essential pkg-config check libsubunit-dev libbsd-dev \
	clang libclang-rt-14-dev valgrind iproute2 util-linux python3 \
	ca-certificates git \
	libcap2 libedit2 libgnutls30 libnettle8 libseccomp2
if [ ! -x .deps/chrony/usr/sbin/chronyd ]; then
	mkdir -p .deps
	rm -f .deps/chrony_*.deb
	(cd .deps && apt-get download chrony)
	dpkg -x .deps/chrony_*.deb .deps/chrony
fi
.deps/chrony/usr/sbin/chronyd -v

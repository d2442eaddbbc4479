# ntpupdate - one-shot NTP client.  Plain make + pkg-config.
#   make              build ntpupdate and ntpquery
#   make check        unit tests (Check) + end-to-end tests
#   make check-asan   the same, built with ASan + UBSan into build-asan/
#   make install      PREFIX=/usr/local DESTDIR= (binaries, man pages, systemd
#                     units, /etc/default/ntpupdate if there is none yet)
#   make uninstall    the same files again (the defaults file only if unchanged)

PREFIX   ?= /usr/local
DESTDIR  ?=
O        ?= build
CC       ?= cc
PKG_CONFIG ?= pkg-config

# SOURCE_DATE_EPOCH: set by dpkg-buildpackage (a package build has no .git)
BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null || date +%s))

WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wpointer-arith -Wcast-qual \
           -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes -Wvla \
           -Wundef -Wnull-dereference -Werror
CFLAGS   ?= -O2 -g
SAN      ?=
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SAN) -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE \
             -DNTPUPDATE_BUILD_EPOCH=$(BUILD_EPOCH)LL \
             -I. -I$(O)/gen
LIBS     = $(shell $(PKG_CONFIG) --libs libbsd nettle libcap-ng) -lm -pthread
# libseccomp: ntpserve (srvpriv.c) and the build-time generator of the
# tools' filter (tools/seccomp_gen.c); ntpupdate and ntpquery run without it
SECCOMP_LIBS = $(shell $(PKG_CONFIG) --libs libseccomp)
# The plain tools take these small libraries in statically: each shared
# one costs every run its mapping and relocation (max RSS 3.2 MB dynamic,
# 2.8 MB static, for ntpupdate -q against one server).  Sanitizer builds
# stay dynamic.
TOOL_LIBS = $(if $(SAN),$(LIBS),-Wl,-Bstatic \
            $(shell $(PKG_CONFIG) --static --libs-only-l libbsd nettle libcap-ng) \
            -Wl,-Bdynamic -lm -pthread)
# GnuTLS only where NTS is: the -nts builds of the tools, tests, fuzzing
TLS_LIBS = $(shell $(PKG_CONFIG) --libs gnutls)
ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags gnutls nettle)
LIBEXECDIR ?= $(PREFIX)/libexec/ntpupdate
# full RELRO: a tool that runs as root binds every symbol at start
LDFLAGS  ?= -Wl,-z,relro,-z,now
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check)

# Every common/*.c is a module, every tests/check_*.c a unit-test program,
# every fuzz/fuzz_*.c a fuzz target: adding a file is enough.
# (nts_exec.c is not in the library: the plain builds of the tools link it
# in front of it, where it stands in for nts_full.c, see below)
COMMON   = $(filter-out nts_exec,$(sort $(basename $(notdir $(wildcard common/*.c)))))
COMMON_O = $(COMMON:%=$(O)/common/%.o)
TESTS    = $(sort $(patsubst check_%,%,$(basename $(notdir $(wildcard tests/check_*.c)))))
TEST_BIN = $(TESTS:%=$(O)/tests/check_%)

.PHONY: all check check-asan check-valgrind install uninstall clean fuzz fuzz-smoke bench bench-server estsim

all: ntpupdate ntpquery ntpupdate-nts ntpquery-nts ntpserve

ntpupdate ntpquery ntpupdate-nts ntpquery-nts ntpserve: %: $(O)/%
	cp $< $@

$(O)/common/%.o: common/%.c common/*.h | $(O)/common
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# ntpupdate's seccomp filter, built once here by libseccomp (the generator
# is never sanitized: it runs at build time only) and compiled into
# priv.o as a BPF program.
$(O)/gen/seccomp_gen: tools/seccomp_gen.c | $(O)/gen
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE $(LDFLAGS) -o $@ $< $(SECCOMP_LIBS)

$(O)/gen/seccomp_filter.h: $(O)/gen/seccomp_gen
	$< >$@.tmp
	mv -f $@.tmp $@

$(O)/common/priv.o: $(O)/gen/seccomp_filter.h

$(O)/libntpcommon.a: $(COMMON_O)
	rm -f $@
	ar rcs $@ $^

# Each tool twice: the plain build, not linked with GnuTLS (nts_exec.o: no
# key exchange; it makes NTS runs from cached cookies itself and hands any
# other NTS run to <tool>-nts, beside it or in LIBEXECDIR); and the NTS
# build, the same program with GnuTLS and the key exchange (nts_full.o).
$(O)/common/nts_exec.o: common/nts_exec.c common/*.h | $(O)/common
	$(CC) $(ALL_CFLAGS) -DNTS_EXEC_DIR='"$(LIBEXECDIR)"' -c -o $@ $<

$(O)/ntpupdate $(O)/ntpquery: $(O)/%: %.c $(O)/common/nts_exec.o $(O)/libntpcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/common/nts_exec.o $(O)/libntpcommon.a $(TOOL_LIBS)

$(O)/ntpupdate-nts $(O)/ntpquery-nts: $(O)/%-nts: %.c $(O)/libntpcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libntpcommon.a $(LIBS) $(TLS_LIBS)

$(O)/ntpserve: ntpserve.c $(O)/libntpcommon.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libntpcommon.a $(LIBS) $(SECCOMP_LIBS)

$(O)/tests/check_%: tests/check_%.c $(O)/libntpcommon.a | $(O)/tests
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(CHECK_CFLAGS) -o $@ $< $(O)/libntpcommon.a $(CHECK_LIBS) $(LIBS) $(SECCOMP_LIBS) $(TLS_LIBS)

$(O)/tests/ntp-testserver: tests/ntp-testserver.c $(O)/libntpcommon.a | $(O)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< $(O)/libntpcommon.a $(LIBS) $(SECCOMP_LIBS) $(TLS_LIBS)

# The shim is preloaded into the binaries under test; never sanitized
# (an ASan runtime must come first in the link order).
$(O)/tests/clockshim.so: tests/clockshim.c | $(O)/tests
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

$(O)/tests/nts-hostile: tests/nts-hostile.c $(O)/libntpcommon.a | $(O)/tests
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(O)/libntpcommon.a $(LIBS) $(SECCOMP_LIBS) $(TLS_LIBS)

# Refuses kernel receive timestamps (beside faketime in tests/e2e_nts.sh).
$(O)/tests/nokts.so: tests/nokts.c | $(O)/tests
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -Wno-missing-prototypes -O2 -g -fPIC -shared -o $@ $< -ldl

$(O)/common $(O)/tests $(O)/gen:
	mkdir -p $@

TEST_DEPS = $(TEST_BIN) $(O)/ntpupdate $(O)/ntpquery $(O)/ntpupdate-nts $(O)/ntpquery-nts $(O)/tests/ntp-testserver $(O)/tests/clockshim.so $(O)/tests/clockcheck \
            $(O)/tests/nokts.so $(O)/tests/nts-hostile
TEST_DEPS += $(O)/bench-relay
TEST_DEPS += $(O)/ntpserve

check: all $(TEST_DEPS)
	O=$(O) tests/run-all.sh

check-asan:
	$(MAKE) O=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		CFLAGS="-O1 -g" $(subst $(O)/,build-asan/,$(TEST_DEPS))
	O=build-asan CK_FORK=no ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0 NTP_SANITIZED=1 tests/run-all.sh

SYSCONFDIR ?= /etc
UNITDIR    ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
DEFAULTS    = $(DESTDIR)$(SYSCONFDIR)/default/ntpupdate

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	install -m 755 ntpupdate $(DESTDIR)$(PREFIX)/sbin/ntpupdate
	install -m 755 ntpquery $(DESTDIR)$(PREFIX)/bin/ntpquery
	install -m 644 man/ntpupdate.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 man/ntpquery.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed 's|/usr/sbin/ntpupdate|$(PREFIX)/sbin/ntpupdate|' dist/ntpupdate.service >$(DESTDIR)$(UNITDIR)/ntpupdate.service
	chmod 644 $(DESTDIR)$(UNITDIR)/ntpupdate.service
	install -m 644 dist/ntpupdate.timer $(DESTDIR)$(UNITDIR)/
	[ -e $(DEFAULTS) ] || install -m 644 dist/ntpupdate.default $(DEFAULTS)
	install -m 755 ntpserve $(DESTDIR)$(PREFIX)/sbin/ntpserve
	install -m 644 man/ntpserve.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/sbin/ntpserve|$(PREFIX)/sbin/ntpserve|' dist/ntpserve.service >$(DESTDIR)$(UNITDIR)/ntpserve.service
	chmod 644 $(DESTDIR)$(UNITDIR)/ntpserve.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/ntpserve ] || install -m 644 dist/ntpserve.default $(DESTDIR)$(SYSCONFDIR)/default/ntpserve
	install -d $(DESTDIR)$(LIBEXECDIR)
	install -m 755 ntpupdate-nts ntpquery-nts $(DESTDIR)$(LIBEXECDIR)/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/ntpupdate $(DESTDIR)$(PREFIX)/bin/ntpquery \
		$(DESTDIR)$(PREFIX)/share/man/man8/ntpupdate.8 $(DESTDIR)$(PREFIX)/share/man/man1/ntpquery.1 \
		$(DESTDIR)$(UNITDIR)/ntpupdate.service $(DESTDIR)$(UNITDIR)/ntpupdate.timer \
		$(DESTDIR)$(LIBEXECDIR)/ntpupdate-nts $(DESTDIR)$(LIBEXECDIR)/ntpquery-nts
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	! cmp -s dist/ntpupdate.default $(DEFAULTS) || rm -f $(DEFAULTS)
	rm -f $(DESTDIR)$(PREFIX)/sbin/ntpserve $(DESTDIR)$(PREFIX)/share/man/man8/ntpserve.8 \
		$(DESTDIR)$(UNITDIR)/ntpserve.service
	! cmp -s dist/ntpserve.default $(DESTDIR)$(SYSCONFDIR)/default/ntpserve || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/default/ntpserve

clean:
	rm -rf build build-asan build-fuzz ntpupdate ntpquery ntpupdate-nts ntpquery-nts ntpserve

$(O)/tests/clockcheck: tests/clockcheck.c | $(O)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $<

# ---- fuzzing (clang + libFuzzer) ----------------------------------------
FUZZ_CC      ?= clang
FUZZ_TARGETS  = $(sort $(patsubst fuzz_%,%,$(basename $(notdir $(wildcard fuzz/fuzz_*.c)))))
FUZZ_SRC      = $(COMMON:%=common/%.c)
FUZZ_FLAGS    = -std=gnu11 -g -O1 -D_GNU_SOURCE -I. -I$(O)/gen -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -DNTPUPDATE_BUILD_EPOCH=$(BUILD_EPOCH)LL
FUZZ_SECONDS ?= 20

fuzz: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_SRC) common/*.h $(O)/gen/seccomp_filter.h
	mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC) $(LIBS) $(SECCOMP_LIBS) $(TLS_LIBS)

# Each target for FUZZ_SECONDS on a scratch copy of its seed corpus.
fuzz-smoke: fuzz
	tests/fuzz-smoke.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The end-to-end tests once more, every binary under valgrind.
check-valgrind: all $(TEST_DEPS)
	O=$(O) NTP_VALGRIND=1 NTP_E2E_ONLY=1 tests/run-all.sh

# ---- benchmark (not part of check; root: it makes a network namespace) ----
$(O)/bench-relay: bench/relay.c | $(O)/common
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< -lm

build/bench-rusage: bench/rusage.c | $(O)/common
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $<

bench: all build/bench-relay build/bench-rusage
	bench/bench.sh
	setpriv --bounding-set -sys_time --inh-caps -sys_time -- bench/bench_nts.sh

# The pool estimators in simulation (seconds, no root): see bench/estsim.c
build/bench-estsim: bench/estsim.c $(O)/libntpcommon.a | $(O)/common
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(O)/libntpcommon.a $(LIBS)

estsim: build/bench-estsim
	build/bench-estsim pool 2 4000
	build/bench-estsim pool 3 4000
	build/bench-estsim hetero 4 4000

# ntpserve beside chronyd under open-loop load (root: a network namespace)
build/bench-loadgen: bench/loadgen.c | $(O)/common
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $<

build/bench-reflect: bench/reflect.c | $(O)/common
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $<

bench-server: all build/bench-loadgen build/bench-reflect
	bench/bench-server.sh

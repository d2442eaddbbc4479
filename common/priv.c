/* priv: capabilities, no_new_privs, seccomp (see priv.h). */
#include "priv.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
/* valgrind runs the program on a CPU of its own and makes system calls
 * of its own, which no allow-list of ours can know: under it, no filter */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* A sanitizer's runtime makes calls of its own (LeakSanitizer stops the
 * world with ptrace at exit): in such a build, no filter. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PRV_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define PRV_SANITIZED 1
#endif
#endif
#ifndef PRV_SANITIZED
#define PRV_SANITIZED 0
#endif
static const int sanitized = PRV_SANITIZED;

int
PRV_drop(int keep, char *err, size_t errlen)
{
	int had, can_bound;

	capng_get_caps_process();
	had = keep >= 0 && (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)keep) ||
	    capng_have_capability(CAPNG_PERMITTED, (unsigned)keep));
	can_bound = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_ALL);
	if (had) {
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned)keep);
		capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, (unsigned)keep);
	}
	/* The bounding set needs CAP_SETPCAP to shrink; without it, it stays
	 * as it is, and no_new_privs keeps anything in it from being gained
	 * back.  The ambient set can always be cleared. */
	if (capng_apply(can_bound ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS) < 0 ||
	    (!can_bound && capng_apply(CAPNG_SELECT_AMBIENT) < 0)) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
PRV_have(int cap)
{
	capng_get_caps_process();
	return capng_have_capability(CAPNG_EFFECTIVE, (unsigned)cap) ? 1 : 0;
}

/* The SIGSYS handler's words: set once before the filter goes in, read
 * only by the handler (a signal handler has no other way to get them). */
static const char *trap_prog = "ntpupdate";
static int trap_exit = 1;

static void
put_num(char *buf, size_t *n, size_t cap, long v)
{
	char d[24];
	size_t k = 0;

	if (v < 0) {
		if (*n < cap)
			buf[(*n)++] = '-';
		v = -v;
	}
	do {
		d[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && k < sizeof(d));
	while (k > 0 && *n < cap)
		buf[(*n)++] = d[--k];
}

static void
put_str(char *buf, size_t *n, size_t cap, const char *s)
{
	while (*s != '\0' && *n < cap)
		buf[(*n)++] = *s++;
}

/* Async-signal-safe: builds the line by hand and write(2)s it. */
static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char buf[200];
	size_t n = 0;

	(void)sig;
	(void)uc;
	put_str(buf, &n, sizeof(buf), trap_prog);
	put_str(buf, &n, sizeof(buf), ": seccomp: system call ");
	put_num(buf, &n, sizeof(buf), si->si_syscall);
	put_str(buf, &n, sizeof(buf), " is not allowed; this is a bug, please report it\n");
	if (write(STDERR_FILENO, buf, n) < 0) {
		/* nothing more can be said */
	}
	_exit(trap_exit);
}

/* The allow-list, built by libseccomp at build time (tools/seccomp_gen.c,
 * where the list lives) into prv_filter[]: the same program every run,
 * so no run pays for building it. */
#include "seccomp_filter.h"

int
PRV_seccomp(const char *prog, int exit_code, char *err, size_t errlen)
{
	/* the kernel only reads the program; the cast keeps -Wcast-qual quiet */
	struct sock_fprog fprog = {
		.len = (unsigned short)(sizeof(prv_filter) / sizeof(prv_filter[0])),
		.filter = (struct sock_filter *)(uintptr_t)prv_filter,
	};
	struct sigaction sa;

	if (sanitized || RUNNING_ON_VALGRIND)
		return 1;

	trap_prog = prog;
	trap_exit = exit_code;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		snprintf(err, errlen, "seccomp: cannot catch SIGSYS: %s", strerror(errno));
		return -1;
	}
	/* what libseccomp's seccomp_load did: no_new_privs (PRV_drop set it
	 * already in the tools; a filter needs it without CAP_SYS_ADMIN),
	 * then the program */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0) {
		snprintf(err, errlen, "seccomp: cannot install the filter: %s", strerror(errno));
		return -1;
	}
	return 0;
}

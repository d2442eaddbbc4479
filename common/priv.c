/* priv: capabilities, no_new_privs, seccomp (see priv.h). */
#include "priv.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>
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

/* Everything a run does after the set-up: time, memory, sockets to
 * servers (and syslog), reading files (resolver, TLS trust store and its
 * p11-kit modules, key files), the clock call, the lock and the time-sync
 * flag file.  Never: starting programs, ptrace, mounts, module loading,
 * namespaces, keyrings, bpf, changing ids or capabilities. */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(close), SCMP_SYS(lseek),
	SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(statx), SCMP_SYS(getdents64),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(fcntl), SCMP_SYS(flock),
	SCMP_SYS(ftruncate), SCMP_SYS(utimensat), SCMP_SYS(dup), SCMP_SYS(dup3),
	/* the NTS cookie cache, replaced atomically */
	SCMP_SYS(fchmod), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(rename), SCMP_SYS(renameat),
	SCMP_SYS(renameat2), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap),
	SCMP_SYS(brk), SCMP_SYS(madvise),
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
	SCMP_SYS(sendto), SCMP_SYS(sendmsg), SCMP_SYS(sendmmsg), SCMP_SYS(recvfrom),
	SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg), SCMP_SYS(shutdown),
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(select), SCMP_SYS(pselect6),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
	SCMP_SYS(time), SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(getrandom), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(uname),
	SCMP_SYS(sysinfo), SCMP_SYS(prlimit64), SCMP_SYS(getrlimit),
	SCMP_SYS(getppid), SCMP_SYS(getresuid), SCMP_SYS(getresgid), SCMP_SYS(getcwd),
	SCMP_SYS(statfs), SCMP_SYS(fstatfs), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait),
	SCMP_SYS(alarm), SCMP_SYS(setitimer), SCMP_SYS(getitimer), SCMP_SYS(membarrier),
	/* the resolver's threads and the eventfd they signal on */
	SCMP_SYS(eventfd2),
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(sigaltstack), SCMP_SYS(restart_syscall), SCMP_SYS(tgkill),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* the one clock call, and the read-only looks at the kernel clock */
	SCMP_SYS(clock_adjtime), SCMP_SYS(adjtimex), SCMP_SYS(settimeofday),
	SCMP_SYS(clock_settime),
};

/* ioctl only to ask whether a stream is a terminal or how much is
 * queued on a socket: never TIOCSTI and friends. */
static const unsigned long allowed_ioctls[] = { TCGETS, FIONREAD, FIONBIO, TIOCGWINSZ };

int
PRV_seccomp(const char *prog, int exit_code, char *err, size_t errlen)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	size_t i;
	int rc = 0;

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
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp: cannot start a filter");
		return -1;
	}
	for (i = 0; rc == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] >= 0) /* a call this architecture does not have */
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	/* threads (CLONE_THREAD set), never a new process; clone3's flags
	 * sit behind a pointer a filter cannot read, so it is refused with
	 * ENOSYS and the C library falls back to clone */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	for (i = 0; rc == 0 && i < sizeof(allowed_ioctls) / sizeof(allowed_ioctls[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_EQ, allowed_ioctls[i]));
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errlen, "seccomp: cannot install the filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

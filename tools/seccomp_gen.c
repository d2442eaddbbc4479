/* seccomp_gen: builds ntpupdate's (and ntpquery's) seccomp filter once,
 * at build time, and prints it as a C header for common/priv.c.
 *
 *   seccomp_gen > $(O)/gen/seccomp_filter.h
 *
 * The filter is a constant: the same allow-list every run.  Built by
 * libseccomp at run time it cost every run about 0.15 ms of CPU (10% of
 * an `ntpupdate -q` against one server) and the tools a link to
 * libseccomp; now libseccomp runs here, once, and priv.c hands the
 * exported program to the kernel.  The allow-list lives in this file
 * and nowhere else.
 *
 * The program is for the architecture this runs on (libseccomp's
 * native one), so it is built by the compiler that builds the tools. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <linux/filter.h>
#include <seccomp.h>

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
	/* the state for ntpserve (/var/lib/ntpupdate/state) when its directory is missing */
	SCMP_SYS(mkdir), SCMP_SYS(mkdirat),
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

/* The filter: anything not allowed traps (SIGSYS, which priv.c turns
 * into one line and an exit code).  0, or a negative errno. */
static int
build(scmp_filter_ctx ctx)
{
	size_t i;
	int rc = 0;

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
	return rc;
}

int
main(void)
{
	const struct scmp_version *v = seccomp_version();
	struct sock_filter ins;
	scmp_filter_ctx ctx;
	FILE *tmp;
	long size;
	size_t i, n;
	int rc;

	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (ctx == NULL) {
		fprintf(stderr, "seccomp_gen: seccomp_init failed\n");
		return 1;
	}
	rc = build(ctx);
	if (rc != 0) {
		fprintf(stderr, "seccomp_gen: cannot add a rule: %s\n", strerror(-rc));
		return 1;
	}
	/* libseccomp 2.5 exports only to a descriptor */
	tmp = tmpfile();
	if (tmp == NULL) {
		fprintf(stderr, "seccomp_gen: tmpfile: %s\n", strerror(errno));
		return 1;
	}
	rc = seccomp_export_bpf(ctx, fileno(tmp));
	if (rc != 0) {
		fprintf(stderr, "seccomp_gen: cannot export the filter: %s\n", strerror(-rc));
		return 1;
	}
	if (fseek(tmp, 0, SEEK_END) != 0 || (size = ftell(tmp)) <= 0 ||
	    size % (long)sizeof(ins) != 0 || size / (long)sizeof(ins) > BPF_MAXINSNS) {
		fprintf(stderr, "seccomp_gen: the exported filter has an odd size\n");
		return 1;
	}
	n = (size_t)size / sizeof(ins);
	rewind(tmp);
	printf("/* Generated by tools/seccomp_gen.c (libseccomp %u.%u.%u); do not edit.\n"
	    " * ntpupdate's seccomp filter, %zu BPF instructions, for this build's\n"
	    " * architecture (audit arch 0x%08x); anything not allowed traps. */\n"
	    "static const struct sock_filter prv_filter[%zu] = {\n",
	    v->major, v->minor, v->micro, n, seccomp_arch_native(), n);
	for (i = 0; i < n; i++) {
		if (fread(&ins, sizeof(ins), 1, tmp) != 1) {
			fprintf(stderr, "seccomp_gen: cannot read the exported filter back\n");
			return 1;
		}
		printf("\t{ 0x%04x, %3u, %3u, 0x%08x },\n", ins.code, ins.jt, ins.jf, ins.k);
	}
	printf("};\n");
	fclose(tmp);
	seccomp_release(ctx);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "seccomp_gen: cannot write the header\n");
		return 1;
	}
	return 0;
}

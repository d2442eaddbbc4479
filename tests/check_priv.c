/* Unit tests: common/priv, each in a child process (a dropped
 * capability or an installed filter cannot be taken back). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/priv.h"
#include "check_common.h"

/* Run fn in a child; its exit status (or 128 + signal). */
static int
in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fn());
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The same, with what the child wrote on stderr in out (NUL-ended). */
static int
in_child_err(int (*fn)(void), char *out, size_t outlen)
{
	int p[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], STDERR_FILENO) < 0)
			_exit(99);
		_exit(fn());
	}
	close(p[1]);
	while (n + 1 < outlen && (r = read(p[0], out + n, outlen - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 77 (no filter) is an answer only in a sanitizer build (make check-asan
 * sets NTP_SANITIZED): anywhere else the filter must be in force. */
static int
no_filter_here(int r)
{
	return r == 77 && getenv("NTP_SANITIZED") != NULL;
}

static long
status_field(const char *name)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	long v = -1;
	size_t n = strlen(name);

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 16);
	fclose(f);
	return v;
}

static int
drop_all(void)
{
	char err[200];

	if (PRV_drop(-1, err, sizeof(err)) < 0)
		return 1;
	if (status_field("CapEff") != 0 || status_field("CapPrm") != 0)
		return 2;
	if (status_field("NoNewPrivs") != 1)
		return 3;
	return 0;
}

START_TEST(t_drop_all)
{
	ck_assert_int_eq(in_child(drop_all), 0);
}
END_TEST

static int
drop_keep_time(void)
{
	char err[200];
	int had = PRV_have(CAP_SYS_TIME);
	long eff;

	if (PRV_drop(CAP_SYS_TIME, err, sizeof(err)) < 0)
		return 1;
	eff = status_field("CapEff");
	/* nothing but CAP_SYS_TIME, and that only if it was held */
	if (eff != (had ? 1L << CAP_SYS_TIME : 0))
		return 2;
	if (PRV_have(CAP_NET_RAW) || PRV_have(CAP_DAC_OVERRIDE) || PRV_have(CAP_SYS_ADMIN))
		return 3;
	if (status_field("NoNewPrivs") != 1)
		return 4;
	return 0;
}

START_TEST(t_drop_keeps_only_sys_time)
{
	ck_assert_int_eq(in_child(drop_keep_time), 0);
}
END_TEST

/* The keeping itself, with a capability the test runner still has
 * (make check runs without CAP_SYS_TIME): exactly that one stays, in the
 * effective, permitted and bounding sets, and nothing else. */
static int
drop_keep_other(void)
{
	char err[200];
	int had = PRV_have(CAP_NET_RAW);
	long eff;

	if (!had)
		return 77;
	if (PRV_drop(CAP_NET_RAW, err, sizeof(err)) < 0)
		return 1;
	eff = status_field("CapEff");
	if (eff != 1L << CAP_NET_RAW || status_field("CapPrm") != 1L << CAP_NET_RAW)
		return 2;
	if (PRV_have(CAP_SYS_ADMIN) || PRV_have(CAP_DAC_OVERRIDE))
		return 3;
	if (status_field("CapBnd") != 1L << CAP_NET_RAW)
		return 4;
	return status_field("NoNewPrivs") == 1 ? 0 : 5;
}

START_TEST(t_drop_keeps_exactly_one)
{
	int r = in_child(drop_keep_other);
	/* 77: not root, nothing to keep */
	ck_assert(r == 0 || no_filter_here(r));
}
END_TEST

static int
filter_allows_a_run(void)
{
	char err[200];
	struct timespec ts;
	int r = PRV_seccomp("check_priv", 42, err, sizeof(err));

	if (r == 1)
		return 77; /* sanitizer build: no filter */
	if (r != 0)
		return 1;
	/* what a run does: time, sockets, files, output */
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || socket(AF_INET, SOCK_DGRAM, 0) < 0)
		return 2;
	if (fopen("/proc/self/status", "r") == NULL)
		return 3;
	if (fputs("still here\n", fopen("/dev/null", "w")) < 0)
		return 5;
	return status_field("Seccomp") == 2 ? 0 : 4;
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static int
filter_allows_threads(void)
{
	char err[200];
	pthread_t t;
	void *back = NULL;
	int r = PRV_seccomp("check_priv", 42, err, sizeof(err));

	if (r == 1)
		return 77;
	if (r != 0)
		return 1;
	/* the resolver runs a thread per name */
	if (pthread_create(&t, NULL, thread_fn, &r) != 0 || pthread_join(t, &back) != 0)
		return 2;
	return back == &r ? 0 : 3;
}

START_TEST(t_filter_allows_threads)
{
	int r = in_child(filter_allows_threads);
	ck_assert(r == 0 || no_filter_here(r));
}
END_TEST

static int
filter_refuses_fork(void)
{
	char err[200];

	if (PRV_seccomp("check_priv", 42, err, sizeof(err)) != 0)
		return 77;
	/* a new process (clone without CLONE_THREAD) traps */
	if (fork() == 0)
		_exit(0);
	return 1;
}

START_TEST(t_filter_refuses_fork)
{
	int r = in_child(filter_refuses_fork);
	ck_assert(r == 42 || no_filter_here(r));
}
END_TEST

START_TEST(t_filter_allows_a_run)
{
	int r = in_child(filter_allows_a_run);
	ck_assert(r == 0 || no_filter_here(r));
}
END_TEST

static int
filter_traps(void)
{
	char err[200];

	if (PRV_seccomp("check_priv", 42, err, sizeof(err)) != 0)
		return 77;
	/* never in the list: starting another program */
	execl("/bin/true", "true", (char *)NULL);
	return 1;
}

START_TEST(t_filter_violation_is_a_clear_exit)
{
	int r = in_child(filter_traps);
	/* the handler's exit code, not a silent kill by SIGSYS */
	ck_assert(r == 42 || no_filter_here(r));
}
END_TEST

/* The filter compiled in from tools/seccomp_gen.c, call by call. */
static int
filter_traps_ptrace(void)
{
	char err[200];

	if (PRV_seccomp("check_priv", 42, err, sizeof(err)) != 0)
		return 77;
	/* never in the list: tracing */
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 1;
}

START_TEST(t_filter_traps_ptrace_with_a_line)
{
	char out[512], want[128];
	int r = in_child_err(filter_traps_ptrace, out, sizeof(out));

	if (no_filter_here(r))
		return;
	ck_assert_int_eq(r, 42);
	/* one line naming the call by number, the program first */
	snprintf(want, sizeof(want), "check_priv: seccomp: system call %d is not allowed; "
	    "this is a bug, please report it\n", (int)SYS_ptrace);
	ck_assert_str_eq(out, want);
}
END_TEST

static int
filter_ioctls(void)
{
	char err[200];
	struct termios t;
	int fd = open("/dev/null", O_RDWR), avail = 0;
	char c = 'x';

	if (fd < 0)
		return 1;
	if (PRV_seccomp("check_priv", 42, err, sizeof(err)) != 0)
		return 77;
	/* allowed requests reach the kernel: /dev/null is no terminal */
	if (ioctl(fd, TCGETS, &t) == 0 || errno != ENOTTY)
		return 2;
	if (ioctl(fd, FIONREAD, &avail) < 0 && errno != ENOTTY && errno != EINVAL)
		return 3;
	/* pushing input into a terminal never is */
	ioctl(fd, TIOCSTI, &c);
	return 4;
}

START_TEST(t_filter_ioctl_only_listed_requests)
{
	int r = in_child(filter_ioctls);
	ck_assert(r == 42 || no_filter_here(r));
}
END_TEST

static int
filter_clone3_enosys(void)
{
	char err[200];
	long rc;

	if (PRV_seccomp("check_priv", 42, err, sizeof(err)) != 0)
		return 77;
	/* refused with ENOSYS, no trap, so the C library falls back to clone
	 * (without the filter a kernel with clone3 says EINVAL: size 0) */
	errno = 0;
	rc = syscall(SYS_clone3, NULL, (size_t)0);
	return rc == -1 && errno == ENOSYS ? 0 : 1;
}

START_TEST(t_filter_clone3_is_enosys)
{
	int r = in_child(filter_clone3_enosys);
	ck_assert(r == 0 || no_filter_here(r));
}
END_TEST

static int
filter_raw_thread_clone(void)
{
	char err[200];

	if (PRV_seccomp("check_priv", 42, err, sizeof(err)) != 0)
		return 77;
	if (status_field("Seccomp") != 2)
		return 1;
	/* the rule itself: clone with CLONE_THREAD passes the filter (and
	 * fails in the kernel: CLONE_THREAD needs CLONE_SIGHAND and CLONE_VM) */
	errno = 0;
	if (syscall(SYS_clone, (unsigned long)CLONE_THREAD, NULL, NULL, NULL, 0UL) != -1 || errno != EINVAL)
		return 2;
	return 0;
}

static int
filter_raw_process_clone(void)
{
	char err[200];

	if (PRV_seccomp("check_priv", 42, err, sizeof(err)) != 0)
		return 77;
	/* clone without CLONE_THREAD, as fork would make it, traps */
	syscall(SYS_clone, (unsigned long)SIGCHLD, NULL, NULL, NULL, 0UL);
	return 1;
}

START_TEST(t_filter_clone_needs_clone_thread)
{
	int r = in_child(filter_raw_thread_clone);
	ck_assert(r == 0 || no_filter_here(r));
	r = in_child(filter_raw_process_clone);
	ck_assert(r == 42 || no_filter_here(r));
}
END_TEST

static Suite *
priv_suite(void)
{
	Suite *s = suite_create("priv");
	TCase *tc = tcase_create("priv");
	ADD(tc, t_drop_all);
	ADD(tc, t_drop_keeps_only_sys_time);
	ADD(tc, t_drop_keeps_exactly_one);
	ADD(tc, t_filter_allows_a_run);
	ADD(tc, t_filter_violation_is_a_clear_exit);
	ADD(tc, t_filter_allows_threads);
	ADD(tc, t_filter_refuses_fork);
	ADD(tc, t_filter_traps_ptrace_with_a_line);
	ADD(tc, t_filter_ioctl_only_listed_requests);
	ADD(tc, t_filter_clone3_is_enosys);
	ADD(tc, t_filter_clone_needs_clone_thread);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(priv_suite)

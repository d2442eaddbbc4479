/* Unit tests: common/priv, each in a child process (a dropped
 * capability or an installed filter cannot be taken back). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cap-ng.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <sys/wait.h>
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
	ck_assert(r == 0 || r == 77);
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
	ck_assert(r == 0 || r == 77);
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
	ck_assert(r == 42 || r == 77);
}
END_TEST

START_TEST(t_filter_allows_a_run)
{
	int r = in_child(filter_allows_a_run);
	ck_assert(r == 0 || r == 77);
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
	ck_assert(r == 42 || r == 77);
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
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(priv_suite)

/* Unit tests: common/lock.  A second holder in a child process, a lock
 * that outlives nobody (a killed holder), a planted symbolic link. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/lock.h"
#include "common/ntptime.h"
#include "check_common.h"

static char dir[64], path[128];

static void
setup(void)
{
	ck_tmpdir(dir, "check_lock");
	snprintf(path, sizeof(path), "%s/lock", dir);
}

static void
teardown(void)
{
	ck_rmtree(dir);
}

static struct timespec
in(double s)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return NTT_timespec_add(&now, s);
}

/* A child that tries the lock with a deadline; exit status: LCK_take's
 * result (+10 when the holder's pid was read as expect). */
static int
child_try(double wait, long expect)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct lck l;
		struct timespec dl = in(wait);
		char err[200];
		long holder = -1;
		int r;
		if (LCK_open(&l, path, err, sizeof(err)) < 0)
			_exit(99);
		r = LCK_take(&l, &dl, &holder);
		_exit(r == 1 && holder == expect ? 11 : r);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(t_exclusive_then_free)
{
	struct lck l;
	struct timespec dl = in(1);
	char err[200];
	long holder = -1;

	ck_assert_int_eq(LCK_open(&l, path, err, sizeof(err)), 0);
	ck_assert_str_eq(l.path, path);
	ck_assert_int_eq(LCK_take(&l, &dl, &holder), 0);
	/* held: a second taker gives up at its deadline, naming us */
	ck_assert_int_eq(child_try(0.1, (long)getpid()), 11);
	LCK_close(&l);
	ck_assert_int_eq(l.fd, -1);
	ck_assert_int_eq(child_try(0.1, 0), 0);
}
END_TEST

START_TEST(t_waits_for_release)
{
	struct lck l;
	struct timespec dl = in(1), t0, t1;
	char err[200];
	long holder;
	pid_t pid;
	int st;

	ck_assert_int_eq(LCK_open(&l, path, err, sizeof(err)), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* the child holds it for 0.3 s */
		struct lck c;
		struct timespec d = in(1);
		if (LCK_open(&c, path, err, sizeof(err)) < 0 || LCK_take(&c, &d, &holder) != 0)
			_exit(1);
		nanosleep(&(struct timespec){ 0, 300000000 }, NULL);
		_exit(0);
	}
	nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(LCK_take(&l, &dl, &holder), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert(NTT_timespec_diff(&t1, &t0) > 0.1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	LCK_close(&l);
}
END_TEST

START_TEST(t_killed_holder_never_blocks)
{
	int p[2];
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct lck l;
		struct timespec d = in(1);
		char err[200];
		long h;
		if (LCK_open(&l, path, err, sizeof(err)) < 0 || LCK_take(&l, &d, &h) != 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(child_try(0.05, (long)pid), 11);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* the file is still there, with the dead holder's pid in it */
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(child_try(0.0, 0), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(t_symlink_refused)
{
	struct lck l;
	char err[200];

	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	ck_assert_int_eq(LCK_open(&l, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

START_TEST(t_missing_dir)
{
	struct lck l;
	char err[200];

	ck_assert_int_eq(LCK_open(&l, "/nonexistent/dir/lock", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open the lock file /nonexistent/dir/lock"));
}
END_TEST

static Suite *
lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("flock");
	tcase_add_checked_fixture(tc, setup, teardown);
	ADD(tc, t_exclusive_then_free);
	ADD(tc, t_waits_for_release);
	ADD(tc, t_killed_holder_never_blocks);
	ADD(tc, t_symlink_refused);
	ADD(tc, t_missing_dir);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(lock_suite)

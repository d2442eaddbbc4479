/* Unit tests: common/timesync in a made-up root. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/timesync.h"
#include "check_common.h"

static char root[64];

static void
setup(void)
{
	ck_tmpdir(root, "check_timesync");
}

static void
teardown(void)
{
	ck_rmtree(root);
}

static int
exists(const char *rel)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s%s", root, rel);
	return stat(path, &st) == 0;
}

static void
mkdirs(const char *rel)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", root, rel);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(t_not_systemd)
{
	/* no /run/systemd/system: nothing made, nothing marked */
	ck_assert_int_eq(TSY_open(root), -1);
	ck_assert(!exists("/run/systemd/timesync"));
	ck_assert_int_eq(TSY_mark(-1), -1);
}
END_TEST

START_TEST(t_systemd_marks)
{
	struct stat a, b;
	char path[256];
	int fd;

	mkdirs("/run/systemd/system");
	fd = TSY_open(root);
	ck_assert_int_ge(fd, 0);
	ck_assert(exists("/run/systemd/timesync"));
	ck_assert(!exists("/run/systemd/timesync/synchronized"));
	ck_assert_int_eq(TSY_mark(fd), 0);
	ck_assert(exists("/run/systemd/timesync/synchronized"));
	/* again: the existing flag is touched */
	snprintf(path, sizeof(path), "%s/run/systemd/timesync/synchronized", root);
	ck_assert_int_eq(stat(path, &a), 0);
	usleep(20000);
	fd = TSY_open(root);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(TSY_mark(fd), 0);
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert(b.st_mtim.tv_sec > a.st_mtim.tv_sec ||
	    (b.st_mtim.tv_sec == a.st_mtim.tv_sec && b.st_mtim.tv_nsec > a.st_mtim.tv_nsec));
}
END_TEST

START_TEST(t_symlink_not_followed)
{
	char path[256];
	int fd;

	mkdirs("/run/systemd/system");
	mkdirs("/run/systemd/timesync");
	snprintf(path, sizeof(path), "%s/run/systemd/timesync/synchronized", root);
	ck_assert_int_eq(symlink("/etc/some-file-to-create", path), 0);
	fd = TSY_open(root);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(TSY_mark(fd), -1);
	ck_assert_int_ne(access("/etc/some-file-to-create", F_OK), 0);
}
END_TEST

static Suite *
timesync_suite(void)
{
	Suite *s = suite_create("timesync");
	TCase *tc = tcase_create("flag");
	tcase_add_checked_fixture(tc, setup, teardown);
	ADD(tc, t_not_systemd);
	ADD(tc, t_systemd_marks);
	ADD(tc, t_symlink_not_followed);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(timesync_suite)

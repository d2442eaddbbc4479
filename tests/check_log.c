/* Unit tests: common/log (the syslog fallback, write errors at close). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "check_common.h"

/* A log line is one write(2): on a SOCK_SEQPACKET stderr every write is
 * one packet, so the first packet must be the whole line.  Lines of
 * processes sharing stderr (ntpserve's workers) then never interleave. */
START_TEST(t_one_write_per_line)
{
	struct log l;
	int sp[2], saved;
	char buf[256];
	ssize_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(sp[1], STDERR_FILENO), 0);
	memset(&l, 0, sizeof(l));
	l.prog = "check_log";
	l.to_stderr = 1;
	LOG_err(&l, "worker %d: %s", 1, "counters");
	LOG_notice(&l, "adjust %s", "time");
	LOG_info(&l, "server %s", "127.0.0.1");
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = recv(sp[0], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "check_log: worker 1: counters\n");
	n = recv(sp[0], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, " check_log[") != NULL && strstr(buf, "]: adjust time\n") != NULL,
	    "notice line: %s", buf);
	n = recv(sp[0], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "server 127.0.0.1\n");
	close(sp[0]);
	close(sp[1]);
}
END_TEST

START_TEST(t_syslog_unreachable_falls_back)
{
	struct log l;
	/* nothing at this path: result lines must go to stderr */
	LOG_open_path(&l, "check_log", 1, "/nonexistent/check_log.sock");
	ck_assert_int_eq(l.use_syslog, 0);
	ck_assert_int_eq(l.to_stderr, 1);
	LOG_close(&l);
	/* without -s nothing changes */
	LOG_open_path(&l, "check_log", 0, "/nonexistent/check_log.sock");
	ck_assert_int_eq(l.use_syslog, 0);
	ck_assert_int_eq(l.to_stderr, 0);
}
END_TEST

START_TEST(t_syslog_listening_is_used)
{
	struct log l;
	struct sockaddr_un sa;
	char dir[] = "/tmp/check_log.XXXXXX";
	int fd;

	ck_assert(mkdtemp(dir) != NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert(fd >= 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	LOG_open_path(&l, "check_log", 1, sa.sun_path);
	ck_assert_int_eq(l.use_syslog, 1);
	ck_assert_int_eq(l.to_stderr, 0);
	LOG_close(&l);
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
}
END_TEST

/* Run LOG_close_stdout in a child whose stdout is fd (or closed when fd
 * < 0), after writing `text` if not NULL; return its result. */
static int
close_in_child(int fd, const char *text)
{
	pid_t pid = fork();
	int st;

	ck_assert(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2); /* the "write error" line */
		if (fd >= 0)
			dup2(fd, 1);
		else
			close(1);
		if (text != NULL)
			printf("%s", text);
		_exit(LOG_close_stdout("check_log") == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(t_close_stdout)
{
	int full = open("/dev/full", O_WRONLY), null = open("/dev/null", O_WRONLY);

	ck_assert(full >= 0 && null >= 0);
	ck_assert_int_eq(close_in_child(null, "fine\n"), 0);
	ck_assert_int_eq(close_in_child(full, "lost\n"), 1);
	/* a closed descriptor loses what was written... */
	ck_assert_int_eq(close_in_child(-1, "lost\n"), 1);
	/* ...but is no error when nothing was (as coreutils) */
	ck_assert_int_eq(close_in_child(-1, NULL), 0);
	close(full);
	close(null);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");
	ADD(tc, t_syslog_unreachable_falls_back);
	ADD(tc, t_syslog_listening_is_used);
	ADD(tc, t_close_stdout);
	ADD(tc, t_one_write_per_line);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

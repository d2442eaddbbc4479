/* log: stdout / stderr / syslog output. */
#include "log.h"

#include <errno.h>
#include <paths.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <bsd/string.h>

/* longest line a log call makes (longer ones are cut) */
#define LOG_LINE_MAX 2048

/* Does anything listen on the syslog socket?  glibc's syslog() tries a
 * datagram, then a stream connection, and drops the message silently if
 * both fail; try the same, once.  0, or -1 with errno. */
static int
syslog_listens(const char *path)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un sa;
	size_t i;
	int e = ENOENT;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlcpy(sa.sun_path, path, sizeof(sa.sun_path)) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0), rc;
		if (fd < 0)
			return -1;
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		e = errno;
		close(fd);
		if (rc == 0)
			return 0;
	}
	errno = e;
	return -1;
}

void
LOG_open_path(struct log *l, const char *prog, int use_syslog, const char *path)
{
	l->prog = prog;
	l->use_syslog = use_syslog;
	l->to_stderr = 0;
	if (use_syslog && syslog_listens(path) < 0) {
		fprintf(stderr, "%s: syslog unreachable (%s: %s): writing to standard error\n", prog,
		    path, strerror(errno));
		l->use_syslog = 0;
		l->to_stderr = 1;
	}
	if (l->use_syslog)
		openlog(prog, LOG_PID, LOG_DAEMON);
}

void
LOG_open(struct log *l, const char *prog, int use_syslog)
{
	LOG_open_path(l, prog, use_syslog, _PATH_LOG);
}

int
LOG_close_stdout(const char *prog)
{
	int had_error = ferror(stdout) != 0, pending = __fpending(stdout) != 0;
	int close_failed = fclose(stdout) != 0, e = errno;

	/* As gnulib's close_stream: a closed descriptor with nothing to
	 * write is no error; anything else lost is. */
	if (had_error || (close_failed && (pending || e != EBADF))) {
		if (close_failed)
			fprintf(stderr, "%s: write error: %s\n", prog, strerror(e));
		else
			fprintf(stderr, "%s: write error\n", prog);
		return -1;
	}
	return 0;
}

void
LOG_close(struct log *l)
{
	if (l->use_syslog)
		closelog();
}

void
LOG_notice(const struct log *l, const char *fmt, ...)
{
	va_list ap;
	char stamp[32], msg[LOG_LINE_MAX];
	struct tm tm;
	time_t t = time(NULL);
	FILE *out = l->to_stderr ? stderr : stdout;

	va_start(ap, fmt);
	if (l->use_syslog) {
		vsyslog(LOG_NOTICE, fmt, ap);
	} else {
		if (localtime_r(&t, &tm) == NULL || strftime(stamp, sizeof(stamp), "%e %b %H:%M:%S", &tm) == 0)
			stamp[0] = '\0';
		/* "%e": day padded with a space, as ntpdate prints it */
		vsnprintf(msg, sizeof(msg), fmt, ap);
		fprintf(out, "%s %s[%ld]: %s\n", stamp, l->prog, (long)getpid(), msg);
	}
	va_end(ap);
}

void
LOG_info(const struct log *l, const char *fmt, ...)
{
	va_list ap;
	char msg[LOG_LINE_MAX];
	FILE *out = l->to_stderr ? stderr : stdout;

	va_start(ap, fmt);
	if (l->use_syslog) {
		vsyslog(LOG_INFO, fmt, ap);
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		fprintf(out, "%s\n", msg);
	}
	va_end(ap);
}

void
LOG_err(const struct log *l, const char *fmt, ...)
{
	va_list ap;
	char msg[LOG_LINE_MAX];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one call, so one write(2) on unbuffered stderr: lines of processes
	 * sharing it (ntpserve's workers) never interleave */
	fprintf(stderr, "%s: %s\n", l->prog, msg);
	if (l->use_syslog) {
		va_start(ap, fmt);
		vsyslog(LOG_ERR, fmt, ap);
		va_end(ap);
	}
}

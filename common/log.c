/* log: stdout / stderr / syslog output. */
#include "log.h"

#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

void
LOG_open(struct log *l, const char *prog, int use_syslog)
{
	l->prog = prog;
	l->use_syslog = use_syslog;
	if (use_syslog)
		openlog(prog, LOG_PID, LOG_DAEMON);
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
	char stamp[32];
	struct tm tm;
	time_t t = time(NULL);

	va_start(ap, fmt);
	if (l->use_syslog) {
		vsyslog(LOG_NOTICE, fmt, ap);
	} else {
		if (localtime_r(&t, &tm) == NULL || strftime(stamp, sizeof(stamp), "%e %b %H:%M:%S", &tm) == 0)
			stamp[0] = '\0';
		/* "%e": day padded with a space, as ntpdate prints it */
		printf("%s %s[%ld]: ", stamp, l->prog, (long)getpid());
		vprintf(fmt, ap);
		putchar('\n');
	}
	va_end(ap);
}

void
LOG_info(const struct log *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (l->use_syslog) {
		vsyslog(LOG_INFO, fmt, ap);
	} else {
		vprintf(fmt, ap);
		putchar('\n');
	}
	va_end(ap);
}

void
LOG_err(const struct log *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", l->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (l->use_syslog) {
		va_start(ap, fmt);
		vsyslog(LOG_ERR, fmt, ap);
		va_end(ap);
	}
}

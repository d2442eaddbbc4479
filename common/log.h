/* log: where the tools' lines go: stdout, stderr or syslog.  The state
 * is a struct owned by main() and passed in; all calls are printf-checked. */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

struct log {
	const char *prog;
	int use_syslog; /* -s: result lines go to syslog instead of stdout */
};

/* Set up; opens syslog when use_syslog. */
void LOG_open(struct log *l, const char *prog, int use_syslog);

/* Close syslog if open. */
void LOG_close(struct log *l);

/* An ntpdate-style result line: "26 Nov 19:00:01 prog[pid]: msg" on
 * stdout, or msg to syslog at LOG_NOTICE under -s. */
void LOG_notice(const struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A plain report line on stdout (syslog LOG_INFO under -s). */
void LOG_info(const struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "prog: msg" on stderr (and syslog LOG_ERR under -s). */
void LOG_err(const struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

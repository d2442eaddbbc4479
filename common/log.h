/* log: where the tools' lines go: stdout, stderr or syslog.  The state
 * is a struct owned by main() and passed in; all calls are printf-checked. */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

struct log {
	const char *prog;
	int use_syslog; /* -s: result lines go to syslog instead of stdout */
	int to_stderr;  /* -s, but no syslog listens: result lines go to stderr */
};

/* Exit status when the result could not be written to stdout. */
#define LOG_EXIT_OUTPUT 7

/* Set up; opens syslog when use_syslog.  If nothing listens on the
 * syslog socket (no daemon), says so once on stderr and sends the
 * result lines to stderr instead, so they are never lost silently. */
void LOG_open(struct log *l, const char *prog, int use_syslog);

/* As LOG_open, with the syslog socket's path given (tests). */
void LOG_open_path(struct log *l, const char *prog, int use_syslog, const char *path);

/* Close syslog if open. */
void LOG_close(struct log *l);

/* An ntpdate-style result line: "26 Nov 19:00:01 prog[pid]: msg" on
 * stdout, or msg to syslog at LOG_NOTICE under -s. */
void LOG_notice(const struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A plain report line on stdout (syslog LOG_INFO under -s). */
void LOG_info(const struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Flush and close stdout as coreutils' close_stdout does: returns 0, or
 * -1 after "prog: write error: reason" on stderr when anything written
 * to stdout was lost (a full disk, a closed descriptor). */
int LOG_close_stdout(const char *prog);

/* "prog: msg" on stderr (and syslog LOG_ERR under -s). */
void LOG_err(const struct log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

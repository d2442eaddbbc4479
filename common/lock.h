/* lock: one clock-setting run at a time.  An flock(2) on a file under
 * /run (or /tmp for a user who cannot write /run): the kernel drops it
 * when its holder exits, however it exits, so it can never be stale. */
#ifndef LOCK_H
#define LOCK_H

#include <stddef.h>
#include <time.h>

#define LCK_PATH "/run/ntpupdate.lock"
#define LCK_PATH_USER "/tmp/ntpupdate.lock"

struct lck {
	int fd;          /* -1: not open */
	char path[256];
};

/* Open the lock file path, or with path NULL the first of LCK_PATH and
 * LCK_PATH_USER that can be opened (created if missing, never through a
 * symbolic link).  0, or -1 with a one-line reason in err. */
int LCK_open(struct lck *l, const char *path, char *err, size_t errlen);

/* Take the lock, waiting until deadline (CLOCK_MONOTONIC) at most.
 * 0 taken (our pid is written into the file when it is writable),
 * 1 still held by another run at the deadline (holder: its pid, or 0
 * when unknown), -1 error (errno). */
int LCK_take(struct lck *l, const struct timespec *deadline, long *holder);

/* Release and close (also done by the kernel at exit). */
void LCK_close(struct lck *l);

#endif

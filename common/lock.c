/* lock: one run at a time (see lock.h). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <bsd/string.h>

#include "ntptime.h"

static int
open_one(const char *path)
{
	/* read-only is enough for flock, and lets a user who cannot write
	 * root's lock file still wait on it; never follow a link planted in
	 * a world-writable directory */
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0 && (errno == EACCES || errno == EROFS))
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

int
LCK_open(struct lck *l, const char *path, char *err, size_t errlen)
{
	const char *p = path != NULL ? path : LCK_PATH;

	l->fd = open_one(p);
	if (l->fd < 0 && path == NULL) {
		p = LCK_PATH_USER;
		l->fd = open_one(p);
	}
	if (l->fd < 0) {
		snprintf(err, errlen, "cannot open the lock file %s: %s", p, strerror(errno));
		return -1;
	}
	strlcpy(l->path, p, sizeof(l->path));
	return 0;
}

static long
read_holder(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || pid <= 0)
		return 0;
	return pid;
}

int
LCK_take(struct lck *l, const struct timespec *deadline, long *holder)
{
	struct timespec now;
	char buf[24];
	int n;

	*holder = 0;
	for (;;) {
		if (flock(l->fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (NTT_timespec_diff(deadline, &now) <= 0) {
			*holder = read_holder(l->fd);
			return 1;
		}
		/* flock has no timeout; look again every 10 ms */
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(l->fd, 0) == 0 && pwrite(l->fd, buf, (size_t)n, 0) != n) {
		/* a read-only lock file: the lock holds, the pid is not shown */
	}
	return 0;
}

void
LCK_close(struct lck *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* timesync: the time-sync flag for systemd (see timesync.h). */
#include "timesync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int
TSY_open(const char *root)
{
	char path[512];
	struct stat st;

	if (root == NULL)
		root = "";
	snprintf(path, sizeof(path), "%s%s", root, TSY_BOOTED);
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	snprintf(path, sizeof(path), "%s%s", root, TSY_DIR);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -1;
	return open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
TSY_mark(int dirfd)
{
	int fd, e;

	if (dirfd < 0) {
		errno = EBADF;
		return -1;
	}
	fd = openat(dirfd, TSY_FLAG, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	e = errno;
	close(dirfd);
	if (fd < 0) {
		errno = e;
		return -1;
	}
	/* an existing flag gets a new time, as timesyncd does */
	if (futimens(fd, NULL) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

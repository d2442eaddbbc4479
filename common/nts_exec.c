/* nts_exec: the plain builds' side of nts_build.h.  They are not linked
 * with GnuTLS: loading it costs every run about 1 ms of CPU and 2 MB of
 * memory, and only the NTS key exchange needs it.  So there is no key
 * exchange here; a run whose servers all have cookies in the cache needs
 * none and is made in place, any other NTS run is handed to the NTS build
 * (nts_cli.c decides). */
#include "nts_build.h"

#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#ifndef NTS_EXEC_DIR
#define NTS_EXEC_DIR "/usr/local/libexec/ntpupdate"
#endif

const struct nts_ke_ops *const NTS_ke = NULL;

int
NTS_exec_build(char *const argv[], char *err, size_t errlen)
{
	char self[PATH_MAX], path[PATH_MAX + 32], name[NAME_MAX + 1];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(err, errlen, "cannot find the NTS build of this program: %s", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	strlcpy(name, basename(self), sizeof(name));
	snprintf(path, sizeof(path), "%s/%s-nts", dirname(self), name);
	execv(path, argv);
	snprintf(path, sizeof(path), "%s/%s-nts", NTS_EXEC_DIR, name);
	execv(path, argv);
	snprintf(err, errlen, "cannot run %s (the NTS build of %s): %s", path, name, strerror(errno));
	return -1;
}

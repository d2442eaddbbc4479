/* nts_exec: the NTS interface of nts_cli.h for the plain builds of the
 * tools, which are not linked with GnuTLS: loading it costs every run
 * about 1 ms of CPU and 2 MB of memory, and only --nts needs it.  Any NTS
 * option makes the tool run its NTS build (the same program, linked with
 * GnuTLS: <name>-nts beside it, else in NTS_EXEC_DIR) with the same
 * arguments; nothing else here is ever reached. */
#include "nts_cli.h"

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

void
NTS_run_init(struct nts_run *nr, time_t floor)
{
	memset(nr, 0, sizeof(*nr));
	nr->opt.floor = floor;
}

int
NTS_option(struct nts_run *nr, int opt, const char *arg, char *err, size_t errlen)
{
	(void)arg, (void)err, (void)errlen;
	switch (opt) {
	case NTS_OPT_NTS:
		nr->enabled = 1;
		return 1;
	case NTS_OPT_CA:
	case NTS_OPT_CACHE:
		nr->cache_given = 1; /* any NTS option: the NTS build judges it */
		return 1;
	}
	return 0;
}

int
NTS_ready(struct nts_run *nr, char **argv, char *err, size_t errlen)
{
	char self[PATH_MAX], path[PATH_MAX + 32], name[NAME_MAX + 1];
	ssize_t n;

	if (!nr->enabled && !nr->cache_given)
		return 0;
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

int
NTS_add_args(struct nts_run *nr, struct eng_run *run, char *const *args, int n, char *err,
    size_t errlen)
{
	(void)nr, (void)run, (void)args, (void)n;
	snprintf(err, errlen, "NTS is not in this build");
	return -1;
}

void
NTS_finish(struct nts_run *nr, FILE *err, const char *prog)
{
	(void)nr, (void)err, (void)prog;
}

void
NTS_detail(FILE *f, const struct nts_run *nr, size_t k)
{
	(void)f, (void)nr, (void)k;
}

void
NTS_json(FILE *f, const struct nts_run *nr, size_t k)
{
	(void)nr, (void)k;
	fputs("null", f);
}

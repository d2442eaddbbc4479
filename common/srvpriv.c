/* srvpriv: user switch, capabilities, no_new_privs, seccomp (see srvpriv.h). */
#include "srvpriv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cap-ng.h>
#include <seccomp.h>
#include <sys/prctl.h>

/* What the serving loop, its logging and a supervisor's waiting need. */
static const char *const allowed[] = {
	"recvmmsg", "recvmsg", "recvfrom", "sendmmsg", "sendmsg", "sendto",
	"poll", "ppoll", "read", "write", "writev", "close",
	"openat", "open", "fstat", "newfstatat", "stat", "statx", "lseek",
	"clock_gettime", "gettimeofday", "time", "clock_nanosleep", "nanosleep",
	"getrandom", "brk", "mmap", "munmap", "mremap", "madvise", "futex",
	"rt_sigreturn", "rt_sigprocmask", "restart_syscall",
	"getpid", "kill", "wait4", "exit", "exit_group",
};

int
SPV_seccomp(char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	size_t i;
	int rc;

	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0) {
			snprintf(err, errlen, "seccomp rule for %s: %s", allowed[i], strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int
SPV_drop(const char *user, int use_seccomp, char *err, size_t errlen)
{
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(user);
		if (pw == NULL) {
			snprintf(err, errlen, "unknown user \"%s\"", user);
			return -1;
		}
		if (pw->pw_uid == 0) {
			snprintf(err, errlen, "refusing to serve as root (--user %s)", user);
			return -1;
		}
		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
		    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0) {
			snprintf(err, errlen, "cannot switch to user %s: %s", user, strerror(errno));
			return -1;
		}
		if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid || getgid() != pw->pw_gid) {
			snprintf(err, errlen, "still not user %s after the switch", user);
			return -1;
		}
	} else if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
			snprintf(err, errlen, "cannot drop capabilities");
			return -1;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (use_seccomp)
		return SPV_seccomp(err, errlen);
	return 0;
}

/* priv: least privilege for the rest of a run.  Once the lock is held,
 * files are read and names resolved, ntpupdate keeps at most one
 * capability (CAP_SYS_TIME, for the one clock call at the end), sets
 * no_new_privs, and confines itself to a seccomp allow-list of system
 * calls.  A call outside the list stops the run with one line naming
 * the call, never a silent kill. */
#ifndef PRIV_H
#define PRIV_H

#include <stddef.h>

#include <linux/capability.h> /* CAP_SYS_TIME and the others */

/* Drop every capability from every set (effective, permitted,
 * inheritable, ambient, and the bounding set when allowed), keeping
 * capability keep (ntpupdate: CAP_SYS_TIME; -1: none) in the effective
 * and permitted sets when it is held; then set no_new_privs.  0, or -1
 * with a reason in err. */
int PRV_drop(int keep, char *err, size_t errlen);

/* Install the seccomp allow-list (tools/seccomp_gen.c, compiled in as
 * a BPF program at build time).  A system call outside it prints
 * "prog: seccomp: system call N is not allowed; this is a bug, please
 * report it" on stderr and exits with exit_code.  0 installed, 1 not available in
 * this build or run (sanitizer builds, and runs under valgrind: their
 * runtimes make calls of their own), -1 with a reason in err. */
int PRV_seccomp(const char *prog, int exit_code, char *err, size_t errlen);

/* Whether the calling thread holds capability cap (CAP_*) in its
 * effective set: 1 or 0. */
int PRV_have(int cap);

#endif

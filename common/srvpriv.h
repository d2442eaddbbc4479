/* srvpriv: least privilege for the server once its sockets are bound:
 * switch to an unprivileged user (when run as root) with no capabilities
 * left in any set, no_new_privs, and a seccomp allow-list of the system
 * calls the serving loop makes (anything else kills the process). */
#ifndef SRVPRIV_H
#define SRVPRIV_H

#include <stddef.h>

/* Drop to user (when root; otherwise only drop capabilities), set
 * no_new_privs, and install the seccomp filter unless use_seccomp is 0.
 * Returns 0, or -1 with a one-line reason in err. */
int SPV_drop(const char *user, int use_seccomp, char *err, size_t errlen);

/* Install only the seccomp allow-list (used by SPV_drop; exposed for tests). */
int SPV_seccomp(char *err, size_t errlen);

#endif

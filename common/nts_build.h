/* nts_build: what this build of a tool can do for NTS.  Two objects give
 * it: nts_full.c in the NTS builds (<tool>-nts, linked with GnuTLS: the
 * key exchange) and nts_exec.c in the plain builds (no TLS: a run whose
 * every server has cookies in the cache is made in place, any other NTS
 * run is handed to the NTS build of the same program). */
#ifndef NTS_BUILD_H
#define NTS_BUILD_H

#include <stddef.h>

#include "nts_ke.h"

/* The key exchange, or NULL in a build without TLS. */
extern const struct nts_ke_ops *const NTS_ke;

/* Run the NTS build of this program with argv in place of this one
 * (<name>-nts beside it, else in NTS_EXEC_DIR).  Returns only on failure:
 * -1 with the reason in err. */
int NTS_exec_build(char *const argv[], char *err, size_t errlen);

#endif

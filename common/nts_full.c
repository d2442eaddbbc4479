/* nts_full: the NTS builds' side of nts_build.h: the key exchange is here. */
#include "nts_build.h"

#include <stdio.h>

const struct nts_ke_ops *const NTS_ke = &NKE_ops;

int
NTS_exec_build(char *const argv[], char *err, size_t errlen)
{
	(void)argv;
	snprintf(err, errlen, "this is the NTS build");
	return -1;
}

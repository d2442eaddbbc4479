/* sysops: the engine's world on Linux: the system clocks, the parallel
 * resolver (resolve.h), connected UDP sockets with kernel receive
 * timestamps (net.h), poll(2). */
#ifndef SYSOPS_H
#define SYSOPS_H

#include "engine.h"
#include "resolve.h"

struct sys_world {
	struct res_set res;
	struct eng_ops ops;
};

/* Set up the Linux world; its ops are w->ops.  Returns 0 or -1 with errno. */
int SYS_init(struct sys_world *w);

/* Release it (names still being resolved are abandoned). */
void SYS_free(struct sys_world *w);

#endif

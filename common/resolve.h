/* resolve: names resolved in parallel, each by its own thread running the
 * blocking getaddrinfo(), so that a resolver that never answers cannot
 * hold a run past its deadline.  A finished name makes one descriptor
 * readable, which the run polls with its sockets.  A name still being
 * resolved when the run ends is abandoned: its thread frees its own
 * state when getaddrinfo() returns (or the process exits first). */
#ifndef RESOLVE_H
#define RESOLVE_H

#include <stddef.h>

#include "net.h"

#define RES_MAX_JOBS 160

struct res_job;

struct res_set {
	int efd;                            /* eventfd: a job finished */
	struct res_job *job[RES_MAX_JOBS];  /* by caller's id; NULL: none */
};

/* Prepare an empty set.  Returns 0 or -1 with errno. */
int RES_init(struct res_set *r);

/* Start resolving host/port for family (AF_UNSPEC, AF_INET, AF_INET6) as
 * job id (< RES_MAX_JOBS, not in use).  A numeric host is resolved at
 * once.  Returns 0 or -1 with errno. */
int RES_start(struct res_set *r, size_t id, const char *host, const char *port, int family);

/* If job id has finished: returns 1 with up to max addresses in out[],
 * their count in *n and the number of further addresses that did not fit
 * in *cut; or, when it failed, *n = 0 and the getaddrinfo error in
 * *gai_err (with errno in *sys_err for EAI_SYSTEM).  The job is then
 * gone.  Returns 0 while it is still running, -1 for no such job. */
int RES_take(struct res_set *r, size_t id, struct net_addr *out, size_t max, size_t *n,
    size_t *cut, int *gai_err, int *sys_err);

/* The descriptor to poll for readability: some job has finished. */
int RES_fd(const struct res_set *r);

/* Abandon every job still running and release the set. */
void RES_free(struct res_set *r);

#endif

/* resolve: one thread per name, an eventfd to say one has finished. */
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/eventfd.h>

#include <bsd/string.h>

#define RES_MAX_ADDRS 64 /* addresses kept from one answer */

struct res_job {
	/* set before the thread starts, read-only after */
	char host[256];
	char port[16];
	int family;
	int efd;               /* the thread's own copy of the eventfd */
	/* written by the thread, read once done is set */
	struct net_addr addr[RES_MAX_ADDRS];
	size_t n, cut;
	int gai_err, sys_err;
	int done;              /* atomic: the answer is in */
	int refs;              /* atomic: 2 while both sides hold it */
};

static void
job_unref(struct res_job *j)
{
	if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		if (j->efd >= 0)
			close(j->efd);
		free(j);
	}
}

/* getaddrinfo's answer, duplicates removed, UDP, IPv4 and IPv6 only. */
static void
lookup(struct res_job *j, int flags)
{
	struct addrinfo hints, *res = NULL, *ai;
	size_t i;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = j->family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_NUMERICSERV | flags;
	rc = getaddrinfo(j->host, j->port, &hints, &res);
	if (rc != 0) {
		j->gai_err = rc;
		j->sys_err = rc == EAI_SYSTEM ? errno : 0;
		return;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct net_addr a;
		int dup = 0;
		if (ai->ai_addrlen > sizeof(a.sa))
			continue;
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		memset(&a, 0, sizeof(a));
		memcpy(&a.sa, ai->ai_addr, ai->ai_addrlen);
		a.len = ai->ai_addrlen;
		for (i = 0; i < j->n; i++)
			if (NET_same_addr(&j->addr[i], &a))
				dup = 1;
		if (dup)
			continue;
		if (j->n < RES_MAX_ADDRS)
			j->addr[j->n++] = a;
		else
			j->cut++;
	}
	freeaddrinfo(res);
	if (j->n == 0)
		j->gai_err = EAI_NONAME;
}

static void *
job_thread(void *arg)
{
	struct res_job *j = arg;
	uint64_t one = 1;

	lookup(j, 0);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	(void)!write(j->efd, &one, sizeof(one));
	job_unref(j);
	return NULL;
}

int
RES_init(struct res_set *r)
{
	memset(r, 0, sizeof(*r));
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return r->efd < 0 ? -1 : 0;
}

int
RES_start(struct res_set *r, size_t id, const char *host, const char *port, int family)
{
	struct res_job *j;
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int rc;

	if (id >= RES_MAX_JOBS || r->job[id] != NULL) {
		errno = EINVAL;
		return -1;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	strlcpy(j->host, host, sizeof(j->host));
	strlcpy(j->port, port, sizeof(j->port));
	j->family = family;
	j->efd = -1;
	j->refs = 1;
	r->job[id] = j;

	/* A numeric address needs no thread and no resolver. */
	lookup(j, AI_NUMERICHOST);
	if (j->gai_err != EAI_NONAME || j->n > 0) {
		j->done = 1;
		return 0;
	}
	j->gai_err = 0;
	j->efd = dup(r->efd);
	if (j->efd < 0)
		goto fail;
	j->refs = 2;
	/* the thread takes no signals: they stay with the main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = pthread_create(&t, &attr, job_thread, j);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		goto fail;
	}
	return 0;
fail:
	rc = errno;
	if (j->efd >= 0)
		close(j->efd);
	free(j);
	r->job[id] = NULL;
	errno = rc;
	return -1;
}

int
RES_take(struct res_set *r, size_t id, struct net_addr *out, size_t max, size_t *n,
    size_t *cut, int *gai_err, int *sys_err)
{
	struct res_job *j;
	size_t i, k;

	if (id >= RES_MAX_JOBS || (j = r->job[id]) == NULL)
		return -1;
	if (!__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
		return 0;
	k = j->n < max ? j->n : max;
	for (i = 0; i < k; i++)
		out[i] = j->addr[i];
	*n = k;
	*cut = j->cut + (j->n - k);
	*gai_err = j->gai_err;
	*sys_err = j->sys_err;
	r->job[id] = NULL;
	job_unref(j);
	return 1;
}

int
RES_fd(const struct res_set *r)
{
	return r->efd;
}

void
RES_free(struct res_set *r)
{
	size_t i;

	for (i = 0; i < RES_MAX_JOBS; i++)
		if (r->job[i] != NULL) {
			job_unref(r->job[i]);
			r->job[i] = NULL;
		}
	if (r->efd >= 0)
		close(r->efd);
	r->efd = -1;
}

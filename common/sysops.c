/* sysops: struct eng_ops over the real system. */
#include "sysops.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static void
now_mono(void *ctx, struct timespec *t)
{
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, t);
}

static void
now_real(void *ctx, struct timespec *t)
{
	(void)ctx;
	clock_gettime(CLOCK_REALTIME, t);
}

static int
resolve(void *ctx, size_t id, const char *host, const char *port, int family)
{
	struct sys_world *w = ctx;
	return RES_start(&w->res, id, host, port, family);
}

static int
resolved(void *ctx, size_t id, struct net_addr *out, size_t max, size_t *n, size_t *cut,
    int *gai_err, int *sys_err)
{
	struct sys_world *w = ctx;
	return RES_take(&w->res, id, out, max, n, cut, gai_err, sys_err);
}

static int
resolve_fd(void *ctx)
{
	struct sys_world *w = ctx;
	return RES_fd(&w->res);
}

static int
open_sock(void *ctx, const struct net_addr *a)
{
	int fd = NET_open(a);

	(void)ctx;
	if (fd >= 0)
		NET_warm(a->sa.ss_family);
	return fd;
}

static int
send_req(void *ctx, int fd, const void *buf, size_t len, struct timespec *t1)
{
	(void)ctx;
	return NET_send(fd, buf, len, t1);
}

static long
recv_reply(void *ctx, int fd, void *buf, size_t cap, struct timespec *rx, int *kts, int *trunc)
{
	(void)ctx;
	return NET_recv(fd, buf, cap, rx, kts, trunc);
}

static void
close_sock(void *ctx, int fd)
{
	(void)ctx;
	close(fd);
}

/* poll(2); a readable resolver descriptor is drained here, before the
 * engine looks at which names have finished, so no finish is missed. */
static int
poll_fds(void *ctx, struct pollfd *pfd, size_t n, int timeout_ms)
{
	struct sys_world *w = ctx;
	int rc = poll(pfd, n, timeout_ms);
	size_t i;

	for (i = 0; rc > 0 && i < n; i++)
		if (pfd[i].fd == RES_fd(&w->res) && (pfd[i].revents & POLLIN)) {
			uint64_t v;
			(void)!read(pfd[i].fd, &v, sizeof(v));
		}
	return rc;
}

int
SYS_init(struct sys_world *w)
{
	memset(w, 0, sizeof(*w));
	if (RES_init(&w->res) < 0)
		return -1;
	w->ops.ctx = w;
	w->ops.now_mono = now_mono;
	w->ops.now_real = now_real;
	w->ops.resolve = resolve;
	w->ops.resolved = resolved;
	w->ops.resolve_fd = resolve_fd;
	w->ops.open = open_sock;
	w->ops.send = send_req;
	w->ops.recv = recv_reply;
	w->ops.close = close_sock;
	w->ops.poll = poll_fds;
	return 0;
}

void
SYS_free(struct sys_world *w)
{
	RES_free(&w->res);
}

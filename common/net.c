/* net: resolution, sockets, send, receive with kernel timestamps. */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/uio.h>

int
NET_same_addr(const struct net_addr *a, const struct net_addr *b)
{
	return a->len == b->len && memcmp(&a->sa, &b->sa, a->len) == 0;
}

void
NET_ntop(const struct net_addr *a, char *buf, size_t len)
{
	if (getnameinfo((const struct sockaddr *)&a->sa, a->len, buf, (socklen_t)len, NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
}

void
NET_ntop_port(const struct net_addr *a, char *buf, size_t len)
{
	char h[NI_MAXHOST], p[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&a->sa, a->len, h, sizeof(h), p, sizeof(p),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, len, "?");
		return;
	}
	if (a->sa.ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%s", h, p);
	else
		snprintf(buf, len, "%s:%s", h, p);
}

int
NET_open(const struct net_addr *a)
{
	int fd, on = 1;

	fd = socket(a->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -1;
	/* Kernel receive timestamps; without them we fall back to reading
	 * the clock after recvmsg(). */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));

	/* connect() binds a random ephemeral port and filters out datagrams
	 * from any other address or port. */
	if (connect(fd, (const struct sockaddr *)&a->sa, a->len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

void
NET_warm(int family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	} else if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	} else {
		return;
	}
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return;
	/* An empty datagram from the socket to itself: it never leaves the
	 * host, and closing the socket discards it.  Any failure only means
	 * no warm-up. */
	if (bind(fd, (struct sockaddr *)&ss, len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		(void)sendto(fd, "", 0, 0, (struct sockaddr *)&ss, len);
	close(fd);
}

int
NET_send(int fd, const void *buf, size_t len, struct timespec *t1)
{
	ssize_t n;

	clock_gettime(CLOCK_REALTIME, t1);
	n = send(fd, buf, len, 0);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

long
NET_recv(int fd, void *buf, size_t cap, struct timespec *rx, int *kernel_ts, int *truncated)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec)) + 64];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.b;
	msg.msg_controllen = sizeof(ctl.b);
	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return -1;
	*kernel_ts = 0;
	*truncated = (msg.msg_flags & MSG_TRUNC) != 0;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			memcpy(rx, CMSG_DATA(c), sizeof(*rx));
			*kernel_ts = 1;
		}
	}
	if (!*kernel_ts)
		clock_gettime(CLOCK_REALTIME, rx);
	return (long)n;
}

void
NET_guard_stdio(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			/* read-only even for 1 and 2: the number is taken, but
			 * a write still fails (EBADF) as on the closed one, so
			 * a lost result is still an exit 7 (LOG_close_stdout) */
			int n = open("/dev/null", O_RDONLY);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

/* descriptors kept back for the resolver, syslog and the C library */
#define FD_RESERVE 8

size_t
NET_socket_budget(void)
{
	struct rlimit rl;
	int fd, high = 2;
	long n;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1024;
	/* the highest descriptor in use now */
	for (fd = 3; fd < 64 && (rlim_t)fd < rl.rlim_cur; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			high = fd;
	n = (long)rl.rlim_cur - (high + 1) - FD_RESERVE;
	return n < 1 ? 1 : (size_t)n;
}

/* net: addresses and the UDP exchange (names are resolve.h's).  Every
 * request gets a new connected socket on a kernel-chosen random ephemeral port (RFC 9109), so
 * only the asked address and port can answer; replies carry the kernel's
 * receive timestamp (SO_TIMESTAMPNS) when the kernel gives one. */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

/* One resolved address. */
struct net_addr {
	struct sockaddr_storage sa;
	socklen_t len;
};

/* Same address and port? */
int NET_same_addr(const struct net_addr *a, const struct net_addr *b);

/* Numeric "addr" (IPv6 without brackets) of a socket address. */
void NET_ntop(const struct net_addr *a, char *buf, size_t len);

/* Numeric "addr:port" or "[v6]:port". */
void NET_ntop_port(const struct net_addr *a, char *buf, size_t len);

/* A non-blocking UDP socket connected to a, with receive timestamps on.
 * Returns the fd or -1 with errno. */
int NET_open(const struct net_addr *a);

/* Warm the local send path: one empty datagram through the loopback
 * interface of family, from a socket of our own to itself.  The first
 * datagram a fresh process sends pays for cold caches between reading T1
 * and the packet leaving (13 us against a warm server's 4 us on the
 * benchmark machine), which would show as a bias of half the difference;
 * after this warm-up the two send paths match again.  Best effort:
 * nothing happens if the loopback address cannot be bound. */
void NET_warm(int family);

/* Send len bytes; *t1 is the local instant read just before the send:
 * servers read their transmit timestamp the same way, so the two send
 * paths' latencies cancel (call NET_warm first, so ours is not cold).
 * Returns 0 or -1 with errno. */
int NET_send(int fd, const void *buf, size_t len, struct timespec *t1);

/* Receive one datagram.  Returns its length (the datagram may have been
 * longer than cap: *truncated says so) and the receive instant in *rx
 * (kernel's if available, *kernel_ts = 1), or -1 with errno (EAGAIN when
 * nothing is waiting, ECONNREFUSED after an ICMP port unreachable). */
long NET_recv(int fd, void *buf, size_t cap, struct timespec *rx, int *kernel_ts, int *truncated);

/* Make descriptors 0, 1 and 2 valid (on /dev/null, read-only, so writes
 * to a closed stdout still fail) if they are closed, so no socket can
 * become stdout.  Call first thing in main(). */
void NET_guard_stdio(void);

/* How many sockets a run may keep open at once: the descriptor limit
 * less those in use and a reserve, at least 1. */
size_t NET_socket_budget(void);

#endif

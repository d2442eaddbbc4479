/* daemon: is another program keeping this machine's time?  ntpupdate
 * looks before it touches the clock, as ntpdate's bind to port 123 did:
 * a socket bound to UDP port 123, a kernel clock under PLL discipline,
 * the pid file, control socket or running systemd unit of chronyd, ntpd
 * or systemd-timesyncd (not chronyd -x, which never touches the clock,
 * nor ntpserve, which only serves).  Facts only; the tool decides and
 * words them. */
#ifndef DAEMON_H
#define DAEMON_H

#include <stddef.h>

#include "clock.h"

#define DMN_MAX_FOUND 8
#define DMN_NTP_PORT 123
/* A daemon disciplining the kernel clock refreshes its maximum error at
 * every update (at most every 1024 s); the kernel adds 500 us to it each
 * second.  Above this it has not been refreshed for half an hour or more:
 * the daemon is gone, though STA_PLL stays on for hours. */
#define DMN_MAXERROR_FRESH_US 1000000L

/* One thing found, as a phrase that names it:
 * "chronyd (pid 812) is bound to UDP port 123". */
struct dmn_found {
	char what[200];
};

struct dmn_report {
	struct dmn_found found[DMN_MAX_FOUND];
	size_t n;
};

/* Look for another time daemon.  root: "" for this machine, or a
 * directory standing in for / (its proc/, run/), for tests.  kernel:
 * what CLK_kernel_status said, NULL when unknown.  Fills r (r->n == 0:
 * nothing found) and returns r->n. */
size_t DMN_detect(const char *root, const struct clk_kernel *kernel, struct dmn_report *r);

/* Parse one line of /proc/net/udp or /proc/net/udp6.  Returns 0 with
 * the local port and socket inode, or -1 for a header or a line that is
 * not understood (port and inode untouched). */
int DMN_parse_udp_line(const char *line, unsigned *port, unsigned long *inode);

/* The command name of process pid under root (proc/PID/comm), without
 * the newline.  0, or -1 when there is no such process. */
int DMN_comm(const char *root, long pid, char *buf, size_t len);

#endif

/* reflect: the floor under any NTP server's cost, for `make bench-server`.
 * It does the least a server must do per request: receive it in a batch
 * (recvmmsg) with a kernel receive timestamp, turn it into a 48-byte mode
 * 4 reply in place (origin = the request's transmit timestamp, receive
 * and transmit timestamps from one clock read per batch), and send the
 * batch back (sendmmsg).  No checks, no access control, no state: not a
 * server, a measuring stick.  Loopback only.
 *   reflect --port P [--lifetime S]
 * prints "listening" on stderr once bound; ends on SIGTERM or after S s. */
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define BATCH 64

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void
put_ts(uint8_t *p, const struct timespec *t)
{
	uint32_t s = htonl((uint32_t)((uint64_t)t->tv_sec + 2208988800u));
	uint32_t f = htonl((uint32_t)(((uint64_t)t->tv_nsec << 32) / 1000000000u));
	memcpy(p, &s, 4);
	memcpy(p + 4, &f, 4);
}

int
main(int argc, char **argv)
{
	static uint8_t buf[BATCH][64];
	static char ctl[BATCH][64];
	static struct sockaddr_in peer[BATCH];
	static struct mmsghdr m[BATCH], out[BATCH];
	static struct iovec iov[BATCH], oiov[BATCH];
	struct sockaddr_in a;
	struct sigaction sa;
	struct timeval tv = { 0, 200000 };
	int fd, one = 1, port = 0, c, i;
	double lifetime = 60;
	time_t start = time(NULL);
	static const struct option lo[] = {
		{ "port", 1, NULL, 'p' }, { "lifetime", 1, NULL, 'l' }, { NULL, 0, NULL, 0 },
	};

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'p')
			port = atoi(optarg);
		else if (c == 'l')
			lifetime = atof(optarg);
		else {
			fprintf(stderr, "usage: reflect --port P [--lifetime S]\n");
			return 2;
		}
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "reflect: --port is required (1..65535)\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("reflect: bind");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	fprintf(stderr, "reflect: listening on 127.0.0.1:%d\n", port);
	while (!stop && difftime(time(NULL), start) < lifetime) {
		struct timespec now;
		int n, k = 0;

		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			memset(&m[i].msg_hdr, 0, sizeof(m[i].msg_hdr));
			m[i].msg_hdr.msg_name = &peer[i];
			m[i].msg_hdr.msg_namelen = sizeof(peer[i]);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_control = ctl[i];
			m[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		clock_gettime(CLOCK_REALTIME, &now);
		for (i = 0; i < n; i++) {
			struct cmsghdr *cm = CMSG_FIRSTHDR(&m[i].msg_hdr);
			uint8_t *p = buf[i];
			if (m[i].msg_len < 48)
				continue;
			memcpy(p + 24, p + 40, 8);                 /* origin */
			p[0] = (uint8_t)((p[0] & 0x38) | 4);       /* mode 4 */
			p[1] = 8;                                  /* stratum */
			if (cm != NULL && cm->cmsg_type == SO_TIMESTAMPNS)
				put_ts(p + 32, (const struct timespec *)(void *)CMSG_DATA(cm));
			else
				put_ts(p + 32, &now);
			put_ts(p + 40, &now);
			oiov[k].iov_base = p;
			oiov[k].iov_len = 48;
			memset(&out[k].msg_hdr, 0, sizeof(out[k].msg_hdr));
			out[k].msg_hdr.msg_name = &peer[i];
			out[k].msg_hdr.msg_namelen = m[i].msg_hdr.msg_namelen;
			out[k].msg_hdr.msg_iov = &oiov[k];
			out[k].msg_hdr.msg_iovlen = 1;
			k++;
		}
		if (k > 0)
			(void)sendmmsg(fd, out, (unsigned)k, MSG_DONTWAIT);
	}
	close(fd);
	return 0;
}

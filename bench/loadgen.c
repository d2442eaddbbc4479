/* loadgen: open-loop NTP request load for `make bench-server`.
 * Sends mode 3 requests at a fixed rate (sendmmsg batches) from many
 * source ports and, with --sources N, from N distinct loopback source
 * addresses (127.64.0.0 upward, chosen per packet with IP_PKTINFO), for a
 * bounded time and count; counts replies and Kiss-o'-Death codes.  With
 * --good R a separate socket sends R requests a second too, from 250
 * polite addresses in turn, and counts its own answers (good clients
 * under a flood).  Loopback
 * only: the target must be in 127.0.0.0/8.
 * With --window W it runs a closed loop instead: W requests in flight.
 *   loadgen -t 127.0.0.1:123 -r 100000 -d 5 [-s 64] [--sources N] [--good R] [-n max] [-w W]
 * prints one line: "sent N answered A kod_rate K kod_deny D good_sent G
 * good_answered GA seconds S". */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define BATCH 64
#define MAX_SOCKS 1024

static double
now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

struct counts {
	unsigned long long answered, kod_rate, kod_deny;
};

static void
drain(int fd, struct counts *c)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	uint8_t buf[BATCH][64];
	int i, n;

	for (;;) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			memset(&m[i].msg_hdr, 0, sizeof(m[i].msg_hdr));
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (m[i].msg_len < 48)
				continue;
			if (buf[i][1] == 0 && memcmp(buf[i] + 12, "RATE", 4) == 0)
				c->kod_rate++;
			else if (buf[i][1] == 0 && memcmp(buf[i] + 12, "DENY", 4) == 0)
				c->kod_deny++;
			else
				c->answered++;
		}
		if (n < BATCH)
			return;
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "target", required_argument, NULL, 't' }, { "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' }, { "sockets", required_argument, NULL, 's' },
		{ "sources", required_argument, NULL, 'S' }, { "good", required_argument, NULL, 'g' },
		{ "max", required_argument, NULL, 'n' }, { "window", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in dst;
	double rate = 10000, dur = 2, good_rate = 0, t0, t, next_good;
	unsigned long long sent = 0, max = 100000000ULL, good_sent = 0, seq = 1;
	long nsock = 64, sources = 0, window = 0;
	unsigned long long lost = 0, last_done = 0;
	double last_progress = 0;
	int fds[MAX_SOCKS], good = -1, c, i, one = 1;
	struct counts cnt = { 0, 0, 0 }, gcnt = { 0, 0, 0 };
	char host[64] = "127.0.0.1", *colon;
	int port = 123;
	struct rlimit rl;

	while ((c = getopt_long(argc, argv, "t:r:d:s:S:g:n:w:", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			snprintf(host, sizeof(host), "%s", optarg);
			colon = strrchr(host, ':');
			if (colon != NULL) {
				*colon = '\0';
				port = atoi(colon + 1);
			}
			break;
		case 'r': rate = atof(optarg); break;
		case 'd': dur = atof(optarg); break;
		case 's': nsock = atol(optarg); break;
		case 'S': sources = atol(optarg); break;
		case 'g': good_rate = atof(optarg); break;
		case 'n': max = strtoull(optarg, NULL, 10); break;
		case 'w': window = atol(optarg); break;
		default:
			fprintf(stderr, "usage: loadgen -t addr:port -r rate -d seconds [-s sockets] "
			    "[--sources N] [--good rate] [-n max]\n");
			return 2;
		}
	}
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &dst.sin_addr) != 1 || (ntohl(dst.sin_addr.s_addr) >> 24) != 127 ||
	    port < 1 || port > 65535 || rate <= 0 || dur <= 0 || dur > 600 || nsock < 1 ||
	    nsock > MAX_SOCKS || sources < 0 || sources > (1 << 22)) {
		fprintf(stderr, "loadgen: bad arguments (the target must be a 127.0.0.0/8 address)\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < MAX_SOCKS + 16) {
		rl.rlim_cur = rl.rlim_max < MAX_SOCKS + 16 ? rl.rlim_max : MAX_SOCKS + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < nsock; i++) {
		struct sockaddr_in a;
		int sz = 4 << 20;
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0) {
			perror("socket");
			return 1;
		}
		if (setsockopt(fds[i], SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
			setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(fds[i], IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		/* wildcard: replies to any 127.64.x.y source come back here */
		a.sin_addr.s_addr = sources > 0 ? htonl(INADDR_ANY) : htonl(0x7f000001);
		if (bind(fds[i], (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("bind");
			return 1;
		}
	}
	if (good_rate > 0) {
		struct sockaddr_in a;
		good = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		/* polite clients: 127.1.0.1 .. 127.1.0.250 in turn, each
		 * asking once every 250 / rate seconds */
		a.sin_addr.s_addr = htonl(INADDR_ANY);
		if (good < 0 || bind(good, (struct sockaddr *)&a, sizeof(a)) < 0) {
			perror("good client");
			return 1;
		}
	}

	t0 = now_s();
	next_good = t0;
	for (i = 0;; i = (i + 1) % (int)nsock) {
		struct mmsghdr m[BATCH];
		struct iovec iov[BATCH];
		uint8_t pkt[BATCH][48];
		uint8_t ctl[BATCH][CMSG_SPACE(sizeof(struct in_pktinfo))];
		unsigned long long due;
		int k, n, j;

		t = now_s();
		if (t - t0 >= dur || sent >= max)
			break;
		due = (unsigned long long)((t - t0) * rate);
		if (window > 0) {
			/* closed loop: keep `window` requests in flight; after 20 ms
			 * without an answer, count the missing ones lost */
			unsigned long long done = cnt.answered + cnt.kod_rate + cnt.kod_deny + lost;
			if (done != last_done) {
				last_done = done;
				last_progress = t;
			} else if (t - last_progress > 0.02 && sent > done) {
				lost += sent - done;
				done = sent;
				last_progress = t;
			}
			due = done + (unsigned long long)window;
		}
		if (due > max)
			due = max;
		n = due > sent ? (int)(due - sent > BATCH ? BATCH : due - sent) : 0;
		for (k = 0; k < n; k++) {
			uint64_t x = seq++;
			memset(pkt[k], 0, 48);
			pkt[k][0] = 0x23;
			for (j = 0; j < 8; j++)
				pkt[k][40 + j] = (uint8_t)(x >> (56 - 8 * j));
			iov[k].iov_base = pkt[k];
			iov[k].iov_len = 48;
			memset(&m[k].msg_hdr, 0, sizeof(m[k].msg_hdr));
			m[k].msg_hdr.msg_name = &dst;
			m[k].msg_hdr.msg_namelen = sizeof(dst);
			m[k].msg_hdr.msg_iov = &iov[k];
			m[k].msg_hdr.msg_iovlen = 1;
			if (sources > 0) {
				struct cmsghdr *cm;
				struct in_pktinfo pi;
				uint32_t src = 0x7f400000u + (uint32_t)((x * 2654435761u) % (uint64_t)sources);
				memset(&pi, 0, sizeof(pi));
				pi.ipi_spec_dst.s_addr = htonl(src);
				m[k].msg_hdr.msg_control = ctl[k];
				m[k].msg_hdr.msg_controllen = sizeof(ctl[k]);
				cm = CMSG_FIRSTHDR(&m[k].msg_hdr);
				cm->cmsg_level = IPPROTO_IP;
				cm->cmsg_type = IP_PKTINFO;
				cm->cmsg_len = CMSG_LEN(sizeof(pi));
				memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
			}
		}
		if (n > 0) {
			int r = sendmmsg(fds[i], m, (unsigned)n, 0);
			if (r > 0)
				sent += (unsigned long long)r;
		}
		drain(fds[i], &cnt);
		if (good >= 0 && t >= next_good) {
			uint8_t g[48];
			uint64_t x = seq++;
			memset(g, 0, sizeof(g));
			g[0] = 0x23;
			for (j = 0; j < 8; j++)
				g[40 + j] = (uint8_t)(x >> (56 - 8 * j));
			{
				struct msghdr mh;
				struct iovec gv = { g, sizeof(g) };
				uint8_t gc[CMSG_SPACE(sizeof(struct in_pktinfo))];
				struct cmsghdr *cm;
				struct in_pktinfo pi;
				memset(&mh, 0, sizeof(mh));
				memset(&pi, 0, sizeof(pi));
				pi.ipi_spec_dst.s_addr = htonl(0x7f010001u + (uint32_t)(good_sent % 250));
				mh.msg_name = &dst;
				mh.msg_namelen = sizeof(dst);
				mh.msg_iov = &gv;
				mh.msg_iovlen = 1;
				mh.msg_control = gc;
				mh.msg_controllen = sizeof(gc);
				cm = CMSG_FIRSTHDR(&mh);
				cm->cmsg_level = IPPROTO_IP;
				cm->cmsg_type = IP_PKTINFO;
				cm->cmsg_len = CMSG_LEN(sizeof(pi));
				memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
				if (sendmsg(good, &mh, 0) == (ssize_t)sizeof(g))
					good_sent++;
			}
			next_good += 1.0 / good_rate;
		}
		if (good >= 0)
			drain(good, &gcnt);
	}
	t = now_s() - t0;
	/* the last replies */
	{
		double end = now_s() + 0.3;
		while (now_s() < end) {
			for (i = 0; i < nsock; i++)
				drain(fds[i], &cnt);
			if (good >= 0)
				drain(good, &gcnt);
			usleep(1000);
		}
	}
	printf("sent %llu answered %llu kod_rate %llu kod_deny %llu good_sent %llu good_answered %llu "
	    "seconds %.3f\n", sent, cnt.answered, cnt.kod_rate, cnt.kod_deny, good_sent, gcnt.answered, t);
	return 0;
}

/* relay: a UDP impairment relay for the benchmark.  Sits between NTP
 * clients and a server and adds, per direction, a base delay plus uniform
 * or exponential jitter, and loss.  Each client address:port gets its own
 * upstream socket, so replies find their way back.  Logs one line per
 * client packet: "N T", its index and its arrival (CLOCK_MONOTONIC, s),
 * to count requests and their spacing.
 *
 *   relay --listen 127.0.0.1:123 --server 127.0.0.1:1123
 *         [--out MS[:JITTER[:uniform|exp]]] [--back MS[:JITTER[:dist]]]
 *         [--loss PCT] [--loss-out PCT] [--loss-back PCT]
 *         [--seed N] [--log FILE] [--ready FILE] [--lifetime S]
 *
 * uniform: base + U(-J, +J); exp: base + Exp(mean J).
 *
 * Paired runs: the impairment of the k-th client packet (its loss and
 * delay out, and the loss and delay of the reply to it, matched by the
 * origin timestamp) is a pure function of (seed, k), so every client
 * started against a relay with the same seed meets the same sequence,
 * however many packets it sends and whatever the server answers.
 * Delays count from the kernel's receive timestamp and are kept to the
 * nanosecond (ppoll, timer slack 1 ns).
 * --ready FILE is created once the socket is bound. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/prctl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_SESS 1024
#define MAX_PEND 4096
#define PKT_CAP 1500

struct leg {
	double base, jitter; /* seconds */
	int exp;             /* exponential, else uniform */
};

#define SESS_REQS 8

struct sess {
	struct sockaddr_in client;
	int fd; /* connected to the server */
	double last;
	/* the last requests relayed: their transmit timestamps and indices */
	uint8_t xmt[SESS_REQS][8];
	unsigned long idx[SESS_REQS];
	unsigned nreq;
};

/* the four independent draws made for one client packet */
enum { D_LOSS_OUT, D_DELAY_OUT, D_LOSS_BACK, D_DELAY_BACK };

struct pend {
	double when;
	int fd;                 /* socket to send on */
	struct sockaddr_in to;  /* destination (for the listening socket) */
	int use_to;
	size_t len;
	uint8_t data[PKT_CAP];
};

struct relay {
	struct leg out, back;
	double loss_out, loss_back;
	uint64_t seed;
	int lfd;
	struct sockaddr_in server;
	struct sess sess[MAX_SESS];
	size_t nsess;
	struct pend *pend;
	size_t npend;
	FILE *log;
	unsigned long nclient;
	int pool[32]; /* upstream sockets connected ahead of need */
	size_t npool;
};

static int
upstream(const struct relay *r)
{
	int on = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0 ||
	    connect(fd, (const struct sockaddr *)&r->server, sizeof(r->server)) < 0) {
		perror("relay: upstream socket");
		exit(1);
	}
	return fd;
}

/* Keep the pool full, off the packets' path, so a client that uses a new
 * port for every request (as RFC 9109 asks) pays no socket setup. */
static void
refill(struct relay *r)
{
	while (r->npool < sizeof(r->pool) / sizeof(r->pool[0]))
		r->pool[r->npool++] = upstream(r);
}

static double
now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* one datagram; *arrival: when the kernel took it in (SO_TIMESTAMPNS,
 * moved to CLOCK_MONOTONIC), so the relay's own wake-up latency neither
 * lengthens the path nor blurs the log; MONO when there is no stamp */
static ssize_t
receive(int fd, uint8_t *buf, size_t cap, struct sockaddr_in *from, double mono, double *arrival)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr m = { .msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	struct timespec rt, ts;
	ssize_t len = recvmsg(fd, &m, 0);

	*arrival = mono;
	if (len < 0)
		return len;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			clock_gettime(CLOCK_REALTIME, &rt);
			*arrival = now() - ((double)(rt.tv_sec - ts.tv_sec) + (double)(rt.tv_nsec - ts.tv_nsec) / 1e9);
			if (*arrival > mono)
				*arrival = mono;
		}
	}
	return len;
}

static uint64_t
splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* draw WHICH for client packet K: uniform in [0, 1), a function of
 * (seed, k, which) only */
static double
rnd(const struct relay *r, unsigned long k, int which)
{
	uint64_t x = splitmix64(r->seed ^ splitmix64((uint64_t)k * 4 + (uint64_t)which));

	return (double)(x >> 11) / 9007199254740992.0;
}

static double
leg_delay(const struct relay *r, const struct leg *l, unsigned long k, int which)
{
	double d;

	if (l->jitter <= 0)
		return l->base;
	if (l->exp)
		d = l->base - l->jitter * log(1.0 - rnd(r, k, which));
	else
		d = l->base + l->jitter * (2.0 * rnd(r, k, which) - 1.0);
	return d < 0 ? 0 : d;
}

/* the index of the client packet a reply answers: the one whose transmit
 * timestamp the reply carries as its origin, else the session's latest */
static unsigned long
answered(const struct sess *s, const uint8_t *buf, size_t len)
{
	unsigned i, n = s->nreq < SESS_REQS ? s->nreq : SESS_REQS;

	for (i = 0; len >= 48 && i < n; i++)
		if (memcmp(s->xmt[i], buf + 24, 8) == 0)
			return s->idx[i];
	return s->nreq > 0 ? s->idx[(s->nreq - 1) % SESS_REQS] : 0;
}

static void
remember(struct sess *s, const uint8_t *buf, size_t len, unsigned long k)
{
	unsigned slot = s->nreq++ % SESS_REQS;

	memset(s->xmt[slot], 0, 8);
	if (len >= 48)
		memcpy(s->xmt[slot], buf + 40, 8);
	s->idx[slot] = k;
}

static int
parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *c = strrchr(s, ':');

	if (c == NULL || (size_t)(c - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = '\0';
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(c + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static int
parse_leg(const char *s, struct leg *l)
{
	char dist[16] = "uniform";
	double b = 0, j = 0;
	int n = sscanf(s, "%lf:%lf:%15s", &b, &j, dist);

	if (n < 1)
		return -1;
	l->base = b / 1000.0;
	l->jitter = j / 1000.0;
	l->exp = strcmp(dist, "exp") == 0;
	return 0;
}

static void
enqueue(struct relay *r, double when, int fd, const struct sockaddr_in *to, const uint8_t *d, size_t len)
{
	struct pend *p;

	if (r->npend >= MAX_PEND || len > PKT_CAP)
		return;
	p = &r->pend[r->npend++];
	p->when = when;
	p->fd = fd;
	p->use_to = to != NULL;
	if (to != NULL)
		p->to = *to;
	p->len = len;
	memcpy(p->data, d, len);
}

static struct sess *
session(struct relay *r, const struct sockaddr_in *c, double t)
{
	size_t i, oldest = 0;
	struct sess *s;

	for (i = 0; i < r->nsess; i++) {
		if (r->sess[i].client.sin_port == c->sin_port &&
		    r->sess[i].client.sin_addr.s_addr == c->sin_addr.s_addr) {
			r->sess[i].last = t;
			return &r->sess[i];
		}
		if (r->sess[i].last < r->sess[oldest].last)
			oldest = i;
	}
	if (r->nsess < MAX_SESS) {
		s = &r->sess[r->nsess++];
	} else {
		s = &r->sess[oldest];
		close(s->fd);
	}
	s->client = *c;
	s->last = t;
	s->nreq = 0;
	s->fd = r->npool > 0 ? r->pool[--r->npool] : upstream(r);
	return s;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", 1, NULL, 'l' }, { "server", 1, NULL, 's' }, { "out", 1, NULL, 'o' },
		{ "back", 1, NULL, 'b' }, { "loss", 1, NULL, 'p' }, { "seed", 1, NULL, 'r' },
		{ "log", 1, NULL, 'g' }, { "lifetime", 1, NULL, 't' }, { "loss-out", 1, NULL, 'P' },
		{ "loss-back", 1, NULL, 'B' }, { "ready", 1, NULL, 'y' }, { NULL, 0, NULL, 0 },
	};
	struct relay *r = calloc(1, sizeof(*r));
	struct sockaddr_in la;
	double lifetime = 3600, start;
	const char *ready = NULL;
	int c, have_l = 0, have_s = 0;

	if (r == NULL || (r->pend = calloc(MAX_PEND, sizeof(*r->pend))) == NULL)
		return 1;
	r->seed = splitmix64(1);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l': have_l = parse_addr(optarg, &la) == 0; break;
		case 's': have_s = parse_addr(optarg, &r->server) == 0; break;
		case 'o': if (parse_leg(optarg, &r->out) < 0) return 2; break;
		case 'b': if (parse_leg(optarg, &r->back) < 0) return 2; break;
		case 'p': r->loss_out = r->loss_back = atof(optarg) / 100.0; break;
		case 'P': r->loss_out = atof(optarg) / 100.0; break;
		case 'B': r->loss_back = atof(optarg) / 100.0; break;
		case 'y': ready = optarg; break;
		case 'r': r->seed = splitmix64(strtoull(optarg, NULL, 0)); break;
		case 'g':
			if ((r->log = fopen(optarg, "a")) == NULL) {
				perror("relay: --log");
				return 1;
			}
			break;
		case 't': lifetime = atof(optarg); break;
		default:
			fprintf(stderr, "usage: relay --listen A:P --server A:P [--out MS[:J[:uniform|exp]]] "
			    "[--back ...] [--loss PCT] [--loss-out PCT] [--loss-back PCT] [--seed N] [--log FILE] "
			    "[--ready FILE] [--lifetime S]\n");
			return 2;
		}
	}
	if (!have_l || !have_s) {
		fprintf(stderr, "relay: --listen and --server are required (IPv4 addr:port)\n");
		return 2;
	}
	r->lfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	c = 1;
	if (r->lfd < 0 || setsockopt(r->lfd, SOL_SOCKET, SO_TIMESTAMPNS, &c, sizeof(c)) < 0 ||
	    bind(r->lfd, (struct sockaddr *)&la, sizeof(la)) < 0) {
		perror("relay: bind");
		return 1;
	}
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	start = now();
	refill(r);
	if (ready != NULL) {
		FILE *f = fopen(ready, "w");
		if (f == NULL || fclose(f) != 0) {
			perror("relay: --ready");
			return 1;
		}
	}
	for (;;) {
		struct pollfd pfd[MAX_SESS + 1];
		double t = now(), next = t + 1.0;
		size_t i, n = 0;
		struct timespec wait;
		double w;

		if (t - start > lifetime)
			break;
		/* send what is due */
		for (i = 0; i < r->npend;) {
			struct pend *p = &r->pend[i];
			if (p->when <= t) {
				if (p->use_to)
					sendto(p->fd, p->data, p->len, 0, (struct sockaddr *)&p->to, sizeof(p->to));
				else
					send(p->fd, p->data, p->len, 0);
				r->pend[i] = r->pend[--r->npend];
				continue;
			}
			if (p->when < next)
				next = p->when;
			i++;
		}
		pfd[n].fd = r->lfd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < r->nsess; i++) {
			pfd[n].fd = r->sess[i].fd;
			pfd[n++].events = POLLIN;
		}
		refill(r);
		w = next - now();
		if (w < 0)
			w = 0;
		wait.tv_sec = (time_t)w;
		wait.tv_nsec = (long)((w - (double)wait.tv_sec) * 1e9);
		if (ppoll(pfd, n, &wait, NULL) <= 0)
			continue;
		t = now();
		for (i = 0; i < n; i++) {
			uint8_t buf[PKT_CAP];
			if (!(pfd[i].revents & POLLIN))
				continue;
			for (;;) {
				struct sockaddr_in from;
				double at;
				ssize_t len = receive(pfd[i].fd, buf, sizeof(buf), &from, t, &at);
				if (len < 0)
					break;
				if (i == 0) {
					struct sess *s = session(r, &from, t);
					unsigned long k = r->nclient++;
					if (r->log != NULL) {
						fprintf(r->log, "%lu %.9f\n", k + 1, at);
						fflush(r->log);
					}
					remember(s, buf, (size_t)len, k);
					if (rnd(r, k, D_LOSS_OUT) < r->loss_out)
						continue;
					enqueue(r, at + leg_delay(r, &r->out, k, D_DELAY_OUT), s->fd, NULL, buf, (size_t)len);
				} else {
					struct sess *s = &r->sess[i - 1];
					unsigned long k = answered(s, buf, (size_t)len);
					if (rnd(r, k, D_LOSS_BACK) < r->loss_back)
						continue;
					enqueue(r, at + leg_delay(r, &r->back, k, D_DELAY_BACK), r->lfd, &s->client, buf,
					    (size_t)len);
				}
			}
		}
	}
	return 0;
}

/* relay: a UDP impairment relay for the benchmark.  Sits between NTP
 * clients and a server and adds, per direction, a base delay plus uniform
 * or exponential jitter, and loss, from a fixed seed.  Each client
 * address:port gets its own upstream socket, so replies find their way
 * back.  Logs one line per client packet (to count requests).
 *
 *   relay --listen 127.0.0.1:123 --server 127.0.0.1:1123
 *         [--out MS[:JITTER[:uniform|exp]]] [--back MS[:JITTER[:dist]]]
 *         [--loss PCT] [--seed N] [--log FILE] [--lifetime S]
 *
 * uniform: base + U(-J, +J); exp: base + Exp(mean J). */
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

struct sess {
	struct sockaddr_in client;
	int fd; /* connected to the server */
	double last;
};

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
	double loss;
	uint64_t rng;
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
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)&r->server, sizeof(r->server)) < 0) {
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

/* xorshift64*: uniform in [0, 1) */
static double
rnd(struct relay *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (double)((r->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double
leg_delay(struct relay *r, const struct leg *l)
{
	double d;

	if (l->jitter <= 0)
		return l->base;
	if (l->exp)
		d = l->base - l->jitter * log(1.0 - rnd(r));
	else
		d = l->base + l->jitter * (2.0 * rnd(r) - 1.0);
	return d < 0 ? 0 : d;
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
	s->fd = r->npool > 0 ? r->pool[--r->npool] : upstream(r);
	return s;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", 1, NULL, 'l' }, { "server", 1, NULL, 's' }, { "out", 1, NULL, 'o' },
		{ "back", 1, NULL, 'b' }, { "loss", 1, NULL, 'p' }, { "seed", 1, NULL, 'r' },
		{ "log", 1, NULL, 'g' }, { "lifetime", 1, NULL, 't' }, { NULL, 0, NULL, 0 },
	};
	struct relay *r = calloc(1, sizeof(*r));
	struct sockaddr_in la;
	double lifetime = 3600, start;
	int c, have_l = 0, have_s = 0;

	if (r == NULL || (r->pend = calloc(MAX_PEND, sizeof(*r->pend))) == NULL)
		return 1;
	r->rng = 0x9e3779b97f4a7c15ULL;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l': have_l = parse_addr(optarg, &la) == 0; break;
		case 's': have_s = parse_addr(optarg, &r->server) == 0; break;
		case 'o': if (parse_leg(optarg, &r->out) < 0) return 2; break;
		case 'b': if (parse_leg(optarg, &r->back) < 0) return 2; break;
		case 'p': r->loss = atof(optarg) / 100.0; break;
		case 'r': r->rng = strtoull(optarg, NULL, 0) * 0x9e3779b97f4a7c15ULL + 1; break;
		case 'g': r->log = fopen(optarg, "a"); break;
		case 't': lifetime = atof(optarg); break;
		default:
			fprintf(stderr, "usage: relay --listen A:P --server A:P [--out MS[:J[:uniform|exp]]] "
			    "[--back ...] [--loss PCT] [--seed N] [--log FILE] [--lifetime S]\n");
			return 2;
		}
	}
	if (!have_l || !have_s) {
		fprintf(stderr, "relay: --listen and --server are required (IPv4 addr:port)\n");
		return 2;
	}
	r->lfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&la, sizeof(la)) < 0) {
		perror("relay: bind");
		return 1;
	}
	start = now();
	refill(r);
	for (;;) {
		struct pollfd pfd[MAX_SESS + 1];
		double t = now(), next = t + 1.0;
		size_t i, n = 0;
		int wait;

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
		wait = (int)ceil((next - now()) * 1000.0);
		if (poll(pfd, n, wait < 0 ? 0 : wait) <= 0)
			continue;
		t = now();
		for (i = 0; i < n; i++) {
			uint8_t buf[PKT_CAP];
			if (!(pfd[i].revents & POLLIN))
				continue;
			for (;;) {
				struct sockaddr_in from;
				socklen_t fl = sizeof(from);
				ssize_t len = recvfrom(pfd[i].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
				if (len < 0)
					break;
				if (i == 0) {
					struct sess *s = session(r, &from, t);
					r->nclient++;
					if (r->log != NULL) {
						fprintf(r->log, "%lu\n", r->nclient);
						fflush(r->log);
					}
					if (rnd(r) < r->loss)
						continue;
					enqueue(r, t + leg_delay(r, &r->out), s->fd, NULL, buf, (size_t)len);
				} else {
					struct sess *s = &r->sess[i - 1];
					if (rnd(r) < r->loss)
						continue;
					enqueue(r, t + leg_delay(r, &r->back), r->lfd, &s->client, buf, (size_t)len);
				}
			}
		}
	}
	return 0;
}

/* fakeworld: a scripted struct eng_ops for driving the real engine in
 * virtual time, without sockets, resolvers or sleeping.  Servers are
 * functions that, given a request, queue replies (or ICMP errors) for
 * delivery at chosen virtual instants; names resolve after a chosen
 * delay, or never.  Header-only: each check program includes it once. */
#ifndef FAKEWORLD_H
#define FAKEWORLD_H

#include <arpa/inet.h>
#include <bsd/string.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <string.h>

#include "common/engine.h"
#include "common/packet.h"

#define FW_MAX_SOCKS 64
#define FW_MAX_QUEUE 512
#define FW_MAX_SERVERS 16
#define FW_MAX_NAMES 72 /* room for a full source table of numeric names */
#define FW_MAX_SENDS 64
#define FW_RES_FD 1000
#define FW_FD0 100

struct fw;

/* What a server does with one request sent at virtual instant t (mono). */
typedef void (*fw_server_fn)(struct fw *w, int sock, const uint8_t *req, size_t len, double t,
    void *arg);

struct fw_dgram {
	int sock;
	double at;        /* virtual delivery instant */
	int err;          /* deliver an error (ECONNREFUSED) instead */
	size_t len;
	uint8_t buf[PKT_MAX_LEN];
};

struct fw_sock {
	int open;
	struct net_addr peer;
};

struct fw_server {
	struct net_addr addr;
	fw_server_fn fn;
	void *arg;
	unsigned requests;
	double sent_at[FW_MAX_SENDS];
};

struct fw_name {
	char host[64];
	double ready_at;  /* < 0: never */
	int gai_err;
	struct net_addr addr[4];
	size_t n;
	int started;
};

struct fw {
	struct eng_ops ops;
	double now;            /* virtual monotonic seconds */
	double real_base;      /* real = real_base + now */
	struct fw_sock sock[FW_MAX_SOCKS];
	struct fw_dgram q[FW_MAX_QUEUE];
	size_t nq;
	struct fw_server srv[FW_MAX_SERVERS];
	size_t nsrv;
	struct fw_name names[FW_MAX_NAMES];
	size_t nnames;
	int stage_job_ready;   /* a stage's host resolves to stage_addr */
	struct net_addr stage_addr;
	int stage_job_started;
	unsigned emfile;       /* fail this many opens with EMFILE */
	unsigned opens, max_open, open_now;
	unsigned polls;
	size_t idmap[ENG_MAX_NAMES];  /* the engine's job id -> names[] */
	int taken[ENG_MAX_NAMES];     /* the engine has collected job id */
	int id_started[ENG_MAX_NAMES];
	int stage_job_taken;
};

static void
fw_ts(double t, struct timespec *ts)
{
	ts->tv_sec = (time_t)t;
	ts->tv_nsec = (long)((t - (double)ts->tv_sec) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static struct net_addr
fw_addr(const char *ip, int port)
{
	struct net_addr a;
	memset(&a, 0, sizeof(a));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.sa;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
		a.len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a.sa;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
		a.len = sizeof(*s4);
	}
	return a;
}

static void
fw_now_mono(void *ctx, struct timespec *t)
{
	struct fw *w = ctx;
	fw_ts(w->now, t);
}

static void
fw_now_real(void *ctx, struct timespec *t)
{
	struct fw *w = ctx;
	fw_ts(w->real_base + w->now, t);
}

static struct fw_name *
fw_find_name(struct fw *w, const char *host)
{
	size_t i;
	for (i = 0; i < w->nnames; i++)
		if (strcmp(w->names[i].host, host) == 0)
			return &w->names[i];
	return NULL;
}

/* Jobs: names by id; a stage's host (id >= ENG_MAX_NAMES) resolves at once
 * to stage_addr. */
static int
fw_resolve(void *ctx, size_t id, const char *host, const char *port, int family)
{
	struct fw *w = ctx;
	struct fw_name *n;
	(void)family;
	if (id >= ENG_MAX_NAMES) {
		w->stage_job_started = 1;
		return 0;
	}
	n = fw_find_name(w, host);
	if (n == NULL) {
		/* a numeric host, as given */
		if (w->nnames >= FW_MAX_NAMES)
			return -1;
		n = &w->names[w->nnames++];
		strlcpy(n->host, host, sizeof(n->host));
		n->addr[0] = fw_addr(host, atoi(port));
		n->n = 1;
		n->ready_at = 0;
	}
	n->started = 1;
	w->idmap[id] = (size_t)(n - w->names);
	w->id_started[id] = 1;
	return 0;
}

static int
fw_resolved(void *ctx, size_t id, struct net_addr *out, size_t max, size_t *n, size_t *cut,
    int *gai_err, int *sys_err)
{
	struct fw *w = ctx;
	struct fw_name *nm;
	size_t i;

	*cut = 0;
	*sys_err = 0;
	*gai_err = 0;
	if (id >= ENG_MAX_NAMES) {
		if (!w->stage_job_started)
			return -1;
		w->stage_job_taken = 1;
		out[0] = w->stage_addr;
		*n = 1;
		return 1;
	}
	nm = &w->names[w->idmap[id]];
	if (!nm->started)
		return -1;
	if (nm->ready_at < 0 || w->now < nm->ready_at || w->taken[id])
		return 0;
	w->taken[id] = 1;
	if (nm->gai_err) {
		*n = 0;
		*gai_err = nm->gai_err;
		return 1;
	}
	for (i = 0; i < nm->n && i < max; i++)
		out[i] = nm->addr[i];
	*n = i;
	return 1;
}

static int
fw_resolve_fd(void *ctx)
{
	(void)ctx;
	return FW_RES_FD;
}

static int
fw_open(void *ctx, const struct net_addr *a)
{
	struct fw *w = ctx;
	int i;
	if (w->emfile > 0) {
		w->emfile--;
		errno = EMFILE;
		return -1;
	}
	for (i = 0; i < FW_MAX_SOCKS; i++)
		if (!w->sock[i].open) {
			w->sock[i].open = 1;
			w->sock[i].peer = *a;
			w->opens++;
			w->open_now++;
			if (w->open_now > w->max_open)
				w->max_open = w->open_now;
			return FW_FD0 + i;
		}
	errno = EMFILE;
	return -1;
}

static struct fw_server *
fw_server_at(struct fw *w, const struct net_addr *a)
{
	size_t i;
	for (i = 0; i < w->nsrv; i++)
		if (NET_same_addr(&w->srv[i].addr, a))
			return &w->srv[i];
	return NULL;
}

static int
fw_send(void *ctx, int fd, const void *buf, size_t len, struct timespec *t1)
{
	struct fw *w = ctx;
	struct fw_sock *s = &w->sock[fd - FW_FD0];
	struct fw_server *srv = fw_server_at(w, &s->peer);

	fw_now_real(ctx, t1);
	if (srv != NULL) {
		if (srv->requests < FW_MAX_SENDS)
			srv->sent_at[srv->requests] = w->now;
		srv->requests++;
		if (srv->fn != NULL)
			srv->fn(w, fd, buf, len, w->now, srv->arg);
	}
	return 0;
}

/* Queue a datagram (or an error) for socket fd at virtual instant at. */
static void
fw_deliver(struct fw *w, int fd, double at, const uint8_t *buf, size_t len, int err)
{
	struct fw_dgram *d;
	if (w->nq >= FW_MAX_QUEUE)
		return;
	d = &w->q[w->nq++];
	d->sock = fd;
	d->at = at;
	d->err = err;
	d->len = len < sizeof(d->buf) ? len : sizeof(d->buf);
	if (buf != NULL)
		memcpy(d->buf, buf, d->len);
}

static long
fw_recv(void *ctx, int fd, void *buf, size_t cap, struct timespec *rx, int *kts, int *trunc)
{
	struct fw *w = ctx;
	size_t i, best = SIZE_MAX;

	for (i = 0; i < w->nq; i++)
		if (w->q[i].sock == fd && w->q[i].at <= w->now &&
		    (best == SIZE_MAX || w->q[i].at < w->q[best].at))
			best = i;
	if (best == SIZE_MAX) {
		errno = EAGAIN;
		return -1;
	}
	{
		struct fw_dgram d = w->q[best];
		w->q[best] = w->q[--w->nq];
		if (d.err) {
			errno = d.err;
			return -1;
		}
		fw_ts(w->real_base + d.at, rx);
		*kts = 1;
		*trunc = d.len > cap;
		memcpy(buf, d.buf, d.len < cap ? d.len : cap);
		return (long)(d.len < cap ? d.len : cap);
	}
}

static void
fw_close(void *ctx, int fd)
{
	struct fw *w = ctx;
	size_t i;
	w->sock[fd - FW_FD0].open = 0;
	w->open_now--;
	/* what was still on its way is lost */
	for (i = 0; i < w->nq;)
		if (w->q[i].sock == fd)
			w->q[i] = w->q[--w->nq];
		else
			i++;
}

static int
fw_name_due(struct fw *w, double *at)
{
	size_t i;
	int any = 0;
	if (w->stage_job_started && !w->stage_job_taken) {
		*at = w->now;
		return 1;
	}
	for (i = 0; i < ENG_MAX_NAMES; i++) {
		const struct fw_name *n = &w->names[w->idmap[i]];
		if (w->id_started[i] && !w->taken[i] && n->ready_at >= 0) {
			if (!any || n->ready_at < *at)
				*at = n->ready_at;
			any = 1;
		}
	}
	return any;
}

/* Advance virtual time to the first event among the polled descriptors,
 * or by the timeout. */
static int
fw_poll(void *ctx, struct pollfd *pfd, size_t n, int timeout_ms)
{
	struct fw *w = ctx;
	double until = timeout_ms < 0 ? w->now + 3600 : w->now + timeout_ms / 1000.0;
	double at;
	size_t i, k;
	int ready = 0;

	w->polls++;
	if (w->polls > 100000)
		return -1; /* a loop that never ends fails the test */
	for (i = 0; i < n; i++) {
		if (pfd[i].fd == FW_RES_FD) {
			if (fw_name_due(w, &at) && at < until)
				until = at;
			continue;
		}
		for (k = 0; k < w->nq; k++)
			if (w->q[k].sock == pfd[i].fd && w->q[k].at < until)
				until = w->q[k].at;
	}
	if (until > w->now)
		w->now = until;
	for (i = 0; i < n; i++) {
		pfd[i].revents = 0;
		if (pfd[i].fd == FW_RES_FD) {
			if (fw_name_due(w, &at) && at <= w->now)
				pfd[i].revents = POLLIN;
		} else {
			for (k = 0; k < w->nq; k++)
				if (w->q[k].sock == pfd[i].fd && w->q[k].at <= w->now)
					pfd[i].revents = w->q[k].err ? POLLERR : POLLIN;
		}
		ready += pfd[i].revents != 0;
	}
	return ready;
}

static void
fw_init(struct fw *w)
{
	memset(w, 0, sizeof(*w));
	w->now = 1000.0;
	w->real_base = 1796000000.0; /* 2026-11-30 */
	w->ops.ctx = w;
	w->ops.now_mono = fw_now_mono;
	w->ops.now_real = fw_now_real;
	w->ops.resolve = fw_resolve;
	w->ops.resolved = fw_resolved;
	w->ops.resolve_fd = fw_resolve_fd;
	w->ops.open = fw_open;
	w->ops.send = fw_send;
	w->ops.recv = fw_recv;
	w->ops.close = fw_close;
	w->ops.poll = fw_poll;
}

/* A name: resolves after delay seconds (< 0: never) to the given
 * addresses, or fails with gai_err. */
static void
fw_add_name(struct fw *w, const char *host, double delay, int gai_err, const char *ip, int port)
{
	struct fw_name *n = &w->names[w->nnames++];
	strlcpy(n->host, host, sizeof(n->host));
	n->ready_at = delay < 0 ? -1 : w->now + delay;
	n->gai_err = gai_err;
	if (ip != NULL) {
		n->addr[0] = fw_addr(ip, port);
		n->n = 1;
	}
}

static struct fw_server *
fw_add_server(struct fw *w, const char *ip, int port, fw_server_fn fn, void *arg)
{
	struct fw_server *s = &w->srv[w->nsrv++];
	s->addr = fw_addr(ip, port);
	s->fn = fn;
	s->arg = arg;
	return s;
}

/* ---- a configurable NTP server ---------------------------------------- */

struct fw_ntp {
	double offset;      /* server clock minus real, seconds */
	double out, back;   /* one-way delays */
	double jitter[8];   /* extra delay on the way back, per request */
	unsigned drop;      /* bit i: drop request i */
	double late[8];     /* per request: reply this much later instead */
	double jitter_out[8]; /* per request: extra delay on the way out */
	unsigned n;         /* requests seen */
	int stratum, leap, version, mode;
	const char *kiss;   /* stratum 0 with this refid */
	unsigned forge;     /* wrong-origin replies before the genuine one */
	int refuse;         /* ICMP port unreachable */
	int wrong_origin;   /* the genuine reply carries a wrong origin */
	uint32_t refid;
	uint8_t trailer[32];
	size_t trailer_len;
};

static NTP_ts
fw_ntp_ts(double real)
{
	struct timespec ts;
	fw_ts(real, &ts);
	return NTT_from_timespec(&ts);
}

static void
fw_ntp_server(struct fw *w, int sock, const uint8_t *req, size_t len, double t, void *arg)
{
	struct fw_ntp *s = arg;
	unsigned i = s->n++;
	struct pkt q, p;
	uint8_t buf[PKT_MAX_LEN];
	double t2, t3, at, extra = i < 8 ? s->jitter[i] : 0;
	size_t n, k;

	if (PKT_decode(req, len, &q) != PKT_OK)
		return;
	if (s->refuse) {
		fw_deliver(w, sock, t + s->out + s->back, NULL, 0, ECONNREFUSED);
		return;
	}
	if (i < 32 && (s->drop & (1u << i)))
		return;
	{
		double jo = i < 8 ? s->jitter_out[i] : 0;
		t2 = w->real_base + t + s->out + jo + s->offset;
		t3 = t2 + 0.00001;
		at = t + s->out + jo + 0.00001 + s->back + extra + (i < 8 ? s->late[i] : 0);
	}
	memset(&p, 0, sizeof(p));
	p.leap = (uint8_t)s->leap;
	p.version = (uint8_t)(s->version ? s->version : 4);
	p.mode = (uint8_t)(s->mode ? s->mode : PKT_MODE_SERVER);
	p.stratum = (uint8_t)s->stratum;
	p.precision = -20;
	p.refid = s->refid;
	if (s->kiss != NULL) {
		p.stratum = 0;
		memcpy(&p.refid, s->kiss, 4);
	}
	p.org = s->wrong_origin ? NTT_make(1, 2) : q.xmt;
	p.rec = fw_ntp_ts(t2);
	p.xmt = fw_ntp_ts(t3);
	p.ref = fw_ntp_ts(t2 - 10);
	n = PKT_encode(&p, buf, sizeof(buf));
	memcpy(buf + n, s->trailer, s->trailer_len);
	n += s->trailer_len;
	for (k = 0; k < s->forge; k++) {
		struct pkt f = p;
		uint8_t fb[PKT_HEADER_LEN];
		f.org = NTT_make(0x12345678, (uint32_t)k + 1);
		f.stratum = 1;
		f.rec = f.xmt = fw_ntp_ts(t2 + 1000); /* a lie */
		PKT_encode(&f, fb, sizeof(fb));
		fw_deliver(w, sock, at - 0.0001, fb, sizeof(fb), 0);
	}
	fw_deliver(w, sock, at, buf, n, 0);
}

static void
fw_ntp_defaults(struct fw_ntp *s)
{
	memset(s, 0, sizeof(*s));
	s->stratum = 2;
	s->out = s->back = 0.0005;
	s->refid = htonl(0xc0000201);
}

#endif

/* engine: sources, schedule, poll loop, reply checks, filter, select. */
#include "engine.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "clock.h"

/* The adaptive policy stops sampling a source once the interval that
 * must hold its offset is at most this wide on each side: more samples
 * can only narrow that interval, so they cannot buy more than 0.5 ms,
 * while each costs a 2 s wait.  A loopback or LAN server gets there with
 * its first reply. */
#define POLICY_GOOD_HALFWIDTH 0.0005

void
ENG_config_from_cli(struct eng_config *cfg, const struct cli_common *c)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->precision = NTT_local_precision();
	cfg->rate_bound = CLK_rate_bound();
	cfg->family = c->family;
	cfg->samples = c->samples;
	cfg->timeout = c->timeout;
	cfg->gap = c->gap;
	cfg->max_distance = c->max_distance;
}

int
ENG_add_args(struct eng_run *run, char *const *args, int n,
    void (*warn)(void *ctx, const char *msg), void *ctx, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < n || i == 0; i++) {
		struct cli_server srv;
		const char *arg = i < n ? args[i] : CLI_DEFAULT_SERVER;
		if (CLI_parse_server(arg, &srv, err, errlen) < 0)
			return -1;
		if (ENG_add_server(run, &srv) < 0) {
			snprintf(err, errlen, "too many servers (at most %d addresses)", ENG_MAX_SOURCES);
			return -1;
		}
		if (run->n_src > 0 && run->src[run->n_src - 1].end == END_UNRESOLVED && warn != NULL)
			warn(ctx, run->src[run->n_src - 1].end_text);
	}
	return 0;
}

void
ENG_init(struct eng_run *run, const struct eng_config *cfg)
{
	memset(run, 0, sizeof(*run));
	run->cfg = *cfg;
}

void
ENG_free(struct eng_run *run)
{
	size_t i;

	for (i = 0; i < run->n_src; i++)
		if (run->src[i].fd >= 0)
			close(run->src[i].fd);
	free(run->src);
	run->src = NULL;
	run->n_src = run->cap_src = 0;
}

static struct eng_source *
new_source(struct eng_run *run, const struct cli_server *srv)
{
	struct eng_source *s;

	if (run->n_src >= ENG_MAX_SOURCES)
		return NULL;
	if (run->n_src == run->cap_src) {
		size_t cap = run->cap_src ? run->cap_src * 2 : 8;
		struct eng_source *n = reallocarray(run->src, cap, sizeof(*n));
		if (n == NULL)
			return NULL;
		run->src = n;
		run->cap_src = cap;
	}
	s = &run->src[run->n_src++];
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	strlcpy(s->given, srv->given, sizeof(s->given));
	return s;
}

int
ENG_add_server(struct eng_run *run, const struct cli_server *srv)
{
	struct net_addr addrs[ENG_MAX_ADDRS];
	char err[200];
	int n, i, added = 0;
	size_t j;

	n = NET_resolve(srv->host, srv->port, run->cfg.family, addrs, ENG_MAX_ADDRS, err, sizeof(err));
	if (n < 0) {
		struct eng_source *s = new_source(run, srv);
		if (s == NULL)
			return -1;
		s->end = END_UNRESOLVED;
		s->done = 1;
		strlcpy(s->addr, srv->host, sizeof(s->addr));
		strlcpy(s->addr_port, srv->given, sizeof(s->addr_port));
		strlcpy(s->end_text, err, sizeof(s->end_text));
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct eng_source *s;
		int dup = 0;
		/* One address and port is one source, however often named. */
		for (j = 0; j < run->n_src; j++)
			if (run->src[j].end != END_UNRESOLVED && NET_same_addr(&run->src[j].na, &addrs[i]))
				dup = 1;
		if (dup)
			continue;
		s = new_source(run, srv);
		if (s == NULL)
			return added > 0 ? added : -1;
		s->na = addrs[i];
		NET_ntop(&s->na, s->addr, sizeof(s->addr));
		NET_ntop_port(&s->na, s->addr_port, sizeof(s->addr_port));
		added++;
	}
	return added > 0 ? added : 1;
}

static size_t
max_requests(const struct eng_run *run)
{
	return run->cfg.samples > 0 ? (size_t)run->cfg.samples : ENG_AUTO_SAMPLES;
}

double
ENG_spacing(const struct eng_run *run)
{
	return fmax(run->cfg.gap, 0.0);
}

/* The sampling policy, all in one place: may this source be sent
 * another request? */
static int
want_more(const struct eng_run *run, const struct eng_source *s)
{
	struct flt_result est;
	struct timespec now;

	if (s->end != END_NONE)
		return 0;
	if (s->n_req >= max_requests(run))
		return 0;
	if (run->cfg.samples > 0)
		return 1;
	if (s->n_samples == 0)
		return 1;
	clock_gettime(CLOCK_REALTIME, &now);
	if (FLT_filter(s->samples, s->n_samples, &now, run->cfg.precision, run->cfg.rate_bound,
	    &est) == 0 && est.halfwidth <= POLICY_GOOD_HALFWIDTH)
		return 0;
	return 1;
}

static void
close_request(struct eng_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void
send_request(struct eng_run *run, struct eng_source *s, const struct timespec *now)
{
	struct eng_request *r = &s->req[s->n_req];
	uint8_t buf[PKT_HEADER_LEN];
	struct pkt p;

	memset(r, 0, sizeof(*r));
	s->n_req++;
	r->outcome = REQ_PENDING;
	r->xmt = PKT_random_ts();
	PKT_make_request(&p, r->xmt);
	PKT_encode(&p, buf, sizeof(buf));
	s->next_send = NTT_timespec_add(now, ENG_spacing(run));
	s->timeout_at = NTT_timespec_add(now, run->cfg.timeout);
	s->fd = NET_open(&s->na);
	if (s->fd >= 0)
		NET_warm(s->na.sa.ss_family);
	if (s->fd >= 0 && NET_send(s->fd, buf, sizeof(buf), &r->t1) == 0) {
		/* The spacing counts from the packet leaving, not from when
		 * the loop decided to send: never closer than the gap. */
		struct timespec sent;
		clock_gettime(CLOCK_MONOTONIC, &sent);
		s->next_send = NTT_timespec_add(&sent, ENG_spacing(run));
		s->timeout_at = NTT_timespec_add(&sent, run->cfg.timeout);
	} else {
		r->err = errno;
		if (r->err == ECONNREFUSED) {
			r->outcome = REQ_REFUSED;
			s->end = END_REFUSED;
		} else {
			r->outcome = REQ_NETERR;
			s->end = END_NETERR;
			snprintf(s->end_text, sizeof(s->end_text), "cannot send: %s", strerror(r->err));
		}
		close_request(s);
	}
}

static void
accept_reply(struct eng_run *run, struct eng_source *s, struct eng_request *r,
    const struct pkt *p, const struct timespec *rx)
{
	struct flt_sample *smp = &s->samples[s->n_samples];
	NTP_ts t1 = NTT_from_timespec(&r->t1);
	NTP_ts t4 = NTT_from_timespec(rx);

	memset(smp, 0, sizeof(*smp));
	if (FLT_sample(smp, t1, p->rec, p->xmt, t4, run->cfg.precision, p->precision) < 0 ||
	    smp->delay > 2 * run->cfg.timeout + 1.0) {
		r->outcome = REQ_REJECTED;
		r->tests = PKT_T_DELAY;
		return;
	}
	smp->rx = *rx;
	smp->root_delay = NTT_short_to_double(p->root_delay);
	smp->root_disp = NTT_short_to_double(p->root_disp);
	smp->stratum = p->stratum;
	r->sample = s->n_samples++;
	r->outcome = REQ_OK;
	s->last_rx = *rx;
}

static void
handle_readable(struct eng_run *run, struct eng_source *s)
{
	struct eng_request *r = &s->req[s->n_req - 1];
	uint8_t buf[PKT_MAX_LEN + 4];

	for (;;) {
		struct timespec rx;
		struct pkt p;
		int kts, trunc, rc;
		unsigned tests;
		long n = NET_recv(s->fd, buf, sizeof(buf), &rx, &kts, &trunc);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			r->err = errno;
			if (errno == ECONNREFUSED) {
				r->outcome = REQ_REFUSED;
				s->end = END_REFUSED;
			} else {
				r->outcome = REQ_NETERR;
				s->end = END_NETERR;
				snprintf(s->end_text, sizeof(s->end_text), "receive error: %s",
				    strerror(r->err));
			}
			close_request(s);
			return;
		}
		if (trunc) {
			r->ignored++;
			r->decode_err = PKT_ERR_LONG;
			continue;
		}
		rc = PKT_decode(buf, (size_t)n, &p);
		if (rc != PKT_OK) {
			/* Cannot be tied to our request: ignore, keep waiting. */
			r->ignored++;
			r->decode_err = rc;
			continue;
		}
		if (p.org.v != r->xmt.v) {
			/* Not an answer to this request (forged, stale or
			 * duplicate): ignore it entirely, KoD included. */
			r->ignored++;
			continue;
		}
		/* the answer to this request: keep it, whatever its verdict */
		r->kernel_ts = kts;
		r->reply = p;
		r->have_reply = 1;
		r->rx = rx;
		tests = PKT_check(&p, r->xmt, run->cfg.max_distance);
		r->tests = tests;
		if (tests & PKT_T_KOD) {
			enum pkt_kiss k = PKT_kiss(&p);
			r->outcome = REQ_KOD;
			s->kiss = (int8_t)k;
			s->end = (k == PKT_KISS_RATE) ? END_RATE : END_DENIED;
			close_request(s);
			return;
		}
		if (tests != 0) {
			r->outcome = REQ_REJECTED;
			close_request(s);
			return;
		}
		accept_reply(run, s, r, &p, &rx);
		close_request(s);
		return;
	}
}

static int
ms_until(const struct timespec *t, const struct timespec *now)
{
	double d = NTT_timespec_diff(t, now);

	if (d <= 0)
		return 0;
	return (int)ceil(d * 1000.0);
}

static void
finish(struct eng_run *run)
{
	struct sel_cand *c;
	struct timespec now;
	size_t i;

	clock_gettime(CLOCK_REALTIME, &now);
	c = calloc(run->n_src ? run->n_src : 1, sizeof(*c));
	for (i = 0; i < run->n_src; i++) {
		struct eng_source *s = &run->src[i];
		memset(&s->cand, 0, sizeof(s->cand));
		if (s->n_samples > 0 &&
		    FLT_filter(s->samples, s->n_samples, &now, run->cfg.precision, run->cfg.rate_bound,
		    &s->est) == 0) {
			s->have_est = 1;
			s->cand.usable = 1;
			s->cand.offset = s->est.offset;
			s->cand.root_distance = s->est.root_distance;
			s->cand.jitter = s->est.jitter;
			s->cand.stratum = s->samples[s->est.best].stratum;
		}
		if (c != NULL)
			c[i] = s->cand;
	}
	if (c == NULL) {
		run->have_result = 0;
		return;
	}
	run->have_result = SEL_select(c, run->n_src, &run->result) == 0;
	for (i = 0; i < run->n_src; i++)
		run->src[i].cand = c[i];
	free(c);
}

int
ENG_run(struct eng_run *run)
{
	struct pollfd pfd[ENG_MAX_SOURCES];
	size_t idx[ENG_MAX_SOURCES];
	struct timespec now, deadline;
	size_t i;
	double span;

	clock_gettime(CLOCK_MONOTONIC, &run->start_mono);
	clock_gettime(CLOCK_REALTIME, &run->start_real);
	span = (double)(max_requests(run) - 1) * fmax(ENG_spacing(run), run->cfg.timeout) +
	    run->cfg.timeout + 0.25;
	deadline = NTT_timespec_add(&run->start_mono, span);
	for (i = 0; i < run->n_src; i++) {
		run->src[i].next_send = run->start_mono;
		run->src[i].fd = -1;
	}
	for (;;) {
		size_t active = 0, np = 0;
		int wait = -1, w;

		clock_gettime(CLOCK_MONOTONIC, &now);
		for (i = 0; i < run->n_src; i++) {
			struct eng_source *s = &run->src[i];
			if (s->done)
				continue;
			if (s->fd >= 0 && NTT_timespec_diff(&now, &s->timeout_at) >= 0) {
				s->req[s->n_req - 1].outcome = REQ_TIMEOUT;
				close_request(s);
			}
			if (s->fd < 0) {
				if (!want_more(run, s)) {
					s->done = 1;
					continue;
				}
				if (NTT_timespec_diff(&now, &s->next_send) >= 0)
					send_request(run, s, &now);
				if (s->fd < 0 && !want_more(run, s)) {
					s->done = 1;
					continue;
				}
			}
			active++;
			if (s->fd >= 0) {
				pfd[np].fd = s->fd;
				pfd[np].events = POLLIN;
				pfd[np].revents = 0;
				idx[np++] = i;
				w = ms_until(&s->timeout_at, &now);
			} else {
				w = ms_until(&s->next_send, &now);
			}
			if (wait < 0 || w < wait)
				wait = w;
		}
		if (active == 0)
			break;
		if (NTT_timespec_diff(&now, &deadline) >= 0) {
			for (i = 0; i < run->n_src; i++) {
				struct eng_source *s = &run->src[i];
				if (s->fd >= 0) {
					s->req[s->n_req - 1].outcome = REQ_TIMEOUT;
					close_request(s);
				}
				s->done = 1;
			}
			break;
		}
		w = ms_until(&deadline, &now);
		if (wait < 0 || w < wait)
			wait = w;
		if (poll(pfd, np, wait) < 0 && errno != EINTR)
			break;
		for (i = 0; i < np; i++)
			if (pfd[i].revents & (POLLIN | POLLERR))
				handle_readable(run, &run->src[idx[i]]);
	}
	clock_gettime(CLOCK_MONOTONIC, &run->end_mono);
	finish(run);
	return run->have_result ? 0 : -1;
}

static const char *
kiss_name(int k)
{
	switch (k) {
	case PKT_KISS_DENY: return "DENY";
	case PKT_KISS_RSTR: return "RSTR";
	case PKT_KISS_RATE: return "RATE";
	}
	return "?";
}

void
ENG_request_text(const struct eng_request *r, char *buf, size_t len)
{
	char t[160];

	switch (r->outcome) {
	case REQ_PENDING:
		snprintf(buf, len, "pending");
		break;
	case REQ_OK:
		snprintf(buf, len, "ok");
		break;
	case REQ_TIMEOUT:
		if (r->ignored > 0)
			snprintf(buf, len, "no valid reply (%u ignored: %s)", r->ignored,
			    r->decode_err ? PKT_decode_strerror(r->decode_err) : "wrong origin timestamp");
		else
			snprintf(buf, len, "no reply (timeout)");
		break;
	case REQ_REJECTED: {
		unsigned b, first = 0;
		PKT_tests_format(r->tests, t, sizeof(t));
		for (b = 1; b != 0 && b <= r->tests; b <<= 1)
			if (r->tests & b) {
				first = b;
				break;
			}
		if (first == PKT_T_STRATUM && r->have_reply)
			snprintf(buf, len, "rejected [%s]: %s, stratum %u", t, PKT_test_text(first),
			    r->reply.stratum);
		else
			snprintf(buf, len, "rejected [%s]: %s", t, PKT_test_text(first));
		break;
	}
	case REQ_KOD: {
		char code[5];
		PKT_refid_ascii(&r->reply, code);
		snprintf(buf, len, "Kiss-o'-Death %s", code);
		break;
	}
	case REQ_REFUSED:
		snprintf(buf, len, "port unreachable (ICMP)");
		break;
	case REQ_NETERR:
		snprintf(buf, len, "network error: %s", strerror(r->err));
		break;
	}
}

void
ENG_source_reason(const struct eng_run *run, const struct eng_source *s, char *buf, size_t len)
{
	size_t i, timeouts = 0;
	const struct eng_request *rej = NULL;

	if (s->have_est) {
		switch (s->cand.verdict) {
		case SEL_SYSPEER:
			snprintf(buf, len, "selected: best source");
			return;
		case SEL_COMBINED:
			snprintf(buf, len, "selected: combined into the result");
			return;
		case SEL_OUTLIER:
			snprintf(buf, len, "not combined: dropped by clustering");
			return;
		case SEL_FALSETICKER:
			if (run->have_result)
				snprintf(buf, len, "falseticker: its interval [%+.6f, %+.6f] misses "
				    "the majority's [%+.6f, %+.6f]", s->cand.offset - s->cand.root_distance,
				    s->cand.offset + s->cand.root_distance, run->result.low, run->result.high);
			else
				snprintf(buf, len, "no majority: the servers disagree");
			return;
		case SEL_UNUSABLE:
			break;
		}
	}
	switch (s->end) {
	case END_UNRESOLVED:
	case END_NETERR:
		snprintf(buf, len, "%s", s->end_text);
		return;
	case END_REFUSED:
		snprintf(buf, len, "port unreachable (ICMP): no NTP server there");
		return;
	case END_DENIED:
		snprintf(buf, len, "access denied (Kiss-o'-Death %s)", kiss_name(s->kiss));
		return;
	case END_RATE:
		snprintf(buf, len, "rate limited (Kiss-o'-Death RATE): no more requests this run");
		return;
	case END_NONE:
		break;
	}
	for (i = 0; i < s->n_req; i++) {
		if (s->req[i].outcome == REQ_TIMEOUT)
			timeouts++;
		else if (s->req[i].outcome == REQ_REJECTED)
			rej = &s->req[i];
	}
	if (rej != NULL) {
		ENG_request_text(rej, buf, len);
		return;
	}
	if (s->n_req > 0 && timeouts == s->n_req) {
		for (i = 0; i < s->n_req; i++)
			if (s->req[i].ignored > 0) {
				char t[160];
				ENG_request_text(&s->req[i], t, sizeof(t));
				snprintf(buf, len, "no valid reply to %zu request%s: %s", s->n_req,
				    s->n_req == 1 ? "" : "s", t);
				return;
			}
		snprintf(buf, len, "no reply to %zu request%s", s->n_req, s->n_req == 1 ? "" : "s");
		return;
	}
	snprintf(buf, len, "no usable reply");
}

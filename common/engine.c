/* engine: names, sources, the sampling policy, one loop under one
 * deadline, replies judged by reply.c, filter and selection at the end. */
#include "engine.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "policy.h"
#include "reply.h"

/* With no descriptor free, try opening a socket again this much later. */
#define FD_RETRY_MS 10

/* Resolver jobs: names use their index, a stage's host the source's
 * index after them. */
#define STAGE_JOB(i) (ENG_MAX_NAMES + (i))

/* The answer said something a retry within this run cannot change: the
 * server is unsynchronised, or its replies are not NTP server replies. */
#define TESTS_FINAL_UNSYNC (PKT_T_LEAP | PKT_T_STRATUM | PKT_T_DISTANCE)
#define TESTS_FINAL_OTHER (PKT_T_MODE | PKT_T_VERSION)

void
ENG_config_from_cli(struct eng_config *cfg, const struct cli_common *c, int8_t precision,
    double rate_bound)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->precision = precision;
	cfg->rate_bound = rate_bound;
	cfg->family = c->family;
	cfg->samples = c->samples;
	cfg->timeout = c->timeout;
	cfg->gap = c->gap;
	cfg->max_distance = c->max_distance;
}

int
ENG_init(struct eng_run *run, const struct eng_config *cfg, const struct eng_ops *ops)
{
	memset(run, 0, sizeof(*run));
	run->cfg = *cfg;
	run->ops = ops;
	run->src = calloc(ENG_MAX_SOURCES, sizeof(*run->src));
	return run->src == NULL ? -1 : 0;
}

void
ENG_free(struct eng_run *run)
{
	size_t i;

	for (i = 0; run->src != NULL && i < run->n_src; i++)
		if (run->src[i].fd >= 0) {
			if (run->src[i].state == SRC_READY)
				run->ops->close(run->ops->ctx, run->src[i].fd);
			run->src[i].fd = -1;
		}
	free(run->src);
	run->src = NULL;
	run->n_src = 0;
}

int
ENG_add_server(struct eng_run *run, const struct cli_server *srv)
{
	struct eng_name *nm;

	if (run->n_names >= ENG_MAX_NAMES)
		return -1;
	nm = &run->names[run->n_names++];
	memset(nm, 0, sizeof(*nm));
	nm->srv = *srv;
	return 0;
}

int
ENG_add_args(struct eng_run *run, char *const *args, int n, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < n || i == 0; i++) {
		struct cli_server srv;
		const char *arg = i < n ? args[i] : CLI_DEFAULT_SERVER;
		if (CLI_parse_server(arg, &srv, err, errlen) < 0)
			return -1;
		if (ENG_add_server(run, &srv) < 0) {
			snprintf(err, errlen, "too many servers (at most %d)", ENG_MAX_NAMES);
			return -1;
		}
	}
	return 0;
}

size_t
ENG_max_requests(const struct eng_run *run)
{
	return run->cfg.samples > 0 ? (size_t)run->cfg.samples : ENG_AUTO_SAMPLES;
}

double
ENG_spacing(const struct eng_run *run)
{
	return fmax(run->cfg.gap, 0.0);
}

double
ENG_span(const struct eng_run *run)
{
	return (double)(ENG_max_requests(run) - 1) * fmax(ENG_spacing(run), run->cfg.timeout) +
	    run->cfg.timeout + ENG_DEADLINE_SLACK;
}

const struct sel_cand *
ENG_cand(const struct eng_run *run, const struct eng_source *s)
{
	return &run->cand[s - run->src];
}

void
ENG_cand_from_est(const struct flt_result *est, int stratum, struct sel_cand *c)
{
	memset(c, 0, sizeof(*c));
	c->usable = 1;
	c->offset = est->offset;
	c->lo = est->cor_lo;
	c->hi = est->cor_hi;
	c->likely_lo = est->likely_lo;
	c->likely_hi = est->likely_hi;
	c->jitter = est->jitter;
	c->stratum = stratum;
}

void
ENG_make_cand(const struct eng_source *s, struct sel_cand *c)
{
	if (s->have_est)
		ENG_cand_from_est(&s->est, s->samples[s->est.best].stratum, c);
	else
		memset(c, 0, sizeof(*c));
}

const struct eng_name *
ENG_name_of(const struct eng_run *run, const struct eng_source *s)
{
	return &run->names[s->name];
}

/* ---- sources ----------------------------------------------------- */

static struct eng_source *
new_source(struct eng_run *run, size_t name)
{
	struct eng_source *s;

	if (run->n_src >= ENG_MAX_SOURCES)
		return NULL;
	s = &run->src[run->n_src];
	memset(s, 0, sizeof(*s));
	s->seq = run->n_src++;
	s->name = name;
	s->fd = -1;
	return s;
}

static void
set_addr(struct eng_source *s, const struct net_addr *a)
{
	s->na = *a;
	NET_ntop(&s->na, s->addr, sizeof(s->addr));
	NET_ntop_port(&s->na, s->addr_port, sizeof(s->addr_port));
}

/* A name that gave no address is still a source, so it can be shown. */
static void
add_unresolved(struct eng_run *run, size_t name)
{
	struct eng_source *s = new_source(run, name);

	if (s == NULL)
		return;
	s->end = END_UNRESOLVED;
	s->state = SRC_DONE;
	strlcpy(s->addr, run->names[name].srv.host, sizeof(s->addr));
	strlcpy(s->addr_port, run->names[name].srv.given, sizeof(s->addr_port));
}

static void
add_addresses(struct eng_run *run, size_t name, const struct net_addr *a, size_t n)
{
	struct eng_name *nm = &run->names[name];
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct eng_source *s;
		int dup = 0;
		/* One address and port is one source, however often named. */
		for (j = 0; j < run->n_src; j++)
			if (run->src[j].end != END_UNRESOLVED && NET_same_addr(&run->src[j].na, &a[i]))
				dup = 1;
		if (dup) {
			nm->n_addrs++;
			nm->n_dup++;
			continue;
		}
		s = new_source(run, name);
		if (s == NULL) {
			nm->n_cut += n - i;
			return;
		}
		nm->n_addrs++;
		set_addr(s, &a[i]);
		s->state = SRC_STAGE;
		if (run->hooks.setup != NULL)
			run->hooks.setup(run->hooks.ctx, run, (size_t)(s - run->src));
	}
}

/* Collect the names whose resolution has finished. */
static int
collect_names(struct eng_run *run)
{
	struct net_addr a[ENG_MAX_SOURCES];
	size_t i, n, cut, pending = 0;
	int gai, sys;

	for (i = 0; i < run->n_names; i++) {
		struct eng_name *nm = &run->names[i];
		if (nm->state != NAME_PENDING)
			continue;
		if (run->ops->resolved(run->ops->ctx, i, a, ENG_MAX_SOURCES, &n, &cut, &gai, &sys) != 1) {
			pending++;
			continue;
		}
		nm->n_cut = cut;
		if (n == 0) {
			nm->state = NAME_FAILED;
			nm->gai_err = gai;
			nm->sys_err = sys;
			add_unresolved(run, i);
		} else {
			nm->state = NAME_RESOLVED;
			add_addresses(run, i, a, n);
		}
	}
	return pending > 0;
}

/* ---- requests ---------------------------------------------------- */

static void
close_request(struct eng_run *run, struct eng_source *s)
{
	if (s->fd >= 0)
		run->ops->close(run->ops->ctx, s->fd);
	s->fd = -1;
}

/* A socket error ends the source: errno to outcome, in one place. */
static void
net_error(struct eng_run *run, struct eng_source *s, struct eng_request *r, int err)
{
	r->err = err;
	s->end_err = err;
	if (err == ECONNREFUSED) {
		r->outcome = REQ_REFUSED;
		s->end = END_REFUSED;
	} else {
		r->outcome = REQ_NETERR;
		s->end = END_NETERR;
	}
	close_request(run, s);
}

static size_t
inflight(const struct eng_run *run)
{
	size_t i, k = 0;

	for (i = 0; i < run->n_src; i++)
		k += run->src[i].fd >= 0;
	return k;
}

/* Returns 0 when sent (or the source ended), -1 when no descriptor was
 * free: nothing was spent, try again soon. */
static int
send_request(struct eng_run *run, struct eng_source *s, const struct timespec *now)
{
	const struct eng_ops *o = run->ops;
	struct eng_request *r = &s->req[s->n_req];
	uint8_t buf[PKT_MAX_LEN];
	struct timespec sent;
	size_t len;
	struct pkt p;

	if (run->cfg.max_inflight > 0 && inflight(run) >= run->cfg.max_inflight)
		return -1;
	s->fd = o->open(o->ctx, &s->na);
	if (s->fd < 0 && (errno == EMFILE || errno == ENFILE))
		return -1;
	memset(r, 0, sizeof(*r));
	s->n_req++;
	r->outcome = REQ_PENDING;
	if (s->fd < 0) {
		net_error(run, s, r, errno);
		return 0;
	}
	r->xmt = PKT_random_ts();
	PKT_make_request(&p, r->xmt);
	if (run->cfg.version > 0)
		p.version = (uint8_t)run->cfg.version;
	len = PKT_encode(&p, buf, sizeof(buf));
	if (s->auth != NULL)
		len = s->auth->sign(s->auth_ctx, buf, len, sizeof(buf), &r->areq);
	if (len == 0) {
		r->outcome = REQ_NOAUTH;
		s->end = END_NOAUTH;
		close_request(run, s);
		return 0;
	}
	if (o->send(o->ctx, s->fd, buf, len, &r->t1) < 0) {
		net_error(run, s, r, errno);
		return 0;
	}
	/* The spacing counts from the packet leaving, not from when the loop
	 * decided to send: never closer than the gap. */
	o->now_mono(o->ctx, &sent);
	s->next_send = NTT_timespec_add(&sent, ENG_spacing(run));
	s->timeout_at = NTT_timespec_add(&sent, run->cfg.timeout);
	(void)now;
	return 0;
}

static void
accept_sample(struct eng_run *run, struct eng_source *s, struct eng_request *r,
    const struct flt_sample *smp)
{
	s->samples[s->n_samples] = *smp;
	r->sample = s->n_samples++;
	r->outcome = REQ_OK;
	s->last_rx = smp->rx;
	/* once per accepted sample: the policy reads it */
	s->have_est = FLT_filter(s->samples, s->n_samples, &smp->rx, run->cfg.precision,
	    run->cfg.rate_bound, &s->est) == 0;
}

/* The answer to the current request, whatever its verdict. */
static void
take_answer(struct eng_run *run, struct eng_source *s, struct eng_request *r,
    const struct rpl_verdict *v, const struct timespec *rx, int kts)
{
	r->kernel_ts = kts;
	r->reply = v->pkt;
	r->have_reply = v->have_pkt;
	r->rx = *rx;
	r->tests = v->tests;
	r->auth_fail = v->auth_fail;
	if (v->tests & PKT_T_KOD) {
		r->outcome = REQ_KOD;
		s->kiss = (int8_t)v->kiss;
		s->end = v->kiss == PKT_KISS_RATE ? END_RATE : END_DENIED;
	} else if (v->tests & PKT_T_AUTH) {
		r->outcome = REQ_REJECTED;
		s->end = END_NAK;
	} else if (v->tests != 0) {
		r->outcome = REQ_REJECTED;
		if (v->tests & TESTS_FINAL_UNSYNC)
			s->end = END_UNSYNC;
		else if (v->tests & TESTS_FINAL_OTHER)
			s->end = END_REJECTED;
	} else {
		accept_sample(run, s, r, &v->sample);
	}
	close_request(run, s);
	POL_joint_check(run);
}

static void
handle_readable(struct eng_run *run, struct eng_source *s)
{
	const struct eng_ops *o = run->ops;
	struct eng_request *r = &s->req[s->n_req - 1];
	struct rpl_limits lim = { run->cfg.max_distance, RPL_MAX_DELAY(run->cfg.timeout),
		run->cfg.precision };
	struct rpl_request rq = { r->xmt, r->t1, s->auth, s->auth_ctx, &r->areq };
	uint8_t buf[PKT_MAX_LEN + 4];

	while (s->fd >= 0) {
		struct rpl_verdict v;
		struct timespec rx;
		int kts = 0, trunc = 0;
		long n = o->recv(o->ctx, s->fd, buf, sizeof(buf), &rx, &kts, &trunc);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				net_error(run, s, r, errno);
			return;
		}
		RPL_judge(buf, (size_t)n, trunc, &rq, &rx, &lim, &v);
		if (!RPL_is_answer(&v)) {
			/* not the answer to this request: note it, keep waiting */
			r->ignored++;
			r->ignored_tests |= v.tests;
			if (v.tests & PKT_T_FORMAT)
				r->ignored_decode = v.decode_err;
			if (v.tests & PKT_T_AUTH)
				r->ignored_auth = v.auth_fail;
			continue;
		}
		take_answer(run, s, r, &v, &rx, kts);
	}
}

/* ---- the pre-request stage --------------------------------------- */

static void
run_stage(struct eng_run *run, struct eng_source *s, short revents, const struct timespec *now)
{
	char host[CLI_HOST_MAX + 1] = "", port[8] = "";
	int fd = -1, wait_ms = -1, rc;
	short events = 0;

	rc = s->stage->step(s->stage_ctx, revents, &fd, &events, &wait_ms, host, sizeof(host), port,
	    sizeof(port));
	s->fd = -1;
	switch (rc) {
	case ENG_STAGE_AGAIN:
		s->fd = fd;
		s->events = events;
		s->timeout_at = NTT_timespec_add(now, wait_ms >= 0 ? wait_ms / 1000.0 : 3600.0);
		return;
	case ENG_STAGE_DONE:
		if (host[0] == '\0') {
			s->state = SRC_READY;
			s->next_send = *now;
			return;
		}
		if (run->ops->resolve(run->ops->ctx, STAGE_JOB((size_t)(s - run->src)), host,
		    port[0] ? port : CLI_DEFAULT_PORT, run->cfg.family) < 0) {
			s->end = END_UNRESOLVED;
			s->sys_err = errno;
			s->state = SRC_DONE;
			return;
		}
		s->state = SRC_RESOLVING;
		return;
	default:
		s->end = END_STAGE;
		s->state = SRC_DONE;
		return;
	}
}

static void
collect_stage_host(struct eng_run *run, struct eng_source *s, const struct timespec *now)
{
	struct net_addr a;
	size_t n, cut;

	if (run->ops->resolved(run->ops->ctx, STAGE_JOB((size_t)(s - run->src)), &a, 1, &n, &cut,
	    &s->gai_err, &s->sys_err) != 1)
		return;
	if (n == 0) {
		s->end = END_UNRESOLVED;
		s->state = SRC_DONE;
		return;
	}
	set_addr(s, &a);
	s->state = SRC_READY;
	s->next_send = *now;
}

/* ---- the loop ---------------------------------------------------- */

static int
ms_until(const struct timespec *t, const struct timespec *now)
{
	double d = NTT_timespec_diff(t, now);

	if (d <= 0)
		return 0;
	return (int)ceil(d * 1000.0);
}

static void
wait_for(int *wait, int w)
{
	if (*wait < 0 || w < *wait)
		*wait = w;
}

/* One source's turn: time out, send, or say what to wait for.  Returns 1
 * while the source is active. */
static int
tick(struct eng_run *run, struct eng_source *s, const struct timespec *now, int *wait)
{
	switch (s->state) {
	case SRC_STAGE:
		if (s->stage == NULL) {
			s->state = SRC_READY;
			s->next_send = *now;
			break;
		}
		if (s->fd < 0 && NTT_timespec_diff(now, &s->timeout_at) >= 0)
			run_stage(run, s, 0, now);
		/* a numeric host resolves at once, and no descriptor will say so */
		if (s->state == SRC_RESOLVING)
			collect_stage_host(run, s, now);
		if (s->state == SRC_STAGE && s->fd < 0)
			wait_for(wait, ms_until(&s->timeout_at, now));
		if (s->state == SRC_READY)
			break; /* ready now: send in this same turn */
		return s->state != SRC_DONE;
	case SRC_RESOLVING:
		collect_stage_host(run, s, now);
		if (s->state == SRC_READY)
			break;
		return s->state != SRC_DONE;
	case SRC_READY:
		break;
	case SRC_DONE:
		return 0;
	}
	if (s->fd >= 0 && NTT_timespec_diff(now, &s->timeout_at) >= 0) {
		s->req[s->n_req - 1].outcome = REQ_TIMEOUT;
		close_request(run, s);
		POL_joint_check(run);
	}
	if (s->fd < 0) {
		if (!POL_want_more(run, s)) {
			s->state = SRC_DONE;
			return 0;
		}
		if (NTT_timespec_diff(now, &s->next_send) >= 0 && send_request(run, s, now) < 0) {
			wait_for(wait, FD_RETRY_MS);
			return 1;
		}
		if (s->fd < 0 && !POL_want_more(run, s)) {
			s->state = SRC_DONE;
			return 0;
		}
	}
	wait_for(wait, ms_until(s->fd >= 0 ? &s->timeout_at : &s->next_send, now));
	return 1;
}

/* The deadline: whatever is still going ends now. */
static void
expire(struct eng_run *run)
{
	size_t i;

	for (i = 0; i < run->n_names; i++)
		if (run->names[i].state == NAME_PENDING) {
			run->names[i].state = NAME_TIMEOUT;
			add_unresolved(run, i);
		}
	for (i = 0; i < run->n_src; i++) {
		struct eng_source *s = &run->src[i];
		switch (s->state) {
		case SRC_STAGE:
			if (s->stage != NULL && s->stage->abort != NULL)
				s->stage->abort(s->stage_ctx);
			s->fd = -1;
			s->end = END_DEADLINE;
			break;
		case SRC_RESOLVING:
			s->end = END_DEADLINE;
			break;
		case SRC_READY:
			if (s->fd >= 0) {
				s->req[s->n_req - 1].outcome = REQ_TIMEOUT;
				close_request(run, s);
			}
			break;
		case SRC_DONE:
			break;
		}
		s->state = SRC_DONE;
	}
}

static int
any_resolving(const struct eng_run *run)
{
	size_t i;

	for (i = 0; i < run->n_src; i++)
		if (run->src[i].state == SRC_RESOLVING)
			return 1;
	return 0;
}

/* Sources in the order of their names, then of their addresses: the same
 * order whichever name resolved first.  Stable insertion sort, n <= 64. */
static void
sort_sources(struct eng_run *run)
{
	struct eng_source t;
	size_t i, j;

	for (i = 1; i < run->n_src; i++) {
		if (run->src[i - 1].name < run->src[i].name ||
		    (run->src[i - 1].name == run->src[i].name && run->src[i - 1].seq < run->src[i].seq))
			continue;
		t = run->src[i];
		for (j = i; j > 0 && (run->src[j - 1].name > t.name ||
		    (run->src[j - 1].name == t.name && run->src[j - 1].seq > t.seq)); j--)
			run->src[j] = run->src[j - 1];
		run->src[j] = t;
	}
}

static void
finish(struct eng_run *run)
{
	struct timespec now;
	size_t i;

	run->ops->now_real(run->ops->ctx, &now);
	sort_sources(run);
	for (i = 0; i < run->n_src; i++) {
		struct eng_source *s = &run->src[i];
		/* the estimate as of now: its bound has aged since the sample */
		s->have_est = s->n_samples > 0 && FLT_filter(s->samples, s->n_samples, &now,
		    run->cfg.precision, run->cfg.rate_bound, &s->est) == 0;
		ENG_make_cand(s, &run->cand[i]);
	}
	run->have_result = SEL_select(run->cand, run->n_src, &run->result) == 0;
}

int
ENG_run(struct eng_run *run)
{
	const struct eng_ops *o = run->ops;
	struct pollfd pfd[ENG_MAX_SOURCES + 1];
	size_t idx[ENG_MAX_SOURCES + 1];
	struct timespec now, deadline;
	size_t i;

	o->now_mono(o->ctx, &run->start_mono);
	o->now_real(o->ctx, &run->start_real);
	deadline = NTT_timespec_add(&run->start_mono, ENG_span(run));
	for (i = 0; i < run->n_names; i++) {
		struct eng_name *nm = &run->names[i];
		if (o->resolve(o->ctx, i, nm->srv.host, nm->srv.port, run->cfg.family) < 0) {
			nm->state = NAME_FAILED;
			nm->sys_err = errno;
			add_unresolved(run, i);
		}
	}
	for (;;) {
		size_t active = 0, np = 0;
		int wait = -1, names_pending, w;

		names_pending = collect_names(run);
		o->now_mono(o->ctx, &now);
		if (NTT_timespec_diff(&now, &deadline) >= 0) {
			expire(run);
			break;
		}
		for (i = 0; i < run->n_src; i++) {
			struct eng_source *s = &run->src[i];
			if (!tick(run, s, &now, &wait))
				continue;
			active++;
			if (s->fd >= 0) {
				pfd[np].fd = s->fd;
				pfd[np].events = s->state == SRC_STAGE ? s->events : POLLIN;
				pfd[np].revents = 0;
				idx[np++] = i;
			}
		}
		if (active == 0 && !names_pending)
			break;
		if (names_pending || any_resolving(run)) {
			int rfd = o->resolve_fd(o->ctx);
			if (rfd >= 0) {
				pfd[np].fd = rfd;
				pfd[np].events = POLLIN;
				pfd[np].revents = 0;
				idx[np++] = SIZE_MAX;
			} else {
				wait_for(&wait, FD_RETRY_MS);
			}
		}
		w = ms_until(&deadline, &now);
		wait_for(&wait, w);
		if (o->poll(o->ctx, pfd, np, wait) < 0 && errno != EINTR)
			break;
		o->now_mono(o->ctx, &now);
		for (i = 0; i < np; i++) {
			struct eng_source *s;
			if (pfd[i].revents == 0 || idx[i] == SIZE_MAX)
				continue;
			s = &run->src[idx[i]];
			if (s->state == SRC_STAGE) {
				run_stage(run, s, pfd[i].revents, &now);
				if (s->state == SRC_READY)
					tick(run, s, &now, &w); /* send at once */
			}
			else if (pfd[i].revents & (POLLIN | POLLERR))
				handle_readable(run, s);
		}
	}
	o->now_mono(o->ctx, &run->end_mono);
	finish(run);
	return run->have_result ? 0 : -1;
}

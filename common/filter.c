/* filter: sample maths and the per-source filter (the joint offset and
 * rate model described in filter.h). */
#include "filter.h"

#include <math.h>
#include <stdint.h>

/* Slack when testing a vertex of the polygon for feasibility: rounding in
 * the vertex's rate must not turn a one-point polygon into an empty one.
 * Far below any reading precision (2^-32 s is 2.3e-10 s). */
#define FEAS_TOL 1e-12

/* The prior on the clocks' rate difference for the point estimate (not
 * for the interval, which takes every rate within the bound): a Laplace
 * distribution of this scale, the spread of a typical oscillator's
 * error.  See plausible_rate(). */
#define RATE_PRIOR 50e-6

int
FLT_sample(struct flt_sample *s, NTP_ts t1, NTP_ts t2, NTP_ts t3, NTP_ts t4,
    int8_t local_prec, int8_t server_prec)
{
	double prec = NTT_log2_to_double(local_prec) + NTT_log2_to_double(server_prec);
	double out = NTT_diff(t2, t1); /* outbound leg: server rx - local tx */
	double back = NTT_diff(t3, t4); /* return leg: server tx - local rx */
	double delay = NTT_diff(t4, t1) - NTT_diff(t3, t2);

	if (delay < -prec || !isfinite(delay))
		return -1;
	s->t1 = t1;
	s->t2 = t2;
	s->t3 = t3;
	s->t4 = t4;
	s->offset = (out + back) / 2.0;
	s->delay = fmax(delay, NTT_log2_to_double(local_prec));
	s->disp = prec + FLT_PHI * NTT_diff(t4, t1);
	s->prec = prec;
	return 0;
}

/* One sample's two inequalities on the line x + rate * t (x the offset at
 * `now`, t relative to `now`, offsets relative to a base):
 *   x + rate * a <= u   (the request: theta(T1) <= T2 - T1 + prec)
 *   x + rate * b >= l   (the reply:   theta(T4) >= T3 - T4 - prec) */
struct cons {
	double a, u, b, l;
};

/* The polygon's upper edge at a rate: min over samples of u - rate * a. */
static double
upper_at(const struct cons *c, size_t k, double rate)
{
	double v = INFINITY;
	size_t i;

	for (i = 0; i < k; i++)
		v = fmin(v, c[i].u - rate * c[i].a);
	return v;
}

/* Its lower edge: max over samples of l - rate * b. */
static double
lower_at(const struct cons *c, size_t k, double rate)
{
	double v = -INFINITY;
	size_t i;

	for (i = 0; i < k; i++)
		v = fmax(v, c[i].l - rate * c[i].b);
	return v;
}

/* The rates within [lo, hi] where two of the polygon's edge lines
 * x = ic - rate * sl cross, then lo and hi: every rate at which the
 * polygon can have a vertex, or its vertical section's ends a kink.
 * Returns how many were written to cand (room for CANDS). */
#define CANDS (2 + FLT_MAX_SAMPLES * (2 * FLT_MAX_SAMPLES - 1))

static size_t
candidates(const struct cons *c, size_t k, double lo, double hi, double *cand)
{
	double ic[2 * FLT_MAX_SAMPLES], sl[2 * FLT_MAX_SAMPLES];
	size_t i, j, m = 0, nl = 0;

	for (i = 0; i < k; i++) {
		ic[nl] = c[i].u;
		sl[nl++] = c[i].a;
		ic[nl] = c[i].l;
		sl[nl++] = c[i].b;
	}
	cand[m++] = lo;
	cand[m++] = hi;
	for (i = 0; i < nl; i++)
		for (j = i + 1; j < nl; j++) {
			double rate;
			if (sl[i] == sl[j])
				continue;
			rate = (ic[i] - ic[j]) / (sl[i] - sl[j]);
			if (rate >= lo && rate <= hi)
				cand[m++] = rate;
		}
	return m;
}

/* Project the polygon {(x, rate): |rate| <= bound, every inequality}
 * onto x and onto rate.  Its extremes lie at vertices; every vertex has
 * the rate of -bound, +bound or of a crossing of two edge lines, and at
 * such a rate the polygon's vertical section is [lower_at, upper_at].  So
 * evaluating every candidate rate finds the projections exactly.
 * Returns 0, or -1 if the polygon is empty. */
static int
joint(const struct cons *c, size_t k, double bound, double *xlo, double *xhi,
    double *rlo, double *rhi)
{
	double cand[CANDS];
	size_t i, m = candidates(c, k, -bound, bound, cand);
	int found = 0;

	*xlo = *rlo = INFINITY;
	*xhi = *rhi = -INFINITY;
	for (i = 0; i < m; i++) {
		double up = upper_at(c, k, cand[i]), lo = lower_at(c, k, cand[i]);
		if (!(lo <= up + FEAS_TOL))
			continue;
		found = 1;
		*xlo = fmin(*xlo, fmin(lo, up));
		*xhi = fmax(*xhi, fmax(lo, up));
		*rlo = fmin(*rlo, cand[i]);
		*rhi = fmax(*rhi, cand[i]);
	}
	return found ? 0 : -1;
}

/* The point estimate inside the polygon.  The interval must hold for
 * every rate within the bound, but the middle of its projection is a poor
 * guess: on a jittery path the data barely constrain the rate, so the
 * projection is as wide as the bound times the samples' age, and its
 * middle follows whichever corner the jitter made longest.  Instead the
 * estimate is the middle of the polygon's vertical section at the most
 * plausible rate.
 *
 * With each leg's delay a common floor plus an exponential excess of mean
 * mu, and a line (x, rate), the likelihood depends on the line only
 * through the largest floor it leaves room for on both legs: at a given
 * rate that is half the section's width w(rate) = upper_at - lower_at,
 * reached at the section's middle, and the log-likelihood is k * w / mu
 * (the slacks' sum does not depend on x, and on the rate only by
 * rate * the delays' sum, which is negligible).  A Laplace prior of scale
 * RATE_PRIOR on the rate adds -|rate| / RATE_PRIOR.  Both terms are
 * concave and piecewise linear in the rate, so the maximum lies at a kink
 * of w (a crossing of two edge lines), at 0 or at an end of the feasible
 * range [rlo, rhi]: the candidates are evaluated.  On a clean path w
 * falls steeply away from the true rate and the data decide; on a jittery
 * one the prior keeps the rate near 0, where old samples count in full
 * rather than widened by the bound.  mu is estimated from the round
 * trips' spread (the mean excess over the shortest, scaled for k samples,
 * halved for one leg).  Clamped into [lo, hi], the projection, against
 * rounding at a one-point section. */
static double
plausible_rate(const struct cons *c, size_t k, double rlo, double rhi)
{
	double cand[CANDS + 1], mu, dmin = INFINITY, dsum = 0, best, bestv = -INFINITY;
	size_t i, m = candidates(c, k, rlo, rhi, cand);

	for (i = 0; i < k; i++) {
		dmin = fmin(dmin, c[i].u - c[i].l);
		dsum += c[i].u - c[i].l;
	}
	mu = k > 1 ? (dsum / (double)k - dmin) / (double)(k - 1) * (double)k / 2.0 : 0;
	mu = fmax(mu, 1e-9);
	cand[m++] = fmin(fmax(0.0, rlo), rhi);
	best = cand[m - 1];
	for (i = 0; i < m; i++) {
		double v = (double)k * (upper_at(c, k, cand[i]) - lower_at(c, k, cand[i])) / mu -
		    fabs(cand[i]) / RATE_PRIOR;
		if (v > bestv || (v == bestv && fabs(cand[i]) < fabs(best))) {
			bestv = v;
			best = cand[i];
		}
	}
	return best;
}

/* The model without a constant rate: from each inequality the offset at
 * `now` can have moved by at most bound times the age.  Returns 0 with
 * the intersection, or -1 if it is empty. */
static int
legs(const struct cons *c, size_t k, double bound, double *xlo, double *xhi)
{
	double lo = -INFINITY, hi = INFINITY;
	size_t i;

	for (i = 0; i < k; i++) {
		hi = fmin(hi, c[i].u + bound * fabs(c[i].a));
		lo = fmax(lo, c[i].l - bound * fabs(c[i].b));
	}
	if (!(lo <= hi + FEAS_TOL))
		return -1;
	*xlo = fmin(lo, hi);
	*xhi = fmax(lo, hi);
	return 0;
}

const char *
FLT_estimator_name(int est)
{
	switch (est) {
	case FLT_EST_LEGS: return "legs";
	case FLT_EST_JOINT: return "joint";
	default: return "single";
	}
}

const char *
FLT_flag_name(int flag)
{
	return flag == FLT_F_INCONSISTENT ? "inconsistent" : NULL;
}

/* A leg's value, T_server - T_local, minus the base, both 32.32 fixed
 * point: exact, whatever the offset's size. */
static double
leg(NTP_ts server, NTP_ts local, uint64_t base)
{
	return (double)(int64_t)(server.v - local.v - base) / 4294967296.0;
}

int
FLT_filter(const struct flt_sample *s, size_t n, const struct timespec *now,
    int8_t local_prec, double rate_bound, struct flt_result *r)
{
	struct cons c[FLT_MAX_SAMPLES];
	size_t order[FLT_MAX_SAMPLES];
	size_t i, j, k, first, best;
	double bound = fabs(rate_bound), lo = 0, hi = 0, rlo = 0, rhi = 0;
	double basef, disp = 0.0, jit = 0.0, w = 0.5, age, lprec = NTT_log2_to_double(local_prec);
	double est_x, xrate = 0, extra, slo, shi;
	int vary = rate_bound < 0, est;
	uint64_t base;
	NTP_ts nowts;
	const struct flt_sample *last;

	if (n == 0)
		return -1;
	if (n > FLT_MAX_SAMPLES)
		n = FLT_MAX_SAMPLES;
	if (!isfinite(bound))
		bound = 1.0;
	/* Oldest first, by arrival (n <= 8: insertion sort). */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && NTT_diff(s[order[j]].t4, s[order[j - 1]].t4) < 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	last = &s[order[n - 1]];
	base = last->t2.v - last->t1.v;
	basef = (double)(int64_t)base / 4294967296.0;
	nowts = NTT_from_timespec(now);
	for (i = 0; i < n; i++) {
		const struct flt_sample *x = &s[order[i]];
		c[i].a = NTT_diff(x->t1, nowts);
		c[i].b = NTT_diff(x->t4, nowts);
		c[i].u = leg(x->t2, x->t1, base) + x->prec;
		c[i].l = leg(x->t3, x->t4, base) - x->prec;
	}

	/* All samples, if one line (or, when the rate may vary, one offset)
	 * fits them.  If none does, the model is broken: a server stepped
	 * its clock, or the rates differ by more than the bound.  Then a
	 * subset that still fits is no proof (beyond the bound, a line at
	 * the bound's edge can fit a few jittery samples and be confidently
	 * wrong), so only the newest sample is used: its interval moves with
	 * the rate only for the moments since it was taken. */
	r->flags = 0;
	first = 0;
	if (n > 1 && (vary ? legs(c, n, bound, &lo, &hi) : joint(c, n, bound, &lo, &hi, &rlo, &rhi)) < 0) {
		r->flags |= FLT_F_INCONSISTENT;
		first = n - 1;
	}
	if (n - first == 1 || vary) {
		if (n - first == 1)
			legs(c + first, 1, bound, &lo, &hi);
		rlo = -bound;
		rhi = bound;
	}
	k = n - first;
	est = k == 1 ? FLT_EST_SINGLE : vary ? FLT_EST_LEGS : FLT_EST_JOINT;

	r->estimator = est;
	r->n_used = k;
	/* The estimate: at the most plausible rate when a line was fitted,
	 * else (one sample, or a rate that may vary) the interval's middle. */
	slo = lo;
	shi = hi;
	if (est == FLT_EST_JOINT) {
		xrate = plausible_rate(c, k, rlo, rhi);
		slo = fmin(fmax(lower_at(c, k, xrate), lo), hi);
		shi = fmin(fmax(upper_at(c, k, xrate), slo), hi);
	}
	est_x = (slo + shi) / 2.0;
	r->offset = basef + est_x;
	r->halfwidth = (hi - lo) / 2.0;
	r->rate = (rlo + rhi) / 2.0;
	r->rate_halfwidth = (rhi - rlo) / 2.0;
	r->est_rate = xrate;

	/* Display figures over the samples used: the minimum-delay one, the
	 * RFC 5905 filter dispersion, the residuals around the model. */
	best = order[first];
	for (i = first; i < n; i++)
		if (s[order[i]].delay < s[best].delay)
			best = order[i];
	for (i = first; i < n; i++) {
		const struct flt_sample *x = &s[order[i]];
		double mid = (c[i].u + c[i].l) / 2.0 - (est_x + xrate * (c[i].a + c[i].b) / 2.0);
		age = NTT_timespec_diff(now, &x->rx);
		disp += (x->disp + FLT_PHI * fmax(age, 0.0)) * w;
		w /= 2;
		jit += mid * mid;
	}
	jit = sqrt(jit / (double)k);
	r->best = best;
	r->delay = s[best].delay;
	r->disp = disp;
	r->jitter = fmax(jit, lprec);

	/* The interval bounds the offset to the server's clock, whatever the
	 * path's asymmetry; the server's own error vs. true time adds its root
	 * delay / 2 and root dispersion, grown at PHI since its reply, on
	 * both sides.  A last term covers the double's rounding of a large
	 * offset.  The estimate need not be the middle: its error bound is
	 * the longer side. */
	age = NTT_timespec_diff(now, &last->rx);
	extra = last->root_delay / 2.0 + last->root_disp + FLT_PHI * fmax(age, 0.0) +
	    fabs(r->offset) * 0x1p-50;
	r->lo = basef + lo;
	r->hi = basef + hi;
	r->cor_lo = basef + lo - extra;
	r->cor_hi = basef + hi + extra;
	r->likely_lo = basef + slo - extra;
	r->likely_hi = basef + shi + extra;
	r->root_distance = fmax(est_x - lo, hi - est_x) + extra;
	return 0;
}

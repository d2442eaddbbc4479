/* filter: sample maths and the per-source clock filter. */
#include "filter.h"

#include <math.h>

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
	return 0;
}

/* The per-leg estimator.  For each sample the outbound leg T2 - T1 is the
 * offset plus a one-way delay (>= 0) and the return leg T3 - T4 the offset
 * minus one, so the true offset at that moment lies in [T3 - T4, T2 - T1],
 * however asymmetric the path.  With the clocks' rate difference at most
 * rate_bound, the offset at the latest sample lies in each interval widened
 * by rate_bound times the sample's age; it lies in their intersection.
 * Its midpoint is (min(T2 - T1) - min(T4 - T3)) / 2 when the rate is
 * zero: each leg judged by its own best sample, where the minimum-delay
 * sample needs both legs good at once.  Returns 0 with the interval, or
 * -1 when the intervals do not meet (the rate assumption is wrong, or a
 * server changed its clock): then the caller falls back. */
static int
legs(const struct flt_sample *s, size_t n, size_t last, double rate_bound, double *lo, double *hi)
{
	size_t i;
	double l = -INFINITY, h = INFINITY;

	for (i = 0; i < n; i++) {
		double age = fabs(NTT_diff(s[last].t4, s[i].t4));
		double w = rate_bound * age + s[i].disp;
		double out = NTT_diff(s[i].t2, s[i].t1) + w;
		double ret = NTT_diff(s[i].t3, s[i].t4) - w;
		if (out < h)
			h = out;
		if (ret > l)
			l = ret;
	}
	if (!(l <= h))
		return -1;
	*lo = l;
	*hi = h;
	return 0;
}

const char *
FLT_estimator_name(int est)
{
	return est == FLT_EST_LEGS ? "legs" : "min-delay";
}

int
FLT_filter(const struct flt_sample *s, size_t n, const struct timespec *now,
    int8_t local_prec, double rate_bound, struct flt_result *r)
{
	double lo, hi;

	size_t order[FLT_MAX_SAMPLES];
	size_t i, j, best, last = 0;
	double disp = 0.0, jit = 0.0, w = 0.5, age;

	if (n == 0)
		return -1;
	if (n > FLT_MAX_SAMPLES)
		n = FLT_MAX_SAMPLES;
	for (i = 0; i < n; i++)
		order[i] = i;
	/* Insertion sort by delay: n <= 8. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && s[order[j]].delay < s[order[j - 1]].delay; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	best = order[0];
	for (i = 0; i < n; i++) {
		const struct flt_sample *x = &s[order[i]];
		age = NTT_timespec_diff(now, &x->rx);
		disp += (x->disp + FLT_PHI * fmax(age, 0.0)) * w;
		w /= 2;
		if (i > 0)
			jit += (x->offset - s[best].offset) * (x->offset - s[best].offset);
	}
	jit = n > 1 ? sqrt(jit / (double)(n - 1)) : 0.0;
	if (jit < NTT_log2_to_double(local_prec))
		jit = NTT_log2_to_double(local_prec);

	r->best = best;
	r->offset = s[best].offset;
	r->delay = s[best].delay;
	r->disp = disp;
	r->jitter = jit;
	r->estimator = FLT_EST_MINDELAY;
	r->halfwidth = s[best].delay / 2.0;
	/* lambda = (root delay + delay) / 2 + root dispersion + dispersion
	 * + PHI * age + jitter (RFC 5905 section 11.2, without MINDISP so a
	 * LAN bound stays a LAN bound). */
	age = NTT_timespec_diff(now, &s[best].rx);
	r->root_distance = (s[best].root_delay + s[best].delay) / 2.0 + s[best].root_disp + disp +
	    FLT_PHI * fmax(age, 0.0) + jit;
	for (i = 1; i < n; i++)
		if (NTT_diff(s[i].t4, s[last].t4) > 0)
			last = i;
	if (n >= 2 && rate_bound >= 0 && legs(s, n, last, rate_bound, &lo, &hi) == 0) {
		/* The intersection is itself a bound on the offset, whatever
		 * the path's asymmetry: no jitter term is needed on top. */
		age = NTT_timespec_diff(now, &s[last].rx);
		r->offset = (lo + hi) / 2.0;
		r->halfwidth = (hi - lo) / 2.0;
		r->estimator = FLT_EST_LEGS;
		r->root_distance = s[last].root_delay / 2.0 + s[last].root_disp + r->halfwidth +
		    FLT_PHI * fmax(age, 0.0) + NTT_log2_to_double(local_prec);
	}
	return 0;
}

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

int
FLT_filter(const struct flt_sample *s, size_t n, const struct timespec *now,
    int8_t local_prec, struct flt_result *r)
{
	size_t order[FLT_MAX_SAMPLES];
	size_t i, j, best;
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
		disp += (x->disp + FLT_PHI * (age > 0 ? age : 0)) * w;
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
	/* lambda = (root delay + delay) / 2 + root dispersion + dispersion
	 * + PHI * age + jitter (RFC 5905 section 11.2, without MINDISP so a
	 * LAN bound stays a LAN bound). */
	age = NTT_timespec_diff(now, &s[best].rx);
	r->root_distance = (s[best].root_delay + s[best].delay) / 2.0 + s[best].root_disp + disp +
	    FLT_PHI * (age > 0 ? age : 0) + jit;
	return 0;
}

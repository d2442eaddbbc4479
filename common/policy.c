/* policy: when to ask a source again, all in one place: each source's
 * own rule and the joint rule over every source. */
#include "policy.h"

#include <math.h>
#include <string.h>

/* The adaptive policy stops sampling a source once the interval that
 * must hold its offset is at most this wide on each side: more samples
 * can only narrow that interval, so they cannot buy more than 0.5 ms,
 * while each costs a 2 s wait.  A loopback or LAN server gets there with
 * its first reply. */
#define POL_GOOD_HALFWIDTH 0.0005

/* The sampling policy, all in one place: may this source be sent
 * another request? */
int
POL_want_more(const struct eng_run *run, const struct eng_source *s)
{
	if (s->end != END_NONE || run->joint_stop)
		return 0;
	if (s->n_req >= ENG_max_requests(run))
		return 0;
	if (run->cfg.samples > 0 || s->n_samples == 0)
		return 1;
	return !(s->have_est && s->est.halfwidth <= POL_GOOD_HALFWIDTH);
}

/* Is a source still waiting for its first answer (or not yet asking)? */
static int
first_pending(const struct eng_source *s)
{
	if (s->state == SRC_DONE || s->n_samples > 0)
		return 0;
	if (s->state != SRC_READY || s->n_req == 0)
		return 1;
	return s->n_req == 1 && s->req[0].outcome == REQ_PENDING;
}

/* The mean excess of leg values over their best, scaled to estimate
 * the jitter's mean: for n exponential excesses above a floor, the mean
 * less the minimum is expected to be the mean excess times (n - 1) / n. */
static double
mean_excess(const double *v, size_t n)
{
	double lo = INFINITY, sum = 0;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		lo = fmin(lo, v[i]);
		sum += v[i];
	}
	return (sum / (double)n - lo) * (double)n / (double)(n - 1);
}

/* The joint stopping rule.  Once every source has answered once (or had
 * its chance), the sources that agree are looked at together: the offset
 * lies between the lowest outbound leg and the highest return leg of all
 * their samples (SEL_select's common part).  Another round would add one
 * sample per source still asking (m); with the legs' jitter mean mu
 * estimated on each side from all n samples (mean_excess), it would
 * narrow the common part by about mu * (1/n - 1/(n + m)): the expected
 * gain in the minimum of n exponential excesses going to n + m.  When
 * that is below what the policy calls good (0.5 ms), or the common part
 * is already that narrow, no source is asked again.
 *
 * The model takes one floor (the smallest possible leg) for all sources,
 * as in a pool of alike paths: four servers over 10 ms + 10 ms exponential
 * jitter each way stop after two rounds.  Paths of different lengths make
 * the legs' spread, so mu and the expected gain, larger: such a run asks
 * more, never less.  (Giving each source its own floor, estimated from
 * its own few samples, was tried: it cannot tell alike paths from unlike
 * ones after two samples each, and asked a pool of alike paths all four
 * times.) */
void
POL_joint_check(struct eng_run *run)
{
	struct sel_cand c[ENG_MAX_SOURCES];
	double up[ENG_MAX_SOURCES * ENG_MAX_REQUESTS], down[ENG_MAX_SOURCES * ENG_MAX_REQUESTS];
	struct sel_result r;
	size_t i, k, n = 0, m = 0;
	double gain;

	if (run->cfg.samples > 0 || run->joint_stop)
		return;
	for (i = 0; i < run->n_names; i++)
		if (run->names[i].state == NAME_PENDING)
			return;
	for (i = 0; i < run->n_src; i++) {
		const struct eng_source *s = &run->src[i];
		if (first_pending(s))
			return;
		ENG_make_cand(s, &c[i]);
	}
	if (SEL_select(c, run->n_src, &r) < 0 || r.n_true < 2)
		return;
	for (i = 0; i < run->n_src; i++) {
		const struct eng_source *s = &run->src[i];
		if (!c[i].usable || c[i].verdict == SEL_FALSETICKER)
			continue;
		for (k = 0; k < s->n_samples; k++) {
			const struct flt_sample *x = &s->samples[k];
			double lam = x->root_delay / 2 + x->root_disp;
			up[n] = x->offset + x->delay / 2 + lam;     /* T2 - T1, widened */
			down[n] = -(x->offset - x->delay / 2 - lam); /* -(T3 - T4), widened */
			n++;
		}
		m += s->state == SRC_READY && s->end == END_NONE && s->n_req < ENG_max_requests(run);
	}
	gain = (mean_excess(up, n) + mean_excess(down, n)) / 2 *
	    (1.0 / (double)n - 1.0 / (double)(n + m));
	if ((r.bound_hi - r.bound_lo) / 2 <= POL_GOOD_HALFWIDTH || gain < POL_GOOD_HALFWIDTH)
		run->joint_stop = 1;
}


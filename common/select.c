/* select: intersection, clustering and combining (RFC 5905 11.2). */
#include "select.h"

#include <math.h>
#include <stdlib.h>

/* A candidate's root distance as RFC 5905 ranks and weighs by: half
 * its correctness interval's width. */
static double
lambda(const struct sel_cand *c)
{
	return (c->hi - c->lo) / 2;
}

/* A survivor's own noise, as clustering compares the spread of the
 * survivors' offsets with: its filter jitter, but never less than half
 * its likely interval, the part of its correctness interval its samples
 * leave most plausible (with two or three samples the RMS of their
 * residuals says little, and the estimate is only known to that width). */
static double
peer_jitter(const struct sel_cand *c)
{
	return fmax(c->jitter, (c->likely_hi - c->likely_lo) / 2);
}

struct edge {
	double val;
	int type; /* -1 low end, +1 high end */
};

static int
edge_cmp(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->val < y->val)
		return -1;
	if (x->val > y->val)
		return 1;
	return x->type - y->type;
}

/* Intersection (RFC 5905 11.2.1 as ntpd 4.2.8 and chrony run it): the
 * smallest interval that lies within the correctness intervals of the
 * most candidates, for "allow" falsetickers from 0 up to just under half.
 * Endpoints only: requiring the midpoints inside as well (the RFC's
 * figure) throws out honest servers whose wide intervals contain the
 * truth.  Returns 0 and the interval, or -1 if no majority agrees. */
static int
intersect(const struct sel_cand *c, size_t n, size_t m, struct edge *e, double *lowp, double *highp)
{
	size_t i, k = 0, allow;
	int chime;
	double low = 0, high = 0;

	for (i = 0; i < n; i++) {
		if (!c[i].usable)
			continue;
		e[k++] = (struct edge){ c[i].lo, -1 };
		e[k++] = (struct edge){ c[i].hi, 1 };
	}
	qsort(e, k, sizeof(*e), edge_cmp);
	for (allow = 0; 2 * allow < m; allow++) {
		low = INFINITY;
		high = -INFINITY;
		chime = 0;
		for (i = 0; i < k; i++) {
			chime -= e[i].type;
			if (chime >= (int)(m - allow)) {
				low = e[i].val;
				break;
			}
		}
		chime = 0;
		for (i = k; i-- > 0;) {
			chime += e[i].type;
			if (chime >= (int)(m - allow)) {
				high = e[i].val;
				break;
			}
		}
		if (low <= high) {
			*lowp = low;
			*highp = high;
			return 0;
		}
	}
	return -1;
}

/* Every source at once: the true offset lies in each truechimer's
 * correctness interval, so it lies in their common part, which is
 * narrower than any one of them (the survivors of clustering are taken,
 * so an outlier does not pull the middle): its bounds are the tightest outbound leg
 * and the tightest return leg, whichever servers they came from.  A server
 * with a short path on one leg only narrows that side and nothing else,
 * where an average of per-server midpoints would take its asymmetry in.
 * With two survivors or more whose intervals meet, the common part is
 * the result's interval, and the offset the middle of the common part of
 * the likely intervals (each source's own estimate is the middle of its
 * own: the offsets its samples allow at the rate they make most
 * plausible, so old samples are not widened by the whole rate bound),
 * kept inside the interval; if the likely parts do not meet, the
 * interval's middle.  The bound is the interval's longer side from the
 * offset.  Without a common part narrower than the combination's bound,
 * the combined offset stands. */
static void
joint(const struct sel_cand *c, const size_t *surv, size_t nsurv, struct sel_result *r)
{
	double lo = -INFINITY, hi = INFINITY, llo = -INFINITY, lhi = INFINITY, off;
	size_t i, k = 0;

	for (i = 0; i < nsurv; i++) {
		lo = fmax(lo, c[surv[i]].lo);
		hi = fmin(hi, c[surv[i]].hi);
		llo = fmax(llo, c[surv[i]].likely_lo);
		lhi = fmin(lhi, c[surv[i]].likely_hi);
		k++;
	}
	r->joint = 0;
	if (k < 2 || !(lo <= hi) || !((hi - lo) / 2 < r->bound))
		return;
	off = llo <= lhi ? fmin(fmax((llo + lhi) / 2, lo), hi) : (lo + hi) / 2;
	r->offset = off;
	r->bound = fmax(off - lo, hi - off);
	r->bound_lo = lo;
	r->bound_hi = hi;
	r->joint = 1;
}

int
SEL_select(struct sel_cand *c, size_t n, struct sel_result *r)
{
	size_t i, j, m = 0, nsurv = 0, *surv = NULL;
	struct edge *e = NULL;
	double low, high, num = 0, den = 0, bound;
	int ret = -1;

	r->n_usable = r->n_true = r->n_survivors = 0;
	for (i = 0; i < n; i++) {
		c[i].verdict = SEL_UNUSABLE;
		if (c[i].usable && isfinite(c[i].lo) && isfinite(c[i].hi) &&
		    c[i].lo <= c[i].likely_lo && c[i].likely_lo <= c[i].offset &&
		    c[i].offset <= c[i].likely_hi && c[i].likely_hi <= c[i].hi)
			m++;
		else
			c[i].usable = 0;
	}
	r->n_usable = m;
	if (m == 0)
		return -1;
	e = calloc(2 * m, sizeof(*e));
	surv = calloc(m, sizeof(*surv));
	if (e == NULL || surv == NULL)
		goto out;
	if (intersect(c, n, m, e, &low, &high) < 0) {
		for (i = 0; i < n; i++)
			if (c[i].usable)
				c[i].verdict = SEL_FALSETICKER;
		goto out;
	}
	r->low = low;
	r->high = high;
	for (i = 0; i < n; i++) {
		if (!c[i].usable)
			continue;
		/* a falseticker's interval misses the intersection */
		if (c[i].hi < low || c[i].lo > high) {
			c[i].verdict = SEL_FALSETICKER;
			continue;
		}
		c[i].verdict = SEL_OUTLIER;
		surv[nsurv++] = i;
	}
	r->n_true = nsurv;
	/* Order survivors by merit: stratum, then root distance. */
	for (i = 1; i < nsurv; i++)
		for (j = i; j > 0; j--) {
			const struct sel_cand *a = &c[surv[j]], *b = &c[surv[j - 1]];
			if (a->stratum < b->stratum ||
			    (a->stratum == b->stratum && lambda(a) < lambda(b))) {
				size_t t = surv[j];
				surv[j] = surv[j - 1];
				surv[j - 1] = t;
			} else
				break;
		}
	/* Cluster: drop the survivor with the largest selection jitter while
	 * that exceeds the smallest peer jitter (peer_jitter: floored at half
	 * the likely section) and more than NMIN remain. */
	while (nsurv > SEL_NMIN) {
		double max_sj = -1, min_pj = INFINITY;
		size_t worst = 0;
		for (i = 0; i < nsurv; i++) {
			double sj = 0;
			for (j = 0; j < nsurv; j++) {
				double d = c[surv[j]].offset - c[surv[i]].offset;
				sj += d * d;
			}
			sj = sqrt(sj / (double)(nsurv - 1));
			if (sj > max_sj) {
				max_sj = sj;
				worst = i;
			}
			min_pj = fmin(min_pj, peer_jitter(&c[surv[i]]));
		}
		if (max_sj <= min_pj)
			break;
		for (i = worst; i + 1 < nsurv; i++)
			surv[i] = surv[i + 1];
		nsurv--;
	}
	r->n_survivors = nsurv;
	/* Combine, weighted by 1 / root distance. */
	for (i = 0; i < nsurv; i++) {
		double lam = fmax(lambda(&c[surv[i]]), 1e-9);
		num += c[surv[i]].offset / lam;
		den += 1.0 / lam;
		c[surv[i]].verdict = SEL_COMBINED;
	}
	r->offset = num / den;
	/* The true offset lies in every truechimer's correctness interval,
	 * so the distance from the combined offset to the far end of the
	 * nearest such interval bounds the error. */
	bound = INFINITY;
	for (i = 0; i < nsurv; i++) {
		const struct sel_cand *x = &c[surv[i]];
		double b = fmax(r->offset - x->lo, x->hi - r->offset);
		if (b < bound)
			bound = b;
	}
	r->bound = bound;
	r->bound_lo = r->offset - bound;
	r->bound_hi = r->offset + bound;
	joint(c, surv, nsurv, r);
	r->sys_peer = surv[0];
	c[surv[0]].verdict = SEL_SYSPEER;
	ret = 0;
out:
	free(e);
	free(surv);
	return ret;
}

const char *
SEL_verdict_name(enum sel_verdict v)
{
	switch (v) {
	case SEL_UNUSABLE: return "unusable";
	case SEL_FALSETICKER: return "falseticker";
	case SEL_OUTLIER: return "outlier";
	case SEL_COMBINED: return "combined";
	case SEL_SYSPEER: return "system peer";
	}
	return "?";
}

/* select: RFC 5905 section 11.2 across sources: the intersection
 * algorithm with a majority rule (falsetickers out), clustering (outliers
 * out), and combining the survivors weighted by root distance into one
 * offset with an error bound. */
#ifndef SELECT_H
#define SELECT_H

#include <stddef.h>

#define SEL_NMIN 3 /* clustering never goes below this many survivors */

/* Verdict for one candidate. */
enum sel_verdict {
	SEL_UNUSABLE = 0,   /* not a candidate (set by the caller) */
	SEL_FALSETICKER,    /* interval misses the majority's intersection */
	SEL_OUTLIER,        /* truechimer dropped by clustering */
	SEL_COMBINED,       /* survivor, combined into the result */
	SEL_SYSPEER,        /* the best survivor */
};

struct sel_cand {
	/* inputs */
	int usable;           /* 1 if this source has an estimate */
	double offset;        /* the source's estimate, within [lo, hi] */
	double lo, hi;        /* its correctness interval: the true offset lies
			       * inside (not always centred on offset) */
	double likely_lo, likely_hi; /* the part of [lo, hi] the source's own
			       * estimate takes as likely, offset within it */
	double jitter;        /* the source's filter jitter */
	int stratum;
	/* output */
	enum sel_verdict verdict;
};

struct sel_result {
	double offset;      /* combined offset, seconds */
	double bound;       /* error bound on it, seconds */
	double bound_lo, bound_hi; /* the interval the true offset lies in,
			     * offset within it; bound is its longer side */
	double low, high;   /* the intersection interval */
	size_t sys_peer;    /* index of the best survivor */
	size_t n_true;      /* truechimers */
	size_t n_survivors; /* after clustering */
	size_t n_usable;    /* candidates that took part */
	int joint;          /* offset and bound are the truechimers' common
			     * interval, not the weighted combination */
};

/* Run intersection, cluster and combine over n candidates; with two
 * truechimers or more, the offset and bound are then narrowed to the
 * common part of their intervals.  Returns 0 and
 * fills *r and each verdict, or -1 when no majority of the usable
 * candidates agrees (or none is usable); verdicts are still filled
 * (everyone usable is then a falseticker). */
int SEL_select(struct sel_cand *c, size_t n, struct sel_result *r);

/* Short name of a verdict. */
const char *SEL_verdict_name(enum sel_verdict v);

#endif

/* filter: one sample's offset, delay and dispersion (RFC 5905 section 8)
 * and the per-source filter that turns a source's samples into one offset
 * interval at the current instant, with its estimate, jitter and root
 * distance.  The model (see FLT_filter) estimates the offset and the two
 * clocks' rate difference together, so the interval holds for every rate
 * within the bound the caller passes. */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>
#include <time.h>

#include "ntptime.h"

#define FLT_PHI 15e-6        /* a synchronised server's frequency tolerance, s/s */
#define FLT_MAX_SAMPLES 8

/* One measurement.  t1/t4 are local instants, t2/t3 server timestamps. */
struct flt_sample {
	NTP_ts t1, t2, t3, t4;
	struct timespec rx;   /* local receive instant (for ages) */
	double offset;        /* server minus local, seconds */
	double delay;         /* round trip, seconds */
	double disp;          /* dispersion, seconds */
	double prec;          /* local plus server reading precision, seconds */
	double root_delay;    /* server's root delay */
	double root_disp;     /* server's root dispersion */
	int stratum;
};

/* Compute offset, delay and dispersion of one exchange. local_prec and
 * server_prec are log2 seconds.  Returns 0, or -1 if the delay is
 * negative beyond the precisions (a broken or forged exchange). */
int FLT_sample(struct flt_sample *s, NTP_ts t1, NTP_ts t2, NTP_ts t3, NTP_ts t4,
    int8_t local_prec, int8_t server_prec);

/* The filter's result for one source. */
struct flt_result {
	size_t best;          /* index of the minimum-delay sample among those used */
	double offset;        /* estimate at `now`, seconds, within [lo, hi] but
			       * not always their middle (see FLT_filter) */
	double lo, hi;        /* the offset's interval at `now`: every offset to
			       * the server's clock the samples allow */
	double cor_lo, cor_hi; /* the correctness interval, to true time: [lo,
			       * hi] widened by the server's root delay / 2 and
			       * root dispersion (aged) */
	double likely_lo, likely_hi; /* the correctness interval at est_rate
			       * alone (the polygon's section there, widened
			       * the same way): offset is its middle, and
			       * cor_lo <= likely_lo <= likely_hi <= cor_hi */
	double delay;         /* the best sample's delay */
	double disp;          /* filter dispersion (RFC 5905 weighting) */
	double jitter;        /* RMS of the used samples' residuals around the
			       * estimate's line (offset, est_rate) */
	double root_distance; /* lambda: the estimate's error bound, the longer
			       * of offset - cor_lo and cor_hi - offset */
	double halfwidth;     /* half the width of the samples' offset interval
			       * at `now` (without the server's root terms) */
	double rate;          /* rate difference (server minus local, s/s), the middle of its range */
	double rate_halfwidth; /* half the width of that range (the bound when unknown) */
	double est_rate;      /* the rate the estimate was taken at (0 unless joint) */
	int estimator;        /* which model produced offset (FLT_EST_*) */
	int flags;            /* FLT_F_* facts about the samples */
	size_t n_used;        /* how many samples the model used (all, or 1) */
};

#define FLT_EST_SINGLE 0   /* one sample, its interval widened at the rate bound */
#define FLT_EST_LEGS 1     /* rate may change mid-run: each leg's interval widened, intersected */
#define FLT_EST_JOINT 2    /* constant rate: the (offset, rate) polygon of all samples */

#define FLT_F_INCONSISTENT 0x1 /* no (offset, rate) within the bound fits every
				* sample: only the newest one is used */

/* Run the filter over n >= 1 samples (any order; at most FLT_MAX_SAMPLES
 * are read); now is the current local instant; local_prec log2 s.
 *
 * The model: the server's clock minus the local clock is a line
 * theta(t) = theta(now) + rate * (t - now) with |rate| <= rate_bound.  A
 * sample's request left at local T1 and reached the server (read T2) no
 * earlier, so theta(T1) <= T2 - T1; its reply left the server (T3) no
 * later than its arrival at local T4, so theta(T4) >= T3 - T4 (each
 * widened by the two reading precisions).  Every one-way delay, however
 * asymmetric, is inside these two inequalities, each at its own instant.
 * The pairs (theta(now), rate) that satisfy all of them form a convex
 * polygon; the offset's interval is its projection on theta(now).  The
 * estimate is the middle of the polygon's vertical section at the most
 * plausible rate (the data's likelihood for exponential delay jitter
 * times a prior of 50 ppm scale on the rate; see plausible_rate in
 * filter.c), so it lies in the interval, usually off its middle: on a
 * jittery path it takes old samples at a rate near 0 instead of widened
 * by the bound, on a clean one the rate the samples pin.  With one
 * sample, or when the rate may vary, it is the interval's middle.  If
 * the polygon is empty the model is broken (a server stepped
 * its clock, or the rates differ by more than the bound):
 * FLT_F_INCONSISTENT is set and only the newest sample is used, its
 * interval widened at the bound for its age.  An old sample's offset is
 * never taken as current.
 *
 * rate_bound < 0 says the local clock is being slewed, so its rate may
 * change mid-run: |rate_bound| still bounds it, but no line is fitted;
 * each sample's interval is widened by |rate_bound| times its age and the
 * intervals are intersected.  Returns 0, or -1 when n == 0. */
int FLT_filter(const struct flt_sample *s, size_t n, const struct timespec *now,
    int8_t local_prec, double rate_bound, struct flt_result *r);

/* Short name of an estimator ("single", "legs", "joint"). */
const char *FLT_estimator_name(int est);

/* Short name of one FLT_F_* flag ("inconsistent"), NULL if unknown. */
const char *FLT_flag_name(int flag);

#endif

/* filter: one sample's offset, delay and dispersion (RFC 5905 section 8)
 * and the per-source clock filter (section 10) that turns a source's
 * samples into one estimate with its jitter and root distance. */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>
#include <time.h>

#include "ntptime.h"

#define FLT_PHI 15e-6        /* frequency tolerance, s/s */
#define FLT_MAX_SAMPLES 8

/* One measurement.  t1/t4 are local instants, t2/t3 server timestamps. */
struct flt_sample {
	NTP_ts t1, t2, t3, t4;
	struct timespec rx;   /* local receive instant (for ages) */
	double offset;        /* server minus local, seconds */
	double delay;         /* round trip, seconds */
	double disp;          /* dispersion, seconds */
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
	size_t best;          /* index of the chosen (minimum-delay) sample */
	double offset;        /* estimate, seconds */
	double delay;
	double disp;          /* filter dispersion */
	double jitter;        /* RMS offset difference to the chosen sample */
	double root_distance; /* lambda: the source's error bound */
	double halfwidth;     /* half the width of the offset's interval */
	int estimator;        /* which estimator produced offset (FLT_EST_*) */
};

#define FLT_EST_MINDELAY 0 /* offset of the minimum-delay sample */
#define FLT_EST_LEGS 1     /* per-leg minima: the samples' intersection */

/* Run the clock filter over n >= 1 samples; now is the current local
 * instant; local_prec log2 s.  rate_bound is the largest rate difference
 * (s/s) assumed between the two clocks during the run; negative forbids
 * the per-leg estimator (the local clock is being slewed).  Returns 0 or
 * -1 when n == 0. */
int FLT_filter(const struct flt_sample *s, size_t n, const struct timespec *now,
    int8_t local_prec, double rate_bound, struct flt_result *r);

/* Short name of an estimator ("min-delay", "legs"). */
const char *FLT_estimator_name(int est);

#endif

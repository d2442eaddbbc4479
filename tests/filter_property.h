/* filter_property: the filter's promise, checked on exact timestamps.
 * Shared by fuzz/fuzz_filter.c (bytes from libFuzzer) and
 * tests/check_filter.c (a seeded generator, so it runs in make check).
 *
 * A world is drawn from `next` (64 random bits a call): a rate bound, a
 * true rate within it (constant, or for the varying model two rates with
 * a change between), the true offset, 1 to 8 exchanges at random instants
 * with random one-way delays (zero included) and server turnaround
 * times.  Timestamps are computed exactly (long double, relative to a
 * random base in any NTP era) and rounded to the 2^-32 s of the wire;
 * both precisions are 2^-32 s, which covers that rounding.  The property:
 * the offset's interval [lo, hi] (and the correctness interval, and the
 * estimate's root distance) contains the true offset at `now` with no
 * slack at all, the estimate lies inside it, every sample is used, nothing is called
 * inconsistent. */
#ifndef FILTER_PROPERTY_H
#define FILTER_PROPERTY_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/filter.h"

/* A uniform draw in [0, 1]. */
static long double
fp_unit(uint64_t (*next)(void *), void *ctx)
{
	return (long double)(next(ctx) >> 11) / (long double)((1ULL << 53) - 1);
}

/* The true offset (server minus local) at local time t. */
struct fp_world {
	long double theta_now, now, rate1, rate2, change;
};

static long double
fp_theta(const struct fp_world *w, long double t)
{
	if (t >= w->change)
		return w->theta_now + w->rate2 * (t - w->now);
	return w->theta_now + w->rate2 * (w->change - w->now) + w->rate1 * (t - w->change);
}

static NTP_ts
fp_ts(NTP_ts base, long double rel)
{
	NTP_ts t = base;
	t.v += (uint64_t)(int64_t)llroundl(rel * 4294967296.0L);
	return t;
}

/* Returns 0 when the property holds, else -1 with the reason in why. */
static int
filter_property(uint64_t (*next)(void *), void *ctx, char *why, size_t whylen)
{
	static const double bounds[] = { 0, 15e-6, 50e-6, 100e-6, 515e-6, 1015e-6, 1e-3 };
	struct flt_sample s[FLT_MAX_SAMPLES];
	long double l2s[FLT_MAX_SAMPLES], l3s[FLT_MAX_SAMPLES];
	struct fp_world w;
	struct flt_result r;
	struct timespec now;
	NTP_ts base, nowts;
	long double t = 0, lo, hi, err;
	double bound;
	size_t i, k, n = 0;
	uint64_t sel = next(ctx);
	int vary = (sel & 3) == 0;
	time_t pivot;

	base.v = next(ctx);
	pivot = (time_t)(base.v >> 32) - (time_t)NTT_UNIX_EPOCH;
	bound = (sel >> 2) % 8 < 7 ? bounds[(sel >> 2) % 8] : (double)(fp_unit(next, ctx) * 2e-3L);
	/* rates: often exactly at the bound, else anywhere within it */
	w.rate1 = (2 * fp_unit(next, ctx) - 1) * bound;
	w.rate2 = (2 * fp_unit(next, ctx) - 1) * bound;
	if ((sel >> 5) % 3 == 0)
		w.rate2 = (sel >> 7) & 1 ? bound : -bound;
	if (!vary)
		w.rate1 = w.rate2;
	w.theta_now = (2 * fp_unit(next, ctx) - 1) * powl(10, (int)((sel >> 8) % 7) - 3);
	k = 1 + (sel >> 12) % FLT_MAX_SAMPLES;
	for (i = 0; i < k; i++) {
		long double u = fp_unit(next, ctx), v = fp_unit(next, ctx), x = fp_unit(next, ctx);
		long double t1, l2, l3, t4, dout, dback;
		/* sample gaps of up to 3 s, one-way delays of 0 to 0.3 s,
		 * mostly short, each leg zero one time in eight */
		t += (i == 0 ? 0 : 3 * u * u * u);
		dout = (next(ctx) & 7) == 0 ? 0 : 0.3L * v * v * v * v;
		dback = (next(ctx) & 7) == 0 ? 0 : 0.3L * x * x * x * x;
		t1 = t;
		l2 = t1 + dout;
		l3 = l2 + 0.01L * fp_unit(next, ctx);
		t4 = l3 + dback;
		t = t4;
		/* the change of rate (varying model) falls anywhere */
		if (i == 0)
			w.change = t1 + 20 * fp_unit(next, ctx);
		memset(&s[n], 0, sizeof(s[n]));
		s[n].t1 = fp_ts(base, t1);
		s[n].t4 = fp_ts(base, t4);
		l2s[n] = l2;
		l3s[n++] = l3;
	}
	w.now = t + 2 * fp_unit(next, ctx) * fp_unit(next, ctx);
	if (w.change > w.now)
		w.change = w.now;
	for (i = 0; i < n; i++) {
		long double l2 = l2s[i], l3 = l3s[i];
		NTP_ts T1 = s[i].t1, T4 = s[i].t4;
		NTP_ts T2 = fp_ts(base, l2 + fp_theta(&w, l2)), T3 = fp_ts(base, l3 + fp_theta(&w, l3));
		memset(&s[i], 0, sizeof(s[i]));
		if (FLT_sample(&s[i], T1, T2, T3, T4, -32, -32) < 0) {
			/* a fast server clock and zero delays make the
			 * round trip negative: the engine drops such a reply
			 * too, so the world goes on without it */
			s[i].t1.v = s[i].t4.v = 0;
			continue;
		}
		s[i].rx = NTT_to_timespec(T4, pivot);
		s[i].stratum = 1;
	}
	for (i = k = 0; i < n; i++)
		if (s[i].t4.v != 0 || s[i].t1.v != 0)
			s[k++] = s[i];
	if (k == 0)
		return 0;
	/* any order: the filter sorts by arrival */
	for (i = k - 1; i > 0; i--) {
		size_t j = next(ctx) % (i + 1);
		struct flt_sample tmp = s[i];
		s[i] = s[j];
		s[j] = tmp;
	}
	nowts = fp_ts(base, w.now);
	now = NTT_to_timespec(nowts, pivot);
	if (FLT_filter(s, k, &now, -32, vary ? -bound : bound, &r) != 0) {
		snprintf(why, whylen, "FLT_filter failed on %zu samples", k);
		return -1;
	}
	/* the estimate need not be the middle: the interval is [lo, hi] */
	lo = r.lo;
	hi = r.hi;
	err = fabsl(w.theta_now - (long double)r.offset);
	if (!(lo <= w.theta_now && w.theta_now <= hi) || !(err <= r.root_distance) ||
	    !(r.cor_lo <= w.theta_now && w.theta_now <= r.cor_hi) ||
	    !(r.lo <= r.offset && r.offset <= r.hi) || !(r.cor_lo <= r.lo && r.hi <= r.cor_hi) ||
	    r.flags != 0 || r.n_used != k || !(r.halfwidth >= 0) ||
	    !(fabsl((hi - lo) / 2 - r.halfwidth) <= 1e-9L + 1e-12L * fabsl(w.theta_now))) {
		snprintf(why, whylen,
		    "%s model, %zu samples, bound %.3g, rates %.6Lg/%.6Lg: truth %.12Lf outside "
		    "[%.12f, %.12f] (estimate %.12f, error %.3Le, its bound %.3e), flags %d, used %zu",
		    vary ? "varying" : "constant", k, bound, w.rate1, w.rate2, w.theta_now,
		    r.lo, r.hi, r.offset, err, r.root_distance, r.flags, r.n_used);
		return -1;
	}
	return 0;
}

#endif

/* estsim: the pool estimators in simulation, to weigh a design before a
 * 30-minute `make bench` (not a test; no sockets, no clock).
 *
 * Four servers on one true clock (offset 0, rate 0); each round every
 * server is asked once, 2 s apart; each leg is its path's floor (plus or
 * minus half its asymmetry) plus an exponential excess of mean 10 ms.
 * `pool`: four alike paths of 10 ms each way.  `hetero`: floors 5, 15, 30
 * and 60 ms with asymmetries +4, -2, +1, -3 ms (out minus back), as in
 * bench.sh.  Each trial runs the real FLT_filter and SEL_select over the
 * samples, each source's candidate made by ENG_cand_from_est as ENG_run's
 * finish does, and prints the error of:
 *   selected  - what ntpupdate reports (SEL_select's offset);
 *   all-true  - the middle of every truechimer's likely part, clustering
 *               ignored (what clustering costs when it drops a source);
 *   legs      - the middle between the lowest outbound leg and the
 *               highest return leg over every sample (the best a
 *               rate-blind intersection can do; no bound);
 *   ntpdig-p4 - a model of `ntpdig -p 4` over the same paths, for scale:
 *               four more requests per server in a burst, and the one
 *               sample of the 16 with the smallest delay (its
 *               clock_select sorts on stratum, then delay / 2).
 * And how often SEL_select's interval missed the truth (it must be 0).
 *
 * usage: bench-estsim pool|hetero ROUNDS TRIALS [SEED] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/engine.h"
#include "common/filter.h"
#include "common/select.h"

#define NSRC 4
#define JITTER 0.010
#define TURN 20e-6 /* the server's T3 - T2 */

static double
excess(unsigned short *seed)
{
	return -JITTER * log(1.0 - erand48(seed));
}

/* One exchange's two legs over path i: its floor plus or minus half its
 * asymmetry, plus each leg's own excess (outbound drawn first). */
static void
draw_legs(const double *floor_, const double *asym, int i, unsigned short *seed, double *out,
    double *back)
{
	*out = floor_[i] + asym[i] / 2 + excess(seed);
	*back = floor_[i] - asym[i] / 2 + excess(seed);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void
print_row(const char *name, double *e, int n)
{
	qsort(e, (size_t)n, sizeof(*e), cmp_double);
	printf("%-9s |err| p50 %6.0f us  p95 %6.0f us\n", name, e[n / 2] * 1e6,
	    e[(n * 95) / 100] * 1e6);
}

static struct timespec
ts_of(double t)
{
	struct timespec ts = { (time_t)floor(t), (long)((t - floor(t)) * 1e9) };
	return ts;
}

int
main(int argc, char **argv)
{
	double floor_[NSRC] = { 0.010, 0.010, 0.010, 0.010 }, asym[NSRC] = { 0, 0, 0, 0 };
	static const double hfloor[NSRC] = { 0.005, 0.015, 0.030, 0.060 };
	static const double hasym[NSRC] = { 0.004, -0.002, 0.001, -0.003 };
	unsigned short seed[3] = { 1, 2, 3 };
	int rounds, trials, t, i, k, miss = 0, dropped = 0;
	double *e_sel, *e_all, *e_legs, *e_dig;

	if (argc < 4 || (strcmp(argv[1], "pool") != 0 && strcmp(argv[1], "hetero") != 0)) {
		fprintf(stderr, "usage: bench-estsim pool|hetero ROUNDS TRIALS [SEED]\n");
		return 2;
	}
	rounds = atoi(argv[2]);
	trials = atoi(argv[3]);
	if (rounds < 1 || rounds > FLT_MAX_SAMPLES || trials < 20) {
		fprintf(stderr, "bench-estsim: ROUNDS 1..%d, TRIALS >= 20\n", FLT_MAX_SAMPLES);
		return 2;
	}
	if (argc > 4)
		seed[0] = (unsigned short)atoi(argv[4]);
	if (strcmp(argv[1], "hetero") == 0) {
		memcpy(floor_, hfloor, sizeof(floor_));
		memcpy(asym, hasym, sizeof(asym));
	}
	e_sel = calloc((size_t)trials, sizeof(double));
	e_all = calloc((size_t)trials, sizeof(double));
	e_legs = calloc((size_t)trials, sizeof(double));
	e_dig = calloc((size_t)trials, sizeof(double));
	if (e_sel == NULL || e_all == NULL || e_legs == NULL || e_dig == NULL)
		return 1;
	for (t = 0; t < trials; t++) {
		struct flt_sample s[NSRC][FLT_MAX_SAMPLES];
		struct sel_cand c[NSRC];
		struct sel_result r;
		struct timespec now;
		double up = INFINITY, down = -INFINITY, llo = -INFINITY, lhi = INFINITY, t0 = 1e6;

		memset(s, 0, sizeof(s));
		for (i = 0; i < NSRC; i++)
			for (k = 0; k < rounds; k++) {
				double t1 = t0 + 2.0 * k + 0.001 * i, t2, t3, t4, out, back;
				NTP_ts z = NTT_make(0, 0);
				draw_legs(floor_, asym, i, seed, &out, &back);
				t2 = t1 + out;
				t3 = t2 + TURN;
				t4 = t3 + back;
				FLT_sample(&s[i][k], NTT_add(z, t1), NTT_add(z, t2), NTT_add(z, t3),
				    NTT_add(z, t4), -24, -24);
				s[i][k].rx = ts_of(t4);
				s[i][k].stratum = 2;
				up = fmin(up, t2 - t1);
				down = fmax(down, t3 - t4);
			}
		{
			double best_d = INFINITY, best_o = 0;
			for (i = 0; i < NSRC; i++)
				for (k = 0; k < 4; k++) {
					double o, b;
					draw_legs(floor_, asym, i, seed, &o, &b);
					if (o + b < best_d) {
						best_d = o + b;
						best_o = (o - b) / 2;
					}
				}
			e_dig[t] = fabs(best_o);
		}
		now = ts_of(t0 + 2.0 * (rounds - 1) + 0.2);
		for (i = 0; i < NSRC; i++) {
			struct flt_result fr;
			if (FLT_filter(s[i], (size_t)rounds, &now, -24, 515e-6, &fr) == 0)
				ENG_cand_from_est(&fr, 2, &c[i]);
			else
				memset(&c[i], 0, sizeof(c[i]));
		}
		if (SEL_select(c, NSRC, &r) < 0) {
			e_sel[t] = e_all[t] = e_legs[t] = INFINITY; /* e_dig[t] stands */
			continue;
		}
		miss += !(r.bound_lo <= 0 && 0 <= r.bound_hi);
		dropped += r.n_survivors < r.n_true;
		for (i = 0; i < NSRC; i++)
			if (c[i].verdict != SEL_FALSETICKER && c[i].verdict != SEL_UNUSABLE) {
				llo = fmax(llo, c[i].likely_lo);
				lhi = fmin(lhi, c[i].likely_hi);
			}
		e_sel[t] = fabs(r.offset);
		e_all[t] = llo <= lhi ? fabs(fmin(fmax((llo + lhi) / 2, r.bound_lo), r.bound_hi)) :
		    e_sel[t];
		e_legs[t] = fabs((up + down) / 2);
	}
	printf("%s, %d rounds, %d trials: clustering dropped a truechimer in %d, "
	    "bound missed the truth in %d\n", argv[1], rounds, trials, dropped, miss);
	print_row("selected", e_sel, trials);
	print_row("all-true", e_all, trials);
	print_row("legs", e_legs, trials);
	print_row("ntpdig-p4", e_dig, trials);
	free(e_sel);
	free(e_dig);
	free(e_all);
	free(e_legs);
	return miss == 0 ? 0 : 1;
}

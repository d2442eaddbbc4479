/* Unit tests: common/filter (sample maths against hand-worked values,
 * the clock filter). */
#include <math.h>

#include "common/filter.h"
#include "check_common.h"

#define B NTT_make(3900000000u, 0)
#define EPS 1e-9

START_TEST(t_sample_hand_worked)
{
	struct flt_sample s;
	/* T1 = 0, T2 = 60 ms, T3 = 61 ms, T4 = 21 ms (relative to B):
	 * offset = (60 + (61 - 21)) / 2 = 50 ms; delay = 21 - 1 = 20 ms */
	ck_assert_int_eq(FLT_sample(&s, B, NTT_add(B, 0.060), NTT_add(B, 0.061), NTT_add(B, 0.021), -20, -20), 0);
	ck_assert(fabs(s.offset - 0.050) < EPS);
	ck_assert(fabs(s.delay - 0.020) < EPS);
	ck_assert(fabs(s.disp - (2 * ldexp(1, -20) + 15e-6 * 0.021)) < EPS);
}
END_TEST

START_TEST(t_sample_negative_offset)
{
	struct flt_sample s;
	/* server 3600 s behind, 4 ms each way, 1 ms in the server */
	NTP_ts t1 = B, t2 = NTT_add(B, -3600 + 0.004), t3 = NTT_add(t2, 0.001), t4 = NTT_add(B, 0.009);
	ck_assert_int_eq(FLT_sample(&s, t1, t2, t3, t4, -20, -20), 0);
	ck_assert(fabs(s.offset + 3600) < 1e-6);
	ck_assert(fabs(s.delay - 0.008) < 1e-6);
}
END_TEST

START_TEST(t_sample_across_2036)
{
	struct flt_sample s;
	NTP_ts t1 = NTT_make(0xffffffffu, 0xf0000000u);
	/* server is 1 s ahead; the rollover lies inside the exchange */
	ck_assert_int_eq(FLT_sample(&s, t1, NTT_add(t1, 1.001), NTT_add(t1, 1.001), NTT_add(t1, 0.002), -20, -20), 0);
	ck_assert(fabs(s.offset - 1.0) < 1e-6);
	ck_assert(fabs(s.delay - 0.002) < 1e-6);
}
END_TEST

START_TEST(t_sample_negative_delay_rejected)
{
	struct flt_sample s;
	/* server spent longer than the whole round trip: impossible */
	ck_assert_int_eq(FLT_sample(&s, B, NTT_add(B, 0.001), NTT_add(B, 0.5), NTT_add(B, 0.01), -20, -20), -1);
}
END_TEST

static struct flt_sample
mk(double off, double delay)
{
	struct flt_sample s = { 0 };
	s.offset = off;
	s.delay = delay;
	s.disp = 1e-6;
	s.root_delay = 0.010;
	s.root_disp = 0.002;
	s.stratum = 2;
	s.rx.tv_sec = 1000;
	return s;
}

START_TEST(t_filter_min_delay)
{
	struct flt_sample s[4] = { mk(0.010, 0.040), mk(0.002, 0.012), mk(-0.004, 0.030), mk(0.020, 0.060) };
	struct flt_result r;
	struct timespec now = { 1000, 0 };
	double jit;
	ck_assert_int_eq(FLT_filter(s, 4, &now, -20, -1, &r), 0);
	ck_assert_uint_eq(r.best, 1);
	ck_assert(fabs(r.offset - 0.002) < EPS);
	ck_assert(fabs(r.delay - 0.012) < EPS);
	jit = sqrt(((0.008 * 0.008) + (0.006 * 0.006) + (0.018 * 0.018)) / 3);
	ck_assert(fabs(r.jitter - jit) < EPS);
	/* lambda = (0.010 + 0.012)/2 + 0.002 + disp + jitter */
	ck_assert(fabs(r.root_distance - (0.011 + 0.002 + r.disp + jit)) < EPS);
	ck_assert(r.disp > 0 && r.disp < 1e-5);
	ck_assert_int_eq(FLT_filter(s, 0, &now, -20, -1, &r), -1);
}
END_TEST

START_TEST(t_filter_single)
{
	struct flt_sample s[1] = { mk(0.5, 0.001) };
	struct flt_result r;
	struct timespec now = { 1002, 0 };
	ck_assert_int_eq(FLT_filter(s, 1, &now, -20, 50e-6, &r), 0);
	ck_assert(fabs(r.offset - 0.5) < EPS);
	ck_assert(fabs(r.jitter - ldexp(1, -20)) < EPS);
	/* two seconds of age add PHI * 2 twice (dispersion and distance) */
	ck_assert(r.root_distance > 0.0005 + 0.005 + 0.002 + 2 * 15e-6);
}
END_TEST

/* A sample with the given one-way delays, server offset theta, sent at
 * base + at seconds. */
static struct flt_sample
legs_sample(double at, double theta, double d_out, double d_back)
{
	struct flt_sample s;
	NTP_ts t1 = NTT_add(B, at), t2 = NTT_add(t1, theta + d_out), t3 = NTT_add(t2, 0.0001),
	       t4 = NTT_add(t1, d_out + 0.0001 + d_back);
	ck_assert_int_eq(FLT_sample(&s, t1, t2, t3, t4, -20, -20), 0);
	s.rx = NTT_to_timespec(t4, 1795000000);
	s.root_delay = s.root_disp = 0;
	s.stratum = 2;
	return s;
}

START_TEST(t_legs_each_leg_its_best)
{
	/* the outbound leg is fast in sample 0, the return leg in sample 2;
	 * no single sample has both */
	struct flt_sample s[3] = {
		legs_sample(0, 0.25, 0.001, 0.030),
		legs_sample(2, 0.25, 0.020, 0.020),
		legs_sample(4, 0.25, 0.030, 0.001),
	};
	struct flt_result r;
	struct timespec now = s[2].rx;
	ck_assert_int_eq(FLT_filter(s, 3, &now, -20, 50e-6, &r), 0);
	ck_assert_int_eq(r.estimator, FLT_EST_LEGS);
	/* intervals: [0.22, 0.251], [0.23, 0.27], [0.249, 0.28] (widened by
	 * rate and precision): midpoint 0.25, half-width ~1 ms */
	ck_assert(fabs(r.offset - 0.25) < 0.0003);
	ck_assert(r.halfwidth < 0.0013);
	ck_assert(fabs(r.offset - 0.25) <= r.root_distance);
	/* the minimum-delay sample alone would be 15 ms off */
	ck_assert_int_eq(FLT_filter(s, 3, &now, -20, -1, &r), 0);
	ck_assert_int_eq(r.estimator, FLT_EST_MINDELAY);
	ck_assert(fabs(r.offset - 0.25) > 0.010);
}
END_TEST

START_TEST(t_legs_bound_holds_on_asymmetric_path)
{
	/* 5 ms out, 25 ms back, every time: no estimator can see that, but
	 * the bound must still contain the truth (theta = 0) */
	struct flt_sample s[4] = {
		legs_sample(0, 0, 0.005, 0.025), legs_sample(2, 0, 0.0052, 0.0251),
		legs_sample(4, 0, 0.0051, 0.0253), legs_sample(6, 0, 0.0050, 0.0250),
	};
	struct flt_result r;
	struct timespec now = s[3].rx;
	ck_assert_int_eq(FLT_filter(s, 4, &now, -20, 50e-6, &r), 0);
	ck_assert_int_eq(r.estimator, FLT_EST_LEGS);
	ck_assert(fabs(r.offset + 0.010) < 0.0005); /* fooled by 10 ms, as all are */
	ck_assert(fabs(r.offset - 0.0) <= r.root_distance);
}
END_TEST

START_TEST(t_legs_inconsistent_falls_back)
{
	/* the server stepped its clock by 100 ms between samples: the
	 * intervals do not meet, so the rate assumption is broken */
	struct flt_sample s[2] = { legs_sample(0, 0.0, 0.002, 0.002), legs_sample(2, 0.1, 0.002, 0.002) };
	struct flt_result r;
	struct timespec now = s[1].rx;
	ck_assert_int_eq(FLT_filter(s, 2, &now, -20, 50e-6, &r), 0);
	ck_assert_int_eq(r.estimator, FLT_EST_MINDELAY);
	ck_assert_str_eq(FLT_estimator_name(r.estimator), "min-delay");
}
END_TEST

START_TEST(t_legs_rate_widening)
{
	/* local clock 400 ppm fast relative to the server over 6 s: with a
	 * 500 ppm bound the intervals meet and contain the final offset */
	struct flt_sample s[4];
	struct flt_result r;
	struct timespec now;
	int i;
	for (i = 0; i < 4; i++)
		s[i] = legs_sample(2.0 * i, -0.0004 * 2.0 * i, 0.0005, 0.0005);
	now = s[3].rx;
	ck_assert_int_eq(FLT_filter(s, 4, &now, -20, 500e-6, &r), 0);
	ck_assert_int_eq(r.estimator, FLT_EST_LEGS);
	ck_assert(fabs(r.offset - (-0.0024)) <= r.root_distance);
	/* with a 50 ppm bound they do not: fall back */
	ck_assert_int_eq(FLT_filter(s, 4, &now, -20, 50e-6, &r), 0);
	ck_assert_int_eq(r.estimator, FLT_EST_MINDELAY);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");
	ADD(tc, t_sample_hand_worked);
	ADD(tc, t_sample_negative_offset);
	ADD(tc, t_sample_across_2036);
	ADD(tc, t_sample_negative_delay_rejected);
	ADD(tc, t_filter_min_delay);
	ADD(tc, t_filter_single);
	ADD(tc, t_legs_each_leg_its_best);
	ADD(tc, t_legs_bound_holds_on_asymmetric_path);
	ADD(tc, t_legs_inconsistent_falls_back);
	ADD(tc, t_legs_rate_widening);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

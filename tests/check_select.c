/* Unit tests: common/select (intersection, cluster, combine). */
#include <math.h>

#include "common/select.h"
#include "check_common.h"

static struct sel_cand
cand(double off, double lambda)
{
	struct sel_cand c = { 0 };
	c.usable = 1;
	c.offset = off;
	c.lo = off - lambda;
	c.hi = off + lambda;
	c.likely_lo = c.lo;
	c.likely_hi = c.hi;
	c.jitter = 0.0005;
	c.stratum = 2;
	return c;
}

START_TEST(t_five_two_liars)
{
	/* 5 servers of which 2 lie by an hour: the 3 win */
	struct sel_cand c[5] = { cand(0.001, 0.010), cand(3600.0, 0.010), cand(-0.002, 0.012),
		cand(3600.003, 0.008), cand(0.0005, 0.020) };
	struct sel_result r;
	ck_assert_int_eq(SEL_select(c, 5, &r), 0);
	ck_assert_int_eq(c[1].verdict, SEL_FALSETICKER);
	ck_assert_int_eq(c[3].verdict, SEL_FALSETICKER);
	ck_assert(c[0].verdict >= SEL_COMBINED);
	ck_assert(c[2].verdict >= SEL_COMBINED);
	ck_assert(c[4].verdict >= SEL_COMBINED);
	ck_assert_uint_eq(r.n_true, 3);
	ck_assert(fabs(r.offset) < 0.003);
	ck_assert_uint_eq(r.sys_peer, 0); /* smallest root distance of the three */
	ck_assert_int_eq(c[0].verdict, SEL_SYSPEER);
	/* the three intervals' common part [-0.009, +0.010]: its middle, and
	 * half its width, narrower than any one of them */
	ck_assert_int_eq(r.joint, 1);
	ck_assert(fabs(r.offset - 0.0005) < 1e-12);
	ck_assert(fabs(r.bound - 0.0095) < 1e-12);
}
END_TEST

START_TEST(t_two_against_two)
{
	struct sel_cand c[4] = { cand(0.0, 0.01), cand(0.001, 0.01), cand(3600.0, 0.01), cand(3600.001, 0.01) };
	struct sel_result r;
	int i;
	ck_assert_int_eq(SEL_select(c, 4, &r), -1);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(c[i].verdict, SEL_FALSETICKER);
	ck_assert_uint_eq(r.n_usable, 4);
}
END_TEST

START_TEST(t_single_and_none)
{
	struct sel_cand c[3] = { cand(1.25, 0.02), cand(0, 0), cand(0, 0) };
	struct sel_result r;
	c[1].usable = 0;
	c[2].usable = 0;
	ck_assert_int_eq(SEL_select(c, 3, &r), 0);
	ck_assert(r.offset == 1.25);
	ck_assert(fabs(r.bound - 0.02) < 1e-15); /* from the interval's ends: rounded */
	ck_assert_int_eq(c[0].verdict, SEL_SYSPEER);
	ck_assert_int_eq(c[1].verdict, SEL_UNUSABLE);
	c[0].usable = 0;
	ck_assert_int_eq(SEL_select(c, 3, &r), -1);
	ck_assert_uint_eq(r.n_usable, 0);
}
END_TEST

START_TEST(t_nan_never_usable)
{
	struct sel_cand c[2] = { cand(NAN, 0.01), cand(0.1, INFINITY) };
	struct sel_result r;
	ck_assert_int_eq(SEL_select(c, 2, &r), -1);
}
END_TEST

START_TEST(t_two_disjoint)
{
	/* two servers that do not overlap: no majority */
	struct sel_cand c[2] = { cand(0.0, 0.01), cand(1.0, 0.01) };
	struct sel_result r;
	ck_assert_int_eq(SEL_select(c, 2, &r), -1);
}
END_TEST

START_TEST(t_cluster_drops_outlier)
{
	/* 5 truechimers with wide intervals, one far from the rest within
	 * them: clustering drops it when each source's own estimate is
	 * known to far better than the spread (small jitters, likely parts
	 * of +/- 1 ms) */
	struct sel_cand c[5] = { cand(0.000, 0.5), cand(0.001, 0.5), cand(-0.001, 0.5),
		cand(0.0005, 0.5), cand(0.300, 0.5) };
	struct sel_result r;
	int i;
	for (i = 0; i < 5; i++) {
		c[i].likely_lo = c[i].offset - 0.001;
		c[i].likely_hi = c[i].offset + 0.001;
	}
	ck_assert_int_eq(SEL_select(c, 5, &r), 0);
	ck_assert_uint_eq(r.n_true, 5);
	ck_assert_int_eq(c[4].verdict, SEL_OUTLIER);
	ck_assert(r.n_survivors >= 3 && r.n_survivors < 5);
	ck_assert(fabs(r.offset) < 0.002);
}
END_TEST

START_TEST(t_cluster_keeps_alike)
{
	/* four alike paths, two samples each: the sources' estimates spread
	 * by a few ms (far more than the RMS of two residuals) but each is
	 * only known to its likely part, +/- 10 ms.  None is an outlier: all
	 * four stay, and the common part takes the tightest leg on each side
	 * from whichever source has it. */
	struct sel_cand c[4] = { cand(0.004, 0.020), cand(-0.003, 0.020), cand(0.001, 0.020),
		cand(-0.0015, 0.020) };
	struct sel_result r;
	int i;
	for (i = 0; i < 4; i++) {
		c[i].likely_lo = c[i].offset - 0.010;
		c[i].likely_hi = c[i].offset + 0.010;
		c[i].jitter = 0.0002;
	}
	ck_assert_int_eq(SEL_select(c, 4, &r), 0);
	ck_assert_uint_eq(r.n_true, 4);
	ck_assert_uint_eq(r.n_survivors, 4);
	for (i = 0; i < 4; i++)
		ck_assert(c[i].verdict >= SEL_COMBINED);
	/* likely parts' common part [-0.006, +0.007]: its middle */
	ck_assert_int_eq(r.joint, 1);
	ck_assert(fabs(r.offset - 0.0005) < 1e-12);
}
END_TEST

START_TEST(t_cluster_drops_tight_liar)
{
	/* three alike wide sources around 0, and one whose short path pins
	 * its estimate to +/- 0.5 ms at +6 ms, inside the others' intervals:
	 * the spread is far beyond what that source's own estimate allows, so
	 * clustering drops it and it cannot pin the common part */
	struct sel_cand c[4] = { cand(0.0005, 0.020), cand(-0.0005, 0.020), cand(0.0, 0.020),
		cand(0.006, 0.001) };
	struct sel_result r;
	int i;
	for (i = 0; i < 3; i++) {
		c[i].likely_lo = c[i].offset - 0.010;
		c[i].likely_hi = c[i].offset + 0.010;
	}
	c[3].likely_lo = 0.0055;
	c[3].likely_hi = 0.0065;
	ck_assert_int_eq(SEL_select(c, 4, &r), 0);
	ck_assert_uint_eq(r.n_true, 4);
	ck_assert_int_eq(c[3].verdict, SEL_OUTLIER);
	ck_assert_uint_eq(r.n_survivors, 3);
	ck_assert(fabs(r.offset) < 0.002);
}
END_TEST

START_TEST(t_joint_needs_a_common_part)
{
	/* all three are truechimers, but the first two do not meet: no
	 * common part, the weighted combination stands */
	struct sel_cand c[3] = { cand(0.0, 0.01), cand(0.022, 0.01), cand(0.02, 0.02) };
	struct sel_result r;
	ck_assert_int_eq(SEL_select(c, 3, &r), 0);
	ck_assert_uint_eq(r.n_true, 3);
	ck_assert_int_eq(r.joint, 0);
	{
		double w0 = 1 / 0.01, w1 = 1 / 0.01, w2 = 1 / 0.02;
		double want = (0.0 * w0 + 0.022 * w1 + 0.02 * w2) / (w0 + w1 + w2);
		ck_assert(fabs(r.offset - want) < 1e-12);
	}
}
END_TEST

START_TEST(t_joint_one_short_leg)
{
	/* the truth is 0; one server's path is short on one leg only: its
	 * interval [-0.001, +0.019] is tight below and wide above; another's
	 * [-0.018, +0.002] the other way round.  Their midpoints say +0.009
	 * and -0.008; the common part [-0.001, +0.002] says +0.0005. */
	struct sel_cand c[3] = { cand(0.009, 0.010), cand(-0.008, 0.010), cand(0.0, 0.015) };
	struct sel_result r;
	ck_assert_int_eq(SEL_select(c, 3, &r), 0);
	ck_assert_int_eq(r.joint, 1);
	ck_assert(fabs(r.offset - 0.0005) < 1e-12);
	ck_assert(fabs(r.bound - 0.0015) < 1e-12);
	ck_assert(r.offset - r.bound <= 0 && 0 <= r.offset + r.bound);
}
END_TEST

START_TEST(t_lopsided_intervals)
{
	/* estimates off their intervals' middles: the intervals, not
	 * offset +/- a half-width, decide.  Source 1's estimate (+9 ms) is
	 * outside source 0's interval but its interval [-1, +10] ms meets
	 * it; a symmetric interval of the same half-width around +9 ms,
	 * [+3.5, +14.5], would miss source 0's [-4, +2] ms. */
	struct sel_cand c[2] = { cand(0.001, 0.003), cand(0.009, 0.0055) };
	struct sel_result r;
	c[0].lo = -0.004;
	c[0].hi = 0.002;
	c[1].lo = -0.001;
	c[1].hi = 0.010;
	c[0].likely_lo = c[0].lo;
	c[0].likely_hi = c[0].hi;
	c[1].likely_lo = c[1].lo;
	c[1].likely_hi = c[1].hi;
	ck_assert_int_eq(SEL_select(c, 2, &r), 0);
	ck_assert_uint_eq(r.n_true, 2);
	ck_assert(c[0].verdict >= SEL_COMBINED && c[1].verdict >= SEL_COMBINED);
	/* their common part [-1, +2] ms: middle and half-width */
	ck_assert_int_eq(r.joint, 1);
	ck_assert(fabs(r.offset - 0.0005) < 1e-12);
	ck_assert(fabs(r.bound - 0.0015) < 1e-12);
	ck_assert(fabs(r.bound_lo + 0.001) < 1e-12 && fabs(r.bound_hi - 0.002) < 1e-12);
	/* the likely parts [-1, +1] and [+0.5, +3] ms: the offset is the
	 * middle of their common part, the bound still from the intervals */
	c[0].likely_lo = -0.001;
	c[0].likely_hi = 0.001;
	c[0].offset = 0;
	c[1].likely_lo = 0.0005;
	c[1].likely_hi = 0.003;
	c[1].offset = 0.00175;
	ck_assert_int_eq(SEL_select(c, 2, &r), 0);
	ck_assert_int_eq(r.joint, 1);
	ck_assert(fabs(r.offset - 0.00075) < 1e-12);
	ck_assert(fabs(r.bound - 0.00175) < 1e-12);
	ck_assert(fabs(r.bound_lo + 0.001) < 1e-12 && fabs(r.bound_hi - 0.002) < 1e-12);
	c[1].likely_lo = c[1].lo;
	c[1].likely_hi = c[1].hi;
	c[1].offset = 0.009;
	/* one source: its estimate, bounded by its interval's longer side */
	ck_assert_int_eq(SEL_select(c + 1, 1, &r), 0);
	ck_assert(fabs(r.offset - 0.009) < 1e-15);
	ck_assert(fabs(r.bound - 0.010) < 1e-12);
	ck_assert(r.bound_lo <= -0.001 && r.bound_hi >= 0.010);
	/* an estimate outside its own likely interval is no candidate */
	c[1].likely_hi = 0.0085;
	ck_assert_int_eq(SEL_select(c + 1, 1, &r), -1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("core");
	ADD(tc, t_five_two_liars);
	ADD(tc, t_two_against_two);
	ADD(tc, t_single_and_none);
	ADD(tc, t_nan_never_usable);
	ADD(tc, t_two_disjoint);
	ADD(tc, t_cluster_drops_outlier);
	ADD(tc, t_cluster_keeps_alike);
	ADD(tc, t_cluster_drops_tight_liar);
	ADD(tc, t_joint_needs_a_common_part);
	ADD(tc, t_joint_one_short_leg);
	ADD(tc, t_lopsided_intervals);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

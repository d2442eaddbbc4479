/* Unit tests: common/decide and the clock guard, the slew range: -B beyond
 * the kernel's range is refused before anything happens. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "common/clock.h"
#include "common/decide.h"
#include "check_common.h"

static void
run_with(struct sel_result *r, double off)
{
	memset(r, 0, sizeof(*r));
	r->offset = off;
	r->n_usable = 1;
}

START_TEST(t_slew_beyond_kernel_range_refused)
{
	struct sel_result r;
	struct dec_policy p = { 0, 1, -1, 1767225600LL };
	struct dec_result d;
	struct timespec now = { 1795000000, 0 };

	/* -B: within the range it slews, however large */
	run_with(&r, 2145.0);
	DEC_decide(&r, 1, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_SLEW);
	run_with(&r, -2000.0);
	DEC_decide(&r, 1, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_SLEW);
	/* beyond it, either way: refused with the limit named */
	run_with(&r, 2145.5);
	DEC_decide(&r, 1, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_REFUSE);
	ck_assert_ptr_nonnull(strstr(d.reason, "slew range (2145 s"));
	run_with(&r, -3600.0);
	DEC_decide(&r, 1, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_REFUSE);
	ck_assert_int_eq(d.step, 0);
	/* without -B the same offset is stepped */
	p.force_slew = 0;
	DEC_decide(&r, 1, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_STEP);
}
END_TEST

static int calls;

static int
count_slew(void *ctx, double offset)
{
	(void)ctx;
	(void)offset;
	calls++;
	return 0;
}

START_TEST(t_clk_slew_guard)
{
	struct clk_driver d = { "count", count_slew, count_slew, NULL };

	calls = 0;
	ck_assert_int_eq(CLK_slew(&d, 2145.0), 0);
	ck_assert_int_eq(calls, 1);
	errno = 0;
	ck_assert_int_eq(CLK_slew(&d, -2146.0), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(CLK_slew(&d, NAN), -1);
	ck_assert_int_eq(errno, EDOM);
	ck_assert_int_eq(calls, 1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("decide");
	TCase *tc = tcase_create("core");
	ADD(tc, t_slew_beyond_kernel_range_refused);
	ADD(tc, t_clk_slew_guard);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

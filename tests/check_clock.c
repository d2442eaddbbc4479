/* Unit tests: common/clock through a fake driver.  The real driver is
 * exercised only by the end-to-end tests, under the LD_PRELOAD shim. */
#include <errno.h>
#include <math.h>

#include "common/clock.h"
#include "check_common.h"

struct fake {
	int steps, slews;
	double last;
};

static int
fake_step(void *ctx, double off)
{
	struct fake *f = ctx;
	f->steps++;
	f->last = off;
	return 0;
}

static int
fake_slew(void *ctx, double off)
{
	struct fake *f = ctx;
	f->slews++;
	f->last = off;
	return 0;
}

START_TEST(t_fake_driver)
{
	struct fake f = { 0, 0, 0 };
	struct clk_driver d = { "fake", fake_step, fake_slew, &f };
	ck_assert_int_eq(CLK_step(&d, 3600.0), 0);
	ck_assert_int_eq(f.steps, 1);
	ck_assert(f.last == 3600.0);
	ck_assert_int_eq(CLK_slew(&d, -0.2), 0);
	ck_assert_int_eq(f.slews, 1);
	ck_assert(f.last == -0.2);
}
END_TEST

START_TEST(t_nan_never_reaches_driver)
{
	struct fake f = { 0, 0, 0 };
	struct clk_driver d = { "fake", fake_step, fake_slew, &f };
	double bad[3] = { NAN, INFINITY, -INFINITY };
	int i;
	for (i = 0; i < 3; i++) {
		errno = 0;
		ck_assert_int_eq(CLK_step(&d, bad[i]), -1);
		ck_assert_int_eq(errno, EDOM);
		errno = 0;
		ck_assert_int_eq(CLK_slew(&d, bad[i]), -1);
		ck_assert_int_eq(errno, EDOM);
		/* the real driver refuses before any system call: the kernel
		 * (which would refuse too, with another errno) never sees it */
		errno = 0;
		ck_assert_int_eq(CLK_step(CLK_linux(), bad[i]), -1);
		ck_assert_int_eq(errno, EDOM);
		errno = 0;
		ck_assert_int_eq(CLK_slew(CLK_linux(), bad[i]), -1);
		ck_assert_int_eq(errno, EDOM);
	}
	ck_assert_int_eq(f.steps + f.slews, 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("core");
	ADD(tc, t_fake_driver);
	ADD(tc, t_nan_never_reaches_driver);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

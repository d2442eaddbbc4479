/* Unit tests: common/decide's safety rails, with a made-up run and a
 * made-up "now" (a machine whose hardware clock died, years behind). */
#include <math.h>
#include <string.h>

#include "common/decide.h"
#include "check_common.h"

static struct sel_result res;
static struct dec_policy pol;
static struct dec_result d;

static void
answer(double offset)
{
	memset(&res, 0, sizeof(res));
	res.offset = offset;
	DEC_policy_init(&pol, 86400);
	pol.floor = 1700000000; /* the build date */
}

static void
decide_at(long long now_sec)
{
	struct timespec now = { (time_t)now_sec, 0 };
	DEC_decide(&res, 1, &pol, &now, &d);
}

START_TEST(t_max_step_on_a_sane_clock)
{
	answer(2 * 86400.0);
	decide_at(1800000000);
	ck_assert_int_eq(d.action, DEC_REFUSE);
	ck_assert_ptr_nonnull(strstr(d.reason, "--max-step"));
	answer(3600.0);
	decide_at(1800000000);
	ck_assert_int_eq(d.action, DEC_STEP);
}
END_TEST

START_TEST(t_dead_rtc_is_stepped_despite_max_step)
{
	/* the local clock says 2000-01-01, the servers 2026: 26 years ahead */
	answer(1800000000.0 - 946684800.0);
	decide_at(946684800);
	ck_assert_int_eq(d.action, DEC_STEP);
	ck_assert(d.step);
}
END_TEST

START_TEST(t_floor_still_holds_on_a_dead_rtc)
{
	/* clock before the build date, servers say a time still before it:
	 * refused by the floor, max-step or not */
	answer(3600.0);
	decide_at(946684800);
	ck_assert_int_eq(d.action, DEC_REFUSE);
	ck_assert_ptr_nonnull(strstr(d.reason, "before this program was built"));
	answer(NAN);
	decide_at(946684800);
	ck_assert_int_eq(d.action, DEC_REFUSE);
}
END_TEST

static Suite *
decide_suite(void)
{
	Suite *s = suite_create("decide");
	TCase *tc = tcase_create("rails");
	ADD(tc, t_max_step_on_a_sane_clock);
	ADD(tc, t_dead_rtc_is_stepped_despite_max_step);
	ADD(tc, t_floor_still_holds_on_a_dead_rtc);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(decide_suite)

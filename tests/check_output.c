/* Unit tests: the figures ntpupdate prints where scripts parse them
 * (common/report's ntpdate helpers) and its -j document. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/report.h"
#include "check_common.h"

/* "%+.6f" (offsets) or "%.5f" (delays) of x */
static const char *
fmt(const char *f, double x)
{
	static char buf[64];
	if (strcmp(f, "%.5f") == 0)
		snprintf(buf, sizeof(buf), "%.5f", x);
	else
		snprintf(buf, sizeof(buf), "%+.6f", x);
	return buf;
}

START_TEST(t_no_minus_zero)
{
	ck_assert_str_eq(fmt("%+.6f", REP_no_minus_zero(-0.0000004, 6)), "+0.000000");
	ck_assert_str_eq(fmt("%+.6f", REP_no_minus_zero(-0.0, 6)), "+0.000000");
	ck_assert_str_eq(fmt("%+.6f", REP_no_minus_zero(-0.0000006, 6)), "-0.000001");
	ck_assert_str_eq(fmt("%+.6f", REP_no_minus_zero(0.0000004, 6)), "+0.000000");
	ck_assert_str_eq(fmt("%+.6f", REP_no_minus_zero(-3.5, 6)), "-3.500000");
	/* printf without the helper, to show what it prevents */
	ck_assert_str_eq(fmt("%+.6f", -0.0000004), "-0.000000");
}
END_TEST

START_TEST(t_ntpdate_delay)
{
	ck_assert_str_eq(fmt("%.5f", REP_ntpdate_delay(0.000004)), "0.00001");
	ck_assert_str_eq(fmt("%.5f", REP_ntpdate_delay(0.0000001)), "0.00001");
	ck_assert_str_eq(fmt("%.5f", REP_ntpdate_delay(0.00002)), "0.00002");
	ck_assert_str_eq(fmt("%.5f", REP_ntpdate_delay(0.025891)), "0.02590");
	ck_assert_str_eq(fmt("%.5f", REP_ntpdate_delay(0)), "0.00000");
	ck_assert_str_eq(fmt("%.5f", REP_ntpdate_delay(-0.001)), "0.00000");
}
END_TEST

START_TEST(t_json_without_run)
{
	const char *daemons[] = { "chronyd (pid 1) is bound to UDP port 123", "quote \" here" };
	struct rep_done d = { "daemon", 0, 0, 0, 0, 5, "chronyd (pid 1) is bound to UDP port 123", daemons, 2 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	REP_json_update(f, NULL, NULL, NULL, &d);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"program\": \"ntpupdate\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"version\": \""));
	ck_assert_ptr_nonnull(strstr(buf, "\"action\": \"daemon\", \"changed\": false, \"offset\": null"));
	ck_assert_ptr_nonnull(strstr(buf, "\"exit_code\": 5"));
	ck_assert_ptr_nonnull(strstr(buf, "\"quote \\\" here\"]"));
	ck_assert_int_eq(buf[len - 1], '\n');
	ck_assert_int_eq(buf[len - 2], '}');
	free(buf);
}
END_TEST

static Suite *
output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("ntpdate");
	ADD(tc, t_no_minus_zero);
	ADD(tc, t_ntpdate_delay);
	ADD(tc, t_json_without_run);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(output_suite)

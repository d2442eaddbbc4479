/* Unit tests: common/ntptime (formats, eras, wraparound). */
#include <math.h>
#include <string.h>

#include "common/ntptime.h"
#include "check_common.h"

static struct timespec
ts(time_t s, long ns)
{
	struct timespec t = { s, ns };
	return t;
}

START_TEST(t_epochs)
{
	struct timespec t = ts(0, 0);
	NTP_ts n = NTT_from_timespec(&t);
	ck_assert_uint_eq(NTT_sec(n), 2208988800u);
	ck_assert_uint_eq(NTT_frac(n), 0);
	/* 1900-01-01 00:00:00 is NTP 0 */
	t = ts(-2208988800LL, 0);
	n = NTT_from_timespec(&t);
	ck_assert_uint_eq(n.v, 0);
	/* back, with a pivot near 1900 */
	t = NTT_to_timespec(n, -2208988800LL + 1000);
	ck_assert_int_eq(t.tv_sec, -2208988800LL);
	/* same bits with a pivot of today land in era 1 (2036-02-07) */
	t = NTT_to_timespec(n, 1795000000);
	ck_assert_int_eq(t.tv_sec, 2085978496LL);
}
END_TEST

START_TEST(t_rollover_2036)
{
	/* 2036-02-07 06:28:15 is the last second of era 0 */
	struct timespec a = ts(2085978495LL, 999999999), b;
	NTP_ts n = NTT_from_timespec(&a), m;
	ck_assert_uint_eq(NTT_sec(n), 0xffffffffu);
	b = ts(2085978496LL, 500000000);
	m = NTT_from_timespec(&b);
	ck_assert_uint_eq(NTT_sec(m), 0);
	/* the difference across the rollover is small and positive */
	ck_assert(fabs(NTT_diff(m, n) - 0.500000001) < 1e-9);
	ck_assert(fabs(NTT_diff(n, m) + 0.500000001) < 1e-9);
	/* era chosen from the pivot on both sides of the rollover */
	b = NTT_to_timespec(m, 2085978000LL);
	ck_assert_int_eq(b.tv_sec, 2085978496LL);
	ck_assert_int_eq(b.tv_nsec, 500000000);
	b = NTT_to_timespec(n, 2085979000LL);
	ck_assert_int_eq(b.tv_sec, 2085978495LL);
}
END_TEST

START_TEST(t_round_trip_ns)
{
	long ns;
	for (ns = 0; ns < 1000000000L; ns += 999983) {
		struct timespec a = ts(1795000000, ns), b;
		b = NTT_to_timespec(NTT_from_timespec(&a), 1795000000);
		ck_assert_int_eq(b.tv_sec, a.tv_sec);
		ck_assert_int_eq(b.tv_nsec, a.tv_nsec);
	}
	{
		struct timespec a = ts(1795000000, 999999999), b;
		b = NTT_to_timespec(NTT_from_timespec(&a), 1795000000);
		ck_assert_int_eq(b.tv_nsec, 999999999);
	}
}
END_TEST

START_TEST(t_diff_negative)
{
	NTP_ts a = NTT_make(100, 0), b = NTT_make(101, 0x80000000u);
	ck_assert(NTT_diff(a, b) == -1.5);
	ck_assert(NTT_diff(b, a) == 1.5);
	ck_assert(fabs(NTT_diff(NTT_add(a, -3600.25), a) + 3600.25) < 1e-9);
	/* pre-1970 and pre-1900 instants convert with the right sign */
	{
		struct timespec p = ts(-100, 250000000), q = NTT_to_timespec(NTT_from_timespec(&p), 0);
		ck_assert_int_eq(q.tv_sec, -100);
		ck_assert_int_eq(q.tv_nsec, 250000000);
	}
}
END_TEST

START_TEST(t_short)
{
	ck_assert(NTT_short_to_double(0x00010000) == 1.0);
	ck_assert(NTT_short_to_double(0x00008000) == 0.5);
	ck_assert_uint_eq(NTT_double_to_short(0.25), 0x4000);
	ck_assert_uint_eq(NTT_double_to_short(-1), 0);
	ck_assert_uint_eq(NTT_double_to_short(NAN), 0);
	ck_assert_uint_eq(NTT_double_to_short(1e9), 0xffffffffu);
	ck_assert(fabs(NTT_short_to_double(0xffffffffu) - 65536.0) < 1e-4);
}
END_TEST

START_TEST(t_format)
{
	char buf[64];
	struct timespec t = ts(2085978496LL, 123456789);
	NTT_format_utc(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2036-02-07 06:28:16.123456789");
	t = ts(-2208988800LL, 0);
	NTT_format_utc(&t, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1900-01-01 00:00:00.000000000");
}
END_TEST

START_TEST(t_timespec_math)
{
	struct timespec a = ts(10, 900000000), b = NTT_timespec_add(&a, 0.2), c;
	ck_assert_int_eq(b.tv_sec, 11);
	ck_assert_int_eq(b.tv_nsec, 100000000);
	c = NTT_timespec_add(&a, -1.0);
	ck_assert_int_eq(c.tv_sec, 9);
	ck_assert(fabs(NTT_timespec_diff(&b, &a) - 0.2) < 1e-12);
	ck_assert(NTT_local_precision() < 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ntptime");
	TCase *tc = tcase_create("core");
	ADD(tc, t_epochs);
	ADD(tc, t_rollover_2036);
	ADD(tc, t_round_trip_ns);
	ADD(tc, t_diff_negative);
	ADD(tc, t_short);
	ADD(tc, t_format);
	ADD(tc, t_timespec_math);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

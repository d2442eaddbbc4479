/* Unit tests: common/ratelimit (token bucket, prefixes, shares of the
 * excess, fixed table under a million clients, keyed slots, log limiter). */
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "common/ratelimit.h"
#include "check_common.h"

static struct rl_config
cfg(void)
{
	struct rl_config c;
	RL_defaults(&c);
	c.rate = 1.0;
	c.burst = 4;
	return c;
}

static const uint8_t v4a[4] = { 192, 0, 2, 1 };

START_TEST(t_bucket)
{
	struct rl_config c = cfg();
	struct rl_table t;
	int i;

	c.leak_share = 0;
	c.kod_share = 0;
	ck_assert_int_eq(RL_init(&t, &c), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(RL_check(&t, AF_INET, v4a, 1000, 0), RL_PASS);
	ck_assert_int_eq(RL_check(&t, AF_INET, v4a, 1000, 0), RL_DROP);
	ck_assert_int_eq(RL_check(&t, AF_INET, v4a, 1500, 0), RL_DROP);  /* half a token */
	ck_assert_int_eq(RL_check(&t, AF_INET, v4a, 2000, 0), RL_PASS);  /* one per second */
	ck_assert_int_eq(RL_check(&t, AF_INET, v4a, 2000, 0), RL_DROP);
	/* a long pause refills to the burst, no more */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(RL_check(&t, AF_INET, v4a, 100000, 0), RL_PASS);
	ck_assert_int_eq(RL_check(&t, AF_INET, v4a, 100000, 0), RL_DROP);
	/* another client is not affected */
	{
		const uint8_t other[4] = { 192, 0, 2, 2 };
		ck_assert_int_eq(RL_check(&t, AF_INET, other, 100000, 0), RL_PASS);
	}
	/* the millisecond clock wraps: drained just before, refilled after */
	{
		const uint8_t w[4] = { 192, 0, 2, 3 };
		for (i = 0; i < 4; i++)
			ck_assert_int_eq(RL_check(&t, AF_INET, w, 0xfffff000u, 0), RL_PASS);
		ck_assert_int_eq(RL_check(&t, AF_INET, w, 0xfffff000u, 0), RL_DROP);
		ck_assert_int_eq(RL_check(&t, AF_INET, w, 0x00000800u, 0), RL_PASS);
	}
	RL_free(&t);
}
END_TEST

START_TEST(t_prefix)
{
	struct rl_config c = cfg();
	struct rl_table t;
	uint8_t a[16], b[16];

	ck_assert_int_eq(RL_init(&t, &c), 0);
	inet_pton(AF_INET6, "2001:db8:1:2::1", a);
	inet_pton(AF_INET6, "2001:db8:1:2:ffff::9", b);
	ck_assert(RL_key(&t, AF_INET6, a) == RL_key(&t, AF_INET6, b)); /* same /64 */
	inet_pton(AF_INET6, "2001:db8:1:3::1", b);
	ck_assert(RL_key(&t, AF_INET6, a) != RL_key(&t, AF_INET6, b));
	{
		const uint8_t x[4] = { 192, 0, 2, 1 }, y[4] = { 192, 0, 2, 2 };
		ck_assert(RL_key(&t, AF_INET, x) != RL_key(&t, AF_INET, y)); /* /32 */
	}
	RL_free(&t);
	/* a /24 for IPv4 groups a subnet */
	c.v4_prefix = 24;
	ck_assert_int_eq(RL_init(&t, &c), 0);
	{
		const uint8_t x[4] = { 192, 0, 2, 1 }, y[4] = { 192, 0, 2, 200 };
		ck_assert(RL_key(&t, AF_INET, x) == RL_key(&t, AF_INET, y));
	}
	RL_free(&t);
}
END_TEST

START_TEST(t_keyed)
{
	struct rl_config c = cfg();
	struct rl_table t1, t2;

	ck_assert_int_eq(RL_init(&t1, &c), 0);
	ck_assert_int_eq(RL_init(&t2, &c), 0);
	/* two tables, two random keys: the slots differ */
	ck_assert(RL_key(&t1, AF_INET, v4a) != RL_key(&t2, AF_INET, v4a));
	RL_free(&t1);
	RL_free(&t2);
}
END_TEST

START_TEST(t_shares)
{
	struct rl_config c = cfg();
	struct rl_table t;
	int i, n[4] = { 0, 0, 0, 0 };
	uint32_t x = 1;

	ck_assert_int_eq(RL_init(&t, &c), 0);
	for (i = 0; i < 100000; i++) {
		x = x * 1664525u + 1013904223u;
		n[RL_check(&t, AF_INET, v4a, 5000, x)]++;
	}
	ck_assert_int_eq(n[RL_PASS], 4);
	/* 1/8 leaked, 1/8 KoD RATE, the rest dropped (within 5 %) */
	ck_assert_int_gt(n[RL_LEAK], 11800);
	ck_assert_int_lt(n[RL_LEAK], 13200);
	ck_assert_int_gt(n[RL_KOD], 11800);
	ck_assert_int_lt(n[RL_KOD], 13200);
	ck_assert_int_gt(n[RL_DROP], 73000);
	RL_free(&t);
}
END_TEST

START_TEST(t_million_clients)
{
	struct rl_config c = cfg();
	struct rl_table t;
	struct rl_entry *before;
	size_t mask;
	uint32_t i;
	int good = 0;
	const uint8_t victim[4] = { 198, 51, 100, 7 };

	c.entries = 4096;
	c.leak_share = 0;
	c.kod_share = 0;
	ck_assert_int_eq(RL_init(&t, &c), 0);
	before = t.e;
	mask = t.mask;
	for (i = 0; i < 1000000; i++) {
		uint8_t a[4];
		uint32_t v = htonl(0x0a000000u + i);
		memcpy(a, &v, 4);
		RL_check(&t, AF_INET, a, 1000 + i, 0); /* 1000 a second */
		/* a good client asking every 2 s (1000 spoofed requests per
		 * simulated second) keeps being answered */
		if (i % 2000 == 0)
			good += RL_check(&t, AF_INET, victim, 1000 + i, 0) == RL_PASS;
	}
	ck_assert_ptr_eq(t.e, before); /* same table, same size */
	ck_assert_uint_eq(t.mask, mask);
	ck_assert_uint_gt(t.evictions, 900000);
	ck_assert_int_eq(good, 500);
	RL_free(&t);
}
END_TEST

START_TEST(t_log_limiter)
{
	struct rl_log l;
	unsigned sup, i, ok = 0;

	RL_log_init(&l, 3, 10.0);
	for (i = 0; i < 10; i++)
		ok += (unsigned)RL_log_ok(&l, 100.0 + i * 0.1, &sup);
	ck_assert_uint_eq(ok, 3);
	ck_assert_int_eq(RL_log_ok(&l, 111.0, &sup), 1);
	ck_assert_uint_eq(sup, 7);
	ck_assert_int_eq(RL_log_ok(&l, 111.1, &sup), 1);
	ck_assert_uint_eq(sup, 0);
}
END_TEST

static Suite *
ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	ADD(tc, t_bucket);
	ADD(tc, t_prefix);
	ADD(tc, t_keyed);
	ADD(tc, t_shares);
	ADD(tc, t_million_clients);
	ADD(tc, t_log_limiter);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ratelimit_suite)

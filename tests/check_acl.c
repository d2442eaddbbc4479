/* Unit tests: common/acl (parsing, most specific match, defaults), and
 * the lookup checked against a naive bit-by-bit implementation on random
 * rules and addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "common/acl.h"
#include "check_common.h"

static enum acl_action
check4(const struct acl *a, const char *s)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, s, &sa.sin_addr), 1);
	return ACL_check(a, (struct sockaddr *)&sa);
}

static enum acl_action
check6(const struct acl *a, const char *s)
{
	struct sockaddr_in6 sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, s, &sa.sin6_addr), 1);
	return ACL_check(a, (struct sockaddr *)&sa);
}

START_TEST(t_parse)
{
	struct acl_rule r;
	char err[128];

	ck_assert_int_eq(ACL_parse("192.168.0.0/16", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.family, AF_INET);
	ck_assert_int_eq(r.prefix, 16);
	ck_assert_int_eq(ACL_parse("10.1.2.3", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.prefix, 32);
	ck_assert_int_eq(ACL_parse("2001:db8::/32", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.family, AF_INET6);
	ck_assert_int_eq(ACL_parse("::1", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.prefix, 128);
	ck_assert_int_eq(ACL_parse("::ffff:10.0.0.0/104", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(r.family, AF_INET); /* a mapped prefix is an IPv4 rule */
	ck_assert_int_eq(r.prefix, 8);
	ck_assert_uint_eq(r.addr[0], 10);
	ck_assert_int_lt(ACL_parse("10.1.2.3/8", &r, err, sizeof(err)), 0); /* host bits */
	ck_assert_int_lt(ACL_parse("10.0.0.0/33", &r, err, sizeof(err)), 0);
	ck_assert_int_lt(ACL_parse("10.0.0.0/", &r, err, sizeof(err)), 0);
	ck_assert_int_lt(ACL_parse("10.0.0.0/-1", &r, err, sizeof(err)), 0);
	ck_assert_int_lt(ACL_parse("10.0.0.0/8x", &r, err, sizeof(err)), 0);
	ck_assert_int_lt(ACL_parse("::/129", &r, err, sizeof(err)), 0);
	ck_assert_int_lt(ACL_parse("example.com", &r, err, sizeof(err)), 0);
	ck_assert_int_lt(ACL_parse("", &r, err, sizeof(err)), 0);
	ck_assert_int_lt(ACL_parse("/8", &r, err, sizeof(err)), 0);
}
END_TEST

START_TEST(t_most_specific)
{
	struct acl a;
	char err[128];

	ACL_init(&a);
	ck_assert_int_eq(check4(&a, "127.0.0.1"), ACL_DENY); /* nothing unless allowed */
	ck_assert_int_eq(ACL_add(&a, "10.0.0.0/8", ACL_ALLOW, err, sizeof(err)), 0);
	ck_assert_int_eq(ACL_add(&a, "10.1.0.0/16", ACL_DENY, err, sizeof(err)), 0);
	ck_assert_int_eq(ACL_add(&a, "10.1.2.0/24", ACL_ALLOW, err, sizeof(err)), 0);
	ck_assert_int_eq(check4(&a, "10.9.9.9"), ACL_ALLOW);
	ck_assert_int_eq(check4(&a, "10.1.9.9"), ACL_DENY);
	ck_assert_int_eq(check4(&a, "10.1.2.9"), ACL_ALLOW);
	ck_assert_int_eq(check4(&a, "11.0.0.1"), ACL_DENY);
	/* order does not matter; a repeated prefix replaces */
	ck_assert_int_eq(ACL_add(&a, "10.1.0.0/16", ACL_ALLOW, err, sizeof(err)), 0);
	ck_assert_int_eq(check4(&a, "10.1.9.9"), ACL_ALLOW);
	ck_assert_uint_eq(a.n, 3);
	/* --deny-kod: denied clients get a KoD */
	a.deny = ACL_DENY_KOD;
	ck_assert_int_eq(check4(&a, "11.0.0.1"), ACL_DENY_KOD);
	/* IPv4-mapped IPv6 is judged as IPv4; IPv6 rules apart */
	ck_assert_int_eq(check6(&a, "::ffff:10.9.9.9"), ACL_ALLOW);
	ck_assert_int_eq(check6(&a, "2001:db8::1"), ACL_DENY_KOD);
	ck_assert_int_eq(ACL_add(&a, "2001:db8::/32", ACL_ALLOW, err, sizeof(err)), 0);
	ck_assert_int_eq(ACL_add(&a, "2001:db8:0:1::/64", ACL_DENY, err, sizeof(err)), 0);
	ck_assert_int_eq(check6(&a, "2001:db8::1"), ACL_ALLOW);
	ck_assert_int_eq(check6(&a, "2001:db8:0:1::5"), ACL_DENY_KOD);
	ck_assert_int_eq(check6(&a, "2001:db9::1"), ACL_DENY_KOD);
}
END_TEST

START_TEST(t_all)
{
	struct acl a;
	char err[128];

	ACL_init(&a);
	ck_assert_int_eq(ACL_add(&a, "all", ACL_ALLOW, err, sizeof(err)), 0);
	ck_assert_int_eq(ACL_add(&a, "192.0.2.7", ACL_DENY, err, sizeof(err)), 0);
	ck_assert_int_eq(check4(&a, "203.0.113.1"), ACL_ALLOW);
	ck_assert_int_eq(check6(&a, "2001:db8::1"), ACL_ALLOW);
	ck_assert_int_eq(check4(&a, "192.0.2.7"), ACL_DENY);
	ck_assert_int_eq(check4(&a, "192.0.2.8"), ACL_ALLOW);
}
END_TEST

START_TEST(t_full)
{
	struct acl a;
	char err[128], cidr[32];
	int i;

	ACL_init(&a);
	for (i = 0; i < ACL_MAX_RULES; i++) {
		snprintf(cidr, sizeof(cidr), "10.%d.%d.0/24", i / 256, i % 256);
		ck_assert_int_eq(ACL_add(&a, cidr, ACL_ALLOW, err, sizeof(err)), 0);
	}
	ck_assert_int_lt(ACL_add(&a, "11.0.0.0/8", ACL_ALLOW, err, sizeof(err)), 0);
}
END_TEST

/* The naive reference: test every bit, keep the longest matching prefix,
 * ties (impossible after replacement) to the last rule. */
static enum acl_action
naive(const struct acl *a, int family, const uint8_t *addr)
{
	int best = -1;
	size_t i;
	enum acl_action act = a->deny;

	for (i = 0; i < a->n; i++) {
		const struct acl_rule *r = &a->rule[i];
		int b, match = 1;
		if (r->family != family)
			continue;
		for (b = 0; b < r->prefix; b++) {
			int x = (r->addr[b / 8] >> (7 - b % 8)) & 1, y = (addr[b / 8] >> (7 - b % 8)) & 1;
			if (x != y) {
				match = 0;
				break;
			}
		}
		if (match && r->prefix > best) {
			best = r->prefix;
			act = r->action == ACL_ALLOW ? ACL_ALLOW : r->action == ACL_DENY_KOD ? ACL_DENY_KOD : a->deny;
		}
	}
	return act;
}

START_TEST(t_against_naive)
{
	struct acl a;
	char err[128], text[64], cidr[80];
	int round, i, k;

	srandom(12345);
	for (round = 0; round < 200; round++) {
		int family = (round & 1) ? AF_INET6 : AF_INET, alen = family == AF_INET ? 4 : 16;
		uint8_t base[16];
		ACL_init(&a);
		a.deny = (round & 2) ? ACL_DENY_KOD : ACL_DENY;
		for (k = 0; k < 16; k++)
			base[k] = (uint8_t)random();
		for (i = 0; i < 20; i++) {
			uint8_t addr[16];
			int plen = (int)(random() % (alen * 8 + 1)), b;
			memcpy(addr, base, 16);
			/* near the base, so rules nest and overlap */
			for (k = 0; k < 3; k++) {
				int bit = (int)(random() % (alen * 8));
				addr[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
			}
			for (b = plen; b < alen * 8; b++)
				addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
			inet_ntop(family, addr, text, sizeof(text));
			snprintf(cidr, sizeof(cidr), "%s/%d", text, plen);
			ck_assert_msg(ACL_add(&a, cidr, (enum acl_action)(random() % 3), err, sizeof(err)) == 0,
			    "%s: %s", cidr, err);
		}
		for (i = 0; i < 500; i++) {
			uint8_t addr[16];
			memcpy(addr, base, 16);
			for (k = 0; k < (int)(random() % 6); k++) {
				int bit = (int)(random() % (alen * 8));
				addr[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
			}
			ck_assert_int_eq(ACL_check_raw(&a, family, addr), naive(&a, family, addr));
		}
	}
}
END_TEST

static Suite *
acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("core");
	ADD(tc, t_parse);
	ADD(tc, t_most_specific);
	ADD(tc, t_all);
	ADD(tc, t_full);
	ADD(tc, t_against_naive);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(acl_suite)

/* Unit tests: common/cli (server arguments, numbers). */
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "common/cli.h"
#include "check_common.h"

static void
ok(const char *arg, const char *host, const char *port)
{
	struct cli_server s;
	char err[128];
	ck_assert_msg(CLI_parse_server(arg, &s, err, sizeof(err)) == 0, "%s: %s", arg, err);
	ck_assert_str_eq(s.host, host);
	ck_assert_str_eq(s.port, port);
	ck_assert_str_eq(s.given, arg);
}

static void
bad(const char *arg)
{
	struct cli_server s;
	char err[128] = "";
	memset(&s, 0x33, sizeof(s));
	ck_assert_msg(CLI_parse_server(arg, &s, err, sizeof(err)) == -1, "accepted %s", arg);
	ck_assert_msg(err[0] != '\0', "no message for %s", arg);
	ck_assert_msg(strchr(err, '\n') == NULL, "multi-line message for %s", arg);
	ck_assert_int_eq(((unsigned char *)&s)[0], 0x33);
}

START_TEST(t_servers_good)
{
	ok("pool.ntp.org", "pool.ntp.org", "123");
	ok("pool.ntp.org:1123", "pool.ntp.org", "1123");
	ok("192.0.2.1", "192.0.2.1", "123");
	ok("127.0.0.1:40000", "127.0.0.1", "40000");
	ok("::1", "::1", "123");
	ok("2001:db8::1", "2001:db8::1", "123");
	ok("[::1]", "::1", "123");
	ok("[::1]:65535", "::1", "65535");
	ok("[fe80::1%eth0]:123", "fe80::1%eth0", "123");
	ok("ntp_1.example", "ntp_1.example", "123");
}
END_TEST

START_TEST(t_servers_bad)
{
	bad("");
	bad("host:");
	bad("host:0");
	bad("host:65536");
	bad("host:12x");
	bad("host:-1");
	bad("[::1");
	bad("[::1]x");
	bad("[::1]:");
	bad("[::1]:99999");
	bad("[]:123");
	bad("[host]:123");
	bad("bad host");
	bad("-x");
	bad("a/b");
	bad("host:123456789012");
	bad("host:6II[:\x91" "1\n\v55"); /* found by fuzz_server_arg */
	bad("bad\nname");
	{
		char longname[400];
		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		bad(longname);
	}
}
END_TEST

START_TEST(t_numbers)
{
	double d;
	long long n;
	char err[128];
	ck_assert_int_eq(CLI_parse_seconds("1.5", 0, 10, &d, err, sizeof(err)), 0);
	ck_assert(d == 1.5);
	ck_assert_int_eq(CLI_parse_seconds("0.001", 0.001, 10, &d, err, sizeof(err)), 0);
	ck_assert_int_eq(CLI_parse_seconds("1.5s", 0, 10, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_seconds("", 0, 10, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_seconds(" 1", 0, 10, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_seconds("nan", 0, 10, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_seconds("inf", 0, 1e300, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_seconds("11", 0, 10, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_seconds("-1", 0, 10, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_seconds("1e999", 0, 10, &d, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_int("4", 1, 8, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(CLI_parse_int("0", 1, 8, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_int("9", 1, 8, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_int("4x", 1, 8, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_parse_int("", 1, 8, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing number");
}
END_TEST

START_TEST(t_common_options)
{
	struct cli_common c;
	char err[128];
	CLI_common_defaults(&c);
	ck_assert_int_eq(c.samples, 0);
	ck_assert(c.gap == 2.0 && c.timeout == 1.0 && c.max_distance == 1.5 && c.max_step < 0);
	ck_assert_int_eq(CLI_common_option(&c, '4', NULL, err, sizeof(err)), 1);
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_int_eq(CLI_common_option(&c, '6', NULL, err, sizeof(err)), 1);
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_int_eq(CLI_common_option(&c, 'p', "8", err, sizeof(err)), 1);
	ck_assert_int_eq(c.samples, 8);
	ck_assert_int_eq(CLI_common_option(&c, 'p', "9", err, sizeof(err)), -1);
	ck_assert_int_eq(c.samples, 8);
	ck_assert_int_eq(CLI_common_option(&c, 't', "0.25", err, sizeof(err)), 1);
	ck_assert(c.timeout == 0.25);
	ck_assert_int_eq(CLI_common_option(&c, 't', "0", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_common_option(&c, CLI_OPT_GAP, "150", err, sizeof(err)), 1);
	ck_assert(fabs(c.gap - 0.150) < 1e-12);
	ck_assert_int_eq(CLI_common_option(&c, CLI_OPT_MAX_STEP, "86400", err, sizeof(err)), 1);
	ck_assert(c.max_step == 86400);
	ck_assert_int_eq(CLI_common_option(&c, CLI_OPT_MAX_STEP, "-1", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_common_option(&c, CLI_OPT_MAX_DISTANCE, "16.5", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_common_option(&c, 'q', NULL, err, sizeof(err)), 0); /* not shared */
}
END_TEST

START_TEST(t_error_wording)
{
	static const struct option lo[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "gap", required_argument, NULL, 1000 },
		{ NULL, 0, NULL, 0 },
	};
	char err[160], name[40];
	double d;
	long long n;

	/* the value, then the range; quotes only around what is no number */
	ck_assert_int_eq(CLI_parse_seconds("0", 0.001, 60, &d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "0 is out of range (0.001..60)");
	ck_assert_int_eq(CLI_parse_seconds("abc", 0.001, 60, &d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'abc' is not a number");
	ck_assert_int_eq(CLI_parse_int("9", 1, 8, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "9 is out of range (1..8)");
	ck_assert_int_eq(CLI_parse_int("4x", 1, 8, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'4x' is not a whole number");
	/* the option as the user named it */
	ck_assert_str_eq(CLI_option_name('t', lo, -1, name, sizeof(name)), "-t");
	ck_assert_str_eq(CLI_option_name('t', lo, 0, name, sizeof(name)), "--timeout");
	ck_assert_str_eq(CLI_option_name(1000, lo, -1, name, sizeof(name)), "--gap");
	ck_assert_str_eq(CLI_option_name(1000, lo, 1, name, sizeof(name)), "--gap");
	ck_assert_str_eq(CLI_option_name(2000, lo, -1, name, sizeof(name)), "option");
}
END_TEST

/* server#KEYID: the key is cut off, everything else is left as given. */
START_TEST(t_split_key)
{
	char out[CLI_HOST_MAX + 16], err[160];
	uint32_t id = 0;

	ck_assert_int_eq(CLI_split_key("ntp1.example", out, sizeof(out), &id, err, sizeof(err)), 0);
	ck_assert_str_eq(out, "ntp1.example");
	ck_assert_int_eq(CLI_split_key("ntp1.example:1123#5", out, sizeof(out), &id, err, sizeof(err)), 1);
	ck_assert_str_eq(out, "ntp1.example:1123");
	ck_assert_uint_eq(id, 5);
	ck_assert_int_eq(CLI_split_key("[2001:db8::1]:123#65536", out, sizeof(out), &id, err, sizeof(err)), 1);
	ck_assert_str_eq(out, "[2001:db8::1]:123");
	ck_assert_uint_eq(id, 65536);
	ck_assert_int_eq(CLI_split_key("::1#4294967295", out, sizeof(out), &id, err, sizeof(err)), 1);
	ck_assert_str_eq(out, "::1");
	ck_assert_uint_eq(id, 4294967295u);
	ck_assert_int_eq(CLI_split_key("#5", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no server before '#'") != NULL, "%s", err);
	ck_assert_int_eq(CLI_split_key("host#", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_split_key("host#0", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_split_key("host#4294967296", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_split_key("host#5#6", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_split_key("host#+5", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_split_key("host# 5", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_split_key("host#05", out, sizeof(out), &id, err, sizeof(err)), 1);
	ck_assert_uint_eq(id, 5);
	ck_assert_int_eq(CLI_split_key("host#x", out, sizeof(out), &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "bad key in 'host#x'") != NULL, "%s", err);
	ck_assert_msg(strchr(err, '\n') == NULL, "%s", err);
}
END_TEST

START_TEST(t_auth_options)
{
	struct cli_auth a;
	char err[160];

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(CLI_auth_option(&a, 'a', "42", err, sizeof(err)), 1);
	ck_assert_uint_eq(a.key_id, 42);
	ck_assert_int_eq(CLI_auth_option(&a, 'a', "0", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_auth_option(&a, 'a', "4294967296", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_auth_option(&a, 'k', "/etc/ntp.keys", err, sizeof(err)), 1);
	ck_assert_str_eq(a.keyfile, "/etc/ntp.keys");
	ck_assert_int_eq(CLI_auth_option(&a, 'k', "", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_auth_option(&a, CLI_OPT_KEYFILE_FORMAT, "chrony", err, sizeof(err)), 1);
	ck_assert_int_eq(a.keyfile_format, 2);
	ck_assert_int_eq(CLI_auth_option(&a, CLI_OPT_KEYFILE_FORMAT, "ntpd", err, sizeof(err)), 1);
	ck_assert_int_eq(a.keyfile_format, 1);
	ck_assert_int_eq(CLI_auth_option(&a, CLI_OPT_KEYFILE_FORMAT, "xntpd", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_auth_option(&a, 'e', "0.000064", err, sizeof(err)), 1);
	ck_assert_int_eq(CLI_auth_option(&a, 'e', "2", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_auth_option(&a, 'o', "1", err, sizeof(err)), 1);
	ck_assert_int_eq(a.version, 1);
	ck_assert_int_eq(CLI_auth_option(&a, 'o', "5", err, sizeof(err)), -1);
	ck_assert_int_eq(CLI_auth_option(&a, 'o', "0", err, sizeof(err)), -1);
	ck_assert_int_eq(a.version, 1);
	ck_assert_int_eq(CLI_auth_option(&a, 'p', "1", err, sizeof(err)), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");
	ADD(tc, t_servers_good);
	ADD(tc, t_servers_bad);
	ADD(tc, t_numbers);
	ADD(tc, t_common_options);
	ADD(tc, t_error_wording);
	ADD(tc, t_split_key);
	ADD(tc, t_auth_options);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

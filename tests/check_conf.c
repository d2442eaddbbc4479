/* Unit tests: common/conf, on text in memory and on files in a temp dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/conf.h"
#include "check_common.h"

static struct cnf c;
static char err[300];

static int
parse(enum cnf_kind k, const char *text)
{
	memset(&c, 0, sizeof(c));
	err[0] = '\0';
	return CNF_parse(k, text, strlen(text), "f", &c, err, sizeof(err));
}

START_TEST(t_defaults_debian_shape)
{
	/* what Debian's /etc/default/ntpdate looked like, renamed */
	ck_assert_int_eq(parse(CNF_KIND_DEFAULTS,
	    "# The settings in this file are used by ntpupdate.\n"
	    "\n"
	    "NTPUPDATE_USE_NTP_CONF=yes\n"
	    "NTPSERVERS=\"0.debian.pool.ntp.org 1.debian.pool.ntp.org  [::1]:1234\"\n"
	    "   NTPOPTIONS='-p 2 --max-step 1000'   # two samples\n"
	    "export NTPDATE_USE_NTP_CONF=no\n"), 0);
	ck_assert_uint_eq(c.n_servers, 3);
	ck_assert_str_eq(c.servers[0], "0.debian.pool.ntp.org");
	ck_assert_str_eq(c.servers[2], "[::1]:1234");
	ck_assert_uint_eq(c.n_options, 4);
	ck_assert_str_eq(c.options[0], "-p");
	ck_assert_str_eq(c.options[3], "1000");
	ck_assert_int_eq(c.prefer_daemon_conf, 0); /* the later line wins */
	ck_assert_str_eq(c.servers_from, "f");
	ck_assert_str_eq(c.warning, "");
}
END_TEST

START_TEST(t_defaults_plain_and_empty)
{
	ck_assert_int_eq(parse(CNF_KIND_DEFAULTS, "NTPSERVERS=ntp.example.org\nNTPOPTIONS=\nNTPSERVERS=a\"b\"'c'"), 0);
	ck_assert_uint_eq(c.n_servers, 1);
	ck_assert_str_eq(c.servers[0], "abc"); /* no final newline needed */
	ck_assert_uint_eq(c.n_options, 0);
	ck_assert_int_eq(parse(CNF_KIND_DEFAULTS, ""), 0);
	ck_assert_int_eq(parse(CNF_KIND_DEFAULTS, "NTPSERVERS=\"\"\n"), 0);
	ck_assert_uint_eq(c.n_servers, 0);
}
END_TEST

START_TEST(t_defaults_unknown_variable_warns)
{
	ck_assert_int_eq(parse(CNF_KIND_DEFAULTS, "# x\nNTPSERVER=typo.example\nFOO=1\n"), 0);
	ck_assert_uint_eq(c.n_servers, 0);
	ck_assert_str_eq(c.warning, "f:2: unknown variable NTPSERVER ignored");
}
END_TEST

START_TEST(t_defaults_malformed)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "NTPSERVERS=\"a b\n", "f:1: unterminated \" quote" },
		{ "\nNTPSERVERS='a\n", "f:2: unterminated ' quote" },
		{ "NTPSERVERS=a b\n", "f:1: text after the value of NTPSERVERS (quote a value with spaces)" },
		{ "NTPSERVERS = a\n", "f:1: expected '=' after NTPSERVERS" },
		{ "ntpupdate -p 2\n", "f:1: expected '=' after ntpupdate" },
		{ "1X=2\n", "f:1: expected NAME=value" },
		{ "NTPSERVERS=$SERVERS\n", "f:1: '$' outside quotes: only plain values and quoted strings are supported" },
		{ "NTPSERVERS=\"$(reboot)\"\n", "f:1: '$' inside double quotes: expansions are not supported" },
		{ "NTPSERVERS=a;reboot\n", "f:1: ';' outside quotes: only plain values and quoted strings are supported" },
		{ "NTPUPDATE_USE_NTP_CONF=maybe\n", "f:1: NTPUPDATE_USE_NTP_CONF must be yes or no" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(CNF_KIND_DEFAULTS, bad[i].text), -1);
		ck_assert_str_eq(err, bad[i].err);
	}
}
END_TEST

START_TEST(t_limits)
{
	char text[CNF_LINE_MAX + 64];
	char many[4096] = "NTPSERVERS=\"";
	int i;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "NTPSERVERS=", 11);
	ck_assert_int_eq(parse(CNF_KIND_DEFAULTS, text), -1);
	ck_assert_str_eq(err, "f:1: line longer than 1023 bytes");
	for (i = 0; i < CNF_MAX_WORDS + 1; i++)
		strcat(many, "s.example ");
	strcat(many, "\"\n");
	ck_assert_int_eq(parse(CNF_KIND_DEFAULTS, many), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than 32 servers"));
	/* a NUL inside a line: refused, never read as the end */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(CNF_parse(CNF_KIND_DEFAULTS, "NTPSERVERS=a\0b\n", 15, "f", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "f:1: NUL byte");
	/* a length shorter than the text: the rest is never read */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(CNF_parse(CNF_KIND_DEFAULTS, "NTPSERVERS=abc\"", 14, "f", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.servers[0], "abc");
}
END_TEST

START_TEST(t_chrony)
{
	ck_assert_int_eq(parse(CNF_KIND_CHRONY,
	    "# Debian 12's chrony.conf, with two servers added\n"
	    "pool 2.debian.pool.ntp.org iburst\n"
	    "server 192.0.2.1 iburst port 1123 minpoll 4\n"
	    "server 2001:db8::1 port 124\n"
	    "! server commented.example\n"
	    "; server commented2.example\n"
	    "sourcedir /run/chrony-dhcp\n"
	    "keyfile /etc/chrony/chrony.keys\n"
	    "peer peer.example\n"), 0);
	ck_assert_uint_eq(c.n_servers, 3);
	ck_assert_str_eq(c.servers[0], "2.debian.pool.ntp.org");
	ck_assert_str_eq(c.servers[1], "192.0.2.1:1123");
	ck_assert_str_eq(c.servers[2], "[2001:db8::1]:124");
	ck_assert_int_eq(parse(CNF_KIND_CHRONY, "server\n"), -1);
	ck_assert_str_eq(err, "f:1: server without a name");
	ck_assert_int_eq(parse(CNF_KIND_CHRONY, "\n\nserver a.example port 70000\n"), -1);
	ck_assert_str_eq(err, "f:3: bad port 70000");
	ck_assert_int_eq(parse(CNF_KIND_CHRONY, "pool a.example port\n"), -1);
	ck_assert_str_eq(err, "f:1: port without a number");
}
END_TEST

START_TEST(t_ntpsec)
{
	ck_assert_int_eq(parse(CNF_KIND_NTPSEC,
	    "# /etc/ntpsec/ntp.conf\n"
	    "driftfile /var/lib/ntpsec/ntp.drift\n"
	    "pool 0.debian.pool.ntp.org iburst # the pool\n"
	    "server 127.127.1.0 # local clock\n"
	    "server ntp.example.org prefer\n"
	    "#server commented.example\n"
	    "restrict default kod nomodify nopeer noquery limited\n"), 0);
	ck_assert_uint_eq(c.n_servers, 2);
	ck_assert_str_eq(c.servers[0], "0.debian.pool.ntp.org");
	ck_assert_str_eq(c.servers[1], "ntp.example.org");
	ck_assert_int_eq(parse(CNF_KIND_NTPSEC, "pool # nothing\n"), -1);
	ck_assert_str_eq(err, "f:1: pool without a name");
}
END_TEST

static char dir[64];

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(t_load_order)
{
	char d[128], ch[128], ns[128];
	struct cnf_paths p = { d, ch, ns };
	char cmd[256];

	ck_tmpdir(dir, "check_conf");
	snprintf(d, sizeof(d), "%s/default", dir);
	snprintf(ch, sizeof(ch), "%s/chrony.conf", dir);
	snprintf(ns, sizeof(ns), "%s/ntp.conf", dir);

	/* nothing at all: no servers, no error */
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_servers, 0);
	/* ntp.conf only */
	put("ntp.conf", "server ntpsec.example\n");
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.servers[0], "ntpsec.example");
	ck_assert_str_eq(c.servers_from, ns);
	/* chrony.conf before ntp.conf */
	put("chrony.conf", "pool chrony.example\n");
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.servers[0], "chrony.example");
	ck_assert_str_eq(c.servers_from, ch);
	/* NTPSERVERS before both; NTPOPTIONS kept either way */
	put("default", "NTPSERVERS=mine.example\nNTPOPTIONS=-p1\n");
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.servers[0], "mine.example");
	ck_assert_str_eq(c.servers_from, d);
	ck_assert_str_eq(c.options[0], "-p1");
	/* ...unless NTPUPDATE_USE_NTP_CONF=yes */
	put("default", "NTPSERVERS=mine.example\nNTPOPTIONS=-p1\nNTPUPDATE_USE_NTP_CONF=yes\n");
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.servers[0], "chrony.example");
	ck_assert_str_eq(c.options[0], "-p1");
	/* options only: servers still from the daemons' files */
	put("default", "NTPOPTIONS=-p1\n");
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.servers[0], "chrony.example");
	/* a malformed file is an error naming file and line */
	put("chrony.conf", "pool chrony.example\nserver\n");
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), -1);
	snprintf(cmd, sizeof(cmd), "%s:2: server without a name", ch);
	ck_assert_str_eq(err, cmd);
	/* a directory where the file should be */
	snprintf(cmd, sizeof(cmd), "%s/default", dir);
	unlink(cmd);
	mkdir(cmd, 0755);
	ck_assert_int_eq(CNF_load(&p, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	ck_rmtree(dir);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");
	ADD(tc, t_defaults_debian_shape);
	ADD(tc, t_defaults_plain_and_empty);
	ADD(tc, t_defaults_unknown_variable_warns);
	ADD(tc, t_defaults_malformed);
	ADD(tc, t_limits);
	ADD(tc, t_chrony);
	ADD(tc, t_ntpsec);
	ADD(tc, t_load_order);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(conf_suite)

/* Unit tests: common/state (format/parse round trip, every field
 * validated, atomic write and read back, reference IDs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "common/state.h"
#include "check_common.h"

static struct sta_record
sample(void)
{
	struct sta_record r;
	memset(&r, 0, sizeof(r));
	r.stratum = 3;
	r.leap = 1;
	r.refid = htonl(0xc0000201);
	r.root_delay = 0.012345678;
	r.root_disp = 0.000987654;
	r.set_real.tv_sec = 1796222941;
	r.set_real.tv_nsec = 123456789;
	r.real_minus_boot = 1796000000123456789LL;
	r.slew = -0.25;
	strcpy(r.upstream, "192.0.2.1");
	return r;
}

START_TEST(t_round_trip)
{
	struct sta_record a = sample(), b;
	char text[STA_MAX_FILE], err[128];
	size_t n = STA_format(&a, text, sizeof(text));

	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(STA_parse(text, n, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(b.stratum, 3);
	ck_assert_int_eq(b.leap, 1);
	ck_assert_uint_eq(b.refid, a.refid);
	ck_assert_double_eq_tol(b.root_delay, a.root_delay, 1e-9);
	ck_assert_double_eq_tol(b.root_disp, a.root_disp, 1e-9);
	ck_assert_int_eq(b.set_real.tv_sec, a.set_real.tv_sec);
	ck_assert_int_eq(b.set_real.tv_nsec, a.set_real.tv_nsec);
	ck_assert(b.real_minus_boot == a.real_minus_boot);
	ck_assert_double_eq_tol(b.slew, -0.25, 1e-12);
	ck_assert_str_eq(b.upstream, "192.0.2.1");
	ck_assert_uint_eq(STA_format(&a, text, 20), 0);
}
END_TEST

/* Replace the line starting with key by "key value" (value NULL: drop it). */
static size_t
edit(char *text, const char *key, const char *value)
{
	struct sta_record a = sample();
	char orig[STA_MAX_FILE], *line, *save = NULL;
	size_t klen = strlen(key);

	STA_format(&a, orig, sizeof(orig));
	text[0] = '\0';
	for (line = strtok_r(orig, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			if (value == NULL)
				continue;
			strcat(text, key);
			strcat(text, " ");
			strcat(text, value);
		} else {
			strcat(text, line);
		}
		strcat(text, "\n");
	}
	return strlen(text);
}

START_TEST(t_rejects)
{
	static const struct {
		const char *key, *value;
	} bad[] = {
		{ "version", "2" }, { "stratum", "0" }, { "stratum", "16" }, { "stratum", "3x" },
		{ "stratum", "" }, { "leap", "3" }, { "leap", "-1" }, { "refid", "c000020" },
		{ "refid", "c00002011" }, { "refid", "-0000001" }, { "refid", "zzzzzzzz" },
		{ "root_delay", "nan" }, { "root_delay", "inf" }, { "root_delay", "-1" },
		{ "root_disp", "1e9" }, { "root_disp", "0x10" }, { "set_time", "1796222941" },
		{ "set_time", "1796222941.12" }, { "set_time", "-5.000000000" },
		{ "set_time", "1796222941.-12345678" }, { "real_minus_boot", "1.5" },
		{ "slew", "nan" }, { "upstream", "a b" },
		{ "upstream", "0123456789012345678901234567890123456789012345678901234567890123456789" },
		{ "stratum", NULL }, { "upstream", NULL },
	};
	struct sta_record out;
	char text[STA_MAX_FILE], err[128];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&out, 0x5a, sizeof(out));
		n = edit(text, bad[i].key, bad[i].value);
		ck_assert_msg(STA_parse(text, n, &out, err, sizeof(err)) < 0, "accepted %s=%s", bad[i].key,
		    bad[i].value ? bad[i].value : "(missing)");
		ck_assert_uint_eq(((unsigned char *)&out)[0], 0x5a); /* untouched */
		ck_assert_uint_gt(strlen(err), 0);
	}
	/* a key twice, an unknown key, no final newline, a NUL, too long */
	n = edit(text, "leap", "0");
	strcat(text, "leap 0\n");
	ck_assert_int_lt(STA_parse(text, n + 7, &out, err, sizeof(err)), 0);
	n = edit(text, "leap", "0");
	strcat(text, "colour blue\n");
	ck_assert_int_lt(STA_parse(text, n + 12, &out, err, sizeof(err)), 0);
	n = edit(text, "leap", "0");
	ck_assert_int_lt(STA_parse(text, n - 1, &out, err, sizeof(err)), 0);
	text[3] = '\0';
	ck_assert_int_lt(STA_parse(text, n, &out, err, sizeof(err)), 0);
	ck_assert_int_lt(STA_parse(text, STA_MAX_FILE + 1, &out, err, sizeof(err)), 0);
	ck_assert_int_lt(STA_parse("", 0, &out, err, sizeof(err)), 0);
}
END_TEST

START_TEST(t_write_read)
{
	char dir[] = "/tmp/check_state.XXXXXX", path[256], err[256];
	struct sta_record a = sample(), b;
	struct stat sb;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/state", dir);
	ck_assert_int_eq(STA_write(path, &a, err, sizeof(err)), 0); /* makes sub/ */
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0644);
	ck_assert_int_eq(STA_read(path, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(b.stratum, a.stratum);
	a.stratum = 5; /* replaced whole */
	ck_assert_int_eq(STA_write(path, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(STA_read(path, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(b.stratum, 5);
	unlink(path);
	ck_assert_int_lt(STA_read(path, &b, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	/* an unwritable place: a clear error, nothing left behind */
	snprintf(path, sizeof(path), "%s/missing/deeper/state", dir);
	ck_assert_int_lt(STA_write(path, &a, err, sizeof(err)), 0);
	rmdir(dir);
}
END_TEST

START_TEST(t_refid)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", &s4.sin_addr);
	ck_assert_uint_eq(ntohl(STA_refid((struct sockaddr *)&s4)), 0xc0000201);
	/* RFC 5905: the first four bytes of the MD5 of the IPv6 address.
	 * md5(16 bytes of ::1) = cf404dc8... (checked with python3
	 * hashlib.md5(ipaddress.ip_address("::1").packed)) */
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	ck_assert_uint_eq(ntohl(STA_refid((struct sockaddr *)&s6)), 0xcf404dc8u);
}
END_TEST

START_TEST(t_clocks_pair)
{
	struct timespec r1, b1, r2, b2;
	double rel1, rel2;

	STA_clocks(&r1, &b1);
	STA_clocks(&r2, &b2);
	rel1 = (double)(r1.tv_sec - b1.tv_sec) + (r1.tv_nsec - b1.tv_nsec) * 1e-9;
	rel2 = (double)(r2.tv_sec - b2.tv_sec) + (r2.tv_nsec - b2.tv_nsec) * 1e-9;
	/* the relation holds still between two reads (no one steps the clock here) */
	ck_assert_double_eq_tol(rel1, rel2, 1e-3);
	ck_assert(r2.tv_sec > r1.tv_sec || (r2.tv_sec == r1.tv_sec && r2.tv_nsec >= r1.tv_nsec));
}
END_TEST

START_TEST(t_path_env)
{
	setenv(STA_ENV, "/tmp/x/state", 1);
	ck_assert_str_eq(STA_path(), "/tmp/x/state");
	setenv(STA_ENV, "", 1);
	ck_assert_str_eq(STA_path(), STA_DEFAULT_PATH);
	unsetenv(STA_ENV);
	ck_assert_str_eq(STA_path(), STA_DEFAULT_PATH);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");
	ADD(tc, t_round_trip);
	ADD(tc, t_rejects);
	ADD(tc, t_write_read);
	ADD(tc, t_refid);
	ADD(tc, t_path_env);
	ADD(tc, t_clocks_pair);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(state_suite)

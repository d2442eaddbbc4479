/* Unit tests: common/keyrun (options and server arguments to keyed
 * sources). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/auth_key.h"
#include "common/keyrun.h"
#include "check_common.h"

static char path[64];

static void
setup(void)
{
	static const char text[] = "1 MD5 one\n2 SHA1 HEX:00112233445566778899aabbccddeeff00112233\n"
				   "3 SHA3-256 HEX:00\n";
	int fd;

	strcpy(path, "/tmp/check_keyrun.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
}

static void
teardown(void)
{
	unlink(path);
}

START_TEST(t_prepare_and_setup)
{
	static struct krn k;
	static struct eng_run run;
	static struct eng_source src[3];
	struct cli_auth a;
	char a0[] = "a.example#2", a1[] = "b.example", a2[] = "[::1]:1123#1";
	char *args[] = { a0, a1, a2 };
	char err[256];

	memset(&a, 0, sizeof(a));
	a.keyfile = path;
	a.key_id = 1;
	ck_assert_msg(KRN_prepare(&k, &a, args, 3, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(k.n_args, 3);
	ck_assert_str_eq(k.args[0], "a.example");
	ck_assert_str_eq(k.args[1], "b.example");
	ck_assert_str_eq(k.args[2], "[::1]:1123");
	/* sources of each argument: their own key, or -a's */
	memset(&run, 0, sizeof(run));
	memset(src, 0, sizeof(src));
	run.src = src;
	run.n_src = 3;
	src[0].name = 0;
	src[1].name = 1;
	src[2].name = 2;
	KRN_setup(&k, &run, 0);
	KRN_setup(&k, &run, 1);
	KRN_setup(&k, &run, 2);
	ck_assert_ptr_eq(src[0].auth, &AUTH_key);
	ck_assert_uint_eq(((const struct key *)src[0].auth_ctx)->id, 2);
	ck_assert_uint_eq(((const struct key *)src[1].auth_ctx)->id, 1);
	ck_assert_uint_eq(((const struct key *)src[2].auth_ctx)->id, 1);
	ck_assert_uint_eq(k.n_keyed, 3);
	/* the key no server uses was wiped once the arguments were checked */
	ck_assert_uint_eq(KEY_find(&k.kf, 3)->len, 0);
	ck_assert_uint_eq(KEY_find(&k.kf, 3)->data[0], 0);
	ck_assert_uint_eq(KEY_find(&k.kf, 1)->len, 3);
	KRN_describe(&k, err, sizeof(err));
	ck_assert_msg(strstr(err, "3 keys, chrony format (detected from the file)") != NULL, "%s", err);
	KRN_free(&k);
	ck_assert_int_eq(k.loaded, 0);
	ck_assert_ptr_null(k.kf.keys);
}
END_TEST

START_TEST(t_no_keys)
{
	static struct krn k;
	static struct eng_run run;
	static struct eng_source src[1];
	struct cli_auth a;
	char a0[] = "a.example";
	char *args[] = { a0 };
	char err[256];

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(KRN_prepare(&k, &a, args, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(k.loaded, 0);
	memset(&run, 0, sizeof(run));
	memset(src, 0, sizeof(src));
	run.src = src;
	KRN_setup(&k, &run, 0);
	ck_assert_ptr_null(src[0].auth);
	KRN_free(&k);
}
END_TEST

START_TEST(t_refused)
{
	static struct krn k;
	struct cli_auth a;
	char a0[] = "a.example#3", a1[] = "b.example#9", a2[] = "c#x";
	char *args[] = { a0, a1, a2 };
	char err[256];

	memset(&a, 0, sizeof(a));
	a.keyfile = path;
	ck_assert_int_eq(KRN_prepare(&k, &a, args, 1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "a.example#3: key 3 (line 3) has type 'SHA3-256'") != NULL, "%s", err);
	KRN_free(&k);
	ck_assert_int_eq(KRN_prepare(&k, &a, args + 1, 1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "key 9 is not in the key file") != NULL, "%s", err);
	KRN_free(&k);
	ck_assert_int_eq(KRN_prepare(&k, &a, args + 2, 1, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "bad key in 'c#x'") != NULL, "%s", err);
	KRN_free(&k);
	a.key_id = 7;
	ck_assert_int_eq(KRN_prepare(&k, &a, NULL, 0, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "-a 7: key 7 is not in the key file") != NULL, "%s", err);
	KRN_free(&k);
	/* -a alone reads ntpdate's default file */
	a.keyfile = NULL;
	if (access(CLI_DEFAULT_KEYFILE, F_OK) != 0) {
		ck_assert_int_eq(KRN_prepare(&k, &a, NULL, 0, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "cannot read key file " CLI_DEFAULT_KEYFILE) != NULL, "%s", err);
		KRN_free(&k);
	}
}
END_TEST

static Suite *
keyrun_suite(void)
{
	Suite *s = suite_create("keyrun");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	ADD(tc, t_prepare_and_setup);
	ADD(tc, t_no_keys);
	ADD(tc, t_refused);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(keyrun_suite)

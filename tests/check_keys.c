/* Unit tests: common/keys (key files in the ntpd and chrony dialects). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/keys.h"
#include "check_common.h"

#define HEX40 "0123456789abcdef0123456789ABCDEF01234567"
#define HEX32 "000102030405060708090a0b0c0d0e0f"
#define HEX64 HEX32 "101112131415161718191a1b1c1d1e1f"

static int
parse(struct keyfile *kf, const char *text, enum key_format fmt, char *err, size_t errlen)
{
	err[0] = '\0';
	return KEY_parse(kf, text, strlen(text), fmt, err, errlen);
}

/* text must be refused with a one-line message containing want. */
static void
refused(const char *text, enum key_format fmt, const char *want)
{
	struct keyfile kf;
	char err[256];

	ck_assert_msg(parse(&kf, text, fmt, err, sizeof(err)) == -1, "accepted: %s", text);
	ck_assert_msg(strstr(err, want) != NULL, "'%s' not in '%s'", want, err);
	ck_assert_msg(strchr(err, '\n') == NULL, "multi-line message: %s", err);
	ck_assert_ptr_null(kf.keys);
	ck_assert_uint_eq(kf.n, 0);
}

START_TEST(t_ntpd_dialect)
{
	struct keyfile kf;
	const struct key *k;
	char err[256];
	/* as NTPsec's ntpkeygen writes it: a trailing comment per line */
	const char *text =
	    "# ntpkey_MD5key_host.3960000000\n"
	    "# comment\n"
	    "\n"
	    " 1 MD5 abcdefghij  # MD5 key\n"
	    "11 SHA1 " HEX40 "  # SHA1 key\n"
	    "12 M short\n"
	    "13 AES128CMAC " HEX32 "\n"
	    "14 aes-256 " HEX64 "\n"
	    "15 RMD160 whatever\n";

	ck_assert_msg(parse(&kf, text, KEY_FMT_AUTO, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(kf.format, KEY_FMT_NTPD);
	ck_assert_int_eq(kf.detected, 1);
	ck_assert_int_eq(kf.same_in_both, 0);
	ck_assert_uint_eq(kf.n, 6);
	k = KEY_find(&kf, 1);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->type, KEY_T_MD5);
	ck_assert_uint_eq(k->len, 10);
	ck_assert_mem_eq(k->data, "abcdefghij", 10);
	ck_assert_uint_eq(k->line, 4);
	k = KEY_find(&kf, 11);
	ck_assert_int_eq(k->type, KEY_T_SHA1);
	ck_assert_uint_eq(k->len, 20); /* hex to ntpd */
	ck_assert_uint_eq(k->data[0], 0x01);
	ck_assert_uint_eq(k->data[19], 0x67);
	ck_assert_int_eq(KEY_find(&kf, 12)->type, KEY_T_MD5); /* ntpd: "M..." is MD5 */
	ck_assert_int_eq(KEY_find(&kf, 13)->type, KEY_T_AES128);
	ck_assert_uint_eq(KEY_find(&kf, 13)->len, 16);
	ck_assert_int_eq(KEY_find(&kf, 14)->type, KEY_T_AES256);
	ck_assert_uint_eq(KEY_find(&kf, 14)->len, 32);
	ck_assert_int_eq(KEY_find(&kf, 15)->type, KEY_T_UNSUPPORTED);
	ck_assert_str_eq(KEY_find(&kf, 15)->type_name, "RMD160");
	ck_assert_ptr_null(KEY_find(&kf, 2));
	KEY_free(&kf);
	ck_assert_ptr_null(kf.keys);
}
END_TEST

START_TEST(t_chrony_dialect)
{
	struct keyfile kf;
	const struct key *k;
	char err[256];
	/* as chronyc keygen writes it, plus every other form chrony reads */
	const char *text =
	    "% comment\n"
	    "; comment\n"
	    "1 SHA1 HEX:" HEX40 "\n"
	    "2 " HEX40 "\n"
	    "3 SHA1 ASCII:" HEX40 "\n"
	    "70000 AES128 HEX:" HEX32 "\n"
	    "0 AES256 HEX:" HEX64 "\n"
	    "4294967295 MD5 a-much-longer-ascii-key-than-twenty\n"
	    "9 SHA3-256 HEX:00\n";

	ck_assert_msg(parse(&kf, text, KEY_FMT_AUTO, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(kf.format, KEY_FMT_CHRONY);
	ck_assert_int_eq(kf.detected, 1);
	k = KEY_find(&kf, 1);
	ck_assert_uint_eq(k->len, 20);
	ck_assert_uint_eq(k->data[8], 0x01);
	k = KEY_find(&kf, 2); /* "ID KEY": MD5, ASCII */
	ck_assert_int_eq(k->type, KEY_T_MD5);
	ck_assert_uint_eq(k->len, 40);
	ck_assert_mem_eq(k->data, HEX40, 40);
	k = KEY_find(&kf, 3);
	ck_assert_uint_eq(k->len, 40);
	ck_assert_int_eq(KEY_find(&kf, 70000)->type, KEY_T_AES128);
	ck_assert_int_eq(KEY_find(&kf, 0)->type, KEY_T_AES256);
	ck_assert_uint_eq(KEY_find(&kf, 4294967295u)->len, 35);
	ck_assert_int_eq(KEY_find(&kf, 9)->type, KEY_T_UNSUPPORTED);
	KEY_free(&kf);
}
END_TEST

/* The line both dialects read, differently: detected only with help. */
START_TEST(t_ambiguous)
{
	struct keyfile kf;
	char err[256];
	const char *text = "# keys\n\n5 SHA1 " HEX40 "\n";

	refused(text, KEY_FMT_AUTO, "line 3: the key is hex to ntpd but ASCII to chrony");
	refused(text, KEY_FMT_AUTO, "--keyfile-format");
	ck_assert_int_eq(parse(&kf, text, KEY_FMT_NTPD, err, sizeof(err)), 0);
	ck_assert_int_eq(kf.detected, 0);
	ck_assert_uint_eq(KEY_find(&kf, 5)->len, 20);
	KEY_free(&kf);
	ck_assert_int_eq(parse(&kf, text, KEY_FMT_CHRONY, err, sizeof(err)), 0);
	ck_assert_uint_eq(KEY_find(&kf, 5)->len, 40);
	KEY_free(&kf);
	/* one chrony-only line elsewhere decides it */
	ck_assert_int_eq(parse(&kf, "5 SHA1 " HEX40 "\n6 SHA1 HEX:00ff\n", KEY_FMT_AUTO, err, sizeof(err)), 0);
	ck_assert_int_eq(kf.format, KEY_FMT_CHRONY);
	ck_assert_uint_eq(KEY_find(&kf, 5)->len, 40);
	KEY_free(&kf);
	/* and an ntpd-only line (a trailing comment) the other way */
	ck_assert_int_eq(parse(&kf, "5 SHA1 " HEX40 "\n6 MD5 pass # old\n", KEY_FMT_AUTO, err, sizeof(err)), 0);
	ck_assert_int_eq(kf.format, KEY_FMT_NTPD);
	ck_assert_uint_eq(KEY_find(&kf, 5)->len, 20);
	KEY_free(&kf);
}
END_TEST

/* Lines that mean the same to both need no decision. */
START_TEST(t_same_in_both)
{
	struct keyfile kf;
	char err[256];

	ck_assert_int_eq(parse(&kf, "1 MD5 secret\n2 SHA1 twentycharacterskey!\n", KEY_FMT_AUTO, err, sizeof(err)), 0);
	ck_assert_int_eq(kf.same_in_both, 1);
	ck_assert_uint_eq(kf.n, 2);
	ck_assert_uint_eq(KEY_find(&kf, 2)->len, 20);
	KEY_free(&kf);
	/* an empty file is a file without keys */
	ck_assert_int_eq(parse(&kf, "", KEY_FMT_AUTO, err, sizeof(err)), 0);
	ck_assert_uint_eq(kf.n, 0);
	KEY_free(&kf);
	/* CRLF line ends and no final newline */
	ck_assert_int_eq(parse(&kf, "1 MD5 secret\r\n2 MD5 other", KEY_FMT_AUTO, err, sizeof(err)), 0);
	ck_assert_uint_eq(KEY_find(&kf, 1)->len, 6);
	ck_assert_uint_eq(KEY_find(&kf, 2)->len, 5);
	KEY_free(&kf);
}
END_TEST

START_TEST(t_errors)
{
	refused("1 MD5 ok\n2 MD5\n", KEY_FMT_NTPD, "line 2: expected 'ID TYPE KEY'");
	refused("1 MD5 ok\n2\n", KEY_FMT_AUTO, "line 2: expected 'ID TYPE KEY'");
	refused("1 MD5 ok\n2\n", KEY_FMT_CHRONY, "line 2: expected 'ID [TYPE] KEY'");
	refused("1 MD5 a b\n", KEY_FMT_CHRONY, "line 1: expected");
	refused("x1 MD5 ok\n", KEY_FMT_AUTO, "line 1: bad key ID 'x1' (1..65535)");
	refused("0 MD5 ok\n", KEY_FMT_NTPD, "line 1: bad key ID '0'");
	refused("65536 MD5 ok\n", KEY_FMT_NTPD, "line 1: bad key ID '65536'");
	refused("4294967296 MD5 ok\n", KEY_FMT_CHRONY, "bad key ID");
	refused("-1 MD5 ok\n", KEY_FMT_CHRONY, "bad key ID");
	refused("\n\n3 AES128 HEX:0011\n", KEY_FMT_AUTO, "line 3: AES128 key 3 is 2 bytes long, AES128 needs 16");
	refused("3 AES256 HEX:" HEX32 "\n", KEY_FMT_AUTO, "AES256 key 3 is 16 bytes long, AES256 needs 32");
	refused("3 AES tooshort\n", KEY_FMT_NTPD, "AES128 key 3 is 8 bytes long");
	refused("3 SHA1 HEX:abc\n", KEY_FMT_AUTO, "line 1: bad HEX: key");
	refused("3 SHA1 HEX:zz\n", KEY_FMT_AUTO, "bad HEX: key");
	refused("3 SHA1 HEX:\n", KEY_FMT_AUTO, "bad HEX: key");
	refused("3 SHA1 ASCII:\n", KEY_FMT_AUTO, "empty key");
	refused("3 SHA1 " HEX40 "0\n", KEY_FMT_NTPD, "line 1: a key longer than 20 characters must be");
	refused("3 SHA1 " HEX64 "00\n", KEY_FMT_NTPD, "at most 64");
	refused("3 SHA1 zzzzzzzzzzzzzzzzzzzzzzzzz\n", KEY_FMT_NTPD, "hex digits");
	refused("1 MD5 a\n2 MD5 b\n1 SHA1 c\n", KEY_FMT_AUTO, "line 3: key 1 is already defined on line 1");
	refused("1 MD5 a # x\n2 SHA1 HEX:00\n", KEY_FMT_AUTO, "mixes ntpd syntax (line 1) and chrony syntax (line 2)");
}
END_TEST

START_TEST(t_nul_byte)
{
	static const char text[] = "1 MD5 a\n2 MD5 b\0c\n";
	struct keyfile kf;
	char err[256];

	ck_assert_int_eq(KEY_parse(&kf, text, sizeof(text) - 1, KEY_FMT_AUTO, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 2: NUL byte in line");
	ck_assert_ptr_null(kf.keys);
}
END_TEST

START_TEST(t_long_line)
{
	char *text = malloc(KEY_LINE_MAX + 64);
	memcpy(text, "1 MD5 a\n2 MD5 ", 14);
	memset(text + 14, 'k', KEY_LINE_MAX);
	strcpy(text + 14 + KEY_LINE_MAX, "\n");
	refused(text, KEY_FMT_AUTO, "line 2: line longer than 2048 bytes");
	free(text);
}
END_TEST

START_TEST(t_usable)
{
	struct keyfile kf;
	char err[256];

	ck_assert_int_eq(parse(&kf, "1 MD5 a\n2 SHA3-256 HEX:00\n3 AES128 HEX:" HEX32 "\n", KEY_FMT_AUTO,
	    err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(KEY_usable(&kf, 1, err, sizeof(err)));
	ck_assert_ptr_nonnull(KEY_usable(&kf, 3, err, sizeof(err)));
	ck_assert_ptr_null(KEY_usable(&kf, 2, err, sizeof(err)));
	ck_assert_msg(strstr(err, "key 2 (line 2) has type 'SHA3-256'") != NULL, "%s", err);
	ck_assert_ptr_null(KEY_usable(&kf, 7, err, sizeof(err)));
	ck_assert_str_eq(err, "key 7 is not in the key file");
	KEY_free(&kf);
}
END_TEST

START_TEST(t_types)
{
	ck_assert_uint_eq(KEY_digest_len(KEY_T_MD5), 16);
	ck_assert_uint_eq(KEY_digest_len(KEY_T_SHA1), 20);
	ck_assert_uint_eq(KEY_digest_len(KEY_T_SHA512), 20);
	ck_assert_uint_eq(KEY_digest_len(KEY_T_AES128), 16);
	ck_assert_uint_eq(KEY_digest_len(KEY_T_AES256), 16);
	ck_assert_uint_eq(KEY_digest_len(KEY_T_UNSUPPORTED), 0);
	ck_assert_int_eq(KEY_parse_format("ntpd"), KEY_FMT_NTPD);
	ck_assert_int_eq(KEY_parse_format("ntpsec"), KEY_FMT_NTPD);
	ck_assert_int_eq(KEY_parse_format("chrony"), KEY_FMT_CHRONY);
	ck_assert_int_eq(KEY_parse_format("Chrony"), -1);
	ck_assert_int_eq(KEY_parse_format(""), -1);
	ck_assert_str_eq(KEY_format_name(KEY_FMT_CHRONY), "chrony");
}
END_TEST

static char *
write_file(const char *text, mode_t mode)
{
	char *path = strdup("/tmp/check_keys.XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

START_TEST(t_read_file)
{
	struct keyfile kf;
	char err[512];
	char *p = write_file("1 MD5 secret\n", 0600);

	ck_assert_msg(KEY_read_file(&kf, p, KEY_FMT_AUTO, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(kf.loose_mode, 0);
	ck_assert_uint_eq(kf.n, 1);
	KEY_free(&kf);
	chmod(p, 0640);
	ck_assert_int_eq(KEY_read_file(&kf, p, KEY_FMT_AUTO, err, sizeof(err)), 0);
	ck_assert_int_eq(kf.loose_mode, 1);
	KEY_free(&kf);
	chmod(p, 0604);
	ck_assert_int_eq(KEY_read_file(&kf, p, KEY_FMT_AUTO, err, sizeof(err)), 0);
	ck_assert_int_eq(kf.loose_mode, 1);
	KEY_free(&kf);
	unlink(p);
	/* missing file, directory, and a parse error all name the file */
	ck_assert_int_eq(KEY_read_file(&kf, p, KEY_FMT_AUTO, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cannot read key file /tmp/check_keys.") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
	ck_assert_int_eq(KEY_read_file(&kf, "/tmp", KEY_FMT_AUTO, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
	free(p);
	p = write_file("1 MD5 secret\n2\n", 0600);
	ck_assert_int_eq(KEY_read_file(&kf, p, KEY_FMT_AUTO, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, ": line 2: expected") != NULL, "%s", err);
	unlink(p);
	free(p);
}
END_TEST

static Suite *
keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("core");
	ADD(tc, t_ntpd_dialect);
	ADD(tc, t_chrony_dialect);
	ADD(tc, t_ambiguous);
	ADD(tc, t_same_in_both);
	ADD(tc, t_errors);
	ADD(tc, t_nul_byte);
	ADD(tc, t_long_line);
	ADD(tc, t_usable);
	ADD(tc, t_types);
	ADD(tc, t_read_file);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(keys_suite)

/* Unit tests: common/nts_cache (the NTS cookie cache files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/nts_cache.h"
#include "check_common.h"

static void
entry(struct ntsc_entry *e, time_t when, size_t n)
{
	size_t i;
	memset(e, 0, sizeof(*e));
	e->written = when;
	strcpy(e->ntp_host, "ntp.example");
	strcpy(e->ntp_port, "123");
	memset(e->c2s, 0x11, sizeof(e->c2s));
	memset(e->s2c, 0x22, sizeof(e->s2c));
	for (i = 0; i < n; i++) {
		e->cookie_len[i] = (uint16_t)(50 + i);
		memset(e->cookie[i], (int)(0xa0 + i), e->cookie_len[i]);
	}
	e->n_cookies = n;
}

START_TEST(t_round_trip)
{
	struct ntsc_entry a, b;
	char text[NTSC_MAX_FILE], note[160];
	size_t len;

	entry(&a, 1000000, 8);
	len = NTSC_format(&a, text, sizeof(text));
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(NTSC_parse(text, len, 1000100, 3600, &b, note, sizeof(note)), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	/* too small a buffer: nothing */
	ck_assert_uint_eq(NTSC_format(&a, text, 100), 0);
}
END_TEST

START_TEST(t_refused)
{
	struct ntsc_entry a, b;
	char text[NTSC_MAX_FILE], t2[NTSC_MAX_FILE + 10], note[160];
	size_t len;

	entry(&a, 1000000, 2);
	len = NTSC_format(&a, text, sizeof(text));
	/* stale, from the future */
	ck_assert_int_eq(NTSC_parse(text, len, 1000000 + 3601, 3600, &b, note, sizeof(note)), -1);
	ck_assert(strstr(note, "stale") != NULL);
	ck_assert_int_eq(NTSC_parse(text, len, 1000000 - 1000, 3600, &b, note, sizeof(note)), -1);
	/* every proper prefix is refused but the one without the last cookie */
	for (size_t n = 0; n < len; n++)
		if (n == 0 || text[n - 1] != '\n' || strncmp(text + n, "cookie", 6) != 0 ||
		    strstr(text, "cookie") == text + n)
			ck_assert_int_eq(NTSC_parse(text, n, 1000000, 3600, &b, note, sizeof(note)), -1);
	/* a line twice */
	len = NTSC_format(&a, text, sizeof(text));
	len += (size_t)sprintf(text + len, "ntp x 1\n");
	ck_assert_int_eq(NTSC_parse(text, len, 1000000, 3600, &b, note, sizeof(note)), -1);
	len = NTSC_format(&a, text, sizeof(text));
	/* a changed byte in a key: odd hex, bad digit */
	memcpy(t2, text, len);
	*strstr(t2, "c2s ") = 'x';
	ck_assert_int_eq(NTSC_parse(t2, len, 1000000, 3600, &b, note, sizeof(note)), -1);
	memcpy(t2, text, len);
	strstr(t2, "c2s ")[5] = 'G';
	ck_assert_int_eq(NTSC_parse(t2, len, 1000000, 3600, &b, note, sizeof(note)), -1);
	/* no cookie line */
	entry(&a, 1000000, 0);
	len = NTSC_format(&a, text, sizeof(text));
	ck_assert_int_eq(NTSC_parse(text, len, 1000000, 3600, &b, note, sizeof(note)), -1);
	/* nine cookies */
	entry(&a, 1000000, 8);
	len = NTSC_format(&a, text, sizeof(text));
	len += (size_t)sprintf(text + len, "cookie abcd\n");
	ck_assert_int_eq(NTSC_parse(text, len, 1000000, 3600, &b, note, sizeof(note)), -1);
	ck_assert(strstr(note, "too many") != NULL);
	/* a cookie of 257 bytes */
	entry(&a, 1000000, 1);
	len = NTSC_format(&a, text, sizeof(text));
	len += (size_t)sprintf(text + len, "cookie ");
	for (int i = 0; i < 257; i++)
		len += (size_t)sprintf(text + len, "ab");
	len += (size_t)sprintf(text + len, "\n");
	ck_assert_int_eq(NTSC_parse(text, len, 1000000, 3600, &b, note, sizeof(note)), -1);
	/* a bad port */
	ck_assert_int_eq(NTSC_parse("ntpupdate-nts-cache 1\nntp a 99999\n", 34, 0, 10, &b, note, sizeof(note)), -1);
}
END_TEST

START_TEST(t_files)
{
	char dir[] = "/tmp/check_nts_cache.XXXXXX", path[300], note[160];
	struct ntsc_entry a, b;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/e", dir);
	entry(&a, time(NULL), 3);
	ck_assert_int_eq(NTSC_take(path, time(NULL), 3600, &b, note, sizeof(note)), 0);
	ck_assert_int_eq(NTSC_store(path, &a, note, sizeof(note)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(NTSC_take(path, time(NULL), 3600, &b, note, sizeof(note)), 1);
	ck_assert_uint_eq(b.n_cookies, 3);
	/* taken: gone, so no cookie can be sent twice */
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(NTSC_take(path, time(NULL), 3600, &b, note, sizeof(note)), 0);
	/* group-readable: refused and left alone */
	ck_assert_int_eq(NTSC_store(path, &a, note, sizeof(note)), 0);
	chmod(path, 0644);
	ck_assert_int_eq(NTSC_take(path, time(NULL), 3600, &b, note, sizeof(note)), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	unlink(path);
	/* a symbolic link is not followed */
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	ck_assert_int_eq(NTSC_take(path, time(NULL), 3600, &b, note, sizeof(note)), -1);
	unlink(path);
	/* no directory to write into */
	snprintf(path, sizeof(path), "%s/none/e", dir);
	ck_assert_int_eq(NTSC_store(path, &a, note, sizeof(note)), -1);
	rmdir(dir);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("nts_cache");
	TCase *tc = tcase_create("cache");
	ADD(tc, t_round_trip);
	ADD(tc, t_refused);
	ADD(tc, t_files);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

/* Unit tests: common/siv (AES-SIV-CMAC-256 known answers).
 *
 * RFC 5297's own vectors (A.1 without a nonce, A.2 with two associated-data
 * components) cannot be expressed through the one-AD-plus-nonce interface
 * that GnuTLS and nettle offer (and NTS uses), so the known answers are the
 * AES-SIV-CMAC-256 vectors with one AD and a nonce that NTS implementations
 * share (chrony's test/unit/siv.c, the aes-siv test suites). */
#include <stdio.h>
#include <string.h>

#include "common/siv.h"
#include "check_common.h"

static void
unhex(const char *h, uint8_t *out, size_t *n)
{
	size_t i = 0;
	while (h[0] && h[1]) {
		unsigned v;
		sscanf(h, "%2x", &v);
		out[i++] = (uint8_t)v;
		h += 2;
	}
	*n = i;
}

static const struct {
	const char *nonce, *ad, *pt, *ct;
} kat[] = {
	{ "101112131415161718191a1b1c1d1e1f", "4c9d4fcaed8ae2baad3f3ea6e93c8c8b", "",
	  "d7201989c6dbc6d661fc62bc865eeeef" },
	{ "101112131415161718191a1b1c1d1e1f", "", "4c9d4fcaed8ae2baad3f3ea6e93c8c8b",
	  "b6c160e9c2fd2ae8dec5368b2a33ede114ffb397345ccbe44aa4deacd9369046" },
	{ "101112131415161718191a1b1c1d1e", "4c9d4fcaed8ae2baad3f3ea6e93c8c", "ba997931237e3c53587ed49302abe4",
	  "038c4151ba7a8f776e563199420bc703e76c67c9dab70d5b4406265ad0d23b" },
	{ "101112131415161718191a1b1c1d1e1fd5", "4c9d4fcaed8ae2baad3f3ea6e93c8c8ba0",
	  "ba997931237e3c53587ed49302abe4a708",
	  "af584be7821e9619299125e0dd803b49a511cdb608f376a0b6fa1582f395e1ebbd" },
};
static const char key_hex[] = "0123456789abcdeff0123456789abcdeef0123456789abcddef0123456789abc";

START_TEST(t_known_answers)
{
	uint8_t key[32], nonce[64], ad[64], pt[64], ct[96], out[96], back[64];
	size_t kl, nl, al, pl, cl;
	struct siv s = { 0 };
	int i = _i;

	unhex(key_hex, key, &kl);
	unhex(kat[i].nonce, nonce, &nl);
	unhex(kat[i].ad, ad, &al);
	unhex(kat[i].pt, pt, &pl);
	unhex(kat[i].ct, ct, &cl);
	ck_assert_int_eq(SIV_set_key(&s, key, kl), 0);
	ck_assert_int_eq(SIV_encrypt(&s, nonce, nl, ad, al, pt, pl, out, cl), 0);
	ck_assert_mem_eq(out, ct, cl);
	ck_assert_int_eq(SIV_decrypt(&s, nonce, nl, ad, al, ct, cl, back, pl), 0);
	if (pl)
		ck_assert_mem_eq(back, pt, pl);
	/* any flipped bit in tag, ciphertext, nonce or AD fails */
	for (size_t b = 0; b < cl * 8; b += 7) {
		ct[b / 8] ^= (uint8_t)(1 << (b % 8));
		ck_assert_int_eq(SIV_decrypt(&s, nonce, nl, ad, al, ct, cl, back, pl), -1);
		ct[b / 8] ^= (uint8_t)(1 << (b % 8));
	}
	nonce[0] ^= 1;
	ck_assert_int_eq(SIV_decrypt(&s, nonce, nl, ad, al, ct, cl, back, pl), -1);
	nonce[0] ^= 1;
	ck_assert_int_eq(SIV_decrypt(&s, nonce, nl, ad, al ? al - 1 : 1, ct, cl, back, pl), -1);
	SIV_clear(&s);
	ck_assert_int_eq(SIV_encrypt(&s, nonce, nl, ad, al, pt, pl, out, cl), -1);
}
END_TEST

START_TEST(t_lengths)
{
	uint8_t key[32] = { 1 }, n[80] = { 0 }, buf[64] = { 0 }, out[80];
	struct siv s = { 0 };
	ck_assert_int_eq(SIV_set_key(&s, key, 31), -1);
	ck_assert_int_eq(SIV_set_key(&s, key, 33), -1);
	ck_assert_int_eq(SIV_set_key(&s, key, 32), 0);
	ck_assert_int_eq(SIV_set_key(&s, key, 32), 0); /* replacing a key */
	/* nonce of zero bytes would abort in nettle: refused here */
	ck_assert_int_eq(SIV_encrypt(&s, n, 0, NULL, 0, buf, 16, out, 32), -1);
	ck_assert_int_eq(SIV_decrypt(&s, n, 0, NULL, 0, buf, 32, out, 16), -1);
	ck_assert_int_eq(SIV_encrypt(&s, n, 65, NULL, 0, buf, 16, out, 32), -1);
	/* output size must match exactly */
	ck_assert_int_eq(SIV_encrypt(&s, n, 16, NULL, 0, buf, 16, out, 31), -1);
	ck_assert_int_eq(SIV_encrypt(&s, n, 16, NULL, 0, buf, 16, out, 32), 0);
	ck_assert_int_eq(SIV_decrypt(&s, n, 16, NULL, 0, out, 32, buf, 15), -1);
	ck_assert_int_eq(SIV_decrypt(&s, n, 16, NULL, 0, out, 15, buf, 0), -1);
	ck_assert_int_eq(SIV_decrypt(&s, n, 16, NULL, 0, out, 32, buf, 16), 0);
	SIV_clear(&s);
	SIV_clear(&s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("siv");
	TCase *tc = tcase_create("aes-siv-cmac-256");
	tcase_add_loop_test(tc, t_known_answers, 0, (int)(sizeof(kat) / sizeof(kat[0])));
	ADD(tc, t_lengths);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

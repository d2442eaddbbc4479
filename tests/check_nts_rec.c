/* Unit tests: common/nts_rec (NTS-KE records, RFC 8915 section 4). */
#include <string.h>

#include "common/nts_rec.h"
#include "check_common.h"

/* A response builder for the tests: proto, aead, n cookies of clen, EOM. */
static size_t
resp(uint8_t *b, size_t cap, int ncookies, size_t clen)
{
	uint8_t proto[2] = { 0, 0 }, aead[2] = { 0, 15 }, c[300];
	size_t off = 0;
	int i;

	memset(c, 0xc0, sizeof(c));
	off = NTSREC_put(b, cap, off, 1, NTSREC_NEXT_PROTO, proto, 2);
	off = NTSREC_put(b, cap, off, 1, NTSREC_AEAD, aead, 2);
	for (i = 0; i < ncookies; i++) {
		c[0] = (uint8_t)i;
		off = NTSREC_put(b, cap, off, 0, NTSREC_COOKIE, c, clen);
	}
	return off;
}

static size_t
eom(uint8_t *b, size_t cap, size_t off)
{
	return NTSREC_put(b, cap, off, 1, NTSREC_END, NULL, 0);
}

START_TEST(t_request_bytes)
{
	static const uint8_t want[] = {
		0x80, 0x01, 0x00, 0x02, 0x00, 0x00, /* next protocol: NTPv4 */
		0x80, 0x04, 0x00, 0x02, 0x00, 0x0f, /* AEAD: AES-SIV-CMAC-256 */
		0x80, 0x00, 0x00, 0x00,             /* end of message */
	};
	uint8_t b[64];
	ck_assert_uint_eq(NTSREC_build_request(b, sizeof(b)), sizeof(want));
	ck_assert_mem_eq(b, want, sizeof(want));
	ck_assert_uint_eq(NTSREC_build_request(b, sizeof(want) - 1), 0);
}
END_TEST

START_TEST(t_put_bounds)
{
	uint8_t b[8], body[5] = { 1, 2, 3, 4, 5 };
	memset(b, 0xee, sizeof(b));
	ck_assert_uint_eq(NTSREC_put(b, 8, 0, 0, 5, body, 5), 0);
	ck_assert_uint_eq(b[0], 0xee);
	ck_assert_uint_eq(NTSREC_put(b, 8, 0, 0, 5, body, 4), 8);
	ck_assert_uint_eq(NTSREC_put(b, 8, 9, 0, 5, NULL, 0), 0);
}
END_TEST

START_TEST(t_good_response)
{
	uint8_t b[2048];
	struct nts_ke_resp r;
	size_t off = resp(b, sizeof(b), 8, 100);
	uint8_t port[2] = { 0x30, 0x39 };
	off = NTSREC_put(b, sizeof(b), off, 1, NTSREC_SERVER, "ntp.example", 11);
	off = NTSREC_put(b, sizeof(b), off, 1, NTSREC_PORT, port, 2);
	off = NTSREC_put(b, sizeof(b), off, 0, 0x4321, "x", 1); /* unknown, not critical */
	off = eom(b, sizeof(b), off);
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_OK);
	ck_assert_int_eq(r.aead, 15);
	ck_assert_uint_eq(r.n_cookies, 8);
	ck_assert_uint_eq(r.cookie_len[7], 100);
	ck_assert_uint_eq(r.cookie[7][0], 7);
	ck_assert_str_eq(r.server, "ntp.example");
	ck_assert_uint_eq(r.port, 12345);
	/* every proper prefix is incomplete, never an error */
	for (size_t n = 0; n < off; n++)
		ck_assert_int_eq(NTSREC_parse_response(b, n, &r), NTSREC_INCOMPLETE);
}
END_TEST

START_TEST(t_bad_responses)
{
	uint8_t b[40000], c[2] = { 0, 1 };
	struct nts_ke_resp r;
	size_t off;

	/* no cookies */
	off = eom(b, sizeof(b), resp(b, sizeof(b), 0, 0));
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_NO_COOKIE);
	/* zero-length cookie, cookie over 256 */
	off = eom(b, sizeof(b), resp(b, sizeof(b), 1, 0));
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_COOKIE_LEN);
	off = eom(b, sizeof(b), resp(b, sizeof(b), 1, 257));
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_COOKIE_LEN);
	off = eom(b, sizeof(b), resp(b, sizeof(b), 1, 256));
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_OK);
	/* a hundred cookies: eight kept */
	off = eom(b, sizeof(b), resp(b, sizeof(b), 100, 100));
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_OK);
	ck_assert_uint_eq(r.n_cookies, 8);
	ck_assert_uint_eq(r.cookies_seen, 100);
	/* too long as a whole */
	off = eom(b, sizeof(b), resp(b, sizeof(b), 200, 100));
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_TOO_LONG);
	/* error record */
	off = NTSREC_put(b, sizeof(b), 0, 1, NTSREC_ERROR, c, 2);
	off = eom(b, sizeof(b), off);
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_ERROR);
	ck_assert_uint_eq(r.error, 1);
	ck_assert_str_eq(NTSREC_error_name(r.error), "bad request");
	/* warning record */
	off = NTSREC_put(b, sizeof(b), 0, 1, NTSREC_WARNING, c, 2);
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_WARNING);
	/* unknown critical */
	off = resp(b, sizeof(b), 1, 10);
	off = NTSREC_put(b, sizeof(b), off, 1, 0x1234, "zz", 2);
	off = eom(b, sizeof(b), off);
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_CRITICAL);
	ck_assert_uint_eq(r.bad_type, 0x1234);
	/* trailing bytes after EOM */
	off = eom(b, sizeof(b), resp(b, sizeof(b), 1, 10));
	b[off] = 0;
	ck_assert_int_eq(NTSREC_parse_response(b, off + 1, &r), NTSREC_E_TRAILING);
	/* a record longer than the message: incomplete */
	off = resp(b, sizeof(b), 1, 10);
	b[off] = 0x80; b[off + 1] = 0; b[off + 2] = 0x10; b[off + 3] = 0;
	ck_assert_int_eq(NTSREC_parse_response(b, off + 6, &r), NTSREC_INCOMPLETE);
	/* wrong AEAD, other protocol, odd sizes */
	{
		uint8_t a[2] = { 0, 30 }, p1[4] = { 0, 0, 0, 1 }, p2[2] = { 0x80, 0 };
		off = NTSREC_put(b, sizeof(b), 0, 1, NTSREC_NEXT_PROTO, p1, 2);
		off = NTSREC_put(b, sizeof(b), off, 1, NTSREC_AEAD, a, 2);
		ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_AEAD);
		off = NTSREC_put(b, sizeof(b), 0, 1, NTSREC_NEXT_PROTO, p1, 4);
		ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_PROTO);
		off = NTSREC_put(b, sizeof(b), 0, 1, NTSREC_NEXT_PROTO, p2, 2);
		ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_PROTO);
		off = NTSREC_put(b, sizeof(b), 0, 1, NTSREC_NEXT_PROTO, p1, 3);
		ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_RECORD);
		off = NTSREC_put(b, sizeof(b), 0, 1, NTSREC_END, p1, 1);
		ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_RECORD);
	}
	/* no next-protocol record at all */
	off = eom(b, sizeof(b), 0);
	ck_assert_int_eq(NTSREC_parse_response(b, off, &r), NTSREC_E_PROTO);
	/* bad server names */
	off = resp(b, sizeof(b), 1, 10);
	ck_assert_int_eq(NTSREC_parse_response(b, NTSREC_put(b, sizeof(b), off, 1, NTSREC_SERVER, "a b", 3), &r),
	                 NTSREC_E_SERVER);
	ck_assert_int_eq(NTSREC_parse_response(b, NTSREC_put(b, sizeof(b), off, 1, NTSREC_SERVER, "", 0), &r),
	                 NTSREC_E_SERVER);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("nts_rec");
	TCase *tc = tcase_create("records");
	ADD(tc, t_request_bytes);
	ADD(tc, t_put_bounds);
	ADD(tc, t_good_response);
	ADD(tc, t_bad_responses);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

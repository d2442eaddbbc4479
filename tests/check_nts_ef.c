/* Unit tests: common/nts_ef (NTS extension fields, RFC 8915 section 5),
 * with this file playing the server's part. */
#include <string.h>

#include "common/auth.h"
#include "common/nts_ef.h"
#include "common/packet.h"
#include "check_common.h"

static const uint8_t k_c2s[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const uint8_t k_s2c[32] = { 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
static uint8_t uid[NTS_UID_LEN];

struct reply_opts {
	int no_uid, foreign_uid, no_auth, bad_tag, nak, ef_after, uid_inside, ncookies, bad_cookie;
	uint16_t nonce_len;
};

/* A server reply to our request: header, UID, authenticator over cookies. */
static size_t
reply(uint8_t *b, size_t cap, const struct reply_opts *o)
{
	struct siv s = { 0 };
	uint8_t pt[600], nonce[16] = { 9 }, c[100], u[NTS_UID_LEN];
	size_t off = PKT_HEADER_LEN, pl = 0;
	int i;

	memset(b, 0, PKT_HEADER_LEN);
	b[0] = 0x24;
	b[1] = o->nak ? 0 : 2;
	if (o->nak)
		memcpy(b + 12, "NTSN", 4);
	memcpy(u, uid, sizeof(u));
	if (o->foreign_uid)
		u[5] ^= 0x40;
	if (!o->no_uid && !o->uid_inside)
		off = NTSEF_put(b, cap, off, NTS_EF_UID, u, sizeof(u));
	if (o->uid_inside)
		pl = NTSEF_put(pt, sizeof(pt), pl, NTS_EF_UID, u, sizeof(u));
	for (i = 0; i < o->ncookies; i++) {
		memset(c, 0xa0 + i, sizeof(c));
		pl = NTSEF_put(pt, sizeof(pt), pl, NTS_EF_COOKIE, c, sizeof(c));
	}
	if (o->bad_cookie) {
		pt[pl] = 0x02; pt[pl + 1] = 0x04; pt[pl + 2] = 0; pt[pl + 3] = 20;
		memset(pt + pl + 4, 0, 16);
		pt[pl + 2] = 0x02; /* length 532: past the end */
		pl += 20;
	}
	if (o->no_auth)
		return off;
	ck_assert_int_eq(SIV_set_key(&s, k_s2c, 32), 0);
	off = NTSEF_put_auth(b, cap, off, &s, nonce, 16, pt, pl);
	ck_assert_uint_ne(off, 0);
	if (o->nonce_len != 0) { /* rewrite the nonce length field */
		size_t a = off - (4 + 4 + 16 + pl + 16);
		b[a + 4] = (uint8_t)(o->nonce_len >> 8);
		b[a + 5] = (uint8_t)o->nonce_len;
	}
	if (o->bad_tag)
		b[off - 1 - pl - 3] ^= 1;
	if (o->ef_after)
		off = NTSEF_put(b, cap, off, 0x7777, "x", 1);
	SIV_clear(&s);
	return off;
}

static int
judge(const struct reply_opts *o, struct nts_reply *r)
{
	uint8_t b[PKT_MAX_LEN];
	struct siv s = { 0 };
	size_t n = reply(b, sizeof(b), o);
	int rc;
	ck_assert_int_eq(SIV_set_key(&s, k_s2c, 32), 0);
	rc = NTSEF_check_reply(b, n, uid, &s, r);
	SIV_clear(&s);
	return rc;
}

START_TEST(t_request)
{
	uint8_t b[PKT_MAX_LEN], cookie[100], pt[64];
	struct siv s = { 0 };
	struct ntsef ef;
	size_t n, off = PKT_HEADER_LEN, nl, cl;
	int types[8], k = 0;

	memset(b, 0, PKT_HEADER_LEN);
	memset(cookie, 0x55, sizeof(cookie));
	memset(uid, 0x33, sizeof(uid));
	ck_assert_int_eq(SIV_set_key(&s, k_c2s, 32), 0);
	n = NTSEF_build_request(b, sizeof(b), uid, cookie, sizeof(cookie), 2, &s);
	/* 48 + UID 36 + cookie 104 + 2 placeholders 104 + authenticator 40 */
	ck_assert_uint_eq(n, 48 + 36 + 104 + 208 + 40);
	while (NTSEF_next(b, n, &off, &ef) == 1 && k < 8)
		types[k++] = ef.type;
	ck_assert_int_eq(k, 5);
	ck_assert_int_eq(types[0], NTS_EF_UID);
	ck_assert_int_eq(types[1], NTS_EF_COOKIE);
	ck_assert_int_eq(types[2], NTS_EF_PLACEHOLDER);
	ck_assert_int_eq(types[4], NTS_EF_AUTH);
	/* the server's view: the tag verifies over everything before it */
	nl = (size_t)(ef.body[0] << 8 | ef.body[1]);
	cl = (size_t)(ef.body[2] << 8 | ef.body[3]);
	ck_assert_uint_eq(nl, 16);
	ck_assert_uint_eq(cl, 16);
	ck_assert_int_eq(SIV_decrypt(&s, ef.body + 4, nl, b, ef.start, ef.body + 4 + nl, cl, pt, 0), 0);
	b[60] ^= 1;
	ck_assert_int_eq(SIV_decrypt(&s, ef.body + 4, nl, b, ef.start, ef.body + 4 + nl, cl, pt, 0), -1);
	/* does not fit */
	ck_assert_uint_eq(NTSEF_build_request(b, 300, uid, cookie, sizeof(cookie), 2, &s), 0);
	ck_assert_uint_eq(NTSEF_build_request(b, sizeof(b), uid, cookie, 0, 0, &s), 0);
	ck_assert_uint_eq(NTSEF_build_request(b, sizeof(b), uid, cookie, 257, 0, &s), 0);
	SIV_clear(&s);
}
END_TEST

START_TEST(t_replies)
{
	struct nts_reply r;
	struct reply_opts o;

	memset(uid, 0x33, sizeof(uid));
	memset(&o, 0, sizeof(o));
	o.ncookies = 2;
	ck_assert_int_eq(judge(&o, &r), AUTH_OK);
	ck_assert_uint_eq(r.n_cookies, 2);
	ck_assert_uint_eq(r.cookie_len[1], 100);
	ck_assert_uint_eq(r.cookie[1][0], 0xa1);
	o.ncookies = 5;
	o.uid_inside = 1; /* identifier among the encrypted fields */
	ck_assert_int_eq(judge(&o, &r), AUTH_OK);
	ck_assert_uint_eq(r.n_cookies, 5);

	memset(&o, 0, sizeof(o));
	o.no_uid = 1;
	ck_assert_int_eq(judge(&o, &r), AUTH_NTS_UID);
	memset(&o, 0, sizeof(o));
	o.foreign_uid = 1;
	ck_assert_int_eq(judge(&o, &r), AUTH_NTS_UID);
	memset(&o, 0, sizeof(o));
	o.no_auth = 1;
	ck_assert_int_eq(judge(&o, &r), AUTH_MISSING);
	memset(&o, 0, sizeof(o));
	o.bad_tag = 1;
	ck_assert_int_eq(judge(&o, &r), AUTH_DIGEST);
	memset(&o, 0, sizeof(o));
	o.nak = 1;
	o.no_auth = 1;
	ck_assert_int_eq(judge(&o, &r), AUTH_NTS_NAK);
	o.foreign_uid = 1; /* a NAK for someone else's request */
	ck_assert_int_eq(judge(&o, &r), AUTH_NTS_UID);
	memset(&o, 0, sizeof(o));
	o.ef_after = 1;
	ck_assert_int_eq(judge(&o, &r), AUTH_MALFORMED);
	memset(&o, 0, sizeof(o));
	o.bad_cookie = 1;
	ck_assert_int_eq(judge(&o, &r), AUTH_MALFORMED);
	memset(&o, 0, sizeof(o));
	o.nonce_len = 0xffff;
	ck_assert_int_eq(judge(&o, &r), AUTH_MALFORMED);
}
END_TEST

START_TEST(t_framing)
{
	uint8_t b[200], z[32] = { 0 };
	struct siv s = { 0 };
	struct nts_reply r;
	size_t off = 0;
	struct ntsef ef;

	memset(b, 0, sizeof(b));
	ck_assert_int_eq(SIV_set_key(&s, k_s2c, 32), 0);
	/* short, not a multiple of 4, under 16, past the end, zero nonce */
	ck_assert_int_eq(NTSEF_check_reply(b, 47, z, &s, &r), AUTH_MALFORMED);
	b[48] = 1; b[49] = 4; b[50] = 0; b[51] = 18;
	ck_assert_int_eq(NTSEF_check_reply(b, 48 + 20, z, &s, &r), AUTH_MALFORMED);
	b[51] = 12;
	ck_assert_int_eq(NTSEF_check_reply(b, 48 + 20, z, &s, &r), AUTH_MALFORMED);
	b[51] = 24;
	ck_assert_int_eq(NTSEF_check_reply(b, 48 + 20, z, &s, &r), AUTH_MALFORMED);
	ck_assert_int_eq(NTSEF_check_reply(b, 48 + 2, z, &s, &r), AUTH_MALFORMED);
	off = NTSEF_put(b, sizeof(b), 48, NTS_EF_UID, z, 32);
	off = NTSEF_put(b, sizeof(b), off, NTS_EF_AUTH, NULL, 36); /* nonce length 0 */
	ck_assert_int_eq(NTSEF_check_reply(b, off, z, &s, &r), AUTH_MALFORMED);
	b[off - 36] = 0; b[off - 35] = 16; /* nonce 16, ciphertext length 0 */
	ck_assert_int_eq(NTSEF_check_reply(b, off, z, &s, &r), AUTH_MALFORMED);
	b[off - 33] = 16; /* ciphertext 16: framing fine, tag wrong */
	ck_assert_int_eq(NTSEF_check_reply(b, off, z, &s, &r), AUTH_DIGEST);
	/* the iterator stops exactly at the end */
	off = 0;
	ck_assert_int_eq(NTSEF_next(b, 0, &off, &ef), 0);
	SIV_clear(&s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("nts_ef");
	TCase *tc = tcase_create("fields");
	ADD(tc, t_request);
	ADD(tc, t_replies);
	ADD(tc, t_framing);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

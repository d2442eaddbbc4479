/* Unit tests: common/auth_nts (the NTS method: cookies spent once, new
 * cookies from replies, placeholders, the dead-clock date check). */
#include <string.h>

#include "common/auth_nts.h"
#include "common/nts_ef.h"
#include "common/packet.h"
#include "check_common.h"

static const uint8_t k_c2s[32] = { 1 }, k_s2c[32] = { 2 };

static void
armed(struct nts_src *s, struct nts_opts *o, size_t n_cookies)
{
	struct net_addr a;
	size_t i;

	memset(o, 0, sizeof(*o));
	memset(&a, 0, sizeof(a));
	NTS_src_init(s, o, "nts.example", "4460", &a);
	ck_assert_int_eq(SIV_set_key(&s->c2s, k_c2s, 32), 0);
	ck_assert_int_eq(SIV_set_key(&s->s2c, k_s2c, 32), 0);
	s->stage_done = 1;
	for (i = 0; i < n_cookies; i++) {
		s->cookie_len[i] = 100;
		memset(s->cookie[i], (int)(0x10 + i), 100);
	}
	s->n_cookies = n_cookies;
}

/* The server's reply to request q (its UID), with n new cookies. */
static size_t
reply(const uint8_t *q, size_t qlen, uint8_t *r, unsigned n, uint64_t xmt_sec)
{
	struct siv s = { 0 };
	struct ntsef ef;
	uint8_t pt[1000], c[100], nonce[16] = { 3 };
	size_t off = PKT_HEADER_LEN, pl = 0, ro;
	unsigned i;

	memset(r, 0, PKT_HEADER_LEN);
	r[0] = 0x24;
	r[1] = 2;
	for (i = 0; i < 4; i++)
		r[40 + i] = (uint8_t)(xmt_sec >> (24 - 8 * i));
	ro = PKT_HEADER_LEN;
	while (NTSEF_next(q, qlen, &off, &ef) == 1)
		if (ef.type == NTS_EF_UID)
			ro = NTSEF_put(r, PKT_MAX_LEN, ro, NTS_EF_UID, ef.body, ef.len);
	for (i = 0; i < n; i++) {
		memset(c, (int)(0xc0 + i), sizeof(c));
		pl = NTSEF_put(pt, sizeof(pt), pl, NTS_EF_COOKIE, c, sizeof(c));
	}
	SIV_set_key(&s, k_s2c, 32);
	ro = NTSEF_put_auth(r, PKT_MAX_LEN, ro, &s, nonce, 16, pt, pl);
	SIV_clear(&s);
	return ro;
}

static unsigned
count(const uint8_t *q, size_t len, uint16_t type)
{
	struct ntsef ef;
	size_t off = PKT_HEADER_LEN;
	unsigned n = 0;
	while (NTSEF_next(q, len, &off, &ef) == 1)
		n += ef.type == type;
	return n;
}

START_TEST(t_cookies)
{
	struct nts_src s;
	struct nts_opts o;
	struct auth_req rq;
	uint8_t q[PKT_MAX_LEN], r[PKT_MAX_LEN];
	size_t n, rl;

	armed(&s, &o, 1);
	memset(&rq, 0, sizeof(rq));
	memset(q, 0, PKT_HEADER_LEN);
	n = AUTH_nts.sign(&s, q, PKT_HEADER_LEN, sizeof(q), &rq);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, PKT_MAX_LEN);
	ck_assert_uint_eq(rq.len, NTS_UID_LEN);
	/* the only cookie is spent; seven placeholders ask to refill the pool */
	ck_assert_uint_eq(s.n_cookies, 0);
	ck_assert_uint_eq(count(q, n, NTS_EF_PLACEHOLDER), 7);
	/* no cookie left: no request */
	ck_assert_uint_eq(AUTH_nts.sign(&s, q, PKT_HEADER_LEN, sizeof(q), &rq), 0);
	/* the reply brings eight, within a 1024-byte datagram */
	rl = reply(q, n, r, 8, 0);
	ck_assert_uint_le(rl, PKT_MAX_LEN);
	ck_assert_int_eq(AUTH_nts.check(&s, r, rl, &rq), AUTH_OK);
	ck_assert_uint_eq(s.n_cookies, 8);
	ck_assert_uint_eq(s.reply_cookies, 8);
	/* a replay of that reply to a new request: the identifier differs */
	n = AUTH_nts.sign(&s, q, PKT_HEADER_LEN, sizeof(q), &rq);
	ck_assert_uint_eq(count(q, n, NTS_EF_PLACEHOLDER), 0); /* pool full after this one returns */
	ck_assert_int_eq(AUTH_nts.check(&s, r, rl, &rq), AUTH_NTS_UID);
	ck_assert_uint_eq(s.n_cookies, 7);
	ck_assert_uint_eq(s.cookies_used, 2);
	NTS_src_finish(&s);
}
END_TEST

START_TEST(t_dead_clock_dates)
{
	struct nts_src s;
	struct nts_opts o;
	struct auth_req rq;
	uint8_t q[PKT_MAX_LEN], r[PKT_MAX_LEN];
	size_t n, rl;
	/* NTP seconds of 2026-01-01 */
	uint64_t t2026 = 1767225600ull + 2208988800ull;

	armed(&s, &o, 3);
	o.floor = 1700000000;
	s.have_tls = 1;
	s.tls.path = TLS_PATH_DEFERRED;
	s.tls.chain_from = 1735689600;  /* 2025-01-01 */
	s.tls.chain_until = 1798761600; /* 2027-01-01 */
	memset(q, 0, PKT_HEADER_LEN);
	n = AUTH_nts.sign(&s, q, PKT_HEADER_LEN, sizeof(q), &rq);
	rl = reply(q, n, r, 1, t2026);
	ck_assert_int_eq(AUTH_nts.check(&s, r, rl, &rq), AUTH_OK);
	ck_assert_int_eq(s.verified_at_nts_time, 1);
	/* the server's time outside the chain's dates: refused, and no more
	 * requests from this source */
	s.tls.chain_until = 1740000000;
	n = AUTH_nts.sign(&s, q, PKT_HEADER_LEN, sizeof(q), &rq);
	rl = reply(q, n, r, 1, t2026);
	ck_assert_int_eq(AUTH_nts.check(&s, r, rl, &rq), AUTH_NTS_CERT);
	ck_assert_int_eq(s.cert_time_bad, 1);
	ck_assert_uint_eq(AUTH_nts.sign(&s, q, PKT_HEADER_LEN, sizeof(q), &rq), 0);
	NTS_src_finish(&s);
}
END_TEST

START_TEST(t_cache_path)
{
	char p[64];
	ck_assert_int_eq(NTS_cache_path("/d", "a/../b:c", "4460", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/d/a_.._b_c_4460");
	ck_assert_int_eq(NTS_cache_path("/d", "x", "4460", p, 8), -1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("auth_nts");
	TCase *tc = tcase_create("method");
	ADD(tc, t_cookies);
	ADD(tc, t_dead_clock_dates);
	ADD(tc, t_cache_path);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

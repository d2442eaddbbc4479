/* Unit tests: common/reply, the one verdict on a reply.  Each named test
 * is made to fire on raw bytes built from a good reply, and nothing else
 * fires with it. */
#include <string.h>

#include "common/reply.h"
#include "check_common.h"

static const NTP_ts ORG = { 0x1122334455667788ULL };
static struct rpl_request RQ;
static struct rpl_limits LIM;
static struct timespec RX;

/* A good reply to RQ: sent 1 ms after t1, answered 1 ms later. */
static size_t
good(uint8_t *buf, struct pkt *p)
{
	struct timespec t2 = RQ.t1, t3;
	t2.tv_nsec += 500000;
	t3 = t2;
	t3.tv_nsec += 10000;
	memset(p, 0, sizeof(*p));
	p->version = 4;
	p->mode = PKT_MODE_SERVER;
	p->stratum = 2;
	p->precision = -20;
	p->root_delay = NTT_double_to_short(0.01);
	p->root_disp = NTT_double_to_short(0.01);
	p->org = ORG;
	p->rec = NTT_from_timespec(&t2);
	p->xmt = NTT_from_timespec(&t3);
	p->ref = p->rec;
	return PKT_encode(p, buf, PKT_MAX_LEN);
}

static void
setup(void)
{
	memset(&RQ, 0, sizeof(RQ));
	RQ.xmt = ORG;
	RQ.t1.tv_sec = 1796000000;
	RQ.t1.tv_nsec = 100000000;
	RX = RQ.t1;
	RX.tv_nsec += 1000000;
	LIM.max_distance = 1.5;
	LIM.max_delay = RPL_MAX_DELAY(1.0);
	LIM.local_prec = -20;
}

static unsigned
judge_pkt(const struct pkt *p, struct rpl_verdict *v)
{
	uint8_t b[PKT_MAX_LEN];
	size_t n = PKT_encode(p, b, sizeof(b));
	return RPL_judge(b, n, 0, &RQ, &RX, &LIM, v);
}

START_TEST(t_good)
{
	uint8_t b[PKT_MAX_LEN];
	struct pkt p;
	struct rpl_verdict v;
	size_t n = good(b, &p);
	ck_assert_uint_eq(RPL_judge(b, n, 0, &RQ, &RX, &LIM, &v), 0);
	ck_assert(RPL_is_answer(&v));
	ck_assert(v.sample.delay > 0.00098 && v.sample.delay < 0.00100);
	ck_assert(v.sample.root_delay > 0.0099);
	ck_assert_int_eq(v.sample.stratum, 2);
}
END_TEST

START_TEST(t_format)
{
	uint8_t b[PKT_MAX_LEN + 8];
	struct pkt p;
	struct rpl_verdict v;
	size_t n = good(b, &p);
	ck_assert_uint_eq(RPL_judge(b, 47, 0, &RQ, &RX, &LIM, &v), PKT_T_FORMAT);
	ck_assert_int_eq(v.decode_err, PKT_ERR_SHORT);
	ck_assert(!RPL_is_answer(&v));
	ck_assert_uint_eq(RPL_judge(b, n + 2, 0, &RQ, &RX, &LIM, &v), PKT_T_FORMAT);
	ck_assert_int_eq(v.decode_err, PKT_ERR_ALIGN);
	ck_assert_uint_eq(RPL_judge(b, n, 1, &RQ, &RX, &LIM, &v), PKT_T_FORMAT);
	ck_assert_int_eq(v.decode_err, PKT_ERR_LONG);
	/* an extension field whose length runs past the end */
	memset(b + n, 0, 16);
	b[n + 3] = 0xff;
	ck_assert_uint_eq(RPL_judge(b, n + 16, 0, &RQ, &RX, &LIM, &v), PKT_T_FORMAT);
	ck_assert_int_eq(v.decode_err, PKT_ERR_EXTFIELD);
}
END_TEST

START_TEST(t_origin)
{
	uint8_t b[PKT_MAX_LEN];
	struct pkt p;
	struct rpl_verdict v;
	good(b, &p);
	p.org.v ^= 1;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_ORIGIN);
	ck_assert(!RPL_is_answer(&v));
	p.org.v = 0;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_ORIGIN);
}
END_TEST

START_TEST(t_header_tests)
{
	uint8_t b[PKT_MAX_LEN];
	struct pkt p, g;
	struct rpl_verdict v;
	good(b, &g);
	p = g, p.mode = 5;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_MODE);
	ck_assert(RPL_is_answer(&v));
	p = g, p.version = 0;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_VERSION);
	p = g, p.version = 5;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_VERSION);
	p = g, p.rec.v = 0;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_TSZERO);
	p = g, p.xmt.v = 0;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_TSZERO);
	p = g, p.xmt = NTT_add(p.rec, -0.001);
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_TSORDER);
	p = g, p.stratum = 16;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_STRATUM);
	p = g, p.stratum = 0, memcpy(&p.refid, "XXXX", 4);
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_STRATUM);
	p = g, p.leap = 3;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_LEAP);
	p = g, p.root_disp = NTT_double_to_short(2.0);
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_DISTANCE);
}
END_TEST

START_TEST(t_kod)
{
	uint8_t b[PKT_MAX_LEN];
	struct pkt p;
	struct rpl_verdict v;
	good(b, &p);
	p.stratum = 0;
	memcpy(&p.refid, "RATE", 4);
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_KOD);
	ck_assert_int_eq(v.kiss, PKT_KISS_RATE);
	ck_assert(RPL_is_answer(&v));
	/* a kiss for another request is ignored like any forgery */
	p.org.v ^= 1;
	ck_assert_uint_eq(judge_pkt(&p, &v) & PKT_T_ORIGIN, PKT_T_ORIGIN);
	ck_assert(!RPL_is_answer(&v));
}
END_TEST

START_TEST(t_delay)
{
	uint8_t b[PKT_MAX_LEN];
	struct pkt p;
	struct rpl_verdict v;
	good(b, &p);
	/* the server spent 10 ms but the round trip took 1 ms: negative */
	p.xmt = NTT_add(p.rec, 0.010);
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_DELAY);
	/* an absurd round trip: received 10 s after sending */
	good(b, &p);
	RX.tv_sec += 10;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_DELAY);
}
END_TEST

static int auth_calls;

static int
refuse_all(void *ctx, const uint8_t *buf, size_t len, const struct auth_req *rq)
{
	(void)ctx, (void)buf, (void)len, (void)rq;
	auth_calls++;
	return AUTH_DIGEST;
}

static int
nak(void *ctx, const uint8_t *buf, size_t len, const struct auth_req *rq)
{
	(void)ctx, (void)buf, (void)len, (void)rq;
	return AUTH_NTS_NAK;
}

START_TEST(t_auth)
{
	static const struct auth_method refuse = { "refuse", NULL, refuse_all };
	static const struct auth_method naks = { "nak", NULL, nak };
	uint8_t b[PKT_MAX_LEN];
	struct pkt p;
	struct rpl_verdict v;
	size_t n = good(b, &p);
	struct auth_req ar;

	memset(&ar, 0, sizeof(ar));
	RQ.auth = &refuse;
	RQ.areq = &ar;
	auth_calls = 0;
	ck_assert_uint_eq(RPL_judge(b, n, 0, &RQ, &RX, &LIM, &v), PKT_T_AUTH);
	ck_assert_int_eq(v.auth_fail, AUTH_DIGEST);
	ck_assert(!RPL_is_answer(&v));
	ck_assert_int_eq(auth_calls, 1);
	/* another request's reply is not worth the MAC check */
	p.org.v ^= 1;
	ck_assert_uint_eq(judge_pkt(&p, &v), PKT_T_ORIGIN);
	ck_assert_int_eq(auth_calls, 1);
	/* an NTS NAK is the answer: it ends the source */
	RQ.auth = &naks;
	ck_assert_uint_eq(RPL_judge(b, n, 0, &RQ, &RX, &LIM, &v), PKT_T_AUTH);
	ck_assert(RPL_is_answer(&v));
	/* "none" accepts */
	RQ.auth = &AUTH_none;
	ck_assert_uint_eq(RPL_judge(b, n, 0, &RQ, &RX, &LIM, &v), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("reply");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	ADD(tc, t_good);
	ADD(tc, t_format);
	ADD(tc, t_origin);
	ADD(tc, t_header_tests);
	ADD(tc, t_kod);
	ADD(tc, t_delay);
	ADD(tc, t_auth);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

/* Unit tests: common/report (unit scaling, reach register, state marks)
 * and common/decide. */
#include <string.h>

#include "common/decide.h"
#include "common/report.h"
#include "check_common.h"

static const char *
sgn(double x)
{
	static char b[32];
	REP_fmt_signed(x, b, sizeof(b));
	return b;
}

static const char *
uns(double x)
{
	static char b[32];
	REP_fmt_unsigned(x, b, sizeof(b));
	return b;
}

START_TEST(t_units)
{
	ck_assert_str_eq(sgn(0.000236), " +236us");
	ck_assert_str_eq(sgn(-0.000000004), "   -4ns");
	ck_assert_str_eq(sgn(0), "   +0ns");
	ck_assert_str_eq(sgn(0.0099994), "+9999us");
	ck_assert_str_eq(sgn(0.0099996), "  +10ms");
	ck_assert_str_eq(sgn(3600), " +3600s");
	ck_assert_str_eq(sgn(-86400 * 365.0), "-31536000s");
	ck_assert_str_eq(uns(0.034), "  34ms");
	ck_assert_str_eq(uns(0), "   0ns");
	ck_assert_str_eq(uns(12), "   12s");
	ck_assert_str_eq(uns(120), "  120s");
}
END_TEST

START_TEST(t_reach_and_state)
{
	static struct eng_source src[1];
	static struct eng_run run;
	struct eng_source *sp = &src[0];
	memset(&run, 0, sizeof(run));
	memset(src, 0, sizeof(src));
	run.src = src;
	run.n_src = 1;
#define s (*sp)
	s.n_req = 4;
	s.req[0].outcome = REQ_OK;
	s.req[1].outcome = REQ_TIMEOUT;
	s.req[2].outcome = REQ_OK;
	s.req[3].outcome = REQ_OK;
	/* oldest in the highest bit: 1011 = 013 */
	ck_assert_uint_eq(REP_reach(sp), 013);
	ck_assert_int_eq(REP_state_char(&run, sp), '?');
	s.have_est = 1;
	run.cand[0].verdict = SEL_SYSPEER;
	ck_assert_int_eq(REP_state_char(&run, sp), '*');
	run.cand[0].verdict = SEL_COMBINED;
	ck_assert_int_eq(REP_state_char(&run, sp), '+');
	run.cand[0].verdict = SEL_OUTLIER;
	ck_assert_int_eq(REP_state_char(&run, sp), '-');
	run.cand[0].verdict = SEL_FALSETICKER;
	ck_assert_int_eq(REP_state_char(&run, sp), 'x');
#undef s
}
END_TEST

START_TEST(t_refid)
{
	struct pkt p;
	char b[64];
	memset(&p, 0, sizeof(p));
	p.stratum = 1;
	memcpy(&p.refid, "GPS\0", 4);
	ck_assert_str_eq(REP_refid(&p, b, sizeof(b)), "ascii");
	ck_assert_str_eq(b, "GPS");
	p.stratum = 0;
	memcpy(&p.refid, "RATE", 4);
	ck_assert_str_eq(REP_refid(&p, b, sizeof(b)), "kiss");
	ck_assert_str_eq(b, "RATE");
	p.stratum = 3;
	memcpy(&p.refid, "\xc0\x00\x02\x01", 4);
	ck_assert_str_eq(REP_refid(&p, b, sizeof(b)), "ipv4");
	ck_assert_str_eq(b, "192.0.2.1");
	ck_assert_str_eq(REP_leap_text(3), "unsynchronised");
	/* an empty reference ID is shown as empty, not as 0.0.0.0 */
	p.refid = 0;
	ck_assert_str_eq(REP_refid(&p, b, sizeof(b)), "none");
	ck_assert_str_eq(b, "");
}
END_TEST

static void
run_with(struct eng_run *r, double off)
{
	memset(r, 0, sizeof(*r));
	r->have_result = 1;
	r->result.offset = off;
	r->result.n_usable = 1;
}

START_TEST(t_decide)
{
	struct eng_run r;
	struct dec_policy p = { 0, 0, -1, 1767225600LL };
	struct dec_result d;
	struct timespec now = { 1795000000, 0 };

	run_with(&r, 0.2);
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_SLEW);
	run_with(&r, -0.5);
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_STEP);
	p.force_slew = 1;
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_SLEW);
	p.force_slew = 0;
	p.force_step = 1;
	run_with(&r, 0.001);
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_STEP);
	p.force_step = 0;
	p.max_step = 10;
	run_with(&r, 3600);
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_REFUSE);
	ck_assert_ptr_nonnull(strstr(d.reason, "max-step"));
	p.max_step = -1;
	/* a day before the build date */
	run_with(&r, -(1795000000.0 - 1767225600.0) - 86400);
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_REFUSE);
	ck_assert_ptr_nonnull(strstr(d.reason, "built"));
	run_with(&r, 0.0 / 0.0);
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_REFUSE);
	r.have_result = 0;
	r.result.n_usable = 4;
	DEC_decide(&r.result, r.have_result, &p, &now, &d);
	ck_assert_int_eq(d.action, DEC_NONE);
	ck_assert_ptr_nonnull(strstr(d.reason, "no majority"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");
	ADD(tc, t_units);
	ADD(tc, t_reach_and_state);
	ADD(tc, t_refid);
	ADD(tc, t_decide);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

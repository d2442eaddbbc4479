/* Unit tests: common/engine driven through a scripted world (fakeworld.h)
 * in virtual time: the sampling policy, -p, spacing, timeouts, replies
 * after their timeout, Kiss-o'-Death, ICMP, forged replies, the deadline,
 * names that resolve late or never, descriptor limits, the pre-request
 * stage and the authentication hook. */
#include <bsd/string.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/report.h"
#include "check_common.h"
#include "fakeworld.h"

static struct fw W;
static struct eng_run R;
static struct fw_ntp S[4];

static void
setup_run(int samples, double gap)
{
	struct eng_config c;

	memset(&c, 0, sizeof(c));
	c.family = AF_UNSPEC;
	c.samples = samples;
	c.timeout = 1.0;
	c.gap = gap;
	c.max_distance = 1.5;
	c.precision = -20;
	c.rate_bound = 50e-6;
	fw_init(&W);
	ck_assert_int_eq(ENG_init(&R, &c, &W.ops), 0);
}

/* A LAN server: 0.4 ms each way, so one reply is inside the sampling
 * policy's 0.5 ms once the precisions are counted. */
static void
lan_defaults(struct fw_ntp *s)
{
	fw_ntp_defaults(s);
	s->out = s->back = 0.0004;
}

static void
add(const char *arg)
{
	struct cli_server srv;
	char err[128];
	ck_assert_int_eq(CLI_parse_server(arg, &srv, err, sizeof(err)), 0);
	ck_assert_int_eq(ENG_add_server(&R, &srv), 0);
}

/* One server at 127.0.0.1:p answering with S[i]. */
static struct fw_server *
ntp_at(int i, int port)
{
	char arg[32];
	lan_defaults(&S[i]);
	snprintf(arg, sizeof(arg), "127.0.0.%d:%d", i + 1, port);
	add(arg);
	snprintf(arg, sizeof(arg), "127.0.0.%d", i + 1);
	return fw_add_server(&W, arg, port, fw_ntp_server, &S[i]);
}

static const struct eng_source *
src(size_t i)
{
	ck_assert_uint_gt(R.n_src, i);
	return &R.src[i];
}

static double
elapsed(void)
{
	return NTT_timespec_diff(&R.end_mono, &R.start_mono);
}

START_TEST(t_clean_server_one_request)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	f = ntp_at(0, 1123);
	S[0].offset = 0.25;
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(f->requests, 1);
	ck_assert_uint_eq(src(0)->n_samples, 1);
	ck_assert(fabs(R.result.offset - 0.25) < 1e-4);
	ck_assert(elapsed() < 0.01);
	ENG_free(&R);
}
END_TEST

START_TEST(t_jitter_takes_four_spaced)
{
	struct fw_server *f;
	unsigned i;
	setup_run(0, 2.0);
	f = ntp_at(0, 1123);
	S[0].jitter[0] = 0.004;
	S[0].jitter[1] = 0.006;
	S[0].jitter[2] = 0.003;
	S[0].jitter[3] = 0.005;
	S[0].out = S[0].back = 0.005;
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(f->requests, ENG_AUTO_SAMPLES);
	for (i = 1; i < f->requests; i++)
		ck_assert(f->sent_at[i] - f->sent_at[i - 1] >= 2.0 - 1e-9);
	ENG_free(&R);
}
END_TEST

START_TEST(t_fixed_samples_and_gap)
{
	struct fw_server *f;
	unsigned i;
	setup_run(3, 0.3);
	f = ntp_at(0, 1123);
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(f->requests, 3);
	ck_assert_uint_eq(src(0)->n_samples, 3);
	for (i = 1; i < f->requests; i++)
		ck_assert(f->sent_at[i] - f->sent_at[i - 1] >= 0.3 - 1e-9);
	ENG_free(&R);
}
END_TEST

START_TEST(t_timeout_then_retry)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	f = ntp_at(0, 1123);
	S[0].drop = 1; /* the first request is lost */
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(f->requests, 2);
	ck_assert_int_eq(src(0)->req[0].outcome, REQ_TIMEOUT);
	ck_assert_int_eq(src(0)->req[1].outcome, REQ_OK);
	/* the retry waits for the gap, not only the timeout */
	ck_assert(f->sent_at[1] - f->sent_at[0] >= 2.0 - 1e-9);
	ENG_free(&R);
}
END_TEST

START_TEST(t_reply_after_timeout_is_lost)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	f = ntp_at(0, 1123);
	S[0].late[0] = 1.5; /* after the 1 s timeout */
	S[0].offset = 0.1;
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(f->requests, 2);
	ck_assert_int_eq(src(0)->req[0].outcome, REQ_TIMEOUT);
	ck_assert_int_eq(src(0)->req[1].outcome, REQ_OK);
	ck_assert_uint_eq(src(0)->n_samples, 1);
	ENG_free(&R);
}
END_TEST

static void
kiss_case(const char *code, enum eng_end end, enum eng_outcome outcome)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	f = ntp_at(0, 1123);
	S[0].kiss = code;
	ck_assert_int_eq(ENG_run(&R), -1);
	ck_assert_uint_eq(f->requests, outcome == REQ_KOD ? 1 : 1);
	ck_assert_int_eq(src(0)->end, end);
	ck_assert_int_eq(src(0)->req[0].outcome, outcome);
	ENG_free(&R);
}

START_TEST(t_kiss_codes)
{
	char why[256];
	kiss_case("DENY", END_DENIED, REQ_KOD);
	kiss_case("RSTR", END_DENIED, REQ_KOD);
	kiss_case("RATE", END_RATE, REQ_KOD);
	/* an unknown kiss is a stratum-0 server: unsynchronised, asked once */
	kiss_case("XYZW", END_UNSYNC, REQ_REJECTED);
	kiss_case("DENY", END_DENIED, REQ_KOD);
	setup_run(0, 2.0);
	ntp_at(0, 1123);
	S[0].kiss = "RSTR";
	ENG_run(&R);
	REP_source_reason(&R, src(0), why, sizeof(why));
	ck_assert_str_eq(why, "access denied (Kiss-o'-Death RSTR)");
	ENG_free(&R);
}
END_TEST

START_TEST(t_icmp_refused)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	f = ntp_at(0, 1123);
	S[0].refuse = 1;
	ck_assert_int_eq(ENG_run(&R), -1);
	ck_assert_uint_eq(f->requests, 1);
	ck_assert_int_eq(src(0)->end, END_REFUSED);
	ck_assert_int_eq(src(0)->req[0].outcome, REQ_REFUSED);
	ENG_free(&R);
}
END_TEST

START_TEST(t_forged_replies_first)
{
	setup_run(1, 2.0);
	ntp_at(0, 1123);
	S[0].forge = 200;
	S[0].offset = 0.05;
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_int_eq(src(0)->req[0].outcome, REQ_OK);
	ck_assert_uint_eq(src(0)->req[0].ignored, 200);
	ck_assert_uint_eq(src(0)->req[0].ignored_tests & PKT_T_ORIGIN, PKT_T_ORIGIN);
	ck_assert(fabs(R.result.offset - 0.05) < 1e-4);
	ENG_free(&R);
}
END_TEST

START_TEST(t_wrong_origin_only_times_out)
{
	char why[256];
	setup_run(1, 2.0);
	ntp_at(0, 1123);
	S[0].wrong_origin = 1;
	ck_assert_int_eq(ENG_run(&R), -1);
	ck_assert_int_eq(src(0)->req[0].outcome, REQ_TIMEOUT);
	REP_source_reason(&R, src(0), why, sizeof(why));
	ck_assert_ptr_nonnull(strstr(why, "wrong origin"));
	ENG_free(&R);
}
END_TEST

START_TEST(t_deadline_silent_server)
{
	struct fw_server *f;
	setup_run(4, 2.0);
	f = ntp_at(0, 1123);
	S[0].drop = 0xff;
	ck_assert_int_eq(ENG_run(&R), -1);
	ck_assert_uint_eq(f->requests, 4);
	ck_assert(elapsed() <= ENG_span(&R) + 0.002);
	ck_assert_int_eq(src(0)->req[3].outcome, REQ_TIMEOUT);
	ENG_free(&R);
}
END_TEST

START_TEST(t_unsynchronised_asked_once)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	f = ntp_at(0, 1123);
	S[0].leap = 3;
	ck_assert_int_eq(ENG_run(&R), -1);
	ck_assert_uint_eq(f->requests, 1);
	ck_assert_int_eq(src(0)->end, END_UNSYNC);
	/* the run ends at once: nothing else can come */
	ck_assert(elapsed() < 0.01);
	ENG_free(&R);
}
END_TEST

START_TEST(t_name_never_resolves)
{
	char why[256];
	setup_run(0, 2.0);
	fw_add_name(&W, "dead.example", -1, 0, NULL, 0);
	add("dead.example");
	ntp_at(1, 1123);
	ck_assert_int_eq(ENG_run(&R), 0);
	/* the numeric server was answered at once; the name held the run to
	 * its deadline and no further */
	ck_assert(elapsed() <= ENG_span(&R) + 0.002); /* poll's 1 ms steps */
	ck_assert(elapsed() >= ENG_span(&R) - 1e-3);
	ck_assert_int_eq(R.names[0].state, NAME_TIMEOUT);
	ck_assert_uint_eq(R.n_src, 2);
	ck_assert_int_eq(src(0)->end, END_UNRESOLVED);
	REP_source_reason(&R, src(0), why, sizeof(why));
	ck_assert_str_eq(why, "cannot resolve dead.example: timed out");
	ENG_free(&R);
}
END_TEST

START_TEST(t_name_resolves_late)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	fw_add_name(&W, "late.example", 1.5, 0, "127.0.0.9", 1123);
	add("late.example:1123");
	lan_defaults(&S[0]);
	f = fw_add_server(&W, "127.0.0.9", 1123, fw_ntp_server, &S[0]);
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(f->requests, 1);
	ck_assert(f->sent_at[0] >= 1000 + 1.5);
	ck_assert_int_eq(R.names[0].state, NAME_RESOLVED);
	ENG_free(&R);
}
END_TEST

START_TEST(t_name_fails_said_once)
{
	char why[256];
	setup_run(0, 2.0);
	ntp_at(0, 1123);
	fw_add_name(&W, "no-such-host.invalid", 0.01, EAI_NONAME, NULL, 0);
	add("no-such-host.invalid");
	add("127.0.0.1:1123"); /* the same source again */
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(R.n_src, 2);
	ck_assert_uint_eq(R.names[2].n_dup, 1);
	REP_name_text(&R, &R.names[1], why, sizeof(why));
	ck_assert_ptr_nonnull(strstr(why, "cannot resolve no-such-host.invalid"));
	REP_name_text(&R, &R.names[2], why, sizeof(why));
	ck_assert_str_eq(why, "");
	ENG_free(&R);
}
END_TEST

START_TEST(t_table_full_mid_name)
{
	/* 62 numeric servers, then a name of four addresses: the 64-source
	 * table takes two of them and says the other two were left out */
	char arg[32], why[256];
	const struct eng_name *nm;
	int i;

	setup_run(1, 2.0);
	for (i = 1; i <= 62; i++) {
		snprintf(arg, sizeof(arg), "127.0.1.%d:1123", i);
		add(arg);
	}
	fw_add_name(&W, "four.example", 0.01, 0, "127.0.2.1", 1123);
	for (i = 1; i < 4; i++) {
		snprintf(arg, sizeof(arg), "127.0.2.%d", i + 1);
		W.names[W.nnames - 1].addr[i] = fw_addr(arg, 1123);
	}
	W.names[W.nnames - 1].n = 4;
	add("four.example:1123");
	ENG_run(&R);
	ck_assert_uint_eq(R.n_src, ENG_MAX_SOURCES);
	nm = &R.names[62];
	ck_assert_uint_eq(nm->n_addrs, 2);
	ck_assert_uint_eq(nm->n_cut, 2);
	REP_name_text(&R, nm, why, sizeof(why));
	ck_assert_str_eq(why, "four.example:1123: 2 of its 4 addresses not queried (at most 64 sources)");
	ENG_free(&R);
}
END_TEST

START_TEST(t_emfile_waits)
{
	setup_run(0, 2.0);
	ntp_at(0, 1123);
	W.emfile = 3;
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(src(0)->n_req, 1);
	ck_assert_int_eq(src(0)->req[0].outcome, REQ_OK);
	ENG_free(&R);
}
END_TEST

START_TEST(t_inflight_cap)
{
	int i;
	setup_run(0, 2.0);
	R.cfg.max_inflight = 2;
	for (i = 0; i < 4; i++)
		ntp_at(i, 1123);
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_le(W.max_open, 2);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(src((size_t)i)->n_samples, 1);
	ENG_free(&R);
}
END_TEST

/* ---- the pre-request stage ------------------------------------------ */

struct stage_ctx {
	int steps;
	int fail;
	int moved;
};

static int
stage_step(void *ctx, short revents, int *fd, short *events, int *wait_ms, char *host,
    size_t hostlen, char *port, size_t portlen)
{
	struct stage_ctx *c = ctx;
	(void)revents, (void)events;
	if (++c->steps < 3) {
		*fd = -1;
		*wait_ms = 100;
		return ENG_STAGE_AGAIN;
	}
	if (c->fail)
		return ENG_STAGE_FAILED;
	if (c->moved) {
		strlcpy(host, "ntp.moved.example", hostlen);
		strlcpy(port, "4123", portlen);
	}
	return ENG_STAGE_DONE;
}

static void
stage_describe(void *ctx, char *buf, size_t len)
{
	(void)ctx;
	strlcpy(buf, "key exchange failed: test", len);
}

static const struct eng_stage test_stage = { "test stage", stage_step, NULL, stage_describe, NULL };
static struct stage_ctx SC;

static void
stage_setup(void *ctx, struct eng_run *run, size_t i)
{
	(void)ctx;
	run->src[i].stage = &test_stage;
	run->src[i].stage_ctx = &SC;
}

START_TEST(t_stage_then_moved)
{
	struct fw_server *f;
	setup_run(0, 2.0);
	memset(&SC, 0, sizeof(SC));
	SC.moved = 1;
	R.hooks.setup = stage_setup;
	add("127.0.0.1:4460");
	lan_defaults(&S[0]);
	W.stage_addr = fw_addr("127.0.0.7", 4123);
	f = fw_add_server(&W, "127.0.0.7", 4123, fw_ntp_server, &S[0]);
	ENG_run(&R);
	ck_assert_int_eq(src(0)->end, END_NONE);
	ck_assert_int_eq(R.have_result, 1);
	ck_assert_int_eq(SC.steps, 3);
	ck_assert_uint_eq(f->requests, 1);
	ck_assert(f->sent_at[0] >= 1000 + 0.2 - 1e-9);
	ck_assert_str_eq(src(0)->addr_port, "127.0.0.7:4123");
	ENG_free(&R);
}
END_TEST

START_TEST(t_stage_fails)
{
	char why[256];
	setup_run(0, 2.0);
	memset(&SC, 0, sizeof(SC));
	SC.fail = 1;
	R.hooks.setup = stage_setup;
	ntp_at(0, 1123);
	ck_assert_int_eq(ENG_run(&R), -1);
	ck_assert_int_eq(src(0)->end, END_STAGE);
	ck_assert_uint_eq(W.srv[0].requests, 0);
	REP_source_reason(&R, src(0), why, sizeof(why));
	ck_assert_str_eq(why, "key exchange failed: test");
	ENG_free(&R);
}
END_TEST

/* ---- the authentication hook ---------------------------------------- */

static size_t
tag_sign(void *ctx, uint8_t *buf, size_t len, size_t cap, struct auth_req *rq)
{
	(void)ctx;
	if (len + 4 > cap)
		return 0;
	memcpy(buf + len, "\0\0\0\x2a", 4); /* a 4-byte "MAC", key 42 */
	rq->key_id = 42;
	return len + 4;
}

static int
tag_check(void *ctx, const uint8_t *buf, size_t len, const struct auth_req *rq)
{
	(void)ctx;
	if (len != PKT_HEADER_LEN + 4)
		return AUTH_MISSING;
	return buf[len - 1] == rq->key_id ? AUTH_OK : AUTH_KEYID;
}

static const struct auth_method tag_auth = { "test tag", tag_sign, tag_check };

static void
auth_setup(void *ctx, struct eng_run *run, size_t i)
{
	(void)ctx;
	run->src[i].auth = &tag_auth;
}

START_TEST(t_auth_hook)
{
	char why[256];
	/* a server that signs: accepted */
	setup_run(1, 2.0);
	R.hooks.setup = auth_setup;
	ntp_at(0, 1123);
	memcpy(S[0].trailer, "\0\0\0\x2a", 4);
	S[0].trailer_len = 4;
	ck_assert_int_eq(ENG_run(&R), 0);
	ENG_free(&R);
	/* one that does not: no answer, never a fallback */
	setup_run(1, 2.0);
	R.hooks.setup = auth_setup;
	ntp_at(0, 1123);
	ck_assert_int_eq(ENG_run(&R), -1);
	ck_assert_int_eq(src(0)->req[0].outcome, REQ_TIMEOUT);
	ck_assert_uint_eq(src(0)->req[0].ignored_tests & PKT_T_AUTH, PKT_T_AUTH);
	REP_source_reason(&R, src(0), why, sizeof(why));
	ck_assert_ptr_nonnull(strstr(why, "authentication failed: no MAC"));
	ENG_free(&R);
}
END_TEST

START_TEST(t_majority_and_sort)
{
	int i;
	setup_run(1, 2.0);
	for (i = 0; i < 3; i++)
		ntp_at(i, 1123);
	S[1].offset = 3600; /* one liar */
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert(fabs(R.result.offset) < 1e-3);
	ck_assert_int_eq(R.cand[1].verdict, SEL_FALSETICKER);
	ck_assert_str_eq(src(2)->addr, "127.0.0.3");
	ENG_free(&R);
}
END_TEST

/* Exponential jitter from a fixed sequence: -mean * ln(u). */
static double
exp_jitter(unsigned *state, double mean)
{
	*state = *state * 1103515245u + 12345u;
	return -mean * log(((*state >> 8) & 0xffff) / 65536.0 + 1.0 / 131072);
}

START_TEST(t_pool_stops_jointly)
{
	/* four addresses, each path 10 ms + exponential jitter (mean 10 ms)
	 * each way, truth 0: together they stop after two rounds, where any
	 * one alone would ask four times */
	unsigned seed, k, total = 0;
	int i, runs = 0, two_rounds = 0;

	for (seed = 1; seed <= 20; seed++) {
		unsigned st = seed;
		setup_run(0, 2.0);
		for (i = 0; i < 4; i++) {
			ntp_at(i, 123);
			S[i].out = S[i].back = 0.010;
			for (k = 0; k < 8; k++) {
				S[i].jitter_out[k] = exp_jitter(&st, 0.010);
				S[i].late[k] = exp_jitter(&st, 0.010);
			}
		}
		ck_assert_int_eq(ENG_run(&R), 0);
		/* the bound holds */
		ck_assert(fabs(R.result.offset) <= R.result.bound + 1e-9);
		total = 0;
		for (i = 0; i < 4; i++)
			total += W.srv[i].requests;
		runs++;
		two_rounds += total <= 8 && elapsed() < 2.2;
		ENG_free(&R);
	}
	/* most runs end after two rounds */
	ck_assert_int_ge(two_rounds, runs * 3 / 4);
}
END_TEST

START_TEST(t_single_jittery_still_four)
{
	/* one server alone keeps the per-source rule: four samples */
	unsigned st = 7, k;
	struct fw_server *f;
	setup_run(0, 2.0);
	f = ntp_at(0, 123);
	S[0].out = S[0].back = 0.010;
	for (k = 0; k < 8; k++) {
		S[0].jitter_out[k] = exp_jitter(&st, 0.010);
		S[0].late[k] = exp_jitter(&st, 0.010);
	}
	ck_assert_int_eq(ENG_run(&R), 0);
	ck_assert_uint_eq(f->requests, 4);
	ck_assert(!R.joint_stop);
	ENG_free(&R);
}
END_TEST

START_TEST(t_hetero_bound_holds)
{
	/* base delays 5, 15, 30, 60 ms with asymmetries up to 4 ms, one path
	 * losing a third of its packets: the bound still holds */
	static const double base[4] = { 0.005, 0.015, 0.030, 0.060 };
	static const double asym[4] = { 0.004, -0.003, 0.002, -0.004 };
	unsigned seed, k;
	int i;

	for (seed = 1; seed <= 20; seed++) {
		unsigned st = seed * 7919;
		setup_run(0, 2.0);
		for (i = 0; i < 4; i++) {
			ntp_at(i, 123);
			S[i].out = base[i] + asym[i] / 2;
			S[i].back = base[i] - asym[i] / 2;
			for (k = 0; k < 8; k++) {
				S[i].jitter_out[k] = exp_jitter(&st, 0.010);
				S[i].late[k] = exp_jitter(&st, 0.010);
			}
		}
		S[3].drop = (seed % 3 == 0) ? 0x5 : 0x2;
		ck_assert_int_eq(ENG_run(&R), 0);
		ck_assert_msg(fabs(R.result.offset) <= R.result.bound + 1e-9,
		    "seed %u: offset %.6f bound %.6f", seed, R.result.offset, R.result.bound);
		ENG_free(&R);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");
	ADD(tc, t_clean_server_one_request);
	ADD(tc, t_jitter_takes_four_spaced);
	ADD(tc, t_fixed_samples_and_gap);
	ADD(tc, t_timeout_then_retry);
	ADD(tc, t_reply_after_timeout_is_lost);
	ADD(tc, t_kiss_codes);
	ADD(tc, t_icmp_refused);
	ADD(tc, t_forged_replies_first);
	ADD(tc, t_wrong_origin_only_times_out);
	ADD(tc, t_deadline_silent_server);
	ADD(tc, t_unsynchronised_asked_once);
	ADD(tc, t_name_never_resolves);
	ADD(tc, t_name_resolves_late);
	ADD(tc, t_name_fails_said_once);
	ADD(tc, t_table_full_mid_name);
	ADD(tc, t_emfile_waits);
	ADD(tc, t_inflight_cap);
	ADD(tc, t_stage_then_moved);
	ADD(tc, t_stage_fails);
	ADD(tc, t_auth_hook);
	ADD(tc, t_majority_and_sort);
	ADD(tc, t_pool_stops_jointly);
	ADD(tc, t_single_jittery_still_four);
	ADD(tc, t_hetero_bound_holds);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

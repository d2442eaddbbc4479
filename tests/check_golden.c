/* Golden-file tests: the sources table, ntpquery -v and the JSON document
 * of one scripted run (fakeworld.h), compared byte for byte with
 * tests/golden/run-*.txt.  The random origin values are masked.  To
 * accept a deliberate change: GOLDEN_UPDATE=1 build/tests/check_golden,
 * then review the diff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/decide.h"
#include "common/report.h"
#include "check_common.h"
#include "fakeworld.h"

static struct fw W;
static struct eng_run R;
static struct fw_ntp S[5];

static void
scripted_run(void)
{
	static char a[][32] = { "127.0.0.1:1123", "127.0.0.2:1123", "127.0.0.3:1123",
		"127.0.0.4:1123", "127.0.0.5:1123", "gone.example", "pool.example" };
	char *args[7];
	struct eng_config c;
	char err[128];
	int i;

	memset(&c, 0, sizeof(c));
	c.samples = 2;
	c.timeout = 1.0;
	c.gap = 2.0;
	c.max_distance = 1.5;
	c.precision = -20;
	c.rate_bound = 50e-6;
	for (i = 0; i < 7; i++)
		args[i] = a[i];
	fw_init(&W);
	ck_assert_int_eq(ENG_init(&R, &c, &W.ops), 0);
	ck_assert_int_eq(ENG_add_args(&R, args, 7, err, sizeof(err)), 0);
	for (i = 0; i < 5; i++) {
		char ip[32];
		fw_ntp_defaults(&S[i]);
		snprintf(ip, sizeof(ip), "127.0.0.%d", i + 1);
		fw_add_server(&W, ip, 1123, fw_ntp_server, &S[i]);
		S[i].offset = 0.0123 + 0.0001 * i;
	}
	S[1].kiss = "DENY";
	S[2].drop = 0xff;
	S[3].offset = 3600;       /* a falseticker */
	S[4].jitter[0] = 0.0003;
	fw_add_name(&W, "gone.example", 0.05, EAI_NONAME, NULL, 0);
	fw_add_name(&W, "pool.example", 0.02, 0, "127.0.0.1", 1123); /* the same source again */
	ENG_run(&R);
}

/* Replace the random origin values by a fixed mask. */
static void
mask(char *s)
{
	char *p;
	for (p = strstr(s, "Origin           : "); p != NULL; p = strstr(p + 1, "Origin           : "))
		memcpy(p + 19, "XXXXXXXX.XXXXXXXX", 17);
	for (p = strstr(s, "\"origin\": \""); p != NULL; p = strstr(p + 1, "\"origin\": \""))
		memcpy(p + 11, "XXXXXXXX.XXXXXXXX", 17);
}

static void
compare(const char *name, char *got)
{
	char path[128], *want;
	FILE *f;
	long n;

	mask(got);
	snprintf(path, sizeof(path), "tests/golden/%s", name);
	if (getenv("GOLDEN_UPDATE") != NULL) {
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(got, f);
		fclose(f);
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	want = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(want, 1, (size_t)n, f), n);
	fclose(f);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "--- %s: expected\n%s--- got\n%s", path, want, got);
		ck_abort_msg("%s differs from the golden file", path);
	}
	free(want);
}

static char *
render(int what)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	struct dec_policy pol;
	struct dec_result d;
	struct timespec now;

	W.ops.now_real(W.ops.ctx, &now);
	DEC_policy_init(&pol, -1);
	pol.floor = 0;
	DEC_decide(&R.result, R.have_result, &pol, &now, &d);
	switch (what) {
	case 0:
		REP_table(f, &R, 0, &now);
		REP_summary(f, &R, &d);
		break;
	case 1:
		REP_legend(f);
		REP_table(f, &R, 1, &now);
		REP_summary(f, &R, &d);
		for (i = 0; i < R.n_src; i++)
			REP_source_detail(f, &R, &R.src[i]);
		break;
	case 2:
		REP_json(f, &R, &d, 0, &now, "ntpquery");
		break;
	}
	fclose(f);
	return buf;
}

START_TEST(t_golden)
{
	char *out;
	scripted_run();
	out = render(0);
	compare("run-table.txt", out);
	free(out);
	out = render(1);
	compare("run-verbose.txt", out);
	free(out);
	out = render(2);
	compare("run-json.txt", out);
	free(out);
	ENG_free(&R);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("core");
	ADD(tc, t_golden);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

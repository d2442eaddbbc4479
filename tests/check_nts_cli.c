/* Unit tests: common/nts_cli (options, the -v lines, the JSON object). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/nts_cli.h"
#include "check_common.h"

static char *
capture_json(const struct nts_run *nr, size_t k)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	NTS_json(f, nr, k);
	fclose(f);
	return buf;
}

START_TEST(t_options)
{
	struct nts_run nr;
	char err[160];

	NTS_run_init(&nr, 0);
	ck_assert_int_eq(NTS_option(&nr, 'p', "1", err, sizeof(err)), 0);
	ck_assert_int_eq(NTS_option(&nr, NTS_OPT_CA, "/nonexistent/ca.pem", err, sizeof(err)), -1);
	ck_assert(strstr(err, "cannot read CA file") != NULL);
	ck_assert_int_eq(NTS_option(&nr, NTS_OPT_CACHE, "none", err, sizeof(err)), 1);
	/* --nts-cache without --nts is a usage error */
	ck_assert_int_eq(NTS_ready(&nr, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(NTS_option(&nr, NTS_OPT_NTS, NULL, err, sizeof(err)), 1);
	ck_assert_int_eq(NTS_ready(&nr, NULL, err, sizeof(err)), 0);
	ck_assert_ptr_null(nr.opt.cache_dir);
	ck_assert_int_eq(NTS_option(&nr, NTS_OPT_CACHE, "/nonexistent/dir", err, sizeof(err)), 1);
	ck_assert_int_eq(NTS_ready(&nr, NULL, err, sizeof(err)), -1);
	ck_assert(strstr(err, "not a directory") != NULL);
}
END_TEST

START_TEST(t_json)
{
	struct nts_run nr;
	struct nts_src *s = calloc(1, sizeof(*s));

	NTS_run_init(&nr, 0);
	ck_assert_str_eq(capture_json(&nr, 0), "null");
	strcpy(s->ke_name, "nts.example");
	strcpy(s->ke_port, "4460");
	strcpy(s->ke_addr_text, "192.0.2.1");
	s->have_tls = 1;
	strcpy(s->tls.version, "TLS1.3");
	strcpy(s->tls.subject, "CN=\"quoted\"");
	s->tls.path = TLS_PATH_DEFERRED;
	s->verified_at_nts_time = 1;
	s->stage_done = 1;
	strcpy(s->ntp_host, "192.0.2.2");
	strcpy(s->ntp_port, "123");
	s->ke_cookies = 8;
	s->cookies_used = 1;
	s->n_cookies = 8;
	s->cache = NTS_CACHE_MISS;
	nr.src[0] = s;
	ck_assert(strstr(capture_json(&nr, 0), "{\"type\":\"NTS\",\"ke_server\":\"nts.example\",\"ke_port\":4460") != NULL);
	ck_assert(strstr(capture_json(&nr, 0), "\"cert_subject\":\"CN=\\\"quoted\\\"\"") != NULL);
	ck_assert(strstr(capture_json(&nr, 0), "\"verification\":\"dead-clock\",\"valid_at_nts_time\":true") != NULL);
	ck_assert(strstr(capture_json(&nr, 0), "\"cookies_ke\":8,\"cookies_replies\":0,\"cookies_used\":1,\"cookies_left\":8") != NULL);
	ck_assert(strstr(capture_json(&nr, 0), "\"cache\":\"miss\",\"failure\":null}") != NULL);
	free(s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("nts_cli");
	TCase *tc = tcase_create("cli");
	ADD(tc, t_options);
	ADD(tc, t_json);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

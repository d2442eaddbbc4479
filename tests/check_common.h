/* check_common: the main() every check_<module> program shares. */
#ifndef CHECK_COMMON_H
#define CHECK_COMMON_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_MAIN(suite_fn)                                      \
	int main(void)                                            \
	{                                                         \
		SRunner *sr = srunner_create(suite_fn());         \
		int nf;                                           \
		srunner_run_all(sr, CK_NORMAL);                   \
		nf = srunner_ntests_failed(sr);                   \
		srunner_free(sr);                                 \
		return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;     \
	}

#define ADD(tc, fn) tcase_add_test(tc, fn)

/* A scratch directory /tmp/NAME.XXXXXX for one test (buf: 64 bytes),
 * and its removal. */
static inline void
ck_tmpdir(char *buf, const char *name)
{
	snprintf(buf, 64, "/tmp/%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

static inline void
ck_rmtree(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#endif

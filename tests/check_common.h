/* check_common: the main() every check_<module> program shares. */
#ifndef CHECK_COMMON_H
#define CHECK_COMMON_H

#include <check.h>
#include <stdlib.h>

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

#endif

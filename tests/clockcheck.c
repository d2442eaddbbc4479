/* clockcheck: print CLOCK_REALTIME minus CLOCK_MONOTONIC in seconds, so
 * the test runner can prove the system clock did not move. */
#include <stdio.h>
#include <time.h>

int
main(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	printf("%.9f\n", (double)(r.tv_sec - m.tv_sec) + (r.tv_nsec - m.tv_nsec) / 1e9);
	return 0;
}

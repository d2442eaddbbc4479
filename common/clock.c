/* clock: step and slew the system clock, Linux driver. */
#include "clock.h"
#include "filter.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Split a signed interval into whole seconds (floor) and a non-negative
 * sub-second part in units of 1/scale. */
static void
split(double offset, long scale, long *sec, long *sub)
{
	double whole = floor(offset);
	long s = (long)whole;
	long f = lround((offset - whole) * (double)scale);

	if (f >= scale) {
		f -= scale;
		s++;
	}
	*sec = s;
	*sub = f;
}

static int
linux_step(void *ctx, double offset)
{
	struct timex tx = { 0 };
	long sec, nsec;

	(void)ctx;
	split(offset, 1000000000L, &sec, &nsec);
	tx.modes = ADJ_SETOFFSET | ADJ_NANO;
	tx.time.tv_sec = sec;
	tx.time.tv_usec = nsec; /* nanoseconds under ADJ_NANO */
	if (clock_adjtime(CLOCK_REALTIME, &tx) < 0)
		return -1;
	return 0;
}

static int
linux_slew(void *ctx, double offset)
{
	struct timeval tv;
	long sec, usec;

	(void)ctx;
	split(offset, 1000000L, &sec, &usec);
	tv.tv_sec = sec;
	tv.tv_usec = usec;
	return adjtime(&tv, NULL);
}

static const struct clk_driver linux_driver = {
	"linux", linux_step, linux_slew, NULL
};

const struct clk_driver *
CLK_linux(void)
{
	return &linux_driver;
}

double
CLK_rate_bound(void)
{
	struct timeval left;
	struct timex tx;
	double bound = CLK_LOCAL_RATE + FLT_PHI, tick_ppm = 0;
	int slewing = 0;

	/* adjtime(NULL, &left) and adjtimex() with modes 0 only read. */
	if (adjtime(NULL, &left) == 0 && (left.tv_sec != 0 || left.tv_usec != 0))
		slewing = 1;
	memset(&tx, 0, sizeof(tx));
	if (adjtimex(&tx) == 0) {
		if ((tx.status & STA_PLL) && tx.offset != 0)
			slewing = 1;
		if (tx.tick != 0)
			tick_ppm = ((double)tx.tick - 1e6 / sysconf(_SC_CLK_TCK)) * sysconf(_SC_CLK_TCK);
	}
	bound += fabs(tick_ppm) * 1e-6;
	return slewing ? -(bound + CLK_SLEW_RATE) : bound;
}

int
CLK_step(const struct clk_driver *d, double offset)
{
	if (!isfinite(offset)) {
		errno = EDOM;
		return -1;
	}
	return d->step(d->ctx, offset);
}

int
CLK_slew(const struct clk_driver *d, double offset)
{
	if (!isfinite(offset)) {
		errno = EDOM;
		return -1;
	}
	if (fabs(offset) > CLK_SLEW_MAX) {
		errno = ERANGE;
		return -1;
	}
	return d->slew(d->ctx, offset);
}

int
CLK_kernel_status(struct clk_kernel *k)
{
	struct timex tx;

	memset(&tx, 0, sizeof(tx)); /* modes 0: read only */
	if (adjtimex(&tx) < 0)
		return -1;
	k->status = tx.status;
	k->maxerror_us = tx.maxerror;
	k->offset = tx.offset;
	k->freq = tx.freq;
	return 0;
}

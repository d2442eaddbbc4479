/* clock: the driver interface through which the system clock is changed.
 * This module's Linux driver (clock.c) is the only code in the project
 * that asks the kernel to step or slew the clock.  Tests plug in their own
 * driver (see tests/check_clock.c) or intercept the kernel calls with the
 * LD_PRELOAD shim (tests/clockshim.c). */
#ifndef CLOCK_H
#define CLOCK_H

struct clk_driver {
	const char *name;
	/* Step the clock by offset seconds.  0 or -1 with errno. */
	int (*step)(void *ctx, double offset);
	/* Start slewing the clock by offset seconds.  0 or -1 with errno. */
	int (*slew)(void *ctx, double offset);
	void *ctx;
};

/* The real Linux driver: steps with a kernel offset adjustment, slews with
 * the kernel's one-shot slew. */
const struct clk_driver *CLK_linux(void);

/* The largest rate difference (s/s) between the local clock and a
 * server's during a run, from a read-only look at the kernel: the
 * kernel's frequency range for the local oscillator's error
 * (CLK_LOCAL_RATE, 500 ppm), plus any tick adjustment beyond it, plus a
 * synchronised server's tolerance (FLT_PHI).  Negative (same magnitude
 * plus the kernel's 500 ppm slew) when the local clock is being slewed
 * (an earlier slew still running, or the kernel PLL working off an
 * offset): its rate may then change mid-run (see FLT_filter). */
double CLK_rate_bound(void);

#define CLK_LOCAL_RATE 500e-6 /* the kernel's frequency range, s/s */
#define CLK_SLEW_RATE 500e-6  /* the kernel's one-shot slew rate, s/s */

/* The largest offset the kernel's one-shot slew (adjtime) takes, seconds:
 * glibc refuses whole seconds beyond INT_MAX / 10^6 - 2 with EINVAL.  At
 * the 500 ppm slew rate it would take 50 days. */
#define CLK_SLEW_MAX 2145.0

/* Step through a driver; refuses (-1, errno EDOM) any offset that is not
 * finite, so a NaN can never reach the clock. */
int CLK_step(const struct clk_driver *d, double offset);

/* Slew through a driver, with the same refusal, and ERANGE beyond
 * CLK_SLEW_MAX (nothing is started). */
int CLK_slew(const struct clk_driver *d, double offset);

/* What the kernel's clock discipline says of itself (adjtimex, read
 * only), for the daemon check (common/daemon.h). */
struct clk_kernel {
	int status;        /* STA_* bits */
	long maxerror_us;  /* maximum error, microseconds */
	long offset;       /* offset still being worked off (kernel units) */
	long freq;         /* frequency correction, ppm << 16 */
};

/* Fill k; 0, or -1 when the kernel cannot be asked. */
int CLK_kernel_status(struct clk_kernel *k);

#endif

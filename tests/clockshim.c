/* clockshim: LD_PRELOAD library that intercepts every call that could
 * change the system clock, records it, and never passes it on.
 *   CLOCKSHIM_LOG=file   append one line per call:
 *                        "step +3600.000000000" or "slew +0.200000"
 *                        (and "set ..." / "adjtimex ..." for the rest)
 *   CLOCKSHIM_FAIL=1     make every call fail with EPERM
 * Read-only calls (adjtime with a NULL delta, adjtimex and clock_adjtime
 * with modes 0 or ADJ_OFFSET_SS_READ) are answered without touching
 * anything; CLOCKSHIM_SLEWING=1 makes adjtime report a slew in progress.
 *   CLOCKSHIM_PLL=1      reads report a kernel clock under PLL discipline
 *                        (STA_PLL set, STA_UNSYNC clear, maximum error
 *                        20 ms, +12.5 ppm), as a running ntpd keeps it
 *   CLOCKSHIM_STATUS=file  at each clock-changing call, append the
 *                        CapEff, NoNewPrivs and Seccomp lines of
 *                        /proc/self/status: what the tool holds then */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>


static int
record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CLOCKSHIM_STATUS: the privileges in force at the clock call. */
static void
record_status(void)
{
	const char *path = getenv("CLOCKSHIM_STATUS");
	char line[256];
	FILE *in, *out;

	if (path == NULL || (in = fopen("/proc/self/status", "r")) == NULL)
		return;
	out = fopen(path, "a");
	if (out != NULL) {
		while (fgets(line, sizeof(line), in) != NULL)
			if (strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "NoNewPrivs:", 11) == 0 ||
			    strncmp(line, "Seccomp:", 8) == 0)
				fputs(line, out);
		fclose(out);
	}
	fclose(in);
}

static int
record(const char *fmt, ...)
{
	const char *path = getenv("CLOCKSHIM_LOG");
	va_list ap;

	record_status();
	if (path != NULL) {
		FILE *f = fopen(path, "a");
		if (f != NULL) {
			va_start(ap, fmt);
			vfprintf(f, fmt, ap);
			va_end(ap);
			fputc('\n', f);
			fclose(f);
		}
	}
	if (getenv("CLOCKSHIM_FAIL") != NULL) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
clock_settime(clockid_t clk, const struct timespec *ts)
{
	return record("set %d %lld.%09ld", (int)clk, (long long)ts->tv_sec, ts->tv_nsec);
}

int
settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	(void)tz;
	if (tv == NULL)
		return record("settimeofday tz-only");
	return record("set %lld.%06ld", (long long)tv->tv_sec, (long)tv->tv_usec);
}

int
adjtime(const struct timeval *delta, struct timeval *olddelta)
{
	if (olddelta != NULL) {
		/* CLOCKSHIM_SLEWING=1: pretend an earlier adjtime() is still
		 * running, 0.1 s left */
		memset(olddelta, 0, sizeof(*olddelta));
		if (getenv("CLOCKSHIM_SLEWING") != NULL)
			olddelta->tv_usec = 100000;
	}
	if (delta == NULL)
		return 0;
	return record("slew %+.6f", (double)delta->tv_sec + delta->tv_usec / 1e6);
}

static int
timex_call(const char *who, struct timex *tx)
{
	if (tx->modes == 0 || tx->modes == ADJ_OFFSET_SS_READ) {
		/* reads: a quiet, unslewed clock */
		memset(tx, 0, sizeof(*tx));
		tx->tick = 10000;
		tx->status = getenv("CLOCKSHIM_PLL") != NULL ? STA_PLL : STA_UNSYNC;
		tx->maxerror = getenv("CLOCKSHIM_PLL") != NULL ? 20000 : 16000000;
		tx->freq = getenv("CLOCKSHIM_PLL") != NULL ? 819200 : 0; /* +12.5 ppm */
		return TIME_OK;
	}
	if (tx->modes & ADJ_SETOFFSET) {
		double scale = (tx->modes & ADJ_NANO) ? 1e9 : 1e6;
		return record("step %+.9f", (double)tx->time.tv_sec + tx->time.tv_usec / scale);
	}
	if ((tx->modes & ADJ_OFFSET_SINGLESHOT) == ADJ_OFFSET_SINGLESHOT)
		return record("slew %+.6f", tx->offset / 1e6);
	return record("%s modes=%#x offset=%ld freq=%ld", who, tx->modes, tx->offset, tx->freq);
}

int
adjtimex(struct timex *tx)
{
	return timex_call("adjtimex", tx);
}

int
ntp_adjtime(struct timex *tx)
{
	return timex_call("ntp_adjtime", tx);
}

int
clock_adjtime(clockid_t clk, struct timex *tx)
{
	(void)clk;
	return timex_call("clock_adjtime", tx);
}

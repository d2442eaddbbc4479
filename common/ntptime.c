/* ntptime: NTP timestamp formats and conversions. */
#include "ntptime.h"

#include <math.h>
#include <stdio.h>

#define TWO32 4294967296.0

int
NTT_is_zero(NTP_ts t)
{
	return t.v == 0;
}

NTP_ts
NTT_make(uint32_t sec, uint32_t frac)
{
	NTP_ts t = { ((uint64_t)sec << 32) | frac };
	return t;
}

uint32_t
NTT_sec(NTP_ts t)
{
	return (uint32_t)(t.v >> 32);
}

uint32_t
NTT_frac(NTP_ts t)
{
	return (uint32_t)t.v;
}

NTP_ts
NTT_from_timespec(const struct timespec *ts)
{
	int64_t sec = (int64_t)ts->tv_sec + NTT_UNIX_EPOCH;
	uint64_t frac = (((uint64_t)ts->tv_nsec << 32) + 500000000ULL) / 1000000000ULL;
	if (frac >= ((uint64_t)1 << 32)) {
		frac -= (uint64_t)1 << 32;
		sec++;
	}
	return NTT_make((uint32_t)(uint64_t)sec, (uint32_t)frac);
}

struct timespec
NTT_to_timespec(NTP_ts t, time_t pivot)
{
	struct timespec ts;
	int64_t base = (int64_t)NTT_sec(t) - NTT_UNIX_EPOCH;
	/* Number of 2^32 s eras to add so that base lands within
	 * [pivot - 2^31, pivot + 2^31). Floor division, sign safe. */
	int64_t d = (int64_t)pivot - base + ((int64_t)1 << 31);
	int64_t era = d >= 0 ? d >> 32 : -((-d + ((int64_t)1 << 32) - 1) >> 32);
	uint64_t nsec = ((uint64_t)NTT_frac(t) * 1000000000ULL + ((uint64_t)1 << 31)) >> 32;

	ts.tv_sec = (time_t)(base + era * ((int64_t)1 << 32));
	if (nsec >= 1000000000ULL) {
		nsec -= 1000000000ULL;
		ts.tv_sec++;
	}
	ts.tv_nsec = (long)nsec;
	return ts;
}

double
NTT_diff(NTP_ts a, NTP_ts b)
{
	return (double)(int64_t)(a.v - b.v) / TWO32;
}

NTP_ts
NTT_add(NTP_ts t, double seconds)
{
	t.v += (uint64_t)(int64_t)llround(seconds * TWO32);
	return t;
}

double
NTT_short_to_double(NTP_short s)
{
	return (double)s / 65536.0;
}

NTP_short
NTT_double_to_short(double d)
{
	if (!(d > 0.0))
		return 0;
	if (d >= 65536.0)
		return UINT32_MAX;
	return (NTP_short)(d * 65536.0 + 0.5);
}

double
NTT_timespec_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

struct timespec
NTT_timespec_add(const struct timespec *a, double seconds)
{
	struct timespec r;
	double whole = floor(seconds);
	long ns = (long)llround((seconds - whole) * 1e9);

	r.tv_sec = a->tv_sec + (time_t)whole;
	r.tv_nsec = a->tv_nsec + ns;
	while (r.tv_nsec >= 1000000000L) {
		r.tv_nsec -= 1000000000L;
		r.tv_sec++;
	}
	return r;
}

double
NTT_log2_to_double(int8_t l)
{
	return ldexp(1.0, l);
}

void
NTT_format_utc(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	char day[32];

	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "(invalid)");
		return;
	}
	snprintf(buf, len, "%s.%09ld", day, ts->tv_nsec);
}

void
NTT_format_ts(NTP_ts t, time_t pivot, char *buf, size_t len)
{
	struct timespec ts = NTT_to_timespec(t, pivot);

	NTT_format_utc(&ts, buf, len);
}

int8_t
NTT_local_precision(void)
{
	struct timespec a, b;
	double best = 1.0;
	int i, l;

	for (i = 0; i < 16; i++) {
		clock_gettime(CLOCK_REALTIME, &a);
		do
			clock_gettime(CLOCK_REALTIME, &b);
		while (a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec);
		double d = NTT_timespec_diff(&b, &a);
		if (d > 0 && d < best)
			best = d;
	}
	for (l = 0; l > -32 && ldexp(1.0, l - 1) >= best; l--)
		;
	return (int8_t)l;
}

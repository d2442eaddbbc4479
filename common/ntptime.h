/* ntptime: NTP wire time formats and their conversion to and from
 * struct timespec.  Instants are NTP_ts (64-bit fixed point, host order);
 * intervals are double seconds.  The era of a 32-bit NTP seconds field is
 * never guessed: callers pass a pivot instant. */
#ifndef NTPTIME_H
#define NTPTIME_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

/* 64-bit NTP timestamp: seconds since 1900 (mod 2^32) << 32 | fraction. */
typedef struct {
	uint64_t v;
} NTP_ts;

/* 32-bit NTP short format: 16.16 fixed point seconds. */
typedef uint32_t NTP_short;

/* Seconds from 1900-01-01 to 1970-01-01. */
#define NTT_UNIX_EPOCH 2208988800LL

/* A zero timestamp means "unknown". */
int NTT_is_zero(NTP_ts t);

/* Build a timestamp from its seconds and fraction fields. */
NTP_ts NTT_make(uint32_t sec, uint32_t frac);

/* Seconds field (mod 2^32). */
uint32_t NTT_sec(NTP_ts t);

/* Fraction field. */
uint32_t NTT_frac(NTP_ts t);

/* Instant to timestamp; any era maps onto the 32-bit seconds field. */
NTP_ts NTT_from_timespec(const struct timespec *ts);

/* Timestamp to instant, choosing the era that puts the result within
 * 2^31 seconds of pivot (Unix seconds). */
struct timespec NTT_to_timespec(NTP_ts t, time_t pivot);

/* Interval a - b in seconds, with 64-bit wraparound (valid for |a-b| < 68 y). */
double NTT_diff(NTP_ts a, NTP_ts b);

/* Add an interval in seconds to a timestamp (wrapping). */
NTP_ts NTT_add(NTP_ts t, double seconds);

/* Short format to seconds. */
double NTT_short_to_double(NTP_short s);

/* Seconds (clamped to [0, 65536)) to short format. */
NTP_short NTT_double_to_short(double d);

/* Interval between two instants, a - b, in seconds. */
double NTT_timespec_diff(const struct timespec *a, const struct timespec *b);

/* Instant plus an interval in seconds. */
struct timespec NTT_timespec_add(const struct timespec *a, double seconds);

/* log2 precision to seconds. */
double NTT_log2_to_double(int8_t l);

/* Format an instant as "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" UTC. */
void NTT_format_utc(const struct timespec *ts, char *buf, size_t len);

/* Format a timestamp as NTT_format_utc does, its era chosen by pivot. */
void NTT_format_ts(NTP_ts t, time_t pivot, char *buf, size_t len);

/* Measure this host's clock reading precision as a log2 of seconds. */
int8_t NTT_local_precision(void);

#endif

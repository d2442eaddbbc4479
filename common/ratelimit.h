/* ratelimit: per-client token buckets for the server.  Clients are keyed
 * by prefix (/32 for IPv4, /64 for IPv6 by default), hashed with a random
 * key (AES-128 of the prefix: the slots cannot be predicted or aimed at)
 * into a table of fixed size, set-associative, oldest entry evicted:
 * memory stays the same under any number of distinct clients.  A request
 * over the limit is dropped, except a random share answered normally
 * (chrony's "leak": a flood spoofing a victim's address cannot silence
 * the victim) and a random share answered with a KoD RATE.  Also a limiter
 * for log lines. */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <nettle/aes.h>

#define RL_WAYS 4

enum rl_verdict {
	RL_PASS = 0,  /* within the limit: answer */
	RL_LEAK,      /* over the limit, answered anyway (random share) */
	RL_KOD,       /* over the limit, answered with a KoD RATE (random share) */
	RL_DROP,      /* over the limit: no reply */
};

struct rl_entry {
	uint64_t tag;      /* keyed hash of the prefix; 0 = empty */
	float tokens;
	uint32_t last_ms;  /* monotonic milliseconds of the last refill */
};

struct rl_config {
	double rate;        /* tokens per second (default 0.5: one per 2 s) */
	double burst;       /* bucket size (default 16) */
	int v4_prefix;      /* default 32 */
	int v6_prefix;      /* default 64 */
	double leak_share;  /* share of excess answered normally (default 1/8) */
	double kod_share;   /* share of excess answered with KoD RATE (default 1/8) */
	size_t entries;     /* table size, rounded down to a power of two (default 65536) */
};

struct rl_table {
	struct rl_config cfg;
	struct rl_entry *e; /* MAP_SHARED: one table for all workers */
	size_t bytes;
	size_t mask;        /* sets - 1 */
	struct aes128_ctx key4, key6; /* one key per family: no cross-family collision */
	uint64_t evictions;
};

/* The defaults above. */
void RL_defaults(struct rl_config *c);

/* Map the table (its only allocation; shared with processes forked
 * after) with a fresh random key.
 * Returns 0 or -1 (errno). */
int RL_init(struct rl_table *t, const struct rl_config *c);

/* Free the table. */
void RL_free(struct rl_table *t);

/* The keyed hash of a client's prefix (family AF_INET/AF_INET6, raw
 * address bytes); never 0. */
uint64_t RL_key(const struct rl_table *t, int family, const uint8_t *addr);

/* Charge one request from addr at now_ms (monotonic milliseconds);
 * rnd is a uniform random 32-bit number deciding the shares. */
enum rl_verdict RL_check(struct rl_table *t, int family, const uint8_t *addr, uint32_t now_ms,
    uint32_t rnd);

/* A log-line limiter: at most max lines per period seconds. */
struct rl_log {
	unsigned max;
	double period;
	double start;       /* monotonic seconds the period began */
	unsigned used;
	unsigned suppressed; /* lines dropped in earlier periods, not yet reported */
};

/* Set up a limiter. */
void RL_log_init(struct rl_log *l, unsigned max, double period);

/* May a line be logged at now (monotonic seconds)?  When a new period
 * begins, *report_suppressed gets the count dropped before (else 0). */
int RL_log_ok(struct rl_log *l, double now, unsigned *report_suppressed);

#endif

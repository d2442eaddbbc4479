/* engine: one measurement run.  Turns server arguments into sources (one
 * per resolved address and port), schedules requests under the sampling
 * policy, runs one poll() loop over all of them, checks every reply,
 * records why anything was rejected, then filters each source and runs
 * the selection.  Both tools drive exactly this code. */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cli.h"
#include "filter.h"
#include "net.h"
#include "packet.h"
#include "select.h"

#define ENG_MAX_SOURCES 64
#define ENG_MAX_ADDRS 16      /* addresses taken from one name */
#define ENG_MAX_REQUESTS FLT_MAX_SAMPLES
#define ENG_AUTO_SAMPLES 4    /* most samples the policy takes by itself */

struct eng_config {
	int family;           /* AF_UNSPEC, AF_INET, AF_INET6 */
	int samples;          /* -p: fixed count; 0: the policy decides */
	double timeout;       /* per request, seconds */
	double gap;           /* minimum spacing of requests to one source */
	double max_distance;  /* root distance limit, seconds */
	int8_t precision;     /* local clock precision, log2 s */
	double rate_bound;    /* clocks' rate difference bound, s/s; < 0: the
			       * local clock is being slewed (see CLK_rate_bound) */
};

/* What became of one request. */
enum eng_outcome {
	REQ_PENDING = 0,
	REQ_OK,        /* a good sample */
	REQ_TIMEOUT,   /* no reply within the timeout */
	REQ_REJECTED,  /* reply failed a sanity test (see tests) */
	REQ_KOD,       /* Kiss-o'-Death */
	REQ_REFUSED,   /* ICMP port unreachable */
	REQ_NETERR,    /* socket or send error (see err) */
};

struct eng_request {
	NTP_ts xmt;             /* our random transmit value */
	struct timespec t1;     /* real send instant: read just before send() */
	struct timespec rx;     /* receive instant of the answer, if any */
	enum eng_outcome outcome;
	unsigned tests;         /* failed sanity tests */
	int decode_err;         /* PKT_decode error of the last bad reply */
	int err;                /* errno for REQ_NETERR */
	unsigned ignored;       /* replies ignored (wrong origin, malformed) */
	int kernel_ts;          /* rx came from the kernel */
	size_t sample;          /* index into samples[] when outcome is REQ_OK */
	struct pkt reply;       /* the reply (valid when outcome >= REQ_OK..KOD) */
	int have_reply;
};

/* Why a source stopped early, if it did. */
enum eng_end {
	END_NONE = 0,
	END_UNRESOLVED,   /* the name did not resolve */
	END_REFUSED,      /* ICMP port unreachable */
	END_DENIED,       /* KoD DENY or RSTR */
	END_RATE,         /* KoD RATE */
	END_NETERR,       /* could not send */
};

struct eng_source {
	char given[CLI_HOST_MAX + 16]; /* the argument as given */
	char addr[80];                 /* numeric address */
	char addr_port[96];            /* numeric address:port */
	struct net_addr na;
	enum eng_end end;
	char end_text[160];

	struct eng_request req[ENG_MAX_REQUESTS];
	size_t n_req;
	struct flt_sample samples[ENG_MAX_REQUESTS];
	size_t n_samples;
	struct timespec last_rx;     /* real time of the last good reply */
	int8_t kiss;                 /* enum pkt_kiss of the last KoD */

	/* live state during the run */
	int fd;
	int done;
	struct timespec next_send;   /* monotonic */
	struct timespec timeout_at;  /* monotonic */

	/* results */
	int have_est;
	struct flt_result est;
	struct sel_cand cand;
};

struct eng_run {
	struct eng_config cfg;
	struct eng_source *src;
	size_t n_src;
	size_t cap_src;
	struct timespec start_mono, end_mono;
	struct timespec start_real;
	int have_result;
	struct sel_result result;
};

_Static_assert(CLI_MAX_SAMPLES <= ENG_MAX_REQUESTS, "-p limit above the engine's");

/* Configuration from the shared options, plus what the local clock says
 * of itself: its precision, and the rate bound the estimator may assume
 * (CLK_rate_bound: negative while the clock is being slewed). */
void ENG_config_from_cli(struct eng_config *cfg, const struct cli_common *c);

/* Add the server arguments args[0..n-1] (none: CLI_DEFAULT_SERVER).  A
 * name that does not resolve is kept as a source and reported through
 * warn(ctx, message); the others still count.  Returns 0, or -1 with a
 * one-line reason in err for a bad argument or too many addresses (a
 * usage error). */
int ENG_add_args(struct eng_run *run, char *const *args, int n,
    void (*warn)(void *ctx, const char *msg), void *ctx, char *err, size_t errlen);

/* Start a run with the given configuration (copied). */
void ENG_init(struct eng_run *run, const struct eng_config *cfg);

/* Release a run's memory and sockets. */
void ENG_free(struct eng_run *run);

/* Resolve one server argument and add a source per address.  A name that
 * does not resolve is still added, ended with END_UNRESOLVED, so it can
 * be reported.  Returns the number of sources added (>= 1) or -1 when
 * there is no room. */
int ENG_add_server(struct eng_run *run, const struct cli_server *srv);

/* Run the exchange to completion (all sources done or deadline), then
 * filter each source and select.  Returns 0 if a majority agreed (the
 * result is in run->result), -1 otherwise. */
int ENG_run(struct eng_run *run);

/* One line saying why a source gave no usable estimate, or what became
 * of it in the selection. */
void ENG_source_reason(const struct eng_run *run, const struct eng_source *s, char *buf, size_t len);

/* Short description of one request's outcome ("ok", "timeout", ...). */
void ENG_request_text(const struct eng_request *r, char *buf, size_t len);

/* The spacing in force between requests to one source, seconds. */
double ENG_spacing(const struct eng_run *run);

#endif

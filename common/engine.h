/* engine: one measurement run.  Turns server arguments into sources (one
 * per resolved address and port), schedules requests under the sampling
 * policy, runs one loop over all of them under one deadline (names are
 * resolved inside it), judges every reply (reply.h), filters each
 * source's samples and runs the selection.  It reaches the network and
 * the clocks only through struct eng_ops, so tests can drive it in
 * virtual time; it records facts (outcomes, test masks, errno, kiss
 * codes) and leaves the words to report.c.  Both tools drive this code. */
#ifndef ENGINE_H
#define ENGINE_H

#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "cli.h"
#include "filter.h"
#include "net.h"
#include "packet.h"
#include "select.h"

#define ENG_MAX_SOURCES 64
#define ENG_MAX_NAMES ENG_MAX_SOURCES /* server arguments */
#define ENG_MAX_REQUESTS FLT_MAX_SAMPLES
#define ENG_AUTO_SAMPLES 4    /* most samples the policy takes by itself */
#define ENG_DEADLINE_SLACK 0.25 /* s the deadline leaves after the last timeout */

/* The outside world as the engine sees it.  ENG_sys_ops (sysops.h) is the
 * Linux implementation; tests/check_engine.c has a scripted fake. */
struct eng_ops {
	void *ctx;
	void (*now_mono)(void *ctx, struct timespec *t);  /* monotonic clock */
	void (*now_real)(void *ctx, struct timespec *t);  /* real-time clock */
	/* Start resolving host/port as job id; 0 or -1 with errno. */
	int (*resolve)(void *ctx, size_t id, const char *host, const char *port, int family);
	/* Job id finished?  1: out[0..*n), *cut addresses left out, or *n = 0
	 * and the getaddrinfo error (and errno); 0: still running. */
	int (*resolved)(void *ctx, size_t id, struct net_addr *out, size_t max, size_t *n,
	    size_t *cut, int *gai_err, int *sys_err);
	/* Descriptor that turns readable when a job finishes (-1: none). */
	int (*resolve_fd)(void *ctx);
	/* A new connected UDP socket; fd or -1 with errno. */
	int (*open)(void *ctx, const struct net_addr *a);
	/* Send; *t1 = real instant read just before.  0 or -1 with errno. */
	int (*send)(void *ctx, int fd, const void *buf, size_t len, struct timespec *t1);
	/* Receive one datagram as NET_recv does. */
	long (*recv)(void *ctx, int fd, void *buf, size_t cap, struct timespec *rx, int *kernel_ts,
	    int *truncated);
	void (*close)(void *ctx, int fd);
	/* Wait for the descriptors or timeout_ms, as poll(2). */
	int (*poll)(void *ctx, struct pollfd *pfd, size_t n, int timeout_ms);
};

/* A step a source must take before its first request, run inside the
 * same loop under the same deadline (the NTS key exchange: a TCP connect
 * and a TLS handshake).  It may move the source to another host and
 * port. */
enum eng_stage_state { ENG_STAGE_AGAIN = 0, ENG_STAGE_DONE, ENG_STAGE_FAILED };
struct eng_stage {
	const char *name;
	/* Advance after revents on the stage's descriptor (0 the first time
	 * and on a wake-up).  Returns ENG_STAGE_AGAIN with *fd and *events to
	 * wait on (with *fd < 0: call again within *wait_ms), ENG_STAGE_DONE
	 * (host[0] != '\0': send the requests to host:port instead), or
	 * ENG_STAGE_FAILED (the stage keeps the reason). */
	int (*step)(void *ctx, short revents, int *fd, short *events, int *wait_ms, char *host,
	    size_t hostlen, char *port, size_t portlen);
	/* The run is over before the stage finished: drop connections. */
	void (*abort)(void *ctx);
	/* One line saying why it failed, for the report. */
	void (*describe)(void *ctx, char *buf, size_t len);
	/* Optional: what the stage learnt, as one JSON object (REP_json). */
	void (*json)(void *ctx, FILE *f);
};

struct eng_run;

/* Called once for every new source, before anything is sent to it: may
 * set the source's auth method and pre-request stage. */
struct eng_hooks {
	void *ctx;
	void (*setup)(void *ctx, struct eng_run *run, size_t src);
};

struct eng_config {
	int family;           /* AF_UNSPEC, AF_INET, AF_INET6 */
	int samples;          /* -p: fixed count; 0: the policy decides */
	int version;          /* NTP version of requests (1..4; 0: 4) */
	double timeout;       /* per request, seconds */
	double gap;           /* minimum spacing of requests to one source */
	double max_distance;  /* root distance limit, seconds */
	int8_t precision;     /* local clock precision, log2 s */
	double rate_bound;    /* clocks' rate difference bound, s/s; < 0: the
			       * local clock is being slewed (see CLK_rate_bound) */
	size_t max_inflight;  /* sockets open at once (0: one per source) */
};

/* What became of one request. */
enum eng_outcome {
	REQ_PENDING = 0,
	REQ_OK,        /* a good sample */
	REQ_TIMEOUT,   /* no reply within the timeout (ignored counts what came) */
	REQ_REJECTED,  /* the answer failed a test (see tests) */
	REQ_KOD,       /* Kiss-o'-Death */
	REQ_REFUSED,   /* ICMP port unreachable */
	REQ_NETERR,    /* socket, send or receive error (see err) */
	REQ_NOAUTH,    /* the auth method could not make a request */
};

struct eng_request {
	NTP_ts xmt;             /* our random transmit value */
	struct timespec t1;     /* real send instant: read just before send() */
	struct timespec rx;     /* receive instant of the answer, if any */
	enum eng_outcome outcome;
	unsigned tests;         /* the answer's failed tests */
	int auth_fail;          /* enum auth_fail of the answer */
	int err;                /* errno for REQ_NETERR / REQ_REFUSED */
	unsigned ignored;       /* datagrams that were not the answer */
	unsigned ignored_tests; /* union of their failed tests */
	int ignored_decode;     /* decode error of the last malformed one */
	int ignored_auth;       /* auth failure of the last one refused */
	int kernel_ts;          /* rx came from the kernel */
	size_t sample;          /* index into samples[] when outcome is REQ_OK */
	struct pkt reply;       /* the answer (have_reply) */
	int have_reply;
	struct auth_req areq;   /* the auth method's memory of this request */
};

/* Why a source stopped early, if it did. */
enum eng_end {
	END_NONE = 0,
	END_UNRESOLVED,   /* the name did not resolve (see its eng_name) */
	END_REFUSED,      /* ICMP port unreachable */
	END_DENIED,       /* KoD DENY or RSTR */
	END_RATE,         /* KoD RATE */
	END_NETERR,       /* could not send or receive (end_err) */
	END_UNSYNC,       /* answered unsynchronised: more asking cannot help */
	END_REJECTED,     /* answered with a reply no retry can fix */
	END_STAGE,        /* the pre-request stage failed */
	END_NOAUTH,       /* the auth method could not make a request */
	END_NAK,          /* NTS NAK */
	END_DEADLINE,     /* the run's deadline came first */
};

/* One server argument and what its resolution gave. */
enum eng_name_state { NAME_PENDING = 0, NAME_RESOLVED, NAME_FAILED, NAME_TIMEOUT };
struct eng_name {
	struct cli_server srv;
	enum eng_name_state state;
	int gai_err, sys_err;  /* NAME_FAILED */
	size_t n_addrs;        /* addresses taken from it (sources or duplicates) */
	size_t n_dup;          /* of which already a source */
	size_t n_cut;          /* more it gave, left out: the source limit was
			       * reached (by the resolver or the table) */
};

enum eng_src_state {
	SRC_STAGE = 0,   /* running its pre-request stage */
	SRC_RESOLVING,   /* resolving the host the stage named */
	SRC_READY,       /* sending requests */
	SRC_DONE,
};

struct eng_source {
	size_t name;                   /* index into run->names */
	size_t seq;                    /* order of creation */
	char addr[80];                 /* numeric address */
	char addr_port[96];            /* numeric address:port */
	struct net_addr na;
	enum eng_end end;
	int end_err;                   /* errno for END_NETERR */
	int gai_err, sys_err;          /* the stage's host did not resolve */

	struct eng_request req[ENG_MAX_REQUESTS];
	size_t n_req;
	struct flt_sample samples[ENG_MAX_REQUESTS];
	size_t n_samples;
	struct timespec last_rx;     /* real time of the last good reply */
	int8_t kiss;                 /* enum pkt_kiss of the last KoD */

	/* set by the setup hook */
	const struct auth_method *auth;
	void *auth_ctx;
	const struct eng_stage *stage;
	void *stage_ctx;

	/* live state during the run */
	enum eng_src_state state;
	int fd;                      /* request socket, or the stage's */
	short events;                /* the stage's poll events */
	struct timespec next_send;   /* monotonic */
	struct timespec timeout_at;  /* monotonic: request timeout, stage wake */

	/* results */
	int have_est;
	struct flt_result est;
};

struct eng_run {
	struct eng_config cfg;
	const struct eng_ops *ops;
	struct eng_hooks hooks;
	struct eng_name names[ENG_MAX_NAMES];
	size_t n_names;
	struct eng_source *src;        /* ENG_MAX_SOURCES of them */
	size_t n_src;
	struct sel_cand cand[ENG_MAX_SOURCES]; /* selection input and verdicts */
	struct timespec start_mono, end_mono;
	struct timespec start_real;
	int joint_stop;                /* the joint stopping rule ended it */
	int have_result;
	struct sel_result result;
};

_Static_assert(CLI_MAX_SAMPLES <= ENG_MAX_REQUESTS, "-p limit above the engine's");

/* Configuration from the shared options plus what the tool read of the
 * local clock: its precision and the rate bound the estimator may assume
 * (CLK_rate_bound: negative while the clock is being slewed). */
void ENG_config_from_cli(struct eng_config *cfg, const struct cli_common *c, int8_t precision,
    double rate_bound);

/* Start a run with the given configuration (copied) and world.  Returns 0
 * or -1 (no memory). */
int ENG_init(struct eng_run *run, const struct eng_config *cfg, const struct eng_ops *ops);

/* Release a run's memory and sockets. */
void ENG_free(struct eng_run *run);

/* Add the server arguments args[0..n-1] (none: CLI_DEFAULT_SERVER).
 * Nothing is resolved yet.  Returns 0, or -1 with a one-line reason in
 * err for a bad argument or too many (a usage error). */
int ENG_add_args(struct eng_run *run, char *const *args, int n, char *err, size_t errlen);

/* Add one parsed server argument.  Returns 0 or -1 when there is no room. */
int ENG_add_server(struct eng_run *run, const struct cli_server *srv);

/* Resolve every name, run the exchanges to completion (all sources done
 * or the deadline), filter each source and select.  Returns 0 if a
 * majority agreed (the result is in run->result), -1 otherwise. */
int ENG_run(struct eng_run *run);

/* Most requests one source may be sent in this run. */
size_t ENG_max_requests(const struct eng_run *run);

/* The spacing in force between requests to one source, seconds. */
double ENG_spacing(const struct eng_run *run);

/* The run's deadline, seconds from its start. */
double ENG_span(const struct eng_run *run);

/* The selection candidate (and verdict) of a source. */
const struct sel_cand *ENG_cand(const struct eng_run *run, const struct eng_source *s);

/* A usable selection candidate from a filter result (its correctness
 * interval, likely part, estimate and jitter) and the stratum of its best
 * sample. */
void ENG_cand_from_est(const struct flt_result *est, int stratum, struct sel_cand *c);

/* A source's selection candidate: from its estimate when it has one
 * (s->have_est), else cleared (not usable). */
void ENG_make_cand(const struct eng_source *s, struct sel_cand *c);

/* The name a source came from. */
const struct eng_name *ENG_name_of(const struct eng_run *run, const struct eng_source *s);

#endif

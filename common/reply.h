/* reply: the one verdict on one reply.  Given the raw bytes as received,
 * what we know of the request they may answer, and the receive instant,
 * it runs every named test (framing, origin, the header tests, the
 * authentication method's check, the round-trip delay) and returns them
 * as one bit mask (enum pkt_test); nothing is filtered before it.  A reply
 * that passes becomes a ready sample. */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "filter.h"
#include "packet.h"

/* What the verdict needs of the request. */
struct rpl_request {
	NTP_ts xmt;                      /* our random transmit value */
	struct timespec t1;              /* local send instant */
	const struct auth_method *auth;  /* NULL: none */
	void *auth_ctx;
	const struct auth_req *areq;
};

struct rpl_limits {
	double max_distance;  /* root distance limit, seconds */
	double max_delay;     /* round trips above this are absurd, seconds */
	int8_t local_prec;    /* log2 s */
};

/* A longest plausible round trip: twice the timeout plus a second. */
#define RPL_MAX_DELAY(timeout) (2.0 * (timeout) + 1.0)

struct rpl_verdict {
	unsigned tests;           /* failed tests, enum pkt_test bits */
	int decode_err;           /* enum pkt_decode_err when PKT_T_FORMAT */
	int auth_fail;            /* enum auth_fail when PKT_T_AUTH */
	enum pkt_kiss kiss;       /* with PKT_T_KOD */
	int have_pkt;             /* pkt holds the decoded header */
	struct pkt pkt;
	struct flt_sample sample; /* valid when tests == 0 */
};

/* Judge len bytes (truncated: the datagram was longer than the buffer)
 * received at rx as a reply to rq.  Returns v->tests. */
unsigned RPL_judge(const uint8_t *buf, size_t len, int truncated, const struct rpl_request *rq,
    const struct timespec *rx, const struct rpl_limits *lim, struct rpl_verdict *v);

/* Is the judged datagram the answer to the request (even a rejected one),
 * or something to ignore while waiting for it (malformed, another
 * request's, or failing authentication: anyone on the path can send
 * those)?  An NTS NAK for our request is an answer. */
int RPL_is_answer(const struct rpl_verdict *v);

#endif

/* reply: decode, header tests, authentication, delay: one verdict. */
#include "reply.h"

#include <string.h>

unsigned
RPL_judge(const uint8_t *buf, size_t len, int truncated, const struct rpl_request *rq,
    const struct timespec *rx, const struct rpl_limits *lim, struct rpl_verdict *v)
{
	int rc;

	memset(v, 0, sizeof(*v));
	rc = truncated ? PKT_ERR_LONG : PKT_decode(buf, len, &v->pkt);
	if (rc != PKT_OK) {
		v->decode_err = rc;
		v->tests = PKT_T_FORMAT;
		return v->tests;
	}
	v->have_pkt = 1;
	v->tests = PKT_check(&v->pkt, rq->xmt, lim->max_distance);
	if (v->tests & PKT_T_KOD)
		v->kiss = PKT_kiss(&v->pkt);
	/* Another request's reply (or a forgery) is not worth a MAC check. */
	if (v->tests & PKT_T_ORIGIN)
		return v->tests;
	if (rq->auth != NULL) {
		v->auth_fail = rq->auth->check(rq->auth_ctx, buf, len, rq->areq);
		if (v->auth_fail != AUTH_OK)
			v->tests |= PKT_T_AUTH;
	}
	if (!(v->tests & (PKT_T_KOD | PKT_T_TSZERO | PKT_T_TSORDER))) {
		struct flt_sample *s = &v->sample;
		NTP_ts t1 = NTT_from_timespec(&rq->t1), t4 = NTT_from_timespec(rx);
		if (FLT_sample(s, t1, v->pkt.rec, v->pkt.xmt, t4, lim->local_prec, v->pkt.precision) < 0 ||
		    !(s->delay <= lim->max_delay))
			v->tests |= PKT_T_DELAY;
		s->rx = *rx;
		s->root_delay = NTT_short_to_double(v->pkt.root_delay);
		s->root_disp = NTT_short_to_double(v->pkt.root_disp);
		s->stratum = v->pkt.stratum;
	}
	return v->tests;
}

int
RPL_is_answer(const struct rpl_verdict *v)
{
	if (v->tests & (PKT_T_FORMAT | PKT_T_ORIGIN))
		return 0;
	if (v->tests & PKT_T_AUTH)
		return v->auth_fail == AUTH_NTS_NAK;
	return 1;
}

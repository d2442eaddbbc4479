/* policy: the sampling policy.  A source is asked again while its own
 * interval is wider than POL_GOOD_HALFWIDTH on each side (up to
 * ENG_AUTO_SAMPLES requests, or exactly -p N); and all sources stop
 * together once the agreeing ones, pooled, cannot expect another round to
 * narrow their common interval by that much (see POL_joint_check). */
#ifndef POLICY_H
#define POLICY_H

#include "engine.h"

/* May this source be sent another request? */
int POL_want_more(const struct eng_run *run, const struct eng_source *s);

/* The joint rule: after an answer or a timeout, set run->joint_stop when
 * another round is not worth its wait. */
void POL_joint_check(struct eng_run *run);

#endif

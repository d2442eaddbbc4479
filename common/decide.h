/* decide: what ntpupdate does with a run's result (step, slew, nothing,
 * refuse), in one place so ntpquery reports exactly what ntpupdate would
 * do. */
#ifndef DECIDE_H
#define DECIDE_H

#include <stddef.h>
#include <time.h>

#include "select.h"

#define DEC_STEP_THRESHOLD 0.5 /* |offset| at or above this steps */

enum dec_action {
	DEC_NONE = 0, /* no usable answer: nothing to do */
	DEC_STEP,
	DEC_SLEW,
	DEC_REFUSE,   /* an answer, but a safety limit forbids using it */
};

struct dec_policy {
	int force_step;    /* -b */
	int force_slew;    /* -B */
	double max_step;   /* --max-step; < 0: none.  Not applied while the
			    * local clock is before floor (known wrong) */
	long long floor;   /* never set the clock before this Unix time */
};

struct dec_result {
	enum dec_action action;
	int step;          /* the change would be a step (else a slew) */
	double offset;
	char reason[160];  /* why refused or none */
};

/* The policy both tools start from: no -b/-B, --max-step as given (< 0:
 * none), never before the build date (NTPUPDATE_BUILD_EPOCH). */
void DEC_policy_init(struct dec_policy *p, double max_step);

/* Decide from a selection result (have_result: a majority agreed; else
 * only r->n_usable is read); now is the current real time. */
void DEC_decide(const struct sel_result *r, int have_result, const struct dec_policy *p,
    const struct timespec *now, struct dec_result *d);

/* "step", "slew", "nothing", "refuse". */
const char *DEC_action_name(enum dec_action a);

#endif

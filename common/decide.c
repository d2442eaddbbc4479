/* decide: step, slew, nothing or refuse. */
#include "decide.h"

#include <math.h>
#include <stdio.h>

#include "clock.h"
#include "version.h"

void
DEC_policy_init(struct dec_policy *p, double max_step)
{
	p->force_step = 0;
	p->force_slew = 0;
	p->max_step = max_step;
	p->floor = NTPUPDATE_BUILD_EPOCH;
}

void
DEC_decide(const struct sel_result *r, int have_result, const struct dec_policy *p,
    const struct timespec *now, struct dec_result *d)
{
	double off;

	d->reason[0] = '\0';
	d->offset = 0;
	d->step = 0;
	if (!have_result) {
		d->action = DEC_NONE;
		if (r->n_usable >= 2)
			snprintf(d->reason, sizeof(d->reason),
			    "no majority of the %zu answering servers agrees", r->n_usable);
		else
			snprintf(d->reason, sizeof(d->reason), "no usable server");
		return;
	}
	off = r->offset;
	d->offset = off;
	d->step = p->force_step || (!p->force_slew && fabs(off) >= DEC_STEP_THRESHOLD);
	d->action = d->step ? DEC_STEP : DEC_SLEW;
	if (!isfinite(off)) {
		d->action = DEC_REFUSE;
		snprintf(d->reason, sizeof(d->reason), "offset is not a finite number");
	} else if (p->max_step >= 0 && fabs(off) > p->max_step && (double)now->tv_sec >= (double)p->floor) {
		/* --max-step guards a clock that is roughly right.  One before
		 * the build date is known wrong (a dead hardware clock, years
		 * behind): the limit would refuse exactly the machine that
		 * needs the step, and the floor below still keeps the result
		 * itself from being before the build date. */
		d->action = DEC_REFUSE;
		snprintf(d->reason, sizeof(d->reason), "%+.6f s is more than --max-step %g s", off,
		    p->max_step);
	} else if (!d->step && fabs(off) > CLK_SLEW_MAX) {
		d->action = DEC_REFUSE;
		snprintf(d->reason, sizeof(d->reason),
		    "%+.6f s is beyond the kernel's slew range (%g s; at 500 ppm that takes %.0f days): "
		    "step it (without -B)", off, CLK_SLEW_MAX, CLK_SLEW_MAX / CLK_SLEW_RATE / 86400);
	} else if ((double)now->tv_sec + off < (double)p->floor) {
		d->action = DEC_REFUSE;
		snprintf(d->reason, sizeof(d->reason),
		    "the result (%+.6f s) is before this program was built", off);
	}
}

const char *
DEC_action_name(enum dec_action a)
{
	switch (a) {
	case DEC_NONE: return "nothing";
	case DEC_STEP: return "step";
	case DEC_SLEW: return "slew";
	case DEC_REFUSE: return "refuse";
	}
	return "?";
}

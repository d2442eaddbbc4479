/* report: how a run is shown to people and programs: the chronyc-style
 * sources table and its legend, every field of every packet (-v), and
 * one JSON document (-j).  Both tools use it; it never changes a run. */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "decide.h"
#include "engine.h"

/* Signed interval with an auto-scaled unit, 7 wide: " +236us", "+3600s". */
void REP_fmt_signed(double seconds, char *buf, size_t len);

/* Unsigned interval with an auto-scaled unit, 6 wide: "  34ms". */
void REP_fmt_unsigned(double seconds, char *buf, size_t len);

/* The state column: '*', '+', '-', 'x' or '?'. */
char REP_state_char(const struct eng_run *run, const struct eng_source *s);

/* Reach register: a shift register of this run's requests, the oldest in
 * the highest bit, 1 = answered with a good sample. */
unsigned REP_reach(const struct eng_source *s);

/* The Poll column: log2 of the spacing between requests. */
int REP_poll(const struct eng_run *run);

/* The column legend, as `chronyc sources -v` prints it. */
void REP_legend(FILE *f);

/* The server argument a source came from, as given. */
const char *REP_given(const struct eng_run *run, const struct eng_source *s);

/* The sources table (header, rule, one row per source) as of now.
 * numeric: show addresses instead of the names as given; rows of a name
 * with several addresses show the address beside the name. */
void REP_table(FILE *f, const struct eng_run *run, int numeric, const struct timespec *now);

/* The one-line summary under the table. */
void REP_summary(FILE *f, const struct eng_run *run, const struct dec_result *d);

/* Every sample and every field of the best reply of one source. */
void REP_source_detail(FILE *f, const struct eng_run *run, const struct eng_source *s);

/* The whole run as one JSON document, as of now, from program. */
void REP_json(FILE *f, const struct eng_run *run, const struct dec_result *d, int numeric,
    const struct timespec *now, const char *program);

/* What became of one request ("ok", "no reply (timeout)", ...). */
void REP_request_text(const struct eng_request *r, char *buf, size_t len);

/* One line saying why a source gave no usable estimate, or what became
 * of it in the selection. */
void REP_source_reason(const struct eng_run *run, const struct eng_source *s, char *buf,
    size_t len);

/* What went wrong with a name ("cannot resolve X: timed out", addresses
 * left out); empty when nothing did. */
void REP_name_text(const struct eng_run *run, const struct eng_name *nm, char *buf, size_t len);

/* x as it will print with that many decimals, never as "-0.000000". */
double REP_no_minus_zero(double x, int decimals);

/* A delay for ntpdate's "delay %.5f": rounded up to 10 us, so a server
 * that answered never shows 0.00000 (what a dead one shows) and the
 * figure is an upper bound at the printed resolution. */
double REP_ntpdate_delay(double delay);

/* What ntpupdate did, for its -j document. */
struct rep_done {
	const char *action;   /* "step", "slew", "query" (-q: nothing set),
			       * "refused", "failed", "daemon", "locked", "no-server" */
	int changed;          /* the clock call was made and succeeded */
	int have_offset;
	double offset;        /* the change made or refused */
	double bound;         /* its error bound */
	int exit_code;
	const char *error;    /* the one-line reason, or NULL */
	const char *const *daemons; /* other time daemons found */
	size_t n_daemons;
};

/* s as a JSON string, quoted; '"', '\\' and every byte outside
 * printable ASCII escaped (\uXXXX of the byte). */
void REP_json_str(FILE *f, const char *s);

/* ntpupdate's run as one JSON document, as of now: REP_json's members
 * (run NULL: none, the run never started), then "clock": what was done. */
void REP_json_update(FILE *f, const struct eng_run *run, const struct dec_result *d,
    const struct timespec *now, const struct rep_done *done);

/* Meaning of a leap indicator value. */
const char *REP_leap_text(unsigned leap);

/* Reference ID as text, with what kind it is ("ipv4", "ascii", "kiss",
 * "none").  out must hold 64 bytes. */
const char *REP_refid(const struct pkt *p, char *out, size_t len);

/* A source's authentication: replies verified and refused, the last
 * reason (enum auth_fail).  Returns 0 when it has none. */
int REP_auth_counts(const struct eng_source *s, unsigned *verified, unsigned *failed, int *last_fail);

/* One line: "symmetric key 5 (AES128): 4 replies verified". */
void REP_auth_text(const struct eng_source *s, char *buf, size_t len);

#endif

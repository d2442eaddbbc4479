/* report: table, legend, packet details, JSON. */
#include "report.h"
#include "auth_key.h"
#include "version.h"

#include <netdb.h>
#include <math.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <bsd/string.h>

#define NAME_WIDTH 27 /* the Name/IP address column */

/* x in the largest of ns, us, ms, s that keeps it to four digits, as
 * chronyc prints it: signed 7 wide, or unsigned 6 wide. */
static void
fmt_scaled(double x, int sign, char *buf, size_t len)
{
	static const struct {
		double scale;
		const char *unit;
	} u[] = { { 1e9, "ns" }, { 1e6, "us" }, { 1e3, "ms" } };
	size_t i;

	if (!sign)
		x = fabs(x);
	if (!isfinite(x)) {
		snprintf(buf, len, "%*s", sign ? 7 : 6, "nan");
		return;
	}
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (fabs(x) * u[i].scale < 9999.5) {
			snprintf(buf, len, sign ? "%+5.0f%s" : "%4.0f%s", x * u[i].scale, u[i].unit);
			return;
		}
	snprintf(buf, len, sign ? "%+6.0fs" : "%5.0fs", x);
}

void
REP_fmt_signed(double x, char *buf, size_t len)
{
	fmt_scaled(x, 1, buf, len);
}

void
REP_fmt_unsigned(double x, char *buf, size_t len)
{
	fmt_scaled(x, 0, buf, len);
}

char
REP_state_char(const struct eng_run *run, const struct eng_source *s)
{
	if (!s->have_est)
		return '?';
	switch (ENG_cand(run, s)->verdict) {
	case SEL_SYSPEER: return '*';
	case SEL_COMBINED: return '+';
	case SEL_OUTLIER: return '-';
	case SEL_FALSETICKER: return 'x';
	case SEL_UNUSABLE: break;
	}
	return '?';
}

unsigned
REP_reach(const struct eng_source *s)
{
	unsigned r = 0;
	size_t i;

	for (i = 0; i < s->n_req; i++)
		r = (r << 1) | (s->req[i].outcome == REQ_OK);
	return r & 0xff;
}

int
REP_poll(const struct eng_run *run)
{
	double g = ENG_spacing(run);

	if (g <= 0)
		return 0;
	return (int)lround(log2(g));
}

void
REP_legend(FILE *f)
{
	fputs("  .-- Source mode  '^' = server\n"
	      " / .- Source state '*' = best source, '+' = combined into the result,\n"
	      "| /                '-' = not combined (clustering), 'x' = falseticker,\n"
	      "||                 '?' = unusable (no reply or rejected).\n"
	      "||                                                .- xxxx [ yyyy ] +/- zzzz\n"
	      "||      Reachability register (octal) ----.       |  xxxx = filter's offset,\n"
	      "||      Log2(request spacing) -------.    |       |  yyyy = latest sample,\n"
	      "||                                   |    |       |  zzzz = error bound\n"
	      "||                                   |    |        \\ (positive: server ahead)\n",
	    f);
}

const char *
REP_given(const struct eng_run *run, const struct eng_source *s)
{
	return ENG_name_of(run, s)->srv.given;
}

/* the address, with the port when it is not the NTP port */
static const char *
short_addr(const struct eng_source *s)
{
	size_t n = strlen(s->addr_port);

	return n > 4 && strcmp(s->addr_port + n - 4, ":" CLI_DEFAULT_PORT) == 0 ? s->addr : s->addr_port;
}

static const char *
display_name(const struct eng_run *run, const struct eng_source *s, int numeric, char *buf,
    size_t len)
{
	const struct eng_name *nm = ENG_name_of(run, s);

	if (s->end == END_UNRESOLVED)
		strlcpy(buf, nm->srv.given, len);
	else if (numeric)
		strlcpy(buf, short_addr(s), len);
	else if (nm->n_addrs - nm->n_dup > 1)
		/* rows of one name told apart: the address first, so a cut
		 * to the column's width keeps it */
		snprintf(buf, len, "%s (%s)", short_addr(s), nm->srv.given);
	else
		strlcpy(buf, nm->srv.given, len);
	return buf;
}

/* ---- authentication ------------------------------------------------ */

int
REP_auth_counts(const struct eng_source *s, unsigned *verified, unsigned *failed, int *last_fail)
{
	size_t i;

	*verified = *failed = 0;
	*last_fail = AUTH_OK;
	if (s->auth == NULL || s->auth == &AUTH_none)
		return 0;
	for (i = 0; i < s->n_req; i++) {
		const struct eng_request *r = &s->req[i];
		if (r->have_reply && !(r->tests & PKT_T_AUTH) && r->outcome != REQ_NOAUTH)
			(*verified)++;
		if (r->tests & PKT_T_AUTH) {
			(*failed)++;
			*last_fail = r->auth_fail;
		}
		if (r->ignored_tests & PKT_T_AUTH) {
			(*failed)++;
			*last_fail = r->ignored_auth;
		}
	}
	return 1;
}

/* What the source's method says of itself (the key it uses). */
static void
auth_describe(const struct eng_source *s, int brief, char *buf, size_t len)
{
	if (s->auth == &AUTH_key)
		AKEY_describe(s->auth_ctx, brief, buf, len);
	else if (len > 0)
		buf[0] = '\0';
}

void
REP_auth_text(const struct eng_source *s, char *buf, size_t len)
{
	unsigned ok, bad;
	int last;
	char d[96] = "";

	if (!REP_auth_counts(s, &ok, &bad, &last)) {
		snprintf(buf, len, "none");
		return;
	}
	auth_describe(s, 0, d, sizeof(d));
	if (bad > 0)
		snprintf(buf, len, "%s %s: %u repl%s verified, %u refused (%s)", s->auth->name, d, ok,
		    ok == 1 ? "y" : "ies", bad, AUTH_fail_name(last));
	else
		snprintf(buf, len, "%s %s: %u repl%s verified", s->auth->name, d, ok, ok == 1 ? "y" : "ies");
}

/* The name column with the source's authentication tag ("#5", and '!'
 * when a reply failed the check) kept visible at its end. */
static void
auth_tag_name(const struct eng_source *s, char *name, size_t len)
{
	unsigned ok, bad;
	int last;
	char tag[24] = "";
	size_t tl, room;

	if (!REP_auth_counts(s, &ok, &bad, &last))
		return;
	auth_describe(s, 1, tag, sizeof(tag) - 1);
	if (bad > 0)
		strlcat(tag, "!", sizeof(tag));
	tl = strlen(tag);
	room = NAME_WIDTH > tl ? NAME_WIDTH - tl : 0;
	if (strlen(name) > room && room < len)
		name[room] = '\0';
	strlcat(name, tag, len);
}

void
REP_table(FILE *f, const struct eng_run *run, int numeric, const struct timespec *now)
{
	size_t i;

	fputs("MS Name/IP address         Stratum Poll Reach LastRx Last sample\n"
	      "===============================================================================\n",
	    f);
	for (i = 0; i < run->n_src; i++) {
		const struct eng_source *s = &run->src[i];
		char name[CLI_HOST_MAX + 128], lastrx[16], a[16], b[16], c[16];
		double chosen = 0, latest = 0, bound = 0;
		int stratum = 0;

		display_name(run, s, numeric, name, sizeof(name));
		auth_tag_name(s, name, sizeof(name));
		if (strlen(name) > NAME_WIDTH)
			name[NAME_WIDTH] = '\0';
		if (s->n_samples > 0) {
			double age = NTT_timespec_diff(now, &s->last_rx);
			snprintf(lastrx, sizeof(lastrx), "%4.0f", age < 0 ? 0 : floor(age));
			latest = s->samples[s->n_samples - 1].offset;
			stratum = s->samples[s->n_samples - 1].stratum;
		} else {
			snprintf(lastrx, sizeof(lastrx), "%4s", "-");
		}
		if (s->have_est) {
			chosen = s->est.offset;
			bound = s->est.root_distance;
		}
		REP_fmt_signed(chosen, a, sizeof(a));
		REP_fmt_signed(latest, b, sizeof(b));
		REP_fmt_unsigned(bound, c, sizeof(c));
		fprintf(f, "^%c %-*s  %2d  %2d   %3o  %s  %s[%s] +/- %s\n", REP_state_char(run, s),
		    NAME_WIDTH, name,
		    stratum, REP_poll(run), REP_reach(s), lastrx, a, b, c);
	}
}

/* Did the source answer at all (accepted or not)? */
static int
replied(const struct eng_source *s)
{
	size_t i;

	for (i = 0; i < s->n_req; i++)
		if (s->req[i].have_reply)
			return 1;
	return 0;
}

void
REP_summary(FILE *f, const struct eng_run *run, const struct dec_result *d)
{
	size_t usable = 0, i;

	for (i = 0; i < run->n_src; i++)
		usable += replied(&run->src[i]);
	if (!run->have_result) {
		fprintf(f, "Result: no answer (%s): %zu of %zu sources replied; ntpupdate would do nothing.\n",
		    d->reason, usable, run->n_src);
		return;
	}
	fprintf(f, "Result: offset %+.6f s +/- %.6f s, %zu of %zu sources agree; ntpupdate would ",
	    run->result.offset, run->result.bound, run->result.n_true, run->n_src);
	if (d->action == DEC_REFUSE)
		fprintf(f, "refuse: %s.\n", d->reason);
	else
		fprintf(f, "%s the clock.\n", d->action == DEC_STEP ? "step" : "slew");
}

const char *
REP_leap_text(unsigned leap)
{
	switch (leap) {
	case 0: return "no warning";
	case 1: return "last minute of the day has 61 seconds";
	case 2: return "last minute of the day has 59 seconds";
	case 3: return "unsynchronised";
	}
	return "?";
}

const char *
REP_refid(const struct pkt *p, char *out, size_t len)
{
	char a[5];

	if (p->refid == 0) {
		out[0] = '\0'; /* empty is shown as empty */
		return "none";
	}
	if (p->stratum == 0) {
		PKT_refid_ascii(p, a);
		snprintf(out, len, "%s", a);
		return "kiss";
	}
	if (p->stratum == 1) {
		PKT_refid_ascii(p, a);
		snprintf(out, len, "%s", a);
		return "ascii";
	}
	if (p->stratum >= 16) {
		PKT_refid_ascii(p, a);
		snprintf(out, len, "%s", a);
		return "none";
	}
	if (inet_ntop(AF_INET, &p->refid, out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
	return "ipv4";
}

static const char *
stratum_text(unsigned s)
{
	if (s == 0)
		return "unspecified or Kiss-o'-Death";
	if (s == 1)
		return "primary reference";
	if (s < 16)
		return "secondary reference";
	return "unsynchronised";
}

static void
utc(NTP_ts t, time_t pivot, char *buf, size_t len)
{
	if (NTT_is_zero(t)) {
		snprintf(buf, len, "0 (unknown)");
		return;
	}
	NTT_format_ts(t, pivot, buf, len);
	strlcat(buf, " UTC", len);
}

static void
detail_reply(FILE *f, const struct eng_run *run, const struct pkt *p)
{
	char buf[96], refid[64];
	const char *kind = REP_refid(p, refid, sizeof(refid));
	time_t pivot = run->start_real.tv_sec;

	fprintf(f, "    Leap indicator   : %u (%s)\n", p->leap, REP_leap_text(p->leap));
	fprintf(f, "    Version          : %u\n", p->version);
	fprintf(f, "    Mode             : %u (%s)\n", p->mode, p->mode == 4 ? "server" : "not a server reply");
	fprintf(f, "    Stratum          : %u (%s)\n", p->stratum, stratum_text(p->stratum));
	fprintf(f, "    Poll             : %d (2^%d s)\n", p->poll, p->poll);
	fprintf(f, "    Precision        : %d (2^%d = %.9f s)\n", p->precision, p->precision,
	    NTT_log2_to_double(p->precision));
	fprintf(f, "    Root delay       : %.6f s\n", NTT_short_to_double(p->root_delay));
	fprintf(f, "    Root dispersion  : %.6f s\n", NTT_short_to_double(p->root_disp));
	if (strcmp(kind, "kiss") == 0)
		fprintf(f, "    Reference ID     : %s (kiss code)\n", refid);
	else if (strcmp(kind, "ascii") == 0)
		fprintf(f, "    Reference ID     : %s (reference clock)\n", refid);
	else if (strcmp(kind, "none") == 0)
		fprintf(f, "    Reference ID     : %s\n", refid);
	else
		fprintf(f, "    Reference ID     : %s (upstream IPv4 address; an IPv6 upstream "
		    "appears as a hash)\n", refid);
	utc(p->ref, pivot, buf, sizeof(buf));
	if (!NTT_is_zero(p->ref) && !NTT_is_zero(p->xmt))
		fprintf(f, "    Reference time   : %s (age %.3f s by the server's clock)\n", buf,
		    NTT_diff(p->xmt, p->ref));
	else
		fprintf(f, "    Reference time   : %s\n", buf);
	utc(p->org, pivot, buf, sizeof(buf));
	fprintf(f, "    Origin           : %08x.%08x (our random transmit value)\n", NTT_sec(p->org),
	    NTT_frac(p->org));
	utc(p->rec, pivot, buf, sizeof(buf));
	fprintf(f, "    Receive          : %s\n", buf);
	utc(p->xmt, pivot, buf, sizeof(buf));
	fprintf(f, "    Transmit         : %s\n", buf);
	if (p->n_ext || p->mac_len)
		fprintf(f, "    Trailer          : %zu extension field(s), %zu byte MAC\n", p->n_ext, p->mac_len);
}

/* The reply to show in detail: the chosen sample's, else the last one. */
static const struct eng_request *
best_request(const struct eng_source *s)
{
	size_t i;
	const struct eng_request *last = NULL;

	for (i = 0; i < s->n_req; i++) {
		if (s->have_est && s->req[i].outcome == REQ_OK && s->req[i].sample == s->est.best)
			return &s->req[i];
		if (s->req[i].have_reply)
			last = &s->req[i];
	}
	return last;
}

void
REP_source_detail(FILE *f, const struct eng_run *run, const struct eng_source *s)
{
	char reason[256], t[4][64];
	const struct eng_request *b;
	size_t i, k;
	time_t pivot = run->start_real.tv_sec;

	fprintf(f, "\nSource %s (given as %s)\n", s->addr_port, REP_given(run, s));
	for (i = 0; i < s->n_req; i++) {
		const struct eng_request *r = &s->req[i];
		if (r->outcome != REQ_OK) {
			REP_request_text(r, reason, sizeof(reason));
			fprintf(f, "  Request %zu: %s\n", i + 1, reason);
			continue;
		}
		{
			const struct flt_sample *x = &s->samples[r->sample];
			NTP_ts ts[4] = { x->t1, x->t2, x->t3, x->t4 };
			for (k = 0; k < 4; k++)
				utc(ts[k], pivot, t[k], sizeof(t[k]));
			fprintf(f, "  Request %zu: offset %+.9f s, delay %.9f s, dispersion %.9f s\n", i + 1,
			    x->offset, x->delay, x->disp);
			fprintf(f, "    T1 %s  (client transmit)\n", t[0]);
			fprintf(f, "    T2 %s  (server receive)\n", t[1]);
			fprintf(f, "    T3 %s  (server transmit)\n", t[2]);
			fprintf(f, "    T4 %s  (client receive, %s)\n", t[3],
			    r->kernel_ts ? "kernel timestamp" : "user-space timestamp");
		}
	}
	b = best_request(s);
	if (b != NULL) {
		fprintf(f, "  %s reply:\n", b->outcome == REQ_OK ? "Best" : "Last");
		detail_reply(f, run, &b->reply);
		if (b->tests) {
			unsigned bit;
			fprintf(f, "  Sanity checks failed:\n");
			for (bit = 1; bit != 0 && bit <= b->tests; bit <<= 1)
				if (b->tests & bit)
					fprintf(f, "    %-16s : %s\n", PKT_test_name(bit), PKT_test_text(bit));
		} else {
			fprintf(f, "  Sanity checks    : all passed\n");
		}
	}
	if (s->auth != NULL && s->auth != &AUTH_none) {
		REP_auth_text(s, reason, sizeof(reason));
		fprintf(f, "  Authentication   : %s\n", reason);
	}
	if (s->have_est)
		fprintf(f, "  Filter           : %s estimator, offset %+.9f s, delay %.9f s, jitter %.9f s, "
		    "error bound %.9f s%s\n", FLT_estimator_name(s->est.estimator), s->est.offset,
		    s->est.delay, s->est.jitter, s->est.root_distance, s->est.flags & FLT_F_INCONSISTENT ?
		    "; samples inconsistent: only the newest used" : "");
	REP_source_reason(run, s, reason, sizeof(reason));
	fprintf(f, "  Verdict          : %s\n", reason);
}

/* ---- what became of requests and sources, in words ---------------- */

static const char *
kiss_name(int k)
{
	switch (k) {
	case PKT_KISS_DENY: return "DENY";
	case PKT_KISS_RSTR: return "RSTR";
	case PKT_KISS_RATE: return "RATE";
	}
	return "?";
}

/* The first (lowest) set bit of a test mask. */
static unsigned
first_test(unsigned mask)
{
	return mask & -mask;
}

/* Why the datagrams that came were not the answer. */
static void
ignored_text(const struct eng_request *r, char *buf, size_t len)
{
	if (r->ignored_tests & PKT_T_AUTH)
		snprintf(buf, len, "authentication failed: %s", AUTH_fail_name(r->ignored_auth));
	else if (r->ignored_tests & PKT_T_FORMAT)
		snprintf(buf, len, "%s", PKT_decode_strerror(r->ignored_decode));
	else
		snprintf(buf, len, "wrong origin timestamp");
}

void
REP_request_text(const struct eng_request *r, char *buf, size_t len)
{
	char t[160], why[96];
	unsigned first;

	switch (r->outcome) {
	case REQ_PENDING:
		snprintf(buf, len, "pending");
		break;
	case REQ_OK:
		snprintf(buf, len, "ok");
		break;
	case REQ_TIMEOUT:
		if (r->ignored > 0) {
			ignored_text(r, why, sizeof(why));
			snprintf(buf, len, "no valid reply (%u ignored: %s)", r->ignored, why);
		} else {
			snprintf(buf, len, "no reply (timeout)");
		}
		break;
	case REQ_REJECTED:
		PKT_tests_format(r->tests, t, sizeof(t));
		first = first_test(r->tests);
		if (first == PKT_T_STRATUM && r->have_reply)
			snprintf(buf, len, "rejected [%s]: %s, stratum %u", t, PKT_test_text(first),
			    r->reply.stratum);
		else if (first == PKT_T_AUTH)
			snprintf(buf, len, "rejected [%s]: %s: %s", t, PKT_test_text(first),
			    AUTH_fail_name(r->auth_fail));
		else
			snprintf(buf, len, "rejected [%s]: %s", t, PKT_test_text(first));
		break;
	case REQ_KOD: {
		char code[5];
		PKT_refid_ascii(&r->reply, code);
		snprintf(buf, len, "Kiss-o'-Death %s", code);
		break;
	}
	case REQ_REFUSED:
		snprintf(buf, len, "port unreachable (ICMP)");
		break;
	case REQ_NETERR:
		snprintf(buf, len, "network error: %s", strerror(r->err));
		break;
	case REQ_NOAUTH:
		snprintf(buf, len, "no authenticated request could be made");
		break;
	}
}

void
REP_name_text(const struct eng_run *run, const struct eng_name *nm, char *buf, size_t len)
{
	const char *fam = run->cfg.family == AF_INET ? "IPv4" : run->cfg.family == AF_INET6 ? "IPv6" : NULL;

	switch (nm->state) {
	case NAME_TIMEOUT:
		snprintf(buf, len, "cannot resolve %s: timed out", nm->srv.host);
		return;
	case NAME_FAILED:
		if (nm->gai_err == EAI_SYSTEM || nm->gai_err == 0)
			snprintf(buf, len, "cannot resolve %s: %s", nm->srv.host, strerror(nm->sys_err));
		else if (fam != NULL && (nm->gai_err == EAI_NONAME || nm->gai_err == EAI_ADDRFAMILY ||
		    nm->gai_err == EAI_NODATA))
			snprintf(buf, len, "cannot resolve %s: no %s address", nm->srv.host, fam);
		else
			snprintf(buf, len, "cannot resolve %s: %s", nm->srv.host, gai_strerror(nm->gai_err));
		return;
	case NAME_RESOLVED:
		if (nm->n_cut > 0) {
			snprintf(buf, len, "%s: %zu of its %zu addresses not queried (at most %d sources)",
			    nm->srv.given, nm->n_cut, nm->n_addrs + nm->n_cut, ENG_MAX_SOURCES);
			return;
		}
		break;
	case NAME_PENDING:
		break;
	}
	buf[0] = '\0';
}

void
REP_source_reason(const struct eng_run *run, const struct eng_source *s, char *buf, size_t len)
{
	size_t i, timeouts = 0;
	const struct eng_request *rej = NULL;
	const struct sel_cand *c = ENG_cand(run, s);

	if (s->have_est) {
		switch (c->verdict) {
		case SEL_SYSPEER:
			snprintf(buf, len, "selected: best source");
			return;
		case SEL_COMBINED:
			snprintf(buf, len, "selected: combined into the result");
			return;
		case SEL_OUTLIER:
			snprintf(buf, len, "not combined: dropped by clustering");
			return;
		case SEL_FALSETICKER:
			if (run->have_result)
				snprintf(buf, len, "falseticker: its interval [%+.6f, %+.6f] misses "
				    "the majority's [%+.6f, %+.6f]", c->lo,
				    c->hi, run->result.low, run->result.high);
			else
				snprintf(buf, len, "no majority: the servers disagree");
			return;
		case SEL_UNUSABLE:
			break;
		}
	}
	switch (s->end) {
	case END_UNRESOLVED:
		if (s->state == SRC_DONE && ENG_name_of(run, s)->state != NAME_RESOLVED) {
			REP_name_text(run, ENG_name_of(run, s), buf, len);
			return;
		}
		snprintf(buf, len, "cannot resolve the NTP server named by the %s: %s",
		    s->stage != NULL ? s->stage->name : "pre-request stage",
		    s->gai_err && s->gai_err != EAI_SYSTEM ? gai_strerror(s->gai_err) : strerror(s->sys_err));
		return;
	case END_NETERR:
		snprintf(buf, len, "network error: %s", strerror(s->end_err));
		return;
	case END_REFUSED:
		snprintf(buf, len, "port unreachable (ICMP): no NTP server there");
		return;
	case END_DENIED:
		snprintf(buf, len, "access denied (Kiss-o'-Death %s)", kiss_name(s->kiss));
		return;
	case END_RATE:
		snprintf(buf, len, "rate limited (Kiss-o'-Death RATE): no more requests this run");
		return;
	case END_STAGE:
		if (s->stage != NULL && s->stage->describe != NULL)
			s->stage->describe(s->stage_ctx, buf, len);
		else
			snprintf(buf, len, "the pre-request stage failed");
		return;
	case END_NOAUTH:
		snprintf(buf, len, "no authenticated request could be made (%s)",
		    s->auth != NULL ? s->auth->name : "?");
		return;
	case END_NAK:
		snprintf(buf, len, "NTS NAK: the server refused our cookie");
		return;
	case END_DEADLINE:
		snprintf(buf, len, "not ready before the run's deadline");
		return;
	case END_UNSYNC:
	case END_REJECTED:
	case END_NONE:
		break;
	}
	for (i = 0; i < s->n_req; i++) {
		if (s->req[i].outcome == REQ_TIMEOUT)
			timeouts++;
		else if (s->req[i].outcome == REQ_REJECTED)
			rej = &s->req[i];
	}
	if (rej != NULL) {
		REP_request_text(rej, buf, len);
		return;
	}
	if (s->n_req > 0 && timeouts == s->n_req) {
		for (i = 0; i < s->n_req; i++)
			if (s->req[i].ignored > 0) {
				char t[160];
				REP_request_text(&s->req[i], t, sizeof(t));
				snprintf(buf, len, "no valid reply to %zu request%s: %s", s->n_req,
				    s->n_req == 1 ? "" : "s", t);
				return;
			}
		snprintf(buf, len, "no reply to %zu request%s%s", s->n_req, s->n_req == 1 ? "" : "s",
		    s->auth == &AUTH_key ? " (a keyed server drops requests whose MAC it cannot "
		    "verify: check the key ID and the key)" : "");
		return;
	}
	snprintf(buf, len, "no usable reply");
}

/* ---- JSON ---------------------------------------------------------- */

void
REP_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
json_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, "%.9g", x);
	else
		fputs("null", f);
}

/* A number when have is set, else null. */
static void
json_opt(FILE *f, int have, double x)
{
	if (have)
		json_num(f, x);
	else
		fputs("null", f);
}

static void
json_time(FILE *f, NTP_ts t, time_t pivot)
{
	char buf[64];

	if (NTT_is_zero(t)) {
		fputs("null", f);
		return;
	}
	NTT_format_ts(t, pivot, buf, sizeof(buf));
	buf[10] = 'T';
	fprintf(f, "\"%sZ\"", buf);
}

/* ", "key": value" pairs: every member of an object but its first. */
static void
kv_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, ", \"%s\": ", key);
	if (v != NULL)
		REP_json_str(f, v);
	else
		fputs("null", f);
}

static void
kv_num(FILE *f, const char *key, double x)
{
	fprintf(f, ", \"%s\": ", key);
	json_num(f, x);
}

static void
kv_opt(FILE *f, const char *key, int have, double x)
{
	fprintf(f, ", \"%s\": ", key);
	json_opt(f, have, x);
}

static void
kv_time(FILE *f, const char *key, NTP_ts t, time_t pivot)
{
	fprintf(f, ", \"%s\": ", key);
	json_time(f, t, pivot);
}

static const char *
outcome_name(enum eng_outcome o)
{
	switch (o) {
	case REQ_PENDING: return "pending";
	case REQ_OK: return "ok";
	case REQ_TIMEOUT: return "timeout";
	case REQ_REJECTED: return "rejected";
	case REQ_KOD: return "kod";
	case REQ_REFUSED: return "refused";
	case REQ_NETERR: return "error";
	case REQ_NOAUTH: return "noauth";
	}
	return "?";
}

static void
json_tests(FILE *f, unsigned mask)
{
	unsigned bit;
	int first = 1;

	fputc('[', f);
	for (bit = 1; bit != 0 && bit <= mask; bit <<= 1)
		if (mask & bit) {
			if (!first)
				fputs(", ", f);
			REP_json_str(f, PKT_test_name(bit));
			first = 0;
		}
	fputc(']', f);
}

static void
json_reply(FILE *f, const struct eng_run *run, const struct pkt *p)
{
	char refid[64];
	const char *kind = REP_refid(p, refid, sizeof(refid));
	time_t pivot = run->start_real.tv_sec;

	fprintf(f, "{\"leap\": %u, \"leap_text\": ", p->leap);
	REP_json_str(f, REP_leap_text(p->leap));
	fprintf(f, ", \"version\": %u, \"mode\": %u, \"stratum\": %u, \"poll\": %d, "
	    "\"precision\": %d, \"precision_seconds\": ", p->version, p->mode, p->stratum, p->poll,
	    p->precision);
	json_num(f, NTT_log2_to_double(p->precision));
	kv_num(f, "root_delay", NTT_short_to_double(p->root_delay));
	kv_num(f, "root_dispersion", NTT_short_to_double(p->root_disp));
	kv_str(f, "refid", refid);
	kv_str(f, "refid_kind", kind);
	kv_time(f, "reference_time", p->ref, pivot);
	kv_opt(f, "reference_age", !NTT_is_zero(p->ref) && !NTT_is_zero(p->xmt), NTT_diff(p->xmt, p->ref));
	fprintf(f, ", \"origin\": \"%08x.%08x\"", NTT_sec(p->org), NTT_frac(p->org));
	kv_time(f, "receive", p->rec, pivot);
	kv_time(f, "transmit", p->xmt, pivot);
	fputc('}', f);
}

/* ", "auth": ..." of a source: null without authentication. */
static void
json_auth(FILE *f, const struct eng_source *s)
{
	unsigned ok, bad;
	int last;
	char d[96] = "";

	fputs(", \"auth\": ", f);
	if (!REP_auth_counts(s, &ok, &bad, &last)) {
		fputs("null", f);
		return;
	}
	fputs("{\"method\": ", f);
	REP_json_str(f, s->auth->name);
	auth_describe(s, 0, d, sizeof(d));
	kv_str(f, "detail", d);
	if (s->n_req > 0 && s->req[0].areq.key_id != 0)
		fprintf(f, ", \"key_id\": %u", (unsigned)s->req[0].areq.key_id);
	fprintf(f, ", \"verified\": %u, \"refused\": %u", ok, bad);
	kv_str(f, "last_failure", bad > 0 ? AUTH_fail_name(last) : NULL);
	fputc('}', f);
}

/* The members of a run's document, for ntpquery's and ntpupdate's;
 * the caller closes the object. */
static void
json_run(FILE *f, const struct eng_run *run, const struct dec_result *d, int numeric,
    const struct timespec *now, const char *program)
{
	size_t i, j, usable = 0;
	time_t pivot = run->start_real.tv_sec;
	char buf[256], st[2] = { 0, 0 };

	fputs("{\n  \"program\": ", f);
	REP_json_str(f, program);
	fputs(",\n  \"version\": \"" NTPUPDATE_VERSION "\",\n  \"time\": ", f);
	json_time(f, NTT_from_timespec(&run->start_real), pivot);
	fputs(",\n  \"offset_sign\": \"positive: server ahead of the local clock\",\n  \"sources\": [", f);
	for (i = 0; i < run->n_src; i++) {
		const struct eng_source *s = &run->src[i];
		const struct eng_request *b = best_request(s);
		usable += replied(s);
		fputs(i ? ",\n    {" : "\n    {", f);
		fputs("\"name\": ", f);
		REP_json_str(f, display_name(run, s, numeric, buf, sizeof(buf)));
		kv_str(f, "given", REP_given(run, s));
		kv_str(f, "address", s->addr);
		kv_str(f, "address_port", s->addr_port);
		st[0] = REP_state_char(run, s);
		kv_str(f, "state", st);
		kv_str(f, "verdict", s->have_est ? SEL_verdict_name(ENG_cand(run, s)->verdict) : "unusable");
		REP_source_reason(run, s, buf, sizeof(buf));
		kv_str(f, "reason", buf);
		fprintf(f, ", \"usable\": %s, \"stratum\": %d, \"poll\": %d, \"reach\": %u, \"requests_sent\": %zu",
		    s->have_est && (ENG_cand(run, s)->verdict >= SEL_OUTLIER) ? "true" : "false",
		    s->n_samples ? s->samples[s->n_samples - 1].stratum : 0, REP_poll(run), REP_reach(s),
		    s->n_req);
		kv_opt(f, "last_rx", s->n_samples > 0, NTT_timespec_diff(now, &s->last_rx));
		kv_opt(f, "offset", s->have_est, s->est.offset);
		kv_opt(f, "latest_offset", s->n_samples > 0,
		    s->n_samples > 0 ? s->samples[s->n_samples - 1].offset : 0);
		kv_opt(f, "delay", s->have_est, s->est.delay);
		kv_opt(f, "jitter", s->have_est, s->est.jitter);
		kv_opt(f, "error_bound", s->have_est, s->est.root_distance);
		kv_str(f, "estimator", s->have_est ? FLT_estimator_name(s->est.estimator) : NULL);
		json_auth(f, s);
		fputs(",\n     \"requests\": [", f);
		for (j = 0; j < s->n_req; j++) {
			const struct eng_request *r = &s->req[j];
			fputs(j ? ", {" : "{", f);
			fputs("\"outcome\": ", f);
			REP_json_str(f, outcome_name(r->outcome));
			REP_request_text(r, buf, sizeof(buf));
			kv_str(f, "text", buf);
			fputs(", \"failed_tests\": ", f);
			json_tests(f, r->tests);
			fprintf(f, ", \"ignored_replies\": %u", r->ignored);
			if (r->outcome == REQ_OK) {
				const struct flt_sample *x = &s->samples[r->sample];
				kv_time(f, "t1", x->t1, pivot);
				kv_time(f, "t2", x->t2, pivot);
				kv_time(f, "t3", x->t3, pivot);
				kv_time(f, "t4", x->t4, pivot);
				kv_num(f, "offset", x->offset);
				kv_num(f, "delay", x->delay);
				kv_num(f, "dispersion", x->disp);
				fprintf(f, ", \"kernel_timestamp\": %s", r->kernel_ts ? "true" : "false");
			}
			fputc('}', f);
		}
		fputs("],\n     \"reply\": ", f);
		if (b != NULL)
			json_reply(f, run, &b->reply);
		else
			fputs("null", f);
		fputs(", \"failed_tests\": ", f);
		json_tests(f, b != NULL ? b->tests : 0);
		if (s->stage != NULL && s->stage->json != NULL) {
			fputs(",\n     \"stage\": ", f);
			s->stage->json(s->stage_ctx, f);
		}
		fputc('}', f);
	}
	fputs("\n  ],\n  \"result\": {", f);
	fprintf(f, "\"answer\": %s, \"offset\": ", run->have_result ? "true" : "false");
	json_opt(f, run->have_result, run->result.offset);
	kv_opt(f, "error_bound", run->have_result, run->result.bound);
	fprintf(f, ", \"sources\": %zu, \"sources_replied\": %zu, \"sources_agreeing\": %zu, "
	    "\"sources_combined\": %zu",
	    run->n_src, usable, run->have_result ? run->result.n_true : 0,
	    run->have_result ? run->result.n_survivors : 0);
	kv_str(f, "system_peer", run->have_result ? run->src[run->result.sys_peer].addr_port : NULL);
	kv_str(f, "action", DEC_action_name(d->action));
	kv_str(f, "action_reason", d->reason);
	fputc('}', f);
}

void
REP_json(FILE *f, const struct eng_run *run, const struct dec_result *d, int numeric,
    const struct timespec *now, const char *program)
{
	json_run(f, run, d, numeric, now, program);
	fputs("\n}\n", f);
}

double
REP_no_minus_zero(double x, int decimals)
{
	return fabs(x) < pow(10, -decimals) / 2 ? 0.0 : x;
}

double
REP_ntpdate_delay(double delay)
{
	/* the small allowance keeps an exact 0.00002 from becoming 0.00003 */
	return delay > 0 ? ceil(delay * 1e5 - 1e-6) / 1e5 : 0.0;
}

void
REP_json_update(FILE *f, const struct eng_run *run, const struct dec_result *d,
    const struct timespec *now, const struct rep_done *done)
{
	size_t i;

	if (run != NULL)
		json_run(f, run, d, 0, now, "ntpupdate");
	else
		fputs("{\n  \"program\": \"ntpupdate\",\n  \"version\": \"" NTPUPDATE_VERSION "\"", f);
	fputs(",\n  \"clock\": {\"action\": ", f);
	REP_json_str(f, done->action);
	fprintf(f, ", \"changed\": %s", done->changed ? "true" : "false");
	kv_opt(f, "offset", done->have_offset, done->offset);
	kv_opt(f, "error_bound", done->have_offset, done->bound);
	fprintf(f, ", \"exit_code\": %d", done->exit_code);
	kv_str(f, "error", done->error);
	fputs(", \"time_daemons\": [", f);
	for (i = 0; i < done->n_daemons; i++) {
		if (i > 0)
			fputs(", ", f);
		REP_json_str(f, done->daemons[i]);
	}
	fputs("]}\n}\n", f);
}

/* ntpquery: the same measurement as ntpupdate, shown in full and never
 * touching the clock.  options -> engine -> table / -v detail / JSON /
 * monitoring status. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/cli.h"
#include "common/clock.h"
#include "common/decide.h"
#include "common/engine.h"
#include "common/log.h"
#include "common/keyrun.h"
#include "common/report.h"
#include "common/sysops.h"
#include "common/version.h"

/* Exit codes without -w/-c. */
#define EXIT_OK 0
#define EXIT_NOSOURCE 1
#define EXIT_USAGE 2
/* Monitoring-plugin exit codes (with -w or -c). */
#define MON_OK 0
#define MON_WARNING 1
#define MON_CRITICAL 2
#define MON_UNKNOWN 3

struct opts {
	struct cli_common common; /* -4 -6 -p -t --max-step --max-distance --gap */
	int verbose, json, numeric;
	int monitoring;           /* -w or -c given */
	double warn, crit;        /* < 0: not given */
	struct cli_auth auth;     /* -a -k -e -o --keyfile-format */
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	CLI_AUTH_LONGOPTS,
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, 'j' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ntpquery [-46jnv] [-a keyid] [-e authdelay] [-k keyfile] [-o version]\n"
	    "                [-p samples] [-t timeout] [-w seconds] [-c seconds]\n"
	    "                [--max-step seconds] [--max-distance seconds] [--gap ms]\n"
	    "                [--keyfile-format ntpd|chrony] [server[:port][#keyid] ...]\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\n"
	    "Query NTP servers (default %s) and show what each said and why it was\n"
	    "used or rejected.  Never touches the clock; needs no privileges.\n"
	    "server#KEYID authenticates that server with key KEYID.\n\n"
	    CLI_HELP_FAMILY
	    CLI_HELP_AUTH_A
	    CLI_HELP_AUTH_E
	    CLI_HELP_AUTH_K
	    CLI_HELP_AUTH_O
	    CLI_HELP_SAMPLES
	    CLI_HELP_TIMEOUT
	    "  -v, --verbose         legend, every sample and every field of each reply\n"
	    "  -j, --json            one JSON document instead of the table\n"
	    "  -n, --numeric         show addresses instead of the names as given\n"
	    "  -w, --warning SEC     monitoring: WARNING when |offset| > SEC\n"
	    "  -c, --critical SEC    monitoring: CRITICAL when |offset| > SEC\n"
	    "      --max-step SEC    report that ntpupdate --max-step SEC would refuse\n"
	    CLI_HELP_LIMITS
	    "  -h, --help            show this help\n"
	    "  -V, --version         show the version\n"
	    "\n"
	    "Offsets are positive when the server is ahead of the local clock\n"
	    "(chronyc shows the opposite sign).\n\n"
	    "Exit status: 0 at least one usable source, 1 none, 2 usage error,\n"
	    "7 the output could not be written.\n"
	    "With -w or -c: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n",
	    CLI_DEFAULT_SERVER);
}

static int
bad_option(const struct opts *o, const char *opt, const char *err)
{
	char show[64];

	fprintf(stderr, "ntpquery: %s: %s\n", CLI_printable(opt, show, sizeof(show)), err);
	usage(stderr);
	return o->monitoring ? MON_UNKNOWN : EXIT_USAGE;
}

static int
parse_args(int argc, char **argv, struct opts *o, int *first)
{
	char err[160], name[40];
	double d;
	int c, i, r, li;

	CLI_common_defaults(&o->common);
	o->warn = o->crit = -1;
	/* -w/-c change the exit codes of usage errors too: look first */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strncmp(argv[i], "-w", 2) == 0 || strncmp(argv[i], "-c", 2) == 0 ||
		    strncmp(argv[i], "--warning", 9) == 0 || strncmp(argv[i], "--critical", 10) == 0)
			o->monitoring = 1;
	opterr = 0;
	while ((li = -1, c = getopt_long(argc, argv, ":" CLI_COMMON_SHORTOPTS CLI_AUTH_SHORTOPTS "vjnw:c:hV", longopts,
	    &li)) != -1) {
		r = CLI_common_option(&o->common, c, optarg, err, sizeof(err));
		if (r == 0)
			r = CLI_auth_option(&o->auth, c, optarg, err, sizeof(err));
		if (r < 0)
			return bad_option(o, CLI_option_name(c, longopts, li, name, sizeof(name)), err);
		if (r > 0)
			continue;
		switch (c) {
		case 'v':
			o->verbose = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'n':
			o->numeric = 1;
			break;
		case 'w':
			if (CLI_parse_seconds(optarg, 0, 1e9, &d, err, sizeof(err)) < 0)
				return bad_option(o, "-w", err);
			o->warn = d;
			break;
		case 'c':
			if (CLI_parse_seconds(optarg, 0, 1e9, &d, err, sizeof(err)) < 0)
				return bad_option(o, "-c", err);
			o->crit = d;
			break;
		case 'h':
			help();
			exit(0);
		case 'V':
			printf("ntpquery %s\n", NTPUPDATE_VERSION);
			exit(0);
		case ':':
			return bad_option(o, argv[optind - 1], "option requires an argument");
		default:
			return bad_option(o, argv[optind - 1], "unknown option");
		}
	}
	if (o->warn >= 0 && o->crit >= 0 && o->warn > o->crit)
		return bad_option(o, "-w", "warning threshold above the critical one");
	*first = optind;
	return 0;
}

/* Names that did not resolve, or whose addresses were cut: said once. */
static void
warn_names(const struct eng_run *run)
{
	size_t i;
	char t[320];

	for (i = 0; i < run->n_names; i++) {
		REP_name_text(run, &run->names[i], t, sizeof(t));
		if (t[0] != '\0')
			fprintf(stderr, "ntpquery: %s\n", t);
	}
}

/* Monitoring-plugin status line and exit code. */
static int
monitoring(const struct eng_run *run, const struct opts *o)
{
	const char *label[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	char w[32] = "", c[32] = "";
	int st;
	double off;

	if (o->warn >= 0)
		snprintf(w, sizeof(w), "%g", o->warn);
	if (o->crit >= 0)
		snprintf(c, sizeof(c), "%g", o->crit);
	if (!run->have_result) {
		printf("NTP UNKNOWN: no usable source (%zu queried)\n", run->n_src);
		return MON_UNKNOWN;
	}
	off = run->result.offset;
	st = MON_OK;
	if (o->crit >= 0 && fabs(off) > o->crit)
		st = MON_CRITICAL;
	else if (o->warn >= 0 && fabs(off) > o->warn)
		st = MON_WARNING;
	printf("NTP %s: offset %+.6f s +/- %.6f s, %zu of %zu sources agree|offset=%.6fs;%s;%s\n",
	    label[st], off, run->result.bound, run->result.n_true, run->n_src, off, w, c);
	return st;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct eng_config eng;
	struct eng_run run;
	struct sys_world world;
	struct krn keys;
	struct dec_policy pol;
	struct dec_result dec;
	struct timespec now;
	int first = 0, rc, mon;
	size_t k;
	char err[200];

	NET_guard_stdio();
	memset(&o, 0, sizeof(o));
	rc = parse_args(argc, argv, &o, &first);
	if (rc != 0)
		return rc;
	mon = o.warn >= 0 || o.crit >= 0;
	/* keys first: a bad key file is a usage error before anything is sent */
	if (KRN_prepare(&keys, &o.auth, argv + first, argc - first, err, sizeof(err)) < 0) {
		fprintf(stderr, "ntpquery: %s\n", err);
		KRN_free(&keys);
		return mon ? MON_UNKNOWN : EXIT_USAGE;
	}
	if (keys.loaded && keys.kf.loose_mode)
		fprintf(stderr, "ntpquery: warning: key file %s can be read by group or others (mode %04o); "
		    "chmod 600 it\n", keys.path, keys.kf.mode);
	if (SYS_init(&world) < 0) {
		fprintf(stderr, "ntpquery: cannot start: %s\n", strerror(errno));
		KRN_free(&keys);
		return mon ? MON_UNKNOWN : EXIT_NOSOURCE;
	}
	ENG_config_from_cli(&eng, &o.common, NTT_local_precision(), CLK_rate_bound());
	eng.version = o.auth.version;
	eng.max_inflight = NET_socket_budget();
	if (ENG_init(&run, &eng, &world.ops) < 0 ||
	    (run.hooks = (struct eng_hooks){ &keys, KRN_setup },
	    ENG_add_args(&run, keys.args, keys.n_args, err, sizeof(err))) < 0) {
		fprintf(stderr, "ntpquery: %s\n", run.src == NULL ? strerror(ENOMEM) : err);
		ENG_free(&run);
		SYS_free(&world);
		KRN_free(&keys);
		return mon ? MON_UNKNOWN : EXIT_USAGE;
	}
	ENG_run(&run);
	warn_names(&run);
	DEC_policy_init(&pol, o.common.max_step);
	clock_gettime(CLOCK_REALTIME, &now);
	DEC_decide(&run.result, run.have_result, &pol, &now, &dec);

	if (o.json) {
		REP_json(stdout, &run, &dec, o.numeric, &now, "ntpquery");
	} else if (mon && !o.verbose) {
		/* the status line alone, as a monitoring plugin prints it */
	} else {
		if (o.verbose)
			REP_legend(stdout);
		REP_table(stdout, &run, o.numeric, &now);
		REP_summary(stdout, &run, &dec);
		if (o.verbose && keys.loaded) {
			KRN_describe(&keys, err, sizeof(err));
			printf("\n%s\n", err);
		}
		if (o.verbose)
			for (k = 0; k < run.n_src; k++)
				REP_source_detail(stdout, &run, &run.src[k]);
	}
	if (mon)
		rc = monitoring(&run, &o);
	else
		rc = run.have_result ? EXIT_OK : EXIT_NOSOURCE;
	ENG_free(&run);
	SYS_free(&world);
	KRN_free(&keys);
	if (LOG_close_stdout("ntpquery") < 0 && (mon || rc == EXIT_OK))
		rc = mon ? MON_UNKNOWN : LOG_EXIT_OUTPUT;
	return rc;
}

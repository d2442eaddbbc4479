/* ntpupdate: set the system clock once from one or more NTP servers.
 * options -> engine (measure, filter, select) -> decision -> clock driver
 * -> ntpdate-style lines. */
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
#include "common/keyrun.h"
#include "common/log.h"
#include "common/report.h"
#include "common/sysops.h"
#include "common/version.h"

#define EXIT_SET 0
#define EXIT_NOSERVER 1
#define EXIT_USAGE 2
#define EXIT_REFUSED 3
#define EXIT_CLOCK 4

struct opts {
	struct cli_common common; /* -4 -6 -p -t --max-step --max-distance --gap */
	int force_step, force_slew, debug, query, use_syslog, verbose;
	struct cli_auth auth;     /* -a -k -e -o --keyfile-format */
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	CLI_AUTH_LONGOPTS,
	{ "step", no_argument, NULL, 'b' },
	{ "slew", no_argument, NULL, 'B' },
	{ "debug", no_argument, NULL, 'd' },
	{ "query", no_argument, NULL, 'q' },
	{ "syslog", no_argument, NULL, 's' },
	{ "unprivileged-port", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ntpupdate [-46bBdqsuv] [-a keyid] [-e authdelay] [-k keyfile] [-o version]\n"
	    "                 [-p samples] [-t timeout] [--max-step seconds]\n"
	    "                 [--max-distance seconds] [--gap ms] [--keyfile-format ntpd|chrony]\n"
	    "                 [server[:port][#keyid] ...]\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\n"
	    "Set the system clock once from NTP servers (default %s).\n"
	    "A server is host, host:port, an IPv4 address, an IPv6 address or [v6]:port;\n"
	    "every address a name resolves to is queried; server#KEYID authenticates\n"
	    "that server with key KEYID.\n\n"
	    CLI_HELP_FAMILY
	    CLI_HELP_AUTH_A
	    "  -b, --step            always step the clock\n"
	    "  -B, --slew            always slew the clock (up to 2145 s)\n"
	    "  -d, --debug           show every sample and rejection; do not set the clock\n"
	    CLI_HELP_AUTH_E
	    CLI_HELP_AUTH_K
	    CLI_HELP_AUTH_O
	    CLI_HELP_SAMPLES
	    "  -q, --query           only query: print the results, do not set the clock\n"
	    "  -s, --syslog          send the result lines to syslog instead of stdout\n"
	    CLI_HELP_TIMEOUT
	    "  -u                    accepted for ntpdate compatibility (ports are always unprivileged)\n"
	    "  -v, --verbose         print the version and the error bound\n"
	    "      --max-step SEC    refuse to change the clock by more than SEC seconds\n"
	    CLI_HELP_LIMITS
	    "  -h, --help            show this help\n"
	    "  -V, --version         show the version\n"
	    "\n"
	    "Offsets are positive when the server is ahead of the local clock.\n"
	    "|offset| >= 0.5 s steps the clock, smaller offsets slew it.\n\n"
	    "Exit status: 0 clock set (with -q/-d: a usable answer), 1 no usable server,\n"
	    "2 usage or configuration error, 3 refused by a safety limit,\n"
	    "4 the clock could not be set, 7 the output could not be written.\n",
	    CLI_DEFAULT_SERVER);
}

static int
bad_option(const char *opt, const char *err)
{
	char show[64];

	fprintf(stderr, "ntpupdate: %s: %s\n", CLI_printable(opt, show, sizeof(show)), err);
	usage(stderr);
	return EXIT_USAGE;
}

static int
parse_args(int argc, char **argv, struct opts *o, int *first_server)
{
	char err[160], name[40];
	int c, r, li;

	CLI_common_defaults(&o->common);
	opterr = 0;
	while ((li = -1, c = getopt_long(argc, argv, ":" CLI_COMMON_SHORTOPTS CLI_AUTH_SHORTOPTS "bBdqsuvhV", longopts,
	    &li)) != -1) {
		r = CLI_common_option(&o->common, c, optarg, err, sizeof(err));
		if (r == 0)
			r = CLI_auth_option(&o->auth, c, optarg, err, sizeof(err));
		if (r < 0)
			return bad_option(CLI_option_name(c, longopts, li, name, sizeof(name)), err);
		if (r > 0)
			continue;
		switch (c) {
		case 'b':
			o->force_step = 1;
			o->force_slew = 0;
			break;
		case 'B':
			o->force_slew = 1;
			o->force_step = 0;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'q':
			o->query = 1;
			break;
		case 's':
			o->use_syslog = 1;
			break;
		case 'u':
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			help();
			exit(0);
		case 'V':
			printf("ntpupdate %s\n", NTPUPDATE_VERSION);
			exit(0);
		case ':':
			return bad_option(argv[optind - 1], "option requires an argument");
		default:
			return bad_option(argv[optind - 1], "unknown option");
		}
	}
	*first_server = optind;
	return 0;
}

/* -d: every source as ntpquery -v shows it. */
static void
print_debug(const struct eng_run *run)
{
	size_t i;

	for (i = 0; i < run->n_src; i++)
		REP_source_detail(stdout, run, &run->src[i]);
	fputc('\n', stdout);
}

static void
print_reasons(const struct eng_run *run, const struct log *lg)
{
	size_t i;
	char reason[256];

	if (run->n_src > 0 && run->result.n_usable >= 2)
		LOG_err(lg, "no server suitable for synchronization found: "
		    "no majority of the %zu answering servers agrees", run->result.n_usable);
	else
		LOG_err(lg, "no server suitable for synchronization found");
	for (i = 0; i < run->n_src; i++) {
		REP_source_reason(run, &run->src[i], reason, sizeof(reason));
		LOG_err(lg, "  %s: %s", run->src[i].addr_port, reason);
	}
}

/* Names that did not resolve, or whose addresses were cut: said once. */
static void
print_name_problems(const struct eng_run *run, const struct log *lg)
{
	size_t i;
	char t[320];

	for (i = 0; i < run->n_names; i++) {
		REP_name_text(run, &run->names[i], t, sizeof(t));
		if (t[0] != '\0')
			LOG_err(lg, "%s", t);
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct eng_config eng;
	struct eng_run run;
	struct sys_world world;
	struct krn keys;
	struct log lg;
	const struct eng_source *peer;
	int first = 0, i, rc, step, query;
	struct dec_policy pol;
	struct dec_result dec;
	struct timespec now;
	char err[200];

	NET_guard_stdio();
	memset(&o, 0, sizeof(o));
	rc = parse_args(argc, argv, &o, &first);
	if (rc != 0)
		return rc;
	LOG_open(&lg, "ntpupdate", o.use_syslog);
	/* keys first: a bad key file is a usage error before anything is sent */
	if (KRN_prepare(&keys, &o.auth, argv + first, argc - first, err, sizeof(err)) < 0) {
		LOG_err(&lg, "%s", err);
		KRN_free(&keys);
		LOG_close(&lg);
		return EXIT_USAGE;
	}
	if (keys.loaded && keys.kf.loose_mode)
		LOG_err(&lg, "warning: key file %s can be read by group or others (mode %04o); "
		    "chmod 600 it", keys.path, keys.kf.mode);
	if (SYS_init(&world) < 0) {
		LOG_err(&lg, "cannot start: %s", strerror(errno));
		KRN_free(&keys);
		LOG_close(&lg);
		return EXIT_NOSERVER;
	}
	ENG_config_from_cli(&eng, &o.common, NTT_local_precision(), CLK_rate_bound());
	eng.version = o.auth.version;
	eng.max_inflight = NET_socket_budget();
	if (ENG_init(&run, &eng, &world.ops) < 0 ||
	    (run.hooks = (struct eng_hooks){ &keys, KRN_setup },
	    ENG_add_args(&run, keys.args, keys.n_args, err, sizeof(err))) < 0) {
		LOG_err(&lg, "%s", run.src == NULL ? strerror(ENOMEM) : err);
		ENG_free(&run);
		SYS_free(&world);
		KRN_free(&keys);
		LOG_close(&lg);
		return EXIT_USAGE;
	}
	if (o.verbose)
		LOG_notice(&lg, "ntpupdate %s", NTPUPDATE_VERSION);

	ENG_run(&run);
	query = o.query || o.debug;

	if (o.debug) {
		if (keys.loaded) {
			KRN_describe(&keys, err, sizeof(err));
			LOG_info(&lg, "%s", err);
		}
		print_debug(&run);
	}
	if (run.have_result)
		print_name_problems(&run, &lg);
	if (o.query) {
		for (i = 0; i < (int)run.n_src; i++) {
			const struct eng_source *s = &run.src[i];
			LOG_info(&lg, "server %s, stratum %d, offset %+.6f, delay %.5f", s->addr,
			    s->have_est ? ENG_cand(&run, s)->stratum : 0, s->have_est ? s->est.offset : 0.0,
			    s->have_est ? s->est.delay : 0.0);
		}
	}
	if (!run.have_result) {
		print_reasons(&run, &lg);
		ENG_free(&run);
		SYS_free(&world);
		KRN_free(&keys);
		LOG_close(&lg);
		return EXIT_NOSERVER;
	}
	peer = &run.src[run.result.sys_peer];
	DEC_policy_init(&pol, o.common.max_step);
	pol.force_step = o.force_step;
	pol.force_slew = o.force_slew;
	clock_gettime(CLOCK_REALTIME, &now);
	DEC_decide(&run.result, run.have_result, &pol, &now, &dec);
	step = dec.step;
	if (query && dec.action == DEC_REFUSE)
		/* a dry run tells what the real one would do */
		LOG_err(&lg, "a real run would refuse to %s the clock: %s", step ? "step" : "slew",
		    dec.reason);
	if (o.debug || o.verbose)
		LOG_info(&lg, "offset %+.6f +/- %.6f sec", dec.offset, run.result.bound);

	rc = EXIT_SET;
	if (query && dec.action == DEC_REFUSE)
		LOG_err(&lg, "would refuse to %s the clock: %s", step ? "step" : "slew", dec.reason);
	if (!query) {
		if (dec.action == DEC_REFUSE) {
			LOG_err(&lg, "refusing to %s the clock: %s", step ? "step" : "slew", dec.reason);
			rc = EXIT_REFUSED;
		} else if ((step ? CLK_step(CLK_linux(), dec.offset) : CLK_slew(CLK_linux(), dec.offset)) < 0) {
			int e = errno;
			if (e == EPERM || e == EACCES)
				LOG_err(&lg, "cannot %s the clock: %s; run as root, or use -q to only query",
				    step ? "step" : "slew", strerror(e));
			else
				LOG_err(&lg, "cannot %s the clock: %s", step ? "step" : "slew", strerror(e));
			rc = EXIT_CLOCK;
		}
	}
	if (rc == EXIT_SET)
		LOG_notice(&lg, "%s time server %s offset %+.6f sec", step ? "step" : "adjust", peer->addr,
		    dec.offset);
	ENG_free(&run);
	SYS_free(&world);
	KRN_free(&keys);
	LOG_close(&lg);
	if (LOG_close_stdout("ntpupdate") < 0 && rc == EXIT_SET)
		rc = LOG_EXIT_OUTPUT;
	return rc;
}

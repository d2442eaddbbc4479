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
#include "common/conf.h"
#include "common/decide.h"
#include "common/engine.h"
#include "common/log.h"
#include "common/keyrun.h"
#include "common/nts_cli.h"
#include "common/report.h"
#include "common/sysops.h"
#include "common/version.h"

/* Exit codes without -w/-c. */
#define EXIT_OK 0
#define EXIT_NOSOURCE 1
#define EXIT_USAGE 2
/* Monitoring-plugin exit codes (with -w, -c or -H, as check_ntp_time). */
#define MON_OK 0
#define MON_WARNING 1
#define MON_CRITICAL 2
#define MON_UNKNOWN 3
/* check_ntp_time's thresholds when -w or -c is not given */
#define MON_DEFAULT_WARN 60.0
#define MON_DEFAULT_CRIT 120.0
#define MAX_HOSTS 16

enum { OPT_PORT = CLI_OPT_TOOL };

struct opts {
	struct cli_common common; /* -4 -6 -p -t --max-step --max-distance --gap */
	int verbose, json, numeric;
	int monitoring;           /* -w, -c or -H given: plugin output */
	double warn, crit;        /* < 0: not given */
	const char *host[MAX_HOSTS]; /* -H, as check_ntp_time takes it */
	int n_host;
	const char *port;         /* --port: for servers given without one */
	int quiet;                /* -q: UNKNOWN, not CRITICAL, without an answer */
	struct cli_auth auth;     /* -a -k -e -o --keyfile-format */
	struct nts_run *nts;      /* --nts, --nts-ca, --nts-cache */
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	CLI_AUTH_LONGOPTS,
	NTS_LONGOPTS,
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, 'j' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "host", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ntpquery [-46jnqv] [-a keyid] [-e authdelay] [-k keyfile] [-o version]\n"
	    "                [-p samples] [-t timeout] [-w seconds] [-c seconds]\n"
	    "                [-H host] [--port port] [--max-step seconds]\n"
	    "                [--max-distance seconds] [--gap ms]\n"
	    "                [--keyfile-format ntpd|chrony] [--nts [--nts-ca file] [--nts-cache dir]]\n"
	    "                [server[:port][#keyid] ...]\n");
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
	    "  -w, --warning SEC     monitoring: WARNING when |offset| > SEC (default 60)\n"
	    "  -c, --critical SEC    monitoring: CRITICAL when |offset| > SEC (default 120)\n"
	    "  -H, --host HOST       monitoring: query HOST, as check_ntp_time -H (repeatable)\n"
	    "      --port PORT       the port of servers given without one (default 123)\n"
	    "  -q, --quiet           monitoring: UNKNOWN instead of CRITICAL without an answer\n"
	    "      --max-step SEC    report that ntpupdate --max-step SEC would refuse\n"
	    CLI_HELP_LIMITS
	    NTS_HELP
	    "  -h, --help            show this help\n"
	    "  -V, --version         show the version\n"
	    "\n"
	    "Offsets are positive when the server is ahead of the local clock\n"
	    "(chronyc shows the opposite sign).\n\n"
	    "Exit status: 0 at least one usable source, 1 none, 2 usage error,\n"
	    "7 the output could not be written.\n"
	    "With -w, -c or -H, check_ntp_time's: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	    "(no answer: CRITICAL, or UNKNOWN with -q; usage errors: UNKNOWN).\n",
	    CLI_DEFAULT_SERVER);
}

static int
bad_option(const struct opts *o, const char *opt, const char *err)
{
	CLI_bad_option("ntpquery", opt, err, usage);
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
		    strncmp(argv[i], "-H", 2) == 0 || strncmp(argv[i], "--host", 6) == 0 ||
		    strncmp(argv[i], "--warning", 9) == 0 || strncmp(argv[i], "--critical", 10) == 0)
			o->monitoring = 1;
	opterr = 0;
	while ((li = -1, c = getopt_long(argc, argv, ":" CLI_COMMON_SHORTOPTS CLI_AUTH_SHORTOPTS "vjnw:c:H:qhV",
	    longopts, &li)) != -1) {
		r = CLI_common_option(&o->common, c, optarg, err, sizeof(err));
		if (r == 0)
			r = CLI_auth_option(&o->auth, c, optarg, err, sizeof(err));
		if (r < 0)
			return bad_option(o, CLI_option_name(c, longopts, li, name, sizeof(name)), err);
		if (r > 0)
			continue;
		r = NTS_option(o->nts, c, optarg, err, sizeof(err));
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
		case 'H':
			if (o->n_host >= MAX_HOSTS)
				return bad_option(o, "-H", "too many hosts");
			o->host[o->n_host++] = optarg;
			break;
		case OPT_PORT: {
			long long port;
			if (CLI_parse_int(optarg, 1, 65535, &port, err, sizeof(err)) < 0)
				return bad_option(o, "--port", err);
			o->port = optarg;
			break;
		}
		case 'q':
			o->quiet = 1;
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
	if (o->json && o->monitoring)
		return bad_option(o, "-j", "cannot be combined with -w, -c or -H (plugin output)");
	if (o->monitoring) {
		if (o->warn < 0)
			o->warn = o->crit >= 0 && o->crit < MON_DEFAULT_WARN ? o->crit : MON_DEFAULT_WARN;
		if (o->crit < 0)
			o->crit = o->warn > MON_DEFAULT_CRIT ? o->warn : MON_DEFAULT_CRIT;
	}
	if (NTS_ready(o->nts, argv, err, sizeof(err)) < 0)
		return bad_option(o, "--nts", err);
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

/* Monitoring-plugin status line and exit code, as check_ntp_time prints
 * them ("NTP OK: Offset 0.0001 secs|offset=0.000100s;60.000000;120.000000;"),
 * with the error bound, and why when there is no answer. */
static int
monitoring(const struct eng_run *run, const struct dec_result *dec, const struct opts *o)
{
	const char *label[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	char why[400];
	int st;
	double off;

	if (!run->have_result) {
		st = o->quiet ? MON_UNKNOWN : MON_CRITICAL;
		why[0] = '\0';
		if (run->n_names == 1)
			REP_name_text(run, &run->names[0], why, sizeof(why));
		if (why[0] != '\0') {
			/* the one name did not resolve: that is the reason */
		} else if (run->n_src == 1) {
			char r[256];
			REP_source_reason(run, &run->src[0], r, sizeof(r));
			snprintf(why, sizeof(why), "%s: %s", run->src[0].addr_port, r);
		} else {
			snprintf(why, sizeof(why), "%s (%zu queried)", dec->reason, run->n_src);
		}
		printf("NTP %s: Offset unknown: %s|\n", label[st], why);
		return st;
	}
	off = run->result.offset;
	st = MON_OK;
	if (fabs(off) > o->crit)
		st = MON_CRITICAL;
	else if (fabs(off) > o->warn)
		st = MON_WARNING;
	printf("NTP %s: Offset %.10g secs, +/- %.6f, %zu of %zu sources agree|offset=%fs;%f;%f;\n",
	    label[st], off, run->result.bound, run->result.n_true, run->n_src, off, o->warn, o->crit);
	return st;
}

/* The servers to ask: -H hosts, then the arguments, each given the
 * --port when it names none; none at all: the configuration files'. */
static int
server_list(const struct opts *o, char **args, int n, struct cnf *cf, char ***out, int *n_out, char *err,
    size_t errlen)
{
	char **list;
	int i, k = 0, total = o->n_host + n;

	*out = NULL;
	*n_out = 0;
	if (total == 0) {
		if (CNF_load(NULL, cf, err, errlen) < 0)
			return -1;
		if (cf->warning[0] != '\0')
			fprintf(stderr, "ntpquery: %s\n", cf->warning);
		total = (int)cf->n_servers;
	}
	if (total == 0)
		return 0;
	list = calloc((size_t)total, sizeof(char *) + CLI_HOST_MAX + 24);
	if (list == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < total; i++) {
		const char *a = i < o->n_host ? o->host[i] : i - o->n_host < n ? args[i - o->n_host]
									: cf->servers[i];
		char *buf = (char *)(list + total) + (size_t)i * (CLI_HOST_MAX + 24);
		/* host[:port][#keyid]: the port goes before a key suffix */
		const char *hash = strchr(a, '#');
		int hl = hash != NULL ? (int)(hash - a) : (int)strlen(a);
		const char *key = hash != NULL ? hash : "";
		const char *colon = memchr(a, ':', (size_t)hl);
		int has_port = a[0] == '[' ? memmem(a, (size_t)hl, "]:", 2) != NULL
					   : colon != NULL && memchr(colon + 1, ':', (size_t)(hl - (colon + 1 - a))) == NULL;
		if (o->port == NULL || has_port)
			snprintf(buf, CLI_HOST_MAX + 24, "%s", a);
		else if (colon != NULL)
			snprintf(buf, CLI_HOST_MAX + 24, "[%.*s]:%s%s", hl, a, o->port, key); /* bare IPv6 */
		else
			snprintf(buf, CLI_HOST_MAX + 24, "%.*s:%s%s", hl, a, o->port, key);
		list[k++] = buf;
	}
	*out = list;
	*n_out = k;
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct nts_run nts;
	struct eng_config eng;
	struct eng_run run;
	struct sys_world world;
	struct krn keys;
	struct dec_policy pol;
	struct dec_result dec;
	struct timespec now;
	int first = 0, rc, mon, n_srv;
	size_t k;
	char err[400], **srv;
	static struct cnf cf;

	NET_guard_stdio();
	/* lines mixed with stderr come out in order */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&o, 0, sizeof(o));
	NTS_run_init(&nts, NTPUPDATE_BUILD_EPOCH);
	o.nts = &nts;
	rc = parse_args(argc, argv, &o, &first);
	if (rc != 0)
		return rc;
	mon = o.monitoring;
	/* -H hosts, --port, or the configured servers */
	if (server_list(&o, argv + first, argc - first, &cf, &srv, &n_srv, err, sizeof(err)) < 0) {
		fprintf(stderr, "ntpquery: %s\n", err);
		return mon ? MON_UNKNOWN : EXIT_USAGE;
	}
	/* a build without TLS hands a run that needs a key exchange to the
	 * NTS build, before anything is said */
	if (NTS_settle(&nts, srv, n_srv, err, sizeof(err)) < 0) {
		fprintf(stderr, "ntpquery: --nts: %s\n", err);
		free(srv);
		return mon ? MON_UNKNOWN : EXIT_USAGE;
	}
	/* keys first: a bad key file is a usage error before anything is sent */
	rc = KRN_prepare(&keys, &o.auth, srv, n_srv, err, sizeof(err));
	free(srv);
	if (rc < 0) {
		fprintf(stderr, "ntpquery: %s\n", err);
		rc = mon ? MON_UNKNOWN : EXIT_USAGE;
		goto out_keys;
	}
	if (keys.loaded && keys.kf.loose_mode)
		fprintf(stderr, "ntpquery: warning: key file %s can be read by group or others (mode %04o); "
		    "chmod 600 it\n", keys.path, keys.kf.mode);
	if (keys.loaded && nts.enabled) {
		fprintf(stderr, "ntpquery: --nts and symmetric keys (-a, server#keyid) cannot be combined\n");
		rc = mon ? MON_UNKNOWN : EXIT_USAGE;
		goto out_keys;
	}
	if (SYS_init(&world) < 0) {
		fprintf(stderr, "ntpquery: cannot start: %s\n", strerror(errno));
		rc = mon ? MON_UNKNOWN : EXIT_NOSOURCE;
		goto out_keys;
	}
	ENG_config_from_cli(&eng, &o.common, NTT_local_precision(), CLK_rate_bound());
	eng.version = o.auth.version;
	eng.max_inflight = NET_socket_budget();
	if (ENG_init(&run, &eng, &world.ops) < 0 ||
	    (nts.enabled ? NTS_add_args(&nts, &run, keys.args, keys.n_args, err, sizeof(err))
	                 : (run.hooks = (struct eng_hooks){ &keys, KRN_setup },
	                    ENG_add_args(&run, keys.args, keys.n_args, err, sizeof(err)))) < 0) {
		fprintf(stderr, "ntpquery: %s\n", run.src == NULL ? strerror(ENOMEM) : err);
		rc = mon ? MON_UNKNOWN : EXIT_USAGE;
		goto out_engine;
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
			for (k = 0; k < run.n_src; k++) {
				REP_source_detail(stdout, &run, &run.src[k]);
				NTS_detail(stdout, &nts, k);
			}
	}
	if (mon)
		rc = monitoring(&run, &dec, &o);
	else
		rc = run.have_result ? EXIT_OK : EXIT_NOSOURCE;
	NTS_finish(&nts, stderr, "ntpquery");
	ENG_free(&run);
	SYS_free(&world);
	KRN_free(&keys);
	if (LOG_close_stdout("ntpquery") < 0 && (mon || rc == EXIT_OK))
		rc = mon ? MON_UNKNOWN : LOG_EXIT_OUTPUT;
	return rc;
	/* the ways out before a run: nothing was printed on stdout yet */
out_engine:
	ENG_free(&run);
	SYS_free(&world);
out_keys:
	KRN_free(&keys);
	return rc;
}

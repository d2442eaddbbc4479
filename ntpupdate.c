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
#include <unistd.h>

#include "common/cli.h"
#include "common/clock.h"
#include "common/conf.h"
#include "common/daemon.h"
#include "common/decide.h"
#include "common/engine.h"
#include "common/keyrun.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/nts_cli.h"
#include "common/priv.h"
#include "common/report.h"
#include "common/state.h"
#include "common/sysops.h"
#include "common/timesync.h"
#include "common/version.h"

#define EXIT_SET 0
#define EXIT_NOSERVER 1
#define EXIT_USAGE 2
#define EXIT_REFUSED 3
#define EXIT_CLOCK 4
#define EXIT_DAEMON 5
#define EXIT_LOCKED 6

enum { OPT_FORCE = CLI_OPT_TOOL };

struct opts {
	struct cli_common common; /* -4 -6 -p -t --max-step --max-distance --gap */
	int force_step, force_slew, debug, query, use_syslog, verbose;
	int force; /* --force: set the clock even under another time daemon */
	int json;  /* -j: one JSON document instead of the ntpdate-style lines */
	struct cli_auth auth;     /* -a -k -e -o --keyfile-format */
	struct nts_run *nts;      /* --nts, --nts-ca, --nts-cache */
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	CLI_AUTH_LONGOPTS,
	NTS_LONGOPTS,
	{ "step", no_argument, NULL, 'b' },
	{ "slew", no_argument, NULL, 'B' },
	{ "debug", no_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "query", no_argument, NULL, 'q' },
	{ "syslog", no_argument, NULL, 's' },
	{ "unprivileged-port", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ntpupdate [-46bBdjqsuv] [-a keyid] [-e authdelay] [-k keyfile] [-o version]\n"
	    "                 [-p samples] [-t timeout] [--max-step seconds]\n"
	    "                 [--max-distance seconds] [--gap ms] [--keyfile-format ntpd|chrony]\n"
	    "                 [--nts [--nts-ca file] [--nts-cache dir]] [--force]\n"
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
	    "      --force           set the clock even when another time daemon runs\n"
	    "  -j, --json            one JSON document for the run instead of the lines\n"
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
	    NTS_HELP
	    "  -h, --help            show this help\n"
	    "  -V, --version         show the version\n"
	    "\n"
	    "Offsets are positive when the server is ahead of the local clock.\n"
	    "|offset| >= 0.5 s steps the clock, smaller offsets slew it.\n\n"
	    "Exit status: 0 clock set (with -q/-d: a usable answer), 1 no usable server,\n"
	    "2 usage or configuration error, 3 refused by a safety limit,\n"
	    "4 the clock could not be set, 5 another time daemon runs (see --force),\n"
	    "6 another run held the lock until this one's deadline,\n"
	    "7 the output could not be written.\n",
	    CLI_DEFAULT_SERVER);
}

static int
bad_option(const char *opt, const char *err)
{
	CLI_bad_option("ntpupdate", opt, err, usage);
	return EXIT_USAGE;
}

static int
parse_args(int argc, char **argv, struct opts *o, int *first_server)
{
	char err[160], name[40];
	int c, r, li;

	CLI_common_defaults(&o->common);
	opterr = 0;
	while ((li = -1, c = getopt_long(argc, argv, ":" CLI_COMMON_SHORTOPTS CLI_AUTH_SHORTOPTS "bBdjqsuvhV",
	    longopts, &li)) != -1) {
		r = CLI_common_option(&o->common, c, optarg, err, sizeof(err));
		if (r == 0)
			r = CLI_auth_option(&o->auth, c, optarg, err, sizeof(err));
		if (r == 0)
			r = NTS_option(o->nts, c, optarg, err, sizeof(err));
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
		case 'j':
			o->json = 1;
			break;
		case 'q':
			o->query = 1;
			break;
		case 's':
			o->use_syslog = 1;
			break;
		case 'u':
			break;
		case OPT_FORCE:
			o->force = 1;
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
	if (o->json && o->debug)
		return bad_option("-j", "cannot be combined with -d (both write to stdout)");
	if (NTS_ready(o->nts, argv, err, sizeof(err)) < 0)
		return bad_option("--nts", err);
	*first_server = optind;
	return 0;
}

/* -d: every source as ntpquery -v shows it. */
static void
print_debug(const struct eng_run *run, const struct nts_run *nts)
{
	size_t i;

	for (i = 0; i < run->n_src; i++) {
		REP_source_detail(stdout, run, &run->src[i]);
		NTS_detail(stdout, nts, i);
	}
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

/* Where the servers of this run come from. */
struct servers {
	char **arg;          /* server arguments (into argv or conf) */
	int n;
	char **argv;         /* argv with NTPOPTIONS in front, or NULL */
	const char *from;    /* a file, "the command line", or NULL: the default */
};

/* No server on the command line: servers (and NTPOPTIONS, read before
 * the command line's options so those win) from the configuration
 * files.  0, or an exit code after a one-line error. */
static int
configure(int argc, char **argv, struct opts *o, int first, struct cnf *cf, struct servers *sv)
{
	char err[400];
	int i, n, rc;
	struct nts_run *nts;

	sv->arg = argv + first;
	sv->n = argc - first;
	sv->argv = NULL;
	sv->from = "the command line";
	if (first < argc)
		return 0;
	sv->from = NULL;
	if (CNF_load(NULL, cf, err, sizeof(err)) < 0) {
		fprintf(stderr, "ntpupdate: %s\n", err);
		return EXIT_USAGE;
	}
	if (cf->warning[0] != '\0')
		fprintf(stderr, "ntpupdate: %s\n", cf->warning);
	if (cf->n_options > 0) {
		sv->argv = calloc((size_t)argc + cf->n_options + 1, sizeof(char *));
		if (sv->argv == NULL) {
			fprintf(stderr, "ntpupdate: out of memory\n");
			return EXIT_USAGE;
		}
		sv->argv[0] = argv[0];
		for (i = 0; i < (int)cf->n_options; i++)
			sv->argv[1 + i] = cf->options[i];
		for (i = 1; i < argc; i++)
			sv->argv[cf->n_options + (size_t)i] = argv[i];
		n = argc + (int)cf->n_options;
		nts = o->nts;
		memset(o, 0, sizeof(*o));
		NTS_run_init(nts, NTPUPDATE_BUILD_EPOCH);
		o->nts = nts;
		optind = 0;
		if ((rc = parse_args(n, sv->argv, o, &first)) != 0) {
			fprintf(stderr, "ntpupdate: (options from NTPOPTIONS in %s)\n", cf->options_from);
			return rc;
		}
		if (first < n) {
			/* words after the options in NTPOPTIONS: servers */
			sv->arg = sv->argv + first;
			sv->n = n - first;
			sv->from = cf->options_from;
			return 0;
		}
	}
	if (cf->n_servers > 0) {
		sv->arg = calloc(cf->n_servers, sizeof(char *));
		if (sv->arg == NULL) {
			fprintf(stderr, "ntpupdate: out of memory\n");
			return EXIT_USAGE;
		}
		for (i = 0; i < (int)cf->n_servers; i++)
			sv->arg[i] = cf->servers[i];
		sv->n = (int)cf->n_servers;
		sv->from = cf->servers_from;
	}
	return 0;
}

static void
servers_free(struct servers *sv, struct cnf *cf)
{
	if (cf->n_servers > 0 && sv->arg != NULL && sv->arg[0] == cf->servers[0])
		free(sv->arg);
	free(sv->argv);
}

/* -j: the document for this run (run NULL: it never started). */
static void
print_json(const struct eng_run *run, const struct dec_result *dec, const struct timespec *now,
    const char *action, int changed, int rc, const char *error, const struct dmn_report *dr)
{
	const char *names[DMN_MAX_FOUND];
	struct rep_done done;
	size_t i;

	memset(&done, 0, sizeof(done));
	done.action = action;
	done.changed = changed;
	done.exit_code = rc;
	done.error = error;
	if (run != NULL && run->have_result) {
		done.have_offset = 1;
		done.offset = dec->offset;
		done.bound = run->result.bound;
	}
	for (i = 0; dr != NULL && i < dr->n; i++)
		names[i] = dr->found[i].what;
	done.daemons = names;
	done.n_daemons = dr != NULL ? dr->n : 0;
	REP_json_update(stdout, run, dec, now, &done);
}

/* Another time daemon keeps this clock?  Setting: refuse with one line
 * (exit 5) unless --force.  -q/-d: say what was found, and go on. */
static int
check_daemons(const struct opts *o, int query, const struct log *lg, struct dmn_report *found)
{
	struct dmn_report r;
	size_t i;

	struct clk_kernel k;

	DMN_detect("", CLK_kernel_status(&k) == 0 ? &k : NULL, &r);
	*found = r;
	if (r.n == 0) {
		if (o->debug)
			LOG_info(lg, "time daemons: none found");
		return 0;
	}
	if (!query && !o->force) {
		LOG_err(lg, "another time daemon keeps this clock: %s; not setting it (--force to override)",
		    r.found[0].what);
		return EXIT_DAEMON;
	}
	for (i = 0; i < r.n; i++) {
		if (o->debug)
			LOG_info(lg, "time daemon: %s%s", r.found[i].what,
			    o->force ? " (--force: set anyway)" : " (a set would be refused)");
		else if (query)
			LOG_err(lg, "note: %s; a set would be refused without --force", r.found[i].what);
	}
	return 0;
}

/* One clock-setting run at a time: wait for another run's lock up to
 * this run's own deadline, then give up (exit 6). */
static int
take_lock(double wait, struct lck *lk, const struct log *lg)
{
	struct timespec now, deadline;
	char err[300];
	long holder;
	int r;

	if (LCK_open(lk, NULL, err, sizeof(err)) < 0) {
		LOG_err(lg, "%s", err);
		return EXIT_LOCKED;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = NTT_timespec_add(&now, wait);
	r = LCK_take(lk, &deadline, &holder);
	if (r == 0)
		return 0;
	if (r > 0 && holder > 0)
		LOG_err(lg, "another ntpupdate run (pid %ld) holds %s; gave up after %.1f s",
		    holder, lk->path, wait);
	else if (r > 0)
		LOG_err(lg, "another ntpupdate run holds %s; gave up after %.1f s", lk->path, wait);
	else
		LOG_err(lg, "cannot lock %s: %s", lk->path, strerror(errno));
	return EXIT_LOCKED;
}

/* From here on: at most CAP_SYS_TIME (none for -q/-d), no_new_privs,
 * the seccomp allow-list. */
static int
confine(int query, const struct log *lg)
{
	char err[200];

	if (PRV_drop(query ? -1 : CAP_SYS_TIME, err, sizeof(err)) < 0 || PRV_seccomp(lg->prog, EXIT_CLOCK, err, sizeof(err)) < 0) {
		LOG_err(lg, "%s", err);
		return EXIT_CLOCK;
	}
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
	struct log lg;
	struct lck lk = { -1, "" };
	struct cnf cf;
	struct servers sv;
	struct dmn_report found;
	const char *error = NULL;
	int tsy = -1, finished = 0; /* finished: the run reached its result */
	const struct eng_source *peer;
	int first = 0, i, rc, step, query;
	struct dec_policy pol;
	struct dec_result dec;
	struct timespec now;
	char err[200];

	NET_guard_stdio();
	/* lines mixed with stderr come out in order */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&o, 0, sizeof(o));
	memset(&cf, 0, sizeof(cf));
	memset(&found, 0, sizeof(found));
	NTS_run_init(&nts, NTPUPDATE_BUILD_EPOCH);
	o.nts = &nts;
	rc = parse_args(argc, argv, &o, &first);
	if (rc != 0)
		return rc;
	/* no server given: servers and NTPOPTIONS from the configuration */
	if ((rc = configure(argc, argv, &o, first, &cf, &sv)) != 0) {
		servers_free(&sv, &cf);
		return rc;
	}
	/* a build without TLS hands a run that needs a key exchange to the
	 * NTS build, before anything is said */
	if (NTS_settle(&nts, sv.arg, sv.n, err, sizeof(err)) < 0) {
		fprintf(stderr, "ntpupdate: --nts: %s\n", err);
		servers_free(&sv, &cf);
		return EXIT_USAGE;
	}
	LOG_open(&lg, "ntpupdate", o.use_syslog);
	if (o.debug)
		LOG_info(&lg, "servers: %s", sv.from != NULL ? sv.from : CLI_DEFAULT_SERVER " (none given or configured)");
	query = o.query || o.debug;
	/* keys first: a bad key file is a usage error before anything is sent */
	if (KRN_prepare(&keys, &o.auth, sv.arg, sv.n, err, sizeof(err)) < 0) {
		LOG_err(&lg, "%s", err);
		rc = EXIT_USAGE;
		goto out_keys;
	}
	if (keys.loaded && keys.kf.loose_mode)
		LOG_err(&lg, "warning: key file %s can be read by group or others (mode %04o); "
		    "chmod 600 it", keys.path, keys.kf.mode);
	if (keys.loaded && nts.enabled) {
		LOG_err(&lg, "--nts and symmetric keys (-a, server#keyid) cannot be combined");
		rc = EXIT_USAGE;
		goto out_keys;
	}
	if (SYS_init(&world) < 0) {
		LOG_err(&lg, "cannot start: %s", strerror(errno));
		rc = EXIT_NOSERVER;
		goto out_keys;
	}
	ENG_config_from_cli(&eng, &o.common, NTT_local_precision(), CLK_rate_bound());
	eng.version = o.auth.version;
	eng.max_inflight = NET_socket_budget();
	if (ENG_init(&run, &eng, &world.ops) < 0 ||
	    (nts.enabled ? NTS_add_args(&nts, &run, keys.args, keys.n_args, err, sizeof(err))
	                 : (run.hooks = (struct eng_hooks){ &keys, KRN_setup },
	                    ENG_add_args(&run, keys.args, keys.n_args, err, sizeof(err)))) < 0) {
		LOG_err(&lg, "%s", run.src == NULL ? strerror(ENOMEM) : err);
		rc = EXIT_USAGE;
		goto out_engine;
	}
	/* after the arguments, so a usage error comes first and alone; the
	 * wait for another run is bounded by this run's own deadline */
	if (!query && (rc = take_lock(ENG_span(&run), &lk, &lg)) != 0) {
		if (o.json)
			print_json(NULL, NULL, NULL, "locked", 0, rc, "another ntpupdate run holds the lock", NULL);
		goto out_engine;
	}
	if ((rc = check_daemons(&o, query, &lg, &found)) != 0) {
		if (o.json)
			print_json(NULL, NULL, NULL, "daemon", 0, rc, found.found[0].what, &found);
		goto out_engine;
	}
	if (o.verbose)
		LOG_notice(&lg, "ntpupdate %s", NTPUPDATE_VERSION);
	/* systemd's time-sync flag: its directory is opened while we may */
	if (!query)
		tsy = TSY_open("");
	if ((rc = confine(query, &lg)) != 0)
		goto out_engine;

	ENG_run(&run);

	if (o.debug) {
		if (keys.loaded) {
			KRN_describe(&keys, err, sizeof(err));
			LOG_info(&lg, "%s", err);
		}
		print_debug(&run, &nts);
	}
	if (run.have_result)
		print_name_problems(&run, &lg);
	if (o.query && !o.json) {
		for (i = 0; i < (int)run.n_src; i++) {
			const struct eng_source *s = &run.src[i];
			/* as ntpdate 4.2.8p15: no line for a name that did not resolve */
			if (s->end == END_UNRESOLVED)
				continue;
			LOG_info(&lg, "server %s, stratum %d, offset %+.6f, delay %.5f", s->addr,
			    s->have_est ? ENG_cand(&run, s)->stratum : 0,
			    s->have_est ? REP_no_minus_zero(s->est.offset, 6) : 0.0,
			    s->have_est ? REP_ntpdate_delay(s->est.delay) : 0.0);
		}
	}
	if (!run.have_result) {
		print_reasons(&run, &lg);
		if (o.json) {
			DEC_policy_init(&pol, o.common.max_step);
			clock_gettime(CLOCK_REALTIME, &now);
			DEC_decide(&run.result, run.have_result, &pol, &now, &dec);
			print_json(&run, &dec, &now, "no-server", 0, EXIT_NOSERVER, dec.reason, &found);
		}
		/* the cookies left are kept for the next run (after the reasons:
		 * the sources' NTS facts go with it) */
		rc = EXIT_NOSERVER;
		goto out_run;
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
	if (o.debug || (o.verbose && !o.json))
		LOG_info(&lg, "offset %+.6f +/- %.6f sec", REP_no_minus_zero(dec.offset, 6), run.result.bound);

	rc = EXIT_SET;
	if (query && dec.action == DEC_REFUSE)
		LOG_err(&lg, "would refuse to %s the clock: %s", step ? "step" : "slew", dec.reason);
	if (!query) {
		if (dec.action == DEC_REFUSE) {
			LOG_err(&lg, "refusing to %s the clock: %s", step ? "step" : "slew", dec.reason);
			rc = EXIT_REFUSED;
			error = dec.reason;
		} else if ((step ? CLK_step(CLK_linux(), dec.offset) : CLK_slew(CLK_linux(), dec.offset)) < 0) {
			int e = errno;
			if (e == EPERM || e == EACCES)
				LOG_err(&lg, "cannot %s the clock: %s; run as root, or use -q to only query",
				    step ? "step" : "slew", strerror(e));
			else
				LOG_err(&lg, "cannot %s the clock: %s", step ? "step" : "slew", strerror(e));
			rc = EXIT_CLOCK;
			error = strerror(e);
		}
	}
	if (!query && rc == EXIT_SET) {
		if (TSY_mark(tsy) < 0 && tsy >= 0)
			LOG_err(&lg, "clock set, but cannot touch %s/%s: %s", TSY_DIR, TSY_FLAG, strerror(errno));
	} else if (tsy >= 0) {
		close(tsy);
	}
	if (rc == EXIT_SET && !o.json)
		LOG_notice(&lg, "%s time server %s offset %+.6f sec", step ? "step" : "adjust", peer->addr,
		    REP_no_minus_zero(dec.offset, 6));
	if (rc == EXIT_SET && !query) {
		/* what ntpserve serves: the set's upstream, stratum, root distance */
		struct sta_record st;
		if (STA_from_run(&run, step ? 0.0 : dec.offset, &st) == 0 &&
		    STA_write(STA_path(), &st, err, sizeof(err)) < 0)
			LOG_err(&lg, "warning: cannot record the state for ntpserve: %s", err);
	}
	if (o.json)
		print_json(&run, &dec, &now,
		    query ? "query" : rc == EXIT_REFUSED ? "refused" : rc == EXIT_CLOCK ? "failed" : step ? "step" : "slew",
		    !query && rc == EXIT_SET, rc, error, &found);
	finished = 1;
out_run:
	NTS_finish(&nts, stderr, "ntpupdate");
out_engine:
	ENG_free(&run);
	SYS_free(&world);
out_keys:
	KRN_free(&keys);
	LCK_close(&lk);
	servers_free(&sv, &cf);
	LOG_close(&lg);
	if (!finished)
		return rc;
	if (LOG_close_stdout("ntpupdate") < 0 && rc == EXIT_SET)
		rc = LOG_EXIT_OUTPUT;
	return rc;
}

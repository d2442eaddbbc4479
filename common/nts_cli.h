/* nts_cli: what both tools share to run NTS: the --nts, --nts-ca and
 * --nts-cache options, server arguments with the NTS-KE default port, the
 * engine hook that gives each source its NTS context, the end of the run
 * (cookie cache), and the -v and JSON lines.  main() owns the nts_run. */
#ifndef NTS_CLI_H
#define NTS_CLI_H

#include <stdio.h>

#include "auth_nts.h"
#include "engine.h"

enum { NTS_OPT_NTS = 400, NTS_OPT_CA, NTS_OPT_CACHE };

#define NTS_LONGOPTS                                                         \
	{ "nts", no_argument, NULL, NTS_OPT_NTS },                           \
	{ "nts-ca", required_argument, NULL, NTS_OPT_CA },                   \
	{ "nts-cache", required_argument, NULL, NTS_OPT_CACHE }

#define NTS_HELP                                                             \
	"      --nts             authenticate with NTS: each server is an NTS-KE server\n" \
	"                        (host[:port], default port 4460)\n"          \
	"      --nts-ca FILE     trust the CA certificates in FILE (PEM) instead of\n" \
	"                        the system trust store\n"                    \
	"      --nts-cache DIR   keep unused NTS cookies in DIR between runs (default\n" \
	"                        " NTS_DEFAULT_CACHE_DIR " as root, when it exists; 'none': off)\n"

struct nts_run {
	char **argv;    /* as NTS_ready saw it: for the NTS build */
	int enabled;
	int cache_given;
	struct nts_opts opt;
	struct nts_src *src[ENG_MAX_SOURCES]; /* by engine source index */
};

/* Defaults (floor: the build date). */
void NTS_run_init(struct nts_run *nr, time_t floor);

/* One option: 1 taken, 0 not an NTS option, -1 bad (reason in err). */
int NTS_option(struct nts_run *nr, int opt, const char *arg, char *err, size_t errlen);

/* After the options: check them, settle the cache directory, keep argv.
 * Returns 0 or -1 (err). */
int NTS_ready(struct nts_run *nr, char **argv, char *err, size_t errlen);

/* Once the servers are known, before anything is printed: in a build
 * without TLS (nts_build.h), a run that needs a key exchange (a server
 * without usable cookies in the cache) is handed to the NTS build of the
 * program with the same arguments; this returns only on failure (-1,
 * err).  Otherwise (or in the NTS build) returns 0. */
int NTS_settle(struct nts_run *nr, char *const *args, int n, char *err, size_t errlen);

/* Add the server arguments (port 4460 unless given) and set the hook.
 * Returns 0 or -1 with a one-line reason (usage error). */
int NTS_add_args(struct nts_run *nr, struct eng_run *run, char *const *args, int n, char *err,
                 size_t errlen);

/* After the run: store cookies, print cache warnings to err as
 * "prog: warning: ...", free everything. */
void NTS_finish(struct nts_run *nr, FILE *err, const char *prog);

/* The NTS lines of -v for source k (nothing when it has no NTS). */
void NTS_detail(FILE *f, const struct nts_run *nr, size_t k);

/* A JSON object (no trailing newline) for source k, or "null": the same
 * facts as NTS_detail, for the JSON document's source objects. */
void NTS_json(FILE *f, const struct nts_run *nr, size_t k);

#endif

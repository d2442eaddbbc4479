/* cli: what both tools parse the same way: server arguments
 * (host, host:port, IPv4, IPv6, [IPv6]:port) and numeric option values. */
#ifndef CLI_H
#define CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_DEFAULT_SERVER "pool.ntp.org"
/* Option defaults, written once: the defaults, --help and the range
 * checks all use these. */
#define CLI_DEF_TIMEOUT 1.0       /* -t, seconds */
#define CLI_DEF_GAP_MS 2000       /* --gap */
#define CLI_DEF_MAX_DISTANCE 1.5  /* --max-distance, seconds */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)
#define CLI_DEFAULT_PORT "123"
#define CLI_HOST_MAX 254
#define CLI_MAX_SAMPLES 8 /* -p limit */

/* One server argument as the user gave it, split into host and port. */
struct cli_server {
	char given[CLI_HOST_MAX + 16];
	char host[CLI_HOST_MAX + 1];
	char port[8];
};

/* Parse "host", "host:port", "1.2.3.4", "::1", "[::1]:port".  Returns 0,
 * or -1 with a one-line reason in err (out untouched). */
int CLI_parse_server(const char *arg, struct cli_server *out, char *err, size_t errlen);

/* Parse a decimal number of seconds in [min, max]; rejects trailing
 * garbage, NaN and infinities.  Returns 0 or -1 with err set. */
int CLI_parse_seconds(const char *arg, double min, double max, double *out, char *err, size_t errlen);

/* Parse an integer in [min, max] (strtonum).  Returns 0 or -1 with err. */
int CLI_parse_int(const char *arg, long long min, long long max, long long *out, char *err, size_t errlen);

/* An option as the user named it, for error lines: "--name" when given in
 * its long form (longindex from getopt_long, -1 if none), else "-c" (or
 * "--name" for a long-only option).  Returns buf. */
const char *CLI_option_name(int opt, const struct option *longopts, int longindex, char *buf, size_t len);

/* Options both tools take, parsed in one place. */
struct cli_common {
	int family;          /* AF_UNSPEC, AF_INET (-4), AF_INET6 (-6) */
	int samples;         /* -p; 0: the sampling policy decides */
	double timeout;      /* -t, seconds */
	double gap;          /* --gap, seconds (given in ms) */
	double max_distance; /* --max-distance, seconds */
	double max_step;     /* --max-step, seconds; < 0: none */
};

/* Long-option codes of the shared options without a short form. */
enum { CLI_OPT_MAX_STEP = 256, CLI_OPT_MAX_DISTANCE, CLI_OPT_GAP, CLI_OPT_TOOL = 300 };

/* getopt_long entries of the shared options, to put in a tool's table. */
#define CLI_COMMON_LONGOPTS                                                  \
	{ "ipv4", no_argument, NULL, '4' },                                  \
	{ "ipv6", no_argument, NULL, '6' },                                  \
	{ "samples", required_argument, NULL, 'p' },                         \
	{ "timeout", required_argument, NULL, 't' },                         \
	{ "max-step", required_argument, NULL, CLI_OPT_MAX_STEP },           \
	{ "max-distance", required_argument, NULL, CLI_OPT_MAX_DISTANCE },   \
	{ "gap", required_argument, NULL, CLI_OPT_GAP }

/* Short-option letters of the shared options, for a tool's optstring. */
#define CLI_COMMON_SHORTOPTS "46p:t:"

/* --help lines of the shared options (but --max-step, whose meaning
 * differs), for each tool to place in its own alphabetical list. */
#define CLI_HELP_FAMILY                                                      \
	"  -4, --ipv4            use IPv4 addresses only\n"                  \
	"  -6, --ipv6            use IPv6 addresses only\n"
#define CLI_HELP_SAMPLES                                                     \
	"  -p, --samples N       take N samples per server (1..8; default: adaptive, up to 4)\n"
#define CLI_HELP_TIMEOUT                                                     \
	"  -t, --timeout SEC     wait SEC seconds for each reply (default " CLI_STR(CLI_DEF_TIMEOUT) ")\n"
#define CLI_HELP_LIMITS                                                      \
	"      --max-distance SEC reject servers whose root distance is SEC or more (default " \
	CLI_STR(CLI_DEF_MAX_DISTANCE) ")\n"                                         \
	"      --gap MS          minimum spacing between requests to one server (default " \
	CLI_STR(CLI_DEF_GAP_MS) ")\n"

/* Defaults (CLI_DEF_*): policy sampling, no step limit. */
void CLI_common_defaults(struct cli_common *c);

/* Handle option opt (as getopt_long returned it) with argument arg.
 * Returns 1 if it was a shared option and parsed, 0 if it is not a shared
 * option, -1 for a bad value (err holds the reason). */
int CLI_common_option(struct cli_common *c, int opt, const char *arg, char *err, size_t errlen);

/* arg made safe for a one-line message: non-printable bytes become '?',
 * cut to fit len.  Returns buf. */
const char *CLI_printable(const char *arg, char *buf, size_t len);

/* A usage error on stderr: "prog: opt: err" (opt made printable), then the
 * tool's usage lines. */
void CLI_bad_option(const char *prog, const char *opt, const char *err, void (*usage)(FILE *));

/* ---- authentication options both tools take (-a -k -e -o) ---- */

/* What the authentication options asked for. */
struct cli_auth {
	const char *keyfile;  /* -k FILE; NULL: none given */
	uint32_t key_id;      /* -a KEYID for every server; 0: none */
	int keyfile_format;   /* --keyfile-format: enum key_format (0: detect) */
	double authdelay;     /* -e SECONDS: accepted, obsolete, unused */
	int version;          /* -o VERSION: NTP version of requests; 0: 4 */
};

enum { CLI_OPT_KEYFILE_FORMAT = 270 };

#define CLI_AUTH_LONGOPTS                                                       \
	{ "authenticate", required_argument, NULL, 'a' },                       \
	{ "keyfile", required_argument, NULL, 'k' },                            \
	{ "keyfile-format", required_argument, NULL, CLI_OPT_KEYFILE_FORMAT },  \
	{ "authdelay", required_argument, NULL, 'e' },                          \
	{ "ntp-version", required_argument, NULL, 'o' }

#define CLI_AUTH_SHORTOPTS "a:k:e:o:"

/* --help lines of the authentication options, one macro per letter so
 * each tool can keep its list in order. */
#define CLI_HELP_AUTH_A                                                                        \
	"  -a, --authenticate KEYID  authenticate every server with key KEYID (1..4294967295)\n"
#define CLI_HELP_AUTH_E                                                                        \
	"  -e, --authdelay SEC   accepted for ntpdate compatibility (obsolete, ignored)\n"
#define CLI_HELP_AUTH_K                                                                        \
	"  -k, --keyfile FILE    symmetric keys, ntpd or chrony format (default " CLI_DEFAULT_KEYFILE ")\n" \
	"      --keyfile-format ntpd|chrony  the format, when the key file does not tell\n"
#define CLI_HELP_AUTH_O                                                                        \
	"  -o, --ntp-version N   send NTP version N requests (1..4, default 4)\n"

#define CLI_DEFAULT_KEYFILE "/etc/ntp.keys"

/* Handle an authentication option, as CLI_common_option does: 1 parsed,
 * 0 not one of these, -1 bad value (err says why). */
int CLI_auth_option(struct cli_auth *a, int opt, const char *arg, char *err, size_t errlen);

/* Split a server argument "server#KEYID" (the key for that server alone)
 * into the server part (into out, outlen bytes) and the key ID.  '#'
 * never occurs in a host name, an IPv6 address or a port.  Returns 1 with
 * *key_id set, 0 without a key (out is the argument), -1 with err set. */
int CLI_split_key(const char *arg, char *out, size_t outlen, uint32_t *key_id, char *err, size_t errlen);

#endif

/* cli: what both tools parse the same way: server arguments
 * (host, host:port, IPv4, IPv6, [IPv6]:port) and numeric option values. */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>

#define CLI_DEFAULT_SERVER "pool.ntp.org"
#define CLI_DEFAULT_PORT "123"
#define CLI_HOST_MAX 254

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

/* arg made safe for a one-line message: non-printable bytes become '?',
 * cut to fit len.  Returns buf. */
const char *CLI_printable(const char *arg, char *buf, size_t len);

#endif

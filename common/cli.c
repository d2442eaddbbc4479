/* cli: server arguments and numeric option values. */
#include "cli.h"
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

/* The argument made safe to echo in a one-line message: non-printable
 * bytes become '?', and it is cut to fit. */
const char *
CLI_printable(const char *arg, char *buf, size_t len)
{
	size_t i;

	for (i = 0; arg[i] != '\0' && i + 1 < len; i++)
		buf[i] = isprint((unsigned char)arg[i]) ? arg[i] : '?';
	buf[i] = '\0';
	return buf;
}

void
CLI_bad_option(const char *prog, const char *opt, const char *err, void (*usage)(FILE *))
{
	char show[64];

	fprintf(stderr, "%s: %s: %s\n", prog, CLI_printable(opt, show, sizeof(show)), err);
	usage(stderr);
}

static int
valid_host(const char *h, int bracketed)
{
	const char *p;
	int colons = 0;

	if (*h == '\0' || strlen(h) > CLI_HOST_MAX - 1)
		return 0;
	for (p = h; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ':')
			colons++;
		else if (!(isalnum(c) || c == '-' || c == '.' || c == '_' || c == '%'))
			return 0;
	}
	if (bracketed && colons < 2)
		return 0;
	if (h[0] == '-' || h[0] == '.')
		return 0;
	return 1;
}

static int
valid_port(const char *p, char *err, size_t errlen)
{
	const char *e = NULL;
	char show[64];

	if (*p == '\0') {
		snprintf(err, errlen, "missing port number");
		return 0;
	}
	strtonum(p, 1, 65535, &e);
	if (e != NULL) {
		snprintf(err, errlen, "bad port '%s': %s (1..65535)", CLI_printable(p, show, sizeof(show)), e);
		return 0;
	}
	return 1;
}

int
CLI_parse_server(const char *arg, struct cli_server *out, char *err, size_t errlen)
{
	struct cli_server s;
	const char *colon;
	size_t hl;
	char show[80];

	memset(&s, 0, sizeof(s));
	if (arg == NULL || *arg == '\0') {
		snprintf(err, errlen, "empty server name");
		return -1;
	}
	if (strlen(arg) >= sizeof(s.given)) {
		snprintf(err, errlen, "server name too long");
		return -1;
	}
	strlcpy(s.given, arg, sizeof(s.given));
	strlcpy(s.port, CLI_DEFAULT_PORT, sizeof(s.port));
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL) {
			snprintf(err, errlen, "bad server '%s': missing ']'", CLI_printable(arg, show, sizeof(show)));
			return -1;
		}
		hl = (size_t)(close - arg - 1);
		if (hl == 0 || hl >= sizeof(s.host)) {
			snprintf(err, errlen, "bad server '%s': bad address", CLI_printable(arg, show, sizeof(show)));
			return -1;
		}
		memcpy(s.host, arg + 1, hl);
		s.host[hl] = '\0';
		if (close[1] == ':') {
			if (strlen(close + 2) >= sizeof(s.port) || !valid_port(close + 2, err, errlen)) {
				if (strlen(close + 2) >= sizeof(s.port))
					snprintf(err, errlen, "bad port '%s'", CLI_printable(close + 2, show, sizeof(show)));
				return -1;
			}
			strlcpy(s.port, close + 2, sizeof(s.port));
		} else if (close[1] != '\0') {
			snprintf(err, errlen, "bad server '%s': junk after ']'", CLI_printable(arg, show, sizeof(show)));
			return -1;
		}
		if (!valid_host(s.host, 1)) {
			snprintf(err, errlen, "bad server '%s': not an IPv6 address", CLI_printable(arg, show, sizeof(show)));
			return -1;
		}
	} else {
		colon = strchr(arg, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			/* exactly one colon: host:port */
			hl = (size_t)(colon - arg);
			if (hl >= sizeof(s.host)) {
				snprintf(err, errlen, "server name too long");
				return -1;
			}
			memcpy(s.host, arg, hl);
			s.host[hl] = '\0';
			if (strlen(colon + 1) >= sizeof(s.port)) {
				snprintf(err, errlen, "bad port '%s'", CLI_printable(colon + 1, show, sizeof(show)));
				return -1;
			}
			if (!valid_port(colon + 1, err, errlen))
				return -1;
			strlcpy(s.port, colon + 1, sizeof(s.port));
		} else {
			/* a name, an IPv4 address, or a bare IPv6 address */
			strlcpy(s.host, arg, sizeof(s.host));
		}
		if (!valid_host(s.host, 0)) {
			snprintf(err, errlen, "bad server name '%s'", CLI_printable(arg, show, sizeof(show)));
			return -1;
		}
	}
	*out = s;
	return 0;
}

int
CLI_parse_seconds(const char *arg, double min, double max, double *out, char *err, size_t errlen)
{
	char *end = NULL, show[64];
	double v;

	if (arg == NULL || *arg == '\0' || isspace((unsigned char)*arg)) {
		snprintf(err, errlen, "missing number");
		return -1;
	}
	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !isfinite(v)) {
		snprintf(err, errlen, "'%s' is not a number", CLI_printable(arg, show, sizeof(show)));
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%s is out of range (%g..%g)", CLI_printable(arg, show, sizeof(show)), min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
CLI_parse_int(const char *arg, long long min, long long max, long long *out, char *err, size_t errlen)
{
	const char *e = NULL;
	char show[64];
	long long v = strtonum(arg, min, max, &e);

	if (e != NULL && (strcmp(e, "too large") == 0 || strcmp(e, "too small") == 0)) {
		snprintf(err, errlen, "%s is out of range (%lld..%lld)", CLI_printable(arg, show, sizeof(show)), min, max);
		return -1;
	}
	if (e != NULL && (arg == NULL || *arg == '\0')) {
		snprintf(err, errlen, "missing number");
		return -1;
	}
	if (e != NULL) {
		snprintf(err, errlen, "'%s' is not a whole number", CLI_printable(arg, show, sizeof(show)));
		return -1;
	}
	*out = v;
	return 0;
}

const char *
CLI_option_name(int opt, const struct option *longopts, int longindex, char *buf, size_t len)
{
	const struct option *o;

	if (longindex >= 0) {
		snprintf(buf, len, "--%s", longopts[longindex].name);
		return buf;
	}
	if (opt > ' ' && opt < 127) {
		snprintf(buf, len, "-%c", opt);
		return buf;
	}
	for (o = longopts; o->name != NULL; o++)
		if (o->flag == NULL && o->val == opt) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	snprintf(buf, len, "option");
	return buf;
}

void
CLI_common_defaults(struct cli_common *c)
{
	memset(c, 0, sizeof(*c));
	c->family = AF_UNSPEC;
	c->samples = 0;
	c->timeout = CLI_DEF_TIMEOUT;
	c->gap = CLI_DEF_GAP_MS / 1000.0;
	c->max_distance = CLI_DEF_MAX_DISTANCE;
	c->max_step = -1;
}

int
CLI_common_option(struct cli_common *c, int opt, const char *arg, char *err, size_t errlen)
{
	long long n;
	double d;

	switch (opt) {
	case '4':
		c->family = AF_INET;
		return 1;
	case '6':
		c->family = AF_INET6;
		return 1;
	case 'p':
		if (CLI_parse_int(arg, 1, CLI_MAX_SAMPLES, &n, err, errlen) < 0)
			return -1;
		c->samples = (int)n;
		return 1;
	case 't':
		if (CLI_parse_seconds(arg, 0.001, 60, &d, err, errlen) < 0)
			return -1;
		c->timeout = d;
		return 1;
	case CLI_OPT_MAX_STEP:
		if (CLI_parse_seconds(arg, 0, 1e9, &d, err, errlen) < 0)
			return -1;
		c->max_step = d;
		return 1;
	case CLI_OPT_MAX_DISTANCE:
		if (CLI_parse_seconds(arg, 0.001, 16, &d, err, errlen) < 0)
			return -1;
		c->max_distance = d;
		return 1;
	case CLI_OPT_GAP:
		if (CLI_parse_seconds(arg, 0, 60000, &d, err, errlen) < 0)
			return -1;
		c->gap = d / 1000.0;
		return 1;
	}
	return 0;
}

int
CLI_auth_option(struct cli_auth *a, int opt, const char *arg, char *err, size_t errlen)
{
	long long n;
	double d;
	char show[64];

	switch (opt) {
	case 'a':
		if (CLI_parse_int(arg, 1, UINT32_MAX, &n, err, errlen) < 0)
			return -1;
		a->key_id = (uint32_t)n;
		return 1;
	case 'k':
		if (arg[0] == '\0') {
			snprintf(err, errlen, "empty key file name");
			return -1;
		}
		a->keyfile = arg;
		return 1;
	case CLI_OPT_KEYFILE_FORMAT:
		if ((a->keyfile_format = KEY_parse_format(arg)) < 0) {
			snprintf(err, errlen, "'%s' is not a key file format (ntpd, chrony)",
			    CLI_printable(arg, show, sizeof(show)));
			return -1;
		}
		return 1;
	case 'e':
		if (CLI_parse_seconds(arg, 0, 1, &d, err, errlen) < 0)
			return -1;
		a->authdelay = d;
		return 1;
	case 'o':
		if (CLI_parse_int(arg, 1, 4, &n, err, errlen) < 0)
			return -1;
		a->version = (int)n;
		return 1;
	}
	return 0;
}

int
CLI_split_key(const char *arg, char *out, size_t outlen, uint32_t *key_id, char *err, size_t errlen)
{
	const char *hash = strchr(arg, '#');
	long long n;
	char show[64];
	size_t hl;

	if (hash == NULL) {
		if (strlcpy(out, arg, outlen) >= outlen) {
			snprintf(err, errlen, "server name too long");
			return -1;
		}
		return 0;
	}
	hl = (size_t)(hash - arg);
	if (hl == 0 || hl >= outlen) {
		snprintf(err, errlen, "bad server '%s': %s", CLI_printable(arg, show, sizeof(show)),
		    hl == 0 ? "no server before '#'" : "too long");
		return -1;
	}
	if (hash[1 + strspn(hash + 1, "0123456789")] != '\0') {
		snprintf(err, errlen, "bad key in '%s': the key ID after '#' must be a decimal number",
		    CLI_printable(arg, show, sizeof(show)));
		return -1;
	}
	if (CLI_parse_int(hash + 1, 1, UINT32_MAX, &n, err, errlen) < 0) {
		char why[160];
		strlcpy(why, err, sizeof(why));
		snprintf(err, errlen, "bad key in '%s': %s", CLI_printable(arg, show, sizeof(show)), why);
		return -1;
	}
	memcpy(out, arg, hl);
	out[hl] = '\0';
	*key_id = (uint32_t)n;
	return 1;
}

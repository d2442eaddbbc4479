/* conf: configuration files (see conf.h). */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/string.h>

static int
fail(char *err, size_t errlen, const char *name, size_t lineno, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
fail(char *err, size_t errlen, const char *name, size_t lineno, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%zu: %s", name, lineno, why);
	return -1;
}

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Append word w (n bytes) to list; -1 when full or too long. */
static int
add_word(char list[][CNF_WORD_MAX], size_t *count, const char *w, size_t n)
{
	if (*count >= CNF_MAX_WORDS || n == 0 || n >= CNF_WORD_MAX)
		return -1;
	memcpy(list[*count], w, n);
	list[*count][n] = '\0';
	(*count)++;
	return 0;
}

/* Split a value into words on blanks, as the shell splits $VAR. */
static int
add_words(char list[][CNF_WORD_MAX], size_t *count, const char *v, size_t len)
{
	size_t i = 0, start;

	while (i < len) {
		while (i < len && is_blank((unsigned char)v[i]))
			i++;
		start = i;
		while (i < len && !is_blank((unsigned char)v[i]))
			i++;
		if (i > start && add_word(list, count, v + start, i - start) < 0)
			return -1;
	}
	return 0;
}

/* One line of an /etc/default file: [export] NAME=VALUE [# comment],
 * VALUE made of plain characters, '...' and "..." (no expansion). */
static int
parse_defaults_line(const char *l, size_t len, const char *name, size_t lineno, struct cnf *c,
    char *err, size_t errlen)
{
	char key[64], val[CNF_LINE_MAX];
	size_t i = 0, k = 0, v = 0;
	char q;

	while (i < len && is_blank((unsigned char)l[i]))
		i++;
	if (i == len || l[i] == '#')
		return 0;
	if (len - i > 7 && memcmp(l + i, "export", 6) == 0 && is_blank((unsigned char)l[i + 6])) {
		i += 7;
		while (i < len && is_blank((unsigned char)l[i]))
			i++;
	}
	if (i == len || !(isalpha((unsigned char)l[i]) || l[i] == '_'))
		return fail(err, errlen, name, lineno, "expected NAME=value");
	while (i < len && (isalnum((unsigned char)l[i]) || l[i] == '_')) {
		if (k + 1 >= sizeof(key))
			return fail(err, errlen, name, lineno, "variable name too long");
		key[k++] = l[i++];
	}
	key[k] = '\0';
	if (i == len || l[i] != '=')
		return fail(err, errlen, name, lineno, "expected '=' after %s", key);
	i++;
	while (i < len && !is_blank((unsigned char)l[i])) {
		if (l[i] == '\'' || l[i] == '"') {
			q = l[i++];
			while (i < len && l[i] != q) {
				if (q == '"' && (l[i] == '$' || l[i] == '`' || l[i] == '\\'))
					return fail(err, errlen, name, lineno,
					    "'%c' inside double quotes: expansions are not supported", l[i]);
				val[v++] = l[i++];
			}
			if (i == len)
				return fail(err, errlen, name, lineno, "unterminated %c quote", q);
			i++;
			continue;
		}
		if (strchr("$`\\;&|<>()", l[i]) != NULL)
			return fail(err, errlen, name, lineno,
			    "'%c' outside quotes: only plain values and quoted strings are supported", l[i]);
		val[v++] = l[i++];
	}
	while (i < len && is_blank((unsigned char)l[i]))
		i++;
	if (i < len && l[i] != '#')
		return fail(err, errlen, name, lineno, "text after the value of %s (quote a value with spaces)", key);

	if (strcmp(key, "NTPSERVERS") == 0) {
		c->n_servers = 0;
		if (add_words(c->servers, &c->n_servers, val, v) < 0)
			return fail(err, errlen, name, lineno, "more than %d servers, or a name too long", CNF_MAX_WORDS);
		strlcpy(c->servers_from, name, sizeof(c->servers_from));
	} else if (strcmp(key, "NTPOPTIONS") == 0) {
		c->n_options = 0;
		if (add_words(c->options, &c->n_options, val, v) < 0)
			return fail(err, errlen, name, lineno, "more than %d options, or one too long", CNF_MAX_WORDS);
		strlcpy(c->options_from, name, sizeof(c->options_from));
	} else if (strcmp(key, "NTPUPDATE_USE_NTP_CONF") == 0 || strcmp(key, "NTPDATE_USE_NTP_CONF") == 0) {
		if (v == 3 && strncasecmp(val, "yes", 3) == 0)
			c->prefer_daemon_conf = 1;
		else if ((v == 2 && strncasecmp(val, "no", 2) == 0) || v == 0)
			c->prefer_daemon_conf = 0;
		else
			return fail(err, errlen, name, lineno, "%s must be yes or no", key);
	} else if (c->warning[0] == '\0') {
		snprintf(c->warning, sizeof(c->warning), "%s:%zu: unknown variable %s ignored", name, lineno, key);
	}
	return 0;
}

/* One line of chrony.conf or ntp.conf: only server and pool count. */
static int
parse_daemon_line(enum cnf_kind kind, const char *l, size_t len, const char *name, size_t lineno,
    struct cnf *c, char *err, size_t errlen)
{
	const char *tok[16];
	size_t tlen[16], n = 0, i = 0, j;
	char word[CNF_WORD_MAX];
	long port = 0;

	while (i < len && is_blank((unsigned char)l[i]))
		i++;
	/* chrony's comment characters start a line; ntp.conf's # ends one */
	if (i == len || strchr(kind == CNF_KIND_CHRONY ? "#!;%" : "#", l[i]) != NULL)
		return 0;
	while (i < len && n < 16) {
		size_t s = i;
		if (kind == CNF_KIND_NTPSEC && l[i] == '#')
			break;
		while (i < len && !is_blank((unsigned char)l[i]))
			i++;
		tok[n] = l + s;
		tlen[n++] = i - s;
		while (i < len && is_blank((unsigned char)l[i]))
			i++;
	}
	if (!((tlen[0] == 6 && memcmp(tok[0], "server", 6) == 0) ||
	        (tlen[0] == 4 && memcmp(tok[0], "pool", 4) == 0)))
		return 0;
	if (n < 2)
		return fail(err, errlen, name, lineno, "%.*s without a name", (int)tlen[0], tok[0]);
	if (tlen[1] > CLI_HOST_MAX)
		return fail(err, errlen, name, lineno, "server name too long");
	/* NTPsec's reference clocks are pseudo-addresses, not servers */
	if (kind == CNF_KIND_NTPSEC && tlen[1] > 8 && memcmp(tok[1], "127.127.", 8) == 0)
		return 0;
	for (j = 2; kind == CNF_KIND_CHRONY && j < n; j++) {
		if (tlen[j] == 4 && memcmp(tok[j], "port", 4) == 0) {
			char num[8], *end;
			if (j + 1 >= n || tlen[j + 1] >= sizeof(num))
				return fail(err, errlen, name, lineno, "port without a number");
			memcpy(num, tok[j + 1], tlen[j + 1]);
			num[tlen[j + 1]] = '\0';
			port = strtol(num, &end, 10);
			if (*end != '\0' || port < 1 || port > 65535)
				return fail(err, errlen, name, lineno, "bad port %s", num);
		}
	}
	if (port == 0)
		snprintf(word, sizeof(word), "%.*s", (int)tlen[1], tok[1]);
	else if (memchr(tok[1], ':', tlen[1]) != NULL)
		snprintf(word, sizeof(word), "[%.*s]:%ld", (int)tlen[1], tok[1], port);
	else
		snprintf(word, sizeof(word), "%.*s:%ld", (int)tlen[1], tok[1], port);
	if (add_word(c->servers, &c->n_servers, word, strlen(word)) < 0)
		return fail(err, errlen, name, lineno, "more than %d servers", CNF_MAX_WORDS);
	if (c->servers_from[0] == '\0')
		strlcpy(c->servers_from, name, sizeof(c->servers_from));
	return 0;
}

int
CNF_parse(enum cnf_kind kind, const char *text, size_t len, const char *name, struct cnf *c,
    char *err, size_t errlen)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		int r;

		lineno++;
		if (ll >= CNF_LINE_MAX)
			return fail(err, errlen, name, lineno, "line longer than %d bytes", CNF_LINE_MAX - 1);
		if (memchr(text + pos, '\0', ll) != NULL)
			return fail(err, errlen, name, lineno, "NUL byte");
		if (kind == CNF_KIND_DEFAULTS)
			r = parse_defaults_line(text + pos, ll, name, lineno, c, err, errlen);
		else
			r = parse_daemon_line(kind, text + pos, ll, name, lineno, c, err, errlen);
		if (r < 0)
			return -1;
		pos += ll + (nl != NULL);
	}
	return 0;
}

int
CNF_read(enum cnf_kind kind, const char *path, struct cnf *c, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	ssize_t got;
	size_t have = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CNF_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path, CNF_FILE_MAX);
		close(fd);
		return -1;
	}
	buf = malloc(CNF_FILE_MAX);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	/* read to the end, never past the cap, whatever fstat said */
	while (have < CNF_FILE_MAX && (got = read(fd, buf + have, CNF_FILE_MAX - have)) > 0)
		have += (size_t)got;
	close(fd);
	r = CNF_parse(kind, buf, have, path, c, err, errlen);
	free(buf);
	return r;
}

int
CNF_load(const struct cnf_paths *p, struct cnf *c, char *err, size_t errlen)
{
	static const struct cnf_paths std = { CNF_DEFAULTS, CNF_CHRONY, CNF_NTPSEC };
	const char *daemon_conf[2];
	enum cnf_kind kinds[2] = { CNF_KIND_CHRONY, CNF_KIND_NTPSEC };
	struct cnf *d;
	size_t i;

	if (p == NULL)
		p = &std;
	daemon_conf[0] = p->chrony;
	daemon_conf[1] = p->ntpsec;
	memset(c, 0, sizeof(*c));
	if (p->defaults != NULL && CNF_read(CNF_KIND_DEFAULTS, p->defaults, c, err, errlen) < 0)
		return -1;
	if (c->n_servers > 0 && !c->prefer_daemon_conf)
		return 0;
	d = malloc(sizeof(*d));
	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		memset(d, 0, sizeof(*d));
		if (daemon_conf[i] == NULL)
			continue;
		if (CNF_read(kinds[i], daemon_conf[i], d, err, errlen) < 0) {
			free(d);
			return -1;
		}
		if (d->n_servers > 0) {
			memcpy(c->servers, d->servers, sizeof(c->servers));
			c->n_servers = d->n_servers;
			strlcpy(c->servers_from, d->servers_from, sizeof(c->servers_from));
			break;
		}
	}
	free(d);
	return 0;
}

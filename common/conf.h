/* conf: where servers and options come from when none are given on the
 * command line: /etc/default/ntpupdate (NTPSERVERS=, NTPOPTIONS=, the
 * shape Debian's ntpdate used), else the server and pool lines of
 * chrony's or NTPsec's configuration, else nothing (the tool falls back
 * to pool.ntp.org).  The parsers work on text in memory, check every
 * length, and report "file:line: reason". */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>

#include "cli.h"

#define CNF_DEFAULTS "/etc/default/ntpupdate"
#define CNF_CHRONY "/etc/chrony/chrony.conf"
#define CNF_NTPSEC "/etc/ntpsec/ntp.conf"

#define CNF_MAX_WORDS 32
#define CNF_WORD_MAX (CLI_HOST_MAX + 16)
#define CNF_LINE_MAX 1024
#define CNF_FILE_MAX (256 * 1024)

enum cnf_kind {
	CNF_KIND_DEFAULTS, /* KEY=VALUE, a subset of sh */
	CNF_KIND_CHRONY,   /* chrony.conf: server/pool NAME [port N] ... */
	CNF_KIND_NTPSEC,   /* ntp.conf: server/pool NAME ... */
};

struct cnf {
	char servers[CNF_MAX_WORDS][CNF_WORD_MAX];
	size_t n_servers;
	char options[CNF_MAX_WORDS][CNF_WORD_MAX];
	size_t n_options;
	int prefer_daemon_conf;   /* NTPUPDATE_USE_NTP_CONF=yes */
	char servers_from[256];   /* the file the servers came from, or "" */
	char options_from[256];   /* the file the options came from, or "" */
	char warning[300];        /* "file:line: unknown variable X ignored", or "" */
};

/* The files to consult, in order (tests point them elsewhere). */
struct cnf_paths {
	const char *defaults, *chrony, *ntpsec;
};

/* Parse text (len bytes, need not end in a newline or a NUL) of a file
 * of the given kind, named name in messages, adding to c.  0, or -1 with
 * "name:line: reason" in err (c may hold part of the file then). */
int CNF_parse(enum cnf_kind kind, const char *text, size_t len, const char *name, struct cnf *c,
    char *err, size_t errlen);

/* Read and parse one file.  A missing file is 0 with nothing added;
 * one that cannot be read, or is larger than CNF_FILE_MAX, is an error. */
int CNF_read(enum cnf_kind kind, const char *path, struct cnf *c, char *err, size_t errlen);

/* The whole lookup (p NULL: the standard paths): the defaults file, then
 * the servers of the first daemon configuration that names any (before
 * NTPSERVERS when NTPUPDATE_USE_NTP_CONF=yes).  0 with c filled (no
 * servers: none configured), or -1 with err. */
int CNF_load(const struct cnf_paths *p, struct cnf *c, char *err, size_t errlen);

#endif

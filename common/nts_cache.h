/* nts_cache: unused NTS cookies and their keys, kept per NTS-KE server
 * between runs so that a timer run needs no TLS handshake.  One small
 * text file per server, mode 0600, replaced atomically (rename, without
 * fsync: it costs a timer run more than the run itself, and an entry lost
 * or cut short by a power failure is ignored with a warning); an entry
 * is taken (the file removed) before any of its cookies is sent, so no
 * cookie is ever used twice.  The parser trusts no length. */
#ifndef NTS_CACHE_H
#define NTS_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nts_rec.h"
#include "siv.h"

#define NTSC_MAX_FILE 8192

struct ntsc_entry {
	time_t written;
	char ntp_host[NTS_SERVER_MAX + 1];
	char ntp_port[8];
	uint8_t c2s[SIV_KEY_LEN], s2c[SIV_KEY_LEN];
	size_t n_cookies;
	uint16_t cookie_len[NTS_MAX_COOKIES];
	uint8_t cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
};

/* Parse a cache file's text.  Returns 0, or -1 with a reason in note
 * (malformed, or older than max_age seconds at now: stale). */
int NTSC_parse(const char *text, size_t len, time_t now, time_t max_age, struct ntsc_entry *e,
               char *note, size_t notelen);

/* Format an entry; returns the length, or 0 when out is too small. */
size_t NTSC_format(const struct ntsc_entry *e, char *out, size_t cap);

/* Take the entry at path: read, parse and remove it.  Returns 1 (taken),
 * 0 (no entry), -1 (an entry that was ignored, reason in note; it is
 * removed too). */
int NTSC_take(const char *path, time_t now, time_t max_age, struct ntsc_entry *e, char *note,
              size_t notelen);

/* The same without removing anything: would NTSC_take succeed now? */
int NTSC_peek(const char *path, time_t now, time_t max_age, struct ntsc_entry *e, char *note,
              size_t notelen);

/* Write the entry to path atomically with mode 0600.  Returns 0 or -1. */
int NTSC_store(const char *path, const struct ntsc_entry *e, char *note, size_t notelen);

#endif

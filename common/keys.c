/* keys: key files in the ntpd/NTPsec and chrony dialects. */
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsd/string.h>

#define MAX_TOKENS 4

/* One line cut into words, as one dialect sees it. */
struct words {
	size_t n;           /* words found (at most MAX_TOKENS counted) */
	const char *w[MAX_TOKENS];
	size_t len[MAX_TOKENS];
	int comment;        /* chrony: a whole-line comment */
	int inline_comment; /* ntpd: a '#' cut the line */
};

/* What a line says about the dialect of its file. */
enum { EV_NTPD = 1, EV_CHRONY = 2, EV_AMBIGUOUS = 4 };

static const struct {
	const char *name;
	enum key_type type;
} type_names[] = {
	{ "MD5", KEY_T_MD5 },
	{ "SHA1", KEY_T_SHA1 },
	{ "SHA-1", KEY_T_SHA1 },
	{ "SHA256", KEY_T_SHA256 },
	{ "SHA384", KEY_T_SHA384 },
	{ "SHA512", KEY_T_SHA512 },
	{ "AES128", KEY_T_AES128 },     /* chrony */
	{ "AES256", KEY_T_AES256 },     /* chrony */
	{ "AES", KEY_T_AES128 },        /* ntpd: AES is AES-128 */
	{ "AES128CMAC", KEY_T_AES128 }, /* ntp classic */
	{ "AES-128", KEY_T_AES128 },    /* NTPsec (OpenSSL names) */
	{ "AES-256", KEY_T_AES256 },
};

/* Type names chronyd knows, spelled as it requires (case-sensitive). */
static const char *const chrony_types[] = {
	"MD5", "SHA1", "SHA256", "SHA384", "SHA512", "SHA3-224", "SHA3-256",
	"SHA3-384", "SHA3-512", "TIGER", "WHIRLPOOL", "AES128", "AES256",
};

const char *
KEY_type_name(enum key_type t)
{
	switch (t) {
	case KEY_T_MD5: return "MD5";
	case KEY_T_SHA1: return "SHA1";
	case KEY_T_SHA256: return "SHA256";
	case KEY_T_SHA384: return "SHA384";
	case KEY_T_SHA512: return "SHA512";
	case KEY_T_AES128: return "AES128";
	case KEY_T_AES256: return "AES256";
	case KEY_T_UNSUPPORTED: break;
	}
	return "unsupported";
}

size_t
KEY_digest_len(enum key_type t)
{
	switch (t) {
	case KEY_T_MD5:
	case KEY_T_AES128:
	case KEY_T_AES256:
		return 16;
	case KEY_T_SHA1:
	case KEY_T_SHA256:
	case KEY_T_SHA384:
	case KEY_T_SHA512:
		return 20;
	case KEY_T_UNSUPPORTED:
		break;
	}
	return 0;
}

/* Key bytes a CMAC type needs; 0: any length. */
static size_t
cmac_key_len(enum key_type t)
{
	return t == KEY_T_AES128 ? 16 : t == KEY_T_AES256 ? 32 : 0;
}

int
KEY_parse_format(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "ntpd") == 0 || strcmp(s, "ntpsec") == 0 || strcmp(s, "ntp") == 0)
		return KEY_FMT_NTPD;
	if (strcmp(s, "chrony") == 0)
		return KEY_FMT_CHRONY;
	return -1;
}

const char *
KEY_format_name(enum key_format f)
{
	return f == KEY_FMT_CHRONY ? "chrony" : f == KEY_FMT_NTPD ? "ntpd" : "auto";
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Cut line[0..len) into words.  ntpd: a '#' ends the line anywhere;
 * chrony: a line whose first word starts with ! ; # or % is a comment. */
static void
split(const char *line, size_t len, enum key_format fmt, struct words *w)
{
	size_t i = 0, start;

	memset(w, 0, sizeof(*w));
	while (i < len && is_space(line[i]))
		i++;
	if (fmt == KEY_FMT_CHRONY && i < len && strchr("!;#%", line[i]) != NULL) {
		w->comment = 1;
		return;
	}
	while (i < len) {
		if (fmt == KEY_FMT_NTPD && line[i] == '#') {
			w->inline_comment = w->n > 0;
			return;
		}
		start = i;
		while (i < len && !is_space(line[i]) && !(fmt == KEY_FMT_NTPD && line[i] == '#'))
			i++;
		if (w->n < MAX_TOKENS) {
			w->w[w->n] = line + start;
			w->len[w->n] = i - start;
		}
		w->n++;
		while (i < len && is_space(line[i]))
			i++;
	}
}

/* w[0..len) made safe to show: non-printable bytes become '?', cut to fit. */
static void
printable(const char *w, size_t len, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < len && i + 1 < cap; i++)
		out[i] = isprint((unsigned char)w[i]) ? w[i] : '?';
	out[i] = '\0';
}

static int
word_is(const char *w, size_t len, const char *s)
{
	return strlen(s) == len && strncasecmp(w, s, len) == 0;
}

static int
word_prefix(const char *w, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);
	return len >= pl && strncmp(w, prefix, pl) == 0;
}

static int
all_hex(const char *w, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)w[i]))
			return 0;
	return 1;
}

/* Decimal digits only, value <= max.  Returns 0 and *v, or -1. */
static int
parse_id(const char *w, size_t len, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (len == 0 || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(w[i] - '0');
	}
	if (x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static enum key_type
lookup_type(const char *w, size_t len, enum key_format fmt, int *known)
{
	size_t i;

	*known = 1;
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (word_is(w, len, type_names[i].name))
			return type_names[i].type;
	/* ntpd: an unknown name starting with M means MD5 (its old habit) */
	if (fmt == KEY_FMT_NTPD && len > 0 && (w[0] == 'M' || w[0] == 'm'))
		return KEY_T_MD5;
	*known = 0;
	return KEY_T_UNSUPPORTED;
}

static int
chrony_knows_type(const char *w, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof(chrony_types) / sizeof(chrony_types[0]); i++)
		if (strlen(chrony_types[i]) == len && strncmp(w, chrony_types[i], len) == 0)
			return 1;
	return 0;
}

/* What one line tells about the dialect (EV_* bits). */
static int
evidence(const char *line, size_t len)
{
	struct words n, c;
	const char *key, *type;
	size_t klen, tlen;
	uint32_t id;
	int ev = 0;

	split(line, len, KEY_FMT_NTPD, &n);
	split(line, len, KEY_FMT_CHRONY, &c);
	if (c.comment)
		return n.n == 0 ? 0 : EV_CHRONY; /* "; x" is a comment to chrony only */
	if (n.n == 0)
		return 0;
	if (n.inline_comment && n.n == 3 && c.n != 3)
		ev |= EV_NTPD; /* a trailing "# comment": chrony would refuse the line */
	if (c.n == 2 && !n.inline_comment)
		return EV_CHRONY; /* "ID KEY": only chrony has a default type */
	if (c.n != 3 && n.n != 3)
		return ev;
	if (parse_id(n.w[0], n.len[0], UINT32_MAX, &id) == 0 && (id == 0 || id > 65535))
		ev |= EV_CHRONY;
	type = n.w[1];
	tlen = n.len[1];
	if (word_is(type, tlen, "AES128") || word_is(type, tlen, "AES256"))
		ev |= EV_CHRONY;
	else if (!chrony_knows_type(type, tlen))
		ev |= EV_NTPD;
	key = n.w[2];
	klen = n.len[2];
	if (word_prefix(key, klen, "HEX:") || word_prefix(key, klen, "ASCII:"))
		ev |= EV_CHRONY;
	else if (klen > 20) {
		if (all_hex(key, klen) && klen % 2 == 0 && klen <= 64)
			ev |= EV_AMBIGUOUS;
		else
			ev |= EV_CHRONY; /* ntpd could not read it as hex */
	}
	return ev;
}

static void
fail(char *err, size_t errlen, unsigned line, const char *msg)
{
	snprintf(err, errlen, "line %u: %s", line, msg);
}

static int
decode_hex(const char *w, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t i;

	if (len == 0 || len % 2 != 0 || !all_hex(w, len) || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		char b[3] = { w[2 * i], w[2 * i + 1], '\0' };
		out[i] = (uint8_t)strtoul(b, NULL, 16);
	}
	*outlen = len / 2;
	return 0;
}

/* Parse one line in dialect fmt into k.  Returns 1 for a key, 0 for a
 * line without one, -1 with err set. */
static int
parse_line(const char *line, size_t len, unsigned lineno, enum key_format fmt, struct key *k,
    char *err, size_t errlen)
{
	struct words w;
	const char *key, *type;
	size_t klen, tlen, need;
	char show[48];
	int known;

	split(line, len, fmt, &w);
	if (w.comment || w.n == 0)
		return 0;
	memset(k, 0, sizeof(*k));
	k->line = lineno;
	if (fmt == KEY_FMT_CHRONY && w.n == 2) {
		type = "MD5";
		tlen = 3;
		key = w.w[1];
		klen = w.len[1];
	} else if (w.n == 3) {
		type = w.w[1];
		tlen = w.len[1];
		key = w.w[2];
		klen = w.len[2];
	} else {
		fail(err, errlen, lineno, fmt == KEY_FMT_CHRONY ?
		    "expected 'ID [TYPE] KEY'" : "expected 'ID TYPE KEY'");
		return -1;
	}
	if (parse_id(w.w[0], w.len[0], fmt == KEY_FMT_CHRONY ? UINT32_MAX : 65535, &k->id) < 0 ||
	    (fmt == KEY_FMT_NTPD && k->id == 0)) {
		char msg[80];
		printable(w.w[0], w.len[0], show, sizeof(show));
		snprintf(msg, sizeof(msg), "bad key ID '%s' (%s)", show,
		    fmt == KEY_FMT_CHRONY ? "0..4294967295" : "1..65535");
		fail(err, errlen, lineno, msg);
		return -1;
	}
	if (tlen >= sizeof(k->type_name)) {
		fail(err, errlen, lineno, "key type name too long");
		return -1;
	}
	printable(type, tlen, k->type_name, sizeof(k->type_name));
	k->type = lookup_type(type, tlen, fmt, &known);

	if (fmt == KEY_FMT_CHRONY && word_prefix(key, klen, "HEX:")) {
		if (decode_hex(key + 4, klen - 4, k->data, sizeof(k->data), &k->len) < 0) {
			fail(err, errlen, lineno, "bad HEX: key (an even number of hex digits, at most 512)");
			return -1;
		}
	} else if (fmt == KEY_FMT_NTPD && klen > 20) {
		/* ntpd: longer than 20 characters is hex, at most 32 bytes */
		if (decode_hex(key, klen, k->data, 32, &k->len) < 0) {
			fail(err, errlen, lineno, "a key longer than 20 characters must be "
			    "an even number of hex digits, at most 64 (ntpd dialect)");
			return -1;
		}
	} else {
		if (fmt == KEY_FMT_CHRONY && word_prefix(key, klen, "ASCII:")) {
			key += 6;
			klen -= 6;
		}
		if (klen == 0 || klen > sizeof(k->data)) {
			fail(err, errlen, lineno, klen == 0 ? "empty key" : "key longer than 256 bytes");
			return -1;
		}
		memcpy(k->data, key, klen);
		k->len = klen;
	}
	need = cmac_key_len(k->type);
	if (need != 0 && k->len != need) {
		char msg[120];
		snprintf(msg, sizeof(msg), "%s key %u is %zu bytes long, %s needs %zu", KEY_type_name(k->type),
		    (unsigned)k->id, k->len, KEY_type_name(k->type), need);
		fail(err, errlen, lineno, msg);
		explicit_bzero(k, sizeof(*k));
		return -1;
	}
	return 1;
}

static int
add_key(struct keyfile *kf, const struct key *k)
{
	if (kf->n == kf->cap) {
		size_t cap = kf->cap ? kf->cap * 2 : 8;
		struct key *nk = calloc(cap, sizeof(*nk));
		if (nk == NULL)
			return -1;
		if (kf->n > 0) {
			memcpy(nk, kf->keys, kf->n * sizeof(*nk));
			explicit_bzero(kf->keys, kf->n * sizeof(*nk));
		}
		free(kf->keys);
		kf->keys = nk;
		kf->cap = cap;
	}
	kf->keys[kf->n++] = *k;
	return 0;
}

/* Call fn for each line of text: (line, len, number).  Stops at the first
 * nonzero return and passes it back. */
static int
for_lines(const char *text, size_t len, int (*fn)(void *arg, const char *line, size_t llen, unsigned no),
    void *arg)
{
	size_t pos = 0;
	unsigned no = 0;
	int r;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		no++;
		if ((r = fn(arg, text + pos, llen, no)) != 0)
			return r;
		pos += llen + 1;
	}
	return 0;
}

struct scan {
	int ev;                    /* union of EV_* */
	unsigned first_ntpd, first_chrony, first_ambiguous;
	unsigned bad_line;         /* NUL byte or too long */
	const char *bad_what;
};

static int
scan_line(void *arg, const char *line, size_t len, unsigned no)
{
	struct scan *s = arg;
	int ev;

	if (len > KEY_LINE_MAX || memchr(line, '\0', len) != NULL) {
		s->bad_line = no;
		s->bad_what = len > KEY_LINE_MAX ? "line longer than 2048 bytes" : "NUL byte in line";
		return 1;
	}
	ev = evidence(line, len);
	if ((ev & EV_NTPD) && s->first_ntpd == 0)
		s->first_ntpd = no;
	if ((ev & EV_CHRONY) && s->first_chrony == 0)
		s->first_chrony = no;
	if ((ev & EV_AMBIGUOUS) && s->first_ambiguous == 0)
		s->first_ambiguous = no;
	s->ev |= ev;
	return 0;
}

struct load {
	struct keyfile *kf;
	enum key_format fmt;
	char *err;
	size_t errlen;
};

static int
load_line(void *arg, const char *line, size_t len, unsigned no)
{
	struct load *l = arg;
	struct key k;
	const struct key *dup;
	int r = parse_line(line, len, no, l->fmt, &k, l->err, l->errlen);

	if (r <= 0)
		return r;
	if ((dup = KEY_find(l->kf, k.id)) != NULL) {
		snprintf(l->err, l->errlen, "line %u: key %u is already defined on line %u", no,
		    (unsigned)k.id, dup->line);
		explicit_bzero(&k, sizeof(k));
		return -1;
	}
	r = add_key(l->kf, &k);
	explicit_bzero(&k, sizeof(k));
	if (r < 0) {
		snprintf(l->err, l->errlen, "line %u: out of memory", no);
		return -1;
	}
	return 0;
}

int
KEY_parse(struct keyfile *kf, const char *text, size_t len, enum key_format fmt, char *err, size_t errlen)
{
	struct scan s;
	struct load l;

	memset(kf, 0, sizeof(*kf));
	memset(&s, 0, sizeof(s));
	if (for_lines(text, len, scan_line, &s) != 0) {
		snprintf(err, errlen, "line %u: %s", s.bad_line, s.bad_what);
		return -1;
	}
	kf->same_in_both = s.ev == 0; /* no line tells the dialects apart */
	if (fmt == KEY_FMT_AUTO) {
		kf->detected = 1;
		if ((s.ev & EV_NTPD) && (s.ev & EV_CHRONY)) {
			snprintf(err, errlen, "mixes ntpd syntax (line %u) and chrony syntax (line %u); "
			    "use --keyfile-format ntpd|chrony", s.first_ntpd, s.first_chrony);
			return -1;
		} else if (s.ev & EV_CHRONY) {
			fmt = KEY_FMT_CHRONY;
		} else if (s.ev & EV_NTPD) {
			fmt = KEY_FMT_NTPD;
		} else if (s.ev & EV_AMBIGUOUS) {
			snprintf(err, errlen, "line %u: the key is hex to ntpd but ASCII to chrony, and nothing "
			    "in the file tells which; use --keyfile-format ntpd|chrony", s.first_ambiguous);
			return -1;
		} else {
			fmt = KEY_FMT_NTPD; /* every line means the same in both */
		}
	}
	kf->format = fmt;
	l.kf = kf;
	l.fmt = fmt;
	l.err = err;
	l.errlen = errlen;
	if (for_lines(text, len, load_line, &l) != 0) {
		KEY_free(kf);
		return -1;
	}
	return 0;
}

int
KEY_read_file(struct keyfile *kf, const char *path, enum key_format fmt, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	char msg[256];
	size_t got = 0;
	ssize_t n;
	int fd, r;

	memset(kf, 0, sizeof(*kf));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > KEY_FILE_MAX) {
		snprintf(err, errlen, "key file %s: %s", path,
		    !S_ISREG(st.st_mode) ? "not a regular file" : "larger than 1 MiB");
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "key file %s: out of memory", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < (size_t)st.st_size) {
		snprintf(err, errlen, "cannot read key file %s: %s", path, n < 0 ? strerror(errno) : "short read");
		explicit_bzero(buf, got);
		free(buf);
		close(fd);
		return -1;
	}
	close(fd);
	r = KEY_parse(kf, buf, got, fmt, msg, sizeof(msg));
	explicit_bzero(buf, got);
	free(buf);
	if (r < 0) {
		snprintf(err, errlen, "key file %s: %s", path, msg);
		return -1;
	}
	kf->mode = (unsigned)(st.st_mode & 07777);
	kf->loose_mode = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
	return 0;
}

const struct key *
KEY_find(const struct keyfile *kf, uint32_t id)
{
	size_t i;

	for (i = 0; kf != NULL && i < kf->n; i++)
		if (kf->keys[i].id == id)
			return &kf->keys[i];
	return NULL;
}

const struct key *
KEY_usable(const struct keyfile *kf, uint32_t id, char *err, size_t errlen)
{
	const struct key *k = KEY_find(kf, id);

	if (k == NULL) {
		snprintf(err, errlen, "key %u is not in the key file", (unsigned)id);
		return NULL;
	}
	if (k->type == KEY_T_UNSUPPORTED) {
		snprintf(err, errlen, "key %u (line %u) has type '%s'; supported: MD5, SHA1, SHA256, "
		    "SHA384, SHA512, AES128, AES256", (unsigned)id, k->line, k->type_name);
		return NULL;
	}
	return k;
}

void
KEY_free(struct keyfile *kf)
{
	if (kf->keys != NULL) {
		explicit_bzero(kf->keys, kf->cap * sizeof(*kf->keys));
		free(kf->keys);
	}
	memset(kf, 0, sizeof(*kf));
}

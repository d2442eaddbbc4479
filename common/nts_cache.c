/* nts_cache: the NTS cookie cache files. */
#include "nts_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "ntpupdate-nts-cache 1"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2*n lowercase hex digits into out (max n bytes).  Returns the
 * byte count, or -1. */
static long
unhex(const char *s, size_t slen, uint8_t *out, size_t max)
{
	size_t i;

	if (slen % 2 || slen / 2 > max || slen == 0)
		return -1;
	for (i = 0; i < slen; i += 2) {
		int a = hexval(s[i]), b = hexval(s[i + 1]);
		if (a < 0 || b < 0)
			return -1;
		out[i / 2] = (uint8_t)(a << 4 | b);
	}
	return (long)(slen / 2);
}

static int
printable_word(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

static int
bad(char *note, size_t len, const char *why, unsigned line)
{
	snprintf(note, len, "%s (line %u)", why, line);
	return -1;
}

/* The bit of a line that may appear once (0: cookie or unknown). */
static unsigned
key_bit(const char *k, size_t kl)
{
	if (kl == 7 && memcmp(k, "written", 7) == 0)
		return 1;
	if (kl == 3 && memcmp(k, "ntp", 3) == 0)
		return 2;
	if (kl == 3 && memcmp(k, "c2s", 3) == 0)
		return 4;
	if (kl == 3 && memcmp(k, "s2c", 3) == 0)
		return 8;
	return 0;
}

int
NTSC_parse(const char *text, size_t len, time_t now, time_t max_age, struct ntsc_entry *out,
           char *note, size_t notelen)
{
	struct ntsc_entry e;
	size_t pos = 0;
	unsigned line = 0, have = 0;

	memset(&e, 0, sizeof(e));
	if (len > NTSC_MAX_FILE)
		return bad(note, notelen, "file too long", 0);
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos), *sp, *v;
		size_t ll, kl, vl;

		line++;
		if (!nl)
			return bad(note, notelen, "last line not ended", line);
		ll = (size_t)(nl - l);
		pos += ll + 1;
		if (line == 1) {
			if (ll != strlen(MAGIC) || memcmp(l, MAGIC, ll) != 0)
				return bad(note, notelen, "not an ntpupdate NTS cache", line);
			continue;
		}
		sp = memchr(l, ' ', ll);
		if (!sp)
			return bad(note, notelen, "line without a value", line);
		kl = (size_t)(sp - l);
		v = sp + 1;
		vl = ll - kl - 1;
		if (have & key_bit(l, kl))
			return bad(note, notelen, "repeated line", line);
		if (kl == 7 && memcmp(l, "written", 7) == 0) {
			char num[24];
			char *end;
			long long t;
			if (vl == 0 || vl >= sizeof(num))
				return bad(note, notelen, "bad time", line);
			memcpy(num, v, vl);
			num[vl] = '\0';
			errno = 0;
			t = strtoll(num, &end, 10);
			if (errno || *end || t < 0)
				return bad(note, notelen, "bad time", line);
			e.written = (time_t)t;
			have |= 1;
		} else if (kl == 3 && memcmp(l, "ntp", 3) == 0) {
			const char *sp2 = memchr(v, ' ', vl);
			size_t hl = sp2 ? (size_t)(sp2 - v) : 0, pl = sp2 ? vl - hl - 1 : 0;
			if (!sp2 || !printable_word(v, hl, NTS_SERVER_MAX) || pl == 0 || pl > 5 ||
			    strspn(sp2 + 1, "0123456789") < pl)
				return bad(note, notelen, "bad NTP server", line);
			memcpy(e.ntp_host, v, hl);
			e.ntp_host[hl] = '\0';
			memcpy(e.ntp_port, sp2 + 1, pl);
			e.ntp_port[pl] = '\0';
			if (atoi(e.ntp_port) < 1 || atoi(e.ntp_port) > 65535)
				return bad(note, notelen, "bad NTP port", line);
			have |= 2;
		} else if (kl == 3 && memcmp(l, "c2s", 3) == 0) {
			if (unhex(v, vl, e.c2s, SIV_KEY_LEN) != SIV_KEY_LEN)
				return bad(note, notelen, "bad key", line);
			have |= 4;
		} else if (kl == 3 && memcmp(l, "s2c", 3) == 0) {
			if (unhex(v, vl, e.s2c, SIV_KEY_LEN) != SIV_KEY_LEN)
				return bad(note, notelen, "bad key", line);
			have |= 8;
		} else if (kl == 6 && memcmp(l, "cookie", 6) == 0) {
			long n;
			if (e.n_cookies == NTS_MAX_COOKIES)
				return bad(note, notelen, "too many cookies", line);
			n = unhex(v, vl, e.cookie[e.n_cookies], NTS_COOKIE_MAX);
			if (n < 1)
				return bad(note, notelen, "bad cookie", line);
			e.cookie_len[e.n_cookies++] = (uint16_t)n;
		} else {
			return bad(note, notelen, "unknown line", line);
		}
	}
	if (line == 0)
		return bad(note, notelen, "empty file", 0);
	if (have != 15 || e.n_cookies == 0)
		return bad(note, notelen, "incomplete entry", line);
	if (e.written > now + 300 || now - e.written > max_age) {
		snprintf(note, notelen, "stale entry (written %lld s ago)", (long long)(now - e.written));
		return -1;
	}
	*out = e;
	return 0;
}

static size_t
put_hex(char *out, size_t cap, size_t off, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	if (off > cap || cap - off < 2 * n)
		return 0;
	for (i = 0; i < n; i++) {
		out[off + 2 * i] = d[b[i] >> 4];
		out[off + 2 * i + 1] = d[b[i] & 15];
	}
	return off + 2 * n;
}

static size_t
put_str(char *out, size_t cap, size_t off, const char *s)
{
	size_t n = strlen(s);

	if (off > cap || cap - off < n)
		return 0;
	memcpy(out + off, s, n);
	return off + n;
}

size_t
NTSC_format(const struct ntsc_entry *e, char *out, size_t cap)
{
	char head[NTS_SERVER_MAX + 96];
	size_t off, i;

	snprintf(head, sizeof(head), MAGIC "\nwritten %lld\nntp %s %s\nc2s ", (long long)e->written,
	         e->ntp_host, e->ntp_port);
	off = put_str(out, cap, 0, head);
	off = off ? put_hex(out, cap, off, e->c2s, SIV_KEY_LEN) : 0;
	off = off ? put_str(out, cap, off, "\ns2c ") : 0;
	off = off ? put_hex(out, cap, off, e->s2c, SIV_KEY_LEN) : 0;
	off = off ? put_str(out, cap, off, "\n") : 0;
	for (i = 0; off && i < e->n_cookies && i < NTS_MAX_COOKIES; i++) {
		off = put_str(out, cap, off, "cookie ");
		off = off ? put_hex(out, cap, off, e->cookie[i], e->cookie_len[i]) : 0;
		off = off ? put_str(out, cap, off, "\n") : 0;
	}
	return off;
}

/* Read and parse the entry at path; take it (remove the file) or not. */
static int
load(const char *path, time_t now, time_t max_age, struct ntsc_entry *e, char *note, size_t notelen,
     int take)
{
	char buf[NTSC_MAX_FILE + 1];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(note, notelen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		snprintf(note, notelen, "not a regular file of ours with mode 0600");
		return -1; /* left alone: not ours to remove */
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	/* taken: whatever it held is never sent twice */
	if (take)
		unlink(path);
	if (n < 0) {
		snprintf(note, notelen, "cannot read: %s", strerror(errno));
		return -1;
	}
	rc = NTSC_parse(buf, (size_t)n, now, max_age, e, note, notelen);
	return rc == 0 ? 1 : -1;
}

int
NTSC_take(const char *path, time_t now, time_t max_age, struct ntsc_entry *e, char *note, size_t notelen)
{
	return load(path, now, max_age, e, note, notelen, 1);
}

int
NTSC_peek(const char *path, time_t now, time_t max_age, struct ntsc_entry *e, char *note, size_t notelen)
{
	return load(path, now, max_age, e, note, notelen, 0);
}

int
NTSC_store(const char *path, const struct ntsc_entry *e, char *note, size_t notelen)
{
	char text[NTSC_MAX_FILE], tmp[4200];
	size_t len = NTSC_format(e, text, sizeof(text)), done = 0;
	int fd;

	if (len == 0 || snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(note, notelen, "entry too long");
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(note, notelen, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) < 0)
		goto fail;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		done += (size_t)w;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	snprintf(note, notelen, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

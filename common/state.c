/* state: the synchronisation state file (see state.h). */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bsd/string.h>
#include <netinet/in.h>
#include <nettle/md5.h>

#include "engine.h"
#include "ntptime.h"

#define MAX_LINE 128

const char *
STA_path(void)
{
	const char *p = getenv(STA_ENV);
	return (p != NULL && p[0] != '\0') ? p : STA_DEFAULT_PATH;
}

uint32_t
STA_refid(const struct sockaddr *sa)
{
	uint32_t id = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		memcpy(&id, &s4->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		struct md5_ctx ctx;
		uint8_t digest[MD5_DIGEST_SIZE];
		md5_init(&ctx);
		md5_update(&ctx, sizeof(s6->sin6_addr), (const uint8_t *)&s6->sin6_addr);
		md5_digest(&ctx, sizeof(digest), digest);
		memcpy(&id, digest, 4);
	}
	return id;
}

size_t
STA_format(const struct sta_record *r, char *buf, size_t len)
{
	int n = snprintf(buf, len,
	    "# ntpupdate: what the clock was last set from (read by ntpserve)\n"
	    "version 1\n"
	    "stratum %d\n"
	    "leap %d\n"
	    "refid %08" PRIx32 "\n"
	    "root_delay %.9f\n"
	    "root_disp %.9f\n"
	    "set_time %lld.%09ld\n"
	    "real_minus_boot %" PRId64 "\n"
	    "slew %.9f\n"
	    "upstream %s\n",
	    r->stratum, r->leap, (uint32_t)ntohl(r->refid), r->root_delay, r->root_disp,
	    (long long)r->set_real.tv_sec, r->set_real.tv_nsec, r->real_minus_boot, r->slew,
	    r->upstream[0] ? r->upstream : "-");
	if (n < 0 || (size_t)n >= len)
		return 0;
	return (size_t)n;
}

static int
fail(char *err, size_t errlen, const char *msg, int line)
{
	if (line > 0)
		snprintf(err, errlen, "line %d: %s", line, msg);
	else
		snprintf(err, errlen, "%s", msg);
	return -1;
}

/* A finite decimal in [min, max], the whole of s. */
static int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double d;

	if (s[0] == '\0' || strchr(s, 'x') != NULL || strchr(s, 'X') != NULL)
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d) || d < min || d > max)
		return -1;
	*out = d;
	return 0;
}

static int
parse_ll(const char *s, long long min, long long max, int base, long long *out)
{
	char *end;
	long long v;

	if (s[0] == '\0' || s[0] == ' ' || s[0] == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "SEC.NNNNNNNNN" (nine digits) */
static int
parse_instant(const char *s, struct timespec *ts)
{
	const char *dot = strchr(s, '.');
	char sec[32];
	long long v, ns;

	if (dot == NULL || (size_t)(dot - s) >= sizeof(sec) || strlen(dot + 1) != 9)
		return -1;
	memcpy(sec, s, (size_t)(dot - s));
	sec[dot - s] = '\0';
	if (parse_ll(sec, 0, (long long)1 << 40, 10, &v) < 0 || dot[1] == '-' ||
	    parse_ll(dot + 1, 0, 999999999, 10, &ns) < 0)
		return -1;
	ts->tv_sec = (time_t)v;
	ts->tv_nsec = (long)ns;
	return 0;
}

enum { K_VERSION, K_STRATUM, K_LEAP, K_REFID, K_RDELAY, K_RDISP, K_SET, K_RMB, K_SLEW, K_UP, K_N };
static const char *const keys[K_N] = { "version", "stratum", "leap", "refid", "root_delay",
	"root_disp", "set_time", "real_minus_boot", "slew", "upstream" };

int
STA_parse(const char *text, size_t len, struct sta_record *out, char *err, size_t errlen)
{
	struct sta_record r;
	unsigned seen = 0;
	size_t pos = 0;
	int lineno = 0;

	memset(&r, 0, sizeof(r));
	if (len > STA_MAX_FILE)
		return fail(err, errlen, "file too long", 0);
	while (pos < len) {
		char line[MAX_LINE], *val;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		long long v;
		double d;
		int k;

		lineno++;
		if (nl == NULL)
			return fail(err, errlen, "last line not terminated", lineno);
		if (n >= sizeof(line))
			return fail(err, errlen, "line too long", lineno);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (memchr(line, '\0', n) != NULL)
			return fail(err, errlen, "NUL byte", lineno);
		if (n == 0 || line[0] == '#')
			continue;
		val = strchr(line, ' ');
		if (val == NULL)
			return fail(err, errlen, "expected \"key value\"", lineno);
		*val++ = '\0';
		for (k = 0; k < K_N; k++)
			if (strcmp(line, keys[k]) == 0)
				break;
		if (k == K_N)
			return fail(err, errlen, "unknown key", lineno);
		if (seen & (1u << k))
			return fail(err, errlen, "key given twice", lineno);
		seen |= 1u << k;
		switch (k) {
		case K_VERSION:
			if (parse_ll(val, 1, 1, 10, &v) < 0)
				return fail(err, errlen, "unsupported version", lineno);
			break;
		case K_STRATUM:
			if (parse_ll(val, 1, 15, 10, &v) < 0)
				return fail(err, errlen, "stratum outside 1..15", lineno);
			r.stratum = (int)v;
			break;
		case K_LEAP:
			if (parse_ll(val, 0, 2, 10, &v) < 0)
				return fail(err, errlen, "leap outside 0..2", lineno);
			r.leap = (int)v;
			break;
		case K_REFID:
			if (strlen(val) != 8 || val[0] == '-' || parse_ll(val, 0, 0xffffffffLL, 16, &v) < 0)
				return fail(err, errlen, "refid is not 8 hex digits", lineno);
			r.refid = htonl((uint32_t)v);
			break;
		case K_RDELAY:
		case K_RDISP:
			if (parse_double(val, 0.0, 65535.0, &d) < 0)
				return fail(err, errlen, "root delay/dispersion outside 0..65535 s", lineno);
			if (k == K_RDELAY)
				r.root_delay = d;
			else
				r.root_disp = d;
			break;
		case K_SET:
			if (parse_instant(val, &r.set_real) < 0)
				return fail(err, errlen, "set_time is not SEC.NNNNNNNNN", lineno);
			break;
		case K_RMB:
			if (parse_ll(val, -((long long)1 << 62), (long long)1 << 62, 10, &v) < 0)
				return fail(err, errlen, "real_minus_boot is not an integer", lineno);
			r.real_minus_boot = v;
			break;
		case K_SLEW:
			if (parse_double(val, -1e6, 1e6, &d) < 0)
				return fail(err, errlen, "slew is not a number of seconds", lineno);
			r.slew = d;
			break;
		case K_UP:
			if (strlen(val) >= sizeof(r.upstream) || strpbrk(val, " \t\r") != NULL)
				return fail(err, errlen, "upstream too long or with blanks", lineno);
			strlcpy(r.upstream, strcmp(val, "-") == 0 ? "" : val, sizeof(r.upstream));
			break;
		}
	}
	if (seen != (1u << K_N) - 1) {
		int k;
		char msg[64];
		for (k = 0; k < K_N && (seen & (1u << k)); k++)
			;
		snprintf(msg, sizeof(msg), "missing key \"%s\"", keys[k]);
		return fail(err, errlen, msg, 0);
	}
	*out = r;
	return 0;
}

int
STA_read(const char *path, struct sta_record *r, char *err, size_t errlen)
{
	char buf[STA_MAX_FILE + 1], msg[160];
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if (STA_parse(buf, len, r, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		return -1;
	}
	return 0;
}

int
STA_write(const char *path, const struct sta_record *r, char *err, size_t errlen)
{
	char text[STA_MAX_FILE], tmp[4096], dir[4096], *slash;
	size_t len = STA_format(r, text, sizeof(text)), off = 0;
	int fd, e;

	if (len == 0 || strlcpy(tmp, path, sizeof(tmp)) >= sizeof(tmp) - 16 ||
	    strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
		snprintf(err, errlen, "state path too long");
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		struct stat sb;
		*slash = '\0';
		/* mkdir only when missing (ntpupdate's seccomp list has it, but
		 * a directory that is there needs no call) */
		if (stat(dir, &sb) < 0 && mkdir(dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
	}
	strlcat(tmp, ".XXXXXX", sizeof(tmp));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto bad;
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		goto bad;
	if (close(fd) < 0) {
		fd = -1;
		goto bad;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto bad;
	return 0;
bad:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	snprintf(err, errlen, "%s: %s", path, strerror(e));
	return -1;
}

void
STA_clocks(struct timespec *real, struct timespec *boot)
{
	struct timespec b1, b2;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		clock_gettime(CLOCK_BOOTTIME, &b1);
		clock_gettime(CLOCK_REALTIME, real);
		clock_gettime(CLOCK_BOOTTIME, &b2);
		if (NTT_timespec_diff(&b2, &b1) < 100e-6)
			break;
	}
	*boot = NTT_timespec_add(&b1, NTT_timespec_diff(&b2, &b1) / 2);
}

int
STA_from_run(const struct eng_run *run, double slew, struct sta_record *r)
{
	const struct eng_source *s;
	const struct flt_sample *x;
	const struct eng_request *rq = NULL;
	struct timespec real, boot;
	size_t j;

	if (!run->have_result || run->result.sys_peer >= run->n_src)
		return -1;
	s = &run->src[run->result.sys_peer];
	if (!s->have_est || s->est.best >= s->n_samples)
		return -1;
	x = &s->samples[s->est.best];
	for (j = 0; j < s->n_req; j++)
		if (s->req[j].outcome == REQ_OK && s->req[j].sample == s->est.best)
			rq = &s->req[j];
	if (rq == NULL || x->stratum < 1 || x->stratum > 15)
		return -1;
	memset(r, 0, sizeof(*r));
	r->stratum = x->stratum;
	r->leap = rq->reply.leap <= 2 ? rq->reply.leap : 0;
	r->refid = STA_refid((const struct sockaddr *)&s->na.sa);
	r->root_delay = x->root_delay + s->est.delay;
	r->root_disp = x->root_disp + s->est.disp + s->est.jitter;
	r->slew = slew;
	strlcpy(r->upstream, s->addr, sizeof(r->upstream));
	STA_clocks(&real, &boot);
	r->set_real = real;
	r->real_minus_boot = ((int64_t)real.tv_sec - boot.tv_sec) * 1000000000LL +
	    (real.tv_nsec - boot.tv_nsec);
	return 0;
}

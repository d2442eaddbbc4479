/* serve: request checks and reply building (see serve.h). */
#include "serve.h"

#include <math.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nettle/memops.h>

#include "auth_key.h"
#include "clock.h" /* the kernel's rates only: nothing here changes the clock */

#define HDR 48

static void
put_u32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
put_ts(uint8_t *b, NTP_ts t)
{
	put_u32(b, NTT_sec(t));
	put_u32(b + 4, NTT_frac(t));
}

static uint16_t
get_u16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* RFC 7822 trailer after the header: extension fields (length >= 16,
 * a multiple of 4, within the datagram), then optionally a MAC (key id
 * plus a 16- or 20-byte digest).  NTPv1..3 carry no extension fields.
 * Counts without trusting a length. */
static int
frame_trailer(const uint8_t *b, size_t len, int version, size_t *n_ext, size_t *mac_len)
{
	size_t pos = 0, n = 0;

	while (pos < len) {
		size_t left = len - pos, flen;

		if (left == 20 || left == 24) {
			*n_ext = n;
			*mac_len = left;
			return 0;
		}
		if (version < 4 || left < 16)
			return -1;
		flen = get_u16(b + pos + 2);
		if (flen < 16 || flen % 4 != 0 || flen > left)
			return -1;
		pos += flen;
		n++;
	}
	*n_ext = n;
	*mac_len = 0;
	return 0;
}

enum srv_verdict
SRV_parse(const uint8_t *buf, size_t len, struct srv_request *r)
{
	size_t n_ext, mac_len;
	int version, mode;
	static const uint8_t zero[8];

	if (buf == NULL || len < HDR)
		return SRV_SHORT;
	if (len > SRV_MAX_REQUEST)
		return SRV_LONG;
	if (len % 4 != 0)
		return SRV_ALIGN;
	mode = buf[0] & 7;
	version = (buf[0] >> 3) & 7;
	if (mode != 3)
		return SRV_MODE;
	if (version < 1 || version > 4)
		return SRV_VERSION;
	if (frame_trailer(buf + HDR, len - HDR, version, &n_ext, &mac_len) < 0)
		return SRV_TRAILER;
	if (memcmp(buf + 40, zero, 8) == 0)
		return SRV_XMT_ZERO;
	r->version = (uint8_t)version;
	r->poll = (int8_t)buf[2];
	memcpy(r->xmt, buf + 40, 8);
	r->len = len;
	r->n_ext = n_ext;
	r->mac_len = mac_len;
	r->nak = mac_len != 0;
	return SRV_ANSWER;
}

const char *
SRV_verdict_name(enum srv_verdict v)
{
	static const char *const names[SRV_NVERDICTS] = {
		"answer", "short", "long", "unaligned", "mode", "version", "trailer", "zero-transmit",
	};
	return (unsigned)v < SRV_NVERDICTS ? names[v] : "unknown";
}

size_t
SRV_reply(const struct srv_request *r, const struct srv_sync *s, NTP_ts rx, uint8_t *out,
    size_t cap)
{
	size_t len = r->nak ? HDR + 4 : HDR;
	int8_t poll = r->poll;

	if (cap < len || len > r->len)
		return 0;
	if (poll < 4)
		poll = 4;
	if (poll > 17)
		poll = 17;
	out[0] = (uint8_t)((s->leap & 3) << 6 | (r->version & 7) << 3 | 4);
	out[1] = s->stratum;
	out[2] = (uint8_t)poll;
	out[3] = (uint8_t)s->precision;
	put_u32(out + 4, s->root_delay);
	put_u32(out + 8, s->root_disp);
	memcpy(out + 12, &s->refid, 4);
	put_ts(out + 16, s->ref);
	memcpy(out + 24, r->xmt, 8);
	put_ts(out + 32, rx);
	memset(out + 40, 0, 8);
	if (len > HDR)
		memset(out + HDR, 0, 4); /* crypto-NAK: key id 0, no digest */
	return len;
}

size_t
SRV_kod(const struct srv_request *r, const char code[4], NTP_ts rx, uint8_t *out, size_t cap)
{
	if (cap < HDR || r->len < HDR)
		return 0;
	memset(out, 0, HDR);
	out[0] = (uint8_t)(3 << 6 | (r->version & 7) << 3 | 4);
	out[1] = 0;
	out[2] = (uint8_t)(r->poll < 4 ? 4 : r->poll > 17 ? 17 : r->poll);
	memcpy(out + 12, code, 4);
	memcpy(out + 24, r->xmt, 8);
	put_ts(out + 32, rx);
	return HDR;
}

void
SRV_stamp(uint8_t *reply, NTP_ts xmt)
{
	put_ts(reply + 40, xmt);
}

const char *
SRV_sync_why_text(enum srv_sync_why w)
{
	switch (w) {
	case SRV_SYNCED: return "synchronised";
	case SRV_NO_STATE: return "no synchronisation state recorded";
	case SRV_TOO_FAR: return "root distance grew past the limit";
	case SRV_STEPPED: return "the clock was stepped since the last set";
	case SRV_UPSTREAM: return "the upstream was unsynchronised";
	}
	return "unknown";
}

void
SRV_sync_unsynced(struct srv_sync *s, int8_t precision)
{
	memset(s, 0, sizeof(*s));
	s->leap = 3;
	s->stratum = 0;
	s->precision = precision;
}

/* Seconds to the short format, rounded up (a dispersion must not shrink). */
static NTP_short
short_up(double d)
{
	if (!(d > 0))
		return 0;
	if (d >= 65535.0)
		return 0xffffffffu;
	return (NTP_short)ceil(d * 65536.0);
}

void
SRV_sync_local(struct srv_sync *s, int stratum, const struct timespec *real_now, int8_t precision)
{
	memset(s, 0, sizeof(*s));
	s->leap = 0;
	s->stratum = (uint8_t)stratum;
	s->refid = htonl(SRV_LOCAL_REFID);
	s->ref = NTT_from_timespec(real_now);
	s->precision = precision;
}

enum srv_sync_why
SRV_sync_from_state(struct srv_sync *s, const struct sta_record *st,
    const struct timespec *real_now, const struct timespec *boot_now, double max_distance,
    int8_t precision)
{
	double age, moved, lo, hi, tol, left, disp;

	SRV_sync_unsynced(s, precision);
	if (st == NULL)
		return SRV_NO_STATE;
	if (st->stratum < 1 || st->stratum > 14 || st->leap > 2)
		return SRV_UPSTREAM;
	age = NTT_timespec_diff(real_now, &st->set_real);
	/* How far realtime moved against boottime since the set.  A slew in
	 * progress moves it by up to the slew; the kernel's frequency
	 * correction by up to 500 ppm; reading the two clocks, 10 ms at most.
	 * More than that: a step by someone else (or a reboot, which restarts
	 * boottime). */
	moved = ((double)(real_now->tv_sec - boot_now->tv_sec) +
	    (real_now->tv_nsec - boot_now->tv_nsec) * 1e-9) - (double)st->real_minus_boot * 1e-9;
	lo = fmin(0.0, st->slew);
	hi = fmax(0.0, st->slew);
	tol = 0.01 + CLK_LOCAL_RATE * fabs(age);
	if (!(moved >= lo - tol && moved <= hi + tol) || age < -tol)
		return SRV_STEPPED;
	if (age < 0)
		age = 0;
	/* what may still be left of a slew: the kernel slews at 500 ppm */
	left = fmax(0.0, fabs(st->slew) - CLK_SLEW_RATE * age);
	disp = st->root_disp + SRV_GROWTH * age + left;
	if (!(st->root_delay / 2 + disp < max_distance))
		return SRV_TOO_FAR;
	s->leap = (uint8_t)st->leap;
	if (s->leap != 0) {
		/* a leap warning is for the end of the month it was given in */
		struct tm a, b;
		time_t now_s = real_now->tv_sec, set_s = st->set_real.tv_sec;
		if (gmtime_r(&now_s, &a) == NULL || gmtime_r(&set_s, &b) == NULL ||
		    a.tm_year != b.tm_year || a.tm_mon != b.tm_mon)
			s->leap = 0;
	}
	s->stratum = (uint8_t)(st->stratum + 1);
	s->refid = st->refid;
	s->root_delay = short_up(st->root_delay);
	s->root_disp = short_up(disp);
	s->ref = NTT_from_timespec(&st->set_real);
	return SRV_SYNCED;
}

/* A source no reply may go to: port 0, an unspecified, broadcast or
 * multicast address. */
int
SRV_bad_source(const struct sockaddr *ss, const uint8_t **addr)
{
	if (ss->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ss;
		uint32_t h = ntohl(a->sin_addr.s_addr);
		*addr = (const uint8_t *)&a->sin_addr;
		return a->sin_port == 0 || h == 0 || h == 0xffffffffu || (h >> 28) == 0xe;
	}
	if (ss->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ss;
		*addr = (const uint8_t *)&a->sin6_addr;
		return a->sin6_port == 0 || IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) ||
		    IN6_IS_ADDR_MULTICAST(&a->sin6_addr) ||
		    (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) &&
			(a->sin6_addr.s6_addr[12] == 0xff || (a->sin6_addr.s6_addr[12] >> 4) == 0xe ||
			    a->sin6_addr.s6_addr32[3] == 0));
	}
	return 1;
}

enum srv_auth
SRV_check_mac(const uint8_t *buf, struct srv_request *r, const struct keyfile *kf,
    const struct key **k)
{
	const uint8_t *mac;
	const struct key *key;
	uint8_t want[AKEY_MAX_DIGEST];
	size_t off, dlen, n;
	uint32_t id;

	if (r->mac_len == 0)
		return SRV_AUTH_NONE;
	off = r->len - r->mac_len;
	mac = buf + off;
	id = (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 | (uint32_t)mac[2] << 8 | mac[3];
	dlen = r->mac_len - 4;
	key = kf != NULL ? KEY_find(kf, id) : NULL;
	if (key == NULL || KEY_digest_len(key->type) == 0)
		return SRV_AUTH_NAK;
	n = AKEY_digest(key, r->version, buf, off, want);
	if (n != dlen || !memeql_sec(want, mac + 4, dlen))
		return SRV_AUTH_BAD;
	r->nak = 0;
	*k = key;
	return SRV_AUTH_OK;
}

size_t
SRV_sign(uint8_t *reply, size_t cap, const struct srv_request *r, const struct key *k)
{
	uint8_t d[AKEY_MAX_DIGEST];
	size_t n = AKEY_digest(k, r->version, reply, HDR, d);

	if (n == 0 || HDR + 4 + n > cap || HDR + 4 + n > r->len)
		return 0;
	put_u32(reply + HDR, k->id);
	memcpy(reply + HDR + 4, d, n);
	return HDR + 4 + n;
}

/* packet: NTPv4 header encode/decode and sanity tests. */
#include "packet.h"

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <bsd/stdlib.h>
#include <bsd/string.h>

/* A bounds-checked reader: every read can fail. */
struct reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

static int
rd_u8(struct reader *r, uint8_t *v)
{
	if (r->len - r->pos < 1)
		return -1;
	*v = r->buf[r->pos++];
	return 0;
}

static int
rd_u16(struct reader *r, uint16_t *v)
{
	if (r->len - r->pos < 2)
		return -1;
	*v = (uint16_t)(r->buf[r->pos] << 8 | r->buf[r->pos + 1]);
	r->pos += 2;
	return 0;
}

static int
rd_u32(struct reader *r, uint32_t *v)
{
	if (r->len - r->pos < 4)
		return -1;
	*v = (uint32_t)r->buf[r->pos] << 24 | (uint32_t)r->buf[r->pos + 1] << 16 |
	    (uint32_t)r->buf[r->pos + 2] << 8 | r->buf[r->pos + 3];
	r->pos += 4;
	return 0;
}

static int
rd_ts(struct reader *r, NTP_ts *t)
{
	uint32_t s, f;
	if (rd_u32(r, &s) < 0 || rd_u32(r, &f) < 0)
		return -1;
	*t = NTT_make(s, f);
	return 0;
}

static void
wr_u32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
wr_ts(uint8_t *b, NTP_ts t)
{
	wr_u32(b, NTT_sec(t));
	wr_u32(b + 4, NTT_frac(t));
}

size_t
PKT_encode(const struct pkt *p, uint8_t *buf, size_t len)
{
	if (len < PKT_HEADER_LEN)
		return 0;
	buf[0] = (uint8_t)((p->leap & 3) << 6 | (p->version & 7) << 3 | (p->mode & 7));
	buf[1] = p->stratum;
	buf[2] = (uint8_t)p->poll;
	buf[3] = (uint8_t)p->precision;
	wr_u32(buf + 4, p->root_delay);
	wr_u32(buf + 8, p->root_disp);
	memcpy(buf + 12, &p->refid, 4);
	wr_ts(buf + 16, p->ref);
	wr_ts(buf + 24, p->org);
	wr_ts(buf + 32, p->rec);
	wr_ts(buf + 40, p->xmt);
	return PKT_HEADER_LEN;
}

/* RFC 7822: after the header come extension fields (type, length >= 16,
 * multiple of 4) and optionally a MAC (4-byte key id + 16 or 20 byte
 * digest, or a 4-byte crypto-NAK).  Count them without trusting lengths. */
static int
frame_trailer(const uint8_t *buf, size_t len, size_t *n_ext, size_t *ext_len, size_t *mac_len)
{
	struct reader r = { buf, len, 0 };
	size_t n = 0;

	while (r.len - r.pos > 0) {
		size_t left = r.len - r.pos;
		uint16_t type, flen;

		if (left == PKT_MAC_NAK_LEN || left == PKT_MAC_LEN_16 || left == PKT_MAC_LEN_20) {
			*mac_len = left;
			*n_ext = n;
			*ext_len = r.pos;
			return 0;
		}
		if (rd_u16(&r, &type) < 0 || rd_u16(&r, &flen) < 0)
			return -1;
		if (flen < 16 || flen % 4 != 0 || flen > left)
			return -1;
		r.pos += flen - 4;
		n++;
	}
	*n_ext = n;
	*ext_len = r.pos;
	*mac_len = 0;
	return 0;
}

int
PKT_decode(const uint8_t *buf, size_t len, struct pkt *out)
{
	struct reader r = { buf, len, 0 };
	struct pkt p;
	uint8_t b0, prec, poll;
	uint32_t refid;

	if (buf == NULL || len < PKT_HEADER_LEN)
		return PKT_ERR_SHORT;
	if (len > PKT_MAX_LEN)
		return PKT_ERR_LONG;
	if (len % 4 != 0)
		return PKT_ERR_ALIGN;
	memset(&p, 0, sizeof(p));
	if (rd_u8(&r, &b0) < 0 || rd_u8(&r, &p.stratum) < 0 || rd_u8(&r, &poll) < 0 ||
	    rd_u8(&r, &prec) < 0 || rd_u32(&r, &p.root_delay) < 0 ||
	    rd_u32(&r, &p.root_disp) < 0 || rd_u32(&r, &refid) < 0 ||
	    rd_ts(&r, &p.ref) < 0 || rd_ts(&r, &p.org) < 0 || rd_ts(&r, &p.rec) < 0 ||
	    rd_ts(&r, &p.xmt) < 0)
		return PKT_ERR_SHORT;
	p.leap = b0 >> 6;
	p.version = (b0 >> 3) & 7;
	p.mode = b0 & 7;
	p.poll = (int8_t)poll;
	p.precision = (int8_t)prec;
	p.refid = htonl(refid);
	/* NTPv3 and earlier have no extension fields: all of it is a MAC
	 * (chronyd sends a whole SHA-2 digest there) */
	if (p.version >= 1 && p.version <= 3)
		p.mac_len = len - r.pos;
	else if (frame_trailer(buf + r.pos, len - r.pos, &p.n_ext, &p.ext_len, &p.mac_len) < 0)
		return PKT_ERR_EXTFIELD;
	*out = p;
	return PKT_OK;
}

const char *
PKT_decode_strerror(int err)
{
	switch (err) {
	case PKT_OK: return "ok";
	case PKT_ERR_SHORT: return "shorter than 48 bytes";
	case PKT_ERR_ALIGN: return "length not a multiple of 4";
	case PKT_ERR_EXTFIELD: return "malformed extension field";
	case PKT_ERR_LONG: return "longer than 1024 bytes";
	}
	return "unknown decode error";
}

void
PKT_make_request(struct pkt *p, NTP_ts xmt)
{
	memset(p, 0, sizeof(*p));
	p->version = 4;
	p->mode = PKT_MODE_CLIENT;
	p->xmt = xmt;
}

NTP_ts
PKT_random_ts(void)
{
	NTP_ts t;
	do
		arc4random_buf(&t.v, sizeof(t.v));
	while (t.v == 0);
	return t;
}

void
PKT_refid_ascii(const struct pkt *p, char out[5])
{
	const uint8_t *b = (const uint8_t *)&p->refid;
	int i;

	for (i = 0; i < 4; i++)
		out[i] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : (b[i] == 0 ? '\0' : '?');
	out[4] = '\0';
}

enum pkt_kiss
PKT_kiss(const struct pkt *p)
{
	char code[5];

	if (p->stratum != 0)
		return PKT_KISS_NONE;
	PKT_refid_ascii(p, code);
	if (strcmp(code, "DENY") == 0)
		return PKT_KISS_DENY;
	if (strcmp(code, "RSTR") == 0)
		return PKT_KISS_RSTR;
	if (strcmp(code, "RATE") == 0)
		return PKT_KISS_RATE;
	return PKT_KISS_OTHER;
}

double
PKT_root_distance(const struct pkt *p)
{
	return NTT_short_to_double(p->root_delay) / 2.0 + NTT_short_to_double(p->root_disp);
}

unsigned
PKT_check(const struct pkt *p, NTP_ts org, double max_distance)
{
	unsigned m = 0;

	if (p->mode != PKT_MODE_SERVER)
		m |= PKT_T_MODE;
	if (p->version < 1 || p->version > 4)
		m |= PKT_T_VERSION;
	if (NTT_is_zero(p->org) || p->org.v != org.v)
		m |= PKT_T_ORIGIN;
	if (p->stratum == 0) {
		enum pkt_kiss k = PKT_kiss(p);
		if (k == PKT_KISS_DENY || k == PKT_KISS_RSTR || k == PKT_KISS_RATE)
			m |= PKT_T_KOD;
		else
			m |= PKT_T_STRATUM;
	} else if (p->stratum >= 16) {
		m |= PKT_T_STRATUM;
	}
	if (m & PKT_T_KOD)
		return m; /* a kiss carries no time: the rest does not apply */
	if (NTT_is_zero(p->rec) || NTT_is_zero(p->xmt))
		m |= PKT_T_TSZERO;
	else if (NTT_diff(p->xmt, p->rec) < 0)
		m |= PKT_T_TSORDER;
	if (p->leap == PKT_LEAP_UNSYNC)
		m |= PKT_T_LEAP;
	if (!(PKT_root_distance(p) < max_distance))
		m |= PKT_T_DISTANCE;
	return m;
}

static const struct {
	const char *name;
	const char *text;
} tests[PKT_NTESTS] = {
	{ "format", "malformed packet" },
	{ "mode", "not a server reply (mode 4)" },
	{ "version", "NTP version outside 1..4" },
	{ "origin", "origin timestamp does not match our request" },
	{ "timestamp-zero", "receive or transmit timestamp is zero" },
	{ "timestamp-order", "transmit timestamp is before receive timestamp" },
	{ "stratum", "server unsynchronised (stratum 0 or 16+)" },
	{ "leap", "server unsynchronised (leap indicator 3)" },
	{ "distance", "root distance above the limit" },
	{ "delay", "round-trip delay negative or too large" },
	{ "kod", "Kiss-o'-Death" },
	{ "auth", "authentication failed" },
};

const char *
PKT_test_name(unsigned bit)
{
	unsigned i;
	for (i = 0; i < PKT_NTESTS; i++)
		if (bit == (1u << i))
			return tests[i].name;
	return "unknown";
}

const char *
PKT_test_text(unsigned bit)
{
	unsigned i;
	for (i = 0; i < PKT_NTESTS; i++)
		if (bit == (1u << i))
			return tests[i].text;
	return "unknown test";
}

void
PKT_tests_format(unsigned mask, char *buf, size_t len)
{
	unsigned i;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < PKT_NTESTS; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ",", len);
		strlcat(buf, tests[i].name, len);
	}
}

/* nts_rec: NTS-KE record parser and builder (RFC 8915 section 4). */
#include "nts_rec.h"

#include <string.h>

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int
NTSREC_next(const uint8_t *buf, size_t len, size_t *off, struct ntsrec *r)
{
	size_t o = *off;
	uint16_t t, l;

	if (o > len || len - o < 4)
		return 0;
	t = get16(buf + o);
	l = get16(buf + o + 2);
	if (len - o - 4 < l)
		return 0;
	r->critical = (t & 0x8000) != 0;
	r->type = t & 0x7fff;
	r->len = l;
	r->body = buf + o + 4;
	*off = o + 4 + l;
	return 1;
}

size_t
NTSREC_put(uint8_t *buf, size_t cap, size_t off, int critical, uint16_t type,
           const void *body, size_t blen)
{
	uint16_t t = (uint16_t)((type & 0x7fff) | (critical ? 0x8000 : 0));

	if (blen > 0xffff || off > cap || cap - off < 4 + blen)
		return 0;
	buf[off] = (uint8_t)(t >> 8);
	buf[off + 1] = (uint8_t)t;
	buf[off + 2] = (uint8_t)(blen >> 8);
	buf[off + 3] = (uint8_t)blen;
	if (blen)
		memcpy(buf + off + 4, body, blen);
	return off + 4 + blen;
}

size_t
NTSREC_build_request(uint8_t *buf, size_t cap)
{
	static const uint8_t proto[2] = { 0, NTS_PROTO_NTPV4 };
	static const uint8_t aead[2] = { 0, NTS_AEAD_AES_SIV_CMAC_256 };
	size_t off = 0;

	off = NTSREC_put(buf, cap, off, 1, NTSREC_NEXT_PROTO, proto, sizeof(proto));
	if (off)
		off = NTSREC_put(buf, cap, off, 1, NTSREC_AEAD, aead, sizeof(aead));
	if (off)
		off = NTSREC_put(buf, cap, off, 1, NTSREC_END, NULL, 0);
	return off;
}

/* The server name: printable ASCII without spaces (a host name or an
 * address literal). */
static int
server_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0 || n > NTS_SERVER_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

static int
walk(const uint8_t *buf, size_t len, struct nts_ke_resp *o)
{
	size_t off = 0, i;
	struct ntsrec r;
	int seen_proto = 0;

	if (len > NTS_KE_MAX_MSG)
		return NTSREC_E_TOO_LONG;
	while (NTSREC_next(buf, len, &off, &r)) {
		switch (r.type) {
		case NTSREC_END:
			if (r.len != 0)
				return NTSREC_E_RECORD;
			if (off != len)
				return NTSREC_E_TRAILING;
			if (!seen_proto)
				return NTSREC_E_PROTO;
			if (o->aead < 0)
				return NTSREC_E_AEAD;
			if (o->cookies_seen == 0)
				return NTSREC_E_NO_COOKIE;
			return NTSREC_OK;
		case NTSREC_NEXT_PROTO:
			/* we offered NTPv4 alone: the answer is exactly that */
			if (seen_proto || r.len % 2)
				return NTSREC_E_RECORD;
			if (r.len != 2 || get16(r.body) != NTS_PROTO_NTPV4)
				return NTSREC_E_PROTO;
			seen_proto = 1;
			break;
		case NTSREC_ERROR:
			if (r.len != 2)
				return NTSREC_E_RECORD;
			o->has_error = 1;
			o->error = get16(r.body);
			return NTSREC_E_ERROR;
		case NTSREC_WARNING:
			if (r.len != 2)
				return NTSREC_E_RECORD;
			o->has_warning = 1;
			o->warning = get16(r.body);
			return NTSREC_E_WARNING;
		case NTSREC_AEAD:
			if (o->aead >= 0 || r.len % 2)
				return NTSREC_E_RECORD;
			if (r.len != 2 || get16(r.body) != NTS_AEAD_AES_SIV_CMAC_256)
				return NTSREC_E_AEAD;
			o->aead = NTS_AEAD_AES_SIV_CMAC_256;
			break;
		case NTSREC_COOKIE:
			if (r.len == 0 || r.len > NTS_COOKIE_MAX)
				return NTSREC_E_COOKIE_LEN;
			o->cookies_seen++;
			if (o->n_cookies < NTS_MAX_COOKIES) {
				i = o->n_cookies++;
				o->cookie_len[i] = r.len;
				memcpy(o->cookie[i], r.body, r.len);
			}
			break;
		case NTSREC_SERVER:
			if (o->has_server || !server_ok(r.body, r.len))
				return NTSREC_E_SERVER;
			memcpy(o->server, r.body, r.len);
			o->server[r.len] = '\0';
			o->has_server = 1;
			break;
		case NTSREC_PORT:
			if (o->has_port || r.len != 2)
				return NTSREC_E_RECORD;
			o->port = get16(r.body);
			o->has_port = 1;
			break;
		default:
			if (r.critical) {
				o->bad_type = r.type;
				return NTSREC_E_CRITICAL;
			}
			break; /* unknown and not critical: ignored */
		}
	}
	return NTSREC_INCOMPLETE;
}

int
NTSREC_parse_response(const uint8_t *buf, size_t len, struct nts_ke_resp *out)
{
	struct nts_ke_resp o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.aead = -1;
	rc = walk(buf, len, &o);
	*out = o;
	return rc;
}

static const char *const errs[NTSREC_NERR] = {
	[NTSREC_OK] = "ok",
	[NTSREC_INCOMPLETE] = "response without end of message",
	[NTSREC_E_RECORD] = "record of the wrong size",
	[NTSREC_E_ERROR] = "server sent an error record",
	[NTSREC_E_WARNING] = "server sent a warning record",
	[NTSREC_E_CRITICAL] = "unknown critical record",
	[NTSREC_E_PROTO] = "NTPv4 not negotiated",
	[NTSREC_E_AEAD] = "no common AEAD algorithm",
	[NTSREC_E_NO_COOKIE] = "no cookie",
	[NTSREC_E_COOKIE_LEN] = "cookie of zero length or over 256 bytes",
	[NTSREC_E_SERVER] = "bad server negotiation record",
	[NTSREC_E_TRAILING] = "data after end of message",
	[NTSREC_E_TOO_LONG] = "response over 16 KiB",
};

const char *
NTSREC_strerror(int err)
{
	if (err < 0 || err >= NTSREC_NERR)
		return "unknown";
	return errs[err];
}

const char *
NTSREC_error_name(uint16_t code)
{
	switch (code) {
	case 0: return "unrecognized critical record";
	case 1: return "bad request";
	case 2: return "internal server error";
	default: return "unknown error code";
	}
}

/* nts_ef: NTS extension fields (RFC 8915 section 5). */
#include "nts_ef.h"

#include <bsd/stdlib.h>
#include <string.h>

#include "auth.h"
#include "packet.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int
NTSEF_next(const uint8_t *buf, size_t len, size_t *off, struct ntsef *ef)
{
	size_t o = *off, l;

	if (o == len)
		return 0;
	if (o > len || len - o < 4)
		return -1;
	l = get16(buf + o + 2);
	if (l < NTS_EF_MIN || l % 4 || l > len - o)
		return -1;
	ef->type = get16(buf + o);
	ef->start = o;
	ef->len = l - 4;
	ef->body = buf + o + 4;
	*off = o + l;
	return 1;
}

size_t
NTSEF_put(uint8_t *buf, size_t cap, size_t off, uint16_t type, const void *body, size_t blen)
{
	size_t l = pad4(4 + blen);

	if (l < NTS_EF_MIN)
		l = NTS_EF_MIN;
	if (blen > 0xffff - 8 || off > cap || cap - off < l)
		return 0;
	memset(buf + off, 0, l);
	buf[off] = (uint8_t)(type >> 8);
	buf[off + 1] = (uint8_t)type;
	buf[off + 2] = (uint8_t)(l >> 8);
	buf[off + 3] = (uint8_t)l;
	if (body && blen)
		memcpy(buf + off + 4, body, blen);
	return off + l;
}

size_t
NTSEF_put_auth(uint8_t *buf, size_t cap, size_t off, struct siv *key, const uint8_t *nonce,
               size_t nlen, const uint8_t *pt, size_t ptlen)
{
	size_t clen = ptlen + SIV_TAG_LEN, l = 4 + 4 + pad4(nlen) + pad4(clen);
	uint8_t *b;

	if (l < NTS_EF_MIN)
		l = NTS_EF_MIN;
	if (nlen > SIV_MAX_NONCE || ptlen > 2048 || off > cap || cap - off < l)
		return 0;
	b = buf + off;
	memset(b, 0, l);
	b[0] = NTS_EF_AUTH >> 8;
	b[1] = NTS_EF_AUTH & 0xff;
	b[2] = (uint8_t)(l >> 8);
	b[3] = (uint8_t)l;
	b[4] = (uint8_t)(nlen >> 8);
	b[5] = (uint8_t)nlen;
	b[6] = (uint8_t)(clen >> 8);
	b[7] = (uint8_t)clen;
	memcpy(b + 8, nonce, nlen);
	if (SIV_encrypt(key, nonce, nlen, buf, off, pt, ptlen, b + 8 + pad4(nlen), clen) < 0)
		return 0;
	return off + l;
}

size_t
NTSEF_build_request(uint8_t *buf, size_t cap, const uint8_t uid[NTS_UID_LEN], const uint8_t *cookie,
                    size_t cookie_len, unsigned n_placeholders, struct siv *c2s)
{
	uint8_t nonce[NTS_NONCE_LEN];
	size_t off = PKT_HEADER_LEN;
	unsigned i;

	if (cap < PKT_HEADER_LEN || cookie_len == 0 || cookie_len > NTS_COOKIE_MAX)
		return 0;
	off = NTSEF_put(buf, cap, off, NTS_EF_UID, uid, NTS_UID_LEN);
	if (off)
		off = NTSEF_put(buf, cap, off, NTS_EF_COOKIE, cookie, cookie_len);
	for (i = 0; off && i < n_placeholders; i++)
		off = NTSEF_put(buf, cap, off, NTS_EF_PLACEHOLDER, NULL, cookie_len);
	if (!off)
		return 0;
	arc4random_buf(nonce, sizeof(nonce));
	return NTSEF_put_auth(buf, cap, off, c2s, nonce, sizeof(nonce), NULL, 0);
}

static int
uid_match(const struct ntsef *ef, const uint8_t uid[NTS_UID_LEN])
{
	return ef->type == NTS_EF_UID && ef->len == NTS_UID_LEN && memcmp(ef->body, uid, NTS_UID_LEN) == 0;
}

/* The fields inside the decrypted authenticator: cookies kept, our unique
 * identifier noted. */
static int
inner(const uint8_t *pt, size_t len, const uint8_t uid[NTS_UID_LEN], int *uid_seen, struct nts_reply *r)
{
	struct ntsef ef;
	size_t off = 0;
	int rc;

	while ((rc = NTSEF_next(pt, len, &off, &ef)) == 1) {
		if (uid_match(&ef, uid))
			*uid_seen = 1;
		if (ef.type != NTS_EF_COOKIE)
			continue;
		if (ef.len == 0 || ef.len > NTS_COOKIE_MAX)
			return -1;
		if (r->n_cookies < NTS_MAX_COOKIES) {
			r->cookie_len[r->n_cookies] = (uint16_t)ef.len;
			memcpy(r->cookie[r->n_cookies], ef.body, ef.len);
			r->n_cookies++;
		}
	}
	return rc;
}

int
NTSEF_check_reply(const uint8_t *pkt, size_t len, const uint8_t uid[NTS_UID_LEN], struct siv *s2c,
                  struct nts_reply *out)
{
	uint8_t pt[PKT_MAX_LEN];
	struct nts_reply r;
	struct ntsef ef, auth = { 0 };
	size_t off = PKT_HEADER_LEN, nl, cl;
	int rc, uid_seen = 0, has_auth = 0, nak;

	if (len < PKT_HEADER_LEN || len > PKT_MAX_LEN)
		return AUTH_MALFORMED;
	/* stratum 0, reference ID "NTSN" */
	nak = pkt[1] == 0 && memcmp(pkt + 12, "NTSN", 4) == 0;
	while ((rc = NTSEF_next(pkt, len, &off, &ef)) == 1) {
		if (has_auth)
			return AUTH_MALFORMED; /* nothing may follow the authenticator */
		if (uid_match(&ef, uid))
			uid_seen = 1;
		if (ef.type == NTS_EF_AUTH) {
			has_auth = 1;
			auth = ef;
		}
	}
	if (rc < 0)
		return AUTH_MALFORMED;
	if (!has_auth) {
		if (!uid_seen)
			return AUTH_NTS_UID;
		return nak ? AUTH_NTS_NAK : AUTH_MISSING;
	}
	if (auth.len < 4)
		return AUTH_MALFORMED;
	nl = get16(auth.body);
	cl = get16(auth.body + 2);
	if (nl < 1 || nl > SIV_MAX_NONCE || cl < SIV_TAG_LEN || cl - SIV_TAG_LEN > sizeof(pt) ||
	    4 + pad4(nl) + pad4(cl) > auth.len)
		return AUTH_MALFORMED;
	memset(&r, 0, sizeof(r));
	if (SIV_decrypt(s2c, auth.body + 4, nl, pkt, auth.start, auth.body + 4 + pad4(nl), cl, pt,
	                cl - SIV_TAG_LEN) < 0)
		return AUTH_DIGEST;
	if (inner(pt, cl - SIV_TAG_LEN, uid, &uid_seen, &r) < 0)
		return AUTH_MALFORMED;
	if (!uid_seen)
		return AUTH_NTS_UID;
	if (nak)
		return AUTH_NTS_NAK;
	*out = r;
	return AUTH_OK;
}

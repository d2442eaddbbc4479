/* auth_key: the symmetric-key method (RFC 5905 MAC, RFC 8573 CMAC). */
#include "auth_key.h"

#include <stdio.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/cmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "packet.h"

static uint32_t
rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int
AKEY_parse_mac(const uint8_t *buf, size_t len, struct akey_mac *mac)
{
	size_t pos = PKT_HEADER_LEN, left;
	uint32_t id;
	int vn;

	if (buf == NULL || len < PKT_HEADER_LEN)
		return AUTH_MALFORMED;
	vn = (buf[0] >> 3) & 7;
	for (;;) {
		left = len - pos;
		if (left == 0)
			return AUTH_MISSING;
		if (left <= AKEY_V4_MAX_MAC || vn <= 3)
			break;
		/* an extension field: type, length (>= 16, a multiple of 4) */
		{
			size_t flen = (size_t)buf[pos + 2] << 8 | buf[pos + 3];
			if (flen < 16 || flen % 4 != 0 || flen > left)
				return AUTH_MALFORMED;
			pos += flen;
		}
	}
	if (left < 4)
		return AUTH_TRUNCATED;
	id = rd32(buf + pos);
	if (left == 4)
		return id == 0 ? AUTH_CRYPTO_NAK : AUTH_TRUNCATED;
	if (left % 4 != 0 && left < 4 + 16)
		return AUTH_TRUNCATED;
	mac->offset = pos;
	mac->key_id = id;
	mac->digest = buf + pos + 4;
	mac->digest_len = left - 4;
	return AUTH_OK;
}

/* One digest of key || data, or CMAC(key, data), with nettle.  The
 * contexts hold key material: wiped before return. */
size_t
AKEY_digest(const struct key *k, int vn, const uint8_t *data, size_t len, uint8_t *out)
{
	union {
		struct md5_ctx md5;
		struct sha1_ctx sha1;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512; /* also SHA384 */
		struct cmac_aes128_ctx aes128;
		struct cmac_aes256_ctx aes256;
	} c;
	uint8_t full[AKEY_MAX_DIGEST];
	size_t flen = 0, n;

	if (k->len == 0)
		return 0;
	switch (k->type) {
	case KEY_T_MD5:
		md5_init(&c.md5);
		md5_update(&c.md5, k->len, k->data);
		md5_update(&c.md5, len, data);
		md5_digest(&c.md5, flen = MD5_DIGEST_SIZE, full);
		break;
	case KEY_T_SHA1:
		sha1_init(&c.sha1);
		sha1_update(&c.sha1, k->len, k->data);
		sha1_update(&c.sha1, len, data);
		sha1_digest(&c.sha1, flen = SHA1_DIGEST_SIZE, full);
		break;
	case KEY_T_SHA256:
		sha256_init(&c.sha256);
		sha256_update(&c.sha256, k->len, k->data);
		sha256_update(&c.sha256, len, data);
		sha256_digest(&c.sha256, flen = SHA256_DIGEST_SIZE, full);
		break;
	case KEY_T_SHA384:
		sha384_init(&c.sha512);
		sha384_update(&c.sha512, k->len, k->data);
		sha384_update(&c.sha512, len, data);
		sha384_digest(&c.sha512, flen = SHA384_DIGEST_SIZE, full);
		break;
	case KEY_T_SHA512:
		sha512_init(&c.sha512);
		sha512_update(&c.sha512, k->len, k->data);
		sha512_update(&c.sha512, len, data);
		sha512_digest(&c.sha512, flen = SHA512_DIGEST_SIZE, full);
		break;
	case KEY_T_AES128:
		if (k->len != AES128_KEY_SIZE)
			return 0;
		cmac_aes128_set_key(&c.aes128, k->data);
		cmac_aes128_update(&c.aes128, len, data);
		cmac_aes128_digest(&c.aes128, flen = CMAC128_DIGEST_SIZE, full);
		break;
	case KEY_T_AES256:
		if (k->len != AES256_KEY_SIZE)
			return 0;
		cmac_aes256_set_key(&c.aes256, k->data);
		cmac_aes256_update(&c.aes256, len, data);
		cmac_aes256_digest(&c.aes256, flen = CMAC128_DIGEST_SIZE, full);
		break;
	case KEY_T_UNSUPPORTED:
		return 0;
	}
	explicit_bzero(&c, sizeof(c));
	/* NTPv4 MACs carry at most 20 bytes of digest (RFC 7822) */
	n = vn >= 4 && flen > 20 ? 20 : flen;
	memcpy(out, full, n);
	explicit_bzero(full, sizeof(full));
	return n;
}

int
AKEY_verify(const struct key *k, uint32_t rq_key_id, const uint8_t *buf, size_t len)
{
	struct akey_mac mac;
	uint8_t want[AKEY_MAX_DIGEST];
	size_t n;
	int r, vn, same;

	r = AKEY_parse_mac(buf, len, &mac);
	if (r != AUTH_OK)
		return r;
	if (mac.key_id != rq_key_id)
		return AUTH_KEYID;
	vn = (buf[0] >> 3) & 7;
	/* a v3 reply may still carry the 20-byte truncation (NTPsec does) */
	n = AKEY_digest(k, mac.digest_len == 20 ? 4 : vn, buf, mac.offset, want);
	if (n == 0)
		return AUTH_DIGEST;
	if (mac.digest_len < n)
		return AUTH_TRUNCATED;
	if (mac.digest_len > n)
		return AUTH_DIGEST;
	same = memeql_sec(want, mac.digest, n);
	explicit_bzero(want, sizeof(want));
	return same ? AUTH_OK : AUTH_DIGEST;
}

static size_t
key_sign(void *ctx, uint8_t *buf, size_t len, size_t cap, struct auth_req *rq)
{
	const struct key *k = ctx;
	uint8_t d[AKEY_MAX_DIGEST];
	size_t n;
	int vn;

	if (k == NULL || len < PKT_HEADER_LEN)
		return 0;
	vn = (buf[0] >> 3) & 7;
	n = AKEY_digest(k, vn, buf, len, d);
	if (n == 0 || cap - len < 4 + n) {
		explicit_bzero(d, sizeof(d));
		return 0;
	}
	buf[len] = (uint8_t)(k->id >> 24);
	buf[len + 1] = (uint8_t)(k->id >> 16);
	buf[len + 2] = (uint8_t)(k->id >> 8);
	buf[len + 3] = (uint8_t)k->id;
	memcpy(buf + len + 4, d, n);
	explicit_bzero(d, sizeof(d));
	rq->key_id = k->id;
	return len + 4 + n;
}

static int
key_check(void *ctx, const uint8_t *buf, size_t len, const struct auth_req *rq)
{
	const struct key *k = ctx;

	if (k == NULL)
		return AUTH_MISSING;
	return AKEY_verify(k, rq->key_id, buf, len);
}

void
AKEY_describe(const void *ctx, int brief, char *buf, size_t len)
{
	const struct key *k = ctx;

	if (k == NULL)
		snprintf(buf, len, "?");
	else if (brief)
		snprintf(buf, len, "#%u", (unsigned)k->id);
	else
		snprintf(buf, len, "%u (%s)", (unsigned)k->id, KEY_type_name(k->type));
}

const struct auth_method AUTH_key = {
	.name = "symmetric key",
	.sign = key_sign,
	.check = key_check,
};

/* auth_key: the symmetric-key method (RFC 5905 MAC, RFC 8573 CMAC). */
#include "auth_key.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <nettle/memops.h>

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

static int
hash_alg(enum key_type t, size_t *full)
{
	switch (t) {
	case KEY_T_MD5: *full = 16; return GNUTLS_DIG_MD5;
	case KEY_T_SHA1: *full = 20; return GNUTLS_DIG_SHA1;
	case KEY_T_SHA256: *full = 32; return GNUTLS_DIG_SHA256;
	case KEY_T_SHA384: *full = 48; return GNUTLS_DIG_SHA384;
	case KEY_T_SHA512: *full = 64; return GNUTLS_DIG_SHA512;
	case KEY_T_AES128: *full = 16; return GNUTLS_MAC_AES_CMAC_128;
	case KEY_T_AES256: *full = 16; return GNUTLS_MAC_AES_CMAC_256;
	case KEY_T_UNSUPPORTED: break;
	}
	*full = 0;
	return 0;
}

size_t
AKEY_digest(const struct key *k, int vn, const uint8_t *data, size_t len, uint8_t *out)
{
	uint8_t full[AKEY_MAX_DIGEST];
	size_t flen, n;
	int alg = hash_alg(k->type, &flen);

	if (alg == 0 || k->len == 0)
		return 0;
	if (k->type == KEY_T_AES128 || k->type == KEY_T_AES256) {
		if (gnutls_hmac_fast((gnutls_mac_algorithm_t)alg, k->data, k->len, data, len, full) < 0)
			return 0;
	} else {
		gnutls_hash_hd_t h;
		if (gnutls_hash_init(&h, (gnutls_digest_algorithm_t)alg) < 0)
			return 0;
		if (gnutls_hash(h, k->data, k->len) < 0 || gnutls_hash(h, data, len) < 0) {
			gnutls_hash_deinit(h, full);
			explicit_bzero(full, sizeof(full));
			return 0;
		}
		gnutls_hash_deinit(h, full);
	}
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

static void
key_describe(void *ctx, int brief, char *buf, size_t len)
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
	.describe = key_describe,
};

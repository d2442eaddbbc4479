/* auth_key: symmetric-key authentication of NTP exchanges, as ntpd and
 * chronyd do it.  A MAC (4-byte key ID, then a digest) follows the header
 * and any extension fields.  MD5 and SHA1 (and SHA-2, truncated to 20
 * bytes in NTPv4) digest the key, then the packet (RFC 5905 appendix A);
 * AES128 and AES256 are AES-CMAC of the packet under the key (RFC 8573).
 * The crypto is nettle's (GnuTLS's own library, without GnuTLS's start-up
 * cost); digests are compared in constant time. */
#ifndef AUTH_KEY_H
#define AUTH_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "keys.h"

#define AKEY_MAX_DIGEST 64 /* SHA512 */
#define AKEY_V4_MAX_MAC 24 /* RFC 7822: key ID + at most 20 bytes */

/* Where a packet's MAC lies. */
struct akey_mac {
	size_t offset;         /* first byte of the MAC (= bytes it covers) */
	uint32_t key_id;
	const uint8_t *digest; /* into the packet */
	size_t digest_len;
};

/* Find the MAC in buf[0..len): after the 48-byte header, walk RFC 7822
 * extension fields while more than 24 bytes remain, then what remains is
 * the MAC (NTP version 3 or less: everything after the header is).
 * Returns AUTH_OK and fills *mac, or AUTH_MISSING (nothing after the
 * header), AUTH_CRYPTO_NAK (4 bytes, key ID 0), AUTH_TRUNCATED (a key ID
 * without a digest, or a partial word), AUTH_MALFORMED (extension fields
 * that do not frame); *mac is then untouched. */
int AKEY_parse_mac(const uint8_t *buf, size_t len, struct akey_mac *mac);

/* The digest of data[0..len) under key k, as many bytes as NTP version
 * vn sends (16 or 20 in NTPv4; the whole SHA-2 digest in NTPv3 and
 * earlier), into out (AKEY_MAX_DIGEST bytes).  Returns its length, 0 for
 * a key that cannot be used. */
size_t AKEY_digest(const struct key *k, int vn, const uint8_t *data, size_t len, uint8_t *out);

/* Judge the MAC of a reply to a request signed with key k (whose ID is
 * rq_key_id): AUTH_OK, or the enum auth_fail that says why not. */
int AKEY_verify(const struct key *k, uint32_t rq_key_id, const uint8_t *buf, size_t len);

/* A keyed source's key in a few words, to follow the method's name:
 * "5 (AES128)"; brief: a tag for a table, "#5".  ctx: the method's. */
void AKEY_describe(const void *ctx, int brief, char *buf, size_t len);

/* The method.  Its ctx is the source's `const struct key *`, owned by the
 * key file, which must outlive the run. */
extern const struct auth_method AUTH_key;

#endif

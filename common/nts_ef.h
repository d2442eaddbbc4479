/* nts_ef: NTS extension fields for NTPv4 (RFC 8915 section 5): unique
 * identifier, cookie, cookie placeholder, and the authenticator with its
 * encrypted extension fields.  The parser checks every length before it
 * reads (RFC 7822 framing: 4-byte header, length a multiple of 4 and at
 * least 16), and decrypts only into the caller's fixed buffers. */
#ifndef NTS_EF_H
#define NTS_EF_H

#include <stddef.h>
#include <stdint.h>

#include "nts_rec.h"
#include "siv.h"

#define NTS_EF_UID 0x0104
#define NTS_EF_COOKIE 0x0204
#define NTS_EF_PLACEHOLDER 0x0304
#define NTS_EF_AUTH 0x0404

#define NTS_UID_LEN 32
#define NTS_NONCE_LEN 16
#define NTS_EF_MIN 16

/* One extension field; body points into the packet. */
struct ntsef {
	uint16_t type;
	size_t start;   /* offset of its header in the packet */
	size_t len;     /* body length (field length - 4) */
	const uint8_t *body;
};

/* Read the field at buf[*off..len).  Returns 1 and advances *off, 0 at the
 * end (off == len), -1 when the framing is wrong. */
int NTSEF_next(const uint8_t *buf, size_t len, size_t *off, struct ntsef *ef);

/* Append a field (body zero-padded to a multiple of 4 and to the 16-byte
 * minimum).  body NULL: a body of blen zero bytes (a cookie placeholder).
 * Returns the new offset, or 0 when it does not fit. */
size_t NTSEF_put(uint8_t *buf, size_t cap, size_t off, uint16_t type, const void *body, size_t blen);

/* Append the authenticator: buf[0..off) is the associated data, pt the
 * extension fields to encrypt (may be empty).  Returns the new offset, or 0. */
size_t NTSEF_put_auth(uint8_t *buf, size_t cap, size_t off, struct siv *key, const uint8_t *nonce,
                      size_t nlen, const uint8_t *pt, size_t ptlen);

/* A client request: buf[0..48) holds the header.  Appends the unique
 * identifier, the cookie, n_placeholders placeholders of the cookie's
 * length, and the authenticator under c2s with a fresh nonce.  Returns the
 * length, or 0 when it does not fit in cap. */
size_t NTSEF_build_request(uint8_t *buf, size_t cap, const uint8_t uid[NTS_UID_LEN],
                           const uint8_t *cookie, size_t cookie_len, unsigned n_placeholders,
                           struct siv *c2s);

/* What a verified reply brought. */
struct nts_reply {
	size_t n_cookies;
	uint16_t cookie_len[NTS_MAX_COOKIES];
	uint8_t cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
};

/* Judge the raw reply pkt[0..len) to a request with unique identifier uid:
 * AUTH_OK (and *out holds the new cookies), or an enum auth_fail:
 * AUTH_MALFORMED (framing), AUTH_NTS_UID (our identifier absent),
 * AUTH_NTS_NAK (kiss code NTSN with our identifier), AUTH_MISSING (no
 * authenticator, or fields after it), AUTH_DIGEST (tag does not verify). */
int NTSEF_check_reply(const uint8_t *pkt, size_t len, const uint8_t uid[NTS_UID_LEN], struct siv *s2c,
                      struct nts_reply *out);

#endif

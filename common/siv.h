/* siv: AES-SIV-CMAC-256 (RFC 5297; NTS AEAD id 15) from nettle, behind
 * three calls: set the key, encrypt, decrypt.  The output of encryption
 * is the 16-byte synthetic IV followed by the ciphertext, as NTS puts it
 * on the wire.  Every length is checked here, so no caller can reach the
 * library's assertions (a nonce must be at least one byte). */
#ifndef SIV_H
#define SIV_H

#include <stddef.h>
#include <stdint.h>

#define SIV_KEY_LEN 32
#define SIV_TAG_LEN 16
#define SIV_MAX_NONCE 64

/* Room for nettle's struct siv_cmac_aes128_ctx (checked in siv.c), so
 * that this header needs no nettle header. */
struct siv {
	int keyed;                       /* 0 until a key is set */
	_Alignas(16) unsigned char ctx[640];
};

/* Set (or replace) the key; len must be SIV_KEY_LEN.  Returns 0, or -1. */
int SIV_set_key(struct siv *s, const uint8_t *key, size_t len);

/* out[0..ptlen + SIV_TAG_LEN) = tag || ciphertext.  out_len must be
 * exactly ptlen + SIV_TAG_LEN.  Returns 0, or -1 (bad lengths, no key). */
int SIV_encrypt(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *ad, size_t adlen,
                const uint8_t *pt, size_t ptlen, uint8_t *out, size_t out_len);

/* The inverse: out_len must be ctlen - SIV_TAG_LEN.  Returns 0, or -1 when
 * the tag does not verify (out then holds nothing usable). */
int SIV_decrypt(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *ad, size_t adlen,
                const uint8_t *ct, size_t ctlen, uint8_t *out, size_t out_len);

/* Forget the key. */
void SIV_clear(struct siv *s);

#endif

/* siv: AES-SIV-CMAC-256 through gnutls_aead_cipher_*. */
#include "siv.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

int
SIV_set_key(struct siv *s, const uint8_t *key, size_t len)
{
	gnutls_aead_cipher_hd_t h;
	gnutls_datum_t k;

	if (len != SIV_KEY_LEN)
		return -1;
	k.data = (unsigned char *)(uintptr_t)key;
	k.size = (unsigned)len;
	if (gnutls_aead_cipher_init(&h, GNUTLS_CIPHER_AES_128_SIV, &k) < 0)
		return -1;
	SIV_clear(s);
	s->h = h;
	return 0;
}

static int
lengths_ok(const struct siv *s, size_t nlen, size_t adlen)
{
	return s->h && nlen >= 1 && nlen <= SIV_MAX_NONCE && adlen <= 65536;
}

int
SIV_encrypt(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *ad, size_t adlen,
            const uint8_t *pt, size_t ptlen, uint8_t *out, size_t out_len)
{
	size_t n = out_len;

	if (!lengths_ok(s, nlen, adlen) || ptlen > 65536 || out_len != ptlen + SIV_TAG_LEN)
		return -1;
	if (gnutls_aead_cipher_encrypt(s->h, nonce, nlen, adlen ? ad : NULL, adlen, SIV_TAG_LEN,
	                               ptlen ? pt : NULL, ptlen, out, &n) < 0 || n != out_len)
		return -1;
	return 0;
}

int
SIV_decrypt(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *ad, size_t adlen,
            const uint8_t *ct, size_t ctlen, uint8_t *out, size_t out_len)
{
	uint8_t dummy[1];
	size_t n = out_len;

	if (!lengths_ok(s, nlen, adlen) || ctlen < SIV_TAG_LEN || ctlen > 65536 + SIV_TAG_LEN ||
	    out_len != ctlen - SIV_TAG_LEN)
		return -1;
	if (gnutls_aead_cipher_decrypt(s->h, nonce, nlen, adlen ? ad : NULL, adlen, SIV_TAG_LEN,
	                               ct, ctlen, out_len ? out : dummy, &n) < 0 || n != out_len)
		return -1;
	return 0;
}

void
SIV_clear(struct siv *s)
{
	if (s->h)
		gnutls_aead_cipher_deinit(s->h);
	s->h = NULL;
}

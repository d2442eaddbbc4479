/* siv: AES-SIV-CMAC-256 through nettle's siv-cmac (the implementation
 * GnuTLS itself uses): the tools check NTS replies with it without
 * loading GnuTLS, which only the key exchange needs. */
#include "siv.h"

#include <string.h>

#include <nettle/siv-cmac.h>

_Static_assert(sizeof(((struct siv *)0)->ctx) >= sizeof(struct siv_cmac_aes128_ctx),
               "struct siv too small for nettle's context");

static struct siv_cmac_aes128_ctx *
ctx_of(struct siv *s)
{
	return (struct siv_cmac_aes128_ctx *)(void *)s->ctx;
}

int
SIV_set_key(struct siv *s, const uint8_t *key, size_t len)
{
	if (len != SIV_KEY_LEN || SIV_CMAC_AES128_KEY_SIZE != SIV_KEY_LEN)
		return -1;
	siv_cmac_aes128_set_key(ctx_of(s), key);
	s->keyed = 1;
	return 0;
}

static int
lengths_ok(const struct siv *s, size_t nlen, size_t adlen)
{
	return s->keyed && nlen >= SIV_MIN_NONCE_SIZE && nlen <= SIV_MAX_NONCE && adlen <= 65536;
}

int
SIV_encrypt(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *ad, size_t adlen,
            const uint8_t *pt, size_t ptlen, uint8_t *out, size_t out_len)
{
	static const uint8_t none[1];

	if (!lengths_ok(s, nlen, adlen) || ptlen > 65536 || out_len != ptlen + SIV_TAG_LEN ||
	    SIV_DIGEST_SIZE != SIV_TAG_LEN)
		return -1;
	siv_cmac_aes128_encrypt_message(ctx_of(s), nlen, nonce, adlen, adlen ? ad : none, out_len, out,
	                                ptlen ? pt : none);
	return 0;
}

int
SIV_decrypt(struct siv *s, const uint8_t *nonce, size_t nlen, const uint8_t *ad, size_t adlen,
            const uint8_t *ct, size_t ctlen, uint8_t *out, size_t out_len)
{
	static const uint8_t none[1];
	uint8_t dummy[1];

	if (!lengths_ok(s, nlen, adlen) || ctlen < SIV_TAG_LEN || ctlen > 65536 + SIV_TAG_LEN ||
	    out_len != ctlen - SIV_TAG_LEN)
		return -1;
	if (!siv_cmac_aes128_decrypt_message(ctx_of(s), nlen, nonce, adlen, adlen ? ad : none, out_len,
	                                     out_len ? out : dummy, ct)) {
		explicit_bzero(out_len ? out : dummy, out_len ? out_len : sizeof(dummy));
		return -1;
	}
	return 0;
}

void
SIV_clear(struct siv *s)
{
	explicit_bzero(s, sizeof(*s));
}

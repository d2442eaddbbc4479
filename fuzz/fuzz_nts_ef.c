/* libFuzzer: the NTS extension-field reply check on arbitrary bytes.
 * Input: a mode byte, a split byte, then the bytes.  Mode even: the bytes
 * are the reply as received.  Mode odd: the bytes before the split (x4)
 * are the header and outer fields, the rest the plaintext that a genuine
 * authenticator (the key below) encrypts, so the fuzzer reaches the parser
 * of the decrypted fields too.  The unique identifier is 32 zero bytes. */
#include <stdint.h>
#include <string.h>

#include "common/auth.h"
#include "common/nts_ef.h"
#include "common/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[SIV_KEY_LEN] = { 7 }, nonce[16] = { 1 };
	uint8_t uid[NTS_UID_LEN] = { 0 }, pkt[PKT_MAX_LEN];
	struct siv s = { 0 };
	struct nts_reply r;
	struct ntsef ef;
	size_t len, off = 0, split, i;
	int rc, mode;

	if (size < 2)
		return 0;
	mode = data[0] & 1;
	split = (size_t)data[1] * 4;
	data += 2;
	size -= 2;
	if (SIV_set_key(&s, key, sizeof(key)) < 0)
		__builtin_trap();
	if (mode == 0 || split > size || split > sizeof(pkt)) {
		len = size < sizeof(pkt) ? size : sizeof(pkt);
		memcpy(pkt, data, len);
	} else {
		memcpy(pkt, data, split);
		len = NTSEF_put_auth(pkt, sizeof(pkt), split, &s, nonce, sizeof(nonce), data + split,
		                     size - split);
		if (len == 0) {
			SIV_clear(&s);
			return 0;
		}
	}
	rc = NTSEF_check_reply(pkt, len, uid, &s, &r);
	if (rc < 0 || rc >= AUTH_NFAIL)
		__builtin_trap();
	if (rc == AUTH_OK) {
		if (r.n_cookies > NTS_MAX_COOKIES)
			__builtin_trap();
		for (i = 0; i < r.n_cookies; i++)
			if (r.cookie_len[i] == 0 || r.cookie_len[i] > NTS_COOKIE_MAX)
				__builtin_trap();
	}
	while (NTSEF_next(pkt, len, &off, &ef) == 1)
		if (ef.body + ef.len > pkt + len)
			__builtin_trap();
	SIV_clear(&s);
	return 0;
}

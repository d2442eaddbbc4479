/* libFuzzer: the MAC trailer parser and the check of a reply under each
 * key type.  A MAC that is found must lie inside the packet, after the
 * header, and end it; a reply must never verify unless its MAC is the one
 * the key gives (checked by recomputing it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth_key.h"
#include "common/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char KEYS[] =
    "1 MD5 HEX:000102030405060708090a0b0c0d0e0f1011\n"
    "2 SHA1 HEX:0123456789abcdef0123456789abcdef01234567\n"
    "3 AES128 HEX:000102030405060708090a0b0c0d0e0f\n"
    "4 AES256 HEX:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
    "5 SHA256 ASCII:k\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keyfile kf;
	static int loaded;
	struct akey_mac mac;
	uint8_t d[AKEY_MAX_DIGEST];
	char err[128];
	size_t i, n;
	int r;

	if (!loaded) {
		if (KEY_parse(&kf, KEYS, sizeof(KEYS) - 1, KEY_FMT_CHRONY, err, sizeof(err)) != 0)
			__builtin_trap();
		loaded = 1;
	}
	if (size > PKT_MAX_LEN)
		return 0;
	r = AKEY_parse_mac(data, size, &mac);
	if (r < 0 || r >= AUTH_NFAIL)
		__builtin_trap();
	if (r == AUTH_OK) {
		if (mac.offset < PKT_HEADER_LEN || mac.offset + 4 + mac.digest_len != size ||
		    mac.digest != data + mac.offset + 4 || mac.digest_len == 0)
			__builtin_trap();
	}
	for (i = 0; i < kf.n; i++) {
		const struct key *k = &kf.keys[i];
		if (AKEY_verify(k, k->id, data, size) != AUTH_OK)
			continue;
		/* it verified: the MAC must be this key's digest of what precedes it */
		if (r != AUTH_OK || mac.key_id != k->id)
			__builtin_trap();
		n = AKEY_digest(k, mac.digest_len == 20 ? 4 : (data[0] >> 3) & 7, data, mac.offset, d);
		if (n != mac.digest_len || memcmp(d, mac.digest, n) != 0)
			__builtin_trap();
	}
	return 0;
}

/* libFuzzer: the server's request handler on arbitrary bytes: the checks,
 * then the reply and a KoD; a reply is never larger than the request and
 * always a well-formed mode 4 packet echoing the request's transmit. */
#include <stdint.h>
#include <string.h>

#include "common/keys.h"
#include "common/packet.h"
#include "common/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_request r;
	struct srv_sync s;
	struct timespec now = { 1800000000, 0 };
	uint8_t out[48 + 4 + 64];
	struct pkt p;
	size_t n;

	static struct keyfile kf;
	static int have_keys;
	const struct key *k = NULL;
	enum srv_auth au;

	if (!have_keys) {
		static const char text[] = "1 MD5 secretpass\n2 SHA1 HEX:0123456789abcdef0123456789abcdef01234567\n"
					   "3 AES128 HEX:00112233445566778899aabbccddeeff\n";
		char err[160];
		if (KEY_parse(&kf, text, sizeof(text) - 1, KEY_FMT_CHRONY, err, sizeof(err)) < 0)
			__builtin_trap();
		have_keys = 1;
	}
	if (SRV_parse(data, size, &r) != SRV_ANSWER)
		return 0;
	au = SRV_check_mac(data, &r, &kf, &k);
	if ((au == SRV_AUTH_OK) != (k != NULL) || (au == SRV_AUTH_NONE && r.mac_len != 0))
		__builtin_trap();
	SRV_sync_local(&s, 5, &now, -20);
	n = SRV_reply(&r, &s, NTT_make(1, 2), out, sizeof(out));
	if (n == 0 || n > size)
		__builtin_trap();
	SRV_stamp(out, NTT_make(1, 3));
	if (au == SRV_AUTH_OK) {
		n = SRV_sign(out, sizeof(out), &r, k);
		if (n == 0 || n > size)
			__builtin_trap();
	}
	if (PKT_decode(out, n, &p) != PKT_OK || p.mode != 4 || p.version != ((data[0] >> 3) & 7) ||
	    memcmp(out + 24, data + 40, 8) != 0)
		__builtin_trap();
	n = SRV_kod(&r, "RATE", NTT_make(1, 2), out, sizeof(out));
	if (n == 0 || n > size || PKT_decode(out, n, &p) != PKT_OK || PKT_kiss(&p) != PKT_KISS_RATE)
		__builtin_trap();
	return 0;
}

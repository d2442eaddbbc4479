/* libFuzzer: the server's request handler on arbitrary bytes: the checks,
 * then the reply and a KoD; a reply is never larger than the request and
 * always a well-formed mode 4 packet echoing the request's transmit. */
#include <stdint.h>
#include <string.h>

#include "common/packet.h"
#include "common/serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_request r;
	struct srv_sync s;
	struct timespec now = { 1800000000, 0 };
	uint8_t out[64];
	struct pkt p;
	size_t n;

	if (SRV_parse(data, size, &r) != SRV_ANSWER)
		return 0;
	SRV_sync_local(&s, 5, &now, -20);
	n = SRV_reply(&r, &s, NTT_make(1, 2), out, sizeof(out));
	if (n == 0 || n > size)
		__builtin_trap();
	SRV_stamp(out, NTT_make(1, 3));
	if (PKT_decode(out, n, &p) != PKT_OK || p.mode != 4 || p.version != ((data[0] >> 3) & 7) ||
	    memcmp(out + 24, data + 40, 8) != 0)
		__builtin_trap();
	n = SRV_kod(&r, "RATE", NTT_make(1, 2), out, sizeof(out));
	if (n == 0 || n > size || PKT_decode(out, n, &p) != PKT_OK || PKT_kiss(&p) != PKT_KISS_RATE)
		__builtin_trap();
	return 0;
}

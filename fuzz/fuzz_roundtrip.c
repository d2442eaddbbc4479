/* libFuzzer property: whatever decodes re-encodes to the same 48 header
 * bytes, and decoding that again gives the same packet. */
#include <stdint.h>
#include <string.h>

#include "common/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt p, q;
	uint8_t out[PKT_HEADER_LEN];

	if (PKT_decode(data, size, &p) != PKT_OK)
		return 0;
	if (PKT_encode(&p, out, sizeof(out)) != PKT_HEADER_LEN)
		__builtin_trap();
	if (memcmp(out, data, PKT_HEADER_LEN) != 0)
		__builtin_trap();
	if (PKT_decode(out, sizeof(out), &q) != PKT_OK)
		__builtin_trap();
	p.n_ext = p.ext_len = p.mac_len = 0;
	if (memcmp(&p, &q, sizeof(p)) != 0)
		__builtin_trap();
	return 0;
}

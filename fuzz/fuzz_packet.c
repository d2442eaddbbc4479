/* libFuzzer: the reply path as the engine runs it: decode, the named
 * sanity tests, and the sample maths, on arbitrary bytes.  The first 16
 * bytes of the input (when present) are the client's T1 and T4. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/filter.h"
#include "common/packet.h"
#include "common/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt p;
	struct flt_sample s;
	uint64_t t1 = 0, t4 = 0;
	char names[256], refid[64];
	unsigned tests;

	if (size >= 16) {
		memcpy(&t1, data, 8);
		memcpy(&t4, data + 8, 8);
		data += 16;
		size -= 16;
	}
	if (PKT_decode(data, size, &p) != PKT_OK)
		return 0;
	if (p.ext_len + p.mac_len + PKT_HEADER_LEN != size)
		__builtin_trap();
	tests = PKT_check(&p, p.org, 1.5);
	PKT_tests_format(tests, names, sizeof(names));
	(void)REP_refid(&p, refid, sizeof(refid));
	if (tests == 0) {
		NTP_ts a = { t1 }, b = { t4 };
		if (FLT_sample(&s, a, p.rec, p.xmt, b, -20, p.precision) == 0) {
			if (!isfinite(s.offset) || !isfinite(s.delay) || s.delay < 0)
				__builtin_trap();
		}
	}
	return 0;
}

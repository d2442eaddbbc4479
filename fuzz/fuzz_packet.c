/* libFuzzer: the reply path as the engine runs it: the one verdict
 * (RPL_judge: decode, every named test, the sample maths) on arbitrary
 * bytes.  The input starts with 25 bytes of request: T1 and T4 (the
 * client's send and receive instants, 8 bytes each), the request's
 * transmit value (8 bytes) and a flag byte; when the flag's low bit is
 * set the transmit value is taken from the reply's own origin field, so
 * the origin test passes as often as it fails. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/reply.h"
#include "common/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpl_request rq;
	struct rpl_limits lim = { 1.5, RPL_MAX_DELAY(1.0), -20 };
	struct rpl_verdict v;
	struct timespec rx;
	uint64_t t1 = 0, t4 = 0, xmt = 0;
	char names[256], refid[64];
	unsigned tests;
	uint8_t flag;

	if (size < 25)
		return 0;
	memcpy(&t1, data, 8);
	memcpy(&t4, data + 8, 8);
	memcpy(&xmt, data + 16, 8);
	flag = data[24];
	data += 25;
	size -= 25;
	memset(&rq, 0, sizeof(rq));
	rq.xmt.v = xmt;
	if ((flag & 1) && size >= PKT_HEADER_LEN) {
		uint32_t s, f;
		memcpy(&s, data + 24, 4);
		memcpy(&f, data + 28, 4);
		rq.xmt = NTT_make(__builtin_bswap32(s), __builtin_bswap32(f));
	}
	rq.t1 = NTT_to_timespec(NTT_make((uint32_t)(t1 >> 32), (uint32_t)t1), 1700000000);
	rx = NTT_to_timespec(NTT_make((uint32_t)(t4 >> 32), (uint32_t)t4), 1700000000);
	tests = RPL_judge(data, size, flag & 2, &rq, &rx, &lim, &v);
	PKT_tests_format(tests, names, sizeof(names));
	if (!(tests & PKT_T_FORMAT)) {
		if (!v.have_pkt || v.pkt.ext_len + v.pkt.mac_len + PKT_HEADER_LEN != size)
			__builtin_trap();
		(void)REP_refid(&v.pkt, refid, sizeof(refid));
		if (!(tests & PKT_T_ORIGIN) && v.pkt.org.v != rq.xmt.v)
			__builtin_trap();
	}
	if (tests == 0) {
		if (!RPL_is_answer(&v) || !isfinite(v.sample.offset) || !isfinite(v.sample.delay) ||
		    !(v.sample.delay <= lim.max_delay))
			__builtin_trap();
	}
	return 0;
}

/* libFuzzer: the state file parser; what it accepts formats and parses
 * back to the same record. */
#include <stdint.h>
#include <string.h>

#include "common/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sta_record r, r2;
	char err[160], text[STA_MAX_FILE];
	size_t n;

	if (STA_parse((const char *)data, size, &r, err, sizeof(err)) < 0)
		return 0;
	if (r.stratum < 1 || r.stratum > 15 || r.leap < 0 || r.leap > 2)
		__builtin_trap();
	n = STA_format(&r, text, sizeof(text));
	if (n == 0 || STA_parse(text, n, &r2, err, sizeof(err)) < 0 || r2.stratum != r.stratum ||
	    r2.refid != r.refid || r2.real_minus_boot != r.real_minus_boot ||
	    r2.set_real.tv_sec != r.set_real.tv_sec || strcmp(r2.upstream, r.upstream) != 0)
		__builtin_trap();
	return 0;
}

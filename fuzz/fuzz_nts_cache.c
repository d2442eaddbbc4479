/* libFuzzer: the NTS cookie cache parser on arbitrary bytes; what it
 * accepts must format back to text that parses to the same entry. */
#include <stdint.h>
#include <string.h>

#include "common/nts_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntsc_entry e, f;
	char note[160], text[NTSC_MAX_FILE];
	size_t i, n;

	if (NTSC_parse((const char *)data, size, 2000000000, 2000000000, &e, note, sizeof(note)) != 0)
		return 0;
	if (e.n_cookies == 0 || e.n_cookies > NTS_MAX_COOKIES)
		__builtin_trap();
	for (i = 0; i < e.n_cookies; i++)
		if (e.cookie_len[i] == 0 || e.cookie_len[i] > NTS_COOKIE_MAX)
			__builtin_trap();
	n = NTSC_format(&e, text, sizeof(text));
	if (n == 0 || NTSC_parse(text, n, 2000000000, 2000000000, &f, note, sizeof(note)) != 0 ||
	    memcmp(&e, &f, sizeof(e)) != 0)
		__builtin_trap();
	return 0;
}

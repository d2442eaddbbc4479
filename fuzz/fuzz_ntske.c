/* libFuzzer: the NTS-KE response parser on arbitrary bytes.  Whatever it
 * returns, what it kept must lie within its limits. */
#include <stdint.h>
#include <string.h>

#include "common/nts_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nts_ke_resp r;
	struct ntsrec rec;
	size_t off = 0, i, n = 0;
	int rc = NTSREC_parse_response(data, size, &r);

	if (rc < 0 || rc >= NTSREC_NERR || NTSREC_strerror(rc) == NULL)
		__builtin_trap();
	if (r.n_cookies > NTS_MAX_COOKIES || r.n_cookies > r.cookies_seen)
		__builtin_trap();
	for (i = 0; i < r.n_cookies; i++)
		if (r.cookie_len[i] == 0 || r.cookie_len[i] > NTS_COOKIE_MAX)
			__builtin_trap();
	if (r.has_server && strlen(r.server) > NTS_SERVER_MAX)
		__builtin_trap();
	if (rc == NTSREC_OK && (r.aead != NTS_AEAD_AES_SIV_CMAC_256 || r.n_cookies == 0))
		__builtin_trap();
	while (NTSREC_next(data, size, &off, &rec)) {
		if (off > size || rec.body + rec.len != data + off)
			__builtin_trap();
		n++;
	}
	(void)n;
	return 0;
}

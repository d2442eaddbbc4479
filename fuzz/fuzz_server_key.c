/* libFuzzer: "server#KEYID" splitting.  A split argument must give back
 * the argument as server + "#" + decimal digits whose value is the ID
 * (1..2^32-1), and a server part
 * without '#'; an unsplit one must come back whole; a refused one must
 * say why on one line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char arg[512], out[CLI_HOST_MAX + 16], back[600], err[256];
	uint32_t id = 0;
	int r;

	if (size >= sizeof(arg) || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(arg, data, size);
	arg[size] = '\0';
	err[0] = '\0';
	r = CLI_split_key(arg, out, sizeof(out), &id, err, sizeof(err));
	if (r < 0) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			__builtin_trap();
		return 0;
	}
	if (r == 0) {
		if (strcmp(out, arg) != 0 || strchr(arg, '#') != NULL)
			__builtin_trap();
		return 0;
	}
	{
		const char *digits = arg + strlen(out) + 1;
		snprintf(back, sizeof(back), "%s#%s", out, digits);
		if (id == 0 || out[0] == '\0' || strchr(out, '#') != NULL || strcmp(back, arg) != 0 ||
		    digits[strspn(digits, "0123456789")] != '\0' || strtoull(digits, NULL, 10) != id)
			__builtin_trap();
	}
	return 0;
}

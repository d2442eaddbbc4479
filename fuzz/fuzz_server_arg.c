/* libFuzzer: the server-argument parser.  Accepted arguments must give a
 * non-empty host, a port of 1..65535, and parse the same way again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char arg[512], err[256];
	struct cli_server s, t;
	long port;

	if (size >= sizeof(arg))
		return 0;
	memcpy(arg, data, size);
	arg[size] = '\0';
	memset(&s, 0, sizeof(s));
	if (CLI_parse_server(arg, &s, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			__builtin_trap();
		return 0;
	}
	port = strtol(s.port, NULL, 10);
	if (s.host[0] == '\0' || port < 1 || port > 65535 || strcmp(s.given, arg) != 0)
		__builtin_trap();
	memset(&t, 0, sizeof(t));
	if (CLI_parse_server(s.given, &t, err, sizeof(err)) != 0 || memcmp(&s, &t, sizeof(s)) != 0)
		__builtin_trap();
	return 0;
}

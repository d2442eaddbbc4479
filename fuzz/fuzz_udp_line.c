/* libFuzzer: the /proc/net/udp line parser of the daemon check.  Kernel
 * text, but a parser all the same: never past the line, a port in range
 * when accepted, outputs untouched when refused. */
#include <stdint.h>
#include <string.h>

#include "common/daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[512];
	unsigned port = 70000;
	unsigned long inode = 7;

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (DMN_parse_udp_line(line, &port, &inode) == 0) {
		if (port > 0xffff)
			__builtin_trap();
	} else if (port != 70000 || inode != 7) {
		__builtin_trap();
	}
	return 0;
}

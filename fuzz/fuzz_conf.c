/* libFuzzer: the configuration parsers (/etc/default/ntpupdate,
 * chrony.conf, ntp.conf).  The first byte picks the kind.  Accepted
 * files give words without blanks; refused ones a one-line
 * "name:line: reason". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cnf c;
	char err[256];
	enum cnf_kind kind;
	size_t i;

	if (size < 1)
		return 0;
	kind = (enum cnf_kind)(data[0] % 3);
	memset(&c, 0, sizeof(c));
	err[0] = '\0';
	/* the text is not NUL-terminated: a parser that reads past len trips ASan */
	if (CNF_parse(kind, (const char *)data + 1, size - 1, "f", &c, err, sizeof(err)) != 0) {
		if (strncmp(err, "f:", 2) != 0 || strchr(err, '\n') != NULL)
			__builtin_trap();
		return 0;
	}
	if (c.n_servers > CNF_MAX_WORDS || c.n_options > CNF_MAX_WORDS)
		__builtin_trap();
	for (i = 0; i < c.n_servers; i++)
		if (c.servers[i][0] == '\0' || strpbrk(c.servers[i], " \t\n") != NULL)
			__builtin_trap();
	for (i = 0; i < c.n_options; i++)
		if (c.options[i][0] == '\0' || strpbrk(c.options[i], " \t\n") != NULL)
			__builtin_trap();
	return 0;
}

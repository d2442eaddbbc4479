/* libFuzzer: the --allow/--deny parser on arbitrary strings; what it
 * accepts prints back (inet_ntop/prefix) to the same rule, with no host
 * bits set, and a lookup of the rule's own address finds it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "common/acl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[128], text[INET6_ADDRSTRLEN], again[160], err[128];
	struct acl_rule r, r2;
	struct acl a;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (ACL_parse(in, &r, err, sizeof(err)) < 0)
		return 0;
	if ((r.family != AF_INET && r.family != AF_INET6) || r.prefix < 0 ||
	    r.prefix > (r.family == AF_INET ? 32 : 128))
		__builtin_trap();
	inet_ntop(r.family, r.addr, text, sizeof(text));
	snprintf(again, sizeof(again), "%s/%d", text, r.prefix);
	if (r.family == AF_INET6 && r.prefix >= 96 && memcmp(r.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		__builtin_trap(); /* mapped prefixes are IPv4 rules */
	if (ACL_parse(again, &r2, err, sizeof(err)) < 0 || r2.family != r.family ||
	    r2.prefix != r.prefix || memcmp(r2.addr, r.addr, 16) != 0)
		__builtin_trap();
	ACL_init(&a);
	if (ACL_add(&a, in, ACL_ALLOW, err, sizeof(err)) < 0 ||
	    ACL_check_raw(&a, r.family, r.addr) != ACL_ALLOW)
		__builtin_trap();
	return 0;
}

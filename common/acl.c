/* acl: CIDR allow/deny lists, most specific match wins (see acl.h). */
#include "acl.h"

#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <bsd/stdlib.h>
#include <netinet/in.h>

static const uint8_t mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void
ACL_init(struct acl *a)
{
	memset(a, 0, sizeof(*a));
	a->deny = ACL_DENY;
}

/* Does addr lie in the prefix of rule r? */
static int
in_prefix(const struct acl_rule *r, const uint8_t *addr)
{
	int full = r->prefix / 8, bits = r->prefix % 8;

	if (memcmp(r->addr, addr, (size_t)full) != 0)
		return 0;
	if (bits == 0)
		return 1;
	return ((r->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

int
ACL_parse(const char *cidr, struct acl_rule *out, char *err, size_t errlen)
{
	char host[64];
	const char *slash = strchr(cidr, '/'), *e = NULL;
	size_t hl = slash != NULL ? (size_t)(slash - cidr) : strlen(cidr);
	struct acl_rule r;
	int max;

	memset(&r, 0, sizeof(r));
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "not an address or CIDR prefix");
		return -1;
	}
	memcpy(host, cidr, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, r.addr) == 1) {
		r.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, r.addr) == 1) {
		r.family = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "not an address or CIDR prefix");
		return -1;
	}
	r.prefix = max;
	if (slash != NULL) {
		long long v = strtonum(slash + 1, 0, max, &e);
		if (e != NULL || slash[1] < '0' || slash[1] > '9') {
			snprintf(err, errlen, "prefix length must be 0..%d", max);
			return -1;
		}
		r.prefix = (int)v;
	}
	{
		struct acl_rule z = r;
		int i;
		/* the host part must be zero: 10.1.2.3/8 is more likely a typo */
		for (i = r.prefix; i < max; i++)
			if (z.addr[i / 8] & (0x80 >> (i % 8))) {
				snprintf(err, errlen, "host bits set beyond /%d", r.prefix);
				return -1;
			}
	}
	/* an IPv4-mapped IPv6 prefix is the IPv4 prefix it names (clients
	 * are judged that way too) */
	if (r.family == AF_INET6 && r.prefix >= 96 && memcmp(r.addr, mapped_prefix, 12) == 0) {
		memmove(r.addr, r.addr + 12, 4);
		memset(r.addr + 4, 0, 12);
		r.family = AF_INET;
		r.prefix -= 96;
	}
	*out = r;
	return 0;
}

static int
add_rule(struct acl *a, const struct acl_rule *r, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->rule[i].family == r->family && a->rule[i].prefix == r->prefix &&
		    memcmp(a->rule[i].addr, r->addr, 16) == 0) {
			a->rule[i].action = r->action;
			return 0;
		}
	if (a->n >= ACL_MAX_RULES) {
		snprintf(err, errlen, "more than %d access rules", ACL_MAX_RULES);
		return -1;
	}
	a->rule[a->n++] = *r;
	return 0;
}

int
ACL_add(struct acl *a, const char *cidr, enum acl_action action, char *err, size_t errlen)
{
	struct acl_rule r;

	if (strcmp(cidr, "all") == 0) {
		memset(&r, 0, sizeof(r));
		r.action = action;
		r.family = AF_INET;
		if (add_rule(a, &r, err, errlen) < 0)
			return -1;
		r.family = AF_INET6;
		return add_rule(a, &r, err, errlen);
	}
	if (ACL_parse(cidr, &r, err, errlen) < 0)
		return -1;
	r.action = action;
	return add_rule(a, &r, err, errlen);
}

enum acl_action
ACL_check_raw(const struct acl *a, int family, const uint8_t *addr)
{
	const struct acl_rule *best = NULL;
	size_t i;

	if (family == AF_INET6 && memcmp(addr, mapped_prefix, 12) == 0) {
		family = AF_INET;
		addr += 12;
	}
	for (i = 0; i < a->n; i++) {
		const struct acl_rule *r = &a->rule[i];
		if (r->family != family || (best != NULL && r->prefix <= best->prefix))
			continue;
		if (in_prefix(r, addr))
			best = r;
	}
	if (best != NULL && best->action == ACL_ALLOW)
		return ACL_ALLOW;
	if (best != NULL && best->action == ACL_DENY_KOD)
		return ACL_DENY_KOD;
	return a->deny;
}

enum acl_action
ACL_check(const struct acl *a, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ACL_check_raw(a, AF_INET,
		    (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6)
		return ACL_check_raw(a, AF_INET6,
		    (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	return ACL_DENY;
}

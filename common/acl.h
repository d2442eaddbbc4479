/* acl: who may ask.  A list of CIDR rules (allow, deny, deny with a
 * Kiss-o'-Death); the most specific rule containing the client wins;
 * nothing is allowed unless a rule allows it.  IPv4-mapped IPv6 clients
 * are judged as the IPv4 address they are. */
#ifndef ACL_H
#define ACL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ACL_MAX_RULES 256

enum acl_action {
	ACL_DENY = 0,   /* no reply */
	ACL_ALLOW,
	ACL_DENY_KOD,   /* a KoD DENY */
};

struct acl_rule {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* network order, host bits cleared */
	int prefix;          /* 0..32 or 0..128 */
	enum acl_action action;
};

struct acl {
	struct acl_rule rule[ACL_MAX_RULES];
	size_t n;
	enum acl_action deny; /* what an unmatched or denied client gets */
};

/* An empty list: everyone denied without a reply. */
void ACL_init(struct acl *a);

/* Add "ADDR", "ADDR/LEN" or "all" (both families) with action.  A later
 * rule for the same prefix replaces the earlier.  Returns 0, or -1 with a
 * one-line reason in err. */
int ACL_add(struct acl *a, const char *cidr, enum acl_action action, char *err, size_t errlen);

/* Parse "ADDR[/LEN]" into a rule (host bits must be zero).  Returns 0 or -1. */
int ACL_parse(const char *cidr, struct acl_rule *r, char *err, size_t errlen);

/* The action for a client address (AF_INET or AF_INET6 sockaddr).  Deny
 * rules answer with a.deny (ACL_DENY or ACL_DENY_KOD, --deny-kod). */
enum acl_action ACL_check(const struct acl *a, const struct sockaddr *sa);

/* The action by family and raw address bytes (4 or 16). */
enum acl_action ACL_check_raw(const struct acl *a, int family, const uint8_t *addr);

#endif

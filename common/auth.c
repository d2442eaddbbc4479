/* auth: the "none" method and the names of authentication failures. */
#include "auth.h"

static size_t
none_sign(void *ctx, uint8_t *buf, size_t len, size_t cap, struct auth_req *rq)
{
	(void)ctx, (void)buf, (void)cap, (void)rq;
	return len;
}

static int
none_check(void *ctx, const uint8_t *buf, size_t len, const struct auth_req *rq)
{
	(void)ctx, (void)buf, (void)len, (void)rq;
	return AUTH_OK;
}

const struct auth_method AUTH_none = {
	.name = "none",
	.sign = none_sign,
	.check = none_check,
};

static const char *const fail_names[AUTH_NFAIL] = {
	[AUTH_OK] = "ok",
	[AUTH_MISSING] = "no MAC",
	[AUTH_KEYID] = "wrong key ID",
	[AUTH_DIGEST] = "bad digest",
	[AUTH_CRYPTO_NAK] = "crypto-NAK",
	[AUTH_TRUNCATED] = "truncated MAC",
	[AUTH_NTS_UID] = "NTS unique identifier missing",
	[AUTH_NTS_NAK] = "NTS NAK",
	[AUTH_MALFORMED] = "malformed extension fields",
	[AUTH_NTS_CERT] = "NTS certificate not valid at the time NTS gave",
};

const char *
AUTH_fail_name(int fail)
{
	if (fail < 0 || fail >= AUTH_NFAIL)
		return "unknown";
	return fail_names[fail];
}

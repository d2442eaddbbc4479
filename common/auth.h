/* auth: the one interface behind which every way of authenticating an
 * NTP exchange sits ("none", symmetric keys, NTS).  The engine never asks
 * which one is in use: it lets the method append its extension fields or
 * MAC to each request, and hands it the raw bytes of each reply to judge.
 * A failed check is one named reply test (PKT_T_AUTH) plus the reason
 * below, which the report turns into words. */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

/* Why a reply failed authentication (0: it passed). */
enum auth_fail {
	AUTH_OK = 0,
	AUTH_MISSING,      /* no MAC / no authenticator where one is required */
	AUTH_KEYID,        /* MAC under another key ID than the request's */
	AUTH_DIGEST,       /* MAC or authenticator does not verify */
	AUTH_CRYPTO_NAK,   /* a crypto-NAK: 4-byte MAC of key ID 0 */
	AUTH_TRUNCATED,    /* MAC shorter than the key type's digest */
	AUTH_NTS_UID,      /* NTS reply without our unique identifier */
	AUTH_NTS_NAK,      /* NTS NAK (kiss code NTSN) */
	AUTH_MALFORMED,    /* extension fields that cannot be parsed */
	AUTH_NTS_CERT,     /* dead-clock path: certificate not valid at the NTS time */
	AUTH_NFAIL
};

/* What a method keeps about one request until its reply is judged (an NTS
 * unique identifier, the key ID used).  Owned by the engine, one per
 * request, zeroed before sign(). */
#define AUTH_REQ_DATA 64
struct auth_req {
	uint32_t key_id;
	size_t len;
	uint8_t data[AUTH_REQ_DATA];
};

/* One authentication method.  ctx is the method's per-source state. */
struct auth_method {
	const char *name; /* "none", "symmetric key", "NTS" */
	/* Append to the request in buf[0..len) (the 48-byte header, already
	 * encoded) what the method needs, within cap bytes.  Returns the new
	 * length, or 0 when no request can be made (no cookie left, no room);
	 * the source then ends. */
	size_t (*sign)(void *ctx, uint8_t *buf, size_t len, size_t cap, struct auth_req *rq);
	/* Judge the raw reply bytes buf[0..len) to the request rq.  Returns
	 * AUTH_OK or an enum auth_fail.  May keep what the reply brings (new
	 * NTS cookies) only when it returns AUTH_OK. */
	int (*check)(void *ctx, const uint8_t *buf, size_t len, const struct auth_req *rq);
};

/* Plain NTP: adds nothing and accepts any reply. */
extern const struct auth_method AUTH_none;

/* Short lower-case name of a failure ("no MAC", "bad digest", ...). */
const char *AUTH_fail_name(int fail);

#endif

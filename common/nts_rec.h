/* nts_rec: NTS Key Establishment records (RFC 8915 section 4).  A record
 * is a critical bit and a 15-bit type, a 16-bit body length and the body.
 * The parser allocates nothing, checks every length before it reads and
 * fills its output in one copy at the end; the builder never writes past
 * its buffer. */
#ifndef NTS_REC_H
#define NTS_REC_H

#include <stddef.h>
#include <stdint.h>

#define NTSREC_END 0
#define NTSREC_NEXT_PROTO 1
#define NTSREC_ERROR 2
#define NTSREC_WARNING 3
#define NTSREC_AEAD 4
#define NTSREC_COOKIE 5
#define NTSREC_SERVER 6
#define NTSREC_PORT 7

#define NTS_PROTO_NTPV4 0
#define NTS_AEAD_AES_SIV_CMAC_256 15

#define NTS_KE_PORT 4460
#define NTS_KE_MAX_MSG 16384   /* cap on a whole NTS-KE response */
#define NTS_MAX_COOKIES 8      /* cookies kept per source */
#define NTS_COOKIE_MAX 256     /* longest cookie accepted */
#define NTS_SERVER_MAX 255     /* longest server name accepted */

/* One record, its body pointing into the parsed buffer. */
struct ntsrec {
	int critical;
	uint16_t type;
	uint16_t len;
	const uint8_t *body;
};

/* What a server's response said, cookies copied out. */
struct nts_ke_resp {
	int aead;                 /* negotiated AEAD id, -1 when none */
	int has_error, has_warning;
	uint16_t error, warning;
	int has_server, has_port;
	char server[NTS_SERVER_MAX + 1];
	uint16_t port;
	size_t n_cookies;         /* cookies kept (at most NTS_MAX_COOKIES) */
	size_t cookies_seen;      /* cookies the server sent */
	uint16_t cookie_len[NTS_MAX_COOKIES];
	uint8_t cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
	uint16_t bad_type;        /* the unknown critical record, if any */
};

/* Why a response was refused (returned by NTSREC_parse_response). */
enum ntsrec_err {
	NTSREC_OK = 0,
	NTSREC_INCOMPLETE,     /* no end-of-message yet, or a record cut short */
	NTSREC_E_RECORD,       /* a known record with a body of the wrong size */
	NTSREC_E_ERROR,        /* the server sent an error record */
	NTSREC_E_WARNING,      /* a warning record (none is defined: ends the source) */
	NTSREC_E_CRITICAL,     /* an unknown record marked critical */
	NTSREC_E_PROTO,        /* NTPv4 not the (only) negotiated next protocol */
	NTSREC_E_AEAD,         /* no AEAD algorithm we offered */
	NTSREC_E_NO_COOKIE,    /* no cookie */
	NTSREC_E_COOKIE_LEN,   /* a cookie of zero length or over 256 bytes */
	NTSREC_E_SERVER,       /* server negotiation empty, too long or not text */
	NTSREC_E_TRAILING,     /* bytes after end-of-message */
	NTSREC_E_TOO_LONG,     /* response longer than NTS_KE_MAX_MSG */
	NTSREC_NERR
};

/* Read the record at buf[*off..len).  Returns 1 and advances *off, 0 when
 * the record is not complete in buf (more bytes needed). */
int NTSREC_next(const uint8_t *buf, size_t len, size_t *off, struct ntsrec *r);

/* Append one record at buf[off..cap).  Returns the new offset, or 0 when
 * it does not fit. */
size_t NTSREC_put(uint8_t *buf, size_t cap, size_t off, int critical, uint16_t type,
                  const void *body, size_t blen);

/* The client request: next protocol NTPv4, AEAD AES-SIV-CMAC-256, end of
 * message.  Returns its length, or 0 when cap is too small. */
size_t NTSREC_build_request(uint8_t *buf, size_t cap);

/* Judge a complete or partial response buf[0..len).  Returns NTSREC_OK,
 * NTSREC_INCOMPLETE, or another enum ntsrec_err; *out is filled in every
 * case with what was read (the error code, the unknown type, cookies). */
int NTSREC_parse_response(const uint8_t *buf, size_t len, struct nts_ke_resp *out);

/* Short lower-case words for a parse result, and for an NTS-KE error or
 * warning code sent by a server. */
const char *NTSREC_strerror(int err);
const char *NTSREC_error_name(uint16_t code);

#endif

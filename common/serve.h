/* serve: the server side of one exchange.  Checks a request (mode 3,
 * version 1..4, trailer framing, nonzero transmit), and builds the mode 4
 * reply, or a Kiss-o'-Death, into a caller's buffer: no allocation, and
 * never more bytes than the request had.  The transmit timestamp is
 * written last, by SRV_stamp, just before the send.  Also what the server
 * declares about its clock (struct srv_sync) and how it is derived from
 * the state ntpupdate recorded. */
#ifndef SERVE_H
#define SERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "keys.h"
#include "ntptime.h"
#include "state.h"

#define SRV_MAX_REQUEST 1024 /* longer requests are dropped */
#define SRV_GROWTH 15e-6     /* root dispersion growth, s/s (RFC 5905 PHI) */
#define SRV_LOCAL_REFID 0x7f7f0101u /* 127.127.1.1, as chrony's local stratum */

/* What the server declares about its clock in every reply. */
struct srv_sync {
	uint8_t leap;         /* 0..2; 3 when unsynchronised */
	uint8_t stratum;      /* 1..15 on the wire; 0 when unsynchronised */
	uint32_t refid;       /* network byte order */
	NTP_short root_delay;
	NTP_short root_disp;
	NTP_ts ref;           /* reference time: when the clock was last set */
	int8_t precision;
};

/* Why a datagram gets no reply (or what it gets). */
enum srv_verdict {
	SRV_ANSWER = 0,   /* a valid client request */
	SRV_SHORT,        /* fewer than 48 bytes */
	SRV_LONG,         /* more than SRV_MAX_REQUEST bytes */
	SRV_ALIGN,        /* trailer not a multiple of 4 */
	SRV_MODE,         /* not mode 3 (6 and 7 included) */
	SRV_VERSION,      /* version outside 1..4 */
	SRV_TRAILER,      /* malformed extension field or MAC framing */
	SRV_XMT_ZERO,     /* transmit timestamp zero: nothing to echo */
	SRV_NVERDICTS
};

/* A checked request: what the reply needs from it. */
struct srv_request {
	uint8_t version;
	int8_t poll;
	uint8_t xmt[8];   /* transmit timestamp, raw, echoed as origin */
	size_t len;       /* datagram length */
	size_t n_ext;     /* extension fields (answered without echo) */
	size_t mac_len;   /* 20 or 24: a MAC, else 0 */
	int nak;          /* answer with a crypto-NAK (a MAC we cannot check) */
};

/* Check len bytes.  Returns SRV_ANSWER and fills *r, or another verdict
 * with *r untouched. */
enum srv_verdict SRV_parse(const uint8_t *buf, size_t len, struct srv_request *r);

/* A source no reply may go to: port 0, an unspecified, broadcast or
 * multicast address (IPv4, IPv6, IPv4-mapped), or another family.  Sets
 * *addr to the raw address bytes (4 or 16) of an AF_INET/AF_INET6 source. */
int SRV_bad_source(const struct sockaddr *sa, const uint8_t **addr);

/* What a request's MAC says (symmetric keys, RFC 5905 / RFC 8573). */
enum srv_auth {
	SRV_AUTH_NONE = 0, /* no MAC: answered unauthenticated */
	SRV_AUTH_OK,       /* a known key, a good MAC: the reply is signed */
	SRV_AUTH_NAK,      /* an unknown or unusable key: a crypto-NAK */
	SRV_AUTH_BAD,      /* a known key, a wrong MAC (or length): dropped */
};

/* Judge the MAC of a checked request (buf as given to SRV_parse) against
 * the keys in kf (NULL: none, every key is unknown).  On SRV_AUTH_OK *k
 * is the key and r->nak is cleared; digests are compared in constant
 * time. */
enum srv_auth SRV_check_mac(const uint8_t *buf, struct srv_request *r, const struct keyfile *kf,
    const struct key **k);

/* Sign a built and stamped 48-byte reply with key k: append the key ID and
 * the digest of the header.  Returns the new length (never more than the
 * request's), or 0 when it would not fit in cap. */
size_t SRV_sign(uint8_t *reply, size_t cap, const struct srv_request *r, const struct key *k);

/* Short name of a verdict ("short", "mode", ...). */
const char *SRV_verdict_name(enum srv_verdict v);

/* Build the reply to r into out (cap bytes): LI, stratum, refid, root
 * delay and dispersion from s, version echoed, mode 4, origin = the
 * request's transmit, receive = rx, transmit left zero.  A request with
 * r->nak set gets a 4-byte crypto-NAK after the header; one whose MAC
 * checked is signed later (SRV_sign, after SRV_stamp).
 * Returns the length (48 or 52, never more than r->len), or 0 when cap
 * is too small. */
size_t SRV_reply(const struct srv_request *r, const struct srv_sync *s, NTP_ts rx,
    uint8_t *out, size_t cap);

/* Build a Kiss-o'-Death ("DENY", "RATE", ...) to r: LI 3, stratum 0, the
 * code as reference ID, origin echoed, receive = rx.  Returns 48 or 0. */
size_t SRV_kod(const struct srv_request *r, const char code[4], NTP_ts rx, uint8_t *out,
    size_t cap);

/* Write the transmit timestamp into a built reply (len >= 48). */
void SRV_stamp(uint8_t *reply, NTP_ts xmt);

/* Why the server is unsynchronised (or not). */
enum srv_sync_why {
	SRV_SYNCED = 0,
	SRV_NO_STATE,     /* no state recorded (or unreadable) */
	SRV_TOO_FAR,      /* root distance grew past the limit */
	SRV_STEPPED,      /* the clock was stepped since the set */
	SRV_UPSTREAM,     /* the recorded upstream was itself unsynchronised */
};

/* Short description of a srv_sync_why. */
const char *SRV_sync_why_text(enum srv_sync_why w);

/* The unsynchronised declaration: LI 3, stratum 0, nothing else. */
void SRV_sync_unsynced(struct srv_sync *s, int8_t precision);

/* --local-stratum: the local clock at stratum n (1..15), refid
 * 127.127.1.1, reference time now, no root delay or dispersion. */
void SRV_sync_local(struct srv_sync *s, int stratum, const struct timespec *real_now,
    int8_t precision);

/* From the recorded state st (NULL: none) at the instants real_now
 * (CLOCK_REALTIME) and boot_now (CLOCK_BOOTTIME): stratum + 1, refid,
 * root delay, root dispersion grown at SRV_GROWTH with the age of the
 * set, the upstream's leap warning until the end of the month of the set.  Unsynchronised when there is no state, the root distance reaches
 * max_distance, or the realtime - boottime relation moved since the set
 * by more than a slew could have moved it.  Returns why. */
enum srv_sync_why SRV_sync_from_state(struct srv_sync *s, const struct sta_record *st,
    const struct timespec *real_now, const struct timespec *boot_now, double max_distance,
    int8_t precision);

#endif

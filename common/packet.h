/* packet: the NTPv4 wire format (RFC 5905 section 7.3) and the named
 * sanity tests a reply must pass before it is used.  The decoder checks
 * every length before it reads, never asserts on input, and leaves its
 * output untouched on failure. */
#ifndef PACKET_H
#define PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "ntptime.h"

#define PKT_HEADER_LEN 48
#define PKT_MAX_LEN 1024

/* MAC trailer lengths (key ID + digest): a crypto-NAK, a 16-byte digest
 * (MD5, AES-CMAC), a 20-byte digest (SHA1). */
#define PKT_MAC_NAK_LEN 4
#define PKT_MAC_LEN_16 20
#define PKT_MAC_LEN_20 24

#define PKT_MODE_CLIENT 3
#define PKT_MODE_SERVER 4

#define PKT_LEAP_NONE 0
#define PKT_LEAP_UNSYNC 3

/* The decoded fixed header, plus where the trailer (extension fields and
 * MAC, RFC 7822) lies.  Trailers are framed but not interpreted yet. */
struct pkt {
	uint8_t leap;
	uint8_t version;
	uint8_t mode;
	uint8_t stratum;
	int8_t poll;
	int8_t precision;
	NTP_short root_delay;
	NTP_short root_disp;
	uint32_t refid; /* in network byte order as on the wire */
	NTP_ts ref;
	NTP_ts org;
	NTP_ts rec;
	NTP_ts xmt;
	size_t n_ext;   /* extension fields found */
	size_t ext_len; /* bytes of extension fields */
	size_t mac_len; /* bytes of MAC trailer (key id + digest), 0 if none */
};

/* Decode failure reasons (PKT_decode returns them as they are). */
enum pkt_decode_err {
	PKT_OK = 0,
	PKT_ERR_SHORT = 1,     /* fewer than 48 bytes */
	PKT_ERR_ALIGN = 2,     /* length not a multiple of 4 */
	PKT_ERR_EXTFIELD = 3,  /* malformed extension field framing */
	PKT_ERR_LONG = 4,      /* longer than PKT_MAX_LEN */
};

/* Named sanity tests, collected as a bit mask (bit set = test failed).
 * All are run by one function, RPL_judge (reply.h); PKT_check below is
 * its header part. */
enum pkt_test {
	PKT_T_FORMAT = 1 << 0,   /* length or trailer framing is wrong */
	PKT_T_MODE = 1 << 1,     /* not a server reply (mode 4) */
	PKT_T_VERSION = 1 << 2,  /* version outside 1..4 */
	PKT_T_ORIGIN = 1 << 3,   /* origin differs from our transmit value */
	PKT_T_TSZERO = 1 << 4,   /* receive or transmit timestamp is zero */
	PKT_T_TSORDER = 1 << 5,  /* transmit timestamp before receive */
	PKT_T_STRATUM = 1 << 6,  /* stratum 0 without a known kiss, or >= 16 */
	PKT_T_LEAP = 1 << 7,     /* leap indicator 3: server unsynchronised */
	PKT_T_DISTANCE = 1 << 8, /* root distance at or above the limit */
	PKT_T_DELAY = 1 << 9,    /* round-trip delay negative or absurd */
	PKT_T_KOD = 1 << 10,     /* a Kiss-o'-Death */
	PKT_T_AUTH = 1 << 11,    /* the authentication method refused it */
};
#define PKT_NTESTS 12

/* Kiss-o'-Death codes the client acts on. */
enum pkt_kiss {
	PKT_KISS_NONE = 0,
	PKT_KISS_DENY,
	PKT_KISS_RSTR,
	PKT_KISS_RATE,
	PKT_KISS_OTHER,
};

/* Short lower-case name of one test bit (e.g. "origin"). */
const char *PKT_test_name(unsigned bit);

/* Human explanation of one test bit. */
const char *PKT_test_text(unsigned bit);

/* Write the names of all set bits, comma separated, into buf. */
void PKT_tests_format(unsigned mask, char *buf, size_t len);

/* Describe a decode error. */
const char *PKT_decode_strerror(int err);

/* Encode the header (and nothing else) into buf; returns bytes written
 * (48) or 0 if len is too small. */
size_t PKT_encode(const struct pkt *p, uint8_t *buf, size_t len);

/* Decode len bytes.  Returns PKT_OK and fills *p, or a positive
 * enum pkt_decode_err and leaves *p untouched. */
int PKT_decode(const uint8_t *buf, size_t len, struct pkt *p);

/* Fill p with a data-minimised client request: LI 0, VN 4, mode 3, all
 * other fields zero, transmit = xmt (64 random bits). */
void PKT_make_request(struct pkt *p, NTP_ts xmt);

/* 64 random bits for a transmit timestamp, never zero. */
NTP_ts PKT_random_ts(void);

/* The kiss code of a stratum-0 packet. */
enum pkt_kiss PKT_kiss(const struct pkt *p);

/* Reference ID as four printable characters (kiss codes, refclocks). */
void PKT_refid_ascii(const struct pkt *p, char out[5]);

/* Root distance as the server declares it: delay/2 + dispersion. */
double PKT_root_distance(const struct pkt *p);

/* Run the header tests on a decoded reply to a request whose transmit
 * value was org; max_distance is the root-distance limit in seconds.
 * Returns the mask of failed tests (0 = good). */
unsigned PKT_check(const struct pkt *p, NTP_ts org, double max_distance);

#endif

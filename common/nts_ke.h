/* nts_ke: the NTS Key Establishment client (RFC 8915 section 4) as a
 * non-blocking state machine: TCP connect, TLS 1.3 handshake with ALPN
 * "ntske/1", certificate check, the request, the response read until end
 * of message (16 KiB cap), the keys from the TLS exporter.  The caller
 * polls NKE_fd() for NKE_events() and calls NKE_step() until it returns
 * NKE_DONE or NKE_FAILED; the deadline is the caller's. */
#ifndef NTS_KE_H
#define NTS_KE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "nts_rec.h"
#include "siv.h"
#include "tls.h"

enum nke_state {
	NKE_CONNECT = 0,
	NKE_HANDSHAKE,
	NKE_SEND,
	NKE_RECV,
	NKE_DONE,
	NKE_FAILED,
};

struct nts_ke {
	int state;
	int fd;
	struct tls *tls;
	char name[256];
	const char *ca_file;
	time_t floor;
	uint8_t req[64];
	size_t req_len, sent;
	uint8_t buf[NTS_KE_MAX_MSG];
	size_t len;
	/* results, valid in NKE_DONE */
	struct nts_ke_resp resp;
	uint8_t c2s[SIV_KEY_LEN], s2c[SIV_KEY_LEN];
	struct tls_info info;
	char err[256];
};

/* Start a key exchange with the server at sa (port included), name being
 * what the certificate must show (host name or address literal); ca_file
 * NULL for the system trust store; floor: the build date (see TLS_verify).
 * Returns 0, or -1 with k->state NKE_FAILED and the reason in k->err. */
int NKE_start(struct nts_ke *k, const struct sockaddr *sa, socklen_t salen, const char *name,
              const char *ca_file, time_t floor);

int NKE_fd(const struct nts_ke *k);
short NKE_events(const struct nts_ke *k);

/* Advance as far as possible without blocking; returns k->state. */
int NKE_step(struct nts_ke *k);

/* Give up (deadline): state NKE_FAILED with reason, socket closed. */
void NKE_abort(struct nts_ke *k, const char *why);

/* Close the socket and free the session (results stay). */
void NKE_close(struct nts_ke *k);

/* The calls above as a table: auth_nts reaches the key exchange only
 * through it (nts_build.h), so the plain builds, which have no TLS, link
 * auth_nts without this module. */
struct nts_ke_ops {
	int (*start)(struct nts_ke *k, const struct sockaddr *sa, socklen_t salen, const char *name,
	             const char *ca_file, time_t floor);
	int (*fd)(const struct nts_ke *k);
	short (*events)(const struct nts_ke *k);
	int (*step)(struct nts_ke *k);
	void (*abort)(struct nts_ke *k, const char *why);
	void (*close)(struct nts_ke *k);
};

extern const struct nts_ke_ops NKE_ops;

#endif

/* tls: one non-blocking TLS 1.3 client session from GnuTLS, as NTS-KE
 * needs it: ALPN required, SNI, the system trust store or one CA file,
 * the RFC 5705 exporter, and the facts -v reports.  Certificate checking
 * happens after the handshake (TLS_verify) so that the dead-clock path can
 * verify the chain with its dates deferred and check them at a later time. */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct tls;

/* How the peer's certificate chain was accepted. */
enum tls_path {
	TLS_PATH_NONE = 0,
	TLS_PATH_NORMAL,   /* chain, name and dates checked by the local clock */
	TLS_PATH_DEFERRED, /* dead clock: chain and name checked, dates deferred */
};

/* What -v shows about a session. */
struct tls_info {
	char version[16];
	char cipher[48];
	char subject[256];
	char issuer[256];
	time_t not_before, not_after;     /* the server's certificate */
	time_t chain_from, chain_until;   /* intersection over chain and anchor */
	int path;                         /* enum tls_path */
};

/* A client session on the connected socket fd.  name: the server's name
 * (SNI when it is not an address literal, and the name checked against
 * the certificate); alpn: the one protocol offered and required; ca_file:
 * PEM trust anchors, NULL for the system store.  Returns NULL (with a
 * reason in err) on failure. */
struct tls *TLS_client(int fd, const char *name, const char *alpn, const char *ca_file, char *err,
                       size_t errlen);

/* Returns 1 when done, 0 to be called again when TLS_events() are ready,
 * -1 on failure (reason in err). */
int TLS_handshake(struct tls *t, char *err, size_t errlen);

/* Poll events (POLLIN / POLLOUT) the session waits for. */
short TLS_events(const struct tls *t);

/* Check the peer: ALPN, the chain against the trust anchors, the name.
 * now: the local clock; floor: the build date.  When the local clock is
 * before floor, or the only fault is a certificate not yet valid, the
 * chain is verified with its dates ignored (TLS_PATH_DEFERRED): the caller
 * must then check chain_from..chain_until against the time it obtains.
 * Returns 0 or -1 (reason in err). */
int TLS_verify(struct tls *t, time_t now, time_t floor, char *err, size_t errlen);

/* Send / receive: bytes moved, 0 at end of stream (recv), -2 would block,
 * -1 on error. */
long TLS_send(struct tls *t, const void *buf, size_t len);
long TLS_recv(struct tls *t, void *buf, size_t len);

/* RFC 5705 keying material.  Returns 0 or -1. */
int TLS_export(struct tls *t, const char *label, const void *ctx, size_t ctxlen, void *out,
               size_t outlen);

void TLS_get_info(const struct tls *t, struct tls_info *info);

/* Free the session (the socket stays open: the caller owns it). */
void TLS_free(struct tls *t);

#endif

/* nts_ke: the non-blocking NTS-KE client. */
#include "nts_ke.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define EXPORTER_LABEL "EXPORTER-network-time-security"

/* End in NKE_FAILED with reason why (which may already be k->err). */
static int
fail(struct nts_ke *k, const char *why)
{
	if (why != k->err)
		snprintf(k->err, sizeof(k->err), "%s", why);
	NKE_close(k);
	k->state = NKE_FAILED;
	return k->state;
}

static int
sys_fail(struct nts_ke *k, const char *what, int err)
{
	char b[128];
	snprintf(b, sizeof(b), "%s: %s", what, strerror(err));
	return fail(k, b);
}

int
NKE_start(struct nts_ke *k, const struct sockaddr *sa, socklen_t salen, const char *name,
          const char *ca_file, time_t floor)
{
	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->state = NKE_CONNECT;
	k->ca_file = ca_file;
	k->floor = floor;
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->req_len = NTSREC_build_request(k->req, sizeof(k->req));
	k->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->fd < 0) {
		sys_fail(k, "socket", errno);
		return -1;
	}
	/* the exchange is a few small records each way: without this, Nagle
	 * and delayed acknowledgements add 40 ms */
	(void)setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	if (connect(k->fd, sa, salen) < 0 && errno != EINPROGRESS) {
		sys_fail(k, "connect", errno);
		return -1;
	}
	return 0;
}

int
NKE_fd(const struct nts_ke *k)
{
	return k->fd;
}

short
NKE_events(const struct nts_ke *k)
{
	switch (k->state) {
	case NKE_CONNECT:
		return POLLOUT;
	case NKE_HANDSHAKE:
	case NKE_SEND:
		return k->tls ? TLS_events(k->tls) : POLLOUT;
	case NKE_RECV:
		return POLLIN;
	default:
		return 0;
	}
}

static int
keys(struct nts_ke *k)
{
	uint8_t ctx[5] = { 0, NTS_PROTO_NTPV4, 0, NTS_AEAD_AES_SIV_CMAC_256, 0 };

	if (TLS_export(k->tls, EXPORTER_LABEL, ctx, sizeof(ctx), k->c2s, sizeof(k->c2s)) < 0)
		return -1;
	ctx[4] = 1;
	return TLS_export(k->tls, EXPORTER_LABEL, ctx, sizeof(ctx), k->s2c, sizeof(k->s2c));
}

/* The response so far: done, more needed, or refused. */
static int
judge(struct nts_ke *k, int at_eof)
{
	int rc = NTSREC_parse_response(k->buf, k->len, &k->resp);
	char what[96];

	if (rc == NTSREC_OK) {
		NKE_close(k);
		k->state = NKE_DONE;
		return k->state;
	}
	if (rc == NTSREC_INCOMPLETE && !at_eof) {
		if (k->len < sizeof(k->buf))
			return k->state;
		return fail(k, "response over 16 KiB without end of message");
	}
	if (rc == NTSREC_INCOMPLETE)
		return fail(k, "connection closed before end of message");
	if (rc == NTSREC_E_ERROR) {
		snprintf(what, sizeof(what), "server sent error %u (%s)", k->resp.error,
		         NTSREC_error_name(k->resp.error));
		return fail(k, what);
	}
	if (rc == NTSREC_E_CRITICAL) {
		snprintf(what, sizeof(what), "unknown critical record type %u", k->resp.bad_type);
		return fail(k, what);
	}
	if (rc == NTSREC_E_WARNING) {
		snprintf(what, sizeof(what), "server sent warning %u", k->resp.warning);
		return fail(k, what);
	}
	return fail(k, NTSREC_strerror(rc));
}

int
NKE_step(struct nts_ke *k)
{
	int e = 0, rc;
	socklen_t el = sizeof(e);
	long n;

	for (;;) {
		switch (k->state) {
		case NKE_CONNECT: {
			struct pollfd p = { k->fd, POLLOUT, 0 };
			if (poll(&p, 1, 0) <= 0)
				return k->state;
			if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e != 0)
				return sys_fail(k, "connect", e ? e : errno);
			k->tls = TLS_client(k->fd, k->name, "ntske/1", k->ca_file, k->err, sizeof(k->err));
			if (!k->tls)
				return fail(k, k->err);
			k->state = NKE_HANDSHAKE;
			break;
		}
		case NKE_HANDSHAKE:
			rc = TLS_handshake(k->tls, k->err, sizeof(k->err));
			if (rc == 0)
				return k->state;
			if (rc < 0)
				return fail(k, k->err);
			if (TLS_verify(k->tls, time(NULL), k->floor, k->err, sizeof(k->err)) < 0)
				return fail(k, k->err);
			TLS_get_info(k->tls, &k->info);
			if (keys(k) < 0)
				return fail(k, "TLS exporter failed");
			k->state = NKE_SEND;
			break;
		case NKE_SEND:
			n = TLS_send(k->tls, k->req + k->sent, k->req_len - k->sent);
			if (n == -2)
				return k->state;
			if (n < 0)
				return fail(k, "TLS send failed");
			k->sent += (size_t)n;
			if (k->sent == k->req_len)
				k->state = NKE_RECV;
			break;
		case NKE_RECV:
			if (k->len == sizeof(k->buf))
				return judge(k, 0);
			n = TLS_recv(k->tls, k->buf + k->len, sizeof(k->buf) - k->len);
			if (n == -2)
				return k->state;
			if (n < 0)
				return fail(k, "TLS receive failed");
			if (n == 0)
				return judge(k, 1);
			k->len += (size_t)n;
			if (judge(k, 0) != NKE_RECV)
				return k->state;
			break;
		default:
			return k->state;
		}
	}
}

void
NKE_abort(struct nts_ke *k, const char *why)
{
	if (k->state != NKE_DONE && k->state != NKE_FAILED)
		fail(k, why);
}

void
NKE_close(struct nts_ke *k)
{
	TLS_free(k->tls);
	k->tls = NULL;
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

const struct nts_ke_ops NKE_ops = {
	.start = NKE_start,
	.fd = NKE_fd,
	.events = NKE_events,
	.step = NKE_step,
	.abort = NKE_abort,
	.close = NKE_close,
};

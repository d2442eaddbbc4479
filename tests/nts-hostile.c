/* nts-hostile: an NTS-KE and NTS NTP server for tests that misbehaves on
 * request.  Listens on random loopback ports (TCP for NTS-KE, UDP for NTP),
 * prints "KE_PORT NTP_PORT" on stdout, serves until its lifetime ends.
 *   --ke MODE:  good error warning critical nocookie zerocookie bigcookie
 *               hundred noeom endless longrec silent tls12 noalpn badaead
 *   --ntp MODE: good noauth badtag foreignuid nak replay
 * Its key exchange names its own UDP port; the NTP side answers with the
 * keys of the latest exchange. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "common/nts_ef.h"
#include "common/nts_rec.h"
#include "common/ntptime.h"
#include "common/packet.h"
#include "common/siv.h"

struct srv {
	const char *ke_mode, *ntp_mode;
	gnutls_certificate_credentials_t cred;
	struct siv c2s, s2c;
	int have_keys;
	uint8_t first[PKT_MAX_LEN];
	size_t first_len;
	uint16_t ntp_port;
	int held[64];
	int n_held;
};

static int
bind_lo(int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	int one = 1, fd = socket(AF_INET, type, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("bind");
		exit(1);
	}
	if (type == SOCK_STREAM && listen(fd, 16) < 0) {
		perror("listen");
		exit(1);
	}
	return fd;
}

static uint16_t
port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &l);
	return ntohs(a.sin_port);
}

static int
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* The response records for the mode. */
static size_t
response(struct srv *s, uint8_t *b, size_t cap)
{
	uint8_t proto[2] = { 0, 0 }, aead[2] = { 0, 15 }, port[2], cookie[300], code[2] = { 0, 1 };
	size_t off = 0, clen = 100;
	int i, n = 8;

	port[0] = (uint8_t)(s->ntp_port >> 8);
	port[1] = (uint8_t)s->ntp_port;
	gnutls_rnd(GNUTLS_RND_NONCE, cookie, sizeof(cookie));
	if (is(s->ke_mode, "error")) {
		off = NTSREC_put(b, cap, off, 1, NTSREC_ERROR, code, 2);
		return NTSREC_put(b, cap, off, 1, NTSREC_END, NULL, 0);
	}
	if (is(s->ke_mode, "warning")) {
		off = NTSREC_put(b, cap, off, 1, NTSREC_WARNING, code, 2);
		return NTSREC_put(b, cap, off, 1, NTSREC_END, NULL, 0);
	}
	off = NTSREC_put(b, cap, off, 1, NTSREC_NEXT_PROTO, proto, 2);
	if (is(s->ke_mode, "badaead"))
		aead[1] = 30;
	off = NTSREC_put(b, cap, off, 1, NTSREC_AEAD, aead, 2);
	off = NTSREC_put(b, cap, off, 1, NTSREC_SERVER, "127.0.0.1", 9);
	off = NTSREC_put(b, cap, off, 1, NTSREC_PORT, port, 2);
	if (is(s->ke_mode, "critical"))
		off = NTSREC_put(b, cap, off, 1, 0x4242, "??", 2);
	if (is(s->ke_mode, "nocookie"))
		n = 0;
	if (is(s->ke_mode, "zerocookie"))
		clen = 0;
	if (is(s->ke_mode, "bigcookie"))
		clen = 257;
	if (is(s->ke_mode, "hundred"))
		n = 100;
	for (i = 0; i < n; i++)
		off = NTSREC_put(b, cap, off, 0, NTSREC_COOKIE, cookie, clen);
	if (is(s->ke_mode, "longrec")) {
		/* a cookie record that claims more than the message holds */
		b[off] = 0; b[off + 1] = NTSREC_COOKIE; b[off + 2] = 0x10; b[off + 3] = 0;
		memset(b + off + 4, 0, 16);
		return off + 20;
	}
	if (is(s->ke_mode, "noeom") || is(s->ke_mode, "endless"))
		return off;
	return NTSREC_put(b, cap, off, 1, NTSREC_END, NULL, 0);
}

static void
serve_ke(struct srv *s, int lfd)
{
	gnutls_session_t ss;
	unsigned char alpn_name[] = "ntske/1";
	gnutls_datum_t alpn = { alpn_name, 7 };
	uint8_t req[1024], resp[NTS_KE_MAX_MSG + 64], c2s[32], s2c[32];
	uint8_t ctx[5] = { 0, 0, 0, 15, 0 };
	const char *label = "EXPORTER-network-time-security";
	struct timeval tv = { 3, 0 };
	size_t got = 0, n;
	int fd = accept(lfd, NULL, NULL), rc;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	gnutls_init(&ss, GNUTLS_SERVER);
	gnutls_priority_set_direct(ss, is(s->ke_mode, "tls12") ? "NORMAL:-VERS-ALL:+VERS-TLS1.2" : "NORMAL", NULL);
	gnutls_credentials_set(ss, GNUTLS_CRD_CERTIFICATE, s->cred);
	if (!is(s->ke_mode, "noalpn"))
		gnutls_alpn_set_protocols(ss, &alpn, 1, 0);
	gnutls_transport_set_int(ss, fd);
	do
		rc = gnutls_handshake(ss);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc < 0)
		goto out;
	/* the client's request, until its end-of-message record */
	for (;;) {
		struct ntsrec r;
		size_t off = 0;
		int end = 0;
		ssize_t k = gnutls_record_recv(ss, req + got, sizeof(req) - got);
		if (k <= 0)
			goto out;
		got += (size_t)k;
		while (NTSREC_next(req, got, &off, &r))
			if (r.type == NTSREC_END)
				end = 1;
		if (end || got == sizeof(req))
			break;
	}
	if (gnutls_prf_rfc5705(ss, strlen(label), label, 5, (char *)ctx, 32, (char *)c2s) < 0)
		goto out;
	ctx[4] = 1;
	if (gnutls_prf_rfc5705(ss, strlen(label), label, 5, (char *)ctx, 32, (char *)s2c) < 0)
		goto out;
	SIV_set_key(&s->c2s, c2s, 32);
	SIV_set_key(&s->s2c, s2c, 32);
	s->have_keys = 1;
	s->first_len = 0;
	n = response(s, resp, sizeof(resp));
	if (gnutls_record_send(ss, resp, n) < 0)
		goto out;
	if (is(s->ke_mode, "endless") && s->n_held < 64) {
		s->held[s->n_held++] = fd; /* keep it open, say nothing more */
		gnutls_deinit(ss);
		return;
	}
	gnutls_bye(ss, GNUTLS_SHUT_WR);
out:
	gnutls_deinit(ss);
	close(fd);
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;
	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void
serve_ntp(struct srv *s, int fd)
{
	uint8_t q[PKT_MAX_LEN], r[PKT_MAX_LEN], uid[NTS_UID_LEN], pt[200], nonce[16], cookie[100];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	struct ntsef ef;
	struct timespec now;
	size_t off = PKT_HEADER_LEN, pl = 0, ro;
	int have_uid = 0, auth_ok = 0;
	ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);

	if (n < PKT_HEADER_LEN || !s->have_keys)
		return;
	while (NTSEF_next(q, (size_t)n, &off, &ef) == 1) {
		if (ef.type == NTS_EF_UID && ef.len == NTS_UID_LEN) {
			memcpy(uid, ef.body, NTS_UID_LEN);
			have_uid = 1;
		}
		if (ef.type == NTS_EF_AUTH && ef.len >= 4 + 16 + 16) {
			uint8_t dummy[1];
			size_t nl = (size_t)(ef.body[0] << 8 | ef.body[1]), cl = (size_t)(ef.body[2] << 8 | ef.body[3]);
			auth_ok = nl == 16 && cl == 16 &&
			          SIV_decrypt(&s->c2s, ef.body + 4, nl, q, ef.start, ef.body + 20, cl, dummy, 0) == 0;
		}
	}
	if (!have_uid || !auth_ok)
		return; /* a real server drops what it cannot authenticate */
	if (is(s->ntp_mode, "replay") && s->first_len > 0) {
		memcpy(r, s->first, s->first_len);
		memcpy(r + 24, q + 40, 8); /* the new origin: only the NTS check can tell */
		sendto(fd, r, s->first_len, 0, (struct sockaddr *)&from, fl);
		return;
	}
	memset(r, 0, PKT_HEADER_LEN);
	r[0] = 0x24; /* LI 0, VN 4, mode 4 */
	r[1] = 2;
	r[2] = 0;
	r[3] = (uint8_t)-20;
	memcpy(r + 12, "\x7f\x00\x00\x01", 4);
	clock_gettime(CLOCK_REALTIME, &now);
	put64(r + 16, NTT_from_timespec(&now).v - (1ull << 32));
	memcpy(r + 24, q + 40, 8);
	put64(r + 32, NTT_from_timespec(&now).v);
	put64(r + 40, NTT_from_timespec(&now).v);
	if (is(s->ntp_mode, "nak")) {
		r[0] = 0xe4;
		r[1] = 0;
		memcpy(r + 12, "NTSN", 4);
	}
	if (is(s->ntp_mode, "foreignuid"))
		uid[0] ^= 0x80;
	ro = NTSEF_put(r, sizeof(r), PKT_HEADER_LEN, NTS_EF_UID, uid, NTS_UID_LEN);
	if (!is(s->ntp_mode, "noauth") && !is(s->ntp_mode, "nak")) {
		gnutls_rnd(GNUTLS_RND_NONCE, cookie, sizeof(cookie));
		gnutls_rnd(GNUTLS_RND_NONCE, nonce, sizeof(nonce));
		pl = NTSEF_put(pt, sizeof(pt), 0, NTS_EF_COOKIE, cookie, sizeof(cookie));
		ro = NTSEF_put_auth(r, sizeof(r), ro, &s->s2c, nonce, sizeof(nonce), pt, pl);
		if (is(s->ntp_mode, "badtag"))
			r[ro - pl - 1] ^= 0x01; /* last byte of the tag */
	}
	if (s->first_len == 0) {
		memcpy(s->first, r, ro);
		s->first_len = ro;
	}
	sendto(fd, r, ro, 0, (struct sockaddr *)&from, fl);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cert", 1, NULL, 'c' }, { "key", 1, NULL, 'k' }, { "ke", 1, NULL, 'e' },
		{ "ntp", 1, NULL, 'n' }, { "lifetime", 1, NULL, 'L' }, { NULL, 0, NULL, 0 },
	};
	struct srv s;
	const char *cert = NULL, *key = NULL;
	double lifetime = 60;
	struct timespec t0, t;
	int c, tfd, ufd;

	memset(&s, 0, sizeof(s));
	s.ke_mode = "good";
	s.ntp_mode = "good";
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'e': s.ke_mode = optarg; break;
		case 'n': s.ntp_mode = optarg; break;
		case 'L': lifetime = atof(optarg); break;
		default:
			fprintf(stderr, "usage: nts-hostile --cert F --key F [--ke MODE] [--ntp MODE] [--lifetime S]\n");
			return 2;
		}
	}
	if (!cert || !key || gnutls_certificate_allocate_credentials(&s.cred) < 0 ||
	    gnutls_certificate_set_x509_key_file(s.cred, cert, key, GNUTLS_X509_FMT_PEM) < 0) {
		fprintf(stderr, "nts-hostile: cannot load certificate and key\n");
		return 1;
	}
	tfd = bind_lo(SOCK_STREAM);
	ufd = bind_lo(SOCK_DGRAM);
	s.ntp_port = port_of(ufd);
	printf("%u %u\n", port_of(tfd), s.ntp_port);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[2] = { { tfd, POLLIN, 0 }, { ufd, POLLIN, 0 } };
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) > lifetime)
			break;
		/* silent: the kernel completes the TCP handshake, nobody answers */
		if (poll(p, 2, 200) <= 0)
			continue;
		if ((p[0].revents & POLLIN) && !is(s.ke_mode, "silent"))
			serve_ke(&s, tfd);
		if (p[1].revents & POLLIN)
			serve_ntp(&s, ufd);
	}
	return 0;
}

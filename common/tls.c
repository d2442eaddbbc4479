/* tls: GnuTLS client sessions for NTS-KE. */
#include "tls.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tls {
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	char name[256];
	char alpn[32];
	struct tls_info info;
};

static void
say(char *err, size_t len, const char *what, int rc)
{
	if (rc)
		snprintf(err, len, "%s: %s", what, gnutls_strerror(rc));
	else
		snprintf(err, len, "%s", what);
}

static int
is_address(const char *name)
{
	unsigned char a[16];
	return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

struct tls *
TLS_client(int fd, const char *name, const char *alpn, const char *ca_file, char *err, size_t errlen)
{
	struct tls *t = calloc(1, sizeof(*t));
	gnutls_datum_t proto;
	int rc;

	if (!t) {
		say(err, errlen, "out of memory", 0);
		return NULL;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->alpn, sizeof(t->alpn), "%s", alpn);
	if ((rc = gnutls_certificate_allocate_credentials(&t->cred)) < 0) {
		say(err, errlen, "TLS credentials", rc);
		free(t);
		return NULL;
	}
	if (ca_file)
		rc = gnutls_certificate_set_x509_trust_file(t->cred, ca_file, GNUTLS_X509_FMT_PEM);
	else
		rc = gnutls_certificate_set_x509_system_trust(t->cred);
	if (rc <= 0) {
		say(err, errlen, ca_file ? "no CA certificate in --nts-ca file" : "no system trust store",
		    rc < 0 ? rc : 0);
		goto fail_cred;
	}
	if ((rc = gnutls_init(&t->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS)) < 0) {
		say(err, errlen, "TLS session", rc);
		goto fail_cred;
	}
	proto.data = (unsigned char *)t->alpn;
	proto.size = (unsigned)strlen(t->alpn);
	if ((rc = gnutls_priority_set_direct(t->s, "NORMAL:-VERS-ALL:+VERS-TLS1.3", NULL)) < 0 ||
	    (rc = gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, t->cred)) < 0 ||
	    (rc = gnutls_alpn_set_protocols(t->s, &proto, 1, GNUTLS_ALPN_MANDATORY)) < 0 ||
	    (!is_address(name) &&
	     (rc = gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, name, strlen(name))) < 0)) {
		say(err, errlen, "TLS set-up", rc);
		gnutls_deinit(t->s);
		goto fail_cred;
	}
	gnutls_transport_set_int(t->s, fd);
	gnutls_handshake_set_timeout(t->s, 0);
	return t;
fail_cred:
	gnutls_certificate_free_credentials(t->cred);
	free(t);
	return NULL;
}

int
TLS_handshake(struct tls *t, char *err, size_t errlen)
{
	int rc = gnutls_handshake(t->s);

	if (rc == GNUTLS_E_SUCCESS)
		return 1;
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(rc))
		return 0;
	if (rc == GNUTLS_E_UNSUPPORTED_VERSION_PACKET || rc == GNUTLS_E_NO_PRIORITIES_WERE_SET ||
	    rc == GNUTLS_E_INSUFFICIENT_SECURITY)
		say(err, errlen, "TLS handshake (TLS 1.3 required)", rc);
	else if (rc == GNUTLS_E_WARNING_ALERT_RECEIVED || rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
		snprintf(err, errlen, "TLS handshake: alert %s",
		         gnutls_alert_get_name(gnutls_alert_get(t->s)));
	else
		say(err, errlen, "TLS handshake", rc);
	return -1;
}

short
TLS_events(const struct tls *t)
{
	return gnutls_record_get_direction(t->s) ? POLLOUT : POLLIN;
}

static void
crt_dn(gnutls_x509_crt_t c, int issuer, char *out, size_t len)
{
	gnutls_datum_t d = { NULL, 0 };
	int rc = issuer ? gnutls_x509_crt_get_issuer_dn3(c, &d, 0) : gnutls_x509_crt_get_dn3(c, &d, 0);

	snprintf(out, len, "%.*s", rc < 0 ? 0 : (int)d.size, rc < 0 ? "" : (const char *)d.data);
	gnutls_free(d.data);
}

static void
window(gnutls_x509_crt_t c, time_t *from, time_t *until)
{
	time_t a = gnutls_x509_crt_get_activation_time(c), b = gnutls_x509_crt_get_expiration_time(c);

	if (a > *from)
		*from = a;
	if (b < *until)
		*until = b;
}

/* Dates of every certificate the server sent, and of the anchor that
 * issued the last one; the leaf's subject and issuer. */
static int
chain_facts(struct tls *t)
{
	const gnutls_datum_t *der;
	unsigned n = 0, i;
	gnutls_x509_crt_t c, last = NULL, anchor;

	der = gnutls_certificate_get_peers(t->s, &n);
	if (!der || n == 0)
		return -1;
	t->info.chain_from = 0;
	t->info.chain_until = (time_t)INT64_MAX;
	for (i = 0; i < n; i++) {
		if (gnutls_x509_crt_init(&c) < 0)
			return -1;
		if (gnutls_x509_crt_import(c, &der[i], GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(c);
			return -1;
		}
		window(c, &t->info.chain_from, &t->info.chain_until);
		if (i == 0) {
			crt_dn(c, 0, t->info.subject, sizeof(t->info.subject));
			crt_dn(c, 1, t->info.issuer, sizeof(t->info.issuer));
			t->info.not_before = gnutls_x509_crt_get_activation_time(c);
			t->info.not_after = gnutls_x509_crt_get_expiration_time(c);
		}
		if (last)
			gnutls_x509_crt_deinit(last);
		last = c;
	}
	if (gnutls_certificate_get_issuer(t->cred, last, &anchor, 0) == 0)
		window(anchor, &t->info.chain_from, &t->info.chain_until);
	gnutls_x509_crt_deinit(last);
	return 0;
}

static void
status_text(gnutls_session_t s, unsigned status, char *err, size_t errlen)
{
	gnutls_datum_t d = { NULL, 0 };

	if (gnutls_certificate_verification_status_print(status, gnutls_certificate_type_get(s), &d, 0) == 0)
		snprintf(err, errlen, "certificate: %.*s", (int)d.size, (const char *)d.data);
	else
		snprintf(err, errlen, "certificate not trusted");
	gnutls_free(d.data);
}

int
TLS_verify(struct tls *t, time_t now, time_t floor, char *err, size_t errlen)
{
	gnutls_datum_t sel;
	unsigned status = 0, only_dates;
	int rc;

	if (gnutls_alpn_get_selected_protocol(t->s, &sel) < 0 || sel.size != strlen(t->alpn) ||
	    memcmp(sel.data, t->alpn, sel.size) != 0) {
		snprintf(err, errlen, "server did not select ALPN %s", t->alpn);
		return -1;
	}
	if (gnutls_protocol_get_version(t->s) != GNUTLS_TLS1_3) {
		snprintf(err, errlen, "not TLS 1.3");
		return -1;
	}
	if (chain_facts(t) < 0) {
		snprintf(err, errlen, "server sent no certificate");
		return -1;
	}
	gnutls_certificate_set_verify_flags(t->cred, 0);
	rc = gnutls_certificate_verify_peers3(t->s, t->name, &status);
	if (rc < 0) {
		say(err, errlen, "certificate check", rc);
		return -1;
	}
	if (status == 0 && now >= floor) {
		t->info.path = TLS_PATH_NORMAL;
		return 0;
	}
	/* the dead-clock path: a clock before the build date, or a chain whose
	 * only fault is a date not yet reached */
	only_dates = (status & ~(GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED | GNUTLS_CERT_EXPIRED)) == 0;
	if (!only_dates || (now >= floor && (status & GNUTLS_CERT_EXPIRED))) {
		status_text(t->s, status, err, errlen);
		return -1;
	}
	gnutls_certificate_set_verify_flags(t->cred, GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	                                                 GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS);
	status = 0;
	rc = gnutls_certificate_verify_peers3(t->s, t->name, &status);
	gnutls_certificate_set_verify_flags(t->cred, 0);
	if (rc < 0 || status != 0) {
		if (rc < 0)
			say(err, errlen, "certificate check", rc);
		else
			status_text(t->s, status, err, errlen);
		return -1;
	}
	t->info.path = TLS_PATH_DEFERRED;
	return 0;
}

long
TLS_send(struct tls *t, const void *buf, size_t len)
{
	ssize_t n = gnutls_record_send(t->s, buf, len);

	if (n >= 0)
		return (long)n;
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return -2;
	return -1;
}

long
TLS_recv(struct tls *t, void *buf, size_t len)
{
	ssize_t n = gnutls_record_recv(t->s, buf, len);

	if (n >= 0)
		return (long)n;
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return -2;
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	return -1;
}

int
TLS_export(struct tls *t, const char *label, const void *ctx, size_t ctxlen, void *out, size_t outlen)
{
	return gnutls_prf_rfc5705(t->s, strlen(label), label, ctxlen, ctx, outlen, out) < 0 ? -1 : 0;
}

void
TLS_get_info(const struct tls *t, struct tls_info *info)
{
	struct tls_info i = t->info;
	const char *v = gnutls_protocol_get_name(gnutls_protocol_get_version(t->s));
	const char *c = gnutls_cipher_get_name(gnutls_cipher_get(t->s));

	snprintf(i.version, sizeof(i.version), "%s", v ? v : "?");
	snprintf(i.cipher, sizeof(i.cipher), "%s", c ? c : "?");
	*info = i;
}

void
TLS_free(struct tls *t)
{
	if (!t)
		return;
	gnutls_deinit(t->s);
	gnutls_certificate_free_credentials(t->cred);
	free(t);
}

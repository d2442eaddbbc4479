/* auth_nts: NTS for one source: the key-exchange stage and the method. */
#include "auth_nts.h"

#include <bsd/stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nts_cache.h"
#include "nts_ef.h"
#include "ntptime.h"

_Static_assert(AUTH_REQ_DATA >= NTS_UID_LEN, "auth_req too small for an NTS unique identifier");

const char *
NTS_path_name(int path)
{
	switch (path) {
	case TLS_PATH_NORMAL: return "normal";
	case TLS_PATH_DEFERRED: return "dead clock (dates checked at NTS time)";
	default: return "none";
	}
}

int
NTS_cache_path(const char *dir, const char *name, const char *port, char *out, size_t len)
{
	char safe[CLI_HOST_MAX + 1];
	size_t i;

	for (i = 0; name[i] && i < sizeof(safe) - 1; i++) {
		char c = name[i];
		safe[i] = (char)(((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		                  c == '.' || c == '-') ? c : '_');
	}
	safe[i] = '\0';
	if ((size_t)snprintf(out, len, "%s/%s_%s", dir, safe, port) >= len)
		return -1;
	return 0;
}

int
NTS_src_init(struct nts_src *src, const struct nts_opts *opt, const char *name, const char *port,
             const struct net_addr *a)
{
	memset(src, 0, sizeof(*src));
	src->opt = opt;
	snprintf(src->ke_name, sizeof(src->ke_name), "%s", name);
	snprintf(src->ke_port, sizeof(src->ke_port), "%s", port);
	src->ke_addr = *a;
	NET_ntop(a, src->ke_addr_text, sizeof(src->ke_addr_text));
	src->cache = opt->cache_dir ? NTS_CACHE_MISS : NTS_CACHE_OFF;
	return 0;
}

/* Keys and cookies in place, the NTP server named. */
static int
arm(struct nts_src *src, const uint8_t *c2s, const uint8_t *s2c)
{
	memcpy(src->c2s_key, c2s, SIV_KEY_LEN);
	memcpy(src->s2c_key, s2c, SIV_KEY_LEN);
	if (SIV_set_key(&src->c2s, c2s, SIV_KEY_LEN) < 0 || SIV_set_key(&src->s2c, s2c, SIV_KEY_LEN) < 0) {
		snprintf(src->why, sizeof(src->why), "NTS: AES-SIV-CMAC-256 unavailable");
		return -1;
	}
	return 0;
}

static int
from_cache(struct nts_src *src)
{
	struct ntsc_entry e;
	char path[4096];
	int rc;

	if (!src->opt->cache_dir ||
	    NTS_cache_path(src->opt->cache_dir, src->ke_name, src->ke_port, path, sizeof(path)) < 0)
		return 0;
	rc = NTSC_take(path, time(NULL), NTS_CACHE_MAX_AGE, &e, src->cache_note, sizeof(src->cache_note));
	if (rc < 0)
		src->cache = NTS_CACHE_BAD;
	if (rc <= 0)
		return 0;
	if (arm(src, e.c2s, e.s2c) < 0)
		return 0;
	src->n_cookies = e.n_cookies;
	memcpy(src->cookie_len, e.cookie_len, sizeof(e.cookie_len));
	memcpy(src->cookie, e.cookie, sizeof(e.cookie));
	snprintf(src->ntp_host, sizeof(src->ntp_host), "%s", e.ntp_host);
	snprintf(src->ntp_port, sizeof(src->ntp_port), "%s", e.ntp_port);
	src->cache = NTS_CACHE_USED;
	return 1;
}

static int
ke_done(struct nts_src *src)
{
	const struct nts_ke_resp *r = &src->ke->resp;

	src->have_tls = 1;
	src->tls = src->ke->info;
	if (arm(src, src->ke->c2s, src->ke->s2c) < 0)
		return -1;
	src->n_cookies = r->n_cookies;
	memcpy(src->cookie_len, r->cookie_len, sizeof(r->cookie_len));
	memcpy(src->cookie, r->cookie, sizeof(r->cookie));
	src->ke_cookies = (unsigned)r->cookies_seen;
	src->negotiated_server = r->has_server;
	src->negotiated_port = r->has_port;
	snprintf(src->ntp_host, sizeof(src->ntp_host), "%s", r->has_server ? r->server : src->ke_addr_text);
	snprintf(src->ntp_port, sizeof(src->ntp_port), "%u", r->has_port ? r->port : 123u);
	return 0;
}

static int
stage_step(void *ctx, short revents, int *fd, short *events, int *wait_ms, char *host, size_t hostlen,
           char *port, size_t portlen)
{
	struct nts_src *src = ctx;
	int st;

	(void)revents;
	*wait_ms = -1;
	if (src->failed)
		return ENG_STAGE_FAILED;
	if (!src->ke) {
		if (from_cache(src)) {
			src->stage_done = 1;
			snprintf(host, hostlen, "%s", src->ntp_host);
			snprintf(port, portlen, "%s", src->ntp_port);
			return ENG_STAGE_DONE;
		}
		if (!src->opt->ke) {
			/* a build without TLS, whose cache entry went between the
			 * check that chose it and now (another run took it) */
			snprintf(src->why, sizeof(src->why), "NTS-KE: the cookie cache entry is gone "
			         "(taken by another run) and this build has no key exchange; run again");
			src->failed = 1;
			return ENG_STAGE_FAILED;
		}
		src->ke = malloc(sizeof(*src->ke));
		if (!src->ke) {
			snprintf(src->why, sizeof(src->why), "NTS-KE: out of memory");
			src->failed = 1;
			return ENG_STAGE_FAILED;
		}
		src->opt->ke->start(src->ke, (const struct sockaddr *)&src->ke_addr.sa, src->ke_addr.len,
		                    src->ke_name, src->opt->ca_file, src->opt->floor);
	}
	st = src->opt->ke->step(src->ke);
	if (st == NKE_FAILED) {
		snprintf(src->why, sizeof(src->why), "NTS-KE: %s", src->ke->err);
		src->failed = 1;
	} else if (st == NKE_DONE) {
		if (ke_done(src) < 0) {
			src->failed = 1;
		} else {
			src->stage_done = 1;
			snprintf(host, hostlen, "%s", src->ntp_host);
			snprintf(port, portlen, "%s", src->ntp_port);
		}
	}
	if (st == NKE_DONE || st == NKE_FAILED) {
		if (src->have_tls == 0 && st == NKE_FAILED && src->ke->info.subject[0]) {
			src->have_tls = 1;
			src->tls = src->ke->info;
		}
		free(src->ke);
		src->ke = NULL;
		return src->failed ? ENG_STAGE_FAILED : ENG_STAGE_DONE;
	}
	*fd = src->opt->ke->fd(src->ke);
	*events = src->opt->ke->events(src->ke);
	return ENG_STAGE_AGAIN;
}

static void
stage_abort(void *ctx)
{
	struct nts_src *src = ctx;

	if (src->ke) {
		src->opt->ke->abort(src->ke, "no answer before the run's deadline");
		snprintf(src->why, sizeof(src->why), "NTS-KE: %s", src->ke->err);
		free(src->ke);
		src->ke = NULL;
	}
	src->failed = 1;
}

static void
stage_describe(void *ctx, char *buf, size_t len)
{
	const struct nts_src *src = ctx;

	snprintf(buf, len, "%s", src->why[0] ? src->why : "NTS-KE failed");
}

static void
stage_json(void *ctx, FILE *f)
{
	NTS_src_json(f, ctx);
}

const struct eng_stage NTS_stage = {
	.name = "NTS-KE",
	.step = stage_step,
	.abort = stage_abort,
	.describe = stage_describe,
	.json = stage_json,
};

/* Placeholders to ask for: enough to refill the pool, as many as fit in
 * the request and (encrypted) in a reply of at most PKT_MAX_LEN. */
static unsigned
placeholders(const struct nts_src *src, size_t clen, size_t len, size_t cap)
{
	size_t want = NTS_MAX_COOKIES - src->n_cookies - 1, ef = (clen + 3 + 4) & ~(size_t)3, fit;
	/* reply: header, UID 36, authenticator 4 + 4 + 16 + 16 + (1 + n) cookies */
	size_t reply_fit = (PKT_MAX_LEN - PKT_HEADER_LEN - 36 - 40) / ef;

	if (src->n_cookies + 1 > NTS_MAX_COOKIES)
		return 0;
	fit = cap > len + 36 + 40 + ef ? (cap - len - 36 - 40 - ef) / ef : 0;
	if (reply_fit > 0 && reply_fit - 1 < fit)
		fit = reply_fit - 1;
	return (unsigned)(want < fit ? want : fit);
}

static size_t
nts_sign(void *ctx, uint8_t *buf, size_t len, size_t cap, struct auth_req *rq)
{
	struct nts_src *src = ctx;
	uint8_t cookie[NTS_COOKIE_MAX];
	size_t clen, n;

	if (!src || !src->stage_done || src->n_cookies == 0 || src->cert_time_bad || src->nak)
		return 0;
	arc4random_buf(rq->data, NTS_UID_LEN);
	rq->len = NTS_UID_LEN;
	/* the oldest cookie first; each one leaves the pool for good */
	clen = src->cookie_len[0];
	memcpy(cookie, src->cookie[0], clen);
	src->n_cookies--;
	memmove(src->cookie_len, src->cookie_len + 1, src->n_cookies * sizeof(src->cookie_len[0]));
	memmove(src->cookie, src->cookie + 1, src->n_cookies * sizeof(src->cookie[0]));
	src->cookies_used++;
	n = NTSEF_build_request(buf, cap, rq->data, cookie, clen, placeholders(src, clen, len, cap), &src->c2s);
	return n;
}

static int
nts_check(void *ctx, const uint8_t *buf, size_t len, const struct auth_req *rq)
{
	struct nts_src *src = ctx;
	struct nts_reply r;
	size_t i;
	int rc;

	if (!src || rq->len != NTS_UID_LEN || !src->stage_done)
		return AUTH_MISSING;
	rc = NTSEF_check_reply(buf, len, rq->data, &src->s2c, &r);
	if (rc == AUTH_NTS_NAK)
		src->nak = 1;
	if (rc != AUTH_OK)
		return rc;
	if (src->have_tls && src->tls.path == TLS_PATH_DEFERRED) {
		/* the dead-clock path: the chain must have been valid at the
		 * time the server gave (its transmit timestamp) */
		NTP_ts xmt;
		struct timespec t;
		uint64_t v = 0;
		for (i = 0; i < 8; i++)
			v = v << 8 | buf[40 + i];
		xmt.v = v;
		t = NTT_to_timespec(xmt, src->opt->floor);
		if (t.tv_sec < src->tls.chain_from || t.tv_sec > src->tls.chain_until) {
			src->cert_time_bad = 1;
			return AUTH_NTS_CERT;
		}
		src->verified_at_nts_time = 1;
	}
	for (i = 0; i < r.n_cookies && src->n_cookies < NTS_MAX_COOKIES; i++) {
		src->cookie_len[src->n_cookies] = r.cookie_len[i];
		memcpy(src->cookie[src->n_cookies], r.cookie[i], r.cookie_len[i]);
		src->n_cookies++;
	}
	src->reply_cookies += (unsigned)r.n_cookies;
	return AUTH_OK;
}

const struct auth_method AUTH_nts = {
	.name = "NTS",
	.sign = nts_sign,
	.check = nts_check,
};

int
NTS_src_finish(struct nts_src *src)
{
	struct ntsc_entry e;
	char path[4096];
	int rc = 0;

	if (src->ke) {
		src->opt->ke->close(src->ke);
		free(src->ke);
		src->ke = NULL;
	}
	if (src->opt->cache_dir && src->stage_done && !src->nak && !src->cert_time_bad &&
	    NTS_cache_path(src->opt->cache_dir, src->ke_name, src->ke_port, path, sizeof(path)) == 0) {
		if (src->n_cookies > 0) {
			memset(&e, 0, sizeof(e));
			e.written = time(NULL);
			snprintf(e.ntp_host, sizeof(e.ntp_host), "%s", src->ntp_host);
			snprintf(e.ntp_port, sizeof(e.ntp_port), "%s", src->ntp_port);
			memcpy(e.c2s, src->c2s_key, SIV_KEY_LEN);
			memcpy(e.s2c, src->s2c_key, SIV_KEY_LEN);
			e.n_cookies = src->n_cookies;
			memcpy(e.cookie_len, src->cookie_len, sizeof(e.cookie_len));
			memcpy(e.cookie, src->cookie, sizeof(e.cookie));
			rc = NTSC_store(path, &e, src->cache_note, sizeof(src->cache_note));
			explicit_bzero(&e, sizeof(e));
		}
	}
	SIV_clear(&src->c2s);
	SIV_clear(&src->s2c);
	explicit_bzero(src->c2s_key, sizeof(src->c2s_key));
	explicit_bzero(src->s2c_key, sizeof(src->s2c_key));
	return rc;
}

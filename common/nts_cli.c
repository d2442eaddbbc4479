/* nts_cli: NTS options, set-up and reports shared by both tools. */
#include "nts_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nts_build.h"
#include "nts_cache.h"
#include "report.h"

void
NTS_run_init(struct nts_run *nr, time_t floor)
{
	memset(nr, 0, sizeof(*nr));
	nr->opt.floor = floor;
	nr->opt.ke = NTS_ke;
}

int
NTS_option(struct nts_run *nr, int opt, const char *arg, char *err, size_t errlen)
{
	switch (opt) {
	case NTS_OPT_NTS:
		nr->enabled = 1;
		return 1;
	case NTS_OPT_CA:
		if (access(arg, R_OK) < 0) {
			snprintf(err, errlen, "cannot read CA file: %s", strerror(errno));
			return -1;
		}
		nr->opt.ca_file = arg;
		return 1;
	case NTS_OPT_CACHE:
		nr->cache_given = 1;
		nr->opt.cache_dir = strcmp(arg, "none") == 0 ? NULL : arg;
		return 1;
	default:
		return 0;
	}
}

int
NTS_ready(struct nts_run *nr, char **argv, char *err, size_t errlen)
{
	struct stat st;

	nr->argv = argv;
	if (!nr->enabled) {
		if (nr->opt.ca_file || nr->cache_given) {
			snprintf(err, errlen, "--nts-ca and --nts-cache need --nts");
			return -1;
		}
		return 0;
	}
	if (!nr->cache_given && geteuid() == 0 && stat(NTS_DEFAULT_CACHE_DIR, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		nr->opt.cache_dir = NTS_DEFAULT_CACHE_DIR;
	if (nr->cache_given && nr->opt.cache_dir &&
	    (stat(nr->opt.cache_dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		snprintf(err, errlen, "--nts-cache %s: not a directory", nr->opt.cache_dir);
		return -1;
	}
	return 0;
}

/* A server argument as an NTS-KE server: port 4460 unless given. */
static int
ke_server(const char *arg, struct cli_server *srv, char *err, size_t errlen)
{
	const char *close;

	if (CLI_parse_server(arg, srv, err, errlen) < 0)
		return -1;
	close = strchr(srv->given, ']');
	if (strcmp(srv->given, srv->host) == 0 || (srv->given[0] == '[' && close && close[1] == '\0'))
		snprintf(srv->port, sizeof(srv->port), "%s", NTS_DEFAULT_KE_PORT);
	return 0;
}

/* 1 when every server has a usable cookie cache entry now (as the stage
 * would take it), so the run needs no key exchange. */
static int
cache_serves_all(const struct nts_run *nr, char *const *args, int n)
{
	struct ntsc_entry e;
	char path[4096], note[160], err[200];
	time_t now = time(NULL);
	int i, ok = n > 0 && nr->opt.cache_dir != NULL;

	for (i = 0; ok && i < n; i++) {
		struct cli_server srv;
		ok = ke_server(args[i], &srv, err, sizeof(err)) == 0 &&
		     NTS_cache_path(nr->opt.cache_dir, srv.host, srv.port, path, sizeof(path)) == 0 &&
		     NTSC_peek(path, now, NTS_CACHE_MAX_AGE, &e, note, sizeof(note)) == 1 && e.n_cookies > 0;
	}
	explicit_bzero(&e, sizeof(e));
	return ok;
}

int
NTS_settle(struct nts_run *nr, char *const *args, int n, char *err, size_t errlen)
{
	if (!nr->enabled || nr->opt.ke != NULL || cache_serves_all(nr, args, n))
		return 0;
	/* a key exchange is needed: the NTS build makes the whole run */
	return NTS_exec_build(nr->argv, err, errlen);
}

static void
setup(void *ctx, struct eng_run *run, size_t k)
{
	struct nts_run *nr = ctx;
	struct eng_source *s = &run->src[k];
	const struct eng_name *nm = ENG_name_of(run, s);
	struct nts_src *src;

	if (k >= ENG_MAX_SOURCES || nr->src[k] != NULL)
		return;
	src = malloc(sizeof(*src));
	if (src == NULL) {
		/* no NTS context: the source must not go unauthenticated */
		s->auth = &AUTH_nts;
		s->auth_ctx = NULL;
		return;
	}
	NTS_src_init(src, &nr->opt, nm->srv.host, nm->srv.port, &s->na);
	nr->src[k] = src;
	s->auth = &AUTH_nts;
	s->auth_ctx = src;
	s->stage = &NTS_stage;
	s->stage_ctx = src;
}

int
NTS_add_args(struct nts_run *nr, struct eng_run *run, char *const *args, int n, char *err, size_t errlen)
{
	int i;

	if (n == 0) {
		snprintf(err, errlen, "--nts needs at least one NTS-KE server");
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct cli_server srv;
		if (ke_server(args[i], &srv, err, errlen) < 0)
			return -1;
		if (ENG_add_server(run, &srv) < 0) {
			snprintf(err, errlen, "too many servers (at most %d)", ENG_MAX_NAMES);
			return -1;
		}
	}
	run->hooks.ctx = nr;
	run->hooks.setup = setup;
	return 0;
}

void
NTS_finish(struct nts_run *nr, FILE *err, const char *prog)
{
	size_t k;

	for (k = 0; k < ENG_MAX_SOURCES; k++) {
		struct nts_src *src = nr->src[k];
		if (!src)
			continue;
		if (src->cache == NTS_CACHE_BAD)
			fprintf(err, "%s: warning: NTS cookie cache for %s ignored: %s\n", prog, src->ke_name,
			        src->cache_note);
		src->cache_note[0] = '\0';
		if (NTS_src_finish(src) < 0)
			fprintf(err, "%s: warning: NTS cookie cache for %s not saved: %s\n", prog,
			        src->ke_name, src->cache_note);
		free(src);
		nr->src[k] = NULL;
	}
}

static void
utc(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "?");
}

static const char *
cache_word(int c)
{
	switch (c) {
	case NTS_CACHE_MISS: return "no entry (key exchange made)";
	case NTS_CACHE_USED: return "used (no key exchange)";
	case NTS_CACHE_BAD: return "ignored (bad entry)";
	default: return "off";
	}
}

void
NTS_detail(FILE *f, const struct nts_run *nr, size_t k)
{
	const struct nts_src *s = k < ENG_MAX_SOURCES ? nr->src[k] : NULL;
	char a[40], b[40];

	if (!s)
		return;
	fprintf(f, "  NTS-KE server    : %s port %s (%s)\n", s->ke_name, s->ke_port, s->ke_addr_text);
	if (s->have_tls) {
		utc(s->tls.not_before, a, sizeof(a));
		utc(s->tls.not_after, b, sizeof(b));
		fprintf(f, "  TLS              : %s, %s\n", s->tls.version, s->tls.cipher);
		fprintf(f, "  Certificate      : %s\n", s->tls.subject);
		fprintf(f, "  Issuer           : %s\n", s->tls.issuer);
		fprintf(f, "  Valid            : %s to %s\n", a, b);
		fprintf(f, "  Verification     : %s%s\n", NTS_path_name(s->tls.path),
		        s->tls.path == TLS_PATH_DEFERRED
		            ? (s->cert_time_bad ? ": NOT valid at the NTS time"
		                                : s->verified_at_nts_time ? ": valid at the NTS time" : ": not confirmed")
		            : "");
	}
	if (s->stage_done) {
		fprintf(f, "  NTP server       : %s port %s (%s)\n", s->ntp_host, s->ntp_port,
		        s->negotiated_server || s->negotiated_port ? "negotiated" : "the NTS-KE host, port 123");
		fprintf(f, "  AEAD             : AES-SIV-CMAC-256\n");
	}
	fprintf(f, "  Cookies          : %u from the key exchange, %u from replies, %u used, %zu left\n",
	        s->ke_cookies, s->reply_cookies, s->cookies_used, s->n_cookies);
	fprintf(f, "  Cookie cache     : %s\n", cache_word(s->cache));
	if (s->failed)
		fprintf(f, "  NTS failure      : %s\n", s->why);
}

void
NTS_json(FILE *f, const struct nts_run *nr, size_t k)
{
	NTS_src_json(f, k < ENG_MAX_SOURCES ? nr->src[k] : NULL);
}

void
NTS_src_json(FILE *f, const struct nts_src *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputs("{\"type\":\"NTS\",\"ke_server\":", f);
	REP_json_str(f, s->ke_name);
	fprintf(f, ",\"ke_port\":%s,\"ke_address\":", s->ke_port);
	REP_json_str(f, s->ke_addr_text);
	if (s->have_tls) {
		fputs(",\"tls_version\":", f);
		REP_json_str(f, s->tls.version);
		fputs(",\"tls_cipher\":", f);
		REP_json_str(f, s->tls.cipher);
		fputs(",\"cert_subject\":", f);
		REP_json_str(f, s->tls.subject);
		fputs(",\"cert_issuer\":", f);
		REP_json_str(f, s->tls.issuer);
		fprintf(f, ",\"cert_not_before\":%lld,\"cert_not_after\":%lld", (long long)s->tls.not_before,
		        (long long)s->tls.not_after);
		fputs(",\"verification\":", f);
		REP_json_str(f, s->tls.path == TLS_PATH_DEFERRED ? "dead-clock" : "normal");
		fprintf(f, ",\"valid_at_nts_time\":%s",
		        s->tls.path != TLS_PATH_DEFERRED ? "null" : s->verified_at_nts_time ? "true" : "false");
	}
	if (s->stage_done) {
		fputs(",\"ntp_server\":", f);
		REP_json_str(f, s->ntp_host);
		fprintf(f, ",\"ntp_port\":%s,\"negotiated\":%s,\"aead\":\"AES-SIV-CMAC-256\"", s->ntp_port,
		        s->negotiated_server || s->negotiated_port ? "true" : "false");
	}
	fprintf(f, ",\"cookies_ke\":%u,\"cookies_replies\":%u,\"cookies_used\":%u,\"cookies_left\":%zu",
	        s->ke_cookies, s->reply_cookies, s->cookies_used, s->n_cookies);
	fputs(",\"cache\":", f);
	REP_json_str(f, s->cache == NTS_CACHE_USED ? "used" : s->cache == NTS_CACHE_MISS ? "miss"
	        : s->cache == NTS_CACHE_BAD ? "ignored" : "off");
	fputs(",\"failure\":", f);
	if (s->failed)
		REP_json_str(f, s->why);
	else
		fputs("null", f);
	fputc('}', f);
}

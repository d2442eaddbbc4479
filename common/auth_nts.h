/* auth_nts: Network Time Security (RFC 8915) for one source, as both an
 * engine pre-request stage (the key exchange, or cookies from the cache)
 * and an auth method (cookies, unique identifiers, the authenticator, new
 * cookies from replies, the NAK).  The source's address is the NTS-KE
 * server; the stage moves it to the NTP server the exchange named.  It
 * records facts (TLS details, cookies, the verification path, why it
 * failed); the tools make the words. */
#ifndef AUTH_NTS_H
#define AUTH_NTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "auth.h"
#include "engine.h"
#include "nts_ke.h"
#include "nts_rec.h"
#include "siv.h"
#include "tls.h"

#define NTS_DEFAULT_KE_PORT "4460"
#define NTS_DEFAULT_CACHE_DIR "/var/lib/ntpupdate"
#define NTS_CACHE_MAX_AGE (24 * 3600) /* s: older cache entries are stale */

/* Options shared by every NTS source of a run (owned by main()). */
struct nts_opts {
	const char *ca_file;    /* NULL: the system trust store */
	const char *cache_dir;  /* NULL: no cookie cache */
	time_t floor;           /* the build date */
	const struct nts_ke_ops *ke; /* the key exchange; NULL: cookies from the cache only */
};

/* What became of the cache for one source. */
enum nts_cache_state {
	NTS_CACHE_OFF = 0,     /* no cache in use */
	NTS_CACHE_MISS,        /* no entry for this server */
	NTS_CACHE_USED,        /* cookies and keys came from the cache */
	NTS_CACHE_BAD,         /* an entry that was ignored (see cache_note) */
};

struct nts_src {
	const struct nts_opts *opt;
	char ke_name[CLI_HOST_MAX + 1]; /* as given: SNI, certificate name, cache key */
	char ke_port[8];
	struct net_addr ke_addr;
	char ke_addr_text[80];
	struct nts_ke *ke;              /* during the exchange */
	int stage_done, failed;
	char why[300];                  /* the stage's failure */

	struct siv c2s, s2c;
	uint8_t c2s_key[SIV_KEY_LEN], s2c_key[SIV_KEY_LEN];
	size_t n_cookies;
	uint16_t cookie_len[NTS_MAX_COOKIES];
	uint8_t cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
	char ntp_host[NTS_SERVER_MAX + 1];
	char ntp_port[8];

	/* facts for -v and JSON */
	int have_tls;
	struct tls_info tls;
	unsigned ke_cookies;     /* cookies the key exchange sent */
	unsigned reply_cookies;  /* cookies replies brought */
	unsigned cookies_used;
	int negotiated_server, negotiated_port;
	enum nts_cache_state cache;
	char cache_note[160];
	int cert_time_bad;       /* dead-clock path: chain not valid at NTS time */
	int verified_at_nts_time;/* dead-clock path: dates checked at NTS time */
	int nak;                 /* a NAK came */
};

extern const struct auth_method AUTH_nts;
extern const struct eng_stage NTS_stage;

/* Set up src for the KE server name:port at address a.  Returns 0. */
int NTS_src_init(struct nts_src *src, const struct nts_opts *opt, const char *name, const char *port,
                 const struct net_addr *a);

/* After the run: keep unused cookies in the cache (when one is in use and
 * the source got this far), forget keys, close anything open.  Returns 0,
 * or -1 when the cache could not be written (note in cache_note). */
int NTS_src_finish(struct nts_src *src);

/* The cache file of a server (DIR/name_port, name made safe). */
int NTS_cache_path(const char *dir, const char *name, const char *port, char *out, size_t len);

/* The source's NTS facts as one JSON object (nts_cli.c). */
void NTS_src_json(FILE *f, const struct nts_src *src);

/* Words for the verification path. */
const char *NTS_path_name(int path);

#endif

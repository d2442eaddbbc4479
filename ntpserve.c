/* ntpserve: a small, fast NTP server for the clock ntpupdate keeps.
 * options -> bind -> drop privileges -> (workers) -> loop: recvmmsg a
 * batch, judge each datagram (source, access list, request checks, rate
 * limit), build the replies in place, stamp their transmit time, sendmmsg.
 * It never sets the clock: no clock-setting code is linked in. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <netdb.h>
#include <netinet/in.h>

#include "common/acl.h"
#include "common/cli.h"
#include "common/keys.h"
#include "common/log.h"
#include "common/ratelimit.h"
#include "common/serve.h"
#include "common/srvpriv.h"
#include "common/state.h"
#include "common/version.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define MAX_LISTEN 16
#define MAX_WORKERS 64
#define BATCH 64
#define RX_CAP (SRV_MAX_REQUEST + 4)
#define TX_CAP (48 + 4 + 64) /* header + crypto-NAK, or key ID + digest */

struct opts {
	const char *listen[MAX_LISTEN];
	size_t n_listen;
	const char *port;
	const char *user;
	const char *state_path;
	double max_distance;
	int local_stratum;   /* 0: serve the recorded state */
	int ratelimit;
	int workers;
	int seccomp;
	struct acl acl;
	struct rl_config rl;
	const char *keyfile;   /* --keyfile: answer keyed requests */
	int keyfile_format;    /* enum key_format */
};

/* One bound socket. */
struct lsock {
	int fd;
	int family;
	int wildcard;        /* bound to 0.0.0.0 or ::: reply from the request's address */
	char name[96];
};

/* Counters one worker keeps (printed at exit). */
struct counters {
	unsigned long long rx, answered, kod_rate, kod_deny, leaked, denied, ratelimited,
	    bad_source, signed_, crypto_nak, bad_mac, invalid[SRV_NVERDICTS];
};

/* Everything one serving process owns: sockets, the batch buffers (made
 * once: nothing is allocated per request), the state it serves. */
struct worker {
	const struct opts *o;
	struct lsock *ls;
	size_t n_ls;
	int sigfd;
	struct log *lg;
	const struct keyfile *keys; /* NULL: no --keyfile */
	struct rl_table rl;
	struct rl_log badlog;
	int8_t precision;

	/* the state served, re-read when the file changes */
	struct sta_record st;
	int have_st;
	struct timespec file_mtime;
	ino_t file_ino;
	off_t file_size;
	double next_stat;    /* monotonic seconds */
	int stat_errno;      /* last stat() failure, logged once */
	enum srv_sync_why last_why;
	int logged_why;

	struct counters c;

	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iov_in[BATCH], iov_out[BATCH];
	struct sockaddr_storage peer[BATCH];
	uint8_t rx[BATCH][RX_CAP];
	uint8_t ctl[BATCH][256];
	uint8_t tx[BATCH][TX_CAP];
	const struct key *sign_key[BATCH];   /* sign this reply after the stamp */
	struct srv_request sign_req[BATCH];
	uint8_t octl[BATCH][64];
};

static const struct option longopts[] = {
	{ "allow", required_argument, NULL, 'a' },
	{ "deny", required_argument, NULL, 'D' },
	{ "deny-kod", no_argument, NULL, 'K' },
	{ "listen", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "user", required_argument, NULL, 'u' },
	{ "state-file", required_argument, NULL, 'S' },
	{ "max-distance", required_argument, NULL, 'M' },
	{ "local-stratum", required_argument, NULL, 'L' },
	{ "no-ratelimit", no_argument, NULL, 'R' },
	{ "rate-interval", required_argument, NULL, 'I' },
	{ "rate-burst", required_argument, NULL, 'B' },
	{ "workers", required_argument, NULL, 'w' },
	{ "no-seccomp", no_argument, NULL, 'Z' },
	{ "keyfile", required_argument, NULL, 'k' },
	{ "keyfile-format", required_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: ntpserve --allow CIDR [--allow CIDR ...] [--deny CIDR ...] [--deny-kod]\n"
	    "                [--listen addr ...] [--port port] [--user user] [--state-file path]\n"
	    "                [--max-distance seconds] [--local-stratum N] [--no-ratelimit]\n"
	    "                [--rate-interval seconds] [--rate-burst N] [--workers N] [--no-seccomp]\n"
	    "                [--keyfile file] [--keyfile-format ntpd|chrony]\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\n"
	    "Serve the time of this machine's clock over NTP, at the stratum after the\n"
	    "server ntpupdate last set it from (state in %s),\n"
	    "or unsynchronised (leap 3, stratum 0 on the wire) when that is unknown or stale.\n\n"
	    "  -a, --allow CIDR        answer clients in CIDR (address[/len] or \"all\"); repeatable;\n"
	    "                          nobody is answered unless allowed\n"
	    "  -D, --deny CIDR         do not answer clients in CIDR; the most specific rule wins\n"
	    "  -K, --deny-kod          answer denied clients with a Kiss-o'-Death DENY (rate-limited)\n"
	    "  -l, --listen ADDR       listen on ADDR (IPv4 or IPv6); repeatable (default: 0.0.0.0 and ::)\n"
	    "  -p, --port PORT         UDP port (default 123)\n"
	    "  -u, --user USER         user to run as after binding, when started as root (default nobody)\n"
	    "  -S, --state-file PATH   the state ntpupdate records (default $%s or %s)\n"
	    "  -M, --max-distance SEC  unsynchronised once the root distance reaches SEC (default 1.5)\n"
	    "  -L, --local-stratum N   serve the local clock at stratum N (1..15), no upstream needed\n"
	    "  -R, --no-ratelimit      answer every allowed request (default: a token bucket per\n"
	    "                          client /32 or /64, one request per 2 s, bursts of 16)\n"
	    "  -I, --rate-interval SEC one token per SEC seconds (default 2)\n"
	    "  -B, --rate-burst N      bucket size (default 16)\n"
	    "  -w, --workers N         N serving processes sharing the port (SO_REUSEPORT; default 1)\n"
	    "  -k, --keyfile FILE      symmetric keys (ntpd or chrony format): a request with a MAC\n"
	    "                          by a known key is answered with a MAC by the same key,\n"
	    "                          an unknown key gets a crypto-NAK, a wrong MAC nothing\n"
	    "      --keyfile-format F  ntpd or chrony, when the key file does not tell\n"
	    "  -Z, --no-seccomp        no system-call filter (debugging, valgrind)\n"
	    "  -h, --help              show this help\n"
	    "  -V, --version           show the version\n"
	    "\n"
	    "Exit status: 0 stopped by SIGTERM or SIGINT, 1 cannot serve (bind, privileges),\n"
	    "2 usage error.\n",
	    STA_DEFAULT_PATH, STA_ENV, STA_DEFAULT_PATH);
}

static int
bad_option(const char *opt, const char *err)
{
	CLI_bad_option("ntpserve", opt, err, usage);
	return EXIT_USAGE;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	char err[160];
	long long v;
	double d;
	int c, n_allow = 0;

	memset(o, 0, sizeof(*o));
	o->port = "123";
	o->user = "nobody";
	o->state_path = STA_path();
	o->max_distance = 1.5;
	o->ratelimit = 1;
	o->workers = 1;
	o->seccomp = 1;
	ACL_init(&o->acl);
	RL_defaults(&o->rl);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:D:Kl:p:u:S:M:L:RI:B:w:Zk:F:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
		case 'D':
			if (ACL_add(&o->acl, optarg, c == 'a' ? ACL_ALLOW : ACL_DENY, err, sizeof(err)) < 0)
				return bad_option(optarg, err);
			n_allow += c == 'a';
			break;
		case 'K':
			o->acl.deny = ACL_DENY_KOD;
			break;
		case 'l':
			if (o->n_listen >= MAX_LISTEN)
				return bad_option(optarg, "too many --listen addresses");
			o->listen[o->n_listen++] = optarg;
			break;
		case 'p':
			if (CLI_parse_int(optarg, 1, 65535, &v, err, sizeof(err)) < 0)
				return bad_option(argv[optind - 1], err);
			o->port = optarg;
			break;
		case 'u':
			if (optarg[0] == '\0')
				return bad_option(argv[optind - 1], "empty user name");
			o->user = optarg;
			break;
		case 'S':
			if (optarg[0] == '\0')
				return bad_option(argv[optind - 1], "empty path");
			o->state_path = optarg;
			break;
		case 'M':
			if (CLI_parse_seconds(optarg, 1e-6, 16, &o->max_distance, err, sizeof(err)) < 0)
				return bad_option(argv[optind - 1], err);
			break;
		case 'L':
			if (CLI_parse_int(optarg, 1, 15, &v, err, sizeof(err)) < 0)
				return bad_option(argv[optind - 1], err);
			o->local_stratum = (int)v;
			break;
		case 'R':
			o->ratelimit = 0;
			break;
		case 'I':
			if (CLI_parse_seconds(optarg, 0.001, 3600, &d, err, sizeof(err)) < 0)
				return bad_option(argv[optind - 1], err);
			o->rl.rate = 1.0 / d;
			break;
		case 'B':
			if (CLI_parse_int(optarg, 1, 1000000, &v, err, sizeof(err)) < 0)
				return bad_option(argv[optind - 1], err);
			o->rl.burst = (double)v;
			break;
		case 'w':
			if (CLI_parse_int(optarg, 1, MAX_WORKERS, &v, err, sizeof(err)) < 0)
				return bad_option(argv[optind - 1], err);
			o->workers = (int)v;
			break;
		case 'Z':
			o->seccomp = 0;
			break;
		case 'k':
			if (optarg[0] == '\0')
				return bad_option(argv[optind - 1], "empty path");
			o->keyfile = optarg;
			break;
		case 'F':
			if (KEY_parse_format(optarg) < 0)
				return bad_option(argv[optind - 1], "the format is ntpd or chrony");
			o->keyfile_format = KEY_parse_format(optarg);
			break;
		case 'h':
			help();
			exit(0);
		case 'V':
			printf("ntpserve %s\n", NTPUPDATE_VERSION);
			exit(0);
		case ':':
			return bad_option(argv[optind - 1], "option requires an argument");
		default:
			return bad_option(argv[optind - 1], "unknown option");
		}
	}
	if (optind < argc)
		return bad_option(argv[optind], "unexpected argument");
	if (n_allow == 0) {
		fprintf(stderr, "ntpserve: no --allow: nobody would be answered "
		    "(give --allow CIDR, e.g. --allow 192.168.0.0/16, or --allow all)\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (o->n_listen == 0) {
		o->listen[o->n_listen++] = "0.0.0.0";
		o->listen[o->n_listen++] = "::";
	}
	return 0;
}

static double
mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* Bind one socket per listen address (for one worker).  A default
 * address whose family the host lacks is skipped; a given one is fatal.
 * Returns the number bound, or -1. */
static int
open_sockets(const struct opts *o, struct lsock *ls, const struct log *lg)
{
	size_t i, n = 0;
	struct timeval tv = { 0, 250000 };
	int one = 1, rcvbuf = 4 << 20, defaults = o->n_listen == 2 && strcmp(o->listen[0], "0.0.0.0") == 0 &&
	    strcmp(o->listen[1], "::") == 0;

	for (i = 0; i < o->n_listen; i++) {
		struct addrinfo hints, *ai = NULL;
		struct lsock *s = &ls[n];
		int rc, fd;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
		rc = getaddrinfo(o->listen[i], o->port, &hints, &ai);
		if (rc != 0) {
			LOG_err(lg, "--listen %s: not a numeric IPv4 or IPv6 address", o->listen[i]);
			goto fail;
		}
		fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* blocking: see serve_one() */
		if (fd < 0) {
			if (defaults && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT)) {
				freeaddrinfo(ai);
				continue;
			}
			LOG_err(lg, "socket for %s: %s", o->listen[i], strerror(errno));
			freeaddrinfo(ai);
			goto fail;
		}
		s->fd = fd;
		s->family = ai->ai_family;
		s->wildcard = 0;
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		/* serve_one() waits in recvmmsg at most this long (set here:
		 * setsockopt is not on the seccomp allow-list) */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* room for bursts: 4 MiB (forced when root, else up to rmem_max) */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (o->workers > 1)
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)(const void *)ai->ai_addr;
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			if (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr)) {
				s->wildcard = 1;
				setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
			}
		} else {
			const struct sockaddr_in *a4 = (const struct sockaddr_in *)(const void *)ai->ai_addr;
			if (a4->sin_addr.s_addr == htonl(INADDR_ANY)) {
				s->wildcard = 1;
				setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
			}
		}
		snprintf(s->name, sizeof(s->name), ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		    o->listen[i], o->port);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			int e = errno;
			freeaddrinfo(ai);
			close(fd);
			if (defaults && ai != NULL && s->family == AF_INET6 && e == EADDRNOTAVAIL)
				continue;
			LOG_err(lg, "cannot bind %s: %s%s", s->name, strerror(e),
			    e == EACCES ? " (port 123 needs root or CAP_NET_BIND_SERVICE)" : "");
			goto fail;
		}
		freeaddrinfo(ai);
		n++;
	}
	if (n == 0) {
		LOG_err(lg, "no address to listen on");
		return -1;
	}
	return (int)n;
fail:
	while (n > 0)
		close(ls[--n].fd);
	return -1;
}

/* Re-read the state file if it changed (checked at most once a second). */
static void
refresh_state(struct worker *w, double now)
{
	struct stat sb;
	char err[256];

	if (now < w->next_stat)
		return;
	w->next_stat = now + 1.0;
	if (stat(w->o->state_path, &sb) < 0) {
		int e = errno;
		if (e != ENOENT && e != w->stat_errno)
			LOG_err(w->lg, "cannot read the state: %s: %s", w->o->state_path, strerror(e));
		w->stat_errno = e;
		w->have_st = 0;
		return;
	}
	w->stat_errno = 0;
	if (w->have_st && sb.st_ino == w->file_ino && sb.st_size == w->file_size &&
	    sb.st_mtim.tv_sec == w->file_mtime.tv_sec && sb.st_mtim.tv_nsec == w->file_mtime.tv_nsec)
		return;
	w->file_ino = sb.st_ino;
	w->file_size = sb.st_size;
	w->file_mtime = sb.st_mtim;
	if (STA_read(w->o->state_path, &w->st, err, sizeof(err)) < 0) {
		LOG_err(w->lg, "ignoring the state: %s", err);
		w->have_st = 0;
		return;
	}
	w->have_st = 1;
}

/* What to declare for the next batch. */
static void
current_sync(struct worker *w, double mono, struct srv_sync *s)
{
	struct timespec real, boot;
	enum srv_sync_why why;

	if (w->o->local_stratum > 0) {
		clock_gettime(CLOCK_REALTIME, &real);
		SRV_sync_local(s, w->o->local_stratum, &real, w->precision);
		return;
	}
	refresh_state(w, mono);
	STA_clocks(&real, &boot);
	why = SRV_sync_from_state(s, w->have_st ? &w->st : NULL, &real, &boot, w->o->max_distance,
	    w->precision);
	if (!w->logged_why || why != w->last_why) {
		if (why == SRV_SYNCED)
			LOG_err(w->lg, "serving at stratum %d (upstream %s)", s->stratum,
			    w->st.upstream[0] ? w->st.upstream : "?");
		else
			LOG_err(w->lg, "serving unsynchronised: %s", SRV_sync_why_text(why));
		w->last_why = why;
		w->logged_why = 1;
	}
}

static NTP_ts
rx_time(struct msghdr *m, struct in_pktinfo *pi4, struct in6_pktinfo *pi6, int *have_pi)
{
	struct cmsghdr *cm;
	struct timespec ts = { 0, 0 };
	int have_ts = 0;

	*have_pi = 0;
	for (cm = CMSG_FIRSTHDR(m); cm != NULL; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_TIMESTAMPNS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			have_ts = 1;
		} else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(*pi4))) {
			memcpy(pi4, CMSG_DATA(cm), sizeof(*pi4));
			*have_pi = 4;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(*pi6))) {
			memcpy(pi6, CMSG_DATA(cm), sizeof(*pi6));
			*have_pi = 6;
		}
	}
	if (!have_ts)
		clock_gettime(CLOCK_REALTIME, &ts);
	return NTT_from_timespec(&ts);
}

static void
log_bad(struct worker *w, const struct sockaddr_storage *ss, const char *what, double mono)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned sup;

	if (!RL_log_ok(&w->badlog, mono, &sup))
		return;
	if (sup > 0)
		LOG_err(w->lg, "%u more dropped datagrams not logged", sup);
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ss)->sin_addr, host,
		    sizeof(host));
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr, host,
		    sizeof(host));
	LOG_err(w->lg, "dropped a datagram from %s: %s", host, what);
}

/* Set the reply's source address to the request's destination. */
static size_t
put_pktinfo(uint8_t *ctl, size_t cap, int have_pi, const struct in_pktinfo *pi4,
    const struct in6_pktinfo *pi6)
{
	struct msghdr m;
	struct cmsghdr *cm;

	memset(&m, 0, sizeof(m));
	memset(ctl, 0, cap);
	m.msg_control = ctl;
	m.msg_controllen = cap;
	cm = CMSG_FIRSTHDR(&m);
	if (have_pi == 4) {
		struct in_pktinfo p;
		memset(&p, 0, sizeof(p));
		p.ipi_spec_dst = pi4->ipi_addr;
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(p));
		memcpy(CMSG_DATA(cm), &p, sizeof(p));
		return CMSG_SPACE(sizeof(p));
	}
	if (have_pi == 6) {
		struct in6_pktinfo p;
		memset(&p, 0, sizeof(p));
		p.ipi6_addr = pi6->ipi6_addr;
		p.ipi6_ifindex = pi6->ipi6_ifindex;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(p));
		memcpy(CMSG_DATA(cm), &p, sizeof(p));
		return CMSG_SPACE(sizeof(p));
	}
	return 0;
}

/* Receive and answer what one socket has waiting, a batch at a time;
 * with MSG_WAITFORONE in flags, first wait for one datagram (up to the
 * socket's receive timeout).  Returns the datagrams handled. */
static int
serve_socket(struct worker *w, const struct lsock *s, int flags)
{
	int total = 0;

	int got, i, n_out;
	struct srv_sync sync;
	double mono;

	do {
		for (i = 0; i < BATCH; i++) {
			w->iov_in[i].iov_base = w->rx[i];
			w->iov_in[i].iov_len = RX_CAP;
			memset(&w->in[i].msg_hdr, 0, sizeof(w->in[i].msg_hdr));
			w->in[i].msg_hdr.msg_name = &w->peer[i];
			w->in[i].msg_hdr.msg_namelen = sizeof(w->peer[i]);
			w->in[i].msg_hdr.msg_iov = &w->iov_in[i];
			w->in[i].msg_hdr.msg_iovlen = 1;
			w->in[i].msg_hdr.msg_control = w->ctl[i];
			w->in[i].msg_hdr.msg_controllen = sizeof(w->ctl[i]);
		}
		got = recvmmsg(s->fd, w->in, BATCH, flags, NULL);
		if (got <= 0)
			return total;
		total += got;
		flags = MSG_DONTWAIT;
		mono = mono_now();
		current_sync(w, mono, &sync);
		n_out = 0;
		for (i = 0; i < got; i++) {
			struct msghdr *m = &w->in[i].msg_hdr;
			struct srv_request req;
			struct in_pktinfo pi4;
			struct in6_pktinfo pi6;
			const uint8_t *addr = NULL;
			enum srv_verdict v;
			enum acl_action act;
			enum rl_verdict rv = RL_PASS;
			size_t len = w->in[i].msg_len, rlen = 0;
			int have_pi;
			NTP_ts rx = rx_time(m, &pi4, &pi6, &have_pi);

			w->c.rx++;
			if (m->msg_flags & MSG_TRUNC)
				len = SRV_MAX_REQUEST + 1;
			if (SRV_bad_source((const struct sockaddr *)&w->peer[i], &addr)) {
				w->c.bad_source++;
				log_bad(w, &w->peer[i], "source address or port no reply may go to", mono);
				continue;
			}
			if ((have_pi == 4 && (pi4.ipi_addr.s_addr == htonl(INADDR_BROADCAST) ||
				 IN_MULTICAST(ntohl(pi4.ipi_addr.s_addr)))) ||
			    (have_pi == 6 && IN6_IS_ADDR_MULTICAST(&pi6.ipi6_addr))) {
				w->c.bad_source++;
				log_bad(w, &w->peer[i], "sent to a broadcast or multicast address", mono);
				continue;
			}
			act = ACL_check_raw(&w->o->acl, w->peer[i].ss_family, addr);
			if (act == ACL_DENY) {
				w->c.denied++;
				continue;
			}
			v = SRV_parse(w->rx[i], len, &req);
			if (v != SRV_ANSWER) {
				w->c.invalid[v]++;
				log_bad(w, &w->peer[i], SRV_verdict_name(v), mono);
				continue;
			}
			w->sign_key[n_out] = NULL;
			switch (SRV_check_mac(w->rx[i], &req, w->keys, &w->sign_key[n_out])) {
			case SRV_AUTH_BAD:
				w->c.bad_mac++;
				log_bad(w, &w->peer[i], "a MAC that does not verify", mono);
				continue;
			case SRV_AUTH_NAK:
				w->c.crypto_nak++;
				break;
			default:
				break;
			}
			if (w->o->ratelimit)
				rv = RL_check(&w->rl, w->peer[i].ss_family, addr,
				    (uint32_t)(uint64_t)(mono * 1000.0), arc4random());
			if (act == ACL_DENY_KOD) {
				/* a KoD to a denied client counts against its bucket too */
				if (rv != RL_PASS) {
					w->c.ratelimited++;
					continue;
				}
				rlen = SRV_kod(&req, "DENY", rx, w->tx[n_out], TX_CAP);
				w->sign_key[n_out] = NULL;
				w->c.kod_deny++;
			} else if (rv == RL_DROP) {
				w->c.ratelimited++;
				continue;
			} else if (rv == RL_KOD) {
				rlen = SRV_kod(&req, "RATE", rx, w->tx[n_out], TX_CAP);
				w->sign_key[n_out] = NULL;
				w->c.kod_rate++;
			} else {
				rlen = SRV_reply(&req, &sync, rx, w->tx[n_out], TX_CAP);
				w->c.answered++;
				w->c.leaked += rv == RL_LEAK;
			}
			if (rlen == 0)
				continue;
			w->sign_req[n_out] = req;
			w->iov_out[n_out].iov_base = w->tx[n_out];
			w->iov_out[n_out].iov_len = rlen;
			memset(&w->out[n_out].msg_hdr, 0, sizeof(w->out[n_out].msg_hdr));
			w->out[n_out].msg_hdr.msg_name = &w->peer[i];
			w->out[n_out].msg_hdr.msg_namelen = m->msg_namelen;
			w->out[n_out].msg_hdr.msg_iov = &w->iov_out[n_out];
			w->out[n_out].msg_hdr.msg_iovlen = 1;
			if (s->wildcard && have_pi) {
				w->out[n_out].msg_hdr.msg_control = w->octl[n_out];
				w->out[n_out].msg_hdr.msg_controllen =
				    put_pktinfo(w->octl[n_out], sizeof(w->octl[n_out]), have_pi, &pi4, &pi6);
			}
			n_out++;
		}
		if (n_out > 0) {
			struct timespec now;
			NTP_ts xmt;
			int sent = 0, r;

			/* the transmit timestamp: read last, just before the send */
			clock_gettime(CLOCK_REALTIME, &now);
			xmt = NTT_from_timespec(&now);
			for (i = 0; i < n_out; i++) {
				SRV_stamp(w->tx[i], xmt);
				/* keyed: the MAC covers the transmit timestamp */
				if (w->sign_key[i] != NULL) {
					size_t n = SRV_sign(w->tx[i], TX_CAP, &w->sign_req[i], w->sign_key[i]);
					if (n > 0) {
						w->iov_out[i].iov_len = n;
						w->c.signed_++;
					}
				}
			}
			while (sent < n_out) {
				r = sendmmsg(s->fd, w->out + sent, (unsigned)(n_out - sent), MSG_DONTWAIT);
				if (r < 0 && (errno == EAGAIN || errno == ENOBUFS))
					break; /* a full send buffer: the rest is lost, as on the wire */
				/* one reply the kernel refuses (say, from a broadcast
				 * address) must not cost the others theirs */
				sent += r > 0 ? r : 1;
			}
		}
	} while (got == BATCH);
	return total;
}

/* A stop signal waiting?  (SIGHUP: look at the state file now.) */
static int
stop_requested(struct worker *w)
{
	struct signalfd_siginfo si;

	while (read(w->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			return 1;
		w->next_stat = 0;
	}
	return 0;
}

/* One socket: no poll() at all.  recvmmsg waits for the first datagram
 * (MSG_WAITFORONE, a 250 ms receive timeout) and takes what else is
 * queued, so a busy server makes two system calls per batch; signals
 * are looked at on each timeout and at least every 250 ms under load. */
static int
serve_one(struct worker *w)
{
	double next_sig = 0;

	for (;;) {
		int got = serve_socket(w, &w->ls[0], MSG_WAITFORONE);
		double now = mono_now();
		if (got <= 0 || now >= next_sig) {
			if (stop_requested(w))
				return EXIT_OK;
			next_sig = now + 0.25;
			if (got <= 0) {
				struct srv_sync sy;
				current_sync(w, now, &sy); /* notice state changes while idle */
			}
		}
	}
}

/* Serve until SIGTERM/SIGINT arrives on sigfd.  Returns the exit status. */
static int
serve(struct worker *w)
{
	struct pollfd pfd[MAX_LISTEN + 1];
	size_t i;

	for (i = 0; i < w->n_ls; i++) {
		pfd[i].fd = w->ls[i].fd;
		pfd[i].events = POLLIN;
	}
	pfd[w->n_ls].fd = w->sigfd;
	pfd[w->n_ls].events = POLLIN;
	if (w->n_ls == 1)
		return serve_one(w);
	for (;;) {
		int n = poll(pfd, w->n_ls + 1, 1000);
		if (n < 0 && errno != EINTR) {
			LOG_err(w->lg, "poll: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if (n <= 0) {
			struct srv_sync s;
			current_sync(w, mono_now(), &s); /* notice state changes while idle */
			continue;
		}
		if ((pfd[w->n_ls].revents & POLLIN) && stop_requested(w))
			return EXIT_OK;
		for (i = 0; i < w->n_ls; i++)
			if (pfd[i].revents & POLLIN)
				serve_socket(w, &w->ls[i], MSG_DONTWAIT);
	}
}

static void
print_counters(const struct worker *w, int id)
{
	const struct counters *c = &w->c;
	unsigned long long bad = 0;
	size_t i;

	for (i = 1; i < SRV_NVERDICTS; i++)
		bad += c->invalid[i];
	LOG_err(w->lg, "worker %d: %llu received, %llu answered (%llu over the rate limit), "
	    "%llu KoD RATE, %llu KoD DENY, %llu denied, %llu rate-limited, %llu invalid, "
	    "%llu from bad sources; %llu signed, %llu crypto-NAK, %llu bad MAC", id, c->rx,
	    c->answered, c->leaked, c->kod_rate, c->kod_deny, c->denied, c->ratelimited, bad,
	    c->bad_source, c->signed_, c->crypto_nak, c->bad_mac);
}

static int
run_worker(struct worker *w, int id, int drop, const struct opts *o)
{
	char err[200];
	int rc;

	if (drop && SPV_drop(o->user, o->seccomp, err, sizeof(err)) < 0) {
		LOG_err(w->lg, "%s", err);
		return EXIT_FAIL;
	}
	rc = serve(w);
	print_counters(w, id);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct log lg;
	struct worker *w = NULL;
	struct lsock ls[MAX_WORKERS][MAX_LISTEN];
	int n_ls[MAX_WORKERS];
	pid_t pids[MAX_WORKERS];
	sigset_t sigs;
	struct keyfile keys;
	int rc, i, sigfd;
	char err[200];
	size_t j;

	memset(&keys, 0, sizeof(keys));
	rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc;
	LOG_open(&lg, "ntpserve", 0);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		LOG_err(&lg, "signalfd: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (o.keyfile != NULL) {
		if (KEY_read_file(&keys, o.keyfile, (enum key_format)o.keyfile_format, err, sizeof(err)) < 0) {
			LOG_err(&lg, "%s", err);
			return EXIT_USAGE;
		}
		if (keys.loose_mode)
			LOG_err(&lg, "warning: %s can be read by others (mode %03o)", o.keyfile, keys.mode);
	}
	for (i = 0; i < o.workers; i++) {
		n_ls[i] = open_sockets(&o, ls[i], &lg);
		if (n_ls[i] < 0) {
			KEY_free(&keys);
			return EXIT_FAIL;
		}
	}

	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		LOG_err(&lg, "out of memory");
		return EXIT_FAIL;
	}
	w->o = &o;
	w->keys = o.keyfile != NULL ? &keys : NULL;
	w->sigfd = sigfd;
	w->lg = &lg;
	w->precision = NTT_local_precision();
	RL_log_init(&w->badlog, 10, 60.0);
	if (o.ratelimit && RL_init(&w->rl, &o.rl) < 0) {
		LOG_err(&lg, "rate table: %s", strerror(errno));
		free(w);
		return EXIT_FAIL;
	}
	for (j = 0; j < (size_t)n_ls[0]; j++)
		LOG_err(&lg, "listening on %s", ls[0][j].name);

	if (o.workers == 1) {
		w->ls = ls[0];
		w->n_ls = (size_t)n_ls[0];
		rc = run_worker(w, 0, 1, &o);
		goto out;
	}
	/* Workers: each its own sockets on the same port (SO_REUSEPORT),
	 * its own rate table; the parent only waits and passes SIGTERM on. */
	for (i = 0; i < o.workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			LOG_err(&lg, "fork: %s", strerror(errno));
			o.workers = i;
			break;
		}
		if (pids[i] == 0) {
			int k;
			for (k = 0; k < o.workers; k++)
				if (k != i)
					for (j = 0; j < (size_t)n_ls[k]; j++)
						close(ls[k][j].fd);
			w->ls = ls[i];
			w->n_ls = (size_t)n_ls[i];
			rc = run_worker(w, i, 1, &o);
			for (j = 0; j < w->n_ls; j++)
				close(w->ls[j].fd);
			RL_free(&w->rl);
			free(w);
			KEY_free(&keys);
			LOG_close(&lg);
			_exit(rc);
		}
	}
	for (i = 0; i < o.workers; i++)
		for (j = 0; j < (size_t)n_ls[i]; j++)
			close(ls[i][j].fd);
	n_ls[0] = 0;
	rc = EXIT_OK;
	if (SPV_drop(o.user, o.seccomp, err, sizeof(err)) < 0) {
		LOG_err(&lg, "%s", err);
		rc = EXIT_FAIL;
	} else {
		struct pollfd p = { sigfd, POLLIN, 0 };
		for (;;) {
			int st;
			pid_t dead = waitpid(-1, &st, WNOHANG);
			if (dead > 0) {
				LOG_err(&lg, "a worker ended unexpectedly");
				rc = EXIT_FAIL;
				break;
			}
			if (poll(&p, 1, 500) > 0) {
				struct signalfd_siginfo si;
				if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
				    (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT))
					break;
			}
		}
	}
	for (i = 0; i < o.workers; i++)
		kill(pids[i], SIGTERM);
	for (i = 0; i < o.workers; i++)
		waitpid(pids[i], NULL, 0);
out:
	for (j = 0; j < (size_t)n_ls[0] && o.workers == 1; j++)
		close(ls[0][j].fd);
	close(sigfd);
	if (o.ratelimit)
		RL_free(&w->rl);
	free(w);
	KEY_free(&keys);
	LOG_close(&lg);
	return rc;
}

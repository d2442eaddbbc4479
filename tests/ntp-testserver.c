/* ntp-testserver: an NTP server for tests that can be told to lie.
 * Binds a UDP port on loopback (0 = random), prints the port number on
 * stdout, and answers until its lifetime ends.  Every misbehaviour the
 * client must survive is an option: see usage(). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <bsd/stdlib.h>

#include "common/auth_key.h"
#include "common/cli.h"
#include "common/keys.h"
#include "common/ntptime.h"
#include "common/packet.h"

struct cfg {
	const char *addr;
	int port;
	double offset, delay, lifetime;
	double rate, epoch;   /* clock runs rate s/s fast from real time epoch */
	int drop_all, drop_first, drop_every;
	int stratum, leap, mode, version;
	const char *kod, *refid;
	int bad_origin, zero_origin, zero_rec, zero_xmt, xmt_before_rec;
	double turnaround;    /* > 0: transmit stamped this long after receive */
	double root_delay, root_disp;
	int root_delay_max, root_disp_max;
	int short_len, pad, bad_ext, forge, dup, other_port;
	const char *other_addr;
	const char *log;
	struct keyfile keys;   /* --keyfile: answer keyed requests */
	int have_keys;
	const char *auth_mode; /* --auth: how to get the reply's MAC wrong */
	int auth_every;        /* --auth-every K: only every K-th reply */
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ntp-testserver [--addr A] [--port N] [--offset S] [--delay S]\n"
	    "  [--drop-all] [--drop-first N] [--drop-every K] [--stratum N] [--leap N]\n"
	    "  [--mode N] [--version N] [--kod CODE] [--refid STR] [--bad-origin]\n"
	    "  [--zero-origin] [--zero-rec] [--zero-xmt] [--xmt-before-rec] [--turnaround S]\n"
	    "  [--root-delay S|max] [--root-disp S|max] [--short N] [--pad N]\n"
	    "  [--bad-ext] [--forge N] [--dup] [--other-port] [--other-addr A]\n"
	    "  [--lifetime S] [--log FILE] [--keyfile FILE]\n"
	    "  [--auth good|none|wrong-id|bad-digest|nak|truncated] [--auth-every K]\n"
	    "  [--rate PPM] [--rate-epoch UNIXTIME]\n");
	exit(2);
}

static double
num(const char *s)
{
	char *e;
	double d = strtod(s, &e);
	if (*e != '\0' || !isfinite(d)) {
		fprintf(stderr, "ntp-testserver: bad number '%s'\n", s);
		exit(2);
	}
	return d;
}

static int
bind_sock(const struct cfg *c, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd, v6 = strchr(c->addr, ':') != NULL;

	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, c->addr, &s6->sin6_addr) != 1)
			return -1;
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, c->addr, &s4->sin_addr) != 1)
			return -1;
		*len = sizeof(*s4);
	}
	fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)ss, *len) < 0) {
		close(fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The server's clock at a real instant: offset ahead at the rate epoch,
 * running rate s/s fast (negative: slow) from there. */
static NTP_ts
server_ts(const struct cfg *c, const struct timespec *real)
{
	double since = (double)real->tv_sec - c->epoch + real->tv_nsec / 1e9;
	return NTT_add(NTT_from_timespec(real), c->offset + c->rate * since);
}

static NTP_ts
now_ts(const struct cfg *c)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return server_ts(c, &ts);
}

static void
answer(const struct cfg *c, int fd, int ofd, const uint8_t *req, size_t reqlen,
    const struct sockaddr_storage *peer, socklen_t plen, const struct timespec *rxts)
{
	struct pkt q, p;
	const struct key *key = NULL;
	static unsigned long nreply;
	uint8_t buf[PKT_MAX_LEN + 64];
	size_t len;
	NTP_ts rec = server_ts(c, rxts);
	int i, sfd = c->other_port ? ofd : fd;

	if (PKT_decode(req, reqlen, &q) != PKT_OK)
		return;
	/* a keyed request: drop it unless its MAC verifies, as chronyd does */
	if (c->have_keys) {
		struct akey_mac m;
		if (AKEY_parse_mac(req, reqlen, &m) == AUTH_OK) {
			key = KEY_find(&c->keys, m.key_id);
			if (key == NULL || AKEY_verify(key, m.key_id, req, reqlen) != AUTH_OK)
				return;
		}
	}
	memset(&p, 0, sizeof(p));
	p.leap = (uint8_t)c->leap;
	p.version = (uint8_t)(c->version >= 0 ? c->version : q.version);
	p.mode = (uint8_t)c->mode;
	p.stratum = (uint8_t)c->stratum;
	p.poll = q.poll;
	p.precision = -24;
	p.root_delay = c->root_delay_max ? UINT32_MAX : NTT_double_to_short(c->root_delay);
	p.root_disp = c->root_disp_max ? UINT32_MAX : NTT_double_to_short(c->root_disp);
	if (c->kod != NULL) {
		p.stratum = 0;
		memcpy(&p.refid, c->kod, strlen(c->kod) < 4 ? strlen(c->kod) : 4);
	} else if (c->refid != NULL) {
		memcpy(&p.refid, c->refid, strlen(c->refid) < 4 ? strlen(c->refid) : 4);
	} else {
		inet_pton(AF_INET, "192.0.2.1", &p.refid);
	}
	p.ref = NTT_add(rec, -16.0);
	p.org = q.xmt;
	if (c->bad_origin)
		p.org.v ^= 0x0000000100000000ULL;
	if (c->zero_origin)
		p.org.v = 0;
	if (c->delay > 0) {
		struct timespec d = { (time_t)c->delay, (long)((c->delay - floor(c->delay)) * 1e9) };
		nanosleep(&d, NULL);
	}
	p.rec = rec;
	p.xmt = now_ts(c);
	if (c->zero_rec)
		p.rec.v = 0;
	if (c->zero_xmt)
		p.xmt.v = 0;
	if (c->xmt_before_rec)
		p.xmt = NTT_add(p.rec, -0.5);
	if (c->turnaround > 0)
		p.xmt = NTT_add(p.rec, c->turnaround);
	memset(buf, 0, sizeof(buf));
	len = PKT_encode(&p, buf, sizeof(buf));
	if (c->bad_ext) {
		/* type 0x0104, length 8: below the RFC 7822 minimum of 16 */
		uint8_t ext[12] = { 0x01, 0x04, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0 };
		memcpy(buf + len, ext, sizeof(ext));
		len += sizeof(ext);
	}
	if (c->pad > 0 && len + (size_t)c->pad <= sizeof(buf))
		len += (size_t)c->pad;
	nreply++;
	if (key != NULL) {
		const char *mode = "good";
		uint8_t d[AKEY_MAX_DIGEST];
		size_t n = AKEY_digest(key, p.version, buf, len, d);
		uint32_t id = key->id;
		if (c->auth_mode != NULL && (c->auth_every <= 0 || nreply % (unsigned long)c->auth_every == 0))
			mode = c->auth_mode;
		if (strcmp(mode, "wrong-id") == 0)
			id++;
		else if (strcmp(mode, "bad-digest") == 0)
			d[n - 1] ^= 0x01;
		else if (strcmp(mode, "truncated") == 0)
			n -= 4;
		else if (strcmp(mode, "nak") == 0)
			id = 0, n = 0;
		if (strcmp(mode, "none") != 0) {
			buf[len] = (uint8_t)(id >> 24);
			buf[len + 1] = (uint8_t)(id >> 16);
			buf[len + 2] = (uint8_t)(id >> 8);
			buf[len + 3] = (uint8_t)id;
			memcpy(buf + len + 4, d, n);
			len += 4 + n;
		}
	}
	if (c->short_len > 0 && (size_t)c->short_len < len)
		len = (size_t)c->short_len;
	for (i = 0; i < c->forge; i++) {
		struct pkt f = p;
		uint8_t fb[PKT_HEADER_LEN];
		f.org = PKT_random_ts();
		f.rec = NTT_add(rec, 86400.0 * 365);
		f.xmt = f.rec;
		PKT_encode(&f, fb, sizeof(fb));
		sendto(sfd, fb, sizeof(fb), 0, (const struct sockaddr *)peer, plen);
	}
	sendto(sfd, buf, len, 0, (const struct sockaddr *)peer, plen);
	if (c->dup)
		sendto(sfd, buf, len, 0, (const struct sockaddr *)peer, plen);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "addr", 1, NULL, 'a' }, { "port", 1, NULL, 'p' }, { "offset", 1, NULL, 'o' },
		{ "delay", 1, NULL, 'd' }, { "drop-all", 0, NULL, 'D' }, { "drop-first", 1, NULL, 'F' },
		{ "drop-every", 1, NULL, 'E' }, { "stratum", 1, NULL, 's' }, { "leap", 1, NULL, 'l' },
		{ "mode", 1, NULL, 'm' }, { "version", 1, NULL, 'v' }, { "kod", 1, NULL, 'k' },
		{ "refid", 1, NULL, 'r' }, { "bad-origin", 0, NULL, 'O' }, { "zero-origin", 0, NULL, 'Z' },
		{ "zero-rec", 0, NULL, 'R' }, { "zero-xmt", 0, NULL, 'X' },
		{ "xmt-before-rec", 0, NULL, 'B' }, { "turnaround", 1, NULL, 'N' }, { "root-delay", 1, NULL, 'y' },
		{ "root-disp", 1, NULL, 'z' }, { "short", 1, NULL, 'S' }, { "pad", 1, NULL, 'P' },
		{ "bad-ext", 0, NULL, 'x' }, { "forge", 1, NULL, 'f' }, { "dup", 0, NULL, 'u' },
		{ "other-port", 0, NULL, 'q' }, { "other-addr", 1, NULL, 'A' }, { "lifetime", 1, NULL, 'L' }, { "log", 1, NULL, 'g' },
		{ "keyfile", 1, NULL, 'K' }, { "auth", 1, NULL, 'U' }, { "auth-every", 1, NULL, 'W' },
		{ "rate", 1, NULL, 'T' }, { "rate-epoch", 1, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct cfg c;
	struct sockaddr_storage ss, oss;
	socklen_t sl, osl;
	struct timespec start, now;
	int fd, ofd = -1, ch;
	unsigned long nreq = 0;
	FILE *logf = NULL;

	memset(&c, 0, sizeof(c));
	c.addr = "127.0.0.1";
	c.stratum = 2;
	c.mode = 4;
	c.version = -1;
	c.lifetime = 60;
	c.root_delay = 0.0001;
	c.root_disp = 0.0001;
	c.epoch = NAN;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'a': c.addr = optarg; break;
		case 'p': c.port = (int)num(optarg); break;
		case 'o': c.offset = num(optarg); break;
		case 'd': c.delay = num(optarg); break;
		case 'D': c.drop_all = 1; break;
		case 'F': c.drop_first = (int)num(optarg); break;
		case 'E': c.drop_every = (int)num(optarg); break;
		case 's': c.stratum = (int)num(optarg); break;
		case 'l': c.leap = (int)num(optarg); break;
		case 'm': c.mode = (int)num(optarg); break;
		case 'v': c.version = (int)num(optarg); break;
		case 'k': c.kod = optarg; break;
		case 'r': c.refid = optarg; break;
		case 'O': c.bad_origin = 1; break;
		case 'Z': c.zero_origin = 1; break;
		case 'R': c.zero_rec = 1; break;
		case 'X': c.zero_xmt = 1; break;
		case 'B': c.xmt_before_rec = 1; break;
		case 'N': c.turnaround = num(optarg); break;
		case 'y':
			if (strcmp(optarg, "max") == 0)
				c.root_delay_max = 1;
			else
				c.root_delay = num(optarg);
			break;
		case 'z':
			if (strcmp(optarg, "max") == 0)
				c.root_disp_max = 1;
			else
				c.root_disp = num(optarg);
			break;
		case 'S': c.short_len = (int)num(optarg); break;
		case 'P': c.pad = (int)num(optarg); break;
		case 'x': c.bad_ext = 1; break;
		case 'f': c.forge = (int)num(optarg); break;
		case 'u': c.dup = 1; break;
		case 'q': c.other_port = 1; break;
		case 'A': c.other_addr = optarg; break;
		case 'L': c.lifetime = num(optarg); break;
		case 'g': c.log = optarg; break;
		case 'K': {
			char err[256];
			if (KEY_read_file(&c.keys, optarg, KEY_FMT_AUTO, err, sizeof(err)) < 0) {
				fprintf(stderr, "ntp-testserver: %s\n", err);
				return 2;
			}
			c.have_keys = 1;
			break;
		}
		case 'U':
			if (strstr(",good,none,wrong-id,bad-digest,nak,truncated,", optarg) == NULL ||
			    strchr(optarg, ',') != NULL || optarg[0] == '\0')
				usage();
			c.auth_mode = optarg;
			break;
		case 'W': c.auth_every = (int)num(optarg); break;
		case 'T': c.rate = num(optarg) * 1e-6; break;
		case 'e': c.epoch = num(optarg); break;
		default: usage();
		}
	}
	if (isnan(c.epoch)) {
		struct timespec e;
		clock_gettime(CLOCK_REALTIME, &e);
		c.epoch = (double)e.tv_sec + e.tv_nsec / 1e9;
	}
	fd = bind_sock(&c, c.port, &ss, &sl);
	if (fd < 0) {
		fprintf(stderr, "ntp-testserver: cannot bind %s:%d: %s\n", c.addr, c.port, strerror(errno));
		return 1;
	}
	{
		int on = 1;
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
	}
	if (c.other_addr != NULL) {
		/* replies come from another loopback address, same port */
		struct cfg o = c;
		o.addr = c.other_addr;
		c.other_port = 1;
		if ((ofd = bind_sock(&o, ntohs(((struct sockaddr_in *)&ss)->sin_port), &oss, &osl)) < 0) {
			fprintf(stderr, "ntp-testserver: cannot bind %s\n", c.other_addr);
			return 1;
		}
	} else if (c.other_port && (ofd = bind_sock(&c, 0, &oss, &osl)) < 0) {
		fprintf(stderr, "ntp-testserver: cannot bind second port\n");
		return 1;
	}
	if (c.log != NULL && (logf = fopen(c.log, "a")) == NULL) {
		fprintf(stderr, "ntp-testserver: cannot open %s\n", c.log);
		return 1;
	}
	printf("%u\n", ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						     : ((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint8_t buf[PKT_MAX_LEN];
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		ssize_t n;
		double left;
		struct timespec rxts;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = c.lifetime - NTT_timespec_diff(&now, &start);
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		{
			union {
				char b[CMSG_SPACE(sizeof(struct timespec))];
				struct cmsghdr align;
			} ctl;
			struct iovec iov = { buf, sizeof(buf) };
			struct msghdr msg;
			struct cmsghdr *cm;
			memset(&msg, 0, sizeof(msg));
			msg.msg_name = &peer;
			msg.msg_namelen = plen;
			msg.msg_iov = &iov;
			msg.msg_iovlen = 1;
			msg.msg_control = ctl.b;
			msg.msg_controllen = sizeof(ctl.b);
			n = recvmsg(fd, &msg, 0);
			if (n < 0)
				continue;
			plen = msg.msg_namelen;
			/* kernel receive timestamp, as a real server (chronyd) has */
			clock_gettime(CLOCK_REALTIME, &rxts);
			for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
				if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS)
					memcpy(&rxts, CMSG_DATA(cm), sizeof(rxts));
		}
		nreq++;
		if (logf != NULL) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			fprintf(logf, "request %lu %.6f %zd\n", nreq, (double)now.tv_sec + now.tv_nsec / 1e9, n);
			fflush(logf);
		}
		if (c.drop_all || (long)nreq <= c.drop_first ||
		    (c.drop_every > 0 && nreq % (unsigned long)c.drop_every == 0))
			continue;
		answer(&c, fd, ofd, buf, (size_t)n, &peer, plen, &rxts);
	}
	return 0;
}

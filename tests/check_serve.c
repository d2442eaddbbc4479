/* Unit tests: common/serve (request checks, reply and KoD building, what
 * the server declares from the recorded state). */
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "common/auth.h"
#include "common/auth_key.h"
#include "common/keys.h"
#include "common/packet.h"
#include "common/serve.h"
#include "check_common.h"

#define TX_TEST_CAP (48 + 4 + 64)

/* A client request as ntpupdate sends it: LI 0, VN 4, mode 3, all zero
 * but the transmit value 0123456789abcdef. */
static void
make_request(uint8_t *b, size_t len, int version, int mode)
{
	memset(b, 0, len);
	b[0] = (uint8_t)(version << 3 | mode);
	b[2] = 6; /* poll */
	b[40] = 0x01; b[41] = 0x23; b[42] = 0x45; b[43] = 0x67;
	b[44] = 0x89; b[45] = 0xab; b[46] = 0xcd; b[47] = 0xef;
}

static struct srv_sync
synced(void)
{
	struct srv_sync s;
	memset(&s, 0, sizeof(s));
	s.leap = 0;
	s.stratum = 9;
	s.refid = htonl(0x7f000001);
	s.root_delay = 0x00010000; /* 1 s */
	s.root_disp = 0x00008000;  /* 0.5 s */
	s.ref = NTT_make(0xeeb31cea, 0x80000000);
	s.precision = -24;
	return s;
}

START_TEST(t_reply_fields)
{
	uint8_t req[48], out[64];
	struct srv_request r;
	struct srv_sync s = synced();
	struct pkt p;
	NTP_ts rx = NTT_make(0xeeb31ceb, 0x40000000);
	size_t n;

	make_request(req, sizeof(req), 4, 3);
	ck_assert_int_eq(SRV_parse(req, sizeof(req), &r), SRV_ANSWER);
	n = SRV_reply(&r, &s, rx, out, sizeof(out));
	ck_assert_uint_eq(n, 48);
	SRV_stamp(out, NTT_make(0xeeb31ceb, 0x50000000));
	ck_assert_int_eq(PKT_decode(out, n, &p), PKT_OK);
	ck_assert_uint_eq(p.mode, 4);
	ck_assert_uint_eq(p.version, 4);
	ck_assert_uint_eq(p.leap, 0);
	ck_assert_uint_eq(p.stratum, 9);
	ck_assert_int_eq(p.poll, 6);
	ck_assert_int_eq(p.precision, -24);
	ck_assert_uint_eq(ntohl(p.refid), 0x7f000001);
	ck_assert_uint_eq(p.root_delay, 0x00010000);
	ck_assert_uint_eq(p.root_disp, 0x00008000);
	ck_assert(p.org.v == NTT_make(0x01234567, 0x89abcdef).v);
	ck_assert(p.rec.v == rx.v);
	ck_assert(p.xmt.v == NTT_make(0xeeb31ceb, 0x50000000).v);
	ck_assert(p.ref.v == s.ref.v);
	/* what a client checks passes */
	ck_assert_uint_eq(PKT_check(&p, NTT_make(0x01234567, 0x89abcdef), 1.0), PKT_T_DISTANCE);
	ck_assert_uint_eq(PKT_check(&p, NTT_make(0x01234567, 0x89abcdef), 1.01), 0);
}
END_TEST

START_TEST(t_version_echoed)
{
	uint8_t req[48], out[48];
	struct srv_request r;
	struct srv_sync s = synced();
	int v;

	for (v = 0; v <= 7; v++) {
		make_request(req, sizeof(req), v, 3);
		if (v >= 1 && v <= 4) {
			ck_assert_int_eq(SRV_parse(req, sizeof(req), &r), SRV_ANSWER);
			ck_assert_uint_eq(SRV_reply(&r, &s, NTT_make(1, 0), out, sizeof(out)), 48);
			ck_assert_uint_eq((out[0] >> 3) & 7, (unsigned)v);
			ck_assert_uint_eq(out[0] & 7, 4);
		} else {
			ck_assert_int_eq(SRV_parse(req, sizeof(req), &r), SRV_VERSION);
		}
	}
}
END_TEST

START_TEST(t_modes_dropped)
{
	uint8_t req[48];
	struct srv_request r;
	int m;

	for (m = 0; m <= 7; m++) {
		make_request(req, sizeof(req), 4, m);
		ck_assert_int_eq(SRV_parse(req, sizeof(req), &r), m == 3 ? SRV_ANSWER : SRV_MODE);
	}
}
END_TEST

START_TEST(t_lengths)
{
	static uint8_t req[65507];
	static const size_t lens[] = { 0, 1, 47, 48, 49, 68, 72, 1200, 65507 };
	static const enum srv_verdict want[] = { SRV_SHORT, SRV_SHORT, SRV_SHORT, SRV_ANSWER,
		SRV_ALIGN, SRV_ANSWER, SRV_ANSWER, SRV_LONG, SRV_LONG };
	struct srv_request r;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		make_request(req, sizeof(req), 4, 3);
		enum srv_verdict v = SRV_parse(req, lens[i], &r);
		/* 68 = 48 + a 20-byte MAC; 72 = 48 + a 24-byte MAC */
		ck_assert_msg(v == want[i], "length %zu: %s", lens[i], SRV_verdict_name(v));
	}
}
END_TEST

START_TEST(t_mac_gets_crypto_nak_no_larger)
{
	uint8_t req[72], out[64];
	struct srv_request r;
	struct srv_sync s = synced();
	size_t n;

	make_request(req, sizeof(req), 4, 3);
	req[48] = 0; req[49] = 0; req[50] = 0; req[51] = 7; /* key id 7 */
	ck_assert_int_eq(SRV_parse(req, 68, &r), SRV_ANSWER);
	ck_assert_uint_eq(r.mac_len, 20);
	n = SRV_reply(&r, &s, NTT_make(1, 0), out, sizeof(out));
	ck_assert_uint_eq(n, 52);
	ck_assert_uint_le(n, 68);
	ck_assert_int_eq(out[48] | out[49] | out[50] | out[51], 0);
}
END_TEST

START_TEST(t_extension_fields)
{
	uint8_t req[48 + 32 + 20], out[64];
	struct srv_request r;
	struct srv_sync s = synced();

	make_request(req, sizeof(req), 4, 3);
	/* one 32-byte field (type 0x0104, unique identifier) */
	req[48] = 0x01; req[49] = 0x04; req[50] = 0; req[51] = 32;
	ck_assert_int_eq(SRV_parse(req, 80, &r), SRV_ANSWER);
	ck_assert_uint_eq(r.n_ext, 1);
	ck_assert_uint_eq(SRV_reply(&r, &s, NTT_make(1, 0), out, sizeof(out)), 48); /* no echo */
	ck_assert_int_eq(SRV_parse(req, 100, &r), SRV_ANSWER); /* plus a MAC */
	ck_assert_uint_eq(r.mac_len, 20);
	/* bad lengths: 0, 12, not a multiple of 4, past the end */
	req[51] = 0;
	ck_assert_int_eq(SRV_parse(req, 80, &r), SRV_TRAILER);
	req[51] = 12;
	ck_assert_int_eq(SRV_parse(req, 80, &r), SRV_TRAILER);
	req[51] = 30;
	ck_assert_int_eq(SRV_parse(req, 80, &r), SRV_TRAILER);
	req[51] = 36;
	ck_assert_int_eq(SRV_parse(req, 80, &r), SRV_TRAILER);
	req[50] = 0xff; req[51] = 0xfc;
	ck_assert_int_eq(SRV_parse(req, 80, &r), SRV_TRAILER);
	/* NTPv3 carries no extension fields */
	req[0] = 3 << 3 | 3;
	req[50] = 0; req[51] = 32;
	ck_assert_int_eq(SRV_parse(req, 80, &r), SRV_TRAILER);
}
END_TEST

START_TEST(t_zero_timestamps)
{
	uint8_t req[48];
	struct srv_request r;

	make_request(req, sizeof(req), 4, 3);
	memset(req + 40, 0, 8);
	ck_assert_int_eq(SRV_parse(req, 48, &r), SRV_XMT_ZERO);
	make_request(req, sizeof(req), 4, 3); /* origin zero: a normal request */
	ck_assert_int_eq(SRV_parse(req, 48, &r), SRV_ANSWER);
}
END_TEST

START_TEST(t_kod)
{
	uint8_t req[48], out[48];
	struct srv_request r;
	struct pkt p;

	make_request(req, sizeof(req), 3, 3);
	ck_assert_int_eq(SRV_parse(req, 48, &r), SRV_ANSWER);
	ck_assert_uint_eq(SRV_kod(&r, "RATE", NTT_make(5, 0), out, sizeof(out)), 48);
	ck_assert_int_eq(PKT_decode(out, 48, &p), PKT_OK);
	ck_assert_int_eq(PKT_kiss(&p), PKT_KISS_RATE);
	ck_assert_uint_eq(p.version, 3);
	ck_assert_uint_eq(p.leap, 3);
	ck_assert(p.org.v == NTT_make(0x01234567, 0x89abcdef).v);
	ck_assert(PKT_check(&p, p.org, 1.5) & PKT_T_KOD);
	ck_assert_uint_eq(SRV_kod(&r, "DENY", NTT_make(5, 0), out, 47), 0);
}
END_TEST

static struct sta_record
record(void)
{
	struct sta_record st;
	memset(&st, 0, sizeof(st));
	st.stratum = 2;
	st.leap = 0;
	st.refid = htonl(0xc0000201);
	st.root_delay = 0.010;
	st.root_disp = 0.001;
	st.set_real.tv_sec = 1800000000;
	st.real_minus_boot = 1800000000LL * 1000000000LL - 1000LL * 1000000000LL; /* booted 1000 s before */
	return st;
}

START_TEST(t_sync_from_state)
{
	struct sta_record st = record();
	struct srv_sync s;
	struct timespec real = { 1800000000 + 1000, 0 }, boot = { 2000, 0 };

	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_SYNCED);
	ck_assert_uint_eq(s.stratum, 3);
	ck_assert_uint_eq(s.leap, 0);
	ck_assert_uint_eq(ntohl(s.refid), 0xc0000201);
	ck_assert_double_eq_tol(NTT_short_to_double(s.root_delay), 0.010, 2e-5);
	/* 0.001 + 15 ppm * 1000 s = 0.016 */
	ck_assert_double_eq_tol(NTT_short_to_double(s.root_disp), 0.016, 2e-5);
	ck_assert_uint_ge(s.root_disp, (NTP_short)(0.016 * 65536));
	/* unsynchronised: no state */
	ck_assert_int_eq(SRV_sync_from_state(&s, NULL, &real, &boot, 1.5, -20), SRV_NO_STATE);
	ck_assert_uint_eq(s.leap, 3);
	ck_assert_uint_eq(s.stratum, 0);
	/* unsynchronised: grown past the limit (0.005 + 0.001 + 15e-6 * age >= 0.1) */
	real.tv_sec = 1800000000 + 7000;
	boot.tv_sec = 8000;
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 0.1, -20), SRV_TOO_FAR);
	ck_assert_uint_eq(s.stratum, 0);
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_SYNCED);
	/* unsynchronised: stepped by 1 s since */
	real.tv_sec = 1800000000 + 101;
	boot.tv_sec = 1100;
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_STEPPED);
	ck_assert_uint_eq(s.leap, 3);
	/* ... but a slew of +1 s in progress explains it */
	st.slew = 1.0;
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_SYNCED);
	/* a reboot restarts boottime: stepped */
	st.slew = 0;
	real.tv_sec = 1800000000 + 100;
	boot.tv_sec = 30;
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_STEPPED);
	/* a stratum 15 upstream cannot be served at 16 */
	st.stratum = 15;
	real.tv_sec = 1800000000 + 10;
	boot.tv_sec = 1010;
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_UPSTREAM);
}
END_TEST

START_TEST(t_leap_warning_expires)
{
	struct sta_record st = record();
	struct srv_sync s;
	/* set 2026-06-30 12:00:00 UTC with a leap warning (LI 1) */
	struct timespec real = { 1782820800 + 3600, 0 }, boot = { 1000 + 3600, 0 };

	st.leap = 1;
	st.set_real.tv_sec = 1782820800;
	st.real_minus_boot = (1782820800LL - 1000) * 1000000000LL;
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_SYNCED);
	ck_assert_uint_eq(s.leap, 1);
	/* 2026-07-01 00:30: the month is over, so is the warning */
	real.tv_sec = 1782820800 + 12 * 3600 + 1800;
	boot.tv_sec = 1000 + 12 * 3600 + 1800;
	ck_assert_int_eq(SRV_sync_from_state(&s, &st, &real, &boot, 1.5, -20), SRV_SYNCED);
	ck_assert_uint_eq(s.leap, 0);
}
END_TEST

START_TEST(t_local_stratum)
{
	struct srv_sync s;
	struct timespec now = { 1800000000, 0 };

	SRV_sync_local(&s, 10, &now, -20);
	ck_assert_uint_eq(s.stratum, 10);
	ck_assert_uint_eq(s.leap, 0);
	ck_assert_uint_eq(ntohl(s.refid), SRV_LOCAL_REFID);
}
END_TEST


static int
bad4(const char *a, int port)
{
	struct sockaddr_in s;
	const uint8_t *raw = NULL;
	int r;
	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, a, &s.sin_addr);
	r = SRV_bad_source((struct sockaddr *)&s, &raw);
	ck_assert_ptr_eq(raw, (const uint8_t *)&s.sin_addr);
	return r;
}

static int
bad6(const char *a, int port)
{
	struct sockaddr_in6 s;
	const uint8_t *raw = NULL;
	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	s.sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, a, &s.sin6_addr);
	return SRV_bad_source((struct sockaddr *)&s, &raw);
}

START_TEST(t_bad_source)
{
	struct sockaddr un;
	const uint8_t *raw;

	ck_assert_int_eq(bad4("192.0.2.1", 40000), 0);
	ck_assert_int_eq(bad4("192.0.2.1", 0), 1);
	ck_assert_int_eq(bad4("255.255.255.255", 123), 1);
	ck_assert_int_eq(bad4("0.0.0.0", 123), 1);
	ck_assert_int_eq(bad4("224.0.1.1", 123), 1);
	ck_assert_int_eq(bad4("239.255.255.250", 123), 1);
	ck_assert_int_eq(bad6("2001:db8::1", 123), 0);
	ck_assert_int_eq(bad6("::", 123), 1);
	ck_assert_int_eq(bad6("ff02::101", 123), 1);
	ck_assert_int_eq(bad6("::ffff:255.255.255.255", 123), 1);
	ck_assert_int_eq(bad6("::ffff:224.0.0.1", 123), 1);
	ck_assert_int_eq(bad6("::ffff:0.0.0.0", 123), 1);
	ck_assert_int_eq(bad6("::ffff:192.0.2.1", 123), 0);
	ck_assert_int_eq(bad6("2001:db8::1", 0), 1);
	memset(&un, 0, sizeof(un));
	un.sa_family = AF_UNIX;
	ck_assert_int_eq(SRV_bad_source(&un, &raw), 1);
}
END_TEST


static const char keytext[] = "1 MD5 secretpass\n"
			      "2 SHA1 HEX:0123456789abcdef0123456789abcdef01234567\n"
			      "3 AES128 HEX:00112233445566778899aabbccddeeff\n";

/* A request signed with key id under kf (as a client does it). */
static size_t
keyed_request(uint8_t *b, const struct keyfile *kf, uint32_t id)
{
	const struct key *k = KEY_find(kf, id);
	uint8_t d[AKEY_MAX_DIGEST];
	size_t n;

	make_request(b, 48, 4, 3);
	b[48] = (uint8_t)(id >> 24); b[49] = (uint8_t)(id >> 16); b[50] = (uint8_t)(id >> 8); b[51] = (uint8_t)id;
	n = AKEY_digest(k, 4, b, 48, d);
	memcpy(b + 52, d, n);
	return 52 + n;
}

START_TEST(t_keyed)
{
	struct keyfile kf;
	char err[160];
	uint8_t req[100], out[TX_TEST_CAP];
	struct srv_request r;
	struct srv_sync s = synced();
	const struct key *k = NULL;
	uint32_t id;

	memset(&kf, 0, sizeof(kf));
	ck_assert_int_eq(KEY_parse(&kf, keytext, strlen(keytext), KEY_FMT_CHRONY, err, sizeof(err)), 0);
	for (id = 1; id <= 3; id++) {
		size_t len = keyed_request(req, &kf, id), n;
		ck_assert_int_eq(SRV_parse(req, len, &r), SRV_ANSWER);
		ck_assert_int_eq(r.nak, 1);
		ck_assert_int_eq(SRV_check_mac(req, &r, &kf, &k), SRV_AUTH_OK);
		ck_assert_int_eq(r.nak, 0);
		ck_assert_uint_eq(k->id, id);
		ck_assert_uint_eq(SRV_reply(&r, &s, NTT_make(1, 0), out, sizeof(out)), 48);
		SRV_stamp(out, NTT_make(2, 0));
		n = SRV_sign(out, sizeof(out), &r, k);
		ck_assert_uint_eq(n, len); /* same MAC size: never larger */
		/* the client's own verifier accepts it */
		ck_assert_int_eq(AKEY_verify(k, id, out, n), AUTH_OK);
		/* ... and notices a changed transmit timestamp */
		out[47] ^= 1;
		ck_assert_int_ne(AKEY_verify(k, id, out, n), AUTH_OK);
		/* a wrong MAC: dropped */
		req[len - 1] ^= 0x40;
		ck_assert_int_eq(SRV_parse(req, len, &r), SRV_ANSWER);
		ck_assert_int_eq(SRV_check_mac(req, &r, &kf, &k), SRV_AUTH_BAD);
	}
	/* an unknown key (or no key file): a crypto-NAK */
	keyed_request(req, &kf, 1);
	req[51] = 9;
	ck_assert_int_eq(SRV_parse(req, 68, &r), SRV_ANSWER);
	ck_assert_int_eq(SRV_check_mac(req, &r, &kf, &k), SRV_AUTH_NAK);
	ck_assert_uint_eq(SRV_reply(&r, &s, NTT_make(1, 0), out, sizeof(out)), 52);
	keyed_request(req, &kf, 1);
	ck_assert_int_eq(SRV_parse(req, 68, &r), SRV_ANSWER);
	ck_assert_int_eq(SRV_check_mac(req, &r, NULL, &k), SRV_AUTH_NAK);
	/* an MD5 key's MAC cut to a SHA1 length: dropped, not trusted */
	keyed_request(req, &kf, 1);
	memset(req + 68, 0, 4);
	ck_assert_int_eq(SRV_parse(req, 72, &r), SRV_ANSWER);
	ck_assert_int_eq(SRV_check_mac(req, &r, &kf, &k), SRV_AUTH_BAD);
	/* no MAC: nothing to check */
	make_request(req, 48, 4, 3);
	ck_assert_int_eq(SRV_parse(req, 48, &r), SRV_ANSWER);
	ck_assert_int_eq(SRV_check_mac(req, &r, &kf, &k), SRV_AUTH_NONE);
	KEY_free(&kf);
}
END_TEST

static Suite *
serve_suite(void)
{
	Suite *s = suite_create("serve");
	TCase *tc = tcase_create("core");
	ADD(tc, t_reply_fields);
	ADD(tc, t_version_echoed);
	ADD(tc, t_modes_dropped);
	ADD(tc, t_lengths);
	ADD(tc, t_mac_gets_crypto_nak_no_larger);
	ADD(tc, t_extension_fields);
	ADD(tc, t_zero_timestamps);
	ADD(tc, t_kod);
	ADD(tc, t_sync_from_state);
	ADD(tc, t_local_stratum);
	ADD(tc, t_leap_warning_expires);
	ADD(tc, t_bad_source);
	ADD(tc, t_keyed);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(serve_suite)

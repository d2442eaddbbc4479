/* Unit tests: common/packet (decoder on real bytes, round trips,
 * truncated and malformed packets, sanity tests). */
#include <string.h>

#include <arpa/inet.h>

#include "common/packet.h"
#include "check_common.h"

/* A reply captured from chronyd 4.3 (Debian 12, "local stratum 8") on
 * loopback, to a request whose transmit value was 0123456789abcdef:
 *   Network Time Protocol (NTP Version 4, server)
 *     Flags: 0x24  00.. .... Leap Indicator: no warning (0)
 *                  ..10 0... Version number: NTP Version 4 (4)
 *                  .... .100 Mode: server (4)
 *     Peer Clock Stratum: secondary reference (8)
 *     Peer Polling Interval: invalid (0)
 *     Peer Clock Precision: 0.000000015 seconds (-26)
 *     Root Delay: 0.000000 seconds
 *     Root Dispersion: 0.000000 seconds
 *     Reference ID: 127.127.1.1
 *     Reference Timestamp: Nov 26, 2026 21:02:34.535931 UTC (eeb31cea 89329e11)
 *     Origin Timestamp: 0123456789abcdef
 *     Receive Timestamp: Nov 26, 2026 21:02:35.903742 UTC (eeb31ceb e75ba577)
 *     Transmit Timestamp: Nov 26, 2026 21:02:35.903340 UTC (eeb31ceb e761419c) */
static const uint8_t chrony_reply[48] = {
	0x24, 0x08, 0x00, 0xe6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x7f, 0x7f, 0x01, 0x01, 0xee, 0xb3, 0x1c, 0xea, 0x89, 0x32, 0x9e, 0x11,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xee, 0xb3, 0x1c, 0xeb,
	0xe7, 0x5b, 0xa5, 0x77, 0xee, 0xb3, 0x1c, 0xeb, 0xe7, 0x61, 0x41, 0x9c,
};

#define ORG NTT_make(0x01234567u, 0x89abcdefu)

START_TEST(t_decode_chrony)
{
	struct pkt p;
	ck_assert_int_eq(PKT_decode(chrony_reply, sizeof(chrony_reply), &p), PKT_OK);
	ck_assert_uint_eq(p.leap, 0);
	ck_assert_uint_eq(p.version, 4);
	ck_assert_uint_eq(p.mode, 4);
	ck_assert_uint_eq(p.stratum, 8);
	ck_assert_int_eq(p.poll, 0);
	ck_assert_int_eq(p.precision, -26);
	ck_assert_uint_eq(p.root_delay, 0);
	ck_assert_uint_eq(p.root_disp, 0);
	ck_assert_uint_eq(ntohl(p.refid), 0x7f7f0101u);
	ck_assert_uint_eq(NTT_sec(p.ref), 0xeeb31ceau);
	ck_assert_uint_eq(NTT_frac(p.ref), 0x89329e11u);
	ck_assert_uint_eq(p.org.v, ORG.v);
	ck_assert_uint_eq(NTT_sec(p.rec), 0xeeb31cebu);
	ck_assert_uint_eq(NTT_frac(p.xmt), 0xe761419cu);
	ck_assert_uint_eq(p.n_ext, 0);
	ck_assert_uint_eq(p.mac_len, 0);
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), 0);
}
END_TEST

START_TEST(t_round_trip)
{
	struct pkt p;
	uint8_t out[48];
	ck_assert_int_eq(PKT_decode(chrony_reply, 48, &p), PKT_OK);
	ck_assert_uint_eq(PKT_encode(&p, out, sizeof(out)), 48);
	ck_assert_mem_eq(out, chrony_reply, 48);
	ck_assert_uint_eq(PKT_encode(&p, out, 47), 0);
}
END_TEST

START_TEST(t_request_minimal)
{
	struct pkt p;
	uint8_t out[48], want[48] = { 0x23 };
	NTP_ts x = PKT_random_ts();
	PKT_make_request(&p, x);
	PKT_encode(&p, out, sizeof(out));
	/* LI 0, VN 4, mode 3, all zero but the transmit timestamp */
	ck_assert_mem_eq(out, want, 40);
	ck_assert_uint_ne(x.v, 0);
	ck_assert_uint_ne(PKT_random_ts().v, x.v);
}
END_TEST

START_TEST(t_truncated)
{
	struct pkt p, keep;
	size_t n;
	memset(&keep, 0x5a, sizeof(keep));
	for (n = 0; n < 48; n++) {
		p = keep;
		ck_assert_int_ne(PKT_decode(chrony_reply, n, &p), PKT_OK);
		ck_assert_mem_eq(&p, &keep, sizeof(p)); /* untouched */
	}
	ck_assert_int_eq(PKT_decode(NULL, 48, &p), PKT_ERR_SHORT);
}
END_TEST

START_TEST(t_trailers)
{
	uint8_t b[200];
	struct pkt p;
	memset(b, 0, sizeof(b));
	memcpy(b, chrony_reply, 48);
	/* not a multiple of 4 */
	ck_assert_int_eq(PKT_decode(b, 50, &p), PKT_ERR_ALIGN);
	/* MAC: key id + 16 byte digest */
	ck_assert_int_eq(PKT_decode(b, 48 + 20, &p), PKT_OK);
	ck_assert_uint_eq(p.mac_len, 20);
	/* one extension field of 16 bytes */
	b[48] = 0x01; b[49] = 0x04; b[50] = 0x00; b[51] = 0x10;
	ck_assert_int_eq(PKT_decode(b, 64, &p), PKT_OK);
	ck_assert_uint_eq(p.n_ext, 1);
	ck_assert_uint_eq(p.ext_len, 16);
	/* extension then MAC */
	ck_assert_int_eq(PKT_decode(b, 64 + 24, &p), PKT_OK);
	ck_assert_uint_eq(p.n_ext, 1);
	ck_assert_uint_eq(p.mac_len, 24);
	/* a field shorter than 16 */
	b[51] = 0x08;
	ck_assert_int_eq(PKT_decode(b, 64, &p), PKT_ERR_EXTFIELD);
	/* a field claiming more than is there */
	b[51] = 0xf0;
	ck_assert_int_eq(PKT_decode(b, 64, &p), PKT_ERR_EXTFIELD);
	/* length not a multiple of 4 */
	b[51] = 0x12;
	ck_assert_int_eq(PKT_decode(b, 80, &p), PKT_ERR_EXTFIELD);
	/* far too long */
	ck_assert_int_eq(PKT_decode(b, 2048, &p), PKT_ERR_LONG);
}
END_TEST

static struct pkt
good(void)
{
	struct pkt p;
	PKT_decode(chrony_reply, 48, &p);
	return p;
}

START_TEST(t_checks)
{
	struct pkt p;
	char names[128];

	p = good(); p.mode = 3;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_MODE);
	p = good(); p.version = 0;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_VERSION);
	p = good(); p.version = 5;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_VERSION);
	p = good();
	ck_assert_uint_eq(PKT_check(&p, NTT_make(1, 2), 1.5), PKT_T_ORIGIN);
	p = good(); p.org.v = 0;
	ck_assert_uint_eq(PKT_check(&p, p.org, 1.5), PKT_T_ORIGIN);
	p = good(); p.rec.v = 0;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_TSZERO);
	p = good(); p.xmt.v = 0;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_TSZERO);
	p = good(); p.xmt = NTT_add(p.rec, -1);
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_TSORDER);
	p = good(); p.leap = 3;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_LEAP);
	p = good(); p.stratum = 16;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_STRATUM);
	p = good(); p.stratum = 0; memcpy(&p.refid, "XXXX", 4);
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_STRATUM);
	ck_assert_int_eq(PKT_kiss(&p), PKT_KISS_OTHER);
	p = good(); p.root_delay = 0xffffffffu;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_DISTANCE);
	p = good(); p.root_disp = 0xffffffffu;
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_DISTANCE);
	p = good(); p.root_disp = NTT_double_to_short(1.0);
	ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), 0);
	ck_assert_uint_eq(PKT_check(&p, ORG, 0.5), PKT_T_DISTANCE);
	p = good(); p.leap = 3; p.stratum = 16; p.mode = 1;
	PKT_tests_format(PKT_check(&p, ORG, 1.5), names, sizeof(names));
	ck_assert_str_eq(names, "mode,stratum,leap");
}
END_TEST

START_TEST(t_kod)
{
	static const char *codes[] = { "DENY", "RSTR", "RATE" };
	static const int kinds[] = { PKT_KISS_DENY, PKT_KISS_RSTR, PKT_KISS_RATE };
	char a[5];
	int i;
	for (i = 0; i < 3; i++) {
		struct pkt p = good();
		p.stratum = 0;
		memcpy(&p.refid, codes[i], 4);
		p.rec.v = 0; /* a kiss carries no time */
		ck_assert_int_eq(PKT_kiss(&p), kinds[i]);
		ck_assert_uint_eq(PKT_check(&p, ORG, 1.5), PKT_T_KOD);
		/* a kiss with the wrong origin fails the origin test too */
		ck_assert_uint_eq(PKT_check(&p, NTT_make(9, 9), 1.5), PKT_T_KOD | PKT_T_ORIGIN);
		PKT_refid_ascii(&p, a);
		ck_assert_str_eq(a, codes[i]);
	}
	ck_assert_str_eq(PKT_test_name(PKT_T_ORIGIN), "origin");
	ck_assert_str_eq(PKT_test_name(1u << 30), "unknown");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("packet");
	TCase *tc = tcase_create("core");
	ADD(tc, t_decode_chrony);
	ADD(tc, t_round_trip);
	ADD(tc, t_request_minimal);
	ADD(tc, t_truncated);
	ADD(tc, t_trailers);
	ADD(tc, t_checks);
	ADD(tc, t_kod);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)

/* Unit tests: common/auth_key (the symmetric-key method).  The replies
 * below were recorded from chronyd 4.3 (Debian 12) answering requests
 * signed by this code with the keys in KEYS (tests/e2e_keys.sh runs the
 * same server live): chronyd drops a request whose MAC it cannot verify,
 * so each reply shows our signing was right, and its MAC, computed by
 * chronyd, must verify here.  Then every way a MAC can be wrong.
 *
 * Dissection of the first reply (MD5, key 1), 68 bytes:
 *   24          LI 0, VN 4, mode 4 (server)
 *   08 00 e6    stratum 8 (chronyd "local stratum 8"), poll 0, precision -26
 *   00000000 00000000   root delay 0, root dispersion 0
 *   7f7f0101    reference ID 127.127.1.1 (local reference)
 *   eebaaf72 16c460b1   reference timestamp
 *   ........ ........   origin: our random transmit value
 *   eebaaf7c ........   receive, transmit timestamps (2026-12-02)
 *   00000001    MAC: key ID 1
 *   e145e1ca 003e3efd 38241263 75003b68   MD5(key || bytes 0..47)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth_key.h"
#include "common/keys.h"
#include "common/packet.h"
#include "check_common.h"

/* the key file chronyd had (chrony dialect: ASCII and HEX keys) */
static const char KEYS[] =
    "1 MD5 HEX:000102030405060708090a0b0c0d0e0f1011\n"
    "2 MD5 ASCII:ntpupdate-md5\n"
    "3 SHA1 HEX:0123456789abcdef0123456789abcdef01234567\n"
    "4 SHA1 ntpupdate-sha1-ascii-key-longer\n"
    "5 AES128 HEX:000102030405060708090a0b0c0d0e0f\n"
    "6 AES256 HEX:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
    "7 AES128 ASCII:sixteen-byte-key\n"
    "8 SHA256 HEX:00112233445566778899aabbccddeeff\n"
    "9 SHA512 ASCII:sha512-key\n";

static const struct {
	uint32_t id;
	const char *what;
	const char *hex;
} replies[] = {
	{ 1, "MD5, HEX key",
	    "240800e600000000000000007f7f0101eebaaf7216c460b18b8e905bc44dc3ddeebaaf7c0f29cf95eebaaf7c0f2ee674"
	    "00000001e145e1ca003e3efd3824126375003b68" },
	{ 2, "MD5, ASCII key",
	    "240800e600000000000000007f7f0101eebaaf7216c460b1d3107c23b0158c08eebaaf7c13cd5c59eebaaf7c13d300b8"
	    "000000027946dd4f698fae1ba9a9c547a65636af" },
	{ 3, "SHA1, HEX key",
	    "240800e600000000000000007f7f0101eebaaf7216c460b12d9df0d81e84d856eebaaf7c1a2dd527eebaaf7c1a32ae80"
	    "000000030071b474a917c88a12b02c6fcf768eda68a3114b" },
	{ 4, "SHA1, ASCII key",
	    "240800e600000000000000007f7f0101eebaaf7216c460b1eba361d95742cf01eebaaf7c1d8c338feebaaf7c1d9185c2"
	    "00000004721257d9b1d8bc9f889163bb33b049d579f06cf7" },
	{ 5, "AES128, HEX key",
	    "240800e600000000000000007f7f0101eebaaf7216c460b140591d49bf243108eebaaf7c209385d9eebaaf7c209850ec"
	    "000000059cdfca3a1f6f6db574c464904b2b0c45" },
	{ 6, "AES256, HEX key",
	    "240800e600000000000000007f7f0101eebaaf7216c460b1d3465cc836765cfdeebaaf7c240f5349eebaaf7c241469e6"
	    "0000000698c0986fe24f5b914f31c4884e854f7e" },
	{ 7, "AES128, ASCII key",
	    "240800e600000000000000007f7f0101eebaaf7216c460b1f2ddd7bc192d3abeeebaaf7c2a7fb191eebaaf7c2a840dd8"
	    "000000074593ceada0c7dd37056f8192155e9490" },
	{ 8, "SHA256 (truncated to 20)",
	    "240800e600000000000000007f7f0101eebaaf7216c460b18ab54ee1d134e8a9eebaaf7c2dc7a093eebaaf7c2dcc6abc"
	    "000000080aefe5c0b7103c2bf6b471be42b35878edbbd00a" },
	{ 9, "SHA512 (truncated to 20)",
	    "240800e600000000000000007f7f0101eebaaf7216c460b183d08fe70fe0f708eebaaf7c3254f56beebaaf7c3259cbe4"
	    "000000090c08de62f673c6167425c17067756a2b87a4f982" },
	{ 8, "r8v3 (NTPv3, the whole SHA256)",
	    "1c0800e600000000000000007f7f0101eebaaf7216c460b160fad5163c4167b3eebaaf7c36a7b71feebaaf7c36ad1f4e"
	    "00000008e417f3d78e0dd905eec6337cab668311e7e15d064b66e99feba5f9f3091cea60" },
};
#define NREPLIES (sizeof(replies) / sizeof(replies[0]))

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h) / 2, i;
	ck_assert_uint_le(n, cap);
	for (i = 0; i < n; i++) {
		unsigned v;
		ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static struct keyfile kf;

static void
setup(void)
{
	char err[256];
	ck_assert_msg(KEY_parse(&kf, KEYS, sizeof(KEYS) - 1, KEY_FMT_AUTO, err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	KEY_free(&kf);
}

static const struct key *
key(uint32_t id)
{
	const struct key *k = KEY_find(&kf, id);
	ck_assert_ptr_nonnull(k);
	return k;
}

/* The method's ctx is a mutable pointer: the key as the key file holds it. */
static void *
ctx(uint32_t id)
{
	size_t i;
	for (i = 0; i < kf.n; i++)
		if (kf.keys[i].id == id)
			return &kf.keys[i];
	ck_abort_msg("no key %u", (unsigned)id);
	return NULL;
}

START_TEST(t_chronyd_replies_verify)
{
	uint8_t buf[PKT_MAX_LEN];
	size_t i, n;

	for (i = 0; i < NREPLIES; i++) {
		n = unhex(replies[i].hex, buf, sizeof(buf));
		ck_assert_msg(AKEY_verify(key(replies[i].id), replies[i].id, buf, n) == AUTH_OK, "%s: %s",
		    replies[i].what, AUTH_fail_name(AKEY_verify(key(replies[i].id), replies[i].id, buf, n)));
	}
}
END_TEST

/* An NTPv3 reply's trailer is all MAC, however long: the decoder frames
 * chronyd's 36-byte SHA256 MAC as such. */
START_TEST(t_v3_decodes)
{
	uint8_t buf[PKT_MAX_LEN];
	struct pkt p;
	size_t n = unhex(replies[NREPLIES - 1].hex, buf, sizeof(buf));

	ck_assert_uint_eq(n, 84);
	ck_assert_int_eq(PKT_decode(buf, n, &p), PKT_OK);
	ck_assert_uint_eq(p.version, 3);
	ck_assert_uint_eq(p.mac_len, 36);
	ck_assert_uint_eq(p.n_ext, 0);
}
END_TEST

/* Every byte matters: a change to the header, the key ID or the digest
 * is caught, each with its own reason. */
START_TEST(t_tampered)
{
	uint8_t buf[PKT_MAX_LEN], nak[PKT_HEADER_LEN + 4];
	size_t i, n, j;

	for (i = 0; i < NREPLIES; i++) {
		const struct key *k = key(replies[i].id);
		uint32_t id = replies[i].id;
		n = unhex(replies[i].hex, buf, sizeof(buf));
		for (j = 0; j < n; j++) {
			int want = j < PKT_HEADER_LEN ? AUTH_DIGEST : j < PKT_HEADER_LEN + 4 ? AUTH_KEYID : AUTH_DIGEST;
			buf[j] ^= 0x01;
			ck_assert_msg(AKEY_verify(k, id, buf, n) == want, "%s: byte %zu", replies[i].what, j);
			buf[j] ^= 0x01;
		}
		/* no MAC at all */
		ck_assert_int_eq(AKEY_verify(k, id, buf, PKT_HEADER_LEN), AUTH_MISSING);
		/* the MAC cut short: 8 bytes of digest, then the key ID alone */
		ck_assert_int_eq(AKEY_verify(k, id, buf, PKT_HEADER_LEN + 12), AUTH_TRUNCATED);
		ck_assert_int_eq(AKEY_verify(k, id, buf, PKT_HEADER_LEN + 4), AUTH_TRUNCATED);
		/* a reply under the right ID but another key */
		ck_assert_int_eq(AKEY_verify(k, id + 1, buf, n), AUTH_KEYID);
		/* a crypto-NAK: the header and a 4-byte MAC of key ID 0 */
		memcpy(nak, buf, PKT_HEADER_LEN);
		memset(nak + PKT_HEADER_LEN, 0, 4);
		ck_assert_int_eq(AKEY_verify(k, id, nak, sizeof(nak)), AUTH_CRYPTO_NAK);
	}
}
END_TEST

/* The same ID and type, other key bytes: a bad digest. */
START_TEST(t_wrong_key)
{
	uint8_t buf[PKT_MAX_LEN];
	struct key other = *key(1);
	size_t n = unhex(replies[0].hex, buf, sizeof(buf));

	other.data[0] ^= 0xff;
	ck_assert_int_eq(AKEY_verify(&other, 1, buf, n), AUTH_DIGEST);
	other = *key(1);
	other.type = KEY_T_SHA1; /* right bytes, wrong type: 16 bytes where 20 are due */
	ck_assert_int_eq(AKEY_verify(&other, 1, buf, n), AUTH_TRUNCATED);
	other = *key(3);
	other.type = KEY_T_MD5;
	n = unhex(replies[2].hex, buf, sizeof(buf));
	ck_assert_int_eq(AKEY_verify(&other, 3, buf, n), AUTH_DIGEST);
}
END_TEST

/* Known answers from the algorithms' own specifications: RFC 4493
 * section 4 (AES-CMAC), RFC 1321 A.5 (MD5 "abc"), FIPS 180 (SHA "abc").
 * The digest types hash key || data, so key "a" and data "bc" is "abc". */
START_TEST(t_known_answers)
{
	struct key k;
	uint8_t msg[64], want[64], out[AKEY_MAX_DIGEST];
	size_t n;

	memset(&k, 0, sizeof(k));
	k.type = KEY_T_AES128;
	k.len = unhex("2b7e151628aed2a6abf7158809cf4f3c", k.data, sizeof(k.data));
	n = unhex("6bc1bee22e409f96e93d7e117393172a", msg, sizeof(msg));
	unhex("070a16b46b4d4144f79bdd9dd04a287c", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 4, msg, n, out), 16);
	ck_assert_mem_eq(out, want, 16);
	n = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411", msg, sizeof(msg));
	unhex("dfa66747de9ae63030ca32611497c827", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 4, msg, n, out), 16);
	ck_assert_mem_eq(out, want, 16);
	/* NIST SP 800-38B appendix D.3, example 10: AES-256, 16 bytes */
	k.type = KEY_T_AES256;
	k.len = unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", k.data, sizeof(k.data));
	n = unhex("6bc1bee22e409f96e93d7e117393172a", msg, sizeof(msg));
	unhex("28a7023f452e8f82bd4bf28d8c37c35c", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 4, msg, n, out), 16);
	ck_assert_mem_eq(out, want, 16);

	k.type = KEY_T_MD5;
	k.len = 1;
	k.data[0] = 'a';
	unhex("900150983cd24fb0d6963f7d28e17f72", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 4, (const uint8_t *)"bc", 2, out), 16);
	ck_assert_mem_eq(out, want, 16);
	k.type = KEY_T_SHA1;
	unhex("a9993e364706816aba3e25717850c26c9cd0d89d", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 4, (const uint8_t *)"bc", 2, out), 20);
	ck_assert_mem_eq(out, want, 20);
	/* SHA-256("abc"): 20 bytes in NTPv4, all 32 in NTPv3 */
	k.type = KEY_T_SHA256;
	unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 4, (const uint8_t *)"bc", 2, out), 20);
	ck_assert_mem_eq(out, want, 20);
	ck_assert_uint_eq(AKEY_digest(&k, 3, (const uint8_t *)"bc", 2, out), 32);
	ck_assert_mem_eq(out, want, 32);
	k.type = KEY_T_SHA384;
	unhex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	      "8086072ba1e7cc2358baeca134c825a7", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 3, (const uint8_t *)"bc", 2, out), 48);
	ck_assert_mem_eq(out, want, 48);
	k.type = KEY_T_SHA512;
	unhex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", want, sizeof(want));
	ck_assert_uint_eq(AKEY_digest(&k, 3, (const uint8_t *)"bc", 2, out), 64);
	ck_assert_mem_eq(out, want, 64);
	ck_assert_uint_eq(AKEY_digest(&k, 4, (const uint8_t *)"bc", 2, out), 20);
	ck_assert_mem_eq(out, want, 20);
	/* a CMAC key of the wrong length is never used */
	k.type = KEY_T_AES128;
	ck_assert_uint_eq(AKEY_digest(&k, 4, (const uint8_t *)"bc", 2, out), 0);
	k.type = KEY_T_UNSUPPORTED;
	ck_assert_uint_eq(AKEY_digest(&k, 4, (const uint8_t *)"bc", 2, out), 0);
}
END_TEST

/* sign() appends key ID and digest, and a reply made the same way by a
 * server with the same key verifies. */
START_TEST(t_sign)
{
	uint8_t buf[PKT_MAX_LEN], small[PKT_HEADER_LEN + 10];
	struct pkt p;
	struct auth_req rq;
	size_t len, n;
	uint32_t ids[] = { 1, 3, 5, 6, 8 };
	size_t want[] = { 68, 72, 68, 68, 72 };
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		void *k = ctx(ids[i]);
		PKT_make_request(&p, PKT_random_ts());
		len = PKT_encode(&p, buf, sizeof(buf));
		memset(&rq, 0, sizeof(rq));
		n = AUTH_key.sign(k, buf, len, sizeof(buf), &rq);
		ck_assert_uint_eq(n, want[i]);
		ck_assert_uint_eq(rq.key_id, ids[i]);
		ck_assert_uint_eq(buf[48], 0);
		ck_assert_uint_eq(buf[51], ids[i]);
		/* our own request, judged as a reply would be: it verifies */
		ck_assert_int_eq(AUTH_key.check(k, buf, n, &rq), AUTH_OK);
		buf[n - 1] ^= 0x80;
		ck_assert_int_eq(AUTH_key.check(k, buf, n, &rq), AUTH_DIGEST);
	}
	/* no room for the MAC: no request */
	len = PKT_encode(&p, small, sizeof(small));
	ck_assert_uint_eq(AUTH_key.sign(ctx(1), small, len, sizeof(small), &rq), 0);
	/* NTPv3 with SHA256: the whole digest, as chronyd wants it */
	p.version = 3;
	len = PKT_encode(&p, buf, sizeof(buf));
	ck_assert_uint_eq(AUTH_key.sign(ctx(8), buf, len, sizeof(buf), &rq), 48 + 4 + 32);
	ck_assert_str_eq(AUTH_key.name, "symmetric key");
}
END_TEST

/* The trailer parser: extension fields before the MAC are walked and
 * covered; framing it cannot trust is malformed. */
START_TEST(t_parse_mac)
{
	uint8_t buf[PKT_MAX_LEN];
	struct akey_mac mac, untouched;
	size_t n;
	const struct key *k = key(3);
	uint8_t d[AKEY_MAX_DIGEST];

	memset(buf, 0, sizeof(buf));
	buf[0] = 0x24; /* VN 4, mode 4 */
	/* a 16-byte extension field (type 0x0104), then a SHA1 MAC */
	buf[48] = 0x01;
	buf[49] = 0x04;
	buf[51] = 16;
	n = AKEY_digest(k, 4, buf, 64, d);
	ck_assert_uint_eq(n, 20);
	buf[67] = 3;
	memcpy(buf + 68, d, 20);
	ck_assert_int_eq(AKEY_parse_mac(buf, 88, &mac), AUTH_OK);
	ck_assert_uint_eq(mac.offset, 64);
	ck_assert_uint_eq(mac.key_id, 3);
	ck_assert_uint_eq(mac.digest_len, 20);
	ck_assert_ptr_eq(mac.digest, buf + 68);
	ck_assert_int_eq(AKEY_verify(k, 3, buf, 88), AUTH_OK);
	/* RFC 7822: 24 bytes or fewer at the end are a MAC, so a lone
	 * 16-byte field reads as a MAC under a strange key ID ... */
	ck_assert_int_eq(AKEY_verify(k, 3, buf, 64), AUTH_KEYID);
	/* ... and a lone field of 28 bytes (the RFC's minimum without a
	 * MAC) is a reply without a MAC */
	buf[51] = 28;
	ck_assert_int_eq(AKEY_verify(k, 3, buf, 76), AUTH_MISSING);
	/* a field length that overruns, or below 16 */
	memset(&untouched, 0x5a, sizeof(untouched));
	mac = untouched;
	buf[51] = 200;
	ck_assert_int_eq(AKEY_parse_mac(buf, 88, &mac), AUTH_MALFORMED);
	ck_assert_mem_eq(&mac, &untouched, sizeof(mac));
	buf[51] = 8;
	ck_assert_int_eq(AKEY_verify(k, 3, buf, 88), AUTH_MALFORMED);
	ck_assert_int_eq(AKEY_parse_mac(buf, 47, &mac), AUTH_MALFORMED);
	ck_assert_int_eq(AKEY_parse_mac(NULL, 0, &mac), AUTH_MALFORMED);
	ck_assert_int_eq(AKEY_parse_mac(buf, 50, &mac), AUTH_TRUNCATED);
}
END_TEST

static Suite *
auth_key_suite(void)
{
	Suite *s = suite_create("auth_key");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	ADD(tc, t_chronyd_replies_verify);
	ADD(tc, t_v3_decodes);
	ADD(tc, t_tampered);
	ADD(tc, t_wrong_key);
	ADD(tc, t_known_answers);
	ADD(tc, t_sign);
	ADD(tc, t_parse_mac);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(auth_key_suite)

/* keys: symmetric keys from a key file, in either dialect administrators
 * already have: ntpd/NTPsec ("ID TYPE KEY", a key of up to 20 characters
 * is ASCII, a longer one hex) and chrony ("ID [TYPE] [ASCII:|HEX:]KEY",
 * an unprefixed key is ASCII whatever its length).  The same 40-hex-digit
 * line means a 20-byte key to ntpd and a 40-byte key to chrony, so the
 * dialect is detected where the file decides it, and must be named
 * (--keyfile-format) where it does not.  Every line is checked; any error
 * names its line.  Key material is wiped when the file is freed. */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEY_MAX_LEN 256       /* bytes of key material */
#define KEY_FILE_MAX (1 << 20) /* a key file larger than this is refused */
#define KEY_LINE_MAX 2048     /* longest line (chrony's limit) */
#define KEY_TYPE_NAME_MAX 24

enum key_type {
	KEY_T_UNSUPPORTED = 0, /* a type the originals know and we do not */
	KEY_T_MD5,             /* RFC 5905: MD5(key || packet), 16 bytes */
	KEY_T_SHA1,            /* SHA1(key || packet), 20 bytes */
	KEY_T_SHA256,          /* SHA-2 digests, truncated to 20 bytes as */
	KEY_T_SHA384,          /*   chronyd and ntpd send them in NTPv4 */
	KEY_T_SHA512,
	KEY_T_AES128,          /* RFC 8573: AES-CMAC(key, packet), 16 bytes */
	KEY_T_AES256,
};

enum key_format {
	KEY_FMT_AUTO = 0,  /* detect from the file */
	KEY_FMT_NTPD,      /* ntpd / NTPsec / ntpdate */
	KEY_FMT_CHRONY,
};

struct key {
	uint32_t id;
	enum key_type type;
	char type_name[KEY_TYPE_NAME_MAX]; /* as written in the file */
	unsigned line;
	size_t len;
	uint8_t data[KEY_MAX_LEN];
};

struct keyfile {
	struct key *keys;
	size_t n, cap;
	enum key_format format; /* the dialect the file was read in */
	int detected;           /* 1: format came from the file, 0: given */
	int same_in_both;       /* every line reads the same in both dialects */
	int loose_mode;         /* readable by group or others */
	unsigned mode;          /* permission bits of the file */
};

/* Parse "ntpd" or "chrony" (also "ntpsec", "ntp").  Returns the format, or
 * -1 for anything else. */
int KEY_parse_format(const char *s);

/* Name of a dialect: "ntpd" or "chrony". */
const char *KEY_format_name(enum key_format f);

/* Parse the text of a key file (len bytes, need not end in NUL) in format
 * fmt (KEY_FMT_AUTO: detect).  Returns 0, or -1 with a one-line reason
 * naming the line in err (kf left empty).  The caller frees kf. */
int KEY_parse(struct keyfile *kf, const char *text, size_t len, enum key_format fmt, char *err, size_t errlen);

/* Read and parse the key file at path.  Returns 0, or -1 with a one-line
 * reason (cannot open, not a regular file, too large, or a parse error).
 * Sets kf->loose_mode when group or others may read it. */
int KEY_read_file(struct keyfile *kf, const char *path, enum key_format fmt, char *err, size_t errlen);

/* The key with this ID, or NULL. */
const struct key *KEY_find(const struct keyfile *kf, uint32_t id);

/* Check that key id exists and has a supported type.  Returns the key, or
 * NULL with a one-line reason in err. */
const struct key *KEY_usable(const struct keyfile *kf, uint32_t id, char *err, size_t errlen);

/* Wipe every key and free the file's memory. */
void KEY_free(struct keyfile *kf);

/* Upper-case name of a supported type ("MD5", "AES128", ...). */
const char *KEY_type_name(enum key_type t);

/* Bytes of digest a key of this type puts after the key ID in an NTPv4
 * MAC (16 or 20); 0 for an unsupported type. */
size_t KEY_digest_len(enum key_type t);

#endif

/* libFuzzer: the key-file parser, in each dialect and detected.  A file
 * that parses must give keys whose lengths fit their buffer and their
 * type, IDs in the dialect's range, no duplicates, and parse the same
 * way again; a refused one must say why on one line and hold nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
one(const uint8_t *data, size_t size, enum key_format fmt)
{
	struct keyfile kf, again;
	char err[256];
	size_t i, j;

	err[0] = '\0';
	if (KEY_parse(&kf, (const char *)data, size, fmt, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL || kf.keys != NULL || kf.n != 0)
			__builtin_trap();
		return;
	}
	if (fmt != KEY_FMT_AUTO && kf.format != fmt)
		__builtin_trap();
	for (i = 0; i < kf.n; i++) {
		const struct key *k = &kf.keys[i];
		if (k->len == 0 || k->len > KEY_MAX_LEN || k->line == 0)
			__builtin_trap();
		if (kf.format == KEY_FMT_NTPD && (k->id == 0 || k->id > 65535))
			__builtin_trap();
		if ((k->type == KEY_T_AES128 && k->len != 16) || (k->type == KEY_T_AES256 && k->len != 32))
			__builtin_trap();
		if (memchr(k->type_name, '\0', sizeof(k->type_name)) == NULL)
			__builtin_trap();
		for (j = 0; j < i; j++)
			if (kf.keys[j].id == k->id)
				__builtin_trap();
		if (KEY_find(&kf, k->id) != k)
			__builtin_trap();
	}
	if (KEY_parse(&again, (const char *)data, size, kf.format, err, sizeof(err)) != 0 || again.n != kf.n)
		__builtin_trap();
	for (i = 0; i < kf.n; i++)
		if (again.keys[i].len != kf.keys[i].len ||
		    memcmp(again.keys[i].data, kf.keys[i].data, kf.keys[i].len) != 0)
			__builtin_trap();
	KEY_free(&again);
	KEY_free(&kf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	one(data, size, KEY_FMT_AUTO);
	one(data, size, KEY_FMT_NTPD);
	one(data, size, KEY_FMT_CHRONY);
	return 0;
}

/* keyrun: symmetric keys for one run, between the options and the engine.
 * Takes -a/-k/--keyfile-format and the server arguments, cuts a per-server
 * key ("server#KEYID") from each argument, reads the key file and checks
 * every key asked for before anything is sent (a usage error otherwise),
 * then, as the engine's setup hook, gives each source of a keyed argument
 * the symmetric-key method with its key.  Owned by main(); keys no
 * server uses are wiped by KRN_prepare, the rest by KRN_free. */
#ifndef KEYRUN_H
#define KEYRUN_H

#include <stdint.h>

#include "cli.h"
#include "engine.h"
#include "keys.h"

struct krn {
	struct keyfile kf;
	int loaded;                       /* a key file was read */
	const char *path;                 /* the file read */
	uint32_t all_id;                  /* -a */
	uint32_t name_key[ENG_MAX_NAMES]; /* key of server argument i; 0: -a's */
	char buf[ENG_MAX_NAMES][CLI_HOST_MAX + 16];
	char *args[ENG_MAX_NAMES];        /* the arguments with "#KEYID" cut */
	int n_args;
	size_t n_keyed;                   /* sources given a key */
};

/* Cut the keys from args[0..n), read the key file when -k is given or a
 * key is asked for (-a alone reads CLI_DEFAULT_KEYFILE), and check each
 * key asked for is there with a supported type.  Returns 0, or -1 with a
 * one-line reason in err (a usage error: exit 2). */
int KRN_prepare(struct krn *k, const struct cli_auth *a, char *const *args, int n, char *err,
    size_t errlen);

/* The engine's setup hook (ctx: the struct krn). */
void KRN_setup(void *ctx, struct eng_run *run, size_t src);

/* One line for -d: the key file, its dialect and how it was chosen. */
void KRN_describe(const struct krn *k, char *buf, size_t len);

/* Wipe the keys and free them. */
void KRN_free(struct krn *k);

#endif

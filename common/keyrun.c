/* keyrun: options and server arguments to keyed sources. */
#include "keyrun.h"

#include <stdio.h>
#include <string.h>

#include "auth_key.h"

int
KRN_prepare(struct krn *k, const struct cli_auth *a, char *const *args, int n, char *err,
    size_t errlen)
{
	int i, r, want = a->key_id != 0;
	size_t j;
	char msg[256];

	memset(k, 0, sizeof(*k));
	k->all_id = a->key_id;
	if (n > ENG_MAX_NAMES) {
		snprintf(err, errlen, "too many servers (at most %d)", ENG_MAX_NAMES);
		return -1;
	}
	for (i = 0; i < n; i++) {
		r = CLI_split_key(args[i], k->buf[i], sizeof(k->buf[i]), &k->name_key[i], err, errlen);
		if (r < 0)
			return -1;
		want |= r;
		k->args[i] = k->buf[i];
	}
	k->n_args = n;
	if (!want && a->keyfile == NULL)
		return 0;
	k->path = a->keyfile != NULL ? a->keyfile : CLI_DEFAULT_KEYFILE;
	if (KEY_read_file(&k->kf, k->path, (enum key_format)a->keyfile_format, err, errlen) < 0)
		return -1;
	k->loaded = 1;
	if (a->key_id != 0 && KEY_usable(&k->kf, a->key_id, msg, sizeof(msg)) == NULL) {
		snprintf(err, errlen, "-a %u: %s (%s)", (unsigned)a->key_id, msg, k->path);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (k->name_key[i] != 0 && KEY_usable(&k->kf, k->name_key[i], msg, sizeof(msg)) == NULL) {
			snprintf(err, errlen, "%s: %s (%s)", args[i], msg, k->path);
			return -1;
		}
	/* keys no server uses are no longer needed: wipe them now */
	for (j = 0; j < k->kf.n; j++) {
		struct key *key = &k->kf.keys[j];
		int used = key->id == a->key_id;
		for (i = 0; i < n && !used; i++)
			used = key->id == k->name_key[i];
		if (!used) {
			explicit_bzero(key->data, sizeof(key->data));
			key->len = 0;
		}
	}
	return 0;
}

void
KRN_setup(void *ctx, struct eng_run *run, size_t src)
{
	struct krn *k = ctx;
	struct eng_source *s = &run->src[src];
	uint32_t id = 0;
	size_t i;

	if (!k->loaded)
		return;
	if (s->name < (size_t)k->n_args)
		id = k->name_key[s->name];
	if (id == 0)
		id = k->all_id;
	if (id == 0)
		return;
	for (i = 0; i < k->kf.n; i++)
		if (k->kf.keys[i].id == id) {
			s->auth = &AUTH_key;
			s->auth_ctx = &k->kf.keys[i];
			k->n_keyed++;
			return;
		}
}

void
KRN_describe(const struct krn *k, char *buf, size_t len)
{
	if (!k->loaded) {
		snprintf(buf, len, "no key file");
		return;
	}
	snprintf(buf, len, "key file %s: %zu key%s, %s format (%s)", k->path, k->kf.n, k->kf.n == 1 ? "" : "s",
	    KEY_format_name(k->kf.format),
	    !k->kf.detected ? "--keyfile-format" :
	    k->kf.same_in_both ? "its lines read the same in ntpd and chrony format" : "detected from the file");
}

void
KRN_free(struct krn *k)
{
	KEY_free(&k->kf);
	explicit_bzero(k, sizeof(*k));
}

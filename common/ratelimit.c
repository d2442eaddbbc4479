/* ratelimit: keyed, fixed-size token-bucket table (see ratelimit.h). */
#include "ratelimit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>

void
RL_defaults(struct rl_config *c)
{
	c->rate = 0.5;
	c->burst = 16;
	c->v4_prefix = 32;
	c->v6_prefix = 64;
	c->leak_share = 0.125;
	c->kod_share = 0.125;
	c->entries = 65536;
}

int
RL_init(struct rl_table *t, const struct rl_config *c)
{
	uint8_t key[2][AES128_KEY_SIZE];
	size_t n = RL_WAYS;

	memset(t, 0, sizeof(*t));
	t->cfg = *c;
	while (n * 2 <= c->entries && n * 2 <= ((size_t)1 << 26))
		n *= 2;
	/* shared memory: workers forked later share one table (a lost update
	 * between two workers only misplaces a token; there are no pointers) */
	t->e = mmap(NULL, n * sizeof(*t->e), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->e == MAP_FAILED) {
		t->e = NULL;
		return -1;
	}
	t->bytes = n * sizeof(*t->e);
	t->mask = n / RL_WAYS - 1;
	arc4random_buf(key, sizeof(key));
	aes128_set_encrypt_key(&t->key4, key[0]);
	aes128_set_encrypt_key(&t->key6, key[1]);
	explicit_bzero(key, sizeof(key));
	return 0;
}

void
RL_free(struct rl_table *t)
{
	if (t->e != NULL)
		munmap(t->e, t->bytes);
	t->e = NULL;
	explicit_bzero(&t->key4, sizeof(t->key4));
	explicit_bzero(&t->key6, sizeof(t->key6));
}

uint64_t
RL_key(const struct rl_table *t, int family, const uint8_t *addr)
{
	uint8_t block[AES_BLOCK_SIZE], out[AES_BLOCK_SIZE];
	int plen = family == AF_INET ? t->cfg.v4_prefix : t->cfg.v6_prefix, i;
	uint64_t h;

	memset(block, 0, sizeof(block));
	for (i = 0; i < plen / 8; i++)
		block[i] = addr[i];
	if (plen % 8)
		block[i] = (uint8_t)(addr[i] & (0xff << (8 - plen % 8)));
	aes128_encrypt(family == AF_INET ? &t->key4 : &t->key6, AES_BLOCK_SIZE, out, block);
	memcpy(&h, out, sizeof(h));
	return h != 0 ? h : 1;
}

enum rl_verdict
RL_check(struct rl_table *t, int family, const uint8_t *addr, uint32_t now_ms, uint32_t rnd)
{
	uint64_t tag = RL_key(t, family, addr);
	struct rl_entry *set = &t->e[((size_t)(tag >> 32) & t->mask) * RL_WAYS], *e = NULL;
	double r;
	int i;

	for (i = 0; i < RL_WAYS; i++)
		if (set[i].tag == tag) {
			e = &set[i];
			break;
		}
	if (e == NULL) {
		/* a new client: take an empty way, else evict the least recent */
		e = &set[0];
		for (i = 0; i < RL_WAYS; i++) {
			if (set[i].tag == 0) {
				e = &set[i];
				break;
			}
			if ((int32_t)(set[i].last_ms - e->last_ms) < 0)
				e = &set[i];
		}
		if (e->tag != 0)
			t->evictions++;
		e->tag = tag;
		e->tokens = (float)t->cfg.burst;
		e->last_ms = now_ms;
	} else {
		int32_t dt = (int32_t)(now_ms - e->last_ms);
		if (dt > 0) {
			double tok = e->tokens + dt * 1e-3 * t->cfg.rate;
			e->tokens = (float)(tok > t->cfg.burst ? t->cfg.burst : tok);
			e->last_ms = now_ms;
		}
	}
	if (e->tokens >= 1.0f) {
		e->tokens -= 1.0f;
		return RL_PASS;
	}
	r = rnd / 4294967296.0;
	if (r < t->cfg.leak_share)
		return RL_LEAK;
	if (r < t->cfg.leak_share + t->cfg.kod_share)
		return RL_KOD;
	return RL_DROP;
}

void
RL_log_init(struct rl_log *l, unsigned max, double period)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
	l->period = period;
	l->start = -1e300;
}

int
RL_log_ok(struct rl_log *l, double now, unsigned *report_suppressed)
{
	*report_suppressed = 0;
	if (now - l->start >= l->period) {
		*report_suppressed = l->suppressed;
		l->suppressed = 0;
		l->start = now;
		l->used = 0;
	}
	if (l->used < l->max) {
		l->used++;
		return 1;
	}
	l->suppressed++;
	return 0;
}

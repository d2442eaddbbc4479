/* libFuzzer: the filter's promise (tests/filter_property.h) on worlds
 * drawn from the input bytes: the true offset is always inside the
 * offset interval, not missed even by 1 ns. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/filter_property.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bytes {
	const uint8_t *p;
	size_t n, at;
};

/* 8 bytes a call; zeros once the input runs out. */
static uint64_t
take(void *ctx)
{
	struct bytes *b = ctx;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (b->at < b->n ? b->p[b->at++] : 0);
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes b = { data, size, 0 };
	char why[512];

	if (filter_property(take, &b, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_filter: %s\n", why);
		__builtin_trap();
	}
	return 0;
}

/* rng — the seeded random source (xoshiro256**, seeded through splitmix64).
 *
 * Every random choice codex-mock makes (jitter, thread ids, provider ids) draws from an rng the
 * caller passes in, so a fixed seed gives identical bytes. The struct is plain data; no
 * allocation, no errors. */
#ifndef CODEX_MOCK_RNG_H
#define CODEX_MOCK_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
/* Uniform in [0, 1). */
double rng_uniform(rng *r);
/* ns × U[lo, hi), rounded to whole nanoseconds. */
int64_t rng_scale(rng *r, int64_t ns, double lo, double hi);

#endif

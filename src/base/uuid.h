/* uuid — thread ids as the real CLI makes them: UUIDv7, lowercase, hyphenated, whose first
 * 48 bits are the creation time in Unix milliseconds. Time and randomness come from the
 * caller (injected clock and seeded rng). */
#ifndef CODEX_MOCK_UUID_H
#define CODEX_MOCK_UUID_H

#include "rng.h"

#include <stdbool.h>
#include <stdint.h>

#define UUID_STR_LEN 36

/* Writes 36 characters and a NUL into out. */
void uuid_v7(char out[UUID_STR_LEN + 1], uint64_t unix_ms, rng *r);
/* True when s is a hyphenated UUID (any version), as `codex exec resume` recognises one. */
bool uuid_is_valid(const char *s);

#endif

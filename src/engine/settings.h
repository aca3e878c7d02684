/* settings — codex-mock's own environment variables (design.md §3), parsed and checked.
 *
 * Takes the raw strings (NULL when unset) so tests need no environment. A malformed value is
 * a codex-mock configuration error: -1 with *err naming the variable and what it accepts. */
#ifndef CODEX_MOCK_SETTINGS_H
#define CODEX_MOCK_SETTINGS_H

#include "diag.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    double speed; /* CODEX_MOCK_SPEED: 1 real pace (default), 0 instant, N N× faster */
    bool has_seed;
    uint64_t seed; /* CODEX_MOCK_SEED */
} mock_settings;

int settings_parse(const char *speed, const char *seed, mock_settings *out, diag *err);

/* CODEX_MOCK_NOW: the wall-clock time the run starts at (thread ids, timestamps, reset times),
 * so two runs print identical bytes. Unix seconds (`1795260000`, `1795260000.250`) or UTC
 * RFC 3339 (`2026-11-21T07:38:03Z`, `2026-11-21T07:38:03.250Z`). Sets *unix_ms. */
int settings_parse_now(const char *text, int64_t *unix_ms, diag *err);

#endif

#include "settings.h"

#include "clock.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <stdlib.h>

int settings_parse(const char *speed, const char *seed, mock_settings *out, diag *err) {
    out->speed = 1;
    out->has_seed = false;
    out->seed = 0;
    if (speed && *speed) {
        char *end;
        errno = 0;
        double v = strtod(speed, &end);
        if (errno || *end || end == speed || !isfinite(v) || v < 0) {
            diag_set(err, NULL, 0, 0,
                     "CODEX_MOCK_SPEED must be a number >= 0 (0 instant, 1 real pace, 10 ten "
                     "times faster), not '%s'",
                     speed);
            return -1;
        }
        out->speed = v;
    }
    if (seed && *seed) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(seed, &end, 10);
        /* strtoull alone would take " 5", "+5" and even " -1" (as 2^64-1): digits only. */
        if (errno || *end || end == seed || !isdigit((unsigned char)seed[0])) {
            diag_set(err, NULL, 0, 0,
                     "CODEX_MOCK_SEED must be a whole number from 0 to 18446744073709551615, "
                     "not '%s'",
                     seed);
            return -1;
        }
        out->has_seed = true;
        out->seed = v;
    }
    return 0;
}

int settings_parse_now(const char *text, int64_t *unix_ms, diag *err) {
    if (clock_parse_utc(text, unix_ms)) return 0;
    if (text[0] >= '0' && text[0] <= '9') {
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (!errno && !*end && v >= 0 && v < 1e12) {
            *unix_ms = (int64_t)(v * 1000.0 + 0.5);
            return 0;
        }
    }
    diag_set(err, NULL, 0, 0,
             "CODEX_MOCK_NOW must be Unix seconds (1795260000) or UTC RFC 3339 "
             "(2026-11-21T07:38:03Z), not '%s'",
             text);
    return -1;
}

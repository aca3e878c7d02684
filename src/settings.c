#include "settings.h"

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
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6) {
        const char *p = text + n;
        int64_t frac_ms = 0;
        if (*p == '.') {
            int scale = 100;
            for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
                if (scale) frac_ms += (*p - '0') * scale;
        }
        if (strcmp(p, "Z") == 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
            sec < 61) {
            struct tm tm = {.tm_year = y - 1900,
                            .tm_mon = mo - 1,
                            .tm_mday = d,
                            .tm_hour = h,
                            .tm_min = mi,
                            .tm_sec = sec};
            *unix_ms = (int64_t)timegm(&tm) * 1000 + frac_ms;
            return 0;
        }
    } else if (text[0] >= '0' && text[0] <= '9') {
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

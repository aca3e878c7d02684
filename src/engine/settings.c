#include "settings.h"

#include "clock.h"
#include "buf.h"
#include "scenario_load.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *env_lookup_process(void *ctx, const char *name) {
    (void)ctx;
    return getenv(name);
}

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

static int parse_stream_above(const char *v, size_t *out, diag *err) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || errno == ERANGE || (unsigned long long)(size_t)n != n) {
        diag_set(err, NULL, 0, 0,
                 "CODEX_MOCK_STREAM_ABOVE: expected a size in bytes such as 8388608, found '%s'",
                 v);
        return -1;
    }
    *out = (size_t)n;
    return 0;
}

static int parse_schema_mode(const char *v, schema_mode *out, diag *err) {
    if (!strcmp(v, "warn")) {
        *out = SCHEMA_MODE_WARN;
    } else if (!strcmp(v, "strict")) {
        *out = SCHEMA_MODE_STRICT;
    } else {
        diag_set(err, NULL, 0, 0, "CODEX_MOCK_SCHEMA must be 'warn' or 'strict', not '%s'", v);
        return -1;
    }
    return 0;
}

/* The value of name, NULL when unset or empty. */
static const char *value(env_lookup_fn get, void *ctx, const char *name) {
    const char *v = get(ctx, name);
    return v && *v ? v : NULL;
}

int settings_from_env(env_lookup_fn get, void *ctx, mock_settings *out, diag *err) {
    memset(out, 0, sizeof *out);
    out->stream_above = SCENARIO_STREAM_ABOVE;
    out->version = value(get, ctx, "CODEX_MOCK_VERSION");
    if (out->version) {
        version_profile vp;
        char *why = NULL;
        if (version_profile_parse(out->version, &vp, &why) < 0) {
            diag_set(err, NULL, 0, 0, "CODEX_MOCK_VERSION: %s", why);
            free(why);
            return -1;
        }
        version_profile_free(&vp);
    }
    if (settings_parse(value(get, ctx, "CODEX_MOCK_SPEED"), value(get, ctx, "CODEX_MOCK_SEED"), out,
                       err) < 0)
        return -1;
    const char *v = value(get, ctx, "CODEX_MOCK_NOW");
    if (v) {
        if (settings_parse_now(v, &out->now_ms, err) < 0) return -1;
        out->has_now = true;
    }
    v = value(get, ctx, "CODEX_MOCK_STREAM_ABOVE");
    if (v && parse_stream_above(v, &out->stream_above, err) < 0) return -1;
    v = value(get, ctx, "CODEX_MOCK_CHAOS");
    if (v) {
        if (chaos_parse(v, &out->chaos, err) < 0) return -1;
        out->has_chaos = true;
    }
    v = value(get, ctx, "CODEX_MOCK_SCHEMA");
    if (v && parse_schema_mode(v, &out->schema, err) < 0) return -1;
    out->scenario = value(get, ctx, "CODEX_MOCK_SCENARIO");
    out->scenario_path = value(get, ctx, "CODEX_MOCK_SCENARIO_PATH");
    out->rules = value(get, ctx, "CODEX_MOCK_RULES");
    out->state_dir = value(get, ctx, "CODEX_MOCK_STATE");
    out->explain = value(get, ctx, "CODEX_MOCK_EXPLAIN");
    out->real_codex = value(get, ctx, "CODEX_MOCK_REAL_CODEX");
    return 0;
}

#define CURRENT_VERSION "0.171.0"
#define LEGACY_VERSION "0.60.0"

static bool digits(const char **p) {
    const char *s = *p;
    while (**p >= '0' && **p <= '9')
        (*p)++;
    return *p > s;
}

int version_profile_parse(const char *text, version_profile *out, char **err) {
    out->version = NULL;
    out->legacy = false;
    if (!text || !*text || !strcmp(text, "current")) {
        out->version = xstrdup(CURRENT_VERSION);
        return 0;
    }
    if (!strcmp(text, "legacy") || !strcmp(text, "0.60")) {
        out->version = xstrdup(LEGACY_VERSION);
        out->legacy = true;
        return 0;
    }
    const char *p = text;
    bool ok = digits(&p) && *p++ == '.' && digits(&p) && *p++ == '.' && digits(&p) &&
              (*p == '\0' || *p == '-' || *p == '+');
    if (!ok) {
        *err =
            xasprintf("expected a version such as 0.171.0, 0.169.0 or 0.60.0 (or 'legacy'), found "
                      "'%s'",
                      text);
        return -1;
    }
    out->version = xstrdup(text);
    out->legacy = strtol(text, NULL, 10) == 0 && strtol(strchr(text, '.') + 1, NULL, 10) < 100;
    return 0;
}

void version_profile_free(version_profile *p) {
    free(p->version);
    p->version = NULL;
}

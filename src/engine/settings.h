/* settings — every CODEX_MOCK_* variable, read and checked in one place, for both programs.
 *
 * settings_from_env() reads the environment through an injected lookup (tests pass a table;
 * the programs pass getenv), so nothing else in codex-mock calls getenv for a CODEX_MOCK_*
 * name. An empty value counts as unset. A malformed value is a codex-mock configuration
 * error: -1 with *err naming the variable, the value and what it accepts (the programs print
 * it as `codex-mock: …` and exit EXIT_MOCK_ERROR, 78). The first malformed variable in the
 * order of the struct below is the one reported.
 *
 * Strings in mock_settings point into what the lookup returned (for getenv: the process
 * environment) and live as long as it does; nothing in the struct is heap-owned.
 *
 * The version profile is parsed here too, since both faces print the emulated version and
 * the text may also come from a scenario's `cli.version` (version_profile_parse). */
#ifndef CODEX_MOCK_SETTINGS_H
#define CODEX_MOCK_SETTINGS_H

#include "chaos.h"
#include "diag.h"
#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns the value of `name`, or NULL when unset. */
typedef const char *(*env_lookup_fn)(void *ctx, const char *name);
/* The process environment (getenv); ctx is ignored. */
const char *env_lookup_process(void *ctx, const char *name);

typedef struct {
    const char *version; /* CODEX_MOCK_VERSION as given (checked), NULL: the scenario's */
    double speed;        /* CODEX_MOCK_SPEED: 1 real pace (default), 0 instant, N faster */
    bool has_seed;       /* CODEX_MOCK_SEED given */
    uint64_t seed;
    bool has_now;        /* CODEX_MOCK_NOW given */
    int64_t now_ms;      /* … as Unix ms */
    size_t stream_above; /* CODEX_MOCK_STREAM_ABOVE (default SCENARIO_STREAM_ABOVE) */
    bool has_chaos;      /* CODEX_MOCK_CHAOS given: it replaces the scenario's `chaos:` */
    chaos_spec chaos;
    schema_mode schema;        /* CODEX_MOCK_SCHEMA: warn | strict (UNSET: the scenario's) */
    const char *scenario;      /* CODEX_MOCK_SCENARIO: a name or a path, NULL: `default` */
    const char *scenario_path; /* CODEX_MOCK_SCENARIO_PATH: ':'-separated directories */
    const char *rules;         /* CODEX_MOCK_RULES: a rules file */
    const char *state_dir;     /* CODEX_MOCK_STATE: the state directory */
    const char *explain;       /* CODEX_MOCK_EXPLAIN: where narration goes */
    const char *real_codex;    /* CODEX_MOCK_REAL_CODEX: the real CLI for `record` */
} mock_settings;

int settings_from_env(env_lookup_fn get, void *ctx, mock_settings *out, diag *err);

/* The pieces settings_from_env() is made of, for callers that hold one value. */
int settings_parse(const char *speed, const char *seed, mock_settings *out, diag *err);
/* CODEX_MOCK_NOW: the wall-clock time the run starts at (thread ids, timestamps, reset times),
 * so two runs print identical bytes. Unix seconds (`1795260000`, `1795260000.250`) or UTC
 * RFC 3339 (`2026-11-21T07:38:03Z`, `2026-11-21T07:38:03.250Z`). Sets *unix_ms. */
int settings_parse_now(const char *text, int64_t *unix_ms, diag *err);

/* The emulated CLI version: empty/NULL → the current one; `legacy` or `0.60` → `0.60.0`;
 * any `X.Y.Z` (optionally `-suffix`/`+suffix`) is printed as given, and a version below
 * 0.100 selects the 0.60-era profile (its flags, header, usage keys and login wording).
 * Anything else: -1 with *err (heap) saying what is accepted. `version` is heap-owned:
 * version_profile_free(). */
typedef struct {
    char *version; /* "0.169.0" */
    bool legacy;   /* the 0.60-era profile */
} version_profile;

int version_profile_parse(const char *text, version_profile *out, char **err);
void version_profile_free(version_profile *p);

#endif

/* scenario_load — YAML scenario file → scenario model, validated (docs/format.md,
 * docs/architecture.md#scenarios-and-selection).
 *
 * On success returns 0 and fills *out (the caller calls scenario_free()). On a user error —
 * YAML syntax, unknown keys or types (with "did you mean"), wrong value types, missing fields,
 * bad durations, reserved exit codes, empty files — returns -1, fills *err with the file, line
 * and column, and leaves *out empty. Nothing is printed. */
#ifndef CODEX_MOCK_SCENARIO_LOAD_H
#define CODEX_MOCK_SCENARIO_LOAD_H

#include "diag.h"
#include "scenario.h"

int scenario_load_file(const char *path, scenario *out, diag *err);

/* Files above this size are played as they are read by `codex exec` (docs/format.md "Big
 * scenarios"); CODEX_MOCK_STREAM_ABOVE overrides it. */
#define SCENARIO_STREAM_ABOVE ((size_t)8 * 1024 * 1024)

/* As scenario_load_file() up to `stream_above` bytes. A bigger file is read only up to its
 * 'steps' or 'turns' (the keys before them fill *out, errors in them are reported here) and
 * out->stream reads the rest while it is played: a later error stops the play (plan_error). */
int scenario_open_file(const char *path, size_t stream_above, scenario *out, diag *err);
/* For `codex-mock lint`: a file over `stream_above` bytes read as codex plays it, every turn as
 * if it were the played one (what scenario_load_file cannot see: keys after 'steps' or 'turns',
 * raw thread.started / turn.started after a turn's first item). 0 when there is nothing wrong. */
int scenario_stream_check(const char *path, size_t stream_above, diag *err);
/* `name` stands in for the file name in messages. */
int scenario_load_mem(const char *name, const char *data, size_t len, scenario *out, diag *err);

/* Whether a `signal:` step can name this signal ("SIGKILL", …, with its SIG prefix). */
bool scenario_signal_step_knows(const char *name);

#endif

/* scenario_load — YAML scenario file → scenario model, validated (design.md §3, docs/format.md).
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
/* `name` stands in for the file name in messages. */
int scenario_load_mem(const char *name, const char *data, size_t len, scenario *out, diag *err);

#endif

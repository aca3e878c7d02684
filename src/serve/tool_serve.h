/* tool_serve — `codex-mock serve` and `codex-mock conform` (docs/serve.md, docs/conform.md).
 * Each returns the command's exit code and prints its own messages. */
#ifndef CODEX_MOCK_TOOL_SERVE_H
#define CODEX_MOCK_TOOL_SERVE_H

#include "diag.h"
#include "scenario.h"

int tool_serve(int argc, char **argv);
int tool_conform(int argc, char **argv, char **environ);

/* A scenario by built-in name or path (CODEX_MOCK_SCENARIO_PATH honoured), loaded; NULL or
 * empty: `default`. -1 with *err on an error. `path_out` (may be NULL) gets the file used
 * (heap; NULL for the compiled-in default). */
int serve_load_scenario(const char *requested, scenario *sc, char **path_out, diag *err);

/* The config.toml that points codex at http://127.0.0.1:PORT/v1 (provider `codex_mock`). */
void serve_config_toml(buf *b, int port, const char *model);

#endif

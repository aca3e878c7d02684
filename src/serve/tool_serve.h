/* tool_serve — `codex-mock serve` (docs/serve.md): returns the command's exit code and prints
 * its own messages. The helpers are shared with `codex-mock conform` (toolbox/conform.h). */
#ifndef CODEX_MOCK_TOOL_SERVE_H
#define CODEX_MOCK_TOOL_SERVE_H

#include "buf.h"
#include "diag.h"
#include "scenario.h"
#include "settings.h"

int tool_serve(int argc, char **argv, const mock_settings *set);

/* A scenario by built-in name or path, loaded; names are looked up in `scenario_path`
 * (CODEX_MOCK_SCENARIO_PATH, may be NULL) before the library. NULL: `default`. -1 with *err on
 * an error. `path_out` (may be NULL) gets the file used (heap; NULL for the compiled-in
 * default). */
int serve_load_scenario(const char *requested, const char *scenario_path, scenario *sc,
                        char **path_out, diag *err);

/* The config.toml that points codex at http://127.0.0.1:PORT/v1 (provider `codex_mock`). */
void serve_config_toml(buf *b, int port, const char *model);

#endif

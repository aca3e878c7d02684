/* login_run — `codex login` (browser or --device-auth), `login --with-api-key`,
 * `login status` and `logout` (docs/behaviour.md#login), from parsed arguments to exit code.
 *
 * auth.json is read and written by auth.h; the browser flow by login_flow.h. With
 * CODEX_MOCK_SCENARIO set, a plain `codex login` plays that scenario instead (its stderr
 * lines, its exit, its hang). Errors go to stderr with the real CLI's texts. */
#ifndef CODEX_MOCK_LOGIN_RUN_H
#define CODEX_MOCK_LOGIN_RUN_H

#include "cli.h"
#include "run.h"
#include "settings.h"

#include <stdbool.h>

int login_run(const invocation *inv, bool legacy, run_clock *rc, const mock_settings *set);

#endif

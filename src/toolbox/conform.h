/* conform — `codex-mock conform` (docs/conform.md): each scenario played through the real codex
 * (with `codex-mock serve` as its model, in process) and through the fake, with the same argv,
 * stdin and environment; what differs is reported as a table or JSON. Returns the exit code
 * (0 all played scenarios match, 1 one differs or errs, 2 usage, 78 the real CLI cannot run). */
#ifndef CODEX_MOCK_CONFORM_H
#define CODEX_MOCK_CONFORM_H

#include "settings.h"

int tool_conform(int argc, char **argv, const mock_settings *set);

#endif

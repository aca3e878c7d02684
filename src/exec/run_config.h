/* run_config — what the emulated CLI is configured as for one run: the values human mode
 * prints in its header (docs/behaviour.md#human-mode,
 * docs/behaviour.md#legacy-profile). The version profile is settings.h's.
 *
 * Header values, highest first: flags (`-m`, `--sandbox`, `--yolo`, legacy `-a`/`--full-auto`)
 * → `-c key=value` (model, model_provider, approval_policy, sandbox_mode,
 * model_reasoning_effort, model_reasoning_summary) → the scenario's `cli:` → defaults
 * (model `gpt-6.1-sol`, or `gpt-5-codex` in the 0.60 profile; provider `openai`; approval
 * `never`; sandbox `read-only`; reasoning effort and summaries `none`). A workspace-write
 * sandbox prints `workspace-write [workdir, /tmp, $TMPDIR]` plus any --add-dir roots.
 * All strings are heap-owned by the struct: run_header_free(). */
#ifndef CODEX_MOCK_RUN_CONFIG_H
#define CODEX_MOCK_RUN_CONFIG_H

#include "cli.h"
#include "scenario.h"
#include "settings.h"

#include <stdbool.h>

typedef struct {
    char *model, *provider, *approval, *sandbox_mode, *sandbox, *reasoning_effort,
        *reasoning_summaries;
} run_header;

void run_header_build(const invocation *inv, const cli_config *cli, bool legacy, run_header *h);
void run_header_free(run_header *h);

/* True when an executable `bwrap` is in one of PATH's directories. */
bool bwrap_on_path(const char *path_env);

#endif

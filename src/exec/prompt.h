/* prompt — where the prompt comes from (docs/behaviour.md#prompt-and-stdin): the positional PROMPT,
 * `-`, piped stdin appended as a <stdin> block, or stdin alone.
 *
 * Two steps so the caller can print the notice and block on stdin at the real moment:
 * prompt_decide() says whether stdin is read and which notice precedes it (or which error ends
 * the run before that); prompt_finish() builds the final prompt from what was read (heap string
 * for the caller to free) or returns the error text (static) for exit 1.
 *
 * "Blank" is the real CLI's `trim().is_empty()` (Unicode whitespace). Stdin is decoded first
 * (§1.5): a UTF-8 BOM is dropped, UTF-16LE/BE with a BOM are decoded to UTF-8, UTF-32LE/BE BOMs
 * and invalid UTF-8 (or undecodable UTF-16) are errors with the real texts and byte offset.
 * `exec review` (§1.4): a target (--uncommitted/--base/--commit) needs no prompt and reads
 * nothing; no target and no prompt, or a blank prompt, is an `Error: ...`; review instructions
 * are trimmed. `exec resume` without a prompt follows the no-prompt rules; `exec fork` without a
 * prompt runs no turn (prompt_finish returns "" and `no_turn` is set), and is an error with
 * images or output options (-o, --output-schema). */
#ifndef CODEX_MOCK_PROMPT_H
#define CODEX_MOCK_PROMPT_H

#include "cli.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    bool read_stdin;
    bool no_turn;       /* fork without a prompt: thread.started only, exit 0 */
    const char *notice; /* stderr line (without newline) before reading, or NULL */
    const char *error;  /* the run ends with this message and exit 1 before reading */
    char msg[256];      /* storage for a formatted error (points into the plan) */
} prompt_plan;

prompt_plan prompt_decide(const invocation *inv, bool stdin_is_tty);
/* Returns the prompt (caller frees) or NULL with *error set (static, or inside *plan). */
char *prompt_finish(const invocation *inv, prompt_plan *plan, const char *in, size_t len,
                    const char **error);

#endif

/* prompt — where the prompt comes from (reference §1.5): the positional PROMPT, `-`, piped
 * stdin appended as a <stdin> block, or stdin alone.
 *
 * Two steps so the caller can print the notice and block on stdin at the real moment:
 * prompt_decide() says whether stdin is read and which notice precedes it (or which error ends
 * the run before that); prompt_finish() builds the final prompt from what was read (heap string
 * for the caller to free) or returns the error text (static) for exit 1.
 *
 * "Blank" is the real CLI's `trim().is_empty()` (Unicode whitespace); a leading UTF-8 BOM on
 * stdin is dropped. `exec review` (§1.4): a target (--uncommitted/--base/--commit) needs no
 * prompt and reads nothing; no target and no prompt, or a blank prompt, is an `Error: ...`;
 * review instructions are trimmed. */
#ifndef CODEX_MOCK_PROMPT_H
#define CODEX_MOCK_PROMPT_H

#include "cli.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    bool read_stdin;
    const char *notice; /* stderr line (without newline) before reading, or NULL */
    const char *error;  /* the run ends with this message and exit 1 before reading */
} prompt_plan;

prompt_plan prompt_decide(const invocation *inv, bool stdin_is_tty);
/* Returns the prompt (caller frees) or NULL with *error set. */
char *prompt_finish(const invocation *inv, const prompt_plan *plan, const char *in, size_t len,
                    const char **error);

#endif

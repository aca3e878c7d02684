/* state — what codex-mock remembers across invocations (docs/architecture.md#state, docs/rules.md):
 * the invocation counter, each sequence's position, and the journal of invocations.
 *
 * The state directory is CODEX_MOCK_STATE, else $CODEX_HOME/codex-mock-state. Many invocations
 * may run at once:
 * - `invocations` grows by one byte per call (O_APPEND): its size after our byte is our number;
 * - counters.json (sequence positions) is read, updated and written to a temporary name that is
 *   renamed, all under an exclusive flock() on `lock`, so a reader (or a crash) never sees half
 *   a file;
 * - journal.jsonl gets one O_APPEND write() per line, so lines never interleave.
 *
 * Errors are codex-mock's own: -1 with `err` set (no position; the message names the file). */
#ifndef CODEX_MOCK_STATE_H
#define CODEX_MOCK_STATE_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *dir;
    int lock_fd; /* held between state_lock and state_unlock */
} state_dir;

/* Resolves (and creates) the directory. `explicit_dir` is CODEX_MOCK_STATE (may be NULL). */
int state_open(state_dir *s, const char *explicit_dir, const char *codex_home, diag *err);
void state_close(state_dir *s);

/* Takes the next invocation number (1-based; skipped when `invocation` is NULL) and, for each
 * of the `n` counter keys, the key's next position (0-based), all in one locked update. */
int state_next(state_dir *s, const char *const *keys, size_t n, long *invocation, long *positions,
               diag *err);
/* Appends one line (a JSON object, no newline) to journal.jsonl. */
int state_journal_append(state_dir *s, const char *json_line, size_t len, diag *err);
/* Empties the directory's counters and journal. */
int state_reset(state_dir *s, diag *err);

#endif

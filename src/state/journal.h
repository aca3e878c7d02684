/* journal — the line `codex exec` appends to the state directory's journal.jsonl for each
 * invocation (docs/rules.md "The journal"; read back by `codex-mock journal`
 * and `codex-mock verify`).
 *
 * One compact JSON object: invocation, start, end, argv, command, cwd, prompt, stdin, env
 * (codex-mock's own variables and OPENAI_BASE_URL by value; API keys only as "<set>", never
 * their value), rule, scenario, thread_id, exit_code. Absent values are JSON null.
 *
 * journal_format() appends the line, without a newline, to a caller-owned buf; it allocates
 * nothing else and cannot fail. The environment is read through `lookup` (getenv in the
 * binary), so tests can hand it their own. */
#ifndef CODEX_MOCK_JOURNAL_H
#define CODEX_MOCK_JOURNAL_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    long invocation;
    const char *start, *end; /* RFC 3339 UTC (clock_format_utc) */
    int argc;
    char *const *argv;
    const char *command; /* exec, resume, fork, review */
    const char *cwd;
    const char *prompt;     /* NULL: none was read */
    bool stdin_read;        /* false: stdin is null (never read) */
    const char *stdin_text; /* stdin_len bytes, may hold NULs */
    size_t stdin_len;
    const char *rule;      /* the rule that picked the scenario, or NULL */
    const char *scenario;  /* what was asked for: a name or a path */
    const char *thread_id; /* NULL or "": none started */
    int exit_code;
} journal_entry;

void journal_format(buf *out, const journal_entry *e, const char *(*lookup)(const char *name));

#endif

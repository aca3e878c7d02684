/* diag — one user-facing error of codex-mock's own, with its position; and the error
 * convention every module follows (docs/architecture.md#errors).
 *
 * The convention:
 *   - Two kinds of error text. A `diag` is codex-mock's own error: a scenario, rules or
 *     recording file that does not load, a bad CODEX_MOCK_* variable, a file it cannot write.
 *     It is printed `codex-mock: FILE:LINE:COL: message` (diag_print) and `codex` exits
 *     EXIT_MOCK_ERROR (78) on it. A `buf` holds a text the real CLI prints (a clap usage error,
 *     an `Error: ...` pre-flight text, a failed -o write): the fake prints it byte for byte as
 *     the real one does and exits as it would (exitcodes.h). Some modules hand the real CLI's
 *     text back as a heap string in `char **err` instead of a buf (preflight, output_files:
 *     the caller prints and frees it).
 *   - A function that can fail returns 0 — or a documented positive, such as "found" — and -1
 *     on error, with the text in the `diag *` or `buf *` it was given. It never prints and never
 *     exits. Only the programs' mains, the toolbox's command entry points (tool_*, which return
 *     an exit code) and a face's run loop (play, record, login_flow, which write to the
 *     terminal as time passes) touch stdout and stderr.
 *   - Below both, I/O (fileio.h) reports errno and the caller words it; allocation failure
 *     aborts (buf.h) and is no error a caller handles.
 *
 * A diag owns its message (heap). Lines and columns are 1-based (0: unknown); diag_print()
 * writes `codex-mock: message` when the error has no file. A message longer than 4 KiB (a 10 MB
 * value quoted back) keeps its first and last 1500 bytes around ` … [N bytes left out] … `. */
#ifndef CODEX_MOCK_DIAG_H
#define CODEX_MOCK_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    char *file; /* NULL when the error is not about a file */
    int line;   /* 0 when unknown */
    int col;
    char *msg;
} diag;

void diag_init(diag *d);
void diag_free(diag *d);
/* Replaces what `d` held: the message is printf'd, `file` copied (NULL: no file). */
void diag_set(diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_vset(diag *d, const char *file, int line, int col, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
void diag_print(const diag *d, FILE *out);
/* The same text diag_print() writes, without the trailing newline (caller frees). */
char *diag_format(const diag *d);

/* The candidate closest to `word` by edit distance when it is close enough to be a likely typo
 * (distance ≤ 2, or ≤ a third of the word), else NULL. `candidates` ends with NULL. */
const char *did_you_mean(const char *word, size_t len, const char *const *candidates);

#endif

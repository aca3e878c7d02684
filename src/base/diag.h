/* diag — one user-facing error about a scenario (or rules) file, with its position.
 *
 * A diag owns its message (heap). Functions that can fail on user input take a `diag *` and
 * fill it instead of printing, so the caller decides where the text goes; diag_print() gives
 * the documented form `codex-mock: FILE:LINE:COL: message` (or `codex-mock: message` when the
 * error has no file). Lines and columns are 1-based. A message longer than 4 KiB (a 10 MB value
 * quoted back) keeps its first and last 1500 bytes around ` … [N bytes left out] … `. */
#ifndef CODEX_MOCK_DIAG_H
#define CODEX_MOCK_DIAG_H

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
void diag_set(diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_print(const diag *d, FILE *out);
/* The same text diag_print() writes, without the trailing newline (caller frees). */
char *diag_format(const diag *d);

/* The candidate closest to `word` by edit distance when it is close enough to be a likely typo
 * (distance ≤ 2, or ≤ a third of the word), else NULL. `candidates` ends with NULL. */
const char *did_you_mean(const char *word, size_t len, const char *const *candidates);

#endif

/* corpus — test support: read one trace of tests/corpus (stdout bytes, per-line timing,
 * stderr, exit code, argv.json) and compare our output with it ids aside.
 *
 * trace_load() returns 0 or -1 (missing files); the trace owns its buffers: trace_free().
 * String helpers return heap strings the caller frees. */
#ifndef CODEX_MOCK_TEST_CORPUS_H
#define CODEX_MOCK_TEST_CORPUS_H

#include <cJSON.h>
#include <stddef.h>

typedef struct {
    double ms;
    char *line;
} trace_line;

typedef struct {
    char *dir;
    char *stdout_bytes; /* stdout.jsonl, or stdout.txt for human-mode runs */
    size_t stdout_len;
    char *stderr_bytes;
    size_t stderr_len;
    trace_line *out; /* stdout_timing.tsv */
    size_t n_out;
    trace_line *err; /* stderr_timing.tsv */
    size_t n_err;
    int exit_code;
    cJSON *argv; /* argv.json */
} trace;

int trace_load(const char *dir, trace *t);
void trace_free(trace *t);

/* Reads a whole file (NUL-terminated copy; *len set when len != NULL), or NULL. */
char *read_file(const char *path, size_t *len);
/* Every occurrence of `from` replaced by `to`. */
char *replace_all(const char *s, const char *from, const char *to);
/* Every hyphenated UUID replaced by "<uuid>", so thread ids do not count in a comparison. */
char *mask_uuids(const char *s);

#endif

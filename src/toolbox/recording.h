/* recording — one run of a CLI as `codex-mock record` lays it out (docs/convert.md): argv.json,
 * stdout.jsonl or stdout.txt, stdout_timing.tsv, stderr.txt, stderr_timing.tsv, exit_code,
 * meta.json, rollout/, collected_last_message.txt.
 *
 * `codex-mock record` fills a recording and writes it with recording_write_dir(); `convert`
 * reads one with recording_load_dir() (a single run: a folder with argv.json, or a runN/
 * folder whose meta.json sits in the parent) or recording_load_capture() (a bare
 * `codex exec --json` capture, no timing). Times are kept in tenths of a millisecond since
 * spawn, the resolution of the timing files.
 *
 * The recording owns every string and buffer in it: recording_free(). Loading and writing
 * return 0, or -1 with *err filled (file and what is wrong); nothing is printed. Every file is
 * written to a temporary name in the same directory and renamed into place. */
#ifndef CODEX_MOCK_RECORDING_H
#define CODEX_MOCK_RECORDING_H

#include "buf.h"
#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t t;  /* arrival of the line's last byte, tenths of a ms since spawn */
    size_t off; /* into the stream's bytes */
    size_t len; /* including the '\n' when the line has one */
} rec_line;

typedef struct {
    buf bytes;
    rec_line *lines;
    size_t n_lines, cap;
} rec_stream;

typedef struct {
    char *name, *value;
} rec_env;

typedef struct {
    char **argv; /* the CLI's argv (a `timeout …` wrapper dropped); argv[argc] == NULL */
    size_t argc;
    char *cwd;
    char *stdin_text; /* what was piped in, or NULL (none / a terminal) */
    size_t stdin_len;
    bool stdin_tty;
    rec_env *env;
    size_t n_env;
    bool json_mode; /* stdout.jsonl (else stdout.txt) */
    bool has_timing;
    rec_stream out, err;
    bool has_exit;
    int exit_code;          /* corpus convention: -N when killed by signal N */
    int64_t duration_t;     /* spawn → exit, tenths of a ms; -1 unknown */
    char *signal_name;      /* a signal sent on purpose (meta.json signal_sent), or NULL */
    int64_t signal_after_t; /* when it was sent, tenths of a ms */
    char *name, *description;
    char *rollout_path; /* load: the session file found in rollout/, or NULL */
    char *rollout_name; /* write: file name inside rollout/ */
    char *rollout_data; /* write: its (scrubbed) bytes, or NULL for none */
    size_t rollout_len;
    char *last_message; /* collected -o file, or NULL */
    size_t last_message_len;
    char *codex_version;
} recording;

void recording_init(recording *r);
void recording_free(recording *r);

/* Appends bytes to a stream, splitting lines; every completed line is stamped with `t`. */
void rec_stream_feed(rec_stream *s, const char *p, size_t n, int64_t t);
/* Stamps a final line that has no newline (call once at EOF). */
void rec_stream_finish(rec_stream *s, int64_t t);

int recording_load_dir(const char *dir, recording *r, diag *err);
int recording_load_capture(const char *path, recording *r, diag *err);

/* A recording's files already in memory (what recording_load_dir() reads; the fuzz targets
 * use it). Each data pointer is NULL when the file is absent; the bytes need no NUL and stay
 * the caller's (the recording copies what it keeps). `dir` only names the files in messages;
 * `run` picks meta.json's runs[run - 1] (0 or 1: the first). rollout_path is left NULL.
 * Returns 0, or -1 with *err filled; *r is initialised either way: recording_free() it. */
typedef struct {
    const char *data;
    size_t len;
} rec_file;

typedef struct {
    const char *dir;
    int run;
    rec_file argv_json, stdout_jsonl, stdout_txt, stdout_timing, stderr_txt, stderr_timing;
    rec_file exit_code, meta_json, last_message; /* last_message: collected_last_message.txt */
} recording_files;

int recording_load_files(const recording_files *f, recording *r, diag *err);
/* A bare `codex exec --json` capture in memory (the bytes are copied); it cannot fail. */
void recording_load_capture_mem(const char *data, size_t len, recording *r);
/* Creates dir if needed; refuses a dir that already holds a recording. */
int recording_write_dir(const recording *r, const char *dir, diag *err);

/* A stream's timing file: the header `ms_since_spawn<TAB>line`, then one row per line (its
 * arrival in ms, one decimal, a tab, its bytes without the newline). */
void recording_timing_tsv(buf *b, const rec_stream *s);

/* Writes path atomically (fileio_write_atomic, a new file 0644 less the umask); -1 with a
 * `cannot write: <strerror>` diag at path. */
int recording_write_file(const char *path, const char *data, size_t len, diag *err);

/* "SIGINT" → 2, "INT" → 2, unknown → 0; and back ("SIGINT", or NULL). */
int signal_number(const char *name);
const char *signal_name_of(int sig);

#endif

/* record_appserver — an app-server recording on disk, in the layout of the recorded sessions
 * of the real `codex app-server` (tests/corpus/app-server-0.171.0/README.md; docs/convert.md
 * "Recording an app-server session").
 *
 * `codex-mock record -- codex app-server` runs record_run() with a transcript (record.h) and
 * hands what it captured to record_appserver_write(), which writes into `dir`:
 *   transcript.jsonl   every line both ways, in the order they crossed:
 *                      {"t_ms": …, "dir": "c2s"|"s2c", "line": …} (+ "line_b64" with the exact
 *                      bytes when the line is not UTF-8 or holds NUL; + "eol": false for a
 *                      fragment without newline at EOF)
 *   stdin.txt, stdout.txt, stderr.txt, stderr_timing.tsv
 *   exit.json, exit_code  returncode (-N: killed by signal N), exit, stdout EOF and stdin close
 *                      times, ended_by
 *   actions.jsonl      what the recorder saw the client do: signals forwarded, stdin closed
 *   argv.json, config.toml (when given), rollout/ (every session file given), meta.json
 * Lines, stderr, config and rollouts pass through `scrub` (when non-NULL) on the way to disk,
 * one line at a time; argv and env in `r` are written as they are (the caller scrubbed them).
 * Every file goes to a temporary name and is renamed; a folder that already holds a recording
 * (argv.json or transcript.jsonl) is refused. Returns 0, or -1 with *err filled.
 *
 * record_is_appserver() says whether a codex argv runs the app-server: its first word that is
 * not an option (or an option's value) is `app-server`.
 *
 * record_tx_line() appends one transcript row (with its newline) to `b`: the bytes of the line
 * without its newline, eol false for a fragment. record_sequence() appends the corpus's short
 * name of a line to meta.json's sequence ("> initialize#1", "< result#1",
 * "< item/started:userMessage", "< error#1(-32600)"). */
#ifndef CODEX_MOCK_RECORD_APPSERVER_H
#define CODEX_MOCK_RECORD_APPSERVER_H

#include "buf.h"
#include "diag.h"
#include "record.h"
#include "recording.h"
#include "scrub.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *name; /* the file name inside rollout/ */
    char *data;
    size_t len;
} rec_blob;

typedef struct {
    const recording *r;          /* argv, cwd, env, name; out/err streams; exit, duration */
    const record_transcript *tx; /* the client's lines, the order, the moments */
    const scrubber *scrub;       /* NULL: nothing is replaced */
    const char *config_toml;     /* CODEX_HOME/config.toml as it was at spawn, or NULL */
    size_t config_len;
    const rec_blob *rollouts;
    size_t n_rollouts;
} appserver_recording;

int record_appserver_write(const appserver_recording *a, const char *dir, diag *err);

/* Whether `dir` already holds a recording (argv.json or transcript.jsonl). */
bool record_dir_taken(const char *dir);

bool record_is_appserver(char *const *argv);

void record_tx_line(buf *b, int64_t t, char dir, const char *line, size_t len, bool eol);

/* A readable name for one line (see the header), heap. */
char *record_sequence_name(char dir, const char *line, size_t len);

/* How the process ended, in the corpus's words, heap: "exited after signal SIGTERM" (a signal
 * was forwarded before the exit), "exited after stdin EOF", "exited by itself (stdin still
 * open)", "killed by signal SIGSEGV" (a signal nobody sent). exit_t: tenths of a ms. */
char *record_ended_by(int exit_code, int64_t exit_t, const record_transcript *tx);

#endif

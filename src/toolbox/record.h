/* record — run a real CLI with its stdio passed through live, and capture what it did
 * (docs/convert.md, docs/architecture.md#toolbox).
 *
 * record_run() forks and execs `program` with `argv`, copies our stdin to it (unless stdin is a
 * terminal, which the child then shares), and copies its stdout and stderr to ours as they
 * arrive, stamping each line with its arrival time (tenths of a ms since spawn, from the clock
 * passed in). Signals the recorder receives (SIGINT, SIGTERM, SIGHUP, SIGQUIT) are forwarded
 * when they were sent to us alone (kill), not when the terminal sent them to the whole process
 * group, and noted as `signal_sent` either way. A status line is drawn on `progress_fd` (a
 * terminal) during long recordings and erased before any passthrough output.
 *
 * Fills out->out, out->err, exit_code (-N for a signal), duration, stdin text, signal info; the
 * caller fills argv/cwd/env/rollout and writes the directory. Returns 0, or -1 with *err
 * filled when the program cannot be started. The caller frees the recording.
 *
 * With `tx` set (an app-server recording, record_appserver.h), the run also keeps the
 * transcript: the bytes written to the program's stdin as a stream of their own (each line
 * stamped when its last byte was written), the order in which client and server lines crossed
 * (tx->order), the moments the client closed our stdin, we closed the program's, and its stdout
 * ended, and every signal forwarded. stdin is then not kept in out->stdin_text.
 *
 * record_find_program() resolves the real CLI: `override` when set (CODEX_MOCK_REAL_CODEX),
 * a name containing '/' as it is, else the first executable `name` on `path` whose directory
 * is not `skip_dir` (codex-mock's own, where our fake `codex` lives). Heap string or NULL. */
#ifndef CODEX_MOCK_RECORD_H
#define CODEX_MOCK_RECORD_H

#include "clock.h"
#include "diag.h"
#include "recording.h"

#include <stdbool.h>

/* One line of the transcript: the index of a line in tx->in ('c', client to server) or in
 * out->out ('s', server to client). */
typedef struct {
    char dir;
    size_t line;
} rec_tx_entry;

typedef struct {
    int64_t t; /* tenths of a ms since spawn */
    int signo;
} rec_tx_signal;

typedef struct {
    rec_stream in; /* what reached the program's stdin */
    rec_tx_entry *order;
    size_t n_order, cap_order;
    int64_t stdin_eof_t;    /* the client closed our stdin; -1: never */
    int64_t stdin_closed_t; /* we closed the program's stdin; -1: never */
    int64_t stdout_eof_t;   /* the program's stdout ended; -1: never */
    rec_tx_signal *signals; /* forwarded (sent to the recorder alone) */
    size_t n_signals;
} record_transcript;

void record_transcript_init(record_transcript *tx);
void record_transcript_free(record_transcript *tx);

typedef struct {
    const char *program;     /* resolved executable */
    char *const *argv;       /* argv[0] as the user wrote it */
    const mock_clock *clock; /* time stamps */
    int in_fd, out_fd, err_fd;
    int progress_fd; /* -1: no status line */
    const char *progress_label;
    record_transcript *tx; /* NULL: no transcript (exec) */
} record_params;

int record_run(const record_params *p, recording *out, diag *err);

char *record_find_program(const char *name, const char *path, const char *skip_dir,
                          const char *override);

#endif

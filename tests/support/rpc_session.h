/* rpc_session — test support: replay the client side of one recorded `codex app-server`
 * process (tests/corpus/app-server-0.171.0/<session>[/procN]) against a server binary and
 * capture what the server does.
 *
 * rpc_script_load() reads a process folder: transcript.jsonl (both directions, in order),
 * actions.jsonl (the signals and the stdin close the recorder did), exit.json and stderr.txt.
 * The script is a timeline of entries: client lines to write, server lines expected, a signal,
 * the close of stdin.
 *
 * rpc_session_run() spawns the server and plays the client entries in order. Each one waits
 * until the server has written as many lines as preceded it in the transcript, then keeps the
 * recorded gap after the later of (the last of those server lines, the previous client entry):
 * a `wait_idle` of 300 ms stays 300 ms, a request sent on a response goes at once. A server
 * line that never comes stops the wait after RPC_STALL_MS plus the longest silence of the
 * recording (times the time scale) without output (noted in the result), or at once when the server
 * closed stdout. Client lines have
 * {{RUN}}/{{HOME}} replaced and the recorded server ids (UUIDs) replaced by the ones this server
 * gave: each line the server writes is paired with the recorded line of the same kind (the
 * response to the same id; the Nth notification or server request of a method) and their UUIDs
 * are paired in order (rpc_idmap). After the last entry the server has RPC_EXIT_MS to end.
 *
 * Both return 0, or -1 with a message in *err (a missing file, a spawn failure). Results and
 * scripts own their memory: the *_free functions. */
#ifndef CODEX_MOCK_TEST_RPC_SESSION_H
#define CODEX_MOCK_TEST_RPC_SESSION_H

#include "buf.h"
#include "proc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum { RPC_STALL_MS = 10000, RPC_EXIT_MS = 5000 };

typedef enum { RPC_C2S, RPC_S2C, RPC_SIGNAL, RPC_CLOSE_STDIN } rpc_kind;

typedef struct {
    rpc_kind kind;
    double t_ms; /* since spawn, as recorded */
    char *text;  /* C2S: the bytes to write (no newline); S2C: the recorded line */
    size_t len;
    bool eol;          /* C2S: a newline follows (false: a fragment written on its own) */
    int signo;         /* RPC_SIGNAL */
    char *kindkey;     /* S2C: "r:<id>", "n:<method>" or "q:<method>" (NULL: not JSON) */
    size_t occurrence; /* S2C: how many earlier S2C entries had the same kindkey */
} rpc_entry;

typedef struct {
    char *dir;
    rpc_entry *e;
    size_t n;
    size_t n_s2c;
    bool exp_exited; /* else killed by exp_signal */
    int exp_code;
    int exp_signal;
    double exp_exit_ms;
    char **err_lines; /* stderr.txt, one per line, no newline */
    size_t n_err;
} rpc_script;

int rpc_script_load(const char *dir, rpc_script *s, buf *err);
void rpc_script_free(rpc_script *s);
/* The index (into s->e) of the Nth server line, or (size_t)-1. */
size_t rpc_script_s2c(const rpc_script *s, size_t nth);

/* Recorded id → the id this run's server used; kept across the processes of a session. */
typedef struct {
    char **rec, **ours;
    size_t n;
} rpc_idmap;

void rpc_idmap_free(rpc_idmap *m);

typedef struct {
    const char *const *argv; /* argv[0]: the path to run */
    const char *const *env;  /* the whole environment, "NAME=value" */
    const char *cwd;
    const char *run_dir;  /* replaces {{RUN}} in client lines */
    const char *home_dir; /* replaces {{HOME}} */
    FILE *dump;           /* when set: what both sides wrote, in the transcript format */
} rpc_spec;

typedef struct {
    timed_line *out; /* the server's stdout lines, arrival ms since spawn */
    size_t n_out;
    bool out_torn;   /* stdout ended without a newline */
    double *done_ms; /* per script entry: when a client entry was done (-1: not) */
    timed_line *err; /* stderr lines */
    size_t n_err;
    bool exited;
    int exit_code;
    int term_signal;
    bool timed_out; /* killed after RPC_EXIT_MS */
    double exit_ms;
    buf notes; /* waits given up, write errors */
} rpc_result;

int rpc_session_run(const rpc_spec *spec, const rpc_script *s, rpc_idmap *ids, rpc_result *r,
                    buf *err);
void rpc_result_free(rpc_result *r);

/* Every hyphenated UUID of `text`, in order, as a heap array of heap strings (*n set). */
char **rpc_uuids(const char *text, size_t *n);
/* The kind key of a server line (see rpc_entry), heap; NULL when it is not a JSON object. */
char *rpc_kindkey(const char *line);

#endif

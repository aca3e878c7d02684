/* session — the real CLI's session files in CODEX_HOME (docs/behaviour.md#sessions-and-rollouts,
 * docs/behaviour.md#resume-and-fork): sessions/YYYY/MM/DD/rollout-<local time>-<thread id>.jsonl,
 * one JSON object per line in the envelope {"timestamp","ordinal","type","payload"}.
 *
 * Reading: session_find_id() and session_find_last() locate a thread's file and summarise it
 * (turns played, the thread's cumulative usage, its latest cwd) for resume and fork.
 * Writing: a session_writer is a sink (sink.h) that appends the lines of one turn — task_started,
 * turn_context, the user message, one item_completed (and response_item) per agent message or
 * reasoning, token_count, then task_complete / turn_aborted. Lines are gathered and written
 * when the player pauses (the sink's flush), at 64 KiB and at the end, on an O_APPEND
 * descriptor, in write()s that never cross a page boundary of the file: a line is on disk
 * before the player sleeps, so a reader (or a resume) never waits for it. SIGKILL can still tear
 * a line that spans a page boundary (Linux stops a copy between pages, and such a line takes two
 * writes); readers skip such a tail, and the next append to the file cuts it off.
 *
 * Ownership: session_info's strings are heap (session_info_free). The writer owns its fd and
 * strings (session_writer_close). Errors are codex-mock's own: -1 with `err` set (no position; the
 * message names the file). */
#ifndef CODEX_MOCK_SESSION_H
#define CODEX_MOCK_SESSION_H

#include "clock.h"
#include "diag.h"
#include "rng.h"
#include "scenario.h"
#include "sink.h"
#include "uuid.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char *path;
    char *thread_id;
    int turns;          /* task_started lines: turns played in this thread */
    usage totals;       /* the last token_count's total_token_usage */
    char *cwd;          /* the latest turn_context cwd (fallback: session_meta cwd) */
    char *provider;     /* session_meta model_provider */
    int64_t lines;      /* lines in the file: the next ordinal */
    int64_t updated_ms; /* the latest line timestamp (Unix ms), for --last; 0 when none */
    int64_t mtime_ns;   /* last modification: --last's tie-break within a millisecond */
    bool has_user_message;
} session_info;

void session_info_free(session_info *s);
/* Reads and summarises one rollout file. */
int session_read(const char *path, session_info *out, diag *err);
/* The rollout of thread `id` under codex_home; 0 found, 1 not found, -1 error. */
int session_find_id(const char *codex_home, const char *id, session_info *out, diag *err);
/* The most recently updated thread whose latest cwd is `cwd` (any cwd when `all`) and that
 * recorded a user message; 0 found, 1 none. "Updated" is the latest line timestamp, then the
 * file's mtime, then the thread id (UUIDv7: the later-made thread): the mtime alone ticks with
 * the kernel's coarse clock, a few ms, and two runs in a row can share a tick. */
int session_find_last(const char *codex_home, const char *cwd, bool all, session_info *out,
                      diag *err);

typedef struct {
    int fd;
    char *path;
    int64_t ordinal;
    const mock_clock *clock;
    rng *rng;
    char thread_id[64];
    char turn_id[40];
    char *cwd, *prompt, *model, *provider, *sandbox;
    usage prior; /* thread totals before this turn */
    int64_t started_ms;
    bool user_written;     /* the turn's opening lines are out */
    bool prior_total_seen; /* a turn.completed was played: its usage closes the turn */
    bool turn_closed;
    bool new_thread;            /* the thread's first turn: the context lines come with it */
    char stamp[CLOCK_UTC_SIZE]; /* the last timestamp text, and its millisecond */
    int64_t stamp_ms;
    buf pending;     /* whole lines not written yet (see flush_lines) */
    int64_t offset;  /* where the next byte lands in the file, for page-sized writes */
    buf scratch;     /* one line's payload, reused from line to line */
    int64_t item_ms; /* the wall time of the item being written, or -1: read the clock */
    usage final_usage;
    /* Ids a face has already shown (the app-server's turn and userMessage ids, its agentMessage
     * item ids): when set, the file records them instead of making its own. Empty: made here. */
    char given_turn_id[UUID_STR_LEN + 1];
    char given_user_id[UUID_STR_LEN + 1];
    bool item_ids_as_given;
} session_writer;

typedef struct {
    const char *codex_home;
    const char *thread_id;
    const char *cwd;
    const char *prompt;
    const char *model;         /* for turn_context; NULL → "gpt-5.5" */
    const char *provider;      /* model_provider; NULL → "openai" */
    const char *sandbox;       /* sandbox mode; NULL → "read-only" */
    const char *originator;    /* NULL → "codex_exec" (the SDK overrides it) */
    const char *thread_source; /* NULL → "user" */
    const char *source;        /* session_meta source; NULL → "exec" (the app-server: "vscode") */
    const char *cli_version;
    const char *forked_from; /* fork: the parent thread, else NULL */
    int64_t forked_from_lines;
    usage prior;
} session_params;

/* A new thread's file, with its session_meta line. */
int session_writer_create(session_writer *w, const session_params *p, const mock_clock *clock,
                          rng *r, diag *err);
/* Appends to an existing thread's file (resume). */
int session_writer_append(session_writer *w, const session_info *existing, const session_params *p,
                          const mock_clock *clock, rng *r, diag *err);
/* A user message that joins the open turn (the app-server's turn/steer): its response_item and
 * item_completed lines, stamped `unix_ms`. Nothing before the turn's opening lines are out. */
void session_writer_user_message(session_writer *w, const char *id, const char *text,
                                 int64_t unix_ms);
void session_writer_close(session_writer *w);

/* history.jsonl (docs/behaviour.md#sessions-and-rollouts): one line per prompt,
 * {"session_id","ts","text"}, appended under an advisory lock with O_APPEND, mode 0600. The real
 * `exec` never writes it; the 0.60-era integration spec tells integrators to find session ids
 * there, so a scenario (cli: history) or the 0.60 profile can ask for it. */
int session_history_append(const char *codex_home, const char *thread_id, const char *prompt,
                           int64_t unix_s, diag *err);
sink sink_session(session_writer *w);

#endif

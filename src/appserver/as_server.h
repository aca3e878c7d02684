/* as_server — the state the app-server face shares between its modules (appserver.c: the
 * process, transport and dispatcher; as_turn.c: turns rendered from the planner; as_thread.c:
 * thread objects and the thread methods). Internal to src/appserver.
 *
 * Output: every line goes through a channel (as_chan): a FIFO of lines with absolute due times
 * (monotonic ns) and one evloop timer for its head. The server has one channel for answers; each
 * running turn has its own, so several threads' timelines interleave by their own due times and
 * an interrupt can drop what a turn had still planned. Notifications get their `emittedAtMs`
 * from the clock when they are written. */
#ifndef CODEX_MOCK_AS_SERVER_H
#define CODEX_MOCK_AS_SERVER_H

#include "as_faults.h"
#include "as_lines.h"
#include "as_rpc.h"
#include "buf.h"
#include "clock.h"
#include "evloop.h"
#include "plan.h"
#include "rng.h"
#include "rules.h"
#include "scenario.h"
#include "session.h"
#include "settings.h"
#include "state.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct as_server as_server;
typedef struct as_turn as_turn;

typedef struct as_out {
    int64_t due;
    char *method; /* notification: the method (params in text); NULL: text is a whole line */
    buf text;
    struct as_out *next;
} as_out;

typedef struct as_chan_s {
    as_server *srv;
    as_out *head, *tail;
    /* request_before_answer (as_faults.h): lines held back until a server request */
    bool holding;
    as_out *held_head, *held_tail;
    uint64_t timer;
    int64_t last_due;
    size_t queued; /* bytes of text held */
    /* Called when the FIFO empties (the turn plans more); true when it freed the channel. */
    bool (*drained)(void *ctx);
    void *ctx;
} as_chan;

typedef struct {
    char id[40];
    char *path;
    char *cwd;
    char *approval;     /* approvalPolicy as given ("never", …) */
    char *sandbox_mode; /* read-only, workspace-write, danger-full-access */
    char *preview;      /* the first user message */
    char *name;
    int64_t created_s, updated_s;
    int n_turns;
    usage totals;
    as_turn *active;
    bool archived;
    bool ephemeral;
    char forked_from[40];
    bool resumed;       /* thread/resume brought it into this process */
    char last_turn[40]; /* the latest turn's id ("" when none) */
    char *git_sha, *git_branch;
    int64_t created_ms;
    /* the scenario the latest turn/start chose (CODEX_MOCK_RULES) and its rule; NULL: the
     * process's scenario */
    const scenario *sc;
    const char *scenario_name, *rule_name;
    /* readStates' revision: one per latest turn, the same in every thread/list (corpus 24) */
    char revision[40], revision_turn[40];
    bool mcp_announced; /* mcpServer/startupStatus/updated sent for this thread */
    /* what its rollout says when it differs from this process's (a thread of exec or of an
     * earlier process, listed from disk); NULL: "vscode", the client's name, the server's */
    char *source, *originator, *provider, *model;
    /* Where this process's last write left the rollout: its lines (the next ordinal) and size
     * in bytes. A turn appends from there without reading the file again while its size is
     * still rollout_size (0: not known yet, read it once). */
    int64_t rollout_lines, rollout_size;
} as_thread;

/* as_thread_json forms */
enum { AS_THREAD_STARTED, AS_THREAD_LISTED, AS_THREAD_RESUMED };

struct as_server {
    evloop *loop;
    const mock_clock *clk;
    int64_t spawn; /* monotonic ns at spawn */
    int64_t ready; /* monotonic ns: start-up done, first answers due */
    double speed;
    rng rng;
    int64_t wall_start;
    /* as_wall_at maps monotonic times to wall ms from this one pair, read once at set-up: two
     * readings per call skewed by a millisecond made a zero-length item last -1 ms. */
    int64_t wall_anchor_ms, mono_anchor_ns;
    char now_text[CLOCK_UTC_SIZE]; /* wall_start as RFC 3339 ({{now}}) */
    scenario sc;
    bool have_sc;
    as_lines in;
    bool reading; /* stdin still read */
    /* stdout is non-blocking: what the client has not taken yet waits here (bounded: requests
     * that come while it holds more than AS_OUT_HIGH bytes get "Server overloaded"). */
    int out_fd, err_fd; /* stdout, stderr (the fuzz target passes others) */
    buf pending;
    size_t pending_off;
    /* the client's request methods since the last journal line (JSON strings, comma
     * separated; at most AS_JOURNAL_REQUESTS, the rest counted) */
    buf requests;
    size_t n_requests, requests_dropped;
    bool out_watched;
    as_chan answers;
    bool initialized;
    char *client_name, *client_version;
    char **opt_out;
    size_t n_opt_out;
    bool experimental;
    as_thread **threads;
    size_t n_threads;
    int64_t next_server_request;
    /* environment */
    char *codex_home, *cwd, *host, *os, *arch, *term, *model, *provider;
    bool bwrap;
    int exit_code;
    bool exiting;
    bool stdout_closed; /* a close_stdout step: later output is dropped, the process lives on */
    as_turn *turns;     /* every turn not freed yet: running, or ended with lines still to write */
    /* the first thread/start and the first turn of a process are slower (corpus 14, 24, 15) */
    bool thread_warm, turn_warm;
    /* the journal (CODEX_MOCK_STATE, `codex-mock journal`): one line per turn */
    state_dir state;
    bool have_state;
    int argc;
    char *const *argv;
    const char *scenario_name;
    /* CODEX_MOCK_RULES (as_rules.h): the rules, the scenarios they loaded (by name) */
    const mock_settings *settings;
    rules rules;
    bool have_rules;
    struct as_scenario {
        char *name;
        scenario sc;
    } * scenarios;
    size_t n_scenarios;
    long turn_starts; /* turn/start requests with a known thread, for `invocation` */
    /* the MCP servers of CODEX_HOME/config.toml ([mcp_servers.NAME]), in file order */
    char **mcp_servers;
    size_t n_mcp_servers;
    as_faults faults; /* protocol faults, drip, chaos (as_faults.h) */
};

/* Appends the journal line of a finished turn (exit_code 0 completed, 1 failed, 130
 * interrupted). */
#define AS_JOURNAL_REQUESTS 1000
/* `extra`: the turn's members of the journal's `app_server` object (approvals, interrupt), or
 * NULL; the thread's origin and the requests since the last line are added here. */
void as_journal_turn(as_server *s, const as_thread *th, const char *extra, const char *prompt,
                     int64_t start_ms, int exit_code);

/* Due time helpers: `ms` of real time, scaled by the speed and jittered ±10%. */
int64_t as_delay(as_server *s, double ms);
int64_t as_now(as_server *s);
/* The wall time (Unix ms) a monotonic instant will read. */
int64_t as_wall_at(as_server *s, int64_t mono);

void as_chan_init(as_chan *c, as_server *s);
/* Queues a whole line (with its "\n") due at `due` (never before the channel's last line). */
void as_chan_line(as_chan *c, int64_t due, const char *text, size_t len);
/* Queues a notification unless the client opted out of `method`. */
void as_chan_notify(as_chan *c, int64_t due, const char *method, const char *params, size_t len);
/* Queues n notifications (methods[i], params[i]) together where the channel's next step
 * begins — before its first queued item/started, tokenUsage, status change, turn/completed or
 * server request — or at the end when none is queued; each due no earlier than `due` and the
 * line before it. */
void as_chan_notify_between_steps(as_chan *c, int64_t due, const char *const *methods,
                                  const buf *params, size_t n);
void as_chan_clear(as_chan *c);
bool as_opted_out(const as_server *s, const char *method);

/* Output held for a client that does not read: above AS_OUT_HIGH bytes a request is answered
 * -32001 "Server overloaded; retry later." at once, above AS_OUT_DROP not at all (reference
 * §9). The real 0.171.0, sent 10 000 requests by a client not reading, answered ~4 000, refused
 * ~75 and dropped the rest; these bounds give the same shape (~5 000 / ~100 / the rest). */
#define AS_OUT_HIGH ((size_t)256 * 1024)
#define AS_OUT_DROP (AS_OUT_HIGH + (size_t)8 * 1024)
size_t as_out_held(const as_server *s);

/* Writes bytes to stdout now (whole lines), or holds them until stdout takes them. */
void as_write_out(as_server *s, const char *p, size_t n);

as_thread *as_thread_find(as_server *s, const char *id);
void as_thread_free(as_thread *t);
/* `turns`: a JSON array (resume) or NULL for []. */
void as_thread_json(buf *b, const as_server *s, const as_thread *t, int form, const char *turns);

/* as_mcp.c: the MCP servers' start-up as a thread's first turn/start (received `at`) starts
 * them (corpus 26): `starting` for each before the turn/start answer, `ready` after it. Call
 * with phase 0 before queueing the answer and phase 1 after; nothing when the thread already
 * announced them or none is configured. */
void as_mcp_startup(as_server *s, as_chan *ch, as_thread *th, int64_t at, int phase);

/* as_turn.c */
/* Starts turn number t->n_turns on thread t for input text; `req` is answered with the turn. */
void as_turn_start(as_server *s, as_thread *t, const as_id *req, const char *text, int64_t at);
/* Interrupts the thread's active turn: answers `req` and ends the turn `interrupted`. */
void as_turn_interrupt(as_server *s, as_thread *t, const as_id *req, int64_t at);
/* turn/steer: answers `req` with the active turn's id and adds `text` to the turn as a
 * userMessage item (clientId `client_id`, may be NULL) before the turn's next step. -1 with
 * *why (heap) the real error text when the thread has no turn that went active (turn/started)
 * or its id is not `expected`; the caller answers it. */
int as_turn_steer(as_server *s, as_thread *th, const as_id *req, const char *expected,
                  const char *text, const char *client_id, int64_t at, char **why);
void as_turn_free(as_turn *t);
/* The client's answer to server request `request_id` (result: the `result` member, NULL for an
 * error answer). False when no turn waits for it: the answer is ignored, as the real one does. */
bool as_turn_answer(as_server *s, int64_t request_id, const cJSON *result);
/* Frees every turn of the server (at exit). */
void as_turn_free_all(as_server *s);
/* The turn's id. */
const char *as_turn_id(const as_turn *t);

#endif

/* plan — scenario model → timeline: concrete output actions with absolute due times
 * (docs/architecture.md#data-flow). Sugar expands here (a command becomes item.started +
 * item.completed, a todo_list becomes started / updated / completed), item ids are assigned,
 * pacing, jitter and the speed factor apply here and nowhere else.
 *
 * The planner is an iterator so a million-step scenario never exists as a million actions:
 * plan_next() yields one action at a time, and a streamed scenario (scenario.h) hands it one step
 * at a time: a step's memory is reused once its actions have been played. Due times are absolute
 * offsets from process spawn: `raw_due_ns` at real pace, `due_ns` after the speed factor. An action
 * and everything it points to stay valid until the next plan_next() or plan_free(). The planner
 * borrows the scenario, rng and strings in its params; plan_free() releases its own scratch memory.
 *
 * Pace model (used only where the scenario gives no timing; each delay × U[0.9, 1.1) from the
 * seeded rng) is documented in docs/format.md "Timing". */
#ifndef CODEX_MOCK_PLAN_H
#define CODEX_MOCK_PLAN_H

#include "arena.h"
#include "buf.h"
#include "chaos.h"
#include "template.h"
#include "rng.h"
#include "scenario.h"

#include <stdbool.h>

typedef enum {
    ACT_EVENT,        /* a JSONL event (rendered by the jsonl or the human sink) */
    ACT_STDERR,       /* bytes to stderr */
    ACT_STDOUT,       /* raw bytes to stdout */
    ACT_EXIT,         /* the process ends with exit_code */
    ACT_HANG,         /* nothing more, ever: the process waits until a signal ends it */
    ACT_SIGNAL,       /* the process dies by signal `exit_code` */
    ACT_CLOSE_STDOUT, /* stdout is closed; later stdout output is dropped */
    ACT_MODEL_REQUEST /* a model request without an item ended (the app-server's usage pair) */
} action_kind;

typedef struct {
    action_kind kind;
    int64_t due_ns;     /* since spawn, at the chosen speed */
    int64_t raw_due_ns; /* since spawn, at real pace */
    event ev;
    mstr bytes;
    int exit_code;
    const step *src;     /* the step it came from; NULL for implicit events */
    const char *explain; /* narration for CODEX_MOCK_EXPLAIN: what the real CLI is doing */
} action;

/* The thread id the toolbox plans with when no real one exists (lint, show, convert's check). */
#define PLAN_PLACEHOLDER_THREAD_ID "00000000-0000-7000-8000-000000000000"

typedef struct {
    const scenario *sc;
    size_t turn;     /* index of the turn this invocation plays (past the last one: the last one) */
    double speed;    /* 1 real pace, 0 instant, N N× faster */
    rng *rng;        /* jitter and generated ids */
    const char *cwd; /* relative file_change paths are made absolute against it */
    const char *thread_id;     /* used unless the scenario or a thread.started event fixes one */
    const char *prompt;        /* the resolved prompt (for templates); NULL when none */
    const template_vars *vars; /* {{placeholders}} in scenario strings, or NULL */
    usage prior_usage;         /* thread totals before this turn (zero for a new thread) */
    int64_t wall_start_ms;     /* Unix ms at spawn: usage-limit reset times, log timestamps */
    const chaos_spec *chaos;   /* faults to inject, or NULL */
    rng *chaos_rng;            /* their own seeded stream, so chaos leaves other timing alone */
} plan_params;

enum { PLAN_QUEUE = 8 };

typedef struct {
    plan_params p;
    const turn *turn; /* the played turn (its options; steps come from fetch_step) */
    int phase;
    size_t next_step;   /* steps expanded so far */
    const step *ahead;  /* the next step, fetched but not yet expanded (chaos draws before it) */
    bool stream_failed; /* a streamed scenario's error stopped the timeline (plan_error) */
    bool saw_turn_end;  /* a raw turn.completed / turn.failed was played */
    int64_t cursor;     /* raw due of the last action */
    action queue[PLAN_QUEUE];
    size_t q_head, q_len;
    arena scratch; /* per-refill storage: resolved paths, generated ids */
    uint64_t next_item;
    bool implicit_thread_started, implicit_turn_started, implicit_turn_end;
    bool failed;     /* a turn.failed was emitted */
    bool ended;      /* an exit step ended the process */
    bool ended_turn; /* a fail step ended the turn: no more steps, exit 1 */
    usage turn_usage;
    struct {
        item_type type;
        char id[32];
    } open[16]; /* raw item.started events not completed yet (newest last) */
    size_t n_open;
    bool turn_start_pending; /* an explicit thread.started comes first; turn.started follows it */
    bool todo_open;
    char todo_id[32];
    item todo_item; /* last todo_list state (a copy in todo_mem: steps do not live long) */
    arena todo_mem;
    char thread_id_buf[64];
    mstr thread_id;
    /* A running reconnect / fail loop: one attempt per refill, so "forever" stays lazy. */
    struct {
        bool active;
        const retry_spec *rs;
        const step *src;
        int attempt;  /* attempts that have failed so far */
        int64_t next; /* when the next attempt starts */
        buf cause;
    } retry;
    retry_spec chaos_retry; /* the loop a chaos draw injects */
    step step_copy;         /* the step being played, its {{placeholders}} expanded */
    event ev_copy;
    step chaos_step;
    size_t chaos_checked; /* next_step + 1 of the last step chaos drew for */
} planner;

void plan_init(planner *pl, const plan_params *params);
/* Fills *out with the next action; false when the timeline is exhausted (or stopped by an
 * error in a streamed scenario: then plan_error says what). */
bool plan_next(planner *pl, action *out);
/* The error in a streamed scenario that ended the timeline early, or NULL. */
const diag *plan_error(const planner *pl);
void plan_free(planner *pl);

/* When the stdin notice is printed and stdin is read: raw ns since spawn. */
int64_t plan_preflight_raw_ns(const scenario *sc, rng *r);
/* Applies the speed factor to a raw offset. */
int64_t plan_scale(int64_t raw_ns, double speed);

#endif

/* play — walks a timeline against a monotonic clock and writes each action to its sinks
 * (docs/architecture.md#data-flow, docs/architecture.md#timing).
 *
 * Deadlines are absolute (anchor + due), so lateness never accumulates; lines that are already
 * due are written together, and pending output is flushed before every wait, so each line
 * reaches the reader when it is due. Lines are written whole. Reactions to the caller:
 * a watched signal (SIGINT) stops the run with nothing more on stdout and exit 1 (the sinks
 * are told, so human mode can say `turn interrupted`); a reader that closed stdout gets the real
 * CLI's panic text on stderr and exit 101. The caller must ignore SIGPIPE and block the watched
 * signals. An error in a streamed scenario (plan_error) stops the run where it is found: what was
 * played stays written, the sinks are not told, and the exit code is 78 (the caller prints it).
 *
 * The player borrows the planner and the clock; play_result's final_message is heap-owned
 * by the caller (free it). */
#ifndef CODEX_MOCK_PLAY_H
#define CODEX_MOCK_PLAY_H

#include "clock.h"
#include "plan.h"
#include "sink.h"

#include <stdbool.h>

typedef struct {
    const mock_clock *clock;
    int64_t anchor_ns; /* monotonic time that due offsets count from */
    int out_fd, err_fd;
    const sink *sinks; /* called in order for every event and at the end */
    size_t n_sinks;
    const sigset_t *watch; /* signals that interrupt the run, or NULL */
    int explain_fd;        /* narration (CODEX_MOCK_EXPLAIN), or <= 0 for none */
} play_params;

typedef struct {
    int exit_code;
    bool interrupted;    /* a watched signal stopped the run */
    bool broken_pipe;    /* the stdout reader went away */
    bool turn_completed; /* a turn.completed was written */
    char *final_message; /* text of the last agent_message, or NULL */
    size_t final_len;
    size_t lines_out;    /* stdout lines written */
    int die_signal;      /* a signal step: the caller raises this signal (exit_code is 128+N) */
    bool scenario_error; /* a streamed scenario's error stopped it (plan_error; exit 78) */
} play_result;

int play(planner *pl, const play_params *pp, play_result *res);
void play_result_free(play_result *res);

#endif

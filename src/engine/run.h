/* run — what every face needs to play one turn of a scenario: the run's clock, choosing and
 * loading the scenario, and playing a turn into the face's sinks.
 *
 * A run_clock is filled once at the top of main (run_clock_start) and borrowed by everything
 * after; it owns nothing. run_load_scenario() fills *sc (the caller frees it with
 * scenario_free) or returns -1 with *err. run_turn() returns the exit code of the turn
 * (play's), and does not return at all when a `signal:` step ends the process by its signal. */
#ifndef CODEX_MOCK_RUN_H
#define CODEX_MOCK_RUN_H

#include "clock.h"
#include "diag.h"
#include "rng.h"
#include "scenario.h"
#include "settings.h"
#include "sink.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const mock_clock *clk; /* the system clock, or the fixed start below */
    int64_t spawn;         /* monotonic ns of the process's spawn: due times count from it */
    int64_t wall_start;    /* Unix ms at spawn (CODEX_MOCK_NOW when given) */
    double speed;          /* CODEX_MOCK_SPEED */
    fixed_start fixed_ctx;
    mock_clock fixed_clk;
} run_clock;

/* Due times count from the moment the caller spawned us, not from `main` (estimated from the
 * process's own CPU and run-queue time); at speed 0 everything is due at once and the estimate
 * is skipped. CODEX_MOCK_NOW fixes the wall clock's start so ids and timestamps repeat. */
void run_clock_start(run_clock *rc, const mock_clock *system, const mock_settings *s);

/* The scenario `requested` names (NULL: `default`), searched as select.h says, read whole or
 * streamed as settings' stream_above decides. */
int run_load_scenario(const char *requested, const mock_settings *s, scenario *sc, diag *err);

/* Which turn of which thread a turn plays. */
typedef struct {
    char thread_id[64];
    size_t turn;     /* the scenario turn to play (past the last one: the last one) */
    usage prior;     /* thread totals before this turn */
    long invocation; /* {{invocation}}: 1-based count in the state directory */
} thread_pos;

typedef struct {
    const scenario *sc;
    const chaos_spec *chaos; /* faults to inject (may be disabled) */
    const run_clock *rc;
    rng *rng;
    const char *prompt; /* NULL when none */
    const char *cwd;
    const sink *sinks;
    size_t n_sinks;
    int explain_fd;          /* CODEX_MOCK_EXPLAIN, or -1 */
    const thread_pos *pos;   /* NULL: a new thread with a generated id, turn 0 */
    const char *const *envp; /* {{env.NAME}} */
} turn_params;

/* Plays one turn. SIGINT interrupts it (exit 1) unless the scenario wants the default
 * death; a streamed scenario's error is printed as `codex-mock: …` (exit 78). */
int run_turn(const turn_params *tp);

#endif

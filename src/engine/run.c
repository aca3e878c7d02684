#include "run.h"

#include "death.h"
#include "plan.h"
#include "play.h"
#include "scenario_load.h"
#include "select.h"
#include "template.h"
#include "uuid.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

void run_clock_start(run_clock *rc, const mock_clock *system, const mock_settings *s) {
    rc->clk = system;
    rc->speed = s->speed;
    rc->spawn = system->mono_ns(system);
    if (s->speed != 0) {
        rc->spawn -= clock_process_age_ns();
        /* Wake at the deadline, not up to 50 µs after it (the default timer slack). */
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    }
    if (s->has_now) {
        rc->fixed_clk = clock_fixed_start(&rc->fixed_ctx, system, s->now_ms, rc->spawn);
        rc->clk = &rc->fixed_clk;
        rc->wall_start = s->now_ms; /* exactly that time, so ids repeat */
    } else {
        rc->wall_start = system->wall_ms(system);
    }
}

int run_load_scenario(const char *requested, const mock_settings *s, scenario *sc, diag *err) {
    /* a path needs no library: finding it costs a dozen system calls of every start */
    char *builtin = scenario_is_path(requested) ? NULL : builtin_scenario_dir();
    scenario_choice choice;
    int rc = select_scenario(requested, s->scenario_path, builtin, &choice, err);
    free(builtin);
    if (rc < 0) return -1;
    if (choice.path)
        rc = scenario_open_file(choice.path, s->stream_above, sc, err);
    else
        rc = scenario_load_mem("<built-in default>", DEFAULT_SCENARIO_YAML,
                               DEFAULT_SCENARIO_YAML_LEN, sc, err);
    choice_free(&choice);
    return rc;
}

int run_turn(const turn_params *tp) {
    const run_clock *rc = tp->rc;
    char generated[UUID_STR_LEN + 1];
    const char *thread_id = tp->pos ? tp->pos->thread_id : generated;
    if (!tp->pos) uuid_v7(generated, (uint64_t)rc->clk->wall_ms(rc->clk), tp->rng);

    /* SIGINT interrupts the turn (exit 1) unless the scenario wants the default death. */
    sigset_t watch;
    sigemptyset(&watch);
    sigaddset(&watch, SIGINT);
    if (!tp->sc->sigint_kills) sigprocmask(SIG_BLOCK, &watch, NULL);

    rng chaos_rng;
    rng_seed(&chaos_rng, rng_next(tp->rng) ^ UINT64_C(0xc4a05c4a05c4a05));
    /* {{now}}: the start time, as the session files write it */
    char now[CLOCK_UTC_SIZE];
    clock_format_utc(now, rc->wall_start);
    template_vars vars = {.prompt = tp->prompt,
                          .thread_id = thread_id,
                          .cwd = tp->cwd,
                          .envp = tp->envp,
                          .invocation = tp->pos ? tp->pos->invocation : 1,
                          .now = now};
    plan_params params = {
        .chaos = tp->chaos,
        .chaos_rng = &chaos_rng,
        .wall_start_ms = rc->wall_start,
        .sc = tp->sc,
        .turn = tp->pos ? tp->pos->turn : 0, /* the planner plays the last turn past it */
        .prior_usage = tp->pos ? tp->pos->prior : (usage){0},
        .speed = rc->speed,
        .rng = tp->rng,
        .cwd = tp->cwd,
        .thread_id = thread_id,
        .prompt = tp->prompt,
        .vars = &vars,
    };
    planner pl;
    plan_init(&pl, &params);
    play_params play_p = {
        .clock = rc->clk,
        .anchor_ns = rc->spawn,
        .out_fd = STDOUT_FILENO,
        .err_fd = STDERR_FILENO,
        .sinks = tp->sinks,
        .n_sinks = tp->n_sinks,
        .watch = tp->sc->sigint_kills ? NULL : &watch,
        .explain_fd = tp->explain_fd,
    };
    play_result res;
    int code = play(&pl, &play_p, &res);
    int die = res.die_signal;
    if (res.scenario_error) diag_print(plan_error(&pl), stderr);
    play_result_free(&res);
    plan_free(&pl);
    if (die) die_by_signal(die); /* a signal step: die by it for real */
    return code;
}

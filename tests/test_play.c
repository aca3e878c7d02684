/* Unit tests for src/engine/play.c on a fake clock: absolute deadlines, sinks, signals, broken
 * pipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "duration.h"
#include "play.h"
#include "scenario_load.h"

#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int64_t now;
    int64_t deadlines[64];
    int n_waits;
    int interrupt_at_wait; /* 1-based wait index that reports SIGINT, 0 = never */
} fake_time;

static int64_t fake_mono(const mock_clock *c) {
    return ((fake_time *)c->ctx)->now;
}

static int64_t fake_wall(const mock_clock *c) {
    (void)c;
    return 1763710669000;
}

static int fake_wait(const mock_clock *c, int64_t deadline, const sigset_t *watch) {
    (void)watch;
    fake_time *t = c->ctx;
    t->deadlines[t->n_waits++] = deadline;
    if (t->interrupt_at_wait && t->n_waits == t->interrupt_at_wait) return SIGINT;
    if (deadline > t->now) t->now = deadline;
    return 0;
}

typedef struct {
    int out[2], err[2];
    char outbuf[65536], errbuf[65536];
    play_result res;
    int code;
} run;

static void drain(int fd, char *dst, size_t cap) {
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, dst + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    dst[n] = '\0';
}

static void play_yaml(run *rn, const char *yaml, bool json, fake_time *ft, bool close_out) {
    scenario sc;
    diag err;
    diag_init(&err);
    if (scenario_load_mem("p.yaml", yaml, strlen(yaml), &sc, &err) != 0)
        fail_msg("load: %s", diag_format(&err));
    rng r;
    rng_seed(&r, 7);
    plan_params pp = {.sc = &sc, .speed = 1, .rng = &r, .cwd = "/w", .thread_id = "tid"};
    planner pl;
    plan_init(&pl, &pp);
    assert_int_equal(pipe(rn->out), 0);
    assert_int_equal(pipe(rn->err), 0);
    if (close_out) close(rn->out[0]);
    mock_clock clk = {fake_mono, fake_wall, fake_wait, ft};
    sink sinks[] = {json ? sink_jsonl() : sink_human()};
    play_params p = {.clock = &clk,
                     .anchor_ns = 1000,
                     .out_fd = rn->out[1],
                     .err_fd = rn->err[1],
                     .sinks = sinks,
                     .n_sinks = 1,
                     .watch = NULL,
                     .explain_fd = -1};
    rn->code = play(&pl, &p, &rn->res);
    close(rn->out[1]);
    close(rn->err[1]);
    if (!close_out) {
        drain(rn->out[0], rn->outbuf, sizeof rn->outbuf);
        close(rn->out[0]);
    }
    drain(rn->err[0], rn->errbuf, sizeof rn->errbuf);
    close(rn->err[0]);
    plan_free(&pl);
    scenario_free(&sc);
}

static const char SIMPLE[] = "codex_mock: 1\nstartup: 200ms\nturns:\n  - started_after: 40ms\n"
                             "    completed_after: 10ms\n    steps:\n"
                             "      - message: hi\n        after: 60ms\n"
                             "      - stderr: log line\n        after: 5ms\n";

/* What SIMPLE prints in --json mode, whenever it is played. */
static const char SIMPLE_JSONL[] =
    "{\"type\":\"thread.started\",\"thread_id\":\"tid\"}\n"
    "{\"type\":\"turn.started\"}\n"
    "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":"
    "\"agent_message\",\"text\":\"hi\"}}\n"
    "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":0,"
    "\"cached_input_tokens\":0,\"cache_write_input_tokens\":0,"
    "\"output_tokens\":0,\"reasoning_output_tokens\":0}}\n";

static void test_jsonl_and_absolute_deadlines(void **state) {
    (void)state;
    fake_time ft = {.now = 1000};
    run rn;
    play_yaml(&rn, SIMPLE, true, &ft, false);
    assert_int_equal(rn.code, 0);
    assert_string_equal(rn.outbuf, SIMPLE_JSONL);
    assert_string_equal(rn.errbuf, "log line\n");
    /* every wait is anchor + the planned offset, never a relative sleep */
    int64_t want[] = {1000 + 200 * NS_PER_MS, 1000 + 240 * NS_PER_MS, 1000 + 300 * NS_PER_MS,
                      1000 + 305 * NS_PER_MS, 1000 + 315 * NS_PER_MS};
    assert_int_equal(ft.n_waits, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ft.deadlines[i], want[i]);
    assert_true(rn.res.turn_completed);
    assert_int_equal(rn.res.lines_out, 4);
    assert_string_equal(rn.res.final_message, "hi");
    play_result_free(&rn.res);
}

static void test_late_player_does_not_wait(void **state) {
    (void)state;
    /* already past every deadline: no waits, everything written at once */
    fake_time ft = {.now = 10 * NS_PER_S};
    run rn;
    play_yaml(&rn, SIMPLE, true, &ft, false);
    assert_int_equal(ft.n_waits, 0);
    assert_int_equal(ft.now, 10 * NS_PER_S); /* the clock was never moved */
    /* the same bytes, in the same order, as when played on time */
    assert_int_equal(rn.code, 0);
    assert_string_equal(rn.outbuf, SIMPLE_JSONL);
    assert_string_equal(rn.errbuf, "log line\n");
    assert_true(rn.res.turn_completed);
    assert_int_equal(rn.res.lines_out, 4);
    assert_string_equal(rn.res.final_message, "hi");
    play_result_free(&rn.res);
    /* late for the first two deadlines only: those are not waited for, the rest are, at their
     * absolute times */
    ft = (fake_time){.now = 1000 + 250 * NS_PER_MS};
    play_yaml(&rn, SIMPLE, true, &ft, false);
    assert_string_equal(rn.outbuf, SIMPLE_JSONL);
    assert_int_equal(ft.n_waits, 3);
    assert_int_equal(ft.deadlines[0], 1000 + 300 * NS_PER_MS);
    assert_int_equal(ft.deadlines[1], 1000 + 305 * NS_PER_MS);
    assert_int_equal(ft.deadlines[2], 1000 + 315 * NS_PER_MS);
    play_result_free(&rn.res);
}

static void test_human_mode_prints_final_message(void **state) {
    (void)state;
    fake_time ft = {.now = 0};
    run rn;
    play_yaml(&rn, SIMPLE, false, &ft, false);
    assert_int_equal(rn.code, 0);
    assert_string_equal(rn.outbuf, "hi\n");
    play_result_free(&rn.res);
}

static void test_interrupt_stops_output(void **state) {
    (void)state;
    fake_time ft = {.now = 0, .interrupt_at_wait = 3}; /* during the wait for the message */
    run rn;
    play_yaml(&rn, SIMPLE, false, &ft, false);
    assert_int_equal(rn.code, 1);
    assert_true(rn.res.interrupted);
    assert_string_equal(rn.outbuf, "");
    assert_string_equal(rn.errbuf, "turn interrupted\n");
    play_result_free(&rn.res);

    ft = (fake_time){.now = 0, .interrupt_at_wait = 3};
    play_yaml(&rn, SIMPLE, true, &ft, false);
    assert_int_equal(rn.code, 1);
    /* what was due before the signal was written; nothing after it */
    assert_string_equal(rn.outbuf, "{\"type\":\"thread.started\",\"thread_id\":\"tid\"}\n"
                                   "{\"type\":\"turn.started\"}\n");
    assert_string_equal(rn.errbuf, "");
    play_result_free(&rn.res);
}

static void test_failed_turn_and_exit_codes(void **state) {
    (void)state;
    fake_time ft = {0};
    run rn;
    play_yaml(&rn,
              "codex_mock: 1\nsteps:\n  - event: {type: error, message: m}\n"
              "  - event: {type: turn.failed, error: {message: m}}\n",
              false, &ft, false);
    assert_int_equal(rn.code, 1);
    assert_string_equal(rn.outbuf, ""); /* human stdout stays empty on failure */
    assert_string_equal(rn.errbuf, ""); /* the bare human sink: no progress on stderr */
    assert_false(rn.res.turn_completed);
    play_result_free(&rn.res);
    play_yaml(&rn, "codex_mock: 1\nsteps:\n  - raw: '{\"type\":\"turn.comp'\n  - exit: 3\n", true,
              &ft, false);
    assert_int_equal(rn.code, 3);
    /* the torn line as the last bytes, no newline, nothing after it */
    assert_string_equal(rn.outbuf, "{\"type\":\"thread.started\",\"thread_id\":\"tid\"}\n"
                                   "{\"type\":\"turn.started\"}\n{\"type\":\"turn.comp");
    assert_string_equal(rn.errbuf, "");
    assert_false(rn.res.turn_completed);
    assert_int_equal(rn.res.exit_code, 3);
    assert_null(rn.res.final_message);
    play_result_free(&rn.res);
}

static void test_broken_pipe(void **state) {
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    fake_time ft = {0};
    run rn;
    play_yaml(&rn, SIMPLE, true, &ft, true);
    assert_int_equal(rn.code, 101);
    assert_true(rn.res.broken_pipe);
    /* the Rust panic text, with this thread's id, and nothing else */
    char want[512];
    snprintf(want, sizeof want,
             "thread 'codex-main' (%ld) panicked at library/std/src/io/stdio.rs:1165:9:\n"
             "failed printing to stdout: Broken pipe (os error 32)\n"
             "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
             (long)gettid());
    assert_string_equal(rn.errbuf, want);
    assert_false(rn.res.turn_completed);
    play_result_free(&rn.res);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_and_absolute_deadlines),
        cmocka_unit_test(test_late_player_does_not_wait),
        cmocka_unit_test(test_human_mode_prints_final_message),
        cmocka_unit_test(test_interrupt_stops_output),
        cmocka_unit_test(test_failed_turn_and_exit_codes),
        cmocka_unit_test(test_broken_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for src/plan.c: due times (exact), implicit events, ids, sugar expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "duration.h"
#include "event_json.h"
#include "plan.h"
#include "scenario_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    scenario sc;
    rng r;
    planner pl;
    action acts[64];
    char *lines[64]; /* rendered JSON of ACT_EVENT, or "STDERR:…", "RAW:…", "EXIT:n" */
    size_t n;
} fixture;

static void run_plan(fixture *f, const char *yaml, double speed, const char *cwd) {
    diag err;
    diag_init(&err);
    if (scenario_load_mem("t.yaml", yaml, strlen(yaml), &f->sc, &err) != 0)
        fail_msg("load: %s", diag_format(&err));
    rng_seed(&f->r, 42);
    plan_params p = {.sc = &f->sc,
                     .turn = 0,
                     .speed = speed,
                     .rng = &f->r,
                     .cwd = cwd,
                     .thread_id = "01a1fd0a-40a4-7731-81cc-b59e067340fd"};
    plan_init(&f->pl, &p);
    f->n = 0;
    action a;
    while (plan_next(&f->pl, &a)) {
        assert_true(f->n < 64);
        f->acts[f->n] = a;
        buf b;
        buf_init(&b);
        switch (a.kind) {
        case ACT_EVENT:
            event_write_json(&b, &a.ev);
            break;
        case ACT_STDERR:
            buf_puts(&b, "STDERR:"), buf_append(&b, a.bytes.ptr, a.bytes.len);
            break;
        case ACT_HANG:
            buf_puts(&b, "HANG");
            break;
        case ACT_SIGNAL:
            buf_printf(&b, "SIGNAL:%d", a.exit_code);
            break;
        case ACT_CLOSE_STDOUT:
            buf_puts(&b, "CLOSE_STDOUT");
            break;
        case ACT_STDOUT:
            buf_puts(&b, "RAW:"), buf_append(&b, a.bytes.ptr, a.bytes.len);
            break;
        case ACT_EXIT:
            buf_printf(&b, "EXIT:%d", a.exit_code);
            break;
        }
        f->lines[f->n++] = buf_detach(&b);
    }
}

static void done(fixture *f) {
    for (size_t i = 0; i < f->n; i++)
        free(f->lines[i]);
    plan_free(&f->pl);
    scenario_free(&f->sc);
}

static void test_explicit_timing_is_exact(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nstartup: 218ms\nturns:\n  - started_after: 46.7ms\n"
             "    completed_after: 18.6ms\n    steps:\n"
             "      - message: \"Hello! I'm ready to help with your project.\"\n"
             "        after: 64.8ms\n"
             "      - usage: {input_tokens: 2048, cached_input_tokens: 1024, output_tokens: 64}\n",
             1.0, "/w");
    assert_int_equal(f.n, 5);
    assert_string_equal(f.lines[0], "{\"type\":\"thread.started\",\"thread_id\":"
                                    "\"01a1fd0a-40a4-7731-81cc-b59e067340fd\"}\n");
    assert_string_equal(f.lines[1], "{\"type\":\"turn.started\"}\n");
    assert_string_equal(f.lines[2], "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\","
                                    "\"type\":\"agent_message\",\"text\":\"Hello! I'm ready to "
                                    "help with your project.\"}}\n");
    assert_string_equal(f.lines[3], "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":2048,"
                                    "\"cached_input_tokens\":1024,\"cache_write_input_tokens\":0,"
                                    "\"output_tokens\":64,\"reasoning_output_tokens\":0}}\n");
    assert_string_equal(f.lines[4], "EXIT:0");
    /* trace 01: 218.0, 264.7, 329.5, 348.1 ms */
    assert_int_equal(f.acts[0].raw_due_ns, 218000000);
    assert_int_equal(f.acts[1].raw_due_ns, 264700000);
    assert_int_equal(f.acts[2].raw_due_ns, 329500000);
    assert_int_equal(f.acts[3].raw_due_ns, 348100000);
    assert_int_equal(f.acts[3].due_ns, 348100000);
    done(&f);
}

static void test_speed_scales_due_times(void **state) {
    (void)state;
    fixture f;
    run_plan(&f, "codex_mock: 1\nstartup: 200ms\nsteps:\n  - message: a\n    after: 1s\n", 10.0,
             "/w");
    assert_int_equal(f.acts[0].due_ns, 20000000);
    assert_int_equal(f.acts[0].raw_due_ns, 200000000);
    done(&f);
    run_plan(&f, "codex_mock: 1\nstartup: 200ms\nsteps:\n  - message: a\n    after: 1s\n", 0.0,
             "/w");
    for (size_t i = 0; i < f.n; i++)
        assert_int_equal(f.acts[i].due_ns, 0);
    assert_true(f.acts[2].raw_due_ns > NS_PER_S);
    done(&f);
}

static void test_pace_model_is_seeded_and_bounded(void **state) {
    (void)state;
    const char *yaml = "codex_mock: 1\nsteps:\n  - message: hello\n  - command: ls\n";
    fixture a, b;
    run_plan(&a, yaml, 1.0, "/w");
    run_plan(&b, yaml, 1.0, "/w");
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        assert_int_equal(a.acts[i].raw_due_ns, b.acts[i].raw_due_ns);
    /* startup ≈ 210 ms ± 10 % */
    assert_true(a.acts[0].raw_due_ns >= 189 * NS_PER_MS && a.acts[0].raw_due_ns <= 231 * NS_PER_MS);
    /* due times never go backwards */
    for (size_t i = 1; i < a.n; i++)
        assert_true(a.acts[i].raw_due_ns >= a.acts[i - 1].raw_due_ns);
    /* the command's started → completed gap is its default duration, ≈ 40 ms ± 10 % */
    int64_t gap = a.acts[4].raw_due_ns - a.acts[3].raw_due_ns;
    assert_true(gap >= 36 * NS_PER_MS && gap <= 44 * NS_PER_MS);
    done(&a);
    done(&b);
}

static void test_command_expands_to_started_and_completed(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - command: \"/bin/bash -lc 'ls missing'\"\n"
             "    output: \"ls: cannot access\\n\"\n    exit_code: 2\n    duration: 1.5ms\n",
             1.0, "/w");
    assert_string_equal(f.lines[2],
                        "{\"type\":\"item.started\",\"item\":{\"id\":\"item_0\",\"type\":"
                        "\"command_execution\",\"command\":\"/bin/bash -lc 'ls "
                        "missing'\",\"aggregated_output\":\"\",\"exit_code\":null,"
                        "\"status\":\"in_progress\"}}\n");
    assert_string_equal(f.lines[3],
                        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":"
                        "\"command_execution\",\"command\":\"/bin/bash -lc 'ls missing'\","
                        "\"aggregated_output\":\"ls: cannot access\\n\",\"exit_code\":2,"
                        "\"status\":\"failed\"}}\n");
    assert_int_equal(f.acts[3].raw_due_ns - f.acts[2].raw_due_ns, 1500000);
    done(&f);
}

static void test_ids_and_blank_reasoning(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - reasoning: \"  \\n\"\n  - warning: careful\n"
             "  - message: {text: a, id: item_5}\n  - message: b\n",
             1.0, "/w");
    /* blank reasoning is dropped and takes no id; an explicit item_5 moves the counter */
    assert_int_equal(f.n, 7);
    assert_non_null(strstr(f.lines[2], "\"id\":\"item_0\",\"type\":\"error\",\"message\":"
                                       "\"careful\""));
    assert_non_null(strstr(f.lines[3], "\"id\":\"item_5\""));
    assert_non_null(strstr(f.lines[4], "\"id\":\"item_6\""));
    done(&f);
}

static void test_file_change_paths(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - file_change: [{path: new.txt, kind: add}, a.txt, "
             "{path: /abs/z, kind: delete}]\n",
             1.0, "/home/user/repo");
    assert_string_equal(f.lines[3],
                        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":"
                        "\"file_change\",\"changes\":[{\"path\":\"/abs/z\",\"kind\":\"delete\"},"
                        "{\"path\":\"/home/user/repo/a.txt\",\"kind\":\"update\"},{\"path\":"
                        "\"/home/user/repo/new.txt\",\"kind\":\"add\"}],\"status\":"
                        "\"completed\"}}\n");
    assert_non_null(strstr(f.lines[2], "\"status\":\"in_progress\""));
    done(&f);
}

static void test_todo_list_lifecycle(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - todo_list: [one, two]\n  - message: working\n"
             "  - todo_list: [{text: one, completed: true}, two]\n  - message: done\n",
             1.0, "/w");
    assert_int_equal(f.n, 9);
    assert_true(strncmp(f.lines[2],
                        "{\"type\":\"item.started\",\"item\":{\"id\":\"item_0\","
                        "\"type\":\"todo_list\"",
                        60) == 0);
    assert_non_null(strstr(f.lines[4], "\"type\":\"item.updated\",\"item\":{\"id\":\"item_0\""));
    assert_non_null(strstr(f.lines[5], "\"id\":\"item_2\",\"type\":\"agent_message\""));
    assert_string_equal(f.lines[6], "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\","
                                    "\"type\":\"todo_list\",\"items\":[{\"text\":\"one\","
                                    "\"completed\":true},{\"text\":\"two\",\"completed\":false}]}}"
                                    "\n");
    /* the plan completes at the same moment as the turn */
    assert_int_equal(f.acts[6].raw_due_ns, f.acts[7].raw_due_ns);
    assert_non_null(strstr(f.lines[7], "turn.completed"));
    done(&f);
}

static void test_explicit_events_suppress_implicit_ones(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - event: {type: thread.started}\n"
             "  - warning: \"Model metadata for `x` not found.\"\n"
             "  - event: {type: turn.started}\n"
             "  - event: {type: error, message: boom}\n"
             "  - event: {type: turn.failed, error: {message: boom}}\n",
             1.0, "/w");
    assert_int_equal(f.n, 6);
    assert_string_equal(f.lines[0], "{\"type\":\"thread.started\",\"thread_id\":"
                                    "\"01a1fd0a-40a4-7731-81cc-b59e067340fd\"}\n");
    assert_non_null(strstr(f.lines[1], "\"type\":\"error\""));
    assert_string_equal(f.lines[2], "{\"type\":\"turn.started\"}\n");
    assert_string_equal(f.lines[3], "{\"type\":\"error\",\"message\":\"boom\"}\n");
    assert_string_equal(f.lines[4],
                        "{\"type\":\"turn.failed\",\"error\":{\"message\":\"boom\"}}\n");
    assert_string_equal(f.lines[5], "EXIT:1"); /* a failed turn exits 1 */
    done(&f);
}

static void test_process_steps(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nstartup: 100ms\nsteps:\n  - stderr: warn\n    after: 0\n"
             "  - raw: '{\"type\":\"turn.comp'\n    at: 1s\n  - sleep: 2s\n  - exit: 7\n"
             "  - message: never\n",
             1.0, "/w");
    assert_int_equal(f.n, 5);
    assert_string_equal(f.lines[2], "STDERR:warn\n");
    assert_string_equal(f.lines[3], "RAW:{\"type\":\"turn.comp");
    assert_int_equal(f.acts[3].raw_due_ns, NS_PER_S);
    assert_string_equal(f.lines[4], "EXIT:7");
    assert_int_equal(f.acts[4].raw_due_ns, 3 * NS_PER_S); /* sleep moved the clock */
    done(&f);
}

static void test_hang_and_no_implicit_events(void **state) {
    (void)state;
    fixture f;
    run_plan(&f, "codex_mock: 1\nsteps:\n  - message: hi\n  - sleep: forever\n  - message: never\n",
             1.0, "/w");
    assert_int_equal(f.n, 4); /* thread.started, turn.started, message, hang: no turn end */
    assert_string_equal(f.lines[3], "HANG");
    done(&f);
    /* a pre-flight failure: only stderr and an exit code, no JSON at all */
    run_plan(&f,
             "codex_mock: 1\nimplicit_events: false\nsteps:\n"
             "  - stderr: \"Error loading config.toml:\"\n  - exit: 1\n",
             1.0, "/w");
    assert_int_equal(f.n, 2);
    assert_string_equal(f.lines[0], "STDERR:Error loading config.toml:\n");
    assert_string_equal(f.lines[1], "EXIT:1");
    done(&f);
    run_plan(
        &f, "codex_mock: 1\nsteps:\n  - stall: 2s\n    after: 0\n  - message: late\n    after: 0\n",
        1.0, "/w");
    assert_int_equal(f.acts[2].raw_due_ns - f.acts[1].raw_due_ns, 2 * NS_PER_S);
    done(&f);
}

static void test_usage_sums_and_prior_usage(void **state) {
    (void)state;
    const char *yaml = "codex_mock: 1\nsteps:\n  - usage: {input_tokens: 1234, output_tokens: 56}\n"
                       "  - usage: {input_tokens: 100, output_tokens: 20}\n";
    scenario sc;
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_load_mem("t", yaml, strlen(yaml), &sc, &err), 0);
    rng r;
    rng_seed(&r, 1);
    plan_params p = {.sc = &sc,
                     .speed = 1,
                     .rng = &r,
                     .cwd = "/",
                     .thread_id = "t",
                     .prior_usage = {.input_tokens = 1234, .output_tokens = 56}};
    planner pl;
    plan_init(&pl, &p);
    action a;
    bool seen = false;
    while (plan_next(&pl, &a)) {
        if (a.kind == ACT_EVENT && a.ev.type == EV_TURN_COMPLETED) {
            assert_int_equal(a.ev.usage.input_tokens, 2568);
            assert_int_equal(a.ev.usage.output_tokens, 132);
            seen = true;
        }
    }
    assert_true(seen);
    plan_free(&pl);
    scenario_free(&sc);
}

static void test_web_search_duplicate_id(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - web_search: {query: weather in sf, search_id: ws_abc}\n",
             1.0, "/w");
    assert_string_equal(f.lines[3],
                        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":"
                        "\"web_search\",\"id\":\"ws_abc\",\"query\":\"weather in sf\","
                        "\"action\":{\"type\":\"search\",\"query\":\"weather in sf\"}}}"
                        "\n");
    done(&f);
    run_plan(&f, "codex_mock: 1\nsteps:\n  - web_search: q\n", 1.0, "/w");
    assert_non_null(strstr(f.lines[2], "\"id\":\"ws_"));
    done(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explicit_timing_is_exact),
        cmocka_unit_test(test_speed_scales_due_times),
        cmocka_unit_test(test_pace_model_is_seeded_and_bounded),
        cmocka_unit_test(test_command_expands_to_started_and_completed),
        cmocka_unit_test(test_ids_and_blank_reasoning),
        cmocka_unit_test(test_file_change_paths),
        cmocka_unit_test(test_todo_list_lifecycle),
        cmocka_unit_test(test_explicit_events_suppress_implicit_ones),
        cmocka_unit_test(test_process_steps),
        cmocka_unit_test(test_hang_and_no_implicit_events),
        cmocka_unit_test(test_usage_sums_and_prior_usage),
        cmocka_unit_test(test_web_search_duplicate_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

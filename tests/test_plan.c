/* Unit tests for src/engine/plan.c: due times (exact), implicit events, ids, sugar expansion. */
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

static void done(fixture *f);

/* Offsets in ms between two actions. */
static double gap_ms(const fixture *f, size_t a, size_t b) {
    return (double)(f->acts[b].raw_due_ns - f->acts[a].raw_due_ns) / 1e6;
}

static void test_fail_401_schedule(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - fail: unauthorized_401\n    message: bad key\n"
             "    url: http://h/v1/responses\n    request_id: req_{n}\n",
             1.0, "/w");
    assert_int_equal(f.n, 10); /* thread, turn, 5 notices, error, failed, exit */
    for (int n = 1; n <= 5; n++) {
        char want[256];
        snprintf(want, sizeof want,
                 "{\"type\":\"error\",\"message\":\"Reconnecting... %d/5 (unexpected status 401 "
                 "Unauthorized: bad key, url: http://h/v1/responses, request id: req_%d)\"}\n",
                 n, n);
        assert_string_equal(f.lines[1 + n], want);
    }
    assert_string_equal(f.lines[7], "{\"type\":\"error\",\"message\":\"unexpected status 401 "
                                    "Unauthorized: bad key, url: http://h/v1/responses, request "
                                    "id: req_6\"}\n");
    assert_string_equal(f.lines[8], "{\"type\":\"turn.failed\",\"error\":{\"message\":"
                                    "\"unexpected status 401 Unauthorized: bad key, url: "
                                    "http://h/v1/responses, request id: req_6\"}}\n");
    assert_string_equal(f.lines[9], "EXIT:1");
    /* the first request fails after its round trip (35 ms ± 10 %) */
    double first = gap_ms(&f, 1, 2);
    assert_true(first >= 31.4 && first <= 38.6);
    /* then 200 ms × 2^(n−1) ± 10 % plus the next request's round trip */
    for (int n = 1; n <= 5; n++) {
        double g = gap_ms(&f, (size_t)(1 + n), (size_t)(2 + n));
        double nominal = 200.0 * (1 << (n - 1));
        if (!(g >= 0.9 * nominal + 31.4 && g <= 1.1 * nominal + 38.6))
            fail_msg("gap after notice %d: %.1f ms (nominal %.0f + 35)", n, g, nominal);
    }
    double tail = gap_ms(&f, 7, 8);
    assert_true(tail > 0 && tail < 10);
    done(&f);
}

static void test_websocket_fallback(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - reconnect: 5\n    transport: websocket\n"
             "    cause: boom\n  - message: over https\n",
             1.0, "/w");
    size_t notices = 0, logs = 0;
    int first_notice = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (strstr(f.lines[i], "Reconnecting...")) {
            if (!notices) sscanf(strstr(f.lines[i], "Reconnecting... ") + 16, "%d", &first_notice);
            notices++;
        }
        if (strstr(f.lines[i], "STDERR:") && strstr(f.lines[i], "responses_websocket: failed to "
                                                                "connect to Responses WebSocket "
                                                                "stage=Unknown"))
            logs++;
    }
    assert_int_equal(notices, 4); /* 1/5 is hidden */
    assert_int_equal(first_notice, 2);
    assert_int_equal(logs, 7); /* the prewarm and every failed connect, the last included */
    bool fallback = false;
    for (size_t i = 0; i < f.n; i++) {
        if (strstr(f.lines[i], "Falling back from WebSockets to HTTPS transport. boom")) {
            assert_non_null(strstr(f.lines[i], "\"id\":\"item_0\",\"type\":\"error\""));
            fallback = true;
        }
        if (strstr(f.lines[i], "over https")) assert_non_null(strstr(f.lines[i], "item_1"));
    }
    assert_true(fallback);
    assert_string_equal(f.lines[f.n - 1], "EXIT:0");
    done(&f);
}

static void test_network_forever_is_lazy(void **state) {
    (void)state;
    diag err;
    diag_init(&err);
    scenario sc;
    const char *yaml = "codex_mock: 1\nsteps:\n  - reconnect: forever\n    transport: network\n"
                       "    failure: connection_failed\n";
    assert_int_equal(scenario_load_mem("t", yaml, strlen(yaml), &sc, &err), 0);
    rng r;
    rng_seed(&r, 3);
    plan_params p = {.sc = &sc, .speed = 1, .rng = &r, .cwd = "/", .thread_id = "t"};
    planner pl;
    plan_init(&pl, &p);
    action a;
    int64_t prev = -1;
    int notices = 0;
    double waits[] = {5, 10, 20, 40, 60, 60, 60};
    /* far more actions than any queue: the loop is generated on demand and never ends */
    for (int i = 0; i < 1000 && plan_next(&pl, &a); i++) {
        assert_int_not_equal(a.kind, ACT_EXIT);
        if (a.kind != ACT_EVENT || a.ev.type != EV_ERROR) continue;
        assert_int_equal(memcmp(a.ev.message.ptr,
                                "Reconnecting... waiting for network (Connection failed: error "
                                "sending request)",
                                a.ev.message.len),
                         0);
        if (prev >= 0 && notices <= 7) {
            double g = (double)(a.raw_due_ns - prev) / 1e9;
            double w = waits[notices - 1];
            /* the wait, then ≈3 s of hidden request retries (4 × backoff + 5 requests) */
            if (!(g >= 0.9 * w + 2.8 && g <= 1.1 * w + 3.6))
                fail_msg("gap %d: %.2f s (wait %.0f s)", notices, g, w);
        }
        prev = a.raw_due_ns;
        notices++;
    }
    assert_true(notices > 500);
    plan_free(&pl);
    scenario_free(&sc);
}

static void test_advised_delay_and_http_retries(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - fail: rate_limit_429\n    advised_delay: 1s\n"
             "    request_time: 10ms\n    request_id: req_123\n",
             1.0, "/w");
    assert_int_equal(f.n, 10);
    for (size_t i = 2; i < 7; i++)
        assert_int_equal(gap_ms(&f, i, i + 1), 1010.0);
    assert_string_equal(f.lines[7], "{\"type\":\"error\",\"message\":\"exceeded retry limit, "
                                    "last status: 429 Too Many Requests, request id: "
                                    "req_123\"}\n");
    done(&f);
    /* without an advised delay a 429 is not retried */
    run_plan(&f, "codex_mock: 1\nsteps:\n  - fail: rate_limit_429\n", 1.0, "/w");
    assert_int_equal(f.n, 5);
    done(&f);
    /* hidden request retries cost time and print nothing */
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - http_retries: 2\n    request_time: 30ms\n"
             "  - message: ok\n    after: 0\n",
             1.0, "/w");
    assert_int_equal(f.n, 5);
    double g = gap_ms(&f, 1, 2); /* 2 × 30 ms + 200 ms + 400 ms, ± 10 % on the backoff */
    assert_true(g >= 60 + 540 && g <= 60 + 660);
    done(&f);
}

/* backoff: the scenario's own waits between attempts, exactly (no jitter), the last repeating */
static void test_given_backoff(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - fail: unauthorized_401\n    request_time: 30ms\n"
             "    backoff: [184.1ms, 384.7ms, 700ms]\n",
             1.0, "/w");
    assert_int_equal(f.n, 10); /* thread, turn, item, 5 notices, error, turn.failed */
    assert_true(gap_ms(&f, 2, 3) > 214.1 - 0.01 && gap_ms(&f, 2, 3) < 214.1 + 0.01);
    assert_true(gap_ms(&f, 3, 4) > 414.7 - 0.01 && gap_ms(&f, 3, 4) < 414.7 + 0.01);
    assert_true(gap_ms(&f, 4, 5) > 730.0 - 0.01 && gap_ms(&f, 4, 5) < 730.0 + 0.01);
    assert_true(gap_ms(&f, 5, 6) > 730.0 - 0.01 && gap_ms(&f, 5, 6) < 730.0 + 0.01);
    done(&f);
}

static void test_idle_timeout_and_recover(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - reconnect: 1\n    failure: idle_timeout\n"
             "    idle_timeout: 1.5s\n  - message: back\n    after: 0\n",
             1.0, "/w");
    assert_int_equal(f.n, 6);
    assert_int_equal(gap_ms(&f, 1, 2), 1500.0);
    assert_non_null(strstr(f.lines[2], "Reconnecting... 1/5 (stream disconnected before "
                                       "completion: idle timeout waiting for SSE)"));
    double g = gap_ms(&f, 2, 3); /* backoff(1) */
    assert_true(g >= 180 && g <= 220);
    assert_non_null(strstr(f.lines[4], "turn.completed"));
    done(&f);
}

static void test_raw_item_pairing_and_reconciliation(void **state) {
    (void)state;
    fixture f;
    run_plan(&f,
             "codex_mock: 1\nsteps:\n"
             "  - event: {type: item.started, item: {type: command_execution, command: ls}}\n"
             "  - message: meanwhile\n"
             "  - event: {type: item.completed, item: {type: command_execution, command: ls, "
             "exit_code: 0}}\n"
             "  - event: {type: item.started, item: {type: todo_list, items: [a]}}\n"
             "  - event: {type: turn.completed}\n",
             1.0, "/w");
    /* the completion without an id continues the open command, not the message */
    assert_non_null(strstr(f.lines[2], "\"id\":\"item_0\",\"type\":\"command_execution\""));
    assert_non_null(strstr(f.lines[3], "\"id\":\"item_1\",\"type\":\"agent_message\""));
    assert_non_null(strstr(f.lines[4], "\"item.completed\",\"item\":{\"id\":\"item_0\""));
    /* the open plan completes with its items just before turn.completed */
    assert_string_equal(f.lines[6], "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_2\","
                                    "\"type\":\"todo_list\",\"items\":[{\"text\":\"a\","
                                    "\"completed\":false}]}}\n");
    assert_non_null(strstr(f.lines[7], "turn.completed"));
    done(&f);
    /* a failing turn completes the plan before turn.failed */
    run_plan(&f, "codex_mock: 1\nsteps:\n  - todo_list: [a]\n  - fail: usage_limit\n", 1.0, "/w");
    assert_non_null(strstr(f.lines[3], "\"type\":\"error\""));
    assert_non_null(strstr(f.lines[4], "\"item.completed\",\"item\":{\"id\":\"item_0\","
                                       "\"type\":\"todo_list\""));
    assert_non_null(strstr(f.lines[5], "turn.failed"));
    done(&f);
    /* an explicit thread.started is followed by the implicit turn.started */
    run_plan(&f,
             "codex_mock: 1\nsteps:\n  - warning: early\n  - event: {type: thread.started}\n"
             "  - message: hi\n",
             1.0, "/w");
    assert_non_null(strstr(f.lines[0], "early"));
    assert_non_null(strstr(f.lines[1], "thread.started"));
    assert_string_equal(f.lines[2], "{\"type\":\"turn.started\"}\n");
    done(&f);
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
        cmocka_unit_test(test_fail_401_schedule),
        cmocka_unit_test(test_raw_item_pairing_and_reconciliation),
        cmocka_unit_test(test_websocket_fallback),
        cmocka_unit_test(test_network_forever_is_lazy),
        cmocka_unit_test(test_advised_delay_and_http_retries),
        cmocka_unit_test(test_given_backoff),
        cmocka_unit_test(test_idle_timeout_and_recover),
        cmocka_unit_test(test_web_search_duplicate_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

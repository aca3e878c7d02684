/* End to end: failure on cue — process faults, narration, chaos, built-in failure scenarios. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <signal.h>

static char *tmp;

static int setup(void **state) {
    (void)state;
    return e2e_setup_home(&tmp);
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(tmp);
    return 0;
}

static const char *const UNSET[] = {"CODEX_MOCK_SCENARIO",
                                    "CODEX_MOCK_SPEED",
                                    "CODEX_MOCK_SEED",
                                    "CODEX_MOCK_CHAOS",
                                    "CODEX_MOCK_EXPLAIN",
                                    "CODEX_MOCK_SCENARIO_PATH",
                                    NULL};

/* Runs `codex exec --json hi` with the scenario text (or a built-in name) and extra env. */
static void run(proc_result *r, const char *scenario_yaml, const char *builtin,
                const char *extra_env, proc_spec *base) {
    char env_scn[4096];
    if (scenario_yaml) {
        char *p = e2e_write(tmp, "s.yaml", scenario_yaml);
        snprintf(env_scn, sizeof env_scn, "CODEX_MOCK_SCENARIO=%s", p);
        free(p);
    } else {
        snprintf(env_scn, sizeof env_scn, "CODEX_MOCK_SCENARIO=%s", builtin);
    }
    const char *argv[] = {CODEX_BIN, "exec", "--json", "hi", NULL};
    const char *env[] = {env_scn, "CODEX_MOCK_SPEED=0", extra_env, NULL};
    proc_spec spec = base ? *base : (proc_spec){0};
    spec.argv = argv;
    spec.env = env;
    spec.unset = UNSET;
    spec.cwd = tmp;
    assert_int_equal(proc_run(&spec, r), 0);
}

static void test_signal_step(void **state) {
    (void)state;
    proc_result r;
    run(&r, "codex_mock: 1\nsteps:\n  - message: working\n  - signal: SIGSEGV\n", NULL, NULL, NULL);
    assert_false(r.exited);
    assert_int_equal(r.term_signal, SIGSEGV);
    assert_non_null(strstr(r.out, "working"));
    assert_null(strstr(r.out, "turn.completed"));
    assert_true(r.out[r.out_len - 1] == '\n'); /* what was written is whole */
    proc_result_free(&r);
    run(&r, "codex_mock: 1\nsteps:\n  - signal: KILL\n", NULL, NULL, NULL);
    assert_int_equal(r.term_signal, SIGKILL);
    proc_result_free(&r);
    run(&r, NULL, "killed-by-signal", NULL, NULL);
    assert_int_equal(r.term_signal, SIGSEGV);
    proc_result_free(&r);
}

static void test_close_stdout(void **state) {
    (void)state;
    proc_result r;
    run(&r,
        "codex_mock: 1\nsteps:\n  - message: before\n  - close_stdout: true\n"
        "  - message: after\n  - stderr: still alive\n  - exit: 4\n",
        NULL, NULL, NULL);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 4);
    assert_non_null(strstr(r.out, "before"));
    assert_null(strstr(r.out, "after")); /* the reader saw EOF */
    assert_non_null(strstr(r.err, "still alive\n"));
    proc_result_free(&r);
}

static void test_explain_goes_elsewhere(void **state) {
    (void)state;
    char env[4096];
    snprintf(env, sizeof env, "CODEX_MOCK_EXPLAIN=%s/explain.txt", tmp);
    proc_result plain, narrated;
    run(&plain, NULL, "rate-limit-429", "CODEX_MOCK_SEED=4", NULL);
    run(&narrated, NULL, "rate-limit-429", env, NULL);
    /* stdout and stderr stay byte-faithful: the same as without narration (ids aside) */
    char *a = mask_uuids(plain.out), *b = mask_uuids(narrated.out);
    assert_string_equal(a, b);
    assert_string_equal(plain.err, narrated.err);
    free(a);
    free(b);
    char path[4200];
    snprintf(path, sizeof path, "%s/explain.txt", tmp);
    char *text = read_file(path, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "thread.started: the real CLI has loaded its config"));
    assert_non_null(strstr(text, "HTTP 429; no retry, or 5 retries spaced by an advised delay. "
                                 "The real CLI retries the turn (stream_max_retries = 5), waiting "
                                 "the server-advised delay between attempts"));
    assert_non_null(strstr(text, "turn.failed with the same message; the process exits 1"));
    free(text);
    proc_result_free(&plain);
    proc_result_free(&narrated);
}

static void test_bad_chaos_and_explain(void **state) {
    (void)state;
    proc_result r;
    run(&r, NULL, "default", "CODEX_MOCK_CHAOS=boom", NULL);
    assert_int_equal(r.exit_code, 78);
    assert_string_equal(r.err, "codex-mock: CODEX_MOCK_CHAOS: expected key=value pairs such as "
                               "reconnect=0.2,stall=0.1,stall_for=3s,fail=0.05, not 'boom'\n");
    assert_int_equal(r.out_len, 0);
    proc_result_free(&r);
    run(&r, NULL, "default", "CODEX_MOCK_EXPLAIN=/nonexistent-dir/x", NULL);
    assert_int_equal(r.exit_code, 78);
    assert_string_equal(r.err, "codex-mock: CODEX_MOCK_EXPLAIN: cannot open '/nonexistent-dir/x': "
                               "No such file or directory\n");
    proc_result_free(&r);
    /* a scenario's own chaos key is checked where it stands */
    run(&r, "codex_mock: 1\nchaos: \"fail=7\"\nsteps: []\n", NULL, NULL, NULL);
    assert_int_equal(r.exit_code, 78);
    assert_non_null(strstr(r.err, "s.yaml:2:8: chaos: 'fail' takes a probability from 0 to 1"));
    proc_result_free(&r);
}

static void test_chaos_is_reproducible(void **state) {
    (void)state;
    /* with a seed, two runs inject the same faults */
    const char *argv[] = {CODEX_BIN, "exec", "--json", "hi", NULL};
    const char *envv[] = {"CODEX_MOCK_SCENARIO=multiple-messages-and-commentary",
                          "CODEX_MOCK_SPEED=0", "CODEX_MOCK_SEED=11",
                          "CODEX_MOCK_CHAOS=reconnect=0.6,fail=0.2", NULL};
    proc_spec spec = {.argv = argv, .env = envv, .unset = UNSET, .cwd = tmp};
    proc_result x, y;
    assert_int_equal(proc_run(&spec, &x), 0);
    assert_int_equal(proc_run(&spec, &y), 0);
    char *mx = mask_uuids(x.out), *my = mask_uuids(y.out);
    assert_string_equal(mx, my);
    assert_int_equal(x.exit_code, y.exit_code);
    assert_non_null(strstr(x.out, "Reconnecting...")); /* and the chaos did something */
    free(mx);
    free(my);
    proc_result_free(&x);
    proc_result_free(&y);
}

static void test_builtin_failures(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int exit_code;
        const char *needle;
    } cases[] = {
        {"http-401-unauthorized", 1, "Reconnecting... 5/5 (unexpected status 401 Unauthorized"},
        {"usage-limit-429", 1, "You\xe2\x80\x99ve hit your usage limit. Upgrade to Pro"},
        {"http-400-bad-request", 1, "\"message\":\"{\\\"error\\\": {\\\"message\\\""},
        {"http-500-then-success", 0, "Hello after two server errors."},
        {"stream-cut-retries-exhausted", 1, "error decoding response body"},
        {"websocket-fallback", 0, "Falling back from WebSockets to HTTPS transport."},
        {"reconnect-then-success", 0, "Hello after the retry."},
        {"missing-api-key", 1, "Missing environment variable: `CODEX_API_KEY`."},
        {"model-not-found", 1, "The model `some-nonexistent-model` does not exist"},
        {"rate-limit-429", 1, "request id: req_123"},
        {"server-error-500", 1, "We\xe2\x80\x99re currently experiencing high demand"},
        {"connection-failed", 1, "Connection failed: error sending request"},
        {"context-window-exceeded", 1, "Codex ran out of room"},
        {"exit-0-after-turn-failed", 0, "turn.failed"},
        {"partial-work-then-failure", 1, "file_change"},
        {"sandbox-denied-command", 0, "Read-only file system"},
        {"unknown-model-warning", 0, "Model metadata for `some-nonexistent-model` not found."},
        {"torn-line-then-exit", 1, "{\"type\":\"turn.comp"},
        {"stderr-noise", 0, "One file is modified."},
        {"migration-modified", 0, "Hello despite the state DB."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        proc_result r;
        run(&r, NULL, cases[i].name, NULL, NULL);
        if (!r.exited || r.exit_code != cases[i].exit_code || !strstr(r.out, cases[i].needle))
            fail_msg("%s: exit %d (want %d), stdout:\n%s\nstderr:\n%s", cases[i].name, r.exit_code,
                     cases[i].exit_code, r.out, r.err);
        proc_result_free(&r);
    }
    /* no JSON at all for a pre-flight failure */
    proc_result r;
    run(&r, NULL, "config-toml-broken", NULL, NULL);
    assert_int_equal(r.exit_code, 1);
    assert_int_equal(r.out_len, 0);
    assert_non_null(strstr(r.err, "Error loading config.toml:\n"));
    proc_result_free(&r);
}

static void test_hangs_need_a_deadline(void **state) {
    (void)state;
    /* stall after turn.started: two lines, then nothing until SIGINT → exit 1 */
    proc_spec base = {.signal = SIGINT, .signal_after_ms = proc_ms(400)};
    proc_result r;
    run(&r, NULL, "stall-after-turn-started", NULL, &base);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 1);
    assert_int_equal(r.n_out, 2);
    assert_true(r.duration_ms >= proc_ms(400));
    proc_result_free(&r);
    /* the unbounded network loop at ten times speed: notices keep coming, never an exit */
    proc_spec fast = {.signal = SIGTERM, .signal_after_ms = proc_ms(2500)};
    const char *argv[] = {CODEX_BIN, "exec", "--json", "hi", NULL};
    const char *env[] = {"CODEX_MOCK_SCENARIO=network-unreachable", "CODEX_MOCK_SPEED=10", NULL};
    fast.argv = argv;
    fast.env = env;
    fast.unset = UNSET;
    fast.cwd = tmp;
    assert_int_equal(proc_run(&fast, &r), 0);
    assert_false(r.exited);
    assert_int_equal(r.term_signal, SIGTERM);
    assert_true(r.n_out >= 3); /* thread.started, turn.started, the first notice at ≈0.8 s */
    assert_non_null(strstr(r.out, "Reconnecting... waiting for network (Connection failed: "
                                  "error sending request)"));
    proc_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signal_step),
        cmocka_unit_test(test_close_stdout),
        cmocka_unit_test(test_explain_goes_elsewhere),
        cmocka_unit_test(test_bad_chaos_and_explain),
        cmocka_unit_test(test_chaos_is_reproducible),
        cmocka_unit_test(test_builtin_failures),
        cmocka_unit_test(test_hangs_need_a_deadline),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

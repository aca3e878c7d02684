/* End to end: the built `codex` binary — bytes, exit codes, stdin, timing bounds, signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <cJSON.h>
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

static void run(proc_result *r, const char *const *argv_tail, const char *const *env,
                const char *stdin_data) {
    const char *argv[32] = {CODEX_BIN};
    size_t n = 1;
    for (size_t i = 0; argv_tail[i]; i++)
        argv[n++] = argv_tail[i];
    argv[n] = NULL;
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO", "CODEX_MOCK_SPEED",
                                        "CODEX_MOCK_SEED", "CODEX_MOCK_SCENARIO_PATH", NULL};
    proc_spec spec = {.argv = argv,
                      .env = env,
                      .unset = unset,
                      .cwd = tmp,
                      .stdin_data = stdin_data,
                      .stdin_len = stdin_data ? strlen(stdin_data) : 0};
    assert_int_equal(proc_run(&spec, r), 0);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_default_scenario(void **state) {
    (void)state;
    proc_result r;
    run(&r, ARGS("exec", "--json", "--skip-git-repo-check", "list the files"),
        ARGS("CODEX_MOCK_SPEED=0"), NULL);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "Reading additional input from stdin...\n");
    assert_true(r.n_out >= 4);
    /* every stdout line is one compact JSON object */
    for (size_t i = 0; i < r.n_out; i++) {
        cJSON *j = cJSON_Parse(r.out_lines[i].text);
        assert_non_null(j);
        assert_true(cJSON_IsObject(j));
        cJSON_Delete(j);
        assert_null(strstr(r.out_lines[i].text, "\": "));
    }
    assert_true(strncmp(r.out_lines[0].text, "{\"type\":\"thread.started\",\"thread_id\":\"", 38) ==
                0);
    /* a UUIDv7 whose time prefix is now */
    const char *id = r.out_lines[0].text + 38;
    assert_int_equal(id[14], '7');
    assert_non_null(strstr(r.out_lines[r.n_out - 1].text, "\"type\":\"turn.completed\""));
    proc_result_free(&r);
}

static char *golden(const char *name, const char *cwd) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/golden/%s", SOURCE_DIR, name);
    char *g = read_file(path, NULL);
    assert_non_null(g);
    char *with_cwd = replace_all(g, "{{CWD}}", cwd);
    free(g);
    char *masked = mask_uuids(with_cwd);
    free(with_cwd);
    return masked;
}

static void test_golden_all_items(void **state) {
    (void)state;
    char env_scn[4096];
    snprintf(env_scn, sizeof env_scn, "CODEX_MOCK_SCENARIO=%s/tests/golden/all-items.yaml",
             SOURCE_DIR);
    proc_result r;
    run(&r, ARGS("exec", "--json", "x"), ARGS("CODEX_MOCK_SPEED=0", "CODEX_MOCK_SEED=1", env_scn),
        NULL);
    assert_int_equal(r.exit_code, 0);
    char *want = golden("all-items.jsonl", tmp);
    char *got = mask_uuids(r.out);
    assert_string_equal(got, want);
    free(want);
    free(got);
    proc_result_free(&r);
}

static void test_golden_torn_line(void **state) {
    (void)state;
    char env_scn[4096];
    snprintf(env_scn, sizeof env_scn, "CODEX_MOCK_SCENARIO=%s/tests/golden/torn-line.yaml",
             SOURCE_DIR);
    proc_result r;
    run(&r, ARGS("exec", "--json", "x"), ARGS("CODEX_MOCK_SPEED=0", env_scn), NULL);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 1);
    char *want = golden("torn-line.jsonl", tmp);
    char *got = mask_uuids(r.out);
    assert_string_equal(got, want);
    assert_string_equal(r.err, "Reading additional input from stdin...\n"
                               "2026-11-21T07:38:09.743828Z ERROR "
                               "codex_api::endpoint::responses: stream ended\n");
    free(want);
    free(got);
    proc_result_free(&r);
}

static void test_same_seed_same_bytes(void **state) {
    (void)state;
    proc_result a, b, c;
    run(&a, ARGS("exec", "--json", "x"), ARGS("CODEX_MOCK_SPEED=0", "CODEX_MOCK_SEED=99"), NULL);
    run(&b, ARGS("exec", "--json", "x"), ARGS("CODEX_MOCK_SPEED=0", "CODEX_MOCK_SEED=99"), NULL);
    run(&c, ARGS("exec", "--json", "x"), ARGS("CODEX_MOCK_SPEED=0", "CODEX_MOCK_SEED=100"), NULL);
    /* The thread id's first 48 bits are the start time; the rest comes from the seed. */
    assert_int_equal(a.out_len, b.out_len);
    assert_memory_equal(a.out + 38 + 15, b.out + 38 + 15, 21);
    assert_memory_not_equal(a.out + 38 + 15, c.out + 38 + 15, 21);
    proc_result_free(&a);
    proc_result_free(&b);
    proc_result_free(&c);
}

static void test_prompt_on_stdin(void **state) {
    (void)state;
    proc_result r;
    run(&r, ARGS("exec", "--experimental-json", "--skip-git-repo-check"),
        ARGS("CODEX_MOCK_SPEED=0"), "Say hello from the SDK-style invocation.");
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "Reading prompt from stdin...\n");
    proc_result_free(&r);
    run(&r, ARGS("exec", "--json", "-"), ARGS("CODEX_MOCK_SPEED=0"), "prompt\n");
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.err, "");
    proc_result_free(&r);
    run(&r, ARGS("exec", "--json", "-"), ARGS("CODEX_MOCK_SPEED=0"), "  \n");
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.err, "No prompt provided via stdin.\n");
    assert_int_equal(r.out_len, 0);
    proc_result_free(&r);
}

static void test_stdin_blocks_until_eof(void **state) {
    (void)state;
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO", "CODEX_MOCK_SPEED", NULL};
    const char *argv[] = {CODEX_BIN, "exec", "--json", "hi", NULL};
    const char *env[] = {"CODEX_MOCK_SPEED=1", NULL};
    proc_spec spec = {.argv = argv,
                      .env = env,
                      .unset = unset,
                      .cwd = tmp,
                      .stdin_data = "x",
                      .stdin_len = 1,
                      .stdin_close_after_ms = proc_ms(600)};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_int_equal(r.exit_code, 0);
    assert_true(r.n_err >= 1);
    assert_string_equal(r.err_lines[0].text, "Reading additional input from stdin...");
    /* the notice comes before the wait; thread.started only after stdin closed */
    assert_true(r.err_lines[0].ms < proc_ms(400));
    assert_true(r.out_lines[0].ms >= proc_ms(600));
    proc_result_free(&r);
}

static void test_speed_factor(void **state) {
    (void)state;
    proc_result slow, fast;
    char speed_1[64], speed_10[64];
    run(&slow, ARGS("exec", "--json", "x"), ARGS(e2e_speed(speed_1, 1)), NULL);
    run(&fast, ARGS("exec", "--json", "x"), ARGS(e2e_speed(speed_10, 10)), NULL);
    double s = slow.out_lines[slow.n_out - 1].ms, f = fast.out_lines[fast.n_out - 1].ms;
    /* real pace: the default turn takes at least ~0.4 s; ten times faster: far less. The
     * factor is measured from the first line, so that the time a process takes to start
     * (which no speed changes) does not count. */
    assert_true(s > proc_ms(350));
    double s_span = s - slow.out_lines[0].ms, f_span = f - fast.out_lines[0].ms;
    assert_true(s_span > proc_ms(300));
    assert_true(f_span < s_span / 3);
    proc_result_free(&slow);
    proc_result_free(&fast);
}

static void test_flags_orchestrators_pass(void **state) {
    (void)state;
    proc_result r, plain;
    /* Accepted, and in --json mode they change no byte: the same seed and clock print the
     * same stream with and without them. */
    const char *const fixed[] = {"CODEX_MOCK_SPEED=0", "CODEX_MOCK_SEED=7",
                                 "CODEX_MOCK_NOW=2026-11-21T08:00:00Z", NULL};
    run(&r,
        ARGS("exec", "--json", "--skip-git-repo-check", "--sandbox", "workspace-write", "-m",
             "gpt-5.5", "-C", "/", "-c", "model_reasoning_effort=\"high\"", "--color", "never",
             "fix the tests"),
        fixed, NULL);
    run(&plain, ARGS("exec", "--json", "fix the tests"), fixed, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(plain.exit_code, 0);
    assert_int_equal(r.n_out, plain.n_out);
    assert_string_equal(r.out, plain.out);
    assert_string_equal(r.err, plain.err);
    assert_non_null(strstr(r.out, "\n{\"type\":\"turn.completed\",\"usage\":{"));
    proc_result_free(&r);
    proc_result_free(&plain);
    run(&r, ARGS("exec", "--json", "-C", "/nonexistent-dir", "x"), ARGS("CODEX_MOCK_SPEED=0"),
        NULL);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.err, "Error: No such file or directory (os error 2)\n");
    proc_result_free(&r);
}

static void test_sigint_sigterm(void **state) {
    (void)state;
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO", "CODEX_MOCK_SPEED", NULL};
    const char *argv[] = {CODEX_BIN, "exec", "--json", "hi", NULL};
    char speed[64];
    const char *env[] = {e2e_speed(speed, 1), NULL};
    proc_spec spec = {.argv = argv,
                      .env = env,
                      .unset = unset,
                      .cwd = tmp,
                      .signal = SIGINT,
                      .signal_after_lines = 2};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 1);
    assert_null(strstr(r.out, "turn.completed"));
    assert_null(strstr(r.out, "turn.failed"));
    /* whole lines only */
    assert_true(r.out_len > 0 && r.out[r.out_len - 1] == '\n');
    proc_result_free(&r);

    spec.signal = SIGTERM;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_false(r.exited);
    assert_int_equal(r.term_signal, SIGTERM); /* a shell reports 143 */
    proc_result_free(&r);
}

static void test_hang_until_signal(void **state) {
    (void)state;
    char *scn = e2e_write(tmp, "hang.yaml",
                          "codex_mock: 1\nsteps:\n  - event: {type: turn.completed}\n"
                          "  - sleep: forever\n");
    char env[4096];
    snprintf(env, sizeof env, "CODEX_MOCK_SCENARIO=%s", scn);
    static const char *const unset[] = {"CODEX_MOCK_SPEED", NULL};
    const char *argv[] = {CODEX_BIN, "exec", "--json", "hi", NULL};
    const char *envv[] = {env, "CODEX_MOCK_SPEED=0", NULL};
    /* hangs after turn.completed: only the signal ends it */
    proc_spec spec = {.argv = argv,
                      .env = envv,
                      .unset = unset,
                      .cwd = tmp,
                      .signal = SIGINT,
                      .signal_after_ms = proc_ms(300)};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 1);
    assert_true(r.duration_ms >= proc_ms(300));
    assert_non_null(strstr(r.out, "turn.completed"));
    proc_result_free(&r);
    free(scn);
    /* on_sigint: die — no handler, killed by the signal (as `codex login` is) */
    scn = e2e_write(tmp, "die.yaml",
                    "codex_mock: 1\non_sigint: die\nimplicit_events: false\nsteps:\n"
                    "  - stderr: waiting\n  - sleep: forever\n");
    snprintf(env, sizeof env, "CODEX_MOCK_SCENARIO=%s", scn);
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_false(r.exited);
    assert_int_equal(r.term_signal, SIGINT);
    assert_string_equal(r.err, "Reading additional input from stdin...\nwaiting\n");
    assert_int_equal(r.out_len, 0);
    proc_result_free(&r);
    free(scn);
}

static void test_reader_closes_pipe(void **state) {
    (void)state;
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO", "CODEX_MOCK_SPEED", NULL};
    const char *argv[] = {CODEX_BIN, "exec", "--json", "hi", NULL};
    char speed[64];
    const char *env[] = {e2e_speed(speed, 2), NULL};
    proc_spec spec = {
        .argv = argv, .env = env, .unset = unset, .cwd = tmp, .close_stdout_after_lines = 1};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 101);
    assert_non_null(strstr(r.err, "failed printing to stdout: Broken pipe (os error 32)"));
    proc_result_free(&r);
}

static void test_unknown_flag_is_a_usage_error(void **state) {
    (void)state;
    proc_result r;
    run(&r, ARGS("exec", "--json", "--no-such-flag", "Say hello."), ARGS("CODEX_MOCK_SPEED=0"),
        NULL);
    assert_int_equal(r.exit_code, 2);
    assert_int_equal(r.out_len, 0);
    assert_string_equal(r.err, "error: unexpected argument '--no-such-flag' found\n\n"
                               "  tip: to pass '--no-such-flag' as a value, use '-- "
                               "--no-such-flag'\n\n"
                               "Usage: codex exec [OPTIONS] [PROMPT]\n"
                               "       codex exec [OPTIONS] <COMMAND> [ARGS]\n\n"
                               "For more information, try '--help'.\n");
    proc_result_free(&r);
}

static void test_human_mode_final_message(void **state) {
    (void)state;
    proc_result r;
    run(&r, ARGS("exec", "x"), ARGS("CODEX_MOCK_SPEED=0"), NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "The directory contains README.md and a src folder.\n");
    proc_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_scenario),
        cmocka_unit_test(test_golden_all_items),
        cmocka_unit_test(test_golden_torn_line),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_prompt_on_stdin),
        cmocka_unit_test(test_stdin_blocks_until_eof),
        cmocka_unit_test(test_speed_factor),
        cmocka_unit_test(test_flags_orchestrators_pass),
        cmocka_unit_test(test_sigint_sigterm),
        cmocka_unit_test(test_hang_until_signal),
        cmocka_unit_test(test_reader_closes_pipe),
        cmocka_unit_test(test_unknown_flag_is_a_usage_error),
        cmocka_unit_test(test_human_mode_final_message),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* End to end: the `codex-mock` toolbox — lint and list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

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

static void toolbox(proc_result *r, const char *const *args) {
    const char *argv[16] = {TOOLBOX_BIN};
    size_t n = 1;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    proc_spec spec = {.argv = argv, .cwd = tmp};
    assert_int_equal(proc_run(&spec, r), 0);
}

/* The toolbox checks every CODEX_MOCK_* variable as `codex` does: a malformed one is exit 78
 * with the same message, not silently replaced by a default. */
static void test_malformed_environment(void **state) {
    (void)state;
    char *good = e2e_write(tmp, "good.yaml", "codex_mock: 1\nsteps:\n  - message: hi\n");
    const char *argv[] = {TOOLBOX_BIN, "lint", good, NULL};
    const char *env[] = {"CODEX_MOCK_STREAM_ABOVE=abc", NULL};
    proc_spec spec = {.argv = argv, .cwd = tmp, .env = env};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_int_equal(r.exit_code, 78);
    assert_string_equal(r.err, "codex-mock: CODEX_MOCK_STREAM_ABOVE: expected a size in bytes "
                               "such as 8388608, found 'abc'\n");
    assert_int_equal(r.out_len, 0);
    proc_result_free(&r);
    free(good);
}

static void test_lint(void **state) {
    (void)state;
    char *good = e2e_write(tmp, "good.yaml", "codex_mock: 1\nsteps:\n  - message: hi\n");
    char *bad = e2e_write(tmp, "bad.yaml", "codex_mock: 1\nsteps:\n  - mesage: hi\n");
    proc_result r;
    toolbox(&r, (const char *[]){"lint", good, NULL});
    assert_int_equal(r.exit_code, 0);
    char want[8192];
    snprintf(want, sizeof want, "%s: ok (1 turn, 1 step)\n", good);
    assert_string_equal(r.out, want);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"lint", good, bad, NULL});
    assert_int_equal(r.exit_code, 1);
    snprintf(want, sizeof want,
             "%s: ok (1 turn, 1 step)\ncodex-mock: %s:3:5: unknown step type 'mesage' (did you "
             "mean 'message'?)\n",
             good, bad);
    assert_string_equal(r.out, want);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"lint", NULL});
    assert_int_equal(r.exit_code, 2);
    proc_result_free(&r);
    free(good);
    free(bad);
}

static void test_every_builtin_scenario_lints(void **state) {
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' lint '%s'/*.yaml >/dev/null", TOOLBOX_BIN, SCENARIO_DIR);
    assert_int_equal(system(cmd), 0);
}

static void test_list(void **state) {
    (void)state;
    proc_result r;
    toolbox(&r, (const char *[]){"list", NULL});
    assert_int_equal(r.exit_code, 0);
    /* one line per built-in, with the summary from its `# Shows:` comment */
    assert_non_null(strstr(r.out, "default  "));
    assert_non_null(strstr(r.out, "a successful turn"));
    for (size_t i = 0; i < r.n_out; i++)
        assert_true(r.out_lines[i].len > 0);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"frobnicate", NULL});
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    proc_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lint),
        cmocka_unit_test(test_malformed_environment),
        cmocka_unit_test(test_every_builtin_scenario_lints),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

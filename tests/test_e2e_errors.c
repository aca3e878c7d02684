/* End to end: a misconfigured mock says so on stderr and exits 78 (EXIT_MOCK_ERROR), never
 * anything a scenario can ask for, and prints nothing on stdout. */
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

/* Runs `codex exec --json x` with env; returns stderr (caller frees) after checking 78. */
static char *run_mock_error(const char *const *env) {
    const char *argv[] = {CODEX_BIN, "exec", "--json", "x", NULL};
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO", "CODEX_MOCK_SPEED",
                                        "CODEX_MOCK_SEED", "CODEX_MOCK_SCENARIO_PATH", NULL};
    proc_spec spec = {.argv = argv, .env = env, .unset = unset, .cwd = tmp};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    if (r.exit_code != 78) fail_msg("exit %d, stderr: %s", r.exit_code, r.err);
    assert_int_equal(r.out_len, 0);
    char *err = strdup(r.err);
    proc_result_free(&r);
    return err;
}

static void check_file(const char *name, const char *content, const char *want_tail) {
    char *path = e2e_write(tmp, name, content);
    char env[8192];
    snprintf(env, sizeof env, "CODEX_MOCK_SCENARIO=%s", path);
    const char *e[] = {env, "CODEX_MOCK_SPEED=0", NULL};
    char *err = run_mock_error(e);
    char want[8192];
    snprintf(want, sizeof want, "codex-mock: %s:%s\n", path, want_tail);
    if (strcmp(err, want) != 0) fail_msg("\n got: %s\nwant: %s", err, want);
    free(err);
    free(path);
}

static void test_bad_scenario_files(void **state) {
    (void)state;
    check_file("empty.yaml", "",
               "1:1: empty scenario: expected a mapping with 'codex_mock: 1' and 'turns'");
    check_file("syntax.yaml", "codex_mock: 1\nsteps:\n  - message: \"unterminated\n",
               "4:1: YAML syntax error: found unexpected end of stream while scanning a quoted "
               "scalar (line 3)");
    check_file("typo.yaml", "codex_mock: 1\nsteps:\n  - mesage: hi\n",
               "3:5: unknown step type 'mesage' (did you mean 'message'?)");
    check_file("key.yaml", "codex_mock: 1\nsteps:\n  - command: ls\n    exit_cod: 1\n",
               "4:5: unknown key 'exit_cod' in a command step (did you mean 'exit_code'?)");
    check_file("type.yaml", "codex_mock: 1\nsteps:\n  - usage: {input_tokens: many}\n",
               "3:27: 'input_tokens' must be an integer, found a string");
    check_file("missing.yaml", "codex_mock: 1\nsteps:\n  - event: {type: error}\n",
               "3:12: an error event needs 'message'");
    check_file("duration.yaml", "codex_mock: 1\nsteps:\n  - message: hi\n    after: soon\n",
               "4:12: bad duration 'soon' for 'after': expected a duration such as 250ms, 1.5s, "
               "2m or 0 (units: us, ms, s, m, h)");
    check_file("reserved.yaml", "codex_mock: 1\nsteps:\n  - exit: 78\n",
               "3:11: exit code 78 is reserved for codex-mock's own errors; pick another");
    check_file("binary.yaml",
               "\x7f"
               "ELF\x02\x01\x01\x00\x00\x00garbage",
               "1:1: YAML syntax error: control characters are not allowed (at byte 0)");
    check_file("utf8.yaml", "codex_mock: 1\nname: \"\xff\xfe bad\"\n",
               "2:8: YAML syntax error: invalid leading UTF-8 octet (at byte 21)");
}

static void test_bad_names_and_paths(void **state) {
    (void)state;
    const char *e1[] = {"CODEX_MOCK_SCENARIO=plain-mesage", NULL};
    char *err = run_mock_error(e1);
    assert_non_null(strstr(err, "codex-mock: CODEX_MOCK_SCENARIO: no scenario named "
                                "'plain-mesage'"));
    assert_non_null(strstr(err, "`codex-mock list` shows the built-in names"));
    free(err);

    const char *e2[] = {"CODEX_MOCK_SCENARIO=..", NULL};
    err = run_mock_error(e2);
    assert_non_null(strstr(err, "is not a scenario name"));
    free(err);

    const char *e3[] = {"CODEX_MOCK_SCENARIO=../../etc/passwd.yaml", NULL};
    err = run_mock_error(e3);
    assert_string_equal(err, "codex-mock: CODEX_MOCK_SCENARIO: no scenario file "
                             "'../../etc/passwd.yaml' (No such file or directory)\n");
    free(err);

    char env[4096];
    snprintf(env, sizeof env, "CODEX_MOCK_SCENARIO=%s/", tmp);
    const char *e4[] = {env, NULL};
    err = run_mock_error(e4);
    assert_non_null(strstr(err, "it is a directory"));
    free(err);
}

static void test_bad_environment(void **state) {
    (void)state;
    const char *e1[] = {"CODEX_MOCK_SPEED=fast", NULL};
    char *err = run_mock_error(e1);
    assert_string_equal(err, "codex-mock: CODEX_MOCK_SPEED must be a number >= 0 (0 instant, 1 "
                             "real pace, 10 ten times faster), not 'fast'\n");
    free(err);
    const char *e2[] = {"CODEX_MOCK_SPEED=-1", NULL};
    err = run_mock_error(e2);
    assert_non_null(strstr(err, "not '-1'"));
    free(err);
    const char *e3[] = {"CODEX_MOCK_SEED=abc", NULL};
    err = run_mock_error(e3);
    assert_string_equal(err, "codex-mock: CODEX_MOCK_SEED must be a whole number from 0 to "
                             "18446744073709551615, not 'abc'\n");
    free(err);
    const char *e4[] = {"CODEX_MOCK_SCHEMA=bogus", NULL};
    err = run_mock_error(e4);
    assert_string_equal(err, "codex-mock: CODEX_MOCK_SCHEMA must be 'warn' or 'strict', not "
                             "'bogus'\n");
    free(err);
}

static void test_scenario_path_search(void **state) {
    (void)state;
    /* CODEX_MOCK_SCENARIO_PATH is searched before the built-in library */
    char *dir = malloc(strlen(tmp) + 8);
    sprintf(dir, "%s/lib", tmp);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(e2e_write(dir, "default.yaml", "codex_mock: 1\nsteps:\n  - message: from the path\n"));
    char env[4096];
    snprintf(env, sizeof env, "CODEX_MOCK_SCENARIO_PATH=%s", dir);
    const char *argv[] = {CODEX_BIN, "exec", "x", NULL};
    const char *env_v[] = {env, "CODEX_MOCK_SPEED=0", NULL};
    static const char *const unset[] = {"CODEX_MOCK_SCENARIO", NULL};
    proc_spec spec = {.argv = argv, .env = env_v, .unset = unset, .cwd = tmp};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "from the path\n");
    proc_result_free(&r);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_scenario_files),
        cmocka_unit_test(test_bad_names_and_paths),
        cmocka_unit_test(test_bad_environment),
        cmocka_unit_test(test_scenario_path_search),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

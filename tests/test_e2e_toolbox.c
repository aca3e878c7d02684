/* End to end: the `codex-mock` toolbox — lint, list, show by name, env, completion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include "buf.h"

#include <cJSON.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void toolbox_env(proc_result *r, const char *const *args, const char *const *env) {
    const char *argv[16] = {TOOLBOX_BIN};
    size_t n = 1;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    proc_spec spec = {.argv = argv,
                      .cwd = tmp,
                      .env = env,
                      .unset = (const char *[]){"CODEX_MOCK_SCENARIO_PATH", NULL}};
    assert_int_equal(proc_run(&spec, r), 0);
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
    /* the faces column (docs/format.md "faces"): both by default, exec alone for what is exec's
     * by what it uses, app-server alone when `faces:` says so */
    assert_non_null(strstr(r.out, "\ndefault  "));
    assert_non_null(strstr(r.out, "  exec,app-server  a successful turn"));
    assert_non_null(strstr(r.out, "\nlogin-port-in-use "));
    const char *line = strstr(r.out, "\nlogin-port-in-use ");
    assert_non_null(line);
    line += strspn(line + 1, "abcdefghijklmnopqrstuvwxyz-") + 1;
    assert_int_equal(strncmp(line + strspn(line, " "), "exec            ", 16), 0);
    line = strstr(r.out, "\nappserver-exit-at-turn-start ");
    assert_non_null(line);
    line += strspn(line + 1, "abcdefghijklmnopqrstuvwxyz-") + 1;
    assert_int_equal(strncmp(line + strspn(line, " "), "app-server      ", 16), 0);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"frobnicate", NULL});
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    proc_result_free(&r);
}

/* What `list` prints, `show` and `lint` take (issue 15): a built-in name is resolved as
 * CODEX_MOCK_SCENARIO resolves it; the output is the same as for the library's file. */
static void test_show_and_lint_take_names(void **state) {
    (void)state;
    char *file = xasprintf("%s/command-success.yaml", SCENARIO_DIR);
    proc_result by_name, by_file;
    toolbox_env(&by_name, (const char *[]){"show", "--json", "command-success", NULL}, NULL);
    toolbox_env(&by_file, (const char *[]){"show", "--json", file, NULL}, NULL);
    assert_int_equal(by_name.exit_code, 0);
    assert_int_equal(by_file.exit_code, 0);
    assert_true(by_name.out_len > 100);
    assert_string_equal(by_name.out, by_file.out);
    proc_result_free(&by_name);
    proc_result_free(&by_file);

    proc_result r;
    toolbox_env(&r, (const char *[]){"lint", "command-success", NULL}, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "/share/codex-mock/scenarios/command-success.yaml: ok (1 turn"));
    proc_result_free(&r);

    /* a name that is nowhere: the select error, with its "did you mean" */
    toolbox_env(&r, (const char *[]){"show", "command-sucess", NULL}, NULL);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "codex-mock: command-sucess: not a file, and no scenario named "
                                  "'command-sucess' (did you mean 'command-success'?)"));
    proc_result_free(&r);
    toolbox_env(&r, (const char *[]){"lint", "default", "nosuch", NULL}, NULL);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.out, "/default.yaml: ok ("));
    assert_non_null(
        strstr(r.out, "codex-mock: nosuch: not a file, and no scenario named 'nosuch'"));
    proc_result_free(&r);

    /* CODEX_MOCK_SCENARIO_PATH comes first, as for codex; a file in the cwd beats a name */
    char *dir = xasprintf("%s/mine", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    char *mine = e2e_write(dir, "command-success.yaml",
                           "codex_mock: 1\nsteps:\n  - message: from my path\n");
    char *path_env = xasprintf("CODEX_MOCK_SCENARIO_PATH=%s", dir);
    toolbox_env(&r, (const char *[]){"lint", "command-success", NULL},
                (const char *[]){path_env, NULL});
    char *want = xasprintf("%s: ok (1 turn, 1 step)\n", mine);
    assert_string_equal(r.out, want);
    proc_result_free(&r);
    free(e2e_write(tmp, "plain-message", "codex_mock: 1\nsteps:\n  - message: a file\n"));
    toolbox_env(&r, (const char *[]){"lint", "plain-message", NULL}, NULL);
    assert_string_equal(r.out, "plain-message: ok (1 turn, 1 step)\n");
    proc_result_free(&r);
    free(want);
    free(path_env);
    free(mine);
    free(dir);
    free(file);
}

static void test_list_json(void **state) {
    (void)state;
    proc_result r, plain;
    toolbox(&r, (const char *[]){"list", "--json", NULL});
    toolbox(&plain, (const char *[]){"list", NULL});
    assert_int_equal(r.exit_code, 0);
    cJSON *arr = cJSON_Parse(r.out);
    assert_true(cJSON_IsArray(arr));
    /* the same scenarios as the text listing, each with its summary and an existing file */
    assert_int_equal((size_t)cJSON_GetArraySize(arr), plain.n_out);
    const cJSON *o;
    bool saw_default = false;
    int saw_appserver_only = 0;
    cJSON_ArrayForEach(o, arr) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
        const char *sum = cJSON_GetStringValue(cJSON_GetObjectItem(o, "summary"));
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(o, "path"));
        assert_non_null(name);
        assert_non_null(sum);
        assert_non_null(path);
        assert_int_equal(access(path, R_OK), 0);
        /* faces: a non-empty list of exec / app-server, in that order */
        const cJSON *faces = cJSON_GetObjectItem(o, "faces");
        assert_true(cJSON_IsArray(faces));
        int nf = cJSON_GetArraySize(faces);
        assert_true(nf == 1 || nf == 2);
        const char *f0 = cJSON_GetStringValue(cJSON_GetArrayItem(faces, 0));
        assert_non_null(f0);
        if (nf == 2) {
            assert_string_equal(f0, "exec");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(faces, 1)), "app-server");
        } else {
            assert_true(!strcmp(f0, "exec") || !strcmp(f0, "app-server"));
        }
        /* app-server alone for the app-server process faults, exec alone for config.toml */
        if (!strncmp(name, "appserver-", 10)) {
            assert_int_equal(nf, 1);
            assert_string_equal(f0, "app-server");
            saw_appserver_only++;
        }
        if (!strncmp(name, "config-toml-", 12)) {
            assert_int_equal(nf, 1);
            assert_string_equal(f0, "exec");
        }
        if (!strcmp(name, "default")) {
            saw_default = true;
            assert_non_null(strstr(sum, "a successful turn"));
            assert_int_equal(nf, 2);
        }
    }
    assert_true(saw_default);
    assert_true(saw_appserver_only >= 5);
    cJSON_Delete(arr);
    proc_result_free(&r);
    proc_result_free(&plain);
    toolbox(&r, (const char *[]){"list", "--yaml", NULL});
    assert_int_equal(r.exit_code, 2);
    proc_result_free(&r);
}

/* In the build tree the fake is beside the toolbox; the installed layouts are install_test.sh's. */
static void test_env(void **state) {
    (void)state;
    proc_result r;
    toolbox(&r, (const char *[]){"env", NULL});
    assert_int_equal(r.exit_code, 0);
    char real[PATH_MAX];
    assert_non_null(realpath(CODEX_BIN, real));
    *strrchr(real, '/') = '\0';
    char *want = xasprintf("export PATH=%s:$PATH\n", real);
    assert_string_equal(r.out, want);
    free(want);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"env", "extra", NULL});
    assert_int_equal(r.exit_code, 2);
    proc_result_free(&r);
}

/* The completion script is generated from the tables --help prints: every toolbox command in
 * the help is a completion word, and codex's options come from cli.c's grammar. */
static void test_completion_from_help_tables(void **state) {
    (void)state;
    proc_result help, bash, zsh;
    toolbox(&help, (const char *[]){"help", NULL});
    toolbox(&bash, (const char *[]){"completion", "bash", NULL});
    toolbox(&zsh, (const char *[]){"completion", "zsh", NULL});
    assert_int_equal(bash.exit_code, 0);
    assert_int_equal(zsh.exit_code, 0);
    const char *cmds[] = {"lint",    "list",   "show",  "record", "convert",
                          "journal", "verify", "reset", "env",    "completion"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *h = xasprintf("\n  %s", cmds[i]);
        assert_non_null(strstr(help.out, h));
        free(h);
        char *c = xasprintf("'codex-mock|%s') cpath='codex-mock %s'", cmds[i], cmds[i]);
        if (!strstr(bash.out, c)) fail_msg("bash completion lacks %s", c);
        assert_non_null(strstr(zsh.out, c));
        free(c);
    }
    assert_non_null(strstr(bash.out, "'codex|exec'|'codex|e') cpath='codex exec'"));
    assert_non_null(strstr(bash.out, "compgen -W 'read-only workspace-write danger-full-access'"));
    assert_non_null(strstr(bash.out, "complete -F _codex_mock_complete_codex codex\n"));
    assert_non_null(strstr(bash.out, "complete -F _codex_mock_complete_codex_mock codex-mock\n"));
    assert_true(!strncmp(zsh.out, "#compdef codex-mock\n", 20));
    proc_result_free(&help);
    proc_result_free(&bash);
    proc_result_free(&zsh);
    /* one program only; a shell we do not know */
    toolbox(&bash, (const char *[]){"completion", "bash", "codex", NULL});
    assert_null(strstr(bash.out, "codex-mock|"));
    assert_non_null(strstr(bash.out, "complete -F _codex_mock_complete_codex codex\n"));
    proc_result_free(&bash);
    toolbox(&bash, (const char *[]){"completion", "fish", NULL});
    assert_int_equal(bash.exit_code, 2);
    assert_string_equal(bash.out, "");
    proc_result_free(&bash);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lint),
        cmocka_unit_test(test_malformed_environment),
        cmocka_unit_test(test_every_builtin_scenario_lints),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_show_and_lint_take_names),
        cmocka_unit_test(test_list_json),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_completion_from_help_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

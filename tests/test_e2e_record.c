/* End to end: `codex-mock record`, `convert`, `show` and `lint` as a user runs them.
 *
 *  - Round trip on our own output: the fake `codex` (CODEX_MOCK_REAL_CODEX) plays every
 *    built-in scenario (4× faster, so the suite stays short) under `codex-mock record`; runs
 *    that hang get SIGINT, which the recorder forwards and notes. Every recording is then
 *    converted and replayed by the conformance suite (test_conformance_all, strict): identical
 *    bytes, exit and timing.
 *  - Secrets: keys in argv, env and stdout never reach the recording; --filter adds rules;
 *    --no-scrub keeps everything.
 *  - Usage errors of the new commands and their exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "e2e.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

static const int SPEED = 4;

static char *tmp;

static int setup(void **state) {
    (void)state;
    tmp = e2e_tmpdir();
    if (!tmp) return -1;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/work", tmp);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/home", tmp);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/codex_home", tmp);
    mkdir(p, 0755);
    /* Session files go here, never to the user's ~/.codex (which record would also search). */
    setenv("CODEX_HOME", p, 1);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    const char *keep = getenv("CODEX_MOCK_KEEP_SCRATCH");
    if (keep && *keep) {
        fprintf(stderr, "scratch kept: %s\n", tmp);
        free(tmp);
        return 0;
    }
    e2e_rmtree(tmp);
    return 0;
}

static void toolbox(proc_result *r, const char *const *args, const char *const *env, int sig,
                    double sig_ms) {
    const char *argv[32] = {TOOLBOX_BIN};
    size_t n = 1;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char cwd[PATH_MAX];
    snprintf(cwd, sizeof cwd, "%s/work", tmp);
    static const char *const unset[] = {"CODEX_MOCK_SPEED", "CODEX_MOCK_SEED", "CODEX_MOCK_NOW",
                                        "CODEX_MOCK_SCENARIO", NULL};
    proc_spec spec = {.argv = argv,
                      .env = env,
                      .unset = unset,
                      .cwd = cwd,
                      .signal = sig,
                      .signal_after_ms = sig_ms,
                      .timeout_ms = 60000};
    assert_int_equal(proc_run(&spec, r), 0);
}

/* When a scenario's timeline ends in a hang (or never ends): its last due time, ms; else -1. */
static double hang_time(const char *path) {
    proc_result r;
    toolbox(&r, (const char *[]){"show", "--json", path, NULL}, NULL, 0, 0);
    double t = -1;
    for (size_t i = 0; i < r.n_out; i++) {
        const char *row = r.out_lines[i].text;
        if (strstr(row, "\"event\":\"hang\"") || strstr(row, "\"event\":\"more\"")) {
            const char *p = strstr(row, "\"t_ms\":");
            t = p ? atof(p + 7) : 0;
            if (strstr(row, "\"event\":\"more\"") || t > 8000) t = 8000;
        }
    }
    proc_result_free(&r);
    return t;
}

/* Whether a built-in plays in the app-server face alone (`faces: [app-server]` at the top,
 * docs/format.md#faces): `record -- codex exec` has nothing to record of it. */
static bool appserver_only(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char line[512];
    bool yes = false;
    while (!yes && fgets(line, sizeof line, f))
        yes = strncmp(line, "faces: [app-server]", 19) == 0;
    fclose(f);
    return yes;
}

static void test_round_trip_builtin_scenarios(void **state) {
    (void)state;
    char recs[PATH_MAX];
    snprintf(recs, sizeof recs, "%s/recordings", tmp);
    mkdir(recs, 0755);
    DIR *d = opendir(SCENARIO_DIR);
    assert_non_null(d);
    struct dirent *e;
    size_t n = 0;
    char env_real[PATH_MAX + 32], env_home[PATH_MAX + 16], env_chome[PATH_MAX + 32];
    snprintf(env_real, sizeof env_real, "CODEX_MOCK_REAL_CODEX=%s", CODEX_BIN);
    snprintf(env_home, sizeof env_home, "HOME=%s/home", tmp);
    snprintf(env_chome, sizeof env_chome, "CODEX_HOME=%s/codex_home", tmp);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml")) continue;
        const char *only = getenv("CODEX_MOCK_ROUNDTRIP_ONLY"); /* NAME,NAME: a few */
        if (only && *only && !strstr(only, e->d_name)) continue;
        char name[256], path[PATH_MAX], out[PATH_MAX + 300], scen[300], speed[32];
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
        snprintf(path, sizeof path, "%s/%s", SCENARIO_DIR, e->d_name);
        if (appserver_only(path)) continue; /* test_e2e_appserver_faults plays those */
        snprintf(out, sizeof out, "%s/%s", recs, name);
        snprintf(scen, sizeof scen, "CODEX_MOCK_SCENARIO=%s", name);
        snprintf(speed, sizeof speed, "CODEX_MOCK_SPEED=%d", SPEED);
        double hang = hang_time(path);
        const char *env[] = {env_real, env_home, env_chome, scen, speed, "CODEX_API_KEY=dummy",
                             NULL};
        proc_result r;
        toolbox(&r,
                (const char *[]){"record", "--out", out, "--name", name, "--", "codex", "exec",
                                 "--json", "--skip-git-repo-check", "Say hello.", NULL},
                /* the scenario's own pace, plus room for the two programs to start */
                env, hang >= 0 ? SIGINT : 0, hang >= 0 ? hang / SPEED + proc_ms(400) : 0);
        char argv_json[PATH_MAX + 320];
        snprintf(argv_json, sizeof argv_json, "%s/argv.json", out);
        if (access(argv_json, F_OK) != 0)
            fail_msg("%s: no recording written (exit %d, signal %d): %s", name, r.exit_code,
                     r.term_signal, r.err);
        proc_result_free(&r);
        n++;
    }
    closedir(d);
    const char *only = getenv("CODEX_MOCK_ROUNDTRIP_ONLY");
    assert_true(n >= 9 || (only && *only));
    /* replay them all, strictly */
    char conf[PATH_MAX];
    snprintf(conf, sizeof conf, "%s", TOOLBOX_BIN);
    char *slash = strrchr(conf, '/');
    *slash = '\0';
    strncat(conf, "/../tests/test_conformance_all", sizeof conf - strlen(conf) - 1);
    char env_dir[PATH_MAX + 40];
    snprintf(env_dir, sizeof env_dir, "CODEX_MOCK_CONFORMANCE_DIR=%s", recs);
    const char *argv[] = {conf, NULL};
    const char *env[] = {env_dir, "CODEX_MOCK_CONFORMANCE_STRICT=1", NULL};
    proc_spec spec = {.argv = argv, .env = env, .timeout_ms = 600000};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    if (!r.exited || r.exit_code != 0) {
        /* the report can be long: print the failing cases only */
        for (size_t i = 0; i < r.n_out; i++)
            if (!strstr(r.out_lines[i].text, "identical") && !strstr(r.out_lines[i].text, "[ "))
                print_error("%s\n", r.out_lines[i].text);
        for (size_t i = 0; i < r.n_err; i++)
            print_error("%s\n", r.err_lines[i].text);
        fail_msg("the recordings of the built-in scenarios do not replay identically");
    }
    print_message("round trip: %zu built-in scenarios recorded, converted, replayed identically\n",
                  n);
    proc_result_free(&r);
}

static bool dir_contains(const char *dir, const char *needle) {
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd, "grep -rqF -e '%s' '%s'", needle, dir);
    return system(cmd) == 0;
}

static void test_secrets_are_scrubbed(void **state) {
    (void)state;
    const char *key = "sk-live-ABCDEFGHIJKLMNOPQRSTUV", *token = "hunter2-super-secret";
    char *scen = e2e_write(tmp, "secret.yaml",
                           "codex_mock: 1\nsteps:\n"
                           "  - message: \"key sk-live-ABCDEFGHIJKLMNOPQRSTUV token "
                           "hunter2-super-secret host db.example.internal other "
                           "sk-proj-ZYXWVUTSRQPONMLKJIHG\"\n"
                           "  - stderr: \"Authorization: Bearer abcdefghijklmnop\"\n");
    char env_real[PATH_MAX + 32], env_scen[PATH_MAX + 32], out[PATH_MAX], raw[PATH_MAX];
    snprintf(env_real, sizeof env_real, "CODEX_MOCK_REAL_CODEX=%s", CODEX_BIN);
    snprintf(env_scen, sizeof env_scen, "CODEX_MOCK_SCENARIO=%s", scen);
    snprintf(out, sizeof out, "%s/scrubbed", tmp);
    snprintf(raw, sizeof raw, "%s/raw", tmp);
    /* CODEX_API_KEY is recorded (as a placeholder); MY_SERVICE_TOKEN is not recorded, but its
     * value in the output is still replaced */
    const char *env[] = {env_real,
                         env_scen,
                         "MY_SERVICE_TOKEN=hunter2-super-secret",
                         "CODEX_API_KEY=sk-live-ABCDEFGHIJKLMNOPQRSTUV",
                         "CODEX_MOCK_SPEED=0",
                         NULL};
    proc_result r;
    toolbox(&r,
            (const char *[]){"record", "--out", out, "--filter", "HOST=[a-z]+\\.example\\.internal",
                             "--", "codex", "exec", "--json", "--skip-git-repo-check", "-c",
                             "api_key=sk-live-ABCDEFGHIJKLMNOPQRSTUV", "Say hello.", NULL},
            env, 0, 0);
    assert_int_equal(r.exit_code, 0);
    /* the caller still sees the real output, live */
    assert_non_null(strstr(r.out, key));
    proc_result_free(&r);
    assert_false(dir_contains(out, key));
    assert_false(dir_contains(out, token));
    assert_false(dir_contains(out, "db.example.internal"));
    assert_false(dir_contains(out, "abcdefghijklmnop"));
    assert_false(dir_contains(out, "sk-proj-ZYXWVUTSRQPONMLKJIHG"));
    assert_true(dir_contains(out, "api_key=<CODEX_API_KEY>")); /* argv: the env value */
    assert_true(dir_contains(out, "other <SECRET>"));          /* the sk- pattern */
    assert_true(dir_contains(out, "\"<CODEX_API_KEY>\""));     /* env */
    assert_true(dir_contains(out, "token <MY_SERVICE_TOKEN> host <HOST>")); /* stdout */
    assert_true(dir_contains(out, "Bearer <SECRET>"));                      /* stderr */
    toolbox(&r,
            (const char *[]){"record", "--no-scrub", "--out", raw, "--", "codex", "exec", "--json",
                             "--skip-git-repo-check", "Say hello.", NULL},
            env, 0, 0);
    proc_result_free(&r);
    assert_true(dir_contains(raw, key));
    assert_true(dir_contains(raw, token));
    free(scen);
}

static void test_usage_errors(void **state) {
    (void)state;
    proc_result r;
    toolbox(&r, (const char *[]){"record", NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "give the command to record"));
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"record", "--filter", "broken", "--", "codex", NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 2);
    proc_result_free(&r);
    const char *env[] = {"PATH=/nonexistent", NULL};
    toolbox(&r, (const char *[]){"record", "--", "codex", "exec", NULL}, env, 0, 0);
    assert_int_equal(r.exit_code, 78);
    assert_non_null(strstr(r.err, "was not found on PATH"));
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"convert", NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 2);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"convert", "/nonexistent", NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 1);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"show", NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 2);
    proc_result_free(&r);
}

static void test_convert_show_lint(void **state) {
    (void)state;
    char trace[PATH_MAX], yaml[PATH_MAX];
    snprintf(trace, sizeof trace, "%s/03_command_success", CORPUS_DIR);
    snprintf(yaml, sizeof yaml, "%s/03.yaml", tmp);
    proc_result r;
    toolbox(&r, (const char *[]){"convert", trace, "-o", yaml, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"lint", yaml, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, ": ok (1 turn, 4 steps)"));
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"show", yaml, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "     214.2"));
    assert_non_null(strstr(r.out, "command_execution item_1: /bin/bash -lc"));
    proc_result_free(&r);
    char *bad = e2e_write(tmp, "lifecycle.yaml",
                          "codex_mock: 1\nsteps:\n  - event: {type: turn.failed, error: "
                          "{message: x}}\n");
    toolbox(&r, (const char *[]){"lint", bad, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 1);
    char want[PATH_MAX + 128];
    snprintf(want, sizeof want, "%s:3:5: error: turn.failed must follow an error event", bad);
    assert_non_null(strstr(r.out, want));
    proc_result_free(&r);
    free(bad);
}

/* Names in dir starting with prefix (counted). */
static int count_prefixed(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += !strncmp(e->d_name, prefix, strlen(prefix));
    closedir(d);
    return n;
}

/* An app-server recording: one file per process (-o required then), a rules file for two
 * threads, nothing else left in the folder (each file written under a temporary name and
 * renamed); show draws the client's answer to the approval the recording asked. */
static void test_convert_appserver_session(void **state) {
    (void)state;
    const char *corpus = SOURCE_DIR "/tests/corpus/app-server-0.171.0";
    char in[PATH_MAX], out[PATH_MAX];
    proc_result r;
    snprintf(in, sizeof in, "%s/15_thread_resume_new_process", corpus);
    toolbox(&r, (const char *[]){"convert", in, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "converts into 2 files"));
    assert_int_equal(r.out_len, 0);
    proc_result_free(&r);
    snprintf(out, sizeof out, "%s/as15.yaml", tmp);
    toolbox(&r, (const char *[]){"convert", in, "-o", out, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    proc_result_free(&r);
    assert_int_equal(count_prefixed(tmp, "as15."), 2);
    snprintf(out, sizeof out, "%s/as15.proc2.yaml", tmp);
    toolbox(&r, (const char *[]){"lint", out, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    proc_result_free(&r);

    snprintf(in, sizeof in, "%s/24_thread_list_after_two_threads", corpus);
    snprintf(out, sizeof out, "%s/as24.yaml", tmp);
    toolbox(&r, (const char *[]){"convert", in, "-o", out, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    proc_result_free(&r);
    assert_int_equal(count_prefixed(tmp, "as24."), 3);
    snprintf(out, sizeof out, "%s/as24.rules.yaml", tmp);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);

    snprintf(in, sizeof in, "%s/13_file_change_approval_accept", corpus);
    snprintf(out, sizeof out, "%s/as13.yaml", tmp);
    toolbox(&r, (const char *[]){"convert", in, "-o", out, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.err_len, 0); /* no note: nothing left out, the replay check agrees */
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"show", out, NULL}, NULL, 0, 0);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "client  answer          answers accept to the approval"));
    proc_result_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_convert_show_lint),
        cmocka_unit_test(test_convert_appserver_session),
        cmocka_unit_test(test_secrets_are_scrubbed),
        cmocka_unit_test(test_round_trip_builtin_scenarios),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

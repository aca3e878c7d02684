/* End to end: rules and sequences, the journal, verify, templates, determinism, and many
 * invocations at once sharing one state directory (issue "State across invocations").
 *
 * CODEX_MOCK_TEST_CONCURRENT sets how many at once (default 500, at most 500): tools/valgrind
 * asks for fewer, as 500 memchecks at once would need more memory than a CI machine has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <cJSON.h>
#include <signal.h>
#include <sys/wait.h>

static char *tmp, *home, *state;

static int setup(void **st) {
    (void)st;
    tmp = e2e_tmpdir();
    if (!tmp) return -1;
    home = malloc(strlen(tmp) + 8);
    state = malloc(strlen(tmp) + 8);
    sprintf(home, "%s/home", tmp);
    sprintf(state, "%s/state", tmp);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", home);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **st) {
    (void)st;
    free(home);
    free(state);
    e2e_rmtree(tmp);
    return 0;
}

static const char *const UNSET[] = {"CODEX_MOCK_SCENARIO",
                                    "CODEX_MOCK_RULES",
                                    "CODEX_MOCK_SEED",
                                    "CODEX_MOCK_NOW",
                                    "CODEX_MOCK_CHAOS",
                                    "CODEX_MOCK_STATE",
                                    NULL};

static void run(proc_result *r, const char *const *args, const char *extra1, const char *extra2) {
    const char *argv[16] = {CODEX_BIN, "exec", "--json"};
    size_t n = 3;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char e_home[4096], e_state[4096];
    snprintf(e_home, sizeof e_home, "CODEX_HOME=%s", home);
    snprintf(e_state, sizeof e_state, "CODEX_MOCK_STATE=%s", state);
    const char *env[] = {e_home, e_state, "CODEX_MOCK_SPEED=0", extra1, extra2, NULL};
    proc_spec spec = {.argv = argv, .env = env, .unset = UNSET, .cwd = tmp};
    assert_int_equal(proc_run(&spec, r), 0);
}

static void toolbox(proc_result *r, const char *const *args) {
    const char *argv[16] = {TOOLBOX_BIN};
    size_t n = 1;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char e_state[4096];
    snprintf(e_state, sizeof e_state, "CODEX_MOCK_STATE=%s", state);
    const char *env[] = {e_state, NULL};
    proc_spec spec = {.argv = argv, .env = env, .unset = UNSET, .cwd = tmp};
    assert_int_equal(proc_run(&spec, r), 0);
}

static char *rules_env(const char *text) {
    char *p = e2e_write(tmp, "rules.yaml", text);
    char *env = malloc(strlen(p) + 32);
    sprintf(env, "CODEX_MOCK_RULES=%s", p);
    free(p);
    return env;
}

static void test_rules_and_sequences(void **st) {
    (void)st;
    proc_result r;
    toolbox(&r, (const char *[]){"reset", NULL});
    proc_result_free(&r);
    char *env = rules_env("codex_mock_rules: 1\n"
                          "rules:\n"
                          "  - name: flaky\n"
                          "    match: {prompt: \"fix .*tests\", flags: [--json]}\n"
                          "    sequence: [usage-limit-429, plain-message]\n"
                          "  - name: reviews\n"
                          "    match: {command: review}\n"
                          "    scenario: plain-message\n"
                          "  - name: rest\n"
                          "    scenario: reasoning-then-message\n");
    /* first call 429, then success, and the last one repeats */
    int want[] = {1, 0, 0};
    for (int i = 0; i < 3; i++) {
        run(&r, (const char *[]){"--skip-git-repo-check", "fix the tests", NULL}, env, NULL);
        assert_int_equal(r.exit_code, want[i]);
        proc_result_free(&r);
    }
    run(&r, (const char *[]){"--skip-git-repo-check", "something else", NULL}, env, NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\"type\":\"reasoning\""));
    proc_result_free(&r);
    /* the journal has one line per call, with the rule and scenario that answered */
    toolbox(&r, (const char *[]){"journal", "--json", NULL});
    assert_int_equal(r.n_out, 4);
    cJSON *first = cJSON_Parse(r.out_lines[0].text);
    assert_string_equal(cJSON_GetObjectItem(first, "rule")->valuestring, "flaky");
    assert_string_equal(cJSON_GetObjectItem(first, "scenario")->valuestring, "usage-limit-429");
    assert_int_equal(cJSON_GetObjectItem(first, "exit_code")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(first, "prompt")->valuestring, "fix the tests");
    assert_int_equal(cJSON_GetObjectItem(first, "invocation")->valueint, 1);
    cJSON_Delete(first);
    proc_result_free(&r);
    /* verify: passing and failing expectations, with a readable account */
    toolbox(&r, (const char *[]){"verify", "--times", "4", "--flag", "--json", "--prompt", "fix",
                                 NULL});
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "ok: 4 invocations match\n");
    proc_result_free(&r);
    toolbox(&r, (const char *[]){"verify", "--times", "2", "--flag", "--sandbox=read-only",
                                 "--in-order", "--prompt", "^fix", "--prompt", "else$", NULL});
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.out, "codex-mock verify: expectations not met\n"
                                  "  expected 2 invocations, found 4\n"
                                  "  #1 was called without --sandbox=read-only\n"));
    assert_non_null(strstr(r.out, "  #2: prompt \"fix the tests\" does not match /else$/ "
                                  "(expected 2 of 2 in order)\n"));
    assert_non_null(strstr(r.out, "  #1 codex exec --json --skip-git-repo-check 'fix the tests'"
                                  "  -> exit 1  (scenario usage-limit-429, rule flaky)\n"));
    proc_result_free(&r);
    /* a rule that names a missing scenario is the mock's error, pointing at the rule */
    char *bad = rules_env("codex_mock_rules: 1\nrules:\n  - scenario: no-such-scenario\n");
    run(&r, (const char *[]){"--skip-git-repo-check", "x", NULL}, bad, NULL);
    assert_int_equal(r.exit_code, 78);
    assert_non_null(strstr(r.err, "rules.yaml:3:5: rule 'rule-1': CODEX_MOCK_SCENARIO: no "
                                  "scenario named 'no-such-scenario'"));
    proc_result_free(&r);
    char *typo = rules_env("codex_mock_rules: 1\nrules:\n  - scenaro: x\n");
    run(&r, (const char *[]){"--skip-git-repo-check", "x", NULL}, typo, NULL);
    assert_int_equal(r.exit_code, 78);
    assert_non_null(strstr(r.err, "rules.yaml:3:5: unknown key 'scenaro' in a rule (did you "
                                  "mean 'scenario'?)"));
    proc_result_free(&r);
    free(bad);
    free(typo);
    free(env);
}

static void test_templates_and_determinism(void **st) {
    (void)st;
    char *scn = e2e_write(tmp, "tpl.yaml",
                          "codex_mock: 1\nsteps:\n"
                          "  - message: \"You said {{prompt}} in {{cwd}} as {{env.TPL_USER}} "
                          "on thread {{thread_id}} (call {{invocation}} at {{now}})\"\n");
    char e_scn[4096];
    snprintf(e_scn, sizeof e_scn, "CODEX_MOCK_SCENARIO=%s", scn);
    const char *argv[] = {CODEX_BIN, "exec", "--json", "--skip-git-repo-check", "hi there", NULL};
    char e_home[4096], e_state[4096];
    snprintf(e_home, sizeof e_home, "CODEX_HOME=%s", home);
    snprintf(e_state, sizeof e_state, "CODEX_MOCK_STATE=%s/tpl-state", tmp);
    const char *env[] = {e_scn,
                         e_home,
                         e_state,
                         "CODEX_MOCK_SPEED=0",
                         "CODEX_MOCK_SEED=7",
                         "CODEX_MOCK_NOW=2026-11-21T07:38:03Z",
                         "TPL_USER=ada",
                         NULL};
    proc_spec spec = {.argv = argv, .env = env, .unset = UNSET, .cwd = tmp};
    proc_result a, b;
    assert_int_equal(proc_run(&spec, &a), 0);
    assert_int_equal(proc_run(&spec, &b), 0);
    char want[8192];
    const char *id = strstr(a.out, "\"thread_id\":\"") + 13;
    snprintf(want, sizeof want,
             "You said hi there in %s as ada on thread %.36s (call 1 at 2026-11-21T07:38:03.000Z)",
             tmp, id);
    assert_non_null(strstr(a.out, want));
    /* with a seed and a fixed start time, two runs print the same bytes, ids included —
     * apart from {{invocation}}, which counts */
    char *a2 = replace_all(a.out, "(call 1 ", "(call N ");
    char *b2 = replace_all(b.out, "(call 2 ", "(call N ");
    assert_string_equal(a2, b2);
    assert_int_equal(strncmp(id, "01a1fd0a-", 9), 0); /* the time prefix of 07:38:03 */
    free(a2);
    free(b2);
    proc_result_free(&a);
    proc_result_free(&b);
    /* an unknown placeholder is a load error with its position */
    char *bad = e2e_write(tmp, "bad.yaml", "codex_mock: 1\nsteps:\n  - stderr: \"{{whoami}}\"\n");
    snprintf(e_scn, sizeof e_scn, "CODEX_MOCK_SCENARIO=%s", bad);
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_int_equal(r.exit_code, 78);
    assert_non_null(strstr(r.err, "bad.yaml:3:13: unknown placeholder {{whoami}} in 'stderr'"));
    assert_non_null(strstr(r.err, "{{braces}} writes a literal {{"));
    proc_result_free(&r);
    free(bad);
    /* {{braces}}: text that looks like a placeholder, played as written; a label may hold {{ */
    bad = e2e_write(tmp, "braces.yaml",
                    "codex_mock: 1\nname: \"{{whoami}}\"\nsteps:\n"
                    "  - stderr: \"{{braces}}whoami}} in {{cwd}}\\n\"\n");
    snprintf(e_scn, sizeof e_scn, "CODEX_MOCK_SCENARIO=%s", bad);
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_int_equal(r.exit_code, 0);
    char want_err[4200];
    snprintf(want_err, sizeof want_err, "{{whoami}} in %s\n", tmp);
    assert_non_null(strstr(r.err, want_err));
    proc_result_free(&r);
    free(bad);
    free(scn);
}

enum { MANY = 500 };

/* How many invocations test_many_at_once starts: MANY unless CODEX_MOCK_TEST_CONCURRENT says
 * fewer. */
static int many(void) {
    const char *s = getenv("CODEX_MOCK_TEST_CONCURRENT");
    int n = s && *s ? atoi(s) : MANY;
    return n >= 2 && n <= MANY ? n : MANY;
}

/* 500 invocations at once (or many()) against one sequence of 500 and one journal: the first
 * positions given once each, one whole journal line per call, a state file that still parses. */
static void test_many_at_once(void **st) {
    (void)st;
    const int n_procs = many();
    if (n_procs < MANY) print_message("CODEX_MOCK_TEST_CONCURRENT: %d at once\n", n_procs);
    char *seq = malloc(64 * 1024);
    strcpy(seq, "codex_mock_rules: 1\nrules:\n  - name: many\n    sequence: [");
    for (int i = 0; i < MANY; i++) {
        char one[64];
        snprintf(one, sizeof one, "%sn%03d", i ? ", " : "", i);
        strcat(seq, one);
    }
    strcat(seq, "]\n");
    char *env = rules_env(seq);
    free(seq);
    char lib[4096];
    snprintf(lib, sizeof lib, "%s/lib", tmp);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", lib);
    assert_int_equal(system(cmd), 0);
    for (int i = 0; i < MANY; i++) { /* scenario nNNN answers "NNN" */
        char name[32], body[128];
        snprintf(name, sizeof name, "n%03d.yaml", i);
        snprintf(body, sizeof body, "codex_mock: 1\nsteps:\n  - message: \"%03d\"\n", i);
        free(e2e_write(lib, name, body));
    }
    char many_state[4096];
    snprintf(many_state, sizeof many_state, "%s/many-state", tmp);
    pid_t pids[MANY];
    for (int i = 0; i < n_procs; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char out[4200];
            snprintf(out, sizeof out, "%s/out.%d", tmp, i);
            if (!freopen(out, "w", stdout) || !freopen("/dev/null", "r", stdin) ||
                !freopen("/dev/null", "w", stderr))
                _exit(126);
            setenv("CODEX_HOME", home, 1);
            setenv("CODEX_MOCK_STATE", many_state, 1);
            setenv("CODEX_MOCK_SCENARIO_PATH", lib, 1);
            setenv("CODEX_MOCK_SPEED", "0", 1);
            putenv(env);
            if (chdir(tmp) != 0) _exit(126);
            execl(CODEX_BIN, CODEX_BIN, "exec", "--json", "--skip-git-repo-check", "go", NULL);
            _exit(127);
        }
        pids[i] = pid;
    }
    int failures = 0;
    for (int i = 0; i < n_procs; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failures++;
    }
    assert_int_equal(failures, 0);
    bool seen[MANY] = {0};
    for (int i = 0; i < n_procs; i++) {
        char out[4200];
        snprintf(out, sizeof out, "%s/out.%d", tmp, i);
        char *text = read_file(out, NULL);
        assert_non_null(text);
        static const char needle[] = "\"type\":\"agent_message\",\"text\":\"";
        const char *p = strstr(text, needle);
        assert_non_null(p);
        int n = atoi(p + sizeof needle - 1);
        assert_in_range(n, 0, n_procs - 1); /* the first n_procs positions… */
        assert_false(seen[n]);              /* …each exactly once */
        seen[n] = true;
        free(text);
    }
    char path[4300];
    snprintf(path, sizeof path, "%s/journal.jsonl", many_state);
    char *journal = read_file(path, NULL);
    int lines = 0;
    char *save = NULL;
    bool numbered[MANY + 1] = {0}; /* every call its own invocation number, 1..n */
    for (char *l = strtok_r(journal, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(l);
        assert_non_null(j);
        int inv = cJSON_GetObjectItem(j, "invocation")->valueint;
        assert_in_range(inv, 1, n_procs);
        assert_false(numbered[inv]);
        numbered[inv] = true;
        cJSON_Delete(j);
        lines++;
    }
    assert_int_equal(lines, n_procs);
    free(journal);
    snprintf(path, sizeof path, "%s/counters.json", many_state);
    char *counters = read_file(path, NULL);
    cJSON *c = cJSON_Parse(counters);
    assert_non_null(c);
    cJSON_Delete(c);
    free(counters);
    /* the invocation counter: one byte per call, and each call got its own number */
    snprintf(path, sizeof path, "%s/invocations", many_state);
    size_t tally = 0;
    free(read_file(path, &tally));
    assert_int_equal(tally, n_procs);
    free(env);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_and_sequences),
        cmocka_unit_test(test_templates_and_determinism),
        cmocka_unit_test(test_many_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

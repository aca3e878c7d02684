/* End to end: human mode and stdin traces replayed by their built-in scenarios — the built
 * `codex` runs with each trace's argv, environment and stdin in a fresh {{RUN}} layout, and
 * stdout, stderr and the exit code must equal the recording byte for byte (UUIDs masked, the
 * run directory substituted). Timing is not checked here (CODEX_MOCK_SPEED=0). Each trace is
 * checked in both corpora: the 0.169.0 recording with CODEX_MOCK_VERSION=0.169.0, the 0.171.0
 * one with the default profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <cJSON.h>

typedef struct {
    const char *trace; /* directory under the corpus */
    const char *scenario;
    const char *extra_env[3]; /* on top of the trace's environment */
    /* 0.171.0 trace text → what the built-in scenario (made from the 0.169.0 trace) prints,
     * where the two recordings differ for reasons outside the CLI: the fake server's port and
     * request id, and a reset time that was in the past when 0.171.0 was recorded */
    const char *subst_171[5];
} human_case;

static const human_case CASES[] = {
    {"17_human_plain_message", "human-plain-message", {NULL}, {NULL}},
    {"18_human_command_and_patch", "human-command-and-patch", {NULL}, {NULL}},
    {"19_human_error_401",
     "human-error-401",
     {NULL},
     {"127.0.0.1:34989", "127.0.0.1:39435", "req_fake_6309", "req_fake_6617", NULL}},
    {"61_human_429_usage_limit",
     "human-usage-limit-429",
     {"TZ=UTC", "CODEX_MOCK_NOW=2026-11-21T08:00:00Z", NULL},
     {"at Nov 21st, 2026 11:20 AM", "at 11:20 AM", NULL}},
    {"62_human_stream_cut_then_success", "human-stream-cut-then-success", {NULL}, {NULL}},
    {"60_reasoning_many_summary_parts/run2", "human-reasoning-many-parts", {NULL}, {NULL}},
    {"16_prompt_from_stdin", "prompt-from-stdin", {NULL}, {NULL}},
    {"23_stdin_appended_to_prompt", "stdin-appended-to-prompt", {NULL}, {NULL}},
    {"29_sdk_style_experimental_json_stdin", "sdk-style-stdin", {NULL}, {NULL}},
};

typedef struct {
    const human_case *c;
    const char *corpus;
    const char *version_env; /* CODEX_MOCK_VERSION=…, or NULL: the default profile */
    char name[160];
} versioned_case;

static const char *const UNSET[] = {
    "CODEX_MOCK_SCENARIO_PATH", "CODEX_MOCK_SEED",   "CODEX_MOCK_VERSION", "CODEX_MOCK_CHAOS",
    "CODEX_MOCK_EXPLAIN",       "CODEX_MOCK_SCHEMA", "CODEX_API_KEY",      NULL};

static void expect_same(const char *what, const char *want_raw, const char *got_raw,
                        const char *run, const char *const *subst) {
    char *want_x = replace_all(want_raw ? want_raw : "", "{{RUN}}", run);
    for (size_t i = 0; subst && subst[i] && subst[i + 1]; i += 2) {
        char *y = replace_all(want_x, subst[i], subst[i + 1]);
        free(want_x);
        want_x = y;
    }
    char *want = mask_uuids(want_x), *got = mask_uuids(got_raw ? got_raw : "");
    if (strcmp(want, got) != 0) fail_msg("%s differs\n--- want\n%s--- got\n%s---", what, want, got);
    free(want_x);
    free(want);
    free(got);
}

static void test_trace(void **state) {
    const versioned_case *vc = *state;
    const human_case *c = vc->c;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", vc->corpus, c->trace);
    trace t;
    if (trace_load(dir, &t) < 0) {
        trace_free(&t);
        skip(); /* the corpus is not beside this checkout */
    }
    char *run = e2e_tmpdir();
    assert_non_null(run);
    char work[4096], home[4096];
    snprintf(work, sizeof work, "%s/work", run);
    snprintf(home, sizeof home, "%s/codex_home", run);
    assert_int_equal(mkdir(work, 0755), 0);
    assert_int_equal(mkdir(home, 0755), 0);

    const cJSON *argv = cJSON_GetObjectItemCaseSensitive(t.argv, "argv");
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(t.argv, "env");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(t.argv, "stdin");
    const char *args[64] = {CODEX_BIN};
    size_t n = 1;
    int skip_wrapper = strcmp(cJSON_GetArrayItem(argv, 0)->valuestring, "timeout") == 0 ? 5 : 1;
    for (int i = skip_wrapper; i < cJSON_GetArraySize(argv) && n < 63; i++)
        args[n++] = cJSON_GetArrayItem(argv, i)->valuestring;
    args[n] = NULL;
    char *envs[32];
    size_t ne = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, env) {
        char *v = replace_all(e->valuestring, "{{RUN}}", run);
        char *h = replace_all(v, "{{HOME}}", run);
        envs[ne] = malloc(strlen(e->string) + strlen(h) + 2);
        sprintf(envs[ne++], "%s=%s", e->string, h);
        free(v);
        free(h);
    }
    char scn[256];
    snprintf(scn, sizeof scn, "CODEX_MOCK_SCENARIO=%s", c->scenario);
    envs[ne++] = scn;
    envs[ne++] = "CODEX_MOCK_SPEED=0";
    if (vc->version_env) envs[ne++] = (char *)vc->version_env;
    for (size_t i = 0; c->extra_env[i]; i++)
        envs[ne++] = (char *)c->extra_env[i];
    envs[ne] = NULL;

    proc_spec spec = {.argv = args,
                      .env = (const char *const *)envs,
                      .unset = UNSET,
                      .cwd = work,
                      .stdin_data = cJSON_IsString(in) ? in->valuestring : NULL,
                      .stdin_len = cJSON_IsString(in) ? strlen(in->valuestring) : 0};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, t.exit_code);
    const char *const *subst = vc->version_env ? NULL : c->subst_171;
    expect_same("stdout", t.stdout_bytes, r.out, run, subst);
    expect_same("stderr", t.stderr_bytes, r.err, run, subst);

    proc_result_free(&r);
    for (size_t i = 0; i < ne; i++)
        if (strncmp(envs[i], "CODEX_MOCK_", 11) != 0 && strncmp(envs[i], "TZ=", 3) != 0)
            free(envs[i]);
    trace_free(&t);
    e2e_rmtree(run);
}

int main(void) {
    enum { N_CASES = sizeof CASES / sizeof CASES[0] };
    static versioned_case runs[2 * N_CASES];
    struct CMUnitTest tests[2 * N_CASES];
    for (size_t v = 0; v < 2; v++) {
        for (size_t i = 0; i < N_CASES; i++) {
            versioned_case *vc = &runs[v * N_CASES + i];
            vc->c = &CASES[i];
            vc->corpus = v == 0 ? CORPUS_DIR : CORPUS_DIR_171;
            vc->version_env = v == 0 ? "CODEX_MOCK_VERSION=0.169.0" : NULL;
            snprintf(vc->name, sizeof vc->name, "%s %s", v == 0 ? "0.169.0" : "0.171.0",
                     CASES[i].trace);
            tests[v * N_CASES + i] = (struct CMUnitTest){vc->name, test_trace, NULL, NULL, vc};
        }
    }
    return _cmocka_run_group_tests("human_and_stdin_traces", tests, sizeof tests / sizeof tests[0],
                                   NULL, NULL);
}

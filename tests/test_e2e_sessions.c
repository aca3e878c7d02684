/* End to end: state across invocations — session files, resume, resume --last [--all], fork,
 * --ephemeral (docs/behaviour.md#sessions-and-rollouts, docs/behaviour.md#resume-and-fork; traces
 * 07, 36, 37, 63, 64). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "e2e.h"

#include <cJSON.h>
#include <dirent.h>
#include <glob.h>

static char *tmp, *home, *work, *elsewhere, *scn;

static int setup(void **state) {
    (void)state;
    tmp = e2e_tmpdir();
    if (!tmp) return -1;
    home = malloc(strlen(tmp) + 16);
    work = malloc(strlen(tmp) + 16);
    elsewhere = malloc(strlen(tmp) + 16);
    sprintf(home, "%s/home", tmp);
    sprintf(work, "%s/work", tmp);
    sprintf(elsewhere, "%s/elsewhere", tmp);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/.git' '%s'", home, work, elsewhere);
    if (system(cmd) != 0) return -1;
    scn = e2e_write(tmp, "multi.yaml",
                    "codex_mock: 1\n"
                    "turns:\n"
                    "  - steps:\n"
                    "      - message: \"Got it: 42.\"\n"
                    "      - usage: {input_tokens: 1000, output_tokens: 10}\n"
                    "  - steps:\n"
                    "      - reasoning: \"**Recalling**\"\n"
                    "      - message: \"You asked me to remember 42.\"\n"
                    "      - usage: {input_tokens: 2000, cached_input_tokens: 500, output_tokens: "
                    "20}\n"
                    "  - steps:\n"
                    "      - message: \"Doubled, that is 84.\"\n"
                    "      - usage: {input_tokens: 3000, cached_input_tokens: 1000, "
                    "output_tokens: 30}\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(home);
    free(work);
    free(elsewhere);
    free(scn);
    e2e_rmtree(tmp);
    return 0;
}

static const char *scenario_override; /* a built-in name instead of multi.yaml */

static void codex(proc_result *r, const char *cwd, const char *const *args) {
    const char *argv[16] = {CODEX_BIN, "exec", "--json", "--skip-git-repo-check"};
    size_t n = 4;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char e_home[4096], e_scn[4096];
    snprintf(e_home, sizeof e_home, "CODEX_HOME=%s", home);
    snprintf(e_scn, sizeof e_scn, "CODEX_MOCK_SCENARIO=%s",
             scenario_override ? scenario_override : scn);
    const char *env[] = {e_home, e_scn, "CODEX_MOCK_SPEED=0", NULL};
    static const char *const unset[] = {"CODEX_MOCK_SEED", "CODEX_MOCK_CHAOS", "CODEX_MOCK_NOW",
                                        "CODEX_API_KEY", NULL};
    proc_spec spec = {.argv = argv, .env = env, .unset = unset, .cwd = cwd};
    assert_int_equal(proc_run(&spec, r), 0);
}

static char *thread_of(const proc_result *r) {
    const char *p = strstr(r->out, "\"thread_id\":\"");
    assert_non_null(p);
    return strndup(p + 13, 36);
}

static cJSON *usage_of(const proc_result *r) {
    const char *p = strstr(r->out, "{\"type\":\"turn.completed\"");
    assert_non_null(p);
    cJSON *j = cJSON_ParseWithOpts(p, NULL, false);
    assert_non_null(j);
    return j;
}

static int input_tokens(const proc_result *r) {
    cJSON *j = usage_of(r);
    int v = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "usage"), "input_tokens")->valueint;
    cJSON_Delete(j);
    return v;
}

static size_t rollouts(char ***paths) {
    char pat[4096];
    snprintf(pat, sizeof pat, "%s/sessions/*/*/*/rollout-*.jsonl", home);
    glob_t g;
    if (glob(pat, 0, NULL, &g) != 0) {
        *paths = NULL;
        return 0;
    }
    *paths = calloc(g.gl_pathc + 1, sizeof(char *));
    for (size_t i = 0; i < g.gl_pathc; i++)
        (*paths)[i] = strdup(g.gl_pathv[i]);
    size_t n = g.gl_pathc;
    globfree(&g);
    return n;
}

static void free_paths(char **p) {
    for (size_t i = 0; p && p[i]; i++)
        free(p[i]);
    free(p);
}

/* "type" or "type/payload.type" of every line of a rollout file. */
static char *line_kinds(const char *path) {
    char *text = read_file(path, NULL);
    assert_non_null(text);
    char *out = calloc(1, strlen(text) + 1);
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(l);
        assert_non_null(j);
        strcat(out, cJSON_GetObjectItem(j, "type")->valuestring);
        cJSON *pt = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "payload"), "type");
        if (cJSON_IsString(pt)) {
            strcat(out, "/");
            strcat(out, pt->valuestring);
        }
        strcat(out, "\n");
        cJSON_Delete(j);
    }
    free(text);
    return out;
}

/* Trace 07: start, `resume <id>`, `resume --last`: one thread, one file, cumulative usage. */
static void test_resume_two_turns(void **state) {
    (void)state;
    proc_result r1, r2, r3;
    scenario_override = "resume-two-turns";
    codex(&r1, work, (const char *[]){"Remember the number 42.", NULL});
    assert_int_equal(r1.exit_code, 0);
    char *id = thread_of(&r1);
    codex(&r2, work,
          (const char *[]){"resume", id, "What number did I ask you to remember?", NULL});
    assert_int_equal(r2.exit_code, 0);
    codex(&r3, work, (const char *[]){"resume", "--last", "And doubled?", NULL});
    assert_int_equal(r3.exit_code, 0);
    scenario_override = NULL;
    /* the three runs print the trace's bytes, thread id aside */
    const proc_result *runs[] = {&r1, &r2, &r3};
    for (int i = 0; i < 3; i++) {
        char tpath[4096];
        snprintf(tpath, sizeof tpath, "%s/07_resume_two_turns/run%d/stdout.jsonl", CORPUS_DIR,
                 i + 1);
        char *real = read_file(tpath, NULL);
        char *a = mask_uuids(real), *b = mask_uuids(runs[i]->out);
        assert_string_equal(b, a);
        free(a);
        free(b);
        free(real);
    }
    char *id2 = thread_of(&r2), *id3 = thread_of(&r3);
    assert_string_equal(id, id2);
    assert_string_equal(id, id3);
    /* each run plays the thread's next turn; item ids restart at item_0 */
    assert_non_null(strstr(r2.out, "\"id\":\"item_0\",\"type\":\"agent_message\",\"text\":\"You "
                                   "asked me to remember 42.\""));
    assert_non_null(strstr(r3.out, "\"id\":\"item_0\",\"type\":\"agent_message\",\"text\":"
                                   "\"Doubled, that is 84.\""));
    /* usage is the thread's running total: 1000, 3000, 6000 */
    assert_int_equal(input_tokens(&r1), 1000);
    assert_int_equal(input_tokens(&r2), 3000);
    assert_int_equal(input_tokens(&r3), 6000);
    /* resume runs do not read stdin as extra input */
    assert_string_equal(r2.err, "");
    /* one file, appended, in the real layout and envelope */
    char **paths;
    assert_int_equal(rollouts(&paths), 1);
    assert_non_null(strstr(paths[0], id));
    char *text = read_file(paths[0], NULL);
    int ordinal = 0, turns = 0, token_counts = 0, task_complete = 0;
    char *save = NULL;
    bool first = true;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(line);
        assert_non_null(j);
        assert_non_null(cJSON_GetObjectItem(j, "timestamp"));
        assert_int_equal(cJSON_GetObjectItem(j, "ordinal")->valueint, ordinal++);
        const char *type = cJSON_GetObjectItem(j, "type")->valuestring;
        cJSON *p = cJSON_GetObjectItem(j, "payload");
        if (first) {
            assert_string_equal(type, "session_meta");
            const char *keys[] = {"account_scoped", "session_id", "id",
                                  "timestamp",      "cwd",        "originator",
                                  "cli_version",    "source",     "thread_source",
                                  "model_provider", "git"};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                if (!cJSON_GetObjectItem(p, keys[k])) fail_msg("session_meta lacks %s", keys[k]);
            assert_string_equal(cJSON_GetObjectItem(p, "id")->valuestring, id);
            assert_string_equal(cJSON_GetObjectItem(p, "cwd")->valuestring, work);
            assert_string_equal(cJSON_GetObjectItem(p, "source")->valuestring, "exec");
            first = false;
        }
        cJSON *pt = cJSON_GetObjectItem(p, "type");
        if (!strcmp(type, "event_msg") && !strcmp(pt->valuestring, "task_started")) turns++;
        if (!strcmp(type, "event_msg") && !strcmp(pt->valuestring, "token_count")) token_counts++;
        if (!strcmp(type, "event_msg") && !strcmp(pt->valuestring, "task_complete"))
            task_complete++;
        cJSON_Delete(j);
    }
    assert_int_equal(turns, 3);
    assert_int_equal(token_counts, 3);
    assert_int_equal(task_complete, 3);
    free(text);
    /* line for line, the same kinds of lines as the real CLI's file after the same three runs */
    char pat[4096];
    snprintf(pat, sizeof pat, "%s/07_resume_two_turns/rollout/rollout-*.jsonl", CORPUS_DIR);
    glob_t g;
    assert_int_equal(glob(pat, 0, NULL, &g), 0);
    char *want = line_kinds(g.gl_pathv[0]), *got = line_kinds(paths[0]);
    assert_string_equal(got, want);
    free(want);
    free(got);
    globfree(&g);
    free_paths(paths);
    free(id);
    free(id2);
    free(id3);
    proc_result_free(&r1);
    proc_result_free(&r2);
    proc_result_free(&r3);
}

/* Trace 36: a well-formed but unknown id is a pre-flight error. */
static void test_resume_unknown_thread(void **state) {
    (void)state;
    proc_result r;
    codex(&r, work, (const char *[]){"resume", "01a1fd0a-0000-7000-8000-000000000000", "hi", NULL});
    assert_int_equal(r.exit_code, 1);
    assert_int_equal(r.out_len, 0);
    assert_string_equal(r.err, "Error: thread/resume: thread/resume failed: no rollout found for "
                               "thread id 01a1fd0a-0000-7000-8000-000000000000 (code -32600)\n");
    proc_result_free(&r);
}

/* Trace 63: --last follows the thread's latest cwd; --all drops the filter; nothing found
 * starts a new thread. */
static void test_resume_last_cwd_filter(void **state) {
    (void)state;
    char **before;
    size_t n_before = rollouts(&before);
    free_paths(before);
    /* a directory of its own, where no earlier test left a thread */
    char own[4200];
    snprintf(own, sizeof own, "%s/work63", tmp);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", own);
    assert_int_equal(system(cmd), 0);
    proc_result a, b, c, d;
    codex(&a, own, (const char *[]){"start", NULL});
    char *id = thread_of(&a);
    codex(&b, elsewhere, (const char *[]){"resume", "--last", "--all", "from elsewhere", NULL});
    char *idb = thread_of(&b);
    assert_string_equal(idb, id); /* --all: the newest thread whatever its cwd */
    codex(&c, elsewhere, (const char *[]){"resume", "--last", "again", NULL});
    char *idc = thread_of(&c);
    assert_string_equal(idc, id); /* its latest cwd is now `elsewhere` */
    codex(&d, own, (const char *[]){"resume", "--last", "back home", NULL});
    char *idd = thread_of(&d);
    assert_string_not_equal(idd, id); /* nothing left in its first cwd: a new thread */
    assert_int_equal(d.exit_code, 0);
    assert_int_equal(input_tokens(&d), 1000); /* a new thread's first turn */
    char **after;
    assert_int_equal(rollouts(&after), n_before + 2);
    free_paths(after);
    free(id);
    free(idb);
    free(idc);
    free(idd);
    proc_result_free(&a);
    proc_result_free(&b);
    proc_result_free(&c);
    proc_result_free(&d);
}

/* Trace 64: fork gives a new thread id, inherits the usage, writes its own file that names
 * its parent; the parent's file is left alone. */
static void test_fork(void **state) {
    (void)state;
    proc_result a, f;
    codex(&a, work, (const char *[]){"parent", NULL});
    char *parent = thread_of(&a);
    char **paths;
    size_t n0 = rollouts(&paths);
    char *parent_file = NULL;
    for (size_t i = 0; i < n0; i++)
        if (strstr(paths[i], parent)) parent_file = read_file(paths[i], NULL);
    free_paths(paths);
    assert_non_null(parent_file);
    codex(&f, work, (const char *[]){"fork", parent, "continue separately", NULL});
    assert_int_equal(f.exit_code, 0);
    char *child = thread_of(&f);
    assert_string_not_equal(child, parent);
    assert_int_equal(input_tokens(&f), 3000); /* 1000 inherited + the second turn's 2000 */
    assert_int_equal(rollouts(&paths), n0 + 1);
    for (size_t i = 0; paths[i]; i++) {
        char *text = read_file(paths[i], NULL);
        if (strstr(paths[i], child)) {
            assert_non_null(strstr(text, "\"forked_from_id\":\""));
            assert_non_null(strstr(text, parent));
        }
        if (strstr(paths[i], parent)) assert_string_equal(text, parent_file);
        free(text);
    }
    free_paths(paths);
    free(parent_file);
    free(parent);
    free(child);
    proc_result_free(&a);
    proc_result_free(&f);
}

/* Trace 37: --ephemeral writes no file, and a later resume of it fails. */
static void test_ephemeral(void **state) {
    (void)state;
    char **paths;
    size_t n0 = rollouts(&paths);
    free_paths(paths);
    proc_result r, again;
    codex(&r, work, (const char *[]){"--ephemeral", "nothing kept", NULL});
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(rollouts(&paths), n0);
    free_paths(paths);
    char *id = thread_of(&r);
    codex(&again, work, (const char *[]){"resume", id, "hi", NULL});
    assert_int_equal(again.exit_code, 1);
    assert_non_null(strstr(again.err, "no rollout found for thread id"));
    free(id);
    proc_result_free(&r);
    proc_result_free(&again);
}

/* history.jsonl: never from the real exec; on request (0.60-era profile, or cli: history). */
static void test_history(void **state) {
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/history.jsonl", home);
    unlink(path);
    proc_result r;
    codex(&r, work, (const char *[]){"no history", NULL});
    proc_result_free(&r);
    assert_int_not_equal(access(path, F_OK), 0);
    char *h = e2e_write(tmp, "history.yaml",
                        "codex_mock: 1\ncli: {history: true}\nsteps:\n  - message: ok\n");
    scenario_override = h;
    codex(&r, work, (const char *[]){"keep \"this\"", NULL});
    char *id = thread_of(&r);
    proc_result_free(&r);
    codex(&r, work, (const char *[]){"and this", NULL});
    proc_result_free(&r);
    scenario_override = NULL;
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = read_file(path, NULL);
    char want[256];
    snprintf(want, sizeof want, "{\"session_id\":\"%s\",\"ts\":", id);
    assert_true(strncmp(text, want, strlen(want)) == 0);
    assert_non_null(strstr(text, ",\"text\":\"keep \\\"this\\\"\"}\n{\"session_id\":"));
    assert_non_null(strstr(text, ",\"text\":\"and this\"}\n"));
    free(text);
    free(id);
    free(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_two_turns),
        cmocka_unit_test(test_resume_unknown_thread),
        cmocka_unit_test(test_resume_last_cwd_filter),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_ephemeral),
        cmocka_unit_test(test_history),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

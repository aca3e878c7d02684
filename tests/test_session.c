/* Unit tests for session: reading a rollout file into a session_info, finding a thread by id,
 * and the order `resume --last` picks threads in (latest line timestamp, then mtime, then id). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "session.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char home[64]; /* a short mkdtemp name: paths built on it fit PATH_MAX */

static void sh(const char *fmt, const char *arg) {
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd, fmt, arg);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state) {
    (void)state;
    char templ[] = "/tmp/codex-mock-session-XXXXXX";
    if (!mkdtemp(templ)) return -1;
    snprintf(home, sizeof home, "%s", templ);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    sh("rm -rf '%s'", home);
    return 0;
}

/* Each test starts from an empty CODEX_HOME. */
static int fresh(void **state) {
    (void)state;
    sh("rm -rf '%s/sessions'", home);
    return 0;
}

/* Writes a rollout of thread `id` made in `cwd`: session_meta at `t0`, one turn whose lines
 * are stamped `t1` (when non-NULL), with a user message when `user`, its cwd `turn_cwd` when
 * non-NULL; `mtime` (Unix s) set on the file afterwards. Returns the file's path (heap). */
static char *rollout(const char *id, const char *cwd, const char *t0, const char *t1,
                     const char *turn_cwd, bool user, time_t mtime) {
    char dir[256];
    snprintf(dir, sizeof dir, "%s/sessions/2026/11/21", home);
    sh("mkdir -p '%s'", dir);
    char *path = malloc(PATH_MAX);
    snprintf(path, PATH_MAX, "%s/rollout-2026-11-21T07-38-03-%s.jsonl", dir, id);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(
        f,
        "{\"timestamp\":\"%s\",\"ordinal\":0,\"type\":\"session_meta\",\"payload\":{\"id\":\"%s\","
        "\"cwd\":\"%s\",\"model_provider\":\"openai\"}}\n",
        t0, id, cwd);
    if (t1) {
        fprintf(f,
                "{\"timestamp\":\"%s\",\"ordinal\":1,\"type\":\"event_msg\",\"payload\":"
                "{\"type\":\"task_started\"}}\n",
                t1);
        if (turn_cwd)
            fprintf(f,
                    "{\"timestamp\":\"%s\",\"ordinal\":2,\"type\":\"turn_context\",\"payload\":"
                    "{\"cwd\":\"%s\"}}\n",
                    t1, turn_cwd);
        if (user)
            fprintf(f,
                    "{\"timestamp\":\"%s\",\"ordinal\":3,\"type\":\"response_item\",\"payload\":"
                    "{\"type\":\"message\",\"role\":\"user\",\"content\":[]}}\n",
                    t1);
        fprintf(f,
                "{\"timestamp\":\"%s\",\"ordinal\":4,\"type\":\"event_msg\",\"payload\":"
                "{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":1000,"
                "\"cached_input_tokens\":10,\"output_tokens\":20,"
                "\"reasoning_output_tokens\":5}}}}\n",
                t1);
    }
    assert_int_equal(fclose(f), 0);
    struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
    return path;
}

#define ID_A "01a1fe51-9a10-70cd-9fe8-bad7fddf42f7"
#define ID_B "01a1fe51-9a19-7602-a116-6f1779d9d7da"
#define ID_C "01a1fe51-9a20-7000-8000-000000000000"

static char *last(const char *cwd, bool all) {
    session_info s;
    diag err;
    diag_init(&err);
    int rc = session_find_last(home, cwd, all, &s, &err);
    assert_null(err.msg);
    if (rc == 1) return NULL;
    assert_int_equal(rc, 0);
    char *id = strdup(s.thread_id);
    session_info_free(&s);
    return id;
}

static void test_read_summarises(void **state) {
    (void)state;
    char *p = rollout(ID_A, "/w/a", "2026-11-21T07:38:03.100Z", "2026-11-21T07:38:04.250Z", "/w/b",
                      true, 1000);
    /* a torn tail, as SIGKILL mid-write leaves: skipped */
    FILE *f = fopen(p, "a");
    fputs("{\"timestamp\":\"2026-11-21T09:00:00.000Z\",\"type\":\"event_m", f);
    fclose(f);
    struct timespec times[2] = {{1000, 0}, {1000, 0}};
    assert_int_equal(utimensat(AT_FDCWD, p, times, 0), 0);
    session_info s;
    diag err;
    diag_init(&err);
    assert_int_equal(session_read(p, &s, &err), 0);
    assert_string_equal(s.thread_id, ID_A);
    assert_string_equal(s.cwd, "/w/b"); /* the turn's cwd wins over the session's */
    assert_string_equal(s.provider, "openai");
    assert_int_equal(s.turns, 1);
    assert_int_equal(s.lines, 6);
    assert_true(s.has_user_message);
    assert_int_equal(s.totals.input_tokens, 1000);
    assert_int_equal(s.totals.cached_input_tokens, 10);
    assert_int_equal(s.totals.output_tokens, 20);
    assert_int_equal(s.totals.reasoning_output_tokens, 5);
    assert_int_equal(s.updated_ms, INT64_C(1795246684250));
    assert_int_equal(s.mtime_ns, INT64_C(1000000000000));
    session_info_free(&s);
    free(p);
}

static void test_read_missing_file(void **state) {
    (void)state;
    session_info s;
    diag err;
    diag_init(&err);
    assert_int_equal(session_read("/nonexistent/rollout.jsonl", &s, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/rollout.jsonl"));
    diag_free(&err);
}

static void test_find_id(void **state) {
    (void)state;
    free(rollout(ID_A, "/w/a", "2026-11-21T07:38:03.100Z", NULL, NULL, false, 1000));
    session_info s;
    diag err;
    diag_init(&err);
    assert_int_equal(session_find_id(home, "01A1FE51-9A10-70CD-9FE8-BAD7FDDF42F7", &s, &err), 0);
    assert_string_equal(s.thread_id, ID_A);
    assert_int_equal(s.turns, 0);
    session_info_free(&s);
    assert_int_equal(session_find_id(home, ID_B, &s, &err), 1);
    assert_null(err.msg);
}

/* The regression: two runs within one tick of the kernel's coarse clock share an mtime (or
 * the later one's is even older); the line timestamps still order them. */
static void test_last_by_timestamp_over_mtime(void **state) {
    (void)state;
    free(rollout(ID_B, "/w/a", "2026-11-21T07:38:03.100Z", "2026-11-21T07:38:03.120Z", NULL, true,
                 2000));
    free(rollout(ID_A, "/w/a", "2026-11-21T07:38:03.090Z", "2026-11-21T07:38:03.125Z", NULL, true,
                 1000));
    char *id = last("/w/a", false);
    assert_string_equal(id, ID_A);
    free(id);
}

static void test_last_ties(void **state) {
    (void)state;
    /* same timestamps: the later mtime */
    free(rollout(ID_B, "/w/a", "2026-11-21T07:38:03.100Z", "2026-11-21T07:38:03.120Z", NULL, true,
                 1000));
    free(rollout(ID_A, "/w/a", "2026-11-21T07:38:03.100Z", "2026-11-21T07:38:03.120Z", NULL, true,
                 2000));
    char *id = last("/w/a", false);
    assert_string_equal(id, ID_A);
    free(id);
    /* same timestamps and mtime (a fixed CODEX_MOCK_NOW): the later-made thread */
    free(rollout(ID_A, "/w/a", "2026-11-21T07:38:03.100Z", "2026-11-21T07:38:03.120Z", NULL, true,
                 1000));
    free(rollout(ID_C, "/w/a", "2026-11-21T07:38:03.100Z", "2026-11-21T07:38:03.120Z", NULL, true,
                 1000));
    id = last("/w/a", false);
    assert_string_equal(id, ID_C);
    free(id);
}

static void test_last_filters(void **state) {
    (void)state;
    assert_null(last("/w/a", false)); /* no sessions folder at all */
    /* the newest has no user message (killed before its prompt was written): not listed */
    free(rollout(ID_C, "/w/a", "2026-11-21T08:00:00.000Z", "2026-11-21T08:00:00.000Z", NULL, false,
                 3000));
    assert_null(last("/w/a", false));
    /* made in /w/a, its latest turn in /w/b: it follows the turn */
    free(rollout(ID_A, "/w/a", "2026-11-21T07:38:03.000Z", "2026-11-21T07:38:04.000Z", "/w/b", true,
                 1000));
    free(rollout(ID_B, "/w/c", "2026-11-21T07:38:05.000Z", "2026-11-21T07:38:06.000Z", NULL, true,
                 1000));
    assert_null(last("/w/a", false));
    char *id = last("/w/b", false);
    assert_string_equal(id, ID_A);
    free(id);
    id = last("/w/a", true); /* --all: the newest whatever its cwd */
    assert_string_equal(id, ID_B);
    free(id);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_read_summarises, fresh),
        cmocka_unit_test_setup(test_read_missing_file, fresh),
        cmocka_unit_test_setup(test_find_id, fresh),
        cmocka_unit_test_setup(test_last_by_timestamp_over_mtime, fresh),
        cmocka_unit_test_setup(test_last_ties, fresh),
        cmocka_unit_test_setup(test_last_filters, fresh),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

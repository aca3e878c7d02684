/* convert: sugar where exact, lower layers where not, and the YAML always replays the
 * recording (convert proves it; these tests check the choices it made). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A recording of `codex exec --json`: lines "T<TAB>o|e<TAB>text" (text with \n escapes). */
static void make(recording *r, const char *const *lines, int exit_code, bool timed) {
    recording_init(r);
    r->argc = 3;
    r->argv = xcalloc(4, sizeof(char *));
    r->argv[0] = xstrdup("codex");
    r->argv[1] = xstrdup("exec");
    r->argv[2] = xstrdup("--json");
    r->stdin_tty = true; /* no stdin notice */
    r->cwd = xstrdup("/work");
    r->json_mode = true;
    r->has_timing = timed;
    r->has_exit = true;
    r->exit_code = exit_code;
    for (size_t i = 0; lines[i]; i += 3) {
        int64_t t = atoll(lines[i]);
        rec_stream *s = lines[i + 1][0] == 'o' ? &r->out : &r->err;
        rec_stream_feed(s, lines[i + 2], strlen(lines[i + 2]), t);
    }
    rec_stream_finish(&r->out, 99999);
    rec_stream_finish(&r->err, 99999);
}

static char *convert(recording *r, size_t *n_notes) {
    buf y;
    buf_init(&y);
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    convert_options o = {.source = "test"};
    assert_int_equal(convert_recording(r, &o, &y, &notes, &err), 0);
    if (n_notes) *n_notes = notes.n;
    for (size_t i = 0; i < notes.n; i++)
        print_message("note: %s\n", notes.v[i]);
    convert_notes_free(&notes);
    diag_free(&err);
    recording_free(r);
    return buf_detach(&y);
}

static void test_sugar_with_timing(void **state) {
    (void)state;
    const char *const lines[] = {
        "2180",
        "o",
        "{\"type\":\"thread.started\",\"thread_id\":\"01a1fd0a-40a4-7731-81cc-b59e067340fd\"}\n",
        "2647",
        "o",
        "{\"type\":\"turn.started\"}\n",
        "3000",
        "o",
        "{\"type\":\"item.started\",\"item\":{\"id\":\"item_0\",\"type\":\"command_execution\","
        "\"command\":\"ls\",\"aggregated_output\":\"\",\"exit_code\":null,\"status\":\"in_"
        "progress\"}}\n",
        "3025",
        "o",
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"command_execution\","
        "\"command\":\"ls\",\"aggregated_output\":\"a\\n\",\"exit_code\":2,\"status\":\"failed\"}}"
        "\n",
        "3100",
        "e",
        "a log line\n",
        "3295",
        "o",
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_1\",\"type\":\"agent_message\","
        "\"text\":\"Hello\"}}\n",
        "3481",
        "o",
        "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":1,\"cached_input_tokens\":0,"
        "\"cache_write_input_tokens\":0,\"output_tokens\":2,\"reasoning_output_tokens\":0}}\n",
        NULL};
    recording r;
    make(&r, lines, 0, true);
    size_t n;
    char *y = convert(&r, &n);
    assert_int_equal(n, 0);
    assert_non_null(strstr(y, "thread_id: \"01a1fd0a-40a4-7731-81cc-b59e067340fd\"\n"));
    assert_non_null(strstr(y, "startup: 218ms\n"));
    assert_non_null(strstr(y, "  - started_after: 46.7ms\n"));
    assert_non_null(strstr(y, "    completed_after: 18.6ms\n"));
    assert_non_null(strstr(y,
                           "      - command: ls\n        output: \"a\\n\"\n        exit_code: 2\n"
                           "        duration: 2.5ms\n        after: 35.3ms\n"));
    assert_non_null(strstr(y, "      - stderr: \"a log line\"\n        after: 7.5ms\n"));
    assert_non_null(strstr(y, "      - message: Hello\n        after: 19.5ms\n"));
    assert_non_null(strstr(y, "      - usage: {input_tokens: 1,"));
    assert_null(strstr(y, "event:"));
    free(y);
}

static void test_lower_layers(void **state) {
    (void)state;
    /* an item id the planner would not choose, a line that is not JSON, a torn stderr tail, a
     * web_search with its two ids, and a turn.failed ending */
    const char *const lines[] = {
        "0",
        "o",
        "{\"type\":\"thread.started\",\"thread_id\":\"t\"}\n",
        "0",
        "o",
        "{\"type\":\"turn.started\"}\n",
        "0",
        "o",
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_7\",\"type\":\"reasoning\",\"text\":"
        "\"r\"}}\n",
        "0",
        "o",
        "{\"type\":\"item.started\",\"item\":{\"id\":\"item_8\",\"type\":\"web_search\",\"id\":"
        "\"ws_1\",\"query\":\"q\",\"action\":{\"type\":\"search\",\"query\":\"q\"}}}\n",
        "0",
        "o",
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_8\",\"type\":\"web_search\",\"id\":"
        "\"ws_1\",\"query\":\"q\",\"action\":{\"type\":\"search\",\"query\":\"q\"}}}\n",
        "0",
        "o",
        "not json at all\n",
        "0",
        "o",
        "{\"type\":\"error\",\"message\":\"boom\"}\n",
        "0",
        "o",
        "{\"type\":\"turn.failed\",\"error\":{\"message\":\"boom\"}}\n",
        "0",
        "e",
        "torn",
        NULL};
    recording r;
    make(&r, lines, 1, false);
    char *y = convert(&r, NULL);
    assert_non_null(strstr(y, "      - reasoning: r\n        id: item_7\n"));
    assert_non_null(strstr(y, "      - web_search: q\n        search_id: ws_1\n"));
    assert_non_null(strstr(y, "      - raw: \"not json at all\\n\"\n"));
    assert_non_null(strstr(y, "      - event: {type: error, message: boom}\n"));
    assert_non_null(strstr(y, "      - raw: torn\n        stream: stderr\n"));
    assert_null(strstr(y, "after:")); /* no timing: the pace model */
    assert_null(strstr(y, "exit:"));  /* turn.failed already means 1 */
    free(y);
}

static void test_signal_endings(void **state) {
    (void)state;
    const char *const lines[] = {"10", "e", "waiting\n", NULL};
    recording r;
    make(&r, lines, -2, true);
    r.signal_name = xstrdup("SIGINT");
    r.signal_after_t = 30000;
    char *y = convert(&r, NULL);
    assert_non_null(strstr(y, "implicit_events: false\n"));
    assert_non_null(strstr(y, "on_sigint: die\n"));
    assert_non_null(strstr(y, "      - sleep: forever\n"));
    free(y);
    make(&r, lines, 3, true);
    y = convert(&r, NULL);
    assert_non_null(strstr(y, "      - exit: 3\n"));
    free(y);
}

static void test_rollout(void **state) {
    (void)state;
    char *path = xasprintf("%s/03_command_success/rollout/"
                           "rollout-2026-11-21T07-37-51-01a1fd0a-45ae-75a0-ae13-0a20b0004afa.jsonl",
                           CORPUS_DIR);
    assert_true(convert_is_rollout(path));
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(rollout_to_recording(path, 0, &r, &notes, &err), 0);
    char *want_path = xasprintf("%s/03_command_success/stdout.jsonl", CORPUS_DIR);
    char *want = recording_read_file(want_path, NULL);
    r.out.bytes.data[r.out.bytes.len] = '\0';
    assert_string_equal(r.out.bytes.data, want); /* the same JSONL, byte for byte */
    free(want);
    free(want_path);
    buf y;
    buf_init(&y);
    convert_options o = {.source = path};
    assert_int_equal(convert_recording(&r, &o, &y, &notes, &err), 0);
    assert_non_null(strstr(y.data, "      - command: \"/bin/bash -lc 'echo listing && ls -1'\"\n"));
    assert_int_equal(notes.n, 0);
    buf_free(&y);
    recording_free(&r);
    convert_notes_free(&notes);
    diag_free(&err);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sugar_with_timing),
        cmocka_unit_test(test_lower_layers),
        cmocka_unit_test(test_signal_endings),
        cmocka_unit_test(test_rollout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

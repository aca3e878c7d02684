/* convert: sugar where exact, lower layers where not, and the YAML always replays the
 * recording (convert proves it; these tests check the choices it made). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fileio.h"
#include "convert.h"
#include "scenario_load.h"

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

/* The converted YAML loads as a scenario (the caller frees *sc). */
static void load_converted(const char *y, size_t len, scenario *sc) {
    diag err;
    diag_init(&err);
    if (scenario_load_mem("converted.yaml", y, len, sc, &err) != 0)
        fail_msg("the converted scenario does not load: %s", err.msg ? err.msg : "?");
    diag_free(&err);
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
    char *path =
        xasprintf("%s/tests/data/convert_rollout/03_command_success.rollout.jsonl", SOURCE_DIR);
    assert_true(convert_is_rollout(path));
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(rollout_to_recording(path, 0, &r, &notes, &err), 0);
    char *want_path =
        xasprintf("%s/tests/data/convert_rollout/03_command_success.stdout.jsonl", SOURCE_DIR);
    char *want = fileio_read_file(want_path, 0, NULL);
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

/* convert_rollout_mem() is convert_rollout() on bytes in memory. */
static void test_rollout_mem(void **state) {
    (void)state;
    char *path =
        xasprintf("%s/tests/data/convert_rollout/03_command_success.rollout.jsonl", SOURCE_DIR);
    size_t len;
    char *data = fileio_read_file(path, 0, &len);
    assert_non_null(data);
    convert_options o = {.source = path};
    buf a, b;
    buf_init(&a);
    buf_init(&b);
    convert_notes na = {0}, nb = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(convert_rollout(path, &o, &a, &na, &err), 0);
    assert_int_equal(convert_rollout_mem(data, len, &o, &b, &nb, &err), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* errors name o->source */
    buf_reset(&b);
    o.rollout_turn = 2;
    assert_int_equal(convert_rollout_mem(data, len, &o, &b, &nb, &err), -1);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "there is no turn 2"));
    buf_free(&a);
    buf_free(&b);
    convert_notes_free(&na);
    convert_notes_free(&nb);
    diag_free(&err);
    free(data);
    free(path);
}

/* tests/regress/convert_rollout/invalid-utf8-item-type.jsonl: a note quoting input that is not
 * UTF-8 (and holds a carriage return) went verbatim into a `# note:` comment, and the scenario
 * did not parse (convert failed with an internal error). */
static void test_note_with_bad_bytes_stays_a_comment(void **state) {
    (void)state;
    const char rollout[] =
        "{\"type\":\"session_meta\",\"payload\":{\"id\":\"t\",\"cwd\":\"/w\"}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_started\"}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"item\":{\"type\":"
        "\"R\x9f\xffsoning\\r: [\"}}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_complete\"}}\n";
    convert_options o = {.source = "bad.jsonl"};
    buf y;
    buf_init(&y);
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(convert_rollout_mem(rollout, sizeof rollout - 1, &o, &y, &notes, &err), 0);
    assert_non_null(strstr(y.data, "# note: rollout item type R\xef\xbf\xbd\xef\xbf\xbdsoning : [ "
                                   "has no JSONL counterpart here; skipped\n"));
    scenario sc;
    load_converted(y.data, y.len, &sc);
    scenario_free(&sc);
    buf_free(&y);
    convert_notes_free(&notes);
    diag_free(&err);
}

/* tests/regress/convert_rollout/huge-token-count.jsonl: numbers out of int64's range (a token
 * count of 4e96, an exit code of -1e300) were cast from double, which is undefined behaviour;
 * they are clamped. */
static void test_rollout_numbers_out_of_range(void **state) {
    (void)state;
    const char rollout[] =
        "{\"type\":\"session_meta\",\"payload\":{\"id\":\"t\",\"cwd\":\"/w\"}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_started\"}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"item\":{\"type\":"
        "\"CommandExecution\",\"command\":[\"ls\"],\"exit_code\":-1e300}}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{"
        "\"total_token_usage\":{\"input_tokens\":4e96,\"output_tokens\":12}}}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_complete\"}}\n";
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(
        rollout_to_recording_mem(rollout, sizeof rollout - 1, "r", 0, &r, &notes, &err), 0);
    assert_non_null(strstr(r.out.bytes.data, "\"exit_code\":-9223372036854775808,"));
    assert_non_null(strstr(r.out.bytes.data, "{\"input_tokens\":9223372036854775807,"));
    assert_non_null(strstr(r.out.bytes.data, "\"output_tokens\":12,"));
    recording_free(&r);
    convert_notes_free(&notes);
    diag_free(&err);
}

/* tests/regress/convert_jsonl/placeholder-in-meta: a name or description (meta.json) holding
 * `{{…}}` made convert fail with an internal error (the scenario did not load). Labels are
 * not templates now, so they stay exactly as recorded. */
static void test_placeholder_in_labels(void **state) {
    (void)state;
    const char *const lines[] = {"0", "e", "x\n", NULL};
    recording r;
    make(&r, lines, 0, false);
    r.name = xstrdup("{{RUN}}");
    r.description = xstrdup("under {{HOME}}/x, {{ open");
    char *y = convert(&r, NULL);
    /* labels are not templates: written, loaded and shown exactly */
    assert_non_null(strstr(y, "\nname: \"{{RUN}}\"\n"));
    assert_non_null(strstr(y, "\ndescription: \"under {{HOME}}/x, {{ open\"\n"));
    scenario sc;
    load_converted(y, strlen(y), &sc);
    assert_memory_equal(sc.name.ptr, "{{RUN}}", sc.name.len);
    assert_int_equal(sc.name.len, 7);
    scenario_free(&sc);
    free(y);
}

/* tests/regress/convert_jsonl/line-break-in-status.jsonl: a recorded `status` was written bare
 * after `status: `; a carriage return in it broke the YAML, the load error fell on the next
 * step (already raw), and convert gave up with a scenario that did not load. */
static void test_status_is_quoted(void **state) {
    (void)state;
    const char *const lines[] = {
        "0",
        "o",
        "{\"type\":\"item.started\",\"item\":{\"id\":\"item_0\",\"type\":\"command_execution\","
        "\"command\":\"ls\",\"aggregated_output\":\"\",\"exit_code\":null,\"status\":\"in_"
        "progress\"}}\n",
        "0",
        "o",
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"command_execution\","
        "\"command\":\"ls\",\"aggregated_output\":\"\",\"exit_code\":1,\"status\":\"complete"
        "\\rd\"}}\n",
        "0",
        "o",
        "not json\n",
        "0",
        "e",
        "caf\xc3\xa9 \xff\n", /* not UTF-8: written as !!binary, the same bytes */
        NULL};
    recording r;
    make(&r, lines, 0, false);
    size_t n_notes = 0;
    char *y = convert(&r, &n_notes);
    scenario sc;
    load_converted(y, strlen(y), &sc);
    scenario_free(&sc);
    /* A status no item can have is no sugar: the lines are replayed as recorded, the carriage
     * return escaped inside a quoted YAML string (bare, it ended the line and broke the YAML).
     * Every line is exact. */
    assert_non_null(strstr(
        y, "\n      - raw: \"{\\\"type\\\":\\\"item.completed\\\",\\\"item\\\":{\\\"id\\\":"
           "\\\"item_0\\\",\\\"type\\\":\\\"command_execution\\\",\\\"command\\\":\\\"ls\\\","
           "\\\"aggregated_output\\\":\\\"\\\",\\\"exit_code\\\":1,\\\"status\\\":"
           "\\\"complete\\\\rd\\\"}}\\n\"\n      - raw: \"not json\\n\"\n"));
    assert_null(strstr(y, "\nstatus: complete"));
    assert_null(strstr(y, "stdout line"));
    /* the stderr line that is not UTF-8: written as !!binary, exact */
    assert_null(strstr(y, "cannot replay exactly"));
    if (!strstr(y, "      - stderr: !!binary \"Y2Fmw6kg/w==\"\n")) fail_msg("%s", y);
    assert_int_equal(n_notes, 1); /* the item replayed as raw bytes */
    free(y);
}

/* tests/regress/convert_jsonl/timeout-many-lines-to-lower.jsonl: each proof round renders the
 * whole scenario and lowered one group, so 600 lines that codex-mock renders differently took
 * seconds (minutes for a few thousand). Past a budget, the rest is lowered at once, and the
 * scenario still replays the recording. */
static void test_long_recording_is_bounded(void **state) {
    (void)state;
    recording r;
    const char *const none[] = {NULL};
    make(&r, none, 0, false);
    const char *head =
        "{\"type\":\"thread.started\",\"thread_id\":\"t\"}\n{\"type\":\"turn.started\"}\n";
    rec_stream_feed(&r.out, head, strlen(head), 0);
    for (int i = 0; i < 600; i++) {
        char *l = xasprintf("{\"type\":\"item.completed\",\"item\":{\"id\":\"item_%d\",\"type\":"
                            "\"agent_message\",\"text\":\"x\",\"extra\":%d}}\n",
                            i + 7, i);
        rec_stream_feed(&r.out, l, strlen(l), 0);
        free(l);
    }
    buf y;
    buf_init(&y);
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    convert_options o = {.source = "long"};
    assert_int_equal(convert_recording(&r, &o, &y, &notes, &err), 0);
    bool bulk = false;
    for (size_t i = 0; i < notes.n; i++) {
        assert_null(strstr(notes.v[i], "cannot replay exactly"));
        if (strstr(notes.v[i], "a long recording: from stdout line ")) bulk = true;
    }
    assert_true(bulk);
    scenario sc;
    load_converted(y.data, y.len, &sc);
    assert_int_equal(sc.turns[0].n_steps, 602); /* one step a line */
    scenario_free(&sc);
    buf_free(&y);
    convert_notes_free(&notes);
    diag_free(&err);
    recording_free(&r);
}

/* tests/regress/convert_jsonl/placeholder-in-message.jsonl: recorded text holding `{{…}}` (the
 * corpus's {{HOME}}, a template printed by a command) was written into scenario strings, where
 * the loader takes it for a placeholder: {{HOME}} did not load, {{cwd}} was expanded on replay.
 * Such a line is now raw bytes cut between the braces, and the scenario replays it. */
static void test_placeholder_text_stays_literal(void **state) {
    (void)state;
    const char *const lines[] = {
        "0",
        "o",
        "{\"type\":\"thread.started\",\"thread_id\":\"t\"}\n",
        "0",
        "o",
        "{\"type\":\"turn.started\"}\n",
        "0",
        "o",
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"agent_message\","
        "\"text\":\"see {{HOME}} and {{cwd}}\"}}\n",
        "0",
        "o",
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_1\",\"type\":\"agent_message\","
        "\"text\":\"an open {{ is text\"}}\n",
        "0",
        "o",
        "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":1,\"cached_input_tokens\":0,"
        "\"cache_write_input_tokens\":0,\"output_tokens\":2,\"reasoning_output_tokens\":0}}\n",
        "0",
        "e",
        "warn: {{{{ cwd }}\n",
        NULL};
    recording r;
    make(&r, lines, 0, false);
    size_t n;
    char *y = convert(&r, &n);
    assert_int_equal(n, 0); /* replayed exactly */
    assert_non_null(strstr(y, "      - raw: \"{HOME}} and {\"\n        after: 0ms\n"));
    assert_non_null(strstr(y, "      - raw: \"{ cwd }}\\n\"\n        stream: stderr\n"));
    /* an unclosed {{ is text: the message stays sugar, and it is the only {{ left */
    const char *open = strstr(y, "      - message: \"an open {{ is text\"\n");
    assert_non_null(open);
    assert_ptr_equal(strstr(y, "{{"), open + strlen("      - message: \"an open "));
    assert_null(strstr(open + strlen("      - message: \"an open {{"), "{{"));
    scenario sc;
    load_converted(y, strlen(y), &sc);
    scenario_free(&sc);
    free(y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sugar_with_timing),
        cmocka_unit_test(test_lower_layers),
        cmocka_unit_test(test_signal_endings),
        cmocka_unit_test(test_rollout),
        cmocka_unit_test(test_rollout_mem),
        cmocka_unit_test(test_note_with_bad_bytes_stays_a_comment),
        cmocka_unit_test(test_placeholder_text_stays_literal),
        cmocka_unit_test(test_rollout_numbers_out_of_range),
        cmocka_unit_test(test_placeholder_in_labels),
        cmocka_unit_test(test_status_is_quoted),
        cmocka_unit_test(test_long_recording_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

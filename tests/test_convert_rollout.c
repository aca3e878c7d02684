/* Unit tests for src/convert_rollout.c: a session rollout → the `codex exec --json` lines the run
 * printed (rollout_to_recording), turn by turn, and → scenario YAML (convert_rollout); the
 * rollout sniffing (convert_is_rollout); and the errors with their positions.
 *
 * The fixtures in tests/data/convert_rollout are copies of real codex-cli 0.169.0 traces (the
 * corpus's 03, 05, 07 and 56): the session rollout the CLI wrote and the stdout it printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bytediff.h"
#include "convert.h"
#include "fileio.h"
#include "scenario_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *data_path(const char *name) {
    return xasprintf("%s/tests/data/convert_rollout/%s", SOURCE_DIR, name);
}

static char *slurp(const char *name, size_t *len) {
    char *p = data_path(name);
    char *d = fileio_read_file(p, 0, len);
    assert_non_null(d);
    free(p);
    return d;
}

static void assert_bytes(const char *what, const char *want, size_t want_len, const char *got,
                         size_t got_len) {
    if (bytediff_report(stderr, what, want, want_len, got, got_len) >= 0)
        fail_msg("%s differs (above)", what);
}

/* The rollout of `rollout` at `turn` gives exactly the stdout in `stdout_name`. */
/* expect_notes: 0, or the number of turns the rollout holds, noted when no turn was chosen. */
static void expect_stdout(const char *rollout, int turn, const char *stdout_name,
                          size_t expect_notes) {
    char *path = data_path(rollout);
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(rollout_to_recording(path, turn, &r, &notes, &err), 0);
    size_t want_len;
    char *want = slurp(stdout_name, &want_len);
    assert_bytes(stdout_name, want, want_len, r.out.bytes.data, r.out.bytes.len);
    /* A rollout has no timing and no stderr; the exit is the turn's. */
    assert_false(r.has_timing);
    assert_true(r.json_mode);
    assert_int_equal(r.err.bytes.len, 0);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.cwd, "{{RUN}}/work");
    assert_int_equal(notes.n, expect_notes && turn == 0 ? 1 : 0);
    if (notes.n) {
        char *want_note = xasprintf("the rollout holds %zu turns; this is turn %d (choose with "
                                    "--turn N)",
                                    expect_notes, 1);
        assert_string_equal(notes.v[0], want_note);
        free(want_note);
    }
    free(want);
    recording_free(&r);
    convert_notes_free(&notes);
    diag_free(&err);
    free(path);
}

static void test_each_turn_of_a_resumed_thread(void **state) {
    (void)state;
    const char *r = "07_resume_two_turns.rollout.jsonl";
    expect_stdout(r, 0, "07_resume_two_turns.run1.stdout.jsonl", 3); /* 0: the first */
    expect_stdout(r, 1, "07_resume_two_turns.run1.stdout.jsonl", 3);
    expect_stdout(r, 2, "07_resume_two_turns.run2.stdout.jsonl", 3);
    expect_stdout(r, 3, "07_resume_two_turns.run3.stdout.jsonl", 3);
}

static void test_command_file_change_mcp(void **state) {
    (void)state;
    expect_stdout("03_command_success.rollout.jsonl", 0, "03_command_success.stdout.jsonl", 0);
    expect_stdout("05_file_change_apply_patch.rollout.jsonl", 0,
                  "05_file_change_apply_patch.stdout.jsonl", 0);
    expect_stdout("56_mcp_tool_call_success.rollout.jsonl", 0,
                  "56_mcp_tool_call_success.stdout.jsonl", 0);
}

static void test_no_such_turn(void **state) {
    (void)state;
    char *path = data_path("07_resume_two_turns.rollout.jsonl");
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(rollout_to_recording(path, 4, &r, &notes, &err), -1);
    char *msg = diag_format(&err);
    char *want = xasprintf("codex-mock: %s: the rollout holds 3 turns; there is no turn 4", path);
    assert_string_equal(msg, want);
    free(msg);
    free(want);
    recording_free(&r);
    convert_notes_free(&notes);
    diag_free(&err);
    free(path);
}

/* A line that is not JSON is an error at that line, column 1; empty lines are skipped. */
static void test_not_json_line(void **state) {
    (void)state;
    size_t len;
    char *data = slurp("07_resume_two_turns.rollout.jsonl", &len);
    buf b;
    buf_init(&b);
    const char *nl = memchr(data, '\n', len);
    buf_append(&b, data, (size_t)(nl - data) + 1);
    buf_puts(&b, "\n\n{\"type\":\"event_msg\",\n");
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(rollout_to_recording_mem(b.data, b.len, "x.jsonl", 0, &r, &notes, &err), -1);
    char *msg = diag_format(&err);
    assert_string_equal(msg, "codex-mock: x.jsonl:4:1: not a JSON line");
    free(msg);
    recording_free(&r);
    diag_free(&err);
    convert_notes_free(&notes);
    buf_free(&b);
    free(data);
}

static void test_unreadable_and_sniffing(void **state) {
    (void)state;
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(rollout_to_recording("/nonexistent.jsonl", 0, &r, &notes, &err), -1);
    char *msg = diag_format(&err);
    assert_string_equal(msg, "codex-mock: /nonexistent.jsonl: cannot read the rollout file");
    free(msg);
    recording_free(&r);
    diag_free(&err);
    char *p = data_path("07_resume_two_turns.rollout.jsonl");
    assert_true(convert_is_rollout(p));
    free(p);
    p = data_path("03_command_success.stdout.jsonl"); /* a --json capture */
    assert_false(convert_is_rollout(p));
    free(p);
    assert_false(convert_is_rollout("/nonexistent.jsonl"));
}

/* An item type with no JSONL counterpart is skipped with a note; a blank reasoning is
 * dropped. The thread id and usage come from session_meta and token_count. */
static void test_unknown_item_and_blank_reasoning(void **state) {
    (void)state;
    static const char rollout[] =
        "{\"type\":\"session_meta\",\"payload\":{\"id\":\"t-1\",\"cwd\":\"/w\"}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_started\"}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"item\":"
        "{\"type\":\"Reasoning\",\"summary_text\":[\" \",\"\\n\"]}}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"item\":"
        "{\"type\":\"Hologram\"}}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"item_completed\",\"item\":"
        "{\"type\":\"AgentMessage\",\"content\":[{\"text\":\"Hi\"},{\"text\":\" there\"}]}}}\n"
        "{\"type\":\"event_msg\",\"payload\":{\"type\":\"task_complete\"}}\n";
    recording r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(
        rollout_to_recording_mem(rollout, sizeof rollout - 1, "m.jsonl", 0, &r, &notes, &err), 0);
    static const char want[] =
        "{\"type\":\"thread.started\",\"thread_id\":\"t-1\"}\n"
        "{\"type\":\"turn.started\"}\n"
        "{\"type\":\"item.completed\",\"item\":{\"id\":\"item_0\",\"type\":\"agent_message\","
        "\"text\":\"Hi there\"}}\n"
        "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":0,\"cached_input_tokens\":0,"
        "\"cache_write_input_tokens\":0,\"output_tokens\":0,\"reasoning_output_tokens\":0}}\n";
    assert_bytes("m.jsonl", want, sizeof want - 1, r.out.bytes.data, r.out.bytes.len);
    assert_int_equal(notes.n, 1);
    assert_string_equal(notes.v[0],
                        "rollout item type Hologram has no JSONL counterpart here; skipped");
    recording_free(&r);
    convert_notes_free(&notes);
    diag_free(&err);
}

/* convert_rollout: YAML that loads, carries the source, and names each turn's content. */
static void test_to_yaml(void **state) {
    (void)state;
    char *path = data_path("07_resume_two_turns.rollout.jsonl");
    convert_options o = {.source = "07_resume_two_turns.rollout.jsonl", .rollout_turn = 2};
    buf y;
    buf_init(&y);
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(convert_rollout(path, &o, &y, &notes, &err), 0);
    assert_non_null(strstr(y.data, "07_resume_two_turns.rollout.jsonl"));
    assert_non_null(strstr(y.data, "thread_id: \"01a1fd0a-52b8-7342-881a-83c7d3f2918c\"\n"));
    assert_non_null(strstr(y.data, "      - message: \"You asked me to remember 42.\"\n"
                                   "      - usage: {input_tokens: 3000, cached_input_tokens: 500, "
                                   "cache_write_input_tokens: 0, output_tokens: 30, "
                                   "reasoning_output_tokens: 0}\n"));
    assert_null(strstr(y.data, "Got it: 42."));
    scenario sc;
    diag lerr;
    diag_init(&lerr);
    assert_int_equal(scenario_load_mem("converted.yaml", y.data, y.len, &sc, &lerr), 0);
    scenario_free(&sc);
    diag_free(&lerr);
    buf_free(&y);
    convert_notes_free(&notes);
    diag_free(&err);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_turn_of_a_resumed_thread),
        cmocka_unit_test(test_command_file_change_mcp),
        cmocka_unit_test(test_no_such_turn),
        cmocka_unit_test(test_not_json_line),
        cmocka_unit_test(test_unreadable_and_sniffing),
        cmocka_unit_test(test_unknown_item_and_blank_reasoning),
        cmocka_unit_test(test_to_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

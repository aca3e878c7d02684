/* Unit tests for src/event_json.c (the JSONL line of every event and item type) and the two
 * JSONL sinks of src/sink_jsonl.c. The expected lines are in tests/data/event_json/NAME.jsonl,
 * one file per test, compared byte for byte (a difference is shown as bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bytediff.h"
#include "event_json.h"
#include "sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mstr M(const char *s) {
    return (mstr){s, strlen(s)};
}

/* Compares `got` with tests/data/event_json/<name>.jsonl. */
static void expect_file(const buf *got, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/event_json/%s.jsonl", SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char want[16384];
    size_t n = fread(want, 1, sizeof want, f);
    fclose(f);
    assert_true(n < sizeof want);
    if (bytediff_report(stderr, path, want, n, got->data ? got->data : "", got->len) >= 0)
        fail_msg("%s: the rendered lines differ (above)", name);
}

static void test_turn_and_thread_events(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    event ev = {.type = EV_THREAD_STARTED, .thread_id = M("01a1fd0a-45ae-75a0-ae13-0a20b0004afa")};
    event_write_json(&b, &ev);
    event_write_json(&b, &(event){.type = EV_TURN_STARTED});
    /* The usage object always has five keys, whatever has_usage says (the planner resolves). */
    event done = {.type = EV_TURN_COMPLETED,
                  .usage = {.input_tokens = 24763,
                            .cached_input_tokens = 24448,
                            .cache_write_input_tokens = 3,
                            .output_tokens = 122,
                            .reasoning_output_tokens = 64}};
    event_write_json(&b, &done);
    event_write_json(&b, &(event){.type = EV_TURN_COMPLETED});
    /* Messages: serde_json's escaping, a curly apostrophe raw, a NUL inside. */
    event err = {.type = EV_ERROR,
                 .message = M("Reconnecting... 1/5 (stream disconnected: \"eof\"\\\t\x01)")};
    event_write_json(&b, &err);
    event failed = {.type = EV_TURN_FAILED, .message = {"We\xe2\x80\x99re\0down\n", 13}};
    event_write_json(&b, &failed);
    /* A message not given is the empty string, never null. */
    event_write_json(&b, &(event){.type = EV_TURN_FAILED});
    event_write_json(&b, &(event){.type = EV_ERROR});
    expect_file(&b, "turn_and_thread");
    buf_free(&b);
}

static void item_line(buf *b, event_type t, const item *it) {
    event ev = {.type = t, .item = *it};
    event_write_json(b, &ev);
}

static void test_text_items(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    item msg = {
        .type = ITEM_AGENT_MESSAGE, .id = M("item_3"), .u.text.text = M("Done.\nAll \"ok\"")};
    item_line(&b, EV_ITEM_COMPLETED, &msg);
    item reasoning = {.type = ITEM_REASONING,
                      .id = M("item_0"),
                      .u.text.text = M("**Inspecting**\n\nI'll look.")};
    item_line(&b, EV_ITEM_COMPLETED, &reasoning);
    /* An error item's text goes in "message". */
    item warn = {.type = ITEM_ERROR,
                 .id = M("item_1"),
                 .u.text.text = M("Falling back from WebSockets to HTTPS transport.")};
    item_line(&b, EV_ITEM_COMPLETED, &warn);
    /* Text not given: "". */
    item empty = {.type = ITEM_AGENT_MESSAGE, .id = M("item_4")};
    item_line(&b, EV_ITEM_COMPLETED, &empty);
    expect_file(&b, "text_items");
    buf_free(&b);
}

static void test_command_and_file_change(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    item cmd = {.type = ITEM_COMMAND_EXECUTION,
                .status = STATUS_IN_PROGRESS,
                .id = M("item_1"),
                .u.cmd = {.command = M("/bin/bash -lc 'ls -1'")}};
    item_line(&b, EV_ITEM_STARTED, &cmd);
    cmd.status = STATUS_FAILED;
    cmd.u.cmd.output = M("boom\n");
    cmd.u.cmd.has_exit_code = true;
    cmd.u.cmd.exit_code = 3;
    item_line(&b, EV_ITEM_COMPLETED, &cmd);
    /* STATUS_NONE prints as completed; a declined command keeps its null exit code. */
    cmd.status = STATUS_NONE;
    cmd.u.cmd.exit_code = 0;
    item_line(&b, EV_ITEM_COMPLETED, &cmd);
    cmd.status = STATUS_DECLINED;
    cmd.u.cmd.has_exit_code = false;
    item_line(&b, EV_ITEM_COMPLETED, &cmd);
    file_change_entry ch[] = {{M("/w/a.txt"), CHANGE_ADD},
                              {M("/w/b.txt"), CHANGE_DELETE},
                              {M("/w/c \"d\".txt"), CHANGE_UPDATE}};
    item fc = {.type = ITEM_FILE_CHANGE,
               .status = STATUS_COMPLETED,
               .id = M("item_2"),
               .u.fc = {ch, 3, M("diff --git (not on the wire)")}};
    item_line(&b, EV_ITEM_COMPLETED, &fc);
    fc.u.fc.n = 0;
    fc.status = STATUS_FAILED;
    item_line(&b, EV_ITEM_COMPLETED, &fc);
    expect_file(&b, "command_and_file_change");
    buf_free(&b);
}

static void test_mcp_web_search_todo(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    /* arguments {"path":"/w","n":2}, result [true,null] */
    jval path = {.kind = JV_STRING, .s = "/w", .len = 2};
    jval two = {.kind = JV_INT, .i = 2};
    jmember members[] = {{"path", 4, &path}, {"n", 1, &two}};
    jval args = {.kind = JV_OBJECT, .n = 2, .members = members};
    jval t = {.kind = JV_BOOL, .b = true}, nul = {.kind = JV_NULL};
    jval *elems[] = {&t, &nul};
    jval result = {.kind = JV_ARRAY, .n = 2, .items = elems};
    mcp_call call = {
        .server = M("docs"), .tool = M("search"), .arguments = &args, .result = &result};
    item mcp = {
        .type = ITEM_MCP_TOOL_CALL, .status = STATUS_COMPLETED, .id = M("item_5"), .u.mcp = &call};
    item_line(&b, EV_ITEM_COMPLETED, &mcp);
    /* No arguments → {}, no result → null, an error → {"message":…}. */
    mcp_call bad = {.server = M("docs"), .tool = M("fetch"), .error = M("timed out")};
    mcp.u.mcp = &bad;
    mcp.status = STATUS_FAILED;
    item_line(&b, EV_ITEM_COMPLETED, &mcp);
    /* web_search: "id" twice; no action → {"type":"search","query":…}. */
    item ws = {.type = ITEM_WEB_SEARCH,
               .id = M("item_6"),
               .u.ws = {.search_id = M("ws_0a1b"), .query = M("cmocka \"docs\"")}};
    item_line(&b, EV_ITEM_STARTED, &ws);
    jval url = {.kind = JV_STRING, .s = "https://x.example/", .len = 18};
    jval open = {.kind = JV_STRING, .s = "open_page", .len = 9};
    jmember am[] = {{"type", 4, &open}, {"url", 3, &url}};
    jval action = {.kind = JV_OBJECT, .n = 2, .members = am};
    ws.u.ws.action = &action;
    item_line(&b, EV_ITEM_COMPLETED, &ws);
    todo_entry steps[] = {{M("Read the code"), true, TODO_COMPLETED},
                          {M("Fix \"it\""), false, TODO_IN_PROGRESS},
                          {M("Test"), false, TODO_PENDING}};
    item todo = {
        .type = ITEM_TODO_LIST, .id = M("item_0"), .u.todo = {steps, 3, M("not on the wire")}};
    item_line(&b, EV_ITEM_UPDATED, &todo);
    expect_file(&b, "mcp_web_search_todo");
    buf_free(&b);
}

static void test_collab_tool_call(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    mstr receivers[] = {M("thr-1"), M("thr-2")};
    agent_state states[] = {{M("thr-1"), "running", {NULL, 0}},
                            {M("thr-2"), "completed", M("done")}};
    collab_call c = {.tool = M("spawn_agent"),
                     .sender = M("thr-0"),
                     .receivers = receivers,
                     .n_receivers = 2,
                     .prompt = M("look at tests"),
                     .states = states,
                     .n_states = 2};
    item it = {.type = ITEM_COLLAB_TOOL_CALL,
               .status = STATUS_IN_PROGRESS,
               .id = M("item_7"),
               .u.collab = &c};
    item_line(&b, EV_ITEM_STARTED, &it);
    /* No prompt → null; no receivers or states → [] and {}. */
    collab_call w = {.tool = M("wait"), .sender = M("thr-0")};
    it.u.collab = &w;
    it.status = STATUS_COMPLETED;
    item_line(&b, EV_ITEM_COMPLETED, &it);
    expect_file(&b, "collab_tool_call");
    buf_free(&b);
}

/* item_write_json and usage_write_json alone: no envelope, no newline. */
static void test_item_and_usage_alone(void **state) {
    (void)state;
    buf b;
    buf_init(&b);
    item msg = {.type = ITEM_AGENT_MESSAGE, .id = M("item_0"), .u.text.text = M("hi")};
    item_write_json(&b, &msg);
    assert_string_equal(b.data, "{\"id\":\"item_0\",\"type\":\"agent_message\",\"text\":\"hi\"}");
    buf_reset(&b);
    usage u = {1, 2, 3, 4, -5};
    usage_write_json(&b, &u);
    assert_string_equal(b.data, "{\"input_tokens\":1,\"cached_input_tokens\":2,"
                                "\"cache_write_input_tokens\":3,\"output_tokens\":4,"
                                "\"reasoning_output_tokens\":-5}");
    buf_free(&b);
}

/* The sinks: jsonl writes event_write_json's bytes to stdout and nothing to stderr; the legacy
 * one differs only in turn.completed's usage (three keys). */
static void play_through(sink s, buf *out) {
    buf err;
    buf_init(&err);
    event thread = {.type = EV_THREAD_STARTED,
                    .thread_id = M("01a1fd0a-45ae-75a0-ae13-0a20b0004afa")};
    item msg = {.type = ITEM_AGENT_MESSAGE, .id = M("item_0"), .u.text.text = M("Hi.")};
    event evs[] = {thread,
                   {.type = EV_TURN_STARTED},
                   {.type = EV_ITEM_COMPLETED, .item = msg},
                   {.type = EV_TURN_COMPLETED, .usage = {100, 50, 7, 10, 4}}};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        s.on_event(s.ctx, &evs[i], out, &err);
    assert_null(s.on_end);
    assert_null(s.on_flush);
    assert_int_equal(err.len, 0);
    buf_free(&err);
}

static void test_sink_jsonl(void **state) {
    (void)state;
    buf out;
    buf_init(&out);
    play_through(sink_jsonl(), &out);
    expect_file(&out, "sink_jsonl");
    buf_reset(&out);
    play_through(sink_jsonl_legacy(), &out);
    expect_file(&out, "sink_jsonl_legacy");
    buf_free(&out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_turn_and_thread_events),
        cmocka_unit_test(test_text_items),
        cmocka_unit_test(test_command_and_file_change),
        cmocka_unit_test(test_mcp_web_search_todo),
        cmocka_unit_test(test_collab_tool_call),
        cmocka_unit_test(test_item_and_usage_alone),
        cmocka_unit_test(test_sink_jsonl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

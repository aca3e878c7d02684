/* sink_human: each event's rendering, colours, the end of the run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sink_human.h"

#include <stdlib.h>
#include <string.h>

static human_opts opts(bool color) {
    return (human_opts){.version = "0.169.0",
                        .workdir = "/w",
                        .model = "m",
                        .provider = "p",
                        .approval = "never",
                        .sandbox = "read-only",
                        .reasoning_effort = "none",
                        .reasoning_summaries = "none",
                        .prompt = "say hi",
                        .color = color};
}

static mstr M(const char *s) {
    return (mstr){s, strlen(s)};
}

/* Renders one event; returns stderr (heap). */
static char *render(const human_opts *o, const event *ev) {
    human_state st;
    sink s = sink_human_full(&st, o);
    buf out, err;
    buf_init(&out);
    buf_init(&err);
    s.on_event(s.ctx, ev, &out, &err);
    assert_int_equal(out.len, 0); /* events never reach stdout */
    buf_free(&out);
    return err.data ? buf_detach(&err) : xstrdup("");
}

static void expect(const human_opts *o, const event *ev, const char *want) {
    char *got = render(o, ev);
    assert_string_equal(got, want);
    free(got);
}

static void test_header(void **state) {
    (void)state;
    human_opts o = opts(false);
    event ev = {.type = EV_THREAD_STARTED, .thread_id = M("01a1fd0b-0000-7000-8000-000000000000")};
    expect(&o, &ev,
           "OpenAI Codex v0.169.0\n--------\nworkdir: /w\nmodel: m\nprovider: p\napproval: never\n"
           "sandbox: read-only\nreasoning effort: none\nreasoning summaries: none\nsession id: "
           "01a1fd0b-0000-7000-8000-000000000000\n--------\nuser\nsay hi\n");
    o.research_preview = true;
    o.bwrap_warning = true;
    expect(&o, &ev,
           "OpenAI Codex v0.169.0 (research preview)\n--------\nworkdir: /w\nmodel: m\n"
           "provider: p\napproval: never\nsandbox: read-only\nreasoning effort: none\n"
           "reasoning summaries: none\nsession id: 01a1fd0b-0000-7000-8000-000000000000\n"
           "--------\nuser\nsay hi\n"
           "warning: Codex could not find bubblewrap on PATH. Install bubblewrap with your OS "
           "package manager. See the sandbox prerequisites: "
           "https://developers.openai.com/codex/concepts/sandboxing#prerequisites. Codex will "
           "use the bundled bubblewrap in the meantime.\n");
    /* Colour: each key bold, `user` cyan, the warning's label bold yellow (outer first). */
    o = opts(true);
    o.bwrap_warning = true;
    expect(&o, &ev,
           "OpenAI Codex v0.169.0\n--------\n\x1b[1mworkdir:\x1b[0m /w\n\x1b[1mmodel:\x1b[0m m\n"
           "\x1b[1mprovider:\x1b[0m p\n\x1b[1mapproval:\x1b[0m never\n"
           "\x1b[1msandbox:\x1b[0m read-only\n\x1b[1mreasoning effort:\x1b[0m none\n"
           "\x1b[1mreasoning summaries:\x1b[0m none\n"
           "\x1b[1msession id:\x1b[0m 01a1fd0b-0000-7000-8000-000000000000\n--------\n"
           "\x1b[36muser\x1b[0m\nsay hi\n"
           "\x1b[1m\x1b[33mwarning:\x1b[0m\x1b[0m Codex could not find bubblewrap on PATH. "
           "Install bubblewrap with your OS package manager. See the sandbox prerequisites: "
           "https://developers.openai.com/codex/concepts/sandboxing#prerequisites. Codex will "
           "use the bundled bubblewrap in the meantime.\n");
}

static void test_items(void **state) {
    (void)state;
    human_opts o = opts(false);
    event ev = {.type = EV_ITEM_COMPLETED};
    ev.item.type = ITEM_AGENT_MESSAGE;
    ev.item.u.text.text = M("hi\n");
    expect(&o, &ev, "codex\nhi\n\n");
    ev.item.type = ITEM_REASONING;
    ev.item.u.text.text = M("**Think**");
    expect(&o, &ev, "**Think**\n");
    ev.item.type = ITEM_ERROR;
    ev.item.u.text.text = M("model rerouted");
    expect(&o, &ev, "warning: model rerouted\n");

    event cmd = {.type = EV_ITEM_STARTED};
    cmd.item.type = ITEM_COMMAND_EXECUTION;
    cmd.item.u.cmd.command = M("ls");
    expect(&o, &cmd, "exec\nls in /w\n");
    cmd.type = EV_ITEM_COMPLETED;
    cmd.item.u.cmd.has_exit_code = true;
    cmd.item.u.cmd.exit_code = 2;
    cmd.item.u.cmd.duration_ns = 1257000000;
    cmd.item.u.cmd.output = M("a\r\nb\n");
    expect(&o, &cmd, " exited 2 in 1257ms:\na\nb\n\n");
    buf many;
    buf_init(&many);
    for (int i = 0; i < 25; i++)
        buf_printf(&many, "%d\n", i);
    cmd.item.u.cmd.exit_code = 0;
    cmd.item.u.cmd.duration_ns = 0;
    cmd.item.u.cmd.output = (mstr){many.data, many.len};
    char *got = render(&o, &cmd);
    assert_true(strncmp(got, " succeeded in 0ms:\n0\n1\n", 22) == 0);
    assert_non_null(strstr(got, "\n19\n\n"));
    assert_null(strstr(got, "20"));
    free(got);
    buf_free(&many);
    cmd.item.u.cmd.output = M("");
    expect(&o, &cmd, " succeeded in 0ms:\n\n");

    file_change_entry ch[] = {{M("/w/a.txt"), CHANGE_ADD}, {M("/w/b.txt"), CHANGE_DELETE}};
    event fc = {.type = EV_ITEM_STARTED};
    fc.item.type = ITEM_FILE_CHANGE;
    fc.item.u.fc.v = ch;
    fc.item.u.fc.n = 2;
    expect(&o, &fc, "apply patch\n");
    fc.type = EV_ITEM_COMPLETED;
    fc.item.status = STATUS_COMPLETED;
    fc.item.u.fc.diff = M("diff --git a/a.txt b/a.txt\n");
    expect(&o, &fc, "patch: completed\n/w/a.txt\n/w/b.txt\ndiff --git a/a.txt b/a.txt\n\n");
    fc.item.status = STATUS_FAILED;
    fc.item.u.fc.diff = (mstr){NULL, 0};
    expect(&o, &fc, "patch: failed\n/w/a.txt\n/w/b.txt\n");

    mcp_call call = {.server = M("docs"), .tool = M("search")};
    event mcp = {.type = EV_ITEM_STARTED};
    mcp.item.type = ITEM_MCP_TOOL_CALL;
    mcp.item.u.mcp = &call;
    expect(&o, &mcp, "mcp: docs/search started\n");
    mcp.type = EV_ITEM_COMPLETED;
    mcp.item.status = STATUS_FAILED;
    expect(&o, &mcp, "mcp: docs/search (failed)\n");

    event ws = {.type = EV_ITEM_COMPLETED};
    ws.item.type = ITEM_WEB_SEARCH;
    ws.item.u.ws.query = M("weather");
    expect(&o, &ws, "web search: weather\n");
}

static void test_plan(void **state) {
    (void)state;
    human_opts o = opts(false);
    todo_entry steps[] = {{M("A"), true, TODO_COMPLETED},
                          {M("B"), false, TODO_IN_PROGRESS},
                          {M("C"), false, TODO_PENDING}};
    event ev = {.type = EV_ITEM_UPDATED};
    ev.item.type = ITEM_TODO_LIST;
    ev.item.u.todo.v = steps;
    ev.item.u.todo.n = 3;
    ev.item.u.todo.explanation = M("Why");
    expect(&o, &ev, "Why\n  \u2713 A\n  \u2192 B\n  \u2022 C\n");
    ev.type = EV_ITEM_COMPLETED;
    expect(&o, &ev, ""); /* the plan's completion at turn end prints nothing */
    o.color = true;
    ev.type = EV_ITEM_STARTED;
    ev.item.u.todo.explanation = (mstr){NULL, 0};
    expect(&o, &ev,
           "  \x1b[32m\u2713\x1b[0m A\n  \x1b[36m\u2192\x1b[0m B\n  \x1b[2m\u2022\x1b[0m "
           "\x1b[2mC\x1b[0m\n");
}

static void test_errors_and_tokens(void **state) {
    (void)state;
    human_opts o = opts(false);
    event ev = {.type = EV_ERROR,
                .message = M("Reconnecting... 2/5 (unexpected status 500 (x): boom)")};
    expect(&o, &ev, "ERROR: Reconnecting... 2/5\n");
    ev.message = M("Reconnecting... waiting for network (error sending request)");
    expect(&o, &ev, "ERROR: Reconnecting... waiting for network\n");
    ev.message = M("plain failure (with details)");
    expect(&o, &ev, "ERROR: plain failure (with details)\n");
    ev.type = EV_TURN_FAILED;
    ev.message = M("Reconnecting... 1/5 (kept as is)");
    expect(&o, &ev, "ERROR: Reconnecting... 1/5 (kept as is)\n");
    event tc = {.type = EV_TURN_COMPLETED};
    tc.usage = (usage){.input_tokens = 1334, .cached_input_tokens = 1000, .output_tokens = 76};
    expect(&o, &tc, "tokens used\n410\n");
    tc.usage = (usage){.input_tokens = 12288, .cached_input_tokens = 6144, .output_tokens = 384};
    expect(&o, &tc, "tokens used\n6,528\n");
    o.color = true;
    expect(&o, &ev, "\x1b[31mERROR:\x1b[0m Reconnecting... 1/5 (kept as is)\n");

    buf b;
    buf_init(&b);
    int64_t vals[] = {0, 999, 1000, 1234567, -45678};
    const char *want[] = {"0", "999", "1,000", "1,234,567", "-45,678"};
    for (int i = 0; i < 5; i++) {
        buf_reset(&b);
        human_thousands(&b, vals[i]);
        assert_string_equal(b.data, want[i]);
    }
    buf_free(&b);
}

static void test_end(void **state) {
    (void)state;
    human_opts o = opts(false);
    human_state st;
    sink s = sink_human_full(&st, &o);
    buf out, err;
    buf_init(&out);
    buf_init(&err);
    play_end ok = {END_EXIT, 0, true, false, "answer", 6};
    s.on_end(s.ctx, &ok, &out, &err);
    assert_string_equal(out.data, "answer\n");
    buf_reset(&out);
    play_end failed = {END_EXIT, 1, false, true, "answer", 6};
    s.on_end(s.ctx, &failed, &out, &err);
    assert_int_equal(out.len, 0);
    play_end intr = {END_INTERRUPTED, 1, false, false, NULL, 0};
    s.on_end(s.ctx, &intr, &out, &err);
    assert_string_equal(err.data, "turn interrupted\n");
    buf_free(&out);
    buf_free(&err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header), cmocka_unit_test(test_items),
        cmocka_unit_test(test_plan),   cmocka_unit_test(test_errors_and_tokens),
        cmocka_unit_test(test_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

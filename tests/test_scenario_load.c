/* Unit tests for src/engine/scenario_load.c: what each key becomes, and every user error with its
 * message and position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag.h"
#include "duration.h"
#include "faces.h"
#include "scenario_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load(const char *yaml, scenario *sc, diag *err) {
    diag_init(err);
    return scenario_load_mem("s.yaml", yaml, strlen(yaml), sc, err);
}

static void expect_ok(const char *yaml, scenario *sc) {
    diag err;
    if (load(yaml, sc, &err) != 0) {
        char *m = diag_format(&err);
        fail_msg("unexpected error: %s", m);
    }
}

static void test_sugar_steps(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\n"
              "name: demo\n"
              "steps:\n"
              "  - message: hello\n"
              "  - reasoning: [\"A\", \"B\", \"\", \"   \", \"C\\n\"]\n"
              "  - command: ls\n"
              "    output: \"a\\n\"\n"
              "    exit_code: 2\n"
              "    duration: 1.5ms\n"
              "    after: 46.7ms\n"
              "  - file_change: [{path: a.txt, kind: add}, b.txt]\n"
              "  - usage: {input_tokens: 10, output_tokens: 3}\n",
              &sc);
    assert_int_equal(sc.n_turns, 1);
    assert_string_equal(sc.name.ptr, "demo");
    const turn *t = &sc.turns[0];
    assert_int_equal(t->n_steps, 5);
    assert_int_equal(t->steps[0].kind, STEP_ITEM);
    assert_int_equal(t->steps[0].u.item.type, ITEM_AGENT_MESSAGE);
    assert_string_equal(t->steps[0].u.item.u.text.text.ptr, "hello");
    /* summary parts are joined with "\n", every part kept */
    assert_string_equal(t->steps[1].u.item.u.text.text.ptr, "A\nB\n\n   \nC\n");
    const step *c = &t->steps[2];
    assert_int_equal(c->u.item.type, ITEM_COMMAND_EXECUTION);
    assert_true(c->u.item.u.cmd.has_exit_code);
    assert_int_equal(c->u.item.u.cmd.exit_code, 2);
    assert_int_equal(c->u.item.status, STATUS_FAILED);
    assert_true(c->has_after);
    assert_int_equal(c->after_ns, 46700000);
    assert_int_equal(c->duration_ns, 1500000);
    assert_int_equal(t->steps[3].u.item.u.fc.n, 2);
    assert_int_equal(t->steps[3].u.item.u.fc.v[0].kind, CHANGE_ADD);
    assert_int_equal(t->steps[3].u.item.u.fc.v[1].kind, CHANGE_UPDATE);
    assert_int_equal(t->steps[4].u.usage.input_tokens, 10);
    assert_int_equal(t->steps[4].u.usage.cached_input_tokens, 0);
    assert_int_equal(t->steps[4].u.usage.output_tokens, 3);
    scenario_free(&sc);
}

static void test_command_defaults(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\nsteps:\n  - command: ls\n  - command: {command: x, status: "
              "declined}\n",
              &sc);
    const item *ok = &sc.turns[0].steps[0].u.item;
    assert_true(ok->u.cmd.has_exit_code);
    assert_int_equal(ok->u.cmd.exit_code, 0);
    assert_int_equal(ok->status, STATUS_COMPLETED);
    assert_int_equal(ok->u.cmd.output.len, 0);
    assert_int_equal(sc.turns[0].steps[1].u.item.status, STATUS_DECLINED);
    scenario_free(&sc);
}

/* `approval:` (read by the app-server face): true, or a mapping with the escalation's reason. */
static void test_approval(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\nsteps:\n  - command: ls\n  - command: rm\n    approval: true\n"
              "  - file_change: [{path: a, kind: add}]\n    approval: {reason: why}\n"
              "  - mcp_tool_call: {server: s, tool: t}\n    approval: false\n",
              &sc);
    const step *st = sc.turns[0].steps;
    assert_null(st[0].approval);
    assert_non_null(st[1].approval);
    assert_false(st[1].approval->has_reason);
    assert_true(st[2].approval->has_reason);
    assert_int_equal(st[2].approval->reason.len, 3);
    assert_memory_equal(st[2].approval->reason.ptr, "why", 3);
    assert_null(st[3].approval);
    scenario_free(&sc);
    expect_ok("codex_mock: 1\nsteps:\n  - command: rm\n    approval:\n      on_accept: [{message: "
              "a}, {message: b}]\n      on_decline: [{command: ls}]\n",
              &sc);
    const approval_spec *ap = sc.turns[0].steps[0].approval;
    assert_int_equal(ap->n_on_accept, 2);
    assert_int_equal(ap->on_accept[1].u.item.type, ITEM_AGENT_MESSAGE);
    assert_int_equal(ap->n_on_decline, 1);
    assert_int_equal(ap->on_decline[0].u.item.type, ITEM_COMMAND_EXECUTION);
    scenario_free(&sc);
    static const char *const bad[][2] = {
        {"codex_mock: 1\nsteps:\n  - message: hi\n    approval: true\n",
         "unknown key 'approval' in a message step"},
        {"codex_mock: 1\nsteps:\n  - command: ls\n    approval: [1]\n",
         "'approval' takes true or a mapping such as {reason: ...}"},
        {"codex_mock: 1\nsteps:\n  - command: ls\n    approval: {reasn: x}\n", "reasn"},
        {"codex_mock: 1\nsteps:\n  - command: ls\n    approval: {on_accept: hi}\n", "on_accept"},
        {"codex_mock: 1\nsteps:\n  - command: ls\n    approval: {on_decline: [{mesage: x}]}\n",
         "did you mean 'message'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        diag err;
        assert_int_equal(load(bad[i][0], &sc, &err), -1);
        char *m = diag_format(&err);
        if (!strstr(m, bad[i][1])) fail_msg("%s: got %s", bad[i][1], m);
        free(m);
        diag_free(&err);
    }
}

static void test_raw_events(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\n"
              "turns:\n"
              "  - started_after: 40ms\n"
              "    completed_after: 5ms\n"
              "    steps:\n"
              "      - event: {type: thread.started, thread_id: abc}\n"
              "      - event: {type: item.started, item: {type: command_execution, command: "
              "ls}}\n"
              "      - event:\n"
              "          type: item.completed\n"
              "          item: {id: item_7, type: web_search, id: ws_1, query: q}\n"
              "      - event: {type: error, message: \"Reconnecting... 1/5\"}\n"
              "      - event: {type: turn.failed, error: {message: boom}}\n",
              &sc);
    const turn *t = &sc.turns[0];
    assert_true(t->has_started_after);
    assert_int_equal(t->started_after_ns, 40 * NS_PER_MS);
    assert_int_equal(t->steps[0].u.ev->type, EV_THREAD_STARTED);
    assert_string_equal(t->steps[0].u.ev->thread_id.ptr, "abc");
    const item *cmd = &t->steps[1].u.ev->item;
    assert_false(cmd->u.cmd.has_exit_code); /* raw: exit_code null unless given */
    assert_int_equal(cmd->status, STATUS_IN_PROGRESS);
    const item *ws = &t->steps[2].u.ev->item;
    assert_string_equal(ws->id.ptr, "item_7");
    assert_string_equal(ws->u.ws.search_id.ptr, "ws_1");
    assert_string_equal(t->steps[3].u.ev->message.ptr, "Reconnecting... 1/5");
    assert_string_equal(t->steps[4].u.ev->message.ptr, "boom");
    scenario_free(&sc);
}

static void test_process_steps(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\nstartup: 218ms\npreflight: 137ms\nsteps:\n"
              "  - stderr: warn\n  - raw: '{\"type\":\"turn.comp'\n    at: 1s\n"
              "  - raw: x\n    stream: stderr\n  - sleep: 2s\n  - exit: 3\n",
              &sc);
    assert_int_equal(sc.startup_ns, 218 * NS_PER_MS);
    assert_int_equal(sc.preflight_ns, 137 * NS_PER_MS);
    const step *s = sc.turns[0].steps;
    assert_int_equal(s[0].kind, STEP_STDERR);
    assert_false(s[0].exact);
    assert_int_equal(s[1].kind, STEP_RAW);
    assert_true(s[1].has_at);
    assert_int_equal(s[1].at_ns, NS_PER_S);
    assert_int_equal(s[2].kind, STEP_STDERR);
    assert_true(s[2].exact);
    assert_int_equal(s[3].u.sleep, 2 * NS_PER_S);
    assert_int_equal(s[4].u.exit_code, 3);
    scenario_free(&sc);
}

static void test_anchors_and_aliases(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\nsteps:\n  - &hi {message: hello}\n  - *hi\n", &sc);
    assert_int_equal(sc.turns[0].n_steps, 2);
    assert_string_equal(sc.turns[0].steps[1].u.item.u.text.text.ptr, "hello");
    scenario_free(&sc);
}

static void test_nul_in_strings(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\nsteps:\n  - message: \"a\\0b\"\n", &sc);
    const mstr *t = &sc.turns[0].steps[0].u.item.u.text.text;
    assert_int_equal(t->len, 3);
    assert_memory_equal(t->ptr, "a\0b", 3);
    scenario_free(&sc);
}

static void test_mcp_content_shorthand(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\nsteps:\n  - mcp_tool_call: {server: echo, tool: echo, "
              "arguments: {text: ping}, content: \"echo: ping\", structured_content: {e: 1}}\n",
              &sc);
    const item *m = &sc.turns[0].steps[0].u.item;
    assert_non_null(m->u.mcp->result);
    assert_int_equal(m->status, STATUS_COMPLETED);
    scenario_free(&sc);
}

/* --- user errors: message, file, line and column --- */

/* `conform:` — what conform needs to play the scenario through the real CLI. */
static void test_conform_section(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\n"
              "conform:\n"
              "  files: {README.md: \"# x\\n\", src/a.c: \"\"}\n"
              "  args: [-c, a=1]\n"
              "  prompt: List.\n"
              "  timing: false\n"
              "  session_gap: no lines\n"
              "  human_gap: no header\n"
              "steps:\n  - message: hi\n",
              &sc);
    assert_int_equal(sc.conform.n_files, 2);
    assert_string_equal(sc.conform.files[0].path.ptr, "README.md");
    assert_int_equal(sc.conform.files[0].content.len, 4);
    assert_string_equal(sc.conform.files[1].path.ptr, "src/a.c");
    assert_int_equal(sc.conform.n_args, 2);
    assert_string_equal(sc.conform.args[1].ptr, "a=1");
    assert_string_equal(sc.conform.prompt.ptr, "List.");
    assert_true(sc.conform.timing_off);
    assert_null(sc.conform.skip.ptr);
    assert_string_equal(sc.conform.session_gap.ptr, "no lines");
    assert_string_equal(sc.conform.human_gap.ptr, "no header");
    scenario_free(&sc);
    expect_ok("codex_mock: 1\nsteps: []\n", &sc);
    assert_false(sc.conform.timing_off); /* no section: timing compared */
    scenario_free(&sc);
    static const struct {
        const char *yaml, *want;
    } bad[] = {
        {"codex_mock: 1\nconform: {skp: x}\nsteps: []\n",
         "codex-mock: s.yaml:2:11: unknown key in conform 'skp' (did you mean 'skip'?)"},
        {"codex_mock: 1\nconform: {files: {/etc/x: y}}\nsteps: []\n",
         "codex-mock: s.yaml:2:19: a conform file path is relative and stays in the work dir"},
        {"codex_mock: 1\nconform: {files: {../x: y}}\nsteps: []\n",
         "codex-mock: s.yaml:2:19: a conform file path is relative and stays in the work dir"},
        {"codex_mock: 1\nconform: {args: -c}\nsteps: []\n",
         "codex-mock: s.yaml:2:17: 'args' must be a list of strings, found a string"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        diag err;
        assert_int_equal(load(bad[i].yaml, &sc, &err), -1);
        char *m = diag_format(&err);
        if (strcmp(m, bad[i].want)) fail_msg("got: %s\nwant: %s", m, bad[i].want);
        free(m);
        diag_free(&err);
    }
}

/* `!!binary` (base64): any bytes, invalid UTF-8 included, in raw, stderr and text steps. */
static void test_binary_strings(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\nsteps:\n  - raw: !!binary \"/8Mo\n  AAo=\"\n"
              "  - stderr: !!binary \"4oCo\"\n  - message: !!binary \"\"\n",
              &sc);
    const step *s = sc.turns[0].steps;
    assert_int_equal(s[0].kind, STEP_RAW);
    assert_int_equal(s[0].u.bytes.len, 5);
    assert_memory_equal(s[0].u.bytes.ptr, "\xff\xc3(\0\n", 5);
    assert_int_equal(s[1].u.bytes.len, 3);
    assert_memory_equal(s[1].u.bytes.ptr, "\xe2\x80\xa8", 3);
    assert_int_equal(s[2].u.item.u.text.text.len, 0);
    scenario_free(&sc);
    diag err;
    assert_int_equal(load("codex_mock: 1\nsteps:\n  - raw: !!binary \"/8M!\"\n", &sc, &err), -1);
    char *m = diag_format(&err);
    assert_string_equal(m, "codex-mock: s.yaml:3:10: !!binary: not base64 (at character 4 of the "
                           "value)");
    free(m);
    diag_free(&err);
}

/* `faces:` given, and the faces read from what a scenario uses (faces.h). */
static void test_faces(void **state) {
    (void)state;
    static const struct {
        const char *yaml;
        unsigned want;
    } cases[] = {
        {"codex_mock: 1\nsteps:\n  - message: hi\n", FACE_ALL},
        {"codex_mock: 1\nfaces: [app-server]\nsteps:\n  - raw: '{\"method\"'\n", FACE_APP_SERVER},
        {"codex_mock: 1\nfaces: [exec, app-server]\nsteps:\n  - raw: x\n", FACE_ALL},
        {"codex_mock: 1\nfaces: [exec]\nsteps:\n  - message: hi\n", FACE_EXEC},
        {"codex_mock: 1\nsteps:\n  - raw: x\n", FACE_EXEC},
        {"codex_mock: 1\nsteps:\n  - raw: x\n    stream: stderr\n", FACE_ALL},
        {"codex_mock: 1\nimplicit_events: false\nsteps:\n  - exit: 1\n", FACE_EXEC},
        {"codex_mock: 1\ncli: {before_prompt: true}\nsteps:\n  - exit: 1\n", FACE_EXEC},
        {"codex_mock: 1\non_sigint: die\nsteps:\n  - sleep: forever\n", FACE_EXEC},
        {"codex_mock: 1\nsteps:\n  - signal: SIGKILL\n", FACE_ALL},
        {"codex_mock: 1\nafter_initialize:\n  - exit: 1\nsteps:\n  - message: hi\n",
         FACE_APP_SERVER},
        {"codex_mock: 1\nbefore_initialize:\n  - raw: \"junk\\n\"\nsteps:\n  - raw: x\n",
         FACE_APP_SERVER},
        {"codex_mock: 1\nprotocol_faults:\n  - fault: ghost_thread\nsteps:\n  - message: hi\n",
         FACE_APP_SERVER},
        {"codex_mock: 1\ndrip: 1ms\nsteps:\n  - message: hi\n", FACE_APP_SERVER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenario sc;
        expect_ok(cases[i].yaml, &sc);
        assert_int_equal(scenario_faces(&sc), cases[i].want);
        assert_true((scenario_exec_only_reason(&sc) != NULL) == (cases[i].want == FACE_EXEC));
        scenario_free(&sc);
    }
    /* the handshake lists, in order */
    scenario sc;
    expect_ok("codex_mock: 1\nbefore_initialize:\n  - raw: \"j\\n\"\n  - stderr: e\n"
              "after_initialize:\n  - signal: SIGKILL\nsteps: []\n",
              &sc);
    assert_int_equal(sc.n_handshake[0], 2);
    assert_int_equal(sc.handshake[0][0].kind, STEP_RAW);
    assert_int_equal(sc.handshake[0][0].u.bytes.len, 2);
    assert_int_equal(sc.handshake[0][1].kind, STEP_STDERR);
    assert_int_equal(sc.n_handshake[1], 1);
    assert_int_equal(sc.handshake[1][0].kind, STEP_SIGNAL);
    assert_int_equal(sc.handshake[1][0].u.signal, 9);
    scenario_free(&sc);
    /* protocol faults and the drip (docs/app-server.md#protocol-faults) */
    expect_ok("codex_mock: 1\ndrip: 2ms\nprotocol_faults:\n"
              "  - {fault: wrong_id, method: thread/start}\n"
              "  - {fault: wrong_id, method: turn/start, id: 42}\n"
              "  - {fault: wrong_id, method: model/list, id: other}\n"
              "  - {fault: no_answer, method: thread/list}\n"
              "  - fault: request_before_answer\n"
              "  - {fault: ghost_thread, method: turn/start}\nsteps: []\n",
              &sc);
    assert_int_equal(sc.drip_ns, 2000000);
    assert_int_equal(sc.n_proto_faults, 6);
    assert_int_equal(sc.proto_faults[0].kind, PROTO_WRONG_ID);
    assert_string_equal(sc.proto_faults[0].method.ptr, "thread/start");
    assert_false(sc.proto_faults[0].has_id);
    assert_true(sc.proto_faults[1].has_id && !sc.proto_faults[1].id_is_text);
    assert_int_equal(sc.proto_faults[1].id_int, 42);
    assert_true(sc.proto_faults[2].has_id && sc.proto_faults[2].id_is_text);
    assert_string_equal(sc.proto_faults[2].id_text.ptr, "other");
    assert_int_equal(sc.proto_faults[3].kind, PROTO_NO_ANSWER);
    assert_int_equal(sc.proto_faults[4].kind, PROTO_REQUEST_BEFORE_ANSWER);
    assert_string_equal(sc.proto_faults[4].method.ptr, "turn/start");
    assert_int_equal(sc.proto_faults[5].kind, PROTO_GHOST_THREAD);
    scenario_free(&sc);
    assert_string_equal(faces_name(FACE_ALL), "exec,app-server");
    assert_string_equal(faces_name(FACE_APP_SERVER), "app-server");
    assert_string_equal(faces_name(FACE_EXEC), "exec");
}

static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *yaml;
        const char *want;
    } cases[] = {
        {"", "codex-mock: s.yaml:1:1: empty scenario: expected a mapping with 'codex_mock: 1' "
             "and 'turns'"},
        {"# only a comment\n", "codex-mock: s.yaml:1:1: empty scenario: expected a mapping with "
                               "'codex_mock: 1' and 'turns'"},
        {"- a\n- b\n", "codex-mock: s.yaml:1:1: a scenario must be a mapping (codex_mock, name, "
                       "turns, ...), found a list"},
        {"codex_mock: 1\nsteps:\n  - message: [unclosed\n",
         "codex-mock: s.yaml:4:1: YAML syntax error: did not find expected ',' or ']' while "
         "parsing a flow sequence (line 3)"},
        {"codex_mock: 1\nsteps: []\nnmae: x\n",
         "codex-mock: s.yaml:3:1: unknown top-level key 'nmae' (did you mean 'name'?)"},
        {"steps: []\n", "codex-mock: s.yaml:1:1: missing 'codex_mock: 1' (the format version) at "
                        "the top"},
        {"codex_mock: 2\nsteps: []\n",
         "codex-mock: s.yaml:1:13: unsupported format version 2 (this codex-mock reads 1)"},
        {"codex_mock: 1\nname: x\n", "codex-mock: s.yaml:1:1: missing 'turns' (or 'steps' for a "
                                     "single turn)"},
        {"codex_mock: 1\nafter_initialize:\n  - message: hi\nsteps: []\n",
         "codex-mock: s.yaml:3:5: 'after_initialize' takes process steps only (raw, stderr, "
         "exit, signal, close_stdout)"},
        {"codex_mock: 1\nbefore_initialize: {exit: 1}\nsteps: []\n",
         "codex-mock: s.yaml:2:20: 'before_initialize' must be a list, found a mapping"},
        {"codex_mock: 1\nprotocol_faults:\n  - fault: wrong_idd\n    method: turn/start\n"
         "steps: []\n",
         "codex-mock: s.yaml:3:12: unknown value for 'fault' 'wrong_idd' (did you mean "
         "'wrong_id'?)"},
        {"codex_mock: 1\nprotocol_faults:\n  - method: turn/start\nsteps: []\n",
         "codex-mock: s.yaml:3:5: a protocol fault needs 'fault' (wrong_id, no_answer, "
         "request_before_answer or ghost_thread)"},
        {"codex_mock: 1\nprotocol_faults:\n  - fault: wrong_id\nsteps: []\n",
         "codex-mock: s.yaml:3:5: 'wrong_id' needs 'method': the client's request it applies to "
         "(turn/start, thread/start, \xe2\x80\xa6)"},
        {"codex_mock: 1\nprotocol_faults:\n  - fault: ghost_thread\n    method: thread/start\n"
         "steps: []\n",
         "codex-mock: s.yaml:4:13: 'ghost_thread' applies to turn/start only"},
        {"codex_mock: 1\nprotocol_faults:\n  - fault: no_answer\n    method: turn/start\n"
         "    id: 3\nsteps: []\n",
         "codex-mock: s.yaml:5:9: 'id' goes with 'fault: wrong_id' only"},
        {"codex_mock: 1\nprotocol_faults: {fault: no_answer}\nsteps: []\n",
         "codex-mock: s.yaml:2:18: 'protocol_faults' must be a list, found a mapping"},
        {"codex_mock: 1\ndrip: 11s\nsteps: []\n",
         "codex-mock: s.yaml:2:7: 'drip' is at most 10s per byte"},
        {"codex_mock: 1\ndripp: 1ms\nsteps: []\n",
         "codex-mock: s.yaml:2:1: unknown top-level key 'dripp' (did you mean 'drip'?)"},
        {"codex_mock: 1\nfaces: app-server\nsteps: []\n",
         "codex-mock: s.yaml:2:8: 'faces' must be a non-empty list of exec, app-server"},
        {"codex_mock: 1\nfaces: []\nsteps: []\n",
         "codex-mock: s.yaml:2:8: 'faces' must be a non-empty list of exec, app-server"},
        {"codex_mock: 1\nfaces: [exec, appserver]\nsteps: []\n",
         "codex-mock: s.yaml:2:15: unknown value for 'faces' 'appserver' (did you mean "
         "'app-server'?)"},
        {"codex_mock: 1\nsteps:\n  - mesage: hi\n",
         "codex-mock: s.yaml:3:5: unknown step type 'mesage' (did you mean 'message'?)"},
        {"codex_mock: 1\nsteps:\n  - command: ls\n    outptu: x\n",
         "codex-mock: s.yaml:4:5: unknown key 'outptu' in a command step (did you mean "
         "'output'?)"},
        {"codex_mock: 1\nsteps:\n  - event: {type: item.complete, item: {}}\n",
         "codex-mock: s.yaml:3:19: unknown event type 'item.complete' (did you mean "
         "'item.completed'?)"},
        {"codex_mock: 1\nsteps:\n  - event: {type: item.completed, item: {type: agent_mesage, "
         "text: x}}\n",
         "codex-mock: s.yaml:3:48: unknown item type 'agent_mesage' (did you mean "
         "'agent_message'?)"},
        {"codex_mock: 1\nsteps:\n  - command: ls\n    exit_code: zero\n",
         "codex-mock: s.yaml:4:16: 'exit_code' must be an integer, found a string"},
        {"codex_mock: 1\nsteps:\n  - message: [a, b]\n",
         "codex-mock: s.yaml:3:14: 'text' must be a string, found a list"},
        {"codex_mock: 1\nsteps:\n  - message: hi\n    after: 5\n",
         "codex-mock: s.yaml:4:12: bad duration '5' for 'after': a duration needs a unit, e.g. "
         "250ms or 1.5s (units: us, ms, s, m, h)"},
        {"codex_mock: 1\nsteps:\n  - message: hi\n    after: 5 parsecs\n",
         "codex-mock: s.yaml:4:12: bad duration '5 parsecs' for 'after': expected a duration "
         "such as 250ms, 1.5s, 2m or 0 (units: us, ms, s, m, h)"},
        {"codex_mock: 1\nsteps:\n  - sleep: -1s\n",
         "codex-mock: s.yaml:3:12: bad duration '-1s' for 'sleep': durations cannot be "
         "negative"},
        {"codex_mock: 1\nsteps:\n  - event: {type: turn.failed}\n",
         "codex-mock: s.yaml:3:12: a turn.failed event needs 'error'"},
        {"codex_mock: 1\nsteps:\n  - event: {type: item.completed, item: {type: "
         "command_execution}}\n",
         "codex-mock: s.yaml:3:41: command_execution needs 'command'"},
        {"codex_mock: 1\nsteps:\n  - exit: 78\n",
         "codex-mock: s.yaml:3:11: exit code 78 is reserved for codex-mock's own errors; pick "
         "another"},
        {"codex_mock: 1\nsteps:\n  - exit: 300\n",
         "codex-mock: s.yaml:3:11: exit code 300 is out of range (0 to 255)"},
        {"codex_mock: 1\nsteps:\n  - message: a\n    reasoning: b\n",
         "codex-mock: s.yaml:4:5: a step has one type, but this one has both 'message' and "
         "'reasoning'"},
        {"codex_mock: 1\nsteps:\n  - \"just text\"\n",
         "codex-mock: s.yaml:3:5: a step must be a mapping such as 'message: hello', found a "
         "string"},
        {"codex_mock: 1\nsteps:\n  - command: ls\n    status: finished\n",
         "codex-mock: s.yaml:4:13: unknown value for 'status' 'finished' (expected in_progress, "
         "completed, failed or declined)"},
        {"codex_mock: 1\nsteps:\n  - file_change: [{path: a, kind: modify}]\n",
         "codex-mock: s.yaml:3:35: unknown value for 'kind' 'modify' (expected add, delete or "
         "update)"},
        {"codex_mock: 1\nsteps:\n  - usage: {input_tokens: -5}\n",
         "codex-mock: s.yaml:3:27: 'input_tokens' cannot be negative"},
        {"codex_mock: 1\nsteps:\n  - usage: {inptu_tokens: 5}\n",
         "codex-mock: s.yaml:3:13: unknown key in usage 'inptu_tokens' (did you mean "
         "'input_tokens'?)"},
        {"codex_mock: 1\nturns:\n  - stepz: []\n",
         "codex-mock: s.yaml:3:5: unknown key in a turn 'stepz' (did you mean 'steps'?)"},
        {"codex_mock: 1\nturns: []\n",
         "codex-mock: s.yaml:1:1: 'turns' is empty: a scenario needs a turn"},
        {"codex_mock: 1\nsteps:\n  - message: *nowhere\n",
         "codex-mock: s.yaml:3:14: unknown alias *nowhere"},
        {"codex_mock: 1\nsteps: []\n---\ncodex_mock: 1\n",
         "codex-mock: s.yaml:3:1: a scenario file holds one document; found a second one"},
        {"codex_mock: 1\nsteps:\n  - message: hi\n    message: again\n",
         "codex-mock: s.yaml:4:5: key 'message' given twice in a step"},
        {"codex_mock: 1\nsteps:\n  - message: null\n",
         "codex-mock: s.yaml:3:14: 'text' must be a string, found null (quote it if you meant "
         "the text)"},
        {"codex_mock: 1\nsteps:\n  - event: {type: turn.started, item: {}}\n",
         "codex-mock: s.yaml:3:33: a turn.started event has no 'item'"},
        {"codex_mock: 1\nsteps:\n  - message: hi\n    after: 1ms\n    at: 2ms\n",
         "codex-mock: s.yaml:3:5: give a step 'after' or 'at', not both"},
        {"codex_mock: 1\nname: a\nname: b\nsteps: []\n",
         "codex-mock: s.yaml:3:1: key 'name' given twice at the top level"},
        {"codex_mock: 1\nsteps:\n  - file_change: [a]\n    changes: [b]\n",
         "codex-mock: s.yaml:4:14: 'changes' is given twice (as the value of 'file_change' and as "
         "a key)"},
        {"codex_mock: 1\nthread_id: \"\"\nsteps: []\n",
         "codex-mock: s.yaml:2:12: 'thread_id' must be 1 to 63 characters (a UUID has 36)"},
        {"codex_mock: 1\nsteps:\n  - fail: unauthorised_401\n",
         "codex-mock: s.yaml:3:11: unknown failure 'unauthorised_401' (did you mean "
         "'unauthorized_401'?)"},
        {"codex_mock: 1\nsteps:\n  - fail: unauthorized_401\n    backoff: 200ms\n",
         "codex-mock: s.yaml:4:14: 'backoff' is a list of durations, the wait after each failed "
         "attempt (the last repeats): e.g. [210ms, 380ms]"},
        {"codex_mock: 1\nsteps:\n  - fail: rate_limit_429\n    advised_delay: 1s\n"
         "    backoff: [1s]\n",
         "codex-mock: s.yaml:5:14: give 'backoff' or 'advised_delay', not both"},
        {"codex_mock: 1\nsteps:\n  - reconnect: 7\n",
         "codex-mock: s.yaml:3:16: 7 notices of at most 5: raise 'max' (stream_max_retries)"},
        {"codex_mock: 1\nsteps:\n  - signal: SIGWINCH\n",
         "codex-mock: s.yaml:3:13: unknown signal 'SIGWINCH' (expected SIGKILL, SIGSEGV, SIGABRT, "
         "SIGTERM, SIGBUS, SIGFPE, SIGILL, SIGQUIT, SIGHUP, SIGINT, SIGPIPE, SIGUSR1 or SIGUSR2)"},
        {"codex_mock: 1\nsteps:\n\t- message: hi\n",
         "codex-mock: s.yaml:3:1: YAML syntax error: found character that cannot start any "
         "token while scanning for the next token (line 3)"},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scenario sc;
        diag err;
        int rc = load(cases[i].yaml, &sc, &err);
        if (rc == 0) {
            scenario_free(&sc);
            printf("case %zu: expected an error: %s\n", i, cases[i].want);
            failures++;
            continue;
        }
        char *got = diag_format(&err);
        if (strcmp(got, cases[i].want) != 0) {
            printf("case %zu:\n got: %s\nwant: %s\n", i, got, cases[i].want);
            failures++;
        }
        free(got);
        diag_free(&err);
    }
    assert_int_equal(failures, 0);
}

static void test_alias_bomb(void **state) {
    (void)state;
    /* billion laughs: 10 levels of 10 aliases each would be 10^10 nodes */
    char yaml[4096] = "codex_mock: 1\nsteps:\n  - mcp_tool_call:\n      server: s\n"
                      "      tool: t\n      arguments:\n        x0: &a0 [lol]\n";
    for (int i = 1; i <= 9; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "        x%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i,
                 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        strcat(yaml, line);
    }
    scenario sc;
    diag err;
    assert_int_equal(load(yaml, &sc, &err), -1);
    char *got = diag_format(&err);
    assert_non_null(strstr(got, "expands to too many nodes"));
    free(got);
    diag_free(&err);
}

static void test_deep_nesting(void **state) {
    (void)state;
    size_t depth = 10000;
    char *yaml = malloc(depth * 2 + 128);
    strcpy(yaml, "codex_mock: 1\nsteps:\n  - mcp_tool_call: {server: s, tool: t, arguments: ");
    size_t n = strlen(yaml);
    for (size_t i = 0; i < depth; i++)
        yaml[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        yaml[n++] = ']';
    strcpy(yaml + n, "}\n");
    scenario sc;
    diag err;
    assert_int_equal(load(yaml, &sc, &err), -1);
    char *got = diag_format(&err);
    assert_non_null(strstr(got, "nesting deeper than"));
    free(got);
    diag_free(&err);
    free(yaml);
}

/* A command's `chunks` / `chunk_delay` (app-server: its output deltas): beside the key or in its
 * mapping, joining to the output, or an error at the chunk that does not fit. */
static void test_command_chunks(void **state) {
    (void)state;
    scenario sc;
    expect_ok("codex_mock: 1\n"
              "steps:\n"
              "  - command: ls\n"
              "    output: \"a\\nb\\n\"\n"
              "    chunks: [\"a\\n\", \"b\\n\"]\n"
              "    chunk_delay: 2.5ms\n"
              "  - command: {command: ls, output: xy, chunks: [x, y]}\n",
              &sc);
    const item *it = &sc.turns[0].steps[0].u.item;
    assert_int_equal(it->u.cmd.n_chunks, 2);
    assert_string_equal(it->u.cmd.chunks[1].ptr, "b\n");
    assert_true(it->u.cmd.has_chunk_delay);
    assert_int_equal(it->u.cmd.chunk_delay_ns, 2500000);
    assert_int_equal(sc.turns[0].steps[1].u.item.u.cmd.n_chunks, 2);
    scenario_free(&sc);
    diag err;
    assert_int_equal(load("codex_mock: 1\nsteps:\n  - command: ls\n    output: ab\n"
                          "    chunks: [a, c]\n",
                          &sc, &err),
                     -1);
    char *m = diag_format(&err);
    assert_string_equal(m, "codex-mock: s.yaml:5:17: the chunks must join to the command output");
    free(m);
    diag_free(&err);
}

static void test_missing_file(void **state) {
    (void)state;
    scenario sc;
    diag err;
    diag_init(&err);
    assert_int_equal(scenario_load_file("/nonexistent/x.yaml", &sc, &err), -1);
    char *got = diag_format(&err);
    assert_string_equal(got, "codex-mock: /nonexistent/x.yaml: cannot read scenario file: No such "
                             "file or directory");
    free(got);
    diag_free(&err);
    assert_int_equal(scenario_load_file("/tmp", &sc, &err), -1);
    got = diag_format(&err);
    assert_string_equal(got, "codex-mock: /tmp: cannot read scenario file: it is a directory");
    free(got);
    diag_free(&err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sugar_steps),
        cmocka_unit_test(test_command_defaults),
        cmocka_unit_test(test_approval),
        cmocka_unit_test(test_raw_events),
        cmocka_unit_test(test_binary_strings),
        cmocka_unit_test(test_process_steps),
        cmocka_unit_test(test_anchors_and_aliases),
        cmocka_unit_test(test_nul_in_strings),
        cmocka_unit_test(test_mcp_content_shorthand),
        cmocka_unit_test(test_faces),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_conform_section),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_command_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

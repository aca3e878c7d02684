/* convert_appserver: recorded app-server sessions → scenarios. The corpus's sessions
 * (tests/corpus/app-server-0.171.0) and a made-up one (tests/data/convert_appserver: junk before
 * the handshake, a declined approval with a reason, a message cut by stdin EOF) convert into
 * the keys the fake plays; every result loads. Whether the fake then writes the recorded bytes
 * on time is test_conformance_appserver_converted's job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "convert_appserver.h"
#include "fileio.h"
#include "scenario_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef APPSERVER_CORPUS
#error "APPSERVER_CORPUS must be defined by the build"
#endif

/* The YAML of one transcript file (heap); fails the test when the conversion fails. */
static char *convert_file(const char *transcript, const char *exit_json, convert_notes *notes) {
    size_t len = 0;
    char *data = fileio_read_file(transcript, 0, &len);
    assert_non_null(data);
    char *ex = exit_json ? fileio_read_file(exit_json, 0, NULL) : NULL;
    buf y;
    buf_init(&y);
    diag err;
    diag_init(&err);
    int rc = convert_appserver_proc(data, len, ex, "t", &y, notes, &err);
    if (rc != 0) {
        diag_print(&err, stderr);
        fail_msg("convert_appserver_proc failed on %s", transcript);
    }
    diag_free(&err);
    free(data), free(ex);
    /* it loads */
    scenario sc;
    diag lerr;
    diag_init(&lerr);
    assert_int_equal(scenario_load_mem("t.yaml", y.data, y.len, &sc, &lerr), 0);
    scenario_free(&sc);
    diag_free(&lerr);
    return buf_detach(&y);
}

static char *convert_session(const char *session, convert_notes *notes) {
    char *t = xasprintf("%s/%s/transcript.jsonl", APPSERVER_CORPUS, session);
    char *e = xasprintf("%s/%s/exit.json", APPSERVER_CORPUS, session);
    char *y = convert_file(t, e, notes);
    free(t), free(e);
    return y;
}

#define HAS(y, s)                                                                                  \
    do {                                                                                           \
        if (!strstr((y), (s))) fail_msg("the YAML lacks %s:\n%s", (s), (y));                       \
    } while (0)

/* An approval asked and accepted: the command waits for the client; its duration runs from the
 * answer; the message keeps its recorded deltas; the usage is the sum of the two requests. */
static void test_approval_accept(void **state) {
    (void)state;
    convert_notes notes = {0};
    char *y = convert_session("09_command_untrusted_accept", &notes);
    HAS(y, "startup: 187.7ms\n");
    HAS(y, "cli: {provider: \"fake_openai\", model: \"gpt-5.5\"}\n");
    HAS(y, "  - started_after: 56.9ms\n");
    HAS(y, "      - command: \"/bin/bash -lc 'touch created.txt && echo made it'\"\n"
           "        id: \"call_cmd_1\"\n"
           "        output: \"made it\\n\"\n"
           "        exit_code: 0\n"
           "        duration: 172.1ms\n");
    HAS(y, "        approval:");
    HAS(y, "accept");
    HAS(y, "        after: 45.4ms\n");
    HAS(y, "chunks: [\"Finished \", \"with \", \"the \", \"command.\"]\n        after: 30.1ms\n");
    HAS(y, "usage: {input_tokens: 4096, cached_input_tokens: 2048, output_tokens: 128}");
    free(y);
    convert_notes_free(&notes);
}

/* The escalation's reason; the run folder becomes {{cwd_parent}}. */
static void test_reason_and_templates(void **state) {
    (void)state;
    convert_notes notes = {0};
    char *y = convert_session("11_command_on_request_escalation_accept", &notes);
    HAS(y, "touch {{cwd_parent}}/outside.txt");
    HAS(y, "reason: \"Need to write outside the workspace\"");
    assert_null(strstr(y, "{{RUN}}"));
    free(y);
    convert_notes_free(&notes);
}

/* A failure with five reconnects: the kind from the HTTP status, the message, the recorded
 * waits between the notices. */
static void test_failure(void **state) {
    (void)state;
    convert_notes notes = {0};
    char *y = convert_session("18_http_401_unauthorized", &notes);
    HAS(y, "      - fail: unauthorized_401\n        message: \"Incorrect API key provided:");
    HAS(y, "request_id: \"req_fake_343\"");
    HAS(y, "backoff: [195.6ms, 396.2ms, 744.1ms, 1735.6ms, 3435.2ms]");
    free(y);
    y = convert_session("22_context_window_exceeded", &notes);
    HAS(y, "      - fail: context_window_exceeded\n");
    assert_null(strstr(y, "usage:")); /* the window's tokenUsage is the failure's, not usage */
    free(y);
    convert_notes_free(&notes);
}

/* The hidden tool search (a usage pair with no item) and the MCP call failed under never. */
static void test_model_request_and_mcp(void **state) {
    (void)state;
    convert_notes notes = {0};
    char *y = convert_session("26_mcp_tool_call_approval_never", &notes);
    const char *mr = strstr(y, "      - model_request: tool_search\n        after: 25.1ms\n");
    const char *mcp = strstr(y, "      - mcp_tool_call: {server: \"echo\", tool: \"echo\", "
                                "arguments: {\"text\": \"ping\"}}\n"
                                "        id: \"call_mcp_echo_1\"\n"
                                "        duration: 6.4ms\n"
                                "        approval: true\n");
    assert_true(mr && mcp && mr < mcp);
    HAS(y, "usage: {input_tokens: 6144, cached_input_tokens: 3072, output_tokens: 192}");
    free(y);
    convert_notes_free(&notes);
}

/* Made up: junk before the first answer, reasoning in two parts, an approval declined (its
 * reason quoted), then a message cut by stdin EOF: its recorded deltas, one more never reached,
 * and the turn stalls (no turn/completed was recorded). */
static void test_made_up(void **state) {
    (void)state;
    convert_notes notes = {0};
    char *y =
        convert_file(SOURCE_DIR "/tests/data/convert_appserver/interrupted.transcript.jsonl",
                     SOURCE_DIR "/tests/data/convert_appserver/interrupted.exit.json", &notes);
    HAS(y, "startup: 200.2ms\nbefore_initialize:\n"
           "  - raw: \"codex app-server starting... {{braces}}not a template}}\"\n");
    HAS(y, "      - reasoning:\n          - \"**One**\\n\\nfirst.\"\n"
           "          - \"**Two**\\n\\nsecond.\"\n        id: \"rs_1\"\n        after: 20.0ms\n");
    HAS(y, "      - command: \"/bin/bash -lc 'rm -rf {{cwd}}/build'\"\n");
    HAS(y, "          reason: \"Deleting \\\"build\\\"\"\n");
    HAS(y, "decline");
    assert_null(strstr(y, "duration")); /* a declined command never ran */
    HAS(y, "chunks: [\"Left \", \"build \", \" …\"]\n        chunk_delay: 250.0ms\n"
           "        after: 39.0ms\n");
    HAS(y, "reasoning_output_tokens: 30}\n      - stall: forever\n");
    free(y);
    convert_notes_free(&notes);
}

/* The replay check: the converted scenario is planned as the fake plays it and compared with
 * the recording; the corpus sessions convert without a note, while two messages whose recorded
 * starts overlap (the second began before the first) cannot be said with `after` ≥ 0: a note
 * names the item and both times, in the YAML too. */
static void test_replay_check(void **state) {
    (void)state;
    convert_notes notes = {0};
    static const char *const CLEAN[] = {"07_plain_text_turn",
                                        "08_command_approval_never",
                                        "13_file_change_approval_accept",
                                        "26_mcp_tool_call_approval_never",
                                        "29_stdin_eof_during_turn",
                                        NULL};
    for (size_t i = 0; CLEAN[i]; i++) {
        free(convert_session(CLEAN[i], &notes));
        if (notes.n) fail_msg("%s: %s", CLEAN[i], notes.v[0]);
    }
    char *y = convert_file(SOURCE_DIR "/tests/data/convert_appserver/overlap.transcript.jsonl",
                           NULL, &notes);
    assert_int_equal(notes.n, 1);
    assert_string_equal(notes.v[0],
                        "replay check: turn 1's item msg_2 starts at 65.0 ms, recorded 55.0 ms");
    HAS(y, "# note: replay check: turn 1's item msg_2");
    free(y);
    convert_notes_free(&notes);
}

/* Made up: two reconnect notices, then the turn goes on: a `reconnect:` step with the
 * recorded waits (the last one up to the next item, which is the attempt that works), the 5xx
 * details as the cause (a 5xx catalogue entry would add hidden retries); the replay check finds
 * the message at its recorded time. */
static void test_reconnect_recovers(void **state) {
    (void)state;
    convert_notes notes = {0};
    char *y = convert_file(SOURCE_DIR "/tests/data/convert_appserver/reconnect.transcript.jsonl",
                           NULL, &notes);
    if (notes.n) fail_msg("%s", notes.v[0]);
    HAS(y, "      - reconnect: 2\n        cause: \"unexpected status 503 Service Unavailable: "
           "overloaded, url: http://127.0.0.1:9/v1/responses, request id: req_1\"\n"
           "        request_time: 35.0ms\n        backoff: [185.0ms, 410.0ms]\n"
           "        after: 0ms\n      - message: \"recovered\"\n");
    free(y);
    convert_notes_free(&notes);
}

/* Not a transcript: an error at its line, nothing written. */
static void test_not_a_transcript(void **state) {
    (void)state;
    static const char BAD[] = "{\"t_ms\":1,\"dir\":\"s2c\",\"line\":\"{}\"}\n{\"nope\":1}\n";
    buf y;
    buf_init(&y);
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    assert_int_equal(convert_appserver_proc(BAD, strlen(BAD), NULL, "t", &y, &notes, &err), -1);
    char *msg = diag_format(&err);
    assert_non_null(strstr(msg, "transcript.jsonl:2:"));
    assert_int_equal(y.len, 0);
    free(msg);
    diag_free(&err);
    buf_free(&y);
    convert_notes_free(&notes);
}

/* A multi-process session: one scenario per process; the resumed thread's turn is the
 * scenario's second (the first one is a placeholder the process never plays). */
static void test_processes(void **state) {
    (void)state;
    assert_true(convert_is_appserver(APPSERVER_CORPUS "/15_thread_resume_new_process"));
    assert_true(convert_is_appserver(APPSERVER_CORPUS "/09_command_untrusted_accept"));
    assert_false(convert_is_appserver(APPSERVER_CORPUS));
    convert_as_result r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    convert_options o = {0};
    assert_int_equal(convert_appserver(APPSERVER_CORPUS "/15_thread_resume_new_process", &o, "s",
                                       &r, &notes, &err),
                     0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.files[0].suffix, ".proc1");
    assert_string_equal(r.files[1].suffix, ".proc2");
    assert_non_null(strstr(r.files[0].yaml.data, "name: \"s.proc1\""));
    const char *second = strstr(r.files[1].yaml.data, "# played by an earlier process\n");
    assert_non_null(second);
    assert_non_null(strstr(second, "You asked me to remember 42."));
    convert_as_result_free(&r);
    diag_free(&err);
    convert_notes_free(&notes);
}

/* Two threads with a turn each: the second thread's turn gets its own scenario and a rules
 * file picks it by its prompt (regex-escaped, anchored); the rest plays the process's. */
static void test_threads(void **state) {
    (void)state;
    convert_as_result r;
    convert_notes notes = {0};
    diag err;
    diag_init(&err);
    convert_options o = {0};
    assert_int_equal(convert_appserver(APPSERVER_CORPUS "/24_thread_list_after_two_threads", &o,
                                       "two", &r, &notes, &err),
                     0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.files[0].suffix, "");
    assert_string_equal(r.files[1].suffix, ".thread2");
    assert_string_equal(r.files[2].suffix, ".rules");
    assert_non_null(strstr(r.files[0].yaml.data, "First thread answer."));
    assert_null(strstr(r.files[0].yaml.data, "Second thread answer."));
    assert_non_null(strstr(r.files[1].yaml.data, "name: \"two.thread2\""));
    assert_non_null(strstr(r.files[1].yaml.data, "Second thread answer."));
    assert_non_null(
        strstr(r.files[2].yaml.data,
               "    match: {command: app-server, prompt: \"^Second thread prompt\\\\.$\"}\n"
               "    scenario: \"two.thread2\"\n"
               "  - name: thread1\n    scenario: \"two\"\n"));
    convert_as_result_free(&r);
    diag_free(&err);
    convert_notes_free(&notes);
}

/* A process that ended by itself mid-turn (stdin still open) ends the converted turn the same
 * way at the recorded time, by exit code or by signal; one that ended right after the handshake
 * gets `after_initialize:`; inside an open item it cannot be said (a note). A client's bytes that
 * are not UTF-8 before the end (corpus 06) make the fake exit by itself too: no step. */
static void test_process_ends_by_itself(void **state) {
    (void)state;
    static const struct {
        const char *transcript, *exit, *want, *unwanted;
    } cases[] = {
        {"crashed", "crashed", "      - exit: 3\n        after: 489.0ms\n", "stall: forever"},
        {"crashed", "killed", "      - signal: SIGKILL\n        after: 489.0ms\n",
         "stall: forever"},
        {"handshake", "handshake", "after_initialize:\n  - exit: 1\n", "stall: forever"},
        {"interrupted", "interrupted", "      - stall: forever\n", "exit:"},
    };
    /* ended by itself inside a message (its deltas cut short): no step can end the process
     * there, so the turn waits and a note says why */
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        convert_notes notes = {0};
        char *t = xasprintf(SOURCE_DIR "/tests/data/convert_appserver/%s.transcript.jsonl",
                            cases[i].transcript);
        char *e = xasprintf(SOURCE_DIR "/tests/data/convert_appserver/%s.exit.json", cases[i].exit);
        char *y = convert_file(t, e, &notes);
        HAS(y, cases[i].want);
        if (strstr(y, cases[i].unwanted))
            fail_msg("%s: the YAML has %s:\n%s", e, cases[i].unwanted, y);
        for (size_t k = 0; k < notes.n; k++)
            if (strstr(notes.v[k], "by itself")) fail_msg("%s: note %s", e, notes.v[k]);
        free(y), free(t), free(e);
        convert_notes_free(&notes);
    }
    convert_notes notes = {0};
    char *y = convert_file(SOURCE_DIR "/tests/data/convert_appserver/interrupted.transcript.jsonl",
                           SOURCE_DIR "/tests/data/convert_appserver/crashed.exit.json", &notes);
    HAS(y, "      - stall: forever\n");
    assert_int_equal(notes.n, 1);
    HAS(notes.v[0], "ended by itself while an item was open");
    free(y);
    convert_notes_free(&notes);
    y = convert_session("06_invalid_utf8_on_stdin", &notes);
    assert_null(strstr(y, "after_initialize"));
    assert_int_equal(notes.n, 0);
    free(y);
    convert_notes_free(&notes);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_approval_accept),
        cmocka_unit_test(test_reason_and_templates),
        cmocka_unit_test(test_failure),
        cmocka_unit_test(test_model_request_and_mcp),
        cmocka_unit_test(test_made_up),
        cmocka_unit_test(test_not_a_transcript),
        cmocka_unit_test(test_processes),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_replay_check),
        cmocka_unit_test(test_reconnect_recovers),
        cmocka_unit_test(test_process_ends_by_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

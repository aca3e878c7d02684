/* End to end: server → client approval requests of `codex app-server` (reference §6).
 *
 * Corpus sessions 09, 11, 13 and 26 are replayed under their recorded client messages (the
 * approval answer sent once the request arrived) against tests/appserver/scenarios/: the
 * server's lines must follow the recording's protocol sequence (methods, item types and
 * statuses, thread status flags, request ids; the per-response usage and delta lines aside, see
 * docs/app-server.md), and the approval request itself must be the recorded line byte for byte
 * (ids, times and the run directory masked).
 *
 * Then each answer's consequence, on a scenario of two approval steps: accept → runs; decline
 * → item declined, the turn goes on; cancel → declined and the turn interrupted; a JSON-RPC
 * error → item failed; no answer → the turn waits (and an answer with a wrong id changes
 * nothing); ids count from 0 per connection; `never` and `on-request` without a reason do not
 * ask; turn/start's approvalPolicy overrides the thread's; `on_accept:` / `on_decline:` steps
 * play on their answer, before the turn's next step. And the journal: every request, each
 * approval's answer and latency, the interrupt, checked with `codex-mock verify`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "as_client.h"
#include "buf.h"
#include "e2e.h"

#include <cjson/cJSON.h>
#include <regex.h>

#define AS_CORPUS SOURCE_DIR "/tests/corpus/app-server-0.171.0"
#define AS_SCENARIOS SOURCE_DIR "/tests/appserver/scenarios"

static char *g_tmp;
static char g_work[PATH_MAX];

/* ------------------------------------------------------------------------------------------
 * Text helpers
 * ---------------------------------------------------------------------------------------- */

/* UUIDs → <uuid>, digits after *AtMs / durationMs / processId → 0, the work dir → {{RUN}}/work */
static char *mask(const char *text) {
    char *a = replace_all(text, g_work, "{{RUN}}/work");
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"
                             "(AtMs\"|durationMs\"|startedAt\"|completedAt\"):[0-9]+",
                             REG_EXTENDED),
                     0);
    buf b;
    buf_init(&b);
    const char *p = a;
    regmatch_t m;
    while (regexec(&re, p, 1, &m, 0) == 0) {
        buf_append(&b, p, (size_t)m.rm_so);
        const char *colon = memchr(p + m.rm_so, ':', (size_t)(m.rm_eo - m.rm_so));
        if (colon && p[m.rm_so] != '0' && !(p[m.rm_so] >= '1' && p[m.rm_so] <= '9') &&
            m.rm_eo - m.rm_so < 36) {
            buf_append(&b, p + m.rm_so, (size_t)(colon - (p + m.rm_so)) + 1);
            buf_putc(&b, '0');
        } else {
            buf_puts(&b, "<uuid>");
        }
        p += m.rm_eo;
    }
    buf_puts(&b, p);
    regfree(&re);
    free(a);
    return buf_detach(&b);
}

/* A server line's place in the protocol: its method, item type and status, status flags,
 * request id; NULL for the lines whose count depends on how the model's output is split into
 * responses (usage, rate limits, deltas, diffs, MCP start-up). */
static char *signature(const char *line) {
    cJSON *j = cJSON_Parse(line);
    if (!j) return strdup("<not json>");
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "method"));
    const cJSON *p = cJSON_GetObjectItem(j, "params");
    char out[512];
    if (!m) {
        snprintf(out, sizeof out, "answer");
    } else if (!strcmp(m, "thread/tokenUsage/updated") ||
               !strcmp(m, "account/rateLimits/updated") || strstr(m, "Delta") ||
               !strcmp(m, "turn/diff/updated") || !strcmp(m, "mcpServer/startupStatus/updated") ||
               !strcmp(m, "item/reasoning/summaryPartAdded")) {
        cJSON_Delete(j);
        return NULL;
    } else if (!strncmp(m, "item/", 5) && cJSON_GetObjectItem(p, "item")) {
        const cJSON *it = cJSON_GetObjectItem(p, "item");
        snprintf(out, sizeof out, "%s %s %s", m,
                 cJSON_GetStringValue(cJSON_GetObjectItem(it, "type")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(it, "status"))
                     ? cJSON_GetStringValue(cJSON_GetObjectItem(it, "status"))
                     : "-");
    } else if (!strcmp(m, "thread/status/changed")) {
        char *st = cJSON_PrintUnformatted(cJSON_GetObjectItem(p, "status"));
        snprintf(out, sizeof out, "%s %s", m, st);
        free(st);
    } else if (!strcmp(m, "turn/completed")) {
        snprintf(
            out, sizeof out, "%s %s", m,
            cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "turn"), "status")));
    } else if (cJSON_GetObjectItem(j, "id")) {
        snprintf(out, sizeof out, "%s id=%d", m, cJSON_GetObjectItem(j, "id")->valueint);
    } else {
        snprintf(out, sizeof out, "%s", m);
    }
    cJSON_Delete(j);
    return strdup(out);
}

/* The signatures of the lines after the turn/start answer (`id` 3), one per line. */
static char *signatures(const char *text) {
    buf b;
    buf_init(&b);
    bool on = false;
    char *copy = strdup(text);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        if (!on) {
            on = !strncmp(line, "{\"id\":3,\"result\"", 16);
            continue;
        }
        char *s = signature(line);
        if (s) buf_printf(&b, "%s\n", s);
        free(s);
    }
    free(copy);
    return b.data ? buf_detach(&b) : strdup("");
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    buf b;
    buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, n);
    fclose(f);
    return buf_detach(&b);
}

/* The line of `text` holding `needle` (heap), or NULL. */
static char *line_with(const char *text, const char *needle) {
    const char *p = strstr(text, needle);
    if (!p) return NULL;
    const char *a = p, *e = strchr(p, '\n');
    while (a > text && a[-1] != '\n')
        a--;
    return strndup(a, e ? (size_t)(e - a) : strlen(a));
}

/* ------------------------------------------------------------------------------------------
 * A session
 * ---------------------------------------------------------------------------------------- */

static void send_line(server *s, const char *line) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", line);
    assert_true(server_write(s, b.data, b.len, true, 5000));
    buf_free(&b);
}

/* Starts a server on `scenario`, does the handshake and thread/start with `policy` (NULL: none
 * given); *thread gets the id. */
static void start_thread(server *s, const char *scenario, const char *policy, char thread[40]) {
    server_start(s, g_work, scenario);
    send_line(s, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                 "\"title\":null,\"version\":\"1\"}}}");
    send_line(s, "{\"method\":\"initialized\"}");
    char line[512];
    if (policy)
        snprintf(line, sizeof line,
                 "{\"id\":2,\"method\":\"thread/start\",\"params\":{\"approvalPolicy\":\"%s\"}}",
                 policy);
    else
        snprintf(line, sizeof line, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
    send_line(s, line);
    assert_true(server_wait_out(s, "\"method\":\"thread/started\"", 5000));
    static const char HEAD[] = "{\"id\":2,\"result\":{\"thread\":{\"id\":\"";
    const char *p = strstr(s->o.data, HEAD);
    assert_non_null(p);
    memcpy(thread, p + sizeof HEAD - 1, 36);
    thread[36] = '\0';
}

static void turn_start(server *s, const char *thread, const char *extra) {
    char line[512];
    snprintf(line, sizeof line,
             "{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\",\"input\":[{"
             "\"type\":\"text\",\"text\":\"go\"}]%s}}",
             thread, extra ? extra : "");
    send_line(s, line);
}

static void replay_corpus(const char *session, const char *scenario) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/transcript.jsonl", AS_CORPUS, session);
    char *raw = read_all(path);
    assert_non_null(raw);
    snprintf(path, sizeof path, "%s/%s", AS_SCENARIOS, scenario);
    server s;
    server_start(&s, g_work, path);
    buf want;
    buf_init(&want);
    char thread[40] = "";
    char *copy = strdup(raw);
    for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(l);
        const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(o, "dir"));
        const char *line = cJSON_GetStringValue(cJSON_GetObjectItem(o, "line"));
        if (!strcmp(dir, "s2c")) {
            buf_printf(&want, "%s\n", line);
            cJSON_Delete(o);
            continue;
        }
        char *a = replace_all(line, "{{RUN}}/work", g_work);
        char *p = strstr(a, "\"threadId\":\"");
        if (p && thread[0]) memcpy(p + 12, thread, 36);
        /* each client line goes once the server line it answers has come */
        if (!strncmp(a, "{\"id\":0,", 8))
            assert_true(server_wait_out(&s, "\"id\":0,\"params\"", 5000));
        send_line(&s, a);
        if (strstr(a, "\"thread/start\"")) {
            assert_true(server_wait_out(&s, "\"method\":\"thread/started\"", 5000));
            const char *q = strstr(s.o.data, "\"thread\":{\"id\":\"");
            memcpy(thread, q + 16, 36);
            thread[36] = '\0';
        }
        if (strstr(a, "\"initialize\"")) assert_true(server_wait_out(&s, "remoteControl", 5000));
        free(a);
        cJSON_Delete(o);
    }
    assert_true(server_wait_out(&s, "\"method\":\"turn/completed\"", 5000));
    server_end(&s);
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 0);
    char *got = s.o.data ? strndup(s.o.data, s.o.len) : strdup("");
    char *ws = signatures(want.data), *gs = signatures(got);
    if (strcmp(ws, gs)) fprintf(stderr, "%s\nwant:\n%s\ngot:\n%s\n", session, ws, gs);
    assert_string_equal(ws, gs);
    /* the request itself, byte for byte (masked) */
    char *wr = line_with(want.data, "\"id\":0,\"params\"");
    if (wr) {
        char *gr = line_with(got, "\"id\":0,\"params\"");
        assert_non_null(gr);
        char *wm = mask(wr), *gm = mask(gr);
        if (strstr(session, "11_")) {
            /* the command there names the recording's run directory */
            assert_non_null(strstr(gm, "\"reason\":\"Need to write outside the workspace\""));
        } else {
            assert_string_equal(wm, gm);
        }
        free(wm);
        free(gm);
        free(gr);
        free(wr);
    }
    /* 26: the failed MCP call, byte for byte (masked) */
    char *wf = line_with(want.data, "\"status\":\"failed\",\"arguments\"");
    if (wf) {
        char *gf = line_with(got, "\"status\":\"failed\",\"arguments\"");
        assert_non_null(gf);
        char *wm = mask(wf), *gm = mask(gf);
        assert_string_equal(wm, gm);
        free(wm);
        free(gm);
        free(gf);
        free(wf);
    }
    free(ws);
    free(gs);
    free(got);
    free(copy);
    free(raw);
    buf_free(&want);
    server_free(&s);
}

static void test_corpus_09(void **state) {
    (void)state;
    replay_corpus("09_command_untrusted_accept", "09_command_untrusted_accept.yaml");
}
static void test_corpus_11(void **state) {
    (void)state;
    replay_corpus("11_command_on_request_escalation_accept",
                  "11_command_on_request_escalation_accept.yaml");
}
static void test_corpus_13(void **state) {
    (void)state;
    replay_corpus("13_file_change_approval_accept", "13_file_change_approval_accept.yaml");
}
static void test_corpus_26(void **state) {
    (void)state;
    replay_corpus("26_mcp_tool_call_approval_never", "26_mcp_tool_call_approval_never.yaml");
}

/* ------------------------------------------------------------------------------------------
 * Each answer
 * ---------------------------------------------------------------------------------------- */

static char g_two[PATH_MAX];

/* Two commands that ask, then a message. */
static void write_two_step_scenario(void) {
    snprintf(g_two, sizeof g_two, "%s/two.yaml", g_tmp);
    FILE *f = fopen(g_two, "w");
    assert_non_null(f);
    fputs("codex_mock: 1\nsteps:\n"
          "  - command: \"rm -rf build\"\n    id: cmd_a\n    output: \"gone\\n\"\n"
          "    exit_code: 0\n    approval: true\n"
          "  - command: \"make\"\n    id: cmd_b\n    output: \"built\\n\"\n    exit_code: 0\n"
          "    approval: {reason: \"needs the network\"}\n"
          "  - message: \"done\"\n    id: msg_1\n",
          f);
    fclose(f);
}

static void answer(server *s, int id, const char *result_or_error) {
    char line[256];
    snprintf(line, sizeof line, "{\"id\":%d,%s}", id, result_or_error);
    send_line(s, line);
}

static char *finish(server *s) {
    assert_true(server_wait_out(s, "\"method\":\"turn/completed\"", 5000));
    server_end(s);
    char *out = strndup(s->o.data, s->o.len);
    server_free(s);
    return out;
}

static void test_accept_then_decline(void **state) {
    (void)state;
    server s;
    char th[40];
    start_thread(&s, g_two, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    answer(&s, 0, "\"result\":{\"decision\":\"accept\"}");
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":1,", 5000));
    answer(&s, 1, "\"result\":{\"decision\":\"decline\"}");
    char *out = finish(&s);
    assert_non_null(strstr(out, "\"id\":\"cmd_a\",\"pluginId\":null,\"scriptPath\":null,\"command\""
                                ":\"rm -rf build\""));
    char *a =
        line_with(out, "\"item/completed\",\"params\":{\"item\":{\"type\":\"commandExecution\","
                       "\"id\":\"cmd_a\"");
    assert_non_null(a);
    assert_non_null(strstr(a, "\"status\":\"completed\""));
    assert_non_null(strstr(a, "\"aggregatedOutput\":\"gone\\n\""));
    char *b =
        line_with(out, "\"item/completed\",\"params\":{\"item\":{\"type\":\"commandExecution\","
                       "\"id\":\"cmd_b\"");
    assert_non_null(b);
    assert_non_null(strstr(b, "\"status\":\"declined\""));
    assert_non_null(strstr(b, "\"aggregatedOutput\":null"));
    assert_null(strstr(out, "\"delta\":\"built\\n\"")); /* a declined command never ran */
    /* the turn went on: the message, and completed */
    assert_non_null(strstr(out, "\"text\":\"done\""));
    assert_non_null(strstr(out, "\"status\":\"completed\",\"error\":null"));
    assert_non_null(strstr(out, "{\"threadId\":\""));
    assert_non_null(strstr(out, "\"method\":\"serverRequest/resolved\",\"params\":{\"threadId\":"));
    assert_non_null(strstr(out, "\"requestId\":1}"));
    free(a);
    free(b);
    free(out);
}

static void test_cancel_interrupts(void **state) {
    (void)state;
    server s;
    char th[40];
    start_thread(&s, g_two, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    answer(&s, 0, "\"result\":{\"decision\":\"cancel\"}");
    char *out = finish(&s);
    char *a =
        line_with(out, "\"item/completed\",\"params\":{\"item\":{\"type\":\"commandExecution\"");
    assert_non_null(a);
    assert_non_null(strstr(a, "\"status\":\"declined\""));
    assert_null(strstr(out, "cmd_b")); /* nothing more from the model */
    assert_null(strstr(out, "\"text\":\"done\""));
    char *c = line_with(out, "\"method\":\"turn/completed\"");
    assert_non_null(strstr(c, "\"status\":\"interrupted\""));
    free(c);
    free(a);
    free(out);
}

static void test_error_answer_fails_item(void **state) {
    (void)state;
    server s;
    char th[40];
    start_thread(&s, g_two, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    answer(&s, 0, "\"error\":{\"code\":-32000,\"message\":\"client broke\"}");
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":1,", 5000));
    answer(&s, 1, "\"result\":{\"decision\":\"accept\"}");
    char *out = finish(&s);
    char *a =
        line_with(out, "\"item/completed\",\"params\":{\"item\":{\"type\":\"commandExecution\","
                       "\"id\":\"cmd_a\"");
    assert_non_null(strstr(a, "\"status\":\"failed\""));
    char *c = line_with(out, "\"method\":\"turn/completed\"");
    assert_non_null(strstr(c, "\"status\":\"completed\""));
    free(a);
    free(c);
    free(out);
}

static void test_no_answer_waits(void **state) {
    (void)state;
    server s;
    char th[40];
    start_thread(&s, g_two, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    /* an answer to another id, and a string id: nothing happens */
    answer(&s, 7, "\"result\":{\"decision\":\"accept\"}");
    send_line(&s, "{\"id\":\"0\",\"result\":{\"decision\":\"accept\"}}");
    assert_false(server_wait_out(&s, "serverRequest/resolved", 400));
    assert_null(strstr(s.o.data, "turn/completed"));
    answer(&s, 0, "\"result\":{\"decision\":\"acceptForSession\"}");
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":1,", 5000));
    answer(&s, 1,
           "\"result\":{\"decision\":{\"acceptWithExecpolicyAmendment\":{"
           "\"execpolicy_amendment\":[\"make\"]}}}");
    char *out = finish(&s);
    assert_non_null(strstr(out, "\"text\":\"done\""));
    free(out);
}

static char g_branch[PATH_MAX];

/* One file, both paths of a client's approval handler. */
static void write_branch_scenario(void) {
    snprintf(g_branch, sizeof g_branch, "%s/branch.yaml", g_tmp);
    FILE *f = fopen(g_branch, "w");
    assert_non_null(f);
    fputs("codex_mock: 1\nsteps:\n"
          "  - command: \"rm -rf build\"\n    id: cmd_a\n    output: \"gone\\n\"\n"
          "    approval:\n"
          "      on_accept: [{message: \"Deleted build.\", id: msg_yes}]\n"
          "      on_decline:\n"
          "        - message: \"Left build alone.\"\n          id: msg_no\n"
          "        - command: \"ls build\"\n          id: cmd_ls\n          output: \"x\\n\"\n"
          "  - message: \"done\"\n    id: msg_1\n",
          f);
    fclose(f);
}

/* The position of `needle` in `text` (-1 when absent). */
static long at(const char *text, const char *needle) {
    const char *p = strstr(text, needle);
    return p ? p - text : -1;
}

static void test_branches(void **state) {
    (void)state;
    write_branch_scenario();
    server s;
    char th[40];
    start_thread(&s, g_branch, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    answer(&s, 0, "\"result\":{\"decision\":\"accept\"}");
    char *out = finish(&s);
    long done_a = at(out, "\"item/completed\",\"params\":{\"item\":{\"type\":\"commandExecution\"");
    long yes = at(out, "\"text\":\"Deleted build.\"");
    long last = at(out, "\"text\":\"done\"");
    assert_true(done_a >= 0 && yes > done_a && last > yes);
    assert_int_equal(at(out, "Left build alone."), -1);
    free(out);

    start_thread(&s, g_branch, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    answer(&s, 0, "\"result\":{\"decision\":\"decline\"}");
    out = finish(&s);
    long no = at(out, "\"text\":\"Left build alone.\"");
    long ls = at(out, "\"id\":\"cmd_ls\"");
    last = at(out, "\"text\":\"done\"");
    assert_true(no >= 0 && ls > no && last > ls);
    assert_int_equal(at(out, "Deleted build."), -1);
    char *c = line_with(out, "\"method\":\"turn/completed\"");
    assert_non_null(strstr(c, "\"status\":\"completed\""));
    free(c);
    free(out);
}

/* codex-mock verify over the journal of app-server runs; returns its exit code, stdout in *out. */
static int verify(const char *state_dir, const char *const *args, char **out) {
    const char *argv[32] = {TOOLBOX_BIN, "verify", "--state", state_dir};
    size_t n = 4;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    proc_spec spec = {.argv = argv};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    *out = strdup(r.out ? r.out : "");
    int code = r.exited ? r.exit_code : -1;
    proc_result_free(&r);
    return code;
}

static void test_journal_and_verify(void **state) {
    (void)state;
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/state-verify", g_tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    setenv("CODEX_MOCK_STATE", dir, 1);
    /* a turn: the first approval accepted, the second declined */
    server s;
    char th[40];
    start_thread(&s, g_two, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    answer(&s, 0, "\"result\":{\"decision\":\"accept\"}");
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":1,", 5000));
    answer(&s, 1, "\"result\":{\"decision\":\"decline\"}");
    free(finish(&s));
    /* a turn interrupted while it waits for an answer */
    start_thread(&s, g_two, "untrusted", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    const char *p = strstr(s.o.data, "{\"id\":3,\"result\":{\"turn\":{\"id\":\"");
    assert_non_null(p);
    char line[256];
    snprintf(line, sizeof line,
             "{\"id\":4,\"method\":\"turn/interrupt\",\"params\":{\"threadId\":\"%s\","
             "\"turnId\":\"%.36s\"}}",
             th, p + 32);
    usleep(60000); /* the client takes its time: the turn is >= 60 ms old */
    send_line(&s, line);
    free(finish(&s));
    unsetenv("CODEX_MOCK_STATE");

    char *out;
    const char *ok[] = {"--command",
                        "app-server",
                        "--approval",
                        "rm -rf build=accept",
                        "--approval",
                        "^make$=decline",
                        "--thread",
                        "started",
                        "--request",
                        "turn/interrupt",
                        "--interrupted-within",
                        "2s",
                        "--times",
                        "2",
                        NULL};
    int rc = verify(dir, ok, &out);
    if (rc != 0) fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    free(out);
    const char *bad[] = {"--approval", "rm -rf build=decline", "--thread",
                         "resumed",    "--interrupted-within", "10ms",
                         "--request",  "thread/fork",          NULL};
    assert_int_equal(verify(dir, bad, &out), 1);
    assert_non_null(strstr(out, "no approval for /rm -rf build/ was answered decline "
                                "(rm -rf build → accept; rm -rf build → no answer)"));
    assert_non_null(strstr(out, "#1: thread started, not resumed"));
    assert_non_null(strstr(out, "not within 10ms"));
    assert_non_null(strstr(out, "the client never sent thread/fork"));
    free(out);
}

static void test_policies(void **state) {
    (void)state;
    /* never: the commands run unasked */
    server s;
    char th[40];
    start_thread(&s, g_two, "never", th);
    turn_start(&s, th, NULL);
    char *out = finish(&s);
    assert_null(strstr(out, "requestApproval"));
    assert_non_null(strstr(out, "\"aggregatedOutput\":\"built\\n\""));
    free(out);
    /* on-request: only the step with a reason (an escalation) asks, with the id 0 */
    start_thread(&s, g_two, "on-request", th);
    turn_start(&s, th, NULL);
    assert_true(server_wait_out(&s, "requestApproval\",\"id\":0,", 5000));
    assert_non_null(strstr(s.o.data, "\"reason\":\"needs the network\""));
    assert_non_null(strstr(s.o.data, "\"aggregatedOutput\":\"gone\\n\"")); /* ran unasked */
    answer(&s, 0, "\"result\":{\"decision\":\"accept\"}");
    out = finish(&s);
    assert_null(strstr(out, "\"id\":1,\"params\""));
    free(out);
    /* turn/start's approvalPolicy overrides the thread's */
    start_thread(&s, g_two, "untrusted", th);
    turn_start(&s, th, ",\"approvalPolicy\":\"never\"");
    out = finish(&s);
    assert_null(strstr(out, "requestApproval"));
    free(out);
}

static int setup(void **state) {
    (void)state;
    if (e2e_setup_home(&g_tmp) < 0) return -1;
    snprintf(g_work, sizeof g_work, "%s/work", g_tmp);
    if (mkdir(g_work, 0755) != 0) return -1;
    write_two_step_scenario();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(g_tmp);
    return 0;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_09),
        cmocka_unit_test(test_corpus_11),
        cmocka_unit_test(test_corpus_13),
        cmocka_unit_test(test_corpus_26),
        cmocka_unit_test(test_accept_then_decline),
        cmocka_unit_test(test_cancel_interrupts),
        cmocka_unit_test(test_error_answer_fails_item),
        cmocka_unit_test(test_no_answer_waits),
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_branches),
        cmocka_unit_test(test_journal_and_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* End to end: the server → client requests of `codex app-server` beyond the command and file
 * change approvals of test_e2e_appserver_approvals (docs/app-server.md "Approvals: server →
 * client requests"): an approval's `expect:` (the answer the scenario's author expects: a
 * different one is noted on stderr and in the journal, and `codex-mock verify
 * --expected-answers` fails on it), MCP tool approvals as `mcpServer/elicitation/request`,
 * `acceptForSession` remembered for the thread, request timeouts (`timeout:` / `on_timeout:`),
 * and the other request kinds.
 *
 * Each case plays tests/appserver/scenarios/requests-NAME.yaml in a scripted conversation (the
 * client waits for a text on stdout, then sends a line) and compares the server lines from the
 * turn/start answer on, normalised as the conformance suite does (rpc_compare.h: ids → <id-N>,
 * times → <t>), with tests/appserver/data/requests-NAME.expected byte for byte.
 * CODEX_MOCK_UPDATE_EXPECTED=1 rewrites the expected files (then read the diff). With
 * CODEX_MOCK_APPSERVER_DUMP=DIR (set by CTest) the raw transcript goes to
 * DIR/e2e-requests-NAME/transcript.jsonl, where the `appserver_schema` test validates every
 * server line — the requests included — against the real 0.171.0 JSON Schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "as_client.h"
#include "buf.h"
#include "e2e.h"
#include "fileio.h"
#include "jsonw.h"
#include "rpc_compare.h"

#include <sys/stat.h>

#define AS_SCENARIOS SOURCE_DIR "/tests/appserver/scenarios"
#define AS_DATA SOURCE_DIR "/tests/appserver/data"

static char *g_tmp;

/* ------------------------------------------------------------------------------------------
 * A scripted conversation
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    server s;
    buf transcript; /* the corpus format: what went each way */
    char thread[40], turn[40];
    size_t turn_from; /* where the turn/start answer begins in s.o */
} convo;

/* {{thread}} and {{turn}} in a client line → the conversation's ids (heap). */
static char *fill(const convo *c, const char *line) {
    char *a = replace_all(line, "{{thread}}", c->thread);
    char *b = replace_all(a, "{{turn}}", c->turn);
    free(a);
    return b;
}

static void say(convo *c, const char *line) {
    char *l = fill(c, line);
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", l);
    assert_true(server_write(&c->s, b.data, b.len, true, 5000));
    buf_free(&b);
    buf_puts(&c->transcript, "{\"dir\":\"c2s\",\"line\":");
    jsonw_cstring(&c->transcript, l);
    buf_puts(&c->transcript, "}\n");
    free(l);
}

static void wait_for(convo *c, const char *needle) {
    char *n = fill(c, needle);
    if (!server_wait_out(&c->s, n, 5000))
        fail_msg("no '%s' on stdout; it holds:\n%.*s", n, (int)c->s.o.len, c->s.o.data);
    free(n);
}

/* Handshake, thread/start (approvalPolicy `policy`, NULL: none), turn/start. */
static void open_turn(convo *c, const char *scenario, const char *policy) {
    memset(c, 0, sizeof *c);
    buf_init(&c->transcript);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/requests-%s.yaml", AS_SCENARIOS, scenario);
    server_start(&c->s, g_tmp, path);
    say(c, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
           "\"title\":null,\"version\":\"1\"}}}");
    char line[256];
    if (policy)
        snprintf(line, sizeof line,
                 "{\"id\":2,\"method\":\"thread/start\",\"params\":{\"approvalPolicy\":\"%s\"}}",
                 policy);
    else
        snprintf(line, sizeof line, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
    say(c, line);
    wait_for(c, "\"method\":\"thread/started\"");
    static const char HEAD[] = "{\"id\":2,\"result\":{\"thread\":{\"id\":\"";
    const char *p = strstr(c->s.o.data, HEAD);
    assert_non_null(p);
    memcpy(c->thread, p + sizeof HEAD - 1, 36);
    c->thread[36] = '\0';
    c->turn_from = c->s.o.len;
    say(c, "{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"{{thread}}\",\"input\":"
           "[{\"type\":\"text\",\"text\":\"go\"}]}}");
    wait_for(c, "{\"id\":3,\"result\":{\"turn\":{\"id\":\"");
    p = strstr(c->s.o.data, "{\"id\":3,\"result\":{\"turn\":{\"id\":\"");
    memcpy(c->turn, p + 31, 36);
    c->turn[36] = '\0';
}

/* Another turn on the same thread (request id `id`). */
__attribute__((unused)) static void next_turn(convo *c, int id) {
    char line[256];
    snprintf(line, sizeof line,
             "{\"id\":%d,\"method\":\"turn/start\",\"params\":{\"threadId\":\"{{thread}}\","
             "\"input\":[{\"type\":\"text\",\"text\":\"again\"}]}}",
             id);
    say(c, line);
    char head[64];
    snprintf(head, sizeof head, "{\"id\":%d,\"result\":{\"turn\":{\"id\":\"", id);
    wait_for(c, head);
    const char *p = strstr(c->s.o.data, head);
    memcpy(c->turn, p + strlen(head), 36);
    c->turn[36] = '\0';
}

/* Ends the conversation (stdin closed), dumps the transcript, compares the turn's lines with
 * requests-NAME.expected. The server's stderr stays in c->s.e; free with convo_free. */
static void close_and_compare(convo *c, const char *name) {
    server_end(&c->s);
    char home[PATH_MAX + 16], expected[PATH_MAX];
    snprintf(home, sizeof home, "%s/codex-home", g_tmp);
    snprintf(expected, sizeof expected, "%s/requests-%s.expected", AS_DATA, name);
    buf got;
    buf_init(&got);
    rpc_canon canon = {0};
    size_t off = 0;
    while (off < c->s.o.len) {
        const char *nl = memchr(c->s.o.data + off, '\n', c->s.o.len - off);
        size_t n = nl ? (size_t)(nl - (c->s.o.data + off)) : c->s.o.len - off;
        char *l = xstrndup(c->s.o.data + off, n);
        buf_puts(&c->transcript, "{\"dir\":\"s2c\",\"line\":");
        jsonw_cstring(&c->transcript, l);
        buf_puts(&c->transcript, "}\n");
        char *norm = rpc_normalise(l, g_tmp, home, &canon);
        if (off >= c->turn_from) {
            buf_puts(&got, norm);
            buf_putc(&got, '\n');
        }
        free(norm);
        free(l);
        off += n + 1;
    }
    rpc_canon_free(&canon);
    const char *d = getenv("CODEX_MOCK_APPSERVER_DUMP");
    if (d && *d) {
        mkdir(d, 0755);
        char dir[PATH_MAX], path[PATH_MAX + 32];
        snprintf(dir, sizeof dir, "%s/e2e-requests-%s", d, name);
        mkdir(dir, 0755);
        snprintf(path, sizeof path, "%s/transcript.jsonl", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fwrite(c->transcript.data, 1, c->transcript.len, f);
        fclose(f);
    }
    if (getenv("CODEX_MOCK_UPDATE_EXPECTED")) {
        FILE *f = fopen(expected, "w");
        assert_non_null(f);
        fwrite(got.data, 1, got.len, f);
        fclose(f);
    }
    buf want;
    buf_init(&want);
    int fd = open(expected, O_RDONLY);
    if (fd < 0) fail_msg("cannot read %s", expected);
    assert_int_equal(fileio_read_fd(fd, &want), 0);
    close(fd);
    const char *a = want.data ? want.data : "", *b = got.data ? got.data : "";
    for (int n = 1; *a || *b; n++) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la))
            fail_msg("%s line %d differs:\n  expected: %.*s\n  got:      %.*s", expected, n,
                     (int)la, a, (int)lb, b);
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    buf_free(&want);
    buf_free(&got);
}

static void convo_free(convo *c) {
    buf_free(&c->transcript);
    server_free(&c->s);
}

/* codex-mock verify over a state directory; its exit code, stdout in *out (heap). */
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

/* A fresh state directory under the test's tmp, set as CODEX_MOCK_STATE (heap path). */
static char *fresh_state(const char *name) {
    char *dir = xasprintf("%s/state-%s", g_tmp, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    setenv("CODEX_MOCK_STATE", dir, 1);
    return dir;
}

static char *journal_text(const char *dir) {
    char *path = xasprintf("%s/journal.jsonl", dir);
    buf b;
    buf_init(&b);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(fileio_read_fd(fd, &b), 0);
    close(fd);
    free(path);
    return b.data ? buf_detach(&b) : strdup("");
}

/* ------------------------------------------------------------------------------------------
 * expect:
 * ---------------------------------------------------------------------------------------- */

static void test_expect(void **state) {
    (void)state;
    char *dir = fresh_state("expect");
    convo c;
    open_turn(&c, "expect", "untrusted");
    wait_for(&c, "requestApproval\",\"id\":0,");
    say(&c, "{\"id\":0,\"result\":{\"decision\":\"decline\"}}"); /* expected: accept */
    wait_for(&c, "requestApproval\",\"id\":1,");
    say(&c, "{\"id\":1,\"result\":{\"decision\":\"decline\"}}"); /* as expected */
    wait_for(&c, "\"method\":\"turn/completed\"");
    close_and_compare(&c, "expect");
    unsetenv("CODEX_MOCK_STATE");
    /* one note, for the first request */
    const char *note = "codex-mock: server request 0 (item/commandExecution/requestApproval rm "
                       "-rf build) was answered decline; the scenario expects accept\n";
    assert_non_null(strstr(c.s.e.data ? c.s.e.data : "", note));
    assert_null(strstr(c.s.e.data, "server request 1"));
    convo_free(&c);
    char *j = journal_text(dir);
    assert_non_null(strstr(j, "\"decision\":\"decline\",\"latency_ms\":"));
    assert_non_null(strstr(j, "\"expected\":\"accept\"}"));
    assert_non_null(strstr(j, "\"expected\":\"decline\"}"));
    free(j);
    char *out;
    const char *check[] = {"--expected-answers", NULL};
    assert_int_equal(verify(dir, check, &out), 1);
    assert_non_null(strstr(out, "#1: request 0 (item/commandExecution/requestApproval rm -rf "
                                "build) was answered decline, the scenario expects accept\n"));
    assert_null(strstr(out, "request 1 ("));
    free(out);
    const char *plain[] = {"--approval", "make=decline", NULL};
    assert_int_equal(verify(dir, plain, &out), 0); /* without the flag: not checked */
    free(out);
    free(dir);
}

static int setup(void **state) {
    (void)state;
    setenv("CODEX_MOCK_SEED", "7", 1);
    return e2e_setup_home(&g_tmp);
}

static int teardown(void **state) {
    (void)state;
    e2e_rmtree(g_tmp);
    return 0;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expect),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* End to end: the scenario steps without an app-server item of the same name, as `codex
 * app-server` renders them (docs/app-server.md "Turns"): `web_search` → a `webSearch` item,
 * `todo_list` → `turn/plan/updated`, `collab_tool_call` → a `collabAgentToolCall` item.
 *
 * Each case plays tests/appserver/scenarios/items-NAME.yaml for one turn and compares the server
 * lines from the turn/start answer to turn/completed, normalised as the conformance suite does
 * (rpc_compare.h: ids → <id-N>, times → <t>), with tests/appserver/data/items-NAME.expected
 * byte for byte, one line each. CODEX_MOCK_UPDATE_EXPECTED=1 rewrites the expected files (then
 * read the diff). With CODEX_MOCK_APPSERVER_DUMP=DIR (set by CTest, as for
 * test_conformance_appserver) the raw transcript goes to DIR/e2e-items-NAME/transcript.jsonl,
 * where the `appserver_schema` test validates every line against the real JSON Schema. */
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

static void send_line(server *s, const char *line, buf *transcript) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", line);
    assert_true(server_write(s, b.data, b.len, true, 5000));
    buf_free(&b);
    buf_puts(transcript, "{\"dir\":\"c2s\",\"line\":");
    jsonw_cstring(transcript, line);
    buf_puts(transcript, "}\n");
}

/* The raw transcript of the run under CODEX_MOCK_APPSERVER_DUMP, when set. */
static void dump(const char *name, const buf *transcript) {
    const char *d = getenv("CODEX_MOCK_APPSERVER_DUMP");
    if (!d || !*d) return;
    mkdir(d, 0755);
    char dir[PATH_MAX], path[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/e2e-items-%s", d, name);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/transcript.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(transcript->data, 1, transcript->len, f);
    fclose(f);
}

/* Plays items-NAME.yaml for one turn; compares with items-NAME.expected. */
static void play_case(const char *name) {
    char scenario[PATH_MAX], expected[PATH_MAX], home[PATH_MAX + 16];
    snprintf(scenario, sizeof scenario, "%s/items-%s.yaml", AS_SCENARIOS, name);
    snprintf(expected, sizeof expected, "%s/items-%s.expected", AS_DATA, name);
    snprintf(home, sizeof home, "%s/codex-home", g_tmp);
    buf transcript;
    buf_init(&transcript);
    server s;
    server_start(&s, g_tmp, scenario);
    send_line(&s,
              "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
              "\"title\":null,\"version\":\"1\"}}}",
              &transcript);
    send_line(&s, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}", &transcript);
    assert_true(server_wait_out(&s, "\"method\":\"thread/started\"", 5000));
    static const char HEAD[] = "{\"id\":2,\"result\":{\"thread\":{\"id\":\"";
    const char *p = strstr(s.o.data, HEAD);
    assert_non_null(p);
    char thread[40];
    memcpy(thread, p + sizeof HEAD - 1, 36);
    thread[36] = '\0';
    size_t turn_from = s.o.len; /* the handshake's lines are not compared */
    char line[256];
    snprintf(line, sizeof line,
             "{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\",\"input\":[{"
             "\"type\":\"text\",\"text\":\"go\"}]}}",
             thread);
    send_line(&s, line, &transcript);
    assert_true(server_wait_out(&s, "\"method\":\"turn/completed\"", 5000));
    server_end(&s);

    /* every server line into the transcript; the turn's lines, normalised, into `got` */
    buf got;
    buf_init(&got);
    rpc_canon canon = {0};
    size_t off = 0;
    while (off < s.o.len) {
        const char *nl = memchr(s.o.data + off, '\n', s.o.len - off);
        size_t n = nl ? (size_t)(nl - (s.o.data + off)) : s.o.len - off;
        char *l = xstrndup(s.o.data + off, n);
        buf_puts(&transcript, "{\"dir\":\"s2c\",\"line\":");
        jsonw_cstring(&transcript, l);
        buf_puts(&transcript, "}\n");
        char *norm = rpc_normalise(l, g_tmp, home, &canon);
        if (off >= turn_from) {
            buf_puts(&got, norm);
            buf_putc(&got, '\n');
        }
        free(norm);
        free(l);
        off += n + 1;
    }
    rpc_canon_free(&canon);
    dump(name, &transcript);
    buf_free(&transcript);

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
    /* the first line that differs, both sides */
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
    server_free(&s);
}

static void test_web_search(void **state) {
    (void)state;
    play_case("web-search");
}

static void test_plan(void **state) {
    (void)state;
    play_case("plan");
}

static void test_collab(void **state) {
    (void)state;
    play_case("collab");
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
        cmocka_unit_test(test_web_search),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_collab),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

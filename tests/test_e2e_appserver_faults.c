/* End to end: process faults of `codex app-server` scripted by scenario steps (the
 * built-in scenarios/appserver-*.yaml): exit as a turn starts, a torn last line, a
 * notification for a turn nobody started, stdout closed while the process lives on, a turn that
 * stalls until it is interrupted; at the handshake: exit or SIGKILL after initialize, junk before
 * its answer. Each run is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "as_client.h"
#include "buf.h"
#include "e2e.h"

#define AS_SCENARIOS SOURCE_DIR "/scenarios"

static char *g_tmp;

static void send_line(server *s, const char *line) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", line);
    assert_true(server_write(s, b.data, b.len, true, 5000));
    buf_free(&b);
}

/* A server on scenario NAME with a thread and a started turn; *thread gets the thread id. */
static void start_turn(server *s, const char *name, char thread[40]) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.yaml", AS_SCENARIOS, name);
    server_start(s, g_tmp, path);
    send_line(s, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                 "\"title\":null,\"version\":\"1\"}}}");
    send_line(s, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
    assert_true(server_wait_out(s, "\"method\":\"thread/started\"", 5000));
    static const char HEAD[] = "{\"id\":2,\"result\":{\"thread\":{\"id\":\"";
    const char *p = strstr(s->o.data, HEAD);
    assert_non_null(p);
    memcpy(thread, p + sizeof HEAD - 1, 36);
    thread[36] = '\0';
    char line[256];
    snprintf(line, sizeof line,
             "{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\",\"input\":[{"
             "\"type\":\"text\",\"text\":\"go\"}]}}",
             thread);
    send_line(s, line);
}

static void test_exit_at_turn_start(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-exit-at-turn-start", th);
    assert_true(server_exited(&s, 5000)); /* by itself, stdin still open */
    server_end(&s);
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 3);
    assert_non_null(strstr(s.o.data, "{\"id\":3,\"result\":{\"turn\""));
    assert_null(strstr(s.o.data, "turn/completed"));
    server_free(&s);
}

static void test_torn_line(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-torn-line-then-exit", th);
    assert_true(server_exited(&s, 5000));
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    static const char TORN[] =
        "{\"method\":\"item/started\",\"params\":{\"item\":{\"type\":\"agentMess";
    assert_true(s.o.len > strlen(TORN));
    assert_memory_equal(s.o.data + s.o.len - strlen(TORN), TORN, strlen(TORN));
    server_free(&s);
}

static void test_unknown_turn(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-notification-for-unknown-turn", th);
    assert_true(server_wait_out(&s, "\"text\":\"still here\"", 5000));
    assert_true(server_wait_out(&s, "\"status\":\"completed\",\"error\":null,\"startedAt\"", 5000));
    server_end(&s);
    assert_non_null(strstr(s.o.data, "\"turn\":{\"id\":\"no-such-turn\""));
    server_free(&s);
}

static void test_close_stdout(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-stdout-closed-mid-turn", th);
    /* stdout reaches EOF while the process is alive */
    double end = now_ms() + proc_ms(5000);
    bool eof = false;
    while (!eof && now_ms() < end) {
        struct pollfd p = {.fd = s.out, .events = POLLIN};
        if (poll(&p, 1, 50) > 0) {
            char tmp[4096];
            ssize_t n = read(s.out, tmp, sizeof tmp);
            if (n > 0) buf_append(&s.o, tmp, (size_t)n);
            eof = n == 0;
        }
    }
    assert_true(eof);
    assert_false(server_exited(&s, 200));
    assert_non_null(strstr(s.o.data, "\"text\":\"before\""));
    assert_null(strstr(s.o.data, "never seen"));
    server_end(&s); /* closing stdin ends it, exit 0 */
    assert_int_equal(WEXITSTATUS(s.status), 0);
    server_free(&s);
}

static void test_stall_until_interrupt(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-turn-stalls-until-interrupt", th);
    assert_true(server_wait_out(&s, "\"method\":\"turn/started\"", 5000));
    assert_false(server_wait_out(&s, "turn/completed", 400));
    const char *p = strstr(s.o.data, "{\"id\":3,\"result\":{\"turn\":{\"id\":\"");
    assert_non_null(p);
    char line[256];
    snprintf(line, sizeof line,
             "{\"id\":4,\"method\":\"turn/interrupt\",\"params\":{\"threadId\":\"%s\","
             "\"turnId\":\"%.36s\"}}",
             th, p + 32);
    send_line(&s, line);
    assert_true(server_wait_out(&s, "\"status\":\"interrupted\"", 5000));
    server_end(&s);
    server_free(&s);
}

static const char ANSWER[] = "{\"id\":1,\"result\":{\"userAgent\":";

/* A server on scenario NAME that was sent initialize (stdin left open). */
static void start_init(server *s, const char *name) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.yaml", AS_SCENARIOS, name);
    server_start(s, g_tmp, path);
    send_line(s, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                 "\"title\":null,\"version\":\"1\"}}}");
}

static void test_exit_after_initialize(void **state) {
    (void)state;
    server s;
    start_init(&s, "appserver-exit-after-initialize");
    assert_true(server_exited(&s, 5000)); /* by itself, stdin still open */
    server_end(&s);
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 1);
    /* the handshake completed: the answer and both start-up notifications came first */
    assert_int_equal(strncmp(s.o.data, ANSWER, strlen(ANSWER)), 0);
    assert_non_null(strstr(s.o.data, "\"method\":\"remoteControl/status/changed\""));
    assert_non_null(strstr(s.e.data, "Error: failed to start the session service\n"));
    assert_null(strstr(s.o.data, "never played"));
    server_free(&s);
}

static void test_killed_after_initialize(void **state) {
    (void)state;
    server s;
    start_init(&s, "appserver-killed-after-initialize");
    assert_true(server_exited(&s, 5000));
    server_end(&s);
    assert_true(WIFSIGNALED(s.status));
    assert_int_equal(WTERMSIG(s.status), SIGKILL);
    assert_int_equal(strncmp(s.o.data, ANSWER, strlen(ANSWER)), 0);
    assert_non_null(strstr(s.o.data, "\"method\":\"remoteControl/status/changed\""));
    server_free(&s);
}

static void test_junk_before_initialize(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-junk-before-initialize", th);
    assert_true(server_wait_out(&s, "\"text\":\"hello after the junk\"", 5000));
    assert_true(server_wait_out(&s, "\"method\":\"turn/completed\"", 5000));
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    /* the junk is the very first line, before the initialize answer */
    static const char FIRST[] = "codex app-server starting...\n{\"id\":1,\"result\":";
    assert_int_equal(strncmp(s.o.data, FIRST, strlen(FIRST)), 0);
    server_free(&s);
}

static int setup(void **state) {
    (void)state;
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
        cmocka_unit_test(test_exit_at_turn_start),
        cmocka_unit_test(test_torn_line),
        cmocka_unit_test(test_unknown_turn),
        cmocka_unit_test(test_close_stdout),
        cmocka_unit_test(test_stall_until_interrupt),
        cmocka_unit_test(test_exit_after_initialize),
        cmocka_unit_test(test_killed_after_initialize),
        cmocka_unit_test(test_junk_before_initialize),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

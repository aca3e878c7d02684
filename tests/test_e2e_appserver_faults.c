/* End to end: process faults of `codex app-server` scripted by scenario steps (the
 * built-in scenarios/appserver-*.yaml): exit as a turn starts, a torn last line, a
 * notification for a turn nobody started, stdout closed while the process lives on, a turn that
 * stalls until it is interrupted; at the handshake: exit or SIGKILL after initialize, junk before
 * its answer; protocol faults: an answer with the wrong id, a request never answered, an
 * approval request before the turn/start answer, a second thread's notifications interleaved,
 * a slow drip; CODEX_MOCK_CHAOS keys of the app-server, reproduced by CODEX_MOCK_SEED. Each run
 * is bounded. */
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
    snprintf(path, sizeof path, "%s/%s.yaml", AS_SCENARIOS, name ? name : "default");
    server_start(s, g_tmp, name ? path : NULL);
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
    snprintf(path, sizeof path, "%s/%s.yaml", AS_SCENARIOS, name ? name : "default");
    server_start(s, g_tmp, name ? path : NULL);
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

/* ---- protocol faults (docs/app-server.md#protocol-faults) ---- */

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_wrong_id(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-answer-with-wrong-id", th);
    assert_true(server_wait_out(&s, "\"method\":\"turn/completed\"", 5000));
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    /* the turn/start answer carries 3 + 1000; the client's id 3 never comes back */
    assert_non_null(strstr(s.o.data, "\n{\"id\":1003,\"result\":{\"turn\":{\"id\":\""));
    assert_null(strstr(s.o.data, "{\"id\":3,"));
    assert_null(strstr(s.o.data, ",\"id\":3}"));
    assert_non_null(strstr(s.o.data, "\"text\":\"answered under another id\""));
    server_free(&s);
}

static void test_never_answered(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-request-never-answered", th);
    /* the turn runs to its end without its answer */
    assert_true(server_wait_out(&s, "\"method\":\"turn/completed\"", 5000));
    assert_non_null(strstr(s.o.data, "\"text\":\"nobody answered you\""));
    assert_false(server_wait_out(&s, "{\"id\":3,", 300));
    /* the process goes on serving other requests */
    send_line(&s, "{\"id\":4,\"method\":\"thread/loaded/list\",\"params\":{}}");
    assert_true(server_wait_out(&s, "{\"id\":4,\"result\":", 5000));
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    assert_null(strstr(s.o.data, "{\"id\":3,"));
    assert_null(strstr(s.o.data, ",\"id\":3}"));
    server_free(&s);
}

static void test_request_before_answer(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-approval-before-turn-start-answer", th);
    assert_true(server_wait_out(&s, "\"method\":\"item/commandExecution/requestApproval\"", 5000));
    assert_true(server_wait_out(&s, "\"method\":\"turn/started\"", 5000));
    const char *req =
        strstr(s.o.data, "{\"method\":\"item/commandExecution/requestApproval\",\"id\":0,");
    const char *ans = strstr(s.o.data, "{\"id\":3,\"result\":{\"turn\"");
    const char *started = strstr(s.o.data, "\"method\":\"turn/started\"");
    assert_non_null(req);
    assert_non_null(ans);
    /* the request first, on the line right after thread/started; then what it depends on */
    assert_true(req < ans);
    assert_true(req < started);
    assert_null(strstr(s.o.data, "\"text\":\"done after the early request\""));
    send_line(&s, "{\"id\":0,\"result\":{\"decision\":\"accept\"}}");
    assert_true(server_wait_out(&s, "\"text\":\"done after the early request\"", 5000));
    assert_true(server_wait_out(&s, "\"method\":\"turn/completed\"", 5000));
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    assert_int_equal(count(s.o.data, "{\"id\":3,\"result\""), 1);
    server_free(&s);
}

static void test_ghost_thread(void **state) {
    (void)state;
    server s;
    char th[40];
    start_turn(&s, "appserver-ghost-thread-interleaved", th);
    double end = now_ms() + proc_ms(5000);
    while (count(s.o.data ? s.o.data : "", "\"method\":\"turn/completed\"") < 2 && now_ms() < end)
        server_pump(&s, true, 20);
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    assert_int_equal(count(s.o.data, "\"method\":\"turn/completed\""), 2);
    assert_int_equal(count(s.o.data, "\"method\":\"turn/started\""), 2);
    /* one turn/start answer (the client's), one thread/started (the client's thread) */
    assert_int_equal(count(s.o.data, "{\"id\":3,\"result\":{\"turn\""), 1);
    assert_int_equal(count(s.o.data, "\"method\":\"thread/started\""), 1);
    assert_null(strstr(s.o.data, "codex-mock-ghost"));
    /* the other thread's id, from the turn/started that is not the client's */
    char mine[64];
    snprintf(mine, sizeof mine, "\"threadId\":\"%s\"", th);
    static const char TS[] = "\"method\":\"turn/started\",\"params\":{\"threadId\":\"";
    const char *ts = strstr(s.o.data, TS);
    assert_non_null(ts);
    if (!strncmp(ts + sizeof TS - 1, th, 36)) ts = strstr(ts + 1, TS);
    assert_non_null(ts);
    ts += sizeof TS - 1;
    assert_true(strncmp(ts, th, 36) != 0);
    char ghost[64];
    snprintf(ghost, sizeof ghost, "\"threadId\":\"%.36s\"", ts);
    /* interleaved: a line of the other thread between the client's turn/started and its
     * turn/completed */
    char my_started[128], my_completed[128];
    snprintf(my_started, sizeof my_started, "\"method\":\"turn/started\",\"params\":{%s", mine);
    snprintf(my_completed, sizeof my_completed, "\"method\":\"turn/completed\",\"params\":{%s",
             mine);
    const char *a = strstr(s.o.data, my_started), *b = strstr(s.o.data, my_completed);
    assert_non_null(a);
    assert_non_null(b);
    const char *g = strstr(a, ghost);
    assert_non_null(g);
    assert_true(g < b);
    /* both turns say the scenario's words */
    assert_true(count(s.o.data, "\"text\":\"second part\"") >= 2);
    server_free(&s);
}

/* Reads the first stdout line of `s` as it drips: in at least 8 pieces, never half the line
 * at once, at least `ms_per_byte` / 2 per byte (a slow reader, as under valgrind, finds several
 * bytes waiting). */
static void expect_drip(server *s, double ms_per_byte) {
    double t0 = now_ms(), end = t0 + proc_ms(10000);
    size_t reads = 0, biggest = 0;
    while (!memchr(s->o.data ? s->o.data : "", '\n', s->o.len) && now_ms() < end) {
        struct pollfd p = {.fd = s->out, .events = POLLIN};
        if (poll(&p, 1, 50) > 0) {
            char tmp[4096];
            ssize_t n = read(s->out, tmp, sizeof tmp);
            if (n <= 0) break;
            buf_append(&s->o, tmp, (size_t)n);
            reads++;
            if ((size_t)n > biggest) biggest = (size_t)n;
        }
    }
    double took = now_ms() - t0;
    const char *nl = memchr(s->o.data, '\n', s->o.len);
    assert_non_null(nl);
    size_t line = (size_t)(nl - s->o.data) + 1;
    assert_true(line > 100);
    assert_true(took >= (double)line * ms_per_byte / 2);
    assert_true(reads >= 8);
    assert_true(biggest < line / 2);
    assert_int_equal(strncmp(s->o.data, ANSWER, strlen(ANSWER)), 0);
}

static void test_slow_drip(void **state) {
    (void)state;
    server s;
    start_init(&s, "appserver-slow-drip");
    expect_drip(&s, 1);
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    server_free(&s);
}

/* ---- CODEX_MOCK_CHAOS (docs/app-server.md#chaos) ---- */

/* A run of the default scenario under CODEX_MOCK_CHAOS=chaos, CODEX_MOCK_SEED=seed: initialize,
 * then n thread/loaded/list requests, stdin closed; its stdout in *out, its status returned. */
static int chaos_run(const char *chaos, const char *seed, int n, buf *out) {
    setenv("CODEX_MOCK_CHAOS", chaos, 1);
    setenv("CODEX_MOCK_SEED", seed, 1);
    server s;
    server_start(&s, g_tmp, NULL);
    unsetenv("CODEX_MOCK_CHAOS");
    unsetenv("CODEX_MOCK_SEED");
    buf in;
    buf_init(&in);
    buf_puts(&in, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                  "\"title\":null,\"version\":\"1\"}}}\n");
    for (int i = 0; i < n; i++)
        buf_printf(&in, "{\"id\":%d,\"method\":\"thread/loaded/list\",\"params\":{}}\n", 10 + i);
    (void)server_write(&s, in.data, in.len, true, 5000); /* it may be gone already */
    buf_free(&in);
    server_end(&s);
    buf_init(out);
    buf_append(out, s.o.data ? s.o.data : "", s.o.len);
    int st = s.status;
    server_free(&s);
    return st;
}

/* The answers' ids in order ("1 10 1011 …"), and what a torn last line holds. */
static void shape(const buf *o, buf *sh) {
    buf_init(sh);
    const char *p = o->data ? o->data : "", *end = p + o->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            buf_printf(sh, "torn:%.*s", (int)(end - p), p);
            break;
        }
        if (!strncmp(p, "{\"id\":", 6)) buf_printf(sh, "%ld ", strtol(p + 6, NULL, 10));
        p = nl + 1;
    }
}

static void test_chaos_reproduces(void **state) {
    (void)state;
    static const char CHAOS[] = "wrong_id=0.3,no_answer=0.2";
    buf a, b, c, sa, sb, sc;
    int st1 = chaos_run(CHAOS, "7", 12, &a);
    int st2 = chaos_run(CHAOS, "7", 12, &b);
    int st3 = chaos_run(CHAOS, "8", 12, &c);
    shape(&a, &sa);
    shape(&b, &sb);
    shape(&c, &sc);
    assert_true(WIFEXITED(st1) && WIFEXITED(st2) && WIFEXITED(st3));
    /* the same seed, the same faults */
    assert_string_equal(sa.data, sb.data);
    /* some answers carry id + 1000, some never come, the rest are right */
    assert_non_null(strstr(sa.data, "10"));
    assert_true(strstr(sa.data, " 101") || strstr(sa.data, " 102"));
    int answered = 0;
    for (const char *p = sa.data; *p; p++)
        if (*p == ' ') answered++;
    assert_true(answered < 13);
    assert_true(answered > 1);
    /* another seed draws other faults */
    assert_string_not_equal(sa.data, sc.data);
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
    buf_free(&sa);
    buf_free(&sb);
    buf_free(&sc);
}

static void test_chaos_torn(void **state) {
    (void)state;
    buf a, b, sa, sb;
    int st1 = chaos_run("torn=0.2", "3", 20, &a);
    int st2 = chaos_run("torn=0.2", "3", 20, &b);
    shape(&a, &sa);
    shape(&b, &sb);
    /* half a line, then exit 0; the same line at the same place in both runs */
    assert_true(WIFEXITED(st1) && WEXITSTATUS(st1) == 0);
    assert_true(WIFEXITED(st2) && WEXITSTATUS(st2) == 0);
    assert_non_null(strstr(sa.data, "torn:{"));
    assert_string_equal(sa.data, sb.data);
    buf_free(&a);
    buf_free(&b);
    buf_free(&sa);
    buf_free(&sb);
}

static void test_chaos_close_and_drip(void **state) {
    (void)state;
    server s;
    /* stdout closed after the first line: EOF while the process lives on */
    setenv("CODEX_MOCK_CHAOS", "close_stdout=1", 1);
    start_init(&s, NULL);
    unsetenv("CODEX_MOCK_CHAOS");
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
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    assert_int_equal(strncmp(s.o.data, ANSWER, strlen(ANSWER)), 0);
    assert_int_equal(count(s.o.data, "\n"), 1);
    server_free(&s);
    /* a drip drawn for the process, 2 ms a byte */
    setenv("CODEX_MOCK_CHAOS", "drip=1,drip_delay=2ms", 1);
    start_init(&s, NULL);
    unsetenv("CODEX_MOCK_CHAOS");
    expect_drip(&s, 2);
    server_end(&s);
    assert_int_equal(WEXITSTATUS(s.status), 0);
    server_free(&s);
}

static void test_chaos_after_initialize(void **state) {
    (void)state;
    /* a certain exit after the handshake: the answer, then exit 1 with stdin open */
    setenv("CODEX_MOCK_CHAOS", "exit_after_initialize=1", 1);
    server s;
    start_init(&s, NULL);
    unsetenv("CODEX_MOCK_CHAOS");
    assert_true(server_exited(&s, 5000));
    server_end(&s);
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 1);
    assert_int_equal(strncmp(s.o.data, ANSWER, strlen(ANSWER)), 0);
    server_free(&s);
    /* … or death by SIGKILL */
    setenv("CODEX_MOCK_CHAOS", "kill_after_initialize=1", 1);
    start_init(&s, NULL);
    unsetenv("CODEX_MOCK_CHAOS");
    assert_true(server_exited(&s, 5000));
    server_end(&s);
    assert_true(WIFSIGNALED(s.status));
    assert_int_equal(WTERMSIG(s.status), SIGKILL);
    assert_int_equal(strncmp(s.o.data, ANSWER, strlen(ANSWER)), 0);
    server_free(&s);
    /* exit at turn/start: its answer, then exit 1 */
    setenv("CODEX_MOCK_CHAOS", "exit_at_turn_start=1", 1);
    char th[40];
    start_turn(&s, NULL, th);
    unsetenv("CODEX_MOCK_CHAOS");
    assert_true(server_exited(&s, 5000));
    server_end(&s);
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 1);
    assert_non_null(strstr(s.o.data, "{\"id\":3,\"result\":{\"turn\""));
    assert_null(strstr(s.o.data, "turn/completed"));
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
        cmocka_unit_test(test_wrong_id),
        cmocka_unit_test(test_never_answered),
        cmocka_unit_test(test_request_before_answer),
        cmocka_unit_test(test_ghost_thread),
        cmocka_unit_test(test_slow_drip),
        cmocka_unit_test(test_chaos_reproduces),
        cmocka_unit_test(test_chaos_torn),
        cmocka_unit_test(test_chaos_after_initialize),
        cmocka_unit_test(test_chaos_close_and_drip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* End to end: a turn of `codex app-server` costs the same however many turns its thread had
 * before (issue 12: 1,000 turns on one process). Measured without a clock: the bytes the server
 * reads (/proc/PID/io `rchar`: stdin, and any file it opens) over 100 early turns and over 100
 * late turns of one thread must be about the same. A turn that re-reads the thread's rollout
 * reads ~2.5 times more in the late window than in the early one.
 *
 * The rollout is still right when something else appends to it between two turns (a `codex
 * exec resume` of the same thread): the app-server turn after it continues the ordinals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "as_client.h"
#include "buf.h"
#include "e2e.h"

#include <cJSON.h>
#include <dirent.h>

#define SCENARIO SOURCE_DIR "/tests/appserver/scenarios/scale-one-turn.yaml"

static char *g_tmp;

static void send_line(server *s, const char *line) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", line);
    assert_true(server_write(s, b.data, b.len, true, 5000));
    buf_free(&b);
}

/* initialize and thread/start; the thread id into `thread`. */
static void handshake(server *s, char thread[40]) {
    send_line(s, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                 "\"title\":null,\"version\":\"1\"}}}");
    send_line(s, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
    assert_true(server_wait_out(s, "\"method\":\"thread/started\"", 5000));
    static const char HEAD[] = "{\"id\":2,\"result\":{\"thread\":{\"id\":\"";
    const char *p = strstr(s->o.data, HEAD);
    assert_non_null(p);
    memcpy(thread, p + sizeof HEAD - 1, 36);
    thread[36] = '\0';
}

/* Turn request `id` on the thread, waited for until its turn/completed. The output read so
 * far is dropped first, so the wait looks at this turn's lines only. */
static void run_turn(server *s, const char *thread, long id) {
    buf_reset(&s->o);
    char line[256];
    snprintf(line, sizeof line,
             "{\"id\":%ld,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\",\"input\":[{"
             "\"type\":\"text\",\"text\":\"go\"}]}}",
             id, thread);
    send_line(s, line);
    assert_true(server_wait_out(s, "\"method\":\"turn/completed\"", 5000));
}

/* Bytes the process has read so far (/proc/PID/io rchar). */
static long long read_bytes(pid_t pid) {
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot read %s", path);
    long long n = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "rchar:", 6)) n = strtoll(line + 6, NULL, 10);
    fclose(f);
    assert_true(n >= 0);
    return n;
}

enum { WINDOW = 100 };

static void test_turn_reads_do_not_grow(void **state) {
    (void)state;
    server s;
    char th[40];
    server_start(&s, g_tmp, SCENARIO);
    handshake(&s, th);
    long id = 10;
    for (int i = 0; i < 20; i++) /* the first turns: whatever a process reads once */
        run_turn(&s, th, id++);
    long long a0 = read_bytes(s.pid);
    for (int i = 0; i < WINDOW; i++)
        run_turn(&s, th, id++);
    long long early = read_bytes(s.pid) - a0;
    for (int i = 0; i < 2 * WINDOW; i++)
        run_turn(&s, th, id++);
    long long b0 = read_bytes(s.pid);
    for (int i = 0; i < WINDOW; i++)
        run_turn(&s, th, id++);
    long long late = read_bytes(s.pid) - b0;
    server_end(&s);
    /* The request lines are ~145 bytes a turn: a late window that reads more than 1.2 times
     * the early one (and a page) reads something that grows with the thread. */
    if (late > early + early / 5 + 4096)
        fail_msg("turns %d-%d read %lld bytes, turns %d-%d %lld: a turn reads more as its thread "
                 "grows (the rollout again?)",
                 20, 20 + WINDOW, early, 20 + 3 * WINDOW, 20 + 4 * WINDOW, late);
    /* and a turn reads no more than its request and a little: not the rollout once per turn */
    if (early > (long long)WINDOW * 1024)
        fail_msg("%d turns read %lld bytes: more than 1 KiB a turn", WINDOW, early);
    server_free(&s);
}

/* The rollout file of thread `id` under CODEX_HOME (heap). */
static char *rollout_of(const char *id) {
    char cmd[PATH_MAX + 128];
    snprintf(cmd, sizeof cmd, "find '%s/codex-home/sessions' -name 'rollout-*-%s.jsonl'", g_tmp,
             id);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[PATH_MAX];
    char *path = fgets(line, sizeof line, p) ? xstrndup(line, strcspn(line, "\n")) : NULL;
    pclose(p);
    assert_non_null(path);
    return path;
}

static void test_other_writer_between_turns(void **state) {
    (void)state;
    server s;
    char th[40];
    server_start(&s, g_tmp, SCENARIO);
    handshake(&s, th);
    run_turn(&s, th, 10);
    /* another process appends a turn to the same rollout */
    const char *argv[] = {CODEX_BIN, "exec", "--json", "--skip-git-repo-check",
                          "resume",  th,     "again",  NULL};
    const char *env[] = {"CODEX_MOCK_SCENARIO=" SCENARIO, "CODEX_MOCK_SPEED=0", NULL};
    proc_spec spec = {.argv = argv, .env = env, .cwd = g_tmp};
    proc_result r;
    assert_int_equal(proc_run(&spec, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 0);
    proc_result_free(&r);
    run_turn(&s, th, 11);
    run_turn(&s, th, 12);
    server_end(&s);
    server_free(&s);

    /* every line's ordinal is its line number; four turns (three here, one by exec) */
    char *path = rollout_of(th);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    long n = 0, started = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        assert_non_null(o);
        const cJSON *ord = cJSON_GetObjectItemCaseSensitive(o, "ordinal");
        assert_true(cJSON_IsNumber(ord));
        if ((long)ord->valuedouble != n)
            fail_msg("%s line %ld has ordinal %ld", path, n + 1, (long)ord->valuedouble);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "payload");
        const char *pt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "type"));
        if (pt && !strcmp(pt, "task_started")) started++;
        cJSON_Delete(o);
        n++;
    }
    free(line);
    fclose(f);
    free(path);
    assert_int_equal(started, 4);
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
        cmocka_unit_test(test_turn_reads_do_not_grow),
        cmocka_unit_test(test_other_writer_between_turns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

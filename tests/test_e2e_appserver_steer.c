/* End to end: `turn/steer` of `codex app-server` (docs/app-server.md), scripted by
 * tests/appserver/data/steer.jsonl against tests/appserver/scenarios/steer.yaml at speed 1 (the
 * scenario pauses 2 s between its two answers, where the client steers): the real error texts
 * (no turn yet, a turn not active yet, another turn id, an empty input, a finished turn, serde's
 * missing field), the `{turnId}` answer, and the steered input as a userMessage item (its
 * clientId given) between the first answer and the second, before the turn completes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_client.h"
#include "buf.h"
#include "e2e.h"

#include <cJSON.h>

#define STEER_DATA SOURCE_DIR "/tests/appserver/data/steer.jsonl"
#define STEER_SCENARIO SOURCE_DIR "/tests/appserver/scenarios/steer.yaml"

static char *g_tmp;

/* CODEX_BIN app-server in g_tmp at speed 1 (scaled as e2e_speed says). */
static void start_paced(server *s) {
    memset(s, 0, sizeof *s);
    buf_init(&s->o);
    buf_init(&s->e);
    int pi[2], po[2], pe[2];
    assert_int_equal(pipe(pi), 0);
    assert_int_equal(pipe(po), 0);
    assert_int_equal(pipe(pe), 0);
    char speed[64];
    e2e_speed(speed, 1.0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(pi[0], 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        if (chdir(g_tmp) != 0) _exit(126);
        setenv("CODEX_MOCK_SCENARIO", STEER_SCENARIO, 1);
        putenv(speed);
        setenv("CODEX_MOCK_SEED", "7", 1);
        setenv("TERM", "xterm", 1);
        execl(CODEX_BIN, CODEX_BIN, "app-server", (char *)NULL);
        _exit(127);
    }
    close(pi[0]);
    close(po[1]);
    close(pe[1]);
    s->in = pi[1];
    s->out = po[0];
    s->err = pe[0];
    fcntl(s->in, F_SETFL, O_NONBLOCK);
    fcntl(s->out, F_SETFL, O_NONBLOCK);
    fcntl(s->err, F_SETFL, O_NONBLOCK);
}

typedef struct {
    char thread[40], turn[40];
} vars;

/* `text` with {{THREAD}} and {{TURN}} replaced (heap). */
static char *subst(const char *text, const vars *v) {
    buf b;
    buf_init(&b);
    for (const char *p = text; *p;) {
        if (!strncmp(p, "{{THREAD}}", 10)) {
            buf_puts(&b, v->thread);
            p += 10;
        } else if (!strncmp(p, "{{TURN}}", 8)) {
            buf_puts(&b, v->turn);
            p += 8;
        } else {
            buf_putc(&b, *p++);
        }
    }
    return buf_detach(&b);
}

static void send_json(server *s, const cJSON *msg, const vars *v) {
    char *raw = cJSON_PrintUnformatted(msg);
    char *line = subst(raw, v);
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", line);
    assert_true(server_write(s, b.data, b.len, true, 5000));
    buf_free(&b);
    free(line);
    free(raw);
}

static void wait_for(server *s, const char *needle) {
    if (!server_wait_out(s, needle, 10000))
        fail_msg("never came: %s\nstdout:\n%s", needle, s->o.data);
}

static void test_steer(void **state) {
    (void)state;
    FILE *f = fopen(STEER_DATA, "r");
    assert_non_null(f);
    server s;
    start_paced(&s);
    vars v = {"", ""};
    char line[8192];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        cJSON *j = cJSON_Parse(line);
        assert_non_null(j);
        const cJSON *send = cJSON_GetObjectItemCaseSensitive(j, "send");
        const cJSON *answer = cJSON_GetObjectItemCaseSensitive(j, "answer");
        const cJSON *capture = cJSON_GetObjectItemCaseSensitive(j, "capture");
        const cJSON *wait = cJSON_GetObjectItemCaseSensitive(j, "wait");
        const cJSON *order = cJSON_GetObjectItemCaseSensitive(j, "order");
        if (send) send_json(&s, send, &v);
        if (cJSON_IsString(answer)) {
            char *want = subst(answer->valuestring, &v);
            buf w;
            buf_init(&w);
            buf_printf(&w, "%s\n", want);
            wait_for(&s, w.data);
            buf_free(&w);
            free(want);
            checked++;
        }
        if (cJSON_IsArray(capture)) {
            const char *name = cJSON_GetArrayItem(capture, 0)->valuestring;
            const char *head = cJSON_GetArrayItem(capture, 1)->valuestring;
            wait_for(&s, head);
            const char *p = strstr(s.o.data, head) + strlen(head);
            char *slot = !strcmp(name, "THREAD") ? v.thread : v.turn;
            memcpy(slot, p, 36);
            slot[36] = '\0';
        }
        if (cJSON_IsString(wait)) wait_for(&s, wait->valuestring);
        if (cJSON_IsArray(order)) {
            const char *at = s.o.data;
            const cJSON *it;
            cJSON_ArrayForEach(it, order) {
                char *want = subst(it->valuestring, &v);
                const char *p = strstr(at, want);
                if (!p) fail_msg("not in order after …%.80s: %s\nstdout:\n%s", at, want, s.o.data);
                at = p + strlen(want);
                free(want);
                checked++;
            }
        }
        cJSON_Delete(j);
    }
    fclose(f);
    assert_true(checked >= 15);
    /* the steer is one userMessage item, answered once */
    const char *first = strstr(s.o.data, "\"text\":\"Run the tests first.\",\"text_elements\"");
    assert_non_null(first);
    server_end(&s);
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 0);
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
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_steer)};
    return cmocka_run_group_tests(tests, setup, teardown);
}

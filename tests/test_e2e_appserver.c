/* End-to-end tests of `codex app-server`: the built binary driven over its stdio as a client
 * drives it, compared with the real 0.171.0's sessions in tests/corpus/app-server-0.171.0
 * (ids, timestamps and the environment's values masked), and its process reactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "e2e.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#define AS_CORPUS SOURCE_DIR "/tests/corpus/app-server-0.171.0"
#define AS_SCENARIOS SOURCE_DIR "/tests/appserver/scenarios"

extern char **environ;
static char *g_tmp;

/* ------------------------------------------------------------------------------------------
 * A client: the server on two pipes
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int in, out, err;
    buf pending;    /* stdout bytes not yet handed out as lines */
    char *err_text; /* stderr, read by client_finish */
    double t0;
} client;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void client_start(client *c, const char *scenario, const char *speed, const char *extra) {
    int pin[2], pout[2], perr[2];
    assert_int_equal(pipe2(pin, O_CLOEXEC), 0);
    assert_int_equal(pipe2(pout, O_CLOEXEC), 0);
    assert_int_equal(pipe2(perr, O_CLOEXEC), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
    posix_spawn_file_actions_addchdir_np(&fa, g_tmp);
    char home[PATH_MAX + 32], sc[PATH_MAX + 64], sp[64];
    snprintf(home, sizeof home, "CODEX_HOME=%s/codex-home", g_tmp);
    snprintf(sc, sizeof sc, "CODEX_MOCK_SCENARIO=%s", scenario ? scenario : "default");
    snprintf(sp, sizeof sp, "CODEX_MOCK_SPEED=%s", speed);
    char *env[] = {"PATH=/usr/bin:/bin",
                   "TERM=xterm-256color",
                   "LANG=C.UTF-8",
                   "HOME=/tmp",
                   home,
                   sc,
                   sp,
                   "CODEX_MOCK_SEED=7",
                   (char *)extra,
                   NULL};
    char *argv[] = {CODEX_BIN, "app-server", NULL};
    assert_int_equal(posix_spawn(&c->pid, CODEX_BIN, &fa, NULL, argv, env), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    c->in = pin[1];
    c->out = pout[0];
    c->err = perr[0];
    buf_init(&c->pending);
    c->t0 = now_ms();
}

static void client_send(client *c, const char *line) {
    size_t n = strlen(line);
    assert_int_equal(write(c->in, line, n), (ssize_t)n);
    assert_int_equal(write(c->in, "\n", 1), 1);
}

/* The next stdout line (heap), or NULL at EOF or after timeout_ms. */
static char *client_line(client *c, double timeout_ms) {
    double until = now_ms() + proc_ms(timeout_ms);
    for (;;) {
        char *nl = c->pending.len ? memchr(c->pending.data, '\n', c->pending.len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - c->pending.data);
            char *line = xstrndup(c->pending.data, n);
            memmove(c->pending.data, nl + 1, c->pending.len - n - 1);
            c->pending.len -= n + 1;
            return line;
        }
        double left = until - now_ms();
        if (left <= 0) return NULL;
        struct pollfd p = {.fd = c->out, .events = POLLIN};
        if (poll(&p, 1, (int)left + 1) <= 0) continue;
        char tmp[65536];
        ssize_t r = read(c->out, tmp, sizeof tmp);
        if (r <= 0) return NULL;
        buf_append(&c->pending, tmp, (size_t)r);
    }
}

/* Reads lines until one contains `needle`; returns it (heap) and appends all to *all. */
static char *client_until_ms(client *c, const char *needle, buf *all, double ms) {
    for (;;) {
        char *l = client_line(c, ms);
        if (!l) return NULL;
        if (all) {
            buf_puts(all, l);
            buf_putc(all, '\n');
        }
        if (strstr(l, needle)) return l;
        free(l);
    }
}

static char *client_until(client *c, const char *needle, buf *all) {
    return client_until_ms(c, needle, all, 5000);
}

static char *client_stderr(client *c);

/* Closes stdin (unless already), reads stdout to EOF into *rest; returns the wait status. */
static int client_finish(client *c, buf *rest, double *exit_ms) {
    if (c->in >= 0) close(c->in);
    c->in = -1;
    double closed = now_ms();
    char *l;
    while ((l = client_line(c, 10000))) {
        if (rest) {
            buf_puts(rest, l);
            buf_putc(rest, '\n');
        }
        free(l);
    }
    int st = 0;
    waitpid(c->pid, &st, 0);
    if (exit_ms) *exit_ms = now_ms() - closed;
    c->err_text = client_stderr(c);
    close(c->out);
    close(c->err);
    buf_free(&c->pending);
    return st;
}

static char *client_stderr(client *c) {
    buf b;
    buf_init(&b);
    char tmp[4096];
    ssize_t r;
    while ((r = read(c->err, tmp, sizeof tmp)) > 0)
        buf_append(&b, tmp, (size_t)r);
    return buf_detach(&b);
}

/* ------------------------------------------------------------------------------------------
 * Masking: ids, times and the environment's values (corpus README)
 * ---------------------------------------------------------------------------------------- */

static void mask_digits_after(buf *out, const char *s, const char *key) {
    size_t kl = strlen(key);
    while (*s) {
        if (!strncmp(s, key, kl)) {
            buf_append(out, s, kl);
            s += kl;
            if (*s >= '0' && *s <= '9') buf_putc(out, 'N');
            while (*s >= '0' && *s <= '9')
                s++;
            continue;
        }
        buf_putc(out, *s++);
    }
}

static char *mask(const char *text) {
    char *a = mask_uuids(text);
    const char *keys[] = {"\"emittedAtMs\":", "\"startedAtMs\":", "\"completedAtMs\":",
                          "\"createdAt\":",   "\"updatedAt\":",   "\"recencyAt\":",
                          "\"startedAt\":",   "\"completedAt\":", "\"durationMs\":"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        buf b;
        buf_init(&b);
        mask_digits_after(&b, a, keys[i]);
        free(a);
        a = buf_detach(&b);
    }
    /* the host name, the OS in the user agent, the run's directory and the rollout's date */
    char *p;
    if ((p = strstr(a, "\"serverName\":\""))) {
        char *q = strchr(p + 14, '"');
        memmove(p + 14, q, strlen(q) + 1);
    }
    if ((p = strstr(a, "/0.171.0 ("))) {
        char *q = strchr(p, ';');
        if (q) memmove(p + 10, q, strlen(q) + 1);
    }
    char run[PATH_MAX + 8];
    snprintf(run, sizeof run, "%s", g_tmp);
    char *b = replace_all(a, run, "{{RUN}}");
    free(a);
    a = replace_all(b, "{{RUN}}/codex-home", "{{RUN}}/codex_home");
    free(b);
    b = replace_all(a, "{{RUN}}/work", "{{RUN}}");
    free(a);
    while ((p = strstr(b, "/sessions/"))) {
        /* sessions/YYYY/MM/DD/rollout-<time>-<uuid> → sessions/…/<uuid> */
        char *q = strstr(p, "<uuid>");
        if (!q) break;
        memmove(p + 1, "S", 1);
        memmove(p + 2, q, strlen(q) + 1);
    }
    return b;
}

/* The server lines of a corpus session, masked (heap). */
static char *corpus_out(const char *session) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/stdout.txt", AS_CORPUS, session);
    char *raw = read_file(path, NULL);
    assert_non_null(raw);
    char *m = mask(raw);
    free(raw);
    return m;
}

/* The client lines of a corpus session (a cJSON array of strings, raw bytes kept). */
static cJSON *corpus_in(const char *session) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/transcript.jsonl", AS_CORPUS, session);
    char *raw = read_file(path, NULL);
    assert_non_null(raw);
    cJSON *arr = cJSON_CreateArray();
    buf frag;
    buf_init(&frag);
    for (char *line = strtok(raw, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *o = cJSON_Parse(line);
        const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(o, "dir"));
        if (dir && !strcmp(dir, "c2s") && !cJSON_GetObjectItem(o, "line_b64")) {
            buf_puts(&frag, cJSON_GetStringValue(cJSON_GetObjectItem(o, "line")));
            if (!cJSON_IsFalse(cJSON_GetObjectItem(o, "eol"))) {
                cJSON_AddItemToArray(arr, cJSON_CreateString(frag.data ? frag.data : ""));
                buf_reset(&frag);
                if (frag.data) frag.data[0] = '\0';
            }
        }
        cJSON_Delete(o);
    }
    buf_free(&frag);
    free(raw);
    return arr;
}

static void assert_same_lines(const char *want, const char *got) {
    if (strcmp(want, got)) {
        const char *a = want, *b = got;
        while (*a && *a == *b) {
            a++;
            b++;
        }
        fprintf(stderr, "first difference at byte %zu:\n want: %.300s\n got:  %.300s\n",
                (size_t)(a - want), a, b);
    }
    assert_string_equal(want, got);
}

/* Replays every client line of a session at speed 0 (all written at once) and compares what
 * comes back with the recording. Fragments without a newline are joined to the next line. */
static void replay_at_once(const char *session, char **err_out) {
    cJSON *in = corpus_in(session);
    client c;
    client_start(&c, NULL, "0", NULL);
    const cJSON *it;
    cJSON_ArrayForEach(it, in) client_send(&c, it->valuestring);
    buf out;
    buf_init(&out);
    int st = client_finish(&c, &out, NULL);
    if (err_out)
        *err_out = c.err_text;
    else
        free(c.err_text);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char *want = corpus_out(session);
    char *got = mask(out.data ? out.data : "");
    assert_same_lines(want, got);
    free(want);
    free(got);
    buf_free(&out);
    cJSON_Delete(in);
}

/* ------------------------------------------------------------------------------------------
 * Tests
 * ---------------------------------------------------------------------------------------- */

static void test_handshake_corpus_01(void **state) {
    (void)state;
    replay_at_once("01_handshake_then_eof", NULL);
}

static void test_not_initialized_corpus_02(void **state) {
    (void)state;
    replay_at_once("02_request_before_initialize", NULL);
}

static void test_already_initialized_corpus_03(void **state) {
    (void)state;
    replay_at_once("03_initialize_twice", NULL);
}

static void test_errors_and_ids_corpus_04(void **state) {
    (void)state;
    replay_at_once("04_unknown_method_and_bad_params", NULL);
}

static void test_malformed_lines_corpus_05(void **state) {
    (void)state;
    char *err = NULL;
    replay_at_once("05_malformed_lines", &err);
    /* the bubblewrap line and one per line that is not a JSON-RPC message */
    size_t n = 0;
    for (const char *p = err; (p = strstr(p, "Failed to deserialize JSONRPCMessage: ")); p++)
        n++;
    assert_int_equal(n, 5);
    assert_non_null(strstr(err, "JSONRPCMessage: expected ident at line 1 column 2\n"));
    assert_non_null(strstr(err, "JSONRPCMessage: EOF while parsing a value at line 1 column 0\n"));
    assert_non_null(
        strstr(err, "\x1b[31mERROR\x1b[0m \x1b[2mcodex_app_server_transport::transport"));
    free(err);
}

/* Invalid UTF-8 ends reading; the server exits 0 by itself with stdin still open (corpus 06). */
static void test_invalid_utf8_corpus_06(void **state) {
    (void)state;
    client c;
    client_start(&c, NULL, "0", NULL);
    client_send(&c,
                "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                "\"version\":\"1\"}}}");
    assert_int_equal(write(c.in, "\xff\xfe\n", 3), 3);
    client_send(&c, "{\"id\":2,\"method\":\"thread/list\",\"params\":{}}");
    buf out;
    buf_init(&out);
    char *l;
    while ((l = client_line(&c, 3000))) {
        buf_puts(&out, l);
        buf_putc(&out, '\n');
        free(l);
    }
    int st;
    assert_int_equal(waitpid(c.pid, &st, 0), c.pid); /* exited although stdin is open */
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_non_null(strstr(out.data, "\"id\":1,\"result\""));
    assert_null(strstr(out.data, "\"id\":2"));
    char *err = client_stderr(&c);
    assert_non_null(strstr(err, "Failed reading stdin: stream did not contain valid UTF-8"));
    free(err);
    close(c.in);
    close(c.out);
    close(c.err);
    buf_free(&c.pending);
    buf_free(&out);
}

/* A whole turn against corpus 07's scenario: the same lines, ids and times aside. */
static void play_turn_session(const char *session, const char *scenario, const char *speed) {
    client c;
    char sc[PATH_MAX];
    snprintf(sc, sizeof sc, "%s/%s", AS_SCENARIOS, scenario);
    client_start(&c, sc, speed, NULL);
    cJSON *in = corpus_in(session);
    buf out;
    buf_init(&out);
    char thread_id[64] = "";
    const cJSON *it;
    cJSON_ArrayForEach(it, in) {
        char *line = replace_all(it->valuestring, "{{RUN}}/work", g_tmp);
        char *p = strstr(line, "\"threadId\":\"");
        if (p && thread_id[0]) memcpy(p + 12, thread_id, 36);
        client_send(&c, line);
        const char *until = strstr(line, "\"thread/start\"") ? "thread/started"
                            : strstr(line, "\"turn/start\"") ? "turn/completed"
                            : strstr(line, "\"initialize\"") ? "remoteControl/status/changed"
                                                             : NULL;
        free(line);
        if (!until) continue;
        char *got = client_until(&c, until, &out);
        assert_non_null(got);
        if (!strcmp(until, "thread/started")) {
            char *q = strstr(got, "\"thread\":{\"id\":\"");
            memcpy(thread_id, q + 16, 36);
            thread_id[36] = '\0';
        }
        free(got);
    }
    int st = client_finish(&c, &out, NULL);
    free(c.err_text); /* stderr is not checked here */
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char *want = corpus_out(session);
    char *got = mask(out.data);
    assert_same_lines(want, got);
    free(want);
    free(got);
    buf_free(&out);
    cJSON_Delete(in);
}

static void test_turn_corpus_07(void **state) {
    (void)state;
    play_turn_session("07_plain_text_turn", "07_plain_text_turn.yaml", "0");
}

static void test_two_turns_corpus_14(void **state) {
    (void)state;
    play_turn_session("14_two_turns_one_thread", "14_two_turns_one_thread.yaml", "0");
}

static void test_opt_out_corpus_30(void **state) {
    (void)state;
    play_turn_session("30_initialize_capabilities_opt_out",
                      "30_initialize_capabilities_opt_out.yaml", "0");
}

static void test_context_window_corpus_22(void **state) {
    (void)state;
    play_turn_session("22_context_window_exceeded", "22_context_window_exceeded.yaml", "0");
}

static void test_model_list_corpus_23(void **state) {
    (void)state;
    replay_at_once("23_model_list", NULL);
}

/* Starts a thread and a turn on a scenario; returns after turn/started. */
static void start_turn(client *c, const char *scenario, const char *speed, char thread_id[64]) {
    char sc[PATH_MAX];
    snprintf(sc, sizeof sc, "%s/%s", AS_SCENARIOS, scenario);
    client_start(c, sc, speed, NULL);
    client_send(c, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                   "\"version\":\"1\"}}}");
    client_send(c, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
    char *l = client_until(c, "thread/started", NULL);
    assert_non_null(l);
    memcpy(thread_id, strstr(l, "\"thread\":{\"id\":\"") + 16, 36);
    thread_id[36] = '\0';
    free(l);
    char *req = xasprintf("{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\","
                          "\"input\":[{\"type\":\"text\",\"text\":\"hi\"}]}}",
                          thread_id);
    client_send(c, req);
    free(req);
}

/* stdin EOF mid-turn: exit 0 within tens of ms, no turn/completed (corpus 29). */
static void test_eof_mid_turn_exits(void **state) {
    (void)state;
    client c;
    char tid[64];
    start_turn(&c, "29_stdin_eof_during_turn.yaml", "1", tid);
    char *l = client_until(&c, "item/agentMessage/delta", NULL);
    assert_non_null(l);
    free(l);
    buf rest;
    buf_init(&rest);
    double ms;
    int st = client_finish(&c, &rest, &ms);
    free(c.err_text); /* stderr is not checked here */
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_true(ms < proc_ms(150));
    assert_true(!rest.data || !strstr(rest.data, "turn/completed"));
    buf_free(&rest);
}

/* SIGINT mid-turn: death by the signal, nothing more written (corpus 28). */
static void test_sigint_mid_turn_kills(void **state) {
    (void)state;
    client c;
    char tid[64];
    start_turn(&c, "28_sigint_during_turn.yaml", "1", tid);
    char *l = client_until(&c, "\"item/completed\"", NULL);
    assert_non_null(l);
    free(l);
    kill(c.pid, SIGINT);
    buf rest;
    buf_init(&rest);
    int st;
    char *more = client_line(&c, 3000);
    assert_null(more);
    assert_int_equal(waitpid(c.pid, &st, 0), c.pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGINT);
    close(c.in);
    close(c.out);
    close(c.err);
    buf_free(&c.pending);
    buf_free(&rest);
}

/* SIGTERM while idle: exit 0 (corpus 31). */
static void test_sigterm_exits_0(void **state) {
    (void)state;
    client c;
    client_start(&c, NULL, "1", NULL);
    client_send(&c,
                "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                "\"version\":\"1\"}}}");
    char *l = client_line(&c, 3000);
    assert_non_null(l);
    free(l);
    kill(c.pid, SIGTERM);
    double t = now_ms();
    int st;
    assert_int_equal(waitpid(c.pid, &st, 0), c.pid);
    assert_true(now_ms() - t < proc_ms(300));
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    close(c.in);
    close(c.out);
    close(c.err);
    buf_free(&c.pending);
}

/* turn/interrupt: answered {}, the turn ends interrupted, the message never completes. */
static void test_interrupt(void **state) {
    (void)state;
    client c;
    char tid[64];
    start_turn(&c, "17_turn_interrupt.yaml", "1", tid);
    char *l = client_until(&c, "\"turn/started\"", NULL);
    char *turn = xstrndup(strstr(l, "\"turn\":{\"id\":\"") + 14, 36);
    free(l);
    l = client_until(&c, "item/agentMessage/delta", NULL);
    free(l);
    char *req = xasprintf("{\"id\":4,\"method\":\"turn/interrupt\",\"params\":{\"threadId\":\"%s\","
                          "\"turnId\":\"%s\"}}",
                          tid, turn);
    client_send(&c, req);
    free(req);
    buf seen;
    buf_init(&seen);
    l = client_until(&c, "turn/completed", &seen);
    assert_non_null(l);
    assert_non_null(strstr(l, "\"status\":\"interrupted\""));
    assert_non_null(strstr(seen.data, "{\"id\":4,\"result\":{}}"));
    assert_null(strstr(seen.data, "\"item/completed\""));
    free(l);
    free(turn);
    buf_free(&seen);
    client_finish(&c, NULL, NULL);
    free(c.err_text); /* stderr is not checked here */
}

/* A method the fake does not emulate: a codex-mock error naming it, never a made-up success. */
static void test_unemulated_method(void **state) {
    (void)state;
    client c;
    client_start(&c, NULL, "0", NULL);
    client_send(&c,
                "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                "\"version\":\"1\"}}}");
    client_send(&c, "{\"id\":2,\"method\":\"review/start\",\"params\":{}}");
    char *l = client_until(&c, "\"id\":2", NULL);
    assert_non_null(l);
    assert_string_equal(l, "{\"error\":{\"code\":-32600,\"message\":\"codex-mock: the app-server "
                           "method `review/start` is not emulated\"},\"id\":2}");
    free(l);
    client_finish(&c, NULL, NULL);
    assert_non_null(strstr(c.err_text, "codex-mock: the app-server method `review/start`"));
    free(c.err_text);
}

/* A 50 MB line is read and answered, and the server goes on serving. */
static void test_huge_line(void **state) {
    (void)state;
    client c;
    client_start(&c, NULL, "0", NULL);
    client_send(&c,
                "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                "\"version\":\"1\"}}}");
    size_t big = 50u << 20;
    char *line = malloc(big + 64);
    int n = sprintf(line, "{\"id\":2,\"method\":\"thread/list\",\"params\":{\"cursor\":\"");
    memset(line + n, '7', big);
    strcpy(line + n + big, "\"}}\n");
    /* write it from a child, so we can read meanwhile */
    pid_t w = fork();
    if (w == 0) {
        size_t len = strlen(line), at = 0;
        while (at < len) {
            ssize_t r = write(c.in, line + at, len - at);
            if (r <= 0) _exit(1);
            at += (size_t)r;
        }
        _exit(0);
    }
    free(line);
    /* a loaded 2-core CI machine needs seconds for 50 MB through a pipe */
    char *l = client_until_ms(&c, "\"id\":2", NULL, 60000);
    assert_non_null(l);
    free(l);
    int st;
    waitpid(w, &st, 0);
    client_send(&c, "{\"id\":3,\"method\":\"thread/loaded/list\",\"params\":{}}");
    l = client_until(&c, "\"id\":3", NULL);
    assert_string_equal(l, "{\"id\":3,\"result\":{\"data\":[],\"nextCursor\":null}}");
    free(l);
    client_finish(&c, NULL, NULL);
    free(c.err_text); /* stderr is not checked here */
}

static void test_listen_values(void **state) {
    (void)state;
    const char *ok[] = {CODEX_BIN, "app-server", "--listen", "stdio://", NULL};
    proc_spec s = {.argv = ok, .stdin_data = ""};
    proc_result r;
    assert_int_equal(proc_run(&s, &r), 0);
    assert_true(r.exited);
    assert_int_equal(r.exit_code, 0);
    proc_result_free(&r);
    const char *bad[] = {CODEX_BIN, "app-server", "--listen", "ws://127.0.0.1:0", NULL};
    s.argv = bad;
    assert_int_equal(proc_run(&s, &r), 0);
    assert_int_equal(r.exit_code, 78);
    assert_non_null(strstr(r.err, "codex-mock: `codex app-server --listen ws://127.0.0.1:0` is not "
                                  "emulated"));
    proc_result_free(&r);
}

/* A thread made by `codex exec` resumes here: its turns come back from the rollout and the next
 * turn/start plays the scenario's second turn; then fork and read. */
static void test_resume_exec_thread_fork_read(void **state) {
    (void)state;
    char sc[PATH_MAX], home[PATH_MAX + 32], scen[PATH_MAX + 32];
    snprintf(sc, sizeof sc, "%s/14_two_turns_one_thread.yaml", AS_SCENARIOS);
    snprintf(home, sizeof home, "CODEX_HOME=%s/codex-home", g_tmp);
    snprintf(scen, sizeof scen, "CODEX_MOCK_SCENARIO=%s", sc);
    const char *argv[] = {CODEX_BIN,      "exec", "--json", "--skip-git-repo-check",
                          "Remember 42.", NULL};
    const char *env[] = {home, scen, "CODEX_MOCK_SPEED=0", "CODEX_API_KEY=x", NULL};
    proc_spec ps = {.argv = argv, .env = env, .cwd = g_tmp, .stdin_data = ""};
    proc_result r;
    assert_int_equal(proc_run(&ps, &r), 0);
    assert_int_equal(r.exit_code, 0);
    char *p = strstr(r.out, "\"thread_id\":\"");
    assert_non_null(p);
    char *tid = xstrndup(p + 13, 36);
    proc_result_free(&r);

    client c;
    client_start(&c, sc, "0", NULL);
    client_send(&c,
                "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                "\"version\":\"1\"}}}");
    char *req =
        xasprintf("{\"id\":2,\"method\":\"thread/resume\",\"params\":{\"threadId\":\"%s\"}}", tid);
    client_send(&c, req);
    free(req);
    char *l = client_until(&c, "\"id\":2,", NULL);
    assert_non_null(l);
    assert_non_null(strstr(l, "\"preview\":\"Remember 42.\""));
    assert_non_null(strstr(l, "\"text\":\"Got it: 42.\""));
    assert_non_null(strstr(l, "\"itemsView\":\"full\",\"status\":\"completed\""));
    free(l);
    req = xasprintf("{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\","
                    "\"input\":[{\"type\":\"text\",\"text\":\"Which?\"}]}}",
                    tid);
    client_send(&c, req);
    free(req);
    l = client_until(&c, "turn/completed", NULL);
    assert_non_null(strstr(l, "You asked me to remember 42."));
    free(l);
    req = xasprintf("{\"id\":4,\"method\":\"thread/fork\",\"params\":{\"threadId\":\"%s\"}}", tid);
    client_send(&c, req);
    free(req);
    l = client_until(&c, "\"id\":4,", NULL);
    char *want = xasprintf("\"forkedFromId\":\"%s\"", tid);
    assert_non_null(strstr(l, want));
    free(want);
    free(l);
    req = xasprintf("{\"id\":5,\"method\":\"thread/read\",\"params\":{\"threadId\":\"%s\","
                    "\"includeTurns\":true}}",
                    tid);
    client_send(&c, req);
    free(req);
    l = client_until(&c, "\"id\":5,", NULL);
    assert_non_null(strstr(l, "You asked me to remember 42."));
    free(l);
    client_send(&c, "{\"id\":6,\"method\":\"thread/resume\",\"params\":{\"threadId\":"
                    "\"00000000-0000-7000-8000-000000000000\"}}");
    l = client_until(&c, "\"id\":6", NULL);
    assert_string_equal(l, "{\"error\":{\"code\":-32600,\"message\":\"no rollout found for thread "
                           "id 00000000-0000-7000-8000-000000000000\"},\"id\":6}");
    free(l);
    client_finish(&c, NULL, NULL);
    free(c.err_text);
    free(tid);
}

/* Each finished turn appends a journal line (command app-server, its input, the thread id), so
 * `codex-mock journal` lists app-server runs. */
static void test_journal_line_per_turn(void **state) {
    (void)state;
    char st[PATH_MAX + 32];
    snprintf(st, sizeof st, "CODEX_MOCK_STATE=%s/state-journal", g_tmp);
    client c;
    char tid[64];
    char sc[PATH_MAX];
    snprintf(sc, sizeof sc, "%s/14_two_turns_one_thread.yaml", AS_SCENARIOS);
    client_start(&c, sc, "0", st);
    client_send(&c,
                "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                "\"version\":\"1\"}}}");
    client_send(&c, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
    char *l = client_until(&c, "thread/started", NULL);
    memcpy(tid, strstr(l, "\"thread\":{\"id\":\"") + 16, 36);
    tid[36] = '\0';
    free(l);
    char *req = xasprintf("{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\","
                          "\"input\":[{\"type\":\"text\",\"text\":\"journal me\"}]}}",
                          tid);
    client_send(&c, req);
    free(req);
    l = client_until(&c, "turn/completed", NULL);
    free(l);
    client_finish(&c, NULL, NULL);
    free(c.err_text);
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/state-journal/journal.jsonl", g_tmp);
    char *j = read_file(path, NULL);
    assert_non_null(j);
    assert_non_null(strstr(j, "\"command\":\"app-server\""));
    assert_non_null(strstr(j, "\"prompt\":\"journal me\""));
    assert_non_null(strstr(j, tid));
    assert_non_null(strstr(j, "\"exit_code\":0"));
    free(j);
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
        cmocka_unit_test(test_handshake_corpus_01),
        cmocka_unit_test(test_not_initialized_corpus_02),
        cmocka_unit_test(test_already_initialized_corpus_03),
        cmocka_unit_test(test_errors_and_ids_corpus_04),
        cmocka_unit_test(test_malformed_lines_corpus_05),
        cmocka_unit_test(test_invalid_utf8_corpus_06),
        cmocka_unit_test(test_turn_corpus_07),
        cmocka_unit_test(test_two_turns_corpus_14),
        cmocka_unit_test(test_context_window_corpus_22),
        cmocka_unit_test(test_opt_out_corpus_30),
        cmocka_unit_test(test_model_list_corpus_23),
        cmocka_unit_test(test_eof_mid_turn_exits),
        cmocka_unit_test(test_sigint_mid_turn_kills),
        cmocka_unit_test(test_sigterm_exits_0),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_unemulated_method),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_listen_values),
        cmocka_unit_test(test_resume_exec_thread_fork_read),
        cmocka_unit_test(test_journal_line_per_turn),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* End to end: `codex-mock record -- codex app-server` between a scripted client and our fake
 * app-server (the built `codex`, playing tests/appserver/scenarios/09_command_untrusted_accept
 * 4× faster).
 *
 *  - The client (tests/appserver/data/record_client.jsonl) does the handshake, starts a thread
 *    and a turn, accepts the command approval the fake asks for, writes a fragment without
 *    newline and closes stdin. What the client saw on stdout and stderr is exactly what the
 *    recording holds; transcript.jsonl has every line both ways in the order they crossed
 *    (responses after their requests, the answer after the server request, the resolution
 *    after the answer), t_ms never going back, the fragment with `eol: false`; exit.json,
 *    actions.jsonl, argv.json, config.toml and rollout/ are there; a key the client sent and
 *    one in config.toml are scrubbed from the files but reached the server unchanged.
 *  - A second recording into the same folder is refused before anything runs.
 *  - SIGTERM sent to the recorder reaches the server; the recording says so; two threads'
 *    session files are both in rollout/.
 *  - Bytes that are not UTF-8 reach the server as they are and are recorded with line_b64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_client.h"
#include "e2e.h"

#include <cJSON.h>
#include <dirent.h>

#ifndef TOOLBOX_BIN
#error "TOOLBOX_BIN must be defined by the build"
#endif

static const char SECRET[] = "sk-e2eSECRETe2eSECRETe2e";

static char *tmp;

static int setup(void **state) {
    (void)state;
    return e2e_setup_home(&tmp);
}

static int teardown(void **state) {
    (void)state;
    if (getenv("CODEX_MOCK_KEEP_SCRATCH")) {
        fprintf(stderr, "scratch kept: %s\n", tmp);
        free(tmp);
        return 0;
    }
    e2e_rmtree(tmp);
    return 0;
}

/* `codex-mock record --out OUT -- CODEX_BIN app-server` in tmp, on three pipes. */
static void recorder_start(server *s, const char *out) {
    char speed[64];
    e2e_speed(speed, 4);
    char *argv[] = {TOOLBOX_BIN, "record",  "--out",      (char *)out,
                    "--",        CODEX_BIN, "app-server", NULL};
    char *env[] = {speed,
                   "CODEX_MOCK_SCENARIO=" SOURCE_DIR
                   "/tests/appserver/scenarios/09_command_untrusted_accept.yaml",
                   NULL};
    server_spawn(s, tmp, argv, env);
}

static char *rec_read(const char *dir, const char *name, size_t *len) {
    char *p = xasprintf("%s/%s", dir, name);
    char *data = read_file(p, len);
    free(p);
    return data;
}

/* The client's lines (the data file, placeholders filled), heap strings without newline. */
static char **client_lines(size_t *n, const char *thread) {
    char *data = read_file(SOURCE_DIR "/tests/appserver/data/record_client.jsonl", NULL);
    assert_non_null(data);
    char *a = replace_all(data, "{{CWD}}", tmp);
    char *b = replace_all(a, "{{THREAD}}", thread ? thread : "");
    free(data), free(a);
    char **v = NULL;
    *n = 0;
    char *save = NULL;
    for (char *l = strtok_r(b, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        v = xrealloc(v, (*n + 1) * sizeof *v);
        v[(*n)++] = xstrdup(l);
    }
    free(b);
    return v;
}

static void send_line(server *s, const char *line, bool eol) {
    char *t = xasprintf("%s%s", line, eol ? "\n" : "");
    assert_true(server_write(s, t, strlen(t), true, 5000));
    free(t);
}

typedef struct {
    double t;
    bool c2s, eol;
    char *line;
} row;

static row *transcript(const char *dir, size_t *n) {
    char *data = rec_read(dir, "transcript.jsonl", NULL);
    assert_non_null(data);
    row *rows = NULL;
    *n = 0;
    char *save = NULL;
    for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(l);
        assert_non_null(j);
        const cJSON *t = cJSON_GetObjectItem(j, "t_ms"), *d = cJSON_GetObjectItem(j, "dir"),
                    *line = cJSON_GetObjectItem(j, "line"), *eol = cJSON_GetObjectItem(j, "eol");
        assert_true(cJSON_IsNumber(t) && cJSON_IsString(d) && cJSON_IsString(line));
        assert_null(cJSON_GetObjectItem(j, "line_b64")); /* all of it is text here */
        rows = xrealloc(rows, (*n + 1) * sizeof *rows);
        rows[(*n)++] = (row){t->valuedouble, !strcmp(d->valuestring, "c2s"), !cJSON_IsFalse(eol),
                             xstrdup(line->valuestring)};
        assert_true(!strcmp(d->valuestring, "c2s") || !strcmp(d->valuestring, "s2c"));
        cJSON_Delete(j);
    }
    free(data);
    return rows;
}

/* The index of the first row from `from` of direction c2s/s2c holding `needle`; fails if none. */
static size_t find_row(const row *r, size_t n, size_t from, bool c2s, const char *needle) {
    for (size_t i = from; i < n; i++)
        if (r[i].c2s == c2s && strstr(r[i].line, needle)) return i;
    fail_msg("no %s row holding %s", c2s ? "c2s" : "s2c", needle);
    return 0;
}

static void test_session_recorded(void **state) {
    (void)state;
    char *out = xasprintf("%s/rec", tmp);
    char *cfg = xasprintf("%s/codex-home/config.toml", tmp);
    char *cfg_text = xasprintf("model = \"gpt-5.5\"\n# key %s\n", SECRET);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fputs(cfg_text, f);
    fclose(f);

    server s;
    recorder_start(&s, out);
    size_t n_lines;
    char **lines = client_lines(&n_lines, NULL);
    assert_int_equal(n_lines, 6);
    send_line(&s, lines[0], true);
    assert_true(server_wait_out(&s, "{\"id\":1,\"result\"", 10000));
    char *two = xasprintf("%s\n%s", lines[1], lines[2]); /* two lines in one write */
    send_line(&s, two, true);
    free(two);
    assert_true(server_wait_out(&s, "{\"id\":2,\"result\"", 10000));
    /* the thread id the fake gave */
    buf_putc(&s.o, '\0');
    s.o.len--;
    const char *tid = strstr(strstr(s.o.data, "{\"id\":2,\"result\""), "\"id\":\"");
    assert_non_null(tid);
    char thread[64];
    snprintf(thread, sizeof thread, "%.36s", tid + 6);
    for (size_t i = 0; i < n_lines; i++)
        free(lines[i]);
    free(lines);
    lines = client_lines(&n_lines, thread);
    send_line(&s, lines[3], true);
    assert_true(server_wait_out(&s, "item/commandExecution/requestApproval", 10000));
    send_line(&s, lines[4], true);
    assert_true(server_wait_out(&s, "\"method\":\"turn/completed\"", 10000));
    send_line(&s, lines[5], false); /* a fragment, then EOF */
    server_end(&s);
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 0);

    /* stdout and stderr: exactly what the client saw, with the key (the fake echoes the
     * prompt in its userMessage item) passed through live and scrubbed in the files */
    buf_putc(&s.o, '\0');
    s.o.len--;
    assert_non_null(strstr(s.o.data, SECRET));
    char *seen = replace_all(s.o.data, SECRET, "<SECRET>");
    size_t len;
    char *got = rec_read(out, "stdout.txt", &len);
    assert_non_null(got);
    assert_int_equal(len, strlen(seen));
    assert_memory_equal(got, seen, len);
    assert_null(strstr(got, SECRET));
    free(got);
    got = rec_read(out, "stderr.txt", &len);
    assert_non_null(got);
    assert_int_equal(len, s.e.len);
    if (len) assert_memory_equal(got, s.e.data, len);
    free(got);

    /* the transcript: every line both ways, in the order they crossed */
    size_t n;
    row *r = transcript(out, &n);
    buf c2s, s2c;
    buf_init(&c2s), buf_init(&s2c);
    size_t n_c2s = 0;
    for (size_t i = 0; i < n; i++) {
        if (i) assert_true(r[i].t >= r[i - 1].t);
        assert_true(r[i].t >= 0 && r[i].t < 60000);
        if (r[i].c2s) {
            /* the key reached the fake as sent; the recording has it scrubbed */
            char *want = replace_all(lines[n_c2s], SECRET, "<SECRET>");
            assert_string_equal(r[i].line, want);
            free(want);
            assert_int_equal(r[i].eol, n_c2s < 5);
            n_c2s++;
        } else {
            assert_true(r[i].eol);
            buf_puts(&s2c, r[i].line);
            buf_putc(&s2c, '\n');
        }
    }
    assert_int_equal(n_c2s, 6);
    assert_int_equal(s2c.len, strlen(seen));
    assert_memory_equal(s2c.data, seen, s2c.len);
    size_t init = find_row(r, n, 0, true, "\"method\":\"initialize\"");
    size_t init_res = find_row(r, n, init, false, "{\"id\":1,\"result\"");
    size_t start = find_row(r, n, init_res, true, "\"method\":\"thread/start\"");
    size_t start_res = find_row(r, n, start, false, "{\"id\":2,\"result\"");
    size_t turn = find_row(r, n, start_res, true, "\"method\":\"turn/start\"");
    size_t ask =
        find_row(r, n, turn, false, "\"method\":\"item/commandExecution/requestApproval\"");
    size_t answer = find_row(r, n, ask, true, "{\"id\":0,\"result\":{\"decision\":\"accept\"}}");
    size_t resolved = find_row(r, n, answer, false, "\"method\":\"serverRequest/resolved\"");
    size_t done = find_row(r, n, resolved, false, "\"method\":\"turn/completed\"");
    assert_true(init == 0 && done > resolved);
    assert_true(r[answer].t >= r[ask].t);
    assert_false(r[n - 1].eol); /* the fragment is the last line in */
    assert_true(r[n - 1].c2s);

    /* stdin.txt: the scrubbed client bytes, the fragment without newline */
    got = rec_read(out, "stdin.txt", &len);
    assert_non_null(got);
    buf want;
    buf_init(&want);
    for (size_t i = 0; i < 6; i++) {
        char *l = replace_all(lines[i], SECRET, "<SECRET>");
        buf_puts(&want, l);
        if (i < 5) buf_putc(&want, '\n');
        free(l);
    }
    assert_int_equal(len, want.len);
    assert_memory_equal(got, want.data, len);
    free(got);
    buf_free(&want);

    /* exit.json, exit_code, actions.jsonl */
    got = rec_read(out, "exit.json", NULL);
    cJSON *j = cJSON_Parse(got);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(j, "returncode")->valueint, 0);
    assert_int_equal(cJSON_GetObjectItem(j, "exit_code")->valueint, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "signal")));
    assert_string_equal(cJSON_GetObjectItem(j, "ended_by")->valuestring, "exited after stdin EOF");
    double closed = cJSON_GetObjectItem(j, "stdin_closed_ms")->valuedouble;
    double exit_ms = cJSON_GetObjectItem(j, "t_ms")->valuedouble;
    assert_true(closed >= r[n - 1].t && closed <= exit_ms);
    assert_true(cJSON_GetObjectItem(j, "stdout_eof_ms")->valuedouble >= r[done].t);
    cJSON_Delete(j);
    free(got);
    got = rec_read(out, "exit_code", NULL);
    assert_string_equal(got, "0\n");
    free(got);
    got = rec_read(out, "actions.jsonl", NULL);
    assert_non_null(strstr(got, "\"do\": \"close_stdin\""));
    assert_null(strstr(got, "signal"));
    free(got);

    /* argv.json, config.toml (scrubbed), meta.json, rollout/ */
    got = rec_read(out, "argv.json", NULL);
    j = cJSON_Parse(got);
    assert_non_null(j);
    char *argv = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "argv"));
    char *want_argv = xasprintf("[\"%s\",\"app-server\"]", CODEX_BIN);
    assert_string_equal(argv, want_argv);
    free(argv), free(want_argv);
    assert_string_equal(cJSON_GetObjectItem(j, "cwd")->valuestring, tmp);
    cJSON_Delete(j);
    free(got);
    got = rec_read(out, "config.toml", NULL);
    assert_string_equal(got, "model = \"gpt-5.5\"\n# key <SECRET>\n");
    free(got);
    got = rec_read(out, "meta.json", NULL);
    assert_non_null(strstr(got, "\"< item/commandExecution/requestApproval#0\""));
    assert_non_null(strstr(got, "\"> result#0\""));
    assert_null(strstr(got, SECRET));
    free(got);
    char *rdir = xasprintf("%s/rollout", out);
    DIR *d = opendir(rdir);
    assert_non_null(d);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".jsonl")) files++;
    closedir(d);
    free(rdir);
    assert_true(files >= 1);

    /* the same folder again: refused before the server runs, nothing passed through */
    server_free(&s);
    recorder_start(&s, out);
    assert_true(server_exited(&s, 10000));
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 78);
    server_end(&s);
    assert_int_equal(s.o.len, 0);
    buf_putc(&s.e, '\0');
    assert_non_null(strstr(s.e.data, "already holds a recording"));
    server_free(&s);

    for (size_t i = 0; i < n; i++)
        free(r[i].line);
    free(r);
    for (size_t i = 0; i < n_lines; i++)
        free(lines[i]);
    free(lines);
    buf_free(&c2s), buf_free(&s2c);
    free(cfg), free(cfg_text), free(out), free(seen);
}

static void test_signal_forwarded(void **state) {
    (void)state;
    char *out = xasprintf("%s/rec-sigterm", tmp);
    server s;
    recorder_start(&s, out);
    size_t n_lines;
    char **lines = client_lines(&n_lines, NULL);
    send_line(&s, lines[0], true);
    assert_true(server_wait_out(&s, "{\"id\":1,\"result\"", 10000));
    /* two threads: two session files */
    send_line(&s, lines[2], true);
    assert_true(server_wait_out(&s, "{\"id\":2,\"result\"", 10000));
    char *again = replace_all(lines[2], "{\"id\":2,", "{\"id\":5,");
    send_line(&s, again, true);
    free(again);
    assert_true(server_wait_out(&s, "{\"id\":5,\"result\"", 10000));
    kill(s.pid, SIGTERM); /* to the recorder alone: forwarded; the idle server exits 0 */
    assert_true(server_exited(&s, 10000));
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 0);
    server_end(&s);
    char *got = rec_read(out, "exit.json", NULL);
    assert_non_null(got);
    assert_non_null(strstr(got, "\"ended_by\": \"exited after signal SIGTERM\""));
    free(got);
    got = rec_read(out, "actions.jsonl", NULL);
    assert_non_null(strstr(got, "\"do\": \"signal\", \"name\": \"SIGTERM\""));
    free(got);
    char *rdir = xasprintf("%s/rollout", out);
    DIR *d = opendir(rdir);
    assert_non_null(d);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".jsonl")) files++;
    closedir(d);
    free(rdir);
    assert_int_equal(files, 2);
    server_free(&s);
    for (size_t i = 0; i < n_lines; i++)
        free(lines[i]);
    free(lines);
    free(out);
}

/* Bytes that are not UTF-8: passed through as they are, recorded with line_b64; the server
 * (as the real one, corpus 06) gives up on its stdin and exits by itself. */
static void test_invalid_utf8(void **state) {
    (void)state;
    char *out = xasprintf("%s/rec-utf8", tmp);
    server s;
    recorder_start(&s, out);
    size_t n_lines;
    char **lines = client_lines(&n_lines, NULL);
    send_line(&s, lines[0], true);
    assert_true(server_wait_out(&s, "{\"id\":1,\"result\"", 10000));
    assert_true(server_write(&s, "\xff\xfe\n", 3, true, 5000));
    assert_true(server_exited(&s, 10000)); /* stdin still open */
    assert_true(WIFEXITED(s.status));
    assert_int_equal(WEXITSTATUS(s.status), 0);
    server_end(&s);
    char *t = rec_read(out, "transcript.jsonl", NULL);
    assert_non_null(t);
    assert_non_null(strstr(t, "\"dir\": \"c2s\", \"line\": \"\xef\xbf\xbd\xef\xbf\xbd\", "
                              "\"line_b64\": \"//4=\"}\n"));
    free(t);
    size_t len;
    t = rec_read(out, "stdin.txt", &len);
    assert_true(len > 3 && !memcmp(t + len - 3, "\xff\xfe\n", 3));
    free(t);
    t = rec_read(out, "stderr.txt", &len);
    assert_int_equal(len, s.e.len);
    assert_memory_equal(t, s.e.data, len);
    assert_non_null(memmem(t, len, "stream did not contain valid UTF-8", 34));
    free(t);
    t = rec_read(out, "exit.json", NULL);
    assert_non_null(strstr(t, "\"ended_by\": \"exited by itself (stdin still open)\""));
    assert_non_null(strstr(t, "\"stdin_closed_ms\": null"));
    free(t);
    server_free(&s);
    for (size_t i = 0; i < n_lines; i++)
        free(lines[i]);
    free(lines);
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_recorded),
        cmocka_unit_test(test_signal_forwarded),
        cmocka_unit_test(test_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* End to end: the failure library through the app-server face. Every built-in scenario whose
 * faces include `app-server` (`codex-mock list --json`) is played by one scripted client:
 * initialize, thread/start, turn/start, then it reads until its turn's turn/completed, the end
 * of stdout or the process's end, or the case's line limit (`limit`, for a scenario that never
 * ends by itself: network-unreachable). A turn that goes quiet (1 s) is interrupted once
 * (turn/interrupt), as a client with a deadline does; then stdin is closed and the exit awaited.
 * Every wait is bounded (proc_ms): a hang fails the case, it never hangs the test.
 *
 * Each scenario has a case folder tests/appserver/library/<name>/ holding
 *   expected.jsonl  every server line, normalised as the conformance suite does (rpc_compare.h:
 *                   ids → <id-N>, times → <t>, host, OS, paths); a torn last line is followed by
 *                   `\ No newline at end of stdout`;
 *   exit            `exit N`, `signal N`, or `killed` (it did not exit 5 s after stdin closed);
 *   limit           (optional) the number of server lines after which the client stops reading.
 * A built-in without a folder, or a folder without a built-in, fails the test.
 * CODEX_MOCK_UPDATE_EXPECTED=1 rewrites the expected files (then read the diff);
 * CODEX_MOCK_LIBRARY_ONLY=word,word plays only the scenarios whose name contains a word.
 *
 * Runs are deterministic: CODEX_MOCK_SPEED=0, CODEX_MOCK_SEED=7, CODEX_MOCK_NOW fixed, TZ=UTC.
 * Every JSON line a server wrote (the scenarios' deliberate junk, torn lines and answers to ids
 * the client never used aside) is
 * validated against the real 0.171.0 JSON Schema (tests/appserver/schema_check.py on this test's
 * transcripts, BUILD/appserver-library-dump; with CODEX_MOCK_APPSERVER_DUMP also copied there for
 * the appserver_schema test).
 *
 * A second case plays each `fail:` entry of the catalogue listed in
 * tests/appserver/data/fail_info.jsonl and checks the codexErrorInfo of its retry notices, its
 * final error and its failed turn. */
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

#include <cjson/cJSON.h>
#include <dirent.h>
#include <sys/stat.h>

#define LIBRARY SOURCE_DIR "/tests/appserver/library"
#define SCHEMA SOURCE_DIR "/tests/corpus/app-server-0.171.0/schema"
#define SCHEMA_CHECK SOURCE_DIR "/tests/appserver/schema_check.py"
#define QUIET_MS 1000.0
#define CASE_MS 20000.0

static char *g_tmp;

/* ------------------------------------------------------------------------------------------
 * The client
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    server s;
    bool out_eof;   /* stdout closed (the process may live on) */
    bool in_broken; /* a write found stdin closed */
    buf c2s;        /* the client's lines, transcript format */
} client;

static char *read_text(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    buf b;
    buf_init(&b);
    int rc = fileio_read_fd(fd, &b);
    close(fd);
    if (rc != 0) {
        buf_free(&b);
        return NULL;
    }
    buf_putc(&b, '\0');
    return b.data;
}

static void send_line(client *c, const char *line) {
    buf_puts(&c->c2s, "{\"dir\":\"c2s\",\"line\":");
    jsonw_cstring(&c->c2s, line);
    buf_puts(&c->c2s, "}\n");
    if (c->in_broken) return;
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", line);
    if (!server_write(&c->s, b.data, b.len, true, 2000)) c->in_broken = true;
    buf_free(&b);
}

/* Reads stdout and stderr for up to `ms`; false when nothing came. */
static bool pump(client *c, double ms) {
    struct pollfd p[2] = {{.fd = c->s.err, .events = POLLIN},
                          {.fd = c->out_eof ? -1 : c->s.out, .events = POLLIN}};
    if (poll(p, 2, (int)ms) <= 0) return false;
    bool got = false;
    char tmp[1 << 16];
    if (p[0].revents & (POLLIN | POLLHUP)) {
        ssize_t n = read(c->s.err, tmp, sizeof tmp);
        if (n > 0) buf_append(&c->s.e, tmp, (size_t)n);
    }
    if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
        ssize_t n = read(c->s.out, tmp, sizeof tmp);
        if (n > 0) {
            buf_append(&c->s.o, tmp, (size_t)n);
            got = true;
        } else if (n == 0) {
            c->out_eof = true;
        }
    }
    return got;
}

static bool alive(client *c) {
    if (!c->s.reaped && waitpid(c->s.pid, &c->s.status, WNOHANG) == c->s.pid) c->s.reaped = true;
    return !c->s.reaped && !c->out_eof;
}

static size_t count_lines(const buf *o) {
    size_t n = 0;
    for (size_t i = 0; i < o->len; i++)
        n += o->data[i] == '\n';
    return n;
}

/* Waits until `needle` is on stdout (true), or the process ends / `ms` pass (false). */
static bool wait_for(client *c, const char *needle, double ms) {
    double end = now_ms() + proc_ms(ms);
    for (;;) {
        if (c->s.o.len && memmem(c->s.o.data, c->s.o.len, needle, strlen(needle))) return true;
        if (!alive(c) || now_ms() > end) return false;
        pump(c, 20);
    }
}

/* The 36 characters after `head` on stdout, or "" */
static void id_after(const client *c, const char *head, char id[40]) {
    id[0] = '\0';
    const char *p = c->s.o.len ? memmem(c->s.o.data, c->s.o.len, head, strlen(head)) : NULL;
    if (p && (size_t)(c->s.o.data + c->s.o.len - p) >= strlen(head) + 36) {
        memcpy(id, p + strlen(head), 36);
        id[36] = '\0';
    }
}

/* Is there a complete turn/completed line for `turn` on stdout? */
static bool turn_done(const client *c, const char *turn) {
    if (!*turn) return false;
    const char *p = c->s.o.data, *end = c->s.o.data + c->s.o.len;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return false;
        static const char DONE[] = "{\"method\":\"turn/completed\"";
        if ((size_t)(nl - p) > sizeof DONE && !memcmp(p, DONE, sizeof DONE - 1) &&
            memmem(p, (size_t)(nl - p), turn, strlen(turn)))
            return true;
        p = nl + 1;
    }
    return false;
}

/* Plays one turn of built-in `name`; the exit as `exit N`, `signal N` or `killed`. */
static void play(client *c, const char *name, const char *cwd, long limit, char exit_text[32]) {
    memset(c, 0, sizeof *c);
    buf_init(&c->c2s);
    server_start(&c->s, cwd, name);
    double end = now_ms() + proc_ms(CASE_MS);
    send_line(c, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"t\","
                 "\"title\":null,\"version\":\"1\"}}}");
    char thread[40] = "", turn[40] = "";
    if (wait_for(c, "{\"id\":1,\"result\"", 5000)) {
        send_line(c, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
        if (wait_for(c, "\"method\":\"thread/started\"", 5000))
            id_after(c, "{\"id\":2,\"result\":{\"thread\":{\"id\":\"", thread);
    }
    if (*thread) {
        char line[256];
        snprintf(line, sizeof line,
                 "{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"%s\",\"input\":[{"
                 "\"type\":\"text\",\"text\":\"go\"}]}}",
                 thread);
        send_line(c, line);
        /* the turn's id from its turn/started on our thread: a scenario may answer turn/start
         * under another id or not at all, or start turns on threads we never started */
        char started[160];
        snprintf(started, sizeof started,
                 "\"method\":\"turn/started\",\"params\":{\"threadId\":\"%s\",\"turn\":{\"id\":\"",
                 thread);
        if (wait_for(c, started, 5000)) id_after(c, started, turn);
        bool interrupted = false;
        double quiet_since = now_ms();
        while (*turn && alive(c) && !turn_done(c, turn)) {
            if (limit > 0 && (long)count_lines(&c->s.o) >= limit) break;
            if (now_ms() > end) fail_msg("%s: the turn did not end within %.0f ms", name, CASE_MS);
            if (pump(c, 20)) {
                quiet_since = now_ms();
                continue;
            }
            if (now_ms() - quiet_since < proc_ms(interrupted ? 2 * QUIET_MS : QUIET_MS)) continue;
            if (interrupted) break; /* it stalls even when interrupted */
            snprintf(line, sizeof line,
                     "{\"id\":4,\"method\":\"turn/interrupt\",\"params\":{\"threadId\":\"%s\","
                     "\"turnId\":\"%s\"}}",
                     thread, turn);
            send_line(c, line);
            interrupted = true;
            quiet_since = now_ms();
        }
    }
    /* the end: stdin closed, the exit awaited (5 s) */
    close(c->s.in);
    c->s.in = -1;
    double stop = now_ms() + proc_ms(5000);
    while (!c->s.reaped && now_ms() < stop) {
        if (waitpid(c->s.pid, &c->s.status, WNOHANG) == c->s.pid) {
            c->s.reaped = true;
            break;
        }
        pump(c, 10);
    }
    if (!c->s.reaped) {
        kill(c->s.pid, SIGKILL);
        waitpid(c->s.pid, &c->s.status, 0);
        c->s.reaped = true;
        snprintf(exit_text, 32, "killed");
    } else if (WIFSIGNALED(c->s.status)) {
        snprintf(exit_text, 32, "signal %d", WTERMSIG(c->s.status));
    } else {
        snprintf(exit_text, 32, "exit %d", WEXITSTATUS(c->s.status));
    }
    while (!c->out_eof && pump(c, 0)) {
    }
    close(c->s.out);
    close(c->s.err);
}

/* ------------------------------------------------------------------------------------------
 * One case
 * ---------------------------------------------------------------------------------------- */

/* The server lines normalised (`got`) and the transcript of the JSON ones (`tr`). */
static void normalise(const client *c, const char *cwd, const char *home, buf *got, buf *tr) {
    rpc_canon canon = {0};
    buf_append(tr, c->c2s.data ? c->c2s.data : "", c->c2s.len);
    size_t off = 0;
    const buf *o = &c->s.o;
    while (off < o->len) {
        const char *nl = memchr(o->data + off, '\n', o->len - off);
        size_t n = nl ? (size_t)(nl - (o->data + off)) : o->len - off;
        char *l = xstrndup(o->data + off, n);
        cJSON *j = cJSON_Parse(l);
        /* junk and torn lines are the scenario's own faults, and so is an answer to an id the
         * client never used (appserver-answer-with-wrong-id): not for the schema check */
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
        bool stray = cJSON_IsNumber(id) && !cJSON_GetObjectItemCaseSensitive(j, "method") &&
                     (id->valuedouble < 1 || id->valuedouble > 4);
        if (cJSON_IsObject(j) && !stray) {
            buf_puts(tr, "{\"dir\":\"s2c\",\"line\":");
            jsonw_cstring(tr, l);
            buf_puts(tr, "}\n");
        }
        cJSON_Delete(j);
        char *norm = rpc_normalise(l, cwd, home, &canon);
        buf_puts(got, norm);
        buf_putc(got, '\n');
        if (!nl) buf_puts(got, "\\ No newline at end of stdout\n");
        free(norm);
        free(l);
        off += n + 1;
    }
    rpc_canon_free(&canon);
}

static void write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    fclose(f);
}

/* The first line that differs, into `log`; true when equal. */
static bool same(const char *file, const char *want, const char *got, buf *log) {
    const char *a = want ? want : "", *b = got ? got : "";
    for (int n = 1; *a || *b; n++) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la)) {
            buf_printf(log, "%s line %d differs:\n  expected: %.*s\n  got:      %.*s\n", file, n,
                       (int)la, a, (int)lb, b);
            return false;
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    return true;
}

static bool play_case(const char *name, const char *dump, buf *log) {
    char dir[PATH_MAX], path[PATH_MAX + 32], cwd[PATH_MAX], home[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", LIBRARY, name);
    snprintf(cwd, sizeof cwd, "%s/%s", g_tmp, name);
    snprintf(home, sizeof home, "%s/%s/codex-home", g_tmp, name);
    snprintf(path, sizeof path, "%s/.git", cwd);
    assert_int_equal(mkdir(cwd, 0755), 0);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(mkdir(home, 0755), 0);
    setenv("CODEX_HOME", home, 1);
    snprintf(path, sizeof path, "%s/limit", dir);
    char *limit_text = read_text(path);
    long limit = limit_text ? strtol(limit_text, NULL, 10) : 0;
    free(limit_text);

    client c;
    char exit_text[32];
    play(&c, name, cwd, limit, exit_text);
    buf got, tr;
    buf_init(&got);
    buf_init(&tr);
    normalise(&c, cwd, home, &got, &tr);
    if (limit > 0) { /* exactly `limit` lines: the rest depends on how fast we read */
        const char *p = got.data;
        for (long i = 0; p && i < limit; i++) {
            p = strchr(p, '\n');
            if (p) p++;
        }
        if (p) got.len = (size_t)(p - got.data);
    }
    buf_putc(&got, '\0');
    got.len--;
    char exit_line[40];
    snprintf(exit_line, sizeof exit_line, "%s\n", exit_text);

    /* the transcript for the schema check */
    snprintf(path, sizeof path, "%s/%s", dump, name);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/transcript.jsonl", dump, name);
    write_file(path, tr.data ? tr.data : "", tr.len);

    snprintf(path, sizeof path, "%s/expected.jsonl", dir);
    char exit_path[PATH_MAX + 32];
    snprintf(exit_path, sizeof exit_path, "%s/exit", dir);
    if (getenv("CODEX_MOCK_UPDATE_EXPECTED")) {
        mkdir(dir, 0755);
        write_file(path, got.data ? got.data : "", got.len);
        write_file(exit_path, exit_line, strlen(exit_line));
    }
    char *want = read_text(path), *want_exit = read_text(exit_path);
    bool ok = true;
    if (!want || !want_exit) {
        buf_printf(log, "%s: no case folder (%s with expected.jsonl and exit)\n", name, dir);
        ok = false;
    } else {
        ok = same(path, want, got.data, log) && ok;
        ok = same(exit_path, want_exit, exit_line, log) && ok;
    }
    free(want);
    free(want_exit);
    buf_free(&got);
    buf_free(&tr);
    buf_free(&c.c2s);
    server_free(&c.s);
    return ok;
}

/* ------------------------------------------------------------------------------------------
 * The library
 * ---------------------------------------------------------------------------------------- */

/* The built-ins whose faces include app-server, from `codex-mock list --json`. */
static cJSON *app_server_builtins(void) {
    char *cmd = xasprintf("'%s' list --json", TOOLBOX_BIN);
    FILE *p = popen(cmd, "r");
    free(cmd);
    assert_non_null(p);
    buf b;
    buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
        buf_append(&b, tmp, n);
    assert_int_equal(pclose(p), 0);
    buf_putc(&b, '\0');
    cJSON *all = cJSON_Parse(b.data);
    buf_free(&b);
    assert_true(cJSON_IsArray(all));
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, all) {
        const cJSON *faces = cJSON_GetObjectItemCaseSensitive(e, "faces");
        const cJSON *f;
        cJSON_ArrayForEach(f, faces) {
            if (cJSON_IsString(f) && !strcmp(f->valuestring, "app-server")) {
                cJSON_AddItemToArray(
                    out,
                    cJSON_CreateString(cJSON_GetObjectItemCaseSensitive(e, "name")->valuestring));
                break;
            }
        }
    }
    cJSON_Delete(all);
    return out;
}

static bool selected(const char *name) {
    const char *only = getenv("CODEX_MOCK_LIBRARY_ONLY");
    if (!only || !*only) return true;
    char *copy = xstrdup(only), *save = NULL;
    bool hit = false;
    for (char *w = strtok_r(copy, ",", &save); w && !hit; w = strtok_r(NULL, ",", &save))
        hit = *w && strstr(name, w);
    free(copy);
    return hit;
}

static bool listed(const cJSON *names, const char *name) {
    const cJSON *e;
    cJSON_ArrayForEach(e, names) {
        if (!strcmp(e->valuestring, name)) return true;
    }
    return false;
}

static void test_every_app_server_builtin(void **state) {
    (void)state;
    cJSON *names = app_server_builtins();
    assert_true(cJSON_GetArraySize(names) > 40); /* the library, not an empty list */
    char dump[PATH_MAX];
    snprintf(dump, sizeof dump, "%s/appserver-library-dump", BUILD_DIR);
    char *rm = xasprintf("rm -rf '%s' && mkdir -p '%s'", dump, dump);
    assert_int_equal(system(rm), 0);
    free(rm);
    buf log;
    buf_init(&log);
    int played = 0, failed = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, names) {
        if (!selected(e->valuestring)) continue;
        played++;
        if (!play_case(e->valuestring, dump, &log)) failed++;
    }
    /* a case folder of a scenario that is no app-server built-in is stale */
    DIR *d = opendir(LIBRARY);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, "README.md")) continue;
        if (!listed(names, de->d_name)) {
            buf_printf(&log, "%s/%s: no app-server built-in of that name\n", LIBRARY, de->d_name);
            failed++;
        }
    }
    closedir(d);
    cJSON_Delete(names);
    fprintf(stderr, "played %d built-ins through app-server, %d failed\n", played, failed);

    /* every JSON line against the real JSON Schema */
    char *check = xasprintf("python3 '%s' '%s' '%s'", SCHEMA_CHECK, SCHEMA, dump);
    int rc = system(check);
    free(check);
    if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        buf_printf(&log, "schema_check.py: some server lines do not validate (exit %d)\n",
                   WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
        failed++;
    }
    const char *shared = getenv("CODEX_MOCK_APPSERVER_DUMP");
    if (shared && *shared) {
        char *cp = xasprintf("mkdir -p '%s/e2e-library' && cp -r '%s'/. '%s/e2e-library/'", shared,
                             dump, shared);
        if (system(cp) != 0) fprintf(stderr, "could not copy the transcripts to %s\n", shared);
        free(cp);
    }
    if (failed) fail_msg("%.*s", (int)log.len, log.data);
    buf_free(&log);
}

/* The catalogue's failures (`fail: NAME`) through app-server: each one's retry notices and final
 * error carry the codexErrorInfo tests/appserver/data/fail_info.jsonl gives (`retry`: that of
 * every `willRetry: true` notice, null when there is none; `final`: that of the `willRetry:
 * false` error and of the failed turn), as the real server's to_codex_protocol_error and
 * notify_stream_error classify them (docs/app-server.md "Turns"). */
static void test_fail_catalogue_error_info(void **state) {
    (void)state;
    char *data = read_text(SOURCE_DIR "/tests/appserver/data/fail_info.jsonl");
    assert_non_null(data);
    buf log;
    buf_init(&log);
    int n = 0, failed = 0;
    for (char *save = NULL, *row = strtok_r(data, "\n", &save); row;
         row = strtok_r(NULL, "\n", &save)) {
        cJSON *want = cJSON_Parse(row);
        assert_non_null(want);
        const char *fail = cJSON_GetObjectItemCaseSensitive(want, "fail")->valuestring;
        char name[128], cwd[PATH_MAX], home[PATH_MAX + 16];
        snprintf(name, sizeof name, "fail-%s", fail);
        snprintf(cwd, sizeof cwd, "%s/%s", g_tmp, name);
        snprintf(home, sizeof home, "%s/codex-home", cwd);
        assert_int_equal(mkdir(cwd, 0755), 0);
        assert_int_equal(mkdir(home, 0755), 0);
        setenv("CODEX_HOME", home, 1);
        char *yaml = xasprintf("codex_mock: 1\nsteps:\n  - fail: %s\n", fail);
        char *scenario = e2e_write(cwd, "scenario.yaml", yaml);
        free(yaml);
        client c;
        char exit_text[32];
        play(&c, scenario, cwd, 0, exit_text);
        free(scenario);
        /* every `error` notification's codexErrorInfo, and the failed turn's */
        char *got_retry = NULL, *got_final = NULL, *got_turn = NULL;
        bool retry_mixed = false;
        buf_putc(&c.s.o, '\0');
        for (char *save2 = NULL, *l = strtok_r(c.s.o.data, "\n", &save2); l;
             l = strtok_r(NULL, "\n", &save2)) {
            cJSON *j = cJSON_Parse(l);
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "params");
            if (cJSON_IsString(m) && !strcmp(m->valuestring, "error")) {
                char *info = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(p, "error"), "codexErrorInfo"));
                if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "willRetry"))) {
                    if (got_retry && strcmp(got_retry, info)) retry_mixed = true;
                    free(got_retry);
                    got_retry = info;
                } else {
                    free(got_final);
                    got_final = info;
                }
            } else if (cJSON_IsString(m) && !strcmp(m->valuestring, "turn/completed")) {
                const cJSON *turn = cJSON_GetObjectItemCaseSensitive(p, "turn");
                free(got_turn);
                got_turn = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(turn, "error"), "codexErrorInfo"));
            }
            cJSON_Delete(j);
        }
        char *want_retry = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(want, "retry"));
        char *want_final = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(want, "final"));
        const char *gr = got_retry ? got_retry : "null";
        if (retry_mixed || strcmp(gr, want_retry) || !got_final || strcmp(got_final, want_final) ||
            !got_turn || strcmp(got_turn, want_final)) {
            buf_printf(&log,
                       "fail: %s: retry notices %s%s (want %s), final error %s, failed turn %s "
                       "(want %s)\n",
                       fail, gr, retry_mixed ? " and others" : "", want_retry,
                       got_final ? got_final : "none", got_turn ? got_turn : "none", want_final);
            failed++;
        }
        n++;
        free(want_retry);
        free(want_final);
        free(got_retry);
        free(got_final);
        free(got_turn);
        cJSON_Delete(want);
        buf_free(&c.c2s);
        server_free(&c.s);
    }
    free(data);
    fprintf(stderr, "%d catalogue failures through app-server, %d wrong\n", n, failed);
    assert_true(n >= 16);
    if (failed) fail_msg("%.*s", (int)log.len, log.data);
    buf_free(&log);
}

static int setup(void **state) {
    (void)state;
    setenv("CODEX_MOCK_SEED", "7", 1);
    setenv("CODEX_MOCK_NOW", "2026-11-21T07:38:03Z", 1);
    setenv("TZ", "UTC", 1);
    unsetenv("CODEX_MOCK_CHAOS");
    unsetenv("CODEX_MOCK_SCENARIO_PATH");
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
        cmocka_unit_test(test_every_app_server_builtin),
        cmocka_unit_test(test_fail_catalogue_error_info),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

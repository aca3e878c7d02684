/* End to end: `codex app-server` driven by scripts in tests/appserver/data/ (one JSON object a
 * line), each a client's conversation with the built binary:
 *   {"server": {"scenario": FILE, "speed": N, "rules": FILE, "config": TEXT}}  start a server
 *       (FILEs in tests/appserver/scenarios, which is CODEX_MOCK_SCENARIO_PATH with rules;
 *       speed scaled as e2e_speed says; TEXT written to CODEX_HOME/config.toml first); a
 *       running one is ended first (stdin closed, exit 0)
 *   {"exec": [ARGS], "capture": [NAME, PREFIX, END]}  run `codex ARGS` (stdin closed) and
 *       capture from its stdout
 *   {"send": REQUEST}  write it ({{NAME}} replaced by a captured value)
 *   "answer": LINE  the exact line the request gets
 *   "reply_has": [TEXT], "reply_lacks": [TEXT], "reply_order": [TEXT]  the line answering the
 *       request's id contains each (in this order), contains none
 *   "capture": [NAME, PREFIX, END]  NAME = what follows PREFIX in stdout up to END (default:
 *       36 characters, an id), once PREFIX arrived
 *   "wait": TEXT  wait until stdout holds it
 *   "order": [TEXT]  stdout holds them in this order
 *   "count": [TEXT, N]  stdout holds TEXT exactly N times
 * Scripts: steer.jsonl (turn/steer: the error texts, the answer, the steered userMessage item
 * between the turn's steps), thread_list.jsonl (thread/list from the rollout files of an
 * earlier process and of `codex exec`: default sources, sourceKinds, paging with cursors, an
 * invalid cursor, searchTerm, sortDirection), rules.jsonl (CODEX_MOCK_RULES per turn/start: by
 * the input text, a sequence per thread, no rule matching) and mcp_startup.jsonl (the MCP
 * servers of config.toml starting on a thread's first turn only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "as_client.h"
#include "buf.h"
#include "e2e.h"

#include <cJSON.h>

#define AS_DATA SOURCE_DIR "/tests/appserver/data"
#define AS_SCENARIOS SOURCE_DIR "/tests/appserver/scenarios"

static char *g_tmp;

/* CODEX_BIN app-server in g_tmp on `scenario` at `speed` (scaled as e2e_speed says). */
static void start_paced(server *s, const char *scenario, double speed_x, const char *rules) {
    char speed[64];
    e2e_speed(speed, speed_x);
    char *scen = xasprintf("CODEX_MOCK_SCENARIO=%s", scenario);
    char *rules_var = rules ? xasprintf("CODEX_MOCK_RULES=%s", rules) : NULL;
    char *argv[] = {CODEX_BIN, "app-server", NULL};
    char *env[] = {speed,     "CODEX_MOCK_SEED=7",
                   scen,      rules_var ? "CODEX_MOCK_SCENARIO_PATH=" AS_SCENARIOS : NULL,
                   rules_var, NULL};
    server_spawn(s, g_tmp, argv, env);
    free(scen), free(rules_var);
}

typedef struct {
    char *name[8], *value[8];
    size_t n;
} vars;

static void set_var(vars *v, const char *name, const char *value, size_t len) {
    assert_true(v->n < 8);
    v->name[v->n] = strdup(name);
    v->value[v->n] = strndup(value, len);
    v->n++;
}

static void free_vars(vars *v) {
    for (size_t i = 0; i < v->n; i++)
        free(v->name[i]), free(v->value[i]);
}

/* `text` with each {{NAME}} replaced (heap). */
static char *subst(const char *text, const vars *v) {
    buf b;
    buf_init(&b);
    for (const char *p = text; *p;) {
        bool done = false;
        for (size_t i = 0; i < v->n && !done; i++) {
            size_t n = strlen(v->name[i]);
            if (p[0] == '{' && p[1] == '{' && !strncmp(p + 2, v->name[i], n) &&
                !strncmp(p + 2 + n, "}}", 2)) {
                buf_puts(&b, v->value[i]);
                p += n + 4;
                done = true;
            }
        }
        if (!done) buf_putc(&b, *p++);
    }
    buf_putc(&b, '\0');
    return buf_detach(&b);
}

/* NAME from [NAME, PREFIX, END?] in `text`; false when PREFIX is not there. */
static bool capture(const cJSON *spec, const char *text, vars *v) {
    const char *name = cJSON_GetArrayItem(spec, 0)->valuestring;
    const cJSON *end = cJSON_GetArrayItem(spec, 2);
    char *head = subst(cJSON_GetArrayItem(spec, 1)->valuestring, v);
    const char *p = text ? strstr(text, head) : NULL;
    if (p) {
        p += strlen(head);
        size_t len = cJSON_IsString(end) ? strcspn(p, end->valuestring) : 36;
        set_var(v, name, p, len);
    }
    free(head);
    return p != NULL;
}

static void wait_for(server *s, const char *needle) {
    if (!server_wait_out(s, needle, 10000))
        fail_msg("never came: %s\nstdout:\n%s", needle, s->o.data ? s->o.data : "");
}

/* The line answering request `id` (heap), waiting for it. */
static char *reply_line(server *s, int id) {
    char ok[64], bad[64];
    snprintf(ok, sizeof ok, "{\"id\":%d,", id);
    snprintf(bad, sizeof bad, ",\"id\":%d}\n", id);
    double end = now_ms() + proc_ms(10000);
    for (;;) {
        const char *data = s->o.data ? s->o.data : "";
        for (const char *l = data; *l;) {
            const char *nl = strchr(l, '\n');
            if (!nl) break;
            size_t len = (size_t)(nl - l + 1);
            if (!strncmp(l, ok, strlen(ok)) ||
                (len >= strlen(bad) && !strncmp(nl + 1 - strlen(bad), bad, strlen(bad))))
                return strndup(l, len - 1);
            l = nl + 1;
        }
        if (now_ms() > end) fail_msg("no answer to request %d\nstdout:\n%s", id, data);
        server_pump(s, true, 20);
    }
}

/* Each text of `arr` in `hay`, in order (ordered) or anywhere; or none of them (absent). */
static int check_texts(const cJSON *arr, const char *hay, const vars *v, bool ordered,
                       bool absent) {
    int n = 0;
    const char *at = hay;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        char *want = subst(it->valuestring, v);
        const char *p = strstr(ordered ? at : hay, want);
        if (absent && p) fail_msg("unexpected: %s\nin: %s", want, hay);
        if (!absent && !p)
            fail_msg("missing%s: %s\nin: %s", ordered ? " (in order)" : "", want, hay);
        if (p && ordered) at = p + strlen(want);
        free(want);
        n++;
    }
    return n;
}

static void run_exec(const cJSON *args, const cJSON *cap, vars *v) {
    int po[2];
    assert_int_equal(pipe(po), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(po[1], 1);
        dup2(devnull, 2);
        if (chdir(g_tmp) != 0) _exit(126);
        setenv("CODEX_MOCK_SPEED", "0", 1);
        char *argv[16] = {CODEX_BIN};
        int n = 1;
        const cJSON *a;
        cJSON_ArrayForEach(a, args) {
            if (n < 15) argv[n++] = a->valuestring;
        }
        argv[n] = NULL;
        execv(CODEX_BIN, argv);
        _exit(127);
    }
    close(po[1]);
    buf out;
    buf_init(&out);
    char tmp[4096];
    ssize_t r;
    while ((r = read(po[0], tmp, sizeof tmp)) > 0)
        buf_append(&out, tmp, (size_t)r);
    close(po[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    buf_putc(&out, '\0');
    if (cap && !capture(cap, out.data, v)) fail_msg("exec printed no %s:\n%s", "capture", out.data);
    buf_free(&out);
}

/* With CODEX_MOCK_APPSERVER_DUMP=DIR, what both sides wrote goes to
 * DIR/script-<name>/proc<k>/transcript.jsonl (the corpus format, for schema_test.sh): the
 * client's lines, then the server's. */
static void dump(const char *name, int k, const buf *sent, const buf *got) {
    const char *d = getenv("CODEX_MOCK_APPSERVER_DUMP");
    if (!d || !*d) return;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/script-%s/proc%d", d, name, k);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/transcript.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    const buf *sides[] = {sent, got};
    for (int i = 0; i < 2; i++) {
        const char *p = sides[i]->data ? sides[i]->data : "";
        for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "t_ms", 0);
            cJSON_AddStringToObject(o, "dir", i ? "s2c" : "c2s");
            char *line = strndup(p, (size_t)(nl - p));
            cJSON_AddStringToObject(o, "line", line);
            free(line);
            char *text = cJSON_PrintUnformatted(o);
            fprintf(f, "%s\n", text);
            free(text);
            cJSON_Delete(o);
        }
    }
    fclose(f);
}

static void end_server(server *s, const char *name, int k, buf *sent) {
    server_end(s);
    assert_true(WIFEXITED(s->status));
    assert_int_equal(WEXITSTATUS(s->status), 0);
    dump(name, k, sent, &s->o);
    buf_reset(sent);
    server_free(s);
}

/* Plays tests/appserver/data/<name>; returns how many expectations it checked. */
static int play(const char *name) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", AS_DATA, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    /* a CODEX_HOME of its own: one script's rollouts are not another's threads */
    char home[PATH_MAX];
    snprintf(home, sizeof home, "%s/home-%s", g_tmp, name);
    assert_int_equal(mkdir(home, 0755), 0);
    setenv("CODEX_HOME", home, 1);
    server s;
    bool running = false;
    int procs = 0;
    buf sent; /* the client's lines to this process */
    buf_init(&sent);
    vars v = {0};
    char *line = NULL;
    size_t cap = 0;
    int checked = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        if (!j) fail_msg("%s: not JSON: %s", name, line);
        const cJSON *srv = cJSON_GetObjectItemCaseSensitive(j, "server");
        const cJSON *exec = cJSON_GetObjectItemCaseSensitive(j, "exec");
        const cJSON *send = cJSON_GetObjectItemCaseSensitive(j, "send");
        const cJSON *answer = cJSON_GetObjectItemCaseSensitive(j, "answer");
        const cJSON *has = cJSON_GetObjectItemCaseSensitive(j, "reply_has");
        const cJSON *lacks = cJSON_GetObjectItemCaseSensitive(j, "reply_lacks");
        const cJSON *order_in = cJSON_GetObjectItemCaseSensitive(j, "reply_order");
        const cJSON *cap_spec = cJSON_GetObjectItemCaseSensitive(j, "capture");
        const cJSON *wait = cJSON_GetObjectItemCaseSensitive(j, "wait");
        const cJSON *order = cJSON_GetObjectItemCaseSensitive(j, "order");
        if (srv) {
            if (running) end_server(&s, name, procs, &sent);
            procs++;
            char sc[PATH_MAX];
            snprintf(sc, sizeof sc, "%s/%s", AS_SCENARIOS,
                     cJSON_GetObjectItemCaseSensitive(srv, "scenario")->valuestring);
            const cJSON *sp = cJSON_GetObjectItemCaseSensitive(srv, "speed");
            const cJSON *ru = cJSON_GetObjectItemCaseSensitive(srv, "rules");
            char rules[PATH_MAX];
            if (cJSON_IsString(ru))
                snprintf(rules, sizeof rules, "%s/%s", AS_SCENARIOS, ru->valuestring);
            const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(srv, "config");
            if (cJSON_IsString(cfg)) {
                char cp[PATH_MAX + 16];
                snprintf(cp, sizeof cp, "%s/config.toml", home);
                FILE *c = fopen(cp, "w");
                assert_non_null(c);
                fputs(cfg->valuestring, c);
                fclose(c);
            }
            start_paced(&s, sc, cJSON_IsNumber(sp) ? sp->valuedouble : 0.0,
                        cJSON_IsString(ru) ? rules : NULL);
            running = true;
        }
        if (exec) {
            run_exec(exec, cap_spec, &v);
            cap_spec = NULL;
        }
        if (send) {
            assert_true(running);
            char *raw = cJSON_PrintUnformatted(send);
            char *req = subst(raw, &v);
            buf b;
            buf_init(&b);
            buf_printf(&b, "%s\n", req);
            assert_true(server_write(&s, b.data, b.len, true, 5000));
            buf_append(&sent, b.data, b.len);
            buf_free(&b);
            free(req);
            free(raw);
            int id = cJSON_GetObjectItemCaseSensitive(send, "id")->valueint;
            if (answer || has || lacks || order_in) {
                char *got = reply_line(&s, id);
                if (cJSON_IsString(answer)) {
                    char *want = subst(answer->valuestring, &v);
                    if (strcmp(got, want))
                        fail_msg("request %d\nwant: %s\ngot:  %s", id, want, got);
                    free(want);
                    checked++;
                }
                if (has) checked += check_texts(has, got, &v, false, false);
                if (order_in) checked += check_texts(order_in, got, &v, true, false);
                if (lacks) checked += check_texts(lacks, got, &v, false, true);
                free(got);
            }
        }
        if (cap_spec) {
            char *head = subst(cJSON_GetArrayItem(cap_spec, 1)->valuestring, &v);
            wait_for(&s, head);
            free(head);
            assert_true(capture(cap_spec, s.o.data, &v));
        }
        if (cJSON_IsString(wait)) {
            char *w = subst(wait->valuestring, &v);
            wait_for(&s, w);
            free(w);
        }
        if (order) checked += check_texts(order, s.o.data, &v, true, false);
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(j, "count");
        if (cJSON_IsArray(count)) {
            char *want = subst(cJSON_GetArrayItem(count, 0)->valuestring, &v);
            int n = 0;
            for (const char *p = s.o.data; p && (p = strstr(p, want)); p += strlen(want))
                n++;
            if (n != cJSON_GetArrayItem(count, 1)->valueint)
                fail_msg("%d times, expected %d: %s", n, cJSON_GetArrayItem(count, 1)->valueint,
                         want);
            free(want);
            checked++;
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    if (running) end_server(&s, name, procs, &sent);
    buf_free(&sent);
    free_vars(&v);
    return checked;
}

static void test_steer(void **state) {
    (void)state;
    assert_true(play("steer.jsonl") >= 15);
}

static void test_rules(void **state) {
    (void)state;
    assert_true(play("rules.jsonl") >= 8);
}

static void test_mcp_startup(void **state) {
    (void)state;
    assert_true(play("mcp_startup.jsonl") >= 6);
}

static void test_thread_list(void **state) {
    (void)state;
    assert_true(play("thread_list.jsonl") >= 20);
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
        cmocka_unit_test(test_steer), cmocka_unit_test(test_thread_list),
        cmocka_unit_test(test_rules), cmocka_unit_test(test_mcp_startup)};
    return cmocka_run_group_tests(tests, setup, teardown);
}

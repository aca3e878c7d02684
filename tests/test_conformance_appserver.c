/* Conformance of `codex app-server`: every session of tests/corpus/app-server-0.171.0 (each
 * process of a multi-process one, in order, sharing CODEX_HOME and the work dir) is replayed
 * against a server binary with tests/support/rpc_session.h — the recorded client lines sent as
 * the recorded server lines that preceded them arrive, ids mapped, signals and the stdin close
 * where the recorder did them — and compared (tests/support/rpc_compare.h): every server line
 * byte for byte after normalisation, stderr, the exit (code or signal), and every line within
 * max(25 ms, 10 %) of its recorded offset from its cause (times CODEX_MOCK_TEST_TIME_SCALE). A
 * session whose only miss is timing is replayed once more (loaded machines).
 *
 * Each process runs as the corpus README says: argv `codex app-server`, cwd {{RUN}}/work (a
 * `git init`ed folder), env PATH, HOME, USER, LANG, TERM, CODEX_HOME={{RUN}}/codex_home (with
 * the recording's config.toml), CODEX_API_KEY — nothing else from the test's environment but
 * sanitizer options. {{RUN}} is a scratch folder (under CODEX_MOCK_TEST_TMP, else the build
 * tree: the real binary warns about /tmp), {{HOME}} its `home` (CODEX_MOCK_APPSERVER_HOME
 * overrides).
 *
 * The server is the built `codex` unless CODEX_MOCK_APPSERVER_BIN names another: the fake plays
 * tests/appserver/scenarios/<session>[.procN].yaml when there is one (CODEX_MOCK_SCENARIO), its
 * default scenario otherwise; <session>.rules.yaml beside it, when there is one, is
 * CODEX_MOCK_RULES (with that folder as CODEX_MOCK_SCENARIO_PATH) and picks each turn's
 * scenario. With CODEX_MOCK_APPSERVER_MODEL_SERVER=…/fake_responses_server.py each process
 * gets that fake model server with the recording's server_script.json, and
 * echo_mcp_server.py beside it is copied to {{RUN}} — that is how the real binary is checked
 * (tests/appserver/real_test.sh). CODEX_MOCK_APPSERVER_TIMING=report prints timing misses
 * without failing (the real binary's start-up alone varies 130–270 ms).
 *
 * CODEX_MOCK_APPSERVER_CONVERT=PATH-TO-codex-mock (the ctest entry test_conformance_appserver_
 * converted) plays, instead of the hand-written scenarios, what `codex-mock convert` makes of
 * each recording (written to {{RUN}}/converted/, with the rules file convert writes for a
 * session of several threads, that folder as CODEX_MOCK_SCENARIO_PATH): the converter's check
 * (docs/convert.md#app-server). Sessions it cannot carry yet are in CONVERT_GAPS.
 *
 * CODEX_MOCK_APPSERVER_ONLY=NAME,NAME runs the sessions named (substrings); the default is all.
 * CODEX_MOCK_APPSERVER_DUMP=DIR writes what both sides sent to DIR/<session>[/procN]/
 * transcript.jsonl (the corpus format) for tests/appserver/schema_check.py.
 *
 * Sessions the fake cannot replay yet are in KNOWN_GAPS with the reason (only for the built
 * `codex`): they run and their differences are printed, but do not fail the suite; one that
 * passes fails it ("remove it from KNOWN_GAPS"), so the list can only shrink.
 * CODEX_MOCK_CONFORMANCE_STRICT=1 treats them as ordinary cases. The last test proves that the
 * comparison fails on one changed byte, a swapped id or a late line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"
#include "corpus.h"
#include "proc.h"
#include "rpc_compare.h"
#include "rpc_session.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CODEX_BIN
#error "CODEX_BIN must be defined by the build"
#endif
#ifndef APPSERVER_CORPUS
#error "APPSERVER_CORPUS must be defined by the build"
#endif

typedef struct {
    const char *session;
    const char *reason;
    bool timing_luck; /* bytes identical; the timing passes or not by the real binary's jitter */
} known_gap;

/* What the fake cannot do yet, and why (each one still runs; see the header); ends with
 * {NULL}. Empty now: every session of the corpus replays. */
static const known_gap KNOWN_GAPS[] = {
    {NULL, NULL, false},
};

/* What `convert` cannot carry yet (CODEX_MOCK_APPSERVER_CONVERT), and why; ends with {NULL}. */
static const known_gap CONVERT_GAPS[] = {
    {NULL, NULL, false},
};

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static const char *server_bin(void) {
    return env_or("CODEX_MOCK_APPSERVER_BIN", CODEX_BIN);
}

static bool testing_the_fake(void) {
    return !strcmp(server_bin(), CODEX_BIN);
}

static const char *converter(void) {
    const char *c = getenv("CODEX_MOCK_APPSERVER_CONVERT");
    return c && *c ? c : NULL;
}

static const known_gap *gap_of(const char *session) {
    const char *strict = getenv("CODEX_MOCK_CONFORMANCE_STRICT");
    if ((strict && *strict && strcmp(strict, "0")) || !testing_the_fake()) return NULL;
    const known_gap *gaps = converter() ? CONVERT_GAPS : KNOWN_GAPS;
    for (size_t i = 0; gaps[i].session; i++)
        if (!strcmp(gaps[i].session, session)) return &gaps[i];
    return NULL;
}

/* ---------------------------------------------------------------- scratch folders */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void rmtree(const char *dir) {
    if (dir && *dir) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdirs(const char *dir) {
    char *p = xstrdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    mkdir(p, 0755);
    free(p);
}

typedef struct {
    char base[PATH_MAX]; /* {{RUN}} */
    char home[PATH_MAX + 8];
    char work[PATH_MAX + 8];
    char codex_home[PATH_MAX + 16];
} scratch;

static bool scratch_make(scratch *s) {
    memset(s, 0, sizeof *s);
    const char *tmp = env_or("CODEX_MOCK_TEST_TMP", APPSERVER_SCRATCH);
    mkdirs(tmp);
    char templ[PATH_MAX];
    snprintf(templ, sizeof templ, "%s/as-XXXXXX", tmp);
    if (!mkdtemp(templ) || !realpath(templ, s->base)) return false;
    snprintf(s->home, sizeof s->home, "%s/home", s->base);
    snprintf(s->work, sizeof s->work, "%s/work", s->base);
    snprintf(s->codex_home, sizeof s->codex_home, "%s/codex_home", s->base);
    mkdir(s->home, 0755);
    mkdir(s->work, 0755);
    mkdir(s->codex_home, 0755);
    const char *home = getenv("CODEX_MOCK_APPSERVER_HOME");
    if (home && *home) snprintf(s->home, sizeof s->home, "%s", home);
    return true;
}

static void git(const scratch *s, const char *const *args) {
    const char *argv[12] = {"/usr/bin/git", "-c", "user.name=corpus", "-c",
                            "user.email=corpus@example.invalid"};
    size_t n = 5;
    for (size_t i = 0; args[i] && n < 11; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    proc_spec spec = {.argv = argv, .cwd = s->work, .timeout_ms = 10000};
    proc_result res;
    if (access(argv[0], X_OK) == 0 && proc_run(&spec, &res) == 0) proc_result_free(&res);
}

/* The work dir as the recorder set it up: a fresh git repository on branch main with one
 * commit holding scenario.json's setup.files (none: an empty commit). */
static void setup_work(const char *session_dir, const scratch *s) {
    char *p = xasprintf("%s/scenario.json", session_dir);
    char *data = read_file(p, NULL);
    free(p);
    cJSON *j = data ? cJSON_Parse(data) : NULL;
    free(data);
    const cJSON *files =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "setup"), "files");
    git(s, (const char *const[]){"init", "-q", "-b", "main", NULL});
    const cJSON *f;
    bool any = false;
    cJSON_ArrayForEach(f, files) {
        if (!cJSON_IsString(f)) continue;
        char *path = xasprintf("%s/%s", s->work, f->string);
        FILE *out = fopen(path, "wb");
        if (out) {
            fputs(f->valuestring, out);
            fclose(out);
            any = true;
        }
        free(path);
    }
    cJSON_Delete(j);
    if (any) git(s, (const char *const[]){"add", "-A", NULL});
    /* always a commit: threads read back later carry gitInfo {sha, branch "main"} */
    git(s, (const char *const[]){"commit", "-q", "--allow-empty", "-m", "setup", NULL});
}

static char *placeholders(const char *text, const scratch *s, const char *base_url) {
    char *a = replace_all(text, "{{RUN}}", s->base);
    char *b = replace_all(a, "{{HOME}}", s->home);
    char *c = replace_all(b, "{{BASE_URL}}", base_url);
    free(a), free(b);
    return c;
}

/* Copies `from` (a text file) to `to` with the placeholders replaced; false when missing. */
static bool copy_subst(const char *from, const char *to, const scratch *s, const char *base_url) {
    char *data = read_file(from, NULL);
    if (!data) return false;
    char *out = placeholders(data, s, base_url);
    FILE *f = fopen(to, "wb");
    if (f) {
        fputs(out, f);
        fclose(f);
    }
    free(out);
    free(data);
    return f != NULL;
}

/* ---------------------------------------------------------------- the fake model server */

typedef struct {
    pid_t pid;
    char url[64];
} model_server;

/* Starts fake_responses_server.py on the process's server_script.json when asked to (real
 * binary); url is then its base, else a port nothing listens on. */
static bool model_start(const char *proc_dir, const scratch *s, int k, model_server *m, buf *log) {
    memset(m, 0, sizeof *m);
    snprintf(m->url, sizeof m->url, "http://127.0.0.1:9");
    const char *py = getenv("CODEX_MOCK_APPSERVER_MODEL_SERVER");
    if (!py || !*py) return true;
    char script[PATH_MAX * 3], copy[PATH_MAX * 3], port[PATH_MAX * 3], logf[PATH_MAX * 3];
    snprintf(script, sizeof script, "%s/server_script.json", proc_dir);
    snprintf(copy, sizeof copy, "%s/server_script-%d.json", s->base, k);
    snprintf(port, sizeof port, "%s/port-%d", s->base, k);
    snprintf(logf, sizeof logf, "%s/requests-%d.jsonl", s->base, k);
    if (!copy_subst(script, copy, s, "{{BASE_URL}}")) {
        buf_printf(log, "  no %s\n", script);
        return false;
    }
    m->pid = fork();
    if (m->pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0), dup2(devnull, 1);
        execlp("python3", "python3", py, "--script", copy, "--port-file", port, "--log", logf,
               "--max-seconds", "120", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        char *p = read_file(port, NULL);
        if (p && atoi(p) > 0) {
            snprintf(m->url, sizeof m->url, "http://127.0.0.1:%d", atoi(p));
            free(p);
            return true;
        }
        free(p);
        usleep(10000);
    }
    buf_printf(log, "  the fake model server did not start (%s)\n", py);
    return false;
}

static void model_stop(model_server *m) {
    if (m->pid <= 0) return;
    kill(m->pid, SIGTERM);
    waitpid(m->pid, NULL, 0);
    m->pid = 0;
}

/* ---------------------------------------------------------------- one process */

typedef struct {
    bool output_ok; /* lines, stderr, exit */
    bool timing_ok;
} outcome;

static char **build_env(const char *proc_dir, const scratch *s, const char *scenario,
                        const char *rules, const char *scenario_path) {
    char path[PATH_MAX * 3];
    snprintf(path, sizeof path, "%s/argv.json", proc_dir);
    char *data = read_file(path, NULL);
    cJSON *j = data ? cJSON_Parse(data) : NULL;
    free(data);
    size_t n = 0;
    char **env = xcalloc(32, sizeof *env);
    env[n++] = xasprintf("PATH=%s", env_or("PATH", "/usr/bin:/bin"));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "env")) {
        if (!cJSON_IsString(e) || n >= 24) continue;
        char *v = placeholders(e->valuestring, s, "");
        env[n++] = xasprintf("%s=%s", e->string, v);
        free(v);
    }
    cJSON_Delete(j);
    static const char *const keep[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                                       "LD_LIBRARY_PATH", NULL};
    for (size_t i = 0; keep[i]; i++)
        if (getenv(keep[i])) env[n++] = xasprintf("%s=%s", keep[i], getenv(keep[i]));
    if (scenario) env[n++] = xasprintf("CODEX_MOCK_SCENARIO=%s", scenario);
    if (rules) {
        env[n++] = xasprintf("CODEX_MOCK_RULES=%s", rules);
        env[n++] = xasprintf("CODEX_MOCK_SCENARIO_PATH=%s", scenario_path);
    }
    env[n] = NULL;
    return env;
}

static void free_env(char **env) {
    for (size_t i = 0; env[i]; i++)
        free(env[i]);
    free(env);
}

/* `codex-mock convert` of the session into {{RUN}}/converted/<session>.yaml (.procN.yaml for
 * several processes); false (with the converter's stderr in *log) when it fails. */
static bool convert_session(const char *src, const char *session, const scratch *s, buf *log) {
    char *dir = xasprintf("%s/converted", s->base);
    mkdir(dir, 0755);
    char *out = xasprintf("%s/%s.yaml", dir, session);
    const char *argv[] = {converter(), "convert", src, "-o", out, NULL};
    proc_spec spec = {.argv = argv, .timeout_ms = 20000};
    proc_result res;
    bool ok = proc_run(&spec, &res) == 0;
    if (ok) {
        ok = res.exited && res.exit_code == 0;
        if (!ok || getenv("CODEX_MOCK_APPSERVER_VERBOSE"))
            buf_printf(log, "  convert %s: exit %d\n%s", session, res.exit_code,
                       res.err ? res.err : "");
        proc_result_free(&res);
    }
    free(out), free(dir);
    return ok;
}

/* The scenario the fake plays for this process, or NULL (heap). */
static char *scenario_for(const char *session, int k, const scratch *s) {
    if (!testing_the_fake()) return NULL;
    if (converter()) {
        char *p = xasprintf("%s/converted/%s.proc%d.yaml", s->base, session, k);
        if (access(p, R_OK) == 0) return p;
        free(p);
        return xasprintf("%s/converted/%s.yaml", s->base, session);
    }
    char *p = xasprintf("%s/tests/appserver/scenarios/%s.proc%d.yaml", SOURCE_DIR, session, k);
    if (access(p, R_OK) == 0) return p;
    free(p);
    p = xasprintf("%s/tests/appserver/scenarios/%s.yaml", SOURCE_DIR, session);
    if (access(p, R_OK) == 0) return p;
    free(p);
    return NULL;
}

/* The rules file that picks each turn's scenario for this session, or NULL (heap). */
static char *rules_for(const char *session, int k, bool single, const scratch *s) {
    if (!testing_the_fake()) return NULL;
    if (converter()) {
        char *p = single ? xasprintf("%s/converted/%s.rules.yaml", s->base, session)
                         : xasprintf("%s/converted/%s.proc%d.rules.yaml", s->base, session, k);
        if (access(p, R_OK) == 0) return p;
        free(p);
        return NULL;
    }
    char *p = xasprintf("%s/tests/appserver/scenarios/%s.rules.yaml", SOURCE_DIR, session);
    if (access(p, R_OK) == 0) return p;
    free(p);
    return NULL;
}

static FILE *open_dump(const char *session, const char *proc) {
    const char *d = getenv("CODEX_MOCK_APPSERVER_DUMP");
    if (!d || !*d) return NULL;
    char *dir = xasprintf("%s/%s%s%s", d, session, *proc ? "/" : "", proc);
    mkdirs(dir);
    char *p = xasprintf("%s/transcript.jsonl", dir);
    FILE *f = fopen(p, "w");
    free(p), free(dir);
    return f;
}

static void run_process(const char *session, const char *proc_dir, const char *proc, int k,
                        const scratch *s, rpc_idmap *ids, rpc_canon *rec, rpc_canon *ours,
                        outcome *o, buf *log) {
    memset(o, 0, sizeof *o);
    rpc_script script;
    buf err;
    buf_init(&err);
    if (rpc_script_load(proc_dir, &script, &err) != 0) {
        buf_printf(log, "  cannot load %s: %s\n", proc_dir, err.data ? err.data : "");
        buf_free(&err);
        rpc_script_free(&script);
        return;
    }
    model_server m;
    if (!model_start(proc_dir, s, k, &m, log)) {
        rpc_script_free(&script);
        buf_free(&err);
        return;
    }
    char cfg[PATH_MAX * 3], dst[PATH_MAX * 3];
    snprintf(cfg, sizeof cfg, "%s/config.toml", proc_dir);
    snprintf(dst, sizeof dst, "%s/config.toml", s->codex_home);
    copy_subst(cfg, dst, s, m.url);
    const char *py = getenv("CODEX_MOCK_APPSERVER_MODEL_SERVER");
    if (py && *py) { /* the MCP server some sessions configure, beside the model server */
        char *dir = xstrdup(py), *slash = strrchr(dir, '/');
        if (slash) *slash = '\0';
        char *from = xasprintf("%s/echo_mcp_server.py", slash ? dir : ".");
        char *to = xasprintf("%s/echo_mcp_server.py", s->base);
        copy_subst(from, to, s, m.url);
        free(from), free(to), free(dir);
    }
    char *scenario = scenario_for(session, k, s);
    char *rules = rules_for(session, k, !*proc, s);
    char *spath = converter() ? xasprintf("%s/converted", s->base)
                              : xasprintf("%s/tests/appserver/scenarios", SOURCE_DIR);
    char **env = build_env(proc_dir, s, scenario, rules, spath);
    free(spath);
    const char *argv[] = {server_bin(), "app-server", NULL};
    FILE *dump = open_dump(session, proc);
    rpc_spec spec = {.argv = argv,
                     .env = (const char *const *)env,
                     .cwd = s->work,
                     .run_dir = s->base,
                     .home_dir = s->home,
                     .dump = dump};
    rpc_result r;
    if (rpc_session_run(&spec, &script, ids, &r, &err) != 0) {
        buf_printf(log, "  cannot run %s: %s\n", server_bin(), err.data ? err.data : "");
    } else {
        bool a = rpc_compare_lines(&script, &r, s->base, s->home, rec, ours, log);
        bool b = rpc_compare_stderr(&script, &r, s->base, s->home, log);
        bool c = rpc_compare_exit(&script, &r, log);
        o->output_ok = a && b && c;
        o->timing_ok = rpc_compare_timing(&script, &r, proc_time_scale(), log);
        if (r.notes.len) buf_puts(log, r.notes.data);
        rpc_result_free(&r);
    }
    if (dump) fclose(dump);
    model_stop(&m);
    free_env(env);
    free(scenario);
    free(rules);
    rpc_script_free(&script);
    buf_free(&err);
}

/* Replays every process of one session; true when all match. The report goes to *log. */
static bool replay_session(const char *session, buf *log, bool *timing_only) {
    char src[PATH_MAX * 2], probe[PATH_MAX * 2 + 32];
    snprintf(src, sizeof src, "%s/%s", APPSERVER_CORPUS, session);
    snprintf(probe, sizeof probe, "%s/transcript.jsonl", src);
    bool single = access(probe, F_OK) == 0;
    int n_procs = 1;
    while (!single) {
        snprintf(probe, sizeof probe, "%s/proc%d/transcript.jsonl", src, n_procs + 1);
        if (access(probe, F_OK) != 0) break;
        n_procs++;
    }
    scratch s;
    if (!scratch_make(&s)) {
        buf_printf(log, "%s: cannot make a scratch folder\n", session);
        return false;
    }
    setup_work(src, &s);
    if (converter() && testing_the_fake() && !convert_session(src, session, &s, log)) {
        rmtree(s.base);
        *timing_only = false;
        return false;
    }
    rpc_idmap ids = {0};
    rpc_canon rec = {0}, ours = {0};
    bool output_ok = true, timing_ok = true;
    for (int k = 1; k <= n_procs; k++) {
        char proc[16] = "", dir[PATH_MAX * 2 + 32];
        if (!single) snprintf(proc, sizeof proc, "proc%d", k);
        snprintf(dir, sizeof dir, "%s%s%s", src, single ? "" : "/", proc);
        buf_printf(log, "  %s%s:\n", session, single ? "" : proc);
        outcome o;
        run_process(session, dir, proc, k, &s, &ids, &rec, &ours, &o, log);
        output_ok = output_ok && o.output_ok;
        timing_ok = timing_ok && o.timing_ok;
    }
    rpc_idmap_free(&ids);
    rpc_canon_free(&rec);
    rpc_canon_free(&ours);
    if (getenv("CODEX_MOCK_KEEP_SCRATCH"))
        buf_printf(log, "  (scratch kept: %s)\n", s.base);
    else
        rmtree(s.base);
    *timing_only = output_ok && !timing_ok;
    if (*timing_only && !strcmp(env_or("CODEX_MOCK_APPSERVER_TIMING", ""), "report")) {
        buf_printf(log, "  (timing misses reported, not counted: CODEX_MOCK_APPSERVER_TIMING)\n");
        return true;
    }
    return output_ok && timing_ok;
}

static void test_session(void **state) {
    const char *session = *state;
    buf log;
    buf_init(&log);
    bool timing_only = false;
    bool ok = replay_session(session, &log, &timing_only);
    if (!ok && timing_only) { /* a loaded machine: once more */
        buf_printf(&log, "  (timing missed: replaying once more)\n");
        buf again;
        buf_init(&again);
        ok = replay_session(session, &again, &timing_only);
        buf_puts(&log, again.data ? again.data : "");
        buf_free(&again);
    }
    const known_gap *gap = gap_of(session);
    if (ok && !gap) {
        print_message("[appserver] %-42s identical%s\n", session,
                      strstr(log.data ? log.data : "", "timing misses reported")
                          ? " (timing misses reported)"
                          : "");
        if (getenv("CODEX_MOCK_APPSERVER_VERBOSE")) printf("%s", log.data ? log.data : "");
        fflush(stdout);
    } else if (!ok && gap) {
        /* cmocka's print_message cuts long texts */
        printf("[appserver] %-42s KNOWN GAP: %s\n%s", session, gap->reason,
               getenv("CODEX_MOCK_APPSERVER_VERBOSE") && log.data ? log.data : "");
        fflush(stdout);
    } else if (ok && gap && gap->timing_luck) {
        print_message("[appserver] %-42s identical this time (a known timing gap)\n", session);
    } else if (ok && gap) {
        buf_free(&log);
        fail_msg("%s now replays identically: remove it from KNOWN_GAPS in "
                 "tests/test_conformance_appserver.c",
                 session);
    } else {
        fprintf(stderr, "%s", log.data ? log.data : "");
        buf_free(&log);
        fail_msg("%s: the replay differs from the recording", session);
    }
    buf_free(&log);
}

/* ---------------------------------------------------------------- the comparison is not blind */

/* A result that is the recording itself: every line as recorded, at its recorded time. */
static void result_from_script(const rpc_script *s, rpc_result *r) {
    memset(r, 0, sizeof *r);
    buf_init(&r->notes);
    r->done_ms = xcalloc(s->n, sizeof *r->done_ms);
    r->out = xcalloc(s->n_s2c, sizeof *r->out);
    for (size_t i = 0; i < s->n; i++) {
        r->done_ms[i] = s->e[i].kind == RPC_S2C ? -1 : s->e[i].t_ms;
        if (s->e[i].kind != RPC_S2C) continue;
        r->out[r->n_out].ms = s->e[i].t_ms;
        r->out[r->n_out].text = xstrdup(s->e[i].text);
        r->out[r->n_out].len = strlen(s->e[i].text);
        r->n_out++;
    }
    r->err = xcalloc(s->n_err + 1, sizeof *r->err);
    for (size_t i = 0; i < s->n_err; i++)
        r->err[i].text = xstrdup(s->err_lines[i]);
    r->n_err = s->n_err;
    r->exited = s->exp_exited;
    r->exit_code = s->exp_code;
    r->term_signal = s->exp_signal;
    r->exit_ms = s->exp_exit_ms;
}

static bool lines_equal(const rpc_script *s, const rpc_result *r, buf *log) {
    rpc_canon a = {0}, b = {0};
    bool ok = rpc_compare_lines(s, r, "/nowhere/run", "/nowhere/home", &a, &b, log);
    rpc_canon_free(&a), rpc_canon_free(&b);
    return ok;
}

static void test_detects_differences(void **state) {
    (void)state;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/07_plain_text_turn", APPSERVER_CORPUS);
    rpc_script s;
    buf log, err;
    buf_init(&log), buf_init(&err);
    assert_int_equal(rpc_script_load(dir, &s, &err), 0);
    assert_true(s.n_s2c > 10);
    rpc_result r;
    result_from_script(&s, &r);
    assert_true(lines_equal(&s, &r, &log));
    assert_true(rpc_compare_exit(&s, &r, &log));
    assert_true(rpc_compare_timing(&s, &r, 1, &log));
    assert_true(rpc_compare_stderr(&s, &r, NULL, NULL, &log));

    /* one changed byte (in a delta's text) */
    timed_line *l = NULL;
    for (size_t i = 0; i < r.n_out && !l; i++)
        if (strstr(r.out[i].text, "\"delta\":\"")) l = &r.out[i];
    assert_non_null(l);
    char *d = strstr(l->text, "\"delta\":\"") + 9;
    *d ^= 1;
    assert_false(lines_equal(&s, &r, &log));
    *d ^= 1;
    assert_true(lines_equal(&s, &r, &log));

    /* a fresh id where the recording repeats one: the thread id of turn/started */
    timed_line *ts = NULL;
    for (size_t i = 0; i < r.n_out && !ts; i++)
        if (strstr(r.out[i].text, "\"method\":\"turn/started\"")) ts = &r.out[i];
    assert_non_null(ts);
    char *tid = strstr(ts->text, "\"threadId\":\"") + 12;
    char saved = tid[35];
    tid[35] = tid[35] == '0' ? '1' : '0';
    assert_false(lines_equal(&s, &r, &log));
    tid[35] = saved;

    /* timestamps, the host name and the run folder are not counted */
    char *em = strstr(ts->text, "\"emittedAtMs\":") + 14;
    *em = *em == '1' ? '2' : '1';
    assert_true(lines_equal(&s, &r, &log));

    /* a line 30 ms late (allowed 25), the exit 40 ms late; a different exit */
    r.out[r.n_out - 1].ms += 30;
    assert_false(rpc_compare_timing(&s, &r, 1, &log));
    assert_true(rpc_compare_timing(&s, &r, 2, &log));
    r.out[r.n_out - 1].ms -= 30;
    r.exit_ms += 40 + RPC_EXIT_SANITIZER_SLACK_MS;
    assert_false(rpc_compare_timing(&s, &r, 1, &log));
    r.exit_code = 1;
    assert_false(rpc_compare_exit(&s, &r, &log));

    /* a line missing, an extra one */
    r.n_out--;
    assert_false(lines_equal(&s, &r, &log));
    r.n_out++;
    free(r.err[0].text);
    r.err[0].text = xstrdup("something else");
    assert_false(rpc_compare_stderr(&s, &r, NULL, NULL, &log));

    /* the report names the line and shows both */
    buf_reset(&log);
    *d ^= 1;
    assert_false(lines_equal(&s, &r, &log));
    assert_non_null(strstr(log.data, "differs at column"));
    assert_non_null(strstr(log.data, "expected:"));
    *d ^= 1;

    rpc_result_free(&r);
    rpc_script_free(&s);
    buf_free(&log), buf_free(&err);
}

/* The normaliser maps exactly the listed environment values. */
static void test_normalise(void **state) {
    (void)state;
    rpc_canon c = {0};
    char *n = rpc_normalise(
        "{\"userAgent\":\"x/0.171.0 (Ubuntu 24.4.0; x86_64) dumb (x; 1)\",\"codexHome\":"
        "\"/scratch/run/"
        "codex_home\",\"serverName\":\"box\",\"emittedAtMs\":17,\"startedAt\":null,\"u\":"
        "\"http://127.0.0.1:4242/v1\",\"p\":\"/scratch/run/codex_home/sessions/2026/12/04/"
        "rollout-2026-12-04T21-07-03-01a242e1-cb8f-7262-bdf0-6654befcd5cf.jsonl\",\"t\":"
        "\"01a242e1-cb8f-7262-bdf0-6654befcd5cf\",\"o\":\"pyenv: cannot rehash: /h/.pyenv/shims "
        "isn't writable\\nok\"}",
        "/scratch/run", "/h", &c);
    assert_string_equal(
        n, "{\"userAgent\":\"x/0.171.0 (<os>; x86_64) <term> (x; 1)\",\"codexHome\":"
           "\"{{RUN}}/codex_home\",\"serverName\":\"<host>\",\"emittedAtMs\":<t>,\"startedAt\":"
           "null,\"u\":\"{{BASE_URL}}/v1\",\"p\":\"{{RUN}}/codex_home/sessions/<date>/"
           "rollout-<date>-<id-1>.jsonl\",\"t\":\"<id-1>\",\"o\":\"ok\"}");
    free(n);
    /* readStates in either order, the same once normalised (both ids are known by then) */
    n = rpc_normalise("{\"readStates\":{\"11111111-1111-1111-1111-111111111111\":{\"a\":1},"
                      "\"01a242e1-cb8f-7262-bdf0-6654befcd5cf\":{\"b\":\"}\"}}}",
                      NULL, NULL, &c);
    assert_string_equal(n, "{\"readStates\":{\"<id-1>\":{\"b\":\"}\"},\"<id-2>\":{\"a\":1}}}");
    free(n);
    rpc_canon_free(&c);
}

/* Whether one of the comma-separated words of `only` is part of `name`. */
static bool wanted(const char *only, const char *name) {
    char *list = xstrdup(only), *save = NULL;
    bool yes = false;
    for (char *w = strtok_r(list, ",", &save); w && !yes; w = strtok_r(NULL, ",", &save))
        yes = *w && strstr(name, w);
    free(list);
    return yes;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    DIR *d = opendir(APPSERVER_CORPUS);
    if (!d) {
        fprintf(stderr, "appserver conformance: cannot open %s\n", APPSERVER_CORPUS);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "schema")) continue;
        char p[PATH_MAX * 2];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", APPSERVER_CORPUS, e->d_name);
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    if (!testing_the_fake())
        fprintf(stderr, "appserver conformance: server %s%s\n", server_bin(),
                getenv("CODEX_MOCK_APPSERVER_MODEL_SERVER") ? " with the fake model server" : "");
    const char *only = getenv("CODEX_MOCK_APPSERVER_ONLY");
    struct CMUnitTest *tests = xcalloc(n + 2, sizeof *tests);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (only && *only && !wanted(only, names[i])) continue;
        tests[k++] = (struct CMUnitTest){names[i], test_session, NULL, NULL, names[i]};
    }
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_detects_differences);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_normalise);
    int rc = _cmocka_run_group_tests("conformance_appserver", tests, k, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    return rc;
}

/* `codex-mock conform` — each scenario played through the real CLI (talking to serve, in this
 * process) and through the fake `codex`, with the same argv, stdin and environment; what
 * differs is reported (docs/conform.md). */
#include "conform.h"
#include "conform_diff.h"
#include "exitcodes.h"
#include "faces.h"
#include "fileio.h"
#include "layout.h"
#include "recording.h"
#include "scenario_load.h"
#include "select.h"
#include "serve_http.h"
#include "serve_plan.h"
#include "tool_serve.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char CONFORM_USAGE[] =
    "Usage: codex-mock conform --real PATH [SCENARIO...] [--json] [--human] [--dir DIR]\n"
    "                          [--timeout S]\n"
    "                          [--slack MS] [--ratio R] [--startup-slack MS] [--no-timing]\n"
    "  Plays each scenario (default: the built-in library) through the real codex at PATH,\n"
    "  with `codex-mock serve` as its model, and through the fake codex, and reports what\n"
    "  differs: stdout (ids, times, dirs and ports aside), stderr, exit code, session-file\n"
    "  line kinds, and timing: each gap between two stdout lines within slack + ratio * the\n"
    "  larger gap (1000 ms + 0.5); the start-up (spawn to line 1) is reported, and checked\n"
    "  only with --startup-slack MS (it depends on the machine's load more than anything).\n"
    "  --human plays `exec` in human mode (no --json; -m MODEL -c model_provider=codex_mock).\n"
    "  Runs go to DIR (default ./codex-mock-conform).\n"
    "  Exit 0 when every scenario played matches (skipped ones are listed with the reason),\n"
    "  1 when one differs, 2 on a usage error, 78 when the real codex cannot be run.\n";

#define API_KEY "dummy-key-for-fake-server"

typedef struct {
    double slack_ms, ratio, startup_slack_ms;
    bool timing;
    int timeout_s;
    const char *dir;
    const char *real;
    char *fake;
    char *version;             /* "0.171.0" */
    const char *scenario_path; /* CODEX_MOCK_SCENARIO_PATH */
    bool human;                /* --human: exec without --json */
} conform_opts;

/* One run of a CLI: its output lines with their arrival times. */
typedef struct {
    rec_stream out, err;
    int exit_code; /* -N: killed by signal N */
    bool timed_out;
    char *rollout_kinds; /* one kind per line, '\n'-separated; NULL: no session file */
} run_result;

static void run_result_free(run_result *r) {
    buf_free(&r->out.bytes);
    free(r->out.lines);
    buf_free(&r->err.bytes);
    free(r->err.lines);
    free(r->rollout_kinds);
    memset(r, 0, sizeof *r);
}

static int64_t now_tenths(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)(t.tv_sec - t0->tv_sec) * 10000 + (t.tv_nsec - t0->tv_nsec) / 100000;
}

/* fork + chdir + execve with stdin from /dev/null; stdout and stderr read line by line. */
static int run_cli(char *const *argv, char *const *envp, const char *cwd, int timeout_s,
                   run_result *r) {
    memset(r, 0, sizeof *r);
    buf_init(&r->out.bytes);
    buf_init(&r->err.bytes);
    int po[2], pe[2];
    if (pipe(po) < 0) return -1;
    if (pipe(pe) < 0) {
        close(po[0]), close(po[1]);
        return -1;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        setsid(); /* no controlling terminal: what a CLI writes to /dev/tty stays out of ours */
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || chdir(cwd) < 0) _exit(127);
        dup2(in, 0), dup2(po[1], 1), dup2(pe[1], 2);
        close(po[0]), close(pe[0]), close(po[1]), close(pe[1]), close(in);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(po[1]), close(pe[1]);
    int fds[2] = {po[0], pe[0]};
    rec_stream *st[2] = {&r->out, &r->err};
    bool open_[2] = {true, true};
    int status = 0;
    bool exited = false;
    int64_t exit_t = 0;
    for (;;) {
        struct pollfd p[2];
        int n = 0, map[2];
        for (int i = 0; i < 2; i++)
            if (open_[i]) p[n] = (struct pollfd){fds[i], POLLIN, 0}, map[n++] = i;
        if (n == 0 && exited) break;
        /* after the exit, what a leftover grandchild keeps open is read for 0.5 s at most */
        if (exited && now_tenths(&t0) - exit_t > 5000) break;
        int rc = n ? poll(p, (nfds_t)n, 100) : (usleep(100000), 0);
        if (rc < 0 && errno != EINTR) break;
        for (int k = 0; rc > 0 && k < n; k++) {
            if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char tmp[65536];
            ssize_t got = read(p[k].fd, tmp, sizeof tmp);
            int i = map[k];
            if (got > 0) {
                rec_stream_feed(st[i], tmp, (size_t)got, now_tenths(&t0));
            } else if (got == 0 || errno != EINTR) {
                rec_stream_finish(st[i], now_tenths(&t0));
                open_[i] = false;
            }
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid)
            exited = true, exit_t = now_tenths(&t0);
        if (!exited && now_tenths(&t0) > (int64_t)timeout_s * 10000) {
            kill(pid, SIGKILL);
            r->timed_out = true;
        }
    }
    if (!exited) waitpid(pid, &status, 0);
    close(po[0]), close(pe[0]);
    r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return 0;
}

/* --- session files --- */

/* The first file named rollout-* under dir, depth first (heap path, or NULL). */
static char *find_rollout(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char *found = NULL;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISREG(st.st_mode) && !strncmp(e->d_name, "rollout-", 8))
                found = xstrdup(path);
            else if (S_ISDIR(st.st_mode) && depth < 8)
                found = find_rollout(path, depth + 1);
        }
        free(path);
    }
    closedir(d);
    return found;
}

/* Each line's kind: its type, and the payload's type when it has one ("event_msg:token_count"). */
static char *rollout_kinds(const char *codex_home) {
    char *sessions = xasprintf("%s/sessions", codex_home);
    char *path = find_rollout(sessions, 0);
    free(sessions);
    if (!path) return NULL;
    size_t len;
    char *data = fileio_read_file(path, 0, &len);
    free(path);
    if (!data) return NULL;
    buf out;
    buf_init(&out);
    size_t pos = 0;
    while (pos < len) {
        char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
        cJSON *j = cJSON_ParseWithLength(data + pos, n);
        const cJSON *t = j ? cJSON_GetObjectItemCaseSensitive(j, "type") : NULL;
        const cJSON *pl = j ? cJSON_GetObjectItemCaseSensitive(j, "payload") : NULL;
        const cJSON *pt = cJSON_IsObject(pl) ? cJSON_GetObjectItemCaseSensitive(pl, "type") : NULL;
        buf_puts(&out, cJSON_IsString(t) ? t->valuestring : "?");
        if (cJSON_IsString(pt)) buf_printf(&out, ":%s", pt->valuestring);
        buf_putc(&out, '\n');
        cJSON_Delete(j);
        pos += n + 1;
    }
    free(data);
    if (!out.data) buf_puts(&out, "");
    return buf_detach(&out);
}

/* --- one scenario --- */

typedef enum { R_MATCH, R_DIFFER, R_SKIPPED, R_ERROR } result_kind;
static const char *const RESULT_NAMES[] = {"match", "differ", "skipped", "error"};

typedef struct {
    char *name;
    result_kind kind;
    char *reason; /* skipped / error */
    /* differences, each "what: text" */
    char **diffs;
    size_t n_diffs;
    int real_exit, fake_exit;
    double max_dt_ms; /* the largest difference of a gap between two lines */
    double startup_real_ms, startup_fake_ms;
    char *session_note; /* session kinds not compared: why */
    size_t lines;
} scenario_report;

static void add_diff(scenario_report *r, const char *what, const char *text) {
    r->diffs = xrealloc(r->diffs, (r->n_diffs + 1) * sizeof *r->diffs);
    r->diffs[r->n_diffs++] = xasprintf("%s: %s", what, text);
}

static bool has_step_item(const scenario *sc, item_type t) {
    for (size_t i = 0; i < sc->n_turns; i++)
        for (size_t k = 0; k < sc->turns[i].n_steps; k++) {
            const step *s = &sc->turns[i].steps[k];
            if ((s->kind == STEP_ITEM || s->kind == STEP_TODO_LIST) && s->u.item.type == t)
                return true;
        }
    return false;
}

/* Why conform cannot play this scenario through a real CLI, or NULL (heap string). */
static char *skip_reason(const scenario *sc, const serve_plan *p, bool human) {
    if (sc->conform.skip.ptr) return xstrdup(sc->conform.skip.ptr);
    if (!(scenario_faces(sc) & FACE_EXEC))
        return xstrdup("app-server only (faces: [app-server]): conform plays exec runs");
    if (human && sc->conform.human_gap.ptr)
        return xasprintf("human mode: %s", sc->conform.human_gap.ptr);
    if (sc->n_turns != 1)
        return xstrdup("several turns (exec resume): conform plays one exec run per scenario");
    if (p->n_unserved)
        return xasprintf("line %d: '%s' is the client's own doing; a model server cannot make a "
                         "real CLI do it",
                         p->unserved[0].line, p->unserved[0].what);
    if (sc->cli.before_prompt)
        return xstrdup("a configuration-time failure (cli.before_prompt), not a model answer");
    if (sc->chaos.enabled) return xstrdup("chaos: seeded faults of the fake alone");
    for (size_t k = 0; k < sc->turns[0].n_steps; k++) {
        const step *s = &sc->turns[0].steps[k];
        if (s->has_template) return xasprintf("line %d: a template ({{…}})", s->line);
        if (s->kind == STEP_RETRY && s->u.retry->transport != TRANSPORT_HTTP)
            return xasprintf("line %d: the %s transport is not served", s->line,
                             s->u.retry->transport == TRANSPORT_WEBSOCKET ? "WebSocket"
                                                                          : "network");
        if (s->kind == STEP_SLEEP && s->u.sleep < 0)
            return xasprintf("line %d: a run that never ends by itself", s->line);
    }
    if (has_step_item(sc, ITEM_MCP_TOOL_CALL))
        return xstrdup("an MCP tool call needs an MCP server in the real CLI's config");
    if (has_step_item(sc, ITEM_TODO_LIST))
        return xstrdup("a todo list needs the update_plan tool enabled in the real CLI");
    return NULL;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static int write_all(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

typedef struct {
    char *root, *work, *home, *codex_home;
} run_dirs;

static int prepare_dirs(const char *base, const char *side, const scenario *sc, run_dirs *d) {
    d->root = xasprintf("%s/%s", base, side);
    nftw(d->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    d->work = xasprintf("%s/work", d->root);
    d->home = xasprintf("%s/home", d->root);
    d->codex_home = xasprintf("%s/codex_home", d->root);
    if (fileio_mkdirs(d->work, 0755) < 0 || fileio_mkdirs(d->home, 0755) < 0 ||
        fileio_mkdirs(d->codex_home, 0755) < 0)
        return -1;
    for (size_t i = 0; i < sc->conform.n_files; i++) {
        char *path = xasprintf("%s/%s", d->work, sc->conform.files[i].path.ptr);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        fileio_mkdirs(path, 0755);
        *slash = '/';
        int rc =
            write_all(path, sc->conform.files[i].content.ptr, sc->conform.files[i].content.len);
        free(path);
        if (rc < 0) return -1;
    }
    /* a git work dir, as users run codex in (and the trust check wants) */
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1), dup2(null, 2);
        execlp("git", "git", "init", "-q", d->work, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return -1;
    return 0;
}

static void free_dirs(run_dirs *d) {
    free(d->root), free(d->work), free(d->home), free(d->codex_home);
}

/* The environment both runs get: PATH, USER, LANG and TERM from ours, HOME, CODEX_HOME and the
 * API key per run; the fake's adds the scenario and the version. NULL-terminated, heap. */
static char **run_env(const conform_opts *o, const run_dirs *d, const char *scenario_ref,
                      int64_t now) {
    char **env = xcalloc(16, sizeof *env);
    size_t n = 0;
    const char *path = getenv("PATH");
    env[n++] = xasprintf("PATH=%s", path ? path : "/usr/bin:/bin");
    env[n++] = xasprintf("HOME=%s", d->home);
    const char *user = getenv("USER");
    env[n++] = xasprintf("USER=%s", user ? user : "root");
    env[n++] = xstrdup("LANG=C.UTF-8");
    env[n++] = xasprintf("CODEX_HOME=%s", d->codex_home);
    env[n++] = xstrdup("CODEX_API_KEY=" API_KEY);
    if (scenario_ref) {
        env[n++] = xasprintf("CODEX_MOCK_SCENARIO=%s", scenario_ref);
        env[n++] = xasprintf("CODEX_MOCK_VERSION=%s", o->version);
        /* the wall clock serve's plan was built at: usage-limit reset times then agree */
        env[n++] = xasprintf("CODEX_MOCK_NOW=%lld", (long long)now);
    }
    return env;
}

static void free_strv(char **v) {
    for (char **p = v; p && *p; p++)
        free(*p);
    free(v);
}

/* codex exec --json --dangerously-bypass-approvals-and-sandbox [args] PROMPT; human mode: no
 * --json, and the model and provider given as flags, so that the fake's header says what the
 * real one reads from config.toml */
static char **run_argv(const char *program, const scenario *sc, const serve_plan *p, bool human) {
    char **v = xcalloc(10 + sc->conform.n_args, sizeof *v);
    size_t n = 0;
    v[n++] = xstrdup(program);
    v[n++] = xstrdup("exec");
    if (human) {
        v[n++] = xstrdup("-m");
        v[n++] = xstrdup(p->model);
        v[n++] = xstrdup("-c");
        v[n++] = xstrdup("model_provider=codex_mock");
    } else {
        v[n++] = xstrdup("--json");
    }
    v[n++] = xstrdup("--dangerously-bypass-approvals-and-sandbox");
    for (size_t i = 0; i < sc->conform.n_args; i++)
        v[n++] = xstrdup(sc->conform.args[i].ptr);
    v[n++] = xstrdup(sc->conform.prompt.ptr ? sc->conform.prompt.ptr : "Say hello.");
    return v;
}

static void compare_text(scenario_report *rep, const char *what, const rec_stream *a,
                         const run_dirs *da, const rec_stream *b, const run_dirs *db) {
    buf na, nb, why;
    buf_init(&na), buf_init(&nb), buf_init(&why);
    conform_dirs ca = {da->work, da->home, da->codex_home};
    conform_dirs cb = {db->work, db->home, db->codex_home};
    conform_normalise(a->bytes.data ? a->bytes.data : "", a->bytes.len, &ca, &na);
    conform_normalise(b->bytes.data ? b->bytes.data : "", b->bytes.len, &cb, &nb);
    if (!conform_compare_lines(na.data ? na.data : "", na.len, nb.data ? nb.data : "", nb.len,
                               &why))
        add_diff(rep, what, why.data);
    buf_free(&na), buf_free(&nb), buf_free(&why);
}

static void compare_runs(scenario_report *rep, const conform_opts *o, const scenario *sc,
                         run_result *real, const run_dirs *dr, run_result *fake,
                         const run_dirs *df) {
    rep->real_exit = real->exit_code;
    rep->fake_exit = fake->exit_code;
    if (real->timed_out) add_diff(rep, "real", "did not finish in time (killed)");
    if (fake->timed_out) add_diff(rep, "fake", "did not finish in time (killed)");
    if (real->exit_code != fake->exit_code) {
        char t[64];
        snprintf(t, sizeof t, "real %d, fake %d", real->exit_code, fake->exit_code);
        add_diff(rep, "exit code", t);
    }
    compare_text(rep, "stdout", &real->out, dr, &fake->out, df);
    compare_text(rep, "stderr", &real->err, dr, &fake->err, df);
    const char *ka = real->rollout_kinds, *kb = fake->rollout_kinds;
    if (sc->conform.session_gap.ptr) {
        /* a known gap of the fake, said in the scenario: reported, not compared */
    } else if (!ka != !kb) {
        add_diff(rep, "session file",
                 ka ? "only the real run wrote one" : "only the fake run wrote one");
    } else if (ka) {
        buf why;
        buf_init(&why);
        if (!conform_compare_lines(ka, strlen(ka), kb, strlen(kb), &why))
            add_diff(rep, "session line kinds", why.data);
        buf_free(&why);
    }
    rep->lines = real->out.n_lines;
    if (real->out.n_lines != fake->out.n_lines) return; /* stdout already says how */
    bool check = o->timing && !sc->conform.timing_off;
    /* the first line's time is the start-up, which depends most on the machine: its own bound;
     * then each gap between two lines, within slack + ratio of the larger gap */
    for (size_t i = 0; i < real->out.n_lines; i++) {
        double a = (double)real->out.lines[i].t / 10.0, b = (double)fake->out.lines[i].t / 10.0;
        if (i == 0) {
            rep->startup_real_ms = a, rep->startup_fake_ms = b;
            if (check && o->startup_slack_ms >= 0 &&
                (a > b ? a - b : b - a) > o->startup_slack_ms) {
                char t[160];
                snprintf(t, sizeof t,
                         "start-up (line 1) %.1f ms real, %.1f ms fake (allowed: %.0f ms apart)", a,
                         b, o->startup_slack_ms);
                add_diff(rep, "timing", t);
                break;
            }
            continue;
        }
        double ga = a - (double)real->out.lines[i - 1].t / 10.0;
        double gb = b - (double)fake->out.lines[i - 1].t / 10.0;
        double d = ga > gb ? ga - gb : gb - ga;
        if (d > rep->max_dt_ms) rep->max_dt_ms = d;
        if (check && !conform_timing_ok(ga, gb, o->slack_ms, o->ratio)) {
            char t[200];
            snprintf(t, sizeof t,
                     "line %zu comes %.1f ms after line %zu in the real run, %.1f ms in the fake "
                     "(allowed: %.0f ms + %.0f%% apart)",
                     i + 1, ga, i, gb, o->slack_ms, o->ratio * 100);
            add_diff(rep, "timing", t);
            break;
        }
    }
}

static void conform_one(const conform_opts *o, const char *requested, scenario_report *rep) {
    memset(rep, 0, sizeof *rep);
    scenario sc;
    diag err;
    diag_init(&err);
    char *path = NULL;
    if (serve_load_scenario(requested, o->scenario_path, &sc, &path, &err) < 0) {
        rep->name = xstrdup(requested);
        rep->kind = R_ERROR;
        rep->reason = diag_format(&err);
        diag_free(&err);
        return;
    }
    const char *base = strrchr(requested, '/');
    rep->name = sc.name.ptr ? xstrdup(sc.name.ptr) : xstrdup(base ? base + 1 : requested);
    serve_plan plan;
    int64_t now = (int64_t)time(NULL);
    serve_plan_build(&sc, now, &plan);
    char *why = skip_reason(&sc, &plan, o->human);
    if (why) {
        rep->kind = R_SKIPPED;
        rep->reason = why;
        goto out;
    }
    char *scen_dir = xasprintf("%s/%s", o->dir, rep->name);
    run_dirs dr = {0}, df = {0};
    run_result real = {0}, fake = {0};
    serve_server *srv = NULL;
    FILE *log = NULL;
    if (prepare_dirs(scen_dir, "real", &sc, &dr) < 0 ||
        prepare_dirs(scen_dir, "fake", &sc, &df) < 0) {
        rep->kind = R_ERROR;
        rep->reason =
            xasprintf("cannot prepare the run directories under %s: %s", scen_dir, strerror(errno));
        goto done;
    }
    char *log_path = xasprintf("%s/requests.jsonl", scen_dir);
    log = fopen(log_path, "w");
    free(log_path);
    serve_options so = {.plan = &plan, .port = 0, .log = log, .summary = NULL};
    if (serve_start(&so, &srv, &err) < 0) {
        rep->kind = R_ERROR;
        rep->reason = xstrdup(err.msg);
        goto done;
    }
    buf toml;
    buf_init(&toml);
    serve_config_toml(&toml, serve_port(srv), plan.model);
    char *cfg = xasprintf("%s/config.toml", dr.codex_home);
    write_all(cfg, toml.data, toml.len);
    free(cfg);
    buf_free(&toml);

    char **argv_real = run_argv(o->real, &sc, &plan, o->human);
    char **argv_fake = run_argv(o->fake, &sc, &plan, o->human);
    char **env_real = run_env(o, &dr, NULL, now);
    char **env_fake = run_env(o, &df, path ? path : "default", now);
    int rc = run_cli(argv_real, env_real, dr.work, o->timeout_s, &real);
    serve_stop(srv);
    srv = NULL;
    if (rc == 0) rc = run_cli(argv_fake, env_fake, df.work, o->timeout_s, &fake);
    free_strv(argv_real), free_strv(argv_fake), free_strv(env_real), free_strv(env_fake);
    if (rc < 0) {
        rep->kind = R_ERROR;
        rep->reason = xasprintf("cannot run: %s", strerror(errno));
        goto done;
    }
    real.rollout_kinds = rollout_kinds(dr.codex_home);
    fake.rollout_kinds = rollout_kinds(df.codex_home);
    compare_runs(rep, o, &sc, &real, &dr, &fake, &df);
    if (sc.conform.session_gap.ptr) rep->session_note = xstrdup(sc.conform.session_gap.ptr);
    rep->kind = rep->n_diffs ? R_DIFFER : R_MATCH;
done:
    if (srv) serve_stop(srv);
    if (log) fclose(log);
    run_result_free(&real), run_result_free(&fake);
    free_dirs(&dr), free_dirs(&df);
    free(scen_dir);
out:
    serve_plan_free(&plan);
    scenario_free(&sc);
    free(path);
    diag_free(&err);
}

/* --- report --- */

static const char *session_note(const scenario_report *r) {
    return r->session_note;
}

static void print_table(const scenario_report *v, size_t n, const conform_opts *o) {
    size_t w = 8;
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i].name) > w) w = strlen(v[i].name);
    printf("codex-mock conform: %s (codex-cli %s) against the fake\n\n", o->real, o->version);
    printf("%-*s  %-7s  %-9s  %s\n", (int)w, "scenario", "result", "exit r/f", "details");
    size_t counts[4] = {0};
    for (size_t i = 0; i < n; i++) {
        const scenario_report *r = &v[i];
        counts[r->kind]++;
        char ex[32] = "";
        if (r->kind == R_MATCH || r->kind == R_DIFFER)
            snprintf(ex, sizeof ex, "%d/%d", r->real_exit, r->fake_exit);
        printf("%-*s  %-7s  %-9s  ", (int)w, r->name, RESULT_NAMES[r->kind], ex);
        if (r->kind == R_MATCH)
            printf("%zu stdout lines; start-up %.0f/%.0f ms, gaps within %.0f ms\n", r->lines,
                   r->startup_real_ms, r->startup_fake_ms, r->max_dt_ms);
        else if (r->kind == R_DIFFER)
            printf("%zu difference%s (below)\n", r->n_diffs, r->n_diffs == 1 ? "" : "s");
        else
            printf("%s: %s\n", r->kind == R_SKIPPED ? "skipped" : "error", r->reason);
    }
    for (size_t i = 0; i < n; i++)
        if (session_note(&v[i]))
            printf("  %s: session file line kinds not compared: %s\n", v[i].name,
                   v[i].session_note);
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind != R_DIFFER) continue;
        printf("\n%s differs (runs in %s/%s):\n", v[i].name, o->dir, v[i].name);
        for (size_t k = 0; k < v[i].n_diffs; k++)
            printf("  %s\n", v[i].diffs[k]);
    }
    printf("\n%zu match, %zu differ, %zu skipped, %zu error%s\n", counts[R_MATCH], counts[R_DIFFER],
           counts[R_SKIPPED], counts[R_ERROR], counts[R_ERROR] == 1 ? "" : "s");
}

static void print_json(const scenario_report *v, size_t n, const conform_opts *o) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "real", o->real);
    cJSON_AddStringToObject(root, "version", o->version);
    cJSON *tol = cJSON_AddObjectToObject(root, "timing_tolerance");
    cJSON_AddNumberToObject(tol, "slack_ms", o->slack_ms);
    cJSON_AddNumberToObject(tol, "ratio", o->ratio);
    cJSON_AddNumberToObject(tol, "startup_slack_ms", o->startup_slack_ms);
    cJSON_AddBoolToObject(tol, "checked", o->timing);
    cJSON *arr = cJSON_AddArrayToObject(root, "scenarios");
    size_t counts[4] = {0};
    for (size_t i = 0; i < n; i++) {
        const scenario_report *r = &v[i];
        counts[r->kind]++;
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "name", r->name);
        cJSON_AddStringToObject(s, "result", RESULT_NAMES[r->kind]);
        if (r->reason) cJSON_AddStringToObject(s, "reason", r->reason);
        if (r->kind == R_MATCH || r->kind == R_DIFFER) {
            cJSON_AddNumberToObject(s, "real_exit", r->real_exit);
            cJSON_AddNumberToObject(s, "fake_exit", r->fake_exit);
            cJSON_AddNumberToObject(s, "stdout_lines", (double)r->lines);
            cJSON_AddNumberToObject(s, "startup_real_ms", r->startup_real_ms);
            cJSON_AddNumberToObject(s, "startup_fake_ms", r->startup_fake_ms);
            cJSON_AddNumberToObject(s, "max_gap_delta_ms", r->max_dt_ms);
            if (r->session_note)
                cJSON_AddStringToObject(s, "session_not_compared", r->session_note);
            cJSON *d = cJSON_AddArrayToObject(s, "differences");
            for (size_t k = 0; k < r->n_diffs; k++)
                cJSON_AddItemToArray(d, cJSON_CreateString(r->diffs[k]));
        }
        cJSON_AddItemToArray(arr, s);
    }
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    for (int k = 0; k < 4; k++)
        cJSON_AddNumberToObject(sum, RESULT_NAMES[k], (double)counts[k]);
    cJSON_AddBoolToObject(root, "ok", counts[R_DIFFER] == 0 && counts[R_ERROR] == 0);
    char *text = cJSON_Print(root);
    puts(text);
    free(text);
    cJSON_Delete(root);
}

/* "codex-cli 0.171.0" → "0.171.0" (heap), NULL when the binary does not answer so. */
static char *real_version(const char *real, int timeout_s) {
    char *argv[] = {(char *)real, "--version", NULL};
    char *path = xasprintf("PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    char *envp[] = {path, NULL};
    run_result r;
    char *v = NULL;
    if (run_cli(argv, envp, "/", timeout_s, &r) == 0 && r.exit_code == 0 && r.out.bytes.data) {
        const char *s = r.out.bytes.data;
        const char *sp = strrchr(s, ' ');
        if (!strncmp(s, "codex-cli ", 10) && sp) v = xstrndup(sp + 1, strcspn(sp + 1, "\r\n"));
    }
    run_result_free(&r);
    free(path);
    return v;
}

int tool_conform(int argc, char **argv, const mock_settings *set) {
    conform_opts o = {.slack_ms = 1000,
                      .ratio = 0.5,
                      .startup_slack_ms = -1,
                      .timing = true,
                      .timeout_s = 120,
                      .dir = "codex-mock-conform"};
    o.scenario_path = set->scenario_path;
    o.real = set->real_codex; /* CODEX_MOCK_REAL_CODEX, unless --real */
    bool json = false;
    char **names = xcalloc((size_t)argc + 1, sizeof *names);
    size_t n_names = 0;
    for (int i = 0; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--real") && i + 1 < argc) {
            o.real = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--human")) {
            o.human = true;
        } else if (!strcmp(argv[i], "--no-timing")) {
            o.timing = false;
        } else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
            o.dir = argv[++i];
        } else if (!strcmp(argv[i], "--slack") && i + 1 < argc) {
            o.slack_ms = strtod(argv[++i], &end);
            if (*end || o.slack_ms < 0) goto usage;
        } else if (!strcmp(argv[i], "--startup-slack") && i + 1 < argc) {
            o.startup_slack_ms = strtod(argv[++i], &end);
            if (*end || o.startup_slack_ms < 0) goto usage;
        } else if (!strcmp(argv[i], "--ratio") && i + 1 < argc) {
            o.ratio = strtod(argv[++i], &end);
            if (*end || o.ratio < 0) goto usage;
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            o.timeout_s = (int)strtol(argv[++i], &end, 10);
            if (*end || o.timeout_s <= 0) goto usage;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(CONFORM_USAGE, stdout);
            free(names);
            return 0;
        } else if (argv[i][0] != '-') {
            names[n_names++] = argv[i];
        } else {
            fprintf(stderr, "codex-mock conform: unexpected '%s'\n", argv[i]);
            goto usage;
        }
    }
    if (!o.real) {
        fputs("codex-mock conform: --real PATH (the real codex binary; or CODEX_MOCK_REAL_CODEX) "
              "is required\n",
              stderr);
        goto usage;
    }
    char real_abs[2 * PATH_MAX + 2], cwd[PATH_MAX];
    if (access(o.real, X_OK) != 0) {
        fprintf(stderr, "codex-mock conform: %s: %s\n", o.real, strerror(errno));
        free(names);
        return EXIT_MOCK_ERROR;
    }
    if (o.real[0] != '/' && getcwd(cwd, sizeof cwd)) { /* absolute, symlinks kept (npm's .bin) */
        snprintf(real_abs, sizeof real_abs, "%s/%s", cwd, o.real);
        o.real = real_abs;
    }
    o.version = real_version(o.real, 30);
    if (!o.version) {
        fprintf(stderr, "codex-mock conform: %s --version does not say 'codex-cli X.Y.Z'\n",
                o.real);
        free(names);
        return EXIT_MOCK_ERROR;
    }
    char *self = exe_dir();
    char *dir = self ? layout_fake_dir(self) : NULL; /* beside us, or <prefix>/lib/codex-mock/bin */
    o.fake = xasprintf("%s/codex", dir ? dir : ".");
    free(dir);
    free(self);
    if (access(o.fake, X_OK) != 0) {
        fprintf(stderr, "codex-mock conform: the fake codex is not beside codex-mock (%s)\n",
                o.fake);
        free(o.version), free(o.fake), free(names);
        return EXIT_MOCK_ERROR;
    }
    char dir_abs[PATH_MAX];
    fileio_mkdirs(o.dir, 0755);
    if (!realpath(o.dir, dir_abs)) {
        fprintf(stderr, "codex-mock conform: %s: %s\n", o.dir, strerror(errno));
        free(o.version), free(o.fake), free(names);
        return EXIT_MOCK_ERROR;
    }
    o.dir = dir_abs;
    char **library = NULL;
    if (n_names == 0) { /* the whole built-in library */
        char *lib = builtin_scenario_dir();
        library = lib ? list_scenario_names(lib) : NULL;
        free(lib);
        for (char **p = library; p && *p; p++) {
            names = xrealloc(names, (n_names + 2) * sizeof *names);
            names[n_names++] = *p;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    scenario_report *reps = xcalloc(n_names ? n_names : 1, sizeof *reps);
    for (size_t i = 0; i < n_names; i++) {
        if (!json) {
            fprintf(stderr, "codex-mock conform: %s ...\n", names[i]);
            fflush(stderr);
        }
        conform_one(&o, names[i], &reps[i]);
    }
    if (json)
        print_json(reps, n_names, &o);
    else
        print_table(reps, n_names, &o);
    int rc = 0;
    for (size_t i = 0; i < n_names; i++) {
        if (reps[i].kind == R_DIFFER || reps[i].kind == R_ERROR) rc = 1;
        free(reps[i].name), free(reps[i].reason), free(reps[i].session_note);
        for (size_t k = 0; k < reps[i].n_diffs; k++)
            free(reps[i].diffs[k]);
        free(reps[i].diffs);
    }
    free(reps);
    if (library) names_free(library);
    free(names);
    free(o.version), free(o.fake);
    return rc;
usage:
    free(names);
    fputs(CONFORM_USAGE, stderr);
    return EXIT_USAGE;
}

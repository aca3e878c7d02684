/* golden_cases — the data-driven golden cases of tests/cases (format: tests/cases/README.md).
 *
 *   golden_cases [--update] [--cases DIR] [--scenarios DIR] [--codex BIN] [NAME...]
 *
 * Runs the fake `codex` once per case (or once per numbered run of a multi-run case) in a fresh
 * CODEX_HOME and working directory, with exactly the environment of the case's `env` file, and
 * compares stdout, stderr and the exit with the case's files byte for byte; a difference is
 * shown as bytes (support/bytediff.h). Every scenario in the scenario directory must have a
 * case: one without is a failure. NAME... restricts the run to those cases.
 *
 * --update (or CODEX_MOCK_UPDATE_CASES=1) rewrites `stdout`, `stderr` and `exit` from what the
 * fake prints now, after running each case twice and checking both runs agree; a case that
 * does not agree with itself, or times out, is reported and left as it was. A scenario without
 * a case gets a skeleton (default argv, env and empty stdin) to review.
 *
 * Exit: 0 all passed (or all updated), 1 a case failed, 2 usage or an unreadable case. */
#include "bytediff.h"
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef CODEX_BIN
#define CODEX_BIN "build/bin/codex"
#endif
#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif
#ifndef SCENARIO_DIR
#define SCENARIO_DIR SOURCE_DIR "/scenarios"
#endif

/* Every run is over in well under a second at speed 0; this only stops a case that hangs. */
enum { RUN_TIMEOUT_MS = 10000, MAX_ARGS = 64, MAX_ENV = 64, MAX_RUNS = 16, JOBS = 4 };

typedef struct {
    char *p;
    size_t len;
} bytes;

static void bytes_add(bytes *b, const char *p, size_t n) {
    b->p = realloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void bytes_free(bytes *b) {
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

static char *path_join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* The whole file, or -1 (errno set) when it cannot be read; a missing file is ENOENT. */
static int read_file(const char *path, bytes *out) {
    out->p = NULL;
    out->len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char tmp[65536];
    size_t n;
    bytes_add(out, "", 0);
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        bytes_add(out, tmp, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        bytes_free(out);
        errno = EIO;
        return -1;
    }
    return 0;
}

static int read_case_file(const char *dir, const char *name, bytes *out) {
    char *p = path_join(dir, name);
    int rc = read_file(p, out);
    free(p);
    return rc;
}

/* Writes through a temporary file and rename(2), so an interrupted update leaves either the
 * old file or the new one. Returns 1 when the file changed, 0 when it already held `b`, -1 on
 * an error (printed). */
static int write_if_changed(const char *dir, const char *name, const char *p, size_t len) {
    char *path = path_join(dir, name);
    bytes old;
    int rc = 0;
    if (read_file(path, &old) == 0 && old.len == len && memcmp(old.p, p, len) == 0) goto out;
    char *tmp = path_join(dir, ".update.tmp");
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "golden_cases: cannot write %s: %s\n", path, strerror(errno));
        rc = -1;
    } else {
        rc = 1;
    }
    free(tmp);
out:
    bytes_free(&old);
    free(path);
    return rc;
}

/* The placeholders of a case: {{ROOT}} the case's temporary directory, {{HOME}} the
 * CODEX_HOME in it, {{CWD}} the working directory in it, {{THREAD_ID}} the first thread id an
 * earlier run of the same case printed. */
typedef struct {
    const char *name, *value;
} placeholder;

enum { PH_HOME, PH_CWD, PH_ROOT, PH_THREAD_ID, PH_COUNT };

/* `in` with every {{NAME}} of `ph` replaced by its value (a NULL value stays as written). */
static void expand(const char *in, size_t len, const placeholder *ph, bytes *out) {
    out->p = NULL;
    out->len = 0;
    bytes_add(out, "", 0);
    size_t i = 0;
    while (i < len) {
        bool done = false;
        for (int k = 0; k < PH_COUNT && !done; k++) {
            size_t n = strlen(ph[k].name);
            if (ph[k].value && i + n <= len && memcmp(in + i, ph[k].name, n) == 0) {
                bytes_add(out, ph[k].value, strlen(ph[k].value));
                i += n;
                done = true;
            }
        }
        if (!done) bytes_add(out, in + i++, 1);
    }
}

/* The reverse for what the fake printed: the paths of this run back to their placeholders
 * (HOME and CWD before ROOT, which contains them). The thread id stays: it is fixed by the
 * seed and the clock, and part of what is checked. */
static void normalise(const char *in, size_t len, const placeholder *ph, bytes *out) {
    out->p = NULL;
    out->len = 0;
    bytes_add(out, "", 0);
    size_t i = 0;
    while (i < len) {
        bool done = false;
        for (int k = PH_HOME; k <= PH_ROOT && !done; k++) {
            size_t n = strlen(ph[k].value);
            if (n && i + n <= len && memcmp(in + i, ph[k].value, n) == 0) {
                bytes_add(out, ph[k].name, strlen(ph[k].name));
                i += n;
                done = true;
            }
        }
        if (!done) bytes_add(out, in + i++, 1);
    }
}

/* Splits `b` into lines (the last newline optional), in place; returns the count or -1. */
static int split_lines(bytes *b, char **v, int max) {
    int n = 0;
    char *p = b->p;
    char *end = b->p + b->len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (n == max) return -1;
        v[n++] = p;
        if (!nl) break;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

static const struct {
    const char *name;
    int sig;
} SIGNALS[] = {{"SIGHUP", SIGHUP},   {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT},
               {"SIGILL", SIGILL},   {"SIGABRT", SIGABRT}, {"SIGBUS", SIGBUS},
               {"SIGFPE", SIGFPE},   {"SIGKILL", SIGKILL}, {"SIGSEGV", SIGSEGV},
               {"SIGPIPE", SIGPIPE}, {"SIGTERM", SIGTERM}, {"SIGUSR1", SIGUSR1},
               {"SIGUSR2", SIGUSR2}, {"SIGALRM", SIGALRM}};

static int signal_number(const char *name) {
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
        if (strcmp(SIGNALS[i].name, name) == 0) return SIGNALS[i].sig;
    return 0;
}

static const char *signal_name(int sig) {
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
        if (SIGNALS[i].sig == sig) return SIGNALS[i].name;
    return NULL;
}

/* A `signal` file: `SIGNAME after N ms` or `SIGNAME after N lines` (stdout lines). */
static int parse_signal(const char *text, proc_spec *spec, const char *where) {
    char name[32], unit[16];
    double n = 0;
    if (sscanf(text, "%31s after %lf %15s", name, &n, unit) != 3 || !signal_number(name) ||
        n <= 0 || (strcmp(unit, "ms") != 0 && strcmp(unit, "lines") != 0)) {
        fprintf(stderr, "golden_cases: %s/signal: expected `SIGNAME after N ms|lines`, got %s\n",
                where, text);
        return -1;
    }
    spec->signal = signal_number(name);
    if (strcmp(unit, "ms") == 0)
        spec->signal_after_ms = proc_ms(n);
    else
        spec->signal_after_lines = (int)n;
    return 0;
}

typedef struct {
    bytes out, err;
    char exit_text[64];
    bool timed_out;
} outcome;

static void outcome_free(outcome *o) {
    bytes_free(&o->out);
    bytes_free(&o->err);
}

/* What one run's `exit` file says: the exit code, or the signal the process died by. */
static void describe_exit(const proc_result *r, char out[64]) {
    if (r->exited) {
        snprintf(out, 64, "%d\n", r->exit_code);
    } else {
        const char *n = signal_name(r->term_signal);
        if (n)
            snprintf(out, 64, "%s\n", n);
        else
            snprintf(out, 64, "signal %d\n", r->term_signal);
    }
}

typedef struct {
    const char *codex;
    bool update;
    const char *scenarios; /* the scenario directory */
} options;

/* Runs the case directory `dir` (its runs in order, in one temporary CODEX_HOME and working
 * directory); fills outcomes[0..*n_runs). Returns 0, or -1 when the case cannot be read or run
 * (printed). */
static int run_case(const options *opt, const char *name, char **run_dirs, int n_runs,
                    outcome *outcomes) {
    char tmpl[] = "/tmp/codex-mock-case-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("golden_cases: mkdtemp");
        return -1;
    }
    char *root = realpath(tmpl, NULL);
    char *home = path_join(root, "home");
    char *cwd = path_join(root, "work");
    char *git = path_join(cwd, ".git");
    char thread_id[64] = "";
    int rc = 0;
    if (mkdir(home, 0755) != 0 || mkdir(cwd, 0755) != 0 || mkdir(git, 0755) != 0) {
        perror("golden_cases: mkdir");
        rc = -1;
    }
    for (int r = 0; r < n_runs && rc == 0; r++) {
        placeholder ph[PH_COUNT] = {
            [PH_HOME] = {"{{HOME}}", home},
            [PH_CWD] = {"{{CWD}}", cwd},
            [PH_ROOT] = {"{{ROOT}}", root},
            [PH_THREAD_ID] = {"{{THREAD_ID}}", *thread_id ? thread_id : NULL}};
        const char *rd = run_dirs[r];
        bytes argv_raw = {0}, env_raw = {0}, in = {0}, sig = {0}, open_ms = {0}, argv_b = {0},
              env_b = {0};
        if (read_case_file(rd, "argv", &argv_raw) != 0 ||
            read_case_file(rd, "env", &env_raw) != 0 || read_case_file(rd, "stdin", &in) != 0) {
            fprintf(stderr, "golden_cases: %s: argv, env and stdin are required: %s\n", rd,
                    strerror(errno));
            bytes_free(&argv_raw), bytes_free(&env_raw), bytes_free(&in);
            rc = -1;
            break;
        }
        expand(argv_raw.p, argv_raw.len, ph, &argv_b);
        expand(env_raw.p, env_raw.len, ph, &env_b);
        char *args[MAX_ARGS + 2];
        char *envs[MAX_ENV + 1];
        int na = split_lines(&argv_b, args + 1, MAX_ARGS);
        int ne = split_lines(&env_b, envs, MAX_ENV);
        proc_spec spec = {0};
        if (na < 0 || ne < 0) {
            fprintf(stderr, "golden_cases: %s: too many argv or env lines\n", rd);
            rc = -1;
        }
        /* Blank and # lines of env are comments. A paced run (CODEX_MOCK_SPEED not 0) is
         * slowed as much as the wall-clock bounds are widened (proc.h), so that a signal meant
         * for a gap in its schedule still lands in that gap under valgrind. */
        int k = 0;
        char speed[64];
        for (int i = 0; i < ne; i++) {
            if (!envs[i][0] || envs[i][0] == '#') continue;
            double v = 0;
            if (sscanf(envs[i], "CODEX_MOCK_SPEED=%lf", &v) == 1 && v > 0 &&
                proc_time_scale() > 1) {
                snprintf(speed, sizeof speed, "CODEX_MOCK_SPEED=%g", v / proc_time_scale());
                envs[i] = speed;
            }
            envs[k++] = envs[i];
        }
        envs[k] = NULL;
        args[0] = (char *)opt->codex;
        if (na >= 0) args[na + 1] = NULL;
        if (read_case_file(rd, "signal", &sig) == 0 && parse_signal(sig.p, &spec, rd) < 0) rc = -1;
        if (read_case_file(rd, "stdin_open_ms", &open_ms) == 0)
            spec.stdin_close_after_ms = proc_ms(atof(open_ms.p));
        if (rc == 0) {
            spec.argv = (const char *const *)args;
            spec.env = (const char *const *)envs;
            spec.cwd = cwd;
            spec.stdin_data = in.p;
            spec.stdin_len = in.len;
            spec.timeout_ms = RUN_TIMEOUT_MS;
            proc_result res;
            if (proc_run(&spec, &res) != 0) {
                fprintf(stderr, "golden_cases: %s: cannot run %s\n", name, opt->codex);
                rc = -1;
            } else {
                outcome *o = &outcomes[r];
                normalise(res.out, res.out_len, ph, &o->out);
                normalise(res.err, res.err_len, ph, &o->err);
                describe_exit(&res, o->exit_text);
                o->timed_out = res.timed_out;
                const char *t = strstr(res.out, "\"thread_id\":\"");
                if (t && !*thread_id) sscanf(t + 13, "%63[^\"]", thread_id);
                proc_result_free(&res);
            }
        }
        bytes_free(&argv_raw), bytes_free(&env_raw), bytes_free(&in), bytes_free(&sig);
        bytes_free(&open_ms), bytes_free(&argv_b), bytes_free(&env_b);
    }
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "golden_cases: could not remove %s\n", root);
    free(root), free(home), free(cwd), free(git);
    return rc;
}

/* Compares one file of a run; returns true when equal (prints the byte diff otherwise). */
static bool check_file(const char *run_dir, const char *title, const char *file, const char *got,
                       size_t got_len) {
    bytes want;
    char what[PATH_MAX];
    snprintf(what, sizeof what, "%s/%s", title, file);
    if (read_case_file(run_dir, file, &want) != 0) {
        fprintf(stdout, "%s: missing (%s); tests/update-cases writes it\n", what, strerror(errno));
        return false;
    }
    bool same = bytediff_report(stdout, what, want.p, want.len, got, got_len) < 0;
    bytes_free(&want);
    return same;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `dir` (sorted) whose entry passes `keep`; returns the count (-1: unreadable). */
static int list_dir(const char *dir, bool (*keep)(const char *dir, const char *name), char ***out) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **v = NULL;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !keep(dir, e->d_name)) continue;
        v = realloc(v, (size_t)(n + 1) * sizeof *v);
        v[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(v, (size_t)n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

static bool is_yaml(const char *dir, const char *name) {
    (void)dir;
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

static bool is_dir(const char *dir, const char *name) {
    char *p = path_join(dir, name);
    struct stat st;
    bool ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return ok;
}

static void free_list(char **v, int n) {
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Whether scenarios/NAME.yaml says it plays in the app-server face alone: a line
 * `faces: [app-server]` at the top level (docs/format.md "faces"). */
static bool appserver_only(const char *scenarios, const char *name) {
    char *file = malloc(strlen(name) + 6);
    sprintf(file, "%s.yaml", name);
    char *path = path_join(scenarios, file);
    free(file);
    bytes b;
    bool yes = false;
    if (read_file(path, &b) == 0) {
        for (const char *l = b.p; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
            if (strncmp(l, "faces: [app-server]", 19) == 0 &&
                (l[19] == '\n' || l[19] == ' ' || l[19] == '\0'))
                yes = true;
        bytes_free(&b);
    }
    free(path);
    return yes;
}

/* An app-server-only scenario's case (tests/cases/README.md "App-server scenarios"): its
 * `played_by` file names the e2e test under tests/ that plays it; that test must exist and
 * name the scenario ("NAME" in its source), and the scenario must say `faces: [app-server]`.
 * 0 passed, 1 failed, 2 unreadable. */
static int do_played_by(const options *opt, const char *dir, const char *name) {
    bytes by;
    if (read_case_file(dir, "played_by", &by) != 0) {
        fprintf(stderr, "golden_cases: %s/played_by: %s\n", dir, strerror(errno));
        return 2;
    }
    by.p[strcspn(by.p, "\n")] = '\0';
    int result = 0;
    char *src = path_join(SOURCE_DIR "/tests", by.p);
    bytes text;
    char *quoted = malloc(strlen(name) + 3);
    sprintf(quoted, "\"%s\"", name);
    if (!appserver_only(opt->scenarios, name)) {
        printf("FAIL %s: a played_by case is for app-server-only scenarios; the scenario does not "
               "say `faces: [app-server]`\n",
               name);
        result = 1;
    } else if (!*by.p || strchr(by.p, '/') || read_file(src, &text) != 0) {
        printf("FAIL %s: played_by names '%s', not a file under tests/\n", name, by.p);
        result = 1;
    } else {
        if (!strstr(text.p, quoted)) {
            printf("FAIL %s: tests/%s does not play it (no %s in it)\n", name, by.p, quoted);
            result = 1;
        }
        bytes_free(&text);
    }
    if (result == 0 && !opt->update)
        printf("ok   %s (app-server only: played by tests/%s)\n", name, by.p);
    free(quoted);
    free(src);
    bytes_free(&by);
    return result;
}

/* A new case for a scenario that has none: the usual invocation, to be reviewed. */
static int write_skeleton(const char *cases, const char *name) {
    char *dir = path_join(cases, name);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "golden_cases: cannot create %s: %s\n", dir, strerror(errno));
        free(dir);
        return -1;
    }
    char env[512];
    snprintf(env, sizeof env,
             "CODEX_HOME={{HOME}}\nHOME={{ROOT}}\nTZ=UTC\nCODEX_MOCK_SCENARIO=%s\n"
             "CODEX_MOCK_SEED=7\nCODEX_MOCK_NOW=2026-11-21T07:38:03Z\nCODEX_MOCK_SPEED=0\n",
             name);
    const char *argv = "exec\n--json\nfix the failing test\n";
    int rc = write_if_changed(dir, "argv", argv, strlen(argv)) < 0 ||
                     write_if_changed(dir, "env", env, strlen(env)) < 0 ||
                     write_if_changed(dir, "stdin", "", 0) < 0
                 ? -1
                 : 0;
    if (rc == 0)
        printf("NEW  %s: a skeleton case; check that its argv shows what the scenario does\n",
               name);
    free(dir);
    return rc;
}

static bool same_outcome(const outcome *a, const outcome *b) {
    return a->out.len == b->out.len && memcmp(a->out.p, b->out.p, a->out.len) == 0 &&
           a->err.len == b->err.len && memcmp(a->err.p, b->err.p, a->err.len) == 0 &&
           strcmp(a->exit_text, b->exit_text) == 0;
}

/* One case: 0 passed (or updated), 1 failed, 2 unreadable. */
static int do_case(const options *opt, const char *cases, const char *name) {
    char *dir = path_join(cases, name);
    char *played_by = path_join(dir, "played_by");
    bool by_test = access(played_by, F_OK) == 0;
    free(played_by);
    if (by_test) {
        int r = do_played_by(opt, dir, name);
        free(dir);
        return r;
    }
    char *run_dirs[MAX_RUNS];
    int n_runs = 0;
    char *argv_path = path_join(dir, "argv");
    if (access(argv_path, F_OK) == 0) {
        run_dirs[n_runs++] = strdup(dir);
    } else {
        /* A multi-run case: subdirectories 1, 2, … played in order on one CODEX_HOME. */
        for (int i = 1; i <= MAX_RUNS; i++) {
            char sub[16];
            snprintf(sub, sizeof sub, "%d", i);
            if (!is_dir(dir, sub)) break;
            run_dirs[n_runs++] = path_join(dir, sub);
        }
    }
    free(argv_path);
    int result = 0;
    outcome first[MAX_RUNS], second[MAX_RUNS];
    memset(first, 0, sizeof first);
    memset(second, 0, sizeof second);
    if (n_runs == 0) {
        fprintf(stderr, "golden_cases: %s: neither an argv file nor run directories 1, 2, …\n",
                dir);
        result = 2;
    } else if (run_case(opt, name, run_dirs, n_runs, first) != 0) {
        result = 2;
    } else if (opt->update && run_case(opt, name, run_dirs, n_runs, second) != 0) {
        result = 2;
    }
    for (int r = 0; r < n_runs && result == 0; r++) {
        char title[PATH_MAX];
        if (n_runs > 1)
            snprintf(title, sizeof title, "%s/%d", name, r + 1);
        else
            snprintf(title, sizeof title, "%s", name);
        outcome *o = &first[r];
        if (o->timed_out || (opt->update && second[r].timed_out)) {
            printf("FAIL %s: still running after %d ms (a case that never ends needs a `signal` "
                   "file)\n",
                   title, RUN_TIMEOUT_MS);
            result = 1;
            continue;
        }
        if (opt->update) {
            if (!same_outcome(o, &second[r])) {
                printf("FAIL %s: two runs printed different bytes; not written\n", title);
                bytediff_report(stdout, "stdout (run 1 vs run 2)", o->out.p, o->out.len,
                                second[r].out.p, second[r].out.len);
                bytediff_report(stdout, "stderr (run 1 vs run 2)", o->err.p, o->err.len,
                                second[r].err.p, second[r].err.len);
                result = 1;
                continue;
            }
            int a = write_if_changed(run_dirs[r], "stdout", o->out.p, o->out.len);
            int b = write_if_changed(run_dirs[r], "stderr", o->err.p, o->err.len);
            int c = write_if_changed(run_dirs[r], "exit", o->exit_text, strlen(o->exit_text));
            if (a < 0 || b < 0 || c < 0)
                result = 2;
            else if (a || b || c)
                printf("UPDATED %s%s%s%s\n", title, a ? " stdout" : "", b ? " stderr" : "",
                       c ? " exit" : "");
            continue;
        }
        bool ok = check_file(run_dirs[r], title, "stdout", o->out.p, o->out.len);
        ok = check_file(run_dirs[r], title, "stderr", o->err.p, o->err.len) && ok;
        ok = check_file(run_dirs[r], title, "exit", o->exit_text, strlen(o->exit_text)) && ok;
        if (!ok) {
            printf("FAIL %s\n", title);
            result = 1;
        }
    }
    if (result == 0 && !opt->update) printf("ok   %s\n", name);
    for (int r = 0; r < n_runs; r++) {
        outcome_free(&first[r]);
        outcome_free(&second[r]);
        free(run_dirs[r]);
    }
    free(dir);
    return result;
}

static bool wanted(int argc, char **argv, int first, const char *name) {
    if (first >= argc) return true;
    for (int i = first; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return true;
    return false;
}

int main(int argc, char **argv) {
    options opt = {CODEX_BIN, false, NULL};
    const char *cases = SOURCE_DIR "/tests/cases";
    const char *scenarios = SCENARIO_DIR;
    const char *u = getenv("CODEX_MOCK_UPDATE_CASES");
    if (u && strcmp(u, "1") == 0) opt.update = true;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--update") == 0) {
            opt.update = true;
        } else if (i + 1 < argc && strcmp(argv[i], "--cases") == 0) {
            cases = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--scenarios") == 0) {
            scenarios = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--codex") == 0) {
            opt.codex = argv[++i];
        } else {
            fprintf(stderr, "usage: golden_cases [--update] [--cases DIR] [--scenarios DIR] "
                            "[--codex BIN] [NAME...]\n");
            return 2;
        }
    }
    /* The time scale is read before the environment is emptied: each run gets exactly its
     * case's `env`, nothing inherited from whoever started the tests. */
    proc_time_scale();
    static char *no_env[] = {NULL};
    environ = no_env; /* clearenv() would leave it NULL, which proc_run does not expect */

    char **sc = NULL, **cs = NULL;
    opt.scenarios = scenarios;
    int n_sc = list_dir(scenarios, is_yaml, &sc);
    if (n_sc < 0) {
        fprintf(stderr, "golden_cases: cannot list %s: %s\n", scenarios, strerror(errno));
        return 2;
    }
    int failed = 0, unreadable = 0, passed = 0;
    /* Every scenario has a case of the same name. */
    for (int k = 0; k < n_sc; k++) {
        sc[k][strlen(sc[k]) - 5] = '\0';
        if (!wanted(argc, argv, i, sc[k]) || is_dir(cases, sc[k])) continue;
        if (appserver_only(scenarios, sc[k])) {
            /* the driver plays exec runs: an app-server scenario names the test that plays it */
            printf("FAIL %s: app-server only; it needs tests/cases/%s/played_by naming the e2e "
                   "test that plays it\n",
                   sc[k], sc[k]);
            failed++;
        } else if (opt.update) {
            if (write_skeleton(cases, sc[k]) != 0) unreadable++;
        } else {
            printf("FAIL %s: scenarios/%s.yaml has no case tests/cases/%s (tests/update-cases "
                   "writes a skeleton)\n",
                   sc[k], sc[k], sc[k]);
            failed++;
        }
    }
    int n_cs = list_dir(cases, is_dir, &cs);
    if (n_cs < 0) {
        fprintf(stderr, "golden_cases: cannot list %s: %s\n", cases, strerror(errno));
        return 2;
    }
    /* The cases run JOBS at a time, each in a child process whose report goes to a file of
     * its own; the reports are printed in the cases' order. Most of a case is waiting (for a
     * process to start, for a signal's moment), so this is what keeps the suite fast. */
    pid_t *pids = calloc((size_t)n_cs + 1, sizeof *pids);
    FILE **reports = calloc((size_t)n_cs + 1, sizeof *reports);
    int running = 0, next_report = 0;
    for (int k = 0; k <= n_cs; k++) {
        while (running > 0 && (running >= JOBS || k == n_cs)) {
            /* collect the oldest case still running, and print its report */
            while (next_report < k && !pids[next_report])
                next_report++;
            int status = 0;
            waitpid(pids[next_report], &status, 0);
            running--;
            int r = WIFEXITED(status) ? WEXITSTATUS(status) : 2;
            rewind(reports[next_report]);
            char chunk[4096];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, reports[next_report])) > 0)
                fwrite(chunk, 1, got, stdout);
            fclose(reports[next_report]);
            pids[next_report++] = 0;
            if (r == 0) passed++;
            if (r == 1) failed++;
            if (r >= 2) unreadable++;
        }
        if (k == n_cs || !wanted(argc, argv, i, cs[k])) continue;
        fflush(stdout);
        fflush(stderr);
        reports[k] = tmpfile();
        pid_t pid = reports[k] ? fork() : -1;
        if (pid < 0) {
            perror("golden_cases: fork");
            return 2;
        }
        if (pid == 0) {
            dup2(fileno(reports[k]), 1);
            dup2(fileno(reports[k]), 2);
            int r = do_case(&opt, cases, cs[k]);
            fflush(stdout);
            fflush(stderr);
            /* the parent's bookkeeping, freed here too (valgrind counts a child's leaks) */
            free(pids);
            free(reports);
            free_list(sc, n_sc);
            free_list(cs, n_cs);
            _exit(r);
        }
        pids[k] = pid;
        running++;
    }
    free(pids);
    free(reports);
    for (int k = i; k < argc; k++) {
        if (!is_dir(cases, argv[k])) {
            fprintf(stderr, "golden_cases: no case named %s\n", argv[k]);
            unreadable++;
        }
    }
    printf("%d case(s) %s, %d failed, %d unreadable\n", passed, opt.update ? "checked" : "passed",
           failed, unreadable);
    free_list(sc, n_sc);
    free_list(cs, n_cs);
    return unreadable ? 2 : failed ? 1 : 0;
}

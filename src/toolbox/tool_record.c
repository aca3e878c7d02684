/* tool_record — `codex-mock record`: options, the real CLI's whereabouts, the session file it
 * wrote, secret scrubbing, and the recording directory (see tool_record.h). */
#include "tool_record.h"
#include "fileio.h"
#include "layout.h"
#include "clock.h"
#include "death.h"
#include "exitcodes.h"
#include "record.h"
#include "record_appserver.h"
#include "recording.h"
#include "scrub.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char RECORD_USAGE[] =
    "Usage: codex-mock record [--out DIR] [--filter NAME=REGEX]... [--filter-file FILE]\n"
    "                         [--no-scrub] [--name NAME] [--app-server] -- codex exec ...\n"
    "       codex-mock record [options] -- codex app-server [...]\n";

/* ---------------------------------------------------------------- session files */

typedef struct {
    char *path;
    long long mtime_ns;
    long long size;
} file_stamp;

typedef struct {
    file_stamp *v;
    size_t n;
} file_list;

static void list_files(const char *dir, file_list *out) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) {
            free(p);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            list_files(p, out);
            free(p);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (!S_ISREG(st.st_mode) || n < 6 || strcmp(e->d_name + n - 6, ".jsonl")) {
            free(p);
            continue;
        }
        out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
        out->v[out->n++] =
            (file_stamp){p, (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                         (long long)st.st_size};
    }
    closedir(d);
}

static void files_free(file_list *l) {
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
}

static int stamp_cmp(const void *a, const void *b) {
    return strcmp(((const file_stamp *)a)->path, ((const file_stamp *)b)->path);
}

static char *sessions_dir(char *const *env);

/* The session files that appeared (or grew: `exec resume` appends) during the run; the newest
 * in *newest (NULL when none). Sorts `before` by path: a ~/.codex/sessions of thousands of
 * files is looked up, not scanned once per file. `changed` (may be NULL) gets every one, in
 * path order, as heap strings. */
static char *new_session_files(file_list *before, file_list *after, char ***changed,
                               size_t *n_changed) {
    if (before->n) qsort(before->v, before->n, sizeof *before->v, stamp_cmp);
    if (after->n) qsort(after->v, after->n, sizeof *after->v, stamp_cmp);
    const file_stamp *best = NULL;
    for (size_t i = 0; i < after->n; i++) {
        const file_stamp *a = &after->v[i];
        const file_stamp *b =
            before->n ? bsearch(a, before->v, before->n, sizeof *before->v, stamp_cmp) : NULL;
        bool is_new = !b || b->mtime_ns != a->mtime_ns || b->size != a->size;
        if (is_new && (!best || a->mtime_ns > best->mtime_ns)) best = a;
        if (is_new && changed) {
            *changed = xrealloc(*changed, (*n_changed + 1) * sizeof **changed);
            (*changed)[(*n_changed)++] = xstrdup(a->path);
        }
    }
    return best ? xstrdup(best->path) : NULL;
}

/* CODEX_HOME/config.toml (else ~/.codex/config.toml) as it is now, or NULL. */
static char *read_config(char *const *env, size_t *len) {
    char *sess = sessions_dir(env);
    char *slash = strrchr(sess, '/');
    if (slash) *slash = '\0';
    char *path = xasprintf("%s/config.toml", sess);
    char *data = fileio_read_file(path, 0, len);
    free(path);
    free(sess);
    return data;
}

static char *sessions_dir(char *const *env) {
    const char *home = NULL, *codex_home = NULL;
    for (size_t i = 0; env[i]; i++) {
        if (!strncmp(env[i], "CODEX_HOME=", 11)) codex_home = env[i] + 11;
        if (!strncmp(env[i], "HOME=", 5)) home = env[i] + 5;
    }
    if (codex_home && *codex_home) return xasprintf("%s/sessions", codex_home);
    return xasprintf("%s/.codex/sessions", home ? home : ".");
}

/* ---------------------------------------------------------------- argv */

/* The -o / --output-last-message value of a codex argv, or NULL. */
static const char *last_message_arg(char *const *argv) {
    for (size_t i = 1; argv[i]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) break;
        if ((!strcmp(a, "-o") || !strcmp(a, "--output-last-message")) && argv[i + 1])
            return argv[i + 1];
        if (!strncmp(a, "--output-last-message=", 22)) return a + 22;
        if (!strncmp(a, "-o", 2) && a[2] && a[1] != '-') return a + 2;
    }
    return NULL;
}

static bool env_kept(const char *name) {
    static const char *const exact[] = {"HOME", "USER",     "LANG",     "LC_ALL", "TERM",
                                        "TZ",   "NO_COLOR", "RUST_LOG", NULL};
    for (size_t i = 0; exact[i]; i++)
        if (!strcmp(name, exact[i])) return true;
    if (!strncmp(name, "CODEX_MOCK_", 11)) return false;
    return !strncmp(name, "CODEX_", 6) || !strncmp(name, "OPENAI_", 7);
}

static char *scrubbed(const scrubber *s, bool on, const char *text, size_t len, size_t *out_len) {
    if (!on) {
        if (out_len) *out_len = len;
        return xstrndup(text, len);
    }
    return scrub_apply(s, text, len, out_len);
}

static void scrub_stream(const scrubber *s, rec_stream *st) {
    rec_stream fresh = {0};
    buf_init(&fresh.bytes);
    for (size_t i = 0; i < st->n_lines; i++) {
        const rec_line *l = &st->lines[i];
        size_t n;
        char *line = scrub_apply(s, st->bytes.data + l->off, l->len, &n);
        rec_stream_feed(&fresh, line, n, l->t);
        free(line);
    }
    if (st->n_lines) rec_stream_finish(&fresh, st->lines[st->n_lines - 1].t);
    buf_free(&st->bytes);
    free(st->lines);
    *st = fresh;
}

static void print_diag(diag *d) {
    diag_print(d, stderr);
    diag_free(d);
}

/* ---------------------------------------------------------------- the command */

/* What the recorder exits with once the recording is written (rc 0) or not. */
static int finish(int rc, int code, diag *err) {
    if (rc < 0) {
        fputs("codex-mock record: ", stderr);
        print_diag(err);
        return EXIT_MOCK_ERROR;
    }
    if (code < 0) { /* die the way the recorded CLI died */
        fflush(stdout);
        die_by_signal(-code);
        return 128 - code;
    }
    return code;
}

/* An app-server recording: the session files read and named, then record_appserver.h. */
static int write_appserver(const recording *r, const record_transcript *tx, const scrubber *s,
                           const char *config, size_t config_len, char **files, size_t n_files,
                           const char *out_dir, diag *err) {
    rec_blob *blobs = xcalloc(n_files + 1, sizeof *blobs);
    size_t n = 0;
    for (size_t k = 0; k < n_files; k++) {
        size_t len;
        char *data = fileio_read_file(files[k], 0, &len);
        if (!data) continue;
        const char *base = strrchr(files[k], '/');
        blobs[n++] = (rec_blob){xstrdup(base ? base + 1 : files[k]), data, len};
    }
    appserver_recording a = {.r = r,
                             .tx = tx,
                             .scrub = s,
                             .config_toml = config,
                             .config_len = config_len,
                             .rollouts = blobs,
                             .n_rollouts = n};
    int rc = record_appserver_write(&a, out_dir, err);
    for (size_t k = 0; k < n; k++) {
        free(blobs[k].name);
        free(blobs[k].data);
    }
    free(blobs);
    return rc;
}

int tool_record(int argc, char **argv, char *const *env) {
    const char *out_dir = NULL, *name = NULL;
    bool scrub_on = true, force_appserver = false;
    scrubber s;
    scrub_init(&s);
    diag err;
    diag_init(&err);
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-') break;
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((!strcmp(a, "--out") || !strcmp(a, "-o")) && v) {
            out_dir = v, i++;
        } else if (!strcmp(a, "--name") && v) {
            name = v, i++;
        } else if (!strcmp(a, "--filter") && v) {
            if (scrub_add_filter(&s, v, &err) < 0) {
                print_diag(&err);
                scrub_free(&s);
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--filter-file") && v) {
            if (scrub_add_file(&s, v, &err) < 0) {
                print_diag(&err);
                scrub_free(&s);
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--no-scrub")) {
            scrub_on = false;
        } else if (!strcmp(a, "--app-server")) {
            force_appserver = true;
        } else {
            fprintf(stderr, "codex-mock record: unknown option or missing value: %s\n\n%s", a,
                    RECORD_USAGE);
            scrub_free(&s);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "codex-mock record: give the command to record after --\n\n%s",
                RECORD_USAGE);
        scrub_free(&s);
        return EXIT_USAGE;
    }
    char **cmd = argv + i;
    if (scrub_on) scrub_defaults(&s, env);

    /* the fake `codex` beside this toolbox, or in <prefix>/lib/codex-mock/bin (layout.h) */
    char *own = exe_dir(), *self_dir = layout_fake_dir(own);
    if (!self_dir) self_dir = own, own = NULL;
    free(own);
    const char *path = NULL, *override = NULL;
    for (size_t k = 0; env[k]; k++) {
        if (!strncmp(env[k], "PATH=", 5)) path = env[k] + 5;
        if (!strncmp(env[k], "CODEX_MOCK_REAL_CODEX=", 22)) override = env[k] + 22;
    }
    if (strcmp(cmd[0], "codex") != 0) override = NULL; /* the override names the real codex */
    char *program = record_find_program(cmd[0], path, self_dir, override);
    free(self_dir);
    if (!program) {
        fprintf(stderr,
                "codex-mock record: '%s' was not found on PATH (the fake codex's directory is "
                "skipped); install the real CLI or set CODEX_MOCK_REAL_CODEX\n",
                cmd[0]);
        scrub_free(&s);
        return EXIT_MOCK_ERROR;
    }

    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *default_out = xasprintf("codex-recording-%s", stamp);
    if (!out_dir) out_dir = default_out;

    bool appserver = force_appserver || record_is_appserver(cmd);
    if (appserver && record_dir_taken(out_dir)) { /* refused before the session, not after */
        fprintf(stderr, "codex-mock record: %s: already holds a recording; choose another --out\n",
                out_dir);
        free(program);
        free(default_out);
        scrub_free(&s);
        return EXIT_MOCK_ERROR;
    }
    size_t config_len = 0;
    char *config = appserver ? read_config(env, &config_len) : NULL;
    record_transcript tx;
    record_transcript_init(&tx);

    char *sess = sessions_dir(env);
    file_list before = {0}, after = {0};
    list_files(sess, &before);

    recording r;
    recording_init(&r);
    record_params rp = {
        .program = program,
        .argv = cmd,
        .clock = clock_system(),
        .in_fd = STDIN_FILENO,
        .out_fd = STDOUT_FILENO,
        .err_fd = STDERR_FILENO,
        .progress_fd = isatty(STDERR_FILENO) ? STDERR_FILENO : -1,
        .progress_label = out_dir,
        .tx = appserver ? &tx : NULL,
    };
    signal(SIGPIPE, SIG_IGN);
    int rc = record_run(&rp, &r, &err);
    free(program);
    if (rc < 0) {
        fputs("codex-mock record: ", stderr);
        print_diag(&err);
        recording_free(&r);
        record_transcript_free(&tx);
        free(config);
        files_free(&before);
        free(sess);
        free(default_out);
        scrub_free(&s);
        return EXIT_MOCK_ERROR;
    }
    list_files(sess, &after);
    char **changed = NULL;
    size_t n_changed = 0;
    char *rollout = new_session_files(&before, &after, appserver ? &changed : NULL, &n_changed);
    files_free(&before);
    files_free(&after);
    free(sess);

    /* what the recording keeps besides the streams */
    for (char **p = cmd; *p; p++)
        r.argc++;
    r.argv = xcalloc(r.argc + 1, sizeof(char *));
    for (size_t k = 0; k < r.argc; k++)
        r.argv[k] = scrubbed(&s, scrub_on, cmd[k], strlen(cmd[k]), NULL);
    char cwd[PATH_MAX];
    r.cwd = xstrdup(getcwd(cwd, sizeof cwd) ? cwd : ".");
    for (size_t k = 0; env[k]; k++) {
        const char *eq = strchr(env[k], '=');
        if (!eq) continue;
        char *n = xstrndup(env[k], (size_t)(eq - env[k]));
        if (!env_kept(n)) {
            free(n);
            continue;
        }
        r.env = xrealloc(r.env, (r.n_env + 1) * sizeof *r.env);
        r.env[r.n_env].name = n;
        r.env[r.n_env].value = scrub_on && scrub_sensitive_name(n)
                                   ? xasprintf("<%s>", n)
                                   : scrubbed(&s, scrub_on, eq + 1, strlen(eq + 1), NULL);
        r.n_env++;
    }
    r.json_mode = false;
    for (size_t k = 1; k < r.argc; k++)
        if (!strcmp(r.argv[k], "--json") || !strcmp(r.argv[k], "--experimental-json"))
            r.json_mode = true;
    r.name = xstrdup(name ? name : "recording");
    if (r.stdin_text) {
        char *t = scrubbed(&s, scrub_on, r.stdin_text, r.stdin_len, &r.stdin_len);
        free(r.stdin_text);
        r.stdin_text = t;
    }
    if (appserver) {
        rc = write_appserver(&r, &tx, scrub_on ? &s : NULL, config, config_len, changed, n_changed,
                             out_dir, &err);
        for (size_t k = 0; k < n_changed; k++)
            free(changed[k]);
        free(changed);
        free(config);
        free(rollout);
        record_transcript_free(&tx);
        int acode = r.exit_code;
        recording_free(&r);
        free(default_out);
        scrub_free(&s);
        return finish(rc, acode, &err);
    }
    if (scrub_on) {
        scrub_stream(&s, &r.out);
        scrub_stream(&s, &r.err);
    }
    if (rollout) {
        size_t len;
        char *data = fileio_read_file(rollout, 0, &len);
        if (data) {
            const char *base = strrchr(rollout, '/');
            r.rollout_name = xstrdup(base ? base + 1 : rollout);
            r.rollout_data = scrubbed(&s, scrub_on, data, len, &r.rollout_len);
            free(data);
        }
        free(rollout);
    }
    const char *lm = last_message_arg(cmd);
    if (lm) {
        size_t len;
        char *data = fileio_read_file(lm, 0, &len);
        if (data) {
            r.last_message = scrubbed(&s, scrub_on, data, len, &r.last_message_len);
            free(data);
        }
    }
    rc = recording_write_dir(&r, out_dir, &err);
    int code = r.exit_code;
    recording_free(&r);
    record_transcript_free(&tx);
    free(default_out);
    scrub_free(&s);
    return finish(rc, code, &err);
}

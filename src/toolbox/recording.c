#include "recording.h"
#include "fileio.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void recording_init(recording *r) {
    memset(r, 0, sizeof *r);
    buf_init(&r->out.bytes);
    buf_init(&r->err.bytes);
    r->duration_t = -1;
}

static void stream_free(rec_stream *s) {
    buf_free(&s->bytes);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

void recording_free(recording *r) {
    for (size_t i = 0; i < r->argc; i++)
        free(r->argv[i]);
    free(r->argv);
    for (size_t i = 0; i < r->n_env; i++) {
        free(r->env[i].name);
        free(r->env[i].value);
    }
    free(r->env);
    free(r->cwd);
    free(r->stdin_text);
    stream_free(&r->out);
    stream_free(&r->err);
    free(r->signal_name);
    free(r->name);
    free(r->description);
    free(r->rollout_path);
    free(r->rollout_name);
    free(r->rollout_data);
    free(r->last_message);
    free(r->codex_version);
    memset(r, 0, sizeof *r);
}

static void push_line(rec_stream *s, size_t off, size_t len, int64_t t) {
    if (s->n_lines == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->lines = xrealloc(s->lines, s->cap * sizeof *s->lines);
    }
    s->lines[s->n_lines++] = (rec_line){t, off, len};
}

/* Start of the line not yet stamped. */
static size_t pending_start(const rec_stream *s) {
    if (!s->n_lines) return 0;
    const rec_line *l = &s->lines[s->n_lines - 1];
    return l->off + l->len;
}

void rec_stream_feed(rec_stream *s, const char *p, size_t n, int64_t t) {
    size_t base = s->bytes.len;
    buf_append(&s->bytes, p, n);
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n') continue;
        size_t start = pending_start(s);
        push_line(s, start, base + i + 1 - start, t);
    }
}

void rec_stream_finish(rec_stream *s, int64_t t) {
    size_t start = pending_start(s);
    if (start < s->bytes.len) push_line(s, start, s->bytes.len - start, t);
}

int recording_write_file(const char *path, const char *data, size_t len, diag *err) {
    if (fileio_write_atomic(path, data, len, 0644) == 0) return 0;
    diag_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
    return -1;
}

static const struct {
    int sig;
    const char *name;
} SIGNALS[] = {{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"},
               {SIGILL, "SIGILL"},   {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},
               {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
               {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
               {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}};

int signal_number(const char *name) {
    if (!name) return 0;
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
        if (!strcmp(name, SIGNALS[i].name) || !strcmp(name, SIGNALS[i].name + 3))
            return SIGNALS[i].sig;
    return 0;
}

const char *signal_name_of(int sig) {
    for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++)
        if (SIGNALS[i].sig == sig) return SIGNALS[i].name;
    return NULL;
}

/* ---------------------------------------------------------------- loading */

static char *path_join(const char *dir, const char *name) {
    return xasprintf("%s/%s", dir, name);
}

static int64_t ms_to_t(double ms) {
    return (int64_t)llround(ms * 10.0);
}

/* Splits bytes into lines and stamps them from the timing file's rows (or 0 without one).
 * Messages name the files as DIR/NAME. */
static int load_stream(rec_stream *s, const rec_file *bytes, const rec_file *timing_file,
                       const char *dir, const char *bytes_name, const char *timing_name,
                       bool *has_timing, diag *err) {
    if (!bytes->data) return 0; /* an absent stream is empty */
    buf_append(&s->bytes, bytes->data, bytes->len);
    size_t start = 0;
    for (size_t i = 0; i < s->bytes.len; i++)
        if (s->bytes.data[i] == '\n') push_line(s, start, i + 1 - start, 0), start = i + 1;
    if (start < s->bytes.len) push_line(s, start, s->bytes.len - start, 0);
    if (!timing_file->data) {
        if (s->n_lines) *has_timing = false;
        return 0;
    }
    /* Rows end at LF only; after the time, a row holds its line's bytes, which may be anything
     * but LF (NUL, CR, ESC, invalid UTF-8), so only the number is read, from a copy. */
    const char *timing = timing_file->data, *tend = timing + timing_file->len;
    size_t row = 0;
    bool header = true;
    for (const char *p = timing; p < tend;) {
        const char *nl = memchr(p, '\n', (size_t)(tend - p));
        const char *end = nl ? nl : tend;
        if (header) {
            header = false;
        } else if (end > p) {
            char num[64];
            size_t nlen = 0;
            while (p + nlen < end && p[nlen] != '\t' && nlen < sizeof num - 1)
                nlen++;
            memcpy(num, p, nlen);
            num[nlen] = '\0';
            char *num_end = NULL;
            double ms = strtod(num, &num_end);
            if (nlen == 0 || num_end != num + nlen || (p + nlen < end && p[nlen] != '\t')) {
                char *tp = path_join(dir, timing_name);
                diag_set(err, tp, (int)row + 2, 1, "expected `ms<TAB>line`");
                free(tp);
                return -1;
            }
            if (row < s->n_lines) s->lines[row].t = ms_to_t(ms);
            row++;
        }
        p = nl ? nl + 1 : end;
    }
    if (row != s->n_lines) {
        char *tp = path_join(dir, timing_name), *bp = path_join(dir, bytes_name);
        diag_set(err, tp, 0, 0, "has %zu timing rows but %s has %zu lines", row, bp, s->n_lines);
        free(tp);
        free(bp);
        return -1;
    }
    return 0;
}

static char *json_str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static int load_argv_json(recording *r, const rec_file *f, const char *path, diag *err) {
    cJSON *root = cJSON_ParseWithLength(f->data, f->len);
    const cJSON *argv = root ? cJSON_GetObjectItemCaseSensitive(root, "argv") : NULL;
    if (!cJSON_IsArray(argv)) {
        diag_set(err, path, 0, 0, "expected a JSON object with an \"argv\" array");
        cJSON_Delete(root);
        return -1;
    }
    int n = cJSON_GetArraySize(argv), skip = 0;
    const cJSON *a0 = cJSON_GetArrayItem(argv, 0);
    if (cJSON_IsString(a0) && !strcmp(a0->valuestring, "timeout")) {
        /* timeout [-k DUR] [-s SIG] [--foreground …] DURATION COMMAND… */
        skip = 1;
        while (skip < n) {
            const cJSON *a = cJSON_GetArrayItem(argv, skip);
            if (!cJSON_IsString(a) || a->valuestring[0] != '-') break;
            bool takes = !strcmp(a->valuestring, "-k") || !strcmp(a->valuestring, "-s") ||
                         !strcmp(a->valuestring, "--kill-after") ||
                         !strcmp(a->valuestring, "--signal");
            skip += takes ? 2 : 1;
        }
        skip++; /* the duration */
    }
    r->argv = xcalloc((size_t)(n > skip ? n - skip : 0) + 1, sizeof(char *));
    for (int i = skip; i < n; i++) {
        const cJSON *a = cJSON_GetArrayItem(argv, i);
        r->argv[r->argc++] = xstrdup(cJSON_IsString(a) ? a->valuestring : "");
    }
    r->cwd = json_str(root, "cwd");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(root, "stdin");
    if (cJSON_IsString(in)) {
        r->stdin_text = xstrdup(in->valuestring);
        r->stdin_len = strlen(in->valuestring);
    }
    r->stdin_tty = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "stdin_tty"));
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(root, "env"), *e;
    size_t ne = cJSON_IsObject(env) ? (size_t)cJSON_GetArraySize(env) : 0;
    r->env = xcalloc(ne + 1, sizeof *r->env);
    cJSON_ArrayForEach(e, env) {
        if (!cJSON_IsString(e)) continue;
        r->env[r->n_env].name = xstrdup(e->string);
        r->env[r->n_env].value = xstrdup(e->valuestring);
        r->n_env++;
    }
    cJSON_Delete(root);
    return 0;
}

/* meta.json of this run: its runs[run - 1] entry. */
static void load_meta(recording *r, const rec_file *f, int run) {
    if (!f->data) return;
    cJSON *root = cJSON_ParseWithLength(f->data, f->len);
    if (!root) return;
    r->name = json_str(root, "scenario");
    r->description = json_str(root, "description");
    r->codex_version = json_str(root, "codex_version");
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
    const cJSON *mine = cJSON_GetArrayItem(runs, run - 1);
    if (cJSON_IsObject(mine)) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(mine, "duration_ms");
        if (cJSON_IsNumber(d)) r->duration_t = ms_to_t(d->valuedouble);
        const cJSON *sig = cJSON_GetObjectItemCaseSensitive(mine, "signal_sent");
        if (cJSON_IsObject(sig)) {
            r->signal_name = json_str(sig, "name");
            const cJSON *at = cJSON_GetObjectItemCaseSensitive(sig, "sent_at_ms");
            if (!cJSON_IsNumber(at)) at = cJSON_GetObjectItemCaseSensitive(sig, "after_ms");
            if (cJSON_IsNumber(at)) r->signal_after_t = ms_to_t(at->valuedouble);
        }
    }
    cJSON_Delete(root);
}

static char *find_rollout(const char *dir) {
    char *rdir = path_join(dir, "rollout");
    DIR *d = opendir(rdir);
    char *found = NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n > 6 && !strcmp(e->d_name + n - 6, ".jsonl") && !found)
                found = path_join(rdir, e->d_name);
        }
        closedir(d);
    }
    free(rdir);
    return found;
}

int recording_load_files(const recording_files *f, recording *r, diag *err) {
    recording_init(r);
    const char *dir = f->dir ? f->dir : "<recording>";
    if (!f->argv_json.data) {
        diag_set(err, dir, 0, 0, "no argv.json: not a recording made by `codex-mock record`");
        return -1;
    }
    char *argv_path = path_join(dir, "argv.json");
    int rc = load_argv_json(r, &f->argv_json, argv_path, err);
    free(argv_path);
    if (rc < 0) return -1;
    r->json_mode = f->stdout_jsonl.data != NULL;
    r->has_timing = f->stdout_timing.data || f->stderr_timing.data;
    bool timing_ok = true;
    rc = load_stream(&r->out, r->json_mode ? &f->stdout_jsonl : &f->stdout_txt, &f->stdout_timing,
                     dir, r->json_mode ? "stdout.jsonl" : "stdout.txt", "stdout_timing.tsv",
                     &timing_ok, err);
    if (rc == 0)
        rc = load_stream(&r->err, &f->stderr_txt, &f->stderr_timing, dir, "stderr.txt",
                         "stderr_timing.tsv", &timing_ok, err);
    if (!timing_ok) r->has_timing = false;
    if (rc < 0) return -1;
    if (f->exit_code.data) {
        char *ec = xstrndup(f->exit_code.data, f->exit_code.len);
        char *end;
        long v = strtol(ec, &end, 10);
        if (end != ec) r->has_exit = true, r->exit_code = (int)v;
        free(ec);
    }
    load_meta(r, &f->meta_json, f->run > 0 ? f->run : 1);
    if (f->last_message.data) {
        r->last_message = xstrndup(f->last_message.data, f->last_message.len);
        r->last_message_len = f->last_message.len;
    }
    return 0;
}

/* Reads DIR/NAME into *f (data NULL when it cannot be read). */
static void read_into(rec_file *f, const char *dir, const char *name) {
    char *path = path_join(dir, name);
    size_t len = 0;
    f->data = fileio_read_file(path, 0, &len);
    f->len = len;
    free(path);
}

int recording_load_dir(const char *dir_arg, recording *r, diag *err) {
    recording_init(r);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", dir_arg);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
        dir[n - 1] = '\0';
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_set(err, dir, 0, 0, "not a recording directory");
        return -1;
    }
    char *argv_path = path_join(dir, "argv.json");
    if (access(argv_path, F_OK) != 0) {
        char *run1 = path_join(dir, "run1");
        bool multi = access(run1, F_OK) == 0;
        free(run1);
        if (multi)
            diag_set(err, dir, 0, 0,
                     "holds several runs (run1/, run2/, …): convert each run folder on its own");
        else
            diag_set(err, dir, 0, 0, "no argv.json: not a recording made by `codex-mock record`");
        free(argv_path);
        return -1;
    }
    recording_files f = {.dir = dir, .run = 1};
    read_into(&f.argv_json, dir, "argv.json");
    if (!f.argv_json.data) {
        diag_set(err, argv_path, 0, 0, "cannot read: %s", strerror(errno));
        free(argv_path);
        return -1;
    }
    free(argv_path);
    read_into(&f.stdout_jsonl, dir, "stdout.jsonl");
    if (!f.stdout_jsonl.data) read_into(&f.stdout_txt, dir, "stdout.txt");
    read_into(&f.stdout_timing, dir, "stdout_timing.tsv");
    read_into(&f.stderr_txt, dir, "stderr.txt");
    read_into(&f.stderr_timing, dir, "stderr_timing.tsv");
    read_into(&f.exit_code, dir, "exit_code");
    read_into(&f.last_message, dir, "collected_last_message.txt");
    /* meta.json: in the folder, or (for runN/) in its parent, runs[N-1] */
    read_into(&f.meta_json, dir, "meta.json");
    if (!f.meta_json.data) {
        const char *base = strrchr(dir, '/');
        base = base ? base + 1 : dir;
        if (strncmp(base, "run", 3) == 0 && atoi(base + 3) > 0) {
            f.run = atoi(base + 3);
            char *parent = xstrndup(dir, (size_t)(base - dir));
            read_into(&f.meta_json, *parent ? parent : ".", "meta.json");
            free(parent);
        }
    }
    int rc = recording_load_files(&f, r, err);
    rec_file *all[] = {&f.argv_json,     &f.stdout_jsonl, &f.stdout_txt,
                       &f.stdout_timing, &f.stderr_txt,   &f.stderr_timing,
                       &f.exit_code,     &f.meta_json,    &f.last_message};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free((char *)all[i]->data);
    if (rc < 0) return -1;
    r->rollout_path = find_rollout(dir);
    return 0;
}

void recording_load_capture_mem(const char *data, size_t len, recording *r) {
    recording_init(r);
    rec_stream_feed(&r->out, data, len, 0);
    rec_stream_finish(&r->out, 0);
    r->json_mode = true;
    r->has_timing = false;
}

int recording_load_capture(const char *path, recording *r, diag *err) {
    recording_init(r);
    size_t len;
    char *data = fileio_read_file(path, 0, &len);
    if (!data) {
        diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    recording_load_capture_mem(data, len, r);
    free(data);
    return 0;
}

/* ---------------------------------------------------------------- writing */

void recording_timing_tsv(buf *b, const rec_stream *s) {
    buf_puts(b, "ms_since_spawn\tline\n");
    for (size_t i = 0; i < s->n_lines; i++) {
        const rec_line *l = &s->lines[i];
        size_t n = l->len;
        if (n && s->bytes.data[l->off + n - 1] == '\n') n--;
        buf_printf(b, "%lld.%lld\t", (long long)(l->t / 10), (long long)(l->t % 10));
        buf_append(b, s->bytes.data + l->off, n);
        buf_putc(b, '\n');
    }
}

static int mkdirs(const char *dir, diag *err) {
    if (fileio_mkdirs(dir, 0755) == 0) return 0;
    diag_set(err, dir, 0, 0, "cannot create the directory: %s", strerror(errno));
    return -1;
}

static int write_text(const char *dir, const char *name, const char *data, size_t len, diag *err) {
    char *path = path_join(dir, name);
    int rc = recording_write_file(path, data, len, err);
    free(path);
    return rc;
}

static int write_json(const char *dir, const char *name, cJSON *root, diag *err) {
    char *text = cJSON_Print(root);
    char *with_nl = xasprintf("%s\n", text);
    int rc = write_text(dir, name, with_nl, strlen(with_nl), err);
    cJSON_free(text);
    free(with_nl);
    return rc;
}

static cJSON *meta_json(const recording *r) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", r->name ? r->name : "recording");
    cJSON_AddStringToObject(root, "description",
                            r->description ? r->description : "Recorded with codex-mock record.");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON_AddNumberToObject(run, "run", 1);
    cJSON_AddNumberToObject(run, "exit_code", r->exit_code);
    if (r->duration_t >= 0) cJSON_AddNumberToObject(run, "duration_ms", (double)r->duration_t / 10);
    cJSON *events = cJSON_CreateArray();
    cJSON *thread_id = cJSON_CreateNull();
    for (size_t i = 0; r->json_mode && i < r->out.n_lines; i++) {
        const rec_line *l = &r->out.lines[i];
        cJSON *ev = cJSON_ParseWithLength(r->out.bytes.data + l->off, l->len);
        const cJSON *type = ev ? cJSON_GetObjectItemCaseSensitive(ev, "type") : NULL;
        if (cJSON_IsString(type)) {
            const cJSON *item = cJSON_GetObjectItemCaseSensitive(ev, "item");
            const cJSON *it = item ? cJSON_GetObjectItemCaseSensitive(item, "type") : NULL;
            char *name = cJSON_IsString(it) ? xasprintf("%s:%s", type->valuestring, it->valuestring)
                                            : xstrdup(type->valuestring);
            cJSON_AddItemToArray(events, cJSON_CreateString(name));
            free(name);
            const cJSON *tid = cJSON_GetObjectItemCaseSensitive(ev, "thread_id");
            if (cJSON_IsString(tid) && cJSON_IsNull(thread_id)) {
                cJSON_Delete(thread_id);
                thread_id = cJSON_CreateString(tid->valuestring);
            }
        }
        cJSON_Delete(ev);
    }
    cJSON_AddItemToObject(run, "thread_id", thread_id);
    cJSON_AddItemToObject(run, "events", events);
    cJSON_AddNumberToObject(run, "stdout_lines", (double)r->out.n_lines);
    cJSON_AddNumberToObject(run, "stderr_lines", (double)r->err.n_lines);
    cJSON_AddBoolToObject(run, "human_output", !r->json_mode);
    if (r->signal_name) {
        cJSON *sig = cJSON_AddObjectToObject(run, "signal_sent");
        cJSON_AddStringToObject(sig, "name", r->signal_name);
        cJSON_AddNumberToObject(sig, "sent_at_ms", (double)r->signal_after_t / 10);
        cJSON_AddStringToObject(sig, "delivered_to", "codex");
    }
    if (r->codex_version) cJSON_AddStringToObject(root, "codex_version", r->codex_version);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(root, "recorded_at", stamp);
    cJSON_AddStringToObject(root, "recorded_by", "codex-mock record");
    return root;
}

int recording_write_dir(const recording *r, const char *dir, diag *err) {
    if (mkdirs(dir, err) < 0) return -1;
    char *argv_path = path_join(dir, "argv.json");
    bool exists = access(argv_path, F_OK) == 0;
    free(argv_path);
    if (exists) {
        diag_set(err, dir, 0, 0, "already holds a recording (argv.json); choose another --out");
        return -1;
    }
    cJSON *a = cJSON_CreateObject();
    cJSON *argv = cJSON_AddArrayToObject(a, "argv");
    for (size_t i = 0; i < r->argc; i++)
        cJSON_AddItemToArray(argv, cJSON_CreateString(r->argv[i]));
    cJSON_AddStringToObject(a, "cwd", r->cwd ? r->cwd : "");
    if (r->stdin_text)
        cJSON_AddStringToObject(a, "stdin", r->stdin_text);
    else
        cJSON_AddNullToObject(a, "stdin");
    if (r->stdin_tty) cJSON_AddTrueToObject(a, "stdin_tty");
    cJSON *env = cJSON_AddObjectToObject(a, "env");
    for (size_t i = 0; i < r->n_env; i++)
        cJSON_AddStringToObject(env, r->env[i].name, r->env[i].value);
    int rc = write_json(dir, "argv.json", a, err);
    cJSON_Delete(a);
    if (rc < 0) return -1;

    buf t;
    buf_init(&t);
    const char *out_name = r->json_mode ? "stdout.jsonl" : "stdout.txt";
    rc = write_text(dir, out_name, r->out.bytes.data ? r->out.bytes.data : "", r->out.bytes.len,
                    err);
    if (rc == 0) {
        recording_timing_tsv(&t, &r->out);
        rc = write_text(dir, "stdout_timing.tsv", t.data, t.len, err);
    }
    if (rc == 0)
        rc = write_text(dir, "stderr.txt", r->err.bytes.data ? r->err.bytes.data : "",
                        r->err.bytes.len, err);
    if (rc == 0) {
        buf_reset(&t);
        recording_timing_tsv(&t, &r->err);
        rc = write_text(dir, "stderr_timing.tsv", t.data, t.len, err);
    }
    if (rc == 0 && r->has_exit) {
        buf_reset(&t);
        buf_printf(&t, "%d\n", r->exit_code);
        rc = write_text(dir, "exit_code", t.data, t.len, err);
    }
    buf_free(&t);
    if (rc == 0 && r->last_message)
        rc = write_text(dir, "collected_last_message.txt", r->last_message, r->last_message_len,
                        err);
    if (rc == 0 && r->rollout_data && r->rollout_name) {
        char *rdir = path_join(dir, "rollout");
        rc = mkdirs(rdir, err);
        if (rc == 0) rc = write_text(rdir, r->rollout_name, r->rollout_data, r->rollout_len, err);
        free(rdir);
    }
    if (rc < 0) return -1;
    cJSON *meta = meta_json(r);
    rc = write_json(dir, "meta.json", meta, err);
    cJSON_Delete(meta);
    return rc;
}

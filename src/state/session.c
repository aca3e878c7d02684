#include "session.h"
#include "fileio.h"
#include "buf.h"
#include "jsonw.h"
#include "uuid.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void session_info_free(session_info *s) {
    free(s->path);
    free(s->thread_id);
    free(s->cwd);
    free(s->provider);
    memset(s, 0, sizeof *s);
}

static int64_t get_int(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static const char *get_str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void replace(char **slot, const char *v) {
    if (!v) return;
    free(*slot);
    *slot = xstrdup(v);
}

int session_read(const char *path, session_info *out, diag *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        diag_set(err, NULL, 0, 0, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0)
        out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->path = xstrdup(path);
    char *line = NULL, latest[CLOCK_UTC_SIZE] = "";
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        out->lines++;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
        if (!j) continue; /* a foreign or damaged line: skip it, as a reader should */
        const char *type = get_str(j, "type");
        /* one fixed-width UTC form: the text orders as the time does; parsed once, below */
        const char *stamp = get_str(j, "timestamp");
        if (stamp && strlen(stamp) < sizeof latest && strcmp(stamp, latest) > 0)
            strcpy(latest, stamp);
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "payload");
        const char *ptype = get_str(p, "type");
        if (type && !strcmp(type, "session_meta")) {
            replace(&out->thread_id, get_str(p, "id"));
            if (!out->cwd) replace(&out->cwd, get_str(p, "cwd"));
            replace(&out->provider, get_str(p, "model_provider"));
        } else if (type && !strcmp(type, "turn_context")) {
            replace(&out->cwd, get_str(p, "cwd"));
        } else if (type && !strcmp(type, "event_msg") && ptype) {
            if (!strcmp(ptype, "task_started")) out->turns++;
            if (!strcmp(ptype, "token_count")) {
                const cJSON *info = cJSON_GetObjectItemCaseSensitive(p, "info");
                const cJSON *t = cJSON_GetObjectItemCaseSensitive(info, "total_token_usage");
                if (cJSON_IsObject(t)) {
                    out->totals.input_tokens = get_int(t, "input_tokens");
                    out->totals.cached_input_tokens = get_int(t, "cached_input_tokens");
                    out->totals.cache_write_input_tokens = get_int(t, "cache_write_input_tokens");
                    out->totals.output_tokens = get_int(t, "output_tokens");
                    out->totals.reasoning_output_tokens = get_int(t, "reasoning_output_tokens");
                }
            }
        } else if (type && !strcmp(type, "response_item") && ptype && !strcmp(ptype, "message")) {
            const char *role = get_str(p, "role");
            if (role && !strcmp(role, "user")) out->has_user_message = true;
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    if (!clock_parse_utc(latest, &out->updated_ms)) out->updated_ms = 0;
    return 0;
}

/* Calls fn for every rollout file under codex_home/sessions (YYYY/MM/DD). */
typedef int (*visit_fn)(const char *path, const char *name, void *ctx);

static int walk(const char *dir, int depth, visit_fn fn, void *ctx) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        if (depth < 3) {
            rc = walk(p, depth + 1, fn, ctx);
        } else if (!strncmp(e->d_name, "rollout-", 8) && strlen(e->d_name) > 6 &&
                   !strcmp(e->d_name + strlen(e->d_name) - 6, ".jsonl")) {
            rc = fn(p, e->d_name, ctx);
        }
        free(p);
    }
    closedir(d);
    return rc;
}

typedef struct {
    const char *suffix;
    char *found;
} by_id;

static int match_id(const char *path, const char *name, void *ctx) {
    by_id *b = ctx;
    size_t n = strlen(name), s = strlen(b->suffix);
    if (n > s && !strcmp(name + n - s, b->suffix)) {
        b->found = xstrdup(path);
        return 1;
    }
    return 0;
}

int session_find_id(const char *codex_home, const char *id, session_info *out, diag *err) {
    memset(out, 0, sizeof *out);
    char *suffix = xasprintf("-%s.jsonl", id);
    for (char *p = suffix; *p; p++)
        if (*p >= 'A' && *p <= 'F') *p = (char)(*p - 'A' + 'a');
    char *dir = xasprintf("%s/sessions", codex_home);
    by_id b = {suffix, NULL};
    walk(dir, 0, match_id, &b);
    free(dir);
    free(suffix);
    if (!b.found) return 1;
    int rc = session_read(b.found, out, err);
    free(b.found);
    return rc;
}

typedef struct {
    const char *cwd;
    bool all;
    session_info best;
    bool have;
} by_last;

static bool newer(const session_info *a, const session_info *b) {
    if (a->updated_ms != b->updated_ms) return a->updated_ms > b->updated_ms;
    if (a->mtime_ns != b->mtime_ns) return a->mtime_ns > b->mtime_ns;
    return strcmp(a->thread_id, b->thread_id) > 0;
}

static int consider(const char *path, const char *name, void *ctx) {
    (void)name;
    by_last *b = ctx;
    session_info s;
    diag err;
    diag_init(&err);
    if (session_read(path, &s, &err) < 0) {
        diag_free(&err);
        return 0;
    }
    bool ok = s.has_user_message && s.thread_id && (b->all || (s.cwd && !strcmp(s.cwd, b->cwd)));
    if (ok && (!b->have || newer(&s, &b->best))) {
        if (b->have) session_info_free(&b->best);
        b->best = s;
        b->have = true;
    } else {
        session_info_free(&s);
    }
    return 0;
}

int session_find_last(const char *codex_home, const char *cwd, bool all, session_info *out,
                      diag *err) {
    (void)err;
    memset(out, 0, sizeof *out);
    char *dir = xasprintf("%s/sessions", codex_home);
    by_last b = {cwd, all, {0}, false};
    walk(dir, 0, consider, &b);
    free(dir);
    if (!b.have) return 1;
    *out = b.best;
    return 0;
}

/* --- writing --- */

enum { PAGE = 4096, BATCH = 64 * 1024 };

static void write_span(session_writer *w, const char *p, size_t n) {
    while (w->fd >= 0 && n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
        w->offset += k;
    }
}

/* Writes the gathered lines so that SIGKILL tears no more than a write() per line would.
 * Linux copies a write() to a file page by page and, when SIGKILL is pending, stops between
 * pages; a write that stays inside one page finishes, and the process dies after it. So whole
 * lines that fit in the current page go out together, and a line that spans a page boundary
 * gets a write() of its own — the only write that can be cut, as a line-per-write() one would
 * be. Lines of ~300 bytes take about two write()s per page instead of thirteen. */
static void flush_lines(session_writer *w) {
    if (w->pending.len == 0) return; /* (pending.data may still be NULL) */
    const char *p = w->pending.data, *end = p + w->pending.len;
    const char *group = p; /* first byte not written yet */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        int64_t first = w->offset + (p - group), last = first + (next - p) - 1;
        if (first / PAGE != last / PAGE) { /* spans a boundary: alone */
            write_span(w, group, (size_t)(p - group));
            write_span(w, p, (size_t)(next - p));
            group = next;
        } else if (p > group && first / PAGE != w->offset / PAGE) { /* starts a new page */
            write_span(w, group, (size_t)(p - group));
            group = p;
        }
        p = next;
    }
    write_span(w, group, (size_t)(end - group));
    buf_reset(&w->pending);
}

/* One envelope line. `payload` is already JSON. Lines are gathered and written whole. */
static void write_line(session_writer *w, const char *type, const buf *payload) {
    if (w->fd < 0) return;
    buf *b = &w->pending;
    int64_t ms = w->item_ms >= 0 ? w->item_ms : w->clock->wall_ms(w->clock);
    if (ms != w->stamp_ms || !w->stamp[0]) { /* formatting a time costs; a run's lines share it */
        clock_format_utc(w->stamp, ms);
        w->stamp_ms = ms;
    }
    buf_puts(b, "{\"timestamp\":\"");
    buf_puts(b, w->stamp);
    buf_puts(b, "\",\"ordinal\":");
    jsonw_int(b, w->ordinal++);
    buf_puts(b, ",\"type\":");
    jsonw_cstring(b, type);
    buf_puts(b, ",\"payload\":");
    buf_append(b, payload->data ? payload->data : "{}", payload->len ? payload->len : 2);
    buf_puts(b, "}\n");
    /* Lines wait for the player's next pause (session_flush), the turn's end or 64 KiB. */
    if (b->len >= BATCH) flush_lines(w);
}

static void new_uuid(session_writer *w, char out[UUID_STR_LEN + 1]) {
    int64_t ms = w->item_ms >= 0 ? w->item_ms : w->clock->wall_ms(w->clock);
    uuid_v7(out, (uint64_t)ms, w->rng);
}

static void usage_obj(buf *b, const usage *u) {
    const struct {
        const char *key; /* the JSON before the value */
        int64_t v;
    } f[] = {{"{\"input_tokens\":", u->input_tokens},
             {",\"cached_input_tokens\":", u->cached_input_tokens},
             {",\"cache_write_input_tokens\":", u->cache_write_input_tokens},
             {",\"output_tokens\":", u->output_tokens},
             {",\"reasoning_output_tokens\":", u->reasoning_output_tokens},
             {",\"total_tokens\":", u->input_tokens + u->output_tokens}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        buf_puts(b, f[i].key);
        jsonw_int(b, f[i].v);
    }
    buf_putc(b, '}');
}

/* Ids (UUID text) and fixed names need no escaping: `key` is the JSON before the value, its
 * opening quote included. */
static void put_id(buf *b, const char *key, const char *id) {
    buf_puts(b, key);
    buf_puts(b, id);
    buf_putc(b, '"');
}

/* Git facts of the working tree, as session_meta reports them: omitted outside a repository,
 * {} without commits, else the commit and the branch. */
static void git_info(buf *b, const char *cwd) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", cwd);
    for (;;) {
        char git[PATH_MAX + 8];
        snprintf(git, sizeof git, "%s/.git", dir);
        struct stat st;
        if (stat(git, &st) == 0 && S_ISDIR(st.st_mode)) {
            char head_path[PATH_MAX + 16], head[256] = "";
            snprintf(head_path, sizeof head_path, "%s/HEAD", git);
            FILE *f = fopen(head_path, "r");
            if (f) {
                if (!fgets(head, sizeof head, f)) head[0] = '\0';
                fclose(f);
            }
            head[strcspn(head, "\n")] = '\0';
            buf_puts(b, ",\"git\":{");
            if (!strncmp(head, "ref: refs/heads/", 16)) {
                char ref[PATH_MAX + 300], sha[64] = "";
                snprintf(ref, sizeof ref, "%s/%s", git, head + 5);
                FILE *r = fopen(ref, "r");
                if (r) {
                    if (!fgets(sha, sizeof sha, r)) sha[0] = '\0';
                    fclose(r);
                    sha[strcspn(sha, "\n")] = '\0';
                }
                if (*sha) {
                    buf_puts(b, "\"commit_hash\":");
                    jsonw_cstring(b, sha);
                    buf_puts(b, ",\"branch\":");
                    jsonw_cstring(b, head + 16);
                }
            }
            buf_putc(b, '}');
            return;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) return;
        *slash = '\0';
    }
}

static void writer_init(session_writer *w, const session_params *p, const mock_clock *clock,
                        rng *r) {
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->item_ms = -1;
    w->clock = clock;
    w->rng = r;
    snprintf(w->thread_id, sizeof w->thread_id, "%s", p->thread_id);
    w->cwd = xstrdup(p->cwd);
    w->prompt = xstrdup(p->prompt ? p->prompt : "");
    w->model = xstrdup(p->model ? p->model : "gpt-5.5");
    w->provider = xstrdup(p->provider ? p->provider : "openai");
    w->sandbox = xstrdup(p->sandbox ? p->sandbox : "read-only");
    w->prior = p->prior;
}

int session_writer_create(session_writer *w, const session_params *p, const mock_clock *clock,
                          rng *r, diag *err) {
    writer_init(w, p, clock, r);
    int64_t ms = clock->wall_ms(clock);
    time_t s = (time_t)(ms / 1000);
    struct tm lt; /* the dated folder and the file name use local time, as the real CLI */
    localtime_r(&s, &lt);
    char *dir = xasprintf("%s/sessions/%04d/%02d/%02d", p->codex_home, lt.tm_year + 1900,
                          lt.tm_mon + 1, lt.tm_mday);
    w->path = xasprintf("%s/rollout-%04d-%02d-%02dT%02d-%02d-%02d-%s.jsonl", dir, lt.tm_year + 1900,
                        lt.tm_mon + 1, lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec, p->thread_id);
    /* The day's folder usually exists: try the file first, make the folders only when not. */
    w->fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (w->fd < 0 && errno == ENOENT) {
        if (fileio_mkdirs(dir, 0755) < 0) {
            diag_set(err, NULL, 0, 0, "cannot create %s: %s", dir, strerror(errno));
            free(dir);
            return -1;
        }
        w->fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
    free(dir);
    if (w->fd < 0) {
        diag_set(err, NULL, 0, 0, "cannot create %s: %s", w->path, strerror(errno));
        return -1;
    }
    w->new_thread = true;
    char window[UUID_STR_LEN + 1];
    new_uuid(w, window);
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"account_scoped\":true,\"session_id\":");
    jsonw_cstring(&b, p->thread_id);
    buf_puts(&b, ",\"id\":");
    jsonw_cstring(&b, p->thread_id);
    if (p->forked_from) {
        buf_puts(&b, ",\"forked_from_id\":");
        jsonw_cstring(&b, p->forked_from);
        buf_printf(&b, ",\"forked_from_ordinal_exclusive\":%lld", (long long)p->forked_from_lines);
    }
    char stamp[CLOCK_UTC_SIZE];
    clock_format_utc(stamp, ms);
    buf_puts(&b, ",\"timestamp\":\"");
    buf_puts(&b, stamp);
    buf_puts(&b, "\",\"cwd\":");
    jsonw_cstring(&b, p->cwd);
    buf_puts(&b, ",\"runtime_workspace_roots\":[");
    jsonw_cstring(&b, p->cwd);
    buf_puts(&b, "],\"originator\":");
    jsonw_cstring(&b, p->originator ? p->originator : "codex_exec");
    buf_puts(&b, ",\"cli_version\":");
    jsonw_cstring(&b, p->cli_version ? p->cli_version : "0.171.0");
    buf_puts(&b, ",\"source\":");
    jsonw_cstring(&b, p->source ? p->source : "exec");
    buf_puts(&b, ",\"thread_source\":");
    jsonw_cstring(&b, p->thread_source ? p->thread_source : "user");
    buf_puts(&b, ",\"model_provider\":");
    jsonw_cstring(&b, w->provider);
    buf_puts(&b, ",\"base_instructions\":{\"text\":\"You are Codex, a coding agent (codex-mock).\","
                 "\"provenance\":{\"type\":\"model\",\"model\":");
    jsonw_cstring(&b, w->model);
    buf_puts(&b, "}},\"history_mode\":\"paginated\",\"context_window\":{\"window_id\":");
    jsonw_cstring(&b, window);
    buf_putc(&b, '}');
    git_info(&b, p->cwd);
    buf_putc(&b, '}');
    write_line(w, "session_meta", &b);
    buf_free(&b);
    flush_lines(w); /* the thread exists on disk from the start, as the real one does */
    return 0;
}

int session_writer_append(session_writer *w, const session_info *existing, const session_params *p,
                          const mock_clock *clock, rng *r, diag *err) {
    writer_init(w, p, clock, r);
    w->path = xstrdup(existing->path);
    w->ordinal = existing->lines;
    w->fd = open(w->path, O_RDWR | O_APPEND | O_CLOEXEC);
    if (w->fd < 0) {
        diag_set(err, NULL, 0, 0, "cannot append to %s: %s", w->path, strerror(errno));
        return -1;
    }
    /* A run killed in the middle of a line left a torn tail: cut it before appending. */
    off_t size = lseek(w->fd, 0, SEEK_END);
    char last = '\n';
    if (size > 0 && pread(w->fd, &last, 1, size - 1) == 1 && last != '\n') {
        char tmp[4096];
        off_t pos = size, keep = 0;
        while (pos > 0 && !keep) {
            off_t from = pos > (off_t)sizeof tmp ? pos - (off_t)sizeof tmp : 0;
            ssize_t n = pread(w->fd, tmp, (size_t)(pos - from), from);
            if (n <= 0) break;
            for (ssize_t i = n - 1; i >= 0; i--)
                if (tmp[i] == '\n') {
                    keep = from + i + 1;
                    break;
                }
            pos = from;
        }
        if (ftruncate(w->fd, keep) == 0 && w->ordinal > 0) w->ordinal--;
        size = keep;
    }
    w->offset = size > 0 ? (int64_t)size : 0;
    return 0;
}

void session_writer_close(session_writer *w) {
    flush_lines(w);
    buf_free(&w->pending);
    buf_free(&w->scratch);
    if (w->fd >= 0) close(w->fd);
    free(w->path);
    free(w->cwd);
    free(w->prompt);
    free(w->model);
    free(w->provider);
    free(w->sandbox);
    memset(w, 0, sizeof *w);
    w->fd = -1;
}

/* thread_settings_applied: what the thread runs with (before a resumed turn, after the first
 * turn's context). */
static void thread_settings(session_writer *w, buf *b) {
    buf_reset(b);
    put_id(b, "{\"type\":\"thread_settings_applied\",\"thread_id\":\"", w->thread_id);
    buf_puts(b, ",\"thread_settings\":{\"model\":");
    jsonw_cstring(b, w->model);
    buf_puts(b, ",\"model_provider_id\":");
    jsonw_cstring(b, w->provider);
    buf_puts(b, ",\"approval_policy\":\"never\",\"cwd\":");
    jsonw_cstring(b, w->cwd);
    buf_puts(b, ",\"runtime_workspace_roots\":[");
    jsonw_cstring(b, w->cwd);
    buf_puts(b, "]}}");
    write_line(w, "event_msg", b);
}

/* The context the first turn carries: instructions, the environment, the world state. */
static void thread_context(session_writer *w, buf *b) {
    char id[UUID_STR_LEN + 1];
    new_uuid(w, id);
    buf_reset(b);
    put_id(b, "{\"type\":\"message\",\"id\":\"msg_", id);
    buf_puts(b, ",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":"
                "\"<permissions instructions>\\nApproval policy is currently never.\\n"
                "</permissions instructions>\"}]}");
    write_line(w, "response_item", b);
    new_uuid(w, id);
    char date[CLOCK_UTC_SIZE]; /* YYYY-MM-DD: the UTC timestamp's first ten characters */
    clock_format_utc(date, w->clock->wall_ms(w->clock));
    date[10] = '\0';
    buf env;
    buf_init(&env);
    buf_puts(&env, "<environment_context>\n  <cwd>");
    buf_puts(&env, w->cwd);
    buf_puts(&env, "</cwd>\n  <shell>bash</shell>\n  <current_date>");
    buf_puts(&env, date);
    buf_puts(&env, "</current_date>\n  <timezone>Etc/UTC</timezone>\n</environment_context>");
    buf_reset(b);
    put_id(b, "{\"type\":\"message\",\"id\":\"msg_", id);
    buf_puts(b, ",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":");
    jsonw_string(b, env.data, env.len);
    buf_puts(b, "}]}");
    buf_free(&env);
    write_line(w, "response_item", b);
    buf_reset(b);
    buf_puts(b, "{\"full\":true,\"state\":{\"collaboration_mode\":{\"mode\":\"default\","
                "\"model\":");
    jsonw_cstring(b, w->model);
    buf_puts(b, "},\"environments\":{\"environments\":{\"local\":{\"cwd\":");
    jsonw_cstring(b, w->cwd);
    put_id(b, ",\"status\":\"available\",\"shell\":\"bash\"}},\"current_date\":\"", date);
    buf_puts(b, ",\"timezone\":\"Etc/UTC\"}}}");
    write_line(w, "world_state", b);
}

static void turn_start(session_writer *w) {
    char tid[UUID_STR_LEN + 1];
    if (w->given_turn_id[0])
        snprintf(tid, sizeof tid, "%s", w->given_turn_id);
    else
        new_uuid(w, tid);
    snprintf(w->turn_id, sizeof w->turn_id, "%s", tid);
    w->started_ms = w->clock->wall_ms(w->clock);
    buf b;
    buf_init(&b);
    if (!w->new_thread) thread_settings(w, &b);
    buf_reset(&b);
    put_id(&b, "{\"type\":\"task_started\",\"turn_attribution\":{\"turn_id\":\"", tid);
    buf_puts(&b, ",\"turn_trigger\":\"exec\",\"parent_turn_id\":null,"
                 "\"initiating_agent_path\":null");
    put_id(&b, ",\"root_turn_id\":\"", tid);
    put_id(&b, "},\"turn_id\":\"", tid);
    put_id(&b, ",\"root_turn_id\":\"", tid);
    buf_puts(&b, ",\"started_at\":");
    jsonw_int(&b, w->started_ms / 1000);
    buf_puts(&b, ",\"model_context_window\":258400,\"collaboration_mode_kind\":\"default\"}");
    write_line(w, "event_msg", &b);
    if (w->new_thread) thread_context(w, &b);
    buf_reset(&b);
    put_id(&b, "{\"turn_id\":\"", tid);
    put_id(&b, ",\"root_turn_id\":\"", tid);
    buf_puts(&b, ",\"cwd\":");
    jsonw_cstring(&b, w->cwd);
    buf_puts(&b, ",\"approval_policy\":\"never\",\"model\":");
    jsonw_cstring(&b, w->model);
    buf_puts(&b, ",\"summary\":\"none\",\"sandbox_policy\":{\"type\":");
    jsonw_cstring(&b, w->sandbox);
    buf_puts(&b, "}}");
    write_line(w, "turn_context", &b);
    if (w->new_thread) thread_settings(w, &b);
    /* the prompt, as the model sees it and as the thread records it */
    char mid[UUID_STR_LEN + 1];
    if (w->given_user_id[0])
        snprintf(mid, sizeof mid, "%s", w->given_user_id);
    else
        new_uuid(w, mid);
    buf_reset(&b);
    put_id(&b, "{\"type\":\"message\",\"id\":\"msg_", mid);
    buf_puts(&b, ",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":");
    jsonw_cstring(&b, w->prompt);
    buf_puts(&b, "}]}");
    write_line(w, "response_item", &b);
    buf_reset(&b);
    put_id(&b, "{\"type\":\"item_completed\",\"thread_id\":\"", w->thread_id);
    put_id(&b, ",\"turn_id\":\"", tid);
    put_id(&b, ",\"item\":{\"type\":\"UserMessage\",\"id\":\"", mid);
    buf_puts(&b, ",\"content\":[{\"type\":\"text\",\"text\":");
    jsonw_cstring(&b, w->prompt);
    int64_t now = w->clock->wall_ms(w->clock);
    buf_puts(&b, ",\"text_elements\":[]}]},\"started_at_ms\":");
    jsonw_int(&b, now);
    buf_puts(&b, ",\"completed_at_ms\":");
    jsonw_int(&b, now);
    buf_putc(&b, '}');
    write_line(w, "event_msg", &b);
    buf_free(&b);
    /* written at the player's first pause, before it sleeps (sink on_flush) */
    w->user_written = true;
}

void session_writer_user_message(session_writer *w, const char *id, const char *text,
                                 int64_t unix_ms) {
    if (w->fd < 0 || !w->user_written) return;
    buf b;
    buf_init(&b);
    int64_t keep = w->item_ms;
    w->item_ms = unix_ms;
    put_id(&b, "{\"type\":\"message\",\"id\":\"msg_", id);
    buf_puts(&b, ",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":");
    jsonw_cstring(&b, text);
    buf_puts(&b, "}]}");
    write_line(w, "response_item", &b);
    buf_reset(&b);
    put_id(&b, "{\"type\":\"item_completed\",\"thread_id\":\"", w->thread_id);
    put_id(&b, ",\"turn_id\":\"", w->turn_id);
    put_id(&b, ",\"item\":{\"type\":\"UserMessage\",\"id\":\"", id);
    buf_puts(&b, ",\"content\":[{\"type\":\"text\",\"text\":");
    jsonw_cstring(&b, text);
    buf_puts(&b, ",\"text_elements\":[]}]},\"started_at_ms\":");
    jsonw_int(&b, unix_ms);
    buf_puts(&b, ",\"completed_at_ms\":");
    jsonw_int(&b, unix_ms);
    buf_putc(&b, '}');
    write_line(w, "event_msg", &b);
    w->item_ms = keep;
    buf_free(&b);
}

static void item_done(session_writer *w, const item *it) {
    const char *kind = it->type == ITEM_AGENT_MESSAGE ? "AgentMessage" : "Reasoning";
    /* one clock reading for the item's id, times and both lines: they are one moment */
    int64_t now = w->clock->wall_ms(w->clock);
    w->item_ms = now;
    char mid[UUID_STR_LEN + 1];
    new_uuid(w, mid);
    /* an id the face already showed (the app-server's item ids) is recorded as it is */
    char given[128] = "";
    if (w->item_ids_as_given && it->id.ptr && it->id.len < sizeof given)
        snprintf(given, sizeof given, "%.*s", (int)it->id.len, it->id.ptr);
    const char *text = it->u.text.text.ptr ? it->u.text.text.ptr : "";
    size_t len = it->u.text.text.len;
    buf *b = &w->scratch; /* reused: this runs for every message of a long replay */
    buf_reset(b);
    put_id(b, "{\"type\":\"item_completed\",\"thread_id\":\"", w->thread_id);
    put_id(b, ",\"turn_id\":\"", w->turn_id);
    put_id(b, ",\"item\":{\"type\":\"", kind);
    if (given[0])
        put_id(b, ",\"id\":\"", given);
    else
        put_id(b, ",\"id\":\"msg_", mid);
    buf_puts(b, ",\"content\":[{\"type\":\"Text\",\"text\":");
    jsonw_string(b, text, len);
    buf_puts(b, "}]},\"started_at_ms\":");
    jsonw_int(b, now);
    buf_puts(b, ",\"completed_at_ms\":");
    jsonw_int(b, now);
    buf_putc(b, '}');
    write_line(w, "event_msg", b);
    buf_reset(b);
    if (it->type == ITEM_AGENT_MESSAGE) {
        if (given[0])
            put_id(b, "{\"type\":\"message\",\"status\":\"completed\",\"id\":\"", given);
        else
            put_id(b, "{\"type\":\"message\",\"status\":\"completed\",\"id\":\"msg_", mid);
        buf_puts(b, ",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
                    "\"text\":");
        jsonw_string(b, text, len);
        buf_puts(b, ",\"annotations\":[]}]}");
    } else {
        if (given[0])
            put_id(b, "{\"type\":\"reasoning\",\"id\":\"", given);
        else
            put_id(b, "{\"type\":\"reasoning\",\"id\":\"rs_", mid);
        buf_puts(b, ",\"summary\":[{\"type\":\"summary_text\",\"text\":");
        jsonw_string(b, text, len);
        buf_puts(b, "}],\"content\":null}");
    }
    write_line(w, "response_item", b);
    w->item_ms = -1;
}

static void turn_end(session_writer *w, const usage *total, const char *last_msg, size_t last_len,
                     const char *error) {
    buf b;
    buf_init(&b);
    if (total) {
        usage last = *total;
        last.input_tokens -= w->prior.input_tokens;
        last.cached_input_tokens -= w->prior.cached_input_tokens;
        last.cache_write_input_tokens -= w->prior.cache_write_input_tokens;
        last.output_tokens -= w->prior.output_tokens;
        last.reasoning_output_tokens -= w->prior.reasoning_output_tokens;
        put_id(&b, "{\"thread_id\":\"", w->thread_id);
        put_id(&b, ",\"turn_id\":\"", w->turn_id);
        put_id(&b, ",\"session_id\":\"", w->thread_id);
        put_id(&b, ",\"root_turn_id\":\"", w->turn_id);
        buf_puts(&b, ",\"response_id\":null,\"usage\":");
        usage_obj(&b, &last);
        buf_puts(&b, ",\"turn_token_usage\":");
        usage_obj(&b, &last);
        buf_puts(&b, ",\"thread_token_usage\":");
        usage_obj(&b, total);
        buf_putc(&b, '}');
        write_line(w, "token_usage_record", &b);
        buf_reset(&b);
        buf_puts(&b, "{\"type\":\"token_count\",\"info\":{\"total_token_usage\":");
        usage_obj(&b, total);
        buf_puts(&b, ",\"last_token_usage\":");
        usage_obj(&b, &last);
        buf_puts(&b, ",\"last_usage_includes_reasoning\":false,\"model_context_window\":258400},"
                     "\"rate_limits\":null}");
        write_line(w, "event_msg", &b);
        buf_reset(&b);
    }
    int64_t now = w->clock->wall_ms(w->clock);
    put_id(&b, "{\"type\":\"task_complete\",\"root_turn_id\":\"", w->turn_id);
    put_id(&b, ",\"turn_id\":\"", w->turn_id);
    buf_puts(&b, ",\"last_agent_message\":");
    if (last_msg && !error)
        jsonw_string(&b, last_msg, last_len);
    else
        jsonw_null(&b);
    if (error) {
        buf_puts(&b, ",\"error\":{\"message\":");
        jsonw_cstring(&b, error);
        buf_puts(&b, ",\"codex_error_info\":null}");
    }
    buf_puts(&b, ",\"started_at\":");
    jsonw_int(&b, w->started_ms / 1000);
    buf_puts(&b, ",\"completed_at\":");
    jsonw_int(&b, now / 1000);
    buf_puts(&b, ",\"duration_ms\":");
    jsonw_int(&b, now - w->started_ms);
    buf_putc(&b, '}');
    write_line(w, "event_msg", &b);
    buf_free(&b);
    flush_lines(w);
}

static void session_event(void *ctx, const event *ev, buf *out, buf *err) {
    (void)out;
    (void)err;
    session_writer *w = ctx;
    switch (ev->type) {
    case EV_TURN_STARTED:
        turn_start(w);
        break;
    case EV_ITEM_COMPLETED:
        if (!w->user_written) turn_start(w);
        if (ev->item.type == ITEM_AGENT_MESSAGE || ev->item.type == ITEM_REASONING)
            item_done(w, &ev->item);
        break;
    case EV_TURN_COMPLETED:
        if (!w->user_written) turn_start(w);
        /* last_agent_message is filled in on_end, which knows the final message */
        w->prior_total_seen = true;
        w->final_usage = ev->usage;
        break;
    case EV_TURN_FAILED: {
        if (!w->user_written) turn_start(w);
        char *msg = xstrndup(ev->message.ptr ? ev->message.ptr : "", ev->message.len);
        turn_end(w, NULL, NULL, 0, msg);
        free(msg);
        w->turn_closed = true;
        break;
    }
    default:
        break;
    }
}

static void session_end(void *ctx, const play_end *end, buf *out, buf *err) {
    (void)out;
    (void)err;
    session_writer *w = ctx;
    if (w->turn_closed || !w->user_written) return;
    if (end->reason == END_INTERRUPTED) {
        buf b;
        buf_init(&b);
        buf_printf(&b, "{\"type\":\"turn_aborted\",\"turn_id\":\"%s\",\"reason\":\"interrupted\"}",
                   w->turn_id);
        write_line(w, "event_msg", &b);
        buf_free(&b);
        flush_lines(w);
    } else if (w->prior_total_seen) {
        turn_end(w, &w->final_usage, end->final_message, end->final_len, NULL);
    }
    w->turn_closed = true;
}

static void session_flush(void *ctx) {
    flush_lines(ctx);
}

sink sink_session(session_writer *w) {
    return (sink){w, session_event, session_end, session_flush};
}

int session_history_append(const char *codex_home, const char *thread_id, const char *prompt,
                           int64_t unix_s, diag *err) {
    char *path = xasprintf("%s/history.jsonl", codex_home);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        diag_set(err, NULL, 0, 0, "cannot append to %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"session_id\":");
    jsonw_cstring(&b, thread_id);
    buf_printf(&b, ",\"ts\":%lld,\"text\":", (long long)unix_s);
    jsonw_cstring(&b, prompt ? prompt : "");
    buf_puts(&b, "}\n");
    flock(fd, LOCK_EX);
    int rc = 0;
    if (fileio_write_all(fd, b.data, b.len) < 0) {
        diag_set(err, NULL, 0, 0, "cannot append to %s: %s", path, strerror(errno));
        rc = -1;
    }
    flock(fd, LOCK_UN);
    close(fd);
    buf_free(&b);
    free(path);
    return rc;
}

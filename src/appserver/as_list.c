/* as_list — see as_list.h. */
#include "as_list.h"

#include "as_history.h"
#include "buf.h"
#include "clock.h"
#include "uuid.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 25
#define LIST_MAX 100

typedef struct {
    as_thread *t;
    bool owned; /* read from disk for this call */
    int64_t key_ms;
} row;

typedef struct {
    row *v;
    size_t n, cap;
} rows;

static void push(rows *r, as_thread *t, bool owned) {
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = (row){.t = t, .owned = owned};
}

/* The id of rollout-<time>-<uuid>.jsonl, or false. */
static bool rollout_id(const char *name, char id[37]) {
    size_t n = strlen(name);
    if (strncmp(name, "rollout-", 8) != 0 || n < 8 + 36 + 6 || strcmp(name + n - 6, ".jsonl"))
        return false;
    memcpy(id, name + n - 6 - 36, 36);
    id[36] = '\0';
    return uuid_is_valid(id);
}

/* A thread object for the rollout at `path` (NULL: unreadable, or no user message). */
static as_thread *read_thread(const as_server *s, const char *path, const char *id) {
    buf turns;
    buf_init(&turns);
    as_history h;
    char *err = NULL;
    if (as_history_read(path, &turns, &h, &err) < 0) {
        free(err);
        buf_free(&turns);
        return NULL;
    }
    buf_free(&turns);
    if (!h.preview) {
        as_history_free(&h);
        return NULL;
    }
    as_thread *t = xcalloc(1, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    t->path = xstrdup(path);
    t->cwd = xstrdup(h.cwd ? h.cwd : s->cwd);
    t->preview = h.preview;
    t->git_sha = h.git_sha;
    t->git_branch = h.git_branch;
    /* this process's own values are shown unless the file says otherwise */
    t->source = h.source && strcmp(h.source, "vscode") ? h.source : NULL;
    t->originator = h.originator;
    t->provider = h.provider;
    t->model = h.model;
    if (!t->source) free(h.source);
    h.preview = h.git_sha = h.git_branch = h.source = h.originator = h.provider = h.model = NULL;
    t->created_ms = h.created_ms;
    t->created_s = h.created_ms / 1000;
    t->updated_s = h.updated_ms / 1000;
    t->n_turns = h.n_turns;
    if (h.last_turn_id) snprintf(t->last_turn, sizeof t->last_turn, "%s", h.last_turn_id);
    as_history_free(&h);
    return t;
}

/* Every rollout under dir (sessions/YYYY/MM/DD, or flat), depth-limited. */
static void scan(const as_server *s, const char *dir, int depth, rows *r) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        char id[37];
        if (rollout_id(e->d_name, id)) {
            if (!as_thread_find((as_server *)s, id)) {
                as_thread *t = read_thread(s, p, id);
                if (t) push(r, t, true);
            }
        } else if (depth < 3 && e->d_type != DT_REG) {
            scan(s, p, depth + 1, r);
        }
        free(p);
    }
    closedir(d);
}

static bool in_list(const cJSON *arr, const char *v) {
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, v)) return true;
    }
    return false;
}

/* The ThreadSourceKind of a rollout's source. */
static const char *source_kind(const char *source) {
    if (!source) return "vscode";
    if (!strcmp(source, "mcp")) return "appServer";
    if (!strcmp(source, "cli") || !strcmp(source, "vscode") || !strcmp(source, "exec"))
        return source;
    return "unknown";
}

static bool wanted(const as_server *s, const as_thread *t, const as_list_opts *o) {
    const char *kind = source_kind(t->source);
    if (o->source_kinds && cJSON_GetArraySize(o->source_kinds) > 0) {
        if (!in_list(o->source_kinds, kind)) return false;
    } else if (strcmp(kind, "cli") && strcmp(kind, "vscode")) {
        return false; /* the interactive sources */
    }
    const char *provider = t->provider ? t->provider : s->provider;
    if (o->providers && cJSON_GetArraySize(o->providers) > 0 && !in_list(o->providers, provider))
        return false;
    if (cJSON_IsString(o->cwd) && strcmp(o->cwd->valuestring, t->cwd)) return false;
    if (cJSON_IsArray(o->cwd) && !in_list(o->cwd, t->cwd)) return false;
    if (o->search && !(t->name && strstr(t->name, o->search)) &&
        !(t->preview && strstr(t->preview, o->search)))
        return false;
    if (o->included && !in_list(o->included, t->id)) return false;
    if (o->excluded && in_list(o->excluded, t->id)) return false;
    return true;
}

static bool by_updated(const as_list_opts *o) {
    return o->sort_key &&
           (!strcmp(o->sort_key, "updated_at") || !strcmp(o->sort_key, "recency_at"));
}

/* -1, 0, 1: a before b in ascending order (time, then id). */
static int cmp_key(int64_t a_ms, const char *a_id, int64_t b_ms, const char *b_id) {
    if (a_ms != b_ms) return a_ms < b_ms ? -1 : 1;
    return strcmp(a_id, b_id);
}

static int asc(const void *a, const void *b) {
    const row *x = a, *y = b;
    return cmp_key(x->key_ms, x->t->id, y->key_ms, y->t->id);
}

/* "2026-12-04T21:07:40Z" (seconds) or with milliseconds. */
static void stamp(char out[CLOCK_UTC_SIZE], int64_t ms, bool millis) {
    clock_format_utc(out, ms);
    char *dot = strchr(out, '.');
    if (!millis && dot) memcpy(dot, "Z", 2);
}

int as_list_threads(as_server *s, const as_list_opts *o, buf *out, char **err) {
    /* the cursor first: a bad one is an error before anything is read */
    int64_t cur_ms = 0;
    char cur_id[37] = "";
    if (o->cursor) {
        const char *bar = strrchr(o->cursor, '|');
        char when[64];
        size_t wn = bar ? (size_t)(bar - o->cursor) : 0;
        if (!bar || wn >= sizeof when || strlen(bar + 1) != 36 || !uuid_is_valid(bar + 1)) {
            *err = xasprintf("invalid cursor: %s", o->cursor);
            return -1;
        }
        memcpy(when, o->cursor, wn);
        when[wn] = '\0';
        if (!clock_parse_utc(when, &cur_ms)) {
            *err = xasprintf("invalid cursor: %s", o->cursor);
            return -1;
        }
        snprintf(cur_id, sizeof cur_id, "%s", bar + 1);
    }
    rows r = {0};
    for (size_t k = 0; k < s->n_threads; k++) {
        as_thread *t = s->threads[k];
        if (!t->n_turns || !t->preview || t->archived != o->archived || t->ephemeral) continue;
        push(&r, t, false);
    }
    char *dir = xasprintf("%s/%s", s->codex_home, o->archived ? "archived_sessions" : "sessions");
    scan(s, dir, 0, &r);
    free(dir);

    /* filter, then order */
    size_t n = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (!wanted(s, r.v[i].t, o)) {
            if (r.v[i].owned) as_thread_free(r.v[i].t);
            continue;
        }
        r.v[n] = r.v[i];
        const as_thread *t = r.v[n].t;
        r.v[n].key_ms = (by_updated(o) ? t->updated_s : t->created_s) * 1000;
        n++;
    }
    if (n) qsort(r.v, n, sizeof *r.v, asc);
    if (!o->ascending)
        for (size_t i = 0; i < n / 2; i++) {
            row x = r.v[i];
            r.v[i] = r.v[n - 1 - i];
            r.v[n - 1 - i] = x;
        }
    /* the page: strictly after the cursor */
    size_t from = 0;
    if (o->cursor)
        while (from < n) {
            int c = cmp_key(r.v[from].key_ms, r.v[from].t->id, cur_ms, cur_id);
            if (o->ascending ? c > 0 : c < 0) break;
            from++;
        }
    size_t limit = o->limit < 0 ? LIST_DEFAULT : o->limit > LIST_MAX ? LIST_MAX : (size_t)o->limit;
    if (limit == 0) limit = 1;
    size_t to = from + limit < n ? from + limit : n;

    buf_puts(out, "{\"data\":[");
    for (size_t i = from; i < to; i++) {
        if (i > from) buf_putc(out, ',');
        as_thread_json(out, s, r.v[i].t, AS_THREAD_LISTED, NULL);
    }
    buf_puts(out, "],\"readStates\":{");
    /* by id (the real one's is a hash map; the corpus README sorts it) */
    size_t shown = to - from;
    as_thread **sorted = xcalloc(shown + 1, sizeof *sorted);
    for (size_t i = 0; i < shown; i++)
        sorted[i] = r.v[from + i].t;
    for (size_t i = 1; i < shown; i++)
        for (size_t j = i; j > 0 && strcmp(sorted[j - 1]->id, sorted[j]->id) > 0; j--) {
            as_thread *x = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = x;
        }
    bool first = true;
    for (size_t i = 0; i < shown; i++) {
        as_thread *t = sorted[i];
        if (!t->last_turn[0]) continue;
        if (!t->revision[0] || strcmp(t->revision_turn, t->last_turn) != 0) {
            char rev[UUID_STR_LEN + 1];
            uuid_v7(rev, (uint64_t)s->wall_start, &s->rng);
            rev[14] = '4';
            snprintf(t->revision, sizeof t->revision, "%s", rev);
            snprintf(t->revision_turn, sizeof t->revision_turn, "%s", t->last_turn);
        }
        buf_printf(out,
                   "%s\"%s\":{\"firstUnread\":{\"type\":\"turn\",\"turnId\":\"%s\"},"
                   "\"revision\":\"%s\"}",
                   first ? "" : ",", t->id, t->last_turn, t->revision);
        first = false;
    }
    free(sorted);
    buf_puts(out, "},\"nextCursor\":");
    char when[CLOCK_UTC_SIZE];
    if (to < n && shown) {
        stamp(when, r.v[to - 1].key_ms, false);
        buf_printf(out, "\"%s|%s\"", when, r.v[to - 1].t->id);
    } else {
        buf_puts(out, "null");
    }
    buf_puts(out, ",\"backwardsCursor\":");
    if (shown) {
        const as_thread *t = r.v[from].t;
        stamp(when, by_updated(o) ? t->updated_s * 1000 : t->created_ms, true);
        buf_printf(out, "\"%s\"}", when);
    } else {
        buf_puts(out, "null}");
    }
    for (size_t i = 0; i < n; i++)
        if (r.v[i].owned) as_thread_free(r.v[i].t);
    free(r.v);
    return 0;
}

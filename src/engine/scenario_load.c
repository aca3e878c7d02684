#include "scenario_load.h"
#include "faces.h"
#include "template.h"
#include "buf.h"
#include "duration.h"
#include "exitcodes.h"
#include "yread.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const ITEM_TYPE_NAMES[ITEM_TYPE_COUNT + 1] = {
    "agent_message", "reasoning", "command_execution", "file_change", "mcp_tool_call",
    "web_search",    "todo_list", "collab_tool_call",  "error",       NULL};

const char *const ITEM_STATUS_NAMES[] = {NULL,     "in_progress", "completed",
                                         "failed", "declined",    NULL};

const char *const CHANGE_KIND_NAMES[] = {"add", "delete", "update", NULL};

const char *const EVENT_TYPE_NAMES[EV_TYPE_COUNT + 1] = {
    "thread.started", "turn.started",   "item.started",
    "item.updated",   "item.completed", "turn.completed",
    "turn.failed",    "error",          NULL};

/* The signals a `signal:` step names (docs/format.md), and their numbers. */
static const char *const SIGNAL_STEP_NAMES[] = {
    "SIGKILL", "SIGSEGV", "SIGABRT", "SIGTERM", "SIGBUS",  "SIGFPE",  "SIGILL",
    "SIGQUIT", "SIGHUP",  "SIGINT",  "SIGPIPE", "SIGUSR1", "SIGUSR2", NULL};
static const int SIGNAL_STEP_NUMBERS[] = {SIGKILL, SIGSEGV, SIGABRT, SIGTERM, SIGBUS,
                                          SIGFPE,  SIGILL,  SIGQUIT, SIGHUP,  SIGINT,
                                          SIGPIPE, SIGUSR1, SIGUSR2};

bool scenario_signal_step_knows(const char *name) {
    for (size_t i = 0; name && SIGNAL_STEP_NAMES[i]; i++)
        if (!strcmp(name, SIGNAL_STEP_NAMES[i])) return true;
    return false;
}

static const char *const AGENT_STATES[] = {"pending_init", "running",  "interrupted", "completed",
                                           "errored",      "shutdown", "not_found",   NULL};
static const char *const COLLAB_TOOLS[] = {"spawn_agent", "send_input", "wait", "close_agent",
                                           NULL};

void scenario_free(scenario *sc) {
    if (sc->stream) scenario_stream_close(sc->stream);
    for (size_t i = 0; i < sc->n_turns; i++)
        free(sc->turns[i].steps);
    free(sc->turns);
    arena_free(&sc->mem);
    memset(sc, 0, sizeof *sc);
}

typedef struct {
    yread *r;
    scenario *sc;
    arena *mem; /* where parsed values go: the scenario's arena, or a streamed step's */
    diag *err;
    bool saw_template; /* a string of the current step holds a {{placeholder}} */
} loader;

static bool key_is(const ynode *k, const char *s) {
    size_t n = strlen(s);
    return k->kind == YN_SCALAR && k->len == n && memcmp(k->value, s, n) == 0;
}

static int in_list(const char *s, size_t len, const char *const *list) {
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == len && memcmp(list[i], s, len) == 0) return i;
    return -1;
}

/* "a, b, c or d" */
static void join_names(buf *b, const char *const *list) {
    size_t n = 0;
    while (list[n])
        n++;
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(b, i + 1 == n ? " or " : ", ");
        buf_puts(b, list[i]);
    }
}

static int fail_unknown(loader *L, const ynode *at, const char *what, const char *word, size_t len,
                        const char *const *known) {
    const char *hint = did_you_mean(word, len, known);
    buf b;
    buf_init(&b);
    if (hint) {
        buf_printf(&b, " (did you mean '%s'?)", hint);
    } else {
        buf_puts(&b, " (expected ");
        join_names(&b, known);
        buf_puts(&b, ")");
    }
    int rc =
        ynode_fail(L->err, L->r->file, at, "unknown %s '%.*s'%s", what, (int)len, word, b.data);
    buf_free(&b);
    return rc;
}

static mstr keep(loader *L, const char *s, size_t len) {
    mstr m = {arena_strndup(L->mem, s, len), len};
    return m;
}

/* --- scalar getters --- */

/* A string scalar; `templated` when it is played (and so may hold placeholders) rather than
 * a label such as the scenario's name, which is shown as written. */
static int get_text(loader *L, const ynode *n, const char *what, bool templated, mstr *out) {
    if (n->kind != YN_SCALAR)
        return ynode_fail(L->err, L->r->file, n, "'%s' must be a string, found %s", what,
                          ynode_kind_name(n));
    if (n->type == YS_NULL || n->type == YS_BOOL)
        return ynode_fail(L->err, L->r->file, n,
                          "'%s' must be a string, found %s (quote it if you meant the text)", what,
                          ynode_kind_name(n));
    if (templated && template_present(n->value, n->len)) {
        const char *bad;
        size_t bad_len;
        if (template_check(n->value, n->len, &bad, &bad_len) < 0)
            return ynode_fail(L->err, L->r->file, n,
                              "unknown placeholder %.*s in '%s' (known: {{prompt}}, {{thread_id}}, "
                              "{{cwd}}, {{env.NAME}}, {{invocation}}, {{now}}; {{braces}} writes a "
                              "literal {{)",
                              (int)bad_len, bad, what);
        L->saw_template = true;
    }
    *out = keep(L, n->value, n->len);
    return 0;
}

static int get_str(loader *L, const ynode *n, const char *what, mstr *out) {
    return get_text(L, n, what, true, out);
}

static int get_nullable_str(loader *L, const ynode *n, const char *what, mstr *out) {
    if (n->kind == YN_SCALAR && n->type == YS_NULL) {
        out->ptr = NULL;
        out->len = 0;
        return 0;
    }
    return get_str(L, n, what, out);
}

static int get_int(loader *L, const ynode *n, const char *what, int64_t *out) {
    if (n->kind != YN_SCALAR || n->type != YS_INT)
        return ynode_fail(L->err, L->r->file, n, "'%s' must be an integer, found %s", what,
                          ynode_kind_name(n));
    *out = n->i;
    return 0;
}

static int get_bool(loader *L, const ynode *n, const char *what, bool *out) {
    if (n->kind != YN_SCALAR || n->type != YS_BOOL)
        return ynode_fail(L->err, L->r->file, n, "'%s' must be true or false, found %s", what,
                          ynode_kind_name(n));
    *out = n->b;
    return 0;
}

static int get_duration(loader *L, const ynode *n, const char *what, int64_t *out) {
    if (n->kind != YN_SCALAR || n->type == YS_NULL || n->type == YS_BOOL)
        return ynode_fail(L->err, L->r->file, n,
                          "'%s' must be a duration such as 250ms or 1.5s, found %s", what,
                          ynode_kind_name(n));
    const char *why = NULL;
    if (duration_parse(n->value, n->len, out, &why) < 0)
        return ynode_fail(L->err, L->r->file, n, "bad duration '%.*s' for '%s': %s", (int)n->len,
                          n->value, what, why);
    return 0;
}

static int get_enum(loader *L, const ynode *n, const char *what, const char *const *names,
                    int *out) {
    mstr s = {NULL, 0};
    if (get_str(L, n, what, &s) < 0) return -1;
    int i = in_list(s.ptr, s.len, names);
    if (i < 0) {
        buf b;
        buf_init(&b);
        buf_printf(&b, "value for '%s'", what);
        int rc = fail_unknown(L, n, b.data, s.ptr, s.len, names);
        buf_free(&b);
        return rc;
    }
    *out = i;
    return 0;
}

static jval *to_jval(loader *L, const ynode *n) {
    jval *v = arena_alloc(L->mem, sizeof *v);
    switch (n->kind) {
    case YN_SCALAR:
        switch (n->type) {
        case YS_NULL:
            v->kind = JV_NULL;
            break;
        case YS_BOOL:
            v->kind = JV_BOOL, v->b = n->b;
            break;
        case YS_INT:
            v->kind = JV_INT, v->i = n->i;
            break;
        case YS_FLOAT:
            v->kind = JV_FLOAT, v->d = n->d;
            break;
        case YS_STR:
            v->kind = JV_STRING;
            v->s = arena_strndup(L->mem, n->value, n->len);
            v->len = n->len;
            break;
        }
        break;
    case YN_SEQUENCE:
        v->kind = JV_ARRAY;
        v->n = n->n;
        v->items = arena_alloc(L->mem, (n->n ? n->n : 1) * sizeof(jval *));
        for (size_t i = 0; i < n->n; i++)
            v->items[i] = to_jval(L, n->items[i]);
        break;
    case YN_MAPPING:
        v->kind = JV_OBJECT;
        v->n = n->n / 2;
        v->members = arena_alloc(L->mem, (v->n ? v->n : 1) * sizeof(jmember));
        for (size_t i = 0; i < v->n; i++) {
            const ynode *k = n->items[2 * i];
            /* JSON keys are strings: a YAML key `1` or `true` keeps its text. */
            v->members[i].key = k->kind == YN_SCALAR ? arena_strndup(L->mem, k->value, k->len) : "";
            v->members[i].key_len = k->kind == YN_SCALAR ? k->len : 0;
            v->members[i].value = to_jval(L, n->items[2 * i + 1]);
        }
        break;
    }
    return v;
}

static int need_mapping(loader *L, const ynode *n, const char *what) {
    if (n->kind != YN_MAPPING)
        return ynode_fail(L->err, L->r->file, n, "%s must be a mapping, found %s", what,
                          ynode_kind_name(n));
    return 0;
}

static int need_sequence(loader *L, const ynode *n, const char *what) {
    if (n->kind != YN_SEQUENCE)
        return ynode_fail(L->err, L->r->file, n, "%s must be a list, found %s", what,
                          ynode_kind_name(n));
    return 0;
}

/* Every key of a mapping must be a known, non-repeated string. `allow_dup` names a key that may
 * appear twice (web_search's "id"). */
/* Keys of a message that only the app-server face reads (docs/app-server.md): accepted, but
 * not offered in the hints of exec's error messages. */
static const char *const APP_ONLY_MESSAGE_KEYS[] = {"chunks", "chunk_delay", NULL};

/* check_keys, also accepting the keys in `extra` (never named in a hint). */
static int check_keys_extra(loader *L, const ynode *map, const char *const *known,
                            const char *const *extra, const char *context, const char *allow_dup) {
    for (size_t i = 0; i < map->n; i += 2) {
        const ynode *k = map->items[i];
        if (k->kind != YN_SCALAR || k->type == YS_NULL)
            return ynode_fail(L->err, L->r->file, k, "keys in %s must be plain names", context);
        if (in_list(k->value, k->len, known) < 0 &&
            !(extra && in_list(k->value, k->len, extra) >= 0)) {
            buf b;
            buf_init(&b);
            buf_printf(&b, "key in %s", context);
            int rc = fail_unknown(L, k, b.data, k->value, k->len, known);
            buf_free(&b);
            return rc;
        }
        for (size_t j = 0; j < i; j += 2) {
            if (map->items[j]->len == k->len && !memcmp(map->items[j]->value, k->value, k->len) &&
                !(allow_dup && key_is(k, allow_dup)))
                return ynode_fail(L->err, L->r->file, k, "key '%s' given twice in %s", k->value,
                                  context);
        }
    }
    return 0;
}

static int check_keys(loader *L, const ynode *map, const char *const *known, const char *context,
                      const char *allow_dup) {
    return check_keys_extra(L, map, known, NULL, context, allow_dup);
}

static const ynode *map_get(const ynode *map, const char *key) {
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (key_is(map->items[i], key)) return map->items[i + 1];
    return NULL;
}

/* --- fields: the keys that describe one item, gathered from the step and its nested mapping --- */

enum { MAX_FIELDS = 24 };

typedef struct {
    const ynode *key[MAX_FIELDS];
    const ynode *val[MAX_FIELDS];
    size_t n;
    const ynode *at; /* where to point errors about a missing field */
} fields;

static const ynode *field(const fields *f, const char *name) {
    for (size_t i = 0; i < f->n; i++)
        if (key_is(f->key[i], name)) return f->val[i];
    return NULL;
}

/* The second occurrence of a key (web_search's provider id). */
static const ynode *field_second(const fields *f, const char *name) {
    bool seen = false;
    for (size_t i = 0; i < f->n; i++) {
        if (!key_is(f->key[i], name)) continue;
        if (seen) return f->val[i];
        seen = true;
    }
    return NULL;
}

static int fields_add(loader *L, fields *f, const ynode *k, const ynode *v) {
    if (f->n == MAX_FIELDS) return ynode_fail(L->err, L->r->file, k, "too many keys");
    f->key[f->n] = k;
    f->val[f->n] = v;
    f->n++;
    return 0;
}

static int require(loader *L, const fields *f, const char *name, const char *context,
                   const ynode **out) {
    *out = field(f, name);
    if (!*out) return ynode_fail(L->err, L->r->file, f->at, "%s needs '%s'", context, name);
    return 0;
}

static int parse_usage_map(loader *L, const ynode *n, usage *u) {
    static const char *const keys[] = {
        "input_tokens",  "cached_input_tokens",     "cache_write_input_tokens",
        "output_tokens", "reasoning_output_tokens", NULL};
    if (need_mapping(L, n, "usage") < 0) return -1;
    if (check_keys(L, n, keys, "usage", NULL) < 0) return -1;
    int64_t *slots[] = {&u->input_tokens, &u->cached_input_tokens, &u->cache_write_input_tokens,
                        &u->output_tokens, &u->reasoning_output_tokens};
    memset(u, 0, sizeof *u);
    for (size_t i = 0; i < n->n; i += 2) {
        int idx = in_list(n->items[i]->value, n->items[i]->len, keys);
        if (get_int(L, n->items[i + 1], keys[idx], slots[idx]) < 0) return -1;
        if (*slots[idx] < 0)
            return ynode_fail(L->err, L->r->file, n->items[i + 1], "'%s' cannot be negative",
                              keys[idx]);
    }
    return 0;
}

static int parse_status(loader *L, const ynode *n, bool allow_declined, item_status *out) {
    static const char *const with_declined[] = {"in_progress", "completed", "failed", "declined",
                                                NULL};
    int i;
    const char *const *names = with_declined;
    if (!allow_declined) {
        static const char *const plain[] = {"in_progress", "completed", "failed", NULL};
        names = plain;
    }
    if (get_enum(L, n, "status", names, &i) < 0) return -1;
    *out = (item_status)(i + 1);
    return 0;
}

static int parse_changes(loader *L, const ynode *n, item *it) {
    static const char *const keys[] = {"path", "kind", NULL};
    if (need_sequence(L, n, "'changes'") < 0) return -1;
    it->u.fc.n = n->n;
    it->u.fc.v = arena_alloc(L->mem, (n->n ? n->n : 1) * sizeof(file_change_entry));
    for (size_t i = 0; i < n->n; i++) {
        const ynode *c = n->items[i];
        file_change_entry *e = &it->u.fc.v[i];
        e->kind = CHANGE_UPDATE;
        if (c->kind == YN_SCALAR) { /* shorthand: just a path, updated */
            if (get_str(L, c, "path", &e->path) < 0) return -1;
            continue;
        }
        if (need_mapping(L, c, "a change") < 0) return -1;
        if (check_keys(L, c, keys, "a change", NULL) < 0) return -1;
        const ynode *p = map_get(c, "path"), *k = map_get(c, "kind");
        if (!p) return ynode_fail(L->err, L->r->file, c, "a change needs 'path'");
        if (get_str(L, p, "path", &e->path) < 0) return -1;
        int kind;
        if (k) {
            if (get_enum(L, k, "kind", CHANGE_KIND_NAMES, &kind) < 0) return -1;
            e->kind = (change_kind)kind;
        }
    }
    return 0;
}

static int parse_todos(loader *L, const ynode *n, item *it) {
    static const char *const keys[] = {"text", "completed", "status", NULL};
    static const char *const statuses[] = {"pending", "in_progress", "completed", NULL};
    if (need_sequence(L, n, "'items'") < 0) return -1;
    it->u.todo.n = n->n;
    it->u.todo.v = arena_alloc(L->mem, (n->n ? n->n : 1) * sizeof(todo_entry));
    for (size_t i = 0; i < n->n; i++) {
        const ynode *t = n->items[i];
        todo_entry *e = &it->u.todo.v[i];
        if (t->kind == YN_SCALAR) {
            if (get_str(L, t, "text", &e->text) < 0) return -1;
            continue;
        }
        if (need_mapping(L, t, "a todo entry") < 0) return -1;
        if (check_keys(L, t, keys, "a todo entry", NULL) < 0) return -1;
        const ynode *tx = map_get(t, "text"), *c = map_get(t, "completed");
        const ynode *st = map_get(t, "status");
        if (!tx) return ynode_fail(L->err, L->r->file, t, "a todo entry needs 'text'");
        if (get_str(L, tx, "text", &e->text) < 0) return -1;
        if (c && get_bool(L, c, "completed", &e->completed) < 0) return -1;
        if (c && st)
            return ynode_fail(L->err, L->r->file, st,
                              "give either 'completed' or 'status', not both");
        int si = e->completed ? TODO_COMPLETED : TODO_PENDING;
        if (st && get_enum(L, st, "status", statuses, &si) < 0) return -1;
        e->status = (todo_status)si;
        e->completed = si == TODO_COMPLETED;
    }
    return 0;
}

/* Reasoning text: a string, or a list of summary parts joined as the real CLI joins them
 * (every part kept, separated by "\n"). */
static int parse_reasoning_text(loader *L, const ynode *n, mstr *out) {
    if (n->kind != YN_SEQUENCE) return get_str(L, n, "reasoning", out);
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < n->n; i++) {
        mstr part = {NULL, 0};
        if (get_str(L, n->items[i], "reasoning part", &part) < 0) {
            buf_free(&b);
            return -1;
        }
        if (i) buf_putc(&b, '\n');
        buf_append(&b, part.ptr, part.len);
    }
    *out = keep(L, b.data ? b.data : "", b.len);
    buf_free(&b);
    return 0;
}

/* `chunks:` (a list of strings that join to the text) and `chunk_delay:` of a message or a
 * command (its output): how the app-server face streams it (exec ignores both). */
static int parse_chunks_of(loader *L, const fields *f, const mstr *text, const char *what,
                           mstr **chunks, size_t *n_chunks, bool *has_delay, int64_t *delay_ns) {
    const ynode *v;
    if ((v = field(f, "chunk_delay"))) {
        if (get_duration(L, v, "chunk_delay", delay_ns) < 0) return -1;
        *has_delay = true;
    }
    if (!(v = field(f, "chunks"))) return 0;
    if (need_sequence(L, v, "'chunks'") < 0) return -1;
    *chunks = arena_alloc(L->mem, (v->n ? v->n : 1) * sizeof(mstr));
    *n_chunks = v->n;
    size_t at = 0;
    for (size_t i = 0; i < v->n; i++) {
        mstr *c = &(*chunks)[i];
        if (get_str(L, v->items[i], "chunk", c) < 0) return -1;
        if (at + c->len > text->len || memcmp(text->ptr + at, c->ptr, c->len))
            return ynode_fail(L->err, L->r->file, v->items[i], "the chunks must join to the %s",
                              what);
        at += c->len;
    }
    if (at != text->len)
        return ynode_fail(L->err, L->r->file, v, "the chunks must join to the %s", what);
    return 0;
}

static int parse_chunks(loader *L, const fields *f, item *it) {
    return parse_chunks_of(L, f, &it->u.text.text, "message text", &it->u.text.chunks,
                           &it->u.text.n_chunks, &it->u.text.has_chunk_delay,
                           &it->u.text.chunk_delay_ns);
}

static int parse_collab(loader *L, const fields *f, item *it) {
    const ynode *v;
    it->u.collab = arena_alloc(L->mem, sizeof *it->u.collab);
    if (require(L, f, "tool", "a collab_tool_call", &v) < 0) return -1;
    int tool;
    if (get_enum(L, v, "tool", COLLAB_TOOLS, &tool) < 0) return -1;
    it->u.collab->tool = keep(L, COLLAB_TOOLS[tool], strlen(COLLAB_TOOLS[tool]));
    if (require(L, f, "sender_thread_id", "a collab_tool_call", &v) < 0) return -1;
    if (get_str(L, v, "sender_thread_id", &it->u.collab->sender) < 0) return -1;
    if ((v = field(f, "receiver_thread_ids"))) {
        if (need_sequence(L, v, "'receiver_thread_ids'") < 0) return -1;
        it->u.collab->n_receivers = v->n;
        it->u.collab->receivers = arena_alloc(L->mem, (v->n ? v->n : 1) * sizeof(mstr));
        for (size_t i = 0; i < v->n; i++)
            if (get_str(L, v->items[i], "receiver_thread_ids", &it->u.collab->receivers[i]) < 0)
                return -1;
    }
    if ((v = field(f, "prompt")) && get_nullable_str(L, v, "prompt", &it->u.collab->prompt) < 0)
        return -1;
    if ((v = field(f, "agents_states"))) {
        static const char *const keys[] = {"status", "message", NULL};
        if (need_mapping(L, v, "'agents_states'") < 0) return -1;
        it->u.collab->n_states = v->n / 2;
        it->u.collab->states = arena_alloc(L->mem, (v->n ? v->n / 2 : 1) * sizeof(agent_state));
        for (size_t i = 0; i < v->n / 2; i++) {
            agent_state *s = &it->u.collab->states[i];
            const ynode *k = v->items[2 * i], *st = v->items[2 * i + 1];
            if (get_str(L, k, "agents_states key", &s->thread_id) < 0) return -1;
            if (need_mapping(L, st, "an agent state") < 0) return -1;
            if (check_keys(L, st, keys, "an agent state", NULL) < 0) return -1;
            const ynode *sv = map_get(st, "status"), *mv = map_get(st, "message");
            if (!sv) return ynode_fail(L->err, L->r->file, st, "an agent state needs 'status'");
            int si;
            if (get_enum(L, sv, "status", AGENT_STATES, &si) < 0) return -1;
            s->status = AGENT_STATES[si];
            if (mv && get_nullable_str(L, mv, "message", &s->message) < 0) return -1;
        }
    }
    return 0;
}

/* Builds an item of `type` from its fields. `phase` is the event the item is for (raw events)
 * or EV_ITEM_COMPLETED (sugar, which describes the finished item). Status and exit code
 * defaults follow the real CLI: a finished command with exit code 0 is completed, else failed. */
static int build_item(loader *L, item_type type, const fields *f, event_type phase, bool raw,
                      item *it) {
    const ynode *v;
    const char *ctx = ITEM_TYPE_NAMES[type];
    memset(it, 0, sizeof *it);
    it->type = type;
    if ((v = field(f, "id")) && get_str(L, v, "id", &it->id) < 0) return -1;
    bool finished = phase == EV_ITEM_COMPLETED;
    switch (type) {
    case ITEM_AGENT_MESSAGE:
    case ITEM_REASONING:
        if (require(L, f, "text", ctx, &v) < 0) return -1;
        if (type == ITEM_REASONING) return parse_reasoning_text(L, v, &it->u.text.text);
        if (get_str(L, v, "text", &it->u.text.text) < 0) return -1;
        return parse_chunks(L, f, it);
    case ITEM_ERROR:
        if (require(L, f, "message", ctx, &v) < 0) return -1;
        return get_str(L, v, "message", &it->u.text.text);
    case ITEM_COMMAND_EXECUTION: {
        if (require(L, f, "command", ctx, &v) < 0) return -1;
        if (get_str(L, v, "command", &it->u.cmd.command) < 0) return -1;
        const ynode *out = field(f, "aggregated_output");
        if (!out) out = field(f, "output");
        if (out && get_str(L, out, "output", &it->u.cmd.output) < 0) return -1;
        if (!it->u.cmd.output.ptr) it->u.cmd.output = keep(L, "", 0);
        if ((v = field(f, "exit_code"))) {
            if (!(v->kind == YN_SCALAR && v->type == YS_NULL)) {
                if (get_int(L, v, "exit_code", &it->u.cmd.exit_code) < 0) return -1;
                it->u.cmd.has_exit_code = true;
            }
        } else if (!raw) {
            it->u.cmd.has_exit_code = true; /* sugar: a finished command exited 0 */
        }
        if ((v = field(f, "status"))) {
            if (parse_status(L, v, true, &it->status) < 0) return -1;
        } else if (finished) {
            bool ok = !it->u.cmd.has_exit_code || it->u.cmd.exit_code == 0;
            it->status = ok ? STATUS_COMPLETED : STATUS_FAILED;
        } else {
            it->status = STATUS_IN_PROGRESS;
        }
        return parse_chunks_of(L, f, &it->u.cmd.output, "command output", &it->u.cmd.chunks,
                               &it->u.cmd.n_chunks, &it->u.cmd.has_chunk_delay,
                               &it->u.cmd.chunk_delay_ns);
    }
    case ITEM_FILE_CHANGE:
        if (require(L, f, "changes", ctx, &v) < 0) return -1;
        if (parse_changes(L, v, it) < 0) return -1;
        if ((v = field(f, "diff")) && get_str(L, v, "diff", &it->u.fc.diff) < 0) return -1;
        break;
    case ITEM_MCP_TOOL_CALL: {
        it->u.mcp = arena_alloc(L->mem, sizeof *it->u.mcp);
        if (require(L, f, "server", ctx, &v) < 0) return -1;
        if (get_str(L, v, "server", &it->u.mcp->server) < 0) return -1;
        if (require(L, f, "tool", ctx, &v) < 0) return -1;
        if (get_str(L, v, "tool", &it->u.mcp->tool) < 0) return -1;
        if ((v = field(f, "arguments"))) it->u.mcp->arguments = to_jval(L, v);
        const ynode *res = field(f, "result"), *content = field(f, "content"),
                    *structured = field(f, "structured_content");
        if (res && (content || structured))
            return ynode_fail(L->err, L->r->file, content ? content : structured,
                              "give either 'result' or 'content'/'structured_content', not both");
        if (res) {
            it->u.mcp->result = to_jval(L, res);
        } else if (content || structured) {
            /* {"content":[…],"structured_content":…} in the wire's order */
            jval *r = arena_alloc(L->mem, sizeof *r);
            r->kind = JV_OBJECT;
            r->n = 2;
            r->members = arena_alloc(L->mem, 2 * sizeof(jmember));
            r->members[0].key = "content";
            r->members[0].key_len = 7;
            if (content && content->kind == YN_SCALAR && content->type == YS_STR) {
                /* a plain string is one text block */
                jval *arr = arena_alloc(L->mem, sizeof *arr);
                jval *blk = arena_alloc(L->mem, sizeof *blk);
                jval *ty = arena_alloc(L->mem, sizeof *ty);
                arr->kind = JV_ARRAY;
                arr->n = 1;
                arr->items = arena_alloc(L->mem, sizeof(jval *));
                arr->items[0] = blk;
                blk->kind = JV_OBJECT;
                blk->n = 2;
                blk->members = arena_alloc(L->mem, 2 * sizeof(jmember));
                ty->kind = JV_STRING;
                ty->s = "text";
                ty->len = 4;
                blk->members[0] = (jmember){"type", 4, ty};
                blk->members[1] = (jmember){"text", 4, to_jval(L, content)};
                r->members[0].value = arr;
            } else if (content) {
                if (need_sequence(L, content, "'content'") < 0) return -1;
                r->members[0].value = to_jval(L, content);
            } else {
                jval *arr = arena_alloc(L->mem, sizeof *arr);
                arr->kind = JV_ARRAY;
                r->members[0].value = arr;
            }
            r->members[1].key = "structured_content";
            r->members[1].key_len = 18;
            r->members[1].value = structured ? to_jval(L, structured) : NULL;
            it->u.mcp->result = r;
        }
        if ((v = field(f, "error"))) {
            if (v->kind == YN_MAPPING) {
                static const char *const keys[] = {"message", NULL};
                if (check_keys(L, v, keys, "an mcp error", NULL) < 0) return -1;
                const ynode *m = map_get(v, "message");
                if (!m) return ynode_fail(L->err, L->r->file, v, "an mcp error needs 'message'");
                if (get_str(L, m, "message", &it->u.mcp->error) < 0) return -1;
            } else if (get_nullable_str(L, v, "error", &it->u.mcp->error) < 0) {
                return -1;
            }
        }
        break;
    }
    case ITEM_WEB_SEARCH: {
        if (require(L, f, "query", ctx, &v) < 0) return -1;
        if (get_str(L, v, "query", &it->u.ws.query) < 0) return -1;
        const ynode *sid = field(f, "search_id");
        const ynode *second = field_second(f, "id");
        if (sid && second)
            return ynode_fail(L->err, L->r->file, second,
                              "give the provider's id once: 'search_id' or a second 'id'");
        if (!sid) sid = second;
        if (sid && get_str(L, sid, "search_id", &it->u.ws.search_id) < 0) return -1;
        if ((v = field(f, "action"))) {
            if (need_mapping(L, v, "'action'") < 0) return -1;
            it->u.ws.action = to_jval(L, v);
        }
        return 0;
    }
    case ITEM_TODO_LIST:
        if (require(L, f, "items", ctx, &v) < 0) return -1;
        if (parse_todos(L, v, it) < 0) return -1;
        if ((v = field(f, "explanation")) &&
            get_str(L, v, "explanation", &it->u.todo.explanation) < 0)
            return -1;
        return 0;
    case ITEM_COLLAB_TOOL_CALL:
        if (parse_collab(L, f, it) < 0) return -1;
        break;
    case ITEM_TYPE_COUNT:
        break;
    }
    /* file_change, mcp_tool_call, collab_tool_call: status */
    if ((v = field(f, "status"))) {
        if (parse_status(L, v, false, &it->status) < 0) return -1;
    } else if (!finished) {
        it->status = STATUS_IN_PROGRESS;
    } else if (type == ITEM_MCP_TOOL_CALL) {
        it->status = it->u.mcp->error.ptr ? STATUS_FAILED : STATUS_COMPLETED;
    } else {
        it->status = STATUS_COMPLETED;
    }
    return 0;
}

/* Keys each item type accepts inside a raw event's `item:`. */
static const char *const *item_keys(item_type t) {
    static const char *const text[] = {"id", "type", "text", NULL};
    static const char *const err[] = {"id", "type", "message", NULL};
    static const char *const cmd[] = {"id",     "type",      "command", "aggregated_output",
                                      "output", "exit_code", "status",  NULL};
    static const char *const fc[] = {"id", "type", "changes", "status", "diff", NULL};
    static const char *const mcp[] = {"id",     "type",  "server", "tool",    "arguments",
                                      "result", "error", "status", "content", "structured_content",
                                      NULL};
    static const char *const ws[] = {"id", "type", "search_id", "query", "action", NULL};
    static const char *const todo[] = {"id", "type", "items", "explanation", NULL};
    static const char *const collab[] = {"id",
                                         "type",
                                         "tool",
                                         "sender_thread_id",
                                         "receiver_thread_ids",
                                         "prompt",
                                         "agents_states",
                                         "status",
                                         NULL};
    switch (t) {
    case ITEM_AGENT_MESSAGE:
    case ITEM_REASONING:
        return text;
    case ITEM_ERROR:
        return err;
    case ITEM_COMMAND_EXECUTION:
        return cmd;
    case ITEM_FILE_CHANGE:
        return fc;
    case ITEM_MCP_TOOL_CALL:
        return mcp;
    case ITEM_WEB_SEARCH:
        return ws;
    case ITEM_TODO_LIST:
        return todo;
    case ITEM_COLLAB_TOOL_CALL:
        return collab;
    default:
        return text;
    }
}

static int parse_raw_item(loader *L, const ynode *n, event_type phase, item *it) {
    if (need_mapping(L, n, "'item'") < 0) return -1;
    const ynode *tv = map_get(n, "type");
    if (!tv) return ynode_fail(L->err, L->r->file, n, "an item needs 'type'");
    int t;
    mstr ts = {NULL, 0};
    if (get_str(L, tv, "type", &ts) < 0) return -1;
    if ((t = in_list(ts.ptr, ts.len, ITEM_TYPE_NAMES)) < 0)
        return fail_unknown(L, tv, "item type", ts.ptr, ts.len, ITEM_TYPE_NAMES);
    buf ctx;
    buf_init(&ctx);
    buf_printf(&ctx, "a %s item", ITEM_TYPE_NAMES[t]);
    int rc = check_keys_extra(
        L, n, item_keys((item_type)t),
        t == ITEM_AGENT_MESSAGE || t == ITEM_COMMAND_EXECUTION ? APP_ONLY_MESSAGE_KEYS : NULL,
        ctx.data, t == ITEM_WEB_SEARCH ? "id" : NULL);
    buf_free(&ctx);
    if (rc < 0) return -1;
    fields f = {.n = 0, .at = n};
    for (size_t i = 0; i < n->n; i += 2)
        if (fields_add(L, &f, n->items[i], n->items[i + 1]) < 0) return -1;
    return build_item(L, (item_type)t, &f, phase, true, it);
}

static int parse_event(loader *L, const ynode *n, event *ev) {
    static const char *const keys[] = {"type",  "thread_id", "item", "usage",
                                       "error", "message",   NULL};
    if (need_mapping(L, n, "'event'") < 0) return -1;
    if (check_keys(L, n, keys, "an event", NULL) < 0) return -1;
    const ynode *tv = map_get(n, "type");
    if (!tv) return ynode_fail(L->err, L->r->file, n, "an event needs 'type'");
    mstr ts = {NULL, 0};
    if (get_str(L, tv, "type", &ts) < 0) return -1;
    int t = in_list(ts.ptr, ts.len, EVENT_TYPE_NAMES);
    if (t < 0) return fail_unknown(L, tv, "event type", ts.ptr, ts.len, EVENT_TYPE_NAMES);
    memset(ev, 0, sizeof *ev);
    ev->type = (event_type)t;
    /* Which keys each event type takes, so a misplaced one is reported where it stands. */
    for (size_t i = 0; i < n->n; i += 2) {
        const ynode *k = n->items[i];
        if (key_is(k, "type")) continue;
        bool ok = (key_is(k, "thread_id") && t == EV_THREAD_STARTED) ||
                  (key_is(k, "item") &&
                   (t == EV_ITEM_STARTED || t == EV_ITEM_UPDATED || t == EV_ITEM_COMPLETED)) ||
                  (key_is(k, "usage") && t == EV_TURN_COMPLETED) ||
                  (key_is(k, "error") && t == EV_TURN_FAILED) ||
                  (key_is(k, "message") && t == EV_ERROR);
        if (!ok)
            return ynode_fail(L->err, L->r->file, k, "a %s event has no '%s'", EVENT_TYPE_NAMES[t],
                              k->value);
    }
    const ynode *v;
    switch (ev->type) {
    case EV_THREAD_STARTED:
        if ((v = map_get(n, "thread_id")) && get_str(L, v, "thread_id", &ev->thread_id) < 0)
            return -1;
        break;
    case EV_TURN_STARTED:
        break;
    case EV_ITEM_STARTED:
    case EV_ITEM_UPDATED:
    case EV_ITEM_COMPLETED:
        if (!(v = map_get(n, "item")))
            return ynode_fail(L->err, L->r->file, n, "an %s event needs 'item'", ts.ptr);
        return parse_raw_item(L, v, ev->type, &ev->item);
    case EV_TURN_COMPLETED:
        if ((v = map_get(n, "usage"))) {
            ev->has_usage = true;
            return parse_usage_map(L, v, &ev->usage);
        }
        break;
    case EV_TURN_FAILED: {
        if (!(v = map_get(n, "error")))
            return ynode_fail(L->err, L->r->file, n, "a turn.failed event needs 'error'");
        static const char *const ekeys[] = {"message", NULL};
        if (need_mapping(L, v, "'error'") < 0) return -1;
        if (check_keys(L, v, ekeys, "error", NULL) < 0) return -1;
        const ynode *m = map_get(v, "message");
        if (!m) return ynode_fail(L->err, L->r->file, v, "'error' needs 'message'");
        return get_str(L, m, "message", &ev->message);
    }
    case EV_ERROR:
        if (!(v = map_get(n, "message")))
            return ynode_fail(L->err, L->r->file, n, "an error event needs 'message'");
        return get_str(L, v, "message", &ev->message);
    case EV_TYPE_COUNT:
        break;
    }
    return 0;
}

/* --- steps --- */

typedef enum {
    K_MESSAGE,
    K_REASONING,
    K_WARNING,
    K_COMMAND,
    K_FILE_CHANGE,
    K_MCP,
    K_WEB_SEARCH,
    K_TODO,
    K_COLLAB,
    K_USAGE,
    K_EVENT,
    K_STDERR,
    K_RAW,
    K_SLEEP,
    K_STALL,
    K_EXIT,
    K_RECONNECT,
    K_FAIL,
    K_SIGNAL,
    K_CLOSE_STDOUT,
    K_HTTP_RETRIES,
    K_MODEL_REQUEST,
    K_USER_INPUT,
    K_TOOL_CALL,
    K_AUTH_REFRESH,
    K_PERMISSIONS,
    K_COUNT
} step_key;

static const char *const STEP_KEYS[] = {"message",       "reasoning",    "warning",
                                        "command",       "file_change",  "mcp_tool_call",
                                        "web_search",    "todo_list",    "collab_tool_call",
                                        "usage",         "event",        "stderr",
                                        "raw",           "sleep",        "stall",
                                        "exit",          "reconnect",    "fail",
                                        "signal",        "close_stdout", "http_retries",
                                        "model_request", "user_input",   "dynamic_tool_call",
                                        "auth_refresh",  "permissions",  NULL};

/* The field a scalar value of the step key stands for ("message: hi" → text: hi). */
static const char *const PRIMARY_FIELD[K_COUNT] = {"text", "text",  "message", "command", "changes",
                                                   NULL,   "query", "items",   "tool"};

static const item_type STEP_ITEM_TYPE[] = {
    ITEM_AGENT_MESSAGE, ITEM_REASONING,  ITEM_ERROR,     ITEM_COMMAND_EXECUTION, ITEM_FILE_CHANGE,
    ITEM_MCP_TOOL_CALL, ITEM_WEB_SEARCH, ITEM_TODO_LIST, ITEM_COLLAB_TOOL_CALL};

/* Keys a step of each kind accepts besides its own key and the timing keys. */
static const char *const *step_fields(step_key k) {
    static const char *const none[] = {NULL};
    static const char *const id[] = {"id", NULL};
    static const char *const cmd[] = {
        "id", "output", "aggregated_output", "exit_code", "status", "duration", NULL};
    static const char *const fc[] = {"id", "changes", "status", "diff", "duration", NULL};
    static const char *const todo[] = {"id", "explanation", NULL};
    static const char *const mcp[] = {
        "id",    "server", "tool",     "arguments", "result", "content", "structured_content",
        "error", "status", "duration", NULL};
    static const char *const ws[] = {"id", "search_id", "action", "duration", NULL};
    static const char *const collab[] = {"id",
                                         "sender_thread_id",
                                         "receiver_thread_ids",
                                         "prompt",
                                         "agents_states",
                                         "status",
                                         "duration",
                                         NULL};
    static const char *const raw[] = {"stream", NULL};
    static const char *const retry[] = {"failure",       "cause",        "max",       "transport",
                                        "advised_delay", "request_time", "then",      "log",
                                        "url",           "request_id",   "message",   "body",
                                        "plan",          "resets_at",    "resets_in", "model",
                                        "env_var",       "cf_ray",       "owner",     "limit_name",
                                        "idle_timeout",  "backoff",      NULL};
    static const char *const http[] = {"failure", "request_time", NULL};
    switch (k) {
    case K_RECONNECT:
    case K_FAIL:
        return retry;
    case K_HTTP_RETRIES:
        return http;
    case K_MESSAGE:
    case K_REASONING:
    case K_WARNING:
        return id;
    case K_TODO:
        return todo;
    case K_COMMAND:
        return cmd;
    case K_FILE_CHANGE:
        return fc;
    case K_MCP:
        return mcp;
    case K_WEB_SEARCH:
        return ws;
    case K_COLLAB:
        return collab;
    case K_RAW:
        return raw;
    default:
        return none;
    }
}

static int opt_str(loader *L, const fields *f, const char *name, const char **out) {
    const ynode *v = field(f, name);
    if (!v) return 0;
    mstr m = {NULL, 0};
    if (get_str(L, v, name, &m) < 0) return -1;
    *out = m.ptr;
    return 0;
}

static int opt_duration(loader *L, const fields *f, const char *name, bool *has, int64_t *out) {
    const ynode *v = field(f, name);
    if (!v) return 0;
    *has = true;
    return get_duration(L, v, name, out);
}

/* reconnect: N | forever, or fail: NAME — with the catalogue's parameters as siblings. */
static int parse_retry(loader *L, step *s, bool is_fail, const ynode *val, const fields *f) {
    retry_spec *rs = arena_alloc(L->mem, sizeof *rs);
    s->kind = STEP_RETRY;
    s->u.retry = rs;
    rs->max = 5;
    rs->fail = is_fail;
    rs->log = true;
    const ynode *v;
    const ynode *name_node = is_fail ? val : field(f, "failure");
    if (is_fail && field(f, "failure"))
        return ynode_fail(L->err, L->r->file, field(f, "failure"),
                          "a fail step names its failure once: 'fail: NAME'");
    if (name_node) {
        mstr name = {NULL, 0};
        if (get_str(L, name_node, is_fail ? "fail" : "failure", &name) < 0) return -1;
        rs->kind = failure_find(name.ptr, name.len);
        if (!rs->kind)
            return fail_unknown(L, name_node, "failure", name.ptr, name.len, failure_names());
    }
    if ((v = field(f, "cause"))) {
        if (is_fail)
            return ynode_fail(L->err, L->r->file, v,
                              "a fail step takes its text from the catalogue; use "
                              "'message' or 'body' to change it");
        if (rs->kind)
            return ynode_fail(L->err, L->r->file, v, "give 'failure' or 'cause', not both");
        if (get_str(L, v, "cause", &rs->cause) < 0) return -1;
    }
    if (!rs->kind && !rs->cause.ptr) rs->kind = failure_find("stream_closed", 13);
    if (rs->kind) rs->hidden_retries = rs->kind->http_retries;
    if ((v = field(f, "max"))) {
        int64_t m = 0;
        if (get_int(L, v, "max", &m) < 0) return -1;
        if (m < 0 || m > 100)
            return ynode_fail(L->err, L->r->file, v, "'max' is stream_max_retries: 0 to 100");
        rs->max = (int)m;
    }
    if ((v = field(f, "transport"))) {
        static const char *const names[] = {"http", "websocket", "network", NULL};
        int t;
        if (get_enum(L, v, "transport", names, &t) < 0) return -1;
        rs->transport = (transport_kind)t;
    }
    if ((v = field(f, "then"))) {
        if (is_fail) return ynode_fail(L->err, L->r->file, v, "a fail step always ends the turn");
        static const char *const names[] = {"recover", "fail", NULL};
        int t;
        if (get_enum(L, v, "then", names, &t) < 0) return -1;
        rs->fail = t == 1;
    }
    if ((v = field(f, "log")) && get_bool(L, v, "log", &rs->log) < 0) return -1;
    if (opt_duration(L, f, "advised_delay", &rs->has_advised, &rs->advised_ns) < 0) return -1;
    if (opt_duration(L, f, "request_time", &rs->has_request_time, &rs->request_ns) < 0) return -1;
    if ((v = field(f, "backoff"))) {
        if (v->kind != YN_SEQUENCE || v->n == 0)
            return ynode_fail(L->err, L->r->file, v,
                              "'backoff' is a list of durations, the wait after each failed "
                              "attempt (the last repeats): e.g. [210ms, 380ms]");
        if (rs->has_advised)
            return ynode_fail(L->err, L->r->file, v, "give 'backoff' or 'advised_delay', not both");
        int64_t *waits = arena_alloc(L->mem, v->n * sizeof *waits);
        for (size_t i = 0; i < v->n; i++)
            if (get_duration(L, v->items[i], "backoff", &waits[i]) < 0) return -1;
        rs->backoff_ns = waits;
        rs->n_backoff = v->n;
    }
    bool has_idle = false;
    int64_t idle = 0;
    if (opt_duration(L, f, "idle_timeout", &has_idle, &idle) < 0) return -1;
    failure_params *p = &rs->params;
    if ((v = field(f, "message")) && v->kind == YN_SEQUENCE) {
        /* one message per attempt: servers do not always answer alike */
        rs->n_messages = v->n;
        rs->messages = arena_alloc(L->mem, (v->n ? v->n : 1) * sizeof(char *));
        for (size_t i = 0; i < v->n; i++) {
            mstr m = {NULL, 0};
            if (get_str(L, v->items[i], "message", &m) < 0) return -1;
            rs->messages[i] = m.ptr;
        }
        if (v->n == 0)
            return ynode_fail(L->err, L->r->file, v, "'message' needs at least one text");
    } else if (opt_str(L, f, "message", &p->message) < 0) {
        return -1;
    }
    if (opt_str(L, f, "url", &p->url) < 0 || opt_str(L, f, "request_id", &p->request_id) < 0 ||
        opt_str(L, f, "body", &p->body) < 0 || opt_str(L, f, "plan", &p->plan) < 0 ||
        opt_str(L, f, "model", &p->model) < 0 || opt_str(L, f, "env_var", &p->env_var) < 0 ||
        opt_str(L, f, "cf_ray", &p->cf_ray) < 0 || opt_str(L, f, "limit_name", &p->limit_name) < 0)
        return -1;
    if ((v = field(f, "owner")) && get_bool(L, v, "owner", &p->owner) < 0) return -1;
    if ((v = field(f, "resets_at"))) {
        if (get_int(L, v, "resets_at", &p->resets_at) < 0) return -1;
        p->has_resets_at = true;
    }
    if (opt_duration(L, f, "resets_in", &rs->has_resets_in, &rs->resets_in_ns) < 0) return -1;
    if (p->has_resets_at && rs->has_resets_in)
        return ynode_fail(L->err, L->r->file, field(f, "resets_in"),
                          "give 'resets_at' or 'resets_in', not both");

    /* How many notices: reconnect says; fail follows the catalogue. */
    if (is_fail) {
        rs->attempts = rs->kind->stream_retries ? rs->max : 0;
        if (rs->kind->advised_delay_ok && rs->has_advised) rs->attempts = rs->max;
        if (rs->transport == TRANSPORT_WEBSOCKET)
            return ynode_fail(L->err, L->r->file, field(f, "transport"),
                              "a fail step runs over HTTP; put a 'reconnect' with transport "
                              "websocket before it for the WebSocket phase");
    } else if (val->kind == YN_SCALAR && val->len == 7 && !memcmp(val->value, "forever", 7)) {
        if (rs->fail)
            return ynode_fail(L->err, L->r->file, val,
                              "a reconnect loop that never ends cannot fail");
        rs->attempts = -1;
    } else {
        int64_t n = 0;
        if (val->kind != YN_SCALAR || val->type != YS_INT)
            return ynode_fail(L->err, L->r->file, val,
                              "'reconnect' takes the number of notices, or forever");
        n = val->i;
        if (n < 0 || n > 100)
            return ynode_fail(L->err, L->r->file, val, "'reconnect' takes 0 to 100 notices");
        rs->attempts = (int)n;
        if (rs->transport != TRANSPORT_NETWORK && n > rs->max)
            return ynode_fail(L->err, L->r->file, val,
                              "%lld notices of at most %d: raise 'max' (stream_max_retries)",
                              (long long)n, rs->max);
    }
    if (rs->kind && !strcmp(rs->kind->name, "idle_timeout")) {
        /* each attempt hangs for the idle timeout before it fails */
        rs->has_request_time = true;
        rs->request_ns = has_idle ? idle : 300 * NS_PER_S;
    } else if (has_idle) {
        return ynode_fail(L->err, L->r->file, field(f, "idle_timeout"),
                          "'idle_timeout' goes with the idle_timeout "
                          "failure");
    }
    return 0;
}

static int parse_step(loader *L, const ynode *n, step *s);
static int need_sequence(loader *L, const ynode *n, const char *what);

const char *const APPROVAL_EXPECT_NAMES[] = {"accept",
                                             "acceptForSession",
                                             "acceptWithExecpolicyAmendment",
                                             "decline",
                                             "cancel",
                                             "error",
                                             "answer",
                                             "turn",
                                             "session",
                                             NULL};

/* approval: true | false | {reason: TEXT, expect: DECISION, on_accept: [steps],
 * on_decline: [steps]} */
static int parse_approval(loader *L, const ynode *v, step *s) {
    if (v->kind == YN_SCALAR) {
        bool on = false;
        if (get_bool(L, v, "approval", &on) < 0) return -1;
        if (on) s->approval = arena_alloc(L->mem, sizeof(approval_spec));
        return 0;
    }
    static const char *const keys[] = {"reason",  "expect",     "on_accept", "on_decline",
                                       "timeout", "on_timeout", NULL};
    if (v->kind != YN_MAPPING)
        return ynode_fail(L->err, L->r->file, v,
                          "'approval' takes true or a mapping such as {reason: ...}");
    if (check_keys(L, v, keys, "an approval", NULL) < 0) return -1;
    approval_spec *a = arena_alloc(L->mem, sizeof *a);
    const ynode *r = map_get(v, "reason");
    if (r) {
        if (get_str(L, r, "reason", &a->reason) < 0) return -1;
        a->has_reason = true;
    }
    const ynode *x = map_get(v, "expect");
    if (x) {
        int e;
        if (get_enum(L, x, "expect", APPROVAL_EXPECT_NAMES, &e) < 0) return -1;
        a->expect = APPROVAL_EXPECT_NAMES[e];
    }
    const ynode *to = map_get(v, "timeout");
    if (to) {
        if (get_duration(L, to, "timeout", &a->timeout_ns) < 0) return -1;
        a->has_timeout = true;
    }
    if (map_get(v, "on_timeout") && !to)
        return ynode_fail(L->err, L->r->file, map_get(v, "on_timeout"),
                          "'on_timeout' needs a 'timeout' (the real server waits for ever)");
    static const char *const branches[] = {"on_accept", "on_decline", "on_timeout"};
    for (int b = 0; b < 3; b++) {
        const ynode *seq = map_get(v, branches[b]);
        if (!seq) continue;
        char what[32];
        snprintf(what, sizeof what, "'%s'", branches[b]);
        if (need_sequence(L, seq, what) < 0) return -1;
        step *steps = arena_alloc(L->mem, (seq->n ? seq->n : 1) * sizeof(step));
        for (size_t i = 0; i < seq->n; i++) {
            bool saw = L->saw_template;
            L->saw_template = false;
            if (parse_step(L, seq->items[i], &steps[i]) < 0) return -1;
            steps[i].has_template = L->saw_template;
            L->saw_template = saw || L->saw_template;
        }
        if (b == 0) {
            a->on_accept = steps;
            a->n_on_accept = seq->n;
        } else if (b == 1) {
            a->on_decline = steps;
            a->n_on_decline = seq->n;
        } else {
            a->on_timeout = steps;
            a->n_on_timeout = seq->n;
        }
    }
    s->approval = a;
    return 0;
}

static bool is_timing_key(const ynode *k) {
    return key_is(k, "after") || key_is(k, "at");
}

static int parse_step(loader *L, const ynode *n, step *s) {
    memset(s, 0, sizeof *s);
    s->line = n->line;
    s->col = n->col;
    if (n->kind != YN_MAPPING)
        return ynode_fail(L->err, L->r->file, n,
                          "a step must be a mapping such as 'message: hello', found %s",
                          ynode_kind_name(n));
    for (size_t i = 0; i < n->n; i += 2) {
        const ynode *k = n->items[i];
        if (k->kind != YN_SCALAR)
            return ynode_fail(L->err, L->r->file, k, "keys in a step must be plain names");
        for (size_t j = 0; j < i; j += 2)
            if (n->items[j]->len == k->len && !memcmp(n->items[j]->value, k->value, k->len))
                return ynode_fail(L->err, L->r->file, k, "key '%s' given twice in a step",
                                  k->value);
    }
    /* Find the step's kind key. */
    int kind = -1;
    const ynode *kind_key = NULL, *kind_val = NULL;
    /* reconnect and fail take a `message` parameter (the body's error.message), which is not
     * a message step there. */
    bool retry_step = map_get(n, "reconnect") || map_get(n, "fail");
    for (size_t i = 0; i < n->n; i += 2) {
        const ynode *k = n->items[i];
        int ki = in_list(k->value, k->len, STEP_KEYS);
        if (ki < 0 || (retry_step && ki == K_MESSAGE)) continue;
        if (kind >= 0)
            return ynode_fail(L->err, L->r->file, k,
                              "a step has one type, but this one has both '%s' and '%s'",
                              STEP_KEYS[kind], STEP_KEYS[ki]);
        kind = ki;
        kind_key = k;
        kind_val = n->items[i + 1];
    }
    if (kind < 0) {
        /* Report the key that looks most like a misspelt step type. */
        for (size_t i = 0; i < n->n; i += 2) {
            const ynode *k = n->items[i];
            if (is_timing_key(k)) continue;
            return fail_unknown(L, k, "step type", k->value, k->len, STEP_KEYS);
        }
        return ynode_fail(L->err, L->r->file, n,
                          "a step needs a type: one of message, reasoning, command, ...");
    }
    /* Check the other keys; collect item fields. */
    const char *const *allowed = step_fields((step_key)kind);
    fields f = {.n = 0, .at = n};
    for (size_t i = 0; i < n->n; i += 2) {
        const ynode *k = n->items[i], *v = n->items[i + 1];
        if (k == kind_key) continue;
        if (key_is(k, "after")) {
            if (get_duration(L, v, "after", &s->after_ns) < 0) return -1;
            s->has_after = true;
        } else if (key_is(k, "at")) {
            if (get_duration(L, v, "at", &s->at_ns) < 0) return -1;
            s->has_at = true;
        } else if (key_is(k, "approval") &&
                   (kind == K_COMMAND || kind == K_FILE_CHANGE || kind == K_MCP ||
                    kind == K_USER_INPUT || kind == K_TOOL_CALL || kind == K_AUTH_REFRESH ||
                    kind == K_PERMISSIONS)) {
            if (parse_approval(L, v, s) < 0) return -1;
        } else if (key_is(k, "duration") && in_list("duration", 8, allowed) >= 0) {
            if (get_duration(L, v, "duration", &s->duration_ns) < 0) return -1;
            s->has_duration = true;
        } else if (in_list(k->value, k->len, allowed) >= 0 ||
                   ((kind == K_MESSAGE || kind == K_COMMAND) &&
                    in_list(k->value, k->len, APP_ONLY_MESSAGE_KEYS) >= 0)) {
            if (fields_add(L, &f, k, v) < 0) return -1;
        } else {
            /* Build "after, at, <fields>" as the candidates for a hint. */
            const char *cands[MAX_FIELDS + 3];
            size_t c = 0;
            cands[c++] = "after";
            cands[c++] = "at";
            for (size_t j = 0; allowed[j] && c < MAX_FIELDS + 2; j++)
                cands[c++] = allowed[j];
            cands[c] = NULL;
            const char *hint = did_you_mean(k->value, k->len, cands);
            if (!hint) hint = did_you_mean(k->value, k->len, STEP_KEYS);
            if (hint)
                return ynode_fail(L->err, L->r->file, k,
                                  "unknown key '%s' in a %s step (did you mean '%s'?)", k->value,
                                  STEP_KEYS[kind], hint);
            return ynode_fail(L->err, L->r->file, k, "unknown key '%s' in a %s step", k->value,
                              STEP_KEYS[kind]);
        }
    }
    if (s->has_after && s->has_at)
        return ynode_fail(L->err, L->r->file, n, "give a step 'after' or 'at', not both");

    switch ((step_key)kind) {
    case K_USAGE:
        s->kind = STEP_USAGE;
        return parse_usage_map(L, kind_val, &s->u.usage);
    case K_EVENT: {
        s->kind = STEP_EVENT;
        event *ev = arena_alloc(L->mem, sizeof *ev);
        s->u.ev = ev;
        return parse_event(L, kind_val, ev);
    }
    case K_STDERR:
    case K_RAW: {
        s->kind = kind == K_STDERR ? STEP_STDERR : STEP_RAW;
        if (get_str(L, kind_val, STEP_KEYS[kind], &s->u.bytes) < 0) return -1;
        const ynode *stream = field(&f, "stream");
        if (stream) {
            static const char *const streams[] = {"stdout", "stderr", NULL};
            int which;
            if (get_enum(L, stream, "stream", streams, &which) < 0) return -1;
            if (which == 1) {
                s->kind = STEP_STDERR;
                s->exact = true;
            }
        }
        return 0;
    }
    case K_SLEEP:
    case K_STALL:
        s->kind = STEP_SLEEP;
        if (kind_val->kind == YN_SCALAR && kind_val->len == 7 &&
            memcmp(kind_val->value, "forever", 7) == 0) {
            s->u.sleep = -1;
            return 0;
        }
        return get_duration(L, kind_val, STEP_KEYS[kind], &s->u.sleep);
    case K_RECONNECT:
    case K_FAIL:
        return parse_retry(L, s, kind == K_FAIL, kind_val, &f);
    case K_HTTP_RETRIES: {
        /* Request-level retries the real CLI makes without a word (5xx): they only cost time. */
        int64_t n = 0;
        if (get_int(L, kind_val, "http_retries", &n) < 0) return -1;
        if (n < 0 || n > 100)
            return ynode_fail(L->err, L->r->file, kind_val,
                              "'http_retries' takes 0 to 100 (request_max_retries)");
        retry_spec *rs = arena_alloc(L->mem, sizeof *rs);
        rs->hidden_only = true;
        rs->hidden_retries = (int)n;
        rs->max = 5;
        rs->kind = failure_find("server_error_500", 16);
        const ynode *v = field(&f, "failure");
        if (v) {
            mstr name = {NULL, 0};
            if (get_str(L, v, "failure", &name) < 0) return -1;
            if (!(rs->kind = failure_find(name.ptr, name.len)))
                return fail_unknown(L, v, "failure", name.ptr, name.len, failure_names());
        }
        bool has = false;
        if (opt_duration(L, &f, "request_time", &has, &rs->request_ns) < 0) return -1;
        rs->has_request_time = has;
        s->kind = STEP_RETRY;
        s->u.retry = rs;
        return 0;
    }
    case K_SIGNAL: {
        const char *const *names = SIGNAL_STEP_NAMES;
        s->kind = STEP_SIGNAL;
        mstr name = {NULL, 0};
        if (get_str(L, kind_val, "signal", &name) < 0) return -1;
        char full[32];
        snprintf(full, sizeof full, "%s%.*s", strncmp(name.ptr, "SIG", 3) ? "SIG" : "",
                 (int)(name.len < 20 ? name.len : 20), name.ptr);
        int i = in_list(full, strlen(full), names);
        if (i < 0) return fail_unknown(L, kind_val, "signal", name.ptr, name.len, names);
        s->u.signal = SIGNAL_STEP_NUMBERS[i];
        return 0;
    }
    case K_USER_INPUT:
    case K_TOOL_CALL:
    case K_AUTH_REFRESH:
    case K_PERMISSIONS: {
        /* a server → client request of the app-server: its mapping is passed on as written */
        if (kind_val->kind != YN_MAPPING)
            return ynode_fail(L->err, L->r->file, kind_val,
                              "'%s' takes a mapping (see docs/app-server.md)", STEP_KEYS[kind]);
        request_spec *r = arena_alloc(L->mem, sizeof *r);
        r->kind = kind == K_USER_INPUT     ? REQ_USER_INPUT
                  : kind == K_TOOL_CALL    ? REQ_TOOL_CALL
                  : kind == K_AUTH_REFRESH ? REQ_AUTH_REFRESH
                                           : REQ_PERMISSIONS;
        r->body = to_jval(L, kind_val);
        if (!r->body) return -1;
        const jval *id = jval_get(r->body, "id");
        if (id && id->kind == JV_STRING) {
            r->id.ptr = id->s;
            r->id.len = id->len;
        } else {
            char gen[48];
            snprintf(gen, sizeof gen, "call_%s_%d", STEP_KEYS[kind], s->line);
            r->id = keep(L, gen, strlen(gen));
        }
        if (kind == K_USER_INPUT &&
            !(jval_get(r->body, "questions") && jval_get(r->body, "questions")->kind == JV_ARRAY))
            return ynode_fail(L->err, L->r->file, kind_val,
                              "'user_input' needs 'questions': a list of {id, header, question, "
                              "options}");
        if (kind == K_TOOL_CALL &&
            !(jval_get(r->body, "tool") && jval_get(r->body, "tool")->kind == JV_STRING))
            return ynode_fail(L->err, L->r->file, kind_val,
                              "'dynamic_tool_call' needs 'tool': the tool's name");
        s->kind = STEP_SERVER_REQUEST;
        s->u.request = r;
        return 0;
    }
    case K_MODEL_REQUEST:
        s->kind = STEP_MODEL_REQUEST;
        return get_str(L, kind_val, "model_request", &s->u.bytes) < 0 ? -1 : 0;
    case K_CLOSE_STDOUT: {
        bool on = false;
        if (get_bool(L, kind_val, "close_stdout", &on) < 0) return -1;
        if (!on)
            return ynode_fail(L->err, L->r->file, kind_val,
                              "'close_stdout' takes true (drop the step otherwise)");
        s->kind = STEP_CLOSE_STDOUT;
        return 0;
    }
    case K_EXIT: {
        s->kind = STEP_EXIT;
        int64_t code = 0;
        if (get_int(L, kind_val, "exit", &code) < 0) return -1;
        if (code < 0 || code > 255)
            return ynode_fail(L->err, L->r->file, kind_val,
                              "exit code %lld is out of range (0 to 255)", (long long)code);
        if (code == EXIT_MOCK_ERROR)
            return ynode_fail(L->err, L->r->file, kind_val,
                              "exit code %d is reserved for codex-mock's own errors; pick another",
                              EXIT_MOCK_ERROR);
        s->u.exit_code = (int)code;
        return 0;
    }
    default:
        break;
    }

    /* Item sugar: the kind key's value is the primary field, or a mapping of fields. */
    item_type it = STEP_ITEM_TYPE[kind];
    s->kind = kind == K_TODO ? STEP_TODO_LIST : STEP_ITEM;
    if (kind_val->kind == YN_MAPPING) {
        const char *const *known = item_keys(it);
        buf ctx;
        buf_init(&ctx);
        buf_printf(&ctx, "a %s step", STEP_KEYS[kind]);
        int rc = check_keys_extra(
            L, kind_val, known,
            it == ITEM_AGENT_MESSAGE || it == ITEM_COMMAND_EXECUTION ? APP_ONLY_MESSAGE_KEYS : NULL,
            ctx.data, NULL);
        buf_free(&ctx);
        if (rc < 0) return -1;
        for (size_t i = 0; i < kind_val->n; i += 2) {
            const ynode *k = kind_val->items[i];
            if (key_is(k, "type"))
                return ynode_fail(L->err, L->r->file, k, "a %s step has no 'type'",
                                  STEP_KEYS[kind]);
            if (field(&f, k->value))
                return ynode_fail(L->err, L->r->file, k,
                                  "'%s' is given twice (in the step and in its mapping)", k->value);
            if (fields_add(L, &f, k, kind_val->items[i + 1]) < 0) return -1;
        }
    } else if (PRIMARY_FIELD[kind]) {
        /* The value stands for the primary field: look it up under that name. */
        ynode *alias = arena_alloc(&L->r->scratch, sizeof *alias);
        *alias = *kind_key;
        alias->value = PRIMARY_FIELD[kind];
        alias->len = strlen(PRIMARY_FIELD[kind]);
        if (field(&f, PRIMARY_FIELD[kind]))
            return ynode_fail(L->err, L->r->file, field(&f, PRIMARY_FIELD[kind]),
                              "'%s' is given twice (as the value of '%s' and as a key)",
                              PRIMARY_FIELD[kind], STEP_KEYS[kind]);
        if (fields_add(L, &f, alias, kind_val) < 0) return -1;
    } else {
        return ynode_fail(L->err, L->r->file, kind_val,
                          "'%s' takes a mapping of its fields (server, tool, ...)",
                          STEP_KEYS[kind]);
    }
    return build_item(L, it, &f, EV_ITEM_COMPLETED, false, &s->u.item);
}

/* --- turns and the document --- */

typedef struct {
    step *v;
    size_t n, cap;
} step_vec;

static step *step_push(step_vec *sv) {
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 16;
        sv->v = xrealloc(sv->v, sv->cap * sizeof(step));
    }
    return &sv->v[sv->n++];
}

static int load_steps_tree(loader *L, const ynode *seq, step_vec *sv) {
    if (need_sequence(L, seq, "'steps'") < 0) return -1;
    for (size_t i = 0; i < seq->n; i++) {
        L->saw_template = false;
        step *st = step_push(sv);
        if (parse_step(L, seq->items[i], st) < 0) return -1;
        st->has_template = L->saw_template;
    }
    return 0;
}

/* Streams a `steps:` list one step at a time so huge scenarios never exist as a YAML tree. */
static int load_steps_stream(loader *L, step_vec *sv) {
    const yaml_event_t *pe;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type != YAML_SEQUENCE_START_EVENT || pe->data.sequence_start.anchor) {
        ynode *n;
        if (yread_node(L->r, &n) < 0) return -1;
        return load_steps_tree(L, n, sv);
    }
    yread_skip_event(L->r);
    for (;;) {
        if (yread_peek(L->r, &pe) < 0) return -1;
        if (pe->type == YAML_SEQUENCE_END_EVENT) return yread_skip_event(L->r);
        ynode *n;
        if (yread_node(L->r, &n) < 0) return -1;
        L->saw_template = false;
        step *st = step_push(sv);
        if (parse_step(L, n, st) < 0) return -1;
        st->has_template = L->saw_template;
        yread_scratch_reset(L->r);
    }
}

static const char *const TURN_KEYS[] = {"steps", "startup", "started_after", "completed_after",
                                        NULL};

static int turn_option(loader *L, turn *t, const ynode *k, const ynode *v) {
    if (key_is(k, "started_after")) {
        t->has_started_after = true;
        return get_duration(L, v, "started_after", &t->started_after_ns);
    }
    if (key_is(k, "startup")) {
        t->has_startup = true;
        return get_duration(L, v, "startup", &t->startup_ns);
    }
    if (key_is(k, "completed_after")) {
        t->has_completed_after = true;
        return get_duration(L, v, "completed_after", &t->completed_after_ns);
    }
    return fail_unknown(L, k, "key in a turn", k->value, k->len, TURN_KEYS);
}

static int finish_turn(loader *L, turn *t, step_vec *sv, bool have_steps, const ynode *at) {
    if (!have_steps) {
        free(sv->v);
        return ynode_fail(L->err, L->r->file, at, "a turn needs 'steps'");
    }
    t->steps = sv->v;
    t->n_steps = sv->n;
    return 0;
}

static int load_turn_tree(loader *L, const ynode *n, turn *t) {
    if (need_mapping(L, n, "a turn") < 0) return -1;
    t->line = n->line;
    t->col = n->col;
    step_vec sv = {0};
    bool have_steps = false;
    for (size_t i = 0; i < n->n; i += 2) {
        const ynode *k = n->items[i], *v = n->items[i + 1];
        if (k->kind != YN_SCALAR)
            return ynode_fail(L->err, L->r->file, k, "keys in a turn must be plain names");
        for (size_t j = 0; j < i; j += 2)
            if (key_is(n->items[j], k->value))
                return ynode_fail(L->err, L->r->file, k, "key '%s' given twice in a turn",
                                  k->value);
        int rc = key_is(k, "steps") ? (have_steps = true, load_steps_tree(L, v, &sv))
                                    : turn_option(L, t, k, v);
        if (rc < 0) {
            t->steps = sv.v; /* freed with the scenario */
            t->n_steps = sv.n;
            return -1;
        }
    }
    return finish_turn(L, t, &sv, have_steps, n);
}

static int load_turn_stream(loader *L, turn *t) {
    const yaml_event_t *pe;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type != YAML_MAPPING_START_EVENT || pe->data.mapping_start.anchor) {
        ynode *n;
        if (yread_node(L->r, &n) < 0) return -1;
        return load_turn_tree(L, n, t);
    }
    int line, col;
    yread_event_pos(pe, &line, &col);
    t->line = line;
    t->col = col;
    yread_skip_event(L->r);
    step_vec sv = {0};
    bool have_steps = false;
    for (;;) {
        if (yread_peek(L->r, &pe) < 0) goto fail;
        if (pe->type == YAML_MAPPING_END_EVENT) {
            yread_skip_event(L->r);
            break;
        }
        ynode *k;
        if (yread_node(L->r, &k) < 0) goto fail;
        if (k->kind != YN_SCALAR) {
            ynode_fail(L->err, L->r->file, k, "keys in a turn must be plain names");
            goto fail;
        }
        if (key_is(k, "steps")) {
            if (have_steps) {
                ynode_fail(L->err, L->r->file, k, "key 'steps' given twice in a turn");
                goto fail;
            }
            have_steps = true;
            if (load_steps_stream(L, &sv) < 0) goto fail;
        } else {
            ynode *v;
            if (yread_node(L->r, &v) < 0 || turn_option(L, t, k, v) < 0) goto fail;
        }
        yread_scratch_reset(L->r);
    }
    {
        ynode at = {.line = line, .col = col};
        return finish_turn(L, t, &sv, have_steps, &at);
    }
fail:
    t->steps = sv.v;
    t->n_steps = sv.n;
    return -1;
}

static turn *turn_push(scenario *sc) {
    sc->turns = xrealloc(sc->turns, (sc->n_turns + 1) * sizeof(turn));
    turn *t = &sc->turns[sc->n_turns++];
    memset(t, 0, sizeof *t);
    return t;
}

static int load_turns(loader *L) {
    const yaml_event_t *pe;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type != YAML_SEQUENCE_START_EVENT || pe->data.sequence_start.anchor) {
        ynode *n;
        if (yread_node(L->r, &n) < 0) return -1;
        if (need_sequence(L, n, "'turns'") < 0) return -1;
        for (size_t i = 0; i < n->n; i++)
            if (load_turn_tree(L, n->items[i], turn_push(L->sc)) < 0) return -1;
        return 0;
    }
    yread_skip_event(L->r);
    for (;;) {
        if (yread_peek(L->r, &pe) < 0) return -1;
        if (pe->type == YAML_SEQUENCE_END_EVENT) return yread_skip_event(L->r);
        if (load_turn_stream(L, turn_push(L->sc)) < 0) return -1;
    }
}

/* `before_initialize:` / `after_initialize:` — a list of process steps (scenario.h). */
static int parse_handshake(loader *L, const ynode *seq, int which, scenario *sc) {
    const char *what = which ? "'after_initialize'" : "'before_initialize'";
    if (need_sequence(L, seq, what) < 0) return -1;
    step *steps = arena_alloc(L->mem, (seq->n ? seq->n : 1) * sizeof(step));
    for (size_t i = 0; i < seq->n; i++) {
        if (parse_step(L, seq->items[i], &steps[i]) < 0) return -1;
        step_kind k = steps[i].kind;
        if (k != STEP_RAW && k != STEP_STDERR && k != STEP_EXIT && k != STEP_SIGNAL &&
            k != STEP_CLOSE_STDOUT)
            return ynode_fail(L->err, L->r->file, seq->items[i],
                              "%s takes process steps only (raw, stderr, exit, signal, "
                              "close_stdout)",
                              what);
    }
    sc->handshake[which] = steps;
    sc->n_handshake[which] = seq->n;
    return 0;
}

static const char *const TOP_KEYS[] = {"codex_mock",
                                       "name",
                                       "description",
                                       "thread_id",
                                       "preflight",
                                       "startup",
                                       "implicit_events",
                                       "on_sigint",
                                       "chaos",
                                       "turns",
                                       "steps",
                                       "cli",
                                       "conform",
                                       "faces",
                                       "before_initialize",
                                       "after_initialize",
                                       "protocol_faults",
                                       "drip",
                                       NULL};

/* `protocol_faults:` — a list of {fault, method, id} (scenario.h proto_fault). */
static int parse_proto_faults(loader *L, const ynode *seq, scenario *sc) {
    static const char *const keys[] = {"fault", "method", "id", NULL};
    static const char *const kinds[] = {"wrong_id", "no_answer", "request_before_answer",
                                        "ghost_thread", NULL};
    if (need_sequence(L, seq, "'protocol_faults'") < 0) return -1;
    proto_fault *pf = arena_alloc(L->mem, (seq->n ? seq->n : 1) * sizeof *pf);
    for (size_t i = 0; i < seq->n; i++) {
        const ynode *n = seq->items[i];
        if (need_mapping(L, n, "a protocol fault") < 0) return -1;
        if (check_keys(L, n, keys, "protocol_faults", NULL) < 0) return -1;
        const ynode *v = map_get(n, "fault");
        if (!v)
            return ynode_fail(L->err, L->r->file, n,
                              "a protocol fault needs 'fault' (wrong_id, no_answer, "
                              "request_before_answer or ghost_thread)");
        int k;
        if (get_enum(L, v, "fault", kinds, &k) < 0) return -1;
        memset(&pf[i], 0, sizeof pf[i]);
        pf[i].kind = (proto_fault_kind)k;
        bool turn_only =
            pf[i].kind == PROTO_REQUEST_BEFORE_ANSWER || pf[i].kind == PROTO_GHOST_THREAD;
        if ((v = map_get(n, "method"))) {
            if (get_str(L, v, "method", &pf[i].method) < 0) return -1;
            if (turn_only && strcmp(pf[i].method.ptr, "turn/start"))
                return ynode_fail(L->err, L->r->file, v, "'%s' applies to turn/start only",
                                  kinds[k]);
        } else if (turn_only) {
            pf[i].method.ptr = "turn/start";
            pf[i].method.len = 10;
        } else {
            return ynode_fail(L->err, L->r->file, n,
                              "'%s' needs 'method': the client's request it applies to "
                              "(turn/start, thread/start, …)",
                              kinds[k]);
        }
        if ((v = map_get(n, "id"))) {
            if (pf[i].kind != PROTO_WRONG_ID)
                return ynode_fail(L->err, L->r->file, v, "'id' goes with 'fault: wrong_id' only");
            pf[i].has_id = true;
            if (v->kind == YN_SCALAR && v->type == YS_INT) {
                pf[i].id_int = v->i;
            } else {
                pf[i].id_is_text = true;
                if (get_str(L, v, "id", &pf[i].id_text) < 0) return -1;
            }
        }
    }
    sc->proto_faults = pf;
    sc->n_proto_faults = seq->n;
    return 0;
}

/* `conform:` — files, args, prompt, skip, timing (scenario.h conform_spec; docs/format.md). */
static int parse_conform(loader *L, const ynode *n, conform_spec *c) {
    static const char *const keys[] = {"files",  "args",        "prompt",    "skip",
                                       "timing", "session_gap", "human_gap", NULL};
    if (need_mapping(L, n, "'conform'") < 0) return -1;
    if (check_keys(L, n, keys, "conform", NULL) < 0) return -1;
    const ynode *v;
    if ((v = map_get(n, "files"))) {
        if (need_mapping(L, v, "'conform.files'") < 0) return -1;
        c->n_files = v->n / 2;
        c->files = arena_alloc(L->mem, (c->n_files ? c->n_files : 1) * sizeof *c->files);
        for (size_t i = 0; i < c->n_files; i++) {
            const ynode *k = v->items[2 * i], *val = v->items[2 * i + 1];
            if (get_text(L, k, "file path", false, &c->files[i].path) < 0) return -1;
            if (!c->files[i].path.len || c->files[i].path.ptr[0] == '/' ||
                strstr(c->files[i].path.ptr, ".."))
                return ynode_fail(L->err, L->r->file, k,
                                  "a conform file path is relative and stays in the work dir");
            if (get_text(L, val, "file content", false, &c->files[i].content) < 0) return -1;
        }
    }
    if ((v = map_get(n, "args"))) {
        if (v->kind != YN_SEQUENCE)
            return ynode_fail(L->err, L->r->file, v, "'args' must be a list of strings, found %s",
                              ynode_kind_name(v));
        c->n_args = v->n;
        c->args = arena_alloc(L->mem, (v->n ? v->n : 1) * sizeof *c->args);
        for (size_t i = 0; i < v->n; i++)
            if (get_text(L, v->items[i], "argument", false, &c->args[i]) < 0) return -1;
    }
    if ((v = map_get(n, "prompt")) && get_text(L, v, "prompt", false, &c->prompt) < 0) return -1;
    if ((v = map_get(n, "skip")) && get_text(L, v, "skip", false, &c->skip) < 0) return -1;
    if ((v = map_get(n, "human_gap")) && get_text(L, v, "human_gap", false, &c->human_gap) < 0)
        return -1;
    if ((v = map_get(n, "session_gap")) &&
        get_text(L, v, "session_gap", false, &c->session_gap) < 0)
        return -1;
    bool timing = true;
    if ((v = map_get(n, "timing")) && get_bool(L, v, "timing", &timing) < 0) return -1;
    c->timing_off = !timing;
    return 0;
}

/* `cli:` — the emulated CLI's configuration (scenario.h cli_config; docs/format.md). */
static int parse_cli(loader *L, const ynode *n, cli_config *c) {
    static const char *const keys[] = {"version",
                                       "model",
                                       "provider",
                                       "reasoning_effort",
                                       "reasoning_summaries",
                                       "requires_api_key",
                                       "before_prompt",
                                       "output_schema",
                                       "history",
                                       NULL};
    if (need_mapping(L, n, "'cli'") < 0) return -1;
    if (check_keys(L, n, keys, "cli", NULL) < 0) return -1;
    const char **strs[] = {&c->version, &c->model, &c->provider, &c->reasoning_effort,
                           &c->reasoning_summaries};
    for (size_t i = 0; i < 5; i++) {
        const ynode *v = map_get(n, keys[i]);
        mstr m = {NULL, 0};
        if (v && get_str(L, v, keys[i], &m) < 0) return -1;
        if (v) *strs[i] = m.ptr;
    }
    const ynode *v;
    if ((v = map_get(n, "requires_api_key")) &&
        get_bool(L, v, "requires_api_key", &c->requires_api_key) < 0)
        return -1;
    if ((v = map_get(n, "before_prompt")) && get_bool(L, v, "before_prompt", &c->before_prompt) < 0)
        return -1;
    if ((v = map_get(n, "history")) && get_bool(L, v, "history", &c->history) < 0) return -1;
    if ((v = map_get(n, "output_schema"))) {
        static const char *const modes[] = {"warn", "strict", NULL};
        int m;
        if (get_enum(L, v, "output_schema", modes, &m) < 0) return -1;
        c->schema = m == 0 ? SCHEMA_MODE_WARN : SCHEMA_MODE_STRICT;
    }
    return 0;
}

static int top_option(loader *L, const ynode *k, const ynode *v, bool *have_version) {
    scenario *sc = L->sc;
    if (key_is(k, "codex_mock")) {
        int64_t ver;
        if (v->kind != YN_SCALAR || v->type != YS_INT)
            return ynode_fail(L->err, L->r->file, v,
                              "'codex_mock' is the format version and must be %d",
                              SCENARIO_FORMAT_VERSION);
        ver = v->i;
        if (ver != SCENARIO_FORMAT_VERSION)
            return ynode_fail(L->err, L->r->file, v,
                              "unsupported format version %lld (this codex-mock reads %d)",
                              (long long)ver, SCENARIO_FORMAT_VERSION);
        sc->format_version = (int)ver;
        *have_version = true;
        return 0;
    }
    /* labels: shown as written, never played, so `{{` in them is just text */
    if (key_is(k, "name")) return get_text(L, v, "name", false, &sc->name);
    if (key_is(k, "description")) return get_text(L, v, "description", false, &sc->description);
    if (key_is(k, "thread_id")) {
        if (get_str(L, v, "thread_id", &sc->thread_id) < 0) return -1;
        if (sc->thread_id.len == 0 || sc->thread_id.len > 63)
            return ynode_fail(L->err, L->r->file, v,
                              "'thread_id' must be 1 to 63 characters (a UUID has 36)");
        return 0;
    }
    if (key_is(k, "cli")) return parse_cli(L, v, &sc->cli);
    if (key_is(k, "conform")) return parse_conform(L, v, &sc->conform);
    if (key_is(k, "chaos")) {
        mstr text = {NULL, 0};
        if (get_str(L, v, "chaos", &text) < 0) return -1;
        diag why;
        diag_init(&why);
        if (chaos_parse(text.ptr, &sc->chaos, &why) < 0) {
            /* chaos_parse names the variable; here the key is the scenario's */
            const char *msg = strncmp(why.msg, "CODEX_MOCK_CHAOS: ", 18) ? why.msg : why.msg + 18;
            ynode_fail(L->err, L->r->file, v, "chaos: %s", msg);
            diag_free(&why);
            return -1;
        }
        return 0;
    }
    if (key_is(k, "before_initialize") || key_is(k, "after_initialize"))
        return parse_handshake(L, v, key_is(k, "after_initialize"), sc);
    if (key_is(k, "protocol_faults")) return parse_proto_faults(L, v, sc);
    if (key_is(k, "drip")) {
        if (get_duration(L, v, "drip", &sc->drip_ns) < 0) return -1;
        if (sc->drip_ns > 10 * NS_PER_S)
            return ynode_fail(L->err, L->r->file, v, "'drip' is at most 10s per byte");
        return 0;
    }
    if (key_is(k, "faces")) {
        /* `faces: [exec, app-server]` — which faces play it (faces.h, docs/format.md) */
        static const char *const names[] = {"exec", "app-server", NULL};
        if (v->kind != YN_SEQUENCE || v->n == 0)
            return ynode_fail(L->err, L->r->file, v,
                              "'faces' must be a non-empty list of exec, app-server");
        for (size_t i = 0; i < v->n; i++) {
            int f;
            if (get_enum(L, v->items[i], "faces", names, &f) < 0) return -1;
            sc->faces |= f == 0 ? FACE_EXEC : FACE_APP_SERVER;
        }
        return 0;
    }
    if (key_is(k, "on_sigint")) {
        static const char *const modes[] = {"interrupt", "die", NULL};
        int mode;
        if (get_enum(L, v, "on_sigint", modes, &mode) < 0) return -1;
        sc->sigint_kills = mode == 1;
        return 0;
    }
    if (key_is(k, "implicit_events")) {
        bool on = true;
        if (get_bool(L, v, "implicit_events", &on) < 0) return -1;
        sc->no_implicit_events = !on;
        return 0;
    }
    if (key_is(k, "preflight")) {
        sc->has_preflight = true;
        return get_duration(L, v, "preflight", &sc->preflight_ns);
    }
    if (key_is(k, "startup")) {
        sc->has_startup = true;
        return get_duration(L, v, "startup", &sc->startup_ns);
    }
    return fail_unknown(L, k, "top-level key", k->value, k->len, TOP_KEYS);
}

/* The top-level mapping as it is read. */
typedef struct {
    bool have_version, have_turns;
    unsigned seen; /* top-level keys already given, by their index in TOP_KEYS */
    ynode pos;     /* the mapping's position */
} top_state;

/* From the start of the file to just inside the top-level mapping. */
static int doc_begin(loader *L, top_state *ts) {
    const yaml_event_t *pe;
    memset(ts, 0, sizeof *ts);
    if (yread_expect(L->r, YAML_STREAM_START_EVENT, "the start of the file") < 0) return -1;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type == YAML_STREAM_END_EVENT)
        return ynode_fail(L->err, L->r->file, &(ynode){.line = 1, .col = 1},
                          "empty scenario: expected a mapping with 'codex_mock: 1' and 'turns'");
    if (yread_expect(L->r, YAML_DOCUMENT_START_EVENT, "a document") < 0) return -1;
    if (yread_peek(L->r, &pe) < 0) return -1;
    int line, col;
    yread_event_pos(pe, &line, &col);
    ts->pos = (ynode){.line = line, .col = col};
    if (pe->type != YAML_MAPPING_START_EVENT) {
        ynode *n;
        if (yread_node(L->r, &n) < 0) return -1;
        if (n->kind == YN_SCALAR && n->type == YS_NULL)
            return ynode_fail(L->err, L->r->file, n,
                              "empty scenario: expected a mapping with 'codex_mock: 1' and "
                              "'turns'");
        return ynode_fail(L->err, L->r->file, n,
                          "a scenario must be a mapping (codex_mock, name, turns, ...), found %s",
                          ynode_kind_name(n));
    }
    return yread_skip_event(L->r);
}

/* The rest of the file after the top-level mapping: one document only. */
static int doc_tail(loader *L) {
    const yaml_event_t *pe;
    if (yread_expect(L->r, YAML_DOCUMENT_END_EVENT, "the end of the document") < 0) return -1;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type != YAML_STREAM_END_EVENT) {
        int line, col;
        yread_event_pos(pe, &line, &col);
        return ynode_fail(L->err, L->r->file, &(ynode){.line = line, .col = col},
                          "a scenario file holds one document; found a second one");
    }
    return 0;
}

/* Where a streamed scenario's list of steps starts. */
typedef struct {
    bool is_turns; /* 'turns' (else a top-level 'steps': one turn) */
    int line, col; /* the key */
} list_start;

/* Reads the top-level keys. Whole (`at` NULL): to the mapping's end, then the checks. Streamed:
 * stops at 'steps' or 'turns' with its value next and returns 1. */
static int doc_keys(loader *L, top_state *ts, list_start *at) {
    scenario *sc = L->sc;
    const yaml_event_t *pe;
    for (;;) {
        if (yread_peek(L->r, &pe) < 0) return -1;
        if (pe->type == YAML_MAPPING_END_EVENT) {
            yread_skip_event(L->r);
            break;
        }
        ynode *k;
        if (yread_node(L->r, &k) < 0) return -1;
        if (k->kind != YN_SCALAR)
            return ynode_fail(L->err, L->r->file, k, "top-level keys must be plain names");
        int ki = in_list(k->value, k->len, TOP_KEYS);
        if (ki >= 0 && (ts->seen >> ki) & 1u)
            return ynode_fail(L->err, L->r->file, k, "key '%s' given twice at the top level",
                              k->value);
        if (ki >= 0) ts->seen |= 1u << ki;
        if (key_is(k, "turns") || key_is(k, "steps")) {
            if (ts->have_turns)
                return ynode_fail(L->err, L->r->file, k,
                                  "give either 'turns' or 'steps' once (steps is a one-turn "
                                  "scenario)");
            ts->have_turns = true;
            if (at) {
                at->is_turns = key_is(k, "turns");
                at->line = k->line;
                at->col = k->col;
                yread_scratch_reset(L->r);
                return 1;
            }
            if (key_is(k, "turns")) {
                if (load_turns(L) < 0) return -1;
            } else {
                turn *t = turn_push(sc);
                t->line = k->line;
                t->col = k->col;
                step_vec sv = {0};
                int rc = load_steps_stream(L, &sv);
                t->steps = sv.v;
                t->n_steps = sv.n;
                if (rc < 0) return -1;
            }
        } else {
            ynode *v;
            if (yread_node(L->r, &v) < 0) return -1;
            if (top_option(L, k, v, &ts->have_version) < 0) return -1;
        }
        yread_scratch_reset(L->r);
    }
    if (!ts->have_version)
        return ynode_fail(L->err, L->r->file, &ts->pos,
                          "missing 'codex_mock: %d' (the format version) at the top",
                          SCENARIO_FORMAT_VERSION);
    if (!ts->have_turns)
        return ynode_fail(L->err, L->r->file, &ts->pos,
                          "missing 'turns' (or 'steps' for a single turn)");
    if (sc->n_turns == 0)
        return ynode_fail(L->err, L->r->file, &ts->pos,
                          "'turns' is empty: a scenario needs a turn");
    return 0;
}

static int load_document(loader *L) {
    top_state ts;
    if (doc_begin(L, &ts) < 0 || doc_keys(L, &ts, NULL) < 0) return -1;
    return doc_tail(L);
}

static int load(yread *r, scenario *out, diag *err) {
    memset(out, 0, sizeof *out);
    arena_init(&out->mem);
    out->file = arena_strdup(&out->mem, r->file);
    loader L = {r, out, &out->mem, err, false};
    int rc = load_document(&L);
    yread_close(r);
    if (rc < 0) scenario_free(out);
    return rc;
}

int scenario_load_file(const char *path, scenario *out, diag *err) {
    yread r;
    if (yread_open(&r, path, err) < 0) {
        yread_close(&r);
        memset(out, 0, sizeof *out);
        return -1;
    }
    return load(&r, out, err);
}

int scenario_load_mem(const char *name, const char *data, size_t len, scenario *out, diag *err) {
    yread r;
    yread_open_mem(&r, name, data, len, err);
    return load(&r, out, err);
}

/* --- streaming: a big scenario played as it is read (docs/format.md "Big scenarios") ---
 *
 * The file is read once, in order. Opening reads the top-level keys up to 'steps' or 'turns';
 * scenario_stream_turn() then skips (parses, validates, forgets) the turns before the played
 * one, opens it and reads its first steps ahead (raw thread.started / turn.started decide the
 * implicit events); scenario_stream_next() parses one step at a time into memory that is
 * reused for the next. After the played turn's last step the rest of the file is read and
 * checked. Errors land in the stream's own diag. */

struct scenario_stream {
    yread r; /* must not move: libyaml keeps a pointer to it */
    diag err;
    loader L;
    char *path;
    size_t above;     /* the size above which files stream (for messages) */
    bool no_implicit; /* implicit_events: false */
    list_start list;
    ynode top_pos; /* the top-level mapping (for "'turns' is empty") */
    bool list_started, list_ended;
    const ynode *turns_tree; /* 'turns' given as an alias or an anchored list: a tree */
    size_t turns_idx;
    /* the turn being read */
    turn cur;      /* its options; its steps too when they were read as a tree */
    bool turn_map; /* a turn mapping read as events: its end must follow 'steps' */
    bool steps_ev; /* its steps are read as events (else from cur.steps) */
    bool steps_done;
    size_t arr_idx;
    arena turn_mem; /* cur.steps' values */
    /* the played turn */
    bool opened, finished, failed;
    bool check_all; /* scenario_stream_check: every turn as if it were played */
    arena step_mem; /* the step handed out last */
    step one;
    turn played; /* the played turn's options (cur moves on to the turns after it) */
    step *ahead; /* steps read ahead, handed out first */
    size_t n_ahead, ahead_pos, ahead_cap;
    arena ahead_mem;
    bool has_thread_started, has_turn_started;
};

static const char *stream_size(const scenario_stream *st, char *tmp, size_t n) {
    if (st->above && st->above % (1024 * 1024) == 0)
        snprintf(tmp, n, "%zu MiB", st->above / (1024 * 1024));
    else
        snprintf(tmp, n, "%zu bytes", st->above);
    return tmp;
}

/* Forgets the yread's nodes, unless a turns tree still lives there. */
static void release_nodes(scenario_stream *st) {
    if (!st->turns_tree) yread_scratch_reset(&st->r);
}

static int open_steps(scenario_stream *st) {
    loader *L = &st->L;
    const yaml_event_t *pe;
    st->steps_done = false;
    st->arr_idx = 0;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type == YAML_SEQUENCE_START_EVENT && !pe->data.sequence_start.anchor) {
        st->steps_ev = true;
        return yread_skip_event(L->r);
    }
    st->steps_ev = false; /* an alias or an anchored list: one tree */
    ynode *n;
    if (yread_node(L->r, &n) < 0) return -1;
    step_vec sv = {0};
    L->mem = &st->turn_mem;
    int rc = load_steps_tree(L, n, &sv);
    st->cur.steps = sv.v;
    st->cur.n_steps = sv.n;
    release_nodes(st);
    return rc;
}

/* A turn given as a tree (an alias, an anchored mapping, or a turns tree's item). */
static int open_tree_turn(scenario_stream *st, const ynode *n) {
    st->L.mem = &st->turn_mem;
    st->steps_ev = false;
    st->steps_done = false;
    st->arr_idx = 0;
    return load_turn_tree(&st->L, n, &st->cur);
}

/* Opens the next turn of the list, its options read and its steps next: 1, or 0 when the list
 * has ended. */
static int open_turn_or_end(scenario_stream *st) {
    loader *L = &st->L;
    const yaml_event_t *pe;
    memset(&st->cur, 0, sizeof st->cur);
    st->turn_map = false;
    if (st->list_ended) return 0;
    if (!st->list.is_turns) { /* top-level steps: one turn */
        if (st->list_started) return 0;
        st->list_started = true;
        st->cur.line = st->list.line;
        st->cur.col = st->list.col;
        return open_steps(st) < 0 ? -1 : 1;
    }
    if (!st->list_started) {
        st->list_started = true;
        if (yread_peek(L->r, &pe) < 0) return -1;
        if (pe->type == YAML_SEQUENCE_START_EVENT && !pe->data.sequence_start.anchor) {
            if (yread_skip_event(L->r) < 0) return -1;
        } else {
            ynode *n;
            if (yread_node(L->r, &n) < 0) return -1;
            if (need_sequence(L, n, "'turns'") < 0) return -1;
            st->turns_tree = n;
            st->turns_idx = 0;
        }
    }
    if (st->turns_tree) {
        if (st->turns_idx == st->turns_tree->n) return 0;
        return open_tree_turn(st, st->turns_tree->items[st->turns_idx++]) < 0 ? -1 : 1;
    }
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type == YAML_SEQUENCE_END_EVENT) {
        if (yread_skip_event(L->r) < 0) return -1;
        return 0;
    }
    if (pe->type != YAML_MAPPING_START_EVENT || pe->data.mapping_start.anchor) {
        ynode *n;
        if (yread_node(L->r, &n) < 0) return -1;
        int rc = open_tree_turn(st, n);
        release_nodes(st);
        return rc < 0 ? -1 : 1;
    }
    int line, col;
    yread_event_pos(pe, &line, &col);
    st->cur.line = line;
    st->cur.col = col;
    if (yread_skip_event(L->r) < 0) return -1;
    for (;;) {
        if (yread_peek(L->r, &pe) < 0) return -1;
        if (pe->type == YAML_MAPPING_END_EVENT)
            return ynode_fail(L->err, L->r->file, &(ynode){.line = line, .col = col},
                              "a turn needs 'steps'");
        ynode *k;
        if (yread_node(L->r, &k) < 0) return -1;
        if (k->kind != YN_SCALAR)
            return ynode_fail(L->err, L->r->file, k, "keys in a turn must be plain names");
        if (key_is(k, "steps")) {
            release_nodes(st);
            st->turn_map = true;
            return open_steps(st) < 0 ? -1 : 1;
        }
        ynode *v;
        if (yread_node(L->r, &v) < 0 || turn_option(L, &st->cur, k, v) < 0) return -1;
        release_nodes(st);
    }
}

static int open_next_turn(scenario_stream *st) {
    int rc = open_turn_or_end(st);
    if (rc == 0) st->list_ended = true;
    return rc;
}

/* The open turn's next step into *s (its values in `mem`): 1, or 0 after its last step. */
static int read_step(scenario_stream *st, arena *mem, step *s) {
    loader *L = &st->L;
    if (st->steps_done) return 0;
    if (!st->steps_ev) {
        if (st->arr_idx < st->cur.n_steps) {
            *s = st->cur.steps[st->arr_idx++];
            return 1;
        }
        st->steps_done = true;
        return 0;
    }
    const yaml_event_t *pe;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type == YAML_SEQUENCE_END_EVENT) {
        st->steps_done = true;
        return yread_skip_event(L->r);
    }
    ynode *n;
    if (yread_node(L->r, &n) < 0) return -1;
    L->mem = mem;
    L->saw_template = false;
    int rc = parse_step(L, n, s);
    s->has_template = L->saw_template;
    release_nodes(st);
    return rc < 0 ? -1 : 1;
}

/* After a turn's last step: the end of its mapping, and its memory. */
static int close_turn(scenario_stream *st) {
    loader *L = &st->L;
    free(st->cur.steps);
    st->cur.steps = NULL;
    st->cur.n_steps = 0;
    arena_reset(&st->turn_mem);
    if (!st->turn_map) return 0;
    st->turn_map = false;
    const yaml_event_t *pe;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type == YAML_MAPPING_END_EVENT) return yread_skip_event(L->r);
    ynode *k;
    if (yread_node(L->r, &k) < 0) return -1;
    if (k->kind != YN_SCALAR)
        return ynode_fail(L->err, L->r->file, k, "keys in a turn must be plain names");
    char size[32];
    return ynode_fail(L->err, L->r->file, k,
                      "'%s' after 'steps' in a turn: a scenario over %s is played as it is read, "
                      "so a turn's 'steps' must come last",
                      k->value, stream_size(st, size, sizeof size));
}

/* A step whose output is an event (other than the two the read-ahead looks for). */
static bool writes_event(const step *s) {
    switch (s->kind) {
    case STEP_ITEM:
    case STEP_TODO_LIST:
    case STEP_EVENT:
        return true;
    case STEP_RETRY:
        return !s->u.retry->hidden_only;
    default:
        return false;
    }
}

static int late_lifecycle_event(scenario_stream *st, const step *s) {
    char size[32];
    return ynode_fail(st->L.err, st->L.r->file, &(ynode){.line = s->line, .col = s->col},
                      "a raw %s event after the turn's first item: a scenario over %s is played as "
                      "it is read, so its raw thread.started and turn.started must come before the "
                      "first item (or say 'implicit_events: false')",
                      EVENT_TYPE_NAMES[s->u.ev->type], stream_size(st, size, sizeof size));
}

/* Reads the open turn to its end, its steps checked and forgotten. With `lifecycle`, also the
 * rule a played turn follows: raw thread.started / turn.started before its first other event. */
static int skip_turn(scenario_stream *st, bool lifecycle) {
    bool first = false, ts = false, tst = false;
    lifecycle = lifecycle && !st->no_implicit;
    for (;;) {
        arena_reset(&st->step_mem);
        const step *s = &st->one;
        int rc = read_step(st, &st->step_mem, &st->one);
        if (rc < 0) return -1;
        if (rc == 0) break;
        if (!lifecycle) continue;
        bool is_ts = s->kind == STEP_EVENT && s->u.ev->type == EV_THREAD_STARTED;
        bool is_tst = s->kind == STEP_EVENT && s->u.ev->type == EV_TURN_STARTED;
        if (first && ((is_ts && !ts) || (is_tst && !tst))) return late_lifecycle_event(st, s);
        if (!first) {
            ts = ts || is_ts;
            tst = tst || is_tst;
            first = !is_ts && !is_tst && writes_event(s);
        }
    }
    return close_turn(st);
}

/* After the played turn's last step: the rest of the file, checked. */
static int finish_doc(scenario_stream *st) {
    loader *L = &st->L;
    if (close_turn(st) < 0) return -1;
    for (;;) {
        int rc = open_next_turn(st);
        if (rc < 0) return -1;
        if (rc == 0) break;
        if (skip_turn(st, st->check_all) < 0) return -1;
    }
    const yaml_event_t *pe;
    if (yread_peek(L->r, &pe) < 0) return -1;
    if (pe->type != YAML_MAPPING_END_EVENT) {
        ynode *k;
        if (yread_node(L->r, &k) < 0) return -1;
        if (k->kind != YN_SCALAR)
            return ynode_fail(L->err, L->r->file, k, "top-level keys must be plain names");
        const char *list = st->list.is_turns ? "turns" : "steps";
        char size[32];
        return ynode_fail(L->err, L->r->file, k,
                          "'%s' after '%s': a scenario over %s is played as it is read, so '%s' "
                          "must come last",
                          k->value, list, stream_size(st, size, sizeof size), list);
    }
    if (yread_skip_event(L->r) < 0) return -1;
    return doc_tail(L);
}

/* The top-level keys up to the list: into `sc`, errors into `err`. */
static int open_top(scenario_stream *st, scenario *sc, diag *err) {
    st->L = (loader){&st->r, sc, &sc->mem, err, false};
    top_state ts;
    if (doc_begin(&st->L, &ts) < 0) return -1;
    int rc = doc_keys(&st->L, &ts, &st->list);
    if (rc <= 0) return -1; /* doc_keys reported what is missing */
    st->top_pos = ts.pos;
    if (!ts.have_version) {
        char size[32];
        return ynode_fail(st->L.err, st->L.r->file, &ts.pos,
                          "missing 'codex_mock: %d' (the format version) before '%s': a scenario "
                          "over %s is played as it is read",
                          SCENARIO_FORMAT_VERSION, st->list.is_turns ? "turns" : "steps",
                          stream_size(st, size, sizeof size));
    }
    st->L.sc = NULL;
    st->L.mem = &st->turn_mem; /* `sc` may move (it is the caller's); each read sets its own */
    st->L.err = &st->err;
    st->r.err = &st->err;
    return 0;
}

/* Back to the start of the list (the played turn is the last one, found by counting). */
static int reopen(scenario_stream *st) {
    yread_close(&st->r);
    st->list_started = st->list_ended = false;
    st->turns_tree = NULL;
    if (yread_open(&st->r, st->path, &st->err) < 0) return -1;
    scenario tmp;
    memset(&tmp, 0, sizeof tmp);
    arena_init(&tmp.mem);
    int rc = open_top(st, &tmp, &st->err);
    scenario_free(&tmp);
    return rc;
}

int scenario_open_file(const char *path, size_t stream_above, scenario *out, diag *err) {
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size <= stream_above)
        return scenario_load_file(path, out, err);
    scenario_stream *st = xcalloc(1, sizeof *st);
    st->path = xstrdup(path);
    st->above = stream_above;
    diag_init(&st->err);
    arena_init(&st->turn_mem);
    arena_init(&st->step_mem);
    arena_init(&st->ahead_mem);
    memset(out, 0, sizeof *out);
    arena_init(&out->mem);
    out->file = arena_strdup(&out->mem, path);
    if (yread_open(&st->r, st->path, err) < 0 || open_top(st, out, err) < 0) {
        scenario_stream_close(st);
        scenario_free(out);
        return -1;
    }
    st->no_implicit = out->no_implicit_events;
    out->stream = st;
    return 0;
}

void scenario_stream_close(scenario_stream *st) {
    yread_close(&st->r);
    diag_free(&st->err);
    free(st->cur.steps);
    arena_free(&st->turn_mem);
    arena_free(&st->step_mem);
    arena_free(&st->ahead_mem);
    free(st->ahead);
    free(st->path);
    free(st);
}

const diag *scenario_stream_error(const scenario_stream *st) {
    return st->failed ? &st->err : NULL;
}

int scenario_stream_turn(scenario_stream *st, size_t index, const turn **t,
                         bool *has_thread_started, bool *has_turn_started) {
    if (st->failed || st->opened) goto fail;
    st->opened = true;
    if (!st->list.is_turns) index = 0;
    bool restarted = false;
    for (size_t j = 0;; j++) {
        int rc = open_next_turn(st);
        if (rc < 0) goto fail;
        if (rc == 0) {
            if (j == 0) {
                ynode_fail(st->L.err, st->L.r->file, &st->top_pos,
                           "'turns' is empty: a scenario needs a turn");
                goto fail;
            }
            if (st->check_all) { /* every turn has been checked: the rest of the file */
                st->finished = true;
                if (finish_doc(st) < 0) goto fail;
                return 0;
            }
            if (restarted) {
                ynode_fail(st->L.err, st->L.r->file, NULL,
                           "the scenario file changed while it was read");
                goto fail;
            }
            /* fewer turns than asked for: the last one plays, so read up to it again */
            restarted = true;
            if (reopen(st) < 0) goto fail;
            index = j - 1;
            j = (size_t)-1;
            continue;
        }
        if (j == index) break;
        if (skip_turn(st, st->check_all) < 0) goto fail;
    }
    /* Read ahead to the first step that writes another event: the raw thread.started and
     * turn.started the implicit ones give way to must come before it. */
    while (!st->no_implicit) {
        if (st->n_ahead == st->ahead_cap) {
            st->ahead_cap = st->ahead_cap ? st->ahead_cap * 2 : 8;
            st->ahead = xrealloc(st->ahead, st->ahead_cap * sizeof *st->ahead);
        }
        step *s = &st->ahead[st->n_ahead];
        int rc = read_step(st, &st->ahead_mem, s);
        if (rc < 0) goto fail;
        if (rc == 0) break;
        st->n_ahead++;
        if (s->kind == STEP_EVENT && s->u.ev->type == EV_THREAD_STARTED)
            st->has_thread_started = true;
        else if (s->kind == STEP_EVENT && s->u.ev->type == EV_TURN_STARTED)
            st->has_turn_started = true;
        else if (writes_event(s))
            break;
    }
    st->played = st->cur;
    st->played.steps = NULL;
    st->played.n_steps = 0;
    *t = &st->played;
    *has_thread_started = st->has_thread_started;
    *has_turn_started = st->has_turn_started;
    return 0;
fail:
    st->failed = true;
    return -1;
}

int scenario_stream_next(scenario_stream *st, const step **out) {
    if (st->failed || !st->opened) goto fail;
    if (st->ahead_pos < st->n_ahead) {
        *out = &st->ahead[st->ahead_pos++];
        return 1;
    }
    if (st->n_ahead) { /* the steps read ahead have been played */
        st->n_ahead = st->ahead_pos = 0;
        arena_free(&st->ahead_mem);
    }
    if (st->finished) return 0;
    arena_reset(&st->step_mem);
    int rc = read_step(st, &st->step_mem, &st->one);
    if (rc < 0) goto fail;
    if (rc == 0) {
        st->finished = true;
        if (finish_doc(st) < 0) goto fail;
        return 0;
    }
    if (!st->no_implicit && st->one.kind == STEP_EVENT) {
        event_type ty = st->one.u.ev->type;
        if ((ty == EV_THREAD_STARTED && !st->has_thread_started) ||
            (ty == EV_TURN_STARTED && !st->has_turn_started)) {
            late_lifecycle_event(st, &st->one);
            goto fail;
        }
    }
    *out = &st->one;
    return 1;
fail:
    st->failed = true;
    return -1;
}

int scenario_stream_check(const char *path, size_t stream_above, diag *err) {
    scenario sc;
    if (scenario_open_file(path, stream_above, &sc, err) < 0) return -1;
    int rc = 0;
    if (sc.stream) {
        scenario_stream *st = sc.stream;
        st->check_all = true;
        const turn *t;
        bool ts, tst;
        /* past the last turn: every turn is read (and checked) on the way, then the last again */
        rc = scenario_stream_turn(st, SIZE_MAX, &t, &ts, &tst);
        for (const step *s; rc == 0;) {
            int got = scenario_stream_next(st, &s);
            if (got <= 0) {
                rc = got;
                break;
            }
        }
        if (rc < 0) {
            diag_set(err, st->err.file, st->err.line, st->err.col, "%s", st->err.msg);
            rc = -1;
        }
    }
    scenario_free(&sc);
    return rc;
}

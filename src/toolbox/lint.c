#include "lint.h"
#include "buf.h"
#include "plan.h"
#include "rng.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void findings_free(findings *f) {
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].msg);
    free(f->v);
    memset(f, 0, sizeof *f);
}

static void add(findings *f, finding_level lv, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void add(findings *f, finding_level lv, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
    f->v[f->n++] = (finding){lv, line, col, msg};
    if (lv == FIND_ERROR)
        f->errors++;
    else
        f->warnings++;
}

typedef struct {
    char *id;
    item_type type;
    bool started, completed;
    int line, col;
} id_state;

/* Item ids seen so far: a vector in first-seen order (the findings follow it) with an
 * open-addressing index, so a recording of a million items lints in linear time. */
typedef struct {
    id_state *v;
    size_t n, cap;
    size_t *slot;   /* index into v plus one; 0 = empty */
    size_t n_slots; /* a power of two, at least twice n */
} id_table;

static size_t id_hash(const char *p, size_t len) {
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return (size_t)h;
}

static id_state *id_find(id_table *t, const mstr *id) {
    if (!t->n_slots) return NULL;
    size_t mask = t->n_slots - 1;
    for (size_t i = id_hash(id->ptr, id->len) & mask; t->slot[i]; i = (i + 1) & mask) {
        id_state *s = &t->v[t->slot[i] - 1];
        if (strlen(s->id) == id->len && !memcmp(s->id, id->ptr, id->len)) return s;
    }
    return NULL;
}

static void id_index(id_table *t, size_t k) {
    size_t mask = t->n_slots - 1;
    size_t i = id_hash(t->v[k].id, strlen(t->v[k].id)) & mask;
    while (t->slot[i])
        i = (i + 1) & mask;
    t->slot[i] = k + 1;
}

static id_state *id_add(id_table *t, const mstr *id, item_type type, int line, int col) {
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n] =
        (id_state){xstrndup(id->ptr ? id->ptr : "", id->len), type, false, false, line, col};
    t->n++;
    if (t->n * 2 > t->n_slots) { /* grow and re-index */
        free(t->slot);
        t->n_slots = t->n_slots ? t->n_slots * 2 : 128;
        t->slot = xcalloc(t->n_slots, sizeof *t->slot);
        for (size_t k = 0; k < t->n; k++)
            id_index(t, k);
    } else {
        id_index(t, t->n - 1);
    }
    return &t->v[t->n - 1];
}

static bool mstr_eq(const mstr *a, const mstr *b) {
    return a->len == b->len && (a->len == 0 || !memcmp(a->ptr, b->ptr, a->len));
}

enum { LINT_MAX_ACTIONS = 100000 };

static void lint_turn(const scenario *sc, size_t ti, findings *f) {
    const turn *t = &sc->turns[ti];
    rng r;
    rng_seed(&r, 1);
    plan_params params = {.sc = sc,
                          .turn = ti,
                          .speed = 0,
                          .rng = &r,
                          .cwd = "/work",
                          .thread_id = PLAN_PLACEHOLDER_THREAD_ID};
    planner pl;
    plan_init(&pl, &params);
    action a;
    size_t n_events = 0;
    bool thread_seen = false, turn_seen = false, ended = false, hang = false;
    int terminals = 0;
    event prev = {0};
    bool has_prev = false;
    char *prev_msg = NULL;
    id_table ids = {0};
    size_t n_actions = 0;
    /* A loop that never ends (reconnect: forever) has an endless timeline: check its start. */
    while (n_actions++ < LINT_MAX_ACTIONS && plan_next(&pl, &a)) {
        int line = a.src ? a.src->line : t->line, col = a.src ? a.src->col : t->col;
        if (a.kind == ACT_HANG) hang = true;
        if (a.kind != ACT_EVENT) continue;
        const event *ev = &a.ev;
        const char *name = EVENT_TYPE_NAMES[ev->type];
        if (n_events == 0 && ev->type != EV_THREAD_STARTED)
            add(f, FIND_ERROR, line, col,
                "the first event is %s; the real CLI prints thread.started first", name);
        n_events++;
        if (ended)
            add(f, FIND_ERROR, line, col,
                "%s after the turn ended: nothing follows turn.completed / turn.failed", name);
        switch (ev->type) {
        case EV_THREAD_STARTED:
            if (thread_seen) add(f, FIND_ERROR, line, col, "thread.started appears twice");
            thread_seen = true;
            break;
        case EV_TURN_STARTED:
            if (turn_seen) add(f, FIND_ERROR, line, col, "turn.started appears twice in one turn");
            turn_seen = true;
            break;
        case EV_ITEM_STARTED:
        case EV_ITEM_UPDATED:
        case EV_ITEM_COMPLETED: {
            const item *it = &ev->item;
            const char *tn = ITEM_TYPE_NAMES[it->type];
            if (!turn_seen && !(ev->type == EV_ITEM_COMPLETED && it->type == ITEM_ERROR))
                add(f, FIND_WARNING, line, col,
                    "%s before turn.started (only start-up warning items come before it)", name);
            if (ev->type == EV_ITEM_STARTED && !item_type_gets_started(it->type))
                add(f, FIND_ERROR, line, col,
                    "%s items never get item.started (docs/behaviour.md#items): only "
                    "item.completed",
                    tn);
            if (ev->type == EV_ITEM_UPDATED && it->type != ITEM_TODO_LIST &&
                it->type != ITEM_FILE_CHANGE)
                add(f, FIND_WARNING, line, col,
                    "%s items never get item.updated (docs/behaviour.md#items)", tn);
            id_state *s = id_find(&ids, &it->id);
            if (s && s->completed) {
                add(f, FIND_ERROR, line, col, "item id '%s' is used again (it completed at %d:%d)",
                    s->id, s->line, s->col);
            } else if (s && ev->type == EV_ITEM_STARTED) {
                add(f, FIND_ERROR, line, col, "item id '%s' is started twice (first at %d:%d)",
                    s->id, s->line, s->col);
            } else if (s && s->type != it->type) {
                add(f, FIND_ERROR, line, col, "item id '%s' changes type from %s to %s", s->id,
                    ITEM_TYPE_NAMES[s->type], tn);
            } else if (!s && ev->type == EV_ITEM_UPDATED) {
                add(f, FIND_WARNING, line, col, "item.updated for '%.*s', which never started",
                    (int)it->id.len, it->id.ptr);
            }
            if (!s) s = id_add(&ids, &it->id, it->type, line, col);
            if (ev->type == EV_ITEM_STARTED) s->started = true;
            if (ev->type == EV_ITEM_COMPLETED) s->completed = true, s->line = line, s->col = col;
            break;
        }
        case EV_TURN_COMPLETED:
        case EV_TURN_FAILED:
            if (++terminals > 1)
                add(f, FIND_ERROR, line, col,
                    "a second terminal event (%s): a turn ends with exactly one of turn.completed "
                    "or turn.failed",
                    name);
            if (ev->type == EV_TURN_FAILED && !(has_prev && prev.type == EV_ERROR && prev_msg &&
                                                mstr_eq(&prev.message, &ev->message)))
                add(f, FIND_ERROR, line, col,
                    "turn.failed must follow an error event with the same message (reference "
                    "§4.8)");
            ended = true;
            break;
        case EV_ERROR:
        default:
            break;
        }
        prev = *ev;
        free(prev_msg);
        prev_msg = ev->message.ptr ? xstrndup(ev->message.ptr, ev->message.len) : NULL;
        prev.message = (mstr){prev_msg, ev->message.len};
        has_prev = true;
    }
    if (n_events && !terminals && !hang)
        add(f, FIND_WARNING, t->line, t->col,
            "the turn has no turn.completed or turn.failed; the real CLI prints one unless it is "
            "interrupted");
    for (size_t i = 0; i < ids.n; i++) {
        if (ids.v[i].started && !ids.v[i].completed && !hang)
            add(f, FIND_WARNING, ids.v[i].line, ids.v[i].col,
                "item '%s' starts but never completes (the real CLI completes every started item "
                "before the turn ends)",
                ids.v[i].id);
        free(ids.v[i].id);
    }
    free(ids.v);
    free(ids.slot);
    free(prev_msg);
    plan_free(&pl);
}

void lint_scenario(const scenario *sc, findings *out) {
    for (size_t i = 0; i < sc->n_turns; i++)
        lint_turn(sc, i, out);
}

#include "plan.h"
#include "duration.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

/* The pace model: what the real CLI's timing looks like when a scenario does not say
 * (figures measured on the real CLI's traces; see docs/architecture.md#timing and
 * docs/format.md#the-pace-model). */
enum {
    PACE_PREFLIGHT_MS = 135,     /* config load → "Reading … from stdin..." */
    PACE_STARTUP_MS = 210,       /* spawn → thread.started */
    PACE_TURN_STARTED_MS = 42,   /* thread.started → turn.started */
    PACE_TEXT_BASE_MS = 25,      /* model latency before a message or reasoning item */
    PACE_TOOL_DISPATCH_MS = 170, /* model output → a command's item.started */
    PACE_COMMAND_MS = 40,        /* default command duration */
    PACE_PATCH_MS = 50,          /* → file_change item.started */
    PACE_PATCH_APPLY_MS = 3,     /* file_change started → completed */
    PACE_MCP_MS = 50,            /* → mcp_tool_call item.started */
    PACE_MCP_CALL_MS = 30,       /* mcp call duration */
    PACE_SEARCH_MS = 300,        /* → web_search item.started */
    PACE_SEARCH_CALL_MS = 1000,  /* web search duration */
    PACE_SMALL_MS = 10,          /* todo updates, warnings, raw events, process output */
    PACE_TURN_COMPLETED_MS = 15, /* last item → turn.completed */
};
#define PACE_TEXT_US_PER_CHAR 400 /* generation speed: 0.4 ms per character … */
#define PACE_TEXT_MAX_MS 3000     /* … capped at 3 s */

static int64_t ms(int64_t v) {
    return v * NS_PER_MS;
}

static int64_t jitter(planner *pl, int64_t ns) {
    return rng_scale(pl->p.rng, ns, 0.9, 1.1);
}

int64_t plan_scale(int64_t raw_ns, double speed) {
    if (speed <= 0) return 0;
    if (speed == 1) return raw_ns;
    double v = (double)raw_ns / speed;
    /* A tiny speed stretches time without overflowing (≈ 146 years is "forever" enough). */
    if (v > (double)(INT64_MAX / 2)) return INT64_MAX / 2;
    return (int64_t)v;
}

int64_t plan_preflight_raw_ns(const scenario *sc, rng *r) {
    if (sc->has_preflight) return sc->preflight_ns;
    return rng_scale(r, ms(PACE_PREFLIGHT_MS), 0.9, 1.1);
}

enum { PH_THREAD, PH_TURN_START, PH_STEPS, PH_TURN_END, PH_EXIT, PH_DONE };

static bool turn_has_event(const turn *t, event_type type) {
    for (size_t i = 0; i < t->n_steps; i++)
        if (t->steps[i].kind == STEP_EVENT && t->steps[i].u.ev->type == type) return true;
    return false;
}

void plan_init(planner *pl, const plan_params *params) {
    memset(pl, 0, sizeof *pl);
    pl->p = *params;
    arena_init(&pl->scratch);
    arena_init(&pl->todo_mem);
    const scenario *sc = pl->p.sc;
    bool has_thread_started, has_turn_started;
    if (sc->stream) {
        /* the turn's first steps are read ahead for its raw thread.started / turn.started;
         * a raw turn.completed / turn.failed is seen as it is played (saw_turn_end) */
        if (scenario_stream_turn(sc->stream, pl->p.turn, &pl->turn, &has_thread_started,
                                 &has_turn_started) < 0) {
            pl->stream_failed = true;
            pl->phase = PH_DONE;
            return;
        }
    } else {
        pl->turn = &sc->turns[pl->p.turn < sc->n_turns ? pl->p.turn : sc->n_turns - 1];
        has_thread_started = turn_has_event(pl->turn, EV_THREAD_STARTED);
        has_turn_started = turn_has_event(pl->turn, EV_TURN_STARTED);
    }
    bool implicit = !sc->no_implicit_events;
    pl->implicit_thread_started = implicit && !has_thread_started;
    pl->implicit_turn_started = implicit && !has_turn_started;
    pl->implicit_turn_end = implicit;
    const char *tid = pl->p.thread_id ? pl->p.thread_id : "";
    if (sc->thread_id.ptr) tid = sc->thread_id.ptr;
    snprintf(pl->thread_id_buf, sizeof pl->thread_id_buf, "%s", tid);
    pl->thread_id = (mstr){pl->thread_id_buf, strlen(pl->thread_id_buf)};
    pl->phase = PH_THREAD;
}

const diag *plan_error(const planner *pl) {
    return pl->stream_failed ? scenario_stream_error(pl->p.sc->stream) : NULL;
}

/* The next step of the turn, unless one is waiting: 1, 0 after the last, -1 on a stream error.
 * A streamed step's memory is reused at the next fetch, when its actions have been played. */
static int fetch_step(planner *pl) {
    if (pl->ahead) return 1;
    if (pl->p.sc->stream) {
        int rc = scenario_stream_next(pl->p.sc->stream, &pl->ahead);
        if (rc < 0) pl->stream_failed = true;
        return rc;
    }
    if (pl->next_step >= pl->turn->n_steps) return 0;
    pl->ahead = &pl->turn->steps[pl->next_step];
    return 1;
}

/* The last todo_list state, kept past its step. */
static void keep_todo(planner *pl, const item *it) {
    arena_reset(&pl->todo_mem);
    pl->todo_item = *it;
    todo_entry *v = arena_alloc(&pl->todo_mem, (it->u.todo.n ? it->u.todo.n : 1) * sizeof *v);
    for (size_t i = 0; i < it->u.todo.n; i++) {
        v[i] = it->u.todo.v[i];
        const mstr *t = &it->u.todo.v[i].text;
        if (t->ptr) v[i].text.ptr = arena_strndup(&pl->todo_mem, t->ptr, t->len);
    }
    pl->todo_item.u.todo.v = v;
    const mstr *e = &it->u.todo.explanation, *id = &it->id;
    if (e->ptr) pl->todo_item.u.todo.explanation.ptr = arena_strndup(&pl->todo_mem, e->ptr, e->len);
    if (id->ptr) pl->todo_item.id.ptr = arena_strndup(&pl->todo_mem, id->ptr, id->len);
}

void plan_free(planner *pl) {
    arena_free(&pl->scratch);
    arena_free(&pl->todo_mem);
    buf_free(&pl->retry.cause);
}

static action *push(planner *pl, action_kind kind, int64_t raw_due, const step *src) {
    action *a = &pl->queue[(pl->q_head + pl->q_len) % PLAN_QUEUE];
    pl->q_len++;
    memset(a, 0, sizeof *a);
    a->kind = kind;
    if (raw_due < pl->cursor) raw_due = pl->cursor; /* output never goes back in time */
    a->raw_due_ns = raw_due;
    a->due_ns = plan_scale(raw_due, pl->p.speed);
    a->src = src;
    pl->cursor = raw_due;
    return a;
}

static action *push_event(planner *pl, event_type type, int64_t raw_due, const step *src) {
    action *a = push(pl, ACT_EVENT, raw_due, src);
    a->ev.type = type;
    return a;
}

/* item_N ids: explicit ids of that shape move the counter past them. */
static mstr assign_id(planner *pl, mstr given) {
    if (given.ptr && given.len) {
        if (given.len > 5 && memcmp(given.ptr, "item_", 5) == 0) {
            char *end;
            unsigned long long n = strtoull(given.ptr + 5, &end, 10);
            if (*end == '\0' && n + 1 > pl->next_item) pl->next_item = n + 1;
        }
        return given;
    }
    char tmp[32] = "item_";
    int i = 31, n;
    unsigned long long v = (unsigned long long)pl->next_item++;
    char digits[24];
    int d = 0;
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (n = 5; d > 0 && n < i;)
        tmp[n++] = digits[--d];
    return (mstr){arena_strndup(&pl->scratch, tmp, (size_t)n), (size_t)n};
}

static bool is_blank(mstr s) {
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t' && s.ptr[i] != '\n' && s.ptr[i] != '\r')
            return false;
    return true;
}

static int cmp_change(const void *a, const void *b) {
    const file_change_entry *x = a, *y = b;
    size_t n = x->path.len < y->path.len ? x->path.len : y->path.len;
    int c = memcmp(x->path.ptr, y->path.ptr, n);
    if (c) return c;
    return x->path.len < y->path.len ? -1 : x->path.len > y->path.len;
}

/* Absolute, sorted paths, as the real CLI reports them. */
static void resolve_changes(planner *pl, item *it) {
    size_t n = it->u.fc.n;
    file_change_entry *v = arena_alloc(&pl->scratch, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = it->u.fc.v[i];
        if (v[i].path.len && v[i].path.ptr[0] != '/' && pl->p.cwd) {
            size_t cl = strlen(pl->p.cwd);
            bool slash = cl && pl->p.cwd[cl - 1] == '/';
            size_t len = cl + !slash + v[i].path.len;
            char *p = arena_alloc(&pl->scratch, len + 1);
            memcpy(p, pl->p.cwd, cl);
            if (!slash) p[cl] = '/';
            memcpy(p + cl + !slash, v[i].path.ptr, v[i].path.len);
            p[len] = '\0';
            v[i].path = (mstr){p, len};
        }
    }
    qsort(v, n, sizeof *v, cmp_change);
    it->u.fc.v = v;
}

static mstr generated_search_id(planner *pl) {
    char tmp[64] = "ws_";
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 48; i += 16) {
        uint64_t r = rng_next(pl->p.rng);
        for (int j = 0; j < 16; j++)
            tmp[3 + i + j] = hex[(r >> (4 * j)) & 15];
    }
    tmp[51] = '\0';
    return (mstr){arena_strndup(&pl->scratch, tmp, 51), 51};
}

/* The delay before a step's first output when the scenario gives none. */
static int64_t pace_before(planner *pl, const step *s) {
    switch (s->kind) {
    case STEP_ITEM:
        switch (s->u.item.type) {
        case ITEM_AGENT_MESSAGE:
        case ITEM_REASONING: {
            int64_t gen = (int64_t)s->u.item.u.text.text.len * PACE_TEXT_US_PER_CHAR * 1000;
            if (gen > ms(PACE_TEXT_MAX_MS)) gen = ms(PACE_TEXT_MAX_MS);
            return jitter(pl, ms(PACE_TEXT_BASE_MS) + gen);
        }
        case ITEM_COMMAND_EXECUTION:
            return jitter(pl, ms(PACE_TOOL_DISPATCH_MS));
        case ITEM_FILE_CHANGE:
            return jitter(pl, ms(PACE_PATCH_MS));
        case ITEM_MCP_TOOL_CALL:
        case ITEM_COLLAB_TOOL_CALL:
            return jitter(pl, ms(PACE_MCP_MS));
        case ITEM_WEB_SEARCH:
            return jitter(pl, ms(PACE_SEARCH_MS));
        default:
            return jitter(pl, ms(PACE_SMALL_MS));
        }
    case STEP_TODO_LIST:
    case STEP_EVENT:
    case STEP_STDERR:
    case STEP_RAW:
        return jitter(pl, ms(PACE_SMALL_MS));
    case STEP_USAGE:
    case STEP_SLEEP:
    case STEP_EXIT:
    case STEP_RETRY: /* the request starts at once; its own latency is request_time */
    case STEP_SIGNAL:
    case STEP_CLOSE_STDOUT:
    case STEP_MODEL_REQUEST:
    case STEP_SERVER_REQUEST:
        return 0;
    }
    return 0;
}

static int64_t pace_duration(planner *pl, const step *s) {
    if (s->has_duration) return s->duration_ns;
    switch (s->u.item.type) {
    case ITEM_COMMAND_EXECUTION:
        return jitter(pl, ms(PACE_COMMAND_MS));
    case ITEM_FILE_CHANGE:
        return jitter(pl, ms(PACE_PATCH_APPLY_MS));
    case ITEM_MCP_TOOL_CALL:
    case ITEM_COLLAB_TOOL_CALL:
        return jitter(pl, ms(PACE_MCP_CALL_MS));
    case ITEM_WEB_SEARCH:
        return jitter(pl, ms(PACE_SEARCH_CALL_MS));
    default:
        return 0;
    }
}

static void add_usage(usage *to, const usage *u) {
    to->input_tokens += u->input_tokens;
    to->cached_input_tokens += u->cached_input_tokens;
    to->cache_write_input_tokens += u->cache_write_input_tokens;
    to->output_tokens += u->output_tokens;
    to->reasoning_output_tokens += u->reasoning_output_tokens;
}

static usage thread_usage(const planner *pl) {
    usage u = pl->p.prior_usage;
    add_usage(&u, &pl->turn_usage);
    return u;
}

/* The started form of a finished item: what the wire shows while it runs. */
static item started_form(planner *pl, const item *done) {
    item it = *done;
    switch (it.type) {
    case ITEM_COMMAND_EXECUTION:
        it.u.cmd.output = (mstr){"", 0};
        it.u.cmd.has_exit_code = false;
        it.status = STATUS_IN_PROGRESS;
        break;
    case ITEM_MCP_TOOL_CALL:
        it.u.mcp = arena_alloc(&pl->scratch, sizeof *it.u.mcp);
        *it.u.mcp = *done->u.mcp;
        it.u.mcp->result = NULL;
        it.u.mcp->error = (mstr){NULL, 0};
        it.status = STATUS_IN_PROGRESS;
        break;
    case ITEM_FILE_CHANGE:
    case ITEM_COLLAB_TOOL_CALL:
        it.status = STATUS_IN_PROGRESS;
        break;
    default:
        break;
    }
    return it;
}

/* Raw item events: an item.updated / item.completed without an id continues the newest
 * item.started of that type that has not completed; otherwise a new id. */
static mstr raw_event_id(planner *pl, const event *ev) {
    mstr id = {NULL, 0};
    size_t found = pl->n_open;
    if (ev->item.id.ptr) {
        id = assign_id(pl, ev->item.id);
        for (size_t i = pl->n_open; i-- > 0;)
            if (strlen(pl->open[i].id) == id.len && !memcmp(pl->open[i].id, id.ptr, id.len)) {
                found = i;
                break;
            }
    } else if (ev->type != EV_ITEM_STARTED) {
        for (size_t i = pl->n_open; i-- > 0;)
            if (pl->open[i].type == ev->item.type) {
                found = i;
                break;
            }
        if (found < pl->n_open) {
            const char *s = pl->open[found].id;
            id = (mstr){arena_strdup(&pl->scratch, s), strlen(s)};
        }
    }
    if (!id.ptr) id = assign_id(pl, (mstr){NULL, 0});
    if (ev->type == EV_ITEM_STARTED && found == pl->n_open) {
        if (pl->n_open == sizeof pl->open / sizeof pl->open[0]) { /* forget the oldest */
            memmove(pl->open, pl->open + 1, sizeof pl->open - sizeof pl->open[0]);
            pl->n_open--;
        }
        pl->open[pl->n_open].type = ev->item.type;
        snprintf(pl->open[pl->n_open].id, sizeof pl->open[0].id, "%.*s", (int)id.len, id.ptr);
        pl->n_open++;
    } else if (ev->type == EV_ITEM_COMPLETED && found < pl->n_open) {
        memmove(pl->open + found, pl->open + found + 1,
                (pl->n_open - found - 1) * sizeof pl->open[0]);
        pl->n_open--;
    }
    return id;
}

/* The plan item completes with its last state just before the turn's terminal event, as the
 * real CLI reconciles started items at turn end. */
static void close_open_todo(planner *pl, int64_t due) {
    if (!pl->todo_open) return;
    action *a = push_event(pl, EV_ITEM_COMPLETED, due, NULL);
    a->ev.item = pl->todo_item;
    a->ev.item.id = (mstr){pl->todo_id, strlen(pl->todo_id)};
    pl->todo_open = false;
}

static void push_turn_started(planner *pl, int64_t after) {
    push_event(pl, EV_TURN_STARTED, pl->cursor + after, NULL)->explain =
        "turn.started: the first request goes to the model";
}

/* --- reconnect / fail (docs/behaviour.md#retries-and-reconnects) --- */

enum {
    RETRY_REQUEST_MS = 35,       /* a failing request's round trip */
    RETRY_LOCAL_MS = 15,         /* a failure found before any request (missing key) */
    RETRY_TERMINAL_MS = 7,       /* error → turn.failed */
    RETRY_BACKOFF_MS = 200,      /* 200 ms × 2^(n−1) × U[0.9, 1.1) */
    NETWORK_WAIT_MS = 5000,      /* unreachable network: 5 s doubling … */
    NETWORK_WAIT_MAX_MS = 60000, /* … up to 60 s */
};

static int64_t backoff(planner *pl, int n) {
    int shift = n - 1 < 20 ? n - 1 : 20;
    return jitter(pl, ms(RETRY_BACKOFF_MS) << shift);
}

/* The scenario's own wait after failed attempt n (`backoff:`, the last repeating). */
static int64_t given_backoff(const retry_spec *rs, int n) {
    size_t i = (size_t)n <= rs->n_backoff ? (size_t)n - 1 : rs->n_backoff - 1;
    return rs->backoff_ns[i];
}

static void retry_begin(planner *pl, const step *s, int64_t start) {
    pl->retry.active = true;
    pl->retry.rs = s->u.retry;
    pl->retry.src = s;
    pl->retry.attempt = 0;
    pl->retry.next = start;
}

/* The failure's text for attempt n: request ids differ per attempt, as the server's do —
 * generated when the scenario gives none, `{n}` in a given one becomes the attempt number. */
static void retry_cause(planner *pl, int n) {
    const retry_spec *rs = pl->retry.rs;
    buf *out = &pl->retry.cause;
    buf_reset(out);
    if (rs->cause.ptr) {
        buf_append(out, rs->cause.ptr, rs->cause.len);
        return;
    }
    failure_params p = rs->params;
    if (rs->n_messages)
        p.message = rs->messages[(size_t)n <= rs->n_messages ? (size_t)n - 1 : rs->n_messages - 1];
    int64_t now_s = pl->p.wall_start_ms / 1000;
    if (rs->has_resets_in) {
        p.has_resets_at = true;
        p.resets_at = now_s + rs->resets_in_ns / NS_PER_S;
    }
    char id[64];
    if (!p.request_id) {
        static const char hex[] = "0123456789abcdef";
        uint64_t r1 = rng_next(pl->p.rng), r2 = rng_next(pl->p.rng);
        memcpy(id, "req_", 4);
        for (int i = 0; i < 16; i++) {
            id[4 + i] = hex[(r1 >> (4 * i)) & 15];
            id[20 + i] = hex[(r2 >> (4 * i)) & 15];
        }
        id[36] = '\0';
        p.request_id = id;
    } else if (strstr(p.request_id, "{n}")) {
        const char *at = strstr(p.request_id, "{n}");
        snprintf(id, sizeof id, "%.*s%d%s", (int)(at - p.request_id), p.request_id, n, at + 3);
        p.request_id = id;
    }
    failure_message(out, rs->kind, &p, now_s);
    if (pl->retry.src && pl->retry.src->has_template && pl->p.vars &&
        template_present(out->data, out->len)) {
        buf x;
        buf_init(&x);
        template_expand(&x, out->data, out->len, pl->p.vars);
        buf_reset(out);
        buf_append(out, x.data ? x.data : "", x.len);
        buf_free(&x);
    }
}

/* How long one attempt takes to fail: its request, plus the hidden request-level retries. */
static int64_t attempt_cost(planner *pl, const retry_spec *rs) {
    int64_t request = rs->has_request_time ? rs->request_ns : 0;
    if (!rs->has_request_time) {
        bool local = rs->kind && (!strcmp(rs->kind->name, "missing_env_var") ||
                                  !strcmp(rs->kind->name, "missing_api_key"));
        request = jitter(pl, ms(local ? RETRY_LOCAL_MS : RETRY_REQUEST_MS));
    }
    int64_t cost = request;
    for (int r = 1; r <= rs->hidden_retries; r++)
        cost += backoff(pl, r) + request;
    return cost;
}

/* "2026-11-21T07:38:36.304065Z" for a due offset, from the injected wall clock. */
static void log_timestamp(planner *pl, buf *b, int64_t raw_due) {
    int64_t us = pl->p.wall_start_ms * 1000 + plan_scale(raw_due, pl->p.speed) / 1000;
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)(us % 1000000));
}

static const char *explainf(planner *pl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Narration text in scratch memory (valid as long as its action). */
static const char *explainf(planner *pl, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    char *s = arena_strdup(&pl->scratch, text);
    free(text);
    return s;
}

static mstr scratch_copy(planner *pl, const buf *b) {
    return (mstr){arena_strndup(&pl->scratch, b->data ? b->data : "", b->len), b->len};
}

static void push_error_event(planner *pl, int64_t due, const step *src, const buf *text) {
    push_event(pl, EV_ERROR, due, src)->ev.message = scratch_copy(pl, text);
}

/* Emits one attempt of the running loop. */
static void retry_step(planner *pl) {
    const retry_spec *rs = pl->retry.rs;
    const step *src = pl->retry.src;
    int i = ++pl->retry.attempt;
    buf tmp;
    buf_init(&tmp);
    if (i == 1 && rs->transport == TRANSPORT_WEBSOCKET && rs->log) {
        /* The session's WebSocket prewarm fails too, and logs, before the turn's own attempts
         * (the real one happens just before turn.started). */
        log_timestamp(pl, &tmp, pl->retry.next);
        buf_puts(&tmp, " ERROR codex_api::endpoint::responses_websocket: failed to connect to "
                       "Responses WebSocket stage=Unknown\n");
        push(pl, ACT_STDERR, pl->retry.next, src)->bytes = scratch_copy(pl, &tmp);
        buf_reset(&tmp);
    }
    int64_t failed_at = pl->retry.next + attempt_cost(pl, rs);
    retry_cause(pl, i);
    bool visible = rs->attempts < 0 || i <= rs->attempts;
    if (rs->transport == TRANSPORT_WEBSOCKET && rs->log) {
        log_timestamp(pl, &tmp, failed_at);
        buf_puts(&tmp, " ERROR codex_api::endpoint::responses_websocket: failed to connect to "
                       "Responses WebSocket stage=Unknown\n");
        push(pl, ACT_STDERR, failed_at, src)->bytes = scratch_copy(pl, &tmp);
        buf_reset(&tmp);
    }
    if (visible) {
        if (rs->transport == TRANSPORT_NETWORK) {
            buf_printf(&tmp, "Reconnecting... waiting for network (%s)", pl->retry.cause.data);
            int64_t wait = ms(NETWORK_WAIT_MS);
            for (int k = 1; k < i && wait < ms(NETWORK_WAIT_MAX_MS); k++)
                wait *= 2;
            if (wait > ms(NETWORK_WAIT_MAX_MS)) wait = ms(NETWORK_WAIT_MAX_MS);
            pl->retry.next = failed_at + (rs->n_backoff ? given_backoff(rs, i) : jitter(pl, wait));
        } else {
            buf_printf(&tmp, "Reconnecting... %d/%d (%s)", i, rs->max, pl->retry.cause.data);
            pl->retry.next = failed_at + (rs->has_advised ? rs->advised_ns
                                          : rs->n_backoff ? given_backoff(rs, i)
                                                          : backoff(pl, i));
        }
        /* The built-in provider hides its first WebSocket retry in release builds. */
        if (!(rs->transport == TRANSPORT_WEBSOCKET && i == 1)) {
            push_error_event(pl, failed_at, src, &tmp);
            action *a = &pl->queue[(pl->q_head + pl->q_len - 1) % PLAN_QUEUE];
            double wait_ms = (double)(pl->retry.next - failed_at) / 1e6;
            const char *what = rs->kind ? rs->kind->summary : "the request failed";
            if (i == 1 || (i == 2 && rs->transport == TRANSPORT_WEBSOCKET))
                a->explain = explainf(
                    pl,
                    "%s. The real CLI retries the turn (stream_max_retries = %d)%s%s; attempt "
                    "%d failed, next in %.0f ms",
                    what, rs->max,
                    rs->has_advised ? ", waiting the server-advised delay between attempts"
                                    : ", backing off 200 ms x 2^(n-1) +-10%",
                    rs->hidden_retries ? ", each attempt hiding its own request-level retries" : "",
                    i, wait_ms);
            else
                a->explain = explainf(pl, "attempt %d failed; next attempt in %.0f ms", i, wait_ms);
        } else {
            pl->cursor = failed_at;
        }
        buf_free(&tmp);
        return;
    }
    /* The attempt after the last notice: it fails for good, or it works. */
    pl->retry.active = false;
    if (rs->fail) {
        push_error_event(pl, failed_at, src, &pl->retry.cause);
        pl->queue[(pl->q_head + pl->q_len - 1) % PLAN_QUEUE].explain =
            rs->attempts ? "retries exhausted: the real CLI prints the error once more as the "
                           "final message"
                         : "the real CLI does not retry this failure: the error at once";
        int64_t failed_due = failed_at + jitter(pl, ms(RETRY_TERMINAL_MS));
        close_open_todo(pl, failed_due);
        action *a = push_event(pl, EV_TURN_FAILED, failed_due, src);
        a->explain = "turn.failed with the same message; the process exits 1";
        a->ev.message = scratch_copy(pl, &pl->retry.cause);
        pl->failed = true;
        pl->ended_turn = true;
    } else if (rs->transport == TRANSPORT_WEBSOCKET && rs->attempts >= rs->max) {
        action *a = push_event(pl, EV_ITEM_COMPLETED, failed_at, src);
        a->ev.item.type = ITEM_ERROR;
        a->ev.item.id = assign_id(pl, (mstr){NULL, 0});
        buf_printf(&tmp, "Falling back from WebSockets to HTTPS transport. %s",
                   pl->retry.cause.data);
        a->ev.item.u.text.text = scratch_copy(pl, &tmp);
        a->explain = "WebSocket retries exhausted: the built-in provider falls back to HTTPS, "
                     "reports it as an error item, resets the retry counter and goes on";
    } else {
        pl->cursor = pl->retry.next; /* the successful attempt starts here */
    }
    buf_free(&tmp);
}

/* --- templates: {{prompt}} and friends, expanded as a step is played --- */

static mstr tpl(planner *pl, mstr s) {
    if (!pl->p.vars || !s.ptr || !template_present(s.ptr, s.len)) return s;
    buf b;
    buf_init(&b);
    template_expand(&b, s.ptr, s.len, pl->p.vars);
    mstr out = {arena_strndup(&pl->scratch, b.data ? b.data : "", b.len), b.len};
    buf_free(&b);
    return out;
}

static void tpl_item(planner *pl, item *it) {
    it->id = tpl(pl, it->id);
    switch (it->type) {
    case ITEM_AGENT_MESSAGE:
    case ITEM_REASONING:
    case ITEM_ERROR:
        it->u.text.text = tpl(pl, it->u.text.text);
        break;
    case ITEM_COMMAND_EXECUTION:
        it->u.cmd.command = tpl(pl, it->u.cmd.command);
        it->u.cmd.output = tpl(pl, it->u.cmd.output);
        break;
    case ITEM_FILE_CHANGE: {
        file_change_entry *v = arena_alloc(&pl->scratch, (it->u.fc.n ? it->u.fc.n : 1) * sizeof *v);
        for (size_t i = 0; i < it->u.fc.n; i++) {
            v[i] = it->u.fc.v[i];
            v[i].path = tpl(pl, v[i].path);
        }
        it->u.fc.v = v;
        break;
    }
    case ITEM_MCP_TOOL_CALL: {
        mcp_call *m = arena_alloc(&pl->scratch, sizeof *m);
        *m = *it->u.mcp;
        m->server = tpl(pl, m->server);
        m->tool = tpl(pl, m->tool);
        m->error = tpl(pl, m->error);
        it->u.mcp = m;
        break;
    }
    case ITEM_WEB_SEARCH:
        it->u.ws.query = tpl(pl, it->u.ws.query);
        break;
    case ITEM_TODO_LIST: {
        todo_entry *v = arena_alloc(&pl->scratch, (it->u.todo.n ? it->u.todo.n : 1) * sizeof *v);
        for (size_t i = 0; i < it->u.todo.n; i++) {
            v[i] = it->u.todo.v[i];
            v[i].text = tpl(pl, v[i].text);
        }
        it->u.todo.v = v;
        break;
    }
    case ITEM_COLLAB_TOOL_CALL: {
        collab_call *c = arena_alloc(&pl->scratch, sizeof *c);
        *c = *it->u.collab;
        c->prompt = tpl(pl, c->prompt);
        it->u.collab = c;
        break;
    }
    case ITEM_TYPE_COUNT:
        break;
    }
}

/* A copy of the step with its strings expanded, when it has any placeholder. */
static const step *expanded(planner *pl, const step *s, step *copy, event *ev_copy) {
    if (!s->has_template || !pl->p.vars) return s;
    *copy = *s;
    switch (s->kind) {
    case STEP_STDERR:
    case STEP_RAW:
        copy->u.bytes = tpl(pl, s->u.bytes);
        break;
    case STEP_ITEM:
    case STEP_TODO_LIST:
        tpl_item(pl, &copy->u.item);
        break;
    case STEP_EVENT:
        *ev_copy = *s->u.ev;
        ev_copy->message = tpl(pl, ev_copy->message);
        ev_copy->thread_id = tpl(pl, ev_copy->thread_id);
        tpl_item(pl, &ev_copy->item);
        copy->u.ev = ev_copy;
        break;
    default:
        break;
    }
    return copy;
}

static void expand_step(planner *pl, const step *orig) {
    /* the copy lives in the planner: actions and a running retry loop point at it */
    const step *s = expanded(pl, orig, &pl->step_copy, &pl->ev_copy);
    int64_t start = s->has_at ? s->at_ns : pl->cursor + (s->has_after ? s->after_ns : 0);
    if (!s->has_at && !s->has_after) start = pl->cursor + pace_before(pl, s);
    switch (s->kind) {
    case STEP_USAGE:
        add_usage(&pl->turn_usage, &s->u.usage);
        return;
    case STEP_SLEEP:
        if (s->u.sleep < 0) { /* forever: a hang */
            push(pl, ACT_HANG, start, s)->explain =
                "the process hangs: no more output and no exit; only a signal ends it (what an "
                "orchestrator's own timeout has to catch)";
            pl->ended = true;
            return;
        }
        pl->cursor = (start > pl->cursor ? start : pl->cursor) + s->u.sleep;
        return;
    case STEP_STDERR: {
        action *a = push(pl, ACT_STDERR, start, s);
        a->bytes = s->u.bytes;
        if (!s->exact && (s->u.bytes.len == 0 || s->u.bytes.ptr[s->u.bytes.len - 1] != '\n')) {
            char *p = arena_alloc(&pl->scratch, s->u.bytes.len + 2);
            memcpy(p, s->u.bytes.ptr, s->u.bytes.len);
            p[s->u.bytes.len] = '\n';
            a->bytes = (mstr){p, s->u.bytes.len + 1};
        }
        return;
    }
    case STEP_RAW:
        push(pl, ACT_STDOUT, start, s)->bytes = s->u.bytes;
        return;
    case STEP_SIGNAL: {
        action *a = push(pl, ACT_SIGNAL, start, s);
        a->exit_code = s->u.signal;
        a->explain =
            explainf(pl, "the process dies by signal %d (%s)", s->u.signal, strsignal(s->u.signal));
        pl->ended = true;
        return;
    }
    case STEP_CLOSE_STDOUT:
        push(pl, ACT_CLOSE_STDOUT, start, s)->explain =
            "stdout is closed early; the process keeps running";
        return;
    case STEP_SERVER_REQUEST: {
        /* the app-server's request to its client (its step is the action's src); exec shows
         * nothing */
        action *a = push(pl, ACT_MODEL_REQUEST, start, s);
        a->bytes = (mstr){"server_request", 14};
        a->explain = "the app-server asks its client (a server request); exec shows nothing";
        return;
    }
    case STEP_MODEL_REQUEST: {
        action *a = push(pl, ACT_MODEL_REQUEST, start, s);
        a->bytes = s->u.bytes;
        a->explain = "a model request ends without an item (a hidden tool): exec shows nothing, "
                     "the app-server its usage pair";
        return;
    }
    case STEP_RETRY:
        if (s->u.retry->hidden_only) {
            /* failing requests and their backoff, then the one that works */
            int64_t request = s->u.retry->has_request_time ? s->u.retry->request_ns
                                                           : jitter(pl, ms(RETRY_REQUEST_MS));
            int64_t cost = 0;
            for (int r = 1; r <= s->u.retry->hidden_retries; r++)
                cost += request + backoff(pl, r);
            pl->cursor = start + cost;
            return;
        }
        retry_begin(pl, s, start);
        return;
    case STEP_EXIT: {
        action *a = push(pl, ACT_EXIT, start, s);
        a->exit_code = s->u.exit_code;
        a->explain = explainf(pl, "the process exits with code %d", s->u.exit_code);
        pl->ended = true;
        return;
    }
    case STEP_EVENT: {
        if (s->u.ev->type == EV_TURN_COMPLETED || s->u.ev->type == EV_TURN_FAILED)
            close_open_todo(pl, start);
        action *a = push_event(pl, s->u.ev->type, start, s);
        a->ev = *s->u.ev;
        switch (a->ev.type) {
        case EV_THREAD_STARTED:
            if (!a->ev.thread_id.ptr) a->ev.thread_id = pl->thread_id;
            if (pl->turn_start_pending) {
                pl->turn_start_pending = false;
                const turn *t = pl->turn;
                push_turn_started(pl, t->has_started_after ? t->started_after_ns
                                                           : jitter(pl, ms(PACE_TURN_STARTED_MS)));
            }
            break;
        case EV_ITEM_STARTED:
        case EV_ITEM_UPDATED:
        case EV_ITEM_COMPLETED:
            a->ev.item.id = raw_event_id(pl, &a->ev);
            if (a->ev.item.type == ITEM_FILE_CHANGE) resolve_changes(pl, &a->ev.item);
            if (a->ev.item.type == ITEM_WEB_SEARCH && !a->ev.item.u.ws.search_id.ptr)
                a->ev.item.u.ws.search_id = generated_search_id(pl);
            if (a->ev.item.type == ITEM_TODO_LIST && a->ev.type == EV_ITEM_STARTED) {
                snprintf(pl->todo_id, sizeof pl->todo_id, "%.*s", (int)a->ev.item.id.len,
                         a->ev.item.id.ptr);
                pl->todo_open = true;
            }
            if (a->ev.item.type == ITEM_TODO_LIST) keep_todo(pl, &a->ev.item);
            if (a->ev.item.type == ITEM_TODO_LIST && a->ev.type == EV_ITEM_COMPLETED)
                pl->todo_open = false;
            break;
        case EV_TURN_COMPLETED:
            if (!a->ev.has_usage) a->ev.usage = thread_usage(pl);
            pl->saw_turn_end = true;
            break;
        case EV_TURN_FAILED:
            pl->failed = true;
            pl->saw_turn_end = true;
            break;
        default:
            break;
        }
        return;
    }
    case STEP_TODO_LIST: {
        bool first = !pl->todo_open;
        action *a = push_event(pl, first ? EV_ITEM_STARTED : EV_ITEM_UPDATED, start, s);
        a->ev.item = s->u.item;
        if (first) {
            mstr id = assign_id(pl, s->u.item.id);
            snprintf(pl->todo_id, sizeof pl->todo_id, "%.*s", (int)id.len, id.ptr);
            pl->todo_open = true;
        }
        a->ev.item.id = (mstr){pl->todo_id, strlen(pl->todo_id)};
        keep_todo(pl, &s->u.item);
        return;
    }
    case STEP_ITEM:
        break;
    }

    item it = s->u.item;
    if (it.type == ITEM_REASONING && is_blank(it.u.text.text)) return; /* the real CLI drops it */
    it.id = assign_id(pl, it.id);
    if (it.type == ITEM_FILE_CHANGE) resolve_changes(pl, &it);
    if (it.type == ITEM_WEB_SEARCH && !it.u.ws.search_id.ptr)
        it.u.ws.search_id = generated_search_id(pl);
    if (item_type_gets_started(it.type)) { /* (a todo list is a STEP_TODO_LIST, above) */
        push_event(pl, EV_ITEM_STARTED, start, s)->ev.item = started_form(pl, &it);
        int64_t took = pace_duration(pl, s);
        if (it.type == ITEM_COMMAND_EXECUTION) it.u.cmd.duration_ns = took; /* human mode */
        start += took;
    }
    push_event(pl, EV_ITEM_COMPLETED, start, s)->ev.item = it;
}

/* Before each item step, one seeded draw: a failure that ends the turn, a short reconnect
 * loop, a stall, or nothing. True when a loop was started (the step waits for it). */
static bool chaos_draw(planner *pl, const step *next) {
    const chaos_spec *c = pl->p.chaos;
    if (!c || !c->enabled || !pl->p.chaos_rng) return false;
    if (pl->chaos_checked == pl->next_step + 1) return false;
    pl->chaos_checked = pl->next_step + 1;
    if (next->kind != STEP_ITEM && next->kind != STEP_TODO_LIST) return false;
    double u = rng_uniform(pl->p.chaos_rng);
    if (u < c->fail + c->reconnect) {
        retry_spec *rs = &pl->chaos_retry;
        memset(rs, 0, sizeof *rs);
        rs->kind = failure_find("stream_closed", 13);
        rs->max = 5;
        rs->fail = u < c->fail;
        rs->attempts = rs->fail ? 5 : 1 + (int)(rng_next(pl->p.chaos_rng) % 3);
        memset(&pl->chaos_step, 0, sizeof pl->chaos_step);
        pl->chaos_step.kind = STEP_RETRY;
        pl->chaos_step.u.retry = rs;
        retry_begin(pl, &pl->chaos_step, pl->cursor);
        return true;
    }
    if (u < c->fail + c->reconnect + c->stall) pl->cursor += c->stall_ns;
    return false;
}

static void refill(planner *pl) {
    const scenario *sc = pl->p.sc;
    const turn *t = pl->turn;
    arena_reset(&pl->scratch);
    while (pl->q_len == 0 && pl->phase != PH_DONE) {
        switch (pl->phase) {
        case PH_THREAD:
            pl->phase = PH_TURN_START;
            if (pl->implicit_thread_started) {
                int64_t due = t->has_startup    ? t->startup_ns
                              : sc->has_startup ? sc->startup_ns
                                                : jitter(pl, ms(PACE_STARTUP_MS));
                action *a = push_event(pl, EV_THREAD_STARTED, due, NULL);
                a->ev.thread_id = pl->thread_id;
                a->explain = "thread.started: the real CLI has loaded its config, resolved the "
                             "prompt and started a thread";
            }
            break;
        case PH_TURN_START:
            pl->phase = PH_STEPS;
            if (pl->implicit_turn_started && !pl->implicit_thread_started) {
                /* the scenario's own thread.started comes first; turn.started follows it */
                pl->turn_start_pending = true;
            } else if (pl->implicit_turn_started) {
                push_turn_started(pl, t->has_started_after ? t->started_after_ns
                                                           : jitter(pl, ms(PACE_TURN_STARTED_MS)));
            }
            break;
        case PH_STEPS:
            if (pl->retry.active) {
                retry_step(pl);
                break;
            }
            if (pl->ended_turn) { /* a failed turn: the process exits 1 */
                pl->phase = PH_EXIT;
                break;
            }
            if (pl->ended) {
                pl->phase = PH_DONE;
                break;
            }
            int got = fetch_step(pl);
            if (got <= 0) {
                pl->phase = got < 0 ? PH_DONE : PH_TURN_END;
                break;
            }
            if (chaos_draw(pl, pl->ahead)) break;
            const step *s = pl->ahead;
            pl->ahead = NULL;
            pl->next_step++;
            expand_step(pl, s);
            break;
        case PH_TURN_END: {
            pl->phase = PH_EXIT;
            int64_t d = t->has_completed_after ? t->completed_after_ns
                                               : jitter(pl, ms(PACE_TURN_COMPLETED_MS));
            if (pl->todo_open) {
                close_open_todo(pl, pl->cursor + d);
                d = 0;
            }
            if (pl->implicit_turn_end && !pl->saw_turn_end) {
                action *a = push_event(pl, EV_TURN_COMPLETED, pl->cursor + d, NULL);
                a->ev.usage = thread_usage(pl);
                a->explain = "turn.completed: usage is the thread's running total; the process "
                             "exits 0";
            }
            break;
        }
        case PH_EXIT:
            pl->phase = PH_DONE;
            push(pl, ACT_EXIT, pl->cursor, NULL)->exit_code = pl->failed ? 1 : 0;
            break;
        }
    }
}

bool plan_next(planner *pl, action *out) {
    if (pl->q_len == 0) refill(pl);
    if (pl->q_len == 0) return false;
    *out = pl->queue[pl->q_head];
    pl->q_head = (pl->q_head + 1) % PLAN_QUEUE;
    pl->q_len--;
    return true;
}

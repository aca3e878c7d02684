#include "show.h"
#include "event_json.h"
#include "faces.h"
#include "jsonw.h"
#include "plan.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BAR_WIDTH = 24, SUMMARY_MAX = 72, MAX_ROWS = 2000 };

typedef struct {
    int64_t due; /* ns */
    const char *stream, *event;
    char *item_type, *id;
    char *summary;
    char *bytes;
    size_t len;
} row;

typedef struct {
    row *v;
    size_t n;
} rows;

static void add_row(rows *r, int64_t due, const char *stream, const char *event,
                    const char *item_type, const char *id, char *summary, const char *bytes,
                    size_t len) {
    r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
    r->v[r->n++] = (row){due,
                         stream,
                         event,
                         item_type ? xstrdup(item_type) : NULL,
                         id ? xstrdup(id) : NULL,
                         summary,
                         bytes ? xstrndup(bytes, len) : NULL,
                         len};
}

/* A short one-line rendering: control characters escaped, cut at SUMMARY_MAX columns. */
static void short_text(buf *b, const char *s, size_t len) {
    size_t cols = 0;
    for (size_t i = 0; i < len; i++) {
        if (cols >= SUMMARY_MAX) {
            buf_puts(b, "…");
            return;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            buf_puts(b, "\\n");
            cols += 2;
        } else if (c == '\t') {
            buf_puts(b, "\\t");
            cols += 2;
        } else if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\x%02x", c);
            cols += 4;
        } else {
            buf_putc(b, (char)c);
            if ((c & 0xc0) != 0x80) cols++;
        }
    }
}

static char *summarize(const event *ev) {
    buf b;
    buf_init(&b);
    const item *it = &ev->item;
    switch (ev->type) {
    case EV_THREAD_STARTED:
        buf_append(&b, ev->thread_id.ptr, ev->thread_id.len);
        break;
    case EV_TURN_COMPLETED:
        buf_printf(&b, "usage: input %lld (cached %lld), output %lld (reasoning %lld)",
                   (long long)ev->usage.input_tokens, (long long)ev->usage.cached_input_tokens,
                   (long long)ev->usage.output_tokens,
                   (long long)ev->usage.reasoning_output_tokens);
        break;
    case EV_TURN_FAILED:
    case EV_ERROR:
        short_text(&b, ev->message.ptr, ev->message.len);
        break;
    case EV_ITEM_STARTED:
    case EV_ITEM_UPDATED:
    case EV_ITEM_COMPLETED:
        switch (it->type) {
        case ITEM_AGENT_MESSAGE:
        case ITEM_REASONING:
        case ITEM_ERROR:
            short_text(&b, it->u.text.text.ptr, it->u.text.text.len);
            break;
        case ITEM_COMMAND_EXECUTION:
            short_text(&b, it->u.cmd.command.ptr, it->u.cmd.command.len);
            if (it->u.cmd.has_exit_code)
                buf_printf(&b, " → exit %lld, %zu bytes of output", (long long)it->u.cmd.exit_code,
                           it->u.cmd.output.len);
            break;
        case ITEM_FILE_CHANGE:
            for (size_t i = 0; i < it->u.fc.n; i++) {
                if (i) buf_puts(&b, ", ");
                buf_printf(&b, "%s ", CHANGE_KIND_NAMES[it->u.fc.v[i].kind]);
                short_text(&b, it->u.fc.v[i].path.ptr, it->u.fc.v[i].path.len);
            }
            break;
        case ITEM_MCP_TOOL_CALL:
            buf_printf(&b, "%.*s.%.*s", (int)it->u.mcp->server.len, it->u.mcp->server.ptr,
                       (int)it->u.mcp->tool.len, it->u.mcp->tool.ptr);
            break;
        case ITEM_WEB_SEARCH:
            short_text(&b, it->u.ws.query.ptr, it->u.ws.query.len);
            break;
        case ITEM_TODO_LIST: {
            size_t done = 0;
            for (size_t i = 0; i < it->u.todo.n; i++)
                done += it->u.todo.v[i].completed;
            buf_printf(&b, "%zu of %zu done", done, it->u.todo.n);
            break;
        }
        case ITEM_COLLAB_TOOL_CALL:
            buf_append(&b, it->u.collab->tool.ptr, it->u.collab->tool.len);
            break;
        default:
            break;
        }
        if (it->status != STATUS_NONE && ITEM_STATUS_NAMES[it->status])
            buf_printf(&b, " [%s]", ITEM_STATUS_NAMES[it->status]);
        break;
    default:
        break;
    }
    if (!b.data) buf_puts(&b, "");
    return buf_detach(&b);
}

static void collect(const scenario *sc, const show_options *o, rows *r) {
    rng g;
    rng_seed(&g, o->seed);
    int64_t pre = plan_preflight_raw_ns(sc, &g);
    if (!o->app_server) /* exec's stdin notice; the app-server reads requests instead */
        add_row(r, pre, "stderr", "preflight", NULL, NULL,
                xstrdup("the stdin notice, when the invocation reads stdin"), NULL, 0);
    plan_params params = {.sc = sc,
                          .turn = o->turn,
                          .speed = 1,
                          .rng = &g,
                          .cwd = o->cwd ? o->cwd : "/",
                          .thread_id = PLAN_PLACEHOLDER_THREAD_ID};
    planner pl;
    plan_init(&pl, &params);
    action a;
    buf line;
    buf_init(&line);
    const step *asked = NULL; /* the approval step whose request row is out */
    if (o->app_server)
        add_row(r, 0, "client", "request", NULL, NULL,
                xstrdup("initialize, thread/start, turn/start: the turn plays after its answer"),
                NULL, 0);
    while (plan_next(&pl, &a)) {
        if (r->n >= MAX_ROWS) { /* a timeline that never ends (a retry loop forever) */
            add_row(r, a.raw_due_ns, "...", "more", NULL, NULL,
                    xasprintf("the timeline goes on; showing the first %d rows", MAX_ROWS), NULL,
                    0);
            break;
        }
        buf_reset(&line);
        switch (a.kind) {
        case ACT_EVENT: {
            event_write_json(&line, &a.ev);
            bool item = a.ev.type == EV_ITEM_STARTED || a.ev.type == EV_ITEM_UPDATED ||
                        a.ev.type == EV_ITEM_COMPLETED;
            char id[128] = "";
            if (item) snprintf(id, sizeof id, "%.*s", (int)a.ev.item.id.len, a.ev.item.id.ptr);
            add_row(r, a.raw_due_ns, o->human_mode ? "(event)" : "stdout",
                    EVENT_TYPE_NAMES[a.ev.type], item ? ITEM_TYPE_NAMES[a.ev.item.type] : NULL,
                    item ? id : NULL, summarize(&a.ev), line.data, line.len);
            if (o->app_server && item && a.src && a.src->approval && a.src != asked) {
                /* the server asks; the client's answer, as the scenario expects it */
                asked = a.src;
                const approval_spec *ap = a.src->approval;
                buf s;
                buf_init(&s);
                if (ap->expect)
                    buf_printf(&s, "answers %s to the approval request", ap->expect);
                else
                    buf_puts(&s, "answers the approval request");
                if (ap->has_reason) {
                    buf_puts(&s, " (reason: ");
                    short_text(&s, ap->reason.ptr, ap->reason.len);
                    buf_putc(&s, ')');
                }
                if (ap->n_on_accept || ap->n_on_decline)
                    buf_printf(&s, "; %zu step(s) on accept, %zu on decline", ap->n_on_accept,
                               ap->n_on_decline);
                add_row(r, a.raw_due_ns, "client", "answer", NULL, id, buf_detach(&s), NULL, 0);
            }
            break;
        }
        case ACT_STDOUT:
        case ACT_STDERR: {
            buf s;
            buf_init(&s);
            short_text(&s, a.bytes.ptr, a.bytes.len);
            if (!s.data) buf_puts(&s, "");
            add_row(r, a.raw_due_ns, a.kind == ACT_STDOUT ? "stdout" : "stderr",
                    a.kind == ACT_STDOUT ? "raw" : "text", NULL, NULL, buf_detach(&s), a.bytes.ptr,
                    a.bytes.len);
            break;
        }
        case ACT_EXIT: {
            char *s = xasprintf("code %d", a.exit_code);
            add_row(r, a.raw_due_ns, "exit", "exit", NULL, NULL, s, NULL, 0);
            break;
        }
        case ACT_HANG:
            add_row(r, a.raw_due_ns, "exit", "hang", NULL, NULL,
                    xstrdup("nothing more: waits until a signal ends it"), NULL, 0);
            break;
        case ACT_MODEL_REQUEST:
            add_row(r, a.raw_due_ns, "(model)", "request", NULL, NULL,
                    xasprintf("%.*s: no item (app-server: its usage pair)", (int)a.bytes.len,
                              a.bytes.ptr ? a.bytes.ptr : ""),
                    NULL, 0);
            break;
        default:
            add_row(r, a.raw_due_ns, "process", "fault", NULL, NULL, xstrdup(""), NULL, 0);
            break;
        }
    }
    buf_free(&line);
    plan_free(&pl);
}

static void put_ms(buf *b, int64_t ns) {
    buf_printf(b, "%.1f", (double)ns / 1e6);
}

static void bar(buf *b, int64_t gap, int64_t max_gap) {
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    int64_t units = max_gap > 0 ? gap * BAR_WIDTH * 8 / max_gap : 0;
    if (gap > 0 && units == 0) units = 1;
    int cols = 0;
    for (; units >= 8; units -= 8, cols++)
        buf_puts(b, "█");
    if (units) buf_puts(b, eighths[units]), cols++;
    for (; cols < BAR_WIDTH; cols++)
        buf_putc(b, ' ');
}

bool show_wants_app_server(const scenario *sc) {
    unsigned f = scenario_faces(sc);
    if ((f & FACE_APP_SERVER) && !(f & FACE_EXEC)) return true;
    for (size_t t = 0; sc->turns && t < sc->n_turns; t++)
        for (size_t i = 0; i < sc->turns[t].n_steps; i++)
            if (sc->turns[t].steps[i].approval) return true;
    return false;
}

void show_timeline(const scenario *sc, const show_options *o, buf *out) {
    rows r = {0};
    collect(sc, o, &r);
    /* rows in time order (stable): the preflight row sits where its time puts it */
    for (size_t i = 1; i < r.n; i++)
        for (size_t j = i; j > 0 && r.v[j - 1].due > r.v[j].due; j--) {
            row t = r.v[j - 1];
            r.v[j - 1] = r.v[j];
            r.v[j] = t;
        }
    int64_t max_gap = 0, prev = 0;
    for (size_t i = 0; i < r.n; i++) {
        int64_t gap = r.v[i].due - prev;
        if (gap > max_gap) max_gap = gap;
        prev = r.v[i].due;
    }
    if (!o->json)
        buf_printf(out, "%10s  %9s  %-*s  %-7s %-15s %s\n", "time ms", "gap ms", BAR_WIDTH, "",
                   "stream", "event", "summary");
    prev = 0;
    for (size_t i = 0; i < r.n; i++) {
        row *x = &r.v[i];
        int64_t gap = x->due - prev;
        prev = x->due;
        if (o->json) {
            buf_puts(out, "{\"t_ms\":");
            put_ms(out, x->due);
            buf_puts(out, ",\"gap_ms\":");
            put_ms(out, gap);
            buf_puts(out, ",\"stream\":");
            jsonw_cstring(out, x->stream);
            buf_puts(out, ",\"event\":");
            jsonw_cstring(out, x->event);
            buf_puts(out, ",\"item_type\":");
            if (x->item_type)
                jsonw_cstring(out, x->item_type);
            else
                jsonw_null(out);
            buf_puts(out, ",\"id\":");
            if (x->id)
                jsonw_cstring(out, x->id);
            else
                jsonw_null(out);
            buf_puts(out, ",\"summary\":");
            jsonw_cstring(out, x->summary);
            buf_puts(out, ",\"bytes\":");
            if (x->bytes)
                jsonw_string(out, x->bytes, x->len);
            else
                jsonw_null(out);
            buf_puts(out, "}\n");
        } else {
            buf_printf(out, "%10.1f  %+9.1f  ", (double)x->due / 1e6, (double)gap / 1e6);
            bar(out, gap, max_gap);
            const char *ev = x->event;
            char evbuf[64];
            if (x->item_type) {
                snprintf(evbuf, sizeof evbuf, "%s", x->event);
                ev = evbuf;
            }
            buf_printf(out, "  %-7s %-15s ", x->stream, ev);
            if (x->item_type) buf_printf(out, "%s %s: ", x->item_type, x->id ? x->id : "");
            buf_puts(out, x->summary);
            buf_putc(out, '\n');
        }
    }
    for (size_t i = 0; i < r.n; i++) {
        free(r.v[i].item_type);
        free(r.v[i].id);
        free(r.v[i].summary);
        free(r.v[i].bytes);
    }
    free(r.v);
}

#include "serve_plan.h"

#include "buf.h"
#include "failures.h"
#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The plan as it is built: the response being filled and its items. */
typedef struct {
    serve_plan *p;
    size_t cap;
    serve_item *items;
    size_t n_items, cap_items;
    bool open;       /* the current response has content (items or a pause) */
    bool tool_call;  /* ... and ends with a tool call the CLI must answer */
    bool turn_began; /* the current turn has asked for at least one response */
    bool last_call;  /* the last response closed ends with a tool call */
    int turn, line;
    int call_seq;
    int64_t now_unix;
} builder;

static serve_response *push_response(builder *b) {
    serve_plan *p = b->p;
    if (p->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        p->v = xrealloc(p->v, b->cap * sizeof *p->v);
    }
    serve_response *r = &p->v[p->n++];
    memset(r, 0, sizeof *r);
    r->repeat = 1;
    r->turn = b->turn;
    r->line = b->line;
    r->cut_after = -1;
    r->status = 200;
    b->turn_began = true;
    b->last_call = false;
    return r;
}

static serve_item *push_item(builder *b, serve_item_kind kind) {
    if (b->n_items == b->cap_items) {
        b->cap_items = b->cap_items ? b->cap_items * 2 : 8;
        b->items = xrealloc(b->items, b->cap_items * sizeof *b->items);
    }
    serve_item *it = &b->items[b->n_items++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    b->open = true;
    return it;
}

static const char *keep(builder *b, const char *s, size_t len) {
    return arena_strndup(&b->p->mem, s ? s : "", len);
}

static const char *keep_buf(builder *b, buf *x, size_t *len) {
    if (len) *len = x->len;
    return keep(b, x->data, x->len);
}

/* Ends the current response (if it has anything, or `force`) as a completed stream. */
static void close_response(builder *b, const usage *u, bool force) {
    if (!b->open && !force) return;
    serve_response *r = push_response(b);
    r->kind = RESP_SSE;
    r->final = FINAL_COMPLETED;
    r->n_items = b->n_items;
    if (b->n_items) {
        r->items = arena_alloc(&b->p->mem, b->n_items * sizeof *r->items);
        memcpy(r->items, b->items, b->n_items * sizeof *r->items);
    }
    /* a message the model sends before a tool call in the same response is commentary */
    bool call_after = false;
    for (size_t i = r->n_items; i-- > 0;) {
        serve_item *it = &r->items[i];
        if (it->kind == SI_FUNCTION_CALL || it->kind == SI_CUSTOM_TOOL_CALL) call_after = true;
        if (it->kind == SI_MESSAGE && call_after) it->phase = "commentary";
    }
    if (u) {
        r->has_usage = true;
        r->use = *u;
    }
    b->last_call = b->tool_call;
    b->n_items = 0;
    b->open = false;
    b->tool_call = false;
}

const char *serve_unwrap_command(arena *a, const char *command, size_t len) {
    static const char prefix[] = "/bin/bash -lc '";
    size_t pl = sizeof prefix - 1;
    if (len < pl + 1 || memcmp(command, prefix, pl) != 0 || command[len - 1] != '\'')
        return arena_strndup(a, command, len);
    buf out;
    buf_init(&out);
    const char *s = command + pl, *end = command + len - 1;
    while (s < end) {
        if (end - s >= 4 && !memcmp(s, "'\\''", 4)) {
            buf_putc(&out, '\'');
            s += 4;
        } else if (*s == '\'') { /* a quote not of the '\'' form: not one word, keep it all */
            buf_free(&out);
            return arena_strndup(a, command, len);
        } else {
            buf_putc(&out, *s++);
        }
    }
    char *r = arena_strndup(a, out.data ? out.data : "", out.len);
    buf_free(&out);
    return r;
}

static const char *call_id(builder *b) {
    char id[32];
    snprintf(id, sizeof id, "call_serve_%d", ++b->call_seq);
    return arena_strdup(&b->p->mem, id);
}

static void tool_call_item(builder *b, const item *it) {
    buf x;
    buf_init(&x);
    serve_item *si;
    switch (it->type) {
    case ITEM_COMMAND_EXECUTION: {
        si = push_item(b, SI_FUNCTION_CALL);
        si->name = "exec_command";
        const char *cmd = serve_unwrap_command(
            &b->p->mem, it->u.cmd.command.ptr ? it->u.cmd.command.ptr : "", it->u.cmd.command.len);
        buf_puts(&x, "{\"cmd\":");
        jsonw_cstring(&x, cmd);
        buf_putc(&x, '}');
        break;
    }
    case ITEM_FILE_CHANGE:
        si = push_item(b, SI_CUSTOM_TOOL_CALL);
        si->name = "apply_patch";
        buf_puts(&x, "*** Begin Patch\n");
        for (size_t i = 0; i < it->u.fc.n; i++) {
            const file_change_entry *e = &it->u.fc.v[i];
            const char *path = e->path.ptr ? e->path.ptr : "";
            if (e->kind == CHANGE_ADD)
                buf_printf(&x, "*** Add File: %s\n+Added by codex-mock serve.\n", path);
            else if (e->kind == CHANGE_DELETE)
                buf_printf(&x, "*** Delete File: %s\n", path);
            else
                buf_printf(&x, "*** Update File: %s\n@@\n+Updated by codex-mock serve.\n", path);
        }
        buf_puts(&x, "*** End Patch\n");
        break;
    case ITEM_MCP_TOOL_CALL: {
        const mcp_call *m = it->u.mcp;
        si = push_item(b, SI_FUNCTION_CALL);
        si->name = keep(b, m->tool.ptr, m->tool.len);
        buf ns;
        buf_init(&ns);
        buf_puts(&ns, "mcp__");
        buf_append(&ns, m->server.ptr ? m->server.ptr : "", m->server.len);
        si->ns = keep_buf(b, &ns, NULL);
        buf_free(&ns);
        if (m->arguments)
            jval_write(&x, m->arguments);
        else
            buf_puts(&x, "{}");
        break;
    }
    default: /* ITEM_TODO_LIST */
        si = push_item(b, SI_FUNCTION_CALL);
        si->name = "update_plan";
        buf_puts(&x, "{\"plan\":[");
        for (size_t i = 0; i < it->u.todo.n; i++) {
            static const char *const st[] = {"pending", "in_progress", "completed"};
            const todo_entry *e = &it->u.todo.v[i];
            if (i) buf_putc(&x, ',');
            buf_puts(&x, "{\"step\":");
            jsonw_string(&x, e->text.ptr ? e->text.ptr : "", e->text.len);
            buf_printf(&x, ",\"status\":\"%s\"}", st[e->status]);
        }
        buf_puts(&x, "]}");
        break;
    }
    si->call_id = call_id(b);
    si->text = keep_buf(b, &x, &si->text_len);
    buf_free(&x);
    b->tool_call = true;
}

static void model_item(builder *b, const item *it) {
    if (b->tool_call) close_response(b, NULL, false); /* what follows a call answers its output */
    switch (it->type) {
    case ITEM_AGENT_MESSAGE: {
        serve_item *si = push_item(b, SI_MESSAGE);
        si->text = keep(b, it->u.text.text.ptr, it->u.text.text.len);
        si->text_len = it->u.text.text.len;
        break;
    }
    case ITEM_REASONING: {
        serve_item *si = push_item(b, SI_REASONING);
        si->text = keep(b, it->u.text.text.ptr, it->u.text.text.len);
        si->text_len = it->u.text.text.len;
        break;
    }
    default: { /* ITEM_WEB_SEARCH */
        serve_item *si = push_item(b, SI_WEB_SEARCH);
        buf x;
        buf_init(&x);
        if (it->u.ws.action) {
            jval_write(&x, it->u.ws.action);
        } else {
            buf_puts(&x, "{\"type\":\"search\",\"query\":");
            jsonw_string(&x, it->u.ws.query.ptr ? it->u.ws.query.ptr : "", it->u.ws.query.len);
            buf_putc(&x, '}');
        }
        si->text = keep_buf(b, &x, &si->text_len);
        buf_free(&x);
        break;
    }
    }
}

static void unserved(builder *b, const char *what) {
    serve_plan *p = b->p;
    serve_unserved *n = arena_alloc(&p->mem, (p->n_unserved + 1) * sizeof *n);
    if (p->n_unserved) memcpy(n, p->unserved, p->n_unserved * sizeof *n);
    n[p->n_unserved].what = what;
    n[p->n_unserved].line = b->line;
    p->unserved = n;
    p->n_unserved++;
}

static void add_header(builder *b, serve_response *r, const char *name, const char *value) {
    serve_header *h = arena_alloc(&b->p->mem, (r->n_headers + 1) * sizeof *h);
    if (r->n_headers) memcpy(h, r->headers, r->n_headers * sizeof *h);
    h[r->n_headers].name = name;
    h[r->n_headers].value = arena_strdup(&b->p->mem, value);
    r->headers = h;
    r->n_headers++;
}

static void json_body(builder *b, serve_response *r, buf *x) {
    r->content_type = "application/json";
    r->body = keep_buf(b, x, &r->body_len);
}

/* `{"error":{"message":M,"type":T,"param":null,"code":C}}` (C NULL → null) */
static void error_body(buf *x, const char *msg, const char *type, const char *code) {
    buf_puts(x, "{\"error\":{\"message\":");
    jsonw_cstring(x, msg);
    buf_puts(x, ",\"type\":");
    jsonw_cstring(x, type);
    buf_puts(x, ",\"param\":null,\"code\":");
    if (code)
        jsonw_cstring(x, code);
    else
        jsonw_null(x);
    buf_puts(x, "}}");
}

static const char *or_default(const char *s, const char *d) {
    return s && *s ? s : d;
}

/* One failing answer of kind k (the whole retry loop repeats it). */
static serve_response *failure_response(builder *b, const retry_spec *rs, int repeat) {
    const failure_params *pp = &rs->params;
    const char *n = rs->kind ? rs->kind->name : "stream_closed";
    buf x;
    buf_init(&x);
    serve_response *r = push_response(b);
    r->repeat = repeat;
    r->kind = RESP_HTTP;
    /* the real API names every answer; the CLI prints the id in some messages */
    if (pp->request_id && *pp->request_id) {
        add_header(b, r, "x-request-id", pp->request_id);
    } else {
        char id[48];
        uint32_t h = (uint32_t)(b->p->n + 1) * 2654435761u;
        snprintf(id, sizeof id, "req_%08x%08x%08x%08x", h, h ^ 0x5bd1e995u, h * 31u,
                 (h >> 7) ^ 0x9e3779b9u);
        add_header(b, r, "x-request-id", id);
    }
    if (!strcmp(n, "unauthorized_401")) {
        r->status = 401;
        error_body(&x,
                   or_default(pp->message, "Incorrect API key provided: sk-proj-********"
                                           "************************abcd. You can find your API "
                                           "key at https://platform.openai.com/account/api-keys."),
                   "invalid_request_error", "invalid_api_key");
        json_body(b, r, &x);
        add_header(b, r, "www-authenticate", "Bearer realm=\"OpenAI API\"");
    } else if (!strcmp(n, "forbidden_403")) {
        r->status = 403;
        error_body(&x, or_default(pp->message, "You are not allowed to sample from this model"),
                   "invalid_request_error", NULL);
        json_body(b, r, &x);
    } else if (!strcmp(n, "cloudflare_403")) {
        r->status = 403;
        buf_puts(&x,
                 "<html><head><title>403 Forbidden</title></head><body>Cloudflare</body></html>");
        r->content_type = "text/html";
        r->body = keep_buf(b, &x, &r->body_len);
        add_header(b, r, "cf-ray", or_default(pp->cf_ray, "8f1c2a3b4d5e6f70-SJC"));
        add_header(b, r, "server", "cloudflare");
    } else if (!strcmp(n, "not_found_404")) {
        r->status = 404;
        r->content_type = "text/plain";
        r->body = "";
    } else if (!strcmp(n, "bad_request_400")) {
        r->status = 400;
        failure_message(&x, rs->kind, pp, b->now_unix);
        json_body(b, r, &x);
    } else if (!strcmp(n, "model_not_found")) {
        r->status = 404;
        buf msg;
        buf_init(&msg);
        failure_message(&msg, rs->kind, pp, b->now_unix);
        error_body(&x, msg.data ? msg.data : "", "invalid_request_error", "model_not_found");
        buf_free(&msg);
        json_body(b, r, &x);
    } else if (!strcmp(n, "rate_limit_429")) {
        r->status = 429;
        error_body(&x,
                   "Rate limit reached for requests per min (RPM): Limit 500, Used 500, "
                   "Requested 1. Please try again in 1s.",
                   "requests", "rate_limit_exceeded");
        json_body(b, r, &x);
        char secs[32];
        snprintf(secs, sizeof secs, "%lld",
                 (long long)(rs->has_advised ? (rs->advised_ns + 999999999) / 1000000000 : 1));
        add_header(b, r, "retry-after", secs);
    } else if (!strcmp(n, "usage_limit")) {
        r->status = 429;
        int64_t resets = pp->has_resets_at   ? pp->resets_at
                         : rs->has_resets_in ? b->now_unix + rs->resets_in_ns / 1000000000
                                             : b->now_unix + 3600;
        buf_puts(&x, "{\"error\":{\"type\":\"usage_limit_reached\",\"message\":\"The usage limit "
                     "has been reached\",\"plan_type\":");
        jsonw_cstring(&x, or_default(pp->plan, "plus"));
        buf_printf(&x, ",\"resets_at\":%lld}}", (long long)resets);
        json_body(b, r, &x);
        char t[32];
        snprintf(t, sizeof t, "%lld", (long long)resets);
        add_header(b, r, "x-codex-primary-used-percent", "100");
        add_header(b, r, "x-codex-primary-window-minutes", "300");
        add_header(b, r, "x-codex-primary-reset-at", t);
        snprintf(t, sizeof t, "%lld", (long long)(resets - b->now_unix));
        add_header(b, r, "retry-after", t);
    } else if (!strcmp(n, "insufficient_quota")) {
        r->status = 429;
        error_body(&x,
                   "You exceeded your current quota, please check your plan and billing details.",
                   "insufficient_quota", "insufficient_quota");
        json_body(b, r, &x);
    } else if (!strcmp(n, "server_error_500")) {
        r->status = 500;
        error_body(&x, "The server had an error while processing your request.", "server_error",
                   NULL);
        json_body(b, r, &x);
    } else if (!strcmp(n, "bad_gateway_502") || !strcmp(n, "service_unavailable_503")) {
        bool gw = n[1] == 'a';
        r->status = gw ? 502 : 503;
        buf_puts(&x, or_default(pp->body, gw ? "Bad Gateway" : "Service Unavailable"));
        r->content_type = "text/plain";
        r->body = keep_buf(b, &x, &r->body_len);
    } else if (!strcmp(n, "overloaded_503")) {
        r->status = 503;
        error_body(&x, "Selected model is at capacity. Please try a different model.",
                   "server_is_overloaded", "server_is_overloaded");
        json_body(b, r, &x);
    } else if (!strcmp(n, "context_window_exceeded") || !strcmp(n, "stream_error") ||
               !strcmp(n, "stream_closed")) {
        r->kind = RESP_SSE;
        if (!strcmp(n, "context_window_exceeded")) {
            r->final = FINAL_FAILED;
            r->error_code = "context_length_exceeded";
            r->error_message = "Your input exceeds the context window of this model. Please "
                               "adjust your input and try again.";
        } else if (!strcmp(n, "stream_closed")) {
            r->final = FINAL_NONE; /* the body ends cleanly, without response.completed */
            r->cut = CUT_EOF;
        } else if (pp->message && !strncmp(pp->message, "Transport error", 15)) {
            r->cut = CUT_ABORT; /* the connection drops mid-body */
            r->cut_after = 5;
            serve_item *it = arena_alloc(&b->p->mem, sizeof *it);
            it->kind = SI_MESSAGE;
            it->text = "This stream is always cut.";
            it->text_len = strlen(it->text);
            r->items = it;
            r->n_items = 1;
        } else {
            r->final = FINAL_FAILED;
            r->error_code = "server_error";
            r->error_message =
                or_default(pp->message, "An error occurred while processing your request.");
        }
    } else if (!strcmp(n, "idle_timeout")) {
        r->kind = RESP_HANG;
        r->hang_ms = 600000;
    } else if (!strcmp(n, "connection_failed")) {
        r->kind = RESP_CLOSE;
    } else { /* missing_env_var, missing_api_key, workspace_out_of_credits, spend_cap */
        r->status = 500;
        error_body(&x, "codex-mock serve: this failure is not answered by a server", "server_error",
                   NULL);
        json_body(b, r, &x);
        unserved(b, n);
    }
    buf_free(&x);
    return r;
}

/* Failures that happen inside a stream: what the model sent before them goes in that stream. */
static bool stream_failure(const retry_spec *rs) {
    const char *n = rs->kind ? rs->kind->name : "stream_closed";
    return !strcmp(n, "stream_closed") || !strcmp(n, "stream_error") ||
           !strcmp(n, "context_window_exceeded");
}

static void retry_step(builder *b, const retry_spec *rs) {
    int hidden = rs->hidden_retries > 0 ? rs->hidden_retries : 0;
    int n = rs->fail           ? -1 /* terminal: every request from here on */
            : rs->hidden_only  ? hidden
            : rs->attempts < 0 ? -1
                               : rs->attempts * (hidden + 1);
    if (n == 0) return;
    retry_spec five;
    if (rs->hidden_only && !rs->kind) {
        five = *rs;
        five.kind = failure_find("server_error_500", 16);
        rs = &five;
    }
    if (b->open && stream_failure(rs)) {
        /* the first failing stream carries the items before it, then fails or is dropped */
        serve_response *r = failure_response(b, rs, 1);
        bool drop = r->cut == CUT_ABORT; /* dropped after the items, not after a filler */
        size_t keep_n = drop ? 0 : r->n_items;
        serve_item *items = arena_alloc(&b->p->mem, (b->n_items + keep_n) * sizeof *items);
        memcpy(items, b->items, b->n_items * sizeof *items);
        if (keep_n) memcpy(items + b->n_items, r->items, keep_n * sizeof *items);
        r->items = items;
        r->n_items = b->n_items + keep_n;
        if (drop) r->cut_after = -1, r->final = FINAL_NONE;
        b->n_items = 0;
        b->open = b->tool_call = false;
        if (n == 1) return;
        n = n < 0 ? -1 : n - 1;
    } else {
        close_response(b, NULL, false);
    }
    failure_response(b, rs, n);
}

void serve_plan_build(const scenario *sc, int64_t now_unix, serve_plan *out) {
    memset(out, 0, sizeof *out);
    arena_init(&out->mem);
    out->model = sc->cli.model ? sc->cli.model : "gpt-5.5";
    builder b = {.p = out, .now_unix = now_unix};
    for (size_t t = 0; t < sc->n_turns; t++) {
        const turn *tu = &sc->turns[t];
        b.turn = (int)t;
        b.turn_began = false;
        b.last_call = false;
        for (size_t i = 0; i < tu->n_steps; i++) {
            const step *s = &tu->steps[i];
            b.line = s->line;
            switch (s->kind) {
            case STEP_ITEM:
            case STEP_TODO_LIST: {
                const item *it = &s->u.item;
                if (it->type == ITEM_AGENT_MESSAGE || it->type == ITEM_REASONING ||
                    it->type == ITEM_WEB_SEARCH)
                    model_item(&b, it);
                else if (it->type == ITEM_COMMAND_EXECUTION || it->type == ITEM_FILE_CHANGE ||
                         it->type == ITEM_MCP_TOOL_CALL || it->type == ITEM_TODO_LIST)
                    tool_call_item(&b, it);
                else
                    unserved(&b, ITEM_TYPE_NAMES[it->type]); /* error, collab: CLI-side */
                break;
            }
            case STEP_USAGE:
                close_response(&b, &s->u.usage, true);
                break;
            case STEP_SLEEP:
                if (s->u.sleep < 0) {
                    close_response(&b, NULL, false);
                    serve_response *r = push_response(&b);
                    r->kind = RESP_HANG;
                    r->repeat = -1;
                    r->hang_ms = INT64_MAX / 1000000;
                } else {
                    serve_item *si = push_item(&b, SI_SLEEP);
                    si->sleep_ms = s->u.sleep / 1000000;
                }
                break;
            case STEP_RETRY:
                retry_step(&b, s->u.retry);
                break;
            case STEP_EVENT:
                unserved(&b, "event");
                break;
            case STEP_STDERR:
                unserved(&b, "stderr");
                break;
            case STEP_RAW:
                unserved(&b, "raw");
                break;
            case STEP_EXIT:
                unserved(&b, "exit");
                break;
            case STEP_SIGNAL:
                unserved(&b, "signal");
                break;
            case STEP_CLOSE_STDOUT:
                unserved(&b, "close_stdout");
                break;
            case STEP_MODEL_REQUEST:
                unserved(&b, "model_request");
                break;
            case STEP_SERVER_REQUEST: /* the app-server's own request to its client */
                unserved(&b, "a server request step");
                break;
            }
        }
        /* the turn's last response: whatever is left, or an empty one if it asked for none */
        b.line = tu->line;
        close_response(&b, NULL, !b.turn_began);
        if (b.last_call) close_response(&b, NULL, true); /* the call's output gets an answer */
    }
    free(b.items);
}

void serve_plan_free(serve_plan *p) {
    free(p->v);
    arena_free(&p->mem);
    memset(p, 0, sizeof *p);
}

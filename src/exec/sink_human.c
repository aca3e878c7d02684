#include "sink_human.h"

#include <stdio.h>
#include <string.h>

/* SGR codes of the styles the real CLI uses (owo-colors: a nested style opens outer first). */
#define BOLD "1"
#define DIM "2"
#define ITALIC "3"
#define RED "31"
#define GREEN "32"
#define YELLOW "33"
#define MAGENTA "35"
#define CYAN "36"

enum { MAX_OUTPUT_LINES = 20 };

static const char BWRAP_WARNING[] =
    "warning: Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package "
    "manager. See the sandbox prerequisites: "
    "https://developers.openai.com/codex/concepts/sandboxing#prerequisites. Codex will use the "
    "bundled bubblewrap in the meantime.\n";

/* `text` in one style (or two, outer first), or plain without colour. */
static void styled2(const human_state *st, buf *b, const char *outer, const char *inner,
                    const char *text, size_t len) {
    if (st->o.color && outer) buf_printf(b, "\x1b[%sm", outer);
    if (st->o.color && inner) buf_printf(b, "\x1b[%sm", inner);
    buf_append(b, text, len);
    if (st->o.color && inner) buf_puts(b, "\x1b[0m");
    if (st->o.color && outer) buf_puts(b, "\x1b[0m");
}

static void styled(const human_state *st, buf *b, const char *style, const char *text) {
    styled2(st, b, style, NULL, text, strlen(text));
}

static void put_m(buf *b, mstr s) {
    if (s.ptr) buf_append(b, s.ptr, s.len);
}

void human_thousands(buf *b, int64_t v) {
    char digits[32];
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(digits, sizeof digits, "%llu", u);
    if (v < 0) buf_putc(b, '-');
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) buf_putc(b, ',');
        buf_putc(b, digits[i]);
    }
}

void human_error_text(buf *b, const char *msg, size_t len) {
    static const char RECONNECT[] = "Reconnecting... ";
    size_t rl = sizeof RECONNECT - 1;
    if (len > rl && memcmp(msg, RECONNECT, rl) == 0 && msg[len - 1] == ')') {
        for (size_t i = rl; i + 1 < len; i++)
            if (msg[i] == ' ' && msg[i + 1] == '(') {
                buf_append(b, msg, i);
                return;
            }
    }
    buf_append(b, msg, len);
}

static void header_row(const human_state *st, buf *err, const char *key, const char *value) {
    char k[64];
    snprintf(k, sizeof k, "%s:", key);
    styled(st, err, BOLD, k);
    buf_printf(err, " %s\n", value ? value : "");
}

static void header(const human_state *st, const event *ev, buf *err) {
    const human_opts *o = &st->o;
    buf_printf(err, "OpenAI Codex v%s%s\n--------\n", o->version ? o->version : "",
               o->research_preview ? " (research preview)" : "");
    header_row(st, err, "workdir", o->workdir);
    header_row(st, err, "model", o->model);
    header_row(st, err, "provider", o->provider);
    header_row(st, err, "approval", o->approval);
    header_row(st, err, "sandbox", o->sandbox);
    header_row(st, err, "reasoning effort", o->reasoning_effort);
    header_row(st, err, "reasoning summaries", o->reasoning_summaries);
    char id[128];
    snprintf(id, sizeof id, "%.*s", (int)ev->thread_id.len,
             ev->thread_id.ptr ? ev->thread_id.ptr : "");
    header_row(st, err, "session id", id);
    buf_puts(err, "--------\n");
    styled(st, err, CYAN, "user");
    buf_putc(err, '\n');
    buf_puts(err, o->prompt ? o->prompt : "");
    buf_putc(err, '\n');
    if (o->bwrap_warning) {
        styled2(st, err, BOLD, YELLOW, "warning:", 8);
        buf_puts(err, BWRAP_WARNING + 8);
    }
}

static void plan(const human_state *st, const item *it, buf *err) {
    if (it->u.todo.explanation.ptr && it->u.todo.explanation.len) {
        styled2(st, err, ITALIC, NULL, it->u.todo.explanation.ptr, it->u.todo.explanation.len);
        buf_putc(err, '\n');
    }
    for (size_t i = 0; i < it->u.todo.n; i++) {
        const todo_entry *e = &it->u.todo.v[i];
        buf_puts(err, "  ");
        switch (e->status) {
        case TODO_COMPLETED:
            styled(st, err, GREEN, "\u2713");
            buf_putc(err, ' ');
            put_m(err, e->text);
            break;
        case TODO_IN_PROGRESS:
            styled(st, err, CYAN, "\u2192");
            buf_putc(err, ' ');
            put_m(err, e->text);
            break;
        case TODO_PENDING:
            styled(st, err, DIM, "\u2022");
            buf_putc(err, ' ');
            styled2(st, err, DIM, NULL, e->text.ptr ? e->text.ptr : "", e->text.len);
            break;
        }
        buf_putc(err, '\n');
    }
}

static void mcp_line(const item *it, buf *err, const char *what) {
    buf_puts(err, "mcp: ");
    put_m(err, it->u.mcp->server);
    buf_putc(err, '/');
    put_m(err, it->u.mcp->tool);
    buf_printf(err, " %s\n", what);
}

static void item_started(const human_state *st, const item *it, buf *err) {
    switch (it->type) {
    case ITEM_COMMAND_EXECUTION:
        styled2(st, err, MAGENTA, ITALIC, "exec", 4);
        buf_putc(err, '\n');
        styled2(st, err, BOLD, NULL, it->u.cmd.command.ptr ? it->u.cmd.command.ptr : "",
                it->u.cmd.command.len);
        buf_printf(err, " in %s\n", st->o.workdir ? st->o.workdir : "");
        break;
    case ITEM_FILE_CHANGE:
        styled2(st, err, MAGENTA, ITALIC, "apply patch", 11);
        buf_putc(err, '\n');
        break;
    case ITEM_MCP_TOOL_CALL:
        mcp_line(it, err, "started");
        break;
    case ITEM_WEB_SEARCH:
        buf_puts(err, "web search: ");
        put_m(err, it->u.ws.query);
        buf_putc(err, '\n');
        break;
    case ITEM_TODO_LIST:
        plan(st, it, err);
        break;
    default:
        break;
    }
}

/* Up to 20 lines of output (Rust's str::lines: "\n" or "\r\n" ends a line, no empty last
 * line), then a blank line. */
static void command_output(const human_state *st, mstr out, buf *err) {
    const char *p = out.ptr ? out.ptr : "";
    size_t n = out.len, lines = 0;
    buf body;
    buf_init(&body);
    while (n && lines < MAX_OUTPUT_LINES) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        size_t shown = len && p[len - 1] == '\r' && nl ? len - 1 : len;
        if (lines) buf_putc(&body, '\n');
        buf_append(&body, p, shown);
        lines++;
        if (!nl) break;
        p = nl + 1;
        n -= len + 1;
    }
    if (body.len) styled2(st, err, DIM, NULL, body.data, body.len);
    buf_free(&body);
    if (lines) buf_putc(err, '\n');
    buf_putc(err, '\n');
}

static void item_completed(const human_state *st, const item *it, buf *err) {
    switch (it->type) {
    case ITEM_AGENT_MESSAGE:
        styled2(st, err, MAGENTA, ITALIC, "codex", 5);
        buf_putc(err, '\n');
        put_m(err, it->u.text.text);
        buf_putc(err, '\n');
        break;
    case ITEM_REASONING:
        styled2(st, err, DIM, NULL, it->u.text.text.ptr ? it->u.text.text.ptr : "",
                it->u.text.text.len);
        buf_putc(err, '\n');
        break;
    case ITEM_COMMAND_EXECUTION: {
        long long code = it->u.cmd.has_exit_code ? (long long)it->u.cmd.exit_code : -1;
        long long took = (long long)(it->u.cmd.duration_ns / 1000000);
        char title[96];
        if (code == 0)
            snprintf(title, sizeof title, " succeeded in %lldms:", took);
        else
            snprintf(title, sizeof title, " exited %lld in %lldms:", code, took);
        styled(st, err, code == 0 ? GREEN : RED, title);
        buf_putc(err, '\n');
        command_output(st, it->u.cmd.output, err);
        break;
    }
    case ITEM_FILE_CHANGE: {
        bool ok = it->status != STATUS_FAILED;
        styled(st, err, ok ? GREEN : RED, ok ? "patch: completed" : "patch: failed");
        buf_putc(err, '\n');
        for (size_t i = 0; i < it->u.fc.n; i++) {
            put_m(err, it->u.fc.v[i].path);
            buf_putc(err, '\n');
        }
        if (it->u.fc.diff.ptr) {
            put_m(err, it->u.fc.diff);
            buf_putc(err, '\n');
        }
        break;
    }
    case ITEM_MCP_TOOL_CALL:
        mcp_line(it, err, it->status == STATUS_FAILED ? "(failed)" : "(completed)");
        break;
    case ITEM_WEB_SEARCH:
        buf_puts(err, "web search: ");
        put_m(err, it->u.ws.query);
        buf_putc(err, '\n');
        break;
    case ITEM_ERROR:
        styled2(st, err, BOLD, YELLOW, "warning:", 8);
        buf_putc(err, ' ');
        put_m(err, it->u.text.text);
        buf_putc(err, '\n');
        break;
    default: /* todo_list completion, collab calls: nothing */
        break;
    }
}

static void error_line(const human_state *st, buf *err, mstr msg, bool strip_cause) {
    styled(st, err, RED, "ERROR:");
    buf_putc(err, ' ');
    if (strip_cause)
        human_error_text(err, msg.ptr ? msg.ptr : "", msg.len);
    else
        put_m(err, msg);
    buf_putc(err, '\n');
}

static void human_event(void *ctx, const event *ev, buf *out, buf *err) {
    (void)out;
    const human_state *st = ctx;
    switch (ev->type) {
    case EV_THREAD_STARTED:
        header(st, ev, err);
        break;
    case EV_ITEM_STARTED:
        item_started(st, &ev->item, err);
        break;
    case EV_ITEM_UPDATED:
        if (ev->item.type == ITEM_TODO_LIST) plan(st, &ev->item, err);
        break;
    case EV_ITEM_COMPLETED:
        item_completed(st, &ev->item, err);
        break;
    case EV_ERROR:
        error_line(st, err, ev->message, true);
        break;
    case EV_TURN_FAILED:
        error_line(st, err, ev->message, false);
        break;
    case EV_TURN_COMPLETED: {
        styled(st, err, DIM, "tokens used");
        buf_putc(err, '\n');
        const usage *u = &ev->usage;
        human_thousands(err, u->input_tokens - u->cached_input_tokens + u->output_tokens);
        buf_putc(err, '\n');
        break;
    }
    default:
        break;
    }
}

static void human_end(void *ctx, const play_end *end, buf *out, buf *err) {
    (void)ctx;
    if (end->reason == END_INTERRUPTED) {
        buf_puts(err, "turn interrupted\n");
        return;
    }
    /* stdout carries only the final message and a newline, and only on success */
    if (end->reason == END_EXIT && end->turn_completed && !end->turn_failed && end->final_message) {
        buf_append(out, end->final_message, end->final_len);
        buf_putc(out, '\n');
    }
}

sink sink_human(void) {
    return (sink){NULL, NULL, human_end, NULL};
}

sink sink_human_full(human_state *st, const human_opts *o) {
    st->o = *o;
    return (sink){st, human_event, human_end, NULL};
}

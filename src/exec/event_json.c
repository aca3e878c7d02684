#include "event_json.h"
#include "jsonw.h"

/* Keys and enum names here are plain ASCII identifiers: written without the escaping scan
 * (event lines are the hot path of a long replay). */
static inline void plain_key(buf *b, const char *key) {
    buf_putc(b, '"');
    buf_puts(b, key);
    buf_append(b, "\":", 2);
}

static inline void plain_string(buf *b, const char *s) {
    buf_putc(b, '"');
    buf_puts(b, s);
    buf_putc(b, '"');
}

static void str_field(buf *b, const char *key, mstr s) {
    buf_putc(b, ',');
    plain_key(b, key);
    jsonw_string(b, s.ptr ? s.ptr : "", s.len);
}

static void nullable_str_field(buf *b, const char *key, mstr s) {
    buf_putc(b, ',');
    plain_key(b, key);
    if (s.ptr)
        jsonw_string(b, s.ptr, s.len);
    else
        jsonw_null(b);
}

static void status_field(buf *b, item_status st) {
    buf_putc(b, ',');
    plain_key(b, "status");
    plain_string(b, ITEM_STATUS_NAMES[st == STATUS_NONE ? STATUS_COMPLETED : st]);
}

void item_write_json(buf *b, const item *it) {
    buf_putc(b, '{');
    plain_key(b, "id");
    jsonw_string(b, it->id.ptr ? it->id.ptr : "", it->id.len);
    buf_putc(b, ',');
    plain_key(b, "type");
    plain_string(b, ITEM_TYPE_NAMES[it->type]);
    switch (it->type) {
    case ITEM_AGENT_MESSAGE:
    case ITEM_REASONING:
        str_field(b, "text", it->u.text.text);
        break;
    case ITEM_ERROR:
        str_field(b, "message", it->u.text.text);
        break;
    case ITEM_COMMAND_EXECUTION:
        str_field(b, "command", it->u.cmd.command);
        str_field(b, "aggregated_output", it->u.cmd.output);
        buf_putc(b, ',');
        plain_key(b, "exit_code");
        if (it->u.cmd.has_exit_code)
            jsonw_int(b, it->u.cmd.exit_code);
        else
            jsonw_null(b);
        status_field(b, it->status);
        break;
    case ITEM_FILE_CHANGE:
        buf_putc(b, ',');
        plain_key(b, "changes");
        buf_putc(b, '[');
        for (size_t i = 0; i < it->u.fc.n; i++) {
            if (i) buf_putc(b, ',');
            buf_putc(b, '{');
            plain_key(b, "path");
            jsonw_string(b, it->u.fc.v[i].path.ptr, it->u.fc.v[i].path.len);
            buf_putc(b, ',');
            plain_key(b, "kind");
            plain_string(b, CHANGE_KIND_NAMES[it->u.fc.v[i].kind]);
            buf_putc(b, '}');
        }
        buf_putc(b, ']');
        status_field(b, it->status);
        break;
    case ITEM_MCP_TOOL_CALL:
        str_field(b, "server", it->u.mcp->server);
        str_field(b, "tool", it->u.mcp->tool);
        buf_putc(b, ',');
        plain_key(b, "arguments");
        if (it->u.mcp->arguments)
            jval_write(b, it->u.mcp->arguments);
        else
            buf_puts(b, "{}");
        buf_putc(b, ',');
        plain_key(b, "result");
        jval_write(b, it->u.mcp->result); /* NULL → null */
        buf_putc(b, ',');
        plain_key(b, "error");
        if (it->u.mcp->error.ptr) {
            buf_putc(b, '{');
            plain_key(b, "message");
            jsonw_string(b, it->u.mcp->error.ptr, it->u.mcp->error.len);
            buf_putc(b, '}');
        } else {
            jsonw_null(b);
        }
        status_field(b, it->status);
        break;
    case ITEM_WEB_SEARCH:
        /* The real line carries "id" twice: the item id, then the provider's search id. */
        str_field(b, "id", it->u.ws.search_id);
        str_field(b, "query", it->u.ws.query);
        buf_putc(b, ',');
        plain_key(b, "action");
        if (it->u.ws.action) {
            jval_write(b, it->u.ws.action);
        } else {
            buf_putc(b, '{');
            plain_key(b, "type");
            plain_string(b, "search");
            str_field(b, "query", it->u.ws.query);
            buf_putc(b, '}');
        }
        break;
    case ITEM_TODO_LIST:
        buf_putc(b, ',');
        plain_key(b, "items");
        buf_putc(b, '[');
        for (size_t i = 0; i < it->u.todo.n; i++) {
            if (i) buf_putc(b, ',');
            buf_putc(b, '{');
            plain_key(b, "text");
            jsonw_string(b, it->u.todo.v[i].text.ptr, it->u.todo.v[i].text.len);
            buf_putc(b, ',');
            plain_key(b, "completed");
            jsonw_bool(b, it->u.todo.v[i].completed);
            buf_putc(b, '}');
        }
        buf_putc(b, ']');
        break;
    case ITEM_COLLAB_TOOL_CALL:
        str_field(b, "tool", it->u.collab->tool);
        str_field(b, "sender_thread_id", it->u.collab->sender);
        buf_putc(b, ',');
        plain_key(b, "receiver_thread_ids");
        buf_putc(b, '[');
        for (size_t i = 0; i < it->u.collab->n_receivers; i++) {
            if (i) buf_putc(b, ',');
            jsonw_string(b, it->u.collab->receivers[i].ptr, it->u.collab->receivers[i].len);
        }
        buf_putc(b, ']');
        nullable_str_field(b, "prompt", it->u.collab->prompt);
        buf_putc(b, ',');
        plain_key(b, "agents_states");
        buf_putc(b, '{');
        for (size_t i = 0; i < it->u.collab->n_states; i++) {
            const agent_state *s = &it->u.collab->states[i];
            if (i) buf_putc(b, ',');
            jsonw_string(b, s->thread_id.ptr, s->thread_id.len);
            buf_putc(b, ':');
            buf_putc(b, '{');
            plain_key(b, "status");
            jsonw_cstring(b, s->status);
            nullable_str_field(b, "message", s->message);
            buf_putc(b, '}');
        }
        buf_putc(b, '}');
        status_field(b, it->status);
        break;
    case ITEM_TYPE_COUNT:
        break;
    }
    buf_putc(b, '}');
}

void usage_write_json(buf *b, const usage *u) {
    buf_printf(b,
               "{\"input_tokens\":%lld,\"cached_input_tokens\":%lld,\"cache_write_input_tokens\":"
               "%lld,\"output_tokens\":%lld,\"reasoning_output_tokens\":%lld}",
               (long long)u->input_tokens, (long long)u->cached_input_tokens,
               (long long)u->cache_write_input_tokens, (long long)u->output_tokens,
               (long long)u->reasoning_output_tokens);
}

void event_write_json(buf *b, const event *ev) {
    buf_puts(b, "{\"type\":");
    plain_string(b, EVENT_TYPE_NAMES[ev->type]);
    switch (ev->type) {
    case EV_THREAD_STARTED:
        str_field(b, "thread_id", ev->thread_id);
        break;
    case EV_TURN_STARTED:
        break;
    case EV_ITEM_STARTED:
    case EV_ITEM_UPDATED:
    case EV_ITEM_COMPLETED:
        buf_puts(b, ",\"item\":");
        item_write_json(b, &ev->item);
        break;
    case EV_TURN_COMPLETED:
        buf_puts(b, ",\"usage\":");
        usage_write_json(b, &ev->usage);
        break;
    case EV_TURN_FAILED:
        buf_puts(b, ",\"error\":{\"message\":");
        jsonw_string(b, ev->message.ptr ? ev->message.ptr : "", ev->message.len);
        buf_putc(b, '}');
        break;
    case EV_ERROR:
        str_field(b, "message", ev->message);
        break;
    case EV_TYPE_COUNT:
        break;
    }
    buf_puts(b, "}\n");
}

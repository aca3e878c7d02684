/* as_items — see as_items.h. */
#include "as_items.h"

#include "jsonw.h"
#include "jval.h"

#include <string.h>

static void mstr_json(buf *b, mstr s) {
    jsonw_string(b, s.ptr ? s.ptr : "", s.len);
}

static void mstr_or_null(buf *b, mstr s) {
    if (s.ptr)
        jsonw_string(b, s.ptr, s.len);
    else
        buf_puts(b, "null");
}

static bool is(const jval *v, const char *a, const char *b) {
    return v && v->kind == JV_STRING && (!strcmp(v->s, a) || (b && !strcmp(v->s, b)));
}

/* One member of the scenario's action, or null. */
static void member(buf *b, const char *key, const jval *action) {
    buf_printf(b, ",\"%s\":", key);
    const jval *v = jval_get(action, key);
    if (v)
        jval_write(b, v);
    else
        buf_puts(b, "null");
}

/* The Responses API action (exec's form: search / open_page / find_in_page) as the app-server's
 * WebSearchAction: camelCase type, every field present (null when absent). */
static void action_json(buf *b, const item *it) {
    const jval *a = it->u.ws.action;
    const jval *type = a && a->kind == JV_OBJECT ? jval_get(a, "type") : NULL;
    if (!a) {
        buf_puts(b, "{\"type\":\"search\",\"query\":");
        mstr_json(b, it->u.ws.query);
        buf_puts(b, ",\"queries\":null}");
    } else if (is(type, "search", NULL)) {
        buf_puts(b, "{\"type\":\"search\"");
        member(b, "query", a);
        member(b, "queries", a);
        buf_putc(b, '}');
    } else if (is(type, "open_page", "openPage")) {
        buf_puts(b, "{\"type\":\"openPage\"");
        member(b, "url", a);
        buf_putc(b, '}');
    } else if (is(type, "find_in_page", "findInPage")) {
        buf_puts(b, "{\"type\":\"findInPage\"");
        member(b, "url", a);
        member(b, "pattern", a);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "{\"type\":\"other\"}");
    }
}

mstr asi_web_search_id(const item *it) {
    return it->u.ws.search_id.ptr ? it->u.ws.search_id : it->id;
}

void asi_web_search(buf *b, const item *it, bool done) {
    buf_puts(b, "{\"type\":\"webSearch\",\"id\":");
    mstr_json(b, asi_web_search_id(it));
    buf_puts(b, ",\"query\":");
    if (done)
        mstr_json(b, it->u.ws.query);
    else
        buf_puts(b, "\"\"");
    buf_puts(b, ",\"action\":");
    if (done)
        action_json(b, it);
    else
        buf_puts(b, "{\"type\":\"other\"}");
    buf_puts(b, ",\"results\":null");
}

void asi_plan_updated(buf *b, const char *thread_id, const char *turn_id, const item *it) {
    static const char *const STATUS[] = {"pending", "inProgress", "completed"};
    buf_puts(b, "{\"threadId\":");
    jsonw_cstring(b, thread_id);
    buf_puts(b, ",\"turnId\":");
    jsonw_cstring(b, turn_id);
    buf_puts(b, ",\"explanation\":");
    mstr_or_null(b, it->u.todo.explanation);
    buf_puts(b, ",\"plan\":[");
    for (size_t i = 0; i < it->u.todo.n; i++) {
        const todo_entry *e = &it->u.todo.v[i];
        if (i) buf_putc(b, ',');
        buf_puts(b, "{\"step\":");
        mstr_json(b, e->text);
        buf_printf(b, ",\"status\":\"%s\"}", STATUS[e->status]);
    }
    buf_puts(b, "]}");
}

/* snake_case → camelCase (spawn_agent → spawnAgent, not_found → notFound). */
static void camel(buf *b, const char *s, size_t n) {
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_' && i + 1 < n) {
            char c = s[++i];
            buf_putc(b, c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
        } else {
            buf_putc(b, s[i]);
        }
    }
    buf_putc(b, '"');
}

void asi_collab(buf *b, const item *it, const char *id, bool done) {
    const collab_call *c = it->u.collab;
    buf_puts(b, "{\"type\":\"collabAgentToolCall\",\"id\":");
    jsonw_cstring(b, id);
    buf_puts(b, ",\"tool\":");
    camel(b, c->tool.ptr ? c->tool.ptr : "", c->tool.len);
    buf_puts(b, ",\"status\":");
    buf_puts(b, !done                         ? "\"inProgress\""
                : it->status == STATUS_FAILED ? "\"failed\""
                                              : "\"completed\"");
    buf_puts(b, ",\"senderThreadId\":");
    mstr_json(b, c->sender);
    /* started: a spawn has no receiver yet, and no agent state is known before the call ends */
    bool spawn = c->tool.len == 11 && !memcmp(c->tool.ptr, "spawn_agent", 11);
    buf_puts(b, ",\"receiverThreadIds\":[");
    for (size_t i = 0; i < (done || !spawn ? c->n_receivers : 0); i++) {
        if (i) buf_putc(b, ',');
        mstr_json(b, c->receivers[i]);
    }
    buf_puts(b, "],\"prompt\":");
    mstr_or_null(b, c->prompt);
    buf_puts(b, ",\"model\":null,\"reasoningEffort\":null,\"agentsStates\":{");
    for (size_t i = 0; i < (done ? c->n_states : 0); i++) {
        const agent_state *s = &c->states[i];
        if (i) buf_putc(b, ',');
        mstr_json(b, s->thread_id);
        buf_puts(b, ":{\"status\":");
        camel(b, s->status, strlen(s->status));
        buf_puts(b, ",\"message\":");
        mstr_or_null(b, s->message);
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
}

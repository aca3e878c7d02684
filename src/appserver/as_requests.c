/* as_requests — see as_requests.h. */
#include "as_requests.h"

#include "jsonw.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int member_cmp(const void *a, const void *b) {
    const jmember *x = *(const jmember *const *)a, *y = *(const jmember *const *)b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

void asr_mcp_elicitation(buf *b, const char *thread_id, const char *turn_id, const char *server,
                         size_t server_len, const char *tool, size_t tool_len,
                         const jval *arguments) {
    buf_puts(b, "{\"threadId\":");
    jsonw_cstring(b, thread_id);
    buf_puts(b, ",\"turnId\":");
    jsonw_cstring(b, turn_id);
    buf_puts(b, ",\"serverName\":");
    jsonw_string(b, server, server_len);
    buf_puts(b, ",\"environmentId\":null,\"mode\":\"form\",\"_meta\":{"
                "\"codex_approval_kind\":\"mcp_tool_call\",\"persist\":[\"session\",\"always\"]");
    if (arguments) {
        buf_puts(b, ",\"tool_params\":");
        jval_write(b, arguments);
    }
    if (arguments && arguments->kind == JV_OBJECT) {
        /* the arguments by name (a stable sort: a repeated key keeps its order) */
        const jmember **m = calloc(arguments->n ? arguments->n : 1, sizeof *m);
        if (!m) abort();
        for (size_t i = 0; i < arguments->n; i++)
            m[i] = &arguments->members[i];
        for (size_t i = 1; i < arguments->n; i++)
            for (size_t j = i; j > 0 && member_cmp(&m[j - 1], &m[j]) > 0; j--) {
                const jmember *t = m[j];
                m[j] = m[j - 1];
                m[j - 1] = t;
            }
        buf_puts(b, ",\"tool_params_display\":[");
        for (size_t i = 0; i < arguments->n; i++) {
            if (i) buf_putc(b, ',');
            buf_puts(b, "{\"name\":");
            jsonw_string(b, m[i]->key, m[i]->key_len);
            buf_puts(b, ",\"value\":");
            jval_write(b, m[i]->value);
            buf_puts(b, ",\"display_name\":");
            jsonw_string(b, m[i]->key, m[i]->key_len);
            buf_putc(b, '}');
        }
        buf_putc(b, ']');
        free(m);
    }
    buf_puts(b, "},\"message\":");
    buf msg;
    buf_init(&msg);
    buf_puts(&msg, "Allow the ");
    buf_append(&msg, server, server_len);
    buf_puts(&msg, " MCP server to run tool \"");
    buf_append(&msg, tool, tool_len);
    buf_puts(&msg, "\"?");
    jsonw_string(b, msg.data, msg.len);
    buf_free(&msg);
    buf_puts(b, ",\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}");
}

asr_mcp_answer asr_mcp_read(const cJSON *result, const char **journaled) {
    const cJSON *a = result ? cJSON_GetObjectItemCaseSensitive(result, "action") : NULL;
    if (!result) {
        *journaled = "error";
        return ASR_MCP_CANCEL;
    }
    if (!cJSON_IsString(a)) {
        *journaled = "invalid";
        return ASR_MCP_CANCEL;
    }
    if (!strcmp(a->valuestring, "accept")) {
        *journaled = "accept";
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(result, "_meta");
        const cJSON *p =
            cJSON_IsObject(meta) ? cJSON_GetObjectItemCaseSensitive(meta, "persist") : NULL;
        if (cJSON_IsString(p) &&
            (!strcmp(p->valuestring, "session") || !strcmp(p->valuestring, "always"))) {
            *journaled = "acceptForSession";
            return ASR_MCP_SESSION;
        }
        return ASR_MCP_ACCEPT;
    }
    if (!strcmp(a->valuestring, "decline")) {
        *journaled = "decline";
        return ASR_MCP_DECLINE;
    }
    if (!strcmp(a->valuestring, "cancel")) {
        *journaled = "cancel";
        return ASR_MCP_CANCEL;
    }
    *journaled = "invalid";
    return ASR_MCP_CANCEL;
}

void asr_journal(buf *list, int err_fd, const asr_entry *e) {
    if (list->len) buf_putc(list, ',');
    buf_printf(list, "{\"request_id\":%lld,\"method\":", (long long)e->request_id);
    jsonw_cstring(list, e->method);
    buf_puts(list, ",\"item_id\":");
    if (e->item_id)
        jsonw_cstring(list, e->item_id);
    else
        buf_puts(list, "null");
    buf_puts(list, ",\"type\":");
    jsonw_cstring(list, e->type);
    buf_puts(list, ",\"subject\":");
    jsonw_string(list, e->subject ? e->subject : "", e->subject ? e->subject_len : 0);
    buf_puts(list, ",\"decision\":");
    if (e->decision)
        jsonw_cstring(list, e->decision);
    else
        buf_puts(list, "null");
    if (e->answer) {
        buf_puts(list, ",\"answer\":");
        buf_puts(list, e->answer);
    }
    buf_puts(list, ",\"latency_ms\":");
    if (e->latency_ns >= 0)
        buf_printf(list, "%.1f", (double)e->latency_ns / 1e6);
    else
        buf_puts(list, "null");
    if (e->timed_out) buf_puts(list, ",\"timed_out\":true");
    if (e->expected) {
        buf_puts(list, ",\"expected\":");
        jsonw_cstring(list, e->expected);
    }
    buf_putc(list, '}');
    if (e->expected && e->decision && strcmp(e->expected, e->decision)) {
        buf n;
        buf_init(&n);
        buf_printf(&n, "codex-mock: server request %lld (%s ", (long long)e->request_id, e->method);
        buf_append(&n, e->subject ? e->subject : "", e->subject ? e->subject_len : 0);
        buf_printf(&n, ") was answered %s; the scenario expects %s\n", e->decision, e->expected);
        ssize_t w = write(err_fd, n.data, n.len);
        (void)w;
        buf_free(&n);
    }
}

/* `key` of an object jval as a JSON string, else null. */
static void str_or_null(buf *b, const jval *obj, const char *key) {
    const jval *v = obj ? jval_get(obj, key) : NULL;
    if (v && v->kind == JV_STRING)
        jsonw_string(b, v->s, v->len);
    else
        buf_puts(b, "null");
}

/* The value of `key` as JSON, `{}` when the step has none. */
static void json_or_empty_object(buf *b, const jval *obj, const char *key) {
    const jval *v = obj ? jval_get(obj, key) : NULL;
    if (v)
        jval_write(b, v);
    else
        buf_puts(b, "{}");
}

static bool flag(const jval *obj, const char *snake, const char *camel) {
    const jval *v = jval_get(obj, snake);
    if (!v) v = jval_get(obj, camel);
    return v && v->kind == JV_BOOL && v->b;
}

void asr_user_input(buf *b, const char *thread_id, const char *turn_id, const char *item_id,
                    const jval *body) {
    buf_puts(b, "{\"threadId\":");
    jsonw_cstring(b, thread_id);
    buf_puts(b, ",\"turnId\":");
    jsonw_cstring(b, turn_id);
    buf_puts(b, ",\"itemId\":");
    jsonw_cstring(b, item_id);
    buf_puts(b, ",\"questions\":[");
    const jval *qs = jval_get(body, "questions");
    for (size_t i = 0; qs && qs->kind == JV_ARRAY && i < qs->n; i++) {
        const jval *q = qs->items[i];
        if (i) buf_putc(b, ',');
        buf_puts(b, "{\"id\":");
        str_or_null(b, q, "id");
        buf_puts(b, ",\"header\":");
        str_or_null(b, q, "header");
        buf_puts(b, ",\"question\":");
        str_or_null(b, q, "question");
        buf_printf(b, ",\"isOther\":%s,\"isSecret\":%s,\"options\":",
                   flag(q, "is_other", "isOther") ? "true" : "false",
                   flag(q, "is_secret", "isSecret") ? "true" : "false");
        const jval *opts = q->kind == JV_OBJECT ? jval_get(q, "options") : NULL;
        if (opts && opts->kind == JV_ARRAY) {
            buf_putc(b, '[');
            for (size_t k = 0; k < opts->n; k++) {
                const jval *o = opts->items[k];
                if (k) buf_putc(b, ',');
                buf_puts(b, "{\"label\":");
                if (o->kind == JV_STRING)
                    jsonw_string(b, o->s, o->len);
                else
                    str_or_null(b, o, "label");
                buf_puts(b, ",\"description\":");
                const jval *d = o->kind == JV_OBJECT ? jval_get(o, "description") : NULL;
                if (d && d->kind == JV_STRING)
                    jsonw_string(b, d->s, d->len);
                else
                    buf_puts(b, "\"\"");
                buf_putc(b, '}');
            }
            buf_putc(b, ']');
        } else {
            buf_puts(b, "null");
        }
        buf_putc(b, '}');
    }
    buf_puts(b, "],\"isBlocking\":true,\"autoResolutionMs\":null}");
}

void asr_tool_call(buf *b, const char *thread_id, const char *turn_id, const char *call_id,
                   const jval *body) {
    buf_puts(b, "{\"threadId\":");
    jsonw_cstring(b, thread_id);
    buf_puts(b, ",\"turnId\":");
    jsonw_cstring(b, turn_id);
    buf_puts(b, ",\"callId\":");
    jsonw_cstring(b, call_id);
    buf_puts(b, ",\"namespace\":");
    str_or_null(b, body, "namespace");
    buf_puts(b, ",\"tool\":");
    str_or_null(b, body, "tool");
    buf_puts(b, ",\"arguments\":");
    json_or_empty_object(b, body, "arguments");
    buf_putc(b, '}');
}

void asr_auth_refresh(buf *b, const jval *body) {
    buf_puts(b, "{\"reason\":\"unauthorized\",\"previousAccountId\":");
    str_or_null(b, body, "previous_account_id");
    buf_putc(b, '}');
}

void asr_permissions(buf *b, const char *thread_id, const char *turn_id, const char *item_id,
                     int64_t started_ms, const char *cwd, const jval *body) {
    buf_puts(b, "{\"threadId\":");
    jsonw_cstring(b, thread_id);
    buf_puts(b, ",\"turnId\":");
    jsonw_cstring(b, turn_id);
    buf_puts(b, ",\"itemId\":");
    jsonw_cstring(b, item_id);
    buf_printf(b,
               ",\"startedAtMs\":%lld,\"environmentId\":\"local\",\"cwd\":", (long long)started_ms);
    jsonw_cstring(b, cwd);
    buf_puts(b, ",\"reason\":");
    str_or_null(b, body, "reason");
    buf_puts(b, ",\"permissions\":");
    json_or_empty_object(b, body, "permissions");
    buf_putc(b, '}');
}

void asr_tool_call_item(buf *b, const char *id, const jval *body, bool done, const cJSON *result,
                        int64_t duration_ms) {
    buf_puts(b, "{\"type\":\"dynamicToolCall\",\"id\":");
    jsonw_cstring(b, id);
    buf_puts(b, ",\"namespace\":");
    str_or_null(b, body, "namespace");
    buf_puts(b, ",\"tool\":");
    str_or_null(b, body, "tool");
    buf_puts(b, ",\"arguments\":");
    json_or_empty_object(b, body, "arguments");
    const cJSON *items = result ? cJSON_GetObjectItemCaseSensitive(result, "contentItems") : NULL;
    const cJSON *ok = result ? cJSON_GetObjectItemCaseSensitive(result, "success") : NULL;
    bool success = cJSON_IsTrue(ok);
    buf_puts(b, ",\"status\":");
    buf_puts(b, !done ? "\"inProgress\"" : success ? "\"completed\"" : "\"failed\"");
    buf_puts(b, ",\"contentItems\":");
    if (done && cJSON_IsArray(items)) {
        char *t = cJSON_PrintUnformatted(items);
        buf_puts(b, t ? t : "null");
        free(t);
    } else {
        buf_puts(b, "null");
    }
    buf_puts(b, ",\"success\":");
    buf_puts(b, !done ? "null" : success ? "true" : "false");
    buf_puts(b, ",\"durationMs\":");
    if (done)
        buf_printf(b, "%lld", (long long)duration_ms);
    else
        buf_puts(b, "null");
}

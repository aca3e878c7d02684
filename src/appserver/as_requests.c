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

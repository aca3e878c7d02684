#include "sse.h"

#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    sse_stream *s;
    buf ev;     /* the event being written */
    buf output; /* the done items, comma-separated, for the final response object */
    int seq;
    const char *rid, *model;
    int64_t created_at;
    int limit; /* frames before the cut; -1: none */
} writer;

void sse_frame(buf *b, const char *type, const char *json, size_t len) {
    buf_puts(b, "event: ");
    buf_puts(b, type);
    buf_puts(b, "\ndata: ");
    buf_append(b, json, len);
    buf_puts(b, "\n\n");
}

static void push_chunk(sse_stream *s, size_t off, size_t len, int64_t sleep_ms) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = (sse_chunk){off, len, sleep_ms};
}

/* Starts an event: `{"type":"TYPE"` — the caller adds fields, emit() closes it. */
static void begin(writer *w, const char *type) {
    buf_reset(&w->ev);
    buf_puts(&w->ev, "{\"type\":");
    jsonw_cstring(&w->ev, type);
}

static void emit(writer *w, const char *type) {
    buf_printf(&w->ev, ",\"sequence_number\":%d}", w->seq++);
    if (w->limit >= 0 && (int)w->s->frames >= w->limit) return; /* cut: never sent */
    size_t off = w->s->bytes.len;
    sse_frame(&w->s->bytes, type, w->ev.data, w->ev.len);
    push_chunk(w->s, off, w->s->bytes.len - off, 0);
    w->s->frames++;
}

static void pause_ms(writer *w, int64_t ms) {
    if (w->limit >= 0 && (int)w->s->frames >= w->limit) return;
    push_chunk(w->s, w->s->bytes.len, 0, ms);
}

static void field_str(buf *b, const char *key, const char *s, size_t len) {
    buf_putc(b, ',');
    jsonw_key(b, key);
    jsonw_string(b, s ? s : "", len);
}

static void field_int(buf *b, const char *key, int64_t v) {
    buf_putc(b, ',');
    jsonw_key(b, key);
    jsonw_int(b, v);
}

static void item_ref(writer *w, const char *id, int idx) {
    field_str(&w->ev, "item_id", id, strlen(id));
    field_int(&w->ev, "output_index", idx);
}

void sse_usage_json(buf *b, const usage *u) {
    buf_printf(b,
               "{\"input_tokens\":%lld,\"input_tokens_details\":{\"cached_tokens\":%lld},"
               "\"output_tokens\":%lld,\"output_tokens_details\":{\"reasoning_tokens\":%lld},"
               "\"total_tokens\":%lld}",
               (long long)u->input_tokens, (long long)u->cached_input_tokens,
               (long long)u->output_tokens, (long long)u->reasoning_output_tokens,
               (long long)(u->input_tokens + u->output_tokens));
}

static void response_obj(writer *w, const char *status, const serve_response *r, bool final) {
    buf *b = &w->ev;
    buf_puts(b, ",\"response\":{\"id\":");
    jsonw_cstring(b, w->rid);
    buf_printf(
        b, ",\"object\":\"response\",\"created_at\":%lld,\"status\":", (long long)w->created_at);
    jsonw_cstring(b, status);
    buf_puts(b, ",\"model\":");
    jsonw_cstring(b, w->model);
    buf_puts(b, ",\"output\":[");
    if (final && w->output.len) buf_append(b, w->output.data, w->output.len);
    buf_putc(b, ']');
    if (final) {
        usage zero = {0};
        buf_puts(b, ",\"usage\":");
        sse_usage_json(b, r->has_usage ? &r->use : &zero);
        if (r->final == FINAL_FAILED) {
            buf_puts(b, ",\"error\":{\"code\":");
            jsonw_cstring(b, r->error_code ? r->error_code : "server_error");
            buf_puts(b, ",\"message\":");
            jsonw_cstring(b, r->error_message ? r->error_message : "");
            buf_putc(b, '}');
        } else if (r->final == FINAL_INCOMPLETE) {
            buf_puts(b, ",\"incomplete_details\":{\"reason\":");
            jsonw_cstring(b, r->incomplete_reason ? r->incomplete_reason : "max_output_tokens");
            buf_putc(b, '}');
        }
    }
    buf_putc(b, '}');
}

/* The done item also goes into the final response's output. */
static void item_done(writer *w, int idx, const buf *item) {
    begin(w, "response.output_item.done");
    field_int(&w->ev, "output_index", idx);
    buf_puts(&w->ev, ",\"item\":");
    buf_append(&w->ev, item->data, item->len);
    emit(w, "response.output_item.done");
    if (w->output.len) buf_putc(&w->output, ',');
    buf_append(&w->output, item->data, item->len);
}

static void item_added(writer *w, int idx, const buf *item) {
    begin(w, "response.output_item.added");
    field_int(&w->ev, "output_index", idx);
    buf_puts(&w->ev, ",\"item\":");
    buf_append(&w->ev, item->data, item->len);
    emit(w, "response.output_item.added");
}

/* Text split at spaces into at most four chunks, each word keeping its trailing space. */
static void deltas(writer *w, const char *type, const char *id, int idx, const char *index_key,
                   const char *text, size_t len) {
    if (!len) return;
    size_t words = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == ' ') words++;
    size_t per = words > 4 ? (words + 3) / 4 : 1;
    size_t start = 0, seen = 0;
    for (size_t i = 0; i <= len; i++) {
        bool end_word = i == len || text[i] == ' ';
        if (!end_word) continue;
        seen++;
        if (seen % per != 0 && i != len) continue;
        size_t stop = i == len ? len : i + 1;
        begin(w, type);
        item_ref(w, id, idx);
        if (index_key) field_int(&w->ev, index_key, 0);
        field_str(&w->ev, "delta", text + start, stop - start);
        emit(w, type);
        start = stop;
        if (start >= len) break;
    }
}

static void part(buf *b, const char *type, const char *text, size_t len, bool annotations) {
    buf_puts(b, "{\"type\":");
    jsonw_cstring(b, type);
    if (annotations) buf_puts(b, ",\"annotations\":[]");
    field_str(b, "text", text, len);
    buf_putc(b, '}');
}

static void message(writer *w, const serve_item *it, int idx, const char *id) {
    buf item;
    buf_init(&item);
    buf_puts(&item, "{\"id\":");
    jsonw_cstring(&item, id);
    buf_puts(&item, ",\"type\":\"message\",\"role\":\"assistant\"");
    if (it->phase) field_str(&item, "phase", it->phase, strlen(it->phase));
    size_t head = item.len;
    buf_puts(&item, ",\"status\":\"in_progress\",\"content\":[]}");
    item_added(w, idx, &item);

    begin(w, "response.content_part.added");
    item_ref(w, id, idx);
    buf_puts(&w->ev, ",\"content_index\":0,\"part\":");
    part(&w->ev, "output_text", "", 0, true);
    emit(w, "response.content_part.added");
    deltas(w, "response.output_text.delta", id, idx, "content_index", it->text, it->text_len);
    begin(w, "response.output_text.done");
    item_ref(w, id, idx);
    field_int(&w->ev, "content_index", 0);
    field_str(&w->ev, "text", it->text, it->text_len);
    emit(w, "response.output_text.done");
    begin(w, "response.content_part.done");
    item_ref(w, id, idx);
    buf_puts(&w->ev, ",\"content_index\":0,\"part\":");
    part(&w->ev, "output_text", it->text, it->text_len, true);
    emit(w, "response.content_part.done");

    item.len = head;
    buf_puts(&item, ",\"status\":\"completed\",\"content\":[");
    part(&item, "output_text", it->text, it->text_len, true);
    buf_puts(&item, "]}");
    item_done(w, idx, &item);
    buf_free(&item);
}

static void reasoning(writer *w, const serve_item *it, int idx, const char *id) {
    buf item;
    buf_init(&item);
    buf_puts(&item, "{\"id\":");
    jsonw_cstring(&item, id);
    buf_puts(&item, ",\"type\":\"reasoning\",\"summary\":[]}");
    item_added(w, idx, &item);

    begin(w, "response.reasoning_summary_part.added");
    item_ref(w, id, idx);
    buf_puts(&w->ev, ",\"summary_index\":0,\"part\":");
    part(&w->ev, "summary_text", "", 0, false);
    emit(w, "response.reasoning_summary_part.added");
    deltas(w, "response.reasoning_summary_text.delta", id, idx, "summary_index", it->text,
           it->text_len);
    begin(w, "response.reasoning_summary_text.done");
    item_ref(w, id, idx);
    field_int(&w->ev, "summary_index", 0);
    field_str(&w->ev, "text", it->text, it->text_len);
    emit(w, "response.reasoning_summary_text.done");
    begin(w, "response.reasoning_summary_part.done");
    item_ref(w, id, idx);
    buf_puts(&w->ev, ",\"summary_index\":0,\"part\":");
    part(&w->ev, "summary_text", it->text, it->text_len, false);
    emit(w, "response.reasoning_summary_part.done");

    buf_reset(&item);
    buf_puts(&item, "{\"id\":");
    jsonw_cstring(&item, id);
    buf_puts(&item, ",\"type\":\"reasoning\",\"summary\":[");
    part(&item, "summary_text", it->text, it->text_len, false);
    buf_puts(&item, "],\"encrypted_content\":\"gAAAAA-codex-mock-serve\"}");
    item_done(w, idx, &item);
    buf_free(&item);
}

/* function_call (arguments) and custom_tool_call (input) */
static void tool_call(writer *w, const serve_item *it, int idx, const char *id) {
    bool fn = it->kind == SI_FUNCTION_CALL;
    const char *field = fn ? "arguments" : "input";
    buf item;
    buf_init(&item);
    buf_puts(&item, "{\"id\":");
    jsonw_cstring(&item, id);
    buf_puts(&item, fn ? ",\"type\":\"function_call\"" : ",\"type\":\"custom_tool_call\"");
    field_str(&item, "name", it->name, strlen(it->name));
    if (it->ns) field_str(&item, "namespace", it->ns, strlen(it->ns));
    field_str(&item, "call_id", it->call_id, strlen(it->call_id));
    size_t head = item.len;
    buf_puts(&item, ",\"status\":\"in_progress\"");
    field_str(&item, field, "", 0);
    buf_putc(&item, '}');
    item_added(w, idx, &item);

    const char *dtype =
        fn ? "response.function_call_arguments.delta" : "response.custom_tool_call_input.delta";
    const char *ntype =
        fn ? "response.function_call_arguments.done" : "response.custom_tool_call_input.done";
    begin(w, dtype);
    item_ref(w, id, idx);
    field_str(&w->ev, "delta", it->text, it->text_len);
    emit(w, dtype);
    begin(w, ntype);
    item_ref(w, id, idx);
    field_str(&w->ev, field, it->text, it->text_len);
    emit(w, ntype);

    item.len = head;
    buf_puts(&item, ",\"status\":\"completed\"");
    field_str(&item, field, it->text, it->text_len);
    buf_putc(&item, '}');
    item_done(w, idx, &item);
    buf_free(&item);
}

static void web_search(writer *w, const serve_item *it, int idx, const char *id) {
    buf item;
    buf_init(&item);
    buf_puts(&item, "{\"id\":");
    jsonw_cstring(&item, id);
    buf_puts(&item, ",\"type\":\"web_search_call\",\"status\":\"in_progress\"}");
    item_added(w, idx, &item);
    static const char *const phases[] = {"response.web_search_call.in_progress",
                                         "response.web_search_call.searching",
                                         "response.web_search_call.completed"};
    for (int i = 0; i < 3; i++) {
        begin(w, phases[i]);
        item_ref(w, id, idx);
        emit(w, phases[i]);
    }
    buf_reset(&item);
    buf_puts(&item, "{\"id\":");
    jsonw_cstring(&item, id);
    buf_puts(&item, ",\"type\":\"web_search_call\",\"status\":\"completed\",\"action\":");
    buf_append(&item, it->text, it->text_len);
    buf_putc(&item, '}');
    item_done(w, idx, &item);
    buf_free(&item);
}

void sse_render(const serve_response *r, const char *response_id, const char *model,
                int64_t created_at, sse_stream *out) {
    memset(out, 0, sizeof *out);
    buf_init(&out->bytes);
    writer w = {.s = out, .rid = response_id, .model = model, .created_at = created_at};
    w.limit = r->cut_after;
    buf_init(&w.ev);
    buf_init(&w.output);
    static const char *const start[] = {"response.created", "response.in_progress"};
    for (int i = 0; i < 2; i++) {
        begin(&w, start[i]);
        response_obj(&w, "in_progress", r, false);
        emit(&w, start[i]);
    }
    int idx = 0;
    for (size_t i = 0; i < r->n_items; i++) {
        const serve_item *it = &r->items[i];
        if (it->kind == SI_SLEEP) {
            pause_ms(&w, it->sleep_ms);
            continue;
        }
        static const char *const prefix[] = {"msg", "rs", "fc", "ctc", "ws"};
        char id[96];
        snprintf(id, sizeof id, "%s_%s_%d", prefix[it->kind], response_id, idx + 1);
        switch (it->kind) {
        case SI_MESSAGE:
            message(&w, it, idx, id);
            break;
        case SI_REASONING:
            reasoning(&w, it, idx, id);
            break;
        case SI_FUNCTION_CALL:
        case SI_CUSTOM_TOOL_CALL:
            tool_call(&w, it, idx, id);
            break;
        default:
            web_search(&w, it, idx, id);
            break;
        }
        idx++;
    }
    static const char *const fin[] = {"response.completed", "response.failed",
                                      "response.incomplete"};
    static const char *const status[] = {"completed", "failed", "incomplete"};
    if (r->final != FINAL_NONE) {
        begin(&w, fin[r->final]);
        response_obj(&w, status[r->final], r, true);
        emit(&w, fin[r->final]);
    }
    buf_free(&w.ev);
    buf_free(&w.output);
}

void sse_stream_free(sse_stream *s) {
    buf_free(&s->bytes);
    free(s->v);
    memset(s, 0, sizeof *s);
}

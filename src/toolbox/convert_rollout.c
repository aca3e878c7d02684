/* convert_rollout — a session rollout file (docs/behaviour.md#sessions-and-rollouts) → the `codex
 * exec --json` lines the run printed, as far as the rollout keeps them (docs/convert.md "From a
 * rollout"), then converted like a bare capture. */
#include "convert.h"
#include "fileio.h"
#include "jsonw.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool convert_is_rollout(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char head[4096];
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    char *nl = strchr(head, '\n');
    if (nl) *nl = '\0';
    return strstr(head, "\"type\":\"session_meta\"") && strstr(head, "\"payload\"");
}

typedef struct {
    recording *r;
    buf line;
    unsigned long next_item;
} synth;

static void emit_line(synth *s) {
    buf_putc(&s->line, '\n');
    rec_stream_feed(&s->r->out, s->line.data, s->line.len, 0);
    buf_reset(&s->line);
}

static const char *str_of(const cJSON *o, const char *key) {
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A JSON number as an integer (token counts, exit codes). Casting a double out of int64's
 * range is undefined behaviour, and a rollout may hold any number: out of range is clamped,
 * NaN and non-numbers are 0. */
static int64_t int_of(const cJSON *v) {
    if (!cJSON_IsNumber(v) || v->valuedouble != v->valuedouble) return 0;
    if (v->valuedouble >= 9223372036854775807.0) return INT64_MAX; /* 2^63 */
    if (v->valuedouble <= -9223372036854775807.0) return INT64_MIN;
    return (int64_t)v->valuedouble;
}

/* A JSON value re-serialised compactly (cJSON keeps member order; numbers may differ in form
 * from the original, which the proof in convert.c then catches). */
static void put_json(buf *b, const cJSON *v) {
    char *t = v ? cJSON_PrintUnformatted(v) : NULL;
    buf_puts(b, t ? t : "null");
    cJSON_free(t);
}

/* shlex-style join, as the real CLI shows a command vector. */
static void shell_join(buf *b, const cJSON *argv) {
    const cJSON *a;
    bool first = true;
    cJSON_ArrayForEach(a, argv) {
        if (!cJSON_IsString(a)) continue;
        if (!first) buf_putc(b, ' ');
        first = false;
        const char *s = a->valuestring;
        bool safe = *s != '\0';
        for (const char *p = s; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_",
                        *p))
                safe = false;
        if (safe) {
            buf_puts(b, s);
            continue;
        }
        buf_putc(b, '\'');
        for (const char *p = s; *p; p++) {
            if (*p == '\'')
                buf_puts(b, "'\"'\"'");
            else
                buf_putc(b, *p);
        }
        buf_putc(b, '\'');
    }
}

static void item_head(synth *s, const char *event, const char *id, const char *type) {
    buf_puts(&s->line, "{\"type\":");
    jsonw_cstring(&s->line, event);
    buf_puts(&s->line, ",\"item\":{\"id\":");
    jsonw_cstring(&s->line, id);
    buf_puts(&s->line, ",\"type\":");
    jsonw_cstring(&s->line, type);
}

static void text_item(synth *s, const char *type, const char *key, const char *text) {
    char id[32];
    snprintf(id, sizeof id, "item_%lu", s->next_item++);
    item_head(s, "item.completed", id, type);
    buf_putc(&s->line, ',');
    jsonw_key(&s->line, key);
    jsonw_cstring(&s->line, text);
    buf_puts(&s->line, "}}");
    emit_line(s);
}

static void command_item(synth *s, const cJSON *it) {
    char id[32];
    snprintf(id, sizeof id, "item_%lu", s->next_item++);
    buf cmd;
    buf_init(&cmd);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "command");
    if (cJSON_IsArray(c))
        shell_join(&cmd, c);
    else if (cJSON_IsString(c))
        buf_puts(&cmd, c->valuestring);
    const char *out = str_of(it, "aggregated_output");
    const cJSON *ec = cJSON_GetObjectItemCaseSensitive(it, "exit_code");
    const char *status = str_of(it, "status");
    for (int phase = 0; phase < 2; phase++) {
        item_head(s, phase ? "item.completed" : "item.started", id, "command_execution");
        buf_puts(&s->line, ",\"command\":");
        jsonw_string(&s->line, cmd.data ? cmd.data : "", cmd.len);
        buf_puts(&s->line, ",\"aggregated_output\":");
        jsonw_cstring(&s->line, phase && out ? out : "");
        buf_puts(&s->line, ",\"exit_code\":");
        if (phase && cJSON_IsNumber(ec))
            jsonw_int(&s->line, int_of(ec));
        else
            jsonw_null(&s->line);
        buf_puts(&s->line, ",\"status\":");
        jsonw_cstring(&s->line, phase ? (status ? status : "completed") : "in_progress");
        buf_puts(&s->line, "}}");
        emit_line(s);
    }
    buf_free(&cmd);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void file_change_item(synth *s, const cJSON *it) {
    char id[32];
    snprintf(id, sizeof id, "item_%lu", s->next_item++);
    const cJSON *changes = cJSON_GetObjectItemCaseSensitive(it, "changes"), *ch;
    size_t n = 0;
    const char **paths = xcalloc((size_t)cJSON_GetArraySize(changes) + 1, sizeof(char *));
    cJSON_ArrayForEach(ch, changes) paths[n++] = ch->string ? ch->string : "";
    qsort(paths, n, sizeof *paths, cmp_str);
    const char *status = str_of(it, "status");
    for (int phase = 0; phase < 2; phase++) {
        item_head(s, phase ? "item.completed" : "item.started", id, "file_change");
        buf_puts(&s->line, ",\"changes\":[");
        for (size_t i = 0; i < n; i++) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(changes, paths[i]);
            const char *kind = str_of(c, "type");
            if (i) buf_putc(&s->line, ',');
            buf_puts(&s->line, "{\"path\":");
            jsonw_cstring(&s->line, paths[i]);
            buf_puts(&s->line, ",\"kind\":");
            jsonw_cstring(&s->line, kind ? kind : "update");
            buf_putc(&s->line, '}');
        }
        buf_puts(&s->line, "],\"status\":");
        jsonw_cstring(&s->line, phase ? (status ? status : "completed") : "in_progress");
        buf_puts(&s->line, "}}");
        emit_line(s);
    }
    free(paths);
}

static void mcp_item(synth *s, const cJSON *it) {
    char id[32];
    snprintf(id, sizeof id, "item_%lu", s->next_item++);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(it, "result");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(it, "error");
    const char *status = str_of(it, "status");
    for (int phase = 0; phase < 2; phase++) {
        item_head(s, phase ? "item.completed" : "item.started", id, "mcp_tool_call");
        buf_puts(&s->line, ",\"server\":");
        jsonw_cstring(&s->line, str_of(it, "server") ? str_of(it, "server") : "");
        buf_puts(&s->line, ",\"tool\":");
        jsonw_cstring(&s->line, str_of(it, "tool") ? str_of(it, "tool") : "");
        buf_puts(&s->line, ",\"arguments\":");
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(it, "arguments");
        if (args)
            put_json(&s->line, args);
        else
            buf_puts(&s->line, "{}");
        buf_puts(&s->line, ",\"result\":");
        if (phase && cJSON_IsObject(res)) {
            buf_puts(&s->line, "{\"content\":");
            const cJSON *content = cJSON_GetObjectItemCaseSensitive(res, "content");
            if (content)
                put_json(&s->line, content);
            else
                buf_puts(&s->line, "[]");
            buf_puts(&s->line, ",\"structured_content\":");
            put_json(&s->line, cJSON_GetObjectItemCaseSensitive(res, "structuredContent"));
            buf_putc(&s->line, '}');
        } else {
            buf_puts(&s->line, "null");
        }
        buf_puts(&s->line, ",\"error\":");
        if (phase && err && !cJSON_IsNull(err)) {
            buf_puts(&s->line, "{\"message\":");
            const char *m = cJSON_IsString(err) ? err->valuestring : str_of(err, "message");
            jsonw_cstring(&s->line, m ? m : "");
            buf_putc(&s->line, '}');
        } else {
            buf_puts(&s->line, "null");
        }
        buf_puts(&s->line, ",\"status\":");
        jsonw_cstring(&s->line, phase ? (status ? status : "completed") : "in_progress");
        buf_puts(&s->line, "}}");
        emit_line(s);
    }
}

static void web_search_item(synth *s, const cJSON *it) {
    char id[32];
    snprintf(id, sizeof id, "item_%lu", s->next_item++);
    const char *q = str_of(it, "query");
    for (int phase = 0; phase < 2; phase++) {
        item_head(s, phase ? "item.completed" : "item.started", id, "web_search");
        buf_puts(&s->line, ",\"id\":");
        jsonw_cstring(&s->line, str_of(it, "id") ? str_of(it, "id") : "");
        buf_puts(&s->line, ",\"query\":");
        jsonw_cstring(&s->line, q ? q : "");
        buf_puts(&s->line, ",\"action\":");
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(it, "action");
        if (action) {
            put_json(&s->line, action);
        } else {
            buf_puts(&s->line, "{\"type\":\"search\",\"query\":");
            jsonw_cstring(&s->line, q ? q : "");
            buf_putc(&s->line, '}');
        }
        buf_puts(&s->line, "}}");
        emit_line(s);
    }
}

static void joined_text(buf *b, const cJSON *arr, const char *key, const char *sep) {
    const cJSON *p;
    bool first = true;
    cJSON_ArrayForEach(p, arr) {
        const char *t = cJSON_IsString(p) ? p->valuestring : str_of(p, key);
        if (!t) continue;
        if (!first) buf_puts(b, sep);
        first = false;
        buf_puts(b, t);
    }
}

static bool blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static void item_completed(synth *s, const cJSON *it, convert_notes *notes) {
    const char *type = str_of(it, "type");
    if (!type || !strcmp(type, "UserMessage")) return;
    if (!strcmp(type, "AgentMessage")) {
        buf t;
        buf_init(&t);
        joined_text(&t, cJSON_GetObjectItemCaseSensitive(it, "content"), "text", "");
        text_item(s, "agent_message", "text", t.data ? t.data : "");
        buf_free(&t);
    } else if (!strcmp(type, "Reasoning")) {
        buf t;
        buf_init(&t);
        joined_text(&t, cJSON_GetObjectItemCaseSensitive(it, "summary_text"), "text", "\n");
        if (t.data && !blank(t.data)) text_item(s, "reasoning", "text", t.data);
        buf_free(&t);
    } else if (!strcmp(type, "CommandExecution")) {
        command_item(s, it);
    } else if (!strcmp(type, "FileChange")) {
        file_change_item(s, it);
    } else if (!strcmp(type, "McpToolCall")) {
        mcp_item(s, it);
    } else if (!strcmp(type, "WebSearch")) {
        web_search_item(s, it);
    } else {
        char m[160];
        snprintf(m, sizeof m, "rollout item type %s has no JSONL counterpart here; skipped", type);
        notes->v = xrealloc(notes->v, (notes->n + 1) * sizeof(char *));
        notes->v[notes->n++] = xstrdup(m);
    }
}

static void add_note(convert_notes *notes, const char *text) {
    notes->v = xrealloc(notes->v, (notes->n + 1) * sizeof(char *));
    notes->v[notes->n++] = xstrdup(text);
}

int rollout_to_recording(const char *path, int turn, recording *r, convert_notes *notes,
                         diag *err) {
    size_t len;
    char *data = fileio_read_file(path, 0, &len);
    if (!data) {
        recording_init(r);
        diag_set(err, path, 0, 0, "cannot read the rollout file");
        return -1;
    }
    int rc = rollout_to_recording_mem(data, len, path, turn, r, notes, err);
    free(data);
    return rc;
}

int rollout_to_recording_mem(const char *data, size_t len, const char *source, int turn,
                             recording *r, convert_notes *notes, diag *err) {
    recording_init(r);
    synth s = {r, {0}, 0};
    buf_init(&s.line);
    r->json_mode = true;
    r->has_timing = false;
    r->has_exit = true;
    int want = turn > 0 ? turn : 1, seen = 0;
    bool in_turn = false, any_meta = false;
    cJSON *total = NULL;
    const char *thread_id = NULL;
    cJSON *meta = NULL;
    int lineno = 0;
    for (const char *p = data; p < data + len;) {
        const char *nl = memchr(p, '\n', (size_t)(data + len - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(data + len - p);
        lineno++;
        cJSON *o = n ? cJSON_ParseWithLength(p, n) : NULL;
        p += n + (nl ? 1 : 0);
        if (!o) {
            if (n) {
                diag_set(err, source, lineno, 1, "not a JSON line");
                cJSON_Delete(meta);
                cJSON_Delete(total);
                buf_free(&s.line);
                return -1;
            }
            continue;
        }
        const char *type = str_of(o, "type");
        const cJSON *pl = cJSON_GetObjectItemCaseSensitive(o, "payload");
        const char *pt = str_of(pl, "type");
        if (type && !strcmp(type, "session_meta") && !any_meta) {
            any_meta = true;
            meta = cJSON_Duplicate(pl, true);
            thread_id = str_of(meta, "id");
            r->cwd = str_of(meta, "cwd") ? xstrdup(str_of(meta, "cwd")) : NULL;
        } else if (type && !strcmp(type, "event_msg") && pt) {
            if (!strcmp(pt, "task_started")) {
                seen++;
                in_turn = seen == want;
                s.next_item = 0;
                if (in_turn) {
                    buf_puts(&s.line, "{\"type\":\"thread.started\",\"thread_id\":");
                    jsonw_cstring(&s.line, thread_id ? thread_id : "");
                    buf_putc(&s.line, '}');
                    emit_line(&s);
                    buf_puts(&s.line, "{\"type\":\"turn.started\"}");
                    emit_line(&s);
                }
            } else if (in_turn && !strcmp(pt, "item_completed")) {
                item_completed(&s, cJSON_GetObjectItemCaseSensitive(pl, "item"), notes);
            } else if (!strcmp(pt, "token_count")) {
                const cJSON *info = cJSON_GetObjectItemCaseSensitive(pl, "info");
                const cJSON *tu = cJSON_GetObjectItemCaseSensitive(info, "total_token_usage");
                if (cJSON_IsObject(tu)) {
                    cJSON_Delete(total);
                    total = cJSON_Duplicate(tu, true);
                }
            } else if (in_turn && !strcmp(pt, "task_complete")) {
                const cJSON *e = cJSON_GetObjectItemCaseSensitive(pl, "error");
                const char *msg = str_of(e, "message");
                if (msg) {
                    buf_puts(&s.line, "{\"type\":\"error\",\"message\":");
                    jsonw_cstring(&s.line, msg);
                    buf_putc(&s.line, '}');
                    emit_line(&s);
                    buf_puts(&s.line, "{\"type\":\"turn.failed\",\"error\":{\"message\":");
                    jsonw_cstring(&s.line, msg);
                    buf_puts(&s.line, "}}");
                    emit_line(&s);
                    r->exit_code = 1;
                } else {
                    static const char *const keys[] = {"input_tokens", "cached_input_tokens",
                                                       "cache_write_input_tokens", "output_tokens",
                                                       "reasoning_output_tokens"};
                    buf_puts(&s.line, "{\"type\":\"turn.completed\",\"usage\":{");
                    for (size_t k = 0; k < 5; k++) {
                        const cJSON *v = cJSON_GetObjectItemCaseSensitive(total, keys[k]);
                        if (k) buf_putc(&s.line, ',');
                        jsonw_key(&s.line, keys[k]);
                        jsonw_int(&s.line, int_of(v));
                    }
                    buf_puts(&s.line, "}}");
                    emit_line(&s);
                    r->exit_code = 0;
                }
                in_turn = false;
            } else if (in_turn && !strcmp(pt, "turn_aborted")) {
                add_note(notes, "the turn was aborted (interrupted): the real run printed nothing "
                                "more and exited 1");
                r->exit_code = 1;
                in_turn = false;
            }
        }
        cJSON_Delete(o);
    }
    if (in_turn)
        add_note(notes, "the rollout ends inside the turn (no task_complete): the run was "
                        "killed or is still going");
    if (seen > 1 && turn == 0) {
        char m[160];
        snprintf(m, sizeof m, "the rollout holds %d turns; this is turn 1 (choose with --turn N)",
                 seen);
        add_note(notes, m);
    }
    if (want > seen) {
        diag_set(err, source, 0, 0, "the rollout holds %d turn%s; there is no turn %d", seen,
                 seen == 1 ? "" : "s", want);
        cJSON_Delete(meta);
        cJSON_Delete(total);
        buf_free(&s.line);
        return -1;
    }
    r->name = xstrdup("from-rollout");
    r->description = xstrdup("A turn rebuilt from a session rollout file (no timing, no stderr).");
    cJSON_Delete(meta);
    cJSON_Delete(total);
    buf_free(&s.line);
    return 0;
}

int convert_rollout(const char *path, const convert_options *o, buf *yaml, convert_notes *notes,
                    diag *err) {
    recording r;
    if (rollout_to_recording(path, o->rollout_turn, &r, notes, err) < 0) {
        recording_free(&r);
        return -1;
    }
    int rc = convert_recording(&r, o, yaml, notes, err);
    recording_free(&r);
    return rc;
}

int convert_rollout_mem(const char *data, size_t len, const convert_options *o, buf *yaml,
                        convert_notes *notes, diag *err) {
    recording r;
    const char *source = o->source ? o->source : "<rollout>";
    if (rollout_to_recording_mem(data, len, source, o->rollout_turn, &r, notes, err) < 0) {
        recording_free(&r);
        return -1;
    }
    int rc = convert_recording(&r, o, yaml, notes, err);
    recording_free(&r);
    return rc;
}

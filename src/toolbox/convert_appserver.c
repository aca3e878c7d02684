#include "convert_appserver.h"

#include "fileio.h"
#include "lint.h"
#include "plan.h"
#include "rng.h"
#include "scenario_load.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The fake's own delays (src/appserver/as_turn.c): a model request's usage pair comes this
 * long after the request's end, and a message's first delta this long after its item. */
#define USAGE_PAIR_MS 7.0
#define PYENV_LINE "pyenv: cannot rehash: {{HOME}}/.pyenv/shims isn't writable\n"

void convert_as_result_free(convert_as_result *r) {
    for (size_t i = 0; i < r->n; i++) {
        buf_free(&r->files[i].yaml);
        free(r->files[i].suffix);
    }
    free(r->files);
    r->files = NULL;
    r->n = 0;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

bool convert_is_appserver(const char *dir) {
    char *a = xasprintf("%s/transcript.jsonl", dir),
         *b = xasprintf("%s/proc1/transcript.jsonl", dir);
    bool yes = exists(a) || exists(b);
    free(a), free(b);
    return yes;
}

/* ---------------------------------------------------------------- the transcript */

typedef struct {
    double t;
    bool s2c;
    const char *text; /* the line, NULL when it was not UTF-8 (line_b64) */
    cJSON *j;         /* the line parsed, NULL when it is no JSON object */
    bool b64;         /* recorded with line_b64 (bytes that are not UTF-8, or a NUL) */
} tline;

typedef struct {
    cJSON *root; /* owns every record */
    tline *v;
    size_t n;
} transcript;

static void transcript_free(transcript *t) {
    for (size_t i = 0; i < t->n; i++)
        cJSON_Delete(t->v[i].j);
    free(t->v);
    cJSON_Delete(t->root);
}

static int transcript_parse(const char *data, size_t len, transcript *t, diag *err) {
    memset(t, 0, sizeof *t);
    t->root = cJSON_CreateArray();
    const char *p = data, *end = data + len;
    int lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        if (l) {
            cJSON *r = cJSON_ParseWithLength(p, l);
            const cJSON *tm = cJSON_GetObjectItemCaseSensitive(r, "t_ms");
            const cJSON *dir = cJSON_GetObjectItemCaseSensitive(r, "dir");
            if (!cJSON_IsNumber(tm) || !cJSON_IsString(dir)) {
                cJSON_Delete(r);
                diag_set(err, "transcript.jsonl", lineno, 1,
                         "not a transcript record ({\"t_ms\", \"dir\", \"line\"})");
                return -1;
            }
            cJSON_AddItemToArray(t->root, r);
            t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
            tline *x = &t->v[t->n++];
            x->t = tm->valuedouble;
            x->s2c = !strcmp(dir->valuestring, "s2c");
            const cJSON *line = cJSON_GetObjectItemCaseSensitive(r, "line");
            x->text = cJSON_IsString(line) ? line->valuestring : NULL;
            x->j = x->text ? cJSON_Parse(x->text) : NULL;
            x->b64 = cJSON_GetObjectItemCaseSensitive(r, "line_b64") != NULL;
            if (x->j && !cJSON_IsObject(x->j)) {
                cJSON_Delete(x->j);
                x->j = NULL;
            }
        }
        p += l + (nl ? 1 : 0);
    }
    return 0;
}

static const cJSON *get(const cJSON *o, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *gstr(const cJSON *o, const char *k) {
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *method_of(const tline *x) {
    return x->j ? gstr(x->j, "method") : NULL;
}

static bool is(const char *a, const char *b) {
    return a && b && !strcmp(a, b);
}

static bool is_response(const tline *x) {
    return x->j && !get(x->j, "method") && get(x->j, "id") &&
           (get(x->j, "result") || get(x->j, "error"));
}

/* The s2c response to request id `id` (a number), from index `from`; -1 when none. */
static long find_response(const transcript *t, size_t from, double id) {
    for (size_t i = from; i < t->n; i++) {
        const tline *x = &t->v[i];
        if (!x->s2c || !is_response(x)) continue;
        const cJSON *v = get(x->j, "id");
        if (cJSON_IsNumber(v) && v->valuedouble == id) return (long)i;
    }
    return -1;
}

/* The c2s answer to server request `id`, from index `from`; -1 when none. */
static long find_answer(const transcript *t, size_t from, double id) {
    for (size_t i = from; i < t->n; i++) {
        const tline *x = &t->v[i];
        if (x->s2c || !x->j || get(x->j, "method")) continue;
        const cJSON *v = get(x->j, "id");
        if (cJSON_IsNumber(v) && v->valuedouble == id) return (long)i;
    }
    return -1;
}

/* ---------------------------------------------------------------- YAML output */

static void put_ms(buf *b, double ms) {
    if (ms < 0) ms = 0;
    buf_printf(b, "%.1fms", ms);
}

/* Normalised placeholders → the scenario's templates; any other "{{" → {{braces}}. The
 * pyenv line of sandboxed commands is dropped (the comparison drops it on both sides). */
static char *templated(const char *s, size_t len) {
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < len;) {
        if (!strncmp(s + i, PYENV_LINE, strlen(PYENV_LINE)) && strlen(PYENV_LINE) <= len - i) {
            i += strlen(PYENV_LINE);
        } else if (len - i >= 12 && !strncmp(s + i, "{{RUN}}/work", 12)) {
            buf_puts(&b, "{{cwd}}");
            i += 12;
        } else if (len - i >= 7 && !strncmp(s + i, "{{RUN}}", 7)) {
            buf_puts(&b, "{{cwd_parent}}");
            i += 7;
        } else if (len - i >= 12 && !strncmp(s + i, "{{BASE_URL}}", 12)) {
            buf_puts(&b, "http://127.0.0.1:9");
            i += 12;
        } else if (len - i >= 2 && s[i] == '{' && s[i + 1] == '{') {
            buf_puts(&b, "{{braces}}");
            i += 2;
        } else {
            buf_putc(&b, s[i++]);
        }
    }
    if (!b.data) buf_puts(&b, "");
    return buf_detach(&b);
}

/* A YAML double-quoted scalar of s (templated). */
static void put_q(buf *y, const char *s) {
    char *t = templated(s ? s : "", s ? strlen(s) : 0);
    buf_putc(y, '"');
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        switch (*p) {
        case '"':
            buf_puts(y, "\\\"");
            break;
        case '\\':
            buf_puts(y, "\\\\");
            break;
        case '\n':
            buf_puts(y, "\\n");
            break;
        case '\t':
            buf_puts(y, "\\t");
            break;
        case '\r':
            buf_puts(y, "\\r");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                buf_printf(y, "\\x%02x", *p);
            else
                buf_putc(y, (char)*p);
        }
    }
    buf_putc(y, '"');
    free(t);
}

/* A JSON value as a YAML flow value (JSON is YAML), strings templated. */
static void put_json(buf *y, const cJSON *v) {
    if (cJSON_IsString(v)) {
        put_q(y, v->valuestring);
    } else if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        bool obj = cJSON_IsObject(v);
        buf_putc(y, obj ? '{' : '[');
        const cJSON *c;
        bool first = true;
        cJSON_ArrayForEach(c, v) {
            if (!first) buf_puts(y, ", ");
            first = false;
            if (obj) {
                put_q(y, c->string);
                buf_puts(y, ": ");
            }
            put_json(y, c);
        }
        buf_putc(y, obj ? '}' : ']');
    } else {
        char *s = cJSON_PrintUnformatted(v);
        buf_puts(y, s ? s : "null");
        free(s);
    }
}

/* ---------------------------------------------------------------- one turn */

typedef struct {
    char *text;
    double t;
} chunk;

typedef struct {
    char id[128];
    const char *type;
    double started;
    chunk *chunks; /* agentMessage / outputDelta deltas */
    size_t n_chunks;
    bool open;
} open_item;

typedef struct {
    double t; /* plan time of the previous step's end */
    buf *y;
    convert_notes *notes;
    /* approval of the item being asked */
    bool asked;
    char ask_item[128];
    const char *reason;
    char *decision;
    double resolved;
    /* usage */
    long long in, cached, out, reasoning;
    bool any_usage;
    bool tool_usage_pending;
    double last_tool_done;
    /* failure */
    double *errs;
    size_t n_errs;
    int http_status;
    int max; /* the M of "Reconnecting... n/M" */
    char *details;
    char *diff;
} turn_state;

static void chunk_free(open_item *it) {
    for (size_t i = 0; i < it->n_chunks; i++)
        free(it->chunks[i].text);
    free(it->chunks);
    it->chunks = NULL;
    it->n_chunks = 0;
}

static open_item *item_slot(open_item *items, size_t *n, const char *id) {
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(items[i].id, id)) return &items[i];
    if (*n >= 64) return &items[63];
    open_item *it = &items[(*n)++];
    memset(it, 0, sizeof *it);
    snprintf(it->id, sizeof it->id, "%s", id);
    return it;
}

static void put_after(turn_state *ts, double start) {
    buf_puts(ts->y, "        after: ");
    put_ms(ts->y, start - ts->t);
    buf_putc(ts->y, '\n');
}

static void put_chunks(buf *y, const open_item *it, const char *extra, bool strip_pyenv) {
    buf_puts(y, "        chunks: [");
    bool first = true;
    for (size_t i = 0; i < it->n_chunks; i++) {
        char *t = templated(it->chunks[i].text, strlen(it->chunks[i].text));
        bool empty = strip_pyenv && !*t;
        free(t);
        if (empty) continue;
        if (!first) buf_puts(y, ", ");
        first = false;
        put_q(y, it->chunks[i].text);
    }
    if (extra) {
        if (!first) buf_puts(y, ", ");
        put_q(y, extra);
    }
    buf_puts(y, "]\n");
}

static double mean_gap(const open_item *it) {
    if (it->n_chunks < 2) return 0;
    return (it->chunks[it->n_chunks - 1].t - it->chunks[0].t) / (double)(it->n_chunks - 1);
}

static void put_approval(turn_state *ts, bool never_mcp) {
    buf *y = ts->y;
    if (never_mcp) {
        buf_puts(y, "        approval: true\n");
        return;
    }
    if (!ts->asked) return;
    buf_puts(y, "        approval:");
    if (!ts->reason && !ts->decision) {
        buf_puts(y, " true\n");
        return;
    }
    buf_putc(y, '\n');
    if (ts->reason) {
        buf_puts(y, "          reason: ");
        put_q(y, ts->reason);
        buf_putc(y, '\n');
    }
    if (ts->decision) {
        buf_puts(y, "          expect: ");
        put_q(y, ts->decision);
        buf_putc(y, '\n');
    }
}

static void clear_ask(turn_state *ts) {
    ts->asked = false;
    ts->reason = NULL;
    free(ts->decision);
    ts->decision = NULL;
    ts->resolved = 0;
}

/* The decision a c2s answer carries: "accept", the key of an object decision, or "error". */
static char *decision_of(const cJSON *answer) {
    if (!answer) return NULL;
    if (get(answer, "error")) return xstrdup("error");
    const cJSON *d = get(get(answer, "result"), "decision");
    if (cJSON_IsString(d)) return xstrdup(d->valuestring);
    if (cJSON_IsObject(d) && d->child && d->child->string) return xstrdup(d->child->string);
    return xstrdup("error");
}

static void emit_message(turn_state *ts, const cJSON *item, open_item *it, bool completed,
                         double turn_end) {
    buf *y = ts->y;
    const char *text = completed ? gstr(item, "text") : NULL;
    buf joined;
    buf_init(&joined);
    for (size_t i = 0; i < it->n_chunks; i++)
        buf_puts(&joined, it->chunks[i].text);
    const char *extra = NULL;
    if (!completed) extra = " …"; /* never shown: the turn ended before it */
    buf_puts(y, "      - message: ");
    if (completed) {
        put_q(y, text);
    } else {
        buf_puts(&joined, extra);
        put_q(y, joined.data ? joined.data : extra);
    }
    buf_putc(y, '\n');
    buf_puts(y, "        id: ");
    put_q(y, it->id);
    buf_putc(y, '\n');
    bool joins = completed && text && joined.data && !strcmp(joined.data, text);
    if (it->n_chunks && (joins || !completed)) put_chunks(y, it, extra, false);
    double gap = mean_gap(it);
    if (!completed) {
        double wait = it->n_chunks ? turn_end - it->chunks[it->n_chunks - 1].t + 250 : 1000;
        if (gap < wait) gap = wait;
        buf_puts(y, "        chunk_delay: ");
        put_ms(y, gap);
        buf_putc(y, '\n');
    } else if (gap >= 10) {
        buf_puts(y, "        chunk_delay: ");
        put_ms(y, gap);
        buf_putc(y, '\n');
    }
    put_after(ts, it->started);
    ts->t = it->started;
    buf_free(&joined);
}

static void emit_reasoning(turn_state *ts, const cJSON *item, open_item *it) {
    buf *y = ts->y;
    const cJSON *sum = get(item, "summary"), *p;
    buf_puts(y, "      - reasoning:");
    if (cJSON_GetArraySize(sum) == 1) {
        buf_putc(y, ' ');
        put_q(y, cJSON_GetArrayItem(sum, 0)->valuestring);
        buf_putc(y, '\n');
    } else {
        buf_putc(y, '\n');
        cJSON_ArrayForEach(p, sum) {
            buf_puts(y, "          - ");
            put_q(y, cJSON_IsString(p) ? p->valuestring : "");
            buf_putc(y, '\n');
        }
    }
    buf_puts(y, "        id: ");
    put_q(y, it->id);
    buf_putc(y, '\n');
    put_after(ts, it->started);
    ts->t = it->started;
}

static void emit_command(turn_state *ts, const cJSON *item, open_item *it, double done) {
    buf *y = ts->y;
    buf_puts(y, "      - command: ");
    put_q(y, gstr(item, "command"));
    buf_puts(y, "\n        id: ");
    put_q(y, it->id);
    buf_putc(y, '\n');
    const char *status = gstr(item, "status");
    const char *out = gstr(item, "aggregatedOutput");
    if (out) {
        buf_puts(y, "        output: ");
        put_q(y, out);
        buf_putc(y, '\n');
    }
    /* one delta is the fake's default, except after an approval, where it streams none unless
     * the chunks are listed */
    if (it->n_chunks > 1 || (it->n_chunks && ts->asked)) {
        put_chunks(y, it, NULL, true);
        double gap = mean_gap(it);
        if (gap > 0) {
            buf_puts(y, "        chunk_delay: ");
            put_ms(y, gap);
            buf_putc(y, '\n');
        }
    }
    const cJSON *ec = get(item, "exitCode");
    if (cJSON_IsNumber(ec)) buf_printf(y, "        exit_code: %d\n", ec->valueint);
    if (is(status, "declined") && !ts->asked) buf_puts(y, "        status: declined\n");
    double from = ts->asked && ts->resolved > 0 ? ts->resolved : it->started;
    if (!is(status, "declined")) {
        buf_puts(y, "        duration: ");
        put_ms(y, done - from);
        buf_putc(y, '\n');
    }
    put_approval(ts, false);
    put_after(ts, it->started);
    ts->t = done;
}

static void emit_file_change(turn_state *ts, const cJSON *item, open_item *it, double done,
                             const char *diff) {
    buf *y = ts->y;
    buf_puts(y, "      - file_change:\n");
    const cJSON *c;
    cJSON_ArrayForEach(c, get(item, "changes")) {
        const char *path = gstr(c, "path");
        const char *kind = gstr(get(c, "kind"), "type");
        char *rel = NULL;
        if (path && !strncmp(path, "{{RUN}}/work/", 13)) rel = xstrdup(path + 13);
        buf_puts(y, "          - {path: ");
        put_q(y, rel ? rel : path);
        buf_puts(y, ", kind: ");
        put_q(y, kind ? kind : "update");
        buf_puts(y, "}\n");
        free(rel);
    }
    if (diff) {
        buf_puts(y, "        diff: ");
        put_q(y, diff);
        buf_putc(y, '\n');
    }
    buf_puts(y, "        id: ");
    put_q(y, it->id);
    buf_putc(y, '\n');
    const char *status = gstr(item, "status");
    if (!is(status, "declined")) {
        double from = ts->asked && ts->resolved > 0 ? ts->resolved : it->started;
        buf_puts(y, "        duration: ");
        put_ms(y, done - from);
        buf_putc(y, '\n');
    }
    put_approval(ts, false);
    put_after(ts, it->started);
    ts->t = done;
}

static void emit_mcp(turn_state *ts, const cJSON *item, open_item *it, double done) {
    buf *y = ts->y;
    buf_puts(y, "      - mcp_tool_call: {server: ");
    put_q(y, gstr(item, "server"));
    buf_puts(y, ", tool: ");
    put_q(y, gstr(item, "tool"));
    const cJSON *args = get(item, "arguments");
    if (args && !cJSON_IsNull(args)) {
        buf_puts(y, ", arguments: ");
        put_json(y, args);
    }
    const cJSON *res = get(item, "result");
    if (cJSON_IsObject(res)) {
        buf_puts(y, ", result: {content: ");
        const cJSON *content = get(res, "content");
        if (content)
            put_json(y, content);
        else
            buf_puts(y, "[]");
        const cJSON *sc = get(res, "structuredContent");
        if (sc && !cJSON_IsNull(sc)) {
            buf_puts(y, ", structured_content: ");
            put_json(y, sc);
        }
        buf_putc(y, '}');
    }
    buf_puts(y, "}\n        id: ");
    put_q(y, it->id);
    buf_putc(y, '\n');
    const char *err = gstr(get(item, "error"), "message");
    bool never = err && strstr(err, "requires approval, but approval policy is never");
    if (is(gstr(item, "status"), "failed") && !never) {
        buf_puts(y, "        status: failed\n");
        ts->notes ? convert_note(ts->notes, "an MCP call's error text is the fake's own") : (void)0;
    }
    buf_puts(y, "        duration: ");
    put_ms(y, done - it->started);
    buf_putc(y, '\n');
    put_approval(ts, never);
    put_after(ts, it->started);
    ts->t = done;
}

static int http_kind(int status, const char **kind) {
    switch (status) {
    case 401:
        *kind = "unauthorized_401";
        return 0;
    case 403:
        *kind = "forbidden_403";
        return 0;
    case 404:
        *kind = "not_found_404";
        return 0;
    case 400:
        *kind = "bad_request_400";
        return 0;
    case 500:
        *kind = "server_error_500";
        return 0;
    case 502:
        *kind = "bad_gateway_502";
        return 0;
    case 503:
        *kind = "service_unavailable_503";
        return 0;
    default:
        return -1;
    }
}

/* A retry step's timing: the first notice comes request_time after the step; the waits
 * between notices (the last: to `end`, the final error or the step after the retries) are
 * request_time + backoff (the last: backoff alone when the step after the retries comes
 * next, as the attempt that works is that step's own). */
static void put_waits(turn_state *ts, double end, bool end_is_request) {
    buf *y = ts->y;
    double req = ts->errs[0] - ts->t;
    if (req < 1) req = 1;
    buf_puts(y, "        request_time: ");
    put_ms(y, req);
    buf_puts(y, "\n        backoff: [");
    for (size_t i = 0; i < ts->n_errs; i++) {
        bool last = i + 1 == ts->n_errs;
        double next = last ? end : ts->errs[i + 1];
        if (i) buf_puts(y, ", ");
        put_ms(y, next - ts->errs[i] - (last && !end_is_request ? 0 : req));
    }
    buf_puts(y, "]\n        after: 0ms\n");
}

/* The failure of a turn: the final `error` notification (and the reconnects before it). */
static void emit_failure(turn_state *ts, const cJSON *params, double t_final) {
    buf *y = ts->y;
    const cJSON *e = get(params, "error");
    const cJSON *info = get(e, "codexErrorInfo");
    if (cJSON_IsString(info) && is(info->valuestring, "contextWindowExceeded")) {
        buf_puts(y, "      - fail: context_window_exceeded\n        after: 0ms\n");
        return;
    }
    int status = ts->http_status;
    const cJSON *hc = info && info->child ? get(info->child, "httpStatusCode") : NULL;
    if (cJSON_IsNumber(hc)) status = hc->valueint;
    const char *kind = NULL;
    const char *msg = gstr(e, "message");
    if (http_kind(status, &kind) < 0 || !msg) {
        convert_note(ts->notes,
                     "a turn's failure (%s) has no scenario step yet: the turn is left to end on "
                     "its own",
                     msg ? msg : "no message");
        return;
    }
    /* "unexpected status 401 Unauthorized: <message>, url: <url>, request id: <id>" */
    const char *colon = strstr(msg, ": ");
    const char *url = strstr(msg, ", url: ");
    const char *rid = strstr(msg, ", request id: ");
    buf_printf(y, "      - fail: %s\n", kind);
    if (colon && url && url > colon) {
        char *m = xstrndup(colon + 2, (size_t)(url - colon - 2));
        buf_puts(y, "        message: ");
        put_q(y, m);
        buf_putc(y, '\n');
        free(m);
        char *u = xstrndup(url + 7, rid ? (size_t)(rid - url - 7) : strlen(url + 7));
        buf_puts(y, "        url: ");
        put_q(y, u);
        buf_putc(y, '\n');
        free(u);
    }
    if (ts->n_errs && ts->details) {
        const char *r1 = strstr(ts->details, ", request id: ");
        if (r1) {
            buf_puts(y, "        request_id: ");
            put_q(y, r1 + 14);
            buf_putc(y, '\n');
        }
    }
    if (ts->n_errs) put_waits(ts, t_final, true);
    ts->n_errs = 0;
}

/* Reconnect notices followed by more of the turn (the next attempt worked): a `reconnect:`
 * step before the step that starts at next_start. */
static void flush_reconnects(turn_state *ts, double next_start) {
    if (!ts->n_errs) return;
    buf *y = ts->y;
    const char *kind = NULL;
    buf_printf(y, "      - reconnect: %zu\n", ts->n_errs);
    const char *d = ts->details;
    const char *colon = d ? strstr(d, ": ") : NULL, *url = d ? strstr(d, ", url: ") : NULL;
    const char *rid = d ? strstr(d, ", request id: ") : NULL;
    /* a 4xx kind carries the texts; a 5xx one would add its hidden request retries (time the
     * recording does not show), so its details are given as the cause */
    if (http_kind(ts->http_status, &kind) == 0 && ts->http_status < 500 && d &&
        !strncmp(d, "unexpected status ", 18) && colon && url && url > colon) {
        buf_printf(y, "        failure: %s\n", kind);
        char *m = xstrndup(colon + 2, (size_t)(url - colon - 2));
        buf_puts(y, "        message: ");
        put_q(y, m);
        free(m);
        char *u = xstrndup(url + 7, rid ? (size_t)(rid - url - 7) : strlen(url + 7));
        buf_puts(y, "\n        url: ");
        put_q(y, u);
        buf_putc(y, '\n');
        free(u);
        if (rid) {
            buf_puts(y, "        request_id: ");
            put_q(y, rid + 14);
            buf_putc(y, '\n');
        }
    } else if (d) {
        buf_puts(y, "        cause: ");
        put_q(y, d);
        buf_putc(y, '\n');
    }
    if (ts->max > 0 && ts->max != 5) buf_printf(y, "        max: %d\n", ts->max);
    put_waits(ts, next_start, false);
    ts->t = next_start;
    ts->n_errs = 0;
    free(ts->details);
    ts->details = NULL;
}

/* How a process ended that nobody asked to end (exit.json's ended_by "exited by itself (stdin
 * still open)" or "killed by signal X": no signal sent, record_ended_by): its exit code, or the
 * signal it died by, and when. */
typedef struct {
    bool self;
    int code;         /* the exit code, when signame is empty */
    char signame[16]; /* "SIGKILL", …: it died by this signal */
    double t;         /* ms since spawn */
} proc_end;

static proc_end read_proc_end(const char *exit_json) {
    proc_end pe = {0};
    cJSON *ex = exit_json ? cJSON_Parse(exit_json) : NULL;
    const char *ended = gstr(ex, "ended_by");
    const cJSON *rc = get(ex, "returncode"), *t = get(ex, "t_ms");
    bool self = ended && (strstr(ended, "by itself") || !strncmp(ended, "killed by signal", 16));
    if (self && cJSON_IsNumber(rc) && cJSON_IsNumber(t)) {
        pe.self = true;
        pe.t = t->valuedouble;
        pe.code = rc->valueint;
        const char *sig = gstr(ex, "signal");
        if (rc->valueint < 0) snprintf(pe.signame, sizeof pe.signame, "%s", sig ? sig : "");
    }
    cJSON_Delete(ex);
    return pe;
}

/* The step that ends the process as it ended by itself (`exit: N` or `signal: NAME`), `indent`
 * spaces in; false (nothing written) for a signal no step can give. */
static bool proc_end_playable(const proc_end *pe) {
    return pe->self && (pe->signame[0] ? scenario_signal_step_knows(pe->signame) : pe->code >= 0);
}

static bool put_proc_end(buf *y, const proc_end *pe, int indent) {
    if (!proc_end_playable(pe)) return false;
    buf_printf(y, "%*s- ", indent, "");
    if (pe->signame[0])
        buf_printf(y, "signal: %s\n", pe->signame);
    else
        buf_printf(y, "exit: %d\n", pe->code);
    return true;
}

typedef struct {
    const transcript *t;
    size_t turn_start; /* index of the c2s turn/start */
    size_t resp;       /* index of its answer */
    const char *thread;
    const char *turn;
} turn_ref;

static bool line_of_turn(const tline *x, const turn_ref *r) {
    const cJSON *p = get(x->j, "params");
    const char *tid = gstr(p, "turnId");
    if (!tid) tid = gstr(get(p, "turn"), "id");
    if (tid) return is(tid, r->turn);
    const char *th = gstr(p, "threadId");
    const char *m = method_of(x);
    return th && is(th, r->thread) &&
           (is(m, "thread/status/changed") || is(m, "serverRequest/resolved"));
}

/* One turn's steps into y. `pe` (NULL: none) is the process's own end when it came during this
 * turn: an unfinished turn then ends with it instead of waiting forever; returns whether it was
 * dealt with (converted, or a note says why not). */
static bool convert_turn(const turn_ref *r, buf *y, const proc_end *pe, convert_notes *notes) {
    const transcript *t = r->t;
    turn_state ts = {.y = y, .notes = notes};
    double t_resp = t->v[r->resp].t;
    open_item items[64];
    size_t n_items = 0;
    double anchor = -1, active = -1, turn_end = -1;
    bool completed = false;
    /* the last s2c line of this turn, to end never-completed items */
    for (size_t i = r->resp + 1; i < t->n; i++)
        if (t->v[i].s2c && t->v[i].j && line_of_turn(&t->v[i], r)) turn_end = t->v[i].t;
    for (size_t i = r->resp + 1; i < t->n; i++)
        if (!t->v[i].s2c) turn_end = turn_end > t->v[i].t ? turn_end : t->v[i].t;
    buf steps;
    buf_init(&steps);
    ts.y = &steps;
    for (size_t i = r->resp + 1; i < t->n && !completed; i++) {
        const tline *x = &t->v[i];
        if (!x->s2c || !x->j || !line_of_turn(x, r)) continue;
        const char *m = method_of(x);
        const cJSON *p = get(x->j, "params");
        const cJSON *item = get(p, "item");
        const char *itype = gstr(item, "type");
        const char *iid = gstr(item, "id");
        if (is(m, "thread/status/changed")) {
            if (active < 0 && is(gstr(get(p, "status"), "type"), "active")) active = x->t;
            continue;
        }
        if (anchor < 0) {
            if (is(m, "item/completed") && is(itype, "userMessage")) {
                anchor = x->t;
                ts.t = anchor;
            }
            continue;
        }
        if (is(m, "item/started") && iid) {
            open_item *it = item_slot(items, &n_items, iid);
            if (!it->open && !it->started) {
                it->started = x->t;
                it->type = itype;
                it->open = true;
            }
            if (is(itype, "userMessage"))
                convert_note(notes, "a steered userMessage is not converted");
        } else if (is(m, "item/agentMessage/delta") || is(m, "item/commandExecution/outputDelta")) {
            const char *id = gstr(p, "itemId");
            const char *d = gstr(p, "delta");
            if (!id || !d) continue;
            open_item *it = item_slot(items, &n_items, id);
            it->chunks = xrealloc(it->chunks, (it->n_chunks + 1) * sizeof *it->chunks);
            it->chunks[it->n_chunks++] = (chunk){xstrdup(d), x->t};
        } else if ((is(m, "item/commandExecution/requestApproval") ||
                    is(m, "item/fileChange/requestApproval")) &&
                   cJSON_IsNumber(get(x->j, "id"))) {
            clear_ask(&ts);
            ts.asked = true;
            snprintf(ts.ask_item, sizeof ts.ask_item, "%s",
                     gstr(p, "itemId") ? gstr(p, "itemId") : "");
            ts.reason = gstr(p, "reason");
            long a = find_answer(t, i + 1, get(x->j, "id")->valuedouble);
            ts.decision = a >= 0 ? decision_of(t->v[a].j) : NULL;
            if (!ts.decision) convert_note(notes, "an approval was never answered: the turn waits");
        } else if (is(m, "serverRequest/resolved")) {
            ts.resolved = x->t;
        } else if (is(m, "turn/diff/updated")) {
            free(ts.diff);
            ts.diff = gstr(p, "diff") ? xstrdup(gstr(p, "diff")) : NULL;
        } else if (is(m, "thread/tokenUsage/updated")) {
            const cJSON *last = get(get(p, "tokenUsage"), "last");
            const cJSON *tt = get(last, "totalTokens");
            const cJSON *in = get(last, "inputTokens");
            bool window = cJSON_IsNumber(tt) && cJSON_IsNumber(in) && in->valuedouble == 0 &&
                          tt->valuedouble > 0;
            if (!window) {
                ts.in += (long long)cJSON_GetNumberValue(in);
                ts.cached += (long long)cJSON_GetNumberValue(get(last, "cachedInputTokens"));
                ts.out += (long long)cJSON_GetNumberValue(get(last, "outputTokens"));
                ts.reasoning += (long long)cJSON_GetNumberValue(get(last, "reasoningOutputTokens"));
                ts.any_usage = true;
            }
            if (ts.tool_usage_pending || window) {
                ts.tool_usage_pending = false;
                continue;
            }
            /* a request that showed no item, unless this is the turn's last pair */
            bool more = false;
            for (size_t k = i + 1; k < t->n && !more; k++) {
                const tline *z = &t->v[k];
                if (!z->s2c || !z->j || !line_of_turn(z, r)) continue;
                const char *zm = method_of(z);
                if (is(zm, "turn/completed")) break;
                more = is(zm, "item/started");
            }
            if (more) {
                flush_reconnects(&ts, x->t - USAGE_PAIR_MS);
                buf_puts(&steps, "      - model_request: tool_search\n");
                put_after(&ts, x->t - USAGE_PAIR_MS);
                ts.t = x->t - USAGE_PAIR_MS;
            }
        } else if (is(m, "error")) {
            const cJSON *e = get(p, "error");
            if (cJSON_IsTrue(get(p, "willRetry"))) {
                ts.errs = xrealloc(ts.errs, (ts.n_errs + 1) * sizeof *ts.errs);
                ts.errs[ts.n_errs++] = x->t;
                const cJSON *info = get(e, "codexErrorInfo");
                const cJSON *hc = info && info->child ? get(info->child, "httpStatusCode") : NULL;
                if (cJSON_IsNumber(hc)) ts.http_status = hc->valueint;
                const char *slash = gstr(e, "message") ? strrchr(gstr(e, "message"), '/') : NULL;
                if (slash) ts.max = atoi(slash + 1);
                if (!ts.details && gstr(e, "additionalDetails"))
                    ts.details = xstrdup(gstr(e, "additionalDetails"));
            } else {
                emit_failure(&ts, p, x->t);
            }
        } else if (is(m, "item/completed") && iid) {
            open_item *it = item_slot(items, &n_items, iid);
            if (!it->started) it->started = x->t;
            if (!is(itype, "userMessage")) flush_reconnects(&ts, it->started);
            it->open = false;
            if (is(itype, "agentMessage")) {
                emit_message(&ts, item, it, true, turn_end);
            } else if (is(itype, "reasoning")) {
                emit_reasoning(&ts, item, it);
            } else if (is(itype, "commandExecution")) {
                emit_command(&ts, item, it, x->t);
                ts.tool_usage_pending = true;
            } else if (is(itype, "fileChange")) {
                /* its diff: the turn/diff/updated right after it */
                char *diff = NULL;
                for (size_t k = i + 1; k < t->n && !diff; k++) {
                    const tline *z = &t->v[k];
                    if (z->s2c && is(method_of(z), "turn/diff/updated") && line_of_turn(z, r))
                        diff = gstr(get(z->j, "params"), "diff")
                                   ? xstrdup(gstr(get(z->j, "params"), "diff"))
                                   : NULL;
                    if (z->s2c && is(method_of(z), "item/started")) break;
                }
                emit_file_change(&ts, item, it, x->t, diff);
                free(diff);
                ts.tool_usage_pending = true;
            } else if (is(itype, "mcpToolCall")) {
                emit_mcp(&ts, item, it, x->t);
                ts.tool_usage_pending = true;
            } else if (!is(itype, "userMessage")) {
                convert_note(notes, "a %s item is not converted", itype ? itype : "typeless");
            }
            clear_ask(&ts);
            chunk_free(it);
        } else if (is(m, "turn/completed")) {
            completed = true;
        } else if (!is(m, "turn/started") && !is(m, "item/reasoning/summaryPartAdded") &&
                   !is(m, "item/reasoning/summaryTextDelta") &&
                   !is(m, "thread/readState/changed") && !is(m, "item/started")) {
            /* the fake writes the rest of what it knows on its own (usage pairs, status) */
            convert_note(notes, "a %s notification is not converted", m ? m : "method-less");
        }
    }
    /* items that started but never completed (an interrupted or abandoned turn) */
    bool any_open = false;
    for (size_t i = 0; i < n_items; i++) {
        if (!items[i].open) continue;
        any_open = true;
        if (is(items[i].type, "agentMessage"))
            emit_message(&ts, NULL, &items[i], false, turn_end);
        else
            convert_note(notes, "a %s item that never completed is not converted", items[i].type);
    }
    if (ts.any_usage && (ts.in || ts.out)) {
        buf_printf(&steps,
                   "      - usage: {input_tokens: %lld, cached_input_tokens: %lld, "
                   "output_tokens: %lld",
                   ts.in, ts.cached, ts.out);
        if (ts.reasoning) buf_printf(&steps, ", reasoning_output_tokens: %lld", ts.reasoning);
        buf_puts(&steps, "}\n");
    }
    bool ended_here = false;
    /* a step cannot end the process inside an item (a message's deltas all go out, then its
     * item/completed): the process's own end is converted only between items */
    bool said = false;
    if (!completed && pe && any_open) {
        convert_note(notes,
                     "the process ended by itself while an item was open: the turn waits instead");
        said = true;
    } else if (!completed && pe && pe->t >= ts.t && put_proc_end(&steps, pe, 6)) {
        put_after(&ts, pe->t);
        ended_here = true;
    }
    if (!completed && !ended_here) buf_puts(&steps, "      - stall: forever\n");
    buf_puts(y, "  - ");
    if (active >= 0) {
        buf_puts(y, "started_after: ");
        put_ms(y, active - t_resp);
        buf_puts(y, "\n    ");
    }
    buf_puts(y, "steps:\n");
    if (!steps.len) buf_puts(&steps, "      - message: \"unused\"\n");
    buf_append(y, steps.data, steps.len);
    buf_free(&steps);
    for (size_t i = 0; i < n_items; i++)
        chunk_free(&items[i]);
    clear_ask(&ts);
    free(ts.errs);
    free(ts.details);
    free(ts.diff);
    return ended_here || said;
}

/* ---------------------------------------------------------------- one process */

/* Where each turn/start goes: the fake plays a thread's Nth turn from its scenario's Nth, so
 * threads whose turns would take the same place get scenarios of their own (groups; group 0 is
 * the process's scenario), chosen per turn/start by a rules file matching the prompt. */
enum { MAX_GROUPS = 8, MAX_IDX = 16 };

typedef struct {
    size_t line; /* the c2s turn/start */
    size_t resp; /* its answer */
    const char *thread, *turn;
    int group, idx;
    char *prompt; /* the input's text parts joined by "\n" */
} turn_place;

typedef struct {
    turn_place *v;
    size_t n;
    int n_groups;
} placement;

typedef struct {
    char id[64];
    int turns;
    int group; /* -1: not placed yet */
} thread_count;

static void placement_free(placement *p) {
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].prompt);
    free(p->v);
}

static void place_turns(const transcript *t, placement *pl, convert_notes *notes) {
    memset(pl, 0, sizeof *pl);
    pl->n_groups = 1;
    bool used[MAX_GROUPS][MAX_IDX] = {{0}};
    thread_count threads[32];
    size_t n_threads = 0;
    for (size_t i = 0; i < t->n; i++) {
        const tline *x = &t->v[i];
        if (!x->j || x->s2c) continue;
        const char *m = method_of(x);
        if (!cJSON_IsNumber(get(x->j, "id"))) continue;
        if (is(m, "thread/resume") || is(m, "thread/start") || is(m, "thread/fork")) {
            long r = find_response(t, i + 1, get(x->j, "id")->valuedouble);
            const cJSON *th = r >= 0 ? get(get(t->v[r].j, "result"), "thread") : NULL;
            if (th && gstr(th, "id") && n_threads < 32) {
                thread_count *c = &threads[n_threads++];
                snprintf(c->id, sizeof c->id, "%s", gstr(th, "id"));
                c->turns = is(m, "thread/resume") ? cJSON_GetArraySize(get(th, "turns")) : 0;
                c->group = -1;
            }
            continue;
        }
        if (!is(m, "turn/start")) continue;
        long r = find_response(t, i + 1, get(x->j, "id")->valuedouble);
        const cJSON *turn = r >= 0 ? get(get(t->v[r].j, "result"), "turn") : NULL;
        const char *thread = gstr(get(x->j, "params"), "threadId");
        if (!turn || !gstr(turn, "id") || !thread) continue;
        thread_count *c = NULL;
        for (size_t k = 0; k < n_threads && !c; k++)
            if (!strcmp(threads[k].id, thread)) c = &threads[k];
        int idx = c ? c->turns++ : 0;
        if (idx >= MAX_IDX) {
            convert_note(notes, "turns past the %dth of a thread are not converted", MAX_IDX);
            continue;
        }
        int g = c && c->group >= 0 ? c->group : -1;
        if (g < 0) {
            for (g = 0; g < MAX_GROUPS && used[g][idx]; g++)
                ;
            if (g == MAX_GROUPS) {
                convert_note(notes, "more than %d threads' turns at one place: not all converted",
                             MAX_GROUPS);
                continue;
            }
            if (c) c->group = g;
        }
        if (used[g][idx]) continue;
        used[g][idx] = true;
        if (g + 1 > pl->n_groups) pl->n_groups = g + 1;
        buf prompt;
        buf_init(&prompt);
        const cJSON *in;
        bool first = true;
        cJSON_ArrayForEach(in, get(get(x->j, "params"), "input")) {
            if (!is(gstr(in, "type"), "text") || !gstr(in, "text")) continue;
            if (!first) buf_putc(&prompt, '\n');
            first = false;
            buf_puts(&prompt, gstr(in, "text"));
        }
        if (!prompt.data) buf_puts(&prompt, "");
        pl->v = xrealloc(pl->v, (pl->n + 1) * sizeof *pl->v);
        pl->v[pl->n++] =
            (turn_place){i, (size_t)r, thread, gstr(turn, "id"), g, idx, buf_detach(&prompt)};
    }
}

static void emit_proc(const transcript *t, const placement *pl, int group, const char *exit_json,
                      const char *name, buf *y, convert_notes *notes) {
    buf_puts(y, "codex_mock: 1\nname: ");
    put_q(y, name);
    buf_putc(y, '\n');
    long first = -1;
    for (size_t i = 0; i < t->n && first < 0; i++)
        if (t->v[i].s2c && is_response(&t->v[i])) first = (long)i;
    if (first >= 0 && group == 0) {
        buf_puts(y, "startup: ");
        put_ms(y, t->v[first].t - 0.3);
        buf_putc(y, '\n');
    }
    /* junk before the first answer */
    bool junk = false;
    for (long i = 0; group == 0 && i < (first < 0 ? (long)t->n : first); i++) {
        const tline *x = &t->v[i];
        if (!x->s2c || (x->j && (get(x->j, "method") || get(x->j, "id")))) continue;
        if (!x->text) {
            convert_note(notes,
                         "a server line that is not UTF-8 before the handshake is not converted");
            continue;
        }
        if (!junk) buf_puts(y, "before_initialize:\n");
        junk = true;
        buf_puts(y, "  - raw: ");
        put_q(y, x->text);
        buf_puts(y, "\n");
    }
    /* lines that are no JSON-RPC message after the handshake: no step carries them yet */
    for (size_t i = first < 0 ? t->n : (size_t)first; group == 0 && i < t->n; i++) {
        const tline *x = &t->v[i];
        if (x->s2c && (!x->j || !(get(x->j, "method") || get(x->j, "id"))))
            convert_note(notes,
                         "a server line that is no JSON-RPC message after the first answer is not "
                         "converted");
    }
    /* the model and provider of the first thread */
    for (size_t i = 0; i < t->n; i++) {
        const cJSON *res = t->v[i].s2c && is_response(&t->v[i]) ? get(t->v[i].j, "result") : NULL;
        const char *model = gstr(res, "model"), *prov = gstr(res, "modelProvider");
        if (model && prov && get(res, "thread")) {
            buf_puts(y, "cli: {provider: ");
            put_q(y, prov);
            buf_puts(y, ", model: ");
            put_q(y, model);
            buf_puts(y, "}\n");
            break;
        }
    }
    /* a process that ended by itself: in the last turn answered before its end, or, when no
     * request but initialize was answered by then, right after the handshake */
    proc_end pe = group == 0 ? read_proc_end(exit_json) : (proc_end){0};
    /* a client line that may not be UTF-8 before the end: the reader stops there and the
     * process exits (corpus 06), which the fake does by itself too */
    for (size_t i = 0; pe.self && i < t->n; i++)
        if (!t->v[i].s2c && t->v[i].b64 && t->v[i].t <= pe.t) pe.self = false;
    bool end_used = false;
    long end_turn = -1;
    for (size_t i = 0; pe.self && i < pl->n; i++)
        if (pl->v[i].group == 0 && t->v[pl->v[i].resp].t <= pe.t &&
            (end_turn < 0 || t->v[pl->v[i].resp].t >= t->v[pl->v[end_turn].resp].t))
            end_turn = (long)i;
    if (proc_end_playable(&pe) && end_turn < 0 && first >= 0) {
        size_t answers = 0;
        for (size_t i = 0; i < t->n; i++)
            if (t->v[i].s2c && is_response(&t->v[i]) && t->v[i].t <= pe.t) answers++;
        if (answers <= 1) {
            buf_puts(y, "after_initialize:\n");
            end_used = put_proc_end(y, &pe, 2);
            if (pe.t - t->v[first].t > 50)
                convert_note(notes,
                             "the process ended %.1f ms after its first answer; the scenario ends "
                             "it right after the handshake",
                             pe.t - t->v[first].t);
        }
    }
    buf slots[MAX_IDX];
    bool filled[MAX_IDX] = {0};
    size_t n_slots = 0;
    for (size_t i = 0; i < pl->n; i++) {
        const turn_place *tp = &pl->v[i];
        if (tp->group != group) continue;
        while (n_slots <= (size_t)tp->idx)
            buf_init(&slots[n_slots++]);
        turn_ref ref = {.t = t,
                        .turn_start = tp->line,
                        .resp = tp->resp,
                        .thread = tp->thread,
                        .turn = tp->turn};
        if (convert_turn(&ref, &slots[tp->idx], (long)i == end_turn ? &pe : NULL, notes))
            end_used = true;
        filled[tp->idx] = true;
    }
    buf_puts(y, "turns:\n");
    if (!n_slots) buf_puts(y, "  - steps:\n      - message: \"unused\"\n");
    for (size_t k = 0; k < n_slots; k++) {
        if (!filled[k])
            buf_puts(y,
                     "  - steps:\n      - message: \"unused\"  # played by an earlier process\n");
        else
            buf_append(y, slots[k].data, slots[k].len);
        buf_free(&slots[k]);
    }
    if (pe.self && !end_used) {
        if (pe.signame[0])
            convert_note(notes,
                         "the process died by %s by itself where no step can say it: not converted",
                         pe.signame);
        else
            convert_note(notes,
                         "the process exited %d by itself where no step can say it (no turn was "
                         "running): not converted",
                         pe.code);
    }
}

/* A YAML double-quoted scalar as given (no templates: rules files do not read them). */
static void put_plain_q(buf *y, const char *s) {
    buf_putc(y, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(y, '\\'), buf_putc(y, (char)*p);
        else if (*p == '\n')
            buf_puts(y, "\\n");
        else if (*p < 0x20 || *p == 0x7f)
            buf_printf(y, "\\x%02x", *p);
        else
            buf_putc(y, (char)*p);
    }
    buf_putc(y, '"');
}

/* The rules file choosing each turn/start's scenario by its prompt (POSIX ERE, anchored). */
static void emit_rules(const placement *pl, const char *stem, buf *y, convert_notes *notes) {
    buf_printf(y,
               "# which scenario plays each turn/start of %s (docs/rules.md; the scenario\n"
               "# names resolve on CODEX_MOCK_SCENARIO_PATH: point it at this folder)\n"
               "codex_mock_rules: 1\nrules:\n",
               stem);
    for (size_t i = 0; i < pl->n; i++) {
        const turn_place *tp = &pl->v[i];
        if (!tp->group) continue;
        for (size_t k = 0; k < pl->n; k++)
            if (pl->v[k].group != tp->group && !strcmp(pl->v[k].prompt, tp->prompt))
                convert_note(notes,
                             "two threads' turns have the same prompt: the rules file cannot tell "
                             "them apart");
        buf re;
        buf_init(&re);
        buf_putc(&re, '^');
        for (const char *p = tp->prompt; *p; p++) {
            if (strchr(".[]{}()\\*+?^$|", *p)) buf_putc(&re, '\\');
            buf_putc(&re, *p);
        }
        buf_putc(&re, '$');
        buf_printf(y, "  - name: thread%d-turn%d\n    match: {command: app-server, prompt: ",
                   tp->group + 1, tp->idx + 1);
        put_plain_q(y, re.data);
        buf_printf(y, "}\n    scenario: ");
        char *sc = xasprintf("%s.thread%d", stem, tp->group + 1);
        put_plain_q(y, sc);
        free(sc);
        buf_putc(y, '\n');
        buf_free(&re);
    }
    buf_puts(y, "  - name: thread1\n    scenario: ");
    put_plain_q(y, stem);
    buf_putc(y, '\n');
}

/* ---------------------------------------------------------------- the replay check */

typedef struct {
    char id[128];
    double start;     /* ms after the anchor (the userMessage's completion) */
    const char *text; /* a message's text, a command's command (recorded) */
} rec_item;

/* The completed items of a turn after its userMessage, in order of completion; the number
 * of them (at most max). *asked_at: the index of the first item that asked for approval. */
static size_t recorded_items(const transcript *t, const turn_place *tp, rec_item *v, size_t max,
                             size_t *asked_at) {
    turn_ref r = {
        .t = t, .turn_start = tp->line, .resp = tp->resp, .thread = tp->thread, .turn = tp->turn};
    double anchor = -1;
    size_t n = 0;
    *asked_at = max;
    struct {
        char id[128];
        double t;
    } started[64];
    size_t n_started = 0;
    for (size_t i = tp->resp + 1; i < t->n && n < max; i++) {
        const tline *x = &t->v[i];
        if (!x->s2c || !x->j || !line_of_turn(x, &r)) continue;
        const char *m = method_of(x);
        const cJSON *item = get(get(x->j, "params"), "item");
        const char *type = gstr(item, "type"), *id = gstr(item, "id");
        if (is(m, "turn/completed")) break;
        if (anchor < 0) {
            if (is(m, "item/completed") && is(type, "userMessage")) anchor = x->t;
            continue;
        }
        if (strstr(m ? m : "", "requestApproval") && *asked_at == max) *asked_at = n;
        if (!id || is(type, "userMessage")) continue;
        if (is(m, "item/started") && n_started < 64) {
            snprintf(started[n_started].id, sizeof started[n_started].id, "%s", id);
            started[n_started++].t = x->t;
        }
        if (!is(m, "item/completed")) continue;
        rec_item *ri = &v[n++];
        snprintf(ri->id, sizeof ri->id, "%s", id);
        ri->start = x->t;
        for (size_t k = 0; k < n_started; k++)
            if (!strcmp(started[k].id, id)) {
                ri->start = started[k].t;
                break;
            }
        ri->start -= anchor;
        ri->text = is(type, "agentMessage") ? gstr(item, "text") : NULL;
    }
    return n;
}

/* Plans each converted turn as the fake does (real pace, the recorded run folder as cwd) and
 * compares it with the recording: the same items in the same order, the same message texts,
 * each item's start at its recorded offset from the turn's start (to 0.5 ms; until the first
 * approval, whose wait for the client the plan cannot know). A difference is a note. */
static void replay_check(const transcript *t, const placement *pl, int group, const scenario *sc,
                         convert_notes *notes) {
    for (size_t i = 0; i < pl->n; i++) {
        const turn_place *tp = &pl->v[i];
        if (tp->group != group || (size_t)tp->idx >= sc->n_turns) continue;
        rec_item rec[64];
        size_t asked_at;
        size_t n_rec = recorded_items(t, tp, rec, 64, &asked_at);
        rng g;
        rng_seed(&g, 1);
        template_vars vars = {.cwd = "{{RUN}}/work", .prompt = tp->prompt};
        plan_params pp = {.sc = sc,
                          .turn = (size_t)tp->idx,
                          .speed = 1,
                          .rng = &g,
                          .cwd = "{{RUN}}/work",
                          .thread_id = PLAN_PLACEHOLDER_THREAD_ID,
                          .prompt = tp->prompt,
                          .vars = &vars};
        planner p;
        plan_init(&p, &pp);
        action a;
        int64_t turn_start = -1;
        size_t k = 0;
        bool differs = false;
        char first_id[128] = "";
        int64_t first_due = 0;
        while (plan_next(&p, &a) && k <= n_rec) {
            if (a.kind != ACT_EVENT) continue;
            if (a.ev.type == EV_TURN_STARTED) turn_start = a.raw_due_ns;
            if (a.ev.type != EV_ITEM_STARTED && a.ev.type != EV_ITEM_COMPLETED) continue;
            char id[128];
            snprintf(id, sizeof id, "%.*s", (int)a.ev.item.id.len, a.ev.item.id.ptr);
            if (a.ev.type == EV_ITEM_STARTED || strcmp(first_id, id)) {
                if (strcmp(first_id, id)) first_due = a.raw_due_ns;
                snprintf(first_id, sizeof first_id, "%s", id);
            }
            if (a.ev.type != EV_ITEM_COMPLETED) continue;
            if (k == n_rec) { /* a message the recording never saw complete */
                k++;
                break;
            }
            const rec_item *ri = &rec[k];
            double at = (double)(first_due - turn_start) / 1e6;
            if (strcmp(ri->id, id)) {
                convert_note(notes,
                             "replay check: turn %d plays item %s where the recording has %s",
                             tp->idx + 1, id, ri->id);
                differs = true;
                break;
            }
            if (ri->text && (a.ev.item.u.text.text.len != strlen(ri->text) ||
                             memcmp(a.ev.item.u.text.text.ptr, ri->text, strlen(ri->text)))) {
                convert_note(notes, "replay check: turn %d's message %s is not the recorded text",
                             tp->idx + 1, id);
                differs = true;
                break;
            }
            if (k <= asked_at && (at - ri->start > 0.5 || ri->start - at > 0.5)) {
                convert_note(notes,
                             "replay check: turn %d's item %s starts at %.1f ms, recorded %.1f ms",
                             tp->idx + 1, id, at, ri->start);
                differs = true;
                break;
            }
            k++;
        }
        if (k < n_rec && !differs)
            convert_note(notes, "replay check: turn %d plays %zu of the %zu recorded items",
                         tp->idx + 1, k, n_rec);
        plan_free(&p);
    }
}

static int prove(const char *name, const buf *y, const transcript *t, const placement *pl,
                 int group, convert_notes *notes, diag *err) {
    scenario sc;
    diag lerr;
    diag_init(&lerr);
    if (scenario_load_mem(name, y->data, y->len, &sc, &lerr) < 0) {
        char *why = diag_format(&lerr);
        diag_set(err, name, 0, 0, "the converted scenario does not load: %s", why ? why : "?");
        free(why);
        diag_free(&lerr);
        return -1;
    }
    diag_free(&lerr);
    if (t) replay_check(t, pl, group, &sc, notes);
    findings f = {0};
    lint_scenario(&sc, &f);
    int rc = 0;
    for (size_t i = 0; i < f.n; i++)
        if (f.v[i].level == FIND_ERROR) {
            diag_set(err, name, f.v[i].line, f.v[i].col, "the converted scenario fails lint: %s",
                     f.v[i].msg);
            rc = -1;
            break;
        }
    (void)notes;
    findings_free(&f);
    scenario_free(&sc);
    return rc;
}

static void put_notes(buf *y, const convert_notes *notes, size_t from) {
    if (notes->n <= from) return;
    buf head;
    buf_init(&head);
    for (size_t i = from; i < notes->n; i++)
        buf_printf(&head, "# note: %s\n", notes->v[i]);
    buf_append(&head, y->data, y->len);
    buf_reset(y);
    buf_append(y, head.data, head.len);
    buf_free(&head);
}

/* One process's files: its scenario (suffix ""), one per further thread group (".threadN")
 * and the rules file (".rules") when there are such groups. */
static int convert_proc_files(const char *data, size_t len, const char *exit_json, const char *stem,
                              const char *header, convert_as_result *out, const char *prefix,
                              convert_notes *notes, diag *err) {
    transcript t;
    if (transcript_parse(data, len, &t, err) < 0) {
        transcript_free(&t);
        return -1;
    }
    placement pl;
    place_turns(&t, &pl, notes);
    int rc = 0;
    for (int g = 0; g < pl.n_groups && rc == 0; g++) {
        char *name = g ? xasprintf("%s.thread%d", stem, g + 1) : xstrdup(stem);
        size_t from = notes->n;
        buf y;
        buf_init(&y);
        emit_proc(&t, &pl, g, exit_json, name, &y, notes);
        rc = prove(name, &y, &t, &pl, g, notes, err);
        if (rc == 0) {
            put_notes(&y, notes, from);
            out->files = xrealloc(out->files, (out->n + 1) * sizeof *out->files);
            convert_as_file *f = &out->files[out->n++];
            f->suffix = g ? xasprintf("%s.thread%d", prefix, g + 1) : xstrdup(prefix);
            buf_init(&f->yaml);
            if (header) buf_puts(&f->yaml, header);
            buf_append(&f->yaml, y.data, y.len);
        }
        buf_free(&y);
        free(name);
    }
    if (rc == 0 && pl.n_groups > 1) {
        out->files = xrealloc(out->files, (out->n + 1) * sizeof *out->files);
        convert_as_file *f = &out->files[out->n++];
        f->suffix = xasprintf("%s.rules", prefix);
        buf_init(&f->yaml);
        emit_rules(&pl, stem, &f->yaml, notes);
    }
    placement_free(&pl);
    transcript_free(&t);
    return rc;
}

int convert_appserver_proc(const char *data, size_t len, const char *exit_json, const char *name,
                           buf *yaml, convert_notes *notes, diag *err) {
    convert_as_result r = {0};
    int rc = convert_proc_files(data, len, exit_json, name, NULL, &r, "", notes, err);
    if (rc == 0) buf_append(yaml, r.files[0].yaml.data, r.files[0].yaml.len);
    convert_as_result_free(&r);
    return rc;
}

static int convert_one(const char *dir, const char *stem, const char *prefix,
                       convert_as_result *out, convert_notes *notes, diag *err) {
    char *p = xasprintf("%s/transcript.jsonl", dir);
    size_t len = 0;
    char *data = fileio_read_file(p, 0, &len);
    if (!data) {
        diag_set(err, p, 0, 0, "cannot read the transcript");
        free(p);
        return -1;
    }
    char *e = xasprintf("%s/exit.json", dir);
    char *ex = fileio_read_file(e, 0, NULL);
    char *header = xasprintf("# converted from %s by codex-mock convert\n", dir);
    int rc = convert_proc_files(data, len, ex, stem, header, out, prefix, notes, err);
    free(header), free(ex), free(e), free(data), free(p);
    return rc;
}

int convert_appserver(const char *dir, const convert_options *o, const char *stem,
                      convert_as_result *out, convert_notes *notes, diag *err) {
    (void)o;
    memset(out, 0, sizeof *out);
    const char *base = strrchr(dir, '/');
    base = base && base[1] ? base + 1 : dir;
    if (!stem) stem = base;
    char *single = xasprintf("%s/transcript.jsonl", dir);
    bool one = exists(single);
    free(single);
    int n_procs = 0;
    for (int k = 1;; k++) {
        char *pd = one ? xstrdup(dir) : xasprintf("%s/proc%d", dir, k);
        char *probe = xasprintf("%s/transcript.jsonl", pd);
        bool have = exists(probe);
        free(probe);
        if (!have) {
            free(pd);
            break;
        }
        n_procs++;
        char *pstem = one ? xstrdup(stem) : xasprintf("%s.proc%d", stem, k);
        char *prefix = one ? xstrdup("") : xasprintf(".proc%d", k);
        int rc = convert_one(pd, pstem, prefix, out, notes, err);
        free(pstem), free(prefix), free(pd);
        if (rc < 0) return -1;
        if (one) break;
    }
    if (!n_procs) {
        diag_set(err, dir, 0, 0, "no transcript.jsonl (nor proc1/transcript.jsonl)");
        return -1;
    }
    return 0;
}

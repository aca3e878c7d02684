/* record_appserver — writes an app-server recording in the corpus layout (record_appserver.h). */
#include "record_appserver.h"
#include "base64.h"
#include "fileio.h"
#include "json_check.h"
#include "jsonw.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- pieces */

static void put_ms(buf *b, int64_t t) {
    if (t < 0) {
        buf_puts(b, "null");
        return;
    }
    buf_printf(b, "%lld.%lld", (long long)(t / 10), (long long)(t % 10));
}

/* The text a reader shows for bytes that are not UTF-8: each bad byte becomes U+FFFD. */
static void lossy_utf8(buf *b, const char *s, size_t len) {
    while (len) {
        size_t ok = utf8_valid_up_to(s, len);
        buf_append(b, s, ok);
        if (ok == len) break;
        buf_puts(b, "\xef\xbf\xbd");
        s += ok + 1;
        len -= ok + 1;
    }
}

void record_tx_line(buf *b, int64_t t, char dir, const char *line, size_t len, bool eol) {
    buf_puts(b, "{\"t_ms\": ");
    put_ms(b, t);
    buf_puts(b, dir == 'c' ? ", \"dir\": \"c2s\", \"line\": " : ", \"dir\": \"s2c\", \"line\": ");
    bool exact = json_utf8_valid(line, len) && !memchr(line, '\0', len);
    if (exact) {
        jsonw_string(b, line, len);
    } else {
        buf text;
        buf_init(&text);
        lossy_utf8(&text, line, len);
        /* NUL is valid UTF-8 but cuts most readers' strings: the exact bytes go to line_b64 */
        jsonw_string(b, text.data ? text.data : "", text.len);
        buf_free(&text);
        buf_puts(b, ", \"line_b64\": \"");
        base64_encode(b, line, len);
        buf_putc(b, '"');
    }
    if (!eol) buf_puts(b, ", \"eol\": false");
    buf_puts(b, "}\n");
}

bool record_is_appserver(char *const *argv) {
    /* codex's global options that take a value */
    static const char *const with_value[] = {
        "-c",       "--config",  "-p", "--profile", "-m",        "--model",
        "-C",       "--cd",      "-s", "--sandbox", "-a",        "--ask-for-approval",
        "--enable", "--disable", "-i", "--image",   "--add-dir", "--local-provider",
        NULL};
    if (!argv || !argv[0]) return false;
    for (size_t i = 1; argv[i]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) return false;
        if (a[0] == '-') {
            for (size_t k = 0; with_value[k]; k++)
                if (!strcmp(a, with_value[k]) && argv[i + 1]) {
                    i++;
                    break;
                }
            continue;
        }
        return !strcmp(a, "app-server");
    }
    return false;
}

static void put_id(buf *b, const cJSON *id) {
    if (cJSON_IsString(id)) {
        buf_puts(b, id->valuestring);
    } else if (cJSON_IsNumber(id)) {
        char *t = cJSON_PrintUnformatted(id);
        buf_puts(b, t);
        cJSON_free(t);
    } else {
        buf_puts(b, "null");
    }
}

char *record_sequence_name(char dir, const char *line, size_t len) {
    buf b;
    buf_init(&b);
    buf_puts(&b, dir == 'c' ? "> " : "< ");
    cJSON *j = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(j)) {
        buf_puts(&b, "(not a JSON object)");
        cJSON_Delete(j);
        return buf_detach(&b);
    }
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(j, "method");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (cJSON_IsString(method)) {
        buf_puts(&b, method->valuestring);
        const cJSON *item =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "params"), "item");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(item, "type");
        if (cJSON_IsString(type)) buf_printf(&b, ":%s", type->valuestring);
        if (id) {
            buf_putc(&b, '#');
            put_id(&b, id);
        }
    } else if (error) {
        buf_puts(&b, "error#");
        put_id(&b, id);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        if (cJSON_IsNumber(code)) buf_printf(&b, "(%d)", code->valueint);
    } else if (cJSON_GetObjectItemCaseSensitive(j, "result")) {
        buf_puts(&b, "result#");
        put_id(&b, id);
    } else {
        buf_puts(&b, "(other)");
    }
    cJSON_Delete(j);
    return buf_detach(&b);
}

char *record_ended_by(int exit_code, int64_t exit_t, const record_transcript *tx) {
    for (size_t i = 0; i < tx->n_signals; i++)
        if (tx->signals[i].t <= exit_t) {
            const char *name = signal_name_of(tx->signals[i].signo);
            return name ? xasprintf("exited after signal %s", name)
                        : xasprintf("exited after signal %d", tx->signals[i].signo);
        }
    if (exit_code < 0) {
        const char *name = signal_name_of(-exit_code);
        return name ? xasprintf("killed by signal %s", name)
                    : xasprintf("killed by signal %d", -exit_code);
    }
    if (tx->stdin_closed_t >= 0 && tx->stdin_closed_t <= exit_t)
        return xstrdup("exited after stdin EOF");
    return xstrdup("exited by itself (stdin still open)");
}

/* ---------------------------------------------------------------- writing */

static int write_to(const char *dir, const char *name, const char *data, size_t len, diag *err) {
    char *path = xasprintf("%s/%s", dir, name);
    int rc = recording_write_file(path, data ? data : "", len, err);
    free(path);
    return rc;
}

static int write_json(const char *dir, const char *name, cJSON *root, diag *err) {
    char *text = cJSON_Print(root);
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n", text);
    cJSON_free(text);
    int rc = write_to(dir, name, b.data, b.len, err);
    buf_free(&b);
    return rc;
}

static int make_dir(const char *dir, diag *err) {
    if (fileio_mkdirs(dir, 0755) == 0) return 0;
    diag_set(err, dir, 0, 0, "cannot create the directory: %s", strerror(errno));
    return -1;
}

bool record_dir_taken(const char *dir) {
    static const char *const marks[] = {"argv.json", "transcript.jsonl", NULL};
    for (size_t i = 0; marks[i]; i++) {
        char *p = xasprintf("%s/%s", dir, marks[i]);
        bool there = access(p, F_OK) == 0;
        free(p);
        if (there) return true;
    }
    return false;
}

/* A copy of `s` with every line passed through the scrubber (times kept). */
static void scrubbed_stream(const scrubber *sc, const rec_stream *s, rec_stream *out) {
    memset(out, 0, sizeof *out);
    buf_init(&out->bytes);
    for (size_t i = 0; i < s->n_lines; i++) {
        const rec_line *l = &s->lines[i];
        const char *p = s->bytes.data + l->off;
        size_t n = l->len;
        char *own = sc ? scrub_apply(sc, p, n, &n) : NULL;
        /* one line stays one line, whatever a filter matched */
        const char *q = own ? own : p;
        buf_append(&out->bytes, q, n);
        if (out->n_lines == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 64;
            out->lines = xrealloc(out->lines, out->cap * sizeof *out->lines);
        }
        out->lines[out->n_lines++] = (rec_line){l->t, out->bytes.len - n, n};
        free(own);
    }
}

static void stream_drop(rec_stream *s) {
    buf_free(&s->bytes);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

static bool line_eol(const rec_stream *s, size_t i) {
    const rec_line *l = &s->lines[i];
    return l->len && s->bytes.data[l->off + l->len - 1] == '\n';
}

static cJSON *argv_json(const recording *r) {
    cJSON *a = cJSON_CreateObject();
    cJSON *argv = cJSON_AddArrayToObject(a, "argv");
    for (size_t i = 0; i < r->argc; i++)
        cJSON_AddItemToArray(argv, cJSON_CreateString(r->argv[i]));
    cJSON_AddStringToObject(a, "cwd", r->cwd ? r->cwd : "");
    cJSON_AddStringToObject(a, "stdin", r->stdin_tty ? "<terminal>" : "<pipe: client>");
    cJSON *env = cJSON_AddObjectToObject(a, "env");
    for (size_t i = 0; i < r->n_env; i++)
        cJSON_AddStringToObject(env, r->env[i].name, r->env[i].value);
    return a;
}

static void exit_json(buf *b, const recording *r, const record_transcript *tx) {
    int code = r->exit_code;
    const char *sig = code < 0 ? signal_name_of(-code) : NULL;
    char *ended = record_ended_by(code, r->duration_t, tx);
    buf_puts(b, "{\n  \"exit_code\": ");
    if (code >= 0)
        buf_printf(b, "%d", code);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\n  \"signal\": ");
    if (sig)
        jsonw_cstring(b, sig);
    else if (code < 0)
        buf_printf(b, "\"SIG%d\"", -code);
    else
        buf_puts(b, "null");
    buf_printf(b, ",\n  \"returncode\": %d,\n  \"t_ms\": ", code);
    put_ms(b, r->duration_t);
    buf_puts(b, ",\n  \"stdout_eof_ms\": ");
    put_ms(b, tx->stdout_eof_t);
    buf_puts(b, ",\n  \"stdin_closed_ms\": ");
    put_ms(b, tx->stdin_closed_t);
    buf_puts(b, ",\n  \"ended_by\": ");
    jsonw_cstring(b, ended);
    buf_puts(b, "\n}\n");
    free(ended);
}

/* Signals forwarded and the stdin close, in time order. */
static void actions_jsonl(buf *b, const record_transcript *tx) {
    bool closed_done = tx->stdin_closed_t < 0;
    for (size_t i = 0; i <= tx->n_signals; i++) {
        int64_t t = i < tx->n_signals ? tx->signals[i].t : INT64_MAX;
        if (!closed_done && tx->stdin_closed_t <= t) {
            buf_puts(b, "{\"t_ms\": ");
            put_ms(b, tx->stdin_closed_t);
            buf_puts(b, ", \"do\": \"close_stdin\"}\n");
            closed_done = true;
        }
        if (i == tx->n_signals) break;
        const char *name = signal_name_of(tx->signals[i].signo);
        buf_puts(b, "{\"t_ms\": ");
        put_ms(b, t);
        buf_puts(b, ", \"do\": \"signal\", \"name\": ");
        if (name)
            jsonw_cstring(b, name);
        else
            buf_printf(b, "\"%d\"", tx->signals[i].signo);
        buf_puts(b, "}\n");
    }
}

static cJSON *meta_json(const appserver_recording *a, const rec_stream *in, const rec_stream *out,
                        const rec_stream *err) {
    const recording *r = a->r;
    const record_transcript *tx = a->tx;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", r->name ? r->name : "recording");
    cJSON_AddStringToObject(root, "description",
                            r->description ? r->description
                                           : "An app-server session recorded with codex-mock "
                                             "record.");
    cJSON *procs = cJSON_AddArrayToObject(root, "processes");
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToArray(procs, p);
    cJSON_AddNumberToObject(p, "process", 1);
    if (r->exit_code >= 0)
        cJSON_AddNumberToObject(p, "exit_code", r->exit_code);
    else
        cJSON_AddNullToObject(p, "exit_code");
    const char *sig = r->exit_code < 0 ? signal_name_of(-r->exit_code) : NULL;
    if (sig)
        cJSON_AddStringToObject(p, "signal", sig);
    else
        cJSON_AddNullToObject(p, "signal");
    char *ended = record_ended_by(r->exit_code, r->duration_t, tx);
    cJSON_AddStringToObject(p, "ended_by", ended);
    free(ended);
    if (r->duration_t >= 0) cJSON_AddNumberToObject(p, "duration_ms", (double)r->duration_t / 10);
    cJSON_AddNumberToObject(p, "c2s_lines", (double)in->n_lines);
    cJSON_AddNumberToObject(p, "s2c_lines", (double)out->n_lines);
    cJSON_AddNumberToObject(p, "stderr_lines", (double)err->n_lines);
    if (r->signal_name) {
        cJSON *s = cJSON_AddObjectToObject(p, "signal_sent");
        cJSON_AddStringToObject(s, "name", r->signal_name);
        cJSON_AddNumberToObject(s, "sent_at_ms", (double)r->signal_after_t / 10);
    }
    cJSON *seq = cJSON_AddArrayToObject(p, "sequence");
    char *prev = NULL;
    size_t repeat = 0;
    for (size_t i = 0; i <= tx->n_order; i++) {
        char *name = NULL;
        if (i < tx->n_order) {
            const rec_tx_entry *e = &tx->order[i];
            const rec_stream *s = e->dir == 'c' ? in : out;
            if (e->line >= s->n_lines) continue;
            const rec_line *l = &s->lines[e->line];
            name = record_sequence_name(e->dir, s->bytes.data + l->off, l->len);
        }
        if (prev && name && !strcmp(prev, name)) {
            repeat++;
            free(name);
            continue;
        }
        if (prev) {
            char *shown = repeat > 1 ? xasprintf("%s x%zu", prev, repeat) : xstrdup(prev);
            cJSON_AddItemToArray(seq, cJSON_CreateString(shown));
            free(shown);
            free(prev);
        }
        prev = name;
        repeat = 1;
    }
    free(prev);
    cJSON_AddNumberToObject(root, "rollout_files", (double)a->n_rollouts);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(root, "recorded_at", stamp);
    cJSON_AddStringToObject(root, "recorded_by", "codex-mock record");
    return root;
}

/* Concatenates a stream's lines (already scrubbed). */
static int write_stream(const char *dir, const char *name, const rec_stream *s, diag *err) {
    return write_to(dir, name, s->bytes.data, s->bytes.len, err);
}

int record_appserver_write(const appserver_recording *a, const char *dir, diag *err) {
    const recording *r = a->r;
    const record_transcript *tx = a->tx;
    if (make_dir(dir, err) < 0) return -1;
    if (record_dir_taken(dir)) {
        diag_set(err, dir, 0, 0, "already holds a recording; choose another --out");
        return -1;
    }
    rec_stream in, out, errs;
    scrubbed_stream(a->scrub, &tx->in, &in);
    scrubbed_stream(a->scrub, &r->out, &out);
    scrubbed_stream(a->scrub, &r->err, &errs);
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < tx->n_order; i++) {
        const rec_tx_entry *e = &tx->order[i];
        const rec_stream *s = e->dir == 'c' ? &in : &out;
        if (e->line >= s->n_lines) continue;
        const rec_line *l = &s->lines[e->line];
        bool eol = line_eol(s, e->line);
        record_tx_line(&b, l->t, e->dir, s->bytes.data + l->off, eol ? l->len - 1 : l->len, eol);
    }
    int rc = write_to(dir, "transcript.jsonl", b.data, b.len, err);
    if (rc == 0) rc = write_stream(dir, "stdin.txt", &in, err);
    if (rc == 0) rc = write_stream(dir, "stdout.txt", &out, err);
    if (rc == 0) rc = write_stream(dir, "stderr.txt", &errs, err);
    if (rc == 0) {
        buf_reset(&b);
        recording_timing_tsv(&b, &errs);
        rc = write_to(dir, "stderr_timing.tsv", b.data, b.len, err);
    }
    if (rc == 0) {
        buf_reset(&b);
        exit_json(&b, r, tx);
        rc = write_to(dir, "exit.json", b.data, b.len, err);
    }
    if (rc == 0) {
        buf_reset(&b);
        buf_printf(&b, "%d\n", r->exit_code);
        rc = write_to(dir, "exit_code", b.data, b.len, err);
    }
    if (rc == 0) {
        buf_reset(&b);
        actions_jsonl(&b, tx);
        rc = write_to(dir, "actions.jsonl", b.data, b.len, err);
    }
    if (rc == 0 && a->config_toml) {
        size_t n = a->config_len;
        char *c = a->scrub ? scrub_apply(a->scrub, a->config_toml, n, &n) : NULL;
        rc = write_to(dir, "config.toml", c ? c : a->config_toml, n, err);
        free(c);
    }
    if (rc == 0 && a->n_rollouts) {
        char *rdir = xasprintf("%s/rollout", dir);
        rc = make_dir(rdir, err);
        for (size_t i = 0; rc == 0 && i < a->n_rollouts; i++) {
            size_t n = a->rollouts[i].len;
            char *c = a->scrub ? scrub_apply(a->scrub, a->rollouts[i].data, n, &n) : NULL;
            rc = write_to(rdir, a->rollouts[i].name, c ? c : a->rollouts[i].data, n, err);
            free(c);
        }
        free(rdir);
    }
    if (rc == 0) {
        cJSON *j = argv_json(r);
        rc = write_json(dir, "argv.json", j, err);
        cJSON_Delete(j);
    }
    if (rc == 0) {
        cJSON *m = meta_json(a, &in, &out, &errs);
        rc = write_json(dir, "meta.json", m, err);
        cJSON_Delete(m);
    }
    buf_free(&b);
    stream_drop(&in);
    stream_drop(&out);
    stream_drop(&errs);
    return rc;
}

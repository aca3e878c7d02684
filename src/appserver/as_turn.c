/* as_turn — a turn of the app-server face: the scenario's turn, planned by the same planner as
 * exec (plan.h), rendered as the real server's notifications (reference §5, corpus 07/08/14/17/
 * 18/22). The planner's due times keep their offsets from its turn.started; they are anchored
 * at the moment the userMessage item completes. Items become item/started + deltas +
 * item/completed; usage, rate limits, status and turn/completed close the turn. The same events
 * go to a session writer, so the thread's rollout file is what exec writes.
 *
 * A turn plans lazily: its channel asks for more (pull) each time it has written everything. */
#include "as_server.h"

#include "as_cmdactions.h"
#include "as_diff.h"
#include "as_items.h"
#include "as_requests.h"
#include "as_write.h"
#include "chunker.h"
#include "jsonw.h"
#include "uuid.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONTEXT_WINDOW 258400
/* Figures from the corpus (ms, medians): turn/start → its answer, → status active, →
 * userMessage started and completed; the process's first turn (cold: the model client is set up)
 * and later ones (warm; a thread/resume warms it too). */
typedef struct {
    double result, active, user_started, user_completed;
} turn_pace;
static const turn_pace COLD = {12.0, 63.0, 30.0, 5.0};
static const turn_pace WARM = {7.0, 11.0, 15.0, 3.5};
#define TURN_STARTED_MS 0.2
#define DELTA_MS 0.2         /* between reasoning deltas (the recorded stream) */
#define MESSAGE_DELTA_MS 2.5 /* between a message's chunker deltas: a stream, not one burst */
#define ITEM_DONE_MS 2.0
#define USAGE_MS 4.0
#define IDLE_MS 10.0
#define STEER_ANSWER_MS 2.0 /* turn/steer answered (no recording: as quick as interrupt's) */

struct as_turn {
    as_server *s;
    as_thread *th;
    char id[UUID_STR_LEN + 1];
    as_chan ch;
    planner pl;
    bool pl_live;
    bool have_t0;
    int64_t t0_plan; /* planner due of its turn.started */
    int64_t anchor;  /* monotonic time that t0_plan maps to */
    char *prompt;
    int64_t started_ms;
    int64_t start_mono;
    buf final_item; /* the last completed agentMessage item, JSON */
    char *final_text;
    char *pending_error;
    bool ended; /* turn/completed planned: no more pulls */
    bool hung;
    session_writer w;
    bool w_open;
    char cmd_started[64];
    int64_t cmd_started_ms;
    template_vars vars;
    /* approvals (reference §6): the turn waits for the answer to server request req_id */
    bool waiting;
    int64_t req_id;
    int64_t wait_since; /* monotonic: the request was due */
    action held;        /* the step's event the request stopped */
    int64_t held_due;
    const step *approved, *declined; /* the step let through / dropped */
    uint64_t timeout_timer;          /* the approval's `timeout:` (0: none armed) */
    /* an approval's branch (on_accept / on_decline): a planner of its own over those steps,
     * played before the turn's next step */
    const step *branch_after; /* start its on_accept branch once this step's item completed */
    bool in_branch, br_have_t0;
    planner br;
    turn br_turn;
    scenario br_sc;
    int64_t br_t0, br_anchor, br_last;
    /* for the journal: each approval asked (JSON objects, comma separated), and when the
     * client interrupted (ms since the turn started; -1: it did not) */
    buf approvals;
    int64_t interrupt_ms;
    /* model requests (reference §5): a tokenUsage + rateLimits pair after each one; a tool call
     * ends one (its result goes back in the next), the turn's end the last */
    usage per_request; /* the turn's usage split evenly over its requests */
    usage reported;    /* what the pairs so far have reported */
    bool cmd_asked;    /* the running command was approved: its output is not streamed */
    buf turn_diff;     /* the turn's git diff so far (turn/diff/updated), from file changes */
    int exit_code;     /* an `exit:` step's */
    char user_id[UUID_STR_LEN + 1]; /* the userMessage item's id */
    as_turn *next, **prev_next;     /* the server's list of turns */
};

extern char **environ;

static const char *ITEM_ID_FALLBACK = "item";

static void params_head(buf *b, const as_turn *t) {
    buf_printf(b, "{\"threadId\":\"%s\",\"turnId\":\"%s\"", t->th->id, t->id);
}

static void turn_json(buf *b, const as_turn *t, const char *status, const char *items,
                      const char *error, bool started, int64_t done_ms) {
    buf_printf(b,
               "{\"id\":\"%s\",\"rootTurnId\":\"%s\",\"items\":%s,\"itemsView\":\"%s\","
               "\"status\":\"%s\",\"error\":%s,",
               t->id, t->id, items ? items : "[]", items ? "summary" : "notLoaded", status,
               error ? error : "null");
    if (started)
        buf_printf(b, "\"startedAt\":%lld,", (long long)(t->started_ms / 1000));
    else
        buf_puts(b, "\"startedAt\":null,");
    if (done_ms >= 0)
        buf_printf(b, "\"completedAt\":%lld,\"durationMs\":%lld}", (long long)(done_ms / 1000),
                   (long long)(done_ms - t->started_ms));
    else
        buf_puts(b, "\"completedAt\":null,\"durationMs\":null}");
}

static void notify(as_turn *t, int64_t due, const char *method, const buf *params) {
    as_chan_notify(&t->ch, due, method, params->data, params->len);
}

static void status_changed(as_turn *t, int64_t due, const char *status) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "{\"threadId\":\"%s\",\"status\":%s}", t->th->id, status);
    notify(t, due, "thread/status/changed", &b);
    buf_free(&b);
}

static void rate_limits(as_turn *t, int64_t due) {
    buf b;
    buf_init(&b);
    buf_puts(&b,
             "{\"rateLimits\":{\"limitId\":\"codex\",\"limitName\":null,\"normalModelSlug\":null,"
             "\"primary\":null,\"secondary\":null,\"credits\":null,\"individualLimit\":null,"
             "\"spendControlReached\":null,\"planType\":null,\"rateLimitReachedType\":null}}");
    notify(t, due, "account/rateLimits/updated", &b);
    buf_free(&b);
}

static void usage_obj(buf *b, const usage *u, int64_t total) {
    buf_printf(
        b,
        "{\"totalTokens\":%lld,\"inputTokens\":%lld,\"cachedInputTokens\":%lld,"
        "\"cacheWriteInputTokens\":%lld,\"outputTokens\":%lld,\"reasoningOutputTokens\":%lld}",
        (long long)total, (long long)u->input_tokens, (long long)u->cached_input_tokens,
        (long long)u->cache_write_input_tokens, (long long)u->output_tokens,
        (long long)u->reasoning_output_tokens);
}

static void token_usage(as_turn *t, int64_t due, const usage *total, int64_t total_n,
                        const usage *last, int64_t last_n) {
    buf b;
    buf_init(&b);
    params_head(&b, t);
    buf_puts(&b, ",\"tokenUsage\":{\"total\":");
    usage_obj(&b, total, total_n);
    buf_puts(&b, ",\"last\":");
    usage_obj(&b, last, last_n);
    buf_printf(&b, ",\"modelContextWindow\":%d}}", CONTEXT_WINDOW);
    notify(t, due, "thread/tokenUsage/updated", &b);
    buf_free(&b);
}

static void usage_add(usage *to, const usage *u) {
    to->input_tokens += u->input_tokens;
    to->cached_input_tokens += u->cached_input_tokens;
    to->cache_write_input_tokens += u->cache_write_input_tokens;
    to->output_tokens += u->output_tokens;
    to->reasoning_output_tokens += u->reasoning_output_tokens;
}

static int64_t usage_total(const usage *u) {
    return u->input_tokens + u->output_tokens;
}

#define REQUEST_USAGE_MS 7.0 /* a tool call's item/completed → its request's tokenUsage */

/* A model request other than the turn's last ended at `due` (its tool call is done): the
 * thread's usage so far, the request's share as `last`, then the rate limits. */
static void request_done(as_turn *t, int64_t due) {
    usage total = t->th->totals;
    usage_add(&t->reported, &t->per_request);
    usage_add(&total, &t->reported);
    int64_t at = due + as_delay(t->s, REQUEST_USAGE_MS);
    token_usage(t, at, &total, usage_total(&total), &t->per_request, usage_total(&t->per_request));
    rate_limits(t, at + as_delay(t->s, 0.1));
}

/* Whether a step's item is a tool call the model waits for (a request ends with it), or the
 * step is a request without an item (`model_request:`). */
static bool ends_request(const step *st) {
    if (st->kind == STEP_MODEL_REQUEST) return true;
    if (st->kind == STEP_SERVER_REQUEST) return st->u.request->kind != REQ_AUTH_REFRESH;
    if (st->kind != STEP_ITEM) return false;
    item_type ty = st->u.item.type;
    return ty == ITEM_COMMAND_EXECUTION || ty == ITEM_FILE_CHANGE || ty == ITEM_MCP_TOOL_CALL;
}

/* The turn's requests: one per tool call, plus the last; its `usage:` steps' sum is split
 * evenly over them (the last reports what the split leaves). A streamed scenario's turn is not
 * known ahead: its earlier requests report nothing. */
static void split_usage(as_turn *t, size_t index) {
    const scenario *sc = &t->s->sc;
    if (sc->stream || !sc->turns || !sc->n_turns) return;
    const turn *st = &sc->turns[index < sc->n_turns ? index : sc->n_turns - 1];
    usage sum = {0};
    int64_t n = 1;
    for (size_t i = 0; i < st->n_steps; i++) {
        if (st->steps[i].kind == STEP_USAGE) usage_add(&sum, &st->steps[i].u.usage);
        if (ends_request(&st->steps[i])) n++;
    }
    t->per_request =
        (usage){sum.input_tokens / n, sum.cached_input_tokens / n, sum.cache_write_input_tokens / n,
                sum.output_tokens / n, sum.reasoning_output_tokens / n};
}

/* ------------------------------------------------------------------------------------------
 * Items
 * ---------------------------------------------------------------------------------------- */

static void item_notify(as_turn *t, int64_t due, bool completed, const buf *item, int64_t ms) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"item\":");
    buf_append(&b, item->data, item->len);
    buf_printf(&b, ",\"threadId\":\"%s\",\"turnId\":\"%s\"", t->th->id, t->id);
    if (completed)
        buf_printf(&b, ",\"contentTokenCount\":null,\"completedAtMs\":%lld}", (long long)ms);
    else
        buf_printf(&b, ",\"startedAtMs\":%lld}", (long long)ms);
    notify(t, due, completed ? "item/completed" : "item/started", &b);
    buf_free(&b);
}

static void stamps(buf *b, int64_t started, int64_t completed) {
    buf_printf(b, ",\"startedAtMs\":%lld,\"completedAtMs\":", (long long)started);
    if (completed >= 0)
        buf_printf(b, "%lld}", (long long)completed);
    else
        buf_puts(b, "null}");
}

static void agent_message_json(buf *b, const char *id, const char *text, size_t len, int64_t st,
                               int64_t done) {
    buf_puts(b, "{\"type\":\"agentMessage\",\"moderation\":null,\"id\":");
    jsonw_cstring(b, id);
    buf_puts(b, ",\"text\":");
    jsonw_string(b, text, len);
    buf_puts(b, ",\"phase\":null,\"memoryCitation\":null,\"delivery\":null,\"questions\":null");
    stamps(b, st, done);
}

static void delta(as_turn *t, int64_t due, const char *method, const char *item_id,
                  const char *text, size_t len, int summary_index) {
    buf b;
    buf_init(&b);
    params_head(&b, t);
    buf_puts(&b, ",\"itemId\":");
    jsonw_cstring(&b, item_id);
    buf_puts(&b, ",\"delta\":");
    jsonw_string(&b, text, len);
    if (summary_index >= 0) buf_printf(&b, ",\"summaryIndex\":%d", summary_index);
    buf_putc(&b, '}');
    notify(t, due, method, &b);
    buf_free(&b);
}

/* Returns the due after the last delta. */
static int64_t deltas(as_turn *t, int64_t due, const char *method, const char *item_id,
                      const char *text, size_t len, int summary_index, double gap_ms) {
    size_t st[CHUNKER_MAX + 1];
    size_t n = chunker_split(text, len, st);
    for (size_t i = 0; i < n; i++) {
        if (i) due += as_delay(t->s, gap_ms);
        delta(t, due, method, item_id, text + st[i], st[i + 1] - st[i], summary_index);
    }
    return due;
}

static void render_message(as_turn *t, int64_t due, const item *it, const char *id) {
    as_server *s = t->s;
    int64_t st = as_wall_at(s, due);
    buf b;
    buf_init(&b);
    agent_message_json(&b, id, "", 0, st, -1);
    item_notify(t, due, false, &b, st);
    int64_t end;
    if (it->u.text.n_chunks) {
        /* the scenario's chunks, `chunk_delay` apart (and after the last, as a stream sleeps) */
        int64_t gap = it->u.text.has_chunk_delay ? plan_scale(it->u.text.chunk_delay_ns, s->speed)
                                                 : as_delay(s, DELTA_MS);
        end = due + as_delay(s, DELTA_MS);
        for (size_t i = 0; i < it->u.text.n_chunks; i++) {
            if (i) end += gap;
            delta(t, end, "item/agentMessage/delta", id, it->u.text.chunks[i].ptr,
                  it->u.text.chunks[i].len, -1);
        }
        if (it->u.text.has_chunk_delay) end += gap;
    } else {
        end = deltas(t, due + as_delay(s, DELTA_MS), "item/agentMessage/delta", id,
                     it->u.text.text.ptr, it->u.text.text.len, -1, MESSAGE_DELTA_MS);
    }
    end += as_delay(s, ITEM_DONE_MS);
    int64_t done = as_wall_at(s, end);
    buf_reset(&b);
    agent_message_json(&b, id, it->u.text.text.ptr ? it->u.text.text.ptr : "", it->u.text.text.len,
                       st, done);
    item_notify(t, end, true, &b, done);
    buf_reset(&t->final_item);
    buf_append(&t->final_item, b.data, b.len);
    free(t->final_text);
    t->final_text = xstrndup(it->u.text.text.ptr ? it->u.text.text.ptr : "", it->u.text.text.len);
    buf_free(&b);
}

/* Summary parts: the scenario joins them with "\n"; a part starts at a line opening with "**"
 * (the real summaries' bold titles). */
static size_t summary_parts(const char *s, size_t len, size_t starts[17]) {
    size_t n = 0;
    starts[n++] = 0;
    for (size_t i = 1; i + 2 < len && n < 16; i++)
        if (s[i - 1] == '\n' && s[i] == '*' && s[i + 1] == '*') starts[n++] = i;
    starts[n] = len;
    return n;
}

static size_t part_len(const char *s, size_t a, size_t b) {
    /* the "\n" that joined two parts is not part of either */
    size_t n = b - a;
    if (n > 0 && s[b - 1] == '\n' && b != 0) n--;
    return n;
}

static void reasoning_json(buf *b, const char *id, const char *text, size_t len, bool full,
                           int64_t st, int64_t done) {
    buf_puts(b, "{\"type\":\"reasoning\",\"id\":");
    jsonw_cstring(b, id);
    buf_puts(b, ",\"summary\":[");
    if (full) {
        size_t ps[17];
        size_t n = summary_parts(text, len, ps);
        for (size_t i = 0; i < n; i++) {
            if (i) buf_putc(b, ',');
            size_t l = i + 1 < n ? part_len(text, ps[i], ps[i + 1]) : ps[i + 1] - ps[i];
            jsonw_string(b, text + ps[i], l);
        }
    }
    buf_puts(b, "],\"content\":[]");
    stamps(b, st, done);
}

static void render_reasoning(as_turn *t, int64_t due, const item *it, const char *id) {
    as_server *s = t->s;
    const char *text = it->u.text.text.ptr ? it->u.text.text.ptr : "";
    size_t len = it->u.text.text.len;
    int64_t st = as_wall_at(s, due);
    buf b;
    buf_init(&b);
    reasoning_json(&b, id, text, len, false, st, -1);
    item_notify(t, due, false, &b, st);
    size_t ps[17];
    size_t n = summary_parts(text, len, ps);
    int64_t at = due;
    for (size_t i = 0; i < n; i++) {
        at += as_delay(s, DELTA_MS);
        buf_reset(&b);
        params_head(&b, t);
        buf_puts(&b, ",\"itemId\":");
        jsonw_cstring(&b, id);
        buf_printf(&b, ",\"summaryIndex\":%zu}", i);
        notify(t, at, "item/reasoning/summaryPartAdded", &b);
        size_t l = i + 1 < n ? part_len(text, ps[i], ps[i + 1]) : ps[i + 1] - ps[i];
        at = deltas(t, at + as_delay(s, DELTA_MS), "item/reasoning/summaryTextDelta", id,
                    text + ps[i], l, (int)i, DELTA_MS);
    }
    at += as_delay(s, ITEM_DONE_MS);
    buf_reset(&b);
    reasoning_json(&b, id, text, len, true, st, as_wall_at(s, at));
    item_notify(t, at, true, &b, as_wall_at(s, at));
    buf_free(&b);
}

/* `/bin/bash -lc 'X'` → X (what the real server lists in commandActions). */
static mstr inner_command(const item *it) {
    mstr c = it->u.cmd.command;
    static const char PFX[] = "/bin/bash -lc '";
    size_t n = sizeof PFX - 1;
    if (c.ptr && c.len > n + 1 && !memcmp(c.ptr, PFX, n) && c.ptr[c.len - 1] == '\'') {
        c.ptr += n;
        c.len -= n + 1;
    }
    return c;
}

static void command_json(buf *b, as_turn *t, const item *it, const char *id, bool done, int64_t st,
                         int64_t end) {
    buf_puts(b, "{\"type\":\"commandExecution\",\"id\":");
    jsonw_cstring(b, id);
    buf_puts(b, ",\"pluginId\":null,\"scriptPath\":null,\"command\":");
    jsonw_string(b, it->u.cmd.command.ptr ? it->u.cmd.command.ptr : "", it->u.cmd.command.len);
    buf_puts(b, ",\"cwd\":");
    jsonw_cstring(b, t->th->cwd);
    bool ran = !(done ? it->status == STATUS_DECLINED || it->status == STATUS_FAILED : t->waiting);
    if (ran)
        buf_printf(b, ",\"processId\":\"%d\",\"source\":\"unifiedExecStartup\",\"status\":",
                   10000 + (int)(((unsigned)t->id[35] * 7919u) % 80000u));
    else /* not run (yet): waiting for an approval, or declined */
        buf_puts(b, ",\"processId\":null,\"source\":\"agent\",\"status\":");
    const char *status = "inProgress";
    if (done) {
        status = it->status == STATUS_FAILED     ? "failed"
                 : it->status == STATUS_DECLINED ? "declined"
                                                 : "completed";
    }
    jsonw_cstring(b, status);
    buf_puts(b, ",\"commandActions\":");
    mstr inner = inner_command(it);
    as_command_actions(b, inner.ptr ? inner.ptr : "", inner.len);
    buf_puts(b, ",\"aggregatedOutput\":");
    if (done && ran)
        jsonw_string(b, it->u.cmd.output.ptr ? it->u.cmd.output.ptr : "", it->u.cmd.output.len);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"exitCode\":");
    if (done && ran && it->u.cmd.has_exit_code)
        buf_printf(b, "%lld", (long long)it->u.cmd.exit_code);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"durationMs\":");
    if (done && ran)
        buf_printf(b, "%lld", (long long)(end - st));
    else
        buf_puts(b, "null");
    stamps(b, st, done ? end : -1);
}

/* Returns the due of its item/completed (when `done`). */
static int64_t render_command(as_turn *t, int64_t due, const item *it, const char *id, bool done) {
    as_server *s = t->s;
    buf b;
    buf_init(&b);
    if (!done || strcmp(t->cmd_started, id)) {
        int64_t st = as_wall_at(s, due);
        snprintf(t->cmd_started, sizeof t->cmd_started, "%s", id);
        t->cmd_started_ms = st;
        command_json(&b, t, it, id, false, st, -1);
        item_notify(t, due, false, &b, st);
        if (!done) {
            buf_free(&b);
            return due;
        }
    }
    /* an approved command's output is not streamed (corpus 09, 11) unless the scenario lists
     * its chunks (the real server sometimes streams them there: a recording's deltas); else one
     * delta, or the scenario's chunks (the process's writes, corpus 08) `chunk_delay` apart */
    if (it->u.cmd.output.len && (!t->cmd_asked || it->u.cmd.n_chunks)) {
        if (it->u.cmd.n_chunks) {
            int64_t gap = it->u.cmd.has_chunk_delay ? plan_scale(it->u.cmd.chunk_delay_ns, s->speed)
                                                    : as_delay(s, DELTA_MS);
            for (size_t i = 0; i < it->u.cmd.n_chunks; i++) {
                if (i) due += gap;
                delta(t, due, "item/commandExecution/outputDelta", id, it->u.cmd.chunks[i].ptr,
                      it->u.cmd.chunks[i].len, -1);
            }
        } else {
            delta(t, due, "item/commandExecution/outputDelta", id, it->u.cmd.output.ptr,
                  it->u.cmd.output.len, -1);
        }
    }
    t->cmd_asked = false;
    int64_t end = due + as_delay(s, ITEM_DONE_MS);
    buf_reset(&b);
    command_json(&b, t, it, id, true, t->cmd_started_ms, as_wall_at(s, end));
    item_notify(t, end, true, &b, as_wall_at(s, end));
    t->cmd_started[0] = '\0';
    buf_free(&b);
    return end;
}

static void file_change_json(buf *b, as_turn *t, const item *it, const char *id, bool done,
                             int64_t st, int64_t end) {
    buf_puts(b, "{\"type\":\"fileChange\",\"id\":");
    jsonw_cstring(b, id);
    buf_puts(b, ",\"changes\":[");
    for (size_t i = 0; i < it->u.fc.n; i++) {
        const file_change_entry *e = &it->u.fc.v[i];
        if (i) buf_putc(b, ',');
        buf_puts(b, "{\"path\":");
        if (e->path.ptr && e->path.ptr[0] != '/') {
            char *abs = xasprintf("%s/%.*s", t->th->cwd, (int)e->path.len, e->path.ptr);
            jsonw_cstring(b, abs);
            free(abs);
        } else {
            jsonw_string(b, e->path.ptr ? e->path.ptr : "", e->path.len);
        }
        buf_puts(b, ",\"kind\":");
        buf_puts(b, e->kind == CHANGE_ADD      ? "{\"type\":\"add\"}"
                    : e->kind == CHANGE_DELETE ? "{\"type\":\"delete\"}"
                                               : "{\"type\":\"update\",\"move_path\":null}");
        /* the change's own diff, from the step's git diff (as_diff.h) */
        mstr rel = e->path;
        size_t cl = strlen(t->th->cwd);
        if (rel.ptr && rel.len > cl + 1 && !memcmp(rel.ptr, t->th->cwd, cl) && rel.ptr[cl] == '/') {
            rel.ptr += cl + 1;
            rel.len -= cl + 1;
        }
        buf d;
        buf_init(&d);
        as_diff_for(&d, it->u.fc.diff.ptr, it->u.fc.diff.len, rel.ptr ? rel.ptr : "", rel.len,
                    e->kind);
        buf_puts(b, ",\"diff\":");
        jsonw_string(b, d.data ? d.data : "", d.len);
        buf_putc(b, '}');
        buf_free(&d);
    }
    buf_puts(b, "],\"status\":");
    jsonw_cstring(b, !done                           ? "inProgress"
                     : it->status == STATUS_FAILED   ? "failed"
                     : it->status == STATUS_DECLINED ? "declined"
                                                     : "completed");
    stamps(b, st, done ? end : -1);
}

static void turn_diff_updated(as_turn *t, int64_t due) {
    buf b;
    buf_init(&b);
    params_head(&b, t);
    buf_puts(&b, ",\"diff\":");
    jsonw_string(&b, t->turn_diff.data, t->turn_diff.len);
    buf_putc(&b, '}');
    notify(t, due, "turn/diff/updated", &b);
    buf_free(&b);
}

static void render_file_change(as_turn *t, int64_t due, const item *it, const char *id, bool done) {
    as_server *s = t->s;
    buf b;
    buf_init(&b);
    if (!done || strcmp(t->cmd_started, id)) {
        int64_t st = as_wall_at(s, due);
        snprintf(t->cmd_started, sizeof t->cmd_started, "%s", id);
        t->cmd_started_ms = st;
        file_change_json(&b, t, it, id, false, st, -1);
        item_notify(t, due, false, &b, st);
        if (!done) {
            buf_free(&b);
            return;
        }
    }
    buf_reset(&b);
    file_change_json(&b, t, it, id, true, t->cmd_started_ms, as_wall_at(s, due));
    item_notify(t, due, true, &b, as_wall_at(s, due));
    t->cmd_started[0] = '\0';
    buf_free(&b);
    if (it->status != STATUS_DECLINED && it->status != STATUS_FAILED && it->u.fc.diff.len) {
        /* the step's diff is the turn's git diff once it applied (as human mode prints it) */
        buf_reset(&t->turn_diff);
        buf_append(&t->turn_diff, it->u.fc.diff.ptr, it->u.fc.diff.len);
        turn_diff_updated(t, due + as_delay(s, 0.3));
    }
}

static void mcp_json(buf *b, const item *it, const char *id, bool done, int64_t st, int64_t end) {
    const mcp_call *c = it->u.mcp;
    buf_puts(b, "{\"type\":\"mcpToolCall\",\"id\":");
    jsonw_cstring(b, id);
    buf_puts(b, ",\"server\":");
    jsonw_string(b, c->server.ptr ? c->server.ptr : "", c->server.len);
    buf_puts(b, ",\"environmentId\":null,\"tool\":");
    jsonw_string(b, c->tool.ptr ? c->tool.ptr : "", c->tool.len);
    buf_puts(b, ",\"status\":");
    bool failed = done && (it->status == STATUS_FAILED || c->error.ptr);
    jsonw_cstring(b, !done ? "inProgress" : failed ? "failed" : "completed");
    buf_puts(b, ",\"arguments\":");
    if (c->arguments)
        jval_write(b, c->arguments);
    else
        buf_puts(b, "{}");
    buf_puts(b, ",\"appContext\":null,\"mcpAppUi\":null,\"pluginId\":null,\"readOnlyHint\":null,"
                "\"result\":");
    if (done && c->result && !failed && c->result->kind == JV_OBJECT &&
        jval_get(c->result, "content")) {
        /* the app-server's McpToolCallResult: {content, structuredContent, _meta} */
        const jval *sc = jval_get(c->result, "structured_content");
        if (!sc) sc = jval_get(c->result, "structuredContent");
        const jval *meta = jval_get(c->result, "_meta");
        buf_puts(b, "{\"content\":");
        jval_write(b, jval_get(c->result, "content"));
        buf_puts(b, ",\"structuredContent\":");
        if (sc)
            jval_write(b, sc);
        else
            buf_puts(b, "null");
        buf_puts(b, ",\"_meta\":");
        if (meta)
            jval_write(b, meta);
        else
            buf_puts(b, "null");
        buf_putc(b, '}');
    } else if (done && c->result && !failed) {
        jval_write(b, c->result);
    } else {
        buf_puts(b, "null");
    }
    buf_puts(b, ",\"error\":");
    if (failed) {
        buf_puts(b, "{\"message\":");
        jsonw_string(b, c->error.ptr ? c->error.ptr : "", c->error.len);
        buf_putc(b, '}');
    } else {
        buf_puts(b, "null");
    }
    buf_puts(b, ",\"durationMs\":");
    if (done)
        buf_printf(b, "%lld", (long long)(end - st));
    else
        buf_puts(b, "null");
    stamps(b, st, done ? end : -1);
}

static void render_mcp(as_turn *t, int64_t due, const item *it, const char *id, bool done) {
    as_server *s = t->s;
    buf b;
    buf_init(&b);
    if (!done || strcmp(t->cmd_started, id)) {
        int64_t st = as_wall_at(s, due);
        snprintf(t->cmd_started, sizeof t->cmd_started, "%s", id);
        t->cmd_started_ms = st;
        mcp_json(&b, it, id, false, st, -1);
        item_notify(t, due, false, &b, st);
        if (!done) {
            buf_free(&b);
            return;
        }
    }
    buf_reset(&b);
    mcp_json(&b, it, id, true, t->cmd_started_ms, as_wall_at(s, due));
    item_notify(t, due, true, &b, as_wall_at(s, due));
    t->cmd_started[0] = '\0';
    buf_free(&b);
}

/* An item that starts and completes with nothing in between (as_items.h builds its JSON). */
typedef void (*item_builder)(buf *b, const item *it, const char *id, bool done);

static void web_search_builder(buf *b, const item *it, const char *id, bool done) {
    (void)id;
    asi_web_search(b, it, done);
}

static void collab_builder(buf *b, const item *it, const char *id, bool done) {
    asi_collab(b, it, id, done);
}

static void render_simple(as_turn *t, int64_t due, const item *it, const char *id, bool done,
                          item_builder build) {
    as_server *s = t->s;
    buf b;
    buf_init(&b);
    if (!done || strcmp(t->cmd_started, id)) {
        int64_t st = as_wall_at(s, due);
        snprintf(t->cmd_started, sizeof t->cmd_started, "%s", id);
        t->cmd_started_ms = st;
        build(&b, it, id, false);
        stamps(&b, st, -1);
        item_notify(t, due, false, &b, st);
        if (!done) {
            buf_free(&b);
            return;
        }
    }
    buf_reset(&b);
    int64_t end = as_wall_at(s, due);
    build(&b, it, id, true);
    stamps(&b, t->cmd_started_ms, end);
    item_notify(t, due, true, &b, end);
    t->cmd_started[0] = '\0';
    buf_free(&b);
}

/* A todo_list state (started or updated; its closing item.completed is exec's alone). */
static void render_plan(as_turn *t, int64_t due, const item *it) {
    buf b;
    buf_init(&b);
    asi_plan_updated(&b, t->th->id, t->id, it);
    notify(t, due, "turn/plan/updated", &b);
    buf_free(&b);
}

static void render_item(as_turn *t, int64_t due, const event *ev) {
    const item *it = &ev->item;
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)it->id.len, it->id.ptr ? it->id.ptr : ITEM_ID_FALLBACK);
    bool done = ev->type == EV_ITEM_COMPLETED;
    switch (it->type) {
    case ITEM_AGENT_MESSAGE:
        if (done) render_message(t, due, it, id);
        break;
    case ITEM_REASONING:
        if (done) render_reasoning(t, due, it, id);
        break;
    case ITEM_COMMAND_EXECUTION:
        due = render_command(t, due, it, id, done);
        if (done) request_done(t, due);
        break;
    case ITEM_FILE_CHANGE:
        render_file_change(t, due, it, id, done);
        if (done) request_done(t, due);
        break;
    case ITEM_MCP_TOOL_CALL:
        render_mcp(t, due, it, id, done);
        if (done) request_done(t, due);
        break;
    case ITEM_WEB_SEARCH: {
        mstr ws = asi_web_search_id(it);
        snprintf(id, sizeof id, "%.*s", (int)ws.len, ws.ptr ? ws.ptr : ITEM_ID_FALLBACK);
        render_simple(t, due, it, id, done, web_search_builder);
        break;
    }
    case ITEM_COLLAB_TOOL_CALL:
        render_simple(t, due, it, id, done, collab_builder);
        break;
    case ITEM_TODO_LIST:
        if (!done) render_plan(t, due, it);
        break;
    default:
        if (done)
            fprintf(stderr, "codex-mock: the app-server face does not render %s items yet\n",
                    ITEM_TYPE_NAMES[it->type]);
        break;
    }
}

/* ------------------------------------------------------------------------------------------
 * Errors and the end of a turn
 * ---------------------------------------------------------------------------------------- */

/* The HTTP status a message carries: an unexpected status, or a retry limit's last one (the
 * real server's http_status_code_value: UnexpectedStatus and RetryLimit have one). 0: none. */
static int http_status(const char *msg) {
    const char *p = strstr(msg, "unexpected status ");
    if (p) return atoi(p + 18);
    p = strstr(msg, "exceeded retry limit, last status: ");
    return p ? atoi(p + 35) : 0;
}

/* The codexErrorInfo of a turn's final error, as the real server's to_codex_protocol_error
 * classifies the error behind the text (openai/codex core/src/error.rs): the plan's usage limit
 * (and the quota texts; the workspace's credits and spend cap, a usage limit of the workspace's
 * plan in the real server's client tests) → usageLimitExceeded, the retry limit →
 * responseTooManyFailedAttempts with its last status, HTTP 500s → internalServerError, a full model
 * → serverOverloaded, a connection that failed → httpConnectionFailed without a status, an
 * unexpected status → httpConnectionFailed with it (corpus 18); anything else → other. */
static void failure_info(const char *msg, char *info, size_t size) {
    int code = http_status(msg);
    char status[16] = "null";
    if (code) snprintf(status, sizeof status, "%d", code);
    if (strstr(msg, "hit your usage limit") || !strncmp(msg, "Quota exceeded.", 15) ||
        !strncmp(msg, "To use Codex with your ChatGPT plan", 35) ||
        !strncmp(msg, "Your workspace is out of credits", 32) ||
        !strncmp(msg, "You hit your spend cap", 22))
        snprintf(info, size, "\"usageLimitExceeded\"");
    else if (!strncmp(msg, "exceeded retry limit", 20))
        snprintf(info, size, "{\"responseTooManyFailedAttempts\":{\"httpStatusCode\":%s}}", status);
    else if (strstr(msg, "currently experiencing high demand"))
        snprintf(info, size, "\"internalServerError\"");
    else if (!strncmp(msg, "Selected model is at capacity", 29))
        snprintf(info, size, "\"serverOverloaded\"");
    else if (!strncmp(msg, "Connection failed:", 18) || code)
        snprintf(info, size, "{\"httpConnectionFailed\":{\"httpStatusCode\":%s}}", status);
    else
        snprintf(info, size, "\"other\"");
}

static void error_json(buf *b, const char *message, const char *info, const char *details) {
    buf_puts(b, "{\"message\":");
    jsonw_cstring(b, message);
    buf_printf(b, ",\"codexErrorInfo\":%s,\"additionalDetails\":", info);
    if (details)
        jsonw_cstring(b, details);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"misalignment\":null}");
}

static void error_notification(as_turn *t, int64_t due, const buf *err, bool will_retry) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"error\":");
    buf_append(&b, err->data, err->len);
    buf_printf(&b, ",\"willRetry\":%s,\"threadId\":\"%s\",\"turnId\":\"%s\"}",
               will_retry ? "true" : "false", t->th->id, t->id);
    notify(t, due, "error", &b);
    buf_free(&b);
}

/* "Reconnecting... 2/5 (cause)" → message "Reconnecting... 2/5", details "cause". */
static void render_retry(as_turn *t, int64_t due, const char *msg) {
    const char *paren = strstr(msg, " (");
    char *head = paren ? xstrndup(msg, (size_t)(paren - msg)) : xstrdup(msg);
    char *details = NULL;
    if (paren) {
        details = xstrdup(paren + 2);
        size_t n = strlen(details);
        if (n && details[n - 1] == ')') details[n - 1] = '\0';
    }
    int code = http_status(msg);
    char info[96];
    if (code)
        snprintf(info, sizeof info, "{\"responseStreamDisconnected\":{\"httpStatusCode\":%d}}",
                 code);
    else
        snprintf(info, sizeof info, "{\"responseStreamDisconnected\":{\"httpStatusCode\":null}}");
    buf e;
    buf_init(&e);
    error_json(&e, head, info, details);
    error_notification(t, due, &e, true);
    buf_free(&e);
    free(head);
    free(details);
}

static bool pull(void *ctx);

/* The turn's line in the journal: its approvals (a pending one unanswered) and interrupt. */
static void journal(as_turn *t, int exit_code) {
    buf x;
    buf_init(&x);
    buf_puts(&x, "\"approvals\":[");
    buf_append(&x, t->approvals.data ? t->approvals.data : "", t->approvals.len);
    buf_puts(&x, "],\"interrupted_after_ms\":");
    if (t->interrupt_ms >= 0)
        buf_printf(&x, "%lld", (long long)t->interrupt_ms);
    else
        buf_puts(&x, "null");
    as_journal_turn(t->s, t->th, x.data, t->prompt, t->started_ms, exit_code);
    buf_free(&x);
}

static void close_session(as_turn *t, end_reason why, bool completed) {
    if (!t->w_open) return;
    sink sk = sink_session(&t->w);
    play_end end = {.reason = why,
                    .turn_completed = completed,
                    .final_message = t->final_text,
                    .final_len = t->final_text ? strlen(t->final_text) : 0};
    buf o, e;
    buf_init(&o);
    buf_init(&e);
    sk.on_end(sk.ctx, &end, &o, &e);
    buf_free(&o);
    buf_free(&e);
    sk.on_flush(sk.ctx);
    /* the next turn appends from here without reading the file again */
    t->th->rollout_lines = t->w.ordinal;
    t->th->rollout_size = t->w.offset;
    session_writer_close(&t->w);
    t->w_open = false;
}

static void finish(as_turn *t) {
    t->ended = true;
    if (t->in_branch) {
        plan_free(&t->br);
        t->in_branch = false;
    }
    if (t->pl_live) {
        plan_free(&t->pl);
        t->pl_live = false;
    }
    if (t->th->active == t) t->th->active = NULL;
    t->th->updated_s = t->s->clk->wall_ms(t->s->clk) / 1000;
}

static void turn_completed(as_turn *t, int64_t due, const char *status, const char *error) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "{\"threadId\":\"%s\",\"turn\":", t->th->id);
    char *items = NULL;
    if (t->final_item.len && !strcmp(status, "completed"))
        items = xasprintf("[%.*s]", (int)t->final_item.len, t->final_item.data);
    turn_json(&b, t, status, items, error, true, as_wall_at(t->s, due));
    free(items);
    buf_putc(&b, '}');
    notify(t, due, "turn/completed", &b);
    buf_free(&b);
}

static void end_completed(as_turn *t, int64_t due, const event *ev) {
    as_server *s = t->s;
    as_thread *th = t->th;
    (void)ev; /* its usage is the thread's total; the planner keeps the turn's own */
    const usage *u = &t->pl.turn_usage;
    usage total = th->totals;
    usage_add(&total, u);
    th->totals = total;
    /* the last request: what the earlier ones did not report */
    usage last = *u;
    last.input_tokens -= t->reported.input_tokens;
    last.cached_input_tokens -= t->reported.cached_input_tokens;
    last.cache_write_input_tokens -= t->reported.cache_write_input_tokens;
    last.output_tokens -= t->reported.output_tokens;
    last.reasoning_output_tokens -= t->reported.reasoning_output_tokens;
    int64_t at = due + as_delay(s, USAGE_MS);
    token_usage(t, at, &total, usage_total(&total), &last, usage_total(&last));
    rate_limits(t, at + as_delay(s, 0.1));
    if (t->turn_diff.len) turn_diff_updated(t, at + as_delay(s, 1.6)); /* once more (corpus 13) */
    at += as_delay(s, IDLE_MS);
    if (s->experimental) {
        /* experimentalApi: the thread's read state moves to this turn (corpus 30) */
        char rev[UUID_STR_LEN + 1];
        uuid_v7(rev, (uint64_t)as_wall_at(s, at), &s->rng);
        rev[14] = '4';
        buf b;
        buf_init(&b);
        buf_printf(&b,
                   "{\"threadId\":\"%s\",\"readState\":{\"firstUnread\":{\"type\":\"turn\","
                   "\"turnId\":\"%s\"},\"revision\":\"%s\"}}",
                   th->id, t->id, rev);
        notify(t, at, "thread/readState/changed", &b);
        buf_free(&b);
    }
    status_changed(t, at, "{\"type\":\"idle\"}");
    turn_completed(t, at + as_delay(s, 0.1), "completed", NULL);
    close_session(t, END_EXIT, true);
    journal(t, 0);
    finish(t);
}

static void end_failed(as_turn *t, int64_t due, const char *msg) {
    as_server *s = t->s;
    buf e;
    buf_init(&e);
    int64_t at = due;
    if (strstr(msg, "context window")) {
        rate_limits(t, at);
        usage zero = {0};
        at += as_delay(s, 2.4);
        token_usage(t, at, &zero, CONTEXT_WINDOW, &zero, CONTEXT_WINDOW);
        rate_limits(t, at + as_delay(s, 0.1));
        at += as_delay(s, 0.4);
        status_changed(t, at, "{\"type\":\"systemError\"}");
        error_json(&e, msg, "\"contextWindowExceeded\"", NULL);
        error_notification(t, at, &e, false);
    } else {
        char info[96];
        failure_info(msg, info, sizeof info);
        status_changed(t, at, "{\"type\":\"systemError\"}");
        error_json(&e, msg, info, NULL);
        error_notification(t, at + as_delay(s, 0.5), &e, false);
        at += as_delay(s, 0.5);
    }
    turn_completed(t, at + as_delay(s, 6.5), "failed", e.data);
    buf_free(&e);
    close_session(t, END_EXIT, false);
    journal(t, 1);
    finish(t);
}

static void flush_pending_error(as_turn *t, int64_t due) {
    if (!t->pending_error) return;
    buf e;
    buf_init(&e);
    error_json(&e, t->pending_error, "\"other\"", NULL);
    error_notification(t, due, &e, false);
    buf_free(&e);
    free(t->pending_error);
    t->pending_error = NULL;
}

static void to_session(as_turn *t, const event *ev) {
    if (!t->w_open) return;
    sink sk = sink_session(&t->w);
    buf o, e;
    buf_init(&o);
    buf_init(&e);
    sk.on_event(sk.ctx, ev, &o, &e);
    buf_free(&o);
    buf_free(&e);
}

/* ------------------------------------------------------------------------------------------
 * Approvals (reference §6, corpus 08/09/11/13/26): a step marked `approval:` is one the real
 * server's policy stops. The thread's approvalPolicy decides: `never` lets commands and file
 * changes run unasked and fails an MCP call with the real text; `on-request` asks only for an
 * escalation (a step whose approval gives a `reason`); `untrusted` and the rest ask. Asking:
 * status waitingOnApproval, the item started (not run yet), the server request with the next
 * integer id of the connection; the turn waits. The answer: serverRequest/resolved, status
 * active, then accept* → the step runs (its timeline shifted by the wait), decline → the item
 * completes `declined` and the turn goes on, cancel → declined and the turn ends interrupted,
 * a JSON-RPC error (or an answer that is no decision) → the item `failed`, the turn goes on.
 * ---------------------------------------------------------------------------------------- */

#define RESOLVED_MS 0.3
#define MCP_NEVER_TEXT "MCP tool call requires approval, but approval policy is never"

typedef enum { APPROVE_RUN, APPROVE_ASK, APPROVE_FAIL } approval_way;

/* The words of a command's first simple command (split at spaces, up to the first `&&`, `||`,
 * `;` or `|`), pointing into the item: what an execpolicy amendment names. A heap array the
 * caller frees; *n its length. */
static mstr *first_command_words(const item *it, size_t *n_words) {
    mstr c = inner_command(it);
    mstr *words = xcalloc(c.len / 2 + 1, sizeof *words); /* words are ≥ 1 byte, spaces between */
    size_t i = 0, n = 0;
    while (i < c.len) {
        while (i < c.len && c.ptr[i] == ' ')
            i++;
        size_t w = i;
        while (i < c.len && c.ptr[i] != ' ')
            i++;
        if (i == w) break;
        if ((i - w == 2 && (!memcmp(c.ptr + w, "&&", 2) || !memcmp(c.ptr + w, "||", 2))) ||
            (i - w == 1 && (c.ptr[w] == ';' || c.ptr[w] == '|')))
            break;
        words[n++] = (mstr){c.ptr + w, i - w};
    }
    *n_words = n;
    return words;
}

/* What acceptForSession remembers for the thread (as_thread.session_approved): a command by
 * its command line (the real server keys it by the command vector, which the line fixes), an
 * MCP tool by server and tool, a file change by each path. Heap keys; n_keys set. */
static char **approval_keys(const item *it, size_t *n_keys) {
    char **k = NULL;
    *n_keys = 0;
    if (it->type == ITEM_COMMAND_EXECUTION) {
        k = xcalloc(1, sizeof *k);
        k[(*n_keys)++] = xasprintf("cmd:%.*s", (int)it->u.cmd.command.len,
                                   it->u.cmd.command.ptr ? it->u.cmd.command.ptr : "");
    } else if (it->type == ITEM_MCP_TOOL_CALL) {
        k = xcalloc(1, sizeof *k);
        k[(*n_keys)++] =
            xasprintf("mcp:%.*s/%.*s", (int)it->u.mcp->server.len,
                      it->u.mcp->server.ptr ? it->u.mcp->server.ptr : "", (int)it->u.mcp->tool.len,
                      it->u.mcp->tool.ptr ? it->u.mcp->tool.ptr : "");
    } else if (it->type == ITEM_FILE_CHANGE && it->u.fc.n) {
        k = xcalloc(it->u.fc.n, sizeof *k);
        for (size_t i = 0; i < it->u.fc.n; i++)
            k[(*n_keys)++] = xasprintf("fc:%.*s", (int)it->u.fc.v[i].path.len,
                                       it->u.fc.v[i].path.ptr ? it->u.fc.v[i].path.ptr : "");
    }
    return k;
}

static void free_keys(char **k, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(k[i]);
    free(k);
}

static bool has_key(const as_thread *th, const char *key) {
    for (size_t i = 0; i < th->n_session_approved; i++)
        if (!strcmp(th->session_approved[i], key)) return true;
    return false;
}

/* Whether every key of the item was approved for the session. */
static bool session_approved(const as_thread *th, const item *it) {
    size_t n;
    char **k = approval_keys(it, &n);
    bool all = n > 0;
    for (size_t i = 0; i < n && all; i++)
        all = has_key(th, k[i]);
    free_keys(k, n);
    return all;
}

static void remember_for_session(as_thread *th, const item *it) {
    size_t n;
    char **k = approval_keys(it, &n);
    for (size_t i = 0; i < n; i++) {
        if (has_key(th, k[i])) {
            free(k[i]);
            continue;
        }
        th->session_approved = xrealloc(th->session_approved, (th->n_session_approved + 1) *
                                                                  sizeof *th->session_approved);
        th->session_approved[th->n_session_approved++] = k[i];
    }
    free(k);
}

/* The words of a command's first simple command, joined by \x1f (what an execpolicy
 * amendment's prefix rule matches). */
static void command_words(buf *b, const item *it) {
    size_t n;
    mstr *w = first_command_words(it, &n);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, '\x1f');
        buf_append(b, w[i].ptr, w[i].len);
    }
    free(w);
}

/* Whether an accepted execpolicy amendment (a prefix rule, "prefix:" keys) allows the command:
 * its words begin with the rule's. */
static bool amendment_allows(const as_thread *th, const item *it) {
    if (it->type != ITEM_COMMAND_EXECUTION) return false;
    buf w;
    buf_init(&w);
    command_words(&w, it);
    bool ok = false;
    for (size_t i = 0; i < th->n_session_approved && !ok; i++) {
        const char *k = th->session_approved[i];
        if (strncmp(k, "prefix:", 7)) continue;
        size_t n = strlen(k + 7);
        ok = n && w.len >= n && !memcmp(w.data, k + 7, n) && (w.len == n || w.data[n] == '\x1f');
    }
    buf_free(&w);
    return ok;
}

/* acceptWithExecpolicyAmendment: the client's prefix rule holds for the rest of the thread. */
static void remember_amendment(as_thread *th, const cJSON *result) {
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(result, "decision");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(d, "acceptWithExecpolicyAmendment");
    const cJSON *words = cJSON_GetObjectItemCaseSensitive(x, "execpolicy_amendment");
    if (!cJSON_IsArray(words) || !cJSON_GetArraySize(words)) return;
    buf k;
    buf_init(&k);
    buf_puts(&k, "prefix:");
    const cJSON *w;
    size_t n = 0;
    cJSON_ArrayForEach(w, words) {
        if (!cJSON_IsString(w)) continue;
        if (n++) buf_putc(&k, '\x1f');
        buf_puts(&k, w->valuestring);
    }
    th->session_approved =
        xrealloc(th->session_approved, (th->n_session_approved + 1) * sizeof *th->session_approved);
    th->session_approved[th->n_session_approved++] = buf_detach(&k);
}

static approval_way approval_way_for(const as_turn *t, const step *src, const item *it) {
    const char *policy = t->th->approval ? t->th->approval : "on-request";
    if (!strcmp(policy, "never"))
        return it->type == ITEM_MCP_TOOL_CALL ? APPROVE_FAIL : APPROVE_RUN;
    if (session_approved(t->th, it)) return APPROVE_RUN; /* acceptForSession earlier */
    if (amendment_allows(t->th, it)) return APPROVE_RUN; /* an accepted prefix rule */
    /* an MCP tool that needs approval asks under every other policy (an elicitation) */
    if (it->type == ITEM_MCP_TOOL_CALL) return APPROVE_ASK;
    if (!strcmp(policy, "on-request") && !src->approval->has_reason) return APPROVE_RUN;
    return APPROVE_ASK;
}

/* The words of the command's first simple command (proposedExecpolicyAmendment). */
static void amendment_json(buf *b, const item *it) {
    size_t n;
    mstr *w = first_command_words(it, &n);
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        jsonw_string(b, w[i].ptr, w[i].len);
    }
    free(w);
    buf_putc(b, ']');
}

static void item_id_of(const item *it, char id[64]) {
    snprintf(id, 64, "%.*s", (int)it->id.len, it->id.ptr ? it->id.ptr : ITEM_ID_FALLBACK);
}

static void request_timed_out(evloop *loop, void *ctx);

static void ask(as_turn *t, int64_t due, const action *a) {
    as_server *s = t->s;
    const item *it = &a->ev.item;
    char id[64];
    item_id_of(it, id);
    t->req_id = s->next_server_request++;
    t->waiting = true;
    t->cmd_asked = it->type == ITEM_COMMAND_EXECUTION;
    t->held = *a;
    t->held_due = due;
    buf b, line;
    buf_init(&b);
    buf_init(&line);
    int64_t st = as_wall_at(s, due);
    const char *waiting = "{\"type\":\"active\",\"activeFlags\":[\"waitingOnApproval\"]}";
    if (it->type == ITEM_COMMAND_EXECUTION) {
        status_changed(t, due, waiting);
        snprintf(t->cmd_started, sizeof t->cmd_started, "%s", id);
        t->cmd_started_ms = st;
        command_json(&b, t, it, id, false, st, -1);
        item_notify(t, due, false, &b, st);
        buf_reset(&b);
        buf_printf(&b, "{\"kind\":\"command\",\"threadId\":\"%s\",\"turnId\":\"%s\",\"itemId\":",
                   t->th->id, t->id);
        jsonw_cstring(&b, id);
        buf_printf(&b, ",\"startedAtMs\":%lld,\"environmentId\":\"local\"", (long long)st);
        if (a->src->approval->has_reason) {
            buf_puts(&b, ",\"reason\":");
            jsonw_string(&b, a->src->approval->reason.ptr, a->src->approval->reason.len);
        }
        buf_puts(&b, ",\"command\":");
        jsonw_string(&b, it->u.cmd.command.ptr ? it->u.cmd.command.ptr : "", it->u.cmd.command.len);
        buf_puts(&b, ",\"cwd\":");
        jsonw_cstring(&b, t->th->cwd);
        mstr inner = inner_command(it);
        buf_puts(&b, ",\"commandActions\":");
        as_command_actions(&b, inner.ptr ? inner.ptr : "", inner.len);
        buf_puts(&b, ",\"proposedExecpolicyAmendment\":");
        amendment_json(&b, it);
        buf_puts(&b, ",\"availableDecisions\":[\"accept\",{\"acceptWithExecpolicyAmendment\":{"
                     "\"execpolicy_amendment\":");
        amendment_json(&b, it);
        buf_puts(&b, "}},\"cancel\"]}");
        asw_server_request(&line, "item/commandExecution/requestApproval", t->req_id, b.data,
                           b.len);
    } else if (it->type == ITEM_MCP_TOOL_CALL) {
        /* the call's item started (the real one announces the call before it asks), the
         * status, then the elicitation */
        render_mcp(t, due, it, id, false);
        status_changed(t, due, waiting);
        const mcp_call *c = it->u.mcp;
        asr_mcp_elicitation(&b, t->th->id, t->id, c->server.ptr ? c->server.ptr : "", c->server.len,
                            c->tool.ptr ? c->tool.ptr : "", c->tool.len, c->arguments);
        asw_server_request(&line, "mcpServer/elicitation/request", t->req_id, b.data, b.len);
    } else {
        /* a file change: the item (with its changes) first, then the status */
        render_file_change(t, due, it, id, false);
        status_changed(t, due, waiting);
        buf_printf(&b, "{\"threadId\":\"%s\",\"turnId\":\"%s\",\"itemId\":", t->th->id, t->id);
        jsonw_cstring(&b, id);
        buf_printf(&b, ",\"startedAtMs\":%lld,\"reason\":", (long long)st);
        if (a->src->approval->has_reason)
            jsonw_string(&b, a->src->approval->reason.ptr, a->src->approval->reason.len);
        else
            buf_puts(&b, "null");
        buf_puts(&b, ",\"grantRoot\":null}");
        asw_server_request(&line, "item/fileChange/requestApproval", t->req_id, b.data, b.len);
    }
    as_chan_line(&t->ch, due, line.data, line.len);
    buf_free(&line);
    buf_free(&b);
    if (a->src->approval->has_timeout)
        t->timeout_timer =
            evloop_timer(s->loop, due + a->src->approval->timeout_ns, /* real time: the client's */
                         request_timed_out, t);
}

/* An MCP call under `never`: started, then failed with the real text. */
static void mcp_never(as_turn *t, int64_t due, const item *src) {
    item it = *src;
    mcp_call c = *src->u.mcp;
    c.error.ptr = MCP_NEVER_TEXT;
    c.error.len = sizeof MCP_NEVER_TEXT - 1;
    c.result = NULL;
    it.u.mcp = &c;
    it.status = STATUS_FAILED;
    char id[64];
    item_id_of(&it, id);
    render_mcp(t, due, &it, id, false);
    due += as_delay(t->s, 5.0);
    render_mcp(t, due, &it, id, true);
    request_done(t, due);
}

/* An asked MCP call the client declined or cancelled: it completes failed with the real text. */
static void mcp_refused(as_turn *t, int64_t due, const item *src, const char *text) {
    item it = *src;
    mcp_call c = *src->u.mcp;
    c.error.ptr = text;
    c.error.len = strlen(text);
    c.result = NULL;
    it.u.mcp = &c;
    it.status = STATUS_FAILED;
    char id[64];
    item_id_of(&it, id);
    render_mcp(t, due, &it, id, true);
}

typedef enum { ANSWER_ACCEPT, ANSWER_DECLINE, ANSWER_CANCEL, ANSWER_FAIL } answer_kind;

static answer_kind read_decision(const cJSON *result) {
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(result, "decision");
    if (cJSON_IsObject(d) && d->child && d->child->string &&
        !strncmp(d->child->string, "accept", 6))
        return ANSWER_ACCEPT;
    if (!cJSON_IsString(d)) return ANSWER_FAIL;
    if (!strncmp(d->valuestring, "accept", 6)) return ANSWER_ACCEPT;
    if (!strcmp(d->valuestring, "decline")) return ANSWER_DECLINE;
    if (!strcmp(d->valuestring, "cancel")) return ANSWER_CANCEL;
    return ANSWER_FAIL;
}

static void end_interrupted(as_turn *t, int64_t due);

/* Notes an approval for the journal: what was asked (the command, or the item's paths), the
 * answer ("error" for a JSON-RPC error; null: none came), how long it took, and what the
 * scenario expected (as_requests.h). */
static void journal_approval(as_turn *t, const action *a, const char *dec, int64_t now,
                             bool timed_out) {
    const item *it = &a->ev.item;
    char id[64];
    item_id_of(it, id);
    buf subject;
    buf_init(&subject);
    const char *method = "item/fileChange/requestApproval", *type = "file_change";
    if (it->type == ITEM_COMMAND_EXECUTION) {
        mstr c = inner_command(it);
        buf_append(&subject, c.ptr ? c.ptr : "", c.len);
        method = "item/commandExecution/requestApproval";
        type = "command";
    } else if (it->type == ITEM_MCP_TOOL_CALL) {
        buf_append(&subject, it->u.mcp->server.ptr, it->u.mcp->server.len);
        buf_putc(&subject, '/');
        buf_append(&subject, it->u.mcp->tool.ptr, it->u.mcp->tool.len);
        method = "mcpServer/elicitation/request";
        type = "mcp_tool_call";
    } else {
        for (size_t i = 0; i < it->u.fc.n; i++) {
            if (i) buf_putc(&subject, ' ');
            buf_append(&subject, it->u.fc.v[i].path.ptr, it->u.fc.v[i].path.len);
        }
    }
    asr_entry e = {.request_id = t->req_id,
                   .method = method,
                   .item_id = id,
                   .type = type,
                   .subject = subject.data ? subject.data : "",
                   .subject_len = subject.len,
                   .decision = now >= 0 ? dec : NULL,
                   .latency_ns = now >= 0 && !timed_out ? now - t->wait_since : -1,
                   .timed_out = timed_out,
                   .expected = a->src && a->src->approval ? a->src->approval->expect : NULL};
    asr_journal(&t->approvals, t->s->err_fd, &e);
    buf_free(&subject);
}

/* A command or file change answer's decision as journaled ("error": a JSON-RPC error). */
static const char *decision_text(const cJSON *result) {
    const cJSON *d = result ? cJSON_GetObjectItemCaseSensitive(result, "decision") : NULL;
    if (!result) return "error";
    if (cJSON_IsString(d)) return d->valuestring;
    if (cJSON_IsObject(d) && d->child && d->child->string) return d->child->string;
    return "invalid";
}

/* Starts playing `steps` at `at` (nothing when there are none, or a branch already plays:
 * branches do not nest). */
static void start_branch(as_turn *t, const step *steps, size_t n, int64_t at) {
    if (!n || t->in_branch) return;
    memset(&t->br_turn, 0, sizeof t->br_turn);
    t->br_turn.steps = (step *)steps;
    t->br_turn.n_steps = n;
    t->br_sc = *t->pl.p.sc;
    t->br_sc.turns = &t->br_turn;
    t->br_sc.n_turns = 1;
    t->br_sc.stream = NULL;
    plan_params p = t->pl.p;
    p.sc = &t->br_sc;
    p.turn = 0;
    p.chaos = NULL;
    plan_init(&t->br, &p);
    t->in_branch = true;
    t->br_have_t0 = false;
    t->br_anchor = t->br_last = at;
}

/* The branch is over: the turn's own timeline goes on after it. */
static void end_branch(as_turn *t) {
    plan_free(&t->br);
    t->in_branch = false;
    t->anchor += t->br_last - t->br_anchor;
}

/* ------------------------------------------------------------------------------------------
 * The other server requests (a `user_input:`, `dynamic_tool_call:`, `auth_refresh:` or
 * `permissions:` step; as_requests.h builds them): sent with the connection's next id, the turn
 * waits for the answer (or the step's `approval: {timeout:}`), then goes on — an auth refresh
 * answered with an error fails the turn.
 * ---------------------------------------------------------------------------------------- */

#define AUTH_REFRESH_FAILED_TEXT                                                                   \
    "unexpected status 401 Unauthorized: Your access token could not be refreshed because your "   \
    "refresh token was already used. Please log out and sign in again., url: "                     \
    "https://chatgpt.com/backend-api/codex/responses"

static const char *const REQUEST_METHODS[] = {"item/tool/requestUserInput", "item/tool/call",
                                              "account/chatgptAuthTokens/refresh",
                                              "item/permissions/requestApproval"};
static const char *const REQUEST_TYPES[] = {"user_input", "dynamic_tool_call", "auth_refresh",
                                            "permissions"};

static void ask_request(as_turn *t, int64_t due, const action *a) {
    as_server *s = t->s;
    const request_spec *r = a->src->u.request;
    t->req_id = s->next_server_request++;
    t->waiting = true;
    t->held = *a;
    t->held_due = due;
    t->wait_since = due;
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)r->id.len, r->id.ptr ? r->id.ptr : "call");
    int64_t st = as_wall_at(s, due);
    buf b, line;
    buf_init(&b);
    buf_init(&line);
    switch (r->kind) {
    case REQ_USER_INPUT:
        status_changed(t, due, "{\"type\":\"active\",\"activeFlags\":[\"waitingOnUserInput\"]}");
        asr_user_input(&b, t->th->id, t->id, id, r->body);
        break;
    case REQ_TOOL_CALL:
        /* the call's item starts, then the client is asked to run it */
        t->cmd_started_ms = st;
        asr_tool_call_item(&b, id, r->body, false, NULL, 0);
        stamps(&b, st, -1);
        item_notify(t, due, false, &b, st);
        buf_reset(&b);
        asr_tool_call(&b, t->th->id, t->id, id, r->body);
        break;
    case REQ_AUTH_REFRESH:
        asr_auth_refresh(&b, r->body);
        break;
    case REQ_PERMISSIONS:
        status_changed(t, due, "{\"type\":\"active\",\"activeFlags\":[\"waitingOnApproval\"]}");
        asr_permissions(&b, t->th->id, t->id, id, st, t->th->cwd, r->body);
        break;
    }
    asw_server_request(&line, REQUEST_METHODS[r->kind], t->req_id, b.data, b.len);
    as_chan_line(&t->ch, due, line.data, line.len);
    buf_free(&line);
    buf_free(&b);
    if (a->src->approval && a->src->approval->has_timeout)
        t->timeout_timer = evloop_timer(s->loop, due + a->src->approval->timeout_ns,
                                        request_timed_out, t); /* real time: the client's */
}

static void settle_request(as_turn *t, int64_t now, const cJSON *result, bool timed_out) {
    as_server *s = t->s;
    const action *a = &t->held;
    const request_spec *r = a->src->u.request;
    const approval_spec *ap = a->src->approval;
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)r->id.len, r->id.ptr ? r->id.ptr : "call");
    int64_t due = now + as_delay(s, RESOLVED_MS);
    if (r->kind != REQ_AUTH_REFRESH) { /* thread-scoped requests */
        buf b;
        buf_init(&b);
        buf_printf(&b, "{\"threadId\":\"%s\",\"requestId\":%lld}", t->th->id, (long long)t->req_id);
        notify(t, due, "serverRequest/resolved", &b);
        buf_free(&b);
    }
    due += as_delay(s, 0.2);
    t->waiting = false;
    if (r->kind == REQ_USER_INPUT || r->kind == REQ_PERMISSIONS)
        status_changed(t, due, "{\"type\":\"active\",\"activeFlags\":[]}");
    t->anchor += now - t->wait_since;
    /* the journal: the answer's kind and content (an auth refresh's token left out) */
    const char *dec = NULL;
    char *answer = NULL;
    bool ok = !timed_out && result;
    if (!timed_out) dec = result ? "answer" : "error";
    if (ok && r->kind == REQ_PERMISSIONS) {
        const cJSON *scope = cJSON_GetObjectItemCaseSensitive(result, "scope");
        dec = cJSON_IsString(scope) ? scope->valuestring : "turn";
    }
    if (ok && r->kind == REQ_AUTH_REFRESH) {
        cJSON *copy = cJSON_Duplicate(result, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "accessToken");
        answer = cJSON_PrintUnformatted(copy);
        cJSON_Delete(copy);
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(result, "accessToken"))) ok = false;
    } else if (ok) {
        answer = cJSON_PrintUnformatted(result);
    }
    buf subject;
    buf_init(&subject);
    if (r->kind == REQ_USER_INPUT) {
        const jval *qs = jval_get(r->body, "questions");
        for (size_t i = 0; qs && qs->kind == JV_ARRAY && i < qs->n; i++) {
            const jval *q = qs->items[i]->kind == JV_OBJECT ? jval_get(qs->items[i], "id") : NULL;
            if (!q || q->kind != JV_STRING) continue;
            if (subject.len) buf_putc(&subject, ' ');
            buf_append(&subject, q->s, q->len);
        }
    } else if (r->kind == REQ_TOOL_CALL) {
        const jval *ns = jval_get(r->body, "namespace"), *tool = jval_get(r->body, "tool");
        if (ns && ns->kind == JV_STRING) {
            buf_append(&subject, ns->s, ns->len);
            buf_putc(&subject, '/');
        }
        if (tool && tool->kind == JV_STRING) buf_append(&subject, tool->s, tool->len);
    } else if (r->kind == REQ_PERMISSIONS) {
        const jval *why = jval_get(r->body, "reason");
        if (why && why->kind == JV_STRING) buf_append(&subject, why->s, why->len);
    } else {
        buf_puts(&subject, "unauthorized");
    }
    asr_entry e = {.request_id = t->req_id,
                   .method = REQUEST_METHODS[r->kind],
                   .item_id = r->kind == REQ_AUTH_REFRESH ? NULL : id,
                   .type = REQUEST_TYPES[r->kind],
                   .subject = subject.data ? subject.data : "",
                   .subject_len = subject.len,
                   .decision = dec,
                   .answer = answer,
                   .latency_ns = timed_out ? -1 : now - t->wait_since,
                   .timed_out = timed_out,
                   .expected = ap ? ap->expect : NULL};
    asr_journal(&t->approvals, s->err_fd, &e);
    buf_free(&subject);
    free(answer);
    if (r->kind == REQ_TOOL_CALL) {
        /* the client's result completes the call's item */
        buf j;
        buf_init(&j);
        int64_t end = as_wall_at(s, due);
        asr_tool_call_item(&j, id, r->body, true, ok ? result : NULL, end - t->cmd_started_ms);
        stamps(&j, t->cmd_started_ms, end);
        item_notify(t, due, true, &j, end);
        buf_free(&j);
    }
    if (r->kind == REQ_AUTH_REFRESH && !ok) {
        /* no new tokens: the request that got 401 fails the turn */
        const jval *err = jval_get(r->body, "error");
        char *msg = err && err->kind == JV_STRING ? xstrndup(err->s, err->len)
                                                  : xstrdup(AUTH_REFRESH_FAILED_TEXT);
        end_failed(t, due, msg);
        free(msg);
        if (!t->ch.head) pull(t);
        return;
    }
    if (r->kind != REQ_AUTH_REFRESH) request_done(t, due); /* the tool call ends a request */
    if (ap) {
        if (timed_out)
            start_branch(t, ap->on_timeout, ap->n_on_timeout, due + as_delay(s, ITEM_DONE_MS));
        else if (ok)
            start_branch(t, ap->on_accept, ap->n_on_accept, due + as_delay(s, ITEM_DONE_MS));
        else
            start_branch(t, ap->on_decline, ap->n_on_decline, due + as_delay(s, ITEM_DONE_MS));
    }
    if (!t->ch.head) pull(t);
}

/* The request the turn waits for is settled at `now`: by the client's answer (`result`, NULL
 * for a JSON-RPC error), or — `timed_out` — by the approval's `timeout:` passing first. */
static void settle(as_turn *t, int64_t now, const cJSON *result, bool timed_out) {
    as_server *s = t->s;
    if (t->timeout_timer) {
        evloop_cancel(s->loop, t->timeout_timer);
        t->timeout_timer = 0;
    }
    if (t->held.src && t->held.src->kind == STEP_SERVER_REQUEST) {
        settle_request(t, now, result, timed_out);
        return;
    }
    int64_t due = now + as_delay(s, RESOLVED_MS);
    buf b;
    buf_init(&b);
    buf_printf(&b, "{\"threadId\":\"%s\",\"requestId\":%lld}", t->th->id, (long long)t->req_id);
    notify(t, due, "serverRequest/resolved", &b);
    buf_free(&b);
    due += as_delay(s, 0.2);
    t->waiting = false;
    status_changed(t, due, "{\"type\":\"active\",\"activeFlags\":[]}");
    /* the rest of the turn's timeline moves by the time it waited */
    t->anchor += now - t->wait_since;
    const action *a = &t->held;
    const approval_spec *ap = a->src->approval;
    bool mcp = a->ev.item.type == ITEM_MCP_TOOL_CALL;
    answer_kind k;
    const char *dec = NULL;
    bool for_session = false;
    const char *mcp_text = ASR_MCP_CANCELLED_TEXT;
    if (timed_out) {
        /* no answer in time: as a decline (an MCP call as cancelled), then `on_timeout:` */
        k = ANSWER_DECLINE;
    } else if (mcp) {
        /* an elicitation's answer: {action, content, _meta} */
        asr_mcp_answer m = asr_mcp_read(result, &dec);
        k = m == ASR_MCP_ACCEPT || m == ASR_MCP_SESSION ? ANSWER_ACCEPT : ANSWER_DECLINE;
        for_session = m == ASR_MCP_SESSION;
        if (m == ASR_MCP_DECLINE) mcp_text = ASR_MCP_DECLINED_TEXT;
    } else {
        k = result ? read_decision(result) : ANSWER_FAIL;
        dec = decision_text(result);
        for_session = !strcmp(dec, "acceptForSession");
    }
    journal_approval(t, a, dec, now, timed_out);
    if (k == ANSWER_ACCEPT && for_session) remember_for_session(t->th, &a->ev.item);
    if (k == ANSWER_ACCEPT && !mcp && dec && !strcmp(dec, "acceptWithExecpolicyAmendment"))
        remember_amendment(t->th, result);
    if (k == ANSWER_ACCEPT) {
        t->approved = a->src;
        if (a->ev.type == EV_ITEM_COMPLETED) {
            /* an item whose one event is its completion: it completes once applied */
            int64_t at = t->anchor + (t->have_t0 ? a->due_ns - t->t0_plan : 0);
            if (at < due) at = due;
            at += as_delay(s, 180.0);
            render_item(t, at, &a->ev);
            start_branch(t, ap->on_accept, ap->n_on_accept, at + as_delay(s, ITEM_DONE_MS));
        } else {
            t->branch_after = a->src;
        }
    } else {
        /* declined (or failed): the item completes so, the step's later events are dropped */
        item it = a->ev.item;
        it.status = k == ANSWER_FAIL ? STATUS_FAILED : STATUS_DECLINED;
        char id[64];
        item_id_of(&it, id);
        t->declined = a->src;
        t->cmd_asked = false;
        if (mcp) {
            mcp_refused(t, due, &a->ev.item, mcp_text);
        } else if (it.type == ITEM_COMMAND_EXECUTION) {
            buf j;
            buf_init(&j);
            command_json(&j, t, &it, id, true, t->cmd_started_ms, as_wall_at(s, due));
            item_notify(t, due, true, &j, as_wall_at(s, due));
            buf_free(&j);
            t->cmd_started[0] = '\0';
        } else {
            render_file_change(t, due, &it, id, true);
        }
        if (k == ANSWER_CANCEL) {
            end_interrupted(t, due);
            return;
        }
        request_done(t, due); /* the model hears of it in its next request */
        if (timed_out)
            start_branch(t, ap->on_timeout, ap->n_on_timeout, due + as_delay(s, ITEM_DONE_MS));
        else
            start_branch(t, ap->on_decline, ap->n_on_decline, due + as_delay(s, ITEM_DONE_MS));
    }
    if (!t->ch.head) pull(t);
}

bool as_turn_answer(as_server *s, int64_t request_id, const cJSON *result) {
    as_turn *t = NULL;
    for (size_t i = 0; i < s->n_threads && !t; i++) {
        as_turn *c = s->threads[i]->active;
        if (c && c->waiting && c->req_id == request_id) t = c;
    }
    if (!t) return false; /* an answer to nothing (or to a request of an ended turn) */
    settle(t, as_now(s), result, false);
    return true;
}

/* An approval's `timeout:` passed without an answer (the real server would wait on). */
static void request_timed_out(evloop *loop, void *ctx) {
    (void)loop;
    as_turn *t = ctx;
    t->timeout_timer = 0;
    if (t->waiting) settle(t, as_now(t->s), NULL, true);
}

/* `exit:` and `close_stdout:` steps (process faults for app-server clients): at their time, after
 * the lines due before them. */
static void exit_step(evloop *loop, void *ctx) {
    as_turn *t = ctx;
    t->s->exit_code = t->exit_code;
    t->s->exiting = true; /* nothing more is written; what is held still goes out */
    evloop_stop(loop, t->exit_code);
}

static void close_stdout_step(evloop *loop, void *ctx) {
    (void)loop;
    as_turn *t = ctx;
    t->s->stdout_closed = true;
    close(t->s->out_fd);
}

/* Plans until something is queued or the turn is over. Returns true when the turn was freed. */
static bool pull(void *ctx) {
    as_turn *t = ctx;
    while (!t->ended && !t->hung && !t->waiting && !t->ch.head) {
        action a;
        bool branch = t->in_branch;
        if (!plan_next(branch ? &t->br : &t->pl, &a)) {
            if (branch) {
                end_branch(t);
                continue;
            }
            /* a timeline without turn.completed: close the turn as completed */
            event ev = {.type = EV_TURN_COMPLETED};
            end_completed(t, as_now(t->s), &ev);
            break;
        }
        if (branch && a.kind == ACT_EVENT) {
            /* a branch's own lifecycle: its start anchors it, its end ends it */
            if (a.ev.type == EV_TURN_STARTED && !t->br_have_t0) {
                t->br_have_t0 = true;
                t->br_t0 = a.due_ns;
                continue;
            }
            if (a.ev.type == EV_THREAD_STARTED || a.ev.type == EV_TURN_STARTED) continue;
            if (a.ev.type == EV_TURN_COMPLETED || a.ev.type == EV_TURN_FAILED) {
                end_branch(t);
                continue;
            }
        }
        if (!t->have_t0 && a.kind == ACT_EVENT && a.ev.type == EV_TURN_STARTED) {
            t->have_t0 = true;
            t->t0_plan = a.due_ns;
            continue;
        }
        int64_t due = branch ? t->br_anchor + (t->br_have_t0 ? a.due_ns - t->br_t0 : 0)
                             : t->anchor + (t->have_t0 ? a.due_ns - t->t0_plan : 0);
        if (due < as_now(t->s)) due = as_now(t->s);
        if (branch) t->br_last = due;
        switch (a.kind) {
        case ACT_EVENT: {
            const event *ev = &a.ev;
            to_session(t, ev);
            switch (ev->type) {
            case EV_ITEM_STARTED:
            case EV_ITEM_UPDATED:
            case EV_ITEM_COMPLETED:
                if (a.src && a.src == t->declined) break; /* a declined step's later events */
                if (a.src && a.src->approval && a.src != t->approved &&
                    ev->type != EV_ITEM_UPDATED) {
                    approval_way w = approval_way_for(t, a.src, &ev->item);
                    if (w == APPROVE_FAIL) {
                        flush_pending_error(t, due);
                        mcp_never(t, due, &ev->item);
                        t->declined = a.src;
                        break;
                    }
                    if (w == APPROVE_ASK) {
                        flush_pending_error(t, due);
                        t->wait_since = due;
                        ask(t, due, &a);
                        break;
                    }
                    t->approved = a.src;
                }
                flush_pending_error(t, due);
                if (ev->type != EV_ITEM_UPDATED || ev->item.type == ITEM_TODO_LIST)
                    render_item(t, due, ev);
                if (ev->type == EV_ITEM_COMPLETED && a.src && a.src == t->branch_after) {
                    t->branch_after = NULL;
                    start_branch(t, a.src->approval->on_accept, a.src->approval->n_on_accept,
                                 due + as_delay(t->s, ITEM_DONE_MS));
                }
                break;
            case EV_ERROR: {
                char *msg = xstrndup(ev->message.ptr ? ev->message.ptr : "", ev->message.len);
                if (!strncmp(msg, "Reconnecting... ", 16)) {
                    flush_pending_error(t, due);
                    render_retry(t, due, msg);
                    free(msg);
                } else {
                    flush_pending_error(t, due);
                    t->pending_error = msg;
                }
                break;
            }
            case EV_TURN_FAILED: {
                char *msg = xstrndup(ev->message.ptr ? ev->message.ptr : "", ev->message.len);
                free(t->pending_error);
                t->pending_error = NULL;
                end_failed(t, due, msg);
                free(msg);
                break;
            }
            case EV_TURN_COMPLETED:
                flush_pending_error(t, due);
                end_completed(t, due, ev);
                break;
            default:
                break;
            }
            break;
        }
        case ACT_STDERR: {
            ssize_t w = write(2, a.bytes.ptr, a.bytes.len);
            (void)w;
            break;
        }
        case ACT_HANG:
            t->hung = true;
            break;
        case ACT_SIGNAL:
            fflush(NULL);
            signal(a.exit_code, SIG_DFL);
            raise(a.exit_code);
            break;
        case ACT_STDOUT: /* raw bytes: a malformed, torn or junk line, exactly as given */
            as_chan_line(&t->ch, due, a.bytes.ptr ? a.bytes.ptr : "", a.bytes.len);
            break;
        case ACT_EXIT: /* the process ends once what came before is out */
            t->exit_code = a.exit_code;
            t->hung = true;
            evloop_timer(t->s->loop, due, exit_step, t);
            break;
        case ACT_MODEL_REQUEST:
            flush_pending_error(t, due);
            if (a.src && a.src->kind == STEP_SERVER_REQUEST)
                ask_request(t, due, &a); /* the app-server asks its client */
            else
                request_done(t, due); /* a hidden tool's request ended: its usage pair */
            break;
        case ACT_CLOSE_STDOUT:
            evloop_timer(t->s->loop, due, close_stdout_step, t);
            break;
        default:
            break;
        }
    }
    if (t->ended && !t->ch.head) {
        as_turn_free(t);
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------------------------------
 * Start and interrupt
 * ---------------------------------------------------------------------------------------- */

static void open_session(as_turn *t) {
    as_server *s = t->s;
    as_thread *th = t->th;
    if (!th->path) return;
    session_info info;
    diag err;
    diag_init(&err);
    /* The thread's rollout as this process last left it: its line count is known, so the
     * turn costs the same however long the thread is. Another writer (a `codex exec resume`
     * of the same thread) changes the size: then the file is read again. */
    struct stat st;
    if (th->rollout_size > 0 && stat(th->path, &st) == 0 && st.st_size == th->rollout_size) {
        memset(&info, 0, sizeof info);
        info.path = xstrdup(th->path);
        info.lines = th->rollout_lines;
    } else if (session_read(th->path, &info, &err) < 0) {
        char *m = diag_format(&err);
        fprintf(stderr, "codex-mock: %s\n", m);
        free(m);
        diag_free(&err);
        return;
    }
    session_params sp = {.codex_home = s->codex_home,
                         .thread_id = th->id,
                         .cwd = th->cwd,
                         .prompt = t->prompt,
                         .model = s->model,
                         .provider = s->provider,
                         .sandbox = th->sandbox_mode,
                         .originator = s->client_name,
                         .thread_source = "vscode",
                         .source = "vscode",
                         .cli_version = "0.171.0",
                         .prior = th->totals};
    if (session_writer_append(&t->w, &info, &sp, s->clk, &s->rng, &err) == 0) {
        t->w_open = true;
        /* the file records the ids the client saw, so a resume shows the same turns */
        memcpy(t->w.given_turn_id, t->id, UUID_STR_LEN + 1);
        memcpy(t->w.given_user_id, t->user_id, UUID_STR_LEN + 1);
        t->w.item_ids_as_given = true;
        /* the thread's first turn writes the context lines, as exec's first turn does */
        t->w.new_thread = th->n_turns == 1 && !th->forked_from[0];
    } else {
        char *m = diag_format(&err);
        fprintf(stderr, "codex-mock: %s\n", m);
        free(m);
    }
    diag_free(&err);
    session_info_free(&info);
}

void as_turn_start(as_server *s, as_thread *th, const as_id *req, const char *text, int64_t at) {
    as_turn *t = xcalloc(1, sizeof *t);
    buf_init(&t->approvals);
    t->interrupt_ms = -1;
    t->s = s;
    t->th = th;
    t->next = s->turns;
    if (s->turns) s->turns->prev_next = &t->next;
    t->prev_next = &s->turns;
    s->turns = t;
    buf_init(&t->final_item);
    buf_init(&t->turn_diff);
    uuid_v7(t->id, (uint64_t)as_wall_at(s, at), &s->rng);
    t->prompt = xstrdup(text);
    as_chan_init(&t->ch, s);
    t->ch.drained = pull;
    t->ch.ctx = t;
    size_t index = (size_t)th->n_turns;
    snprintf(th->last_turn, sizeof th->last_turn, "%s", t->id);
    th->n_turns++;
    th->active = t;
    if (!th->preview) th->preview = xstrdup(text);

    /* the answer, then the turn's opening notifications */
    const turn_pace *pace = s->turn_warm ? &WARM : &COLD;
    s->turn_warm = true;
    /* a scenario turn's `started_after` is the wait before the turn goes active (exactly) */
    int64_t active_ns = -1;
    const scenario *sc = th->sc ? th->sc : &s->sc; /* as_rules_pick chose it */
    if (sc->turns && sc->n_turns) {
        const turn *st = &sc->turns[index < sc->n_turns ? index : sc->n_turns - 1];
        if (st->has_started_after) active_ns = plan_scale(st->started_after_ns, s->speed);
    }
    as_mcp_startup(s, &t->ch, th, at, 0);
    int64_t due = at + as_delay(s, pace->result);
    buf b;
    buf_init(&b);
    buf_puts(&b, "{\"turn\":");
    turn_json(&b, t, "inProgress", NULL, NULL, false, -1);
    buf_putc(&b, '}');
    buf line;
    buf_init(&line);
    asw_response(&line, req, b.data, b.len);
    as_chan_line(&t->ch, due, line.data, line.len);
    buf_free(&line);
    as_mcp_startup(s, &t->ch, th, at, 1);
    due += active_ns >= 0 ? active_ns : as_delay(s, pace->active);
    t->start_mono = due;
    t->started_ms = as_wall_at(s, due);
    status_changed(t, due, "{\"type\":\"active\",\"activeFlags\":[]}");
    due += as_delay(s, TURN_STARTED_MS);
    buf_reset(&b);
    buf_printf(&b, "{\"threadId\":\"%s\",\"turn\":", th->id);
    turn_json(&b, t, "inProgress", NULL, NULL, true, -1);
    buf_putc(&b, '}');
    notify(t, due, "turn/started", &b);

    char uid[UUID_STR_LEN + 1];
    due += as_delay(s, pace->user_started);
    int64_t ums = as_wall_at(s, due);
    uuid_v7(uid, (uint64_t)ums, &s->rng);
    snprintf(t->user_id, sizeof t->user_id, "%s", uid);
    buf it;
    buf_init(&it);
    for (int done = 0; done < 2; done++) {
        buf_reset(&it);
        buf_printf(&it,
                   "{\"type\":\"userMessage\",\"id\":\"%s\",\"clientId\":null,\"content\":"
                   "[{\"type\":\"text\",\"text\":",
                   uid);
        jsonw_cstring(&it, text);
        buf_puts(&it, ",\"text_elements\":[]}]");
        stamps(&it, ums, done ? ums : -1);
        if (done) due += as_delay(s, pace->user_completed);
        item_notify(t, due, done, &it, ums);
    }
    buf_free(&it);
    buf_free(&b);
    t->anchor = due;

    t->vars = (template_vars){.prompt = t->prompt,
                              .thread_id = th->id,
                              .cwd = th->cwd,
                              .envp = (const char *const *)environ,
                              .invocation = 1,
                              .now = s->now_text};
    plan_params pp = {.sc = sc,
                      .vars = &t->vars,
                      .turn = index,
                      .speed = s->speed,
                      .rng = &s->rng,
                      .cwd = th->cwd,
                      .thread_id = th->id,
                      .prompt = t->prompt,
                      .prior_usage = th->totals,
                      .wall_start_ms = s->wall_start,
                      /* CODEX_MOCK_CHAOS reconnect/stall/fail, as exec draws them */
                      .chaos = &s->faults.plan_chaos,
                      .chaos_rng = &s->faults.plan_rng};
    plan_init(&t->pl, &pp);
    t->pl_live = true;
    split_usage(t, index);
    open_session(t);
}

int as_turn_steer(as_server *s, as_thread *th, const as_id *req, const char *expected,
                  const char *text, const char *client_id, int64_t at, char **why) {
    as_turn *t = th->active;
    /* the turn is steerable once it went active (turn/started): before, the real one says
     * there is no active turn */
    if (!t || t->ended || as_now(s) < t->start_mono) {
        *why = xstrdup("no active turn to steer");
        return -1;
    }
    if (strcmp(expected, t->id) != 0) {
        *why = xasprintf("expected active turn id `%s` but found `%s`", expected, t->id);
        return -1;
    }
    int64_t due = at + as_delay(s, STEER_ANSWER_MS);
    buf b;
    buf_init(&b);
    buf_printf(&b, "{\"turnId\":\"%s\"}", t->id);
    buf line;
    buf_init(&line);
    asw_response(&line, req, b.data, b.len);
    as_chan_line(&s->answers, due, line.data, line.len);
    buf_free(&line);
    /* the input joins the turn as a userMessage item where the turn's next step begins (the
     * real one records it before its next model request) */
    due += as_delay(s, WARM.user_started);
    int64_t ums = as_wall_at(s, due);
    char uid[UUID_STR_LEN + 1];
    uuid_v7(uid, (uint64_t)ums, &s->rng);
    buf params[2];
    for (int done = 0; done < 2; done++) {
        buf_reset(&b);
        buf_printf(&b, "{\"type\":\"userMessage\",\"id\":\"%s\",\"clientId\":", uid);
        if (client_id)
            jsonw_cstring(&b, client_id);
        else
            buf_puts(&b, "null");
        buf_puts(&b, ",\"content\":[{\"type\":\"text\",\"text\":");
        jsonw_cstring(&b, text);
        buf_puts(&b, ",\"text_elements\":[]}]");
        stamps(&b, ums, done ? ums : -1);
        buf_init(&params[done]);
        buf_puts(&params[done], "{\"item\":");
        buf_append(&params[done], b.data, b.len);
        buf_printf(&params[done], ",\"threadId\":\"%s\",\"turnId\":\"%s\"", th->id, t->id);
        if (done)
            buf_printf(&params[done], ",\"contentTokenCount\":null,\"completedAtMs\":%lld}",
                       (long long)ums);
        else
            buf_printf(&params[done], ",\"startedAtMs\":%lld}", (long long)ums);
    }
    if (t->w_open) session_writer_user_message(&t->w, uid, text, ums);
    static const char *const METHODS[] = {"item/started", "item/completed"};
    as_chan_notify_between_steps(&t->ch, due, METHODS, params, 2);
    buf_free(&params[0]);
    buf_free(&params[1]);
    buf_free(&b);
    return 0;
}

/* The turn ends `interrupted` without a request to answer (a cancelled approval). */
static void end_interrupted(as_turn *t, int64_t due) {
    as_server *s = t->s;
    rate_limits(t, due + as_delay(s, 5.0));
    due += as_delay(s, 15.0);
    status_changed(t, due, "{\"type\":\"idle\"}");
    turn_completed(t, due, "interrupted", NULL);
    close_session(t, END_INTERRUPTED, false);
    journal(t, 130);
    finish(t);
}

void as_turn_interrupt(as_server *s, as_thread *th, const as_id *req, int64_t at) {
    as_turn *t = th->active;
    /* real time since the turn went active (the wall clock may be scaled or fixed) */
    t->interrupt_ms = (as_now(s) - t->start_mono) / 1000000;
    if (t->interrupt_ms < 0) t->interrupt_ms = 0;
    if (t->waiting && t->held.src && t->held.src->kind == STEP_SERVER_REQUEST) {
        const request_spec *r = t->held.src->u.request;
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)r->id.len, r->id.ptr ? r->id.ptr : "call");
        asr_entry e = {.request_id = t->req_id,
                       .method = REQUEST_METHODS[r->kind],
                       .item_id = r->kind == REQ_AUTH_REFRESH ? NULL : id,
                       .type = REQUEST_TYPES[r->kind],
                       .subject = "",
                       .latency_ns = -1,
                       .expected = t->held.src->approval ? t->held.src->approval->expect : NULL};
        asr_journal(&t->approvals, s->err_fd, &e); /* asked, never answered */
    } else if (t->waiting) {
        journal_approval(t, &t->held, NULL, -1, false); /* asked, never answered */
    }
    t->waiting = false;
    if (t->timeout_timer) evloop_cancel(s->loop, t->timeout_timer);
    t->timeout_timer = 0;
    as_chan_clear(&t->ch);
    int64_t due = at + as_delay(s, 5.0);
    rate_limits(t, due);
    due += as_delay(s, 9.5);
    buf line;
    buf_init(&line);
    asw_response(&line, req, "{}", 2);
    as_chan_line(&t->ch, due, line.data, line.len);
    buf_free(&line);
    due += as_delay(s, 1.4);
    status_changed(t, due, "{\"type\":\"idle\"}");
    turn_completed(t, due, "interrupted", NULL);
    close_session(t, END_INTERRUPTED, false);
    journal(t, 130);
    finish(t);
}

const char *as_turn_id(const as_turn *t) {
    return t->id;
}

void as_turn_free_all(as_server *s) {
    while (s->turns)
        as_turn_free(s->turns);
}

void as_turn_free(as_turn *t) {
    if (t->timeout_timer) evloop_cancel(t->s->loop, t->timeout_timer);
    *t->prev_next = t->next;
    if (t->next) t->next->prev_next = t->prev_next;
    if (t->th->active == t) t->th->active = NULL;
    as_chan_clear(&t->ch);
    if (t->pl_live) plan_free(&t->pl);
    if (t->in_branch) plan_free(&t->br);
    if (t->w_open) session_writer_close(&t->w);
    buf_free(&t->final_item);
    buf_free(&t->turn_diff);
    buf_free(&t->approvals);
    free(t->final_text);
    free(t->pending_error);
    free(t->prompt);
    free(t);
}

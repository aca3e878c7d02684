#include "convert.h"
#include "exitcodes.h"
#include "cli.h"
#include "event_json.h"
#include "plan.h"
#include "prompt.h"
#include "rng.h"
#include "scenario_load.h"
#include "yamlw.h"

#include <cJSON.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- notes */

void convert_notes_free(convert_notes *n) {
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    free(n->v);
    n->v = NULL;
    n->n = 0;
}

void convert_note(convert_notes *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < n->n; i++)
        if (!strcmp(n->v[i], text)) { /* once is enough */
            free(text);
            return;
        }
    n->v = xrealloc(n->v, (n->n + 1) * sizeof(char *));
    n->v[n->n++] = text;
}

/* ---------------------------------------------------------------- the model */

enum { S_OUT, S_ERR };

typedef enum {
    ROLE_STEP,     /* becomes (part of) a step */
    ROLE_NOTICE,   /* the stdin notice codex-mock prints itself (`preflight`) */
    ROLE_THREAD,   /* implicit thread.started (`startup`) */
    ROLE_TURN,     /* implicit turn.started (`started_after`) */
    ROLE_END,      /* implicit turn.completed (`completed_after` + `usage`) */
    ROLE_TODO_END, /* the todo_list completion the planner adds at turn end */
    ROLE_SINK      /* a line the human sink prints itself (`turn interrupted`) */
} rec_role;

typedef struct {
    int stream;
    int64_t t; /* tenths of a ms */
    const char *p;
    size_t len; /* with the '\n' */
    size_t idx; /* line index within its stream */
    cJSON *json;
    rec_role role;
    int group;
} rec;

typedef enum { G_STDERR, G_TEXT, G_PAIR, G_TODO, G_EVENT, G_RAW } gkind;
typedef enum { REP_SUGAR, REP_EVENT, REP_RAW } rep;

typedef struct {
    gkind kind;
    size_t first, n; /* records */
    rep level;
    rep initial; /* the layer it started at */
    bool stuck;  /* even raw bytes do not reproduce it */
    bool bulk;   /* lowered to raw by bulk_lower(), not because its own form failed */
    int yaml_first, yaml_last;
} group;

typedef struct {
    const recording *r;
    const convert_options *o;
    convert_notes *notes;
    rec *recs;
    size_t n_recs;
    size_t *by_line[2]; /* stream line index → index into recs */
    group *groups;
    size_t n_groups;
    bool timed;
    bool implicit;     /* thread.started / turn.started (and maybe the end) implicit */
    bool end_implicit; /* turn.completed implicit, with a usage step */
    bool implicit_ok;  /* the recording's shape allows implicit events at all */
    bool hang_end;     /* the run ended by a signal sent to it: `sleep: forever` */
    int die_signal;    /* it died by a signal nobody sent: a `signal` step */
    bool sigint_dies;  /* on_sigint: die */
    bool force_exit;   /* write `exit:` even when it equals the default */
    bool structure_stuck, exit_stuck;
    int exit_code; /* what to exit with when not hanging */
    bool has_notice;
    int64_t notice_t;
    bool before_prompt;    /* cli: {before_prompt: true} — no stdin notice, no stdin read */
    const char *thread_id; /* recorded */
    cJSON *usage;          /* of the implicit turn.completed */
} conv;

static bool json_type_is(const cJSON *ev, const char *type) {
    const cJSON *t = ev ? cJSON_GetObjectItemCaseSensitive(ev, "type") : NULL;
    return cJSON_IsString(t) && !strcmp(t->valuestring, type);
}

static const cJSON *ev_item(const cJSON *ev) {
    const cJSON *it = ev ? cJSON_GetObjectItemCaseSensitive(ev, "item") : NULL;
    return cJSON_IsObject(it) ? it : NULL;
}

static const char *item_type_of(const cJSON *ev) {
    const cJSON *it = ev_item(ev);
    const cJSON *t = it ? cJSON_GetObjectItemCaseSensitive(it, "type") : NULL;
    return cJSON_IsString(t) ? t->valuestring : "";
}

static const char *item_id_of(const cJSON *ev) {
    const cJSON *it = ev_item(ev);
    const cJSON *t = it ? cJSON_GetObjectItemCaseSensitive(it, "id") : NULL;
    return cJSON_IsString(t) ? t->valuestring : "";
}

static const char *str_member(const cJSON *o, const char *key) {
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Text the loader would take for a template placeholder: a `{{` closed by a later `}}`
 * (template.h). Written as it stands, `{{cwd}}` would be expanded on replay and an unknown
 * `{{HOME}}` would not load, so convert never writes it in a played string: the line goes out
 * as raw bytes split between the braces (emit_raw), which replay exactly. (`{{braces}}` came
 * later and would do too; the split form is what earlier conversions hold.) */
static bool holds_placeholder(const char *s, size_t len) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '{' || s[i + 1] != '{') continue;
        for (size_t j = i + 2; j + 1 < len; j++)
            if (s[j] == '}' && s[j + 1] == '}') return true;
        return false;
    }
    return false;
}

static bool json_holds_placeholder(const cJSON *v) {
    if (!v) return false;
    if (v->string && holds_placeholder(v->string, strlen(v->string))) return true;
    if (cJSON_IsString(v) && holds_placeholder(v->valuestring, strlen(v->valuestring))) return true;
    for (const cJSON *c = v->child; c; c = c->next)
        if (json_holds_placeholder(c)) return true;
    return false;
}

/* A JSON line cJSON can hold exactly: UTF-8 (what a YAML scalar can carry as text), no escaped
 * NUL (cJSON strings end at NUL). Other lines are replayed as raw bytes. */
static cJSON *parse_line(const char *p, size_t len) {
    if (len == 0 || p[0] != '{' || !yamlw_valid_utf8(p, len)) return NULL;
    for (size_t i = 0; i + 5 < len; i++)
        if (p[i] == '\\' && !memcmp(p + i + 1, "u0000", 5)) return NULL;
    cJSON *v = cJSON_ParseWithLength(p, len);
    if (v && !cJSON_IsObject(v)) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

static int cmp_rec(const void *a, const void *b) {
    const rec *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->stream != y->stream) return x->stream - y->stream;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void build_records(conv *c) {
    const recording *r = c->r;
    c->n_recs = r->out.n_lines + r->err.n_lines;
    c->recs = xcalloc(c->n_recs + 1, sizeof *c->recs);
    size_t k = 0;
    for (int s = 0; s < 2; s++) {
        const rec_stream *st = s == S_OUT ? &r->out : &r->err;
        for (size_t i = 0; i < st->n_lines; i++) {
            rec *x = &c->recs[k++];
            x->stream = s;
            x->t = c->timed ? st->lines[i].t : 0;
            x->p = st->bytes.data + st->lines[i].off;
            x->len = st->lines[i].len;
            x->idx = i;
            if (s == S_OUT && r->json_mode) x->json = parse_line(x->p, x->len);
        }
    }
    qsort(c->recs, c->n_recs, sizeof *c->recs, cmp_rec);
    c->by_line[S_OUT] = xcalloc(r->out.n_lines + 1, sizeof(size_t));
    c->by_line[S_ERR] = xcalloc(r->err.n_lines + 1, sizeof(size_t));
    for (size_t i = 0; i < c->n_recs; i++)
        c->by_line[c->recs[i].stream][c->recs[i].idx] = i;
}

static bool line_is(const rec *x, const char *text) {
    size_t n = strlen(text);
    return x->len == n + 1 && !memcmp(x->p, text, n) && x->p[n] == '\n';
}

/* The stdin notice codex-mock's own CLI prints for this argv, or NULL. *continues: the run
 * resumes or forks a thread (its turn.completed carries the thread's earlier usage too). */
static const char *fake_notice(const recording *r, bool *cli_done, bool *continues) {
    *cli_done = false;
    *continues = false;
    if (!r->argc) return NULL;
    invocation inv;
    cli_parse((int)r->argc, r->argv, "0.171.0", &inv);
    *continues = inv.cmd == CMD_EXEC_RESUME || inv.cmd == CMD_EXEC_FORK;
    const char *notice = NULL;
    if (inv.done || inv.cmd == CMD_LOGIN || inv.cmd == CMD_LOGIN_STATUS || inv.cmd == CMD_LOGOUT) {
        *cli_done = true;
    } else {
        prompt_plan pp = prompt_decide(&inv, r->stdin_tty);
        if (!pp.error && pp.read_stdin) notice = pp.notice;
    }
    cli_free(&inv);
    return notice;
}

static size_t next_step_rec(const conv *c, size_t i) {
    while (i < c->n_recs && c->recs[i].role != ROLE_STEP)
        i++;
    return i;
}

/* Roles: what the scenario's top-level keys and implicit events carry. */
static void assign_roles(conv *c) {
    const recording *r = c->r;
    bool cli_done = false, continues = false;
    const char *notice = fake_notice(r, &cli_done, &continues);
    if (cli_done)
        convert_note(c->notes,
                     "codex-mock's own CLI answers this argv without a scenario (a usage error, "
                     "--help, --version, or login/logout, which it does not emulate yet); the "
                     "scenario describes the recorded run but is not consulted on replay");
    /* the stdin notice */
    for (size_t i = 0; notice && i < c->n_recs; i++) {
        rec *x = &c->recs[i];
        if (x->stream != S_ERR) continue;
        if (line_is(x, notice)) {
            x->role = ROLE_NOTICE;
            c->has_notice = true;
            c->notice_t = x->t;
        }
        break;
    }
    /* The real CLI stopped before reading stdin (a config.toml error): the steps play before
     * the prompt, so codex-mock prints no notice either. */
    if (notice && !c->has_notice) c->before_prompt = true;
    /* how the run ended (a bare capture: as its events say) */
    int sig = r->signal_name ? signal_number(r->signal_name) : 0;
    c->exit_code = 0;
    if (r->has_exit) {
        c->exit_code = r->exit_code;
    } else {
        for (size_t i = 0; i < c->n_recs; i++)
            if (json_type_is(c->recs[i].json, "turn.failed")) c->exit_code = 1;
    }
    if (r->has_exit && r->exit_code < 0 && !sig) {
        c->die_signal = -r->exit_code; /* it killed itself (or something else did) */
        if (!scenario_signal_step_knows(signal_name_of(c->die_signal)))
            convert_note(c->notes, "the run died by signal %d, which a scenario cannot name",
                         -r->exit_code);
    } else if (r->has_exit && r->exit_code < 0) {
        c->hang_end = true;
        c->sigint_dies = -r->exit_code == SIGINT;
    } else if (sig == SIGINT && c->exit_code == 1) {
        c->hang_end = true; /* codex-mock handles SIGINT as the real CLI: exit 1 */
        if (!r->json_mode && c->n_recs) {
            rec *last = &c->recs[c->n_recs - 1];
            if (last->stream == S_ERR && line_is(last, "turn interrupted")) last->role = ROLE_SINK;
        }
    } else if (sig) {
        convert_note(c->notes, "%s was sent to the run but it exited %d on its own", r->signal_name,
                     c->exit_code);
    }
    if (c->exit_code == EXIT_MOCK_ERROR && !c->hang_end)
        convert_note(c->notes, "exit code 78 is reserved for codex-mock's own errors; the scenario "
                               "cannot ask for it");
    /* implicit thread.started / turn.started / turn end */
    if (!r->json_mode) return;
    for (size_t i = 0; i < c->n_recs && !c->thread_id; i++)
        if (c->recs[i].stream == S_OUT && json_type_is(c->recs[i].json, "thread.started"))
            c->thread_id = str_member(c->recs[i].json, "thread_id");
    /* `thread_id:` would be a template (holds_placeholder): thread.started stays a line */
    if (c->thread_id && holds_placeholder(c->thread_id, strlen(c->thread_id))) return;
    size_t a = next_step_rec(c, 0);
    if (a >= c->n_recs || c->recs[a].stream != S_OUT ||
        !json_type_is(c->recs[a].json, "thread.started"))
        return;
    size_t b = next_step_rec(c, a + 1);
    if (b >= c->n_recs || c->recs[b].stream != S_OUT ||
        !json_type_is(c->recs[b].json, "turn.started"))
        return;
    /* A terminal the planner will see: implicit end, an explicit turn.* event, or a hang. */
    size_t last = c->n_recs;
    while (last > 0 && c->recs[last - 1].role != ROLE_STEP)
        last--;
    bool end_ok = false;
    if (last > b + 1) {
        rec *l = &c->recs[last - 1];
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(l->json, "usage");
        /* a resumed or forked thread adds its earlier usage to a `usage:` step: keep the
         * recorded totals exact with an explicit turn.completed instead */
        if (l->stream == S_OUT && json_type_is(l->json, "turn.completed") && cJSON_IsObject(u) &&
            c->exit_code == 0 && !c->hang_end && !continues)
            end_ok = true;
    }
    bool terminal_event = false;
    for (size_t i = b + 1; i < c->n_recs; i++)
        if (c->recs[i].stream == S_OUT && (json_type_is(c->recs[i].json, "turn.completed") ||
                                           json_type_is(c->recs[i].json, "turn.failed")))
            terminal_event = true;
    if (!end_ok && !terminal_event && !c->hang_end) return;
    c->implicit_ok = true;
    c->implicit = true;
    c->recs[a].role = ROLE_THREAD;
    c->recs[b].role = ROLE_TURN;
    if (end_ok) {
        rec *l = &c->recs[last - 1];
        l->role = ROLE_END;
        c->end_implicit = true;
        c->usage = cJSON_GetObjectItemCaseSensitive(l->json, "usage");
        size_t p = last - 1;
        while (p > 0 && c->recs[p - 1].role != ROLE_STEP)
            p--;
        /* the todo_list completion the planner adds just before the implicit end */
        if (p > b + 1) {
            rec *td = &c->recs[p - 1];
            if (td->stream == S_OUT && td->t == l->t && json_type_is(td->json, "item.completed") &&
                !strcmp(item_type_of(td->json), "todo_list"))
                td->role = ROLE_TODO_END;
        }
    }
}

/* An item.started + item.completed pair that one step reproduces: the types that get
 * item.started, but the todo list (its own G_TODO steps) and collab_tool_call (no step form
 * yet: its events stay `event:` lines). */
static bool pair_type(const char *t) {
    for (int k = 0; k < ITEM_TYPE_COUNT; k++)
        if (!strcmp(t, ITEM_TYPE_NAMES[k]))
            return item_type_gets_started((item_type)k) && k != ITEM_TODO_LIST &&
                   k != ITEM_COLLAB_TOOL_CALL;
    return false;
}

static bool text_type(const char *t) {
    return !strcmp(t, "agent_message") || !strcmp(t, "reasoning") || !strcmp(t, "error");
}

static void add_group(conv *c, gkind kind, size_t first, size_t n, rep level) {
    for (size_t i = first; i < first + n; i++) { /* see holds_placeholder */
        const rec *x = &c->recs[i];
        if (x->json ? json_holds_placeholder(x->json) : holds_placeholder(x->p, x->len))
            level = REP_RAW;
    }
    c->groups = xrealloc(c->groups, (c->n_groups + 1) * sizeof *c->groups);
    c->groups[c->n_groups] = (group){kind, first, n, level, level, false, false, 0, 0};
    for (size_t i = first; i < first + n; i++)
        c->recs[i].group = (int)c->n_groups;
    c->n_groups++;
}

static void build_groups(conv *c) {
    free(c->groups);
    c->groups = NULL;
    c->n_groups = 0;
    for (size_t i = 0; i < c->n_recs; i++) {
        rec *x = &c->recs[i];
        x->group = -1;
        if (x->role != ROLE_STEP) continue;
        if (x->stream == S_ERR) {
            bool nl = x->len && x->p[x->len - 1] == '\n';
            add_group(c, G_STDERR, i, 1, nl ? REP_SUGAR : REP_RAW);
            continue;
        }
        if (!c->r->json_mode || !x->json) {
            add_group(c, G_RAW, i, 1, REP_RAW);
            continue;
        }
        const char *it = item_type_of(x->json);
        if (json_type_is(x->json, "item.started") && pair_type(it)) {
            size_t j = next_step_rec(c, i + 1);
            if (j == i + 1 && j < c->n_recs && c->recs[j].stream == S_OUT &&
                json_type_is(c->recs[j].json, "item.completed") &&
                !strcmp(item_type_of(c->recs[j].json), it) &&
                !strcmp(item_id_of(c->recs[j].json), item_id_of(x->json))) {
                add_group(c, G_PAIR, i, 2, REP_SUGAR);
                i++;
                continue;
            }
        }
        if (json_type_is(x->json, "item.completed") && text_type(it)) {
            add_group(c, G_TEXT, i, 1, REP_SUGAR);
            continue;
        }
        if ((json_type_is(x->json, "item.started") || json_type_is(x->json, "item.updated")) &&
            !strcmp(it, "todo_list")) {
            add_group(c, G_TODO, i, 1, REP_SUGAR);
            continue;
        }
        add_group(c, G_EVENT, i, 1, REP_EVENT);
    }
}

/* ---------------------------------------------------------------- YAML emission */

typedef struct {
    buf *y;
    int64_t cursor;     /* tenths of a ms: due of the last output */
    uint64_t next_item; /* the planner's item_N counter, simulated */
    int line;           /* YAML line (1-based) at byte `scanned` */
    size_t scanned;
} emitter;

static void put(emitter *e, const char *s) {
    buf_puts(e->y, s);
}

/* The line the next byte goes on. */
static int cur_line(emitter *e) {
    for (; e->scanned < e->y->len; e->scanned++)
        e->line += e->y->data[e->scanned] == '\n';
    return e->line;
}

static void put_duration(buf *b, int64_t t) {
    if (t < 0) t = 0;
    if (t % 10 == 0)
        buf_printf(b, "%lldms", (long long)(t / 10));
    else
        buf_printf(b, "%lld.%lldms", (long long)(t / 10), (long long)(t % 10));
}

/* Writes a string scalar: as text when it is UTF-8, else as `!!binary` (base64), which the
 * loader reads back as the same bytes. */
static void put_str(emitter *e, const char *s, size_t len) {
    if (yamlw_scalar(e->y, s, len) == 0) return;
    yamlw_binary(e->y, s, len);
}

static void put_after(emitter *e, int64_t t, const conv *c) {
    if (!c->timed) return;
    put(e, "        after: ");
    put_duration(e->y, t - e->cursor);
    put(e, "\n");
    e->cursor = t;
}

/* An explicit item_N moves the counter past it (as plan.c assign_id does). */
static void id_seen(emitter *e, const char *id) {
    if (strncmp(id, "item_", 5) || !id[5]) return;
    char *end;
    unsigned long long n = strtoull(id + 5, &end, 10);
    if (*end == '\0' && n + 1 > e->next_item) e->next_item = n + 1;
}

/* `id:` only when the planner would not pick the same one. */
static void put_id_if_needed(emitter *e, const char *id) {
    char want[32];
    snprintf(want, sizeof want, "item_%llu", (unsigned long long)e->next_item);
    if (strcmp(id, want) != 0) {
        put(e, "        id: ");
        put_str(e, id, strlen(id));
        put(e, "\n");
    }
    if (!strcmp(id, want))
        e->next_item++;
    else
        id_seen(e, id);
}

/* A path under the recorded cwd, made relative so a replay elsewhere points at its own cwd. */
static const char *relative_path(const conv *c, const char *p) {
    const char *cwd = c->r->cwd;
    size_t n = cwd ? strlen(cwd) : 0;
    if (n && !strncmp(p, cwd, n) && p[n] == '/' && p[n + 1]) return p + n + 1;
    return p;
}

static cJSON *relativized_event(const conv *c, const cJSON *ev) {
    cJSON *copy = cJSON_Duplicate(ev, true);
    cJSON *item = cJSON_GetObjectItemCaseSensitive(copy, "item");
    if (!strcmp(item_type_of(copy), "file_change")) {
        cJSON *ch, *changes = cJSON_GetObjectItemCaseSensitive(item, "changes");
        cJSON_ArrayForEach(ch, changes) {
            const char *p = str_member(ch, "path");
            if (p && relative_path(c, p) != p)
                cJSON_ReplaceItemInObjectCaseSensitive(ch, "path",
                                                       cJSON_CreateString(relative_path(c, p)));
        }
    }
    if (c->o->template_thread_id && json_type_is(copy, "thread.started"))
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "thread_id");
    return copy;
}

static void emit_event(emitter *e, const conv *c, const rec *x) {
    cJSON *ev = relativized_event(c, x->json);
    put(e, "      - event: ");
    if (yamlw_json(e->y, ev) < 0) put(e, "{}");
    put(e, "\n");
    const char *id = item_id_of(ev);
    if (*id) id_seen(e, id);
    cJSON_Delete(ev);
    put_after(e, x->t, c);
}

static void emit_raw(emitter *e, const conv *c, const rec *x) {
    /* One raw step per piece, cut between the braces of every `{{` so that no piece holds a
     * placeholder (holds_placeholder); the pieces after the first follow at once. */
    size_t start = 0;
    do {
        size_t end = start;
        while (end < x->len && !(end > start && x->p[end - 1] == '{' && x->p[end] == '{'))
            end++;
        put(e, "      - raw: ");
        put_str(e, x->p + start, end - start);
        put(e, "\n");
        if (x->stream == S_ERR) put(e, "        stream: stderr\n");
        if (start == 0 || c->timed)
            put_after(e, x->t, c);
        else
            put(e, "        after: 0ms\n");
        start = end;
    } while (start < x->len);
}

static void put_field_json(emitter *e, const char *key, const cJSON *v) {
    buf_printf(e->y, "        %s: ", key);
    if (yamlw_json(e->y, v) < 0) put(e, "null");
    put(e, "\n");
}

/* `status:` from the recording: a scalar like any other input text (written bare, a status
 * holding a line break or `: ` broke the YAML, and the load error fell on the next step). */
static void put_status(emitter *e, const char *indent, const char *status) {
    put(e, indent);
    put(e, "status: ");
    put_str(e, status, strlen(status));
    put(e, "\n");
}

static void emit_pair_sugar(emitter *e, const conv *c, const rec *s, const rec *d) {
    const cJSON *it = ev_item(d->json);
    const char *type = item_type_of(d->json);
    const char *status = str_member(it, "status");
    if (!strcmp(type, "command_execution")) {
        const char *cmd = str_member(it, "command"), *out = str_member(it, "aggregated_output");
        const cJSON *ec = cJSON_GetObjectItemCaseSensitive(it, "exit_code");
        put(e, "      - command: ");
        put_str(e, cmd ? cmd : "", cmd ? strlen(cmd) : 0);
        put(e, "\n");
        put_id_if_needed(e, item_id_of(d->json));
        if (out && *out) {
            put(e, "        output: ");
            put_str(e, out, strlen(out));
            put(e, "\n");
        }
        bool zero = cJSON_IsNumber(ec) && ec->valuedouble == 0;
        if (cJSON_IsNull(ec) || !zero) put_field_json(e, "exit_code", ec);
        const char *def = (cJSON_IsNull(ec) || zero) ? "completed" : "failed";
        if (status && strcmp(status, def)) put_status(e, "        ", status);
    } else if (!strcmp(type, "file_change")) {
        put(e, "      - file_change: [");
        const cJSON *ch, *changes = cJSON_GetObjectItemCaseSensitive(it, "changes");
        bool first = true;
        cJSON_ArrayForEach(ch, changes) {
            const char *p = str_member(ch, "path"), *k = str_member(ch, "kind");
            if (!first) put(e, ", ");
            first = false;
            put(e, "{path: ");
            p = p ? relative_path(c, p) : "";
            put_str(e, p, strlen(p));
            put(e, ", kind: ");
            k = k ? k : "update";
            put_str(e, k, strlen(k));
            put(e, "}");
        }
        put(e, "]\n");
        put_id_if_needed(e, item_id_of(d->json));
        if (status && strcmp(status, "completed")) put_status(e, "        ", status);
    } else if (!strcmp(type, "mcp_tool_call")) {
        put(e, "      - mcp_tool_call:\n");
        const char *keys[] = {"server", "tool", "arguments", "result", "error"};
        for (size_t i = 0; i < 5; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, keys[i]);
            if (!v || (i == 4 && cJSON_IsNull(v))) continue;
            buf_printf(e->y, "          %s: ", keys[i]);
            if (yamlw_json(e->y, v) < 0) put(e, "null");
            put(e, "\n");
        }
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(it, "error");
        const char *def = (err && !cJSON_IsNull(err)) ? "failed" : "completed";
        if (status && strcmp(status, def)) put_status(e, "          ", status);
        put_id_if_needed(e, item_id_of(d->json));
    } else { /* web_search: the provider's id is the second "id" member */
        const char *q = str_member(it, "query");
        put(e, "      - web_search: ");
        put_str(e, q ? q : "", q ? strlen(q) : 0);
        put(e, "\n");
        put_id_if_needed(e, item_id_of(d->json));
        const cJSON *m;
        int ids = 0;
        cJSON_ArrayForEach(m, it) {
            if (m->string && !strcmp(m->string, "id") && ++ids == 2 && cJSON_IsString(m)) {
                put(e, "        search_id: ");
                put_str(e, m->valuestring, strlen(m->valuestring));
                put(e, "\n");
            }
        }
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(it, "action");
        if (action) put_field_json(e, "action", action);
    }
    if (c->timed) {
        put(e, "        duration: ");
        put_duration(e->y, d->t - s->t);
        put(e, "\n");
    }
    put_after(e, s->t, c);
    e->cursor = d->t;
}

static void emit_text_sugar(emitter *e, const conv *c, const rec *x) {
    const cJSON *it = ev_item(x->json);
    const char *type = item_type_of(x->json);
    bool warn = !strcmp(type, "error");
    const char *text = str_member(it, warn ? "message" : "text");
    buf_printf(e->y, "      - %s: ",
               warn                         ? "warning"
               : !strcmp(type, "reasoning") ? "reasoning"
                                            : "message");
    put_str(e, text ? text : "", text ? strlen(text) : 0);
    put(e, "\n");
    put_id_if_needed(e, item_id_of(x->json));
    put_after(e, x->t, c);
}

static void emit_todo_sugar(emitter *e, const conv *c, const rec *x, bool *todo_open) {
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(ev_item(x->json), "items");
    put(e, "      - todo_list: ");
    if (yamlw_json(e->y, items) < 0) put(e, "[]");
    put(e, "\n");
    if (!*todo_open) put_id_if_needed(e, item_id_of(x->json));
    *todo_open = true;
    put_after(e, x->t, c);
}

static bool is_blank_text(const char *s) {
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static void emit_group(emitter *e, conv *c, group *g, bool *todo_open) {
    rec *x = &c->recs[g->first];
    if (g->kind == G_TEXT && g->level == REP_SUGAR && !strcmp(item_type_of(x->json), "reasoning") &&
        is_blank_text(str_member(ev_item(x->json), "text")))
        g->level = REP_EVENT; /* the planner drops blank reasoning sugar */
    g->yaml_first = cur_line(e);
    switch (g->level) {
    case REP_SUGAR:
        switch (g->kind) {
        case G_STDERR:
            put(e, "      - stderr: ");
            put_str(e, x->p, x->len - 1);
            put(e, "\n");
            put_after(e, x->t, c);
            break;
        case G_TEXT:
            emit_text_sugar(e, c, x);
            break;
        case G_PAIR:
            emit_pair_sugar(e, c, x, &c->recs[g->first + 1]);
            break;
        case G_TODO:
            emit_todo_sugar(e, c, x, todo_open);
            break;
        default:
            emit_event(e, c, x);
        }
        break;
    case REP_EVENT:
        for (size_t i = 0; i < g->n; i++) {
            rec *y = &c->recs[g->first + i];
            if (y->json)
                emit_event(e, c, y);
            else
                emit_raw(e, c, y);
            if (!strcmp(item_type_of(y->json), "todo_list"))
                *todo_open = !json_type_is(y->json, "item.completed");
        }
        break;
    case REP_RAW:
        for (size_t i = 0; i < g->n; i++)
            emit_raw(e, c, &c->recs[g->first + i]);
        break;
    }
    g->yaml_last = cur_line(e) - 1;
}

static void emit_comment_block(buf *y, const char *text) {
    /* one comment line per line of text */
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        buf_puts(y, "# ");
        yamlw_comment_text(y, p, n); /* a comment must stay one (input bytes: notes, paths) */
        buf_putc(y, '\n');
        p += n + (nl ? 1 : 0);
    }
}

static void emit(conv *c, buf *y) {
    buf_reset(y);
    emitter e = {y, 0, 0, 1, 0};
    const recording *r = c->r;
    const char *shows = r->description ? r->description : "a run recorded from the real Codex CLI";
    buf_puts(y, "# Shows: ");
    yamlw_comment_text(y, shows, strlen(shows));
    buf_putc(y, '\n');
    buf head;
    buf_init(&head);
    buf_printf(&head, "Converted by `codex-mock convert` from %s.",
               c->o->source ? c->o->source : "a recording");
    emit_comment_block(y, head.data);
    buf_free(&head);
    for (size_t i = 0; i < c->notes->n; i++) {
        buf_puts(y, "# note: ");
        yamlw_comment_text(y, c->notes->v[i], strlen(c->notes->v[i]));
        buf_putc(y, '\n');
    }
    put(&e, "codex_mock: 1\n");
    const char *name = r->name ? r->name : "recording";
    put(&e, "name: ");
    put_str(&e, name, strlen(name)); /* labels are not templates: written as they are */
    put(&e, "\n");
    if (r->description) {
        put(&e, "description: ");
        put_str(&e, r->description, strlen(r->description));
        put(&e, "\n");
    }
    if (c->implicit && c->thread_id && !c->o->template_thread_id) {
        put(&e, "thread_id: ");
        put_str(&e, c->thread_id, strlen(c->thread_id));
        put(&e, "\n");
    }
    if (!c->implicit) put(&e, "implicit_events: false\n");
    if (c->sigint_dies) put(&e, "on_sigint: die\n");
    /* the version the recording was made with (meta.json's "codex-cli X"): the scenario
     * emulates that version's profile (0.169.0: no --remote, its help texts) */
    const char *version = c->r->codex_version;
    if (version && !strncmp(version, "codex-cli ", 10))
        version += 10;
    else
        version = NULL;
    if (c->before_prompt || version) {
        put(&e, "cli: {");
        if (version) {
            put(&e, "version: ");
            put_str(&e, version, strlen(version));
        }
        if (c->before_prompt) put(&e, version ? ", before_prompt: true" : "before_prompt: true");
        put(&e, "}\n");
    }
    if (c->has_notice && c->timed) {
        put(&e, "preflight: ");
        put_duration(y, c->notice_t);
        put(&e, "\n");
    }
    const rec *thread = NULL, *turn_rec = NULL, *end = NULL, *todo_end = NULL;
    for (size_t i = 0; i < c->n_recs; i++) {
        if (c->recs[i].role == ROLE_THREAD) thread = &c->recs[i];
        if (c->recs[i].role == ROLE_TURN) turn_rec = &c->recs[i];
        if (c->recs[i].role == ROLE_END) end = &c->recs[i];
        if (c->recs[i].role == ROLE_TODO_END) todo_end = &c->recs[i];
    }
    if (c->implicit && c->timed && thread) {
        put(&e, "startup: ");
        put_duration(y, thread->t);
        put(&e, "\n");
        e.cursor = thread->t;
    }
    put(&e, "turns:\n");
    put(&e, "  - ");
    bool first_key = true;
    if (c->implicit && c->timed && turn_rec) {
        put(&e, "started_after: ");
        put_duration(y, turn_rec->t - e.cursor);
        put(&e, "\n");
        e.cursor = turn_rec->t;
        first_key = false;
    }
    /* completed_after: from the last step output to the implicit end */
    int64_t last_step_t = e.cursor;
    for (size_t i = 0; i < c->n_recs; i++)
        if (c->recs[i].role == ROLE_STEP) last_step_t = c->recs[i].t;
    if (c->end_implicit && c->timed && end) {
        if (!first_key) put(&e, "    ");
        put(&e, "completed_after: ");
        put_duration(y, (todo_end ? todo_end->t : end->t) - last_step_t);
        put(&e, "\n");
        first_key = false;
    }
    if (!first_key) put(&e, "    ");
    put(&e, "steps:\n");
    bool todo_open = false;
    size_t n_steps = 0;
    for (size_t g = 0; g < c->n_groups; g++, n_steps++)
        emit_group(&e, c, &c->groups[g], &todo_open);
    if (c->end_implicit && c->usage) {
        put(&e, "      - usage: ");
        yamlw_json(y, c->usage);
        put(&e, "\n");
        n_steps++;
    }
    if (c->hang_end) {
        put(&e, "      - sleep: forever\n");
        n_steps++;
    } else if (c->die_signal) {
        const char *sn = signal_name_of(c->die_signal);
        buf_printf(y, "      - signal: %s\n", scenario_signal_step_knows(sn) ? sn : "SIGKILL");
        if (c->timed && r->duration_t > e.cursor) {
            put(&e, "        after: ");
            put_duration(y, r->duration_t - e.cursor);
            put(&e, "\n");
        }
        n_steps++;
    } else if (!c->end_implicit && c->exit_code >= 0) {
        bool failed = false;
        for (size_t g = 0; g < c->n_groups; g++) {
            const group *gr = &c->groups[g];
            for (size_t i = 0; i < gr->n; i++)
                if (gr->level != REP_RAW &&
                    json_type_is(c->recs[gr->first + i].json, "turn.failed"))
                    failed = true;
        }
        if ((c->force_exit || c->exit_code != (failed ? EXIT_TURN_FAILED : EXIT_OK)) &&
            c->exit_code >= 0 && c->exit_code <= 255 && c->exit_code != EXIT_MOCK_ERROR) {
            buf_printf(y, "      - exit: %d\n", c->exit_code);
            n_steps++;
        }
    }
    if (n_steps == 0) {
        /* `steps:` must hold a list */
        y->len -= strlen("\n");
        put(&e, " []\n");
    }
}

/* ---------------------------------------------------------------- proof */

typedef struct {
    buf bytes[2];
    int64_t *due[2];
    size_t n[2], cap[2];
    bool hang, has_exit;
    int exit_code;
    bool unsupported;
    int64_t preflight_ns;
    int64_t partial_due[2]; /* due of the bytes after the last newline */
    int signal;             /* the plan dies by this signal */
} rendered;

static void rendered_free(rendered *p) {
    for (int s = 0; s < 2; s++) {
        buf_free(&p->bytes[s]);
        free(p->due[s]);
    }
}

static void add_bytes(rendered *p, int s, const char *b, size_t len, int64_t due) {
    size_t before = p->bytes[s].len;
    buf_append(&p->bytes[s], b, len);
    p->partial_due[s] = due;
    for (size_t i = before; i < p->bytes[s].len; i++) {
        if (p->bytes[s].data[i] != '\n') continue;
        if (p->n[s] == p->cap[s]) {
            p->cap[s] = p->cap[s] ? 2 * p->cap[s] : 32;
            p->due[s] = xrealloc(p->due[s], p->cap[s] * sizeof(int64_t));
        }
        p->due[s][p->n[s]++] = due;
    }
}

static void render(const conv *c, const scenario *sc, rendered *p) {
    memset(p, 0, sizeof *p);
    buf_init(&p->bytes[0]);
    buf_init(&p->bytes[1]);
    rng r;
    rng_seed(&r, 1);
    p->preflight_ns = plan_preflight_raw_ns(sc, &r);
    plan_params params = {
        .sc = sc,
        .turn = 0,
        .speed = 1,
        .rng = &r,
        .cwd = c->r->cwd ? c->r->cwd : "/",
        .thread_id = c->thread_id ? c->thread_id : PLAN_PLACEHOLDER_THREAD_ID,
    };
    planner pl;
    plan_init(&pl, &params);
    action a;
    buf line;
    buf_init(&line);
    while (plan_next(&pl, &a)) {
        switch (a.kind) {
        case ACT_EVENT:
            buf_reset(&line);
            if (c->r->json_mode) event_write_json(&line, &a.ev);
            add_bytes(p, S_OUT, line.data ? line.data : "", line.len, a.raw_due_ns);
            break;
        case ACT_STDOUT:
            add_bytes(p, S_OUT, a.bytes.ptr, a.bytes.len, a.raw_due_ns);
            break;
        case ACT_STDERR:
            add_bytes(p, S_ERR, a.bytes.ptr, a.bytes.len, a.raw_due_ns);
            break;
        case ACT_EXIT:
            p->has_exit = true;
            p->exit_code = a.exit_code;
            break;
        case ACT_HANG:
            p->hang = true;
            break;
        case ACT_SIGNAL:
            p->signal = a.exit_code;
            break;
        case ACT_MODEL_REQUEST: /* exec prints nothing for it */
            break;
        default:
            p->unsupported = true;
            break;
        }
    }
    buf_free(&line);
    plan_free(&pl);
    for (int st = 0; st < 2; st++) /* a last line without a newline still has a due time */
        if (p->bytes[st].len && p->bytes[st].data[p->bytes[st].len - 1] != '\n') {
            int64_t due = p->partial_due[st];
            add_bytes(p, st, "\n", 1, due);
            p->bytes[st].len--;
            p->bytes[st].data[p->bytes[st].len] = '\0';
        }
}

typedef enum { M_NONE, M_GROUP, M_STRUCTURE, M_EXIT, M_PREFLIGHT } mismatch_kind;

/* The first place where the plan differs from the recording. */
static mismatch_kind compare(const conv *c, const rendered *p, int *group_out, buf *why) {
    for (int s = 0; s < 2; s++) {
        /* the recorded lines this stream must produce, in stream order */
        size_t k = 0, off = 0;
        const buf *got = &p->bytes[s];
        const rec_stream *st = s == S_OUT ? &c->r->out : &c->r->err;
        for (size_t li = 0; li < st->n_lines; li++) {
            const rec *x = &c->recs[c->by_line[s][li]];
            if (x->role == ROLE_NOTICE || x->role == ROLE_SINK) continue;
            bool same = k < p->n[s] && off + x->len <= got->len &&
                        !memcmp(got->data + off, x->p, x->len) &&
                        (off + x->len == got->len || x->p[x->len - 1] == '\n');
            bool time_ok = !c->timed || (same && p->due[s][k] == x->t * 100000);
            if (!same || !time_ok) {
                buf_printf(why, "%s line %zu %s", s == S_OUT ? "stdout" : "stderr", li + 1,
                           same ? "is due at another time" : "differs");
                if (x->role == ROLE_STEP) {
                    *group_out = x->group;
                    return M_GROUP;
                }
                return M_STRUCTURE;
            }
            off += x->len;
            k++;
        }
        if (off != got->len) {
            buf_printf(why, "%s has more output than the recording",
                       s == S_OUT ? "stdout" : "stderr");
            return M_STRUCTURE;
        }
    }
    if (c->has_notice && c->timed && p->preflight_ns != c->notice_t * 100000) {
        buf_puts(why, "the stdin notice is due at another time");
        return M_PREFLIGHT;
    }
    if (p->unsupported) {
        buf_puts(why, "the plan holds an action the proof does not know");
        return M_STRUCTURE;
    }
    if (c->die_signal) {
        if (p->signal != c->die_signal) {
            buf_puts(why, "the plan does not die by the recorded signal");
            return M_EXIT;
        }
    } else if (c->hang_end != p->hang ||
               (!c->hang_end && (!p->has_exit || p->exit_code != c->exit_code))) {
        buf_puts(why, "the exit differs");
        return M_EXIT;
    }
    return M_NONE;
}

static int group_at_yaml_line(const conv *c, int line) {
    for (size_t g = 0; g < c->n_groups; g++)
        if (line >= c->groups[g].yaml_first && line <= c->groups[g].yaml_last) return (int)g;
    return -1;
}

static bool lower(group *g) {
    if (g->level == REP_RAW) return false;
    g->level = (g->kind == G_STDERR || g->kind == G_RAW) ? REP_RAW : (rep)(g->level + 1);
    return true;
}

/* A proof round renders the whole scenario and lowers one group, so a long recording with many
 * lines to lower took time quadratic in its length (600 such lines: seconds). Past a budget
 * of rounds, scaled so that rounds × groups stays near PROOF_WORK (a recording of up to ~100
 * groups never reaches it), bulk_lower() lowers at once every group the proof has not yet
 * shown to replay: the mismatching one and all after it, and every stderr group when the
 * mismatch is on stdout (stderr is compared after stdout). */
enum { PROOF_WORK = 40000, PROOF_MIN_ROUNDS = 16 };

static void bulk_lower(conv *c, size_t from) {
    const rec *x = &c->recs[c->groups[from].first];
    bool on_stdout = x->stream == S_OUT;
    convert_note(
        c->notes,
        "a long recording: from %s line %zu on, every step is replayed as raw bytes, unchecked "
        "for a readable form (the proof's budget of rounds ran out)",
        on_stdout ? "stdout" : "stderr", x->idx + 1);
    for (size_t g = 0; g < c->n_groups; g++) {
        group *gr = &c->groups[g];
        bool err_side = gr->kind == G_STDERR;
        if (gr->level == REP_RAW ||
            !((g >= from && (on_stdout || err_side)) || (on_stdout && err_side)))
            continue;
        gr->level = REP_RAW;
        gr->bulk = true;
    }
}

int convert_recording(const recording *r, const convert_options *o, buf *yaml, convert_notes *notes,
                      diag *err) {
    conv c = {0};
    c.r = r;
    c.o = o;
    c.notes = notes;
    c.timed = r->has_timing;
    build_records(&c);
    assign_roles(&c);
    build_groups(&c);
    size_t max_rounds = 4 * c.n_groups + 16;
    size_t budget = PROOF_WORK / (c.n_groups + 1);
    if (budget < PROOF_MIN_ROUNDS) budget = PROOF_MIN_ROUNDS;
    int rc = 0;
    for (size_t round = 0;; round++) {
        emit(&c, yaml);
        scenario sc;
        diag lerr;
        diag_init(&lerr);
        buf why;
        buf_init(&why);
        mismatch_kind m = M_NONE;
        int g = -1;
        if (scenario_load_mem("<converted>", yaml->data, yaml->len, &sc, &lerr) < 0) {
            g = group_at_yaml_line(&c, lerr.line);
            m = g >= 0 ? M_GROUP : M_STRUCTURE;
            buf_printf(&why, "the loader said: %s", lerr.msg ? lerr.msg : "?");
            if (g < 0 && !c.implicit) {
                diag_set(err, o->source, 0, 0,
                         "internal error: the converted scenario does not load (%s)",
                         lerr.msg ? lerr.msg : "?");
                diag_free(&lerr);
                buf_free(&why);
                rc = -1;
                break;
            }
        } else {
            rendered p;
            render(&c, &sc, &p);
            m = compare(&c, &p, &g, &why);
            rendered_free(&p);
            scenario_free(&sc);
        }
        diag_free(&lerr);
        bool progressed = false;
        if (m == M_GROUP && g >= 0 && !c.groups[g].stuck && round >= budget &&
            c.groups[g].level != REP_RAW) {
            bulk_lower(&c, (size_t)g);
            progressed = true;
        } else if (m == M_GROUP && g >= 0 && !c.groups[g].stuck) {
            progressed = lower(&c.groups[g]);
            if (!progressed) {
                c.groups[g].stuck = true;
                convert_note(notes, "cannot replay exactly: %s", why.data);
            }
        } else if (m == M_STRUCTURE && c.implicit) {
            c.implicit = c.end_implicit = false;
            for (size_t i = 0; i < c.n_recs; i++)
                if (c.recs[i].role == ROLE_THREAD || c.recs[i].role == ROLE_TURN ||
                    c.recs[i].role == ROLE_END || c.recs[i].role == ROLE_TODO_END)
                    c.recs[i].role = ROLE_STEP;
            build_groups(&c);
            progressed = true;
        } else if (m == M_EXIT && !c.force_exit && !c.exit_stuck) {
            c.force_exit = true;
            progressed = true;
        } else if (m != M_NONE) {
            convert_note(notes, "cannot replay exactly: %s", why.data);
        }
        buf_free(&why);
        if (!progressed || round >= max_rounds) {
            if (m != M_NONE) emit(&c, yaml); /* with the notes */
            break;
        }
    }
    /* JSON events that only raw bytes reproduce: codex-mock renders them differently */
    for (size_t g = 0; rc == 0 && g < c.n_groups; g++) {
        const group *gr = &c.groups[g];
        if (gr->kind == G_STDERR || gr->initial == REP_RAW || gr->level != REP_RAW || gr->bulk)
            continue;
        const rec *x = &c.recs[gr->first];
        convert_note(
            notes,
            "stdout line %zu (%s) is replayed as raw bytes: codex-mock renders it differently "
            "as an event (an engine difference, or a field the format cannot express)",
            x->idx + 1,
            json_type_is(x->json, "item.completed") || json_type_is(x->json, "item.started")
                ? item_type_of(x->json)
            : str_member(x->json, "type") ? str_member(x->json, "type")
                                          : "?");
    }
    for (size_t i = 0; i < c.n_recs; i++)
        cJSON_Delete(c.recs[i].json);
    free(c.recs);
    free(c.groups);
    free(c.by_line[0]);
    free(c.by_line[1]);
    return rc;
}

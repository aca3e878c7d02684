/* appserver — see appserver.h: the process, the transport and the dispatcher. */
#include "appserver.h"

#include "as_history.h"
#include "as_list.h"
#include "as_methods.h"
#include "as_params.h"
#include "as_rules.h"
#include "as_rpc.h"
#include "as_server.h"
#include "as_write.h"
#include "exitcodes.h"
#include "journal.h"
#include "jsonw.h"
#include "run.h"
#include "scenario_load.h"
#include "uuid.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CLI_VERSION "0.171.0"
#define ERR_INVALID (-32600)
#define ERR_OVERLOADED (-32001)

static const char BWRAP_WARNING[] =
    "Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager. "
    "See the sandbox prerequisites: "
    "https://developers.openai.com/codex/concepts/sandboxing#prerequisites. Codex will use the "
    "bundled bubblewrap in the meantime.";

/* Start-up figures, ms since spawn (corpus 01–06: the first answer 130–270 ms after spawn). */
#define STARTUP_MS 190.0
#define STDERR_BEFORE_READY_MS 35.0
#define ANSWER_MS 0.4        /* an error or a cheap answer */
#define LIST_MS 1.8          /* thread/list, model/list */
#define THREAD_START_MS 35.0 /* the process's first; later ones */
#define THREAD_START_WARM_MS 19.0
#define EOF_EXIT_MS 18.0
#define EOF_EXIT_MID_TURN_MS 66.0 /* a running turn is torn down first (corpus 29) */
#define SIGTERM_EXIT_MS 28.0

/* ------------------------------------------------------------------------------------------
 * Time
 * ---------------------------------------------------------------------------------------- */

int64_t as_now(as_server *s) {
    return s->clk->mono_ns(s->clk);
}

int64_t as_delay(as_server *s, double ms) {
    int64_t ns = rng_scale(&s->rng, (int64_t)(ms * 1e6), 0.9, 1.1);
    return plan_scale(ns, s->speed);
}

int64_t as_wall_at(as_server *s, int64_t mono) {
    int64_t d = mono - s->mono_anchor_ns;
    int64_t ms = d / 1000000;
    if (d < 0 && ms * 1000000 != d) ms--; /* floor: a later time never maps to an earlier ms */
    return s->wall_anchor_ms + ms;
}

/* ------------------------------------------------------------------------------------------
 * Output channels
 * ---------------------------------------------------------------------------------------- */

static void out_flush(as_server *s);

static void on_stdout(evloop *loop, int fd, short revents, void *ctx) {
    (void)loop;
    (void)fd;
    as_server *s = ctx;
    if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
        /* the reader went away: nothing more can be said */
        s->exiting = true;
        evloop_stop(s->loop, 0);
        return;
    }
    out_flush(s);
}

static void drip_next(evloop *loop, void *ctx) {
    (void)loop;
    as_server *s = ctx;
    s->faults.drip_timer = 0;
    out_flush(s);
}

/* Writes what is held until stdout would block; then waits for it to take more. With a drip
 * (as_faults.h): one byte, and the next one drip_ns later. */
static void out_flush(as_server *s) {
    if (s->faults.drip_timer) return; /* the drip's next byte is not due yet */
    while (s->pending_off < s->pending.len) {
        size_t n = s->pending.len - s->pending_off;
        ssize_t w = write(s->out_fd, s->pending.data + s->pending_off, s->faults.drip_ns ? 1 : n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (w <= 0) {
            s->exiting = true;
            evloop_stop(s->loop, 0);
            return;
        }
        s->pending_off += (size_t)w;
        if (s->faults.drip_ns && s->pending_off < s->pending.len) {
            s->faults.drip_timer =
                evloop_timer(s->loop, as_now(s) + s->faults.drip_ns, drip_next, s);
            break;
        }
    }
    if (s->faults.drip_timer && s->pending_off < s->pending.len) {
        if (s->out_watched) evloop_unwatch_fd(s->loop, s->out_fd);
        s->out_watched = false;
        return;
    }
    if (s->pending_off == s->pending.len) {
        buf_reset(&s->pending);
        s->pending_off = 0;
        if (s->out_watched) evloop_unwatch_fd(s->loop, s->out_fd);
        s->out_watched = false;
        return;
    }
    /* keep the held bytes compact: drop what was written once it is the larger part */
    if (s->pending_off > s->pending.len / 2) {
        memmove(s->pending.data, s->pending.data + s->pending_off, s->pending.len - s->pending_off);
        s->pending.len -= s->pending_off;
        s->pending_off = 0;
    }
    if (!s->out_watched) evloop_watch_fd(s->loop, s->out_fd, POLLOUT, on_stdout, s);
    s->out_watched = true;
}

void as_write_out(as_server *s, const char *p, size_t n) {
    if (s->exiting || s->stdout_closed || n == 0) return;
    buf_append(&s->pending, p, n);
    out_flush(s);
}

size_t as_out_held(const as_server *s) {
    return s->pending.len - s->pending_off + s->answers.queued;
}

static void chan_fire(evloop *loop, void *ctx);

static void chan_arm(as_chan *c) {
    if (c->timer || !c->head) return;
    c->timer = evloop_timer(c->srv->loop, c->head->due, chan_fire, c);
}

static void out_free(as_out *o) {
    free(o->method);
    buf_free(&o->text);
    free(o);
}

static void chan_fire(evloop *loop, void *ctx) {
    as_chan *c = ctx;
    as_server *s = c->srv;
    c->timer = 0;
    int64_t now = evloop_now(loop);
    buf line;
    buf_init(&line);
    int fault = AF_GO, code = 0;
    while (fault == AF_GO && c->head && c->head->due <= now) {
        as_out *o = c->head;
        c->head = o->next;
        if (!c->head) c->tail = NULL;
        c->queued -= o->text.len;
        size_t from = line.len;
        if (o->method)
            asw_notification(&line, o->method, o->text.data, o->text.len, s->clk->wall_ms(s->clk));
        else
            buf_append(&line, o->text.data, o->text.len);
        /* protocol faults and chaos (as_faults.h): the line rewritten, dropped or torn */
        fault = as_faults_line(s, o->method != NULL, &line, from, &code);
        out_free(o);
    }
    as_write_out(s, line.data, line.len);
    buf_free(&line);
    if (fault == AF_EXIT) {
        s->exit_code = code;
        s->exiting = true; /* nothing more is written; what is held still goes out */
        evloop_stop(loop, code);
        return;
    }
    if (fault == AF_CLOSE && !s->stdout_closed) {
        out_flush(s);
        s->stdout_closed = true;
        close(s->out_fd);
    }
    if (!c->head && c->drained && c->drained(c->ctx)) return;
    chan_arm(c);
}

void as_chan_init(as_chan *c, as_server *s) {
    memset(c, 0, sizeof *c);
    c->srv = s;
    c->holding = s->faults.hold_next; /* request_before_answer: turn/start's turn */
    s->faults.hold_next = false;
}

/* A server request line: {"method":M,"id":N,… (as_write.h). */
static bool is_server_request(const char *method, const char *text, size_t len) {
    if (method || len < 12 || memcmp(text, "{\"method\":\"", 11)) return false;
    const char *q = memchr(text + 11, '"', len - 11);
    return q && (size_t)(text + len - q) > 7 && !memcmp(q, "\",\"id\":", 7);
}

static void chan_push(as_chan *c, int64_t due, const char *method, const char *text, size_t len) {
    as_out *o = xcalloc(1, sizeof *o);
    if (due < c->last_due) due = c->last_due;
    c->last_due = due;
    o->due = due;
    o->method = method ? xstrdup(method) : NULL;
    buf_init(&o->text);
    buf_append(&o->text, text, len);
    c->queued += len;
    if (c->holding && as_faults_hold(c, o, is_server_request(method, text, len),
                                     method && !strcmp(method, "turn/completed"))) {
        /* held: the channel still fires (its turn plans on) */
        if (!c->timer && !c->head) c->timer = evloop_timer(c->srv->loop, due, chan_fire, c);
        return;
    }
    if (c->tail)
        c->tail->next = o;
    else
        c->head = o;
    c->tail = o;
    if (c->held_head) as_faults_release(c); /* a server request went first: the rest now */
    chan_arm(c);
}

void as_chan_line(as_chan *c, int64_t due, const char *text, size_t len) {
    chan_push(c, due, NULL, text, len);
}

bool as_opted_out(const as_server *s, const char *method) {
    for (size_t i = 0; i < s->n_opt_out; i++)
        if (!strcmp(s->opt_out[i], method)) return true;
    return false;
}

void as_chan_notify(as_chan *c, int64_t due, const char *method, const char *params, size_t len) {
    if (as_opted_out(c->srv, method)) return;
    chan_push(c, due, method, params, len);
}

/* What starts a step of a turn: an item, the usage after a model response, the turn's end. */
static bool step_start(const as_out *o) {
    static const char *const STARTS[] = {"item/started", "thread/tokenUsage/updated",
                                         "thread/status/changed", "turn/completed", NULL};
    if (!o->method)
        return o->text.len > 0 && o->text.data[0] == '{' &&
               !strncmp(o->text.data, "{\"method\":", 10); /* a server request */
    for (size_t i = 0; STARTS[i]; i++)
        if (!strcmp(o->method, STARTS[i])) return true;
    return false;
}

void as_chan_notify_between_steps(as_chan *c, int64_t due, const char *const *methods,
                                  const buf *params, size_t n) {
    as_out **link = &c->head, *prev = NULL;
    while (*link && !step_start(*link)) {
        prev = *link;
        link = &(*link)->next;
    }
    if (!*link) { /* no step queued: at the end */
        for (size_t i = 0; i < n; i++)
            as_chan_notify(c, due, methods[i], params[i].data, params[i].len);
        return;
    }
    bool at_head = link == &c->head;
    for (size_t i = 0; i < n; i++) {
        if (as_opted_out(c->srv, methods[i])) continue;
        as_out *o = xcalloc(1, sizeof *o);
        o->due = prev && prev->due > due ? prev->due : due;
        o->method = xstrdup(methods[i]);
        buf_init(&o->text);
        buf_append(&o->text, params[i].data, params[i].len);
        c->queued += params[i].len;
        o->next = *link;
        *link = o;
        link = &o->next;
        prev = o;
    }
    if (at_head && c->timer) {
        evloop_cancel(c->srv->loop, c->timer);
        c->timer = 0;
    }
    chan_arm(c);
}

void as_chan_clear(as_chan *c) {
    as_faults_chan_clear(c);
    if (c->timer) evloop_cancel(c->srv->loop, c->timer);
    c->timer = 0;
    while (c->head) {
        as_out *o = c->head;
        c->head = o->next;
        out_free(o);
    }
    c->tail = NULL;
    c->last_due = 0;
    c->queued = 0;
}

/* ------------------------------------------------------------------------------------------
 * stderr: the real server's tracing lines
 * ---------------------------------------------------------------------------------------- */

static void trace_line(as_server *s, const char *target, const char *msg) {
    int64_t ms = s->clk->wall_ms(s->clk);
    char stamp[CLOCK_UTC_SIZE];
    clock_format_utc(stamp, ms);
    /* "…T21:07:01.291Z" → "…T21:07:01.291187Z": microseconds as tracing prints them */
    size_t n = strlen(stamp);
    int us = (int)((as_now(s) / 1000) % 1000);
    buf b;
    buf_init(&b);
    buf_printf(&b,
               "\x1b[2m%.*s%03dZ\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2m%s\x1b[0m\x1b[2m:\x1b[0m %s\n",
               (int)(n - 1), stamp, us, target, msg);
    ssize_t w = write(s->err_fd, b.data, b.len);
    (void)w;
    buf_free(&b);
}

static void bwrap_warning(evloop *loop, void *ctx) {
    (void)loop;
    trace_line(ctx, "codex_app_server", BWRAP_WARNING);
}

/* ------------------------------------------------------------------------------------------
 * The journal
 * ---------------------------------------------------------------------------------------- */

static const char *env_get(const char *name) {
    return getenv(name);
}

/* A codex-mock diagnostic on stderr (a prefix, then the diag's text); frees it. */
static void report(const char *what, diag *d) {
    char *m = diag_format(d);
    fprintf(stderr, "codex-mock: %s%s\n", what, m ? m : "");
    free(m);
    diag_free(d);
}

void as_journal_turn(as_server *s, const as_thread *th, const char *extra, const char *prompt,
                     int64_t start_ms, int exit_code) {
    if (!s->have_state) return;
    const char *thread_id = th->id;
    buf x;
    buf_init(&x);
    buf_printf(&x, "\"app_server\":{\"thread\":\"%s\",\"requests\":[",
               th->resumed          ? "resumed"
               : th->forked_from[0] ? "forked"
                                    : "started");
    buf_append(&x, s->requests.data ? s->requests.data : "", s->requests.len);
    buf_printf(&x, "],\"requests_dropped\":%zu", s->requests_dropped);
    if (extra && *extra) {
        buf_putc(&x, ',');
        buf_puts(&x, extra);
    }
    buf_putc(&x, '}');
    buf_reset(&s->requests);
    s->n_requests = s->requests_dropped = 0;
    long invocation = 0;
    diag err;
    diag_init(&err);
    if (state_next(&s->state, NULL, 0, &invocation, NULL, &err) < 0) {
        report("journal: ", &err);
        buf_free(&x);
        return;
    }
    char start[CLOCK_UTC_SIZE], end[CLOCK_UTC_SIZE];
    clock_format_utc(start, start_ms);
    clock_format_utc(end, s->clk->wall_ms(s->clk));
    journal_entry e = {.invocation = invocation,
                       .start = start,
                       .end = end,
                       .argc = s->argc,
                       .argv = s->argv,
                       .command = "app-server",
                       .cwd = s->cwd,
                       .prompt = prompt,
                       .rule = th->rule_name,
                       .scenario = th->scenario_name ? th->scenario_name : s->scenario_name,
                       .thread_id = thread_id,
                       .exit_code = exit_code,
                       .extra = x.data};
    buf b;
    buf_init(&b);
    journal_format(&b, &e, env_get);
    buf_free(&x);
    if (state_journal_append(&s->state, b.data, b.len, &err) < 0)
        report("journal: ", &err);
    else
        diag_free(&err);
    buf_free(&b);
}

/* ------------------------------------------------------------------------------------------
 * Answers
 * ---------------------------------------------------------------------------------------- */

/* When an answer to a request read now is due: never before start-up is done. */
static int64_t answer_at(as_server *s, double ms) {
    int64_t now = as_now(s);
    if (now < s->ready) now = s->ready;
    return now + as_delay(s, ms);
}

static void answer(as_server *s, const as_id *id, int64_t due, const buf *result) {
    buf line;
    buf_init(&line);
    asw_response(&line, id, result->data, result->len);
    as_chan_line(&s->answers, due, line.data, line.len);
    buf_free(&line);
}

static void answer_error(as_server *s, const as_id *id, int64_t due, const char *msg) {
    buf line;
    buf_init(&line);
    asw_error(&line, id, ERR_INVALID, msg);
    as_chan_line(&s->answers, due, line.data, line.len);
    buf_free(&line);
}

static void invalid_request(as_server *s, const as_id *id, const buf *why) {
    buf m;
    buf_init(&m);
    buf_puts(&m, "Invalid request: ");
    buf_append(&m, why->data, why->len);
    answer_error(s, id, answer_at(s, ANSWER_MS), m.data);
    buf_free(&m);
}

/* ------------------------------------------------------------------------------------------
 * initialize
 * ---------------------------------------------------------------------------------------- */

/* CODEX_HOME/installation_id (36 bytes, a v4 UUID): read, or made and kept there as the real
 * server does, so every process of one CODEX_HOME reports the same id. */
static void installation_id(as_server *s, char out[UUID_STR_LEN + 1]) {
    char *path = xasprintf("%s/installation_id", s->codex_home);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, out, UUID_STR_LEN);
        close(fd);
        if (n == UUID_STR_LEN) {
            out[UUID_STR_LEN] = '\0';
            if (uuid_is_valid(out)) {
                free(path);
                return;
            }
        }
    }
    uuid_v7(out, (uint64_t)s->wall_start, &s->rng);
    out[14] = '4'; /* a random (v4) id: the time bits are random too */
    for (int i = 0; i < 8; i++)
        out[i] = "0123456789abcdef"[rng_next(&s->rng) & 15];
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, out, UUID_STR_LEN);
        (void)w;
        close(fd);
    }
    free(path);
}

/* Handshake faults: the scenario's `before_initialize:` / `after_initialize:` process steps
 * (docs/app-server.md#process-faults), played at `due` after what is queued before them. */
/* true (and retried 1 ms later) while the answers queued before the step are still due */
static bool handshake_wait(as_server *s, evloop_timer_fn fn) {
    if (!s->answers.head) return false;
    evloop_timer(s->loop, as_now(s) + 1000000, fn, s);
    return true;
}

static void handshake_exit(evloop *loop, void *ctx) {
    as_server *s = ctx;
    if (handshake_wait(s, handshake_exit)) return;
    s->exiting = true; /* nothing more is written; what is held still goes out */
    evloop_stop(loop, s->exit_code);
}

static void handshake_signal(evloop *loop, void *ctx) {
    (void)loop;
    as_server *s = ctx;
    if (handshake_wait(s, handshake_signal)) return;
    out_flush(s); /* what came before it is out (as far as the client reads) */
    fflush(NULL);
    signal(s->exit_code, SIG_DFL);
    raise(s->exit_code);
}

static void handshake_close_stdout(evloop *loop, void *ctx) {
    (void)loop;
    as_server *s = ctx;
    if (handshake_wait(s, handshake_close_stdout)) return;
    out_flush(s);
    s->stdout_closed = true;
    close(s->out_fd);
}

/* Plays process steps; true when a step ends the process (exit, signal): nothing after it
 * plays. */
static bool play_steps(as_server *s, const step *steps, size_t n, int64_t due) {
    for (size_t i = 0; i < n; i++) {
        const step *st = &steps[i];
        switch (st->kind) {
        case STEP_RAW: /* junk, a torn or malformed line: exactly as given */
            as_chan_line(&s->answers, due, st->u.bytes.ptr ? st->u.bytes.ptr : "", st->u.bytes.len);
            break;
        case STEP_STDERR: {
            ssize_t w = write(s->err_fd, st->u.bytes.ptr, st->u.bytes.len);
            if (!st->exact && (!st->u.bytes.len || st->u.bytes.ptr[st->u.bytes.len - 1] != '\n'))
                w = write(s->err_fd, "\n", 1);
            (void)w;
            break;
        }
        case STEP_EXIT:
            s->exit_code = st->u.exit_code;
            evloop_timer(s->loop, due, handshake_exit, s);
            return true;
        case STEP_SIGNAL:
            s->exit_code = st->u.signal;
            evloop_timer(s->loop, due, handshake_signal, s);
            return true;
        case STEP_CLOSE_STDOUT:
            evloop_timer(s->loop, due, handshake_close_stdout, s);
            break;
        default:
            break;
        }
    }
    return false;
}

static bool play_handshake(as_server *s, int which, int64_t due) {
    if (!s->have_sc) return false;
    return play_steps(s, s->sc.handshake[which], s->sc.n_handshake[which], due);
}

static void handle_initialize(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const cJSON *p = m->params;
    const char *name = NULL, *version = NULL;
    const cJSON *ci = cJSON_IsObject(p) ? cJSON_GetObjectItemCaseSensitive(p, "clientInfo") : NULL;
    bool experimental = false;
    const cJSON *opt = NULL;
    if (as_params_struct(p, "InitializeParams", &err) < 0 ||
        (!ci && (buf_puts(&err, "missing field `clientInfo`"), true)) ||
        as_params_struct(ci, "ClientInfo", &err) < 0 ||
        as_param_string(ci, "name", true, &name, &err) < 0 ||
        as_param_string(ci, "version", true, &version, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(p, "capabilities");
    if (cJSON_IsObject(caps)) {
        if (as_param_bool(caps, "experimentalApi", false, &experimental, &err) < 0 ||
            as_param_array(caps, "optOutNotificationMethods", false, &opt, &err) < 0) {
            invalid_request(s, &m->id, &err);
            buf_free(&err);
            return;
        }
    }
    buf_free(&err);
    int64_t due = answer_at(s, ANSWER_MS);
    if (s->initialized) {
        answer_error(s, &m->id, due, "Already initialized");
        return;
    }
    s->initialized = true;
    s->client_name = xstrdup(name);
    s->client_version = xstrdup(version);
    s->experimental = experimental;
    const cJSON *it;
    cJSON_ArrayForEach(it, opt) {
        if (!cJSON_IsString(it)) continue;
        s->opt_out = xrealloc(s->opt_out, (s->n_opt_out + 1) * sizeof *s->opt_out);
        s->opt_out[s->n_opt_out++] = xstrdup(it->valuestring);
    }
    /* a handshake fault before the answer: junk first, or no answer at all */
    if (play_handshake(s, 0, due)) return;
    buf r;
    buf_init(&r);
    char *ua = xasprintf("%s/%s (%s; %s) %s (%s; %s)", name, CLI_VERSION, s->os, s->arch, s->term,
                         name, version);
    buf_puts(&r, "{\"userAgent\":");
    jsonw_cstring(&r, ua);
    free(ua);
    buf_puts(&r, ",\"codexHome\":");
    jsonw_cstring(&r, s->codex_home);
    buf_puts(&r, ",\"platformFamily\":\"unix\",\"platformOs\":\"linux\"}");
    answer(s, &m->id, due, &r);
    /* the start-up notifications follow the first answer to initialize (corpus 01) */
    if (!s->bwrap) {
        buf_reset(&r);
        buf_puts(&r, "{\"summary\":");
        jsonw_cstring(&r, BWRAP_WARNING);
        buf_puts(&r, ",\"details\":null}");
        as_chan_notify(&s->answers, due + as_delay(s, 0.2), "configWarning", r.data, r.len);
    }
    buf_reset(&r);
    char inst[UUID_STR_LEN + 1];
    installation_id(s, inst);
    buf_puts(&r, "{\"status\":\"disabled\",\"serverName\":");
    jsonw_cstring(&r, s->host);
    buf_printf(&r, ",\"installationId\":\"%s\",\"environmentId\":null}", inst);
    as_chan_notify(&s->answers, due + as_delay(s, 0.2), "remoteControl/status/changed", r.data,
                   r.len);
    buf_free(&r);
    /* a handshake fault after the answer (the delay drawn only then: the rng's sequence, which
     * item ids come from, stays as it was without one) */
    if (s->have_sc && s->sc.n_handshake[1]) {
        play_handshake(s, 1, due + as_delay(s, 0.2));
        return;
    }
    /* CODEX_MOCK_CHAOS exit_after_initialize / kill_after_initialize */
    step chaos_step;
    if (as_faults_initialize(s, &chaos_step)) play_steps(s, &chaos_step, 1, due + as_delay(s, 0.2));
}

/* ------------------------------------------------------------------------------------------
 * threads
 * ---------------------------------------------------------------------------------------- */

as_thread *as_thread_find(as_server *s, const char *id) {
    for (size_t i = 0; i < s->n_threads; i++)
        if (!strcmp(s->threads[i]->id, id)) return s->threads[i];
    return NULL;
}

static void sandbox_json(buf *b, const char *mode) {
    if (!strcmp(mode, "workspace-write"))
        buf_puts(b, "{\"type\":\"workspaceWrite\",\"writableRoots\":[],\"networkAccess\":false,"
                    "\"excludeTmpdirEnvVar\":false,\"excludeSlashTmp\":false}");
    else if (!strcmp(mode, "danger-full-access"))
        buf_puts(b, "{\"type\":\"dangerFullAccess\"}");
    else
        buf_puts(b, "{\"type\":\"readOnly\",\"networkAccess\":false}");
}

void as_thread_json(buf *b, const as_server *s, const as_thread *t, int form, const char *turns) {
    bool list_form = form == AS_THREAD_LISTED;
    buf_printf(b, "{\"id\":\"%s\",\"environments\":[{\"environmentId\":\"local\",\"cwd\":", t->id);
    jsonw_cstring(b, t->cwd);
    buf_puts(b, ",\"runtimeWorkspaceRoots\":[");
    jsonw_cstring(b, t->cwd);
    buf_printf(b, "]}],\"extra\":null,\"sessionId\":\"%s\",\"forkedFromId\":", t->id);
    if (t->forked_from[0])
        buf_printf(b, "\"%s\"", t->forked_from);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"attachedToThreadId\":null,\"parentThreadId\":null,\"preview\":");
    jsonw_cstring(b, t->preview ? t->preview : "");
    buf_printf(b,
               ",\"ephemeral\":%s,\"section\":null,\"sectionEnteredAt\":null,\"projectId\":null,"
               "\"historyMode\":\"paginated\",\"modelProvider\":",
               t->ephemeral ? "true" : "false");
    jsonw_cstring(b, t->provider ? t->provider : s->provider);
    buf_puts(b, ",\"model\":");
    jsonw_cstring(b, t->model ? t->model : s->model);
    buf_printf(b,
               ",\"reasoningEffort\":null,\"createdAt\":%lld,\"updatedAt\":%lld,\"recencyAt\":%lld,"
               "\"status\":",
               (long long)t->created_s, (long long)t->updated_s, (long long)t->updated_s);
    if (t->active)
        buf_puts(b, "{\"type\":\"active\",\"activeFlags\":[]}");
    else
        buf_puts(b, "{\"type\":\"idle\"}");
    buf_puts(b, ",\"path\":");
    if (t->path)
        jsonw_cstring(b, t->path);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"cwd\":");
    jsonw_cstring(b, t->cwd);
    buf_puts(b, ",\"cliVersion\":\"" CLI_VERSION "\",\"originator\":");
    jsonw_cstring(b, t->originator    ? t->originator
                     : s->client_name ? s->client_name
                                      : "codex_app_server");
    buf_puts(b, ",\"source\":");
    jsonw_cstring(b, t->source ? t->source : "vscode");
    buf_printf(b,
               ",\"canAcceptDirectInput\":%s,\"threadSource\":null,"
               "\"agentNickname\":null,\"agentRole\":null,\"gitInfo\":",
               list_form ? "null" : "true");
    if (form != AS_THREAD_STARTED && t->git_sha) {
        buf_puts(b, "{\"sha\":");
        jsonw_cstring(b, t->git_sha);
        buf_puts(b, ",\"branch\":");
        if (t->git_branch)
            jsonw_cstring(b, t->git_branch);
        else
            buf_puts(b, "null");
        buf_puts(b, ",\"originUrl\":null}");
    } else {
        buf_puts(b, "null");
    }
    buf_puts(b, ",\"name\":");
    if (t->name)
        jsonw_cstring(b, t->name);
    else
        buf_puts(b, "null");
    buf_puts(b, ",\"daybreakEnabled\":null,\"turns\":");
    buf_puts(b, turns ? turns : "[]");
    buf_putc(b, '}');
}

static char *param_dup(const char *v, const char *dflt) {
    return xstrdup(v ? v : dflt);
}

/* A new thread (a fork of `parent` when given) with its rollout file, registered. */
static as_thread *new_thread(as_server *s, const char *cwd, const char *approval,
                             const char *sandbox, const char *model, bool ephemeral,
                             const as_thread *parent) {
    as_thread *t = xcalloc(1, sizeof *t);
    if (parent) {
        snprintf(t->forked_from, sizeof t->forked_from, "%s", parent->id);
        t->n_turns = parent->n_turns;
        t->totals = parent->totals;
        if (parent->preview) t->preview = xstrdup(parent->preview);
    }
    int64_t now_ms = s->clk->wall_ms(s->clk);
    uuid_v7(t->id, (uint64_t)now_ms, &s->rng);
    t->cwd = param_dup(cwd, s->cwd);
    t->approval = param_dup(approval, "on-request");
    t->sandbox_mode = param_dup(sandbox, "read-only");
    t->ephemeral = ephemeral;
    t->created_s = t->updated_s = now_ms / 1000;
    t->created_ms = now_ms;
    if (model) {
        free(s->model);
        s->model = xstrdup(model);
    }
    if (!ephemeral) {
        session_writer w;
        char *e = NULL;
        diag d;
        diag_init(&d);
        session_params sp = {.codex_home = s->codex_home,
                             .thread_id = t->id,
                             .cwd = t->cwd,
                             .prompt = "",
                             .model = s->model,
                             .provider = s->provider,
                             .sandbox = t->sandbox_mode,
                             .originator = s->client_name,
                             .thread_source = "vscode",
                             .source = "vscode",
                             .cli_version = CLI_VERSION,
                             .forked_from = parent ? parent->id : NULL,
                             .prior = t->totals};
        if (session_writer_create(&w, &sp, s->clk, &s->rng, &d) == 0) {
            diag_free(&d);
            t->path = xstrdup(w.path);
            t->rollout_lines = w.ordinal; /* session_meta is on disk (flushed) */
            t->rollout_size = w.offset;
            session_writer_close(&w);
            /* the git facts the file recorded, for thread/list and thread/resume */
            buf turns;
            buf_init(&turns);
            as_history h;
            if (as_history_read(t->path, &turns, &h, &e) == 0) {
                t->git_sha = h.git_sha;
                t->git_branch = h.git_branch;
                h.git_sha = h.git_branch = NULL;
                as_history_free(&h);
            } else {
                free(e);
            }
            buf_free(&turns);
        } else {
            report("", &d);
        }
    }
    s->threads = xrealloc(s->threads, (s->n_threads + 1) * sizeof *s->threads);
    s->threads[s->n_threads++] = t;

    return t;
}

/* The thread/start (and thread/fork) answer, then thread/started. */
static void answer_thread(as_server *s, const as_id *id, as_thread *t) {
    int64_t due = answer_at(s, s->thread_warm ? THREAD_START_WARM_MS : THREAD_START_MS);
    s->thread_warm = true;
    buf r;
    buf_init(&r);
    buf_puts(&r, "{\"thread\":");
    as_thread_json(&r, s, t, AS_THREAD_STARTED, NULL);
    buf_puts(&r, ",\"model\":");
    jsonw_cstring(&r, s->model);
    buf_puts(&r, ",\"modelProvider\":");
    jsonw_cstring(&r, s->provider);
    buf_puts(&r, ",\"serviceTier\":null,\"disabledPluginIds\":[],\"cwd\":");
    jsonw_cstring(&r, t->cwd);
    buf_puts(&r, ",\"runtimeWorkspaceRoots\":[");
    jsonw_cstring(&r, t->cwd);
    buf_puts(&r, "],\"instructionSources\":[],\"approvalPolicy\":");
    jsonw_cstring(&r, t->approval);
    buf_puts(&r, ",\"approvalsReviewer\":\"user\",\"sandbox\":");
    sandbox_json(&r, t->sandbox_mode);
    buf_puts(&r, ",\"activePermissionProfile\":null,\"reasoningEffort\":null,"
                 "\"multiAgentMode\":\"explicitRequestOnly\"}");
    answer(s, id, due, &r);
    buf_reset(&r);
    buf_puts(&r, "{\"thread\":");
    as_thread_json(&r, s, t, AS_THREAD_STARTED, NULL);
    buf_putc(&r, '}');
    as_chan_notify(&s->answers, due + as_delay(s, 1.3), "thread/started", r.data, r.len);
    buf_free(&r);
}

static void handle_thread_start(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const cJSON *p = m->params;
    const char *cwd = NULL, *approval = NULL, *sandbox = NULL, *model = NULL;
    bool ephemeral = false;
    if (as_params_struct(p, "ThreadStartParams", &err) < 0 ||
        as_param_string(p, "cwd", false, &cwd, &err) < 0 ||
        as_param_string(p, "approvalPolicy", false, &approval, &err) < 0 ||
        as_param_string(p, "sandbox", false, &sandbox, &err) < 0 ||
        as_param_string(p, "model", false, &model, &err) < 0 ||
        as_param_bool(p, "ephemeral", false, &ephemeral, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *t = new_thread(s, cwd, approval, sandbox, model, ephemeral, NULL);
    answer_thread(s, &m->id, t);
}

/* thread/list: as_list.h says what is listed and how it is paged. */
static void handle_thread_list(as_server *s, const as_msg *m) {
    static const char *const SORT_KEYS[] = {"created_at", "updated_at", "recency_at",
                                            "section_position", NULL};
    static const char *const DIRECTIONS[] = {"asc", "desc", NULL};
    buf err;
    buf_init(&err);
    const cJSON *p = m->params;
    as_list_opts o = {.limit = -1};
    const cJSON *sort_key = NULL, *direction = NULL;
    if (as_params_struct(p, "ThreadListParams", &err) < 0 ||
        as_param_int(p, "limit", false, &o.limit, &err) < 0 ||
        as_param_string(p, "cursor", false, &o.cursor, &err) < 0 ||
        as_param_bool(p, "archived", false, &o.archived, &err) < 0 ||
        as_param_array(p, "modelProviders", false, &o.providers, &err) < 0 ||
        as_param_array(p, "sourceKinds", false, &o.source_kinds, &err) < 0 ||
        as_param_string(p, "searchTerm", false, &o.search, &err) < 0 ||
        as_param_array(p, "includedThreadIds", false, &o.included, &err) < 0 ||
        as_param_array(p, "excludedThreadIds", false, &o.excluded, &err) < 0 ||
        as_param_enum(p, "sortKey", SORT_KEYS, NULL, &sort_key, &err) < 0 ||
        as_param_enum(p, "sortDirection", DIRECTIONS, NULL, &direction, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    const cJSON *cwd = cJSON_GetObjectItemCaseSensitive(p, "cwd");
    if (cJSON_IsString(cwd) || cJSON_IsArray(cwd)) o.cwd = cwd;
    if (cJSON_IsString(sort_key)) o.sort_key = sort_key->valuestring;
    o.ascending = cJSON_IsString(direction) && !strcmp(direction->valuestring, "asc");
    buf r;
    buf_init(&r);
    char *why = NULL;
    if (as_list_threads(s, &o, &r, &why) < 0) {
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), why);
        free(why);
    } else {
        answer(s, &m->id, answer_at(s, LIST_MS), &r);
    }
    buf_free(&r);
}

/* A thread of this process, or one read from its rollout in CODEX_HOME (made by exec or by
 * another app-server) and registered; NULL when there is none. */
static as_thread *find_or_load(as_server *s, const char *id, const char *cwd) {
    as_thread *t = as_thread_find(s, id);
    if (t) return t;
    session_info info;
    memset(&info, 0, sizeof info);
    diag d;
    diag_init(&d);
    int found = session_find_id(s->codex_home, id, &info, &d);
    diag_free(&d);
    if (found != 0) return NULL;
    t = xcalloc(1, sizeof *t);
    snprintf(t->id, sizeof t->id, "%s", id);
    t->path = xstrdup(info.path);
    t->cwd = xstrdup(cwd ? cwd : info.cwd ? info.cwd : s->cwd);
    t->n_turns = info.turns;
    t->totals = info.totals;
    session_info_free(&info);
    buf turns;
    buf_init(&turns);
    as_history h;
    char *herr = NULL;
    if (as_history_read(t->path, &turns, &h, &herr) == 0) {
        t->preview = h.preview;
        t->git_sha = h.git_sha;
        t->git_branch = h.git_branch;
        h.preview = h.git_sha = h.git_branch = NULL;
        t->created_ms = h.created_ms;
        t->created_s = h.created_ms / 1000;
        t->updated_s = h.updated_ms / 1000;
        if (h.last_turn_id) snprintf(t->last_turn, sizeof t->last_turn, "%s", h.last_turn_id);
        as_history_free(&h);
    } else {
        free(herr);
    }
    buf_free(&turns);
    s->threads = xrealloc(s->threads, (s->n_threads + 1) * sizeof *s->threads);
    s->threads[s->n_threads++] = t;
    return t;
}

/* The thread resume and fork continue: loaded here, or read from its rollout; NULL when there
 * is none, with the real server's error already answered to the request m. */
static as_thread *find_or_answer(as_server *s, const as_msg *m, const char *id, const char *cwd) {
    as_thread *t = find_or_load(s, id, cwd);
    if (!t) {
        char *msg = xasprintf("no rollout found for thread id %s", id);
        answer_error(s, &m->id, answer_at(s, 25.0), msg);
        free(msg);
    }
    return t;
}

/* thread/fork: a new thread that continues `threadId`'s history (forkedFromId set; its next
 * turn plays the scenario turn after the parent's). */
static void handle_thread_fork(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const cJSON *p = m->params;
    const char *id = NULL, *cwd = NULL, *approval = NULL, *sandbox = NULL, *model = NULL;
    bool ephemeral = false;
    if (as_params_struct(p, "ThreadForkParams", &err) < 0 ||
        as_param_string(p, "threadId", true, &id, &err) < 0 ||
        as_param_string(p, "cwd", false, &cwd, &err) < 0 ||
        as_param_string(p, "approvalPolicy", false, &approval, &err) < 0 ||
        as_param_string(p, "sandbox", false, &sandbox, &err) < 0 ||
        as_param_string(p, "model", false, &model, &err) < 0 ||
        as_param_bool(p, "ephemeral", false, &ephemeral, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *parent = find_or_answer(s, m, id, cwd);
    if (!parent) {
        return;
    }
    as_thread *t = new_thread(s, cwd ? cwd : parent->cwd, approval ? approval : parent->approval,
                              sandbox ? sandbox : parent->sandbox_mode, model, ephemeral, parent);
    answer_thread(s, &m->id, t);
}

/* thread/read: the thread (of this process or from its rollout), with its turns when
 * includeTurns is true. */
static void handle_thread_read(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const char *id = NULL;
    bool with_turns = false;
    if (as_params_struct(m->params, "ThreadReadParams", &err) < 0 ||
        as_param_string(m->params, "threadId", true, &id, &err) < 0 ||
        as_param_bool(m->params, "includeTurns", false, &with_turns, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    /* the id as the uuid crate reads it; one neither running nor on disk is "not loaded"
     * (asked of the real 0.171.0: tests/appserver/hostile) */
    char canon[37];
    if (as_uuid_parse(id, canon, &err) < 0) {
        char *msg = xasprintf("invalid thread id: %s", err.data);
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), msg);
        free(msg);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *t = find_or_load(s, canon, NULL);
    if (!t) {
        char *msg = xasprintf("thread not loaded: %s", canon);
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), msg);
        free(msg);
        return;
    }
    buf turns;
    buf_init(&turns);
    as_history h;
    char *e = NULL;
    bool have = with_turns && t->path && as_history_read(t->path, &turns, &h, &e) == 0;
    if (have)
        as_history_free(&h);
    else
        free(e);
    buf r;
    buf_init(&r);
    buf_puts(&r, "{\"thread\":");
    as_thread_json(&r, s, t, AS_THREAD_LISTED, have ? turns.data : NULL);
    buf_putc(&r, '}');
    answer(s, &m->id, answer_at(s, LIST_MS), &r);
    buf_free(&r);
    buf_free(&turns);
}

/* thread/resume: a thread of this process, or one found in CODEX_HOME's rollout files (written
 * by exec or by another app-server), with its turns read back (corpus 15). */
static void handle_thread_resume(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const cJSON *p = m->params;
    const char *id = NULL, *cwd = NULL, *approval = NULL, *sandbox = NULL;
    if (as_params_struct(p, "ThreadResumeParams", &err) < 0 ||
        as_param_string(p, "threadId", true, &id, &err) < 0 ||
        as_param_string(p, "cwd", false, &cwd, &err) < 0 ||
        as_param_string(p, "approvalPolicy", false, &approval, &err) < 0 ||
        as_param_string(p, "sandbox", false, &sandbox, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *t = find_or_answer(s, m, id, cwd);
    if (!t) {
        return;
    }
    t->resumed = true;
    char *e = NULL;
    if (approval) {
        free(t->approval);
        t->approval = xstrdup(approval);
    }
    if (sandbox) {
        free(t->sandbox_mode);
        t->sandbox_mode = xstrdup(sandbox);
    }
    if (!t->approval) t->approval = xstrdup("on-request");
    if (!t->sandbox_mode) t->sandbox_mode = xstrdup("read-only");
    buf turns;
    buf_init(&turns);
    as_history h;
    memset(&h, 0, sizeof h);
    if (t->path && as_history_read(t->path, &turns, &h, &e) == 0) {
        if (!t->preview && h.preview) t->preview = xstrdup(h.preview);
        if (!t->git_sha && h.git_sha) t->git_sha = xstrdup(h.git_sha);
        if (!t->git_branch && h.git_branch) t->git_branch = xstrdup(h.git_branch);
        if (!t->created_ms) t->created_ms = h.created_ms;
        t->created_s = h.created_ms / 1000;
        t->updated_s = h.updated_ms / 1000;
        if (h.last_turn_id) snprintf(t->last_turn, sizeof t->last_turn, "%s", h.last_turn_id);
    } else {
        free(e);
        buf_reset(&turns);
        buf_puts(&turns, "[]");
    }
    int64_t at = answer_at(s, 4.0);
    buf r;
    buf_init(&r);
    buf_puts(&r, "{\"summary\":\"Full-history hydration is deprecated for paginated threads; use "
                 "`excludeTurns: true`, then page with `thread/turns/list` and `thread/items/list`."
                 "\",\"details\":null}");
    as_chan_notify(&s->answers, at, "deprecationNotice", r.data, r.len);
    at += as_delay(s, 99.0);
    buf_reset(&r);
    buf_printf(&r, "{\"threadId\":\"%s\",\"status\":{\"type\":\"idle\"}}", t->id);
    as_chan_notify(&s->answers, at, "thread/status/changed", r.data, r.len);
    at += as_delay(s, 4.4);
    buf_reset(&r);
    buf_puts(&r, "{\"thread\":");
    as_thread_json(&r, s, t, AS_THREAD_RESUMED, turns.data);
    buf_puts(&r, ",\"model\":");
    jsonw_cstring(&r, s->model);
    buf_puts(&r, ",\"modelProvider\":");
    jsonw_cstring(&r, s->provider);
    buf_puts(&r, ",\"serviceTier\":null,\"disabledPluginIds\":[],\"cwd\":");
    jsonw_cstring(&r, t->cwd);
    buf_puts(&r, ",\"runtimeWorkspaceRoots\":[");
    jsonw_cstring(&r, t->cwd);
    buf_puts(&r, "],\"instructionSources\":[],\"approvalPolicy\":");
    jsonw_cstring(&r, t->approval);
    buf_puts(&r, ",\"approvalsReviewer\":\"user\",\"sandbox\":");
    sandbox_json(&r, t->sandbox_mode);
    buf_puts(&r, ",\"activePermissionProfile\":null,\"reasoningEffort\":null,"
                 "\"collaborationMode\":{\"mode\":\"default\",\"settings\":{\"model\":");
    jsonw_cstring(&r, s->model);
    buf_printf(&r, ",\"reasoning_effort\":null,\"developer_instructions\":null}},"
                   "\"multiAgentMode\":\"explicitRequestOnly\",\"initialTurnsPage\":null,"
                   "\"turnsBackwardsCursor\":");
    /* paging cursors: the first turn's and the last item's line in the rollout */
    char *cur = xasprintf("{\"requestedThreadId\":\"%s\",\"rolloutOrdinal\":%lld,\"includeAnchor\":"
                          "true,\"scope\":{\"kind\":\"turns\"}}",
                          t->id, (long long)(h.first_turn_ordinal ? h.first_turn_ordinal : 1));
    jsonw_cstring(&r, cur);
    free(cur);
    buf_puts(&r, ",\"itemsBackwardsCursor\":");
    cur = xasprintf("{\"requestedThreadId\":\"%s\",\"rolloutOrdinal\":%lld,\"includeAnchor\":true,"
                    "\"scope\":{\"kind\":\"itemsByCreatedAtOrdinal\"}}",
                    t->id, (long long)h.last_item_ordinal);
    jsonw_cstring(&r, cur);
    free(cur);
    buf_putc(&r, '}');
    answer(s, &m->id, at, &r);
    if (t->last_turn[0]) {
        /* the restored usage: the thread's totals (the last turn's own are not in the file) */
        buf_reset(&r);
        const usage *u = &t->totals;
        long long tot = (long long)(u->input_tokens + u->output_tokens);
        buf_printf(&r, "{\"threadId\":\"%s\",\"turnId\":\"%s\",\"tokenUsage\":{", t->id,
                   t->last_turn);
        for (int k = 0; k < 2; k++)
            buf_printf(
                &r,
                "%s\"%s\":{\"totalTokens\":%lld,\"inputTokens\":%lld,\"cachedInputTokens\":%lld,"
                "\"cacheWriteInputTokens\":%lld,\"outputTokens\":%lld,"
                "\"reasoningOutputTokens\":%lld}",
                k ? "," : "", k ? "last" : "total", tot, (long long)u->input_tokens,
                (long long)u->cached_input_tokens, (long long)u->cache_write_input_tokens,
                (long long)u->output_tokens, (long long)u->reasoning_output_tokens);
        buf_puts(&r, ",\"modelContextWindow\":258400}}");
        as_chan_notify(&s->answers, at + as_delay(s, 0.3), "thread/tokenUsage/updated", r.data,
                       r.len);
    }
    buf_reset(&r);
    buf_printf(&r, "{\"threadId\":\"%s\"}", t->id);
    as_chan_notify(&s->answers, at + as_delay(s, 0.4), "thread/goal/cleared", r.data, r.len);
    s->turn_warm = true;
    buf_free(&r);
    buf_free(&turns);
    as_history_free(&h);
}

static void handle_loaded_list(as_server *s, const as_msg *m) {
    buf r;
    buf_init(&r);
    buf_puts(&r, "{\"data\":[");
    for (size_t i = 0; i < s->n_threads; i++)
        buf_printf(&r, "%s\"%s\"", i ? "," : "", s->threads[i]->id);
    buf_puts(&r, "],\"nextCursor\":null}");
    answer(s, &m->id, answer_at(s, ANSWER_MS), &r);
    buf_free(&r);
}

/* Reads threadId; answers the error itself and returns NULL when it is wrong or unknown. */
/* The thread a request names: an id the uuid crate does not read is "invalid thread id: …"
 * ("invalid session id: …" for archive/unarchive), an unknown one "thread not found: <id>"
 * (canonical form); both answered here (NULL). */
static as_thread *thread_lookup(as_server *s, const as_id *req, const char *id, const char *kind) {
    char canon[37];
    buf e;
    buf_init(&e);
    if (as_uuid_parse(id, canon, &e) < 0) {
        char *msg = xasprintf("invalid %s id: %s", kind, e.data);
        answer_error(s, req, answer_at(s, ANSWER_MS), msg);
        free(msg);
        buf_free(&e);
        return NULL;
    }
    buf_free(&e);
    as_thread *t = as_thread_find(s, canon);
    if (!t) {
        char *msg = xasprintf("thread not found: %s", canon);
        answer_error(s, req, answer_at(s, ANSWER_MS), msg);
        free(msg);
    }
    return t;
}

static as_thread *thread_param(as_server *s, const as_msg *m, const char *strct) {
    buf err;
    buf_init(&err);
    const char *id = NULL;
    if (as_params_struct(m->params, strct, &err) < 0 ||
        as_param_string(m->params, "threadId", true, &id, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return NULL;
    }
    buf_free(&err);
    return thread_lookup(s, &m->id, id, strstr(strct, "rchive") ? "session" : "thread");
}

/* The rest of TurnStartParams, typed as serde types them (values asked of the real 0.171.0;
 * `effort` is read leniently there: any value passes). */
static int turn_start_options(const cJSON *p, const cJSON *input, buf *err) {
    static const char *const INPUTS[] = {"text",       "image", "localImage", "audio",
                                         "localAudio", "skill", "mention",    NULL};
    static const char *const APPROVALS[] = {"untrusted", "on-request", "granular", "never", NULL};
    static const char *const SUMMARIES[] = {"auto", "concise", "detailed", "none", NULL};
    static const char *const SANDBOXES[] = {"dangerFullAccess", "readOnly", "externalSandbox",
                                            "workspaceWrite", NULL};
    const cJSON *it, *v;
    const char *kind, *str;
    cJSON_ArrayForEach(it, input) {
        if (as_param_tagged(it, "type", "UserInput", INPUTS, &kind, err) < 0) return -1;
        if (!strcmp(kind, "text") && as_param_string(it, "text", true, &str, err) < 0) return -1;
    }
    const cJSON *sb = cJSON_GetObjectItemCaseSensitive(p, "sandboxPolicy");
    if (sb && !cJSON_IsNull(sb) &&
        as_param_tagged(sb, "type", "SandboxPolicyDeserialize", SANDBOXES, &kind, err) < 0)
        return -1;
    static const char *const STRINGS[] = {"model",
                                          "serviceTier",
                                          "serviceTierForTurn",
                                          "parentTurnId",
                                          "rootTurnId",
                                          "clientUserMessageId",
                                          NULL};
    for (size_t i = 0; STRINGS[i]; i++)
        if (as_param_string(p, STRINGS[i], false, &str, err) < 0) return -1;
    v = cJSON_GetObjectItemCaseSensitive(p, "cwd");
    if (v && !cJSON_IsNull(v) && !cJSON_IsString(v)) {
        buf_puts(err, "invalid type: ");
        as_params_unexpected(err, v);
        buf_puts(err, ", expected path string");
        return -1;
    }
    if (as_param_enum(p, "approvalPolicy", APPROVALS, "string or map", &v, err) < 0 ||
        as_param_enum(p, "summary", SUMMARIES, "string or map", &v, err) < 0)
        return -1;
    return 0;
}

/* The text parts of a UserInput array, joined by newlines (heap). */
static char *input_text(const cJSON *input) {
    buf text;
    buf_init(&text);
    const cJSON *it;
    cJSON_ArrayForEach(it, input) {
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(it, "type");
        const cJSON *tx = cJSON_GetObjectItemCaseSensitive(it, "text");
        if (cJSON_IsString(ty) && !strcmp(ty->valuestring, "text") && cJSON_IsString(tx)) {
            if (text.len) buf_putc(&text, '\n');
            buf_puts(&text, tx->valuestring);
        }
    }
    return text.data ? buf_detach(&text) : xstrdup("");
}

static void handle_turn_start(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const cJSON *input = NULL;
    const char *id = NULL;
    if (as_params_struct(m->params, "TurnStartParams", &err) < 0 ||
        as_param_string(m->params, "threadId", true, &id, &err) < 0 ||
        as_param_array(m->params, "input", true, &input, &err) < 0 ||
        turn_start_options(m->params, input, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *t = thread_lookup(s, &m->id, id, "thread");
    if (!t) return;
    /* approvalPolicy holds for this turn and the next ones (a map: granular) */
    const cJSON *ap = cJSON_GetObjectItemCaseSensitive(m->params, "approvalPolicy");
    if (cJSON_IsString(ap) || cJSON_IsObject(ap)) {
        free(t->approval);
        t->approval = xstrdup(cJSON_IsString(ap) ? ap->valuestring : "granular");
    }
    if (t->active) {
        /* one turn at a time per thread: the real server steers; we say so plainly */
        answer_error(s, &m->id, answer_at(s, ANSWER_MS),
                     "codex-mock: turn/start while a turn is running is not emulated (use "
                     "turn/steer or wait for turn/completed)");
        return;
    }
    char *text = input_text(input);
    char *why = NULL;
    if (!as_rules_pick(s, t, text, &why)) {
        /* no rule for this turn, or its scenario does not load: codex-mock's own error */
        fprintf(stderr, "%s\n", why);
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), why);
        free(why);
        free(text);
        return;
    }
    int64_t at = answer_at(s, 0);
    s->faults.hold_next = as_faults_hold_turn(s, m->method); /* request_before_answer */
    as_turn_start(s, t, &m->id, text, at);
    s->faults.hold_next = false;
    if (as_faults_find(s, m->method, PROTO_GHOST_THREAD)) {
        /* the same turn on a thread the client never started: its notifications interleave
         * with the client's turn, its turn/start answer is dropped */
        as_thread *g = new_thread(s, t->cwd, t->approval, t->sandbox_mode, NULL, true, NULL);
        g->sc = t->sc;
        g->scenario_name = t->scenario_name;
        g->rule_name = t->rule_name;
        as_id gid = as_faults_ghost_id(s);
        as_turn_start(s, g, &gid, text, at);
        as_id_free(&gid);
    }
    free(text);
}

static void handle_turn_interrupt(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const char *tid = NULL, *turn_id = NULL;
    if (as_params_struct(m->params, "TurnInterruptParams", &err) < 0 ||
        as_param_string(m->params, "threadId", true, &tid, &err) < 0 ||
        as_param_string(m->params, "turnId", true, &turn_id, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *t = thread_lookup(s, &m->id, tid, "thread");
    if (!t) return;
    if (!t->active) {
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), "no active turn to interrupt");
        return;
    }
    if (strcmp(as_turn_id(t->active), turn_id)) {
        char *msg =
            xasprintf("expected active turn id %s but found %s", turn_id, as_turn_id(t->active));
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), msg);
        free(msg);
        return;
    }
    as_turn_interrupt(s, t, &m->id, answer_at(s, 0));
}

/* turn/steer {threadId, input, expectedTurnId, clientUserMessageId?} → {turnId}: the input
 * joins the running turn (as_turn_steer); the real texts for an empty input, no active turn
 * and another turn id (-32600). */
static void handle_turn_steer(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const cJSON *input = NULL;
    const char *id = NULL, *expected = NULL, *client_id = NULL;
    if (as_params_struct(m->params, "TurnSteerParams", &err) < 0 ||
        as_param_string(m->params, "threadId", true, &id, &err) < 0 ||
        as_param_array(m->params, "input", true, &input, &err) < 0 ||
        as_param_string(m->params, "expectedTurnId", true, &expected, &err) < 0 ||
        as_param_string(m->params, "clientUserMessageId", false, &client_id, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *t = thread_lookup(s, &m->id, id, "thread");
    if (!t) return;
    if (cJSON_GetArraySize(input) == 0) {
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), "input must not be empty");
        return;
    }
    char *text = input_text(input), *why = NULL;
    if (as_turn_steer(s, t, &m->id, expected, text, client_id, answer_at(s, 0), &why) < 0) {
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), why);
        free(why);
    }
    free(text);
}

static void handle_archive(as_server *s, const as_msg *m, bool archive) {
    as_thread *t = thread_param(s, m, archive ? "ThreadArchiveParams" : "ThreadUnarchiveParams");
    if (!t) return;
    t->archived = archive;
    buf r;
    buf_init(&r);
    if (archive) {
        buf_puts(&r, "{}");
    } else {
        buf_puts(&r, "{\"thread\":");
        as_thread_json(&r, s, t, AS_THREAD_LISTED, NULL);
        buf_putc(&r, '}');
    }
    int64_t due = answer_at(s, LIST_MS);
    answer(s, &m->id, due, &r);
    buf_reset(&r);
    buf_printf(&r, "{\"threadId\":\"%s\"}", t->id);
    as_chan_notify(&s->answers, due, archive ? "thread/archived" : "thread/unarchived", r.data,
                   r.len);
    buf_free(&r);
}

static void handle_name_set(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    const char *name = NULL;
    if (as_param_string(m->params, "name", true, &name, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    as_thread *t = thread_param(s, m, "ThreadSetNameParams");
    if (!t) return;
    free(t->name);
    t->name = xstrdup(name);
    buf r;
    buf_init(&r);
    buf_puts(&r, "{}");
    int64_t due = answer_at(s, ANSWER_MS);
    answer(s, &m->id, due, &r);
    buf_reset(&r);
    buf_printf(&r, "{\"threadId\":\"%s\",\"threadName\":", t->id);
    jsonw_cstring(&r, name);
    buf_putc(&r, '}');
    as_chan_notify(&s->answers, due, "thread/name/updated", r.data, r.len);
    buf_free(&r);
}

/* ------------------------------------------------------------------------------------------
 * model/list: the bundled catalogue (src/appserver/models.jsonl, one model a line), no request
 * to any model server; pages by index with string cursors ("2", "4", …), as the real one.
 * ---------------------------------------------------------------------------------------- */

extern const char APPSERVER_MODELS_JSONL[];
extern const unsigned long APPSERVER_MODELS_JSONL_LEN;

static void handle_model_list(as_server *s, const as_msg *m) {
    buf err;
    buf_init(&err);
    int64_t limit = -1;
    const char *cursor = NULL;
    bool hidden = false;
    if (as_params_struct(m->params, "ModelListParams", &err) < 0 ||
        as_param_int(m->params, "limit", false, &limit, &err) < 0 ||
        as_param_string(m->params, "cursor", false, &cursor, &err) < 0 ||
        as_param_bool(m->params, "includeHidden", false, &hidden, &err) < 0) {
        invalid_request(s, &m->id, &err);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    size_t start = 0;
    if (cursor) {
        char *end;
        start = (size_t)strtoull(cursor, &end, 10);
        if (*end || !*cursor) {
            char *msg = xasprintf("invalid cursor: %s", cursor);
            answer_error(s, &m->id, answer_at(s, ANSWER_MS), msg);
            free(msg);
            return;
        }
    }
    buf r;
    buf_init(&r);
    buf_puts(&r, "{\"data\":[");
    const char *p = APPSERVER_MODELS_JSONL, *end = p + APPSERVER_MODELS_JSONL_LEN;
    size_t index = 0, shown = 0;
    bool more = false;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        bool is_hidden = memmem(p, n, "\"hidden\":true", 13) != NULL;
        if (n && (hidden || !is_hidden)) {
            if (index >= start) {
                if (limit >= 0 && shown == (size_t)limit) {
                    more = true;
                    break;
                }
                if (shown++) buf_putc(&r, ',');
                buf_append(&r, p, n);
            }
            index++;
        }
        p += n + 1;
    }
    buf_puts(&r, "],\"nextCursor\":");
    if (more)
        buf_printf(&r, "\"%zu\"}", start + shown);
    else
        buf_puts(&r, "null}");
    answer(s, &m->id, answer_at(s, LIST_MS), &r);
    buf_free(&r);
}

/* ------------------------------------------------------------------------------------------
 * Dispatch
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    const char *method;
    void (*fn)(as_server *s, const as_msg *m);
} handler;

static void h_archive(as_server *s, const as_msg *m) {
    handle_archive(s, m, true);
}
static void h_unarchive(as_server *s, const as_msg *m) {
    handle_archive(s, m, false);
}

static const handler HANDLERS[] = {
    {"thread/start", handle_thread_start},
    {"thread/list", handle_thread_list},
    {"thread/resume", handle_thread_resume},
    {"thread/fork", handle_thread_fork},
    {"thread/read", handle_thread_read},
    {"thread/loaded/list", handle_loaded_list},
    {"thread/archive", h_archive},
    {"thread/unarchive", h_unarchive},
    {"thread/name/set", handle_name_set},
    {"turn/start", handle_turn_start},
    {"turn/interrupt", handle_turn_interrupt},
    {"turn/steer", handle_turn_steer},
    {"model/list", handle_model_list},
};

static void dispatch(as_server *s, const as_msg *m) {
    const as_method_info *mi = as_method_find(m->method);
    if (!mi) {
        buf e;
        buf_init(&e);
        as_method_unknown(&e, m->method);
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), e.data);
        buf_free(&e);
        return;
    }
    if (!m->has_params && !mi->params_optional) {
        buf e;
        buf_init(&e);
        buf_puts(&e, "missing field `params`");
        invalid_request(s, &m->id, &e);
        buf_free(&e);
        return;
    }
    as_faults_request(s, m); /* wrong_id, no_answer (as_faults.h) */
    if (!strcmp(m->method, "initialize")) {
        handle_initialize(s, m);
        return;
    }
    if (!s->initialized) {
        answer_error(s, &m->id, answer_at(s, ANSWER_MS), "Not initialized");
        return;
    }
    for (size_t i = 0; i < sizeof HANDLERS / sizeof HANDLERS[0]; i++)
        if (!strcmp(HANDLERS[i].method, m->method)) {
            HANDLERS[i].fn(s, m);
            return;
        }
    char *msg = xasprintf("codex-mock: the app-server method `%s` is not emulated", m->method);
    fprintf(stderr, "%s\n", msg);
    answer_error(s, &m->id, answer_at(s, ANSWER_MS), msg);
    free(msg);
}

static void process_line(as_server *s, const char *line, size_t len) {
    as_msg m;
    as_rpc_parse(line, len, &m);
    switch (m.kind) {
    case AS_MSG_INVALID: {
        char *msg = xasprintf("Failed to deserialize JSONRPCMessage: %s", m.error.data);
        trace_line(s, "codex_app_server_transport::transport", msg);
        free(msg);
        break;
    }
    case AS_MSG_REQUEST:
        if (s->n_requests < AS_JOURNAL_REQUESTS) {
            if (s->n_requests++) buf_putc(&s->requests, ',');
            jsonw_cstring(&s->requests, m.method);
        } else {
            s->requests_dropped++;
        }
        if (as_out_held(s) > AS_OUT_DROP) break; /* no room even for the refusal */
        if (as_out_held(s) > AS_OUT_HIGH) {
            buf line;
            buf_init(&line);
            asw_error(&line, &m.id, ERR_OVERLOADED, "Server overloaded; retry later.");
            as_write_out(s, line.data, line.len);
            buf_free(&line);
            break;
        }
        dispatch(s, &m);
        break;
    case AS_MSG_RESPONSE:
    case AS_MSG_ERROR:
        /* an answer to a server request (an approval); to nothing: ignored */
        if (!m.id.is_string) as_turn_answer(s, m.id.i, m.kind == AS_MSG_RESPONSE ? m.result : NULL);
        break;
    default: /* notifications (initialized among them): ignored */
        break;
    }
    as_rpc_free(&m);
}

/* ------------------------------------------------------------------------------------------
 * The process: stdin, signals, exit
 * ---------------------------------------------------------------------------------------- */

static void exit_now(evloop *loop, void *ctx) {
    as_server *s = ctx;
    s->exiting = true;
    evloop_stop(loop, s->exit_code);
}

static void stop_reading(as_server *s, int code, double after_ms) {
    if (!s->reading) return;
    s->reading = false;
    evloop_unwatch_fd(s->loop, STDIN_FILENO);
    s->exit_code = code;
    evloop_timer(s->loop, as_now(s) + as_delay(s, after_ms), exit_now, s);
}

static bool any_turn_active(const as_server *s) {
    for (size_t i = 0; i < s->n_threads; i++)
        if (s->threads[i]->active) return true;
    return false;
}

static void on_stdin(evloop *loop, int fd, short revents, void *ctx) {
    (void)loop;
    (void)revents;
    as_server *s = ctx;
    char tmp[65536];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0)
        as_lines_eof(&s->in);
    else
        as_lines_feed(&s->in, tmp, (size_t)n);
    const char *line;
    size_t len;
    int r;
    while (s->reading && (r = as_lines_next(&s->in, &line, &len)) != 0) {
        if (r < 0) {
            trace_line(s, "codex_app_server_transport::transport::stdio",
                       "Failed reading stdin: stream did not contain valid UTF-8");
            stop_reading(s, 0, EOF_EXIT_MS);
            return;
        }
        process_line(s, line, len);
    }
    if (n <= 0) stop_reading(s, 0, any_turn_active(s) ? EOF_EXIT_MID_TURN_MS : EOF_EXIT_MS);
}

static void on_signal(evloop *loop, int signo, void *ctx) {
    (void)loop;
    as_server *s = ctx;
    if (signo == SIGTERM) {
        stop_reading(s, 0, SIGTERM_EXIT_MS);
        return;
    }
    /* SIGINT: the real server dies by it, with nothing more on stdout or stderr (trace 28) */
    signal(signo, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(signo);
}

/* `model` and `model_provider` from CODEX_HOME/config.toml: only top-level `key = "value"`
 * lines before the first [table] are looked at (what the real server's thread/start reports);
 * and the names of its [mcp_servers.NAME] tables. */
static void read_config(as_server *s, const char *codex_home, char **model, char **provider) {
    char *path = xasprintf("%s/config.toml", codex_home);
    FILE *f = fopen(path, "r");
    free(path);
    if (!f) return;
    char line[1024];
    bool top = true;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        char name[128];
        int n_end = 0;
        /* [mcp_servers.NAME]: a configured MCP server (as_mcp.c) */
        if (sscanf(p, "[mcp_servers.%127[A-Za-z0-9_-]]%n", name, &n_end) == 1 && n_end > 0) {
            s->mcp_servers =
                xrealloc(s->mcp_servers, (s->n_mcp_servers + 1) * sizeof *s->mcp_servers);
            s->mcp_servers[s->n_mcp_servers++] = xstrdup(name);
        }
        if (*p == '[') top = false;
        if (!top) continue;
        char key[64];
        int n = 0;
        if (sscanf(p, "%63[A-Za-z0-9_] = \"%n", key, &n) != 1 || n == 0) continue;
        char *v = p + n, *end = strchr(v, '"');
        if (!end) continue;
        *end = '\0';
        char **slot = !strcmp(key, "model")            ? model
                      : !strcmp(key, "model_provider") ? provider
                                                       : NULL;
        if (slot && !*slot) *slot = xstrdup(v);
    }
    fclose(f);
}

/* True when an executable `bwrap` is in one of PATH's directories. */
static bool bwrap_found(const char *path) {
    if (!path) return false;
    while (*path) {
        size_t n = strcspn(path, ":");
        char *f = xasprintf("%.*s/bwrap", (int)n, path);
        bool ok = n > 0 && access(f, X_OK) == 0;
        free(f);
        if (ok) return true;
        path += n;
        if (*path == ':') path++;
    }
    return false;
}

static char *read_os(void) {
    /* "Debian 12.0.0": NAME's first word and VERSION_ID as major.minor.patch (os_info) */
    FILE *f = fopen("/etc/os-release", "r");
    char name[128] = "Linux", ver[64] = "";
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            char *v = strchr(line, '=');
            if (!v) continue;
            *v++ = '\0';
            if (*v == '"') {
                v++;
                v[strcspn(v, "\"")] = '\0';
            }
            if (!strcmp(line, "NAME")) {
                snprintf(name, sizeof name, "%s", v);
                name[strcspn(name, " ")] = '\0';
            } else if (!strcmp(line, "VERSION_ID")) {
                snprintf(ver, sizeof ver, "%s", v);
            }
        }
        fclose(f);
    }
    int a = 0, b = 0, c = 0;
    int k = sscanf(ver, "%d.%d.%d", &a, &b, &c);
    if (k <= 0) return xasprintf("%s Rolling Release", name);
    return xasprintf("%s %d.%d.%d", name, a, b, c);
}

static int load_scenario(as_server *s, const mock_settings *set) {
    diag err;
    diag_init(&err);
    /* every turn of a thread plays from the same model: no streamed scenarios here */
    mock_settings whole = *set;
    whole.stream_above = SIZE_MAX;
    if (run_load_scenario(set->scenario, &whole, &s->sc, &err) < 0) {
        diag_print(&err, stderr);
        diag_free(&err);
        return -1;
    }
    diag_free(&err);
    s->have_sc = true;
    return 0;
}

void as_thread_free(as_thread *t) {
    free(t->path);
    free(t->cwd);
    free(t->approval);
    free(t->sandbox_mode);
    free(t->preview);
    free(t->name);
    free(t->git_sha);
    free(t->git_branch);
    free(t->source);
    free(t->originator);
    free(t->provider);
    free(t->model);
    free(t);
}

static void server_free(as_server *s) {
    as_turn_free_all(s);
    as_faults_free(s);
    for (size_t i = 0; i < s->n_threads; i++)
        as_thread_free(s->threads[i]);
    free(s->threads);
    as_chan_clear(&s->answers);
    for (size_t i = 0; i < s->n_opt_out; i++)
        free(s->opt_out[i]);
    free(s->opt_out);
    free(s->client_name);
    free(s->client_version);
    free(s->codex_home);
    free(s->cwd);
    free(s->host);
    free(s->os);
    free(s->arch);
    free(s->term);
    free(s->model);
    free(s->provider);
    as_lines_free(&s->in);
    buf_free(&s->pending);
    buf_free(&s->requests);
    if (s->have_sc) scenario_free(&s->sc);
    as_rules_free(s);
    for (size_t i = 0; i < s->n_mcp_servers; i++)
        free(s->mcp_servers[i]);
    free(s->mcp_servers);
    if (s->have_state) state_close(&s->state);
    evloop_free(s->loop);
}

static int listen_arg(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "--listen")) {
            if (i + 1 >= argc) {
                fputs("codex-mock: `codex app-server --listen` needs a value (stdio://)\n", stderr);
                return -1;
            }
            v = argv[++i];
        } else if (!strncmp(a, "--listen=", 9)) {
            v = a + 9;
        } else {
            fprintf(stderr,
                    "codex-mock: `codex app-server %s` is not emulated (codex-mock fakes "
                    "`codex app-server [--listen stdio://]`)\n",
                    a);
            return -1;
        }
        if (strcmp(v, "stdio://")) {
            fprintf(stderr,
                    "codex-mock: `codex app-server --listen %s` is not emulated: only stdio:// "
                    "is (the transport the SDKs use)\n",
                    v);
            return -1;
        }
    }
    return 0;
}

/* Everything but stdin and the signals; -1 when the scenario does not load (said on stderr). */
static int server_setup(as_server *s, const appserver_params *p, int out_fd, int err_fd) {
    memset(s, 0, sizeof *s);
    s->out_fd = out_fd;
    s->err_fd = err_fd;
    s->clk = p->clk;
    s->spawn = p->spawn;
    s->speed = p->speed;
    s->wall_start = p->wall_start;
    s->wall_anchor_ms = s->clk->wall_ms(s->clk);
    s->mono_anchor_ns = s->clk->mono_ns(s->clk);
    clock_format_utc(s->now_text, s->wall_start);
    rng_seed(&s->rng,
             p->has_seed ? p->seed : (uint64_t)p->clk->mono_ns(p->clk) ^ (uint64_t)getpid());
    if (load_scenario(s, p->settings) < 0) return -1;
    if (as_rules_open(s, p->settings) < 0) {
        scenario_free(&s->sc);
        return -1;
    }
    as_faults_init(s, p->settings->has_chaos ? &p->settings->chaos : NULL, p->has_seed, p->seed);
    s->loop = evloop_new(s->clk);
    as_lines_init(&s->in);
    buf_init(&s->pending);
    buf_init(&s->requests);
    as_chan_init(&s->answers, s);
    s->reading = true;

    const char *home = getenv("CODEX_HOME");
    const char *h = getenv("HOME");
    s->codex_home = home && *home ? xstrdup(home) : xasprintf("%s/.codex", h ? h : "");
    char cwd[4096];
    s->cwd = xstrdup(getcwd(cwd, sizeof cwd) ? cwd : "/");
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    s->host = xstrdup(host);
    s->os = read_os();
    struct utsname u;
    s->arch = xstrdup(uname(&u) == 0 ? u.machine : "x86_64");
    const char *term = getenv("TERM");
    s->term = xstrdup(term && *term ? term : "unknown");
    /* the scenario's `cli:` first, then CODEX_HOME/config.toml, then the defaults */
    if (s->sc.cli.model) s->model = xstrdup(s->sc.cli.model);
    if (s->sc.cli.provider) s->provider = xstrdup(s->sc.cli.provider);
    read_config(s, s->codex_home, &s->model, &s->provider);
    if (!s->model) s->model = xstrdup("gpt-5.5");
    if (!s->provider) s->provider = xstrdup("openai");
    s->bwrap = bwrap_found(getenv("PATH"));
    s->argc = p->argc;
    s->argv = p->argv;
    s->scenario_name = p->settings->scenario ? p->settings->scenario : "default";
    diag serr;
    diag_init(&serr);
    if (state_open(&s->state, p->settings->state_dir, s->codex_home, &serr) == 0) {
        s->have_state = true;
        diag_free(&serr);
    } else if (p->settings->state_dir) {
        report("", &serr);
        server_free(s);
        return EXIT_MOCK_ERROR;
    } else {
        diag_free(&serr);
    }

    int64_t startup =
        s->sc.has_startup ? plan_scale(s->sc.startup_ns, s->speed) : as_delay(s, STARTUP_MS);
    s->ready = s->spawn + startup;
    if (!s->bwrap) {
        int64_t at = s->ready - as_delay(s, STDERR_BEFORE_READY_MS);
        evloop_timer(s->loop, at > s->spawn ? at : s->spawn, bwrap_warning, s);
    }
    return 0;
}

int appserver_serve_bytes(const appserver_params *p, const char *in, size_t n, int out_fd,
                          int err_fd) {
    as_server srv;
    as_server *s = &srv;
    if (server_setup(s, p, out_fd, err_fd) < 0) return EXIT_MOCK_ERROR;
    as_lines_feed(&s->in, in, n);
    as_lines_eof(&s->in);
    const char *line;
    size_t len;
    int r;
    while (s->reading && (r = as_lines_next(&s->in, &line, &len)) != 0) {
        if (r < 0) break;
        process_line(s, line, len);
    }
    stop_reading(s, 0, EOF_EXIT_MS);
    int code = evloop_run(s->loop);
    server_free(s);
    return code < 0 ? 0 : code;
}

int appserver_main(int argc, char **argv, const appserver_params *p) {
    if (listen_arg(argc, argv) < 0) return EXIT_MOCK_ERROR;
    as_server srv;
    as_server *s = &srv;
    if (server_setup(s, p, STDOUT_FILENO, STDERR_FILENO) < 0) return EXIT_MOCK_ERROR;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    evloop_watch_signals(s->loop, &set, on_signal, s);
    int fl = fcntl(STDIN_FILENO, F_GETFL);
    if (fl >= 0) fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK);
    int ofl = fcntl(STDOUT_FILENO, F_GETFL);
    if (ofl >= 0) fcntl(STDOUT_FILENO, F_SETFL, ofl | O_NONBLOCK);
    evloop_watch_fd(s->loop, STDIN_FILENO, POLLIN, on_stdin, s);
    int code = evloop_run(s->loop);
    if (code < 0) code = 0;
    if (fl >= 0) fcntl(STDIN_FILENO, F_SETFL, fl);
    if (ofl >= 0) fcntl(STDOUT_FILENO, F_SETFL, ofl);
    /* what a reading client has not taken yet still reaches it */
    while (s->pending_off < s->pending.len) {
        ssize_t w =
            write(s->out_fd, s->pending.data + s->pending_off, s->pending.len - s->pending_off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        s->pending_off += (size_t)w;
    }
    server_free(s);
    return code;
}

#include "play.h"
#include "evloop.h"
#include "fileio.h"
#include "exitcodes.h"

#include <poll.h>
#include <time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FLUSH_AT = 64 * 1024 };

typedef struct {
    int fd;
    buf pending;
    bool broken;
    bool closed; /* closed on purpose: later output is dropped */
} out_stream;

static bool flush(out_stream *s) {
    if (s->pending.len == 0 || s->broken || s->closed) {
        buf_reset(&s->pending);
        return !s->broken;
    }
    bool ok = fileio_write_all(s->fd, s->pending.data, s->pending.len) == 0;
    buf_reset(&s->pending);
    if (!ok) s->broken = true;
    return ok;
}

static void write_panic(int err_fd) {
    /* What a Rust binary prints when println! hits a closed pipe
     * (docs/behaviour.md#how-a-run-ends). */
    char msg[512];
    int n = snprintf(msg, sizeof msg,
                     "\nthread 'codex-main' (%ld) panicked at library/std/src/io/stdio.rs:1165:9:\n"
                     "failed printing to stdout: Broken pipe (os error 32)\n"
                     "note: run with `RUST_BACKTRACE=1` environment variable to display a "
                     "backtrace\n",
                     (long)gettid());
    (void)fileio_write_all(err_fd, msg + 1, (size_t)n - 1);
}

void play_result_free(play_result *res) {
    free(res->final_message);
    res->final_message = NULL;
}

static void remember_final(play_result *res, const event *ev) {
    if (ev->type != EV_ITEM_COMPLETED || ev->item.type != ITEM_AGENT_MESSAGE) return;
    free(res->final_message);
    const mstr *t = &ev->item.u.text.text;
    res->final_message = xstrndup(t->ptr ? t->ptr : "", t->len);
    res->final_len = t->len;
}

static void flush_sinks(const play_params *pp) {
    for (size_t i = 0; i < pp->n_sinks; i++)
        if (pp->sinks[i].on_flush) pp->sinks[i].on_flush(pp->sinks[i].ctx);
}

static void end_sinks(const play_params *pp, play_result *res, end_reason reason, bool failed,
                      int exit_code, out_stream *out, out_stream *err) {
    play_end end = {reason, exit_code,          res->turn_completed,
                    failed, res->final_message, res->final_len};
    for (size_t i = 0; i < pp->n_sinks; i++)
        if (pp->sinks[i].on_end)
            pp->sinks[i].on_end(pp->sinks[i].ctx, &end, &out->pending, &err->pending);
}

/* One timeline being played on the event loop. */
typedef struct {
    planner *pl;
    const play_params *pp;
    play_result *res;
    evloop *loop;
    out_stream out, err;
    int exit_code;
    bool failed;
    end_reason reason;
    action next; /* fetched from the planner, not yet due */
    bool have_next;
    /* A time the clock is known to have passed: an action due by then needs no clock read
     * (at speed 0 every action is, a million times over). */
    int64_t passed;
} player;

/* Writes the narration of an action to CODEX_MOCK_EXPLAIN's file. */
static void explain(const play_params *pp, const action *a) {
    if (pp->explain_fd <= 0 || !a->explain) return;
    char head[48];
    int n = snprintf(head, sizeof head, "[%9.3fs] ", (double)a->due_ns / 1e9);
    (void)fileio_write_all(pp->explain_fd, head, (size_t)n);
    (void)fileio_write_all(pp->explain_fd, a->explain, strlen(a->explain));
    (void)fileio_write_all(pp->explain_fd, "\n", 1);
}

/* Performs one due action; true when the timeline ends with it. */
static bool perform(player *p, const action *a) {
    const play_params *pp = p->pp;
    play_result *res = p->res;
    explain(pp, a);
    switch (a->kind) {
    case ACT_EVENT: {
        if (a->ev.type == EV_TURN_COMPLETED) res->turn_completed = true;
        if (a->ev.type == EV_TURN_FAILED) p->failed = true;
        remember_final(res, &a->ev);
        size_t before = p->out.pending.len;
        if (p->err.pending.len) flush(&p->err);
        for (size_t i = 0; i < pp->n_sinks; i++)
            if (pp->sinks[i].on_event)
                pp->sinks[i].on_event(pp->sinks[i].ctx, &a->ev, &p->out.pending, &p->err.pending);
        if (p->out.pending.len > before) res->lines_out++;
        break;
    }
    case ACT_STDOUT:
        if (p->err.pending.len) flush(&p->err);
        buf_append(&p->out.pending, a->bytes.ptr, a->bytes.len);
        break;
    case ACT_STDERR:
        if (p->out.pending.len) flush(&p->out);
        buf_append(&p->err.pending, a->bytes.ptr, a->bytes.len);
        break;
    case ACT_EXIT:
        p->exit_code = a->exit_code;
        return true;
    case ACT_SIGNAL: /* the caller dies by it once everything is flushed */
        res->die_signal = a->exit_code;
        p->exit_code = 128 + a->exit_code;
        return true;
    case ACT_CLOSE_STDOUT:
        flush(&p->out);
        if (!p->out.closed) close(p->out.fd);
        p->out.closed = true;
        break;
    case ACT_HANG: /* only a signal ends a hang; a fake clock's wait returns at once */
        return true;
    case ACT_MODEL_REQUEST: /* nothing in exec's output */
        break;
    }
    if (p->out.pending.len >= FLUSH_AT) flush(&p->out);
    if (p->err.pending.len >= FLUSH_AT) flush(&p->err);
    return p->out.broken;
}

/* The loop's timer: plays every action that is due, then arms the timer for the next one
 * (everything gathered so far written out first, so each line reaches the reader when it is
 * due) or stops the loop when the timeline has ended. */
static void play_due(evloop *loop, void *ctx) {
    player *p = ctx;
    const mock_clock *clk = p->pp->clock;
    for (;;) {
        if (!p->have_next) {
            if (!plan_next(p->pl, &p->next)) break;
            p->have_next = true;
        }
        const action *a = &p->next;
        int64_t deadline = a->kind == ACT_HANG ? INT64_MAX : p->pp->anchor_ns + a->due_ns;
        if (deadline > p->passed && (p->passed = clk->mono_ns(clk)) < deadline) {
            flush(&p->out);
            flush(&p->err);
            flush_sinks(p->pp);
            evloop_timer(loop, deadline, play_due, p);
            return;
        }
        p->have_next = false;
        if (perform(p, a)) break;
    }
    evloop_stop(loop, 0);
}

/* The loop waits through the clock: an absolute deadline, and the watched signals (which the
 * caller keeps blocked) by sigwait — so a fake clock drives the loop in tests, and SIGINT needs
 * no handler or global flag. Exec watches no file descriptor; with one, poll would wait. */
static int wait_on_clock(struct pollfd *fds, nfds_t n, int64_t timeout_ns, void *ctx) {
    player *p = ctx;
    const mock_clock *clk = p->pp->clock;
    if (n > 0) {
        struct timespec ts = {.tv_sec = timeout_ns / 1000000000,
                              .tv_nsec = timeout_ns % 1000000000};
        return ppoll(fds, n, timeout_ns < 0 ? NULL : &ts, NULL);
    }
    int64_t now = clk->mono_ns(clk);
    int64_t deadline =
        timeout_ns < 0 || timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
    if (clk->wait_until(clk, deadline, p->pp->watch)) {
        p->res->interrupted = true;
        p->reason = END_INTERRUPTED;
        p->exit_code = EXIT_TURN_FAILED;
        evloop_stop(p->loop, 0);
    }
    return 0;
}

int play(planner *pl, const play_params *pp, play_result *res) {
    memset(res, 0, sizeof *res);
    player p = {.pl = pl,
                .pp = pp,
                .res = res,
                .out = {pp->out_fd, {0}, false, false},
                .err = {pp->err_fd, {0}, false, false},
                .exit_code = EXIT_OK,
                .reason = END_EXIT,
                .passed = INT64_MIN};
    buf_init(&p.out.pending);
    buf_init(&p.err.pending);
    p.loop = evloop_new(pp->clock);
    evloop_set_wait(p.loop, wait_on_clock, &p);
    evloop_timer(p.loop, INT64_MIN, play_due, &p); /* the first actions are due at once */
    evloop_run(p.loop);
    evloop_free(p.loop);

    if (p.out.broken) p.reason = END_BROKEN_PIPE;
    if (p.reason == END_INTERRUPTED) buf_reset(&p.out.pending); /* nothing more on stdout */
    int exit_code = p.exit_code;
    if (plan_error(pl)) {
        /* a streamed scenario's error: what was played stays written; the caller says why */
        res->scenario_error = true;
        exit_code = EXIT_MOCK_ERROR;
    } else {
        end_sinks(pp, res, p.reason, p.failed, exit_code, &p.out, &p.err);
    }
    flush_sinks(pp);
    flush(&p.err);
    if (!flush(&p.out) || p.out.broken) {
        res->broken_pipe = true;
        write_panic(p.err.fd);
        exit_code = EXIT_PANIC;
    }
    buf_free(&p.out.pending);
    buf_free(&p.err.pending);
    res->exit_code = exit_code;
    return exit_code;
}

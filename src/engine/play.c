#include "play.h"
#include "fileio.h"
#include "exitcodes.h"

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

int play(planner *pl, const play_params *pp, play_result *res) {
    memset(res, 0, sizeof *res);
    out_stream out = {pp->out_fd, {0}, false, false}, err = {pp->err_fd, {0}, false, false};
    buf_init(&out.pending);
    buf_init(&err.pending);
    const mock_clock *clk = pp->clock;
    int exit_code = EXIT_OK;
    bool failed = false;
    end_reason reason = END_EXIT;
    action a;
    /* A time the clock is known to have passed: an action due by then needs no clock read
     * (at speed 0 every action is, a million times over). */
    int64_t passed = INT64_MIN;
    while (plan_next(pl, &a)) {
        int64_t deadline = a.kind == ACT_HANG ? INT64_MAX : pp->anchor_ns + a.due_ns;
        if (deadline > passed && (passed = clk->mono_ns(clk)) < deadline) {
            flush(&out);
            flush(&err);
            flush_sinks(pp);
            int sig = clk->wait_until(clk, deadline, pp->watch);
            if (sig) {
                res->interrupted = true;
                reason = END_INTERRUPTED;
                exit_code = EXIT_TURN_FAILED;
                break;
            }
            passed = deadline;
        }
        if (pp->explain_fd > 0 && a.explain) {
            char head[48];
            int n = snprintf(head, sizeof head, "[%9.3fs] ", (double)a.due_ns / 1e9);
            (void)fileio_write_all(pp->explain_fd, head, (size_t)n);
            (void)fileio_write_all(pp->explain_fd, a.explain, strlen(a.explain));
            (void)fileio_write_all(pp->explain_fd, "\n", 1);
        }
        bool stop = false;
        switch (a.kind) {
        case ACT_EVENT: {
            if (a.ev.type == EV_TURN_COMPLETED) res->turn_completed = true;
            if (a.ev.type == EV_TURN_FAILED) failed = true;
            remember_final(res, &a.ev);
            size_t before = out.pending.len;
            if (err.pending.len) flush(&err);
            for (size_t i = 0; i < pp->n_sinks; i++)
                if (pp->sinks[i].on_event)
                    pp->sinks[i].on_event(pp->sinks[i].ctx, &a.ev, &out.pending, &err.pending);
            if (out.pending.len > before) res->lines_out++;
            break;
        }
        case ACT_STDOUT:
            if (err.pending.len) flush(&err);
            buf_append(&out.pending, a.bytes.ptr, a.bytes.len);
            break;
        case ACT_STDERR:
            if (out.pending.len) flush(&out);
            buf_append(&err.pending, a.bytes.ptr, a.bytes.len);
            break;
        case ACT_EXIT:
            exit_code = a.exit_code;
            stop = true;
            break;
        case ACT_SIGNAL: /* the caller dies by it once everything is flushed */
            res->die_signal = a.exit_code;
            exit_code = 128 + a.exit_code;
            stop = true;
            break;
        case ACT_CLOSE_STDOUT:
            flush(&out);
            if (!out.closed) close(out.fd);
            out.closed = true;
            break;
        case ACT_HANG: /* only a signal ends a hang; a fake clock's wait returns at once */
            stop = true;
            break;
        }
        if (stop) break;
        if (out.pending.len >= FLUSH_AT) flush(&out);
        if (err.pending.len >= FLUSH_AT) flush(&err);
        if (out.broken) break;
    }
    if (out.broken) reason = END_BROKEN_PIPE;
    if (reason == END_INTERRUPTED) buf_reset(&out.pending); /* nothing more on stdout */
    if (plan_error(pl)) {
        /* a streamed scenario's error: what was played stays written; the caller says why */
        res->scenario_error = true;
        exit_code = EXIT_MOCK_ERROR;
    } else {
        end_sinks(pp, res, reason, failed, exit_code, &out, &err);
    }
    flush_sinks(pp);
    flush(&err);
    if (!flush(&out) || out.broken) {
        res->broken_pipe = true;
        write_panic(err.fd);
        exit_code = EXIT_PANIC;
    }
    buf_free(&out.pending);
    buf_free(&err.pending);
    res->exit_code = exit_code;
    return exit_code;
}

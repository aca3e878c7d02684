/* evloop — one thread's event loop: absolute monotonic deadlines (timers), watched file
 * descriptors (poll(2)) and signals (signalfd), all read through an injected clock.
 *
 * Nothing here knows what the events mean: a caller arms timers at absolute due times on the
 * clock's monotonic scale (so lateness never accumulates, and several timelines can share one
 * loop), watches fds for input or output, and watches signals; evloop_run() calls back until
 * evloop_stop(). Timers due at the same time fire in the order they were armed. Callbacks may
 * arm, cancel, watch and unwatch freely (also the one being called).
 *
 * The wait itself goes through `wait_fn` (default: ppoll with the time to the next deadline),
 * so a test can run the loop on a fake clock: its wait_fn advances the fake time and polls with
 * a zero timeout.
 *
 * Ownership: evloop_new() returns a heap loop freed by evloop_free() (which closes its signalfd,
 * never the caller's fds). Errors: evloop_watch_signals() returns -1 with errno set. */
#ifndef CODEX_MOCK_EVLOOP_H
#define CODEX_MOCK_EVLOOP_H

#include "clock.h"

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct evloop evloop;

typedef void (*evloop_timer_fn)(evloop *loop, void *ctx);
typedef void (*evloop_fd_fn)(evloop *loop, int fd, short revents, void *ctx);
typedef void (*evloop_signal_fn)(evloop *loop, int signo, void *ctx);
/* Waits on fds for at most timeout_ns (-1: forever); returns what poll returns. */
typedef int (*evloop_wait_fn)(struct pollfd *fds, nfds_t n, int64_t timeout_ns, void *ctx);

evloop *evloop_new(const mock_clock *clock);
void evloop_free(evloop *loop);
void evloop_set_wait(evloop *loop, evloop_wait_fn fn, void *ctx);

/* Arms a timer due at monotonic `due_ns`; returns its id (> 0). */
uint64_t evloop_timer(evloop *loop, int64_t due_ns, evloop_timer_fn fn, void *ctx);
/* Cancels a timer not yet fired (a fired or unknown id is ignored). */
void evloop_cancel(evloop *loop, uint64_t id);
/* Cancels every timer armed with this ctx. */
void evloop_cancel_ctx(evloop *loop, void *ctx);
size_t evloop_pending(const evloop *loop);

/* Watches fd for `events` (POLLIN / POLLOUT); re-watching an fd replaces its entry. */
void evloop_watch_fd(evloop *loop, int fd, short events, evloop_fd_fn fn, void *ctx);
void evloop_unwatch_fd(evloop *loop, int fd);

/* Blocks the signals in `set` and reports them through fn. */
int evloop_watch_signals(evloop *loop, const sigset_t *set, evloop_signal_fn fn, void *ctx);

/* Runs until evloop_stop(); returns the code given to it. Also returns -1 when there is
 * nothing left to wait for (no timer, no fd, no signal). */
int evloop_run(evloop *loop);
void evloop_stop(evloop *loop, int code);
int64_t evloop_now(const evloop *loop);

#endif

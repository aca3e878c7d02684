/* evloop — see evloop.h. Timers are a binary min-heap ordered by (due, sequence). */
#include "evloop.h"

#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int64_t due;
    uint64_t seq; /* arming order: ties fire first-armed first; also the id */
    evloop_timer_fn fn;
    void *ctx;
} timer;

typedef struct {
    int fd;
    short events;
    evloop_fd_fn fn;
    void *ctx;
    bool live;
} watch;

struct evloop {
    const mock_clock *clock;
    timer *heap;
    size_t n_heap, cap_heap;
    uint64_t next_seq;
    watch *w;
    size_t n_w, cap_w;
    int sfd;
    evloop_signal_fn sig_fn;
    void *sig_ctx;
    bool stopped;
    int code;
    evloop_wait_fn wait_fn;
    void *wait_ctx;
};

static int default_wait(struct pollfd *fds, nfds_t n, int64_t timeout_ns, void *ctx) {
    (void)ctx;
    if (timeout_ns < 0) return ppoll(fds, n, NULL, NULL);
    struct timespec ts = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
    return ppoll(fds, n, &ts, NULL);
}

evloop *evloop_new(const mock_clock *clock) {
    evloop *l = xcalloc(1, sizeof *l);
    l->clock = clock;
    l->sfd = -1;
    l->next_seq = 1;
    l->wait_fn = default_wait;
    return l;
}

void evloop_free(evloop *l) {
    if (!l) return;
    if (l->sfd >= 0) close(l->sfd);
    free(l->heap);
    free(l->w);
    free(l);
}

void evloop_set_wait(evloop *l, evloop_wait_fn fn, void *ctx) {
    l->wait_fn = fn ? fn : default_wait;
    l->wait_ctx = ctx;
}

int64_t evloop_now(const evloop *l) {
    return l->clock->mono_ns(l->clock);
}

static bool before(const timer *a, const timer *b) {
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void sift_up(evloop *l, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&l->heap[i], &l->heap[p])) break;
        timer t = l->heap[i];
        l->heap[i] = l->heap[p];
        l->heap[p] = t;
        i = p;
    }
}

static void sift_down(evloop *l, size_t i) {
    for (;;) {
        size_t a = 2 * i + 1, b = a + 1, m = i;
        if (a < l->n_heap && before(&l->heap[a], &l->heap[m])) m = a;
        if (b < l->n_heap && before(&l->heap[b], &l->heap[m])) m = b;
        if (m == i) return;
        timer t = l->heap[i];
        l->heap[i] = l->heap[m];
        l->heap[m] = t;
        i = m;
    }
}

static void heap_remove(evloop *l, size_t i) {
    l->heap[i] = l->heap[--l->n_heap];
    if (i < l->n_heap) {
        sift_down(l, i);
        sift_up(l, i);
    }
}

uint64_t evloop_timer(evloop *l, int64_t due_ns, evloop_timer_fn fn, void *ctx) {
    if (l->n_heap == l->cap_heap) {
        l->cap_heap = l->cap_heap ? 2 * l->cap_heap : 16;
        l->heap = xrealloc(l->heap, l->cap_heap * sizeof *l->heap);
    }
    timer t = {.due = due_ns, .seq = l->next_seq++, .fn = fn, .ctx = ctx};
    l->heap[l->n_heap++] = t;
    sift_up(l, l->n_heap - 1);
    return t.seq;
}

void evloop_cancel(evloop *l, uint64_t id) {
    for (size_t i = 0; i < l->n_heap; i++)
        if (l->heap[i].seq == id) {
            heap_remove(l, i);
            return;
        }
}

void evloop_cancel_ctx(evloop *l, void *ctx) {
    for (size_t i = l->n_heap; i-- > 0;)
        if (l->heap[i].ctx == ctx) heap_remove(l, i);
}

size_t evloop_pending(const evloop *l) {
    return l->n_heap;
}

void evloop_watch_fd(evloop *l, int fd, short events, evloop_fd_fn fn, void *ctx) {
    for (size_t i = 0; i < l->n_w; i++)
        if (l->w[i].live && l->w[i].fd == fd) {
            l->w[i].events = events;
            l->w[i].fn = fn;
            l->w[i].ctx = ctx;
            return;
        }
    if (l->n_w == l->cap_w) {
        l->cap_w = l->cap_w ? 2 * l->cap_w : 8;
        l->w = xrealloc(l->w, l->cap_w * sizeof *l->w);
    }
    l->w[l->n_w++] = (watch){.fd = fd, .events = events, .fn = fn, .ctx = ctx, .live = true};
}

void evloop_unwatch_fd(evloop *l, int fd) {
    for (size_t i = 0; i < l->n_w; i++)
        if (l->w[i].live && l->w[i].fd == fd) l->w[i].live = false;
}

int evloop_watch_signals(evloop *l, const sigset_t *set, evloop_signal_fn fn, void *ctx) {
    if (sigprocmask(SIG_BLOCK, set, NULL) < 0) return -1;
    int fd = signalfd(l->sfd, set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) return -1;
    l->sfd = fd;
    l->sig_fn = fn;
    l->sig_ctx = ctx;
    return 0;
}

void evloop_stop(evloop *l, int code) {
    l->stopped = true;
    l->code = code;
}

/* Drops unwatched entries (only between rounds, so callbacks may unwatch safely). */
static void compact(evloop *l) {
    size_t j = 0;
    for (size_t i = 0; i < l->n_w; i++)
        if (l->w[i].live) l->w[j++] = l->w[i];
    l->n_w = j;
}

static void fire_due(evloop *l) {
    int64_t now = evloop_now(l);
    while (!l->stopped && l->n_heap > 0 && l->heap[0].due <= now) {
        timer t = l->heap[0];
        heap_remove(l, 0);
        t.fn(l, t.ctx);
    }
}

int evloop_run(evloop *l) {
    l->stopped = false;
    struct pollfd *pf = NULL;
    size_t cap = 0;
    while (!l->stopped) {
        fire_due(l);
        if (l->stopped) break;
        compact(l);
        size_t n = l->n_w + (l->sfd >= 0);
        if (n == 0 && l->n_heap == 0) {
            l->code = -1;
            break;
        }
        if (n > cap) {
            cap = n;
            pf = xrealloc(pf, cap * sizeof *pf);
        }
        for (size_t i = 0; i < l->n_w; i++)
            pf[i] = (struct pollfd){.fd = l->w[i].fd, .events = l->w[i].events};
        if (l->sfd >= 0) pf[l->n_w] = (struct pollfd){.fd = l->sfd, .events = POLLIN};
        int64_t timeout = -1;
        if (l->n_heap > 0) {
            timeout = l->heap[0].due - evloop_now(l);
            if (timeout < 0) timeout = 0;
        }
        size_t n_w = l->n_w;
        int r = l->wait_fn(pf, (nfds_t)n, timeout, l->wait_ctx);
        if (r < 0 && errno != EINTR) {
            l->code = -1;
            break;
        }
        if (r <= 0) continue;
        /* Timers first: output that was due before the input arrived keeps its place. */
        fire_due(l);
        for (size_t i = 0; i < n_w && !l->stopped; i++) {
            if (!pf[i].revents || !l->w[i].live || l->w[i].fd != pf[i].fd) continue;
            l->w[i].fn(l, pf[i].fd, pf[i].revents, l->w[i].ctx);
        }
        if (l->sfd >= 0 && !l->stopped && (pf[n_w].revents & POLLIN)) {
            struct signalfd_siginfo si;
            while (read(l->sfd, &si, sizeof si) == (ssize_t)sizeof si && !l->stopped)
                if (l->sig_fn) l->sig_fn(l, (int)si.ssi_signo, l->sig_ctx);
        }
    }
    free(pf);
    return l->code;
}

#include "record.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
    DRAIN_AFTER_EXIT_MS = 1000, /* a grandchild may hold the pipes open */
    PROGRESS_AFTER_MS = 2000,
    PROGRESS_EVERY_MS = 1000,
};

char *record_find_program(const char *name, const char *path, const char *skip_dir,
                          const char *override) {
    if (override && *override) return xstrdup(override);
    if (!name || !*name) return NULL;
    if (strchr(name, '/')) return xstrdup(name);
    char skip_real[PATH_MAX] = "";
    if (skip_dir && !realpath(skip_dir, skip_real)) skip_real[0] = '\0';
    const char *p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (1) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *dir = n ? xstrndup(p, n) : xstrdup(".");
        char real[PATH_MAX];
        bool skip = skip_real[0] && realpath(dir, real) && !strcmp(real, skip_real);
        if (!skip) {
            char *cand = xasprintf("%s/%s", dir, name);
            struct stat st;
            if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
                free(dir);
                return cand;
            }
            free(cand);
        }
        free(dir);
        if (!colon) break;
        p = colon + 1;
    }
    return NULL;
}

typedef struct {
    const record_params *p;
    bool shown;      /* the status line is on screen */
    bool mid_line;   /* passthrough ended without a newline on the terminal */
    int64_t last_ms; /* when it was last drawn */
} progress;

static void progress_erase(progress *pg) {
    if (!pg->shown) return;
    (void)fileio_write_all(pg->p->progress_fd, "\r\033[K", 4);
    pg->shown = false;
}

static void progress_draw(progress *pg, int64_t ms, const recording *r) {
    if (pg->p->progress_fd < 0 || ms < PROGRESS_AFTER_MS || pg->mid_line) return;
    if (pg->shown && ms - pg->last_ms < PROGRESS_EVERY_MS) return;
    char line[512];
    int n = snprintf(
        line, sizeof line, "\r\033[Kcodex-mock record: %llds, %zu stdout and %zu stderr lines%s%s",
        (long long)(ms / 1000), r->out.n_lines, r->err.n_lines, pg->p->progress_label ? " → " : "",
        pg->p->progress_label ? pg->p->progress_label : "");
    if (n > 0)
        (void)fileio_write_all(pg->p->progress_fd, line, (size_t)n < sizeof line ? (size_t)n : 0);
    pg->shown = true;
    pg->last_ms = ms;
}

void record_transcript_init(record_transcript *tx) {
    memset(tx, 0, sizeof *tx);
    buf_init(&tx->in.bytes);
    tx->stdin_eof_t = tx->stdin_closed_t = tx->stdout_eof_t = -1;
}

void record_transcript_free(record_transcript *tx) {
    buf_free(&tx->in.bytes);
    free(tx->in.lines);
    free(tx->order);
    free(tx->signals);
    memset(tx, 0, sizeof *tx);
}

/* Notes the lines of `s` from `from` on as crossing in direction `dir`. */
static void tx_note(record_transcript *tx, char dir, const rec_stream *s, size_t from) {
    if (!tx) return;
    for (size_t i = from; i < s->n_lines; i++) {
        if (tx->n_order == tx->cap_order) {
            tx->cap_order = tx->cap_order ? 2 * tx->cap_order : 64;
            tx->order = xrealloc(tx->order, tx->cap_order * sizeof *tx->order);
        }
        tx->order[tx->n_order++] = (rec_tx_entry){dir, i};
    }
}

static int64_t now_tenths(const mock_clock *c, int64_t t0) {
    return (c->mono_ns(c) - t0 + 50000) / 100000;
}

int record_run(const record_params *p, recording *out, diag *err) {
    bool in_tty = isatty(p->in_fd);
    int opipe[2], epipe[2], ipipe[2] = {-1, -1}, xpipe[2];
    if (pipe2(opipe, O_CLOEXEC) || pipe2(epipe, O_CLOEXEC) || pipe2(xpipe, O_CLOEXEC) ||
        (!in_tty && pipe2(ipipe, O_CLOEXEC))) {
        diag_set(err, NULL, 0, 0, "cannot create pipes: %s", strerror(errno));
        return -1;
    }
    sigset_t watch, old;
    sigemptyset(&watch);
    sigaddset(&watch, SIGINT);
    sigaddset(&watch, SIGTERM);
    sigaddset(&watch, SIGHUP);
    sigaddset(&watch, SIGQUIT);
    sigaddset(&watch, SIGCHLD);
    sigprocmask(SIG_BLOCK, &watch, &old);
    int sfd = signalfd(-1, &watch, SFD_CLOEXEC | SFD_NONBLOCK);
    const mock_clock *clk = p->clock;
    int64_t t0 = clk->mono_ns(clk);
    pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        signal(SIGPIPE, SIG_DFL);
        dup2(in_tty ? p->in_fd : ipipe[0], 0);
        dup2(opipe[1], 1);
        dup2(epipe[1], 2);
        execv(p->program, p->argv);
        int e = errno;
        ssize_t w = write(xpipe[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(opipe[1]);
    close(epipe[1]);
    close(xpipe[1]);
    if (ipipe[0] >= 0) close(ipipe[0]);
    if (pid < 0) {
        diag_set(err, NULL, 0, 0, "cannot fork: %s", strerror(errno));
        close(opipe[0]), close(epipe[0]), close(xpipe[0]);
        if (ipipe[1] >= 0) close(ipipe[1]);
        if (sfd >= 0) close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    int exec_errno = 0;
    ssize_t got = read(xpipe[0], &exec_errno, sizeof exec_errno);
    close(xpipe[0]);
    if (got == (ssize_t)sizeof exec_errno) {
        waitpid(pid, NULL, 0);
        diag_set(err, NULL, 0, 0, "cannot run %s: %s", p->program, strerror(exec_errno));
        close(opipe[0]), close(epipe[0]);
        if (ipipe[1] >= 0) close(ipipe[1]);
        if (sfd >= 0) close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    if (ipipe[1] >= 0) fcntl(ipipe[1], F_SETFL, O_NONBLOCK);

    progress pg = {p, false, false, 0};
    buf in_pending, in_all;
    buf_init(&in_pending);
    buf_init(&in_all);
    bool out_open = true, err_open = true, in_open = !in_tty, child_in_open = ipipe[1] >= 0;
    bool exited = false;
    int status = 0;
    int64_t last_in_t = 0; /* the last write to the program's stdin, and the transcript's */
    size_t last_in_at = 0; /* length then */
    int64_t exit_t = 0;
    char tmp[65536];
    while (out_open || err_open || !exited) {
        int64_t t = now_tenths(clk, t0);
        if (exited && t - exit_t > DRAIN_AFTER_EXIT_MS * 10) break;
        struct pollfd fds[5];
        int nf = 0, i_out = -1, i_err = -1, i_in = -1, i_cin = -1, i_sig = -1;
        if (out_open) fds[i_out = nf++] = (struct pollfd){opipe[0], POLLIN, 0};
        if (err_open) fds[i_err = nf++] = (struct pollfd){epipe[0], POLLIN, 0};
        if (in_open && in_pending.len == 0) fds[i_in = nf++] = (struct pollfd){p->in_fd, POLLIN, 0};
        if (child_in_open && in_pending.len)
            fds[i_cin = nf++] = (struct pollfd){ipipe[1], POLLOUT, 0};
        if (sfd >= 0) fds[i_sig = nf++] = (struct pollfd){sfd, POLLIN, 0};
        int timeout = p->progress_fd >= 0 ? 250 : -1;
        if (exited) timeout = 100;
        int rc = poll(fds, (nfds_t)nf, timeout);
        if (rc < 0 && errno != EINTR) break;
        t = now_tenths(clk, t0);
        for (int s = 0; s < 2; s++) {
            int idx = s ? i_err : i_out;
            if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[idx].fd, tmp, sizeof tmp);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (s) {
                    err_open = false;
                } else {
                    out_open = false;
                    if (p->tx) p->tx->stdout_eof_t = t;
                }
                continue;
            }
            progress_erase(&pg);
            size_t before = out->out.n_lines;
            rec_stream_feed(s ? &out->err : &out->out, tmp, (size_t)n, t);
            if (!s) tx_note(p->tx, 's', &out->out, before);
            (void)fileio_write_all(s ? p->err_fd : p->out_fd, tmp, (size_t)n);
            pg.mid_line = tmp[n - 1] != '\n';
        }
        if (i_in >= 0 && (fds[i_in].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(p->in_fd, tmp, sizeof tmp);
            if (n > 0) {
                buf_append(&in_pending, tmp, (size_t)n);
                if (!p->tx) buf_append(&in_all, tmp, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                in_open = false;
                if (p->tx) p->tx->stdin_eof_t = t;
            }
        }
        if (i_cin >= 0 && (fds[i_cin].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(ipipe[1], in_pending.data, in_pending.len);
            if (w > 0) {
                if (p->tx) {
                    size_t before = p->tx->in.n_lines;
                    rec_stream_feed(&p->tx->in, in_pending.data, (size_t)w, t);
                    tx_note(p->tx, 'c', &p->tx->in, before);
                    last_in_t = t;
                    last_in_at = p->tx->n_order;
                }
                memmove(in_pending.data, in_pending.data + w, in_pending.len - (size_t)w);
                in_pending.len -= (size_t)w;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                buf_reset(&in_pending); /* the child closed its stdin */
                close(ipipe[1]);
                child_in_open = false;
                in_open = false;
            }
        }
        if (child_in_open && !in_open && in_pending.len == 0) {
            close(ipipe[1]);
            child_in_open = false;
            if (p->tx) {
                /* a fragment without newline: it crossed with the last write, not now */
                record_transcript *tx = p->tx;
                size_t before = tx->in.n_lines;
                rec_stream_finish(&tx->in, last_in_t);
                tx_note(tx, 'c', &tx->in, before);
                if (tx->in.n_lines > before && last_in_at < tx->n_order - 1) {
                    rec_tx_entry frag = tx->order[tx->n_order - 1];
                    memmove(&tx->order[last_in_at + 1], &tx->order[last_in_at],
                            (tx->n_order - 1 - last_in_at) * sizeof *tx->order);
                    tx->order[last_in_at] = frag;
                }
                tx->stdin_closed_t = t;
            }
        }
        if (i_sig >= 0 && (fds[i_sig].revents & POLLIN)) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if ((int)si.ssi_signo == SIGCHLD) continue;
                /* sent to us alone (kill): pass it on; from the terminal: the child has it */
                if (si.ssi_code == SI_USER || si.ssi_code == SI_QUEUE) {
                    kill(pid, (int)si.ssi_signo);
                    record_transcript *tx = p->tx;
                    if (tx) {
                        tx->signals =
                            xrealloc(tx->signals, (tx->n_signals + 1) * sizeof *tx->signals);
                        tx->signals[tx->n_signals++] = (rec_tx_signal){t, (int)si.ssi_signo};
                    }
                }
                if (!out->signal_name) {
                    const char *name = signal_name_of((int)si.ssi_signo);
                    out->signal_name = xstrdup(name ? name : "SIGINT");
                    out->signal_after_t = t;
                }
            }
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            exit_t = t;
        }
        progress_draw(&pg, t / 10, out);
    }
    progress_erase(&pg);
    if (!exited) {
        waitpid(pid, &status, 0);
        exit_t = now_tenths(clk, t0);
    }
    int64_t end_t = now_tenths(clk, t0);
    size_t out_before = out->out.n_lines;
    rec_stream_finish(&out->out, p->tx && p->tx->stdout_eof_t >= 0 ? p->tx->stdout_eof_t : end_t);
    tx_note(p->tx, 's', &out->out, out_before);
    if (p->tx && p->tx->stdout_eof_t < 0 && !out_open) p->tx->stdout_eof_t = end_t;
    rec_stream_finish(&out->err, end_t);
    close(opipe[0]);
    close(epipe[0]);
    if (child_in_open) close(ipipe[1]);
    if (sfd >= 0) close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    out->has_exit = true;
    out->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    out->duration_t = exit_t;
    out->has_timing = true;
    out->stdin_tty = in_tty;
    if (in_all.len) {
        out->stdin_len = in_all.len;
        out->stdin_text = buf_detach(&in_all);
    }
    buf_free(&in_all);
    buf_free(&in_pending);
    return 0;
}

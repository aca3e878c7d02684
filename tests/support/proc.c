#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

typedef struct {
    char *data;
    size_t len, cap;
    size_t line_start;
    timed_line *lines;
    size_t n_lines;
} stream;

static void stream_add(stream *s, const char *p, size_t n, double t) {
    if (s->len + n + 1 > s->cap) {
        s->cap = (s->len + n + 1) * 2;
        s->data = realloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
    for (size_t i = s->len - n; i < s->len; i++) {
        if (s->data[i] != '\n') continue;
        s->lines = realloc(s->lines, (s->n_lines + 1) * sizeof(timed_line));
        timed_line *l = &s->lines[s->n_lines++];
        l->ms = t;
        l->len = i - s->line_start;
        l->text = malloc(l->len + 1);
        memcpy(l->text, s->data + s->line_start, l->len);
        l->text[l->len] = '\0';
        s->line_start = i + 1;
    }
}

static char **build_env(const proc_spec *spec) {
    size_t n = 0;
    while (environ[n])
        n++;
    size_t extra = 0;
    while (spec->env && spec->env[extra])
        extra++;
    char **env = calloc(n + extra + 1, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = environ[i];
        size_t nl = strcspn(e, "=");
        bool drop = false;
        for (size_t j = 0; spec->unset && spec->unset[j]; j++)
            if (strlen(spec->unset[j]) == nl && !strncmp(e, spec->unset[j], nl)) drop = true;
        for (size_t j = 0; j < extra; j++)
            if (strcspn(spec->env[j], "=") == nl && !strncmp(e, spec->env[j], nl)) drop = true;
        if (!drop) env[k++] = (char *)e;
    }
    for (size_t j = 0; j < extra; j++)
        env[k++] = (char *)spec->env[j];
    env[k] = NULL;
    return env;
}

int proc_run(const proc_spec *spec, proc_result *out) {
    memset(out, 0, sizeof *out);
    int in_p[2], out_p[2], err_p[2];
    if (pipe(in_p) || pipe(out_p) || pipe(err_p)) return -1;
    char **env = build_env(spec);
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (spec->cwd && chdir(spec->cwd) != 0) _exit(126);
        if (spec->stdin_data) {
            dup2(in_p[0], 0);
        } else {
            int devnull = open("/dev/null", O_RDONLY);
            dup2(devnull, 0);
        }
        dup2(out_p[1], 1);
        dup2(err_p[1], 2);
        close(in_p[0]), close(in_p[1]), close(out_p[0]), close(out_p[1]), close(err_p[0]),
            close(err_p[1]);
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(spec->argv[0], (char *const *)spec->argv, env);
        _exit(127);
    }
    free(env);
    close(in_p[0]);
    close(out_p[1]);
    close(err_p[1]);
    signal(SIGPIPE, SIG_IGN);
    int in_fd = in_p[1];
    size_t in_off = 0;
    if (!spec->stdin_data) {
        close(in_fd);
        in_fd = -1;
    } else {
        fcntl(in_fd, F_SETFL, O_NONBLOCK);
    }
    stream so = {0}, se = {0};
    int fds[2] = {out_p[0], err_p[0]};
    double timeout = proc_ms(spec->timeout_ms > 0 ? spec->timeout_ms : 20000);
    bool signalled = false;
    int status = 0;
    bool reaped = false;
    while (fds[0] >= 0 || fds[1] >= 0) {
        double t = now_ms() - t0;
        if (in_fd >= 0 && in_off < spec->stdin_len) {
            ssize_t w = write(in_fd, spec->stdin_data + in_off, spec->stdin_len - in_off);
            if (w > 0) in_off += (size_t)w;
            if (w < 0 && errno == EPIPE) in_off = spec->stdin_len;
        }
        if (in_fd >= 0 && in_off >= spec->stdin_len && t >= spec->stdin_close_after_ms) {
            close(in_fd);
            in_fd = -1;
        }
        if (spec->signal && !signalled &&
            ((spec->signal_after_lines && (int)so.n_lines >= spec->signal_after_lines) ||
             (!spec->signal_after_lines && t >= spec->signal_after_ms))) {
            kill(pid, spec->signal);
            signalled = true;
        }
        if (t > timeout) {
            kill(pid, SIGKILL);
            out->timed_out = true;
            break;
        }
        struct pollfd p[2];
        int np = 0;
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0) p[np].fd = fds[i], p[np].events = POLLIN, p[np].revents = 0, np++;
        poll(p, (nfds_t)np, 2);
        for (int i = 0; i < np; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char tmp[65536];
            ssize_t n = read(p[i].fd, tmp, sizeof tmp);
            double at = now_ms() - t0;
            int which = p[i].fd == fds[0] ? 0 : 1;
            if (n <= 0) {
                close(fds[which]);
                fds[which] = -1;
                continue;
            }
            stream_add(which == 0 ? &so : &se, tmp, (size_t)n, at);
            if (which == 0 && spec->close_stdout_after_lines &&
                (int)so.n_lines >= spec->close_stdout_after_lines) {
                close(fds[0]);
                fds[0] = -1;
            }
        }
    }
    if (in_fd >= 0) close(in_fd);
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0) close(fds[i]);
    while (!reaped) {
        double t = now_ms() - t0;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            reaped = true;
            break;
        }
        if (t > timeout && !out->timed_out) {
            kill(pid, SIGKILL);
            out->timed_out = true;
        }
        if (spec->signal && !signalled && !spec->signal_after_lines && t >= spec->signal_after_ms) {
            kill(pid, spec->signal);
            signalled = true;
        }
        usleep(1000);
    }
    out->duration_ms = now_ms() - t0;
    out->out = so.data ? so.data : calloc(1, 1);
    out->out_len = so.len;
    out->out_lines = so.lines;
    out->n_out = so.n_lines;
    out->err = se.data ? se.data : calloc(1, 1);
    out->err_len = se.len;
    out->err_lines = se.lines;
    out->n_err = se.n_lines;
    if (WIFEXITED(status)) {
        out->exited = true;
        out->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out->term_signal = WTERMSIG(status);
    }
    return 0;
}

double proc_time_scale(void) {
    static double scale = 0;
    if (scale == 0) {
        const char *s = getenv("CODEX_MOCK_TEST_TIME_SCALE");
        char *end = NULL;
        double v = s && *s ? strtod(s, &end) : 1;
        if (s && *s && (*end || !(v >= 1 && v <= 1000))) {
            fprintf(stderr,
                    "CODEX_MOCK_TEST_TIME_SCALE=%s: expected a number from 1 to 1000; "
                    "using 1\n",
                    s);
            v = 1;
        }
        scale = v;
    }
    return scale;
}

double proc_ms(double ms) {
    return ms * proc_time_scale();
}

void proc_result_free(proc_result *r) {
    for (size_t i = 0; i < r->n_out; i++)
        free(r->out_lines[i].text);
    for (size_t i = 0; i < r->n_err; i++)
        free(r->err_lines[i].text);
    free(r->out_lines);
    free(r->err_lines);
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

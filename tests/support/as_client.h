/* as_client — test support: the built `codex app-server` (CODEX_BIN) on three pipes, driven as
 * a client drives it: write bytes (stdout read or deliberately not read meanwhile), wait for a
 * text on stdout, wait for the exit, read the peak RSS. Every wait is bounded (proc_ms()).
 * Uses cmocka's asserts: include it after cmocka.h. The buffers are the caller's to free
 * (server_free) after server_end. */
#ifndef CODEX_MOCK_TEST_AS_CLIENT_H
#define CODEX_MOCK_TEST_AS_CLIENT_H

#include "buf.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------
 * A server process with pipes both ways
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    pid_t pid;
    int in, out, err;
    buf o, e;
    int status;
    bool reaped;
} server;

static inline double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Spawns argv (argv[0] a path) in `cwd` on three pipes, non-blocking on our side, with TERM=xterm
 * and each "NAME=VALUE" of `env` (NULL-terminated; NULL: none) in the child's environment. */
static inline void server_spawn(server *s, const char *cwd, char *const argv[], char *const env[]) {
    memset(s, 0, sizeof *s);
    buf_init(&s->o);
    buf_init(&s->e);
    int pi[2], po[2], pe[2];
    assert_int_equal(pipe(pi), 0);
    assert_int_equal(pipe(po), 0);
    assert_int_equal(pipe(pe), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(pi[0], 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        if (chdir(cwd) != 0) _exit(126);
        setenv("TERM", "xterm", 1);
        for (size_t i = 0; env && env[i]; i++)
            putenv(env[i]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pi[0]);
    close(po[1]);
    close(pe[1]);
    s->in = pi[1];
    s->out = po[0];
    s->err = pe[0];
    fcntl(s->in, F_SETFL, O_NONBLOCK);
    fcntl(s->out, F_SETFL, O_NONBLOCK);
    fcntl(s->err, F_SETFL, O_NONBLOCK);
}

/* Spawns CODEX_BIN app-server in `cwd` at CODEX_MOCK_SPEED=0 (scenario: CODEX_MOCK_SCENARIO
 * when non-NULL); its three pipes are non-blocking on our side. */
static inline void server_start(server *s, const char *cwd, const char *scenario) {
    char *scen = scenario ? xasprintf("CODEX_MOCK_SCENARIO=%s", scenario) : NULL;
    char *argv[] = {CODEX_BIN, "app-server", NULL};
    char *env[] = {"CODEX_MOCK_SPEED=0", scen, NULL};
    server_spawn(s, cwd, argv, env);
    free(scen);
}

/* Reads what is there on stdout (when `read_out`) and stderr, waiting up to `ms`. */
static inline void server_pump(server *s, bool read_out, double ms) {
    struct pollfd p[2] = {{.fd = s->err, .events = POLLIN},
                          {.fd = read_out ? s->out : -1, .events = POLLIN}};
    if (poll(p, 2, (int)ms) <= 0) return;
    char tmp[1 << 16];
    for (int i = 0; i < 2; i++) {
        if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP))) continue;
        ssize_t n = read(p[i].fd, tmp, sizeof tmp);
        if (n > 0) buf_append(i ? &s->o : &s->e, tmp, (size_t)n);
    }
}

/* Writes all of data, reading stderr (and stdout when `read_out`) meanwhile; false on a
 * timeout or a closed pipe. */
static inline bool server_write(server *s, const char *data, size_t len, bool read_out, double ms) {
    double end = now_ms() + proc_ms(ms);
    while (len > 0) {
        ssize_t w = write(s->in, data, len);
        if (w > 0) {
            data += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (now_ms() > end) return false;
        struct pollfd p[3] = {{.fd = s->in, .events = POLLOUT},
                              {.fd = s->err, .events = POLLIN},
                              {.fd = read_out ? s->out : -1, .events = POLLIN}};
        poll(p, 3, 50);
        if (p[1].revents || p[2].revents) server_pump(s, read_out, 0);
    }
    return true;
}

static inline bool server_wait_out(server *s, const char *needle, double ms) {
    double end = now_ms() + proc_ms(ms);
    while (!(s->o.len && memmem(s->o.data, s->o.len, needle, strlen(needle)))) {
        if (now_ms() > end) return false;
        server_pump(s, true, 20);
    }
    return true;
}

static inline bool server_exited(server *s, double ms) {
    double end = now_ms() + proc_ms(ms);
    for (;;) {
        if (!s->reaped && waitpid(s->pid, &s->status, WNOHANG) == s->pid) s->reaped = true;
        if (s->reaped) return true;
        if (now_ms() > end) return false;
        server_pump(s, true, 10);
    }
}

/* Peak resident memory of the running server in kB (VmHWM), -1 when unknown. */
static inline long server_peak_kb(server *s) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)s->pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static inline void server_end(server *s) {
    if (s->in >= 0) close(s->in);
    s->in = -1;
    if (!server_exited(s, 5000)) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &s->status, 0);
        s->reaped = true;
        fail_msg("the server did not exit after stdin closed");
    }
    while (poll(&(struct pollfd){.fd = s->out, .events = POLLIN}, 1, 0) > 0) {
        char tmp[1 << 16];
        ssize_t n = read(s->out, tmp, sizeof tmp);
        if (n <= 0) break;
        buf_append(&s->o, tmp, (size_t)n);
    }
    server_pump(s, false, 0);
    close(s->out);
    close(s->err);
}

static inline void server_free(server *s) {
    buf_free(&s->o);
    buf_free(&s->e);
}

#endif

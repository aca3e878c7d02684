/* Unit tests for src/login_flow.c on a fake clock and ports of the test's choosing: the device
 * flow's offline error, the browser flow's retries and fallback when both ports are held (the
 * `GET /cancel` the holder receives, the simulated waits), its authorize URL while it waits, and
 * a later `GET /cancel` ending it; the log lines in CODEX_HOME/log/codex-login.log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "login_flow.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* 2026-11-21T08:00:00Z */
#define WALL_MS INT64_C(1795248000000)

typedef struct {
    int64_t mono, waited, waits;
} fake_time;

static int64_t fake_mono(const mock_clock *c) {
    return ((fake_time *)c->ctx)->mono;
}
static int64_t fake_wall(const mock_clock *c) {
    return WALL_MS + ((fake_time *)c->ctx)->mono / 1000000;
}
static int fake_wait(const mock_clock *c, int64_t deadline, const sigset_t *watch) {
    (void)watch;
    fake_time *t = c->ctx;
    if (deadline > t->mono) t->waited += deadline - t->mono, t->mono = deadline;
    t->waits++;
    return 0;
}

static mock_clock fake_clock(fake_time *t) {
    memset(t, 0, sizeof *t);
    return (mock_clock){fake_mono, fake_wall, fake_wait, t};
}

/* A listening socket on a free loopback port (*port). */
static int hold_port(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static char *home_dir(void) {
    char tmpl[] = "/tmp/test-login-flow-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return xstrdup(tmpl);
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return xstrdup("");
    buf b;
    buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_append(&b, tmp, n);
    fclose(f);
    return b.data ? buf_detach(&b) : xstrdup("");
}

static char *login_log(const char *home) {
    char *p = xasprintf("%s/log/codex-login.log", home);
    char *t = read_all(p);
    free(p);
    return t;
}

static void remove_home(char *home) {
    char *cmd = xasprintf("rm -rf '%s'", home);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(home);
}

/* stderr of the calling process goes to a file while `run` runs; returns what was written. */
typedef int (*login_fn)(const login_params *p, const mock_clock *c, rng *r);
static char *capture_stderr(login_fn run, const login_params *p, const mock_clock *c, rng *r,
                            int *rc) {
    char path[] = "/tmp/test-login-flow-err-XXXXXX";
    int fd = mkstemp(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    *rc = run(p, c, r);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *t = read_all(path);
    unlink(path);
    return t;
}

static int run_device(const login_params *p, const mock_clock *c, rng *r) {
    (void)r;
    return login_device(p, c);
}

static void test_device_offline(void **state) {
    (void)state;
    char *home = home_dir();
    fake_time t;
    mock_clock c = fake_clock(&t);
    login_params p = {.codex_home = home, .speed = 1, .port = 1, .fallback_port = 2};
    int rc;
    char *err = capture_stderr(run_device, &p, &c, NULL, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(err, "Error logging in: error sending request for url "
                             "(https://auth.openai.com/api/accounts/deviceauth/usercode)\n");
    free(err);
    assert_int_equal(t.waited, 60 * 1000000); /* ≈60 ms, as the real one offline */
    char *log = login_log(home);
    assert_string_equal(log, "2026-11-21T08:00:00.000000Z  INFO codex_cli::login: starting device "
                             "code login flow\n");
    free(log);
    /* Another issuer, ten times faster: the URL follows, the wait shrinks. */
    p.issuer = "http://127.0.0.1:9/x";
    p.speed = 10;
    err = capture_stderr(run_device, &p, &c, NULL, &rc);
    assert_string_equal(err, "Error logging in: error sending request for url "
                             "(http://127.0.0.1:9/x/api/accounts/deviceauth/usercode)\n");
    free(err);
    assert_int_equal(t.waited, 66 * 1000000);
    log = login_log(home);
    assert_non_null(strstr(log, "\n2026-11-21T08:00:00.060000Z  INFO codex_cli::login: starting "
                                "device code login flow\n"));
    free(log);
    remove_home(home);
}

/* Both ports held: a GET /cancel to the first, ten binds 200 ms apart on each, the real error. */
static void test_browser_both_ports_taken(void **state) {
    (void)state;
    char *home = home_dir();
    int port, fallback;
    int h1 = hold_port(&port), h2 = hold_port(&fallback);
    fake_time t;
    mock_clock c = fake_clock(&t);
    rng r;
    rng_seed(&r, 7);
    login_params p = {.codex_home = home, .speed = 1000, .port = port, .fallback_port = fallback};
    int rc;
    char *err = capture_stderr(login_browser, &p, &c, &r, &rc);
    assert_int_equal(rc, 1);
    char *want = xasprintf("Error logging in: Port 127.0.0.1:%d is already in use\n", fallback);
    assert_string_equal(err, want);
    free(want);
    free(err);
    /* 20 waits of 200 ms at speed 1000: 0.2 ms each. */
    assert_int_equal(t.waits, 20);
    assert_int_equal(t.waited, 20 * 200000);
    /* The holder of the first port was asked to stop, the fallback's holder was not. */
    int conn = accept(h1, NULL, NULL);
    assert_true(conn >= 0);
    char req[256] = {0};
    assert_true(read(conn, req, sizeof req - 1) > 0);
    want =
        xasprintf("GET /cancel HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", port);
    assert_string_equal(req, want);
    free(want);
    close(conn);
    fcntl(h2, F_SETFL, O_NONBLOCK);
    assert_true(accept(h2, NULL, NULL) < 0);
    char *log = login_log(home);
    want = xasprintf("2026-11-21T08:00:00.000000Z  INFO codex_cli::login: starting browser login "
                     "flow\n"
                     "2026-11-21T08:00:00.002000Z  WARN codex_login::server: default login "
                     "callback port is unavailable; falling back to the registered fallback port "
                     "preferred_bind_address=127.0.0.1:%d fallback_bind_address=127.0.0.1:%d\n",
                     port, fallback);
    assert_string_equal(log, want);
    free(want);
    free(log);
    close(h1);
    close(h2);
    remove_home(home);
}

/* Connects to the login server on `port`, sends `request`, returns the whole answer. */
static char *http(int port, const char *request) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    buf b;
    buf_init(&b);
    char tmp[512];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof tmp)) > 0)
        buf_append(&b, tmp, (size_t)n);
    close(fd);
    return b.data ? buf_detach(&b) : xstrdup("");
}

/* A free port: the six lines with the URL, then waiting; a 404 for anything but /cancel, which
 * ends it with `Login cancelled` and exit 1. Runs in a child, which would otherwise wait
 * forever (and dies of SIGALRM after 10 s if the test fails first). The challenge and the
 * state come from the rng (seed 7). */
static void test_browser_waits_until_cancelled(void **state) {
    (void)state;
    char *home = home_dir();
    int port, unused;
    int h = hold_port(&port);
    close(h); /* free again: the flow binds it */
    int h2 = hold_port(&unused);
    int pipe_err[2];
    assert_int_equal(pipe(pipe_err), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(10); /* never outlive a failed test by long */
        dup2(pipe_err[1], 2);
        close(pipe_err[0]);
        close(1);
        fake_time t;
        mock_clock c = fake_clock(&t);
        rng r;
        rng_seed(&r, 7);
        login_params p = {.codex_home = home, .speed = 0, .port = port, .fallback_port = unused};
        _exit(login_browser(&p, &c, &r));
    }
    close(pipe_err[1]);
    buf err;
    buf_init(&err);
    char tmp[4096];
    static const char last[] = "instead.\n";
    while (!err.data || !strstr(err.data, last)) {
        struct pollfd pfd = {pipe_err[0], POLLIN, 0};
        assert_true(poll(&pfd, 1, 5000) == 1);
        ssize_t n = read(pipe_err[0], tmp, sizeof tmp);
        assert_true(n > 0);
        buf_append(&err, tmp, (size_t)n);
    }
    char *want = xasprintf(
        "Starting local login server on http://localhost:%d.\n"
        "If your browser did not open, navigate to this URL to authenticate:\n\n"
        "https://auth.openai.com/oauth/authorize?response_type=code&client_id="
        "app_EMoamEEZ73f0CkXaXp7hrann&redirect_uri=http%%3A%%2F%%2F127.0.0.1%%3A%d%%2Fauth%%"
        "2Fcallback&code_challenge=%s&code_challenge_method=S256&state=%s&scope=openid+profile+"
        "email+offline_access+api.connectors.read+api.connectors.invoke&id_token_add_"
        "organizations=true&codex_cli_simplified_flow=true&originator=codex_cli_rs\n\n"
        "On a remote or headless machine? Use `codex login --device-auth` instead.\n",
        port, port, "aSWAYJUcgjXYRX6L_e7t5s9qqgjnLdkawv-6er26EqL",
        "tzDS1NiqqxmbBw-mh8Uuibrwrg1Q58L4lRSIKdXtYGa");
    assert_string_equal(err.data, want);
    free(want);
    char *a = http(port, "GET /auth/callback?code=x HTTP/1.1\r\n\r\n");
    assert_string_equal(a, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: "
                           "close\r\n\r\n");
    free(a);
    a = http(port, "GET /cancel HTTP/1.1\r\n\r\n");
    assert_string_equal(a, "HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\n"
                           "Login cancelled");
    free(a);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    ssize_t n;
    while ((n = read(pipe_err[0], tmp, sizeof tmp)) > 0)
        buf_append(&err, tmp, (size_t)n);
    const char *tail = strstr(err.data, last) + strlen(last);
    assert_string_equal(tail, "Error logging in: Login cancelled\n");
    close(pipe_err[0]);
    close(h2);
    buf_free(&err);
    remove_home(home);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_offline),
        cmocka_unit_test(test_browser_both_ports_taken),
        cmocka_unit_test(test_browser_waits_until_cancelled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
